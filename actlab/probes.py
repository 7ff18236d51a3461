"""Probes: look inside a trained model without changing it.

* :func:`get_activations` -- the outputs of chosen layers for some inputs;
* :func:`gradient_norms` -- per-layer gradient norms of the loss;
* :func:`dead_units` -- the fraction of units that never fire, per activation site.

Each model gets its probe (a multi-output ``keras.Model`` over the requested
layers, wrapped in a ``tf.function`` with a batch-size-agnostic signature)
built once and cached. The cache is keyed weakly on the model, so deleting the
model frees its probes. Inputs are processed in batches of ``batch_size``, so
memory stays bounded for the model's activations; :func:`dead_units` keeps only
running per-unit maxima and never holds all activations at once.

Layers inside nested models are reported under their path
(``"inner/dense"``). A layer called more than once in the graph (a shared
layer) gets one entry per call: ``"dense"``, ``"dense@1"``, ...; a layer with
several outputs gets ``"lstm#0"``, ``"lstm#1"``, ... Operation nodes of a
functional graph that are not layers (``x[:, 0, :]`` is a ``GetItem`` node,
``keras.ops`` calls on symbolic tensors) are probed like layers, under their
names (``"get_item"``).

``x`` is what ``model.predict`` takes: an array for a single-input model, a
list of arrays in the order of ``model.inputs``, or a dict keyed by input
name (the model's own keys for a model built on a dict of inputs). A wrong
structure gets an error that shows the expected one, names and shapes.

Limits: the model must be Sequential or functional (a subclassed model has no
graph to probe). The outputs of sublayers inside a custom layer are not
part of the graph and cannot be probed. Probing inside a nested model runs that nested model's
layers a second time within the probe (its own graph is reused, the input
model's graph is never extended), so nested probes cost a little more. All
probes run in inference mode (``training=False``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import layers as klayers

from actlab import _keras
from actlab._validate import check_int
from actlab.sites import (
    check_model,
    find_activations,
    hidden_code_layers,
    is_graph_model,
    layer_paths,
    select_paths,
    walk_model,
)

__all__ = ["dead_units", "get_activations", "gradient_norms"]


# ---------------------------------------------------------------------------
# Probe construction


@dataclass
class _Probe:
    """A built probe: the multi-output model, its traced runner and output keys."""

    model: keras.Model
    run: Callable[..., Any]
    keys: list[str]
    order: list[int]  # indices into keys, in network order


#: model -> {selection: _Probe}. Weak keys: a deleted model frees its probes.
_PROBES: weakref.WeakKeyDictionary[Any, dict[Any, _Probe]] = weakref.WeakKeyDictionary()
#: model -> {(loss, y spec): (gradient tf.function, layer paths)}; the function
#: holds only a weak reference to the model.
_GRADS: weakref.WeakKeyDictionary[Any, dict[Any, tuple[Callable[..., Any], list[str]]]] = (
    weakref.WeakKeyDictionary()
)
#: How many probes / gradient functions were built (tests check the caching).
BUILD_COUNT = {"probe": 0, "gradients": 0}


def _cache_for(cache: weakref.WeakKeyDictionary[Any, dict[Any, Any]], model: Any) -> dict:
    """The model's entry in ``cache``, emptied if its graph changed since.

    A Sequential model gets a new graph when layers are added or popped; its
    old probes would miss the new layers.
    """
    per_model = cache.setdefault(model, {})
    graph = _graph(model)
    known = per_model.get("graph")
    if known is None or known() is not graph:
        per_model.clear()
        per_model["graph"] = weakref.ref(graph)  # weak: for functional models graph is model
    return per_model


def _graph(model: Any) -> Any:
    """The functional graph of a Sequential or functional model."""
    return _keras.graph(model)


def _single(tensors: Sequence[Any]) -> Any:
    return tensors[0] if len(tensors) == 1 else list(tensors)


def _build_level(model: Any, wanted: set[str], prefix: str) -> tuple[keras.Model, list[str]]:
    """A multi-output model from ``model``'s inputs to the wanted layers' outputs.

    Nested models that contain wanted layers get their own probe, called on
    the nested model's input tensors, so the result is one model.
    """
    outputs: list[Any] = []
    keys: list[str] = []
    nested: list[tuple[Any, str, Any]] = []
    for layer in _keras.operations(model):
        if isinstance(layer, klayers.InputLayer):
            continue
        path = f"{prefix}{layer.name}"
        calls = _keras.calls(model, layer)
        inner_wanted = is_graph_model(layer) and any(w.startswith(path + "/") for w in wanted)
        for i, node in enumerate(calls):
            suffix = "" if i == 0 else f"@{i}"
            if path in wanted:
                for j, t in enumerate(node.output_tensors):
                    keys.append(
                        f"{path}{suffix}" + (f"#{j}" if len(node.output_tensors) > 1 else "")
                    )
                    outputs.append(t)
            if inner_wanted:
                nested.append((layer, suffix, node))
    graph_inputs = list(model.inputs)
    if not nested:
        return keras.Model(graph_inputs, outputs), keys
    n_own = len(outputs)
    feeds = [list(node.input_tensors) for _, _, node in nested]
    level = keras.Model(graph_inputs, outputs + [t for f in feeds for t in f])
    fresh = [keras.Input(batch_shape=t.shape, dtype=t.dtype) for t in graph_inputs]
    level_out = level(fresh)
    level_out = level_out if isinstance(level_out, (list, tuple)) else [level_out]
    final_outputs = list(level_out[:n_own])
    pos = n_own
    for (layer, suffix, _), feed in zip(nested, feeds, strict=True):
        sub, sub_keys = _build_level(layer, wanted, prefix=f"{prefix}{layer.name}/")
        sub_in = list(level_out[pos : pos + len(feed)])
        pos += len(feed)
        sub_out = sub(sub_in)
        sub_out = sub_out if isinstance(sub_out, (list, tuple)) else [sub_out]
        final_outputs.extend(sub_out)
        keys.extend(f"{k}{suffix}" for k in sub_keys)
    return keras.Model(fresh, final_outputs), keys


def _probe(model: keras.Model, paths: tuple[str, ...]) -> _Probe:
    """The cached probe of ``model`` for the layer paths ``paths``."""
    per_model = _cache_for(_PROBES, model)
    cached = per_model.get(paths)
    if cached is not None:
        return cached
    built, keys = _build_level(model, set(paths), prefix="")
    order = {p: i for i, p in enumerate(layer_paths(model))}
    signature = [tf.TensorSpec(shape=(None, *t.shape[1:]), dtype=t.dtype) for t in built.inputs]

    @tf.function(input_signature=signature, autograph=False)
    def run(*xs: Any) -> Any:
        out = built(list(xs), training=False)
        return out if isinstance(out, (list, tuple)) else [out]

    # Network order: by layer position, then call / output order (as collected).
    ranked = sorted(range(len(keys)), key=lambda i: (order[_base(keys[i])], i))
    probe = _Probe(built, _keras.omit_retracing_warning(run), keys, ranked)
    BUILD_COUNT["probe"] += 1
    per_model[paths] = probe
    return probe


def _base(key: str) -> str:
    return key.split("@", 1)[0].split("#", 1)[0]


# ---------------------------------------------------------------------------
# Input checks


def _shape_text(tensor: Any) -> str:
    return "(batch, " + ", ".join(str(d) for d in tuple(tensor.shape)[1:]) + ")"


def _input_keys(model: keras.Model) -> list[str]:
    """The dict key of each of ``model.inputs``: the model's own keys, else input names."""
    struct = _graph(model).input
    if isinstance(struct, Mapping):
        key_of = {id(t): k for k, t in struct.items()}
        return [key_of.get(id(t), t.name) for t in model.inputs]
    return [t.name for t in model.inputs]


def expected_inputs(model: keras.Model) -> str:
    """The structure of ``x`` that ``model`` expects, as text (names and shapes)."""
    inputs = list(model.inputs)
    keys = _input_keys(model)
    if isinstance(_graph(model).input, Mapping):
        inner = ", ".join(f"{k!r}: {_shape_text(t)}" for k, t in zip(keys, inputs, strict=True))
        return f"a dict {{{inner}}}"
    if len(inputs) == 1:
        return f"an array of shape {_shape_text(inputs[0])} (input {keys[0]!r})"
    inner = ", ".join(f"{k!r} {_shape_text(t)}" for k, t in zip(keys, inputs, strict=True))
    return f"a list of {len(inputs)} arrays [{inner}] or a dict keyed by those input names"


def _structure_error(model: keras.Model, what: str, received: str) -> ValueError:
    return ValueError(
        f"{what}: x does not match the inputs of model {model.name!r}: it expects "
        f"{expected_inputs(model)}. Received {received}."
    )


def _describe_x(x: Any) -> str:
    if isinstance(x, Mapping):
        return f"a dict with keys {sorted(map(str, x))}"
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of {len(x)} items"
    return f"an object of type {type(x).__name__}"


def _split_inputs(model: keras.Model, x: Any, what: str) -> list[Any]:
    """``x`` (array, list or dict, as ``model.predict`` takes it) as one item per input."""
    inputs = list(model.inputs)
    keys = _input_keys(model)
    if isinstance(x, Mapping):
        names = [t.name for t in inputs]
        chosen = []
        for key, name in zip(keys, names, strict=True):
            if key in x:
                chosen.append(x[key])
            elif name in x:
                chosen.append(x[name])
            else:
                raise _structure_error(model, what, f"{_describe_x(x)}; {key!r} is missing")
        unknown = sorted(str(k) for k in x if k not in keys and k not in names)
        if unknown:
            raise _structure_error(model, what, f"{_describe_x(x)}; unknown keys {unknown}")
        return chosen
    if isinstance(x, (list, tuple)):
        if len(inputs) > 1:
            if len(x) != len(inputs):
                raise _structure_error(model, what, _describe_x(x))
            return list(x)
        if len(x) == 1 and np.ndim(x[0]) == len(inputs[0].shape):
            return [x[0]]  # [array] for a single-input model, as model.predict takes it
        return [x]
    if len(inputs) > 1:
        raise _structure_error(model, what, f"one array of shape {np.shape(x)}")
    return [x]


def pack_inputs(model: keras.Model, xs: Sequence[Any]) -> Any:
    """One item per ``model.inputs`` back into the structure the model is called with."""
    struct = _graph(model).input
    if isinstance(struct, Mapping):
        return dict(zip(_input_keys(model), xs, strict=True))
    return xs[0] if len(xs) == 1 else list(xs)


def _as_inputs(model: keras.Model, x: Any, what: str) -> list[Any]:
    """``x`` as a list of inputs (cast per batch) matching ``model.inputs``; clear errors."""
    inputs = list(model.inputs)
    xs = _split_inputs(model, x, what)
    out = []
    for arr, spec in zip(xs, inputs, strict=True):
        if isinstance(arr, (Mapping, list, tuple)) and len(inputs) > 1:
            raise _structure_error(model, what, f"{_describe_x(x)} holding {_describe_x(arr)}")
        a = arr.numpy() if hasattr(arr, "numpy") else np.asarray(arr)
        if a.dtype.kind not in "biuf":
            raise TypeError(
                f"{what}: x must hold numbers (the model input {spec.name!r} is "
                f"{spec.dtype}). Received an array of dtype {a.dtype}. Convert it "
                "first, e.g. x = np.asarray(x, dtype='float32')."
            )
        expected = tuple(spec.shape)
        if a.ndim != len(expected) or any(
            e is not None and e != r for e, r in zip(expected[1:], a.shape[1:], strict=False)
        ):
            shown = "(batch, " + ", ".join(str(d) for d in expected[1:]) + ")"
            hint = ""
            if a.ndim == len(expected) - 1:
                hint = " For a single sample add a batch axis: x[None]."
            where = f" for input {spec.name!r}" if len(inputs) > 1 else ""
            raise ValueError(
                f"{what}: x has the wrong shape{where} of model {model.name!r}: the model "
                f"expects {shown}, received {a.shape}.{hint}"
            )
        # Cast batch by batch later (_batches): no full-size copy of a large x.
        out.append(_Cast(a, spec.dtype))
    n = {len(a) for a in out}
    if len(n) != 1:
        raise ValueError(f"{what}: the arrays in x have different lengths: {sorted(n)}.")
    if next(iter(n)) == 0:
        raise ValueError(f"{what}: x is empty (0 samples); pass at least one sample.")
    return out


def _check_batch_size(batch_size: int, what: str) -> int:
    try:
        return check_int("batch_size", batch_size, low=1)
    except ValueError as err:
        raise ValueError(f"{what}: {err}") from None


class _Cast:
    """An input array and the dtype the model wants, cast one batch at a time."""

    def __init__(self, array: np.ndarray, dtype: str) -> None:
        self.array = array
        self.dtype = dtype

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, index: slice) -> np.ndarray:
        return self.array[index].astype(self.dtype, copy=False)


def _batches(xs: list[Any], batch_size: int) -> Iterator[tuple[int, list[np.ndarray]]]:
    n = len(xs[0])
    for start in range(0, n, batch_size):
        yield start, [a[start : start + batch_size] for a in xs]


def _resolve_layers(model: keras.Model, layers: Iterable[str] | None, what: str) -> tuple[str, ...]:
    paths = layer_paths(model)
    if layers is None:
        leaves = {p for p, layer in walk_model(model) if not is_graph_model(layer)}
        return tuple(p for p in paths if p in leaves)
    chosen = select_paths(model, layers, what=what)
    # A nested model's own name selects the model's output *and* its layers.
    return tuple(p for p in paths if p in chosen)


def _iter_outputs(
    model: keras.Model, x: Any, layers: Iterable[str] | None, batch_size: int, what: str
) -> tuple[_Probe, int, Iterator[tuple[int, list[Any]]]]:
    """The probe, the number of samples, and ``(start, output tensors)`` per batch."""
    check_model(model, what)
    batch_size = _check_batch_size(batch_size, what)
    xs = _as_inputs(model, x, what)
    probe = _probe(model, _resolve_layers(model, layers, what))

    def gen() -> Iterator[tuple[int, list[Any]]]:
        for start, batch in _batches(xs, batch_size):
            yield start, probe.run(*[tf.convert_to_tensor(b) for b in batch])

    return probe, len(xs[0]), gen()


def _buffer(tensor: Any) -> Any:
    """The tensor's memory without a copy where possible (else a NumPy copy)."""
    try:
        return memoryview(tensor)
    except (TypeError, ValueError, BufferError):  # e.g. bfloat16 has no buffer format
        return tensor.numpy()


def get_activations(
    model: keras.Model,
    x: Any,
    *,
    layers: Iterable[str] | None = None,
    batch_size: int = 256,
) -> dict[str, np.ndarray]:
    """The outputs of the model's layers for inputs ``x`` (inference mode).

    One forward pass per batch through a probe model built once per model
    and layer selection and cached (weakly: it is freed with the model).

    Args:
        model: A Sequential or functional model (not modified).
        x: Inputs as ``model.predict`` takes them: an array ``(n, ...)``, a
            list of arrays (one per input) or a dict keyed by input name.
        layers: Layer names or paths (``"inner/dense"``); a nested model's
            path selects its output and all its layers. Default: every layer
            and operation node that is not itself a model (nested ones
            included).
        batch_size: Samples per forward pass.

    Returns:
        ``{path: array (n, ...)}`` in network order. A shared layer has one
        entry per call (``"dense"``, ``"dense@1"``).

    Raises:
        TypeError: Not a model, a subclassed model without a graph, or ``x``
            that does not hold numbers.
        ValueError: ``x`` of the wrong shape, an unknown layer name, or a bad
            ``batch_size``.

    """
    probe, n, outs = _iter_outputs(model, x, layers, batch_size, "get_activations")
    results: list[np.ndarray] = []
    for start, batch_out in outs:
        if not results:
            results = [np.empty((n, *o.shape[1:]), dtype=o.dtype.as_numpy_dtype) for o in batch_out]
        for res, o in zip(results, batch_out, strict=True):
            res[start : start + o.shape[0]] = _buffer(o)
    return {probe.keys[i]: results[i] for i in probe.order}


def dead_units(model: keras.Model, x: Any, *, threshold: float = 0.0) -> dict[str, float]:
    """Per activation site, the fraction of dead units.

    A unit (an index on the last axis: a neuron of a ``Dense`` layer, a
    channel of a ``Conv2D``) is dead when its output is ``<= threshold`` for
    every sample of ``x`` (and every position, for convolutions):
    ``dead = mean_over_units(max_over_samples(output) <= threshold)``. For an
    ``activation=`` argument the layer's output is already post-activation.
    A shared layer's unit is dead only if it is dead in every call.

    Args:
        model: A Sequential or functional model (not modified).
        x: Inputs, as for :func:`get_activations`.
        threshold: Outputs ``<= threshold`` count as "not firing".

    Returns:
        ``{site path: fraction in [0, 1]}`` for every site of
        :func:`actlab.find_activations` in the model's graph, in network
        order. Sites inside custom layers (``kind="sublayer"``) are left out:
        their outputs are not part of the graph.

    Raises:
        ValueError: As :func:`get_activations`; also when the model has no
            activation sites.

    """
    check_model(model, "dead_units")
    all_sites = find_activations(model)
    sites = [s for s in all_sites if s.kind != "sublayer"]
    if not sites:
        inside = [s.path for s in all_sites]
        hidden = hidden_code_layers(model)
        if inside:
            detail = (
                "its activations are all inside custom layers ("
                + ", ".join(inside[:10])
                + "), whose outputs are not part of the model's graph. Probe the "
                "custom layer's own sublayers in a small model built from them"
            )
        elif hidden:
            detail = (
                "no activation can be seen from outside; the custom layers "
                + ", ".join(repr(h) for h in hidden[:10])
                + " may apply activations inside their call() code"
            )
        else:
            detail = (
                "it has no activations at all (no activation= arguments other than "
                "linear, no activation layers or ops)"
            )
        raise ValueError(
            f"dead_units: model {model.name!r} has no activation sites to check: {detail}."
        )
    probe, _, outs = _iter_outputs(model, x, [s.path for s in sites], 256, "dead_units")
    maxima: dict[str, np.ndarray] = {}
    for _, batch_out in outs:
        for key, o in zip(probe.keys, batch_out, strict=True):
            flat = tf.reshape(o, (-1, o.shape[-1])) if o.shape.rank > 1 else tf.reshape(o, (-1, 1))
            m = tf.reduce_max(flat, axis=0).numpy()
            base = _base(key)
            maxima[base] = m if base not in maxima else np.maximum(maxima[base], m)
    return {s.path: float(np.mean(maxima[s.path] <= threshold)) for s in sites}


# ---------------------------------------------------------------------------
# Gradient norms


def _kernels(model: keras.Model) -> tuple[list[str], list[Any]]:
    """``(paths, first trainable weight)`` of every layer with trainable weights."""
    paths, kernels, seen = [], [], set()
    for path, layer in walk_model(model, ops=False):
        if is_graph_model(layer) or id(layer) in seen:
            continue
        seen.add(id(layer))
        if layer.trainable_weights:
            paths.append(path)
            kernels.append(layer.trainable_weights[0])
    return paths, kernels


def _per_sample_loss(loss: Any) -> Callable[[Any, Any], Any]:
    obj = keras.losses.get(loss) if isinstance(loss, (str, dict)) else loss
    if isinstance(obj, keras.losses.Loss):
        return obj.call
    return obj


def _loss_fn(model: keras.Model, loss: Any) -> Callable[[Any, Any], Any]:
    """The mean loss ``loss(y, y_pred)`` to differentiate (compiled one by default)."""
    if loss is None:
        loss = getattr(model, "loss", None)
        if loss is None:
            raise ValueError(
                f"gradient_norms: model {model.name!r} has no compiled loss and no "
                "loss= was given. Compile it (model.compile(loss=...)) or pass "
                "loss=, e.g. loss='sparse_categorical_crossentropy'."
            )
    if isinstance(loss, (list, tuple)) or (isinstance(loss, dict) and "class_name" not in loss):
        raise ValueError(
            "gradient_norms needs one loss for one output; received a "
            f"{type(loss).__name__} of losses ({loss!r}). Pass loss= with a single loss."
        )
    try:
        per_sample = _per_sample_loss(loss)
    except ValueError as err:
        raise ValueError(f"gradient_norms: unknown loss {loss!r}: {err}") from err
    if not callable(per_sample):
        raise TypeError(
            f"gradient_norms: loss must be a loss name, a keras.losses.Loss or a "
            f"callable(y_true, y_pred). Received: {loss!r}."
        )

    def mean_loss(y_true: Any, y_pred: Any) -> Any:
        return keras.ops.mean(per_sample(y_true, y_pred))

    return mean_loss


def _grad_runner(
    model: keras.Model, loss: Any, y: np.ndarray
) -> tuple[Callable[..., Any], list[str]]:
    """A traced ``(xs, y) -> gradients`` for ``model``, cached weakly per model.

    One function per (loss, target spec); it holds only a weak reference to
    the model, so the cache does not keep the model alive.
    """
    key = (
        loss if isinstance(loss, (str, type(None))) else id(loss),
        y.dtype.str,
        y.shape[1:],
    )
    per_model = _cache_for(_GRADS, model)
    if key in per_model:
        return per_model[key]
    paths, kernels = _kernels(model)
    mean_loss = _loss_fn(model, loss)
    ref = weakref.ref(model)
    x_spec = [tf.TensorSpec(shape=(None, *t.shape[1:]), dtype=t.dtype) for t in model.inputs]
    y_spec = tf.TensorSpec(shape=(None, *y.shape[1:]), dtype=y.dtype)

    @tf.function(input_signature=[x_spec, y_spec], autograph=False)
    def grads(xs: list[Any], y_true: Any) -> list[Any]:
        m = ref()
        with tf.GradientTape() as tape:
            pred = m(pack_inputs(m, xs), training=False)
            value = mean_loss(y_true, pred)
        return tape.gradient(value, kernels)

    BUILD_COUNT["gradients"] += 1
    per_model[key] = (_keras.omit_retracing_warning(grads), paths)
    return per_model[key]


def gradient_norms(
    model: keras.Model,
    x: Any,
    y: Any,
    *,
    loss: Any = None,
    batch_size: int = 256,
) -> dict[str, float]:
    """Per layer with weights, the gradient norm of the mean loss over ``x``.

    ``norm = ||d mean_i loss(y_i, model(x_i)) / d kernel||_2`` where ``kernel``
    is the layer's first trainable weight. The model runs in inference mode
    (``training=False``: dropout off, batch norm uses its moving statistics
    and is not updated). Batches are combined weighted by their size, so the
    result equals the full-batch gradient whatever ``batch_size`` is.

    Args:
        model: A Sequential or functional model (not modified).
        x: Inputs, as for :func:`get_activations`.
        y: Targets, one per sample of ``x``.
        loss: A loss name, ``keras.losses.Loss`` or ``callable(y_true,
            y_pred)``; the model's compiled loss when None.
        batch_size: Samples per gradient computation.

    Returns:
        ``{layer path: norm}`` in network order; a layer whose kernel gets no
        gradient (it does not affect the loss) has norm 0.

    Raises:
        ValueError: ``y`` missing or of the wrong length, no compiled loss and
            no ``loss=``, ``x`` of the wrong shape, a bad ``batch_size``.
        TypeError: As :func:`get_activations`.

    """
    what = "gradient_norms"
    check_model(model, what)
    batch_size = _check_batch_size(batch_size, what)
    if y is None:
        raise ValueError(
            "gradient_norms: y is required (the targets the loss compares the "
            "predictions with), one per sample of x. Received: y=None."
        )
    xs = _as_inputs(model, x, what)
    ya = y.numpy() if hasattr(y, "numpy") else np.asarray(y)
    if ya.ndim == 0:
        raise ValueError(
            f"gradient_norms: y must have one target per sample of x. Received a scalar: {y!r}."
        )
    if ya.dtype.kind not in "biuf":
        raise TypeError(f"gradient_norms: y must hold numbers. Received dtype {ya.dtype}.")
    n = len(xs[0])
    if len(ya) != n:
        raise ValueError(
            f"gradient_norms: x has {n} samples but y has {len(ya)}; pass one target per sample."
        )
    n_outputs = len(model.outputs)
    if n_outputs != 1:
        raise ValueError(
            f"gradient_norms: model {model.name!r} has {n_outputs} outputs; it needs a "
            "single-output model. Probe one output with e.g. "
            "keras.Model(model.inputs, model.outputs[0])."
        )
    run, paths = _grad_runner(model, loss, ya)
    if not paths:
        raise ValueError(f"gradient_norms: model {model.name!r} has no trainable weights.")
    total: list[Any] | None = None
    for start, batch in _batches(xs, batch_size):
        yb = ya[start : start + batch_size]
        try:
            g = run([tf.convert_to_tensor(b) for b in batch], tf.convert_to_tensor(yb))
        except (ValueError, TypeError, tf.errors.InvalidArgumentError) as err:
            out_shape = tuple(model.outputs[0].shape)
            raise ValueError(
                f"gradient_norms: the loss could not compare y (shape {ya.shape}, dtype "
                f"{ya.dtype}) with the model's output (shape {out_shape}). Check that y "
                "matches the loss (e.g. integer labels for sparse_categorical_crossentropy, "
                f"one-hot rows for categorical_crossentropy). Error: {err}"
            ) from err
        w = len(yb) / n
        scaled = [None if gi is None else gi * w for gi in g]
        total = (
            scaled
            if total is None
            else [
                a if b is None else (b if a is None else a + b)
                for a, b in zip(total, scaled, strict=True)
            ]
        )
    assert total is not None
    return {
        p: (0.0 if g is None else float(tf.norm(g).numpy()))
        for p, g in zip(paths, total, strict=True)
    }
