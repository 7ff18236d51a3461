"""Claims of notebook 08 (dying ReLU) backed by tests that can fail, and its seed-aware checks."""

from __future__ import annotations

import numpy as np
import pytest

from actlab import propagation as prop
from actlab.exercises import _lab_dying_relu as lab08


def test_notebook_seed_is_the_one_actlab_seed_set():
    """Typed answers and q2 use the seed actlab.seed() last set (the notebook's SEED)."""
    import actlab

    for n in (5, 0, 42):
        actlab.seed(n)
        assert lab08.notebook_seed() == n


def test_lab_of_any_seed_is_accepted_and_another_recipe_is_not():
    """The questions are about the lab's recipe at any seed; steps or width still count."""
    from actlab import widgets

    assert lab08._config(widgets.dying_relu_lab(seed=7)) is None
    assert "steps" in lab08._config(widgets.dying_relu_lab(seed=7, steps=100))


def test_typed_q3_answer_is_judged_at_the_notebooks_seed():
    """At seed 0 the smallest rate past 50 % is 0.1, at seed 3 it is 0.178: a typed 0.1 is
    right at one and wrong at the other, so the check must use the notebook's seed."""
    from actlab.exercises import Incorrect, Setting

    template = lab08.make_lab(seed=0)  # as the framework's cached template
    values = {**template.initial_state, "learning_rate": 0.1}
    import actlab

    actlab.seed(0)
    assert lab08._check_rate(Setting(values, template, typed=True)).startswith(
        "At learning rate 0.1,")
    actlab.seed(3)
    with pytest.raises(Incorrect, match="to the right"):
        lab08._check_rate(Setting(values, template, typed=True))
    actlab.seed(42)


def test_upper_bound_is_the_exact_probability_at_one_input():
    """1 - (1 - 2^-N)^L is exact at one input: born_dead_fraction with one input matches it."""
    n = 20_000
    for width in (2, 3):
        got = prop.born_dead_fraction([3, 6], width=width, n_networks=n, n_inputs=1, seed=11)
        for depth, frac in got.items():
            p = prop.dead_at_a_point_probability(depth, width)
            assert abs(frac - p) <= 4 * np.sqrt(p * (1 - p) / n), (width, depth, frac, p)


def test_born_dead_bounds_hold_at_several_seeds():
    """The notebook's 4-standard-error bounds hold for other draws too (c14d)."""
    n, depths = 2000, [1, 3, 10, 30]
    for seed in (1, 2, 3):
        for width in (2, 3):
            got = prop.born_dead_fraction(depths, width=width, n_networks=n, seed=seed + width)
            for d, frac in got.items():
                hi = prop.dead_at_a_point_probability(d, width)
                lo = prop.all_negative_layer_probability(d, width)
                assert frac <= hi + 4 * np.sqrt(hi * (1 - hi) / n) + 1e-9
                assert frac >= lo - 4 * np.sqrt(lo * (1 - lo) / n) - 1e-9


def test_a_unit_can_fire_only_far_outside_a_grid():
    """Why notebook 08's grid reaches 1e12: silent on [-1000, 1000], this unit fires beyond 1e4."""
    kernel, bias = np.array([[1.0, -1.0]]), np.array([0.0, 0.0])
    unit_weights, unit_bias = np.array([1e-4, 0.0]), np.array(-1.0)
    grid = np.linspace(-1000, 1000, 2001)
    assert np.max(np.maximum(grid[:, None] * kernel + bias, 0) @ unit_weights + unit_bias) <= 0
    assert not prop.never_fires(kernel, bias, unit_weights, unit_bias)


def test_scaling_the_first_layer_changes_a_units_verdict():
    """The scale is not irrelevant per network: relu(c z) = c relu(z), the unit's bias stays."""
    rng = np.random.default_rng(0)
    n = 20_000
    k, b = rng.standard_normal((n, 1, 3)), rng.standard_normal((n, 3))
    w, c = rng.standard_normal((n, 3)), rng.standard_normal(n)
    assert np.any(prop.never_fires(k, b, w, c) != prop.never_fires(20 * k, 20 * b, w, c))


def test_q3_refuses_a_rate_when_any_lower_position_is_past_half(monkeypatch):
    """The share does not grow step by step (review: SEED 42 0.76, 0.73, 0.84): a position
    past 50 % whose one-lower neighbour is below 50 % is wrong if an even lower one is past."""
    from actlab.exercises import Incorrect, Setting
    from actlab.exercises._sliders import positions

    lab = lab08.make_lab(seed=42)
    grid = positions(lab.controls["learning_rate"])
    shares = {grid[1]: 0.6, grid[2]: 0.4, grid[3]: 0.7}

    def fake_measure(activation, lr, bias):
        share = next((v for k, v in shares.items() if np.isclose(k, lr)), 0.1)
        return {"after": {"dense_1": share}, "diverged": False}

    monkeypatch.setattr(lab, "measure", fake_measure)
    values = {**lab.initial_state, "learning_rate": grid[3]}
    with pytest.raises(Incorrect, match=f"already at {grid[1]:.3g}"):
        lab08._check_rate(Setting(values, lab, typed=False))
    values["learning_rate"] = grid[1]
    assert lab08._check_rate(Setting(values, lab, typed=False)).startswith("At learning rate")
