"""Each notebook is paired with a jupytext text file (py:percent), and the two agree.

Instructors edit either file; `jupytext --sync notebooks/NN-name.ipynb` (or JupyterLab with
jupytext installed) brings the other up to date. A pair out of sync means a review would
see a diff that is not what runs, so this test fails with the first differing cell.
"""
import difflib
from pathlib import Path

import jupytext
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
IPYNB = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
PY = sorted(NOTEBOOK_DIR.glob("*.py"))
STEMS = sorted({p.stem for p in IPYNB} | {p.stem for p in PY})


def _cells(path):
    nb = jupytext.read(path)
    return [(c.cell_type, c.source) for c in nb.cells]


def test_there_are_notebooks():
    assert IPYNB, f"no notebooks in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("stem", STEMS)
def test_each_notebook_has_its_pair(stem):
    ipynb, py = NOTEBOOK_DIR / f"{stem}.ipynb", NOTEBOOK_DIR / f"{stem}.py"
    assert ipynb.exists(), (f"{py.name} has no {ipynb.name}: run "
                            f"`jupytext --set-formats ipynb,py:percent notebooks/{py.name}`")
    assert py.exists(), (f"{ipynb.name} has no {py.name}: run "
                         f"`jupytext --set-formats ipynb,py:percent notebooks/{ipynb.name}`")


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.stem)
def test_pairing_is_recorded(path):
    formats = jupytext.read(path).metadata.get("jupytext", {}).get("formats", "")
    assert set(formats.split(",")) == {"ipynb", "py:percent"}, (
        f"{path.name} is not paired (jupytext formats {formats!r}): run "
        f"`jupytext --set-formats ipynb,py:percent notebooks/{path.name}`")
    py = path.with_suffix(".py")
    if py.exists():
        text = py.read_text(encoding="utf-8")
        assert "format_name: percent" in text and "formats: ipynb,py:percent" in text, (
            f"{py.name} has no py:percent header pairing it with {path.name}")


@pytest.mark.parametrize("path", [p for p in IPYNB if p.with_suffix(".py").exists()],
                         ids=lambda p: p.stem)
def test_pair_in_sync(path):
    a, b = _cells(path), _cells(path.with_suffix(".py"))
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            if x[0] != y[0]:
                detail = f"a {x[0]} cell in the .ipynb, a {y[0]} cell in the .py"
            else:
                diff = difflib.unified_diff(x[1].splitlines(), y[1].splitlines(),
                                            path.name, path.with_suffix(".py").name, lineterm="")
                detail = "\n".join(list(diff)[:40])
            pytest.fail(
                f"{path.name} and {path.with_suffix('.py').name} differ at cell {i}:\n"
                f"{detail}\nRun `jupytext --sync notebooks/{path.name}` (the newer file wins).")
    assert len(a) == len(b), (
        f"{path.name} has {len(a)} cells, {path.with_suffix('.py').name} {len(b)}: run "
        f"`jupytext --sync notebooks/{path.name}`")
