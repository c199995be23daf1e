"""The checks of notebooks/09-sparse-autoencoders-for-interpretability.ipynb.

Each check runs the student's function on cases it builds itself and names the likely
mistake; it never shows the expected values. Taught in
notebooks/09-sparse-autoencoders-for-interpretability.ipynb.
"""
from __future__ import annotations

import numpy as np

from ..metrics import mean_max_cosine_similarity
from .core import Feedback

__all__ = ["check_mmcs", "check_shrinkage", "check_copies_per_feature"]


def _call(fb, fun, *args):
    name = getattr(fun, "__name__", "your function")
    try:
        return float(fun(*args))
    except NotImplementedError:
        fb.todo(f"not done yet: {name} still raises NotImplementedError")
    except Exception as exc:  # noqa: BLE001 - the student's code may fail in any way
        fb.fail(f"{name} raised {type(exc).__name__}: {exc}")
    return None


def check_mmcs(mmcs):
    """Check ``mmcs(true_features, dictionary)`` on dictionaries built to expose each slip.

    Slips diagnosed: cosines without normalising the rows; a signed cosine where a
    flipped dictionary element matches as well; averaging over the dictionary instead of
    over the true features; the mean of all cosines instead of each feature's best.
    """
    fb = Feedback("mmcs")
    rng = np.random.default_rng(9)
    F = rng.normal(size=(6, 5))
    cases = {
        "scaled": (F, 3.0 * np.vstack([F, rng.normal(size=(4, 5))])),
        "flipped": (F, -F),
        "extra": (F, np.vstack([F[:3], rng.normal(size=(30, 5))])),
        "plain": (F, rng.normal(size=(8, 5))),
    }
    got = {}
    for name, (a, b) in cases.items():
        v = _call(fb, mmcs, a.copy(), b.copy())
        if v is None:
            return fb
        got[name] = v
    ref = {name: mean_max_cosine_similarity(a, b) for name, (a, b) in cases.items()}
    if all(abs(got[k] - ref[k]) < 1e-9 for k in ref):
        return fb.ok("right on every case: scaled, flipped, padded and random dictionaries")
    def unit(A):
        return A / np.linalg.norm(A, axis=1, keepdims=True)

    mean_all = {k: float(np.mean(np.abs(unit(a) @ unit(b).T))) for k, (a, b) in cases.items()}
    if all(abs(got[k] - mean_all[k]) < 1e-9 for k in ref):
        fb.fail("that is the mean of all |cosines|: take each true feature's *best* match "
                "over the dictionary first, then the mean over the features")
    elif abs(got["scaled"] - ref["scaled"]) > 1e-9 and got["scaled"] > 1:
        fb.fail("a value above 1: are the rows normalised to unit length before the dot "
                "product?")
    elif abs(got["flipped"] - ref["flipped"]) > 1e-9:
        fb.fail("a dictionary of −F should match F perfectly: a direction and its negative "
                "are the same feature (the code can carry the sign). Take |cos|.")
    elif abs(got["extra"] - ref["extra"]) > 1e-9:
        fb.fail("with extra random dictionary elements the score changed: average over the "
                "true features (each one's best match), not over the dictionary")
    else:
        fb.fail("not the mean of each true feature's *best* |cosine|: take the maximum over "
                "the dictionary first, then the mean over the features")
    return fb


def check_shrinkage(gamma):
    """Check ``gamma(X, X_hat)`` = E‖x̂‖² / E⟨x̂, x⟩ on reconstructions with a known scale."""
    fb = Feedback("gamma")
    rng = np.random.default_rng(10)
    X = rng.normal(size=(40, 6))
    noise = rng.normal(size=X.shape) * 0.01
    for scale in (0.5, 1.0, 2.0):
        v = _call(fb, gamma, X.copy(), scale * X + noise)
        if v is None:
            return fb
        ref = float(np.sum((scale * X + noise) ** 2) / np.sum((scale * X + noise) * X))
        if abs(v - ref) > 1e-6 * abs(ref):
            if abs(v - 1 / ref) < 1e-6 / abs(ref):
                return fb.fail("the inverse of γ: the reconstruction's own energy goes on "
                               "top, its overlap with x below")
            return fb.fail(f"wrong for a reconstruction scaled by {scale}: γ should be close "
                           f"to that scale — what ratio of two sums gives it?")
    return fb.ok("right: γ recovers the scale of a shrunk, exact and inflated reconstruction")


def check_copies_per_feature(copies_per_feature):
    """Check ``copies_per_feature(true_features, dictionary, threshold)`` on built dictionaries.

    Slips diagnosed: counting per dictionary row instead of per true feature; a signed
    cosine (a flipped copy not counted); rows not normalised; the threshold ignored.
    """
    fb = Feedback("copies_per_feature")
    rng = np.random.default_rng(11)
    F = np.linalg.qr(rng.normal(size=(8, 5)))[0].T           # 5 orthonormal features in R^8
    # feature 0: two copies (scaled up, flipped); 1: one (scaled down); 2: a near miss
    D = np.vstack([F[0] * 3.0, -F[0], 0.5 * F[1], 0.8 * F[2] + 0.6 * F[3], rng.normal(size=(2, 8))])
    ref = {}
    for t in (0.9, 0.5):
        C = np.abs(F @ (D / np.linalg.norm(D, axis=1, keepdims=True)).T)
        ref[t] = np.sum(C > t, axis=1)
    got = {}
    for t in (0.9, 0.5):
        name = getattr(copies_per_feature, "__name__", "your function")
        try:
            got[t] = np.asarray(copies_per_feature(F.copy(), D.copy(), t))
        except NotImplementedError:
            return fb.todo(f"not done yet: {name} still raises NotImplementedError")
        except Exception as exc:  # noqa: BLE001 - the student's code may fail in any way
            return fb.fail(f"{name} raised {type(exc).__name__}: {exc}")
    if got[0.9].shape != (len(F),):
        if got[0.9].shape == (len(D),):
            return fb.fail("one count per dictionary row: count per *true feature* instead "
                           "(sum over the dictionary's axis)")
        return fb.fail(f"expected one count per true feature, shape ({len(F)},); got "
                       f"{got[0.9].shape}")
    if all(np.array_equal(got[t], ref[t]) for t in ref):
        return fb.ok("right: flipped, scaled and mixed dictionary rows are counted correctly "
                     "at both thresholds")
    if np.array_equal(got[0.9], got[0.5]) and not np.array_equal(ref[0.9], ref[0.5]):
        return fb.fail("the same counts at threshold 0.9 and 0.5: is the threshold used?")
    if np.any(got[0.9][:2] < ref[0.9][:2]) or np.any(got[0.9] > ref[0.9]):
        return fb.fail("copies miscounted: a flipped row (−f) or a rescaled one (3f, f/2) is "
                       "the same direction — normalise the rows and take |cos|")
    return fb.fail("some counts are wrong: compare |cos| of unit rows with the threshold, "
                   "and count per true feature")
