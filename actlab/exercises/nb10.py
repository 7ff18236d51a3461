"""Exercises for 10_choosing_activations: the closing quiz (multiple choice).

Every wrong option gets its own explanation. Where a claim in an explanation
is a number (a loss value, a derivative), it is computed when the answer is
checked, not typed in.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question

Explanation = str | Callable[[], str]


def _same_text(a: str, b: str) -> bool:
    """Option texts compared as pasted: case, spaces and the kind of quotes do not matter."""

    def norm(t: str) -> str:
        return re.sub(r"\s+", "", t.lower().replace('"', "'")).rstrip(".")

    return norm(a) == norm(b)


def _letter(answer: Any, options: dict[str, str]) -> str:
    """The letter of ``answer``: "b", "'b'", "(b)", "B)", "b." or a pasted option line.

    A pasted line such as "(b) Dense(10) + ..." counts when its text is option (b)'s; a
    line whose letter and text name different options is refused, not guessed.
    """
    if not isinstance(answer, str):
        raise Incorrect(
            f"Answer with one letter as a string, e.g. answer = 'b'. Received: {answer!r}."
        )
    text = answer.strip().strip("'\"`").strip()
    text = text[2:] if text.startswith("- ") else text  # a list item pasted from the notebook
    letter = text.lower().strip("() .")
    if len(letter) == 1 and letter in options:
        return letter
    pasted = re.fullmatch(r"\(?([a-zA-Z])\)\s*(.+)", text, flags=re.S)
    if pasted and pasted[1].lower() in options:
        letter, rest = pasted[1].lower(), pasted[2]
        if _same_text(rest, options[letter]):
            return letter
        other = next((k for k, v in options.items() if _same_text(rest, v)), None)
        if other is not None:
            raise Incorrect(
                f"The letter ({letter}) and the text of option ({other}) disagree: answer with "
                f"the one letter you mean. Received: {answer!r}."
            )
    raise Incorrect(f"Answer with one of the letters {', '.join(options)}. Received: {answer!r}.")


def _prompt(stem: str, options: dict[str, str]) -> str:
    return "  ".join([stem, *(f"({k}) {v}" for k, v in options.items())])


def _multiple_choice(
    correct: str,
    explanations: dict[str, Explanation],
    confirmation: Explanation,
    options: dict[str, str],
) -> Callable[[Any], str]:
    assert sorted(options) == sorted([correct, *explanations]), options

    def checker(answer: Any) -> str:
        letter = _letter(answer, options)
        if letter == correct:
            return confirmation() if callable(confirmation) else confirmation
        why = explanations[letter]
        raise Incorrect(f"({letter}) is not it: {why() if callable(why) else why}")

    return checker


# --- computed facts used in the explanations ----------------------------------------
def _finite_difference(loss: Callable[[np.ndarray], float], z: np.ndarray, h: float = 1e-2):
    """Central finite difference of ``loss`` at ``z`` (backend-neutral, float32 inputs)."""
    return (loss(z + np.float32(h)) - loss(z - np.float32(h))) / (2 * h)


def one_unit_categorical(logit: float, label: float = 1.0) -> tuple[float, float]:
    """CategoricalCrossentropy() on ONE raw output: (loss, d loss / d output) at ``logit``.

    Keras divides the output by its sum over the last axis before the log; with one
    output that is ``z / z = 1`` whatever ``z`` is, so the loss is the constant
    ``-label * log(1 - 1e-7)`` and its gradient is 0.
    """
    import keras

    y = np.array([[label]], dtype="float32")

    def loss(z: np.ndarray) -> float:
        with warnings.catch_warnings():
            # Keras rightly warns about categorical cross-entropy on one unit: that is the point.
            warnings.simplefilter("ignore")
            value = keras.losses.categorical_crossentropy(y, z)
        return float(keras.ops.convert_to_numpy(value)[0])

    z = np.array([[logit]], dtype="float32")
    return loss(z), _finite_difference(loss, z)


def logit_as_probability(logit: float, label: float) -> tuple[float, float, float, float]:
    """BinaryCrossentropy() fed a raw logit, vs from_logits=True: (loss, grad, right loss, grad).

    Without ``from_logits=True`` the logit is taken for a probability and clipped into
    ``[1e-7, 1 - 1e-7]``: outside (0, 1) the loss is capped and the gradient is 0.
    """
    import keras

    y = np.array([[label]], dtype="float32")

    def bce(from_logits: bool) -> Callable[[np.ndarray], float]:
        def loss(z: np.ndarray) -> float:
            value = keras.losses.binary_crossentropy(y, z, from_logits=from_logits)
            return float(keras.ops.convert_to_numpy(value)[0])

        return loss

    z = np.array([[logit]], dtype="float32")
    wrong, right = bce(False), bce(True)
    return wrong(z), _finite_difference(wrong, z), right(z), _finite_difference(right, z)


def _detached_probability_loss(z: np.ndarray) -> float:
    """Sparse cross-entropy of label 0 on softmax(z) computed in NumPy (no cached logits)."""
    import keras

    e = np.exp(z - z.max(axis=-1, keepdims=True))
    p = (e / e.sum(axis=-1, keepdims=True)).astype("float32")
    value = keras.losses.sparse_categorical_crossentropy(np.array([0]), p)
    return float(keras.ops.convert_to_numpy(value)[0])


def _true_class_gradient(loss: Callable[[np.ndarray], float], z: np.ndarray) -> float:
    """Central difference of ``loss`` in the true class's (index 0) logit, step 1e-2."""
    step = np.zeros_like(z)
    step[0, 0] = 1e-2
    return (loss(z + step) - loss(z - step)) / 2e-2


def confidently_wrong_softmax(gap: float = 20.0) -> tuple[float, float, float, float]:
    """A 3-class example whose true class trails by ``gap`` in logits, loss from probabilities.

    Returns (loss from detached softmax probabilities, its gradient on the true-class logit,
    loss from the logits, its gradient). The true-class probability e^-gap / 2 is below 1e-7,
    so the probability loss is capped at -log(1e-7) and its gradient is 0.
    """
    import keras

    label = np.array([0])

    def from_logits(z: np.ndarray) -> float:
        value = keras.losses.sparse_categorical_crossentropy(label, z, from_logits=True)
        return float(keras.ops.convert_to_numpy(value)[0])

    z = np.array([[0.0, gap, 0.0]], dtype="float32")
    return (
        _detached_probability_loss(z),
        _true_class_gradient(_detached_probability_loss, z),
        from_logits(z),
        _true_class_gradient(from_logits, z),
    )


def confidently_right_softmax(lead: float = 20.0) -> tuple[float, float, float]:
    """A 3-class example whose true class LEADS by ``lead`` in logits, loss from probabilities.

    Returns (loss from detached softmax probabilities, its gradient on the true-class logit,
    the exact loss log(1 + 2 e^-lead) in float64). The clip is two-sided: the true class
    (above 1 - 1e-7) and the others (below 1e-7) are all clipped, so the loss is
    -log(1 - 1e-7)-ish instead of ~4e-9 and its gradient is 0, a difference of about 1e-7.
    """
    z = np.array([[lead, 0.0, 0.0]], dtype="float32")
    return (_detached_probability_loss(z), _true_class_gradient(_detached_probability_loss, z),
            float(np.log1p(2 * np.exp(-float(lead)))))


def raw_logits_as_probabilities(logits=(2.0, -1.0, 0.5), label: int = 0) -> dict[str, Any]:
    """SparseCategoricalCrossentropy() fed raw logits (from_logits forgotten), as Keras does it.

    TensorFlow's backend clips each raw value into [1e-7, 1 - 1e-7], takes the log and runs
    a softmax cross-entropy on it, i.e. it renormalises the CLIPPED values; JAX and PyTorch
    divide by the sum first and clip after. Returns the Keras loss, its finite-difference
    gradient per logit, and both orders computed by hand in NumPy.
    """
    import keras

    eps = 1e-7
    z = np.array([logits], dtype="float32")
    y = np.array([label])

    def loss(v: np.ndarray) -> float:
        value = keras.losses.sparse_categorical_crossentropy(y, v)
        return float(keras.ops.convert_to_numpy(value)[0])

    gradient = []
    for i in range(z.shape[1]):
        step = np.zeros_like(z)
        step[0, i] = 1e-3
        gradient.append((loss(z + step) - loss(z - step)) / 2e-3)
    clipped = np.clip(z[0].astype("float64"), eps, 1 - eps)
    divided = np.clip(z[0].astype("float64") / z[0].sum(), eps, 1 - eps)
    return {
        "loss": loss(z),
        "gradient": np.array(gradient),
        "clip_then_renormalise": float(-np.log(clipped[label] / clipped.sum())),
        "divide_then_clip": float(-np.log(divided[label])),
    }


def _mse_on_a_logit(logit: float = 10.0, label: float = 1.0) -> float:
    """The gradient of MSE at a confidently RIGHT logit: it pushes the logit back to the label."""
    import keras

    y = np.array([[label]], dtype="float32")

    def loss(z: np.ndarray) -> float:
        return float(keras.ops.convert_to_numpy(keras.losses.mean_squared_error(y, z))[0])

    return _finite_difference(loss, np.array([[logit]], dtype="float32"))


def _max_derivative(name: str) -> float:
    from actlab import catalog

    x = np.linspace(-8.0, 8.0, 4001, dtype="float32")
    return float(np.max(catalog.derivative(name, x)))


def _q1_c() -> str:
    losses = [one_unit_categorical(z) for z in (-3.0, 0.5, 30.0)]
    loss, grad = max(v for v, _ in losses), max(abs(g) for _, g in losses)
    return (
        "CategoricalCrossentropy() expects one probability per class and first divides the "
        "output by its sum over the classes. With ONE output that is z / z = 1 for any z != 0 "
        "(0 / 0 at z = 0): "
        f"the loss is the constant {loss:.1e} for a 'yes' (0 for a 'no') and its gradient "
        f"is {grad:.0f} (computed just now for outputs -3, 0.5 and 30): nothing to learn from. "
        "Binary problems with one unit need binary cross-entropy."
    )


def _q1_a() -> str:
    neg, neg_grad, neg_right, _ = logit_as_probability(-5.0, 1.0)
    big, big_grad, big_right, _ = logit_as_probability(30.0, 0.0)
    return (
        "Dense(1) with no activation outputs a logit (any real number), not a probability. "
        "BinaryCrossentropy() without from_logits takes the logit itself for a probability "
        "and clips it into [1e-7, 1 - 1e-7], so every logit outside (0, 1) gets a loss fixed "
        "at its clip value (about 16 on the wrong side, about 1e-7 on the right side) and "
        f"gradient 0 (computed now: a logit of -5 on a 'yes' costs {neg:.1f} instead "
        f"of {neg_right:.1f}, one of 30 on a 'no' {big:.1f} instead of {big_right:.1f}, "
        f"gradients {abs(neg_grad):.0f} and {abs(big_grad):.0f}). Say from_logits=True so "
        "Keras applies the sigmoid inside the loss."
    )


def _q3_a() -> str:
    probs, probs_grad, logits, logits_grad = confidently_wrong_softmax()
    right, right_grad, right_exact = confidently_right_softmax()
    return (
        "it trains, on every backend. The loss clips softmax probabilities into "
        "[1e-7, 1 - 1e-7], so it changes any probability below 1e-7 or above 1 - 1e-7 (a "
        f"confidently right example, logits [20, 0, 0], costs {right:.1e} instead of "
        f"{right_exact:.1e} with gradient {abs(right_grad):.0f}, computed now), but the loss "
        "and its gradient differ noticeably only when an example's true class falls below "
        "1e-7; until then they are those of (b) (notebook 10 trains both ways on digits: the "
        "same loss; on TensorFlow Keras's softmax even hands the loss its cached logits). "
        "What it lacks is (b)'s safety on every backend: on JAX and PyTorch, and on "
        "TensorFlow whenever the probabilities lose their cache (a NumPy array, predict()'s "
        "output, a hand-written softmax), an example whose true class has "
        f"probability below 1e-7 costs at most {probs:.1f} and gets gradient "
        f"{abs(probs_grad):.0f}, from logits it costs {logits:.1f} with gradient "
        f"{logits_grad:.2f} (computed now, 3 classes, the true one 20 logits behind). "
        "Logits + from_logits=True is safe by construction."
    )


def _q3_d() -> str:
    raw = raw_logits_as_probabilities()
    zero = int(np.sum(raw["gradient"] == 0))
    return (
        "without from_logits=True the loss treats raw logits as probabilities. On TensorFlow "
        "each raw output is clipped into [1e-7, 1 - 1e-7] (every logit >= 1 becomes "
        "1 - 1e-7, every logit <= 0 becomes 1e-7) and then renormalised, so every logit "
        "outside (0, 1) gets gradient 0 (computed now: logits [2, -1, 0.5] with label 0 "
        f"cost {raw['loss']:.4f}, the clipped values renormalised, and {zero} of the 3 "
        "gradients are 0). JAX and PyTorch divide by the sum first (which can be negative "
        "or near 0) and clip after. Either way, a meaningless loss."
    )


def _tanh_derivative(x: float) -> float:
    from actlab import catalog

    return float(catalog.derivative("tanh", np.array([x], dtype="float32"))[0])


def _q5_a() -> str:
    return (
        f"tanh's derivative peaks at {_max_derivative('tanh'):.2f} (computed), four times "
        "sigmoid's; it is below 1 everywhere except at 0 (computed now: "
        f"{_tanh_derivative(0.5):.2f} at 0.5, {_tanh_derivative(1.0):.2f} at 1) and close "
        "to 0 where it saturates."
    )


def _q5_option(name: str, why: str) -> Callable[[], str]:
    return lambda: f"{name}'s derivative peaks at {_max_derivative(name):.2f} (computed), {why}"


def _q5_confirmation() -> str:
    return (
        f"sigmoid'(x) = sigmoid(x)(1 - sigmoid(x)) peaks at {_max_derivative('sigmoid'):.2f} "
        "at x = 0: every sigmoid layer multiplies the backward signal by at most 1/4 "
        "(times the weights), which is why notebook 09 sees its gradients vanish."
    )


OPTIONS = {  # the option lines of the notebook's quiz cells, letter by letter
    "q1": {
        "a": "BinaryCrossentropy()",
        "b": "BinaryCrossentropy(from_logits=True)",
        "c": "CategoricalCrossentropy()",
        "d": "MeanSquaredError()",
    },
    "q2": {
        "a": "Dense(5, activation='softmax')",
        "b": "Dense(5, activation='sigmoid')",
        "c": "Dense(1, activation='sigmoid')",
        "d": "Dense(5, activation='relu')",
    },
    "q3": {
        "a": "Dense(10, activation='softmax') + SparseCategoricalCrossentropy()",
        "b": "Dense(10) + SparseCategoricalCrossentropy(from_logits=True)",
        "c": "Dense(10, activation='sigmoid') + SparseCategoricalCrossentropy()",
        "d": "Dense(10) + SparseCategoricalCrossentropy()",
    },
    "q4": {"a": "none (linear), e.g. on log-prices", "b": "sigmoid", "c": "softmax", "d": "tanh"},
    "q5": {"a": "tanh", "b": "sigmoid", "c": "relu", "d": "gelu"},
}

QUESTIONS = [
    Question(
        qid="q1",
        prompt=_prompt(
            "A yes/no classifier ends in Dense(1) with no activation. Which loss?",
            OPTIONS["q1"],
        ),
        checker=_multiple_choice(
            "b",
            {
                "a": _q1_a,
                "c": _q1_c,
                "d": lambda: (
                    "MSE on a logit regresses the logit onto the label 0 or 1: a "
                    "confidently right logit of 10 for a 'yes' is pushed back towards 1 with "
                    f"gradient {_mse_on_a_logit():.0f} (computed now), and the output is not a "
                    "probability. Use binary cross-entropy."
                ),
            },
            "One logit + BinaryCrossentropy(from_logits=True): Keras computes "
            "max(z, 0) - z*y + log(1 + exp(-|z|)), stable for any z; for probabilities apply "
            "keras.activations.sigmoid "
            "to the model's output.",
            OPTIONS["q1"],
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
            (lambda: "c", "z / z = 1"),
            (lambda: "d", "MSE on a logit"),
            (lambda: 2, "one letter as a string"),
            (lambda: "e", "one of the letters"),
        ],
    ),
    Question(
        qid="q2",
        prompt=_prompt(
            "Tagging photos with any of 5 tags at once ('cat' and 'outdoor' can both be true). "
            "Output layer?",
            OPTIONS["q2"],
        ),
        checker=_multiple_choice(
            "b",
            {
                "a": "softmax makes the 5 outputs compete: they sum to 1, so two tags cannot "
                "both be near 1. It is for exactly one class per example.",
                "c": "one unit gives one probability; you need one per tag.",
                "d": "ReLU outputs are not probabilities (unbounded, exactly 0 for negative "
                "inputs, with no gradient there).",
            },
            "Multi-label: one sigmoid per tag, each an independent probability, with binary "
            "cross-entropy (or Dense(5) + BinaryCrossentropy(from_logits=True)).",
            OPTIONS["q2"],
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
        prompt=_prompt(
            "Which is the numerically safest setup for 10 classes?",
            OPTIONS["q3"],
        ),
        checker=_multiple_choice(
            "b",
            {
                "a": _q3_a,
                "c": "on the TensorFlow backend Keras's sigmoid stores its logits on its output "
                "and the loss silently uses those stored logits, so it trains like (b); but the "
                "model's outputs are then 10 independent sigmoids that do not sum to 1, not the "
                "softmax probabilities it was trained on. On the JAX and PyTorch backends the "
                "loss divides the sigmoids by their sum, then clips, which is neither a "
                "softmax nor independent probabilities.",
                "d": _q3_d,
            },
            "Logits out, softmax inside the loss (log-sum-exp), stable for any logit.",
            OPTIONS["q3"],
        ),
        hint_text="Where should the softmax happen so that log(softmax) never sees a 0?",
        solution_text=(
            "Output logits and let the loss fuse softmax and log (from_logits=True). For "
            "probabilities at prediction time apply keras.activations.softmax to the output."
        ),
        solution_code='answer_q3 = "b"\n',
        reference=lambda: "b",
        wrong_answers=[
            (lambda: "a", "it trains, on every backend"),
            (lambda: "c", "stored logits"),
            (lambda: "d", "raw logits"),
        ],
    ),
    Question(
        qid="q4",
        prompt=_prompt(
            "Predicting house prices (positive numbers in the hundreds of thousands). Output "
            "activation?",
            OPTIONS["q4"],
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
            OPTIONS["q4"],
        ),
        hint_text="Which of these can output 250000?",
        solution_text="Regression outputs are linear (no activation).",
        solution_code='answer_q4 = "a"\n',
        reference=lambda: "a",
        wrong_answers=[(lambda: "b", "in (0, 1)"), (lambda: "d", "(-1, 1)")],
    ),
    Question(
        qid="q5",
        prompt=_prompt(
            "Which hidden activation has a derivative of at most 0.25 everywhere, so that "
            "stacking it shrinks gradients layer after layer?",
            OPTIONS["q5"],
        ),
        checker=_multiple_choice(
            "b",
            {
                "a": _q5_a,
                "c": _q5_option(
                    "relu",
                    "1 where a unit is active and 0 where it is not (dead units, notebook 08). "
                    "A derivative of 1 does not keep the signal's size: about half the units "
                    "are off, so with Glorot weights on equal widths the backward signal still "
                    "shrinks by about 1/sqrt(2) per layer; He initialisation makes up for it "
                    "(measured in notebooks 09 and 10).",
                ),
                "d": _q5_option("gelu", "about 1 for positive inputs, like ReLU."),
            },
            _q5_confirmation,
            OPTIONS["q5"],
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
