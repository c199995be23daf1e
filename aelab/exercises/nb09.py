"""The checks of notebooks/09-sparse-autoencoders-for-interpretability.ipynb.

Each check runs the student's function on cases it builds itself and names the likely
mistake; it never shows the expected values. Taught in
notebooks/09-sparse-autoencoders-for-interpretability.ipynb.
"""
from __future__ import annotations

import numpy as np

from ..metrics import mean_max_cosine_similarity
from .core import Feedback

__all__ = ["check_mmcs", "check_shrinkage"]


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
