"""The panel's error and warning boxes: a styled note, its message, and a one-line hint.

The training session writes ``<b>Kind</b>: message`` notes into ``error_box`` and
``warning_box``; :class:`Notes` watches both and rewrites each note the moment it is
written: the kind, the first line of the message (never a traceback: the full exception is
raised again from ``panel.wait()``), and a hint on what to try. An instructor can add a hint
with :data:`HINTS`.
"""
from __future__ import annotations

import html
import re

__all__ = ["Notes", "hint_for", "HINTS"]

_MARK = "data-aelab-hint"
_NOTE = re.compile(r"<b>(?P<kind>.*?)</b>:\s*(?P<message>.*)</div>\s*$", re.S)
_MAX_MESSAGE = 300

#: (kind or "*", a word the message contains or "", the hint), the first that fits wins.
HINTS = [
    ("*", "k_start", "k_start must be at least k: lower k, or raise the hidden size."),
    ("*", "k=", "k counts units kept per example: keep it at or below the hidden size."),
    ("*", "out of range", "Move the slider named in the message back into its range."),
    ("TrainingDivergedWarning", "", "Smaller steps help: a smaller ε, λ or learning rate."),
    ("MemoryError", "", "Too big for this machine: fewer examples or hidden units."),
    ("FloatingPointError", "", "The numbers overflowed: try a smaller ε or learning rate."),
    ("TimeoutError", "", "Training took too long: lower max_iter or max_train_seconds."),
    ("ValueError", "", "A setting the model refuses: move the last slider back."),
    ("TypeError", "", "A setting of the wrong kind: check the value set from code."),
    ("*", "", "Move a slider to retrain; panel.wait() raises the full error for debugging."),
]


def hint_for(kind, message):
    """The first hint of :data:`HINTS` that fits an error ``kind`` and its ``message``."""
    for k, word, hint in HINTS:
        if k in ("*", kind) and word in message:
            return hint
    return ""


def render(kind, message, color, background):
    """The styled note: a coloured left border, the kind in bold, the message, the hint."""
    lines = [ln for ln in str(message).strip().splitlines() if ln.strip()]
    first = lines[0] if lines else ""
    if "Traceback (most recent call last)" in first:
        first = lines[-1] if lines else ""
    if len(first) > _MAX_MESSAGE:
        first = first[:_MAX_MESSAGE - 1] + "…"
    hint = hint_for(kind, first)
    hint_html = (f"<div {_MARK} style='font-size:90%;color:#444'>hint: {html.escape(hint)}"
                 f"</div>" if hint else f"<div {_MARK}></div>")
    return (f"<div style='border-left:4px solid {color};background:{background};"
            f"padding:4px 8px;margin:2px 0;color:{color};border-radius:3px'>"
            f"<b>{html.escape(kind)}</b>: {html.escape(first)}{hint_html}</div>")


class Notes:
    """Rewrites what is written into an error or warning box as a note with a hint."""

    STYLES = {"error": ("#a00000", "#fdecea"), "warning": ("#8a6d00", "#fff8e1")}

    def __init__(self, error_box, warning_box):
        for box, style in ((error_box, "error"), (warning_box, "warning")):
            box.observe(lambda change, b=box, s=style: self._restyle(b, s, change["new"]),
                        names="value")

    def _restyle(self, box, style, value):
        if not value or _MARK in value:
            return
        match = _NOTE.search(value)
        if match:
            kind = html.unescape(re.sub(r"<[^>]+>", "", match["kind"]))
            message = html.unescape(re.sub(r"<[^>]+>", "", match["message"]))
        else:
            kind, message = style, html.unescape(re.sub(r"<[^>]+>", "", value))
        box.value = render(kind, message, *self.STYLES[style])
