"""How every plot of the course makes its figure and hands it back.

Internal to :mod:`actlab.plotting` and :mod:`actlab.layerplots`: a plot draws
into the ``ax=`` it is given, or into a new figure that it then detaches from
pyplot, so a call as the last line of a cell shows the plot exactly once.
"""

from __future__ import annotations

from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["finish", "new_axes"]


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes, bool]:
    """``(figure, axes, owned)``: ``ax`` and its figure, or a new figure (owned) if None."""
    if ax is not None:
        return ax.figure, ax, False
    fig, new_ax = plt.subplots(figsize=figsize)
    return fig, new_ax, True


def finish(fig: Figure, owned: bool) -> Figure:
    """Lay out and detach an owned figure from pyplot (shown once, as the return value)."""
    if owned:
        fig.tight_layout()
        plt.close(fig)  # detach from pyplot: displayed once, as the return value
    return fig
