"""The checks of notebooks/04-autoencoders-and-pca.ipynb.

Each check takes the student's answer and the objects the notebook built (the models, PCA's
components, the data), computes the reference itself, and returns a :class:`Feedback` that
names the likely mistake and gives a hint, never the expected value. The notebook calls
``check_…(…).assert_ok()``, so a wrong instructor solution fails the notebook tests.

Taught in notebooks/04-autoencoders-and-pca.ipynb.
"""
from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from ..metrics import mean_activation
from ..pca import principal_angles
from .core import Feedback

__all__ = [
    "check_principal_angles",
    "check_mixing_cost",
    "check_leftovers",
    "check_directions_from_decoder",
    "check_free_sparsity",
    "check_blank",
]


def _host(a):
    return np.asarray(to_numpy(a), dtype=np.float64)


def _student_array(x):
    """A student's value as a float64 array, or None when it is not an array of numbers."""
    try:
        return np.asarray(to_numpy(x), dtype=np.float64)
    except Exception:  # noqa: BLE001 - anything that is not numeric is reported, not raised
        return None


def _number(fb, name, value):
    """value as a float, or None after a ✗ line saying what is wrong with it."""
    if value is None:
        fb.fail(f"{name} is None: did you forget to assign it?")
        return None
    if value is Ellipsis:
        fb.fail(f"{name} is still the placeholder `...`")
        return None
    a = _student_array(value)
    if a is None:
        fb.fail(f"{name} should be a number, got a {type(value).__name__}")
        return None
    if a.size != 1:
        fb.fail(f"{name} should be a single number, got an array of shape {a.shape}: "
                "a norm or a sum over everything gives one number")
        return None
    v = float(a.reshape(()))
    if not np.isfinite(v):
        fb.fail(f"{name} is {v}: a division by zero or a log of 0?")
        return None
    return v


def _close(a, b, rtol=1e-6, atol=0.0):
    return bool(np.isclose(a, b, rtol=rtol, atol=atol))


# ------------------------------------------------------------------ exercise 1
def check_principal_angles(fun, A, B, *, seed=1):
    """Check a student's ``fun(A, B)`` (principal angles between row spaces, radians, increasing).

    Parameters
    ----------
    fun : callable
        The student's function.
    A, B : array, shape (k_A, n), (k_B, n)
        One real pair from the notebook (e.g. an encoder's rows against PCA's components);
        the check adds two random pairs (equal and unequal dimensions).
    seed : int

    Returns
    -------
    Feedback
    """
    rng = np.random.default_rng(seed)
    cases = {"the pair from the notebook": (_host(A), _host(B)),
             "two random 3-dim subspaces of R^6": (rng.normal(size=(3, 6)),
                                                    rng.normal(size=(3, 6))),
             "a 2-dim subspace against a 4-dim one in R^8": (rng.normal(size=(2, 8)),
                                                             rng.normal(size=(4, 8)))}
    fb = Feedback("Exercise 1 — principal angles")
    for what, (a, b) in cases.items():
        try:
            got = fun(a.copy(), b.copy())
        except NotImplementedError:
            return fb.todo("not done yet: your function still raises NotImplementedError")
        ref = principal_angles(a, b)
        mine = _student_array(got)
        if mine is None:
            fb.fail(f"{what}: your function returned a {type(got).__name__}, not an array "
                    "of angles")
            continue
        mine = mine.ravel()
        if mine.size != ref.size:
            hint = ("one angle per dimension of the smaller subspace: the singular values of "
                    "Q_Aᵀ Q_B, not a full SVD or the matrix itself")
            if mine.size == a.shape[1] or mine.size == a.shape[1] ** 2:
                hint = ("that is one value per pixel (or per pair of pixels): orthonormalise "
                        "the columns of A.T, the rows of A, before the SVD")
            fb.fail(f"{what}: {mine.size} angles, but the smaller subspace has dimension "
                    f"{ref.size}; {hint}")
            continue
        if not np.all(np.isfinite(mine)):
            fb.fail(f"{what}: NaN among the angles; clip the cosines to [−1, 1] before arccos")
            continue
        tol = 1e-6
        if np.allclose(mine, ref, atol=tol):
            fb.ok(f"{what}: right")
            continue
        if np.allclose(np.sort(mine), ref, atol=tol):
            fb.fail(f"{what}: the right angles in the wrong order; return them increasing")
        elif np.allclose(np.sort(mine), np.sort(np.cos(ref)), atol=tol):
            fb.fail(f"{what}: these are the cosines of the angles; take the arccos")
        elif np.allclose(np.sort(np.radians(mine)), ref, atol=tol):
            fb.fail(f"{what}: these look like degrees; return radians")
        elif np.allclose(mine, 0.0, atol=tol):
            fb.fail(f"{what}: all your angles are 0, but these subspaces differ. Is QR run on "
                    "A (its columns) instead of A.T (the rows of A)? Or are both bases from "
                    "the same matrix?")
        else:
            fb.fail(f"{what}: your angles differ from the reference by up to "
                    f"{np.abs(np.sort(mine) - ref).max():.3g} rad. The columns of Q_A and Q_B "
                    "must be orthonormal bases of the row spaces of A and B")
    return fb


# ------------------------------------------------------------------ exercise 2
def check_mixing_cost(cost_identity, cost_stretch, V):
    """Check the weight-decay cost ‖W₁‖²_F + ‖W₂‖²_F of W₁ = C⁻¹V, W₂ = VᵀC.

    Parameters
    ----------
    cost_identity : float
        The student's cost for C = I.
    cost_stretch : float
        The student's cost for C = diag(1, 2, …, k).
    V : array, shape (k, n)
        PCA's components (orthonormal rows).

    Returns
    -------
    Feedback
    """
    V = _host(V)
    k = V.shape[0]
    s = np.arange(1.0, k + 1)
    fb = Feedback("Exercise 2 — the price of a mixing")
    ci = _number(fb, "cost_identity", cost_identity)
    if ci is not None:
        if _close(ci, 2 * k):
            fb.ok("cost_identity is right")
        elif _close(ci, k):
            fb.fail("cost_identity counts one layer only: the cost is ‖W₁‖²_F + ‖W₂‖²_F")
        elif _close(ci, 2 * np.sqrt(k)) or _close(ci, np.sqrt(k)):
            fb.fail("cost_identity looks like a sum of norms, not of squared norms: "
                    "square every entry before summing")
        else:
            fb.fail("cost_identity is off. With C = I both layers are V itself (up to a "
                    "transpose); how long is each row of V?")
    cs = _number(fb, "cost_stretch", cost_stretch)
    if cs is not None:
        if _close(cs, np.sum(s ** 2 + 1 / s ** 2)):
            fb.ok("cost_stretch is right")
        elif _close(cs, np.sum(s ** 2)) or _close(cs, np.sum(1 / s ** 2)):
            fb.fail("cost_stretch counts one of W₁ and W₂ only; the cost is the sum of both")
        elif _close(cs, 2 * np.sum(s ** 2)):
            fb.fail("cost_stretch uses C in both layers; the encoder is W₁ = C⁻¹V, with the "
                    "inverse")
        elif _close(cs, np.sqrt(np.sum(s ** 2)) + np.sqrt(np.sum(1 / s ** 2))):
            fb.fail("cost_stretch looks like a sum of norms, not of squared norms")
        else:
            fb.fail("cost_stretch is off: build W₁ = C⁻¹V (np.linalg.inv) and W₂ = VᵀC, "
                    "then add the squares of all their entries")
    return fb


# ------------------------------------------------------------------ exercise 3
def check_leftovers(share_weights, share_data, W1_0, V, Xc):
    """Check the share of the λ = 0 encoder outside PCA's subspace, in weights and on data.

    Parameters
    ----------
    share_weights, share_data : float
        The student's ‖R0‖_F/‖W1_0‖_F and ‖X_c R0ᵀ‖_F/‖X_c W1_0ᵀ‖_F.
    W1_0 : array, shape (k, n)
        The λ = 0 encoder.
    V : array, shape (k, n)
        PCA's components.
    Xc : array, shape (m, n)
        The centred data.

    Returns
    -------
    Feedback
    """
    W1_0, V, Xc = _host(W1_0), _host(V), _host(Xc)
    inside = W1_0 @ V.T @ V
    R0 = W1_0 - inside
    sw = np.linalg.norm(R0) / np.linalg.norm(W1_0)
    sd = np.linalg.norm(Xc @ R0.T) / np.linalg.norm(Xc @ W1_0.T)
    fb = Feedback("Exercise 3 — the encoder's leftovers")
    w = _number(fb, "share_weights", share_weights)
    d = _number(fb, "share_data", share_data)
    if w is None or d is None:
        return fb
    if _close(w, sd) and _close(d, sw) and not _close(sw, sd):
        return fb.fail("the two shares are swapped: share_weights compares weights, "
                       "share_data compares what the encoder outputs on the data")
    inside_w = np.linalg.norm(inside) / np.linalg.norm(W1_0)
    if _close(w, sw):
        fb.ok("share_weights is right")
    elif _close(w, sw ** 2):
        fb.fail("share_weights is the square of the ratio: divide norms, not squared norms")
    elif _close(w, inside_w):
        fb.fail("share_weights measures the part inside the subspace (W1_0 Vᵀ V); R0 is "
                "what is left when you subtract that part")
    else:
        fb.fail("share_weights is off: R0 = W1_0 minus its projection onto the row space "
                "of V, then the ratio of Frobenius norms")
    if _close(d, sd):
        fb.ok("share_data is right")
    elif _close(d, sd ** 2):
        fb.fail("share_data is the square of the ratio: divide norms, not squared norms")
    elif _close(d, np.linalg.norm(Xc @ inside.T) / np.linalg.norm(Xc @ W1_0.T)):
        fb.fail("share_data measures the part inside the subspace; use R0")
    else:
        fb.fail("share_data is off: apply R0 and W1_0 to the centred data Xc (one row per "
                "image, so multiply by the transposes) before taking the norms")
    return fb


# ------------------------------------------------------------------ exercise 4
def check_directions_from_decoder(fun, W2, lam, V, variances):
    """Check ``fun(W2, lam) -> (directions, variances)`` read off a weight-decayed decoder.

    Parameters
    ----------
    fun : callable
        The student's function; ``directions`` should have one unit row per component,
        ordered as PCA orders them, and ``variances`` the variance along each.
    W2 : array, shape (n, k)
        The decoder of a linear autoencoder trained with weight decay ``lam``.
    lam : float
    V : array, shape (k, n)
        PCA's components, for reference.
    variances : array, shape (k,)
        PCA's explained variances, for reference.

    Returns
    -------
    Feedback
    """
    W2, V, ev = _host(W2), _host(V), _host(variances)
    k = V.shape[0]
    fb = Feedback("Exercise 4 — principal directions from the decoder")
    try:
        out = fun(W2.copy(), lam)
    except NotImplementedError:
        return fb.todo("not done yet: your function still raises NotImplementedError")
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return fb.fail("return a pair: (directions, variances)")
    D, var = _student_array(out[0]), _student_array(out[1])
    if D is None or var is None:
        return fb.fail("directions and variances must be arrays of numbers")
    var = var.ravel()
    if D.shape == (V.shape[1], k):
        fb.fail(f"directions has shape {D.shape}: one direction per column. Return them "
                "as rows, like PCA's components_ (transpose)")
        D = D.T
    elif D.shape == (k, k):
        fb.fail("directions is k × k: those are the right singular vectors, a rotation of "
                "the code. The directions in pixel space are the left singular vectors")
        D = None
    elif D.shape != V.shape:
        fb.fail(f"directions has shape {D.shape}, expected one row of {V.shape[1]} pixels "
                f"per hidden unit ({k} rows)")
        D = None
    if D is not None and not fb.failures:
        cos = np.abs(np.sum(D * V, axis=1)) / (np.linalg.norm(D, axis=1)
                                               * np.linalg.norm(V, axis=1))
        if np.all(cos > 0.999):
            fb.ok("directions are PCA's components, one by one (up to sign)")
        else:
            cross = np.abs(D @ V.T)
            if np.all(cross.max(axis=1) > 0.999):
                fb.fail("every direction is one of PCA's components, but in a different "
                        "order: order them by decreasing singular value")
            else:
                fb.fail(f"{int(np.sum(cos <= 0.999))} of your {k} directions are not PCA's "
                        "component of the same rank. Take the SVD of the decoder W2 itself "
                        "(not of W2ᵀ W2 or of the encoder)")
    if var.shape != (k,):
        return fb.fail(f"variances should hold {k} numbers, one per direction; got shape "
                       f"{var.shape}")
    if np.allclose(var, ev, rtol=2e-3):  # PCA divides by m − 1, the loss by m
        fb.ok("variances match PCA's explained variances")
    elif np.allclose(np.sort(var), np.sort(ev), rtol=2e-3):
        fb.fail("the variances are right but not in the order of the directions")
    else:
        _, s, _ = np.linalg.svd(W2, full_matrices=False)
        if np.allclose(var, lam / (1 - s), rtol=1e-3):
            fb.fail("variances: the shrinkage applies to the squared singular values (s² = 1 "
                    "− λ/σ²), not to s")
        elif np.allclose(var, 1 - s ** 2, rtol=1e-3) or np.allclose(var, s ** 2, rtol=1e-3):
            fb.fail("variances: solve the shrinkage formula for the variance itself")
        else:
            fb.fail("variances are off: invert the relation between a singular value of the "
                    "decoder, λ and the variance along its direction")
    return fb


# ------------------------------------------------------------------ exercise 5
def _kl(r, rh):
    return r * np.log(r / rh) + (1 - r) * np.log((1 - r) / (1 - rh))


def check_free_sparsity(penalty_linear, penalty_sigmoid, linear_model, sigmoid_model, X):
    """Check the sparsity penalties β Σ (ρ̂ⱼ − ρ)² (linear) and β Σ KL(ρ‖ρ̂ⱼ) (sigmoid).

    Parameters
    ----------
    penalty_linear, penalty_sigmoid : float
        The student's values.
    linear_model, sigmoid_model : Autoencoder
        The fitted sparse linear and sparse sigmoid autoencoders.
    X : array
        The data both were trained on.

    Returns
    -------
    Feedback
    """
    rl = _host(mean_activation(linear_model.transform(X)))
    rs = _host(mean_activation(sigmoid_model.transform(X)))
    bl, r_l = float(linear_model.beta), float(linear_model.rho)
    bs, r_s = float(sigmoid_model.beta), float(sigmoid_model.rho)
    exp_lin = bl * np.sum((rl - r_l) ** 2)
    exp_sig = bs * np.sum(_kl(r_s, rs))
    fb = Feedback("Exercise 5 — sparsity that costs nothing")
    pl = _number(fb, "penalty_linear", penalty_linear)
    if pl is not None:
        if _close(pl, exp_lin, rtol=1e-4, atol=1e-12):
            fb.ok("penalty_linear is right")
        elif _close(pl, exp_lin / bl, rtol=1e-4, atol=1e-12):
            fb.fail("penalty_linear is missing the factor β (model.beta)")
        elif _close(pl, bl * np.sum(np.abs(rl - r_l)), rtol=1e-4):
            fb.fail("penalty_linear sums |ρ̂ⱼ − ρ|; the ℓ2 penalty squares the differences")
        elif _close(pl, bl * np.mean((rl - r_l) ** 2), rtol=1e-4, atol=1e-12):
            fb.fail("penalty_linear averages over the units; the penalty sums over them")
        else:
            fb.fail("penalty_linear is off: ρ̂ⱼ is the mean over images of unit j's "
                    "activation (model.transform), one number per unit")
    ps = _number(fb, "penalty_sigmoid", penalty_sigmoid)
    if ps is not None:
        if _close(ps, exp_sig, rtol=1e-4):
            fb.ok("penalty_sigmoid is right")
        elif _close(ps, exp_sig / bs, rtol=1e-4):
            fb.fail("penalty_sigmoid is missing the factor β (model.beta)")
        elif _close(ps, bs * np.sum(_kl(rs, r_s)), rtol=1e-4):
            fb.fail("penalty_sigmoid computes KL(ρ̂ⱼ‖ρ): the target ρ comes first, "
                    "KL(ρ‖ρ̂ⱼ)")
        elif _close(ps, bs * np.sum(r_s * np.log(r_s / rs)), rtol=1e-4):
            fb.fail("penalty_sigmoid has only the first term of the KL; the Bernoulli KL "
                    "also has a (1 − ρ) term")
        elif _close(ps, bs * np.mean(_kl(r_s, rs)), rtol=1e-4):
            fb.fail("penalty_sigmoid averages over the units; the penalty sums over them")
        else:
            fb.fail("penalty_sigmoid is off: the KL divergence between Bernoulli(ρ) and "
                    "Bernoulli(ρ̂ⱼ), summed over units, times β")
    return fb


# ------------------------------------------------------------------ exercise 6
def check_blank(n_blank, max_blank_grad, X, model):
    """Check the count of always-blank pixels and the largest encoder gradient on them.

    Parameters
    ----------
    n_blank : int
        The student's count of pixels that are 0 in every image of ``X``.
    max_blank_grad : float
        The student's largest |∂J/∂W₁| on those pixels.
    X : array, shape (m, n)
    model : Autoencoder
        The fitted plain autoencoder.

    Returns
    -------
    Feedback
    """
    Xh = _host(X)
    blank = Xh.max(axis=0) == 0
    fb = Feedback("Exercise 6 — where the encoder static comes from")
    nb = _number(fb, "n_blank", n_blank)
    if nb is not None:
        if nb == blank.sum():
            fb.ok("n_blank is right")
        elif nb == (Xh.min(axis=0) == 0).sum():
            fb.fail("n_blank counts pixels that are 0 in *some* image; a blank pixel is 0 in "
                    "*every* image (look at its largest value over the images)")
        elif nb == (Xh.max(axis=1) == 0).sum() or nb == (Xh.min(axis=1) == 0).sum():
            fb.fail("n_blank reduces over the wrong axis: rows are images, columns pixels")
        elif nb == blank.size - blank.sum():
            fb.fail("n_blank counts the pixels that are not blank")
        else:
            fb.fail("n_blank is off: reduce over the images (axis=0) and count the pixels "
                    "whose largest value is 0")
    g = _number(fb, "max_blank_grad", max_blank_grad)
    if g is not None:
        _, grads = model.objective(X)
        gW1 = _host(grads["W1"])
        if g == float(np.abs(gW1[:, blank]).max()) and g == 0.0:
            fb.ok("max_blank_grad is right")
        elif g < 0:
            fb.fail("max_blank_grad is negative: take the absolute value first")
        elif _close(g, float(np.abs(gW1).max())):
            fb.fail("max_blank_grad is the largest gradient over all pixels; keep only the "
                    "columns of grads['W1'] that belong to blank pixels")
        else:
            fb.fail("max_blank_grad is off: grads['W1'] has one row per hidden unit and one "
                    "column per pixel; select the blank columns")
    return fb
