"""Claims of 05_custom_activations checked outside it: what safe mode refuses, keras.ops only."""

from __future__ import annotations

import ast
import inspect
import os
import textwrap

import keras
import numpy as np
import pytest

from actlab import custom


def _calls_in(fn):
    body = ast.parse(textwrap.dedent(inspect.getsource(fn))).body[0].body
    return sorted({ast.unparse(n.func) for stmt in body for n in ast.walk(stmt)
                   if isinstance(n, ast.Call)})


def _lambda_layer_model(function):
    return keras.Sequential([keras.Input((5,)), keras.layers.Dense(4),
                             keras.layers.Lambda(function), keras.layers.Dense(2)])


def _save(model, tmp_path, name):
    path = os.path.join(tmp_path, name)
    model.save(path)
    return path


def test_load_model_docstring_says_safe_mode_is_about_lambdas():
    """The notebook quotes Keras's own load_model docstring word for word."""
    doc = " ".join(keras.models.load_model.__doc__.split())
    assert ("whether to disallow unsafe `lambda` deserialization. When `safe_mode=False`, "
            "loading an object has the potential to trigger arbitrary code execution.") in doc


def test_lambda_layer_around_registered_function_loads_in_safe_mode(tmp_path):
    """Lambda(custom.sigmoid_tanh) is saved by its registered name, reloads in safe mode."""
    model = _lambda_layer_model(custom.sigmoid_tanh)
    assert model.layers[1].get_config()["function"]["config"] == "actlab>sigmoid_tanh"
    loaded = keras.models.load_model(_save(model, tmp_path, "named.keras"), safe_mode=True)
    x = np.random.default_rng(0).normal(size=(8, 5)).astype("float32")
    assert np.array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))


def test_lambda_layer_around_python_lambda_is_refused_in_safe_mode(tmp_path):
    """Lambda(lambda v: ...) is saved as bytecode: refused in safe mode, loaded without it."""
    model = _lambda_layer_model(lambda v: keras.ops.sigmoid(v) * keras.ops.tanh(v))
    assert model.layers[1].get_config()["function"]["class_name"] == "__lambda__"
    path = _save(model, tmp_path, "lambda.keras")
    with pytest.raises(ValueError, match="Python lambda"):
        keras.models.load_model(path, safe_mode=True)
    assert keras.models.load_model(path, safe_mode=False) is not None  # control: the file is fine


def test_sigmoid_tanh_calls_only_keras_ops():
    """What makes it backend-neutral: its body calls keras.ops only; a tf.math version does not."""
    import tensorflow as tf

    def tf_version(v):
        return tf.math.sigmoid(v) * tf.math.tanh(v)

    assert _calls_in(custom.sigmoid_tanh)
    assert all(name.startswith("keras.ops.") for name in _calls_in(custom.sigmoid_tanh))
    assert _calls_in(tf_version) == ["tf.math.sigmoid", "tf.math.tanh"]  # the test can fail
