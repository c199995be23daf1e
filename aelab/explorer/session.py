"""The training session behind a panel: one worker thread, one request slot, honest warm starts.

* **One worker thread, one slot.** Control changes write "the newest requested
  configuration" into a single slot and wake the worker; they never queue. The running
  ``fit`` is cancelled through its callback (returning True stops it at once), and the worker
  picks up whatever is in the slot then. Fifty fast slider moves therefore cost at most one
  cancelled and one completed training, not fifty.
* **Warm starts only when honest.** A change of λ, β, ρ, k, the noise or the contraction
  weight continues from the current parameters (same data, same shapes, same
  initialisation); a change of hidden size, data set, seed or ε, or the reset button, starts
  from fresh initial weights, and so does a model whose weights collapsed to zero (a
  stationary point no gradient leaves). The status line says which, and why.
* **A budget by design.** A retrain stops on the model's ``max_iter`` (or the panel's
  ``max_train_seconds``); it runs inside :func:`aelab.fixed_budget` and the status line says
  "not converged" instead of a ConvergenceWarning lost in a worker thread.
* **Errors are shown, not lost**: in the panel's error box, and raised again by ``wait()``.

The session talks to its panel (``host``) through ``host.model``, ``host.load(name)``,
``host.frame(req, data, state, stats, final)``, the boxes ``status``, ``error_box`` and
``warning_box``, and the settings ``frame_interval``, ``max_train_seconds``,
``warm_max_iter`` and ``user_warm_start``.
"""
from __future__ import annotations

import collections
import html
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..convergence import fixed_budget
from .status import collapse_words, divergence_hint, ending  # noqa: F401 - tests read ending here
from .warmth import collapsed, why_fresh

__all__ = ["Request", "TrainingSession", "FRESH_KEYS", "THREAD_PREFIX"]

THREAD_PREFIX = "aelab-explorer"

# Hyperparameters whose change invalidates the current parameters as a starting point: the
# shapes change (n_hidden), the data changes, or the *initialisation* itself is what the
# student asked to change (seed, ε). Anything else warm-starts.
FRESH_KEYS = ("n_hidden", "random_state", "epsilon")

# The longest wait between two frames of a training that the pacing rule chooses, seconds
# (an iteration or epoch longer than this still shows once per iteration). 0.15 s leaves
# room for the iteration in flight within issue 16's 5 frames per second.
MAX_FRAME_GAP = 0.15


@dataclass
class Request:
    """One requested retrain: what the controls said at that moment."""

    generation: int
    params: dict
    dataset: Any
    reset_count: int
    requested_at: float
    initial: bool = False


def state_key(params, dataset, reset_count):
    """What a model's parameters were trained from, as far as warm starts care."""
    return (dataset, reset_count) + tuple(params.get(k) for k in FRESH_KEYS)


class TrainingSession:
    """The worker thread and its bookkeeping for one panel (``host``)."""

    def __init__(self, host, name):
        self.host = host
        self.cond = threading.Condition()   # guards everything below
        self.generation = 0
        self.pending = None
        self.done_generation = 0
        self.failure = None                 # (generation, exception) of the newest failure
        self.closing = False
        self.reset_count = 0
        self.trained_key = None             # what the model's params_ were trained from
        self.counters = {"requests": 0, "requests_coalesced": 0, "trainings_started": 0,
                         "trainings_completed": 0, "trainings_cancelled": 0,
                         "trainings_failed": 0, "frames": 0}
        self.stats_now = {}
        self.render_ms = []
        # Seconds per frame over the panel's recent frames (all trainings), for frame spacing.
        self.recent_render = collections.deque(maxlen=20)
        self.worker = threading.Thread(target=self.work, name=f"{THREAD_PREFIX}-{name}",
                                       daemon=True)

    def start(self):
        self.worker.start()

    def request(self, params, dataset, initial=False):
        """Put the newest configuration in the slot and wake the worker."""
        with self.cond:
            if self.closing:
                return
            self.generation += 1
            self.counters["requests"] += 1
            if self.pending is not None:
                self.counters["requests_coalesced"] += 1
            # A slot, not a queue: a newer request simply replaces an unstarted one.
            self.pending = Request(self.generation, dict(params), dataset,
                                    self.reset_count, time.perf_counter(), initial)
            self.cond.notify_all()

    def work(self):
        while True:
            with self.cond:
                while self.pending is None and not self.closing:
                    self.cond.wait()
                if self.closing:
                    return
                req, self.pending = self.pending, None
            self.run(req)

    def superseded(self, req):
        return self.closing or self.generation != req.generation

    def run(self, req):
        """Train for one request, drawing frames as it goes; never raises."""
        host = self.host
        model = host.model
        stats = {"generation": req.generation, "time_to_first_frame": None,
                 "time_to_final_frame": None, "iterations": 0, "cancelled": False,
                 "warm_start": False, "stop_reason": None, "frames": 0,
                 "first_frame_iteration": None, "train_seconds": 0.0, "render_ms_median": None,
                 "render_ms_max": None, "budget_stopped": False, "frame_gap_max": None,
                 "collapsed": False}
        self.stats_now = stats
        self.render_ms = []
        state = {"last_frame": 0.0, "iteration": 0, "loss": None, "elapsed": 0.0,
                 "phase": "starting", "warm": False, "why_fresh": None,
                 "last_render": 0.0}
        try:
            host.warning_box.value = ""
            data = host.load(req.dataset)
            key = state_key(req.params, req.dataset, req.reset_count)
            warm = (key == self.trained_key and hasattr(model, "params_")
                    and getattr(model, "n_features_in_", None) == data.X.shape[1])
            if not warm and not req.initial:
                state["why_fresh"] = why_fresh(self.trained_key, key)
            if warm and not req.initial and collapsed(model, data.X):
                # W = 0 is a stationary point of the objective for every λ, β and ρ: from
                # there no gradient method moves, and a warm start would leave the filters
                # blank forever after λ was once too large. Start afresh, and say why.
                warm = False
                state["why_fresh"] = "the weights had collapsed to zero"
            if req.initial and warm:
                # An already fitted model: show it as it is; train when a control moves.
                state.update(phase="fitted model shown; move a control to retrain",
                             shown_only=True)
                state["loss"] = (model.loss_curve_[-1] if getattr(model, "loss_curve_", None)
                                 else None)
                host.frame(req, data, state, stats, final=True)
                self.finish(req, None)
                return
            fit_params = dict(req.params)
            fit_params["warm_start"] = warm
            if warm and host.warm_max_iter is not None and "max_iter" in fit_params:
                fit_params["max_iter"] = host.warm_max_iter
            state["max_iter"] = fit_params.get("max_iter")
            self.trained_key = None  # until fit has started from a known state
            model.set_params(**fit_params)
            if not warm:
                # Draw the fresh initial weights at once, before the first iteration: the
                # student sees the change start immediately. fit() draws the same weights
                # again from the same seed.
                model.params_ = model.initial_params(data.X)
                model.n_features_in_ = data.X.shape[1]
            model.loss_curve_ = []  # the loss view shows this training's curve
            self.trained_key = key
            state.update(warm=warm, phase="training")
            stats["warm_start"] = warm
            if self.superseded(req):
                self.cancelled(stats)
                return
            host.frame(req, data, state, stats)

            def callback(progress):
                if self.superseded(req):
                    stats["cancelled"] = True
                    return True
                state.update(iteration=progress.iteration, elapsed=progress.elapsed)
                if getattr(progress, "batch", None) is None:  # the status shows epoch means
                    state["loss"] = progress.loss
                if host.max_train_seconds is not None and \
                        progress.elapsed >= host.max_train_seconds:
                    stats["budget_stopped"] = True
                    return True
                # At most one frame per frame_interval, and about a tenth of the time spent
                # drawing: on a busy machine a frame can take 20 ms, and the student would
                # rather the model converged than watch it more smoothly. But never fewer
                # than about 5 frames a second (MAX_FRAME_GAP), or the panel looks stuck.
                # After a training's first frame, which often redraws the charts' axes in
                # full (several blits' worth), space by a typical recent frame instead: else
                # the student may wait a second for the second picture on a busy machine.
                last = state["last_render"]
                if stats["frames"] == 1:
                    last = min(last, float(np.median(self.recent_render)))
                if time.perf_counter() - state["last_frame"] >= frame_gap(host.frame_interval,
                                                                         last):
                    host.frame(req, data, state, stats)
                return False

            with self.cond:
                self.counters["trainings_started"] += 1
            t0 = time.perf_counter()
            try:
                # A panel retrain has a budget by design; the stop reason is shown on
                # screen ("not converged") instead of a warning in a worker thread.
                with fixed_budget():
                    model.fit(data.X, callback=callback, **per_batch(model))
            finally:
                stats["train_seconds"] = time.perf_counter() - t0
                # Leave the user's own warm_start and max_iter settings on the model.
                model.warm_start = host.user_warm_start
                if "max_iter" in req.params:
                    model.max_iter = req.params["max_iter"]
            stats["iterations"] = int(model.n_iter_)
            stats["stop_reason"] = model.stop_reason_
            if stats["cancelled"]:
                self.cancelled(stats)
                return
            if getattr(model, "warm_started_", warm) != warm:  # trust what fit really did
                stats["warm_start"] = state["warm"] = bool(model.warm_started_)
            state["elapsed"] = stats["train_seconds"]
            if model.loss_curve_:
                state["loss"] = model.loss_curve_[-1]
            state["phase"] = ending(model, stats)
            if model.stop_reason_ == "diverged":
                host.warning_box.value = note(
                    "TrainingDivergedWarning",
                    f"training diverged after {model.n_iter_} iteration(s); the last finite "
                    f"parameters are kept. {divergence_hint(req.params)}",
                    "#8a6d00", "#fff8e1")
            elif "W1" in model.params_ and collapsed(model, data.X):
                stats["collapsed"] = True
                host.warning_box.value = note("collapsed", collapse_words(req.params),
                                              "#8a6d00", "#fff8e1")
            host.frame(req, data, state, stats, final=True)
            with self.cond:
                self.counters["trainings_completed"] += 1
            self.finish(req, None)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the panel
            self.trained_key = None  # a failed start leaves no honest warm state
            stats["stop_reason"] = "error"
            with self.cond:
                self.counters["trainings_failed"] += 1
            host.error_box.value = note(type(exc).__name__, str(exc), "#a00000", "#fdecea")
            host.status.value = (f"<span style='color:#a00000'><b>error</b> in "
                                 f"{state['phase']}: see below</span>")
            self.finish(req, exc)
            if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit
                raise

    def cancelled(self, stats):
        stats["cancelled"] = True
        with self.cond:
            self.counters["trainings_cancelled"] += 1

    def finish(self, req, exc):
        with self.cond:
            if exc is not None:
                self.failure = (req.generation, exc)
            else:
                self.host.error_box.value = ""
                if self.failure is not None and self.failure[0] < req.generation:
                    self.failure = None
            self.done_generation = max(self.done_generation, req.generation)
            self.cond.notify_all()

    def record_frame(self, stats, seconds):
        """Book one drawn frame of ``seconds`` into the newest training's stats.

        ``frame_gap_max`` is the longest wait, in seconds, between the ends of two frames of
        one training: the panel shows at least 1/``frame_gap_max`` frames per second.
        """
        now = time.perf_counter()
        last = stats.get("_last_frame_end")
        if last is not None:
            stats["frame_gap_max"] = max(stats.get("frame_gap_max") or 0.0, now - last)
        stats["_last_frame_end"] = now
        ms = seconds * 1e3
        self.render_ms.append(ms)
        self.recent_render.append(seconds)
        stats["frames"] += 1
        stats["render_ms_median"] = float(np.median(self.render_ms))
        stats["render_ms_max"] = float(np.max(self.render_ms))
        with self.cond:
            self.counters["frames"] += 1

    def wait(self, timeout=None):
        """Block until the newest requested retrain has drawn its final frame.

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait at most; None waits as long as it takes.

        Returns
        -------
        self

        Raises
        ------
        TimeoutError
            When ``timeout`` passes first.
        Exception
            The exception that made the newest retrain fail (also shown in the panel).
        RuntimeError
            When the panel was closed before that retrain finished.

        """
        if threading.current_thread() is self.worker:
            raise RuntimeError("wait() cannot be called from the Explorer's own worker thread")
        deadline = None if timeout is None else time.monotonic() + float(timeout)
        with self.cond:
            target = self.generation
            while self.done_generation < target:
                if self.closing and not self.worker.is_alive():
                    raise RuntimeError("the Explorer was closed before its last retrain ended")
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"the retrain did not finish within {timeout} s")
                # Wake now and then to notice a close() that raced with the wait.
                self.cond.wait(0.5 if remaining is None else min(remaining, 0.5))
            failure = self.failure
        if failure is not None and failure[0] >= target:
            raise failure[1]
        return self

    def snapshot(self):
        """The newest training's stats and the counters, as :attr:`Explorer.stats` gives."""
        with self.cond:
            out = {k: v for k, v in self.stats_now.items() if not k.startswith("_")}
            counters = dict(self.counters)
        out["frames_total"] = counters.pop("frames")
        out.update(counters)
        return out

    def close(self, timeout):
        """Stop the worker (cancelling any training); True if it was already closing."""
        with self.cond:
            already = self.closing
            self.closing = True
            self.pending = None
            self.cond.notify_all()
        if self.worker is not threading.current_thread() and self.worker.ident is not None:
            self.worker.join(timeout)
        return already


def per_batch(model):
    """``fit`` keywords that call the callback after every minibatch, where the model can.

    An Adam or SGD epoch can take longer than the gap between two frames should (notebook
    05's k-sparse panel: about 0.1 s); with per-batch callbacks the frames keep their pace.
    """
    import inspect

    params = model.get_params()
    if params.get("optimizer", "lbfgs") == "lbfgs":
        return {}
    if "callback_every" not in inspect.signature(model.fit).parameters:
        return {}
    return {"callback_every": "batch"}


def frame_gap(frame_interval, last_render):
    """Seconds to wait after a frame before the next one while training.

    Nine times the last frame's drawing time (drawing then takes about a tenth of the
    training's time), at least ``frame_interval``, and at most :data:`MAX_FRAME_GAP` as long
    as drawing then takes at most a quarter of the time (3 × the drawing time): on a machine
    where one frame takes over 50 ms, five frames a second would slow the training more
    than the student gains from watching it.
    """
    return max(frame_interval, min(9.0 * last_render, max(MAX_FRAME_GAP, 3.0 * last_render)))


def note(kind, message, color, background):
    return (f"<div style='border-left:4px solid {color};background:{background};"
            f"padding:4px 8px;margin:2px 0;color:{color}'><b>{html.escape(kind)}</b>: "
            f"{html.escape(message)}</div>")
