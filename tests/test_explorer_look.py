"""The panel's visual language: the labelled filter grid, the fixed-scale rule, one colour per
quantity, labelled axes, error notes with a hint (never a traceback), and the drawing time."""
import re
import time

import numpy as np
import pytest

import aelab
from aelab.datasets import natural_patches
from aelab.explorer import Explorer
from aelab.explorer.course import COURSE_PANELS, course_panel
from aelab.explorer.notes import hint_for, render
from aelab.explorer.palette import COLORS
from aelab.explorer.views.labels import short_number, text_pixels
from aelab.explorer.views.tiles import grid_layout, initial_norm, labelled_grid

pytest.importorskip("ipywidgets")
TIMEOUT = 120


def _panel(made, model, X, **kw):
    kw.setdefault("key", None)
    kw.setdefault("dataset", "data")
    p = Explorer(model, X, **kw)
    made.append(p)
    return p.wait(TIMEOUT)


def _png_pixels(data):
    import io

    from matplotlib.image import imread

    return imread(io.BytesIO(bytes(data)), format="png")


# ----------------------------------------------------------------- the filter grid
def _tile(img, g, j):
    """(tile pixels, label pixels) of tile j in a labelled grid with layout g."""
    y0 = 1 + (j // g["cols"]) * g["bh"]
    x0 = 1 + (j % g["cols"]) * g["bw"]
    return (img[y0:y0 + g["th"], x0:x0 + g["tw"]],
            img[y0 + g["th"] + 2:y0 + g["th"] + g["label_h"], x0:x0 + g["tw"]])


def test_every_tile_has_its_norm_underneath():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(9, 64)) * np.linspace(0.2, 1.0, 9)[:, None]
    img, norms, marked = labelled_grid(W, (8, 8), vmax=2.0, target_px=300)
    np.testing.assert_allclose(norms, np.linalg.norm(W, axis=1))
    assert not marked.any() and img.ndim == 2
    g = grid_layout(9, (8, 8), 300)
    for j in range(9):
        tile, label = _tile(img, g, j)
        # the tile is the filter on the shared scale (zero is mid grey)
        want = np.clip(W[j] / 4.0 + 0.5, 0, 1).reshape(8, 8).repeat(g["s"], 0).repeat(
            g["s"], 1)
        np.testing.assert_allclose(tile / 255.0, want, atol=1 / 255 + 1e-9)
        text = text_pixels(short_number(norms[j], min(g["n_chars"] - 1, 4)), g["gs"])
        tx = (g["tw"] - text.shape[1]) // 2
        np.testing.assert_array_equal(label[:text.shape[0], tx:tx + text.shape[1]] > 128,
                                      text)
        assert float(short_number(norms[j], 4)) == pytest.approx(norms[j], abs=0.06)


def test_dead_and_faded_units_are_marked_in_purple():
    rng = np.random.default_rng(1)
    W = rng.normal(size=(16, 64)) * 0.3
    W[5] *= 1e-6  # faded: far below 1 % of the initial norm
    assert np.linalg.norm(W[5]) < 0.01 * initial_norm(64, 16)
    dead = np.zeros(16, bool)
    dead[11] = True
    img, _, marked = labelled_grid(W, (8, 8), 1.0, dead, target_px=200)
    assert np.flatnonzero(marked).tolist() == [5, 11] and img.ndim == 3
    g = grid_layout(16, (8, 8), 200)
    purple = np.array([int(COLORS["dead"][i:i + 2], 16) for i in (1, 3, 5)])
    for j, want in ((5, True), (11, True), (0, False)):
        tile, label = _tile(img, g, j)
        tinted = bool(np.any(tile[..., 0] != tile[..., 1]))
        assert tinted == want, j
        lit = label[label.max(axis=2) > 60]  # the label's text pixels
        if want:  # tile and label lean to purple (red and blue above green)
            assert tile[..., 0].mean() > tile[..., 1].mean() and purple[0] > purple[1]
            np.testing.assert_array_equal(lit, np.broadcast_to(purple, lit.shape))
        else:
            assert np.all(lit[:, 0] == lit[:, 1])


def test_the_filter_view_is_larger_and_says_what_it_marks(made):
    panel = _panel(made, aelab.SparseAutoencoder(n_hidden=25, max_iter=20),
                   natural_patches(400, seed=1))
    pixels = _png_pixels(panel.views["filters"].value)
    assert pixels.shape[1] >= 280  # the old grid was 230 px wide (5 tiles of 8 px, × 5)
    title = panel._views["filters"].label.value
    assert "25 hidden units" in title and "under each tile its norm" in title
    panel.controls["lam"].value = 0.1  # weight decay collapses the filters
    panel.wait(TIMEOUT)
    title = panel._views["filters"].label.value
    assert "faded" in title and COLORS["dead"] in title


# ----------------------------------------------------------------- the fixed-scale rule
def test_a_slider_move_does_not_rescale_and_rescale_does(made):
    panel = _panel(made, aelab.SparseAutoencoder(n_hidden=16, max_iter=60),
                   natural_patches(600, seed=2))
    filters, loss = panel._views["filters"], panel._views["loss"]
    vmax, limits = filters.range.value, loss._limits
    assert vmax is not None and limits is not None
    before = bytes(panel.views["filters"].value)
    panel.controls["lam"].value = 3e-3  # shrinks the weights: a visible change
    panel.wait(TIMEOUT)
    W = np.asarray(panel.model.params_["W1"])
    assert np.max(np.abs(W)) < vmax  # the weights shrank ...
    assert filters.range.value == vmax and loss._limits[1:] == limits[1:]  # ... not the scale
    assert bytes(panel.views["filters"].value) != before
    assert f"±{vmax:.3g}" in filters.label.value
    panel.rescale()
    assert filters.range.value == pytest.approx(float(np.max(np.abs(W))))
    assert f"±{filters.range.value:.3g}" in filters.label.value


def test_reset_releases_the_scales(made):
    panel = _panel(made, aelab.SparseAutoencoder(n_hidden=9, max_iter=30),
                   natural_patches(300, seed=3))
    fixed = panel._views["filters"].range.value
    panel.controls["lam"].value = 1e-2  # a warm start: the scale stays
    panel.wait(TIMEOUT)
    assert panel._views["filters"].range.value == fixed
    panel.reset()  # a fresh start at λ = 1e-2, whose filters are much weaker
    panel.wait(TIMEOUT)
    now = float(np.max(np.abs(np.asarray(panel.model.params_["W1"]))))
    assert panel._views["filters"].range.value == pytest.approx(now) != fixed


# ----------------------------------------------------------------- colours and axes
def test_one_colour_per_quantity_across_views(made):
    panel = _panel(made, aelab.SparseAutoencoder(n_hidden=9, max_iter=20),
                   natural_patches(300, seed=4))
    loss = panel._views["loss"]
    acts = panel._views["activations"]
    assert loss.line.get_color() == COLORS["training"]
    assert loss.held.get_color() == COLORS["held_out"]
    assert acts.target.get_color() == COLORS["rho"]
    assert COLORS["rho_hat"] in acts.label.value and COLORS["rho"] in acts.label.value
    assert COLORS["training"] in loss.label.value and COLORS["held_out"] in loss.label.value
    assert len(set(COLORS[k] for k in ("training", "held_out", "pca", "rho_hat", "rho",
                                       "dead"))) == 6
    for view in (loss, acts):  # titled charts with labelled axes
        ax = view.chart.ax
        assert ax.get_xlabel() and ax.get_ylabel() and view.label.value.startswith("<b>")


# ----------------------------------------------------------------- errors and warnings
def test_an_error_shows_as_a_note_with_a_hint_never_a_traceback(made):
    class Broken(aelab.SparseAutoencoder):
        def fit(self, X, callback=None):
            raise ValueError("lam=-1 is out of range; allowed: >= 0\nTraceback (most recent "
                             "call last):\n  File 'x.py'")

    panel = Explorer(Broken(n_hidden=4, max_iter=3), natural_patches(100), key=None,
                     dataset="data")
    made.append(panel)
    with pytest.raises(ValueError):
        panel.wait(TIMEOUT)
    box = panel.error_box.value
    assert "ValueError" in box and "lam=-1 is out of range" in box
    assert "Traceback" not in box and "x.py" not in box
    hint = re.search(r"hint: ([^<]*)", box)
    assert hint and "\n" not in hint.group(1) and "slider" in hint.group(1)
    assert "border-left:4px solid #a00000" in box  # the style the browser tests look for


def test_hints_fit_the_error():
    assert "k" in hint_for("ValueError", "k=40 must be at most n_hidden=20")
    assert "smaller" in hint_for("TrainingDivergedWarning", "training diverged")
    assert hint_for("SomethingElse", "odd") != ""
    note = render("KeyError", "x" * 1000, "#a00000", "#fdecea")
    assert len(re.sub(r"<[^>]+>", "", note)) < 500


# ----------------------------------------------------------------- drawing time
def _min_seconds(fn, n=5):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


@pytest.mark.parametrize("nn", COURSE_PANELS)
def test_each_course_panel_draws_a_frame_of_each_view_fast(made, nn):
    from aelab.explorer.frames import grid
    from aelab.explorer.png import grey_png

    panel = course_panel(nn, key=None)
    made.append(panel)
    panel.wait(TIMEOUT)
    assert panel.error_box.value == ""
    f = panel._last_frame
    drawn = {}
    for name, view in panel._views.items():
        seconds = drawn[name] = _min_seconds(lambda: view.update(f))
        # The bar is 30 ms on an idle core; a busy shared CI machine is slower, so
        # the absolute check is loose and the labelled grid is held to the old plain grid.
        assert seconds < 0.15, (nn, name, seconds)
        assert bytes(view.image.value).startswith(b"\x89PNG")
    if "filters" in panel._views:
        new = _min_seconds(lambda: panel._views["filters"].update(f))
        old = _min_seconds(lambda: grey_png(grid(f.W1, f.shape), 240))
        assert new < 2.5 * old + 0.005, (nn, new, old)
        drawn["old plain grid"] = old
    print(f"\nnotebook {nn}: " + ", ".join(f"{k} {1e3 * v:.1f} ms" for k, v in drawn.items()))


# ----------------------------------------------------------------- the browser's snapped echo
def test_a_snapped_echo_from_the_browser_does_not_retrain(made):
    panel = _panel(made, aelab.SparseAutoencoder(n_hidden=9, max_iter=20),
                   natural_patches(300, seed=5))
    rho = panel.controls["rho"]
    rho.value = 0.05  # between two steps of the log slider: a browser snaps it
    panel.wait(TIMEOUT)
    rho.value = 0.01
    panel.wait(TIMEOUT)
    started = panel.stats["trainings_started"]
    snapped = 10 ** (-3 + round((np.log10(0.05) + 3) / rho.step) * rho.step)
    assert snapped != 0.05
    rho.set_state({"value": snapped})  # what the browser sends back, late
    assert panel.stats["requests"] == 3 and panel.model.rho == 0.01
    assert rho.value == 0.01  # the slider shows the value the model has
    rho.set_state({"value": 0.2})  # a real drag still retrains
    panel.wait(TIMEOUT)
    assert panel.model.rho == pytest.approx(0.2) and panel.stats["trainings_started"] > started
    rho.set_state({"value": snapped})  # each value set from code is excused once only
    panel.wait(TIMEOUT)
    assert panel.model.rho == pytest.approx(snapped)
