"""Private helpers for :mod:`actlab.widgets`: the math and the tiny models behind the sliders.

Everything here is built once per widget (or once per setting and cached) so
that a slider move only runs cheap code: one forward pass, one cached result
look-up, or a few training steps of an already traced ``tf.function``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from actlab import catalog
from actlab._keras import keras, tf
from actlab.models import mlp, seeded_initializer

#: Activations whose shape is controlled by an explorer slider: name -> parameter.
PARAMETRIC = {"leaky_relu": "negative_slope", "elu": "alpha", "silu": "beta"}


def activation_fn(name: str, params: dict[str, float]) -> Callable[[Any], Any]:
    """The activation ``name`` as a Keras-ops callable, with slider parameters applied.

    * ``leaky_relu(x) = x if x > 0 else negative_slope * x``
    * ``elu(x) = x if x > 0 else alpha * (exp(x) - 1)``
    * ``silu(x) = x * sigmoid(beta * x)`` (swish with a temperature; beta = 1 is SiLU)

    Other activations come unchanged from :mod:`actlab.catalog`.

    Args:
        name: A catalogue name (aliases allowed).
        params: Parameter values by name (``negative_slope``, ``alpha``, ``beta``);
            missing ones fall back to the Keras defaults.

    Returns:
        A callable on tensors.
    """
    name = catalog.canonical_name(name)
    k = keras()
    if name == "leaky_relu":
        slope = float(params.get("negative_slope", 0.2))
        return lambda x: k.activations.leaky_relu(x, negative_slope=slope)
    if name == "elu":
        alpha = float(params.get("alpha", 1.0))
        return lambda x: k.activations.elu(x, alpha=alpha)
    if name == "silu":
        beta = float(params.get("beta", 1.0))
        return lambda x: x * k.ops.sigmoid(beta * x)
    return catalog.get(name).fn


def curve(name: str, x: np.ndarray, params: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Values and derivative (by autodiff) of an activation on the points ``x``.

    Args:
        name: A catalogue name.
        x: 1-D float array of input points.
        params: Slider parameters, see :func:`activation_fn`.

    Returns:
        ``(f(x), f'(x))`` as float64 NumPy arrays.
    """
    t = tf()
    fn = activation_fn(name, params)
    xt = t.convert_to_tensor(np.asarray(x, dtype="float32"))
    with t.GradientTape() as tape:
        tape.watch(xt)
        y = fn(xt)
    dy = tape.gradient(y, xt)
    return np.asarray(y, dtype="float64"), np.asarray(dy, dtype="float64")


def softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(z / T)`` with Keras ops, as a float64 array that sums to 1."""
    k = keras()
    z = np.asarray(logits, dtype="float64") / float(temperature)
    return np.asarray(k.ops.convert_to_numpy(k.ops.softmax(z)), dtype="float64")


def dataset(name: str, n: int = 300, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """One of the 2-D data sets of :mod:`actlab.data`, by name."""
    from actlab import data

    makers = {"circles": data.make_circles, "moons": data.make_moons, "spirals": data.make_spirals}
    if name not in makers:
        raise ValueError(
            f"Unknown data set: {name!r}. Choose one of {', '.join(map(repr, makers))}."
        )
    x, y = makers[name](n, seed=seed)
    if name == "spirals":  # make_spirals scales to about [-1, 1]; the others span ~[-1.5, 2.5]
        x = x * 1.5
    return x.astype("float32"), y.astype("float32")


def build_mlp(
    widths: Sequence[int],
    activations: Sequence[str],
    *,
    kernel_initializer: str = "glorot_uniform",
    seed: int = 0,
    name: str = "mlp",
) -> Any:
    """A 2-input binary classifier: ``actlab.models.mlp(2, widths, activations, ...)``.

    Hidden ``Dense`` layers ``hidden_1``..., then ``Dense(1)`` logits named
    ``output``; layer ``i`` (from 0, the output layer last) is seeded with
    ``seed + i`` through :func:`actlab.models.seeded_initializer`.

    Args:
        widths: Units per hidden layer.
        activations: One activation name per hidden layer.
        kernel_initializer: A Keras initializer name for every kernel.
        seed: Base seed, so the same arguments give the same weights.
        name: Model name.

    Returns:
        A built ``keras.Sequential``.
    """
    return mlp(
        2, widths, list(activations), kernel_initializer=kernel_initializer, seed=seed, name=name
    )


# --------------------------------------------------------------------------- gradient flow


@functools.lru_cache(maxsize=1024)
def initial_kernel(init: str, seed: int, shape: tuple[int, int]) -> np.ndarray:
    """The kernel a seeded Keras initializer gives, as a read-only float64 array (cached).

    :func:`build_mlp` seeds layer ``i`` with ``seed + i``, so its model holds
    exactly these kernels.

    Args:
        init: A Keras initializer name, e.g. ``"glorot_uniform"``.
        seed: The initializer's seed.
        shape: ``(fan_in, fan_out)``.

    Returns:
        The kernel.
    """
    values = seeded_initializer(init, seed)(shape, dtype="float32")
    kernel = np.asarray(keras().ops.convert_to_numpy(values), "float64")
    kernel.setflags(write=False)
    return kernel


def mlp_gradient_norms(
    kernels: Sequence[np.ndarray], activation: str, x: np.ndarray, y: np.ndarray
) -> list[float]:
    """``||d loss / d kernel||_2`` per layer of a :func:`build_mlp` network, by NumPy backprop.

    The network is ``h = f(h @ W_i)`` for the hidden kernels (biases are zero at
    initialisation), then logits ``o = h @ W_out``; the loss is Keras's
    ``BinaryCrossentropy(from_logits=True)``, the mean over the batch, whose
    gradient with respect to ``o`` is ``(sigmoid(o) - y) / n``. Computed in
    float64 without building a Keras model, so a new setting of
    :func:`actlab.widgets.gradient_flow_lab` costs milliseconds; the tests check
    it against ``actlab.gradient_norms`` on the same Keras model.

    Args:
        kernels: Hidden kernels, first to last, then the output kernel ``(width, 1)``.
        activation: A catalogue name; its NumPy formula and derivative come from
            :func:`actlab.catalog.numpy_pair`.
        x: Inputs, shape ``(n, kernels[0].shape[0])``.
        y: 0/1 labels, shape ``(n, 1)``.

    Returns:
        One norm per kernel, in the same order.
    """
    f, df = catalog.numpy_pair(activation)
    sigmoid = catalog.numpy_pair("sigmoid")[0]
    h = np.asarray(x, dtype="float64")
    inputs, pre = [h], []
    for kernel in kernels[:-1]:
        z = h @ kernel
        pre.append(z)
        h = f(z)
        inputs.append(h)
    logits = h @ kernels[-1]
    delta = (sigmoid(logits) - np.asarray(y, dtype="float64").reshape(logits.shape)) / logits.size
    grads: list[np.ndarray] = [inputs[-1].T @ delta]
    back = delta @ kernels[-1].T
    for i in range(len(kernels) - 2, -1, -1):
        dz = back * df(pre[i])
        grads.append(inputs[i].T @ dz)
        back = dz @ kernels[i].T
    return [float(np.linalg.norm(g)) for g in reversed(grads)]


class Trainer:
    """Trains one binary classifier (logit output) in fixed-size chunks of full-batch steps.

    The training step is a ``tf.function`` traced once per model, so changing
    the learning rate or restoring weights never re-traces it.

    Args:
        model: A model built by :func:`build_mlp` (owned by the widget).
        optimizer: ``"adam"`` or ``"sgd"``.
        learning_rate: Initial learning rate.
    """

    def __init__(self, model: Any, *, optimizer: str = "adam", learning_rate: float = 0.03):
        k, t = keras(), tf()
        self.model = model
        self.initial_weights = [w.copy() for w in model.get_weights()]
        make = {"adam": k.optimizers.Adam, "sgd": k.optimizers.SGD}[optimizer]
        self.optimizer = make(learning_rate=learning_rate)
        self.optimizer.build(model.trainable_variables)
        self._opt_initial = [np.asarray(v.numpy()) for v in self.optimizer.variables]
        loss_fn = k.losses.BinaryCrossentropy(from_logits=True)
        variables = model.trainable_variables
        opt = self.optimizer

        def one_step(x: Any, y: Any) -> Any:
            with t.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=True))
            grads = tape.gradient(loss, variables)
            opt.apply(grads, variables)
            return loss

        @t.function(reduce_retracing=True)
        def chunk(x: Any, y: Any, n: Any) -> Any:
            loss = t.constant(0.0)
            for _ in t.range(n):
                loss = one_step(x, y)
            return loss

        self._chunk = chunk
        self.steps_done = 0

    def reset(self, weights: list[np.ndarray] | None = None) -> None:
        """Restore the initial (or the given) weights and zero the optimizer state."""
        self.model.set_weights(self.initial_weights if weights is None else weights)
        lr = float(np.asarray(self.optimizer.learning_rate))
        for v, init in zip(self.optimizer.variables, self._opt_initial, strict=True):
            v.assign(init)
        self.optimizer.learning_rate = lr
        self.steps_done = 0

    def set_learning_rate(self, lr: float) -> None:
        """Change the learning rate (a variable: no re-tracing)."""
        self.optimizer.learning_rate = float(lr)

    def train(
        self,
        x: np.ndarray,
        y: np.ndarray,
        steps: int,
        *,
        chunks: int = 1,
        on_chunk: Callable[[int, float], None] | None = None,
    ) -> float:
        """Run ``steps`` full-batch steps, calling ``on_chunk(steps_so_far, loss)`` per chunk.

        Returns:
            The loss of the last step.
        """
        t = tf()
        xt = t.convert_to_tensor(x)
        yt = t.convert_to_tensor(np.asarray(y, dtype="float32").reshape(-1, 1))
        chunks = max(1, min(int(chunks), int(steps)))
        sizes = [steps // chunks + (1 if i < steps % chunks else 0) for i in range(chunks)]
        loss = float("nan")
        done = 0
        for size in sizes:
            loss = float(self._chunk(xt, yt, t.constant(size)))
            done += size
            self.steps_done += size
            if on_chunk is not None:
                on_chunk(done, loss)
        return loss

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Predicted probability of class 1 for each row of ``x`` (float64, shape ``(n,)``)."""
        logits = np.asarray(self.model(x, training=False), dtype="float64").reshape(-1)
        return 0.5 * (1.0 + np.tanh(0.5 * logits))  # sigmoid without overflow warnings

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        """Fraction of points classified correctly (threshold 0.5)."""
        return float(np.mean((self.proba(x) > 0.5) == (np.asarray(y) > 0.5)))
