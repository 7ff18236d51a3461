"""The offline install kit: ``wheelhouse/`` with every wheel ``make setup`` installs.

Used by the Makefile (standard library only, so it runs before anything is installed)::

    python tools/wheelhouse.py download --dest wheelhouse -- -e ".[cpu,dev]"  # make wheelhouse
    python tools/wheelhouse.py verify wheelhouse                        # make setup, kit present
    python tools/wheelhouse.py install-mnist wheelhouse                 # make setup, kit present

``download`` (online) fetches the wheels of the requirements given, of the
project's build requirements and of pip, for this machine's Python and
platform, at the versions installed in the running environment when it has
them (the environment ``make test`` checked); it writes ``manifest.json``
(file, name, version, sha256 of every wheel) and copies a cached real MNIST
(``mnist.npz``, checked against the hash Keras expects) into the kit.
``verify`` stops, naming the file, when a wheel is missing, altered or not in
the manifest, or when the kit was built for another Python or platform.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = "manifest.json"
MNIST_FILE = "mnist.npz"
# The sha256 keras.datasets.mnist.load_data checks (keras/src/datasets/mnist.py).
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
HOW_TO_REBUILD = (
    "Rebuild the kit on a machine with internet: `make wheelhouse` (docs/instructors.md, "
    "'Offline install from a wheelhouse')."
)


class KitError(Exception):
    """The kit cannot be used; the message names the file and what to do."""


def sha256(path: Path) -> str:
    """The hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def target() -> dict[str, str]:
    """The Python and platform this machine installs wheels for."""
    return {
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "python_version": ".".join(map(str, sys.version_info[:3])),
        "implementation": sys.implementation.name,
        "platform": sys.platform,
        "machine": platform.machine().lower(),
    }


def wheel_name_version(filename: str) -> tuple[str, str]:
    """``("numpy", "2.4.0")`` from ``numpy-2.4.0-cp311-...whl`` (PEP 427 file names)."""
    if not filename.endswith(".whl") or filename.count("-") < 4:
        raise KitError(f"{filename} is not a wheel file name")
    name, version = filename.split("-")[:2]
    return re.sub(r"[-_.]+", "-", name).lower(), version


def mnist_cache_path() -> Path:
    """Keras's MNIST cache, as ``actlab.data.mnist_cache_path`` computes it."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / MNIST_FILE


def _frozen_constraints(python: str) -> list[str]:
    """``name==version`` of everything installed next to ``python`` (not editable ones)."""
    out = subprocess.run([python, "-m", "pip", "freeze", "--exclude-editable"],
                         capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if re.match(r"^[A-Za-z0-9][\w.-]*==\S+$", line)]


def build_requirements() -> list[str]:
    """``[build-system] requires`` of pyproject.toml (pip builds the editable install)."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(data["build-system"]["requires"])


def write_manifest(dest: Path) -> dict:
    """Hash every wheel in ``dest`` (and MNIST when present) into ``manifest.json``."""
    wheels = []
    for path in sorted(dest.glob("*.whl")):
        name, version = wheel_name_version(path.name)
        wheels.append({"file": path.name, "name": name, "version": version,
                       "sha256": sha256(path), "bytes": path.stat().st_size})
    manifest = {"target": target(), "wheels": wheels}
    mnist = dest / MNIST_FILE
    if mnist.is_file():
        manifest["mnist"] = {"file": MNIST_FILE, "sha256": sha256(mnist)}
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def copy_mnist(dest: Path, source: Path | None = None) -> bool:
    """Copy a cached real MNIST into the kit; False when there is none (or it is not real)."""
    source = source or mnist_cache_path()
    if not source.is_file():
        return False
    if sha256(source) != MNIST_SHA256:
        print(f"wheelhouse: {source} is not the MNIST file Keras expects; not copied.")
        return False
    shutil.copyfile(source, dest / MNIST_FILE)
    return True


def download(dest: Path, requirements: list[str]) -> dict:
    """Download the wheels into ``dest``, copy MNIST, write the manifest; print the size."""
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("*.whl"):  # a kit holds one consistent set
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp) / "constraints.txt"
        constraints.write_text("\n".join(_frozen_constraints(sys.executable)) + "\n")
        cmd = [sys.executable, "-m", "pip", "download", "--dest", str(dest),
               "--only-binary=:all:", "--progress-bar", "off", "-c", str(constraints),
               "pip", *build_requirements(), *(r for r in requirements if r != "-e")]
        print("wheelhouse: " + " ".join(cmd[3:]))
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    for stray in dest.glob("actlab-*"):  # the course itself is installed from the clone
        stray.unlink()
    has_mnist = copy_mnist(dest)
    manifest = write_manifest(dest)
    size = sum(p.stat().st_size for p in dest.iterdir() if p.is_file())
    print(f"wheelhouse: {len(manifest['wheels'])} wheels"
          + (" + MNIST" if has_mnist else " (no cached MNIST to include: run "
             "`python -m actlab fetch-mnist` first to add it)")
          + f", {size / 1e6:.0f} MB in {dest}/ for Python {manifest['target']['python']} "
            f"on {manifest['target']['platform']} {manifest['target']['machine']}")
    return manifest


def verify(dest: Path) -> dict:
    """Check the kit against its manifest; raise :class:`KitError` naming the bad file."""
    path = dest / MANIFEST
    try:
        manifest = json.loads(path.read_text())
        listed = {w["file"]: w for w in manifest["wheels"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KitError(f"{path} is missing or unreadable ({exc}). {HOW_TO_REBUILD}") from None
    built_for, here = manifest.get("target", {}), target()
    for key in ("python", "implementation", "platform", "machine"):
        if built_for.get(key) != here[key]:
            raise KitError(
                f"{dest}/ was built for {built_for.get('implementation')} "
                f"{built_for.get('python')} on {built_for.get('platform')} "
                f"{built_for.get('machine')}; this machine is {here['implementation']} "
                f"{here['python']} on {here['platform']} {here['machine']}. Build a kit "
                f"on a machine like this one (or see 'When platforms differ' in "
                f"docs/instructors.md).")
    built_with = tuple(int(v) for v in built_for.get("python_version", "0").split("."))
    if sys.version_info[:3] < built_with:  # a wheel may need it (soupsieve: >=3.11.5)
        raise KitError(
            f"{dest}/ was built with Python {built_for['python_version']}; this machine has "
            f"{here['python_version']}, older, and some wheels in the kit may refuse it. "
            f"Build the kit with the oldest Python {here['python']} in the room, or update "
            f"this machine's Python.")
    for wheel in sorted(dest.glob("*.whl")):
        if wheel.name not in listed:
            raise KitError(f"{wheel} is not in {path}: remove it or rebuild the kit. "
                           f"{HOW_TO_REBUILD}")
    for name, entry in listed.items():
        wheel = dest / name
        if not wheel.is_file():
            raise KitError(f"{wheel} is missing from the kit (listed in {path}). "
                           f"Copy the whole {dest}/ folder again. {HOW_TO_REBUILD}")
        if sha256(wheel) != entry["sha256"]:
            raise KitError(f"{wheel} does not match its sha256 in {path} (damaged or "
                           f"replaced). Copy the whole {dest}/ folder again. {HOW_TO_REBUILD}")
    if "mnist" in manifest and sha256(dest / MNIST_FILE) != manifest["mnist"]["sha256"]:
        raise KitError(f"{dest / MNIST_FILE} does not match its sha256 in {path}.")
    return manifest


def install_mnist(dest: Path, cache: Path | None = None) -> str:
    """Copy the kit's MNIST into Keras's cache; return what was done (one line)."""
    source, cache = dest / MNIST_FILE, cache or mnist_cache_path()
    if not source.is_file():
        return ("no MNIST in the kit: notebooks use the offline digits fallback "
                "(see docs/instructors.md)")
    if cache.is_file() and sha256(cache) == MNIST_SHA256:
        return f"MNIST already in Keras's cache ({cache})"
    if sha256(source) != MNIST_SHA256:
        raise KitError(f"{source} is not the MNIST file Keras expects (sha256 differs).")
    cache.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, cache)
    return f"MNIST installed into Keras's cache ({cache})"


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="tools/wheelhouse.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    get = sub.add_parser("download", help="download the wheels (online)")
    get.add_argument("--dest", type=Path, default=ROOT / "wheelhouse")
    get.add_argument("requirements", nargs="+",
                     help='what make setup installs, after --: -- -e ".[cpu,dev]"')
    for name in ("verify", "install-mnist"):
        sub.add_parser(name).add_argument("kit", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "download":
            download(args.dest, args.requirements)
        elif args.command == "verify":
            manifest = verify(args.kit)
            print(f"setup: installing from {args.kit}/ with no package index "
                  f"({len(manifest['wheels'])} wheels verified against {MANIFEST})")
        else:
            print(f"setup: {install_mnist(args.kit)}")
    except KitError as exc:
        print(f"wheelhouse: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"wheelhouse: pip failed ({exc}); `make wheelhouse` needs the package index "
              f"once.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
