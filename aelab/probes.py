"""A linear probe whose regularisation is tuned on the training split, with its error bar.

A linear probe judges a representation by the test accuracy of a linear classifier trained on
it. Comparing probes is only fair when every classifier is tuned: a fixed ``C`` that suits
one representation can under- or over-regularise another and decide the comparison by
itself. :func:`tuned_probe` picks ``C`` from a grid by its accuracy on a held-out part of the
*training* split (the test split is touched once, at the end) and reports the test accuracy
with the standard error of a proportion, √(p(1 − p)/n).

Taught in notebooks/05-k-sparse-autoencoders.ipynb.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np

from .backend import to_numpy

__all__ = ["ProbeResult", "tuned_probe"]


@dataclass
class ProbeResult:
    """What :func:`tuned_probe` measured.

    Attributes
    ----------
    accuracy : float
        Test accuracy of the classifier refitted on the whole training split with the chosen C.
    C : float
        The chosen inverse regularisation strength.
    se : float
        Standard error of ``accuracy`` as a proportion over the test examples, √(p(1 − p)/n).
    n_test : int
    validation : dict of float to float
        Validation accuracy for every C of the grid.
    standardize : bool
    """

    accuracy: float
    C: float
    se: float
    n_test: int
    validation: dict = field(default_factory=dict)
    standardize: bool = True

    @property
    def ci95(self):
        """Half-width of the normal-approximation 95 % interval, 1.96 · se."""
        return 1.96 * self.se

    @property
    def at_grid_edge(self):
        """True when the chosen C is the smallest or largest of the grid (widen the grid)."""
        grid = sorted(self.validation)
        return bool(grid) and self.C in (grid[0], grid[-1])

    def __str__(self):
        return (f"{self.accuracy:.1%} ± {self.ci95:.1%} (C = {self.C:g}"
                f"{', standardised' if self.standardize else ''})")


def _matrix(A, name):
    A = np.asarray(to_numpy(A), dtype=np.float64)
    if A.ndim != 2:
        raise ValueError(f"{name} must be 2-D (examples, features), got shape {A.shape}")
    return A


def tuned_probe(H_train, y_train, H_test, y_test, *, Cs=(0.003, 0.01, 0.03, 0.1, 0.3),
                standardize=True, val_fraction=0.25, seed=0, max_iter=5000):
    """Test accuracy of a logistic-regression probe with C chosen on the training split.

    Parameters
    ----------
    H_train : array, shape (m_train, d)
    y_train : array, shape (m_train,)
    H_test : array, shape (m_test, d)
    y_test : array, shape (m_test,)
    Cs : sequence of float > 0
        The grid of inverse regularisation strengths (scikit-learn's ``C``: the L2 penalty
        is ‖w‖²/(2C) against the summed log-loss).
    standardize : bool, default True
        Scale every feature to zero mean and unit variance (statistics from the training
        split). A feature that barely varies is blown up to unit variance, so its noise
        counts as much as a strong feature: notebook 05 shows what that does to PCA-400.
    val_fraction : float in (0, 1), default 0.25
        The part of the training split held out (stratified) to choose C.
    seed : int, default 0
        Seeds the split.
    max_iter : int, default 5000
        L-BFGS iterations of each fit; enough to converge on the notebook's problems.

    Returns
    -------
    ProbeResult
        The test accuracy after refitting on the whole training split with the best C, the
        C, the standard error and the validation accuracies.

    Notes
    -----
    One BLAS thread: the products are small, and on a shared machine a second thread made the
    probes several times slower. Taught in notebooks/05-k-sparse-autoencoders.ipynb.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    A, B = _matrix(H_train, "H_train"), _matrix(H_test, "H_test")
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"H_train and H_test must have the same number of columns, got "
                         f"{A.shape} and {B.shape}")
    y_train = np.asarray(to_numpy(y_train)).ravel()
    y_test = np.asarray(to_numpy(y_test)).ravel()
    if len(y_train) != len(A) or len(y_test) != len(B):
        raise ValueError("y_train and y_test need one label per row of H_train and H_test")
    Cs = sorted(float(C) for C in Cs)
    if not Cs or any(not (C > 0 and math.isfinite(C)) for C in Cs):
        raise ValueError(f"Cs must be finite numbers > 0, got {Cs!r}")
    if not (isinstance(val_fraction, Real) and 0 < val_fraction < 1):
        raise ValueError(f"val_fraction must lie in (0, 1), got {val_fraction!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, Integral) or max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1, got {max_iter!r}")
    if standardize:
        scaler = StandardScaler().fit(A)
        A, B = scaler.transform(A), scaler.transform(B)
    fit_idx, val_idx = train_test_split(np.arange(len(A)), test_size=val_fraction,
                                        random_state=seed, stratify=y_train)
    validation = {}
    with threadpool_limits(limits=1, user_api="blas"):
        # from strong to weak regularisation, each fit starting where the last one ended
        clf = LogisticRegression(max_iter=max_iter, warm_start=True)
        for C in Cs:
            clf.set_params(C=C).fit(A[fit_idx], y_train[fit_idx])
            validation[C] = float(clf.score(A[val_idx], y_train[val_idx]))
        best = max(Cs, key=lambda C: (validation[C], -C))  # ties: the stronger penalty
        final = LogisticRegression(C=best, max_iter=max_iter).fit(A, y_train)
        acc = float(final.score(B, y_test))
    n = len(y_test)
    return ProbeResult(accuracy=acc, C=best, se=math.sqrt(acc * (1 - acc) / n), n_test=n,
                       validation=validation, standardize=bool(standardize))
