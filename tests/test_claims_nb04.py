"""Claims of 04_swapping_activations, checked outside the notebook."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import actlab
import actlab.exercises
import actlab.models


class _TwoLayerNet(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden, self.head = keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)

    def call(self, x):
        return self.head(self.hidden(x))


def test_swap_refuses_a_subclassed_model_with_the_notebooks_message():
    """A built subclassed model is refused with a TypeError naming the missing layer graph."""
    net = _TwoLayerNet()
    net(np.zeros((1, 4), "float32"))
    with pytest.raises(TypeError, match="subclassed model") as err:
        actlab.swap_activations(net, {"relu": "tanh"})
    assert "no layer graph" in str(err.value)


def test_swap_accepts_the_same_network_as_a_graph():
    """Control: the same layers as a Sequential model are swapped, not refused."""
    net = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                            keras.layers.Dense(2)])
    new = actlab.swap_activations(net, {"relu": "tanh"})
    assert [s.activation for s in actlab.find_activations(new)] == ["tanh"]


def test_keras_clone_model_refuses_a_subclassed_model_with_a_value_error():
    """14a: Keras's own clone_model(..., clone_function=...) refuses it too, with a ValueError."""
    net = _TwoLayerNet()
    net(np.zeros((1, 4), "float32"))
    with pytest.raises(ValueError, match="only supported for Sequential models"):
        keras.models.clone_model(net, clone_function=lambda layer: layer)


def _mlp(seed=0):
    return actlab.models.mlp(784, [64, 32], "relu", output_units=10, output_activation="softmax",
                             seed=seed)


def test_layers_argument_restricts_the_swap():
    """13d: layers=[...] swaps the named layers only; without it every ReLU changes (control)."""
    only = actlab.swap_activations(_mlp(), {"relu": "elu"}, layers=["hidden_2"])
    every = actlab.swap_activations(_mlp(), {"relu": "elu"})
    assert [s.activation for s in actlab.find_activations(only)] == ["relu", "elu", "softmax"]
    assert [s.activation for s in actlab.find_activations(every)] == ["elu", "elu", "softmax"]


def test_mapping_value_can_be_a_function():
    """13d: a function as the mapping's value becomes the layer's activation itself."""
    from actlab import custom

    new = actlab.swap_activations(_mlp(), {"relu": custom.sigmoid_tanh})
    assert new.get_layer("hidden_1").activation is custom.sigmoid_tanh


def test_relu_and_leaky_relu_layers_are_sites():
    """13d: activation layers are found and swapped like activation= arguments."""
    net = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.ReLU(name="r"),
                            keras.layers.Dense(3), keras.layers.LeakyReLU(0.2, name="lr")])
    new = actlab.swap_activations(net, {"relu": "tanh", "leaky_relu": "elu"})
    assert [(s.kind, s.activation) for s in actlab.find_activations(new)] == [
        ("layer", "tanh"), ("layer", "elu")]


def test_squared_activation_model_saves_and_reloads_after_a_swap(tmp_path):
    """20: SquaredActivation is savable: the swapped nested model reloads in safe mode."""
    from actlab import custom

    inner = keras.Sequential([keras.Input((10,)), custom.SquaredActivation("sigmoid", name="sq"),
                              keras.layers.Dense(4, activation="relu")], name="inner")
    inputs = keras.Input((10,))
    outer = keras.Model(inputs, keras.layers.Dense(1)(inner(inputs)))
    swapped = actlab.swap_activations(outer, {"sigmoid": "relu"})
    path = str(tmp_path / "outer.keras")
    swapped.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    x = np.random.default_rng(0).normal(size=(8, 10)).astype("float32")
    assert np.array_equal(swapped.predict(x, verbose=0), loaded.predict(x, verbose=0))
    assert actlab.find_activations(loaded)[0].activation == "relu"


@pytest.mark.parametrize("seed", [0, 7])
def test_q1_checks_on_the_notebooks_base_at_its_seed(seed):
    """23: the check's base is the notebook's base, mlp(..., seed=SEED + 4), at any SEED."""
    from actlab.exercises import nb04

    actlab.seed(seed)
    theirs = nb04._base().get_weights()
    mine = _mlp(seed + 4).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(theirs, mine, strict=True))
    assert not np.array_equal(theirs[0], _mlp(seed + 5).get_weights()[0])  # the seed matters
    q1 = actlab.exercises.load("04").q1
    assert q1.check(nb04._swap_one_reference).passed is True
    assert q1.check(nb04._swap_without_weights).passed is False
