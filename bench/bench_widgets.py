"""Slider-to-redraw latency of every ``actlab.widgets`` explorer, measured in the kernel.

For each widget, a control is set exactly as the front end sets it
(``control.value = v`` / ``button.click()``); the observer updates the
matplotlib artists, draws the canvas, encodes the PNG and assigns it to the
``ipywidgets.Image``, all synchronously. The wall time of that assignment is
the latency (what is left is sending ~30 kB over the websocket and the browser
decoding an image). Each figure is the median (p90 in the detail) over
``--moves`` moves after a few warm-up moves; every timed move is checked to
have produced a new PNG, so a no-op can never look fast.

Widgets that build or train networks are reported separately for a cached
setting (a slider moved back to a value seen before) and a new one (a model is
built and gradients computed or a few training steps run, while a status line and
progress bar say so). Design target (DESIGN.md section 6): <= 150 ms median
for a slider move; the playground's Train button must finish in < 2 s with the
default settings.

Run alone: ``.venv/bin/python bench/bench_widgets.py [--moves N]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")

DEFAULT_MOVES = 20
WARMUP = 3
SLIDER_TARGET_MS = 150.0
CHECK_TARGET_MS = 300.0  # DESIGN.md section 6: checking a slider exercise
PLAYGROUND_FPS_TARGET = 5.0
PLAY_SECONDS = 5


def p90(values: Sequence[float]) -> float:
    """The 90th percentile (inclusive method, so it works from 2 values on)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def time_moves(widget: Any, act: Callable[[Any], None], values: Iterable[Any]) -> list[float]:
    """Apply ``act(value)`` for each value; return the latencies in ms.

    Raises:
        RuntimeError: If a move raised inside the widget or did not publish a new image.
    """
    out = []
    for value in values:
        before = widget.render_count
        start = time.perf_counter()
        act(value)
        elapsed = (time.perf_counter() - start) * 1000
        if widget.last_error is not None:
            raise RuntimeError(f"{type(widget).__name__} failed on {value!r}: {widget.last_error}")
        if widget.render_count == before:
            raise RuntimeError(f"{type(widget).__name__}: setting {value!r} did not redraw")
        out.append(elapsed)
    return out


def _setter(widget: Any, control: str) -> Callable[[Any], None]:
    def act(value: Any) -> None:
        widget.controls[control].value = value

    return act


def latency_row(
    name: str, times_ms: Sequence[float], *, target_ms: float | None, how: str
) -> dict[str, Any]:
    """One bench row: median latency with p90 and the method in the detail."""
    med = statistics.median(times_ms)
    return {
        "name": name,
        "value": med,
        "unit": "ms",
        "target": None if target_ms is None else f"<= {target_ms:g} ms",
        "ok": None if target_ms is None else med <= target_ms,
        "detail": f"median of {len(times_ms)} moves ({how}); p90 {p90(times_ms):.0f} ms, "
        f"max {max(times_ms):.0f} ms",
    }


def _cycle(values: Sequence[Any], n: int, start: int = 0) -> list[Any]:
    """``n`` values walking back and forth over ``values`` (never repeating the last one)."""
    path = list(values) + list(values[-2:0:-1])
    return list(itertools.islice(itertools.cycle(path), start, start + n))


def bench_activation_explorer(moves: int) -> list[dict[str, Any]]:
    from actlab.widgets import activation_explorer

    w = activation_explorer()  # relu, leaky_relu, elu, silu
    slopes = [round(0.05 + 0.05 * i, 2) for i in range(12)]
    time_moves(w, _setter(w, "negative_slope"), _cycle(slopes, WARMUP, 1))
    full = w.full_draws
    times = time_moves(w, _setter(w, "negative_slope"), _cycle(slopes, moves, WARMUP + 1))
    row = latency_row(
        "activation_explorer: negative_slope slider -> redraw",
        times,
        target_ms=SLIDER_TARGET_MS,
        how="4 activations, function + derivative, 401 points",
    )
    row["detail"] += f"; {w.full_draws - full} full redraws (y-limits changed)"
    return [row]


def bench_softmax_explorer(moves: int) -> list[dict[str, Any]]:
    from actlab.widgets import softmax_explorer

    w = softmax_explorer()
    temps = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
    time_moves(w, _setter(w, "temperature"), _cycle(temps, WARMUP, 1))
    times = time_moves(w, _setter(w, "temperature"), _cycle(temps, moves, WARMUP + 1))
    return [
        latency_row(
            "softmax_explorer: temperature slider -> redraw",
            times,
            target_ms=SLIDER_TARGET_MS,
            how="3 logits",
        )
    ]


def bench_gradient_flow_lab(moves: int) -> list[dict[str, Any]]:
    from actlab.widgets import gradient_flow_lab

    w = gradient_flow_lab()
    act = _setter(w, "depth")
    depths = list(range(4, 4 + moves))  # each a new setting: kernels + NumPy backprop
    time_moves(w, act, [3])  # warm-up
    cold = time_moves(w, act, depths)
    full = w.full_draws
    warm = time_moves(w, act, _cycle(depths, moves, 1))  # all cached now
    warm_row = latency_row(
        "gradient_flow_lab: depth slider, cached setting",
        warm,
        target_ms=SLIDER_TARGET_MS,
        how="norms cached per (activation, depth, init)",
    )
    warm_row["detail"] += f"; {w.full_draws - full} full redraws (axis limits changed)"
    return [
        warm_row,
        latency_row(
            "gradient_flow_lab: depth slider, new setting",
            cold,
            target_ms=SLIDER_TARGET_MS,
            how=f"depths {depths[0]}-{depths[-1]}, sigmoid, width 32: seeded initial "
            "kernels + NumPy backprop on 256 points (no Keras model built)",
        ),
    ]


def bench_dying_relu_lab(moves: int) -> list[dict[str, Any]]:
    from actlab.widgets import dying_relu_lab

    w = dying_relu_lab()
    act = _setter(w, "bias_init")
    biases = [round(-3.0 + 0.25 * i, 2) for i in range(17)]  # the slider's 17 values
    n_cold = min(moves, len(biases) - 1)
    cold_values = [b for b in biases if b != w.controls["bias_init"].value][:n_cold]
    cold = time_moves(w, act, cold_values)
    warm = time_moves(w, act, _cycle(cold_values, moves, 1))
    return [
        latency_row(
            "dying_relu_lab: bias slider, cached setting",
            warm,
            target_ms=SLIDER_TARGET_MS,
            how="result and weights cached per (activation, lr, bias)",
        ),
        latency_row(
            "dying_relu_lab: bias slider, new setting (trains)",
            cold,
            target_ms=None,
            how=f"6x32 ReLU MLP, {w.steps} full-batch Adam steps on 300 points, dead_units "
            "before and after; progress bar meanwhile",
        ),
    ]


def bench_slider_checks(moves: int) -> list[dict[str, Any]]:
    """``ex.qN.check(widget)`` latency of every slider exercise, after a slider move.

    The widget is made as its notebook makes it and moved to a correct setting
    by ``solution(apply=...)`` (the trainings a learner's own moves would start
    happen there, untimed); then the check is timed, with the checkers' own caches
    emptied before each one. It reads the controls and
    recomputes the criterion (softmax / autodiff curves / NumPy gradient norms /
    dead units of the trained network, training a neighbouring setting the
    learner did not visit when needed).
    """
    import contextlib
    import io

    from actlab import exercises
    from actlab.exercises._sliders import clear_caches

    rows = []
    repeats = max(3, moves // 4)
    for nb in exercises.available():
        for q in exercises.load(nb):
            if not isinstance(q, exercises.SliderQuestion):
                continue
            with contextlib.redirect_stdout(io.StringIO()):
                widget = q.make_widget()
                q.solution(apply=widget)
                times = []
                for _ in range(repeats):
                    clear_caches()  # the first check after a move: nothing remembered
                    start = time.perf_counter()
                    ok = q.check(widget)
                    times.append((time.perf_counter() - start) * 1000)
                    if not ok:  # a Verdict (or None when not attempted)
                        raise RuntimeError(f"{nb} {q.qid}: the solution state did not pass")
            rows.append(
                {
                    **latency_row(
                        f"slider exercise {nb} {q.qid}: check({q.widget_class})",
                        times,
                        target_ms=CHECK_TARGET_MS,
                        how=f"controls {', '.join(q.controls)} at a correct setting",
                    ),
                    "detail": f"median of {len(times)} checks; max {max(times):.0f} ms",
                }
            )
    return rows


def _frames_per_second(w: Any, seconds: float) -> tuple[list[float], float]:
    """Play ``w`` for ``seconds``; frames drawn in each whole second, and steps per second."""
    w.play()
    w.wait_for_steps(w.steps_done + 1, timeout=30)
    start, frames0, steps0 = time.perf_counter(), w.frames, w.steps_done
    per_second, last = [], frames0
    for i in range(1, int(seconds) + 1):
        time.sleep(max(0.0, start + i - time.perf_counter()))
        now = w.frames
        per_second.append(float(now - last))
        last = now
    elapsed = time.perf_counter() - start
    steps_rate = (w.steps_done - steps0) / elapsed
    w.pause()
    return per_second, steps_rate


def bench_playground(moves: int) -> list[dict[str, Any]]:
    from actlab.widgets import playground

    w = playground()  # 2 hidden layers of 8 ReLU units, circles, 60x60 grid
    rows: list[dict[str, Any]] = []
    try:
        for speed, label in ((100, "default pace, 100 steps/s"), (0, "as fast as possible")):
            w.controls["speed"].value = speed
            w.reset()
            fps, steps_rate = _frames_per_second(w, PLAY_SECONDS)
            med = statistics.median(fps)
            rows.append({
                "name": f"playground: frames per second while playing ({label})",
                "value": med,
                "unit": "frames/s",
                "target": f">= {PLAYGROUND_FPS_TARGET:g}",
                "ok": med >= PLAYGROUND_FPS_TARGET,
                "detail": f"median of {len(fps)} one-second windows {fps}; default network "
                f"2x8 ReLU, circles, 60x60 boundary grid + 16 unit maps; trainer and renderer "
                f"threads in the kernel; {steps_rate:.0f} training steps/s meanwhile",
            })
            if speed == 0:
                rows.append({
                    "name": "playground: training steps per second while playing (as fast as "
                    "possible, frames drawn meanwhile)",
                    "value": steps_rate,
                    "unit": "steps/s",
                    "target": None,
                    "ok": None,
                    "detail": f"over {PLAY_SECONDS} s; full-batch Adam on 280 points, NumPy",
                })
        w.controls["speed"].value = 100
        latencies: dict[str, list[float]] = {}
        for control, values in (("learning_rate", [0.01, 0.03, 0.1, 0.3]),
                                ("activation_2", ["tanh", "relu", "elu", "gelu"])):
            w.reset()
            w.play()
            w.wait_for_steps(50, timeout=30)  # playing steadily before the first change
            out = latencies[control] = []
            for i in range(max(5, moves // 2)):
                start = time.perf_counter()
                w.controls[control].value = values[(i + 1) % len(values)]
                if not w.wait_for_frame(timeout=30):
                    raise RuntimeError(f"playground: no frame after changing {control}")
                out.append((time.perf_counter() - start) * 1000)
                time.sleep(0.15)  # a learner's pace: changes do not pile up
            w.pause()
        rows.append(latency_row(
            "playground: learning-rate change while playing -> first frame showing it",
            latencies["learning_rate"], target_ms=SLIDER_TARGET_MS,
            how="the renderer draws at most 10 frames/s; a change wakes it at once, but a "
            "frame already being drawn is finished first"))
        rows.append(latency_row(
            "playground: activation change while playing -> first frame (restarted network)",
            latencies["activation_2"], target_ms=None,
            how="layer 2: tanh/relu/elu/gelu; the network restarts from its initial weights"))
        step = w.controls["step"]
        w.controls["step_size"].value = 10
        times = time_moves(w, lambda _v: step.click(), [None] * moves)
        rows.append(latency_row("playground: Step (10 steps) -> redraw", times,
                                target_ms=SLIDER_TARGET_MS, how="synchronous, paused"))
    finally:
        w.close()
    return rows


BENCHES = {
    "activation_explorer": bench_activation_explorer,
    "softmax_explorer": bench_softmax_explorer,
    "gradient_flow_lab": bench_gradient_flow_lab,
    "dying_relu_lab": bench_dying_relu_lab,
    "playground": bench_playground,
    "slider_checks": bench_slider_checks,
}


def run(moves: int | None = None, only: Sequence[str] = ()) -> list[dict[str, Any]]:
    """All widget latency figures (bench plugin entry point).

    Args:
        moves: Timed moves per widget (default ``ACTLAB_BENCH_WIDGET_MOVES`` or 20).
        only: Names of :data:`BENCHES` to run (all when empty).
    """
    import actlab  # noqa: F401  (quiet TensorFlow set-up first)

    moves = moves or int(os.environ.get("ACTLAB_BENCH_WIDGET_MOVES", DEFAULT_MOVES))
    unknown = [n for n in only if n not in BENCHES]
    if unknown:
        raise ValueError(f"Unknown bench {unknown}; choose from {', '.join(BENCHES)}.")
    rows: list[dict[str, Any]] = []
    for name, bench in BENCHES.items():
        if only and name not in only:
            continue
        start = time.perf_counter()
        rows.extend(bench(moves))
        print(f"bench_widgets: {name} done in {time.perf_counter() - start:.1f} s", flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    """Print the rows as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=DEFAULT_MOVES, help="timed moves per widget")
    parser.add_argument("--only", nargs="*", default=(), help=f"some of: {', '.join(BENCHES)}")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.moves, args.only), indent=2))


if __name__ == "__main__":
    main()
