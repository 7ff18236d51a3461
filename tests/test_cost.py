"""actlab.cost: time_activation, time_activations, CostTable."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from actlab.cost import DENSE_ROW, CostTable, time_activation, time_activations


def test_time_activation_reports_forward_and_backward():
    """Milliseconds for forward, forward+backward and their difference."""
    t = time_activation("relu", shape=(64, 64), repeats=3, warmup=1)
    assert set(t) == {"forward_ms", "forward_backward_ms", "backward_ms", "forward_min_ms",
                      "forward_backward_min_ms"}
    assert t["forward_ms"] > 0 and t["forward_backward_ms"] > 0
    assert 0 < t["forward_min_ms"] <= t["forward_ms"]
    assert 0 < t["forward_backward_min_ms"] <= t["forward_backward_ms"]
    assert t["backward_ms"] == pytest.approx(max(t["forward_backward_ms"] - t["forward_ms"], 0))


def test_time_activations_table_relative_to_baseline():
    """The baseline comes first with ratio 1; the dense row is added on request."""
    table = time_activations(["tanh", "swish"], shape=(32, 16), repeats=2, warmup=0, dense_units=8)
    assert isinstance(table, CostTable)
    assert list(table.costs) == ["relu", "tanh", "silu", DENSE_ROW]
    assert table.relative("forward_ms")["relu"] == 1.0
    text, markdown, html = str(table), table._repr_markdown_(), table._repr_html_()
    for name in ("relu", "tanh", "silu", DENSE_ROW):
        assert name in text and f"| {name} |" in markdown and f"<td>{name}</td>" in html
    assert "32x16" in text


def test_timed_functions_compute_the_activation():
    """The compiled functions really apply the activation (checked through its gradient)."""
    from actlab.cost import _compiled_pair

    x = keras.ops.convert_to_tensor(np.linspace(-2, 2, 9, dtype="float32"))
    forward, forward_backward = _compiled_pair(keras.activations.tanh)
    np.testing.assert_allclose(forward(x), np.tanh(np.linspace(-2, 2, 9)), atol=1e-6)
    y, grad = forward_backward(x)
    np.testing.assert_allclose(y, np.tanh(np.linspace(-2, 2, 9)), atol=1e-6)
    np.testing.assert_allclose(grad, 1 - np.tanh(np.linspace(-2, 2, 9)) ** 2, atol=1e-6)


@pytest.mark.parametrize(
    "fn", [lambda v: v * 2.0, keras.activations.leaky_relu], ids=["x * 2", "leaky_relu"]
)
def test_forward_backward_keeps_the_forward_pass(fn):
    """Gradients that do not read f's output (x * 2, leaky_relu) still time the forward pass:
    forward_backward returns f's output with the gradient, so TensorFlow cannot prune it."""
    from actlab.cost import _compiled_pair

    x = keras.ops.convert_to_tensor(np.linspace(-2, 2, 9, dtype="float32"))
    _, forward_backward = _compiled_pair(fn)
    out = forward_backward(x)
    assert isinstance(out, tuple) and len(out) == 2, "(f(x), gradient): a fetched output is run"
    np.testing.assert_allclose(out[0], np.asarray(fn(x)), atol=1e-6)


def _table(**medians_and_minima):
    costs = {
        name: {"forward_ms": med, "forward_backward_ms": 2 * med, "backward_ms": med,
               "forward_min_ms": low, "forward_backward_min_ms": 2 * low}
        for name, (med, low) in medians_and_minima.items()
    }
    return CostTable(costs, "relu", (8, 8), 5)


def test_noise_is_the_largest_median_over_fastest_repeat():
    """noise() = median over rows of median / min - 1; too_noisy() compares it with a limit."""
    quiet = _table(relu=(1.02, 1.0), tanh=(2.1, 2.0), elu=(3.0, 1.0))  # one unlucky row
    busy = _table(relu=(2.0, 1.0), tanh=(3.0, 1.5), elu=(1.0, 1.0))
    assert quiet.noise() == pytest.approx(0.05) and not quiet.too_noisy()
    assert busy.noise() == pytest.approx(1.0) and busy.too_noisy() and not busy.too_noisy(2.0)
    assert busy.relative("forward_min_ms") == {"relu": 1.0, "tanh": 1.5, "elu": 1.0}


def test_extra_functions_get_their_own_rows():
    """``extra`` functions are timed on the same input, one row each, after the activations."""
    table = time_activations(
        ["tanh"], shape=(32, 16), repeats=2, warmup=0, extra={"x * 2": lambda v: v * 2.0}
    )
    assert list(table.costs) == ["relu", "tanh", "x * 2"]
    assert table.costs["x * 2"]["forward_ms"] > 0
    with pytest.raises(ValueError, match="already a row"):
        time_activations(["tanh"], repeats=1, extra={"tanh": abs})
    with pytest.raises(TypeError, match="must be a function"):
        time_activations(["tanh"], repeats=1, extra={"copy": 2.0})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: time_activation("rellu"), "Did you mean 'relu'"),
        (lambda: time_activation("relu", shape=(0, 4)), "shape must be a non-empty list or tuple"),
        (lambda: time_activation("relu", shape="big"), "Received: shape=.big."),
        (lambda: time_activation("relu", repeats=0), "repeats must be an integer >= 1"),
        (lambda: time_activation("relu", warmup=-1), "warmup must be an integer >= 0"),
        (lambda: time_activations([]), "names is empty"),
        (lambda: time_activations(["relu"], baseline="nope"), "Unknown activation name"),
        (lambda: time_activations(["relu"], dense_units=0), "dense_units must be"),
    ],
)
def test_timer_bad_arguments(call, message):
    """Unknown names, bad shapes and bad repeat counts are refused clearly."""
    with pytest.raises(ValueError, match=message):
        call()
