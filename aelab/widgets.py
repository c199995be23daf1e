"""Deprecated location of the live panel: use :mod:`aelab.explorer` (or ``aelab.Explorer``).

The panel was one 1 800-line module; it is now the package :mod:`aelab.explorer`, one idea per
module. This module re-exports the public names, and the few helpers older notebooks
imported, for one release.

Taught in notebooks/02-sparse-autoencoder.ipynb.
"""
from .explorer import CONTROL_NAMES, DEFAULT_CONTROLS, DEFAULT_VIEWS, VIEW_NAMES, Explorer
from .explorer.png import grey_png as _grey_png
from .explorer.png import png as _png
from .explorer.session import THREAD_PREFIX as _THREAD_PREFIX
from .explorer.session import note as _note
from .explorer.views.ksparse import codes_image as _codes_image
from .explorer.views.ksparse import tinted_grid as _tinted_grid

__all__ = ["Explorer", "CONTROL_NAMES", "VIEW_NAMES", "DEFAULT_CONTROLS", "DEFAULT_VIEWS"]
_LEGACY = (_grey_png, _png, _THREAD_PREFIX, _note, _codes_image, _tinted_grid)
