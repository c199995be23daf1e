"""The check of notebook 00's exercise, fed right and wrong answers.

nbval runs the notebook with its own (right) solution; this test also feeds the check the
mistakes students make, which must not be accepted. The check lives in
aelab/exercises/nb00.py (the notebook only calls it); more cases are in
tests/test_exercises_nb00.py.

Also: the cells tagged ``nbval-check-output`` exist, and nbval compares their output after
nbval_sanitize.cfg's substitutions (pyproject's addopts), so a timing may differ and a shape
may not.
"""
import pytest

import aelab
from aelab.datasets import load_digits
from aelab.exercises.nb00 import check_bottleneck


@pytest.fixture(scope="module")
def bottleneck():
    X, _ = load_digits()
    X_train, X_test = X[:1200], X[1200:]
    models = {k: aelab.Autoencoder(k, tol=1e-4, max_iter=5000).fit(X_train) for k in (2, 8)}

    def err(k, on="test"):
        return -models[k].score(X_test if on == "test" else X_train)

    def check(e2, e8, m2=None, m8=None):
        return check_bottleneck(e2, e8, models[2] if m2 is None else m2,
                                models[8] if m8 is None else m8, X_train, X_test)

    return check, err, models, X_train


def test_bottleneck_accepts_the_right_errors(bottleneck):
    check, err, _, _ = bottleneck
    fb = check(err(2), err(8))
    assert fb.passed and fb.done
    assert "times as much" in str(fb)


@pytest.mark.parametrize("mistake, says", [
    (lambda err: (err(2, on="train"), err(8)), "training digits"),
    (lambda err: (err(2), err(8, on="train")), "training digits"),
    (lambda err: (-err(2), err(8)), "minus the error"),
    (lambda err: (None, err(8)), "still None"),
    (lambda err: (err(8), err(2)), "not the test error"),
])
def test_bottleneck_names_each_mistake(bottleneck, mistake, says):
    check, err, _, _ = bottleneck
    fb = check(*mistake(err))
    assert says in str(fb) and not fb.passed


def test_bottleneck_refuses_an_unconverged_model(bottleneck):
    check, err, _, X_train = bottleneck
    with aelab.fixed_budget("a budget model, to be refused"):
        short = aelab.Autoencoder(8, max_iter=10).fit(X_train)
    fb = check(err(2), -short.score(X_train), m8=short)
    assert not fb.passed and "has not converged" in str(fb)


# ------------------------------------------------------------------ nbval's output checks
def _nbval(tmp_path, saved_text, printed):
    """Run pytest, with the repository's configuration, on a one-cell notebook tagged
    nbval-check-output whose saved output is ``saved_text`` and which prints ``printed``."""
    import subprocess
    import sys
    from pathlib import Path

    import nbformat

    root = Path(__file__).resolve().parents[1]
    cell = nbformat.v4.new_code_cell(f"print({printed!r})",
                                     metadata={"tags": ["nbval-check-output"]})
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=saved_text + "\n")]
    cell.execution_count = 1
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    path = tmp_path / "check.ipynb"
    nbformat.write(nb, path)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-c", str(root / "pyproject.toml"), "--rootdir", str(root),
                           str(path)], cwd=root, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout[-3000:]


def test_tagged_outputs_are_compared_after_the_sanitizer(tmp_path):
    """pyproject's addopts hand nbval_sanitize.cfg to nbval: a timing may differ, a number
    that is not a timing may not."""
    rc, out = _nbval(tmp_path, "trained in 12.5 s at 0x7f3a2b4c5d6e", "trained in 0.8 s at "
                     "0x55d0c0ffee00")
    assert rc == 0, out
    rc, out = _nbval(tmp_path, "shape (1797, 64)", "shape (1797, 65)")
    assert rc != 0 and "1797, 65" in out, out


def test_some_notebook_cells_must_reproduce_their_output():
    from pathlib import Path

    import nbformat

    root = Path(__file__).resolve().parents[1]
    tagged = {p.name: sum("nbval-check-output" in c.metadata.get("tags", [])
                          for c in nbformat.read(p, 4).cells)
              for p in sorted((root / "notebooks").glob("*.ipynb"))}
    assert sum(tagged.values()) >= 3, tagged
