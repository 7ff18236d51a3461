"""A fresh clone installs from the wheelhouse with no network, and the course works.

``make test-workshop`` builds ``wheelhouse/`` first (``make wheelhouse``, online);
this test then clones the repository into a temporary folder, copies the kit
in, and runs ``make setup`` and ``python -m actlab doctor`` inside a Linux
network namespace whose only interface is loopback: no route out, so any
attempt to reach the package index fails. pip's own configuration (this
machine's find-links, extra indexes) is switched off, as on a learner's laptop,
and HOME is a temporary folder (the MNIST cache and pip's cache go there).

Needs root and ``ip`` (iproute2). Without them the test is skipped, unless
``ACTLAB_REQUIRE_NETNS=1`` (set by ``.ci/run``), in which case it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "wheelhouse"
ARTIFACTS = ROOT / "artifacts" / "workshop"
SETUP_TIMEOUT_S = 1800


def _unavailable(reason: str) -> None:
    if os.environ.get("ACTLAB_REQUIRE_NETNS") == "1":
        pytest.fail(f"{reason} ACTLAB_REQUIRE_NETNS=1 requires this test to run.")
    pytest.skip(reason)


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def netns() -> Iterator[str]:
    if shutil.which("ip") is None:
        _unavailable("`ip` (iproute2) is not installed.")
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        _unavailable("creating a network namespace needs root.")
    name = f"actlab-offline-{uuid.uuid4().hex[:8]}"
    made = _run(["ip", "netns", "add", name])
    if made.returncode != 0:
        _unavailable(f"`ip netns add` failed: {made.stderr.strip()}")
    try:
        assert _run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"]).returncode == 0
        yield name
    finally:
        _run(["ip", "netns", "delete", name])


def _offline_env(home: Path) -> dict[str, str]:
    """This environment without pip's settings and our dev paths; a throw-away HOME."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "VIRTUAL_ENV", "CONDA"))
           and k not in ("PYTHONPATH", "KERAS_HOME", "ACTLAB_OFFLINE")}
    env.update(HOME=str(home), PIP_CONFIG_FILE=os.devnull, XDG_CACHE_HOME=str(home / ".cache"))
    return env


def test_the_namespace_has_no_route_out(netns):
    probe = ("import socket\n"
             "for host in ('1.1.1.1', '151.101.0.223'):\n"  # a public resolver, pypi.org
             "    try:\n"
             "        socket.create_connection((host, 443), timeout=5).close()\n"
             "        print('reached', host)\n"
             "    except OSError:\n"
             "        pass\n")
    proc = _run(["ip", "netns", "exec", netns, sys.executable, "-c", probe], timeout=60)
    assert proc.returncode == 0 and "reached" not in proc.stdout, proc.stdout + proc.stderr


def test_fresh_clone_installs_from_the_kit_offline(netns, tmp_path):
    manifest_file = KIT / "manifest.json"
    if not manifest_file.is_file():
        pytest.fail(f"no kit at {KIT}/: `make test-workshop` builds it first (make wheelhouse)")
    manifest = json.loads(manifest_file.read_text())
    head = _run(["git", "-C", str(ROOT), "rev-parse", "HEAD"]).stdout.strip()
    if not head:
        _unavailable(f"{ROOT} is not a git checkout; nothing to clone.")
    clone, home = tmp_path / "actlab", tmp_path / "home"
    home.mkdir()
    assert _run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)]).returncode == 0
    assert _run(["git", "-C", str(clone), "checkout", "--quiet", head]).returncode == 0
    shutil.copytree(KIT, clone / "wheelhouse", copy_function=os.link)  # same disk: no copy

    env = _offline_env(home)
    # The Python that built the kit (and this venv): the one a room would have.
    python = getattr(sys, "_base_executable", sys.executable)
    start = time.perf_counter()
    setup = _run(["ip", "netns", "exec", netns, "make", "setup", f"PYTHON={python}"],
                 cwd=clone, env=env, timeout=SETUP_TIMEOUT_S)
    setup_s = time.perf_counter() - start
    log = clone / ".venv" / "pip-install.log"
    pip_log = log.read_text() if log.exists() else "(no pip log)"
    assert setup.returncode == 0, setup.stdout[-4000:] + setup.stderr[-4000:] + pip_log[-4000:]
    assert f"installing from wheelhouse/ with no package index ({len(manifest['wheels'])} " \
           "wheels verified" in setup.stdout
    assert "JupyterLab news and update checks off" in setup.stdout
    expected_mnist = "MNIST installed into Keras's cache" if "mnist" in manifest \
        else "no MNIST in the kit"
    assert expected_mnist in setup.stdout
    assert "Downloading" not in pip_log and "Processing ./wheelhouse/" in pip_log

    start = time.perf_counter()
    doctor = _run(["ip", "netns", "exec", netns, str(clone / ".venv" / "bin" / "python"),
                   "-m", "actlab", "doctor"], cwd=clone, env=env, timeout=600)
    doctor_s = time.perf_counter() - start
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "All set" in doctor.stdout and str(clone / ".venv") in doctor.stdout
    overrides = clone / ".venv/share/jupyter/lab/settings/overrides.d/actlab.json"
    assert overrides.read_text() == (ROOT / "etc/jupyterlab/actlab.json").read_text()

    size = sum(p.stat().st_size for p in KIT.iterdir() if p.is_file())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "timings.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(wheelhouse_mb=round(size / 1e6), wheelhouse_wheels=len(manifest["wheels"]),
                offline_setup_s=round(setup_s, 1), offline_doctor_s=round(doctor_s, 1))
    path.write_text(json.dumps(data, indent=2))
    print(f"\nkit {size / 1e6:.0f} MB, {len(manifest['wheels'])} wheels; offline make setup "
          f"{setup_s:.0f} s; doctor {doctor_s:.0f} s")
