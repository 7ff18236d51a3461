"""`make lab` really serves the course on 127.0.0.1, token on, opening 00_start_here."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    """HTTP status of a GET; 0 when nothing answers (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return 0


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """Run `make lab` (setup is already done) on a free port; yield (port, log text)."""
    port = _free_port()
    home = tmp_path_factory.mktemp("labhome")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTER_CONFIG_DIR": str(home / "config"), "BROWSER": "true"}
    log = home / "lab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"PORT={port}",
             "LAB_ARGS=--no-browser --ServerApp.port_retries=0"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            found = re.search(r"\?token=(\w+)", log.read_text())
            # The URL can be printed a moment before the port answers: wait for both.
            if found and _get(f"http://127.0.0.1:{port}/api/status?token={found.group(1)}") == 200:
                break
            if proc.poll() is not None:
                pytest.fail(f"make lab exited early:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not answer within 120 s:\n{log.read_text()[-2000:]}")
        yield port, log.read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_lab_listens_on_localhost_only(lab):
    """The server announces 127.0.0.1 and never all interfaces."""
    _, text = lab
    assert "http://127.0.0.1:" in text
    assert "0.0.0.0" not in text and "[::]" not in text


def test_lab_requires_the_token(lab):
    """Without the token the API refuses; with it, it answers."""
    port, text = lab
    token = re.search(r"\?token=(\w+)", text).group(1)
    assert len(token) >= 32
    assert _get(f"http://127.0.0.1:{port}/api/contents") == 403
    assert _get(f"http://127.0.0.1:{port}/api/contents?token={token}") == 200


def test_lab_opens_the_first_notebook(lab):
    """The URL JupyterLab prints opens notebooks/00_start_here.ipynb."""
    port, text = lab
    url = re.search(r"(http://127\.0\.0\.1:\d+/\S*\?token=\w+)", text).group(1)
    assert url.split("?")[0].endswith("/lab/tree/00_start_here.ipynb")
    token = url.rsplit("token=", 1)[1]
    api = f"http://127.0.0.1:{port}/api/contents/00_start_here.ipynb?token={token}"
    assert _get(api) == 200
