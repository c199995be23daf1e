"""aelab.exercises.nb06: each check of notebook 06 accepts the right answer and names the
typical mistakes."""
import warnings

import numpy as np
import pytest

import aelab
from aelab.exercises.nb06 import (
    check_corrupt,
    check_jacobian_sq,
    check_matched_scale,
    check_noise_penalty,
    noise_gap,
)


def text(fb):
    return str(fb)


# ------------------------------------------------------------------ corrupt
def corrupt_right(X, kind, level, rng):
    if kind == "mask":
        return X * (rng.random(X.shape) >= level)
    return X + rng.normal(0.0, level, size=X.shape)


def test_corrupt_right_answer_passes():
    fb = check_corrupt(corrupt_right)
    assert fb.passed, text(fb)


@pytest.mark.parametrize("wrong, expected", [
    (lambda X, k, l, r: X * (r.random(X.shape) < l) if k == "mask" else X + r.normal(0, l, X.shape),
     "probability of *removing*"),
    (lambda X, k, l, r: X * (r.random(X.shape) >= l) / (1 - l) if k == "mask"
     else X + r.normal(0, l, X.shape), "no rescaling"),
    (lambda X, k, l, r: X * (r.random(X.shape) >= l) if k == "mask"
     else X + r.normal(0, l ** 2, X.shape), "σ²"),
    (lambda X, k, l, r: X * (r.random(X.shape) >= l) if k == "mask"
     else np.clip(X + r.normal(0, l, X.shape), 0, 1), "clipped"),
    (lambda X, k, l, r: X * (r.random(X.shape) >= l) if k == "mask"
     else X * (1 + r.normal(0, l, X.shape)), "multiplied"),
])
def test_corrupt_mistakes_are_named(wrong, expected):
    fb = check_corrupt(wrong)
    assert not fb.passed and expected in text(fb), text(fb)


def test_corrupt_in_place_and_stub():
    def in_place(X, kind, level, rng):
        if kind == "mask":
            X *= rng.random(X.shape) >= level
            return X
        return X + rng.normal(0, level, X.shape)

    assert "leave X alone" in text(check_corrupt(in_place))

    def stub(X, kind, level, rng):
        raise NotImplementedError

    fb = check_corrupt(stub)
    assert not fb.done and "not done yet" in text(fb)


# ------------------------------------------------------------------ the noise penalty
@pytest.fixture(scope="module")
def linear_setup():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6)) @ rng.normal(size=(6, 6)) * 0.3
    model = aelab.Autoencoder(n_hidden=3, activation="linear", output_activation="linear",
                              loss="mse", max_iter=300, tol=1e-10).fit(X)
    params = {k: np.asarray(v, dtype=np.float64) for k, v in model.params_.items()}
    return aelab.Autoencoder(n_hidden=3, activation="linear", output_activation="linear",
                             loss="mse"), params, X


def test_noise_gap_matches_the_exact_expectation(linear_setup):
    model, params, X = linear_setup
    sigma = 0.3
    gap, se = noise_gap(model, params, X, sigma, n_draws=40)
    exact = sigma ** 2 / 2 * np.sum((params["W2"] @ params["W1"]) ** 2)
    assert abs(gap - exact) < 4 * se


def test_noise_penalty_right_and_wrong(linear_setup):
    model, params, X = linear_setup
    s = 0.3
    W1, W2 = params["W1"], params["W2"]
    A2 = np.sum((W2 @ W1) ** 2)
    fb = check_noise_penalty(s ** 2 / 2 * A2, model, params, X, s)
    assert fb.passed and "Monte-Carlo" in text(fb), text(fb)
    cases = {
        s ** 2 * A2: "½",
        s / 2 * A2: "variance",
        s ** 2 / 2 * (np.sum(W1 ** 2) + np.sum(W2 ** 2)): "weight decay on the layers",
        s ** 2 / 2 * np.sqrt(A2): "squared",
        1.2345: "not the expected",
    }
    for value, expected in cases.items():
        fb = check_noise_penalty(value, model, params, X, s)
        assert not fb.passed and expected in text(fb), (value, text(fb))
    assert not check_noise_penalty(None, model, params, X, s).done
    assert "single number" in text(check_noise_penalty(np.ones(3), model, params, X, s))


def test_noise_penalty_hint_never_gives_the_value(linear_setup):
    model, params, X = linear_setup
    s = 0.3
    ref = s ** 2 / 2 * np.sum((params["W2"] @ params["W1"]) ** 2)
    fb = check_noise_penalty(1.2345, model, params, X, s)
    assert f"{ref:.5f}" not in text(fb) and f"{ref:.4g}" not in text(fb)


# ------------------------------------------------------------------ matched scale
def test_matched_scale_right_and_wrong():
    X = np.random.default_rng(1).uniform(0, 1, size=(50, 20))
    assert check_matched_scale(lambda X, nu: (1 - nu) * X, X).passed
    cases = {
        "clean input itself": lambda X, nu: X,
        "is ν": lambda X, nu: nu * X,
        "> 1": lambda X, nu: X / (1 - nu),
        "masking again": lambda X, nu: X * (np.random.default_rng(0).random(X.shape) >= nu),
        "same factor": lambda X, nu: (1 - nu) * X + 0.01 * np.random.default_rng(0).random(X.shape),
        "expected value": lambda X, nu: (1 - nu / 2) * X,
    }
    for expected, fun in cases.items():
        fb = check_matched_scale(fun, X)
        assert not fb.passed and expected in text(fb), (expected, text(fb))


# ------------------------------------------------------------------ jacobian_sq
@pytest.fixture(scope="module")
def cae():
    X = np.random.default_rng(2).uniform(0, 1, size=(60, 8))
    with warnings.catch_warnings(), aelab.fixed_budget("a small model for the checks"):
        warnings.simplefilter("ignore")
        model = aelab.ContractiveAutoencoder(n_hidden=5, contraction=0.1, tied=True,
                                             max_iter=30).fit(X)
    return model, X[:4]


def test_jacobian_sq_right_and_wrong(cae):
    model, X = cae

    def right(m, X):
        H, W = m.transform(X), m.params_["W1"]
        return (H * (1 - H)) ** 2 @ np.sum(W ** 2, axis=1)

    assert check_jacobian_sq(right, model, X).passed

    def norm(m, X):
        return np.sqrt(right(m, X))

    def unsquared_derivative(m, X):
        H, W = m.transform(X), m.params_["W1"]
        return (H * (1 - H)) @ np.sum(W ** 2, axis=1)

    def wrong_derivative(m, X):
        H, W = m.transform(X), m.params_["W1"]
        return H ** 2 @ np.sum(W ** 2, axis=1)

    def total(m, X):
        return np.sum(right(m, X))

    def doubled(m, X):
        return 2 * right(m, X)

    for fun, expected in [(norm, "return its square"), (unsquared_derivative, "squared"),
                          (wrong_derivative, "derivative of the sigmoid"),
                          (total, "one number per example"), (doubled, "2 times")]:
        fb = check_jacobian_sq(fun, model, X)
        assert not fb.passed and expected in text(fb), (fun.__name__, text(fb))
