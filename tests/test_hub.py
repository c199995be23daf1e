"""Two students on a local JupyterHub: log in, pull the course with nbgitpuller, run notebook 02.

The deployment docs/DEPLOY.md describes for a small class, started and stopped by the test:
JupyterHub with the shared-password authenticator, SimpleLocalProcessSpawner (one
`jupyterhub-singleuser` per student, each in its own home directory under tmp, no system users
needed) and configurable-http-proxy from npm, installed by a fixture into a cache directory.
Every server listens on 127.0.0.1, on ports picked at run time.

Two students open the instructor's nbgitpuller link in two browser contexts of one Chromium
(separate cookies, as two laptops): the hub asks them to log in, starts their servers, clones
the course (a bare repository made from this checkout's HEAD, the local stand-in for GitHub)
into their homes and opens notebook 02. Both run all its cells at the same time and drag the
live panel's β slider. The test asserts that each panel retrains and redraws, that a change by
one student shows up nowhere in the other's page, files or server (own kernel process, own
copy of the notebook, the other's server refuses their cookie), and that after the hub is
stopped none of its processes (proxy, servers, kernels) is alive and none of its ports answers.
Screenshots of both students' panels, before and after the drag, go to test-artifacts/hub/.
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
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "browser"))
import browser_helpers as bh  # noqa: E402


NOTEBOOK = "notebooks/02-sparse-autoencoder.ipynb"
STUDENTS = ("alice", "bob")
PASSWORD = "autoencoders-2026"  # the shared password (SharedPasswordAuthenticator: >= 8 chars)
CHP_VERSION = "4.6.3"  # Node >= 10; the 5.x line's dependencies want Node 22
ARTIFACTS = bh.ARTIFACTS / "hub"
VIEWPORT = {"width": 1400, "height": 1000}


# ------------------------------------------------------------------ configurable-http-proxy


def _cache_dir():
    root = os.environ.get("AELAB_TEST_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "aelab-tests")
    return Path(root) / f"configurable-http-proxy-{CHP_VERSION}"


@pytest.fixture(scope="module")
def chp_command():
    """Path of the `configurable-http-proxy` executable, installed with npm when missing."""
    prefix = _cache_dir()
    exe = prefix / "node_modules" / ".bin" / "configurable-http-proxy"
    if not exe.exists():
        npm, node = shutil.which("npm"), shutil.which("node")
        if not (npm and node):
            pytest.fail("the hub test needs Node.js and npm for configurable-http-proxy "
                        "(Debian: apt-get install -y nodejs npm)", pytrace=False)
        prefix.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix),
             f"configurable-http-proxy@{CHP_VERSION}"],
            capture_output=True, text=True, timeout=300)
        if proc.returncode != 0 or not exe.exists():
            pytest.fail(f"npm install configurable-http-proxy@{CHP_VERSION} into {prefix} "
                        f"failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n"
                        f"{proc.stderr[-3000:]}", pytrace=False)
    return exe


# ------------------------------------------------------------------ the course repository


def _git(*args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(scope="module")
def course_repo(tmp_path_factory):
    """A bare repository holding this checkout's HEAD as branch main: the course on 'GitHub'."""
    bare = tmp_path_factory.mktemp("remote") / "aelab.git"
    _git("init", "-q", "--bare", str(bare))
    _git("push", "-q", str(bare), "HEAD:refs/heads/main", cwd=bh.REPO)
    _git("symbolic-ref", "HEAD", "refs/heads/main", cwd=bare)
    return bare


# ------------------------------------------------------------------ processes and ports


def _children():
    """{parent pid: [child pids]} of every process now alive."""
    tree = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _descendants(pid):
    tree, found, todo = _children(), [], [pid]
    while todo:
        kids = tree.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def _alive(pid):
    """True while `pid` runs (a zombie, dead but not yet reaped, does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _environ(pid):
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    return dict(kv.split("=", 1) for kv in raw.decode(errors="replace").split("\0") if "=" in kv)


def _cpu_seconds(pid):
    """CPU time (user + system, seconds) that process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _memory_mb(pid, key):
    """A /proc/<pid>/status memory figure in MB: 'VmRSS' (now) or 'VmHWM' (peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _answers(port):
    with socket.socket() as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


# ------------------------------------------------------------------ the hub


DEPLOY_CONFIG = bh.REPO / "deploy" / "local" / "jupyterhub_config.py"

# The test runs deploy/local/jupyterhub_config.py, the small-class hub of docs/DEPLOY.md, with
# its settings in the environment, and adds only what a test needs on top: every port on
# loopback, the hub's state in tmp, a known proxy token (to read the routing table).
HUB_CONFIG = """\
c = get_config()  # noqa: F821
load_subconfig({deploy!r})  # noqa: F821
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = {db_url!r}
c.JupyterHub.cookie_secret_file = {cookie_file!r}
c.JupyterHub.cleanup_proxy = True
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.auth_token = {proxy_token!r}
c.ConfigurableHTTPProxy.pid_file = {proxy_pid_file!r}
c.Spawner.ip = "127.0.0.1"
c.Spawner.args = {spawner_args!r}
c.Spawner.environment = {{**c.Spawner.environment, **{environment!r}}}
"""


class Hub(bh.Server):
    """JupyterHub in its own process group, with the ports and paths the test checks."""

    def processes(self):
        """{pid: command line} of the hub's descendants now alive (proxy, servers, kernels)."""
        return {pid: _cmdline(pid) for pid in _descendants(self.proc.pid) if _alive(pid)}

    def routes(self):
        """The proxy's routing table: {path prefix: target URL}."""
        req = urllib.request.Request(f"{self.api_url}/api/routes",
                                     headers={"Authorization": f"token {self.proxy_token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return {path.rstrip("/"): r["target"] for path, r in json.load(resp).items()}

    def shutdown(self, timeout=90.0):
        """Stop the hub the way an instructor does (SIGTERM, Ctrl+C): it stops the students'
        servers and the proxy itself. Returns its exit status (None if it hung)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                return None
        return self.proc.returncode

    def kill_all(self, pids):
        """Teardown after a failure: SIGKILL whatever of the hub may still be running."""
        for pid in set(pids) | set(_descendants(self.proc.pid)):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.stop(timeout=5)


def _student_settings(home):
    """JupyterLab settings in a student's home: every cell in the DOM (the test reads all
    prompts), no news or update checks (no network here), no autosave (a file changes only
    when its student saves it, so the test knows what each file must hold)."""
    settings = Path(home) / ".jupyter" / "lab" / "user-settings"
    bh._write_settings(settings, "@jupyterlab/docmanager-extension", "plugin",
                       {"autosave": False})
    bh._write_settings(settings, "@jupyterlab/notebook-extension", "tracker",
                       {"windowingMode": "none"})
    bh._write_settings(settings, "@jupyterlab/apputils-extension", "notification",
                       {"checkForUpdates": False, "fetchNews": "false",
                        "doNotDisturbMode": True})


@pytest.fixture
def hub(tmp_path, chp_command):
    homes = tmp_path / "home"
    for name in STUDENTS:
        _student_settings(homes / name)
    ports = {}
    for key in ("public_port", "hub_port", "api_port"):
        port = bh.free_port()
        while port in ports.values():
            port = bh.free_port()
        ports[key] = port
    proxy_token = secrets.token_hex(16)
    environment = {
        "AELAB_OFFLINE": "1",  # no network here: the MNIST loader uses its embedded subset
        "AELAB_CONVERGENCE": os.environ.get("AELAB_CONVERGENCE", "error"),
        "PYTHONUNBUFFERED": "1",
    }
    roster = tmp_path / "roster.txt"
    roster.write_text("# the class\n" + "\n".join(STUDENTS) + "\n")
    config = tmp_path / "jupyterhub_config.py"
    config.write_text(HUB_CONFIG.format(
        deploy=str(DEPLOY_CONFIG), hub_port=ports["hub_port"], api_port=ports["api_port"],
        db_url=f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}",
        cookie_file=str(tmp_path / "jupyterhub_cookie_secret"), proxy_token=proxy_token,
        proxy_pid_file=str(tmp_path / "proxy.pid"),
        # Jupyter servers refuse to run as root (CI's containers) without --allow-root.
        spawner_args=bh._root_flag(), environment=environment))
    env = dict(os.environ, AELAB_HUB_PASSWORD=PASSWORD, AELAB_HUB_ROSTER=str(roster),
               AELAB_HUB_HOMES=str(homes), AELAB_HUB_IP="127.0.0.1",
               AELAB_HUB_PORT=str(ports["public_port"]), AELAB_HUB_CHP=str(chp_command))
    base = f"http://127.0.0.1:{ports['public_port']}"
    server = Hub([sys.executable, "-m", "jupyterhub", "-f", str(config)], env,
                 tmp_path / "jupyterhub.log", url=base, probe_url=f"{base}/hub/health")
    server.ports = ports
    server.homes = homes
    server.api_url = f"http://127.0.0.1:{ports['api_port']}"
    server.proxy_token = proxy_token
    seen = {}
    server.seen = seen
    try:
        server.wait_ready(timeout=90)
    except RuntimeError as exc:
        server.kill_all(())
        pytest.fail(str(exc), pytrace=False)
    yield server
    if server.proc.poll() is None or any(_alive(p) for p in seen):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "jupyterhub.log").write_text(server.log_tail(200_000))
    server.kill_all(seen)


# ------------------------------------------------------------------ a student's browser


def pull_link(base, repo):
    """The instructor's nbgitpuller link: pull `repo` into the student's home, open notebook 02."""
    query = urllib.parse.urlencode({
        "repo": repo.as_uri(), "branch": "main", "targetPath": repo.stem,
        "urlpath": f"lab/tree/{repo.stem}/{NOTEBOOK}"})
    return f"{base}/hub/user-redirect/git-pull?{query}"


def log_in(page, link, name):
    """Follow the link as a student: the hub asks for a name and the shared password."""
    page.goto(link)
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(PASSWORD)
    page.locator("#login_submit").click()


def wait_course_open(page, name, timeout=240.0):
    """Wait for the student's server, the pull and notebook 02 with an idle kernel."""
    page.wait_for_url(f"**/user/{name}/lab/tree/**", timeout=timeout * 1000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
        timeout=timeout * 1000)
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=timeout * 1000)


def panel_cell_index(notebook_json):
    """Index of the cell that builds notebook 02's Explorer (`panel = ...`)."""
    for i, cell in enumerate(notebook_json["cells"]):
        if cell["cell_type"] == "code" and "panel = " in "".join(cell["source"]):
            return i
    raise AssertionError(f"no cell of {NOTEBOOK} builds the panel (`panel = ...`)")


def start_run(page, up_to=None):
    """Edit → Clear Outputs of All Cells, then Run → Run All Cells, or, with `up_to` (a cell
    index), select the cell after it and Run → Run All Above Selected Cell. Returns at once."""
    bh.click_menu(page, "Edit", "editmenu:clear-all")
    if up_to is None:
        bh.click_menu(page, "Run", "runmenu:run-all")
        return
    page.locator(".jp-NotebookPanel .jp-Cell").nth(up_to + 1).click()
    bh.click_menu(page, "Run", "notebook:run-all-above")


def wait_all_ran(pages, timeout=420.0):
    """Wait until every page's kernel is idle with no cell queued; returns their prompts."""
    deadline = time.monotonic() + timeout
    done = {}
    while time.monotonic() < deadline and len(done) < len(pages):
        for name, page in pages.items():
            if name in done:
                continue
            prompts = bh.lab_prompts(page)
            idle = page.locator(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']").count() > 0
            if idle and "[*]:" not in prompts and any(p != "[ ]:" for p in prompts):
                done[name] = prompts
        time.sleep(0.5)
    missing = set(pages) - set(done)
    assert not missing, f"Run All did not finish within {timeout:.0f} s for {sorted(missing)}"
    return done


def shot(page, name):
    """Screenshot of the window with the panel's top (its sliders, status, filters) in view."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    bh.panel(page).evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def panel_state(page):
    """What a student sees of the panel: (β readout, filter image src, status line)."""
    beta = bh.slider(page, "β").locator(".widget-readout").first.inner_text()
    return beta, bh.filter_image(page).get_attribute("src"), bh.status_line(page).inner_text()


def _wait_saved_counts(path, expected, timeout=30.0):
    """The execution counts of the code cells in the notebook at `path`, once they equal
    `expected` or `timeout` seconds have passed (a file caught half-written reads as [])."""
    deadline = time.monotonic() + timeout
    counts = []
    while time.monotonic() < deadline:
        try:
            cells = json.loads(Path(path).read_text())["cells"]
        except (OSError, ValueError, KeyError):
            cells = []
        counts = [c.get("execution_count") for c in cells if c["cell_type"] == "code"]
        if counts == expected:
            break
        time.sleep(0.25)
    return counts


# ------------------------------------------------------------------ the test


@pytest.fixture
def pages(browser_for_hub, hub):
    """A browser context (own cookies) and page per student; on failure, each page's
    screenshot and console and the hub's log go to test-artifacts/hub/."""
    contexts, pages, consoles = {}, {}, {}
    for name in STUDENTS:
        contexts[name] = browser_for_hub.new_context(viewport=VIEWPORT)
        page = pages[name] = contexts[name].new_page()
        page.set_default_timeout(60_000)
        log = consoles[name] = []
        page.on("console", lambda m, log=log: log.append(f"[{m.type}] {m.text}"))
        page.on("pageerror", lambda e, log=log: log.append(f"[pageerror] {e}"))
    failed = []
    yield pages, failed.append
    if failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for name, page in pages.items():
            try:
                page.screenshot(path=str(ARTIFACTS / f"failed-{name}.png"), full_page=True,
                                timeout=15_000)
            except Exception as exc:  # noqa: BLE001 - a screenshot must not hide the failure
                consoles[name].append(f"[artifact] screenshot failed: {exc}")
            (ARTIFACTS / f"failed-{name}.console.txt").write_text(
                f"url: {page.url}\n" + "\n".join(consoles[name]))
        (ARTIFACTS / "jupyterhub.log").write_text(hub.log_tail(400_000))
    for context in contexts.values():
        context.close()


@pytest.mark.browser
@pytest.mark.hub
def test_two_students_pull_the_course_and_drive_their_own_panels(hub, course_repo, pages,
                                                                  capsys):
    pages, failed = pages
    t0 = time.monotonic()
    marks = []

    def mark(label):
        marks.append(f"{label} {time.monotonic() - t0:.0f}s")

    try:
        _two_students(hub, course_repo, pages, mark)
    except BaseException:
        failed(True)
        raise
    finally:
        with capsys.disabled():
            print("\nhub test: " + ", ".join(marks))


def _two_students(hub, course_repo, pages, mark):

    link = pull_link(hub.url, course_repo)
    for name, page in pages.items():  # both servers start at the same time
        log_in(page, link, name)
    for name, page in pages.items():
        wait_course_open(page, name)
    mark("both logged in, pulled, notebook open")

    pulled = {name: hub.homes / name / "aelab" / NOTEBOOK for name in STUDENTS}
    original = _git("show", f"main:{NOTEBOOK}", cwd=course_repo)
    for name, path in pulled.items():
        assert path.exists(), f"nbgitpuller did not clone the course into {name}'s home"
        assert json.loads(path.read_text()) == json.loads(original), (
            f"{name}'s notebook 02 is not the course's")

    # Notebook 02 whole takes ~70 s of CPU per student; by default both run every cell up to
    # and including the panel's (~35 s each), AELAB_HUB_RUN_ALL=1 runs all of it.
    nb = json.loads(original)
    up_to = None if os.environ.get("AELAB_HUB_RUN_ALL") == "1" else panel_cell_index(nb)
    n_code = sum(c["cell_type"] == "code" for c in nb["cells"][:None if up_to is None
                                                                 else up_to + 1])
    for page in pages.values():
        start_run(page, up_to)
    prompts = wait_all_ran(pages)
    mark(f"both ran {n_code} code cells at the same time")
    for name, page in pages.items():
        errors = bh.errors_shown(page)
        assert not errors, f"{name} sees errors after the run:\n\n" + "\n\n".join(errors)
        not_run = [i for i, p in enumerate(prompts[name][:n_code]) if not p[1:-2].isdigit()]
        assert not not_run, f"{name}'s code cells {not_run} did not run: {prompts[name]}"

    # Each student has a server and a kernel of their own: distinct processes, found under
    # the hub's process tree by the user the hub gave them.
    procs = hub.processes()
    hub.seen.update(procs)
    servers = {_environ(pid).get("JUPYTERHUB_USER"): pid for pid, cmd in procs.items()
               if "jupyterhub.singleuser" in cmd}
    assert set(servers) == set(STUDENTS), f"single-user servers found: {procs}"
    kernels = {name: [p for p in _descendants(pid) if "ipykernel" in _cmdline(p)]
               for name, pid in servers.items()}
    assert all(len(k) == 1 for k in kernels.values()), f"kernels per student: {kernels}"
    kernels = {name: k[0] for name, k in kernels.items()}
    usage = {name: {"kernel CPU s, start + cells up to the panel"
                    if up_to is not None else "kernel CPU s, start + all cells":
                    round(_cpu_seconds(kernels[name]), 1),
                    "kernel peak MB": round(_memory_mb(kernels[name], "VmHWM"), 1),
                    "server RSS MB": round(_memory_mb(servers[name], "VmRSS"), 1)}
             for name in STUDENTS}
    assert any("configurable-http-proxy" in cmd for cmd in procs.values()), procs
    routes = hub.routes()
    targets = {name: routes.get(f"/user/{name}") for name in STUDENTS}
    assert None not in targets.values(), f"the proxy has no route to a student: {routes}"
    assert len(set(targets.values())) == 2, f"both students routed to one server: {targets}"
    user_ports = [urllib.parse.urlsplit(t).port for t in targets.values()]

    # Bob's cookie does not open Alice's server.
    other = pages["bob"].request.get(
        f"{hub.url}/user/alice/api/contents/aelab/{NOTEBOOK}", max_redirects=5)
    assert other.status in (403, 404) or "/hub/login" in other.url, (
        f"bob reached alice's files: {other.status} {other.url}")

    for name, page in pages.items():
        bh.panel(page).scroll_into_view_if_needed()
        bh.wait_panel_settled(page)
        shot(page, f"{name}-1-after-run-all")
    start = {name: panel_state(page) for name, page in pages.items()}

    # Alice drags β; her panel retrains and redraws, Bob's stays as it was.
    a, b = pages["alice"], pages["bob"]
    image_a = bh.filter_image(a)
    pixels_a = bh.image_pixels(image_a)
    cpu_before = _cpu_seconds(kernels["alice"])
    old, new_a = bh.drag_slider(a, "β", 0.6)
    assert old != new_a, f"dragging alice's β slider did not move it ({old!r})"
    bh.wait_image_changes(a, image_a, pixels_a, timeout=60)
    status_a = bh.wait_panel_settled(a, changed_from=start["alice"][2])
    assert "warm start" in status_a, status_a
    usage["alice"]["kernel CPU s, one β drag to its final frame"] = round(
        _cpu_seconds(kernels["alice"]) - cpu_before, 2)
    mark(f"alice: β {old}→{new_a}, panel retrained")
    shot(a, "alice-2-after-drag")
    time.sleep(1.0)  # give a (wrongly) shared kernel time to push a frame to bob
    assert panel_state(b) == start["bob"], (
        "alice's drag changed bob's panel", start["bob"], panel_state(b))
    shot(b, "bob-2-while-alice-dragged")

    # Bob drags β elsewhere; his panel changes, Alice keeps her value and her frame.
    after_a = panel_state(a)
    image_b = bh.filter_image(b)
    pixels_b = bh.image_pixels(image_b)
    cpu_before = _cpu_seconds(kernels["bob"])
    old, new_b = bh.drag_slider(b, "β", 0.25)
    assert old != new_b and new_b != new_a, (old, new_b, new_a)
    bh.wait_image_changes(b, image_b, pixels_b, timeout=60)
    status_b = bh.wait_panel_settled(b, changed_from=start["bob"][2])
    assert "warm start" in status_b, status_b
    usage["bob"]["kernel CPU s, one β drag to its final frame"] = round(
        _cpu_seconds(kernels["bob"]) - cpu_before, 2)
    for name in STUDENTS:
        usage[name]["kernel peak MB"] = round(_memory_mb(kernels[name], "VmHWM"), 1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "usage.json").write_text(json.dumps(usage, indent=1))
    mark("usage " + json.dumps(usage))
    mark(f"bob: β {old}→{new_b}, panel retrained")
    shot(b, "bob-3-after-drag")
    time.sleep(1.0)
    assert panel_state(a) == after_a, ("bob's drag changed alice's panel", after_a,
                                       panel_state(a))
    for name, page in pages.items():
        errors = bh.errors_shown(page)
        assert not errors, f"{name} sees errors after the drags:\n\n" + "\n\n".join(errors)

    # Alice saves: her copy of the notebook on disk gets her outputs, Bob's is still the
    # course's as pulled.
    a.keyboard.press("Control+s")
    shown = [int(p[1:-2]) if p[1:-2].isdigit() else None for p in prompts["alice"]]
    saved = _wait_saved_counts(pulled["alice"], shown)
    assert saved == shown, (f"alice's file does not hold her run after she saved: execution "
                            f"counts {saved}, her page shows {shown}")
    assert json.loads(pulled["bob"].read_text()) == nb, "alice's save changed bob's file"
    for page in pages.values():
        page.context.close()

    # Stop the hub: nothing of it may keep running or listening.
    procs = hub.processes()
    hub.seen.update(procs)
    rc = hub.shutdown()
    mark("hub stopped")
    assert rc is not None, "the hub did not exit within 90 s of SIGTERM"
    time.sleep(1.0)
    left = {pid: cmd for pid, cmd in hub.seen.items() if _alive(pid)}
    assert not left, f"still running after the hub stopped: {left}"
    ports = [*hub.ports.values(), *user_ports]
    open_ports = [p for p in ports if _answers(p)]
    assert not open_ports, f"ports still answering after the hub stopped: {open_ports}"


@pytest.fixture(scope="module")
def browser_for_hub(playwright_driver):
    """One Chromium for both students (each gets its own context: own cookies), launched
    from the session's one Playwright driver (tests/conftest.py)."""
    try:
        path = bh.ensure_chromium()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    browser = playwright_driver.chromium.launch(executable_path=path, args=bh.CHROMIUM_ARGS)
    yield browser
    browser.close()


# ------------------------------------------------------------------ the deployments' files
# No cluster, helm or chart here: the Kubernetes configuration is checked against the chart's
# values schema (the part of it that config.yaml uses, transcribed in
# deploy/z2jh/values.schema.subset.yaml), JupyterHub's own traits, and the measured sizing.

Z2JH = bh.REPO / "deploy" / "z2jh"


def _yaml(path):
    import yaml

    return yaml.safe_load(Path(path).read_text())


def _schema_errors(values):
    from jsonschema import Draft7Validator

    schema = _yaml(Z2JH / "values.schema.subset.yaml")
    Draft7Validator.check_schema(schema)
    return sorted(f"{'.'.join(map(str, e.absolute_path)) or '<top>'}: {e.message}"
                  for e in Draft7Validator(schema).iter_errors(values))


def test_z2jh_config_uses_only_keys_the_chart_defines():
    values = _yaml(Z2JH / "config.yaml")
    errors = _schema_errors(values)
    assert not errors, "deploy/z2jh/config.yaml breaks the chart's schema:\n" + "\n".join(errors)
    # The check can fail: a misspelt key and a wrong type are caught, as helm would catch them.
    bad = json.loads(json.dumps(values))
    bad["singleuser"]["memory"]["limt"] = bad["singleuser"]["memory"].pop("limit")
    bad["cull"]["timeout"] = "1h"
    caught = _schema_errors(bad)
    assert any("limt" in e for e in caught) and any(e.startswith("cull.timeout") for e in caught)


def test_z2jh_schema_subset_is_closed_like_the_chart():
    """Every object level of the transcribed schema refuses unknown keys, except the two the
    chart leaves open (hub.config: traitlets; singleuser.extraEnv: environment variables)."""
    open_levels = []

    def walk(node, path):
        if isinstance(node, dict) and "properties" in node:
            if node.get("additionalProperties") is not False:
                open_levels.append(path)
            for key, sub in node["properties"].items():
                walk(sub, f"{path}.{key}" if path else key)
        elif isinstance(node, dict) and node.get("additionalProperties") is True:
            open_levels.append(path)

    walk(_yaml(Z2JH / "values.schema.subset.yaml"), "")
    assert sorted(open_levels) == ["hub.config", "singleuser.extraEnv"], open_levels


# Traits of OAuthenticator 17 that config.yaml sets on GitHubOAuthenticator (OAuthenticator's
# client_id, client_secret, oauth_callback_url, scope; GitHub's allowed_organizations), read
# from oauthenticator 17.4's classes. The image of the hub (chart 4.x) ships oauthenticator;
# this test environment does not, so they are listed here; Authenticator's own are checked
# against JupyterHub below.
GITHUB_OAUTHENTICATOR_TRAITS = {"client_id", "client_secret", "oauth_callback_url", "scope",
                                "allowed_organizations"}


def test_z2jh_hub_config_names_real_jupyterhub_traits():
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import Authenticator

    known = {"JupyterHub": set(JupyterHub.class_trait_names(config=True)),
             "Authenticator": set(Authenticator.class_trait_names(config=True))}
    known["GitHubOAuthenticator"] = known["Authenticator"] | GITHUB_OAUTHENTICATOR_TRAITS
    config = _yaml(Z2JH / "config.yaml")["hub"]["config"]
    unknown = [f"{cls}.{trait}" for cls, traits in config.items()
               for trait in traits if trait not in known.get(cls, ())]
    assert not unknown, f"hub.config sets traits JupyterHub does not have: {unknown}"
    assert config["JupyterHub"]["authenticator_class"] == "github"
    assert "allowed_organizations" in config["GitHubOAuthenticator"], (
        "a GitHub login without an allowed organisation lets every GitHub user in")


def _bytes(quantity):
    """A Kubernetes memory quantity ('1G', '1536Mi', 2e9) in bytes."""
    units = {"K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
             "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    text = str(quantity)
    for suffix in sorted(units, key=len, reverse=True):
        if text.endswith(suffix):
            return float(text[:-len(suffix)]) * units[suffix]
    return float(text)


def test_z2jh_sizing_follows_the_measured_peaks():
    """config.yaml's memory and CPU per student cover what deploy/z2jh/sizing.json measured:
    the highest notebook kernel peak plus the Jupyter server fits in the guarantee, two
    notebooks open at once fit in the limit, and a panel gets one whole core."""
    sizing = json.loads((Z2JH / "sizing.json").read_text())
    peaks = sizing["kernel_peak_mb"]
    pending = set(sizing["not_measured"])  # said so, in sizing.json and docs/DEPLOY.md
    notebooks = sorted(p.name for p in (bh.REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    missing = [n for n in notebooks if n not in peaks and n not in pending]
    assert not missing, (f"deploy/z2jh/sizing.json has no memory peak for {missing}: measure "
                         f"them as it says ({sizing['how']!r}) and check config.yaml's sizing")
    assert not pending & set(peaks), pending & set(peaks)
    server = sizing["server_rss_mb"]
    single = _yaml(Z2JH / "config.yaml")["singleuser"]
    mb = 1e6
    worst = max(peaks.values())
    guarantee, limit = _bytes(single["memory"]["guarantee"]), _bytes(single["memory"]["limit"])
    assert guarantee >= (worst + server) * mb, (guarantee / mb, worst, server)
    two = sorted(peaks.values())[-2:]
    assert limit >= (sum(two) + server) * mb, (limit / mb, two, server)
    assert single["cpu"]["limit"] >= 1.0 >= single["cpu"]["guarantee"] > 0
    assert single["extraEnv"]["OMP_NUM_THREADS"] == str(int(single["cpu"]["limit"]))


def _load_local_config(env, monkeypatch):
    from traitlets.config.loader import PyFileConfigLoader

    for key in [k for k in os.environ if k.startswith("AELAB_HUB_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return PyFileConfigLoader(DEPLOY_CONFIG.name, str(DEPLOY_CONFIG.parent)).load_config()


def test_local_hub_config_needs_a_password_and_reads_the_roster(tmp_path, monkeypatch):
    with pytest.raises(SystemExit, match="AELAB_HUB_PASSWORD"):
        _load_local_config({"AELAB_HUB_PASSWORD": "short"}, monkeypatch)
    roster = tmp_path / "roster.txt"
    roster.write_text("# term 1\nalice\n\n bob \n")
    config = _load_local_config({"AELAB_HUB_PASSWORD": PASSWORD, "AELAB_HUB_ROSTER": str(roster),
                                 "AELAB_HUB_HOMES": str(tmp_path / "homes")}, monkeypatch)
    assert config.Authenticator.allowed_users == {"alice", "bob"}
    assert config.SimpleLocalProcessSpawner.home_dir_template == str(
        tmp_path / "homes" / "{username}")
    assert config.Spawner.cmd == [sys.executable, "-m", "jupyterhub.singleuser"]
    open_class = _load_local_config({"AELAB_HUB_PASSWORD": PASSWORD}, monkeypatch)
    assert open_class.Authenticator.allow_all is True
