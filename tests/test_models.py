import keras
import numpy as np
import pytest

from actlab import models

RNG = np.random.default_rng(0)


def test_collapse_linear_matches_model_predictions():
    """x @ W + b from the folded stack equals the model's output."""
    model = models.linear_stack([4, 6, 5, 3], seed=0)
    w, b = models.collapse_linear(model)
    x = RNG.normal(size=(32, 4)).astype("float32")
    assert w.shape == (4, 3) and b.shape == (3,)
    np.testing.assert_allclose(x @ w + b, model.predict(x, verbose=0), atol=1e-5)


def test_collapse_linear_two_layers_formula():
    """For two layers the fold is W1 @ W2 and b1 @ W2 + b2 (NumPy reference)."""
    model = models.linear_stack([3, 5, 2], seed=4)
    (w1, b1), (w2, b2) = (lay.get_weights() for lay in model.layers)
    w, b = models.collapse_linear(model)
    np.testing.assert_allclose(w, w1 @ w2, rtol=1e-6)
    np.testing.assert_allclose(b, b1 @ w2 + b2, rtol=1e-6)


def test_linear_stack_has_nonzero_biases_and_is_repeatable():
    """Biases are random (so bias mistakes show) and the same seed gives the same weights."""
    a = models.linear_stack([4, 6, 3], seed=3)
    b = models.linear_stack([4, 6, 3], seed=3)
    assert np.all(a.layers[0].bias.numpy() != 0)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_collapse_linear_rejects_nonlinear_activation():
    """A ReLU layer cannot be folded; the message names the layer and activation."""
    model = models.mlp(4, [6], "relu", seed=0)
    with pytest.raises(ValueError, match="hidden_1.*'relu'"):
        models.collapse_linear(model)


def test_collapse_linear_rejects_non_dense_and_empty():
    """Non-Dense layers and models without Dense layers get a clear error."""
    model = keras.Sequential([keras.Input((2, 2)), keras.layers.Flatten(), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="Flatten"):
        models.collapse_linear(model)
    with pytest.raises(ValueError, match="no Dense layer"):
        models.collapse_linear(keras.Sequential([keras.Input((2,))]))


def test_collapse_linear_does_not_modify_model():
    """The model's weights are unchanged by collapsing."""
    model = models.linear_stack([4, 6, 3], seed=1)
    before = [w.copy() for w in model.get_weights()]
    models.collapse_linear(model)
    for w0, w1 in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(w0, w1)


def test_mlp_names_shapes_and_activations():
    """Stable layer names, Flatten for image input, one activation per hidden layer."""
    model = models.mlp(
        (28, 28), [16, 8], ["relu", "tanh"], output_units=10, output_activation="softmax", seed=0
    )
    assert [lay.name for lay in model.layers] == ["flatten", "hidden_1", "hidden_2", "output"]
    assert model.output_shape == (None, 10)
    acts = [keras.activations.serialize(lay.activation) for lay in model.layers[1:]]
    assert acts == ["relu", "tanh", "softmax"]


def test_mlp_seed_is_repeatable():
    """The same seed builds identical kernels; a different seed different ones."""
    a = models.mlp(5, [4], "relu", seed=7).get_weights()
    b = models.mlp(5, [4], "relu", seed=7).get_weights()
    c = models.mlp(5, [4], "relu", seed=8).get_weights()
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_mlp_accepts_layer_activation():
    """A Keras activation layer is accepted as a hidden activation."""
    model = models.mlp(3, [4], keras.layers.LeakyReLU(negative_slope=0.1), seed=0)
    x = -np.ones((1, 3), "float32")
    assert model.predict(x, verbose=0).shape == (1, 1)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"input_shape": 0, "widths": [4], "activations": "relu"}, "input_shape"),
        ({"input_shape": 3, "widths": [], "activations": "relu"}, "widths"),
        ({"input_shape": 3, "widths": [4, 0], "activations": "relu"}, "widths"),
        ({"input_shape": 3, "widths": [4, 4], "activations": ["relu"]}, "2 hidden widths but 1"),
    ],
)
def test_mlp_bad_arguments(kwargs, fragment):
    """Bad arguments raise ValueError naming what was received."""
    with pytest.raises(ValueError, match=fragment):
        models.mlp(**kwargs)


@pytest.mark.parametrize("widths", [[4], [4, 0], [3, 2.5]])
def test_linear_stack_bad_widths(widths):
    """linear_stack needs an input size and at least one positive integer layer size."""
    with pytest.raises(ValueError, match="widths"):
        models.linear_stack(widths)


def test_mlp_is_the_one_builder_with_options():
    """Batch norm, bias, layer names and the initialiser are options of mlp itself."""
    m = models.mlp(3, [4, 4], "swish", bias=-0.5, batch_norm=True, layer_name="dense",
                   kernel_initializer="he_normal", seed=2)
    names = [layer.name for layer in m.layers]
    assert names == ["dense_1", "bn_1", "act_1", "dense_2", "bn_2", "act_2", "output"]
    assert m.get_layer("act_1").activation is keras.activations.silu
    assert np.all(m.get_layer("dense_2").bias.numpy() == -0.5)
    expected = models.seeded_initializer("he_normal", 3)((4, 4)).numpy()
    np.testing.assert_array_equal(m.get_layer("dense_2").kernel.numpy(), expected)


def test_mlp_seeds_each_layer_from_the_seed():
    """Layer i gets seed + i: the same call gives the same weights, another seed others."""
    a, b = models.mlp(3, [5, 5], "relu", seed=7), models.mlp(3, [5, 5], "relu", seed=7)
    assert all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights(), strict=True))
    kernel = models.seeded_initializer("glorot_uniform", 8)((5, 5)).numpy()
    np.testing.assert_array_equal(a.get_layer("hidden_2").kernel.numpy(), kernel)
    c = models.mlp(3, [5, 5], "relu", seed=8)
    assert not np.array_equal(a.get_layer("hidden_1").kernel.numpy(),
                              c.get_layer("hidden_1").kernel.numpy())


def test_seeded_initializer_keeps_keras_defaults_and_refuses_unknown_names():
    """random_normal keeps stddev 0.05; an unknown name says what was received."""
    init = models.seeded_initializer("random_normal", 0)
    assert isinstance(init, keras.initializers.RandomNormal) and init.stddev == 0.05
    with pytest.raises(ValueError, match="Received: kernel_initializer='he_norm'"):
        models.seeded_initializer("he_norm", 0)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"activations": "rleu"}, "Did you mean 'relu'"),
        ({"activations": "relu", "bias": float("inf")}, "bias must be a finite number"),
        ({"activations": "relu", "output_units": 0}, "output_units must be an integer >= 1"),
    ],
)
def test_mlp_bad_names_and_values(kwargs, fragment):
    """Unknown activation names, non-finite biases and empty outputs are refused."""
    with pytest.raises(ValueError, match=fragment):
        models.mlp(3, [4], **kwargs)
