"""Run every actlab benchmark and report the figures (``make bench``): the command line.

Usage::

    .venv/bin/python bench/run.py                     # everything (about 10 min)
    .venv/bin/python bench/run.py --quick             # everything but the notebooks
    .venv/bin/python bench/run.py --only imports,surgery
    .venv/bin/python bench/run.py --repeat 3          # time each notebook 3 times

The parts: ``bench/runner.py`` finds the ``bench_<topic>.py`` plugins and runs
each in a subprocess of its own (the row format is described there);
``bench/machine.py`` describes the machine; ``bench/report.py`` draws the table
and writes the reports. Imports go one way: run -> report -> machine -> runner.

Output: a table on stdout, ``<out>/bench.md`` and ``<out>/bench.json`` (with a
timestamp and the machine the figures were measured on), plus a copy of the
JSON in ``<out>/history/``; the "previous" column shows each figure's latest
earlier value from that history, so that a slowdown is visible. The exit
code is 0 even when targets are missed (the table says so); it is non-zero
only when the runner itself fails (bad options, unwritable output folder).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import machine, report, runner  # noqa: E402  (after the sys.path set-up)
from bench.runner import DEFAULT_TIMEOUT_S, ROOT, Row  # noqa: E402

DEFAULT_OUT = runner.BENCH_DIR / "results"


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
    plugins = runner.discover(runner.BENCH_DIR)
    try:
        chosen = runner.select(plugins, only=args.only, quick=args.quick)
    except ValueError as exc:
        print(f"bench/run.py: {exc}", file=sys.stderr)
        return 2
    skipped = [t for t in plugins if t not in chosen]
    env = runner.bench_env(repeat=args.repeat)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log(
        f"[bench] plugins: {', '.join(chosen) or 'none'}"
        + (f" (skipped: {', '.join(skipped)})" if skipped else "")
    )
    log("[bench] describing the machine ...")
    info = machine.machine_info(env=env)
    log(f"[bench] {machine.describe_machine(info)}")
    info["load_before"] = machine.load_average()

    earlier = report.previous_values(args.out)
    rows: list[Row] = []
    durations: dict[str, float] = {}
    for topic, path in chosen.items():
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        log(f"[bench] {topic}: running {shown} ...")
        echo = None if args.quiet else (lambda line, t=topic: log(f"  [{t}] {line}"))
        limit = runner.plugin_timeout(topic, args.timeout, repeat=args.repeat or 1)
        plugin_rows, seconds = runner.run_plugin(topic, path, timeout_s=limit, env=env, echo=echo)
        durations[topic] = seconds
        failed = any(r["error"] for r in plugin_rows)
        log(
            f"[bench] {topic}: {'FAILED' if failed else f'{len(plugin_rows)} figures'}"
            f" in {seconds:.0f} s"
        )
        for row in plugin_rows:
            row["previous"] = earlier.get((row["topic"], row["name"], row["unit"]))
        rows.extend(plugin_rows)

    info["load_after"] = machine.load_average()
    given = list(sys.argv[1:] if argv is None else argv)
    command = " ".join(["python bench/run.py", *given])
    result = report.build_report(rows, info, command=command, skipped=skipped, durations=durations)
    paths = report.write_report(result, args.out)
    print()
    print(f"actlab benchmark, {result['timestamp']}")
    print(f"machine: {machine.describe_machine(info)}")
    if load := machine.describe_load(info):
        print(load)
    print()
    print(report.format_table(rows))
    print()
    print(report.summary_line(result["summary"]))
    if skipped:
        print(f"Not run this time: {', '.join(skipped)}.")
    print(f"Written: {paths['markdown']}, {paths['json']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
