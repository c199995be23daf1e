"""The checks of notebooks/06-denoising-and-contractive.ipynb.

Each check takes the student's answer and the objects the notebook built, computes the
reference itself, and returns a :class:`Feedback` that names the likely mistake and gives a
hint, never the expected value. The notebook calls ``check_…(…).assert_ok()``, so a wrong
instructor solution fails the notebook tests.

:func:`noise_gap` (the measured cost of input noise at fixed weights) is used by a check and
by the notebook's own measurements.

Taught in notebooks/06-denoising-and-contractive.ipynb.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import clone

from ..backend import to_numpy
from .core import Feedback, call_returning_array, host_array

__all__ = [
    "noise_gap",
    "check_corrupt",
    "check_noise_penalty",
    "check_matched_scale",
    "check_jacobian_sq",
]


_host = host_array
_call = call_returning_array


def _number(fb, value, name):
    """value as a float, or None after a ✎/✗ line."""
    if value is None or value is Ellipsis:
        fb.todo(f"not done yet: set {name} to a number")
        return None
    try:
        v = float(np.asarray(to_numpy(value), dtype=np.float64))
    except (TypeError, ValueError):
        fb.fail(f"{name} should be a single number, got {np.shape(value)}: sum over all the "
                "entries")
        return None
    if not np.isfinite(v):
        fb.fail(f"{name} is {v}")
        return None
    return v


def noise_gap(model, params, X, sigma, n_draws=40):
    """E[J_noisy] − J_clean at fixed parameters, estimated over noise draws.

    Parameters
    ----------
    model : aelab.Autoencoder
        Supplies the objective (its own noise settings are replaced).
    params : dict of arrays
        The weights at which both objectives are evaluated.
    X : array, shape (m, n)
    sigma : float
        Standard deviation of the Gaussian input noise.
    n_draws : int
        Independent noise draws (seeds 0, 1, …).

    Returns
    -------
    (mean, standard error) : tuple of float
    """
    clean = clone(model).set_params(noise=None).objective(X, params=params)[0]
    gaps = [clone(model).set_params(noise="gaussian", noise_level=sigma, random_state=s)
            .objective(X, params=params)[0] - clean for s in range(n_draws)]
    return float(np.mean(gaps)), float(np.std(gaps) / np.sqrt(n_draws))


# ------------------------------------------------------------------ exercise 1
def check_corrupt(corrupt):
    """Check ``corrupt(X, kind, level, rng)`` for masking and Gaussian noise.

    Returns
    -------
    Feedback
    """
    fb = Feedback("corrupt")
    X = np.random.default_rng(5).uniform(0.2, 1.0, size=(400, 50))
    X0 = X.copy()
    M = _call(fb, corrupt, X, "mask", 0.3, np.random.default_rng(0))
    if M is None:
        return fb
    if M.shape != X.shape:
        return fb.fail(f"the corrupted copy should have X's shape {X.shape}; got {M.shape}")
    if not np.array_equal(X, X0):
        return fb.fail("X itself was changed: return a corrupted copy and leave X alone")
    removed = float(np.mean(M == 0))
    kept = M != 0
    if not np.allclose(M[kept], X[kept]):
        return fb.fail("masking must leave the surviving pixels exactly as they were (no "
                       "rescaling, no added noise)")
    if abs(removed - 0.7) < 0.03:
        return fb.fail(f"you removed {removed:.0%} of the pixels: ν = 0.3 is the probability "
                       "of *removing* a pixel, not of keeping it")
    if abs(removed - 0.3) >= 0.03:
        return fb.fail(f"with ν = 0.3 about 30% of the pixels should become 0; you removed "
                       f"{removed:.0%}")
    fb.ok(f"masking removed {removed:.1%} of the pixels (ν = 0.3) and left the rest alone")
    G = _call(fb, corrupt, X, "gaussian", 0.2, np.random.default_rng(0))
    if G is None:
        return fb
    if G.shape != X.shape:
        return fb.fail(f"the corrupted copy should have X's shape {X.shape}; got {G.shape}")
    E = G - X
    if np.isclose(E.std(), 0.04, rtol=0.1):
        return fb.fail("the noise has standard deviation 0.04 = σ²: noise_level is σ, the "
                       "standard deviation")
    if G.min() >= 0 and G.max() <= 1 and (G == 0).mean() + (G == 1).mean() > 0.01:
        return fb.fail("the values were clipped to [0, 1]: leave them as they are")
    if abs(np.corrcoef(np.abs(E).ravel(), X.ravel())[0, 1]) > 0.1:
        return fb.fail("the noise should be *added*, the same size everywhere, not "
                       "multiplied by the pixel")
    if not (np.isclose(E.std(), 0.2, rtol=0.05) and abs(E.mean()) < 0.01):
        return fb.fail(f"Gaussian noise with σ = 0.2 should have mean 0 and standard "
                       f"deviation 0.2; yours has mean {E.mean():.3f} and standard deviation "
                       f"{E.std():.3f}")
    return fb.ok(f"the Gaussian noise is added, with mean {E.mean():.3f} and σ = "
                 f"{E.std():.3f}")


# ------------------------------------------------------------------ exercise 2
def check_noise_penalty(penalty, model, params, X, sigma, n_draws=40):
    """Check the penalty that Gaussian input noise adds to a two-layer linear autoencoder.

    The student's number is compared with the exact expectation at ``params`` and with the
    noise gap measured over ``n_draws`` draws (:func:`noise_gap`).

    Parameters
    ----------
    penalty : float
    model : aelab.Autoencoder
        A linear autoencoder with the mse loss (supplies the objective).
    params : dict of arrays
        Its weights (W1, W2 and biases).
    X : array, shape (m, n)
    sigma : float

    Returns
    -------
    Feedback
    """
    fb = Feedback("penalty")
    got = _number(fb, penalty, "penalty")
    if got is None:
        return fb
    W1, W2 = _host(params["W1"]), _host(params["W2"])
    A2 = float(np.sum((W2 @ W1) ** 2))
    ref = sigma ** 2 / 2 * A2
    wrong = [
        (2 * ref, "twice too large: where does the ½ of the loss go?"),
        (ref / 2, "half the right value: E‖Aε‖² has no extra ½"),
        (sigma / 2 * A2, "the expected square of a noise entry is its variance, not σ"),
        (sigma ** 4 / 2 * A2, "σ appears squared once, not twice (σ⁴)"),
        (sigma ** 2 / 2 * (np.sum(W1 ** 2) + np.sum(W2 ** 2)),
         "that is weight decay on the layers, ‖W1‖² + ‖W2‖²: but the noise enters the input "
         "and passes through both layers at once"),
        (sigma ** 2 / 2 * np.sqrt(A2), "the norm is squared: E‖Aε‖² is a sum of squares"),
        (sigma ** 2 / 2 * float(np.trace(W2 @ W1)) ** 2,
         "E[εᵀAᵀAε] is a trace of AᵀA (a sum of squares of A's entries), not (tr A)²"),
        (sigma ** 2 / 2 * float(np.sum(W1 ** 2)), "the noise passes through the decoder too"),
    ]
    if np.isclose(got, ref, rtol=1e-4):
        gap, se = noise_gap(model, params, X, sigma, n_draws=n_draws)
        agree = abs(gap - got) < 3 * se + 1e-4 * abs(got)
        fb.ok(f"penalty = {got:.5f}; the measured gap E[J_noisy] − J_clean over {n_draws} "
              f"noise draws is {gap:.5f} ± {se:.5f}"
              + (", the same within the Monte-Carlo error" if agree else ""))
        if not agree:
            fb.fail("your formula is right but the measured gap disagrees: is `theta` the "
                    "model's own weights?")
        return fb
    for value, hint in wrong:
        if np.isclose(got, value, rtol=1e-4):
            return fb.fail(hint)
    return fb.fail(f"penalty = {got:.5g} is not the expected extra cost: write the noisy "
                   "loss as the clean one plus the two noise terms, and take the mean of "
                   "each over ε ~ N(0, σ²I)")


# ------------------------------------------------------------------ the design task
def check_matched_scale(fun, X):
    """Check ``fun(X, nu)``: clean inputs with the *mean* of ν-masked ones, no pixel missing.

    The notebook uses these inputs to separate the two things masking does to a digit: it
    removes pixels, and it lowers the total ink.

    Parameters
    ----------
    fun : callable
        The student's ``matched_scale``.
    X : array, shape (m, n)
        Clean inputs.

    Returns
    -------
    Feedback
    """
    fb = Feedback("matched_scale")
    X = _host(X)
    for nu in (0.25, 0.5):
        out = _call(fb, fun, X.copy(), nu)
        if out is None:
            return fb
        if out.shape != X.shape:
            return fb.fail(f"return one input per digit, shape {X.shape}; got {out.shape}")
        if np.mean((out == 0) & (X != 0)) > 0.01:
            return fb.fail("some of the ink is set to 0: that is masking again, which mixes "
                           "the missing pixels with the lower scale; keep every pixel")
        if np.allclose(out, X):
            return fb.fail("that is the clean input itself, whose clean error we already "
                           "know; change its scale to match what the model saw in training")
        ratio = float(np.sum(out * X) / np.sum(X * X))
        if not np.allclose(out, ratio * X, rtol=1e-6, atol=1e-6):
            return fb.fail("multiply every pixel by the same factor (a function of ν): the "
                           "point is a digit with no pixel missing")
        if nu == 0.25 and np.isclose(ratio, 0.25):
            return fb.fail("with ν = 0.25 your factor is ν: ν is the fraction *removed*")
        if ratio > 1:
            return fb.fail(f"your factor is {ratio:.3g} > 1: a masked digit has *less* ink "
                           "than the clean one")
        if not np.isclose(ratio, 1 - nu):
            return fb.fail(f"for ν = {nu} your factor is {ratio:.3g}: match the expected "
                           "value of a masked pixel, E[x̃] for a pixel of value x")
    return fb.ok("matched_scale keeps every pixel and gives the clean digits the average "
                 "ink of masked ones, for ν = 0.25 and 0.5")


# ------------------------------------------------------------------ exercise 3
def _fd_jacobian_sq(model, x, h=1e-5):
    J = np.empty((model.n_hidden, x.size))
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = h
        J[:, k] = (_host(model.transform((x + e)[None]))[0]
                   - _host(model.transform((x - e)[None]))[0]) / (2 * h)
    return float(np.sum(J ** 2))


def check_jacobian_sq(jacobian_sq, model, X):
    """Check ``jacobian_sq(model, X)``, ‖∂h/∂x‖²_F per example, against finite differences.

    Parameters
    ----------
    jacobian_sq : callable
    model : aelab.ContractiveAutoencoder (or any fitted model with a sigmoid encoder)
    X : array, shape (m, n), a few examples (each costs 2n encodings)

    Returns
    -------
    Feedback
    """
    fb = Feedback("jacobian_sq")
    X = _host(X)
    ours = _call(fb, jacobian_sq, model, X)
    if ours is None:
        return fb
    ours = np.ravel(ours)
    if ours.shape != (len(X),):
        return fb.fail(f"one number per example: shape ({len(X)},), got {ours.shape} (sum "
                       "over the units and the inputs, not over the examples)")
    ref = np.array([_fd_jacobian_sq(model, x) for x in X])
    if np.allclose(ours, ref, rtol=1e-4):
        return fb.ok(f"matches finite differences of model.transform on {len(X)} examples: "
                     f"{np.round(ours, 3)}")
    H, W = _host(model.transform(X)), _host(model.params_["W1"])
    w2 = np.sum(W ** 2, axis=1)
    wrong = [
        (np.sqrt(ref), "that is the norm ‖∂h/∂x‖_F; return its square"),
        ((H * (1 - H)) @ w2, "every entry of the Jacobian is squared, the sigmoid's "
                             "derivative with it"),
        ((H ** 2) @ w2, "check the derivative of the sigmoid, written in terms of h"),
        (((H * (1 - H)) ** 2) @ np.sum(np.abs(W), axis=1) ** 2,
         "‖W_j‖² is a sum of squares of row j, not the square of a sum"),
        (((H * (1 - H)) ** 2) @ np.sum(W ** 2, axis=0)[: H.shape[1]]
         if W.shape[0] == W.shape[1] else np.full(len(X), np.nan),
         "sum the squared weights over the inputs (row j of W belongs to unit j)"),
        (np.sum(H * (1 - H), axis=1) ** 2 * np.sum(W ** 2) / W.shape[0],
         "the weights of unit j multiply that unit's own derivative: keep the sum over j "
         "outside"),
    ]
    for value, hint in wrong:
        if value.shape == ours.shape and np.allclose(ours, value, rtol=1e-4):
            return fb.fail(hint)
    ratio = ours / ref
    if np.allclose(ratio, ratio[0], rtol=1e-4):
        return fb.fail(f"your values are {ratio[0]:.4g} times the finite-difference ones: a "
                       "constant factor is off")
    return fb.fail("your values differ from finite differences of model.transform: write "
                   "out ∂h_j/∂x_k for one unit and one input, square it, and sum over both")
