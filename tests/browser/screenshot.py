"""Regenerate docs/explorer-jupyterlab.png: notebook 02's live panel in JupyterLab.

    python tests/browser/screenshot.py [--out docs/explorer-jupyterlab.png]
    python tests/browser/screenshot.py --panels [--out docs]

With ``--panels`` it writes docs/explorer-panel-01.png … -06.png instead: the six course
panels (aelab.explorer.course.course_panel) served by Voilà, each settled after its first
retrain, taken by the helper the browser tests use (course_pages.screenshot_panels).

Starts JupyterLab on a free port with throw-away settings, opens
notebooks/02-sparse-autoencoder.ipynb in Chromium (Playwright), runs all cells from the Run
menu, types β = 3 into its slider's readout (when a cell left it elsewhere), waits
for the retrain to settle, scrolls the panel's cell to the top and saves the window. Needs
what the browser tests need (Chromium, Playwright, the lab extra); takes about a minute.
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_helpers as bh  # noqa: E402

NOTEBOOK = bh.REPO / "notebooks" / "02-sparse-autoencoder.ipynb"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1100)
    parser.add_argument("--panels", action="store_true",
                        help="the six course panels, one PNG each, into --out (a folder)")
    args = parser.parse_args(argv)
    if args.panels:
        return course_panels(args.out or bh.REPO / "docs", args.width)
    args.out = args.out or bh.REPO / "docs" / "explorer-jupyterlab.png"

    from playwright.sync_api import sync_playwright

    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as home:
        lab = bh.start_jupyterlab(Path(home) / "jupyter")
        try:
            with sync_playwright() as pw:
                browser = bh.launch_browser(pw)
                page = browser.new_context(
                    viewport={"width": args.width, "height": args.height}).new_page()
                bh.open_notebook_in_lab(page, lab, NOTEBOOK)
                # Fold the file browser away (click its open tab): more room for the panel.
                page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
                bh.run_all_cells_in_lab(page, timeout=600)  # a busy machine is slow
                errors = bh.errors_shown(page)
                if errors:
                    raise SystemExit("notebook 02 shows errors:\n" + "\n\n".join(errors))
                bh.panel(page).scroll_into_view_if_needed()
                status = bh.wait_panel_settled(page, timeout=300)
                # UFLDL's β = 3 (typed only when a cell left it elsewhere: an unchanged
                # value starts no retrain, so there would be nothing to wait for).
                readout = bh.slider(page, "β").locator(".widget-readout").first
                if float(readout.inner_text()) != 3.0:
                    bh.type_slider_value(page, "β", "3")
                    bh.wait_panel_settled(page, timeout=300, changed_from=status)
                page.mouse.move(5, args.height - 5)  # no hover highlight on the slider
                # The panel's cell (its code, then the panel) at the top of the notebook.
                bh.panel(page).evaluate(
                    "e => e.closest('.jp-Cell').scrollIntoView({block: 'start'})")
                page.wait_for_timeout(500)
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                browser.close()
        finally:
            lab.stop()
    print(f"wrote {args.out} in {time.monotonic() - t0:.0f} s")


def course_panels(out_dir, width=1400):
    """docs/explorer-panel-NN.png: every course panel in Voilà, settled."""
    import course_pages as cp
    from playwright.sync_api import sync_playwright

    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as home:
        notebook = cp.write_course_notebook(Path(home) / "course-panels.ipynb")
        voila = bh.start_voila(notebook, Path(home) / "jupyter")
        try:
            with sync_playwright() as pw:
                browser = bh.launch_browser(pw)
                page = browser.new_context(viewport={"width": width, "height": 1000}).new_page()
                page.goto(voila.url + "/", timeout=300_000, wait_until="load")
                found = cp.panels(page)
                found.first.wait_for(state="visible", timeout=120_000)
                for i in range(found.count()):
                    found.nth(i).scroll_into_view_if_needed()
                    cp.wait_settled(page, found.nth(i), timeout=400)
                errors = bh.errors_shown(page)
                if errors:
                    raise SystemExit("the course panels show errors:\n" + "\n\n".join(errors))
                paths = cp.screenshot_panels(page, Path(out_dir))
                browser.close()
        finally:
            voila.stop()
    print(f"wrote {len(paths)} screenshots to {out_dir} in {time.monotonic() - t0:.0f} s")


if __name__ == "__main__":
    main()
