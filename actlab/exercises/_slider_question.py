"""Slider exercises: a question answered by moving the controls of a widget.

Internal to :mod:`actlab.exercises`, which re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from actlab._seed import current_seed
from actlab.exercises._core import (
    ExerciseNotPassed,
    Feedback,
    Incorrect,
    NotAttempted,
    Question,
    _show,
    _strict,
)
from actlab.exercises._sliders import same


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
    _template_seed: int | None = field(default=None, init=False, repr=False, compare=False)

    def template(self) -> Any:
        """A private widget made as the notebook makes it (for typed answers).

        Cached per notebook ``SEED`` (``actlab.seed``): widgets are made with
        ``seed=SEED``, so a template made at another seed is made anew.
        """
        seed = current_seed()
        if self._template is None or self._template_seed != seed:
            self._template = self.make_widget()
            self._template_seed = seed
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
