"""actlab.deepnets: deep_mlp, hidden_layers, calibrate_batch_norm."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from actlab.deepnets import calibrate_batch_norm, deep_mlp, hidden_layers


def test_layers_and_names():
    """depth hidden Dense layers named dense_1.., a Flatten for images, an output layer."""
    m = deep_mlp((28, 28), depth=3, width=16, activation="tanh")
    assert [layer.name for layer in m.layers] == [
        "flatten",
        "dense_1",
        "dense_2",
        "dense_3",
        "output",
    ]
    assert hidden_layers(m) == ["dense_1", "dense_2", "dense_3"]
    assert m.output_shape == (None, 10)
    assert all(m.get_layer(n).units == 16 for n in hidden_layers(m))
    assert m.get_layer("dense_2").activation is keras.activations.tanh


def test_same_seed_same_weights_and_initialisers_differ():
    """Seeded initialisers: equal weights for equal calls; He is wider than Glorot."""
    a = deep_mlp(20, depth=4, width=32, seed=3)
    b = deep_mlp(20, depth=4, width=32, seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights(), strict=True))
    he = deep_mlp(20, depth=4, width=32, kernel_initializer="he_normal", seed=3)
    k_glorot = a.get_layer("dense_3").kernel.numpy()
    k_he = he.get_layer("dense_3").kernel.numpy()
    # Glorot: var = 2 / (32 + 32) = 1/32; He: var = 2 / 32.
    assert np.std(k_glorot) == pytest.approx((1 / 32) ** 0.5, rel=0.15)
    assert np.std(k_he) == pytest.approx((2 / 32) ** 0.5, rel=0.15)


def test_constant_bias_and_aliases():
    """bias= sets every hidden bias; catalogue aliases are resolved to Keras names."""
    m = deep_mlp(5, depth=2, width=4, activation="swish", bias=-1.5)
    assert np.all(m.get_layer("dense_1").bias.numpy() == -1.5)
    assert np.all(m.get_layer("output").bias.numpy() == 0.0)
    assert m.get_layer("dense_1").activation is keras.activations.silu


def test_batch_norm_layout():
    """With batch_norm: dense_i (linear) -> bn_i -> act_i."""
    m = deep_mlp(5, depth=2, width=4, activation="sigmoid", batch_norm=True)
    names = [layer.name for layer in m.layers]
    assert names == ["dense_1", "bn_1", "act_1", "dense_2", "bn_2", "act_2", "output"]
    assert m.get_layer("dense_1").activation is keras.activations.linear
    assert hidden_layers(m) == ["dense_1", "dense_2"]


def test_calibrate_batch_norm_makes_inference_match_training_mode():
    """After calibration, inference on the batch equals training-mode output on it."""
    x = np.random.default_rng(0).normal(2.0, 3.0, size=(128, 5)).astype("float32")
    m = deep_mlp(5, depth=3, width=8, activation="tanh", batch_norm=True)
    before = m(x, training=False).numpy()
    weights = [w.copy() for w in m.get_weights()]
    assert calibrate_batch_norm(m, x) is m
    inference = m(x, training=False).numpy()
    training = m(x, training=True).numpy()
    np.testing.assert_allclose(inference, training, atol=1e-4)
    assert not np.allclose(before, inference, atol=1e-3)
    # Only moving statistics changed; trainable weights (kernels, gamma, beta) did not.
    for layer in m.layers:
        for w in layer.trainable_weights:
            original = weights[[v.path for v in m.weights].index(w.path)]
            np.testing.assert_array_equal(w.numpy(), original)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"depth": 0}, "depth must be an integer >= 1. Received: depth=0"),
        ({"depth": np.int64(2), "width": 0}, "width must be an integer >= 1. Received: width=0"),
        ({"depth": 2, "kernel_initializer": "he_norml"}, "Did you mean 'he_normal'"),
        ({"depth": 2, "bias": float("nan")}, "bias must be a finite number"),
        ({"depth": 2, "activation": "rellu"}, "Did you mean 'relu'"),
        ({"depth": 2, "output_units": 0}, "output_units must be"),
    ],
)
def test_bad_arguments(kwargs, message):
    """Bad sizes, initialisers, biases and activation names are refused clearly."""
    with pytest.raises(ValueError, match=message):
        deep_mlp(5, **kwargs)


def test_bad_input_shape():
    """input_shape must be positive integers."""
    with pytest.raises(ValueError, match="input_shape must be"):
        deep_mlp((0, 3), depth=1)


def test_calibrate_needs_a_sequential():
    """calibrate_batch_norm refuses functional models (it walks layers in order)."""
    inp = keras.Input((3,))
    model = keras.Model(inp, keras.layers.Dense(2)(inp))
    with pytest.raises(TypeError, match="expects a keras.Sequential"):
        calibrate_batch_norm(model, np.zeros((2, 3)))
