"""Tests for actlab.probes: get_activations, gradient_norms, dead_units."""

from __future__ import annotations

import gc
import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from actlab import probes
from actlab.probes import dead_units, get_activations, gradient_norms
from actlab.surgery import find_activations

RNG = np.random.default_rng(1)


def branches():
    inp = keras.Input((6,), name="x")
    a = layers.Dense(8, activation="relu", name="a")(inp)
    b = layers.ReLU(name="b_relu")(layers.Dense(8, name="b")(inp))
    cat = layers.Concatenate(name="cat")([a, b])
    h = layers.BatchNormalization(name="bn")(cat)
    h = layers.Dropout(0.5, name="drop")(h)
    out = layers.Dense(3, activation="softmax", name="out")(h)
    return keras.Model(inp, out, name="branches")


def nested():
    inner = keras.Sequential(
        [keras.Input((8,)), layers.Dense(5, activation="tanh", name="deep")], name="inner"
    )
    m_in = keras.Input((6,))
    middle = keras.Model(
        m_in, inner(layers.Dense(8, activation="relu", name="mid")(m_in)), name="middle"
    )
    inp = keras.Input((6,))
    h = layers.Dense(6, activation="elu", name="top")(inp)
    out = layers.Dense(3, name="out")(middle(h))
    return keras.Model(inp, out, name="outer"), middle, inner


def shared():
    inp = keras.Input((6,))
    dense = layers.Dense(4, activation="relu", name="shared")
    a = dense(inp)
    b = dense(layers.Dense(6, name="pre")(inp))
    return keras.Model(inp, layers.Add(name="add")([a, b]), name="shared_model"), dense


def convnet():
    inp = keras.Input((8, 8, 2))
    h = layers.Conv2D(6, 3, activation="relu", name="conv")(inp)
    h = layers.GlobalAveragePooling2D(name="gap")(h)
    return keras.Model(inp, layers.Dense(4, activation="relu", name="dense")(h), name="convnet")


def data(model, n):
    return RNG.normal(size=(n, *model.inputs[0].shape[1:])).astype("float32")


def hand_probe(model, names):
    """The hand-written reference: a multi-output Model over layer outputs."""
    return keras.Model(model.inputs, [model.get_layer(n).output for n in names])


# ---------------------------------------------------------------------------
# get_activations


def test_get_activations_matches_hand_written_model():
    """Every layer's output equals a hand-written multi-output keras.Model's."""
    model = branches()
    x = data(model, 50)
    acts = get_activations(model, x)
    names = [layer.name for layer in model.layers[1:]]
    assert sorted(acts) == sorted(names)
    for name, ref in zip(names, hand_probe(model, names).predict(x, verbose=0), strict=True):
        np.testing.assert_allclose(acts[name], ref, rtol=1e-5, atol=1e-6)


def test_get_activations_keys_in_network_order():
    """Keys follow the model's layer order."""
    model = branches()
    assert list(get_activations(model, data(model, 3))) == [
        layer.name for layer in model.layers[1:]
    ]


def test_get_activations_last_layer_equals_predict():
    """The output layer's activations are the model's predictions."""
    model = branches()
    x = data(model, 20)
    np.testing.assert_allclose(
        get_activations(model, x)["out"], model.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize("batch_size", [1, 7, 64, 1000])
def test_get_activations_independent_of_batch_size(batch_size):
    """Batching does not change the result (inference mode, so BN/Dropout are fixed)."""
    model = branches()
    x = data(model, 40)
    full = get_activations(model, x, batch_size=1000)
    part = get_activations(model, x, batch_size=batch_size)
    for k in full:
        assert part[k].shape == (40, *full[k].shape[1:])
        np.testing.assert_allclose(part[k], full[k], rtol=1e-5, atol=1e-6)


def test_get_activations_selected_layers_only():
    """layers= returns exactly the named layers."""
    model = branches()
    acts = get_activations(model, data(model, 5), layers=["out", "a"])
    assert list(acts) == ["a", "out"]


def test_get_activations_nested_paths_match_inner_models():
    """Nested layers are keyed by path and equal the inner models' own outputs."""
    model, middle, inner = nested()
    x = data(model, 30)
    acts = get_activations(model, x)
    assert list(acts) == ["top", "middle/mid", "middle/inner/deep", "out"]
    mid_ref = hand_probe(middle, ["mid"]).predict(acts["top"], verbose=0)
    np.testing.assert_allclose(acts["middle/mid"], mid_ref, atol=1e-6)
    np.testing.assert_allclose(
        acts["middle/inner/deep"], inner.predict(acts["middle/mid"], verbose=0), atol=1e-6
    )


def test_get_activations_nested_model_name_selects_its_layers():
    """layers=['middle'] gives the nested model's output and all its layers."""
    model, _, _ = nested()
    acts = get_activations(model, data(model, 4), layers=["middle"])
    assert list(acts) == ["middle", "middle/mid", "middle/inner", "middle/inner/deep"]
    np.testing.assert_allclose(acts["middle"], acts["middle/inner/deep"], atol=1e-6)


def test_get_activations_shared_layer_one_entry_per_call():
    """A shared layer has one entry per call, each equal to that call's output."""
    model, dense = shared()
    x = data(model, 10)
    acts = get_activations(model, x)
    kernel, bias = dense.get_weights()
    pre = acts["pre"]
    np.testing.assert_allclose(acts["shared"], np.maximum(x @ kernel + bias, 0), atol=1e-5)
    np.testing.assert_allclose(acts["shared@1"], np.maximum(pre @ kernel + bias, 0), atol=1e-5)


def test_get_activations_multi_input_model():
    """A model with two inputs takes a list of arrays."""
    a, b = keras.Input((3,)), keras.Input((2,))
    out = layers.Dense(2, activation="relu", name="d")(layers.Concatenate(name="c")([a, b]))
    model = keras.Model([a, b], out)
    xa, xb = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 2))
    acts = get_activations(model, [xa, xb])
    np.testing.assert_allclose(acts["c"], np.concatenate([xa, xb], axis=1), atol=1e-6)


def test_get_activations_leaves_model_unchanged():
    """Probing neither changes weights nor adds graph nodes to the model's layers."""
    model, _, _ = nested()
    before_nodes = [len(layer._inbound_nodes) for layer in model.layers]
    before_w = model.get_weights()
    get_activations(model, data(model, 8))
    gradient_norms(model, data(model, 8), RNG.normal(size=(8, 3)), loss="mse")
    assert [len(layer._inbound_nodes) for layer in model.layers] == before_nodes
    for a, b in zip(before_w, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert model.get_layer("out").output is not None


def test_cached_probe_sees_new_weights():
    """The cached probe shares the model's weights: after set_weights it sees the new ones."""
    model = branches()
    x = data(model, 6)
    get_activations(model, x)
    kernel, bias = model.get_layer("a").get_weights()
    model.get_layer("a").set_weights([kernel * 0, bias * 0 + 1.5])
    np.testing.assert_allclose(get_activations(model, x, layers=["a"])["a"], 1.5)
    np.testing.assert_allclose(get_activations(model, x)["a"], 1.5)


def test_cache_follows_sequential_add():
    """After Sequential.add the probes include the new layer."""
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="relu", name="h")])
    x, y = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 2))
    get_activations(model, x)
    gradient_norms(model, x, np.zeros((5, 4)), loss="mse")
    model.add(layers.Dense(2, name="new"))
    assert list(get_activations(model, x)) == ["h", "new"]
    assert list(gradient_norms(model, x, y, loss="mse")) == ["h", "new"]


def test_probe_built_once_and_reused():
    """The probe is built on the first call only; a new selection builds a new one."""
    model = branches()
    x = data(model, 10)
    start = probes.BUILD_COUNT["probe"]
    get_activations(model, x)
    get_activations(model, x[:3])
    assert probes.BUILD_COUNT["probe"] == start + 1
    get_activations(model, x, layers=["a"])
    assert probes.BUILD_COUNT["probe"] == start + 2
    get_activations(model, x, layers=["a"])
    assert probes.BUILD_COUNT["probe"] == start + 2


def test_probe_cache_does_not_keep_model_alive():
    """Deleting the model frees its cached probe and gradient function."""
    gc.collect()
    model = branches()
    get_activations(model, data(model, 4))
    gradient_norms(model, data(model, 4), np.zeros(4), loss="sparse_categorical_crossentropy")
    assert model in probes._PROBES and model in probes._GRADS
    n_probes, n_grads = len(probes._PROBES), len(probes._GRADS)
    del model
    gc.collect()
    assert len(probes._PROBES) == n_probes - 1
    assert len(probes._GRADS) == n_grads - 1


def test_probe_is_traced_once():
    """Different batch sizes reuse one traced graph."""
    model = branches()
    get_activations(model, data(model, 10), batch_size=4)
    get_activations(model, data(model, 33), batch_size=16)
    (probe,) = [v for k, v in probes._PROBES[model].items() if k != "graph"]
    assert probe.run.experimental_get_tracing_count() == 1


# ---------------------------------------------------------------------------
# gradient_norms


def test_gradient_function_built_and_traced_once():
    """One gradient function per model, traced once whatever the batch sizes."""
    model = branches()
    start = probes.BUILD_COUNT["gradients"]
    loss = "sparse_categorical_crossentropy"
    gradient_norms(model, data(model, 10), np.zeros(10, "int64"), loss=loss, batch_size=4)
    gradient_norms(model, data(model, 33), np.ones(33, "int64"), loss=loss, batch_size=16)
    assert probes.BUILD_COUNT["gradients"] == start + 1
    ((run, _),) = [v for k, v in probes._GRADS[model].items() if k != "graph"]
    assert run.experimental_get_tracing_count() == 1


def tape_norms(model, x, y, loss_fn, kernels):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(loss_fn(y, model(x, training=False)))
    return [float(tf.norm(g)) for g in tape.gradient(loss, kernels)]


def test_gradient_norms_match_gradient_tape():
    """Norms equal a hand-written GradientTape on the full batch."""
    model = branches()
    model.compile(loss="sparse_categorical_crossentropy")
    x, y = data(model, 64), RNG.integers(0, 3, size=64)
    got = gradient_norms(model, x, y)
    kernel_layers = ["b", "a", "bn", "out"]
    assert list(got) == kernel_layers
    ref = tape_norms(
        model,
        x,
        y,
        keras.losses.sparse_categorical_crossentropy,
        [model.get_layer(n).trainable_weights[0] for n in kernel_layers],
    )
    np.testing.assert_allclose(list(got.values()), ref, rtol=1e-4)


@pytest.mark.parametrize("batch_size", [1, 10, 64, 500])
def test_gradient_norms_independent_of_batch_size(batch_size):
    """Size-weighted batches give the full-batch gradient."""
    model = branches()
    x, y = data(model, 64), RNG.integers(0, 3, size=64)
    loss = "sparse_categorical_crossentropy"
    full = gradient_norms(model, x, y, loss=loss, batch_size=500)
    got = gradient_norms(model, x, y, loss=loss, batch_size=batch_size)
    np.testing.assert_allclose(list(got.values()), list(full.values()), rtol=1e-4)


def test_gradient_norms_nested_paths_match_tape():
    """Nested layers are keyed by path; norms match GradientTape."""
    model, middle, inner = nested()
    x, y = data(model, 32), RNG.normal(size=(32, 3)).astype("float32")
    got = gradient_norms(model, x, y, loss=keras.losses.MeanSquaredError())
    assert list(got) == ["top", "middle/mid", "middle/inner/deep", "out"]
    kernels = [
        model.get_layer("top").kernel,
        middle.get_layer("mid").kernel,
        inner.get_layer("deep").kernel,
        model.get_layer("out").kernel,
    ]
    ref = tape_norms(model, x, y, keras.losses.mean_squared_error, kernels)
    np.testing.assert_allclose(list(got.values()), ref, rtol=1e-4)


def test_gradient_norms_loss_argument_overrides_compiled_loss():
    """loss= is used instead of the compiled loss."""
    model = branches()
    model.compile(loss="sparse_categorical_crossentropy")
    x = data(model, 16)
    y = np.eye(3, dtype="float32")[RNG.integers(0, 3, size=16)]
    got = gradient_norms(model, x, y, loss="mse")
    ref = tape_norms(model, x, y, keras.losses.mean_squared_error, [model.get_layer("out").kernel])
    np.testing.assert_allclose(got["out"], ref[0], rtol=1e-4)


def test_gradient_norms_do_not_update_batch_norm():
    """Gradients are computed in inference mode: BN moving statistics stay put."""
    model = branches()
    bn = model.get_layer("bn")
    before = [w.numpy() for w in bn.non_trainable_weights]
    gradient_norms(
        model, data(model, 16) * 5 + 3, np.zeros(16), loss="sparse_categorical_crossentropy"
    )
    for a, w in zip(before, bn.non_trainable_weights, strict=True):
        np.testing.assert_array_equal(a, w.numpy())


def test_gradient_norms_unused_layer_gets_zero():
    """A layer that does not affect the loss reports 0, not an error."""
    inp = keras.Input((3,))
    blocked = keras.ops.stop_gradient(layers.Dense(2, name="blocked")(inp))
    out = layers.Dense(2, name="used")(layers.Concatenate()([blocked, inp]))
    model = keras.Model(inp, out)
    got = gradient_norms(model, RNG.normal(size=(4, 3)), RNG.normal(size=(4, 2)), loss="mse")
    assert got["blocked"] == 0.0
    assert got["used"] > 0


def test_gradient_norms_need_a_loss():
    """No compiled loss and no loss= gives a ValueError saying what to do."""
    model = branches()
    with pytest.raises(ValueError, match=r"no compiled loss.*model.compile\(loss=.*loss="):
        gradient_norms(model, data(model, 4), np.zeros(4))


def test_gradient_norms_unknown_loss_name():
    """An unknown loss name is a ValueError naming it."""
    model = branches()
    with pytest.raises(ValueError, match="unknown loss 'msee'"):
        gradient_norms(model, data(model, 4), np.zeros(4), loss="msee")


def test_gradient_norms_scalar_y_is_rejected():
    """A scalar y is rejected with a clear message."""
    model = branches()
    with pytest.raises(ValueError, match="one target per sample"):
        gradient_norms(model, data(model, 4), 1.0, loss="mse")


def test_gradient_norms_multi_output_model_is_explained():
    """A model with two outputs gets a ValueError suggesting a single-output model."""
    inp = keras.Input((3,))
    model = keras.Model(inp, [layers.Dense(2)(inp), layers.Dense(1)(inp)])
    with pytest.raises(ValueError, match=r"2 outputs.*model.outputs\[0\]"):
        gradient_norms(model, np.zeros((2, 3)), np.zeros((2, 2)), loss="mse")


def test_gradient_norms_y_not_matching_loss_is_explained():
    """y of a shape the loss cannot use gets a message naming both shapes."""
    model = branches()
    with pytest.raises(ValueError, match=r"could not compare y \(shape \(4, 3, 2\)"):
        gradient_norms(
            model, data(model, 4), np.zeros((4, 3, 2)), loss="sparse_categorical_crossentropy"
        )


def test_gradient_norms_need_y():
    """y=None gives a ValueError."""
    model = branches()
    with pytest.raises(ValueError, match=r"y is required.*y=None"):
        gradient_norms(model, data(model, 4), None, loss="mse")


def test_gradient_norms_y_length_must_match():
    """y with a different number of samples than x is rejected."""
    model = branches()
    with pytest.raises(ValueError, match=r"x has 4 samples but y has 3"):
        gradient_norms(model, data(model, 4), np.zeros(3), loss="mse")


# ---------------------------------------------------------------------------
# dead_units


def rigged_dense():
    """A ReLU Dense layer whose units 0 and 1 can never fire (zero kernel, negative bias)."""
    model = keras.Sequential([keras.Input((5,)), layers.Dense(4, activation="relu", name="d")])
    kernel = RNG.normal(size=(5, 4)).astype("float32")
    kernel[:, :2] = 0.0
    model.get_layer("d").set_weights([kernel, np.array([-1.0, -0.5, 5.0, 5.0], "float32")])
    return model


def test_dead_units_dense():
    """Units with zero kernel and negative bias are dead: 2 of 4."""
    model = rigged_dense()
    assert dead_units(model, RNG.normal(size=(100, 5))) == {"d": 0.5}


def test_dead_units_threshold():
    """A threshold above every output counts every unit dead."""
    model = rigged_dense()
    x = RNG.normal(size=(20, 5))
    top = get_activations(model, x)["d"].max()
    assert dead_units(model, x, threshold=float(top)) == {"d": 1.0}


def test_dead_units_conv_channels():
    """Conv channels are the units: channels with negative bias and zero kernel are dead."""
    model = convnet()
    conv = model.get_layer("conv")
    kernel, bias = conv.get_weights()
    kernel[..., :3] = 0.0
    bias[:3] = -1.0
    bias[3:] = 10.0
    conv.set_weights([kernel, bias])
    got = dead_units(model, RNG.normal(size=(16, 8, 8, 2)))
    assert list(got) == ["conv", "dense"]
    assert got["conv"] == 0.5


def test_dead_units_agrees_with_get_activations():
    """dead_units equals the definition applied to get_activations' arrays."""
    model = branches()
    x = data(model, 300)
    acts = get_activations(model, x)
    expected = {}
    for site in find_activations(model):
        out = acts[site.path].reshape(-1, acts[site.path].shape[-1])
        expected[site.path] = float(np.mean((out <= 0.0).all(axis=0)))
    assert dead_units(model, x) == expected


def test_dead_units_shared_layer_counts_all_calls():
    """A shared layer's unit is dead only if it is dead in every call."""
    model, dense = shared()
    x = data(model, 20)
    acts = get_activations(model, x)
    both = np.concatenate([acts["shared"], acts["shared@1"]])
    assert dead_units(model, x)["shared"] == float(np.mean((both <= 0).all(axis=0)))


def test_dead_units_model_without_activations():
    """A model without activation sites gives a clear ValueError."""
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="no activations"):
        dead_units(model, np.zeros((2, 3)))


# ---------------------------------------------------------------------------
# Bad input


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.d = layers.Dense(2, activation="relu")

    def call(self, x):
        return self.d(x)


PROBES = {
    "get_activations": lambda m, x: get_activations(m, x),
    "gradient_norms": lambda m, x: gradient_norms(m, x, np.zeros(len(x)), loss="mse"),
    "dead_units": lambda m, x: dead_units(m, x),
}


@pytest.mark.parametrize("fn", list(PROBES))
def test_wrong_shape_names_expected_and_received(fn):
    """x of the wrong shape: the message names the expected and received shapes."""
    model = branches()
    with pytest.raises(ValueError, match=r"expects \(batch, 6\), received \(4, 5\)"):
        PROBES[fn](model, np.zeros((4, 5), "float32"))


def test_single_sample_without_batch_axis_gets_hint():
    """A sample without its batch axis gets a hint to add one."""
    model = branches()
    with pytest.raises(ValueError, match=r"x\[None\]"):
        get_activations(model, np.zeros(6, "float32"))


@pytest.mark.parametrize("fn", list(PROBES))
@pytest.mark.parametrize(
    "x", [np.array([["a"] * 6] * 2), np.array([[None] * 6] * 2)], ids=["str", "object"]
)
def test_wrong_dtype_is_rejected(fn, x):
    """x holding strings or objects is a TypeError naming the dtype."""
    model = branches()
    with pytest.raises(TypeError, match=rf"must hold numbers.*dtype {x.dtype}"):
        PROBES[fn](model, x)


@pytest.mark.parametrize("fn", list(PROBES))
def test_subclassed_model_is_explained(fn):
    """A subclassed model without a graph gets the clone/probe explanation."""
    model = Subclassed()
    model(np.zeros((1, 3), "float32"))
    with pytest.raises(TypeError, match=r"call\(\).*functional API"):
        PROBES[fn](model, np.zeros((2, 3), "float32"))


def test_unknown_layer_suggests_close_names():
    """layers= with a missing layer name gets a did-you-mean."""
    model = branches()
    with pytest.raises(ValueError, match=r"'b_rleu'.*Did you mean 'b_relu'"):
        get_activations(model, data(model, 2), layers=["b_rleu"])


@pytest.mark.parametrize("batch_size", [0, -3, 2.5, True])
def test_bad_batch_size_is_rejected(batch_size):
    """batch_size must be a positive integer."""
    model = branches()
    with pytest.raises(ValueError, match=r"batch_size must be an integer >= 1\. Received"):
        get_activations(model, data(model, 2), batch_size=batch_size)


def test_numpy_integer_batch_size_is_accepted():
    """batch_size from a NumPy array (np.int64) works like an int."""
    model = branches()
    x = data(model, 5)
    got = get_activations(model, x, batch_size=np.int64(2))["out"]
    np.testing.assert_array_equal(got, get_activations(model, x, batch_size=2)["out"])


def test_empty_x_is_rejected():
    """x with no samples is rejected."""
    model = branches()
    with pytest.raises(ValueError, match="empty"):
        get_activations(model, np.zeros((0, 6), "float32"))


def test_integer_x_is_cast_to_model_dtype():
    """Integer inputs are accepted and cast to the input dtype."""
    model = branches()
    xi = RNG.integers(-3, 3, size=(5, 6))
    np.testing.assert_allclose(
        get_activations(model, xi)["out"], get_activations(model, xi.astype("float32"))["out"]
    )


# ---------------------------------------------------------------------------
# Inputs as model.predict takes them; op nodes; activations inside custom layers


def named_inputs():
    """Two named inputs given as a dict, a shared layer, a slice op, one output."""
    numeric = keras.Input((6,), name="numeric")
    seq = keras.Input((3, 4), name="seq")
    first = seq[:, 0, :]
    h = layers.Concatenate(name="cat")(
        [layers.Dense(4, activation="relu", name="num")(numeric), first]
    )
    out = layers.Dense(3, activation="softmax", name="out")(h)
    return keras.Model({"numeric": numeric, "seq": seq}, out, name="named")


def named_data(n=5):
    return {
        "numeric": RNG.normal(size=(n, 6)).astype("float32"),
        "seq": RNG.normal(size=(n, 3, 4)).astype("float32"),
    }


@pytest.mark.parametrize("fn", list(PROBES))
def test_dict_x_is_accepted(fn):
    """x as a dict keyed by input name works as in model.predict."""
    model = named_inputs()
    x = named_data()
    calls = {
        **PROBES,
        "gradient_norms": lambda m, x: gradient_norms(m, x, np.zeros((5, 3)), loss="mse"),
    }
    result = calls[fn](model, x)
    assert "out" in result


def test_dict_list_and_predict_agree():
    """A dict, the same arrays as a list (model.inputs order), and model.predict agree."""
    model = named_inputs()
    x = named_data()
    by_dict = get_activations(model, x)
    order = [t.name for t in model.inputs]
    by_list = get_activations(model, [x[k] for k in order])
    np.testing.assert_array_equal(by_dict["out"], by_list["out"])
    np.testing.assert_allclose(by_dict["out"], model.predict(x, verbose=0), atol=1e-6)
    (sliced,) = [k for k in by_dict if k.startswith("get_item")]  # the x[:, 0, :] op node
    np.testing.assert_array_equal(by_dict[sliced], x["seq"][:, 0, :])


def test_single_input_dict_and_list_of_one():
    """A single-input model takes {name: array} and [array] too."""
    model = branches()
    x = data(model, 4)
    expected = get_activations(model, x)["out"]
    np.testing.assert_array_equal(get_activations(model, {"x": x})["out"], expected)
    np.testing.assert_array_equal(get_activations(model, [x])["out"], expected)


@pytest.mark.parametrize(
    ("x", "received"),
    [
        ({"numeric": np.zeros((2, 6), "float32")}, r"'seq' is missing"),
        (
            {"numeric": np.zeros((2, 6)), "seq": np.zeros((2, 3, 4)), "other": 1},
            r"unknown keys \['other'\]",
        ),
        ([np.zeros((2, 6), "float32")], r"a list of 1 items"),
        (np.zeros((2, 6), "float32"), r"one array"),
    ],
    ids=["missing", "unknown", "short_list", "array"],
)
def test_wrong_structure_shows_expected(x, received):
    """A wrong structure: the error shows the expected names and shapes and what came."""
    model = named_inputs()
    with pytest.raises(ValueError, match=r"'numeric': \(batch, 6\), 'seq': \(batch, 3, 4\)") as err:
        get_activations(model, x)
    assert re.search(received, str(err.value))


def test_gradient_norms_dict_x_matches_tape():
    """gradient_norms with a dict x equals a GradientTape on model(x)."""
    model = named_inputs()
    x = named_data(8)
    y = RNG.integers(0, 3, size=8)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    kernels = [model.get_layer("num").kernel, model.get_layer("out").kernel]
    with tf.GradientTape() as tape:
        value = loss_fn(y, model(x, training=False))
    want = [float(tf.norm(g)) for g in tape.gradient(value, kernels)]
    got = gradient_norms(model, x, y, loss="sparse_categorical_crossentropy")
    np.testing.assert_allclose([got["num"], got["out"]], want, rtol=1e-5)


@keras.saving.register_keras_serializable(package="actlab_tests")
class GeluMLP(layers.Layer):
    """A custom layer with a GELU Dense sublayer (not in the graph)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.up = layers.Dense(8, activation="gelu", name="up")
        self.down = layers.Dense(4, name="down")

    def call(self, x):
        return self.down(self.up(x))


def test_dead_units_skips_sublayer_sites():
    """dead_units covers the graph's sites; sublayer sites are left out, not a crash."""
    inp = keras.Input((4,))
    h = GeluMLP(name="mlp")(inp)
    model = keras.Model(inp, layers.Dense(2, activation="relu", name="out")(h))
    assert [s.kind for s in find_activations(model)] == ["sublayer", "argument"]
    assert list(dead_units(model, RNG.normal(size=(16, 4)).astype("float32"))) == ["out"]


def test_dead_units_only_sublayer_sites_is_explained():
    """A model whose activations all sit inside custom layers gets an error naming them."""
    inp = keras.Input((4,))
    model = keras.Model(inp, GeluMLP(name="mlp")(inp))
    with pytest.raises(ValueError, match=r"inside custom layers \(mlp/up\)"):
        dead_units(model, np.zeros((2, 4), "float32"))


# ---------------------------------------------------------------------------
# Real architecture


@pytest.fixture(scope="module")
def mobilenet():
    keras.utils.set_random_seed(0)
    model = keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), classes=10)
    model.compile(loss="sparse_categorical_crossentropy")
    return model


@pytest.mark.slow
def test_mobilenet_activations_match_hand_written(mobilenet):
    """MobileNetV2 probe outputs match a hand-written multi-output model."""
    x = RNG.uniform(-1, 1, size=(12, 32, 32, 3)).astype("float32")
    names = ["Conv1_relu", "block_6_expand_relu", "out_relu", "predictions"]
    acts = get_activations(mobilenet, x, layers=names, batch_size=5)
    refs = hand_probe(mobilenet, names).predict(x, verbose=0)
    for name, ref in zip(names, refs, strict=True):
        np.testing.assert_allclose(acts[name], ref, rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_mobilenet_gradient_norms_match_tape(mobilenet):
    """MobileNetV2 gradient norms match a GradientTape over the full batch."""
    x = RNG.uniform(-1, 1, size=(8, 32, 32, 3)).astype("float32")
    y = RNG.integers(0, 10, size=8)
    got = gradient_norms(mobilenet, x, y, batch_size=4)
    kernel_layers = [layer for layer in mobilenet.layers if layer.trainable_weights]
    assert list(got) == [layer.name for layer in kernel_layers]
    ref = tape_norms(
        mobilenet,
        x,
        y,
        keras.losses.sparse_categorical_crossentropy,
        [layer.trainable_weights[0] for layer in kernel_layers],
    )
    np.testing.assert_allclose(list(got.values()), ref, rtol=1e-3, atol=1e-7)


@pytest.mark.slow
def test_mobilenet_dead_units_per_site(mobilenet):
    """dead_units reports every MobileNetV2 activation site with a fraction in [0, 1]."""
    x = RNG.uniform(-1, 1, size=(4, 32, 32, 3)).astype("float32")
    got = dead_units(mobilenet, x)
    assert list(got) == [s.path for s in find_activations(mobilenet)]
    assert all(0.0 <= v <= 1.0 for v in got.values())
