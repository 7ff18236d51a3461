"""Exercises of notebooks 06-10: plausible wrong answers are refused, each with its own reason.

Every checker of nb06-nb10 is called with at least two answers a learner could
plausibly give (the right type, the wrong reasoning). Each must be refused with
a message that names the mistake, and the messages of one question must differ:
a checker that answers every mistake with the same sentence fails here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from actlab import exercises
from actlab.exercises import Incorrect, nb06, nb07, nb08


def _hidden_1_sparsity():
    return float(np.mean(nb06._hidden_outputs()["hidden_1"] == 0))


def _hidden_3_sparsity():
    return float(np.mean(nb06._hidden_outputs()["hidden_3"] == 0))


PLAUSIBLE = {
    ("06", "q1"): [  # ranked by the measured change of hidden_2's outputs
        (lambda: nb06.wrong_closest(1), "changes them least"),
        (lambda: nb06.wrong_closest(2), "changes them least"),
        (lambda: nb06.wrong_closest(3), "changes them least"),
    ],
    ("06", "q2"): [
        (lambda: 0.0, "tanh's own sparsity"),
        (lambda: 0.5, "guess from symmetry"),
        (_hidden_1_sparsity, "sparsity of hidden_1, another ReLU layer"),
        (_hidden_3_sparsity, "sparsity of hidden_3, another ReLU layer"),  # a review found it
        (lambda: nb06._swapped_sparsity() + 0.004, "you gave"),  # accepted by the old tolerance
    ],
    ("07", "q1"): [
        (lambda: nb07._fake(["relu", "tanh"], (2,), 0.95), "no run for sigmoid"),
        (lambda: nb07._fake(["relu", "tanh", "sigmoid"], (28, 28), 0.95), "digit images"),
        (lambda: nb07._fake(["relu", "tanh", "sigmoid"], (2,), 0.6), "no model has learned"),
    ],
    ("07", "q2"): [
        (nb07._zero_based, "count from 1"),
        (nb07._strict_greater, "use >="),
        (nb07._last_time, "FIRST"),
    ],
    ("08", "q1"): [
        (lambda: nb08._variant("strict"), "not `< 0`"),
        (lambda: nb08._variant("any"), "EVERY sample"),
        (lambda: nb08._variant("sparsity"), "sparsity"),
        (lambda: nb08._variant("tolerance"), "a tolerance counts live units as dead"),
        # a review found it judged wrongly: a counter on x[:32] was told it used a tolerance
        (lambda: _first_32_counter, "fires on one sample only"),
    ],
    ("08", "q2"): [
        (lambda: 1e-3, "Try a larger learning rate"),
        (lambda: 1e4, "beyond any sensible setting"),
    ],
    ("09", "q1"): [
        (lambda: "elu", "elu's derivative is 1.00 at 0"),
        (lambda: "silu", "silu's derivative is 0.50 at 0"),
        (lambda: "sigmoid", "already measured"),
    ],
    ("09", "q2"): [
        (lambda: 0.5, "fan-in equals fan-out"),
        (lambda: 1.0, "He initialisation's factor"),
        (lambda: 0.8, "one kind of layer only"),
        (lambda: math.sqrt(0.4), "standard deviation"),
    ],
    ("10", "q1"): [
        (lambda: "a", "outputs a logit"),
        (lambda: "c", "z / z = 1"),
        (lambda: "d", "MSE on a logit"),
    ],
    ("10", "q2"): [
        (lambda: "a", "sum to 1"),
        (lambda: "c", "one per tag"),
        (lambda: "d", "not probabilities"),
    ],
    ("10", "q3"): [
        (lambda: "a", "it trains, on every backend"),
        (lambda: "c", "silently uses those stored logits"),
        (lambda: "d", "raw logits"),
    ],
    ("10", "q4"): [
        (lambda: "b", "in (0, 1)"),
        (lambda: "c", "always outputs 1.0"),
        (lambda: "d", "(-1, 1)"),
    ],
    ("10", "q5"): [
        (lambda: "a", "tanh's derivative peaks at 1.00"),
        (lambda: "c", "relu's derivative peaks at 1.00"),
        (lambda: "d", "gelu's derivative peaks at"),
    ],
}

CASES = [(nb, qid, i) for (nb, qid), answers in PLAUSIBLE.items() for i in range(len(answers))]


def _refusal(nb: str, qid: str, make_answer) -> str:
    question = getattr(exercises.load(nb), qid)
    with pytest.raises(Incorrect) as caught:
        question.checker(make_answer())
    return str(caught.value)


def test_every_original_question_of_06_to_10_is_covered():
    """q1/q2 of 06-09 and every quiz question of 10 have plausible wrong answers here."""
    for nb in ["06", "07", "08", "09"]:
        assert (nb, "q1") in PLAUSIBLE and (nb, "q2") in PLAUSIBLE
    quiz = [q.qid for q in exercises.load("10")]
    assert all(("10", qid) in PLAUSIBLE for qid in quiz)
    assert all(len(answers) >= 2 for answers in PLAUSIBLE.values())


@pytest.mark.parametrize(("nb", "qid", "i"), CASES)
def test_plausible_wrong_answer_is_refused_with_its_reason(nb, qid, i):
    """The checker refuses the answer and names the mistake."""
    make_answer, fragment = PLAUSIBLE[(nb, qid)][i]
    message = _refusal(nb, qid, make_answer)
    assert fragment in message, message


@pytest.mark.parametrize(("nb", "qid"), [k for k in PLAUSIBLE if k != ("08", "q2")])
def test_each_mistake_gets_its_own_message(nb, qid):
    """Different mistakes of one question get different messages, not one generic sentence."""
    messages = [_refusal(nb, qid, make) for make, _ in PLAUSIBLE[(nb, qid)]]
    assert len(set(messages)) == len(messages), messages


def test_09_q2_accepts_the_theory_and_the_measurement():
    """sqrt(0.8 * 0.2) = 0.4 from He et al.'s formula passes, and so does the measured factor."""
    q2 = exercises.load("09").q2
    from actlab.exercises import nb09

    assert q2.checker(math.sqrt(0.16))
    assert q2.checker(nb09.measured_glorot_factor())


def test_06_q2_prediction_equals_the_swapped_models_sparsity():
    """The solution's prediction (tanh outputs <= 0) is exactly the swapped layer's sparsity."""
    outputs = nb06._hidden_outputs()["hidden_2"]
    assert float(np.mean(outputs <= 0)) == pytest.approx(nb06._swapped_sparsity(), abs=1e-9)


def test_06_q2_accepts_the_sparsity_read_off_a_percentage():
    """0.554 read off "55.4%" passes, and 0.55 when it is nearer the answer than any mistake;
    0.4 points off is refused (the old half-point tolerance accepted other layers' values)."""
    q2 = exercises.load("06").q2
    truth = nb06._swapped_sparsity()
    assert q2.checker(round(truth, 3))
    assert q2.checker(np.float32(truth))
    found = nb06._q2_candidates()
    if min(found, key=lambda k: abs(round(truth, 2) - found[k])) == "right":
        assert q2.checker(round(truth, 2))
    with pytest.raises(Incorrect) as caught:
        q2.checker(truth + 0.01)
    assert f"has {truth:.1%} zeros, you gave {truth + 0.01:.1%}" in str(caught.value)
    assert abs(truth - 0.5) > nb06.SPARSITY_TOLERANCE  # the symmetry guess stays refused
    assert abs(truth - _hidden_1_sparsity()) > nb06.SPARSITY_TOLERANCE


@pytest.mark.parametrize("answer", ["(b)", " (b) ", "B)", "b.", "b"])
def test_10_quiz_accepts_a_letter_written_with_brackets_or_a_dot(answer):
    """'(b)', ' (b) ', 'B)' and 'b.' are the letter b: the right answer is accepted."""
    assert "Logits out" in exercises.load("10").q3.checker(answer)


@pytest.mark.parametrize(
    "answer",
    [
        "'b'",
        '"b"',
        "'(b)'",
        "(b) Dense(10) + SparseCategoricalCrossentropy(from_logits=True)",
        "- (b) Dense(10) + SparseCategoricalCrossentropy(from_logits=True)",  # the list item
        "b) Dense(10) + SparseCategoricalCrossentropy(from_logits=True)",
        "(B) dense(10) + SparseCategoricalCrossentropy(from_logits = True)",
    ],
)
def test_10_quiz_accepts_a_quoted_letter_or_the_pasted_option_line(answer):
    """A quoted letter, or option (b)'s line pasted whole, is the letter b: accepted."""
    assert "Logits out" in exercises.load("10").q3.checker(answer)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        # the letter of (b) with the text of (d): ambiguous, refused rather than guessed
        ("(b) Dense(10) + SparseCategoricalCrossentropy()", "(b) and the text of option (d)"),
        # a wrong option pasted whole gets that option's explanation
        ("(d) Dense(10) + SparseCategoricalCrossentropy()", "(d) is not it: without from_logits"),
        ("'d'", "(d) is not it"),
        ("'e'", "one of the letters"),
        ("(b) something else", "one of the letters"),
        ("b c", "one of the letters"),
    ],
)
def test_10_quiz_refuses_pasted_lines_that_are_wrong_or_ambiguous(answer, fragment):
    """A pasted line is judged by its letter only when its text is that option's."""
    assert fragment in _refusal("10", "q3", lambda: answer)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        ("e", "one of the letters"),
        ("(c)", "(c) is not it"),
        ("", "one of the letters"),  # the unfinished answer: a message, not a KeyError
        (" ", "one of the letters"),
        ("()", "one of the letters"),
        ("bc", "one of the letters"),
    ],
)
def test_10_quiz_refuses_other_letters_however_written(answer, fragment):
    """A letter that is not an option, or a wrong one in brackets, is refused with its message."""
    assert fragment in _refusal("10", "q3", lambda: answer)


def test_10_q3_sigmoid_outputs_train_on_the_stored_logits_on_tensorflow():
    """Dense(10, sigmoid) + SparseCategoricalCrossentropy() is softmax CE of the logits on TF.

    q3 (c)'s explanation says so: Keras's sigmoid stores its logits on its output and the
    TensorFlow backend's loss uses them, instead of renormalising the 10 sigmoids.
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        pytest.skip("the stored-logits shortcut exists on the TensorFlow backend only")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype("float32")
    y = rng.integers(0, 10, size=64)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(10, activation="sigmoid")])
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy())
    evaluated = model.evaluate(x, y, verbose=0)
    kernel, bias = model.layers[0].get_weights()
    logits = x @ kernel + bias
    softmax_ce = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, logits))
    s = 1 / (1 + np.exp(-logits.astype("float64")))
    renormalised = float(np.mean(-np.log((s / s.sum(axis=1, keepdims=True))[np.arange(64), y])))
    assert evaluated == pytest.approx(softmax_ce, rel=1e-5)
    assert abs(evaluated - renormalised) > 0.1
    assert "silently uses those stored logits" in _refusal("10", "q3", lambda: "c")


def _tolerance_1e6_counter(model, x):
    from actlab.deepnets import hidden_layers
    from actlab.probes import get_activations

    acts = get_activations(model, x, layers=hidden_layers(model))
    return {k: float(np.mean(a.max(axis=0) <= 1e-6)) for k, a in acts.items()}


def _first_32_counter(model, x):
    from actlab.deepnets import hidden_layers
    from actlab.probes import get_activations

    acts = get_activations(model, x[:32], layers=hidden_layers(model))
    return {k: float(np.mean(np.all(a <= 0, axis=0))) for k, a in acts.items()}


def _near_zero_mean_counter(model, x):
    from actlab.deepnets import hidden_layers
    from actlab.probes import get_activations

    acts = get_activations(model, x, layers=hidden_layers(model))
    return {k: float(np.mean(a.mean(axis=0) <= 1e-3)) for k, a in acts.items()}


def _max_is_zero_counter(model, x):
    from actlab.deepnets import hidden_layers
    from actlab.probes import get_activations

    acts = get_activations(model, x, layers=hidden_layers(model))
    return {k: float((a.max(axis=0) == 0).sum() / a.shape[1]) for k, a in acts.items()}


def test_08_q1_probe_has_units_that_a_tolerance_calls_dead():
    """Units at 1e-4 and 1e-7 everywhere, and one firing (1.0) on the last sample only, are
    alive: tolerances up to 0.1 and counters on x[:n] give counts of their own."""
    model, x = nb08._probe_models()[0]
    from actlab.probes import get_activations

    a = get_activations(model, x, layers=["dense_1"])["dense_1"]
    assert np.all(a[:, 8] > 0) and a[:, 8].max() < 1e-3
    assert np.all(a[:, 10:] > 0) and a[:, 10:].max() < 1e-6
    assert np.flatnonzero(a[:, 9] > 0).tolist() == [len(x) - 1] and a[:, 9].max() > 0.5
    dead = {"right": 3 / 12, "tolerance 1e-6": 5 / 12, "tolerance 0.1": 6 / 12, "x[:32]": 4 / 12}
    got = {"right": nb08._variant("right")(model, x)["dense_1"],
           "tolerance 1e-6": nb08._variant("tolerance", 1e-6)(model, x)["dense_1"],
           "tolerance 0.1": nb08._variant("tolerance", 0.1)(model, x)["dense_1"],
           "x[:32]": nb08._variant("subset", 32)(model, x)["dense_1"]}
    assert got == pytest.approx(dead)


def test_08_q1_refuses_a_near_zero_counter_and_accepts_max_equals_zero():
    """mean <= 1e-3 per unit is refused as a tolerance; max(a) == 0 per unit is the right count."""
    assert "a tolerance counts live units as dead" in _refusal(
        "08", "q1", lambda: _near_zero_mean_counter
    )
    assert "agrees with actlab.dead_units" in exercises.load("08").q1.checker(_max_is_zero_counter)


def test_08_q1_refuses_a_learners_tolerance_of_1e6():
    """A review found np.mean(a.max(axis=0) <= 1e-6) accepted as correct."""
    assert "a tolerance counts live units as dead" in _refusal(
        "08", "q1", lambda: _tolerance_1e6_counter
    )


@pytest.mark.parametrize("tol", [1e-7, 1e-6, 1e-4, 1e-3, 1e-2, 0.1])
def test_08_q1_any_near_zero_threshold_gets_the_tolerance_message(tol):
    """Not just 0.05: a counter using `a <= tol` for a small tol is told why it is wrong."""
    assert "a tolerance counts live units as dead" in _refusal(
        "08", "q1", lambda: nb08._variant("tolerance", tol)
    )
