"""Synthetic data in superposition: more sparse features than dimensions, with the truth known.

A network that must represent n features in d < n dimensions can store them as n directions
in R^d that are almost orthogonal, and get away with the interference as long as few
features are active at once (Elhage et al. 2022). Data built that way let a sparse
autoencoder be judged by what it is for: does its dictionary recover the true features?

Taught in notebooks/09-sparse-autoencoders-for-interpretability.ipynb.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Superposition", "make_superposition"]


@dataclass
class Superposition:
    """What :func:`make_superposition` returns.

    Attributes
    ----------
    X : ndarray (m, d)
        The examples, X = S F.
    features : ndarray (n, d)
        The true feature directions, unit rows.
    coefficients : ndarray (m, n)
        S, sparse and non-negative: which features each example holds, and how strongly.
    """

    X: np.ndarray
    features: np.ndarray
    coefficients: np.ndarray


def make_superposition(n_features=256, n_dims=64, p=0.02, n_samples=100_000, *,
                       magnitude="uniform", importance=None, correlation=0.0, seed=0,
                       sample_seed=None, dtype="float64"):
    """Sparse non-negative mixtures of n random unit directions in d dimensions.

    Each example switches each feature on independently with probability ``p`` (about
    n·p features on per example) and gives it a magnitude; X = S F.

    Parameters
    ----------
    n_features : int >= 2
        n, the number of true features.
    n_dims : int >= 1
        d, the dimension they are squeezed into (superposition when n > d).
    p : float in (0, 1)
        Probability that a feature is on in an example.
    n_samples : int >= 1
    magnitude : {"uniform", "exponential", "one"}
        A feature's coefficient when on: U(0, 1), Exp(1), or exactly 1.
    importance : array (n,), optional
        Per-feature scale of the coefficient (Elhage et al.'s importance-weighted features).
    correlation : float in [0, 1), default 0
        Features come in pairs (2i, 2i+1); with this probability the partner of an active
        feature is switched on as well (correlated features).
    seed : int
        Seeds the feature directions (and, without ``sample_seed``, the examples too).
    sample_seed : int, optional
        Draw the examples from their own stream: the same ``seed`` with another
        ``sample_seed`` gives new examples of the *same* features (a held-out set).
    dtype : {"float64", "float32"}

    Returns
    -------
    Superposition
        ``X`` (m, d), ``features`` (n, d) with unit rows, ``coefficients`` (m, n).
    """
    n, d = int(n_features), int(n_dims)
    if n < 2 or d < 1:
        raise ValueError(f"need n_features >= 2 and n_dims >= 1, got {n_features}, {n_dims}")
    if not 0 < float(p) < 1:
        raise ValueError(f"p must lie in (0, 1), got {p!r}")
    if int(n_samples) < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples!r}")
    if magnitude not in ("uniform", "exponential", "one"):
        raise ValueError(f"magnitude must be 'uniform', 'exponential' or 'one', got {magnitude!r}")
    if not 0 <= float(correlation) < 1:
        raise ValueError(f"correlation must lie in [0, 1), got {correlation!r}")
    rng = np.random.default_rng(seed)
    F = rng.normal(size=(n, d))
    F /= np.linalg.norm(F, axis=1, keepdims=True)
    if sample_seed is not None:
        rng = np.random.default_rng([int(seed), int(sample_seed)])
    m = int(n_samples)
    on = rng.random((m, n)) < p
    if correlation > 0:
        partner = np.arange(n) ^ 1
        partner[partner >= n] = n - 1
        on |= on[:, partner] & (rng.random((m, n)) < correlation)
    if magnitude == "uniform":
        mag = rng.random((m, n))
    elif magnitude == "exponential":
        mag = rng.exponential(size=(m, n))
    else:
        mag = np.ones((m, n))
    S = np.where(on, mag, 0.0)
    if importance is not None:
        imp = np.asarray(importance, dtype=np.float64)
        if imp.shape != (n,):
            raise ValueError(f"importance must have shape ({n},), got {imp.shape}")
        S *= imp
    X = S @ F
    return Superposition(X.astype(dtype), F.astype(dtype), S.astype(dtype))
