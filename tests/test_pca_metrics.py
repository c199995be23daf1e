"""Tests for aelab.pca (PCA on any namespace, principal angles) and aelab.metrics."""
import numpy as np
import pytest
import scipy.linalg
from sklearn.base import clone
from sklearn.decomposition import PCA as SkPCA

from aelab.datasets import load_digits
from aelab.metrics import (
    dead_units,
    fraction_active,
    lifetime_sparsity,
    linear_probe_accuracy,
    mean_activation,
    model_reconstruction_error,
    reconstruction_error,
)
from aelab.pca import PCA, max_principal_angle_degrees, principal_angles


@pytest.fixture(scope="module")
def digits():
    return load_digits()


# --------------------------------------------------------------------------- PCA


def test_pca_matches_sklearn(digits):
    X, _ = digits
    ours = PCA(10).fit(X)
    ref = SkPCA(10, svd_solver="full").fit(X)
    assert ours.components_.shape == (10, 64)
    assert np.allclose(ours.explained_variance_, ref.explained_variance_)
    assert np.allclose(ours.explained_variance_ratio_, ref.explained_variance_ratio_)
    assert np.allclose(ours.mean_, ref.mean_)
    assert max_principal_angle_degrees(ours.components_, ref.components_) < 1e-5
    # Each component equals sklearn's up to sign (the eigenvalues are distinct).
    assert np.allclose(np.abs(np.sum(ours.components_ * ref.components_, axis=1)), 1.0)
    ours_hat = ours.inverse_transform(ours.transform(X))
    assert np.allclose(ours_hat, ref.inverse_transform(ref.transform(X)))


def test_pca_orthonormal_and_sign_convention(digits):
    X, _ = digits
    C = PCA(12).fit(X).components_
    assert np.allclose(C @ C.T, np.eye(12), atol=1e-10)
    lead = C[np.arange(12), np.argmax(np.abs(C), axis=1)]
    assert np.all(lead > 0)
    # Negating the data flips every SVD sign; the convention must undo that.
    C_neg = PCA(12).fit(-X).components_
    assert np.allclose(C, C_neg)


def test_pca_transform_shapes_and_full_rank_round_trip(rng):
    X = rng.normal(size=(40, 7))
    p = PCA().fit(X)
    assert p.n_components_ == 7
    Z = p.transform(X)
    assert Z.shape == (40, 7)
    assert np.allclose(p.inverse_transform(Z), X)
    # The codes are uncorrelated with the variances reported.
    assert np.allclose(np.cov(Z.T), np.diag(p.explained_variance_), atol=1e-10)


def test_pca_integer_input_and_clone(digits):
    X, _ = digits
    Xi = np.rint(X * 16).astype(np.int64)
    p = PCA(3).fit(Xi)
    assert p.components_.dtype == np.float64
    assert np.allclose(p.explained_variance_, PCA(3).fit(Xi / 1.0).explained_variance_)
    c = clone(p)
    assert c.get_params() == {"n_components": 3} and not hasattr(c, "components_")


def test_pca_array_api_strict(digits):
    xps = pytest.importorskip("array_api_strict")
    X, _ = digits
    Xs = xps.asarray(X)
    p = PCA(5).fit(Xs)
    for attr in ("components_", "explained_variance_", "mean_"):
        assert type(getattr(p, attr)) is type(Xs), attr
    Z = p.transform(Xs)
    assert type(Z) is type(Xs) and Z.shape == (1797, 5)
    assert type(p.inverse_transform(Z)) is type(Xs)
    ref = PCA(5).fit(X)
    assert np.allclose(np.from_dlpack(p.components_), ref.components_)
    assert np.allclose(np.from_dlpack(p.explained_variance_), ref.explained_variance_)


@pytest.mark.parametrize(
    "n_components, exc",
    [(0, ValueError), (65, ValueError), (2.5, TypeError), ("3", TypeError)],
)
def test_pca_bad_n_components(digits, n_components, exc):
    X, _ = digits
    with pytest.raises(exc, match="n_components"):
        PCA(n_components).fit(X)


def test_pca_misuse(digits):
    X, _ = digits
    with pytest.raises(ValueError, match="2-D"):
        PCA(2).fit(X[:, 0])
    with pytest.raises(AttributeError, match="fit"):
        PCA(2).transform(X)
    p = PCA(2).fit(X)
    with pytest.raises(ValueError, match="X has 10 features, but PCA is expecting 64"):
        p.transform(X[:, :10])
    with pytest.raises(ValueError, match="Z has 4 features but the model was fitted on 2"):
        p.inverse_transform(np.zeros((3, 4)))


# --------------------------------------------------------------------------- principal angles


def test_angles_zero_under_invertible_mixing(rng):
    B = rng.normal(size=(4, 20))
    M = rng.normal(size=(4, 4)) + 4 * np.eye(4)  # well-conditioned, invertible
    angles = principal_angles(B, M @ B)
    assert angles.shape == (4,)
    assert np.all(angles < 1e-7)
    assert max_principal_angle_degrees(B, M @ B) < 1e-5


def test_angles_ninety_for_orthogonal_subspaces():
    E = np.eye(6)
    angles = principal_angles(E[:2], E[2:5])
    assert np.allclose(angles, np.pi / 2)
    assert np.isclose(max_principal_angle_degrees(E[:2], E[2:5]), 90.0)


@pytest.mark.parametrize("theta", [1e-6, 0.3, 1.2])
def test_angles_constructed_pair(rng, theta):
    # Rotate an orthonormal 5-D frame so the angles are known: span{q0, q1} against
    # span{q0, cos(theta) q1 + sin(theta) q2}. Angles are 0 and theta.
    Q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    q = Q.T
    A = np.stack([q[0], q[1]])
    B = np.stack([q[0], np.cos(theta) * q[1] + np.sin(theta) * q[2]])
    B = np.array([[2.0, 1.0], [0.5, -1.0]]) @ B  # mixing must not matter
    angles = principal_angles(A, B)
    assert np.allclose(angles, [0.0, theta], atol=1e-10)
    assert np.isclose(max_principal_angle_degrees(A, B), np.degrees(theta))


def test_angles_nested_subspaces(rng):
    B = rng.normal(size=(4, 10))
    A = rng.normal(size=(2, 4)) @ B  # inside span(B)
    angles = principal_angles(A, B)
    assert angles.shape == (2,) and np.all(angles < 1e-7)


def test_angles_match_scipy_and_sorted(rng):
    A = rng.normal(size=(3, 8))
    B = rng.normal(size=(3, 8))
    got = principal_angles(A, B)
    assert np.all(np.diff(got) >= 0)
    assert np.allclose(got, np.sort(scipy.linalg.subspace_angles(A.T, B.T)))


def test_angles_bad_inputs(rng):
    with pytest.raises(ValueError, match="same number of columns"):
        principal_angles(rng.normal(size=(2, 5)), rng.normal(size=(2, 6)))
    with pytest.raises(ValueError, match="2-D"):
        principal_angles(np.ones(5), np.ones((1, 5)))
    with pytest.raises(ValueError, match="finite"):
        principal_angles(np.full((1, 3), np.nan), np.ones((1, 3)))
    with pytest.raises(ValueError, match="A spans no subspace"):
        principal_angles(np.zeros((2, 3)), np.ones((1, 3)))


def test_angles_accept_array_api_strict(rng):
    xps = pytest.importorskip("array_api_strict")
    A = rng.normal(size=(2, 6))
    assert np.all(principal_angles(xps.asarray(A), xps.asarray(3 * A)) < 1e-7)


# --------------------------------------------------------------------------- metrics


def test_reconstruction_error_by_hand():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    X_hat = np.array([[1.0, 0.0], [1.0, 3.0]])
    # (1/2) * (1/2 * 1 + 1/2 * 4) = 1.25
    assert reconstruction_error(X, X_hat) == pytest.approx(1.25)
    assert reconstruction_error(X, X) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        reconstruction_error(X, X_hat[:1])


def test_model_reconstruction_error_with_pca(digits):
    X, _ = digits
    p = PCA(10).fit(X)
    expected = reconstruction_error(X, p.inverse_transform(p.transform(X)))
    assert model_reconstruction_error(p, X) == pytest.approx(expected)
    # Half the discarded variance per example: (1/2) * (m-1)/m * sum of the dropped eigenvalues.
    full = PCA().fit(X)
    dropped = full.explained_variance_[10:].sum() * (X.shape[0] - 1) / X.shape[0]
    assert model_reconstruction_error(p, X) == pytest.approx(0.5 * dropped)
    assert model_reconstruction_error(full, X) == pytest.approx(0.0, abs=1e-20)
    with pytest.raises(TypeError, match="inverse_transform"):
        model_reconstruction_error(object(), X)


def test_mean_activation_and_fraction_active_by_hand():
    H = np.array([[0.0, 1.0, 0.05], [1.0, 1.0, 0.2], [0.5, 1.0, 0.0], [0.5, 1.0, 0.0]])
    assert np.allclose(mean_activation(H), [0.5, 1.0, 0.0625])
    assert np.allclose(fraction_active(H), [0.75, 1.0, 0.25])
    assert np.allclose(fraction_active(H, threshold=0.0), [0.75, 1.0, 0.5])
    with pytest.raises(ValueError, match="threshold"):
        fraction_active(H, threshold=np.nan)
    with pytest.raises(ValueError, match="2-D"):
        mean_activation(H[0])


def test_lifetime_sparsity_extremes():
    m = 50
    H = np.zeros((m, 4))
    H[7, 0] = 0.9  # responds to exactly one example: maximally selective
    H[:, 1] = 0.3  # responds equally to all: not selective
    # column 2 stays 0 (dead)
    H[::2, 3] = -1.0  # tanh-like unit, on for half the examples
    S = lifetime_sparsity(H)
    assert S[0] == pytest.approx(1.0)
    assert S[1] == pytest.approx(0.0, abs=1e-12)
    assert S[2] == 0.0
    # Half on, equal magnitude: (1 - 0.5) / (1 - 1/m)
    assert S[3] == pytest.approx(0.5 / (1 - 1 / m))


def test_dead_units_by_hand():
    H = np.array([[0.0, 0.2, 1.0, 0.3], [0.0, 0.7, 1.0, 0.30001], [0.0, 0.1, 1.0, 0.3]])
    assert dead_units(H).tolist() == [True, False, True, True]
    assert dead_units(H, tol=0.0).tolist() == [True, False, True, False]
    with pytest.raises(ValueError, match="tol"):
        dead_units(H, tol=-1)


def test_linear_probe_beats_chance_on_digits(digits):
    X, y = digits
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(y))
    tr, te = idx[:1200], idx[1200:]
    acc = linear_probe_accuracy(X[tr], y[tr], X[te], y[te])
    assert acc > 0.9  # chance is 0.1
    # With scrambled training labels there is nothing to learn: the probe can fail.
    shuffled = rng.permutation(y[tr])
    assert linear_probe_accuracy(X[tr], shuffled, X[te], y[te]) < 0.3


def test_linear_probe_bad_inputs(digits):
    X, y = digits
    with pytest.raises(ValueError, match="same number of columns"):
        linear_probe_accuracy(X[:100], y[:100], X[100:200, :10], y[100:200])
    with pytest.raises(ValueError, match="y_train"):
        linear_probe_accuracy(X[:100], y[:99], X[100:200], y[100:200])
    with pytest.raises(ValueError, match="C must"):
        linear_probe_accuracy(X[:100], y[:100], X[100:200], y[100:200], C=0)
    with pytest.raises(ValueError, match="2 classes"):
        linear_probe_accuracy(X[:100], np.zeros(100), X[100:200], y[100:200])


def test_linear_probe_standardises_with_training_statistics(digits):
    # The scaler must be fit on the training codes only: a test set shifted far away must then
    # look far away (accuracy drops), not be re-centred by its own statistics (no leakage).
    X, y = digits
    tr, te = slice(0, 1200), slice(1200, None)
    rng = np.random.default_rng(1)
    shift = rng.normal(scale=3.0, size=X.shape[1])
    clean = linear_probe_accuracy(X[tr], y[tr], X[te], y[te])
    shifted = linear_probe_accuracy(X[tr], y[tr], X[te] + shift, y[te])
    assert shifted < clean - 0.3
