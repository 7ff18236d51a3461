"""Claims of notebook 07 (comparing activations on MNIST) backed by tests that can fail.

* Why sigmoid lags: with Adam a constant factor on the gradient cancels (a sigmoid
  whose backward pass is x4 learns the same curve), with SGD it does not; centring
  and scaling sigmoid's outputs each help.
* The loss on probabilities: Keras's softmax output carries its logits, so the
  notebook's comparison must use the probabilities as plain numbers.
* The timing checks of cells c17/c17b, run on made-up quiet cost tables: each one
  passes on a table where its claim holds and fails on one where it does not (the
  review could not run them on a busy machine).
"""

from __future__ import annotations

from pathlib import Path

import keras
import nbformat
import numpy as np
import pytest

import actlab
from actlab.cost import DENSE_ROW, CostTable
from actlab.models import mlp

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "07_comparing_on_mnist.ipynb"
LOSS = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def sigmoid_backward_x4(v):
    """Forward: sigmoid. Backward: 4x sigmoid's derivative (as in the notebook)."""
    s = keras.ops.sigmoid(v)
    return 4.0 * s - keras.ops.stop_gradient(3.0 * s)


VARIANTS = {
    "sigmoid": "sigmoid",
    "backward x4": sigmoid_backward_x4,
    "centred": lambda v: keras.ops.sigmoid(v) - 0.5,
    "x4": lambda v: 4.0 * keras.ops.sigmoid(v),
}


def _compare(optimizer, seed, variants):
    data = actlab.data.load_mnist(limit=6000, verbose=False, source="fallback")

    def build(activation):
        model = mlp((28, 28), [128, 64], activation, output_units=10, output_activation=None)
        model.compile(optimizer=optimizer(), loss=LOSS, metrics=["accuracy"])
        return model

    return actlab.compare_activations(
        build, variants, data, epochs=5, batch_size=64, seed=seed, progress=False
    )


@pytest.fixture(scope="module", params=[42, 0])
def adam_runs(request):
    """The four sigmoid variants trained like the notebook's models (Adam), at one seed."""
    return _compare(lambda: "adam", request.param, VARIANTS)


def test_adam_learns_the_same_curve_with_a_4x_gradient(adam_runs):
    """Adam divides each step by the gradient's own size: a constant factor cancels."""
    curves = adam_runs.histories
    pairs = zip(curves["sigmoid"]["accuracy"], curves["backward x4"]["accuracy"], strict=True)
    assert max(abs(a - b) for a, b in pairs) < 0.01  # measured <= 0.0016 at 22 seeds


def test_sgd_does_not_cancel_the_factor():
    """Control for the test above: plain SGD takes 4x larger steps, and learns far faster."""
    c = _compare(lambda: keras.optimizers.SGD(0.05), 42, {k: VARIANTS[k] for k in
                                                          ("sigmoid", "backward x4")})
    assert c.test_accuracy["backward x4"] > c.test_accuracy["sigmoid"] + 0.3  # 0.83 vs 0.22


def test_centring_and_scaling_each_lift_sigmoid(adam_runs):
    """sigmoid - 0.5 learns faster in the first epoch; both fixes end above plain sigmoid."""
    first = {k: h["accuracy"][0] for k, h in adam_runs.histories.items()}
    acc = adam_runs.test_accuracy
    assert first["centred"] > first["sigmoid"] + 0.05  # measured +0.09 to +0.37
    assert acc["centred"] > acc["sigmoid"] and acc["x4"] > acc["sigmoid"]


def test_tanh_is_sigmoid_centred_and_stretched():
    """tanh(z) = 2 sigmoid(2z) - 1: slope 1 at 0 against sigmoid's 1/4."""
    z = np.linspace(-6, 6, 1201)
    sigmoid = actlab.catalog.get("sigmoid").fn
    np.testing.assert_allclose(np.tanh(z), 2 * np.asarray(sigmoid(2 * z)) - 1, atol=1e-6)
    assert actlab.catalog.derivative("sigmoid", np.zeros(1))[0] == pytest.approx(0.25)


def test_softmax_output_carries_its_logits_and_the_loss_uses_them():
    """Why the notebook passes np.asarray(softmax(logits)): the tensor itself gives the
    logits loss (200) where the probabilities, clipped at 1e-7, give 16.1."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the stored-logits shortcut exists on the TensorFlow backend only")
    big = np.array([[200.0, 0.0, 0.0]], dtype="float32")
    soft = keras.activations.softmax(big)
    loss = keras.losses.sparse_categorical_crossentropy
    assert float(loss(np.array([1]), soft)[0]) == pytest.approx(200.0, abs=1e-3)
    assert float(loss(np.array([1]), np.asarray(soft))[0]) == pytest.approx(-np.log(1e-7), abs=1e-3)


# --- the timing checks of the notebook, on made-up tables --------------------------------
def _cell(cell_id):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return next(c.source for c in nb.cells if c.id == cell_id)


def _quiet_table(fwd_changes=None, both_changes=None):
    """Fastest runs of a quiet CPU (ms) where each claim holds; the changes break one."""
    fwd = {"relu": 1.5, "leaky_relu": 1.6, "elu": 2.0, "gelu": 4.0, "silu": 2.2, "tanh": 1.9,
           "sigmoid": 1.8, DENSE_ROW: 40.0, "x * 2": 1.5, **(fwd_changes or {})}
    both = {"relu": 3.0, "leaky_relu": 4.5, "elu": 4.0, "gelu": 9.0, "silu": 5.0, "tanh": 3.5,
            "sigmoid": 3.4, DENSE_ROW: 41.0, "x * 2": 1.5, **(both_changes or {})}
    costs = {
        n: {"forward_ms": 1.02 * fwd[n], "forward_backward_ms": 1.02 * both[n],
            "backward_ms": both[n] - fwd[n], "forward_min_ms": fwd[n],
            "forward_backward_min_ms": both[n]}
        for n in fwd
    }
    return CostTable(costs, "relu", (4096, 1024), 15)


def _run_timing_cells(costs):
    namespace = {"np": np, "DENSE_ROW": DENSE_ROW, "COPY_LIKE": "x * 2", "costs": costs}
    lines = []
    namespace["print"] = lambda *a, **k: lines.append(" ".join(map(str, a)))
    for cell_id in ("c17-71089fd2", "c17b-memory-bound"):
        exec(compile(_cell(cell_id), cell_id, "exec"), namespace)  # noqa: S102 - the notebook's
    return [line for line in lines if line.startswith("✓")]


def test_timing_checks_pass_on_a_quiet_table_where_every_claim_holds():
    """All five timing claims are checked (no skip) and confirmed on a quiet table."""
    assert len(_run_timing_cells(_quiet_table())) == 5


@pytest.mark.parametrize(
    ("fwd", "both", "message"),
    [
        ({"tanh": 7.0}, {"tanh": 14.0}, "within 4x of ReLU"),
        ({}, {"gelu": 3.1}, "costs clearly more"),  # GELU with its gradient 1.03x ReLU
        ({}, {"gelu": 5.0, "tanh": 5.5}, "GELU costs more than each"),
        ({DENSE_ROW: 12.0}, {DENSE_ROW: 13.0}, "under a tenth of the layer's matmul"),
        ({DENSE_ROW: 16.0, "gelu": 9.0}, {"gelu": 18.0}, "dwarfs any activation"),
        ({}, {"x * 2": 0.2}, "includes the forward pass"),  # the old bug: forward pruned
        ({"x * 2": 5.0}, {"x * 2": 5.0}, "cost about what x \\* 2 does"),
    ],
)
def test_each_timing_check_fails_when_its_claim_is_false(fwd, both, message):
    """Break one claim in the made-up table: the notebook's check for it raises."""
    with pytest.raises(AssertionError, match=message):
        _run_timing_cells(_quiet_table(fwd, both))


def test_timing_checks_are_skipped_on_a_busy_machine():
    """A table whose medians sit far above the fastest runs is too noisy: no verdict."""
    busy = _quiet_table({"tanh": 7.0}, {"tanh": 14.0})  # would fail if judged
    for c in busy.costs.values():
        c["forward_ms"] *= 2
        c["forward_backward_ms"] *= 2
    assert busy.too_noisy() and _run_timing_cells(busy) == []
