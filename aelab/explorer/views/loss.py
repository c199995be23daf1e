"""The objective J per iteration of the current training."""
from __future__ import annotations

import math

import numpy as np

from ..charts import Chart
from ..palette import COLORS

__all__ = ["LossView"]


# One colour per quantity across the panel (Okabe–Ito, safe for colour-blind readers).
TRAIN, HELD_OUT, PCA = COLORS["training"], COLORS["held_out"], COLORS["pca"]


class LossView:
    """Training J per iteration, held-out J per frame, and PCA's error as a reference line.

    The x axis runs to ``max_iter`` and the y limits change rarely (only when the curves leave
    them or fill too little of them), so that a slider move shows as a change, not a rescale.
    The held-out rows are part of the data the panel never trains on (``holdout``). The
    dashed line is PCA's held-out reconstruction error with as many components as hidden
    units: J adds the penalty terms, so with λ = β = 0 the two are directly comparable.
    """

    placement = "bottom"

    def __init__(self, widgets, scale):
        self.chart = Chart((3.4 * scale, 2.1 * scale), 80)
        ax = self.chart.ax
        (self.line,) = ax.plot([], [], color=TRAIN, lw=1.4)
        (self.held,) = ax.plot([], [], color=HELD_OUT, lw=1.2, marker="o", ms=3)
        self.pca = ax.axhline(1.0, color=PCA, lw=1.1, ls="--")
        for artist in (self.line, self.held, self.pca):
            self.chart.animate(artist)
        ax.set_position((0.17, 0.2, 0.79, 0.76))  # room for the axis labels
        ax.set_xlabel("iteration (epoch for Adam/SGD)", fontsize=7)
        ax.set_ylabel("J (per example)", fontsize=7)
        self.image = widgets.Image(format="png", value=b"")
        self.label = widgets.HTML(self._title(None, None))
        self.widget = widgets.VBox([self.label, self.image])
        self._limits = None
        self._fixed = False
        self.off_scale = False

    def settle(self):
        """The fixed-scale rule: keep these y limits until reset or rescale."""
        self._fixed = self._limits is not None

    def release(self):
        self._fixed = False

    @staticmethod
    def _title(held, pca):
        parts = [f"<span style='color:{TRAIN}'>training J</span>"]
        if held is not None:
            parts.append(f"<span style='color:{HELD_OUT}'>held-out J {held:.4g}</span>")
        if pca is not None:
            parts.append(f"<span style='color:{PCA}'>- - PCA error {pca:.4g}</span>")
        return "<b>Objective J</b> of this training: " + " · ".join(parts)

    def _note(self):
        return (" <small>(some values off this fixed scale: press <i>rescale</i>)</small>"
                if self.off_scale else "")

    def _fit_limits(self, curve, max_iter):
        lo, hi = float(np.min(curve)), float(np.max(curve))
        log = lo > 0
        if self._fixed:
            # Only the x axis (this training's budget) may follow; the y scale stays.
            _, old_log, old_lo, old_hi = self._limits
            self.off_scale = lo < old_lo or hi > old_hi
            return (max_iter, old_log, old_lo, old_hi)
        self.off_scale = False
        if self._limits is not None:
            old_iter, old_log, old_lo, old_hi = self._limits
            if old_iter == max_iter and old_log == log and old_lo <= lo and hi <= old_hi:
                too_loose = (math.log10(old_hi / old_lo) > 3 * max(math.log10(hi / lo), 0.3)
                             if log else (old_hi - old_lo) > 4 * max(hi - lo, 1e-12))
                if not too_loose:
                    return self._limits
        if log:
            # Generous head-room below: the loss keeps falling, and every change of
            # limits costs a full redraw.
            return (max_iter, True, lo / 3.0, hi * 1.5)
        pad = 0.2 * (hi - lo or abs(hi) or 1.0)
        return (max_iter, False, lo - pad, hi + pad)

    def update(self, f):
        curve = np.asarray(f.loss_curve, dtype=np.float64)
        curve = curve[np.isfinite(curve)]
        held = np.asarray(f.holdout_curve or [], dtype=np.float64).reshape(-1, 2)
        extra = list(held[:, 1]) + ([f.pca_error] if f.pca_error else [])
        if curve.size and extra:
            # the limits must hold every quantity drawn, so join them for the fit
            curve_for_limits = np.concatenate([curve, np.asarray(extra, dtype=np.float64)])
        else:
            curve_for_limits = curve
        if curve.size == 0:
            self.line.set_data([], [])
        else:
            limits = self._fit_limits(curve_for_limits, f.max_iter)
            if limits != self._limits:
                max_iter, log, lo, hi = limits
                self.chart.set_y("log" if log else "linear", lo, hi)
                self.chart.ax.set_xlim(0, max(max_iter, 1))
                self._limits = limits
            self.line.set_data(np.arange(1, curve.size + 1), curve)
        self.held.set_data(held[:, 0], held[:, 1])
        self.pca.set_visible(f.pca_error is not None and f.pca_error > 0)
        if f.pca_error:
            self.pca.set_ydata([f.pca_error, f.pca_error])
        title = self._title(held[-1, 1] if len(held) else None, f.pca_error) + self._note()
        if self.label.value != title:
            self.label.value = title
        self.image.value = self.chart.png()
