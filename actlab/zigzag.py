"""Why zero-centred activations help: same-sign, zig-zag weight updates.

A neuron ``y = w1 * a1 + w2 * a2`` whose inputs ``a`` come from the previous
layer's activation gets the gradient ``dL/dw_i = dL/dy * a_i``. When every
``a_i`` is positive (sigmoid, ReLU, softplus...), all components of the update
share the sign of ``dL/dy``: in one step both weights go up or both go down.
To reach weights of opposite signs, such as ``(1, -1)``, gradient descent must
then zig-zag. With a zero-centred activation (tanh) the inputs take both signs
and a single update can move the weights in opposite directions.

:func:`two_weight_descent` runs this experiment with plain NumPy SGD, one
sample per step, so a notebook can plot the path and check the signs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from actlab._validate import check_int

__all__ = ["DescentPath", "two_weight_descent"]


@dataclass(frozen=True)
class DescentPath:
    """The weights of a 2-weight neuron along SGD.

    Attributes:
        activation: The activation whose outputs feed the neuron.
        inputs: ``(steps, 2)``, the neuron's inputs at each step.
        weights: ``(steps + 1, 2)``, the weights before the first step and after each step.
        target: ``(2,)``, the teacher weights the neuron learns.

    """

    activation: str
    inputs: np.ndarray
    weights: np.ndarray
    target: np.ndarray

    @property
    def updates(self) -> np.ndarray:
        """``(steps, 2)``: the change of the weights at each step."""
        return np.diff(self.weights, axis=0)

    @property
    def same_sign_fraction(self) -> float:
        """The share of updates (both components non-zero) whose two components share a sign."""
        u = self.updates
        moved = np.all(u != 0, axis=1)
        if not moved.any():
            return float("nan")
        return float(np.mean(np.sign(u[moved, 0]) == np.sign(u[moved, 1])))

    @property
    def path_ratio(self) -> float:
        """Length of the path walked divided by the straight distance from start to end (>= 1)."""
        walked = float(np.sum(np.linalg.norm(self.updates, axis=1)))
        straight = float(np.linalg.norm(self.weights[-1] - self.weights[0]))
        return walked / straight if straight > 0 else float("inf")

    @property
    def final_distance(self) -> float:
        """Distance from the last weights to the target."""
        return float(np.linalg.norm(self.weights[-1] - self.target))


def two_weight_descent(
    activation: str = "sigmoid",
    *,
    target: tuple[float, float] = (1.0, -1.0),
    steps: int = 60,
    lr: float = 0.5,
    seed: int = 0,
) -> DescentPath:
    """Train ``y = w . a`` with ``a = activation(z)``, ``z ~ N(0, 1)^2``, by SGD from ``w = 0``.

    The loss of one sample is ``(w . a - target . a)^2 / 2``, so one step is
    ``w -= lr * (w . a - target . a) * a``: a multiple of the input ``a``.

    Args:
        activation: An ``actlab.catalog`` name (``"sigmoid"``, ``"tanh"``...).
        target: The teacher weights.
        steps: SGD steps, one sample each.
        lr: Learning rate (keep ``lr * |a|^2 < 2`` for stability; 0.5 is safe
            for activations bounded by 1).
        seed: Seed of the pre-activations ``z`` (the same ``z`` for every
            activation, so runs differ only by the activation).

    Returns:
        The :class:`DescentPath`.

    Raises:
        ValueError: For an unknown activation name, ``steps < 1`` or ``lr <= 0``.

    """
    from actlab import catalog

    rec = catalog.get(activation)
    steps = check_int("steps", steps, low=1)
    if not lr > 0:
        raise ValueError(f"lr must be positive. Received: lr={lr!r}.")
    goal = np.asarray(target, dtype="float64")
    if goal.shape != (2,):
        raise ValueError(f"target must hold two numbers. Received: target={target!r}.")
    z = np.random.default_rng(seed).normal(size=(steps, 2)).astype("float32")
    a = np.asarray(rec(z), dtype="float64")
    w = np.zeros((steps + 1, 2))
    for i, a_i in enumerate(a):
        error = (w[i] - goal) @ a_i
        w[i + 1] = w[i] - lr * error * a_i
    return DescentPath(rec.name, a, w, goal)
