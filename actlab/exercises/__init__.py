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

import html
import importlib
import os
import pkgutil
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from actlab.exercises._sliders import same
from actlab.exercises._verdict import Verdict

__all__ = [
    "ExerciseNotPassed",
    "ExerciseSet",
    "Feedback",
    "Incorrect",
    "Question",
    "Setting",
    "SliderQuestion",
    "Verdict",
    "available",
    "load",
]

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


@dataclass(frozen=True)
class Setting:
    """A slider exercise's answer as its checker sees it.

    Attributes:
        values: ``{control name: value}`` of the widget (for a typed answer:
            the question's widget as the notebook makes it, with the typed value).
        widget: The learner's widget, or (typed answer) a private one made the
            way the notebook makes it; checkers use it to recompute, never to
            read a cached result.
        typed: True when the answer was typed rather than a widget.
    """

    values: dict[str, Any]
    widget: Any
    typed: bool = False


def _is_widget(answer: Any) -> bool:
    return hasattr(answer, "controls") and callable(getattr(answer, "state", None))


def _a(name: str) -> str:
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


@dataclass(kw_only=True, repr=False)  # keeps Question's one-line repr
class SliderQuestion(Question):
    """A question answered by moving the controls of a widget from :mod:`actlab.widgets`.

    ``check(widget)`` reads the widget's controls and passes a :class:`Setting`
    to ``checker``, which recomputes the criterion for that setting with
    actlab and returns a confirmation or raises :class:`Incorrect` naming the
    control to move and the direction. Before that, the framework answers with
    a one-line message: a widget of another kind, a widget made with other
    arguments than the question's, a plot still computing, a control the
    question keeps fixed that was moved, and an untouched widget ("not
    attempted yet").

    Attributes:
        widget_class: Class name of the expected widget, e.g. ``"SoftmaxExplorer"``.
        widget_call: How the notebook makes it, for messages, e.g.
            ``"actlab.widgets.softmax_explorer()"``.
        make_widget: Makes the widget exactly as the notebook does (tests,
            typed answers).
        controls: The controls the learner is asked to move.
        fixed: Controls the question keeps at a value (``{"init": "glorot_uniform"}``).
        config: ``config(widget)`` returns a message when the widget was made
            with other arguments than the question's, else None.
        typed: ``typed(answer)`` turns a typed answer into control values
            (raising :class:`Incorrect` for a bad one); None when only the
            widget is accepted.
        solve: ``solve(widget)`` returns control values that answer the question
            for this widget (computed, e.g. by a search over the slider's values).
        show: Called with the widget after ``solution(apply=...)`` moved its
            controls, to show the answer (e.g. train the playground), or None.
    """

    widget_class: str
    widget_call: str
    make_widget: Callable[[], Any]
    controls: tuple[str, ...]
    solve: Callable[[Any], dict[str, Any]]
    fixed: dict[str, Any] = field(default_factory=dict)
    config: Callable[[Any], str | None] | None = None
    typed: Callable[[Any], dict[str, Any]] | None = None
    show: Callable[[Any], None] | None = None
    _template: Any = field(default=None, init=False, repr=False, compare=False)

    def template(self) -> Any:
        """A private widget made as the notebook makes it (for typed answers; cached)."""
        if self._template is None:
            self._template = self.make_widget()
        return self._template

    def _labels(self, names: Sequence[str], widget: Any = None) -> str:
        """The controls as the learner sees them: their on-screen labels, joined by " / "."""
        controls = getattr(widget if widget is not None else self._template, "controls", None)
        labels = []
        for name in names:
            label = getattr((controls or {}).get(name), "description", "") or ""
            labels.append(label if label else name.replace("_", " "))
        return " / ".join(labels)

    def _noun(self) -> str:
        return "control" if len(self.controls) == 1 else "controls"

    def _kind_problem(self, widget: Any) -> str | None:
        names = [c.__name__ for c in type(widget).__mro__]
        if not _is_widget(widget) or self.widget_class not in names:
            return (
                f"This is {_a(type(widget).__name__)}; {self.qid} is answered with "
                f"{_a(self.widget_class)}: pass the one made by `{self.widget_call}`."
            )
        if self.config is not None:
            return self.config(widget)
        return None

    def _judge(self, answer: Any) -> str | None:
        if not _is_widget(answer):
            if self.typed is None:
                raise Incorrect(
                    f"Pass the widget itself, after moving its {self._labels(self.controls)} "
                    f"control: ex.{self.qid}.check(lab) with lab = `{self.widget_call}`. "
                    f"Received: {type(answer).__name__}."
                )
            template = self.template()
            values = {**template.initial_state, **self.typed(answer)}
            return self.checker(Setting(values, template, typed=True))
        problem = self._kind_problem(answer)
        if problem:
            raise Incorrect(problem)
        if not answer.up_to_date([*self.controls, *self.fixed]):
            error = getattr(answer, "last_error", None)
            if error is not None:
                raise Incorrect(
                    f"The widget's last update failed ({type(error).__name__}: {error}); "
                    "move the control again, wait for the plot, then run this cell."
                )
            raise Incorrect(
                "The widget is still computing (its plot does not show the current "
                "controls yet): wait until it has redrawn, then run this cell again."
            )
        values = answer.state()
        for name, want in self.fixed.items():
            if not same(values.get(name), want):
                fixed = self._labels([name], answer)
                raise Incorrect(
                    f"{self.qid} keeps {fixed} at {_fmt(want)} and asks you to move the "
                    f"{self._labels(self.controls, answer)} {self._noun()}; you changed {fixed} to "
                    f"{_fmt(values.get(name))}. Set {fixed} back to {_fmt(want)}."
                )
        initial = answer.initial_state
        if all(same(values.get(c), initial.get(c)) for c in self.controls):
            where = ", ".join(
                f"{self._labels([c], answer)} = {_fmt(values.get(c))}" for c in self.controls
            )
            raise NotAttempted(
                f"The widget is where the notebook put it ({where}). Move the "
                f"{self._labels(self.controls, answer)} {self._noun()}, watch the plot, then run "
                "this cell again."
            )
        return self.checker(Setting(values, answer))

    def solution(self, *, apply: Any = None) -> None:
        """Show the explanation; with ``apply=widget`` also move its controls to a correct setting.

        Args:
            apply: The widget of this exercise. Its controls are set the way a
                learner would set them, so the plot redraws.

        Raises:
            ExerciseNotPassed: Only in strict mode, when the widget cannot be set.
        """
        _show(Feedback("solution", self.qid, self.solution_text, self.solution_code))
        if apply is None:
            return
        problem = self._kind_problem(apply)
        if problem is None:
            try:
                before = apply.state()
                target = self.solve(apply)
                apply.apply(**target)
                if self.show is not None:
                    self.show(apply)
            except Exception as exc:
                if _strict():
                    raise
                problem = f"Could not set the widget: {type(exc).__name__}: {exc}"
        if problem:
            _show(Feedback("solution", self.qid, problem))
            if _strict():
                raise ExerciseNotPassed(problem)
            return
        changed = {k: v for k, v in target.items() if not same(before.get(k), v)}
        moved = ", ".join(
            f"{self._labels([k], apply)} = {_fmt(v)}" for k, v in (changed or target).items()
        )
        _show(
            Feedback(
                "solution",
                self.qid,
                f"The widget now shows a correct setting ({moved}). Run "
                f"`ex.{self.qid}.check(...)` with it to see the numbers.",
            )
        )


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
