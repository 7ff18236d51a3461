"""The live playground widget: Play / Pause / Step / Reset, drawn while it trains.

Public entry point: :func:`actlab.widgets.playground`. The model (settings,
data, NumPy network, deterministic training) is in :mod:`actlab._playground_core`.

How it runs. **Play** starts two daemon threads in the kernel: a *trainer*
that runs optimizer steps at the chosen pace (``speed`` steps per second, or
as fast as it can), and a *renderer* that, at most ``MAX_FPS`` times a second,
copies the current weights (a few hundred numbers, under a lock), computes the
boundary and every hidden unit's map over the plane and publishes the PNGs. The
trainer never waits for a frame: if drawing is slow, fewer frames are drawn
(frames are sampled, never queued). The kernel's main thread stays free, so
other cells run while the playground trains, and controls apply at once:
learning rate, noise, L2, batch size, optimizer and speed change the running
training; depth, width, an activation, the data set or the seed start the new
network from its seeded initial weights (as Reset does) and say so.

Nothing runs away: Play twice is one loop; **Pause**, closing the widget,
creating another playground (re-running its cell), interrupting the kernel
(the stop button) or a diverging loss (NaN) stops the threads.
"""

from __future__ import annotations

import functools
import html
import math
import signal
import threading
import time
import weakref
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.colors import LinearSegmentedColormap
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from actlab import _playground_core as core
from actlab import catalog
from actlab._validate import check_int
from actlab._widget_base import _SLIDER_STYLE, Explorer, _new_figure, _slider, encode_png

MAX_FPS = 10.0
"""Frames per second the renderer aims at while playing (it draws fewer if a frame is slow)."""
SPEEDS = (10, 30, 100, 300, 1000, 0)
"""Training paces offered, in steps per second; 0 runs as fast as the CPU allows."""
STEP_SIZES = (1, 10, 100)
HISTORY = 2000
"""Loss curves keep at most this many points (older ones are thinned out)."""

# Colours: TensorFlow Playground's orange (class 0) and blue (class 1). The boundary
# uses light tints of them, the points full colour with a white (train) or black
# (test) edge, so both classes stand out from each other and from the background.
CLASS_COLOURS = ("#e66101", "#1f78b4")
BOUNDARY_CMAP = LinearSegmentedColormap.from_list(
    "actlab_playground", ["#fcd9bd", "#fef3ea", "#ffffff", "#e9f2fa", "#bfdaef"]
)
UNIT_CMAP = LinearSegmentedColormap.from_list(
    "actlab_units", ["#e66101", "#fbd3b0", "#ffffff", "#b9d6ec", "#1f78b4"]
)
_UNIT_LUT = (UNIT_CMAP(np.linspace(0.0, 1.0, 256))[:, :3] * 255).astype("uint8")

_LIVE: weakref.WeakSet[Playground] = weakref.WeakSet()


def _dropdown(description: str, options: Any, value: Any, width: str = "300px") -> Any:
    return widgets.Dropdown(
        options=options,
        value=value,
        description=description,
        style=_SLIDER_STYLE,
        layout=widgets.Layout(width=width),
    )


def pause_all(*, keep: Playground | None = None) -> None:
    """Pause every playground of this kernel except ``keep``."""
    for pg in list(_LIVE):
        if pg is not keep:
            pg.pause()


def _request_stop_all() -> None:
    """Ask every playground's threads to stop; safe inside a signal handler (no locks)."""
    for pg in list(_LIVE):
        pg._halt = True


def _hook_kernel_interrupt() -> None:
    """Make the kernel's interrupt (the stop button) stop every playground's training.

    ipykernel ignores SIGINT while idle (``signal.SIG_IGN``, restored after each
    message from ``kernel.saved_sigint_handler``) and installs Python's
    ``default_int_handler`` while it handles a message (``pre_handler_hook``).
    Both are replaced by handlers that first ask the playgrounds to stop and
    then do what the original did. Outside a kernel (tests, scripts) or if
    ipykernel changes these names, this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
    except ImportError:  # pragma: no cover - IPython ships with ipywidgets
        return
    if kernel is None or getattr(kernel, "_actlab_playground_hook", False):
        return
    if not hasattr(kernel, "pre_handler_hook") or not hasattr(kernel, "saved_sigint_handler"):
        return
    idle = kernel.saved_sigint_handler

    def on_idle_interrupt(signum: int, frame: Any) -> None:
        _request_stop_all()
        if callable(idle):
            idle(signum, frame)

    def on_busy_interrupt(signum: int, frame: Any) -> None:
        _request_stop_all()
        signal.default_int_handler(signum, frame)

    original_pre = kernel.pre_handler_hook

    def pre_handler_hook() -> None:
        original_pre()
        signal.signal(signal.SIGINT, on_busy_interrupt)

    kernel.pre_handler_hook = pre_handler_hook
    kernel.saved_sigint_handler = on_idle_interrupt
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, on_busy_interrupt)
    kernel._actlab_playground_hook = True


_GAP, _LABEL_W, _TOP = 4, 112, 4


def tile_size(width: int) -> int:
    """Side in pixels of each unit's map: smaller when a layer has more than 10 units."""
    return 44 if width <= 10 else 36


def tile_origin(layer: int, unit: int, tile: int) -> tuple[int, int]:
    """Pixel ``(x, y)`` of the top-left corner of a unit's map in the units image."""
    return _LABEL_W + _GAP + unit * (tile + _GAP), _TOP + layer * (tile + _GAP)


@functools.lru_cache(maxsize=8)
def _dead_tile(tile: int) -> np.ndarray:
    """A dead unit's map: grey, crossed out, labelled "dead" (text, not colour only)."""
    image = PILImage.new("RGB", (tile, tile), (200, 200, 200))
    draw = ImageDraw.Draw(image)
    draw.line((0, 0, tile - 1, tile - 1), fill=(120, 120, 120), width=1)
    draw.line((0, tile - 1, tile - 1, 0), fill=(120, 120, 120), width=1)
    mid = tile // 2
    draw.rectangle((2, mid - 7, tile - 3, mid + 6), fill=(255, 255, 255), outline=(178, 0, 0))
    draw.text((mid, mid), "dead", fill=(178, 0, 0), font=_font(10 if tile >= 40 else 9),
              anchor="mm")
    return np.asarray(image)


@functools.lru_cache(maxsize=256)
def _row_label(layer: int, activation: str, n_dead: int, width: int, height: int) -> np.ndarray:
    """The text left of a layer's maps: layer number, activation, dead count."""
    image = PILImage.new("RGB", (_LABEL_W, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    font = _font(10)
    draw.text((4, 1), f"layer {layer + 1}", fill=(0, 0, 0), font=font)
    draw.text((4, 12), activation, fill=(60, 60, 60), font=font)
    colour = (178, 0, 0) if n_dead else (90, 90, 90)
    draw.text((4, 23), f"{n_dead}/{width} dead", fill=colour, font=font)
    return np.asarray(image)


def _units_png(
    maps: list[np.ndarray], activations: list[str], dead: list[list[int]], tile: int
) -> bytes:
    """One PNG with every hidden unit's output over the plane, a row per layer.

    Each map is coloured on its own symmetric scale (orange < 0 < blue). A dead
    unit (``dead``: 0 at every training point and every grid point, see
    :func:`actlab._playground_core.dead_units`) is grey, crossed out and
    labelled "dead", and the row's label counts the dead units.
    """
    width = maps[0].shape[1] if maps else 1
    h = _TOP + (tile + _GAP) * len(maps) + _GAP
    w = _LABEL_W + (tile + _GAP) * width + _GAP
    canvas = np.full((h, w, 3), 255, dtype="uint8")
    g = core.GRID
    pick = np.linspace(0, g - 1, tile).round().astype(int)
    for li, out in enumerate(maps):
        # (units, rows from the top = high x2 first, columns), sampled down to the tile size
        m = out.T.reshape(width, g, g)[:, ::-1][:, pick][:, :, pick]
        scale = np.abs(m).max(axis=(1, 2))
        safe = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        idx = np.clip(np.rint(m / safe[:, None, None] * 127.5 + 127.5), 0, 255)
        tiles = _UNIT_LUT[np.nan_to_num(idx, nan=127.0).astype("uint8")]
        y0 = tile_origin(li, 0, tile)[1]
        for j in range(width):
            x0 = tile_origin(li, j, tile)[0]
            dead_here = j in dead[li]  # a live unit 0 on every sampled pixel stays white
            canvas[y0 : y0 + tile, x0 : x0 + tile] = _dead_tile(tile) if dead_here else tiles[j]
        canvas[y0 : y0 + tile, :_LABEL_W] = _row_label(
            li, activations[li], len(dead[li]), width, tile
        )
    return encode_png(canvas)


_FONTS: dict[int, Any] = {}


def _font(size: int) -> Any:
    if size not in _FONTS:
        try:
            _FONTS[size] = ImageFont.load_default(size=size)
        except (TypeError, OSError):  # pragma: no cover - Pillow without FreeType
            _FONTS[size] = ImageFont.load_default()
    return _FONTS[size]


def _nice_limit(n: float) -> float:
    """The smallest of 1, 2, 5 x 10^k that is >= n (x-limits of the loss curves)."""
    n = max(float(n), 10.0)
    k = 10 ** math.floor(math.log10(n))
    for m in (1, 2, 5, 10):
        if m * k >= n:
            return float(m * k)
    return float(10 * k)  # pragma: no cover


def _bilinear(n_pixels: int, n_grid: int) -> tuple[np.ndarray, np.ndarray]:
    """For each pixel centre: the grid index below it and the weight of the one above."""
    g = (np.arange(n_pixels) + 0.5) / n_pixels * (n_grid - 1)
    i = np.minimum(np.floor(g).astype(int), n_grid - 2)
    return i, (g - i).astype("float32")


class BoundaryImage(Artist):
    """P(class 1) on the grid, drawn over the whole axes: bilinear, coloured, blitted.

    Does what ``imshow(..., interpolation="bilinear")`` does for this one case
    (the grid spans exactly the axes' limits) at a fraction of the cost: the
    ``GRID x GRID`` values are interpolated to the axes' pixels one axis at a
    time (element-wise, no BLAS call: multi-threaded BLAS stalls on a busy
    machine), a 256-entry table colours them, and the renderer blits the result.
    """

    def __init__(self, ax: Any, cmap: Any):
        super().__init__()
        self.axes = ax
        self._data = np.full((core.GRID, core.GRID), 0.5)
        self._lut = (cmap(np.linspace(0.0, 1.0, 256)) * 255).round().astype("uint8")
        self._weights: dict[tuple[int, int], tuple[Any, ...]] = {}

    def set_data(self, values: np.ndarray) -> None:
        """New grid values, rows from the lowest ``x2`` up (``origin="lower"``)."""
        self._data = np.asarray(values, dtype="float64")

    def get_array(self) -> np.ndarray:
        """The grid values last set."""
        return self._data

    def draw(self, renderer: Any) -> None:  # noqa: D102 - matplotlib's Artist.draw
        if not self.get_visible():
            return
        bbox = self.axes.bbox
        x0, y0 = int(round(bbox.x0)), int(round(bbox.y0))
        w, h = int(round(bbox.x1)) - x0, int(round(bbox.y1)) - y0
        if w <= 0 or h <= 0:
            return
        key = (h, w)
        if key not in self._weights:
            rows, cols = self._data.shape
            iy, fy = _bilinear(h, rows)
            ix, fx = _bilinear(w, cols)
            # rows of the image go from the top (high x2) down
            self._weights = {key: (iy[::-1], fy[::-1, None], ix, fx[None, :])}
        iy, fy, ix, fx = self._weights[key]
        d = np.nan_to_num(self._data, nan=0.5).astype("float32")
        a = d[iy] * (1.0 - fy) + d[iy + 1] * fy
        values = a[:, ix] * (1.0 - fx) + a[:, ix + 1] * fx
        idx = (np.clip(values, 0.0, 1.0) * 255.0 + 0.5).astype("uint8")
        gc = renderer.new_gc()
        gc.set_clip_rectangle(bbox)
        renderer.draw_image(gc, x0, y0, np.take(self._lut, idx, axis=0))
        gc.restore()
        self.stale = False


class Playground(Explorer):
    """A live TensorFlow-Playground-style classifier with any activation per layer.

    See :func:`actlab.widgets.playground`. For tests and exercises:

    * ``controls``: every control by name; the settings controls are named as
      the keys of :func:`settings`, plus ``speed``, ``step_size`` and the
      buttons ``play``, ``pause``, ``step``, ``reset``;
    * :meth:`settings` (a dict that :func:`actlab.widgets.train_playground`
      takes), :meth:`play`, :meth:`pause`, :meth:`step`, :meth:`reset`,
      :meth:`wait_for_steps`, :attr:`playing`, :attr:`steps_done`;
    * ``network`` (the :class:`actlab._playground_core.Network`), ``data``
      (its :class:`~actlab._playground_core.PlaygroundData`), :meth:`result`,
      :attr:`accuracy` / :attr:`test_accuracy`, :attr:`dead_units` (as last
      drawn), ``units_image`` (the unit maps' PNG), ``message`` (the last
      notice in the status line), ``frames`` (frames drawn while playing);
    * the figure's artists: ``boundary``, ``points[("train" | "test", label)]``,
      ``train_line``, ``test_line``.
    """

    def __init__(self, settings: dict[str, Any], *, speed: int, step_size: int):
        s = core.check_settings(settings)
        self._lock = threading.RLock()  # the network, the data and the history
        self._draw_lock = threading.RLock()  # the figure and the images
        self._threads: list[threading.Thread] = []
        self._wake = threading.Event()  # the renderer: draw now (a change, a pause)
        self._wake_trainer = threading.Event()  # the trainer: stop waiting for the pace
        self._halt = True
        self._speed_changed = True
        self._drawing = False
        self.frames = 0
        self.message = ""
        self.dead_units: list[list[int]] = []
        self.shown_accuracy = (math.nan, math.nan)
        self._version = 0
        self.drawn_version = -1
        controls = self._make_controls(s, speed, step_size)
        figure, (self.ax, self.ax_loss) = _new_figure(2, (9.6, 4.2))
        self._setup_axes()
        self.units_image = widgets.Image(format="png")
        super().__init__(
            figure,
            controls,
            rows=[
                ["play", "pause", "step", "reset", "step_size", "speed"],
                ["dataset", "noise", "test_fraction"],
                ["depth", "width", "seed"],
                ["activation_1", "activation_2"],
                ["activation_3", "activation_4"],
                ["learning_rate", "optimizer"],
                ["batch_size", "l2"],
            ],
        )
        caption = widgets.HTML(
            "<small>Hidden units: each map is one unit's output over the plane above "
            "(orange &lt; 0 &lt; blue, white = 0); a unit that outputs 0 at every training "
            f"point and every point of the {core.GRID} &times; {core.GRID} grid drawn is "
            "<b>dead</b>.</small>"
        )
        self.children = (*self.children[:-2], self.status, self.image, caption, self.units_image)
        figure.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.9, wspace=0.28)
        self.animate(
            self.boundary,
            *self.points.values(),
            self.train_line,
            self.test_line,
            self.ax.title,
        )
        with self._lock:
            self._apply_settings(s, reset=True)
        self._show_layer_controls()
        self._wire()
        pause_all(keep=self)
        _LIVE.add(self)
        _hook_kernel_interrupt()
        self._sync_buttons()
        self._frame()

    # -- construction ----------------------------------------------------------

    @staticmethod
    def _make_controls(s: dict[str, Any], speed: int, step_size: int) -> dict[str, Any]:
        c: dict[str, Any] = {
            "play": widgets.Button(description="Play", button_style="success", icon="play",
                                   layout=widgets.Layout(width="90px")),
            "pause": widgets.Button(description="Pause", icon="pause",
                                    layout=widgets.Layout(width="90px")),
            "step": widgets.Button(description="Step", icon="step-forward",
                                   layout=widgets.Layout(width="90px")),
            "reset": widgets.Button(description="Reset", icon="undo",
                                    layout=widgets.Layout(width="90px")),
            "step_size": _dropdown("steps per Step", STEP_SIZES, step_size, "200px"),
            "speed": _dropdown(
                "speed",
                [(f"{v} steps/s" if v else "as fast as possible", v) for v in SPEEDS],
                speed,
                "260px",
            ),
            "dataset": _dropdown("data set", core.DATASETS, s["dataset"]),
            "noise": _slider(widgets.FloatSlider, "noise", value=s["noise"],
                             min=core.NOISE_RANGE[0], max=core.NOISE_RANGE[1], step=0.01,
                             continuous_update=False),
            "test_fraction": _slider(widgets.FloatSlider, "test share", value=s["test_fraction"],
                                     min=core.TEST_FRACTION_RANGE[0],
                                     max=core.TEST_FRACTION_RANGE[1], step=0.05,
                                     continuous_update=False),
            "depth": _slider(widgets.IntSlider, "hidden layers", value=s["depth"], min=1,
                             max=core.MAX_DEPTH, continuous_update=False),
            "width": _slider(widgets.IntSlider, "units per layer", value=s["width"], min=1,
                             max=core.MAX_WIDTH, continuous_update=False),
            "seed": widgets.BoundedIntText(value=s["seed"], min=0, max=core.MAX_SEED,
                                           description="seed", style=_SLIDER_STYLE,
                                           layout=widgets.Layout(width="220px")),
        }
        for i in range(core.MAX_DEPTH):
            key = f"activation_{i + 1}"
            c[key] = _dropdown(f"layer {i + 1} activation", catalog.names(), s[key])
        lo, hi = (math.log10(v) for v in core.LEARNING_RATE_RANGE)
        c["learning_rate"] = _slider(widgets.FloatLogSlider, "learning rate",
                                     value=s["learning_rate"], base=10, min=lo, max=hi,
                                     step=0.1, readout_format=".3g", continuous_update=False)
        c["optimizer"] = _dropdown("optimizer", core.OPTIMIZERS, s["optimizer"])
        c["batch_size"] = _dropdown(
            "batch size",
            [("all (full batch)", 0)] + [(str(b), b) for b in core.BATCH_SIZES if b],
            s["batch_size"],
        )
        c["l2"] = _slider(widgets.FloatSlider, "L2", value=s["l2"], min=core.L2_RANGE[0],
                          max=core.L2_RANGE[1], step=0.001, readout_format=".3f",
                          continuous_update=False)
        return c

    def _setup_axes(self) -> None:
        ax, ax_loss = self.ax, self.ax_loss
        self.boundary = BoundaryImage(ax, BOUNDARY_CMAP)
        ax.add_artist(self.boundary)
        # markers of a Line2D are rasterised once and stamped: much faster than a scatter
        self.points: dict[tuple[str, int], Any] = {}
        for part, edge in (("train", "white"), ("test", "black")):
            for label, colour in enumerate(CLASS_COLOURS):
                (self.points[part, label],) = ax.plot(
                    [], [], "o", ms=5.2, mfc=colour, mec=edge, mew=0.9, ls="none", zorder=3
                )
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
        (self.train_line,) = ax_loss.plot([], [], color="#222222", lw=2, label="train loss")
        (self.test_line,) = ax_loss.plot([], [], color="#7b3294", lw=2, ls="--",
                                         label="test loss")
        ax_loss.set_xlabel("training step")
        ax_loss.set_ylabel("loss (binary cross-entropy)")
        ax_loss.grid(True, alpha=0.3)
        ax_loss.set_xlim(0, 100)
        ax_loss.set_ylim(0, 1.0)
        ax_loss.legend(loc="upper right", fontsize=8)
        ax.set_title(" ", fontsize=10)
        ax_loss.set_title("loss on the training and the test points", fontsize=10)

    def _wire(self) -> None:
        c = self.controls
        c["play"].on_click(self._guarded(self.play))
        c["pause"].on_click(self._guarded(self.pause))
        c["step"].on_click(self._guarded(lambda: self.step()))
        c["reset"].on_click(self._guarded(self.reset))
        self._watch(["dataset", "seed"], lambda: self._changed("data", reset=True))
        self._watch(["noise", "test_fraction"], lambda: self._changed("data", reset=False))
        arch = ["depth", "width"] + [f"activation_{i + 1}" for i in range(core.MAX_DEPTH)]
        self._watch(arch, lambda: self._changed("network", reset=True))
        self._watch(["learning_rate", "optimizer", "batch_size", "l2"],
                    lambda: self._changed("training", reset=False))
        self._watch(["speed"], self._speed_change)

    # -- state -------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """The current settings, a dict for :func:`actlab.widgets.train_playground`."""
        return {key: self.controls[key].value for key in core.DEFAULT_SETTINGS}

    @property
    def playing(self) -> bool:
        """True while the background training runs."""
        return any(t.is_alive() for t in self._threads) and not self._halt

    @property
    def steps_done(self) -> int:
        """Training steps since the last reset."""
        return self.network.steps

    @property
    def diverged(self) -> bool:
        """True when the loss or a weight stopped being a finite number."""
        return self._diverged

    @property
    def accuracy(self) -> float:
        """Fraction of training points classified correctly (now)."""
        with self._lock:
            return self.network.accuracy(self.data.x_train, self.data.y_train)

    @property
    def test_accuracy(self) -> float:
        """Fraction of test points classified correctly (now)."""
        with self._lock:
            return self.network.accuracy(self.data.x_test, self.data.y_test)

    def result(self) -> core.PlaygroundResult:
        """The current state as :class:`~actlab._playground_core.PlaygroundResult`."""
        with self._lock:
            return core.summarise(self.network, self.data, self._settings)

    # -- reactions ---------------------------------------------------------------

    def _apply_settings(self, s: dict[str, Any], *, reset: bool) -> None:
        """Adopt checked settings ``s`` (call with the lock held)."""
        self._settings = s
        self.data = core.make_data(s)
        if reset:
            self.network = core.Network(s)
            self._history: list[tuple[int, float, float]] = []
            self._diverged = False
            self._record()
        else:
            net = self.network
            net.learning_rate, net.l2, net.batch_size = (
                s["learning_rate"], s["l2"], s["batch_size"])
            net.set_optimizer(s["optimizer"])
        self._version += 1

    def _changed(self, what: str, *, reset: bool) -> None:
        s = core.check_settings(self.settings())
        if what == "network":
            self._show_layer_controls()
        with self._lock:
            old = self._settings
            self._apply_settings(s, reset=reset)
            self.message = self._change_message(old, s, reset)
        self._after_change()

    @staticmethod
    def _change_message(old: dict[str, Any], new: dict[str, Any], reset: bool) -> str:
        changed = [k for k in new if new[k] != old.get(k)]
        if not changed:
            return ""
        key = changed[0]
        label = {"test_fraction": "test share", "learning_rate": "learning rate",
                 "batch_size": "batch size", "depth": "hidden layers",
                 "width": "units per layer"}.get(key, key.replace("_", " "))
        value = new[key]
        if key.startswith("activation_"):
            label = f"layer {key[-1]} activation"
        if key == "batch_size" and value == 0:
            value = "full batch"
        text = f"{label} is now {value}"
        if reset:
            return f"{text}: the network starts again from its initial weights (as Reset)."
        return f"{text}: training continues with it, no restart."

    def _after_change(self) -> None:
        self._wake.set()
        self._wake_trainer.set()
        if not self.playing:
            self._frame()

    def _speed_change(self) -> None:
        self._speed_changed = True
        self._wake.set()
        self._wake_trainer.set()

    def _show_layer_controls(self) -> None:
        depth = int(self.controls["depth"].value)
        for i in range(core.MAX_DEPTH):
            shown = i < depth
            self.controls[f"activation_{i + 1}"].layout.display = None if shown else "none"

    def _record(self) -> None:
        """Append (step, train loss, test loss) to the history (lock held)."""
        net, d = self.network, self.data
        entry = (net.steps, net.loss(d.x_train, d.y_train), net.loss(d.x_test, d.y_test))
        self._history.append(entry)
        if len(self._history) > HISTORY:  # thin out: keep the first and every other one
            self._history = self._history[:1] + self._history[2::2]
        if not (math.isfinite(entry[1]) and net.finite):
            self._diverged = True

    # -- actions -----------------------------------------------------------------

    def step(self, steps: int | None = None) -> None:
        """Train ``steps`` steps now (default: the "steps per Step" control), then draw.

        Synchronous: when it returns, the steps are done and the figure shows
        them. While playing it pauses first.
        """
        if steps is None:
            steps = int(self.controls["step_size"].value)
        steps = check_int("steps", steps, low=0, high=100_000)
        self.pause()
        with self._lock:
            if self._diverged:
                self.message = "The network diverged: press Reset (or lower the learning rate)."
            else:
                every = max(1, steps // 50)
                done = 0
                while done < steps and not self._diverged:
                    n = min(every, steps - done)
                    self.network.train(self.data.x_train, self.data.y_train, n)
                    done += n
                    self._record()
                self.message = self._diverged_message() if self._diverged else ""
        self._frame()

    def reset(self) -> None:
        """Start again from the seeded initial weights (keeps playing if it was)."""
        with self._lock:
            self._apply_settings(core.check_settings(self.settings()), reset=True)
            self.message = "Reset: initial weights."
        self._speed_changed = True
        self._after_change()

    def play(self) -> None:
        """Train continuously in the background (a second call does nothing)."""
        if self.playing:
            return
        self._join()
        if self._diverged:
            self.message = "The network diverged: press Reset (or lower the learning rate)."
            self._frame()
            return
        pause_all(keep=self)
        _LIVE.add(self)
        self._halt = False
        self._wake.clear()
        self._wake_trainer.clear()
        self._speed_changed = True
        self.message = ""
        ident = id(self)
        self._threads = [
            threading.Thread(target=self._train_loop, name=f"actlab-playground-train-{ident}",
                             daemon=True),
            threading.Thread(target=self._render_loop, name=f"actlab-playground-render-{ident}",
                             daemon=True),
        ]
        for t in self._threads:
            t.start()
        self._sync_buttons()

    def pause(self) -> None:
        """Stop the background training at once and draw the paused state."""
        was_playing = self.playing
        self._halt = True
        self._wake.set()
        self._wake_trainer.set()
        self._join()
        if was_playing:
            self._sync_buttons()
            self._frame()

    def close(self) -> None:
        """Stop the background training and close the widget."""
        self._halt = True
        self._wake.set()
        self._wake_trainer.set()
        self._join()
        _LIVE.discard(self)
        for child in (self.image, self.units_image, self.status):
            child.close()
        super().close()

    def wait_for_steps(self, steps: int, *, timeout: float = 60.0) -> bool:
        """Block until ``steps_done >= steps`` or the training stops; False on timeout."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.network.steps >= steps or not self.playing:
                return self.network.steps >= steps
            time.sleep(0.005)
        return False

    def wait_for_frame(self, *, timeout: float = 10.0) -> bool:
        """Block until a frame showing the latest change has been drawn; False on timeout."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.drawn_version >= self._version:
                return True
            time.sleep(0.002)
        return False

    def _join(self) -> None:
        current = threading.current_thread()
        for t in self._threads:
            if t is not current:
                t.join(timeout=10.0)
        self._threads = [t for t in self._threads if t.is_alive()]

    def _sync_buttons(self) -> None:
        playing = self.playing
        self.controls["play"].disabled = playing
        self.controls["pause"].disabled = not playing

    def _diverged_message(self) -> str:
        lr = self._settings["learning_rate"]
        return (
            f"Training diverged at step {self.network.steps} (the loss is not a finite "
            f"number) and was paused. Lower the learning rate (now {lr:.3g}), then Reset."
        )

    # -- the background threads ----------------------------------------------------

    def _train_loop(self) -> None:
        start, base = time.perf_counter(), 0
        while not self._halt:
            speed = int(self.controls["speed"].value)
            if self._speed_changed:
                self._speed_changed = False
                start, base = time.perf_counter(), self.network.steps
            now = time.perf_counter()
            if speed:
                due = int((now - start) * speed) - (self.network.steps - base)
                if due <= 0:
                    self._wake_trainer.wait(min(0.02, 1.0 / speed))
                    self._wake_trainer.clear()
                    continue
                if due > speed:  # more than a second behind (CPU busy): drop the backlog
                    self._speed_changed = True
                n, budget = min(due, max(1, speed // 20)), 0.05
            else:
                if self._drawing:  # as fast as possible = what frames leave over: yield
                    time.sleep(0.002)
                    continue
                n, budget = 1_000_000, 0.02
            with self._lock:
                net, d = self.network, self.data
                deadline = time.perf_counter() + budget
                done = 0
                while done < n and not self._halt and time.perf_counter() < deadline:
                    net.step(d.x_train, d.y_train)
                    done += 1
                self._record()
                if self._diverged:
                    self.message = self._diverged_message()
                    self._halt = True
            time.sleep(0)  # let the kernel's main thread in
        self._wake.set()
        self._wake_trainer.set()

    def _render_loop(self) -> None:
        interval = 1.0 / MAX_FPS
        while True:
            started = time.perf_counter()
            stopping = self._halt
            try:
                self._frame(live=not stopping)
            except Exception as err:  # shown, never a dead thread with a frozen picture
                self.last_error = err
                self.status.value = f"<span style='color:#b00'>Error: {html.escape(str(err))}"
                self._halt = True
            if stopping:
                break
            left = interval - (time.perf_counter() - started)
            if left > 0:
                self._wake.wait(left)
            if not self._halt:
                self._wake.clear()
        self._sync_buttons()

    # -- drawing -----------------------------------------------------------------

    def _snapshot(self) -> dict[str, Any]:
        with self._lock:
            net = self.network
            return {
                "version": self._version,
                "weights": [w.copy() for w in net.weights],
                "settings": self._settings,
                "data": self.data,
                "steps": net.steps,
                "history": np.array(self._history, dtype="float64").reshape(-1, 3),
                "diverged": self._diverged,
                "message": self.message,
                "net": net,
            }

    def _frame(self, *, live: bool = False) -> None:
        """Draw the current state (any thread; frames never overlap)."""
        snap = self._snapshot()
        with self._draw_lock:
            self._drawing = True
            try:
                self._draw(snap, live=live)
            finally:
                self._drawing = False
            if live:
                self.frames += 1
            self.drawn_version = max(self.drawn_version, snap["version"])

    def _draw(self, snap: dict[str, Any], *, live: bool) -> None:
        d: core.PlaygroundData = snap["data"]
        s = snap["settings"]
        if getattr(self, "_drawn_data", None) is not d:
            self._drawn_data = d
            lo_x, hi_x, lo_y, hi_y = d.extent
            self.ax.set_xlim(lo_x, hi_x)
            self.ax.set_ylim(lo_y, hi_y)
            for part, x, y in (("train", d.x_train, d.y_train), ("test", d.x_test, d.y_test)):
                for label in (0, 1):
                    chosen = x[y == label]
                    self.points[part, label].set_data(chosen[:, 0], chosen[:, 1])
        # a private copy of the network with the snapshot's weights: the trainer goes on
        net = _Frozen(snap["net"], snap["weights"])
        hist = snap["history"]
        finite = np.isfinite(hist[:, 1:]).all(axis=1) if len(hist) else np.zeros(0, bool)
        shown = hist[finite]
        self.train_line.set_data(shown[:, 0], shown[:, 1])
        self.test_line.set_data(shown[:, 0], shown[:, 2])
        steps = snap["steps"]
        # the step axis grows in 1-2-5 steps and shrinks only when 10x too long (a restart
        # keeps the scale): every change of limits costs a full redraw of the figure
        need, right = _nice_limit(steps), self.ax_loss.get_xlim()[1]
        if need > right or right > 10 * need:
            self.ax_loss.set_xlim(0, need)
        top = max(1.0, float(shown[:, 1:].max()) * 1.1) if len(shown) else 1.0
        cur_top = self.ax_loss.get_ylim()[1]
        if top > cur_top or top < cur_top / 3:
            self.ax_loss.set_ylim(0, _nice_limit(top * 10) / 10)
        acts = core.activations_of(s)
        if snap["diverged"] or not net.finite:
            self.ax.set_title(f"step {steps}: diverged (not drawn)", fontsize=10, color="#b00000")
        else:
            with np.errstate(all="ignore"):
                logits, _pre, hidden = net.forward(d.grid)
            prob = 0.5 * (1.0 + np.tanh(0.5 * logits))
            self.boundary.set_data(prob.reshape(core.GRID, core.GRID))
            with np.errstate(all="ignore"):  # dead as core.dead_units: grid and training points
                dead = core.zero_units(hidden, net.forward(d.x_train)[2])
            self.dead_units = dead
            self.units_image.value = _units_png(hidden, acts, dead, tile_size(s["width"]))
            self.shown_accuracy = (net.accuracy(d.x_train, d.y_train),
                                   net.accuracy(d.x_test, d.y_test))
            self.ax.set_title(
                f"step {steps}", fontsize=10, color="black"
            )  # short: text is the dearest part of a frame; the accuracies are in the status
        self.render()
        self.status.value = self._status_html(snap, live)

    def _status_html(self, snap: dict[str, Any], live: bool) -> str:
        s = snap["settings"]
        acts = " → ".join(core.activations_of(s))
        state = "<b>▶ playing</b>" if live else "<b>❚❚ paused</b>"
        dead = self.dead_units
        dead_text = ", ".join(
            f"layer {i + 1}: {len(units)}/{s['width']}" for i, units in enumerate(dead)
        )
        hist = snap["history"]
        loss = (
            f"loss: train {hist[-1, 1]:.3f}, test {hist[-1, 2]:.3f} · "
            if len(hist) and np.isfinite(hist[-1, 1:]).all()
            else ""
        )
        train_acc, test_acc = self.shown_accuracy
        accuracy = (
            f"accuracy: train <b>{train_acc:.1%}</b>, test <b>{test_acc:.1%}</b> · "
            if not snap["diverged"]
            else ""
        )
        text = (
            f"{state} · step <b>{snap['steps']}</b> · {accuracy}{loss}<br>"
            f"{acts} ({s['width']} units per layer) · dead units {dead_text}"
        )
        if snap["message"]:
            colour = "#b00000" if snap["diverged"] else "#333"
            text += f"<br><span style='color:{colour}'>{html.escape(snap['message'])}</span>"
        return text


class _Frozen:
    """A read-only view of a network with other weights (what the renderer draws)."""

    def __init__(self, net: core.Network, weights: list[np.ndarray]):
        self._pairs = net._pairs
        self.weights = weights
        self.depth = net.depth

    forward = core.Network.forward
    accuracy = core.Network.accuracy

    @property
    def finite(self) -> bool:
        return all(bool(np.isfinite(w).all()) for w in self.weights)
