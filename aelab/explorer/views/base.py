"""The views of the live panel: one picture each, behind one small protocol.

A view is a class built as ``View(widgets, scale)`` (``widgets`` is the ipywidgets module,
``scale`` 1.0, or 1.6 in the lecture layout) with

* ``image``: the ``ipywidgets.Image`` whose bytes hold the latest frame (``panel.views[name]``);
* ``widget``: what the panel lays out (the image with its title);
* ``update(frame)``: draw one :class:`~aelab.explorer.frames.Frame` (host arrays only);
* ``placement``: "top" (beside the filters), "middle" or "bottom" (the charts' row);
* optionally ``settle()`` and ``release()``: the fixed-scale rule (:class:`FixedScale`);
  the panel calls ``settle()`` after each retrain's final frame and ``release()`` on reset
  or ``panel.rescale()``.

:func:`register_view` adds one under a name, which ``Explorer(views=[...])`` then accepts.
The recipe for a new view is in docs/INSTRUCTORS.md ("Add a view to the panel").
"""
from __future__ import annotations

__all__ = ["ImageView", "FixedScale", "VIEWS", "register_view", "view_class"]

#: name -> view class, in the order the panel lays them out within a row.
VIEWS: dict = {}


def register_view(name, cls):
    """Make ``cls`` available to ``Explorer(views=[name, ...])``; returns ``cls``.

    Taught in notebooks/02-sparse-autoencoder.ipynb (the panel); see docs/INSTRUCTORS.md.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"a view's name must be a non-empty string, got {name!r}")
    for attr in ("update",):
        if not callable(getattr(cls, attr, None)):
            raise TypeError(f"view {name!r}: {cls.__name__} has no {attr}() method")
    VIEWS[name] = cls
    return cls


def view_class(name):
    """The class registered under ``name`` (a KeyError lists the known names)."""
    try:
        return VIEWS[name]
    except KeyError:
        raise KeyError(f"unknown view {name!r}; known: {list(VIEWS)}") from None


class ImageView:
    """A titled ``ipywidgets.Image`` whose bytes are replaced in place for every frame."""

    title = ""
    placement = "top"

    def __init__(self, widgets, scale):
        self.image = widgets.Image(format="png", value=b"")
        self.label = widgets.HTML(f"<b>{self.title}</b>")
        self.widget = widgets.VBox([self.label, self.image])
        self.scale = scale

    def set_title(self, text):
        if self.label.value != text:
            self.label.value = text


class FixedScale:
    """The fixed-scale rule: a scale kept while the sliders move, so a change shows as one.

    Until a scale is set, each frame is drawn on its own (``candidate``); the panel calls
    :meth:`settle` after the final frame of a retrain, which keeps the scale of that frame,
    and :meth:`release` on reset or when the student asks to rescale (the panel's
    "rescale" button, ``panel.rescale()``), so that the next retrain sets it afresh.
    """

    def __init__(self):
        self.value = None
        self._last = None

    def get(self, candidate):
        """The scale to draw this frame with: the fixed one, else ``candidate``."""
        self._last = candidate
        return candidate if self.value is None else self.value

    def settle(self):
        if self.value is None and self._last is not None:
            self.value = self._last

    def release(self):
        self.value = None
