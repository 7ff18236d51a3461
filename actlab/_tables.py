"""Render small tables of strings as plain text, Markdown and HTML (one place for all)."""

from __future__ import annotations

import html
from collections.abc import Sequence


def text_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, a dashed rule under the header."""
    cells = [list(columns), *[list(r) for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], *, right_align_numbers: bool = False
) -> str:
    """A GitHub-style Markdown table; optionally every column after the first right-aligned."""
    header = "| " + " | ".join(columns) + " |"
    rule = "---:|" if right_align_numbers else "---|"
    sep = "|---|" + rule * (len(columns) - 1)
    body = ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join([header, sep, *body])


def html_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An escaped HTML table."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
