"""The checks of notebook 08 (aelab.exercises.nb08): right answers pass, typical slips get
the specific hint, stubs give "not done yet"."""
import numpy as np
import pytest
from scipy.special import logsumexp

import aelab
from aelab.datasets import load_digits
from aelab.exercises import nb08


def _stub(*args):
    raise NotImplementedError


def _text(fb):
    return str(fb)


# ------------------------------------------------------------------ exercise 1
def test_reparameterize_right_and_wrong():
    assert nb08.check_reparameterize(lambda m, lv, e: m + np.exp(0.5 * lv) * e)
    cases = {
        lambda m, lv, e: m + np.exp(lv) * e: "variance",
        lambda m, lv, e: m + lv * e: "not σ",
        lambda m, lv, e: m + np.exp(0.5 * lv): "noise eps is missing",
        lambda m, lv, e: np.exp(0.5 * lv) * e: "mean mu is missing",
        lambda m, lv, e: m + np.exp(0.5 * lv) * np.random.standard_normal(m.shape): "given",
    }
    for fun, words in cases.items():
        fb = nb08.check_reparameterize(fun)
        assert not fb and words in _text(fb), _text(fb)
    fb = nb08.check_reparameterize(_stub)
    assert not fb.done


# ------------------------------------------------------------------ exercises 2 and 3
@pytest.fixture(scope="module")
def small_vae():
    X, _ = load_digits()
    with aelab.fixed_budget("a few epochs: the checks only need realistic codes"):
        vae = aelab.VariationalAutoencoder(n_latent=3, n_hidden=16, max_iter=3,
                                           learning_rate=1e-2).fit(X[:300])
    return vae, X[300:400]


def _kl(mu, lv):
    return 0.5 * np.sum(mu ** 2 + np.exp(lv) - 1 - lv, axis=1)


def test_kl_right_and_wrong(small_vae):
    vae, X = small_vae
    fb = nb08.check_kl(_kl, vae, X, n_mc=200)
    assert fb, _text(fb)
    assert "Monte Carlo" in _text(fb)
    cases = {
        lambda mu, lv: 2 * _kl(mu, lv): "½ is missing",
        lambda mu, lv: 0.5 * np.sum(mu ** 2 + np.exp(0.5 * lv) - 1 - lv, axis=1): "variance",
        lambda mu, lv: 0.5 * np.sum(mu ** 2 + np.exp(lv) - 1 + lv, axis=1): "wrong sign",
        lambda mu, lv: 0.5 * np.sum(mu ** 2 + np.exp(lv) - lv, axis=1): "constant term",
        lambda mu, lv: 0.5 * np.sum(np.exp(lv) - 1 - lv, axis=1): "μ² term",
        lambda mu, lv: _kl(mu, lv).sum(): "one KL per example",
        lambda mu, lv: 0.5 * (mu ** 2 + np.exp(lv) - 1 - lv): "axis=1",
    }
    for fun, words in cases.items():
        fb = nb08.check_kl(fun, vae, X, n_mc=10)
        assert not fb and words in _text(fb), _text(fb)
    assert not nb08.check_kl(_stub, vae, X).done


def _kl_and_grad(mu, lv):
    return float(_kl(mu, lv).sum()), {"mu": mu, "logvar": 0.5 * (np.exp(lv) - 1)}


def test_kl_gradient_right_and_wrong():
    fb = nb08.check_kl_gradient(_kl_and_grad)
    assert fb, _text(fb)
    assert "finite differences" in _text(fb)
    cases = {
        lambda mu, lv: (_kl(mu, lv).sum(), {"mu": mu, "logvar": np.exp(lv) - 1}): "twice",
        lambda mu, lv: (_kl(mu, lv).sum(), {"mu": mu, "logvar": 0.5 * np.exp(lv)}):
            "−log σ² term is missing",
        lambda mu, lv: (_kl(mu, lv).sum(), {"mu": mu, "logvar": 0.5 * (np.exp(lv / 2) - 1)}):
            "not the variance",
        lambda mu, lv: (_kl(mu, lv).sum(), {"mu": mu, "logvar": 0.5 * (1 - np.exp(-lv))}):
            "∂KL/∂σ²",
        lambda mu, lv: (_kl(mu, lv).sum(), {"mu": 2 * mu, "logvar": 0.5 * (np.exp(lv) - 1)}):
            "∂KL/∂μ is twice",
        lambda mu, lv: (2 * _kl(mu, lv).sum(), {"mu": mu, "logvar": 0.5 * (np.exp(lv) - 1)}):
            "KL (summed over the rows)",
        lambda mu, lv: (_kl(mu, lv).sum(), {"mu": mu}): "'logvar'",
        lambda mu, lv: (_kl(mu, lv).sum(), {"mu": mu, "logvar": np.zeros_like(lv)}):
            "∂J/∂logvar",
    }
    for fun, words in cases.items():
        fb = nb08.check_kl_gradient(fun)
        assert not fb and words in _text(fb), (words, _text(fb))
    assert not nb08.check_kl_gradient(_stub).done


# ------------------------------------------------------------------ exercises 4 and 5
def test_walk(small_vae):
    vae, X = small_vae
    a, b = X[0], X[1]
    za, zb = vae.transform(np.stack([a, b]))
    t = np.linspace(0, 1, 10)[:, None]
    assert nb08.check_walk(vae.decode((1 - t) * za + t * zb), vae, a, b)
    fb = nb08.check_walk(vae.decode(t * za + (1 - t) * zb), vae, a, b)
    assert not fb and "backwards" in _text(fb)
    t2 = (np.linspace(0, 1, 10) ** 2)[:, None]
    fb = nb08.check_walk(vae.decode((1 - t2) * za + t2 * zb), vae, a, b)
    assert not fb and "evenly" in _text(fb)
    t3 = np.linspace(0, 1, 12)[1:-1, None]
    fb = nb08.check_walk(vae.decode((1 - t3) * za + t3 * zb), vae, a, b)
    assert not fb and "both ends" in _text(fb)
    fb = nb08.check_walk(np.zeros((9, 64)), vae, a, b)
    assert not fb and "shape" in _text(fb)


def test_mean_sigma(small_vae):
    vae, X = small_vae
    models = {0.0: vae, 1.0: vae}
    lv = vae.encode(X)[1]
    right = float(np.exp(0.5 * lv).mean())
    assert nb08.check_mean_sigma({0.0: right, 1.0: right}, models, X)
    fb = nb08.check_mean_sigma({0.0: float(np.exp(lv).mean()), 1.0: right}, models, X)
    assert not fb and "variance" in _text(fb)
    fb = nb08.check_mean_sigma({0.0: float(np.exp(0.5 * lv.mean())), 1.0: right}, models, X)
    assert not fb and "averaged log σ²" in _text(fb)
    fb = nb08.check_mean_sigma({0.0: right}, models, X)
    assert not fb and "one entry per β" in _text(fb)


# ------------------------------------------------------------------ exercise 6
def test_log_mean_exp():
    def right(lw):
        top = lw.max(axis=0)
        return top + np.log(np.mean(np.exp(lw - top), axis=0))

    assert nb08.check_log_mean_exp(right)
    assert nb08.check_log_mean_exp(lambda lw: logsumexp(lw, axis=0) - np.log(lw.shape[0]))
    with np.errstate(divide="ignore"):
        cases = {
            lambda lw: lw.mean(axis=0): "ELBO",
            lambda lw: logsumexp(lw, axis=0): "1/K",
            lambda lw: lw.max(axis=0): "largest log-weight",
            lambda lw: np.log(np.mean(np.exp(lw), axis=0)): "underflows",
            lambda lw: logsumexp(lw, axis=1) - np.log(lw.shape[1]): "axis 0",
            lambda lw: lw.max() + np.log(np.mean(np.exp(lw - lw.max()), axis=0)): "underflows",
        }
        for fun, words in cases.items():
            fb = nb08.check_log_mean_exp(fun)
            assert not fb and words in _text(fb), (words, _text(fb))
    assert not nb08.check_log_mean_exp(_stub).done
