"""Numbers under the tiles of a filter grid, drawn with a 3×5-pixel font straight into the
picture (no text layout, no figure: a few milliseconds for hundreds of tiles).
"""
from __future__ import annotations

import numpy as np

__all__ = ["text_pixels", "short_number", "GLYPH_W", "GLYPH_H"]

GLYPH_W, GLYPH_H = 3, 5
_FONT = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111",
    "3": "111001111001111", "4": "101101111001001", "5": "111100111001111",
    "6": "111100111101111", "7": "111001010010010", "8": "111101111101111",
    "9": "111101111001111", ".": "000000000000010", "-": "000000111000000",
    "e": "000111111100111", "x": "000101010101000", " ": "000000000000000",
}
_GLYPHS = {c: np.array([int(b) for b in bits], dtype=bool).reshape(GLYPH_H, GLYPH_W)
           for c, bits in _FONT.items()}


def short_number(value, width):
    """``value`` in at most ``width`` characters of the font ("0.12", "3.4", "12", "1e-4")."""
    v = float(value)
    if not np.isfinite(v):
        return "x"[:width]
    for digits in range(max(width - 2, 0), -1, -1):
        s = f"{v:.{digits}f}"
        if s.startswith("0."):
            s = s[1:]  # ".37": one character more for the digits
        if len(s) <= width and (float(s) != 0 or v == 0):
            return s
    s = f"{v:.0e}".replace("e+0", "e").replace("e-0", "e-")
    return s if len(s) <= width else s[:width]


def text_pixels(text, scale=1):
    """A boolean bitmap of ``text`` (characters of the font), 1 pixel between glyphs."""
    cols = []
    for ch in text:
        cols.append(_GLYPHS.get(ch, _GLYPHS[" "]))
        cols.append(np.zeros((GLYPH_H, 1), dtype=bool))
    bitmap = np.hstack(cols[:-1]) if cols else np.zeros((GLYPH_H, 0), dtype=bool)
    if scale > 1:
        bitmap = bitmap.repeat(scale, axis=0).repeat(scale, axis=1)
    return bitmap
