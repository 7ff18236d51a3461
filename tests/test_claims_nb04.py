"""Claims of 04_swapping_activations, checked outside the notebook."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import actlab


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
