"""End to end: a slider exercise answered in real JupyterLab, with the keyboard.

Opens ``tests/browser/slider_exercise.ipynb`` (notebook 01's q2: the softmax
explorer of the logits (2.0, 1.0, 0.1) and ``ex.q2.check(explorer_q2)``) in
JupyterLab in headless Chromium, moves the temperature slider with the arrow
keys to the first position where the top class drops below 50 % (T = 2.09),
runs the check cell and expects the "Correct" box; then moves the slider on
to a wrong setting (too far right), runs the check again and expects the
"Not quite" box saying which way to move. Nothing is set from the kernel: the
only inputs are key presses and Shift+Enter. Screenshots go to
``artifacts/browser/`` (``slider_exercise_correct.png``,
``slider_exercise_not_quite.png``).

JupyterLab, the browser and the page helpers are those of ``test_browser.py``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from test_browser import (  # noqa: F401 (fixtures used by name)
    ARTIFACTS,
    PAGE_TIMEOUT_MS,
    REDRAW_TIMEOUT_MS,
    WIDGET_TIMEOUT_MS,
    Lab,
    _open_and_run,
    _page,
    _run_cell,
    _save_timings,
    _Timer,
    _visible_image,
    _wait_until_stable,
    browser,
    chromium_path,
    lab,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "tests" / "browser" / "slider_exercise.ipynb"
# FloatLogSlider: one arrow key moves the exponent by its step, 0.02.
TO_CORRECT = 16  # 10 ** (0 + 16 * 0.02) = 2.09, the first T with p_top < 0.5
TO_WRONG = 10  # 10 ** 0.52 = 3.31: below 0.5 too, but not the first position


def _press(page, handle, key: str, times: int) -> None:
    handle.focus()
    for _ in range(times):
        handle.press(key)
        page.wait_for_timeout(60)


def _feedback(output, kind: str):
    box = output.locator(f".actlab-feedback.actlab-{kind}")
    box.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
    return box


def _rerun(page, cell, output, kind: str):
    """Run ``cell`` again (Shift+Enter in its editor) and wait for a ``kind`` feedback box."""
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        try:
            return _feedback(output, kind)
        except Exception:  # noqa: BLE001 - keep trying until the deadline
            continue
    raise AssertionError(f"no {kind} feedback box after re-running the check cell")


def test_slider_exercise_correct_then_not_quite(lab: Lab, browser) -> None:  # noqa: F811
    shutil.copy(NOTEBOOK, lab.root / NOTEBOOK.name)
    mark = _Timer()
    with _page(browser, lab, NOTEBOOK.name) as (page, _console):
        output = _open_and_run(page, lab, NOTEBOOK.name, mark)
        slider = output.locator(".widget-slider").filter(has_text="temperature")
        slider.wait_for(state="visible", timeout=WIDGET_TIMEOUT_MS)
        image = _visible_image(page, output)
        readout = slider.locator(".widget-readout")
        assert float(readout.inner_text()) == pytest.approx(1.0)
        mark("widget_visible_s")

        handle = slider.locator(".noUi-handle")
        _press(page, handle, "ArrowRight", TO_CORRECT)
        page.wait_for_function(
            "([el, want]) => el.innerText.trim() === want",
            arg=[readout.element_handle(), "2.09"],
            timeout=REDRAW_TIMEOUT_MS,
        )
        _wait_until_stable(page, image)
        mark("slider_moved_s")

        check_cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").nth(1)
        check_output = check_cell.locator(".jp-OutputArea")
        _run_cell(page, check_cell)
        box = _feedback(check_output, "correct")
        mark("correct_box_s")
        text = box.inner_text()
        assert text.startswith("Correct:"), text
        assert "T = 2.09" in text, text
        assert box.get_attribute("role") == "status"
        assert box.get_attribute("aria-label") == "q2: Correct"
        # The box is the whole answer: no bare "True" echoed under it.
        assert check_output.inner_text().strip() == text.strip(), check_output.inner_text()
        page.screenshot(path=str(ARTIFACTS / "slider_exercise_correct.png"), full_page=True)

        _press(page, handle, "ArrowRight", TO_WRONG)
        page.wait_for_function(
            "([el, want]) => el.innerText.trim() === want",
            arg=[readout.element_handle(), "3.31"],
            timeout=REDRAW_TIMEOUT_MS,
        )
        _wait_until_stable(page, image)
        box = _rerun(page, check_cell, check_output, "incorrect")
        mark("not_quite_box_s")
        text = box.inner_text()
        assert text.startswith("Not quite:"), text
        assert "T = 3.31" in text and "to the left" in text, text
        assert check_output.locator(".actlab-correct").count() == 0  # replaced, not appended
        assert check_output.inner_text().strip() == text.strip(), check_output.inner_text()
        page.screenshot(path=str(ARTIFACTS / "slider_exercise_not_quite.png"), full_page=True)
    _save_timings("slider_exercise", mark.marks)
