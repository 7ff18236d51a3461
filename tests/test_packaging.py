"""Build files agree with each other and keep the course's promises."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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


def test_environment_yml_matches_pyproject():
    """environment.yml installs exactly pyproject's dependencies, plus the package itself."""
    pip = _env_pip_requirements()
    assert pip[-1] == "-e ."
    declared = _pyproject()["project"]["dependencies"]
    assert sorted(map(_norm, pip[:-1])) == sorted(map(_norm, declared))


def test_environment_yml_uses_python_311():
    """The conda environment pins the Python the course is tested on."""
    assert "  - python=3.11" in (ROOT / "environment.yml").read_text().splitlines()


def test_dependencies_are_ranges_not_pins():
    """No == pins in the package (an environment file may pin for a workshop)."""
    deps = _pyproject()["project"]["dependencies"] + _pyproject()["project"][
        "optional-dependencies"]["dev"]
    assert not [d for d in deps if "==" in d.split(";")[0]]
    names = {re.split(r"[<>=;! ]", d)[0] for d in deps}
    assert {"keras", "matplotlib", "ipywidgets", "jupyterlab", "nbval", "scikit-learn"} <= names
    assert {"tensorflow", "tensorflow-cpu"} <= names


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


def test_ci_runs_the_readme_test_command():
    """.ci/run calls `make test`, the command the README gives."""
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme


def test_results_and_envs_are_git_ignored():
    """The venv, bench results and browser screenshots stay out of git."""
    ignored = (ROOT / ".gitignore").read_text().split()
    assert {".venv/", "bench/results/", "artifacts/"} <= set(ignored)
