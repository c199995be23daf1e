"""The panel's widgets, put together: controls, views, notes, challenges, pins, buttons.

:func:`build_widgets` gives an :class:`~aelab.explorer.panel.Explorer` its widget
attributes (``controls``, ``views``, ``status``, ``error_box``, ``warning_box``, ``widget``)
and wires the buttons: "pin" and "clear pins" (the snapshot strip), "rescale" (the
fixed-scale rule of :class:`~aelab.explorer.views.base.FixedScale`).
"""
from __future__ import annotations

from .challenges import ChallengeBoard
from .controls import Controls
from .live import arrange
from .notes import Notes
from .snapshots import SnapshotStrip
from .views import view_class

__all__ = ["build_widgets"]


def build_widgets(panel):
    """Build and wire ``panel``'s widgets (in ``Explorer.__init__``)."""
    w = panel._ipw
    panel._controls = Controls(w, panel._control_names, panel._params,
                               list(panel._data.sources), panel._dataset)
    panel.controls = c = panel._controls.widgets
    for name, widget in c.items():
        if name == "reset":
            widget.on_click(lambda _b: panel.reset())
        else:
            widget.observe(lambda change, n=name: panel._on_control(n, change["new"]),
                           names="value")
    scale = 1.6 if panel.layout == "lecture" else 1.0
    panel._views = {name: view_class(name)(w, scale) for name in panel._view_names}
    panel.views = {name: v.image for name, v in panel._views.items()}
    if "ksparse" in panel._views:
        ks = panel._views["ksparse"]
        panel.views["ksparse_filters"] = ks.grid
        if "filters" in panel._views:  # one filter grid is enough
            ks.show_grid = False
            ks.grid_box.layout.display = "none"
    panel.status = w.HTML("<i>starting…</i>")
    panel.error_box = w.HTML("")
    panel.warning_box = w.HTML("")
    panel._notes = Notes(panel.error_box, panel.warning_box)
    panel._board = ChallengeBoard(w, panel._challenge_list)
    panel._strip = SnapshotStrip(w)
    buttons = [
        (w.Button(description="pin", icon="thumb-tack",
                  tooltip="keep these pictures beside the live ones, to compare"),
         lambda _b: panel.pin()),
        (w.Button(description="clear pins", tooltip="remove the pinned snapshots"),
         lambda _b: panel._strip.clear()),
        (w.Button(description="rescale", icon="arrows-v",
                  tooltip="fit the pictures' scales to what they show now (they stay fixed "
                          "while sliders move, so that a change shows as a change)"),
         lambda _b: panel.rescale()),
    ]
    for button, action in buttons:
        button.on_click(action)
    panel._pin_buttons = w.HBox([b for b, _ in buttons])
    panel.widget = arrange(w, w.VBox([panel._controls.box(), panel._pin_buttons]),
                           [panel.status, panel.error_box, panel.warning_box,
                            panel._board.box], panel._views, panel._strip.box)
    # CSS classes for the browser tests and for instructors' style sheets.
    panel.widget.add_class("aelab-explorer")
    panel.status.add_class("aelab-status")
    panel._board.box.add_class("aelab-challenges")
    panel._strip.box.add_class("aelab-pins")
    for name, view in panel._views.items():
        view.widget.add_class(f"aelab-view-{name}")
        chart = getattr(view, "chart", None)
        if chart is not None:  # a chart's title wraps above it, never runs into the next
            px = int(chart.fig.get_figwidth() * chart.fig.dpi)
            view.widget.layout = w.Layout(max_width=f"{px + 8}px", margin="0 16px 8px 0")
