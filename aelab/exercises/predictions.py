"""Prediction first: a student commits to an outcome before running the experiment.

An exercise that asks "what will happen when β grows?" teaches only if the student answers
before seeing the plot. The notebook holds the answer in a plain variable that the student
sets (so it works headless, under nbval, on Binder and in nbgrader)::

    my_prediction = None   # ✎ one of "rises", "flat", "falls": set it BEFORE running below

    # ... the experiment computes `outcome` ...

    compare_prediction(my_prediction, outcome, choices=("rises", "flat", "falls"),
                       why="at convergence β barely moves the error; at 100 iterations it did")

:func:`compare_prediction` never fails a notebook for a wrong prediction (a surprise is the
point); it says what was predicted, what happened, and why. It refuses an answer outside the
choices, naming them. For numbers, :func:`compare_numeric_prediction` reports how far off the
guess was on a ratio scale.

Used in notebooks 00–08; the mechanism is described in docs/INSTRUCTORS.md.
"""
from __future__ import annotations

import math

from .core import Feedback

__all__ = ["compare_prediction", "compare_numeric_prediction"]


def _missing(prediction):
    return prediction is None or (isinstance(prediction, str) and not prediction.strip())


def compare_prediction(prediction, outcome, *, choices, why="", title="Your prediction"):
    """Set a recorded prediction beside the measured outcome.

    Parameters
    ----------
    prediction : str or None
        What the student wrote before the experiment; None (or "") means not yet.
    outcome : str
        What the experiment measured, one of ``choices`` (computed in the notebook).
    choices : sequence of str
        The allowed answers.
    why : str, optional
        One or two sentences on the mechanism, shown after the comparison.
    title : str, optional

    Returns
    -------
    Feedback
        "✓" when the prediction matched, "·" (a neutral note) when it did not, "✎" when no
        prediction was recorded, "✗" when the prediction is not one of the choices.

    Raises
    ------
    ValueError
        If ``outcome`` is not one of ``choices`` (a notebook bug, not a student's).
    """
    choices = tuple(choices)
    if outcome not in choices:
        raise ValueError(f"outcome must be one of {choices}, got {outcome!r}")
    fb = Feedback(title)
    if _missing(prediction):
        return fb.todo(f"no prediction recorded: set it to one of {choices} before you run "
                       "the experiment, then run this cell again")
    answer = str(prediction).strip().lower()
    lowered = {c.lower(): c for c in choices}
    if answer not in lowered:
        return fb.fail(f"{prediction!r} is not one of the choices {choices}")
    if lowered[answer] == outcome:
        fb.ok(f"you predicted {outcome!r}, and that is what the experiment shows")
    else:
        fb.note(f"you predicted {lowered[answer]!r}; the experiment shows {outcome!r}")
    if why:
        fb.note(why)
    return fb


def compare_numeric_prediction(prediction, outcome, *, name="the value", unit="", why="",
                               title="Your prediction"):
    """Set a numeric guess beside the measured number, as a ratio.

    Parameters
    ----------
    prediction : float or None
    outcome : float
        The measured value (computed in the notebook).
    name, unit : str
        How to name the quantity in the feedback.
    why : str, optional

    Returns
    -------
    Feedback
        "✓" within a factor of 1.5 of the outcome, otherwise a note saying by what factor
        the guess was off; "✎" when no prediction was recorded.
    """
    fb = Feedback(title)
    if _missing(prediction):
        return fb.todo(f"no prediction recorded for {name}: write down a number first")
    try:
        guess = float(prediction)
    except (TypeError, ValueError):
        return fb.fail(f"the prediction for {name} must be a number, got {prediction!r}")
    outcome = float(outcome)
    u = f" {unit}" if unit else ""
    if guess == outcome or (guess * outcome > 0
                            and abs(math.log(abs(guess) / abs(outcome))) <= math.log(1.5)):
        fb.ok(f"you predicted {guess:.3g}{u} for {name}; the experiment gives {outcome:.3g}{u}")
    else:
        if guess * outcome > 0:
            factor = max(abs(guess / outcome), abs(outcome / guess))
            off = f" (off by a factor of {factor:.3g})"
        else:
            off = " (the sign differs)" if guess * outcome < 0 else ""
        fb.note(f"you predicted {guess:.3g}{u} for {name}; the experiment gives "
                f"{outcome:.3g}{u}{off}")
    if why:
        fb.note(why)
    return fb
