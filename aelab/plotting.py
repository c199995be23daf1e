"""Pictures of a model: filter grids, reconstructions, activation histograms, loss curves.

Every function draws into an ``ax`` you pass, or into a new figure when ``ax`` is None, and
returns the artist it made so the live panel can update it in place (``set_data``) instead of
redrawing, which is what keeps the sliders from flickering. Nothing here touches pyplot's
"current axes": a new figure is only opened when no ``ax`` is given, so a call never draws
over a plot the student made before.

Taught in notebooks/01-autoencoder-basics.ipynb (reconstructions, loss curves) and
notebooks/02-sparse-autoencoder.ipynb (filter grids, activation histograms).
"""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from .backend import to_numpy

__all__ = [
    "filter_grid_image",
    "plot_filters",
    "update_filters",
    "plot_reconstructions",
    "plot_activation_histogram",
    "plot_loss_curve",
]

_NORMALIZE = ("each", "all", "none")
# Keyword arguments of filter_grid_image that plot_filters passes through; the rest go to imshow.
_GRID_KW = ("shape", "n_cols", "pad", "normalize")


def _new_axes(ax):
    """Return ``ax``, or the axes of a fresh figure when ``ax`` is None.

    pyplot is imported here, not at module level, so that importing aelab (and running the
    live panel, which always passes its own axes) never selects a matplotlib backend.
    A *new* figure rather than ``plt.gca()``: drawing over whatever the student plotted
    last is the global-state surprise we want to avoid, while a pyplot-managed figure still
    shows itself in Jupyter without a ``display`` call.
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    return ax


def _as_2d_float(W, name):
    """Host copy of ``W`` as a 2-D floating array, or a clear error."""
    if hasattr(W, "get_params") and not hasattr(W, "shape"):
        # An estimator: show its encoder filters. An unfitted one raises NotFittedError
        # here, which says more than "dtype object" would.
        W = W.components_
    try:
        W = to_numpy(W)
    except Exception as exc:  # pragma: no cover - depends on exotic inputs
        raise TypeError(f"{name} must be an array, got {type(W).__name__}") from exc
    if W.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {W.dtype}")
    if W.ndim == 1:
        W = W[None, :]
    if W.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_filters, n_pixels), got shape {W.shape}"
        )
    if W.dtype.kind != "f":
        W = W.astype(np.float64)
    return W


def _tile_shape(shape, n_pixels, name="shape"):
    """Validate or infer the (height, width) of one tile."""
    if shape is None:
        side = math.isqrt(n_pixels)
        if side * side != n_pixels:
            raise ValueError(
                f"cannot infer a square tile from {n_pixels} pixels per filter; "
                f"pass {name}=(height, width) with height * width == {n_pixels}"
            )
        return side, side
    if isinstance(shape, Integral):
        shape = (int(shape), int(shape))
    try:
        h, w = (int(s) for s in shape)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be (height, width), got {shape!r}") from None
    if h < 1 or w < 1 or h * w != n_pixels:
        raise ValueError(
            f"{name}={tuple(shape)!r} does not fit {n_pixels} pixels per filter; "
            f"height * width must equal {n_pixels}"
        )
    return h, w


def filter_grid_image(W, shape=None, n_cols=None, pad=1, normalize="each"):
    """Lay out the rows of ``W`` as small image tiles in one grey-scale picture.

    This is UFLDL's ``display_network``: each filter becomes a tile, tiles are separated by
    a dark border, and (with ``normalize="each"``) every filter is divided by its own
    largest absolute value, so zero is mid-grey, the filter's strongest positive weight is
    white and its strongest negative weight black. Per-filter scaling shows the *shape* of
    each filter even when their norms differ a lot, which they do early in training.

    Parameters
    ----------
    W : array, shape (n_filters, n_pixels)
        One filter per row, e.g. ``model.components_`` (NumPy, CuPy or any array-API
        array; it is copied to the host). A 1-D array is one filter.
    shape : (int, int) or int, optional
        Height and width of one tile, with ``height * width == n_pixels``. When None the
        tile is square and ``n_pixels`` must be a perfect square.
    n_cols : int, optional
        Tiles per row of the grid. Default ``ceil(sqrt(n_filters))``, a near-square grid.
    pad : int, default 1
        Width in pixels of the dark border between tiles and around the grid.
    normalize : {"each", "all", "none"}, default "each"
        ``"each"``: scale every filter by its own max ``|value|`` and map [-1, 1] to
        [0, 1]. ``"all"``: the same with one scale shared by all filters, so their
        strengths can be compared. ``"none"``: the values are already intensities in
        [0, 1] (images, reconstructions) and are only clipped.

    Returns
    -------
    image : ndarray, shape (n_rows * (height + pad) + pad, n_cols * (width + pad) + pad)
        Floats in [0, 1]; borders and unused grid slots are 0 (black). float32 when ``W``
        is float32, otherwise float64. Show it with ``cmap="gray", vmin=0, vmax=1``.

    Raises
    ------
    ValueError
        If ``shape`` does not match ``n_pixels``, ``W`` has non-finite values, or
        ``n_cols``, ``pad`` or ``normalize`` are out of range.

    Notes
    -----
    Pure NumPy and vectorised: the live panel calls it several times a second, and 196
    filters of 28x28 take 0.2 ms (float32) to 2 ms (float64) on one CPU core.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    W = _as_2d_float(W, "W")
    n_filters, n_pixels = W.shape
    if n_filters == 0 or n_pixels == 0:
        raise ValueError(f"W must have at least one filter and one pixel, got shape {W.shape}")
    h, w = _tile_shape(shape, n_pixels)
    if n_cols is None:
        n_cols = math.ceil(math.sqrt(n_filters))
    elif not isinstance(n_cols, Integral) or isinstance(n_cols, bool) or n_cols < 1:
        raise ValueError(f"n_cols must be a positive integer or None, got {n_cols!r}")
    n_cols = int(min(n_cols, n_filters))
    if not isinstance(pad, Integral) or isinstance(pad, bool) or pad < 0:
        raise ValueError(f"pad must be a non-negative integer, got {pad!r}")
    pad = int(pad)
    if normalize is None:
        normalize = "none"
    if normalize not in _NORMALIZE:
        raise ValueError(f"normalize must be one of {_NORMALIZE}, got {normalize!r}")
    if not np.isfinite(W).all():
        raise ValueError(
            "W contains NaN or infinite values; a diverged model has no filters to show"
        )

    # Scale into [0, 1] in one pass over a fresh array (never modify the caller's W).
    if normalize == "none":
        tiles = np.clip(W, 0.0, 1.0)
    else:
        # max |w| as max(max w, -min w): two reductions, no |W|-sized temporary array.
        axis = 1 if normalize == "each" else None
        scale = np.maximum(W.max(axis=axis, keepdims=True), -W.min(axis=axis, keepdims=True))
        # An all-zero filter has no direction to show: leave it uniformly mid-grey
        # rather than dividing by zero.
        scale[scale == 0] = 1
        tiles = W / (2 * scale)
        tiles += 0.5

    n_rows = math.ceil(n_filters / n_cols)
    th, tw = h + pad, w + pad
    # Fill a (rows, tile_h, cols, tile_w) view of the canvas: the (pad-free) top-left
    # h x w block of every cell receives one filter with a single vectorised assignment.
    canvas = np.zeros((n_rows * th + pad, n_cols * tw + pad), dtype=tiles.dtype)
    cells = canvas[pad:, pad:].reshape(n_rows, th, n_cols, tw)
    full = (n_filters // n_cols) * n_cols
    if full:
        cells[: full // n_cols, :h, :, :w] = (
            tiles[:full].reshape(full // n_cols, n_cols, h, w).transpose(0, 2, 1, 3)
        )
    rest = n_filters - full
    if rest:
        cells[n_rows - 1, :h, :rest, :w] = tiles[full:].reshape(rest, h, w).transpose(1, 0, 2)
    return canvas


def _split_grid_kw(kw):
    grid = {k: kw.pop(k) for k in _GRID_KW if k in kw}
    return grid, kw


def plot_filters(W, ax=None, title=None, **kw):
    """Show the rows of ``W`` (or a fitted model's ``components_``) as a grid of tiles.

    Parameters
    ----------
    W : array, shape (n_filters, n_pixels), or fitted estimator
        Filters, one per row; an estimator is replaced by its ``components_``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    title : str, optional
        Axes title.
    **kw
        ``shape``, ``n_cols``, ``pad`` and ``normalize`` go to :func:`filter_grid_image`;
        the rest to ``ax.imshow``.

    Returns
    -------
    im : matplotlib.image.AxesImage
        Grey image with fixed limits 0..1, so ``im.set_data(filter_grid_image(W_new))``
        redraws it in place with the same grey levels. If the number of filters may
        change, use :func:`update_filters`, which also resizes the image.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    grid_kw, imshow_kw = _split_grid_kw(dict(kw))
    image = filter_grid_image(W, **grid_kw)
    ax = _new_axes(ax)
    imshow_kw.setdefault("cmap", "gray")
    imshow_kw.setdefault("interpolation", "nearest")
    # Fixed limits: the image is already in [0, 1], and autoscaling would make set_data
    # updates inconsistent with the first frame (and mid-grey no longer mean zero).
    imshow_kw.setdefault("vmin", 0.0)
    imshow_kw.setdefault("vmax", 1.0)
    im = ax.imshow(image, **imshow_kw)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return im


def update_filters(im, W, **kw):
    """Redraw a filter grid made by :func:`plot_filters` with new filters, in place.

    Unlike a bare ``im.set_data``, this also resizes the image when the grid changed size
    (the hidden-size slider), so the tiles are not stretched into the old extent.

    Parameters
    ----------
    im : matplotlib.image.AxesImage
        The artist :func:`plot_filters` returned.
    W : array, shape (n_filters, n_pixels), or fitted estimator
        The new filters.
    **kw
        Passed to :func:`filter_grid_image`.

    Returns
    -------
    im : matplotlib.image.AxesImage
        The same artist. Call ``fig.canvas.draw_idle()`` to show the change.

    Taught in notebooks/03-choosing-hyperparameters.ipynb.
    """
    image = filter_grid_image(W, **kw)
    old = im.get_array()
    im.set_data(image)
    if old is None or old.shape != image.shape:
        rows, cols = image.shape
        im.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
        im.axes.set_xlim(-0.5, cols - 0.5)
        im.axes.set_ylim(rows - 0.5, -0.5)
    return im


def plot_reconstructions(X, X_hat, shape=None, n=10, ax=None, title=None):
    """Show ``n`` inputs (top row) above their reconstructions (bottom row).

    Both rows share one grey scale, taken from the range of the shown inputs, so a
    reconstruction that is too faint or too bright looks that way instead of being
    stretched to full contrast.

    Parameters
    ----------
    X : array, shape (n_samples, n_features)
        Inputs.
    X_hat : array, shape (n_samples, n_features)
        Their reconstructions, e.g. ``model.inverse_transform(model.transform(X))``.
    shape : (int, int), optional
        Image height and width, ``height * width == n_features``; square when None.
    n : int, default 10
        How many examples, the first ``n`` (fewer if ``X`` has fewer rows).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    title : str, optional
        Axes title.

    Returns
    -------
    im : matplotlib.image.AxesImage
        The two-row image (limits 0..1); update in place with ``im.set_data``.

    Taught in notebooks/01-autoencoder-basics.ipynb.
    """
    X = _as_2d_float(X, "X")
    X_hat = _as_2d_float(X_hat, "X_hat")
    if X.shape != X_hat.shape:
        raise ValueError(
            f"X and X_hat must have the same shape, got {X.shape} and {X_hat.shape}"
        )
    if not isinstance(n, Integral) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    n = min(int(n), X.shape[0])
    if n == 0:
        raise ValueError("X has no rows to show")
    shown, recon = X[:n], X_hat[:n]
    if not (np.isfinite(shown).all() and np.isfinite(recon).all()):
        raise ValueError("X and X_hat must be finite to be shown as images")
    h, _ = _tile_shape(shape, X.shape[1])
    lo, hi = float(shown.min()), float(shown.max())
    span = hi - lo if hi > lo else 1.0
    both = (np.concatenate([shown, recon]) - lo) / span
    pad = 1
    image = filter_grid_image(both, shape=shape, n_cols=n, pad=pad, normalize="none")
    ax = _new_axes(ax)
    im = ax.imshow(image, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    # Name the two rows on the y axis, at the centre of each row of tiles.
    centres = [pad + (h - 1) / 2, 2 * pad + h + (h - 1) / 2]
    ax.set_yticks(centres, labels=["input", "output"])
    ax.tick_params(axis="y", length=0)
    if title is not None:
        ax.set_title(title)
    return im


def plot_activation_histogram(activations, rho=None, ax=None, title=None):
    """Bar chart of each hidden unit's mean activation, with the sparsity target.

    Parameters
    ----------
    activations : array, shape (n_samples, n_hidden) or (n_hidden,)
        Hidden activations ``H = model.transform(X)`` (averaged over samples here), or the
        mean activations ``rho_hat`` already.
    rho : float, optional
        Sparsity target ρ, drawn as a horizontal dashed line.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    title : str, optional
        Axes title.

    Returns
    -------
    bars : matplotlib.container.BarContainer
        One bar per hidden unit; the target line, when drawn, is ``ax.lines[-1]``.
        Update in place with ``bar.set_height`` for each bar.

    Taught in notebooks/02-sparse-autoencoder.ipynb.
    """
    A = to_numpy(activations)
    if A.dtype.kind not in "biuf":
        raise TypeError(f"activations must hold real numbers, got dtype {A.dtype}")
    if A.ndim == 2:
        if A.shape[0] == 0:
            raise ValueError("activations has no samples to average")
        rho_hat = A.mean(axis=0)
    elif A.ndim == 1:
        rho_hat = A.astype(np.float64, copy=False)
    else:
        raise ValueError(
            "activations must be H (n_samples, n_hidden) or rho_hat (n_hidden,), "
            f"got shape {A.shape}"
        )
    if rho is not None and (not isinstance(rho, Real) or not np.isfinite(rho)):
        raise ValueError(f"rho must be a finite number or None, got {rho!r}")
    ax = _new_axes(ax)
    units = np.arange(rho_hat.shape[0])
    bars = ax.bar(units, rho_hat, width=0.8, color="tab:blue", label="mean activation ρ̂ⱼ")
    if rho is not None:
        ax.axhline(float(rho), color="tab:red", linestyle="--", label=f"target ρ = {rho:g}")
    ax.set_xlabel("hidden unit j")
    ax.set_ylabel("mean activation ρ̂ⱼ")
    ax.legend(loc="upper right")
    if title is not None:
        ax.set_title(title)
    return bars


def plot_loss_curve(loss_curve, ax=None, log=True, title=None, label=None):
    """Plot the training objective against the iteration number.

    Parameters
    ----------
    loss_curve : sequence of float, length n_iter
        ``model.loss_curve_``, one value per iteration.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None. Several curves can share one ``ax``.
    log : bool, default True
        Logarithmic y axis, where the late, slow part of training is visible. Falls back
        to a linear axis when some value is not positive, which a log axis cannot show.
    title, label : str, optional
        Axes title and legend label of the curve.

    Returns
    -------
    line : matplotlib.lines.Line2D
        Update in place with ``line.set_data(x, y)`` then ``ax.relim(); ax.autoscale_view()``.

    Taught in notebooks/01-autoencoder-basics.ipynb.
    """
    y = to_numpy(loss_curve) if hasattr(loss_curve, "shape") else np.asarray(loss_curve)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"loss_curve must be a sequence of numbers, got dtype {y.dtype}")
    y = y.astype(np.float64, copy=False).ravel()
    ax = _new_axes(ax)
    (line,) = ax.plot(np.arange(1, y.shape[0] + 1), y, label=label)
    finite = y[np.isfinite(y)]
    if log and finite.size and (finite > 0).all():
        ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("objective J")
    if label is not None:
        ax.legend()
    if title is not None:
        ax.set_title(title)
    return line
