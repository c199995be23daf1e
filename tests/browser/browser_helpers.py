"""Shared machinery for the real-browser tests and the README screenshot script.

Starts JupyterLab or Voilà on a free port with throw-away Jupyter directories, finds (or
installs) Debian's Chromium, and knows how the Explorer panel looks in the page: which element
is the filter image, where a slider's handle is, what an error looks like.

Used by tests/browser/conftest.py, test_jupyterlab.py, test_voila.py and screenshot.py.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
INSTALL_SCRIPT = REPO / ".ci" / "install-browser"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# ------------------------------------------------------------------ the browser


def find_chromium():
    """Path of the Chromium executable, or None."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure_chromium():
    """Chromium's path; runs .ci/install-browser once when it is missing.

    Raises RuntimeError (with the installer's output) when Chromium still cannot be found,
    so a machine without a browser fails loudly instead of skipping the browser tests.
    """
    path = find_chromium()
    if path:
        return path
    proc = subprocess.run([sys.executable, str(INSTALL_SCRIPT)], capture_output=True,
                          text=True)
    path = find_chromium()
    if path:
        return path
    raise RuntimeError(
        "Chromium is needed for the browser tests and could not be installed.\n"
        f"{INSTALL_SCRIPT.relative_to(REPO)} exited with {proc.returncode}:\n"
        f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}\n"
        "Install it yourself (Debian/Ubuntu: `sudo apt-get install -y chromium`) and make sure "
        "`chromium` is on PATH.")


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=ensure_chromium(), args=CHROMIUM_ARGS)


# ------------------------------------------------------------------ servers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_env(home):
    """Environment for a server that reads no user configuration and writes only in home."""
    home = Path(home)
    env = dict(os.environ)
    dirs = {
        "JUPYTER_CONFIG_DIR": home / "config",
        "JUPYTER_DATA_DIR": home / "data",
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": home / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "lab-workspaces",
        "IPYTHONDIR": home / "ipython",
    }
    for key, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        env[key] = str(path)
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["AELAB_OFFLINE"] = "1"  # no network here; the MNIST loader uses its embedded subset
    env["PYTHONUNBUFFERED"] = "1"
    # The panel runs in a kernel started by the server: make sure it imports this checkout.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    settings = dirs["JUPYTERLAB_SETTINGS_DIR"]
    _write_settings(settings, "@jupyterlab/apputils-extension", "notification",
                    {"checkForUpdates": False, "fetchNews": "false", "doNotDisturbMode": True})
    # Never write the notebook back: the tests run it, they must not change the course.
    _write_settings(settings, "@jupyterlab/docmanager-extension", "plugin",
                    {"autosave": False})
    # Every cell in the DOM (no virtual scrolling), so prompts and outputs can be inspected.
    _write_settings(settings, "@jupyterlab/notebook-extension", "tracker",
                    {"windowingMode": "none"})
    return env


def _write_settings(settings_dir, package, plugin, values):
    path = Path(settings_dir) / package / f"{plugin}.jupyterlab-settings"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values))


def _die_with_parent():
    """Linux: SIGTERM the server if the test process dies without its teardown (kill -9)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


class Server:
    """A Jupyter server (JupyterLab or Voilà) running in its own process group."""

    def __init__(self, argv, env, log_path, url, probe_url, any_answer=False):
        self.argv = argv
        self.any_answer = any_answer
        self.url = url
        self.probe_url = probe_url
        self.log_path = Path(log_path)
        self._log = open(self.log_path, "wb")
        # Its own process group (the kernels join it), so stop() can end all of it at once.
        self.proc = subprocess.Popen(argv, env=env, cwd=str(REPO), stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=_die_with_parent)

    def wait_ready(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} exited with {self.proc.returncode} before "
                                   f"answering:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.probe_url, timeout=5) as resp:
                    if resp.status == 200:
                        return self
            except urllib.error.HTTPError as exc:  # the server answered, with an error
                if self.any_answer:
                    return self
                last = exc
            except (urllib.error.URLError, ConnectionError, OSError) as exc:
                last = exc
            time.sleep(0.25)
        raise RuntimeError(f"{' '.join(self.argv[:2])} did not answer within {timeout:.0f} s "
                           f"({last}):\n{self.log_tail()}")

    def log_tail(self, n=6000):
        try:
            if not self._log.closed:
                self._log.flush()
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self, timeout=10.0):
        """SIGTERM the server's process group (server and kernels), SIGKILL what remains."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:  # kernels live in the same group; make sure none outlives the test
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        self._log.close()


def _root_flag():
    """Jupyter refuses to run as root (CI containers) without --allow-root."""
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def start_jupyterlab(home, timeout=90.0):
    port = free_port()
    token = secrets.token_hex(16)
    argv = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
            "--ip=127.0.0.1", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={REPO}", "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class="
            "jupyterlab.handlers.announcements.NeverCheckForUpdate", *_root_flag()]
    base = f"http://127.0.0.1:{port}"
    server = Server(argv, jupyter_env(home), Path(home) / "jupyterlab.log",
                    url=base, probe_url=f"{base}/api/status?token={token}")
    server.token = token
    return server.wait_ready(timeout)


def start_voila(notebook, home, timeout=60.0):
    port = free_port()
    argv = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
            "--Voila.ip=127.0.0.1", "--show_tracebacks=True", "--strip_sources=True"]
    base = f"http://127.0.0.1:{port}"
    # Voilà executes the notebook when its page is requested: probe another address, where
    # any answer (a 404 too) means the server is up, so readiness starts no execution.
    server = Server(argv, jupyter_env(home), Path(home) / "voila.log",
                    url=base, probe_url=f"{base}/voila/static/aelab-probe", any_answer=True)
    return server.wait_ready(timeout)


# ------------------------------------------------------------------ the page

# Text every error output contains: a Python traceback (JupyterLab; Voilà with
# --show_tracebacks) or Voilà's short message without it, or a widget that failed to render.
ERROR_TEXTS = ("Traceback (most recent call last)", "There was an error when executing cell",
               "Error displaying widget", "Failed to load model class")

# The Explorer shows a failure in its error box, a note drawn by aelab/explorer/session.py's note()
# with a red left border, and its status line then reads "error in <phase>: see below".
# (The colour alone is not enough: the k-sparse view writes its dead-unit count in it too.)
PANEL_ERROR_SELECTOR = "[style*='border-left:4px solid #a00000']"
PANEL_ERROR_STATUS = "error in "


def panel(page):
    """The Explorer's outermost box: the VBox holding the sliders and the filter view."""
    return page.locator(".widget-vbox").filter(
        has=page.locator(".widget-slider")).filter(
        has=page.locator(".widget-html", has_text="Filters W")).first


def filter_image(page):
    """The filter grid's <img>: the Image under the 'Filters W₁' title."""
    view = panel(page).locator(".widget-vbox").filter(
        has=page.locator(":scope > .widget-html", has_text="Filters W")).first
    return view.locator(":scope > img").first


def slider(page, description):
    """The panel's slider whose label contains `description` ('β', 'hidden units', …)."""
    return panel(page).locator(".widget-slider").filter(
        has=page.locator("label.widget-label", has_text=description)).first


def status_line(page):
    """The panel's status line ('warm start · iteration 40/200 · loss … · done')."""
    return panel(page).locator(".widget-html-content", has_text="iteration").first


def wait_panel_settled(page, timeout=60.0, changed_from=None):
    """Wait until the status line shows a final frame (not 'training…'); returns its text.

    changed_from: the status before a slider moved; its final text is not accepted (it would
    describe the previous training), only a new one is.
    """
    status = status_line(page)
    status.wait_for(state="visible", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = status.inner_text()
        if ("training…" not in text and "starting…" not in text
                and (changed_from is None or text != changed_from)):
            return text
        page.wait_for_timeout(200)
    raise AssertionError(f"the panel did not finish training within {timeout:.0f} s; "
                         f"status: {text!r}")


def errors_shown(page):
    """Texts of the errors visible in the page: tracebacks, Voilà errors, panel errors."""
    found = []
    for output in page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all():
        text = output.inner_text()
        if any(t in text for t in ERROR_TEXTS) or "Error" in text.split("\n", 1)[0]:
            found.append(text[:2000])
    body = page.locator("body").inner_text()
    for t in ERROR_TEXTS:
        if t in body and not any(t in f for f in found):
            found.append(f"page shows {t!r}")
    for box in page.locator(PANEL_ERROR_SELECTOR).all():
        if box.is_visible():
            found.append("Explorer error box: " + box.inner_text()[:2000])
    for html in page.locator(".widget-html-content").all():
        text = html.inner_text()
        if text.startswith(PANEL_ERROR_STATUS):
            found.append("Explorer status: " + text[:500])
    return found


def drag_slider(page, description, fraction):
    """Drag a slider's handle with the mouse to `fraction` (0…1) of its track.

    ipywidgets 8 draws sliders with noUiSlider: a `.noUi-handle` on a `.noUi-target` track.
    Returns the slider's readout text before and after the drag.
    """
    s = slider(page, description)
    s.scroll_into_view_if_needed()
    handle = s.locator(".noUi-handle").first
    track = s.locator(".noUi-target").first
    readout = s.locator(".widget-readout").first
    before = readout.inner_text()
    hb = handle.bounding_box()
    tb = track.bounding_box()
    assert hb and tb, f"the {description!r} slider has no visible handle or track"
    x0, y0 = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
    x1 = tb["x"] + fraction * tb["width"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y0, steps=12)
    page.mouse.up()
    return before, readout.inner_text()


def type_slider_value(page, description, text):
    """Type a value into a slider's readout (it is editable) and press Enter."""
    readout = slider(page, description).locator(".widget-readout").first
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(text))
    page.keyboard.press("Enter")
    readout.evaluate("e => e.blur()")
    return readout.inner_text()


def image_pixels(locator):
    """What the image looks like on screen: (its src, a PNG screenshot of the element)."""
    locator.scroll_into_view_if_needed()
    return locator.get_attribute("src"), locator.screenshot(animations="disabled")


def wait_image_changes(page, locator, before, timeout=30.0):
    """Seconds until the image's on-screen pixels differ from `before` (an image_pixels())."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        src, png = image_pixels(locator)
        if png != before[1]:
            return time.monotonic() - t0
        page.wait_for_timeout(100)
    raise AssertionError(
        f"the filter image did not change within {timeout:.0f} s of the drag "
        f"(src {'changed' if src != before[0] else 'unchanged'}, pixels unchanged)")


# ------------------------------------------------------------------ JupyterLab


def lab_prompts(page):
    """The execution prompts of the open notebook's code cells: '[3]:', '[*]:', '[ ]:'."""
    return [t.strip() for t in page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt"
    ).all_inner_texts()]


def open_notebook_in_lab(page, server, notebook, timeout=90.0):
    """Open `notebook` (a path under the repository) in JupyterLab; wait for an idle kernel
    and for every cell to be in the page."""
    rel = Path(notebook).resolve().relative_to(REPO).as_posix()
    n_cells = len(json.loads((REPO / rel).read_text())["cells"])
    page.goto(f"{server.url}/lab/tree/{rel}?token={server.token}", timeout=timeout * 1000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
        timeout=timeout * 1000)
    page.wait_for_function(
        "n => document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell').length >= n",
        arg=n_cells, timeout=timeout * 1000)
    return n_cells


def click_menu(page, menu, command):
    """Open a main-menu entry ('Run') and click one of its items by command id."""
    page.locator("#jp-MainMenu").get_by_role("menuitem", name=menu, exact=True).click()
    page.locator(f".lm-Menu li[data-command='{command}']").click()


def run_all_cells_in_lab(page, timeout=240.0):
    """Clear the saved outputs, then Run → Run All Cells, the way a student does; wait until
    the kernel is idle and no cell is queued. Returns the prompts."""
    click_menu(page, "Edit", "editmenu:clear-all")
    if any(p != "[ ]:" for p in lab_prompts(page)):
        raise AssertionError(f"outputs not cleared: {lab_prompts(page)}")
    click_menu(page, "Run", "runmenu:run-all")
    deadline = time.monotonic() + timeout
    prompts = []
    while time.monotonic() < deadline:
        prompts = lab_prompts(page)
        idle = page.locator(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']").count() > 0
        # Run All queues every cell at once ('[*]'), so "none queued, some ran, kernel idle"
        # is the end — also when a cell fails and JupyterLab drops the rest of the queue.
        if idle and "[*]:" not in prompts and any(p != "[ ]:" for p in prompts):
            return prompts
        page.wait_for_timeout(500)
    raise AssertionError(f"Run All did not finish within {timeout:.0f} s; prompts: {prompts}")
