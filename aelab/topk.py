"""A top-k code held as indices and values, and the products that read only its kept entries.

A top-k sparse autoencoder keeps k of its p hidden units per example (notebook 09: k = 8 of
p = 512). Written densely, four of an evaluation's five matrix products multiply the
(m × p) code H or its error δ₂, whose rows are zero but for k entries:

    Z₃ = H W₂ᵀ,   ∇W₂ = δ₃ᵀ H,   δ₃ W₂ (needed only where H is kept),   ∇W₁ = δ₂ᵀ X.

Held as an (m × k) array of column indices ``idx`` and of values ``vals``, the same sums
take m·k·n multiply-adds instead of m·p·n:

    Z₃ᵢ = Σₛ valsᵢₛ W₂ᵀ[idxᵢₛ]               (a batched product with the gathered rows G)
    (δ₃ W₂)ᵢₛ = δ₃ᵢ · W₂ᵀ[idxᵢₛ]             (the same G)
    ∇W₂ᵀ[j] = Σ_{(i,s): idxᵢₛ = j} valsᵢₛ δ₃ᵢ  (a sparse-transpose product, SciPy's kernel)

Only the encoder's product X W₁ᵀ stays dense: every unit's pre-activation is needed to find
the k largest. The numbers are those of the dense formulas up to the order of the sums
(tests/test_fast_paths.py compares them with the plain float64 formula).

A row with fewer than k units worth keeping (ReLU rows with fewer than k positive units)
is padded with value 0 at column 0: a padded entry adds nothing to any sum, and ReLU′(0) = 0
masks its gradient, as for any unit at 0.

Used by the engine in ``autoencoder.py`` on NumPy when k is small beside p
(:func:`worth_it`). Taught in notebooks/09-sparse-autoencoders-for-interpretability.ipynb.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

try:  # SciPy's own kernel for a CSC matrix times dense columns, without building the matrix
    from scipy.sparse._sparsetools import csc_matvecs as _csc_matvecs
except ImportError:  # pragma: no cover - a SciPy that moved it: the public API below
    _csc_matvecs = None

__all__ = ["ACTIVATIONS", "MIN_WIDTH_PER_KEPT", "TopK", "worth_it", "select", "scatter_rows"]

# The units whose top-k codes the engine holds sparse: ReLU, the sparse autoencoders of
# notebook 09. The code here is right for any increasing activation (the tests run it on all
# four), but a sparse sum rounds differently from a dense product, and notebook 05's linear
# k-sparse models carry claims measured on the dense path's bits, one of them inside its own
# error bar (α = 3's gain at k = 10: +0.010 on 1 000 test digits; −0.002 when trained here):
# their units keep the dense path, and their models stay what they were.
ACTIVATIONS = frozenset({"relu"})

# p / k below which the dense products are kept. The sparse path gathers m·k rows of W₂ᵀ
# instead of multiplying by m·p zeros and ones; measured here (CPU time of one epoch): the
# W3 k-sparse autoencoder, 784 → 1000 with k = 25 (p/k = 40), 0.75 s against 1.09 s dense;
# at p/k = 16 (784 → 400, k = 25; 784 → 512, k = 32) 0.29 and 0.36 s against 0.34 and
# 0.42 s; at p/k = 10 (784 → 1000, k = 100) 0.88 s against 0.84 s, so the dense path stays.
MIN_WIDTH_PER_KEPT = 16


@dataclass
class TopK:
    """The kept entries of a top-k code, k per row.

    Attributes
    ----------
    idx : int array, shape (m, k)
        Column (unit) of each kept entry.
    vals : array, shape (m, k)
        Its activation (0 for padding).
    p : int
        The width of the dense code.
    """

    idx: np.ndarray
    vals: np.ndarray
    p: int

    def dense(self):
        """The code as a dense (m, p) array (for tests and for whoever needs H itself)."""
        H = np.zeros((self.idx.shape[0], self.p), dtype=self.vals.dtype)
        np.add.at(H, (np.arange(self.idx.shape[0])[:, None], self.idx), self.vals)
        return H

    def csr(self, data):
        """An (m, p) SciPy CSR matrix with this code's pattern and the (m, k) values ``data``."""
        m, k = self.idx.shape
        return sp.csr_array((data.reshape(-1), self.idx.reshape(-1), np.arange(0, m * k + 1, k)),
                            shape=(m, self.p))


def worth_it(k, p):
    """Whether the sparse products beat the dense ones for k of p units kept (k < p)."""
    return k is not None and k < p and k * MIN_WIDTH_PER_KEPT <= p


def select(A, k, relu):
    """The k largest entries of each row of A as a :class:`TopK`.

    Parameters
    ----------
    A : NumPy array, shape (m, p)
        Hidden activations.
    k : int, 1 <= k < p
    relu : bool
        ReLU units: entries at 0 are never kept (a row with fewer than k positive units keeps
        those it has), the rule of ``Autoencoder._topk_mask``.

    Notes
    -----
    The entries at or above each row's k-th largest value are found by
    :func:`at_or_above_kth`; only when values tie there (more than k in some row) are exactly
    k chosen by ``argpartition``, as the dense mask does.
    """
    m, p = A.shape
    flat, rows, counts, thr = at_or_above_kth(A, k, relu)
    if counts.max(initial=0) <= k:
        if flat.size == m * k:  # every row holds exactly k
            return TopK((flat - rows * p).reshape(m, k), A.reshape(-1)[flat].reshape(m, k), p)
        if relu and thr is not None:
            # short rows (fewer than k positive units): padded with zeros at column 0
            pos = np.arange(flat.size) - (np.cumsum(counts) - counts)[rows]
            idx = np.zeros((m, k), dtype=np.intp)
            vals = np.zeros((m, k), dtype=A.dtype)
            idx[rows, pos] = flat - rows * p
            vals[rows, pos] = A.reshape(-1)[flat]
            return TopK(idx, vals, p)
    # Ties at the threshold, or NaN: exactly k per row, chosen by index. NaN is kept (it
    # sorts as the largest), so a diverging run still shows a non-finite loss.
    idx = np.argpartition(A, p - k, axis=1)[:, p - k:]
    vals = np.take_along_axis(A, idx, axis=1)
    if relu:
        vals[vals <= 0] = 0  # the dense mask's A ⊙ (A > 0); NaN stays
    return TopK(idx, vals, p)


def _groups(p, k):
    """How many column groups :func:`at_or_above_kth` uses for k of p, or None (too few
    columns for the first stage to save anything)."""
    g = max(k, math.isqrt(p * k))  # balances the first stage (p) against the second (g)
    while g < p and p % g:
        g += 1
    return g if 4 * g <= p else None


def at_or_above_kth(A, k, relu):
    """The entries of each row of A at or above the row's k-th largest value, in row order.

    Returns
    -------
    flat : int array
        Their flat (row-major) indices; ReLU units (``relu``) keep positive entries only.
    rows : int array
        ``flat // p``.
    counts : int array, shape (m,)
        How many each row has: k, more where values tie at the k-th, fewer for ReLU rows with
        fewer than k positive entries, or where NaN hides values from the comparison.
    thr : array or None
        None when a NaN may have been missed: the caller then chooses by ``argpartition``.

    Notes
    -----
    ``np.partition`` of whole rows costs most of a top-k SAE's selection (0.25 ms for 256 ×
    512 here). Two stages cost half as much: split the p columns into g groups (columns j,
    j + g, j + 2g, …) and take each group's maximum; the k-th largest group maximum t₀ is at
    most the k-th largest entry, because the k groups with the largest maxima hold k distinct
    entries ≥ t₀. So every wanted entry is among those ≥ t₀, typically a few more than k per
    row, and the exact k-th largest is found among these candidates alone.
    """
    m, p = A.shape
    tiny = np.finfo(A.dtype).smallest_subnormal
    g = _groups(p, k)
    if g is None:
        t0 = np.partition(A, p - k, axis=1)[:, p - k:p - k + 1]
    else:
        gmax = A[:, :g].copy()
        for j in range(g, p, g):
            np.maximum(gmax, A[:, j:j + g], out=gmax)
        t0 = np.partition(gmax, g - k, axis=1)[:, g - k:g - k + 1]
        if np.isnan(gmax).any():
            t0 = None
    if relu and t0 is not None:
        # A ≥ the smallest positive number is A > 0: one comparison keeps both rules
        np.maximum(t0, tiny, out=t0)
    flat = np.flatnonzero(A >= (t0 if t0 is not None else np.inf))
    rows = flat // p
    counts = np.bincount(rows, minlength=m)
    if t0 is None or g is None:
        # a short ReLU row whose threshold is not the smallest positive number lost a NaN
        ok = t0 is not None and (not relu or bool((t0[counts < k] == tiny).all()))
        return flat, rows, counts, (t0 if ok else None)
    if counts.max(initial=0) > k:
        # the exact k-th largest among each row's candidates (padding: −∞)
        c = int(counts.max())
        vals = A.reshape(-1)[flat]
        cand = np.full((m, c), -np.inf, dtype=A.dtype)
        cand[rows, np.arange(flat.size) - (np.cumsum(counts) - counts)[rows]] = vals
        thr = np.partition(cand, c - k, axis=1)[:, c - k]
        keep = vals >= thr[rows]
        flat, rows = flat[keep], rows[keep]
        counts = np.bincount(rows, minlength=m)
    return flat, rows, counts, t0


def scatter_rows(code, data, Y):
    """Σ over kept entries (i, s) of ``data[i, s] · Y[i]`` into row ``code.idx[i, s]``.

    That is Sᵀ Y for the sparse (m × p) matrix S with S[i, idx[i, s]] = data[i, s]: with
    ``data = vals`` and Y = δ₃ it is ∇W₂ᵀ (p, n); with data = δ₂'s kept entries and Y = X it
    is ∇W₁.

    Returns
    -------
    array, shape (p, n)
    """
    m, k = code.idx.shape
    if (_csc_matvecs is None or data.dtype != Y.dtype
            or data.dtype not in (np.float32, np.float64)):
        return code.csr(data).T @ Y
    # Sᵀ as a CSC matrix (p × m) whose column i holds row i's k entries: SciPy's kernel adds
    # data[i, s] · Y[i] into row idx[i, s]. Building the sparse matrix object costs more
    # than the product here (60 against 40 µs); its checks hold by construction.
    out = np.zeros((code.p, Y.shape[1]), dtype=Y.dtype)
    idx = code.idx.reshape(-1)
    _csc_matvecs(code.p, m, Y.shape[1], np.arange(0, m * k + 1, k, dtype=idx.dtype), idx,
                 np.ascontiguousarray(data).reshape(-1), np.ascontiguousarray(Y).reshape(-1),
                 out.reshape(-1))
    return out
