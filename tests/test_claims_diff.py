"""tools/claims_diff.py: which claims of a re-executed notebook moved since a commit."""
import json
import subprocess
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1] / "tools" / "claims_diff.py"


def _notebook(lines):
    return {"cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [
        {"output_type": "stream", "name": "stdout", "text": [l + "\n" for l in lines]},
        {"output_type": "execute_result", "data": {"text/plain": "not a claim"}}]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _run(repo, *args):
    return subprocess.run([sys.executable, str(TOOL), *args], cwd=repo, capture_output=True,
                          text=True)


def test_reports_moved_new_and_unchanged_claims(tmp_path):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    nb = tmp_path / "n.ipynb"
    nb.write_text(json.dumps(_notebook(["✓ J falls  (J=0.51)", "plain output", "✓ k = 3 wins"])))
    subprocess.run(git + ["add", "n.ipynb"], cwd=tmp_path, check=True)
    subprocess.run(git + ["commit", "-qm", "x"], cwd=tmp_path, check=True)

    same = _run(tmp_path, "n.ipynb")
    assert same.returncode == 0, same.stderr
    assert "2 claims, 0 changed, 0 new, 0 gone" in same.stdout

    nb.write_text(json.dumps(_notebook(["✓ J falls  (J=0.49)", "✓ k = 3 wins", "✓ extra"])))
    moved = _run(tmp_path, "n.ipynb")
    assert moved.returncode == 1
    assert "3 claims, 1 changed, 1 new, 0 gone" in moved.stdout
    assert "was: ✓ J falls  (J=0.51)" in moved.stdout and "now: ✓ J falls  (J=0.49)" in moved.stdout
    assert "new: ✓ extra" in moved.stdout and "plain output" not in moved.stdout
