"""actlab.widgets: every explorer driven programmatically, figure data checked numerically.

Controls are set exactly as a learner would move them (``control.value = ...``,
``button.click()``); the tests then read the matplotlib artists and compare
them with NumPy references or with the actlab probes called directly.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
import pytest
from PIL import Image

import actlab
from actlab import _widget_labs as _labs
from actlab import widgets as W

X_KINKS = (0.0,)  # points where relu-like derivatives are not defined


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _png_pixels(explorer):
    return np.asarray(Image.open(io.BytesIO(explorer.image.value)).convert("RGB"))


def _away_from_kinks(x):
    return np.all([np.abs(x - k) > 1e-6 for k in X_KINKS], axis=0)


# ----------------------------------------------------------------------- common


@pytest.fixture(scope="module")
def explorer():
    return W.activation_explorer()


@pytest.fixture(scope="module")
def softmax():
    return W.softmax_explorer()


def test_explorer_is_a_vbox_with_controls_figure_and_png(explorer):
    assert isinstance(explorer, widgets.VBox)
    assert explorer.image in explorer.children
    assert set(explorer.controls) == {"activations", "negative_slope", "alpha", "beta", "x_max"}
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert explorer.render_count >= 1 and explorer.last_error is None


# ----------------------------------------------------------------------- activation_explorer


def test_activation_explorer_default_lines_match_numpy(explorer):
    explorer.controls["activations"].value = ("relu", "leaky_relu", "elu", "silu")
    explorer.controls["x_max"].value = 5.0
    line, dline = explorer.lines["relu"]
    x = line.get_xdata()
    assert x[0] == -5.0 and x[-1] == 5.0
    np.testing.assert_allclose(line.get_ydata(), np.maximum(x, 0), atol=1e-6)
    ok = _away_from_kinks(x)
    np.testing.assert_allclose(dline.get_ydata()[ok], (x > 0).astype(float)[ok], atol=1e-6)


@pytest.mark.parametrize("slope", [0.0, 0.05, 0.37, 1.0])
def test_negative_slope_slider_redraws_leaky_relu(explorer, slope):
    before = explorer.render_count
    explorer.controls["negative_slope"].value = slope
    assert explorer.render_count == before + 1
    line, dline = explorer.lines["leaky_relu"]
    x = line.get_xdata()
    np.testing.assert_allclose(line.get_ydata(), np.where(x > 0, x, slope * x), atol=1e-6)
    ok = _away_from_kinks(x)
    np.testing.assert_allclose(dline.get_ydata()[ok], np.where(x > 0, 1.0, slope)[ok], atol=1e-6)
    assert f"negative_slope={slope:.2f}" in explorer.ax_f.get_legend().get_texts()[1].get_text()


@pytest.mark.parametrize("alpha", [0.1, 1.0, 2.5])
def test_alpha_slider_redraws_elu(explorer, alpha):
    explorer.controls["alpha"].value = alpha
    line, dline = explorer.lines["elu"]
    x = line.get_xdata()
    np.testing.assert_allclose(line.get_ydata(), np.where(x > 0, x, alpha * np.expm1(x)), atol=1e-5)
    ok = _away_from_kinks(x)
    ref = np.where(x > 0, 1.0, alpha * np.exp(x))
    np.testing.assert_allclose(dline.get_ydata()[ok], ref[ok], atol=1e-5)


@pytest.mark.parametrize("beta", [0.5, 1.0, 4.0])
def test_beta_slider_redraws_swish(explorer, beta):
    explorer.controls["beta"].value = beta
    line, dline = explorer.lines["silu"]
    x = line.get_xdata()
    s = _sigmoid(beta * x)
    np.testing.assert_allclose(line.get_ydata(), x * s, atol=1e-5)
    np.testing.assert_allclose(dline.get_ydata(), s + beta * x * s * (1 - s), atol=1e-5)


def test_slider_changes_only_its_own_curve_and_the_png(explorer):
    explorer.controls["alpha"].value = 1.0
    relu_before = explorer.lines["relu"][0].get_ydata().copy()
    elu_before = explorer.lines["elu"][0].get_ydata().copy()
    pixels_before = _png_pixels(explorer)
    explorer.controls["alpha"].value = 2.0
    np.testing.assert_array_equal(explorer.lines["relu"][0].get_ydata(), relu_before)
    assert not np.allclose(explorer.lines["elu"][0].get_ydata(), elu_before)
    assert (pixels_before != _png_pixels(explorer)).any()


def test_x_range_slider_and_selection(explorer):
    explorer.controls["activations"].value = ("tanh", "leaky_relu")
    assert list(explorer.lines) == ["tanh", "leaky_relu"]
    assert explorer.controls["alpha"].disabled and explorer.controls["beta"].disabled
    assert not explorer.controls["negative_slope"].disabled
    explorer.controls["x_max"].value = 3.0
    line, dline = explorer.lines["tanh"]
    x = line.get_xdata()
    assert (x[0], x[-1]) == (-3.0, 3.0)
    np.testing.assert_allclose(line.get_ydata(), np.tanh(x), atol=1e-6)
    np.testing.assert_allclose(dline.get_ydata(), 1 - np.tanh(x) ** 2, atol=1e-5)
    curves = [ln for ln in explorer.ax_f.lines if not ln.get_label().startswith("_")]
    assert len(curves) == 2  # removed curves are gone from the axes
    explorer.controls["activations"].value = ()
    assert explorer.lines == {} and "at least one" in explorer.status.value


def test_fixed_activation_matches_catalog():
    e = W.activation_explorer(["gelu"], x_max=2.0, points=41)
    line, dline = e.lines["gelu"]
    x = line.get_xdata()
    np.testing.assert_allclose(line.get_ydata(), actlab.catalog.get("gelu")(x), atol=1e-6)
    np.testing.assert_allclose(dline.get_ydata(), actlab.catalog.derivative("gelu", x), atol=1e-6)


def test_initial_parameters_and_aliases():
    e = W.activation_explorer(["swish", "LeakyReLU"], negative_slope=0.5, beta=2.0)
    assert list(e.lines) == ["silu", "leaky_relu"]
    x = e.lines["leaky_relu"][0].get_xdata()
    np.testing.assert_allclose(e.lines["leaky_relu"][0].get_ydata(), np.where(x > 0, x, 0.5 * x))
    np.testing.assert_allclose(e.lines["silu"][0].get_ydata(), x * _sigmoid(2 * x), atol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"names": ["relu", "rleu"]}, "Did you mean 'relu'"),
        ({"names": []}, "names is empty"),
        ({"negative_slope": -0.1}, "Received: negative_slope=-0.1"),
        ({"alpha": "big"}, "alpha must be a number between 0 and 3"),
        ({"x_max": 50}, "x_max must be a number between 1 and 10"),
        ({"points": 3}, "points must be an integer >= 11"),
    ],
)
def test_activation_explorer_bad_arguments(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        W.activation_explorer(**kwargs)


def test_callback_errors_are_shown_not_lost(explorer, monkeypatch):
    def boom(*_args, **_kwargs):
        raise RuntimeError("renderer exploded")

    explorer.controls["activations"].value = ("leaky_relu",)
    monkeypatch.setattr(explorer, "render", boom)
    explorer.controls["negative_slope"].value = 0.42
    assert isinstance(explorer.last_error, RuntimeError)
    assert "renderer exploded" in explorer.status.value


# ----------------------------------------------------------------------- softmax_explorer


def _np_softmax(z, t):
    e = np.exp((np.asarray(z) - np.max(z)) / t)
    return e / e.sum()


@pytest.mark.parametrize("temperature", [0.05, 0.5, 1.0, 3.0, 50.0])
def test_softmax_bars_follow_the_temperature(softmax, temperature):
    before = softmax.render_count
    softmax.controls["temperature"].value = temperature
    assert softmax.render_count == before + 1
    t = softmax.controls["temperature"].value  # the log slider rounds to its step
    heights = np.array([b.get_height() for b in softmax.bars])
    np.testing.assert_allclose(heights, _np_softmax([2.0, 1.0, 0.1], t), atol=1e-6)
    assert heights.sum() == pytest.approx(1.0, abs=1e-6)
    assert f"T = {t:.3g}" in softmax.ax.get_title()
    assert [txt.get_text() for txt in softmax.texts] == [f"{h:.3f}" for h in heights]


def test_softmax_limits_one_hot_and_uniform():
    e = W.softmax_explorer([0.0, 3.0, 1.0, -2.0], temperature=0.01)
    heights = np.array([b.get_height() for b in e.bars])
    assert heights.argmax() == 1 and heights[1] > 0.999
    e.controls["temperature"].value = 100.0
    heights = np.array([b.get_height() for b in e.bars])
    np.testing.assert_allclose(heights, 0.25, atol=0.02)


def test_softmax_png_changes_with_temperature(softmax):
    softmax.controls["temperature"].value = 1.0
    before = _png_pixels(softmax)
    softmax.controls["temperature"].value = 0.2
    assert (before != _png_pixels(softmax)).any()


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"logits": [1.0]}, "at least two finite numbers"),
        ({"logits": [[1.0, 2.0]]}, "1-D list"),
        ({"logits": [1.0, float("nan")]}, "finite"),
        ({"logits": ["a", "b"]}, "must be a list of numbers"),
        ({"temperature": 0.0}, "temperature must be a number between 0.01 and 100"),
    ],
)
def test_softmax_explorer_bad_arguments(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        W.softmax_explorer(**kwargs)


# The live playground is tested in tests/test_playground.py.


# ----------------------------------------------------------------------- dying_relu_lab


@pytest.fixture(scope="module")
def dying():
    return W.dying_relu_lab(depth=4, width=16, steps=60)


def _heights(bars):
    return np.array([b.get_height() for b in bars])


def test_dying_lab_bars_equal_dead_units_of_the_trained_model(dying):
    dying.controls["learning_rate"].value = 1.0
    assert dying.last_error is None
    direct = actlab.dead_units(dying.model, dying.x)
    assert list(direct) == [f"hidden_{i}" for i in range(1, 5)]
    np.testing.assert_allclose(_heights(dying.bars_after), list(direct.values()))
    np.testing.assert_allclose(_heights(dying.bars_before), list(dying.result["before"].values()))


def test_dying_lab_initial_bars_follow_the_bias_init(dying):
    dying.controls["bias_init"].value = -2.0
    fresh = W.dying_relu_lab(depth=4, width=16, steps=60).model  # same seeded kernels
    fresh.set_weights(dying.initial_weights("relu", -2.0))
    expected = actlab.dead_units(fresh, dying.x)
    np.testing.assert_allclose(_heights(dying.bars_before), list(expected.values()))
    assert np.mean(list(expected.values())) > 0.5, "bias -2 must kill most ReLU units at init"
    np.testing.assert_allclose(
        _heights(dying.bars_after), list(actlab.dead_units(dying.model, dying.x).values())
    )


def test_dying_lab_caches_settings(dying):
    dying.controls["bias_init"].value = 0.0
    dying.controls["learning_rate"].value = 0.01
    runs, heights = dying.runs, _heights(dying.bars_after)
    dying.controls["learning_rate"].value = 1.0  # seen before
    dying.controls["learning_rate"].value = 0.01  # seen before
    assert dying.runs == runs
    np.testing.assert_array_equal(_heights(dying.bars_after), heights)
    # the model holds the weights of the displayed setting again
    np.testing.assert_allclose(
        heights, list(actlab.dead_units(dying.model, dying.x).values()), atol=0
    )


def test_dying_lab_leaky_relu_and_divergence(dying):
    dying.controls["activation"].value = "leaky_relu"
    assert "still has a gradient" in dying.status.value
    dead = dying.no_gradient_fractions(dying.model.get_weights(), "leaky_relu")
    np.testing.assert_allclose(_heights(dying.bars_after), list(dead.values()))
    assert not _heights(dying.bars_after).any()  # its derivative is never 0: no unit is dead
    assert "no gradient at any training point" in dying.status.value
    dying.controls["learning_rate"].value = dying.controls["learning_rate"].max
    dying.controls["bias_init"].value = 1.0
    if dying.result["diverged"]:
        assert "diverged" in dying.ax.get_title()
    else:
        assert "accuracy" in dying.ax.get_title()
    assert dying.last_error is None


@pytest.mark.parametrize("activation", _labs.DYING_ACTIVATIONS)
def test_dying_lab_counts_dead_where_keras_training_gets_no_gradient(activation):
    """The lab's "no gradient" is tf.GradientTape's through the lab's own Dense layer.

    Every hidden_1 unit gets pre-activation p for every point (zero kernel, bias p); the
    lab must call it dead exactly when Keras's float32 gradient there is 0. NumPy's
    ELU' = exp(p) is not 0 at -20 (TF's is), NumPy's SiLU' is 0 at -20 (TF's is not).
    """
    import tensorflow as tf

    lab = W.dying_relu_lab(activation=activation, depth=2, width=4, steps=10)
    model = lab.model
    first = model.layers[0] if model.layers[0].weights else model.layers[1]
    points = [-100.0, -20.0, -17.5, -17.0, -5.0, 0.0, 0.5, 10.0, 50.0]
    for p in points:
        weights = lab.initial_weights(activation, p)
        weights[0][...] = 0.0
        model.set_weights(weights)
        x = tf.constant(lab.x, dtype="float32")
        with tf.GradientTape() as tape:
            total = tf.reduce_sum(first(x))
        grad = tape.gradient(total, first.bias).numpy()
        assert np.all(grad == grad[0])
        lab_dead = lab.no_gradient_fractions(weights, activation)["hidden_1"]
        assert lab_dead == float(grad[0] == 0), (activation, p, grad[0], lab_dead)


def test_dying_lab_status_says_when_even_elu_lost_its_gradient():
    """ELU at lr 10**-0.5 loses over a third of its units: the status must not say they learn."""
    lab = W.dying_relu_lab(activation="elu", learning_rate=10**-0.5)
    dead = np.mean(list(lab.result["after"].values()))
    assert dead > 0.3
    assert "gradient is 0 in float32 at every point" in lab.status.value
    assert "keeps learning" not in lab.status.value
    lab.controls["learning_rate"].value = 10**-2
    assert np.mean(list(lab.result["after"].values())) < _labs.FEW_DEAD
    assert "still has a gradient for x < 0" in lab.status.value


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"activation": "sigmoid"}, "activation must be one of 'relu'"),
        ({"bias_init": -5}, "bias_init must be a number between -3 and 1"),
        ({"depth": 1}, "depth must be an integer between 2 and 10"),
    ],
)
def test_dying_lab_bad_arguments(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        W.dying_relu_lab(**kwargs)


# ----------------------------------------------------------------------- gradient_flow_lab


@pytest.fixture(scope="module")
def flow():
    return W.gradient_flow_lab(depth=6, width=16)


def _plotted(flow):
    return flow.line.get_xdata(), flow.line.get_ydata()


def test_gradient_flow_line_equals_gradient_norms(flow):
    direct = actlab.gradient_norms(flow.model, flow.x, flow.y, loss=flow.loss)
    xs, ys = _plotted(flow)
    np.testing.assert_array_equal(xs, np.arange(1, 8))
    np.testing.assert_allclose(ys, list(direct.values()), rtol=1e-5)
    assert list(direct)[-1] == "output" and flow.ax.get_yscale() == "log"


def test_gradient_flow_sigmoid_vanishes_relu_he_does_not(flow):
    flow.controls["depth"].value = 12
    sig = _plotted(flow)[1]
    assert len(sig) == 13
    assert sig[0] < sig[-1] / 100, "sigmoid: the first layer's gradient must be tiny"
    flow.controls["activation"].value = "relu"
    flow.controls["init"].value = "he_normal"
    relu = _plotted(flow)[1]
    direct = actlab.gradient_norms(flow.model, flow.x, flow.y, loss=flow.loss)
    np.testing.assert_allclose(relu, list(direct.values()), rtol=1e-5)
    assert relu[0] / relu[-1] > 100 * sig[0] / sig[-1]
    assert "relu, 12 hidden layers, he_normal" in flow.ax.get_title()


def test_gradient_flow_caches_norms_and_builds_no_model_to_plot(flow):
    flow.controls["activation"].value = "tanh"
    builds, computes = flow.builds, flow.computes
    ys = _plotted(flow)[1].copy()
    flow.controls["depth"].value = flow.controls["depth"].value + 1
    flow.controls["depth"].value = flow.controls["depth"].value - 1
    assert flow.computes == computes + 1, "the new depth once; the old one from the cache"
    assert flow.builds == builds, "plotting needs no Keras model"
    np.testing.assert_array_equal(_plotted(flow)[1], ys)
    model = flow.model
    assert flow.builds == builds + 1 and flow.model is model


@pytest.mark.parametrize("init", _labs.FLOW_INITS)
@pytest.mark.parametrize("activation", _labs.FLOW_ACTIVATIONS)
def test_gradient_flow_numpy_backprop_equals_gradient_norms(activation, init):
    lab = W.gradient_flow_lab(activation=activation, depth=5, init=init, width=8, seed=3)
    plotted = _plotted(lab)[1]
    direct = actlab.gradient_norms(lab.model, lab.x, lab.y, loss=lab.loss)
    assert list(direct) == [f"hidden_{i}" for i in range(1, 6)] + ["output"]
    # random_normal (std 0.05) shrinks pre-activations to ~1e-5 by layer 5, where float32
    # Keras loses precision (tf.nn.selu(-1e-4) is 2e-4 off in relative terms); the NumPy
    # side runs in float64, so that case gets a looser bar
    rtol = 1e-2 if init == "random_normal" else 2e-4
    np.testing.assert_allclose(plotted, list(direct.values()), rtol=rtol)
    kernels = lab.kernels(lab.setting)
    for layer, kernel in zip(lab.model.layers, kernels, strict=True):
        np.testing.assert_array_equal(layer.kernel.numpy(), kernel.astype("float32"))


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"activation": "softmax"}, "activation must be one of 'sigmoid'"),
        ({"init": "zeros"}, "init must be one of"),
        ({"depth": 31}, "depth must be an integer between 2 and 30"),
    ],
)
def test_gradient_flow_bad_arguments(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        W.gradient_flow_lab(**kwargs)
