"""The course website, built and read in a real browser.

Builds the site with tools/build_site.py into a temporary folder (from the notebooks' stored
outputs: no kernel runs), serves it on a loopback port and opens every page it links to in
Chromium (Playwright), as a reader would:

* every internal link of every page (anchors, images, scripts, stylesheets, downloads)
  resolves to a file of the site, and a ``#fragment`` to an id on its page;
* every page loads with no console error and no uncaught exception, and asks for nothing
  outside the site but the README's two badge images;
* every notebook in notebooks/ has a page, with as many figures drawn as the notebook stores
  PNG outputs, its live panels drawn from their stored widget state (the last frame's
  images), its solution cells' code folded, and a launch button that opens the same notebook on Binder in the student
  edition, as the README's Binder link does;
* the API reference documents every public name of ``aelab`` with its numpydoc sections;
  the landing page is the README and the instructor guide is there.

Chromium comes as in tests/browser/ (installed by .ci/install-browser when missing); the
widget manager's JavaScript is fetched from npm once by the build into its cache
(tools/build_site.py). When either is missing the test fails with the reason.
"""
from __future__ import annotations

import functools
import html.parser
import http.server
import json
import re
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))
sys.path.insert(0, str(REPO / "tools"))

import browser_helpers as bh  # noqa: E402
import build_site  # noqa: E402

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted((REPO / "notebooks").glob(build_site.NOTEBOOK_GLOB))
# A 1×1 transparent PNG, served in place of anything outside the site (the test is offline).
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(html folder, seconds the build took)."""
    out = tmp_path_factory.mktemp("site")
    t0 = time.monotonic()
    try:
        html_dir = build_site.build(out, quiet=True)
    except build_site.SiteError as exc:
        pytest.fail(f"the site did not build: {exc}", pytrace=False)
    return html_dir, time.monotonic() - t0


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built):
    html_dir, _ = built
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join(10)


@pytest.fixture(scope="module")
def browser(playwright_driver):
    # launched from the session's one Playwright driver (tests/conftest.py)
    try:
        chromium = bh.ensure_chromium()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        browser = playwright_driver.chromium.launch(executable_path=chromium,
                                                    args=bh.CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 - say which browser would not start
        pytest.fail(f"Chromium at {chromium} did not start under Playwright: {exc}",
                    pytrace=False)
    yield browser
    browser.close()


# ------------------------------------------------------------------ reading the HTML


class _Links(html.parser.HTMLParser):
    """The URLs a page refers to, and the ids (anchor targets) it defines."""

    ATTRS = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src",
             "iframe": "src"}

    def __init__(self):
        super().__init__()
        self.urls, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        url = attrs.get(self.ATTRS.get(tag, ""))
        if url:
            self.urls.append((tag, url))
        # index.html sends the reader on to the landing page with a refresh.
        refresh = re.match(r"\s*\d+\s*;\s*url=(.+)", attrs.get("content") or "", re.I)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh" and refresh:
            self.urls.append(("a", refresh.group(1).strip()))


def _parse(path):
    parser = _Links()
    parser.feed(path.read_text(errors="replace"))
    return parser


def _is_external(url):
    scheme = urllib.parse.urlsplit(url).scheme
    return bool(scheme) or url.startswith("//")


def crawl(html_dir):
    """Follow every internal link from index.html.

    Returns (pages reached: {relative path: parser}, broken: [(page, link, why)]).
    """
    html_dir = Path(html_dir)
    pages, broken = {}, []
    queue = ["index.html"]
    fragments = []  # (page, link, target page, fragment), checked once all pages are read
    while queue:
        rel = queue.pop()
        if rel in pages:
            continue
        pages[rel] = parsed = _parse(html_dir / rel)
        for tag, url in parsed.urls:
            if _is_external(url) or url.startswith(("mailto:", "javascript:", "data:")):
                continue
            parts = urllib.parse.urlsplit(url)
            target = (html_dir / rel).parent / urllib.parse.unquote(parts.path) \
                if parts.path else html_dir / rel
            target = target.resolve()
            if target.is_dir():
                target = target / "index.html"
            try:
                target_rel = target.relative_to(html_dir.resolve()).as_posix()
            except ValueError:
                broken.append((rel, url, "points outside the site"))
                continue
            if not target.is_file():
                broken.append((rel, url, f"no file {target_rel}"))
                continue
            if target.suffix == ".html":
                if tag == "a":
                    queue.append(target_rel)
                if parts.fragment:
                    fragments.append((rel, url, target_rel, parts.fragment))
    for rel, url, target_rel, fragment in fragments:
        if target_rel not in pages:
            pages[target_rel] = _parse(html_dir / target_rel)
        if urllib.parse.unquote(fragment) not in pages[target_rel].ids:
            broken.append((rel, url, f"no id {fragment!r} in {target_rel}"))
    return pages, broken


# ------------------------------------------------------------------ what the site must hold


def readme_binder_link():
    """The README's JupyterLab Binder link, e.g. .../HEAD?urlpath=lab/tree/student/00-....ipynb"""
    match = re.search(r"\((https://mybinder\.org/v2/gh/[^)\s]*urlpath=lab/tree/[^)\s]+\.ipynb)\)",
                      (REPO / "README.md").read_text())
    assert match, "the README has no Binder link to JupyterLab"
    return match.group(1)


def readme_badges():
    """The images the README itself loads from outside (its badges)."""
    return set(re.findall(r"!\[[^\]]*\]\((https://[^)\s]+)\)", (REPO / "README.md").read_text()))


def stored_figures(notebook):
    """PNG outputs stored in the notebook, and whether its widget state holds images."""
    nb = json.loads(notebook.read_text())
    pngs = sum("image/png" in out.get("data", {})
               for cell in nb["cells"] if cell["cell_type"] == "code"
               for out in cell.get("outputs", []))
    state = nb["metadata"].get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    shown = {out["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
             for cell in nb["cells"] if cell["cell_type"] == "code"
             for out in cell.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in out.get("data", {})}

    def holds_image(model_id, seen=()):
        model = state.get(model_id)
        if model is None or model_id in seen:
            return False
        if model["model_name"] == "ImageModel" and model.get("buffers"):
            return True
        children = model["state"].get("children", [])
        return any(holds_image(c.removeprefix("IPY_MODEL_"), seen + (model_id,))
                   for c in children)

    return pngs, any(holds_image(m) for m in shown)


def solution_cells(notebook):
    nb = json.loads(notebook.read_text())
    return sum(cell["cell_type"] == "code"
               and re.search(r"^\s*#+\s*BEGIN SOLUTION", "".join(cell["source"]), re.M)
               is not None for cell in nb["cells"])


# ------------------------------------------------------------------ the test


def _visit(page, url, messages):
    """Load url; wait for MathJax and the widget manager to finish; return the load time."""
    messages.clear()
    t0 = time.monotonic()
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    page.evaluate("""async () => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
            await MathJax.startup.promise;
        }
    }""")
    return time.monotonic() - t0


def test_site_builds_and_reads_in_chromium(built, server, browser):
    html_dir, build_seconds = built
    t0 = time.monotonic()
    pages, broken = crawl(html_dir)
    assert not broken, "broken internal links:\n" + "\n".join(
        f"  {page}: {link} ({why})" for page, link, why in broken[:40])
    crawl_seconds = time.monotonic() - t0

    # Every notebook, the guide and every API module has a page that the links reach.
    expected = ({f"notebooks/{nb.stem}.html" for nb in NOTEBOOKS}
                | {"README.html", "docs/INSTRUCTORS.html", "api/index.html"}
                | {f"api/{name}.html" for name in build_site.public_modules()})
    missing = sorted(expected - set(pages))
    assert not missing, f"pages not reachable from index.html: {missing}"

    badges = readme_badges()
    binder = readme_binder_link()
    binder_prefix = binder.rsplit("/", 1)[0] + "/"  # .../urlpath=lab/tree/student/
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    messages, outside = [], set()
    page.on("console", lambda m: messages.append(f"[{m.type}] {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"[pageerror] {e}"))

    def route(r):
        if r.request.url.startswith(server):
            r.continue_()
        else:
            outside.add(r.request.url)
            r.fulfill(status=200, content_type="image/png", body=BLANK_PNG)

    page.route("**/*", route)
    problems = []
    t0 = time.monotonic()
    timings = []
    # index.html only sends the reader on to README.html (a refresh), checked below.
    for rel in sorted(p for p in pages if not p.startswith("_") and p != "index.html"):
        seconds = _visit(page, server + rel, messages)
        timings.append((seconds, rel))
        stem = Path(rel).stem
        notebook = REPO / "notebooks" / f"{stem}.ipynb"
        if rel.startswith("notebooks/") and notebook.exists():
            problems += _check_notebook_page(page, rel, notebook, binder_prefix)
        errors = [m for m in messages if m.startswith(("[error]", "[pageerror]"))]
        if errors:
            problems.append(f"{rel}: console errors: {errors[:5]}")
        shown = [t for t in bh.ERROR_TEXTS if t in page.locator("body").inner_text()]
        if shown:
            problems.append(f"{rel}: the page shows {shown}")
    browse_seconds = time.monotonic() - t0

    # The landing page is the README, the guide is there.
    page.goto(server + "index.html", wait_until="load")
    page.wait_for_url(server + "README.html")
    readme_title = (REPO / "README.md").read_text().splitlines()[0].lstrip("# ").strip()
    if readme_title.split(" ")[0] not in page.locator("main h1").first.inner_text():
        problems.append(f"index.html does not open on the README ({readme_title!r})")
    page.goto(server + "docs/INSTRUCTORS.html", wait_until="load")
    guide_title = (REPO / "docs" / "INSTRUCTORS.md").read_text().splitlines()[0].lstrip("# ")
    if guide_title.strip() not in page.locator("main h1").first.inner_text().replace("’", "'"):
        problems.append("docs/INSTRUCTORS.html is not the instructor guide")
    problems += _check_api_reference(pages)
    problems += _check_numpydoc(page, server)

    unexpected = sorted(outside - badges)
    if unexpected:
        problems.append(f"the site asked for resources outside itself: {unexpected[:10]}")
    context.close()
    print(f"\nsite: built in {build_seconds:.0f} s, {len(pages)} pages crawled in "
          f"{crawl_seconds:.1f} s, opened in Chromium in {browse_seconds:.0f} s "
          f"(slowest: {', '.join(f'{r} {t:.1f} s' for t, r in sorted(timings)[-4:])})")
    assert not problems, "\n".join(problems)


def _check_notebook_page(page, rel, notebook, binder_prefix):
    problems = []
    pngs, panel_images = stored_figures(notebook)
    # The notebook's stored figures, drawn (an <img> that loaded has a natural width).
    drawn = page.evaluate("""() => Array.from(
        document.querySelectorAll('.cell_output img, .output img'))
        .filter(img => !img.closest('.jupyter-widgets') && img.complete
                       && img.naturalWidth > 0).length""")
    if drawn < pngs:
        problems.append(f"{rel}: {drawn} figures drawn, the notebook stores {pngs}")
    if panel_images:
        # The live panel's last stored frame: its filter grid and the other views' images,
        # drawn by the widget manager from the embedded state.
        try:
            page.wait_for_function("""() => Array.from(
                document.querySelectorAll('.jupyter-widgets img, img.widget-image'))
                .some(img => img.complete && img.naturalWidth > 0)""", timeout=20_000)
        except Exception:  # noqa: BLE001 - reported with the page's name
            problems.append(f"{rel}: the panel's stored frame was not drawn")
    # The exercises' solutions are folded: their code is not shown until asked for.
    solutions = solution_cells(notebook)
    folded = page.locator(".cell.tag_hide-input").count()
    shown = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.cell.tag_hide-input .cell_input')).filter(e => e.checkVisibility()).length""")
    if folded != solutions or shown:
        problems.append(f"{rel}: {folded} folded code cells ({shown} showing their code), "
                        f"the notebook has {solutions} solution cells")
    links = page.locator("a[href*='mybinder.org']").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")
    want = f"{binder_prefix}{notebook.name}"
    if want not in links:
        problems.append(f"{rel}: no launch button opening {want} (found {links})")
    return problems


def _check_api_reference(pages):
    """Every name aelab exports is documented where it is defined, with its sections."""
    import aelab

    problems = []
    ids = {}
    for rel, parsed in pages.items():
        if rel.startswith("api/"):
            for anchor in parsed.ids:
                ids.setdefault(anchor, rel)
    for name in aelab.__all__:
        obj = getattr(aelab, name)
        if isinstance(obj, type(aelab)):
            target = f"module-{obj.__name__}"
        else:
            target = f"{obj.__module__}.{obj.__qualname__}"
        if target not in ids:
            problems.append(f"API reference: no entry for aelab.{name} ({target})")
    return problems


def _check_numpydoc(page, server):
    """numpydoc turned the docstrings' sections into fields, not literal '-----' text."""
    page.goto(server + "api/aelab.autoencoder.html", wait_until="load")
    entry = page.locator("dl.py.class:has(> dt#aelab\\.autoencoder\\.Autoencoder) > dd").first
    fields = entry.locator(":scope > dl.field-list > dt").all_inner_texts()
    text = entry.inner_text()
    problems = []
    if not any(f.strip().startswith("Parameters") for f in fields):
        problems.append(f"API reference: Autoencoder has no Parameters field ({fields})")
    if "----------" in text:
        problems.append("API reference: numpydoc section underlines shown as text")
    if "fit(" not in text:
        problems.append("API reference: Autoencoder's methods are not documented")
    return problems
