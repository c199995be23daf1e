"""A panel as JSON: what :meth:`Explorer.config` writes and :meth:`Explorer.from_config` reads.

Like TensorFlow Playground's shareable URL: the model class and its hyperparameters as the
controls now stand, which controls and views show, the data set by name (and the options it
was loaded with) and the panel's settings. The data and learned weights are not included, and
only aelab's own estimators can be named (a config may come from someone else's notebook).
"""
from __future__ import annotations

import numpy as np

__all__ = ["CONFIG_FORMAT", "config_of", "panel_from_config", "jsonable"]

CONFIG_FORMAT = "aelab.Explorer/1"


def jsonable(value):
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
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    raise TypeError(f"{value!r} ({type(value).__name__}) cannot be stored in a JSON config")


def config_of(panel):
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
    params = dict(panel._params)
    params["warm_start"] = panel.user_warm_start
    src = panel._data.sources.get(panel._dataset)
    options = panel._data.options.get(
        panel._dataset, dict(src) if isinstance(src, dict) else {})
    names = [n for n in panel._data.sources if n != "data"] if "dataset" in panel._control_names \
        else None
    return {
        "format": CONFIG_FORMAT,
        "model": {"class": type(panel.model).__name__, "params": jsonable(params)},
        "controls": list(panel._control_names),
        "views": list(panel._view_names),
        "dataset": panel._dataset,
        "dataset_options": jsonable(options),
        "datasets": names,
        "image_shape": None if panel.image_shape is None else list(panel.image_shape),
        "frame_interval": panel.frame_interval,
        "max_train_seconds": panel.max_train_seconds,
        "warm_max_iter": panel.warm_max_iter,
        "layout": panel.layout,
        "holdout": panel.holdout,
    }



def panel_from_config(cls, config, X=None, **kwargs):
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
    from ..registry import build_model

    if not isinstance(config, dict) or config.get("format") != CONFIG_FORMAT:
        raise ValueError(f"not an Explorer config (expected format {CONFIG_FORMAT!r})")
    # Only aelab's own models, from the registry aelab.load uses too: a config may come from
    # someone else's notebook, and importing arbitrary classes by name would run arbitrary
    # code. A config written before seed became random_state still builds the same model.
    model = build_model(config["model"]["class"], config["model"]["params"])
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
        holdout=config.get("holdout", 0.1),
    )
    args.update(kwargs)
    panel = cls(model, X, **args)
    if X is not None and options:
        # The caller passed the data in, but the config should still say how they were
        # made, so that a later from_config(cfg) without X loads the same data.
        panel._data.options.setdefault(panel.dataset, dict(options))
    return panel

