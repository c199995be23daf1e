"""The six course panels on one page, for the browser tests and the screenshots in docs/.

:func:`write_course_notebook` writes a notebook whose cells build the panel of each course
notebook (``aelab.explorer.course.course_panel``: the same controls, views and challenges, on
data that load in a second). The helpers below find one panel in the page by the CSS
classes the panel sets (``aelab-explorer``, ``aelab-status``, ``aelab-challenges``,
``aelab-pins``, ``aelab-view-<name>``) and drive it.

Used by tests/browser/test_course_panels.py and tests/browser/screenshot.py.
"""
from __future__ import annotations

import time

import nbformat

from aelab.explorer.course import COURSE_PANELS

PANEL = ".aelab-explorer"


def write_course_notebook(path, panels=COURSE_PANELS):
    """A notebook with one cell per course panel (``panel_01`` … ``panel_06``)."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(
        "from aelab.explorer.course import course_panel"))
    for nn in panels:
        nb.cells.append(nbformat.v4.new_markdown_cell(f"Notebook {nn}'s panel"))
        nb.cells.append(nbformat.v4.new_code_cell(
            f"panel_{nn} = course_panel({nn!r})\npanel_{nn}"))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def panels(page):
    return page.locator(PANEL)


def status_text(panel):
    return panel.locator(".aelab-status").first.inner_text()


def wait_settled(page, panel, timeout=90.0, changed_from=None):
    """Wait until the panel's status shows a final frame (and, if given, a new one)."""
    status = panel.locator(".aelab-status").first
    status.wait_for(state="visible", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = status.inner_text()
        if ("training…" not in text and "starting…" not in text and "iteration" in text
                and (changed_from is None or text != changed_from)):
            return text
        page.wait_for_timeout(200)
    raise AssertionError(f"the panel did not settle within {timeout:.0f} s; status {text!r}")


def main_image(panel):
    """The panel's first picture: the filter grid, else the reconstructions."""
    return panel.locator(".aelab-view-filters img, .aelab-view-reconstructions img").first


def drag(page, panel, description, fraction):
    """Drag the panel's slider labelled ``description`` to ``fraction`` of its track
    (below 0 or above 1: to the end); returns the readout before and after."""
    s = panel.locator(".widget-slider").filter(
        has=page.locator("label.widget-label", has_text=description)).first
    s.scroll_into_view_if_needed()
    handle, track = s.locator(".noUi-handle").first, s.locator(".noUi-target").first
    readout = s.locator(".widget-readout").first
    before = readout.inner_text()
    hb, tb = handle.bounding_box(), track.bounding_box()
    assert hb and tb, f"the {description!r} slider has no visible handle or track"
    x0, y0 = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(tb["x"] + fraction * tb["width"], y0, steps=12)
    page.mouse.up()
    return before, readout.inner_text()


def challenges_text(panel):
    return panel.locator(".aelab-challenges").first.inner_text()


def wait_challenge_done(page, panel, timeout=30.0):
    """Wait until the challenge box ticks a challenge off (✓); returns its text."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = challenges_text(panel)
        if "✓" in text:
            return text
        page.wait_for_timeout(200)
    raise AssertionError(f"no challenge ticked off within {timeout:.0f} s: {text!r}")


def screenshot_panels(page, out_dir, names=COURSE_PANELS, stem="explorer-panel-"):
    """Save one PNG per panel (``<stem>NN.png``) of the panels in the page; returns paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    viewport = page.viewport_size
    for i, nn in enumerate(names):
        panel = panels(page).nth(i)
        box = panel.bounding_box()
        # A viewport as tall as the panel: parts outside it are not painted.
        page.set_viewport_size({"width": viewport["width"],
                                "height": max(viewport["height"], int(box["height"]) + 40)})
        panel.scroll_into_view_if_needed()
        page.mouse.move(2, 2)  # no hover highlight
        page.wait_for_timeout(300)
        path = out_dir / f"{stem}{nn}.png"
        panel.screenshot(path=str(path), animations="disabled")
        paths.append(path)
    page.set_viewport_size(viewport)
    return paths
