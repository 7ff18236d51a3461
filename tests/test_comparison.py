"""actlab.comparison: compare_activations, Comparison, ComparisonTable."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from matplotlib.figure import Figure

from actlab.comparison import Comparison, ComparisonTable, Run, compare_activations


@pytest.fixture(scope="module")
def data(toy_split):
    return toy_split


def build(activation):
    return keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(8, activation=activation, name="hidden"),
            keras.layers.Dense(2, activation="softmax", name="out"),
        ]
    )


def test_compare_records_history_accuracy_and_time(data):
    """One run per activation with history, test accuracy, wall time and epoch times."""
    c = compare_activations(
        build, ["relu", "tanh"], data, epochs=2, batch_size=32, seed=1, progress=False
    )
    assert isinstance(c, Comparison) and c.labels == ["relu", "tanh"] and len(c) == 2
    for run in c:
        assert isinstance(run, Run)
        assert len(run.history["accuracy"]) == 2 and len(run.history["val_accuracy"]) == 2
        assert 0.0 <= run.test_accuracy <= 1.0 and np.isfinite(run.test_loss)
        assert run.train_time_s > 0 and len(run.epoch_times_s) == 2
        assert run.train_time_s >= sum(run.epoch_times_s) * 0.99
        assert run.params == 8 * 6 + 8 + 2 * 8 + 2
    assert c.input_shape == (6,) and c.n_train == 128 and c.n_test == 32
    assert set(c.test_accuracy) == {"relu", "tanh"} and set(c.train_time) == {"relu", "tanh"}
    assert c.best() in ("relu", "tanh")


def test_test_accuracy_matches_the_trained_model(data):
    """The reported test accuracy is the trained model's accuracy on the test split."""
    models = []

    def keep(activation):
        models.append(build(activation))
        return models[-1]

    c = compare_activations(keep, ["relu"], data, epochs=1, batch_size=32, progress=False)
    (_, _), (x_test, y_test) = data
    pred = models[0].predict(x_test, verbose=0).argmax(1)
    assert c["relu"].test_accuracy == pytest.approx(float(np.mean(pred == y_test)), abs=1e-6)


def test_every_run_starts_from_the_same_weights(data):
    """The seed is reset before each build, so the initial weights are identical."""
    initial = []

    def record(activation):
        m = build(activation)
        initial.append(m.get_weights())
        return m

    compare_activations(record, ["relu", "sigmoid", "elu"], data, epochs=1, progress=False)
    assert len(initial) == 3  # one build per activation, so there is something to compare
    for weights in initial[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(initial[0], weights, strict=True))
    # Control: without the reset, the next build starts from other weights.
    assert not np.array_equal(build("relu").get_weights()[0], initial[0][0])


def test_names_are_resolved_through_the_catalogue_and_keras(data):
    """Aliases become Keras names; Keras-only names are accepted; mappings keep labels."""
    received = []

    def record(activation):
        received.append(activation)
        return build(activation)

    c = compare_activations(
        record,
        {"swish!": "swish", "ht": "hard_tanh", "fn": keras.ops.relu},
        data,
        epochs=1,
        progress=False,
    )
    assert received[:2] == ["silu", "hard_tanh"] and received[2] is keras.ops.relu
    assert c.labels == ["swish!", "ht", "fn"]


def test_uncompiled_models_are_compiled_and_compiled_ones_kept(data):
    """A compiled model keeps its optimizer; an uncompiled one gets Adam."""
    optimizers = {}

    def build_sgd(activation):
        m = build(activation)
        if activation == "relu":
            m.compile(
                optimizer=keras.optimizers.SGD(0.1),
                loss="sparse_categorical_crossentropy",
                metrics=["accuracy"],
            )
        optimizers[activation] = m
        return m

    compare_activations(build_sgd, ["relu", "tanh"], data, epochs=1, progress=False)
    assert isinstance(optimizers["relu"].optimizer, keras.optimizers.SGD)
    assert isinstance(optimizers["tanh"].optimizer, keras.optimizers.Adam)


def test_table_renders_as_text_markdown_and_html(data):
    """table() prints, and renders as Markdown and HTML, one row per run."""
    c = compare_activations(build, ["relu", "tanh"], data, epochs=1, progress=False)
    table = c.table()
    assert isinstance(table, ComparisonTable)
    text, markdown, html = str(table), table._repr_markdown_(), table._repr_html_()
    for label in ("relu", "tanh"):
        assert label in text and f"| {label} |" in markdown and f"<td>{label}</td>" in html
    assert f"{c['relu'].test_accuracy:.3f}" in text
    assert "n/a" in text  # one epoch: no "time per epoch after the first"
    assert "Comparison(2 runs" in repr(c)


def test_plot_returns_a_figure_with_one_line_per_run(data):
    """plot() draws the learning curves of every run, one panel per metric."""
    c = compare_activations(build, ["relu", "tanh"], data, epochs=2, progress=False)
    fig = c.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    fig = c.plot(["loss"])
    assert len(fig.axes) == 1


def test_unknown_activation_suggests_close_names(data):
    """A misspelt name fails before any training, with a did-you-mean."""
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        compare_activations(build, ["relu", "rellu"], data, epochs=1, progress=False)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([], "activations is empty"),
        (["relu", 3], "must be names"),
        (42, "list of names"),
        ({"a": "relu", "b": "elu"} | {}, None),  # valid: control case
    ],
)
def test_bad_activation_lists(data, bad, message):
    """Empty lists, non-strings in a list, or a non-list are refused clearly."""
    if message is None:
        compare_activations(build, bad, data, epochs=1, progress=False)
        return
    with pytest.raises((ValueError, TypeError), match=message):
        compare_activations(build, bad, data, epochs=1, progress=False)


def test_duplicate_labels_are_refused(data):
    """The same name twice is refused (each run needs its own label)."""
    with pytest.raises(ValueError, match="duplicate labels"):
        compare_activations(build, ["relu", "relu"], data, epochs=1, progress=False)


@pytest.mark.parametrize(
    ("make_data", "message"),
    [
        (lambda d: d[0], "wrong structure"),
        (lambda d: None, "wrong structure"),
        (lambda d: ((d[0][0], d[0][1][:10]), d[1]), "must match"),
        (lambda d: ((d[0][0][:0], d[0][1][:0]), d[1]), "empty"),
    ],
)
def test_bad_data_is_refused(data, make_data, message):
    """Data must be ((x_train, y_train), (x_test, y_test)) with matching lengths."""
    with pytest.raises(ValueError, match=message):
        compare_activations(build, ["relu"], make_data(data), epochs=1, progress=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs must be an integer >= 1. Received: epochs=0"),
        ({"epochs": 1.5}, "epochs must be an integer"),
        ({"batch_size": 0}, "batch_size must be an integer >= 1"),
        ({"seed": -1}, "seed must be an integer >= 0"),
        ({"validation_split": 1.0}, "validation_split must be a number in"),
    ],
)
def test_bad_options_are_refused(data, kwargs, message):
    """epochs/batch_size < 1, negative seeds and impossible splits get clear errors."""
    options = {"epochs": 1, "progress": False} | kwargs
    with pytest.raises(ValueError, match=message):
        compare_activations(build, ["relu"], data, **options)


def test_build_model_must_be_callable_and_return_a_model(data):
    """A non-callable builder, or one that returns something else, is a TypeError."""
    with pytest.raises(TypeError, match="build_model must be a function"):
        compare_activations("relu", ["relu"], data, epochs=1, progress=False)
    with pytest.raises(TypeError, match="must return a keras.Model. Received: str"):
        compare_activations(lambda act: act, ["relu"], data, epochs=1, progress=False)


def test_model_without_accuracy_metric_is_explained(data):
    """A model compiled without metrics=['accuracy'] gets an actionable error."""

    def no_metric(activation):
        m = build(activation)
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return m

    with pytest.raises(ValueError, match="metrics=\\['accuracy'\\]"):
        compare_activations(no_metric, ["relu"], data, epochs=1, progress=False)


def test_one_hot_labels_need_a_compiled_model(data):
    """One-hot labels with the default (sparse) loss are refused; compiled models accept them."""
    (x, y), (xt, yt) = data
    one_hot = ((x, np.eye(2)[y]), (xt, np.eye(2)[yt]))
    with pytest.raises(ValueError, match="looks one-hot"):
        compare_activations(build, ["relu"], one_hot, epochs=1, progress=False)

    def categorical(activation):
        m = build(activation)
        m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        return m

    c = compare_activations(categorical, ["relu"], one_hot, epochs=1, progress=False)
    assert 0.0 <= c["relu"].test_accuracy <= 1.0


def test_unknown_run_label_lists_the_runs(data):
    """comparison['nope'] names the runs that exist."""
    c = compare_activations(build, ["relu"], data, epochs=1, progress=False)
    with pytest.raises(KeyError, match="Runs: \\['relu'\\]"):
        c["nope"]


def _ten_blobs():
    """Ten overlapping 10-D Gaussian blobs: hard enough that the wrong loss shows."""
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=2, size=(10, 10)).astype("float32")
    y = rng.integers(0, 10, 800)
    x = (centres[y] + rng.normal(size=(800, 10))).astype("float32")
    return (x[:600], y[:600]), (x[600:], y[600:])


def _blob_model(output_activation):
    from actlab.models import mlp

    return mlp(10, [32], "relu", output_units=10, output_activation=output_activation)


def _blob_accuracy(build_model):
    c = compare_activations(
        build_model, ["relu"], _ten_blobs(), epochs=5, batch_size=32, seed=0, progress=False
    )
    return c["relu"].test_accuracy


@pytest.mark.parametrize(("output_activation", "from_logits"), [(None, True), ("softmax", False)])
def test_uncompiled_models_get_the_loss_that_matches_their_output(output_activation, from_logits):
    """Logits (no output activation) get from_logits=True, softmax outputs from_logits=False."""
    built = []

    def keep(activation):
        built.append(_blob_model(output_activation))
        return built[-1]

    accuracy = _blob_accuracy(keep)
    assert built[0].loss.get_config()["from_logits"] is from_logits
    assert accuracy > 0.7  # measured 0.815 for both (chance is 0.1)


def test_the_wrong_from_logits_would_train_badly():
    """Control: logits under the probability loss (the old default) learn far less."""

    def wrong(activation):
        m = _blob_model(None)  # logits ...
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return m  # ... with a loss that expects probabilities

    right = _blob_accuracy(lambda a: _blob_model(None))
    assert _blob_accuracy(wrong) < right - 0.2  # measured 0.325 vs 0.815


def test_an_output_activation_that_is_no_probability_is_refused(data):
    """An uncompiled model ending in ReLU gets no guessed loss: the message says what to do."""

    def relu_output(activation):
        return keras.Sequential(
            [
                keras.Input((6,)),
                keras.layers.Dense(8, activation=activation),
                keras.layers.Dense(2, activation="relu", name="out"),
            ]
        )

    with pytest.raises(ValueError, match="applies 'relu'.*Compile the model in build_model"):
        compare_activations(relu_output, ["tanh"], data, epochs=1, progress=False)
