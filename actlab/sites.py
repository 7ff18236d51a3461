"""Activation sites: find every activation in a Keras model, and walk its graph.

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
``x[:, 0, :]``, ``keras.ops`` calls): they are walked too, and carry no weights.

Limits: the model (and every nested model) must have a layer graph --
``keras.Sequential`` or functional. A subclassed model's ``call()`` is
Python code whose layers cannot be seen, so it is rejected with an
explanation; nested inside a functional model it is treated as a custom
layer. An activation applied as a plain function inside a custom layer's
``call()`` cannot be seen: :func:`hidden_code_layers` names the layers that
may hide one. :mod:`actlab.surgery` swaps what is found here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import keras
from keras import layers as klayers

from actlab import _keras
from actlab._activation_names import name_of_function, name_of_layer, op_activation
from actlab._validate import did_you_mean

__all__ = ["ActivationSite", "find_activations", "hidden_code_layers", "select_paths"]

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


def wrapped_layers(layer: Any) -> list[Any]:
    """The layers a wrapper applies (``Bidirectional``: forward and backward)."""
    if isinstance(layer, klayers.Bidirectional):
        return [layer.forward_layer, layer.backward_layer]
    if isinstance(layer, klayers.Wrapper):
        return [layer.layer]
    return []


def _site_of(path: str, layer: Any) -> ActivationSite | None:
    if not isinstance(layer, klayers.Layer):
        name = op_activation(layer)
        return None if name is None else ActivationSite(path, type(layer).__name__, "op", name)
    if isinstance(layer, ACTIVATION_LAYERS):
        return ActivationSite(path, type(layer).__name__, "layer", name_of_layer(layer))
    if is_graph_model(layer):
        return None
    inner = wrapped_layers(layer)
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
    name = name_of_layer(act) if isinstance(act, klayers.Layer) else name_of_function(act)
    if name == "linear":
        return None
    return ActivationSite(path, type(layer).__name__, "argument", name)


@dataclass
class LocatedSite:
    """A site and where it lives (for :mod:`actlab.surgery`).

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


def locate_sites(model: Any) -> list[LocatedSite]:
    """Every site of ``model`` (graph, op and sublayer sites), in network order."""
    found: list[LocatedSite] = []
    seen: set[int] = set()
    for path, node in walk_model(model):
        if id(node) in seen:
            continue
        seen.add(id(node))
        site = _site_of(path, node)
        if site is not None:
            found.append(LocatedSite(site, node, node))
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
        if is_bookkeeping_attribute(attr):
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
) -> Iterator[LocatedSite]:
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
            yield LocatedSite(site, sub, host, (*route, i), layer)
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
    return [f.site for f in locate_sites(model)]


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
    with_sites = {f.site.path for f in locate_sites(model)}
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


def is_bookkeeping_attribute(attr: str) -> bool:
    """Attributes where Keras/TF keep their own lists of sublayers (not the layer's wiring)."""
    return attr in ("_layers", "_tracker") or attr.startswith("_self_")
