"""Save a fitted model to one ``.npz`` file and load it back, without pickle.

Pickle runs code from the file while loading, so a model shared by a classmate or
downloaded from a course page could do anything on the student's machine. This format holds
only data: the trainable arrays of ``params_``, each stored under its own name (so
``np.load(path)["W1"]`` works too), and one JSON document, stored as UTF-8 bytes, with
everything else::

    {"format": "aelab-model", "format_version": 1,
     "class": "SparseAutoencoder", "module": "aelab.models",
     "params": {... get_params() ...},
     "n_features_in_": 64, "loss_curve_": [...], "n_iter_": 400,
     "param_keys": ["W1", "b1", "W2", "b2"],
     "param_dtypes": ["<f8", ...], "param_shapes": [[25, 64], ...],
     "aelab_version": "0.1.0", "sha256": "..."}

The SHA-256 covers the JSON document (without the hash itself) and every array's name,
dtype, shape and bytes, so an edited or damaged file is refused with a clear message rather
than loaded as a silently different model. Loading only builds classes that the ``aelab``
package exports, by name; nothing in the file is ever imported or executed.

Taught in notebooks/01-autoencoder-basics.ipynb.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import zipfile
from pathlib import Path

import numpy as np
from sklearn.exceptions import NotFittedError

from .backend import to_numpy
from .registry import model_class, upgrade_params

__all__ = ["save", "load", "FORMAT_NAME", "FORMAT_VERSION"]

FORMAT_NAME = "aelab-model"
FORMAT_VERSION = 1
# Name of the metadata entry in the archive. Parameter names may not take it.
_META_KEY = "__aelab_meta__"
# Fitted attributes every model has, stored as top-level fields of the document.
_FITTED_SCALARS = ("n_features_in_", "loss_curve_", "n_iter_")


# ----------------------------------------------------------------------------- paths


def _check_path(path, name="path"):
    if isinstance(path, (str, os.PathLike)):
        return os.fspath(path)
    raise TypeError(f"{name} must be a str or os.PathLike, got {type(path).__name__}")


def _npz_path(path):
    """Append ``.npz`` when missing, exactly as ``np.savez`` does."""
    path = _check_path(path)
    if not path.endswith(".npz"):
        path += ".npz"
    return Path(path)


# ------------------------------------------------------------------------------ JSON


def _encode(value, where):
    """Make a hyperparameter value JSON-safe, keeping tuples distinguishable from lists.

    ``cls(**params)`` must get back exactly what ``get_params()`` gave, and a tuple such as
    a stacked model's layer sizes would otherwise come back as a list.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, where) for v in value]}
    if isinstance(value, np.ndarray) and value.ndim == 1 and _plain_kind(value):
        # Fitted labels and names (classes_, feature_names_in_): kept as arrays, dtype too.
        return {"__ndarray__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, list):
        return [_encode(v, where) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        if "__tuple__" in value:
            raise TypeError(f"{where}: the key '__tuple__' is reserved by the file format")
        if "__ndarray__" in value:
            raise TypeError(f"{where}: the key '__ndarray__' is reserved by the file format")
        return {k: _encode(v, where) for k, v in value.items()}
    raise TypeError(
        f"{where} is {value!r} of type {type(value).__name__}; only None, bool, int, float, "
        "str and lists, tuples and str-keyed dicts of them can be saved without pickle"
    )


def _plain_kind(a):
    """Numbers, or strings (also as an object array of str, as scikit-learn keeps names)."""
    if a.dtype.kind in "biufU":
        return True
    return a.dtype.kind == "O" and all(isinstance(v, str) for v in a.tolist())


def _decode_hook(obj):
    if set(obj) == {"__tuple__"}:
        return tuple(obj["__tuple__"])
    if set(obj) == {"__ndarray__", "dtype"}:
        return np.asarray(obj["__ndarray__"], dtype=np.dtype(obj["dtype"]))
    return obj


def _canonical(doc):
    # sort_keys and fixed separators: the same document always hashes the same way.
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _digest(doc_without_hash, keys, arrays):
    h = hashlib.sha256()
    h.update(_canonical(doc_without_hash))
    for key in keys:
        a = arrays[key]
        h.update(key.encode("utf-8"))
        h.update(a.dtype.str.encode("ascii"))
        h.update(repr(a.shape).encode("ascii"))
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


# ----------------------------------------------------------------------------- classes


def _exported_class(name):
    """The model class called ``name`` in aelab's registry, or None.

    The registry (:mod:`aelab.registry`) is shared with ``Explorer.from_config``; helpers
    that are estimators too, such as ``PCA``, are not models and are refused.
    """
    return model_class(name)


# -------------------------------------------------------------------------------- save


def save(model, path):
    """Write a fitted aelab model to a single ``.npz`` file, without pickle.

    Parameters
    ----------
    model : aelab estimator
        A fitted model of a class that ``aelab`` exports (``Autoencoder``, its presets,
        and the other models), on any backend: CuPy arrays are copied to the host.
    path : str or os.PathLike
        Where to write. ``.npz`` is appended when missing, as ``np.savez`` does. An
        existing file is replaced only once the new one is complete.

    Returns
    -------
    path : pathlib.Path
        The path written, with its ``.npz`` suffix.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If ``model`` has no ``params_`` yet.
    TypeError
        If ``model`` is not of a class exported by ``aelab`` (:func:`load` could not
        rebuild it), or a hyperparameter or array cannot be stored without pickle.

    Taught in notebooks/01-autoencoder-basics.ipynb.
    """
    cls = type(model)
    if _exported_class(cls.__name__) is not cls:
        raise TypeError(
            f"model must be an instance of a class exported by aelab, got "
            f"{cls.__module__}.{cls.__qualname__}; load() only rebuilds aelab's own classes"
        )
    params_ = getattr(model, "params_", None)
    if params_ is None:
        raise NotFittedError(
            f"This {cls.__name__} instance is not fitted yet (it has no params_); "
            "call fit before save"
        )
    if not isinstance(params_, dict) or not params_:
        raise TypeError(f"model.params_ must be a non-empty dict, got {params_!r:.80}")

    keys = list(params_)
    arrays = {}
    for key in keys:
        if not isinstance(key, str) or not key or key.startswith("__"):
            raise TypeError(
                f"params_ key {key!r} cannot be stored: keys must be non-empty str "
                "not starting with '__'"
            )
        a = np.ascontiguousarray(to_numpy(params_[key]))
        if a.dtype.kind not in "biufc":
            raise TypeError(
                f"params_[{key!r}] has dtype {a.dtype}; only numeric arrays can be saved"
            )
        arrays[key] = a

    hyper = model.get_params(deep=False)
    doc = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "class": cls.__name__,
        "module": cls.__module__,
        "params": {k: _encode(v, f"hyperparameter {k}") for k, v in hyper.items()},
        "param_keys": keys,
        "param_dtypes": [arrays[k].dtype.str for k in keys],
        "param_shapes": [list(arrays[k].shape) for k in keys],
        "aelab_version": _aelab_version(),
    }
    for attr in _FITTED_SCALARS:
        doc[attr] = _fitted_value(model, attr)
    # Any other public fitted attribute (``stop_reason_``, ``warm_started_``, ...) is kept
    # too, so a loaded model answers the same questions as the saved one. One that JSON
    # cannot hold is refused rather than silently dropped.
    doc["fitted"] = {
        name: _encode(value, f"fitted attribute {name}")
        for name, value in vars(model).items()
        if _is_extra_fitted(name)
    }
    doc["sha256"] = _digest(doc, keys, arrays)
    meta = np.frombuffer(_canonical(doc), dtype=np.uint8)

    out = _npz_path(path)
    # Write beside the target and rename: an interrupted save never leaves a truncated
    # file where a good one used to be.
    # open() rather than mkstemp so the file gets the usual permissions (umask), not 0600.
    tmp = out.with_name(f"{out.name}.{secrets.token_hex(4)}.tmp")
    f = open(tmp, "xb")
    try:
        with f:
            np.savez(f, **{_META_KEY: meta}, **arrays)
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return out


def _aelab_version():
    import aelab

    return getattr(aelab, "__version__", None)


def _is_extra_fitted(name):
    return (
        name.endswith("_")
        and not name.startswith("_")
        and name.isidentifier()
        and name != "params_"
        and name not in _FITTED_SCALARS
    )


def _fitted_value(model, attr):
    if not hasattr(model, attr):
        return None
    value = getattr(model, attr)
    if attr == "loss_curve_":
        return [float(v) for v in value]
    return int(value)


# -------------------------------------------------------------------------------- load


class _Invalid(Exception):
    """Internal: the file is not a valid aelab model; the message says why."""


class _Unsupported(Exception):
    """Internal: a real aelab model file, in a format version this code cannot read."""


def load(path):
    """Read a model written by :func:`save` and return it fitted, with NumPy arrays.

    Parameters
    ----------
    path : str or os.PathLike
        The file. If it does not exist but the same name with ``.npz`` added does, that
        file is read (mirroring :func:`save`, which adds the suffix).

    Returns
    -------
    model : aelab estimator
        A new instance of the saved class, built as ``cls(**saved_params)``, with
        ``params_`` (NumPy arrays of the saved dtypes), ``n_features_in_``,
        ``loss_curve_`` and ``n_iter_`` restored. Move it to the GPU the way you would a
        model fitted on NumPy data.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ValueError
        If the file is not a valid aelab model file (not an ``.npz``, damaged, truncated or
        edited so the checksum no longer matches, or naming a class that ``aelab`` does
        not export), or was written in a format version this aelab cannot read.

    Taught in notebooks/01-autoencoder-basics.ipynb.
    """
    p = Path(_check_path(path))
    if not p.exists() and not str(p).endswith(".npz") and Path(str(p) + ".npz").exists():
        p = Path(str(p) + ".npz")
    if not p.exists():
        raise FileNotFoundError(f"no such model file: '{p}'")
    try:
        return _load(p)
    except _Invalid as exc:
        raise ValueError(f"'{p}' is not a valid aelab model file: {exc}") from None
    except _Unsupported as exc:
        raise ValueError(f"'{p}': {exc}") from None


def _load(p):
    # Open the file ourselves: np.load leaks its own handle when the archive is damaged.
    with open(p, "rb") as fh:
        try:
            npz = np.load(fh, allow_pickle=False)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise _Invalid(f"it cannot be read as an .npz archive ({exc})") from None
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise _Invalid("it holds a single array, not an .npz archive")
        with npz:
            doc, hashed = _read_doc(npz)
            arrays = _read_arrays(npz, doc["param_keys"])
    return _rebuild(doc, hashed, arrays)


def _read_arrays(npz, keys):
    if set(npz.files) != set(keys) | {_META_KEY}:
        extra = sorted(set(npz.files) - set(keys) - {_META_KEY})
        missing = sorted(set(keys) - set(npz.files))
        raise _Invalid(f"its arrays do not match its index (missing {missing}, unexpected {extra})")
    return {key: _read_entry(npz, key) for key in keys}


def _rebuild(doc, hashed, arrays):
    keys = doc["param_keys"]
    # Hash the document as it was parsed, before tuples were restored: the digest was taken
    # over the JSON form, in which tuples are {"__tuple__": [...]}.
    expected = hashed.pop("sha256")
    if _digest(hashed, keys, arrays) != expected:
        raise _Invalid("checksum mismatch; the file was modified or damaged after it was saved")
    for key, dtype, shape in zip(keys, doc["param_dtypes"], doc["param_shapes"]):
        a = arrays[key]
        if a.dtype.str != dtype or list(a.shape) != list(shape):
            raise _Invalid(
                f"array {key!r} is {a.dtype.str} {a.shape}, its index says {dtype} {shape}"
            )

    cls = _exported_class(doc["class"])
    if cls is None:
        raise _Invalid(
            f"it names the class {doc['module']}.{doc['class']}, which the aelab package does "
            "not export; only aelab's own classes are loaded"
        )
    try:
        model = cls(**upgrade_params(doc["params"]))
    except TypeError as exc:
        raise _Invalid(
            f"its hyperparameters do not fit {doc['class']} in this version of aelab ({exc})"
        ) from None
    model.params_ = arrays
    for attr in _FITTED_SCALARS:
        if doc.get(attr) is not None:
            setattr(model, attr, doc[attr])
    for name, value in doc["fitted"].items():
        # Only plain data attributes: never a name the class itself defines (a property
        # such as components_, or a method), so a file cannot replace behaviour.
        if not _is_extra_fitted(name) or hasattr(cls, name):
            raise _Invalid(f"it sets the attribute {name!r}, which is not a fitted attribute")
        if name == "classes_" and isinstance(value, list):
            value = np.asarray(value)  # written by aelab 0.1, which kept the labels as a list
        setattr(model, name, value)
    return model


def _read_entry(npz, key):
    try:
        return npz[key]
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        # A flipped byte inside the archive usually shows up here, as a zip CRC error.
        raise _Invalid(f"entry {key!r} cannot be read ({exc})") from None


def _read_doc(npz):
    if _META_KEY not in npz.files:
        raise _Invalid(f"it has no '{_META_KEY}' entry (was it written by aelab.save?)")
    raw = _read_entry(npz, _META_KEY)
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise _Invalid(f"its '{_META_KEY}' entry is {raw.dtype} {raw.shape}, expected 1-D uint8")
    try:
        text = raw.tobytes().decode("utf-8")
        hashed = json.loads(text)
        doc = json.loads(text, object_hook=_decode_hook)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _Invalid(f"its metadata is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        got = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise _Invalid(f"its format is {got!r}, expected {FORMAT_NAME!r}")
    version = doc.get("format_version")
    if version != FORMAT_VERSION:
        # Checked before the hash: a later version may checksum differently.
        raise _Unsupported(
            f"unsupported aelab model format version {version!r}; this version of aelab "
            f"reads format version {FORMAT_VERSION} (a newer aelab may read this file)"
        )
    types = {
        "class": str, "module": str, "params": dict, "param_keys": list,
        "param_dtypes": list, "param_shapes": list, "sha256": str, "fitted": dict,
    }
    for field, typ in types.items():
        if not isinstance(doc.get(field), typ):
            raise _Invalid(f"its metadata field {field!r} is missing or not a {typ.__name__}")
    keys = doc["param_keys"]
    if not keys or not all(isinstance(k, str) and k and not k.startswith("__") for k in keys):
        raise _Invalid(f"its param_keys {keys!r} are not a list of parameter names")
    if len(set(keys)) != len(keys) or not (
        len(keys) == len(doc["param_dtypes"]) == len(doc["param_shapes"])
    ):
        raise _Invalid("its param_keys, param_dtypes and param_shapes do not agree")
    return doc, hashed
