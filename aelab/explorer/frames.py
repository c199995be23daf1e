"""What one redraw shows, computed once per frame and handed to every view.

A :class:`Frame` is plain host data (NumPy), so views never touch the model or the GPU and a
new view can be tested by building a Frame by hand.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

__all__ = ["Frame", "build_frame", "draw", "to_host", "grid", "image_shape"]

# While a model trains, the quantities that cost a pass over many rows (the held-out J, the
# codes of the ρ̂ rows behind the mean activations and the dead units) are recomputed at most
# this often, in seconds; frames in between show the latest values. A k-sparse panel spent
# 90 of its 130 ms per frame on them. First and final frames always compute them afresh.
COSTLY_INTERVAL = 0.5


@dataclass
class Frame:
    """What one redraw shows; computed once and handed to every view."""

    W1: np.ndarray                  # (n_hidden, n_features), host copy
    shape: tuple                    # (height, width) of one example
    originals: np.ndarray           # (n_show, n_features)
    reconstructions: np.ndarray     # (n_show, n_features)
    rho_hat: np.ndarray             # (n_hidden,)
    rho: float | None               # target, None when no sparsity penalty
    activation: str
    loss_curve: list
    max_iter: int
    rho_rows: int = 0               # examples ρ̂ was estimated from, when a subsample
    pca: np.ndarray | None = None   # (k, n_features) principal directions, when shown
    angle: float | None = None      # largest principal angle to PCA, degrees
    codes: np.ndarray | None = None  # (n_show, n_hidden) codes of ``originals``, "ksparse"
    dead: np.ndarray | None = None  # (n_hidden,) bool, dead units on the ρ̂ rows, "ksparse"
    k: int | None = None            # units kept per example in training (None: all)
    k_kept: int | None = None       # units kept by transform, round(α k)
    k_start: int | None = None      # where annealing starts, when it does
    dead_rows: int = 0              # examples the dead units were counted on
    holdout_curve: list | None = None  # [(iteration, J on the held-out rows)], per frame
    pca_error: float | None = None  # PCA's held-out reconstruction error, n_hidden components
    params: dict | None = None      # the model's hyperparameters (for views that need more)
    model: object = None            # the model itself, read-only, for custom views


def to_host(a):
    """A float64 NumPy copy of an array from any backend."""
    from ..backend import to_numpy

    return np.asarray(to_numpy(a), dtype=np.float64)


def grid(W, shape, n_cols=None, normalize="each"):
    """Filter grid image in [0, 1] (:func:`aelab.plotting.filter_grid_image`)."""
    from ..plotting import filter_grid_image

    return filter_grid_image(W, shape=shape, n_cols=n_cols, normalize=normalize)


def image_shape(n_features, given=None):
    """(height, width) of one example, from ``given`` when it fits, else square, else a strip."""
    if given is not None:
        h, w = (int(v) for v in given)
        if h * w == n_features:
            return (h, w)
    side = math.isqrt(n_features)
    if side * side == n_features:
        return (side, side)
    return (1, n_features)


def build_frame(model, params, data, views, state, stats, final=True):
    """Compute what the views show from the model's current parameters.

    Parameters
    ----------
    model : estimator (fitted, or holding initial ``params_``)
    params : dict
        ``model.get_params()``.
    data : aelab.explorer.data.Data
    views : collection of str
        The views shown (so nothing is computed that no view draws).
    state : dict
        The training's state (``max_iter``).
    stats : dict
        Receives ``principal_angle_deg`` and ``dead_units`` where those views are shown.
    final : bool, default True
        False for a frame drawn while training: the costly quantities may then be the
        latest ones computed, up to :data:`COSTLY_INTERVAL` seconds old.

    Returns
    -------
    Frame
    """
    W1 = to_host(model.params_["W1"])
    now = time.perf_counter()
    fresh = final or now - state.get("costly_at", -math.inf) >= COSTLY_INTERVAL
    if fresh:
        state["costly_at"] = now
    # The codes of the ρ̂ rows serve both ρ̂ and the dead-unit count.
    if "activations" not in views and "ksparse" not in views:
        H_rows = None
    elif fresh or state.get("H_rows") is None or state["H_rows"].shape[1] != W1.shape[0]:
        H_rows = state["H_rows"] = to_host(model.transform(data.activation_rows))
    else:
        H_rows = state["H_rows"]
    f = Frame(
        W1=W1, shape=data.shape, originals=to_host(data.show),
        reconstructions=to_host(model.reconstruct(data.show)),
        rho_hat=(H_rows.mean(axis=0) if "activations" in views
                 else np.zeros(W1.shape[0])),
        rho=params.get("rho") if params.get("sparsity") is not None else None,
        activation=params.get("activation", "sigmoid"),
        loss_curve=list(getattr(model, "loss_curve_", []) or []),
        max_iter=int(state.get("max_iter") or params.get("max_iter", 1)),
        rho_rows=(len(data.activation_rows)
                  if len(data.activation_rows) < len(data.X) else 0),
        params=params, model=model,
    )
    if "loss" in views and data.holdout is not None:
        curve = state.setdefault("holdout_curve", [])
        J = None
        if fresh or not curve:
            try:  # objective() computes the gradient too: the costliest part of a frame
                J = float(model.objective(data.holdout)[0])
            except Exception:  # noqa: BLE001 - a model without an objective: no held-out curve
                J = None
        if J is not None and np.isfinite(J):
            if curve and curve[-1][0] == state["iteration"]:
                curve[-1] = (state["iteration"], J)
            else:
                curve.append((state["iteration"], J))
            stats["holdout_loss"] = J
        f.holdout_curve = list(curve)
        if params.get("loss", "mse") == "mse":
            f.pca_error = data.pca_error(W1.shape[0])
    if data.pca is not None:
        k = min(W1.shape[0], data.pca.shape[0])
        f.pca = data.pca[:k]
        if W1.shape[0] < W1.shape[1]:
            from ..pca import max_principal_angle_degrees

            f.angle = max_principal_angle_degrees(W1, f.pca)
        stats["principal_angle_deg"] = f.angle
    if "ksparse" in views:
        from ..metrics import dead_units

        f.codes = to_host(model.transform(data.show))
        f.dead = np.asarray(dead_units(H_rows), dtype=bool)
        k, alpha = params.get("k"), params.get("alpha") or 1.0
        if k is not None:
            f.k = min(int(k), W1.shape[0])
            f.k_kept = min(W1.shape[0], int(round(float(alpha) * int(k))))
            k_start = params.get("k_start")
            if k_start is not None and min(int(k_start), W1.shape[0]) > f.k:
                f.k_start = min(int(k_start), W1.shape[0])
        f.dead_rows = len(H_rows)
        stats["dead_units"] = int(f.dead.sum())
        stats["dead_units_rows"] = f.dead_rows
    return f


def draw(model, data, views, status_box, req, state, stats, final, record):
    """Build one frame, let every view draw it, write the status line, book the timing.

    ``record(stats, seconds)`` books the drawing time (the session's ``record_frame``).
    Returns the :class:`Frame` drawn.
    """
    from .live import blas_limit
    from .status import status_text

    t0 = time.perf_counter()
    params = model.get_params()
    # The first and final frames are drawn outside fit(), so they must limit BLAS threads
    # the way fit() does: on a busy 2-core machine a threaded product waits for the other
    # core and one frame takes ten times longer.
    with blas_limit(data.activation_rows, params.get("n_hidden", 1)):
        f = build_frame(model, params, data, views, state, stats, final=final)
        for view in views.values():
            view.update(f)
    status_box.value = status_text(state, f, final)
    stats["training_loss"] = state.get("loss")
    now = time.perf_counter()
    state["last_frame"] = now
    state["last_render"] = now - t0
    record(stats, now - t0)
    if stats["time_to_first_frame"] is None:
        stats["time_to_first_frame"] = now - req.requested_at
        stats["first_frame_iteration"] = state["iteration"]
    if final:
        stats["time_to_final_frame"] = now - req.requested_at
    return f
