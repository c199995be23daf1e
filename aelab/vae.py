"""The variational autoencoder (Kingma and Welling 2014), with hand-written backpropagation.

An encoder maps each example x (n features) to a Gaussian q(z|x) = N(μ, diag σ²) over a
d-dimensional latent code; a decoder maps a code z back to the parameters of p(x|z). With one
hidden layer of h units on each side and activation f::

    H  = f(X W_encᵀ + b_enc)               (m × h)
    μ  = H W_μᵀ + b_μ                       (m × d)
    ℓ  = H W_ℓᵀ + b_ℓ                       (m × d)     ℓ = log σ², so σ = exp(ℓ/2) > 0
    Z  = μ + exp(ℓ/2) ⊙ E,   E ~ N(0, I)    (m × d)     the reparameterisation trick
    G  = f(Z W_decᵀ + b_dec)               (m × h)
    O  = G W_outᵀ + b_out                   (m × n)     x̂ = σ(O) (Bernoulli) or O (Gaussian)

The model is trained by minimising the negative evidence lower bound, averaged over examples::

    J = (1/m) Σᵢ [ −log p(xᵢ|zᵢ) + β KL(q(z|xᵢ) ‖ N(0, I)) ]

    −log p(x|z) = Σ_d softplus(o_d) − x_d o_d                     (Bernoulli, x ∈ [0, 1])
                = Σ_d (x_d − o_d)² / (2s²) + (n/2) log(2π s²)    (Gaussian, fixed s = sigma)
    KL          = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²)             (closed form, no sampling)

With β = 1, −J is a one-sample Monte-Carlo estimate of the ELBO, a lower bound on log p(x);
β ≠ 1 is the β-VAE. Backpropagation, written out in ``_loss_and_grad``::

    δO = (x̂ − x)/m  (Bernoulli)  or  (O − X)/(s² m)  (Gaussian)
    ∇W_out = δOᵀ G,   δG = δO W_out ⊙ f'(G),   ∇W_dec = δGᵀ Z,   δZ = δG W_dec
    δμ = δZ + (β/m) μ
    δℓ = δZ ⊙ E ⊙ ½ exp(ℓ/2) + (β/2m)(exp(ℓ) − 1)
    ∇W_μ = δμᵀ H,   ∇W_ℓ = δℓᵀ H,   δH = (δμ W_μ + δℓ W_ℓ) ⊙ f'(H),   ∇W_enc = δHᵀ X

(each bias gradient is the column sum of its δ). The noise E is drawn on the host from a
seeded generator and moved to the data's device, so NumPy, CuPy and array-API data all give
the same numbers for the same seed.

Taught in notebooks/08-variational-autoencoder.ipynb.
"""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin

from .activations import get_activation
from .backend import asarray_like, colsum, get_namespace, to_numpy
from .backend import blas_threads
from .convergence import warn_if_unconverged
from .optimize import Progress, Timer, run_minibatch, warn_diverged
from .validation import (
    check_bool,
    check_choice,
    check_data,
    check_fitted,
    check_int,
    check_real,
    resolve_random_state,
    seed_of,
    validate,
)

__all__ = ["VariationalAutoencoder"]

_ACTIVATIONS = ("tanh", "relu", "sigmoid")
_DECODERS = ("bernoulli", "gaussian")
_OPTIMIZERS = ("adam", "sgd")
_DTYPES = ("float64", "float32")
# Parameter names in the order the network uses them: encoder, the two heads, decoder.
_KEYS = ("enc.W", "enc.b", "mu.W", "mu.b", "logvar.W", "logvar.b",
         "dec.W", "dec.b", "out.W", "out.b")
# Independent random streams under one seed: weights, the fixed noise of ``objective``,
# minibatch order and training noise, ELBO estimates.
_STREAM_INIT, _STREAM_FIXED, _STREAM_TRAIN, _STREAM_ELBO = 0, 3, 4, 5


class VariationalAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Variational autoencoder with a Gaussian encoder and a Bernoulli or Gaussian decoder.

    Parameters
    ----------
    n_latent : int >= 1, default 2
        d, the dimension of the latent code z. Two lets the latent space be drawn.
    n_hidden : int >= 1, default 256
        h, units in the one hidden layer of the encoder and of the decoder.
    activation : {"tanh", "relu", "sigmoid"}, default "tanh"
        f, the hidden activation on both sides (Kingma and Welling used tanh).
    decoder : {"bernoulli", "gaussian"}, default "bernoulli"
        p(x|z). "bernoulli": x̂ = sigmoid(O), cross-entropy likelihood, data must lie in
        [0, 1]. "gaussian": x̂ = O, N(x̂, s² I) with s = ``sigma``, a scaled squared error.
    sigma : float > 0, default 1.0
        s, the fixed standard deviation of the Gaussian decoder (ignored by "bernoulli").
        Smaller s weighs reconstruction more against the KL term, much as β < 1 does.
    beta : float >= 0, default 1.0
        β, the weight of the KL term (β-VAE, Higgins et al. 2017). β = 1 is the ELBO.
    optimizer : {"adam", "sgd"}, default "adam"
        Minibatch optimiser; the objective is stochastic, so there is no L-BFGS here.
    learning_rate : float > 0, default 1e-3
    momentum : float in [0, 1), default 0.9
        SGD momentum, and Adam's β₁.
    max_iter : int >= 1, default 100
        Epochs.
    batch_size : int >= 1 or None, default 128
        None uses all examples in one batch.
    epsilon : float > 0 or None, default None
        ε, the standard deviation of Gaussian initial weights N(0, ε²); None gives the
        engine's uniform initialisation on ±√(6 / (n_in + n_out + 1)). Biases start at 0,
        so every encoder starts near σ = 1.
    n_iter_no_change : int >= 1 or None, default 10
        Stop as converged after this many epochs in a row without a lower mean epoch loss
        (the negative ELBO); None always runs ``max_iter`` epochs.
    random_state : int, numpy.random.RandomState, numpy.random.Generator or None, default 0
        Seeds the initial weights, the minibatch order and every noise draw (each use its
        own stream). An int n gives the numbers ``seed=n`` gave; a ``RandomState`` or
        ``Generator`` supplies a fresh seed each time the model reads it (pass an int for a
        reproducible model and a fixed ``objective``); None is read as 0.
    seed : int or None, default None
        Deprecated alias of ``random_state``, read for one more release (FutureWarning).
    dtype : {"float64", "float32"}, default "float64"
    warm_start : bool, default False
        Continue ``fit`` from the current ``params_`` when their shapes fit.
    verbose : bool, default False
        Show a progress bar (tqdm).

    Attributes
    ----------
    params_ : dict of arrays
        ``enc.W`` (h, n), ``enc.b`` (h,), ``mu.W`` (d, h), ``mu.b`` (d,), ``logvar.W``
        (d, h), ``logvar.b`` (d,), ``dec.W`` (h, d), ``dec.b`` (h,), ``out.W`` (n, h),
        ``out.b`` (n,).
    n_features_in_ : int
    loss_curve_ : list of float
        The training objective J per epoch (mean over its minibatches): the negative ELBO
        when β = 1, its β-weighted version otherwise.
    n_iter_ : int
        Epochs run by the last ``fit``.
    stop_reason_ : str
        "converged", "max_iter", "callback" or "diverged".
    converged_ : bool
        Whether the last ``fit`` stopped before its epoch budget; otherwise ``fit`` warns
        with ``ConvergenceWarning`` (see :func:`aelab.fixed_budget`).
    warm_started_ : bool

    Notes
    -----
    Taught in notebooks/08-variational-autoencoder.ipynb.

    Examples
    --------
    >>> from aelab.datasets import load_digits
    >>> X, y = load_digits()
    >>> vae = VariationalAutoencoder(n_latent=2, max_iter=5).fit(X)
    >>> vae.transform(X).shape          # the latent means μ
    (1797, 2)
    >>> vae.sample(3, seed=0).shape     # new digits, pixel probabilities
    (3, 64)
    """

    def __init__(
        self,
        n_latent=2,
        *,
        n_hidden=256,
        activation="tanh",
        decoder="bernoulli",
        sigma=1.0,
        beta=1.0,
        optimizer="adam",
        learning_rate=1e-3,
        momentum=0.9,
        max_iter=100,
        batch_size=128,
        epsilon=None,
        n_iter_no_change=10,
        random_state=0,
        seed=None,
        dtype="float64",
        warm_start=False,
        verbose=False,
    ):
        self.n_latent = n_latent
        self.n_hidden = n_hidden
        self.activation = activation
        self.decoder = decoder
        self.sigma = sigma
        self.beta = beta
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.seed = seed
        self.dtype = dtype
        self.warm_start = warm_start
        self.verbose = verbose

    # ------------------------------------------------------------------ validation
    def _config(self):
        """Check every hyperparameter; return them resolved (the activation as an object)."""
        c = SimpleNamespace()
        c.n_latent = check_int("n_latent", self.n_latent, 1)
        c.n_hidden = check_int("n_hidden", self.n_hidden, 1)
        c.f = get_activation(check_choice("activation", self.activation, _ACTIVATIONS))
        c.decoder = check_choice("decoder", self.decoder, _DECODERS)
        c.sigma = check_real("sigma", self.sigma, 0.0, low_open=True)
        c.beta = check_real("beta", self.beta, 0.0)
        c.optimizer = check_choice("optimizer", self.optimizer, _OPTIMIZERS)
        c.learning_rate = check_real("learning_rate", self.learning_rate, 0.0, low_open=True)
        c.momentum = check_real("momentum", self.momentum, 0.0, 1.0, high_open=True)
        c.max_iter = check_int("max_iter", self.max_iter, 1)
        c.batch_size = check_int("batch_size", self.batch_size, 1, allow_none=True)
        c.epsilon = check_real("epsilon", self.epsilon, 0.0, low_open=True, allow_none=True)
        c.n_iter_no_change = check_int("n_iter_no_change", self.n_iter_no_change, 1,
                                       allow_none=True)
        c.random_state = resolve_random_state(self)
        c.seed = seed_of(c.random_state)
        c.dtype = check_choice("dtype", self.dtype, _DTYPES)
        c.warm_start = check_bool("warm_start", self.warm_start)
        c.verbose = bool(self.verbose)
        return c

    def _check_X(self, X, c, fitted_width=False, reset=True):
        """Validate X for ``fit`` (``reset``), against the fit (``fitted_width``) or alone."""
        checks = dict(name="X", dtype=c.dtype, unit_interval=c.decoder == "bernoulli",
                      why="(decoder='bernoulli' models each value as a probability)")
        if reset or fitted_width:
            return validate(self, X, reset=not fitted_width, **checks)
        return check_data(X, **checks)

    def _check_fitted(self):
        check_fitted(self)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "params_")

    @property
    def _n_features_out(self):
        """Width of ``transform``'s output (the latent means), for ``get_feature_names_out``."""
        return self.params_["mu.W"].shape[0]

    def _rng(self, c, stream):
        # One seed, several independent streams: turning one use of randomness on or off
        # (say, a longer ELBO estimate) never changes the numbers drawn for another.
        return np.random.default_rng([c.seed if c.seed is not None else 0, stream])

    # ------------------------------------------------------------------ parameters
    def initial_params(self, X):
        """The seeded initial parameters for data shaped like ``X``.

        Weights are N(0, ε²) when ``epsilon`` is set, otherwise uniform on ±r with
        r = √(6 / (n_in + n_out + 1)) per layer, as in the engine; biases are zero, so the
        encoder starts near log σ² = 0. Drawn on the host, so every backend starts alike.

        Parameters
        ----------
        X : array, shape (m, n)

        Returns
        -------
        dict of arrays in X's namespace and the model's dtype, keyed as ``params_``.

        Notes
        -----
        Taught in notebooks/08-variational-autoencoder.ipynb.
        """
        c = self._config()
        X = check_data(X, dtype=c.dtype)
        return self._initial_params(X, c)

    def _initial_params(self, X, c):
        n, h, d = X.shape[1], c.n_hidden, c.n_latent
        rng = self._rng(c, _STREAM_INIT)

        def draw(n_out, n_in):
            if c.epsilon is None:
                r = math.sqrt(6.0 / (n_in + n_out + 1))
                return rng.uniform(-r, r, size=(n_out, n_in))
            return rng.normal(0.0, c.epsilon, size=(n_out, n_in))

        shapes = {"enc": (h, n), "mu": (d, h), "logvar": (d, h), "dec": (h, d), "out": (n, h)}
        host = {}
        for layer, (n_out, n_in) in shapes.items():
            host[f"{layer}.W"] = draw(n_out, n_in)
            host[f"{layer}.b"] = np.zeros(n_out)
        return {k: asarray_like(host[k], X, dtype=c.dtype) for k in _KEYS}

    # ------------------------------------------------------------------ the maths
    def _encode(self, xp, p, X, c):
        """H = f(X W_encᵀ + b_enc), μ and ℓ = log σ²."""
        H = c.f.f(xp, X @ p["enc.W"].T + p["enc.b"], inplace=True)
        mu = H @ p["mu.W"].T + p["mu.b"]
        logvar = H @ p["logvar.W"].T + p["logvar.b"]
        return H, mu, logvar

    def _decode(self, xp, p, Z, c):
        """G = f(Z W_decᵀ + b_dec) and the output pre-activation O."""
        G = c.f.f(xp, Z @ p["dec.W"].T + p["dec.b"], inplace=True)
        return G, G @ p["out.W"].T + p["out.b"]

    def _nll(self, xp, X, O, c):
        """Σ over the batch of −log p(x|z), and δO = ∂(that sum)/∂O."""
        if c.decoder == "bernoulli":
            # softplus(o) − x o = −[x log σ(o) + (1−x) log(1−σ(o))], finite for any o;
            # softplus(o) = max(o, 0) + log1p(exp(−|o|)), about 9× faster than logaddexp.
            a = xp.abs(O)
            nll = xp.sum(0.5 * (O + a) + xp.log1p(xp.exp(-a)) - X * O)
            return nll, get_activation("sigmoid").f(xp, O) - X
        R = O - X
        s2 = c.sigma * c.sigma
        n_total = X.shape[0] * X.shape[1]
        nll = xp.sum(R * R) / (2.0 * s2) + 0.5 * n_total * math.log(2.0 * math.pi * s2)
        return nll, R / s2

    @staticmethod
    def _kl(xp, mu, logvar):
        """Σ over the batch of KL(N(μ, σ²) ‖ N(0, I)) = ½ Σ (μ² + σ² − 1 − log σ²)."""
        return 0.5 * xp.sum(mu * mu + xp.exp(logvar) - 1.0 - logvar)

    def _terms(self, p, X, E, c):
        """Mean −log p(x|z) and mean KL for one noise draw E (no gradients)."""
        xp = get_namespace(X)
        _, mu, logvar = self._encode(xp, p, X, c)
        Z = mu + xp.exp(0.5 * logvar) * E
        _, O = self._decode(xp, p, Z, c)
        m = X.shape[0]
        return float(self._nll(xp, X, O, c)[0]) / m, float(self._kl(xp, mu, logvar)) / m

    def _loss_and_grad(self, p, X, E, c):
        """J = (1/m) Σ [−log p(x|z) + β KL] and its gradient, for noise E of shape (m, d)."""
        xp = get_namespace(X)
        m = X.shape[0]
        H, mu, logvar = self._encode(xp, p, X, c)
        std_E = xp.exp(0.5 * logvar) * E  # σ ⊙ ε, reused by the backward pass
        Z = mu + std_E
        G, O = self._decode(xp, p, Z, c)
        nll, dO = self._nll(xp, X, O, c)
        kl = self._kl(xp, mu, logvar)
        J = (nll + c.beta * kl) / m

        dO = dO / m
        g = {"out.W": dO.T @ G, "out.b": colsum(xp, dO)}
        dG = (dO @ p["out.W"]) * c.f.df(xp, G)
        g["dec.W"] = dG.T @ Z
        g["dec.b"] = colsum(xp, dG)
        dZ = dG @ p["dec.W"]
        # z = μ + exp(ℓ/2) ε: ∂z/∂μ = 1 and ∂z/∂ℓ = ½ σ ε; the KL adds β μ and β(σ² − 1)/2.
        dmu = dZ + (c.beta / m) * mu
        dlogvar = 0.5 * dZ * std_E + (0.5 * c.beta / m) * (xp.exp(logvar) - 1.0)
        g["mu.W"] = dmu.T @ H
        g["mu.b"] = colsum(xp, dmu)
        g["logvar.W"] = dlogvar.T @ H
        g["logvar.b"] = colsum(xp, dlogvar)
        dH = (dmu @ p["mu.W"] + dlogvar @ p["logvar.W"]) * c.f.df(xp, H)
        g["enc.W"] = dH.T @ X
        g["enc.b"] = colsum(xp, dH)
        return J, {k: g[k] for k in _KEYS}

    def _noise(self, rng, m, X, c):
        """ε ~ N(0, I), shape (m, d), drawn on the host and moved beside X."""
        return asarray_like(rng.standard_normal((m, c.n_latent)), X, dtype=c.dtype)

    def objective(self, X, params=None, noise=None):
        """The training objective J (negative β-ELBO per example) and its gradient.

        Parameters
        ----------
        X : array, shape (m, n)
        params : dict of arrays, optional
            Defaults to ``params_`` when fitted, otherwise to :meth:`initial_params`.
        noise : array, shape (m, n_latent), optional
            The ε of z = μ + σ ⊙ ε. By default a fixed draw from the model's seed, the same
            on every call, so that J is a deterministic function of the parameters and
            :func:`aelab.check_gradient` can compare the gradient with finite differences.

        Returns
        -------
        J : float
            (1/m) Σᵢ [−log p(xᵢ|zᵢ) + β KL(q(z|xᵢ) ‖ N(0, I))].
        grads : dict of arrays, keyed like ``params_``

        Notes
        -----
        Taught in notebooks/08-variational-autoencoder.ipynb.
        """
        c = self._config()
        X = self._check_X(X, c, fitted_width=hasattr(self, "params_") and params is None,
                          reset=False)
        if params is None:
            params = self.params_ if hasattr(self, "params_") else self._initial_params(X, c)
        m = X.shape[0]
        if noise is None:
            E = self._noise(self._rng(c, _STREAM_FIXED), m, X, c)
        else:
            E = self._check_noise(noise, X, c)
        with blas_threads(get_namespace(X), m, X.shape[1], c.n_hidden):
            J, grads = self._loss_and_grad(params, X, E, c)
        return float(J), grads

    def _check_noise(self, noise, X, c):
        if tuple(noise.shape) != (X.shape[0], c.n_latent):
            raise ValueError(
                f"noise has shape {tuple(noise.shape)}; it must be (m, n_latent) = "
                f"{(X.shape[0], c.n_latent)}"
            )
        return asarray_like(to_numpy(noise), X, dtype=c.dtype)

    # ------------------------------------------------------------------ training
    def fit(self, X, y=None, callback=None):
        """Train by minibatch Adam or SGD, with fresh noise ε for every minibatch.

        Parameters
        ----------
        X : array, shape (m, n)
            NumPy, CuPy or array-API data; in [0, 1] for the Bernoulli decoder.
        y : ignored
        callback : callable ``(Progress) -> bool``, optional
            Called after every epoch with a :class:`~aelab.optimize.Progress` whose ``loss``
            is the epoch's mean J; return True to stop.

        Returns
        -------
        self

        Notes
        -----
        Taught in notebooks/08-variational-autoencoder.ipynb.
        """
        c = self._config()
        X = self._check_X(X, c)
        xp = get_namespace(X)
        m, n = X.shape
        params = None
        if c.warm_start and hasattr(self, "params_"):
            fresh = self._initial_params(X[:1, :], c)
            old = self.params_
            if set(old) == set(fresh) and all(
                tuple(old[k].shape) == tuple(fresh[k].shape) for k in fresh
            ):
                params = {k: asarray_like(to_numpy(v), X, dtype=c.dtype) for k, v in old.items()}
        self.warm_started_ = params is not None
        if params is None:
            params = self._initial_params(X, c)
        self.n_features_in_ = n
        self.params_ = params
        self.loss_curve_ = []
        timer = Timer()
        bar = None
        if c.verbose:
            from tqdm.auto import tqdm

            bar = tqdm(total=c.max_iter, desc=f"VAE ({c.optimizer})", unit="epoch", leave=False)

        def on_iter(it, current, J):
            self.params_ = current
            self.loss_curve_.append(float(J))
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{J:.5g}")
            if callback is not None:
                return bool(callback(Progress(it, float(J), timer(), self)))
            return False

        # The minibatch order and the training noise come from one seeded stream, so the
        # same seed gives the same model; the fixed noise of ``objective`` is another stream.
        rng = self._rng(c, _STREAM_TRAIN)

        def batch_loss(p, X_in, Xb):
            return self._loss_and_grad(p, Xb, self._noise(rng, Xb.shape[0], Xb, c), c)

        try:
            with blas_threads(xp, min(m, c.batch_size or m), n, c.n_hidden, whole_run=True), np.errstate(over="ignore", invalid="ignore"):
                params, n_iter, reason = run_minibatch(
                    batch_loss, params, X, method=c.optimizer, epochs=c.max_iter,
                    batch_size=c.batch_size or m, learning_rate=c.learning_rate,
                    momentum=c.momentum, rng=rng, on_iter=on_iter,
                    n_iter_no_change=c.n_iter_no_change,
                )
        finally:
            if bar is not None:
                bar.close()
        self.params_ = params
        self.n_iter_ = n_iter
        self.stop_reason_ = reason
        self.converged_ = reason == "converged"
        if reason == "diverged":
            warn_diverged(type(self).__name__, n_iter)
        warn_if_unconverged(self, reason, n_iter, "epochs")
        return self

    # ------------------------------------------------------------------ using it
    def encode(self, X):
        """The encoder's Gaussian q(z|x): its mean μ and log-variance log σ².

        Parameters
        ----------
        X : array, shape (m, n_features)

        Returns
        -------
        mu, logvar : arrays, shape (m, n_latent)

        Notes
        -----
        Taught in notebooks/08-variational-autoencoder.ipynb.
        """
        self._check_fitted()
        c = self._config()
        X = self._check_X(X, c, fitted_width=True)
        _, mu, logvar = self._encode(get_namespace(X), self.params_, X, c)
        return mu, logvar

    def transform(self, X):
        """The latent means μ, shape (m, n_latent): the code used for plots and classifiers.

        Notes
        -----
        Taught in notebooks/08-variational-autoencoder.ipynb.
        """
        return self.encode(X)[0]

    def decode(self, Z):
        """The decoder's mean x̂ for latent codes Z.

        Parameters
        ----------
        Z : array, shape (m, n_latent)

        Returns
        -------
        array, shape (m, n_features)
            Pixel probabilities sigmoid(O) for the Bernoulli decoder, O for the Gaussian.

        Notes
        -----
        Taught in notebooks/08-variational-autoencoder.ipynb (the latent sliders).
        """
        self._check_fitted()
        c = self._config()
        Z = check_data(Z, name="Z", dtype=c.dtype, n_features=c.n_latent)
        xp = get_namespace(Z)
        _, O = self._decode(xp, self.params_, Z, c)
        return get_activation("sigmoid").f(xp, O, inplace=True) if c.decoder == "bernoulli" else O

    def inverse_transform(self, Z):
        """Same as :meth:`decode`. Taught in notebooks/08-variational-autoencoder.ipynb."""
        return self.decode(Z)

    def reconstruct(self, X):
        """x̂ = decode(μ(X)), the reconstruction through the latent mean (no sampling).

        Notes
        -----
        Taught in notebooks/08-variational-autoencoder.ipynb.
        """
        return self.decode(self.transform(X))

    def sample(self, n_samples=1, seed=None):
        """Generate new examples: z ~ N(0, I), then the decoder's mean x̂.

        Parameters
        ----------
        n_samples : int >= 1
        seed : int or None
            Seed for z (None: fresh randomness each call).

        Returns
        -------
        array, shape (n_samples, n_features), in the namespace of ``params_``
            Values in [0, 1] (pixel probabilities) for the Bernoulli decoder.

        Notes
        -----
        Taught in notebooks/08-variational-autoencoder.ipynb.
        """
        self._check_fitted()
        c = self._config()
        n_samples = check_int("n_samples", n_samples, 1)
        seed = check_int("seed", seed, 0, allow_none=True)
        z = np.random.default_rng(seed).standard_normal((n_samples, c.n_latent))
        return self.decode(asarray_like(z, self.params_["out.b"], dtype=c.dtype))

    def elbo_terms(self, X, n_samples=1, seed=None):
        """The two halves of the ELBO, averaged over examples.

        Parameters
        ----------
        X : array, shape (m, n_features)
        n_samples : int >= 1
            Noise draws averaged in the Monte-Carlo estimate of E_q[log p(x|z)].
        seed : int or None
            Seed of those draws; None uses a fixed stream of the model's ``seed``, so
            repeated calls agree.

        Returns
        -------
        log_likelihood : float
            (1/m) Σᵢ E_q[log p(xᵢ|z)] (estimated).
        kl : float
            (1/m) Σᵢ KL(q(z|xᵢ) ‖ N(0, I)) (exact, closed form).

        Notes
        -----
        ELBO = log_likelihood − kl. Taught in notebooks/08-variational-autoencoder.ipynb
        (the β trade-off between the two).
        """
        self._check_fitted()
        c = self._config()
        X = self._check_X(X, c, fitted_width=True)
        n_samples = check_int("n_samples", n_samples, 1)
        seed = check_int("seed", seed, 0, allow_none=True)
        rng = self._rng(c, _STREAM_ELBO) if seed is None else np.random.default_rng(seed)
        nll = kl = 0.0
        with blas_threads(get_namespace(X), X.shape[0], X.shape[1], c.n_hidden):
            for _ in range(n_samples):
                a, kl = self._terms(self.params_, X, self._noise(rng, X.shape[0], X, c), c)
                nll += a / n_samples
        return -nll, kl

    def elbo(self, X, n_samples=1, seed=None):
        """Mean evidence lower bound per example, E_q[log p(x|z)] − KL (higher is better).

        This is the ELBO itself (β = 1) whatever ``beta`` the model was trained with, so
        models with different β can be compared on it. See :meth:`elbo_terms`.

        Returns
        -------
        float
            A lower bound on the mean log-likelihood (1/m) Σᵢ log p(xᵢ) (in nats). With the
            Bernoulli decoder on grey levels (values strictly between 0 and 1, as in the
            digits) p(x|z) is not a normalised density, so read it as a score for comparing
            models on the same data, not as a log-likelihood of the pixels.

        Notes
        -----
        Taught in notebooks/08-variational-autoencoder.ipynb.
        """
        ll, kl = self.elbo_terms(X, n_samples=n_samples, seed=seed)
        return ll - kl

    def score(self, X, y=None):
        """Mean ELBO, as :meth:`elbo`: lets ``GridSearchCV`` compare models on held-out data.

        Notes
        -----
        Taught in notebooks/08-variational-autoencoder.ipynb.
        """
        return self.elbo(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        return tags
