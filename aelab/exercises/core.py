"""Checks for exercises that tell the student *what* is wrong, not only *that* it is wrong.

A check returns a :class:`Feedback`: one line per thing it looked at, ✓ for right, ✗ for wrong
(with the likely cause), ✎ for "not done yet". It displays itself in a notebook, prints itself
in a terminal, and is truthy exactly when everything passed::

    from aelab.exercises import check_close, check_gradient_function, check_objective

    check_close("J", J_mine, J_expected, n_examples=m)
    # ✗ J: 2 times the expected value — is the ½ missing?

    check_gradient_function(my_cost, params)      # fun(params) -> (J, grads)
    # ✓ ∂J/∂W1: matches finite differences (relative difference 3.1e-11)
    # ✗ ∂J/∂b1: −1 times the finite-difference gradient of your J — a sign is flipped

    check_objective(lambda p, X: my_cost(p, X), aelab.SparseAutoencoder(n_hidden=5), X[:20])
    # ✗ J: the weight decay term is missing

The diagnoses cover the classic slips of a hand-written objective: a missing ½, a missing or
doubled 1/m, a flipped sign, a transposed matrix, a vector that should have been summed (or
not), a term left out. A check never raises for a wrong answer (so a student sees all of its
lines); call :meth:`Feedback.assert_ok` to turn a failure into an exception, which is what a
check cell should do so that a wrong instructor solution fails the notebook tests. An
exercise stub that still raises ``NotImplementedError`` gives "✎ not done yet" rather than a
traceback.

Everything here is NumPy (CuPy arrays are copied to the host). Adding an exercise with these
checks is described in docs/INSTRUCTORS.md; the gradient check is taught in
notebooks/02-sparse-autoencoder.ipynb.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np

from ..backend import to_numpy
from ..gradcheck import numerical_gradient, relative_difference

__all__ = [
    "Feedback",
    "ExerciseFailed",
    "ExerciseNotDone",
    "check_close",
    "check_gradient_function",
    "check_objective",
]

_SYMBOLS = {"ok": "✓", "fail": "✗", "todo": "✎", "note": "·"}
_COLOURS = {"ok": "#1a7f37", "fail": "#cf222e", "todo": "#9a6700", "note": "#57606a"}


class ExerciseFailed(AssertionError):
    """Raised by :meth:`Feedback.assert_ok` when a check found a wrong answer."""


class ExerciseNotDone(NotImplementedError):
    """Raised by :meth:`Feedback.assert_ok` when the exercise still raises NotImplementedError."""


@dataclass
class Feedback:
    """The result of a check: a title and ✓/✗/✎ lines.

    ``bool(feedback)`` is True when at least one line passed and none failed or is still to do.
    In a notebook the object shows itself in colour; ``print(feedback)`` gives the plain text.

    Attributes
    ----------
    title : str
    items : list of (status, text)
        status is "ok", "fail", "todo" or "note" (a neutral remark).
    """

    title: str = ""
    items: list = field(default_factory=list)

    # -------------------------------------------------------------- building
    def add(self, status, text):
        if status not in _SYMBOLS:
            raise ValueError(f"status must be one of {sorted(_SYMBOLS)}, got {status!r}")
        self.items.append((status, str(text)))
        return self

    def ok(self, text):
        return self.add("ok", text)

    def fail(self, text):
        return self.add("fail", text)

    def todo(self, text):
        return self.add("todo", text)

    def note(self, text):
        return self.add("note", text)

    def extend(self, other):
        """Append the lines of another Feedback (its title is dropped)."""
        self.items.extend(other.items)
        return self

    # -------------------------------------------------------------- reading
    @property
    def passed(self):
        statuses = [s for s, _ in self.items]
        return "ok" in statuses and "fail" not in statuses and "todo" not in statuses

    @property
    def done(self):
        """False while the exercise still raises NotImplementedError."""
        return all(s != "todo" for s, _ in self.items)

    @property
    def failures(self):
        return [t for s, t in self.items if s == "fail"]

    def __bool__(self):
        return self.passed

    def lines(self):
        out = [self.title] if self.title else []
        out += [f"{_SYMBOLS[s]} {t}" for s, t in self.items]
        return out

    def __str__(self):
        return "\n".join(self.lines())

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        rows = []
        if self.title:
            rows.append(f"<div style='font-weight:600'>{html.escape(self.title)}</div>")
        for s, t in self.items:
            rows.append(f"<div style='color:{_COLOURS[s]}'>{_SYMBOLS[s]} {html.escape(t)}</div>")
        return ("<div class='aelab-feedback' style='font-family:var(--jp-code-font-family,"
                "monospace);white-space:pre-wrap'>" + "".join(rows) + "</div>")

    def assert_ok(self):
        """Return self if everything passed; otherwise raise with the feedback as message.

        Raises
        ------
        ExerciseNotDone
            The exercise still raises NotImplementedError.
        ExerciseFailed
            A check failed (an AssertionError).
        """
        if not self.done:
            raise ExerciseNotDone("\n" + str(self))
        if not self.passed:
            raise ExerciseFailed("\n" + str(self))
        return self


# ------------------------------------------------------------------ diagnosis helpers
def _as_array(x):
    """A float64 NumPy array, or None when x is not numeric."""
    if x is None:
        return None
    try:
        a = np.asarray(to_numpy(x))
    except Exception:  # noqa: BLE001 - anything that is not an array is reported, not raised
        return None
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        return None
    return a.astype(np.float64)


def _shape(a):
    return "a single number" if a.ndim == 0 else f"shape {a.shape}"


def _close(a, b, rtol, atol):
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _factor_hints(n_examples=None, factors=None):
    """(factor, explanation) pairs for 'got = factor × expected'."""
    hints = [
        (-1.0, "a sign is flipped (check the order in a difference such as x̂ − x)"),
        (2.0, "is the ½ missing?"),
        (0.5, "is there a ½ (or a division by 2) too many?"),
        (-2.0, "the sign is flipped and a ½ is missing"),
        (-0.5, "the sign is flipped and there is a ½ too many"),
    ]
    if n_examples and n_examples > 2:
        m = n_examples
        hints += [
            (float(m), f"average over the m = {m} examples: divide by m"),
            (1.0 / m, f"the 1/m (m = {m}) is applied twice"),
            (2.0 * m, f"both the ½ and the 1/m (m = {m}) are missing"),
            (0.5 / m, f"there is an extra ½ and an extra 1/m (m = {m})"),
        ]
    for value, text in (factors or {}).items():
        hints.insert(0, (float(value), str(text)))
    return hints


def _scale_factor(got, expected):
    """The c minimising ‖got − c·expected‖, or None when expected is zero."""
    denom = float(np.vdot(expected, expected))
    if denom == 0.0:
        return None
    return float(np.vdot(got, expected)) / denom


def _index_text(index, shape):
    if not shape:
        return ""
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _diagnose_values(what, got, expected, rtol, atol, n_examples=None, factors=None,
                     reference="the expected value"):
    """got and expected have the same shape and differ. Explain how, in one sentence."""
    if not np.all(np.isfinite(got)):
        bad = np.argwhere(~np.isfinite(got))
        where = _index_text(bad[0], got.shape)
        return (f"{what} contains {'NaN' if np.isnan(got).any() else 'inf'} "
                f"(first at {what}{where}): a log or a division of 0?" if where else
                f"{what} is {got.item()}: a log or a division of 0?")
    if got.ndim == 2 and got.shape[0] == got.shape[1] and got.shape[0] > 1 \
            and np.allclose(got, expected.T, rtol=rtol, atol=atol):
        return f"{what} is the transpose of {reference}: swap the order of the product or add .T"
    c = _scale_factor(got, expected)
    if c is not None and np.allclose(got, c * expected, rtol=max(rtol, 1e-6),
                                     atol=atol + 1e-9 * np.abs(expected).max()):
        for value, hint in _factor_hints(n_examples, factors):
            if math.isclose(c, value, rel_tol=1e-4):
                times = {-1.0: "−1 times"}.get(value, f"{_fmt(value)} times")
                return f"{what} is {times} {reference} — {hint}"
        if abs(c) < 1e-12:
            return f"{what} is zero where {reference} is not: a term is missing"
        if got.size > 1:  # for one number, every wrong value is "a factor off"
            return f"{what} is {c:.4g} times {reference}: a constant factor is off"
    if got.ndim == 0:
        return f"{what} is {got.item():.8g}, but {reference} is {expected.item():.8g}"
    diff = np.abs(got - expected)
    wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    worst = np.unravel_index(int(np.argmax(diff)), got.shape)
    return (f"{int(wrong.sum())} of {got.size} entries of {what} differ from {reference}; "
            f"the largest difference is at {what}{_index_text(worst, got.shape)}: "
            f"{got[worst]:.6g} instead of {expected[worst]:.6g} "
            f"(relative difference {relative_difference(got, expected):.2g})")


def _fmt(value):
    if float(value).is_integer():
        return str(int(value))
    if value and float(1 / value).is_integer():
        return f"1/{int(1 / value)}"
    return f"{value:.4g}"


def _diagnose_shape(what, got, expected, rtol, atol):
    """got and expected have different shapes. Explain, or None when nothing specific."""
    if got.ndim == 2 and got.shape == expected.shape[::-1]:
        if np.allclose(got.T, expected, rtol=rtol, atol=atol):
            return (f"{what} is transposed: {_shape(got)}, expected {_shape(expected)}; its "
                    "values are right once transposed (swap the order of the matrix product, "
                    "e.g. δᵀX rather than Xᵀδ, or add .T)")
        return (f"{what} has {_shape(got)}, expected {_shape(expected)}: it looks transposed "
                "(and even transposed its values differ)")
    if got.ndim == 0 and expected.ndim > 0:
        if math.isclose(got.item(), float(expected.sum()), rel_tol=1e-6, abs_tol=atol):
            return (f"{what} is a single number, the sum of all the expected entries; keep one "
                    f"value per entry ({_shape(expected)}): sum over one axis only, or not at all")
        return f"{what} is a single number, expected {_shape(expected)}"
    if expected.ndim == 0 and got.ndim > 0:
        if math.isclose(float(got.sum()), expected.item(), rel_tol=1e-6, abs_tol=atol):
            return f"{what} has {_shape(got)}: its entries add up to the right value; sum them"
        if math.isclose(float(got.mean()), expected.item(), rel_tol=1e-6, abs_tol=atol):
            return f"{what} has {_shape(got)}: the mean of its entries is right; average them"
        return f"{what} should be a single number, got {_shape(got)}: sum or average it"
    if got.size == expected.size:
        same = np.allclose(got.reshape(expected.shape), expected, rtol=rtol, atol=atol)
        return (f"{what} has {_shape(got)}, expected {_shape(expected)}"
                + ("; the values are right, only the shape differs (a keepdims, a ravel or "
                   "a reshape)" if same else ""))
    if expected.ndim == 1 and got.ndim == 1:
        return (f"{what} has {got.size} entries, expected {expected.size}: "
                "did you sum or average over the wrong axis?")
    if got.ndim == expected.ndim + 1 and got.shape[1:] == expected.shape:
        if np.allclose(got.sum(axis=0), expected, rtol=rtol, atol=atol):
            return (f"{what} has {_shape(got)}, one row per example; sum over the examples "
                    f"(axis=0) to get {_shape(expected)}")
        return f"{what} has {_shape(got)}, expected {_shape(expected)}: reduce over axis 0"
    return f"{what} has {_shape(got)}, expected {_shape(expected)}"


def _compare(what, got, expected, rtol, atol, n_examples=None, factors=None,
             reference="the expected value"):
    """(ok, message) for one value against its expected value."""
    e = _as_array(expected)
    if e is None:
        raise TypeError(f"the expected value of {what} is not numeric: {type(expected).__name__}")
    if got is None:
        return False, f"{what} is None: did you forget to return or assign it?"
    if got is Ellipsis:
        return False, f"{what} is still the placeholder `...`"
    g = _as_array(got)
    if g is None:
        return False, (f"{what} is not a number or an array of numbers "
                       f"(it is a {type(got).__name__})")
    if g.shape != e.shape:
        return False, _diagnose_shape(what, g, e, rtol, atol)
    if np.allclose(g, e, rtol=rtol, atol=atol) and np.all(np.isfinite(g)):
        return True, None
    return False, _diagnose_values(what, g, e, rtol, atol, n_examples, factors, reference)


# ------------------------------------------------------------------ the checks
def check_close(name, got, expected, rtol=1e-7, atol=1e-12, *, n_examples=None, factors=None):
    """Compare a student's value with the expected one, and say how they differ.

    Parameters
    ----------
    name : str
        What the value is, as the student knows it (``"J"``, ``"grads['W1']"``).
    got, expected : number or array
    rtol, atol : float
        Tolerances of ``np.allclose``.
    n_examples : int, optional
        m, the number of examples: lets the check recognise a missing or doubled 1/m.
    factors : dict of float to str, optional
        Further ratios ``got / expected`` to recognise, mapped to the hint to give, e.g.
        ``{1 / lam: "multiply by λ"}``.

    Returns
    -------
    Feedback
        One ✓ or ✗ line. A ✗ names the likely mistake: wrong shape (transposed, summed over
        the wrong axis, a stray keepdims), a constant factor (a missing ½, a missing or doubled
        1/m, a flipped sign), NaN/inf, or where the largest difference is.

    Examples
    --------
    >>> import numpy as np
    >>> print(check_close("J", 2.0, 1.0))
    ✗ J is 2 times the expected value — is the ½ missing?
    >>> bool(check_close("W", np.eye(2), np.eye(2)))
    True
    """
    fb = Feedback()
    ok, msg = _compare(name, got, expected, rtol, atol, n_examples, factors)
    if ok:
        e = _as_array(expected)
        detail = "" if e.ndim == 0 else f" ({_shape(e)})"
        return fb.ok(f"{name} is right{detail}")
    return fb.fail(msg)


def _flatten_blocks(theta, blocks):
    """Names, shapes and slices of the blocks of a flat parameter vector."""
    if blocks is None:
        return [("θ", theta.shape, slice(0, theta.size))]
    items = list(blocks.items()) if isinstance(blocks, dict) else list(blocks)
    out, start = [], 0
    for name, shape in items:
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        size = int(np.prod(shape))
        out.append((str(name), shape, slice(start, start + size)))
        start += size
    if start != theta.size:
        raise ValueError(f"blocks add up to {start} parameters, but theta has {theta.size}")
    return out


def _call(fun, arg, fb, fname):
    """fun(arg), or None after adding a ✎ line when the exercise is not done yet."""
    try:
        return fun(arg)
    except NotImplementedError:
        fb.todo(f"not done yet: {fname} still raises NotImplementedError — replace that "
                "line with your code, then run this check again")
        return None


def _fun_name(fun):
    return getattr(fun, "__name__", "your function").replace("<lambda>", "your function")


def _gradient_factors(n_examples):
    """Hints for 'your gradient = factor × the derivative of your J'."""
    hints = {2.0: "a factor 2 too many: the derivative of ½x² is x, not 2x",
             0.5: "is a factor 2 missing? The derivative of x² is 2x"}
    if n_examples and n_examples > 2:
        hints[float(n_examples)] = ("the gradient needs the same 1/m as J: divide by "
                                    f"m = {n_examples}")
        hints[1.0 / n_examples] = f"the 1/m (m = {n_examples}) is applied twice in the gradient"
    return hints


def check_gradient_function(fun, theta, *, step=1e-4, tol=1e-7, blocks=None, n_examples=None,
                            max_params=20_000):
    """Compare the gradient a student's function returns with central differences of its J.

    Parameters
    ----------
    fun : callable
        ``fun(theta) -> (J, grad)``. Either ``theta`` is a dict of arrays (``{"W1": ...,
        "b1": ...}``) and ``grad`` a dict with the same keys and shapes, or ``theta`` is a
        flat vector and ``grad`` a vector of the same length (the UFLDL layout).
    theta : dict of arrays or 1-D array
        Where to check. Keep it small (tens of examples, a few hidden units): the check
        costs two evaluations of J per parameter.
    step : float, default 1e-4
        h of the central difference (J(θ + h eᵢ) − J(θ − h eᵢ)) / 2h.
    tol : float, default 1e-7
        Largest relative difference ‖g_num − g‖ / ‖g_num + g‖ accepted, per block. A correct
        float64 gradient gives about 1e-9 or less; a wrong one usually 1e-3 to 1.
    blocks : dict of str to shape, or list of (name, shape), optional
        For a flat ``theta``: the names and shapes of its consecutive blocks (e.g.
        ``{"W1": (25, 64), "b1": 25, "W2": (64, 25), "b2": 64}``), so that feedback names
        the block and the index that is wrong.
    n_examples : int, optional
        m, to recognise a gradient that is m times too large or too small.
    max_params : int, default 20000
        Refuse larger problems (they would take minutes); check on fewer hidden units.

    Returns
    -------
    Feedback
        One line per block: ✓ with its relative difference, or ✗ with the likely mistake
        (sign, factor ½ or 1/m, a zero gradient for a parameter J depends on, transposed or
        misshapen arrays) and the worst index.

    Notes
    -----
    The finite differences are taken of the student's *own* J, so this checks that the
    gradient is consistent with J, not that J is right: check J with :func:`check_close` or
    :func:`check_objective`. Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    fname = _fun_name(fun)
    fb = Feedback(title=f"gradient check of {fname}")
    as_dict = isinstance(theta, dict)
    if as_dict:
        keys = list(theta)
        params = {k: np.asarray(to_numpy(v)) for k, v in theta.items()}
        if any(p.dtype != np.float64 for p in params.values()):
            fb.note("parameters converted to float64: finite differences need double precision")
        params = {k: p.astype(np.float64) for k, p in params.items()}
        flat = np.concatenate([params[k].ravel() for k in keys]) if keys else np.zeros(0)
        layout = []
        start = 0
        for k in keys:
            layout.append((k, params[k].shape, slice(start, start + params[k].size)))
            start += params[k].size

        def unflatten(th):
            return {k: th[sl].reshape(shape) for k, shape, sl in layout}
    else:
        flat = np.asarray(to_numpy(theta))
        if flat.ndim != 1:
            raise ValueError(f"theta must be a dict of arrays or a 1-D vector, got shape "
                             f"{flat.shape}; flatten it (and pass blocks=) or pass a dict")
        if flat.dtype != np.float64:
            fb.note("theta converted to float64: finite differences need double precision")
        flat = flat.astype(np.float64)
        layout = _flatten_blocks(flat, blocks)

        def unflatten(th):
            return th
    if flat.size > max_params:
        raise ValueError(f"{flat.size} parameters would need {2 * flat.size} evaluations of J; "
                         f"check on a smaller model (fewer hidden units or features), or raise "
                         f"max_params")

    out = _call(fun, unflatten(flat.copy()), fb, fname)
    if out is None:
        return fb
    if not (isinstance(out, tuple) and len(out) == 2):
        length = f" of length {len(out)}" if hasattr(out, "__len__") else ""
        return fb.fail(f"{fname} should return a pair (J, gradient); it returned "
                       f"{type(out).__name__}{length}")
    J, grad = out
    Ja = _as_array(J)
    if Ja is None or Ja.ndim != 0:
        what = "None" if J is None else (_shape(Ja) if Ja is not None else type(J).__name__)
        return fb.fail(f"J should be a single number, got {what}: sum or average over the "
                       "examples and units")
    if not np.isfinite(Ja):
        return fb.fail(f"J is {Ja.item()}: a log or a division of 0 somewhere?")

    # the student's gradient, one array per block
    analytic = {}
    if as_dict:
        if not isinstance(grad, dict):
            return fb.fail(f"the gradient should be a dict with keys {keys}, like the "
                           f"parameters; got {type(grad).__name__}")
        missing = [k for k in keys if k not in grad]
        extra = [k for k in grad if k not in theta]
        if missing:
            fb.fail(f"the gradient has no {', '.join(map(repr, missing))}: return one for every "
                    "parameter (zeros where J does not depend on it)")
        if extra:
            fb.note(f"the gradient has keys that are not parameters: {extra}")
        for k in keys:
            if k in grad:
                analytic[k] = grad[k]
    else:
        g = _as_array(grad)
        if g is None:
            return fb.fail(f"the gradient should be an array, got {type(grad).__name__}")
        if g.shape != flat.shape:
            return fb.fail(f"the gradient has {_shape(g)}; it must have the shape of θ, "
                           f"{flat.shape} (flatten the blocks in the same order as θ)")
        for name, shape, sl in layout:
            analytic[name] = g[sl].reshape(shape)

    def J_of(th):
        return float(_as_array(fun(unflatten(th))[0]))

    numeric_flat = numerical_gradient(J_of, flat, step)
    all_num, all_ana = [], []
    for name, shape, sl in layout:
        if name not in analytic:
            continue
        num = numeric_flat[sl].reshape(shape)
        label = f"∂J/∂{name}"
        g = _as_array(analytic[name])
        if g is None:
            fb.fail(f"{label} is not an array (it is a {type(analytic[name]).__name__})")
            continue
        if g.shape != num.shape:
            fb.fail(_diagnose_shape(label, g, num, rtol=1e-4, atol=1e-8)
                    + f" (the shape of {name})")
            continue
        if not np.all(np.isfinite(g)):
            fb.fail(_diagnose_values(label, g, num, 1e-4, 1e-8))
            continue
        all_num.append(num.ravel())
        all_ana.append(g.ravel())
        scale = max(np.abs(num).max(initial=0.0), np.abs(g).max(initial=0.0))
        rd = relative_difference(num, g) if scale > 1e-12 else 0.0
        if rd < tol:
            fb.ok(f"{label} matches finite differences (relative difference {rd:.1e})")
            continue
        if np.abs(num).max(initial=0.0) <= 1e-9:
            worst = np.unravel_index(int(np.argmax(np.abs(g))), g.shape)
            fb.fail(f"{label}: J does not depend on {name} (finite differences are 0), but your "
                    f"gradient is not zero, e.g. {label}{_index_text(worst, g.shape)} = "
                    f"{g[worst]:.3g}")
            continue
        if np.abs(g).max(initial=0.0) == 0.0:
            fb.fail(f"{label} is zero, but J depends on {name}: a term of the gradient is "
                    "missing")
            continue
        atol = 1e-7 * np.abs(num).max()
        msg = _diagnose_values(label, g, num, 1e-4, atol, n_examples,
                               factors=_gradient_factors(n_examples),
                               reference="the finite-difference gradient of your J")
        fb.fail(f"{msg} (relative difference {rd:.2g})"
                if "relative difference" not in msg else msg)
    if all_num and len(layout) > 1:
        total = relative_difference(np.concatenate(all_num), np.concatenate(all_ana))
        fb.note(f"all {flat.size} parameters together: relative difference {total:.1e} "
                f"(below {tol:g} passes; UFLDL expects about 1e-9)")
    return fb


def _penalty_terms(model, X, params, J_ref, g_ref):
    """Split the model's objective into its terms by switching hyperparameters off."""
    from sklearn.base import clone

    terms = {}
    off = {}
    hp = model.get_params()
    for label, name in (("weight decay", "lam"), ("sparsity", "beta"),
                        ("contraction", "contraction")):
        value = hp.get(name)
        if value:
            off[label] = name
    if not off:
        return {"reconstruction": (J_ref, g_ref)}
    rest_J, rest_g = J_ref, dict(g_ref)
    for label, name in off.items():
        m = clone(model).set_params(**{name: 0.0})
        J_without, g_without = m.objective(X, params=params)
        tJ = J_ref - J_without
        tg = {k: to_numpy(g_ref[k]) - to_numpy(g_without[k]) for k in g_ref}
        terms[label] = (tJ, tg)
        rest_J -= tJ
        rest_g = {k: to_numpy(rest_g[k]) - tg[k] for k in rest_g}
    terms = {"reconstruction": (rest_J, rest_g), **terms}
    return terms




def _term_hint(got, ref, terms, key, m, rtol):
    """A sentence when got = ref + (f − 1)·term for one term and a telling factor f."""
    factors = [(0.0, "the {t} term is missing"),
               (2.0, "the {t} term is 2 times too large — is its ½ missing?"),
               (0.5, "the {t} term is half what it should be — is there a ½ too many?"),
               (-1.0, "the {t} term has the wrong sign")]
    if m and m > 2:
        factors += [(float(m), f"the {{t}} term is m = {m} times too large — average it over "
                               "the examples (divide by m)"),
                    (1.0 / m, f"the {{t}} term is divided by m = {m} twice")]
    for label, (tJ, tg) in terms.items():
        t = np.asarray(tJ if key is None else tg[key], dtype=np.float64)
        if not np.any(np.abs(t) > 1e-12 * max(1.0, np.abs(ref).max())):
            continue
        for f, text in factors:
            candidate = ref + (f - 1.0) * t
            if np.allclose(got, candidate, rtol=rtol, atol=1e-12 * max(1.0, np.abs(ref).max())):
                return text.format(t=label)
    return None


def check_objective(student_fn, model, X, params=None, *, rtol=1e-7):
    """Compare a student's objective and gradient with ``model.objective``.

    Parameters
    ----------
    student_fn : callable
        ``student_fn(params, X) -> (J, grads)``, with ``grads`` a dict keyed like ``params``.
        Bind any extra arguments with a lambda:
        ``lambda p, X: my_cost(p, X, lam=1e-4, beta=3.0, rho=0.01)``.
    model : aelab.Autoencoder (or a preset)
        The reference. Its hyperparameters (λ, β, ρ, activation, loss, …) define the J the
        student should have written.
    X : array, shape (m, n)
        A few examples are enough.
    params : dict of arrays, optional
        Where to compare. Default: ``model.params_`` when fitted, else
        ``model.initial_params(X)``.
    rtol : float, default 1e-7

    Returns
    -------
    Feedback
        A line for J and one per gradient. A wrong one names the likely mistake; where the
        model's objective has several terms (reconstruction, weight decay, sparsity,
        contraction) it says which term is off, and how (missing, a factor 2 or 1/m, a sign).

    Examples
    --------
    >>> import aelab, numpy as np
    >>> X = np.random.default_rng(0).uniform(0.1, 0.9, (10, 6))
    >>> model = aelab.SparseAutoencoder(n_hidden=3)
    >>> fb = check_objective(lambda p, X: model.objective(X, params=p), model, X)
    >>> bool(fb)
    True
    """
    Xn = np.asarray(to_numpy(X))
    m = Xn.shape[0]
    if params is None:
        params = model.params_ if hasattr(model, "params_") else model.initial_params(Xn)
    params = {k: np.asarray(to_numpy(v)) for k, v in params.items()}
    fname = _fun_name(student_fn)
    fb = Feedback(title=f"{fname} against {type(model).__name__}.objective")
    out = _call(lambda p: student_fn(p, Xn), {k: v.copy() for k, v in params.items()}, fb, fname)
    if out is None:
        return fb
    if not (isinstance(out, tuple) and len(out) == 2):
        return fb.fail(f"{fname} should return a pair (J, grads); it returned "
                       f"{type(out).__name__}")
    J, grads = out
    J_ref, g_ref = model.objective(Xn, params=params)
    g_ref = {k: np.asarray(to_numpy(v), dtype=np.float64) for k, v in g_ref.items()}
    terms = None

    def term_hint(got, ref, key):
        nonlocal terms
        if terms is None:
            terms = _penalty_terms(model, Xn, params, float(J_ref), g_ref)
        return _term_hint(got, ref, terms, key, m, max(rtol, 1e-9))

    ok, msg = _compare("J", J, J_ref, rtol, 1e-12, n_examples=m)
    if ok:
        fb.ok(f"J = {float(_as_array(J)):.10g} matches")
    else:
        Ja = _as_array(J)
        hint = term_hint(Ja, np.float64(J_ref), None) \
            if Ja is not None and Ja.shape == () and np.isfinite(Ja) else None
        fb.fail(f"J is {float(Ja):.10g}, expected {J_ref:.10g}: {hint}" if hint else msg)

    if not isinstance(grads, dict):
        return fb.fail(f"grads should be a dict keyed like the parameters "
                       f"({', '.join(g_ref)}); got {type(grads).__name__}")
    for k in g_ref:
        label = f"grads[{k!r}]"
        if k not in grads:
            fb.fail(f"{label} is missing: return a gradient for every parameter (zeros where "
                    "J does not depend on it)")
            continue
        atol = 1e-10 * max(1.0, float(np.abs(g_ref[k]).max(initial=0.0)))
        ok, msg = _compare(label, grads[k], g_ref[k], max(rtol, 1e-7), atol, n_examples=m)
        if ok:
            fb.ok(f"{label} matches")
            continue
        ga = _as_array(grads[k])
        hint = term_hint(ga, g_ref[k], k) \
            if ga is not None and ga.shape == g_ref[k].shape and np.all(np.isfinite(ga)) \
            else None
        fb.fail(f"{label}: {hint}" if hint else msg)
    extra = [k for k in grads if k not in g_ref]
    if extra:
        fb.note(f"grads has keys the model does not have: {extra}")
    return fb


# ------------------------------------------------------------------ shared by the notebook checks
def host_array(a):
    """A float64 NumPy copy of an array from any backend."""
    return np.asarray(to_numpy(a), dtype=np.float64)


def call_returning_array(fb, fun, *args):
    """``fun(*args)`` as a float array, or None after a ✎ (still a stub) or ✗ line in ``fb``.

    The notebook checks (``aelab.exercises.nbNN``) call students' functions through this, so
    a stub, a missing ``return`` or a non-array answer reads the same in every notebook.
    """
    name = getattr(fun, "__name__", "your function")
    try:
        out = fun(*args)
    except NotImplementedError:
        fb.todo(f"not done yet: {name} still raises NotImplementedError — replace that line "
                "with your code, then run this check again")
        return None
    if out is None:
        fb.fail(f"{name} returned None: did you forget the return?")
        return None
    try:
        return host_array(out)
    except (TypeError, ValueError):
        fb.fail(f"{name} should return an array of numbers, got a {type(out).__name__}")
        return None
