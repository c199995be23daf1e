#!/usr/bin/env python3
"""Build the student edition of the course from the instructor edition in notebooks/.

    python tools/build_student_edition.py                 # every notebook -> student/
    python tools/build_student_edition.py --out /tmp/s notebooks/02-sparse-autoencoder.ipynb

The instructor edition marks each exercise's solution in its code cells:

    def reconstruction_term(params, X):
        A2, A3 = forward(params, X)
        # BEGIN SOLUTION
        J = ...
        grads = ...
        # END SOLUTION
        return J, grads

For every notebooks/*.ipynb this writes a copy in which

* every ``# BEGIN SOLUTION`` … ``# END SOLUTION`` region of a code cell becomes, at the
  indentation of its ``BEGIN`` line,

      # ✎ YOUR CODE HERE: replace the next line with your solution.
      raise NotImplementedError("exercise not done yet")

  so a stub fails loudly where the student must write, never later with a confusing
  NameError; a region in a markdown cell, between ``<!-- BEGIN SOLUTION -->`` and
  ``<!-- END SOLUTION -->`` lines (e.g. a "Show a solution" box), is removed;
* the checks and everything else stay as they are;
* outputs, execution counts and widget state are removed (they would show the answers), and
  so is the jupytext pairing (the student edition is a set of plain notebooks);
* every cell that cannot run before the exercises are done — a cell with a solution region,
  and every later cell that uses a name such a cell defines, directly or through other such
  cells — gets the ``raises-exception`` tag. nbval and ``jupyter nbconvert --execute``
  treat an error in a tagged cell as expected, so the student edition runs top to bottom
  under nbval; every untagged cell must still run without error
  (tests/test_student_edition.py checks both).

Unbalanced markers are an error that names the notebook, the cell and the line.
See docs/INSTRUCTORS.md.
"""
from __future__ import annotations

import argparse
import ast
import copy
import re
import symtable
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
TAG = "raises-exception"

CODE_BEGIN = re.compile(r"^(?P<indent>[ \t]*)#\s*BEGIN SOLUTION\b")
CODE_END = re.compile(r"^[ \t]*#\s*END SOLUTION\b")
MD_BEGIN = re.compile(r"^\s*<!--\s*BEGIN SOLUTION\s*-->\s*$")
MD_END = re.compile(r"^\s*<!--\s*END SOLUTION\s*-->\s*$")
_MD_GAP = "\x00solution removed\x00"  # where a markdown region was, until it is dropped
PLACEHOLDER_MESSAGE = "exercise not done yet"
PLACEHOLDER = ("{indent}# ✎ YOUR CODE HERE: replace the next line with your solution.\n"
               '{indent}raise NotImplementedError("' + PLACEHOLDER_MESSAGE + '")')


class SolutionMarkerError(ValueError):
    """A BEGIN SOLUTION without its END (or the reverse), or nested regions."""


def strip_solutions(source, kind="code", where="cell"):
    """Replace the solution regions of one cell's source.

    Parameters
    ----------
    source : str
    kind : {"code", "markdown"}
    where : str
        Names the cell in error messages.

    Returns
    -------
    new_source : str
    solutions : list of str
        The removed regions (marker lines included), in order; putting each back in place
        of its placeholder gives the original source (``fill_solutions``).
    """
    begin, end = (CODE_BEGIN, CODE_END) if kind == "code" else (MD_BEGIN, MD_END)
    out, solutions, region, indent, start = [], [], None, "", 0
    lines = source.split("\n")
    for number, line in enumerate(lines, 1):
        b, e = begin.match(line), end.match(line)
        if region is None:
            if e:
                raise SolutionMarkerError(f"{where}, line {number}: END SOLUTION without a "
                                          "BEGIN SOLUTION before it")
            if b:
                region, start = [line], number
                indent = b.groupdict().get("indent", "") if kind == "code" else ""
            else:
                out.append(line)
        else:
            if b:
                raise SolutionMarkerError(f"{where}, line {number}: BEGIN SOLUTION inside the "
                                          f"region opened on line {start} (regions cannot nest)")
            region.append(line)
            if e:
                solutions.append("\n".join(region))
                if kind == "code":
                    out.append(PLACEHOLDER.format(indent=indent))
                else:
                    out.append(_MD_GAP)
                region = None
    if region is not None:
        raise SolutionMarkerError(f"{where}, line {start}: BEGIN SOLUTION without an "
                                  "END SOLUTION")
    text = "\n".join(out)
    if kind == "markdown":
        text = re.sub(r"\n?" + re.escape(_MD_GAP), "", text).strip("\n")
    return text, solutions



def fill_solutions(student_source, solutions):
    """Put solutions back in place of the placeholders (the inverse of strip_solutions)."""
    pieces = iter(solutions)

    def put_back(match):
        return next(pieces)

    first, second = PLACEHOLDER.format(indent="").split("\n")
    pattern = re.compile(r"^[ \t]*" + re.escape(first) + r"\n[ \t]*" + re.escape(second) + "$",
                         re.M)
    filled = pattern.sub(put_back, student_source)
    if next(pieces, None) is not None:
        raise ValueError("more solutions than placeholders")
    return filled


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


# ------------------------------------------------------------------ notebooks
def student_notebook(nb, where="notebook"):
    """The student edition of one instructor notebook (a new object).

    Returns
    -------
    nb : nbformat.NotebookNode
    report : dict
        ``exercises`` (number of solution regions removed), ``tagged`` (indices of the cells
        tagged raises-exception), ``solutions`` (per cell, the removed regions).
    """
    nb = copy.deepcopy(nb)
    solutions = []
    for i, cell in enumerate(nb.cells):
        kind = cell.cell_type if cell.cell_type in ("code", "markdown") else None
        if kind is None:
            solutions.append([])
            continue
        new, sols = strip_solutions(cell.source, kind, where=f"{where}, cell {i}")
        solutions.append(sols)
        if sols:
            cell.source = new
    # the instructor's sources show what the solutions define; the student's what is left
    original = copy.deepcopy(nb.cells)
    student_sources = [None] * len(nb.cells)
    for i, (cell, sols) in enumerate(zip(original, solutions)):
        if sols and cell.cell_type == "code":
            student_sources[i] = cell.source
            cell.source = fill_solutions(cell.source, sols)
    needing = cells_needing_answers(original, student_sources)

    kept = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and solutions[i] and not cell.source.strip():
            continue  # the cell was nothing but a solution
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            tags = [t for t in cell.metadata.get("tags", []) if t != TAG]
            if i in needing:
                tags.append(TAG)
            if tags:
                cell.metadata["tags"] = tags
            else:
                cell.metadata.pop("tags", None)
        kept.append(cell)
    nb.cells = kept
    for key in ("widgets", "jupytext"):
        nb.metadata.pop(key, None)
    nb.metadata["aelab"] = {"edition": "student"}
    report = {"exercises": sum(len(s) for s in solutions), "tagged": sorted(needing),
              "solutions": solutions}
    return nb, report


def build(out_dir, notebooks=None, source_dir=ROOT / "notebooks", quiet=False):
    """Write the student edition of ``notebooks`` (default: all of source_dir/*.ipynb).

    Returns a dict mapping each written path to its report.
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
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        student, report = student_notebook(nb, where=path.name)
        target = out_dir / path.name
        nbformat.validate(student)
        nbformat.write(student, target)
        reports[target] = report
        if not quiet:
            print(f"{target}: {report['exercises']} solution(s) removed, "
                  f"{len(report['tagged'])} cell(s) tagged {TAG}")
    return reports


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Build the student edition: solutions removed, checks kept, outputs "
                    "cleared. See docs/INSTRUCTORS.md.")
    parser.add_argument("notebooks", nargs="*",
                        help="instructor notebooks (default: notebooks/*.ipynb)")
    parser.add_argument("--out", default=str(ROOT / "student"),
                        help="output folder (default: student/ at the repository root)")
    args = parser.parse_args(argv)
    try:
        build(args.out, args.notebooks or None)
    except SolutionMarkerError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
