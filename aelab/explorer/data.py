"""The data a panel trains on: named sources, loaded on first use, with what the views need.

A source is an array, an :class:`aelab.datasets.Dataset`, a dict of
:func:`aelab.datasets.load_dataset` options, or None (load by name with defaults). Loading
happens in the worker thread, so a slow data set never blocks the notebook.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .frames import image_shape, to_host

__all__ = ["Data", "DataSources", "collect_sources", "fitted_to", "principal_directions"]

# Examples shown in the reconstructions view.
N_RECONSTRUCTIONS = 8
# At most this many rows are held out (they are evaluated at every frame).
MAX_HOLDOUT_ROWS = 1000
# Rows used to draw ρ̂. Its standard error from 2000 examples is far below what a bar chart
# can show, and encoding all 10 000 patches would make ρ̂ the slowest part of every frame.
MAX_ACTIVATION_ROWS = 2000


@dataclass
class Data:
    X: Any
    shape: tuple
    show: np.ndarray = None             # rows shown in the reconstructions view
    activation_rows: Any = None         # rows used to estimate ρ̂
    pca: np.ndarray | None = None       # all principal directions, host, when needed
    holdout: Any = None                 # held-out rows (not trained on), or None
    pca_errors: dict = None             # k -> PCA's held-out reconstruction error, cached

    def pca_error(self, k):
        """½·mean‖x − x̂‖² on the held-out rows for PCA with ``k`` components of the training
        rows: the linear benchmark a k-unit autoencoder's reconstruction is read against."""
        if self.holdout is None or not 1 <= k < self.X.shape[1]:
            return None
        if self.pca_errors is None:
            self.pca_errors = {}
        if k not in self.pca_errors:
            from ..pca import PCA

            Xt, Xh = to_host(self.X), to_host(self.holdout)
            pca = PCA(n_components=k).fit(Xt)
            V, mu = to_host(pca.components_), Xt.mean(axis=0)
            R = (Xh - mu) - ((Xh - mu) @ V.T) @ V
            self.pca_errors[k] = 0.5 * float(np.sum(R * R)) / len(Xh)
        return self.pca_errors[k]



def collect_sources(X, dataset, datasets, with_control):
    """name -> array | Dataset | dict of load options | None, for every known data set."""
    sources = {}
    if datasets is None and with_control:
        try:
            from ..datasets import DATASET_NAMES
        except ImportError:  # pragma: no cover
            DATASET_NAMES = ()
        datasets = DATASET_NAMES
    if datasets is not None:
        if isinstance(datasets, dict):
            sources.update(datasets)
        else:
            sources.update({str(name): None for name in datasets})
    if X is not None and not isinstance(X, str):
        name = dataset if dataset is not None else getattr(X, "name", None) or "data"
        sources[name] = X
    elif isinstance(X, str) and dataset is not None and dataset != X:
        raise ValueError(f"X names data set {X!r} but dataset={dataset!r}; give one name")
    return sources



def fitted_to(model, source):
    """True when ``model`` is already fitted to data as wide as ``source``'s."""
    X = getattr(source, "X", source)
    if not hasattr(model, "params_") or X is None or isinstance(X, dict):
        return False
    return getattr(model, "n_features_in_", None) == np.shape(X)[1]


def principal_directions(X):
    """All principal directions of X, host float64, rows by decreasing variance."""
    from ..pca import PCA

    return to_host(PCA().fit(X).components_)


class DataSources:
    """name -> source, and the loaded :class:`Data` of each name used so far."""

    def __init__(self, sources, image_shape=None, want_pca=False, holdout=0.0):
        self.holdout = holdout  # the fraction of each data set kept out of training
        self.sources = sources
        self.image_shape = image_shape
        self.want_pca = want_pca
        self.loaded = {}
        self.options = {}      # name -> load_dataset options it was loaded with

    def load(self, name):
        """The data set ``name``, loaded (and its derived arrays computed) on first use."""
        if name in self.loaded:
            return self.loaded[name]
        src = self.sources.get(name)
        options = {}
        if src is None or isinstance(src, dict):
            options = dict(src or {})
            from ..datasets import load_dataset

            src = load_dataset(name, **options)
        X = getattr(src, "X", src)
        if np.ndim(X) != 2:
            raise ValueError(f"data set {name!r} must be 2-D (n_examples, n_features), "
                             f"got shape {np.shape(X)}")
        shape = image_shape(X.shape[1], self.image_shape or getattr(src, "image_shape", None))
        X, held = self.split(X)
        m = X.shape[0]
        # Fixed examples for the reconstructions view, so frames are comparable.
        idx = np.sort(np.random.default_rng(0).choice(m, min(N_RECONSTRUCTIONS, m),
                                                      replace=False))
        rows = X if m <= MAX_ACTIVATION_ROWS else X[np.random.default_rng(1).choice(
            m, MAX_ACTIVATION_ROWS, replace=False)]
        data = Data(X=X, shape=shape, show=X[idx], activation_rows=rows, holdout=held)
        if src is not self.sources.get(name):  # loaded here, by name
            self.options[name] = options
        if self.want_pca:
            data.pca = principal_directions(X)
        self.loaded[name] = data
        return data

    def split(self, X):
        """(training rows, held-out rows or None): a seeded split, as TensorFlow Playground's
        test set; the held-out rows are never trained on and at most MAX_HOLDOUT_ROWS."""
        m = X.shape[0]
        n_out = min(MAX_HOLDOUT_ROWS, int(round(self.holdout * m)))
        if n_out < 1 or m - n_out < 2:
            return X, None
        order = np.random.default_rng(2).permutation(m)
        keep, out = np.sort(order[n_out:]), np.sort(order[:n_out])
        return _take(X, keep), _take(X, out)



def _take(X, rows):
    """Rows of X in X's own namespace (NumPy, CuPy, array API)."""
    from ..backend import asarray_like, get_namespace

    xp = get_namespace(X)
    return xp.take(X, asarray_like(rows, X), axis=0)
