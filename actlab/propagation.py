"""Signal propagation through deep random networks, in NumPy (published results).

Three results about deep networks at initialisation, computed fast enough to
reproduce in a notebook:

* :func:`forward_moments` pushes a batch through ``depth`` random Dense layers
  and records the mean and variance of every layer's pre-activations and
  outputs. He et al. (2015) showed that with ReLU the pre-activation variance
  is multiplied by ``fan_in * Var(w) / 2`` per layer: He initialisation
  (``Var(w) = 2 / fan_in``) keeps it constant, LeCun/Glorot on equal widths
  (``Var(w) = 1 / fan_in``) halve it. Klambauer et al. (2017) showed that
  SELU with ``Var(w) = 1 / fan_in`` (``lecun_normal``) drives the outputs to
  mean 0 and variance 1.
* :func:`per_layer_factor` fits the per-layer growth factor of a variance
  curve (the geometric mean of the layer-to-layer ratios).
* :func:`born_dead_fraction` draws many narrow ReLU networks and counts those
  whose last hidden layer outputs 0 for every input (Lu et al. 2019, "Dying
  ReLU and initialization", prove that this probability tends to 1 with
  depth). Two bounds of our own (not the paper's) bracket it:
  :func:`dead_at_a_point_probability`, the exact probability of being dead at
  one input, ``1 - (1 - 2**-width)**depth``, is an upper bound, and
  :func:`all_negative_layer_probability`, ``1 - (1 - 2**-(width**2))**(depth - 1)``,
  a lower bound.
* :func:`never_fires` decides exactly whether a unit of the second layer
  outputs 0 for every input of a one-hidden-layer ReLU network, and
  :func:`unactivated_fraction` measures how often that happens for weights and
  biases drawn from a symmetric distribution. Brownlowe et al. (2024),
  "Stably unactivated neurons in ReLU neural networks" (arXiv:2412.06829),
  prove the probability exactly for two cases
  (:func:`stably_unactivated_probability`): ``2**-(width + 1)`` when the first
  layer has ``width <= input_dim`` units and ``(2**n0 + 1) / 4**(n0 + 1)``
  when it has ``n0 + 1``.

The weights come from Keras's own initialisers (seeded), so "he_normal" here is
exactly what ``Dense(kernel_initializer="he_normal")`` draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "all_negative_layer_probability",
    "born_dead_fraction",
    "dead_at_a_point_probability",
    "forward_moments",
    "never_fires",
    "per_layer_factor",
    "stably_unactivated_probability",
    "unactivated_fraction",
]


def _positive_int(name: str, value: Any) -> int:
    from actlab._validate import check_int

    return check_int(name, value, low=1)


def _kernel(init: str, fan_in: int, fan_out: int, seed: int) -> np.ndarray:
    import keras

    from actlab.models import seeded_initializer

    return keras.ops.convert_to_numpy(seeded_initializer(init, seed)((fan_in, fan_out))).astype(
        "float32"
    )


def forward_moments(
    activation: str,
    *,
    depth: int,
    width: int | Sequence[int] = 256,
    kernel_initializer: str = "he_normal",
    n_samples: int = 512,
    input_dim: int | None = None,
    dropout: str | None = None,
    rate: float = 0.1,
    input_mean: float = 0.0,
    input_var: float = 1.0,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Mean and variance of each layer's pre-activations and outputs at initialisation.

    A batch of ``n_samples`` normal inputs (mean ``input_mean``, variance
    ``input_var``; standard normal by default) goes through ``depth``
    Dense layers (zero biases, kernels from ``kernel_initializer``), each
    followed by ``activation`` and, optionally, dropout in training mode.

    Args:
        activation: Activation name (see ``actlab.catalog.names()``).
        depth: Number of layers (>= 1).
        width: Units per layer, or one width per layer (a sequence of ``depth``).
        kernel_initializer: One of ``actlab.deepnets.INITIALIZERS`` (seeded with
            ``actlab.models.seeded_initializer``, as ``deep_mlp`` does).
        n_samples: Inputs in the batch.
        input_dim: Input features (default: the first layer's width).
        dropout: None, ``"dropout"`` (``keras.layers.Dropout``: zeroes a unit
            and scales the rest by ``1 / (1 - rate)``) or ``"alpha_dropout"``
            (``keras.layers.AlphaDropout``: sets a unit to SELU's negative
            saturation value and applies the affine correction that keeps mean
            and variance), applied in training mode.
        rate: Dropout rate.
        input_mean: Mean of the inputs (to start away from a fixed point).
        input_var: Variance of the inputs (> 0).
        seed: Seeds the inputs, the kernels (layer ``i`` uses ``seed + i``)
            and the dropout masks.

    Returns:
        ``{"pre_mean", "pre_var", "out_mean", "out_var"}``, arrays of length
        ``depth``: over all samples and units of layer ``i``, the mean and
        variance of ``z = h @ W`` and of the layer's output.

    Raises:
        ValueError: Bad depth/width/n_samples, an unknown initialiser,
            activation or dropout kind, a rate outside [0, 1), or a
            non-positive or non-finite ``input_var`` (or non-finite ``input_mean``).

    """
    from actlab import catalog

    depth = _positive_int("depth", depth)
    n_samples = _positive_int("n_samples", n_samples)
    widths = [width] * depth if isinstance(width, (int, np.integer)) else list(width)
    if len(widths) != depth:
        raise ValueError(
            f"width must be one integer or one per layer ({depth}). Received {len(widths)} widths."
        )
    widths = [_positive_int("width", w) for w in widths]
    from actlab._validate import check_choice
    from actlab.deepnets import INITIALIZERS

    check_choice("kernel_initializer", kernel_initializer, INITIALIZERS)
    if dropout not in (None, "dropout", "alpha_dropout"):
        raise ValueError(
            f"dropout must be None, 'dropout' or 'alpha_dropout'. Received: dropout={dropout!r}"
        )
    if not 0 <= rate < 1:
        raise ValueError(f"rate must be in [0, 1). Received: rate={rate!r}")
    if not (np.isfinite(input_mean) and np.isfinite(input_var) and input_var > 0):
        raise ValueError(
            "input_mean must be finite and input_var positive and finite. "
            f"Received: input_mean={input_mean!r}, input_var={input_var!r}"
        )
    act = catalog.get(activation)
    drop_layer = None
    if dropout is not None and rate > 0:
        import keras

        kind = keras.layers.Dropout if dropout == "dropout" else keras.layers.AlphaDropout
        drop_layer = kind(rate, seed=seed)
    rng = np.random.default_rng(seed)
    fan_in = widths[0] if input_dim is None else _positive_int("input_dim", input_dim)
    h = (input_mean + np.sqrt(input_var) * rng.standard_normal((n_samples, fan_in))).astype(
        "float32"
    )
    out = {k: np.empty(depth) for k in ("pre_mean", "pre_var", "out_mean", "out_var")}
    for i, w in enumerate(widths):
        z = h @ _kernel(kernel_initializer, h.shape[1], w, seed + i + 1)
        h = np.asarray(act(z), dtype="float32")
        if drop_layer is not None:
            h = np.asarray(drop_layer(h, training=True), dtype="float32")
        out["pre_mean"][i], out["pre_var"][i] = z.mean(dtype="float64"), z.var(dtype="float64")
        out["out_mean"][i], out["out_var"][i] = h.mean(dtype="float64"), h.var(dtype="float64")
    return out


def per_layer_factor(values: Sequence[float], *, skip: int = 0) -> float:
    """The per-layer growth factor of a curve: ``(values[-1] / values[skip]) ** (1 / n)``.

    Args:
        values: A positive quantity per layer (e.g. ``forward_moments(...)["pre_var"]``).
        skip: Layers to leave out at the start (the first layer sees the raw input).

    Returns:
        The geometric mean of the layer-to-layer ratios.

    Raises:
        ValueError: Fewer than two values after ``skip``, or a non-positive value.

    """
    v = np.asarray(values, dtype="float64")[skip:]
    if v.size < 2:
        raise ValueError(f"Need at least two values after skip={skip}. Received {v.size}.")
    if np.any(v <= 0):
        raise ValueError("values must be positive (variances, norms).")
    return float((v[-1] / v[0]) ** (1.0 / (v.size - 1)))


def dead_at_a_point_probability(depth: int, width: int) -> float:
    """Probability that a zero-bias ReLU network outputs 0 in its last hidden layer at one input.

    With zero biases and symmetric weights, each unit of a layer is off with
    probability 1/2, independently, given a non-zero input; a layer is
    entirely off with probability ``2**-width`` and then every later layer is
    too. So the probability is ``1 - (1 - 2**-width) ** depth``. Being dead on
    a whole batch of inputs implies being dead at each of them, so this is an
    upper bound for :func:`born_dead_fraction`.

    Args:
        depth: Hidden layers (>= 1).
        width: Units per hidden layer (>= 1).

    Returns:
        The probability.

    Raises:
        ValueError: Non-positive depth or width.

    """
    depth = _positive_int("depth", depth)
    width = _positive_int("width", width)
    return float(1.0 - (1.0 - 2.0**-width) ** depth)


def all_negative_layer_probability(depth: int, width: int) -> float:
    """Probability that some layer after the first has only negative weights (a lower bound).

    Our own bound, not Lu et al.'s. Every layer after the first receives the
    previous layer's ReLU outputs, which are >= 0. If all ``width * width``
    weights of such a layer are negative (probability ``2**-(width**2)`` for
    symmetric continuous weights), its pre-activations are <= 0 for every
    input, the layer outputs 0 everywhere and the network is born dead (with
    zero biases). Layers draw their weights independently, so the network of
    ``depth`` layers is born dead with probability at least
    ``1 - (1 - 2**-(width**2)) ** (depth - 1)``: a lower bound for
    :func:`born_dead_fraction`. It is weak except at width 2 (1/16 per layer).

    Args:
        depth: Hidden layers (>= 1).
        width: Units per hidden layer (>= 1).

    Returns:
        The probability (0 for one layer).

    Raises:
        ValueError: Non-positive depth or width.

    """
    depth = _positive_int("depth", depth)
    width = _positive_int("width", width)
    return float(1.0 - (1.0 - 2.0 ** -(width * width)) ** (depth - 1))


def born_dead_fraction(
    depths: Sequence[int],
    *,
    width: int,
    n_networks: int = 2000,
    input_dim: int = 2,
    n_inputs: int = 256,
    seed: int = 0,
) -> dict[int, float]:
    """Fraction of random narrow ReLU networks that are dead for every input, by depth.

    Draws ``n_networks`` networks of ``max(depths)`` hidden ReLU layers of
    ``width`` units, zero biases and He-normal weights (symmetric around 0;
    Lu et al. 2019's abstract names weights and biases drawn from symmetric
    distributions, and zero is the degenerate symmetric case), runs ``n_inputs`` inputs uniform in
    ``[-1, 1]^input_dim`` through them, and counts, for each depth ``L``, the
    networks whose layer ``L`` outputs 0 for every input: the network is then
    a constant function, "born dead". A zero layer stays zero, so a network
    dead at depth ``L`` is dead at every larger depth. ``n_inputs`` points
    stand in for the whole domain: a network dead on the domain is dead on the
    points, so the fraction can only over-count (by networks alive on a tiny
    part of the domain that no point hits).

    Args:
        depths: The depths to report (each >= 1).
        width: Units per hidden layer.
        n_networks: Random networks drawn.
        input_dim: Input features.
        n_inputs: Inputs per network.
        seed: Seeds weights and inputs.

    Returns:
        ``{depth: fraction of networks born dead}``.

    Raises:
        ValueError: Empty ``depths`` or non-positive arguments.

    """
    depths = [_positive_int("depth", d) for d in depths]
    if not depths:
        raise ValueError("depths is empty: pass the depths to report, e.g. [1, 5, 10].")
    width = _positive_int("width", width)
    n_networks = _positive_int("n_networks", n_networks)
    input_dim = _positive_int("input_dim", input_dim)
    n_inputs = _positive_int("n_inputs", n_inputs)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n_inputs, input_dim))
    h = np.broadcast_to(x, (n_networks, n_inputs, input_dim))
    dead_by_depth = {}
    for layer in range(1, max(depths) + 1):
        fan_in = h.shape[-1]
        w = rng.standard_normal((n_networks, fan_in, width)) * np.sqrt(2.0 / fan_in)
        h = np.maximum(h @ w, 0.0)
        dead_by_depth[layer] = float(np.mean(~np.any(h > 0, axis=(1, 2))))
    return {d: dead_by_depth[d] for d in depths}


def stably_unactivated_probability(input_dim: int, width: int) -> float:
    """Brownlowe et al.'s (2024) probability that a second-layer ReLU unit never fires.

    Brownlowe, Cornwell, Montes, Quijano, Stulman and Zhang, "Stably
    unactivated neurons in ReLU neural networks" (arXiv:2412.06829), draw the
    weights and biases of a network from symmetric probability distributions
    and prove, for a unit of the second hidden layer, that the probability it
    is stably unactivated (its output is 0 for every input, and stays so under
    small changes of the parameters) is exactly ``1 / 2**(width + 1)`` when the
    first hidden layer has ``width <= input_dim`` units, and
    ``(2**input_dim + 1) / 4**(input_dim + 1)`` when it has
    ``input_dim + 1``. For wider first layers they state only a conjecture.

    Args:
        input_dim: Input features ``n0`` (>= 1).
        width: Units ``n1`` of the first hidden layer (>= 1 and <= ``input_dim + 1``).

    Returns:
        The probability.

    Raises:
        ValueError: Non-positive arguments, or ``width > input_dim + 1`` (no
            proven value; measure it with :func:`unactivated_fraction`).

    """
    n0 = _positive_int("input_dim", input_dim)
    n1 = _positive_int("width", width)
    if n1 <= n0:
        return 2.0 ** -(n1 + 1)
    if n1 == n0 + 1:
        return (2.0**n0 + 1.0) / 4.0 ** (n0 + 1)
    raise ValueError(
        f"Brownlowe et al. prove the probability only for width <= input_dim + 1; "
        f"for wider first layers it is a conjecture. Received: input_dim={n0}, width={n1}. "
        "Measure it with unactivated_fraction(input_dim, width) instead."
    )


def never_fires(
    kernel: Any, bias: Any, unit_weights: Any, unit_bias: Any, *, tol: float = 1e-9
) -> np.ndarray:
    """Decide exactly whether a second-layer unit's pre-activation is <= 0 for every input.

    The network is ``x -> relu(x @ kernel + bias) -> h @ unit_weights + unit_bias``
    on all of ``R**input_dim`` (the layout of ``keras.layers.Dense``'s
    weights). That function of ``x`` is linear on each piece cut out by the
    first layer's hyperplanes, so its maximum is at a corner of those pieces
    (where ``input_dim`` hyperplanes meet) unless it grows without bound along
    one of the pieces' edges to infinity (directions where ``input_dim - 1``
    hyperplanes meet). The check evaluates both: every corner, and the slope
    along every such direction. No sampling is involved. A first layer with
    fewer units than inputs reaches every pre-activation vector, so the check
    then uses an identity first layer, which has the same reach.

    Leading axes are a batch of networks: ``kernel`` ``(..., n0, n1)``,
    ``bias`` and ``unit_weights`` ``(..., n1)``, ``unit_bias`` ``(...)``.

    Args:
        kernel: First layer's kernel, ``(..., input_dim, width)``.
        bias: First layer's bias, ``(..., width)``.
        unit_weights: The second-layer unit's weights, ``(..., width)``.
        unit_bias: The unit's bias, ``(...)``.
        tol: A corner value or slope above ``tol`` counts as firing.

    Returns:
        Boolean array ``(...)``: True where the unit never fires.

    Raises:
        ValueError: Shapes that do not fit together, or a first layer whose
            hyperplanes are degenerate (parallel or through one line), for
            which the corners are not defined; random draws never are.

    """
    from itertools import combinations

    a = np.swapaxes(np.asarray(kernel, dtype="float64"), -1, -2)  # (..., n1, n0)
    c = np.asarray(bias, dtype="float64")
    w = np.asarray(unit_weights, dtype="float64")
    b = np.asarray(unit_bias, dtype="float64")
    if a.ndim < 2 or c.shape != a.shape[:-1] or w.shape != c.shape or b.shape != c.shape[:-1]:
        raise ValueError(
            "Shapes must be kernel (..., input_dim, width), bias and unit_weights (..., width), "
            f"unit_bias (...). Received: kernel {np.shape(kernel)}, bias {c.shape}, "
            f"unit_weights {w.shape}, unit_bias {b.shape}."
        )
    n1, n0 = a.shape[-2:]
    if n1 < n0:
        if np.any(np.linalg.matrix_rank(a) < n1):
            raise ValueError(
                "The first layer's kernel has dependent columns, so its hyperplanes are "
                "degenerate and the exact check does not apply. Use random (general) weights."
            )
        a = np.broadcast_to(np.eye(n1), c.shape + (n1,))
        n0 = n1

    def value(x: np.ndarray) -> np.ndarray:
        pre = np.einsum("...ij,...j->...i", a, x) + c
        return np.sum(w * np.maximum(pre, 0.0), axis=-1) + b

    def slope(u: np.ndarray) -> np.ndarray:
        return np.sum(w * np.maximum(np.einsum("...ij,...j->...i", a, u), 0.0), axis=-1)

    fires = np.zeros(b.shape, dtype=bool)
    for rows in combinations(range(n1), n0):
        sub = a[..., list(rows), :]
        if np.any(np.abs(np.linalg.det(sub)) < 1e-12):
            raise ValueError(
                f"{n0} of the first layer's hyperplanes do not meet in one point (units {rows}): "
                "degenerate weights, for which the exact check does not apply. "
                "Use random (general) weights."
            )
        corner = np.linalg.solve(sub, -c[..., list(rows)][..., None])[..., 0]
        fires |= value(corner) > tol
    for rows in combinations(range(n1), n0 - 1):
        if n0 == 1:
            u = np.ones(b.shape + (1,))
        else:
            u = np.linalg.svd(a[..., list(rows), :])[2][..., -1, :]
        fires |= (slope(u) > tol) | (slope(-u) > tol)
    return ~fires


def unactivated_fraction(
    input_dim: int, width: int, *, n_networks: int = 20000, seed: int = 0
) -> float:
    """Fraction of random networks whose first second-layer unit never fires.

    Draws ``n_networks`` networks ``input_dim -> width (ReLU) -> 1`` with
    every weight and bias standard normal (symmetric, as in Brownlowe et al.
    2024, whose proven values hold for any symmetric distribution, so the
    scale does not matter for them; it does for a single network and for the
    unproven shapes: scaling the first layer by ``c`` scales its outputs, not
    the unit's bias), and decides each with :func:`never_fires`.

    Args:
        input_dim: Input features (>= 1).
        width: Units of the first hidden layer (>= 1).
        n_networks: Networks drawn.
        seed: Seeds the draw.

    Returns:
        The fraction of networks whose unit outputs 0 for every input.

    Raises:
        ValueError: Non-positive arguments.

    """
    n0 = _positive_int("input_dim", input_dim)
    n1 = _positive_int("width", width)
    n = _positive_int("n_networks", n_networks)
    rng = np.random.default_rng(seed)
    kernel = rng.standard_normal((n, n0, n1))
    bias, unit_weights = rng.standard_normal((n, n1)), rng.standard_normal((n, n1))
    unit_bias = rng.standard_normal(n)
    return float(np.mean(never_fires(kernel, bias, unit_weights, unit_bias)))
