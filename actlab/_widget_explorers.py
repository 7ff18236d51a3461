"""The curve explorers of :mod:`actlab.widgets`: activations and softmax temperature.

Public entry points are in :mod:`actlab.widgets`; see there for the display mechanism.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np

from actlab import _widget_models as wm
from actlab import catalog
from actlab._widget_base import _SLIDER_STYLE, Explorer, _new_figure, _slider, _sticky_ylim


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

    def measure(
        self, name: str, x: Sequence[float] | np.ndarray, **params: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """``f(x)`` and ``f'(x)`` (autodiff) of an activation, computed afresh (no cache).

        Exercise checks use this to recompute what the explorer shows.

        Args:
            name: A catalogue name.
            x: Input points.
            **params: Slider parameters (``negative_slope``, ``alpha``, ``beta``);
                the current slider values by default.

        Returns:
            ``(f(x), f'(x))`` as float64 arrays.
        """
        values = {**self.params, **params}
        return wm.curve(catalog.canonical_name(name), np.asarray(x, dtype="float64"), values)

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

    def measure(self, temperature: float) -> np.ndarray:
        """``softmax(logits / temperature)``, computed afresh with Keras (exercise checks).

        Args:
            temperature: T > 0.

        Returns:
            The probabilities (float64, summing to 1).
        """
        return wm.softmax(self.logits, float(temperature))

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
