"""Checks for exercises that tell the student *what* is wrong, not only *that* it is wrong.

The package holds the general machinery, and one module per notebook with that notebook's
checks, so that a notebook shows only the call and never the reference solution:

* :mod:`aelab.exercises.core`: :class:`Feedback`, :func:`check_close`,
  :func:`check_gradient_function`, :func:`check_objective`;
* :mod:`aelab.exercises.predictions`: prediction-first exercises
  (:func:`compare_prediction`, :func:`compare_numeric_prediction`);
* ``aelab.exercises.nbNN``: the checks of notebook NN (imported by that notebook only).

A check returns a :class:`Feedback` (✓ right, ✗ wrong with the likely cause, ✎ not done
yet) and never raises for a wrong answer; :meth:`Feedback.assert_ok` turns a failure into an
exception. Taught in notebooks/02-sparse-autoencoder.ipynb; how to add an exercise is in
docs/INSTRUCTORS.md.
"""
from .core import (
    ExerciseFailed,
    ExerciseNotDone,
    Feedback,
    check_close,
    check_gradient_function,
    check_objective,
)
from .predictions import compare_numeric_prediction, compare_prediction

__all__ = [
    "Feedback",
    "ExerciseFailed",
    "ExerciseNotDone",
    "check_close",
    "check_gradient_function",
    "check_objective",
    "compare_prediction",
    "compare_numeric_prediction",
]
