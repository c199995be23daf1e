"""The checks of notebook 02 (aelab.exercises.nb02): right answers pass, typical slips are named."""
import numpy as np
import pytest

import aelab
from aelab.exercises import nb02


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ---------------------------------------------------------------- the gradient-check exercise
def central(J, theta, h=1e-4):
    g = np.zeros_like(theta)
    for i in range(theta.size):
        old = theta[i]
        theta[i] = old + h
        up = J(theta)
        theta[i] = old - h
        down = J(theta)
        theta[i] = old
        g[i] = (up - down) / (2 * h)
    return g


def forward_diff(J, theta, h=1e-4):
    g = np.zeros_like(theta)
    f0 = J(theta)
    for i in range(theta.size):
        t = theta.copy()
        t[i] += h
        g[i] = (J(t) - f0) / h
    return g


def divides_by_h(J, theta, h=1e-4):
    return 2 * central(J, theta, h)


def not_restored(J, theta, h=1e-4):
    t = theta.copy()
    g = np.zeros_like(t)
    for i in range(t.size):
        t[i] += h
        up = J(t)
        t[i] -= 2 * h
        down = J(t)
        g[i] = (up - down) / (2 * h)
    return g


def mutates_theta(J, theta, h=1e-4):
    g = np.zeros_like(theta)
    for i in range(theta.size):
        theta[i] += h
        up = J(theta)
        theta[i] -= 2 * h
        down = J(theta)
        g[i] = (up - down) / (2 * h)
    return g


def aliased(J, theta, h=1e-4):
    g = np.zeros_like(theta)
    for i in range(theta.size):
        tp = theta
        tp[i] += h
        tm = theta
        tm[i] -= h
        g[i] = (J(tp) - J(tm)) / (2 * h)
    return g


def accumulates(J, theta, h=1e-4):
    tp, tm = theta.copy(), theta.copy()
    g = np.zeros_like(theta)
    for i in range(theta.size):
        tp[i] += h
        tm[i] -= h
        g[i] = (J(tp) - J(tm)) / (2 * h)
    return g


def ignores_h(J, theta, h=1e-4):
    return central(J, theta, 1e-4)


def in_float32(J, theta, h=1e-4):
    return central(lambda t: np.float32(J(t.astype(np.float32).astype(np.float64))),
                   theta.astype(np.float32), h).astype(np.float64)


def stub(J, theta, h=1e-4):
    raise NotImplementedError("exercise not done yet")


def test_a_correct_central_difference_passes():
    fb = nb02.check_numerical_gradient(central)
    assert fb.passed, str(fb)
    assert "below UFLDL's 1e-9" in str(fb)


@pytest.mark.parametrize("fn, words", [
    (forward_diff, "forward differences"),
    (divides_by_h, "divide their difference by 2h, not by h"),
    (not_restored, "left at θᵢ − h"),
    (mutates_theta, "theta was changed by your function"),
    (aliased, "same array"),
    (accumulates, "never reset"),
    (ignores_h, "ignores its argument h"),
    (in_float32, "single precision"),
])
def test_gradient_check_mistakes_are_named(fn, words):
    fb = nb02.check_numerical_gradient(fn)
    assert not fb.passed
    assert words in str(fb), str(fb)


def test_a_stub_is_not_done_yet_and_a_crash_is_reported():
    fb = nb02.check_numerical_gradient(stub)
    assert not fb.done and "not done yet" in str(fb)
    with pytest.raises(nb02.__dict__.get("ExerciseNotDone", NotImplementedError)):
        fb.assert_ok()
    fb = nb02.check_numerical_gradient(lambda J, theta, h=1e-4: theta[10])
    assert not fb.passed and "raised IndexError" in str(fb)
    fb = nb02.check_numerical_gradient(lambda J, theta, h=1e-4: np.zeros(3))
    assert not fb.passed and "shape" in str(fb)


# ---------------------------------------------------------------- the three terms
@pytest.fixture(scope="module")
def setup():
    X = aelab.datasets.natural_patches(20, seed=3)
    params = aelab.SparseAutoencoder(n_hidden=5).initial_params(X)
    return params, X


def forward(p, X):
    A2 = sigmoid(X @ p["W1"].T + p["b1"])
    return A2, sigmoid(A2 @ p["W2"].T + p["b2"])


def reconstruction(p, X, slip=None):
    m = X.shape[0]
    A2, A3 = forward(p, X)
    J = 0.5 * np.sum((A3 - X) ** 2) / m
    if slip == "no half":
        J = 2 * J
    if slip == "mean over pixels":
        J = 0.5 * np.mean((A3 - X) ** 2)
    d3 = (A3 - X) * A3 * (1 - A3) / m
    if slip == "no output derivative":
        d3 = (A3 - X) / m
    d2 = (d3 @ p["W2"]) * A2 * (1 - A2)
    if slip == "no hidden derivative":
        d2 = d3 @ p["W2"]
    if slip == "sigma prime of the activation":
        d2 = (d3 @ p["W2"]) * sigmoid(A2) * (1 - sigmoid(A2))
    if slip == "delta2 from the raw error":
        d2 = ((A3 - X) / m @ p["W2"]) * A2 * (1 - A2)
    g = {"W1": d2.T @ X, "b1": d2.sum(0), "W2": d3.T @ A2, "b2": d3.sum(0)}
    if slip == "transposed W2":
        g["W2"] = A2.T @ d3
    if slip == "sign":
        g = {k: -v for k, v in g.items()}
    return J, g


def weight_decay(p, lam, slip=None):
    W1, W2 = p["W1"], p["W2"]
    J = 0.5 * lam * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    g = {"W1": lam * W1, "b1": np.zeros_like(p["b1"]), "W2": lam * W2,
         "b2": np.zeros_like(p["b2"])}
    if slip == "decays biases":
        J += 0.5 * lam * (np.sum(p["b1"] ** 2) + np.sum(p["b2"] ** 2))
        g["b1"], g["b2"] = lam * p["b1"], lam * p["b2"]
    if slip == "gradient factor 2":
        g["W1"], g["W2"] = 2 * lam * W1, 2 * lam * W2
    if slip == "no lambda":
        J = J / lam
    return J, g


def sparsity(p, X, beta, rho, slip=None):
    m = X.shape[0]
    A2, _ = forward(p, X)
    rh = A2.mean(0)
    J = beta * np.sum(rho * np.log(rho / rh) + (1 - rho) * np.log((1 - rho) / (1 - rh)))
    if slip == "reversed KL":
        J = beta * np.sum(rh * np.log(rh / rho) + (1 - rh) * np.log((1 - rh) / (1 - rho)))
    dkl = -rho / rh + (1 - rho) / (1 - rh)
    d2 = (beta / m) * dkl * A2 * (1 - A2)
    if slip == "no beta":
        J, d_beta = J / beta, 1.0 / beta
    else:
        d_beta = 1.0
    if slip == "no 1/m":
        d2 = beta * dkl * A2 * (1 - A2)
    if slip == "no sigma prime":
        d2 = (beta / m) * dkl * np.ones_like(A2)
    d2 = d2 * d_beta
    g = {"W1": d2.T @ X, "b1": d2.sum(0), "W2": np.zeros_like(p["W2"]),
         "b2": np.zeros_like(p["b2"])}
    if slip == "W2 gradient":
        g["W2"] = np.ones_like(p["W2"])
    return J, g


def test_right_terms_pass_and_report_finite_differences(setup):
    params, X = setup
    for fb in (nb02.check_reconstruction(reconstruction, params, X),
               nb02.check_weight_decay(weight_decay, params, X, lam=1e-4),
               nb02.check_sparsity(sparsity, params, X, beta=3.0, rho=0.01)):
        assert fb.passed, str(fb)
        assert "central differences of your J" in str(fb)


@pytest.mark.parametrize("slip, words", [
    ("no half", "is the ½ missing?"),
    ("mean over pixels", "averaged over the n = 64 pixels"),
    ("no output derivative", "σ′(Z3) = A3(1 − A3)"),
    ("no hidden derivative", "σ′(Z2) = A2(1 − A2)"),
    ("transposed W2", "transpose"),
    ("sigma prime of the activation", "not σ(A2)(1 − σ(A2))"),
    ("delta2 from the raw error", "instead of from δ3"),
    ("sign", "sign is flipped"),
])
def test_reconstruction_slips(setup, slip, words):
    params, X = setup
    fb = nb02.check_reconstruction(lambda p, X: reconstruction(p, X, slip), params, X)
    assert not fb.passed
    assert words in str(fb), str(fb)


@pytest.mark.parametrize("slip, words", [
    ("decays biases", "biases"),
    ("gradient factor 2", "derivative of ½x² is x"),
    ("no lambda", "λ is missing"),
])
def test_weight_decay_slips(setup, slip, words):
    params, X = setup
    fb = nb02.check_weight_decay(lambda p, lam: weight_decay(p, lam, slip), params, X)
    assert not fb.passed
    assert words in str(fb), str(fb)


def test_decayed_biases_are_caught_although_the_initial_biases_are_zero(setup):
    params, X = setup
    assert not np.any(params["b1"]) and not np.any(params["b2"])
    fb = nb02.check_weight_decay(lambda p, lam: weight_decay(p, lam, "decays biases"),
                                 params, X)
    assert "the biases were decayed too" in str(fb)
    assert "grads['b1'] should be 0" in str(fb) or "not decayed" in str(fb)


@pytest.mark.parametrize("slip, words", [
    ("reversed KL", "wrong way round"),
    ("no 1/m", "divide by m"),
    ("no sigma prime", "σ′(Z2) = A2(1 − A2) is missing"),
    ("W2 gradient", "do not change ρ̂"),
    ("no beta", "β is missing"),
])
def test_sparsity_slips(setup, slip, words):
    params, X = setup
    fb = nb02.check_sparsity(lambda p, X, b, r: sparsity(p, X, b, r, slip), params, X)
    assert not fb.passed
    assert words in str(fb), str(fb)


def test_a_term_that_crashes_or_is_a_stub_gives_feedback_not_a_traceback(setup):
    params, X = setup

    def bad(p, X):
        return 0.0, {"W1": X @ p["W2"]}  # a shape error inside the student's code
    fb = nb02.check_reconstruction(lambda p, X: (_ for _ in ()).throw(ValueError("shapes")),
                                   params, X)
    assert "raised ValueError" in str(fb)
    fb = nb02.check_reconstruction(lambda p, X: stub(None, None), params, X)
    assert not fb.done


# ---------------------------------------------------------------- the β and λ experiments
@pytest.fixture(scope="module")
def small_models():
    X = aelab.datasets.natural_patches(300, seed=4)
    kw = dict(n_hidden=4, max_iter=3000, tol=1e-5)
    ref = aelab.SparseAutoencoder(**kw).fit(X)
    b0 = aelab.SparseAutoencoder(beta=0.0, **kw).fit(X)
    big = aelab.SparseAutoencoder(lam=1e-3, **kw).fit(X)
    return X, ref, b0, big


def test_no_sparsity_check(small_models):
    X, ref, b0, big = small_models
    H = b0.transform(X)
    fb = nb02.check_no_sparsity(b0, H.mean(0), aelab.metrics.lifetime_sparsity(H).mean(), X, ref)
    assert fb.passed, str(fb)
    fb = nb02.check_no_sparsity(b0, H.mean(1), 0.5, X, ref)
    assert not fb.passed and "axis=0" in str(fb)
    other = aelab.SparseAutoencoder(beta=0.0, lam=1e-3, n_hidden=4, max_iter=3000, tol=1e-5).fit(X)
    fb = nb02.check_no_sparsity(other, None, None, X, ref)
    assert "only what the exercise changes" in str(fb)
    with aelab.fixed_budget("testing the check's message"):
        short = aelab.SparseAutoencoder(beta=0.0, n_hidden=4, max_iter=3, tol=1e-5).fit(X)
    fb = nb02.check_no_sparsity(short, None, None, X, ref)
    assert "not converged" in str(fb) and "raise max_iter" in str(fb)


def test_strong_decay_check(small_models):
    X, ref, b0, big = small_models
    err = aelab.metrics.reconstruction_error(X, big.reconstruct(X))
    fb = nb02.check_strong_decay(big, np.linalg.norm(big.params_["W1"]), err, X, ref)
    assert fb.passed, str(fb)
    fb = nb02.check_strong_decay(big, np.linalg.norm(big.params_["W2"]) + 1, err, X, ref)
    assert not fb.passed and "Frobenius norm of W1" in str(fb)
    fb = nb02.check_strong_decay(b0, 1.0, err, X, ref)
    assert "lam=0.0001, but this exercise uses lam=0.001" in str(fb)


# ---------------------------------------------------------------- aelab.filters.edge_test
def test_edge_test_passes_an_edge_and_fails_a_grating_a_blob_and_noise():
    from aelab.filters import edge_test
    r, c = np.indices((8, 8))
    edge = np.tanh((c - 2.5) * 2.0) * np.exp(-((r - 3.5) ** 2) / 8 - ((c - 2.5) ** 2) / 4)
    grating = np.sin(2 * np.pi * c / 3.0)
    blob = np.exp(-((r - 3.5) ** 2 + (c - 3.5) ** 2) / 3.0)
    W = np.stack([edge.ravel(), grating.ravel(), blob.ravel()])
    passed, info = edge_test(W, (8, 8))
    assert passed.tolist() == [True, False, False], info
    assert info["random_rate"] < 0.01
    noise = np.random.default_rng(5).normal(size=(500, 64))
    assert edge_test(noise, (8, 8), seed=1)[0].mean() < 0.02
