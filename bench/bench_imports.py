"""How long a learner waits for ``import actlab`` and for its first TensorFlow use.

Each figure is the median wall time of fresh ``python -c`` subprocesses (after
one warm-up round that fills the OS file cache); the snippets are run in
interleaved rounds so that they see the same machine load. A bare
``python -c pass`` is measured alongside and subtracted, so the figures are
what actlab (and TensorFlow) add to the interpreter's own start-up.

Run alone: ``.venv/bin/python bench/bench_imports.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RUNS = 5

SNIPPETS: dict[str, str] = {
    "baseline": "pass",
    "import": "import actlab",
    "first_use": "import numpy as np\nimport actlab\nactlab.catalog.get('relu')(np.ones(3))",
}
# Does the cheap import stay cheap? Prints which heavy modules `import actlab` loaded.
_HEAVY_CHECK = (
    "import sys, json, actlab\n"
    "heavy = ('tensorflow', 'keras', 'matplotlib')\n"
    "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))"
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("KERAS_BACKEND", "tensorflow")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    return env


def time_snippet(code: str, *, python: str = sys.executable) -> float:
    """Wall time of ``python -c code`` in a fresh process, in seconds.

    Raises:
        RuntimeError: If the snippet fails (its stderr is quoted).
    """
    start = time.perf_counter()
    proc = subprocess.run(
        [python, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no error output"]
        raise RuntimeError(f"`python -c {code!r}` failed (code {proc.returncode}): {tail[0]}")
    return elapsed


def p90(values: Sequence[float]) -> float:
    """The 90th percentile (inclusive method, so it works from 2 values on)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def measure(runs: int = DEFAULT_RUNS) -> dict[str, list[float]]:
    """Time every snippet ``runs`` times in interleaved rounds, after one warm-up round.

    Returns:
        ``{snippet key: [seconds, ...]}``.
    """
    for code in SNIPPETS.values():  # warm-up: file cache, .pyc files
        time_snippet(code)
    times: dict[str, list[float]] = {key: [] for key in SNIPPETS}
    for _ in range(runs):
        for key, code in SNIPPETS.items():
            times[key].append(time_snippet(code))
    return times


def heavy_modules_after_import() -> list[str]:
    """Which of tensorflow / keras / matplotlib a bare ``import actlab`` loads."""
    proc = subprocess.run(
        [sys.executable, "-c", _HEAVY_CHECK],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def rows_from_times(times: dict[str, list[float]], heavy: list[str]) -> list[dict[str, Any]]:
    """Turn the raw timings into bench rows (medians, net of interpreter start-up)."""
    runs = len(times["baseline"])
    base = statistics.median(times["baseline"])
    how = f"median of {runs} fresh processes after 1 warm-up"
    rows: list[dict[str, Any]] = [
        {
            "name": "python start-up (python -c pass)",
            "value": base * 1000,
            "unit": "ms",
            "target": None,
            "ok": None,
            "detail": f"{how}; the baseline subtracted below",
        }
    ]
    # snippet key -> (row name, unit, scale from seconds, note)
    labels = {
        "import": ("import actlab", "ms", 1000.0, "lazy: TensorFlow is not imported yet"),
        "first_use": (
            "import actlab + first TF use",
            "s",
            1.0,
            "actlab.catalog.get('relu')(np.ones(3)), which imports Keras/TensorFlow",
        ),
    }
    for key, (name, unit, scale, note) in labels.items():
        med = statistics.median(times[key])
        rows.append(
            {
                "name": name,
                "value": (med - base) * scale,
                "unit": unit,
                "target": None,
                "ok": None,
                "detail": (
                    f"{how}, net of start-up; with start-up {med * scale:.3g} {unit} "
                    f"(p90 {p90(times[key]) * scale:.3g} {unit}); {note}"
                ),
            }
        )
    rows.append(
        {
            "name": "import actlab loads TF/Keras/matplotlib",
            "value": float(len(heavy)),
            "unit": "modules",
            "target": "0 (lazy imports)",
            "ok": not heavy,
            "detail": "loaded: " + (", ".join(heavy) if heavy else "none of them"),
        }
    )
    return rows


def run(runs: int | None = None) -> list[dict[str, Any]]:
    """The import figures (bench plugin entry point).

    Args:
        runs: Timed runs per snippet (default: ``ACTLAB_BENCH_IMPORT_RUNS`` or 5).
    """
    runs = runs or int(os.environ.get("ACTLAB_BENCH_IMPORT_RUNS", DEFAULT_RUNS))
    return rows_from_times(measure(runs), heavy_modules_after_import())


def main(argv: Sequence[str] | None = None) -> None:
    """Print the rows as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed runs per snippet")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.runs), indent=2))


if __name__ == "__main__":
    main()
