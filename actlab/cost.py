"""Compute cost: what one activation costs on a large tensor, forward and backward.

:func:`time_activation` / :func:`time_activations` time each activation
compiled with ``tf.function``, after a warm-up, as the median of several
interleaved repeats; :class:`CostTable` shows the milliseconds relative to a
baseline (text, Markdown and HTML).
"""

from __future__ import annotations

import logging
import math
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from actlab import catalog
from actlab._keras import tf
from actlab._tables import Table
from actlab._validate import check_int, check_int_sequence

__all__ = ["DENSE_ROW", "CostTable", "time_activation", "time_activations"]

DENSE_ROW = "dense matmul"
"""Row label of the Dense layer's matrix product in :func:`time_activations`."""


def _check_timing_args(shape: Any, repeats: Any, warmup: Any) -> tuple[tuple[int, ...], int, int]:
    shape = check_int_sequence("shape", shape, example="(4096, 1024)")
    repeats = check_int("repeats", repeats, low=1)
    warmup = check_int("warmup", warmup, low=0)
    return shape, repeats, warmup


def _compiled_pair(fn: Callable[[Any], Any]) -> tuple[Any, Any]:
    """``tf.function``-compiled forward ``f(v)`` and forward+backward ``(f(v), df/dv)``."""
    t = tf()

    @t.function
    def forward(v: Any) -> Any:
        return fn(v)

    @t.function
    def forward_backward(v: Any) -> Any:
        with t.GradientTape() as tape:
            tape.watch(v)
            y = fn(v)
        # Return the output too: a training step needs both. Returning the gradient
        # alone would let TensorFlow prune the forward pass whenever the gradient does
        # not read f's output (x * 2: a constant; leaky_relu: its gradient reads x),
        # and "forward + backward" would time the backward pass alone.
        return y, tape.gradient(y, v)  # upstream ones: the gradient of sum(f(v))

    return forward, forward_backward


def _measure(
    funcs: Mapping[str, Callable[[Any], Any]],
    shape: tuple[int, ...],
    repeats: int,
    warmup: int,
) -> dict[str, dict[str, float]]:
    """Time every function's forward and forward+backward, interleaved.

    The repeats go round-robin over the functions (relu, tanh, relu, tanh,
    ...), so a slow moment of the machine (another process, frequency
    scaling) hits them all alike instead of one of them.
    """
    t = tf()
    x = t.random.stateless_normal(shape, seed=(1, 2))
    compiled = {label: _compiled_pair(fn) for label, fn in funcs.items()}
    # Tracing one tf.function per activation is intended here: silence TF's
    # "N out of the last N calls triggered tf.function retracing" warning.
    tf_logger = logging.getLogger("tensorflow")
    level = tf_logger.level
    tf_logger.setLevel(logging.ERROR)
    try:
        for _ in range(max(warmup, 1)):  # at least once: tracing is not what we measure
            for forward, forward_backward in compiled.values():
                forward(x)
                forward_backward(x)
    finally:
        tf_logger.setLevel(level)
    samples: dict[str, dict[str, list[float]]] = {
        label: {"forward_ms": [], "forward_backward_ms": []} for label in compiled
    }
    for _ in range(repeats):
        for label, (forward, forward_backward) in compiled.items():
            for key, f in (("forward_ms", forward), ("forward_backward_ms", forward_backward)):
                start = time.perf_counter()
                f(x)  # eager CPU execution is synchronous: the result is ready here
                samples[label][key].append((time.perf_counter() - start) * 1e3)
    out = {}
    for label, sample in samples.items():
        fwd = statistics.median(sample["forward_ms"])
        both = statistics.median(sample["forward_backward_ms"])
        out[label] = {
            "forward_ms": fwd,
            "forward_backward_ms": both,
            "backward_ms": max(both - fwd, 0.0),
            # the fastest repeat: the run least disturbed by other processes
            "forward_min_ms": min(sample["forward_ms"]),
            "forward_backward_min_ms": min(sample["forward_backward_ms"]),
        }
    return out


def time_activation(
    name: str,
    *,
    shape: tuple[int, ...] = (4096, 1024),
    repeats: int = 20,
    warmup: int = 3,
) -> dict[str, float]:
    """Measure one activation's forward and backward cost on a large tensor.

    Two ``tf.function``-compiled functions are timed on a standard-normal
    float32 tensor of ``shape``: the forward pass ``y = f(x)`` and the forward
    plus backward pass (``dL/dx`` for ``L = sum(f(x))``, which is what a
    training step needs). Each runs ``warmup`` times (tracing, memory
    allocation, caches) and then ``repeats`` times; the median is reported.

    Args:
        name: Activation name (see ``actlab.catalog.names()``).
        shape: Shape of the input tensor.
        repeats: Timed calls per function (>= 1); the median is reported.
        warmup: Untimed calls before timing (>= 0; tracing always happens
            before timing).

    Returns:
        ``{"forward_ms", "forward_backward_ms", "backward_ms",
        "forward_min_ms", "forward_backward_min_ms"}``: medians, the gradient's
        own cost ``forward_backward_ms - forward_ms`` (clipped at 0), and the
        fastest repeats (the least disturbed by other processes).

    Raises:
        ValueError: Unknown name (with did-you-mean), a bad shape, ``repeats``
            < 1 or ``warmup`` < 0.

    """
    rec = catalog.get(name)
    shape, repeats, warmup = _check_timing_args(shape, repeats, warmup)
    return _measure({rec.name: rec.fn}, shape, repeats, warmup)[rec.name]


class CostTable(Table):
    """Measured costs per activation, relative to a baseline (text/Markdown/HTML)."""

    def __init__(
        self,
        costs: dict[str, dict[str, float]],
        baseline: str,
        shape: tuple[int, ...],
        repeats: int,
    ) -> None:
        self.costs = costs
        self.baseline = baseline
        self.shape = tuple(shape)
        self.repeats = repeats

    def relative(self, key: str = "forward_ms") -> dict[str, float]:
        """``{name: cost / baseline's cost}`` for one measurement key.

        Keys: ``forward_ms``, ``forward_backward_ms`` (medians), ``backward_ms``,
        ``forward_min_ms``, ``forward_backward_min_ms`` (fastest repeats).
        """
        base = self.costs[self.baseline][key]
        return {n: (c[key] / base if base > 0 else math.nan) for n, c in self.costs.items()}

    def noise(self) -> float:
        """How much the machine disturbed this run: the typical ``median / fastest - 1``.

        On a quiet machine the median of the repeats is within a few percent
        of the fastest one; when other processes compete for the cores the
        median drifts away from it. For each row the larger of its forward and
        forward+backward spreads counts; the result is the median over rows,
        so one unlucky row does not decide. 0.5 means a typical median was
        50 % above its fastest repeat.
        """
        spreads = [
            max(
                c[key] / c[f"{key[:-3]}_min_ms"] - 1
                for key in ("forward_ms", "forward_backward_ms")
                if c.get(f"{key[:-3]}_min_ms", 0) > 0
            )
            for c in self.costs.values()
            if c.get("forward_min_ms", 0) > 0 and c.get("forward_backward_min_ms", 0) > 0
        ]
        return statistics.median(spreads) if spreads else 0.0

    def too_noisy(self, limit: float = 0.5) -> bool:
        """True when :meth:`noise` exceeds ``limit``: ratios from this run are not to be trusted."""
        return self.noise() > limit

    COLUMNS = ("activation", "forward (ms)", "x baseline", "forward+backward (ms)", "x baseline")
    _RIGHT = range(1, len(COLUMNS))

    def rows(self) -> list[list[str]]:
        """The table's cells as strings."""
        rel_f = self.relative("forward_ms")
        rel_b = self.relative("forward_backward_ms")
        return [
            [
                n,
                f"{c['forward_ms']:.2f}",
                f"{rel_f[n]:.2f}",
                f"{c['forward_backward_ms']:.2f}",
                f"{rel_b[n]:.2f}",
            ]
            for n, c in self.costs.items()
        ]

    def _title(self) -> str:
        noise = self.noise()
        note = f"; machine noise: medians typically {noise:.0%} above the fastest run"
        shape = "x".join(map(str, self.shape))
        return (
            f"median of {self.repeats} runs on a {shape} float32 tensor; "
            f"'x baseline' = time / {self.baseline}'s time" + (note if noise else "")
        )

    def _columns(self) -> tuple[str, ...]:
        return self.COLUMNS

    def _cells(self) -> list[list[str]]:
        return self.rows()


def time_activations(
    names: Sequence[str],
    *,
    baseline: str = "relu",
    shape: tuple[int, ...] = (4096, 1024),
    repeats: int = 20,
    warmup: int = 3,
    dense_units: int | None = None,
    extra: Mapping[str, Callable[[Any], Any]] | None = None,
) -> CostTable:
    """Time several activations like :func:`time_activation`, relative to ``baseline``.

    The measurements are interleaved (one repeat of every activation, then the
    next repeat), so background noise affects them alike.

    Args:
        names: Activation names; ``baseline`` is added first if missing.
        baseline: The activation the others are compared with.
        shape: Input tensor shape ``(batch, features)`` or any shape.
        repeats: Timed calls per measurement (median reported).
        warmup: Untimed calls first.
        dense_units: If given, also time a Dense layer's matrix product
            ``x @ W`` with ``W`` of shape ``(shape[-1], dense_units)`` on the
            same input (row ``"dense matmul"``), to put the activation's cost
            in proportion to the layer it follows.
        extra: More functions to time on the same input, one row each under
            its label, e.g. ``{"x * 2": lambda v: v * 2.0}``: an element-wise
            op with almost no arithmetic, what reading and writing every value
            once costs.

    Returns:
        A :class:`CostTable` (``.costs[name]`` holds the raw milliseconds,
        ``.relative("forward_ms")`` the ratios to the baseline).

    Raises:
        ValueError: Unknown names, an empty list, bad timing arguments, or an
            ``extra`` label that is already a row.
        TypeError: An ``extra`` value that is not callable.

    """
    if isinstance(names, str):
        names = [names]
    records = [catalog.get(n) for n in names]
    if not records:
        raise ValueError("names is empty: pass activation names, e.g. ['relu', 'tanh'].")
    base = catalog.get(baseline)
    shape, repeats, warmup = _check_timing_args(shape, repeats, warmup)
    funcs: dict[str, Callable[[Any], Any]] = {base.name: base.fn}
    for rec in records:
        funcs.setdefault(rec.name, rec.fn)
    if dense_units is not None:
        dense_units = check_int("dense_units", dense_units, low=1)
        t = tf()
        kernel = t.random.stateless_normal((shape[-1], dense_units), seed=(3, 4)) * 0.03

        def dense_matmul(v: Any) -> Any:
            return t.matmul(v, kernel) if len(shape) == 2 else t.tensordot(v, kernel, 1)

        funcs[DENSE_ROW] = dense_matmul
    for label, fn in (extra or {}).items():
        if label in funcs:
            raise ValueError(
                f"extra label {label!r} is already a row ({list(funcs)}): give it another name."
            )
        if not callable(fn):
            raise TypeError(
                f"extra[{label!r}] must be a function of the input tensor. Received: {fn!r}"
            )
        funcs[str(label)] = fn
    return CostTable(_measure(funcs, shape, repeats, warmup), base.name, shape, repeats)
