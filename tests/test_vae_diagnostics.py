"""aelab.vae_diagnostics: the importance weights, active units, ELBO surgery and the
continuous-Bernoulli constant, checked against independent computations."""
import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import logsumexp

import aelab
from aelab import vae_diagnostics as vd
from aelab.datasets import load_digits


@pytest.fixture(scope="module")
def vae_and_data():
    X, _ = load_digits()
    with aelab.fixed_budget("a few epochs: the diagnostics only need a fitted model"):
        vae = aelab.VariationalAutoencoder(n_latent=3, n_hidden=16, max_iter=5,
                                           learning_rate=1e-2).fit(X[:400])
    return vae, X[400:500]


def test_importance_weights_average_to_the_elbo(vae_and_data):
    vae, X = vae_and_data
    lw = vd.log_importance_weights(vae, X, n_samples=400, seed=0)
    assert lw.shape == (400, X.shape[0])
    ll, kl = vae.elbo_terms(X, n_samples=400, seed=1)
    # mean of the log-weights is a Monte-Carlo ELBO; same expectation as elbo_terms
    assert abs(lw.mean() - (ll - kl)) < 0.05 * abs(ll - kl)
    iwae = np.mean(logsumexp(lw, axis=0) - math.log(400))
    assert iwae >= lw.mean()              # Jensen: the IWAE bound is above the ELBO


def test_importance_weight_formula_one_example(vae_and_data):
    vae, X = vae_and_data
    x = X[:1]
    lw = vd.log_importance_weights(vae, x, n_samples=1, seed=7)[0, 0]
    mu, lv = (a[0] for a in vae.encode(x))
    eps = np.random.default_rng(7).standard_normal((1, 3))[0]
    z = mu + np.exp(0.5 * lv) * eps
    p = vae.decode(z[None])[0]
    log_px = np.sum(x[0] * np.log(p) + (1 - x[0]) * np.log1p(-p))
    log_pz = -0.5 * np.sum(z ** 2) - 1.5 * math.log(2 * math.pi)
    log_q = np.sum(-0.5 * eps ** 2 - 0.5 * lv) - 1.5 * math.log(2 * math.pi)
    assert lw == pytest.approx(log_px + log_pz - log_q, rel=1e-8)


def test_active_units_counts_varying_means(vae_and_data):
    vae, X = vae_and_data
    n, var = vd.active_units(vae, X)
    mu = vae.transform(X)
    assert n == int(np.sum(mu.var(axis=0) > 0.01))
    assert np.allclose(var, mu.var(axis=0))
    assert vd.active_units(vae, X, threshold=np.inf)[0] == 0


def test_elbo_surgery_identity_and_bound(vae_and_data):
    vae, X = vae_and_data
    s = vd.elbo_surgery(vae, X, n_samples=3000)
    mu, lv = vae.encode(X)
    assert s["mean_kl"] == pytest.approx(np.mean(0.5 * np.sum(mu ** 2 + np.exp(lv) - 1 - lv, 1)))
    assert s["mutual_info"] == pytest.approx(s["mean_kl"] - s["marginal_kl"])
    assert s["marginal_kl"] > -0.05                       # a KL, up to Monte-Carlo noise
    assert s["mutual_info"] <= s["log_n"] + 0.05          # I(n; z) <= log N


def test_continuous_bernoulli_constant():
    for lam in (0.01, 0.2, 0.4999, 0.5, 0.5004, 0.9):
        integral = quad(lambda x: lam ** x * (1 - lam) ** (1 - x), 0, 1)[0]
        assert vd.continuous_bernoulli_log_norm(lam) == pytest.approx(-math.log(integral),
                                                                      rel=1e-7)
    assert np.all(vd.continuous_bernoulli_log_norm(np.linspace(0.01, 0.99, 50)) >= math.log(2))


def test_continuous_bernoulli_gap_matches_the_probabilities(vae_and_data):
    vae, X = vae_and_data
    gap = vd.continuous_bernoulli_gap(vae, X)
    lam = np.clip(vae.reconstruct(X).astype(np.float64), 1e-12, 1 - 1e-12)
    expected = vd.continuous_bernoulli_log_norm(lam).sum(axis=1)
    assert gap.shape == (X.shape[0],)
    assert np.allclose(gap, expected, rtol=1e-4)
    assert np.all(gap >= X.shape[1] * math.log(2) - 1e-9)
