"""Interactive explorers for the course: sliders that redraw a plot in place.

``activation_explorer``, ``softmax_explorer``, ``playground``, ``dying_relu_lab``
and ``gradient_flow_lab`` each return an :class:`Explorer`, an
``ipywidgets.VBox`` holding the controls and the plot. Show it by making it the
last value of a cell; no ``%matplotlib`` magic is needed.

Display mechanism (and why). Each explorer owns a matplotlib ``Figure`` on the
Agg canvas (not registered with pyplot). A control change updates the
artists in place (``Line2D.set_data``, ``Rectangle.set_height``,
``AxesImage.set_data``), draws the canvas, encodes the RGBA buffer as a PNG
(Pillow, fast compression) and assigns the bytes to an ``ipywidgets.Image``.
Compared with ipympl (``%matplotlib widget``) this

* needs only the core ipywidgets front end that JupyterLab 4 ships with
  ipywidgets 8, so there is no second labextension that can be missing or out
  of date (the classic "the plot shows as text" failure);
* works identically in a headless kernel (nbval/nbclient), in plain Python
  (unit tests) and in the browser, and never changes pyplot's backend for the
  rest of the notebook (which stays inline);
* makes "redrawn" measurable in the kernel: the redraw is finished when
  ``Explorer.image.value`` holds the new PNG (what ``make bench`` times).

Rendering costs 40-90 ms for a two-panel figure on a 2-core machine.

For tests and benchmarks every explorer exposes

* ``controls``: ``{name: widget}``; set ``controls["beta"].value = 2.0`` or call
  ``controls["train"].click()`` exactly as a learner would;
* ``figure``: the matplotlib Figure (inspect ``figure.axes[i].lines`` etc.);
* ``image``: the ``ipywidgets.Image`` showing the PNG; ``status``: an HTML line
  for progress and errors; ``render_count`` and ``last_render_ms``.

Errors raised while reacting to a control are shown in ``status`` (ipywidgets
would otherwise hide them in the log console) and kept in ``last_error``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np

from actlab import _widget_models as wm
from actlab import catalog
from actlab._widget_base import (
    _SLIDER_STYLE,
    Explorer,
    _check_range,
    _new_figure,
    _slider,
    _sticky_ylim,
)

__all__ = [
    "Explorer",
    "SoftmaxExplorer",
    "ActivationExplorer",
    "activation_explorer",
    "softmax_explorer",
]

# --------------------------------------------------------------------------- activations


class ActivationExplorer(Explorer):
    """Activations and their derivatives with sliders for their parameters.

    See :func:`activation_explorer`. ``lines[name]`` is ``(function line,
    derivative line)`` for each selected activation; ``x`` the current points.
    """

    def __init__(
        self,
        names: Sequence[str],
        *,
        negative_slope: float,
        alpha: float,
        beta: float,
        x_max: float,
        points: int,
    ):
        self._points = points
        selected = tuple(dict.fromkeys(catalog.canonical_name(n) for n in names))
        controls: dict[str, widgets.Widget] = {
            "activations": widgets.SelectMultiple(
                options=catalog.names(),
                value=selected,
                rows=5,
                description="activations",
                style=_SLIDER_STYLE,
            ),
            "negative_slope": _slider(
                widgets.FloatSlider,
                "negative_slope",
                value=negative_slope,
                min=0.0,
                max=1.0,
                step=0.01,
                tooltip="leaky_relu: slope for x < 0",
            ),
            "alpha": _slider(
                widgets.FloatSlider, "alpha (elu)", value=alpha, min=0.0, max=3.0, step=0.05
            ),
            "beta": _slider(
                widgets.FloatSlider, "beta (silu)", value=beta, min=0.0, max=5.0, step=0.05
            ),
            "x_max": _slider(
                widgets.FloatSlider, "x range ±", value=x_max, min=1.0, max=10.0, step=0.5
            ),
        }
        figure, (self.ax_f, self.ax_df) = _new_figure(2, (9.5, 3.4))
        self.lines: dict[str, tuple[Any, Any]] = {}
        self.x = np.linspace(-x_max, x_max, points)
        self._fixed: dict[tuple[str, float], tuple[np.ndarray, np.ndarray]] = {}
        for ax, title in ((self.ax_f, "f(x)"), (self.ax_df, "f'(x) (autodiff)")):
            ax.set_title(title, fontsize=10)
            ax.axhline(0, color="k", lw=0.8, alpha=0.3)
            ax.axvline(0, color="k", lw=0.8, alpha=0.3)
            ax.grid(True, alpha=0.3)
            ax.set_xlabel("x")
        figure.tight_layout()
        super().__init__(
            figure,
            controls,
            rows=[["activations"], ["negative_slope", "alpha"], ["beta", "x_max"]],
        )
        self._guarded(self._rebuild)()
        self._watch(["activations"], self._rebuild)
        self._watch(["negative_slope", "alpha", "beta"], self._update_params)
        self._watch(["x_max"], self._update_all)

    @property
    def params(self) -> dict[str, float]:
        """The current slider parameters: negative_slope, alpha, beta."""
        return {p: float(self.controls[p].value) for p in ("negative_slope", "alpha", "beta")}

    def _label(self, name: str) -> str:
        param = wm.PARAMETRIC.get(name)
        return name if param is None else f"{name} ({param}={self.params[param]:.2f})"

    def _values(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        if name in wm.PARAMETRIC:
            return wm.curve(name, self.x, self.params)
        key = (name, float(self.x[-1]))
        if key not in self._fixed:
            self._fixed[key] = wm.curve(name, self.x, {})
        return self._fixed[key]

    def _refresh(self, names: Sequence[str]) -> None:
        for name in names:
            y, dy = self._values(name)
            line_f, line_df = self.lines[name]
            line_f.set_data(self.x, y)
            line_df.set_data(self.x, dy)
            line_f.set_label(self._label(name))
        texts = self.ax_f.get_legend().get_texts() if self.ax_f.get_legend() else []
        for text, name in zip(texts, self.lines, strict=False):
            text.set_text(self._label(name))
        for i, ax in enumerate((self.ax_f, self.ax_df)):
            _sticky_ylim(ax, [pair[i].get_ydata() for pair in self.lines.values()])
            ax.set_xlim(self.x[0], self.x[-1])
        self._sync_sliders()
        self.render()

    def _sync_sliders(self) -> None:
        chosen = set(self.controls["activations"].value)
        for name, param in wm.PARAMETRIC.items():
            self.controls[param].disabled = name not in chosen

    def _rebuild(self) -> None:
        chosen = list(self.controls["activations"].value)
        for line_f, line_df in self.lines.values():
            self.forget(line_f, line_df)
            line_f.remove()
            line_df.remove()
        self.lines = {}
        for i, name in enumerate(chosen):
            color = f"C{i % 10}"
            (line_f,) = self.ax_f.plot([], [], color=color, lw=2, label=self._label(name))
            (line_df,) = self.ax_df.plot([], [], color=color, lw=2, ls="--")
            self.lines[name] = (line_f, line_df)
            self.animate(line_f, line_df)
        legend = self.ax_f.get_legend()
        if legend is not None:
            self.forget(legend)
            legend.remove()
        if chosen:
            self.animate(self.ax_f.legend(fontsize=8, loc="upper left"))
        self.status.value = "" if chosen else "Select at least one activation."
        self._refresh(chosen)

    def _update_params(self) -> None:
        self._refresh([n for n in self.lines if n in wm.PARAMETRIC])

    def _update_all(self) -> None:
        x_max = float(self.controls["x_max"].value)
        self.x = np.linspace(-x_max, x_max, self._points)
        self._refresh(list(self.lines))


def activation_explorer(
    names: Sequence[str] | None = None,
    *,
    negative_slope: float = 0.2,
    alpha: float = 1.0,
    beta: float = 1.0,
    x_max: float = 5.0,
    points: int = 401,
) -> ActivationExplorer:
    """Plot activations and their derivatives, with sliders for their parameters.

    Sliders: ``negative_slope`` of ``leaky_relu(x) = x if x > 0 else
    negative_slope * x``, ``alpha`` of ``elu(x) = x if x > 0 else alpha *
    (exp(x) - 1)``, ``beta`` of swish ``silu(x) = x * sigmoid(beta * x)``, and
    the x range. A slider is disabled while its activation is not selected.
    Values come from Keras (``keras.activations`` / ``keras.ops``), derivatives
    from autodiff.

    Args:
        names: Activations to show first (catalogue names or aliases); default
            relu, leaky_relu, elu, silu. Any catalogue activation can be added
            in the selector.
        negative_slope: Initial slope of leaky_relu for ``x < 0``, in [0, 1].
        alpha: Initial alpha of elu, in [0, 3].
        beta: Initial beta of swish/silu, in [0, 5].
        x_max: The plot spans ``[-x_max, x_max]``, in [1, 10].
        points: Number of x points (at least 11).

    Returns:
        An :class:`ActivationExplorer` (an ``ipywidgets.VBox``).

    Raises:
        ValueError: An unknown activation name (with suggestions), an empty
            list, or a parameter outside its slider's range.
    """
    chosen = ["relu", "leaky_relu", "elu", "silu"] if names is None else names
    if isinstance(chosen, str):
        chosen = [chosen]
    chosen = list(chosen)
    if not chosen:
        raise ValueError(
            "activation_explorer: names is empty; pass at least one activation name, "
            f"e.g. ['relu', 'elu']. Known: {', '.join(catalog.names())}."
        )
    for n in chosen:
        catalog.get(n)  # raises ValueError with a did-you-mean list
    _check_range("negative_slope", negative_slope, 0.0, 1.0)
    _check_range("alpha", alpha, 0.0, 3.0)
    _check_range("beta", beta, 0.0, 5.0)
    _check_range("x_max", x_max, 1.0, 10.0)
    if isinstance(points, bool) or not isinstance(points, int) or points < 11:
        raise ValueError(f"points must be an integer >= 11. Received: points={points!r}.")
    return ActivationExplorer(
        chosen, negative_slope=negative_slope, alpha=alpha, beta=beta, x_max=x_max, points=points
    )


# --------------------------------------------------------------------------- softmax


class SoftmaxExplorer(Explorer):
    """A bar chart of ``softmax(logits / T)`` with a temperature slider.

    See :func:`softmax_explorer`. ``bars`` are the matplotlib Rectangles (one per
    logit); ``probabilities`` the current values.
    """

    def __init__(self, logits: np.ndarray, temperature: float):
        self.logits = logits
        controls: dict[str, widgets.Widget] = {
            "temperature": _slider(
                widgets.FloatLogSlider,
                "temperature T",
                value=temperature,
                base=10,
                min=-2,
                max=2,
                step=0.02,
                readout_format=".3g",
            ),
        }
        figure, (ax,) = _new_figure(1, (6.5, 3.2))
        self.ax = ax
        labels = [f"z{i} = {v:g}" for i, v in enumerate(logits)]
        self.bars = list(ax.bar(labels, np.zeros(len(logits)), color="C0"))
        self.texts = [
            ax.text(i, 0.0, "", ha="center", va="bottom", fontsize=9) for i in range(len(logits))
        ]
        ax.set_ylim(0, 1.12)
        ax.set_ylabel("probability")
        ax.grid(True, axis="y", alpha=0.3)
        ax.set_title("softmax(z / T)", fontsize=10)
        figure.tight_layout()
        self.probabilities = np.zeros(len(logits))
        super().__init__(figure, controls, rows=[["temperature"]])
        self.animate(*self.bars, *self.texts, ax.title)
        self._guarded(self._update)()
        self._watch(["temperature"], self._update)

    def _update(self) -> None:
        temperature = float(self.controls["temperature"].value)
        p = wm.softmax(self.logits, temperature)
        self.probabilities = p
        for bar, text, value in zip(self.bars, self.texts, p, strict=True):
            bar.set_height(value)
            text.set_y(value + 0.01)
            text.set_text(f"{value:.3f}")
        entropy = float(-np.sum(p * np.log(np.clip(p, 1e-300, None))))
        self.ax.set_title(
            f"softmax(z / T), T = {temperature:.3g}: max p = {p.max():.3f}, "
            f"entropy = {entropy:.3f} nats",
            fontsize=10,
        )
        self.render()


def softmax_explorer(
    logits: Sequence[float] = (2.0, 1.0, 0.1), *, temperature: float = 1.0
) -> SoftmaxExplorer:
    """Show how the temperature reshapes a softmax: ``p_i = exp(z_i / T) / sum_j exp(z_j / T)``.

    Low T sharpens towards the arg-max (one-hot), high T flattens towards
    uniform; the order of the probabilities never changes.

    Args:
        logits: The logit vector ``z`` (at least two finite numbers).
        temperature: Initial temperature, in [0.01, 100] (log slider).

    Returns:
        A :class:`SoftmaxExplorer` (an ``ipywidgets.VBox``).

    Raises:
        ValueError: Logits that are not a 1-D list of at least two finite
            numbers, or a temperature outside [0.01, 100].
    """
    try:
        z = np.asarray(logits, dtype="float64")
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"logits must be a list of numbers, e.g. (2.0, 1.0, 0.1). Received: {logits!r}."
        ) from err
    if z.ndim != 1 or len(z) < 2 or not np.all(np.isfinite(z)):
        raise ValueError(
            "logits must be a 1-D list of at least two finite numbers, e.g. (2.0, 1.0, 0.1). "
            f"Received: {logits!r} (shape {z.shape})."
        )
    _check_range("temperature", temperature, 0.01, 100.0)
    return SoftmaxExplorer(z, float(temperature))
