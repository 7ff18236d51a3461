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


def _spy_model(layer_factory):
    seen = []

    def spy(v):
        seen.append(v)
        return keras.ops.sigmoid(v) * keras.ops.tanh(v)

    inputs = keras.Input((3,))
    model = keras.Model(inputs, layer_factory(spy)(inputs))
    return model, seen


class _NoShapeDense(keras.layers.Layer):
    """A layer without compute_output_shape: building it runs call()."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.dense, self.activation = keras.layers.Dense(4), activation

    def call(self, x):
        return self.activation(self.dense(x))


def test_building_a_dense_layer_does_not_call_its_activation():
    """07: building works from shapes (Dense.compute_output_shape); predict passes TF tensors."""
    import tensorflow as tf

    model, seen = _spy_model(lambda fn: keras.layers.Dense(4, activation=fn))
    assert seen == []
    model.predict(np.zeros((2, 3), "float32"), verbose=0)
    assert seen and all(isinstance(v, tf.Tensor) and not isinstance(v, keras.KerasTensor)
                        for v in seen)


def test_the_spy_sees_a_build_that_calls_the_activation():
    """Control: a layer without compute_output_shape runs call() to build (Keras traces it on
    the TF backend with placeholder TF tensors), so the spy counts calls before any predict."""
    _, seen = _spy_model(_NoShapeDense)
    assert len(seen) > 0


def test_saved_file_holds_the_registered_names(tmp_path):
    """18/19: config.json holds 'actlab>sigmoid_tanh' and 'actlab>LearnableSwish', no bytecode."""
    import json
    import zipfile

    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4),
                              custom.LearnableSwish(name="swish"),
                              keras.layers.Dense(3, activation=custom.sigmoid_tanh)])
    path = _save(model, tmp_path, "m.keras")
    with zipfile.ZipFile(path) as archive:
        saved = json.loads(archive.read("config.json"))["config"]["layers"]
    by_class = {lay["class_name"]: lay for lay in saved}
    assert by_class["LearnableSwish"]["registered_name"] == "actlab>LearnableSwish"
    assert saved[-1]["config"]["activation"]["config"] == "actlab>sigmoid_tanh"
    assert "__lambda__" not in json.dumps(saved)
