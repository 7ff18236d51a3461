"""The package's layout: what README's "How the package is built" says is true.

Reads the source (no imports): public modules do not import other modules'
underscore names, and every listed module imports only modules listed above it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "actlab"


def _modules() -> dict[str, Path]:
    """``{module name: file}`` for actlab's modules (``exercises`` is its package)."""
    found = {p.stem: p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    found["exercises"] = PACKAGE / "exercises" / "__init__.py"
    for p in (PACKAGE / "exercises").glob("nb*.py"):
        found[f"exercises.{p.stem}"] = p
    return found


def _actlab_imports(path: Path) -> list[tuple[str, list[str], int]]:
    """``(imported actlab module, names imported from it, line)`` for every import in a file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside actlab.exercises
                out.append(("exercises", [a.name for a in node.names], node.lineno))
            elif node.module == "actlab":  # from actlab import catalog, _keras
                out.extend((a.name, [], node.lineno) for a in node.names)
            elif node.module and node.module.startswith("actlab."):
                module = node.module.split(".")[1]
                out.append((module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            out.extend(
                (a.name.split(".")[1], [], node.lineno)
                for a in node.names
                if a.name.startswith("actlab.")
            )
    return out


def _readme_order() -> list[str]:
    """The modules of README's "How the package is built" table, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### How the package is built", 1)[1].split("\n#", 1)[0]
    order: list[str] = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            order.extend(re.findall(r"`([a-z_]+)`", first_cell))
    return order


@pytest.mark.parametrize(
    "module", sorted(m for m in _modules() if not m.split(".")[-1].startswith("_"))
)
def test_public_modules_import_no_private_names_of_other_modules(module):
    """``from actlab.x import _y`` is reserved for private modules (private to private)."""
    me = module.split(".")[0]
    bad = [
        f"line {line}: from actlab.{imported} import {name}"
        for imported, names, line in _actlab_imports(_modules()[module])
        for name in names
        if name.startswith("_") and imported != me and not imported.startswith("_")
    ]
    assert not bad, f"actlab/{module}.py imports private names: {bad}"


def test_readme_lists_modules_that_exist_in_import_order():
    """Each listed module imports only modules listed above it (or its own package)."""
    order = _readme_order()
    modules = {m.split(".")[0] for m in _modules()}
    assert len(order) > 10 and set(order) <= modules, set(order) - modules
    rank = {m: i for i, m in enumerate(order)}
    # The one documented exception, both sides lazy: a passed check records progress.
    allowed = {("exercises", "progress"), ("exercises", "_progress")}
    upward = []
    for module, path in _modules().items():
        me = module.split(".")[0]
        if me not in rank:
            continue
        for imported, _names, line in _actlab_imports(path):
            if imported == me or (me, imported) in allowed or imported not in rank:
                continue
            if rank[imported] > rank[me]:
                upward.append(f"{module} line {line} imports {imported}")
    assert not upward, upward
