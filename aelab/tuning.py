"""Looking inside an optimiser's run, and a smooth stand-in for a kinked penalty.

* :func:`lbfgs_trace`: SciPy's L-BFGS-B run on a model's objective, returning SciPy's own
  verdict (status, message) and the curvature ``sᵀy`` of every accepted step, which a
  quasi-Newton method needs to be positive;
* :func:`smooth_l1_sparsity_objective`: the objective of a sigmoid autoencoder with the ℓ1
  sparsity penalty ``|ρ̂ − ρ|`` replaced by the smooth ``√((ρ̂ − ρ)² + δ²)``, a remedy for
  L-BFGS's trouble with the kink at ``ρ̂ = ρ``.

Taught in notebooks/03-choosing-hyperparameters.ipynb.
"""
from __future__ import annotations

import numpy as np

from .backend import to_numpy

__all__ = ["lbfgs_trace", "smooth_l1_sparsity_objective"]


def _pack(params, keys):
    return np.concatenate([np.asarray(to_numpy(params[k]), dtype=np.float64).ravel()
                           for k in keys])


def _unpack(theta, like, keys):
    out, start = {}, 0
    for k in keys:
        size = int(np.prod(like[k].shape))
        out[k] = theta[start:start + size].reshape(like[k].shape)
        start += size
    return out


def lbfgs_trace(fun, params0, max_iter=200, tol=1e-9):
    """Minimise ``fun`` with SciPy's L-BFGS-B and record the curvature of each step.

    Parameters
    ----------
    fun : callable ``params -> (J, grads)``
        E.g. ``lambda p: model.objective(X, params=p)``; ``grads`` keyed like ``params``.
    params0 : dict of arrays
        The starting point (e.g. ``model.initial_params(X)``).
    max_iter : int, default 200
    tol : float, default 1e-9
        SciPy's ``gtol``.

    Returns
    -------
    dict
        ``status`` and ``message`` (SciPy's: status 0 converged, 1 iteration limit, 2 the
        line search failed), ``nit``, ``J`` (the final objective), ``params`` (the final
        parameters), ``curvature`` (``sᵀy`` of every accepted step, with ``s`` the step and
        ``y`` the change of the gradient; L-BFGS skips a pair with ``sᵀy ≤ 0`` because it
        cannot be the curvature of a convex quadratic) and ``step_norms`` (‖s‖).

    Taught in notebooks/03-choosing-hyperparameters.ipynb.
    """
    from scipy.optimize import minimize

    keys = list(params0)
    like = {k: np.asarray(to_numpy(v)) for k, v in params0.items()}
    cache = {}

    def f(theta):
        J, grads = fun(_unpack(theta, like, keys))
        g = _pack(grads, keys)
        cache["x"], cache["g"] = theta.copy(), g
        return float(J), g

    x0 = _pack(like, keys)
    _, g0 = f(x0)
    state = {"x": x0, "g": g0}
    curvature, steps = [], []

    def gradient_at(x):
        if "x" in cache and np.array_equal(cache["x"], x):
            return cache["g"]
        return f(x)[1]

    def callback(xk):
        g = gradient_at(xk)
        s, y = xk - state["x"], g - state["g"]
        curvature.append(float(s @ y))
        steps.append(float(np.linalg.norm(s)))
        state["x"], state["g"] = xk.copy(), g

    res = minimize(f, x0, jac=True, method="L-BFGS-B", callback=callback,
                   options={"maxiter": max_iter, "gtol": tol, "ftol": tol * 1e-3})
    msg = res.message if isinstance(res.message, str) else res.message.decode()
    return {"status": int(res.status), "message": msg, "nit": int(res.nit),
            "J": float(res.fun), "params": _unpack(res.x, like, keys),
            "curvature": np.array(curvature), "step_norms": np.array(steps)}


def smooth_l1_sparsity_objective(model, X, *, beta, rho, delta):
    """J with the smooth ℓ1 sparsity penalty β Σⱼ √((ρ̂ⱼ − ρ)² + δ²), for sigmoid hidden units.

    ``√(u² + δ²)`` equals ``|u|`` up to at most ``δ`` and is smooth at ``u = 0`` (its slope
    runs from −1 to +1 over a width of a few δ), so a quasi-Newton method sees a curvature it
    can model. The rest of J (reconstruction, weight decay) is ``model``'s own objective with
    its sparsity switched off.

    Parameters
    ----------
    model : aelab.Autoencoder with ``activation="sigmoid"``
        Supplies λ, the loss and the output layer; its own ``beta`` is ignored.
    X : array, shape (m, n)
    beta, rho, delta : float
        β, ρ and the smoothing width δ > 0.

    Returns
    -------
    callable ``params -> (J, grads)``, for :func:`lbfgs_trace`.

    Taught in notebooks/03-choosing-hyperparameters.ipynb.
    """
    from sklearn.base import clone
    from .blocks import blas_controller

    if model.activation != "sigmoid":
        raise ValueError(f"smooth_l1_sparsity_objective needs activation='sigmoid', got "
                         f"{model.activation!r}")
    if not delta > 0:
        raise ValueError(f"delta must be > 0, got {delta!r}")
    base = clone(model).set_params(beta=0.0)
    X = np.asarray(to_numpy(X), dtype=np.float64)
    m = X.shape[0]

    def fun(params):
        J, grads = base.objective(X, params=params)
        with blas_controller().limit(limits=1, user_api="blas"):  # small products: 1 thread
            return _add_penalty(params, J, grads)

    def _add_penalty(params, J, grads):
        grads = {k: np.array(to_numpy(v), dtype=np.float64) for k, v in grads.items()}
        H = 1.0 / (1.0 + np.exp(-(X @ params["W1"].T + params["b1"])))
        u = H.mean(axis=0) - rho
        root = np.sqrt(u * u + delta * delta)
        dphi = beta * u / root                      # ∂/∂ρ̂ⱼ of β √(u² + δ²)
        dZ = (dphi / m) * H * (1.0 - H)             # through ρ̂ⱼ = (1/m) Σᵢ σ(zᵢⱼ)
        grads["W1"] = grads["W1"] + dZ.T @ X
        grads["b1"] = grads["b1"] + dZ.sum(axis=0)
        return float(J) + beta * float(root.sum()), grads

    return fun
