"""actlab.training: compare_activations, Comparison, DeadUnitsTracker, activation timers."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from matplotlib.figure import Figure

import actlab
from actlab.training import (
    DENSE_ROW,
    Comparison,
    ComparisonTable,
    CostTable,
    DeadUnitsTracker,
    Run,
    compare_activations,
    time_activation,
    time_activations,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(160, 6)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return (x[:128], y[:128]), (x[128:], y[128:])


def build(activation):
    return keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(8, activation=activation, name="hidden"),
            keras.layers.Dense(2, activation="softmax", name="out"),
        ]
    )


# --- compare_activations -----------------------------------------------------------


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
    for weights in initial[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(initial[0], weights, strict=True))


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


# --- DeadUnitsTracker ----------------------------------------------------------------


def _dying_model(bias):
    return keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(
                8,
                activation="relu",
                name="alive",
                kernel_initializer=keras.initializers.GlorotUniform(seed=0),
            ),
            keras.layers.Dense(
                8,
                activation="relu",
                name="dead",
                kernel_initializer=keras.initializers.GlorotUniform(seed=1),
                bias_initializer=keras.initializers.Constant(bias),
            ),
            keras.layers.Dense(2, activation="softmax", name="out"),
        ]
    )


def test_tracker_records_dead_units_per_epoch(data):
    """Epoch 0 is before training; each later record equals actlab.dead_units then."""
    (x, y), _ = data
    model = _dying_model(-100.0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    tracker = DeadUnitsTracker(x[:64])
    assert isinstance(tracker, keras.callbacks.Callback)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[tracker])
    assert tracker.epochs == [0, 1, 2]
    assert tracker.history[0]["dead"] == 1.0  # bias -100: no unit can fire
    assert tracker.history[2]["dead"] == 1.0  # and a dead ReLU gets no gradient to recover
    assert tracker.last() == actlab.dead_units(model, x[:64])
    assert tracker.by_layer()["dead"] == [1.0, 1.0, 1.0]
    assert set(tracker.last()) == {"alive", "dead", "out"}


def test_tracker_every_and_continued_fit(data):
    """every=2 records epochs 0, 2 and the last; a second fit continues the count."""
    (x, y), _ = data
    model = _dying_model(0.0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    tracker = DeadUnitsTracker(x[:32], every=2)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[tracker])
    assert tracker.epochs == [0, 2, 3]
    model.fit(x, y, epochs=2, verbose=0, callbacks=[tracker])
    assert tracker.epochs == [0, 2, 3, 5]


def test_tracker_threshold_is_passed_on(data):
    """With a huge threshold every ReLU unit counts as not firing."""
    (x, y), _ = data
    model = _dying_model(0.0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    tracker = DeadUnitsTracker(x[:32], threshold=1e9)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[tracker])
    assert tracker.last()["alive"] == 1.0


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((np.zeros((0, 6)),), {}, "x_probe must be a non-empty batch"),
        ((np.zeros((4, 6)),), {"every": 0}, "every must be an integer >= 1"),
    ],
)
def test_tracker_bad_arguments(args, kwargs, message):
    """An empty probe or every < 1 is refused."""
    with pytest.raises(ValueError, match=message):
        DeadUnitsTracker(*args, **kwargs)


def test_tracker_last_before_training_explains():
    """last() before any fit says what to do."""
    with pytest.raises(ValueError, match="callbacks="):
        DeadUnitsTracker(np.zeros((4, 6))).last()


# --- timers -----------------------------------------------------------------------------


def test_time_activation_reports_forward_and_backward():
    """Milliseconds for forward, forward+backward and their difference."""
    t = time_activation("relu", shape=(64, 64), repeats=3, warmup=1)
    assert set(t) == {"forward_ms", "forward_backward_ms", "backward_ms"}
    assert t["forward_ms"] > 0 and t["forward_backward_ms"] > 0
    assert t["backward_ms"] == pytest.approx(max(t["forward_backward_ms"] - t["forward_ms"], 0))


def test_time_activations_table_relative_to_baseline():
    """The baseline comes first with ratio 1; the dense row is added on request."""
    table = time_activations(["tanh", "swish"], shape=(32, 16), repeats=2, warmup=0, dense_units=8)
    assert isinstance(table, CostTable)
    assert list(table.costs) == ["relu", "tanh", "silu", DENSE_ROW]
    assert table.relative("forward_ms")["relu"] == 1.0
    text, markdown, html = str(table), table._repr_markdown_(), table._repr_html_()
    for name in ("relu", "tanh", "silu", DENSE_ROW):
        assert name in text and f"| {name} |" in markdown and f"<td>{name}</td>" in html
    assert "32x16" in text


def test_timed_functions_compute_the_activation():
    """The compiled functions really apply the activation (checked through its gradient)."""
    from actlab.training import _compiled_pair

    x = keras.ops.convert_to_tensor(np.linspace(-2, 2, 9, dtype="float32"))
    forward, forward_backward = _compiled_pair(keras.activations.tanh)
    np.testing.assert_allclose(forward(x), np.tanh(np.linspace(-2, 2, 9)), atol=1e-6)
    np.testing.assert_allclose(
        forward_backward(x), 1 - np.tanh(np.linspace(-2, 2, 9)) ** 2, atol=1e-6
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: time_activation("rellu"), "Did you mean 'relu'"),
        (lambda: time_activation("relu", shape=(0, 4)), "shape must be a non-empty list or tuple"),
        (lambda: time_activation("relu", shape="big"), "Received: shape=.big."),
        (lambda: time_activation("relu", repeats=0), "repeats must be an integer >= 1"),
        (lambda: time_activation("relu", warmup=-1), "warmup must be an integer >= 0"),
        (lambda: time_activations([]), "names is empty"),
        (lambda: time_activations(["relu"], baseline="nope"), "Unknown activation name"),
        (lambda: time_activations(["relu"], dense_units=0), "dense_units must be"),
    ],
)
def test_timer_bad_arguments(call, message):
    """Unknown names, bad shapes and bad repeat counts are refused clearly."""
    with pytest.raises(ValueError, match=message):
        call()
