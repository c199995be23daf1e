"""Convergence discipline: say when training stopped on its budget, not on its tolerance.

A conclusion about hyperparameters drawn from models that ran out of iterations is a
conclusion about the budget. So ``fit`` warns with scikit-learn's
:class:`~sklearn.exceptions.ConvergenceWarning` whenever it stops on ``max_iter`` (L-BFGS
iterations, or the epoch budget of Adam and SGD), and records ``converged_`` and
``stop_reason_`` on the model, as ``MLPClassifier`` does.

Where the fixed budget *is* the lesson (L-BFGS needs more iterations when β is large), a
notebook cell says so in its prose and trains inside :func:`fixed_budget`, which silences
the warning for that block only, in that thread only. Every budgeted comparison is therefore
visible in the source as ``with aelab.fixed_budget(...)``.

The course's notebook test run sets ``AELAB_CONVERGENCE=error`` (see the repository's
``conftest.py``): importing aelab then turns every unannounced ``ConvergenceWarning`` into an
error, so a notebook that draws a conclusion from an unconverged model fails CI.

Taught in notebooks/00-start-here.ipynb.
"""
from __future__ import annotations

import os
import threading
import warnings
from contextlib import contextmanager

from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning

__all__ = ["ConvergenceWarning", "fixed_budget", "warn_if_unconverged", "budget_is_fixed"]

_ENV = "AELAB_CONVERGENCE"


class ConvergenceWarning(_SklearnConvergenceWarning):
    """Training stopped on ``max_iter`` (its iteration or epoch budget), not its tolerance.

    A subclass of scikit-learn's ``ConvergenceWarning``, so filters written for
    scikit-learn's warning apply to aelab's too. Why it matters, and how a cell announces a
    deliberate budget with :func:`fixed_budget`, is taught in
    notebooks/03-choosing-hyperparameters.ipynb.
    """

_local = threading.local()


@contextmanager
def fixed_budget(reason: str = ""):
    """Train at a fixed budget on purpose: no ConvergenceWarning inside the block.

    Parameters
    ----------
    reason : str, optional
        Why the budget is the point (kept for the reader of the source; not printed).

    Notes
    -----
    Only the calling thread is affected (the live panel trains in a worker thread with its
    own fixed budget), and the global warning filters are left alone, so this is safe
    beside other threads. Nested blocks work.

    Taught in notebooks/03-choosing-hyperparameters.ipynb (the β budget lesson).

    Examples
    --------
    >>> import aelab
    >>> with aelab.fixed_budget("100 iterations: the budget is the lesson"):
    ...     pass
    """
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1


def budget_is_fixed() -> bool:
    """Whether the calling thread is inside :func:`fixed_budget`."""
    return getattr(_local, "depth", 0) > 0


def warn_if_unconverged(estimator, reason: str, n_iter: int, unit: str = "iterations"):
    """Warn with ConvergenceWarning when ``reason`` is ``"max_iter"`` (outside a fixed budget).

    Parameters
    ----------
    estimator : object
        The model that stopped; its class name goes in the message.
    reason : str
        The stop reason recorded as ``stop_reason_``.
    n_iter : int
        Iterations (or epochs) run.
    unit : str
        "iterations" (L-BFGS) or "epochs" (Adam, SGD).
    """
    if reason != "max_iter" or budget_is_fixed():
        return
    name = type(estimator).__name__
    warnings.warn(
        f"{name} stopped on its budget after {n_iter} {unit} (max_iter) before meeting its "
        f"tolerance: it has not converged. Raise max_iter, or train inside "
        f"aelab.fixed_budget() where a fixed budget is the point.",
        ConvergenceWarning,
        stacklevel=3,
    )


def strict_from_environment():
    """Turn ConvergenceWarning into an error when ``AELAB_CONVERGENCE=error`` is set."""
    if os.environ.get(_ENV, "").strip().lower() == "error":
        # scikit-learn's own (a LogisticRegression baseline that ran out of iterations) too
        warnings.filterwarnings("error", category=_SklearnConvergenceWarning)
