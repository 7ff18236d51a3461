"""Exercises for 03_activations_in_keras."""

from __future__ import annotations

from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question
from actlab.exercises._answers import one_number


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
_SLOPE = 0.1
_PROBE = np.array([[-2, -1.5, -1, -0.75, -0.5, -0.25, -0.1, -0.05,
                    0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2]], "float32")  # 16 hidden values


def _bends(lay: Any) -> bool:
    """Whether a layer applies a non-linear activation (a layer or an activation argument)."""
    keras = _keras()
    if isinstance(lay, (keras.layers.Activation, keras.layers.LeakyReLU, keras.layers.ReLU,
                        keras.layers.PReLU, keras.layers.ELU, keras.layers.Softmax)):
        return not (isinstance(lay, keras.layers.Activation)
                    and lay.activation is keras.activations.linear)
    act = getattr(lay, "activation", None)
    return act is not None and act is not keras.activations.linear


def _kind(lay: Any) -> str:
    """What a bending layer applies, in words: ``relu``, ``tanh``, ``LeakyReLU``..."""
    keras = _keras()
    if isinstance(lay, keras.layers.ReLU) and not float(lay.negative_slope or 0.0):
        return "relu"
    act = getattr(lay, "activation", None)
    if act is not None and not isinstance(lay, (keras.layers.LeakyReLU, keras.layers.ReLU)):
        return getattr(act, "__name__", type(act).__name__)
    return type(lay).__name__


def _between(hidden: Any, middle: list[Any]) -> np.ndarray:
    """What follows Dense(16), applied to 16 hidden values: its activation, then the layers."""
    keras = _keras()
    values = hidden.activation(keras.ops.convert_to_tensor(_PROBE))
    for lay in middle:
        values = lay(values)
    return np.asarray(keras.ops.convert_to_numpy(values), "float64").reshape(_PROBE.shape)


_FIX = f"layers.LeakyReLU(negative_slope={_SLOPE})"
_WRONG_SLOPES = {
    1.0: "No leaky ReLU found between Dense(16) and Dense(1): the hidden layer is linear. "
    f"Add {_FIX} after the hidden Dense layer.",
    0.0: "No leaky ReLU found: what follows Dense(16) maps every negative value to 0, a "
    f"plain ReLU. Use {_FIX}.",
    0.3: "The leaky ReLU after Dense(16) has negative_slope 0.3, the LeakyReLU "
    f"layer's default. Pass negative_slope={_SLOPE}.",
    0.2: "The leaky ReLU after Dense(16) has negative_slope 0.2: keras.activations.leaky_relu's "
    f"default, which the string 'leaky_relu' uses too. Use {_FIX}.",
}


def _check_leaky(model: Any) -> str:
    """The function between Dense(16) and Dense(1) is judged by its values, however written."""
    keras = _keras()
    layers = _check_model_type(model, 8)
    dense = [(i, lay) for i, lay in enumerate(layers) if isinstance(lay, keras.layers.Dense)]
    if [d.units for _, d in dense] != [16, 1]:
        raise Incorrect(
            f"Expected two Dense layers of 16 and 1 units; found Dense layers with "
            f"{[d.units for _, d in dense]} units."
        )
    (hidden_at, hidden), (output_at, output) = dense
    on_inputs = [lay.name for lay in layers[:hidden_at] if _bends(lay)]
    if on_inputs:
        raise Incorrect(
            f"{on_inputs[0]!r} acts on the 8 inputs, before Dense(16), so the hidden layer "
            "stays linear. Put the leaky ReLU after Dense(16), between it and Dense(1)."
        )
    middle = layers[hidden_at + 1 : output_at]
    learned = [lay.name for lay in [hidden, *middle]
               if isinstance(lay, keras.layers.PReLU)
               or isinstance(getattr(lay, "activation", None), keras.layers.PReLU)]
    if learned:
        raise Incorrect(
            f"{learned[0]!r} is (or applies) a PReLU, which learns its slope during training; the "
            f"task asks for a fixed one: {_FIX}."
        )
    benders = ([hidden] if _bends(hidden) else []) + [lay for lay in middle if _bends(lay)]
    if len(benders) >= 2:
        first, kind = benders[0], _kind(benders[0])
        seen = " (after a ReLU it only sees values >= 0)" if kind == "relu" else ""
        fix = (
            "Leave Dense(16) without an activation and put the leaky ReLU after it."
            if first is hidden
            else f"Remove {first.name!r}: the leaky ReLU alone goes after Dense(16)."
        )
        raise Incorrect(
            f"{first.name!r} already applies {kind}, and {benders[1].name!r} after it acts on "
            f"that output{seen}. {fix}"
        )
    try:
        got = _between(hidden, middle)
    except Exception as exc:  # noqa: BLE001 -- any failure of the learner's layers is reported
        raise Incorrect(f"Could not apply the layers after Dense(16) to 16 values: {exc}") from None
    neg, pos = _PROBE[0] < 0, _PROBE[0] > 0
    slopes = got[0, neg] / _PROBE[0, neg]
    keeps_positive = np.allclose(got[0, pos], _PROBE[0, pos], atol=1e-5)
    straight_negative = np.ptp(slopes) < 1e-4
    is_leaky = keeps_positive and straight_negative
    slope = float(slopes.mean())
    at_minus_one = float(got[0, _PROBE[0] == -1][0])
    on_output = [lay.name for lay in layers[output_at:] if _bends(lay)]
    if on_output and not (is_leaky and np.isclose(slope, _SLOPE, atol=1e-4)):
        where = (
            f"The activation of {output.name!r}, the Dense(1) output layer, bends the output"
            if on_output[0] == output.name
            else f"{on_output[0]!r} acts on the output of {output.name!r}, the Dense(1) output "
            "layer"
        )
        if is_leaky and np.isclose(slope, 1.0, atol=1e-4):
            raise Incorrect(
                f"{where}, so the hidden layer stays linear. Put the leaky ReLU between "
                "Dense(16) and Dense(1), where it bends the 16 hidden values."
            )
        applied = (f"a leaky ReLU with negative slope {slope:.4g}"
                   if is_leaky and not (benders and np.isclose(slope, 0.0, atol=1e-4))
                   else _kind(benders[0]) if benders else "a function that is not a leaky ReLU")
        raise Incorrect(
            f"{where}, and the hidden layer applies {applied}, not a leaky ReLU with negative "
            f"slope {_SLOPE}. Put {_FIX} between Dense(16) and Dense(1) and leave the output "
            "plain."
        )
    if not is_leaky:
        at_one = float(got[0, _PROBE[0] == 1][0])
        wrong = []
        if not keeps_positive:
            wrong.append(f"it changes positive values (1 becomes {at_one:.4g})")
        if not straight_negative:
            wrong.append(
                f"its negative side is not a straight line through 0 (-1 becomes "
                f"{at_minus_one:.4g}, -2 becomes {float(got[0, 0]):.4g})"
            )
        extra = [lay.name for lay in middle if not _bends(lay)]
        named = f" (between them: {', '.join(repr(n) for n in extra)})" if extra else ""
        raise Incorrect(
            f"What follows Dense(16){named} is not a leaky ReLU: {' and '.join(wrong)}. "
            f"Use layers.LeakyReLU(negative_slope={_SLOPE})."
        )
    for wrong, message in _WRONG_SLOPES.items():
        if np.isclose(slope, wrong, atol=1e-4):
            raise Incorrect(message)
    if not np.isclose(slope, _SLOPE, atol=1e-4):
        raise Incorrect(
            f"The leaky ReLU after Dense(16) has negative slope {slope:.3g} (it maps -1 to "
            f"{at_minus_one:.3g}); the task asks for {_SLOPE}."
        )
    if on_output:
        bender = next(lay for lay in layers[output_at:] if _bends(lay))
        what = (f"the output layer {output.name!r} applies {_kind(output)}" if bender is output
                else f"{bender.name!r} applies {_kind(bender)} after the output layer "
                f"{output.name!r}")
        raise Incorrect(
            f"The hidden part is right, but {what}. The task asks for a plain Dense(1) output, "
            "with no activation: remove it."
        )
    x = -np.ones((1, 8), "float32")
    out = model.predict(x, verbose=0)
    if out.shape != (1, 1):
        raise Incorrect(f"The model should output one number per sample; got shape {out.shape}.")
    return "Dense(16) -> a leaky ReLU with negative slope 0.1 (it maps -1 to -0.1) -> Dense(1)."


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


def _leaky_sigmoid_output() -> Any:
    """The hidden part right, but a sigmoid on the output: not the plain Dense(1) asked for."""
    keras = _keras()
    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16),
            keras.layers.LeakyReLU(negative_slope=0.1),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )


def _leaky_on_inputs() -> Any:
    keras = _keras()
    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.LeakyReLU(negative_slope=0.1),
            keras.layers.Dense(16),
            keras.layers.Dense(1),
        ]
    )


def _relu_then_leaky() -> Any:
    keras = _keras()
    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.LeakyReLU(negative_slope=0.1),
            keras.layers.Dense(1),
        ]
    )


def _plain_relu() -> Any:
    keras = _keras()
    return keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)]
    )


# --- q2: translate the Keras 2 advanced-activations model --------------------------------
_OUTPUT_PROBE = np.array([np.linspace(-3.0, 2.0, 10), np.linspace(1.5, -1.0, 10)], "float32")


def _softmax(v: np.ndarray) -> np.ndarray:
    e = np.exp(v - v.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _output_values(dense: Any, after: list[Any]) -> np.ndarray:
    """What the output Dense's activation and the layers after it make of 10 scores per row."""
    keras = _keras()
    values = dense.activation(keras.ops.convert_to_tensor(_OUTPUT_PROBE))
    for lay in after:
        values = lay(values)
    return np.asarray(keras.ops.convert_to_numpy(values), "float64")


_HIDDEN = {  # units of each hidden Dense: what the Keras 2 model applies after it, a Keras 3 equal
    128: ("LeakyReLU(alpha=0.1)", lambda k: k.layers.LeakyReLU(negative_slope=0.1)),
    64: ("PReLU()", None),
    32: ("ELU(alpha=1.0)", lambda k: k.layers.ELU(alpha=1.0)),
    16: ("ThresholdedReLU(theta=1.0)", lambda k: k.layers.ReLU(threshold=1.0)),
}
_BLOCK_PROBE = np.array([-3.0, -2.0, -1.0, -0.5, -0.1, 0.1, 0.5, 0.9, 1.0, 1.1, 2.0, 3.0],
                        "float32")
_SHOWN = [-2.0, -1.0, 0.5, 2.0]  # the probe values a message prints


def _block_values(dense: Any, between: list[Any], values: np.ndarray) -> np.ndarray:
    """What a hidden Dense's activation and the layers up to the next Dense make of ``values``."""
    keras = _keras()
    out = dense.activation(keras.ops.convert_to_tensor(values))
    for lay in between:
        out = lay(out)
    return np.asarray(keras.ops.convert_to_numpy(out), "float64")


def _named_layer_fault(lay: Any) -> str | None:
    """The message for an advanced activation layer of the expected kind with a wrong argument."""
    keras = _keras()
    if isinstance(lay, keras.layers.LeakyReLU) and not np.isclose(lay.negative_slope, 0.1):
        return (f"LeakyReLU has negative_slope {lay.negative_slope}; the Keras 2 "
                "alpha=0.1 is negative_slope=0.1 in Keras 3.")
    if isinstance(lay, keras.layers.ELU) and not np.isclose(lay.alpha, 1.0):
        return f"ELU has alpha {lay.alpha}; the original uses alpha=1.0."
    if not isinstance(lay, keras.layers.ReLU):
        return None
    if lay.max_value is not None and np.isclose(float(lay.max_value), 1.0):
        return ("ReLU(max_value=1.0) caps outputs at 1 from above; ThresholdedReLU(theta=1.0) "
                "zeroes everything below 1. That is ReLU(threshold=1.0).")
    if not np.isclose(float(lay.threshold), 1.0) or lay.max_value is not None:
        return (f"ThresholdedReLU(theta=1.0) becomes ReLU(threshold=1.0). Yours has "
                f"threshold={lay.threshold}, max_value={lay.max_value}.")
    if float(lay.negative_slope or 0.0) != 0.0:
        slope = float(lay.negative_slope)
        return (f"ReLU(threshold=1.0, negative_slope={slope:g}) gives {slope:g}·(x − 1) below 1; "
                "ThresholdedReLU(theta=1.0) gives 0 there. Leave negative_slope at its default, 0.")
    return None


def _check_prelu_block(dense: Any, between: list[Any]) -> None:
    keras = _keras()
    prelus = [lay for lay in between if isinstance(lay, keras.layers.PReLU)]
    others = [lay for lay in between if _bends(lay) and not isinstance(lay, keras.layers.PReLU)]
    if len(prelus) != 1 or others or _bends(dense):
        raise Incorrect(
            f"After {dense.name!r}, the Dense(64), the original has PReLU() alone, which learns "
            "its slopes: a fixed activation computes a different function once they move. Put "
            "layers.PReLU() (only) after Dense(64)."
        )
    lay = prelus[0]
    start = np.asarray(keras.ops.convert_to_numpy(lay.alpha_initializer((4,))))
    if not np.all(start == 0):
        raise Incorrect(
            f"PReLU's slopes start at {float(start.flat[0]):g} (alpha_initializer); Keras 2's "
            "PReLU() starts them at 0, as Keras 3's PReLU() does: keep the default "
            "alpha_initializer."
        )
    if tuple(lay.alpha.shape) != (64,):
        raise Incorrect(
            f"PReLU learns {tuple(lay.alpha.shape)} slopes; the original PReLU() learns one per "
            "unit of Dense(64), (64,): drop shared_axes."
        )


def _check_hidden_block(dense: Any, between: list[Any]) -> None:
    """Dense(units) and what follows it up to the next Dense, judged by its values on a probe."""
    keras = _keras()
    units = dense.units
    benders = [lay for lay in between if _bends(lay)]
    if _bends(dense) and benders:
        raise Incorrect(
            f"{dense.name!r} applies {_kind(dense)} itself, and {benders[0].name!r} then acts on "
            f"its output: the original Dense({units}) has no activation. Drop activation= from it."
        )
    if units == 64:
        _check_prelu_block(dense, between)
        return
    desc, make = _HIDDEN[units]
    values = np.resize(_BLOCK_PROBE, (1, units))
    try:
        got = _block_values(dense, between, values)
    except Exception as exc:  # noqa: BLE001 -- any failure of the learner's layers is reported
        raise Incorrect(
            f"Could not apply what follows {dense.name!r} to {units} values: {exc}"
        ) from None
    want = np.asarray(keras.ops.convert_to_numpy(make(keras)(values)), "float64")
    if got.shape == want.shape and np.allclose(got, want, atol=1e-5):
        return
    fault = _named_layer_fault(benders[0]) if len(benders) == 1 else None
    if fault:
        raise Incorrect(fault)
    at = [int(np.flatnonzero(values[0] == v)[0]) for v in _SHOWN]
    shown = ", ".join(f"{v:g}" for v in _SHOWN)
    yours = ", ".join(f"{got.reshape(-1)[i]:.4g}" for i in at) if got.size == values.size else "?"
    theirs = ", ".join(f"{want[0, i]:.4g}" for i in at)
    raise Incorrect(
        f"After {dense.name!r}, the Dense({units}), the original applies {desc}: it maps "
        f"{shown} to {theirs}; yours maps them to {yours}."
    )


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
    # Each block (a Dense, its activation and the layers up to the next Dense) is judged by its
    # values: LeakyReLU(negative_slope=0.1), Activation("elu") or Dense(32, activation="elu")
    # compute the same function as the Keras 2 layers. PReLU must stay a PReLU: it learns.
    dense_at = [i for i, lay in enumerate(layers) if isinstance(lay, keras.layers.Dense)]
    if [layers[i].units for i in dense_at] != [128, 64, 32, 16, 10] or dense_at[0] != 0:
        raise Incorrect(
            "Expected the layers Dense(128), LeakyReLU, Dense(64), PReLU, Dense(32), ELU, "
            "Dense(16), ThresholdedReLU's Keras 3 form, Dense(10); your model has "
            f"{[type(lay).__name__ for lay in layers]}."
        )
    for here, upto in zip(dense_at, dense_at[1:], strict=False):
        _check_hidden_block(layers[here], layers[here + 1 : upto])
    last = dense_at[-1]
    output, after = layers[last], layers[last + 1 :]
    try:
        got = _output_values(output, after)
    except Exception as exc:  # noqa: BLE001 -- any failure of the learner's layers is reported
        raise Incorrect(f"Could not apply what follows the output Dense(10): {exc}") from None
    if got.shape != _OUTPUT_PROBE.shape or not np.allclose(got, _softmax(_OUTPUT_PROBE), atol=1e-5):
        bare = got.shape == _OUTPUT_PROBE.shape and np.allclose(got, _OUTPUT_PROBE, atol=1e-6)
        raise Incorrect(
            ("The output has no softmax: the 10 scores come out unchanged. " if bare
             else "What follows the last Dense(10) is not a softmax over its 10 scores. ")
            + "Keep activation='softmax' on Dense(10) (or an Activation('softmax') or "
            "Softmax() layer right after it, the same function)."
        )
    return ("A faithful Keras 3 translation. (If your cell warned 'Argument `alpha` is "
            "deprecated', Keras 3 still ran it, but write negative_slope=0.1: the checker "
            "cannot see which name you used.)")


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


def _translation_with(replacement: Any, at: int = 7) -> Any:
    """The reference translation with layer ``at`` (default: the threshold ReLU) replaced."""
    keras = _keras()
    model = _translation_reference()
    kept = [lay for lay in model.layers]
    kept[at] = replacement
    return keras.Sequential(
        [keras.Input((784,)), *[type(lay).from_config(lay.get_config()) for lay in kept]]
    )


def _translation_without_softmax() -> Any:
    keras = _keras()
    kept = [type(lay).from_config(lay.get_config()) for lay in _translation_reference().layers]
    kept[-1] = keras.layers.Dense(10)
    return keras.Sequential([keras.Input((784,)), *kept])


def _translation_softmax_layer(layer: Any) -> Any:
    """The reference translation whose Dense(10) has no activation, followed by ``layer``."""
    keras = _keras()
    bare = _translation_without_softmax()
    kept = [type(lay).from_config(lay.get_config()) for lay in bare.layers]
    return keras.Sequential([keras.Input((784,)), *kept, layer])


# --- q3: the two leaky ReLU defaults ------------------------------------------------------
def _defaults_reference() -> tuple[float, float]:
    keras = _keras()
    x = np.array([-2.0], "float32")
    layer_value = keras.ops.convert_to_numpy(keras.layers.LeakyReLU()(x))[0]
    function_value = keras.ops.convert_to_numpy(keras.activations.leaky_relu(x))[0]
    return float(layer_value), float(function_value)


def _check_defaults(answer: Any) -> str:
    sequence = isinstance(answer, (tuple, list))
    items = [] if isinstance(answer, str) else (
        list(answer) if sequence else list(np.asarray(answer, dtype=object).reshape(-1))
    )
    values = [one_number(a) for a in items]  # numbers, or size-1 arrays / tensors
    if len(values) != 2 or (None in values and not sequence):
        raise Incorrect(
            f"Give a pair of numbers (layer value, function value). Received: {answer!r}."
        )
    if None in values:
        raise Incorrect(f"Both values must be numbers. Received: {answer!r}.")
    got = (values[0], values[1])
    layer_value, function_value = _defaults_reference()
    if np.allclose(got, (function_value, layer_value), atol=1e-6):
        raise Incorrect(
            "Swapped: the LeakyReLU *layer* defaults to 0.3, the leaky_relu *function* to 0.2."
        )
    if any(v > 0 for v in got):
        raise Incorrect(
            "A leaky ReLU keeps the sign of a negative input: both values are negative."
        )
    if np.allclose(got, (-0.02, -0.02), atol=1e-6):
        raise Incorrect(
            f"Not the values Keras computes: you gave {got}, what a slope of 0.01 gives. Keras's "
            "defaults are not 0.01 (PyTorch's default; tf.nn.leaky_relu's is 0.2): run both."
        )
    if np.allclose(got, (layer_value / 2.0, function_value / 2.0), atol=1e-6):
        raise Incorrect(
            f"{got} are minus the two default slopes (the values at -1), not the values at "
            "-2.0: multiply each slope by the input, -2.0."
        )
    wrong = [f"the {which} value {g:g}" for which, g, truth in
             (("layer", got[0], layer_value), ("function", got[1], function_value))
             if not np.isclose(g, truth, atol=1e-6)]
    if wrong:
        raise Incorrect(
            f"Not the values Keras computes: {' and '.join(wrong)} "
            f"{'is' if len(wrong) == 1 else 'are'} off. Run "
            "layers.LeakyReLU() and keras.activations.leaky_relu on np.array([-2.0])."
        )
    return f"LeakyReLU()(-2) = {layer_value:g}, leaky_relu(-2) = {function_value:g}."


EXERCISES = ExerciseSet(
    "03",
    "Activations in Keras",
    [
        Question(
            qid="q1",
            prompt="Build a model with 8 inputs, a hidden Dense(16) followed by a leaky ReLU with "
            "negative slope 0.1, and a plain Dense(1) output (no activation on it).",
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
                (_leaky_on_inputs, "acts on the 8 inputs"),
                (_relu_then_leaky, "already applies relu"),
                (_leaky_after_output, "output layer"),
                (_leaky_on_output, "output layer"),
                (_leaky_sigmoid_output, "plain Dense(1) output"),
                (lambda: "model", "keras model"),
            ],
        ),
        Question(
            qid="q2",
            prompt="Translate the Keras 2 model shown above the cell (LeakyReLU(alpha=0.1), PReLU, "
            "ELU(alpha=1.0), ThresholdedReLU(theta=1.0), input_shape=(784,)) to Keras 3. Keras 3 "
            "still runs input_shape= and LeakyReLU(alpha=...) with a warning; write them the "
            "Keras 3 way (the checker can see input_shape=, not alpha=: read your cell's "
            "warnings).",
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
                (
                    lambda: _translation_with(
                        _keras().layers.ReLU(threshold=1.0, negative_slope=0.3)
                    ),
                    "gives 0 there",
                ),
                (lambda: _translation_with(_keras().layers.PReLU(alpha_initializer="ones"), 3),
                 "slopes start at 1"),
                (_translation_without_softmax, "no softmax"),
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
                (lambda: (-0.3, -0.2), "minus the two default slopes"),
                (lambda: (-0.6, -0.2), "the function value -0.2 is off"),
                (lambda: (0.6, 0.4), "negative"),
                (lambda: "-0.6", "pair of numbers"),
            ],
        ),
    ],
)
