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
PLAYGROUND = ROOT / "tests" / "browser" / "playground.ipynb"
ARTIFACTS = ROOT / "artifacts" / "browser"
# `make setup` installs this into the venv's JupyterLab (no news, no update checks).
LAB_OVERRIDES = ROOT / "etc" / "jupyterlab" / "actlab.json"
VENV_OVERRIDES = Path(sys.prefix) / "share/jupyter/lab/settings/overrides.d/actlab.json"
NEWS_TOAST = "official Jupyter news"
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
    ready_s: float  # seconds from launch to /api/status answering


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
    for notebook in (FIXTURE, PLAYGROUND):
        shutil.copy(notebook, root / notebook.name)
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
    if not VENV_OVERRIDES.is_file():  # a venv not made by `make setup`: the same file, here
        app_settings = base / "app-settings"
        (app_settings / "overrides.d").mkdir(parents=True)
        shutil.copy(LAB_OVERRIDES, app_settings / "overrides.d" / "actlab.json")
        cmd.append(f"--LabApp.app_settings_dir={app_settings}")
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
        ready = time.perf_counter() - started
        yield Lab(url=url, token=token, root=root, log=log, ready_s=ready)
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


def _wait_for_kernel(page, panel) -> None:
    """Wait until the notebook's kernel is connected and idle (status bar and toolbar)."""
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    status = page.locator(".jp-StatusBar-Widget").filter(has_text="Python 3")
    while time.monotonic() < deadline:
        _accept_kernel_dialog(page)
        idle = panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count()
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


def _wait_until_stable(page, image, *, quiet_ms: int = 900) -> None:
    """Wait until the image's ``src`` stops changing (the kernel sent its last redraw)."""
    deadline = time.monotonic() + REDRAW_TIMEOUT_MS / 1000
    last, since = image.get_attribute("src"), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(150)
        src = image.get_attribute("src")
        if src != last:
            last, since = src, time.monotonic()
        elif (time.monotonic() - since) * 1000 >= quiet_ms:
            return
    raise AssertionError("the plot kept changing; the kernel never settled")


@pytest.fixture(scope="module")
def browser(lab: Lab, chromium_path: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@contextlib.contextmanager
def _page(browser, lab: Lab, name: str) -> Iterator[tuple[object, list[str]]]:
    """A page on ``name``; on failure, saves a screenshot, the console and the server log."""
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = Path(name).stem
    try:
        yield page, console
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(ARTIFACTS / f"failure_{stem}.png"), full_page=True)
        (ARTIFACTS / f"failure_{stem}_console.txt").write_text("\n".join(console))
        (ARTIFACTS / f"failure_{stem}_jupyterlab.log").write_text(_log_tail(lab.log, 200))
        raise
    finally:
        page.close()


def _open_and_run(page, lab: Lab, name: str, mark) -> object:
    """Open notebook ``name``, wait for its kernel, run the first code cell; its output area."""
    # A workspace of its own per notebook: no tabs restored from an earlier test.
    page.goto(
        f"{lab.url}/lab/workspaces/test-{Path(name).stem}/tree/{name}?token={lab.token}",
        timeout=PAGE_TIMEOUT_MS,
        wait_until="domcontentloaded",
    )
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    panel.locator(".jp-Cell").first.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
    assert panel.count() == 1, "expected exactly one visible notebook"
    assert name in tab.first.inner_text(), f"the current tab is not {name}"
    mark("notebook_open_s")
    _wait_for_kernel(page, panel)
    mark("kernel_idle_s")
    code_cell = panel.locator(".jp-CodeCell").first
    _run_cell(page, code_cell)
    mark("cell_started_s")
    return code_cell.locator(".jp-OutputArea-output")


def _visible_image(page, output) -> object:
    image = output.locator("img.widget-image")
    image.wait_for(state="visible", timeout=WIDGET_TIMEOUT_MS)
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 100", arg=image.element_handle()
    )
    assert "Slider(" not in output.inner_text(), "the widget rendered as text, not as a widget"
    return image


class _Timer:
    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.marks: dict[str, float] = {}

    def __call__(self, name: str) -> None:
        self.marks[name] = round(time.perf_counter() - self.t0, 2)


def _save_timings(key: str, marks: dict[str, float]) -> None:
    path = ARTIFACTS / "timings.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = marks
    path.write_text(json.dumps(data, indent=2))
    print(f"\n{key} timings (s): {marks}")


def test_slider_redraws_plot_in_jupyterlab(lab: Lab, browser) -> None:
    mark = _Timer()
    with _page(browser, lab, FIXTURE.name) as (page, console):
        output = _open_and_run(page, lab, FIXTURE.name, mark)
        slider = output.locator(".widget-slider").filter(has_text="negative_slope")
        slider.wait_for(state="visible", timeout=WIDGET_TIMEOUT_MS)
        image = _visible_image(page, output)
        mark("widget_visible_s")

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
        mark("first_redraw_s")
        _wait_until_stable(page, image)  # the kernel renders once per key press
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
        errors = [line for line in console if line.startswith("error") and "widget" in line.lower()]
        assert not errors, errors
        # JupyterLab asks about news as soon as it has restored; by now it would show.
        assert page.get_by_text(NEWS_TOAST).count() == 0, "JupyterLab asked about news"
    mark.marks["lab_start_s"] = round(lab.ready_s, 2)
    _save_timings("activation_explorer", mark.marks)
    print(f"screenshot: {ARTIFACTS / 'activation_explorer.png'}")


def test_missing_browser_skips_with_instructions(monkeypatch) -> None:
    monkeypatch.setenv("ACTLAB_CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("ACTLAB_REQUIRE_BROWSER", raising=False)
    assert _find_chromium() is None
    with pytest.raises(pytest.skip.Exception, match=r"apt-get install chromium"):
        _unavailable("No Chromium browser found.")


def test_missing_browser_fails_when_required(monkeypatch) -> None:
    monkeypatch.setenv("ACTLAB_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match=r"ACTLAB_REQUIRE_BROWSER=1 requires"):
        _unavailable("No Chromium browser found.")


def test_configured_browser_path_is_used(monkeypatch, tmp_path) -> None:
    fake = tmp_path / "my-chromium"
    fake.write_text("")
    monkeypatch.setenv("ACTLAB_CHROMIUM", str(fake))
    assert _find_chromium() == str(fake)
