"""Principal component analysis on any array library, and angles between subspaces.

PCA is the yardstick for the linear autoencoder: trained to its optimum, a linear autoencoder
with k hidden units spans the same subspace as the top k principal components (Bourlard and
Kamp 1988; Baldi and Hornik 1989), although its weight vectors need not be orthogonal or
ordered. :func:`principal_angles` measures how close two such subspaces are.

Taught in notebooks/00-start-here.ipynb.
"""
from __future__ import annotations

from numbers import Integral

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin

from .backend import get_namespace, to_numpy
from .validation import check_data, check_fitted, validate

__all__ = ["PCA", "principal_angles", "max_principal_angle_degrees"]


class PCA(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Principal component analysis by the SVD of the centred data, on any array namespace.

    With the centred data ``Xc = X - mean_`` (m, n) and its thin SVD ``Xc = U diag(S) V^T``,
    the principal directions are the rows of ``V^T``: ``components_ = V^T[:k]`` (orthonormal
    rows), and the variance along each is ``S**2 / (m - 1)``. Encoding and decoding are::

        transform:          z = C (x - mean_)        C = components_, shape (k, n)
        inverse_transform:  x_hat = C^T z + mean_

    so ``inverse_transform(transform(X))`` is the best rank-k reconstruction of ``X`` in squared
    error (Eckart-Young), the same objective a linear autoencoder minimises.

    NumPy input gives NumPy attributes; CuPy input gives CuPy attributes (the SVD runs on the
    GPU); any other array-API array (e.g. ``array_api_strict``) gives arrays of its namespace.

    Parameters
    ----------
    n_components : int or None, default None
        Number of components k, 1 <= k <= min(m, n). ``None`` keeps min(m, n).

    Attributes
    ----------
    components_ : array, shape (k, n_features)
        Orthonormal principal directions, by decreasing variance. Sign convention: the entry of
        largest absolute value in each row is positive, so results do not depend on the SVD
        routine's arbitrary signs.
    explained_variance_ : array, shape (k,)
        Variance of the data along each component, ``S**2 / (m - 1)``.
    explained_variance_ratio_ : array, shape (k,)
        The same divided by the total variance.
    singular_values_ : array, shape (k,)
    mean_ : array, shape (n_features,)
    n_components_ : int
    n_features_in_ : int
    feature_names_in_ : array of str, shape (n_features,)
        The column names, when fitted on a DataFrame with string column names.

    Data may be integers (read as float64) but not NaN or infinite, which would make the SVD
    fail; ``get_feature_names_out`` gives ``pca0``, ``pca1``, ... and ``set_output`` works
    as in scikit-learn.

    Taught in notebooks/00-start-here.ipynb.
    """

    def __init__(self, n_components=None):
        self.n_components = n_components

    def fit(self, X, y=None):
        """Fit the components to ``X`` of shape (m, n_features); returns ``self``."""
        X = validate(self, X, reset=True, integers=True)
        xp = get_namespace(X)
        m, n = X.shape
        if m < 2:
            raise ValueError(f"X must have at least 2 rows to estimate variance, got n_samples = {m}")
        k = self.n_components
        if k is None:
            k = min(m, n)
        elif isinstance(k, bool) or not isinstance(k, Integral):
            raise TypeError(f"n_components must be an integer or None, got {k!r}")
        elif not 1 <= k <= min(m, n):
            raise ValueError(
                f"n_components must be between 1 and min(n_samples, n_features) = {min(m, n)}, "
                f"got {k}"
            )
        k = int(k)
        mean = xp.mean(X, axis=0)
        _, S, Vt = xp.linalg.svd(X - mean, full_matrices=False)
        C = Vt[:k, :]
        # Fix each row's sign by its largest-magnitude entry. A one-hot mask picks that entry
        # using only array-API operations (no take_along_axis needed).
        big = xp.argmax(xp.abs(C), axis=1)
        onehot = xp.arange(n)[None, :] == big[:, None]
        lead = xp.sum(xp.where(onehot, C, xp.zeros_like(C)), axis=1)
        signs = xp.where(lead < 0, -xp.ones_like(lead), xp.ones_like(lead))
        C = C * signs[:, None]
        var = S**2 / (m - 1)
        self.components_ = C
        self.singular_values_ = S[:k]
        self.explained_variance_ = var[:k]
        self.explained_variance_ratio_ = var[:k] / xp.sum(var)
        self.mean_ = mean
        self.n_components_ = k
        self.n_features_in_ = n
        return self

    def _checked(self, X, side):
        check_fitted(self, "components_")
        if side == "in":
            X = validate(self, X, reset=False, integers=True)
        else:  # codes: their width is n_components_, and they carry no input feature names
            X = check_data(X, name="Z", integers=True, n_features=self.n_components_)
        get_namespace(X, self.components_)  # one library for the data and the model
        return X

    @property
    def _n_features_out(self):
        return self.n_components_

    def transform(self, X):
        """Project ``X`` (m, n_features) onto the components: returns (m, k)."""
        X = self._checked(X, "in")
        return (X - self.mean_) @ self.components_.T

    def inverse_transform(self, Z):
        """Map codes ``Z`` (m, k) back to feature space: returns (m, n_features)."""
        Z = self._checked(Z, "out")
        return Z @ self.components_ + self.mean_


def _rows_as_numpy(A, name):
    A = np.asarray(to_numpy(A), dtype=np.float64)
    if A.ndim != 2:
        raise ValueError(f"{name} must be 2-D (k, n_features), got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} must contain only finite numbers")
    return A


def principal_angles(A, B):
    """Principal angles between the subspaces spanned by the rows of ``A`` and of ``B``.

    Rows span the subspaces, matching ``components_`` of PCA and of the autoencoders (shape
    (n_hidden, n_features)). The k-th principal angle is
    ``theta_k = arccos(sigma_k(Q_A^T Q_B))``, where the columns of ``Q_A`` and ``Q_B`` are
    orthonormal bases of the two row spaces; it does not change when the rows are mixed by any
    invertible matrix, so it compares subspaces, not weight vectors. Computed with
    :func:`scipy.linalg.subspace_angles`, which is accurate for small angles too.

    Parameters
    ----------
    A : array, shape (k1, n_features)
    B : array, shape (k2, n_features)
        NumPy, CuPy or array-API arrays (copied to the host).

    Returns
    -------
    angles : ndarray of float64, shape (min(rank A, rank B),)
        In radians, in [0, pi/2], sorted increasing. All zero when one subspace contains the
        other.

    Taught in notebooks/04-autoencoders-and-pca.ipynb.
    """
    A = _rows_as_numpy(A, "A")
    B = _rows_as_numpy(B, "B")
    if A.shape[1] != B.shape[1]:
        raise ValueError(
            f"A and B must have the same number of columns (features), got shapes "
            f"{A.shape} and {B.shape}"
        )
    angles = scipy.linalg.subspace_angles(A.T, B.T)
    if angles.size == 0:
        which = "A" if not np.any(A) else "B"
        raise ValueError(f"{which} spans no subspace (all its rows are zero)")
    return np.sort(angles)


def max_principal_angle_degrees(A, B):
    """The largest principal angle between the row spaces of ``A`` and ``B``, in degrees.

    0 means the smaller subspace lies inside the larger; 90 means some direction of the smaller
    one is orthogonal to all of the other. See :func:`principal_angles`.

    Returns
    -------
    float

    Taught in notebooks/04-autoencoders-and-pca.ipynb.
    """
    return float(np.degrees(np.max(principal_angles(A, B))))
