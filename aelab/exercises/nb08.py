"""The checks of notebooks/08-variational-autoencoder.ipynb.

The notebook only calls these; every reference value is computed here (from the formulas or
from :class:`~aelab.VariationalAutoencoder` itself), so the student edition shows no
solution. Each check returns a :class:`~aelab.exercises.core.Feedback` that names the likely
mistake and gives a hint, never the answer; the notebook calls ``.assert_ok()`` on it (a stub
that still raises ``NotImplementedError`` gives "✎ not done yet").

* :func:`check_reparameterize`: z from μ, log σ² and the noise ε (exercise 1);
* :func:`check_kl`: the closed-form KL(q(z|x) ‖ N(0, I)) per example (exercise 2), against the
  library and a Monte-Carlo estimate;
* :func:`check_kl_gradient`: the derivatives of that KL with respect to μ and log σ²
  (exercise 3), by finite differences and against the right values;
* :func:`check_walk`: decoding a straight line between two latent means (exercise 4);
* :func:`check_mean_sigma`: the encoder's mean σ for each β (exercise 5);
* :func:`check_log_mean_exp`: the numerically stable log-mean-exp of K importance weights,
  the heart of the importance-weighted bound (exercise 6).

Taught in notebooks/08-variational-autoencoder.ipynb.
"""
from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from ..backend import to_numpy
from .core import Feedback, check_close, check_gradient_function

__all__ = [
    "check_reparameterize",
    "check_kl",
    "check_kl_gradient",
    "check_walk",
    "check_mean_sigma",
    "check_log_mean_exp",
]


def _run(fun, args, fb, name):
    """fun(*args); None after a ✎ (stub) or ✗ (the student's code raised) line."""
    try:
        return fun(*args)
    except NotImplementedError:
        fb.todo(f"not done yet: {name} still raises NotImplementedError — replace that line "
                "with your code, then run this check again")
    except Exception as exc:  # noqa: BLE001 - the student's error, reported, not raised
        fb.fail(f"{name} raised {type(exc).__name__}: {exc}")
    return None


def _arr(x):
    try:
        a = np.asarray(to_numpy(x), dtype=np.float64)
    except Exception:  # noqa: BLE001
        return None
    return a


def _first_match(got, candidates, rtol=1e-6, atol=1e-10):
    for wrong, hint in candidates:
        wrong = np.asarray(wrong, dtype=np.float64)
        if got.shape == wrong.shape and np.allclose(got, wrong, rtol=rtol, atol=atol):
            return hint
    return None


# ====================================================================== exercise 1
def check_reparameterize(reparameterize):
    """Check ``reparameterize(mu, logvar, eps)``: a draw of q(z|x) as a function of ε.

    Parameters
    ----------
    reparameterize : callable ``(mu, logvar, eps) -> z``, arrays of shape (m, d)

    Returns
    -------
    Feedback
        ✓ with the sample mean and standard deviation of 200 000 draws, or ✗ naming the slip
        (σ² in place of σ, log σ² used as σ, √ in place of exp, fresh noise, no noise).

    Notes
    -----
    Taught in notebooks/08-variational-autoencoder.ipynb (exercise 1).
    """
    fb = Feedback("reparameterize")
    rng = np.random.default_rng(1)
    mu, logvar = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    eps = rng.standard_normal((4, 2))
    z = _run(reparameterize, (mu, logvar, eps), fb, "reparameterize")
    if z is None:
        return fb
    z = _arr(z)
    if z is None or z.shape != mu.shape:
        return fb.fail(f"z should have the shape of mu, {mu.shape}; got "
                       f"{None if z is None else z.shape}")
    again = _arr(reparameterize(mu, logvar, eps))
    if not np.allclose(again, z):
        return fb.fail("two calls with the same eps gave different z: use the eps you are "
                       "given, do not draw new noise inside")
    sd = np.exp(0.5 * logvar)
    hint = _first_match(z, [
        (mu + np.exp(logvar) * eps, "you scaled eps by exp(logvar) = σ², the variance; the "
                                    "noise must be scaled by the standard deviation"),
        (mu + logvar * eps, "logvar is log σ², not σ: undo the log first"),
        (mu + np.sqrt(np.abs(logvar)) * eps, "logvar is a logarithm: a square root does not "
                                              "undo it"),
        (mu + sd, "the noise eps is missing"),
        (mu - sd * eps, "the noise enters with the wrong sign (harmless in distribution, "
                        "but not the convention of section 2)"),
        (sd * eps, "the mean mu is missing"),
    ])
    if hint:
        return fb.fail(hint)
    if not np.allclose(z, mu + sd * eps):
        return fb.fail("z does not have the distribution N(mu, σ²): write z as the mean plus "
                       "the standard deviation times the noise, σ = exp(logvar / 2)")
    m, lv = np.array([[1.5, -0.5]]), np.array([[np.log(0.25), np.log(4.0)]])
    draws = _arr(reparameterize(np.repeat(m, 200_000, 0), np.repeat(lv, 200_000, 0),
                                rng.standard_normal((200_000, 2))))
    fb.ok("right. 200 000 draws with μ = (1.5, −0.5) and σ = (0.5, 2) give sample mean "
          f"{np.round(draws.mean(0), 3)} and sample std {np.round(draws.std(0), 3)}")
    return fb


# ====================================================================== exercise 2
def _kl_rows(mu, logvar):
    return 0.5 * np.sum(mu ** 2 + np.exp(logvar) - 1.0 - logvar, axis=1)


def check_kl(kl_per_example, model, X, n_mc=2000, seed=0):
    """Check ``kl_per_example(mu, logvar)``, one KL(q(z|x) ‖ N(0, I)) per row.

    Parameters
    ----------
    kl_per_example : callable ``(mu, logvar) -> array of shape (m,)``
    model : fitted VariationalAutoencoder
        Supplies realistic (μ, log σ²) from ``model.encode(X)`` and the library's KL.
    X : array, shape (m, n)
    n_mc : int
        Draws per example of the Monte-Carlo estimate E_q[log q(z) − log p(z)].
    seed : int

    Returns
    -------
    Feedback
        ✓ with the student's mean KL beside the library's and the Monte-Carlo estimate, or ✗
        naming the slip (a factor ½, the −1, σ in place of σ², the sign of log σ², the axis).

    Notes
    -----
    Taught in notebooks/08-variational-autoencoder.ipynb (exercise 2).
    """
    fb = Feedback("kl_per_example")
    mu, logvar = (np.asarray(to_numpy(a), dtype=np.float64) for a in model.encode(X))
    out = _run(kl_per_example, (mu.copy(), logvar.copy()), fb, "kl_per_example")
    if out is None:
        return fb
    mine = _arr(out)
    right = _kl_rows(mu, logvar)
    d = mu.shape[1]
    if mine is None or mine.shape != right.shape:
        shape = None if mine is None else mine.shape
        if mine is not None and mine.ndim == 0 and np.isclose(mine, right.sum(), rtol=1e-4):
            return fb.fail("one number, the KL summed over all examples: return one KL per "
                           f"example, shape {right.shape} (sum over the code dimensions only)")
        return fb.fail(f"expected one KL per example, shape {right.shape}, got {shape}: sum "
                       "over the code dimensions (axis=1) only")
    hint = _first_match(mine, [
        (2 * right, "twice the right value: a factor ½ is missing"),
        (right / 2, "half the right value: a ½ too many"),
        (right - 0.5 * d, "the constant term is counted twice"),
        (right + 0.5 * d, "a constant term is missing: what is KL(N(0, 1) ‖ N(0, 1))?"),
        (0.5 * np.sum(mu ** 2 + np.exp(0.5 * logvar) - 1 - logvar, axis=1),
         "the E_q[z²] term needs the variance σ² = exp(logvar), not σ"),
        (0.5 * np.sum(mu ** 2 + np.exp(logvar) - 1 + logvar, axis=1),
         "the log σ² term has the wrong sign: log q contains −log σ"),
        (0.5 * np.sum(np.exp(logvar) - 1 - logvar, axis=1),
         "the μ² term is missing: E_q[z²] = μ² + σ²"),
        (-right, "the sign is flipped: a KL divergence is never negative"),
    ], rtol=1e-4, atol=1e-8)
    if hint:
        return fb.fail(hint)
    if not np.allclose(mine, right, rtol=1e-4, atol=1e-8):
        worst = int(np.argmax(np.abs(mine - right)))
        return fb.fail(f"row {worst}: got {mine[worst]:.6g}; the KL of that row is "
                       f"{right[worst]:.6g}. Go through the derivation term by term")
    library = float(model.elbo_terms(X)[1])
    rng = np.random.default_rng(seed)
    sd = np.exp(0.5 * logvar)
    z = mu + sd * rng.standard_normal((n_mc,) + mu.shape)
    # log q − log p per draw; the −(d/2) log 2π of both cancel
    log_ratio = np.sum(-0.5 * ((z - mu) / sd) ** 2 - np.log(sd) + 0.5 * z ** 2, axis=2)
    fb.ok(f"right. Mean KL over {mu.shape[0]} images: yours {mine.mean():.4f}, aelab "
          f"{library:.4f}, Monte Carlo ({n_mc} draws each) {log_ratio.mean():.4f}")
    return fb


# ====================================================================== exercise 3
def check_kl_gradient(kl_and_grad, seed=3):
    """Check ``kl_and_grad(mu, logvar) -> (KL, {"mu": ∂KL/∂μ, "logvar": ∂KL/∂log σ²})``.

    KL is the total Σᵢ KL(q(z|xᵢ) ‖ N(0, I)) over the rows; the gradients have the shapes of
    ``mu`` and ``logvar``.

    Parameters
    ----------
    kl_and_grad : callable
    seed : int
        Seed of the small random (μ, log σ²) where the check is made.

    Returns
    -------
    Feedback
        The value of KL (against the closed form), a finite-difference check of each gradient
        against the student's own KL, and the usual slips named (the ½ of the log σ²
        derivative, the −1, σ in place of σ², a factor 2 on μ).

    Notes
    -----
    Taught in notebooks/08-variational-autoencoder.ipynb (exercise 3).
    """
    fb = Feedback("kl_and_grad")
    rng = np.random.default_rng(seed)
    mu, logvar = rng.normal(size=(5, 3)), rng.normal(scale=0.8, size=(5, 3))
    out = _run(kl_and_grad, (mu.copy(), logvar.copy()), fb, "kl_and_grad")
    if out is None:
        return fb
    if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict)):
        return fb.fail("kl_and_grad should return a pair (KL, {'mu': ..., 'logvar': ...})")
    J, grads = out
    right_J = float(_kl_rows(mu, logvar).sum())
    value = check_close("KL (summed over the rows)", J, right_J, rtol=1e-8, atol=1e-10,
                        n_examples=mu.shape[0])
    fb.extend(value)
    if not value.passed:
        fb.note("get the value right first (exercise 2 sums to it), then its derivatives")
        return fb
    missing = [k for k in ("mu", "logvar") if k not in grads]
    if missing:
        return fb.fail(f"the gradient dict has no {missing}: return both 'mu' and 'logvar'")
    g_mu, g_lv = _arr(grads["mu"]), _arr(grads["logvar"])
    sig2 = np.exp(logvar)
    right_lv = 0.5 * (sig2 - 1.0)
    if g_lv is not None and g_lv.shape == logvar.shape:
        hint = _first_match(g_lv, [
            (sig2 - 1.0, "∂KL/∂log σ² is twice too large: the KL has a ½ in front of "
                         "every term"),
            (0.5 * sig2, "∂KL/∂log σ²: the derivative of the −log σ² term is missing"),
            (0.5 * (np.exp(0.5 * logvar) - 1.0), "∂KL/∂log σ²: write σ² = exp(log σ²) before "
                                                 "differentiating; σ = exp(log σ² / 2) "
                                                 "is not the variance"),
            (0.5 * (sig2 + 1.0), "∂KL/∂log σ²: the −log σ² term differentiates to −1 "
                                 "(with the ½ in front, −½)"),
            (0.5 * (1.0 - sig2), "∂KL/∂log σ² has the wrong sign"),
            (0.5 * (sig2 - 1.0) / sig2, "that is ∂KL/∂σ² (the derivative with respect to the "
                                        "variance); differentiate with respect to log σ² — "
                                        "the chain rule adds a factor σ²"),
        ], rtol=1e-6, atol=1e-10)
        if hint:
            fb.fail(hint)
    if g_mu is not None and g_mu.shape == mu.shape:
        hint = _first_match(g_mu, [(2 * mu, "∂KL/∂μ is twice too large: mind the ½"),
                                   (0.5 * mu, "∂KL/∂μ is half what it should be: the "
                                              "derivative of μ² is 2μ"),
                                   (-mu, "∂KL/∂μ has the wrong sign")])
        if hint:
            fb.fail(hint)
    if fb.failures:
        return fb
    fb.extend(check_gradient_function(
        lambda p: kl_and_grad(p["mu"], p["logvar"]), {"mu": mu, "logvar": logvar}))
    if fb.failures:
        return fb
    if not (np.allclose(g_mu, mu) and np.allclose(g_lv, right_lv)):
        return fb.fail("the gradients match finite differences of your KL but not of the "
                       "closed form: check the value again")
    fb.ok("both derivatives are right: this is what the encoder's log-variance head "
          "receives from the KL term in backpropagation")
    return fb


# ====================================================================== exercise 4
def check_walk(walk, model, x_a, x_b, n=10):
    """Check the decoded straight line from μ(x_a) to μ(x_b), ``n`` evenly spaced points.

    Parameters
    ----------
    walk : array, shape (n, n_features)
    model : fitted VariationalAutoencoder
    x_a, x_b : arrays, shape (n_features,)
    n : int

    Returns
    -------
    Feedback
        ✓, or ✗ naming the slip (reversed, sampled codes or missing ends, uneven spacing).

    Notes
    -----
    Taught in notebooks/08-variational-autoencoder.ipynb (exercise 4).
    """
    fb = Feedback("walk")
    w = _arr(walk)
    width = model.n_features_in_
    if w is None or w.shape != (n, width):
        return fb.fail(f"expected shape ({n}, {width}), got {None if w is None else w.shape}")
    ends = _arr(model.reconstruct(np.stack([x_a, x_b])))
    if np.allclose(w[0], ends[1], atol=1e-5) and np.allclose(w[-1], ends[0], atol=1e-5):
        return fb.fail("the walk runs backwards: start at the first image's code")
    if not (np.allclose(w[0], ends[0], atol=1e-5) and np.allclose(w[-1], ends[1], atol=1e-5)):
        return fb.fail("the first and last images should decode the two latent means: use the "
                       "means (transform), not sampled codes, and include both ends")
    z_a, z_b = (_arr(v) for v in model.transform(np.stack([x_a, x_b])))
    t = np.linspace(0.0, 1.0, n)[:, None]
    right = _arr(model.decode(((1 - t) * z_a + t * z_b).astype(np.float32)))
    if not np.allclose(w, right, atol=1e-4):
        return fb.fail(f"the ends are right but the middle is not: space the {n} points "
                       "evenly on the segment between the two codes")
    return fb.ok(f"right: {n} decodings from one code to the other")


# ====================================================================== exercise 5
def check_mean_sigma(mean_sigma, models, X):
    """Check ``mean_sigma = {β: mean σ of q(z|x) over X and the code dimensions}``.

    Parameters
    ----------
    mean_sigma : dict of float to float
    models : dict of float to fitted VariationalAutoencoder
    X : array

    Returns
    -------
    Feedback
        ✓ per β, or ✗ naming the slip (the variance, exp of the mean log-variance, a missing
        β).

    Notes
    -----
    Taught in notebooks/08-variational-autoencoder.ipynb (exercise 5).
    """
    fb = Feedback("mean_sigma")
    if not isinstance(mean_sigma, dict) or set(mean_sigma) != set(models):
        got = sorted(mean_sigma) if isinstance(mean_sigma, dict) else type(mean_sigma).__name__
        return fb.fail(f"one entry per β in {sorted(models)}; got {got}")
    for b, model in models.items():
        logvar = _arr(model.encode(X)[1])
        right = float(np.exp(0.5 * logvar).mean())
        try:
            got = float(mean_sigma[b])
        except (TypeError, ValueError):
            fb.fail(f"β = {b:g}: expected a number, got {type(mean_sigma[b]).__name__}")
            continue
        if np.isclose(got, right, rtol=1e-3):
            fb.ok(f"β = {b:g}: mean σ ≈ {got:.2g}")
        elif np.isclose(got, np.exp(logvar).mean(), rtol=1e-3):
            fb.fail(f"β = {b:g}: that is the mean variance σ²; the standard deviation is its "
                    "square root, taken per code before averaging")
        elif np.isclose(got, np.exp(0.5 * logvar.mean()), rtol=1e-3):
            fb.fail(f"β = {b:g}: you averaged log σ² before taking exp; convert each code's "
                    "log-variance to σ first, then average")
        elif np.isclose(got, logvar.mean(), rtol=1e-3):
            fb.fail(f"β = {b:g}: that is the mean log-variance, not σ")
        else:
            fb.fail(f"β = {b:g}: {got:.4g} is not the mean σ of q(z|x) over the held-out "
                    "images (encode returns μ and log σ²)")
    return fb


# ====================================================================== exercise 6
def check_log_mean_exp(log_mean_exp, seed=5):
    """Check ``log_mean_exp(log_w)``: log((1/K) Σₖ exp(log_w[k])) over axis 0, stably.

    Parameters
    ----------
    log_mean_exp : callable ``(log_w of shape (K, m)) -> array of shape (m,)``
    seed : int

    Returns
    -------
    Feedback
        ✓, or ✗ naming the slip: the mean of the logs (that is the ELBO estimate), a
        log-sum-exp without the 1/K, the wrong axis, the largest weight alone, or an overflow
        or underflow on realistic log-weights of about −100 to −1000 nats.

    Notes
    -----
    Taught in notebooks/08-variational-autoencoder.ipynb (exercise 6, how tight is the bound).
    """
    fb = Feedback("log_mean_exp")
    rng = np.random.default_rng(seed)
    small = rng.normal(size=(6, 4))
    out = _run(log_mean_exp, (small.copy(),), fb, "log_mean_exp")
    if out is None:
        return fb
    got = _arr(out)
    right = logsumexp(small, axis=0) - np.log(small.shape[0])
    if got is None or got.shape != right.shape:
        shape = None if got is None else got.shape
        if shape == (small.shape[0],):
            return fb.fail(f"shape {shape}: you reduced over the examples; the K weights of "
                           "one example run down axis 0")
        return fb.fail(f"expected one value per example, shape {right.shape}, got {shape}")
    hint = _first_match(got, [
        (small.mean(axis=0), "that is the mean of the log-weights, i.e. the ELBO estimate: "
                             "average the weights themselves, then take the log"),
        (logsumexp(small, axis=0), "the 1/K is missing: it is a mean, not a sum"),
        (small.max(axis=0), "the largest log-weight alone is not the log of the mean"),
    ])
    if hint:
        return fb.fail(hint)
    if not np.allclose(got, right, rtol=1e-8, atol=1e-10):
        return fb.fail("not log((1/K) Σₖ exp(log_w[k])) for small log-weights: check the "
                       "formula on a 2 × 1 example by hand")
    big = rng.normal(size=(50, 3)) * 3.0 + np.array([-150.0, -800.0, -1200.0])
    got_big = _arr(log_mean_exp(big.copy()))
    right_big = logsumexp(big, axis=0) - np.log(big.shape[0])
    if got_big is None or got_big.shape != right_big.shape or not np.all(np.isfinite(got_big)):
        return fb.fail("right for small numbers, but log-weights of −800 nats give "
                       f"{got_big}: exp(−800) underflows to 0 in float64. Factor out the "
                       "largest log-weight of each example before exponentiating")
    if not np.allclose(got_big, right_big, rtol=1e-10, atol=1e-8):
        return fb.fail("right for small numbers, but off for log-weights of −150 to −1200 "
                       "nats: is the largest weight factored out per example (axis 0)?")
    fb.ok("right, and stable for log-weights of −1200 nats")
    return fb
