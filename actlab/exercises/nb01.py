"""Exercises for 01_activation_gallery.

q2, q4 and q5 are slider exercises: the learner moves a slider of an explorer
and passes the explorer; the check recomputes the criterion for the slider's
value (``explorer.measure``) and says which way to move it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question, Setting, SliderQuestion
from actlab.exercises._sliders import moved

LOGITS = np.array([2.0, 1.0, 0.1])
_P_TOP = 0.5


# --- q1: the gallery ---------------------------------------------------------------
GALLERY_X = np.linspace(-8, 8, 401, dtype="float32")  # past 6, where relu6 leaves relu


def _gallery_reference() -> Any:
    from matplotlib import pyplot as plt

    from actlab import catalog, plotting

    names = catalog.names()
    fig, axes = plt.subplots(3, 5, figsize=(15, 8))
    for name, ax in zip(names, axes.ravel(), strict=True):
        plotting.plot_activations(name, x=GALLERY_X, ax=ax, derivatives=False)
    plt.close(fig)
    return fig


def _lines_in(fig: Any) -> list[tuple[Any, str, np.ndarray, np.ndarray]]:
    """Every curve of the figure: (its Axes, its label, x, y): ax.plot lines, ax.scatter points."""
    found = []
    for ax in fig.axes:
        curves = [(line, line.get_xdata(), line.get_ydata()) for line in ax.lines]
        for coll in ax.collections:  # ax.scatter: the points' offsets, in x order
            xy = np.asarray(coll.get_offsets(), "float32")
            if xy.ndim == 2 and xy.shape[1] == 2:
                xy = xy[np.argsort(xy[:, 0], kind="stable")]
                curves.append((coll, xy[:, 0], xy[:, 1]))
        for artist, xs, ys in curves:
            x = np.asarray(xs, "float32")
            y = np.asarray(ys, "float32")
            if x.ndim == 1 and x.shape == y.shape and x.size >= 5 and np.ptp(x) > 0:
                found.append((ax, str(artist.get_label()), x, y))
    return found


def _matches(name: str, x: np.ndarray, y: np.ndarray, cache: dict[Any, np.ndarray]) -> bool:
    from actlab import catalog

    key = (name, x.tobytes())
    if key not in cache:
        cache[key] = np.asarray(catalog.get(name)(x), "float32")
    return bool(np.allclose(y, cache[key], atol=1e-4))


def _check_gallery(fig: Any) -> str:
    """Curves are recognised by their data, not by their labels.

    A curve counts for an activation only if it matches that one alone: on x <= 6 relu and
    relu6 agree, so a relu6 panel must reach past x = 6 to show it is not relu.
    """
    from matplotlib.figure import Figure

    from actlab import catalog

    if not isinstance(fig, Figure):
        raise Incorrect(f"Give the matplotlib Figure (e.g. `fig, axes = plt.subplots(...)`, "
                        f"then `answer_q1 = fig`). Received: {type(fig).__name__}.")
    lines, cache = _lines_in(fig), {}
    matched = [{n for n in catalog.names() if _matches(n, x, y, cache)} for _, _, x, y in lines]
    panels_of = {name: {id(ax) for (ax, _, _, _), m in zip(lines, matched, strict=True)
                        if m == {name}}
                 for name in catalog.names()}
    missing = [n for n, panels in panels_of.items() if not panels]
    mislabelled = [n for n in missing if any(label == n and n not in m for (_, label, _, _), m
                                             in zip(lines, matched, strict=True))]
    if mislabelled:
        name = mislabelled[0]
        raise Incorrect(f"The curve labelled {name!r} is not {name}(x). Plot it with "
                        f"plot_activations({name!r}, ax=ax) or "
                        f"ax.plot(x, catalog.get({name!r})(x)).")
    unmatched = [n for n in missing if not any(n in m for m in matched)]
    if unmatched:
        raise Incorrect(f"No curve in your figure has the values of: {', '.join(unmatched)}. "
                        "Loop over actlab.catalog.names() and plot each one.")
    alike = [m for m in matched if len(m) > 1 and m & set(missing)]
    if alike:
        names = " and ".join(sorted(alike[0]))
        why = " (relu6 caps at 6: up to x = 6 it is relu)" if "relu6" in alike[0] else ""
        raise Incorrect(f"One of your curves fits both {names}: they agree on its x range{why}, "
                        "so the figure cannot show which is which. Draw over an x range past 6, "
                        "e.g. x = np.linspace(-8, 8, 401).")
    # (every missing name is unmatched or shares a curve with another: both raised above)
    used = set().union(*panels_of.values())
    if len(used) < len(panels_of):
        raise Incorrect(f"Side by side means one panel each: your {len(panels_of)} curves "
                        f"share {len(used)} panel(s). Use plt.subplots(3, 5) and one ax per name.")
    return f"All {len(panels_of)} activations, one panel each."


def _three_only() -> Any:
    from matplotlib import pyplot as plt

    from actlab import plotting

    fig, axes = plt.subplots(1, 3)
    for name, ax in zip(["relu", "sigmoid", "tanh"], axes, strict=True):
        plotting.plot_activations(name, ax=ax, derivatives=False)
    plt.close(fig)
    return fig


def _mislabelled() -> Any:
    """The reference grid, with the ELU panel's curve replaced by ReLU under ELU's label."""
    from actlab import catalog

    fig = _gallery_reference()
    for ax in fig.axes:
        for line in ax.lines:
            if line.get_label() == "elu":
                x = np.asarray(line.get_xdata(), "float32")
                line.set_ydata(catalog.get("relu")(x))
    return fig


def _relu_in_relu6_panel() -> Any:
    """A grid over [-6, 6] whose relu6 panel draws relu (the two agree up to x = 6)."""
    from matplotlib import pyplot as plt

    from actlab import catalog

    x = np.linspace(-6, 6, 121, dtype="float32")
    fig, axes = plt.subplots(3, 5)
    for name, ax in zip(catalog.names(), axes.ravel(), strict=True):
        ax.plot(x, catalog.get("relu" if name == "relu6" else name)(x))
    plt.close(fig)
    return fig


def _all_in_one() -> Any:
    from actlab import catalog, plotting

    return plotting.plot_activations(catalog.names(), x=GALLERY_X, derivatives=False)


# --- q2: temperature (slider) -------------------------------------------------------
TEMPERATURE_CALL = "actlab.widgets.softmax_explorer(logits=(2.0, 1.0, 0.1))"


def _softmax_explorer() -> Any:
    from actlab import widgets

    return widgets.softmax_explorer(logits=tuple(LOGITS))


def _temperature_config(explorer: Any) -> str | None:
    logits = np.asarray(explorer.logits, dtype="float64")
    if logits.shape != LOGITS.shape or not np.allclose(logits, LOGITS):
        return (
            f"This explorer shows the logits {tuple(float(v) for v in explorer.logits)}; q2 is "
            f"about (2.0, 1.0, 0.1): make it with `{TEMPERATURE_CALL}`."
        )
    return None


def _typed_temperature(answer: Any) -> dict[str, Any]:
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.number):
        raise Incorrect(
            f"Give one number, the temperature T, or the explorer itself. Received: {answer!r}."
        )
    t = float(answer)
    if not np.isfinite(t) or t <= 0:
        raise Incorrect(f"T must be a positive number (softmax(z / T)). Received: {t}.")
    return {"temperature": t}


def _check_temperature(setting: Setting) -> str:
    """Top probability < 0.5 at T, and >= 0.5 one slider step lower (recomputed)."""
    explorer = setting.widget
    control = explorer.controls["temperature"]
    t = float(setting.values["temperature"])
    p = float(explorer.measure(t).max())
    lower = t / control.base**control.step
    p_lower = float(explorer.measure(lower).max())
    if p >= _P_TOP:
        raise Incorrect(
            f"At T = {t:.3g} the top class still has p = {p:.3f} >= {_P_TOP}: move the "
            "temperature slider to the right (raise T) to flatten the distribution."
        )
    if p_lower < _P_TOP:
        raise Incorrect(
            f"At T = {t:.3g} the top class has p = {p:.3f}, below {_P_TOP}, but it is already "
            f"below at T = {lower:.3g} (p = {p_lower:.3f}): move the slider to the left, to the "
            "first position where p drops below 0.5."
        )
    return (
        f"At T = {t:.3g} the top class has p = {p:.3f}; one slider step lower (T = {lower:.3g}) "
        f"it had p = {p_lower:.3f}. Raising T flattens softmax towards uniform (1/3 each)."
    )


def _solve_temperature(explorer: Any) -> dict[str, Any]:
    from actlab.exercises._sliders import positions

    for t in positions(explorer.controls["temperature"]):
        if explorer.measure(t).max() < _P_TOP:
            return {"temperature": t}
    raise RuntimeError("no slider position brings the top class below 0.5")  # pragma: no cover


def _temperature_reference() -> float:
    return float(_solve_temperature(_softmax_explorer())["temperature"])


# --- q3: zero-centred ---------------------------------------------------------------
def _zero_centred() -> set[str]:
    from actlab import catalog

    return {name for name, rec in catalog.ACTIVATIONS.items() if rec.zero_centred}


def _check_zero_centred(answer: Any) -> str:
    from actlab import catalog

    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise Incorrect(f"Give a set (or list) of names, like {{'tanh', ...}}. "
                        f"Received: {answer!r}.")
    try:
        given = {catalog.get(str(getattr(n, "__name__", n))).name for n in answer}  # names or fns
    except ValueError as exc:
        raise Incorrect(str(exc)) from None
    truth = _zero_centred()
    extra = sorted(given - truth)
    if extra:
        name = extra[0]
        low = catalog.get(name).output_range[0]
        why = ("its outputs are never negative" if low >= 0 else
               "its negative side is small, so the mean output for N(0, 1) inputs is positive")
        raise Incorrect(f"{name} is not zero-centred: {why}. Check the table's column.")
    missing = sorted(truth - given)
    if missing:
        raise Incorrect(f"You missed {len(missing)}: {', '.join(missing)}. "
                        "Check every row of the properties table.")
    return "These have mean output 0 for standard-normal inputs."


# --- q4: Leaky ReLU's slope meets ELU's derivative (slider) ---------------------------
LEAKY_CALL = 'actlab.widgets.activation_explorer(["leaky_relu", "elu"])'
CROSS_AT, CROSS_TOL = -1.0, 0.05
_LEFT = np.linspace(-5.0, -0.01, 4000)


def _leaky_explorer() -> Any:
    from actlab import widgets

    return widgets.activation_explorer(["leaky_relu", "elu"])


def _other_explorer() -> Any:
    from actlab import widgets

    return widgets.softmax_explorer(logits=(1.0, 0.0))


def _needs(*names: str) -> Any:
    def config(explorer: Any) -> str | None:
        missing = [n for n in names if n not in explorer.controls["activations"].value]
        if missing:
            return (
                f"Select {' and '.join(names)} in the explorer's list (ctrl-click to add): "
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not shown, "
                "so the slider you need is disabled."
            )
        return None

    return config


def _crossing(explorer: Any, slope: float) -> float | None:
    """Where Leaky ReLU's derivative (``slope``) meets ELU's (alpha = 1) for x < 0, or None."""
    _, d_leaky = explorer.measure("leaky_relu", _LEFT, negative_slope=slope)
    _, d_elu = explorer.measure("elu", _LEFT, alpha=1.0)
    above = d_elu > d_leaky
    if above.all() or not above.any():
        return None
    return float(_LEFT[int(np.argmax(above))])  # first x where ELU's derivative is larger


def _check_leaky(setting: Setting) -> str:
    slope = float(setting.values["negative_slope"])
    x = _crossing(setting.widget, slope)
    if x is None and 0 < slope < 1:
        raise Incorrect(
            f"With negative_slope = {slope:.3g} ELU's derivative exp(x) equals it only at "
            f"x = ln({slope:.3g}) = {np.log(slope):.2f}, left of the x range the check reads "
            f"([{_LEFT[0]:g}, 0)) and far from x = {CROSS_AT:g}: move negative_slope to the "
            "right (a larger slope)."
        )
    if x is None:
        raise Incorrect(
            f"With negative_slope = {slope:.3g} the two derivative lines do not cross for x < 0 "
            "(ELU's runs from 0 up to 1): move negative_slope into (0, 1)."
        )
    if x < CROSS_AT - CROSS_TOL:
        raise Incorrect(
            f"With negative_slope = {slope:.2f} the lines cross at x = {x:.2f}, left of "
            f"x = {CROSS_AT:g}: move negative_slope to the right (a larger slope)."
        )
    if x > CROSS_AT + CROSS_TOL:
        raise Incorrect(
            f"With negative_slope = {slope:.2f} the lines cross at x = {x:.2f}, right of "
            f"x = {CROSS_AT:g}: move negative_slope to the left (a smaller slope)."
        )
    return (
        f"With negative_slope = {slope:.2f} the derivatives meet at x = {x:.2f}: Leaky ReLU's "
        f"is the constant {slope:.2f}, ELU's is exp(x), and exp(-1) = {np.exp(-1):.3f}. Left of "
        "that point ELU's gradient is the smaller one; it fades to 0, Leaky ReLU's never does."
    )


def _typed_slope(answer: Any) -> dict[str, Any]:
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.number):
        raise Incorrect(
            f"Give the negative_slope as a number, or the explorer itself. Received: {answer!r}."
        )
    return {"negative_slope": float(answer)}


def _solve_leaky(explorer: Any) -> dict[str, Any]:
    from actlab.exercises._sliders import positions

    best = min(
        (abs(x - CROSS_AT), s)
        for s in positions(explorer.controls["negative_slope"])
        if (x := _crossing(explorer, s)) is not None
    )
    return {"negative_slope": best[1]}


def _leaky_reference() -> float:
    return float(_solve_leaky(_leaky_explorer())["negative_slope"])


# --- q5: swish's dip (slider) -----------------------------------------------------------
SWISH_CALL = 'actlab.widgets.activation_explorer(["silu"])'
DIP, DIP_TOL = -0.1, 0.01
_DIP_X = np.linspace(-10.0, 0.0, 4001)


def _swish_explorer() -> Any:
    from actlab import widgets

    return widgets.activation_explorer(["silu"])


def _dip(explorer: Any, beta: float) -> float:
    y, _ = explorer.measure("silu", _DIP_X, beta=beta)
    return float(y.min())


def _check_swish(setting: Setting) -> str:
    beta = float(setting.values["beta"])
    dip = _dip(setting.widget, beta)
    if dip < DIP - DIP_TOL:
        raise Incorrect(
            f"With beta = {beta:.2f} swish dips to {dip:.3f}, deeper than {DIP:g}: move beta to "
            "the right (a larger beta makes the dip shallower)."
        )
    if dip > DIP + DIP_TOL:
        raise Incorrect(
            f"With beta = {beta:.2f} swish dips only to {dip:.3f}, above {DIP:g}: move beta to "
            "the left (a smaller beta makes the dip deeper)."
        )
    return (
        f"With beta = {beta:.2f} the lowest value of x * sigmoid(beta x) is {dip:.3f}. The dip "
        "is -0.278 / beta: as beta grows swish tends to ReLU, as beta -> 0 to x / 2."
    )


def _typed_beta(answer: Any) -> dict[str, Any]:
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.number):
        raise Incorrect(f"Give beta as a number, or the explorer itself. Received: {answer!r}.")
    if not float(answer) > 0:
        raise Incorrect(f"beta must be positive. Received: {answer!r}.")
    return {"beta": float(answer)}


def _solve_swish(explorer: Any) -> dict[str, Any]:
    from actlab.exercises._sliders import positions

    grid = [b for b in positions(explorer.controls["beta"]) if b > 0]
    return {"beta": min(grid, key=lambda b: abs(_dip(explorer, b) - DIP))}


def _swish_reference() -> float:
    return float(_solve_swish(_swish_explorer())["beta"])


EXERCISES = ExerciseSet("01", "Activation gallery", [
    Question(
        qid="q1",
        prompt="Draw every activation in `actlab.catalog.names()` side by side, one panel each, "
        "over x from -8 to 8 (past 6, so relu6 differs from relu), and give the Figure.",
        checker=_check_gallery,
        hint_text="fig, axes = plt.subplots(3, 5); then zip(names, axes.ravel()) and "
        "plot_activations(name, x=np.linspace(-8, 8, 401), ax=ax, derivatives=False).",
        solution_text="A 3 x 5 grid holds the 15 activations; plot_activations draws into each ax.",
        solution_code="from matplotlib import pyplot as plt\n\n"
        "fig, axes = plt.subplots(3, 5, figsize=(15, 8))\n"
        "for name, ax in zip(actlab.catalog.names(), axes.ravel(), strict=True):\n"
        "    actlab.plotting.plot_activations(name, x=np.linspace(-8, 8, 401), ax=ax,\n"
        "                                     derivatives=False)\n"
        "answer_q1 = fig",
        reference=_gallery_reference,
        wrong_answers=[(_three_only, "has the values of"), (_all_in_one, "one panel each"),
                       (_mislabelled, "is not elu(x)"), (_relu_in_relu6_panel, "past 6"),
                       (lambda: "figure", "matplotlib Figure")],
    ),
    SliderQuestion(
        qid="q2",
        prompt=(
            "With the softmax explorer of the logits [2.0, 1.0, 0.1], find the temperature at "
            "which the top class first drops below 50 %: the smallest slider position with "
            "p < 0.5. Pass the explorer (a typed T works too)."
        ),
        checker=_check_temperature,
        hint_text=[
            "Dividing logits by T > 1 flattens the distribution: move the slider right and "
            "watch the first bar.",
            "Use the arrow keys on the slider for single steps; the title shows max p.",
        ],
        solution_text=(
            "p_top(T) falls as T grows and crosses 0.5 just above T = 2: the answer is the "
            "first slider position past the crossing, T = 2.09 (at T = 2.00 p is still 0.502)."
        ),
        solution_code="ex.q2.solution(apply=explorer_q2)",
        reference=_temperature_reference,
        wrong_answers=[
            (_softmax_explorer, "where the notebook put it"),
            (moved(_softmax_explorer, temperature=1.5), "raise T"),
            (moved(_softmax_explorer, temperature=10.0), "to the left"),
            (lambda: 0, "positive"),
            (lambda: "hot", "one number"),
            (lambda: _other_explorer(), "logits"),
        ],
        widget_class="SoftmaxExplorer",
        widget_call=TEMPERATURE_CALL,
        make_widget=_softmax_explorer,
        controls=("temperature",),
        config=_temperature_config,
        typed=_typed_temperature,
        solve=_solve_temperature,
    ),
    Question(
        qid="q3",
        prompt="Which activations of the catalogue are zero-centred? Give a set of names.",
        checker=_check_zero_centred,
        hint_text="Look at the zero_centred column of `actlab.catalog.properties_table()`.",
        solution_text=(
            "tanh, softsign and linear are odd functions; SELU's constants are chosen so that "
            "N(0, 1) inputs give mean 0 and variance 1."
        ),
        solution_code="answer_q3 = {name for name, rec in actlab.catalog.ACTIVATIONS.items() "
        "if rec.zero_centred}",
        reference=_zero_centred,
        wrong_answers=[
            (lambda: {"tanh"}, "missed"),
            (lambda: _zero_centred() | {"sigmoid"}, "never negative"),
            (lambda: _zero_centred() | {"elu"}, "mean output"),
            (lambda: "tanh", "set"),
        ],
    ),
    SliderQuestion(
        qid="q4",
        prompt=(
            "Leaky ReLU's derivative for x < 0 is its slope; ELU's (alpha = 1) is exp(x). In the "
            "explorer of leaky_relu and elu, move negative_slope until the two derivative lines "
            "cross at x = -1 (within 0.05). Pass the explorer."
        ),
        checker=_check_leaky,
        hint_text=[
            "Watch the right panel, f'(x): Leaky ReLU's derivative is a flat line at the slope "
            "for x < 0; ELU's rises from 0 towards 1.",
            "ELU's derivative at x = -1 is exp(-1). Keep alpha at 1.",
        ],
        solution_text=(
            "The lines cross where exp(x) = slope, i.e. at x = ln(slope); x = -1 needs "
            "slope = exp(-1) = 0.368, so negative_slope 0.37 on the slider."
        ),
        solution_code="ex.q4.solution(apply=explorer_q4)",
        reference=_leaky_reference,
        wrong_answers=[
            (_leaky_explorer, "where the notebook put it"),
            (moved(_leaky_explorer, negative_slope=0.1), "to the right"),
            (moved(_leaky_explorer, negative_slope=0.6), "to the left"),
            (moved(_leaky_explorer, alpha=0.55), "keeps alpha (elu) at 1"),
            (lambda: _swish_explorer(), "Select leaky_relu and elu"),
            (lambda: _other_explorer(), "ActivationExplorer"),
        ],
        widget_class="ActivationExplorer",
        widget_call=LEAKY_CALL,
        make_widget=_leaky_explorer,
        controls=("negative_slope",),
        fixed={"alpha": 1.0},
        config=_needs("leaky_relu", "elu"),
        typed=_typed_slope,
        solve=_solve_leaky,
    ),
    SliderQuestion(
        qid="q5",
        prompt=(
            "Swish, x * sigmoid(beta x), dips below 0 for x < 0. In the explorer of silu, move "
            "beta until the lowest point of the curve is -0.1 (within 0.01). Pass the explorer."
        ),
        checker=_check_swish,
        hint_text=[
            "Watch the left panel near x = -1: how deep does the curve go below 0?",
            "Narrow the x range slider to about ±2 to see the dip better.",
        ],
        solution_text=(
            "The minimum of u * sigmoid(u) is -0.278 (at u = -1.28); with u = beta x the dip of "
            "swish is -0.278 / beta, so beta = 2.78 gives -0.1 (the slider's 2.8)."
        ),
        solution_code="ex.q5.solution(apply=explorer_q5)",
        reference=_swish_reference,
        wrong_answers=[
            (_swish_explorer, "where the notebook put it"),
            (moved(_swish_explorer, beta=1.5), "to the right"),
            (moved(_swish_explorer, beta=4.5), "to the left"),
            (lambda: _leaky_explorer(), "Select silu"),
            (lambda: -1.0, "positive"),
        ],
        widget_class="ActivationExplorer",
        widget_call=SWISH_CALL,
        make_widget=_swish_explorer,
        controls=("beta",),
        config=_needs("silu"),
        typed=_typed_beta,
        solve=_solve_swish,
    ),
])
