"""JupyterHub for a small class on one machine (docs/DEPLOY.md): `jupyterhub -f` this file.

What it sets up:

* login with one shared password (JupyterHub's SharedPasswordAuthenticator), for the names in
  a roster file, or for any name when there is no roster;
* one Jupyter server per student, started by SimpleLocalProcessSpawner as the account that
  runs the hub, in a home directory of its own (no system users needed), opening JupyterLab;
* configurable-http-proxy (npm) in front, started and stopped by the hub.

Students get the course with an nbgitpuller link (docs/DEPLOY.md says how to write one).

SimpleLocalProcessSpawner gives no isolation: every student's server runs as the same OS
user, so a student who knows the paths can read another's files, and nothing caps memory or
CPU. That suits a workshop or a lab session with a trusted group. For graded work on one
machine use system accounts (JupyterHub's default LocalProcessSpawner with PAM) or The
Littlest JupyterHub; for a large class, Kubernetes (deploy/z2jh/).

Run the hub as an ordinary account, never as root (with this spawner the students' servers
would run as root too). Settings, all from the environment:

AELAB_HUB_PASSWORD   the shared password, at least 8 characters (required)
AELAB_HUB_ROSTER     a file with one allowed user name per line (default: anyone may log in)
AELAB_HUB_HOMES      where the students' home directories go (default ~/aelab-hub/home)
AELAB_HUB_IP         address to listen on (default: all interfaces)
AELAB_HUB_PORT       port to listen on (default 8000)
AELAB_HUB_CHP        path of the configurable-http-proxy executable (default: found on PATH)
"""
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - defined by JupyterHub when it loads this file

# ------------------------------------------------------------------ where students connect
c.JupyterHub.ip = os.environ.get("AELAB_HUB_IP", "")
c.JupyterHub.port = int(os.environ.get("AELAB_HUB_PORT", "8000"))
if os.environ.get("AELAB_HUB_CHP"):
    c.ConfigurableHTTPProxy.command = [os.environ["AELAB_HUB_CHP"]]

# ------------------------------------------------------------------ who may log in
password = os.environ.get("AELAB_HUB_PASSWORD", "")
if len(password) < 8:
    sys.exit("deploy/local/jupyterhub_config.py: set AELAB_HUB_PASSWORD to the class's shared "
             "password (at least 8 characters)")
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = password
roster = os.environ.get("AELAB_HUB_ROSTER")
if roster:
    names = {line.strip() for line in Path(roster).read_text().splitlines()}
    c.Authenticator.allowed_users = {n for n in names if n and not n.startswith("#")}
else:
    c.Authenticator.allow_all = True

# ------------------------------------------------------------------ each student's server
homes = Path(os.environ.get("AELAB_HUB_HOMES", Path.home() / "aelab-hub" / "home"))
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(homes / "{username}")
# The servers run in this interpreter's environment, where aelab and nbgitpuller are installed
# (pip install "aelab[lab,hub]"), whatever PATH the hub was started with.
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
# A server starts in seconds on an idle machine; give a loaded one time.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
# One BLAS thread per student: the course's models are too small for a second thread to pay
# (README, Speed), and twenty students' kernels each using every core would oversubscribe
# the machine. Sizing: docs/DEPLOY.md.
c.Spawner.environment = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
# Servers left open for an hour are stopped only by an idle culler (jupyterhub-idle-culler,
# a separate package run as a hub service); without one they run until the hub stops.
c.JupyterHub.cleanup_servers = True
