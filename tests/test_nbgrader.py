"""The nbgrader round trip: release, submit, autograde, for every notebook with exercises.

For each notebook the module sets up an nbgrader course with the course's configuration
(tools/build_student_edition.py --course), generates the release, and autogrades two
submissions: the instructor's own notebook (its solutions) and the release handed in
unchanged. Then

* the instructor gets full marks: every autograder test passes, and every manually graded
  answer whose cell runs a check shows it passing; no cell of the run fails;
* the unchanged release gets less, and only the cells that need an answer (nbgrader's
  release tags them ``raises-exception``) fail, each for want of an answer
  (NotImplementedError from the stub, aelab's ExerciseNotDone, or a NameError for a name the
  stub never defined): a student who is stuck can still run everything else;
* ``nbgrader validate`` accepts the source (cell metadata, and the test cells' saved outputs).

Autograding the release executes every notebook; the runs go to ``AELAB_NBGRADER_WORKERS``
(default 2) processes at once, longest first (the notebooks' own recorded cell timings say
which is long), each with one BLAS thread. The instructor's submission is graded on the
outputs saved in notebooks/ (``AELAB_NBGRADER_SOLUTIONS=saved``, the default: the suite's
nbval run executes those notebooks anyway, and a failing check there is an error), or
executed afresh by nbgrader with ``AELAB_NBGRADER_SOLUTIONS=run`` (twice the time).
``AELAB_NBGRADER_NOTEBOOKS=00,07`` picks notebooks. The timings go to
test-artifacts/nbgrader-autograde.json.
"""
import copy
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
sys.path.insert(0, str(TOOLS))
import build_student_edition as bse  # noqa: E402

SOURCE = ROOT / "notebooks"
EXPECTED_ERRORS = {"NotImplementedError", "ExerciseNotDone", "NameError"}
WORKERS = int(os.environ.get("AELAB_NBGRADER_WORKERS", "2"))
BIN = str(Path(sys.executable).parent)  # nbgrader runs alembic from PATH
# "saved": the instructor's submission is graded on the outputs saved in notebooks/ (the
# owner's run with AELAB_CONVERGENCE=error; nbval re-executes every notebook in the suite,
# where a failing check is an error); "run": nbgrader executes it afresh, as it does the
# release (twice the time).
SOLUTIONS = os.environ.get("AELAB_NBGRADER_SOLUTIONS", "saved")
if SOLUTIONS not in ("saved", "run"):
    raise ValueError(f"AELAB_NBGRADER_SOLUTIONS must be 'saved' or 'run', got {SOLUTIONS!r}")
SAVED_OUTPUTS = """
# tests/test_nbgrader.py, AELAB_NBGRADER_SOLUTIONS=saved: grade the saved outputs
from nbgrader.converters import Autograde
from nbgrader.preprocessors import ClearOutput, Execute
_traits = Autograde.class_traits()
c.Autograde.sanitize_preprocessors = [
    p for p in _traits["sanitize_preprocessors"].default() if p is not ClearOutput]
c.Autograde.autograde_preprocessors = [
    p for p in _traits["autograde_preprocessors"].default() if p is not Execute]
"""


def _with_exercises():
    paths = [p for p in sorted(SOURCE.glob("*.ipynb"))
             if any(bse.BEGIN in c.source for c in nbformat.read(p, 4).cells)]
    pick = [s.strip() for s in os.environ.get("AELAB_NBGRADER_NOTEBOOKS", "").split(",")
            if s.strip()]
    return [p for p in paths if not pick or p.name.split("-")[0] in pick]


NOTEBOOKS = _with_exercises()


def _recorded_seconds(path):
    """How long the notebook's saved run took (its cells' execution timestamps)."""
    total = 0.0
    for cell in nbformat.read(path, 4).cells:
        t = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in t and "shell.execute_reply" in t:
            a, b = (datetime.fromisoformat(t[k].replace("Z", "+00:00"))
                    for k in ("iopub.execute_input", "shell.execute_reply"))
            total += (b - a).total_seconds()
    return total


def _env(workers):
    env = {**os.environ, "PATH": os.pathsep.join([BIN, os.environ.get("PATH", "")]),
           "AELAB_OFFLINE": "1", "AELAB_CONVERGENCE": "error"}
    if workers > 1:  # two kernels on two cores: one BLAS thread each, no oversubscription
        env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return env


def _nbgrader(course, *args, env, timeout=1800):
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (f"nbgrader {' '.join(args)} in {course}:\n"
                                  f"{done.stdout[-3000:]}{done.stderr[-5000:]}")
    return done.stdout + done.stderr


def _grades(course, assignment, student, env):
    """The gradebook's view of one submission (read in a subprocess: nbgrader's Gradebook
    runs alembic, which needs the PATH above)."""
    code = f"""
import json
from nbgrader.api import Gradebook
with Gradebook("sqlite:///gradebook.db") as gb:
    nb = gb.find_submission_notebook({assignment!r}, {assignment!r}, {student!r})
    print(json.dumps({{"score": nb.score, "max_score": nb.max_score,
        "needs_manual_grade": nb.needs_manual_grade,
        "grades": [{{"name": g.name, "auto": g.auto_score, "max": g.max_score,
                     "kind": g.cell.cell_type,
                     "solution": g.name in {{c.name for c in gb.find_notebook(
                         {assignment!r}, {assignment!r}).solution_cells}}}}
                    for g in nb.grades]}}))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=course, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """One course with every notebook as an assignment, its release generated once."""
    root = tmp_path_factory.mktemp("course")
    bse.write_course(root, NOTEBOOKS)
    _nbgrader(root, "generate_assignment", "*", "--force", env=_env(1))
    return root


def _autograde(course, path, edition, workers):
    """Autograde one submission in a course of its own (a copy of the shared gradebook, so
    that two runs never write to one SQLite file at once)."""
    name, student = path.stem, {"solutions": "instructor", "release": "unchanged"}[edition]
    mine = course.parent / f"{edition}-{name}"
    shutil.rmtree(mine, ignore_errors=True)
    mine.mkdir()
    shutil.copy(course / "nbgrader_config.py", mine)
    if edition == "solutions" and SOLUTIONS == "saved":
        with open(mine / "nbgrader_config.py", "a") as fh:
            fh.write(SAVED_OUTPUTS)
    shutil.copy(course / "gradebook.db", mine)
    for part in ("source", "release"):
        shutil.copytree(course / part / name, mine / part / name)
    handed_in = mine / "submitted" / student / name
    handed_in.mkdir(parents=True)
    shutil.copy(mine / ("source" if edition == "solutions" else "release") / name / path.name,
                handed_in / path.name)
    env = _env(workers)
    start = time.perf_counter()
    log = _nbgrader(mine, "autograde", name, "--student", student, "--force", env=env)
    seconds = time.perf_counter() - start
    graded = nbformat.read(mine / "autograded" / student / name / path.name, 4)
    return {"grades": _grades(mine, name, student, env), "notebook": graded, "log": log,
            "seconds": seconds,
            "release": nbformat.read(mine / "release" / name / path.name, 4)}


@pytest.fixture(scope="module")
def graded(course):
    jobs = sorted(((p, e) for p in NOTEBOOKS for e in ("solutions", "release")),
                  key=lambda job: 0 if job[1] == "solutions" and SOLUTIONS == "saved"
                  else -_recorded_seconds(job[0]))
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {(p.stem, e): pool.submit(_autograde, course, p, e, WORKERS) for p, e in jobs}
        results = {key: f.result() for key, f in futures.items()}
    wall = time.perf_counter() - start
    timings = {f"{k[0]} {k[1]}": round(v["seconds"], 1) for k, v in results.items()}
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "nbgrader-autograde.json").write_text(json.dumps(
        {"workers": WORKERS, "solutions": SOLUTIONS, "wall_s": round(wall, 1),
         "runs_s": timings}, indent=1))
    return results


def _attainable(grades):
    return grades["score"] + sum(g["max"] for g in grades["grades"] if g["auto"] is None)


def _errors(cell):
    return [o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"]


@pytest.mark.slow
@pytest.mark.timeout(2400)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_instructors_solutions_get_full_marks(graded, path):
    result = graded[(path.stem, "solutions")]
    summary = result["grades"]
    grades = summary["grades"]
    auto = [g for g in grades if g["kind"] == "code" and not g["solution"]]
    manual = [g for g in grades if g not in auto]
    assert auto or manual, f"{path.name}: no graded cell"
    failed = [g["name"] for g in auto if g["auto"] != g["max"]]
    assert not failed, f"{path.name}: autograder tests that lose points: {failed}"
    # every cell of the instructor's run succeeds, the checks inside manual answers included
    broken = [(i, _errors(c)) for i, c in enumerate(result["notebook"].cells)
              if c.cell_type == "code" and _errors(c)]
    assert not broken, f"{path.name}: cells that fail with the instructor's solutions: {broken}"
    # manual answers and tasks wait for the grader (none is given zero for being unchanged)
    assert all(g["auto"] is None for g in manual)
    assert summary["needs_manual_grade"] == bool(manual)
    assert summary["score"] == sum(g["max"] for g in auto)


@pytest.mark.slow
@pytest.mark.timeout(2400)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_unchanged_release_gets_less_and_fails_only_for_want_of_answers(graded, path):
    result, solved = graded[(path.stem, "release")], graded[(path.stem, "solutions")]
    grades = result["grades"]
    assert grades["max_score"] == solved["grades"]["max_score"] > 0
    # every autograder test fails and every answer left as released scores zero
    scored = [g for g in grades["grades"] if g["auto"] is not None]
    assert scored and all(g["auto"] == 0 for g in scored), scored
    # what a grader could still award: the points scored plus those left to manual grading
    assert _attainable(grades) < _attainable(solved["grades"]) == grades["max_score"]
    release, ran = result["release"], result["notebook"]
    assert len(ran.cells) == len(release.cells)
    unexpected, failing = [], 0
    for i, (cell, run) in enumerate(zip(release.cells, ran.cells)):
        if cell.cell_type != "code":
            continue
        errors = _errors(run)
        failing += bool(errors)
        needs_answer = bse.TAG in cell.metadata.get("tags", [])
        if errors and (not needs_answer or set(errors) - EXPECTED_ERRORS):
            unexpected.append((i, errors, cell.source.splitlines()[:2]))
        assert run.get("execution_count") is not None, f"cell {i} never ran"
    assert not unexpected, f"{path.name}: cells that fail for another reason than a " \
                           f"missing answer: {unexpected}"
    assert failing, f"{path.name}: nothing failed: are the exercises still solved?"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_nbgrader_validate_accepts_the_source(tmp_path, path):
    """nbgrader's Validator on the source: its cell-metadata checks, and every test cell's
    saved output free of errors. ``nbgrader validate`` would execute the notebook first;
    nbval and the autograde tests above execute it already, so the Execute step (and the
    ClearOutput before it) is left out of the Validator's pipeline here."""
    from nbgrader.preprocessors import CheckCellMetadata
    from nbgrader.validator import Validator
    from traitlets.config import Config

    validator = Validator(config=Config())
    validator.preprocessors = [CheckCellMetadata]
    results = validator.validate(str(path))
    assert results == {}, f"{path.name}: {results}"
    nb = nbformat.read(path, 4)
    kinds = [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
    assert any(k["solution"] for k in kinds) and any(k["grade"] for k in kinds)
    ids = [k["grade_id"] for k in kinds]
    assert len(ids) == len(set(ids))
    # and it fails where it should: an autograder test whose saved output is an error (a
    # notebook whose checks all sit in their answer cells has none: those are graded by hand)
    broken = copy.deepcopy(nb)
    tests = [c for c in broken.cells if c.cell_type == "code"
             and c.metadata.get("nbgrader", {}).get("grade")
             and not c.metadata["nbgrader"]["solution"]]
    for cell in tests[:1]:
        cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="",
                                               traceback=[])]
        target = tmp_path / path.name
        nbformat.write(broken, target)
        assert "failed" in validator.validate(str(target))


def test_the_metadata_is_what_the_tool_writes():
    """tools/nbgrader_metadata.py --check: re-applying the tool changes nothing."""
    done = subprocess.run([sys.executable, str(TOOLS / "nbgrader_metadata.py"), "--check",
                           *[str(p.with_suffix(".py")) for p in NOTEBOOKS]],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_metadata_rules():
    import nbgrader_metadata as nm
    cells = [nbformat.v4.new_markdown_cell("Predict first."),
             nbformat.v4.new_code_cell("my_prediction = None  # one of 'a', 'b'"),
             nbformat.v4.new_code_cell("def f(x):\n    # BEGIN SOLUTION\n    return x\n"
                                       "    # END SOLUTION"),
             nbformat.v4.new_code_cell("check_f(f).assert_ok()\n### BEGIN HIDDEN TESTS\n"
                                       "check_f(f, other=True).assert_ok()\n"
                                       "### END HIDDEN TESTS"),
             nbformat.v4.new_code_cell("# BEGIN SOLUTION\ng = 1\n# END SOLUTION\n"
                                       "check_g(g).assert_ok()"),
             nbformat.v4.new_markdown_cell("<!-- BEGIN SOLUTION -->\nwhy\n<!-- END SOLUTION -->"),
             nbformat.v4.new_markdown_cell("### Exercise 3 (open): try it"),
             nbformat.v4.new_code_cell("x = 1")]
    plan = nm.plan(cells)
    kind = [None if m is None else (m["solution"], m["grade"], m["task"], m.get("points"))
            for m in plan]
    assert kind == [(False, False, True, 1), None, (True, False, False, None),
                    (False, True, False, 2), (True, True, False, 1),
                    (True, True, False, nm.EXPLANATION_POINTS),
                    (False, False, True, nm.EXPLANATION_POINTS), None]
    assert [m["grade_id"] for m in plan if m] == [
        "predict_my_prediction", "answer_f", "check_f", "answer_g", "explain_5",
        "open_exercise_3"]
    assert plan[3]["locked"] and not plan[2]["locked"]


def test_hidden_tests_are_stripped_from_the_release_and_restored_for_grading(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("def double(x):\n    # BEGIN SOLUTION\n    return 2 * x\n"
                                  "    # END SOLUTION"),
        nbformat.v4.new_code_cell("assert double(1) == 2\n### BEGIN HIDDEN TESTS\n"
                                  "assert double(21) == 42\n### END HIDDEN TESTS")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}})
    import nbgrader_metadata as nm
    nb.cells[0].metadata["nbgrader"] = nm._meta("answer_double", solution=True)
    nb.cells[1].metadata["nbgrader"] = nm._meta("test_double", grade=True, locked=True,
                                                points=1)
    src = tmp_path / "hw.ipynb"
    nbformat.write(nb, src)
    bse.write_course(tmp_path / "course", [src])
    env = _env(1)
    _nbgrader(tmp_path / "course", "generate_assignment", "hw", env=env, timeout=300)
    release = nbformat.read(tmp_path / "course" / "release" / "hw" / "hw.ipynb", 4)
    assert "double(21)" not in release.cells[1].source
    assert "double(1) == 2" in release.cells[1].source
    # a student who hard-codes the visible case passes it, and the hidden test catches it
    cheat = nbformat.read(tmp_path / "course" / "release" / "hw" / "hw.ipynb", 4)
    cheat.cells[0].source = "def double(x):\n    return 2"
    handed = tmp_path / "course" / "submitted" / "cheat" / "hw"
    handed.mkdir(parents=True)
    nbformat.write(cheat, handed / "hw.ipynb")
    _nbgrader(tmp_path / "course", "autograde", "hw", env=env, timeout=600)
    grades = _grades(tmp_path / "course", "hw", "cheat", env)
    assert [(g["name"], g["auto"]) for g in grades["grades"]] == [("test_double", 0.0)]
    ran = nbformat.read(tmp_path / "course" / "autograded" / "cheat" / "hw" / "hw.ipynb", 4)
    assert "double(21)" in ran.cells[1].source and _errors(ran.cells[1]) == ["AssertionError"]
