"""Tests for actlab.surgery: find_activations and swap_activations."""

from __future__ import annotations

import gc

import keras
import numpy as np
import pytest
from keras import layers

from actlab.surgery import ActivationSite, find_activations, swap_activations

RNG = np.random.default_rng(0)


# ---------------------------------------------------------------------------
# Model builders (small, built fresh per test unless a fixture says otherwise)


@keras.saving.register_keras_serializable(package="actlab_tests")
class SquareThenActivate(layers.Layer):
    """Seed 001's custom layer, fixed: it serialises its activation."""

    def __init__(self, activation="sigmoid", **kwargs):
        super().__init__(**kwargs)
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

    def call(self, inputs):
        return self.activation(keras.ops.square(inputs) * self.scale)

    def get_config(self):
        return {**super().get_config(), "activation": keras.activations.serialize(self.activation)}


class SeedCustomLayer(layers.Layer):
    """Seed 001's custom layer as written: the activation is not in get_config()."""

    def __init__(self, activation="sigmoid", **kwargs):
        super().__init__(**kwargs)
        self.activation = keras.activations.get(activation)

    def call(self, inputs):
        return self.activation(keras.ops.square(inputs))


class FixedReluLayer(layers.Layer):
    """Applies relu but does not take (or serialise) an activation argument."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.activation = keras.activations.relu

    def call(self, inputs):
        return self.activation(inputs)


class UnclonableLayer(layers.Layer):
    """A layer whose get_config() misses a required __init__ argument."""

    def __init__(self, factor=2.0, *, required, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return {"name": self.name}


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(4, activation="relu")
        self.out = layers.Dense(2)

    def call(self, x):
        return self.out(self.hidden(x))


def sequential():
    return keras.Sequential(
        [
            keras.Input((8,)),
            layers.Dense(16, activation="relu", name="d1"),
            layers.Dense(16, activation="tanh", name="d2"),
            layers.Dense(3, activation="softmax", name="out"),
        ],
        name="seq",
    )


def multi_branch():
    """Seed 001 example 2: two branches, Concatenate, Activation('sigmoid'), head."""
    inp = keras.Input((8,), name="x")
    b1 = layers.Dense(8, activation="relu", name="branch1")(inp)
    b2 = layers.Dense(8, name="branch2_dense")(inp)
    b2 = layers.ReLU(name="branch2_relu")(b2)
    cat = layers.Concatenate(name="concat")([b1, b2])
    act = layers.Activation("sigmoid", name="gate")(cat)
    merged = layers.Add(name="add")([layers.Dense(16, name="skip")(inp), act])
    out = layers.Dense(3, activation="softmax", name="head")(merged)
    return keras.Model(inp, out, name="branches")


def shared():
    inp = keras.Input((8,))
    dense = layers.Dense(8, activation="relu", name="shared")
    a = dense(inp)
    b = dense(layers.Dense(8, name="pre")(inp))
    out = layers.Dense(2, name="out")(layers.Concatenate()([a, b]))
    return keras.Model(inp, out, name="shared_model")


def nested():
    """Three levels: outer functional > middle functional > inner Sequential."""
    inner = keras.Sequential(
        [keras.Input((8,)), layers.Dense(8, activation="relu", name="dense_in")], name="inner"
    )
    m_in = keras.Input((8,))
    m_h = layers.Dense(8, activation="tanh", name="dense_mid")(m_in)
    middle = keras.Model(m_in, layers.ReLU(name="relu_mid")(inner(m_h)), name="middle")
    inp = keras.Input((8,))
    h = layers.Dense(8, activation="relu", name="dense_top")(inp)
    out = layers.Dense(2, activation="softmax", name="out")(middle(h))
    return keras.Model(inp, out, name="outer")


def advanced():
    inp = keras.Input((6,))
    h = layers.Dense(6, name="pre")(inp)
    outs = [
        layers.ReLU(name="plain")(h),
        layers.ReLU(max_value=6.0, name="capped6")(h),
        layers.ReLU(max_value=4.0, threshold=0.5, name="capped4")(h),
        layers.ReLU(negative_slope=0.1, name="sloped")(h),
        layers.LeakyReLU(negative_slope=0.1, name="leaky")(h),
        layers.PReLU(name="prelu")(h),
        layers.ELU(name="elu")(h),
        layers.ELU(alpha=0.5, name="elu_half")(h),
        layers.Softmax(name="soft")(h),
        layers.Activation(keras.activations.gelu, name="gelu_fn")(h),
    ]
    return keras.Model(inp, layers.Concatenate()(outs), name="advanced")


def custom():
    inp = keras.Input((8,))
    h = SquareThenActivate(activation="tanh", name="custom")(inp)
    return keras.Model(inp, layers.Dense(2, name="out")(h), name="custom_model")


def recurrent():
    inp = keras.Input((5, 3))
    h = layers.SimpleRNN(4, return_sequences=True, name="rnn")(inp)
    h = layers.LSTM(4, return_sequences=True, name="lstm")(h)
    h = layers.GRU(4, activation="relu", name="gru")(h)
    return keras.Model(inp, layers.Dense(2, name="out")(h), name="recurrent")


def convolutional():
    inp = keras.Input((8, 8, 2))
    h = layers.Conv2D(4, 3, activation="relu", name="conv")(inp)
    h = layers.Conv2D(4, 3, name="conv_lin")(h)
    h = layers.Activation("elu", name="conv_act")(h)
    h = layers.GlobalAveragePooling2D(name="gap")(h)
    return keras.Model(inp, layers.Dense(3, activation="softmax", name="out")(h), name="conv")


def wrapped():
    inp = keras.Input((5, 3))
    h = layers.TimeDistributed(layers.Dense(4, activation="relu"), name="td")(inp)
    h = layers.Bidirectional(layers.LSTM(3, activation="tanh"), name="bi")(h)
    return keras.Model(inp, layers.Dense(2, name="out")(h), name="wrapped")


BUILDERS = {
    "sequential": sequential,
    "multi_branch": multi_branch,
    "shared": shared,
    "nested": nested,
    "advanced": advanced,
    "custom": custom,
    "recurrent": recurrent,
    "convolutional": convolutional,
    "wrapped": wrapped,
}


def sample(model, n=4):
    return RNG.normal(size=(n, *model.inputs[0].shape[1:])).astype("float32")


def all_layers(model):
    out = []
    for layer in model.layers:
        out.append(layer)
        if isinstance(layer, keras.Model):
            out.extend(all_layers(layer))
    return out


def snapshot(model):
    """Everything that must not change: weights, layer objects, configs, graph nodes."""
    lays = all_layers(model)
    return {
        "weights": [np.array(w) for w in model.get_weights()],
        "ids": [id(layer) for layer in lays],
        "configs": [layer.get_config() for layer in lays],
        "nodes": [len(layer._inbound_nodes) for layer in lays],
        "config": model.get_config(),
    }


def assert_unchanged(model, before):
    after = snapshot(model)
    assert after["ids"] == before["ids"]
    assert after["nodes"] == before["nodes"]
    assert after["configs"] == before["configs"]
    assert after["config"] == before["config"]
    assert len(after["weights"]) == len(before["weights"])
    for a, b in zip(after["weights"], before["weights"], strict=True):
        np.testing.assert_array_equal(a, b)


def weights_by_path(model):
    out = {}
    for layer in all_layers(model):
        if isinstance(layer, keras.Model):
            continue
        for i, w in enumerate(layer.weights):
            out[(layer.name, i)] = w.numpy()
    return out


def expected_sites(model):
    """Independent count from the serialised config (not from live objects)."""
    counts: dict[str, int] = {}

    def visit(config):
        for entry in config["layers"]:
            cls, cfg = entry["class_name"], entry["config"]
            if cls in ("Functional", "Sequential", "Model"):
                visit(cfg)
                continue
            if cls == "ReLU":
                key = "relu6" if cfg["max_value"] == 6.0 else "relu"
            elif cls in ("Activation", "LeakyReLU", "PReLU", "ELU", "Softmax"):
                key = cfg.get("activation", cls.lower())
            else:
                key = cfg.get("activation")
                if key in (None, "linear"):
                    continue
            key = key if isinstance(key, str) else key["config"]
            counts[key] = counts.get(key, 0) + 1

    visit(model.get_config())
    return counts


# ---------------------------------------------------------------------------
# find_activations


def test_find_sequential_sites():
    """A Sequential model's activation= arguments are listed in order."""
    assert find_activations(sequential()) == [
        ActivationSite("d1", "Dense", "argument", "relu"),
        ActivationSite("d2", "Dense", "argument", "tanh"),
        ActivationSite("out", "Dense", "argument", "softmax"),
    ]


def test_find_multi_branch_sites():
    """Both branches, the Activation layer and the head of a multi-branch model are found."""
    got = {(s.path, s.kind, s.activation) for s in find_activations(multi_branch())}
    assert got == {
        ("branch1", "argument", "relu"),
        ("branch2_relu", "layer", "relu"),
        ("gate", "layer", "sigmoid"),
        ("head", "argument", "softmax"),
    }


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("plain", "relu"),
        ("capped6", "relu6"),
        ("capped4", "relu(max_value=4.0, threshold=0.5)"),
        ("sloped", "relu(negative_slope=0.1)"),
        ("leaky", "leaky_relu"),
        ("prelu", "prelu"),
        ("elu", "elu"),
        ("elu_half", "elu(alpha=0.5)"),
        ("soft", "softmax"),
        ("gelu_fn", "gelu"),
    ],
)
def test_find_advanced_layer_names(path, name):
    """Advanced activation layers get canonical names that keep their arguments."""
    sites = {s.path: s for s in find_activations(advanced())}
    assert sites[path].activation == name
    assert sites[path].kind == "layer"


def test_find_shared_layer_is_one_site():
    """A layer called twice is one site."""
    assert [s.path for s in find_activations(shared())] == ["shared"]


def test_find_nested_paths():
    """Sites inside nested models are reported with their path."""
    assert [(s.path, s.activation) for s in find_activations(nested())] == [
        ("dense_top", "relu"),
        ("middle/dense_mid", "tanh"),
        ("middle/inner/dense_in", "relu"),
        ("middle/relu_mid", "relu"),
        ("out", "softmax"),
    ]


def test_seed_custom_layer_as_written_is_swappable():
    """Seed 001's CustomLayer works: Keras 3 records its string activation argument."""
    model = keras.Sequential([keras.Input((4,)), SeedCustomLayer(activation="sigmoid", name="c")])
    new = swap_activations(model, {"sigmoid": "relu"})
    x = sample(model)
    np.testing.assert_allclose(new(x).numpy(), x**2, atol=1e-6)


def test_find_custom_layer_site():
    """A custom layer with an activation attribute is an argument site."""
    assert find_activations(custom())[0] == ActivationSite(
        "custom", "SquareThenActivate", "argument", "tanh"
    )


def test_find_recurrent_sites():
    """SimpleRNN/LSTM/GRU report their activation argument."""
    got = [(s.path, s.activation) for s in find_activations(recurrent())]
    assert got == [("rnn", "tanh"), ("lstm", "tanh"), ("gru", "relu")]


def test_find_wrapper_sites():
    """TimeDistributed and Bidirectional report the wrapped layer's activation."""
    assert find_activations(wrapped()) == [
        ActivationSite("td", "TimeDistributed(Dense)", "argument", "relu"),
        ActivationSite("bi", "Bidirectional(LSTM)", "argument", "tanh"),
    ]


def test_swap_wrapper_changes_both_directions():
    """Swapping a Bidirectional LSTM's activation changes forward and backward layers."""
    new = swap_activations(wrapped(), {"tanh": "elu", "relu": layers.LeakyReLU(negative_slope=0.1)})
    bi = new.get_layer("bi")
    assert bi.forward_layer.activation is keras.activations.elu
    assert bi.backward_layer.activation is keras.activations.elu
    assert find_activations(new)[0].activation == "leaky_relu"


def test_find_skips_linear_argument_but_not_linear_layer():
    """Dense's default linear activation is no site; an explicit Activation('linear') is."""
    inp = keras.Input((3,))
    out = layers.Activation("linear", name="ident")(layers.Dense(3, name="d")(inp))
    assert [s.path for s in find_activations(keras.Model(inp, out))] == ["ident"]


def test_find_alias_resolves_to_catalog_name():
    """activation='swish' is reported under the catalogue name silu."""
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="swish")])
    assert find_activations(model)[0].activation == "silu"


# ---------------------------------------------------------------------------
# swap_activations: behaviour


@pytest.mark.parametrize(
    "value",
    ["tanh", keras.activations.tanh, layers.Activation("tanh")],
    ids=["name", "callable", "layer"],
)
def test_swap_argument_site_applies_new_activation(value):
    """A swapped activation= argument computes the new function with the old weights."""
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="relu", name="d")])
    new = swap_activations(model, {"relu": value})
    x = sample(model)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(new(x).numpy(), np.tanh(x @ kernel + bias), atol=1e-6)


@pytest.mark.parametrize(
    ("value", "reference"),
    [
        ("elu", lambda z: np.where(z > 0, z, np.exp(z) - 1)),
        (keras.activations.sigmoid, lambda z: 1 / (1 + np.exp(-z))),
        (layers.LeakyReLU(negative_slope=0.1), lambda z: np.where(z > 0, z, 0.1 * z)),
    ],
    ids=["name", "callable", "layer"],
)
def test_swap_layer_site_applies_new_activation(value, reference):
    """A swapped activation layer computes the new function."""
    inp = keras.Input((4,))
    out = layers.ReLU(name="act")(layers.Dense(4, name="d")(inp))
    model = keras.Model(inp, out)
    new = swap_activations(model, {"relu": value})
    x = sample(model)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(new(x).numpy(), reference(x @ kernel + bias), atol=1e-5)
    assert new.get_layer("act").name == "act"


def test_swap_reports_new_sites():
    """find_activations on the result shows the new activation and leaves others."""
    new = swap_activations(multi_branch(), {"relu": "gelu"})
    got = {(s.path, s.layer, s.activation) for s in find_activations(new)}
    assert got == {
        ("branch1", "Dense", "gelu"),
        ("branch2_relu", "Activation", "gelu"),
        ("gate", "Activation", "sigmoid"),
        ("head", "Dense", "softmax"),
    }


def test_swap_plain_relu_key_leaves_clipped_relu():
    """A 'relu' key does not touch ReLU(max_value=6) or thresholded/sloped ReLUs."""
    new = swap_activations(advanced(), {"relu": "tanh"})
    sites = {s.path: s.activation for s in find_activations(new)}
    assert sites["plain"] == "tanh"
    assert sites["capped6"] == "relu6"
    assert sites["capped4"] == "relu(max_value=4.0, threshold=0.5)"
    assert sites["sloped"] == "relu(negative_slope=0.1)"
    assert new.get_layer("capped6").max_value == 6.0


def test_swap_relu6_key_matches_capped_relu_layer():
    """The key 'relu6' selects ReLU(max_value=6) layers."""
    new = swap_activations(advanced(), {"relu6": "relu"})
    sites = {s.path: s.activation for s in find_activations(new)}
    assert sites["capped6"] == "relu"
    assert sites["plain"] == "relu"


def test_swap_layer_key_accepts_layer_instance():
    """A mapping key may be a layer instance describing the site, e.g. ReLU(max_value=6)."""
    new = swap_activations(advanced(), {layers.ReLU(max_value=6.0): "elu"})
    assert {s.path: s.activation for s in find_activations(new)}["capped6"] == "elu"


def test_swap_callable_key():
    """A mapping key may be the activation function itself."""
    new = swap_activations(sequential(), {keras.activations.tanh: "elu"})
    assert [s.activation for s in find_activations(new)] == ["relu", "elu", "softmax"]


def test_swap_alias_key():
    """A key given as an alias ('swish') matches sites reported as 'silu'."""
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="silu", name="d")])
    new = swap_activations(model, {"swish": "relu"})
    assert find_activations(new)[0].activation == "relu"


def test_swap_partial_mapping_changes_only_present_keys():
    """Keys absent from the model are ignored as long as one key matches."""
    new = swap_activations(sequential(), {"relu": "elu", "gelu": "tanh"})
    assert [s.activation for s in find_activations(new)] == ["elu", "tanh", "softmax"]


def test_swap_to_prelu_by_name():
    """The name 'prelu' puts a PReLU in place (as an activation= argument too)."""
    new = swap_activations(sequential(), {"relu": "prelu"})
    assert find_activations(new)[0].activation == "prelu"
    x = sample(new)
    assert new(x).numpy().shape == (4, 3)


def test_activation_site_is_frozen():
    """ActivationSite is immutable."""
    site = find_activations(sequential())[0]
    with pytest.raises(AttributeError):
        site.path = "other"


def test_find_rejects_subclassed_model():
    """find_activations explains why a subclassed model cannot be inspected."""
    model = Subclassed()
    model(np.zeros((1, 3), "float32"))
    with pytest.raises(TypeError, match=r"Rebuild it with the functional API"):
        find_activations(model)


def test_swap_each_site_gets_its_own_layer_copy():
    """One LeakyReLU instance in the mapping becomes a distinct layer per site."""
    inp = keras.Input((4,))
    h = layers.ReLU(name="r1")(layers.Dense(4)(inp))
    out = layers.ReLU(name="r2")(layers.Dense(4)(h))
    leaky = layers.LeakyReLU(negative_slope=0.2)
    new = swap_activations(keras.Model(inp, out), {"relu": leaky})
    r1, r2 = new.get_layer("r1"), new.get_layer("r2")
    assert r1 is not r2 and leaky not in (r1, r2)
    assert r1.negative_slope == r2.negative_slope == 0.2


def test_swap_layers_restricts_to_named_layers():
    """layers= changes only the named layers."""
    new = swap_activations(sequential(), {"relu": "elu", "tanh": "elu"}, layers=["d2"])
    assert [s.activation for s in find_activations(new)] == ["relu", "elu", "softmax"]


def test_swap_layers_accepts_nested_path_and_model_prefix():
    """layers= accepts a nested path or a nested model's path (all layers inside)."""
    new = swap_activations(nested(), {"relu": "elu"}, layers=["middle/inner/dense_in"])
    got = {s.path: s.activation for s in find_activations(new)}
    assert got["middle/inner/dense_in"] == "elu"
    assert got["dense_top"] == got["middle/relu_mid"] == "relu"
    new = swap_activations(nested(), {"relu": "elu"}, layers=["middle"])
    got = {s.path: s.activation for s in find_activations(new)}
    assert got["middle/inner/dense_in"] == got["middle/relu_mid"] == "elu"
    assert got["dense_top"] == "relu"


def test_swap_nested_keeps_structure():
    """Nested models stay nested models with the same names."""
    new = swap_activations(nested(), {"tanh": "sigmoid"})
    middle = new.get_layer("middle")
    assert isinstance(middle, keras.Model)
    assert isinstance(middle.get_layer("inner"), keras.Sequential)
    assert middle.get_layer("dense_mid").activation is keras.activations.sigmoid


def test_swap_sequential_returns_sequential():
    """Sequential in, Sequential out."""
    assert isinstance(swap_activations(sequential(), {"relu": "elu"}), keras.Sequential)


def test_swap_shared_layer_stays_shared():
    """A shared layer is rebuilt once and still used twice."""
    model = shared()
    new = swap_activations(model, {"relu": "elu"})
    assert [s.activation for s in find_activations(new)] == ["elu"]
    assert len(new.get_layer("shared")._inbound_nodes) == 2
    weights = new.get_layer("shared").get_weights()
    np.testing.assert_array_equal(weights[0], model.get_layer("shared").get_weights()[0])


def test_swap_custom_layer_rebuilds_with_new_activation():
    """A custom layer whose config carries activation is rebuilt with the new one."""
    model = custom()
    new = swap_activations(model, {"tanh": "sigmoid"})
    x = sample(model)
    scale = model.get_layer("custom").get_weights()[0]
    got = keras.ops.convert_to_numpy(new.get_layer("custom")(x))
    np.testing.assert_allclose(got, 1 / (1 + np.exp(-(x**2) * scale)), atol=1e-6)


def test_swap_recurrent_activation():
    """SimpleRNN/LSTM/GRU are rebuilt with the new activation and their weights."""
    model = recurrent()
    new = swap_activations(model, {"tanh": "relu"})
    assert [s.activation for s in find_activations(new)] == ["relu", "relu", "relu"]
    assert new.get_layer("lstm").recurrent_activation is keras.activations.sigmoid


def test_swap_away_from_prelu_drops_alpha_keeps_rest():
    """Swapping a PReLU away drops its alpha; every other weight is kept."""
    model = advanced()
    new = swap_activations(model, {"prelu": "relu"})
    assert new.get_layer("prelu").weights == []
    np.testing.assert_array_equal(
        new.get_layer("pre").get_weights()[0], model.get_layer("pre").get_weights()[0]
    )


def test_swap_to_prelu_creates_fresh_alpha():
    """Swapping to PReLU works and the new layer has its own alpha."""
    model = multi_branch()
    new = swap_activations(model, {"relu": layers.PReLU(alpha_initializer="zeros")})
    x = sample(model)
    np.testing.assert_allclose(new(x).numpy(), model(x).numpy(), atol=1e-6)
    assert new.get_layer("branch2_relu").get_weights()[0].shape == (8,)
    assert len(new.get_weights()) == len(model.get_weights()) + 2


def test_swap_to_prelu_argument_keeps_dense_weights():
    """A PReLU put into an activation= argument keeps the layer's kernel and bias."""
    model = sequential()
    new = swap_activations(model, {"relu": layers.PReLU()}, layers=["d1"])
    old_k, old_b = model.get_layer("d1").get_weights()
    new_w = new.get_layer("d1").get_weights()
    np.testing.assert_array_equal(new_w[0], old_k)
    np.testing.assert_array_equal(new_w[1], old_b)


@pytest.mark.parametrize("name", list(BUILDERS))
def test_swap_keeps_every_weight(name):
    """Every weight of the new model equals the old one's (per layer, copied not shared)."""
    model = BUILDERS[name]()
    key = find_activations(model)[0].activation
    new = swap_activations(model, {key: "elu" if key != "elu" else "relu"})
    old_w, new_w = weights_by_path(model), weights_by_path(new)
    for k, v in old_w.items():
        if k in new_w:
            np.testing.assert_array_equal(new_w[k], v)
    assert {k for k in old_w if k[0] != "prelu"} <= set(new_w)
    assert not {id(v) for v in model.weights} & {id(v) for v in new.weights}


@pytest.mark.parametrize("name", [n for n in BUILDERS if n != "custom"])
def test_swap_equivalent_activation_same_predictions(name):
    """relu -> LeakyReLU(negative_slope=0) (or tanh -> tanh) predicts the same."""
    model = BUILDERS[name]()
    present = {s.activation for s in find_activations(model)}
    mapping = {"relu": layers.LeakyReLU(negative_slope=0.0)} if "relu" in present else {}
    if "tanh" in present:
        mapping["tanh"] = keras.activations.tanh
    if not mapping:
        mapping = {"softmax": layers.Softmax()}
    new = swap_activations(model, mapping)
    x = sample(model)
    np.testing.assert_allclose(new(x).numpy(), model(x).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(BUILDERS))
def test_swap_never_modifies_input(name):
    """The input model's weights, layers, configs and graph are unchanged."""
    model = BUILDERS[name]()
    before = snapshot(model)
    key = find_activations(model)[0].activation
    swap_activations(model, {key: layers.LeakyReLU(negative_slope=0.05)})
    assert_unchanged(model, before)


def test_swapped_model_compiles_trains_and_round_trips(tmp_path):
    """The result compiles, trains and survives a .keras save/load with safe_mode=True."""
    model = multi_branch()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    new = swap_activations(model, {"relu": layers.LeakyReLU(negative_slope=0.1), "sigmoid": "silu"})
    assert new.compiled
    x = sample(model, 32)
    y = RNG.integers(0, 3, size=32)
    before = new.get_weights()
    history = new.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert any(not np.array_equal(a, b) for a, b in zip(before, new.get_weights(), strict=True))
    path = tmp_path / "swapped.keras"
    new.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded(x).numpy(), new(x).numpy(), atol=1e-6)
    assert [s.activation for s in find_activations(loaded)] == [
        s.activation for s in find_activations(new)
    ]


def test_swapped_wrapper_model_round_trips(tmp_path):
    """A swapped TimeDistributed/Bidirectional model saves and loads with safe_mode=True."""
    new = swap_activations(wrapped(), {"relu": layers.LeakyReLU(negative_slope=0.1), "tanh": "elu"})
    new.save(tmp_path / "wrapped.keras")
    loaded = keras.models.load_model(tmp_path / "wrapped.keras", safe_mode=True)
    x = sample(new)
    np.testing.assert_allclose(loaded(x).numpy(), new(x).numpy(), atol=1e-6)


def test_swapped_custom_model_round_trips(tmp_path):
    """A swapped registered custom layer saves and loads with safe_mode=True."""
    new = swap_activations(custom(), {"tanh": "softsign"})
    new.save(tmp_path / "custom.keras")
    loaded = keras.models.load_model(tmp_path / "custom.keras", safe_mode=True)
    x = sample(new)
    np.testing.assert_allclose(loaded(x).numpy(), new(x).numpy(), atol=1e-6)


def test_swapped_model_is_independent_of_input():
    """Training the swapped model leaves the input model's weights alone."""
    model = sequential()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    before = snapshot(model)
    new = swap_activations(model, {"relu": "elu"})
    new.fit(sample(model, 16), RNG.integers(0, 3, size=16), epochs=1, verbose=0)
    assert_unchanged(model, before)


# ---------------------------------------------------------------------------
# swap_activations: bad input (and the input is still untouched afterwards)


def _raises(model, exc, match, *args, **kwargs):
    before = snapshot(model)
    with pytest.raises(exc, match=match):
        swap_activations(model, *args, **kwargs)
    assert_unchanged(model, before)


def test_unknown_value_name_suggests_close_names():
    """A misspelt replacement gets a did-you-mean."""
    _raises(
        sequential(), ValueError, r"'leaky_rleu'.*Did you mean 'leaky_relu'", {"relu": "leaky_rleu"}
    )


def test_unknown_key_name_suggests_close_names():
    """A misspelt key gets a did-you-mean."""
    _raises(sequential(), ValueError, r"'rleu'.*Did you mean 'relu'", {"rleu": "elu"})


def test_mapping_that_matches_nothing_lists_contents():
    """A key absent from the model lists what the model contains."""
    _raises(
        multi_branch(),
        ValueError,
        r"match no activation.*relu \(2 sites\).*sigmoid \(1 site\).*softmax \(1 site\)",
        {"gelu": "relu"},
    )


def test_mapping_matching_nothing_in_selected_layers():
    """A key present only outside layers= says so."""
    _raises(
        sequential(), ValueError, r"selected layers contain: tanh", {"relu": "elu"}, layers=["d2"]
    )


def test_unknown_layer_name_suggests_close_names():
    """layers= naming a missing layer gets a did-you-mean and the layer list."""
    _raises(
        sequential(),
        ValueError,
        r"'d3'.*Did you mean.*'d1'.*Layers in the model",
        {"relu": "elu"},
        layers=["d3"],
    )


def test_layers_as_single_string_is_rejected():
    """layers='d1' (not a list) gets a clear error."""
    _raises(sequential(), TypeError, r"layers=\['d1'\]", {"relu": "elu"}, layers="d1")


def test_subclassed_model_is_explained():
    """A subclassed model without a graph gets a TypeError saying why and what to do."""
    model = Subclassed()
    model(np.zeros((1, 3), "float32"))
    with pytest.raises(TypeError, match=r"call\(\).*functional API"):
        swap_activations(model, {"relu": "elu"})


def test_unbuilt_sequential_is_explained():
    """A Sequential without an input shape gets a ValueError suggesting keras.Input."""
    with pytest.raises(ValueError, match=r"keras.Input"):
        swap_activations(keras.Sequential([layers.Dense(2, activation="relu")]), {"relu": "elu"})


def test_not_a_model_is_rejected():
    """Passing a layer instead of a model is a TypeError."""
    with pytest.raises(TypeError, match="expects a keras.Model"):
        swap_activations(layers.Dense(2), {"relu": "elu"})


@pytest.mark.parametrize(("mapping", "exc"), [({}, TypeError), ({"relu": 3}, TypeError)])
def test_bad_mapping_is_rejected(mapping, exc):
    """An empty mapping or a value that is no activation is rejected."""
    _raises(sequential(), exc, r"Received", mapping)


def test_custom_layer_without_activation_in_config_is_explained():
    """A custom layer whose config lacks 'activation' gets a fix-it message."""
    inp = keras.Input((4,))
    model = keras.Model(inp, FixedReluLayer(name="c")(inp))
    _raises(model, ValueError, r"get_config\(\) does not include 'activation'", {"relu": "elu"})


def test_failure_inside_clone_leaves_input_alone():
    """A layer that cannot be rebuilt from its config fails without touching the input."""
    inp = keras.Input((4,))
    h = layers.Dense(4, activation="relu", name="d")(inp)
    model = keras.Model(inp, UnclonableLayer(name="u", required=1)(h))
    _raises(model, TypeError, r".", {"relu": "elu"})


# ---------------------------------------------------------------------------
# Models as users bring them: op nodes, dict inputs, custom layers with sublayers


@keras.saving.register_keras_serializable(package="actlab_tests")
class MLPBlock(layers.Layer):
    """Two Dense sublayers with GELU inside; the config has no activation argument."""

    ACTIVATION = "gelu"

    def __init__(self, hidden=8, inner=16, **kwargs):
        super().__init__(**kwargs)
        self.hidden, self.inner = hidden, inner
        self.dense_1 = layers.Dense(inner, activation=self.ACTIVATION, name="dense_1")
        self.dense_2 = layers.Dense(hidden, name="dense_2")

    def call(self, x):
        return self.dense_2(self.dense_1(x))

    def get_config(self):
        return {**super().get_config(), "hidden": self.hidden, "inner": self.inner}


@keras.saving.register_keras_serializable(package="actlab_tests")
class EncoderBlock(layers.Layer):
    """A transformer encoder block: attention, layer norms, an MLP, a Softmax gate."""

    MLP = MLPBlock

    def __init__(self, hidden=8, heads=2, inner=16, **kwargs):
        super().__init__(**kwargs)
        self.hidden, self.heads, self.inner = hidden, heads, inner
        self.attention = layers.MultiHeadAttention(heads, hidden // heads, name="attention")
        self.norm_1 = layers.LayerNormalization(name="norm_1")
        self.mlp = self.MLP(hidden, inner, name="mlp")
        self.norm_2 = layers.LayerNormalization(name="norm_2")
        self.gate = layers.Softmax(name="gate")

    def call(self, x):
        h = self.norm_1(x + self.attention(x, x))
        h = self.norm_2(h + self.mlp(h))
        return h * self.gate(h)

    def get_config(self):
        return {
            **super().get_config(),
            "hidden": self.hidden,
            "heads": self.heads,
            "inner": self.inner,
        }


@keras.saving.register_keras_serializable(package="actlab_tests")
class LazyMLP(layers.Layer):
    """Creates its Dense sublayers in build(), as many library layers do."""

    def build(self, input_shape):
        self.up = layers.Dense(6, activation="gelu", name="up")
        self.up.build(input_shape)
        self.down = layers.Dense(input_shape[-1], name="down")
        self.down.build((*input_shape[:-1], 6))

    def call(self, x):
        return self.down(self.up(x))


class ReluMLPBlock(MLPBlock):
    """The reference: the same block written with ReLU."""

    ACTIVATION = "relu"


class ReluEncoderBlock(EncoderBlock):
    MLP = ReluMLPBlock


def transformer(block=EncoderBlock):
    """An encoder (a nested model of two custom blocks) and a pooled first token, x[:, 0, :]."""
    tokens = keras.Input((4, 8), name="tokens")
    h = layers.Dense(8, name="embed")(tokens)
    h = block(name="block_1")(h)
    h = block(name="block_2")(h)
    encoder = keras.Model(tokens, h, name="encoder")
    inp = keras.Input((4, 8), name="tokens")
    pooled = encoder(inp)[:, 0, :]
    return keras.Model(inp, layers.Dense(3, activation="softmax", name="head")(pooled), name="clf")


TRANSFORMER_SITES = [
    ("encoder/block_1/mlp/dense_1", "Dense", "sublayer", "gelu"),
    ("encoder/block_1/gate", "Softmax", "sublayer", "softmax"),
    ("encoder/block_2/mlp/dense_1", "Dense", "sublayer", "gelu"),
    ("encoder/block_2/gate", "Softmax", "sublayer", "softmax"),
    ("head", "Dense", "argument", "softmax"),
]


def ops_model():
    """Op nodes that are not layers: a product, a keras.ops mean, an activation op, a slice."""
    inp = keras.Input((5, 6), name="seq")
    h = layers.Dense(6, activation="relu", name="d")(inp)
    h = h * 2.0 + keras.ops.mean(h, axis=1, keepdims=True)
    h = keras.activations.gelu(h)
    out = layers.Dense(2, name="out")(h[:, 0, :])
    return keras.Model(inp, out, name="ops")


def dict_model():
    """Named dict inputs and dict outputs; a layer called on both inputs."""
    numeric = keras.Input((6,), name="numeric")
    extra = keras.Input((6,), name="extra")
    shared = layers.Dense(6, activation="relu", name="shared")
    h = layers.Concatenate(name="cat")([shared(numeric), shared(extra)])
    outputs = {
        "score": layers.Dense(1, name="score")(h),
        "label": layers.Dense(3, activation="softmax", name="label")(h),
    }
    return keras.Model({"numeric": numeric, "extra": extra}, outputs, name="dict_io")


@keras.saving.register_keras_serializable(package="actlab_tests")
class HoldsModel(layers.Layer):
    """A custom layer that holds a keras.Sequential and calls it."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.net = keras.Sequential(
            [
                keras.Input((6,)),
                layers.Dense(units, activation="tanh", name="inner_dense"),
                layers.Activation("sigmoid", name="inner_act"),
            ],
            name="net",
        )

    def call(self, x):
        return self.net(x)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def holds_model():
    inp = keras.Input((6,))
    return keras.Model(inp, HoldsModel(name="holder")(inp), name="holds_model")


class HiddenGelu(layers.Layer):
    """Applies GELU as a plain function in call(): nothing to see from outside."""

    def call(self, x):
        return keras.activations.gelu(x)


@keras.saving.register_keras_serializable(package="actlab_tests")
class ForgetfulBlock(layers.Layer):
    """Its get_config() forgets 'units' (which decides the kernel shape) and 'extra'."""

    def __init__(self, units=4, extra=False, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(units, activation="relu", name="dense")
        self.extra = extra

    def build(self, input_shape):
        if self.extra:
            self.bonus = self.add_weight(shape=(1,), initializer="ones", name="bonus")

    def call(self, x):
        return self.dense(x)

    def get_config(self):
        config = super().get_config()
        config.pop("units", None)
        config.pop("extra", None)
        return config


USER_MODELS = {
    "transformer": (transformer, {"gelu": "relu"}),
    "ops": (ops_model, {"relu": "elu", "gelu": "tanh"}),
    "dict": (dict_model, {"relu": "elu"}),
    "holds_model": (holds_model, {"tanh": "relu", "sigmoid": "hard_sigmoid"}),
}


def user_input(model, n=3):
    inputs = model.input
    if isinstance(inputs, dict):
        return {k: RNG.normal(size=(n, *t.shape[1:])).astype("float32") for k, t in inputs.items()}
    return sample(model, n)


def as_list(out):
    if isinstance(out, dict):
        return [np.asarray(out[k]) for k in sorted(out)]
    return [np.asarray(out)]


def test_find_transformer_paths():
    """find_activations reports the sublayer sites of custom blocks, with stable paths."""
    got = [(s.path, s.layer, s.kind, s.activation) for s in find_activations(transformer())]
    assert got == TRANSFORMER_SITES


def test_swap_transformer_gelu_to_relu_matches_reference():
    """GELU -> ReLU inside custom blocks keeps every weight and equals a ReLU-built model."""
    model = transformer()
    before = snapshot(model)
    new = swap_activations(model, {"gelu": "relu"})
    assert_unchanged(model, before)
    old_w, new_w = model.get_weights(), new.get_weights()
    assert len(old_w) == len(new_w) == 36
    for a, b in zip(old_w, new_w, strict=True):
        np.testing.assert_array_equal(a, b)
    reference = transformer(ReluEncoderBlock)
    reference.set_weights(old_w)
    x = sample(model)
    np.testing.assert_allclose(new(x).numpy(), reference(x).numpy(), atol=1e-6)
    assert not np.allclose(model(x).numpy(), reference(x).numpy(), atol=1e-6)
    swapped = {s.path: s.activation for s in find_activations(new)}
    assert swapped["encoder/block_1/mlp/dense_1"] == swapped["encoder/block_2/mlp/dense_1"]
    assert swapped["encoder/block_2/mlp/dense_1"] == "relu"
    assert [s.path for s in find_activations(new)] == [p for p, *_ in TRANSFORMER_SITES]


# Keras warns on load that the test's transformer block (written as users write them,
# with no build()) "has unbuilt state": a warning about that user layer, not about actlab.
@pytest.mark.filterwarnings("ignore:`build\\(\\)` was called on layer 'block_:UserWarning")
def test_swapped_sublayer_round_trip_is_as_documented(tmp_path):
    """Saved and loaded, a block whose config has no activation is rebuilt with GELU again."""
    model = transformer()
    new = swap_activations(model, {"gelu": "relu"})
    new.save(tmp_path / "swapped.keras")
    loaded = keras.models.load_model(tmp_path / "swapped.keras", safe_mode=True)
    assert {s.activation for s in find_activations(loaded) if "mlp" in s.path} == {"gelu"}
    for a, b in zip(loaded.get_weights(), new.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_swap_softmax_sublayer_replaces_the_layer():
    """A Softmax sublayer (the gate) is replaced by a new layer in the copy, weights kept."""
    model = transformer()
    new = swap_activations(model, {"softmax": "sigmoid"}, layers=["encoder/block_1/gate"])
    sites = {s.path: (s.layer, s.activation) for s in find_activations(new)}
    assert list(sites) == [p for p, *_ in TRANSFORMER_SITES]
    assert sites["encoder/block_1/gate"] == ("Activation", "sigmoid")
    assert sites["encoder/block_2/gate"] == ("Softmax", "softmax")
    for a, b in zip(model.get_weights(), new.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    x = sample(model)
    assert np.isfinite(new(x).numpy()).all()
    assert not np.allclose(new(x).numpy(), model(x).numpy())  # the gate really changed


def test_swap_sublayers_created_in_build():
    """Sublayers made in build() are found and swapped in the built copy, weights kept."""
    inp = keras.Input((4,))
    model = keras.Model(inp, LazyMLP(name="lazy")(inp))
    assert [(s.path, s.activation) for s in find_activations(model)] == [("lazy/up", "gelu")]
    new = swap_activations(model, {"gelu": "relu"})
    x = sample(model)
    k1, b1, k2, b2 = model.get_weights()
    np.testing.assert_allclose(new(x).numpy(), np.maximum(x @ k1 + b1, 0) @ k2 + b2, atol=1e-5)


def test_keras_layers_are_not_opened():
    """MultiHeadAttention's own Softmax sublayer (maybe bypassed by a fused op) is no site."""
    inp = keras.Input((4, 8))
    model = keras.Model(inp, layers.MultiHeadAttention(2, 4, name="mha")(inp, inp))
    assert find_activations(model) == []
    _raises(model, ValueError, r"no activations at all", {"softmax": "sigmoid"})


def test_swap_ops_model():
    """A graph with op nodes (x * 2, keras.ops.mean, a slice) swaps; the gelu op is a site."""
    model = ops_model()
    sites = [(s.path, s.kind, s.activation) for s in find_activations(model)]
    assert ("d", "argument", "relu") in sites
    assert [k for _, k, a in sites if a == "gelu"] == ["op"]
    before = snapshot(model)
    new = swap_activations(model, {"relu": "elu", "gelu": "tanh"})
    assert_unchanged(model, before)
    x = sample(model)
    kernel, bias, k2, b2 = model.get_weights()
    h = x @ kernel + bias
    h = np.where(h > 0, h, np.exp(h) - 1)
    h = np.tanh(h * 2.0 + h.mean(axis=1, keepdims=True))
    np.testing.assert_allclose(new(x).numpy(), h[:, 0, :] @ k2 + b2, atol=1e-5)


class ScaleOp(keras.Operation):
    """A custom operation built with an array: it has no working get_config()."""

    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def compute_output_spec(self, x):
        return keras.KerasTensor(x.shape, x.dtype)


def test_swap_custom_operation_without_config():
    """A custom op node without a config is copied (not shared) and computes the same."""
    inp = keras.Input((3,))
    h = layers.Dense(3, activation="relu", name="d")(inp)
    model = keras.Model(inp, ScaleOp(np.array([1.0, 2.0, 3.0], "float32"))(h))
    op = model.operations[-1]
    weights = [w.copy() for w in model.get_weights()]  # (get_config() fails for this model)
    calls = [len(o._inbound_nodes) for o in model.operations]
    new = swap_activations(model, {"relu": "elu"})
    assert [len(o._inbound_nodes) for o in model.operations] == calls
    for a, b in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert new.operations[-1] is not op
    x = sample(model)
    kernel, bias = model.get_weights()
    z = x @ kernel + bias
    expected = np.where(z > 0, z, np.exp(z) - 1) * np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(new(x).numpy(), expected, atol=1e-5)


def test_swap_dict_inputs_and_outputs():
    """Dict inputs and outputs, a layer called on both: swapped with weights kept."""
    model = dict_model()
    new = swap_activations(model, {"relu": layers.LeakyReLU(negative_slope=0.0)})
    assert sorted(new.output) == ["label", "score"]
    assert len(new.get_layer("shared")._inbound_nodes) == 2
    x = user_input(model)
    for a, b in zip(as_list(new(x)), as_list(model(x)), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_swap_inside_model_held_by_custom_layer():
    """A Sequential held by a custom layer: its Dense and Activation sites are swapped."""
    model = holds_model()
    assert [(s.path, s.kind) for s in find_activations(model)] == [
        ("holder/net/inner_dense", "sublayer"),
        ("holder/net/inner_act", "sublayer"),
    ]
    new = swap_activations(model, {"tanh": "relu", "sigmoid": "hard_sigmoid"})
    x = sample(model)
    kernel, bias = model.get_weights()
    expected = np.clip(np.maximum(x @ kernel + bias, 0) / 6 + 0.5, 0, 1)
    np.testing.assert_allclose(new(x).numpy(), expected, atol=1e-6)


@pytest.mark.parametrize("name", list(USER_MODELS))
def test_user_model_swap_keeps_every_weight_and_input(name):
    """Every weight copied (values equal, not shared); the input model is untouched."""
    build, mapping = USER_MODELS[name]
    model = build()
    before = snapshot(model)
    new = swap_activations(model, mapping)
    assert_unchanged(model, before)
    old_w, new_w = model.get_weights(), new.get_weights()
    assert len(old_w) == len(new_w)
    for a, b in zip(old_w, new_w, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not {id(v) for v in model.weights} & {id(v) for v in new.weights}


@pytest.mark.parametrize("name", list(USER_MODELS))
def test_user_model_identity_swap_same_predictions(name):
    """Swapping each activation for itself predicts exactly what the original predicts."""
    build, _ = USER_MODELS[name]
    model = build()
    present = {s.activation for s in find_activations(model)} - {"softmax"}
    new = swap_activations(model, {a: getattr(keras.activations, a) for a in present})
    x = user_input(model)
    for a, b in zip(as_list(new(x)), as_list(model(x)), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_hidden_activation_is_named_not_called_absent():
    """An activation applied in call() code: the error names the layer, not 'no activations'."""
    inp = keras.Input((4,))
    model = keras.Model(inp, HiddenGelu(name="hidden")(layers.Dense(4, name="d")(inp)))
    assert find_activations(model) == []
    with pytest.raises(ValueError, match=r"'hidden' may apply activations") as err:
        swap_activations(model, {"gelu": "relu"})
    assert "no activations at all" not in str(err.value)


def test_no_activations_at_all_only_when_true():
    """A model with no activation and no custom code says 'no activations at all'."""
    inp = keras.Input((4,))
    model = keras.Model(inp, layers.Dense(2, name="d")(inp))
    _raises(model, ValueError, r"no activations at all", {"relu": "elu"})


def test_weight_shape_mismatch_names_the_layer():
    """A custom layer whose config forgets 'units' fails with its name; input untouched."""
    inp = keras.Input((4,))
    model = keras.Model(inp, ForgetfulBlock(units=5, name="forgetful")(inp))
    _raises(model, ValueError, r"shapes differ in layer 'forgetful'", {"relu": "elu"})


def test_weight_count_mismatch_names_the_layer():
    """A copy with fewer weights than the original fails with the layer's name."""
    inp = keras.Input((4,))
    model = keras.Model(inp, ForgetfulBlock(units=4, extra=True, name="forgetful")(inp))
    _raises(
        model, ValueError, r"copy of layer 'forgetful'.*2 weights.*original has 3", {"relu": "elu"}
    )


# ---------------------------------------------------------------------------
# Real architectures (built once per session)

APPS = {
    "ResNet50": ({"relu": layers.LeakyReLU(negative_slope=0.0)}),
    "MobileNetV2": ({"relu6": layers.ReLU(max_value=6.0)}),
    "EfficientNetB0": ({"silu": keras.activations.silu, "sigmoid": "sigmoid"}),
    "DenseNet121": ({"relu": layers.LeakyReLU(negative_slope=0.0)}),
}


@pytest.fixture(scope="module")
def apps():
    keras.utils.set_random_seed(0)
    built = {
        name: getattr(keras.applications, name)(weights=None, input_shape=(64, 64, 3), classes=10)
        for name in APPS
    }
    yield built
    del built
    gc.collect()


@pytest.fixture(scope="module")
def swapped(apps):
    """Each app swapped with an equivalent activation, plus a snapshot taken before."""
    out = {}
    for name, model in apps.items():
        before = snapshot(model)
        out[name] = (swap_activations(model, APPS[name]), before)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", list(APPS))
def test_app_site_counts_match_config(apps, name):
    """find_activations finds every activation the serialised config declares."""
    model = apps[name]
    got: dict[str, int] = {}
    for site in find_activations(model):
        got[site.activation] = got.get(site.activation, 0) + 1
    expected = expected_sites(model)
    rename = {"swish": "silu"}
    expected = {rename.get(k, k): v for k, v in expected.items()}
    assert got == expected


@pytest.mark.slow
@pytest.mark.parametrize("name", list(APPS))
def test_app_swap_keeps_every_weight(apps, swapped, name):
    """Every weight array of the swapped architecture equals the original's."""
    new, _ = swapped[name]
    old_w, new_w = apps[name].get_weights(), new.get_weights()
    assert len(old_w) == len(new_w)
    for a, b in zip(old_w, new_w, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(APPS))
def test_app_equivalent_swap_same_predictions(apps, swapped, name):
    """An equivalent swap gives the same predictions on a small batch."""
    x = RNG.uniform(0, 255, size=(2, 64, 64, 3)).astype("float32")
    new, _ = swapped[name]
    np.testing.assert_allclose(
        new(x, training=False).numpy(), apps[name](x, training=False).numpy(), atol=1e-5
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", list(APPS))
def test_app_input_untouched(apps, swapped, name):
    """Swapping a real architecture leaves it exactly as it was."""
    assert_unchanged(apps[name], swapped[name][1])


@pytest.mark.slow
def test_app_real_swap_changes_sites(apps):
    """ResNet50 relu -> gelu changes all 49 ReLU sites and nothing else."""
    new = swap_activations(apps["ResNet50"], {"relu": "gelu"})
    counts: dict[str, int] = {}
    for site in find_activations(new):
        counts[site.activation] = counts.get(site.activation, 0) + 1
    assert counts == {"gelu": 49, "softmax": 1}


@pytest.mark.slow
def test_app_swapped_round_trips_safe_mode(apps, tmp_path):
    """A swapped MobileNetV2 (ReLU6 -> hard_silu) saves and loads with safe_mode=True."""
    new = swap_activations(apps["MobileNetV2"], {"relu6": "hard_silu"})
    new.save(tmp_path / "mobilenet.keras")
    loaded = keras.models.load_model(tmp_path / "mobilenet.keras", safe_mode=True)
    x = RNG.uniform(0, 255, size=(2, 64, 64, 3)).astype("float32")
    np.testing.assert_allclose(
        loaded(x, training=False).numpy(), new(x, training=False).numpy(), atol=1e-6
    )
    assert {s.activation for s in find_activations(loaded)} == {"hard_silu", "softmax"}
