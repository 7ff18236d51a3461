"""Slider exercises of notebook 09, answered with ``actlab.widgets.gradient_flow_lab()``.

The questions are asked about the lab itself (a 32-unit MLP for the spirals
data at initialisation, gradient norms on 256 points), which answers a slider
move in milliseconds; the notebook says so. Each check recomputes the norms of
the learner's setting (``lab.measure``: NumPy backprop on the lab's seeded
kernels, equal to ``actlab.gradient_norms`` on the lab's Keras model).

The notebook makes its labs with ``seed=SEED``; a lab of any seed is accepted
and judged on its own kernels and data (q3's answer depends on the seed: the
smallest depth was 4 to 6 over lab seeds 0-39). A typed answer has no lab, so it
is judged on the lab made with the notebook's ``SEED`` (the seed its Setup cell gave
``actlab.seed``), and the feedback says so.
"""

from __future__ import annotations

from typing import Any

from actlab._seed import current_seed
from actlab.exercises import Incorrect, Setting, SliderQuestion
from actlab.exercises._answers import typed_whole
from actlab.exercises._sliders import moved, positions

LAB_CALL = "actlab.widgets.gradient_flow_lab(seed=SEED)"
RELU_CALL = 'actlab.widgets.gradient_flow_lab(activation="relu", depth=20, seed=SEED)'
RECIPE = {"width": 32}  # gradient_flow_lab's default; any seed (the notebook passes SEED)
RATIO = 1000.0
FLOOR = 1e-3
RELU_DEPTH = 20


def make_lab(seed: int | None = None) -> Any:
    """The lab of q3 as notebook 09 makes it; ``seed=None`` is the notebook's SEED."""
    from actlab import widgets

    return widgets.gradient_flow_lab(seed=current_seed() if seed is None else int(seed))


def make_relu_lab(seed: int | None = None) -> Any:
    """The lab of q4 as notebook 09 makes it; ``seed=None`` is the notebook's SEED."""
    from actlab import widgets

    return widgets.gradient_flow_lab(activation="relu", depth=RELU_DEPTH,
                                     seed=current_seed() if seed is None else int(seed))


def _config(call: str) -> Any:
    def config(lab: Any) -> str | None:
        made = {name: getattr(lab, name) for name in RECIPE}
        if made != RECIPE:
            return (
                f"This lab was made with {made}; the question is about the lab made by "
                f"`{call}` ({RECIPE})."
            )
        return None

    return config


# --- q3: the depth at which sigmoid's first layer gets 1000x less ------------------------


def _typed_note(setting: Setting) -> str:
    if not setting.typed:
        return ""
    return (
        f" (A typed depth is judged on the lab made with seed=SEED = {current_seed()}; pass "
        "your own lab, "
        "ex.q3.check(lab_q3), to have that one judged.)"
    )


def _ratio(lab: Any, depth: int) -> float:
    """Last (output) layer's gradient norm / first hidden layer's, sigmoid + Glorot."""
    norms = list(lab.measure("sigmoid", depth, "glorot_uniform").values())
    return norms[-1] / norms[0]


def _typed_depth(answer: Any) -> dict[str, Any]:
    depth = typed_whole(answer, control="depth", unit="hidden layers", widget="lab", low=2, high=30)
    return {"depth": depth}


def _check_depth(setting: Setting) -> str:
    lab = setting.widget
    depth = int(setting.values["depth"])
    ratio = _ratio(lab, depth)
    if ratio < RATIO:
        raise Incorrect(
            f"At depth {depth} the first layer's gradient is {ratio:.3g}x smaller than the last "
            f"layer's, not {RATIO:g}x: move the hidden layers slider to the right."
            + _typed_note(setting)
        )
    shallower = [d for d in range(depth - 1, 1, -1) if _ratio(lab, d) >= RATIO]
    if shallower:
        raise Incorrect(
            f"At depth {depth} the ratio is {ratio:.3g}x, but a shallower network already "
            f"reaches {RATIO:g}x: move the hidden layers slider to the left."
            + _typed_note(setting)
        )
    below = _ratio(lab, depth - 1) if depth > 2 else float("nan")
    return (
        f"At depth {depth} sigmoid's first-layer gradient is {ratio:.3g}x smaller than the "
        f"output layer's (at depth {depth - 1}: {below:.3g}x). Each sigmoid layer multiplies the "
        "backward signal by its derivative, at most 0.25, so the first layers learn slowest."
        + _typed_note(setting)
    )


def _solve_depth(lab: Any) -> dict[str, Any]:
    control = lab.controls["depth"]
    for depth in range(control.min, control.max + 1):
        if _ratio(lab, depth) >= RATIO:
            return {"activation": "sigmoid", "init": "glorot_uniform", "depth": depth}
    raise RuntimeError("no depth reaches the ratio")  # pragma: no cover


def _depth_reference() -> int:
    return int(_solve_depth(make_lab())["depth"])


# --- q4: the initialiser that keeps ReLU's gradients at depth 20 -------------------------


def _smallest(lab: Any, init: str) -> tuple[float, str]:
    norms = lab.measure("relu", RELU_DEPTH, init)
    layer = min(norms, key=norms.get)
    return norms[layer], layer


def _typed_init(answer: Any) -> dict[str, Any]:
    if not isinstance(answer, str):
        raise Incorrect(
            f"Give the initialiser's name as a string, or the lab itself. Received: {answer!r}."
        )
    return {"init": answer}


def _check_init(setting: Setting) -> str:
    lab = setting.widget
    init = setting.values["init"]
    inits = positions(lab.controls["init"])
    if init not in inits:
        raise Incorrect(
            f"Give one of the lab's initialisers ({', '.join(inits)}). Received: {init!r}."
        )
    smallest, layer = _smallest(lab, init)
    if smallest < FLOOR:
        raise Incorrect(
            f"With {init} the smallest gradient norm at depth {RELU_DEPTH} is {smallest:.1e} "
            f"({layer}), below {FLOOR:g}: ReLU passes the gradient through only about half of "
            "the units (its derivative is 0 for the others), and these weights do not make up "
            "for it. Pick an initialiser with a larger variance."
        )
    norms = list(lab.measure("relu", RELU_DEPTH, init).values())
    glorot = list(lab.measure("relu", RELU_DEPTH, "glorot_uniform").values())
    return (
        f"With {init} every layer's gradient norm at depth {RELU_DEPTH} is at least "
        f"{smallest:.1e} ({layer}); with glorot_uniform the smallest is {min(glorot):.1e} "
        f"(this lab, seed={lab.seed}). He initialisation gives the weights variance "
        "2 / fan_in, twice Glorot's for a square layer, which makes up for ReLU halving the "
        "second moment E[relu(z)^2] = Var(z) / 2, so the scale stays the same *on average* "
        f"(He et al., 2015). One network of {lab.width} units still drifts: here its largest "
        f"gradient norm is {max(norms) / smallest:.3g}x its smallest (over lab seeds 0-39 that "
        "spread ranged from 3.5x to 32x, while the smallest norm stayed at or above 1e-02; "
        "Glorot's stayed below 1.1e-04)."
    )


def _solve_init(lab: Any) -> dict[str, Any]:
    for init in positions(lab.controls["init"]):
        if _smallest(lab, init)[0] >= FLOOR:
            return {"activation": "relu", "depth": RELU_DEPTH, "init": init}
    raise RuntimeError("no initialiser keeps the gradients above the floor")  # pragma: no cover


def _init_reference() -> str:
    return str(_solve_init(make_relu_lab())["init"])


SLIDER_QUESTIONS = [
    SliderQuestion(
        qid="q3",
        prompt=(
            "In the lab (sigmoid, glorot_uniform), find the smallest depth at which the first "
            "layer's gradient norm is at least 1000x smaller than the last layer's (the ratio "
            "first/last in the plot's title is 1e-3 or less). Pass the lab (a typed depth works "
            "too)."
        ),
        checker=_check_depth,
        hint_text=[
            "Move the hidden layers slider one step at a time and read first/last in the title.",
            "1000x smaller means first/last <= 1e-03; the ratio is not monotonic for tiny depths.",
        ],
        solution_text=(
            "Each sigmoid layer multiplies the backward signal by sigmoid' <= 0.25 (and by the "
            "weights), so the first layer's gradient shrinks roughly geometrically with depth. "
            "The solution steps the depth up from 2 until the ratio passes 1000."
        ),
        solution_code="ex.q3.solution(apply=lab_q3)",
        reference=_depth_reference,
        wrong_answers=[
            (make_lab, "where the notebook put it"),
            (moved(make_lab, depth=3), "to the right"),
            (moved(make_lab, depth=25), "to the left"),
            (moved(make_lab, depth=4, init="random_normal"), "keeps kernel init at glorot_uniform"),
            (lambda: 4.5, "whole number"),
            (lambda: 99, "goes from 2 to 30"),
        ],
        widget_class="GradientFlowLab",
        widget_call=LAB_CALL,
        make_widget=make_lab,
        controls=("depth",),
        fixed={"activation": "sigmoid", "init": "glorot_uniform"},
        config=_config(LAB_CALL),
        typed=_typed_depth,
        solve=_solve_depth,
    ),
    SliderQuestion(
        qid="q4",
        prompt=(
            f"In a lab with relu and {RELU_DEPTH} hidden layers, pick the kernel initialiser that "
            f"keeps every layer's gradient norm at or above {FLOOR:g}. Pass the lab (a typed "
            "initialiser name works too)."
        ),
        checker=_check_init,
        hint_text=[
            "Try each entry of the kernel init dropdown and watch the lowest point of the line.",
            "ReLU keeps half of its input's second moment: E[relu(z)^2] = Var(z) / 2 for "
            "zero-mean symmetric z (its variance is smaller still, about 0.34 Var(z)). Which "
            "initialiser doubles the weights' variance to make up for it?",
        ],
        solution_text=(
            "He initialisation (he_normal): variance 2 / fan_in keeps the forward and backward "
            "signal at the same scale on average through ReLU layers (He et al., 2015); "
            "Glorot's smaller weights lose a factor of about 2 in the second moment per layer. "
            "At 32 units one network still drifts by a few x over 20 layers."
        ),
        solution_code="ex.q4.solution(apply=lab_q4)",
        reference=_init_reference,
        wrong_answers=[
            (make_relu_lab, "where the notebook put it"),
            (moved(make_relu_lab, init="lecun_normal"), "Pick an initialiser with a larger"),
            (moved(make_relu_lab, init="random_normal"), "below 0.001"),
            (moved(make_relu_lab, activation="tanh"), "keeps activation at relu"),
            (moved(make_relu_lab, init="he_normal", depth=10), "keeps hidden layers at 20"),
            (lambda: "he", "one of the lab's initialisers"),
        ],
        widget_class="GradientFlowLab",
        widget_call=RELU_CALL,
        make_widget=make_relu_lab,
        controls=("init",),
        fixed={"activation": "relu", "depth": RELU_DEPTH},
        config=_config(RELU_CALL),
        typed=_typed_init,
        solve=_solve_init,
    ),
]
