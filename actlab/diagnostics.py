"""``actlab.doctor()``: is this machine ready for the course? Each problem comes with a fix.

Also available from a shell as ``python -m actlab doctor`` (exit code 1 when a
required check fails).
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import os
import platform
import re
import sys
from dataclasses import dataclass

__all__ = ["Check", "doctor", "run_checks"]


@dataclass(frozen=True)
class Check:
    """One line of the report.

    Attributes:
        name: What was checked.
        ok: True when fine. None for information only.
        detail: What was found.
        fix: What to do when not ok (empty when ok).
        required: A failed required check makes ``python -m actlab doctor`` exit 1.
    """

    name: str
    ok: bool | None
    detail: str
    fix: str = ""
    required: bool = True


# The floors of pyproject.toml (tests/test_packaging.py checks that they agree).
_MIN_VERSIONS = {
    "keras": (3, 14),
    "tensorflow": (2, 16),
    "ipywidgets": (8, 1),
    "jupyterlab": (4, 2),
    "matplotlib": (3, 10),
}


def _version_tuple(v: str) -> tuple[int, ...]:
    parts = []
    for p in v.split(".")[:2]:
        digits = "".join(ch for ch in p if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _dist_version(*names: str) -> str | None:
    for name in names:
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            continue
    return None


# Distributions that install the same `tensorflow` package directory.
_TENSORFLOW_DISTS = ("tensorflow", "tensorflow-cpu", "tensorflow-intel", "tensorflow-macos")


def _tensorflow_check() -> Check:
    """Exactly one TensorFlow distribution, a final release in the supported range."""
    found = {d: v for d in _TENSORFLOW_DISTS if (v := _dist_version(d)) is not None}
    if len(found) > 1:
        listed = ", ".join(f"{d} {v}" for d, v in sorted(found.items()))
        keep = "tensorflow" if "tensorflow" in found else sorted(found)[0]
        others = " ".join(d for d in sorted(found) if d != keep)
        return Check("tensorflow", False,
                     f"{len(found)} distributions installed ({listed}); they write the "
                     "same files, so the one imported is whichever was installed last",
                     f"keep one: `pip uninstall {others}`, then "
                     f"`pip install --force-reinstall --no-deps {keep}=={found[keep]}`")
    if not found:
        return Check("tensorflow", False, "not installed (actlab does not install it: "
                     "your environment may already have its own)",
                     "run `make setup`, or in your environment "
                     "`pip install 'tensorflow>=2.16.1,<3'` (one TensorFlow only)")
    (dist, version), = found.items()
    check = _package_check("tensorflow", version)
    if check.ok and re.search(r"(a|b|rc|dev)\d*$", version):
        return Check("tensorflow", False, f"{dist} {version} is a pre-release",
                     "use a Python with final TensorFlow wheels (3.11 to 3.13) and "
                     "`make clean setup`")
    return check


def _package_check(name: str, version: str | None = None) -> Check:
    version = version or _dist_version(name)
    minimum = _MIN_VERSIONS[name]
    want = ".".join(map(str, minimum))
    if version is None:
        return Check(name, False, "not installed",
                     f"run `make setup` (or `pip install -e .` in your environment) "
                     f"to install {name}")
    if _version_tuple(version) < minimum:
        return Check(name, False, f"{version} (need >= {want})",
                     f"upgrade it: `pip install -U '{name}>={want}'`, or `make clean setup`")
    return Check(name, True, version)


def _backend_check() -> Check:
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if backend != "tensorflow":
        return Check("Keras backend", False, backend,
                     "the course uses TensorFlow: unset KERAS_BACKEND or set it to tensorflow")
    return Check("Keras backend", True, backend)


def _devices_check() -> Check:
    try:
        from actlab._keras import tf

        t = tf()
        gpus = t.config.list_physical_devices("GPU")
    except Exception as exc:  # noqa: BLE001 - report any import failure with its fix
        return Check("TensorFlow import", False, f"{type(exc).__name__}: {exc}"[:200],
                     "reinstall the environment: `make clean setup`")
    cpus = os.cpu_count() or 1
    where = f"{len(gpus)} GPU(s)" if gpus else "CPU only (fine: every notebook is sized for a CPU)"
    return Check("devices", None, f"{cpus} CPU core(s); {where}", required=False)


def _widgets_check() -> Check:
    """The JupyterLab front-end for ipywidgets: the jupyterlab_widgets labextension."""
    version = _dist_version("jupyterlab_widgets", "jupyterlab-widgets")
    if version is None:
        return Check("widgets front-end", False,
                     "jupyterlab_widgets is missing: sliders would show as text "
                     "like IntSlider(...)",
                     "`pip install 'ipywidgets>=8.1'` in the environment JupyterLab runs from, "
                     "then restart JupyterLab and reload the page")
    try:
        from jupyterlab_widgets import _jupyter_labextension_paths  # type: ignore[attr-defined]

        paths = _jupyter_labextension_paths()
        ext = "registered" if paths else "not registered"
    except Exception:  # noqa: BLE001 - older layouts: the version alone is evidence enough
        ext = "installed"
    ok = ext != "not registered"
    return Check("widgets front-end", ok, f"jupyterlab_widgets {version} ({ext})",
                 "" if ok else "reinstall: `pip install --force-reinstall jupyterlab_widgets`")


def _dataset_check() -> Check:
    from actlab.data import mnist_cache_path

    path = mnist_cache_path()
    if path.exists():
        return Check("MNIST", True, f"cached at {path}", required=False)
    return Check(
        "MNIST", None,
        f"not cached at {path}: notebooks will download it when online, or use the "
        "built-in fallback (scikit-learn's digits) when offline",
        "to work offline with real MNIST, run once while online: "
        "`python -m actlab fetch-mnist` (see README, 'Workshops and offline use')",
        required=False,
    )


def run_checks() -> list[Check]:
    """Run every check and return the results (no printing)."""
    checks = [Check("Python", sys.version_info >= (3, 11),
                    f"{platform.python_version()} at {sys.executable}",
                    "the course needs Python 3.11 or newer")]
    checks += [_tensorflow_check() if name == "tensorflow" else _package_check(name)
               for name in _MIN_VERSIONS]
    checks += [_backend_check(), _devices_check(), _widgets_check(), _dataset_check()]
    try:
        importlib.import_module("sklearn")
        checks.append(Check("scikit-learn (offline data)", True,
                            _dist_version("scikit-learn") or "installed"))
    except ImportError:
        checks.append(Check("scikit-learn (offline data)", False, "not installed",
                            "`pip install scikit-learn` (or `make setup`)"))
    return checks


def _symbol(ok: bool | None) -> str:
    return {True: "ok  ", False: "FAIL", None: "info"}[ok]


def doctor(*, verbose: bool = True) -> bool:
    """Check the environment: versions, CPU/GPU, widgets front-end, datasets.

    Prints one line per check and, for each problem, what to do about it.

    Args:
        verbose: Print the report (otherwise only return the verdict).

    Returns:
        True when every required check passed.
    """
    checks = run_checks()
    if verbose:
        width = max(len(c.name) for c in checks)
        for c in checks:
            print(f"[{_symbol(c.ok)}] {c.name.ljust(width)}  {c.detail}")
            if c.ok is False or (c.ok is None and c.fix):
                print(f"       {' ' * width}  -> {c.fix}")
    ok = all(c.ok is not False for c in checks if c.required)
    if verbose:
        print("\nAll set: the course should run." if ok else
              "\nSome required checks failed: apply the fixes above, then run doctor again.")
    return ok
