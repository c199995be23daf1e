"""Repository-wide pytest hooks: a memory ceiling for every notebook's kernel.

Binder gives a student about 2 GB. After every notebook cell that nbval runs, this hook reads
the kernel process's peak resident memory (VmHWM in /proc/<pid>/status, Linux) and fails the
cell if it exceeds the ceiling, so a notebook that grows too big fails CI at the cell that did
it. The peaks are written to test-artifacts/notebook-memory.json for the record.
"""
import json
import os
from pathlib import Path

import pytest

# Every notebook kernel inherits this: an unannounced ConvergenceWarning (a model that ran out
# of iterations outside an ``aelab.fixed_budget()`` block) is an error in the notebook run.
# The tests themselves see it as an ordinary warning (pyproject's filterwarnings).
os.environ.setdefault("AELAB_CONVERGENCE", "error")

NOTEBOOK_MEMORY_LIMIT_MB = int(os.environ.get("AELAB_NOTEBOOK_MEMORY_LIMIT_MB", "1536"))
_PEAKS: dict = {}


def _kernel_peak_mb(item):
    kernel = getattr(getattr(item, "parent", None), "kernel", None)
    km = getattr(kernel, "km", None)
    proc = getattr(getattr(km, "provisioner", None), "process", None)
    pid = getattr(proc, "pid", None)
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item):
    if type(item).__name__ != "IPyNbCell":
        return
    peak = _kernel_peak_mb(item)
    if peak is None:
        return
    name = Path(str(item.fspath)).name
    _PEAKS[name] = max(_PEAKS.get(name, 0.0), peak)
    if peak > NOTEBOOK_MEMORY_LIMIT_MB:
        pytest.fail(
            f"{name}: the kernel's peak memory reached {peak:.0f} MB, over the "
            f"{NOTEBOOK_MEMORY_LIMIT_MB} MB ceiling that keeps the course inside Binder's ~2 GB"
        )


def pytest_sessionfinish(session):
    if _PEAKS:
        out = Path(session.config.rootpath) / "test-artifacts"
        out.mkdir(exist_ok=True)
        (out / "notebook-memory.json").write_text(
            json.dumps({k: round(v, 1) for k, v in sorted(_PEAKS.items())}, indent=1))


def pytest_terminal_summary(terminalreporter):
    if _PEAKS:
        worst = max(_PEAKS.items(), key=lambda kv: kv[1])
        terminalreporter.write_line(
            f"notebook kernels' peak memory: highest {worst[1]:.0f} MB ({worst[0]}), "
            f"ceiling {NOTEBOOK_MEMORY_LIMIT_MB} MB; all in test-artifacts/notebook-memory.json")
