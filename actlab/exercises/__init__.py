"""Exercises that answer back (in the style of Kaggle's learntools).

Each notebook loads its exercise set and checks answers in place::

    ex = actlab.exercises.load("08")
    answer = ...            # the starter: replace ... with your answer
    ex.q1.check(answer)     # "not attempted yet" / a specific hint / "Correct"
    ex.q1.hint()            # again for the next hint
    ex.q1.solution()

**A widget is an answer.** In a slider exercise (:class:`SliderQuestion`) the
learner moves the sliders of an explorer or lab from :mod:`actlab.widgets` and
passes the widget itself: ``ex.q3.check(lab)`` reads the lab's controls,
recomputes the question's criterion with actlab for that setting, and answers
"correct" or says which control to move in which direction.
``ex.q3.solution(apply=lab)`` moves the controls to a correct setting (the
plot redraws).

Feedback is a :class:`Feedback`: a coloured box with a text label ("Correct:",
"Not quite:", "Hint:", "Solution:") in JupyterLab, plain text in a terminal,
in nbval output and in logs. A check on an unattempted starter (``...``) or an
untouched widget says "not attempted yet" and does not raise, so "Run All"
always works. With the environment variable ``ACTLAB_STRICT_EXERCISES=1``
(used by the test that runs every notebook with the solutions filled in) a
wrong or missing answer raises :class:`ExerciseNotPassed` instead.

A correct check records progress (``actlab._progress.record(notebook,
question)``; ``actlab.progress()`` shows it); recording never breaks a check.

Exercise sets live in ``actlab/exercises/nbNN.py``; each defines
``EXERCISES: ExerciseSet``.
"""


from __future__ import annotations

import importlib
import pkgutil

from actlab.exercises._core import (
    STRICT_ENV,
    ExerciseNotPassed,
    Feedback,
    Incorrect,
    NotAttempted,
    Question,
)
from actlab.exercises._slider_question import Setting, SliderQuestion
from actlab.exercises._verdict import Verdict

__all__ = [
    "STRICT_ENV",
    "ExerciseNotPassed",
    "ExerciseSet",
    "Feedback",
    "Incorrect",
    "NotAttempted",
    "Question",
    "Setting",
    "SliderQuestion",
    "Verdict",
    "available",
    "load",
]


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
            q.notebook = notebook
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
