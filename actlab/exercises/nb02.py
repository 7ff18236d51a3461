"""Exercises for 02_why_nonlinearity."""

from __future__ import annotations

from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question
from actlab.exercises._lab_playground import SLIDER_QUESTIONS, notebook_seed

STACK_WIDTHS = (4, 6, 5, 3)
STACK_SEED_OFFSET = 3
"""The notebook builds q1's stack with ``seed=SEED + 3``."""
ACCURACY_BAR = 0.95
CIRCLES_N = 400
"""q2 is judged on ``make_circles(400, seed=SEED + 1)``: the notebook's x_test, y_test."""
_LINEAR_NAMES = {"linear", "None", None}


# --- q1: fold three linear layers ------------------------------------------------------
def _stack() -> Any:
    from actlab.models import linear_stack

    return linear_stack(STACK_WIDTHS, seed=notebook_seed() + STACK_SEED_OFFSET)


def _stack_weights() -> list[tuple[np.ndarray, np.ndarray]]:
    return [tuple(np.asarray(w, "float64") for w in lay.get_weights()) for lay in _stack().layers]


def _merged_reference() -> tuple[np.ndarray, np.ndarray]:
    (w1, b1), (w2, b2), (w3, b3) = _stack_weights()
    return w1 @ w2 @ w3, (b1 @ w2 + b2) @ w3 + b3


def _check_merged(answer: Any) -> str:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Incorrect(f"Give a pair (W, b) of NumPy arrays. Received: {type(answer).__name__}.")
    try:
        w, b = (np.asarray(a, "float64") for a in answer)
    except (TypeError, ValueError):
        raise Incorrect("W and b must be numeric arrays.") from None
    n_in, n_out = STACK_WIDTHS[0], STACK_WIDTHS[-1]
    if w.shape == (n_out, n_in):
        raise Incorrect(
            f"W has shape {w.shape}: that is transposed. Keras kernels are "
            f"(inputs, units), so the merged W is ({n_in}, {n_out}): W1 @ W2 @ W3."
        )
    if w.shape != (n_in, n_out):
        raise Incorrect(
            f"W should have shape ({n_in}, {n_out}) (inputs x outputs). Received {w.shape}."
        )
    if b.shape == (1, n_out):
        b = b.reshape(n_out)  # a (1, 3) row adds the same numbers in x @ W + b
    if b.shape != (n_out,):
        raise Incorrect(f"b should have shape ({n_out},), one bias per output. Received {b.shape}.")
    true_w, true_b = _merged_reference()
    if not np.allclose(w, true_w, atol=1e-5):
        raise Incorrect(
            "W does not match the model: multiply the kernels in layer order, "
            "W1 @ W2 @ W3 (each kernel is (inputs, units)). (The check rebuilds deep_linear "
            f"with seed=SEED + {STACK_SEED_OFFSET}, SEED = {notebook_seed()}: the seed "
            "actlab.seed last set.)"
        )
    (_, _), (_, _), (_, b3) = _stack_weights()
    if np.allclose(b, b3, atol=1e-5):
        raise Incorrect(
            "b is only the last layer's bias: the earlier biases reach the output "
            "too, through the kernels after them. b = (b1 @ W2 + b2) @ W3 + b3."
        )
    if not np.allclose(b, true_b, atol=1e-5):
        raise Incorrect(
            "W is right but b is not. Push each bias through the kernels that "
            "come after it: b = (b1 @ W2 + b2) @ W3 + b3."
        )
    x = np.random.default_rng(0).normal(size=(64, n_in)).astype("float32")
    pred = np.asarray(_stack().predict(x, verbose=0), "float64")
    gap = float(np.max(np.abs(x @ w + b - pred)))
    if gap > 1e-4:  # pragma: no cover - cannot happen when W and b match the weights
        raise Incorrect(f"x @ W + b differs from the model's predictions by {gap:.2g}.")
    return f"x @ W + b reproduces the three-layer model (largest gap {gap:.1e})."


def _transposed() -> tuple[np.ndarray, np.ndarray]:
    w, b = _merged_reference()
    return w.T, b


def _forgot_b2() -> tuple[np.ndarray, np.ndarray]:
    (_, b1), (w2, _), (w3, b3) = _stack_weights()
    w, _ = _merged_reference()
    return w, b1 @ w2 @ w3 + b3


def _last_bias_only() -> tuple[np.ndarray, np.ndarray]:
    (_, _), (_, _), (_, b3) = _stack_weights()
    w, _ = _merged_reference()
    return w, b3


# --- q2: a tanh-only network that separates the circles ----------------------------------
def _activation_name(layer: Any) -> str | None:
    """The activation a layer applies (``"tanh"``, ``"linear"``, ``"relu"``...), None if none."""
    import keras

    advanced = (
        keras.layers.ReLU,
        keras.layers.LeakyReLU,
        keras.layers.PReLU,
        keras.layers.ELU,
        keras.layers.Softmax,
    )
    if isinstance(layer, advanced):
        return type(layer).__name__.lower()
    if not hasattr(layer, "activation"):
        return None
    act = keras.activations.serialize(layer.activation)
    return str(act if isinstance(act, str) else getattr(layer.activation, "__name__", act))


def _hidden_activation_names(model: Any) -> list[tuple[str, str]]:
    """(layer name, activation name) for every layer but the last that applies one."""
    found = [(layer.name, _activation_name(layer)) for layer in model.layers[:-1]]
    return [(name, act) for name, act in found if act is not None]


def _test_accuracy(model: Any) -> float:
    from actlab.data import make_circles

    x, y = make_circles(CIRCLES_N, seed=notebook_seed() + 1)
    out = np.asarray(model.predict(x, verbose=0))
    if out.ndim == 2 and out.shape[1] > 1:
        pred = out.argmax(1)
    else:
        out = out.reshape(-1)
        pred = (out > (0.5 if out.min() >= 0 and out.max() <= 1 else 0.0)).astype(int)
    return float(np.mean(pred == y))


def _dense_types() -> tuple[type, ...]:
    import keras

    return (keras.layers.Dense, keras.layers.EinsumDense)


def _applies_tanh(layer: Any) -> bool:
    """True for a layer whose activation is tanh, or a weightless layer that computes tanh.

    A layer without an ``activation`` (a ``Lambda``, a custom layer) is judged by
    what it computes on probe values, not by how it is spelled.
    """
    if _activation_name(layer) == "tanh":
        return True
    if layer.weights or hasattr(layer, "activation") or isinstance(layer, _dense_types()):
        return False
    z = np.linspace(-3.0, 3.0, 13, dtype="float32").reshape(1, 13)
    try:
        out = np.asarray(layer(z))
    except Exception:  # noqa: BLE001 -- a layer that cannot take a (1, 13) probe is not tanh
        return False
    return out.shape == z.shape and bool(np.allclose(out, np.tanh(z), atol=1e-5))


def _linear_hidden_dense(model: Any) -> str | None:
    """The name of the first hidden Dense layer that no tanh follows, or None.

    The output layer is the last Dense layer. A hidden Dense layer without
    activation is a tanh layer when a layer that applies tanh comes after it,
    before the next Dense layer (``Dense(16)`` then ``Activation("tanh")``; a
    ``BatchNormalization`` or ``Dropout`` may sit between them).
    """
    stack = list(model.layers)
    dense = [i for i, layer in enumerate(stack) if isinstance(layer, _dense_types())]
    for i, nxt in zip(dense[:-1], dense[1:], strict=True):
        if _activation_name(stack[i]) not in _LINEAR_NAMES:
            continue  # relu etc. are refused by name before this
        if not any(_applies_tanh(after) for after in stack[i + 1 : nxt]):
            return str(stack[i].name)
    return None


def _check_tanh_model(model: Any) -> str:
    import keras

    if not isinstance(model, keras.Model):
        raise Incorrect(f"Give the trained keras model. Received: {type(model).__name__}.")
    if tuple(model.input_shape) != (None, 2):
        raise Incorrect(
            f"The model must take 2-D points, input shape (None, 2). "
            f"Received input shape {model.input_shape}."
        )
    acts = _hidden_activation_names(model)
    other = [(n, a) for n, a in acts if a not in _LINEAR_NAMES and a != "tanh"]
    if other:
        name, act = other[0]
        raise Incorrect(
            f"Layer {name!r} uses {act}; this exercise asks for tanh in every hidden layer."
        )
    if not any(_applies_tanh(layer) for layer in model.layers[:-1]):
        raise Incorrect(
            "No hidden layer applies tanh, so the model is linear and can only "
            "draw a straight line. Use Dense(..., activation='tanh')."
        )
    linear = _linear_hidden_dense(model)
    if linear is not None:
        raise Incorrect(
            f"Layer {linear!r} has no activation, and no tanh comes after it before the next "
            "Dense layer: that hidden layer is linear. Give it activation='tanh' (or put "
            "Activation('tanh') right after it): tanh in every hidden layer."
        )
    acc = _test_accuracy(model)
    if acc < ACCURACY_BAR:
        raise Incorrect(
            f"Test accuracy on x_test, y_test (make_circles({CIRCLES_N}, "
            f"seed=SEED + 1), SEED = {notebook_seed()}) is {acc:.3f} < "
            f"{ACCURACY_BAR}. Train it (compile + fit), longer or wider."
        )
    return f"Test accuracy {acc:.3f} with tanh hidden layers."


def _tanh_reference() -> Any:
    import keras

    from actlab.data import make_circles
    from actlab.models import mlp

    seed = notebook_seed()
    x, y = make_circles(CIRCLES_N, seed=seed)
    model = mlp(2, [16, 16], "tanh", output_activation="sigmoid", seed=seed + 2)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy")
    model.fit(x, y, epochs=40, batch_size=64, verbose=0)
    return model


def _untrained(activation: str | None) -> Any:
    from actlab.models import mlp

    return mlp(2, [16, 16], activation, output_activation="sigmoid", seed=notebook_seed() + 2)


_Q2_SOLUTION = """\
model = keras.Sequential([
    keras.Input((2,)),
    layers.Dense(16, activation="tanh"),
    layers.Dense(16, activation="tanh"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy")
model.fit(x_train, y_train, epochs=40, batch_size=64, verbose=0)
answer_q2 = model"""

EXERCISES = ExerciseSet(
    "02",
    "Why non-linearity",
    [
        Question(
            qid="q1",
            prompt=(
                "`deep_linear = actlab.models.linear_stack([4, 6, 5, 3], seed=SEED + 3)` stacks "
                "three "
                "Dense "
                "layers without activation. Give the pair (W, b) of the single linear layer it "
                "equals: deep_linear(x) == x @ W + b."
            ),
            checker=_check_merged,
            hint_text=(
                "Start from two layers: (x @ W1 + b1) @ W2 + b2. Expand it, then add the third "
                "layer "
                "the same way. `layer.get_weights()` returns [kernel, bias]."
            ),
            solution_text="Composing affine maps gives an affine map: W = W1 @ W2 @ W3 and "
            "b = (b1 @ W2 + b2) @ W3 + b3.",
            solution_code=(
                "(W1, b1), (W2, b2), (W3, b3) = (layer.get_weights() for layer in "
                "deep_linear.layers)\n"
                "answer_q1 = (W1 @ W2 @ W3, (b1 @ W2 + b2) @ W3 + b3)"
            ),
            reference=_merged_reference,
            wrong_answers=[
                (_transposed, "transposed"),
                (_last_bias_only, "earlier biases"),
                (_forgot_b2, "W is right but b is not"),
                (lambda: 3.0, "pair (W, b)"),
            ],
        ),
        Question(
            qid="q2",
            prompt=(
                "Build and train a network whose hidden layers all use tanh and that reaches a "
                "test "
                f"accuracy of at least {ACCURACY_BAR} on the circles (x_test, y_test = "
                "make_circles(400, seed=SEED + 1)). Give the trained model."
            ),
            checker=_check_tanh_model,
            hint_text=(
                "Copy the ReLU network of this notebook, change the hidden activation to 'tanh', "
                "compile and fit."
            ),
            solution_text=(
                "tanh bends the plane just as ReLU does, only smoothly; two hidden layers of 16 "
                "units "
                "and 40 epochs of Adam separate the circles."
            ),
            solution_code=_Q2_SOLUTION,
            reference=_tanh_reference,
            wrong_answers=[
                (lambda: _untrained("relu"), "uses relu"),
                (lambda: _untrained(None), "is linear"),
                (lambda: _untrained("tanh"), "Test accuracy"),
                (lambda: "model", "trained keras model"),
            ],
        ),
        *SLIDER_QUESTIONS,
    ],
)
