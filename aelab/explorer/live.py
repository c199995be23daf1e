"""What a panel needs from its surroundings: the notebook cell it lives in, the layout of its
parts, BLAS threads for drawing, and closing widget trees.

Re-running the notebook cell that made a panel stops the panel it made before: panels are
kept here by the cell that made them (:func:`default_key`).
"""
from __future__ import annotations

import os
import sys
import threading

__all__ = ["default_key", "arrange", "blas_limit", "check_names", "close_tree"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# Live panels by key, so that re-running a notebook cell stops the panel it made before.
_LIVE: dict = {}
_LIVE_LOCK = threading.Lock()


def arrange(w, controls_box, notes, views, strip):
    """The panel's widget: controls, the status and note boxes, the views in rows, the pins.

    Views sit in three rows by their ``placement``: "top" (filters, PCA, reconstructions),
    "middle" (the k-sparse codes) and "bottom" (the charts).
    """
    pictures = []
    for row in ("top", "middle", "bottom"):
        items = [v.widget for v in views.values() if getattr(v, "placement", "top") == row]
        if len(items) == 1 and row == "middle":
            pictures.append(items[0])
        elif items:
            pictures.append(w.HBox(items, layout=w.Layout(
                flex_flow="row wrap", align_items="flex-end" if row == "top" else "stretch")))
    return w.VBox([controls_box, *notes, *pictures, strip])


def default_key():
    """Where the panel was made, so that re-running that notebook cell replaces it.

    In Jupyter the frontend sends the cell's id with every execution (``cellId``); when it
    does not, the cell's code file name (IPython names it after a hash of the cell's text)
    and line stand in. Outside IPython there are no cells to re-run: no key, no replacing.
    """
    if "IPython" not in sys.modules:
        return None
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except Exception:  # pragma: no cover - a broken IPython must not break the panel
        return None
    if shell is None:
        return None
    try:
        kernel = getattr(shell, "kernel", None)
        parent = kernel.get_parent() if kernel is not None and hasattr(kernel, "get_parent") \
            else getattr(shell, "parent_header", {})
        cell_id = (parent or {}).get("metadata", {}).get("cellId")
        if cell_id:
            return ("cell", str(cell_id))
    except Exception:  # pragma: no cover - kernel internals vary between versions
        pass
    # The first frame outside this module is the notebook cell (or from_config's caller).
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:  # pragma: no cover
        return None
    return ("code", frame.f_code.co_filename, frame.f_lineno)


def blas_limit(X, n_hidden):
    """aelab's BLAS thread limit for products of X's size (a no-op when unavailable)."""
    import contextlib

    try:
        from ..backend import blas_threads, get_namespace
    except ImportError:  # pragma: no cover - older engines
        return contextlib.nullcontext()
    return blas_threads(get_namespace(X), X.shape[0], X.shape[1], int(n_hidden))


def close_tree(widget):
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()


def check_names(what, names, allowed):
    """``names`` as a tuple without repeats, or a ValueError listing what is allowed."""
    if isinstance(names, str):
        names = (names,)
    names = tuple(names)
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; allowed: {list(allowed)}")
    return tuple(dict.fromkeys(names))  # keep order, drop repeats
