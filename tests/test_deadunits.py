"""actlab.deadunits: the DeadUnitsTracker callback beside dead_units."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import actlab
from actlab.deadunits import DeadUnitsTracker, dead_units


@pytest.fixture(scope="module")
def data(toy_split):
    return toy_split


def test_public_names_point_here():
    """actlab.DeadUnitsTracker is this module's class; dead_units is the probes' function."""
    from actlab import probes

    assert actlab.DeadUnitsTracker is DeadUnitsTracker
    assert dead_units is probes.dead_units is actlab.dead_units


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


def _fit(data, tracker, epochs):
    """Train the zero-bias model with the tracker; return the model for more fits."""
    (x, y), _ = data
    model = _dying_model(0.0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=epochs, verbose=0, callbacks=[tracker])
    return model


def test_tracker_every_and_continued_fit(data):
    """every=2 records epochs 0, 2 and the last; a second fit continues the count."""
    (x, y), _ = data
    tracker = DeadUnitsTracker(x[:32], every=2)
    model = _fit(data, tracker, epochs=3)
    assert tracker.epochs == [0, 2, 3]
    model.fit(x, y, epochs=2, verbose=0, callbacks=[tracker])
    assert tracker.epochs == [0, 2, 3, 5]


def test_tracker_threshold_is_passed_on(data):
    """With a huge threshold every ReLU unit counts as not firing."""
    tracker = DeadUnitsTracker(data[0][0][:32], threshold=1e9)
    _fit(data, tracker, epochs=1)
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


def _two_layer_model():
    """layer_2's unit 1 computes h0 - h1: dead while layer_1 passes x on unchanged."""
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(2, activation="relu", name="layer_1"),
            keras.layers.Dense(2, activation="relu", name="layer_2"),
            keras.layers.Dense(1, name="out"),
        ]
    )
    model.get_layer("layer_1").set_weights([np.eye(2, dtype="float32"), np.zeros(2, "float32")])
    model.get_layer("layer_2").set_weights(
        [np.array([[1.0, 1.0], [0.0, -1.0]], "float32"), np.zeros(2, "float32")]
    )
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    return model


def test_tracker_masks_agree_with_the_fractions(data):
    """dead_masks[epoch][layer] has one entry per unit; its mean is the recorded fraction."""
    (x, y), _ = data
    model = _dying_model(-3.0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    tracker = DeadUnitsTracker(x)
    model.fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[tracker])
    for epoch, fractions in tracker.history.items():
        for layer, fraction in fractions.items():
            mask = tracker.dead_masks[epoch][layer]
            assert mask.dtype == bool and float(np.mean(mask)) == pytest.approx(fraction)


def test_tracker_counts_a_unit_revived_by_an_earlier_layer():
    """A dead unit whose input changes comes back, and revived() counts it; layer 1 has none."""
    rng = np.random.default_rng(1)
    x = np.stack([rng.uniform(0.1, 0.2, 64), rng.uniform(0.5, 1.0, 64)], axis=1).astype("float32")
    y = np.zeros((64, 1), "float32")
    model = _two_layer_model()
    tracker = DeadUnitsTracker(x)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[tracker])  # lr 0: nothing moves
    assert tracker.revived() == {"layer_1": 0, "layer_2": 0}
    assert tracker.dead_masks[1]["layer_2"].tolist() == [False, True]
    # the earlier layer changes (here by hand): unit 1 of layer_2 now receives (x0, 0)
    model.get_layer("layer_1").set_weights(
        [np.array([[1.0, 0.0], [0.0, 0.0]], "float32"), np.zeros(2, "float32")]
    )
    model.fit(x, y, epochs=1, verbose=0, callbacks=[tracker])
    assert tracker.dead_masks[2]["layer_2"].tolist() == [False, False]
    assert tracker.revived() == {"layer_1": 0, "layer_2": 1}


def test_tracker_revived_before_two_records_is_zero(data):
    """With nothing or one record there is nothing to compare: no revivals."""
    (x, _), _ = data
    tracker = DeadUnitsTracker(x)
    assert tracker.revived() == {}
