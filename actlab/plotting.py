"""Plots used across the course. Each function returns the matplotlib Figure.

Every function accepts ``ax=``: pass an Axes to draw into your own figure
(the function then returns that Axes' figure and leaves it open). Without
``ax`` the function makes a new figure and detaches it from pyplot, so a call as
the last line of a cell shows the plot exactly once, and ``fig = plot_...()``
shows nothing until you display ``fig``.

The plots of per-layer measurements live in :mod:`actlab.layerplots` and are
re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from actlab._figures import finish, new_axes
from actlab.layerplots import (
    plot_dead_units,
    plot_gradient_norms,
    plot_layer_histograms,
    plot_series,
)

__all__ = [
    "plot_accuracies",
    "plot_activations",
    "plot_curves",
    "plot_dead_units",
    "plot_decision_boundary",
    "plot_gradient_norms",
    "plot_history",
    "plot_images",
    "plot_layer_histograms",
    "plot_points",
    "plot_prediction_agreement",
    "plot_series",
    "plot_weight_paths",
]




def _axis_lines(ax: Axes) -> None:
    ax.axhline(0, color="k", lw=0.8, alpha=0.3)
    ax.axvline(0, color="k", lw=0.8, alpha=0.3)
    ax.grid(True, alpha=0.3)


def plot_activations(
    names: str | Sequence[str],
    *,
    x: np.ndarray | None = None,
    derivatives: bool = True,
    ax: Axes | Sequence[Axes] | None = None,
) -> Figure:
    """Plot activations (solid) and, optionally, their derivatives (dashed).

    Args:
        names: One activation name or several (see ``actlab.catalog.names()``).
        x: Input points; default 400 points on [-5, 5].
        derivatives: Also plot each derivative, computed by autodiff
            (``actlab.catalog.derivative``), in a second panel.
        ax: One Axes (function only, or function and derivative overlaid when
            ``derivatives=True``), or two Axes (function, derivative).

    Returns:
        The Figure.

    """
    from actlab import catalog

    names = [names] if isinstance(names, str) else list(names)
    if not names:
        raise ValueError("plot_activations needs at least one activation name. Received: []")
    records = [catalog.get(n) for n in names]
    xs = np.linspace(-5.0, 5.0, 400, dtype="float32") if x is None else np.asarray(x, "float32")

    owned = ax is None
    if ax is None:
        ncols = 2 if derivatives else 1
        fig, axes = plt.subplots(1, ncols, figsize=(5.5 * ncols, 4), squeeze=False)
        f_ax, d_ax = axes[0][0], (axes[0][1] if derivatives else None)
    elif isinstance(ax, Axes):
        fig, f_ax, d_ax = ax.figure, ax, (ax if derivatives else None)
    else:
        f_ax, d_ax = ax[0], (ax[1] if derivatives else None)
        fig = f_ax.figure

    for rec in records:
        (line,) = f_ax.plot(xs, rec(xs), label=rec.name)
        if d_ax is not None:
            d_ax.plot(xs, catalog.derivative(rec.name, xs), ls="--", color=line.get_color(),
                      label=f"{rec.name}'")
    f_ax.set_title("activation" if len(records) > 1 else records[0].formula, fontsize=10)
    f_ax.set_xlabel("x")
    _axis_lines(f_ax)
    f_ax.legend(fontsize=8)
    if d_ax is not None and d_ax is not f_ax:
        d_ax.set_title("derivative (autodiff)", fontsize=10)
        d_ax.set_xlabel("x")
        _axis_lines(d_ax)
        d_ax.legend(fontsize=8)
    return finish(fig, owned)


def plot_curves(
    curves: Mapping[str, Any],
    *,
    x: np.ndarray | None = None,
    separate: bool = False,
    ax: Axes | Sequence[Axes] | None = None,
    title: str | None = None,
) -> Figure:
    """Plot functions of one variable: activation functions, activation layers, or your own.

    Use it for what ``plot_activations`` cannot look up in the catalogue: a
    configured layer such as ``ReLU(threshold=1.0)`` or a custom function.

    Args:
        curves: ``{label: f}`` where ``f`` maps an array to an array of the same
            shape (a function, a Keras layer) or ``{label: y}`` with the values
            already computed at ``x``.
        x: Input points; default 400 points on [-5, 5].
        separate: One panel per curve (side by side) instead of all on one.
        ax: One Axes (all curves), or one Axes per curve when ``separate``.
        title: Title of a single panel (``separate=False``).

    Returns:
        The Figure.

    Raises:
        ValueError: If ``curves`` is empty, or a curve's values do not match ``x``.

    """
    if not curves:
        raise ValueError("plot_curves needs at least one curve. Received: {}.")
    xs = np.linspace(-5.0, 5.0, 400, dtype="float32") if x is None else np.asarray(x, "float32")
    values = {}
    for label, f in curves.items():
        y = f(xs) if callable(f) else f
        y = np.asarray(y.numpy() if hasattr(y, "numpy") else y, dtype="float64")
        if y.shape != xs.shape:
            raise ValueError(f"The curve {label!r} has shape {y.shape}; x has shape {xs.shape}. "
                             "Give a function of x, or its values at every point of x.")
        values[str(label)] = y
    owned = ax is None
    n = len(values) if separate else 1
    if ax is None:
        fig, grid = plt.subplots(1, n, figsize=(3.4 * n if separate else 6, 3.4),
                                 squeeze=False, sharey=separate)
        axes = list(grid[0])
    else:
        axes = [ax] if isinstance(ax, Axes) else list(ax)
        if separate and len(axes) < n:
            raise ValueError(f"separate=True needs one Axes per curve: {n} curves, "
                             f"{len(axes)} Axes received.")
        fig = axes[0].figure
    for i, (label, y) in enumerate(values.items()):
        a = axes[i] if separate else axes[0]
        a.plot(xs, y, lw=2, label=label)
        if separate:
            a.set_title(label, fontsize=9)
    for a in axes[:n]:
        a.set_xlabel("x")
        _axis_lines(a)
        if not separate:
            a.legend(fontsize=8)
            if title:
                a.set_title(title, fontsize=10)
    return finish(fig, owned)


def plot_weight_paths(
    paths: Mapping[str, Any],
    *,
    target: Sequence[float] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw the paths of two weights during training, one line per run.

    Args:
        paths: ``{label: path}`` where ``path`` is an ``actlab.zigzag.DescentPath``
            or an array of shape ``(steps + 1, 2)``.
        target: The weights the runs head for (a star); default: the first
            path's ``target`` when it has one.
        ax: Axes to draw into.

    Returns:
        The Figure.

    Raises:
        ValueError: If ``paths`` is empty or a path is not of shape ``(n, 2)``.

    """
    if not paths:
        raise ValueError("plot_weight_paths needs at least one path. Received: {}.")
    fig, a, owned = new_axes(ax, (5, 4.2))
    for label, path in paths.items():
        w = np.asarray(getattr(path, "weights", path), dtype="float64")
        if w.ndim != 2 or w.shape[1] != 2:
            raise ValueError(f"The path {label!r} should have shape (steps + 1, 2). "
                             f"Received shape {w.shape}.")
        a.plot(w[:, 0], w[:, 1], marker="o", ms=2.5, lw=1.2, label=str(label))
        if target is None and getattr(path, "target", None) is not None:
            target = path.target
    if target is not None:
        a.plot([target[0]], [target[1]], marker="*", ms=14, color="k", ls="none",
               label="target")
    a.set_xlabel("w1")
    a.set_ylabel("w2")
    a.set_aspect("equal", adjustable="datalim")
    _axis_lines(a)
    a.legend(fontsize=8)
    return finish(fig, owned)


def _history_dict(h: Any) -> Mapping[str, Sequence[float]]:
    return h.history if hasattr(h, "history") else h


def plot_history(
    histories: Any,
    *,
    metrics: Sequence[str] = ("accuracy", "val_accuracy"),
    ax: Axes | Sequence[Axes] | None = None,
) -> Figure:
    """Plot learning curves, one line per run, one panel per metric.

    Args:
        histories: A Keras ``History``, a ``history.history`` dict, or a mapping
            label -> either of those (several runs on the same axes).
        metrics: Metric keys to plot, one panel each; missing keys are skipped.
        ax: An Axes (one metric) or a sequence of Axes (one per metric).

    Returns:
        The Figure.

    """
    if hasattr(histories, "history") or (
        isinstance(histories, Mapping)
        and histories
        and all(isinstance(v, (list, tuple, np.ndarray)) for v in histories.values())
    ):
        runs = {"": _history_dict(histories)}
    else:
        runs = {label: _history_dict(h) for label, h in dict(histories).items()}
    present = [m for m in metrics if any(m in r for r in runs.values())]
    if not present:
        keys = sorted({k for r in runs.values() for k in r})
        raise ValueError(f"None of the metrics {list(metrics)} is in the history. "
                         f"It has: {keys}. Pass metrics=[...] with some of those.")
    owned = ax is None
    if ax is None:
        fig, axes = plt.subplots(1, len(present), figsize=(5 * len(present), 3.6), squeeze=False)
        axes = list(axes[0])
    else:
        axes = [ax] if isinstance(ax, Axes) else list(ax)
        fig = axes[0].figure
    for metric, a in zip(present, axes, strict=False):
        for label, hist in runs.items():
            if metric in hist:
                values = hist[metric]
                a.plot(range(1, len(values) + 1), values, marker="o", ms=3, label=label or None)
        a.set_title(metric)
        a.set_xlabel("epoch")
        a.grid(True, alpha=0.3)
        if any(runs):
            a.legend(fontsize=8)
    return finish(fig, owned)


def plot_decision_boundary(
    model: Any,
    x: np.ndarray,
    y: np.ndarray,
    *,
    ax: Axes | None = None,
    resolution: int = 150,
    title: str | None = None,
) -> Figure:
    """Plot a 2-D classifier's decision regions with the data on top.

    Args:
        model: A Keras model (or any callable) mapping ``(n, 2)`` inputs to
            class probabilities ``(n, k)`` or one probability/logit ``(n, 1)``.
        x: Points, shape ``(n, 2)``.
        y: Integer labels, shape ``(n,)``.
        ax: Axes to draw into.
        resolution: Grid points per side.
        title: Axes title.

    Returns:
        The Figure.

    """
    x = np.asarray(x, dtype="float32")
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D points of shape (n, 2). "
                         f"Received shape {x.shape}.")
    fig, a, owned = new_axes(ax, (4.5, 4.2))
    pad = 0.25 * (x.max(0) - x.min(0))
    lo, hi = x.min(0) - pad, x.max(0) + pad
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    grid = np.c_[gx.ravel(), gy.ravel()].astype("float32")
    out = np.asarray(model(grid, training=False) if hasattr(model, "layers") else model(grid))
    if out.ndim == 2 and out.shape[1] > 1:
        zz = out.argmax(1)
    else:
        out = out.reshape(-1)
        zz = (out > (0.5 if out.min() >= 0 and out.max() <= 1 else 0.0)).astype(int)
    a.contourf(gx, gy, zz.reshape(gx.shape), alpha=0.25, cmap="coolwarm", levels=1)
    a.scatter(x[:, 0], x[:, 1], c=np.asarray(y).reshape(-1), s=8, cmap="coolwarm",
              edgecolors="none")
    a.set_xlim(lo[0], hi[0])
    a.set_ylim(lo[1], hi[1])
    a.set_aspect("equal")
    if title:
        a.set_title(title, fontsize=10)
    return finish(fig, owned)


def plot_points(
    x: np.ndarray, y: np.ndarray, *, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """Scatter 2-D points coloured by class (the data sets of ``actlab.data``).

    Args:
        x: Points, shape ``(n, 2)``.
        y: Integer labels, shape ``(n,)``.
        ax: Axes to draw into.
        title: Axes title.

    Returns:
        The Figure.

    Raises:
        ValueError: If ``x`` is not of shape ``(n, 2)`` or ``y`` has another length.

    """
    x = np.asarray(x, dtype="float32")
    y = np.asarray(y).reshape(-1)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"plot_points needs 2-D points of shape (n, 2). Received shape {x.shape}.")
    if len(y) != len(x):
        raise ValueError(f"x has {len(x)} points but y has {len(y)} labels.")
    fig, a, owned = new_axes(ax, (4.2, 4.2))
    a.scatter(x[:, 0], x[:, 1], c=y, cmap="coolwarm", s=8, edgecolors="none")
    a.set_aspect("equal")
    if title:
        a.set_title(title, fontsize=10)
    return finish(fig, owned)


def plot_images(
    images: np.ndarray,
    labels: Sequence[Any] | None = None,
    *,
    ax: Sequence[Axes] | None = None,
) -> Figure:
    """Show grey-level images side by side, each titled with its label.

    Args:
        images: ``(n, height, width)`` values (e.g. MNIST digits in [0, 1]).
        labels: Optional, one title per image.
        ax: One Axes per image (default: a new row of ``n`` panels).

    Returns:
        The Figure.

    Raises:
        ValueError: If ``images`` is not ``(n, height, width)`` with n >= 1, or the
            numbers of labels or Axes do not match it.

    """
    images = np.asarray(images)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"plot_images needs images of shape (n, height, width), n >= 1. "
                         f"Received shape {images.shape}.")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels.")
    owned = ax is None
    if ax is None:
        fig, grid = plt.subplots(1, len(images), figsize=(1.25 * len(images), 1.7), squeeze=False)
        axes = list(grid[0])
    else:
        axes = list(ax)
        if len(axes) < len(images):
            raise ValueError(f"{len(images)} images need {len(images)} Axes; received {len(axes)}.")
        fig = axes[0].figure
    for i, (a, image) in enumerate(zip(axes, images, strict=False)):
        a.imshow(image, cmap="gray_r")
        if labels is not None:
            label = labels[i]
            a.set_title(str(label.item() if hasattr(label, "item") else label))
        a.axis("off")
    return finish(fig, owned)


def plot_accuracies(
    accuracies: Mapping[str, float],
    *,
    chance: float | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Bar chart of accuracies, one bar per model, with an optional chance line.

    Args:
        accuracies: ``{label: accuracy}``, accuracies in [0, 1].
        chance: Draw a dotted line at this accuracy (e.g. ``0.1`` for 10 classes).
        ax: Axes to draw into.
        title: Axes title.

    Returns:
        The Figure.

    Raises:
        ValueError: If ``accuracies`` is empty or a value is outside [0, 1].

    """
    if not accuracies:
        raise ValueError("plot_accuracies needs at least one accuracy. Received: {}.")
    labels = [str(k) for k in accuracies]
    values = [float(v) for v in accuracies.values()]
    bad = [(k, v) for k, v in zip(labels, values, strict=True) if not 0.0 <= v <= 1.0]
    if bad:
        raise ValueError(f"Accuracies must lie in [0, 1]. Received: {bad[0][0]!r}: {bad[0][1]}.")
    fig, a, owned = new_axes(ax, (1.8 * len(labels) + 1, 3.2))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    a.bar(labels, values, color=[colors[i % len(colors)] for i in range(len(labels))])
    for i, v in enumerate(values):
        a.text(i, v + 0.02, f"{v:.0%}", ha="center", fontsize=8)
    if chance is not None:
        a.axhline(chance, color="k", ls=":", lw=1, label=f"chance ({chance:.0%})")
        a.legend(loc="upper right", fontsize=8)
    a.set_ylabel("accuracy")
    a.set_ylim(0, 1.08)
    if title:
        a.set_title(title, fontsize=10)
    return finish(fig, owned)


def plot_prediction_agreement(
    predictions: Mapping[str, np.ndarray],
    *,
    accuracy: Mapping[str, float] | None = None,
    ax: Axes | Sequence[Axes] | None = None,
) -> Figure:
    """Plot how often networks predict the same class, and (optionally) their accuracy.

    Args:
        predictions: ``{label: predicted classes}``, arrays of equal length.
        accuracy: ``{label: test accuracy}``: adds a bar chart on the left.
        ax: One Axes (the agreement matrix only) or two (accuracy, agreement).

    Returns:
        The Figure.

    Raises:
        ValueError: No predictions, or arrays of different lengths.

    """
    if not predictions:
        raise ValueError("plot_prediction_agreement received no predictions (an empty dict).")
    labels = list(predictions)
    arrays = [np.asarray(predictions[k]).ravel() for k in labels]
    if len({len(a) for a in arrays}) != 1:
        raise ValueError(
            "Every prediction array must have the same length (one class per test input). "
            f"Received lengths {[len(a) for a in arrays]}."
        )
    agreement = np.array([[np.mean(a == b) for b in arrays] for a in arrays])
    owned = ax is None
    if ax is None:
        ncols = 2 if accuracy is not None else 1
        fig, axes = plt.subplots(1, ncols, figsize=(5.5 * ncols, 3.8), squeeze=False)
        axes = list(axes[0])
    elif isinstance(ax, Axes):
        axes, fig = [ax], ax.figure
    else:
        axes = list(ax)
        fig = axes[0].figure
    if accuracy is not None and len(axes) > 1:
        bars, axes = axes[0], axes[1:]
        bars.barh(labels, [accuracy[k] for k in labels])
        bars.set_xlim(min(0.8, min(accuracy.values()) - 0.02), 1)
        bars.set_xlabel("test accuracy")
    a = axes[0]
    low = min(0.8, float(agreement.min()))
    image = a.imshow(agreement, vmin=low, vmax=1, cmap="viridis")
    a.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    a.set_yticks(range(len(labels)), labels)
    for i in range(len(labels)):
        for j in range(len(labels)):
            a.text(j, i, f"{agreement[i, j]:.1%}", ha="center", va="center", fontsize=8)
    a.set_title("same predicted class", fontsize=10)
    fig.colorbar(image, ax=a)
    return finish(fig, owned)
