"""Exercises for 09_gradient_flow.

Both checks compute the gradient norms they talk about, on the notebook's
recipe: ``deep_mlp((28, 28), depth=d, activation=..., seed=0)`` at
initialisation, ``actlab.gradient_norms`` on the first 256 images of
``load_mnist(limit=1000)`` with sparse categorical cross-entropy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question
from actlab.exercises._lab_gradient_flow import SLIDER_QUESTIONS

CANDIDATES = ("sigmoid", "tanh", "relu")
Q1_DEPTH = 10
TARGET_RATIO = 1000.0
MAX_DEPTH = 40


def _batch() -> tuple[np.ndarray, np.ndarray]:
    from actlab.data import load_mnist

    (x_train, y_train), _ = load_mnist(limit=1000, verbose=False)
    return x_train[:256], y_train[:256]


def vanishing_ratio(activation: str, depth: int) -> float:
    """``||grad last hidden kernel|| / ||grad first hidden kernel||`` at initialisation.

    Large values mean the gradient shrinks on its way back to the first layer.
    """
    from actlab.deepnets import deep_mlp, hidden_layers
    from actlab.probes import gradient_norms

    x, y = _batch()
    model = deep_mlp((28, 28), depth=depth, activation=activation, seed=0)
    norms = gradient_norms(model, x, y, loss="sparse_categorical_crossentropy")
    hidden = hidden_layers(model)
    return norms[hidden[-1]] / norms[hidden[0]]


# --- q1 ------------------------------------------------------------------------------
def _check_fastest(answer: Any) -> str:
    from actlab import catalog

    if not isinstance(answer, str):
        raise Incorrect(
            f"Give the activation's name as a string, e.g. 'tanh'. Received: {answer!r}."
        )
    try:
        name = catalog.canonical_name(answer)
    except ValueError as exc:
        raise Incorrect(str(exc)) from None
    if name not in CANDIDATES:
        raise Incorrect(f"Choose one of {', '.join(CANDIDATES)}. Received: {answer!r}.")
    ratios = {act: vanishing_ratio(act, Q1_DEPTH) for act in CANDIDATES}
    measured = ", ".join(f"{a} {r:.3g}x" for a, r in ratios.items())
    fastest = max(ratios, key=ratios.get)
    if name != fastest:
        raise Incorrect(
            f"Measured at depth {Q1_DEPTH} (last hidden layer's gradient norm / first's): "
            f"{measured}. {name}'s gradients vanish less than {fastest}'s: its derivative "
            f"peaks at {float(np.max(catalog.derivative(name, np.linspace(-6, 6, 1201)))):.2f} "
            f"versus {float(np.max(catalog.derivative(fastest, np.linspace(-6, 6, 1201)))):.2f}."
        )
    return f"Measured at depth {Q1_DEPTH}: {measured}."


# --- q2 ------------------------------------------------------------------------------
def _check_depth(answer: Any) -> str:
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
        if isinstance(answer, float) and answer.is_integer():
            answer = int(answer)
        else:
            raise Incorrect(
                f"Give the depth as a whole number of hidden layers. Received: {answer!r}."
            )
    depth = int(answer)
    if depth < 1:
        raise Incorrect(f"The depth must be a positive integer. Received: {depth}.")
    if depth > MAX_DEPTH:
        raise Incorrect(
            f"depth = {depth} works, but it is far deeper than needed; find one <= {MAX_DEPTH}."
        )
    if depth == 1:
        raise Incorrect("With one hidden layer the first layer is also the last: ratio 1.")
    ratio = vanishing_ratio("sigmoid", depth)
    if ratio < TARGET_RATIO:
        raise Incorrect(
            f"At depth {depth}, sigmoid's first-layer gradient is only {ratio:.3g}x smaller "
            f"than its last layer's (need >= {TARGET_RATIO:g}x). Go deeper."
        )
    return f"At depth {depth} the first layer's gradient is {ratio:.3g}x smaller than the last's."


def _depth_reference() -> int:
    for depth in range(2, MAX_DEPTH + 1):
        if vanishing_ratio("sigmoid", depth) >= TARGET_RATIO:
            return depth
    raise RuntimeError("no depth <= MAX_DEPTH reached the ratio")  # pragma: no cover


EXERCISES = ExerciseSet(
    "09",
    "Gradient flow",
    [
        Question(
            qid="q1",
            prompt=(
                "Predict, then check: in a 10-hidden-layer network at initialisation (Glorot), "
                "whose gradients vanish fastest on the way back to the first layer: sigmoid, "
                "tanh or relu? Pass the name."
            ),
            checker=_check_fastest,
            hint_text=(
                "For each activation build deep_mlp((28, 28), depth=10, activation=act, "
                "seed=0) and compare gradient_norms' dense_10 / dense_1."
            ),
            solution_text=(
                "sigmoid: its derivative is at most 0.25, so every layer multiplies the "
                "backward signal by a small factor; tanh and relu pass it on at about its size."
            ),
            solution_code=(
                "ratios = {}\n"
                'for act in ["sigmoid", "tanh", "relu"]:\n'
                "    m = deep_mlp((28, 28), depth=10, activation=act, seed=0)\n"
                "    g = actlab.gradient_norms(m, x_batch, y_batch, loss=LOSS)\n"
                '    ratios[act] = g["dense_10"] / g["dense_1"]\n'
                "print(ratios)\n"
                "answer_q1 = max(ratios, key=ratios.get)\n"
            ),
            reference=lambda: "sigmoid",
            wrong_answers=[
                (lambda: "relu", "vanish less than sigmoid"),
                (lambda: "tanh", "vanish less than sigmoid"),
                (lambda: "softmax", "Unknown activation"),
                (lambda: "elu", "Choose one of"),
                (lambda: 3, "as a string"),
            ],
        ),
        Question(
            qid="q2",
            prompt=(
                "Find a depth (number of hidden layers) at which a sigmoid network's "
                "first-layer gradient is at least 1000x smaller than its last hidden layer's "
                "(recipe: deep_mlp((28, 28), depth=d, activation='sigmoid', seed=0), "
                "gradient_norms on x_batch). Pass the depth."
            ),
            checker=_check_depth,
            hint_text=(
                "Compute g['dense_{d}'] / g['dense_1'] for d = 2, 3, 4, ... and stop at the "
                "first ratio >= 1000."
            ),
            solution_text=(
                "The ratio grows roughly geometrically with depth (a factor of about 4 per "
                "sigmoid layer), so it passes 1000 within a handful of layers."
            ),
            solution_code=(
                "for depth in range(2, 41):\n"
                '    m = deep_mlp((28, 28), depth=depth, activation="sigmoid", seed=0)\n'
                "    g = actlab.gradient_norms(m, x_batch, y_batch, loss=LOSS)\n"
                '    ratio = g[f"dense_{depth}"] / g["dense_1"]\n'
                "    if ratio >= 1000:\n"
                "        break\n"
                'print(f"depth {depth}: first-layer gradient {ratio:.0f}x smaller")\n'
                "answer_q2 = depth\n"
            ),
            reference=_depth_reference,
            wrong_answers=[
                (lambda: 3, "Go deeper"),
                (lambda: 0, "positive integer"),
                (lambda: 4.5, "whole number"),
                (lambda: 500, "far deeper than needed"),
            ],
        ),
        *SLIDER_QUESTIONS,
    ],
)
