"""Learner progress: which exercises were answered correctly, in a small local file.

A correct ``ex.qN.check(...)`` calls :func:`record`; ``actlab.progress()`` shows
a table of notebooks and solved exercises (HTML in Jupyter, text elsewhere);
``python -m actlab progress`` prints it and ``python -m actlab progress --reset``
clears it. So a learner can resume where they stopped, and an instructor can
ask the room "who has finished 04?".

The file is JSON, ``~/.actlab/progress.json`` unless the environment variable
``ACTLAB_PROGRESS_FILE`` names another path. It holds notebook numbers,
question ids and the UTC time each was first solved; nothing personal, and
nothing ever leaves the machine. A file that cannot be read or written never
breaks a notebook: one line says so (once per session) and the course goes on.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from actlab._tables import html_table, text_table

ENV_VAR = "ACTLAB_PROGRESS_FILE"
FORMAT_VERSION = 1

_noticed = False  # one notice per session, not one per check


def progress_path() -> Path:
    """The progress file: ``$ACTLAB_PROGRESS_FILE`` or ``~/.actlab/progress.json``."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".actlab" / "progress.json"


def _notice(message: str) -> None:
    """Print one line (stdout: a notebook test treats stderr as a failure), once."""
    global _noticed
    if not _noticed:
        _noticed = True
        print(f"actlab: {message}")


def _notebook_key(notebook: str | int) -> str:
    text = str(notebook).strip()
    return f"{int(text):02d}" if text.isdigit() else text


def _read(path: Path) -> dict[str, dict[str, str]]:
    """The solved questions ``{notebook: {question: iso_time}}``; raises on a bad file."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    solved = data.get("solved") if isinstance(data, dict) else None
    if not isinstance(solved, dict) or not all(
        isinstance(qs, dict) and all(isinstance(t, str) for t in qs.values())
        for qs in solved.values()
    ):
        raise ValueError("not an actlab progress file (no 'solved' table)")
    return solved


def _write(path: Path, solved: dict[str, dict[str, str]]) -> None:
    """Write atomically (a crash mid-write leaves the old file, never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"version": FORMAT_VERSION, "solved": solved}, indent=1, sort_keys=True)
    fd, tmp = tempfile.mkstemp(prefix=".progress-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def record(notebook: str | int, question: str) -> None:
    """Mark ``question`` of ``notebook`` as solved (called by a correct ``check``).

    Never raises: an unreadable file is kept aside as ``<name>.corrupt`` and a
    new one is started; an unwritable location prints one line and progress
    is simply not saved this session.

    Args:
        notebook: The notebook number, ``"04"`` or ``4``.
        question: The question id, ``"q1"``.
    """
    try:
        path = progress_path()
        try:
            solved = _read(path)
        except ValueError as exc:  # not JSON, or not ours (json.JSONDecodeError included)
            aside = path.with_name(path.name + ".corrupt")
            os.replace(path, aside)
            solved = {}
            _notice(f"the progress file {path} could not be read ({exc}); kept it as "
                    f"{aside.name} and started a new one.")
        key = _notebook_key(notebook)
        if question in solved.get(key, {}):
            return
        now = datetime.now(UTC).isoformat(timespec="seconds")
        solved.setdefault(key, {})[str(question)] = now
        _write(path, solved)
    except Exception as exc:  # noqa: BLE001 - progress must never break a notebook
        _notice(f"progress is not saved ({type(exc).__name__}: {exc}). The course works "
                f"as usual; set {ENV_VAR} to a writable file to keep progress.")


def reset() -> Path:
    """Delete the progress file (and a kept ``.corrupt`` copy); return its path."""
    path = progress_path()
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".corrupt").unlink(missing_ok=True)
    return path


@dataclass(frozen=True)
class Progress:
    """The solved exercises per notebook; shows itself as a table.

    Attributes:
        path: The progress file read.
        rows: ``(notebook, title, solved question ids, number of questions)``
            for every notebook with an exercise set, in course order.
        problem: Why the file could not be read, or ``""``.
    """

    path: Path
    rows: tuple[tuple[str, str, tuple[str, ...], int], ...]
    problem: str = ""

    def solved(self, notebook: str | int) -> tuple[str, ...]:
        """The question ids solved in ``notebook`` (``"04"`` or ``4``)."""
        key = _notebook_key(notebook)
        return next((r[2] for r in self.rows if r[0] == key), ())

    def _table(self) -> tuple[list[str], list[list[str]]]:
        columns = ["notebook", "title", "solved", "questions"]
        rows = []
        for nb, title, done, total in self.rows:
            count = f"{len(done)}/{total}" + (" done" if total and len(done) >= total else "")
            rows.append([nb, title, count, " ".join(done) or "-"])
        return columns, rows

    def _footer(self) -> str:
        total = sum(r[3] for r in self.rows)
        done = sum(len(r[2]) for r in self.rows)
        note = f" ({self.problem})" if self.problem else ""
        return f"{done} of {total} exercises solved. Progress file: {self.path}{note}"

    def __str__(self) -> str:
        return text_table(*self._table()) + "\n" + self._footer()

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        import html

        return html_table(*self._table()) + f"<p>{html.escape(self._footer())}</p>"


def _question_sets() -> dict[str, tuple[str, list[str]]]:
    """``{notebook: (title, [question ids])}`` from the course's exercise sets."""
    from actlab import exercises

    sets = {}
    for nb in exercises.available():
        ex = exercises.load(nb)
        sets[nb] = (ex.title, [q.qid for q in ex])
    return sets


def progress() -> Progress:
    """The learner's progress: solved exercises per notebook, shown as a table.

    In Jupyter ``actlab.progress()`` renders an HTML table; elsewhere it prints
    as text. ``python -m actlab progress`` prints the same table.

    Returns:
        A :class:`Progress` (``.solved("04")`` lists the solved question ids).
    """
    path = progress_path()
    problem = ""
    try:
        solved = _read(path)
    except (OSError, ValueError) as exc:
        solved, problem = {}, f"unreadable: {exc}; `python -m actlab progress --reset` clears it"
    sets = _question_sets()
    rows = []
    for nb in sorted(set(sets) | set(solved)):
        title, qids = sets.get(nb, ("(no exercise set)", []))
        done = solved.get(nb, {})
        order = [q for q in qids if q in done] + sorted(q for q in done if q not in qids)
        rows.append((nb, title, tuple(order), len(qids)))
    return Progress(path=path, rows=tuple(rows), problem=problem)


# ``actlab.progress`` is this function; ``actlab.progress.record(...)`` and
# ``actlab.progress.reset()`` reach the rest, so a caller needs only ``actlab``.
progress.record = record  # type: ignore[attr-defined]
progress.reset = reset  # type: ignore[attr-defined]
progress.path = progress_path  # type: ignore[attr-defined]
