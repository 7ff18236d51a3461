"""Exercises for 10_choosing_activations: the closing quiz (multiple choice).

Every wrong option gets its own explanation. Where a claim in an explanation
is a number (a loss value, a derivative), it is computed when the answer is
checked, not typed in.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question

Explanation = str | Callable[[], str]


def _letter(answer: Any, options: str) -> str:
    if not isinstance(answer, str):
        raise Incorrect(
            f"Answer with one letter as a string, e.g. answer = 'b'. Received: {answer!r}."
        )
    letter = answer.strip().lower().strip("() .")
    if len(letter) != 1 or letter not in options:
        raise Incorrect(
            f"Answer with one of the letters {', '.join(options)}. Received: {answer!r}."
        )
    return letter


def _multiple_choice(
    correct: str, explanations: dict[str, Explanation], confirmation: Explanation
) -> Callable[[Any], str]:
    options = "".join(sorted([correct, *explanations]))

    def checker(answer: Any) -> str:
        letter = _letter(answer, options)
        if letter == correct:
            return confirmation() if callable(confirmation) else confirmation
        why = explanations[letter]
        raise Incorrect(f"({letter}) is not it: {why() if callable(why) else why}")

    return checker


# --- computed facts used in the explanations ----------------------------------------
def _one_unit_categorical_loss() -> float:
    """Categorical cross-entropy with a single output unit (softmax of one value)."""
    import keras

    logits = np.array([[3.0], [-2.0]], dtype="float32")
    with warnings.catch_warnings():
        # Keras rightly warns about a softmax over one unit: that mistake is the point here.
        warnings.simplefilter("ignore")
        probs = keras.ops.convert_to_numpy(keras.activations.softmax(logits))
        loss = keras.losses.categorical_crossentropy(np.ones((2, 1), "float32"), probs)
    return float(np.max(keras.ops.convert_to_numpy(loss)))


def _clipped_loss(logit: float = 30.0) -> tuple[float, float]:
    """BCE of a confidently wrong prediction from detached probabilities vs from logits."""
    import keras

    z = np.array([[logit]], dtype="float32")
    p = (1.0 / (1.0 + np.exp(-z.astype("float64")))).astype("float32")  # == 1.0 in float32
    y = np.zeros_like(z)
    from_probs = float(keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(y, p))[0])
    from_logits = float(
        keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(y, z, from_logits=True))[0]
    )
    return from_probs, from_logits


def _max_derivative(name: str) -> float:
    from actlab import catalog

    x = np.linspace(-8.0, 8.0, 4001, dtype="float32")
    return float(np.max(catalog.derivative(name, x)))


def _q1_c() -> str:
    loss = _one_unit_categorical_loss()
    return (
        "with ONE output unit, softmax always gives 1.0, so categorical cross-entropy is "
        f"{loss:.1f} for every example (computed just now): nothing to learn from. Binary "
        "problems with one unit need binary cross-entropy."
    )


def _q1_a() -> str:
    probs, logits = _clipped_loss()
    return (
        "Dense(1) with no activation outputs a logit (any real number), not a probability. "
        "BinaryCrossentropy() without from_logits treats it as a probability and clips it into "
        "[1e-7, 1 - 1e-7]. Say from_logits=True so Keras applies the sigmoid inside the loss. "
        f"(For a logit of 30 on a negative example the right loss is {logits:.1f}; from "
        f"float32 probabilities Keras gets {probs:.1f}.)"
    )


def _q3_a() -> str:
    probs, logits = _clipped_loss()
    return (
        "it trains in Keras 3 on the TensorFlow backend only because there a tensor made by "
        "Keras's own softmax remembers its logits and the loss quietly uses them (the JAX and "
        "PyTorch backends have no such shortcut). Probabilities from anywhere else (predict(), "
        "a custom activation, NumPy) are clipped to [1e-7, 1 - 1e-7]: a confidently wrong "
        f"example then costs {probs:.1f} instead of {logits:.1f} (binary case, computed now) "
        "and its gradient is 0. Logits + from_logits=True is safe by construction."
    )


def _q5_option(name: str, why: str) -> Callable[[], str]:
    return lambda: f"{name}'s derivative peaks at {_max_derivative(name):.2f} (computed), {why}"


def _q5_confirmation() -> str:
    return (
        f"sigmoid'(x) = sigmoid(x)(1 - sigmoid(x)) peaks at {_max_derivative('sigmoid'):.2f} "
        "at x = 0: every sigmoid layer multiplies the backward signal by at most 1/4 "
        "(times the weights), which is why notebook 09 sees its gradients vanish."
    )


QUESTIONS = [
    Question(
        qid="q1",
        prompt=(
            "A yes/no classifier ends in Dense(1) with no activation. Which loss?  "
            "(a) BinaryCrossentropy()  (b) BinaryCrossentropy(from_logits=True)  "
            "(c) CategoricalCrossentropy()  (d) MeanSquaredError()"
        ),
        checker=_multiple_choice(
            "b",
            {
                "a": _q1_a,
                "c": _q1_c,
                "d": "MSE on a logit treats a yes/no label as a number to regress: the "
                "gradient does not grow with how wrong a confident prediction is, and the "
                "output is not a probability. Use binary cross-entropy.",
            },
            "One logit + BinaryCrossentropy(from_logits=True): Keras computes "
            "log(1 + exp(-z)) stably; for probabilities apply keras.activations.sigmoid "
            "to the model's output.",
        ),
        hint_text="What does a Dense layer without activation output: a probability or a logit?",
        solution_text=(
            "The layer outputs a logit, so the loss must be told: from_logits=True. This is "
            "the stable way to do binary classification."
        ),
        solution_code='answer_q1 = "b"\n',
        reference=lambda: "b",
        wrong_answers=[
            (lambda: "a", "outputs a logit"),
            (lambda: "c", "softmax always gives 1.0"),
            (lambda: "d", "MSE on a logit"),
            (lambda: 2, "one letter as a string"),
            (lambda: "e", "one of the letters"),
        ],
    ),
    Question(
        qid="q2",
        prompt=(
            "Tagging photos with any of 5 tags at once ('cat' and 'outdoor' can both be true). "
            "Output layer?  (a) Dense(5, activation='softmax')  (b) Dense(5, "
            "activation='sigmoid')  (c) Dense(1, activation='sigmoid')  (d) Dense(5, "
            "activation='relu')"
        ),
        checker=_multiple_choice(
            "b",
            {
                "a": "softmax makes the 5 outputs compete: they sum to 1, so two tags cannot "
                "both be near 1. It is for exactly one class per example.",
                "c": "one unit gives one probability; you need one per tag.",
                "d": "ReLU outputs are not probabilities (unbounded, exactly 0 for half the "
                "inputs, with no gradient there).",
            },
            "Multi-label: one sigmoid per tag, each an independent probability, with binary "
            "cross-entropy (or Dense(5) + BinaryCrossentropy(from_logits=True)).",
        ),
        hint_text="Should the 5 probabilities sum to 1?",
        solution_text=(
            "Independent yes/no decisions: 5 sigmoid units (or 5 logits with "
            "BinaryCrossentropy(from_logits=True))."
        ),
        solution_code='answer_q2 = "b"\n',
        reference=lambda: "b",
        wrong_answers=[(lambda: "a", "sum to 1"), (lambda: "c", "one per tag")],
    ),
    Question(
        qid="q3",
        prompt=(
            "Which is the numerically safest setup for 10 classes?  (a) Dense(10, "
            "activation='softmax') + SparseCategoricalCrossentropy()  (b) Dense(10) + "
            "SparseCategoricalCrossentropy(from_logits=True)  (c) Dense(10, "
            "activation='sigmoid') + SparseCategoricalCrossentropy()  (d) Dense(10) + "
            "SparseCategoricalCrossentropy()"
        ),
        checker=_multiple_choice(
            "b",
            {
                "a": _q3_a,
                "c": "on the TensorFlow backend Keras's sigmoid stores its logits on its output "
                "and the loss silently uses those stored logits, so it trains like (b); but the "
                "model's outputs are then 10 independent sigmoids that do not sum to 1, not the "
                "softmax probabilities it was trained on. On the JAX and PyTorch backends the "
                "loss clips the sigmoids and renormalises them to sum to 1, which is neither a "
                "softmax nor independent probabilities.",
                "d": "without from_logits=True the loss treats raw logits as probabilities: "
                "it clips negative logits to 1e-7 and renormalises, a meaningless loss.",
            },
            "Logits out, softmax inside the loss (log-sum-exp), stable for any logit.",
        ),
        hint_text="Where should the softmax happen so that log(softmax) never sees a 0?",
        solution_text=(
            "Output logits and let the loss fuse softmax and log (from_logits=True). For "
            "probabilities at prediction time apply keras.activations.softmax to the output."
        ),
        solution_code='answer_q3 = "b"\n',
        reference=lambda: "b",
        wrong_answers=[
            (lambda: "a", "remembers its logits"),
            (lambda: "c", "stored logits"),
            (lambda: "d", "raw logits"),
        ],
    ),
    Question(
        qid="q4",
        prompt=(
            "Predicting house prices (positive numbers in the hundreds of thousands). Output "
            "activation?  (a) none (linear), e.g. on log-prices  (b) sigmoid  (c) softmax  "
            "(d) tanh"
        ),
        checker=_multiple_choice(
            "a",
            {
                "b": "sigmoid outputs lie in (0, 1): it cannot produce a price.",
                "c": "softmax outputs are probabilities that sum to 1 over the units: a "
                "single unit always outputs 1.0.",
                "d": "tanh outputs lie in (-1, 1) and saturate: large targets are out of reach.",
            },
            "Regression: a linear output with MSE/MAE/Huber. Scale or log-transform the "
            "target; if it must stay positive, softplus is a smooth option.",
        ),
        hint_text="Which of these can output 250000?",
        solution_text="Regression outputs are linear (no activation).",
        solution_code='answer_q4 = "a"\n',
        reference=lambda: "a",
        wrong_answers=[(lambda: "b", "in (0, 1)"), (lambda: "d", "(-1, 1)")],
    ),
    Question(
        qid="q5",
        prompt=(
            "Which hidden activation has a derivative of at most 0.25 everywhere, so that "
            "stacking it shrinks gradients layer after layer?  (a) tanh  (b) sigmoid  "
            "(c) relu  (d) gelu"
        ),
        checker=_multiple_choice(
            "b",
            {
                "a": _q5_option(
                    "tanh", "four times sigmoid's; tanh shrinks gradients only where it saturates."
                ),
                "c": _q5_option(
                    "relu",
                    "exactly 1 for every positive input: no shrinking "
                    "there (and 0 for negative inputs: dead units, notebook 08).",
                ),
                "d": _q5_option("gelu", "about 1 for positive inputs, like ReLU."),
            },
            _q5_confirmation,
        ),
        hint_text="Use actlab.catalog.derivative(name, x) on np.linspace(-8, 8, 1001).",
        solution_text="sigmoid: its derivative s(1 - s) is largest at x = 0, where it is 0.25.",
        solution_code='answer_q5 = "b"\n',
        reference=lambda: "b",
        wrong_answers=[
            (lambda: "a", "tanh's derivative peaks at 1.00"),
            (lambda: "c", "relu's derivative peaks at 1.00"),
        ],
    ),
]

EXERCISES = ExerciseSet("10", "Choosing activations: the closing quiz", QUESTIONS)
