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
    "seed": 6,
}
HIDDEN = ["hidden_1", "hidden_2", "hidden_3", "hidden_4"]


def _probe() -> Any:
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


# --- q1: which replacement for tanh keeps the most predictions --------------------------------
Q1_CANDIDATES = ("linear", "softsign", "relu", "sigmoid")
_Q1_WHY = {
    "linear": "linear(z) = z, which is what tanh(z) is for small z (tanh(z) = z - z^3/3 + ...)",
    "softsign": "softsign(z) = z / (1 + |z|) bends away from z sooner than tanh does "
    "(z - z|z| versus z - z^3/3 for small z)",
    "relu": "relu cuts the negative half to 0, where tanh passed it on",
    "sigmoid": "sigmoid(z) = 1/2 + z/4 + ...: every output shifts by 0.5 and shrinks 4x",
}


def swap_agreement() -> dict[str, float]:
    """Share of probe's predictions on x_test kept when hidden_2's tanh is replaced."""
    import actlab

    probe = _probe()
    before = _predictions(probe)
    return {
        name: float(np.mean(_predictions(actlab.swap_activations(probe, {"tanh": name})) == before))
        for name in Q1_CANDIDATES
    }


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
    kept = swap_agreement()
    best = max(kept, key=kept.get)
    measured = ", ".join(f"{k} {v:.1%}" for k, v in kept.items())
    if name != best:
        raise Incorrect(
            f"Predictions kept: {measured}. {_Q1_WHY[name]}. Look at the size of hidden_2's "
            "inputs (np.arctanh of its outputs): most are small."
        )
    return (
        f"Predictions kept: {measured}. {_Q1_WHY[best]}, and most of hidden_2's inputs are small."
    )


def _closest_reference() -> str:
    kept = swap_agreement()
    return max(kept, key=kept.get)


# --- q2: predict the sparsity after tanh -> relu from the tanh outputs ------------------------
def _swapped_sparsity() -> float:
    import actlab

    swapped = actlab.swap_activations(_probe(), {"tanh": "relu"})
    out = actlab.get_activations(swapped, _x_test(), layers=["hidden_2"])["hidden_2"]
    return float(np.mean(out == 0))


SPARSITY_TOLERANCE = 0.005  # half a point of percent: 0.55 read off a printed "55.4%" passes


def _check_predicted_sparsity(answer: Any) -> str:
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise Incorrect(f"Give the sparsity as a number between 0 and 1. Received: {answer!r}.")
    value = float(answer)
    if not 0 <= value <= 1:
        raise Incorrect(f"Sparsity is a fraction between 0 and 1. Received: {value!r}.")
    truth = _swapped_sparsity()
    if abs(value - truth) < SPARSITY_TOLERANCE:
        return (
            f"hidden_2 with relu: {truth:.1%} zeros. tanh(z) <= 0 exactly when z <= 0, and that "
            "is where relu outputs 0: the sign of tanh's output predicts relu's zeros."
        )
    outputs = _hidden_outputs()["hidden_2"]
    if abs(value - float(np.mean(outputs == 0))) < 1e-3:
        raise Incorrect(
            "That is tanh's own sparsity (it has no exact zeros). After the swap the same "
            "inputs z go through relu: which of them give 0?"
        )
    if abs(value - 0.5) < 1e-3:
        raise Incorrect(
            "0.5 is a guess from symmetry. Use the data: hidden_2's tanh outputs tell you the "
            "sign of every input z."
        )
    relu_layers = [k for k in HIDDEN if _activation_of(k) == "relu"]
    for k in relu_layers:
        if abs(value - float(np.mean(_hidden_outputs()[k] == 0))) < 1e-3:
            raise Incorrect(
                f"That is the sparsity of {k}, another ReLU layer. The question is about "
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
                "keeps the most of probe's predictions on x_test? Predict first from the size "
                "of hidden_2's inputs, then measure, and pass the name."
            ),
            checker=_check_closest,
            hint_text=(
                "hidden_2's inputs are z = np.arctanh(tanh output). If most |z| are small, which "
                "function is closest to tanh(z) there? Then compare "
                "swapped.predict(x_test).argmax(1) with probe.predict(x_test).argmax(1)."
            ),
            solution_text=(
                "For small z, tanh(z) is almost exactly z, so the linear replacement changes "
                "least; softsign bends away from z sooner, relu drops the negative half and "
                "sigmoid shifts everything by 0.5."
            ),
            solution_code=(
                "before = probe.predict(x_test, verbose=0).argmax(axis=1)\n"
                "kept = {}\n"
                'for name in ["linear", "softsign", "relu", "sigmoid"]:\n'
                '    swapped = actlab.swap_activations(probe, {"tanh": name})\n'
                "    after = swapped.predict(x_test, verbose=0).argmax(axis=1)\n"
                "    kept[name] = np.mean(after == before)\n"
                "print(kept)\n"
                "answer_q1 = max(kept, key=kept.get)"
            ),
            reference=_closest_reference,
            wrong_answers=[
                (lambda: "softsign", "bends away from z sooner"),
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
                (lambda: 1.5, "between 0 and 1"),
                (lambda: "half", "as a number"),
            ],
        ),
    ],
)
