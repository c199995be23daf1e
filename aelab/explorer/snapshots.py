"""The snapshot strip: pin the current pictures, move a slider, compare before and after.

``panel.pin()`` (or the "pin" button) copies what the panel shows now (the filter grid and
the loss chart, with the hyperparameters and the final training and held-out J) into a strip
under the live pictures. The strip keeps the newest ``MAX_PINS``; ``panel.pins`` lists them.
This is the comparison students otherwise make from memory.
"""
from __future__ import annotations

import html

__all__ = ["SnapshotStrip", "MAX_PINS"]

MAX_PINS = 4
_SHOWN = ("lam", "beta", "rho", "epsilon", "n_hidden", "k", "noise_level", "contraction")
_SYMBOL = {"lam": "λ", "beta": "β", "rho": "ρ", "epsilon": "ε", "n_hidden": "units",
           "k": "k", "noise_level": "noise", "contraction": "γ"}


class SnapshotStrip:
    """Pinned snapshots of one panel, shown side by side."""

    def __init__(self, w):
        self.w = w
        self.pins = []
        self.box = w.HBox([], layout=w.Layout(flex_flow="row wrap"))

    def pin(self, params, views, stats):
        """Copy the current pictures; returns the snapshot's record."""
        images = {name: bytes(v.image.value) for name, v in views.items()
                  if name in ("filters", "loss", "ksparse_filters") and v.image.value}
        record = {
            "params": {k: params.get(k) for k in _SHOWN if k in params},
            "training_loss": stats.get("training_loss"),
            "holdout_loss": stats.get("holdout_loss"),
            "images": images,
        }
        self.pins.append(record)
        del self.pins[:-MAX_PINS]
        self._redraw()
        return record

    def clear(self):
        self.pins.clear()
        self._redraw()

    def _redraw(self):
        w = self.w
        for child in self.box.children:
            child.close()
        cards = []
        for i, rec in enumerate(self.pins, 1):
            label = ", ".join(f"{_SYMBOL[k]}={_fmt(v)}" for k, v in rec["params"].items())
            losses = []
            if rec["training_loss"] is not None:
                losses.append(f"training J {rec['training_loss']:.4g}")
            if rec["holdout_loss"] is not None:
                losses.append(f"held-out J {rec['holdout_loss']:.4g}")
            head = w.HTML(f"<b>pin {i}</b>: {html.escape(label)}<br><small>"
                          f"{html.escape(' · '.join(losses))}</small>")
            pictures = [w.Image(value=b, format="png", layout=w.Layout(max_width="220px"))
                        for b in rec["images"].values()]
            cards.append(w.VBox([head, *pictures], layout=w.Layout(
                border="1px solid #d0d7de", padding="4px", margin="2px")))
        self.box.children = cards


def _fmt(value):
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
