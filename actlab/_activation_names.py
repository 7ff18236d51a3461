"""Names of activations: one canonical name for a function, a layer or an op node.

Internal to :mod:`actlab.sites` and :mod:`actlab.surgery`: an activation given
as a name, a callable, a Keras activation layer or found as an operation node
of a functional graph gets the name :func:`actlab.find_activations` reports
(catalogue names where :mod:`actlab.catalog` has the activation, Keras's own
otherwise; ``"relu(max_value=4.0)"`` for a clipped ReLU).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import keras
from keras import layers as klayers

from actlab import catalog


@functools.cache
def keras_names() -> list[str]:
    """Every one-argument activation ``keras.activations.get`` understands."""
    names = []
    for name in dir(keras.activations):
        fn = getattr(keras.activations, name)
        if name.startswith("_") or name in {"get", "serialize", "deserialize"}:
            continue
        if not callable(fn) or not name.islower():
            continue
        try:
            params = inspect.signature(fn).parameters.values()
        except (TypeError, ValueError):  # pragma: no cover - builtins without signature
            continue
        required = [p for p in params if p.default is p.empty and p.kind != p.VAR_KEYWORD]
        if len(required) <= 1:  # usable as activation(x); not e.g. threshold(x, t, v)
            names.append(name)
    return sorted(names)


def name_of_function(fn: Callable[..., Any]) -> str:
    """Canonical name of an activation function (catalogue name if it has one)."""
    name = getattr(fn, "__name__", None) or type(fn).__name__
    try:
        return catalog.canonical_name(name)
    except ValueError:
        return name


def fmt_params(name: str, params: dict[str, float]) -> str:
    inner = ", ".join(f"{k}={float(v)!r}" for k, v in params.items())
    return f"{name}({inner})"


def name_of_layer(layer: Any) -> str:
    """Canonical name of the activation an activation layer applies."""
    if isinstance(layer, klayers.Activation):
        return name_of_function(layer.activation)
    if isinstance(layer, klayers.ReLU):
        params: dict[str, float] = {}
        if layer.max_value is not None:
            params["max_value"] = float(layer.max_value)
        if float(layer.negative_slope) != 0.0:
            params["negative_slope"] = float(layer.negative_slope)
        if float(layer.threshold) != 0.0:
            params["threshold"] = float(layer.threshold)
        if not params:
            return "relu"
        if params == {"max_value": 6.0}:
            return "relu6"
        return fmt_params("relu", params)
    if isinstance(layer, klayers.LeakyReLU):
        return "leaky_relu"
    if isinstance(layer, klayers.PReLU):
        return "prelu"
    if isinstance(layer, klayers.ELU):
        alpha = float(layer.alpha)
        return "elu" if alpha == 1.0 else fmt_params("elu", {"alpha": alpha})
    if isinstance(layer, klayers.Softmax):
        return "softmax"
    # Any other layer used as an activation (a custom activation layer).
    return (
        name_of_function(layer)
        if not isinstance(layer, klayers.Layer)
        else (snake(type(layer).__name__))
    )


def snake(name: str) -> str:
    out = [name[0].lower()]
    for ch in name[1:]:
        out.append("_" + ch.lower() if ch.isupper() else ch)
    return "".join(out)


def describe(value: Any) -> str:
    """Canonical name of an activation given as a name, callable or layer."""
    if isinstance(value, str):
        return activation_name(value)
    if isinstance(value, klayers.Layer):
        return name_of_layer(value)
    if callable(value):
        return name_of_function(value)
    raise TypeError(
        "An activation must be a name (e.g. 'relu'), a callable (e.g. "
        "keras.activations.gelu) or a Keras activation layer (e.g. "
        f"keras.layers.LeakyReLU(negative_slope=0.1)). Received: {value!r} "
        f"of type {type(value).__name__}."
    )


def activation_name(name: str) -> str:
    """A name given in a mapping as :func:`find_activations` reports it.

    :func:`actlab.catalog.canonical_name` is the resolver (aliases, did-you-
    mean); Keras-only names come back as Keras calls the function
    (``"hard_swish"`` -> ``"hard_silu"``), and ``"prelu"``, a layer with no
    function, is accepted as well.
    """
    if isinstance(name, str) and name.strip().lower() == "prelu":
        return "prelu"
    try:
        key = catalog.canonical_name(name, allow_keras=True)
    except ValueError as err:
        keras_only = sorted(set(keras_names()) - set(catalog.names()))
        raise ValueError(
            f"{err} Keras's own names ({', '.join(keras_only)}) and 'prelu' work too, "
            "as do a callable or a Keras activation layer instance."
        ) from None
    if key in catalog.ACTIVATIONS:
        return key
    return name_of_function(keras.activations.get(key))


def op_activation(op: Any) -> str | None:
    """The activation an operation node applies (``Gelu`` -> ``"gelu"``), else None."""
    cls = type(op).__name__
    if cls == "ReLU":  # keras.activations.relu(x) with its clipping arguments
        config = op.get_config()
        params = {
            k: float(config[k])
            for k, default in (("max_value", None), ("negative_slope", 0.0), ("threshold", 0.0))
            if config.get(k) is not None and config.get(k) != default
        }
        if not params:
            return "relu"
        return "relu6" if params == {"max_value": 6.0} else fmt_params("relu", params)
    key = snake(cls).replace("_l_u", "_lu").replace("re_lu", "relu")
    key = {"relu_6": "relu6", "hard_si_lu": "hard_silu", "si_lu": "silu"}.get(key, key)
    if key not in keras_names() or key == "linear":
        return None
    return name_of_function(keras.activations.get(key))
