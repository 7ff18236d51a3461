"""Find the benchmark plugins and run each in a subprocess of its own.

Plugins: every ``bench/bench_<topic>.py`` module defines ``run() -> list[dict]``;
each dict is one figure::

    {"name": str, "value": float, "unit": str,
     "target": str | None,   # e.g. "<= 60 s", None when the design sets none
     "ok": bool | None,      # target met? None when there is no target
     "detail": str}          # how it was measured: runs, median/p90, baseline

Each plugin runs in a fresh subprocess (cwd = repository root, the repository
on ``sys.path``, the Makefile's TensorFlow environment), one after the other so
that they do not compete for the CPU, with a time limit. A plugin that raises,
hangs, or returns malformed rows becomes an error row; the rest still run.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_TIMEOUT_S = 15 * 60
# Topics run in this order (cheap ones first); unknown topics follow, sorted.
PREFERRED_ORDER = ("imports", "surgery", "probes", "widgets", "notebooks")
# Skipped by --quick: the whole course takes minutes.
SLOW_TOPICS = frozenset({"notebooks"})
REQUIRED_KEYS = ("name", "value", "unit")
# Same quiet, repeatable TensorFlow set-up as the Makefile exports for `make test`.
BENCH_ENV = {
    "KERAS_BACKEND": "tensorflow",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "Agg",
}

Row = dict[str, Any]

# Runs inside the plugin's subprocess: import the module from its file, call
# run(), write the rows as JSON to a file (stdout stays free for the plugin's
# own progress messages).
_WORKER = r"""
import importlib.util, json, sys
root, plugin, result = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, root)
name = "bench." + plugin.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".py")
spec = importlib.util.spec_from_file_location(name, plugin)
module = importlib.util.module_from_spec(spec)
sys.modules[name] = module  # dataclasses and pickling look the module up by name
spec.loader.exec_module(module)
if not callable(getattr(module, "run", None)):
    raise TypeError(f"{plugin} defines no run() function; a bench plugin must define run()")
rows = module.run()


def _plain(obj):
    if hasattr(obj, "item"):  # NumPy scalars
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return str(obj)


with open(result, "w", encoding="utf-8") as handle:
    json.dump(rows, handle, default=_plain)
"""


def discover(bench_dir: Path = BENCH_DIR) -> dict[str, Path]:
    """Find the benchmark plugins in a folder.

    Args:
        bench_dir: Folder holding ``bench_<topic>.py`` modules.

    Returns:
        ``{topic: path}`` in running order: the topics of ``PREFERRED_ORDER``
        first, then any others alphabetically.
    """
    found = {p.stem.removeprefix("bench_"): p for p in bench_dir.glob("bench_*.py") if p.is_file()}
    rank = {topic: i for i, topic in enumerate(PREFERRED_ORDER)}
    return {t: found[t] for t in sorted(found, key=lambda t: (rank.get(t, len(rank)), t))}


def select(
    plugins: dict[str, Path], *, only: Sequence[str] | None = None, quick: bool = False
) -> dict[str, Path]:
    """Choose which plugins to run.

    Args:
        plugins: All discovered plugins, ``{topic: path}``.
        only: Topics to run (all when None or empty).
        quick: Leave out the slow topics (the notebooks).

    Returns:
        The chosen plugins, in running order.

    Raises:
        ValueError: If ``only`` names a topic that has no plugin.
    """
    chosen = dict(plugins)
    if only:
        unknown = [t for t in only if t not in plugins]
        if unknown:
            raise ValueError(
                f"No benchmark plugin for {', '.join(map(repr, unknown))}. "
                f"Available: {', '.join(plugins) or 'none'} (files bench/bench_<topic>.py)."
            )
        chosen = {t: p for t, p in plugins.items() if t in only}
    if quick:
        chosen = {t: p for t, p in chosen.items() if t not in SLOW_TOPICS}
    return chosen


def plugin_timeout(topic: str, base_s: float, *, repeat: int = 1) -> float:
    """The time limit for one plugin.

    The notebooks plugin runs the whole course (up to a minute per notebook by
    design, more when a notebook is slow), so it gets 3 min per notebook and run
    when that is more than ``base_s``; every other plugin gets ``base_s``.
    """
    if topic != "notebooks":
        return base_s
    count = len(list((ROOT / "notebooks").glob("*.ipynb")))
    return max(base_s, 180.0 * count * repeat)


def error_row(topic: str, message: str) -> Row:
    """A row that reports a plugin failure in place of its figures."""
    return {
        "topic": topic,
        "name": f"{topic}: plugin failed",
        "value": None,
        "unit": "",
        "target": None,
        "ok": False,
        "detail": message,
        "error": True,
    }


def normalize_rows(topic: str, rows: Any) -> list[Row]:
    """Check a plugin's rows and bring them to the common format.

    Non-finite values become None (JSON has no NaN). A malformed result becomes a
    single error row that says what was wrong.

    Args:
        topic: The plugin's topic, stored in every row.
        rows: What the plugin's ``run()`` returned (after a JSON round trip).

    Returns:
        The rows, each with the keys topic, name, value, unit, target, ok,
        detail and error.
    """
    if not isinstance(rows, list):
        return [error_row(topic, f"run() must return a list of dicts; got {type(rows).__name__}.")]
    out: list[Row] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            return [error_row(topic, f"row {i} is a {type(row).__name__}, not a dict: {row!r:.80}")]
        missing = [k for k in REQUIRED_KEYS if k not in row]
        if missing:
            return [error_row(topic, f"row {i} lacks {', '.join(missing)}: {row!r:.120}")]
        value = row["value"]
        if value is not None and not isinstance(value, int | float):
            return [error_row(topic, f"row {i} ({row['name']}) has a non-numeric value {value!r}.")]
        if isinstance(value, bool):
            value = float(value)
        if value is not None and not math.isfinite(value):
            value = None
        ok = row.get("ok")
        out.append(
            {
                "topic": topic,
                "name": str(row["name"]),
                "value": value,
                "unit": str(row.get("unit") or ""),
                "target": None if row.get("target") is None else str(row["target"]),
                "ok": None if ok is None else bool(ok),
                "detail": str(row.get("detail") or ""),
                "error": False,
            }
        )
    if not out:
        return [error_row(topic, "run() returned no rows.")]
    return out


def _pump(stream: Any, tail: deque[str], echo: Callable[[str], None] | None) -> None:
    """Copy a subprocess's output lines into ``tail`` (and to ``echo``)."""
    for line in stream:
        tail.append(line.rstrip("\n"))
        if echo is not None:
            echo(line.rstrip("\n"))


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """Kill the plugin's process group (the plugin and whatever it started), then reap it.

    Jupyter kernels start sessions of their own, so they are not in the group;
    they exit by themselves within a second of their parent's death (ipykernel
    watches ``JPY_PARENT_PID``).
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def run_plugin(
    topic: str,
    path: Path,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    env: dict[str, str] | None = None,
    echo: Callable[[str], None] | None = None,
    python: str = sys.executable,
) -> tuple[list[Row], float]:
    """Run one plugin in a subprocess of its own.

    Args:
        topic: The plugin's topic (for the rows and messages).
        path: The plugin's file.
        timeout_s: Wall-clock limit; the subprocess and its children (e.g.
            notebook kernels) are killed when it is exceeded.
        env: Environment of the subprocess (default: this process's).
        echo: Called with each line the plugin prints, e.g. to show progress.
        python: Interpreter to run the plugin with.

    Returns:
        The normalized rows (an error row when the plugin failed) and the
        plugin's wall time in seconds.
    """
    with tempfile.TemporaryDirectory(prefix="actlab-bench-") as tmp:
        result = Path(tmp) / "rows.json"
        tail: deque[str] = deque(maxlen=15)
        start = time.perf_counter()
        proc = subprocess.Popen(
            [python, "-c", _WORKER, str(ROOT), str(path), str(result)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,  # own process group, killed as a whole (see _kill_group)
        )
        reader = threading.Thread(target=_pump, args=(proc.stdout, tail, echo), daemon=True)
        reader.start()
        try:
            code = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            reader.join(timeout=5)
            elapsed = time.perf_counter() - start
            return [error_row(topic, f"timed out after {timeout_s:.0f} s (killed).")], elapsed
        except BaseException:  # Ctrl-C: the plugin is in its own session, stop it too
            _kill_group(proc)
            raise
        elapsed = time.perf_counter() - start
        _kill_group(proc)  # anything it left running (a kernel) would skew the next plugin
        reader.join(timeout=5)
        if code != 0:
            last = [line for line in tail if line.strip()][-3:]
            message = " | ".join(last) or "no output"
            return [error_row(topic, f"exited with code {code}: {message}")], elapsed
        try:
            rows = json.loads(result.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return [error_row(topic, f"wrote no readable result ({exc}).")], elapsed
    return normalize_rows(topic, rows), elapsed


def bench_env(*, repeat: int | None = None) -> dict[str, str]:
    """The environment for plugins: this one plus the Makefile's TF settings."""
    env = dict(os.environ)
    for key, value in BENCH_ENV.items():
        env.setdefault(key, value)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if repeat is not None:
        env["ACTLAB_BENCH_REPEAT"] = str(repeat)
    return env
