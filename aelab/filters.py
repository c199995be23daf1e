"""How a learned filter looks, in numbers: where its energy sits and whether it has a direction.

"The filters are localized oriented edges" is a claim about pictures; these measures let a
notebook check it. Each takes filters as rows of ``W`` (n_filters, h·w), e.g. a model's
``components_``, and the image shape of one filter. Every filter's mean is removed first (a
constant offset is not structure).

* :func:`spatial_spread`: the energy-weighted RMS distance (pixels) of a filter's squared
  values from their centroid. A single pixel has spread 0; white noise on an s×s patch about
  s/√6 (≈ 3.3 px on 8×8, 11.4 on 28×28).
* :func:`window_energy`: the fraction of a filter's energy inside its best w×w window. A
  filter spread evenly puts about w²/(h·w) there (a little more, by chance); a localized one
  much more.
* :func:`orientation_coherence`: how strongly the filter's gradients share one direction,
  (λ₁ − λ₂)/(λ₁ + λ₂) of the structure tensor Σ ∇f ∇fᵀ; 1 for a perfect edge or grating, 0 for
  an isotropic blob or (on average, nearly) for noise.

Edges are localized *and* oriented; gratings are oriented but fill the patch; blobs are
localized but have no direction. Taught in notebooks/02-sparse-autoencoder.ipynb and used in
notebooks/03-choosing-hyperparameters.ipynb.
"""
from __future__ import annotations

import numpy as np

from .backend import to_numpy

__all__ = ["spatial_spread", "window_energy", "orientation_coherence", "edge_test"]


def _images(W, shape):
    W = np.asarray(to_numpy(W), dtype=np.float64)
    if W.ndim == 1:
        W = W[None, :]
    if W.ndim != 2:
        raise ValueError(f"W must be 2-D (n_filters, n_pixels), got shape {W.shape}")
    h, w = (int(s) for s in shape)
    if h * w != W.shape[1]:
        raise ValueError(f"shape={tuple(shape)} holds {h * w} pixels but each filter has "
                         f"{W.shape[1]}")
    W = W - W.mean(axis=1, keepdims=True)
    return W.reshape(-1, h, w)


def _energy(imgs):
    e = imgs ** 2
    total = e.sum(axis=(1, 2), keepdims=True)
    return e / np.where(total > 0, total, 1.0)


def spatial_spread(W, shape):
    """Energy-weighted RMS distance of each filter from its centroid, in pixels.

    Parameters
    ----------
    W : array, shape (n_filters, h*w)
    shape : (h, w)

    Returns
    -------
    ndarray, shape (n_filters,)
        √(Σᵢ eᵢ ‖pᵢ − c‖²) with eᵢ = wᵢ²/Σ w², pᵢ the pixel coordinates and c = Σ eᵢ pᵢ.
    """
    e = _energy(_images(W, shape))
    rows, cols = np.indices(e.shape[1:])
    cr = (e * rows).sum(axis=(1, 2))
    cc = (e * cols).sum(axis=(1, 2))
    var = (e * rows ** 2).sum(axis=(1, 2)) - cr ** 2 + (e * cols ** 2).sum(axis=(1, 2)) - cc ** 2
    return np.sqrt(np.maximum(var, 0.0))


def window_energy(W, shape, window):
    """Fraction of each filter's energy inside its strongest ``window`` × ``window`` square.

    Parameters
    ----------
    W : array, shape (n_filters, h*w)
    shape : (h, w)
    window : int, 1 <= window <= min(h, w)

    Returns
    -------
    ndarray, shape (n_filters,), values in [0, 1]
    """
    h, w = (int(s) for s in shape)
    window = int(window)
    if not 1 <= window <= min(h, w):
        raise ValueError(f"window must lie in [1, {min(h, w)}] for shape {(h, w)}, got {window}")
    e = _energy(_images(W, shape))
    c = np.pad(np.cumsum(np.cumsum(e, axis=1), axis=2), ((0, 0), (1, 0), (1, 0)))
    k = window
    s = c[:, k:, k:] - c[:, :-k, k:] - c[:, k:, :-k] + c[:, :-k, :-k]  # summed-area table
    return s.reshape(len(e), -1).max(axis=1)


def orientation_coherence(W, shape):
    """How much each filter's gradients point one way: (λ₁ − λ₂)/(λ₁ + λ₂), in [0, 1].

    Parameters
    ----------
    W : array, shape (n_filters, h*w)
    shape : (h, w)

    Returns
    -------
    ndarray, shape (n_filters,)
        From the structure tensor T = Σ ∇f ∇fᵀ over the filter (central differences on the
        interior pixels); λ₁ ≥ λ₂ its eigenvalues. 0 for a filter with no gradient.
    """
    imgs = _images(W, shape)
    # central differences on the interior only: one-sided ones at the border bend directions
    gx = 0.5 * (imgs[:, 1:-1, 2:] - imgs[:, 1:-1, :-2])
    gy = 0.5 * (imgs[:, 2:, 1:-1] - imgs[:, :-2, 1:-1])
    txx = (gx * gx).sum(axis=(1, 2))
    tyy = (gy * gy).sum(axis=(1, 2))
    txy = (gx * gy).sum(axis=(1, 2))
    trace = txx + tyy
    diff = np.sqrt((txx - tyy) ** 2 + 4 * txy ** 2)  # λ₁ − λ₂
    return np.where(trace > 0, diff / np.where(trace > 0, trace, 1.0), 0.0)


def edge_test(W, shape, *, quantile=0.05, n_random=4000, seed=0):
    """Which filters are both localized and oriented beyond what random filters are.

    A filter passes when its :func:`spatial_spread` is below the ``quantile`` of the spreads
    of white-noise filters of the same shape (more compact than 95 % of them, by default)
    *and* its :func:`orientation_coherence` is above their ``1 − quantile`` quantile (more
    oriented than 95 % of them). Edges and short bars pass; gratings that fill the patch fail
    on spread, blobs and unstructured filters on coherence. By construction about
    ``quantile²`` of random filters pass both (0.25 %), which is the baseline to compare with.

    Parameters
    ----------
    W : array, shape (n_filters, h*w)
    shape : (h, w)
    quantile : float in (0, 0.5), default 0.05
    n_random : int, default 4000
        Number of Gaussian white-noise filters that set the thresholds.
    seed : int, default 0

    Returns
    -------
    passed : ndarray of bool, shape (n_filters,)
    info : dict
        ``spread`` and ``coherence`` (arrays, one value per filter), the thresholds
        ``max_spread`` (pixels) and ``min_coherence``, and ``random_rate``: the fraction of
        the random filters that pass both.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    if not 0.0 < quantile < 0.5:
        raise ValueError(f"quantile must lie in (0, 0.5), got {quantile}")
    h, w = (int(s) for s in shape)
    R = np.random.default_rng(seed).normal(size=(int(n_random), h * w))
    rs, rc = spatial_spread(R, (h, w)), orientation_coherence(R, (h, w))
    max_spread, min_coh = np.quantile(rs, quantile), np.quantile(rc, 1.0 - quantile)
    s, c = spatial_spread(W, (h, w)), orientation_coherence(W, (h, w))
    passed = (s < max_spread) & (c > min_coh)
    info = {"spread": s, "coherence": c, "max_spread": float(max_spread),
            "min_coherence": float(min_coh),
            "random_rate": float(np.mean((rs < max_spread) & (rc > min_coh)))}
    return passed, info
