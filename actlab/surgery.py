"""Model surgery: find every activation in a Keras model and swap them safely.

Assigning to ``model.layers[i]`` changes nothing, and rebuilding a model from
fresh layers throws the trained weights away. :func:`swap_activations` does
it properly: it clones the model's graph (``keras.models.clone_model`` with
``recursive=True``), rebuilds only the layers whose activation changes, and
copies every weight from the original layer to its clone. The model you pass
in is never modified, not even when the call fails.

An activation can be written three ways, and all three are found:

* the ``activation=`` argument of a layer (``Dense``, ``Conv2D``,
  ``SimpleRNN``/``LSTM``/``GRU`` -- their ``activation``, not the gates'
  ``recurrent_activation`` -- also inside ``TimeDistributed``/``Bidirectional``,
  and any custom layer with an ``activation`` attribute) -- ``kind="argument"``;
* an ``Activation`` layer -- ``kind="layer"``;
* an advanced activation layer (``ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``,
  ``Softmax``) -- ``kind="layer"``.

An identity (``linear``) ``activation=`` argument, the default of ``Dense``
and ``Conv2D``, is not reported: nothing is applied there. An explicit
``Activation("linear")`` layer is.

Limits: the model (and every nested model) must have a layer graph --
``keras.Sequential`` or functional. A subclassed model's ``call()`` is
Python code that cannot be copied with new activations, so it is rejected
with an explanation; nested inside a functional model it is treated as one
opaque layer (rebuilt from its config, as ``keras.models.clone_model`` does).
A wrapper (``TimeDistributed(Dense(...))``, ``Bidirectional(LSTM(...))``) is
one site, reported on the wrapper with layer name e.g.
``"Bidirectional(LSTM)"``. The swapped model is compiled like the original
but starts with a fresh optimizer state.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import keras
from keras import layers as klayers

# The graph-backed model class. Sequential is not a subclass of it but keeps
# one inside (``_functional``) once it knows its input shape.
from keras.src.models.functional import Functional  # no public alias in Keras 3

from actlab import catalog

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
        kind: ``"argument"`` (an ``activation=`` argument) or ``"layer"`` (an
            ``Activation`` or advanced activation layer).
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
        return _resolve_name(value)
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


def _resolve_name(name: str) -> str:
    """Canonical name of an activation name; ValueError with did-you-mean if unknown."""
    try:
        return catalog.canonical_name(name)
    except ValueError:
        pass
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key in _keras_names() or key in {"prelu"}:
        return _name_of_function(keras.activations.get(key)) if key != "prelu" else key
    known = sorted({*catalog.names(), *_keras_names(), "prelu"})
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(
        f"Unknown activation name: {name!r}.{hint} Use a name from "
        f"actlab.catalog.names() or keras.activations ({', '.join(known)}), "
        "a callable, or a Keras activation layer instance."
    )


# ---------------------------------------------------------------------------
# Walking a model


def _has_graph(model: Any) -> bool:
    return isinstance(model, Functional) or (
        isinstance(model, keras.Sequential) and getattr(model, "_functional", None) is not None
    )


def _is_graph_model(layer: Any) -> bool:
    """A nested model whose layers we can see (Sequential or functional)."""
    return isinstance(layer, (Functional, keras.Sequential))


def _check_model(model: Any, what: str) -> None:
    """Raise a clear error unless ``model`` is a Keras model with a layer graph."""
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"{what} expects a keras.Model (Sequential or functional). "
            f"Received: {model!r} of type {type(model).__name__}."
        )
    if isinstance(model, keras.Sequential):
        if getattr(model, "_functional", None) is None:
            raise ValueError(
                f"{what}: the Sequential model {model.name!r} has not been built, so "
                "its layers have no input shape and no weights yet. Start it with "
                "keras.Input(shape=...) (e.g. keras.Sequential([keras.Input((784,)), "
                "...])) or call it on a batch of data first."
            )
        return
    if not isinstance(model, Functional):
        raise TypeError(
            f"{what} cannot see inside the subclassed model {model.name!r} "
            f"(class {type(model).__name__}): its layers are wired together in Python "
            "code inside call(), so there is no layer graph to copy or probe. Rebuild "
            "it with the functional API (keras.Input -> layers -> keras.Model(inputs, "
            "outputs)) or as a keras.Sequential, or change the activation where the "
            "layers are created in its __init__ and build a new instance."
        )


def _walk(model: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield ``(path, layer)`` for every layer, depth first, in network order.

    Nested Sequential/functional models are yielded themselves and then their
    layers (paths ``"inner/dense"``). Input layers are skipped.
    """
    for layer in model.layers:
        if isinstance(layer, klayers.InputLayer):
            continue
        path = f"{prefix}{layer.name}"
        yield path, layer
        if _is_graph_model(layer):
            yield from _walk(layer, prefix=f"{path}/")


def _wrapped(layer: Any) -> list[Any]:
    """The layers a wrapper applies (``Bidirectional``: forward and backward)."""
    if isinstance(layer, klayers.Bidirectional):
        return [layer.forward_layer, layer.backward_layer]
    if isinstance(layer, klayers.Wrapper):
        return [layer.layer]
    return []


def _site_of(path: str, layer: Any) -> ActivationSite | None:
    if isinstance(layer, ACTIVATION_LAYERS):
        return ActivationSite(path, type(layer).__name__, "layer", _name_of_layer(layer))
    if _is_graph_model(layer):
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


def find_activations(model: keras.Model) -> list[ActivationSite]:
    """Every place in ``model`` where an activation is applied, in network order.

    Looks at ``activation=`` arguments (including custom layers with an
    ``activation`` attribute), ``Activation`` layers and advanced activation
    layers, inside nested models too. A shared layer is one site.

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
    _check_model(model, "find_activations")
    sites = []
    for path, layer in _walk(model):
        site = _site_of(path, layer)
        if site is not None:
            sites.append(site)
    return sites


def layer_paths(model: keras.Model) -> list[str]:
    """All layer paths of ``model`` (nested models and their layers), in order."""
    return [path for path, _ in _walk(model)]


def _summary(sites: Iterable[ActivationSite]) -> str:
    counts = Counter(s.activation for s in sites)
    if not counts:
        return "no activations at all"
    return ", ".join(
        f"{name} ({n} site{'s' if n != 1 else ''})" for name, n in counts.most_common()
    )


def select_paths(
    model: keras.Model, wanted: Iterable[str], *, what: str, include_models: bool = True
) -> set[str]:
    """Resolve ``layers=`` entries (names, paths, nested-model prefixes) to paths.

    An entry matches a layer whose path equals it, whose name equals it, or
    (for a nested model's path) every layer inside that model.

    Raises:
        TypeError: If ``wanted`` is a single string or holds non-strings.
        ValueError: If an entry matches no layer; lists close names.

    """
    if isinstance(wanted, str):
        raise TypeError(
            f"{what}: layers= must be a list of layer names or paths, not a single "
            f"string. Received: layers={wanted!r}; use layers=[{wanted!r}]."
        )
    paths = layer_paths(model)
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
            close = difflib.get_close_matches(entry, paths, n=3, cutoff=0.5)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
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
        canonical = _resolve_name(value)
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


def _new_layer(layer: Any, site: ActivationSite, value: Any) -> Any:
    """The replacement layer for one site (unbuilt; same name)."""
    if _wrapped(layer):
        config = layer.get_config()
        for key in ("layer", "backward_layer"):
            if config.get(key):
                config[key]["config"]["activation"] = _serialized(value)
        return type(layer).from_config(config)
    if site.kind == "argument":
        act = _fresh_copy(value) if isinstance(value, klayers.Layer) else value
        return _fresh_copy(layer, activation=act)
    dtype = layer.get_config().get("dtype")
    if isinstance(value, klayers.Layer):
        return _fresh_copy(value, name=layer.name, dtype=dtype)
    return klayers.Activation(value, name=layer.name, dtype=dtype)


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
    argument; an activation layer is replaced by ``Activation(value)`` or the
    copy of the given layer, keeping the layer's name, so paths stay valid.

    Weights: every layer that exists in both models gets the original's
    weights (copied, not shared). A replaced activation layer's own weights
    (a ``PReLU``'s learned ``alpha``) are dropped; a ``PReLU`` put in starts
    from its initialiser. The result is a functional or Sequential model of
    the same kind as the input, compiled with the same configuration if the
    input was compiled (optimizer state is not copied).

    Args:
        model: A Sequential or functional model (nested models and custom
            layers whose ``get_config()`` carries ``activation`` are fine).
            Never modified.
        mapping: ``{old: new}`` activations.
        layers: Restrict the swap to these layer names or paths (a nested
            model's path selects every layer inside it).

    Returns:
        A new ``keras.Model``.

    Raises:
        TypeError: Not a model, a subclassed model without a layer graph, or a
            mapping key/value of the wrong type.
        ValueError: An unknown activation name (with did-you-mean), a mapping
            that matches no site (the message lists what the model contains),
            a ``layers=`` entry that is not in the model, or a matched custom
            layer whose config does not carry ``activation``.

    Example:
        >>> new = swap_activations(model, {"relu": "leaky_relu"})  # doctest: +SKIP

    """
    _check_model(model, "swap_activations")
    if not isinstance(mapping, Mapping) or not mapping:
        raise TypeError(
            "swap_activations expects a non-empty dict {old activation: new "
            "activation}, e.g. {'relu': 'leaky_relu'}. Received: "
            f"{mapping!r}."
        )
    # 1. Validate everything before building anything.
    sites = find_activations(model)
    present = {s.activation for s in sites}
    resolved: dict[str, Any] = {}
    for key, value in mapping.items():
        name = key if isinstance(key, str) and key in present else _describe(key)
        resolved[name] = _check_value(key, value)
    selected = None
    if layers is not None:
        selected = select_paths(model, layers, what="swap_activations")
    targets: dict[str, tuple[ActivationSite, Any]] = {}
    for site in sites:
        if site.activation in resolved and (selected is None or site.path in selected):
            targets[site.path] = (site, resolved[site.activation])
    if not targets:
        where = f" in the layers {sorted(selected)}" if selected is not None else ""
        in_scope = [s for s in sites if selected is None or s.path in selected]
        raise ValueError(
            f"swap_activations: the mapping keys {sorted(resolved)} match no activation"
            f"{where} of model {model.name!r}. The model contains: {_summary(sites)}"
            + (f"; the selected layers contain: {_summary(in_scope)}" if where else "")
            + ". Use one of those names as a key (see actlab.find_activations(model))."
        )
    by_id: dict[int, tuple[ActivationSite, Any]] = {}
    for path, layer in _walk(model):
        if path in targets:
            site, value = targets[path]
            inner = _wrapped(layer)
            config = inner[0].get_config() if inner else layer.get_config()
            if site.kind == "argument" and "activation" not in config:
                raise ValueError(
                    f"swap_activations: layer {path!r} ({site.layer}) has an activation "
                    "attribute but its get_config() does not include 'activation', so "
                    "it cannot be rebuilt with a new one. Add "
                    "'activation': keras.activations.serialize(self.activation) to its "
                    "get_config() (and accept it in __init__)."
                )
            by_id[id(layer)] = (site, value)

    # 2. Clone, rebuilding only the target layers.
    pairs: list[tuple[Any, Any, bool]] = []

    def clone_layer(layer: Any) -> Any:
        target = by_id.get(id(layer))
        if target is None:
            new = type(layer).from_config(layer.get_config())
            pairs.append((layer, new, False))
        else:
            site, value = target
            new = _new_layer(layer, site, value)
            pairs.append((layer, new, site.kind == "layer"))
        return new

    new_model = keras.models.clone_model(model, clone_function=clone_layer, recursive=True)

    # 3. Copy weights layer by layer (not by flat order: layer sets may differ).
    for old, new, replaced in pairs:
        if replaced:
            continue
        _copy_weights(old, new)
    return new_model


def _copy_weights(old: Any, new: Any) -> None:
    """Assign ``old``'s weights to ``new`` (same order; a trailing activation may differ)."""
    for ov, nv in zip(old.weights, new.weights, strict=False):
        if tuple(ov.shape) != tuple(nv.shape):
            raise ValueError(
                f"swap_activations: internal weight mismatch in layer {old.name!r}: "
                f"{ov.path} has shape {tuple(ov.shape)} but the rebuilt layer's "
                f"{nv.path} has shape {tuple(nv.shape)}."
            )
        nv.assign(ov.value)
