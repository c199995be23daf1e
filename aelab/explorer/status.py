"""The panel's status line: in words, what the training is doing and how it ended."""
from __future__ import annotations

import html

import numpy as np

__all__ = ["status_text", "ending", "tolerance_words", "divergence_hint", "collapse_words"]


def status_text(state, f, final):
    start = "warm start" if state["warm"] else "fresh start"
    if not state["warm"] and state.get("why_fresh"):
        start += f" ({state['why_fresh']})"
    parts = ["<b>fitted model</b>" if state.get("shown_only") else f"<b>{start}</b>"]
    parts.append(f"iteration {state['iteration']}/{f.max_iter}")
    if state["loss"] is not None:
        parts.append(f"training J {state['loss']:.5g}")
    if f.holdout_curve:
        parts.append(f"held-out J {f.holdout_curve[-1][1]:.5g}")
    parts.append(f"{state['elapsed']:.2f} s")
    if f.angle is not None:
        parts.append(f"largest principal angle to PCA {f.angle:.1f}°")
    elif f.pca is not None:
        parts.append("principal angle n/a (as many units as inputs)")
    if f.codes is not None:
        p = f.W1.shape[0]
        if f.k is None:
            parts.append("k: all units (no top-k)")
        else:
            ks = f"k = {f.k}"
            if f.k_start is not None:
                ks += f" (annealed from {f.k_start})"
            if f.k_kept is not None and f.k_kept != f.k:
                ks += f", {f.k_kept} kept when encoding (αk)"
            parts.append(ks)
        how = "never selected" if f.k is not None else "constant"
        parts.append(f"<b>{int(np.sum(f.dead))}/{p} dead units</b> "
                     f"({how} on {f.dead_rows} examples)")
    phase = state["phase"] if final else "training…"
    parts.append(f"<i>{html.escape(phase)}</i>")
    return " · ".join(parts)


def ending(model, stats):
    """The status line's words for why the training stopped."""
    if stats["budget_stopped"]:
        return "stopped at the time budget: not converged"
    n = model.n_iter_
    return {"converged": f"converged{tolerance_words(model)}",
            "max_iter": f"stopped at max_iter ({n} iterations): not converged",
            "stalled": f"stalled after {n} iterations (no further decrease, gradient above "
                       f"tol): not converged",
            "diverged": "diverged", "callback": "stopped"}.get(model.stop_reason_,
                                                               str(model.stop_reason_))


def tolerance_words(model):
    """" (largest gradient component ≤ 1e-05)" for an L-BFGS model; "" otherwise."""
    try:
        c = model._config()
    except Exception:  # noqa: BLE001 - another estimator: no words rather than an error
        return ""
    if getattr(c, "optimizer", None) != "lbfgs":
        return ""
    return f" (largest gradient component ≤ {c.tol:g})"


def divergence_hint(params):
    """What to try after a diverged training, for the optimiser that diverged."""
    if params.get("optimizer", "lbfgs") in ("sgd", "adam"):
        return (f"Try a smaller learning_rate (now {params.get('learning_rate')!r}), "
                "a smaller ε, or optimizer='lbfgs'.")
    return "Try a smaller ε or λ."


def collapse_words(params):
    """What the warning box says when a training ended with blank filters (W ≈ 0)."""
    lam = params.get("lam")
    what = f"λ = {lam:g} is" if lam else "the penalties are"
    return (f"the weights collapsed to W ≈ 0: every filter is blank and the reconstruction is "
            f"the mean input. {what} too strong for this β and ρ; lower it (the next "
            "training then starts afresh, since no gradient leads away from W = 0).")
