"""The bench report: the terminal table, bench.md, bench.json and the history.

The tables are drawn by ``actlab._tables`` (the renderer of the package's own
tables), with the number columns right-aligned.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

from actlab._tables import markdown_table, text_table
from bench.machine import describe_load, describe_machine
from bench.runner import Row


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
    return text_table(HEADERS, [_cells(r) for r in rows], right=RIGHT_ALIGNED)


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
        markdown_table(
            [*HEADERS, "how measured"],
            [[*_cells(row), row["detail"]] for row in report["rows"]],
            right=RIGHT_ALIGNED,
        ),
        "",
        summary_line(report["summary"]),
        "",
    ]
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
