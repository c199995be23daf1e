"""How good is a trained VAE? Its bound's gap, its active units, its aggregate posterior.

Small measurements on a fitted :class:`~aelab.VariationalAutoencoder`:

* :func:`log_importance_weights`: log wₖ = log p(x|zₖ) + log p(zₖ) − log q(zₖ|x) for K codes
  zₖ ~ q(z|x). Their mean is a one-sample-per-draw estimate of the ELBO; the log of their mean
  is the importance-weighted bound of Burda, Grosse and Salakhutdinov (2016), which tightens
  towards log p(x) as K grows (the log-mean-exp itself is an exercise of notebook 08);
* :func:`active_units`: Burda et al.'s count of latent dimensions whose posterior mean moves
  with the input, Cov_x(E_q[z_j]) > 0.01; the rest have collapsed onto the prior;
* :func:`elbo_surgery`: Hoffman and Johnson's (2016) split of the average KL term into the
  mutual information between an example's index and its code, and the KL from the aggregate
  posterior q(z) = (1/N) Σₙ q(z|xₙ) to the prior;
* :func:`continuous_bernoulli_log_norm`: log C(λ), the per-pixel constant that makes the
  Bernoulli likelihood a density on [0, 1] (Loaiza-Ganem and Cunningham 2019), and
  :func:`continuous_bernoulli_gap`, its sum over the pixels of a model's reconstructions.

Taught in notebooks/08-variational-autoencoder.ipynb.
"""
from __future__ import annotations

import math

import numpy as np

from .backend import asarray_like, get_namespace, to_numpy

__all__ = ["log_importance_weights", "active_units", "elbo_surgery",
           "continuous_bernoulli_log_norm", "continuous_bernoulli_gap"]

_LOG_2PI = math.log(2.0 * math.pi)


def _log_px_given_z(model, c, X, Z):
    """log p(x|z) per row, shape (m,), in X's namespace."""
    xp = get_namespace(X)
    _, O = model._decode(xp, model.params_, Z, c)
    if c.decoder == "bernoulli":
        a = xp.abs(O)
        nll = xp.sum(0.5 * (O + a) + xp.log1p(xp.exp(-a)) - X * O, axis=1)
    else:
        s2 = c.sigma * c.sigma
        nll = xp.sum((O - X) ** 2, axis=1) / (2.0 * s2) + 0.5 * X.shape[1] * math.log(
            2.0 * math.pi * s2)
    return -nll


def log_importance_weights(model, X, n_samples=100, seed=0):
    """Log importance weights of K codes drawn from the encoder, for each example.

    Parameters
    ----------
    model : fitted VariationalAutoencoder
    X : array, shape (m, n)
    n_samples : int >= 1
        K, the codes drawn per example.
    seed : int
        Seed of the draws.

    Returns
    -------
    ndarray of float64, shape (K, m)
        log wₖ(xᵢ) = log p(xᵢ|zₖ) + log p(zₖ) − log q(zₖ|xᵢ), with zₖ = μᵢ + σᵢ ⊙ εₖ and
        εₖ ~ N(0, I). Averaging over axis 0 estimates the ELBO of each example; the
        importance-weighted bound is the log of the average of the weights themselves.

    Notes
    -----
    The codes are drawn one k at a time, so memory stays at one (m, n) decoding. Taught in
    notebooks/08-variational-autoencoder.ipynb (how tight is the bound).
    """
    model._check_fitted()
    c = model._config()
    X = model._check_X(X, c, fitted_width=True)
    xp = get_namespace(X)
    K = int(n_samples)
    if K < 1:
        raise ValueError(f"n_samples must be an integer >= 1, got {n_samples!r}")
    _, mu, logvar = model._encode(xp, model.params_, X, c)
    sd = xp.exp(0.5 * logvar)
    rng = np.random.default_rng(seed)
    m, d = X.shape[0], c.n_latent
    out = np.empty((K, m))
    for k in range(K):
        E = asarray_like(rng.standard_normal((m, d)), X, dtype=c.dtype)
        Z = mu + sd * E
        log_prior = -0.5 * xp.sum(Z * Z, axis=1) - 0.5 * d * _LOG_2PI
        log_q = -0.5 * xp.sum(E * E, axis=1) - 0.5 * xp.sum(logvar, axis=1) - 0.5 * d * _LOG_2PI
        out[k] = to_numpy(_log_px_given_z(model, c, X, Z) + log_prior - log_q)
    return out


def active_units(model, X, threshold=0.01):
    """Latent dimensions in use: Cov_x(μ_j(x)) > threshold (Burda et al. 2016).

    Parameters
    ----------
    model : fitted VariationalAutoencoder
    X : array, shape (m, n)
    threshold : float, default 0.01
        Burda et al.'s threshold on the variance, over the examples, of each posterior mean.

    Returns
    -------
    n_active : int
    variances : ndarray, shape (n_latent,)
        Var_x(μ_j) for each dimension j. A dimension with (nearly) zero variance says the same
        thing for every input: its q(z_j|x) has collapsed onto the prior N(0, 1).

    Notes
    -----
    Taught in notebooks/08-variational-autoencoder.ipynb (posterior collapse).
    """
    mu = np.asarray(to_numpy(model.transform(X)), dtype=np.float64)
    variances = mu.var(axis=0)
    return int(np.sum(variances > threshold)), variances


def elbo_surgery(model, X, n_samples=2000, seed=0):
    """Split the mean KL term into the code's information and the aggregate mismatch.

    Hoffman and Johnson (2016): with the N examples of ``X`` as the data distribution and
    q(n, z) = q(z|xₙ)/N,

        (1/N) Σₙ KL(q(z|xₙ) ‖ p(z))  =  I_q(n; z)  +  KL(q(z) ‖ p(z)),

    where q(z) = (1/N) Σₙ q(z|xₙ) is the aggregate posterior and I_q(n; z) ≤ log N is the
    mutual information between an example's index and its code.

    Parameters
    ----------
    model : fitted VariationalAutoencoder
    X : array, shape (N, n)
        The data whose aggregate posterior is measured (the training set, in the paper).
    n_samples : int
        Monte-Carlo draws z ~ q(z) for KL(q(z) ‖ p(z)); q(z) itself is evaluated exactly as
        the mixture of all N Gaussians.
    seed : int

    Returns
    -------
    dict
        ``mean_kl`` (exact), ``marginal_kl`` (KL(q(z) ‖ p(z)), estimated), ``mutual_info``
        (their difference), ``log_n`` (log N, the largest possible mutual information).

    Notes
    -----
    Costs n_samples × N × n_latent operations; fine for a few thousand examples.
    Taught in notebooks/08-variational-autoencoder.ipynb.
    """
    from scipy.special import logsumexp

    mu, logvar = (np.asarray(to_numpy(a), dtype=np.float64) for a in model.encode(X))
    N, d = mu.shape
    sd = np.exp(0.5 * logvar)
    mean_kl = float(0.5 * np.sum(mu ** 2 + sd ** 2 - 1.0 - logvar) / N)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, N, size=n_samples)
    z = mu[pick] + sd[pick] * rng.standard_normal((n_samples, d))
    log_q = np.empty(n_samples)
    for start in range(0, n_samples, 250):  # (chunk, N) blocks keep memory small
        zc = z[start:start + 250, None, :]
        comp = -0.5 * np.sum(((zc - mu) / sd) ** 2 + logvar + _LOG_2PI, axis=2)
        log_q[start:start + 250] = logsumexp(comp, axis=1) - math.log(N)
    log_p = -0.5 * np.sum(z ** 2 + _LOG_2PI, axis=1)
    marginal_kl = float(np.mean(log_q - log_p))
    return {"mean_kl": mean_kl, "marginal_kl": marginal_kl,
            "mutual_info": mean_kl - marginal_kl, "log_n": math.log(N)}


def continuous_bernoulli_gap(model, X):
    """Σⱼ log C(x̂ⱼ) per example at the reconstruction x̂ = decode(μ(x)), from the logits.

    What the Bernoulli decoder's log p(x|z) would gain per image if its λ = x̂ were used in
    the normalised continuous Bernoulli instead; in terms of the logit o of λ,
    C = o / tanh(o / 2) (→ 2 at o = 0), so saturated pixels need no clipping.

    Parameters
    ----------
    model : fitted VariationalAutoencoder with ``decoder="bernoulli"``
    X : array, shape (m, n)

    Returns
    -------
    ndarray of float64, shape (m,)

    Notes
    -----
    Taught in notebooks/08-variational-autoencoder.ipynb.
    """
    c = model._config()
    if c.decoder != "bernoulli":
        raise ValueError("continuous_bernoulli_gap needs decoder='bernoulli'")
    Xc = model._check_X(X, c, fitted_width=True)
    xp = get_namespace(Xc)
    _, mu, _ = model._encode(xp, model.params_, Xc, c)
    _, O = model._decode(xp, model.params_, mu, c)
    o = np.abs(np.asarray(to_numpy(O), dtype=np.float64))
    small = o < 1e-4
    safe = np.where(small, 1.0, o)
    logc = np.where(small, np.log(2.0) + o ** 2 / 12.0, np.log(safe / np.tanh(safe / 2.0)))
    return logc.sum(axis=1)


def continuous_bernoulli_log_norm(lam):
    """log C(λ): what log λˣ(1−λ)¹⁻ˣ misses to be a log-density of x ∈ [0, 1].

    Loaiza-Ganem and Cunningham (2019): ∫₀¹ λˣ(1−λ)¹⁻ˣ dx = 1/C(λ) with
    C(λ) = 2 artanh(1 − 2λ) / (1 − 2λ) for λ ≠ ½ and C(½) = 2; the continuous Bernoulli is
    C(λ) λˣ(1−λ)¹⁻ˣ. C(λ) ≥ 2, so the Bernoulli "likelihood" of a grey-level pixel is at least
    log 2 nats short of a normalised one.

    Parameters
    ----------
    lam : array_like, values in (0, 1)

    Returns
    -------
    ndarray, log C(λ), elementwise (a Taylor expansion near λ = ½).

    Notes
    -----
    Taught in notebooks/08-variational-autoencoder.ipynb.
    """
    lam = np.asarray(lam, dtype=np.float64)
    t = 1.0 - 2.0 * lam
    near = np.abs(t) < 1e-3
    safe = np.where(near, 0.5, t)
    exact = np.log(2.0 * np.arctanh(safe) / safe)
    # artanh(t)/t = 1 + t²/3 + t⁴/5 + …
    series = np.log(2.0) + np.log1p(t ** 2 / 3.0 + t ** 4 / 5.0)
    return np.where(near, series, exact)
