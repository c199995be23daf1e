"""The student edition: nbgrader's release, with solutions removed and checks kept.

tools/build_student_edition.py runs ``nbgrader generate_assignment`` (with the course's
nbgrader_config.py) on notebooks/*.ipynb, the instructor edition; Binder's postBuild runs it
to make student/, which the README's JupyterLab link opens. The tests here check the markers,
the analysis that tags the cells needing an answer, and every notebook's release statically.
That the release runs top to bottom (untagged cells without error, tagged cells failing only
for want of an answer) is checked where nbgrader executes it: tests/test_nbgrader.py
autogrades the unchanged release of every notebook.
"""
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TOOL = ROOT / "tools" / "build_student_edition.py"

spec = importlib.util.spec_from_file_location("build_student_edition", TOOL)
bse = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bse)
STUB = 'raise NotImplementedError("exercise not done yet")'


def _instructor(path):
    return nbformat.read(path, as_version=4)


def _has_exercises(path):
    return any(bse.BEGIN in c.source for c in _instructor(path).cells)


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """The whole student edition, made once by nbgrader, with the builder's reports."""
    out = tmp_path_factory.mktemp("student")
    reports = bse.build(out, quiet=True)
    return out, {p.name: r for p, r in reports.items()}


# ------------------------------------------------------------------ the markers
def test_a_region_becomes_the_course_stub_at_its_indentation():
    src = ("def f(x):\n"
           "    y = 2 * x\n"
           "    # BEGIN SOLUTION\n"
           "    z = y + 1\n"
           "    # END SOLUTION\n"
           "    return z\n")
    out = bse.student_source(nbformat.v4.new_code_cell(src))
    assert out == ("def f(x):\n"
                   "    y = 2 * x\n"
                   "    # ✎ YOUR CODE HERE: replace the next line with your solution.\n"
                   f"    {STUB}\n"
                   "    return z\n")
    ns = {}
    exec(out, ns)
    with pytest.raises(NotImplementedError, match="exercise not done yet"):
        ns["f"](1)
    assert bse.student_source(nbformat.v4.new_code_cell("x = 1")) is None


def test_top_level_regions_several_per_cell_and_markdown():
    src = ("a = 1\n# BEGIN SOLUTION\nb = a\n# END SOLUTION\n"
           "c = 3\n# BEGIN SOLUTION (part 2)\nd = 4\n# END SOLUTION\n")
    out = bse.student_source(nbformat.v4.new_code_cell(src))
    assert out.count(STUB) == 2 and "b = a" not in out and "d = 4" not in out and "c = 3" in out
    assert bse.check_markers(src) == 2
    md = ("Derive it.\n\n<!-- BEGIN SOLUTION -->\n$J = \\tfrac12\\lVert e\\rVert^2$\n"
          "<!-- END SOLUTION -->\n")
    out = bse.student_source(nbformat.v4.new_markdown_cell(md))
    assert out == f"Derive it.\n\n{bse.TEXT_STUB}\n" and "lVert" not in out


@pytest.mark.parametrize("src, words", [
    ("# BEGIN SOLUTION\nx = 1\n", "line 1: BEGIN SOLUTION without an END SOLUTION"),
    ("x = 1\n# END SOLUTION\n", "line 2: END SOLUTION without a BEGIN SOLUTION"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "line 2: BEGIN SOLUTION inside"),
])
def test_unbalanced_markers_are_errors_that_say_where(src, words):
    with pytest.raises(bse.SolutionMarkerError, match=words):
        bse.check_markers(src, where="02.ipynb, cell 7")


# ------------------------------------------------------------------ which cells need answers
def _tagged(*sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb, _ = bse.NeedsAnswers().preprocess(nb, {"metadata": {"name": "t"}})
    return [i for i, c in enumerate(nb.cells) if bse.TAG in c.metadata.get("tags", [])]


def test_cells_that_use_an_answer_are_tagged_transitively():
    assert _tagged(
        "import numpy as np\nX = np.ones(3)",                            # 0
        "def f(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION",  # 1 stub
        "y = f(X)",                                                      # 2 uses f
        "z = y + 1",                                                     # 3 uses y
        "w = np.sum(X)",                                                 # 4 independent
        "print(z, w)",                                                   # 5 uses z
    ) == [1, 2, 3, 5]


def test_rebinding_and_local_names_are_not_dependencies():
    assert _tagged(
        "# BEGIN SOLUTION\nk = 3\nresult = [k]\n# END SOLUTION",   # 0 stub: k, result
        "for k in range(3):\n    print(k)",                        # 1 binds k before use
        "def g(result):\n    return result\nprint(g([1]))",        # 2 a parameter, not the answer
        "k = 5",                                                   # 3 rebinds k
        "print(k)",                                                # 4 fine again
        "print(len(result))",                                      # 5 needs the answer
        "h = lambda result: result\nq = [result for result in range(2)]",  # 6 local names
    ) == [0, 5]


def test_names_bound_before_a_top_level_stub_still_exist():
    assert _tagged(
        "m = 4\n# BEGIN SOLUTION\nanswer = m * 2\n# END SOLUTION\nprint(answer)",
        "print(m)",            # defined before the stub raised
        "print(answer)",       # not defined
    ) == [0, 2]


def test_functions_using_answers_and_mutation():
    assert _tagged(
        "import matplotlib.pyplot as plt\nresults = []",
        "# BEGIN SOLUTION\nacc = 0.9\n# END SOLUTION",
        "def report():\n    return acc",        # 2 reads the answer when called
        "results.append(acc)",                  # 3 results now holds the answer
        "print(results)",                       # 4
        "plt.plot([acc])",                      # 5 a module is not 'changed'
        "plt.figure()",                         # 6
        "print(report())",                      # 7
    ) == [1, 2, 3, 4, 5, 7]


def test_a_stale_tag_is_removed_and_other_tags_kept():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": [bse.TAG, "keep"]})])
    nb, _ = bse.NeedsAnswers().preprocess(nb, {})
    assert nb.cells[0].metadata["tags"] == ["keep"]


# ------------------------------------------------------------------ the real notebooks
def test_every_instructor_notebook_is_released(edition):
    out, reports = edition
    assert sorted(reports) == [p.name for p in NOTEBOOKS]
    assert sum(r["stubs"] for r in reports.values()) > 0


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_gone_checks_kept_outputs_cleared(edition, path):
    out, reports = edition
    teacher, student = _instructor(path), nbformat.read(out / path.name, as_version=4)
    nbformat.validate(student)
    assert "jupytext" not in student.metadata and "widgets" not in student.metadata
    assert student.metadata["aelab"] == {"edition": "student"}
    assert student.metadata.get("kernelspec") == teacher.metadata.get("kernelspec")
    text = "\n".join(c.source for c in student.cells)
    assert bse.BEGIN not in text and bse.END not in text
    assert len(student.cells) == len(teacher.cells)
    regions = 0
    for i, (t, s) in enumerate(zip(teacher.cells, student.cells)):
        assert s.cell_type == t.cell_type
        regions += bse.check_markers(t.source)
        # nothing but the regions changed: every check cell is kept word for word
        expected = bse.student_source(t)
        assert s.source == (t.source if expected is None else expected), f"cell {i}"
        if s.cell_type == "code":
            assert s.outputs == [] and s.execution_count is None
            assert "execution" not in s.metadata
            compile(bse._python(s.source), f"{path.name} code cell {i}", "exec")
        # the grading metadata travels with the cell (nbgrader adds a checksum, a cell type)
        if "nbgrader" in t.metadata:
            got = {k: v for k, v in s.metadata["nbgrader"].items()
                   if k not in ("checksum", "cell_type")}
            assert got == t.metadata["nbgrader"], f"cell {i}"
    report = reports[path.name]
    assert report["stubs"] + report["text_stubs"] == regions
    assert text.count(STUB) == report["stubs"]


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if _has_exercises(p)],
                         ids=lambda p: p.stem)
def test_cells_with_stubs_and_their_checks_are_tagged(edition, path):
    out, reports = edition
    student = nbformat.read(out / path.name, as_version=4)
    code = [c for c in student.cells if c.cell_type == "code"]
    tagged = [c for c in student.cells if bse.TAG in c.metadata.get("tags", [])]
    stubs = [c for c in student.cells if "exercise not done yet" in c.source]
    assert stubs and all(bse.TAG in c.metadata.get("tags", []) for c in stubs)
    # a check of an exercise needs its answer
    checks = [c for c in code if ".assert_ok()" in c.source]
    assert checks and all(bse.TAG in c.metadata.get("tags", []) for c in checks)
    # the analysis keeps the rest runnable rather than tagging everything after exercise 1
    assert len(tagged) < len(code)
    first = student.cells.index(stubs[0])
    assert all(bse.TAG not in c.metadata.get("tags", []) for c in student.cells[:first])


def test_command_line(tmp_path):
    nb = ROOT / "notebooks" / "00-start-here.ipynb"
    done = subprocess.run([sys.executable, str(TOOL), "--out", str(tmp_path), str(nb)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / nb.name).is_file() and "solution(s) removed" in done.stdout
    bad = tmp_path / "bad.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("# BEGIN SOLUTION\nx = 1")]), bad)
    done = subprocess.run([sys.executable, str(TOOL), "--out", str(tmp_path / "o"), str(bad)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 1
    assert "bad.ipynb, cell 0, line 1: BEGIN SOLUTION without an END SOLUTION" in done.stderr


def test_a_course_folder_has_one_assignment_per_notebook(tmp_path):
    nb = ROOT / "notebooks" / "00-start-here.ipynb"
    done = subprocess.run([sys.executable, str(TOOL), "--course", str(tmp_path), str(nb)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "source" / nb.stem / nb.name).read_bytes() == nb.read_bytes()
    assert str(ROOT / "nbgrader_config.py") in (tmp_path / "nbgrader_config.py").read_text()


def test_binder_opens_nbgraders_release():
    """postBuild makes student/ with this tool (no second builder), and the README's
    JupyterLab badge opens its notebook 00."""
    post = (ROOT / "binder" / "postBuild").read_text()
    commands = [ln for ln in post.splitlines() if ln.strip() and not ln.startswith("#")]
    assert any(re.search(r"python3? tools/build_student_edition\.py\s*$", ln) for ln in commands)
    readme = (ROOT / "README.md").read_text()
    assert "urlpath=lab/tree/student/00-start-here.ipynb" in readme
    assert (ROOT / "notebooks" / "00-start-here.ipynb").is_file()
