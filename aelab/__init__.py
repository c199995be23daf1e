"""aelab: the library behind an interactive course on autoencoders."""
from .autoencoder import Autoencoder
from .backend import available_backends, get_namespace, to_numpy
from .gradcheck import check_gradient, numerical_gradient, relative_difference
from .models import (
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    KSparseAutoencoder,
    LinearAutoencoder,
    SparseAutoencoder,
)
from .optimize import Progress, TrainingDivergedWarning

__version__ = "0.1.0"

__all__ = [
    "Autoencoder",
    "SparseAutoencoder",
    "LinearAutoencoder",
    "KSparseAutoencoder",
    "DenoisingAutoencoder",
    "ContractiveAutoencoder",
    "Progress",
    "TrainingDivergedWarning",
    "check_gradient",
    "numerical_gradient",
    "relative_difference",
    "available_backends",
    "get_namespace",
    "to_numpy",
]
