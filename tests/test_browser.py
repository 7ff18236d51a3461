"""End to end: a slider of ``activation_explorer`` redraws its plot in real JupyterLab.

Starts JupyterLab from this environment on 127.0.0.1 (a free port, a fresh
token, throw-away runtime/settings/workspace folders, a temporary root holding
a copy of ``tests/browser/activation_explorer.ipynb``), opens the notebook in
headless Chromium through Playwright's Python API, runs the cell, presses
ArrowRight on the ``negative_slope`` slider and checks that the rendered plot
(the ``<img>`` of the ``ipywidgets.Image``) changed. Screenshots and timings go
to ``artifacts/browser/`` (git-ignored).

The browser is Debian's ``chromium`` (``apt-get install chromium``) or the one
named by ``ACTLAB_CHROMIUM=/path``; Playwright never downloads its own. Without
a browser the test is skipped, unless ``ACTLAB_REQUIRE_BROWSER=1`` (set by
``.ci/run``), in which case it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "browser" / "activation_explorer.ipynb"
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
LAB_START_TIMEOUT_S = 120  # first start on 2 busy cores can take 20-40 s
PAGE_TIMEOUT_MS = 120_000  # first JupyterLab page load + kernel start
WIDGET_TIMEOUT_MS = 180_000  # importing TensorFlow in the kernel takes ~6-20 s
REDRAW_TIMEOUT_MS = 30_000

HOW_TO_ENABLE = (
    "Install Debian's browser with `apt-get install chromium` (or point "
    "ACTLAB_CHROMIUM=/path/to/chromium at another Chromium); Playwright's own "
    "browser download is not used."
)


def _find_chromium() -> str | None:
    configured = os.environ.get("ACTLAB_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def _unavailable(reason: str) -> None:
    """Skip, or fail when the environment demands the browser test (CI)."""
    if os.environ.get("ACTLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} ACTLAB_REQUIRE_BROWSER=1 requires this test to run. {HOW_TO_ENABLE}")
    pytest.skip(f"{reason} {HOW_TO_ENABLE}")


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = _find_chromium()
    if path is None:
        where = os.environ.get("ACTLAB_CHROMIUM") or "PATH and /usr/bin/chromium"
        _unavailable(f"No Chromium browser found (looked in {where}).")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("The playwright Python package is not installed (pip install playwright).")
    return path


@dataclass
class Lab:
    """A running JupyterLab server."""

    url: str
    token: str
    root: Path
    log: Path
    started_s: float


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(log: Path, lines: int = 25) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the server (it shuts its kernels down), then kill its process group."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    # Kernels left behind by a server that died are in the same process group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Lab]:
    import secrets

    started = time.perf_counter()
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "root"
    root.mkdir()
    shutil.copy(FIXTURE, root / FIXTURE.name)
    port = _free_port()
    token = secrets.token_hex(24)
    env = dict(os.environ)
    for name in ("runtime", "config", "settings", "workspaces"):
        (base / name).mkdir()
    env.update(
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTERLAB_SETTINGS_DIR=str(base / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
        KERAS_BACKEND="tensorflow",
        TF_CPP_MIN_LOG_LEVEL="3",
        TF_ENABLE_ONEDNN_OPTS="0",
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1",
    )
    env.pop("MPLBACKEND", None)  # the kernel uses its own (inline) default
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = base / "jupyterlab.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + LAB_START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {proc.returncode}:\n{_log_tail(log)}")
            try:
                req = urllib.request.Request(
                    f"{url}/api/status", headers={"Authorization": f"token {token}"}
                )
                with urllib.request.urlopen(req, timeout=5) as resp:
                    if resp.status == 200:
                        json.load(resp)
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"JupyterLab did not answer /api/status within {LAB_START_TIMEOUT_S} s:\n"
                    f"{_log_tail(log)}"
                )
            time.sleep(0.5)
        yield Lab(url=url, token=token, root=root, log=log, started_s=started)
    finally:
        _stop(proc)


def _accept_kernel_dialog(page) -> bool:
    """Accept JupyterLab's "Select Kernel" dialog (default: the notebook's kernelspec)."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count() and dialog.first.is_visible():
        dialog.first.locator("button.jp-mod-accept").click()
        page.wait_for_timeout(500)
        return True
    return False


def _wait_for_kernel(page) -> None:
    """Wait until the notebook's kernel is connected and idle (status bar and toolbar)."""
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    status = page.locator(".jp-StatusBar-Widget").filter(has_text="Python 3")
    while time.monotonic() < deadline:
        _accept_kernel_dialog(page)
        idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count()
        if idle and status.count() and "Idle" in status.first.inner_text():
            return
        page.wait_for_timeout(500)
    raise AssertionError("the notebook's kernel did not become idle in JupyterLab")


def _run_cell(page, cell) -> None:
    """Run ``cell`` with Shift+Enter; retry once a kernel dialog was accepted."""
    prompt = cell.locator(".jp-InputPrompt")
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    attempt_at = 0.0
    while time.monotonic() < deadline:
        text = prompt.inner_text()
        if "*" in text or any(ch.isdigit() for ch in text):
            return  # queued/running ([*]) or done ([1])
        if _accept_kernel_dialog(page) or time.monotonic() - attempt_at > 20:
            cell.locator(".jp-InputArea-editor").click()
            page.keyboard.press("Shift+Enter")
            attempt_at = time.monotonic()
        page.wait_for_timeout(300)
    raise AssertionError("could not start the cell in JupyterLab (no execution prompt)")


def _element_png(locator) -> bytes:
    return locator.screenshot(animations="disabled")


def test_slider_redraws_plot_in_jupyterlab(lab: Lab, chromium_path: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {"lab_start_s": time.perf_counter() - lab.started_s}
    t0 = time.perf_counter()

    def mark(name: str) -> None:
        timings[name] = round(time.perf_counter() - t0, 2)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        console: list[str] = []
        page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
        try:
            page.goto(
                f"{lab.url}/lab/tree/{FIXTURE.name}?token={lab.token}",
                timeout=PAGE_TIMEOUT_MS,
                wait_until="domcontentloaded",
            )
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=PAGE_TIMEOUT_MS)
            mark("notebook_open_s")
            _wait_for_kernel(page)
            mark("kernel_idle_s")
            code_cell = page.locator(".jp-CodeCell").first
            _run_cell(page, code_cell)
            mark("cell_started_s")
            output = code_cell.locator(".jp-OutputArea-output")
            slider = output.locator(".widget-slider").filter(has_text="negative_slope")
            slider.wait_for(state="visible", timeout=WIDGET_TIMEOUT_MS)
            image = output.locator("img.widget-image")
            image.wait_for(state="visible", timeout=WIDGET_TIMEOUT_MS)
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 100", arg=image.element_handle()
            )
            mark("widget_visible_s")
            assert "IntSlider(" not in output.inner_text(), "the widget rendered as text"

            src_before = image.get_attribute("src")
            png_before = _element_png(image)
            readout = slider.locator(".widget-readout")
            value_before = readout.inner_text().strip()
            (ARTIFACTS / "activation_explorer_before.png").write_bytes(png_before)

            handle = slider.locator(".noUi-handle")
            handle.focus()
            for _ in range(10):
                handle.press("ArrowRight")
            page.wait_for_function(
                "([img, old]) => img.src !== old && img.complete && img.naturalWidth > 100",
                arg=[image.element_handle(), src_before],
                timeout=REDRAW_TIMEOUT_MS,
            )
            # the kernel renders once per key press: wait until the last one arrived
            page.wait_for_timeout(1500)
            mark("redrawn_s")
            value_after = readout.inner_text().strip()
            png_after = _element_png(image)
            (ARTIFACTS / "activation_explorer_after.png").write_bytes(png_after)
            page.screenshot(path=str(ARTIFACTS / "activation_explorer.png"), full_page=True)

            # 10 key presses of step 0.01 from the initial 0.20
            assert float(value_before) == pytest.approx(0.20)
            assert float(value_after) == pytest.approx(0.30), (value_before, value_after)
            assert image.get_attribute("src") != src_before
            assert png_after != png_before, "the slider moved but the plot pixels did not change"
            assert not any("Error" in line and "widget" in line.lower() for line in console)
        except Exception:
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / "failure.png"), full_page=True)
            (ARTIFACTS / "failure_console.txt").write_text("\n".join(console))
            (ARTIFACTS / "failure_jupyterlab.log").write_text(_log_tail(lab.log, 200))
            raise
        finally:
            browser.close()
    timings["total_s"] = round(time.perf_counter() - lab.started_s, 2)
    timings["lab_start_s"] = round(timings["lab_start_s"], 2)
    (ARTIFACTS / "timings.json").write_text(json.dumps(timings, indent=2))
    print(f"\nbrowser test timings (s): {timings}")
    print(f"screenshot: {ARTIFACTS / 'activation_explorer.png'}")
