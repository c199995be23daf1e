"""The live Explorer: sliders that retrain an autoencoder and redraw it while you watch.

``Explorer(model, X)`` shows sliders for λ, β, ρ, ε and the hidden size (and, on request, k,
the input noise and the contraction weight) beside pictures of the model (its filters,
reconstructions, mean activations, loss curve, a PCA comparison, and the k-sparse codes with
the dead units). Moving
a slider cancels the training in flight and starts a new one in a background thread; frames are
redrawn while it trains, so the first change is visible at once and the picture settles as the
model converges.

How it is built, and why:

* **One worker thread, one slot.** Control changes write "the newest requested
  configuration" into a single slot and wake the worker; they never queue. The running
  ``fit`` is cancelled through its callback (returning True stops it at once), and the worker
  picks up whatever is in the slot then. Fifty fast slider moves therefore cost at most one
  cancelled and one completed training, not fifty.
* **Frames are PNG bytes pushed into ``ipywidgets.Image``.** Setting ``Image.value`` replaces
  the picture in place in every frontend (JupyterLab, Notebook 7, Voilà) with no flicker and
  no dependence on a matplotlib backend, and it works headless. Filter grids and
  reconstructions are plain arrays encoded straight to PNG; the two charts are drawn with
  matplotlib's Agg into one reused figure each, blitting only the artists that move.
* **Warm starts only when honest.** A change of λ, β, ρ, k, the noise or the contraction
  weight continues from the current parameters (same data, same shapes, same
  initialisation); a change of hidden size, data set, seed or ε, or the reset button, starts
  from fresh initial weights. The status line says which.
* **Every value reachable.** A log slider has no 0, so λ and γ have a "= 0" check box beside
  them (as ε has "default init" for ``epsilon=None``); moving the slider unticks it.
* **Errors are shown, not lost.** An exception in training or drawing, or a value the model
  refuses (say k above the hidden size), appears in the panel (type and message) and is raised
  again from :meth:`Explorer.wait`; the worker carries on with the next change.

ipywidgets and matplotlib are imported only when a panel is built, so ``import aelab`` stays
light.

Taught in notebooks/02-sparse-autoencoder.ipynb (and used in notebooks/01, 03, 04, 05 and 06).
"""
from __future__ import annotations

import collections
import html
import math
import struct
import sys
import threading
import time
import weakref
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from .convergence import fixed_budget
from .validation import check_int, check_real

__all__ = ["Explorer", "CONTROL_NAMES", "VIEW_NAMES"]

#: Every control an Explorer can show, in display order.
CONTROL_NAMES = ("lam", "beta", "rho", "epsilon", "n_hidden", "k", "noise", "noise_level",
                 "contraction", "dataset", "seed", "reset")
#: Every view an Explorer can show.
VIEW_NAMES = ("filters", "reconstructions", "activations", "loss", "pca", "ksparse")

DEFAULT_CONTROLS = ("lam", "beta", "rho", "epsilon", "n_hidden", "seed", "reset")
DEFAULT_VIEWS = ("filters", "reconstructions", "activations", "loss")

_CONFIG_FORMAT = "aelab.Explorer/1"
_N_RECONSTRUCTIONS = 8
# Rows used to draw ρ̂. Its standard error from 2000 examples is far below what a bar chart
# can show, and encoding all 10 000 patches would make ρ̂ the slowest part of every frame.
_MAX_ACTIVATION_ROWS = 2000
_THREAD_PREFIX = "aelab-explorer"

# Hyperparameters whose change invalidates the current parameters as a starting point: the
# shapes change (n_hidden), the data changes, or the *initialisation* itself is what the
# student asked to change (seed, ε). Anything else warm-starts.
_FRESH_KEYS = ("n_hidden", "seed", "epsilon")

# Controls whose hyperparameter has a special value that a slider cannot reach, and the check
# box beside the slider that selects it: λ = 0 and γ = 0 (a log slider has no 0) and ε = None
# (the UFLDL uniform initialisation). Moving the slider unticks its box.
_SPECIAL_BOXES = {  # slider name -> (box name, the special value, the box's label)
    "lam": ("lam_zero", 0.0, "λ = 0"),
    "epsilon": ("default_init", None, "default init (UFLDL uniform)"),
    "contraction": ("contraction_zero", 0.0, "γ = 0 (off)"),
}
# The noise drop-down's labels and the ``noise`` values they stand for. (ipywidgets reads a
# drop-down value of None as "nothing selected", so "none" is a string here.)
_NOISE_CHOICES = {"none": None, "mask": "mask", "gaussian": "gaussian"}
# noise_level given to a noise type switched on while the level is 0 (which would corrupt
# nothing): the DenoisingAutoencoder's default masking level, and a Gaussian σ of the same
# order for data in [0, 1].
_DEFAULT_NOISE_LEVEL = {"mask": 0.3, "gaussian": 0.2}

# Live panels by key, so that re-running a notebook cell stops the panel it made before.
_LIVE: dict = {}
_LIVE_LOCK = threading.Lock()


# --------------------------------------------------------------------------- PNG


def _png(pixels):
    """Encode a uint8 image, (h, w) grey or (h, w, 3) RGB, as PNG bytes.

    A dozen lines of zlib instead of matplotlib's ``savefig``: for the panel's small images it
    is about ten times faster, and it needs no figure at all for the filter grids.
    """
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    h, w = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    color_type = {1: 0, 3: 2, 4: 6}[channels]
    raw = np.empty((h, w * channels + 1), dtype=np.uint8)
    raw[:, 0] = 0  # filter type "None" for every scanline
    raw[:, 1:] = pixels.reshape(h, w * channels)

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    # Level 1: these images are tiny and redrawn ten times a second; size hardly matters.
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 1)) + chunk(b"IEND", b""))


def _grey_png(image01, target):
    """PNG of a [0, 1] grey image, enlarged by a whole factor towards ``target`` pixels wide.

    Enlarging by pixel repetition here (rather than letting the browser scale the image) keeps
    8×8 tiles crisp: browsers smooth scaled images, which blurs small filters into mush.
    """
    h, w = image01.shape
    scale = max(1, int(target // max(h, w)))
    img = np.clip(image01, 0.0, 1.0)
    if scale > 1:
        img = img.repeat(scale, axis=0).repeat(scale, axis=1)
    return _png((img * 255.0 + 0.5).astype(np.uint8))


# --------------------------------------------------------------------------- helpers


def _to_host(a):
    from .backend import to_numpy

    return np.asarray(to_numpy(a), dtype=np.float64)


def _grid(W, shape, n_cols=None, normalize="each"):
    """Filter grid image in [0, 1]: aelab.plotting's, or a local copy while that is missing."""
    try:
        from .plotting import filter_grid_image
    except ImportError:  # pragma: no cover - plotting.py is part of the package
        filter_grid_image = None
    if filter_grid_image is not None:
        return filter_grid_image(W, shape=shape, n_cols=n_cols, normalize=normalize)
    W = np.asarray(W, dtype=np.float64)
    h, w = shape
    n = W.shape[0]
    cols = n_cols or math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    if normalize == "each":
        s = np.abs(W).max(axis=1, keepdims=True)
        s[s == 0] = 1
        W = W / (2 * s) + 0.5
    canvas = np.zeros((rows * (h + 1) + 1, cols * (w + 1) + 1))
    for i in range(n):
        r, c = divmod(i, cols)
        canvas[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + c * (w + 1):1 + c * (w + 1) + w] = \
            W[i].reshape(h, w)
    return np.clip(canvas, 0, 1)


def _image_shape(n_features, given=None):
    """(height, width) of one example, from ``given`` when it fits, else square, else a strip."""
    if given is not None:
        h, w = (int(v) for v in given)
        if h * w == n_features:
            return (h, w)
    side = math.isqrt(n_features)
    if side * side == n_features:
        return (side, side)
    return (1, n_features)


def _jsonable(value):
    """Plain Python (JSON) version of a hyperparameter value, or a TypeError naming it."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    raise TypeError(f"{value!r} ({type(value).__name__}) cannot be stored in a JSON config")


def _default_key():
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
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    if frame is None:  # pragma: no cover
        return None
    return ("code", frame.f_code.co_filename, frame.f_lineno)


# --------------------------------------------------------------------------- frames


@dataclass
class _Frame:
    """What one redraw shows; computed once and handed to every view."""

    W1: np.ndarray                  # (n_hidden, n_features), host copy
    shape: tuple                    # (height, width) of one example
    originals: np.ndarray           # (n_show, n_features)
    reconstructions: np.ndarray     # (n_show, n_features)
    rho_hat: np.ndarray             # (n_hidden,)
    rho: float | None               # target, None when no sparsity penalty
    activation: str
    loss_curve: list
    max_iter: int
    rho_rows: int = 0               # examples ρ̂ was estimated from, when a subsample
    pca: np.ndarray | None = None   # (k, n_features) principal directions, when shown
    angle: float | None = None      # largest principal angle to PCA, degrees
    codes: np.ndarray | None = None  # (n_show, n_hidden) codes of ``originals``, "ksparse"
    dead: np.ndarray | None = None  # (n_hidden,) bool, dead units on the ρ̂ rows, "ksparse"
    k: int | None = None            # units kept per example in training (None: all)
    k_kept: int | None = None       # units kept by transform, round(α k)
    k_start: int | None = None      # where annealing starts, when it does
    dead_rows: int = 0              # examples the dead units were counted on


class _Chart:
    """A small matplotlib figure redrawn by blitting only its moving ("animated") artists.

    A full ``canvas.draw()`` (axes, ticks, labels) costs 10-20 ms on an idle machine and
    can reach 100 ms on a busy one; restoring the saved background and drawing two artists
    costs 2-4 ms. A full draw happens only when the axes limits change (``invalidate``).
    Titles and axis labels live in HTML above the image rather than in the figure: laying
    them out around the tick labels was half the cost of a full draw.
    """

    def __init__(self, size, dpi):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        # A bare Figure with an Agg canvas, not pyplot: no global state, no GUI backend,
        # and safe to draw from the worker thread (only that thread ever draws it).
        self.fig = Figure(figsize=size, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes((0.16, 0.1, 0.8, 0.86))
        self.ax.tick_params(labelsize=7)
        self.animated = []
        self._background = None

    def animate(self, artist):
        artist.set_animated(True)
        self.animated.append(artist)
        return artist

    def invalidate(self):
        self._background = None

    def set_y(self, scale, lo, hi):
        """Set the y scale and limits, with few ticks (each tick label costs drawing time)."""
        from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator

        ax = self.ax
        ax.set_autoscale_on(False)
        # Limits before scale: with no data yet, a log scale would try (and warn about)
        # autoscaling empty data.
        ax.set_ylim(lo, hi)
        ax.set_yscale(scale)
        ax.set_ylim(lo, hi)
        if scale == "log":
            ax.yaxis.set_major_locator(LogLocator(numticks=5))
        else:
            ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        self.invalidate()

    def png(self):
        if self._background is None:
            self.canvas.draw()  # animated artists are skipped by a normal draw
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.animated:
            self.ax.draw_artist(artist)
        return _png(np.asarray(self.canvas.buffer_rgba())[:, :, :3])


# --------------------------------------------------------------------------- views


class _ImageView:
    """A titled ``ipywidgets.Image`` whose bytes are replaced in place for every frame."""

    title = ""

    def __init__(self, widgets, scale):
        self.image = widgets.Image(format="png", value=b"")
        self.label = widgets.HTML(f"<b>{self.title}</b>")
        self.widget = widgets.VBox([self.label, self.image])
        self.scale = scale

    def set_title(self, text):
        if self.label.value != text:
            self.label.value = text


class _FiltersView(_ImageView):
    title = "Filters W₁ (encoder weights)"

    def update(self, f):
        self.image.value = _grey_png(_grid(f.W1, f.shape), 240 * self.scale)
        self.set_title(f"<b>Filters W₁</b> ({f.W1.shape[0]} hidden units)")


class _PCAView(_ImageView):
    title = "PCA components"

    def update(self, f):
        if f.pca is None:
            return
        self.image.value = _grey_png(_grid(f.pca, f.shape), 240 * self.scale)
        self.set_title(f"<b>PCA components</b> (top {f.pca.shape[0]})")


class _ReconstructionsView(_ImageView):
    title = "Originals (top) and reconstructions (bottom)"

    def update(self, f):
        # One grey scale for both rows, from the originals' range: a reconstruction that is
        # too faint or too bright must look so, not be rescaled into looking right.
        lo, hi = float(f.originals.min()), float(f.originals.max())
        span = hi - lo if hi > lo else 1.0
        rows = (np.vstack([f.originals, f.reconstructions]) - lo) / span
        image = _grid(rows, f.shape, n_cols=len(f.originals), normalize="none")
        self.image.value = _grey_png(image, 340 * self.scale)


class _ActivationsView:
    """Bars of the mean activation ρ̂ⱼ of each hidden unit, with the target ρ as a line."""

    def __init__(self, widgets, scale):
        from matplotlib.collections import PolyCollection

        self.chart = _Chart((3.4 * scale, 2.1 * scale), 80)
        ax = self.chart.ax
        self.bars = self.chart.animate(ax.add_collection(PolyCollection([], facecolors="C0")))
        self.target = self.chart.animate(ax.axhline(0.0, color="C3", lw=1.2))
        self.image = widgets.Image(format="png", value=b"")
        self.label = widgets.HTML(self._title(""))
        self.widget = widgets.VBox([self.label, self.image])
        self._limits = None

    @staticmethod
    def _title(note):
        return (f"<b>Mean activation ρ̂ per hidden unit</b> "
                f"(<span style='color:#d62728'>line: ρ</span>){note}")

    def _fit_limits(self, f):
        """Axes limits for this frame; changing them costs a full redraw, so change rarely."""
        n = len(f.rho_hat)
        if f.activation == "sigmoid":
            # Log scale: ρ = 0.01 and an untrained ρ̂ ≈ 0.5 are both readable on one axis.
            return (n, "log", 1e-4, 1.0)
        if f.activation == "tanh":
            return (n, "linear", -1.0, 1.0)
        values = np.append(f.rho_hat, f.rho if f.rho is not None else 0.0)
        lo, hi = min(0.0, float(values.min())), float(values.max())
        if self._limits is not None and self._limits[0] == n:
            _, _, old_lo, old_hi = self._limits
            # Keep the old limits while the data still fill a good part of them.
            if old_lo <= lo and hi <= old_hi and (hi - lo) > 0.3 * (old_hi - old_lo):
                return self._limits
        pad = 0.15 * (hi - lo or 1.0)
        return (n, "linear", lo - (pad if lo < 0 else 0.0), hi + pad)

    def update(self, f):
        limits = self._fit_limits(f)
        ax = self.chart.ax
        title = self._title(f", from {f.rho_rows} examples" if f.rho_rows else "")
        if title != self.label.value:
            self.label.value = title
        if limits != self._limits:
            n, scale, lo, hi = limits
            self.chart.set_y(scale, lo, hi)
            ax.set_xlim(-0.6, n - 0.4)
            self._limits = limits
        n, scale, lo, hi = limits
        base = lo if scale == "log" else 0.0
        heights = np.clip(f.rho_hat, lo, hi)
        x = np.arange(n, dtype=np.float64)
        verts = np.empty((n, 4, 2))
        verts[:, 0, 0] = verts[:, 1, 0] = x - 0.4
        verts[:, 2, 0] = verts[:, 3, 0] = x + 0.4
        verts[:, 0, 1] = verts[:, 3, 1] = base
        verts[:, 1, 1] = verts[:, 2, 1] = heights
        self.bars.set_verts(verts)
        self.target.set_visible(f.rho is not None)
        if f.rho is not None:
            self.target.set_ydata([f.rho, f.rho])
        self.image.value = self.chart.png()


class _LossView:
    """The objective J per iteration of the current training (x axis up to ``max_iter``)."""

    def __init__(self, widgets, scale):
        self.chart = _Chart((3.4 * scale, 2.1 * scale), 80)
        ax = self.chart.ax
        (self.line,) = ax.plot([], [], color="C0", lw=1.2)
        self.chart.animate(self.line)
        self.image = widgets.Image(format="png", value=b"")
        self.label = widgets.HTML("<b>Objective J</b> per iteration of this training")
        self.widget = widgets.VBox([self.label, self.image])
        self._limits = None

    def _fit_limits(self, curve, max_iter):
        lo, hi = float(np.min(curve)), float(np.max(curve))
        log = lo > 0
        if self._limits is not None:
            old_iter, old_log, old_lo, old_hi = self._limits
            if old_iter == max_iter and old_log == log and old_lo <= lo and hi <= old_hi:
                too_loose = (math.log10(old_hi / old_lo) > 3 * max(math.log10(hi / lo), 0.3)
                             if log else (old_hi - old_lo) > 4 * max(hi - lo, 1e-12))
                if not too_loose:
                    return self._limits
        if log:
            # Generous head-room below: the loss keeps falling, and every change of
            # limits costs a full redraw.
            return (max_iter, True, lo / 3.0, hi * 1.5)
        pad = 0.2 * (hi - lo or abs(hi) or 1.0)
        return (max_iter, False, lo - pad, hi + pad)

    def update(self, f):
        curve = np.asarray(f.loss_curve, dtype=np.float64)
        curve = curve[np.isfinite(curve)]
        if curve.size == 0:
            self.line.set_data([], [])
        else:
            limits = self._fit_limits(curve, f.max_iter)
            if limits != self._limits:
                max_iter, log, lo, hi = limits
                self.chart.set_y("log" if log else "linear", lo, hi)
                self.chart.ax.set_xlim(0, max(max_iter, 1))
                self._limits = limits
            self.line.set_data(np.arange(1, curve.size + 1), curve)
        self.image.value = self.chart.png()


def _tinted_grid(W, shape, dead):
    """RGB filter grid in [0, 1] with the tiles of dead units tinted red.

    The tiles sit where :func:`aelab.plotting.filter_grid_image` puts them (row-major, a
    near-square grid, a 1-pixel border), so tile j is hidden unit j.
    """
    grey = _grid(W, shape)
    rgb = np.repeat(grey[:, :, None], 3, axis=2)
    n = W.shape[0]
    h, w = shape
    cols = min(math.ceil(math.sqrt(n)), n)
    for j in np.flatnonzero(dead):
        r, c = divmod(int(j), cols)
        y0, x0 = 1 + r * (h + 1), 1 + c * (w + 1)
        tile = rgb[y0:y0 + h, x0:x0 + w]
        tile[:, :, 0] = 0.55 + 0.45 * tile[:, :, 0]
        tile[:, :, 1:] *= 0.45
    return rgb


def _codes_image(originals, codes, shape, dead, row_px=24, width_px=300):
    """RGB picture of a few examples' hidden codes: which units fire, and how strongly.

    One row per example: the example itself as a thumbnail, then one cell per hidden unit
    coloured by the unit's activation, scaled by the row's largest |activation| (red
    positive, blue negative, white exactly zero: a unit the top-k selection dropped). A strip
    under the rows marks the dead units in black.

    Parameters
    ----------
    originals : (n_show, n_features) array
    codes : (n_show, n_hidden) array
    shape : (height, width) of one example
    dead : (n_hidden,) bool array
    row_px : int
        Height of one row in pixels.
    width_px : int
        About how wide the cells of all units together are (each cell is a whole number of
        pixels wide, at least 1).

    Returns
    -------
    uint8 array (height, width, 3)
    """
    n_show, p = codes.shape
    h, w = shape
    R = int(row_px)
    thumb_w = max(1, min(4 * R, int(round(R * w / h))))
    cw = max(1, int(width_px) // p)
    gap = max(2, R // 6)
    strip = max(4, R // 3)
    x0 = thumb_w + gap
    width = x0 + p * cw
    height = n_show * (R + 1) + gap + strip
    img = np.ones((height, width, 3))
    # Thumbnails on one grey scale, from the examples' own range (as the reconstructions).
    lo, hi = float(originals.min()), float(originals.max())
    span = hi - lo if hi > lo else 1.0
    rows_idx = np.arange(R) * h // R
    cols_idx = np.arange(thumb_w) * w // thumb_w
    a = np.abs(codes)
    scale = a.max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    a = a / scale
    cells = np.ones((n_show, p, 3))
    pos, neg = codes > 0, codes < 0
    cells[:, :, 1] = np.where(pos | neg, 1.0 - a, 1.0)
    cells[:, :, 0] = np.where(neg, 1.0 - a, 1.0)
    cells[:, :, 2] = np.where(pos, 1.0 - a, 1.0)
    cells = np.repeat(cells, cw, axis=1)  # (n_show, p * cw, 3)
    if cw >= 4:  # a faint line between cells, so single units can be counted
        cells[:, cw - 1::cw, :] = np.minimum(cells[:, cw - 1::cw, :], 0.88)
    for i in range(n_show):
        y = i * (R + 1)
        tile = (originals[i].reshape(h, w) - lo) / span
        img[y:y + R, :thumb_w, :] = np.clip(tile[rows_idx][:, cols_idx], 0.0, 1.0)[:, :, None]
        img[y:y + R, x0:, :] = cells[i][None, :, :]
        img[y + R, :, :] = 0.8  # separator under each row
    y = n_show * (R + 1) + gap
    marks = np.where(np.repeat(np.asarray(dead, dtype=bool), cw), 0.0, 0.85)
    img[y:y + strip, x0:, :] = marks[None, :, None]
    return (img * 255.0 + 0.5).astype(np.uint8)


class _KSparseView:
    """Notebook 05's view: the filters with dead units tinted, and a few examples' codes.

    ``views["ksparse"]`` is the codes picture (``views["ksparse_filters"]`` the grid, which
    is not drawn when the ``"filters"`` view is shown too). The status line gives k and the
    number of dead units: units that no example of (a subsample of) the data selects.
    """

    def __init__(self, widgets, scale):
        self.scale = scale
        self.grid = widgets.Image(format="png", value=b"")
        self.grid_label = widgets.HTML("<b>Filters</b> (dead units tinted red)")
        self.image = widgets.Image(format="png", value=b"")
        self.label = widgets.HTML("<b>Codes</b>")
        self.grid_box = widgets.VBox([self.grid_label, self.grid])
        self.widget = widgets.HBox([self.grid_box, widgets.VBox([self.label, self.image])],
                                   layout=widgets.Layout(flex_flow="row wrap",
                                                         align_items="flex-end"))
        self.show_grid = True

    def update(self, f):
        if f.codes is None:
            return
        n_dead = int(np.sum(f.dead))
        p = f.W1.shape[0]
        if self.show_grid:
            rgb = _tinted_grid(f.W1, f.shape, f.dead)
            s = max(1, int(240 * self.scale // max(rgb.shape[:2])))
            if s > 1:
                rgb = rgb.repeat(s, axis=0).repeat(s, axis=1)
            self.grid.value = _png((np.clip(rgb, 0, 1) * 255.0 + 0.5).astype(np.uint8))
            title = (f"<b>Filters W₁</b> ({p} units; "
                     f"<span style='color:#a00000'>{n_dead} dead, tinted red</span>)")
            if self.grid_label.value != title:
                self.grid_label.value = title
        self.image.value = _png(_codes_image(
            f.originals, f.codes, f.shape, f.dead, row_px=int(24 * self.scale),
            width_px=int(300 * self.scale)))
        kept = "all" if f.k_kept is None or f.k_kept >= p else str(f.k_kept)
        title = (f"<b>Codes of {f.codes.shape[0]} examples</b>: {kept} of {p} units kept "
                 f"(<span style='color:#d62728'>+</span> / "
                 f"<span style='color:#1f5fbf'>−</span>, white: not selected); "
                 f"strip below: {n_dead} dead units in black")
        if self.label.value != title:
            self.label.value = title


_VIEW_CLASSES = {
    "filters": _FiltersView,
    "pca": _PCAView,
    "reconstructions": _ReconstructionsView,
    "activations": _ActivationsView,
    "loss": _LossView,
    "ksparse": _KSparseView,
}


# --------------------------------------------------------------------------- requests


@dataclass
class _Request:
    """One requested retrain: what the controls said at that moment."""

    generation: int
    params: dict
    dataset: Any
    reset_count: int
    requested_at: float
    initial: bool = False


@dataclass
class _Data:
    X: Any
    shape: tuple
    show: np.ndarray = None             # rows shown in the reconstructions view
    activation_rows: Any = None         # rows used to estimate ρ̂
    pca: np.ndarray | None = None       # all principal directions, host, when needed


# --------------------------------------------------------------------------- the panel


class Explorer:
    """A live panel: sliders for λ, β, ρ, ε and the hidden size retrain ``model`` on ``X``.

    Moving a control cancels the training in flight and starts a new one in a background
    thread, warm-started from the current parameters when that is honest (λ, β, ρ changes) and
    from fresh initial weights otherwise (hidden size, data set, seed, ε, reset). While it
    trains, the filters, reconstructions, mean activations and loss curve are redrawn in place
    every ``frame_interval`` seconds, and the status line tells the iteration, the loss, the
    elapsed time and whether this is a warm or a fresh start.

    Parameters
    ----------
    model : aelab.Autoencoder
        The model to explore (any preset). It is trained in place: ``explorer.model`` is this
        object and always holds the newest parameters. If it is already fitted to data of the
        right width, the panel first shows it as it is and trains only when a control moves.
    X : array of shape (m, n_features), str, or aelab.datasets.Dataset, optional
        The training data; a name (``"patches"``, ``"digits"``, ``"mnist"``) loads it with
        :func:`aelab.datasets.load_dataset`. Needed unless ``dataset`` is given.
    controls : sequence of str, default ``DEFAULT_CONTROLS``
        Which controls to show, from ``CONTROL_NAMES`` (default: λ, β, ρ, ε, hidden size,
        seed and reset):

        * ``"lam"``: λ, log slider 1e-6..1e-1, with a "λ = 0" check box (``"lam_zero"``);
        * ``"beta"``: β, 0..10;
        * ``"rho"``: ρ, 0.001..0.5 on a log slider for sigmoid units, −0.99..0.99 for tanh;
        * ``"epsilon"``: ε, log slider 1e-4..1, with a "default init" check box
          (``"default_init"``) meaning ``epsilon=None``;
        * ``"n_hidden"``: 4..196;
        * ``"k"``: units kept per example, 1..n_hidden (it follows the hidden size, and a
          smaller hidden size clamps it). ``k=None`` shows as n_hidden, which keeps every
          unit too. Moving k above ``k_start`` switches annealing off rather than failing:
          the panel keeps ``k_start`` at least k, and restores the model's own ``k_start``
          when k comes down (notebooks/05-k-sparse-autoencoders.ipynb);
        * ``"noise"``: a drop-down "none" / "mask" / "gaussian" for ``noise`` = None /
          "mask" / "gaussian"; switching a noise on while ``noise_level`` is 0 sets a typical
          level (0.3 masking, σ = 0.2 Gaussian);
        * ``"noise_level"``: 0..0.9;
        * ``"contraction"``: γ, log slider 1e-4..1, with a "γ = 0" check box
          (``"contraction_zero"``) (notebooks/06-denoising-and-contractive.ipynb);
        * ``"dataset"``: a drop-down over ``datasets``;
        * ``"seed"``, and ``"reset"`` (retrain from the same initial weights).
    views : sequence of str, default ("filters", "reconstructions", "activations", "loss")
        Which pictures to show, from ``VIEW_NAMES``. ``"pca"`` adds the top principal
        components beside the filters, and the largest principal angle between the two
        subspaces to the status line and to ``stats["principal_angle_deg"]``
        (notebooks/04-autoencoders-and-pca.ipynb). ``"ksparse"`` shows the filters with the
        dead units tinted red, and a picture of a few examples' codes (which units fire, and
        how strongly); the status line and ``stats["dead_units"]`` give the number of dead
        units, those constant on (up to 2000 of) the training examples, which for a k-sparse
        model means never selected (notebooks/05-k-sparse-autoencoders.ipynb).
    datasets : dict or sequence of str, optional
        The choices of the ``"dataset"`` control: names mapped to arrays, to
        :class:`aelab.datasets.Dataset` objects, to dicts of :func:`load_dataset` options
        (e.g. ``{"patches": {"n_patches": 2000}}``) or to None (load by name with defaults);
        a sequence of names means the latter. Data are loaded on first use, in the worker.
        Default: ``aelab.datasets.DATASET_NAMES`` when the control is shown.
    dataset : str, optional
        The name of ``X`` (or the data set to load when ``X`` is None); it is what
        :meth:`config` records, so that :meth:`from_config` can load the data again.
    image_shape : (int, int), optional
        (height, width) of one example for the pictures. Default: the data set's own, else
        square when ``n_features`` is a perfect square, else a 1-pixel-high strip.
    frame_interval : float, default 0.1
        Least time in seconds between two frames during training (a final frame is always
        drawn). Drawing takes a few milliseconds, so this bounds its share of the time.
    max_train_seconds : float, optional
        Stop each retrain after this many seconds (the status line says so). Useful in a
        lecture, where an answer in 2 s beats the exact optimum in 10 s. Default: no limit,
        training runs to ``model.max_iter`` or convergence.
    warm_max_iter : int, optional
        ``max_iter`` for a warm-started retrain (epochs for Adam and SGD, iterations for
        L-BFGS); fresh starts keep the model's own. A warm start begins from trained filters,
        so a minibatch model often needs a fraction of a fresh run's epochs: notebook 05's k
        panel retrains 4 of its 12. ``explorer.model.max_iter`` is restored after each
        retrain. Default: None, the model's own ``max_iter`` every time.
    key : hashable or None, default "auto"
        A new Explorer closes any live Explorer with the same key. "auto": the notebook cell
        that made it (so re-running the cell stops the old panel's thread); None outside
        IPython.
    layout : {"standard", "lecture"}, default "standard"
        "lecture" draws every picture about 1.6 times larger, for a projector.

    Attributes
    ----------
    model : estimator
        The model, trained in place.
    controls : dict of str to ipywidgets.Widget
        The control widgets keyed by hyperparameter name (plus the check boxes
        ``"lam_zero"``, ``"default_init"`` and ``"contraction_zero"`` beside their sliders,
        and ``"reset"`` for the button). Setting ``.value`` retrains, in a notebook and
        headless alike; the noise drop-down takes "none", "mask" or "gaussian".
    views : dict of str to ipywidgets.Image
        The image widget of each view; its ``.value`` holds the latest frame as PNG bytes.
        The ``"ksparse"`` view's codes picture is ``views["ksparse"]`` and its filter grid
        ``views["ksparse_filters"]`` (left empty when the ``"filters"`` view shows them).
    widget : ipywidgets.VBox
        The whole panel. A cell ending with the explorer displays it.
    status : ipywidgets.HTML
        The status line.
    error_box : ipywidgets.HTML
        Empty, or the last error ("TypeName: message") from training or drawing.
    warning_box : ipywidgets.HTML
        Empty, or a note such as "training diverged".

    Examples
    --------
    >>> import aelab
    >>> from aelab.datasets import natural_patches
    >>> panel = aelab.Explorer(aelab.SparseAutoencoder(), natural_patches(10000),
    ...                        dataset="patches")                          # doctest: +SKIP
    >>> panel                                                           # doctest: +SKIP
    >>> panel.controls["lam"].value = 1e-3; panel.wait()                # doctest: +SKIP

    Notes
    -----
    The panel and its controls are taught in notebooks/02-sparse-autoencoder.ipynb; the
    hidden-size slider on reconstructions in notebooks/01-autoencoder-basics.ipynb; ranges of
    λ, β, ρ and ε in notebooks/03-choosing-hyperparameters.ipynb; the ``"pca"`` view in
    notebooks/04-autoencoders-and-pca.ipynb; k and the ``"ksparse"`` view in
    notebooks/05-k-sparse-autoencoders.ipynb; the noise and contraction controls in
    notebooks/06-denoising-and-contractive.ipynb.
    """

    def __init__(self, model, X=None, *, controls=DEFAULT_CONTROLS, views=DEFAULT_VIEWS,
                 datasets=None, dataset=None, image_shape=None, frame_interval=0.1,
                 max_train_seconds=None, warm_max_iter=None, key="auto",
                 layout="standard"):
        import ipywidgets

        self._ipw = ipywidgets
        self.model = model
        self._control_names = self._check_names("controls", controls, CONTROL_NAMES)
        self._view_names = self._check_names("views", views, VIEW_NAMES)
        # the library's validators: a TypeError for the wrong kind, a ValueError out of range
        self.frame_interval = check_real("frame_interval", frame_interval, low=0.0)
        self.max_train_seconds = check_real("max_train_seconds", max_train_seconds, low=0.0,
                                            low_open=True, allow_none=True)
        self.warm_max_iter = check_int("warm_max_iter", warm_max_iter, low=1, allow_none=True)
        if layout not in ("standard", "lecture"):
            raise ValueError(f"layout must be 'standard' or 'lecture', got {layout!r}")
        self.layout = layout
        self.image_shape = None if image_shape is None else tuple(int(v) for v in image_shape)

        params = model.get_params()
        self._user_warm_start = params.get("warm_start", False)
        self._params = dict(params)
        self._k_start_request = params.get("k_start")

        self._sources = self._collect_sources(X, dataset, datasets)
        self._dataset = dataset if dataset is not None else getattr(X, "name", None)
        if isinstance(X, str):
            self._dataset = X
        if self._dataset is None:
            self._dataset = "data" if X is not None else None
        if self._dataset is None:
            raise ValueError("pass the training data X, or a data set name as X or dataset=")
        if self._dataset not in self._sources:
            self._sources[self._dataset] = None
        self._data = {}
        self._dataset_options = {}      # name -> load_dataset options it was loaded with

        # Worker state; everything below is guarded by self._cond.
        self._cond = threading.Condition()
        self._generation = 0
        self._pending = None
        self._done_generation = 0
        self._failure = None            # (generation, exception) of the newest failure
        self._closing = False
        self._reset_count = 0
        self._trained_key = None        # what the model's params_ were trained from
        self._counters = {"requests": 0, "requests_coalesced": 0, "trainings_started": 0,
                          "trainings_completed": 0, "trainings_cancelled": 0,
                          "trainings_failed": 0, "frames": 0}
        self._stats = {}
        self._render_ms = []
        # Seconds per frame over the panel's recent frames (all trainings), for frame spacing.
        self._recent_render = collections.deque(maxlen=20)
        self._syncing = False

        self._build_widgets()
        if self._model_is_usable():
            self._trained_key = self._state_key(self._params, self._dataset, 0)

        self._key = _default_key() if key == "auto" else key
        if self._key is not None:
            with _LIVE_LOCK:
                old = _LIVE.get(self._key)
                _LIVE[self._key] = weakref.ref(self)
            old = old() if old is not None else None
            if old is not None and old is not self:
                old.close()

        self._worker = threading.Thread(
            target=self._work, name=f"{_THREAD_PREFIX}-{id(self):x}", daemon=True)
        self._worker.start()
        self._request(initial=True)

    # ------------------------------------------------------------------ construction
    @staticmethod
    def _check_names(what, names, allowed):
        if isinstance(names, str):
            names = (names,)
        names = tuple(names)
        unknown = [n for n in names if n not in allowed]
        if unknown:
            raise ValueError(f"unknown {what} {unknown}; allowed: {list(allowed)}")
        return tuple(dict.fromkeys(names))  # keep order, drop repeats

    def _collect_sources(self, X, dataset, datasets):
        """name -> array | Dataset | dict of load options | None, for every known data set."""
        sources = {}
        if datasets is None and "dataset" in self._control_names:
            try:
                from .datasets import DATASET_NAMES
            except ImportError:  # pragma: no cover
                DATASET_NAMES = ()
            datasets = DATASET_NAMES
        if datasets is not None:
            if isinstance(datasets, dict):
                sources.update(datasets)
            else:
                sources.update({str(name): None for name in datasets})
        if X is not None and not isinstance(X, str):
            name = dataset if dataset is not None else getattr(X, "name", None) or "data"
            sources[name] = X
        elif isinstance(X, str) and dataset is not None and dataset != X:
            raise ValueError(f"X names data set {X!r} but dataset={dataset!r}; give one name")
        return sources

    def _model_is_usable(self):
        """True when the model is already fitted to data as wide as the first data set."""
        src = self._sources.get(self._dataset)
        X = getattr(src, "X", src)
        if not hasattr(self.model, "params_") or X is None or isinstance(X, dict):
            return False
        return getattr(self.model, "n_features_in_", None) == np.shape(X)[1]

    def _build_widgets(self):
        w = self._ipw
        p = self._params
        style = {"description_width": "initial"}
        wide = w.Layout(width="330px")
        c = {}
        for name in self._control_names:
            if name == "lam":
                lam = p.get("lam") or 0.0
                # A model built with λ = 0 shows "λ = 0" ticked; the slider waits at its left
                # end, so unticking the box gives the smallest λ, next to 0.
                c["lam"] = w.FloatLogSlider(
                    value=min(max(float(lam), 1e-6), 1e-1) if lam else 1e-6, base=10,
                    min=-6, max=-1, step=0.05, description="λ (weight decay)",
                    readout_format=".1e", style=style, layout=wide)
            elif name == "beta":
                c["beta"] = w.FloatSlider(
                    value=min(float(p.get("beta", 0.0)), 10.0), min=0.0, max=10.0, step=0.1,
                    description="β (sparsity weight)", style=style, layout=wide)
            elif name == "rho":
                c["rho"] = self._rho_slider(style, wide)
            elif name == "epsilon":
                eps = p.get("epsilon")
                c["epsilon"] = w.FloatLogSlider(
                    value=0.1 if eps is None else min(max(float(eps), 1e-4), 1.0), base=10,
                    min=-4, max=0, step=0.05, description="ε (init scale)",
                    readout_format=".1e", style=style, layout=wide)
            elif name == "n_hidden":
                nh = int(p.get("n_hidden", 25))
                c["n_hidden"] = w.IntSlider(
                    value=nh, min=min(4, nh), max=max(196, nh), step=1,
                    description="hidden units", style=style, layout=wide)
            elif name == "k":
                nh = max(1, int(p.get("n_hidden", 25)))
                k = p.get("k")
                # k = None keeps every unit, which is what k = n_hidden does too.
                c["k"] = w.IntSlider(
                    value=nh if k is None else min(max(int(k), 1), nh), min=1, max=nh,
                    step=1, description="k (units kept)", style=style, layout=wide)
            elif name == "noise":
                noise = p.get("noise")
                label = next((lab for lab, v in _NOISE_CHOICES.items() if v == noise), "none")
                c["noise"] = w.Dropdown(options=list(_NOISE_CHOICES), value=label,
                                        description="input noise", style=style,
                                        layout=w.Layout(width="200px"))
            elif name == "noise_level":
                c["noise_level"] = w.FloatSlider(
                    value=min(max(float(p.get("noise_level") or 0.0), 0.0), 0.9), min=0.0,
                    max=0.9, step=0.05, readout_format=".2f",
                    description="noise level", style=style, layout=wide)
            elif name == "contraction":
                gamma = p.get("contraction") or 0.0
                c["contraction"] = w.FloatLogSlider(
                    value=min(max(float(gamma), 1e-4), 1.0) if gamma else 1e-4, base=10,
                    min=-4, max=0, step=0.05, description="γ (contraction)",
                    readout_format=".1e", style=style, layout=wide)
            elif name == "dataset":
                c["dataset"] = w.Dropdown(options=list(self._sources), value=self._dataset,
                                          description="data set", style=style)
            elif name == "seed":
                seed = p.get("seed")
                c["seed"] = w.BoundedIntText(
                    value=0 if seed is None else int(seed), min=0, max=2**31 - 1,
                    description="seed", style=style, layout=w.Layout(width="150px"))
            elif name == "reset":
                c["reset"] = w.Button(
                    description="reset", icon="undo",
                    tooltip="retrain from the same initial weights")
            if name in _SPECIAL_BOXES:
                box, special, label = _SPECIAL_BOXES[name]
                c[box] = w.Checkbox(value=p.get(name) == special if special is not None
                                    else p.get(name) is None,
                                    description=label, indent=False,
                                    layout=w.Layout(width="auto"))
        self.controls = c
        self._sync_controls()  # readouts of sliders whose box is ticked
        for name, widget in c.items():
            if name == "reset":
                widget.on_click(lambda _b: self.reset())
            else:
                widget.observe(lambda change, n=name: self._on_control(n, change["new"]),
                               names="value")

        scale = 1.6 if self.layout == "lecture" else 1.0
        self._views = {name: _VIEW_CLASSES[name](w, scale) for name in self._view_names}
        self.views = {name: v.image for name, v in self._views.items()}
        if "ksparse" in self._views:
            ks = self._views["ksparse"]
            self.views["ksparse_filters"] = ks.grid
            if "filters" in self._views:  # one filter grid is enough
                ks.show_grid = False
                ks.grid_box.layout.display = "none"

        self.status = w.HTML("<i>starting…</i>")
        self.error_box = w.HTML("")
        self.warning_box = w.HTML("")
        rows = []
        sliders = []
        for n in ("lam", "beta", "rho", "epsilon", "n_hidden", "k", "noise_level",
                  "contraction"):
            if n not in c:
                continue
            box = _SPECIAL_BOXES.get(n, (None,))[0]
            sliders.append(w.HBox([c[n], c[box]], layout=w.Layout(align_items="center"))
                           if box in c else c[n])
        extras = [c[n] for n in ("noise", "dataset", "seed", "reset") if n in c]
        if sliders:
            rows.append(w.VBox(sliders))
        if extras:
            rows.append(w.VBox(extras))
        self._controls_box = w.HBox(rows, layout=w.Layout(flex_flow="row wrap"))
        top = [self._views[n].widget for n in ("filters", "pca", "reconstructions")
               if n in self._views]
        middle = [self._views[n].widget for n in ("ksparse",) if n in self._views]
        bottom = [self._views[n].widget for n in ("activations", "loss") if n in self._views]
        pictures = []
        if top:
            pictures.append(w.HBox(top, layout=w.Layout(flex_flow="row wrap",
                                                        align_items="flex-end")))
        pictures.extend(middle)
        if bottom:
            pictures.append(w.HBox(bottom, layout=w.Layout(flex_flow="row wrap")))
        self.widget = w.VBox([self._controls_box, self.status, self.error_box,
                              self.warning_box, *pictures])

    def _rho_slider(self, style, layout):
        w = self._ipw
        act = self._params.get("activation", "sigmoid")
        rho = float(self._params.get("rho", 0.05))
        if act == "tanh":
            return w.FloatSlider(value=min(max(rho, -0.99), 0.99), min=-0.99, max=0.99,
                                 step=0.01, description="ρ (target activation)",
                                 style=style, layout=layout)
        if act == "sigmoid":
            # ρ spans orders of magnitude (0.01 against 0.1 is the interesting range), so a
            # log slider; KL needs ρ inside (0, 1).
            return w.FloatLogSlider(value=min(max(rho, 1e-3), 0.5), base=10, min=-3,
                                    max=math.log10(0.5), step=0.02, readout_format=".3f",
                                    description="ρ (target activation)", style=style,
                                    layout=layout)
        return w.FloatSlider(value=min(max(rho, 0.0), 1.0), min=0.0, max=1.0, step=0.01,
                             description="ρ (target activation)", style=style, layout=layout)

    # ------------------------------------------------------------------ requests
    def _on_control(self, name, value):
        if self._syncing:
            return
        if name == "dataset":
            self._dataset = value
        else:
            self._set(self._control_value(name, value))
        self._sync_controls()
        self._request()

    def _control_value(self, name, value):
        """{hyperparameter: value} that a change of control ``name`` to ``value`` asks for."""
        for slider, (box, special, _label) in _SPECIAL_BOXES.items():
            if name == box:
                return {slider: special if value else float(self.controls[slider].value)}
        if name in ("n_hidden", "seed", "k"):
            return {name: int(value)}
        if name == "noise":
            return {"noise": _NOISE_CHOICES.get(value, value)}
        return {name: float(value)}

    def _set(self, updates):
        """Write requested hyperparameters, with the adjustments that keep them consistent.

        * A smaller hidden size clamps k to it (unless k is set in the same call).
        * k_start (where the k-sparse annealing starts) is kept at least k, so that moving k
          above it means "no annealing" rather than an error; the k_start asked for (by the
          model or :meth:`retrain`) comes back when k goes down again.
        * Switching a noise type on while ``noise_level`` is 0, which would corrupt nothing,
          sets a typical level (0.3 masking, σ = 0.2 Gaussian) unless the call sets one.
        """
        p = self._params
        p.update(updates)
        if "k_start" in updates:
            self._k_start_request = updates["k_start"]
        nh, k = p.get("n_hidden"), p.get("k")
        k_moved = "k" in updates
        if ("n_hidden" in updates and not k_moved and _is_int(nh) and _is_int(k)
                and 1 <= nh < k):
            p["k"] = k = int(nh)
            k_moved = True
        if (k_moved and "k_start" not in updates and _is_int(k)
                and _is_int(self._k_start_request)):
            p["k_start"] = max(int(self._k_start_request), int(k))
        noise = updates.get("noise")
        if (noise in _DEFAULT_NOISE_LEVEL and "noise_level" not in updates
                and p.get("noise_level") == 0):
            p["noise_level"] = _DEFAULT_NOISE_LEVEL[noise]

    def _sync_controls(self):
        """Move every control to show the requested hyperparameters (without retraining).

        A value a control cannot show (out of its range, or of the wrong type) leaves it
        where the widget clamps it or where it was; the model's own validation then reports
        the value in the error box.
        """
        from traitlets import TraitError

        p, c = self._params, self.controls
        self._syncing = True
        try:
            for name, widget in c.items():
                if name not in p:
                    continue
                value = p[name]
                try:
                    if name in _SPECIAL_BOXES:
                        box, special, _label = _SPECIAL_BOXES[name]
                        is_special = (value is None) if special is None else \
                            (value is not None and not isinstance(value, str)
                             and value == special)
                        c[box].value = bool(is_special)
                        # The slider's number would be a lie while its box holds the value.
                        widget.readout = not is_special
                        if not is_special:
                            widget.value = value
                    elif name == "k":
                        nh = p.get("n_hidden")
                        if _is_int(nh) and nh >= 1:
                            if widget.value > nh:
                                widget.value = int(nh)
                            widget.max = int(nh)
                        widget.value = widget.max if value is None else value
                    elif name == "n_hidden":
                        if _is_int(value) and value > widget.max:
                            widget.max = int(value)
                        widget.value = value
                    elif name == "noise":
                        label = next((lab for lab, v in _NOISE_CHOICES.items() if v == value),
                                     None)
                        if label is not None:
                            widget.value = label
                    elif value is not None:
                        widget.value = value
                except (TraitError, TypeError, ValueError):
                    pass
        finally:
            self._syncing = False

    def reset(self):
        """Retrain from scratch with the same initial weights (the reset button).

        Taught in notebooks/02-sparse-autoencoder.ipynb.
        """
        with self._cond:
            self._reset_count += 1
        self._request()

    def retrain(self, **params):
        """Set hyperparameters (any of the model's, not only those with a control) and retrain.

        Controls showing those hyperparameters are moved to match (``lam=0`` ticks the
        "λ = 0" box, ``noise=None`` selects "none"). A value the model refuses (say
        ``k`` above ``n_hidden``) is shown in the error box, as a training error is. Returns
        immediately; call :meth:`wait` to block until the final frame.

        Taught in notebooks/03-choosing-hyperparameters.ipynb.
        """
        unknown = set(params) - set(self._params)
        if unknown:
            raise ValueError(f"unknown hyperparameters {sorted(unknown)} for "
                             f"{type(self.model).__name__}")
        self._set(params)
        self._sync_controls()
        self._request()

    def _request(self, initial=False):
        with self._cond:
            if self._closing:
                return
            self._generation += 1
            self._counters["requests"] += 1
            if self._pending is not None:
                self._counters["requests_coalesced"] += 1
            # A slot, not a queue: a newer request simply replaces an unstarted one.
            self._pending = _Request(self._generation, dict(self._params), self._dataset,
                                     self._reset_count, time.perf_counter(), initial)
            self._cond.notify_all()

    @staticmethod
    def _state_key(params, dataset, reset_count):
        return (dataset, reset_count) + tuple(params.get(k) for k in _FRESH_KEYS)

    # ------------------------------------------------------------------ the worker
    def _work(self):
        while True:
            with self._cond:
                while self._pending is None and not self._closing:
                    self._cond.wait()
                if self._closing:
                    return
                req, self._pending = self._pending, None
            self._run(req)

    def _superseded(self, req):
        return self._closing or self._generation != req.generation

    def _run(self, req):
        model = self.model
        stats = {"generation": req.generation, "time_to_first_frame": None,
                 "time_to_final_frame": None, "iterations": 0, "cancelled": False,
                 "warm_start": False, "stop_reason": None, "frames": 0,
                 "first_frame_iteration": None, "train_seconds": 0.0, "render_ms_median": None,
                 "render_ms_max": None, "budget_stopped": False}
        self._stats = stats
        self._render_ms = []
        state = {"last_frame": 0.0, "iteration": 0, "loss": None, "elapsed": 0.0,
                 "phase": "starting", "warm": False, "why_fresh": None,
                 "last_render": 0.0}
        try:
            self.warning_box.value = ""
            data = self._load(req.dataset)
            key = self._state_key(req.params, req.dataset, req.reset_count)
            warm = (key == self._trained_key and hasattr(model, "params_")
                    and getattr(model, "n_features_in_", None) == data.X.shape[1])
            if warm and not req.initial and _collapsed(model, data.X):
                # W = 0 is a stationary point of the objective for every λ, β and ρ: from
                # there no gradient method moves, and a warm start would leave the filters
                # blank forever after λ was once too large. Start afresh, and say why.
                warm = False
                state["why_fresh"] = "the weights had collapsed to zero"
            if req.initial and warm:
                # An already fitted model: show it as it is; train when a control moves.
                state.update(phase="fitted model shown; move a control to retrain",
                             shown_only=True)
                state["loss"] = (model.loss_curve_[-1] if getattr(model, "loss_curve_", None)
                                 else None)
                self._frame(req, data, state, stats, final=True)
                self._finish(req, None)
                return
            fit_params = dict(req.params)
            fit_params["warm_start"] = warm
            if warm and self.warm_max_iter is not None and "max_iter" in fit_params:
                fit_params["max_iter"] = self.warm_max_iter
            state["max_iter"] = fit_params.get("max_iter")
            self._trained_key = None  # until fit has started from a known state
            model.set_params(**fit_params)
            if not warm:
                # Draw the fresh initial weights at once, before the first iteration: the
                # student sees the change start immediately. fit() draws the same weights
                # again from the same seed.
                model.params_ = model.initial_params(data.X)
                model.n_features_in_ = data.X.shape[1]
            model.loss_curve_ = []  # the loss view shows this training's curve
            self._trained_key = key
            state.update(warm=warm, phase="training")
            stats["warm_start"] = warm
            if self._superseded(req):
                self._cancelled(stats)
                return
            self._frame(req, data, state, stats)

            def callback(progress):
                if self._superseded(req):
                    stats["cancelled"] = True
                    return True
                state.update(iteration=progress.iteration, loss=progress.loss,
                             elapsed=progress.elapsed)
                if self.max_train_seconds is not None and \
                        progress.elapsed >= self.max_train_seconds:
                    stats["budget_stopped"] = True
                    return True
                # At most one frame per frame_interval, and never more than about a tenth of
                # the time spent drawing: on a busy machine a frame can take 20 ms, and the
                # student would rather the model converged than watch it more smoothly.
                # After a training's first frame, which often redraws the charts' axes in
                # full (several blits' worth), space by a typical recent frame instead: else
                # the student may wait a second for the second picture on a busy machine.
                last = state["last_render"]
                if stats["frames"] == 1:
                    last = min(last, float(np.median(self._recent_render)))
                gap = max(self.frame_interval, 9.0 * last)
                if time.perf_counter() - state["last_frame"] >= gap:
                    self._frame(req, data, state, stats)
                return False

            with self._cond:
                self._counters["trainings_started"] += 1
            t0 = time.perf_counter()
            try:
                # A panel retrain has a budget by design; the stop reason is shown on
                # screen ("not converged") instead of a warning in a worker thread.
                with fixed_budget():
                    model.fit(data.X, callback=callback)
            finally:
                stats["train_seconds"] = time.perf_counter() - t0
                # Leave the user's own warm_start and max_iter settings on the model.
                model.warm_start = self._user_warm_start
                if "max_iter" in req.params:
                    model.max_iter = req.params["max_iter"]
            stats["iterations"] = int(model.n_iter_)
            stats["stop_reason"] = model.stop_reason_
            if stats["cancelled"]:
                self._cancelled(stats)
                return
            if getattr(model, "warm_started_", warm) != warm:  # trust what fit really did
                stats["warm_start"] = state["warm"] = bool(model.warm_started_)
            state["elapsed"] = stats["train_seconds"]
            if model.loss_curve_:
                state["loss"] = model.loss_curve_[-1]
            state["phase"] = self._ending(model, stats)
            if model.stop_reason_ == "diverged":
                self.warning_box.value = _note(
                    "TrainingDivergedWarning",
                    f"training diverged after {model.n_iter_} iteration(s); the last finite "
                    f"parameters are kept. {_divergence_hint(req.params)}",
                    "#8a6d00", "#fff8e1")
            self._frame(req, data, state, stats, final=True)
            with self._cond:
                self._counters["trainings_completed"] += 1
            self._finish(req, None)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the panel
            self._trained_key = None  # a failed start leaves no honest warm state
            stats["stop_reason"] = "error"
            with self._cond:
                self._counters["trainings_failed"] += 1
            self.error_box.value = _note(type(exc).__name__, str(exc), "#a00000", "#fdecea")
            self.status.value = (f"<span style='color:#a00000'><b>error</b> in "
                                 f"{state['phase']}: see below</span>")
            self._finish(req, exc)
            if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit
                raise

    @staticmethod
    def _ending(model, stats):
        if stats["budget_stopped"]:
            return "stopped at the time budget"
        return {"converged": "converged",
                "max_iter": f"stopped at max_iter ({model.n_iter_} iterations): not converged",
                "diverged": "diverged", "callback": "stopped"}.get(model.stop_reason_,
                                                                     str(model.stop_reason_))

    def _cancelled(self, stats):
        stats["cancelled"] = True
        with self._cond:
            self._counters["trainings_cancelled"] += 1

    def _finish(self, req, exc):
        with self._cond:
            if exc is not None:
                self._failure = (req.generation, exc)
            else:
                self.error_box.value = ""
                if self._failure is not None and self._failure[0] < req.generation:
                    self._failure = None
            self._done_generation = max(self._done_generation, req.generation)
            self._cond.notify_all()

    def _load(self, name):
        """The data set ``name``, loaded (and its derived arrays computed) on first use."""
        if name in self._data:
            return self._data[name]
        src = self._sources.get(name)
        options = {}
        if src is None or isinstance(src, dict):
            options = dict(src or {})
            from .datasets import load_dataset

            src = load_dataset(name, **options)
        X = getattr(src, "X", src)
        if np.ndim(X) != 2:
            raise ValueError(f"data set {name!r} must be 2-D (n_examples, n_features), "
                             f"got shape {np.shape(X)}")
        shape = _image_shape(X.shape[1], self.image_shape or getattr(src, "image_shape", None))
        m = X.shape[0]
        # Fixed examples for the reconstructions view, so frames are comparable.
        idx = np.sort(np.random.default_rng(0).choice(m, min(_N_RECONSTRUCTIONS, m),
                                                      replace=False))
        rows = X if m <= _MAX_ACTIVATION_ROWS else X[np.random.default_rng(1).choice(
            m, _MAX_ACTIVATION_ROWS, replace=False)]
        data = _Data(X=X, shape=shape, show=X[idx], activation_rows=rows)
        if src is not self._sources.get(name):  # loaded here, by name
            self._dataset_options[name] = options
        if "pca" in self._views:
            data.pca = self._pca(X)
        self._data[name] = data
        return data

    @staticmethod
    def _pca(X):
        try:
            from .pca import PCA
        except ImportError:  # pragma: no cover - pca.py is part of the package
            Xh = _to_host(X)
            return np.linalg.svd(Xh - Xh.mean(axis=0), full_matrices=False)[2]
        return _to_host(PCA().fit(X).components_)

    # ------------------------------------------------------------------ drawing
    def _frame(self, req, data, state, stats, final=False):
        """Compute what the views show and push it into them; update status and stats."""
        t0 = time.perf_counter()
        model = self.model
        params = model.get_params()
        # The first and final frames are drawn outside fit(), so they must limit BLAS threads
        # the way fit() does: on a busy 2-core machine a threaded product waits for the other
        # core and one frame takes ten times longer.
        with _blas_limit(data.activation_rows, params.get("n_hidden", 1)):
            self._draw(req, data, state, stats, final, t0, model, params)

    def _draw(self, req, data, state, stats, final, t0, model, params):
        W1 = _to_host(model.params_["W1"])
        # The codes of the ρ̂ rows serve both ρ̂ and the dead-unit count.
        H_rows = (_to_host(model.transform(data.activation_rows))
                  if "activations" in self._views or "ksparse" in self._views else None)
        f = _Frame(
            W1=W1, shape=data.shape, originals=_to_host(data.show),
            reconstructions=_to_host(model.reconstruct(data.show)),
            rho_hat=(H_rows.mean(axis=0) if "activations" in self._views
                     else np.zeros(W1.shape[0])),
            rho=params.get("rho") if params.get("sparsity") is not None else None,
            activation=params.get("activation", "sigmoid"),
            loss_curve=list(getattr(model, "loss_curve_", []) or []),
            max_iter=int(state.get("max_iter") or params.get("max_iter", 1)),
            rho_rows=(len(data.activation_rows)
                      if len(data.activation_rows) < len(data.X) else 0),
        )
        if data.pca is not None:
            k = min(W1.shape[0], data.pca.shape[0])
            f.pca = data.pca[:k]
            if W1.shape[0] < W1.shape[1]:
                f.angle = _largest_angle(W1, f.pca)
            stats["principal_angle_deg"] = f.angle
        if "ksparse" in self._views:
            from .metrics import dead_units

            f.codes = _to_host(model.transform(data.show))
            f.dead = np.asarray(dead_units(H_rows), dtype=bool)
            k, alpha = params.get("k"), params.get("alpha") or 1.0
            if k is not None:
                f.k = min(int(k), W1.shape[0])
                f.k_kept = min(W1.shape[0], int(round(float(alpha) * int(k))))
                k_start = params.get("k_start")
                if k_start is not None and min(int(k_start), W1.shape[0]) > f.k:
                    f.k_start = min(int(k_start), W1.shape[0])
            f.dead_rows = len(H_rows)
            stats["dead_units"] = int(f.dead.sum())
            stats["dead_units_rows"] = f.dead_rows
        for view in self._views.values():
            view.update(f)
        self.status.value = self._status_text(state, f, final)
        now = time.perf_counter()
        ms = (now - t0) * 1e3
        self._render_ms.append(ms)
        state["last_frame"] = now
        state["last_render"] = now - t0
        self._recent_render.append(now - t0)
        stats["frames"] += 1
        stats["render_ms_median"] = float(np.median(self._render_ms))
        stats["render_ms_max"] = float(np.max(self._render_ms))
        if stats["time_to_first_frame"] is None:
            stats["time_to_first_frame"] = now - req.requested_at
            stats["first_frame_iteration"] = state["iteration"]
        if final:
            stats["time_to_final_frame"] = now - req.requested_at
        with self._cond:
            self._counters["frames"] += 1

    def _status_text(self, state, f, final):
        start = "warm start" if state["warm"] else "fresh start"
        if not state["warm"] and state.get("why_fresh"):
            start += f" ({state['why_fresh']})"
        parts = ["<b>fitted model</b>" if state.get("shown_only") else f"<b>{start}</b>"]
        parts.append(f"iteration {state['iteration']}/{f.max_iter}")
        if state["loss"] is not None:
            parts.append(f"loss {state['loss']:.5g}")
        parts.append(f"{state['elapsed']:.2f} s")
        if f.angle is not None:
            parts.append(f"largest principal angle to PCA {f.angle:.1f}°")
        elif f.pca is not None:
            parts.append("principal angle n/a (as many units as inputs)")
        if f.codes is not None:
            p = f.W1.shape[0]
            if f.k is None:
                parts.append("k: all units (no top-k)")
            else:
                ks = f"k = {f.k}"
                if f.k_start is not None:
                    ks += f" (annealed from {f.k_start})"
                if f.k_kept is not None and f.k_kept != f.k:
                    ks += f", {f.k_kept} kept when encoding (αk)"
                parts.append(ks)
            how = "never selected" if f.k is not None else "constant"
            parts.append(f"<b>{int(np.sum(f.dead))}/{p} dead units</b> "
                         f"({how} on {f.dead_rows} examples)")
        phase = state["phase"] if final else "training…"
        parts.append(f"<i>{html.escape(phase)}</i>")
        return " · ".join(parts)

    # ------------------------------------------------------------------ public API
    def wait(self, timeout=None):
        """Block until the newest requested retrain has drawn its final frame.

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait at most; None waits as long as it takes.

        Returns
        -------
        self

        Raises
        ------
        TimeoutError
            When ``timeout`` passes first.
        Exception
            The exception that made the newest retrain fail (also shown in the panel).
        RuntimeError
            When the panel was closed before that retrain finished.

        Notes
        -----
        Tests and instructors' scripts drive the panel headless with
        ``controls[name].value = v`` followed by ``wait()``. Taught in
        notebooks/02-sparse-autoencoder.ipynb.
        """
        if threading.current_thread() is getattr(self, "_worker", None):
            raise RuntimeError("wait() cannot be called from the Explorer's own worker thread")
        deadline = None if timeout is None else time.monotonic() + float(timeout)
        with self._cond:
            target = self._generation
            while self._done_generation < target:
                if self._closing and not self._worker.is_alive():
                    raise RuntimeError("the Explorer was closed before its last retrain ended")
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"the retrain did not finish within {timeout} s")
                # Wake now and then to notice a close() that raced with the wait.
                self._cond.wait(0.5 if remaining is None else min(remaining, 0.5))
            failure = self._failure
        if failure is not None and failure[0] >= target:
            raise failure[1]
        return self

    @property
    def stats(self):
        """Timing of the newest retrain, and counters since the panel was made.

        Keys: ``time_to_first_frame`` and ``time_to_final_frame`` (seconds from the control
        change), ``iterations``, ``cancelled``, ``warm_start``, ``stop_reason``,
        ``budget_stopped``, ``frames``, ``first_frame_iteration``, ``train_seconds``,
        ``render_ms_median`` and ``render_ms_max`` (drawing time per frame); with the
        ``"pca"`` view ``principal_angle_deg`` (the largest principal angle between the
        filters and as many principal components, in degrees, or None with as many units
        as inputs); with the ``"ksparse"`` view ``dead_units`` and ``dead_units_rows`` (the
        examples they were counted on).

        And the counters since the panel was made: ``requests`` (control changes and
        retrain calls), ``requests_coalesced`` (replaced by a newer one before the worker
        took them up), ``trainings_started`` (fits begun), ``trainings_completed``,
        ``trainings_cancelled`` (by a newer request, before or during the fit),
        ``trainings_failed`` (ended in an error, before or during the fit) and
        ``frames_total``. Once the panel is idle, every request is exactly one of coalesced,
        completed, cancelled or failed (except a fitted model shown as it is).
        """
        with self._cond:
            out = dict(self._stats)
            counters = dict(self._counters)
        out["frames_total"] = counters.pop("frames")
        out.update(counters)
        return out

    @property
    def dataset(self):
        """Name of the data set the panel trains on now."""
        return self._dataset

    @property
    def closed(self):
        """True after :meth:`close`."""
        return self._closing

    def close(self, timeout=10.0):
        """Stop the worker thread (cancelling any training) and close the widgets.

        Taught in notebooks/00-start-here.ipynb.
        """
        with self._cond:
            already = self._closing
            self._closing = True
            self._pending = None
            self._cond.notify_all()
        worker = getattr(self, "_worker", None)
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout)
        if already:
            return
        with _LIVE_LOCK:
            ref = _LIVE.get(self._key)
            if ref is not None and ref() is self:
                del _LIVE[self._key]
        for widget in list(self.controls.values()):
            widget.close()
        for view in self._views.values():
            view.widget.close()
        _close_tree(self.widget)

    def __del__(self):  # pragma: no cover - best effort; the thread keeps us alive anyway
        try:
            if not self._closing:
                self.close(timeout=0)
        except Exception:
            pass

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        state = "closed" if self._closing else "live"
        return (f"<Explorer {state}: {type(self.model).__name__} on {self._dataset!r}, "
                f"controls={list(self._control_names)}, views={list(self._view_names)}>")

    # ------------------------------------------------------------------ config
    def config(self):
        """A JSON-able description that :meth:`from_config` turns back into the same panel.

        Like TensorFlow Playground's shareable URL: the model class and its hyperparameters as
        the controls now stand, which controls and views show, the data set by name (and the
        options it was loaded with), ``image_shape``, ``frame_interval``,
        ``max_train_seconds``, ``warm_max_iter`` and ``layout``. The data and learned weights
        are not included.

        Returns
        -------
        dict

        Taught in notebooks/03-choosing-hyperparameters.ipynb.
        """
        params = dict(self._params)
        params["warm_start"] = self._user_warm_start
        src = self._sources.get(self._dataset)
        options = self._dataset_options.get(
            self._dataset, dict(src) if isinstance(src, dict) else {})
        names = [n for n in self._sources if n != "data"] if "dataset" in self._control_names \
            else None
        return {
            "format": _CONFIG_FORMAT,
            "model": {"class": type(self.model).__name__, "params": _jsonable(params)},
            "controls": list(self._control_names),
            "views": list(self._view_names),
            "dataset": self._dataset,
            "dataset_options": _jsonable(options),
            "datasets": names,
            "image_shape": None if self.image_shape is None else list(self.image_shape),
            "frame_interval": self.frame_interval,
            "max_train_seconds": self.max_train_seconds,
            "warm_max_iter": self.warm_max_iter,
            "layout": self.layout,
        }

    @classmethod
    def from_config(cls, config, X=None, **kwargs):
        """Build the panel that :meth:`config` described.

        Parameters
        ----------
        config : dict
            As returned by :meth:`config` (e.g. after a JSON round trip).
        X : array, optional
            The training data. When None, the data set is loaded by its recorded name (and
            options) with :func:`aelab.datasets.load_dataset`.
        **kwargs
            Override any Explorer argument (e.g. ``key``).

        Returns
        -------
        Explorer

        Taught in notebooks/03-choosing-hyperparameters.ipynb.
        """
        import aelab
        from sklearn.base import BaseEstimator

        if not isinstance(config, dict) or config.get("format") != _CONFIG_FORMAT:
            raise ValueError(f"not an Explorer config (expected format {_CONFIG_FORMAT!r})")
        name = config["model"]["class"]
        # Only aelab's own estimators: a config may come from someone else's notebook, and
        # importing arbitrary classes by name would run arbitrary code.
        model_cls = getattr(aelab, name, None)
        if model_cls is None:
            from . import models

            model_cls = getattr(models, name, None)
        if not (isinstance(model_cls, type) and issubclass(model_cls, BaseEstimator)):
            raise ValueError(f"unknown model class {name!r}; expected one of aelab's models")
        model = model_cls(**config["model"]["params"])
        dataset = config.get("dataset")
        datasets = config.get("datasets")
        options = config.get("dataset_options") or {}
        if datasets is not None:
            datasets = {n: None for n in datasets}
        if X is None:
            if dataset in (None, "data"):
                raise ValueError("this config's data were passed as an array; pass X= again")
            if datasets is None:
                datasets = {}
            datasets[dataset] = dict(options)
        elif datasets is not None:
            datasets.pop(dataset, None)  # X itself will stand for it
        args = dict(
            controls=tuple(config["controls"]), views=tuple(config["views"]),
            datasets=datasets, dataset=dataset, image_shape=config.get("image_shape"),
            frame_interval=config.get("frame_interval", 0.1),
            max_train_seconds=config.get("max_train_seconds"),
            warm_max_iter=config.get("warm_max_iter"),
            layout=config.get("layout", "standard"),
        )
        args.update(kwargs)
        panel = cls(model, X, **args)
        if X is not None and options:
            # The caller passed the data in, but the config should still say how they were
            # made, so that a later from_config(cfg) without X loads the same data.
            panel._dataset_options.setdefault(panel.dataset, dict(options))
        return panel

    @staticmethod
    def close_all():
        """Close every live Explorer in this process (e.g. before a lecture's next demo)."""
        with _LIVE_LOCK:
            panels = [ref() for ref in _LIVE.values()]
        for panel in panels:
            if panel is not None:
                panel.close()


# --------------------------------------------------------------------------- small helpers


def _divergence_hint(params):
    """What to try after a diverged training, for the optimiser that diverged."""
    if params.get("optimizer", "lbfgs") in ("sgd", "adam"):
        return (f"Try a smaller learning_rate (now {params.get('learning_rate')!r}), "
                "a smaller ε, or optimizer='lbfgs'.")
    return "Try a smaller ε or λ."


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _note(kind, message, color, background):
    return (f"<div style='border-left:4px solid {color};background:{background};"
            f"padding:4px 8px;margin:2px 0;color:{color}'><b>{html.escape(kind)}</b>: "
            f"{html.escape(message)}</div>")


def _collapsed(model, X):
    """True when the encoder weights are negligible against their initial scale.

    Sparse autoencoders with a large λ settle at W ≈ 0 (hidden units stuck at ρ through
    their biases, the output at the data mean through b₂). The gradient with respect to W₁
    is proportional to W₂ and vice versa, so that point is stationary for any
    hyperparameters: a warm start from it would never leave it.
    """
    W = _to_host(model.params_["W1"])
    eps = model.get_params().get("epsilon")
    if eps is None:  # UFLDL's uniform init on ±r has standard deviation r/√3
        eps = math.sqrt(6.0 / (X.shape[1] + W.shape[0] + 1)) / math.sqrt(3.0)
    return float(np.sqrt(np.mean(W * W))) < 1e-3 * float(eps)


def _blas_limit(X, n_hidden):
    """aelab's BLAS thread limit for products of X's size (a no-op when unavailable)."""
    import contextlib

    try:
        from .backend import blas_threads, get_namespace
    except ImportError:  # pragma: no cover - older engines
        return contextlib.nullcontext()
    return blas_threads(get_namespace(X), X.shape[0], X.shape[1], int(n_hidden))


def _largest_angle(W1, components):
    try:
        from .pca import max_principal_angle_degrees
    except ImportError:  # pragma: no cover - pca.py is part of the package
        import scipy.linalg

        return float(np.degrees(np.max(scipy.linalg.subspace_angles(W1.T, components.T))))
    return max_principal_angle_degrees(W1, components)


def _close_tree(widget):
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()
