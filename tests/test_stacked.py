"""Stacked autoencoders: layer-wise pretraining, the fine-tuning gradient, classification."""
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import train_test_split

import aelab
from aelab.datasets import load_digits
from aelab.gradcheck import numerical_gradient, relative_difference
from aelab.io import load, save
from aelab.optimize import pack, unpack
from aelab.stacked import StackedAutoencoder

# Small and quick: the measured comparison with 400 iterations lives in the notebook/report.
FAST = dict(hidden_layers=(32, 16), pretrain_iter=60, softmax_iter=50, finetune_iter=60)


@pytest.fixture(scope="module")
def split():
    """Digits: a pool of 1297 (200 labelled, the rest marked −1) and 500 held out."""
    X, y = load_digits()
    Xp, Xt, yp, yt = train_test_split(X, y, test_size=500, random_state=0, stratify=y)
    labelled = np.random.default_rng(0).choice(len(yp), 200, replace=False)
    y_few = np.full(len(yp), -1)
    y_few[labelled] = yp[labelled]
    return Xp, y_few, Xt, yt


@pytest.fixture(scope="module")
def fitted(split):
    Xp, y_few, _, _ = split
    return StackedAutoencoder(**FAST).fit(Xp, y_few)


def _finetune_gradient_error(model, X, y, params):
    keys = list(params)
    _, grads = model.objective(X, params=params, y=y)
    numeric = numerical_gradient(
        lambda th: model.objective(X, params=unpack(th, params, keys), y=y)[0],
        pack(params, keys))
    return relative_difference(numeric, pack(grads, keys))


@pytest.mark.parametrize("kw", [
    dict(activation="sigmoid", finetune_lam=0.01),
    dict(activation="tanh", sparsity=None, finetune_lam=0.0),
    dict(activation="sigmoid", hidden_layers=(4,), finetune_lam=0.1),
    dict(activation="relu", sparsity="l1", hidden_layers=(5, 4, 3), finetune_lam=0.05),
])
def test_finetune_gradient(kw, rng):
    X = rng.uniform(0.0, 1.0, size=(12, 6))
    y = rng.integers(0, 3, size=12)
    kw = {"hidden_layers": (5, 4), "pretrain_iter": 5, "softmax_iter": 3,
          "finetune_iter": 3, **kw}
    model = StackedAutoencoder(**kw).fit(X, y)
    assert list(model.params_) == [
        f"layer{i}.{w}" for i in range(len(kw["hidden_layers"])) for w in ("W1", "b1")
    ] + ["softmax.W", "softmax.b"]
    p = {k: v + 0.3 * rng.normal(size=v.shape) for k, v in model.params_.items()}
    assert _finetune_gradient_error(model, X, y, p) < 1e-7


def test_finetune_gradient_check_can_fail(rng, monkeypatch):
    X = rng.uniform(0.0, 1.0, size=(10, 5))
    y = rng.integers(0, 2, size=10)
    model = StackedAutoencoder((4, 3), pretrain_iter=3, softmax_iter=0, finetune_iter=0,
                               finetune_lam=0.1).fit(X, y)
    real = StackedAutoencoder._finetune_loss

    def broken(self, p, X, Y, c):
        J, g = real(self, p, X, Y, c)
        g["layer0.W1"] = g["layer0.W1"] - 0.1 * p["layer0.W1"]  # weight decay forgotten
        return J, g

    monkeypatch.setattr(StackedAutoencoder, "_finetune_loss", broken)
    assert _finetune_gradient_error(model, X, y, model.params_) > 1e-3


def test_finetune_objective_by_hand(rng):
    X = rng.uniform(0.0, 1.0, size=(9, 4))
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2])
    model = StackedAutoencoder((3,), pretrain_iter=3, finetune_lam=0.2).fit(X, y)
    p = model.params_
    A = 1 / (1 + np.exp(-(X @ p["layer0.W1"].T + p["layer0.b1"])))
    S = A @ p["softmax.W"].T + p["softmax.b"]
    logP = S - np.log(np.sum(np.exp(S), axis=1, keepdims=True))
    J = -np.mean(logP[np.arange(9), y]) + 0.1 * (
        np.sum(p["layer0.W1"] ** 2) + np.sum(p["softmax.W"] ** 2))
    assert model.objective(X, y=y)[0] == pytest.approx(J, rel=1e-12)
    np.testing.assert_allclose(model.predict_proba(X), np.exp(logP), rtol=1e-12)


def test_pretraining_learns_every_layer(fitted):
    errs = fitted.reconstruction_errors_
    assert len(errs) == 2 and [len(c) for c in fitted.pretrain_loss_curves_] == [60, 60]
    for e in errs:
        assert e["pretrained"] < 0.5 * e["initial"]
        # Better than reconstructing every row by the mean: the codes carry information.
        # (UFLDL's λ = 3e-3 fails this on the digits: layer 2's codes collapse to ρ.)
        assert e["pretrained"] < 0.5 * e["mean"]
    for curve in fitted.pretrain_loss_curves_:
        assert curve[-1] < curve[0]


def test_ufldl_weight_decay_collapses_the_second_layer_on_digits(split):
    # The reason lam's default is 1e-4: this is what the check above guards against.
    Xp = split[0]
    model = StackedAutoencoder((32, 16), lam=3e-3, pretrain_iter=100).fit(Xp)
    top = model.reconstruction_errors_[1]
    assert top["pretrained"] > 0.9 * top["mean"]
    assert float(np.std(model.transform(Xp), axis=0).max()) < 1e-3


def test_fine_tuned_classifier_on_200_labels(fitted, split):
    _, _, Xt, yt = split
    assert isinstance(fitted.classes_, np.ndarray) and fitted.classes_.tolist() == list(range(10))
    acc = fitted.score(Xt, yt)
    assert acc > 0.75  # chance is 0.1; measured 0.89 with these small settings
    P = fitted.predict_proba(Xt)
    assert P.shape == (500, 10) and np.allclose(P.sum(axis=1), 1.0)
    assert fitted.transform(Xt).shape == (500, 16)
    assert len(fitted.loss_curve_) == fitted.n_iter_ == 60
    assert fitted.loss_curve_[-1] < fitted.softmax_loss_curve_[-1]


def test_pretrain_false_starts_from_the_same_random_weights(split):
    Xp, y_few, Xt, yt = split
    kw = dict(FAST, softmax_iter=0, finetune_iter=0)
    rand = StackedAutoencoder(pretrain=False, **kw).fit(Xp, y_few)
    assert rand.pretrain_loss_curves_ == [] and rand.reconstruction_errors_ == []
    init = aelab.Autoencoder(32, random_state=0).initial_params(Xp)
    np.testing.assert_array_equal(rand.params_["layer0.W1"], init["W1"])
    trained = StackedAutoencoder(pretrain=False, **FAST).fit(Xp, y_few)
    assert trained.score(Xt, yt) > 0.5
    with pytest.raises(ValueError, match="pretrain=False needs labels"):
        StackedAutoencoder(pretrain=False).fit(Xp)


def test_unsupervised_fit_and_string_labels(split, rng):
    Xp = split[0][:300]
    model = StackedAutoencoder((8, 4), pretrain_iter=20).fit(Xp)
    assert "softmax.W" not in model.params_ and model.n_iter_ == 0
    assert model.transform(Xp).shape == (300, 4)
    with pytest.raises(NotFittedError, match="fit\\(X, y\\)"):
        model.predict(Xp)
    labels = np.where(np.arange(300) % 2 == 0, "even", "odd")
    clf = StackedAutoencoder((8,), pretrain_iter=10, finetune_iter=10).fit(Xp, labels)
    assert clf.classes_.tolist() == ["even", "odd"] and set(clf.predict(Xp)) <= {"even", "odd"}


def test_adam_path(split):
    Xp, y_few = split[0][:400], split[1][:400]
    model = StackedAutoencoder((16,), optimizer="adam", learning_rate=0.01, batch_size=64,
                               pretrain_iter=5, softmax_iter=5, finetune_iter=5).fit(Xp, y_few)
    assert len(model.loss_curve_) == 5 and len(model.pretrain_loss_curves_[0]) == 5


def test_callback_stops_everything(split):
    Xp, y_few = split[0][:300], split[1][:300]
    seen = []

    def cb(progress):
        seen.append(type(progress.model).__name__)
        return len(seen) == 3

    model = StackedAutoencoder((8, 4), pretrain_iter=20).fit(Xp, y_few, callback=cb)
    assert seen == ["Autoencoder"] * 3 and model.stop_reason_ == "callback"
    assert "softmax.W" not in model.params_


def test_same_seed_same_model(split):
    Xp, y_few = split[0][:300], split[1][:300]
    kw = dict(hidden_layers=(8, 4), pretrain_iter=10, finetune_iter=10)
    a = StackedAutoencoder(random_state=3, **kw).fit(Xp, y_few)
    b = StackedAutoencoder(random_state=3, **kw).fit(Xp, y_few)
    for k in a.params_:
        np.testing.assert_array_equal(a.params_[k], b.params_[k])


def test_sklearn_conventions():
    model = StackedAutoencoder((20, 10), beta=0.5, pretrain=False)
    twin = clone(model)
    assert twin.get_params() == model.get_params() and twin is not model
    assert model.set_params(hidden_layers=(5,)).hidden_layers == (5,)
    with pytest.raises(NotFittedError):
        model.transform(np.zeros((2, 3)))


@pytest.mark.parametrize("kw, name", [
    (dict(hidden_layers=()), "hidden_layers"),
    (dict(hidden_layers=(10, 0)), r"hidden_layers\[1\]"),
    (dict(hidden_layers="10"), "hidden_layers"),
    (dict(activation="softmax"), "activation"),
    (dict(output_activation="tanh"), "output_activation"),
    (dict(lam=-1.0), "lam"),
    (dict(beta=-0.1), "beta"),
    (dict(rho=1.5), "rho"),
    (dict(sparsity="l3"), "sparsity"),
    (dict(epsilon=0.0), "epsilon"),
    (dict(pretrain="no"), "pretrain"),
    (dict(pretrain_iter=0), "pretrain_iter"),
    (dict(softmax_iter=-1), "softmax_iter"),
    (dict(finetune_iter=1.5), "finetune_iter"),
    (dict(finetune_lam=-1e-4), "finetune_lam"),
    (dict(optimizer="sgd"), "optimizer"),
    (dict(learning_rate=0.0), "learning_rate"),
    (dict(random_state="x"), "random_state"),
    (dict(dtype="int8"), "dtype"),
])
def test_bad_hyperparameters_name_the_parameter(kw, name):
    X = np.full((4, 3), 0.5)
    with pytest.raises((ValueError, TypeError), match=name):
        StackedAutoencoder(**kw).fit(X)


def test_bad_labels_are_explained():
    X = np.full((4, 3), 0.5)
    with pytest.raises(ValueError, match="one label per row"):
        StackedAutoencoder((2,), pretrain_iter=1).fit(X, np.zeros(3))
    with pytest.raises(ValueError, match="at least 2"):
        StackedAutoencoder((2,), pretrain_iter=1).fit(X, np.array([1, 1, -1, -1]))


def test_save_load_round_trip(fitted, split, tmp_path, monkeypatch):
    monkeypatch.setattr(aelab, "StackedAutoencoder", StackedAutoencoder, raising=False)
    loaded = load(save(fitted, tmp_path / "stacked"))
    assert isinstance(loaded, StackedAutoencoder)
    assert loaded.get_params() == fitted.get_params()
    assert loaded.hidden_layers == (32, 16)  # still a tuple
    for k in fitted.params_:
        np.testing.assert_array_equal(loaded.params_[k], fitted.params_[k])
    assert isinstance(loaded.classes_, np.ndarray) and loaded.classes_.dtype == fitted.classes_.dtype
    np.testing.assert_array_equal(loaded.classes_, fitted.classes_)
    for attr in ("loss_curve_", "n_iter_", "reconstruction_errors_",
                 "pretrain_loss_curves_", "softmax_loss_curve_", "stop_reason_"):
        assert getattr(loaded, attr) == getattr(fitted, attr)
    Xt = split[2]
    np.testing.assert_array_equal(loaded.predict(Xt), fitted.predict(Xt))


def test_array_api_strict(rng):
    xps = pytest.importorskip("array_api_strict")
    X = rng.uniform(0.0, 1.0, size=(30, 6))
    y = rng.integers(0, 3, size=30)
    kw = dict(hidden_layers=(5, 4), pretrain_iter=5, softmax_iter=5, finetune_iter=5)
    ref = StackedAutoencoder(**kw).fit(X, y)
    model = StackedAutoencoder(**kw).fit(xps.asarray(X), y)
    assert aelab.get_namespace(model.params_["layer1.W1"]) is xps
    for k in ref.params_:
        np.testing.assert_allclose(aelab.to_numpy(model.params_[k]), ref.params_[k],
                                   rtol=1e-8, atol=1e-10)
    Xs = xps.asarray(X)
    assert aelab.get_namespace(model.transform(Xs)) is xps
    np.testing.assert_array_equal(model.predict(Xs), ref.predict(X))
    assert model.objective(Xs, y=y)[0] == pytest.approx(ref.objective(X, y=y)[0], rel=1e-10)
