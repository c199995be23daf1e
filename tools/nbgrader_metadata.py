#!/usr/bin/env python3
"""Write nbgrader's cell metadata into the course's notebooks, from what the cells contain.

    python tools/nbgrader_metadata.py notebooks/02-sparse-autoencoder.py   # one notebook
    python tools/nbgrader_metadata.py                                      # all of them
    python tools/nbgrader_metadata.py --check                              # exit 1 if stale

Then ``jupytext --sync notebooks/NN-*.py``. Re-running it changes nothing (the metadata is
recomputed from the cells, not added to): run it again after editing an exercise.

What each cell becomes (nbgrader's cell types, schema 3):

* a code cell with a ``# BEGIN SOLUTION`` region: an **autograded answer** (``solution``);
  when the same cell also runs a check (``.assert_ok()``) it is a **manually graded answer**
  (``solution`` and ``grade``, one point per check): a test cell is replaced by the
  gradebook's copy when nbgrader autogrades, which would erase the answer, so the grader reads
  the check's ✓/✗ lines instead;
* a code cell without a region that runs checks: **autograder tests** (``grade``, locked,
  one point per ``.assert_ok()``), hidden tests between ``### BEGIN HIDDEN TESTS`` and
  ``### END HIDDEN TESTS`` included;
* a markdown cell with a ``<!-- BEGIN SOLUTION -->`` region (a derivation, an explanation):
  a **manually graded answer**, worth ``EXPLANATION_POINTS``;
* the markdown cell that asks for a prediction (the one before a cell that sets
  ``my_prediction… = None``) and the prompt of an open exercise: a **manually graded task**
  (one point): the student writes the prediction into the variable, which stays editable,
  and the grader reads it with the comparison the notebook prints after the experiment.

Everything else has no nbgrader metadata. The tool edits the jupytext text file's cell
headers only (it refuses to write when any other line would change) and puts the same
metadata into the paired .ipynb, outputs untouched (needed where the pair's
``cell_metadata_filter`` keeps metadata out of the text file).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "BEGIN SOLUTION", "END SOLUTION"
CHECK = re.compile(r"\.assert_ok\(\)")
CHECK_NAME = re.compile(r"\b(check_\w+)\s*\(")
PREDICTION = re.compile(r"^(my_\w+|\w*prediction\w*|\w*_guess)\s*=\s*None\b", re.M)
OPEN_EXERCISE = re.compile(r"Exercise\s+(\d+)\s*\(open\)")
DEFINED = re.compile(r"^\s*(?:def\s+(\w+)|(\w+)(?:\s*,\s*\w+)*\s*=(?!=))", re.M)
EXPLANATION_POINTS = 2
SCHEMA = 3


def _meta(grade_id, *, solution=False, grade=False, task=False, points=0, locked=False):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": SCHEMA, "solution": solution, "task": task}
    if grade or task:
        meta["points"] = points
    return dict(sorted(meta.items()))  # the order nbformat writes them in


def _solution_name(source):
    """A name for the answer: the function the cell defines, else the first name the
    solution region assigns, else None."""
    match = re.search(r"^\s*def\s+(\w+)", source, re.M)
    if match:
        return match.group(1)
    inside, on = [], False
    for line in source.split("\n"):
        if BEGIN in line:
            on = True
        elif END in line:
            on = False
        elif on:
            inside.append(line)
    match = DEFINED.search("\n".join(inside))
    return (match.group(1) or match.group(2)) if match else None


def plan(cells):
    """The nbgrader metadata of each cell (None: none), from the cells' sources.

    Parameters
    ----------
    cells : list of nbformat cells (or objects with ``cell_type`` and ``source``)

    Returns
    -------
    list of dict or None, one per cell
    """
    out = [None] * len(cells)
    used = {}

    def unique(name):
        name = re.sub(r"\W+", "_", name).strip("_").lower() or "cell"
        used[name] = used.get(name, 0) + 1
        return name if used[name] == 1 else f"{name}_{used[name]}"

    for i, cell in enumerate(cells):
        src = cell.source
        if cell.cell_type == "code":
            n_checks = len(CHECK.findall(src))
            checks = CHECK_NAME.findall(src)
            if BEGIN in src:
                name = unique(f"answer_{_solution_name(src) or i}")
                if n_checks:
                    out[i] = _meta(name, solution=True, grade=True, points=n_checks)
                else:
                    out[i] = _meta(name, solution=True)
            elif n_checks:
                out[i] = _meta(unique(checks[0] if checks else f"test_{i}"), grade=True,
                               locked=True, points=n_checks)
            for var in PREDICTION.findall(src):
                # the prompt: the nearest markdown cell above that is not already graded
                j = i - 1
                while j >= 0 and cells[j].cell_type != "markdown":
                    j -= 1
                if j >= 0 and out[j] is None and BEGIN not in cells[j].source:
                    out[j] = _meta(unique(f"predict_{var}"), task=True, locked=True, points=1)
        elif cell.cell_type == "markdown":
            if BEGIN in src:
                out[i] = _meta(unique(f"explain_{i}"), solution=True, grade=True,
                               points=EXPLANATION_POINTS)
            elif OPEN_EXERCISE.search(src):
                number = OPEN_EXERCISE.search(src).group(1)
                out[i] = _meta(unique(f"open_exercise_{number}"), task=True, locked=True,
                               points=EXPLANATION_POINTS)
    return out


def _apply(cells, metas):
    changed = 0
    for cell, meta in zip(cells, metas):
        before = cell.metadata.get("nbgrader")
        if meta is None:
            cell.metadata.pop("nbgrader", None)
        else:
            cell.metadata["nbgrader"] = meta
        changed += before != cell.metadata.get("nbgrader")
    return changed


def _header(line):
    return line.startswith("# %%")


def update(py_path, write=True):
    """Recompute the nbgrader metadata of one jupytext pair; return the number of cells changed.

    Raises ValueError when the text file and its .ipynb disagree on the cells, or when the
    new text file would differ in anything but cell-header lines.
    """
    py_path = Path(py_path)
    if py_path.suffix == ".ipynb":
        py_path = py_path.with_suffix(".py")
    text = py_path.read_text()
    nb = jupytext.reads(text, fmt="py:percent")
    metas = plan(nb.cells)
    changed = _apply(nb.cells, metas)
    new_text = jupytext.writes(nb, fmt="py:percent")
    old_lines, new_lines = text.split("\n"), new_text.split("\n")
    if len(old_lines) != len(new_lines) or any(
            a != b and not (_header(a) and _header(b)) for a, b in zip(old_lines, new_lines)):
        raise ValueError(f"{py_path}: writing the metadata would change more than cell "
                         "headers; is the file in jupytext's percent format?")
    ipynb = py_path.with_suffix(".ipynb")
    paired = None
    if ipynb.is_file():
        paired = nbformat.read(ipynb, as_version=4)
        if [(c.cell_type, c.source) for c in paired.cells] != \
                [(c.cell_type, c.source) for c in nb.cells]:
            raise ValueError(f"{ipynb} and {py_path.name} hold different cells: run "
                             f"jupytext --sync {py_path} first")
        # the .ipynb holds every cell's metadata; the text file only what its
        # cell_metadata_filter keeps (notebook 09 keeps none): count the text file's change
        # only where its headers would change
        changed = max(_apply(paired.cells, metas), int(new_text != text))
    if write and changed:
        if new_text != text:
            py_path.write_text(new_text)
        if paired is not None:
            nbformat.write(paired, ipynb)
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help="jupytext .py files (default: notebooks/*.py)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 when a notebook's metadata is stale")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.py"))
    stale = 0
    for path in paths:
        try:
            n = update(path, write=not args.check)
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        stale += bool(n)
        verb = "stale in" if args.check else "updated in"
        print(f"{path}: nbgrader metadata {verb} {n} cell(s)" if n else f"{path}: up to date")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
