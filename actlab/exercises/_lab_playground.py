"""Slider exercises of notebook 02, answered with ``actlab.widgets.playground(...)``.

The check re-trains the learner's setting for a fixed budget of steps with
:func:`actlab.widgets.train_playground` (the playground's own NumPy training,
the same weights bit for bit as pressing Step), so it does not depend on how
long the learner let the playground run; it also quotes what the learner's
playground shows.
"""

from __future__ import annotations

from typing import Any

from actlab.exercises import Incorrect, Setting, SliderQuestion
from actlab.exercises._answers import typed_whole
from actlab.exercises._sliders import cached, moved

STEPS = 300
TARGET = 0.95
RECIPE = {  # the playground's defaults the questions keep
    "dataset": "circles",
    "noise": 0.05,
    "test_fraction": 0.3,
    "depth": 1,
    "learning_rate": 0.03,
    "optimizer": "adam",
    "batch_size": 0,
    "l2": 0.0,
    "seed": 0,
}


def _call(activation: str) -> str:
    extra = "" if activation == "relu" else f', activations="{activation}"'
    return f'actlab.widgets.playground("circles", depth=1{extra}, step_size=100)'


def _maker(activation: str) -> Any:
    def make() -> Any:
        from actlab import widgets

        return widgets.playground("circles", depth=1, activations=activation, step_size=100)

    return make


def _test_accuracy(settings: dict[str, Any], width: int) -> float:
    """Test accuracy after :data:`STEPS` steps (NaN if diverged); deterministic, so cached."""
    return _accuracy_of(tuple(sorted({**settings, "width": int(width)}.items())))


@cached
def _accuracy_of(items: tuple[tuple[str, Any], ...]) -> float:
    from actlab.widgets import train_playground

    result = train_playground(dict(items), STEPS)
    return float("nan") if result.diverged else float(result.test_accuracy)


def _typed_width(answer: Any) -> dict[str, Any]:
    width = typed_whole(answer, control="width", unit="units", widget="playground", low=1, high=16)
    return {"width": width}


def _shown(setting: Setting) -> str:
    """What the learner's playground shows, when it trained the same setting."""
    pg = setting.widget
    if setting.typed or not hasattr(pg, "steps_done"):
        return ""
    steps = pg.steps_done
    if steps == 0:
        return " (Your playground is untrained: press Step to see it.)"
    if steps != STEPS:
        return (
            f" (Your playground shows {steps} steps; the check always trains {STEPS}, from "
            "the initial weights: Reset, then Step until 300, to see the same numbers.)"
        )
    return f" (Your playground, after {steps} steps: test accuracy {pg.test_accuracy:.0%}.)"


def _checker(activation: str) -> Any:
    def check(setting: Setting) -> str:
        settings = {k: setting.values[k] for k in (*RECIPE, "activation_1")}
        width = int(setting.values["width"])
        accuracy = _test_accuracy(settings, width)
        shown = _shown(setting)
        if not accuracy > TARGET:
            raise Incorrect(
                f"With {width} {activation} unit(s), test accuracy after {STEPS} steps is "
                f"{accuracy:.1%}, not above {TARGET:.0%}: move the units per layer slider "
                "to the right." + shown
            )
        if width > 1:
            narrower = _test_accuracy(settings, width - 1)
            if narrower > TARGET:
                raise Incorrect(
                    f"With {width} units the test accuracy is {accuracy:.1%}, but {width - 1} "
                    f"already give {narrower:.1%}: move the units per layer slider to the left."
                    + shown
                )
            before = f"; with {width - 1}: {narrower:.1%}"
        else:
            before = ""
        message = (
            f"{width} {activation} units separate the circles: test accuracy {accuracy:.1%} "
            f"after {STEPS} steps{before}."
        )
        if activation != "relu":
            message += " " + _compare_with_relu(settings, width, activation)
        else:
            message += (
                " One hidden layer of ReLU units cuts the plane into convex pieces; the circle "
                "needs a few straight edges to enclose the inner class."
            )
        return message + shown

    return check


def _compare_with_relu(settings: dict[str, Any], width: int, activation: str) -> str:
    """Whether ReLU needs more, as many or fewer units than ``width`` (one or two trainings)."""
    relu = {**settings, "activation_1": "relu"}
    same = _test_accuracy(relu, width)
    if not same > TARGET:
        return (
            f"ReLU with {width} units reaches only {same:.1%}: {activation} needs fewer units "
            "here. Each ReLU unit adds one straight crease to the boundary; a few smooth "
            f"{activation} steps can already curve around the inner circle."
        )
    fewer = _test_accuracy(relu, width - 1) if width > 1 else float("nan")
    if fewer > TARGET:
        return f"ReLU gets there with fewer units ({width - 1} give {fewer:.1%})."
    return f"ReLU needs {width} units too: as many as {activation} here."


def _smallest_width(settings: dict[str, Any]) -> int:
    for width in range(1, 17):
        if _test_accuracy(settings, width) > TARGET:
            return width
    raise RuntimeError("no width separates the circles")  # pragma: no cover


def _solver(activation: str) -> Any:
    def solve(pg: Any) -> dict[str, Any]:
        settings = {**RECIPE, "activation_1": activation}
        return {**settings, "width": _smallest_width(settings)}

    return solve


def _reference(activation: str) -> Any:
    return lambda: _smallest_width({**RECIPE, "activation_1": activation})


def _question(qid: str, activation: str, prompt: str, hints: list[str], solution: str,
              extra_wrong: list[tuple[Any, str]]) -> SliderQuestion:
    make = _maker(activation)
    return SliderQuestion(
        qid=qid,
        prompt=prompt,
        checker=_checker(activation),
        hint_text=hints,
        solution_text=solution,
        solution_code=f"ex.{qid}.solution(apply=playground_{qid})",
        reference=_reference(activation),
        wrong_answers=[
            (make, "where the notebook put it"),
            (moved(make, width=1), "to the right"),
            (moved(make, width=12), "to the left"),
            (moved(make, width=12, depth=2), "keeps hidden layers at 1"),
            (lambda: 2.5, "whole number"),
            *extra_wrong,
        ],
        widget_class="Playground",
        widget_call=_call(activation),
        make_widget=make,
        controls=("width",),
        fixed={**RECIPE, "activation_1": activation},
        typed=_typed_width,
        solve=_solver(activation),
        show=_train_shown,
    )


def _train_shown(pg: Any) -> None:
    """After the solution moved the slider: train the budget, so the boundary shows it."""
    pg.reset()
    pg.step(STEPS)


def _softmax() -> Any:
    from actlab import widgets

    return widgets.softmax_explorer()


SLIDER_QUESTIONS = [
    _question(
        "q3",
        "relu",
        "With one hidden layer of ReLU units, find the smallest width at which the playground "
        f"separates the circles: test accuracy above {TARGET:.0%} after {STEPS} training steps "
        "(press Step three times: 100 steps each). Pass the playground (a typed width works "
        "too).",
        [
            "Change the width, press Reset, then Step three times (100 steps each) and read "
            "the test accuracy in the status line.",
            "One ReLU unit draws one straight crease; how many creases enclose a disc?",
        ],
        "The check trains every width for 300 steps from the seeded initial weights "
        "(train_playground) and looks for the first one above 95 %; the solution does the same "
        "search and sets the slider there.",
        [(lambda: _softmax(), "Playground")],
    ),
    _question(
        "q4",
        "tanh",
        "Now with tanh: find the smallest width of one hidden tanh layer that separates the "
        f"circles (test accuracy above {TARGET:.0%} after {STEPS} steps). Does tanh need more "
        "or fewer units than ReLU? The check tells you. Pass the playground.",
        [
            "Same procedure as q3, with the tanh playground below.",
            "Each tanh unit is a smooth step; its boundary can curve where two units overlap.",
        ],
        "The same search as q3 with tanh; the check compares the two smallest widths.",
        [
            (moved(_maker("tanh"), width=12, activation_1="relu"),
             "keeps layer 1 activation at tanh")
        ],
    ),
]
