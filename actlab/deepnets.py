"""Deep, narrow MLPs for the dying-ReLU and gradient-flow experiments.

:func:`deep_mlp` builds the networks of notebooks 08 and 09 with every knob
those experiments turn (depth, activation, kernel initialiser, a constant bias,
batch normalisation) and stable layer names, seeded so the same call builds
the same weights in any process:

``Input -> [Flatten] -> (dense_i [-> bn_i -> act_i]) x depth -> output``

Without batch normalisation the activation is the ``activation=`` argument of
``dense_i``; with it, ``dense_i`` is linear and ``act_i`` applies the
activation after ``bn_i`` (the usual Dense -> BN -> activation order).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from actlab._validate import check_choice, check_int
from actlab.catalog import canonical_name
from actlab.models import mlp, seeded_initializer

__all__ = ["INITIALIZERS", "calibrate_batch_norm", "deep_mlp", "hidden_layers"]

INITIALIZERS = (
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_normal",
    "lecun_uniform",
)
"""The kernel initialisers :func:`deep_mlp` accepts."""


def deep_mlp(
    input_shape: int | Sequence[int],
    *,
    depth: int,
    width: int = 32,
    activation: Any = "relu",
    kernel_initializer: str = "glorot_uniform",
    bias: float = 0.0,
    batch_norm: bool = False,
    output_units: int = 10,
    output_activation: str | None = "softmax",
    seed: int = 0,
    name: str | None = None,
) -> keras.Sequential:
    """Build a deep MLP of ``depth`` hidden layers of ``width`` units.

    Args:
        input_shape: Number of features, or a shape such as ``(28, 28)``
            (then a ``Flatten`` layer comes first).
        depth: Number of hidden Dense layers (>= 1).
        width: Units per hidden layer (>= 1).
        activation: Hidden activation: a name, callable or Keras activation
            layer (a layer instance is only valid with ``depth == 1`` or as a
            fresh layer per call, so pass names or callables for deep nets).
        kernel_initializer: One of ``glorot_uniform``, ``glorot_normal``,
            ``he_uniform``, ``he_normal``, ``lecun_normal``, ``lecun_uniform``;
            seeded from ``seed`` layer by layer.
        bias: Initial value of every hidden bias (a negative value puts
            ReLU units into the "off" region from the start).
        batch_norm: Insert ``BatchNormalization`` between each hidden Dense
            layer and its activation.
        output_units: Units of the output layer.
        output_activation: Activation of the output layer (None for logits).
        seed: Seeds every kernel initialiser (layer ``i`` uses ``seed + i``).
        name: Model name; default ``f"{activation}_x{depth}"``.

    Returns:
        A built, uncompiled ``keras.Sequential``. Hidden Dense layers are
        named ``dense_1`` ... ``dense_{depth}``, the last layer ``output``.

    Raises:
        ValueError: Bad ``depth``/``width``/``output_units``, an unknown
            initialiser or activation name, or a non-finite ``bias``.

    """
    depth = check_int("depth", depth, low=1)
    width = check_int("width", width, low=1)
    check_choice("kernel_initializer", kernel_initializer, INITIALIZERS)
    seed = check_int("seed", seed)
    if isinstance(activation, str):
        activation = canonical_name(activation, allow_keras=True)
    label = activation if isinstance(activation, str) else getattr(activation, "__name__", "act")
    return mlp(
        input_shape,
        [width] * depth,
        activation,
        output_units=output_units,
        output_activation=output_activation,
        kernel_initializer=kernel_initializer,
        # The output kernel: Glorot seeded with `seed` whatever the hidden initialiser.
        output_initializer=seeded_initializer("glorot_uniform", seed),
        bias=bias,
        batch_norm=batch_norm,
        seed=seed + 1,  # hidden layer dense_i is seeded with seed + i
        layer_name="dense",
        name=name or f"{label}_x{depth}",
    )


def hidden_layers(model: keras.Model) -> list[str]:
    """Names of the hidden Dense layers of a :func:`deep_mlp` model, input to output."""
    return [layer.name for layer in model.layers if layer.name.startswith("dense_")]


def calibrate_batch_norm(model: keras.Model, x: Any) -> keras.Model:
    """Set every BatchNormalization layer's moving statistics to those of batch ``x``.

    ``actlab.gradient_norms`` runs the model in inference mode, where batch
    normalisation uses its moving mean and variance. Freshly built, those are
    0 and 1, so the layer does nothing. This helper runs ``x`` through the
    model layer by layer and stores each BN layer's batch mean and variance as
    its moving statistics, so inference on ``x`` normalises exactly as
    training mode would on that batch.

    The model's BN statistics are changed in place (its weights are not):
    this is a set-up step for a model you built, not something to do to a
    trained model you want to keep.

    Args:
        model: A Sequential model (e.g. from :func:`deep_mlp`).
        x: A batch of inputs.

    Returns:
        The same model, for chaining.

    Raises:
        TypeError: If ``model`` is not a ``keras.Sequential``.

    """
    if not isinstance(model, keras.Sequential):
        raise TypeError(
            f"calibrate_batch_norm expects a keras.Sequential (e.g. from deep_mlp). "
            f"Received: {type(model).__name__}"
        )
    h = keras.ops.convert_to_tensor(np.asarray(x, dtype="float32"))
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            axes = tuple(range(len(h.shape) - 1))
            layer.moving_mean.assign(keras.ops.mean(h, axis=axes))
            layer.moving_variance.assign(keras.ops.var(h, axis=axes))
        h = layer(h, training=False)
    return model
