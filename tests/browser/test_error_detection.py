"""The browser tests' error detector recognises what the panel and the frontends show.

Fast (no server): the HTML goes straight into a page. If aelab/explorer/session.py changes how its error
box looks, this fails, instead of the slow tests passing while an error is on screen.
"""
import pytest

import browser_helpers as bh
from aelab.explorer.session import note as _note

pytestmark = pytest.mark.browser

PANEL = """<div class="widget-vbox">
  <div class="widget-slider"><label class="widget-label">β (sparsity weight)</label></div>
  <div class="widget-html"><div class="widget-html-content">{status}</div></div>
  <div class="widget-html"><div class="widget-html-content">{error}</div></div>
  <div class="widget-vbox">
    <div class="widget-html"><div class="widget-html-content">{title}</div></div><img>
  </div>
</div>"""
OK_STATUS = "<b>warm start</b> · iteration 200/200 · <i>done (200 iterations)</i>"
# The k-sparse view writes its dead-unit count in the error colour: not an error.
KSPARSE_TITLE = ("<b>Filters W₁</b> (400 units; "
                 "<span style='color:#a00000'>60 dead, tinted red</span>)")


def test_a_healthy_panel_shows_no_error(page):
    page.set_content(PANEL.format(status=OK_STATUS, error="", title=KSPARSE_TITLE))
    assert bh.errors_shown(page) == []
    assert bh.wait_panel_settled(page, timeout=5).endswith("done (200 iterations)")


def test_the_panels_error_box_and_status_are_errors(page):
    error = _note("ValueError", "rho must lie in (0, 1), got 1.5", "#a00000", "#fdecea")
    status = ("<span style='color:#a00000'><b>error</b> in training: see below</span>")
    page.set_content(PANEL.format(status=status, error=error, title=KSPARSE_TITLE))
    found = bh.errors_shown(page)
    assert any("ValueError: rho must lie in (0, 1)" in f for f in found), found
    assert any(f.startswith("Explorer status: error in training") for f in found), found


@pytest.mark.parametrize("text", [
    "Traceback (most recent call last):\n  File ...\nZeroDivisionError: division by zero",
    "There was an error when executing cell [3]. Please run Voilà with --show_tracebacks=True",
], ids=["traceback", "voila-error"])
def test_tracebacks_and_voila_errors_are_errors(page, text):
    page.set_content(
        "<div class='jp-OutputArea-output' data-mime-type='application/vnd.jupyter.stderr'>"
        f"<pre>{text}</pre></div>")
    assert bh.errors_shown(page), text


def test_a_warning_on_stderr_is_not_an_error(page):
    page.set_content(
        "<div class='jp-OutputArea-output' data-mime-type='application/vnd.jupyter.stderr'>"
        "<pre>/x.py:3: RuntimeWarning: overflow encountered in exp</pre></div>")
    assert bh.errors_shown(page) == []
