"""A top-k code held as indices and values, and the products that read only its kept entries.

A top-k sparse autoencoder keeps k of its p hidden units per example (notebook 09: k = 8 of
p = 512). Written densely, four of an evaluation's five matrix products multiply the
(m × p) code H or its error δ₂, whose rows are zero but for k entries:

    Z₃ = H W₂ᵀ,   ∇W₂ = δ₃ᵀ H,   δ₃ W₂ (needed only where H is kept),   ∇W₁ = δ₂ᵀ X.

Held as an (m × k) array of column indices ``idx`` and of values ``vals``, the same sums
take m·k·n multiply-adds instead of m·p·n:

    Z₃ᵢ = Σₛ valsᵢₛ W₂ᵀ[idxᵢₛ]               (a batched product with the gathered rows G)
    (δ₃ W₂)ᵢₛ = δ₃ᵢ · W₂ᵀ[idxᵢₛ]             (the same G)
    ∇W₂ᵀ[j] = Σ_{(i,s): idxᵢₛ = j} valsᵢₛ δ₃ᵢ  (a sparse-transpose product, SciPy's CSR)

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

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["MIN_WIDTH_PER_KEPT", "TopK", "worth_it", "select", "scatter_rows"]

# p / k below which the dense products win. The sparse path gathers m·k rows of W₂ᵀ
# (each float read costs about what 30 multiply-adds of a dense product cost here), so it pays
# once a product does more than ~16 times the work of the gather (measured here: 64 → 512,
# k = 8, batch 256: 1.1 ms against 2.1 ms an evaluation).
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
    The k-th largest value of each row is found with ``np.partition`` (SIMD selection, no
    index bookkeeping; ``argpartition`` is several times slower here) and the entries at or
    above it are read off in row order. Only when values tie at that threshold (more than k
    candidates in some row) are exactly k chosen by ``argpartition``, as the dense mask does.
    """
    m, p = A.shape
    thr = np.partition(A, p - k, axis=1)[:, p - k:p - k + 1]
    tiny = np.finfo(A.dtype).smallest_subnormal
    if relu:
        # A ≥ the smallest positive number is A > 0: one comparison keeps both rules
        np.maximum(thr, tiny, out=thr)
    flat = np.flatnonzero(A >= thr)
    rows = flat // p
    counts = np.bincount(rows, minlength=m)
    if counts.max(initial=0) <= k:
        if flat.size == m * k:  # every row holds exactly k
            return TopK((flat - rows * p).reshape(m, k), A.reshape(-1)[flat].reshape(m, k), p)
        # (a short row whose threshold is not that smallest number lost a NaN)
        if relu and (thr[counts < k] == tiny).all():
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


def scatter_rows(code, data, Y):
    """Σ over kept entries (i, s) of ``data[i, s] · Y[i]`` into row ``code.idx[i, s]``.

    That is Sᵀ Y for the sparse (m × p) matrix S with S[i, idx[i, s]] = data[i, s]: with
    ``data = vals`` and Y = δ₃ it is ∇W₂ᵀ (p, n); with data = δ₂'s kept entries and Y = X it
    is ∇W₁.

    Returns
    -------
    array, shape (p, n)
    """
    return code.csr(data).T @ Y
