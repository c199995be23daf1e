"""Checks for the exercises of notebooks/01-autoencoder-basics.ipynb.

The notebook calls these and shows only the call; what a right answer is lives here, so the
student edition never contains an answer. Each check returns a
:class:`~aelab.exercises.core.Feedback` that says what is wrong and where to look.
"""
from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from .core import Feedback

__all__ = ["check_decoder", "check_ce_choice", "CE_DATASETS"]


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def check_decoder(X_hat_mine, model, H):
    """Check exercise 1 of notebook 01: decode the codes ``H`` by hand.

    Parameters
    ----------
    X_hat_mine : array or None
        The student's reconstructions, one row per code.
    model : aelab.Autoencoder
        The notebook's fitted model (linear output activation).
    H : array, shape (m, n_hidden)
        The codes the student decoded.

    Returns
    -------
    Feedback
        ✓ when ``X_hat_mine`` is the decoder's output; otherwise the likely slip: the rows
        and columns swapped, the bias left out, a sigmoid applied to a linear output, the
        encoder's weights used instead of the decoder's, or the codes not used at all.

    Taught in notebooks/01-autoencoder-basics.ipynb.
    """
    fb = Feedback("Decode by hand")
    H = np.asarray(to_numpy(H), dtype=np.float64)
    p = {k: np.asarray(to_numpy(v), dtype=np.float64) for k, v in model.params_.items()}
    expected = np.asarray(to_numpy(model.inverse_transform(H)), dtype=np.float64)
    if X_hat_mine is None:
        return fb.todo("X_hat_mine is still None: decode H with the decoder's weights and bias")
    try:
        got = np.asarray(to_numpy(X_hat_mine), dtype=np.float64)
    except (TypeError, ValueError):
        return fb.fail(f"X_hat_mine should be an array of numbers, got a "
                       f"{type(X_hat_mine).__name__}")
    if got.shape != expected.shape:
        if got.shape == expected.shape[::-1]:
            return fb.fail(f"X_hat_mine has shape {got.shape}, expected {expected.shape} (one "
                           "row per digit, one column per pixel): it is transposed; with codes "
                           "as rows, the weight matrix comes second in the product, transposed")
        return fb.fail(f"X_hat_mine has shape {got.shape}, expected {expected.shape}: one row "
                       "per digit and one column per pixel. Which weight matrix maps "
                       f"{H.shape[1]} code values to {expected.shape[1]} pixels?")
    close = lambda a: bool(np.allclose(got, a, rtol=1e-7, atol=1e-10))  # noqa: E731
    if close(expected):
        return fb.ok("X_hat_mine is the decoder's output: one matrix product and a bias")
    linear = H @ p["W2"].T
    if close(linear):
        return fb.fail("right up to a constant row: the decoder's bias b2 is missing")
    if close(_sigmoid(linear + p["b2"])):
        return fb.fail("you applied a sigmoid to the output, but this model's output "
                       "activation is linear (the identity): leave the sum as it is")
    if "W1" in p and p["W1"].shape == p["W2"].T.shape and close(H @ p["W1"] + p["b2"]):
        return fb.fail("that is W1 in place of W2: the decoder has its own weights, W2, "
                       "one column per hidden unit")
    if close(np.broadcast_to(p["b2"], expected.shape)):
        return fb.fail("every row is b2: the codes H were not used")
    if not np.all(np.isfinite(got)):
        return fb.fail("X_hat_mine contains NaN or inf")
    return fb.fail("right shape, wrong values: the decoder multiplies the codes by the "
                   "decoder's weights and adds the decoder's bias, with nothing else applied")


#: The data sets of exercise 2 and whether each can be used as it is with cross-entropy.
CE_DATASETS = {
    "digits": ("load_digits(): pixels divided by 16", True),
    "centred digits": ("the digits minus their mean pixel value", False),
    "patches": ("natural_patches(): values in [0.1, 0.9]", True),
    "temperatures": ("daily temperatures in °C, scaled by 1/40", False),
}


def check_ce_choice(ok_for_ce):
    """Check exercise 2 of notebook 01: which data can use cross-entropy as they are.

    Parameters
    ----------
    ok_for_ce : set of str or None
        The names (keys of :data:`CE_DATASETS`) the student thinks can be used.

    Returns
    -------
    Feedback
        ✓ when the set is right; otherwise one line per data set that is misjudged, asking
        about its smallest or largest value rather than naming the answer.

    Taught in notebooks/01-autoencoder-basics.ipynb.
    """
    fb = Feedback("Which data can use cross-entropy?")
    names = set(CE_DATASETS)
    if ok_for_ce is None:
        return fb.todo("ok_for_ce is still None: put the names of the usable data sets in a set")
    if isinstance(ok_for_ce, str):
        return fb.fail(f"ok_for_ce is the string {ok_for_ce!r}: make it a set of names, "
                       'e.g. {"digits"}')
    try:
        chosen = {str(name) for name in ok_for_ce}
    except TypeError:
        return fb.fail(f"ok_for_ce should be a set of names, got a {type(ok_for_ce).__name__}")
    unknown = chosen - names
    if unknown:
        return fb.fail(f"unknown names {sorted(unknown)}: use the names in quotes above, "
                       f"{sorted(names)}")
    if not chosen:
        return fb.fail("the set is empty, but some of these data sets can be used: for each, "
                       "ask what its smallest and its largest value are")
    right = {name for name, (_, ok) in CE_DATASETS.items() if ok}
    for name in sorted(names):
        if (name in chosen) and name not in right:
            fb.fail(f"{name!r} cannot be used as it is: can one of its values fall below 0 "
                    "or above 1?")
        elif name in right and name not in chosen:
            fb.fail(f"{name!r} was left out: what are its smallest and its largest values?")
    if chosen == right:
        fb.ok("right: cross-entropy needs every target value in [0, 1], and these two data "
              "sets stay inside it")
    return fb
