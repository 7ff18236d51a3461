"""Exercises for 01_activation_gallery."""

from __future__ import annotations

from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question

LOGITS = np.array([2.0, 1.0, 0.1])
_P_LOW, _P_HIGH = 0.40, 0.50


# --- q1: the gallery ---------------------------------------------------------------
def _gallery_reference() -> Any:
    from matplotlib import pyplot as plt

    from actlab import catalog, plotting

    names = catalog.names()
    fig, axes = plt.subplots(3, 5, figsize=(15, 8))
    for name, ax in zip(names, axes.ravel(), strict=True):
        plotting.plot_activations(name, ax=ax, derivatives=False)
    plt.close(fig)
    return fig


def _lines_in(fig: Any) -> list[tuple[Any, str, np.ndarray, np.ndarray]]:
    """Every line of the figure: (its Axes, its label, x, y)."""
    found = []
    for ax in fig.axes:
        for line in ax.lines:
            x = np.asarray(line.get_xdata(), "float32")
            y = np.asarray(line.get_ydata(), "float32")
            if x.ndim == 1 and x.shape == y.shape and x.size >= 5 and np.ptp(x) > 0:
                found.append((ax, str(line.get_label()), x, y))
    return found


def _matches(name: str, x: np.ndarray, y: np.ndarray, cache: dict[Any, np.ndarray]) -> bool:
    from actlab import catalog

    key = (name, x.tobytes())
    if key not in cache:
        cache[key] = np.asarray(catalog.get(name)(x), "float32")
    return bool(np.allclose(y, cache[key], atol=1e-4))


def _check_gallery(fig: Any) -> str:
    """Curves are recognised by their data, not by their labels."""
    from matplotlib.figure import Figure

    from actlab import catalog

    if not isinstance(fig, Figure):
        raise Incorrect(f"Give the matplotlib Figure (e.g. `fig, axes = plt.subplots(...)`, "
                        f"then `answer_q1 = fig`). Received: {type(fig).__name__}.")
    lines, cache = _lines_in(fig), {}
    panels_of = {name: {id(ax) for ax, _, x, y in lines if _matches(name, x, y, cache)}
                 for name in catalog.names()}
    missing = [n for n, panels in panels_of.items() if not panels]
    mislabelled = [n for n in missing if any(label == n for _, label, _, _ in lines)]
    if mislabelled:
        name = mislabelled[0]
        raise Incorrect(f"The curve labelled {name!r} is not {name}(x). Plot it with "
                        f"plot_activations({name!r}, ax=ax) or "
                        f"ax.plot(x, catalog.get({name!r})(x)).")
    if missing:
        raise Incorrect(f"No curve in your figure has the values of: {', '.join(missing)}. "
                        "Loop over actlab.catalog.names() and plot each one.")
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


def _all_in_one() -> Any:
    from actlab import catalog, plotting

    return plotting.plot_activations(catalog.names(), derivatives=False)


# --- q2: temperature ---------------------------------------------------------------
def _top_probability(t: float) -> float:
    z = LOGITS / t
    p = np.exp(z - z.max())
    return float((p / p.sum()).max())


def _temperature_reference() -> float:
    lo, hi = 1.0, 10.0  # p(1) ~ 0.66 > target > p(10) ~ 0.37: bisect for p = 0.45
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _top_probability(mid) > 0.45 else (lo, mid)
    return round((lo + hi) / 2, 3)


def _check_temperature(answer: Any) -> str:
    try:
        t = float(answer)
    except (TypeError, ValueError):
        raise Incorrect(f"Give one number, the temperature T. Received: {answer!r}.") from None
    if not np.isfinite(t) or t <= 0:
        raise Incorrect(f"T must be a positive number (softmax(z / T)). Received: {t}.")
    p = _top_probability(t)
    if p > _P_HIGH:
        raise Incorrect(f"At T = {t:g} the top class still has p = {p:.3f} > {_P_HIGH}: "
                        "raise T to flatten the distribution.")
    if p < _P_LOW:
        raise Incorrect(f"At T = {t:g} the distribution is too flat (top p = {p:.3f} < "
                        f"{_P_LOW}; uniform would be 0.333): lower T.")
    return f"At T = {t:g} the top class has p = {p:.3f}."


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
        given = {catalog.get(str(n)).name for n in answer}
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


EXERCISES = ExerciseSet("01", "Activation gallery", [
    Question(
        qid="q1",
        prompt="Draw every activation in `actlab.catalog.names()` side by side, one panel each, "
        "and give the Figure.",
        checker=_check_gallery,
        hint_text="fig, axes = plt.subplots(3, 5); then zip(names, axes.ravel()) and "
        "plot_activations(name, ax=ax, derivatives=False).",
        solution_text="A 3 x 5 grid holds the 15 activations; plot_activations draws into each ax.",
        solution_code="from matplotlib import pyplot as plt\n\n"
        "fig, axes = plt.subplots(3, 5, figsize=(15, 8))\n"
        "for name, ax in zip(actlab.catalog.names(), axes.ravel(), strict=True):\n"
        "    actlab.plotting.plot_activations(name, ax=ax, derivatives=False)\n"
        "answer_q1 = fig",
        reference=_gallery_reference,
        wrong_answers=[(_three_only, "has the values of"), (_all_in_one, "one panel each"),
                       (_mislabelled, "is not elu(x)"), (lambda: "figure", "matplotlib Figure")],
    ),
    Question(
        qid="q2",
        prompt="Find a temperature T at which the top class of logits [2.0, 1.0, 0.1] gets a "
        "softmax probability between 0.40 and 0.50.",
        checker=_check_temperature,
        hint_text=(
            "Dividing logits by T > 1 flattens the distribution. Try the softmax_explorer slider."
        ),
        solution_text="Any T between about 2.02 and 4.97 works; e.g. bisect on T for p = 0.45.",
        solution_code="answer_q2 = 2.5",
        reference=_temperature_reference,
        wrong_answers=(
            [(lambda: 1.0, "raise T"), (lambda: 50.0, "too flat"), (lambda: 0, "positive"),
            (lambda: "hot", "one number")]
        ),
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
])
