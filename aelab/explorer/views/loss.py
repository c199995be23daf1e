"""The objective J per iteration of the current training."""
from __future__ import annotations

import math

import numpy as np

from ..charts import Chart

__all__ = ["LossView"]


class LossView:
    """The objective J per iteration of the current training (x axis up to ``max_iter``)."""

    placement = "bottom"

    def __init__(self, widgets, scale):
        self.chart = Chart((3.4 * scale, 2.1 * scale), 80)
        ax = self.chart.ax
        (self.line,) = ax.plot([], [], color="C0", lw=1.2)
        self.chart.animate(self.line)
        self.image = widgets.Image(format="png", value=b"")
        self.label = widgets.HTML("<b>Objective J</b> per iteration of this training")
        self.widget = widgets.VBox([self.label, self.image])
        self._limits = None

    def _fit_limits(self, curve, max_iter):
        lo, hi = float(np.min(curve)), float(np.max(curve))
        log = lo > 0
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
        if curve.size == 0:
            self.line.set_data([], [])
        else:
            limits = self._fit_limits(curve, f.max_iter)
            if limits != self._limits:
                max_iter, log, lo, hi = limits
                self.chart.set_y("log" if log else "linear", lo, hi)
                self.chart.ax.set_xlim(0, max(max_iter, 1))
                self._limits = limits
            self.line.set_data(np.arange(1, curve.size + 1), curve)
        self.image.value = self.chart.png()
