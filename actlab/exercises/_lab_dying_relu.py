"""Slider exercises of notebook 08, answered with ``actlab.widgets.dying_relu_lab()``.

The questions are asked about the lab itself (a 6 x 32 MLP trained for 150
full-batch Adam steps on the two-moons data), because the lab must stay small
to answer a slider move in a fraction of a second; the notebook says so. A
hidden unit is dead when it gets no gradient from any training point (its
activation's derivative is 0 at every point; for ReLU: ``actlab.dead_units``,
output <= 0 everywhere). Each check recomputes the dead fractions
(``lab.measure``, i.e. ``DyingReluLab.no_gradient_fractions``) from the network
the lab trained for the setting, training the neighbouring slider position when
the learner has not visited it.

The lab's seed is the notebook's (``dying_relu_lab(seed=SEED)``): each check
judges the lab it is given, at that lab's seed, so every answer is recomputed
for the seed the learner's network was built with. A typed answer has no lab;
it is judged on a lab made with :func:`notebook_seed`, the seed the notebook
last passed to ``actlab.seed``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from actlab._seed import current_seed
from actlab.exercises import Incorrect, Setting, SliderQuestion
from actlab.exercises._sliders import moved, neighbour, positions

LAB_CALL = "actlab.widgets.dying_relu_lab(seed=SEED)"
RECIPE = {"depth": 6, "width": 32, "steps": 150}  # dying_relu_lab's defaults; any seed
HALF, FEW = 0.5, 0.05
MITIGATIONS = ("leaky_relu", "elu", "silu", "gelu", "tanh")  # the order q4's solution tries


def notebook_seed() -> int:
    """The notebook's ``SEED`` (what its Setup cell gave ``actlab.seed``); 42 before that.

    Used where an answer carries no lab of its own: typed answers and notebook
    08's q2, whose recipe is built with ``seed=SEED``.
    """
    return current_seed()


def make_lab(seed: int | None = None) -> Any:
    """The lab as notebook 08 makes it: ``dying_relu_lab(seed=SEED)``.

    Args:
        seed: The lab's seed; None: :func:`notebook_seed`.
    """
    from actlab import widgets

    return widgets.dying_relu_lab(seed=notebook_seed() if seed is None else int(seed))


def _lab_at_0() -> Any:
    """The lab at seed 0: the seed the fixed wrong answers below were measured at."""
    return make_lab(seed=0)


def _config(lab: Any) -> str | None:
    made = {name: getattr(lab, name) for name in RECIPE}
    if made != RECIPE:
        return (
            f"This lab was made with {made}; the questions are about the lab made by "
            f"`{LAB_CALL}` ({RECIPE})."
        )
    return None


def _lab(setting: Setting) -> Any:
    """The lab to judge: the learner's, or for a typed answer one at the notebook's seed."""
    lab = setting.widget
    if setting.typed and lab.seed != notebook_seed():
        lab = make_lab()  # the framework's cached template was made at another seed
    return lab


def _mean(dead: dict[str, float]) -> float:
    return float(np.mean(list(dead.values())))


def _number(what: str) -> Any:
    def typed(answer: Any) -> dict[str, Any]:
        if isinstance(answer, bool) or not isinstance(answer, int | float | np.number):
            raise Incorrect(
                f"Give the {what} as a number, or the lab itself. Received: {answer!r}."
            )
        if not math.isfinite(float(answer)):
            raise Incorrect(f"The {what} must be a finite number. Received: {answer!r}.")
        return {what: float(answer)}

    return typed


# --- q3: the smallest learning rate that kills more than half ----------------------------


def _relu_dead(lab: Any, lr: float) -> tuple[float, bool]:
    result = lab.measure("relu", lr, 0.0)
    return _mean(result["after"]), bool(result["diverged"])


def _check_rate(setting: Setting) -> str:
    lab = _lab(setting)
    lr = float(setting.values["learning_rate"])
    low, high = lab.controls["learning_rate"].min, lab.controls["learning_rate"].max
    if not 10**low * 0.999 <= lr <= 10**high * 1.001:
        raise Incorrect(
            f"The lab's learning rate goes from {10**low:g} to {10**high:.3g}. Received: {lr:g}."
        )
    dead, diverged = _relu_dead(lab, lr)
    if diverged:
        raise Incorrect(
            f"At learning rate {lr:.3g} training diverged (the loss is not finite): move the "
            "learning rate slider to the left."
        )
    if dead <= HALF:
        raise Incorrect(
            f"At learning rate {lr:.3g}, {dead:.0%} of the hidden ReLU units are dead after "
            "training, not more than half: move the learning rate slider to the right."
        )
    # every lower position, not only the next one: the share does not grow step by step
    lower = neighbour(lab.controls["learning_rate"], lr, -1)
    position, dead_lower = lower, None
    while position is not None:
        dead_here, diverged_here = _relu_dead(lab, position)
        dead_lower = dead_here if dead_lower is None else dead_lower
        if dead_here > HALF and not diverged_here:
            raise Incorrect(
                f"At {lr:.3g}, {dead:.0%} are dead, but already at {position:.3g} "
                f"{dead_here:.0%} are: move the learning rate slider to the left, to the first "
                "position past 50 %."
            )
        position = neighbour(lab.controls["learning_rate"], position, -1)
    before = "" if lower is None else f"; one slider step lower ({lower:.3g}) {dead_lower:.0%}"
    return (
        f"At learning rate {lr:.3g}, {dead:.0%} of the hidden ReLU units are dead (never fire, "
        f"so no gradient) after training{before}. Large Adam "
        "steps push a unit's weights and bias until w·x + b < 0 for every point: it outputs 0, "
        "gets no gradient, and stays dead."
    )


def _solve_rate(lab: Any) -> dict[str, Any]:
    for lr in positions(lab.controls["learning_rate"]):
        dead, diverged = _relu_dead(lab, lr)
        if dead > HALF and not diverged:
            return {"activation": "relu", "bias_init": 0.0, "learning_rate": lr}
    raise RuntimeError("no learning rate of the lab kills more than half")  # pragma: no cover


def _rate_reference() -> float:
    return float(_solve_rate(make_lab())["learning_rate"])


# --- q4: a mitigation at that learning rate ---------------------------------------------


def _check_mitigation(setting: Setting) -> str:
    lab = setting.widget
    activation = setting.values["activation"]
    lr = float(setting.values["learning_rate"])
    bias = float(setting.values["bias_init"])
    relu_dead, relu_diverged = _relu_dead(lab, lr)
    if relu_dead <= HALF or relu_diverged:
        raise Incorrect(
            f"At learning rate {lr:.3g} plain ReLU (bias 0) keeps {1 - relu_dead:.0%} of its "
            "units alive: lowering the rate is not the fix asked for. Move the learning rate "
            "back to where more than half die (your answer to q3) and change the activation "
            "or the bias init instead."
        )
    result = lab.measure(activation, lr, bias)
    dead = _mean(result["after"])
    if result["diverged"]:
        raise Incorrect(
            f"{activation} with bias init {bias:g} diverges at learning rate {lr:.3g}: try "
            "another activation or bias init."
        )
    if dead >= FEW:
        if activation == "relu":
            raise Incorrect(
                f"With relu and bias init {bias:g}, {dead:.1%} of the units are dead after "
                f"training (need < {FEW:.0%}). A bias init alone does not save ReLU from this "
                "learning rate: change the activation."
            )
        raise Incorrect(
            f"With {activation} and bias init {bias:g}, {dead:.1%} of the units are dead after "
            f"training (need < {FEW:.0%}): this learning rate pushed them so far that "
            f"{activation}'s derivative is 0 (in float32) at every training point, so they get "
            "no gradient. Try another activation, or move the bias init."
        )
    return (
        f"At learning rate {lr:.3g}: ReLU (bias 0) ends with {relu_dead:.0%} dead units, "
        f"{activation} with bias init {bias:g} with {dead:.1%}. An activation with a gradient "
        "for x < 0 keeps sending gradient to a unit that was pushed below zero, so it keeps "
        "learning and can come back."
    )


def _solve_mitigation(lab: Any) -> dict[str, Any]:
    lr = float(lab.controls["learning_rate"].value)
    dead, diverged = _relu_dead(lab, lr)
    if dead <= HALF or diverged:
        lr = _solve_rate(lab)["learning_rate"]
    biases = sorted(positions(lab.controls["bias_init"]), key=abs)
    for activation in MITIGATIONS:  # one network built per activation tried
        for bias in biases:
            result = lab.measure(activation, lr, bias)
            if not result["diverged"] and _mean(result["after"]) < FEW:
                return {"learning_rate": lr, "activation": activation, "bias_init": bias}
    raise RuntimeError("no activation / bias init keeps the lab under 5 %")  # pragma: no cover


def _mitigation_reference() -> Any:
    lab = make_lab()
    return lab.apply(**_solve_mitigation(lab))


def _lowered_rate() -> Any:
    lab = _lab_at_0()
    lr = _solve_rate(lab)["learning_rate"]
    lower = neighbour(lab.controls["learning_rate"], lr, -2)
    return lab.apply(learning_rate=lower, activation="tanh")


def _gelu_at_rate() -> Any:
    lab = _lab_at_0()
    return lab.apply(learning_rate=_solve_rate(lab)["learning_rate"], activation="gelu")


def _relu_with_bias() -> Any:
    lab = _lab_at_0()
    return lab.apply(learning_rate=_solve_rate(lab)["learning_rate"], bias_init=0.5)


# --- q5: the bias that kills half at initialisation --------------------------------------


def _dead_at_init(lab: Any, bias: float) -> float:
    lr = float(lab.controls["learning_rate"].value)
    return _mean(lab.measure("relu", lr, bias, trained=False)["before"])


def _check_bias(setting: Setting) -> str:
    lab = _lab(setting)
    bias = float(setting.values["bias_init"])
    dead = _dead_at_init(lab, bias)
    if dead <= HALF:
        raise Incorrect(
            f"With bias init {bias:g}, {dead:.0%} of the ReLU units are dead at initialisation "
            "(grey bars), not more than half: move the bias init slider to the left."
        )
    higher = neighbour(lab.controls["bias_init"], bias, +1)
    dead_higher = _dead_at_init(lab, higher) if higher is not None else math.nan
    if higher is not None and dead_higher > HALF:
        raise Incorrect(
            f"With bias init {bias:g}, {dead:.0%} are dead, but already at {higher:g} "
            f"{dead_higher:.0%} are: move the bias init slider to the right, to the largest "
            "bias that still kills more than half."
        )
    above = "" if higher is None else f"; at {higher:g} {dead_higher:.0%}"
    return (
        f"With bias init {bias:g}, {dead:.0%} of the hidden ReLU units output 0 for every "
        f"point before any training{above}. Deeper layers die "
        "first: each one shifts its inputs down further, until nothing is left above zero."
    )


def _solve_bias(lab: Any) -> dict[str, Any]:
    for bias in reversed(positions(lab.controls["bias_init"])):
        if _dead_at_init(lab, bias) > HALF:
            return {"activation": "relu", "bias_init": bias}
    raise RuntimeError("no bias init kills half the units")  # pragma: no cover


def _bias_reference() -> float:
    return float(_solve_bias(make_lab())["bias_init"])


SLIDER_QUESTIONS = [
    SliderQuestion(
        qid="q3",
        prompt=(
            "In the lab, find the smallest learning rate at which more than half of the hidden "
            "ReLU units (the mean the status line prints) are dead after training, with bias "
            "init 0. Pass the lab (a typed learning rate works too)."
        ),
        checker=_check_rate,
        hint_text=[
            "Move the learning rate slider right one step at a time (click it, then the arrow "
            "keys) and read the status line after each training.",
            "The answer is the first position where the after-training mean passes 50 %.",
        ],
        solution_text=(
            "The dead fraction grows with the learning rate, though not step by step (past "
            "50 % it can fall again one position higher): small Adam steps leave most units "
            "alive, large ones push many of them below zero. The solution searches the "
            "slider's positions from the left for the first one past 50 %; the check confirms "
            "that every position left of yours stays at or below 50 %."
        ),
        solution_code="ex.q3.solution(apply=lab_q3)",
        reference=_rate_reference,
        wrong_answers=[
            (make_lab, "where the notebook put it"),
            (moved(_lab_at_0, learning_rate=10**-2.5), "to the right"),
            (moved(_lab_at_0, learning_rate=10**-0.5), "to the left"),
            (
                moved(_lab_at_0, learning_rate=10**-0.5, activation="elu"),
                "keeps activation at relu",
            ),
            (lambda: -1.0, "goes from"),
            (lambda: "fast", "as a number"),
        ],
        widget_class="DyingReluLab",
        widget_call=LAB_CALL,
        make_widget=make_lab,
        controls=("learning_rate",),
        fixed={"activation": "relu", "bias_init": 0.0},
        config=_config,
        typed=_number("learning_rate"),
        solve=_solve_rate,
    ),
    SliderQuestion(
        qid="q4",
        prompt=(
            "Keep the learning rate of q3 (more than half of the ReLU units die there) and "
            "change the activation or the bias init so that fewer than 5 % of the hidden units "
            "are dead after training (no gradient at any training point). Pass the lab."
        ),
        checker=_check_mitigation,
        hint_text=[
            "Which activations still have a gradient where their input is negative?",
            "Try the activation dropdown first, bias init 0; then move the bias.",
        ],
        solution_text=(
            "An activation with a non-zero gradient for x < 0 lets units that were pushed "
            "below zero recover; a bias init alone does not stop ReLU units from dying at this "
            "learning rate. The solution tries the other activations (leaky_relu first) and the "
            "bias inits nearest 0, at the learning rate of q3, until fewer than 5 % of the units "
            "get no gradient at any training point; the check prints the numbers."
        ),
        solution_code="ex.q4.solution(apply=lab_q3)",
        reference=_mitigation_reference,
        wrong_answers=[
            (make_lab, "where the notebook put it"),
            (_lowered_rate, "lowering the rate is not the fix"),
            (_relu_with_bias, "bias init alone does not save ReLU"),
            (_gelu_at_rate, "derivative is 0"),
            (lambda: 0.01, "Pass the widget itself"),
        ],
        widget_class="DyingReluLab",
        widget_call=LAB_CALL,
        make_widget=make_lab,
        controls=("activation", "bias_init"),
        config=_config,
        solve=_solve_mitigation,
    ),
    SliderQuestion(
        qid="q5",
        prompt=(
            "In a fresh lab with ReLU, find the largest bias init (the one closest to 0) at which "
            "more than half of the hidden units are dead already at initialisation, before any "
            "training (grey bars; the status line prints the mean). Pass the lab."
        ),
        checker=_check_bias,
        hint_text=[
            "Move the bias init slider left from 0, one step at a time.",
            "Read 'at initialisation' in the status line: the first position past 50 % is it.",
        ],
        solution_text=(
            "A negative bias shifts every unit's input down: w·x + b < 0 for every point means "
            "the unit is dead before training starts. Each layer passes fewer positive values "
            "on, so deeper layers die first."
        ),
        solution_code="ex.q5.solution(apply=lab_q5)",
        reference=_bias_reference,
        wrong_answers=[
            (make_lab, "where the notebook put it"),
            (moved(_lab_at_0, bias_init=-0.25 + 0.5), "to the left"),
            (moved(_lab_at_0, bias_init=-2.0), "to the right"),
            (moved(_lab_at_0, bias_init=-2.0, activation="tanh"), "keeps activation at relu"),
            (lambda: "low", "as a number"),
        ],
        widget_class="DyingReluLab",
        widget_call=LAB_CALL,
        make_widget=make_lab,
        controls=("bias_init",),
        fixed={"activation": "relu"},
        config=_config,
        typed=_number("bias_init"),
        solve=_solve_bias,
    ),
]
