"""The live playground: NumPy training checked against Keras, determinism, and the widget.

The widget is driven as a learner drives it (``controls[...].value = ...``,
``button.click()``); tests that play in the background wait on the step count
or on a drawn frame with a generous timeout, never on a fixed sleep, and check
that no training thread is left behind.
"""

from __future__ import annotations

import io
import math
import os
import threading
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

from actlab import _playground_core as core
from actlab import _widget_models as wm
from actlab import _widget_playground as wp
from actlab import catalog
from actlab import widgets as W

TIMEOUT = 120.0
DIVERGING = {"activation_1": "linear", "activation_2": "linear", "optimizer": "sgd",
             "learning_rate": 10.0}


def _threads():
    return [t for t in threading.enumerate() if t.name.startswith("actlab-playground")]


def _same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


@pytest.fixture
def pg():
    widget = W.playground()
    yield widget
    widget.close()
    assert not _threads(), "a playground thread outlived its widget"


# ----------------------------------------------------------------------- settings and data


def test_settings_defaults_and_canonical_names():
    """Missing keys take the defaults; activation aliases become catalogue names."""
    s = core.check_settings({"activation_1": "Swish", "width": np.int64(5)})
    assert set(s) == set(core.DEFAULT_SETTINGS)
    assert s["activation_1"] == "silu" and s["width"] == 5 and type(s["width"]) is int
    assert s["dataset"] == "circles" and s["batch_size"] == 0


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"datset": "xor"}, "Unknown playground setting(s): 'datset'"),
        ({"dataset": "swiss roll"}, "dataset must be one of 'circles', 'xor'"),
        ({"depth": 5}, "depth must be an integer between 1 and 4. Received: depth=5"),
        ({"width": 2.0}, "Received: width=2.0"),
        ({"learning_rate": 0.0}, "learning_rate must be a number between 0.0001 and 10"),
        ({"noise": True}, "Received: noise=True"),
        ({"activation_2": "rleu"}, "Did you mean 'relu'"),
        ({"optimizer": "rmsprop"}, "optimizer must be one of 'adam', 'sgd'"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(settings, fragment):
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        core.check_settings(settings)


@pytest.mark.parametrize("name", core.DATASETS)
def test_every_data_set_splits_into_train_and_test_inside_the_plane(name):
    d = core.make_data({"dataset": name, "test_fraction": 0.25})
    assert len(d.x_train) == 300 and len(d.x_test) == 100
    x = np.vstack([d.x_train, d.x_test])
    lo_x, hi_x, lo_y, hi_y = d.extent
    assert lo_x < x[:, 0].min() and x[:, 0].max() < hi_x
    assert lo_y < x[:, 1].min() and x[:, 1].max() < hi_y
    assert d.grid.shape == (core.GRID**2, 2)
    assert set(np.unique(d.y_train)) == {0.0, 1.0}


def test_noise_is_the_jitter_of_the_points():
    """More noise moves the points; no noise puts the circles exactly on two radii."""
    d = core.make_data({"noise": 0.0})
    radii = np.sort(np.unique(np.round(np.hypot(*d.x_train.T), 6)))
    np.testing.assert_allclose(radii, [0.5, 1.0], atol=1e-6)
    noisy = core.make_data({"noise": 0.2})
    assert not np.allclose(noisy.x_train, d.x_train)


# ----------------------------------------------------------------------- the NumPy network


def _random_network(acts, *, l2=0.0, seed=1):
    s = core.check_settings({"depth": len(acts), "width": 5, "l2": l2, "seed": seed,
                             **{f"activation_{i + 1}": a for i, a in enumerate(acts)}})
    net = core.Network(s)
    rng = np.random.default_rng(seed)
    net.set_weights([rng.normal(0, 0.8, w.shape) for w in net.weights])
    return net


@pytest.mark.parametrize("name", catalog.names())
def test_backprop_matches_finite_differences_for_every_activation(name):
    """d loss / d weights (L2 included) equals central finite differences."""
    net = _random_network([name, "tanh"], l2=0.01)
    d = core.make_data({})
    x, y = d.x_train[:64], d.y_train[:64]
    _loss, grads = net.gradients(x, y)
    grads = [g.copy() for g in grads]
    rng = np.random.default_rng(0)
    h = 1e-6
    for wi, w in enumerate(net.weights):
        for flat in rng.choice(w.size, size=min(4, w.size), replace=False):
            idx = np.unravel_index(flat, w.shape)
            old = w[idx]
            w[idx] = old + h
            up = net.gradients(x, y)[0]
            w[idx] = old - h
            down = net.gradients(x, y)[0]
            w[idx] = old
            numeric = (up - down) / (2 * h)
            assert grads[wi][idx] == pytest.approx(numeric, rel=1e-4, abs=1e-6), (name, wi, idx)


@pytest.mark.parametrize(("activation", "optimizer"),
                         [("relu", "adam"), ("tanh", "adam"), ("elu", "sgd")])
def test_numpy_training_equals_keras_training(activation, optimizer):
    """Same initial weights, same full-batch steps: the NumPy MLP follows Keras's Adam/SGD."""
    s = core.check_settings({"activation_1": activation, "activation_2": activation,
                             "optimizer": optimizer, "learning_rate": 0.03})
    d = core.make_data(s)
    model = wm.build_mlp([8, 8], [activation] * 2, seed=0)
    net = core.Network(s)
    for w_keras, w_np in zip(model.get_weights(), net.weights, strict=True):
        np.testing.assert_array_equal(w_keras, w_np.astype("float32"))
    trainer = wm.Trainer(model, optimizer=optimizer, learning_rate=0.03)
    trainer.train(d.x_train.astype("float32"), d.y_train, 25)
    net.train(d.x_train, d.y_train, 25)
    for w_keras, w_np in zip(model.get_weights(), net.weights, strict=True):
        np.testing.assert_allclose(w_np, w_keras, rtol=2e-3, atol=2e-4)


def test_train_playground_is_deterministic_bit_for_bit():
    """Same settings + seed + steps: the same weights; another seed: other weights."""
    settings = {"dataset": "moons", "batch_size": 16, "l2": 0.001, "activation_2": "gelu"}
    a = W.train_playground(settings, 150)
    b = W.train_playground(dict(settings), 150)
    assert _same(a.weights, b.weights) and a.steps == 150
    assert a.train_accuracy == b.train_accuracy and a.test_loss == b.test_loss
    c = W.train_playground({**settings, "seed": 1}, 150)
    assert not _same(a.weights, c.weights)
    start = W.train_playground(settings, 0)
    assert _same(start.weights, core.initial_weights(2, 8, 0))


def test_train_playground_learns_each_data_set():
    """A 2x8 tanh network separates every data set after 600 Adam steps."""
    for name in core.DATASETS:
        r = W.train_playground({"dataset": name, "activation_1": "tanh",
                                "activation_2": "tanh"}, 600)
        assert r.train_accuracy >= 0.9, (name, r.train_accuracy)
        assert r.test_accuracy >= 0.85, (name, r.test_accuracy)
        assert not r.diverged and r.train_loss < 0.4


def test_a_diverging_setting_stops_early_and_says_so():
    r = W.train_playground(DIVERGING, 500)
    assert r.diverged and 0 < r.steps < 500
    assert math.isnan(r.train_accuracy) and r.dead_units == []


def test_dead_units_are_units_that_output_zero_on_the_grid_and_at_every_training_point():
    r = W.train_playground({"learning_rate": 1.0, "depth": 3}, 300)
    net = core.Network(r.settings)
    net.set_weights(r.weights)
    d = core.make_data(r.settings)
    for units, h, t in zip(r.dead_units, net.hidden_outputs(d.grid),
                           net.hidden_outputs(d.x_train), strict=True):
        assert units == [j for j in range(h.shape[1])
                         if np.all(h[:, j] == 0) and np.all(t[:, j] == 0)]
    assert sum(map(len, r.dead_units)) >= 4, "lr 1.0 is meant to kill ReLU units"
    assert sum(map(len, W.train_playground({"learning_rate": 0.001, "depth": 3},
                                           300).dead_units)) == 0


# ----------------------------------------------------------------------- the widget


def test_controls_and_settings_interface(pg):
    """The control names other code relies on, and settings() round-trips."""
    required = {"dataset", "depth", "width", "learning_rate", "noise", "batch_size", "l2",
                "test_fraction", "seed", "optimizer", "speed", "play", "pause", "step", "reset",
                *(f"activation_{i}" for i in range(1, 5))}
    assert required <= set(pg.controls)
    assert pg.settings() == core.check_settings(pg.settings()) == core.DEFAULT_SETTINGS
    assert not pg.playing and pg.steps_done == 0 and pg.last_error is None
    assert pg.image.value[:4] == b"\x89PNG" and pg.units_image.value[:4] == b"\x89PNG"


def test_step_button_equals_train_playground_bit_for_bit(pg):
    pg.controls["step_size"].value = 100
    pg.controls["step"].click()
    pg.step(50)
    assert pg.steps_done == 150 and pg.last_error is None
    assert _same(pg.network.weights, W.train_playground(pg.settings(), 150).weights)
    assert "step 150" in pg.ax.get_title()
    prob = pg.network.proba(pg.data.grid).reshape(core.GRID, core.GRID)
    np.testing.assert_allclose(pg.boundary.get_array(), prob)
    assert pg.train_line.get_xdata()[-1] == 150


def test_play_pause_trains_in_the_background_deterministically(pg):
    pg.controls["speed"].value = 0  # as fast as possible
    pg.controls["play"].click()
    pg.controls["play"].click()  # a second press does not start a second loop
    pg.play()
    assert pg.playing and len(_threads()) == 2
    assert pg.controls["play"].disabled and not pg.controls["pause"].disabled
    assert pg.wait_for_steps(300, timeout=TIMEOUT)
    pg.controls["pause"].click()
    assert not pg.playing and not _threads()
    steps = pg.steps_done
    assert steps >= 300 and pg.frames >= 1
    assert _same(pg.network.weights, W.train_playground(pg.settings(), steps).weights)
    assert f"step {steps}" in pg.ax.get_title() and "paused" in pg.status.value


def test_learning_rate_change_while_playing_applies_without_restart(pg):
    pg.controls["speed"].value = 1000
    pg.play()
    assert pg.wait_for_steps(50, timeout=TIMEOUT)
    pg.controls["learning_rate"].value = 0.01
    assert pg.network.learning_rate == pytest.approx(0.01)
    before = pg.steps_done
    assert before >= 50, "a learning-rate change must not reset the network"
    assert pg.wait_for_steps(before + 50, timeout=TIMEOUT)
    assert pg.wait_for_frame(timeout=TIMEOUT)
    assert "learning rate is now 0.01" in pg.status.value and "no restart" in pg.status.value
    pg.controls["noise"].value = 0.2
    assert pg.playing and pg.steps_done >= before and pg.data is core.make_data(pg.settings())
    pg.pause()


def test_activation_change_while_playing_restarts_from_initial_weights(pg):
    pg.controls["speed"].value = 100
    pg.play()
    assert pg.wait_for_steps(20, timeout=TIMEOUT)
    pg.controls["activation_2"].value = "tanh"
    assert pg.network.activations == ["relu", "tanh"]
    assert pg.steps_done < 20, "an activation change starts the network again"
    assert pg.playing
    assert pg.wait_for_frame(timeout=TIMEOUT)
    assert "layer 2 activation is now tanh" in pg.status.value
    assert "initial weights" in pg.status.value
    pg.pause()
    assert _same(pg.network.weights, W.train_playground(pg.settings(), pg.steps_done).weights)


def test_reset_goes_back_to_the_initial_weights(pg):
    pg.step(100)
    pg.controls["reset"].click()
    assert pg.steps_done == 0
    assert _same(pg.network.weights, core.initial_weights(2, 8, 0))
    assert len(pg.train_line.get_xdata()) == 1


def test_diverging_run_pauses_itself_with_a_message():
    widget = W.playground(activations="linear", optimizer="sgd", learning_rate=10.0, speed=0)
    try:
        widget.play()
        for t in list(widget._threads):
            t.join(TIMEOUT)
        assert not widget.playing and not _threads()
        assert widget.diverged
        assert "diverged" in widget.status.value
        assert "Lower the learning rate" in widget.status.value
        assert "diverged" in widget.ax.get_title()
        assert not widget.controls["play"].disabled
        widget.play()  # refused until Reset
        assert not widget.playing and "press Reset" in widget.status.value
        widget.controls["learning_rate"].value = 0.01
        widget.reset()
        assert not widget.diverged and widget.steps_done == 0
    finally:
        widget.close()


def test_dead_units_are_marked_in_text_and_in_the_unit_maps():
    widget = W.playground(learning_rate=1.0, depth=3)
    try:
        widget.step(300)
        expected = W.train_playground(widget.settings(), 300).dead_units
        assert widget.dead_units == expected and sum(map(len, expected)) >= 4
        for i, units in enumerate(expected):
            assert f"layer {i + 1}: {len(units)}/8" in widget.status.value
        pixels = np.asarray(Image.open(io.BytesIO(widget.units_image.value)).convert("RGB"))
        tile = wp.tile_size(8)
        for layer, units in enumerate(expected):
            for unit in range(8):
                x0, y0 = wp.tile_origin(layer, unit, tile)
                # a patch clear of the cross and of the label: grey 200 exactly when dead
                patch = pixels[y0 + 2 : y0 + 6, x0 + tile // 2 - 3 : x0 + tile // 2 + 3]
                assert bool(np.all(patch == 200)) == (unit in units), (layer, unit)
    finally:
        widget.close()


def test_class_colours_stand_out_from_each_other_and_from_the_background(pg):
    def luminance(c):
        r, g, b = to_rgb(c)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    for (part, label), line in pg.points.items():
        d = pg.data
        x, y = (d.x_train, d.y_train) if part == "train" else (d.x_test, d.y_test)
        np.testing.assert_array_equal(line.get_xdata(), x[y == label][:, 0])
        assert to_rgb(line.get_markerfacecolor()) == to_rgb(wp.CLASS_COLOURS[label])
        assert to_rgb(line.get_markeredgecolor()) == to_rgb("white" if part == "train" else
                                                            "black")
    lightest_point = max(luminance(c) for c in wp.CLASS_COLOURS)
    darkest_background = min(luminance(wp.BOUNDARY_CMAP(v)) for v in np.linspace(0, 1, 11))
    assert darkest_background - lightest_point > 0.3


def test_new_playground_pauses_the_old_one_and_close_stops_it():
    first = W.playground(speed=100)
    second = None
    try:
        first.play()
        assert first.wait_for_steps(5, timeout=TIMEOUT)
        second = W.playground(speed=100)  # as re-running the cell does
        assert not first.playing and not _threads()
        second.play()
        assert second.wait_for_steps(5, timeout=TIMEOUT)
        first.play()  # playing one pauses the others
        assert first.playing and not second.playing
    finally:
        first.close()
        if second is not None:
            second.close()
    assert not _threads()


def test_stop_request_as_from_the_interrupt_handler_ends_the_threads(pg):
    pg.play()
    assert pg.wait_for_steps(3, timeout=TIMEOUT)
    wp._request_stop_all()  # what the kernel's interrupt handler calls
    for t in list(pg._threads):
        t.join(TIMEOUT)
    assert not pg.playing and not _threads()


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"dataset": "swiss"}, "dataset must be one of 'circles', 'xor', 'gaussian'"),
        ({"depth": 0}, "depth must be an integer between 1 and 4"),
        ({"width": 2.5}, "Received: width=2.5"),
        ({"activations": ["relu"] * 5}, "list of 1 to 4 names"),
        ({"activations": "rleu"}, "Did you mean 'relu'"),
        ({"learning_rate": 50.0}, "learning_rate must be a number between"),
        ({"batch_size": 3}, "batch_size must be one of 0, 1, 4"),
        ({"speed": 7}, "speed must be one of"),
    ],
)
def test_playground_bad_arguments(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        W.playground(**kwargs)


# ----------------------------------------------------------------------- in a real kernel

KERNEL_TIMEOUT = 300  # starting a kernel and importing TensorFlow on 2 busy cores


class _Kernel:
    """A real ipykernel (as JupyterLab runs it), driven through jupyter_client."""

    def __init__(self) -> None:
        from jupyter_client.manager import start_new_kernel

        root = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([root, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        env.update(KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="Agg")
        self.km, self.kc = start_new_kernel(kernel_name="python3", env=env,
                                            startup_timeout=KERNEL_TIMEOUT)

    def run(self, code: str, *, allow_error: bool = False) -> str:
        """Execute ``code`` and return its stdout; fail on an error unless allowed."""
        out: list[str] = []
        errors: list[str] = []

        def hook(msg: dict) -> None:
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                out.append(content["text"])
            elif kind == "error":
                errors.append(content["ename"])

        reply = self.kc.execute_interactive(code, timeout=KERNEL_TIMEOUT, output_hook=hook)
        if not allow_error:
            assert reply["content"]["status"] == "ok", errors
        return "".join(out) + "".join(f"ERROR:{e}\n" for e in errors)

    def wait_for_stdout(self, msg_id: str, text: str) -> None:
        """Block until request ``msg_id`` prints ``text``: its cell is running user code.

        The "busy" status is not enough: ipykernel announces it before it installs
        the handler that turns SIGINT into KeyboardInterrupt, so an interrupt sent
        in between is taken as an idle one and the cell runs on (seen with
        ipykernel 7.4 on a loaded machine: the test hung in about half the runs).
        """
        while True:
            msg = self.kc.get_iopub_msg(timeout=KERNEL_TIMEOUT)
            mine = msg["parent_header"].get("msg_id") == msg_id
            if mine and msg["msg_type"] == "stream" and text in msg["content"]["text"]:
                return

    def stop(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


THREADS = (
    "threads = lambda: [t.name for t in threading.enumerate() "
    "if t.name.startswith('actlab-playground')]\n"
)


@pytest.fixture(scope="module")
def kernel():
    k = _Kernel()
    k.run("import threading, time\nfrom actlab.widgets import playground\n" + THREADS)
    yield k
    k.stop()


def test_in_a_kernel_cells_run_while_it_plays_and_interrupt_stops_it(kernel):
    kernel.run("pg = playground(speed=100)\npg.play()\nassert pg.wait_for_steps(5, timeout=120)")
    # another cell runs and returns while the playground trains
    out = kernel.run("s0 = pg.steps_done\nprint(pg.playing, 6 * 7)\n"
                     "print(pg.wait_for_steps(s0 + 10, timeout=120))")
    assert out.split() == ["True", "42", "True"]
    kernel.km.interrupt_kernel()  # the stop button, while the kernel is idle
    out = kernel.run("for t in list(pg._threads): t.join(60)\nprint(pg.playing, threads())")
    assert out.strip() == "False []"
    # and while a cell is running: the cell gets KeyboardInterrupt, the training stops
    kernel.run("pg.play()\nassert pg.wait_for_steps(pg.steps_done + 5, timeout=120)")
    # stop_on_error=False: this cell's KeyboardInterrupt must not abort the next request.
    # ipykernel 6 (the floor) aborts every execute that reaches it before its "stop
    # aborting" event after an error reply, and the next cell below is sent at once.
    msg_id = kernel.kc.execute("print('sleeping', flush=True)\ntime.sleep(600)",
                               stop_on_error=False)
    kernel.wait_for_stdout(msg_id, "sleeping")
    kernel.km.interrupt_kernel()
    reply = kernel.kc.get_shell_msg(timeout=KERNEL_TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kernel.kc.get_shell_msg(timeout=KERNEL_TIMEOUT)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    out = kernel.run("for t in list(pg._threads): t.join(60)\nprint(pg.playing, threads())")
    assert out.strip() == "False []"


def test_in_a_kernel_rerunning_the_cell_leaves_one_loop_and_close_stops_it(kernel):
    cell = "pg = playground(speed=100)\npg.play()\nassert pg.wait_for_steps(3, timeout=120)"
    kernel.run(cell)
    kernel.run(cell)  # the learner runs the cell again
    out = kernel.run("print(len(threads()), pg.playing)")
    assert out.split() == ["2", "True"]  # the new playground's trainer and renderer only
    out = kernel.run("pg.close()\nprint(threads())")
    assert out.strip() == "[]"
