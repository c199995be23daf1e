"""The checks of notebooks/02-sparse-autoencoder.ipynb (the UFLDL exercise, term by term).

The notebook only calls these; the reference values come from :mod:`aelab`'s engine, so a
student reading the notebook never sees a solution. Every check returns a
:class:`~aelab.exercises.core.Feedback` that says what is wrong and gives a hint; the
notebook's check cells call ``.assert_ok()`` on it (a stub that still raises
``NotImplementedError`` gives "✎ not done yet").

* :func:`flatten`, :func:`unflatten`: the parameter dict as one vector θ and back (UFLDL's
  layout, in the order W1, b1, W2, b2).
* :func:`check_numerical_gradient`: the student's own central-difference gradient, fed
  functions whose gradient is known; recognises forward or backward differences, a wrong
  division of the step, a coordinate not restored, aliased copies, an ignored ``h``.
* :func:`check_reconstruction`, :func:`check_weight_decay`, :func:`check_sparsity`: one term
  of the objective each, value against aelab and gradient against aelab, with hints that name
  the usual slip of that term (a missing σ′, decayed biases, the KL the wrong way round, …).
* :func:`check_no_sparsity`, :func:`check_strong_decay`: the measurements of the β = 0 and
  λ = 1e-3 exercises.

Taught in notebooks/02-sparse-autoencoder.ipynb.
"""
from __future__ import annotations

import numpy as np

from ..autoencoder import Autoencoder
from ..gradcheck import numerical_gradient, relative_difference
from ..metrics import lifetime_sparsity, reconstruction_error
from .core import Feedback, _gradient_factors, check_close

__all__ = [
    "KEYS",
    "flatten",
    "unflatten",
    "check_numerical_gradient",
    "check_reconstruction",
    "check_weight_decay",
    "check_sparsity",
    "check_no_sparsity",
    "check_strong_decay",
]

KEYS = ("W1", "b1", "W2", "b2")


def flatten(params):
    """All parameters as one vector θ, in the order W1, b1, W2, b2.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    return np.concatenate([np.asarray(params[k], dtype=np.float64).ravel() for k in KEYS])


def unflatten(theta, like):
    """The inverse of :func:`flatten`: a dict of arrays shaped like ``like``.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    out, start = {}, 0
    for k in KEYS:
        size = np.size(like[k])
        out[k] = theta[start:start + size].reshape(np.shape(like[k]))
        start += size
    return out


def _run(fun, args, fb, name):
    """fun(*args); None after a ✎ (stub) or ✗ (the student's code raised) line."""
    try:
        return fun(*args)
    except NotImplementedError:
        fb.todo(f"not done yet: {name} still raises NotImplementedError — replace that line "
                "with your code, then run this check again")
    except Exception as exc:  # noqa: BLE001 - the student's error, reported not raised
        fb.fail(f"{name} raised {type(exc).__name__}: {exc}. Read the traceback by calling "
                f"{name} yourself; a shape error usually means a missing or extra .T")
    return None


# ====================================================================== gradient checking
def _test_function():
    """A non-separable smooth J with a known gradient: ½θᵀAθ + Σθ³/3 + sin(θ₀θ₁)."""
    rng = np.random.default_rng(2)
    A = rng.normal(size=(6, 6))
    A = A + A.T

    def J(t):
        return 0.5 * t @ A @ t + np.sum(t ** 3) / 3.0 + np.sin(t[0] * t[1])

    def grad(t):
        g = A @ t + t ** 2
        g[0] += np.cos(t[0] * t[1]) * t[1]
        g[1] += np.cos(t[0] * t[1]) * t[0]
        return g

    theta = rng.normal(size=6)
    return J, grad, theta


def _variants(J, theta, h):
    """The gradients that the usual wrong implementations return, with what went wrong."""
    n = theta.size
    e = np.eye(n)
    f0 = J(theta)
    central = np.array([(J(theta + h * e[i]) - J(theta - h * e[i])) / (2 * h) for i in range(n)])
    out = [
        (np.array([(J(theta + h * e[i]) - f0) / h for i in range(n)]),
         "these are forward differences (J(θ + h eᵢ) − J(θ)) / h, whose error shrinks only "
         "like h: evaluate J on both sides, at θ + h eᵢ and θ − h eᵢ"),
        (np.array([(f0 - J(theta - h * e[i])) / h for i in range(n)]),
         "these are backward differences (J(θ) − J(θ − h eᵢ)) / h, whose error shrinks only "
         "like h: evaluate J on both sides, at θ + h eᵢ and θ − h eᵢ"),
        (2.0 * central, "twice the central difference: the two evaluations are 2h apart, so "
                        "divide their difference by 2h, not by h"),
        (0.5 * central, "half the central difference: divide the difference by 2h once (is "
                        "there an extra factor 2, or h·2·2?)"),
        (-central, "the sign is flipped: it is J(θ + h eᵢ) − J(θ − h eᵢ), the upper value "
                   "first"),
        (central * h, "the difference is not divided by the step at all: divide by 2h"),
        (central * 2 * h * h, "the difference is divided by 1/(2h) instead of by 2h"),
    ]
    # the coordinate is left moved after its turn (θᵢ ends at θᵢ − h or at θᵢ + h)
    for left_at, how in ((-1.0, "θᵢ − h"), (1.0, "θᵢ + h")):
        t = theta.copy()
        g = np.empty(n)
        for i in range(n):
            old = t[i]
            t[i] = old + h
            up = J(t)
            t[i] = old - h
            down = J(t)
            t[i] = old + left_at * h
            g[i] = (up - down) / (2 * h)
        out.append((g, f"each coordinate is left at {how} after its turn, so the later "
                       "coordinates are differenced at a shifted point: put θᵢ back to its "
                       "old value before moving on to the next"))
    # separate copies θ⁺ and θ⁻ made once, before the loop, and never reset
    tp, tm = theta.copy(), theta.copy()
    g = np.empty(n)
    for i in range(n):
        tp[i] += h
        tm[i] -= h
        g[i] = (J(tp) - J(tm)) / (2 * h)
    out.append((g, "θ + h eᵢ and θ − h eᵢ are built on copies made once, before the loop, "
                   "and never reset, so the nudges add up over the coordinates: copy θ (or "
                   "restore the coordinate) inside the loop"))
    return central, out


def check_numerical_gradient(fn):
    """Check a student's central-difference gradient ``fn(J, theta, h=1e-4)``.

    The check feeds ``fn`` a smooth function of six variables whose gradient is known
    (½θᵀAθ + Σθ³/3 + sin(θ₀θ₁), not separable, so that a coordinate left moved spoils the
    others), first with a large step h = 0.1, where every usual mistake gives a recognisably
    different answer, then with h = 1e-4, where a correct central difference agrees with the
    true gradient to a relative difference below 1e-9.

    Parameters
    ----------
    fn : callable
        ``fn(J, theta, h=1e-4) -> ndarray`` shaped like ``theta``; ``J`` maps a 1-D float
        array to a number. It must leave ``theta`` as it found it.

    Returns
    -------
    Feedback
        ✓ lines for the formula, theta left alone, and the accuracy at h = 1e-4; or ✗ naming
        the mistake: forward or backward differences, a wrong division by the step, a flipped
        sign, a coordinate not restored, copies that accumulate the nudges, aliased arrays
        (θ + h eᵢ and θ − h eᵢ the same array), an ignored ``h``, theta modified, a wrong shape.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    name = getattr(fn, "__name__", "your function")
    fb = Feedback(title=f"{name}: a central-difference gradient")
    J, grad, theta = _test_function()
    h = 0.1
    given = theta.copy()
    got = _run(fn, (J, given, h), fb, name)
    if got is None:
        return fb
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return fb.fail(f"{name} should return an array of numbers, got {type(got).__name__}")
    if got.shape != theta.shape:
        return fb.fail(f"{name} returned shape {got.shape}, but theta has shape {theta.shape}: "
                       "return one partial derivative per coordinate, in an array shaped like "
                       "theta (np.zeros_like(theta) is a good start)")
    if not np.array_equal(given, theta):
        fb.fail("theta was changed by your function: after it returns, every coordinate must "
                "be back at its old value (nudge a copy, or put θᵢ back after its turn)")
    central, wrong = _variants(J, theta, h)
    tol = dict(rtol=1e-9, atol=1e-12)
    if np.allclose(got, central, **tol):
        fb.ok("the formula is right: with h = 0.1 you return exactly the central difference "
              "(J(θ + h eᵢ) − J(θ − h eᵢ)) / 2h")
    elif np.allclose(got, 0.0):
        return fb.fail("every partial derivative is 0: J was evaluated twice at the same point. "
                       "Is θ + h eᵢ the same array as θ − h eᵢ? `a = theta` does not copy; "
                       "use theta.copy() (or restore θᵢ between the two evaluations)")
    else:
        small = _run(fn, (J, theta.copy(), 1e-4), Feedback(), name)
        for candidate, hint in wrong:
            if np.allclose(got, candidate, **tol):
                return fb.fail(hint)
        if small is not None and np.allclose(np.asarray(small, dtype=np.float64), got,
                                             rtol=1e-9, atol=1e-12):
            return fb.fail("you return the same numbers for h = 0.1 and h = 1e-4: your "
                           "function ignores its argument h (a step fixed inside it?); use h")
        worst = int(np.argmax(np.abs(got - central)))
        if np.allclose(got, central, rtol=1e-4, atol=1e-6):
            return fb.fail(f"close to the central difference but only to about "
                           f"{-np.log10(relative_difference(got, central)):.0f} digits: is "
                           "something computed in single precision (float32)? Keep θ, the "
                           "nudged copies and the result in float64")
        return fb.fail(f"with h = 0.1 the partial derivative {worst} is {got[worst]:.6g}, but "
                       f"the central difference there is {central[worst]:.6g}. Nudge one "
                       "coordinate at a time, evaluate J at θ + h eᵢ and θ − h eᵢ, and divide "
                       "the difference by 2h")
    # accuracy at UFLDL's step
    g_small = _run(fn, (J, theta.copy(), 1e-4), fb, name)
    if g_small is None:
        return fb
    g_small = np.asarray(g_small, dtype=np.float64)
    rd = relative_difference(g_small, grad(theta))
    if rd < 1e-9:
        fb.ok(f"with h = 1e-4 it agrees with the exact gradient of a test function: relative "
              f"difference {rd:.1e} (below UFLDL's 1e-9)")
    else:
        fb.fail(f"with h = 1e-4 the relative difference from the exact gradient is {rd:.1e}, "
                "above 1e-9: is something computed in single precision (float32)? Keep θ and "
                "J in float64")
    return fb


# ====================================================================== the three terms
def _forward(params, X):
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    A2 = sig(X @ params["W1"].T + params["b1"])
    A3 = sig(A2 @ params["W2"].T + params["b2"])
    return A2, A3


def _library_term(term, params, X, lam=1e-4, beta=3.0, rho=0.01):
    """aelab's value and gradient of one term, found by switching that term on and off."""
    def objective(lam, beta):
        model = Autoencoder(n_hidden=params["W1"].shape[0], activation="sigmoid",
                            output_activation="sigmoid", sparsity="kl", rho=rho,
                            lam=lam, beta=beta)
        return model.objective(X, params=params)
    J0, g0 = objective(0.0, 0.0)
    if term == "reconstruction":
        return float(J0), {k: np.asarray(g0[k]) for k in KEYS}
    J1, g1 = objective(lam, 0.0) if term == "weight decay" else objective(0.0, beta)
    return float(J1 - J0), {k: np.asarray(g1[k] - g0[k]) for k in KEYS}


def _grads_from_deltas(d2, d3, A2, X):
    return {"W1": d2.T @ X, "b1": d2.sum(axis=0), "W2": d3.T @ A2, "b2": d3.sum(axis=0)}


def _reconstruction_slips(params, X):
    """(value or None, grads, hint) of the usual wrong reconstruction terms."""
    m, n = X.shape
    A2, A3 = _forward(params, X)
    E = A3 - X
    s2, s3 = A2 * (1 - A2), A3 * (1 - A3)
    W2 = params["W2"]
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    d3 = E * s3 / m
    slips = []
    d3_nos = E / m
    slips.append((_grads_from_deltas((d3_nos @ W2) * s2, d3_nos, A2, X),
                  "δ3 lacks the output sigmoid's derivative: multiply (A3 − X)/m by "
                  "σ′(Z3) = A3(1 − A3)"))
    slips.append((_grads_from_deltas(d3 @ W2, d3, A2, X),
                  "δ2 lacks the hidden sigmoid's derivative: multiply δ3 W2 by "
                  "σ′(Z2) = A2(1 − A2)"))
    slips.append((_grads_from_deltas((d3 @ W2) * sig(A2) * (1 - sig(A2)), d3, A2, X),
                  "σ′ was applied to the activation A2 instead of written in terms of it: "
                  "σ′(Z2) = A2(1 − A2), not σ(A2)(1 − σ(A2))"))
    slips.append((_grads_from_deltas((E / m @ W2) * s2, d3, A2, X),
                  "δ2 was built from (A3 − X)/m instead of from δ3: backpropagate δ3, which "
                  "already contains σ′(Z3)"))
    return slips


def _term_feedback(name, fun, args, params, X, J_ref, g_ref, *, value_factors=None,
                   grad_factors=None, slips=(), value_slips=(), zero_hint=None):
    fb = Feedback(title=f"{name} term")
    fname = getattr(fun, "__name__", "your function")
    out = _run(fun, args, fb, fname)
    if out is None:
        return fb
    if not (isinstance(out, tuple) and len(out) == 2):
        return fb.fail(f"{fname} should return a pair (J, grads); it returned "
                       f"{type(out).__name__}")
    J, grads = out
    m = X.shape[0]
    Jfb = check_close(f"the {name} value", J, J_ref, rtol=1e-8, atol=1e-12, n_examples=m,
                      factors=value_factors)
    if not Jfb:
        Ja = np.asarray(J, dtype=np.float64) if np.ndim(J) == 0 else None
        for value, hint in value_slips:
            if Ja is not None and np.isclose(Ja, value, rtol=1e-8, atol=1e-12):
                Jfb = Feedback().fail(f"the {name} value is {float(Ja):.8g}, expected "
                                      f"{J_ref:.8g}: {hint}")
                break
    fb.extend(Jfb)
    if not isinstance(grads, dict):
        return fb.fail(f"grads should be a dict with keys {list(KEYS)}; got "
                       f"{type(grads).__name__}")
    missing = [k for k in KEYS if k not in grads]
    if missing:
        fb.fail(f"grads has no {', '.join(map(repr, missing))}: return a gradient for every "
                "parameter, zeros (np.zeros_like) where the term does not depend on it")
    def _matches(cand):
        for k in KEYS:
            g = np.asarray(grads.get(k), dtype=np.float64) if grads.get(k) is not None else None
            if g is None or g.shape != cand[k].shape:
                return False
            atol = 1e-10 * max(1.0, float(np.abs(g_ref[k]).max(initial=0.0)))
            if not np.allclose(g, cand[k], rtol=1e-7, atol=atol):
                return False
        return True
    # a slip that explains the whole gradient (every key) beats one that explains one key
    whole = next((text for cand, text in slips if _matches(cand)), None)
    for k in KEYS:
        if k not in grads:
            continue
        label = f"grads[{k!r}]"
        g = np.asarray(grads[k], dtype=np.float64) if grads[k] is not None else None
        if g is None:
            fb.fail(f"{label} is None: assign it")
            continue
        ref = g_ref[k]
        atol = 1e-10 * max(1.0, float(np.abs(ref).max(initial=0.0)))
        if g.shape == ref.shape and np.allclose(g, ref, rtol=1e-7, atol=atol):
            fb.ok(f"{label} is right")
            continue
        if g.shape == ref.shape and not np.any(ref) and zero_hint:
            fb.fail(f"{label} should be 0: {zero_hint}")
            continue
        hint = whole
        if g.shape == ref.shape and hint is None:
            for cand, text in slips:
                if np.allclose(g, cand[k], rtol=1e-7, atol=atol) and not np.allclose(
                        cand[k], ref, rtol=1e-7, atol=atol):
                    hint = text
                    break
        if hint:
            fb.fail(f"{label}: {hint}")
        else:
            fb.extend(check_close(label, g, ref, rtol=1e-7, atol=atol, n_examples=m,
                                  factors={**_gradient_factors(m), **(grad_factors or {})}))
    if fb.passed:
        # the lesson of the section: the gradient agrees with finite differences of J
        def J_of(theta):
            return float(fun(*((unflatten(theta, params),) + tuple(args[1:])))[0])
        num = numerical_gradient(J_of, flatten(params), step=1e-4)
        rd = relative_difference(num, flatten(grads))
        fb.note(f"and your gradient agrees with central differences of your J: relative "
                f"difference {rd:.1e}")
    return fb


def _with_biases(params, seed=0):
    """The same weights with small nonzero biases, so that a decayed bias shows."""
    rng = np.random.default_rng(seed)
    p = {k: np.array(v, dtype=np.float64, copy=True) for k, v in params.items()}
    p["b1"] = p["b1"] + rng.normal(0.0, 0.1, p["b1"].shape)
    p["b2"] = p["b2"] + rng.normal(0.0, 0.1, p["b2"].shape)
    return p


def check_reconstruction(fun, params, X):
    """Check ``fun(params, X) -> (J_rec, grads)``: the ½-squared-error term, averaged over m.

    Parameters
    ----------
    fun : callable
        The student's ``reconstruction_term``.
    params : dict with W1 (p, n), b1 (p,), W2 (n, p), b2 (n,)
    X : array (m, n)

    Returns
    -------
    Feedback
        The value against aelab (hints: a missing ½, a sum instead of a mean over examples,
        a mean over pixels too), each gradient against aelab (hints: a missing σ′ at either
        layer, σ′ applied to an activation, δ2 built from the raw error, a factor 1/m or a
        sign, a transposed gradient), and, when all is right, the relative difference from
        central differences of the student's J.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    X = np.asarray(X, dtype=np.float64)
    params = _with_biases(params, seed=1)
    J_ref, g_ref = _library_term("reconstruction", params, X)
    m, n = X.shape
    return _term_feedback(
        "reconstruction", fun, (params, X), params, X, J_ref, g_ref,
        value_factors={1.0 / n: f"np.mean also averaged over the n = {n} pixels: sum the "
                                "squared errors over the pixels, then average over the m "
                                "examples"},
        grad_factors={1.0 / n: f"the gradient is divided by n = {n} too: only the 1/m of the "
                               "average over examples belongs in δ3"},
        slips=_reconstruction_slips(params, X))


def check_weight_decay(fun, params, X, lam=1e-4):
    """Check ``fun(params, lam) -> (J_wd, grads)``: λ/2 (‖W1‖² + ‖W2‖²), biases not decayed.

    The check evaluates at the given weights with small nonzero biases (at the UFLDL
    initialisation the biases are 0, where decaying them would go unnoticed).

    Returns
    -------
    Feedback
        Hints: a missing ½ or λ, decayed biases (in the value or the gradient), a factor 2
        in the gradient, a sign.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    X = np.asarray(X, dtype=np.float64)
    params = _with_biases(params, seed=2)
    J_ref, g_ref = _library_term("weight decay", params, X, lam=lam)
    with_b = J_ref + 0.5 * lam * (np.sum(params["b1"] ** 2) + np.sum(params["b2"] ** 2))
    slips = [({"W1": g_ref["W1"], "W2": g_ref["W2"], "b1": lam * params["b1"],
               "b2": lam * params["b2"]}, "the biases are not decayed: their gradient is 0")]
    return _term_feedback(
        "weight decay", fun, (params, lam), params, X, J_ref, g_ref,
        value_factors={1.0 / lam: "λ is missing: multiply by λ",
                       2.0 / lam: "λ/2 is missing: multiply by λ/2"},
        grad_factors={1.0 / lam: "λ is missing in the gradient"},
        value_slips=[(with_b, "the biases were decayed too: only W1 and W2 enter the "
                              "weight decay"),
                      (2 * with_b, "the biases were decayed too, and the ½ is missing")],
        slips=slips, zero_hint="the biases are not decayed, so J_wd does not depend on them")


def check_sparsity(fun, params, X, beta=3.0, rho=0.01):
    """Check ``fun(params, X, beta, rho) -> (J_sparse, grads)``: β Σⱼ KL(ρ ‖ ρ̂ⱼ).

    Returns
    -------
    Feedback
        Hints: the KL the wrong way round (KL(ρ̂ ‖ ρ)), a missing β, a missing 1/m (each
        example carries 1/m of the derivative with respect to ρ̂), a missing σ′(Z2), the sign
        of KL′, a nonzero gradient for W2 or b2 (they do not change ρ̂).

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    X = np.asarray(X, dtype=np.float64)
    params = _with_biases(params, seed=3)
    J_ref, g_ref = _library_term("sparsity", params, X, beta=beta, rho=rho)
    m = X.shape[0]
    A2, _ = _forward(params, X)
    rh = A2.mean(axis=0)
    kl_rev = beta * np.sum(rh * np.log(rh / rho) + (1 - rh) * np.log((1 - rh) / (1 - rho)))
    kl_no_beta = J_ref / beta
    dkl = -rho / rh + (1 - rho) / (1 - rh)
    zeros_out = {"W2": np.zeros_like(params["W2"]), "b2": np.zeros_like(params["b2"])}

    def grads(d2):
        return {"W1": d2.T @ X, "b1": d2.sum(axis=0), **zeros_out}
    slips = [(grads((beta / m) * np.broadcast_to(dkl, A2.shape)),
              "σ′(Z2) = A2(1 − A2) is missing: the derivative with respect to ρ̂ reaches W1 "
              "through the hidden sigmoid"),
             (grads((beta / m) * (np.log(rh / rho) - np.log((1 - rh) / (1 - rho))) * A2
                    * (1 - A2)),
              "this is the derivative of KL(ρ̂ ‖ ρ), the divergence the wrong way round: "
              "differentiate ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂)) with respect to ρ̂")]
    return _term_feedback(
        "sparsity", fun, (params, X, beta, rho), params, X, J_ref, g_ref,
        value_factors={1.0 / beta: "β is missing: multiply the sum of the KLs by β",
                       1.0 / m: f"the sum over units was divided by m = {m}: ρ̂ is already "
                                "an average; the penalty sums KL over the hidden units"},
        grad_factors={1.0 / beta: "β is missing in the gradient",
                      float(m): f"each example carries 1/m of dKL/dρ̂ (ρ̂ is an average over "
                                f"the m = {m} examples): divide by m"},
        value_slips=[(kl_rev, "this is KL(ρ̂ ‖ ρ), the divergence the wrong way round: the "
                              "target ρ comes first, ρ log(ρ/ρ̂) + …"),
                     (kl_no_beta, "β is missing")],
        slips=slips, zero_hint="W2 and b2 do not change ρ̂, so the sparsity term does not "
                               "depend on them")


# ====================================================================== the experiments
def _same_settings(fb, model, reference, **expected):
    ok = True
    for name, value in expected.items():
        got = model.get_params().get(name)
        if not (got == value or (isinstance(got, float) and np.isclose(got, value))):
            fb.fail(f"{name}={got!r}, but this exercise uses {name}={value!r}")
            ok = False
    for name in ("lam", "beta", "rho", "n_hidden", "epsilon", "seed", "dtype", "tol",
                 "optimizer", "activation", "sparsity"):
        if name in expected:
            continue
        got, want = model.get_params().get(name), reference.get_params().get(name)
        if got != want:
            fb.fail(f"{name}={got!r}, but the model of section 3 has {name}={want!r}: change "
                    "only what the exercise changes, so that the comparison has one cause")
            ok = False
    return ok


def _converged(fb, model):
    if not getattr(model, "converged_", False):
        fb.fail(f"the model stopped on {getattr(model, 'stop_reason_', 'no fit')!r} after "
                f"{getattr(model, 'n_iter_', 0)} iterations, not converged: raise max_iter "
                "(a comparison of unconverged models compares their budgets)")
        return False
    fb.ok(f"trained to convergence ({model.n_iter_} L-BFGS iterations)")
    return True


def check_no_sparsity(model_b0, rho_hat_b0, sparsity_b0, X, reference):
    """The β = 0 exercise: one setting changed, converged, ρ̂ and lifetime sparsity measured.

    Parameters
    ----------
    model_b0 : fitted SparseAutoencoder
        Should have beta=0 and every other setting of ``reference``, converged.
    rho_hat_b0 : array (n_hidden,)
        Mean activation of each unit on ``X``.
    sparsity_b0 : float
        ``lifetime_sparsity`` of its hidden activations, averaged over the units.
    X : array
        The training patches.
    reference : fitted SparseAutoencoder
        The β = 3 model it is compared with.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    fb = Feedback(title="β = 0: no sparsity")
    if not hasattr(model_b0, "params_"):
        return fb.fail("model_b0 is not trained: call .fit(X) on it")
    if not _same_settings(fb, model_b0, reference, beta=0.0):
        return fb
    if not _converged(fb, model_b0):
        return fb
    H = model_b0.transform(X)
    p = model_b0.n_hidden
    fb.extend(check_close("rho_hat_b0", rho_hat_b0, H.mean(axis=0), rtol=1e-6, atol=1e-9,
                          n_examples=len(X)))
    if not fb.passed and np.shape(rho_hat_b0) != (p,):
        fb.note("ρ̂ holds one mean per hidden unit: average model_b0.transform(X) over the "
                "examples (axis=0)")
    fb.extend(check_close("sparsity_b0", sparsity_b0, lifetime_sparsity(H).mean(),
                          rtol=1e-6, atol=1e-9))
    if not fb.passed:
        fb.note("sparsity_b0 is lifetime_sparsity(H) (one number per unit) averaged over the "
                "units")
    return fb


def check_strong_decay(model_big, w_norm_big, err_big, X, reference):
    """The λ = 1e-3 exercise: one setting changed, converged, ‖W1‖ and error measured.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    fb = Feedback(title="λ = 1e-3: strong weight decay")
    if not hasattr(model_big, "params_"):
        return fb.fail("model_big is not trained: call .fit(X) on it")
    if not _same_settings(fb, model_big, reference, lam=1e-3):
        return fb
    if not _converged(fb, model_big):
        return fb
    fb.extend(check_close("w_norm_big", w_norm_big, np.linalg.norm(model_big.params_["W1"]),
                          rtol=1e-6, atol=1e-12))
    if not fb.passed:
        fb.note("w_norm_big is the Frobenius norm of W1: np.linalg.norm(model_big.params_"
                "['W1'])")
    fb.extend(check_close("err_big", err_big,
                          reconstruction_error(X, model_big.reconstruct(X)), rtol=1e-6,
                          atol=1e-12))
    if not fb.passed:
        fb.note("err_big is reconstruction_error(X, model_big.reconstruct(X))")
    return fb
