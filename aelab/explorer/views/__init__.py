"""The panel's views, registered by name (see :mod:`aelab.explorer.views.base`).

The views that come with aelab: ``"filters"`` (the encoder weights as a grid),
``"reconstructions"`` (originals above their reconstructions, on one grey scale),
``"activations"`` (ρ̂ per unit against ρ), ``"loss"`` (J per iteration), ``"pca"`` (the top
principal components beside the filters, and the largest principal angle between the two
subspaces in the status line; notebooks/04-autoencoders-and-pca.ipynb) and ``"ksparse"``
(the filters with the dead units tinted purple, and a few examples' codes: which units fire,
and how strongly; dead units are those constant on up to 2000 training examples, which for a
k-sparse model means never selected; notebooks/05-k-sparse-autoencoders.ipynb).

Views that need more than a model and its data are registered by a function instead of
here: :func:`aelab.explorer.views.sae.sae_views` binds ``"sae_recovery"`` (true features
against the matched decoder columns, with the mean max cosine similarity) and
``"sae_dead"`` (firing frequencies, dead latents counted) to the known features of a
superposition data set (notebooks/09-sparse-autoencoders-for-interpretability.ipynb).
"""
from .activations import ActivationsView
from .base import VIEWS, ImageView, register_view, view_class
from .images import FiltersView, PCAView, ReconstructionsView
from .ksparse import KSparseView
from .loss import LossView

for _name, _cls in (("filters", FiltersView), ("pca", PCAView),
                    ("reconstructions", ReconstructionsView), ("activations", ActivationsView),
                    ("loss", LossView), ("ksparse", KSparseView)):
    register_view(_name, _cls)

#: The views that come with aelab (``VIEWS`` also holds any registered later).
VIEW_NAMES = tuple(VIEWS)
DEFAULT_VIEWS = ("filters", "reconstructions", "activations", "loss")

__all__ = ["VIEWS", "VIEW_NAMES", "DEFAULT_VIEWS", "ImageView", "register_view", "view_class",
           "FiltersView", "PCAView", "ReconstructionsView", "ActivationsView", "LossView",
           "KSparseView"]
