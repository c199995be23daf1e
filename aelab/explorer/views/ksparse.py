"""Notebook 05's view: the filters with dead units tinted, and a few examples' codes."""
from __future__ import annotations

import math

import numpy as np

from ..frames import grid
from ..palette import rgb, swatch
from ..png import png
from .base import FixedScale
from .tiles import labelled_grid

__all__ = ["KSparseView", "tinted_grid", "codes_image"]


def tinted_grid(W, shape, dead):
    """RGB filter grid in [0, 1] with the tiles of dead units tinted red.

    The tiles sit where :func:`aelab.plotting.filter_grid_image` puts them (row-major, a
    near-square grid, a 1-pixel border), so tile j is hidden unit j.
    """
    grey = grid(W, shape)
    rgb = np.repeat(grey[:, :, None], 3, axis=2)
    n = W.shape[0]
    h, w = shape
    cols = min(math.ceil(math.sqrt(n)), n)
    for j in np.flatnonzero(dead):
        r, c = divmod(int(j), cols)
        y0, x0 = 1 + r * (h + 1), 1 + c * (w + 1)
        tile = rgb[y0:y0 + h, x0:x0 + w]
        tile[:, :, 0] = 0.55 + 0.45 * tile[:, :, 0]
        tile[:, :, 1:] *= 0.45
    return rgb


def codes_image(originals, codes, shape, dead, row_px=24, width_px=300):
    """RGB picture of a few examples' hidden codes: which units fire, and how strongly.

    One row per example: the example itself as a thumbnail, then one cell per hidden unit
    coloured by the unit's activation, scaled by the row's largest |activation| (vermillion
    positive, blue negative, white exactly zero: a unit the top-k selection dropped). A strip
    under the rows marks the dead units in black.

    Parameters
    ----------
    originals : (n_show, n_features) array
    codes : (n_show, n_hidden) array
    shape : (height, width) of one example
    dead : (n_hidden,) bool array
    row_px : int
        Height of one row in pixels.
    width_px : int
        About how wide the cells of all units together are (each cell is a whole number of
        pixels wide, at least 1).

    Returns
    -------
    uint8 array (height, width, 3)
    """
    n_show, p = codes.shape
    h, w = shape
    R = int(row_px)
    thumb_w = max(1, min(4 * R, int(round(R * w / h))))
    cw = max(1, int(width_px) // p)
    gap = max(2, R // 6)
    strip = max(4, R // 3)
    x0 = thumb_w + gap
    width = x0 + p * cw
    height = n_show * (R + 1) + gap + strip
    img = np.ones((height, width, 3))
    # Thumbnails on one grey scale, from the examples' own range (as the reconstructions).
    lo, hi = float(originals.min()), float(originals.max())
    span = hi - lo if hi > lo else 1.0
    rows_idx = np.arange(R) * h // R
    cols_idx = np.arange(thumb_w) * w // thumb_w
    a = np.abs(codes)
    scale = a.max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    a = a / scale
    # White for zero, towards the palette's positive / negative colour with |activation|.
    colour = np.where((codes > 0)[:, :, None], np.asarray(rgb("positive")),
                      np.asarray(rgb("negative")))
    cells = 1.0 - a[:, :, None] * (1.0 - colour)
    cells = np.repeat(cells, cw, axis=1)  # (n_show, p * cw, 3)
    if cw >= 4:  # a faint line between cells, so single units can be counted
        cells[:, cw - 1::cw, :] = np.minimum(cells[:, cw - 1::cw, :], 0.88)
    for i in range(n_show):
        y = i * (R + 1)
        tile = (originals[i].reshape(h, w) - lo) / span
        img[y:y + R, :thumb_w, :] = np.clip(tile[rows_idx][:, cols_idx], 0.0, 1.0)[:, :, None]
        img[y:y + R, x0:, :] = cells[i][None, :, :]
        img[y + R, :, :] = 0.8  # separator under each row
    y = n_show * (R + 1) + gap
    marks = np.where(np.repeat(np.asarray(dead, dtype=bool), cw), 0.0, 0.85)
    img[y:y + strip, x0:, :] = marks[None, :, None]
    return (img * 255.0 + 0.5).astype(np.uint8)


class KSparseView:
    """Notebook 05's view: the filters with dead units tinted, and a few examples' codes.

    ``views["ksparse"]`` is the codes picture (``views["ksparse_filters"]`` the grid, which
    is not drawn when the ``"filters"`` view is shown too). The status line gives k and the
    number of dead units: units that no example of (a subsample of) the data selects.
    """

    placement = "middle"

    def __init__(self, widgets, scale):
        self.scale = scale
        self.grid = widgets.Image(format="png", value=b"")
        self.grid_label = widgets.HTML("<b>Filters</b> (dead units tinted purple)")
        self.image = widgets.Image(format="png", value=b"")
        self.label = widgets.HTML("<b>Codes</b>")
        self.grid_box = widgets.VBox([self.grid_label, self.grid])
        self.widget = widgets.HBox([self.grid_box, widgets.VBox([self.label, self.image])],
                                   layout=widgets.Layout(flex_flow="row wrap",
                                                         align_items="flex-end"))
        self.show_grid = True
        self.range = FixedScale()

    def settle(self):
        self.range.settle()

    def release(self):
        self.range.release()

    def update(self, f):
        if f.codes is None:
            return
        n_dead = int(np.sum(f.dead))
        p = f.W1.shape[0]
        if self.show_grid:
            vmax = self.range.get(float(np.max(np.abs(f.W1))) if f.W1.size else 1.0)
            img, _, _ = labelled_grid(f.W1, f.shape, vmax, f.dead, 320 * self.scale)
            self.grid.value = png(img)
            title = (f"<b>Filters W₁</b> ({p} units; "
                     f"{swatch('dead', f'{n_dead} dead, tinted purple')})<br><small>one grey "
                     f"scale, ±{vmax:.3g} black/white; under each tile its norm ‖wⱼ‖</small>")
            if self.grid_label.value != title:
                self.grid_label.value = title
        self.image.value = png(codes_image(
            f.originals, f.codes, f.shape, f.dead, row_px=int(24 * self.scale),
            width_px=int(300 * self.scale)))
        kept = "all" if f.k_kept is None or f.k_kept >= p else str(f.k_kept)
        title = (f"<b>Codes of {f.codes.shape[0]} examples</b>: {kept} of {p} units kept "
                 f"({swatch('positive', '+')} / {swatch('negative', '−')}, white: not "
                 f"selected); "
                 f"strip below: {n_dead} dead units in black")
        if self.label.value != title:
            self.label.value = title
