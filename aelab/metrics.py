"""How good is an autoencoder? Reconstruction, sparsity of the code, and a linear probe.

All functions accept NumPy, CuPy or array-API arrays and compute on the host in NumPy (these
are summaries, small next to training, and scikit-learn needs NumPy anyway).

Throughout, ``H`` is a matrix of hidden activations, shape (m, n_hidden): one example per row,
one hidden unit per column, as ``model.transform(X)`` returns it.

Taught in notebooks/02-sparse-autoencoder.ipynb.
"""
from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from .backend import to_numpy

__all__ = [
    "reconstruction_error",
    "model_reconstruction_error",
    "mean_activation",
    "fraction_active",
    "lifetime_sparsity",
    "dead_units",
    "linear_probe_accuracy",
]


def _host_matrix(A, name):
    try:
        A = np.asarray(to_numpy(A))
    except Exception as exc:
        raise TypeError(f"{name} must be an array, got {type(A).__name__}") from exc
    if A.ndim != 2:
        raise ValueError(f"{name} must be 2-D (m, n), got shape {A.shape}")
    if not (np.issubdtype(A.dtype, np.number) or A.dtype == bool):
        raise TypeError(f"{name} must hold numbers, got dtype {A.dtype}")
    return A.astype(np.float64, copy=False)


def _check_threshold(name, value):
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return float(value)


def reconstruction_error(X, X_hat):
    """Mean squared reconstruction error, the autoencoder's ``mse`` loss term.

    ``E = (1/m) sum_i 1/2 ||x_hat_i - x_i||^2``: the half squared Euclidean distance per example,
    summed over features and averaged over examples (not averaged over features).

    Parameters
    ----------
    X : array, shape (m, n_features)
        The inputs.
    X_hat : array, shape (m, n_features)
        Their reconstructions.

    Returns
    -------
    float

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    X = _host_matrix(X, "X")
    X_hat = _host_matrix(X_hat, "X_hat")
    if X.shape != X_hat.shape:
        raise ValueError(f"X and X_hat must have the same shape, got {X.shape} and {X_hat.shape}")
    return float(0.5 * np.sum((X_hat - X) ** 2) / X.shape[0])


def model_reconstruction_error(model, X):
    """:func:`reconstruction_error` of ``model.inverse_transform(model.transform(X))``.

    Works for any fitted model with ``transform`` (encode) and ``inverse_transform`` (decode):
    the autoencoders and :class:`aelab.PCA` alike, so the two can be compared directly.

    Returns
    -------
    float

    Taught in notebooks/04-autoencoders-and-pca.ipynb.
    """
    for method in ("transform", "inverse_transform"):
        if not callable(getattr(model, method, None)):
            raise TypeError(
                f"model must have transform and inverse_transform methods; "
                f"{type(model).__name__} has no {method}"
            )
    return reconstruction_error(X, model.inverse_transform(model.transform(X)))


def mean_activation(H):
    """Average activation of each hidden unit over the examples: the ``rho_hat`` of sparsity.

    ``rho_hat_j = (1/m) sum_i H[i, j]``, the quantity the KL sparsity penalty drives toward
    ``rho``.

    Parameters
    ----------
    H : array, shape (m, n_hidden)

    Returns
    -------
    rho_hat : ndarray of float64, shape (n_hidden,)

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    return _host_matrix(H, "H").mean(axis=0)


def fraction_active(H, threshold=0.1):
    """For each hidden unit, the fraction of examples on which it is active (``H > threshold``).

    ``f_j = (1/m) #{i : H[i, j] > threshold}``. For sigmoid units with a small target ``rho``
    most entries sit near 0 and a few near 1, so ``threshold`` between them (the default 0.1)
    counts the "on" responses; for ReLU or k-sparse codes use ``threshold=0``. The average of
    ``f`` over units is the fraction of all entries that are active.

    Parameters
    ----------
    H : array, shape (m, n_hidden)
    threshold : float, default 0.1

    Returns
    -------
    ndarray of float64, shape (n_hidden,), values in [0, 1]

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    H = _host_matrix(H, "H")
    threshold = _check_threshold("threshold", threshold)
    return (H > threshold).mean(axis=0)


def lifetime_sparsity(H):
    """Lifetime sparsity of each hidden unit (Treves-Rolls measure, as Vinje and Gallant 2000).

    For unit j with responses ``r_i = |H[i, j]|`` over the m examples::

        S_j = (1 - (mean r)^2 / mean(r^2)) / (1 - 1/m)

    ``S_j = 0`` when the unit responds equally to every example (dense, or constant);
    ``S_j = 1`` when it responds to exactly one. Absolute values are used so that tanh and
    linear units, whose responses can be negative, are measured by their magnitude. A unit that
    is always exactly 0 gets ``S_j = 0`` (no response is not a selective response; see
    :func:`dead_units`).

    Parameters
    ----------
    H : array, shape (m, n_hidden), m >= 2

    Returns
    -------
    ndarray of float64, shape (n_hidden,), values in [0, 1]

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    R = np.abs(_host_matrix(H, "H"))
    m = R.shape[0]
    if m < 2:
        raise ValueError(f"H must have at least 2 rows (examples), got {m}")
    mean = R.mean(axis=0)
    mean_sq = (R**2).mean(axis=0)
    ratio = np.divide(mean**2, mean_sq, out=np.ones_like(mean), where=mean_sq > 0)
    # Clip away round-off (ratio can exceed 1 by an ulp for a constant unit).
    return np.clip((1.0 - ratio) / (1.0 - 1.0 / m), 0.0, 1.0)


def dead_units(H, tol=1e-4):
    """Which hidden units are dead: their activation never moves over the examples.

    Unit j is dead when ``max_i H[i, j] - min_i H[i, j] <= tol``. This covers a ReLU unit that
    is 0 on every example, a k-sparse unit never among the k largest, and a sigmoid unit
    saturated at 0 (or 1) everywhere: in each case the unit carries no information about the
    input and its decoder weights get no useful gradient.

    Parameters
    ----------
    H : array, shape (m, n_hidden)
    tol : float, default 1e-4
        Largest spread of activations still counted as "never moves", >= 0.

    Returns
    -------
    ndarray of bool, shape (n_hidden,)
        True for dead units; ``.sum()`` counts them, ``np.flatnonzero`` lists them.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    H = _host_matrix(H, "H")
    tol = _check_threshold("tol", tol)
    if tol < 0:
        raise ValueError(f"tol must be >= 0, got {tol!r}")
    if H.shape[0] == 0:
        raise ValueError("H must have at least 1 row (example)")
    return (H.max(axis=0) - H.min(axis=0)) <= tol


def _host_labels(y, name, m):
    y = np.asarray(to_numpy(y))
    if y.ndim != 1 or y.shape[0] != m:
        raise ValueError(f"{name} must have shape ({m},) to match its features, got {y.shape}")
    return y


def linear_probe_accuracy(H_train, y_train, H_test, y_test, C=1.0, max_iter=300):
    """Test accuracy of a linear classifier trained on the codes: how linearly useful are they?

    The codes are standardised (zero mean, unit variance per unit, statistics from the training
    codes only), then a multinomial logistic regression (scikit-learn's
    ``LogisticRegression`` with the L-BFGS solver, L2 penalty of strength ``1/C``) is fit to
    ``(H_train, y_train)`` and scored on ``(H_test, y_test)``. Constant (dead) units are left
    at 0 by the standardisation and so are simply ignored.

    Parameters
    ----------
    H_train : array, shape (m_train, n_hidden)
    y_train : array, shape (m_train,)
    H_test : array, shape (m_test, n_hidden)
    y_test : array, shape (m_test,)
    C : float, default 1.0
        Inverse regularisation strength, > 0.
    max_iter : int, default 300
        L-BFGS iterations. scikit-learn warns (``ConvergenceWarning``) if they run out; the
        accuracy is usually settled long before the loss is.

    Returns
    -------
    float
        Fraction of test examples classified correctly.

    Taught in notebooks/05-k-sparse-autoencoders.ipynb.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    H_train = _host_matrix(H_train, "H_train")
    H_test = _host_matrix(H_test, "H_test")
    if H_train.shape[1] != H_test.shape[1]:
        raise ValueError(
            f"H_train and H_test must have the same number of columns, got {H_train.shape} "
            f"and {H_test.shape}"
        )
    y_train = _host_labels(y_train, "y_train", H_train.shape[0])
    y_test = _host_labels(y_test, "y_test", H_test.shape[0])
    if np.unique(y_train).size < 2:
        raise ValueError("y_train must contain at least 2 classes")
    if isinstance(C, bool) or not isinstance(C, Real) or not (C > 0 and np.isfinite(C)):
        raise ValueError(f"C must be a finite number > 0, got {C!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, Integral) or max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1, got {max_iter!r}")
    scaler = StandardScaler().fit(H_train)
    clf = LogisticRegression(C=float(C), max_iter=max_iter)
    # The probe's products are small; on a shared or busy machine a second BLAS thread made
    # twelve probes take 35 s instead of 3 s (notebook 05), so they run on one thread.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        clf.fit(scaler.transform(H_train), y_train)
        return float(clf.score(scaler.transform(H_test), y_test))


# ------------------------------------------------------------------ sparse autoencoders
# Judging a dictionary against known features, and a code by its sparsity and fidelity
# (notebooks/09-sparse-autoencoders-for-interpretability.ipynb).
def _unit_rows(A, name):
    A = _host_matrix(A, name)
    norms = np.linalg.norm(A, axis=1, keepdims=True)
    return A / np.where(norms > 0, norms, 1.0)


def max_cosine_similarities(true_features, dictionary):
    """For each true feature, its largest |cosine| with any dictionary element.

    Parameters
    ----------
    true_features : array (n, d)
    dictionary : array (p, d)
        E.g. the decoder columns ``W2.T`` of a sparse autoencoder.

    Returns
    -------
    ndarray (n,)
    """
    return np.abs(_unit_rows(true_features, "true_features")
                  @ _unit_rows(dictionary, "dictionary").T).max(axis=1)


def mean_max_cosine_similarity(true_features, dictionary):
    """MMCS: the mean over true features of their best |cosine| with the dictionary (in [0, 1]).

    Taught in notebooks/09-sparse-autoencoders-for-interpretability.ipynb.
    """
    return float(np.mean(max_cosine_similarities(true_features, dictionary)))


def recovered_fraction(true_features, dictionary, threshold=0.9):
    """Fraction of true features matched by some dictionary element with |cos| > threshold."""
    return float(np.mean(max_cosine_similarities(true_features, dictionary) > threshold))


def feature_copies(true_features, dictionary, threshold=0.9):
    """For each true feature, how many dictionary elements match it with |cos| > threshold.

    0 means the feature is missed, 1 recovered once, 2 or more duplicated. Returns an int
    array (n,). Taught in notebooks/09-sparse-autoencoders-for-interpretability.ipynb
    (feature splitting).
    """
    C = np.abs(_unit_rows(true_features, "true_features")
               @ _unit_rows(dictionary, "dictionary").T)
    return np.count_nonzero(C > threshold, axis=1)


def l0(H):
    """Mean number of nonzero units per example, E‖h‖₀."""
    H = _host_matrix(H, "H")
    return float(np.mean(np.count_nonzero(H, axis=1)))


def normalized_mse(X, X_hat):
    """NMSE (Gao et al. 2024): E‖x̂ − x‖² / E‖x − x̄‖², the error against predicting the mean.

    0 is perfect; 1 is no better than the mean example.
    """
    X, X_hat = _host_matrix(X, "X"), _host_matrix(X_hat, "X_hat")
    return float(np.sum((X_hat - X) ** 2) / np.sum((X - X.mean(axis=0)) ** 2))


def shrinkage(X, X_hat):
    """γ = E‖x̂‖² / E⟨x̂, x⟩: the c for which x̂ / c fits x best in least squares (the
    minimiser over 1/c of E‖x̂/c − x‖²). 1 for an unbiased scale, below 1 when the
    reconstruction is shrunk towards 0 (as an L1 penalty does).

    Not the same number as the "relative reconstruction bias" of Rajamanoharan et al. (2024,
    gated SAEs), the multiple of x closest to x̂, E⟨x̂, x⟩ / E‖x‖² (their closed form as the
    authors corrected it after publication); the two agree when x̂ is an exact multiple of x.
    """
    X, X_hat = _host_matrix(X, "X"), _host_matrix(X_hat, "X_hat")
    return float(np.sum(X_hat * X_hat) / np.sum(X_hat * X))


def dead_fraction(H, tol=1e-4):
    """Fraction of units that never move on these examples (see :func:`dead_units`)."""
    return float(np.mean(dead_units(H, tol)))


def top_activating(H, unit, n=8):
    """Indices of the ``n`` examples on which ``unit`` is largest, largest first."""
    H = _host_matrix(H, "H")
    col = H[:, int(unit)]
    n = min(int(n), len(col))
    idx = np.argpartition(-col, n - 1)[:n]
    return idx[np.argsort(-col[idx], kind="stable")]


__all__ += ["max_cosine_similarities", "mean_max_cosine_similarity", "recovered_fraction",
            "feature_copies", "l0",
            "normalized_mse", "shrinkage", "dead_fraction", "top_activating"]


def class_purity(H, labels, n=20):
    """For each unit, the majority class's share among its ``n`` top-activating examples.

    A unit that fires for one class only scores 1; one that fires for all ten digits
    alike about 0.1. Units that are nonzero (above their minimum) on fewer than ``n``
    examples have no ``n`` top examples to judge and are left out.

    Parameters
    ----------
    H : array (m, p)
        Activations of p units (neurons, rotated neurons, SAE latents) on m examples.
    labels : array (m,) of int >= 0
    n : int >= 1

    Returns
    -------
    ndarray (p_judged,)
        One purity in [1/n_classes, 1] per judged unit.

    Taught in notebooks/09-sparse-autoencoders-for-interpretability.ipynb.
    """
    H = _host_matrix(H, "H")
    y = _host_labels(labels, "labels", H.shape[0])
    n = int(n)
    if not 1 <= n <= H.shape[0]:
        raise ValueError(f"n must lie in [1, {H.shape[0]}] (the examples), got {n}")
    out = []
    for j in range(H.shape[1]):
        col = H[:, j]
        top = top_activating(H, j, n)
        if np.sum(col[top] > col.min() + 1e-12) < n:
            continue  # fires on fewer than n examples: no n top examples to judge
        out.append(np.bincount(y[top].astype(np.int64)).max() / n)
    return np.asarray(out, dtype=np.float64)


__all__ += ["class_purity"]
