"""One source of truth for the course map: README, notebook 00's table and each header agree.

Each notebook's header states its estimated time ("Estimated time: N minutes").
The README course map and the table in 00_start_here repeat it; this test reads
all three for every notebook, so an edit to one cannot leave the others behind.
It also keeps the source articles' file names out of the course: a learner
never sees "seed 002", so the text cites the claim itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
HEADER_TIME = re.compile(r"Estimated time: \*?(\d+) min")
ROW = re.compile(r"^\|\s*(\d\d)\s*\|\s*`?(\w+)`?\s*\|.*\|\s*(\d+)\s*\|\s*$")


def _header_minutes(path: Path) -> int:
    first = nbformat.read(path, as_version=4).cells[0].source
    found = HEADER_TIME.findall(first)
    assert len(found) == 1, f"{path.name}: one 'Estimated time: N minutes' in the title cell"
    return int(found[0])


def _table(text: str) -> dict[str, tuple[str, int]]:
    """{number: (name, minutes)} from the Markdown table rows of a course map."""
    rows = {}
    for line in text.splitlines():
        match = ROW.match(line.strip())
        if match:
            number, name, minutes = match.groups()
            rows[number] = (name, int(minutes))
    return rows


def _readme_map() -> dict[str, tuple[str, int]]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## The course map", 1)[1].split("\n## ", 1)[0]
    return _table(section)


def _start_here_map() -> dict[str, tuple[str, int]]:
    nb = nbformat.read(ROOT / "notebooks" / "00_start_here.ipynb", as_version=4)
    return _table("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))


def test_both_maps_list_every_notebook():
    """The README map and 00's table have one row per notebook, with its name."""
    expected = {p.name[:2]: p.stem[3:] for p in NOTEBOOKS}
    for where, rows in [("README", _readme_map()), ("00_start_here", _start_here_map())]:
        names = {number: name.removeprefix(f"{number}_") for number, (name, _) in rows.items()}
        assert names == expected, where


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_minutes_agree_with_the_header(path):
    """README, 00's table and the notebook's own header give the same estimated minutes."""
    number, minutes = path.name[:2], _header_minutes(path)
    assert _readme_map()[number][1] == minutes, f"README says {_readme_map()[number][1]}"
    assert _start_here_map()[number][1] == minutes, f"00 says {_start_here_map()[number][1]}"


SOURCE_NAMES = re.compile(r"\bseeds?\s*0\d\d\b|\bseeds?/", re.IGNORECASE)
NUMBERS = [p.name[:2] for p in NOTEBOOKS]


@pytest.mark.parametrize("number", NUMBERS)
def test_no_source_article_file_names(number):
    """No notebook or exercise set names 'seed 00N' (files learners never see)."""
    path = next(p for p in NOTEBOOKS if p.name.startswith(number))
    nb = nbformat.read(path, as_version=4)
    hits = [c.source for c in nb.cells if SOURCE_NAMES.search(c.source)]
    exercises = (ROOT / "actlab" / "exercises" / f"nb{number}.py").read_text()
    assert not hits, hits[0][:200]
    assert not SOURCE_NAMES.search(exercises)


def test_the_source_name_pattern_catches_what_it_should():
    """The pattern above finds the spellings used before (so the test above can fail)."""
    for text in ["seed 002's logits", "Seed 000 says", "(seed 002, exercise 4)", "shared/seeds/"]:
        assert SOURCE_NAMES.search(text), text
    for text in ["actlab.seed(42)", "seed=0", "make_circles(400, seed=1)"]:
        assert not SOURCE_NAMES.search(text), text
