"""Image views: the filter grid, the PCA components, originals above reconstructions."""
from __future__ import annotations

import numpy as np

from ..frames import grid
from ..png import grey_png
from .base import ImageView

__all__ = ["FiltersView", "PCAView", "ReconstructionsView"]


class FiltersView(ImageView):
    title = "Filters W₁ (encoder weights)"

    def update(self, f):
        self.image.value = grey_png(grid(f.W1, f.shape), 240 * self.scale)
        self.set_title(f"<b>Filters W₁</b> ({f.W1.shape[0]} hidden units)")


class PCAView(ImageView):
    title = "PCA components"

    def update(self, f):
        if f.pca is None:
            return
        self.image.value = grey_png(grid(f.pca, f.shape), 240 * self.scale)
        self.set_title(f"<b>PCA components</b> (top {f.pca.shape[0]})")


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
