"""A top-k / L1 switch for a panel on a sparse autoencoder (notebook 09).

The two sparse autoencoders of the literature are one engine with different settings: top-k
keeps the k largest latents and has no penalty; L1 keeps every latent and charges β E‖h‖₁.
:class:`SAEModeSwitch` is a toggle beside an :class:`~aelab.explorer.Explorer` that retrains
its model with one set or the other (through :meth:`Explorer.retrain`, so the switch needs no
control of its own in the panel). In L1 mode the k slider is disabled: it has no meaning there.

Taught in notebooks/09-sparse-autoencoders-for-interpretability.ipynb.
"""
from __future__ import annotations

from ..validation import check_real

__all__ = ["SAEModeSwitch", "MODES", "recovery_fails"]

#: The switch's labels.
MODES = ("top-k", "L1")


class SAEModeSwitch:
    """A "top-k" / "L1" toggle that retrains ``panel``'s model in either mode.

    Parameters
    ----------
    panel : aelab.Explorer
        A panel on a ReLU sparse autoencoder (``aelab.TopKSAE`` or ``aelab.L1SAE``).
    beta : float > 0, default 0.15
        β of L1 mode (aelab's β = λ/2 for sae-lens's λ; see :class:`aelab.L1SAE`).
    l1_learning_rate : float > 0, optional
        Adam's step in L1 mode (top-k mode restores the model's own). Default: the same.

    Attributes
    ----------
    widget : ipywidgets.ToggleButtons
        Its ``value`` is ``"top-k"`` or ``"L1"``; setting it retrains (headless too).
    """

    def __init__(self, panel, beta=0.15, l1_learning_rate=None):
        import ipywidgets

        self.panel = panel
        self.beta = check_real("beta", beta, low=0.0, low_open=True)
        params = panel.model.get_params()
        self.topk_learning_rate = params["learning_rate"]
        self.l1_learning_rate = check_real("l1_learning_rate", l1_learning_rate, low=0.0,
                                           low_open=True, allow_none=True)
        self.k = params.get("k") or 8
        start = "top-k" if params.get("k") is not None else "L1"
        self.widget = ipywidgets.ToggleButtons(options=list(MODES), value=start,
                                               description="SAE")
        self.widget.observe(lambda change: self.set_mode(change["new"]), names="value")
        self._disable_k(start == "L1")

    def _disable_k(self, off):
        if "k" in self.panel.controls:
            self.panel.controls["k"].disabled = bool(off)

    def set_mode(self, mode):
        """Retrain in ``mode`` ("top-k" or "L1"); returns immediately (``panel.wait()``)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if self.widget.value != mode:
            self.widget.value = mode  # the observer calls back here
            return
        if mode == "L1":
            k = self.panel.model.get_params().get("k")
            if k is not None:
                self.k = int(k)  # what top-k mode comes back to
            self.panel.retrain(k=None, sparsity="l1", rho=0.0, beta=self.beta,
                               learning_rate=self.l1_learning_rate or self.topk_learning_rate)
        else:
            self.panel.retrain(k=self.k, sparsity=None, beta=0.0,
                               learning_rate=self.topk_learning_rate)
        self._disable_k(mode == "L1")



def recovery_fails(features, below=0.85):
    """A challenge: make a top-k model's recovery fail (MMCS below ``below``) by moving k.

    Parameters
    ----------
    features : array (n, d)
        The true features the panel's data were made of.
    below : float in (0, 1), default 0.85

    Returns
    -------
    aelab.explorer.challenges.Challenge
        Reached when a retrain in top-k mode (k set) ends with the decoder's MMCS to
        ``features`` below ``below``.
    """
    import numpy as np

    from ..metrics import mean_max_cosine_similarity
    from .challenges import Challenge
    from .frames import to_host

    below = check_real("below", below, low=0.0, high=1.0, low_open=True, high_open=True)
    truth = np.asarray(features, dtype=np.float64)

    def goal(f, _stats):
        if (f.params or {}).get("k") is None:
            return False  # L1 mode: the task is about k
        W2 = to_host(f.model.params_["W2"])
        return mean_max_cosine_similarity(truth, W2.T) < below

    return Challenge(
        f"Make top-k's recovery fail — MMCS below {below} — by moving k alone.",
        goal=goal,
        why="with more latents on per example than features present, the spare latents fit "
            "pieces of several features at once: the reconstruction improves while the "
            "dictionary stops being the features (section 2's frontier).",
        hint="The data have about 2.6 features on per example. Try k far above that, and "
             "press reset so that training starts afresh rather than from the recovered "
             "dictionary.")
