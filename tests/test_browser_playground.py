"""End to end: the live playground animates in real JupyterLab, and Pause stops it.

Reuses the JupyterLab server and the Chromium of ``tests/test_browser.py``
(same skip/fail rules: ``ACTLAB_REQUIRE_BROWSER=1`` makes a missing browser a
failure). The fixture notebook ``tests/browser/playground.ipynb`` makes a
playground; the test presses **Play**, counts the distinct frames (``src`` of
the boundary ``<img>``) that reach the page in 3 s (at least 10), runs a
second cell while it plays (it must return), presses **Pause** and checks that
no frame arrives for 1 s after the paused state is shown. Screenshots:
``artifacts/browser/playground_playing.png`` and
``artifacts/browser/playground_paused_dead_units.png``.
"""

from __future__ import annotations

import re

import pytest
from test_browser import (  # noqa: F401  (lab, browser, chromium_path are fixtures)
    ARTIFACTS,
    PLAYGROUND,
    WIDGET_TIMEOUT_MS,
    Lab,
    _open_and_run,
    _page,
    _run_cell,
    _save_timings,
    _Timer,
    browser,
    chromium_path,
    lab,
)

pytestmark = pytest.mark.browser

COUNT_MS = 3000
QUIET_MS = 1000
MIN_FRAMES = 10

_OBSERVE = """img => {
    window.__pgFrames = [];
    const seen = new Set();
    new MutationObserver(() => {
        if (!seen.has(img.src)) { seen.add(img.src); window.__pgFrames.push(performance.now()); }
    }).observe(img, {attributes: true, attributeFilter: ['src']});
}"""


def _frames(page) -> int:
    return page.evaluate("window.__pgFrames.length")


def test_playground_plays_live_in_jupyterlab(lab: Lab, browser) -> None:  # noqa: F811
    mark = _Timer()
    name = PLAYGROUND.name
    with _page(browser, lab, name) as (page, console):
        output = _open_and_run(page, lab, name, mark)
        play = output.locator("button").filter(has_text="Play")
        play.wait_for(state="visible", timeout=WIDGET_TIMEOUT_MS)
        images = output.locator("img.widget-image")
        image, units = images.nth(0), images.nth(1)  # the boundary figure, the unit maps
        for img in (image, units):
            img.wait_for(state="visible", timeout=WIDGET_TIMEOUT_MS)
            page.wait_for_function("img => img.complete && img.naturalWidth > 100",
                                   arg=img.element_handle(), timeout=WIDGET_TIMEOUT_MS)
        status = output.locator(".widget-html").filter(has_text="step")
        page.wait_for_function("el => el.innerText.includes('paused')",
                               arg=status.first.element_handle(), timeout=WIDGET_TIMEOUT_MS)
        mark("widget_visible_s")
        page.evaluate(_OBSERVE, image.element_handle())

        play.click()
        page.wait_for_function("() => window.__pgFrames.length > 0", timeout=WIDGET_TIMEOUT_MS)
        mark("first_frame_s")
        start = _frames(page)
        page.wait_for_timeout(COUNT_MS)
        frames = _frames(page) - start
        mark("counted_s")
        assert frames >= MIN_FRAMES, f"only {frames} new boundary frames in {COUNT_MS} ms"
        assert "playing" in status.first.inner_text()
        output.first.screenshot(path=str(ARTIFACTS / "playground_playing.png"))

        second = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").nth(1)
        _run_cell(page, second)
        second_out = second.locator(".jp-OutputArea-output")
        second_out.filter(has_text="ran while playing").wait_for(timeout=WIDGET_TIMEOUT_MS)
        assert "ran while playing: True" in second_out.inner_text()
        assert _frames(page) > start + frames, "no frame arrived while the other cell ran"
        mark("cell_while_playing_s")

        output.locator("button").filter(has_text="Pause").click()
        page.wait_for_function("el => el.innerText.includes('paused')",
                               arg=status.first.element_handle(), timeout=WIDGET_TIMEOUT_MS)
        page.wait_for_timeout(300)  # the paused frame itself may still be in flight
        before = _frames(page)
        page.wait_for_timeout(QUIET_MS)
        assert _frames(page) == before, "frames kept arriving after Pause"
        mark("paused_quiet_s")
        text = status.first.inner_text()
        dead = [int(n) for n in re.findall(r"layer \d+: (\d+)/8", text)]
        assert len(dead) == 2 and sum(dead) > 0, text  # default lr 0.03 kills some ReLUs
        output.first.screenshot(path=str(ARTIFACTS / "playground_paused_dead_units.png"))
        errors = [line for line in console if line.startswith("error") and "widget" in line.lower()]
        assert not errors, errors
    mark.marks["frames_in_3s"] = frames
    _save_timings("playground_live", mark.marks)
