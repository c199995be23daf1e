"""Optimisers and the training loop: L-BFGS (SciPy), Adam, SGD with momentum.

All three minimise a function ``fun(params, batch) -> (J, grads)`` over a dict of arrays and
call ``on_iter(iteration, params, J)`` after each iteration (L-BFGS) or epoch (Adam, SGD).
``on_iter`` returning True stops training at once: this is how a callback, a progress bar or
the live panel's "cancel" reaches into a running fit.

L-BFGS runs on the host in SciPy, but only the flat parameter vector crosses between host and
device: the objective and its gradient are computed where the data lives (NumPy or CuPy).

Taught in notebooks/02-sparse-autoencoder.ipynb.
"""
from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize

from .backend import asarray_like, get_namespace, is_numpy, to_numpy

__all__ = [
    "Progress",
    "TrainingDivergedWarning",
    "pack",
    "unpack",
    "run_lbfgs",
    "run_minibatch",
]


class TrainingDivergedWarning(RuntimeWarning):
    """Training produced a non-finite or exploding loss and was stopped.

    The model keeps the last parameters whose loss was finite. Lower the learning rate,
    the initial weight scale ε, or use L-BFGS.

    Met in notebooks/00-start-here.ipynb (what the panel shows when training diverges).
    """


@dataclass
class Progress:
    """What a ``fit`` callback sees after each iteration (L-BFGS) or epoch (Adam, SGD).

    Attributes
    ----------
    iteration : int
        1 for the first iteration.
    loss : float
        The objective J at the current parameters (on the last minibatch for Adam/SGD
        the epoch's mean).
    elapsed : float
        Seconds since ``fit`` started.
    model : estimator
        The model, whose ``params_`` already hold the current parameters, so a callback can
        draw filters or compute metrics mid-training. Return True to stop.
    batch : int or None
        None after an iteration or epoch. With ``fit(..., callback_every="batch")`` (Adam,
        SGD), the callback is also called after each minibatch step of epoch ``iteration``
        (1 for the epoch's first batch); ``loss`` is then that batch's loss.

    Taught in notebooks/02-sparse-autoencoder.ipynb (a ``callback`` that reports progress).
    """

    iteration: int
    loss: float
    elapsed: float
    model: Any
    batch: int | None = None


def pack(params: dict, keys) -> np.ndarray:
    """Concatenate the arrays of ``params`` (in ``keys`` order) into one float64 host vector."""
    return np.concatenate([to_numpy(params[k]).astype(np.float64, copy=False).ravel() for k in keys])


def unpack(theta: np.ndarray, template: dict, keys) -> dict:
    """Inverse of :func:`pack`: arrays shaped, typed and placed like those of ``template``."""
    out, start = {}, 0
    for k in keys:
        ref = template[k]
        size = math.prod(ref.shape)
        piece = theta[start:start + size].reshape(ref.shape)
        # NumPy parameters need only a cast (a view for float64): asarray_like's namespace
        # lookup cost 30 µs a call, twice per L-BFGS iteration.
        out[k] = (piece.astype(ref.dtype, copy=False) if type(ref) is np.ndarray
                  else asarray_like(piece, ref, dtype=ref.dtype))
        start += size
    return out


# A minibatch loss this many times the first one means the run has diverged.
_EXPLODED = 1e6


class _Stop(Exception):
    """Raised inside SciPy's loop to end it early; carries the reason."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


# SciPy's relative-reduction test, (J_k - J_k+1) / max(|J_k|, |J_k+1|, 1) <= ftol, set at
# float64 round-off: a sum over thousands of examples is only known to about 100 eps, so a
# step that lowers J by less has stopped making progress measurably. Such a stop is
# "stalled" unless the gradient test holds as well; it is never taken for convergence.
_FTOL = 100 * np.finfo(np.float64).eps


def gradient_norm(g) -> float:
    """The stationarity measure of :func:`run_lbfgs`: the largest gradient component.

    This is SciPy's projected-gradient norm for an unbounded problem, ``max_i |g_i|``, the
    quantity ``tol`` is compared with (and the one notebooks/02 and 03 quote).
    """
    g = np.asarray(g, dtype=np.float64)
    return float(np.max(np.abs(g))) if g.size else 0.0


def run_lbfgs(fun, params0, *, max_iter, tol, on_iter):
    """Minimise a full-batch objective with SciPy's L-BFGS-B.

    Parameters
    ----------
    fun : callable ``params -> (J, grads)``
    params0 : dict of arrays
    max_iter : int
        Maximum number of L-BFGS iterations (not function evaluations).
    tol : float >= 0
        Convergence tolerance on the gradient: training has converged when
        ``max_i |∂J/∂θ_i| <= tol`` at the returned parameters (:func:`gradient_norm`).
    on_iter : callable ``(iteration, params, J) -> bool``

    Returns
    -------
    params : dict of arrays
        The last accepted parameters (finite).
    n_iter : int
    reason : {"converged", "stalled", "max_iter", "callback", "diverged"}
        ``"converged"`` only when the gradient test holds at the returned parameters.
        ``"stalled"`` when L-BFGS stopped making progress before that: an iteration lowered
        J by less than float64 round-off (:data:`_FTOL`, relative), or the line search
        found no lower J along its direction (SciPy's status 2, typical of float32 models
        at their noise floor, or of a kink such as ℓ1's). ``"max_iter"`` when it ran out
        of iterations (or of function evaluations) first.

    Notes
    -----
    Why not SciPy's own verdict: its relative-reduction test (``ftol``) also fires on a slow
    stretch of a loss curve with a large gradient, and a failed line search is not an
    optimum either; both used to be reported as "converged". The gradient is the test
    every ``tol`` in the course was chosen against, so it alone decides convergence.
    """
    keys = list(params0)
    state = {"theta": pack(params0, keys), "J": None, "it": 0}

    def f(theta):
        J, grads = fun(unpack(theta, params0, keys))
        J = float(J)
        if not math.isfinite(J):
            raise _Stop("diverged")
        return J, pack(grads, keys)

    def cb(intermediate_result):
        state["it"] += 1
        state["theta"] = np.array(intermediate_result.x, copy=True)
        state["J"] = float(intermediate_result.fun)
        if on_iter(state["it"], unpack(state["theta"], params0, keys), state["J"]):
            raise _Stop("callback")

    try:
        res = minimize(
            f, state["theta"], jac=True, method="L-BFGS-B", callback=cb,
            options={"maxiter": max_iter, "gtol": tol, "ftol": _FTOL, "maxcor": 10},
        )
        state["theta"], state["it"] = res.x, res.nit
        reason = lbfgs_stop_reason(res, max_iter, tol)
    except _Stop as stop:
        reason = stop.reason
    return unpack(state["theta"], params0, keys), state["it"], reason


def lbfgs_stop_reason(res, max_iter, tol):
    """Why SciPy's L-BFGS-B stopped, judged by the gradient at ``res.x`` (``res.jac``).

    SciPy's status 0 means "a tolerance was met", 1 "the iteration or evaluation limit",
    2 "the line search failed". Only the gradient test makes a stop "converged"; a stop
    on the limit is "max_iter"; any other stop with a gradient above ``tol`` is "stalled".
    """
    jac = getattr(res, "jac", None)
    if jac is not None and gradient_norm(jac) <= tol:
        return "converged"
    if res.status == 1 or res.nit >= max_iter:
        return "max_iter"
    return "stalled"


def run_minibatch(fun, params0, X, *, method, epochs, batch_size, learning_rate, momentum,
                  rng, on_iter, corrupt=None, before_batch=None, tol=0.0,
                  n_iter_no_change=None, min_epochs=0, project=None, on_batch=None):
    """Adam or SGD with momentum over seeded, shuffled minibatches.

    Parameters
    ----------
    fun : callable ``(params, X_in, X_target) -> (J, grads)``
    X : array, shape (m, n)
    method : {"adam", "sgd"}
    epochs : int
    batch_size : int
    learning_rate : float
        Step size η. Adam uses β₁ = ``momentum`` (0.9 by default), β₂ = 0.999, ε̂ = 1e-8;
        SGD uses classical momentum v ← μv − η g, θ ← θ + v.
    rng : numpy.random.Generator
        Shuffles the examples each epoch, and draws corruption noise.
    corrupt : callable ``(X_batch, rng) -> X_noisy``, optional
        Input corruption for denoising, drawn afresh for every batch.
    before_batch : callable ``(fraction_done) -> None``, optional
        Called before each batch with the fraction of all batches done so far, in [0, 1):
        the hook for schedules such as the k-sparse autoencoder's annealing of k.
    tol : float >= 0, default 0.0
        Relative improvement of the epoch's mean loss that counts as progress.
    n_iter_no_change : int or None, default None
        Stop as ``"converged"`` once this many epochs in a row fail to lower the best epoch
        loss by more than ``tol``·|best| (scikit-learn's ``MLPClassifier`` rule, relative).
        None runs the whole budget, which then ends as ``"max_iter"``.
    min_epochs : int, default 0
        Epochs before the rule may stop training (a schedule still changing the objective,
        such as the annealing of k, must finish first).
    project : callable ``(params, grads, after=False) -> None``, optional
        A constraint kept by every step: called on the gradients before the step (to project
        them onto the constraint's tangent space) and with ``after=True`` on the parameters
        after it (to restore the constraint), e.g. unit-norm decoder columns.
    on_batch : callable ``(epoch, batch, params, J) -> bool``, optional
        Called after each minibatch step with the batch's loss (``batch`` counts from 1
        within the epoch); True stops training at once, as ``"callback"``. The live panel
        draws from it, since an epoch can take longer than a frame should.

    Returns
    -------
    params, n_epochs, reason : as for :func:`run_lbfgs`.
    """
    xp = get_namespace(X)
    params = {k: xp.asarray(v, copy=True) for k, v in params0.items()}
    flat = _FlatAdam.of(params) if method == "adam" and is_numpy(xp) else None
    if flat is not None:
        params = flat.params
    last_good = {k: xp.asarray(v, copy=True) for k, v in params.items()}
    m = X.shape[0]
    b1, b2, eps = momentum, 0.999, 1e-8
    first = {k: xp.zeros_like(v) for k, v in params.items()}
    second = {k: xp.zeros_like(v) for k, v in params.items()} if method == "adam" else None
    step = 0
    reason = "max_iter"
    epoch = 0
    total_batches = epochs * -(-m // batch_size)
    J_start = None
    best, stale = math.inf, 0
    stopped = False
    for epoch in range(1, epochs + 1):
        order = asarray_like(rng.permutation(m), X) if m > batch_size else None
        total, count, diverged = 0.0, 0, False
        for start in range(0, m, batch_size):
            if order is None:
                Xb = X
            else:
                Xb = xp.take(X, order[start:min(start + batch_size, m)], axis=0)
            Xin = corrupt(Xb, rng) if corrupt is not None else Xb
            if before_batch is not None:
                before_batch(step / total_batches)
            J, grads = fun(params, Xin, Xb)
            J = float(J)
            if J_start is None:
                J_start = max(abs(J), 1e-12)
            # Non-finite, or a million times the first batch's loss: no run that is learning
            # does that, and waiting for inf would let it run on for hundreds of epochs.
            if not math.isfinite(J) or abs(J) > _EXPLODED * J_start:
                diverged = True
                break
            step += 1
            if flat is not None:
                grads = flat.load(grads)
            if project is not None:
                project(params, grads)
            if flat is not None:
                flat.step(step, learning_rate, b1, b2, eps)
                grads = {}
            for k, g in grads.items():  # in place: these arrays are as large as the model
                if method == "adam":
                    first[k] *= b1
                    first[k] += (1 - b1) * g
                    second[k] *= b2
                    second[k] += (1 - b2) * (g * g)
                    # θ ← θ − η m̂ / (√v̂ + ε̂), with m̂, v̂ the bias-corrected moments
                    denom = xp.sqrt(second[k] / (1 - b2 ** step))
                    denom += eps
                    params[k] -= (learning_rate / (1 - b1 ** step)) * first[k] / denom
                else:
                    first[k] *= momentum
                    first[k] -= learning_rate * g
                    params[k] += first[k]
            if project is not None:
                project(params, None, after=True)
            total += J * Xb.shape[0]
            count += Xb.shape[0]
            if on_batch is not None and on_batch(epoch, start // batch_size + 1, params, J):
                stopped = True
                break
        if stopped:
            reason = "callback"
            break
        finite = all(bool(xp.all(xp.isfinite(v))) for v in params.values())
        if diverged or not finite:
            params = last_good
            reason = "diverged"
            epoch -= 1
            break
        last_good = {k: xp.asarray(v, copy=True) for k, v in params.items()}
        mean_loss = total / max(count, 1)
        if on_iter(epoch, params, mean_loss):
            reason = "callback"
            break
        if n_iter_no_change is not None and epoch <= min_epochs:
            # a schedule (annealing k) still changes the objective: its losses are not a
            # baseline for progress, so the rule starts counting once it has ended
            best, stale = math.inf, 0
        elif n_iter_no_change is not None:
            if best == math.inf or mean_loss < best - tol * abs(best):
                best, stale = mean_loss, 0
            else:
                stale += 1
            if stale >= n_iter_no_change and epoch >= min_epochs and epoch < epochs:
                reason = "converged"
                break
    return params, epoch, reason


class _FlatAdam:
    """Adam's state for every parameter array in one flat vector each (NumPy).

    The parameters are views into one vector θ, and each step copies the gradients into one
    vector g, so that the update is a dozen whole-vector operations into reused buffers
    instead of a dozen per array with fresh temporaries; the copy also makes g contiguous
    (the engine's ∇W₂ is a transposed view, which made every operation on it strided). The
    arithmetic is the per-array loop's, operation for operation, so the results are the
    same bits.
    """

    @classmethod
    def of(cls, params):
        """The flat state for ``params`` (NumPy arrays of one dtype), or None."""
        dtypes = {v.dtype for v in params.values()}
        if len(dtypes) != 1 or not all(type(v) is np.ndarray for v in params.values()):
            return None
        return cls(params, dtypes.pop())

    def __init__(self, params, dtype):
        sizes = [v.size for v in params.values()]
        ends = np.cumsum(sizes)
        self.theta = np.empty(int(ends[-1]) if sizes else 0, dtype=dtype)
        self.g, self.m1, self.m2 = (np.zeros_like(self.theta) for _ in range(3))
        self.tmp, self.tmp2 = np.empty_like(self.theta), np.empty_like(self.theta)
        self.params, self.grads = {}, {}
        for (k, v), end, size in zip(params.items(), ends, sizes):
            self.params[k] = self.theta[end - size:end].reshape(v.shape)
            self.params[k][...] = v
            self.grads[k] = self.g[end - size:end].reshape(v.shape)

    def load(self, grads):
        """Copy ``grads`` into the flat gradient; returns its views, keyed like ``grads``."""
        for k, v in grads.items():
            np.copyto(self.grads[k], v)
        return self.grads

    def step(self, t, lr, b1, b2, eps):
        """θ ← θ − η m̂ / (√v̂ + ε̂) at step t, from the gradient last loaded."""
        g, m1, m2, tmp, tmp2 = self.g, self.m1, self.m2, self.tmp, self.tmp2
        m1 *= b1
        np.multiply(g, 1 - b1, out=tmp)
        m1 += tmp
        m2 *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - b2
        m2 += tmp
        np.divide(m2, 1 - b2 ** t, out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp += eps
        np.multiply(m1, lr / (1 - b1 ** t), out=tmp2)
        tmp2 /= tmp
        self.theta -= tmp2


def warn_diverged(estimator_name, n_iter):
    warnings.warn(
        f"{estimator_name} diverged after {n_iter} iteration(s): the loss became non-finite. "
        "The last finite parameters were kept. Try a smaller learning_rate or epsilon, "
        "or optimizer='lbfgs'.",
        TrainingDivergedWarning,
        stacklevel=3,
    )


class Timer:
    """Seconds since construction; a tiny helper for progress reports."""

    def __init__(self):
        self.t0 = time.perf_counter()

    def __call__(self):
        return time.perf_counter() - self.t0
