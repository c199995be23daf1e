"""Learning from few labels: hide most labels of a data set, and a cross-validated linear probe.

The semi-supervised experiments of the course pretend that only a few examples of a pool are
labelled. :func:`hide_labels` draws a class-balanced labelled subset and marks every other
label −1 (scikit-learn's convention for "unlabelled"); :func:`cv_probe_accuracy` is the one
classifier every frozen representation (pixels, random codes, pretrained codes) is judged
with, its regularisation chosen by cross-validation on the labelled rows only, so that no
representation wins because a fixed ``C`` happened to suit it.

Taught in notebooks/07-stacked-autoencoders.ipynb.
"""
from __future__ import annotations

from numbers import Integral

import numpy as np

from .backend import to_numpy

__all__ = ["hide_labels", "cv_probe_accuracy"]

#: The default grid of inverse regularisation strengths of :func:`cv_probe_accuracy`.
PROBE_CS = (0.01, 0.1, 1.0, 10.0)


def hide_labels(y, n_labels, seed=0):
    """Keep ``n_labels`` labels, the same number of each class, and write −1 for the rest.

    Parameters
    ----------
    y : array of int, shape (m,)
        All the labels (non-negative integers).
    n_labels : int
        How many to keep: a multiple of the number of classes K, at most K times the size of
        the smallest class.
    seed : int, default 0
        Which ones are kept (NumPy's ``default_rng(seed)``).

    Returns
    -------
    ndarray, shape (m,)
        ``y`` where kept, −1 elsewhere.

    Notes
    -----
    Taught in notebooks/07-stacked-autoencoders.ipynb.
    """
    y = np.asarray(to_numpy(y))
    if y.ndim != 1 or y.dtype.kind not in "iu" or (y.size and y.min() < 0):
        raise ValueError("y must be a 1-D array of non-negative integer labels")
    classes, counts = np.unique(y, return_counts=True)
    K = classes.size
    if isinstance(n_labels, bool) or not isinstance(n_labels, Integral) or n_labels < K \
            or n_labels % K:
        raise ValueError(f"n_labels={n_labels!r} must be a positive multiple of the number of "
                         f"classes, {K}, so that every class keeps as many labels")
    per_class = n_labels // K
    if per_class > counts.min():
        raise ValueError(f"n_labels={n_labels} asks for {per_class} labels per class; the "
                         f"smallest class has {counts.min()}")
    rng = np.random.default_rng(seed)
    keep = np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False)
                           for c in classes])
    out = np.full_like(y, -1)
    out[keep] = y[keep]
    return out


def cv_probe_accuracy(H_train, y_train, H_test, y_test, *, Cs=PROBE_CS, folds=3,
                      max_iter=5000, return_C=False):
    """Test accuracy of a logistic regression on frozen features, C chosen by cross-validation.

    C is picked from ``Cs`` by stratified k-fold cross-validation on the training rows
    (k = ``folds``, or fewer when a class has fewer examples, at least 2; accuracy summed
    over the folds, ties going to the smaller C). Each fit standardises the features with
    the statistics of its own training rows and fits scikit-learn's ``LogisticRegression``
    (L-BFGS, L2 penalty ‖w‖²/(2C)); the final one is refitted on all the training rows with
    the chosen C and scored once on the test rows.

    Parameters
    ----------
    H_train : array, shape (m_train, d)
    y_train : array, shape (m_train,)
        Every class needs at least 2 examples (for the cross-validation).
    H_test : array, shape (m_test, d)
    y_test : array, shape (m_test,)
    Cs : sequence of float > 0, default (0.01, 0.1, 1, 10)
    folds : int >= 2, default 3
    max_iter : int, default 5000
        L-BFGS iterations per fit, enough to converge on the course's data.
    return_C : bool, default False
        Also return the chosen C.

    Returns
    -------
    float, or (float, float) with ``return_C``
        Fraction of test rows classified correctly (and the chosen C).

    Notes
    -----
    Runs on one BLAS thread (the products are small). Taught in
    notebooks/07-stacked-autoencoders.ipynb.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    A = np.asarray(to_numpy(H_train), dtype=np.float64)
    B = np.asarray(to_numpy(H_test), dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[1]:
        raise ValueError(f"H_train and H_test must be 2-D with the same number of columns, "
                         f"got shapes {A.shape} and {B.shape}")
    y_train = np.asarray(to_numpy(y_train)).ravel()
    y_test = np.asarray(to_numpy(y_test)).ravel()
    if len(y_train) != len(A) or len(y_test) != len(B):
        raise ValueError("y_train and y_test need one label per row of H_train and H_test")
    if np.any(y_train == -1):
        raise ValueError("y_train holds −1 (unlabelled) rows: keep only the labelled ones")
    smallest = np.unique(y_train, return_counts=True)[1].min()
    if smallest < 2:
        raise ValueError("every class needs at least 2 training examples for the "
                         "cross-validation of C")
    k = int(min(folds, smallest))
    Cs = [float(C) for C in Cs]
    splits = list(StratifiedKFold(k, shuffle=True, random_state=0).split(A, y_train))

    def fit(C, rows):
        scaler = StandardScaler().fit(A[rows])
        clf = LogisticRegression(C=C, max_iter=max_iter).fit(scaler.transform(A[rows]),
                                                            y_train[rows])
        return scaler, clf

    with threadpool_limits(limits=1, user_api="blas"):
        scores = []
        for C in Cs:
            correct = 0
            for fit_rows, val_rows in splits:
                scaler, clf = fit(C, fit_rows)
                correct += np.sum(clf.predict(scaler.transform(A[val_rows])) == y_train[val_rows])
            scores.append(correct / len(A))
        best = Cs[int(np.argmax(scores))]  # ties: the smallest C, the strongest penalty
        scaler, clf = fit(best, np.arange(len(A)))
        acc = float(clf.score(scaler.transform(B), y_test))
    return (acc, best) if return_C else acc
