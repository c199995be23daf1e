"""Finite-difference gradient checking, for students and for the test suite.

Backpropagation is easy to get subtly wrong; a central difference is easy to get right:

    ∂J/∂θᵢ ≈ (J(θ + h eᵢ) − J(θ − h eᵢ)) / (2h),   h = 1e-4,

with error O(h²). Comparing the two gradients by the relative difference

    ‖g_num − g‖ / ‖g_num + g‖

gives a number that does not depend on the scale of J. In float64 a correct gradient gives
about 1e-9 or less (the UFLDL exercise's bar); a wrong one gives something near 1.

Taught in notebooks/02-sparse-autoencoder.ipynb.
"""
from __future__ import annotations

import numpy as np

from .backend import to_numpy
from .optimize import pack, unpack

__all__ = ["numerical_gradient", "relative_difference", "check_gradient"]


def numerical_gradient(fun, theta, step=1e-4):
    """Central-difference gradient of a scalar function of a vector.

    Parameters
    ----------
    fun : callable ``theta -> float``
    theta : ndarray, shape (d,)
    step : float
        h in the formula above.

    Returns
    -------
    ndarray, shape (d,)

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    theta = np.array(theta, dtype=np.float64, copy=True)
    grad = np.empty_like(theta)
    for i in range(theta.size):
        old = theta[i]
        theta[i] = old + step
        up = fun(theta)
        theta[i] = old - step
        down = fun(theta)
        theta[i] = old
        grad[i] = (up - down) / (2.0 * step)
    return grad


def relative_difference(a, b):
    """‖a − b‖ / ‖a + b‖ (0 when both are zero).

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    a, b = np.ravel(to_numpy(a)), np.ravel(to_numpy(b))
    denom = np.linalg.norm(a + b)
    if denom == 0.0:
        return 0.0 if np.linalg.norm(a - b) == 0.0 else np.inf
    return float(np.linalg.norm(a - b) / denom)


def check_gradient(model, X, params=None, step=1e-4):
    """Compare ``model.objective``'s gradient with central differences.

    Parameters
    ----------
    model : estimator with ``objective(X, params=...) -> (J, grads)``
    X : array, shape (m, n)
        Keep it small (tens of rows, tens of features): the check costs two objective
        evaluations per parameter.
    params : dict of arrays, optional
        Where to check; by default the model's initial parameters (or ``params_`` if fitted).
    step : float

    Returns
    -------
    float
        The relative difference ‖g_num − g‖ / ‖g_num + g‖.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    if params is None:
        params = model.params_ if hasattr(model, "params_") else model.initial_params(X)
    keys = list(params)
    _, grads = model.objective(X, params=params)
    analytic = pack(grads, keys)
    numeric = numerical_gradient(
        lambda th: model.objective(X, params=unpack(th, params, keys))[0],
        pack(params, keys),
        step,
    )
    return relative_difference(numeric, analytic)
