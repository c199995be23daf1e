"""Checks on hyperparameters and data, with errors that say what is allowed.

Every check names the parameter, the value it got and what it accepts, because the person
reading the message is usually a student who moved a slider or mistyped an option.

This is the one validation module of aelab: every public estimator checks its data with
:func:`validate` (scikit-learn's ``validate_data`` for host data, so DataFrames are accepted
and ``n_features_in_`` / ``feature_names_in_`` are recorded and checked; the same rules by
hand for CuPy and other array-API arrays, which scikit-learn would copy to the host), its
fitted state with :func:`check_fitted` (scikit-learn's ``check_is_fitted``) and its
randomness with :func:`resolve_random_state` (``random_state``, and the deprecated ``seed``).
Where one of scikit-learn's estimator checks reads an error message, the message is
scikit-learn's own (sparse input, zero features, a width that differs from the fit's).

Taught in notebooks/03-choosing-hyperparameters.ipynb.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .backend import get_namespace, is_numpy

__all__ = [
    "check_choice",
    "check_int",
    "check_real",
    "check_bool",
    "check_data",
    "check_rho",
    "check_random_state",
    "resolve_random_state",
    "seed_of",
    "validate",
    "check_fitted",
    "is_device_array",
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


def is_device_array(X) -> bool:
    """True for arrays of another library than NumPy (CuPy, ``array_api_strict``, ...).

    Those are validated here by hand and stay where they are; everything else (NumPy arrays,
    pandas DataFrames, nested lists, SciPy sparse matrices) goes through scikit-learn.
    """
    if isinstance(X, np.ndarray):
        return False
    return type(X).__module__.split(".")[0] == "cupy" or hasattr(X, "__array_namespace__")


def check_data(X, *, name="X", n_features=None, dtype=None, unit_interval=False, why="",
               integers=False, estimator=None):
    """Validate a data matrix and cast it to ``dtype``.

    Parameters
    ----------
    X : array-like, shape (m, n)
        A NumPy, CuPy or array-API array, a pandas DataFrame or a nested list of real
        numbers. Sparse matrices are refused (the models are dense).
    n_features : int, optional
        Required width (the width the model was fitted on).
    dtype : str, optional
        "float32" or "float64"; X is cast to it.
    unit_interval : bool
        Require every value to lie in [0, 1] (cross-entropy, sigmoid outputs).
    why : str
        The reason for ``unit_interval``, quoted in the error.
    integers : bool, default False
        Accept integer and boolean data (cast to float64, or to ``dtype``). The autoencoders
        refuse them on purpose: 0-255 pixels fed to a sigmoid model are a common slip, and
        the message says how to scale them.
    estimator : estimator, optional
        Named in scikit-learn's messages.

    Returns
    -------
    X : array of ``dtype``, in X's own namespace (NumPy for host containers).
    """
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(f"{name} must be a 2-D array (examples × features), not {type(X).__name__}")
    if is_device_array(X):
        return _check_device_data(X, name, n_features, dtype, unit_interval, why, integers)
    if _plain_float_matrix(X):
        # Nothing for check_array to convert or report (it would cost ~0.1 ms a call, a
        # noticeable share of the live panel's small transforms).
        return _check_values(np, np.ascontiguousarray(X), name, n_features, dtype,
                             unit_interval, why, integers)
    from sklearn.utils.validation import check_array

    # scikit-learn's conversion and wording: sparse input, 1-D input ("Reshape your data"),
    # complex numbers, objects that are not numbers, zero rows or zero features.
    try:
        X = check_array(X, accept_sparse=False, dtype="numeric", ensure_all_finite=False,
                        ensure_2d=True, allow_nd=False, input_name=name, estimator=estimator)
    except ValueError as exc:
        if "Expected 2D array" not in str(exc):
            raise
        raise ValueError(f"{name} must be 2-D (examples × features). {exc}") from None
    X = _check_values(np, X, name, n_features, dtype, unit_interval, why, integers)
    if not X.flags.c_contiguous:
        X = np.ascontiguousarray(X)
    return X


def _plain_float_matrix(X):
    return (type(X) in (np.ndarray, np.memmap) and X.ndim == 2 and X.dtype.kind == "f" and X.size > 0
            and X.dtype.itemsize >= 4)


def _check_width(estimator, n, name):
    """scikit-learn's wording for a width that differs from the fit's."""
    if hasattr(estimator, "n_features_in_") and n != estimator.n_features_in_:
        raise ValueError(
            f"{name} has {n} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input.")


def _check_device_data(X, name, n_features, dtype, unit_interval, why, integers):
    xp = get_namespace(X)
    if len(X.shape) != 2:
        raise ValueError(
            f"{name} must be 2-D (examples × features); got shape {tuple(X.shape)}. "
            "Reshape your data: for one example use X.reshape(1, -1); for images flatten "
            "each to a row."
        )
    m, n = X.shape
    if m == 0 or n == 0:
        raise ValueError(
            f"Found array with {n} feature(s) (shape={tuple(X.shape)}) and {m} sample(s) "
            "while a minimum of 1 is required: it needs at least one row and one column")
    return _check_values(xp, X, name, n_features, dtype, unit_interval, why, integers)


def _check_values(xp, X, name, n_features, dtype, unit_interval, why, integers):
    """The checks shared by host and device data: dtype, width, finiteness, range."""
    if not _is_real_floating(xp, X.dtype):
        if not integers or not _is_integral(xp, X.dtype):
            raise TypeError(
                f"{name} has dtype {X.dtype}; aelab needs floating-point data. Scale integer "
                f"pixels yourself, e.g. {name} = {name} / 255.0"
            )
        X = xp.astype(X, getattr(xp, dtype or "float64"))
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{name} has {X.shape[1]} features but the model was fitted on {n_features}")
    if dtype is not None:
        target = getattr(xp, dtype)
        if X.dtype != target:
            X = xp.astype(X, target)
    if not bool(xp.all(xp.isfinite(X))):
        bad = int(xp.sum(xp.astype(~xp.isfinite(X), xp.int64)))
        raise ValueError(
            f"{name} contains {bad} NaN or infinite (inf) value(s); remove or impute them first")
    if unit_interval:
        lo, hi = float(xp.min(X)), float(xp.max(X))
        if lo < 0.0 or hi > 1.0:
            raise ValueError(
                f"{name} has values in [{lo:.4g}, {hi:.4g}] but must lie in [0, 1] {why}; "
                "rescale it, e.g. (X - X.min()) / (X.max() - X.min())"
            )
    return X


def _is_integral(xp, dtype) -> bool:
    if hasattr(xp, "isdtype"):
        return bool(xp.isdtype(dtype, ("integral", "bool")))
    return getattr(dtype, "kind", "") in "iub"


def validate(estimator, X, *, reset, name="X", **checks):
    """Check the data an estimator's ``fit`` (``reset=True``) or ``transform`` receives.

    Host data go through scikit-learn's ``validate_data``: with ``reset=True`` it records
    ``n_features_in_`` and, for a DataFrame with string column names, ``feature_names_in_``;
    with ``reset=False`` it checks both against the fit's, with scikit-learn's messages.
    CuPy and array-API data get the same bookkeeping here, without leaving their device.

    Parameters
    ----------
    estimator : estimator
    X : array-like, shape (m, n)
    reset : bool
        True in ``fit``, False afterwards.
    name : str
        The argument's name in messages.
    **checks
        ``dtype``, ``unit_interval``, ``why``, ``integers``: see :func:`check_data`.

    Returns
    -------
    X : array, validated and cast.
    """
    checked = check_data(X, name=name, estimator=estimator, **checks)
    plain = is_device_array(X) or (
        isinstance(X, np.ndarray) and not hasattr(estimator, "feature_names_in_"))
    if plain:  # no names on either side: only the width to record or compare
        if reset:
            estimator.n_features_in_ = X.shape[1]
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
        else:
            _check_width(estimator, X.shape[1], name)
        return checked
    from sklearn.utils.validation import validate_data

    # Names and width from the caller's own container (a DataFrame's columns), after
    # check_data has made sure it is a 2-D table of numbers.
    validate_data(estimator, X, reset=reset, skip_check_array=True)
    return checked


def check_fitted(estimator, attribute="params_"):
    """scikit-learn's ``check_is_fitted``: NotFittedError, in its wording, until ``fit``."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator, attribute)


# ------------------------------------------------------------------------ random_state


def check_random_state(name, value):
    """An int in [0, 2³² − 1], a ``RandomState``, a ``Generator`` or None, unchanged."""
    if value is None or isinstance(value, (np.random.RandomState, np.random.Generator)):
        return value
    if not _is_int(value):
        raise TypeError(
            f"{name}={value!r} must be an integer, a numpy.random.RandomState, a "
            f"numpy.random.Generator or None, not {type(value).__name__}")
    if not 0 <= value < 2**32:
        raise ValueError(f"{name}={value!r} is out of range; allowed: [0, 2**32 - 1]")
    return int(value)


def resolve_random_state(estimator, default=0):
    """The estimator's ``random_state``, honouring the deprecated alias ``seed``.

    ``seed`` (None unless given) is read for one more release: it warns ``FutureWarning``
    naming both, and giving it together with a ``random_state`` other than its default
    (``default``, which cannot be told apart from an explicit ``random_state=default``) is
    an error, since it is unclear which one was meant.
    """
    cls = type(estimator).__name__
    random_state = estimator.random_state
    seed = getattr(estimator, "seed", None)
    if seed is not None:
        if random_state is not None and _is_int(random_state) and int(random_state) == default:
            random_state = seed
        elif not (_is_int(random_state) and _is_int(seed) and int(random_state) == int(seed)):
            raise ValueError(
                f"{cls} got both seed={seed!r} and random_state={random_state!r}; seed is the "
                "deprecated name of random_state: pass random_state only")
        warnings.warn(
            f"{cls}(seed=...) is deprecated and will be removed in the next release of aelab; "
            f"use random_state={seed!r} instead (the same numbers)", FutureWarning, stacklevel=4)
        return check_random_state("seed", random_state)
    return check_random_state("random_state", random_state)


def seed_of(random_state):
    """An int seed (or None) for NumPy's ``default_rng`` from a checked ``random_state``.

    An int is used as it is, so ``random_state=n`` gives the numbers ``seed=n`` gave; a
    ``RandomState`` or ``Generator`` supplies a fresh seed (it advances, so two fits
    differ, as in scikit-learn); None means a fresh start from the operating system.
    """
    if random_state is None or _is_int(random_state):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    return int(random_state.integers(0, 2**63 - 1))
