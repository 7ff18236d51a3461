"""The workshop kit: JupyterLab settings, the offline wheelhouse, the book (fast checks).

The slow end-to-end runs (a fresh clone installed from the wheelhouse with no
network, the book build) are in ``tests/workshop/`` and run by ``make test-workshop``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAB_OVERRIDES = ROOT / "etc" / "jupyterlab" / "actlab.json"
SCHEMAS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"


def _makefile_target(name: str) -> str:
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(name)}:.*?(?=^\S|\Z)", text, re.M | re.S)
    assert match, f"no {name} target in the Makefile"
    return match.group(0)


def test_lab_overrides_turn_news_and_update_checks_off():
    """The override names real settings of the installed JupyterLab, with valid values."""
    overrides = json.loads(LAB_OVERRIDES.read_text())
    assert overrides == {"@jupyterlab/apputils-extension:notification": {
        "checkForUpdates": False, "fetchNews": "false"}}
    for plugin, values in overrides.items():
        package, name = plugin.split(":")
        schema_file = SCHEMAS / package / f"{name}.json"
        if not schema_file.is_file():
            pytest.skip(f"no JupyterLab schemas in this environment ({schema_file})")
        props = json.loads(schema_file.read_text())["properties"]
        for key, value in values.items():
            assert key in props, f"{plugin} has no setting {key!r}"
            allowed = {c["const"] for c in props[key].get("oneOf", [])}
            assert value in allowed if allowed else isinstance(value, bool), (key, value)


def test_make_setup_installs_the_lab_overrides():
    """`make setup` copies the override into the venv's JupyterLab app settings."""
    assert "$(LAB_OVERRIDES)" in _makefile_target("setup").split("\n")[0]
    rule = _makefile_target("$(LAB_OVERRIDES)")
    assert "etc/jupyterlab/actlab.json" in rule
    assert re.search(r"^LAB_OVERRIDES\s*:=\s*\$\(VENV\)/share/jupyter/lab/settings/overrides\.d/",
                     (ROOT / "Makefile").read_text(), re.M)


def test_this_venv_has_the_lab_overrides_when_made_by_make_setup():
    """Under `make test` (the repo's .venv) the installed override is the repo's file."""
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("not running in this checkout's .venv (made by `make setup`)")
    installed = Path(sys.prefix) / "share/jupyter/lab/settings/overrides.d/actlab.json"
    assert installed.read_text() == LAB_OVERRIDES.read_text()
