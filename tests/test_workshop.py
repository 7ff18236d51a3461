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
            # JupyterLab 4.2 lists the choices as "enum", later versions as "oneOf".
            allowed = {c["const"] for c in props[key].get("oneOf", [])} | set(
                props[key].get("enum", []))
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


# --- the offline kit (tools/wheelhouse.py); the end-to-end run is tests/workshop/ ---

def _wheelhouse():
    import importlib.util

    spec = importlib.util.spec_from_file_location("wheelhouse", ROOT / "tools" / "wheelhouse.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def kit(tmp_path):
    wh = _wheelhouse()
    dest = tmp_path / "wheelhouse"
    dest.mkdir()
    (dest / "numpy-2.4.0-cp311-cp311-manylinux_2_28_x86_64.whl").write_bytes(b"numpy wheel")
    (dest / "tqdm-4.67.1-py3-none-any.whl").write_bytes(b"tqdm wheel")
    wh.write_manifest(dest)
    return wh, dest


def test_manifest_lists_name_version_and_hash(kit):
    wh, dest = kit
    manifest = json.loads((dest / "manifest.json").read_text())
    assert [(w["name"], w["version"]) for w in manifest["wheels"]] == [
        ("numpy", "2.4.0"), ("tqdm", "4.67.1")]
    import hashlib
    assert manifest["wheels"][1]["sha256"] == hashlib.sha256(b"tqdm wheel").hexdigest()
    assert wh.verify(dest)["target"] == wh.target()


def test_altered_wheel_stops_naming_the_file(kit):
    wh, dest = kit
    (dest / "tqdm-4.67.1-py3-none-any.whl").write_bytes(b"tampered")
    with pytest.raises(wh.KitError, match=r"tqdm-4\.67\.1-py3-none-any\.whl does not match"):
        wh.verify(dest)


def test_missing_wheel_stops_naming_the_file(kit):
    wh, dest = kit
    (dest / "numpy-2.4.0-cp311-cp311-manylinux_2_28_x86_64.whl").unlink()
    with pytest.raises(wh.KitError, match=r"numpy-2\.4\.0-.*\.whl is missing from the kit"):
        wh.verify(dest)


def test_unlisted_wheel_stops_naming_the_file(kit):
    wh, dest = kit
    (dest / "evil-1.0-py3-none-any.whl").write_bytes(b"?")
    with pytest.raises(wh.KitError, match=r"evil-1\.0-py3-none-any\.whl is not in"):
        wh.verify(dest)


def test_kit_for_another_platform_or_older_python_stops(kit):
    wh, dest = kit
    manifest = json.loads((dest / "manifest.json").read_text())
    (dest / "manifest.json").write_text(json.dumps(
        {**manifest, "target": {**manifest["target"], "platform": "darwin"}}))
    with pytest.raises(wh.KitError, match=r"built for .* on darwin"):
        wh.verify(dest)
    newer = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro + 1}"
    (dest / "manifest.json").write_text(json.dumps(
        {**manifest, "target": {**manifest["target"], "python_version": newer}}))
    with pytest.raises(wh.KitError, match=rf"built with Python {re.escape(newer)}"):
        wh.verify(dest)


def test_verify_command_exits_1_with_the_file_name(kit):
    import subprocess

    _, dest = kit
    (dest / "manifest.json").unlink()
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "wheelhouse.py"), "verify",
                           str(dest)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "manifest.json is missing" in proc.stderr


def test_mnist_goes_into_the_kit_and_into_keras_cache(kit, tmp_path, monkeypatch):
    wh, dest = kit
    fake = tmp_path / "cache-src" / "mnist.npz"
    fake.parent.mkdir()
    fake.write_bytes(b"pretend mnist")
    assert not wh.copy_mnist(dest, fake), "a file with the wrong hash must not be copied"
    monkeypatch.setattr(wh, "MNIST_SHA256", wh.sha256(fake))
    assert wh.copy_mnist(dest, fake)
    assert "mnist" in wh.write_manifest(dest)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    message = wh.install_mnist(dest)
    assert message.startswith("MNIST installed into Keras's cache")
    assert (tmp_path / "keras" / "datasets" / "mnist.npz").read_bytes() == b"pretend mnist"
    assert "already" in wh.install_mnist(dest)


def test_kit_without_mnist_says_so(kit):
    wh, dest = kit
    assert "no MNIST in the kit" in wh.install_mnist(dest)


def _dry_run_setup(tmp_path, with_kit: bool) -> list[str]:
    import shutil
    import subprocess

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "etc" / "jupyterlab").mkdir(parents=True)
    (tmp_path / "etc" / "jupyterlab" / "actlab.json").write_text("{}")
    if with_kit:
        (tmp_path / "wheelhouse").mkdir()
        (tmp_path / "wheelhouse" / "manifest.json").write_text("{}")
    proc = subprocess.run(["make", "-n", "setup"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_setup_with_a_kit_verifies_then_installs_with_no_index(tmp_path):
    lines = _dry_run_setup(tmp_path, with_kit=True)
    verify = next(i for i, ln in enumerate(lines) if "wheelhouse.py verify wheelhouse" in ln)
    pips = [i for i, ln in enumerate(lines) if "-m pip install" in ln]
    assert pips and verify < min(pips)
    assert all("--no-index --find-links wheelhouse" in lines[i] for i in pips)
    assert any("wheelhouse.py install-mnist wheelhouse" in ln for ln in lines[max(pips):])


def test_setup_without_a_kit_uses_the_index(tmp_path):
    lines = _dry_run_setup(tmp_path, with_kit=False)
    assert not any("wheelhouse" in ln for ln in lines)
    assert any("-m pip install" in ln for ln in lines)


def test_wheelhouse_downloads_what_setup_installs():
    """`make wheelhouse` passes setup's own requirement list; the kit stays out of git."""
    assert "$(SETUP_REQS)" in _makefile_target("$(STAMP)")
    assert "tools/wheelhouse.py download --dest wheelhouse -- $(SETUP_REQS)" in \
        _makefile_target("wheelhouse")
    assert "wheelhouse/" in (ROOT / ".gitignore").read_text().split()


def test_workshop_target_runs_the_kit_and_book_tests():
    target = _makefile_target("test-workshop")
    assert target.split("\n")[0].split(":")[1].split() == ["wheelhouse"]
    assert "ACTLAB_WORKSHOP_TESTS=1" in target and "tests/workshop" in target
    assert "tools/build_book.py" in _makefile_target("book")
    assert "make test-workshop" in (ROOT / ".ci" / "run").read_text()


# --- what the README says about conda / Binder (the build itself is not run here) ---

def test_environment_yml_parses_and_installs_pyprojects_requirements():
    """environment.yml is valid YAML; its pip section: pyproject's requirements + the course."""
    import tomllib

    yaml = pytest.importorskip("yaml")  # PyYAML comes with JupyterLab (jupyter-events)
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["name"] == "actlab" and "conda-forge" in env["channels"]
    deps = env["dependencies"]
    assert "pip" in deps and any(str(d).startswith("python=3.") for d in deps)
    pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    editable = [r for r in pip if r.startswith("-e ")]
    assert len(editable) == 1, pip
    extras = re.fullmatch(r"-e \.(?:\[([\w,-]+)\])?", editable[0])
    assert extras, editable[0]
    for extra in filter(None, (extras.group(1) or "").split(",")):
        assert extra in project.get("optional-dependencies", {}), extra

    def norm(req: str) -> str:
        return re.sub(r"\s+", "", req).lower()

    # TensorFlow comes from the `cpu` extra (one TensorFlow per platform, never two).
    declared = project["dependencies"] + project.get("optional-dependencies", {}).get("cpu", [])
    assert sorted(map(norm, (r for r in pip if not r.startswith("-e ")))) == sorted(
        map(norm, declared))


# --- the instructor's guide agrees with the course map ---

def _table_after(text: str, heading: str) -> list[list[str]]:
    """Rows (cells stripped) of the first Markdown table after ``heading``."""
    rest = text[text.index(heading):]
    rows = []
    for line in rest.splitlines()[1:]:
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            break
    return [r for r in rows[1:] if not set("".join(r)) <= set("-: ")]


def test_guide_is_linked_and_uses_the_course_maps_minutes():
    readme = (ROOT / "README.md").read_text()
    guide = (ROOT / "docs" / "instructors.md").read_text()
    assert "(docs/instructors.md)" in readme
    course_map = {r[0]: int(r[-1]) for r in _table_after(readme, "## The course map")}
    times = {r[0]: int(r[2]) for r in _table_after(guide, "## Time:") if r[0]}
    assert times == course_map
    total = next(r for r in _table_after(guide, "## Time:") if not r[0])
    assert total[2] == f"**{sum(course_map.values())}**"


def _minutes(cell: str) -> int:
    return sum(int(n) for n in re.findall(r"\d+", cell))


def test_schedules_add_up():
    """The 3-hour schedule fills 180 minutes, the full day 450; every slot starts on time."""
    guide = (ROOT / "docs" / "instructors.md").read_text()
    for heading, length, first in (("### A 3-hour session", 180, "0:00"),
                                   ("### A full day", 450, "09:00")):
        rows = _table_after(guide, heading)
        h, m = map(int, first.split(":"))
        clock = h * 60 + m
        for start, minutes, _what in rows[:-1]:
            sh, sm = map(int, start.split(":"))
            assert sh * 60 + sm == clock, (heading, start)
            clock += _minutes(minutes)
        assert clock - (h * 60 + m) == length, heading
        end_h, end_m = map(int, rows[-1][0].split(":"))
        assert end_h * 60 + end_m == clock and "end" in rows[-1][2], heading


def test_book_pages_drop_scripts_and_styles_from_the_web():
    """nbconvert's page pulls require.js and MathJax from a CDN; the book keeps none of it."""
    import importlib.util

    import nbformat
    from nbconvert import HTMLExporter

    spec = importlib.util.spec_from_file_location("build_book", ROOT / "tools" / "build_book.py")
    build_book = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_book)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("See [the paper](https://arxiv.org/abs/2412.06829).")]
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    remote = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=[\"']https?://", re.I)
    assert remote.search(body), "control: nbconvert's page does load from the web"
    page = build_book.strip_remote(body)
    assert not remote.search(page)
    assert 'href="https://arxiv.org/abs/2412.06829"' in page  # links a reader clicks stay
    assert len(body) - len(page) < 1000  # only the tags went
