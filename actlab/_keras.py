"""One place that imports Keras quietly, and the one adapter for Keras internals.

:func:`keras` and :func:`tf` import the libraries quietly (TensorFlow
backend, C++ logs off). The rest of this module is the *only* code in actlab
that touches private Keras or TensorFlow attributes. Each function says which
private name it uses, why no public API does the job, and what an upgrade
could break. Everything else in the package goes through these functions.
Each one falls back to a public route where Keras offers one, so that the
oldest supported Keras (3.14, the floor in constraints/oldest.txt) and the newest behave the same.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any


def keras() -> ModuleType:
    """Return the ``keras`` module, importing TensorFlow quietly on first use.

    Sets ``KERAS_BACKEND=tensorflow`` and ``TF_CPP_MIN_LOG_LEVEL=3`` unless the
    user already chose other values, so notebooks do not print TensorFlow's
    C++ start-up notices.
    """
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import keras as _keras

    return _keras


def tf() -> ModuleType:
    """Return the ``tensorflow`` module, imported quietly (see :func:`keras`)."""
    keras()
    import tensorflow as _tf

    return _tf


# ---------------------------------------------------------------------------
# Model graphs


def is_functional(model: Any) -> bool:
    """True for a graph-backed (functional) ``keras.Model``.

    Public: a functional model is both a ``keras.Model`` and a
    ``keras.Function`` (the graph class Keras exports). No private name.
    """
    k = keras()
    return isinstance(model, k.Model) and isinstance(model, k.Function)


def graph(model: Any) -> Any:
    """The graph (a ``keras.Function``) of a functional or Sequential model.

    Private: ``Sequential._functional``. A built Sequential keeps its graph
    there and Keras has no public accessor; ``model.inputs``/``outputs`` are
    public but the nodes (see :func:`calls`) live only on the graph. Returns
    None for a Sequential that was never built (no input shape). Breaks if
    Keras renames the attribute; the tests of surgery and probes would fail.
    """
    if is_functional(model):
        return model
    return getattr(model, "_functional", None)


def operations(model: Any) -> list[Any]:
    """Every operation of the model's graph in order: layers *and* op nodes.

    Public: ``keras.Function.operations`` (slicing ``x[:, 0]`` or a
    ``keras.ops`` call on a symbolic tensor is an operation that is not a
    layer; ``model.layers`` leaves those out). A Sequential has no op nodes,
    so its public ``layers`` is the answer.
    """
    k = keras()
    if isinstance(model, k.Sequential):
        return list(model.layers)
    return list(model.operations)


def calls(model: Any, operation: Any) -> list[Any]:
    """The nodes (calls) of ``operation`` inside ``model``'s graph, in order.

    Private: ``Operation._inbound_nodes`` (every call of a layer or op, in
    any graph) and ``Function._nodes_by_depth`` (the nodes of this graph).
    Keras 3 has no public per-call accessor (``layer.output`` raises for a
    layer called twice). A node's ``input_tensors``/``output_tensors`` are
    plain attributes. Breaks if Keras reorganises its Node bookkeeping.
    """
    in_graph = {id(n) for nodes in graph(model)._nodes_by_depth.values() for n in nodes}
    return [n for n in operation._inbound_nodes if id(n) in in_graph]


def call_count(operation: Any) -> int:
    """How many times ``operation`` was called, in any graph (private ``_inbound_nodes``)."""
    return len(operation._inbound_nodes)


def copy_operation(operation: Any) -> Any:
    """A fresh copy of an operation node that is not a layer (no weights).

    Public first: ``from_config(get_config())``. Fallback, private: a shallow
    copy of its attributes with new, empty ``_inbound_nodes``/``_outbound_nodes`` (an
    operation records its calls there; without the reset the copy would share
    the original's lists and every call of the copy would be written into the
    model actlab was given). Needed for custom ``keras.Operation`` classes
    built with arguments Keras cannot serialise (an array), which have no
    working config. Breaks if Keras renames those two lists.
    """
    try:
        return type(operation).from_config(operation.get_config())
    except (NotImplementedError, TypeError, ValueError):
        twin = object.__new__(type(operation))  # copy.copy pickles, through the config
        twin.__dict__.update(vars(operation))
        twin._inbound_nodes = []
        twin._outbound_nodes = []
        return twin


# ---------------------------------------------------------------------------
# Layers tracked inside custom layers


def sublayers(layer: Any) -> list[Any]:
    """The layers ``layer`` tracks directly (attributes, lists, dicts), in order.

    Private: ``Layer._flatten_layers(include_self=False, recursive=False)``,
    falling back to ``Layer._layers``. Keras 3 exposes ``layers`` only on
    models; a custom layer's sublayers have no public listing. Models use the
    public ``layers``. Breaks if Keras renames its tracker; the sublayer tests
    of surgery would fail.
    """
    k = keras()
    if isinstance(layer, k.Model) and graph(layer) is not None:
        return [s for s in layer.layers if not isinstance(s, k.layers.InputLayer)]
    flatten = getattr(layer, "_flatten_layers", None)
    if flatten is not None:
        return list(flatten(include_self=False, recursive=False))
    return list(getattr(layer, "_layers", []))


@contextlib.contextmanager
def unlocked(layer: Any) -> Iterator[None]:
    """Allow new sublayers on a built layer for the duration of the block.

    Private: ``Layer._tracker.unlock()``/``lock()``. Keras locks a layer's
    state after ``build()``; swapping an activation sublayer of a freshly
    cloned (and built) custom layer needs one assignment past that lock.
    Only ever used on actlab's own copies, never on a model it was given.
    """
    tracker = getattr(layer, "_tracker", None)
    if tracker is None or not getattr(tracker, "locked", False):
        yield
        return
    tracker.unlock()
    try:
        yield
    finally:
        tracker.lock()


def untrack(owner: Any, sublayer: Any) -> None:
    """Forget ``sublayer`` in ``owner``'s list of tracked layers.

    Private: ``Layer._tracker.untrack``. Assigning a new sublayer to an
    attribute tracks the new one but keeps the old one in the list that
    ``weights`` walks; there is no public way to drop it. Used only on
    actlab's own copies.
    """
    tracker = getattr(owner, "_tracker", None)
    if tracker is not None and hasattr(tracker, "untrack"):
        tracker.untrack(sublayer)


# ---------------------------------------------------------------------------
# TensorFlow


def omit_retracing_warning(fn: Any) -> Any:
    """Silence TF's "frequent retracing" warning for one ``tf.function``.

    Private: ``Function._omit_frequent_tracing_warning`` (TensorFlow's own
    opt-out; no public switch). actlab builds one probe function per model
    from the same source, which TF would count as retracing although each is
    traced once. If TF drops the attribute, a warning may reappear; nothing
    else changes.
    """
    fn._omit_frequent_tracing_warning = True
    return fn


def input_shape_argument(layer: object) -> tuple[int, ...] | None:
    """The ``input_shape=`` a layer was created with (the Keras 2 spelling), or None.

    Private Keras internal: ``Layer.__init__`` keeps the argument as
    ``layer._input_shape_arg``; no public API tells a model started with
    ``Dense(..., input_shape=...)`` from one started with ``keras.Input`` (their
    configs are identical). Used by exercise 03 q2 to ask for the Keras 3 spelling.
    If a Keras upgrade renames the attribute, this returns None (the check is skipped).
    """
    shape = getattr(layer, "_input_shape_arg", None)
    return tuple(shape) if shape is not None else None
