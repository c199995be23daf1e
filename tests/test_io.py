"""Tests for aelab.io: exact round trips of real models, and refusal of bad files."""
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError

import aelab
from aelab import io
from aelab.io import load, save

META = "__aelab_meta__"


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).random((60, 16))


@pytest.fixture(scope="module")
def model(X):
    return aelab.SparseAutoencoder(n_hidden=6, max_iter=8, random_state=3).fit(X)


def assert_same_model(a, b, X):
    assert type(a) is type(b)
    assert a.get_params() == b.get_params()
    assert list(a.params_) == list(b.params_)
    for k in a.params_:
        pa, pb = np.asarray(a.params_[k]), b.params_[k]
        assert isinstance(pb, np.ndarray)
        assert pa.dtype == pb.dtype and pa.shape == pb.shape
        assert pa.tobytes() == pb.tobytes(), k  # bitwise, not approximately
    assert a.n_features_in_ == b.n_features_in_
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)
    assert b.stop_reason_ == a.stop_reason_
    assert b.warm_started_ == a.warm_started_
    np.testing.assert_array_equal(np.asarray(a.transform(X)), b.transform(X))
    np.testing.assert_array_equal(np.asarray(a.reconstruct(X)), b.reconstruct(X))


def read_archive(path):
    """All entries of an .npz as {name: ndarray}, and the parsed metadata document."""
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    doc = json.loads(arrays.pop(META).tobytes().decode("utf-8"))
    return doc, arrays


def write_archive(path, doc, arrays, rehash=True):
    """Write a model file by hand, re-signing it unless rehash is False."""
    doc = dict(doc)
    if rehash:
        doc.pop("sha256", None)
        doc["sha256"] = io._digest(doc, doc["param_keys"], arrays)
    meta = np.frombuffer(json.dumps(doc).encode("utf-8"), dtype=np.uint8)
    with open(path, "wb") as f:
        np.savez(f, **{META: meta}, **arrays)


# ------------------------------------------------------------------------ round trip


def test_round_trip_is_exact(model, X, tmp_path):
    out = save(model, tmp_path / "sparse.npz")
    assert out == tmp_path / "sparse.npz" and out.is_file()
    assert_same_model(model, load(out), X)


@pytest.mark.parametrize(
    "make",
    [
        lambda: aelab.Autoencoder(n_hidden=4, activation="tanh", max_iter=5, dtype="float32"),
        lambda: aelab.KSparseAutoencoder(n_hidden=8, k=3, max_iter=2, batch_size=20),
        lambda: aelab.LinearAutoencoder(n_hidden=3, max_iter=5),
        lambda: aelab.DenoisingAutoencoder(n_hidden=5, max_iter=3),
        lambda: aelab.ContractiveAutoencoder(n_hidden=5, max_iter=3),
    ],
)
def test_round_trip_presets_tied_and_float32(make, X, tmp_path):
    m = make().fit(X)
    loaded = load(save(m, tmp_path / "m"))
    assert_same_model(m, loaded, X)
    if m.tied:
        assert "W2" not in loaded.params_
    assert loaded.params_["W1"].dtype == np.dtype(m.dtype)
    np.testing.assert_array_equal(loaded.components_, m.components_)


def test_loaded_model_is_a_normal_estimator(model, X, tmp_path):
    loaded = load(save(model, tmp_path / "m"))
    assert clone(loaded).get_params() == model.get_params()
    loaded.set_params(warm_start=True, max_iter=2).fit(X)
    assert loaded.warm_started_


def test_array_api_strict_model_saves_as_numpy(X, tmp_path):
    xp = pytest.importorskip("array_api_strict")
    m = aelab.Autoencoder(n_hidden=4, max_iter=3).fit(xp.asarray(X))
    loaded = load(save(m, tmp_path / "strict"))
    for k, v in loaded.params_.items():
        assert isinstance(v, np.ndarray)
        np.testing.assert_array_equal(aelab.to_numpy(m.params_[k]), v)


def test_non_finite_loss_curve_survives(model, tmp_path):
    m = clone(model)
    m.params_ = dict(model.params_)
    m.n_features_in_, m.n_iter_ = model.n_features_in_, 3
    m.loss_curve_ = [1.0, float("inf"), float("nan")]
    loaded = load(save(m, tmp_path / "m"))
    assert loaded.loss_curve_[:2] == [1.0, float("inf")] and np.isnan(loaded.loss_curve_[2])


def test_tuple_hyperparameters_stay_tuples():
    value = {"sizes": (256, 64), "nested": [(1, 2), {"a": (3,)}]}
    text = json.dumps(io._encode(value, "x"))
    assert json.loads(text, object_hook=io._decode_hook) == value


# ----------------------------------------------------------------------- the file itself


def test_file_needs_no_pickle(model, tmp_path):
    path = save(model, tmp_path / "m")
    with np.load(path, allow_pickle=False) as f:
        assert set(f.files) == {META, "W1", "b1", "W2", "b2"}
        for k in f.files:
            assert f[k].dtype != object
        np.testing.assert_array_equal(f["W1"], model.params_["W1"])
    doc, _ = read_archive(path)
    assert doc["format"] == "aelab-model" and doc["format_version"] == 1
    assert doc["class"] == "SparseAutoencoder" and doc["module"] == "aelab.models"
    assert doc["params"] == model.get_params()
    assert doc["param_keys"] == ["W1", "b1", "W2", "b2"]
    assert doc["n_features_in_"] == 16 and doc["n_iter_"] == model.n_iter_
    assert len(doc["sha256"]) == 64


def test_path_handling(model, tmp_path):
    out = save(model, str(tmp_path / "plain"))
    assert out == tmp_path / "plain.npz"
    assert load(str(tmp_path / "plain")).n_iter_ == model.n_iter_  # suffix found
    assert load(tmp_path / "plain.npz").n_iter_ == model.n_iter_
    with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
        save(model, 42)
    with pytest.raises(TypeError, match="path"):
        load(None)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.npz")


def test_overwrite_leaves_no_temporary_files(model, X, tmp_path):
    save(aelab.Autoencoder(n_hidden=2, max_iter=2).fit(X), tmp_path / "m")
    save(model, tmp_path / "m")
    assert os.listdir(tmp_path) == ["m.npz"]
    assert load(tmp_path / "m").n_hidden == model.n_hidden


# --------------------------------------------------------------------- refusing to save


def test_unfitted_model_raises_not_fitted(tmp_path):
    with pytest.raises(NotFittedError, match="not fitted"):
        save(aelab.SparseAutoencoder(), tmp_path / "m")
    assert not list(tmp_path.iterdir())


def test_non_aelab_models_are_refused(model, X, tmp_path):
    with pytest.raises(TypeError, match="exported by aelab"):
        save(PCA(2).fit(X), tmp_path / "pca")

    class MyAutoencoder(aelab.Autoencoder):  # load() could not rebuild it
        pass

    m = MyAutoencoder(n_hidden=2, max_iter=2).fit(X)
    with pytest.raises(TypeError, match="MyAutoencoder"):
        save(m, tmp_path / "mine")


def test_unsavable_fitted_attribute_is_refused(model, tmp_path):
    m = clone(model)
    m.params_, m.n_features_in_ = model.params_, 16
    m.loss_curve_, m.n_iter_ = [], 0
    m.scaler_ = PCA()
    with pytest.raises(TypeError, match="fitted attribute scaler_"):
        save(m, tmp_path / "m")


# --------------------------------------------------------------------- refusing to load


def test_flipped_byte_is_detected(model, tmp_path):
    path = save(model, tmp_path / "m")
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("W1.npy")
    # A byte in the middle of W1's data (past the local header and the .npy header).
    raw[info.header_offset + 30 + len(info.filename) + 200] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="is not a valid aelab model file"):
        load(path)


def test_edited_array_with_valid_zip_fails_checksum(model, tmp_path):
    path = save(model, tmp_path / "m")
    doc, arrays = read_archive(path)
    arrays["b1"] = arrays["b1"] + 1e-12
    write_archive(path, doc, arrays, rehash=False)  # zip CRCs are fine, our hash is not
    with pytest.raises(ValueError, match="checksum mismatch"):
        load(path)


def test_edited_metadata_fails_checksum(model, tmp_path):
    path = save(model, tmp_path / "m")
    doc, arrays = read_archive(path)
    doc["params"]["lam"] = 0.5
    write_archive(path, doc, arrays, rehash=False)
    with pytest.raises(ValueError, match="checksum mismatch"):
        load(path)


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.99])
def test_truncated_file(model, tmp_path, fraction):
    path = save(model, tmp_path / "m")
    raw = path.read_bytes()
    path.write_bytes(raw[: int(len(raw) * fraction)])
    with pytest.raises(ValueError, match="is not a valid aelab model file"):
        load(path)


def test_unknown_format_version(model, tmp_path):
    path = save(model, tmp_path / "m")
    doc, arrays = read_archive(path)
    doc["format_version"] = 2
    write_archive(path, doc, arrays)
    with pytest.raises(ValueError, match=r"format version 2.*reads format version 1"):
        load(path)


@pytest.mark.parametrize(
    "class_name", ["BaseEstimator", "PCA", "os.system", "to_numpy", "Progress", "__class__"]
)
def test_class_not_exported_by_aelab_is_refused(model, tmp_path, class_name):
    path = save(model, tmp_path / "m")
    doc, arrays = read_archive(path)
    doc["class"], doc["module"] = class_name, "sklearn.base"
    write_archive(path, doc, arrays)  # correctly signed: the class check must catch it
    with pytest.raises(ValueError, match="does not export"):
        load(path)


def test_fitted_attribute_cannot_shadow_class_attributes(model, tmp_path):
    path = save(model, tmp_path / "m")
    doc, arrays = read_archive(path)
    doc["fitted"]["components_"] = [1, 2]
    write_archive(path, doc, arrays)
    with pytest.raises(ValueError, match="components_"):
        load(path)


def test_unknown_hyperparameter_is_refused(model, tmp_path):
    path = save(model, tmp_path / "m")
    doc, arrays = read_archive(path)
    doc["params"]["gamma"] = 1.0
    write_archive(path, doc, arrays)
    with pytest.raises(ValueError, match="hyperparameters do not fit"):
        load(path)


def test_not_a_model_file(tmp_path):
    plain = tmp_path / "plain.npz"
    np.savez(plain, W1=np.ones(3))
    with pytest.raises(ValueError, match="no '__aelab_meta__' entry"):
        load(plain)
    single = tmp_path / "single.npy"
    np.save(single, np.ones(3))
    with pytest.raises(ValueError, match="single array"):
        load(single)
    text = tmp_path / "text.npz"
    text.write_text("hello")
    with pytest.raises(ValueError, match="is not a valid aelab model file"):
        load(text)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, **{META: np.array([{"a": 1}], dtype=object)})
    with pytest.raises(ValueError, match="is not a valid aelab model file"):
        load(pickled)


def test_missing_array_is_detected(model, tmp_path):
    path = save(model, tmp_path / "m")
    doc, arrays = read_archive(path)
    del arrays["W2"]
    write_archive(path, doc, arrays, rehash=False)
    with pytest.raises(ValueError, match=r"missing \['W2'\]"):
        load(path)


def test_dtype_change_is_detected(model, tmp_path):
    path = save(model, tmp_path / "m")
    doc, arrays = read_archive(path)
    arrays["W1"] = arrays["W1"].astype(np.float32)
    write_archive(path, doc, arrays)  # re-signed, but the index says float64
    with pytest.raises(ValueError, match="index says <f8"):
        load(path)


# -------------------------------------------------------------------------- GPU


@pytest.mark.gpu
def test_cupy_model_round_trip(X, tmp_path):
    cp = pytest.importorskip("cupy")
    if not aelab.available_backends()["cupy"]:
        pytest.skip("no CUDA device")
    m = aelab.SparseAutoencoder(n_hidden=6, max_iter=8).fit(cp.asarray(X))
    loaded = load(save(m, tmp_path / "gpu"))
    for k, v in loaded.params_.items():
        assert isinstance(v, np.ndarray)
        assert v.tobytes() == m.params_[k].get().tobytes()
    np.testing.assert_allclose(loaded.transform(X), m.transform(cp.asarray(X)).get(), rtol=1e-12)


def test_path_object_types(model, tmp_path):
    class Custom(os.PathLike):
        def __fspath__(self):
            return str(tmp_path / "custom")

    assert save(model, Custom()) == Path(tmp_path / "custom.npz")
    assert isinstance(load(Custom()), aelab.SparseAutoencoder)


# ------------------------------------------------------------- random_state, old files, registry
def test_file_written_with_seed_loads_as_random_state(model, X, tmp_path):
    """A file from before the rename (params hold "seed", no "random_state") still loads,
    as the same model, without the deprecation warning."""
    import warnings

    path = save(model, tmp_path / "m")
    doc, arrays = read_archive(path)
    doc["params"].pop("random_state")
    doc["params"]["seed"] = 3
    write_archive(path, doc, arrays)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        old = load(path)
        assert old.get_params()["random_state"] == 3 and old.get_params()["seed"] is None
        assert_same_model(model, old, X)
        refit = clone(old).fit(X)  # the same weights as a model built with random_state=3
    np.testing.assert_array_equal(refit.params_["W1"], clone(model).fit(X).params_["W1"])


def test_random_state_generator_is_refused_by_save_with_its_name(X, tmp_path):
    m = aelab.Autoencoder(3, max_iter=2, random_state=np.random.default_rng(0)).fit(X)
    with pytest.raises(TypeError, match="hyperparameter random_state"):
        save(m, tmp_path / "g")


def test_feature_names_and_classes_stay_arrays(tmp_path):
    import pandas as pd
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.uniform(0.1, 0.9, (30, 4)), columns=["a", "b", "c", "d"])
    ae = load(save(aelab.Autoencoder(2, max_iter=3).fit(df), tmp_path / "ae"))
    assert isinstance(ae.feature_names_in_, np.ndarray)
    assert ae.feature_names_in_.tolist() == ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match="feature names"):
        ae.transform(df[["d", "c", "b", "a"]])
    y = np.array(["odd", "even"] * 15)
    st = aelab.StackedAutoencoder((3,), pretrain_iter=5, softmax_iter=5, finetune_iter=0)
    st = load(save(st.fit(df, y), tmp_path / "st"))
    assert isinstance(st.classes_, np.ndarray) and st.classes_.tolist() == ["even", "odd"]


def test_old_stacked_file_with_list_classes_loads_as_array(tmp_path):
    X = np.random.default_rng(2).uniform(0.1, 0.9, (30, 4))
    y = np.arange(30) % 2
    st = aelab.StackedAutoencoder((3,), pretrain_iter=5, softmax_iter=5, finetune_iter=0)
    path = save(st.fit(X, y), tmp_path / "st")
    doc, arrays = read_archive(path)
    doc["fitted"]["classes_"] = [0, 1]  # how aelab 0.1 wrote it
    write_archive(path, doc, arrays)
    loaded = load(path)
    assert isinstance(loaded.classes_, np.ndarray)
    np.testing.assert_array_equal(loaded.predict(X), st.predict(X))


def test_one_registry_for_load_and_explorer_config():
    """aelab.load and Explorer.from_config accept exactly the same model names."""
    from aelab import registry
    from aelab.explorer import config

    names = set(registry.model_classes())
    assert {"Autoencoder", "SparseAutoencoder", "TopKSAE", "VariationalAutoencoder",
            "StackedAutoencoder"} <= names
    assert "PCA" not in names and "Whitening" not in names
    for name in names:
        assert io._exported_class(name) is registry.model_class(name)
    assert io._exported_class("PCA") is None
    cfg = {"format": config.CONFIG_FORMAT, "model": {"class": "PCA", "params": {}},
           "controls": [], "views": []}
    with pytest.raises(ValueError, match="unknown model class 'PCA'"):
        config.panel_from_config(object, cfg, X=np.zeros((4, 4)))


def test_explorer_config_with_seed_still_builds(X):
    """A config saved before the rename ("seed" in the model's params) builds the same model."""
    from aelab.explorer import Explorer

    panel = Explorer(aelab.SparseAutoencoder(4, max_iter=5, random_state=2), X,
                     controls=("lam",), views=("filters",), image_shape=(4, 4))
    try:
        cfg = panel.config()
        assert cfg["model"]["params"]["random_state"] == 2
        cfg["model"]["params"].pop("random_state")
        cfg["model"]["params"]["seed"] = 2
        json.dumps(cfg)
    finally:
        panel.close()
    again = Explorer.from_config(json.loads(json.dumps(cfg)), X=X)
    try:
        assert again.model.get_params()["random_state"] == 2
        assert again.model.get_params()["seed"] is None
    finally:
        again.close()
