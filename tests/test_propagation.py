"""actlab.propagation: signal propagation at initialisation against theory and Keras."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from actlab import propagation as prop


def test_first_layer_moments_match_a_keras_dense_layer():
    """Layer 1's pre-activations are those of a Dense layer with the same seeded initialiser."""
    m = prop.forward_moments("relu", depth=1, width=64, kernel_initializer="he_normal",
                             n_samples=256, seed=3)
    x = np.random.default_rng(3).standard_normal((256, 64)).astype("float32")
    dense = keras.layers.Dense(64, use_bias=False,
                               kernel_initializer=keras.initializers.HeNormal(seed=4))
    z = keras.ops.convert_to_numpy(dense(x))
    assert m["pre_mean"][0] == pytest.approx(z.mean(), abs=1e-5)
    assert m["pre_var"][0] == pytest.approx(z.var(), rel=1e-4)
    assert m["out_var"][0] == pytest.approx(np.maximum(z, 0).var(), rel=1e-4)


@pytest.mark.parametrize(("init", "factor"), [("he_normal", 1.0), ("lecun_normal", 0.5),
                                              ("glorot_uniform", 0.5)])
def test_relu_variance_factor_is_fan_in_times_var_w_over_two(init, factor):
    """He et al. 2015: Var(z) is multiplied by fan_in * Var(w) / 2 per ReLU layer."""
    m = prop.forward_moments("relu", depth=20, width=256, kernel_initializer=init)
    assert prop.per_layer_factor(m["pre_var"]) == pytest.approx(factor, rel=0.1)


def test_selu_with_lecun_normal_has_the_fixed_point_and_he_does_not():
    """Klambauer et al. 2017: SELU + lecun_normal keeps mean 0, variance 1; He blows up."""
    m = prop.forward_moments("selu", depth=30, width=256, kernel_initializer="lecun_normal")
    assert np.all(np.abs(m["out_mean"]) < 0.1)
    assert np.all(np.abs(m["out_var"] - 1) < 0.15)
    he = prop.forward_moments("selu", depth=30, width=256, kernel_initializer="he_normal")
    assert he["out_var"][-1] > 10


def test_alpha_dropout_keeps_the_fixed_point_and_dropout_does_not():
    """AlphaDropout keeps SELU's variance near 1; plain Dropout pushes it away."""
    alpha = prop.forward_moments("selu", depth=30, width=256, kernel_initializer="lecun_normal",
                                 dropout="alpha_dropout", rate=0.1)
    plain = prop.forward_moments("selu", depth=30, width=256, kernel_initializer="lecun_normal",
                                 dropout="dropout", rate=0.1)
    assert np.all(np.abs(alpha["out_var"] - 1) < 0.15)
    assert plain["out_var"][-1] > 1.3


def test_forward_moments_is_deterministic_for_a_seed():
    """The same seed gives the same numbers; another seed does not."""
    a = prop.forward_moments("tanh", depth=3, width=16, seed=1)
    b = prop.forward_moments("tanh", depth=3, width=16, seed=1)
    c = prop.forward_moments("tanh", depth=3, width=16, seed=2)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["pre_var"], c["pre_var"])


def test_widths_per_layer_and_input_dim():
    """One width per layer is accepted, and so is an input dimension of its own."""
    m = prop.forward_moments("relu", depth=3, width=[8, 16, 4], input_dim=5)
    assert all(len(v) == 3 for v in m.values())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"depth": 0}, "depth must be an integer >= 1"),
        ({"depth": 2, "width": [4]}, "one per layer"),
        ({"depth": 2, "kernel_initializer": "he"}, "kernel_initializer must be one of"),
        ({"depth": 2, "dropout": "spatial"}, "dropout must be"),
        ({"depth": 2, "dropout": "dropout", "rate": 1.0}, "rate must be in"),
        ({"depth": 2, "n_samples": 2.5}, "n_samples must be"),
        ({"depth": 2, "input_var": 0.0}, "input_var positive"),
        ({"depth": 2, "input_mean": float("nan")}, "input_mean must be finite"),
    ],
)
def test_forward_moments_bad_arguments(kwargs, message):
    """Bad arguments say what was wrong and what was received."""
    with pytest.raises(ValueError, match=message):
        prop.forward_moments("relu", **kwargs)


def test_input_mean_and_var_set_the_inputs_moments():
    """Layer 1's pre-activation variance is fan_in * Var(w) * E[x^2] = mean^2 + var (LeCun)."""
    default = prop.forward_moments("selu", depth=2, width=64, kernel_initializer="lecun_normal")
    same = prop.forward_moments("selu", depth=2, width=64, kernel_initializer="lecun_normal",
                                input_mean=0.0, input_var=1.0)
    assert all(np.array_equal(default[k], same[k]) for k in default)
    moved = prop.forward_moments("selu", depth=2, width=64, kernel_initializer="lecun_normal",
                                 n_samples=4096, input_mean=1.0, input_var=4.0)
    assert moved["pre_var"][0] == pytest.approx(5.0, rel=0.15)
    assert default["pre_var"][0] == pytest.approx(1.0, rel=0.15)


def test_forward_moments_unknown_activation():
    """An unknown activation gets the catalogue's did-you-mean error."""
    with pytest.raises(ValueError, match="relu"):
        prop.forward_moments("rellu", depth=2)


def test_per_layer_factor():
    """A geometric curve gives its ratio back; skip drops the first values."""
    assert prop.per_layer_factor([8.0, 4.0, 2.0, 1.0]) == pytest.approx(0.5)
    assert prop.per_layer_factor([100.0, 1.0, 3.0, 9.0], skip=1) == pytest.approx(3.0)
    with pytest.raises(ValueError, match="at least two"):
        prop.per_layer_factor([1.0])
    with pytest.raises(ValueError, match="positive"):
        prop.per_layer_factor([1.0, 0.0])


def test_dead_at_a_point_probability():
    """1 - (1 - 2^-N)^L: a quarter for one layer of 2 units, towards 1 with depth."""
    assert prop.dead_at_a_point_probability(1, 2) == pytest.approx(0.25)
    assert prop.dead_at_a_point_probability(2, 1) == pytest.approx(0.75)
    assert prop.dead_at_a_point_probability(200, 3) > 0.999
    with pytest.raises(ValueError, match="width"):
        prop.dead_at_a_point_probability(3, 0)


def test_all_negative_layer_probability():
    """1 - (1 - 2^-(N^2))^(L-1): 0 for one layer, 1/16 for two layers of 2 units."""
    assert prop.all_negative_layer_probability(1, 2) == 0.0
    assert prop.all_negative_layer_probability(2, 2) == pytest.approx(1 / 16)
    assert prop.all_negative_layer_probability(2, 1) == pytest.approx(0.5)
    assert prop.all_negative_layer_probability(10, 3) < prop.dead_at_a_point_probability(10, 3)
    with pytest.raises(ValueError, match="depth"):
        prop.all_negative_layer_probability(0, 2)


def test_born_dead_fraction_is_above_the_all_negative_layer_bound():
    """Width 2: the simulated fraction is not below our lower bound (4 standard errors)."""
    got = prop.born_dead_fraction([2, 10, 30], width=2, n_networks=1000, seed=3)
    for depth, frac in got.items():
        p = prop.all_negative_layer_probability(depth, 2)
        assert frac >= p - 4 * np.sqrt(p * (1 - p) / 1000) - 1e-9


def test_dead_at_a_point_matches_simulation_with_one_input():
    """With one input point the born-dead fraction estimates the exact probability."""
    got = prop.born_dead_fraction([2, 5], width=2, n_networks=4000, n_inputs=1, seed=1)
    for depth, frac in got.items():
        p = prop.dead_at_a_point_probability(depth, 2)
        assert abs(frac - p) < 4 * np.sqrt(p * (1 - p) / 4000) + 1e-9


def test_born_dead_fraction_grows_with_depth_and_stays_below_the_point_probability():
    """Lu et al. 2019: deeper narrow nets are born dead more often; never more than at a point."""
    got = prop.born_dead_fraction([1, 3, 10, 30], width=3, n_networks=1000)
    values = list(got.values())
    assert values == sorted(values) and values[0] == 0.0 and values[-1] > 0.9
    for depth, frac in got.items():
        p = prop.dead_at_a_point_probability(depth, 3)
        assert frac <= p + 4 * np.sqrt(p * (1 - p) / 1000) + 1e-9


def test_born_dead_fraction_bad_arguments():
    """Empty depths and non-positive sizes are refused."""
    with pytest.raises(ValueError, match="depths is empty"):
        prop.born_dead_fraction([], width=2)
    with pytest.raises(ValueError, match="width"):
        prop.born_dead_fraction([3], width=0)


# --- Brownlowe et al. 2024: a second-layer unit that never fires ---------------------------


@pytest.mark.parametrize(
    ("input_dim", "width", "expected"),
    [(1, 1, 1 / 4), (2, 2, 1 / 8), (3, 2, 1 / 8), (1, 2, 3 / 16), (2, 3, 5 / 64), (3, 4, 9 / 256)],
)
def test_stably_unactivated_probability_is_the_papers_formula(input_dim, width, expected):
    assert prop.stably_unactivated_probability(input_dim, width) == pytest.approx(expected)


def test_stably_unactivated_probability_refuses_the_conjectured_case():
    with pytest.raises(ValueError, match=r"conjecture.*input_dim=1, width=3.*unactivated_fraction"):
        prop.stably_unactivated_probability(1, 3)
    with pytest.raises(ValueError, match="width must be"):
        prop.stably_unactivated_probability(2, 0)


@pytest.mark.parametrize(("input_dim", "width"), [(1, 1), (2, 2), (1, 2), (2, 3), (3, 4)])
def test_measured_fraction_matches_the_paper_within_three_standard_errors(input_dim, width):
    n = 20000
    p = prop.stably_unactivated_probability(input_dim, width)
    measured = prop.unactivated_fraction(input_dim, width, n_networks=n, seed=3)
    assert abs(measured - p) <= 3 * np.sqrt(p * (1 - p) / n)


def test_the_two_proven_cases_are_told_apart():
    # Control: 1 input and 2 units (3/16) is measurably not the narrow-layer value 1/8.
    measured = prop.unactivated_fraction(1, 2, n_networks=20000, seed=4)
    assert abs(measured - 1 / 8) > 10 * np.sqrt(1 / 8 * 7 / 8 / 20000)


def _grid_max(kernel, bias, w, b, points):
    pre = np.einsum("gi,nij->ngj", points, kernel) + bias[:, None, :]
    return (np.maximum(pre, 0) * w[:, None, :]).sum(-1).max(-1) + b


@pytest.mark.parametrize("input_dim", [1, 2])
def test_never_fires_agrees_with_a_dense_grid(input_dim):
    rng = np.random.default_rng(7)
    n, width = 400, 3
    kernel = rng.standard_normal((n, input_dim, width))
    bias, w = rng.standard_normal((n, width)), rng.standard_normal((n, width))
    b = rng.standard_normal(n)
    if input_dim == 1:
        points = np.concatenate([np.linspace(-50, 50, 20001), [-1e5, -1e3, 1e3, 1e5]])[:, None]
    else:
        g = np.linspace(-20, 20, 161)
        angles = np.linspace(0, 2 * np.pi, 1440, endpoint=False)
        far = 1e4 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        points = np.concatenate([np.stack(np.meshgrid(g, g), -1).reshape(-1, 2), far])
    exact = prop.never_fires(kernel, bias, w, b)
    on_grid = _grid_max(kernel, bias, w, b, points) <= 0
    assert not np.any(exact & ~on_grid), "a unit judged silent fires at a grid point"
    assert np.sum(on_grid & ~exact) <= 2, "the grid missed more firing regions than expected"
    assert 0.05 < exact.mean() < 0.5, "both outcomes occur"


def test_never_fires_reads_keras_dense_weights():
    verdicts = []
    for seed in range(12):
        init = keras.initializers.RandomNormal(seed=seed)
        binit = keras.initializers.RandomNormal(seed=100 + seed)
        first = keras.layers.Dense(
            2, activation="relu", kernel_initializer=init, bias_initializer=binit
        )
        unit = keras.layers.Dense(
            1,
            kernel_initializer=keras.initializers.RandomNormal(seed=200 + seed),
            bias_initializer=keras.initializers.RandomNormal(seed=300 + seed),
        )
        model = keras.Sequential([keras.Input((1,)), first, unit])
        (k1, b1), (k2, b2) = first.get_weights(), unit.get_weights()
        verdict = bool(prop.never_fires(k1, b1, k2[:, 0], b2[0]))
        grid = np.linspace(-1e3, 1e3, 200001, dtype="float32")[:, None]
        assert verdict == bool(np.max(model.predict(grid, verbose=0, batch_size=200001)) <= 0)
        verdicts.append(verdict)
    assert any(verdicts) and not all(verdicts)


def test_never_fires_with_fewer_units_than_inputs_is_the_sign_rule():
    rng = np.random.default_rng(1)
    kernel = rng.standard_normal((2000, 3, 2))
    bias, w = rng.standard_normal((2000, 2)), rng.standard_normal((2000, 2))
    b = rng.standard_normal(2000)
    expected = np.all(w <= 0, axis=1) & (b <= 0)
    np.testing.assert_array_equal(prop.never_fires(kernel, bias, w, b), expected)


def test_never_fires_bad_input():
    with pytest.raises(ValueError, match=r"Shapes must be.*Received: kernel \(1, 2\), bias \(3,\)"):
        prop.never_fires(np.ones((1, 2)), np.ones(3), np.ones(3), 0.0)
    with pytest.raises(ValueError, match="do not meet in one point"):
        prop.never_fires(np.array([[0.0, 2.0]]), np.array([0.0, 1.0]), np.ones(2), np.array(0.0))
    with pytest.raises(ValueError, match="dependent columns"):
        prop.never_fires(np.zeros((2, 1)), np.array([0.0]), np.ones(1), np.array(0.0))
