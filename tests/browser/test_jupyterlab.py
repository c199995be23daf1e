"""Notebook 02 in a real JupyterLab in Chromium: run all cells, drag the panel's sliders.

What a student does on a laptop or on Binder: open the notebook, Run → Run All Cells, then
move a slider of the live Explorer with the mouse. The test asserts that every cell ran, that
the filter image changes after each drag, that the panel says which model it shows, and that
no error appears anywhere (no traceback, no widget that failed to render, nothing in the
panel's error box).
"""
import hashlib

import pytest

import browser_helpers as bh

pytestmark = pytest.mark.browser

NOTEBOOK = bh.REPO / "notebooks" / "02-sparse-autoencoder.ipynb"


def _digest(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.exists()}


def test_notebook_02_in_jupyterlab_panel_retrains_when_sliders_are_dragged(
        server_log, page, tmp_path, stopwatch):
    course_files = [NOTEBOOK, NOTEBOOK.with_suffix(".py")]
    before_files = _digest(course_files)

    lab = bh.start_jupyterlab(tmp_path / "jupyter")
    server_log(lab)
    stopwatch("server up")

    bh.open_notebook_in_lab(page, lab, NOTEBOOK)
    stopwatch("notebook open, kernel idle")

    prompts = bh.run_all_cells_in_lab(page)
    stopwatch("run all cells")
    errors = bh.errors_shown(page)
    assert not errors, "errors shown after Run All:\n\n" + "\n\n".join(errors)
    not_run = [i for i, p in enumerate(prompts) if not p[1:-2].isdigit()]
    assert not not_run, f"code cells {not_run} did not run (prompts {prompts})"

    bh.panel(page).scroll_into_view_if_needed()
    status = bh.wait_panel_settled(page)
    image = bh.filter_image(page)
    before = bh.image_pixels(image)
    assert before[0], "the filter image has no picture after Run All"

    # β: a warm start (the notebook's last panel cell set β = 0; drag it to about 6).
    old, new = bh.drag_slider(page, "β", 0.6)
    assert old != new, f"dragging the β slider did not move it (readout {old!r})"
    changed_after = bh.wait_image_changes(page, image, before, timeout=30)
    status = bh.wait_panel_settled(page, changed_from=status)
    stopwatch(f"β {old}→{new}: filters changed after {changed_after:.2f}s, settled")
    assert "warm start" in status, status
    errors = bh.errors_shown(page)
    assert not errors, f"errors shown after dragging β to {new}:\n\n" + "\n\n".join(errors)

    # Hidden units: a fresh start with a different number of filters in the grid.
    before = bh.image_pixels(image)
    old, new = bh.drag_slider(page, "hidden units", 0.2)
    assert old != new, f"dragging the hidden-units slider did not move it (readout {old!r})"
    bh.wait_image_changes(page, image, before, timeout=30)
    status = bh.wait_panel_settled(page, changed_from=status)
    stopwatch(f"hidden units {old}→{new}: settled")
    assert "fresh start" in status, status
    title = bh.panel(page).locator(".widget-html-content", has_text="Filters W").first
    assert f"({new} hidden units)" in title.inner_text(), title.inner_text()
    errors = bh.errors_shown(page)
    assert not errors, f"errors shown after dragging hidden units to {new}:\n\n" + "\n\n".join(
        errors)

    # Autosave is off: running the course in a browser must not rewrite it.
    assert _digest(course_files) == before_files, "JupyterLab wrote to the course notebook"
