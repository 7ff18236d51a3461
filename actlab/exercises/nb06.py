"""Exercises for 06_layerwise_mixes."""

from __future__ import annotations

from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question

MNIST_LIMIT = 4000  # the notebook's load_mnist(limit=4000)

PROBE_ARGS = {
    "input_shape": 784,
    "widths": [64, 64, 64, 64],
    "activations": ["relu", "tanh", "relu", "elu"],
    "output_units": 10,
    "seed": 72,  # the notebook's seed=SEED + 30 at its committed SEED = 42
}
HIDDEN = ["hidden_1", "hidden_2", "hidden_3", "hidden_4"]
_PROBE: dict[str, Any] = {}  # the notebook's probe, once it has called ex.use_probe(probe)


def use_probe(model: Any) -> Any:
    """Judge the answers on ``model``, the notebook's ``probe`` (built with ``seed=SEED + 30``).

    The probe's weights come from the notebook's ``SEED``, so the checks measure
    that very network instead of rebuilding one at a fixed seed. Returns
    ``model``, so the notebook can write ``probe = ex.use_probe(mlp(...))``.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(
            f"use_probe expects the probe network (a keras.Model). Received: {type(model).__name__}"
        )
    _PROBE["model"] = model
    return model


def _probe() -> Any:
    if "model" in _PROBE:
        return _PROBE["model"]
    from actlab.models import mlp

    return mlp(**PROBE_ARGS)


def _x_test() -> np.ndarray:
    from actlab.data import load_mnist

    _, (x_test, _) = load_mnist(limit=MNIST_LIMIT, verbose=False)
    return x_test.reshape(len(x_test), -1)


def _hidden_outputs() -> dict[str, np.ndarray]:
    import actlab

    return actlab.get_activations(_probe(), _x_test(), layers=HIDDEN)


def _activation_of(layer: str) -> str:
    acts = PROBE_ARGS["activations"]
    return acts[HIDDEN.index(layer)]


def _hidden_1_sparsity() -> float:
    return float(np.mean(_hidden_outputs()["hidden_1"] == 0))


def _predictions(model: Any) -> np.ndarray:
    return np.asarray(model.predict(_x_test(), verbose=0)).argmax(axis=1)


# --- q1: which replacement for tanh changes hidden_2's outputs least ------------------------
Q1_CANDIDATES = ("linear", "softsign", "relu", "sigmoid")
_Q1_WHY_BEST = {
    "linear": "linear(z) = z is what tanh(z) is for small z (tanh(z) = z - z^3/3 + ...), "
    "and most of hidden_2's inputs are small",
    "softsign": "softsign(z) = z / (1 + |z|) is bounded like tanh and stays within 0.31 of "
    "it for every z, while linear keeps growing: on this probe enough inputs are large for that "
    "to count",
    "relu": "relu keeps the positive half as it is",
    "sigmoid": "sigmoid has tanh's S shape",
}
_Q1_WHY_NOT = {
    "linear": "linear(z) = z keeps growing where tanh flattens, and on this probe enough inputs "
    "are large for that to count",
    "softsign": "softsign(z) = z / (1 + |z|) bends away from z sooner than tanh does "
    "(z - z|z| versus z - z^3/3 for small z): it is the closer one only for |z| above about 1",
    "relu": "relu cuts the negative half to 0, where tanh passed it on",
    "sigmoid": "sigmoid(z) = 1/2 + z/4 + ...: every output shifts by 0.5 and shrinks 4x",
}


def output_change() -> dict[str, float]:
    """Mean |f(z) - tanh(z)| over hidden_2's outputs on x_test when its tanh is replaced by f."""
    import actlab

    probe, x = _probe(), _x_test()
    before = _hidden_outputs()["hidden_2"]
    change = {}
    for name in Q1_CANDIDATES:
        swapped = actlab.swap_activations(probe, {"tanh": name})
        after = actlab.get_activations(swapped, x, layers=["hidden_2"])["hidden_2"]
        change[name] = float(np.mean(np.abs(after - before)))
    return change


def _median_input_size() -> float:
    """Median |z| of hidden_2's inputs on x_test (z = arctanh of its tanh outputs)."""
    out = _hidden_outputs()["hidden_2"].astype("float64")
    return float(np.median(np.abs(np.arctanh(np.clip(out, -1 + 1e-7, 1 - 1e-7)))))


def _check_closest(answer: Any) -> str:
    from actlab import catalog

    if not isinstance(answer, str):
        raise Incorrect(
            f"Give the activation's name as a string, e.g. 'softsign'. Received: {answer!r}."
        )
    try:
        name = catalog.canonical_name(answer) if answer != "linear" else "linear"
    except ValueError as exc:
        raise Incorrect(str(exc)) from None
    if name not in Q1_CANDIDATES:
        raise Incorrect(f"Choose one of {', '.join(Q1_CANDIDATES)}. Received: {answer!r}.")
    change = output_change()
    best = min(change, key=change.get)
    measured = ", ".join(f"{k} {v:.3f}" for k, v in sorted(change.items(), key=lambda kv: kv[1]))
    size = f"median |z| of hidden_2's inputs: {_median_input_size():.2f}"
    if name != best:
        raise Incorrect(
            f"Mean |change| of hidden_2's outputs: {measured} ({size}). {best} changes them "
            f"least; {name} changes them {change[name] / change[best]:.1f}x as much "
            f"(+{change[name] - change[best]:.3f}). {_Q1_WHY_NOT[name]}."
        )
    runner_up = sorted(change, key=change.get)[1]
    return (
        f"Mean |change| of hidden_2's outputs: {measured} ({size}): {best} changes them least, "
        f"{change[runner_up] / change[best]:.1f}x less than {runner_up}. {_Q1_WHY_BEST[best]}."
    )


def wrong_closest(rank: int) -> str:
    """The candidate ranked ``rank`` by output change, 0 the least (1: the runner-up)."""
    change = output_change()
    return sorted(change, key=change.get)[rank]


def _closest_reference() -> str:
    change = output_change()
    return min(change, key=change.get)


# --- q2: predict the sparsity after tanh -> relu from the tanh outputs ------------------------
def _swapped_sparsity() -> float:
    import actlab

    swapped = actlab.swap_activations(_probe(), {"tanh": "relu"})
    out = actlab.get_activations(swapped, _x_test(), layers=["hidden_2"])["hidden_2"]
    return float(np.mean(out == 0))


SPARSITY_TOLERANCE = 1e-3  # the solution computes the value exactly; 0.554 read off "55.4%" passes


def _hidden_3_sparsity() -> float:
    return float(np.mean(_hidden_outputs()["hidden_3"] == 0))


def _decimals(value: float) -> int:
    """How many decimals ``value`` is written with (0.55 -> 2, 0.5543 -> 4; 7 for "many")."""
    return next((d for d in range(7) if abs(round(value, d) - value) < 1e-7), 7)


def _matches(value: float, target: float) -> bool:
    """``value`` is ``target`` within 1e-3, or ``target`` rounded to ``value``'s 2 decimals."""
    return abs(value - target) < SPARSITY_TOLERANCE or (
        _decimals(value) == 2 and abs(round(target, 2) - value) < 1e-7
    )


def _q2_candidates() -> dict[str, float]:
    """The right value and the values of the known mistakes, by name."""
    outputs = _hidden_outputs()
    found = {
        "right": _swapped_sparsity(),
        "tanh": float(np.mean(outputs["hidden_2"] == 0)),
        "symmetry": 0.5,
    }
    for k in HIDDEN:
        if _activation_of(k) == "relu":
            found[k] = float(np.mean(outputs[k] == 0))
    return found


def _check_predicted_sparsity(answer: Any) -> str:
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise Incorrect(f"Give the sparsity as a number between 0 and 1. Received: {answer!r}.")
    value = float(answer)
    if not 0 <= value <= 1:
        raise Incorrect(f"Sparsity is a fraction between 0 and 1. Received: {value!r}.")
    found = _q2_candidates()
    truth = found["right"]
    nearest = min(found, key=lambda k: abs(value - found[k]))
    if nearest == "right" and _matches(value, truth):
        return (
            f"hidden_2 with relu: {truth:.2%} zeros. tanh(z) <= 0 exactly when z <= 0, and that "
            "is where relu outputs 0: the sign of tanh's output predicts relu's zeros."
        )
    if _decimals(value) <= 2 and abs(round(truth, 2) - value) < 1e-7:  # nearest is a mistake
        other = {"tanh": "tanh's own outputs", "symmetry": "the guess 0.5"}.get(nearest, nearest)
        raise Incorrect(
            f"{value} is too coarse to judge: rounded like that, it is closer to the sparsity of "
            f"{other} than to the answer. Give three decimals or more."
        )
    if nearest == "tanh" and _matches(value, found["tanh"]):
        raise Incorrect(
            "That is tanh's own sparsity (it has no exact zeros). After the swap the same "
            "inputs z go through relu: which of them give 0?"
        )
    if nearest == "symmetry" and abs(value - 0.5) < 1e-9:
        raise Incorrect(
            "0.5 is a guess from symmetry. Use the data: hidden_2's tanh outputs tell you the "
            "sign of every input z."
        )
    if nearest in HIDDEN and _matches(value, found[nearest]):
        raise Incorrect(
            f"That is the sparsity of {nearest}, another ReLU layer. The question is about "
            "hidden_2's inputs after the swap."
        )
    raise Incorrect(
        f"Not it (the swapped layer has {truth:.1%} zeros, you gave {value:.1%}). relu(z) = 0 "
        "exactly when z <= 0; tanh keeps the sign of z."
    )


EXERCISES = ExerciseSet(
    "06",
    "Layer-wise mixes",
    [
        Question(
            qid="q1",
            prompt=(
                "Without changing any weight, replace probe's tanh (hidden_2) by one of "
                "linear, softsign, relu, sigmoid (actlab.swap_activations). Which replacement "
                "changes hidden_2's outputs on x_test least, on average (the mean of |output "
                "after the swap - tanh's output|)? Predict first from the size of hidden_2's "
                "inputs, then measure with actlab.get_activations, and pass the name."
            ),
            checker=_check_closest,
            hint_text=(
                "hidden_2's inputs are z = np.arctanh(tanh output). If most |z| are small, which "
                "function is closest to tanh(z) there? Then compare "
                "actlab.get_activations(swapped, x_test, layers=['hidden_2']) with probe's."
            ),
            solution_text=(
                "For small z, tanh(z) = z - z^3/3 + ... is almost exactly z, so linear changes the "
                "outputs least; softsign, z - z|z| + ..., bends away from z sooner (it is the "
                "closer one only for |z| above about 1); relu drops the negative half and sigmoid "
                "shifts everything by 0.5. Most of hidden_2's inputs are small (the median |z| "
                "was 0.20 to 0.32 on the 15 probes measured), so linear wins."
            ),
            solution_code=(
                'h2 = ["hidden_2"]\n'
                'tanh_out = actlab.get_activations(probe, x_test, layers=h2)["hidden_2"]\n'
                'print(f"median |z|: {np.median(np.abs(np.arctanh(tanh_out))):.2f}")\n'
                "change = {}\n"
                'for name in ["linear", "softsign", "relu", "sigmoid"]:\n'
                '    swapped = actlab.swap_activations(probe, {"tanh": name})\n'
                '    after = actlab.get_activations(swapped, x_test, layers=h2)["hidden_2"]\n'
                "    change[name] = float(np.mean(np.abs(after - tanh_out)))\n"
                "print(change)\n"
                "answer_q1 = min(change, key=change.get)"
            ),
            reference=_closest_reference,
            wrong_answers=[
                (lambda: wrong_closest(1), "changes them least"),
                (lambda: "relu", "cuts the negative half"),
                (lambda: "sigmoid", "shifts by 0.5"),
                (lambda: "elu", "Choose one of"),
                (lambda: 1, "as a string"),
            ],
        ),
        Question(
            qid="q2",
            prompt=(
                "Predict without building a new model: if probe's tanh (hidden_2) were replaced "
                "by relu, keeping every weight, what fraction of hidden_2's outputs on x_test "
                "would be exactly 0? Use only actlab.get_activations(probe, ...). Pass the number."
            ),
            checker=_check_predicted_sparsity,
            hint_text=(
                "Both activations see the same inputs z. relu(z) = 0 exactly when z <= 0. What "
                "does tanh's output tell you about the sign of z?"
            ),
            solution_text=(
                "tanh keeps the sign of its input: tanh(z) <= 0 exactly when z <= 0, which is when "
                "relu outputs 0. So the fraction of hidden_2's tanh outputs that are <= 0 is the "
                "sparsity after the swap; swap_activations confirms it."
            ),
            solution_code=(
                'outputs = actlab.get_activations(probe, x_test, layers=["hidden_2"])["hidden_2"]\n'
                "answer_q2 = float(np.mean(outputs <= 0))\n"
                'swapped = actlab.swap_activations(probe, {"tanh": "relu"})\n'
                'after = actlab.get_activations(swapped, x_test, layers=["hidden_2"])["hidden_2"]\n'
                'print(f"predicted {answer_q2:.1%}, measured {np.mean(after == 0):.1%}")'
            ),
            reference=_swapped_sparsity,
            wrong_answers=[
                (lambda: 0.0, "tanh's own sparsity"),
                (lambda: 0.5, "guess from symmetry"),
                (_hidden_1_sparsity, "another ReLU layer"),
                (_hidden_3_sparsity, "another ReLU layer"),
                (lambda: 1.5, "between 0 and 1"),
                (lambda: "half", "as a number"),
            ],
        ),
    ],
)
EXERCISES.use_probe = use_probe  # ex.use_probe(probe) in the notebook
