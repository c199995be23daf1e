"""Checks on hyperparameters and data, with errors that say what is allowed.

Every check names the parameter, the value it got and what it accepts, because the person
reading the message is usually a student who moved a slider or mistyped an option.

Taught in notebooks/03-choosing-hyperparameters.ipynb.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .backend import get_namespace, is_numpy

__all__ = [
    "check_choice",
    "check_int",
    "check_real",
    "check_bool",
    "check_data",
    "check_rho",
]


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_choice(name, value, choices):
    """``value`` must be one of ``choices`` (compared with ==)."""
    try:
        ok = any(value == c for c in choices)
    except Exception:
        ok = False
    if not ok or isinstance(value, bool) and not any(isinstance(c, bool) for c in choices):
        shown = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}={value!r} is not allowed; choose one of {shown}")
    return value


def check_int(name, value, low=None, high=None, allow_none=False):
    """An integer in the closed range [low, high]."""
    if value is None and allow_none:
        return None
    if not _is_int(value):
        kind = "an integer or None" if allow_none else "an integer"
        raise TypeError(f"{name}={value!r} must be {kind}, not {type(value).__name__}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name}={value!r} is out of range; allowed: {_range_text(low, high, True, True)}")
    return int(value)


def check_real(name, value, low=None, high=None, *, low_open=False, high_open=False,
               allow_none=False):
    """A finite real number inside the given range (open or closed at each end)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        kind = "a real number or None" if allow_none else "a real number"
        raise TypeError(f"{name}={value!r} must be {kind}, not {type(value).__name__}")
    value = float(value)
    bad = not math.isfinite(value)
    if low is not None:
        bad |= value <= low if low_open else value < low
    if high is not None:
        bad |= value >= high if high_open else value > high
    if bad:
        raise ValueError(
            f"{name}={value!r} is out of range; allowed: "
            f"{_range_text(low, high, not low_open, not high_open)}"
        )
    return value


def check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}={value!r} must be True or False")
    return bool(value)


def check_rho(rho, activation, sparsity):
    """ρ must lie strictly inside the range of the hidden activation for the KL penalty.

    For sigmoid units that is (0, 1); for tanh units (−1, 1), because the KL is then taken on
    (ρ + 1)/2. The ℓ1 and ℓ2 penalties accept any ρ the activation can reach.
    """
    if sparsity is None:
        return check_real("rho", rho)
    low, high = activation.low, activation.high
    if sparsity == "kl":
        return check_real("rho", rho, low, high, low_open=True, high_open=True)
    lo = None if math.isinf(low) else low
    hi = None if math.isinf(high) else high
    return check_real("rho", rho, lo, hi)


def _is_real_floating(xp, dtype) -> bool:
    if hasattr(xp, "isdtype"):
        return bool(xp.isdtype(dtype, "real floating"))
    return getattr(dtype, "kind", "") == "f"


def _range_text(low, high, low_closed, high_closed):
    if low is None and high is None:
        return "any finite number"
    if high is None:
        return f">= {low}" if low_closed else f"> {low}"
    if low is None:
        return f"<= {high}" if high_closed else f"< {high}"
    return f"{'[' if low_closed else '('}{low}, {high}{']' if high_closed else ')'}"


def check_data(X, *, name="X", n_features=None, dtype=None, unit_interval=False, why=""):
    """Validate a data matrix and cast it to ``dtype``.

    Parameters
    ----------
    X : array, shape (m, n)
        NumPy, CuPy or array-API array of real numbers. Lists are refused so that the
        caller decides the dtype and the device.
    n_features : int, optional
        Required width (the width the model was fitted on).
    dtype : str, optional
        "float32" or "float64"; X is cast to it.
    unit_interval : bool
        Require every value to lie in [0, 1] (cross-entropy, sigmoid outputs).
    why : str
        The reason for ``unit_interval``, quoted in the error.

    Returns
    -------
    X : array of ``dtype``, in X's own namespace.
    """
    if isinstance(X, (list, tuple)):
        raise TypeError(
            f"{name} must be a 2-D array (NumPy, CuPy or array-API), not a {type(X).__name__}; "
            f"convert it with np.asarray({name}, dtype=float)"
        )
    if not hasattr(X, "shape") or not hasattr(X, "dtype"):
        raise TypeError(f"{name} must be a 2-D array, not {type(X).__name__}")
    xp = get_namespace(X)
    if len(X.shape) != 2:
        raise ValueError(
            f"{name} must be 2-D (examples × features); got shape {tuple(X.shape)}. "
            "For one example use X.reshape(1, -1); for images flatten each to a row."
        )
    m, n = X.shape
    if m == 0 or n == 0:
        raise ValueError(f"{name} is empty (shape {tuple(X.shape)}); it needs at least one row and one column")
    if not _is_real_floating(xp, X.dtype):
        raise TypeError(
            f"{name} has dtype {X.dtype}; aelab needs floating-point data. Scale integer "
            f"pixels yourself, e.g. {name} = {name} / 255.0"
        )
    if n_features is not None and n != n_features:
        raise ValueError(f"{name} has {n} features but the model was fitted on {n_features}")
    if dtype is not None:
        target = getattr(xp, dtype)
        if X.dtype != target:
            X = xp.astype(X, target)
    if not bool(xp.all(xp.isfinite(X))):
        bad = int(xp.sum(xp.astype(~xp.isfinite(X), xp.int64)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); remove or impute them first")
    if unit_interval:
        lo, hi = float(xp.min(X)), float(xp.max(X))
        if lo < 0.0 or hi > 1.0:
            raise ValueError(
                f"{name} has values in [{lo:.4g}, {hi:.4g}] but must lie in [0, 1] {why}; "
                "rescale it, e.g. (X - X.min()) / (X.max() - X.min())"
            )
    if is_numpy(xp) and not X.flags.c_contiguous:
        X = np.ascontiguousarray(X)
    return X
