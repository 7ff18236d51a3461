"""The explorers that build networks: dying-ReLU lab, gradient-flow lab.

The live playground is in :mod:`actlab._widget_playground`.

Public entry points are in :mod:`actlab.widgets`; see there for the display
mechanism. Models are built once per architecture and cached for the life of
the widget; training reuses a ``tf.function`` traced once per model.
"""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter

from actlab import _widget_models as wm
from actlab._keras import keras
from actlab._validate import check_choice
from actlab._widget_base import _SLIDER_STYLE, Explorer, _new_figure, _slider


def _dropdown(description: str, options: Any, value: Any) -> widgets.Dropdown:
    return widgets.Dropdown(
        options=options,
        value=value,
        description=description,
        style=_SLIDER_STYLE,
        layout=widgets.Layout(width="300px"),
    )


def _busy(status: widgets.HTML, text: str) -> None:
    status.value = f"<i>{text}</i>"


# --------------------------------------------------------------------------- dying ReLU


DYING_ACTIVATIONS = ("relu", "leaky_relu", "elu", "gelu", "silu", "tanh")
FEW_DEAD = 0.05  # below this mean dead share the status line says the units keep learning


def _key(value: float) -> float:
    """A slider value as a cache key, to 10 significant digits.

    The browser and Python may compute ``10 ** exponent`` one ulp apart.
    """
    return float(f"{float(value):.10g}")


class DyingReluLab(Explorer):
    """Dead-unit fraction per layer before and after a short, possibly too aggressive training.

    See :func:`actlab.widgets.dying_relu_lab`. Attributes for tests: ``x``,
    ``y``, ``model`` (holding the weights trained for the displayed setting),
    ``result`` (dict with ``before``, ``after``, ``loss``, ``accuracy``,
    ``diverged``), ``bars_before`` / ``bars_after`` (Rectangles per layer),
    ``runs`` (how many settings were actually trained; cache hits do not count).
    """

    def __init__(
        self,
        *,
        activation: str,
        learning_rate: float,
        bias_init: float,
        depth: int,
        width: int,
        steps: int,
        seed: int,
    ):
        self.depth, self.width, self.steps, self.seed = depth, width, steps, seed
        controls: dict[str, widgets.Widget] = {
            "activation": _dropdown("activation", DYING_ACTIVATIONS, activation),
            "learning_rate": _slider(
                widgets.FloatLogSlider,
                "learning rate",
                value=learning_rate,
                base=10,
                min=-3,
                max=0.5,
                step=0.25,
                readout_format=".3g",
                continuous_update=False,
            ),
            "bias_init": _slider(
                widgets.FloatSlider,
                "bias init",
                value=bias_init,
                min=-3.0,
                max=1.0,
                step=0.25,
                continuous_update=False,
            ),
            "progress": widgets.IntProgress(value=0, min=0, max=steps),
        }
        self.x, self.y = wm.dataset("moons", seed=seed)
        figure, (ax,) = _new_figure(1, (8.0, 3.6))
        self.ax = ax
        positions = np.arange(depth)
        labels = [f"hidden_{i + 1}" for i in range(depth)]
        self.bars_before = list(
            ax.bar(
                positions - 0.2, np.zeros(depth), 0.4, color="0.75", label="dead at initialisation"
            )
        )
        self.bars_after = list(
            ax.bar(
                positions + 0.2, np.zeros(depth), 0.4, color="C3", label="dead after training"
            )
        )
        # dead: the activation's derivative is 0 at every training point (no_gradient_fractions)
        ax.set_xticks(positions, labels)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("fraction dead\n(no gradient at any point)", fontsize=9)
        ax.grid(True, axis="y", alpha=0.3)
        legend = ax.legend(fontsize=8, loc="upper left")
        ax.set_title(" ", fontsize=10)
        figure.tight_layout()
        self._cache: dict[tuple[str, float, float], dict[str, Any]] = {}
        self._trainers: dict[str, wm.Trainer] = {}
        self.runs = 0
        self.result: dict[str, Any] = {}
        super().__init__(
            figure, controls, rows=[["activation", "learning_rate"], ["bias_init", "progress"]]
        )
        self.animate(*self.bars_before, *self.bars_after, ax.title, legend)
        self._guarded(self._update)()
        self._watch(["activation", "learning_rate", "bias_init"], self._update)

    @property
    def setting(self) -> tuple[str, float, float]:
        """``(activation, learning rate, bias init)`` from the controls."""
        c = self.controls
        return (c["activation"].value, _key(c["learning_rate"].value), _key(c["bias_init"].value))

    def _trainer(self, activation: str) -> wm.Trainer:
        if activation not in self._trainers:
            model = wm.build_mlp(
                [self.width] * self.depth,
                [activation] * self.depth,
                kernel_initializer="he_uniform",
                seed=self.seed,
                name=f"dying_{activation}",
            )
            self._trainers[activation] = wm.Trainer(model, optimizer="adam", learning_rate=0.01)
        return self._trainers[activation]

    @property
    def model(self) -> Any:
        """The network of the selected activation, with the displayed setting's weights."""
        return self._trainer(self.controls["activation"].value).model

    def initial_weights(self, activation: str, bias_init: float) -> list[np.ndarray]:
        """The starting weights: the seeded kernels, hidden biases set to ``bias_init``."""
        trainer = self._trainer(activation)
        weights = [w.copy() for w in trainer.initial_weights]
        for i in range(self.depth):  # [kernel, bias] per Dense layer
            weights[2 * i + 1][...] = bias_init
        return weights

    def _train(
        self, activation: str, lr: float, bias: float, on_chunk: Any = None
    ) -> dict[str, Any]:
        """Train one setting from its seeded start; the trainer's model keeps the result."""
        trainer = self._trainer(activation)
        start = self.initial_weights(activation, bias)
        trainer.reset(start)
        trainer.set_learning_rate(lr)
        before = self.no_gradient_fractions(start, activation)
        loss = trainer.train(self.x, self.y, self.steps, chunks=5, on_chunk=on_chunk)
        weights = trainer.model.get_weights()
        diverged = not (math.isfinite(loss) and all(np.isfinite(w).all() for w in weights))
        return {
            "before": before,
            "after": self.no_gradient_fractions(weights, activation),
            "loss": loss,
            "accuracy": math.nan if diverged else trainer.accuracy(self.x, self.y),
            "diverged": diverged,
            "weights": weights,
        }

    def no_gradient_fractions(
        self, weights: list[np.ndarray], activation: str
    ) -> dict[str, float]:
        """Per hidden layer, the fraction of units that are dead: no gradient from any point.

        A hidden unit is dead when its activation's derivative is exactly 0 at
        every training point (``self.x``): no example sends it a gradient, so
        its own weights never change. Computed in float32 with the activation
        Keras trains with and its TensorFlow gradient (:func:`actlab.catalog.derivative`),
        so a derivative counts as 0 exactly where training's gradient is 0
        (TensorFlow computes ELU's gradient from its output as ``elu(x) + 1``,
        which is 0 in float32 below about -17.3, though ``exp(x)`` is not).
        For ReLU this is ``w·x + b <= 0`` for every point, the same count as
        :func:`actlab.dead_units`; leaky_relu, elu, gelu, silu and tanh keep a
        gradient for negative inputs, so their units are dead only where the
        float32 gradient is 0, far from zero.

        Args:
            weights: ``[kernel_1, bias_1, ..., kernel_out, bias_out]`` of the
                lab's network (as ``model.get_weights()``).
            activation: The hidden layers' activation, one of :data:`DYING_ACTIVATIONS`.

        Returns:
            ``{"hidden_1": fraction, ..., "hidden_<depth>": fraction}``, first layer first.
        """
        from actlab import catalog

        check_choice("activation", activation, DYING_ACTIVATIONS)
        if len(weights) != 2 * self.depth + 2:
            raise ValueError(
                f"weights must be the lab's {2 * self.depth + 2} arrays (kernel and bias of "
                f"{self.depth} hidden layers and the output). Received: {len(weights)} arrays."
            )
        ops = keras().ops
        f = catalog.get(activation).fn  # the function the lab's Dense layers call
        h = np.asarray(self.x, dtype=np.float32)
        fractions: dict[str, float] = {}
        for i in range(self.depth):
            kernel = np.asarray(weights[2 * i], dtype=np.float32)
            bias = np.asarray(weights[2 * i + 1], dtype=np.float32)
            z = ops.convert_to_numpy(ops.add(ops.matmul(h, kernel), bias))  # as Dense does
            dead = ~np.any(catalog.derivative(activation, z) != 0, axis=0)
            fractions[f"hidden_{i + 1}"] = float(np.mean(dead))
            h = np.asarray(ops.convert_to_numpy(f(z)), dtype=np.float32)
        return fractions

    def measure(
        self, activation: str, learning_rate: float, bias_init: float, *, trained: bool = True
    ) -> dict[str, Any]:
        """The result of a setting, with the dead fractions recomputed from its trained network.

        Exercise checks use this. A setting the lab has not trained yet is
        trained now (and cached, so moving the slider there later is instant);
        the displayed plot and ``model`` are left alone. ``before`` and
        ``after`` are :meth:`no_gradient_fractions` of the initial and of the
        trained weights, computed afresh, not read from the bars.

        Args:
            activation: One of :data:`DYING_ACTIVATIONS`.
            learning_rate: Adam learning rate.
            bias_init: Initial bias of every hidden unit.
            trained: False to skip training (and the cache) and return only ``before``.

        Returns:
            A dict with ``before``, ``after``, ``loss``, ``accuracy``, ``diverged``
            and ``weights`` (only ``before`` when ``trained`` is False).
        """
        check_choice("activation", activation, DYING_ACTIVATIONS)
        key = (activation, _key(learning_rate), _key(bias_init))
        before = self.no_gradient_fractions(self.initial_weights(activation, key[2]), activation)
        if not trained:
            return {"before": before}
        if key not in self._cache:
            shown = self._trainer(activation).model.get_weights()
            try:
                self._cache[key] = self._train(*key)
            finally:
                self._trainer(activation).model.set_weights(shown)
        result = dict(self._cache[key])
        result["before"] = before
        result["after"] = self.no_gradient_fractions(result["weights"], activation)
        return result

    def _update(self) -> None:
        key = self.setting
        activation, lr, bias = key
        trainer = self._trainer(activation)
        if key in self._cache:
            self.result = self._cache[key]
            trainer.model.set_weights(self.result["weights"])
            self._draw("cached")
            return
        progress = self.controls["progress"]
        progress.max, progress.value = self.steps, 0
        _busy(self.status, f"Training {activation} with learning rate {lr:.3g}…")

        def on_chunk(done: int, loss: float) -> None:
            progress.value = done

        self.result = self._train(activation, lr, bias, on_chunk)
        self._cache[key] = self.result
        self.runs += 1
        self._draw(f"trained {self.steps} Adam steps")

    def _draw(self, how: str) -> None:
        r = self.result
        for bar, value in zip(self.bars_before, r["before"].values(), strict=True):
            bar.set_height(value)
        for bar, value in zip(self.bars_after, r["after"].values(), strict=True):
            bar.set_height(value)
        activation, lr, bias = self.setting
        outcome = (
            "training diverged (loss is not finite): lower the learning rate"
            if r["diverged"]
            else f"loss {r['loss']:.3f}, accuracy {r['accuracy']:.0%}"
        )
        self.ax.set_title(f"{activation}, lr {lr:.3g}, bias init {bias:g}: {outcome}", fontsize=10)
        dead = np.mean(list(r["after"].values()))
        dead_before = np.mean(list(r["before"].values()))
        if activation == "relu":
            note = (
                " A ReLU unit whose input is below 0 for every point gets no gradient for its"
                " own weights: only a change in the layers before it (or Adam's momentum) can"
                " bring it back."
            )
        elif dead < FEW_DEAD:
            note = (
                f" {activation} still has a gradient for x < 0: a unit pushed below zero keeps"
                " learning and can come back."
            )
        else:
            note = (
                f" {activation}'s gradient is 0 in float32 only far from zero, but these units"
                " were pushed that far at every point, so their gradient is 0 in float32 at"
                " every point: they cannot learn their way back by themselves."
            )
        self.status.value = (
            f"{how}; mean fraction of units with no gradient at any training point (dead): "
            f"<b>{dead_before:.0%}</b> at initialisation, <b>{dead:.0%}</b> after training.{note}"
        )
        self.render()


# --------------------------------------------------------------------------- gradient flow


FLOW_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu")
FLOW_INITS = ("glorot_uniform", "he_normal", "lecun_normal", "random_normal")


class GradientFlowLab(Explorer):
    """Per-layer gradient norms at initialisation, on a log scale.

    See :func:`actlab.widgets.gradient_flow_lab`. Attributes for tests: ``x``,
    ``y``, ``loss`` (the Keras loss the norms are of), ``model`` (the Keras
    network of the current setting, built on first access), ``norms`` (the
    plotted ``{layer: norm}``), ``line``; ``computes`` counts settings computed
    (cache misses) and ``builds`` Keras models built.
    """

    def __init__(self, *, activation: str, depth: int, init: str, width: int, seed: int):
        self.width, self.seed = width, seed
        controls: dict[str, widgets.Widget] = {
            "activation": _dropdown("activation", FLOW_ACTIVATIONS, activation),
            "depth": _slider(
                widgets.IntSlider,
                "hidden layers",
                value=depth,
                min=2,
                max=30,
                continuous_update=False,
            ),
            "init": _dropdown("kernel init", FLOW_INITS, init),
        }
        x, y = wm.dataset("spirals", n=256, seed=seed)
        self.x, self.y = x, y.reshape(-1, 1)
        self.loss = keras().losses.BinaryCrossentropy(from_logits=True)
        figure, (ax,) = _new_figure(1, (8.0, 3.6))
        self.ax = ax
        (self.line,) = ax.plot([], [], "o-", color="C0", lw=2, ms=4)
        ax.set_yscale("log")
        # plain "1e-05" labels: mathtext labels (10^-5) make every full redraw ~2x slower
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0e}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("layer (input → output)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("‖∂loss/∂kernel‖₂")
        ax.grid(True, which="both", alpha=0.3)
        ax.set_title(" ", fontsize=10)
        figure.tight_layout()
        self._models: dict[tuple[str, int, str], Any] = {}
        self._norms: dict[tuple[str, int, str], dict[str, float]] = {}
        self.builds = self.computes = 0
        self.norms: dict[str, float] = {}
        super().__init__(figure, controls, rows=[["activation", "init"], ["depth"]])
        self.animate(self.line, ax.title)
        self._guarded(self._update)()
        self._watch(["activation", "depth", "init"], self._update)

    @property
    def setting(self) -> tuple[str, int, str]:
        """``(activation, depth, init)`` from the controls."""
        c = self.controls
        return (c["activation"].value, int(c["depth"].value), c["init"].value)

    def kernels(self, key: tuple[str, int, str]) -> list[np.ndarray]:
        """The initial kernels of the network for ``(activation, depth, init)``.

        The same seeds as :func:`~actlab._widget_models.build_mlp`, so
        ``self.model`` holds exactly these kernels.
        """
        _activation, depth, init = key
        shapes = [(2, self.width)] + [(self.width, self.width)] * (depth - 1) + [(self.width, 1)]
        return [wm.initial_kernel(init, self.seed + i, s) for i, s in enumerate(shapes)]

    def measure(self, activation: str, depth: int, init: str) -> dict[str, float]:
        """Per-layer gradient norms of a setting, computed afresh (no cache).

        Exercise checks use this to recompute what the lab shows: NumPy
        backprop on the seeded kernels, equal to ``actlab.gradient_norms`` on
        the lab's Keras model of that setting (tested).

        Args:
            activation: One of :data:`FLOW_ACTIVATIONS`.
            depth: Hidden layers.
            init: One of :data:`FLOW_INITS`.

        Returns:
            ``{"hidden_1": norm, ..., "output": norm}``, first layer first.
        """
        if activation not in FLOW_ACTIVATIONS or init not in FLOW_INITS:
            raise ValueError(
                f"activation must be one of {', '.join(FLOW_ACTIVATIONS)} and init one of "
                f"{', '.join(FLOW_INITS)}. Received: activation={activation!r}, init={init!r}."
            )
        key = (activation, int(depth), init)
        names = [f"hidden_{i + 1}" for i in range(key[1])] + ["output"]
        values = wm.mlp_gradient_norms(self.kernels(key), activation, self.x, self.y)
        return dict(zip(names, values, strict=True))

    @property
    def model(self) -> Any:
        """The (untrained) Keras network of the current setting, built once and cached."""
        key = self.setting
        if key not in self._models:
            activation, depth, init = key
            self._models[key] = wm.build_mlp(
                [self.width] * depth,
                [activation] * depth,
                kernel_initializer=init,
                seed=self.seed,
                name="gradient_flow",
            )
            self.builds += 1
        return self._models[key]

    def _update(self) -> None:
        key = self.setting
        if key not in self._norms:
            self._norms[key] = self.measure(*key)
            self.computes += 1
        self.norms = self._norms[key]
        values = np.array(list(self.norms.values()))
        layers = np.arange(1, len(values) + 1)
        self.line.set_data(layers, values)
        # x-limits in steps of 10 layers: depth moves within a decade keep the background
        self.ax.set_xlim(0.5, math.ceil(len(values) / 10) * 10 + 0.5)
        positive = values[values > 0]
        if positive.size:
            # whole decades, two spare ones below (deeper nets shrink the first layers'
            # norms): nearby settings keep the limits and so the cached background
            lo, hi = math.log10(positive.min()), math.log10(positive.max())
            cur_lo, cur_hi = (math.log10(v) for v in self.ax.get_ylim())
            need_lo, need_hi = math.floor(lo), math.ceil(hi + 1e-9)
            loose = (cur_hi - cur_lo) > (need_hi - need_lo) + 4
            if not (cur_lo <= lo and hi <= cur_hi) or loose:
                self.ax.set_ylim(10.0 ** (need_lo - 2), 10.0**need_hi)
        activation, depth, init = key
        ratio = values[0] / values[-1] if values[-1] > 0 else math.inf
        self.ax.set_title(
            f"{activation}, {depth} hidden layers, {init}: first/last layer = {ratio:.2g}",
            fontsize=10,
        )
        self.status.value = (
            f"Gradient norms at initialisation on {len(self.x)} points "
            f"(layer 1 = first hidden layer, last = output layer)."
        )
        self.render()
