"""Notebook 09's views: recovery of known features, and dead latents, for a sparse autoencoder.

Both views need what a frame does not hold (the true features, a sample of the data), so
they are made by :func:`sae_views`, which binds those to two view classes and registers them:

* ``"sae_recovery"``: the |cosine| of every true feature (rows) with every decoder column
  (columns, matched to the rows: column i is the latent that fits feature i best, then the
  unmatched rest), dark where they align; the title gives MMCS and the recovered fraction;
* ``"sae_dead"``: each latent's firing frequency on the sample, sorted, on a log scale,
  with the dead latents (firing on no row of the sample) counted in the title.

Taught in notebooks/09-sparse-autoencoders-for-interpretability.ipynb.
"""
from __future__ import annotations

import numpy as np

from ...metrics import max_cosine_similarities
from ..charts import Chart
from ..frames import to_host
from ..png import rgb_png
from .base import ImageView, register_view

__all__ = ["sae_views", "recovery_matrix", "firing_frequencies", "SAERecoveryView",
           "SAEDeadView"]


def _unit(A):
    n = np.linalg.norm(A, axis=1, keepdims=True)
    return A / np.where(n > 0, n, 1.0)


def recovery_matrix(features, W2):
    """|cos| of each true feature with each decoder column, columns matched to the rows.

    Parameters
    ----------
    features : array (n, d)
        The true feature directions.
    W2 : array (d, p)
        The decoder; its columns are the dictionary.

    Returns
    -------
    C : ndarray (n, p)
        ``C[i, j]`` = |cos(fᵢ, column order[j])|: the first columns are, greedily by
        strength of match, each feature's best still-unused latent (so a recovered
        dictionary shows a dark diagonal); the unmatched latents follow.
    order : ndarray (p,)
        The latent shown in each column.
    """
    F = _unit(np.asarray(features, dtype=np.float64))
    D = _unit(np.asarray(W2, dtype=np.float64).T)
    C = np.abs(F @ D.T)
    n, p = C.shape
    order, used = [], np.zeros(p, dtype=bool)
    # features in order of their best match, so strong matches claim their latent first
    for i in np.argsort(-C.max(axis=1), kind="stable")[:min(n, p)]:
        j = int(np.argmax(np.where(used, -1.0, C[i])))
        order.append((i, j))
        used[j] = True
    cols = [j for _i, j in sorted(order)]
    order = np.array(cols + [j for j in range(p) if not used[j]], dtype=np.int64)
    return C[:, order], order


def firing_frequencies(H):
    """Fraction of rows on which each latent is nonzero, (n_rows, p) -> (p,)."""
    H = np.asarray(H)
    return np.count_nonzero(H, axis=0) / max(len(H), 1)


class SAERecoveryView(ImageView):
    """True features against decoder columns, |cos| as darkness, with MMCS in the title.

    ``features`` is set by :func:`sae_views`; ``last`` holds the latest ``{"mmcs",
    "recovered"}`` drawn (for tests and notebooks).
    """

    title = "Recovery"
    placement = "middle"
    features = None
    threshold = 0.9

    def __init__(self, widgets, scale):
        super().__init__(widgets, scale)
        self.last = None

    def update(self, f):
        W2 = to_host(f.model.params_["W2"]) if "W2" in f.model.params_ else f.W1.T
        C, _order = recovery_matrix(self.features, W2)
        best = max_cosine_similarities(self.features, W2.T)
        self.last = {"mmcs": float(best.mean()),
                     "recovered": float(np.mean(best > self.threshold))}
        # White up to |cos| 0.3 (what random directions in a few dozen dimensions reach
        # anyway), dark blue at 1: the diagonal of a recovered dictionary stands out.
        shade = 1.0 - np.clip((C - 0.3) / 0.7, 0.0, 1.0)
        rgb = np.stack([shade * 0.9, shade * 0.95, 0.45 + 0.55 * shade], axis=2)
        self.image.value = rgb_png(rgb, int(420 * self.scale))
        self.set_title(
            f"<b>Recovery</b>: |cos| of {C.shape[0]} true features (rows) with {C.shape[1]} "
            f"decoder columns (matched first) · MMCS {self.last['mmcs']:.3f} · "
            f"{self.last['recovered']:.0%} recovered (cos &gt; {self.threshold})")


class SAEDeadView:
    """Each latent's firing frequency on a sample of the data, sorted, log scale.

    ``rows`` is set by :func:`sae_views`; ``last`` holds the latest ``{"dead",
    "dead_fraction", "frequencies"}``.
    """

    placement = "bottom"
    rows = None

    def __init__(self, widgets, scale):
        self.chart = Chart((3.4 * scale, 2.1 * scale), 80)
        ax = self.chart.ax
        (self.line,) = ax.plot([], [], color="#0072B2", lw=1.4, drawstyle="steps-mid")
        self.chart.animate(self.line)
        ax.set_position((0.17, 0.2, 0.79, 0.76))
        ax.set_xlabel("latent (most frequent first)", fontsize=7)
        ax.set_ylabel("fraction of rows it fires on", fontsize=7)
        self.image = widgets.Image(format="png", value=b"")
        self.label = widgets.HTML("<b>Firing frequency</b>")
        self.widget = widgets.VBox([self.label, self.image])
        self.last = None
        self._p = None

    def update(self, f):
        H = to_host(f.model.transform(self.rows))
        freq = firing_frequencies(H)
        dead = int(np.sum(freq == 0))
        self.last = {"dead": dead, "dead_fraction": dead / len(freq), "frequencies": freq}
        if self._p != len(freq):
            self._p = len(freq)
            self.chart.ax.set_xlim(0, len(freq))
            self.chart.set_y("log", 0.5 / len(self.rows), 1.0)
        shown = np.maximum(np.sort(freq)[::-1], 0.5 / len(self.rows))  # dead: at the floor
        self.line.set_data(np.arange(len(freq)), shown)
        self.image.value = self.chart.png()
        title = (f"<b>Firing frequency</b> of each latent on {len(self.rows)} rows · "
                 f"<span style='color:#a00000'>{dead} of {len(freq)} dead</span> "
                 f"(on the floor: never fired)")
        if self.label.value != title:
            self.label.value = title


def sae_views(features, rows):
    """Register ``"sae_recovery"`` and ``"sae_dead"`` for these true features and data rows.

    Parameters
    ----------
    features : array (n, d)
        The true feature directions the recovery view compares the decoder with.
    rows : array (m, d)
        Examples the dead-latent view counts firing on, encoded at every frame (about a
        thousand: enough to see a latent that fires once in a few hundred rows, and cheap
        enough to stay within a frame's few milliseconds).

    Returns
    -------
    tuple of str
        The two view names, for ``Explorer(views=...)``.
    """
    features = np.asarray(features, dtype=np.float64)
    rows = np.asarray(rows)
    if features.ndim != 2 or rows.ndim != 2 or features.shape[1] != rows.shape[1]:
        raise ValueError(f"features (n, d) and rows (m, d) must share d; got shapes "
                         f"{features.shape} and {rows.shape}")
    if len(rows) < 1:
        raise ValueError("rows must hold at least one example")
    register_view("sae_recovery", type("SAERecoveryView", (SAERecoveryView,),
                                       {"features": features}))
    register_view("sae_dead", type("SAEDeadView", (SAEDeadView,), {"rows": rows}))
    return ("sae_recovery", "sae_dead")
