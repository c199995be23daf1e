"""The variational autoencoder: its gradient, its ELBO, sampling, conventions, backends."""
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import aelab
from aelab.datasets import load_digits
from aelab.gradcheck import check_gradient
from aelab.io import load, save
from aelab.vae import VariationalAutoencoder


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.fixture(scope="module")
def digits():
    return load_digits()[0]


@pytest.fixture(scope="module")
def trained(digits):
    """A small VAE trained briefly on the digits (shared: training is the slow part)."""
    return VariationalAutoencoder(n_latent=2, n_hidden=64, max_iter=15,
                                  learning_rate=3e-3).fit(digits)


GRAD_CASES = [
    dict(),
    dict(beta=2.5, activation="sigmoid"),
    dict(decoder="gaussian", sigma=0.7, beta=0.3),
    dict(decoder="gaussian", activation="relu", beta=4.0),
    dict(epsilon=0.3, beta=0.0),
]


@pytest.mark.parametrize("kw", GRAD_CASES)
def test_gradient_with_fixed_noise(kw, rng):
    X = rng.uniform(0.0, 1.0, size=(10, 6))
    model = VariationalAutoencoder(n_latent=2, n_hidden=4, **kw)
    # Away from the initial point: nonzero biases and log-variances (σ ≠ 1).
    p = {k: v + 0.2 * rng.normal(size=v.shape) for k, v in model.initial_params(X).items()}
    assert check_gradient(model, X, params=p) < 1e-7


def test_gradient_check_at_the_defaults(rng):
    X = rng.uniform(0.0, 1.0, size=(8, 5))
    model = VariationalAutoencoder(n_latent=2, n_hidden=3, max_iter=20)
    assert check_gradient(model, X) < 1e-7  # initial parameters, the model's fixed noise
    model.fit(X)
    assert check_gradient(model, X) < 1e-7  # params_ of a fitted model


def test_gradient_check_catches_a_wrong_gradient(rng, monkeypatch):
    X = rng.uniform(0.0, 1.0, size=(10, 6))
    model = VariationalAutoencoder(n_latent=2, n_hidden=4, beta=2.0)
    real = VariationalAutoencoder._loss_and_grad

    def broken(self, p, X, E, c):
        J, g = real(self, p, X, E, c)
        g["logvar.b"] = 2.0 * g["logvar.b"]  # a plausible bug: the ½ of σ = exp(ℓ/2) lost
        return J, g

    monkeypatch.setattr(VariationalAutoencoder, "_loss_and_grad", broken)
    assert check_gradient(model, X) > 1e-3


def test_objective_is_the_negative_beta_elbo_by_hand(rng):
    X = rng.uniform(0.0, 1.0, size=(9, 5))
    E = rng.normal(size=(9, 2))
    for decoder, beta in (("bernoulli", 1.0), ("gaussian", 3.0)):
        model = VariationalAutoencoder(n_latent=2, n_hidden=4, decoder=decoder, beta=beta,
                                       sigma=0.5)
        p = {k: v + 0.2 * rng.normal(size=v.shape) for k, v in model.initial_params(X).items()}
        H = np.tanh(X @ p["enc.W"].T + p["enc.b"])
        mu, lv = H @ p["mu.W"].T + p["mu.b"], H @ p["logvar.W"].T + p["logvar.b"]
        Z = mu + np.exp(lv / 2) * E
        O = np.tanh(Z @ p["dec.W"].T + p["dec.b"]) @ p["out.W"].T + p["out.b"]
        if decoder == "bernoulli":
            xh = _sigmoid(O)
            nll = -np.sum(X * np.log(xh) + (1 - X) * np.log(1 - xh), axis=1)
        else:
            nll = np.sum((X - O) ** 2, axis=1) / (2 * 0.25) + 5 / 2 * np.log(2 * np.pi * 0.25)
        kl = 0.5 * np.sum(mu**2 + np.exp(lv) - 1 - lv, axis=1)
        J, _ = model.objective(X, params=p, noise=E)
        assert J == pytest.approx(np.mean(nll + beta * kl), rel=1e-12)


def test_kl_is_the_closed_form_and_matches_monte_carlo(trained, digits):
    X = digits[:5]
    mu, logvar = trained.encode(X)
    closed = 0.5 * np.sum(mu**2 + np.exp(logvar) - 1 - logvar, axis=1)
    # KL(q ‖ p) = E_q[log q(z) − log p(z)], estimated with many draws from q.
    r = np.random.default_rng(0)
    sd = np.exp(logvar / 2)
    z = mu[None] + sd[None] * r.standard_normal((200_000,) + mu.shape)
    log_q = -0.5 * np.sum(((z - mu) / sd) ** 2 + logvar + np.log(2 * np.pi), axis=2)
    log_p = -0.5 * np.sum(z**2 + np.log(2 * np.pi), axis=2)
    mc = np.mean(log_q - log_p, axis=0)
    np.testing.assert_allclose(mc, closed, rtol=0.02, atol=0.01)
    # The model reports the same KL, and it is what β multiplies in the objective.
    assert trained.elbo_terms(X)[1] == pytest.approx(np.mean(closed), rel=1e-12)
    J1 = clone(trained).set_params(beta=1.0).objective(X, params=trained.params_)[0]
    J3 = clone(trained).set_params(beta=3.0).objective(X, params=trained.params_)[0]
    assert J3 - J1 == pytest.approx(2.0 * np.mean(closed), rel=1e-10)


def test_elbo_rises_during_training_on_digits(trained, digits):
    start = -trained.objective(digits, params=trained.initial_params(digits))[0]
    assert trained.elbo(digits) > start + 10.0  # measured: about −45 → −28 nats
    curve = trained.loss_curve_
    assert len(curve) == trained.n_iter_ == 15 and trained.stop_reason_ == "max_iter"
    assert curve[-1] < curve[0] - 10.0
    assert curve[-1] <= min(curve[:5])
    ll, kl = trained.elbo_terms(digits)
    assert kl > 0.0 and trained.elbo(digits) == pytest.approx(ll - kl)
    assert trained.score(digits) == trained.elbo(digits)  # a fixed noise stream


def test_shapes_and_ranges(trained, digits):
    X = digits[:10]
    mu, logvar = trained.encode(X)
    assert mu.shape == logvar.shape == (10, 2)
    np.testing.assert_array_equal(trained.transform(X), mu)
    R = trained.reconstruct(X)
    assert R.shape == (10, 64) and np.all((R >= 0) & (R <= 1))
    np.testing.assert_array_equal(trained.inverse_transform(mu), R)
    S = trained.sample(7, seed=3)
    assert S.shape == (7, 64) and np.all((S >= 0) & (S <= 1))
    np.testing.assert_array_equal(S, trained.sample(7, seed=3))
    assert not np.allclose(S, trained.sample(7, seed=4))
    g = VariationalAutoencoder(n_latent=3, n_hidden=8, decoder="gaussian", max_iter=2)
    g.fit(digits[:100] * 4 - 2)  # a Gaussian decoder takes any real data
    assert g.sample(2, seed=0).shape == (2, 64) and g.decode(np.zeros((1, 3))).shape == (1, 64)


def test_same_seed_same_model(digits):
    X = digits[:200]
    kw = dict(n_latent=2, n_hidden=16, max_iter=3, batch_size=50)
    a = VariationalAutoencoder(random_state=1, **kw).fit(X)
    b = VariationalAutoencoder(random_state=1, **kw).fit(X)
    c = VariationalAutoencoder(random_state=2, **kw).fit(X)
    for k in a.params_:
        np.testing.assert_array_equal(a.params_[k], b.params_[k])
    assert a.loss_curve_ == b.loss_curve_
    assert not np.allclose(a.params_["enc.W"], c.params_["enc.W"])
    assert a.objective(X)[0] == b.objective(X)[0]  # the fixed noise is fixed


def test_sgd_callback_and_warm_start(digits):
    X = digits[:150]
    seen = []
    model = VariationalAutoencoder(n_hidden=16, optimizer="sgd", learning_rate=0.01,
                                   max_iter=10, warm_start=True)
    model.fit(X, callback=lambda p: seen.append(p.loss) or p.iteration == 2)
    assert model.n_iter_ == 2 and model.stop_reason_ == "callback" and len(seen) == 2
    first = model.params_["enc.W"].copy()
    model.set_params(max_iter=1).fit(X)
    assert model.warm_started_ and not np.array_equal(first, model.params_["enc.W"])
    model.set_params(n_hidden=8).fit(X)
    assert not model.warm_started_ and model.params_["enc.W"].shape == (8, 64)


def test_divergence_keeps_finite_parameters(rng):
    X = rng.normal(size=(40, 6)) * 50
    model = VariationalAutoencoder(n_hidden=8, decoder="gaussian", sigma=0.01,
                                   optimizer="sgd", learning_rate=10.0, momentum=0.0,
                                   max_iter=20)
    with pytest.warns(aelab.TrainingDivergedWarning):
        model.fit(X)
    assert model.stop_reason_ == "diverged"
    assert all(np.all(np.isfinite(v)) for v in model.params_.values())


def test_float32(digits):
    model = VariationalAutoencoder(n_hidden=16, max_iter=2, dtype="float32").fit(digits[:100])
    assert all(v.dtype == np.float32 for v in model.params_.values())
    assert model.transform(digits[:3]).dtype == np.float32


def test_sklearn_conventions():
    model = VariationalAutoencoder(n_latent=4, beta=0.5, decoder="gaussian")
    twin = clone(model)
    assert twin.get_params() == model.get_params() and twin is not model
    assert model.set_params(beta=2.0).beta == 2.0
    with pytest.raises(NotFittedError):
        model.transform(np.zeros((2, 3)))


@pytest.mark.parametrize("kw, name", [
    (dict(n_latent=0), "n_latent"),
    (dict(n_hidden=2.5), "n_hidden"),
    (dict(activation="linear"), "activation"),
    (dict(decoder="poisson"), "decoder"),
    (dict(sigma=0.0), "sigma"),
    (dict(beta=-1.0), "beta"),
    (dict(optimizer="lbfgs"), "optimizer"),
    (dict(learning_rate=0), "learning_rate"),
    (dict(batch_size=0), "batch_size"),
    (dict(max_iter=0), "max_iter"),
    (dict(epsilon=-0.1), "epsilon"),
    (dict(random_state=-3), "random_state"),
    (dict(dtype="float16"), "dtype"),
    (dict(warm_start="yes"), "warm_start"),
])
def test_bad_hyperparameters_name_the_parameter(kw, name):
    X = np.full((4, 3), 0.5)
    with pytest.raises((ValueError, TypeError), match=name):
        VariationalAutoencoder(**kw).fit(X)


def test_bad_data_is_explained(trained):
    with pytest.raises(ValueError, match=r"\[0, 1\].*bernoulli"):
        VariationalAutoencoder().fit(np.full((4, 3), 2.0))
    with pytest.raises(ValueError, match="features"):
        trained.transform(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="Z has 3 features"):
        trained.decode(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="noise"):
        trained.objective(np.zeros((2, 64)), noise=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="n_samples"):
        trained.sample(0)


def test_save_load_round_trip(trained, digits, tmp_path, monkeypatch):
    monkeypatch.setattr(aelab, "VariationalAutoencoder", VariationalAutoencoder, raising=False)
    loaded = load(save(trained, tmp_path / "vae"))
    assert isinstance(loaded, VariationalAutoencoder)
    assert loaded.get_params() == trained.get_params()
    for k in trained.params_:
        np.testing.assert_array_equal(loaded.params_[k], trained.params_[k])
    assert loaded.loss_curve_ == trained.loss_curve_ and loaded.n_iter_ == trained.n_iter_
    assert loaded.stop_reason_ == trained.stop_reason_
    np.testing.assert_array_equal(loaded.sample(3, seed=1), trained.sample(3, seed=1))
    assert loaded.elbo(digits[:50]) == trained.elbo(digits[:50])


def test_array_api_strict_matches_numpy(rng):
    xps = pytest.importorskip("array_api_strict")
    X = rng.uniform(0.0, 1.0, size=(30, 6))
    for kw in (dict(), dict(decoder="gaussian", activation="relu", beta=2.0)):
        kw = dict(n_latent=2, n_hidden=5, max_iter=3, batch_size=10, **kw)
        ref = VariationalAutoencoder(**kw).fit(X)
        model = VariationalAutoencoder(**kw).fit(xps.asarray(X))
        assert aelab.get_namespace(model.params_["enc.W"]) is xps
        for k in ref.params_:
            np.testing.assert_allclose(aelab.to_numpy(model.params_[k]), ref.params_[k],
                                       rtol=1e-10, atol=1e-12)
        Xs = xps.asarray(X)
        J, g = model.objective(Xs)
        assert J == pytest.approx(ref.objective(X)[0], rel=1e-10)
        assert aelab.get_namespace(g["out.W"]) is xps
        for out in (model.transform(Xs), model.reconstruct(Xs), model.sample(2, seed=0)):
            assert aelab.get_namespace(out) is xps
        assert model.elbo(Xs) == pytest.approx(ref.elbo(X), rel=1e-10)
