"""Claims of notebook 09 (gradient flow) that hold for any seed, each with a control that fails.

The notebook's own check cells run at every SEED in ``tests/test_seed_sweep.py``;
these tests pin the mechanisms behind them and show that each check can fail
when the claim is false (a shifted input, another initialiser, a wrong depth).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from actlab import exercises
from actlab.exercises import Incorrect, Setting
from actlab.exercises import _lab_gradient_flow as flow
from actlab.propagation import forward_moments, per_layer_factor

SEEDS = (42, 0, 1, 7)


def _relu_moments(z: np.ndarray) -> tuple[float, float]:
    r = np.maximum(z, 0.0)
    return float(np.mean(r**2) / z.var()), float(r.var() / z.var())


@pytest.mark.parametrize("seed", SEEDS)
def test_relu_halves_the_second_moment_and_keeps_034_of_the_variance(seed):
    """E[relu(z)^2] = Var(z)/2; Var(relu(z)) = (1/2 - 1/(2 pi)) Var(z) for zero-mean Gaussian z."""
    z = np.random.default_rng(seed).normal(0.0, 2.0, 1_000_000)
    second, variance = _relu_moments(z)
    assert second == pytest.approx(0.5, abs=0.01)
    assert variance == pytest.approx(0.5 - 1 / (2 * math.pi), abs=0.01)
    assert abs(variance - 0.5) > 0.1, "the variance is not halved"


def test_relu_second_moment_check_fails_for_a_shifted_input():
    """Control: with a non-zero mean the notebook's 0.5 check would fail."""
    z = np.random.default_rng(0).normal(1.0, 2.0, 1_000_000)
    second, _ = _relu_moments(z)
    assert abs(second - 0.5) > 0.01


def _distance(m: dict[str, np.ndarray]) -> np.ndarray:
    return np.maximum(np.abs(m["out_mean"]) / 0.1, np.abs(m["out_var"] - 1) / 0.15)


@pytest.mark.parametrize(("mean", "var"), [(1.0, 4.0), (0.0, 0.25)])
def test_selu_lecun_pulls_moments_to_the_fixed_point(mean, var):
    """Started away from (0, 1), lecun_normal SELU layers are inside the band from layer 20."""
    m = forward_moments("selu", depth=30, width=256, kernel_initializer="lecun_normal",
                        input_mean=mean, input_var=var, seed=0)
    d = _distance(m)
    assert d[0] > 3 and d[9] < d[0] / 2 and np.all(d[19:] < 1)


def test_selu_attraction_check_fails_with_he_normal():
    """Control: with he_normal the same start never enters the band."""
    m = forward_moments("selu", depth=30, width=256, kernel_initializer="he_normal",
                        input_mean=1.0, input_var=4.0, seed=0)
    assert not np.all(_distance(m)[19:] < 1)


@pytest.mark.parametrize("seed", SEEDS)
def test_q2_measured_factor_at_any_seed_is_accepted(seed):
    """A learner's forward_moments factor at their SEED is within q2's tolerance of the theory."""
    m = forward_moments("relu", depth=20, width=[512 if i % 2 == 0 else 128 for i in range(20)],
                        kernel_initializer="glorot_uniform", seed=seed)
    factor = per_layer_factor(m["pre_var"])
    assert exercises.load("09").q2.checker(factor)
    assert abs(factor - math.sqrt(0.16)) < 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_q3_judges_the_learners_lab_at_any_seed(seed):
    """The depth solve() finds passes for a lab of this seed; one layer less is refused."""
    q3 = exercises.load("09").q3
    lab = flow.make_lab(seed)
    target = flow._solve_depth(lab)
    assert q3._judge(lab.apply(**target))
    with pytest.raises(Incorrect, match="to the right"):
        q3._judge(lab.apply(depth=target["depth"] - 1))


@pytest.mark.parametrize("seed", SEEDS)
def test_q4_accepts_he_and_refuses_the_others_at_any_seed(seed):
    """He keeps every norm >= 1e-3 at depth 20 for a lab of this seed; no other initialiser does."""
    q4 = exercises.load("09").q4
    lab = flow.make_relu_lab(seed)
    confirmation = q4._judge(lab.apply(init="he_normal"))
    assert f"seed={seed}" in confirmation and "second moment" in confirmation
    for init in ("glorot_uniform", "lecun_normal", "random_normal"):
        with pytest.raises(Incorrect, match="below 0.001"):
            q4.checker(Setting({**lab.state(), "init": init}, lab))


@pytest.mark.parametrize("seed", [42, 1])
def test_typed_q3_answer_is_judged_at_the_notebook_seed(seed):
    """A typed depth is judged on the lab made with the notebook's SEED, and says so."""
    import actlab

    q3 = exercises.load("09").q3
    actlab.seed(seed)
    with pytest.raises(Incorrect, match=f"judged on the lab made with seed=SEED = {seed}"):
        q3._judge(2)
    right = int(flow._solve_depth(flow.make_lab(seed))["depth"])
    assert q3.check(right).passed


@pytest.mark.parametrize("seed", [42, 0])
def test_q1_silu_backward_signal_shrinks_but_its_kernel_ratio_hides_it(seed):
    """q1's feedback: silu's backward signal shrinks >100x over 10 layers (slope 0.5 at 0),
    the forward activations shrink about as much (within 2x), and the kernel ratio stays < 1."""
    from actlab.exercises import nb09

    back, forward = nb09.backward_shrink("silu", 10, seed)
    assert back > 100 and 0.5 < forward / back < 2, (back, forward)
    assert nb09.vanishing_ratio("silu", 10, seed) < 1
    assert abs(nb09._derivative_at_0("silu") - 0.5) < 1e-6


def test_q1_backward_shrink_check_fails_for_tanh():
    """Control: tanh's backward signal shrinks <5x, so the >100 check above can fail."""
    from actlab.exercises import nb09

    back, _ = nb09.backward_shrink("tanh", 10, 42)
    assert back < 5, back


def test_q1_feedback_reports_the_measured_backward_shrink():
    """The refusal for silu states its computed backward and forward shrink, not a peak slope."""
    import actlab
    from actlab.exercises import nb09

    actlab.seed(0)
    back, forward = nb09.backward_shrink("silu", 10, 0)
    with pytest.raises(Incorrect) as caught:
        exercises.load("09").q1.checker("silu")
    message = str(caught.value)
    assert f"does shrink {back:.3g}x" in message and f"shrink {forward:.3g}x" in message
    assert "0.50 at 0" in message and "about its size" not in message
