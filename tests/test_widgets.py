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
