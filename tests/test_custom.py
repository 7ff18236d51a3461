import os
import tempfile

import keras
import numpy as np
import pytest

from actlab import custom

X = np.linspace(-6.0, 6.0, 121)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_sigmoid_tanh_matches_numpy():
    """sigmoid_tanh equals sigmoid(x) * tanh(x) computed in NumPy."""
    out = keras.ops.convert_to_numpy(custom.sigmoid_tanh(X.astype("float32")))
    np.testing.assert_allclose(out, _sigmoid(X) * np.tanh(X), atol=1e-6)


def test_sigmoid_tanh_minimum_as_documented():
    """The minimum is (1 - sqrt(2)) / 2 at x = -asinh(1)."""
    x = np.linspace(-3, 0, 300001)
    y = keras.ops.convert_to_numpy(custom.sigmoid_tanh(x))
    assert y.min() == pytest.approx((1 - np.sqrt(2)) / 2, abs=1e-9)
    assert x[y.argmin()] == pytest.approx(-np.arcsinh(1.0), abs=1e-4)


def test_check_gradient_agrees_with_analytic_derivative():
    """Autodiff of sigmoid_tanh equals the product-rule derivative and finite differences."""
    res = custom.check_gradient(custom.sigmoid_tanh, X)
    s, t = _sigmoid(X), np.tanh(X)
    np.testing.assert_allclose(res.autodiff, s * (1 - s) * t + s * (1 - t**2), atol=1e-12)
    assert res.max_abs_error < 1e-7


def test_check_gradient_detects_a_wrong_gradient():
    """A function with a hand-written wrong gradient is caught."""
    import tensorflow as tf

    @tf.custom_gradient
    def bad_square(x):
        return x * x, lambda dy: dy * x  # should be 2x

    res = custom.check_gradient(bad_square, np.linspace(1, 2, 5))
    assert res.max_abs_error > 0.5


def test_check_gradient_follows_a_function_that_casts_to_float32():
    """A keras.ops function that casts to float32 first is differentiated, not refused.

    check_gradient used tf.convert_to_tensor(y, dtype="float64"), which raises
    ValueError for a float32 tensor; that error was read as "NumPy".
    """
    def cast_first(v):
        v = keras.ops.cast(v, "float32")
        return keras.ops.sigmoid(v) * keras.ops.tanh(v)

    res = custom.check_gradient(cast_first, X)
    s, t = _sigmoid(X), np.tanh(X)
    np.testing.assert_allclose(res.autodiff, s * (1 - s) * t + s * (1 - t**2), atol=1e-6)
    assert res.output_dtype == "float32" and res.autodiff.dtype == np.float64
    assert 1e-5 < res.max_abs_error < 1e-2  # float32 precision shows in the error


def test_check_gradient_error_bound_tells_float64_from_float32():
    """The notebook's evidence for float64: < 1e-7 there, ~1e-3 for the same function in float32."""
    in64 = custom.check_gradient(custom.sigmoid_tanh, X)
    in32 = custom.check_gradient(
        lambda v: keras.ops.cast(custom.sigmoid_tanh(keras.ops.cast(v, "float32")), "float64"), X)
    assert in64.output_dtype == "float64" and in64.max_abs_error < 1e-7
    assert in32.max_abs_error > 1e-5


def test_check_gradient_rejects_numpy_functions():
    """A NumPy function cannot be differentiated: the error says to use keras.ops."""
    with pytest.raises(ValueError, match="keras.ops"):
        custom.check_gradient(lambda v: np.tanh(v), [0.5, 1.0])


@pytest.mark.parametrize(
    ("x", "eps", "fragment"),
    [
        ([1.0], 0.0, "eps"),
        ([1.0], -1e-3, "eps"),
        ([], 1e-4, "non-empty"),
        ([np.nan], 1e-4, "finite"),
    ],
)
def test_check_gradient_bad_input(x, eps, fragment):
    """Bad eps or points raise ValueError with the received value."""
    with pytest.raises(ValueError, match=fragment):
        custom.check_gradient(custom.sigmoid_tanh, x, eps)


def test_check_gradient_rejects_non_elementwise():
    """A reduction is not element-wise and is refused."""
    with pytest.raises(ValueError, match="element-wise"):
        custom.check_gradient(lambda v: keras.ops.sum(v * v, keepdims=True), [1.0, 2.0])


def test_learnable_swish_values_and_trainable_beta():
    """x * sigmoid(beta x), with beta a single trainable weight."""
    layer = custom.LearnableSwish(beta_initial=2.0)
    x = X.astype("float32")
    out = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(out, X * _sigmoid(2.0 * X), atol=1e-5)
    assert len(layer.trainable_weights) == 1
    assert float(layer.beta.numpy()) == 2.0


def test_learnable_swish_beta_is_learned():
    """Training moves beta (its gradient is not zero)."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1,)), custom.LearnableSwish(name="act")])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    x = np.linspace(-3, 3, 64, dtype="float32")[:, None]
    model.fit(x, np.maximum(x, 0), epochs=20, verbose=0)
    assert float(model.get_layer("act").beta.numpy()) > 1.5  # ReLU target: beta grows


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "1", True])
def test_learnable_swish_bad_beta(bad):
    """A non-finite or non-number beta_initial is refused."""
    with pytest.raises(ValueError, match="beta_initial"):
        custom.LearnableSwish(beta_initial=bad)


def test_squared_activation_config_carries_activation():
    """The activation is serialised in the config and restored by from_config."""
    layer = custom.SquaredActivation("relu", name="sq")
    assert layer.get_config()["activation"] == "relu"
    clone = custom.SquaredActivation.from_config(layer.get_config())
    x = np.array([-2.0, 0.5], "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(clone(x)), [4.0, 0.25])


def test_registered_objects_round_trip_in_safe_mode():
    """A model using all three custom objects reloads with safe_mode=True, same predictions."""
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((5,)),
            keras.layers.Dense(8, activation=custom.sigmoid_tanh),
            custom.LearnableSwish(beta_initial=1.5),
            custom.SquaredActivation("tanh"),
            keras.layers.Dense(2),
        ]
    )
    x = np.random.default_rng(0).normal(size=(6, 5)).astype("float32")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.keras")
        model.save(path)
        loaded = keras.models.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    assert loaded.layers[0].activation is custom.sigmoid_tanh
