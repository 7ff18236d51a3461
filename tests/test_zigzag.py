"""actlab.zigzag: the same-sign update argument for non-zero-centred activations."""

import numpy as np
import pytest

from actlab import catalog
from actlab.zigzag import two_weight_descent


@pytest.mark.parametrize("name", ["sigmoid", "relu", "softplus", "hard_sigmoid"])
def test_positive_inputs_give_same_sign_updates(name):
    """Activations with outputs >= 0: every non-zero update moves both weights the same way."""
    path = two_weight_descent(name, steps=40)
    assert np.all(path.inputs >= 0)
    assert path.same_sign_fraction == 1.0


def test_zero_centred_inputs_give_mixed_updates_and_a_straighter_path():
    """tanh inputs take both signs: some updates move the weights apart, and the path is shorter."""
    sig, tanh = two_weight_descent("sigmoid"), two_weight_descent("tanh")
    assert tanh.same_sign_fraction < 0.8
    assert sig.path_ratio > 2 * tanh.path_ratio
    assert tanh.final_distance < 0.1 < sig.final_distance


def test_one_step_is_the_sgd_formula():
    """w1 = w0 - lr * (w0 . a - target . a) * a, with a = activation(z) for z ~ N(0, 1)."""
    path = two_weight_descent("tanh", steps=1, lr=0.3, seed=5, target=(2.0, 0.5))
    z = np.random.default_rng(5).normal(size=(1, 2)).astype("float32")
    a = np.asarray(catalog.get("tanh")(z), "float64")[0]
    np.testing.assert_allclose(path.inputs[0], a)
    np.testing.assert_allclose(path.weights[1], 0.3 * (np.array([2.0, 0.5]) @ a) * a)


def test_bad_arguments_are_refused():
    """Unknown names, non-positive steps or lr, and a wrong target get clear errors."""
    with pytest.raises(ValueError, match="Did you mean"):
        two_weight_descent("sigmiod")
    with pytest.raises(ValueError, match="steps=0"):
        two_weight_descent(steps=0)
    with pytest.raises(ValueError, match="steps=True"):
        two_weight_descent(steps=True)
    with pytest.raises(ValueError, match="lr=-1"):
        two_weight_descent(lr=-1)
    with pytest.raises(ValueError, match="two numbers"):
        two_weight_descent(target=(1.0, 2.0, 3.0))


def test_overshoot_steps_counts_lr_times_squared_norm_above_2():
    """A step overshoots exactly when lr * |a|^2 > 2: its sample's error then grows."""
    path = two_weight_descent("relu", steps=50, lr=0.5, seed=3)
    a2 = np.sum(path.inputs**2, axis=1)
    assert path.overshoot_steps == int(np.sum(0.5 * a2 > 2)) > 0
    i = int(np.argmax(0.5 * a2 > 2))  # the first overshooting step
    before = (path.weights[i] - path.target) @ path.inputs[i]
    after = (path.weights[i + 1] - path.target) @ path.inputs[i]
    assert before * after < 0 and abs(after) > abs(before)


UNBOUNDED = ["softplus", "relu", "elu", "silu", "gelu"]


@pytest.mark.parametrize("name", UNBOUNDED)
def test_default_lr_is_safe_for_unbounded_outputs_where_0_5_is_not(name):
    """As the lr docstring says: at seeds 0-59, 300 steps, lr 0.05 never diverges, 0.5 does."""
    for seed in range(60):
        assert two_weight_descent(name, seed=seed).overshoot_steps == 0, seed
        assert two_weight_descent(name, seed=seed, lr=0.5).overshoot_steps > 0, seed


def test_lr_0_1_diverges_at_seed_187_where_the_default_does_not():
    """The docstring's figure: at lr 0.1 one step of seed 187 has lr * |a|^2 > 2 (|a|^2 = 23.3)."""
    for name in UNBOUNDED:
        assert two_weight_descent(name, seed=187, lr=0.1).overshoot_steps == 1, name
        assert two_weight_descent(name, seed=187).overshoot_steps == 0, name
    assert two_weight_descent("relu").lr == 0.05


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_bounded_outputs_never_overshoot_at_lr_1(name):
    """|a|^2 < 2 for sigmoid and tanh, so lr <= 1 is safe for them."""
    assert all(two_weight_descent(name, seed=s, lr=1.0).overshoot_steps == 0 for s in range(10))
