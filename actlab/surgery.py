"""Model surgery: swap the activations of a Keras model safely, every weight kept.

Assigning to ``model.layers[i]`` changes nothing, and rebuilding a model from
fresh layers throws the trained weights away. :func:`swap_activations` does
it properly: it clones the model's graph (``keras.models.clone_model`` with
``recursive=True``), rebuilds only what changes, and copies every weight from
the original layer to its clone -- all of them, or it raises an error naming
the layer. The model you pass in is never modified, not even when the call
fails.

Finding the activations is :mod:`actlab.sites`'s job
(:func:`find_activations`, :class:`ActivationSite`, re-exported here).

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

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import keras
from keras import layers as klayers

from actlab import _keras, catalog
from actlab._activation_names import activation_name, describe
from actlab.sites import (
    ACTIVATION_LAYERS,
    ActivationSite,
    LocatedSite,
    check_model,
    find_activations,
    hidden_code_layers,
    is_bookkeeping_attribute,
    is_graph_model,
    layer_paths,
    locate_sites,
    select_paths,
    walk_model,
    wrapped_layers,
)

__all__ = ["ActivationSite", "find_activations", "swap_activations"]


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
        canonical = activation_name(value)
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
    if isinstance(node, klayers.Layer) and wrapped_layers(node):
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
    for inner in wrapped_layers(layer) or [layer]:
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
    inside: list[tuple[LocatedSite, Any]] | None = None
    drop_old: set[int] | None = None
    drop_new: set[int] | None = None


def _structure_error(pair: _Pair, found: LocatedSite, detail: str) -> ValueError:
    return ValueError(
        f"swap_activations: cannot find the sublayer {found.site.path!r} in the copy of "
        f"custom layer {pair.path!r} ({type(pair.old).__name__}) rebuilt from its "
        f"get_config(): {detail}. Its get_config() must describe the layer fully, so "
        "that from_config(get_config()) builds the same sublayers."
    )


def _locate(pair: _Pair, found: LocatedSite) -> tuple[Any, Any]:
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


def _replace_attribute(owner: Any, old: Any, new: Any) -> bool:
    """Point the attribute of ``owner`` that holds ``old`` (maybe in a list/dict) to ``new``."""
    held_by = [(a, h) for a, h in vars(owner).items() if not is_bookkeeping_attribute(a)]
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
    found = locate_sites(model)
    sites = [f.site for f in found]
    present = {s.activation for s in sites}
    resolved: dict[str, Any] = {}
    for key, value in mapping.items():
        name = key if isinstance(key, str) and key in present else describe(key)
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
    inside: dict[int, list[tuple[LocatedSite, Any]]] = {}
    for f in targets:
        value = resolved[f.site.activation]
        if f.site.kind == "sublayer":
            inside.setdefault(id(f.host), []).append((f, value))
            continue
        if f.site.kind == "argument":
            inner = wrapped_layers(f.obj)
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
