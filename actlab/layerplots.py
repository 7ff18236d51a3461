"""Plots of per-layer measurements: gradient norms, dead units, output histograms.

Also :func:`plot_series`, one line per labelled curve of a quantity per layer
or per depth. The inputs come from :mod:`actlab.probes` (``gradient_norms``,
``dead_units``, ``get_activations``) and :mod:`actlab.propagation`. Every
function is also in :mod:`actlab.plotting` and, like the plots there, returns
the matplotlib Figure and accepts ``ax=``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from actlab._figures import finish, new_axes

__all__ = [
    "plot_dead_units",
    "plot_gradient_norms",
    "plot_layer_histograms",
    "plot_series",
]


def _series(data: Mapping[str, Any]) -> dict[str, Mapping[str, float]]:
    """Accept {layer: value} (one series) or {label: {layer: value}} (several)."""
    if data and all(isinstance(v, Mapping) for v in data.values()):
        return {str(k): v for k, v in data.items()}
    return {"": data}


def _bar_or_line(
    data: Mapping[str, Any], *, ax: Axes | None, ylabel: str, log: bool, title: str,
    ylim: tuple[float, float] | None = None,
) -> Figure:
    series = _series(data)
    if not any(series.values()):
        raise ValueError(f"Nothing to plot: received {dict(data)!r}.")
    fig, a, owned = new_axes(ax, (7, 3.8))
    for label, values in series.items():
        layers = list(values)
        a.plot(range(len(layers)), [float(v) for v in values.values()], marker="o",
               label=label or None)
    longest = max(series.values(), key=len)
    a.set_xticks(range(len(longest)))
    a.set_xticklabels(list(longest), rotation=45, ha="right", fontsize=8)
    if log:
        a.set_yscale("log")
    if ylim:
        a.set_ylim(*ylim)
    a.set_ylabel(ylabel)
    a.set_title(title, fontsize=10)
    a.grid(True, alpha=0.3)
    if any(series):
        a.legend(fontsize=8)
    return finish(fig, owned)


def plot_gradient_norms(
    norms: Mapping[str, Any], *, ax: Axes | None = None, log: bool = True
) -> Figure:
    """Plot per-layer gradient norms (from ``actlab.gradient_norms``), input to output.

    Args:
        norms: ``{layer: norm}`` or ``{label: {layer: norm}}`` for several nets.
        ax: Axes to draw into.
        log: Log-scale y axis (vanishing gradients span orders of magnitude).

    Returns:
        The Figure.

    """
    return _bar_or_line(norms, ax=ax, ylabel="||dL/dW||", log=log,
                        title="gradient norm per layer (input -> output)")


def plot_dead_units(fractions: Mapping[str, Any], *, ax: Axes | None = None) -> Figure:
    """Plot the dead-unit fraction per layer (from ``actlab.dead_units``).

    Args:
        fractions: ``{layer: fraction}`` or ``{label: {layer: fraction}}``.
        ax: Axes to draw into.

    Returns:
        The Figure.

    """
    return _bar_or_line(fractions, ax=ax, ylabel="dead fraction", log=False,
                        title="dead units per layer", ylim=(-0.03, 1.03))


def plot_series(
    curves: Mapping[str, Sequence[float]],
    *,
    x: Sequence[float] | None = None,
    xlabel: str = "layer",
    ylabel: str = "",
    log: bool = True,
    title: str = "",
    hline: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Plot one line per labelled curve, e.g. a quantity per layer or per depth.

    Args:
        curves: ``{label: values}``; all share the x values.
        x: The x values (default 1, 2, ... as layer numbers).
        xlabel: The x axis label.
        ylabel: The y axis label.
        log: Log-scale y axis.
        title: The title.
        hline: Draw a dashed reference line at this y value (e.g. a target of 1).
        ax: Axes to draw into.

    Returns:
        The Figure.

    Raises:
        ValueError: No curves, or a curve whose length differs from ``x``.

    """
    if not curves:
        raise ValueError("plot_series received no curves (an empty dict).")
    fig, a, owned = new_axes(ax, (6.5, 3.6))
    for label, values in curves.items():
        ys = np.asarray(values, dtype=float)
        xs = np.arange(1, len(ys) + 1) if x is None else np.asarray(x, dtype=float)
        if len(xs) != len(ys):
            raise ValueError(
                f"Curve {label!r} has {len(ys)} values but x has {len(xs)}: give one y per x."
            )
        a.plot(xs, ys, marker="o" if len(ys) <= 12 else None, ms=4, label=str(label))
    if hline is not None:
        a.axhline(hline, color="k", ls="--", lw=0.8, alpha=0.6)
    if log:
        a.set_yscale("log")
    a.set(xlabel=xlabel, ylabel=ylabel)
    if title:
        a.set_title(title, fontsize=10)
    a.grid(True, alpha=0.3)
    a.legend(fontsize=8)
    return finish(fig, owned)


def plot_layer_histograms(
    activations: Mapping[str, np.ndarray],
    *,
    bins: int = 50,
    ax: Axes | Sequence[Axes] | None = None,
) -> Figure:
    """Histogram each layer's outputs (from ``actlab.get_activations``).

    The title of each panel gives the layer's sparsity: the share of outputs
    that are exactly 0.

    Args:
        activations: ``{layer: array}``.
        bins: Histogram bins.
        ax: One Axes (histograms overlaid) or one Axes per layer.

    Returns:
        The Figure.

    """
    if not activations:
        raise ValueError("plot_layer_histograms received no activations (an empty dict).")
    items = list(activations.items())
    owned = ax is None
    if ax is None:
        n = len(items)
        fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 3), squeeze=False)
        axes = list(axes[0])
    elif isinstance(ax, Axes):
        axes, fig = [ax] * len(items), ax.figure
    else:
        axes = list(ax)
        fig = axes[0].figure
    for (name, values), a in zip(items, axes, strict=False):
        v = np.asarray(values).ravel()
        a.hist(v, bins=bins, alpha=0.7, label=name)
        a.set_title(f"{name}\n{np.mean(v == 0):.0%} zeros", fontsize=9)
        a.grid(True, alpha=0.3)
    return finish(fig, owned)
