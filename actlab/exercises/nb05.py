"""Exercises for 05_custom_activations."""

from __future__ import annotations

import ast
import dis
import inspect
import os
import tempfile
import textwrap
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question

GRID = np.linspace(-8.0, 8.0, 161)


def _keras() -> Any:
    from actlab._keras import keras

    return keras()


def _np_sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _np_mish(x: np.ndarray) -> np.ndarray:
    return x * np.tanh(np.logaddexp(0.0, x))


def _np_tanh_exp(x: np.ndarray) -> np.ndarray:
    """TanhExp (Liu and Di, 2020), an activation Keras does not ship: x * tanh(exp(x))."""
    return x * np.tanh(np.exp(x))


def _values(fn: Callable[[Any], Any], x: np.ndarray) -> np.ndarray:
    """Call a learner's function on float32 input; the result as float64 NumPy."""
    try:
        out = fn(x.astype("float32"))
        return np.asarray(_keras().ops.convert_to_numpy(out), dtype="float64")
    except Incorrect:
        raise
    except Exception as exc:  # noqa: BLE001 - any error in learner code becomes feedback
        raise Incorrect(
            f"Calling your function on a float32 array raised {type(exc).__name__}: {exc}"
        ) from None


def _named_lookalikes(y: np.ndarray, x: np.ndarray) -> None:
    lookalikes = {
        "x * tanh(softplus(x)), that is mish, which Keras already ships": _np_mish(x),
        "x * tanh(x)": x * np.tanh(x),
        "x * sigmoid(x) (that is SiLU/swish)": x * _np_sigmoid(x),
        "tanh(exp(x)) without the factor x": np.tanh(np.exp(x)),
        "x * exp(x)": x * np.exp(x),
    }
    for name, ref in lookalikes.items():
        if y.shape == ref.shape and np.allclose(y, ref, atol=1e-4):
            raise Incorrect(f"Your function computes {name}. TanhExp is x * tanh(exp(x)).")


# --- q1: TanhExp with keras.ops -------------------------------------------------------------
def _np_tanh_exp_derivative(x: np.ndarray) -> np.ndarray:
    """d/dx [x tanh(e^x)] = tanh(e^x) + x e^x (1 - tanh(e^x)^2), worked out by hand."""
    t = np.tanh(np.exp(x))
    return t + x * np.exp(x) * (1.0 - t * t)


def _is_tensorflow(name: Any) -> bool:
    return isinstance(name, str) and (name == "tensorflow" or name.startswith("tensorflow."))


def _refers_to_tensorflow(obj: Any) -> bool:
    name = obj.__name__ if inspect.ismodule(obj) else getattr(obj, "__module__", None)
    return _is_tensorflow(name)


def _tensorflow_calls(fn: Any) -> list[str]:
    """What ``fn`` calls from TensorFlow itself (``tf.math.tanh``...), empty if nothing.

    Reads the compiled code (nested functions and lambdas included) for global
    and closure names that refer to TensorFlow and for imports of it. When the
    source can be read, only *calls* through those names count, by their dotted
    names (so ``keras.ops.cast(x, tf.float32)`` and ``tf.keras.ops.tanh``, which
    is Keras, do not); otherwise the names found are reported.
    """
    code0 = getattr(fn, "__code__", None)
    if not isinstance(code0, types.CodeType):
        return []
    scope = dict(getattr(fn, "__globals__", {}) or {})
    for name, cell in zip(code0.co_freevars, getattr(fn, "__closure__", None) or (), strict=False):
        try:
            scope[name] = cell.cell_contents
        except ValueError:  # an empty cell
            continue
    loads = ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF")
    found, stack = set(), [code0]
    while stack:
        code = stack.pop()
        for ins in dis.get_instructions(code):
            imported = ins.opname == "IMPORT_NAME" and _is_tensorflow(ins.argval)
            if imported or (ins.opname in loads and _refers_to_tensorflow(scope.get(ins.argval))):
                found.add(str(ins.argval))
        stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    if not found:
        return []
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return sorted(found)
    roots = set(found)
    for node in ast.walk(tree):  # names bound by `import tensorflow as tf` inside fn
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = getattr(node, "module", None) or ""
            roots |= {alias.asname or alias.name.split(".")[0] for alias in node.names
                      if _is_tensorflow(module) or _is_tensorflow(alias.name)}
    return sorted({ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)
                   and ast.unparse(n.func).split(".")[0] in roots
                   and ".keras." not in f"{ast.unparse(n.func)}."})


def _check_tanh_exp(fn: Any) -> str:
    from actlab.custom import check_gradient

    if not callable(fn):
        raise Incorrect(f"Give a function of one tensor. Received: {type(fn).__name__}.")
    tf_calls = _tensorflow_calls(fn)
    if tf_calls:
        raise Incorrect(
            f"Your function calls TensorFlow itself ({', '.join(tf_calls)}): the question asks "
            "for keras.ops (section 2). keras.ops.tanh and keras.ops.exp hand the work to "
            "whatever backend Keras runs on; tf.math runs only on TensorFlow."
        )
    y = _values(fn, GRID)
    if y.shape != GRID.shape:
        raise Incorrect(
            f"An activation is element-wise: input shape {GRID.shape}, your output shape {y.shape}."
        )
    _named_lookalikes(y, GRID)
    if not np.allclose(y, _np_tanh_exp(GRID), atol=1e-5):
        worst = float(GRID[np.argmax(np.abs(y - _np_tanh_exp(GRID)))])
        raise Incorrect(f"Values differ from x * tanh(exp(x)), most at x = {worst:g}.")
    points = np.linspace(-6.0, 6.0, 61)
    try:
        res = check_gradient(fn, points)
    except ValueError as exc:
        if "gradient is None" in str(exc):
            raise Incorrect(
                "The values are right, but automatic differentiation cannot follow "
                "your function: its result does not depend on its input through tensor "
                "operations (NumPy?). Write it with keras.ops: keras.ops.tanh, keras.ops.exp."
            ) from None
        raise Incorrect(f"Checking the gradient on float64 points failed: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any error in learner code becomes feedback
        raise Incorrect(
            f"Calling your function on a float64 tensor raised {type(exc).__name__}: {exc}"
        ) from None
    # Compared with the derivative worked out by hand, at the precision the function computes
    # in: float64 agrees to ~1e-15, float32 (an answer that casts first) to ~1e-6.
    tol = 1e-8 if res.output_dtype == "float64" else 1e-4
    gap = float(np.max(np.abs(res.autodiff - _np_tanh_exp_derivative(points))))
    if gap > tol:
        raise Incorrect(
            f"The values are right, but the gradient disagrees with the derivative by "
            f"{gap:.2g}: part of your function is invisible to automatic "
            "differentiation (NumPy?). Use keras.ops for every operation."
        )
    return (
        f"Matches the NumPy reference; its gradient (automatic differentiation, "
        f"{res.output_dtype}) matches the derivative by hand (max gap {gap:.1e})."
    )


def _tanh_exp_reference() -> Callable[[Any], Any]:
    ops = _keras().ops

    def tanh_exp(x: Any) -> Any:
        return x * ops.tanh(ops.exp(x))

    return tanh_exp


def _tanh_exp_numpy(x: Any) -> Any:
    return x * np.tanh(np.exp(x))


# --- q2: the derivative of sigmoid * tanh ---------------------------------------------------
def _autodiff_derivative(x: np.ndarray) -> np.ndarray:
    from actlab.custom import check_gradient, sigmoid_tanh

    return check_gradient(sigmoid_tanh, x).autodiff


def _check_derivative(fn: Any) -> str:
    if not callable(fn):
        raise Incorrect(f"Give a function d(x). Received: {type(fn).__name__}.")
    d = _values(fn, GRID)
    truth = _autodiff_derivative(GRID)
    s, t = _np_sigmoid(GRID), np.tanh(GRID)
    if d.shape != GRID.shape:
        raise Incorrect(f"d(x) should have the input's shape {GRID.shape}; got {d.shape}.")
    if np.allclose(d, s * (1 - s) * (1 - t**2), atol=1e-4):
        raise Incorrect(
            "That is sigmoid'(x) * tanh'(x). The derivative of a product needs "
            "the product rule: (f g)' = f' g + f g'."
        )
    if np.allclose(d, s * (1 - s) * t, atol=1e-4) or np.allclose(d, s * (1 - t**2), atol=1e-4):
        raise Incorrect(
            "One term of the product rule is missing: "
            "d/dx [sigmoid tanh] = sigmoid' tanh + sigmoid tanh'."
        )
    if not np.allclose(d, truth, atol=1e-5):
        worst = float(GRID[np.argmax(np.abs(d - truth))])
        raise Incorrect(
            f"d(x) disagrees with automatic differentiation, most at x = {worst:g}. "
            "Remember sigmoid' = sigmoid (1 - sigmoid), tanh' = 1 - tanh^2."
        )
    return "Agrees with automatic differentiation on [-8, 8]."


def _derivative_reference() -> Callable[[Any], Any]:
    ops = _keras().ops

    def d(x: Any) -> Any:
        s, t = ops.sigmoid(x), ops.tanh(x)
        return s * (1 - s) * t + s * (1 - t * t)

    return d


# --- q3: a model that reloads in safe mode ---------------------------------------------------
def _round_trip(model: Any) -> tuple[Any, float]:
    keras = _keras()
    x = np.random.default_rng(0).normal(size=(16, *model.input_shape[1:])).astype("float32")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "answer.keras")
        model.save(path)
        try:
            loaded = keras.models.load_model(path, safe_mode=True)
        except ValueError as exc:
            if "Python lambda" in str(exc):
                raise Incorrect(
                    "Your model uses a Python lambda (in a Lambda layer): Keras saves "
                    "a lambda as bytecode, and safe_mode=True refuses to load it (it "
                    "would run code stored in the file). Use a named function, "
                    "registered: Dense(..., activation=tanh_exp)."
                ) from None
            raise Incorrect(f"Reloading failed: {str(exc)[:200]}") from None
        except Exception:  # noqa: BLE001 - Keras raises TypeError for unknown functions
            raise Incorrect(
                "The saved model could not be reloaded: Keras did not find your "
                "function. Register it with "
                "@keras.saving.register_keras_serializable(package=...)."
            ) from None
    gap = float(np.max(np.abs(model.predict(x, verbose=0) - loaded.predict(x, verbose=0))))
    return loaded, gap


def _check_safe_model(model: Any) -> str:
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise Incorrect(f"Give a keras model. Received: {type(model).__name__}.")
    lambdas = [lay.name for lay in model.layers
               if getattr(getattr(lay, "activation", None), "__name__", "") == "<lambda>"]
    if lambdas:  # Keras would save it as bytecode and refuse it in safe mode
        raise Incorrect(
            f"Layer {lambdas[0]!r} uses a Python lambda as its activation: Keras saves a "
            "lambda as bytecode, and safe_mode=True refuses to load it. Use a named "
            "function, registered: Dense(..., activation=tanh_exp)."
        )
    loaded, gap = _round_trip(model)
    applied = []
    for layer in loaded.layers:
        act = getattr(layer, "activation", None)
        if callable(act) and not isinstance(act, keras.layers.Layer):
            y = np.asarray(keras.ops.convert_to_numpy(act(GRID.astype("float32"))), "float64")
            applied.append((layer.name, y))
    if not any(y.shape == GRID.shape and np.allclose(y, _np_tanh_exp(GRID), atol=1e-5)
               for _, y in applied):
        builtin = [n for n, y in applied
                   if y.shape == GRID.shape and np.allclose(y, _np_mish(GRID), atol=1e-5)]
        if builtin:
            raise Incorrect(
                f"Layer {builtin[0]!r} applies mish, which Keras ships: it reloads by name "
                "without any registration, so it shows nothing. Use your own tanh_exp, "
                "registered."
            )
        raise Incorrect(
            "The reloaded model round-trips, but no layer applies tanh_exp as its "
            "activation=. Use Dense(..., activation=tanh_exp)."
        )
    if gap != 0.0:
        raise Incorrect(f"The reloaded model's predictions differ by {gap:.2g}.")
    return "Saved, reloaded with safe_mode=True, identical predictions."


def _registered_tanh_exp() -> Callable[[Any], Any]:
    keras = _keras()

    @keras.saving.register_keras_serializable(package="actlab_exercises", name="tanh_exp")
    def tanh_exp(x: Any) -> Any:
        return x * keras.ops.tanh(keras.ops.exp(x))

    return tanh_exp


def _safe_reference() -> Any:
    keras = _keras()
    return keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation=_registered_tanh_exp()),
            keras.layers.Dense(1),
        ]
    )


def _unregistered_model() -> Any:
    keras = _keras()

    def tanh_exp(x: Any) -> Any:  # a fresh, unregistered function
        return x * keras.ops.tanh(keras.ops.exp(x))

    tanh_exp.__name__ = "unregistered_tanh_exp_for_the_exercise_test"
    return keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, activation=tanh_exp), keras.layers.Dense(1)]
    )


def _builtin_mish_model() -> Any:
    keras = _keras()
    return keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, activation="mish"), keras.layers.Dense(1)]
    )


def _lambda_model() -> Any:
    keras = _keras()
    return keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8),
            keras.layers.Lambda(lambda t: t * keras.ops.tanh(keras.ops.exp(t))),
            keras.layers.Dense(1),
        ]
    )


def _lambda_activation_model() -> Any:
    """activation=lambda ...: Keras warns when saving, and the file holds bytecode."""
    keras = _keras()
    return keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation=lambda t: t * keras.ops.tanh(keras.ops.exp(t))),
            keras.layers.Dense(1),
        ]
    )


def _named_lambda_layer_model() -> Any:
    """A Lambda layer around the registered function: safe to load, but not activation=."""
    keras = _keras()
    return keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8),
            keras.layers.Lambda(_registered_tanh_exp()),
            keras.layers.Dense(1),
        ]
    )


def _relu_model() -> Any:
    keras = _keras()
    return keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)]
    )


_Q3_SOLUTION = """\
@keras.saving.register_keras_serializable(package="course")
def tanh_exp(x):
    return x * keras.ops.tanh(keras.ops.exp(x))


answer_q3 = keras.Sequential(
    [keras.Input((4,)), layers.Dense(8, activation=tanh_exp), layers.Dense(1)]
)"""

EXERCISES = ExerciseSet(
    "05",
    "Custom activations",
    [
        Question(
            qid="q1",
            prompt=(
                "Write TanhExp, f(x) = x * tanh(exp(x)) (Liu and Di, 2020; Keras does not ship "
                "it), as a function of a tensor, with keras.ops."
            ),
            checker=_check_tanh_exp,
            hint_text="keras.ops has tanh and exp; multiply by x at the end.",
            solution_text=(
                "keras.ops functions work on every backend and are differentiable, so Keras can "
                "train through them; NumPy functions give the right numbers but no gradient."
            ),
            solution_code="def answer_q1(x):\n    return x * keras.ops.tanh(keras.ops.exp(x))",
            reference=_tanh_exp_reference,
            wrong_answers=[
                (lambda: _keras().activations.mish, "mish, which Keras already ships"),
                (lambda: lambda x: x * _keras().ops.tanh(x), "x * tanh(x)"),
                (lambda: lambda x: x * _keras().ops.sigmoid(x), "SiLU"),
                (lambda: _tanh_exp_numpy, "NumPy"),
                (lambda: 1.0, "function of one tensor"),
            ],
        ),
        Question(
            qid="q2",
            prompt=(
                "Write d(x), the derivative of sigmoid(x) * tanh(x), by hand (no autodiff), as a "
                "function of an array."
            ),
            checker=_check_derivative,
            hint_text="Product rule, with sigmoid' = sigmoid (1 - sigmoid) and tanh' = 1 - tanh^2.",
            solution_text=(
                "d/dx [s t] = s (1 - s) t + s (1 - t^2) with s = sigmoid(x), t = tanh(x); the "
                "notebook's gradient check computes the same numbers by autodiff."
            ),
            solution_code="def answer_q2(x):\n"
            "    s, t = keras.ops.sigmoid(x), keras.ops.tanh(x)\n"
            "    return s * (1 - s) * t + s * (1 - t * t)",
            reference=_derivative_reference,
            wrong_answers=[
                (
                    lambda: lambda x: _np_sigmoid(x) * (1 - _np_sigmoid(x)) * (1 - np.tanh(x) ** 2),
                    "product rule",
                ),
                (lambda: lambda x: _np_sigmoid(x) * (1 - _np_sigmoid(x)) * np.tanh(x), "One term"),
                (lambda: lambda x: np.ones_like(x), "disagrees"),
                (lambda: "s*(1-s)", "function d(x)"),
            ],
        ),
        Question(
            qid="q3",
            prompt=(
                "Register your tanh_exp function and give a small model (4 inputs, Dense(8) with "
                "activation=tanh_exp, Dense(1)) that saves to .keras and reloads with "
                "safe_mode=True."
            ),
            checker=_check_safe_model,
            hint_text=(
                "Decorate the function with "
                "@keras.saving.register_keras_serializable(package=...), "
                "then use it as Dense(..., activation=tanh_exp). No Python lambda."
            ),
            solution_text=(
                "Registered objects are saved by name and looked up in your code when loading, so "
                "nothing from the file is executed. What safe mode refuses is a Python lambda "
                "(Keras: safe_mode disallows unsafe `lambda` deserialization): a lambda has no "
                "name, so it is saved as bytecode. A Lambda layer around a registered named "
                "function loads in safe mode; around a lambda it is refused."
            ),
            solution_code=_Q3_SOLUTION,
            reference=_safe_reference,
            wrong_answers=[
                (_unregistered_model, "Register it"),
                (_lambda_model, "Python lambda (in a Lambda layer)"),
                (_lambda_activation_model, "Python lambda as its activation"),
                (_named_lambda_layer_model, "no layer applies tanh_exp"),
                (_relu_model, "no layer applies tanh_exp"),
                (_builtin_mish_model, "which Keras ships"),
                (lambda: "model", "keras model"),
            ],
        ),
    ],
)
