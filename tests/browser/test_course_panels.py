"""The six course panels in a real Chromium: Voilà (a classroom demo) and JupyterLab.

One page holds the panel of every course notebook (01–06), built by
``aelab.explorer.course.course_panel`` with the notebook's controls, views and challenges.
The tests check that each panel draws without error, that a dragged slider changes the
picture, that a challenge can be completed by dragging, and that a pinned snapshot stays
while the live picture changes. Each panel's screenshot is saved under
test-artifacts/browser/ (tests/browser/screenshot.py --panels writes the same to docs/).
"""
import pytest

import browser_helpers as bh
import course_pages as cp
from aelab.explorer.course import COURSE_PANELS

pytestmark = pytest.mark.browser
OUT = bh.ARTIFACTS / "browser"


def _all_panels_drawn(page, stopwatch):
    found = cp.panels(page)
    found.first.wait_for(state="visible", timeout=120_000)
    assert found.count() == len(COURSE_PANELS), f"{found.count()} panels in the page"
    for i, nn in enumerate(COURSE_PANELS):
        panel = found.nth(i)
        panel.scroll_into_view_if_needed()
        # Six panels train at once in one kernel: on a busy machine that takes a while.
        status = cp.wait_settled(page, panel, timeout=240)
        src = cp.main_image(panel).get_attribute("src") or ""
        assert src.startswith("data:image/png") or src.startswith("blob:"), (nn, src[:40])
        assert "Challenges" in cp.challenges_text(panel), nn
        errors = bh.errors_shown(page)
        assert not errors, f"panel {nn} shows errors:\n\n" + "\n\n".join(errors)
        stopwatch(f"panel {nn} settled ({status[:40]}…)")
    return cp.screenshot_panels(page, OUT)


def test_voila_course_panels_draw_complete_a_challenge_and_keep_a_pin(
        server_log, page, tmp_path, stopwatch):
    notebook = cp.write_course_notebook(tmp_path / "course-panels.ipynb")
    voila = bh.start_voila(notebook, tmp_path / "jupyter")
    server_log(voila)
    page.goto(voila.url + "/", timeout=300_000, wait_until="load")
    stopwatch("page loaded")
    shots = _all_panels_drawn(page, stopwatch)
    assert all(p.stat().st_size > 2000 for p in shots)

    # Notebook 02's panel: pin the current picture, then drag β to 0.
    panel = cp.panels(page).nth(COURSE_PANELS.index("02"))
    panel.scroll_into_view_if_needed()
    status = cp.wait_settled(page, panel)
    panel.locator("button[title^='keep these pictures']").click()
    pinned = panel.locator(".aelab-pins img").first
    pinned.wait_for(state="visible", timeout=10_000)
    pinned_before = bh.image_pixels(pinned)
    live = cp.main_image(panel)
    live_before = bh.image_pixels(live)
    assert "0 of 2 done" in cp.challenges_text(panel)

    old, new = cp.drag(page, panel, "β", -0.1)  # to the left end: β = 0
    assert old != new and float(new) == 0.0, (old, new)
    changed = bh.wait_image_changes(page, live, live_before, timeout=30)
    status = cp.wait_settled(page, panel, changed_from=status)
    stopwatch(f"β {old}→{new}: picture changed after {changed:.2f}s")
    # β = 0: nothing holds ρ̂ at ρ, so "let the units loose" is reached.
    text = cp.wait_challenge_done(page, panel)
    assert "1 of 2 done" in text and "✓" in text, text
    # The pinned snapshot is the picture from before the drag.
    assert bh.image_pixels(pinned)[1] == pinned_before[1], "the pinned snapshot changed"
    assert bh.image_pixels(live)[1] != pinned_before[1]
    panel.screenshot(path=str(OUT / "explorer-panel-02-after-drag.png"))
    errors = bh.errors_shown(page)
    assert not errors, "errors after the drag:\n\n" + "\n\n".join(errors)


def test_jupyterlab_course_panels_draw_and_a_drag_completes_a_challenge(
        server_log, page, tmp_path, stopwatch):
    # JupyterLab serves the repository: the notebook goes to the (git-ignored) artefacts.
    notebook = cp.write_course_notebook(OUT / "course-panels.ipynb")
    lab = bh.start_jupyterlab(tmp_path / "jupyter")
    server_log(lab)
    bh.open_notebook_in_lab(page, lab, notebook)
    # The new file is selected in the file browser: give the notebook the focus first, so
    # that Run → Run All applies to it.
    page.locator(".jp-NotebookPanel .jp-Cell .jp-InputPrompt").first.click()
    prompts = bh.run_all_cells_in_lab(page, timeout=180)
    stopwatch("run all cells")
    assert all(p[1:-2].isdigit() for p in prompts), prompts
    _all_panels_drawn(page, stopwatch)

    # Notebook 05's panel: drag k to 1, and a quarter of the units die.
    panel = cp.panels(page).nth(COURSE_PANELS.index("05"))
    panel.scroll_into_view_if_needed()
    status = cp.wait_settled(page, panel)
    live = panel.locator(".aelab-view-filters img").first
    before = bh.image_pixels(live)
    old, new = cp.drag(page, panel, "k (units kept)", -0.1)
    assert old != new and int(new) == 1, (old, new)
    bh.wait_image_changes(page, live, before, timeout=30)
    status = cp.wait_settled(page, panel, changed_from=status)
    assert "warm start" in status, status
    text = cp.wait_challenge_done(page, panel)
    assert "die" in text.split("✓", 1)[1], text
    errors = bh.errors_shown(page)
    assert not errors, "errors after dragging k:\n\n" + "\n\n".join(errors)
