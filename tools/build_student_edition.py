#!/usr/bin/env python3
"""The student edition of the course, made by nbgrader.

    python tools/build_student_edition.py                  # student/ from notebooks/*.ipynb
    python tools/build_student_edition.py --out /tmp/s notebooks/02-sparse-autoencoder.ipynb
    python tools/build_student_edition.py --course ~/aelab-course   # an nbgrader course folder

There is one mechanism: ``nbgrader generate_assignment`` with the course's
nbgrader_config.py (at the repository root). The instructor edition (notebooks/) marks each
exercise's solution inside its cell, and the cell carries nbgrader metadata
(tools/nbgrader_metadata.py writes it):

    def reconstruction_term(params, X):
        A2, A3 = forward(params, X)
        # BEGIN SOLUTION
        J = ...
        # END SOLUTION
        return J

nbgrader replaces each region by the course's stub (``CODE_STUB``, at the indentation of the
BEGIN line; in markdown ``TEXT_STUB``), clears outputs, locks the test cells, strips hidden
tests and records checksums in its gradebook. This module adds what nbgrader lacks, as two
preprocessors that the configuration puts around nbgrader's own:

* ``NeedsAnswers`` (first): unbalanced or nested markers are an error naming the notebook, the
  cell and the line (nbgrader only says "no end solution statement found"); every cell that
  cannot run before the exercises are done -- a cell with a solution region, and every later
  cell that uses a name such a cell defines, directly or through other such cells -- gets the
  ``raises-exception`` tag. nbval, ``jupyter nbconvert --execute`` and nbgrader's autograder
  then accept their errors, and every untagged cell still runs with the stubs in place
  (tests/test_nbgrader.py autogrades the release and checks it);
* ``StudentEdition`` (last): widget state, the jupytext pairing and execution timings go,
  ``metadata.aelab.edition`` becomes ``"student"``.

Without ``--course`` the tool makes a throw-away course in a temporary folder, runs
``nbgrader generate_assignment`` there and copies the release to ``--out`` (``student/`` by
default: Binder's postBuild runs this, and the README's JupyterLab link opens
student/00-start-here.ipynb). With ``--course DIR`` it sets up (or refreshes) a real course:
``DIR/nbgrader_config.py`` loading the repository's, and one assignment per notebook,
``DIR/source/NN-name/NN-name.ipynb``. See docs/INSTRUCTORS.md.
"""
from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import re
import shutil
import subprocess
import symtable
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "nbgrader_config.py"
TAG = "raises-exception"

PLACEHOLDER_MESSAGE = "exercise not done yet"
CODE_STUB = ("# ✎ YOUR CODE HERE: replace the next line with your solution.\n"
             'raise NotImplementedError("' + PLACEHOLDER_MESSAGE + '")')
TEXT_STUB = "✎ YOUR ANSWER HERE: replace this line with your answer."
BEGIN, END = "BEGIN SOLUTION", "END SOLUTION"  # nbgrader's delimiters (found anywhere in a line)
ASSIGNMENT = "aelab"  # the throw-away course's one assignment

try:  # nbgrader is in the teach and test extras; without it only the analysis below works
    from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor
except ImportError:  # pragma: no cover
    ClearSolutions = None
    NbGraderPreprocessor = object


class SolutionMarkerError(ValueError):
    """A BEGIN SOLUTION without its END (or the reverse), or nested regions."""


def check_markers(source, where="cell"):
    """Raise SolutionMarkerError for unbalanced or nested markers; return the region count."""
    open_line, regions = None, 0
    for number, line in enumerate(source.split("\n"), 1):
        if BEGIN in line:
            if open_line is not None:
                raise SolutionMarkerError(f"{where}, line {number}: BEGIN SOLUTION inside the "
                                          f"region opened on line {open_line} (regions cannot "
                                          "nest)")
            open_line = number
        elif END in line:
            if open_line is None:
                raise SolutionMarkerError(f"{where}, line {number}: END SOLUTION without a "
                                          "BEGIN SOLUTION before it")
            open_line, regions = None, regions + 1
    if open_line is not None:
        raise SolutionMarkerError(f"{where}, line {open_line}: BEGIN SOLUTION without an "
                                  "END SOLUTION")
    return regions


def _clear_solutions():
    """nbgrader's ClearSolutions with the course's stubs (what the analysis looks for)."""
    if ClearSolutions is None:
        raise SystemExit("nbgrader is not installed: pip install -e '.[teach]'")
    from traitlets.config import Config
    config = Config()
    config.ClearSolutions.code_stub = {"python": CODE_STUB}
    config.ClearSolutions.text_stub = TEXT_STUB
    return ClearSolutions(config=config)


def student_source(cell, clear=None):
    """The cell's source as nbgrader's ClearSolutions leaves it (None: no region in it)."""
    if BEGIN not in cell.source:
        return None
    clear = clear or _clear_solutions()
    twin = copy.deepcopy(cell)
    clear._replace_solution_region(twin, "python")
    return twin.source


class NeedsAnswers(NbGraderPreprocessor):
    """Check the markers and tag ``raises-exception`` the cells that need an answer.

    Runs before nbgrader's ClearSolutions, so it sees the instructor's solutions (what they
    define) and computes, with ClearSolutions itself, what the student's stub leaves.
    """

    def preprocess(self, nb, resources):
        name = (resources.get("metadata") or {}).get("name", "notebook")
        clear = _clear_solutions()
        student = [None] * len(nb.cells)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type in ("code", "markdown") and check_markers(
                    cell.source, where=f"{name}.ipynb, cell {i}"):
                if cell.cell_type == "code":
                    student[i] = student_source(cell, clear)
        needing = cells_needing_answers(nb.cells, student)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            tags = [t for t in cell.metadata.get("tags", []) if t != TAG]
            if i in needing:
                tags.append(TAG)
            if tags:
                cell.metadata["tags"] = tags
            else:
                cell.metadata.pop("tags", None)
        return nb, resources


class StudentEdition(NbGraderPreprocessor):
    """Drop what a student's copy should not carry: widget state, pairing, timings."""

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            for key in ("execution", "ExecuteTime"):
                cell.metadata.pop(key, None)
        for key in ("widgets", "jupytext"):
            nb.metadata.pop(key, None)
        nb.metadata["aelab"] = {"edition": "student"}
        return nb, resources


# ------------------------------------------------------------------ courses and releases
def write_course(course, notebooks, assignment=None):
    """Set up an nbgrader course folder: its config (loading the repository's) and sources.

    Parameters
    ----------
    course : path
    notebooks : list of paths to instructor notebooks (.ipynb)
    assignment : str or None
        Put every notebook into this one assignment; None: one assignment per notebook,
        named after it (``source/02-sparse-autoencoder/02-sparse-autoencoder.ipynb``).

    Returns
    -------
    list of (assignment, notebook path in source/)
    """
    course = Path(course)
    course.mkdir(parents=True, exist_ok=True)
    config = course / "nbgrader_config.py"
    load = f"load_subconfig({json.dumps(str(CONFIG))})"
    if not config.is_file() or load not in config.read_text():  # keep the course's own lines
        config.write_text(
            "# The aelab course: every setting comes from the repository's nbgrader_config.py.\n"
            f"c = get_config()  # noqa: F821\n{load}\n")
    made = []
    for path in notebooks:
        path = Path(path)
        name = assignment or path.stem
        target = course / "source" / name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = nbformat.read(path, as_version=4)
        if _fill_metadata(nb):
            print(f"warning: {path.name} has exercises without nbgrader metadata; the course "
                  f"copy gets tools/nbgrader_metadata.py's (run it on the notebook)",
                  file=sys.stderr)
            nbformat.write(nb, target)
        else:
            shutil.copyfile(path, target)
        made.append((name, target))
    return made


def _fill_metadata(nb):
    """Give a notebook none of whose cells has nbgrader metadata the metadata that
    tools/nbgrader_metadata.py would write; return whether it did."""
    if not any(BEGIN in c.source for c in nb.cells) or \
            any("nbgrader" in c.metadata for c in nb.cells):
        return False
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import nbgrader_metadata

    for cell, meta in zip(nb.cells, nbgrader_metadata.plan(nb.cells)):
        if meta is not None:
            cell.metadata["nbgrader"] = meta
    return True


def nbgrader(course, *args, timeout=900):
    """Run one nbgrader command in ``course`` with this interpreter; raise with its log."""
    # nbgrader runs alembic (its database migrations) from PATH: find this interpreter's
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                  os.environ.get("PATH", "")])}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed in {course}:\n"
                           f"{done.stdout[-4000:]}{done.stderr[-4000:]}")
    return done


def _report(nb):
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    return {"stubs": sum(s.count(f'raise NotImplementedError("{PLACEHOLDER_MESSAGE}")')
                         for s in code),
            "text_stubs": sum(c.source.count(TEXT_STUB) for c in nb.cells
                              if c.cell_type == "markdown"),
            "tagged": [i for i, c in enumerate(nb.cells)
                       if TAG in c.metadata.get("tags", [])]}


def build(out_dir, notebooks=None, source_dir=ROOT / "notebooks", quiet=False):
    """Write the student edition of ``notebooks`` (default: all of source_dir/*.ipynb).

    ``nbgrader generate_assignment`` makes it, in a throw-away course. Returns a dict mapping
    each written path to a report: ``stubs`` (code regions replaced), ``text_stubs``
    (markdown regions), ``tagged`` (indices of the cells tagged raises-exception).
    """
    out_dir = Path(out_dir)
    paths = [Path(p) for p in notebooks] if notebooks else sorted(Path(source_dir).glob("*.ipynb"))
    if not paths:
        raise SystemExit(f"no notebooks found in {source_dir}")
    for p in paths:
        if p.suffix != ".ipynb" or not p.is_file():
            raise SystemExit(f"not a notebook: {p}")
    out_dir.mkdir(parents=True, exist_ok=True)
    reports = {}
    with tempfile.TemporaryDirectory(prefix="aelab-course-") as course:
        write_course(course, paths, assignment=ASSIGNMENT)
        nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
        for path in paths:
            made = Path(course) / "release" / ASSIGNMENT / path.name
            student = nbformat.read(made, as_version=4)
            nbformat.validate(student)
            target = out_dir / path.name
            shutil.copyfile(made, target)
            reports[target] = report = _report(student)
            if not quiet:
                print(f"{target}: {report['stubs'] + report['text_stubs']} solution(s) "
                      f"removed, {len(report['tagged'])} cell(s) tagged {TAG}")
    return reports


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="The student edition, made by nbgrader generate_assignment: solutions "
                    "removed, checks kept, outputs cleared. See docs/INSTRUCTORS.md.")
    parser.add_argument("notebooks", nargs="*",
                        help="instructor notebooks (default: notebooks/*.ipynb)")
    parser.add_argument("--out", default=str(ROOT / "student"),
                        help="output folder (default: student/ at the repository root)")
    parser.add_argument("--course", help="set up an nbgrader course folder here instead "
                        "(one assignment per notebook in DIR/source/)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    try:
        for path in paths:  # fail early, with the cell and line, before nbgrader runs
            nb = nbformat.read(path, as_version=4)
            for i, cell in enumerate(nb.cells):
                check_markers(cell.source, where=f"{Path(path).name}, cell {i}")
    except SolutionMarkerError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.course:
        for name, target in write_course(args.course, paths):
            print(f"{target}: assignment {name}")
        print(f"now: cd {args.course} && nbgrader generate_assignment <assignment>")
        return 0
    try:
        build(args.out, paths)
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


# ------------------------------------------------------------------ which cells need answers
def _python(source):
    """The cell as plain Python (IPython magics and shell escapes turned into calls)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython comes with the lab extra
        return source
    return TransformerManager().transform_cell(source)


_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _stored(node):
    """Names a target expression binds (x, (a, b), *rest), not d[k] or obj.attr."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, (ast.Tuple, ast.List)):
        return set().union(*(_stored(e) for e in node.elts)) if node.elts else set()
    if isinstance(node, ast.Starred):
        return _stored(node.value)
    return set()


def _loads(node):
    """Names an expression reads, with the names its lambdas and comprehensions bind removed."""
    if node is None:
        return set()
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, ast.Load) else set()
    if isinstance(node, _SCOPES):
        inner = set()
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
                inner.add(child.id)
        local = set()
        for child in ast.walk(node):
            if isinstance(child, ast.arg):
                local.add(child.arg)
            elif isinstance(child, ast.comprehension):
                local |= _stored(child.target)
            elif isinstance(child, ast.NamedExpr):
                local |= _stored(child.target)
        return inner - local
    out = set()
    for child in ast.iter_child_nodes(node):
        out |= _loads(child)
    return out


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _function_globals(table):
    """Global names a function's body (and its nested scopes) reads."""
    out = set()
    for sym in table.get_symbols():
        if sym.is_global() and sym.is_referenced():
            out.add(sym.get_name())
    for child in table.get_children():
        out |= _function_globals(child)
    return out


def names_of(source):
    """What a cell needs from earlier cells, and what it leaves behind.

    Returns
    -------
    (needs, bound, changed, mutated, imported), or None when the cell does not parse.
    needs : set of str
        Global names the cell reads before it binds them itself (statement by statement,
        so ``for k in K: f(k)`` does not need an earlier k), including the free names of
        the functions it defines.
    bound : set of str
        Names it assigns, defines or imports at module level.
    changed : set of str
        Names whose object it changes by ``d[k] = …`` or ``obj.attr = …``.
    mutated : list of (str, set of str)
        ``(name, names in the arguments)`` of each statement ``name.method(args)``, such as
        ``lst.append(x)``, on a name the cell did not import.
    imported : set of str
        Names bound by import statements (modules, functions: calling them changes nothing
        the cell can see).
    """
    code = _python(source)
    try:
        tree = ast.parse(code)
        table = symtable.symtable(code, "<cell>", "exec")
    except SyntaxError:
        return None
    functions = {}
    for child in table.get_children():
        functions.setdefault((child.get_name(), child.get_lineno()), child)
    bound_anywhere = {sym.get_name() for sym in table.get_symbols()
                      if sym.is_assigned() or sym.is_imported() or sym.is_namespace()}
    imported = {sym.get_name() for sym in table.get_symbols() if sym.is_imported()}
    needs, bound, changed, mutated = set(), set(), set(), []

    def read(names):
        needs.update(names - bound)

    def target(node):
        bound.update(_stored(node))
        for t in ast.walk(node):
            if isinstance(t, (ast.Attribute, ast.Subscript)):
                read(_loads(t.slice) if isinstance(t, ast.Subscript) else set())
                if _root(t):
                    read({_root(t)})
                    changed.add(_root(t))

    def run(stmts):
        for st in stmts:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for d in st.decorator_list:
                    read(_loads(d))
                if isinstance(st, ast.ClassDef):
                    for b in [*st.bases, *(k.value for k in st.keywords)]:
                        read(_loads(b))
                else:
                    for d in [*st.args.defaults, *(d for d in st.args.kw_defaults if d)]:
                        read(_loads(d))
                lineno = st.decorator_list[0].lineno if st.decorator_list else st.lineno
                scope = functions.get((st.name, st.lineno)) or functions.get((st.name, lineno))
                if scope is not None:
                    # the body runs when called: names the cell binds anywhere are there by then
                    needs.update(_function_globals(scope) - bound - bound_anywhere)
                bound.add(st.name)
            elif isinstance(st, ast.Assign):
                read(_loads(st.value))
                for t in st.targets:
                    target(t)
            elif isinstance(st, (ast.AugAssign, ast.AnnAssign)):
                read(_loads(st.value))
                if isinstance(st, ast.AugAssign) and isinstance(st.target, ast.Name):
                    read({st.target.id})  # x += 1 reads x
                target(st.target)
            elif isinstance(st, (ast.For, ast.AsyncFor)):
                read(_loads(st.iter))
                target(st.target)
                run(st.body)
                run(st.orelse)
            elif isinstance(st, (ast.With, ast.AsyncWith)):
                for item in st.items:
                    read(_loads(item.context_expr))
                    if item.optional_vars is not None:
                        target(item.optional_vars)
                run(st.body)
            elif isinstance(st, (ast.If, ast.While)):
                read(_loads(st.test))
                run(st.body)
                run(st.orelse)
            elif isinstance(st, ast.Try) or type(st).__name__ == "TryStar":
                run(st.body)
                for h in st.handlers:
                    read(_loads(h.type))
                    if h.name:
                        bound.add(h.name)
                    run(h.body)
                run(st.orelse)
                run(st.finalbody)
            elif isinstance(st, (ast.Import, ast.ImportFrom)):
                bound.update((a.asname or a.name).split(".")[0] for a in st.names)
            else:
                read(_loads(st))
                for t in ast.walk(st):
                    if isinstance(t, ast.NamedExpr):
                        target(t.target)
                if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) \
                        and isinstance(st.value.func, ast.Attribute):
                    obj = _root(st.value.func)
                    if obj:
                        args = set()
                        for a in [*st.value.args, *(k.value for k in st.value.keywords)]:
                            args |= _loads(a)
                        mutated.append((obj, args))

    run(tree.body)
    mutated = [(obj, args) for obj, args in mutated if obj not in imported]
    return needs, bound, changed, mutated, imported


def _is_placeholder(node):
    return (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
            and getattr(node.exc.func, "id", None) == "NotImplementedError"
            and [getattr(a, "value", None) for a in node.exc.args] == [PLACEHOLDER_MESSAGE])


def _runs_placeholder(node):
    """Whether running this statement reaches a placeholder (function bodies do not run)."""
    if _is_placeholder(node):
        return True
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
        return False
    return any(_runs_placeholder(child) for child in ast.iter_child_nodes(node))


def _stub_effects(student_source):
    """(defined, stubbed): what the student's cell defines when it runs, and the functions
    whose bodies hold a placeholder. None when the cell does not parse."""
    try:
        tree = ast.parse(_python(student_source))
    except SyntaxError:
        return None
    stubbed = {st.name for st in ast.walk(tree)
               if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef))
               and any(_is_placeholder(n) for n in ast.walk(st))}
    body = tree.body
    for j, st in enumerate(body):
        if _runs_placeholder(st):  # the cell raises here: only what came before exists
            body = body[:j]
            break
    names = names_of(ast.unparse(ast.Module(body=body, type_ignores=[])))
    return (set() if names is None else names[1]) - stubbed, stubbed


def cells_needing_answers(cells, student_sources):
    """Indices of the code cells that cannot run before the exercises are done.

    Parameters
    ----------
    cells : list of cells of the instructor edition
    student_sources : list of str or None
        The student edition's source of each cell that had a solution, else None.

    A cell with a solution region needs answers; so does every later cell that reads (before
    binding it itself) a name that such a cell leaves undefined, stubbed or changed by an
    answer, transitively. A clean cell that rebinds a name makes it usable again.
    """
    tainted, needing, modules = set(), set(), set()
    for i, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        names = names_of(cell.source)
        if names is None:  # unparsable: fall back to whole words
            words = set(re.findall(r"[A-Za-z_]\w*", cell.source))
            names = (words, set(), set(), [], set())
        needs, bound, changed, mutated, imported = names
        modules |= imported
        if student_sources[i] is not None or needs & tainted:
            needing.add(i)
            left = (bound | changed)
            if student_sources[i] is not None:
                effects = _stub_effects(student_sources[i])
                if effects is not None:
                    defined, stubbed = effects
                    left = (left - defined) | stubbed
            tainted |= left
            tainted |= {obj for obj, args in mutated if args & tainted and obj not in modules}
        else:
            tainted -= bound
    return needing



if __name__ == "__main__":
    sys.exit(main())
