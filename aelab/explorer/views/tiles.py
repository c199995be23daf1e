"""The filter grid with a number under every tile: each unit's weight norm ‖wⱼ‖.

Tiles share one grey scale (:class:`~aelab.explorer.views.base.FixedScale`): zero is mid
grey and ±``vmax`` white and black, so a filter that λ shrinks fades on screen instead of
being stretched back to full contrast. Dead units (``dead``) and faded ones (norm below 1 %
of the initial norm, UFLDL's uniform start) get a purple tint and a purple label.
"""
from __future__ import annotations

import math

import numpy as np

from ..palette import rgb
from .labels import GLYPH_H, GLYPH_W, short_number, text_pixels

__all__ = ["labelled_grid", "grid_layout", "faded_units", "initial_norm"]

_BORDER = 30        # the dark lines between tiles (0-255)
_LABEL_BG = 30
_LABEL_FG = 235


def initial_norm(n_features, n_hidden):
    """The norm of one filter of UFLDL's uniform start ±√(6/(n+p+1)): √n · r/√3."""
    r = math.sqrt(6.0 / (n_features + n_hidden + 1))
    return math.sqrt(n_features) * r / math.sqrt(3.0)


def faded_units(norms, n_features):
    """Units whose filter norm is below 1 % of :func:`initial_norm` (weight decay's work)."""
    return norms < 0.01 * initial_norm(n_features, len(norms))


def grid_layout(n, shape, target_px):
    """Where tile j sits: a dict with ``cols``, the enlargement ``s``, the tile's ``th``,
    ``tw``, the glyph scale ``gs``, ``label_h``, ``n_chars``, and the block ``bh``, ``bw``;
    tile j's top-left pixel is (1 + (j // cols) * bh, 1 + (j % cols) * bw)."""
    h, w = shape
    cols = min(math.ceil(math.sqrt(n)), n) if n else 1
    s = max(1, math.ceil(target_px / (cols * (w + 1) + 1)))
    th, tw = h * s, w * s
    gs = 2 if tw >= 4 * (GLYPH_W + 1) * 2 else 1
    label_h = GLYPH_H * gs + 2
    return dict(cols=cols, rows=math.ceil(n / cols) if n else 1, s=s, th=th, tw=tw, gs=gs,
                label_h=label_h, n_chars=max(1, (tw + gs) // ((GLYPH_W + 1) * gs)),
                bh=th + label_h + 1, bw=tw + 1)


def labelled_grid(W, shape, vmax, dead=None, target_px=320):
    """RGB uint8 picture of the filters, their norms underneath, dead units marked.

    Parameters
    ----------
    W : (n_hidden, h*w) array
    shape : (h, w)
    vmax : float
        The |weight| drawn white or black (the fixed scale).
    dead : (n_hidden,) bool array, optional
        Units to mark as dead (besides the faded ones).
    target_px : int
        About how wide the picture is; tiles are enlarged by a whole factor towards it.

    Returns
    -------
    (uint8 array (height, width, 3), norms (n_hidden,), marked (n_hidden,) bool)
    """
    n, n_px = W.shape
    h, w = shape
    g = grid_layout(n, shape, target_px)
    cols, rows, s, th, tw, gs = g["cols"], g["rows"], g["s"], g["th"], g["tw"], g["gs"]
    label_h, n_chars, bh, bw = g["label_h"], g["n_chars"], g["bh"], g["bw"]
    norms = np.sqrt(np.sum(W * W, axis=1))
    marked = faded_units(norms, n_px)
    if dead is not None:
        marked = marked | np.asarray(dead, dtype=bool)
    # Grey uint8 blocks, RGB only when some unit is marked: a 400-tile grid is a million
    # pixel values per frame, and its PNG a third the size in grey.
    blocks = np.full((rows * cols, bh, bw), _BORDER, dtype=np.uint8)
    grey = np.clip(W / (2.0 * vmax) + 0.5 if vmax > 0 else np.full_like(W, 0.5), 0.0, 1.0)
    tiles = (grey * 255.0 + 0.5).astype(np.uint8).reshape(n, h, w)
    if s > 1:
        tiles = tiles.repeat(s, axis=1).repeat(s, axis=2)
    blocks[:n, :th, :tw] = tiles
    blocks[:n, th + 1:th + label_h, :tw] = _LABEL_BG
    # Labels, one unique text at a time (tiles often share a rounded norm).
    by_text = {}
    for j, v in enumerate(norms):
        by_text.setdefault(short_number(v, min(n_chars - 1, 4) or 1), []).append(j)
    for t, idx in by_text.items():
        bitmap = text_pixels(t, gs)[:, :tw]
        yy, xx = np.nonzero(bitmap)
        tx = (tw - bitmap.shape[1]) // 2
        blocks[np.asarray(idx)[:, None], th + 2 + yy[None, :], tx + xx[None, :]] = _LABEL_FG
    img = np.full((rows * bh + 1, cols * bw + 1), _BORDER, dtype=np.uint8)
    img[1:, 1:] = blocks.reshape(rows, cols, bh, bw).transpose(0, 2, 1, 3).reshape(
        rows * bh, cols * bw)
    if marked.any():
        img = np.repeat(img[:, :, None], 3, axis=2)
        tint = np.asarray(rgb("dead")) * 255.0
        for j in np.flatnonzero(marked):
            r, c = divmod(int(j), cols)
            y0, x0 = 1 + r * bh, 1 + c * bw
            tile = img[y0:y0 + th, x0:x0 + tw]
            tile[:] = (0.55 * tile + 0.45 * tint + 0.5).astype(np.uint8)
            label = img[y0 + th + 1:y0 + th + label_h, x0:x0 + tw]
            label[label[:, :, 0] == _LABEL_FG] = tint.astype(np.uint8)
    return img, norms, marked
