"""Model surgery: find every activation in a Keras model and swap them safely.

Assigning to ``model.layers[i]`` changes nothing, and rebuilding a model from
fresh layers throws the trained weights away. :func:`swap_activations` does
it properly: it clones the model's graph (``keras.models.clone_model`` with
``recursive=True``), rebuilds only what changes, and copies every weight from
the original layer to its clone -- all of them, or it raises an error naming
the layer. The model you pass in is never modified, not even when the call
fails.

An activation can be written in several ways, and all of them are found:

* the ``activation=`` argument of a layer (``Dense``, ``Conv2D``,
  ``SimpleRNN``/``LSTM``/``GRU`` -- their ``activation``, not the gates'
  ``recurrent_activation`` -- also inside ``TimeDistributed``/``Bidirectional``,
  and any custom layer with an ``activation`` attribute) -- ``kind="argument"``;
* an ``Activation`` layer or an advanced activation layer (``ReLU``,
  ``LeakyReLU``, ``PReLU``, ``ELU``, ``Softmax``) -- ``kind="layer"``;
* an activation applied to a symbolic tensor in a functional model
  (``keras.activations.gelu(x)``, ``keras.ops.relu(x)``) -- ``kind="op"``;
* any of the above on a layer *tracked inside a custom layer* (a transformer
  block's ``Dense(..., activation="gelu")`` or ``Softmax`` sublayers, the
  layers of a model a custom layer holds) -- ``kind="sublayer"``, with a path
  through the custom layer: ``"encoder/block_1/mlp/dense_1"``.

An identity (``linear``) ``activation=`` argument, the default of ``Dense``
and ``Conv2D``, is not reported: nothing is applied there. An explicit
``Activation("linear")`` layer is. A layer that has an activation site of its
own is one site: its sublayers are not listed separately.

Functional graphs may hold operation nodes that are not layers (slicing
``x[:, 0, :]``, ``keras.ops`` calls): they are cloned and carry no weights.

Limits: the model (and every nested model) must have a layer graph --
``keras.Sequential`` or functional. A subclassed model's ``call()`` is
Python code that cannot be copied with new activations, so it is rejected
with an explanation; nested inside a functional model it is treated as a
custom layer. An activation applied as a plain function inside a custom
layer's ``call()`` cannot be seen; :func:`swap_activations` names the layers
that may hide one. A sublayer swapped inside a custom layer whose
``get_config()`` does not carry the activation lives in the returned model
only: saving and loading it rebuilds the custom layer with its original
activation. The swapped model is compiled like the original but starts with
a fresh optimizer state.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import keras
from keras import layers as klayers

from actlab import _keras, catalog
from actlab._validate import did_you_mean

__all__ = ["ActivationSite", "find_activations", "swap_activations"]

#: Layer classes that *are* an activation (``kind="layer"``).
ACTIVATION_LAYERS: tuple[type, ...] = (
    klayers.Activation,
    klayers.ReLU,
    klayers.LeakyReLU,
    klayers.PReLU,
    klayers.ELU,
    klayers.Softmax,
)


@dataclass(frozen=True)
class ActivationSite:
    """One place in a model where an activation is applied.

    Attributes:
        path: Layer path, ``"outer/inner/dense_2"`` inside nested models, just
            the layer name at the top level.
        layer: The layer's class name, e.g. ``"Dense"`` or ``"ReLU"``.
        kind: ``"argument"`` (an ``activation=`` argument), ``"layer"`` (an
            ``Activation`` or advanced activation layer), ``"op"`` (an
            activation op applied to a symbolic tensor in a functional graph)
            or ``"sublayer"`` (either of the first two on a layer tracked
            inside a custom layer; ``layer`` then tells which).
        activation: Canonical name. Catalogue names where the activation is in
            :mod:`actlab.catalog` (``"relu"``, ``"silu"``...), the Keras name
            otherwise (``"softmax"``). Advanced layers: ``"leaky_relu"``,
            ``"prelu"``, ``"elu"``, ``"softmax"``; a ``ReLU`` layer is
            ``"relu"`` only with default arguments, ``"relu6"`` with
            ``max_value=6`` and e.g. ``"relu(max_value=4.0, threshold=0.5)"``
            otherwise, so a ``"relu"`` mapping key never matches a clipped or
            thresholded ReLU by accident.

    """

    path: str
    layer: str
    kind: str
    activation: str


# ---------------------------------------------------------------------------
# Naming activations


@functools.cache
def _keras_names() -> list[str]:
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


def _name_of_function(fn: Callable[..., Any]) -> str:
    """Canonical name of an activation function (catalogue name if it has one)."""
    name = getattr(fn, "__name__", None) or type(fn).__name__
    try:
        return catalog.canonical_name(name)
    except ValueError:
        return name


def _fmt_params(name: str, params: dict[str, float]) -> str:
    inner = ", ".join(f"{k}={float(v)!r}" for k, v in params.items())
    return f"{name}({inner})"


def _name_of_layer(layer: Any) -> str:
    """Canonical name of the activation an activation layer applies."""
    if isinstance(layer, klayers.Activation):
        return _name_of_function(layer.activation)
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
        return _fmt_params("relu", params)
    if isinstance(layer, klayers.LeakyReLU):
        return "leaky_relu"
    if isinstance(layer, klayers.PReLU):
        return "prelu"
    if isinstance(layer, klayers.ELU):
        alpha = float(layer.alpha)
        return "elu" if alpha == 1.0 else _fmt_params("elu", {"alpha": alpha})
    if isinstance(layer, klayers.Softmax):
        return "softmax"
    # Any other layer used as an activation (a custom activation layer).
    return (
        _name_of_function(layer)
        if not isinstance(layer, klayers.Layer)
        else (_snake(type(layer).__name__))
    )


def _snake(name: str) -> str:
    out = [name[0].lower()]
    for ch in name[1:]:
        out.append("_" + ch.lower() if ch.isupper() else ch)
    return "".join(out)


def _describe(value: Any) -> str:
    """Canonical name of an activation given as a name, callable or layer."""
    if isinstance(value, str):
        return _activation_name(value)
    if isinstance(value, klayers.Layer):
        return _name_of_layer(value)
    if callable(value):
        return _name_of_function(value)
    raise TypeError(
        "An activation must be a name (e.g. 'relu'), a callable (e.g. "
        "keras.activations.gelu) or a Keras activation layer (e.g. "
        f"keras.layers.LeakyReLU(negative_slope=0.1)). Received: {value!r} "
        f"of type {type(value).__name__}."
    )


def _activation_name(name: str) -> str:
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
        keras_only = sorted(set(_keras_names()) - set(catalog.names()))
        raise ValueError(
            f"{err} Keras's own names ({', '.join(keras_only)}) and 'prelu' work too, "
            "as do a callable or a Keras activation layer instance."
        ) from None
    if key in catalog.ACTIVATIONS:
        return key
    return _name_of_function(keras.activations.get(key))


# ---------------------------------------------------------------------------
# Walking a model


def _has_graph(model: Any) -> bool:
    return _keras.graph(model) is not None


def is_graph_model(layer: Any) -> bool:
    """A nested model whose layers we can see (Sequential or functional)."""
    return _keras.is_functional(layer) or isinstance(layer, keras.Sequential)


def check_model(model: Any, what: str) -> None:
    """Raise a clear error unless ``model`` is a Keras model with a layer graph."""
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"{what} expects a keras.Model (Sequential or functional). "
            f"Received: {model!r} of type {type(model).__name__}."
        )
    if isinstance(model, keras.Sequential):
        if not _has_graph(model):
            raise ValueError(
                f"{what}: the Sequential model {model.name!r} has not been built, so "
                "its layers have no input shape and no weights yet. Start it with "
                "keras.Input(shape=...) (e.g. keras.Sequential([keras.Input((784,)), "
                "...])) or call it on a batch of data first."
            )
        return
    if not _keras.is_functional(model):
        raise TypeError(
            f"{what} cannot see inside the subclassed model {model.name!r} "
            f"(class {type(model).__name__}): its layers are wired together in Python "
            "code inside call(), so there is no layer graph to copy or probe. Rebuild "
            "it with the functional API (keras.Input -> layers -> keras.Model(inputs, "
            "outputs)) or as a keras.Sequential, or change the activation where the "
            "layers are created in its __init__ and build a new instance."
        )


def walk_model(model: Any, prefix: str = "", *, ops: bool = True) -> Iterator[tuple[str, Any]]:
    """Yield ``(path, node)`` for every graph node, depth first, in network order.

    Nodes are layers and (with ``ops``) operations that are not layers, such
    as ``x[:, 0]`` (``GetItem``) or ``keras.ops`` calls. Nested
    Sequential/functional models are yielded themselves and then their nodes
    (paths ``"inner/dense"``). Input layers are skipped.
    """
    for node in _keras.operations(model):
        if isinstance(node, klayers.InputLayer):
            continue
        if not ops and not isinstance(node, klayers.Layer):
            continue
        path = f"{prefix}{node.name}"
        yield path, node
        if is_graph_model(node):
            yield from walk_model(node, prefix=f"{path}/", ops=ops)


def _wrapped(layer: Any) -> list[Any]:
    """The layers a wrapper applies (``Bidirectional``: forward and backward)."""
    if isinstance(layer, klayers.Bidirectional):
        return [layer.forward_layer, layer.backward_layer]
    if isinstance(layer, klayers.Wrapper):
        return [layer.layer]
    return []


def _op_activation(op: Any) -> str | None:
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
        return "relu6" if params == {"max_value": 6.0} else _fmt_params("relu", params)
    key = _snake(cls).replace("_l_u", "_lu").replace("re_lu", "relu")
    key = {"relu_6": "relu6", "hard_si_lu": "hard_silu", "si_lu": "silu"}.get(key, key)
    if key not in _keras_names() or key == "linear":
        return None
    return _name_of_function(keras.activations.get(key))


def _site_of(path: str, layer: Any) -> ActivationSite | None:
    if not isinstance(layer, klayers.Layer):
        name = _op_activation(layer)
        return None if name is None else ActivationSite(path, type(layer).__name__, "op", name)
    if isinstance(layer, ACTIVATION_LAYERS):
        return ActivationSite(path, type(layer).__name__, "layer", _name_of_layer(layer))
    if is_graph_model(layer):
        return None
    inner = _wrapped(layer)
    if inner:
        # TimeDistributed(Dense(activation=...)), Bidirectional(LSTM(...)): the
        # wrapped layer's activation= argument, reported on the wrapper.
        site = _site_of(path, inner[0])
        if site is None or site.kind != "argument":
            return None
        return ActivationSite(
            path, f"{type(layer).__name__}({site.layer})", "argument", site.activation
        )
    act = getattr(layer, "activation", None)
    if act is None or not callable(act):
        return None
    name = _name_of_layer(act) if isinstance(act, klayers.Layer) else _name_of_function(act)
    if name == "linear":
        return None
    return ActivationSite(path, type(layer).__name__, "argument", name)


@dataclass
class _Found:
    """A site and where it lives (internal).

    ``host`` is the graph node that holds it (the layer itself for graph
    sites); for sublayer sites ``route`` is the chain of positions from the
    host through :func:`actlab._keras.sublayers` down to the layer, and
    ``owner`` the layer that tracks it directly.
    """

    site: ActivationSite
    obj: Any
    host: Any
    route: tuple[int, ...] = ()
    owner: Any = None


def _is_keras_class(layer: Any) -> bool:
    return type(layer).__module__.split(".")[0] == "keras"


def _opens(layer: Any) -> bool:
    """Whether to look for activation sites among ``layer``'s sublayers.

    Only custom layers (classes not from Keras) are opened. A Keras layer's
    sublayers are its implementation: ``MultiHeadAttention`` keeps a
    ``Softmax`` sublayer but may compute attention with one fused op that
    never calls it, so swapping it would change nothing.
    """
    return (
        isinstance(layer, klayers.Layer)
        and not is_graph_model(layer)
        and not _is_keras_class(layer)
    )


def _find(model: Any) -> list[_Found]:
    """Every site of ``model`` (graph, op and sublayer sites), in network order."""
    found: list[_Found] = []
    seen: set[int] = set()
    for path, node in walk_model(model):
        if id(node) in seen:
            continue
        seen.add(id(node))
        site = _site_of(path, node)
        if site is not None:
            found.append(_Found(site, node, node))
        elif _opens(node):
            found.extend(_find_inside(node, path, node, (), seen))
    return found


def _auto_named(layer: Any) -> bool:
    """True if ``layer.name`` is Keras's automatic name (``dense_3``), not a chosen one."""
    cls = re.sub(r"\W+", "", type(layer).__name__)
    base = re.sub("([a-z])([A-Z])", r"\1_\2", re.sub("(.)([A-Z][a-z]+)", r"\1_\2", cls)).lower()
    return re.fullmatch(rf"{re.escape(base)}(_\d+)?", layer.name) is not None


def _child_names(layer: Any, subs: list[Any]) -> list[str]:
    """Path segments of ``layer``'s sublayers: their names, stable where Keras made them up.

    A sublayer named by its author keeps that name. One with an automatic
    name (``softmax_37``, different in every copy) is named after the
    attribute that holds it (``self._softmax`` -> ``"softmax"``, the 2nd item
    of ``self.blocks`` -> ``"blocks_1"``), so paths are the same in a model
    and in its swapped copy.
    """
    if is_graph_model(layer):
        return [sub.name for sub in subs]
    attr_of: dict[int, str] = {}
    for attr, held in vars(layer).items():
        if _bookkeeping(attr):
            continue
        items = held if isinstance(held, (list, tuple)) else [held]
        for j, item in enumerate(items):
            if isinstance(item, klayers.Layer) and id(item) not in attr_of:
                label = attr.lstrip("_") or attr
                attr_of[id(item)] = label if items is not held else f"{label}_{j}"
    names = [attr_of.get(id(sub), sub.name) if _auto_named(sub) else sub.name for sub in subs]
    return [n if names.count(n) == 1 else f"{n}_{i}" for i, n in enumerate(names)]


def _find_inside(
    layer: Any, path: str, host: Any, route: tuple[int, ...], seen: set[int]
) -> Iterator[_Found]:
    """Sites of the layers tracked by ``layer`` (a custom layer or a model it holds)."""
    subs = _keras.sublayers(layer)
    for i, (sub, name) in enumerate(zip(subs, _child_names(layer, subs), strict=True)):
        if id(sub) in seen:
            continue
        seen.add(id(sub))
        sub_path = f"{path}/{name}"
        site = _site_of(sub_path, sub)
        if site is not None:
            site = ActivationSite(sub_path, site.layer, "sublayer", site.activation)
            yield _Found(site, sub, host, (*route, i), layer)
        elif is_graph_model(sub) or _opens(sub):
            yield from _find_inside(sub, sub_path, host, (*route, i), seen)


def find_activations(model: keras.Model) -> list[ActivationSite]:
    """Every place in ``model`` where an activation is applied, in network order.

    Looks at ``activation=`` arguments (including custom layers with an
    ``activation`` attribute), ``Activation`` layers, advanced activation
    layers and activation ops in the graph, inside nested models, and inside
    custom layers (their tracked sublayers, ``kind="sublayer"``). A shared
    layer is one site.

    Args:
        model: A Sequential or functional Keras model (not modified).

    Returns:
        A list of :class:`ActivationSite`.

    Raises:
        TypeError: If ``model`` is not a Keras model, or is a subclassed model
            without a layer graph.
        ValueError: If ``model`` is a Sequential model that was never built.

    Example:
        >>> [s.activation for s in find_activations(model)]  # doctest: +SKIP
        ['relu', 'relu', 'softmax']

    """
    check_model(model, "find_activations")
    return [f.site for f in _find(model)]


def layer_paths(model: keras.Model) -> list[str]:
    """All graph paths of ``model`` (layers, op nodes, nested models' layers), in order."""
    return [path for path, _ in walk_model(model)]


def _own_call(layer: Any) -> bool:
    """True if ``layer``'s class is not Keras's own and defines its own ``call``."""
    cls = type(layer)
    if _is_keras_class(layer):
        return False
    return any("call" in vars(c) for c in cls.__mro__ if c.__module__.split(".")[0] != "keras")


def hidden_code_layers(model: keras.Model) -> list[str]:
    """Paths of custom layers that may apply activations as plain functions in ``call()``.

    These are layers (graph nodes or sublayers) whose class defines its own
    ``call()`` and that have no activation site that can be seen from outside
    (no ``activation`` attribute, no activation sublayers). Whatever
    ``call()`` computes with ``keras.activations.gelu(x)`` cannot be listed or
    swapped; change it in the layer's code.
    """
    with_sites = {f.site.path for f in _find(model)}
    out: list[str] = []

    def visit(layer: Any, path: str) -> None:
        if not isinstance(layer, klayers.Layer) or is_graph_model(layer):
            return
        below = any(p == path or p.startswith(path + "/") for p in with_sites)
        if _own_call(layer) and not below:
            out.append(path)
        if path in with_sites:
            return
        subs = _keras.sublayers(layer)
        for sub, name in zip(subs, _child_names(layer, subs), strict=True):
            visit(sub, f"{path}/{name}")

    for path, node in walk_model(model):
        visit(node, path)
    return out


def _summary(sites: Iterable[ActivationSite], hidden: list[str] | None = None) -> str:
    counts = Counter(s.activation for s in sites)
    hidden = hidden or []
    where = ""
    if hidden:
        shown = ", ".join(repr(h) for h in hidden[:10]) + (" ..." if len(hidden) > 10 else "")
        where = (
            f"; the custom layers {shown} may apply activations as plain functions "
            "inside their call() code, which cannot be seen or swapped from outside "
            "(change them in the layer's code or give the layer an activation argument)"
        )
    if not counts:
        if hidden:
            return "no activation that can be seen from outside" + where
        return "no activations at all"
    listed = ", ".join(
        f"{name} ({n} site{'s' if n != 1 else ''})" for name, n in counts.most_common()
    )
    return listed + where


def select_paths(
    model: keras.Model,
    wanted: Iterable[str],
    *,
    what: str,
    include_models: bool = True,
    paths: list[str] | None = None,
) -> set[str]:
    """Resolve ``layers=`` entries (names, paths, nested-model prefixes) to paths.

    An entry matches a layer whose path equals it, whose name equals it, or
    (for a nested model's or custom layer's path) every layer inside it.
    ``paths`` is the universe to match against (default: the graph paths).

    Raises:
        TypeError: If ``wanted`` is a single string or holds non-strings.
        ValueError: If an entry matches no layer; lists close names.

    """
    if isinstance(wanted, str):
        raise TypeError(
            f"{what}: layers= must be a list of layer names or paths, not a single "
            f"string. Received: layers={wanted!r}; use layers=[{wanted!r}]."
        )
    paths = layer_paths(model) if paths is None else paths
    chosen: set[str] = set()
    for entry in wanted:
        if not isinstance(entry, str):
            raise TypeError(
                f"{what}: layers= entries must be layer names or paths (strings). "
                f"Received: {entry!r} of type {type(entry).__name__}."
            )
        hits = {
            p
            for p in paths
            if p == entry or p.rsplit("/", 1)[-1] == entry or p.startswith(entry + "/")
        }
        if not hits:
            hint = did_you_mean(entry, paths)
            hint = f" {hint}" if hint else ""
            shown = ", ".join(paths[:40]) + (" ..." if len(paths) > 40 else "")
            raise ValueError(
                f"{what}: layers= names a layer that is not in model {model.name!r}: "
                f"{entry!r}.{hint} Layers in the model: {shown}."
            )
        chosen |= hits
    return chosen


# ---------------------------------------------------------------------------
# Swapping


def _fresh_copy(layer: Any, **overrides: Any) -> Any:
    """A new, unbuilt copy of ``layer`` built from its config."""
    config = layer.get_config()
    config.update(overrides)
    return type(layer).from_config(config)


def _check_value(key: Any, value: Any) -> Any:
    """Validate a mapping value; return it in the form used to build layers."""
    if isinstance(value, str):
        canonical = _activation_name(value)
        if canonical == "prelu":
            return klayers.PReLU()
        rec = catalog.ACTIVATIONS.get(canonical)
        return rec.keras_name if rec is not None else canonical
    if isinstance(value, klayers.Layer):
        try:
            _fresh_copy(value)
        except Exception as err:  # noqa: BLE001 - report any from_config failure
            raise ValueError(
                f"swap_activations: the layer given for {key!r} ({value!r}) cannot be "
                "copied with from_config(get_config()); give its get_config() every "
                "__init__ argument (and register the class with "
                f"keras.saving.register_keras_serializable). Error: {err}"
            ) from err
        return value
    if callable(value):
        return value
    raise TypeError(
        f"swap_activations: the replacement for {key!r} must be an activation name "
        "(e.g. 'leaky_relu'), a callable (e.g. keras.activations.gelu) or a Keras "
        "layer (e.g. keras.layers.LeakyReLU(negative_slope=0.1)). Received: "
        f"{value!r} of type {type(value).__name__}."
    )


def _serialized(value: Any) -> Any:
    """An activation value as it appears inside a layer config."""
    if isinstance(value, str):
        return value
    if isinstance(value, klayers.Layer):
        return keras.saving.serialize_keras_object(_fresh_copy(value))
    return keras.activations.serialize(value)


def _callable(value: Any) -> Any:
    """An activation value as an object to assign to ``layer.activation``."""
    if isinstance(value, klayers.Layer):
        return _fresh_copy(value)
    if isinstance(value, str):
        return keras.activations.get(value)
    return value


def _new_layer(node: Any, site: ActivationSite, value: Any, name: str | None = None) -> Any:
    """The replacement layer for one site (unbuilt; same name unless ``name`` is given)."""
    if isinstance(node, klayers.Layer) and _wrapped(node):
        config = node.get_config()
        for key in ("layer", "backward_layer"):
            if config.get(key):
                config[key]["config"]["activation"] = _serialized(value)
        return type(node).from_config(config)
    if site.kind == "argument":
        act = _fresh_copy(value) if isinstance(value, klayers.Layer) else value
        return _fresh_copy(node, activation=act)
    config = node.get_config() if isinstance(node, klayers.Layer) else {}
    dtype = config.get("dtype")
    name = name or node.name
    if isinstance(value, klayers.Layer):
        return _fresh_copy(value, name=name, dtype=dtype)
    return klayers.Activation(value, name=name, dtype=dtype)


def _activation_holders(layer: Any) -> list[Any]:
    """The objects whose ``activation`` attribute a swap sets (RNNs: their cell)."""
    out = []
    for inner in _wrapped(layer) or [layer]:
        out.append(inner.cell if isinstance(inner, klayers.RNN) else inner)
    return out


def _layer_weights(value: Any) -> list[Any]:
    return list(value.weights) if isinstance(value, klayers.Layer) else []


def _activation_weights(layer: Any) -> set[int]:
    """Ids of the weights of ``layer``'s activation when it is a layer (a ``PReLU``)."""
    return {id(w) for h in _activation_holders(layer) for w in _layer_weights(h.activation)}


def _is_replaced_by_layer(site: ActivationSite, layer: Any) -> bool:
    """Sites swapped by replacing the layer object (not by setting ``activation``)."""
    return isinstance(layer, ACTIVATION_LAYERS) and not isinstance(layer, klayers.Activation)


@dataclass
class _Pair:
    """An original graph layer, its clone, and what the swap did to it (internal)."""

    path: str
    old: Any
    new: Any
    replaced: bool = False
    inside: list[tuple[_Found, Any]] | None = None
    drop_old: set[int] | None = None
    drop_new: set[int] | None = None


def _structure_error(pair: _Pair, found: _Found, detail: str) -> ValueError:
    return ValueError(
        f"swap_activations: cannot find the sublayer {found.site.path!r} in the copy of "
        f"custom layer {pair.path!r} ({type(pair.old).__name__}) rebuilt from its "
        f"get_config(): {detail}. Its get_config() must describe the layer fully, so "
        "that from_config(get_config()) builds the same sublayers."
    )


def _locate(pair: _Pair, found: _Found) -> tuple[Any, Any]:
    """The clone's ``(owner, sublayer)`` at ``found.route`` inside ``pair.new``."""
    owner, node = None, pair.new
    for depth, index in enumerate(found.route):
        subs = _keras.sublayers(node)
        if index >= len(subs):
            raise _structure_error(pair, found, f"it has {len(subs)} sublayers at depth {depth}")
        owner, node = node, subs[index]
    if type(node) is not type(found.obj):
        raise _structure_error(
            pair, found, f"found a {type(node).__name__} where a {found.site.layer} was"
        )
    return owner, node


def _bookkeeping(attr: str) -> bool:
    """Attributes where Keras/TF keep their own lists of sublayers (not the layer's wiring)."""
    return attr in ("_layers", "_tracker") or attr.startswith("_self_")


def _replace_attribute(owner: Any, old: Any, new: Any) -> bool:
    """Point the attribute of ``owner`` that holds ``old`` (maybe in a list/dict) to ``new``."""
    held_by = [(a, h) for a, h in vars(owner).items() if not _bookkeeping(a)]
    for attr, held in held_by:
        if held is old:
            with _keras.unlocked(owner):
                setattr(owner, attr, new)
            return True
    for _, held in held_by:
        if isinstance(held, list) and any(item is old for item in held):
            index = next(i for i, item in enumerate(held) if item is old)
            with _keras.unlocked(owner):
                held[index] = new
            return True
        if isinstance(held, dict) and any(item is old for item in held.values()):
            key = next(k for k, item in held.items() if item is old)
            with _keras.unlocked(owner):
                held[key] = new
            return True
    return False


def _patch_inside(pair: _Pair) -> None:
    """Swap the targeted sublayers inside the clone ``pair.new`` (after it is built)."""
    drop_old, drop_new = set(), set()
    for found, value in pair.inside or []:
        owner, sub = _locate(pair, found)
        if _is_replaced_by_layer(found.site, found.obj):
            # Named after its path segment, so the path stays the same in the copy.
            segment = found.site.path.rsplit("/", 1)[-1]
            replacement = _new_layer(sub, found.site, value, name=segment)
            if is_graph_model(owner) or not _replace_attribute(owner, sub, replacement):
                raise ValueError(
                    f"swap_activations: the {found.site.layer} layer {found.site.path!r} "
                    "sits inside a model held by a custom layer (or in an attribute "
                    "actlab cannot find), so it cannot be replaced by another layer. "
                    "Use activation= arguments or Activation layers there, or leave it "
                    "out with layers=."
                )
            _keras.untrack(owner, sub)
            drop_old |= {id(w) for w in found.obj.weights}
            continue
        for old_holder, holder in zip(
            _activation_holders(found.obj), _activation_holders(sub), strict=True
        ):
            drop_old |= {id(w) for w in _layer_weights(old_holder.activation)}
            previous = holder.activation
            with _keras.unlocked(holder):
                holder.activation = _callable(value)
            if isinstance(previous, klayers.Layer):
                _keras.untrack(holder, previous)
            drop_new |= {id(w) for w in _layer_weights(holder.activation)}
    pair.drop_old, pair.drop_new = drop_old, drop_new


def _copy_weights(pair: _Pair) -> None:
    """Assign the original layer's weights to its clone: all of them, or raise."""
    drop_old, drop_new = pair.drop_old or set(), pair.drop_new or set()
    old_ws = [w for w in pair.old.weights if id(w) not in drop_old]
    new_ws = [w for w in pair.new.weights if id(w) not in drop_new]
    what = f"layer {pair.path!r} ({type(pair.old).__name__})"
    if len(old_ws) != len(new_ws):
        raise ValueError(
            f"swap_activations: the copy of {what} has {len(new_ws)} weights but the "
            f"original has {len(old_ws)}, so its weights cannot be copied exactly. "
            "The copy is built with from_config(get_config()): make the layer's "
            "get_config() carry every __init__ argument that decides its weights. "
            f"Original: {[w.path for w in old_ws]}; copy: {[w.path for w in new_ws]}."
        )
    for ov, nv in zip(old_ws, new_ws, strict=True):
        if tuple(ov.shape) != tuple(nv.shape):
            raise ValueError(
                f"swap_activations: weight shapes differ in {what}: the original's "
                f"{ov.path} has shape {tuple(ov.shape)} but the copy's {nv.path} has "
                f"shape {tuple(nv.shape)}. The copy is built with "
                "from_config(get_config()): make get_config() carry every __init__ "
                "argument that decides the weights' shapes."
            )
    for ov, nv in zip(old_ws, new_ws, strict=True):
        nv.assign(ov.value)


def swap_activations(
    model: keras.Model,
    mapping: Mapping[Any, Any],
    *,
    layers: Iterable[str] | None = None,
) -> keras.Model:
    """A copy of ``model`` with activations replaced, every weight kept.

    Keys of ``mapping`` are activations as :func:`find_activations` names them
    (``"relu"``, ``"relu6"``, ``"softmax"``...; aliases such as ``"swish"``,
    a callable or a layer instance are turned into that name). Values are the
    replacements: a name (``"leaky_relu"``), a callable
    (``keras.activations.gelu``) or a layer instance
    (``keras.layers.LeakyReLU(negative_slope=0.1)``; each site gets its own
    copy of it). An ``activation=`` argument gets the new activation as its
    argument; an activation layer or op is replaced by ``Activation(value)``
    or the copy of the given layer, keeping its name, so paths stay valid.
    Inside a custom layer, the layer is copied from its config and the
    targeted sublayers of the copy get the new activation (their
    ``activation`` attribute, or a new activation layer in place of the old).

    Weights: every layer gets the original's weights (copied, not shared);
    if a copy has a different number of weights or a different shape, a
    ``ValueError`` names the layer and nothing is returned. A replaced
    activation layer's own weights (a ``PReLU``'s learned ``alpha``) are
    dropped; a ``PReLU`` put in starts from its initialiser. The result is a
    functional or Sequential model of the same kind as the input, compiled
    with the same configuration if the input was compiled (optimizer state is
    not copied).

    Args:
        model: A Sequential or functional model (nested models, op nodes and
            custom layers are fine). Never modified.
        mapping: ``{old: new}`` activations.
        layers: Restrict the swap to these layer names or paths (a nested
            model's or custom layer's path selects every site inside it).

    Returns:
        A new ``keras.Model``. Where a sublayer of a custom layer was
        swapped and the custom layer's ``get_config()`` does not carry the
        activation, the change lives in this object: saved and loaded again,
        the custom layer is rebuilt from its config with its original
        activation (give its config an activation argument to make the swap
        survive a round trip).

    Raises:
        TypeError: Not a model, a subclassed model without a layer graph, or a
            mapping key/value of the wrong type.
        ValueError: An unknown activation name (with did-you-mean), a mapping
            that matches no site (the message lists what the model contains
            and which custom layers may hide activations in their code), a
            ``layers=`` entry that is not in the model, a matched custom
            layer whose config does not carry ``activation``, or a copy whose
            weights do not match the original's.

    Example:
        >>> new = swap_activations(model, {"relu": "leaky_relu"})  # doctest: +SKIP

    """
    check_model(model, "swap_activations")
    if not isinstance(mapping, Mapping) or not mapping:
        raise TypeError(
            "swap_activations expects a non-empty dict {old activation: new "
            "activation}, e.g. {'relu': 'leaky_relu'}. Received: "
            f"{mapping!r}."
        )
    # 1. Validate everything before building anything.
    found = _find(model)
    sites = [f.site for f in found]
    present = {s.activation for s in sites}
    resolved: dict[str, Any] = {}
    for key, value in mapping.items():
        name = key if isinstance(key, str) and key in present else _describe(key)
        resolved[name] = _check_value(key, value)
    selected = None
    graph_paths = layer_paths(model)
    if layers is not None:
        universe = graph_paths + [s.path for s in sites if s.kind == "sublayer"]
        selected = select_paths(model, layers, what="swap_activations", paths=universe)
    targets = [
        f
        for f in found
        if f.site.activation in resolved and (selected is None or f.site.path in selected)
    ]
    if not targets:
        where = f" in the layers {sorted(selected)}" if selected is not None else ""
        in_scope = [s for s in sites if selected is None or s.path in selected]
        raise ValueError(
            f"swap_activations: the mapping keys {sorted(resolved)} match no activation"
            f"{where} of model {model.name!r}. The model contains: "
            f"{_summary(sites, hidden_code_layers(model))}"
            + (f"; the selected layers contain: {_summary(in_scope)}" if where else "")
            + ". Use one of those names as a key (see actlab.find_activations(model))."
        )
    by_id: dict[int, tuple[ActivationSite, Any]] = {}
    inside: dict[int, list[tuple[_Found, Any]]] = {}
    for f in targets:
        value = resolved[f.site.activation]
        if f.site.kind == "sublayer":
            inside.setdefault(id(f.host), []).append((f, value))
            continue
        if f.site.kind == "argument":
            inner = _wrapped(f.obj)
            config = inner[0].get_config() if inner else f.obj.get_config()
            if "activation" not in config:
                raise ValueError(
                    f"swap_activations: layer {f.site.path!r} ({f.site.layer}) has an "
                    "activation attribute but its get_config() does not include "
                    "'activation', so it cannot be rebuilt with a new one. Add "
                    "'activation': keras.activations.serialize(self.activation) to its "
                    "get_config() (and accept it in __init__)."
                )
        by_id[id(f.obj)] = (f.site, value)
    path_of = {id(node): path for path, node in reversed(list(walk_model(model)))}

    # 2. Clone, rebuilding only the targets (op nodes are copied, never shared).
    pairs: list[_Pair] = []

    def clone_node(node: Any) -> Any:
        target = by_id.get(id(node))
        if target is not None:
            site, value = target
            new = _new_layer(node, site, value)
        elif isinstance(node, klayers.Layer):
            new = type(node).from_config(node.get_config())
        else:
            new = _keras.copy_operation(node)
        if isinstance(node, klayers.Layer):
            pair = _Pair(path_of.get(id(node), node.name), node, new)
            if target is not None:
                pair.replaced = site.kind in ("layer", "op")
                if site.kind == "argument":
                    pair.drop_old = _activation_weights(node)
            pair.inside = inside.get(id(node))
            pairs.append(pair)
        return new

    new_model = keras.models.clone_model(model, clone_function=clone_node, recursive=True)

    # 3. Swap inside custom layers (now built), then copy weights layer by layer.
    for pair in pairs:
        if pair.replaced:
            continue
        if pair.inside:
            _patch_inside(pair)
        elif pair.drop_old is not None:
            pair.drop_new = _activation_weights(pair.new)
        _copy_weights(pair)
    return new_model
