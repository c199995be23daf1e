"""Notebooks 02 and 05 served by Voilà, as in a classroom demo, in a real Chromium.

Voilà runs the whole notebook, then shows its outputs without the code. The test waits for the
live Explorer, drags one of its sliders with the mouse, and asserts that the filter image
changes and that no error appears (tracebacks are shown: --show_tracebacks=True).
"""
import pytest

import browser_helpers as bh

pytestmark = pytest.mark.browser

# notebook, the slider to drag, where to drag it (fraction of the track), the start it causes
CASES = {
    "02": ("02-sparse-autoencoder.ipynb", "β", 0.6, "warm start"),
    "05": ("05-k-sparse-autoencoders.ipynb", "k (units kept)", 0.1, "warm start"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_voila_serves_notebook_and_its_panel_retrains_when_a_slider_is_dragged(
        case, server_log, page, tmp_path, stopwatch):
    name, slider, fraction, start = CASES[case]
    notebook = bh.REPO / "notebooks" / name
    assert notebook.exists(), f"{notebook.relative_to(bh.REPO)} is missing"

    voila = bh.start_voila(notebook, tmp_path / "jupyter")
    server_log(voila)
    stopwatch("server up")

    # Voilà executes every cell before it sends the page.
    page.goto(voila.url + "/", timeout=300_000, wait_until="load")
    stopwatch("notebook executed, page loaded")
    errors = bh.errors_shown(page)
    assert not errors, f"Voilà shows errors for {name}:\n\n" + "\n\n".join(errors)

    panel = bh.panel(page)
    panel.wait_for(state="visible", timeout=60_000)
    panel.scroll_into_view_if_needed()
    status = bh.wait_panel_settled(page)
    stopwatch("panel shown and settled")
    image = bh.filter_image(page)
    before = bh.image_pixels(image)
    assert before[0], "the filter image has no picture"

    old, new = bh.drag_slider(page, slider, fraction)
    assert old != new, f"dragging the {slider!r} slider did not move it (readout {old!r})"
    changed_after = bh.wait_image_changes(page, image, before, timeout=30)
    status = bh.wait_panel_settled(page, timeout=90, changed_from=status)
    stopwatch(f"{slider} {old}→{new}: filters changed after {changed_after:.2f}s, settled")
    assert start in status, status
    errors = bh.errors_shown(page)
    assert not errors, (f"errors shown after dragging {slider!r} to {new}:\n\n"
                        + "\n\n".join(errors))
