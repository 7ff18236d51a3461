"""Exercises for 00_start_here: how the checks work."""

from __future__ import annotations

from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question
from actlab.exercises._answers import one_number

_LIMIT = 1000


def _train_count() -> int:
    from actlab.data import load_mnist

    return len(load_mnist(limit=_LIMIT, verbose=False).x_train)


def _check_count(answer: Any) -> str:
    truth = _train_count()
    if isinstance(answer, np.ndarray) and answer.size != 1:
        raise Incorrect("You passed an array. Give its length instead: len(x_train).")
    value = one_number(answer)
    if value is None or isinstance(answer, bool) or not float(value).is_integer():
        raise Incorrect(f"Give a whole number (the count of images). Received: {answer!r}.")
    answer = int(value)  # 1000, 1000.0, np.int64(1000) and np.array([1000]) are the same count
    if answer == 784 or answer == 28:
        raise Incorrect(f"{answer} is a size of one image, not the number of images.")
    if answer == _train_count() // 4:
        raise Incorrect(f"{answer} is the number of *test* images. Count the training set.")
    if answer != truth:
        raise Incorrect(f"{answer} is not the number of training images you loaded.")
    return f"load_mnist(limit={_LIMIT}) gave you {truth} training images."


def _sigmoid_at_zero() -> float:
    from actlab import catalog

    return float(catalog.get("sigmoid")(0.0))


def _check_sigmoid(answer: Any) -> str:
    value = one_number(answer)
    if value is None:
        raise Incorrect(f"Give a number. Received: {answer!r}.")
    truth = _sigmoid_at_zero()
    if value == 0.0:
        raise Incorrect("0 is relu(0), not sigmoid(0). sigmoid(x) = 1 / (1 + exp(-x)).")
    if value == 1.0:
        raise Incorrect("sigmoid(0) is not 1: exp(-0) = 1, so the denominator is 1 + 1.")
    if not np.isclose(value, truth, atol=1e-6):
        raise Incorrect(f"{value} is not sigmoid(0). Evaluate 1 / (1 + exp(-0)).")
    return "sigmoid(0) = 1 / (1 + 1) = 0.5: the midpoint of its (0, 1) range."


EXERCISES = ExerciseSet("00", "Start here", [
    Question(
        qid="q1",
        prompt="How many training images did `actlab.data.load_mnist(limit=1000)` give you?",
        checker=_check_count,
        hint_text="x_train holds one image per row: its length is the count.",
        solution_text=(
            "The training images are x_train; len(x_train) counts them (the limit caps it)."
        ),
        solution_code="answer_q1 = len(x_train)",
        reference=_train_count,
        wrong_answers=[(lambda: 784, "size of one image"), (lambda: _train_count() // 4, "test"),
         (lambda: np.zeros(3), "array")],
    ),
    Question(
        qid="q2",
        prompt="What is sigmoid(0)? Compute it with `actlab.catalog.get('sigmoid')`.",
        checker=_check_sigmoid,
        hint_text="actlab.catalog.get('sigmoid') returns a callable: call it on 0.0.",
        solution_text="sigmoid(0) = 1 / (1 + exp(0)) = 0.5.",
        solution_code="answer_q2 = float(actlab.catalog.get('sigmoid')(0.0))",
        reference=_sigmoid_at_zero,
        wrong_answers=(
            [(lambda: 0.0, "relu(0)"), (lambda: 1.0, "denominator"), (lambda: "half", "number")]
        ),
    ),
])
