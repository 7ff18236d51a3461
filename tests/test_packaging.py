"""Build files agree with each other and keep the course's promises."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import platform
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
TENSORFLOWS = {"tensorflow", "tensorflow-cpu"}
TEST_TOOLS = {"pytest", "nbval", "nbclient", "nbformat", "ruff", "playwright", "mlxtend"}


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _env_pip_requirements() -> list[str]:
    """The pip: section of environment.yml (a tiny parser: the file is ours and flat)."""
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip() == "- pip:")
    reqs = []
    for ln in lines[start + 1:]:
        if not ln.startswith("      - "):
            break
        reqs.append(ln.strip()[2:].strip())
    return reqs


def _norm(req: str) -> str:
    return re.sub(r"\s+", " ", req.strip()).lower()


def _name(req: str) -> str:
    """The normalised distribution name of a requirement string."""
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=;!~\[ ]", req.strip())[0]).lower()


def _floor(req: str) -> str:
    """The lower bound of a requirement's range ("keras>=3.14,<4" -> "3.14")."""
    match = re.search(r">=\s*([0-9][0-9.]*)", req.split(";")[0])
    assert match, f"{req!r} has no lower bound"
    return match.group(1)


def _declared() -> list[str]:
    """Every requirement the package declares: base, `cpu` and `dev` extras."""
    project = _pyproject()["project"]
    extras = project["optional-dependencies"]
    return project["dependencies"] + extras["cpu"] + extras["dev"]


def _oldest_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints" / "oldest.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[_name(name)] = version.strip()
    return pins


def test_environment_yml_matches_pyproject():
    """environment.yml installs pyproject's dependencies and its `cpu` extra, plus the package."""
    pip = _env_pip_requirements()
    assert pip[-1] == "-e ."
    project = _pyproject()["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["cpu"]
    assert sorted(map(_norm, pip[:-1])) == sorted(map(_norm, declared))


def test_environment_yml_uses_python_311():
    """The conda environment pins the Python the course is tested on."""
    assert "  - python=3.11" in (ROOT / "environment.yml").read_text().splitlines()


def test_dependencies_are_ranges_not_pins():
    """No == pins in the package (an environment file may pin for a workshop)."""
    deps = _declared()
    assert not [d for d in deps if "==" in d.split(";")[0]]
    names = {_name(d) for d in deps}
    assert {"keras", "matplotlib", "ipywidgets", "jupyterlab", "nbval", "scikit-learn"} <= names
    assert names >= TENSORFLOWS


def test_tensorflow_is_only_in_the_cpu_extra():
    """No hard TensorFlow requirement: an environment's own TensorFlow is never doubled."""
    project = _pyproject()["project"]
    assert not TENSORFLOWS & {_name(d) for d in project["dependencies"]}
    cpu = project["optional-dependencies"]["cpu"]
    assert {_name(d) for d in cpu} == TENSORFLOWS
    # The two markers are complements: exactly one applies on any platform.
    markers = sorted(d.split(";")[1].strip() for d in cpu)
    assert markers == ["sys_platform != 'linux' or platform_machine != 'x86_64'",
                       "sys_platform == 'linux' and platform_machine == 'x86_64'"]


def test_test_tools_are_an_extra_not_a_dependency():
    """pytest, nbval, ... come with `make setup` (extra `dev`), not with `pip install actlab`."""
    project = _pyproject()["project"]
    assert not TEST_TOOLS & {_name(d) for d in project["dependencies"]}
    assert {_name(d) for d in project["optional-dependencies"]["dev"]} == TEST_TOOLS
    assert '".[cpu,dev]"' in (ROOT / "Makefile").read_text()


def test_ipympl_is_not_required_because_no_notebook_uses_it():
    """ipympl is only needed by `%matplotlib widget`, which no notebook uses."""
    assert "ipympl" not in {_name(d) for d in _declared()}
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        assert "%matplotlib widget" not in nb.read_text(), nb.name


def test_oldest_constraints_pin_every_floor():
    """constraints/oldest.txt pins each declared dependency at its declared lower bound."""
    pins = _oldest_pins()
    declared = {_name(d): _floor(d) for d in _declared()}
    assert set(pins) == set(declared)
    for name, floor in declared.items():
        assert Version(pins[name]) == Version(floor), (
            f"{name}: pyproject says >={floor}, constraints/oldest.txt pins {pins[name]}")


def test_doctor_minimums_are_the_declared_floors():
    """actlab.doctor() flags exactly what pyproject.toml refuses."""
    from actlab.diagnostics import _MIN_VERSIONS

    declared = {_name(d): _floor(d) for d in _declared()}
    for name, minimum in _MIN_VERSIONS.items():
        assert declared[name].split(".")[:2] == [str(v) for v in minimum], name


def test_tensorflow_range_is_the_same_everywhere():
    """The import error, doctor and setup check quote the range the `cpu` extra declares."""
    import actlab
    from actlab import diagnostics

    cpu = _pyproject()["project"]["optional-dependencies"]["cpu"]
    ranges = {re.sub(r"^[a-z-]+", "", d.split(";")[0].strip()) for d in cpu}
    assert ranges == {actlab._TENSORFLOW_RANGE} == {">=2.16.1,<3"}
    assert actlab._TENSORFLOW_RANGE in (ROOT / "etc" / "setup_check.py").read_text()
    assert actlab._TENSORFLOW_RANGE in Path(diagnostics.__file__).read_text()


def _wheel(folder: Path, name: str, version: str, requires: list[str] = (),
           extras: dict[str, list[str]] | None = None) -> None:
    """Write a tiny installable wheel that only carries metadata."""
    dist = f"{re.sub(r'[-.]+', '_', name)}-{version}"
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    for extra, reqs in (extras or {}).items():
        lines.append(f"Provides-Extra: {extra}")
        for r in reqs:
            req, _, marker = r.partition(";")
            cond = f"({marker.strip()}) and extra == '{extra}'" if marker else f"extra == '{extra}'"
            lines.append(f"Requires-Dist: {req.strip()} ; {cond}")
    files = {
        f"{dist}.dist-info/METADATA": "\n".join(lines) + "\n",
        f"{dist}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: actlab-test\n"
                                   "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist}.dist-info/RECORD,,")
    files[f"{dist}.dist-info/RECORD"] = "\n".join(record) + "\n"
    with zipfile.ZipFile(folder / f"{dist}-py3-none-any.whl", "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)


@pytest.fixture(scope="module")
def stub_index(tmp_path_factory):
    """A local find-links folder: actlab's declared metadata, every dependency as a stub.

    Dependencies are metadata-only wheels at their floor version, TensorFlow also
    at 2.21.0, so pip's real resolver runs offline (--no-index) in a second or two.
    """
    folder = tmp_path_factory.mktemp("wheels")
    project = _pyproject()["project"]
    _wheel(folder, "actlab", project["version"], project["dependencies"],
           project["optional-dependencies"])
    for name, version in _oldest_pins().items():
        _wheel(folder, name, version)
    for name in TENSORFLOWS:
        _wheel(folder, name, "2.21.0")
    # The declaration this design replaced (kept as the test's control): TensorFlow as a
    # base dependency, the CPU wheel on Linux x86-64.
    _wheel(folder, "oldlab", "0.1.0", [
        "tensorflow-cpu>=2.16,<3; sys_platform == 'linux' and platform_machine == 'x86_64'",
        "tensorflow>=2.16,<3; sys_platform != 'linux' or platform_machine != 'x86_64'",
    ])
    return folder


def _resolve(folder: Path, *requirements: str) -> dict[str, str]:
    """What `pip install --dry-run` would install into an empty environment: {name: version}."""
    report = folder.parent / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--isolated", "--disable-pip-version-check", "install",
         "--dry-run", "--ignore-installed", "--no-index", "--find-links", str(folder),
         "--report", str(report), "--quiet", *requirements],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installs = json.loads(report.read_text())["install"]
    return {_name(i["metadata"]["name"]): i["metadata"]["version"] for i in installs}


@pytest.mark.skipif(importlib.util.find_spec("pip") is None, reason="needs pip")
def test_dry_run_with_plain_tensorflow_resolves_one_tensorflow(stub_index):
    """A user with plain tensorflow: `pip install "tensorflow==2.21.*" actlab` adds no CPU wheel."""
    got = _resolve(stub_index, "tensorflow==2.21.*", "actlab")
    assert set(got) & TENSORFLOWS == {"tensorflow"} and got["tensorflow"] == "2.21.0"
    assert not TEST_TOOLS & set(got) and "actlab" in got


@pytest.mark.skipif(importlib.util.find_spec("pip") is None, reason="needs pip")
def test_dry_run_of_make_setup_resolves_one_tensorflow(stub_index):
    """make setup's install (extras cpu and dev) resolves exactly one TensorFlow."""
    got = _resolve(stub_index, "actlab[cpu,dev]")
    linux_x86 = sys.platform == "linux" and platform.machine() == "x86_64"
    assert set(got) & TENSORFLOWS == {"tensorflow-cpu" if linux_x86 else "tensorflow"}
    assert set(got) >= TEST_TOOLS


@pytest.mark.skipif(importlib.util.find_spec("pip") is None, reason="needs pip")
def test_dry_run_control_old_declaration_resolved_two_tensorflows(stub_index):
    """The check can fail: a hard tensorflow-cpu requirement next to plain tensorflow gives two."""
    if not (sys.platform == "linux" and platform.machine() == "x86_64"):
        pytest.skip("the old declaration only doubled TensorFlow on Linux x86-64")
    got = _resolve(stub_index, "tensorflow==2.21.*", "oldlab")
    assert set(got) & TENSORFLOWS == TENSORFLOWS


def test_import_without_tensorflow_says_how_to_install_it():
    """`import actlab` in a Python without TensorFlow fails with the fix, not a Keras trace."""
    proc = subprocess.run([sys.executable, "-S", "-c", "import actlab"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1
    err = proc.stderr.strip().splitlines()[-1]
    assert err.startswith("ImportError: actlab needs TensorFlow (>=2.16.1,<3)")
    assert "make setup" in err and 'pip install "tensorflow>=2.16.1,<3"' in err


def _setup_check():
    spec = importlib.util.spec_from_file_location("setup_check", ROOT / "etc" / "setup_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_setup_refuses_a_python_without_final_tensorflow_wheels():
    """On 3.14 (no final TensorFlow wheel) setup names the versions that work, never an rc."""
    check = _setup_check()
    assert check.python_problem("3.11") == ""
    message = check.python_problem("3.14", [("python3.11", "3.11"), ("python3.14", "3.14")])
    assert "3.11, 3.12, 3.13" in message and "make setup PYTHON=python3.11" in message
    assert "python3.14" not in message.split("Installed here:")[1]
    assert "Install Python 3.11" in check.python_problem("3.10")
    # the README names the same versions
    readme = (ROOT / "README.md").read_text()
    assert "Python 3.11, 3.12 or 3.13" in readme


def test_setup_refuses_a_prerelease_or_a_second_tensorflow():
    """After the install: exactly one TensorFlow distribution, and a final release."""
    check = _setup_check()
    assert check.installed_problem({"tensorflow-cpu": "2.21.0"}) == ""
    assert "pre-release" in check.installed_problem({"tensorflow-cpu": "2.22.0rc0"})
    assert "2 TensorFlow distributions" in check.installed_problem(
        {"tensorflow": "2.21.0", "tensorflow-cpu": "2.21.0"})
    assert "no TensorFlow" in check.installed_problem({})


def test_setup_checks_python_before_creating_the_venv():
    """Both venvs are created only after the Python check passed."""
    text = (ROOT / "Makefile").read_text()
    assert text.count("etc/setup_check.py python && $(PYTHON) -m venv") == 2
    assert text.count("etc/setup_check.py installed") == 2


def _target(name: str) -> str:
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{name}:.*?(?=^\S|\Z)", text, re.M | re.S)
    assert match, f"no {name} target"
    return match.group(0)


def test_make_lab_is_local_with_token():
    """make lab binds 127.0.0.1 and never disables the token or opens all interfaces."""
    lab = _target("lab")
    assert "--ServerApp.ip=127.0.0.1" in lab and "/lab/tree/00_start_here.ipynb" in lab
    text = (ROOT / "Makefile").read_text()
    for forbidden in ("token=''", 'token=""', "token= ", "0.0.0.0", "disable_check_xsrf",
                      "password=''"):
        assert forbidden not in text


def test_make_test_runs_unit_tests_and_notebooks():
    """make test sets up, then runs tests/ and nbval over notebooks/."""
    assert _target("test").split(":")[1].split() == ["setup", "test-unit", "test-notebooks"]
    assert "--nbval-lax" in _target("test-notebooks") and "--nbval-current-env" in _target(
        "test-notebooks")


def test_setup_is_idempotent_and_tracks_pyproject():
    """The setup stamp depends on pyproject.toml, so edits re-install and repeats are no-ops."""
    text = (ROOT / "Makefile").read_text()
    assert re.search(r"^\$\(STAMP\): pyproject.toml", text, re.M)
    assert "python3 -m venv" in text or "$(PYTHON) -m venv" in text


def test_make_test_oldest_uses_the_floor_constraints():
    """make test-oldest installs with constraints/oldest.txt into its own venv, runs tests/."""
    text = (ROOT / "Makefile").read_text()
    assert re.search(r"^\$\(OLDEST_STAMP\): pyproject.toml constraints/oldest.txt", text, re.M)
    assert "-c constraints/oldest.txt" in text
    # its own stamp: with VENV=$(OLDEST_VENV), setup and the oldest install stay two rules
    assert "OLDEST_STAMP := $(OLDEST_VENV)/.actlab-oldest-installed" in text
    assert "VENV=$(OLDEST_VENV) $(OLDEST_VENV)/bin/python -m pytest tests" in _target(
        "test-oldest")


def test_ci_runs_the_readme_test_command():
    """.ci/run calls `make test`, the command the README gives, then `make test-oldest`."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test\n" in ci and "make test-oldest" in ci
    assert ci.index("make test\n") < ci.index("make test-oldest")
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme


def test_results_and_envs_are_git_ignored():
    """The venv, bench results and browser screenshots stay out of git."""
    ignored = (ROOT / ".gitignore").read_text().split()
    assert {".venv/", "bench/results/", "artifacts/"} <= set(ignored)
