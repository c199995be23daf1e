"""The panel's status line: in words, what the training is doing and how it ended."""
from __future__ import annotations

import html

import numpy as np

__all__ = ["status_text"]


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
