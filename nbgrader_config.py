"""nbgrader's configuration for the aelab course (docs/INSTRUCTORS.md, "A term with nbgrader").

A course folder made by ``python tools/build_student_edition.py --course DIR`` loads this file
from its own nbgrader_config.py, so every course runs with the same settings:

* the course's solution markers are nbgrader's: nbgrader finds ``BEGIN SOLUTION`` /
  ``END SOLUTION`` anywhere in a line, so ``# BEGIN SOLUTION`` (code) and
  ``<!-- BEGIN SOLUTION -->`` (markdown) are both solution regions, and
  ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` mark hidden tests in a test cell;
* a code region becomes the course's stub (a comment and ``raise NotImplementedError("exercise
  not done yet")``, which ``aelab.exercises`` reports as "✎ not done yet"), a markdown region the
  course's text stub;
* ``generate_assignment`` runs two more preprocessors, from tools/build_student_edition.py:
  first ``NeedsAnswers`` (marker errors that name the cell and line; the ``raises-exception``
  tag on every cell that cannot run before the exercises are done), last ``StudentEdition``
  (no widget state, no jupytext pairing, ``metadata.aelab.edition = "student"``);
* ``autograde`` gives a cell up to 15 minutes (the slowest training cell takes about three on
  a loaded laptop; nbgrader's default is 30 s).
"""
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (traitlets puts get_config into a config file's namespace)

_TOOLS = Path(__file__).resolve().parent / "tools"
if str(_TOOLS) not in sys.path:
    sys.path.insert(0, str(_TOOLS))

import build_student_edition as _bse  # noqa: E402
from nbgrader.converters import GenerateAssignment  # noqa: E402

c.CourseDirectory.course_id = "aelab"

c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearSolutions.code_stub = {"python": _bse.CODE_STUB}
c.ClearSolutions.text_stub = _bse.TEXT_STUB
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

c.GenerateAssignment.preprocessors = [
    _bse.NeedsAnswers, *GenerateAssignment.class_traits()["preprocessors"].default(),
    _bse.StudentEdition]

c.Execute.timeout = 900
# the panels print from a worker thread: give the kernel time to flush before the next cell
c.Execute.iopub_timeout = 10
