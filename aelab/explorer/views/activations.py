"""The mean activation ρ̂ⱼ of each hidden unit as bars, with the target ρ as a line."""
from __future__ import annotations

import numpy as np

from ..charts import Chart
from ..palette import COLORS, swatch

__all__ = ["ActivationsView"]


class ActivationsView:
    """Bars of the mean activation ρ̂ⱼ of each hidden unit, with the target ρ as a line."""

    placement = "bottom"

    def __init__(self, widgets, scale):
        from matplotlib.collections import PolyCollection

        self.chart = Chart((3.4 * scale, 2.1 * scale), 80)
        ax = self.chart.ax
        self.bars = self.chart.animate(ax.add_collection(
            PolyCollection([], facecolors=COLORS["rho_hat"])))
        self.target = self.chart.animate(ax.axhline(0.0, color=COLORS["rho"], lw=1.4))
        ax.set_position((0.17, 0.2, 0.79, 0.76))  # room for the axis labels
        ax.set_xlabel("hidden unit j", fontsize=7)
        ax.set_ylabel("ρ̂ⱼ (fraction of max. activation)", fontsize=7)
        self.image = widgets.Image(format="png", value=b"")
        self.label = widgets.HTML(self._title(""))
        self.widget = widgets.VBox([self.label, self.image])
        self._limits = None
        self._fixed = False

    def settle(self):
        self._fixed = self._limits is not None

    def release(self):
        self._fixed = False

    @staticmethod
    def _title(note):
        return (f"<b>Mean activation</b> {swatch('rho_hat', 'ρ̂ⱼ per hidden unit (bars)')} "
                f"and {swatch('rho', 'the target ρ (line)')}{note}")

    def _fit_limits(self, f):
        """Axes limits for this frame; changing them costs a full redraw, so change rarely."""
        n = len(f.rho_hat)
        if f.activation == "sigmoid":
            # Log scale: ρ = 0.01 and an untrained ρ̂ ≈ 0.5 are both readable on one axis.
            return (n, "log", 1e-4, 1.0)
        if f.activation == "tanh":
            return (n, "linear", -1.0, 1.0)
        values = np.append(f.rho_hat, f.rho if f.rho is not None else 0.0)
        lo, hi = min(0.0, float(values.min())), float(values.max())
        if self._limits is not None and self._limits[0] == n and self._fixed:
            return self._limits  # the fixed-scale rule: kept until reset or rescale
        pad = 0.15 * (hi - lo or 1.0)
        return (n, "linear", lo - (pad if lo < 0 else 0.0), hi + pad)

    def update(self, f):
        limits = self._fit_limits(f)
        ax = self.chart.ax
        title = self._title(f", from {f.rho_rows} examples" if f.rho_rows else "")
        if title != self.label.value:
            self.label.value = title
        if limits != self._limits:
            n, scale, lo, hi = limits
            self.chart.set_y(scale, lo, hi)
            ax.set_xlim(-0.6, n - 0.4)
            self._limits = limits
        n, scale, lo, hi = limits
        base = lo if scale == "log" else 0.0
        heights = np.clip(f.rho_hat, lo, hi)
        x = np.arange(n, dtype=np.float64)
        verts = np.empty((n, 4, 2))
        verts[:, 0, 0] = verts[:, 1, 0] = x - 0.4
        verts[:, 2, 0] = verts[:, 3, 0] = x + 0.4
        verts[:, 0, 1] = verts[:, 3, 1] = base
        verts[:, 1, 1] = verts[:, 2, 1] = heights
        self.bars.set_verts(verts)
        self.target.set_visible(f.rho is not None)
        if f.rho is not None:
            self.target.set_ydata([f.rho, f.rho])
        self.image.value = self.chart.png()
