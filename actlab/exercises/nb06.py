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


def _sparsity_reference() -> dict[str, float]:
    return {k: float(np.mean(v == 0)) for k, v in _hidden_outputs().items()}


def _activation_of(layer: str) -> str:
    acts = PROBE_ARGS["activations"]
    return acts[HIDDEN.index(layer)]


# --- q1: sparsity per layer -------------------------------------------------------------------
def _check_sparsity(answer: Any) -> str:
    import actlab

    if not isinstance(answer, dict):
        raise Incorrect(
            f"Give a dict {{layer name: sparsity}}, e.g. {{'hidden_1': 0.5, ...}}. "
            f"Received: {type(answer).__name__}."
        )
    if set(answer) != set(HIDDEN):
        raise Incorrect(
            f"Give one entry per hidden layer, keys {HIDDEN}. Received keys "
            f"{sorted(map(str, answer))}."
        )
    try:
        got = {k: float(v) for k, v in answer.items()}
    except (TypeError, ValueError):
        raise Incorrect("Each value must be one number, the fraction of zero outputs.") from None
    if any(not 0 <= v <= 1 for v in got.values()):
        raise Incorrect("Sparsity is a fraction between 0 and 1 (np.mean(outputs == 0)).")
    truth = _sparsity_reference()
    if all(np.isclose(got[k], truth[k], atol=1e-6) for k in HIDDEN):
        return "Sparsity per layer: " + ", ".join(f"{k} {v:.0%}" for k, v in truth.items())
    outputs = _hidden_outputs()
    negatives = {k: float(np.mean(v < 0)) for k, v in outputs.items()}
    if all(np.isclose(got[k], negatives[k], atol=1e-6) for k in HIDDEN):
        raise Incorrect(
            "You counted negative outputs. Sparsity counts outputs that are exactly "
            "0: np.mean(a == 0)."
        )
    dead = actlab.dead_units(_probe(), _x_test())
    if all(np.isclose(got[k], dead[k], atol=1e-6) for k in HIDDEN):
        raise Incorrect(
            "Those are dead-unit fractions (units that are 0 for every sample). "
            "Sparsity is the share of zero outputs over all samples and units."
        )
    wrong = [k for k in HIDDEN if not np.isclose(got[k], truth[k], atol=1e-6)]
    raise Incorrect(
        f"Not right for {', '.join(wrong)}. Use actlab.get_activations(probe, "
        "x_test) and np.mean(a == 0) for each hidden layer."
    )


def _negatives_answer() -> dict[str, float]:
    return {k: float(np.mean(v < 0)) for k, v in _hidden_outputs().items()}


def _dead_answer() -> dict[str, float]:
    import actlab

    dead = actlab.dead_units(_probe(), _x_test())
    return {k: dead[k] for k in HIDDEN}


# --- q2: the sparsest layer -------------------------------------------------------------------
def _sparsest_reference() -> str:
    truth = _sparsity_reference()
    return max(truth, key=truth.__getitem__)


def _check_sparsest(answer: Any) -> str:
    if not isinstance(answer, str):
        raise Incorrect(
            f"Give the layer's name as a string, e.g. 'hidden_1'. Received: {answer!r}."
        )
    if answer not in HIDDEN:
        raise Incorrect(
            f"{answer!r} is not a hidden layer of probe. Its hidden layers are {HIDDEN}."
        )
    truth = _sparsity_reference()
    best = max(truth, key=truth.__getitem__)
    if answer == best:
        return f"{best} ({_activation_of(best)}): {truth[best]:.1%} of its outputs are 0."
    act = _activation_of(answer)
    if act != "relu":
        raise Incorrect(
            f"{answer} uses {act}: its outputs are (almost) never exactly 0 "
            f"(sparsity {truth[answer]:.1%}). Only ReLU outputs exact zeros."
        )
    raise Incorrect(
        f"{answer} is a ReLU layer too, but its sparsity is {truth[answer]:.2%} "
        f"and another layer's is higher. Measure both; don't guess."
    )


def _other_relu() -> str:
    best = _sparsest_reference()
    return next(k for k in HIDDEN if _activation_of(k) == "relu" and k != best)


EXERCISES = ExerciseSet(
    "06",
    "Layer-wise mixes",
    [
        Question(
            qid="q1",
            prompt=(
                "For `probe` (hidden layers relu, tanh, relu, elu; untrained, seeded) compute the "
                "sparsity of each hidden layer on x_test: a dict {layer name: fraction of outputs "
                "exactly 0}."
            ),
            checker=_check_sparsity,
            hint_text=(
                "actlab.get_activations(probe, x_test, layers=[...]) gives each layer's outputs; "
                "np.mean(a == 0) is the fraction of zeros."
            ),
            solution_text=(
                "Sparsity is the share of zero outputs over all samples and units. ReLU layers "
                "give "
                "about half zeros; tanh and ELU give (almost) none."
            ),
            solution_code="outputs = actlab.get_activations(probe, x_test, "
            'layers=["hidden_1", "hidden_2", "hidden_3", "hidden_4"])\n'
            "answer_q1 = {name: float(np.mean(a == 0)) for name, a in outputs.items()}",
            reference=_sparsity_reference,
            wrong_answers=[
                (_negatives_answer, "negative outputs"),
                (_dead_answer, "dead-unit"),
                (lambda: dict.fromkeys(HIDDEN, 0.5), "Not right for"),
                (lambda: [0.5, 0.0, 0.5, 0.0], "dict"),
            ],
        ),
        Question(
            qid="q2",
            prompt=(
                "Which hidden layer of `probe` has the highest sparsity on x_test? Give its name."
            ),
            checker=_check_sparsest,
            hint_text=(
                "Two layers are ReLU: only they can be the answer. Which of the two? Measure."
            ),
            solution_text="Compare the sparsities from q1; the larger ReLU one wins.",
            solution_code="outputs = actlab.get_activations(probe, x_test)\n"
            "sparsity = {name: np.mean(a == 0) for name, a in outputs.items() "
            'if name.startswith("hidden")}\n'
            "answer_q2 = max(sparsity, key=sparsity.get)",
            reference=_sparsest_reference,
            wrong_answers=[
                (lambda: "hidden_2", "uses tanh"),
                (lambda: "hidden_4", "uses elu"),
                (_other_relu, "Measure both"),
                (lambda: "dense", "not a hidden layer"),
                (lambda: 1, "as a string"),
            ],
        ),
    ],
)
