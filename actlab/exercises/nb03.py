"""Exercises for 03_activations_in_keras."""

from __future__ import annotations

from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question


def _keras() -> Any:
    from actlab._keras import keras

    return keras()


def _check_model_type(model: Any, n_inputs: int) -> list[Any]:
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise Incorrect(
            f"Give a keras model (keras.Sequential or keras.Model). "
            f"Received: {type(model).__name__}."
        )
    if tuple(model.input_shape) != (None, n_inputs):
        raise Incorrect(
            f"The model's input shape should be (None, {n_inputs}): start with "
            f"keras.Input(({n_inputs},)). Received input shape {model.input_shape}."
        )
    return [lay for lay in model.layers if not isinstance(lay, keras.layers.InputLayer)]


# --- q1: a LeakyReLU(negative_slope=0.1) hidden layer -----------------------------------
def _leaky_slopes(layers: list[Any]) -> list[tuple[str, float, int]]:
    """(where, slope, position) for every leaky ReLU applied, as a layer or an activation argument.

    ``position`` is the index of the layer whose output the leaky ReLU produces.
    """
    keras = _keras()
    found = []
    for i, lay in enumerate(layers):
        if isinstance(lay, keras.layers.LeakyReLU):
            found.append((lay.name, float(lay.negative_slope), i))
        act = getattr(lay, "activation", None)
        if isinstance(act, keras.layers.LeakyReLU):
            found.append((lay.name, float(act.negative_slope), i))
        elif act is keras.activations.leaky_relu:
            found.append((lay.name, 0.2, i))  # the function's default slope
    return found


def _check_leaky(model: Any) -> str:
    keras = _keras()
    layers = _check_model_type(model, 8)
    dense = [(i, lay) for i, lay in enumerate(layers) if isinstance(lay, keras.layers.Dense)]
    if [d.units for _, d in dense] != [16, 1]:
        raise Incorrect(
            f"Expected two Dense layers of 16 and 1 units; found Dense layers with "
            f"{[d.units for _, d in dense]} units."
        )
    found = _leaky_slopes(layers)
    if not found:
        raise Incorrect(
            "No leaky ReLU found. Add layers.LeakyReLU(negative_slope=0.1) after "
            "the hidden Dense layer."
        )
    where, slope, position = found[0]
    (hidden_at, _), (output_at, output) = dense
    if position >= output_at:
        raise Incorrect(
            f"The leaky ReLU in {where!r} acts on the output of {output.name!r}, the Dense(1) "
            "output layer, so the hidden layer stays linear. Put it between Dense(16) and "
            "Dense(1), where it bends the 16 hidden values."
        )
    if np.isclose(slope, 0.3):
        raise Incorrect(
            f"The leaky ReLU in {where!r} has negative_slope 0.3, the LeakyReLU "
            "layer's default. Pass negative_slope=0.1."
        )
    if np.isclose(slope, 0.2):
        raise Incorrect(
            f"The leaky ReLU in {where!r} has negative_slope 0.2: the string "
            "'leaky_relu' uses keras.activations.leaky_relu's default. Use "
            "layers.LeakyReLU(negative_slope=0.1)."
        )
    if not np.isclose(slope, 0.1):
        raise Incorrect(
            f"The leaky ReLU in {where!r} has negative_slope {slope}; the task asks for 0.1."
        )
    x = -np.ones((1, 8), "float32")
    out = model.predict(x, verbose=0)
    if out.shape != (1, 1):
        raise Incorrect(f"The model should output one number per sample; got shape {out.shape}.")
    return "Dense(16) -> LeakyReLU(negative_slope=0.1) -> Dense(1)."


def _leaky_reference() -> Any:
    keras = _keras()
    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16),
            keras.layers.LeakyReLU(negative_slope=0.1),
            keras.layers.Dense(1),
        ]
    )


def _leaky_default() -> Any:
    keras = _keras()
    return keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(16), keras.layers.LeakyReLU(), keras.layers.Dense(1)]
    )


def _leaky_string() -> Any:
    keras = _keras()
    return keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(16, activation="leaky_relu"), keras.layers.Dense(1)]
    )


def _leaky_after_output() -> Any:
    keras = _keras()
    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16),
            keras.layers.Dense(1),
            keras.layers.LeakyReLU(negative_slope=0.1),
        ]
    )


def _leaky_on_output() -> Any:
    keras = _keras()
    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16),
            keras.layers.Dense(1, activation=keras.layers.LeakyReLU(negative_slope=0.1)),
        ]
    )


def _plain_relu() -> Any:
    keras = _keras()
    return keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)]
    )


# --- q2: translate the Keras 2 advanced-activations model --------------------------------
_EXPECTED = [
    ("Dense", 128),
    ("LeakyReLU", 0.1),
    ("Dense", 64),
    ("PReLU", None),
    ("Dense", 32),
    ("ELU", 1.0),
    ("Dense", 16),
    ("ReLU", 1.0),
    ("Dense", 10),
]


def _check_translation(model: Any) -> str:
    from actlab._keras import input_shape_argument

    keras = _keras()
    layers = _check_model_type(model, 784)
    old_style = [lay.name for lay in layers if input_shape_argument(lay) is not None]
    if old_style:
        raise Incorrect(
            f"Layer {old_style[0]!r} was created with input_shape=, the Keras 2 spelling "
            "(Keras 3 warns about it). Start the model with keras.Input((784,)) and drop "
            "input_shape= from the Dense layer."
        )
    kinds = [type(lay).__name__ for lay in layers]
    expected = [k for k, _ in _EXPECTED]
    if "Activation" in kinds and kinds != expected:
        raise Incorrect(
            "Keep the advanced activation *layers* (LeakyReLU, PReLU, ELU, ReLU) "
            "between the Dense layers rather than Activation layers: only they "
            "take the slope, alpha and threshold arguments."
        )
    if kinds != expected:
        raise Incorrect(f"Expected the layers {expected}; your model has {kinds}.")
    for lay, (kind, value) in zip(layers, _EXPECTED, strict=True):
        if kind == "Dense" and lay.units != value:
            raise Incorrect(f"Layer {lay.name!r} should have {value} units, has {lay.units}.")
        if kind == "LeakyReLU" and not np.isclose(lay.negative_slope, value):
            raise Incorrect(
                f"LeakyReLU has negative_slope {lay.negative_slope}; the Keras 2 "
                f"alpha=0.1 is negative_slope=0.1 in Keras 3."
            )
        if kind == "ELU" and not np.isclose(lay.alpha, value):
            raise Incorrect(f"ELU has alpha {lay.alpha}; the original uses alpha=1.0.")
        if kind == "ReLU":
            if lay.max_value is not None and np.isclose(float(lay.max_value), 1.0):
                raise Incorrect(
                    "ReLU(max_value=1.0) caps outputs at 1 from above; "
                    "ThresholdedReLU(theta=1.0) zeroes everything below 1. "
                    "That is ReLU(threshold=1.0)."
                )
            if not np.isclose(float(lay.threshold), value) or lay.max_value is not None:
                raise Incorrect(
                    f"ThresholdedReLU(theta=1.0) becomes ReLU(threshold=1.0). "
                    f"Yours has threshold={lay.threshold}, "
                    f"max_value={lay.max_value}."
                )
    last = layers[-1]
    if keras.activations.serialize(last.activation) != "softmax":
        raise Incorrect("The last Dense layer should keep activation='softmax'.")
    return "A faithful Keras 3 translation."


def _translation_reference() -> Any:
    keras = _keras()
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((784,)),
            layers.Dense(128),
            layers.LeakyReLU(negative_slope=0.1),
            layers.Dense(64),
            layers.PReLU(),
            layers.Dense(32),
            layers.ELU(alpha=1.0),
            layers.Dense(16),
            layers.ReLU(threshold=1.0),
            layers.Dense(10, activation="softmax"),
        ]
    )


def _translation_input_shape() -> Any:
    """The reference translation, but started Keras 2 style: Dense(128, input_shape=(784,))."""
    import warnings

    keras = _keras()
    layers = [type(lay).from_config(lay.get_config()) for lay in _translation_reference().layers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the warning this exercise is about
        first = keras.layers.Dense(128, input_shape=(784,))
    return keras.Sequential([first, *layers[1:]])


def _translation_with(replacement: Any) -> Any:
    keras = _keras()
    model = _translation_reference()
    kept = [lay for lay in model.layers]
    kept[7] = replacement
    return keras.Sequential(
        [keras.Input((784,)), *[type(lay).from_config(lay.get_config()) for lay in kept]]
    )


# --- q3: the two leaky ReLU defaults ------------------------------------------------------
def _defaults_reference() -> tuple[float, float]:
    keras = _keras()
    x = np.array([-2.0], "float32")
    layer_value = keras.ops.convert_to_numpy(keras.layers.LeakyReLU()(x))[0]
    function_value = keras.ops.convert_to_numpy(keras.activations.leaky_relu(x))[0]
    return float(layer_value), float(function_value)


def _check_defaults(answer: Any) -> str:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Incorrect(
            f"Give a pair of numbers (layer value, function value). Received: {answer!r}."
        )
    try:
        got = (float(answer[0]), float(answer[1]))
    except (TypeError, ValueError):
        raise Incorrect(f"Both values must be numbers. Received: {answer!r}.") from None
    layer_value, function_value = _defaults_reference()
    if np.allclose(got, (function_value, layer_value), atol=1e-6):
        raise Incorrect(
            "Swapped: the LeakyReLU *layer* defaults to 0.3, the leaky_relu *function* to 0.2."
        )
    if any(v > 0 for v in got):
        raise Incorrect(
            "A leaky ReLU keeps the sign of a negative input: both values are negative."
        )
    if not np.allclose(got, (layer_value, function_value), atol=1e-6):
        raise Incorrect(
            f"Not the values Keras computes. Run both: you gave {got}. The slopes "
            "are Keras's defaults, not 0.01 (PyTorch's default; tf.nn.leaky_relu's is 0.2)."
        )
    return f"LeakyReLU()(-2) = {layer_value:g}, leaky_relu(-2) = {function_value:g}."


EXERCISES = ExerciseSet(
    "03",
    "Activations in Keras",
    [
        Question(
            qid="q1",
            prompt="Build a model with 8 inputs, a hidden Dense(16) followed by a leaky ReLU with "
            "negative slope 0.1, and a Dense(1) output.",
            checker=_check_leaky,
            hint_text=(
                "keras.Sequential([keras.Input((8,)), layers.Dense(16), layers.LeakyReLU(...), "
                "layers.Dense(1)]). Which keyword does Keras 3 use for the slope?"
            ),
            solution_text=(
                "LeakyReLU's slope is negative_slope in Keras 3 (alpha= is the old name). Its "
                "default "
                "is 0.3, and the string 'leaky_relu' gives 0.2, so pass the slope explicitly."
            ),
            solution_code="answer_q1 = keras.Sequential([\n"
            "    keras.Input((8,)),\n"
            "    layers.Dense(16),\n"
            "    layers.LeakyReLU(negative_slope=0.1),\n"
            "    layers.Dense(1),\n"
            "])",
            reference=_leaky_reference,
            wrong_answers=[
                (_leaky_default, "layer's default"),
                (_leaky_string, "0.2"),
                (_plain_relu, "No leaky ReLU"),
                (_leaky_after_output, "output layer"),
                (_leaky_on_output, "output layer"),
                (lambda: "model", "keras model"),
            ],
        ),
        Question(
            qid="q2",
            prompt="Translate the Keras 2 model shown above the cell (LeakyReLU(alpha=0.1), PReLU, "
            "ELU(alpha=1.0), ThresholdedReLU(theta=1.0), input_shape=(784,)) to Keras 3.",
            checker=_check_translation,
            hint_text="Three renames: keras.Input for input_shape, negative_slope for alpha, and "
            "ThresholdedReLU is gone; ReLU has an argument that zeroes inputs below a value.",
            solution_text=(
                "keras.Input((784,)) comes first; LeakyReLU(negative_slope=0.1); PReLU and ELU are "
                "unchanged; ThresholdedReLU(theta=1.0) is ReLU(threshold=1.0)."
            ),
            solution_code="answer_q2 = keras.Sequential([\n"
            "    keras.Input((784,)),\n"
            "    layers.Dense(128), layers.LeakyReLU(negative_slope=0.1),\n"
            "    layers.Dense(64), layers.PReLU(),\n"
            "    layers.Dense(32), layers.ELU(alpha=1.0),\n"
            "    layers.Dense(16), layers.ReLU(threshold=1.0),\n"
            '    layers.Dense(10, activation="softmax"),\n'
            "])",
            reference=_translation_reference,
            wrong_answers=[
                (lambda: _translation_with(_keras().layers.ReLU(max_value=1.0)), "caps outputs"),
                (lambda: _translation_with(_keras().layers.ReLU()), "threshold=1.0"),
                (_translation_input_shape, "input_shape="),
                (
                    lambda: _keras().Sequential(
                        [_keras().Input((784,)), _keras().layers.Dense(10)]
                    ),
                    "Expected the layers",
                ),
                (lambda: None, "keras model"),
            ],
        ),
        Question(
            qid="q3",
            prompt=(
                "What do `layers.LeakyReLU()` and `keras.activations.leaky_relu` (both with "
                "default "
                "arguments) return for -2.0? Give the pair (layer value, function value)."
            ),
            checker=_check_defaults,
            hint_text="Run both on np.array([-2.0]). The two defaults differ.",
            solution_text=(
                "The layer's negative_slope defaults to 0.3, the function's to 0.2: -0.6 and -0.4. "
                "Always pass the slope explicitly."
            ),
            solution_code='x = np.array([-2.0], dtype="float32")\n'
            "answer_q3 = (float(layers.LeakyReLU()(x)[0]), "
            "float(keras.activations.leaky_relu(x)[0]))",
            reference=_defaults_reference,
            wrong_answers=[
                (lambda: (-0.4, -0.6), "Swapped"),
                (lambda: (-0.02, -0.02), "0.01"),
                (lambda: (0.6, 0.4), "negative"),
                (lambda: "-0.6", "pair of numbers"),
            ],
        ),
    ],
)
