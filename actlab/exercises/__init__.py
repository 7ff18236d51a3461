"""Exercises that answer back (in the style of Kaggle's learntools).

Each notebook loads its exercise set and checks answers in place::

    ex = actlab.exercises.load("08")
    answer = ...            # the starter: replace ... with your answer
    ex.q1.check(answer)     # "not attempted yet" / a specific hint / "Correct"
    ex.q1.hint()
    ex.q1.solution()

A check on an unattempted starter (``...``) prints "not attempted yet" and does
not raise, so "Run All" always works. With the environment variable
``ACTLAB_STRICT_EXERCISES=1`` (used by the test that runs every notebook with
the solutions filled in) a wrong or missing answer raises instead.

Exercise sets live in ``actlab/exercises/nbNN.py``; each defines
``EXERCISES: ExerciseSet``.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ExerciseSet",
    "Incorrect",
    "Question",
    "available",
    "load",
]

STRICT_ENV = "ACTLAB_STRICT_EXERCISES"


class Incorrect(Exception):
    """Raised by a question's checker: the message tells the learner what is off."""


class ExerciseNotPassed(AssertionError):
    """Raised by ``check`` in strict mode when an answer is missing or wrong."""


def _strict() -> bool:
    return os.environ.get(STRICT_ENV, "") not in ("", "0", "false", "False")


@dataclass
class Question:
    """One exercise question.

    Attributes:
        qid: ``"q1"``, ``"q2"``... (the attribute name on the set).
        prompt: The task, one or two sentences (shown by ``ex.q1``).
        checker: ``checker(answer)`` returns a short confirmation (or None) when
            the answer is right and raises :class:`Incorrect` with a specific,
            helpful message when it is wrong.
        hint_text: A nudge that does not give the answer away.
        solution_text: The explanation shown by ``solution()``.
        solution_code: Code that, put in the exercise cell before the
            ``ex.qN.check(...)`` line, defines the right answer. The solutions
            test runs every notebook with it filled in.
        reference: Computes the right answer without a notebook (for tests).
        wrong_answers: Typical wrong answers and a fragment of the message
            each must get: ``[(answer_factory, "fragment"), ...]``; the factory
            is called with no arguments (tests).

    """

    qid: str
    prompt: str
    checker: Callable[[Any], str | None]
    hint_text: str
    solution_text: str
    solution_code: str
    reference: Callable[[], Any]
    wrong_answers: list[tuple[Callable[[], Any], str]] = field(default_factory=list)

    def check(self, answer: Any = ...) -> bool | None:
        """Check an answer and print feedback.

        Args:
            answer: The learner's answer. ``...`` (the starter) means "not
                attempted yet".

        Returns:
            True when correct, False when wrong, None when not attempted.

        Raises:
            ExerciseNotPassed: Only in strict mode (``ACTLAB_STRICT_EXERCISES=1``)
                when the answer is missing or wrong.

        """
        if answer is ...:
            msg = (
                f"{self.qid}: not attempted yet. Replace the `...` with your answer "
                f"and run the cell again (ex.{self.qid}.hint() gives a hint)."
            )
            print(msg)
            if _strict():
                raise ExerciseNotPassed(msg)
            return None
        try:
            confirmation = self.checker(answer)
        except Incorrect as exc:
            msg = f"{self.qid}: not quite. {exc}"
            print(msg)
            if _strict():
                raise ExerciseNotPassed(msg) from None
            return False
        print(f"{self.qid}: correct!" + (f" {confirmation}" if confirmation else ""))
        return True

    def hint(self) -> None:
        """Print the hint."""
        print(f"Hint ({self.qid}): {self.hint_text}")

    def solution(self) -> None:
        """Print the explanation and the solution code."""
        print(f"Solution ({self.qid}): {self.solution_text}\n")
        print(self.solution_code)

    def __repr__(self) -> str:
        return f"{self.qid}: {self.prompt}"


class ExerciseSet:
    """The questions of one notebook, as attributes ``q1``, ``q2``, ..."""

    def __init__(self, notebook: str, title: str, questions: list[Question]) -> None:
        ids = [q.qid for q in questions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate question ids in exercise set {notebook}: {ids}")
        self.notebook = notebook
        self.title = title
        self.questions = list(questions)
        for q in questions:
            setattr(self, q.qid, q)

    def __iter__(self):  # noqa: D105
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)

    def __repr__(self) -> str:
        lines = [f"Exercises for notebook {self.notebook}: {self.title}"]
        lines += [f"  {q!r}" for q in self.questions]
        return "\n".join(lines)


def available() -> list[str]:
    """Return the notebook numbers that have exercise sets, e.g. ``["00", "01"]``."""
    return sorted(
        m.name[2:] for m in pkgutil.iter_modules(__path__) if m.name.startswith("nb")
    )


def load(notebook: str | int) -> ExerciseSet:
    """Load the exercise set of a notebook.

    Args:
        notebook: The notebook number, ``"08"`` or ``8``.

    Returns:
        The :class:`ExerciseSet`; its questions are ``ex.q1``, ``ex.q2``...

    Raises:
        ValueError: If there is no exercise set for that notebook.

    """
    key = f"{int(notebook):02d}" if str(notebook).strip().isdigit() else str(notebook)
    if key not in available():
        raise ValueError(
            f"No exercise set for notebook {notebook!r}. "
            f"Available: {', '.join(available())}. Pass the two-digit notebook number, "
            f"e.g. actlab.exercises.load(\"08\")."
        )
    module = importlib.import_module(f"actlab.exercises.nb{key}")
    return module.EXERCISES
