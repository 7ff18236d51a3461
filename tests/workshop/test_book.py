"""`make book` builds a readable static copy of the whole executed course.

Runs ``tools/build_book.py`` (what ``make book`` runs) into a temporary folder:
every notebook executed in a fresh kernel, offline. Takes minutes: part of
``make test-workshop``, not ``make test``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ARTIFACTS = ROOT / "artifacts" / "workshop"
IMG = re.compile(r"<img\b[^>]*>")


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_book.py"), "--out",
                           str(out)], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - start
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "timings.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data["book_build_s"] = round(seconds, 1)
    path.write_text(json.dumps(data, indent=2))
    return out


def _uses_widgets(notebook: Path) -> bool:
    nb = nbformat.read(notebook, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return re.search(r"\bwidgets\.\w+\(", code) is not None


def test_every_notebook_has_a_page_in_course_order(book):
    index = (book / "index.html").read_text()
    positions = []
    for notebook in NOTEBOOKS:
        page = book / f"{notebook.stem}.html"
        assert page.is_file(), f"no page for {notebook.name}"
        positions.append(index.index(f'href="{page.name}"'))
    assert positions == sorted(positions), "the index is not in course order"
    assert len(NOTEBOOKS) == 11


def test_every_page_has_its_figures_inline(book):
    """Each figure the run produced is an <img> with the picture in the page itself."""
    total = 0
    for notebook in NOTEBOOKS:
        page = (book / f"{notebook.stem}.html").read_text()
        executed = nbformat.read(book / "notebooks" / notebook.name, as_version=4)
        figures = sum("image/png" in o.get("data", {})
                      for c in executed.cells for o in c.get("outputs", []))
        images = IMG.findall(page)
        assert len(images) == figures, (notebook.name, len(images), figures)
        assert all('src="data:image/png;base64,' in tag for tag in images), notebook.name
        total += figures
    assert total >= len(NOTEBOOKS), f"only {total} figures in the whole course"


def test_no_page_holds_a_traceback_or_stderr(book):
    for notebook in NOTEBOOKS:
        page = (book / f"{notebook.stem}.html").read_text()
        assert "Traceback" not in page, notebook.name
        # (the page's CSS names the stderr MIME type too, in single quotes)
        assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page, notebook.name
        executed = nbformat.read(book / "notebooks" / notebook.name, as_version=4)
        outputs = [o for c in executed.cells for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.output_type == "error"], notebook.name
        assert not [o for o in outputs if o.get("name") == "stderr"], notebook.name


def test_pages_with_sliders_say_they_are_not_live(book):
    """The banner is on exactly the pages whose notebook builds a widget; its plot is shown."""
    with_widgets = [nb for nb in NOTEBOOKS if _uses_widgets(nb)]
    assert len(with_widgets) >= 4
    for notebook in NOTEBOOKS:
        page = (book / f"{notebook.stem}.html").read_text()
        has_banner = "actlab-static-banner" in page
        assert has_banner == (notebook in with_widgets), notebook.name
        if has_banner:
            assert "not live here" in page and f"notebooks/{notebook.name}" in page
            snapshot = page[page.index("Interactive in JupyterLab"):]
            assert IMG.search(snapshot), f"{notebook.name}: the widget's plot is missing"
            assert "application/vnd.jupyter.widget-view+json" not in page


REMOTE = re.compile(r"<(?:script|img|link|iframe)\b[^>]*\b(?:src|href)=[\"']https?://", re.I)


def test_no_page_loads_anything_from_the_web(book):
    """Offline, a page reads the same: no script, style or picture comes from a CDN."""
    for page in sorted(book.glob("*.html")):
        text = page.read_text()
        assert not REMOTE.search(text), (page.name, REMOTE.search(text).group(0))
        assert "jp-Mermaid" not in text or "pre.mermaid" in text  # mermaid loads only for diagrams
