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

    def __init__(self, sources, image_shape=None, want_pca=False):
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
        m = X.shape[0]
        # Fixed examples for the reconstructions view, so frames are comparable.
        idx = np.sort(np.random.default_rng(0).choice(m, min(N_RECONSTRUCTIONS, m),
                                                      replace=False))
        rows = X if m <= MAX_ACTIVATION_ROWS else X[np.random.default_rng(1).choice(
            m, MAX_ACTIVATION_ROWS, replace=False)]
        data = Data(X=X, shape=shape, show=X[idx], activation_rows=rows)
        if src is not self.sources.get(name):  # loaded here, by name
            self.options[name] = options
        if self.want_pca:
            data.pca = principal_directions(X)
        self.loaded[name] = data
        return data

