"""Why the sign of a layer's outputs shapes the next layer's updates: same-sign, zig-zag steps.

A neuron ``y = w1 * a1 + w2 * a2`` whose inputs ``a`` come from the previous
layer's activation gets the gradient ``dL/dw_i = dL/dy * a_i``. When no ``a_i``
is negative (sigmoid, ReLU, softplus...), every step that moves both weights
moves them the same way, both up or both down (a ReLU output of 0 leaves its
weight alone). When the outputs are also alike (sigmoid's stay near 0.5), each
step points nearly along ``(1, 1)``, and weights of opposite signs, such as
``(1, -1)``, are reached by zig-zagging. Outputs of both signs (tanh) let a
single step move the weights in opposite directions.

The size of the outputs matters too: one step multiplies the error on its own
sample by ``1 - lr * |a|^2``. With ``1 < lr * |a|^2 <= 2`` the step passes its
sample's optimum but the error shrinks; with ``lr * |a|^2 > 2`` the step
diverges on its own sample (that error changes sign and grows) and lengthens
the path whatever the signs.

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
        lr: The learning rate of the run.

    """

    activation: str
    inputs: np.ndarray
    weights: np.ndarray
    target: np.ndarray
    lr: float

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
    def overshoot_steps(self) -> int:
        """The number of steps with ``lr * |a|^2 > 2``: each diverges on its own sample.

        Such a step's error on its own sample changes sign and grows. (A step with
        ``1 < lr * |a|^2 <= 2`` also passes that sample's optimum, but shrinks the error;
        it is not counted.)
        """
        return int(np.sum(self.lr * np.sum(self.inputs**2, axis=1) > 2))

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
    steps: int = 300,
    lr: float = 0.05,
    seed: int = 0,
) -> DescentPath:
    """Train ``y = w . a`` with ``a = activation(z)``, ``z ~ N(0, 1)^2``, by SGD from ``w = 0``.

    The loss of one sample is ``(w . a - target . a)^2 / 2``, so one step is
    ``w -= lr * (w . a - target . a) * a``: a multiple of the input ``a``.

    Args:
        activation: An ``actlab.catalog`` name (``"sigmoid"``, ``"tanh"``...).
        target: The teacher weights.
        steps: SGD steps, one sample each.
        lr: Learning rate. A step with ``lr * |a|^2 > 2`` diverges on its own
            sample (see :attr:`DescentPath.overshoot_steps`). Outputs bounded by 1
            in size (sigmoid, tanh) have ``|a|^2 < 2``, so any ``lr <= 1`` is safe
            for them; unbounded ones (ReLU, softplus, ELU, SiLU, GELU) need a
            smaller ``lr``. The default 0.05 made no step diverge for any of these
            at seeds 0-399 with 300 steps (it would take ``|a|^2 > 40``); 0.1 made
            one step diverge at seed 187 (``|a|^2 = 23.3``); 0.5 made 2 to 49 of
            300 diverge.
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
    return DescentPath(rec.name, a, w, goal, float(lr))
