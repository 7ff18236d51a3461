import keras
import matplotlib
import numpy as np
import pytest
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from actlab import catalog, plotting


@pytest.fixture(autouse=True)
def _close_all():
    yield
    plt.close("all")


def test_plot_activations_draws_the_true_curves():
    """Lines carry the activation values and autodiff derivatives."""
    x = np.linspace(-3, 3, 50, dtype="float32")
    fig = plotting.plot_activations(["relu", "tanh"], x=x)
    f_ax, d_ax = fig.axes
    np.testing.assert_allclose(f_ax.lines[1].get_ydata(), np.tanh(x), atol=1e-6)
    np.testing.assert_allclose(d_ax.lines[1].get_ydata(), 1 - np.tanh(x) ** 2, atol=1e-5)
    np.testing.assert_array_equal(d_ax.lines[0].get_ydata(), (x > 0).astype("float32"))


def test_returned_figure_is_detached_from_pyplot():
    """Without ax= the figure is not left open in pyplot (so it shows only once)."""
    fig = plotting.plot_activations("sigmoid", derivatives=False)
    assert isinstance(fig, Figure) and not plt.get_fignums()


def test_plot_into_given_axes():
    """ax= draws into the caller's axes and returns its figure."""
    fig, axes = plt.subplots(1, 2)
    out = plotting.plot_activations("elu", ax=axes)
    def labels(ax):
        return [ln.get_label() for ln in ax.lines if not ln.get_label().startswith("_")]

    assert out is fig and labels(axes[0]) == ["elu"] and labels(axes[1]) == ["elu'"]


def test_plot_activations_rejects_unknown_and_empty():
    """Unknown names and empty lists get clear errors."""
    with pytest.raises(ValueError, match="Did you mean"):
        plotting.plot_activations(["rleu"])
    with pytest.raises(ValueError, match="at least one"):
        plotting.plot_activations([])


def test_plot_history_accepts_history_dict_and_runs():
    """One history or a dict of runs: one line per run per metric."""
    runs = {"relu": {"accuracy": [0.5, 0.8], "val_accuracy": [0.4, 0.7]},
            "tanh": {"accuracy": [0.4, 0.6], "val_accuracy": [0.3, 0.5]}}
    fig = plotting.plot_history(runs)
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2
    np.testing.assert_array_equal(fig.axes[1].lines[1].get_ydata(), [0.3, 0.5])
    single = plotting.plot_history({"loss": [1.0, 0.5]}, metrics=["loss"])
    assert len(single.axes[0].lines) == 1
    with pytest.raises(ValueError, match="It has: \\['loss'\\]"):
        plotting.plot_history({"loss": [1.0]})


def test_plot_decision_boundary_uses_the_model():
    """Regions follow the model's prediction (here: x0 > 0 is class 1)."""
    x = np.array([[-1, 0], [1, 0], [-1, 1], [1, 1]], dtype="float32")
    y = np.array([0, 1, 0, 1])

    def model(grid):
        return (grid[:, :1] > 0).astype("float32")

    fig = plotting.plot_decision_boundary(model, x, y, resolution=20)
    assert isinstance(fig, Figure) and fig.axes[0].collections
    keras_model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    plotting.plot_decision_boundary(keras_model, x, y, resolution=10)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plotting.plot_decision_boundary(model, np.zeros((4, 3)), y)


def test_gradient_norms_and_dead_units_plots():
    """Per-layer series plot in network order; several series overlay."""
    fig = plotting.plot_gradient_norms({"a": {"d1": 1e-3, "d2": 1e-1}, "b": {"d1": 1, "d2": 2}})
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["d1", "d2"]
    fig2 = plotting.plot_dead_units({"dense": 0.5, "dense_1": 0.25})
    np.testing.assert_array_equal(fig2.axes[0].lines[0].get_ydata(), [0.5, 0.25])
    with pytest.raises(ValueError, match="Nothing to plot"):
        plotting.plot_dead_units({})


def test_plot_series_draws_each_curve_against_x():
    """One line per curve with the given x, a reference line, log scale by default."""
    fig = plotting.plot_series({"a": [1.0, 0.5, 0.25], "b": [1.0, 1.0, 1.0]}, x=[2, 5, 10],
                               hline=1.0, xlabel="depth")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "depth"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [2, 5, 10])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, 0.5, 0.25])
    assert len(ax.lines) == 3  # two curves and the reference line
    fig2 = plotting.plot_series({"a": [3, 4]}, log=False)
    np.testing.assert_array_equal(fig2.axes[0].lines[0].get_xdata(), [1, 2])
    with pytest.raises(ValueError, match="one y per x"):
        plotting.plot_series({"a": [1, 2]}, x=[1, 2, 3])
    with pytest.raises(ValueError, match="no curves"):
        plotting.plot_series({})


def test_plot_series_into_given_axes():
    """ax= draws into the caller's axes and returns its figure."""
    fig, ax = plt.subplots()
    assert plotting.plot_series({"a": [1, 2]}, ax=ax) is fig and len(ax.lines) == 1


def test_plot_prediction_agreement_shows_the_agreement_matrix():
    """The matrix holds the share of equal predictions; accuracy adds a bar panel."""
    preds = {"a": np.array([0, 1, 2, 3]), "b": np.array([0, 1, 2, 0]), "c": np.array([1, 1, 1, 1])}
    fig = plotting.plot_prediction_agreement(preds, accuracy={"a": 0.9, "b": 0.85, "c": 0.5})
    bars, matrix = fig.axes[0], fig.axes[1]
    assert [p.get_width() for p in bars.patches] == [0.9, 0.85, 0.5]
    values = matrix.images[0].get_array()
    assert values[0, 1] == pytest.approx(0.75) and values[0, 2] == pytest.approx(0.25)
    assert np.allclose(np.diag(values), 1.0)
    fig2, ax = plt.subplots()
    assert plotting.plot_prediction_agreement(preds, ax=ax) is fig2
    with pytest.raises(ValueError, match="same length"):
        plotting.plot_prediction_agreement({"a": np.zeros(3), "b": np.zeros(4)})
    with pytest.raises(ValueError, match="no predictions"):
        plotting.plot_prediction_agreement({})


def test_layer_histograms_report_sparsity():
    """One panel per layer; the title gives the share of exact zeros."""
    acts = {"relu_layer": np.array([0, 0, 0, 1.0]), "tanh_layer": np.array([-0.5, 0.5])}
    fig = plotting.plot_layer_histograms(acts)
    assert len(fig.axes) == 2 and "75% zeros" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="no activations"):
        plotting.plot_layer_histograms({})


def test_backend_is_non_interactive():
    """Tests draw off-screen."""
    assert matplotlib.get_backend().lower() == "agg"


def test_catalog_formula_is_the_single_plot_title():
    """A single activation is titled with its formula."""
    fig = plotting.plot_activations("softplus", derivatives=False)
    assert fig.axes[0].get_title() == catalog.get("softplus").formula


def test_plot_curves_takes_functions_layers_and_values():
    """Functions, Keras layers and precomputed values all plot at x; ax= and separate= work."""
    x = np.linspace(-2, 2, 21, dtype="float32")
    curves = {"tanh": np.tanh, "relu(threshold=1)": keras.layers.ReLU(threshold=1.0),
              "square": x**2}
    fig = plotting.plot_curves(curves, x=x)
    lines = [ln for ln in fig.axes[0].lines if not ln.get_label().startswith("_")]
    assert [ln.get_label() for ln in lines] == ["tanh", "relu(threshold=1)", "square"]
    np.testing.assert_allclose(lines[1].get_ydata(), np.where(x > 1, x, 0), atol=1e-6)
    np.testing.assert_allclose(lines[2].get_ydata(), x**2, atol=1e-6)
    _, axes = plt.subplots(1, 2)
    out = plotting.plot_curves({"a": np.tanh, "b": np.sin}, x=x, separate=True, ax=axes)
    assert out is axes[0].figure and [a.get_title() for a in axes] == ["a", "b"]
    with pytest.raises(ValueError, match="shape"):
        plotting.plot_curves({"short": np.zeros(3)}, x=x)
    with pytest.raises(ValueError, match="one Axes per curve"):
        plotting.plot_curves({"a": np.tanh, "b": np.sin}, x=x, separate=True, ax=axes[0])
    with pytest.raises(ValueError, match="at least one"):
        plotting.plot_curves({})


def test_plot_weight_paths_draws_each_path_and_the_target():
    """One line per path through its weights, and a star at the target."""
    from actlab.zigzag import two_weight_descent

    path = two_weight_descent("sigmoid", steps=5)
    fig = plotting.plot_weight_paths({"sigmoid": path, "raw": np.zeros((3, 2))})
    lines = {ln.get_label(): ln for ln in fig.axes[0].lines}
    np.testing.assert_array_equal(lines["sigmoid"].get_ydata(), path.weights[:, 1])
    assert list(lines["target"].get_xdata()) == [1.0]
    _, ax = plt.subplots()
    assert plotting.plot_weight_paths({"a": np.zeros((2, 2))}, target=(0, 0), ax=ax) is ax.figure
    with pytest.raises(ValueError, match=r"\(steps \+ 1, 2\)"):
        plotting.plot_weight_paths({"bad": np.zeros(4)})


def test_plot_points_and_accuracies():
    """Points are coloured by label; bars carry the accuracies; bad input is refused."""
    x = np.array([[0, 0], [1, 1], [2, 0]], dtype="float32")
    fig = plotting.plot_points(x, [0, 1, 0], title="three")
    np.testing.assert_array_equal(fig.axes[0].collections[0].get_offsets(), x)
    assert fig.axes[0].get_title() == "three"
    with pytest.raises(ValueError, match="labels"):
        plotting.plot_points(x, [0, 1])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plotting.plot_points(np.zeros((3, 3)), [0, 1, 0])
    bars = plotting.plot_accuracies({"relu": 0.9, "fresh": 0.1}, chance=0.1)
    ax = bars.axes[0]
    assert [p.get_height() for p in ax.patches] == [0.9, 0.1]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["relu", "fresh"]
    assert any(ln.get_label() == "chance (10%)" for ln in ax.lines)
    _, own = plt.subplots()
    assert plotting.plot_accuracies({"a": 0.5}, ax=own) is own.figure
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        plotting.plot_accuracies({"percent": 90.0})
    with pytest.raises(ValueError, match="at least one"):
        plotting.plot_accuracies({})


def test_plot_images_titles_each_image_with_its_label():
    """One panel per image, titled with its label; shapes and counts are checked."""
    images = np.random.default_rng(0).random((3, 28, 28))
    fig = plotting.plot_images(images, np.array([7, 2, 1]))
    assert [a.get_title() for a in fig.axes] == ["7", "2", "1"]
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array(), images[1])
    _, axes = plt.subplots(1, 3)
    assert plotting.plot_images(images, ax=axes) is axes[0].figure
    with pytest.raises(ValueError, match="labels"):
        plotting.plot_images(images, [1, 2])
    with pytest.raises(ValueError, match=r"\(n, height, width\)"):
        plotting.plot_images(np.zeros((28, 28)))
    with pytest.raises(ValueError, match="need 3 Axes"):
        plotting.plot_images(images, ax=axes[:2])
