"""Slider exercises of notebook 02, answered with ``actlab.widgets.playground(...)``.

The check re-trains the learner's setting for a fixed budget of steps with
:func:`actlab.widgets.train_playground` (the playground's own NumPy training,
the same weights bit for bit as pressing Step), so it does not depend on how
long the learner let the playground run; it also quotes what the learner's
playground shows.
"""

from __future__ import annotations

from typing import Any

from actlab._seed import current_seed
from actlab.exercises import Incorrect, Setting, SliderQuestion
from actlab.exercises._answers import typed_whole
from actlab.exercises._sliders import cached, moved

STEPS = 300
TARGET = 0.95
DEFAULT_SEED = 42
"""The course's committed SEED: what the checks use before ``actlab.seed`` ran."""
RECIPE = {  # the playground's defaults the questions keep (the seed is the widget's own)
    "dataset": "circles",
    "noise": 0.05,
    "test_fraction": 0.3,
    "depth": 1,
    "learning_rate": 0.03,
    "optimizer": "adam",
    "batch_size": 0,
    "l2": 0.0,
}


_DEAD = "0 at every training point and every point of the grid drawn"
"""What "dead" means here (``_playground_core.dead_units``)."""


def notebook_seed() -> int:
    """The notebook's ``SEED`` (what its Setup cell gave ``actlab.seed``); 42 before that."""
    return current_seed(DEFAULT_SEED)


def _call(activation: str) -> str:
    extra = "" if activation == "relu" else f', activations="{activation}"'
    return (f'actlab.widgets.playground("circles", depth=1, width=1{extra}, step_size=100, '
            "seed=SEED)")


def _maker(activation: str) -> Any:
    def make() -> Any:
        from actlab import widgets

        # width 1 is never the answer (one unit: a straight boundary), so the untouched
        # playground is "not attempted" at any seed, and the answer is always a move
        return widgets.playground("circles", depth=1, width=1, activations=activation,
                                  step_size=100, seed=notebook_seed())

    return make


def _outcome(settings: dict[str, Any], width: int) -> tuple[float, int]:
    """(test accuracy, dead units) after :data:`STEPS` steps; NaN, 0 if diverged. Cached."""
    return _outcome_of(tuple(sorted({**settings, "width": int(width)}.items())))


def _test_accuracy(settings: dict[str, Any], width: int) -> float:
    """Test accuracy after :data:`STEPS` steps (NaN if diverged); deterministic, so cached."""
    return _outcome(settings, width)[0]


@cached
def _outcome_of(items: tuple[tuple[str, Any], ...]) -> tuple[float, int]:
    from actlab.widgets import train_playground

    result = train_playground(dict(items), STEPS)
    if result.diverged:
        return float("nan"), 0
    return float(result.test_accuracy), len(result.dead_units[0])


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
    dead = sum(map(len, getattr(pg, "dead_units", []) or []))
    return (
        f" (Your playground, after {steps} steps: test accuracy {pg.test_accuracy:.0%}, "
        f"{dead} dead unit(s).)"
    )


def _settings_of(setting: Setting) -> dict[str, Any]:
    """The setting to train: the question's recipe, the learner's seed, width and activation.

    A widget is judged at its own seed (the notebook makes it with ``seed=SEED``); a
    typed answer at the notebook's SEED.
    """
    seed = notebook_seed() if setting.typed else int(setting.values["seed"])
    return {**{k: setting.values[k] for k in (*RECIPE, "activation_1")}, "seed": seed}


def _dead_note(width: int, dead: int) -> str:
    """What the dead units of a one-layer ReLU setting leave to draw the boundary."""
    live = width - dead
    if dead == 0:
        lead = f"None of the {width} ReLU units is dead after {STEPS} steps, so all {width} draw"
    else:
        lead = (
            f"After {STEPS} steps {dead} of the {width} ReLU units {'is' if dead == 1 else 'are'} "
            f"dead ({_DEAD}), so "
            f"{live} live unit{'' if live == 1 else 's'} draw"
        )
    return (
        f"{lead} the boundary, one straight crease each; it takes at least three straight "
        "edges to enclose the inner disc."
    )


def _checker(activation: str) -> Any:
    def check(setting: Setting) -> str:
        settings = _settings_of(setting)
        width = int(setting.values["width"])
        accuracy, dead = _outcome(settings, width)
        shown = _shown(setting)
        dead_text = (
            f" {dead} of them {'is' if dead == 1 else 'are'} dead after {STEPS} steps "
            f"({_DEAD})."
            if activation == "relu" and dead else ""
        )
        smallest = _smallest_width(settings)
        if not accuracy > TARGET and width < smallest:
            raise Incorrect(
                f"With {width} {activation} unit(s), test accuracy after {STEPS} steps is "
                f"{accuracy:.1%}, not above {TARGET:.0%}: move the units per layer slider "
                "to the right." + dead_text + shown
            )
        if not accuracy > TARGET:  # wider than the answer, yet failing: not monotone in width
            raise Incorrect(
                f"With {width} {activation} unit(s), test accuracy after {STEPS} steps is "
                f"{accuracy:.1%}, not above {TARGET:.0%}, but {smallest} already give "
                f"{_test_accuracy(settings, smallest):.1%}: move the units per layer slider to "
                f"the left (more units do not always do better after {STEPS} steps)."
                + dead_text + shown
            )
        if smallest < width:
            fewer = _test_accuracy(settings, smallest)
            raise Incorrect(
                f"With {width} units the test accuracy is {accuracy:.1%}, but {smallest} "
                f"already give {fewer:.1%}: move the units per layer slider to the left."
                + shown
            )
        before = f"; with {width - 1}: {_test_accuracy(settings, width - 1):.1%}" if width > 1 \
            else ""
        message = (
            f"{width} {activation} units separate the circles: test accuracy {accuracy:.1%} "
            f"after {STEPS} steps{before}."
        )
        if activation == "relu":
            message += " " + _dead_note(width, dead)
        else:
            message += " " + _compare_with_relu(settings, width, activation)
        return message + shown

    return check


def _compare_with_relu(settings: dict[str, Any], width: int, activation: str) -> str:
    """ReLU's smallest width at the same seed, its dead units, and how it compares."""
    relu = {**settings, "activation_1": "relu"}
    need = _smallest_width(relu)
    dead = _outcome(relu, need)[1]
    if need > width:
        verdict = f"{activation} needs fewer units than ReLU at this seed"
    elif need == width:
        verdict = f"{activation} needs as many units as ReLU at this seed"
    else:
        verdict = f"{activation} needs more units than ReLU at this seed"
    dead_text = (
        f"{dead} of them dead after {STEPS} steps, so {need - dead} live" if dead
        else "none of them dead"
    )
    return (
        f"ReLU needs {need} units here ({dead_text}); {verdict}. No {activation} unit dies: "
        f"{activation}(z) is 0 only on the line z = 0, never over a region."
    )


def _smallest_width(settings: dict[str, Any]) -> int:
    for width in range(1, 17):
        if _test_accuracy(settings, width) > TARGET:
            return width
    raise RuntimeError("no width separates the circles")  # pragma: no cover


def _solver(activation: str) -> Any:
    def solve(pg: Any) -> dict[str, Any]:
        settings = {**RECIPE, "activation_1": activation, "seed": int(pg.settings()["seed"])}
        return {**settings, "width": _smallest_width(settings)}

    return solve


def _reference(activation: str) -> Any:
    return lambda: _smallest_width({**RECIPE, "activation_1": activation,
                                    "seed": notebook_seed()})


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
            (moved(make, width=2), "to the right"),
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
            "One live ReLU unit draws one straight crease; how many creases enclose a disc? "
            f"A dead unit ({_DEAD}) draws none: the status line counts them.",
        ],
        "The check trains every width for 300 steps from the seeded initial weights "
        "(train_playground, at your playground's seed) and looks for the first one above 95 %; "
        "the solution does the same search and sets the slider there. How many units that "
        "takes depends on the seed, because some ReLU units die, and because 300 steps do not "
        "always place the live creases around the disc (so a wider layer can even do worse); "
        "the check says how many of yours died.",
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
        "The same search as q3 with tanh; the check compares the two smallest widths at "
        "your playground's seed and counts the ReLU units that die.",
        [
            (moved(_maker("tanh"), width=12, activation_1="relu"),
             "keeps layer 1 activation at tanh")
        ],
    ),
]
