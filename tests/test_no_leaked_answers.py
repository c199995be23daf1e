"""The student edition must not hand out the answers.

For every exercise nbgrader (tools/build_student_edition.py) removes the solution region,
but an answer can leak in other ways: a check cell that recomputes the reference solution, a
check function defined in the notebook, a markdown hint that spells out the formula. This test builds the student edition
and fails when a line of any solution (code that does the work, not a comment or a trivial
assignment) appears anywhere in it, or when a notebook defines its own ``check_*`` function
(checks live in ``aelab.exercises``, where a student does not read them while solving).
"""
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
spec = importlib.util.spec_from_file_location("bse", ROOT / "tools" / "build_student_edition.py")
bse = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bse)

# Lines too generic to be an answer: a bare name, a return, a constant, a closing bracket.
_TRIVIAL = re.compile(r"^(return\b.*|pass|\)|\]|\}|[\w.]+\s*=\s*([\w.]+|-?\d[\d.e+-]*|None|True|False|\"[^\"]*\"|'[^']*')|[\w.]+)$")


def _normal(line):
    return re.sub(r"\s+", "", line.split("#", 1)[0])


def answer_lines(source):
    """The non-trivial lines of the solution regions of one cell, whitespace removed."""
    bse.check_markers(source)
    out, inside = [], False
    for line in source.splitlines():
        if bse.BEGIN in line or bse.END in line:
            inside = bse.BEGIN in line
            continue
        code = line.split("#", 1)[0].strip()
        if not inside or len(_normal(code)) < 12 or _TRIVIAL.match(code):
            continue
        out.append((line.strip(), _normal(code)))
    return out


def test_the_rule_spots_a_recomputed_answer():
    src = "def f(X):\n    # BEGIN SOLUTION\n    J = 0.5 * np.sum((A3 - X) ** 2) / m\n    # END SOLUTION\n    return J\n"
    lines = answer_lines(src)
    assert lines and lines[0][1] == "J=0.5*np.sum((A3-X)**2)/m"
    assert answer_lines("# BEGIN SOLUTION\nx = 1\nreturn x\n# END SOLUTION\n") == []


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student-leaks")
    bse.build(out, quiet=True)
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_solution_line_survives_in_the_student_edition(edition, path):
    teacher = nbformat.read(path, as_version=4)
    student = nbformat.read(edition / path.name, as_version=4)
    answers = [a for c in teacher.cells if c.cell_type == "code" for a in answer_lines(c.source)]
    student_text = "\n".join(_normal(line) for c in student.cells for line in c.source.splitlines())
    leaked = sorted({shown for shown, norm in answers if norm in student_text})
    assert not leaked, (f"{path.name}: the student edition still contains solution code "
                        f"(in a check cell or elsewhere): {leaked[:5]}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_checks_live_in_the_library(path):
    nb = nbformat.read(path, as_version=4)
    defined = [m.group(1) for c in nb.cells if c.cell_type == "code"
               for m in re.finditer(r"^\s*def (check_\w+)\(", c.source, re.M)]
    assert not defined, (f"{path.name} defines {defined}: move them to aelab/exercises/ "
                         f"(a module per notebook) so the notebook shows only the call")
