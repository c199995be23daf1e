"""k-sparse autoencoders in practice: annealed training run to convergence, and fixed dictionaries.

* :func:`fit_annealed`: train a :class:`~aelab.KSparseAutoencoder` with its annealing schedule
  (a fixed budget: k falls from ``k_start`` to k) and then, at the final k, until Adam's
  stopping rule says it has converged. One fit cannot do both: while k falls the loss rises
  (fewer units reconstruct), so the best epoch loss seen during annealing is lower than
  anything the final k can reach, and the "no progress for n epochs" rule would stop training
  the moment annealing ends.
* :func:`dictionary_encoder`: a k-sparse encoder whose tied dictionary is given instead of
  learned (random directions, or training digits as exemplars), the baselines that tell what
  *learning* the dictionary is worth.

Taught in notebooks/05-k-sparse-autoencoders.ipynb.
"""
from __future__ import annotations

import numpy as np

from .backend import to_numpy
from .convergence import fixed_budget
from .models import KSparseAutoencoder

__all__ = ["fit_annealed", "dictionary_encoder"]


def fit_annealed(model, X, *, anneal_epochs=10, learning_rate=None, max_iter=300):
    """Anneal k for a fixed number of epochs, then train at k until converged.

    Parameters
    ----------
    model : KSparseAutoencoder
        Its ``k_start`` (None: no annealing), ``learning_rate``, ``tol`` and
        ``n_iter_no_change`` are used; its hyperparameters are the same afterwards.
    X : array, shape (m, n)
    anneal_epochs : int >= 2, default 10
        Epochs of the first phase, at the model's own learning rate: k falls linearly from
        ``k_start`` to k over the first half of them and stays at k for the rest. Without
        annealing (``k_start=None``) the first phase trains at k throughout, so that a
        model with and one without annealing differ in nothing else.
    learning_rate : float or None
        Adam's step size in the second phase (None: the model's own). A smaller step than the
        first phase's lets the loss settle instead of rattling at a noise floor.
    max_iter : int, default 300
        Most epochs of the second phase; reaching it warns ``ConvergenceWarning``.

    Returns
    -------
    model
        Fitted. ``n_iter_``, ``loss_curve_``, ``converged_`` and ``stop_reason_`` describe the
        second phase; ``anneal_curve_`` holds the first phase's epoch losses and ``n_epochs_total_`` the epochs of both.

    Notes
    -----
    The second phase is a warm start, so Adam's moment estimates start afresh there.
    Taught in notebooks/05-k-sparse-autoencoders.ipynb.
    """
    if not isinstance(model, KSparseAutoencoder):
        raise TypeError(f"model must be a KSparseAutoencoder, got {type(model).__name__}")
    if int(anneal_epochs) < 2:
        raise ValueError(f"anneal_epochs must be an integer >= 2, got {anneal_epochs!r}")
    saved = model.get_params()
    try:
        model.set_params(max_iter=int(anneal_epochs), n_iter_no_change=None, warm_start=False)
        with fixed_budget("the first phase (the annealing schedule) is a fixed number of epochs"):
            model.fit(X)
        anneal_curve = list(model.loss_curve_)
        model.set_params(k_start=None, warm_start=True, max_iter=int(max_iter),
                         n_iter_no_change=saved["n_iter_no_change"],
                         learning_rate=saved["learning_rate"] if learning_rate is None
                         else float(learning_rate))
        model.fit(X)
    finally:
        model.set_params(**saved)
    model.anneal_curve_ = anneal_curve
    model.n_epochs_total_ = len(anneal_curve) + model.n_iter_
    return model


def dictionary_encoder(W, k, *, alpha=1.0, dtype="float64"):
    """A k-sparse encoder (tied weights, zero biases) whose dictionary W is given, not learned.

    Parameters
    ----------
    W : array, shape (p, n)
        One dictionary element per row: random directions, training examples, ...
    k : int
        Units kept per example; ``transform`` keeps round(α k).
    alpha : float >= 1, default 1.0
    dtype : {"float64", "float32"}

    Returns
    -------
    KSparseAutoencoder
        Ready to ``transform`` and ``reconstruct`` (``params_`` set, never trained).

    Taught in notebooks/05-k-sparse-autoencoders.ipynb (the random and exemplar baselines).
    """
    W = np.asarray(to_numpy(W), dtype=dtype)
    if W.ndim != 2:
        raise ValueError(f"W must be 2-D (units, features), got shape {W.shape}")
    p, n = W.shape
    model = KSparseAutoencoder(n_hidden=p, k=int(k), alpha=alpha, k_start=None, dtype=dtype)
    model._config()  # validates k, alpha against n_hidden
    model.params_ = {"W1": W.copy(), "b1": np.zeros(p, dtype=dtype),
                     "b2": np.zeros(n, dtype=dtype)}
    model.n_features_in_ = n
    return model
