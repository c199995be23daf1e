"""Small matplotlib charts for the panel, redrawn by blitting only what moves.

Drawn with a bare ``Figure`` on an Agg canvas (no pyplot, no GUI backend), so they are safe to
draw from the panel's worker thread and cost 2–4 ms a frame instead of 10–100 ms.
"""
from __future__ import annotations

import numpy as np

from .png import png

__all__ = ["Chart"]


class Chart:
    """A small matplotlib figure redrawn by blitting only its moving ("animated") artists.

    A full ``canvas.draw()`` (axes, ticks, labels) costs 10-20 ms on an idle machine and
    can reach 100 ms on a busy one; restoring the saved background and drawing two artists
    costs 2-4 ms. A full draw happens only when the axes limits change (``invalidate``).
    Titles and axis labels live in HTML above the image rather than in the figure: laying
    them out around the tick labels was half the cost of a full draw.
    """

    def __init__(self, size, dpi):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        # A bare Figure with an Agg canvas, not pyplot: no global state, no GUI backend,
        # and safe to draw from the worker thread (only that thread ever draws it).
        self.fig = Figure(figsize=size, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes((0.16, 0.1, 0.8, 0.86))
        self.ax.tick_params(labelsize=7)
        self.animated = []
        self._background = None

    def animate(self, artist):
        artist.set_animated(True)
        self.animated.append(artist)
        return artist

    def invalidate(self):
        self._background = None

    def set_y(self, scale, lo, hi):
        """Set the y scale and limits, with few ticks (each tick label costs drawing time)."""
        from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator

        ax = self.ax
        ax.set_autoscale_on(False)
        # Limits before scale: with no data yet, a log scale would try (and warn about)
        # autoscaling empty data.
        ax.set_ylim(lo, hi)
        ax.set_yscale(scale)
        ax.set_ylim(lo, hi)
        if scale == "log":
            ax.yaxis.set_major_locator(LogLocator(numticks=5))
        else:
            ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        self.invalidate()

    def png(self):
        if self._background is None:
            self.canvas.draw()  # animated artists are skipped by a normal draw
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.animated:
            self.ax.draw_artist(artist)
        return png(np.asarray(self.canvas.buffer_rgba())[:, :, :3])
