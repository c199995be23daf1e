"""Data sets for the course, and the preprocessing the autoencoders expect.

Three data sets, all returning float64 NumPy arrays with one example per row:

* :func:`load_digits` -- scikit-learn's 1 797 handwritten digits, 8x8 pixels, in [0, 1].
* :func:`load_mnist` -- MNIST digits, 28x28 pixels, in [0, 1]: the full 70 000 images when they
  are cached or can be fetched, otherwise the 5 000 images shipped inside the package.
* :func:`natural_patches` -- 8x8 patches of natural photographs, pre-whitened and normalised to
  [0.1, 0.9] the way the UFLDL sparse-autoencoder exercise does it.

:class:`Whitening` (ZCA or PCA whitening) and :func:`load_dataset` (choose a data set by name,
as the live panel does) complete the module.

Taught in notebooks/00-start-here.ipynb.
"""
from __future__ import annotations

import functools
import os
import socket
import tempfile
import threading
import warnings
from dataclasses import dataclass
from importlib import resources
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin

from .backend import get_namespace
from .validation import check_data, check_fitted, validate

__all__ = [
    "DataFallbackWarning",
    "Dataset",
    "Whitening",
    "load_dataset",
    "load_digits",
    "load_mnist",
    "natural_patches",
    "zca_whiten",
]

#: Where the full MNIST set comes from (for messages; ``fetch_openml`` does the work).
MNIST_SOURCE = "OpenML data set 'mnist_784' (https://www.openml.org/d/554)"
#: Seconds ``source="auto"`` waits on the network before falling back to the embedded images.
AUTO_FETCH_TIMEOUT = 5.0
#: Seconds ``source="full"`` lets one network operation take.
FULL_FETCH_TIMEOUT = 60.0
_CACHE_NAME = "mnist_784.npz"

# Why the last automatic fetch failed, or None. Remembered for the life of the process so that a
# notebook calling load_mnist() in ten cells waits on a dead network once, not ten times.
_FETCH_FAILURE: str | None = None


class DataFallbackWarning(UserWarning):
    """A loader used a smaller, embedded data set because the full one could not be had.

    Taught in notebooks/00-start-here.ipynb.
    """


# --------------------------------------------------------------------------- validation helpers


def _check_int(name, value, low, high=None):
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return int(value)


def _check_seed(seed):
    if seed is None:
        return None
    return _check_int("seed", seed, 0)


# --------------------------------------------------------------------------- digits


def load_digits():
    """Load scikit-learn's 8x8 handwritten digits, scaled to [0, 1].

    The pixel values 0..16 of :func:`sklearn.datasets.load_digits` are divided by 16.

    Returns
    -------
    X : ndarray of float64, shape (1797, 64)
        One image per row, pixels in row-major order (``X[i].reshape(8, 8)`` shows digit i).
    y : ndarray of int64, shape (1797,)
        The digit, 0..9.

    Taught in notebooks/00-start-here.ipynb.
    """
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    X = np.asarray(bunch.data, dtype=np.float64) / 16.0
    y = np.asarray(bunch.target, dtype=np.int64)
    return X, y


# --------------------------------------------------------------------------- MNIST


def _cache_dir(cache_dir) -> Path:
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get("AELAB_DATA")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "aelab"


def _offline() -> bool:
    return os.environ.get("AELAB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _load_embedded():
    with resources.files("aelab").joinpath("data/mnist5k.npz").open("rb") as fh:
        with np.load(fh) as data:
            images = data["images"].reshape(-1, 784)
            labels = data["labels"]
    return images, labels


def _read_cache(path: Path):
    try:
        with np.load(path) as data:
            return data["images"].reshape(-1, 784), data["labels"]
    except Exception as exc:  # a truncated or foreign file: say which, do not guess
        raise OSError(
            f"cannot read the cached MNIST file {path} ({exc}); delete it and load again"
        ) from exc


def _write_cache(path: Path, images, labels) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so an interrupted save never leaves half a file that
    # a later call would trust.
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.part")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, images=images, labels=labels)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _try_cache(path: Path, images, labels) -> None:
    # A read-only home (some hosted notebooks) must not cost the user the download itself.
    try:
        _write_cache(path, images, labels)
    except OSError as exc:
        warnings.warn(
            f"aelab: could not cache full MNIST at {path} ({exc}); it will be downloaded again "
            f"next session (set AELAB_DATA to a writable folder)",
            UserWarning,
            stacklevel=5,
        )


def _check_reachable(host: str, port: int, timeout: float) -> None:
    """Raise ``ConnectionError`` unless a TCP connection to ``host`` opens within ``timeout`` s.

    The socket timeout does not bound name resolution, which can hang for a long time on a
    machine with a broken resolver, so the attempt runs in a daemon thread that we simply stop
    waiting for.
    """
    outcome = []

    def attempt():
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise ConnectionError(f"{host} did not answer within {timeout:g} s")
    if outcome[0] is not None:
        raise ConnectionError(f"cannot reach {host}: {outcome[0]}")


def _fetch_full_mnist(timeout: float):
    """Download the 70 000 MNIST images with scikit-learn's ``fetch_openml``.

    Returns ``(images, labels)`` as uint8 arrays of shapes (70000, 784) and (70000,). Raises
    on any failure. The tests replace this function, so keep all network use inside it.
    """
    _check_reachable("www.openml.org", 443, timeout)
    from sklearn.datasets import fetch_openml

    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        with tempfile.TemporaryDirectory() as home, warnings.catch_warnings():
            # fetch_openml warns on each retry; our caller reports the outcome in one line.
            warnings.simplefilter("ignore")
            X, y = fetch_openml(
                "mnist_784",
                version=1,
                as_frame=False,
                return_X_y=True,
                parser="liac-arff",  # needs no pandas
                data_home=home,  # our own compact cache replaces scikit-learn's
                n_retries=1,
                delay=0.5,
            )
    finally:
        socket.setdefaulttimeout(old)
    images = np.asarray(X).astype(np.uint8).reshape(-1, 784)
    labels = np.asarray(y).astype(np.int64).astype(np.uint8)
    return images, labels


def _obtain_mnist(source: str, cache_dir):
    """Return ``(images, labels, where)`` with ``where`` in {"full", "embedded"}."""
    global _FETCH_FAILURE
    path = _cache_dir(cache_dir) / _CACHE_NAME
    if source == "embedded":
        return (*_load_embedded(), "embedded")
    if path.exists():
        return (*_read_cache(path), "full")
    if source == "full":
        if _offline():
            raise ConnectionError(
                f"source='full' needs the full MNIST set, but AELAB_OFFLINE is set and there "
                f"is no cached copy at {path}; unset AELAB_OFFLINE or use source='embedded'"
            )
        try:
            images, labels = _fetch_full_mnist(FULL_FETCH_TIMEOUT)
        except Exception as exc:
            raise ConnectionError(
                f"could not fetch full MNIST from {MNIST_SOURCE}: {exc}; "
                f"use source='embedded' for the 5 000 images shipped with aelab"
            ) from exc
        _try_cache(path, images, labels)
        return images, labels, "full"
    # source == "auto"
    if _offline():
        # Documented: offline mode is a deliberate choice, so no warning.
        return (*_load_embedded(), "embedded")
    if _FETCH_FAILURE is None:
        try:
            images, labels = _fetch_full_mnist(AUTO_FETCH_TIMEOUT)
        except Exception as exc:  # any failure at all means: fall back, and say so
            _FETCH_FAILURE = f"{type(exc).__name__}: {exc}"
        else:
            _try_cache(path, images, labels)
            return images, labels, "full"
    warnings.warn(
        f"aelab: full MNIST (70 000 images, {MNIST_SOURCE}, cached at {path}) is not available "
        f"({_FETCH_FAILURE}); using the 5 000 embedded MNIST images instead "
        f"(set AELAB_OFFLINE=1 to skip the download attempt)",
        DataFallbackWarning,
        stacklevel=4,
    )
    return (*_load_embedded(), "embedded")


def _stratified_indices(y, n: int, seed) -> np.ndarray:
    """Pick ``n`` row indices with each class in proportion to its frequency in ``y``.

    Quotas are ``n * count_c / N`` rounded down, and the rows left over go to the classes with
    the largest remainders (largest-remainder apportionment), so the sizes are exact and
    deterministic. The chosen rows are returned in shuffled order (classes mixed).
    """
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    exact = n * counts / counts.sum()
    quota = np.floor(exact).astype(np.int64)
    short = n - int(quota.sum())
    if short:
        order = np.argsort(-(exact - quota), kind="stable")
        quota[order[:short]] += 1
    picks = [rng.permutation(np.flatnonzero(y == c))[:q] for c, q in zip(classes, quota)]
    idx = np.concatenate(picks)
    rng.shuffle(idx)
    return idx


def _load_mnist(n, source, cache_dir, seed):
    if source not in ("auto", "embedded", "full"):
        raise ValueError(f"source must be 'auto', 'embedded' or 'full', got {source!r}")
    if n is not None:
        _check_int("n", n, 1)
    seed = _check_seed(seed)
    images, labels, where = _obtain_mnist(source, cache_dir)
    total = images.shape[0]
    if n is None:
        n = total
    elif n > total:
        raise ValueError(
            f"n must be at most {total} (the number of {where} MNIST images available "
            f"here), got {n}"
        )
    # Always shuffle, even for the whole set: the embedded file is sorted by digit, and a
    # student who slices X[:4000] for training must not get only the digits 0 to 7.
    idx = _stratified_indices(labels, n, seed)
    images, labels = images[idx], labels[idx]
    X = images.astype(np.float64) / 255.0
    y = labels.astype(np.int64)
    return X, y, where


def load_mnist(n=None, *, source="auto", cache_dir=None, seed=0):
    """Load MNIST digits as rows of 784 pixels in [0, 1].

    Parameters
    ----------
    n : int or None, default None
        Number of images; ``None`` gives all of them. An integer gives a class-stratified
        subset: each digit appears in proportion to its frequency (exactly ``n/10`` of each for
        the balanced embedded set when ``n`` is a multiple of 10), drawn deterministically from
        ``seed``. Either way the rows come in an order shuffled by ``seed`` (digits mixed), so
        ``X[:k]`` is itself a fair sample; the official MNIST train/test order is not kept.
    source : {"auto", "embedded", "full"}, default "auto"
        ``"embedded"``: the 5 000 images shipped in ``aelab/data/mnist5k.npz`` (500 per digit).
        ``"full"``: the 70 000 images of the OpenML set ``mnist_784``, read from the cache
        or downloaded with :func:`sklearn.datasets.fetch_openml` and cached; raises
        :class:`ConnectionError` if that fails. ``"auto"``: the full set if it is cached,
        else one download attempt with a short timeout (``AUTO_FETCH_TIMEOUT`` seconds); if
        that fails, the embedded set with a :class:`DataFallbackWarning`. A failed attempt is
        remembered for the rest of the Python process, so later calls fall back at once.
    cache_dir : str or path-like or None
        Folder for the cached full set (``mnist_784.npz``, about 15 MB). Default:
        ``$AELAB_DATA`` if set, else ``~/.cache/aelab``.
    seed : int or None, default 0
        Seed for the subset and the order; ``None`` draws a fresh one.

    Returns
    -------
    X : ndarray of float64, shape (m, 784)
        Pixels divided by 255, row-major (``X[i].reshape(28, 28)`` shows image i).
    y : ndarray of int64, shape (m,)
        The digit, 0..9.

    Notes
    -----
    Setting the environment variable ``AELAB_OFFLINE=1`` skips the network entirely: ``"auto"``
    then uses a cached full set if there is one and otherwise the embedded set *without* a
    warning (offline use was asked for), and ``"full"`` fails unless the set is cached.

    Taught in notebooks/00-start-here.ipynb.
    """
    X, y, _ = _load_mnist(n, source, cache_dir, seed)
    return X, y


# --------------------------------------------------------------------------- natural patches


def _prewhiten(img: np.ndarray, f0: float = 0.4) -> np.ndarray:
    """Flatten the 1/f amplitude spectrum of one grayscale image, as Olshausen's IMAGES.

    Natural images have amplitude spectra falling like 1/f. Multiplying the Fourier transform by
    ``R(f) = f exp(-(f/f0)^4)`` makes it roughly flat (white) at low and middle frequencies;
    the exponential rolls it off near the Nyquist frequency (0.5 cycles/pixel), where noise
    and aliasing dominate. ``f`` and ``f0`` are in cycles per pixel. The default
    ``f0 = 0.4`` (0.8 x Nyquist) is Olshausen's sparsenet value, written there as
    ``f_0 = 0.4*N`` cycles per N-pixel picture. (With half that cut-off the filter discards
    much of the fine structure, and a sparse autoencoder's edges come out longer and blurrier.)

    The image is mirrored to twice its size first, so that the FFT's periodic wrap-around meets
    no jump at the borders (a jump would whiten into bright false edges along the border).
    A few edge rows or columns may be dropped so that the doubled sizes factor into small
    primes, where the FFT is fast (427 rows would give 854 = 2 * 7 * 61; 420 give 840).
    """
    h, w = _fast_half_len(img.shape[0]), _fast_half_len(img.shape[1])
    img = img[:h, :w] - img[:h, :w].mean()
    big = np.concatenate([img, img[:, ::-1]], axis=1)
    big = np.concatenate([big, big[::-1, :]], axis=0)
    fy = np.fft.fftfreq(2 * h)[:, None]
    fx = np.fft.rfftfreq(2 * w)[None, :]
    f = np.hypot(fx, fy)
    R = f * np.exp(-((f / f0) ** 4))
    out = np.fft.irfft2(np.fft.rfft2(big) * R, s=big.shape)[:h, :w]
    return out / out.std()


def _fast_half_len(n: int) -> int:
    """Largest ``k <= n`` with ``2k`` a product of 2, 3, 5 and 7 only."""
    k = n
    while True:
        m = 2 * k
        for prime in (2, 3, 5, 7):
            while m % prime == 0:
                m //= prime
        if m == 1:
            return k
        k -= 1


def _block_mean(img: np.ndarray, factor: int) -> np.ndarray:
    """Shrink an image by averaging ``factor`` × ``factor`` blocks (edge pixels that do not fill
    a block are dropped)."""
    if factor == 1:
        return img
    h, w = (img.shape[0] // factor) * factor, (img.shape[1] // factor) * factor
    return img[:h, :w].reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))


@functools.lru_cache(maxsize=4)
def _photographs(whiten: bool, downsample: int = 1) -> np.ndarray:
    """The two scikit-learn sample photographs in grayscale, read-only.

    Shape (2, 427, 640) at full size, (2, 213, 320) halved; a few rows fewer when pre-whitened
    (see :func:`_prewhiten`).
    """
    from sklearn.datasets import load_sample_images

    rgb = load_sample_images().images  # china.jpg, flower.jpg, uint8 (427, 640, 3)
    luma = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 weights
    grays = [_block_mean(np.asarray(im, dtype=np.float64) @ luma / 255.0, downsample) for im in rgb]
    if whiten:
        grays = [_prewhiten(g) for g in grays]
    out = np.stack(grays)
    out.flags.writeable = False  # cached and shared between calls
    return out


def natural_patches(n_patches=10000, patch_size=8, *, whiten=True, downsample=2, seed=0):
    """Sample square patches of natural photographs, normalised as in the UFLDL exercise.

    The photographs are scikit-learn's two sample images (``china.jpg`` and ``flower.jpg``,
    427x640) in grayscale. With ``whiten=True`` each whole image is first pre-whitened like
    Olshausen and Field's ``IMAGES``: its Fourier transform is multiplied by
    ``R(f) = f exp(-(f/f0)^4)`` with ``f0 = 0.4`` cycles/pixel (0.8 x Nyquist), flattening the
    1/f amplitude spectrum, and it is scaled to unit variance. Without this step the strong low
    frequencies dominate the squared error, and a sparse autoencoder's filters come out
    smoother and blurrier.

    Patches are then drawn uniformly at random (image, row, column) and normalised::

        x <- x - mean(x)                  # each patch's own mean (its brightness) removed
        s  = 3 * std(all pixels of all patches)
        x <- clip(x, -s, s) / s           # now in [-1, 1]
        x <- (x + 1) * 0.4 + 0.1          # now in [0.1, 0.9], the range of a sigmoid output

    Parameters
    ----------
    n_patches : int, default 10000
        Number of patches m.
    patch_size : int, default 8
        Side p of each square patch, from 2 up to the photographs' height (420 pixels when
        pre-whitened, 427 otherwise).
    whiten : bool, default True
        Pre-whiten the photographs first (see above).
    downsample : int >= 1, default 2
        Shrink the photographs by averaging ``downsample`` × ``downsample`` blocks first. The
        sample photographs are close-ups with wide smooth areas; at half size an 8×8 patch
        covers about as much of the scene as in Olshausen's 512×512 images, so more patches
        hold an edge, and the averaging removes JPEG block noise. The learned filters come
        out as short, localized edges, as in the UFLDL exercise, instead of long gratings.
    seed : int or None, default 0
        Seed for the patch positions; the same seed gives the same patches.

    Returns
    -------
    X : ndarray of float64, shape (n_patches, patch_size**2)
        One patch per row in row-major order (``X[i].reshape(p, p)`` shows patch i), values in
        [0.1, 0.9], each row's mean close to 0.5.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    n_patches = _check_int("n_patches", n_patches, 1)
    if not isinstance(whiten, (bool, np.bool_)):
        raise TypeError(f"whiten must be True or False, got {whiten!r}")
    seed = _check_seed(seed)
    downsample = _check_int("downsample", downsample, 1, 8)
    images = _photographs(bool(whiten), downsample)
    n_img, h, w = images.shape
    # A 1-pixel patch minus its mean is identically zero, so 2 is the smallest useful size.
    p = _check_int("patch_size", patch_size, 2, min(h, w))

    rng = np.random.default_rng(seed)
    k = rng.integers(0, n_img, n_patches)[:, None, None]
    r = rng.integers(0, h - p + 1, n_patches)[:, None, None]
    c = rng.integers(0, w - p + 1, n_patches)[:, None, None]
    d = np.arange(p)
    # One fancy-indexing gather instead of a Python loop over patches: (m, p, p).
    X = images[k, r + d[None, :, None], c + d[None, None, :]].reshape(n_patches, p * p)

    X = X - X.mean(axis=1, keepdims=True)
    s = 3.0 * X.std()
    X = np.clip(X, -s, s) / s
    return (X + 1.0) * 0.4 + 0.1


# --------------------------------------------------------------------------- whitening


class Whitening(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """ZCA or PCA whitening with a regulariser, as a scikit-learn transformer.

    With the data covariance ``Sigma = (1/m) sum_i (x_i - mu)(x_i - mu)^T = U diag(s) U^T``
    (columns of ``U`` the eigenvectors, eigenvalues ``s`` in decreasing order)::

        PCA whitening:  x_white = diag(1 / sqrt(s + epsilon)) U^T (x - mu)
        ZCA whitening:  x_white = U diag(1 / sqrt(s + epsilon)) U^T (x - mu)

    ZCA is PCA whitening rotated back into pixel space, so the whitened data still look like
    images (edges enhanced); of all whitening transforms it stays closest to the input. Its
    matrix is symmetric.

    ``epsilon`` is the *whitening regulariser*: it keeps the tiny eigenvalues (noise
    directions) from being blown up by ``1/sqrt(s)``, and low-pass filters the result. It is
    not the autoencoder's ``epsilon`` (the standard deviation of the initial weights); the two
    only share a Greek letter. With ``epsilon`` much smaller than the eigenvalues the
    whitened covariance is close to the identity; larger ``epsilon`` gives
    ``diag(s / (s + epsilon))`` in the eigenbasis.

    Parameters
    ----------
    kind : {"zca", "pca"}, default "zca"
        Which whitening.
    epsilon : float, default 0.1
        Regulariser added to the eigenvalues, >= 0. UFLDL uses 0.1 for patches in [0.1, 0.9].
    n_components : int or None, default None
        Keep only the top ``k`` eigen-directions (the rest are dropped, i.e. set to zero).
        ``None`` keeps all. For ``"pca"`` the output then has ``k`` columns; for ``"zca"`` it
        keeps ``n_features`` columns but rank ``k``.

    Attributes
    ----------
    mean_ : array, shape (n_features,)
        The feature means ``mu``.
    eigenvalues_ : array, shape (n_features,)
        Eigenvalues ``s`` of the covariance, decreasing (tiny negative round-off set to 0).
    eigenvectors_ : array, shape (n_features, n_features)
        ``U``, one eigenvector per column.
    whitening_matrix_ : array, shape (n_out, n_features)
        ``W`` with ``x_white = W (x - mu)``.
    dewhitening_matrix_ : array, shape (n_features, n_out)
        ``W^+`` with ``x = W^+ x_white + mu`` (exact when all components are kept).
    n_features_in_ : int

    Works on NumPy, CuPy and array-API arrays (and DataFrames); the attributes live in the
    input's namespace. NaN and infinite values are refused with a message that says so.
    ``get_feature_names_out`` keeps the input's names for ZCA (its output is in pixel
    space) and gives ``whitening0``, ``whitening1``, ... for PCA whitening.

    Taught in notebooks/00-start-here.ipynb.
    """

    def __init__(self, kind="zca", epsilon=0.1, n_components=None):
        self.kind = kind
        self.epsilon = epsilon
        self.n_components = n_components

    def _validate(self, n_features):
        if self.kind not in ("zca", "pca"):
            raise ValueError(f"kind must be 'zca' or 'pca', got {self.kind!r}")
        eps = self.epsilon
        if isinstance(eps, bool) or not isinstance(eps, Real):
            raise TypeError(f"epsilon must be a real number >= 0, got {eps!r}")
        if not (eps >= 0 and np.isfinite(eps)):
            raise ValueError(f"epsilon must be a finite number >= 0, got {eps!r}")
        if self.n_components is None:
            return n_features
        return _check_int("n_components", self.n_components, 1, n_features)

    def fit(self, X, y=None):
        """Learn the mean and the whitening matrix from ``X`` of shape (m, n_features)."""
        X = validate(self, X, reset=True, integers=True)
        xp = get_namespace(X)
        m, n = X.shape
        k = self._validate(n)
        if self.epsilon == 0 and m <= 1:
            raise ValueError("X must have at least 2 rows to whiten with epsilon=0")
        mu = xp.mean(X, axis=0)
        Xc = X - mu
        sigma = (Xc.T @ Xc) / m
        s, U = xp.linalg.eigh(sigma)  # ascending
        s = xp.flip(s)
        U = xp.flip(U, axis=1)
        s = xp.where(s > 0, s, xp.zeros_like(s))  # round-off can make a 0 eigenvalue -1e-17
        if self.epsilon == 0 and float(s[k - 1]) <= 0:
            raise ValueError(
                "epsilon=0 needs a full-rank covariance, but X has a zero-variance direction; "
                "use epsilon > 0 or fewer n_components"
            )
        Uk, sk = U[:, :k], s[:k]
        scale = 1.0 / xp.sqrt(sk + self.epsilon)
        unscale = xp.sqrt(sk + self.epsilon)
        if self.kind == "pca":
            W = scale[:, None] * Uk.T
            Winv = Uk * unscale[None, :]
        else:
            W = (Uk * scale[None, :]) @ Uk.T
            Winv = (Uk * unscale[None, :]) @ Uk.T
        self.mean_ = mu
        self.eigenvalues_ = s
        self.eigenvectors_ = U
        self.whitening_matrix_ = W
        self.dewhitening_matrix_ = Winv
        self.n_features_in_ = n
        return self

    def _checked(self, X, side):
        check_fitted(self, "whitening_matrix_")
        if side == "in":
            X = validate(self, X, reset=False, integers=True)
        else:
            X = check_data(X, integers=True, n_features=self.whitening_matrix_.shape[0])
        get_namespace(X, self.mean_)  # one library for the data and the model
        return X

    @property
    def _n_features_out(self):
        return self.whitening_matrix_.shape[0]

    def get_feature_names_out(self, input_features=None):
        """Output column names: the input's for ZCA, ``whitening0``, ... for PCA whitening."""
        check_fitted(self, "whitening_matrix_")
        if self.kind == "zca":
            from sklearn.utils.validation import _check_feature_names_in

            return _check_feature_names_in(self, input_features)
        return super().get_feature_names_out(input_features)

    def transform(self, X):
        """Whiten ``X`` (m, n_features) -> (m, n_out): rows ``W (x - mu)``."""
        X = self._checked(X, "in")
        return (X - self.mean_) @ self.whitening_matrix_.T

    def inverse_transform(self, X):
        """Undo the whitening: (m, n_out) -> (m, n_features), rows ``W^+ x + mu``."""
        X = self._checked(X, "out")
        return X @ self.dewhitening_matrix_.T + self.mean_


def zca_whiten(X, epsilon=0.1):
    """ZCA-whiten ``X`` in one call: ``Whitening("zca", epsilon).fit_transform(X)``.

    Parameters
    ----------
    X : array, shape (m, n_features)
    epsilon : float, default 0.1
        The whitening regulariser (not the autoencoder's initial weight scale); see
        :class:`Whitening`.

    Returns
    -------
    X_white : array, shape (m, n_features), same namespace as ``X``.

    Taught in notebooks/00-start-here.ipynb.
    """
    return Whitening(kind="zca", epsilon=epsilon).fit_transform(X)


# --------------------------------------------------------------------------- by name


@dataclass(frozen=True)
class Dataset:
    """A data set chosen by name, as :func:`load_dataset` returns it.

    Unpacks like a pair: ``X, y = load_dataset("digits")``.

    Attributes
    ----------
    X : ndarray of float64, shape (m, n_features)
    y : ndarray of int64, shape (m,), or None
        Labels; ``None`` for natural patches, which have none.
    name : str
        The name it was loaded by.
    image_shape : tuple of int
        How to reshape one row for display, e.g. (28, 28).
    description : str
        One line saying what was loaded (for MNIST: which source).

    Taught in notebooks/00-start-here.ipynb.
    """

    X: np.ndarray
    y: np.ndarray | None
    name: str
    image_shape: tuple
    description: str

    def __iter__(self):
        yield self.X
        yield self.y


DATASET_NAMES = ("digits", "mnist", "patches")


def load_dataset(name, **kw):
    """Load a data set by name; the live panel uses this to switch data sets.

    Parameters
    ----------
    name : {"digits", "mnist", "patches"}
        ``"digits"``: :func:`load_digits`; ``"mnist"``: :func:`load_mnist`;
        ``"patches"``: :func:`natural_patches`.
    **kw
        Passed to that loader (e.g. ``n=2000`` for MNIST, ``n_patches=5000`` for patches).

    Returns
    -------
    Dataset
        ``X``, ``y`` (``None`` for patches), ``name``, ``image_shape`` and ``description``;
        unpacks as ``X, y``.

    Taught in notebooks/00-start-here.ipynb.
    """
    if name == "digits":
        if kw:
            raise TypeError(f"load_dataset('digits') takes no options, got {sorted(kw)}")
        X, y = load_digits()
        return Dataset(X, y, name, (8, 8), f"scikit-learn digits, {len(X)} images of 8x8")
    if name == "mnist":
        allowed = {"n", "source", "cache_dir", "seed"}
        if set(kw) - allowed:
            raise TypeError(
                f"load_dataset('mnist') got unknown options {sorted(set(kw) - allowed)}; "
                f"allowed: {sorted(allowed)}"
            )
        X, y, where = _load_mnist(
            kw.get("n"), kw.get("source", "auto"), kw.get("cache_dir"), kw.get("seed", 0)
        )
        what = "full 70 000-image set" if where == "full" else "5 000 embedded images"
        return Dataset(X, y, name, (28, 28), f"MNIST ({what}), {len(X)} images of 28x28")
    if name == "patches":
        X = natural_patches(**kw)
        p = int(round(np.sqrt(X.shape[1])))
        return Dataset(
            X, None, name, (p, p), f"natural image patches, {len(X)} of {p}x{p}, in [0.1, 0.9]"
        )
    raise ValueError(f"name must be one of {DATASET_NAMES}, got {name!r}")


# Synthetic superposition data with known features (notebook 09) lives in its own module.
from .superposition import Superposition, make_superposition  # noqa: E402

__all__ += ["Superposition", "make_superposition"]
