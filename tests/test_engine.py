"""The engine's contract: the objective's formula, scikit-learn conventions, training control."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

import aelab


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_sparse_objective_is_exactly_the_ufldl_formula(rng):
    X = rng.uniform(0.1, 0.9, size=(30, 12))
    model = aelab.SparseAutoencoder(n_hidden=7, lam=3e-3, beta=2.5, rho=0.05)
    p = model.initial_params(X)
    W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
    a2 = _sigmoid(X @ W1.T + b1)
    a3 = _sigmoid(a2 @ W2.T + b2)
    rho, rho_hat = 0.05, a2.mean(axis=0)
    kl = np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat)))
    J_ref = (0.5 * np.sum((a3 - X) ** 2) / 30 + 3e-3 / 2 * (np.sum(W1**2) + np.sum(W2**2))
             + 2.5 * kl)
    J, grads = model.objective(X)
    assert J == pytest.approx(J_ref, rel=1e-12)
    assert set(grads) == {"W1", "b1", "W2", "b2"}


def test_tanh_kl_is_taken_on_the_mapped_range(rng):
    X = rng.uniform(0.1, 0.9, size=(25, 6))
    model = aelab.Autoencoder(4, activation="tanh", sparsity="kl", beta=1.0, rho=-0.6)
    p = model.initial_params(X)
    a2 = np.tanh(X @ p["W1"].T + p["b1"])
    a3 = a2 @ p["W2"].T + p["b2"]
    r, q = (-0.6 + 1) / 2, (a2.mean(axis=0) + 1) / 2
    kl = np.sum(r * np.log(r / q) + (1 - r) * np.log((1 - r) / (1 - q)))
    J_ref = 0.5 * np.sum((a3 - X) ** 2) / 25 + kl
    assert model.objective(X)[0] == pytest.approx(J_ref, rel=1e-12)


def test_cross_entropy_value(rng):
    X = rng.uniform(0.0, 1.0, size=(10, 5))
    model = aelab.Autoencoder(3, output_activation="sigmoid", loss="cross_entropy")
    p = model.initial_params(X)
    xh = _sigmoid(_sigmoid(X @ p["W1"].T + p["b1"]) @ p["W2"].T + p["b2"])
    ref = -np.sum(X * np.log(xh) + (1 - X) * np.log(1 - xh)) / 10
    assert model.objective(X)[0] == pytest.approx(ref, rel=1e-12)


def test_ufldl_defaults():
    p = aelab.SparseAutoencoder().get_params()
    assert (p["n_hidden"], p["activation"], p["output_activation"], p["sparsity"]) == (
        25, "sigmoid", "sigmoid", "kl")
    assert (p["rho"], p["lam"], p["beta"], p["optimizer"], p["max_iter"]) == (
        0.01, 1e-4, 3.0, "lbfgs", 400)


def test_presets_are_thin_and_sklearn_compatible():
    for cls in (aelab.SparseAutoencoder, aelab.LinearAutoencoder, aelab.KSparseAutoencoder,
                aelab.DenoisingAutoencoder, aelab.ContractiveAutoencoder):
        m = cls(n_hidden=9, seed=4)
        assert isinstance(m, aelab.Autoencoder)
        c = clone(m)
        assert c.get_params() == m.get_params() and c is not m
        assert m.set_params(lam=0.5).lam == 0.5
    assert aelab.LinearAutoencoder().activation == "linear"
    k = aelab.KSparseAutoencoder()
    assert k.tied and k.activation == "linear" and k.k is not None


def test_pipeline_and_grid_search(rng):
    X = rng.normal(size=(60, 6))
    pipe = Pipeline([("scale", MinMaxScaler()),
                     ("ae", aelab.Autoencoder(3, max_iter=30, output_activation="sigmoid"))])
    H = pipe.fit_transform(X)
    assert H.shape == (60, 3)
    gs = GridSearchCV(aelab.LinearAutoencoder(max_iter=50), {"n_hidden": [1, 4]}, cv=2)
    gs.fit(X)
    assert gs.best_params_ == {"n_hidden": 4}  # more components always reconstruct better


def test_fit_learns_and_reports_state(unit_data):
    model = aelab.SparseAutoencoder(n_hidden=5, max_iter=60)
    J0 = model.objective(unit_data)[0]
    assert model.fit(unit_data) is model
    assert model.components_.shape == (5, 8)
    assert model.params_["W2"].shape == (8, 5)
    assert len(model.loss_curve_) == model.n_iter_ > 0
    assert model.loss_curve_[-1] < J0
    assert model.objective(unit_data)[0] == pytest.approx(model.loss_curve_[-1], rel=1e-9)
    assert model.transform(unit_data).shape == (20, 5)
    assert model.reconstruct(unit_data).shape == (20, 8)


def test_callback_sees_progress_and_can_stop(unit_data):
    seen = []

    def cb(progress):
        seen.append((progress.iteration, progress.loss, progress.model.params_["W1"].copy()))
        return progress.iteration == 3

    for opt in ("lbfgs", "adam", "sgd"):
        seen.clear()
        model = aelab.Autoencoder(4, optimizer=opt, max_iter=50, learning_rate=0.01)
        model.fit(unit_data, callback=cb)
        assert [s[0] for s in seen] == [1, 2, 3]
        assert model.n_iter_ == 3 and model.stop_reason_ == "callback"
        # the callback's model already holds the parameters of that iteration
        assert not np.allclose(seen[0][2], seen[2][2])
        assert np.allclose(model.params_["W1"], seen[-1][2])


def test_warm_start_continues_and_refuses_a_shape_change(unit_data):
    model = aelab.SparseAutoencoder(n_hidden=5, max_iter=20, warm_start=True)
    model.fit(unit_data)
    first = model.loss_curve_[-1]
    model.fit(unit_data)
    assert model.warm_started_ and model.loss_curve_[0] <= first + 1e-12
    model.set_params(n_hidden=6).fit(unit_data)
    assert not model.warm_started_ and model.components_.shape == (6, 8)


def test_same_random_state_same_model_different_random_state_different(unit_data):
    a = aelab.SparseAutoencoder(n_hidden=4, max_iter=30, random_state=1).fit(unit_data)
    b = aelab.SparseAutoencoder(n_hidden=4, max_iter=30, random_state=1).fit(unit_data)
    c = aelab.SparseAutoencoder(n_hidden=4, max_iter=30, random_state=2).fit(unit_data)
    for k in a.params_:
        assert np.array_equal(a.params_[k], b.params_[k])
    assert not np.allclose(a.params_["W1"], c.params_["W1"])
    d = aelab.DenoisingAutoencoder(n_hidden=4, max_iter=3, random_state=5).fit(unit_data)
    e = aelab.DenoisingAutoencoder(n_hidden=4, max_iter=3, random_state=5).fit(unit_data)
    assert np.array_equal(d.params_["W1"], e.params_["W1"])


def test_initialisation_scales():
    X = np.zeros((5, 100)) + 0.5
    p = aelab.Autoencoder(50, epsilon=0.02).initial_params(X)
    assert np.std(p["W1"]) == pytest.approx(0.02, rel=0.05)
    assert np.all(p["b1"] == 0) and np.all(p["b2"] == 0)
    q = aelab.Autoencoder(50).initial_params(X)
    r = np.sqrt(6 / (100 + 50 + 1))
    assert np.abs(q["W1"]).max() <= r and np.abs(q["W1"]).max() > 0.95 * r
    # uniform on ±r has standard deviation r/√3
    assert np.std(q["W1"]) == pytest.approx(r / np.sqrt(3), rel=0.05)


def test_topk_training_and_alpha_k_encoding(rng):
    X = rng.normal(size=(40, 12))
    model = aelab.KSparseAutoencoder(n_hidden=20, k=4, alpha=2.0, max_iter=3).fit(X)
    H = model.transform(X)
    assert np.all(np.count_nonzero(H, axis=1) == 8)
    c = model._config()
    _, M, Htrain = model._encode(np, model.params_, X, c, c.k)
    assert np.all(np.count_nonzero(Htrain, axis=1) == 4)
    # the kept units are the largest ones
    full = X @ model.params_["W1"].T + model.params_["b1"]
    kth = np.sort(full, axis=1)[:, -4]
    assert np.all(np.where(Htrain != 0, full, np.inf).min(axis=1) >= kth - 1e-12)


def test_float32_state_and_agreement(unit_data):
    m64 = aelab.SparseAutoencoder(n_hidden=5, max_iter=30)
    m32 = aelab.SparseAutoencoder(n_hidden=5, max_iter=30, dtype="float32")
    J64, _ = m64.objective(unit_data)
    J32, g32 = m32.objective(unit_data)
    assert g32["W1"].dtype == np.float32
    assert J32 == pytest.approx(J64, rel=1e-5)
    m32.fit(unit_data)
    assert m32.params_["W1"].dtype == np.float32 and m32.transform(unit_data).dtype == np.float32


def test_divergence_stops_warns_and_keeps_finite_parameters(rng):
    X = rng.normal(size=(50, 10)) * 10
    model = aelab.Autoencoder(8, activation="linear", optimizer="sgd", learning_rate=10.0,
                              momentum=0.0, max_iter=50, batch_size=50)
    with pytest.warns(aelab.TrainingDivergedWarning, match="diverged"):
        model.fit(X)
    assert model.stop_reason_ == "diverged"
    assert all(np.all(np.isfinite(v)) for v in model.params_.values())


def test_not_fitted_errors(unit_data):
    with pytest.raises(NotFittedError):
        aelab.Autoencoder().transform(unit_data)
    with pytest.raises(NotFittedError):
        aelab.Autoencoder().components_


def test_score_is_negative_reconstruction_error(unit_data):
    model = aelab.LinearAutoencoder(n_hidden=3, max_iter=100).fit(unit_data)
    R = model.reconstruct(unit_data) - unit_data
    assert model.score(unit_data) == pytest.approx(-0.5 * np.sum(R**2) / 20)


def test_verbose_progress_bar(unit_data, capsys):
    aelab.Autoencoder(3, max_iter=5, verbose=True).fit(unit_data)
    assert "training" in capsys.readouterr().err


def test_objective_is_deterministic_with_noise(unit_data):
    m = aelab.DenoisingAutoencoder(n_hidden=4)
    assert m.objective(unit_data)[0] == m.objective(unit_data)[0]
    clean = aelab.DenoisingAutoencoder(n_hidden=4, noise_level=0.0)
    assert m.objective(unit_data)[0] != clean.objective(unit_data)[0]


def test_contraction_penalty_equals_jacobian_norm(unit_data):
    """The closed form Σⱼ f'(zⱼ)² ‖W₁ⱼ‖² against the Jacobian built by finite differences."""
    m = aelab.Autoencoder(5, activation="tanh", contraction=1.0, epsilon=0.5)
    base = aelab.Autoencoder(5, activation="tanh", epsilon=0.5)
    p = m.initial_params(unit_data)
    penalty = m.objective(unit_data)[0] - base.objective(unit_data)[0]
    enc = lambda x: np.tanh(x @ p["W1"].T + p["b1"])  # noqa: E731
    total = 0.0
    for x in unit_data:
        J = np.stack([(enc(x + 1e-6 * e) - enc(x - 1e-6 * e)) / 2e-6 for e in np.eye(8)], 1)
        total += np.sum(J**2)
    assert penalty == pytest.approx(total / 20, rel=1e-6)


def test_k_is_annealed_from_k_start(rng):
    X = rng.normal(size=(64, 10))
    seen = []
    model = aelab.KSparseAutoencoder(n_hidden=30, k=5, k_start=25, max_iter=4, batch_size=8)
    original = model._loss_and_grad

    def spy(params, X_in, X_t, c, ws=None):
        seen.append(c.k)
        return original(params, X_in, X_t, c, ws)

    model._loss_and_grad = spy
    model.fit(X)
    assert seen[0] == 25 and seen[-1] == 5
    assert all(a >= b for a, b in zip(seen, seen[1:]))  # never rises
    half = len(seen) // 2
    assert all(k == 5 for k in seen[half + 1:])  # reached by half-way
    assert np.all(np.count_nonzero(model.transform(X), axis=1) == 5)


def test_k_start_needs_k_and_a_minibatch_optimizer(unit_data):
    with pytest.raises(ValueError, match="k_start=5.*needs k"):
        aelab.Autoencoder(6, k_start=5).fit(unit_data)
    with pytest.raises(ValueError, match="'adam' or 'sgd'"):
        aelab.Autoencoder(6, k=2, k_start=5).fit(unit_data)
    with pytest.raises(ValueError, match="k_start=1"):
        aelab.Autoencoder(6, k=2, k_start=1, optimizer="adam").fit(unit_data)


def test_exploding_loss_is_stopped_before_it_overflows():
    """A loss that grows a millionfold stops training at once, not when it reaches inf."""
    from aelab.optimize import run_minibatch

    calls = []

    def fun(params, X_in, X_t):  # a loss that grows tenfold per step, finite for ~300 steps
        calls.append(1)
        return 10.0 ** len(calls), {"w": np.ones(3)}

    params, n, reason = run_minibatch(
        fun, {"w": np.zeros(3)}, np.zeros((4, 2)), method="sgd", epochs=1000, batch_size=4,
        learning_rate=0.1, momentum=0.0, rng=np.random.default_rng(0),
        on_iter=lambda *a: False)
    assert reason == "diverged" and len(calls) <= 8
    assert np.all(np.isfinite(params["w"]))


def test_jacobian_norm_matches_finite_differences(unit_data):
    for act in ("sigmoid", "tanh", "linear"):
        m = aelab.Autoencoder(5, activation=act, epsilon=0.5, max_iter=3).fit(unit_data)
        p = m.params_
        enc = lambda x: m.transform(x[None, :])[0]  # noqa: E731
        for i in (0, 7):
            x = unit_data[i]
            J = np.stack([(enc(x + 1e-6 * e) - enc(x - 1e-6 * e)) / 2e-6 for e in np.eye(8)], 1)
            assert m.jacobian_norm(unit_data)[i] == pytest.approx(np.linalg.norm(J), rel=1e-6)
        assert p["W1"].shape == (5, 8)


def test_lbfgs_divergence_keeps_the_last_accepted_parameters():
    """A non-finite J mid-run stops L-BFGS with "diverged" and returns its last iterate."""
    from aelab.optimize import run_lbfgs

    seen = []

    from scipy.optimize import rosen, rosen_der

    def fun(params):  # Rosenbrock's valley (dozens of iterations), NaN from evaluation 16 on
        w = params["w"]
        seen.append(w.copy())
        return (rosen(w) if len(seen) <= 15 else float("nan")), {"w": rosen_der(w)}

    accepted = []
    params, n, reason = run_lbfgs(fun, {"w": np.zeros(4)}, max_iter=50, tol=1e-12,
                                  on_iter=lambda it, p, J: accepted.append(p["w"].copy()))
    assert reason == "diverged" and len(seen) == 16 and len(accepted) >= 3
    assert np.array_equal(params["w"], accepted[-1]) and n == len(accepted)


@pytest.mark.parametrize("status, nit, grad, expected", [
    # SciPy's status alone never makes a stop "converged": the gradient at res.x decides
    (0, 7, 1e-7, "converged"), (2, 7, 1e-7, "converged"), (1, 10, 1e-7, "converged"),
    (0, 7, 1e-3, "stalled"), (2, 7, 1e-3, "stalled"),
    (1, 7, 1e-3, "max_iter"), (1, 10, 1e-3, "max_iter"), (0, 10, 1e-3, "max_iter"),
])
def test_lbfgs_reports_why_scipy_stopped(monkeypatch, status, nit, grad, expected):
    """Only the gradient test is convergence; a limit is max_iter; anything else stalled."""
    from types import SimpleNamespace

    from aelab import optimize

    fake = SimpleNamespace(x=np.ones(2), nit=nit, status=status, message="", fun=0.0,
                           jac=np.array([grad, -grad / 2]))
    monkeypatch.setattr(optimize, "minimize", lambda *a, **k: fake)
    params, n, reason = optimize.run_lbfgs(
        lambda p: (0.0, {"w": p["w"]}), {"w": np.zeros(2)}, max_iter=10, tol=1e-6,
        on_iter=lambda *a: False)
    assert (reason, n) == (expected, nit) and np.array_equal(params["w"], np.ones(2))


def _adam_model(**kw):
    return aelab.Autoencoder(8, optimizer="adam", max_iter=3, batch_size=64,
                             learning_rate=1e-2, n_iter_no_change=None, **kw)


def test_callback_every_batch_sees_each_step_and_changes_nothing():
    """callback_every="batch": one call per minibatch step (batch set) plus one per epoch
    (batch None), the model's params_ current at each, and the same training as without."""
    from aelab.datasets import load_digits

    X = load_digits()[0][:300]  # 5 batches of 64 (the last has 44)
    calls, snapshots = [], []

    def cb(p):
        calls.append((p.iteration, p.batch))
        snapshots.append(float(p.model.params_["b2"].sum()))
        return False

    a = _adam_model().fit(X, callback=cb, callback_every="batch")
    b = _adam_model().fit(X)
    assert calls == [(e, k) for e in (1, 2, 3) for k in (1, 2, 3, 4, 5, None)]
    assert len(set(snapshots)) > 3  # the parameters moved between the calls
    np.testing.assert_array_equal(a.params_["W1"], b.params_["W1"])
    assert a.loss_curve_ == b.loss_curve_ and len(a.loss_curve_) == 3


def test_callback_every_batch_can_stop_mid_epoch():
    from aelab.datasets import load_digits

    X = load_digits()[0][:300]
    seen = []

    def stop_at_third_batch(p):
        seen.append(p.batch)
        return p.batch == 3

    m = _adam_model().fit(X, callback=stop_at_third_batch, callback_every="batch")
    assert seen == [1, 2, 3] and m.stop_reason_ == "callback" and m.n_iter_ == 1
    assert m.loss_curve_ == []  # no epoch was completed


def test_callback_every_is_checked_and_ignored_by_lbfgs():
    from aelab.datasets import load_digits

    X = load_digits()[0][:100]
    with pytest.raises(ValueError, match="callback_every"):
        aelab.Autoencoder(4, max_iter=2).fit(X, callback_every="step")
    batches = []
    aelab.Autoencoder(4, max_iter=3).fit(X, callback=lambda p: batches.append(p.batch),
                                         callback_every="batch")
    assert batches and set(batches) == {None}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softplus_matches_logaddexp_without_overflow(dtype):
    """The cross-entropy's softplus, max(z, 0) + log1p(e^{−|z|}), against log(1 + e^z)."""
    from aelab.losses import _softplus

    z = np.concatenate([np.linspace(-50, 50, 1001), [-1e4, -800.0, 0.0, 800.0, 1e4]])
    z = z.astype(dtype)
    with np.errstate(over="raise", invalid="raise"):  # e^{-|z|} may underflow, never overflow
        got = _softplus(np, z)
    want = np.logaddexp(0.0, z.astype(np.float64))
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, rtol=4 * np.finfo(dtype).eps, atol=1e-30)
    assert got[-2] == 800.0 and got[-1] == 1e4  # large z: softplus(z) = z exactly
