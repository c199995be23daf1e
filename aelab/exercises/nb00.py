"""Checks for the exercises of notebooks/00-start-here.ipynb.

The notebook calls these and shows only the call; the reference behaviour lives here, so the
student edition never contains an answer. Each check returns a
:class:`~aelab.exercises.core.Feedback` that says what is wrong and where to look.
"""
from __future__ import annotations

import math

from .core import Feedback

__all__ = ["check_bottleneck"]


def _is_fitted_autoencoder(model):
    return hasattr(model, "params_") and hasattr(model, "score") and hasattr(model, "n_hidden")


def _check_model(fb, label, model, n_hidden, X_train):
    """Lines about one model; True when it can be used to judge the errors."""
    if model is None:
        fb.todo(f"{label} is still None: train an autoencoder with {n_hidden} hidden units "
                "and keep it in this variable")
        return False
    if not _is_fitted_autoencoder(model):
        fb.fail(f"{label} is not a fitted aelab.Autoencoder (it is a {type(model).__name__}): "
                "did you keep the model, or the result of score()?")
        return False
    ok = True
    if model.n_hidden != n_hidden:
        fb.fail(f"{label} has {model.n_hidden} hidden units, but this exercise asks for "
                f"{n_hidden}: are the two models swapped?")
        ok = False
    if not getattr(model, "converged_", False):
        fb.fail(f"{label} stopped because of {getattr(model, 'stop_reason_', 'its budget')!r} "
                f"after {model.n_iter_} iterations, so it has not converged: give it a larger "
                "max_iter (and the tol the notebook uses) and train it again. A comparison "
                "of unconverged models says more about the budget than about the code size.")
        ok = False
    penalised = any(float(getattr(model, name, 0.0) or 0.0) != 0.0
                    for name in ("lam", "beta", "contraction", "noise_level"))
    if penalised:
        fb.fail(f"{label} has a penalty or input noise switched on (lam, beta, contraction or "
                "noise_level): this exercise compares plain autoencoders, so leave them at 0")
        ok = False
    elif X_train is not None and getattr(model, "loss_curve_", None):
        # with no penalty the last training objective is the training reconstruction error
        final = float(model.loss_curve_[-1])
        on_train = -float(model.score(X_train))
        if not math.isclose(final, on_train, rel_tol=1e-6, abs_tol=1e-12):
            fb.fail(f"{label} was not trained on X_train: its final training objective "
                    f"({final:.4g}) is not its error on X_train ({on_train:.4g})")
            ok = False
    return ok


def _check_error(fb, label, err, model, X_train, X_test, model_label):
    """One line about one reported error; True when it is the model's test error."""
    if err is None:
        fb.todo(f"{label} is still None: set it to the test error of {model_label}")
        return False
    try:
        value = float(err)
    except (TypeError, ValueError):
        fb.fail(f"{label} should be a number, got a {type(err).__name__}")
        return False
    test = -float(model.score(X_test))
    if math.isclose(value, test, rel_tol=1e-6):
        fb.ok(f"{label} = {value:.4f} is the test error of {model_label}")
        return True
    if math.isclose(value, -test, rel_tol=1e-6):
        fb.fail(f"{label} is negative: score() returns minus the error (higher is better), "
                "so the error is minus the score")
    elif X_train is not None and math.isclose(value, -float(model.score(X_train)), rel_tol=1e-6):
        fb.fail(f"{label} is the error on the training digits: score the model on X_test, "
                "the digits it never saw")
    elif value < 0:
        fb.fail(f"{label} is negative, and a reconstruction error cannot be: check the sign")
    else:
        fb.fail(f"{label} = {value:.4g} is not the test error of {model_label}: is it the "
                "score of that model on X_test (with the minus sign)?")
    return False


def check_bottleneck(err_small, err_large, model_small, model_large, X_train, X_test, *,
                     sizes=(2, 8)):
    """Check exercise "how much does the bottleneck matter?" of notebook 00.

    Parameters
    ----------
    err_small, err_large : float or None
        The student's test reconstruction errors of the narrow and the wide model
        (``err2`` and ``err8`` in the notebook).
    model_small, model_large : aelab.Autoencoder or None
        The two trained models (``model2`` and ``model8``).
    X_train, X_test : array, shape (m, 64)
        The notebook's training and test digits.
    sizes : (int, int), default (2, 8)
        The hidden sizes the exercise asks for.

    Returns
    -------
    Feedback
        A line per model (right size, converged, trained on ``X_train``, no penalty) and per
        error (the model's test error, not its training error, not the raw score). It never
        retrains a model, so it is instant; it never states the expected numbers.

    Taught in notebooks/00-start-here.ipynb.
    """
    small, large = sizes
    ms, ml = f"model{small}", f"model{large}"
    es, el = f"err{small}", f"err{large}"
    fb = Feedback("How much does the bottleneck matter?")
    usable_s = _check_model(fb, ms, model_small, small, X_train)
    usable_l = _check_model(fb, ml, model_large, large, X_train)
    right = []
    if usable_s:
        right.append(_check_error(fb, es, err_small, model_small, X_train, X_test, ms))
    elif err_small is None:
        fb.todo(f"{es} is still None")
    if usable_l:
        right.append(_check_error(fb, el, err_large, model_large, X_train, X_test, ml))
    elif err_large is None:
        fb.todo(f"{el} is still None")
    if len(right) == 2 and all(right):
        fb.note(f"the {small}-unit code loses {float(err_small) / float(err_large):.1f} times "
                f"as much as the {large}-unit code on digits neither model saw")
    return fb
