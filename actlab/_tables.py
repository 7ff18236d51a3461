"""Render small tables of strings as plain text, Markdown and HTML (one place for all).

The three functions take the same ``(columns, rows)``; ``right`` lists the
indices of right-aligned (number) columns. :class:`Table` is the mixin that the
catalogue's, comparison's and cost tables share: a class gives its columns and
cells, and it prints as text and renders as HTML (and Markdown) in Jupyter.
The bench report (``bench/report.py``) uses the same functions.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence


def text_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], *, right: Collection[int] = ()
) -> str:
    """Columns padded to their widest cell, a dashed rule under the header.

    Args:
        columns: Header cells.
        rows: Body rows, one string per column.
        right: Indices of the columns to right-align (header included).

    Returns:
        The table, lines joined by newlines, without trailing spaces.
    """
    cells = [list(columns), *[list(r) for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]

    def line(row: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if i in right else v.ljust(w)
            for i, (v, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    lines = [line(r) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], *, right: Collection[int] = ()
) -> str:
    """A GitHub-style Markdown table; ``|`` and newlines inside cells are escaped.

    Args:
        columns: Header cells.
        rows: Body rows.
        right: Indices of the columns to right-align (``---:``).

    Returns:
        The table as Markdown.
    """
    header = "| " + " | ".join(_md_cell(c) for c in columns) + " |"
    sep = "|" + "|".join("---:" if i in right else "---" for i in range(len(columns))) + "|"
    body = ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in rows]
    return "\n".join([header, sep, *body])


def html_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An escaped HTML table."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Table:
    """Mixin for result tables: text for ``print``, HTML and Markdown for Jupyter.

    A subclass defines :meth:`_columns` and :meth:`_cells`, and may define
    :meth:`_title` (a caption line) and ``_RIGHT`` (columns right-aligned in
    Markdown; the text view keeps every column left-aligned).
    """

    _RIGHT: Collection[int] = ()

    def _columns(self) -> Sequence[str]:
        raise NotImplementedError

    def _cells(self) -> list[list[str]]:
        raise NotImplementedError

    def _title(self) -> str:
        return ""

    def __str__(self) -> str:
        table = text_table(self._columns(), self._cells())
        return f"{self._title()}\n{table}" if self._title() else table

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        table = markdown_table(self._columns(), self._cells(), right=self._RIGHT)
        return f"*{self._title()}*\n\n{table}" if self._title() else table

    def _repr_html_(self) -> str:
        table = html_table(self._columns(), self._cells())
        title = self._title()
        return f"<p><em>{html.escape(title)}</em></p>{table}" if title else table
