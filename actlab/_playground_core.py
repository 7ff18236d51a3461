"""The live playground's model: settings, data, a NumPy MLP and its deterministic training.

No widgets and no TensorFlow in the training loop: a network of the playground's
size (2 inputs, up to 4 hidden layers of up to 16 units, one logit) trains
thousands of steps per second in NumPy, so the widget can animate it and an
exercise checker can re-train a setting in milliseconds.

* :func:`check_settings` validates a settings dict (the keys are the names of the
  playground's controls) and fills in defaults.
* :func:`make_data` gives the train/test split of a data set, the plane shown
  and the grid the decision boundary and the unit maps are drawn on.
* :class:`Network` is the MLP with its optimizer state.
* :func:`train_playground` trains a setting from its seeded initial weights:
  same settings, same number of steps, same weights, bit for bit.

Each activation's formula and derivative come from
:func:`actlab.catalog.numpy_pair`; the initial kernels are the seeded Keras
Glorot-uniform kernels of :func:`actlab._widget_models.initial_kernel` (the
Keras model :func:`~actlab._widget_models.build_mlp` builds for the same seed
holds the same ones).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from actlab import _widget_models as wm
from actlab import catalog, data
from actlab._validate import check_choice, check_int, check_range

DATASETS = ("circles", "xor", "gaussian", "spirals", "moons")
OPTIMIZERS = ("adam", "sgd")
BATCH_SIZES = (0, 1, 4, 8, 16, 32, 64, 128)
"""Batch sizes the playground offers; 0 means full batch (every training point)."""
MAX_DEPTH = 4
MAX_WIDTH = 16
N_POINTS = 400
GRID = 60
"""The decision boundary and the unit maps are computed on ``GRID x GRID`` points."""
LEARNING_RATE_RANGE = (1e-4, 10.0)
NOISE_RANGE = (0.0, 0.5)
TEST_FRACTION_RANGE = (0.1, 0.9)
L2_RANGE = (0.0, 0.1)
MAX_SEED = 2**31 - 1

ADAM_BETA_1, ADAM_BETA_2, ADAM_EPSILON = 0.9, 0.999, 1e-7
"""Keras's Adam defaults."""

DEFAULT_SETTINGS: dict[str, Any] = {
    "dataset": "circles",
    "noise": 0.05,
    "test_fraction": 0.3,
    "depth": 2,
    "width": 8,
    **{f"activation_{i + 1}": "relu" for i in range(MAX_DEPTH)},
    "learning_rate": 0.03,
    "optimizer": "adam",
    "batch_size": 0,
    "l2": 0.0,
    "seed": 0,
}
"""Every setting of the playground, with its default. The keys are control names."""


# --------------------------------------------------------------------------- settings


def _choice(name: str, value: Any, options: tuple[Any, ...]) -> Any:
    """``value`` if it is one of ``options`` (strings or numbers), else a ValueError."""
    if isinstance(value, str):
        return check_choice(name, value, [str(o) for o in options])
    if isinstance(value, bool) or value not in options:
        raise ValueError(
            f"{name} must be one of {', '.join(map(repr, options))}. Received: {name}={value!r}."
        )
    return value


def check_settings(settings: Mapping[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """Validate playground settings and fill in the defaults.

    Args:
        settings: A dict with any of the keys of :data:`DEFAULT_SETTINGS` (for
            example ``Playground.settings()``); missing keys take the default.
        **overrides: Settings that replace those of ``settings``.

    Returns:
        A new dict with every key of :data:`DEFAULT_SETTINGS`, activation names
        in their canonical form and numbers as plain Python numbers.

    Raises:
        ValueError: An unknown key, or a value outside its control's range
            (the message names the key and what it received).
    """
    given = {**(settings or {}), **overrides}
    unknown = sorted(set(given) - set(DEFAULT_SETTINGS))
    if unknown:
        raise ValueError(
            f"Unknown playground setting(s): {', '.join(map(repr, unknown))}. "
            f"Known: {', '.join(DEFAULT_SETTINGS)}."
        )
    s = {**DEFAULT_SETTINGS, **given}
    out: dict[str, Any] = {
        "dataset": _choice("dataset", s["dataset"], DATASETS),
        "noise": check_range("noise", s["noise"], *NOISE_RANGE),
        "test_fraction": check_range("test_fraction", s["test_fraction"], *TEST_FRACTION_RANGE),
        "depth": check_int("depth", s["depth"], low=1, high=MAX_DEPTH),
        "width": check_int("width", s["width"], low=1, high=MAX_WIDTH),
    }
    for i in range(MAX_DEPTH):
        key = f"activation_{i + 1}"
        out[key] = catalog.canonical_name(s[key])
    out["learning_rate"] = check_range("learning_rate", s["learning_rate"], *LEARNING_RATE_RANGE)
    out["optimizer"] = _choice("optimizer", s["optimizer"], OPTIMIZERS)
    out["batch_size"] = check_int("batch_size", s["batch_size"], low=0, high=1024)
    out["l2"] = check_range("l2", s["l2"], *L2_RANGE)
    out["seed"] = check_int("seed", s["seed"], low=0, high=MAX_SEED)
    return out


def activations_of(settings: Mapping[str, Any]) -> list[str]:
    """The activation of each hidden layer (``activation_1`` .. ``activation_<depth>``)."""
    return [settings[f"activation_{i + 1}"] for i in range(int(settings["depth"]))]


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class PlaygroundData:
    """A data set split into train and test points, and the plane it is drawn on.

    Attributes:
        x_train, y_train, x_test, y_test: float64 points ``(n, 2)``, 0/1 float64 labels.
        extent: ``(x_min, x_max, y_min, y_max)`` of the plane shown.
        grid: The ``GRID * GRID`` points of the plane, row by row from the bottom.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    extent: tuple[float, float, float, float]
    grid: np.ndarray


def _points(name: str, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``N_POINTS`` points of a data set; ``noise`` is the std of the jitter in plane units."""
    if name == "circles":
        return data.make_circles(N_POINTS, noise=noise, seed=seed)
    if name == "moons":
        x, y = data.make_moons(N_POINTS, noise=noise, seed=seed)
        return x - np.array([0.5, 0.25], "float32"), y  # centred on the origin
    if name == "spirals":  # make_spirals jitters by 0.1 * noise before we scale by 1.5
        x, y = data.make_spirals(N_POINTS, noise=noise / 0.15, seed=seed)
        return x * 1.5, y
    if name == "xor":
        return data.make_xor(N_POINTS, noise=noise, seed=seed)
    return data.make_gaussians(N_POINTS, noise=noise, seed=seed)


@functools.lru_cache(maxsize=64)
def _data(name: str, noise: float, test_fraction: float, seed: int) -> PlaygroundData:
    x, y = _points(name, noise, seed)
    x, y = np.asarray(x, "float64"), np.asarray(y, "float64")
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(round(test_fraction * len(x)))
    test, train = order[:n_test], order[n_test:]
    # the plane: the points' box plus a margin, in steps of 0.5 so that small noise
    # changes keep the same axes (and the widget's cached background)
    lo = np.floor((x.min(axis=0) - 0.25) * 2) / 2
    hi = np.ceil((x.max(axis=0) + 0.25) * 2) / 2
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID))
    grid = np.c_[gx.ravel(), gy.ravel()]
    arrays = [x[train], y[train], x[test], y[test], grid]
    for a in arrays:
        a.setflags(write=False)
    extent = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
    return PlaygroundData(arrays[0], arrays[1], arrays[2], arrays[3], extent, arrays[4])


def make_data(settings: Mapping[str, Any]) -> PlaygroundData:
    """The data of a setting: ``dataset``, ``noise``, ``test_fraction``, ``seed`` (cached).

    The points come from :mod:`actlab.data` (``make_circles``, ``make_xor``,
    ``make_gaussians``, ``make_spirals``, ``make_moons``), ``N_POINTS`` of them,
    with Gaussian jitter of standard deviation ``noise``; a seeded permutation
    puts ``test_fraction`` of them in the test set.
    """
    s = check_settings(settings)
    return _data(s["dataset"], s["noise"], s["test_fraction"], s["seed"])


# --------------------------------------------------------------------------- network


def initial_weights(depth: int, width: int, seed: int) -> list[np.ndarray]:
    """The seeded starting weights ``[kernel_1, bias_1, ..., kernel_out, bias_out]``.

    Kernels are Keras's Glorot-uniform with seed ``seed + layer index`` (as
    :func:`actlab._widget_models.build_mlp`), biases are zero.
    """
    shapes = [(2, width)] + [(width, width)] * (depth - 1) + [(width, 1)]
    weights: list[np.ndarray] = []
    for i, shape in enumerate(shapes):
        weights.append(np.array(wm.initial_kernel("glorot_uniform", seed + i, shape)))
        weights.append(np.zeros(shape[1]))
    return weights


def _softplus(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class Network:
    """A 2-input MLP with one logit, its optimizer state, trained in NumPy (float64).

    ``h_i = f_i(h_{i-1} @ W_i + b_i)`` for the hidden layers, ``o = h @ W_out +
    b_out``; the loss is the mean binary cross-entropy of ``sigmoid(o)``
    (Keras's ``BinaryCrossentropy(from_logits=True)``) plus ``l2 * sum(W ** 2)``
    over the kernels (Keras's ``L2`` regulariser). Adam follows
    ``keras.optimizers.Adam`` step for step (same defaults), SGD is plain
    ``w -= learning_rate * grad``. Mini-batches walk through seeded
    permutations of the training points, so training is deterministic.

    Args:
        settings: Checked settings (see :func:`check_settings`).
    """

    def __init__(self, settings: Mapping[str, Any]):
        s = check_settings(settings)
        self.depth, self.width, self.seed = s["depth"], s["width"], s["seed"]
        self.activations = activations_of(s)
        self._pairs: list[tuple[Callable[..., np.ndarray], ...]] = [
            catalog.numpy_pair(a) for a in self.activations
        ]
        # the weights are views into one flat vector (and the gradients into another),
        # so an Adam step is a handful of NumPy calls whatever the depth
        initial = initial_weights(self.depth, self.width, self.seed)
        self._flat = np.concatenate([w.ravel() for w in initial])
        self._flat_grad = np.zeros_like(self._flat)
        self.weights = self._views(self._flat, [w.shape for w in initial])
        self._grads = self._views(self._flat_grad, [w.shape for w in initial])
        self.learning_rate = s["learning_rate"]
        self.l2 = s["l2"]
        self.batch_size = s["batch_size"]
        self.optimizer = s["optimizer"]
        self._m = np.zeros_like(self._flat)
        self._v = np.zeros_like(self._flat)
        self._adam_steps = 0
        self.steps = 0
        self._rng = np.random.default_rng(self.seed)
        self._order = np.empty(0, dtype="int64")
        self._pos = 0

    # -- live settings -------------------------------------------------------

    def set_optimizer(self, name: str) -> None:
        """Switch optimizer; switching to Adam starts its moments from zero."""
        name = _choice("optimizer", name, OPTIMIZERS)
        if name != self.optimizer:
            self.optimizer = name
            self._m[...] = 0.0
            self._v[...] = 0.0
            self._adam_steps = 0

    @staticmethod
    def _views(flat: np.ndarray, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
        out, start = [], 0
        for shape in shapes:
            size = int(np.prod(shape))
            out.append(flat[start : start + size].reshape(shape))
            start += size
        return out

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Copy ``weights`` (same shapes as :attr:`weights`) into the network."""
        for w, new in zip(self.weights, weights, strict=True):
            w[...] = new

    # -- maths ---------------------------------------------------------------

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """``(logits, pre-activations, hidden outputs)`` for the points ``x``."""
        h = np.asarray(x, dtype="float64")
        pre, hidden = [], []
        for i, (f, _df) in enumerate(self._pairs):
            z = h @ self.weights[2 * i] + self.weights[2 * i + 1]
            h = f(z)
            pre.append(z)
            hidden.append(h)
        logits = (h @ self.weights[-2] + self.weights[-1]).reshape(-1)
        return logits, pre, hidden

    def hidden_outputs(self, x: np.ndarray) -> list[np.ndarray]:
        """Each hidden layer's output ``(n, width)`` for the points ``x``."""
        with np.errstate(all="ignore"):
            return self.forward(x)[2]

    def proba(self, x: np.ndarray) -> np.ndarray:
        """P(class 1) for each point of ``x``."""
        with np.errstate(all="ignore"):
            return _sigmoid(self.forward(x)[0])

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        """Mean binary cross-entropy on ``(x, y)`` (without the L2 term)."""
        with np.errstate(all="ignore"):
            logits = self.forward(x)[0]
            return float(np.mean(_softplus(logits) - y * logits))

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        """Fraction of points on the right side of P = 0.5."""
        with np.errstate(all="ignore"):
            return float(np.mean((self.forward(x)[0] > 0) == (np.asarray(y) > 0.5)))

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """``(loss, d loss / d weights)`` on a batch, L2 term included.

        The gradient arrays are reused by the next call: copy them to keep them.
        """
        logits, pre, hidden = self.forward(x)
        y = np.asarray(y, dtype="float64").reshape(-1)
        n = len(logits)
        loss = float(np.mean(_softplus(logits) - y * logits))
        kernels = self.weights[0::2]
        if self.l2:
            loss += self.l2 * float(sum(np.sum(k * k) for k in kernels))
        delta = ((_sigmoid(logits) - y) / n).reshape(-1, 1)
        inputs = [np.asarray(x, dtype="float64"), *hidden]
        grads = self._grads  # views into one flat buffer, overwritten by every call
        np.matmul(inputs[-1].T, delta, out=grads[-2])
        np.sum(delta, axis=0, out=grads[-1])
        back = delta @ self.weights[-2].T
        for i in range(self.depth - 1, -1, -1):
            dz = back * self._pairs[i][1](pre[i])
            np.matmul(inputs[i].T, dz, out=grads[2 * i])
            np.sum(dz, axis=0, out=grads[2 * i + 1])
            if i:
                back = dz @ self.weights[2 * i].T
        if self.l2:
            for j in range(0, len(grads), 2):
                grads[j] += 2.0 * self.l2 * self.weights[j]
        return loss, grads

    def _batch(self, n: int) -> np.ndarray | None:
        size = self.batch_size
        if size == 0 or size >= n:
            return None
        if self._pos + size > len(self._order) or len(self._order) != n:
            self._order = self._rng.permutation(n)
            self._pos = 0
        idx = self._order[self._pos : self._pos + size]
        self._pos += size
        return idx

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One optimizer step on the next batch of ``(x, y)``; returns that batch's loss."""
        idx = self._batch(len(x))
        if idx is not None:
            x, y = x[idx], y[idx]
        with np.errstate(all="ignore"):  # a diverging run is reported, not warned about
            loss, _grads = self.gradients(x, y)
            g, w, lr = self._flat_grad, self._flat, self.learning_rate
            if self.optimizer == "sgd":
                w -= lr * g
            else:
                self._adam_steps += 1
                t = self._adam_steps
                alpha = lr * math.sqrt(1.0 - ADAM_BETA_2**t) / (1.0 - ADAM_BETA_1**t)
                m, v = self._m, self._v
                m += (g - m) * (1.0 - ADAM_BETA_1)
                v += (g * g - v) * (1.0 - ADAM_BETA_2)
                w -= alpha * m / (np.sqrt(v) + ADAM_EPSILON)
        self.steps += 1
        return loss

    def train(self, x: np.ndarray, y: np.ndarray, steps: int) -> float:
        """Run up to ``steps`` steps; stop early when the loss stops being finite.

        Returns:
            The loss of the last step (NaN or inf when training diverged).
        """
        loss = math.nan
        for _ in range(steps):
            loss = self.step(x, y)
            if not math.isfinite(loss):
                break
        return loss

    @property
    def finite(self) -> bool:
        """True while every weight is a finite number."""
        return all(bool(np.isfinite(w).all()) for w in self.weights)


def zero_units(*hidden_sets: list[np.ndarray]) -> list[list[int]]:
    """Per hidden layer, the units whose output is exactly 0 at every point of every set.

    Each argument is one point set's hidden outputs (``Network.hidden_outputs``),
    one ``(n, width)`` array per layer.
    """
    return [
        [int(j) for j in np.flatnonzero(~np.any(np.vstack(layer) != 0, axis=0))]
        for layer in zip(*hidden_sets, strict=True)
    ]


def dead_units(network: Network, grid: np.ndarray, x_train: np.ndarray) -> list[list[int]]:
    """Per hidden layer, the units whose output is exactly 0 on ``grid`` and on ``x_train``.

    A ReLU unit (or relu6, hard_sigmoid, hard_silu) that outputs 0 at every
    training point gets no gradient from any of them: it is dead. The playground
    also asks for 0 at every point of the ``GRID x GRID`` grid drawn, so a dead
    unit's map is blank. For a first-layer unit, ``relu(w·x + b)``, that means 0
    on the whole square drawn: ``w·x + b`` is linear, so ``<= 0`` at the grid's
    four corners means ``<= 0`` everywhere between them. Not on the whole plane:
    unless ``w = 0``, ``w·x + b`` is positive on a half-plane, which then lies
    outside the square. A unit of a deeper layer is not linear in ``x``: it may
    be non-zero between grid points, away from the training points.
    """
    return zero_units(network.hidden_outputs(grid), network.hidden_outputs(x_train))


# --------------------------------------------------------------------------- the pure function


@dataclass(frozen=True)
class PlaygroundResult:
    """What :func:`train_playground` returns.

    Attributes:
        settings: The checked settings.
        steps: Steps actually trained (fewer than asked when training diverged).
        weights: ``[kernel_1, bias_1, ..., kernel_out, bias_out]`` (float64).
        train_loss: Mean cross-entropy on the training points (NaN if diverged).
        test_loss: The same on the test points.
        train_accuracy: Fraction of training points classified right.
        test_accuracy: The same on the test points.
        diverged: True when the loss stopped being a finite number.
        dead_units: Per hidden layer, the indices of units that output 0 at
            every training point and every point of the grid drawn
            (:func:`dead_units`).
    """

    settings: dict[str, Any]
    steps: int
    weights: list[np.ndarray]
    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float
    diverged: bool
    dead_units: list[list[int]]


def summarise(network: Network, d: PlaygroundData, settings: dict[str, Any]) -> PlaygroundResult:
    """The :class:`PlaygroundResult` of a network in its current state."""
    finite = network.finite
    nan = math.nan
    train_loss = network.loss(d.x_train, d.y_train) if finite else nan
    diverged = not (finite and math.isfinite(train_loss))
    return PlaygroundResult(
        settings=dict(settings),
        steps=network.steps,
        weights=[w.copy() for w in network.weights],
        train_loss=nan if diverged else train_loss,
        test_loss=nan if diverged else network.loss(d.x_test, d.y_test),
        train_accuracy=nan if diverged else network.accuracy(d.x_train, d.y_train),
        test_accuracy=nan if diverged else network.accuracy(d.x_test, d.y_test),
        diverged=diverged,
        dead_units=[] if diverged else dead_units(network, d.grid, d.x_train),
    )


def train_playground(settings: Mapping[str, Any] | None, steps: int) -> PlaygroundResult:
    """Train a playground setting from its seeded initial weights, deterministically.

    The same settings and number of steps give the same weights, bit for bit,
    as pressing Step (or Play, then Pause at that step) in a
    :class:`~actlab.widgets.Playground` with those settings. Pure: nothing is
    cached but the data set and the initial kernels. A 2x8 network trains
    several thousand steps per second.

    Args:
        settings: Playground settings (``Playground.settings()``, or a dict
            with any of the keys of :data:`DEFAULT_SETTINGS`; missing ones take
            the default).
        steps: Number of training steps, 0 to 100000.

    Returns:
        A :class:`PlaygroundResult` (train/test accuracy and loss, weights,
        dead units, whether training diverged).

    Raises:
        ValueError: A bad setting or number of steps.
    """
    s = check_settings(settings)
    steps = check_int("steps", steps, low=0, high=100_000)
    d = make_data(s)
    net = Network(s)
    net.train(d.x_train, d.y_train, steps)
    return summarise(net, d, s)
