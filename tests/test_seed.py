import random
import subprocess
import sys

import keras
import numpy as np
import pytest

import actlab


def test_same_seed_same_numbers():
    """seed(n) makes Python, NumPy and Keras draws repeatable."""
    actlab.seed(7)
    a = (random.random(), float(np.random.rand()), float(keras.random.uniform((1,))[0]))
    w1 = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)]).get_weights()[0]
    actlab.seed(7)
    b = (random.random(), float(np.random.rand()), float(keras.random.uniform((1,))[0]))
    w2 = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)]).get_weights()[0]
    assert a == b
    np.testing.assert_array_equal(w1, w2)


def test_different_seeds_differ():
    """Different seeds give different draws."""
    actlab.seed(1)
    a = np.random.rand()
    actlab.seed(2)
    assert np.random.rand() != a


@pytest.mark.parametrize("bad", [-1, 1.5, "42", None, True])
def test_bad_seed_is_a_clear_error(bad):
    """A bad seed names the received value."""
    with pytest.raises(ValueError, match="Received: n="):
        actlab.seed(bad)


def test_import_actlab_does_not_import_tensorflow():
    """`import actlab` stays cheap: TensorFlow is imported on first use only."""
    code = "import sys, actlab; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]


def test_unknown_public_name_lists_the_api():
    """A typo in a public name says what exists."""
    with pytest.raises(AttributeError, match="Public names:.*swap_activations"):
        actlab.swap_activation  # noqa: B018


def test_current_seed_is_the_last_seed_set():
    """current_seed() reads back what actlab.seed(n) set (exercise checks judge at it)."""
    from actlab._seed import current_seed

    actlab.seed(13)
    assert current_seed() == 13
    actlab.seed(0)
    assert current_seed() == 0 and current_seed(default=99) == 0


def test_current_seed_default_before_any_seed():
    """In a fresh process with no actlab.seed call, current_seed() is the default."""
    code = ("from actlab._seed import current_seed; "
            "print(current_seed(), current_seed(default=5))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["42", "5"]
