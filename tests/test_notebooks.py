"""The notebooks as files: clean in git, well-formed, and passing with the solutions in.

nbval (``make test-notebooks``) runs each notebook as a learner would, with the
exercise starters unanswered. The tests here also execute every notebook with
each exercise's reference solution filled in and ACTLAB_STRICT_EXERCISES=1, so
a solution that stops passing its check fails the build.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

from actlab import exercises

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]
CHECK_LINE = re.compile(r"^ex\.(q\d+)\.check\(")
# Output that must never appear: a printed warning (``UserWarning: ...``, Keras 3
# deprecations) or a traceback. Prose that talks about warnings is fine.
FORBIDDEN = re.compile(r"\b\w*Warning: |Traceback \(most recent call last\)")


def _exercise_cells(nb):
    for cell in nb.cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            if tag.startswith("exercise-"):
                yield tag.removeprefix("exercise-"), cell


def test_course_has_all_notebooks():
    """The course map's notebooks 00-10 are all present, numbered NN_snake_case."""
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert numbers == [f"{i:02d}" for i in range(len(NOTEBOOKS))]
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", p.name) for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_outputs_in_git(path):
    """Notebooks are committed without outputs or execution counts."""
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"])
             if c.get("outputs") or c.get("execution_count") is not None]
    assert not dirty, f"{path.name}: strip outputs of cells {dirty}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_kernelspec_is_python3(path):
    """JupyterLab opens the notebook straight into the python3 kernel."""
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_structure_title_setup_exercises(path):
    """Title with the number, a goal line, a time estimate, ## Setup, ## Exercises."""
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0].source
    assert first.startswith(f"# {path.name[:2]} ·"), first[:40]
    assert "You will be able to" in first
    assert re.search(r"Estimated time: \*?\d+ min", first), "give the time estimate"
    headings = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert any(h.startswith("## Setup") for h in headings)
    assert any("## Exercises" in h for h in headings)
    setup = next(c for c in nb.cells if c.cell_type == "code")
    assert setup.source.startswith("import actlab"), "import actlab first (it quiets TF)"
    assert "actlab.seed(" in setup.source
    assert f'actlab.exercises.load("{path.name[:2]}")' in setup.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercise_cells_match_the_exercise_set(path):
    """Every question has one tagged cell ending in its check, with a `...` starter."""
    nb = nbformat.read(path, as_version=4)
    qset = exercises.load(path.name[:2])
    cells = dict(_exercise_cells(nb))
    assert sorted(cells) == sorted(q.qid for q in qset)
    for qid, cell in cells.items():
        lines = cell.source.strip().splitlines()
        assert CHECK_LINE.match(lines[-1]) and CHECK_LINE.match(lines[-1]).group(1) == qid
        question = getattr(qset, qid)
        if isinstance(question, exercises.SliderQuestion):
            _check_slider_cells(nb, question, cell, lines[-1])
        else:
            assert "..." in "\n".join(lines[:-1]), f"{qid}: the starter must use `...`"


def _check_slider_cells(nb, question, cell, check_line):
    """A slider exercise passes the widget made beside it, by the question's own call."""
    var = re.fullmatch(rf"ex\.{question.qid}\.check\((\w+)\)", check_line)
    assert var, f"{question.qid}: the check must pass the widget: {check_line!r}"
    var = var.group(1)
    before = nb.cells[: nb.cells.index(cell)]
    made = [c for c in before if f"{var} = {question.widget_call}" in c.source]
    assert made, f"{question.qid}: no cell makes {var} = {question.widget_call}"
    assert f"solution(apply={var})" in question.solution_code, question.solution_code


def _with_solutions(nb):
    """A copy of nb whose exercise cells carry the reference solution code."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    qset = exercises.load(nb.metadata["actlab_number"])
    for qid, cell in _exercise_cells(nb):
        check = cell.source.strip().splitlines()[-1]
        cell.source = f"{getattr(qset, qid).solution_code}\n{check}"
    return nb


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """Run notebooks in a python3 kernel of *this* interpreter, whatever else is installed."""
    kernels = tmp_path_factory.mktemp("jupyter") / "kernels" / "python3"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (actlab tests)", "language": "python",
    }))
    return str(kernels.parent.parent)


def _outputs_text(nb):
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                yield i, out.get("name"), out.get("text", "")
            elif out.get("output_type") == "display_data":  # exercise feedback boxes
                yield i, "display", out.get("data", {}).get("text/plain", "")
            elif out.get("output_type") == "error":
                yield i, "error", f"{out.get('ename')}: {out.get('evalue')}"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_runs_with_solutions_filled_in(path, kernel_env, monkeypatch):
    """With every solution filled in (strict checks), the notebook runs clean: no warnings."""
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PATH", kernel_env)
    monkeypatch.setenv(exercises.STRICT_ENV, "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["actlab_number"] = path.name[:2]
    solved = _with_solutions(nb)
    client = NotebookClient(solved, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    stderr = [(i, text) for i, name, text in _outputs_text(solved) if name == "stderr"]
    assert not stderr, f"{path.name} wrote to stderr: {stderr[:3]}"
    noisy = [(i, text[:200]) for i, _, text in _outputs_text(solved) if FORBIDDEN.search(text)]
    assert not noisy, f"{path.name} printed warnings: {noisy[:3]}"
    correct = sum(text.count(": correct!") for _, name, text in _outputs_text(solved)
                  if name in ("stdout", "display"))
    assert correct == len(exercises.load(path.name[:2])), "every check must confirm"
