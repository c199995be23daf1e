"""When a retrain may continue from the current weights, and why it cannot.

The panel warm-starts a retrain from the model it shows, which is what makes a slider feel
live, except where that would be dishonest: a change of the data, the hidden size, the seed or
ε (the model would not be the one those settings give from scratch), a reset, or weights that
collapsed to W ≈ 0, from which no gradient method moves.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["why_fresh", "collapsed"]


def why_fresh(old, new):
    """In words, why a retrain cannot continue from the current weights."""
    if old is None:
        return None
    names = ("the data set changed", "reset", "the hidden size changed", "the seed changed",
             "ε changed: a new initial scale")
    changed = [n for n, a, b in zip(names, old, new) if a != b]
    return "; ".join(changed) or None


def collapsed(model, X, rows=2000):
    """True when the weights have collapsed to (nearly) zero: blank filters.

    Sparse autoencoders with a large λ settle at W ≈ 0 (hidden units stuck at ρ through
    their biases, the output at the data mean through b₂). The gradient with respect to W₁
    is proportional to W₂ and vice versa, so that point is stationary for any
    hyperparameters: a warm start from it would never leave it.

    Either the encoder weights are negligible against their initial scale (below 0.1% of
    it, RMS), or they have shrunk well below it (under 10%) and the reconstruction explains
    less than 0.1% of the variance of the first ``rows`` examples around their mean. A fit
    stopped at a gradient tolerance (1e-5) can leave W at a few per cent of its initial
    scale, yet its reconstruction is the mean; a model trained for a few epochs only also
    reconstructs the mean, but with its weights still near their initial scale.
    """
    from .frames import to_host

    W = to_host(model.params_["W1"])
    eps = model.get_params().get("epsilon")
    if eps is None:  # UFLDL's uniform init on ±r has standard deviation r/√3
        eps = math.sqrt(6.0 / (X.shape[1] + W.shape[0] + 1)) / math.sqrt(3.0)
    rms = float(np.sqrt(np.mean(W * W)))
    if rms < 1e-3 * float(eps):
        return True
    if rms >= 0.1 * float(eps):
        return False
    reconstruct = getattr(model, "reconstruct", None)
    if reconstruct is None:
        return False
    Xs = X[:rows]
    R = to_host(reconstruct(Xs))
    Xh = to_host(Xs)
    spread = float(np.sum((Xh - Xh.mean(axis=0)) ** 2))
    return spread > 0 and float(np.sum((R - Xh) ** 2)) > (1.0 - 1e-3) * spread
