"""aelab: the library behind an interactive course on autoencoders."""
from . import claims, datasets, exercises, metrics, pca
from .convergence import ConvergenceWarning, fixed_budget
from .convergence import strict_from_environment as _strict_from_environment
from .autoencoder import Autoencoder
from .backend import available_backends, get_namespace, to_numpy
from .gradcheck import check_gradient, numerical_gradient, relative_difference
from .models import (
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    KSparseAutoencoder,
    L1SAE,
    LinearAutoencoder,
    SparseAutoencoder,
    TopKSAE,
)
from .io import load, save
from .optimize import Progress, TrainingDivergedWarning
from .pca import PCA, max_principal_angle_degrees, principal_angles
from .stacked import StackedAutoencoder
from .vae import VariationalAutoencoder
from .datasets import load_dataset
from .plotting import (
    filter_grid_image,
    plot_activation_histogram,
    plot_filters,
    plot_loss_curve,
    plot_reconstructions,
    update_filters,
)

from ._version import __version__  # noqa: E402  (the one place it is written)

# The notebook test run sets AELAB_CONVERGENCE=error: an unannounced budget stop fails it.
_strict_from_environment()


def __getattr__(name):
    # The live panel needs ipywidgets, which a plain `import aelab` should not pay for.
    if name == "Explorer":
        from .explorer import Explorer

        return Explorer
    raise AttributeError(f"module 'aelab' has no attribute {name!r}")


__all__ = [
    "Autoencoder",
    "SparseAutoencoder",
    "LinearAutoencoder",
    "KSparseAutoencoder",
    "DenoisingAutoencoder",
    "ContractiveAutoencoder",
    "TopKSAE",
    "L1SAE",
    "VariationalAutoencoder",
    "StackedAutoencoder",
    "Explorer",
    "PCA",
    "principal_angles",
    "max_principal_angle_degrees",
    "load_dataset",
    "claims",
    "datasets",
    "exercises",
    "metrics",
    "pca",
    "Progress",
    "TrainingDivergedWarning",
    "ConvergenceWarning",
    "fixed_budget",
    "check_gradient",
    "numerical_gradient",
    "relative_difference",
    "available_backends",
    "get_namespace",
    "to_numpy",
    "save",
    "load",
    "filter_grid_image",
    "plot_filters",
    "update_filters",
    "plot_reconstructions",
    "plot_activation_histogram",
    "plot_loss_curve",
]
