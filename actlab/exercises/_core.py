"""The exercise machinery: answers judged, feedback shown, strict mode, progress.

Internal to :mod:`actlab.exercises`, which re-exports the public names.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from actlab.exercises._verdict import Verdict

STRICT_ENV = "ACTLAB_STRICT_EXERCISES"


class Incorrect(Exception):
    """Raised by a question's checker: the message tells the learner what is off."""


class NotAttempted(Exception):
    """Raised by a checker when the answer shows no attempt yet (e.g. an untouched widget)."""


class ExerciseNotPassed(AssertionError):
    """Raised by ``check`` in strict mode when an answer is missing or wrong."""


def _strict() -> bool:
    return os.environ.get(STRICT_ENV, "") not in ("", "0", "false", "False")


# --------------------------------------------------------------------------- feedback

# kind -> (label, text colour, background, ARIA role)
_STYLES = {
    "correct": ("Correct", "#1a6b32", "#e8f5ec", "status"),
    "incorrect": ("Not quite", "#8a4500", "#fff4e5", "status"),
    "not_attempted": ("Not attempted yet", "#4a4a4a", "#f2f2f2", "status"),
    "hint": ("Hint", "#184f8c", "#e9f1fb", "note"),
    "solution": ("Solution", "#5b3592", "#f2ecfa", "note"),
}
_CODE = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Feedback:
    """What a check, hint or solution says: a coloured box in Jupyter, plain text elsewhere.

    The box carries a text label ("Correct:", "Not quite:", ...), so it reads
    without colour, and an ARIA role and label for screen readers.

    Attributes:
        kind: ``"correct"``, ``"incorrect"``, ``"not_attempted"``, ``"hint"`` or
            ``"solution"``.
        qid: The question, e.g. ``"q3"``.
        text: The message.
        code: Code shown under the message (solutions), or ``""``.
    """

    kind: str
    qid: str
    text: str
    code: str = ""

    @property
    def label(self) -> str:
        """The verdict word: "Correct", "Not quite", "Not attempted yet", "Hint", "Solution"."""
        return _STYLES[self.kind][0]

    def __str__(self) -> str:
        head = {
            "correct": f"{self.qid}: correct!",
            "incorrect": f"{self.qid}: not quite.",
            "not_attempted": f"{self.qid}: not attempted yet.",
            "hint": f"Hint ({self.qid}):",
            "solution": f"Solution ({self.qid}):",
        }[self.kind]
        body = f"{head} {self.text}".rstrip()
        return f"{body}\n\n{self.code}" if self.code else body

    __repr__ = __str__

    def _repr_html_(self) -> str:
        label, colour, background, role = _STYLES[self.kind]
        text = _CODE.sub(r"<code>\1</code>", html.escape(self.text))
        code = (
            f"<pre style='margin:6px 0 0;padding:6px;background:#fff;border:1px solid #ddd;"
            f"white-space:pre-wrap'>{html.escape(self.code)}</pre>"
            if self.code
            else ""
        )
        return (
            f"<div class='actlab-feedback actlab-{self.kind}' role='{role}' "
            f"aria-label='{html.escape(self.qid)}: {label}' "
            f"style='border-left:6px solid {colour};background:{background};color:#1f1f1f;"
            f"padding:8px 12px;margin:4px 0;border-radius:4px;font-size:14px;line-height:1.45'>"
            f"<strong style='color:{colour}'>{label}:</strong> "
            f"<span style='color:#555'>({html.escape(self.qid)})</span> {text}{code}</div>"
        )


def _show(feedback: Feedback) -> None:
    """Display in a Jupyter kernel (HTML box + plain text), print anywhere else."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is always there with ipywidgets
        shell = None
    else:
        shell = get_ipython()
    if shell is not None and getattr(shell, "kernel", None) is not None:
        from IPython.display import display

        display(feedback)
    else:
        print(feedback)


def _record_progress(notebook: str, qid: str) -> None:
    """Tell the learner's progress file that a question passed; never let that break a check.

    The one upward import of the package (README, "How the package is built"):
    lazy, and guarded so that a missing or failing progress module changes nothing.
    """
    try:
        from actlab import _progress
    except ImportError:
        return
    try:
        _progress.record(notebook, qid)
    except Exception:  # noqa: BLE001 - progress is a convenience, the check must not fail
        return


# --------------------------------------------------------------------------- questions


@dataclass(kw_only=True)
class Question:
    """One exercise question (keyword arguments only).

    Attributes:
        qid: ``"q1"``, ``"q2"``... (the attribute name on the set).
        prompt: The task, one or two sentences (shown by ``ex.q1``).
        checker: ``checker(answer)`` returns a short confirmation (or None) when
            the answer is right and raises :class:`Incorrect` with a specific,
            helpful message when it is wrong.
        hint_text: A nudge that does not give the answer away, or a list of
            hints from a nudge to nearly the answer (``hint()`` shows the next).
        solution_text: The explanation shown by ``solution()``.
        solution_code: Code that, put in the exercise cell before the
            ``ex.qN.check(...)`` line, defines the right answer. The solutions
            test runs every notebook with it filled in.
        reference: Computes the right answer without a notebook (for tests).
        wrong_answers: Typical wrong answers and a fragment of the message
            each must get: ``[(answer_factory, "fragment"), ...]``; the factory
            is called with no arguments (tests).
        notebook: The notebook number, set by :class:`ExerciseSet`.
    """

    qid: str
    prompt: str
    checker: Callable[[Any], str | None]
    hint_text: str | Sequence[str]
    solution_text: str
    solution_code: str
    reference: Callable[[], Any]
    wrong_answers: list[tuple[Callable[[], Any], str]] = field(default_factory=list)
    notebook: str = ""
    _hints_shown: int = field(default=0, init=False, repr=False, compare=False)

    def _judge(self, answer: Any) -> str | None:
        return self.checker(answer)

    def check(self, answer: Any = ...) -> Verdict | None:
        """Check an answer and show feedback.

        Args:
            answer: The learner's answer (for a slider exercise: the widget).
                ``...`` (the starter) means "not attempted yet".

        Returns:
            A :class:`Verdict`, true when correct and false when wrong (it
            acts as a bool and is not echoed under the feedback box), or None
            when not attempted.

        Raises:
            ExerciseNotPassed: Only in strict mode (``ACTLAB_STRICT_EXERCISES=1``)
                when the answer is missing or wrong.
        """
        if answer is ...:
            return self._fail(
                "not_attempted",
                "Replace the `...` with your answer and run the cell again "
                f"(`ex.{self.qid}.hint()` gives a hint).",
                None,
            )
        try:
            confirmation = self._judge(answer)
        except NotAttempted as exc:
            return self._fail("not_attempted", str(exc), None)
        except Incorrect as exc:
            return self._fail("incorrect", str(exc), Verdict(False))
        except Exception as exc:
            if _strict():
                raise
            return self._fail(
                "incorrect",
                f"The check could not evaluate this answer: {type(exc).__name__}: {exc}",
                Verdict(False),
            )
        _show(Feedback("correct", self.qid, confirmation or ""))
        _record_progress(self.notebook, self.qid)
        return Verdict(True)

    def _fail(self, kind: str, message: str, result: Verdict | None) -> Verdict | None:
        feedback = Feedback(kind, self.qid, message)
        _show(feedback)
        if _strict():
            raise ExerciseNotPassed(str(feedback))
        return result

    @property
    def hints(self) -> list[str]:
        """All hints, from a nudge to nearly the answer."""
        return [self.hint_text] if isinstance(self.hint_text, str) else list(self.hint_text)

    def hint(self, n: int | None = None) -> None:
        """Show a hint: the next one on each call, or hint number ``n`` (1-based)."""
        hints = self.hints
        if n is None:
            n = min(self._hints_shown, len(hints) - 1) + 1
        n = max(1, min(int(n), len(hints)))
        self._hints_shown = max(self._hints_shown, n)
        prefix = f"({n}/{len(hints)}) " if len(hints) > 1 else ""
        _show(Feedback("hint", self.qid, prefix + hints[n - 1]))

    def solution(self, *, apply: Any = None) -> None:
        """Show the explanation and the solution code.

        Args:
            apply: Only for slider exercises (:class:`SliderQuestion`): the widget
                whose controls to move to a correct setting.
        """
        _show(Feedback("solution", self.qid, self.solution_text, self.solution_code))
        if apply is not None:
            message = f"{self.qid} is not a slider exercise: there is no widget to set."
            _show(Feedback("solution", self.qid, message))
            if _strict():
                raise ExerciseNotPassed(message)

    def __repr__(self) -> str:
        return f"{self.qid}: {self.prompt}"
