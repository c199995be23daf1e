"""One colour per quantity, the same in every view: the Okabe–Ito palette.

Okabe and Ito's eight colours stay distinct for the common forms of colour blindness
(protanopia, deuteranopia, tritanopia); each quantity the panel draws keeps one of them
wherever it appears (chart lines, bars, the words of a title that name it).
"""
from __future__ import annotations

__all__ = ["COLORS", "swatch", "rgb"]

COLORS = {
    "training": "#0072B2",     # blue: training J
    "held_out": "#E69F00",     # orange: held-out J
    "pca": "#009E73",          # bluish green: PCA's error, PCA's components
    "rho_hat": "#56B4E9",      # sky blue: mean activation ρ̂ⱼ
    "rho": "#D55E00",          # vermillion: the target ρ
    "dead": "#CC79A7",         # reddish purple: dead or faded units
    "positive": "#D55E00",     # codes: positive activations
    "negative": "#0072B2",     # codes: negative activations
}


def swatch(quantity, text):
    """``text`` in the colour of ``quantity``, as HTML (for titles and legends)."""
    return f"<span style='color:{COLORS[quantity]}'>{text}</span>"


def rgb(quantity):
    """The colour of ``quantity`` as three floats in [0, 1]."""
    h = COLORS[quantity].lstrip("#")
    return tuple(int(h[i:i + 2], 16) / 255.0 for i in (0, 2, 4))
