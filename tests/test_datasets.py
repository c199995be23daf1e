"""Tests for aelab.datasets: loaders, the MNIST fallback and cache, patches, whitening."""
import time
import warnings

import numpy as np
import pytest
from sklearn.base import clone

from aelab import datasets
from aelab.datasets import (
    DataFallbackWarning,
    Dataset,
    Whitening,
    load_dataset,
    load_digits,
    load_mnist,
    natural_patches,
    zca_whiten,
)


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No test touches the network, the user's cache, or another test's remembered failure."""
    monkeypatch.setattr(datasets, "_FETCH_FAILURE", None)
    monkeypatch.setenv("AELAB_DATA", str(tmp_path / "aelab-cache"))
    monkeypatch.delenv("AELAB_OFFLINE", raising=False)
    calls = []

    def no_network(timeout):
        calls.append(timeout)
        raise ConnectionError("no network in the tests")

    monkeypatch.setattr(datasets, "_fetch_full_mnist", no_network)
    return calls


def fake_full_mnist(m=300, seed=1):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(m, 784), dtype=np.uint8)
    labels = np.repeat(np.arange(10, dtype=np.uint8), m // 10)
    return images, labels


# --------------------------------------------------------------------------- digits


def test_load_digits_shape_and_range():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert X.min() == 0.0 and X.max() == 1.0
    assert y.shape == (1797,) and set(np.unique(y)) == set(range(10))


# --------------------------------------------------------------------------- MNIST embedded


def test_embedded_mnist_all():
    X, y = load_mnist(source="embedded")
    assert X.shape == (5000, 784) and X.dtype == np.float64
    assert 0.0 <= X.min() and X.max() <= 1.0 and X.max() > 0.99
    assert np.issubdtype(y.dtype, np.integer)
    assert np.array_equal(np.bincount(y), np.full(10, 500))
    # The stored file is sorted by digit; what we return must be mixed.
    assert set(np.unique(y[:1000])) == set(range(10))


def test_embedded_mnist_pixels_match_file():
    X, y = load_mnist(source="embedded")
    images, labels = datasets._load_embedded()
    # Same multiset of rows: each returned row is a stored row scaled by 1/255.
    order = np.lexsort(X.T[::-1])
    ref = images.astype(np.float64) / 255.0
    ref_order = np.lexsort(ref.T[::-1])
    assert np.array_equal(X[order], ref[ref_order])
    assert np.array_equal(np.sort(y), np.sort(labels.astype(np.int64)))


@pytest.mark.parametrize("n", [10, 1000, 1234])
def test_mnist_subset_is_stratified(n):
    X, y = load_mnist(n, source="embedded")
    assert X.shape == (n, 784) and y.shape == (n,)
    counts = np.bincount(y, minlength=10)
    assert counts.sum() == n
    assert counts.max() - counts.min() <= 1


def test_mnist_subset_deterministic():
    X1, y1 = load_mnist(500, source="embedded", seed=3)
    X2, y2 = load_mnist(500, source="embedded", seed=3)
    X3, _ = load_mnist(500, source="embedded", seed=4)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize(
    "kw, exc, words",
    [
        ({"n": 0}, ValueError, "n"),
        ({"n": 5001}, ValueError, "5000"),
        ({"n": 2.5}, TypeError, "n"),
        ({"n": True}, TypeError, "n"),
        ({"source": "web"}, ValueError, "'web'"),
        ({"seed": -1}, ValueError, "seed"),
    ],
)
def test_mnist_bad_arguments(kw, exc, words):
    kw = {"source": "embedded", **kw}
    with pytest.raises(exc, match=words):
        load_mnist(**kw)


# --------------------------------------------------------------------------- MNIST auto / full


def test_auto_falls_back_with_warning_and_remembers(isolated):
    with pytest.warns(DataFallbackWarning) as record:
        X, y = load_mnist(200)
    message = str(record[0].message)
    assert "5 000 embedded" in message and "mnist_784" in message
    assert "\n" not in message
    assert X.shape == (200, 784)
    assert len(isolated) == 1
    assert isolated[0] <= 10  # a short timeout, not the default socket wait
    with pytest.warns(DataFallbackWarning):
        load_mnist(100)
    assert len(isolated) == 1  # the failure is remembered: no second attempt


def test_fallback_warning_is_a_userwarning():
    assert issubclass(DataFallbackWarning, UserWarning)


def test_offline_uses_embedded_quietly(monkeypatch, isolated):
    monkeypatch.setenv("AELAB_OFFLINE", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X, _ = load_mnist()
    assert X.shape == (5000, 784)
    assert isolated == []


def test_offline_full_without_cache_fails(monkeypatch):
    monkeypatch.setenv("AELAB_OFFLINE", "1")
    with pytest.raises(ConnectionError, match="AELAB_OFFLINE"):
        load_mnist(source="full")


def test_full_fetch_failure_raises(isolated):
    with pytest.raises(ConnectionError, match="embedded"):
        load_mnist(source="full")
    assert len(isolated) == 1


def test_full_fetches_once_then_reads_cache(monkeypatch, tmp_path):
    calls = []

    def fetch(timeout):
        calls.append(timeout)
        return fake_full_mnist()

    monkeypatch.setattr(datasets, "_fetch_full_mnist", fetch)
    cache = tmp_path / "here"
    X, y = load_mnist(source="full", cache_dir=cache)
    assert X.shape == (300, 784) and len(calls) == 1
    assert (cache / "mnist_784.npz").exists()
    assert not list(cache.glob("*.part"))  # the atomic write left nothing behind

    def broken(timeout):
        raise AssertionError("must not fetch when the cache exists")

    monkeypatch.setattr(datasets, "_fetch_full_mnist", broken)
    X2, y2 = load_mnist(source="full", cache_dir=cache)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    images, _ = fake_full_mnist()
    assert np.allclose(np.sort(X2.sum(1)), np.sort(images.sum(1) / 255.0))
    # "auto" prefers the cached full set, quietly, even offline.
    monkeypatch.setenv("AELAB_OFFLINE", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X3, _ = load_mnist(50, cache_dir=cache)
    assert X3.shape == (50, 784)
    with pytest.raises(ValueError, match="300"):
        load_mnist(301, cache_dir=cache)


def test_auto_fetch_success_uses_env_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setattr(datasets, "_fetch_full_mnist", lambda timeout: fake_full_mnist(100))
    monkeypatch.setenv("AELAB_DATA", str(tmp_path / "envcache"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X, _ = load_mnist()
    assert X.shape == (100, 784)
    assert (tmp_path / "envcache" / "mnist_784.npz").exists()


def test_corrupt_cache_is_reported(tmp_path):
    (tmp_path / "mnist_784.npz").write_bytes(b"not a zip file")
    with pytest.raises(OSError, match="delete it"):
        load_mnist(source="full", cache_dir=tmp_path)


# --------------------------------------------------------------------------- patches


def test_patches_shape_range_and_means():
    X = natural_patches(4000, 8, seed=0)
    assert X.shape == (4000, 64) and X.dtype == np.float64
    assert X.min() >= 0.1 - 1e-12 and X.max() <= 0.9 + 1e-12
    # The +-3 sigma clip is reached by some pixels, at both ends.
    assert np.isclose(X.min(), 0.1) and np.isclose(X.max(), 0.9)
    assert abs(X.mean() - 0.5) < 0.01
    row_means = X.mean(axis=1)
    # Each patch's mean was removed before the clip; only clipping can move it off 0.5.
    assert np.mean(np.abs(row_means - 0.5) < 0.05) > 0.98
    # Clipping at 3 sigma touches only a small fraction of pixels.
    assert np.mean((X <= 0.1 + 1e-12) | (X >= 0.9 - 1e-12)) < 0.05


def test_patches_deterministic_and_seeded():
    a = natural_patches(300, seed=5)
    b = natural_patches(300, seed=5)
    c = natural_patches(300, seed=6)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_patches_size_and_whiten_option():
    X = natural_patches(100, 12, seed=0)
    assert X.shape == (100, 144)
    raw = natural_patches(100, 8, whiten=False, seed=0)
    white = natural_patches(100, 8, whiten=True, seed=0)
    assert raw.shape == white.shape and not np.allclose(raw, white)


def _low_to_mid_amplitude(img):
    F = np.abs(np.fft.rfft2(img - img.mean()))
    f = np.hypot(np.fft.fftfreq(img.shape[0])[:, None], np.fft.rfftfreq(img.shape[1])[None, :])
    return F[(f > 0.01) & (f < 0.03)].mean() / F[(f > 0.08) & (f < 0.15)].mean()


def test_prewhitening_flattens_the_spectrum():
    raw = datasets._photographs(False)
    white = datasets._photographs(True)
    for r, w in zip(raw, white):
        assert _low_to_mid_amplitude(r) > 4  # natural 1/f falloff
        assert _low_to_mid_amplitude(w) < 2.5  # roughly flat after whitening
        assert np.isclose(w.std(), 1.0)


def test_patches_fast():
    natural_patches(10, seed=0)  # load and whiten the photographs once
    t = time.perf_counter()
    natural_patches(10000, 8, seed=1)
    assert time.perf_counter() - t < 0.5


@pytest.mark.parametrize(
    "kw, exc, name",
    [
        ({"n_patches": 0}, ValueError, "n_patches"),
        ({"n_patches": 10.0}, TypeError, "n_patches"),
        ({"patch_size": 1}, ValueError, "patch_size"),
        ({"patch_size": 1000}, ValueError, "patch_size"),
        ({"whiten": "yes"}, TypeError, "whiten"),
    ],
)
def test_patches_bad_arguments(kw, exc, name):
    with pytest.raises(exc, match=name):
        natural_patches(**kw)


# --------------------------------------------------------------------------- whitening


@pytest.fixture
def correlated():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(6, 6))
    return rng.normal(size=(3000, 6)) @ A + 3.0


def _cov(Z):
    Zc = Z - Z.mean(axis=0)
    return Zc.T @ Zc / Z.shape[0]


@pytest.mark.parametrize("kind", ["zca", "pca"])
def test_whitening_gives_identity_covariance(correlated, kind):
    Z = Whitening(kind=kind, epsilon=1e-10).fit_transform(correlated)
    assert np.allclose(_cov(Z), np.eye(6), atol=1e-6)
    assert np.allclose(Z.mean(axis=0), 0, atol=1e-10)


def test_zca_is_symmetric_and_closest(correlated):
    w = Whitening(kind="zca", epsilon=1e-10).fit(correlated)
    W = w.whitening_matrix_
    assert np.allclose(W, W.T)
    # ZCA stays closer to the centred input than PCA whitening does (it is the whitening
    # with the smallest distortion when the covariance is not already white).
    Xc = correlated - correlated.mean(axis=0)
    zca = w.transform(correlated)
    pca = Whitening(kind="pca", epsilon=1e-10).fit_transform(correlated)
    assert np.sum((zca - Xc) ** 2) < np.sum((pca - Xc) ** 2)


def test_whitening_epsilon_shrinks_eigenvalues(correlated):
    eps = 0.5
    w = Whitening(kind="pca", epsilon=eps).fit(correlated)
    s = w.eigenvalues_
    assert np.all(np.diff(s) <= 0)
    got = np.diag(_cov(w.transform(correlated)))
    assert np.allclose(got, s / (s + eps))


@pytest.mark.parametrize("kind", ["zca", "pca"])
def test_whitening_round_trip(correlated, kind):
    w = Whitening(kind=kind, epsilon=0.1).fit(correlated)
    assert np.allclose(w.inverse_transform(w.transform(correlated)), correlated)


def test_whitening_n_components(correlated):
    w = Whitening(kind="pca", epsilon=1e-10, n_components=3).fit(correlated)
    Z = w.transform(correlated)
    assert Z.shape == (3000, 3)
    assert np.allclose(_cov(Z), np.eye(3), atol=1e-6)
    assert w.inverse_transform(Z).shape == (3000, 6)


def test_zca_whiten_function(correlated):
    assert np.allclose(zca_whiten(correlated, 0.2), Whitening("zca", 0.2).fit_transform(correlated))


def test_whitening_sklearn_conventions(correlated):
    w = Whitening(kind="pca", epsilon=0.3)
    assert w.get_params() == {"kind": "pca", "epsilon": 0.3, "n_components": None}
    c = clone(w)
    assert c.get_params() == w.get_params() and not hasattr(c, "mean_")
    assert w.fit(correlated) is w and w.n_features_in_ == 6


@pytest.mark.parametrize(
    "kw, exc, words",
    [
        ({"kind": "pcaa"}, ValueError, "kind.*pcaa"),
        ({"epsilon": -0.1}, ValueError, "epsilon"),
        ({"epsilon": "small"}, TypeError, "epsilon"),
        ({"n_components": 7}, ValueError, "n_components"),
    ],
)
def test_whitening_bad_parameters(correlated, kw, exc, words):
    with pytest.raises(exc, match=words):
        Whitening(**kw).fit(correlated)


def test_whitening_misuse(correlated):
    with pytest.raises(AttributeError, match="fit"):
        Whitening().transform(correlated)
    w = Whitening().fit(correlated)
    with pytest.raises(ValueError, match="X has 5 features, but Whitening is expecting 6"):
        w.transform(correlated[:, :5])
    with pytest.raises(ValueError, match="2-D"):
        Whitening().fit(correlated[:, 0])
    with pytest.raises(ValueError, match="epsilon=0"):
        Whitening(epsilon=0).fit(np.ones((10, 3)))


def test_whitening_array_api_strict(correlated):
    xps = pytest.importorskip("array_api_strict")
    Xs = xps.asarray(correlated)
    w = Whitening(kind="zca", epsilon=0.1).fit(Xs)
    Z = w.transform(Xs)
    assert type(Z) is type(Xs)
    ref = Whitening(kind="zca", epsilon=0.1).fit_transform(correlated)
    assert np.allclose(np.from_dlpack(Z), ref)


# --------------------------------------------------------------------------- by name


def test_load_dataset_by_name():
    d = load_dataset("digits")
    assert isinstance(d, Dataset) and d.image_shape == (8, 8)
    X, y = d
    assert X.shape == (1797, 64) and y.shape == (1797,)

    p = load_dataset("patches", n_patches=50, patch_size=6)
    X, y = p
    assert X.shape == (50, 36) and y is None and p.image_shape == (6, 6)

    m = load_dataset("mnist", n=100, source="embedded")
    assert m.X.shape == (100, 784) and m.image_shape == (28, 28)
    assert "embedded" in m.description


def test_load_dataset_reports_fallback():
    with pytest.warns(DataFallbackWarning):
        m = load_dataset("mnist", n=20)
    assert "5 000 embedded" in m.description


@pytest.mark.parametrize(
    "name, kw, exc",
    [("cifar", {}, ValueError), ("digits", {"n": 5}, TypeError), ("mnist", {"m": 5}, TypeError)],
)
def test_load_dataset_bad_arguments(name, kw, exc):
    with pytest.raises(exc, match=name if exc is ValueError else "load_dataset"):
        load_dataset(name, **kw)


def test_unwritable_cache_still_returns_the_download(monkeypatch, tmp_path):
    monkeypatch.setattr(datasets, "_fetch_full_mnist", lambda timeout: fake_full_mnist(100))
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    with pytest.warns(UserWarning, match="could not cache"):
        X, _ = load_mnist(source="full", cache_dir=blocker / "sub")
    assert X.shape == (100, 784)


def test_downsample_option_is_validated_and_changes_the_patches():
    from aelab.datasets import natural_patches

    a = natural_patches(50, 8, downsample=1, seed=3)
    b = natural_patches(50, 8, downsample=2, seed=3)
    assert a.shape == b.shape and not np.allclose(a, b)
    with pytest.raises(ValueError, match="downsample"):
        natural_patches(10, 8, downsample=0)
