"""``make book``: a readable, static HTML copy of the executed course.

Runs every ``notebooks/NN_*.ipynb`` top to bottom in a fresh kernel, offline
(``ACTLAB_OFFLINE=1``: MNIST from Keras's cache or the announced fallback),
and writes ``build/book/``:

- ``index.html``: the notebooks in course order, with links;
- ``NN_name.html``: one page per notebook, figures inline (``data:`` URIs,
  so the folder can be copied anywhere or opened from a USB stick);
- ``notebooks/NN_name.ipynb``: the executed notebooks the pages were made from;
- ``book.json``: per page its title, figure count, whether it has widgets and
  how long it took to run.

Sliders and buttons (ipywidgets) need a running kernel, so a page cannot keep
them live: each widget is replaced by a picture of the state the run left it
in (its plots, its status text and a line listing its controls' values), and
the page carries a banner saying so and how to get the live version.

Usage: ``python tools/build_book.py [--out build/book] [notebooks ...]``.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT_S = 600
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
BANNER_CLASS = "actlab-static-banner"
BANNER = (
    '<div class="{cls}" style="background:#fff4ce;border:1px solid #e0c060;padding:8px 14px;'
    'margin:8px 0 16px 0;font-family:sans-serif">'
    "<b>Static copy.</b> The sliders and buttons on this page are not live here: each is "
    "shown as a picture, as the run left it. To move them, open <code>notebooks/{name}</code> "
    "in JupyterLab (<code>make lab</code>).</div>"
)
# Widgets that only display (a progress bar, its text, a plot); anything else is a control.
DISPLAY_ONLY = {"BoxModel", "HBoxModel", "VBoxModel", "GridBoxModel", "HTMLModel", "HTMLMathModel",
                "LabelModel", "ImageModel", "OutputModel", "FloatProgressModel", "IntProgressModel"}
STYLE = "font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5"


def title_of(nb: Any, fallback: str) -> str:
    """The notebook's first Markdown ``# `` heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _widget_snapshot(model_id: str, state: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """Outputs showing widget ``model_id`` as the run left it, and whether it has controls."""
    import nbformat

    controls: list[str] = []
    images: list[str] = []
    texts: list[str] = []
    seen: set[str] = set()
    interactive = False

    def visit(mid: str) -> None:
        if mid in seen or mid not in state:
            return
        seen.add(mid)
        nonlocal interactive
        model = state[mid]
        name, values = model.get("model_name", ""), model.get("state", {})
        if not (name in DISPLAY_ONLY or name.endswith(("StyleModel", "LayoutModel"))):
            interactive = True
        if name == "ImageModel":
            for buf in model.get("buffers", []):
                if buf.get("path") == ["value"] and values.get("format", "png") == "png":
                    images.append(buf["data"])
        elif name in ("HTMLModel", "LabelModel") and values.get("value"):
            texts.append(values["value"] if name == "HTMLModel" else html.escape(values["value"]))
        elif "value" in values and values.get("description"):
            value = values["value"]
            if isinstance(value, list):
                value = ", ".join(map(str, value))
            controls.append(f"{values['description']} = {value}")
        for item in values.values():
            refs = item if isinstance(item, list) else [item]
            for ref in refs:
                if isinstance(ref, str) and ref.startswith("IPY_MODEL_"):
                    visit(ref[len("IPY_MODEL_"):])

    visit(model_id)
    outputs = []
    if interactive:
        head = "<p><i>Interactive in JupyterLab; shown here as the run left it"
        head += (": " + html.escape("; ".join(controls)) if controls else "") + ".</i></p>"
        outputs.append(nbformat.v4.new_output("display_data", data={"text/html": head}))
    outputs += [nbformat.v4.new_output("display_data", data={"image/png": png})
                for png in images]
    if texts:
        outputs.append(nbformat.v4.new_output("display_data",
                                              data={"text/html": "<br>".join(texts)}))
    return outputs, interactive


def freeze_widgets(nb: Any) -> int:
    """Replace every widget output by its snapshot; return how many had controls."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    count = 0
    for cell in nb.cells:
        outputs = []
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                outputs.append(out)
                continue
            snapshot, interactive = _widget_snapshot(view["model_id"], state)
            outputs.extend(snapshot)
            count += interactive
        if cell.cell_type == "code":
            cell.outputs = outputs
    nb.metadata.pop("widgets", None)  # no widget manager to load from a CDN
    return count


def count_figures(nb: Any) -> int:
    """Image outputs of an executed notebook (each becomes an ``<img>`` on its page)."""
    return sum(
        1 for cell in nb.cells for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    )


def execute(path: Path) -> tuple[Any, str | None, float]:
    """Run a notebook in a fresh kernel; the executed notebook, an error or None, seconds."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT_S,
                            resources={"metadata": {"path": str(path.parent)}})
    start, error = time.perf_counter(), None
    try:
        client.execute(stderr=subprocess.DEVNULL)  # kernel start-up noise, not cell output
    except CellExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue}"
    return nb, error, time.perf_counter() - start


def _nav(pages: list[dict[str, Any]], i: int) -> str:
    links = ['<a href="index.html">contents</a>']
    if i > 0:
        links.insert(0, f'<a href="{pages[i - 1]["page"]}">&larr; {pages[i - 1]["title"]}</a>')
    if i + 1 < len(pages):
        links.append(f'<a href="{pages[i + 1]["page"]}">{pages[i + 1]["title"]} &rarr;</a>')
    return ('<nav style="font-family:sans-serif;margin:8px 0">'
            + " &middot; ".join(links) + "</nav>")


_REMOTE = re.compile(
    r"<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>|<link\b[^>]*\bhref=[\"']https?://[^>]*>",
    re.IGNORECASE,
)


def strip_remote(page: str) -> str:
    """Drop the scripts and stylesheets nbconvert loads from the web (require.js, MathJax).

    The pages must read the same with no network (a workshop room, a USB stick):
    widgets are already pictures, so require.js has nothing to load, and the
    course writes no TeX, so MathJax has nothing to typeset. Links a reader
    clicks (``<a href>``) stay.
    """
    return _REMOTE.sub("", page)


def _insert_after_body(page: str, snippet: str) -> str:
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + snippet, page, count=1)


def write_index(out: Path, pages: list[dict[str, Any]]) -> None:
    """``index.html``: the course in order."""
    rows = "".join(
        f'<li><a href="{p["page"]}">{html.escape(p["title"])}</a>'
        + (" <small>(sliders shown as pictures)</small>" if p["widgets"] else "")
        + "</li>"
        for p in pages
    )
    (out / "index.html").write_text(
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>actlab: the course'
        f'</title></head><body style="{STYLE}"><h1>Activation functions in TensorFlow 2 / '
        "Keras 3</h1><p>A static copy of the executed course. The live version, with "
        "sliders and exercises that answer back, opens with <code>make lab</code>.</p>"
        f"<ol start=\"0\">{rows}</ol></body></html>\n",
        encoding="utf-8",
    )


def build(out: Path, notebooks: list[Path]) -> list[dict[str, Any]]:
    """Execute and render ``notebooks`` into ``out``; raise SystemExit(1) if any failed."""
    import nbformat
    from nbconvert import HTMLExporter

    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    pages, rendered, failures = [], [], []
    for path in notebooks:
        nb, error, seconds = execute(path)
        widgets = freeze_widgets(nb)
        nbformat.write(nb, out / "notebooks" / path.name)
        title = title_of(nb, path.stem)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
        page = {"notebook": path.name, "page": f"{path.stem}.html", "title": title,
                "figures": count_figures(nb), "widgets": widgets,
                "seconds": round(seconds, 1), "error": error}
        pages.append(page)
        rendered.append(body)
        print(f"book: {path.name:32s} {seconds:6.1f} s  {page['figures']:2d} figures"
              + (f", {widgets} widgets shown as pictures" if widgets else "")
              + (f"  FAILED: {error}" if error else ""), flush=True)
        if error:
            failures.append(f"{path.name}: {error}")
    for i, (page, body) in enumerate(zip(pages, rendered, strict=True)):
        top = _nav(pages, i)
        if page["widgets"]:
            top += BANNER.format(cls=BANNER_CLASS, name=html.escape(page["notebook"]))
        (out / page["page"]).write_text(
            _insert_after_body(strip_remote(body), top), encoding="utf-8"
        )
    write_index(out, pages)
    (out / "book.json").write_text(json.dumps(pages, indent=1) + "\n")
    if failures:
        print("book: these notebooks raised (their pages show where):\n  "
              + "\n  ".join(failures), file=sys.stderr)
        raise SystemExit(1)
    return pages


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="tools/build_book.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "book")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="default: every notebooks/NN_*.ipynb in course order")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    # The kernels inherit this: offline, inline figures, progress kept out of the home.
    os.environ["ACTLAB_OFFLINE"] = "1"
    os.environ.pop("MPLBACKEND", None)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="actlab-book-") as tmp:
        os.environ["ACTLAB_PROGRESS_FILE"] = str(Path(tmp) / "progress.json")
        pages = build(args.out, [p.resolve() for p in notebooks])
    print(f"book: {len(pages)} pages in {args.out}/ ({time.perf_counter() - start:.0f} s); "
          f"open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
