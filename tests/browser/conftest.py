"""Fixtures for the real-browser tests: Chromium (installed when missing), a page, artifacts.

The tests drive JupyterLab and Voilà in Debian's Chromium through Playwright for Python.
When `chromium` is not on PATH, the session runs .ci/install-browser (apt-get, as root) once;
when it still cannot be found the tests FAIL with the reason, they are never skipped.
A failing test leaves a full-page screenshot, the browser console and the server's log in
test-artifacts/browser/.
"""
import re
import time

import pytest

import browser_helpers as bh

VIEWPORT = {"width": 1400, "height": 1000}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives JupyterLab or Voilà in a real Chromium through Playwright")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _failed(request):
    return any(getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
               for when in ("setup", "call"))


def _artifact_stem(request):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])[:120]


@pytest.fixture(scope="session")
def chromium_path():
    # Runs .ci/install-browser at most once per session: pytest caches a session fixture's
    # failure too.
    try:
        return bh.ensure_chromium()
    except RuntimeError as exc:
        message = str(exc)
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def browser(chromium_path, playwright_driver):
    try:
        browser = playwright_driver.chromium.launch(executable_path=chromium_path,
                                                    args=bh.CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 - say which browser would not start
        message = f"Chromium at {chromium_path} did not start under Playwright: {exc}"
        browser = None
    if browser is None:
        pytest.fail(message, pytrace=False)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context (no cookies, no storage) and page, 1400×1000."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    console = []
    page.on("console", lambda m: console.append(f"[{m.type}] {m.text}"))
    page.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
    yield page
    if _failed(request):
        out = bh.ARTIFACTS / "browser"
        out.mkdir(parents=True, exist_ok=True)
        stem = _artifact_stem(request)
        try:
            page.screenshot(path=str(out / f"{stem}.png"), full_page=True, timeout=15_000)
        except Exception as exc:  # noqa: BLE001 - a screenshot must not hide the failure
            console.append(f"[artifact] screenshot failed: {exc}")
        (out / f"{stem}.console.txt").write_text("\n".join(console))
    context.close()


@pytest.fixture
def server_log(request):
    """Register a started server; its log is copied to test-artifacts/ when the test fails,
    and it is stopped (with its kernels) at teardown."""
    servers = []
    yield servers.append
    for server in servers:
        server.stop()
        if _failed(request):
            out = bh.ARTIFACTS / "browser"
            out.mkdir(parents=True, exist_ok=True)
            name = f"{_artifact_stem(request)}.{server.log_path.stem}.log"
            (out / name).write_text(server.log_tail(200_000))


@pytest.fixture
def stopwatch(request):
    """Records the phases of a test (seconds) and prints them, for the timing notes."""
    marks = []
    t0 = time.monotonic()

    def mark(label):
        marks.append((label, time.monotonic() - t0))

    yield mark
    line = ", ".join(f"{label} {t:.1f}s" for label, t in marks)
    print(f"\n{request.node.name}: {line}")
