"""The model classes aelab rebuilds by name, in one list.

:func:`aelab.load` (a saved file) and :meth:`aelab.Explorer.from_config` (a shared panel
config) both turn a class name from outside into an estimator. Both ask here, so a name is
either one of aelab's own models everywhere or nowhere, and nothing from the file or the
config is ever imported. Both also read files written before ``seed`` became
``random_state`` (:func:`upgrade_params`).

Taught in notebooks/01-autoencoder-basics.ipynb (saving and loading).
"""
from __future__ import annotations

__all__ = ["model_classes", "model_class", "build_model", "upgrade_params"]


def model_classes():
    """{name: class} of every model that can be saved, loaded and put in a panel.

    The engine, its presets, the variational and the stacked autoencoder. Helpers that are
    estimators too (``PCA``, ``Whitening``) are not models: they have no ``params_``.
    """
    from . import models
    from .autoencoder import Autoencoder
    from .stacked import StackedAutoencoder
    from .vae import VariationalAutoencoder

    classes = [Autoencoder, VariationalAutoencoder, StackedAutoencoder]
    classes += [getattr(models, name) for name in models.__all__]
    return {cls.__name__: cls for cls in classes}


def model_class(name):
    """The model class called ``name``, or None when aelab has no such model."""
    if not isinstance(name, str):
        return None
    return model_classes().get(name)


def upgrade_params(params):
    """Hyperparameters as saved by an older aelab, in today's names (a new dict).

    ``seed`` was renamed ``random_state``: an old ``{"seed": 3}`` becomes
    ``{"random_state": 3}``, which builds the same model without the deprecation warning.
    """
    params = dict(params)
    if "seed" in params and "random_state" not in params:
        params["random_state"] = params.pop("seed")
    return params


def build_model(name, params):
    """``cls(**params)`` for the model class ``name`` (after :func:`upgrade_params`).

    Raises
    ------
    ValueError
        If aelab has no model of that name.
    TypeError
        If the hyperparameters do not fit the class.
    """
    cls = model_class(name)
    if cls is None:
        raise ValueError(
            f"unknown model class {name!r}; expected one of aelab's models: "
            f"{', '.join(sorted(model_classes()))}")
    return cls(**upgrade_params(params))
