"""Exercises for 04_swapping_activations."""

from __future__ import annotations

from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question

MNIST_LIMIT = 4000  # the notebook's load_mnist(limit=4000)

BASE_ARGS = {
    "input_shape": 784,
    "widths": [64, 32],
    "activations": "relu",
    "output_units": 10,
    "output_activation": "softmax",
    "seed": 4,
}
ACCURACY_BAR = 0.85


def _keras() -> Any:
    from actlab._keras import keras

    return keras()


def _base() -> Any:
    from actlab.models import mlp

    return mlp(**BASE_ARGS)


def _sites(model: Any) -> dict[str, str]:
    import actlab

    try:
        return {s.path: s.activation for s in actlab.find_activations(model)}
    except (TypeError, ValueError) as exc:
        raise Incorrect(f"find_activations cannot read your model: {exc}") from None


def _check_keras_model(model: Any) -> None:
    if not isinstance(model, _keras().Model):
        raise Incorrect(f"Give a keras model. Received: {type(model).__name__}.")


# --- q1: swap one layer, keep the weights ---------------------------------------------------
def _check_one_layer(model: Any) -> str:
    _check_keras_model(model)
    sites = _sites(model)
    expected = {"hidden_1": "relu", "hidden_2": "elu", "output": "softmax"}
    if set(sites) != set(expected):
        raise Incorrect(
            f"Expected activations at {sorted(expected)}; your model has them at "
            f"{sorted(sites)}. Start from `base`."
        )
    for path, act in expected.items():
        if sites[path] != act:
            hint = (
                " Restrict the swap with layers=['hidden_2']."
                if path == "hidden_1"
                else " Map 'relu' to 'elu'."
            )
            raise Incorrect(f"{path} uses {sites[path]}, it should use {act}.{hint}")
    base = _base()
    for layer in base.layers:
        mine = model.get_layer(layer.name)
        for w0, w1 in zip(layer.get_weights(), mine.get_weights(), strict=True):
            if w0.shape != w1.shape or not np.array_equal(w0, w1):
                raise Incorrect(
                    f"The weights of {layer.name} differ from base's: a rebuilt "
                    "layer starts from new random weights. Use "
                    "actlab.swap_activations, which copies them."
                )
    return "Only hidden_2 changed, and every weight is base's."


def _one_layer_reference() -> Any:
    import actlab

    return actlab.swap_activations(_base(), {"relu": "elu"}, layers=["hidden_2"])


def _all_layers() -> Any:
    import actlab

    return actlab.swap_activations(_base(), {"relu": "elu"})


def _rebuilt() -> Any:
    from actlab.models import mlp

    args = {**BASE_ARGS, "activations": ["relu", "elu"], "seed": 99}
    return mlp(**args)


# --- q2: GELU and fine-tuning --------------------------------------------------------------
def _test_accuracy(model: Any) -> float:
    from actlab.data import load_mnist

    _, (x_test, y_test) = load_mnist(limit=MNIST_LIMIT, verbose=False)
    probs = model.predict(x_test.reshape(len(x_test), -1), verbose=0)
    return float(np.mean(probs.argmax(axis=1) == y_test))


def _check_gelu(model: Any) -> str:
    _check_keras_model(model)
    if tuple(model.input_shape) != (None, 784):
        raise Incorrect(
            f"The model should take flattened images, input shape (None, 784). "
            f"Received {model.input_shape}."
        )
    sites = _sites(model)
    hidden = {p: a for p, a in sites.items() if p != "output"}
    left = [p for p, a in hidden.items() if a == "relu"]
    if left:
        raise Incorrect(f"{', '.join(left)} still use(s) relu. Map 'relu' to 'gelu'.")
    if sites.get("output") != "softmax":
        raise Incorrect(
            f"Keep the softmax output: the output layer uses {sites.get('output')}. "
            "Swap only 'relu'."
        )
    if not hidden or any(a != "gelu" for a in hidden.values()):
        raise Incorrect(f"Every hidden layer should use gelu; found {hidden}.")
    acc = _test_accuracy(model)
    if acc < ACCURACY_BAR:
        raise Incorrect(
            f"Test accuracy is {acc:.3f} < {ACCURACY_BAR}: fine-tune it (fit a few "
            "epochs) after the swap."
        )
    return f"GELU hidden layers, test accuracy {acc:.3f}."


def _gelu_reference() -> Any:
    import actlab
    from actlab.data import load_mnist

    (x_train, y_train), _ = load_mnist(limit=MNIST_LIMIT, verbose=False)
    model = actlab.swap_activations(_base(), {"relu": "gelu"})
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train.reshape(len(x_train), -1), y_train, epochs=6, batch_size=64, verbose=0)
    return model


def _gelu_untrained() -> Any:
    import actlab

    return actlab.swap_activations(_base(), {"relu": "gelu"})


def _gelu_everywhere() -> Any:
    import actlab

    return actlab.swap_activations(_base(), {"relu": "gelu", "softmax": "gelu"})


EXERCISES = ExerciseSet(
    "04",
    "Swapping activations",
    [
        Question(
            qid="q1",
            prompt=(
                "Starting from `base`, give a model in which only hidden_2 uses ELU (hidden_1 "
                "keeps "
                "ReLU, the output keeps softmax) and every weight is base's."
            ),
            checker=_check_one_layer,
            hint_text=(
                "actlab.swap_activations takes a mapping and, optionally, layers=[...] to "
                "restrict it."
            ),
            solution_text=(
                "swap_activations(base, {'relu': 'elu'}, layers=['hidden_2']) rebuilds only that "
                "layer "
                "and copies every weight; base itself is not modified."
            ),
            solution_code=(
                'answer_q1 = actlab.swap_activations(base, {"relu": "elu"}, layers=["hidden_2"])'
            ),
            reference=_one_layer_reference,
            wrong_answers=[
                (_all_layers, "hidden_1 uses elu"),
                (_rebuilt, "weights of hidden_1 differ"),
                (_base, "hidden_2 uses relu"),
                (lambda: "base", "keras model"),
            ],
        ),
        Question(
            qid="q2",
            prompt=(
                "Swap every ReLU of the trained `model` for GELU (keep the softmax output), "
                "fine-tune, "
                f"and give a model with test accuracy >= {ACCURACY_BAR}."
            ),
            checker=_check_gelu,
            hint_text=(
                "swap_activations(model, {'relu': 'gelu'}) returns a compiled copy when model was "
                "compiled; then fit it for an epoch or two."
            ),
            solution_text=(
                "The swap keeps every weight, so the network starts close to where it was and a "
                "short "
                "fine-tuning adapts it to the new activation."
            ),
            solution_code='answer_q2 = actlab.swap_activations(model, {"relu": "gelu"})\n'
            "answer_q2.fit(x_train, y_train, epochs=2, batch_size=64, verbose=0)",
            reference=_gelu_reference,
            wrong_answers=[
                (_gelu_untrained, "Test accuracy"),
                (_base, "still use(s) relu"),
                (_gelu_everywhere, "Keep the softmax"),
                (lambda: 0.95, "keras model"),
            ],
        ),
    ],
)
