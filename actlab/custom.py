"""Custom activations done the Keras 3 way, and a gradient checker for them.

* :func:`sigmoid_tanh` -- a plain function, ``sigmoid(x) * tanh(x)``, written
  with ``keras.ops`` so it runs on every Keras backend, and registered with
  ``keras.saving.register_keras_serializable`` so a saved model that uses it
  loads again with ``safe_mode=True``.
* :class:`LearnableSwish` -- an activation *layer* with a trainable parameter,
  ``x * sigmoid(beta * x)``.
* :class:`SquaredActivation` -- a custom layer that carries an ``activation``
  in its config (``activation(x ** 2)``), the corrected form of the custom-layer
  example people copy around: it serialises its activation, so it can be saved,
  loaded and have its activation swapped.
* :func:`check_gradient` -- compares automatic differentiation with central
  finite differences.

Importing this module imports Keras (``import actlab`` alone does not).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from actlab._keras import keras as _load_keras
from actlab._keras import tf as _load_tf
from actlab._validate import check_range

__all__ = [
    "GradientCheck",
    "LearnableSwish",
    "SquaredActivation",
    "check_gradient",
    "sigmoid_tanh",
]

keras = _load_keras()


@keras.saving.register_keras_serializable(package="actlab")
def sigmoid_tanh(x: Any) -> Any:
    """Sigmoid times tanh: `sigmoid_tanh(x) = sigmoid(x) * tanh(x)`.

    A smooth, non-monotonic activation with range [-0.2071, 1): negative
    inputs give small negative outputs (minimum ``(1 - sqrt(2)) / 2`` at
    ``x = -asinh(1) = -0.8814``), large positive inputs give outputs close to 1.

    Args:
        x: Input tensor or array.

    Returns:
        A tensor of the same shape and dtype as ``x`` (float inputs).

    """
    x = keras.ops.convert_to_tensor(x)
    return keras.ops.sigmoid(x) * keras.ops.tanh(x)


@keras.saving.register_keras_serializable(package="actlab")
class LearnableSwish(keras.layers.Layer):
    """Swish with a trainable slope: `f(x) = x * sigmoid(beta * x)`.

    ``beta`` is one scalar weight, learned with the rest of the network.
    ``beta = 1`` is SiLU; ``beta -> inf`` approaches ReLU; ``beta = 0`` is ``x / 2``.

    Args:
        beta_initial: Starting value of ``beta`` (a finite number).
        **kwargs: Standard layer arguments (``name``, ``dtype``...).

    Raises:
        ValueError: If ``beta_initial`` is not a finite number.

    """

    def __init__(self, beta_initial: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.beta_initial = check_range("beta_initial", beta_initial, None, None)

    def build(self, input_shape: Any) -> None:  # noqa: D102
        self.beta = self.add_weight(
            name="beta",
            shape=(),
            trainable=True,
            initializer=keras.initializers.Constant(self.beta_initial),
        )

    def call(self, inputs: Any) -> Any:  # noqa: D102
        return inputs * keras.ops.sigmoid(self.beta * inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:  # noqa: D102
        return input_shape

    def get_config(self) -> dict[str, Any]:  # noqa: D102
        return {**super().get_config(), "beta_initial": self.beta_initial}


@keras.saving.register_keras_serializable(package="actlab")
class SquaredActivation(keras.layers.Layer):
    """Square the input, then apply an activation: `f(x) = activation(x ** 2)`.

    The activation is part of the layer's config (serialised with
    ``keras.activations.serialize``), so the layer survives a save/load round
    trip and tools that rebuild a model from configs can change it.

    Args:
        activation: Anything ``keras.activations.get`` accepts (default ``"sigmoid"``).
        **kwargs: Standard layer arguments.

    """

    def __init__(self, activation: str | Callable[[Any], Any] = "sigmoid", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = keras.activations.get(activation)

    def call(self, inputs: Any) -> Any:  # noqa: D102
        return self.activation(keras.ops.square(inputs))

    def compute_output_shape(self, input_shape: Any) -> Any:  # noqa: D102
        return input_shape

    def get_config(self) -> dict[str, Any]:  # noqa: D102
        return {**super().get_config(), "activation": keras.activations.serialize(self.activation)}


@dataclass(frozen=True)
class GradientCheck:
    """The result of :func:`check_gradient`.

    Attributes:
        x: The points, float64.
        autodiff: Derivative by automatic differentiation at ``x``.
        numeric: Central finite difference ``(f(x + eps) - f(x - eps)) / (2 eps)``.
        eps: The step used.
        max_abs_error: ``max |autodiff - numeric|``.
        output_dtype: The dtype of ``fn``'s output, e.g. ``"float32"`` for a function that casts.
            ``autodiff`` and ``numeric`` are always float64 arrays; a function that
            computes in float32 gets a ``max_abs_error`` near 1e-3, not 1e-10.
    """

    x: np.ndarray
    autodiff: np.ndarray
    numeric: np.ndarray
    eps: float
    max_abs_error: float
    output_dtype: str = "float64"

    def __repr__(self) -> str:
        return (
            f"GradientCheck({self.x.size} points, eps={self.eps:g}, "
            f"max_abs_error={self.max_abs_error:.3g})"
        )


def check_gradient(fn: Callable[[Any], Any], x: Any, eps: float = 1e-4) -> GradientCheck:
    """Compare an element-wise function's autodiff derivative with finite differences.

    ``fn`` is called on float64 tensors: autodiff with ``tf.GradientTape`` (the
    derivative of ``sum(fn(x))``, which for an element-wise ``fn`` is
    ``fn'(x)`` at every point), the numeric one as
    `(fn(x + eps) - fn(x - eps)) / (2 * eps)`, whose error is ``O(eps ** 2)``.
    A function that casts to another float dtype is differentiated through the
    cast; its precision then shows in ``max_abs_error`` (and ``output_dtype``).
    Avoid points where ``fn`` has a kink (ReLU at 0): there the two disagree
    by design.

    Args:
        fn: An element-wise function of a tensor, written with ``keras.ops``
            (or TensorFlow) so that it can be differentiated.
        x: Points to check at (array-like of finite numbers).
        eps: Finite-difference step, > 0. ``1e-4`` suits float64.

    Returns:
        A :class:`GradientCheck` with both derivatives and the largest gap.

    Raises:
        ValueError: If ``eps`` is not positive, ``x`` is empty or not finite, or
            ``fn`` cannot be differentiated (for instance it uses NumPy, which
            automatic differentiation cannot see through), or it changes the shape.

    """
    eps = check_range("eps", eps, 0.0, None, low_open=True, hint="Use a small step such as 1e-4.")
    xs = np.asarray(x, dtype="float64")
    if xs.size == 0 or not np.all(np.isfinite(xs)):
        raise ValueError(
            f"x must be a non-empty array of finite numbers. Received shape {xs.shape} "
            f"with {int(np.sum(~np.isfinite(xs)))} non-finite values."
        )
    t = _load_tf()
    xt = t.constant(xs)
    with t.GradientTape() as tape:
        tape.watch(xt)
        y = fn(xt)
        total = t.reduce_sum(t.cast(y, "float64"))  # a cast: fn may compute in float32
    grad = tape.gradient(total, xt)
    if grad is None:
        raise ValueError(
            f"Could not differentiate {getattr(fn, '__name__', fn)!r}: the gradient is None. "
            "The function probably leaves the tensor world (NumPy, math, float()); write it "
            "with keras.ops so automatic differentiation can follow it."
        )
    if tuple(y.shape) != xs.shape:
        raise ValueError(
            f"check_gradient needs an element-wise function (output shape = input shape). "
            f"Input shape {xs.shape}, output shape {tuple(y.shape)}."
        )

    def f(v: np.ndarray) -> np.ndarray:
        return np.asarray(keras.ops.convert_to_numpy(fn(t.constant(v))), dtype="float64")

    numeric = (f(xs + eps) - f(xs - eps)) / (2.0 * eps)
    autodiff = np.asarray(grad.numpy(), dtype="float64")
    return GradientCheck(
        x=xs,
        autodiff=autodiff,
        numeric=numeric,
        eps=float(eps),
        max_abs_error=float(np.max(np.abs(autodiff - numeric))),
        output_dtype=str(keras.backend.standardize_dtype(y.dtype)),
    )
