"""Run every actlab benchmark and report the figures (``make bench``).

Usage::

    .venv/bin/python bench/run.py                     # everything (about 10 min)
    .venv/bin/python bench/run.py --quick             # everything but the notebooks
    .venv/bin/python bench/run.py --only imports,surgery
    .venv/bin/python bench/run.py --repeat 3          # time each notebook 3 times

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

Output: a table on stdout, ``<out>/bench.md`` and ``<out>/bench.json`` (with a
timestamp and the machine the figures were measured on), plus a copy of the
JSON in ``<out>/history/``; the "previous" column shows each figure's latest
earlier value from that history, so that a slowdown is visible. The exit
code is 0 even when targets are missed (the table says so); it is non-zero
only when the runner itself fails (bad options, unwritable output folder).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
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
DEFAULT_OUT = BENCH_DIR / "results"
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


# --------------------------------------------------------------------------- plugins


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


# --------------------------------------------------------------------------- machine

_MACHINE = r"""
import json, os, platform, sys
info = {
    "python": platform.python_version(),
    "platform": platform.platform(),
    "cpu_count": os.cpu_count(),
    "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
}
try:
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        names = [l.split(":", 1)[1].strip() for l in handle if l.startswith("model name")]
    info["cpu_model"] = names[0] if names else None
except OSError:
    info["cpu_model"] = platform.processor() or None
try:
    import numpy, tensorflow as tf, keras
    info["numpy"] = numpy.__version__
    info["tensorflow"] = tf.__version__
    info["keras"] = keras.__version__
    info["gpus"] = [d.name for d in tf.config.list_physical_devices("GPU")]
except Exception as exc:
    info["error"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(info))
"""


def machine_info(*, env: dict[str, str] | None = None, python: str = sys.executable) -> Row:
    """Describe the machine and software the figures were measured with.

    TensorFlow is imported in a subprocess so that the runner stays light.

    Returns:
        A dict with python, platform, cpu_count, usable_cpus, cpu_model,
        numpy, tensorflow, keras, gpus (device names; empty when none was
        available, so none was used), gpu_used, and the git commit.
    """
    try:
        proc = subprocess.run(
            [python, "-c", _MACHINE],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        info: Row = json.loads(proc.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as exc:
        info = {"error": f"could not describe the machine: {exc}"}
    info["gpu_used"] = bool(info.get("gpus"))
    info["git_commit"] = _git_commit()
    return info


def _git_commit() -> str | None:
    """The checked-out commit, with "+dirty" when the tree has changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "")


def describe_machine(info: Row) -> str:
    """One line naming the machine, e.g. for the table header and the README."""
    cpus = info.get("cpu_count")
    usable = info.get("usable_cpus")
    cores = f"{cpus} CPUs" if usable in (None, cpus) else f"{usable} of {cpus} CPUs usable"
    parts = [cores]
    if info.get("cpu_model"):
        parts.append(str(info["cpu_model"]))
    parts.append("GPU: " + (", ".join(info["gpus"]) if info.get("gpus") else "none"))
    parts.append(f"Python {info.get('python', '?')}")
    parts.append(f"TensorFlow {info.get('tensorflow', '?')}")
    parts.append(f"Keras {info.get('keras', '?')}")
    if info.get("error"):
        parts.append(f"({info['error']})")
    return ", ".join(parts)


def load_average() -> float | None:
    """The 1-minute load average (None where the OS has none).

    Recorded before and after the plugins run: figures measured while other
    work keeps the CPUs busy are slower and noisier than the machine can do.
    """
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def describe_load(info: Row) -> str | None:
    """A sentence on the machine's load during the run, or None if unknown."""
    before, after = info.get("load_before"), info.get("load_after")
    if before is None and after is None:
        return None
    cpus = info.get("usable_cpus") or info.get("cpu_count")
    text = f"1-min load average {before} before the run, {after} after"
    busiest = max(v for v in (before, after) if v is not None)
    if cpus and busiest > cpus:
        text += f" (more than the {cpus} CPUs: other work was running, so figures are pessimistic)"
    return text + "."


# --------------------------------------------------------------------------- output


def format_value(value: float | None) -> str:
    """Three significant figures without scientific notation for everyday sizes."""
    if value is None:
        return "—"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    if magnitude >= 0.001 or magnitude == 0:
        return f"{value:.3g}"
    return f"{value:.2e}"


def format_ok(row: Row) -> str:
    """The verdict column.

    ERROR: the plugin failed; FAILED: the thing measured failed (no value, target
    not met, e.g. a notebook that raised); MISSED: measured, target not met;
    ok: target met; a dash when there is no target.
    """
    if row.get("error"):
        return "ERROR"
    if row.get("ok") is None:
        return "—"
    if row["ok"]:
        return "ok"
    return "FAILED" if row["value"] is None else "MISSED"


def _cells(row: Row) -> list[str]:
    return [
        row["name"],
        format_value(row["value"]),
        row["unit"],
        row["target"] or "—",
        format_ok(row),
        format_value(row.get("previous")),
    ]


HEADERS = ["figure", "value", "unit", "target", "ok", "previous"]
RIGHT_ALIGNED = frozenset({1, 5})  # the number columns


def format_table(rows: Sequence[Row]) -> str:
    """A plain-text table (figure, value, unit, target, ok, previous) for the terminal.

    Args:
        rows: Normalized rows.

    Returns:
        The table, one line per row; numbers right-aligned.
    """
    body = [_cells(r) for r in rows]
    widths = [
        max(len(h), *(len(c[i]) for c in body)) if body else len(h) for i, h in enumerate(HEADERS)
    ]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if i in RIGHT_ALIGNED else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(HEADERS), rule, *(line(c) for c in body)])


def summarize(rows: Sequence[Row]) -> Row:
    """Counts of figures, targets met / missed, and plugin errors."""
    return {
        "figures": sum(not r["error"] for r in rows),
        "targets_met": sum(r["ok"] is True and not r["error"] for r in rows),
        "targets_missed": sum(r["ok"] is False and not r["error"] for r in rows),
        "errors": sum(bool(r["error"]) for r in rows),
    }


def summary_line(summary: Row) -> str:
    """The summary as one sentence."""
    return (
        f"{summary['figures']} figures: {summary['targets_met']} targets met, "
        f"{summary['targets_missed']} missed; {summary['errors']} plugin error(s)."
    )


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_markdown(report: Row) -> str:
    """The report as Markdown: header, machine, table with details, summary.

    Args:
        report: As built by :func:`build_report`.

    Returns:
        Markdown text.
    """
    lines = [
        "# actlab benchmark",
        "",
        f"Measured {report['timestamp']} on {describe_machine(report['machine'])}"
        + (
            f", commit {report['machine']['git_commit']}"
            if report["machine"].get("git_commit")
            else ""
        )
        + ".",
        "",
        f"Command: `{report['command']}`",
        "",
        *([load, ""] if (load := describe_load(report["machine"])) else []),
        "| " + " | ".join([*HEADERS, "how measured"]) + " |",
        "|" + "|".join(["---", "---:", "---", "---", "---", "---:", "---"]) + "|",
    ]
    for row in report["rows"]:
        cells = [*_cells(row), row["detail"]]
        lines.append("| " + " | ".join(_md_escape(c) for c in cells) + " |")
    lines += ["", summary_line(report["summary"]), ""]
    skipped = report.get("skipped") or []
    if skipped:
        lines += [f"Not run this time: {', '.join(skipped)}.", ""]
    return "\n".join(lines)


def previous_values(out: Path) -> dict[tuple[str, str, str], float | None]:
    """The latest earlier value of every figure, from ``<out>/history/*.json``.

    Args:
        out: The output folder of earlier runs.

    Returns:
        ``{(topic, name, unit): value}`` (a figure whose unit changed starts
        afresh); later runs override earlier ones, so a ``--quick`` run does
        not hide the notebooks' last figures. Unreadable files are skipped.
    """
    latest: dict[tuple[str, str, str], float | None] = {}
    for path in sorted((out / "history").glob("*.json")):  # names sort by time
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
            for row in report["rows"]:
                if not row.get("error"):
                    latest[(row["topic"], row["name"], row["unit"])] = row["value"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return latest


def build_report(
    rows: Sequence[Row],
    machine: Row,
    *,
    command: str,
    skipped: Sequence[str] = (),
    durations: dict[str, float] | None = None,
    timestamp: dt.datetime | None = None,
) -> Row:
    """Collect everything that goes into bench.json and bench.md."""
    when = timestamp or dt.datetime.now(dt.UTC)
    return {
        "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command,
        "machine": machine,
        "rows": list(rows),
        "summary": summarize(rows),
        "skipped": list(skipped),
        "plugin_seconds": {k: round(v, 1) for k, v in (durations or {}).items()},
    }


def write_report(report: Row, out: Path) -> dict[str, Path]:
    """Write bench.json, bench.md and a timestamped copy of the JSON.

    Args:
        report: As built by :func:`build_report`.
        out: Output folder (created if needed).

    Returns:
        ``{"json": path, "markdown": path, "history": path}``.
    """
    out.mkdir(parents=True, exist_ok=True)
    history = out / "history"
    history.mkdir(exist_ok=True)
    text = json.dumps(report, indent=2, allow_nan=False) + "\n"
    paths = {
        "json": out / "bench.json",
        "markdown": out / "bench.md",
        "history": history / (report["timestamp"].replace(":", "-") + ".json"),
    }
    paths["json"].write_text(text, encoding="utf-8")
    paths["history"].write_text(text, encoding="utf-8")
    paths["markdown"].write_text(format_markdown(report), encoding="utf-8")
    return paths


# --------------------------------------------------------------------------- main


def bench_env(*, repeat: int | None = None) -> dict[str, str]:
    """The environment for plugins: this one plus the Makefile's TF settings."""
    env = dict(os.environ)
    for key, value in BENCH_ENV.items():
        env.setdefault(key, value)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if repeat is not None:
        env["ACTLAB_BENCH_REPEAT"] = str(repeat)
    return env


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description="Measure actlab's speed (make bench)."
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated topics to run, e.g. imports,surgery (default: all plugins)",
    )
    parser.add_argument("--quick", action="store_true", help="skip the notebooks")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output folder (default: bench/results)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs per notebook (default 1; the median is reported); also passed to "
        "other plugins as ACTLAB_BENCH_REPEAT",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help=f"seconds per plugin before it is killed (default {DEFAULT_TIMEOUT_S}; "
        "the notebooks get at least 3 min per notebook)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="hide plugins' progress output")
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error(f"--repeat must be at least 1; received {args.repeat}.")
    if args.timeout <= 0:
        parser.error(f"--timeout must be positive; received {args.timeout}.")
    args.only = [t.strip() for t in args.only.split(",") if t.strip()]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected plugins, print the table, write the reports.

    Returns:
        0 when the runner completed (missed targets and plugin errors are
        reported in the table), 2 for bad options.
    """
    args = parse_args(argv)
    plugins = discover(BENCH_DIR)
    try:
        chosen = select(plugins, only=args.only, quick=args.quick)
    except ValueError as exc:
        print(f"bench/run.py: {exc}", file=sys.stderr)
        return 2
    skipped = [t for t in plugins if t not in chosen]
    env = bench_env(repeat=args.repeat)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log(
        f"[bench] plugins: {', '.join(chosen) or 'none'}"
        + (f" (skipped: {', '.join(skipped)})" if skipped else "")
    )
    log("[bench] describing the machine ...")
    machine = machine_info(env=env)
    log(f"[bench] {describe_machine(machine)}")
    machine["load_before"] = load_average()

    earlier = previous_values(args.out)
    rows: list[Row] = []
    durations: dict[str, float] = {}
    for topic, path in chosen.items():
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        log(f"[bench] {topic}: running {shown} ...")
        echo = None if args.quiet else (lambda line, t=topic: log(f"  [{t}] {line}"))
        limit = plugin_timeout(topic, args.timeout, repeat=args.repeat or 1)
        plugin_rows, seconds = run_plugin(topic, path, timeout_s=limit, env=env, echo=echo)
        durations[topic] = seconds
        failed = any(r["error"] for r in plugin_rows)
        log(
            f"[bench] {topic}: {'FAILED' if failed else f'{len(plugin_rows)} figures'}"
            f" in {seconds:.0f} s"
        )
        for row in plugin_rows:
            row["previous"] = earlier.get((row["topic"], row["name"], row["unit"]))
        rows.extend(plugin_rows)

    machine["load_after"] = load_average()
    given = list(sys.argv[1:] if argv is None else argv)
    command = " ".join(["python bench/run.py", *given])
    report = build_report(rows, machine, command=command, skipped=skipped, durations=durations)
    paths = write_report(report, args.out)
    print()
    print(f"actlab benchmark, {report['timestamp']}")
    print(f"machine: {describe_machine(machine)}")
    if load := describe_load(machine):
        print(load)
    print()
    print(format_table(rows))
    print()
    print(summary_line(report["summary"]))
    if skipped:
        print(f"Not run this time: {', '.join(skipped)}.")
    print(f"Written: {paths['markdown']}, {paths['json']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
