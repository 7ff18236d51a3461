"""Small model builders for the notebooks, and the algebra of linear stacks.

``mlp`` builds the multi-layer perceptrons the course trains over and over,
with stable layer names (``hidden_1``, ``hidden_2``, ..., ``output``) so that
exercises can refer to layers by name; it is the one MLP builder (the deep
nets of :mod:`actlab.deepnets` and the widgets' networks are calls to it), and
:func:`seeded_initializer` the one recipe for seeded weights. ``linear_stack``
and ``collapse_linear`` show that Dense layers without an activation compose to one Dense layer:
``(x @ W1 + b1) @ W2 + b2 = x @ (W1 @ W2) + (b1 @ W2 + b2)``.

Importing this module imports Keras (it is not imported by ``import actlab``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from actlab._keras import keras
from actlab._validate import check_input_shape, check_int, check_int_sequence, check_range
from actlab.catalog import canonical_name

__all__ = ["collapse_linear", "linear_stack", "mlp", "seeded_initializer"]


def seeded_initializer(name: str, seed: int) -> Any:
    """The Keras initializer ``name`` with a fixed seed: the same values on every call.

    The one recipe for seeded weights in actlab (``mlp``, ``deep_mlp``, the
    widgets' networks and their NumPy copies of the initial kernels):
    ``type(keras.initializers.get(name))(seed=seed)``, so ``"random_normal"``
    keeps Keras's default ``stddev=0.05``.

    Args:
        name: A Keras initializer name, e.g. ``"glorot_uniform"``, ``"he_normal"``.
        seed: The seed.

    Returns:
        A new initializer instance.

    Raises:
        ValueError: If Keras does not know the name.

    """
    k = keras()
    try:
        init = k.initializers.get(name)
    except (ValueError, TypeError):
        raise ValueError(
            "kernel_initializer must be a Keras initializer name such as 'glorot_uniform' "
            f"or 'he_normal'. Received: kernel_initializer={name!r}."
        ) from None
    return type(init)(seed=seed)


def mlp(
    input_shape: int | Sequence[int],
    widths: Sequence[int],
    activations: str | Any | Sequence[str | Any],
    *,
    output_units: int = 1,
    output_activation: str | None = None,
    kernel_initializer: str = "glorot_uniform",
    output_initializer: Any = None,
    bias: float = 0.0,
    batch_norm: bool = False,
    seed: int | None = None,
    layer_name: str = "hidden",
    name: str = "mlp",
) -> Any:
    """Build a Sequential multi-layer perceptron with stable layer names.

    The one MLP builder of actlab (``deepnets.deep_mlp`` and the widgets'
    networks call it). The model is ``keras.Input(input_shape)`` -> ``Flatten``
    (only when the input has more than one axis) -> ``Dense(widths[i],
    activation=activations[i], name=f"hidden_{i + 1}")`` -> ``Dense(output_units,
    activation=output_activation, name="output")``. With ``batch_norm`` each
    hidden Dense layer is linear and followed by ``bn_{i}`` and ``act_{i}``
    (``BatchNormalization``, then the activation).

    Args:
        input_shape: Number of input features, or a shape such as ``(28, 28)``.
        widths: Units of each hidden layer, e.g. ``[64, 32]``.
        activations: One activation for every hidden layer (``"relu"``), or one
            per hidden layer (``["relu", "tanh"]``). Names go through
            ``actlab.catalog.canonical_name`` (aliases such as ``"swish"``
            work); callables and Keras activation layers are used as they are.
        output_units: Units of the output layer.
        output_activation: Activation of the output layer (None: logits).
        kernel_initializer: A Keras initializer name for every kernel.
        output_initializer: The output layer's kernel initializer (a name or
            an instance); None uses ``kernel_initializer``.
        bias: Initial value of every hidden bias.
        batch_norm: Insert ``BatchNormalization`` between each hidden Dense
            layer and its activation.
        seed: When given, kernels are seeded (:func:`seeded_initializer`):
            hidden layer ``i`` (counting from 0) with ``seed + i``, the output
            layer with ``seed + len(widths)``, so the same call builds the same
            weights in any process. None uses Keras's global seed
            (``actlab.seed``).
        layer_name: Hidden Dense layers are named ``f"{layer_name}_{i}"``, ``i`` from 1.
        name: The model's name.

    Returns:
        A built ``keras.Sequential`` (it starts with ``keras.Input``).

    Raises:
        ValueError: If ``widths`` is empty or not positive integers, the
            number of activations does not match the number of hidden layers,
            an activation or initializer name is unknown, or ``bias`` is not finite.

    """
    shape = check_input_shape(input_shape)
    widths = list(check_int_sequence("widths", widths, example="[64, 32]"))
    output_units = check_int("output_units", output_units, low=1)
    bias = check_range("bias", bias, None, None)
    if isinstance(activations, str) or not isinstance(activations, Sequence):
        acts = [activations] * len(widths)
    else:
        acts = list(activations)
        if len(acts) != len(widths):
            raise ValueError(
                f"Got {len(widths)} hidden widths but {len(acts)} activations: pass one "
                f"activation per hidden layer, or a single one for all. "
                f"Received: widths={widths!r}, activations={acts!r}"
            )
    acts = [canonical_name(a, allow_keras=True) if isinstance(a, str) else a for a in acts]
    k = keras()

    def init(i: int) -> Any:
        if seed is None:
            return kernel_initializer
        return seeded_initializer(kernel_initializer, seed + i)

    bias_init = "zeros" if bias == 0 else k.initializers.Constant(bias)
    layers: list[Any] = [k.Input(shape)]
    if len(shape) > 1:
        layers.append(k.layers.Flatten(name="flatten"))
    for i, (w, a) in enumerate(zip(widths, acts, strict=True)):
        dense = {
            "kernel_initializer": init(i),
            "bias_initializer": bias_init,
            "name": f"{layer_name}_{i + 1}",
        }
        if batch_norm:
            layers.append(k.layers.Dense(w, **dense))
            layers.append(k.layers.BatchNormalization(name=f"bn_{i + 1}"))
            layers.append(k.layers.Activation(a, name=f"act_{i + 1}"))
        else:
            layers.append(k.layers.Dense(w, activation=a, **dense))
    layers.append(
        k.layers.Dense(
            output_units,
            activation=output_activation,
            kernel_initializer=output_initializer or init(len(widths)),
            name="output",
        )
    )
    return k.Sequential(layers, name=name)


def linear_stack(widths: Sequence[int], *, seed: int = 0, name: str = "linear_stack") -> Any:
    """Build Dense layers with no activation and random, non-zero biases.

    Non-zero biases matter: with Keras's default zero biases a wrong bias
    formula would go unnoticed.

    Args:
        widths: ``[inputs, units_1, units_2, ...]``, e.g. ``[4, 6, 5, 3]`` is
            4 inputs and three Dense layers of 6, 5 and 3 units.
        seed: Seeds the kernel and bias initialisers (same seed, same weights).
        name: The model's name.

    Returns:
        A ``keras.Sequential`` whose layers are named ``linear_1``, ``linear_2``...

    Raises:
        ValueError: If fewer than two widths are given or any is not a positive integer.

    """
    widths = list(check_int_sequence("widths", widths, min_length=2, example="[4, 6, 5, 3]"))
    k = keras()
    layers: list[Any] = [k.Input((int(widths[0]),))]
    for i, w in enumerate(widths[1:]):
        layers.append(
            k.layers.Dense(
                int(w),
                name=f"linear_{i + 1}",
                kernel_initializer=seeded_initializer("glorot_uniform", seed + 2 * i),
                bias_initializer=k.initializers.RandomNormal(stddev=0.5, seed=seed + 2 * i + 1),
            )
        )
    return k.Sequential(layers, name=name)


def collapse_linear(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """Fold a stack of activation-free Dense layers into one ``(W, b)``.

    ``(x @ W1 + b1) @ W2 + b2 = x @ (W1 @ W2) + (b1 @ W2 + b2)``, applied
    layer after layer, so ``model(x) == x @ W + b``.

    Args:
        model: A Keras model whose layers (after its Input) are all ``Dense``
            layers with the linear activation, applied one after another. The
            model is only read, never changed.

    Returns:
        ``(W, b)`` as float64 NumPy arrays of shapes ``(inputs, outputs)`` and
        ``(outputs,)``.

    Raises:
        ValueError: If a layer is not a Dense layer, applies a non-linear
            activation, or has no bias; or the model has no Dense layer.

    """
    k = keras()
    w_total: np.ndarray | None = None
    b_total: np.ndarray | None = None
    for layer in getattr(model, "layers", None) or []:
        if isinstance(layer, k.layers.InputLayer):
            continue
        if not isinstance(layer, k.layers.Dense):
            raise ValueError(
                f"collapse_linear only folds Dense layers. Layer {layer.name!r} is a "
                f"{type(layer).__name__}. Pass a model made of Dense layers only."
            )
        act = k.activations.serialize(layer.activation)
        act_name = act if isinstance(act, str) else getattr(layer.activation, "__name__", act)
        if act_name != "linear":
            raise ValueError(
                f"Layer {layer.name!r} applies the activation {act_name!r}. A non-linear "
                f"activation cannot be folded into one matrix: that is the point of "
                f"activations. Pass a model whose Dense layers have no activation."
            )
        if not layer.use_bias:
            bias = np.zeros(layer.units)
        else:
            bias = np.asarray(layer.bias.numpy(), dtype="float64")
        kernel = np.asarray(layer.kernel.numpy(), dtype="float64")
        if w_total is None:
            w_total, b_total = kernel, bias
        else:
            w_total, b_total = w_total @ kernel, b_total @ kernel + bias
    if w_total is None or b_total is None:
        raise ValueError(
            f"collapse_linear found no Dense layer in {getattr(model, 'name', model)!r}. "
            "Pass a built Keras model made of Dense layers."
        )
    return w_total, b_total
