"""Image views: the filter grid, the PCA components, originals above reconstructions."""
from __future__ import annotations

import numpy as np

from ..frames import grid
from ..palette import swatch
from ..png import grey_png, png
from .base import FixedScale, ImageView
from .tiles import labelled_grid

__all__ = ["FiltersView", "PCAView", "ReconstructionsView"]


def filters_title(f, marked, vmax):
    """The filter grid's title: units, the shared scale, the marked units and why."""
    n_dead = int(f.dead.sum()) if f.dead is not None else 0
    n_marked = int(marked.sum())
    note = ""
    if n_marked:
        what = "dead or faded" if n_dead else "faded (‖wⱼ‖ < 1 % of its start)"
        note = f"; {swatch('dead', f'{n_marked} {what}, tinted purple')}"
    return (f"<b>Filters W₁</b> ({f.W1.shape[0]} hidden units){note}<br>"
            f"<small>one grey scale, ±{vmax:.3g} black/white; under each tile its norm "
            f"‖wⱼ‖</small>")


class FiltersView(ImageView):
    """The encoder's filters on one fixed grey scale, each with its norm underneath."""

    title = "Filters W₁ (encoder weights)"

    def __init__(self, widgets, scale):
        super().__init__(widgets, scale)
        self.range = FixedScale()

    def update(self, f):
        vmax = self.range.get(float(np.max(np.abs(f.W1))) if f.W1.size else 1.0)
        img, _, marked = labelled_grid(f.W1, f.shape, vmax, f.dead, 320 * self.scale)
        self.image.value = png(img)
        self.set_title(filters_title(f, marked, vmax))

    def settle(self):
        self.range.settle()

    def release(self):
        self.range.release()


class PCAView(ImageView):
    title = "PCA components"

    def update(self, f):
        if f.pca is None:
            return
        self.image.value = grey_png(grid(f.pca, f.shape), 240 * self.scale)
        self.set_title(f"<b>{swatch('pca', 'PCA components')}</b> (top {f.pca.shape[0]}, "
                       f"each on its own grey scale)")


class ReconstructionsView(ImageView):
    title = "Originals (top) and reconstructions (bottom)"

    def update(self, f):
        # One grey scale for both rows, from the originals' range: a reconstruction that is
        # too faint or too bright must look so, not be rescaled into looking right.
        lo, hi = float(f.originals.min()), float(f.originals.max())
        span = hi - lo if hi > lo else 1.0
        rows = (np.vstack([f.originals, f.reconstructions]) - lo) / span
        image = grid(rows, f.shape, n_cols=len(f.originals), normalize="none")
        self.image.value = grey_png(image, 340 * self.scale)
