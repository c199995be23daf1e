"""The course's panels: which challenges each notebook's panel sets, and a quick copy of it.

Each numbered notebook (01–06) builds one live panel with its own model and data. This module
holds what those panels share with the tests and the documentation:

* :func:`course_challenges` — the challenges notebook ``NN``'s panel sets (fresh objects each
  call, since a challenge remembers whether it was done);
* :func:`course_panel` — the same panel (controls, views, challenges, budget) on data that
  load in a second and a model trained from scratch, for the browser tests, the screenshots
  in docs/ and an instructor who wants notebook ``NN``'s panel without running the notebook.

The notebooks train their panels' starting models first (notebook 05 starts from its
converged k = 70 model, notebook 06 from its masking model), so the pictures differ from
:func:`course_panel`'s; the controls, views and challenges are the same.
"""
from __future__ import annotations

import numpy as np

from . import challenges as ch

__all__ = ["COURSE_PANELS", "course_challenges", "course_panel"]


def _challenges(nn):
    return {
        "01": lambda: [ch.few_units_below(0.45, 16)],
        "02": lambda: [ch.sparsity_released(5.0), ch.filters_fade(0.1)],
        "03": lambda: [ch.filters_fade(0.1)],
        "04": lambda: [ch.pca_at_sizes(3, 0.5), ch.angle_meaningless()],
        "05": lambda: [ch.global_templates(6.5), ch.many_dead(0.25)],
        "06": lambda: [ch.repairs_masked(level=0.5, factor=0.5)],
    }[nn]()


#: The course notebooks with a live panel.
COURSE_PANELS = ("01", "02", "03", "04", "05", "06")


def _check(nn):
    nn = f"{int(nn):02d}" if isinstance(nn, int) else str(nn)
    if nn not in COURSE_PANELS:
        raise ValueError(f"nn must be one of {list(COURSE_PANELS)} (a course notebook with a "
                         f"panel), got {nn!r}")
    return nn


def course_challenges(nn):
    """The challenges of notebook ``nn``'s panel ("01" … "06"), as new objects.

    Returns
    -------
    list of aelab.explorer.challenges.Challenge
    """
    return _challenges(_check(nn))


def _mnist(n):
    from ..datasets import load_mnist

    X = load_mnist(source="embedded")[0][:n]
    return np.asarray(X, dtype=np.float64)


def _spec(nn):
    """(model, X, Explorer keyword arguments) of notebook ``nn``'s panel, on quick data."""
    import aelab
    from ..datasets import load_digits, natural_patches

    if nn == "01":
        return (aelab.Autoencoder(n_hidden=4, max_iter=100), load_digits()[0][:1500],
                dict(controls=("n_hidden",), views=("reconstructions", "loss"),
                     image_shape=(8, 8)))
    if nn == "02":
        return (aelab.SparseAutoencoder(max_iter=200, dtype="float32"),
                natural_patches(4000),
                dict(controls=("lam", "beta", "rho", "epsilon", "n_hidden"),
                     image_shape=(8, 8)))
    if nn == "03":
        return (aelab.SparseAutoencoder(activation="tanh", rho=-0.9, max_iter=100),
                natural_patches(2000, seed=0)[:1500],
                dict(controls=("lam", "beta", "rho", "epsilon", "n_hidden", "seed", "reset"),
                     views=("filters", "activations", "loss"), image_shape=(8, 8)))
    if nn == "04":
        X = load_digits()[0]
        return (aelab.LinearAutoencoder(n_hidden=10), X - X.mean(axis=0),
                dict(controls=("n_hidden",), views=("filters", "pca", "reconstructions"),
                     image_shape=(8, 8)))
    if nn == "05":
        X = _mnist(1500)
        settings = dict(n_hidden=400, k_start=100, learning_rate=1e-2, max_iter=12,
                        batch_size=128, epsilon=0.01, lam=0.02, tol=1e-3,
                        n_iter_no_change=5, dtype="float32")
        return (aelab.KSparseAutoencoder(k=70, **settings), X - X.mean(axis=0),
                dict(controls=("k",), views=("filters", "ksparse"), image_shape=(28, 28),
                     warm_max_iter=4))
    settings = dict(n_hidden=256, max_iter=10, batch_size=64, learning_rate=6e-3,
                    epsilon=0.01, dtype="float32")
    return (aelab.DenoisingAutoencoder(noise="mask", noise_level=0.5, **settings),
            _mnist(1500),
            dict(controls=("noise", "noise_level"),
                 views=("filters", "reconstructions", "loss"), image_shape=(28, 28)))


def course_panel(nn, **kwargs):
    """Notebook ``nn``'s panel on quick data, trained from scratch; returns the Explorer.

    Parameters
    ----------
    nn : {"01", "02", "03", "04", "05", "06"} or int
    **kwargs
        Any :class:`~aelab.explorer.Explorer` argument, overriding the notebook's (``key``,
        ``layout``, ``max_train_seconds`` …).

    Examples
    --------
    >>> from aelab.explorer.course import course_panel
    >>> panel = course_panel("02")                                      # doctest: +SKIP
    """
    from .panel import Explorer

    nn = _check(nn)
    model, X, options = _spec(nn)
    options.update(dataset=f"notebook {nn}", challenges=course_challenges(nn))
    options.update(kwargs)
    return Explorer(model, X, **options)
