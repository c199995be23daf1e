"""The generalized one-hidden-layer autoencoder: forward pass, backward pass, objective, fit.

For inputs X (m × n) and p hidden units, with encoder activation f and decoder activation g:

    Z₂ = X̃ W₁ᵀ + b₁          (m × p)     X̃ = X, or a corrupted copy for denoising
    A₂ = f(Z₂)                (m × p)
    H  = A₂ ⊙ M               (m × p)     M keeps the k largest units of each row (k-sparse)
    Z₃ = H W₂ᵀ + b₂           (m × n)     W₂ = W₁ᵀ when the weights are tied
    X̂  = g(Z₃)                (m × n)

and the objective, after Johnson and Ramsundar's generalized sparse autoencoder:

    J = (1/m) Σᵢ ℓ(x̂ᵢ, xᵢ)  +  λ/2 (‖W₁‖²_F + ‖W₂‖²_F)  +  β Σⱼ φ(ρ̂ⱼ)  +  γ (1/m) Σᵢ ‖∂hᵢ/∂x̃ᵢ‖²_F

with ρ̂ⱼ = (1/m) Σᵢ Hᵢⱼ. Backpropagation, written out in ``_loss_and_grad``:

    δ₃ = ∂ℓ/∂Z₃                                         (from losses.py)
    ∇W₂ = δ₃ᵀ H + λ W₂,   ∇b₂ = Σᵢ δ₃
    δ₂ = (δ₃ W₂ + (β/m) φ'(ρ̂)) ⊙ f'(Z₂) ⊙ M  [+ contraction term]
    ∇W₁ = δ₂ᵀ X̃ + λ W₁,   ∇b₁ = Σᵢ δ₂

Everything is computed in the array namespace of X, so NumPy data trains on the CPU and CuPy
data on the GPU.

Taught in notebooks/01-autoencoder-basics.ipynb and notebooks/02-sparse-autoencoder.ipynb.
"""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin

from .activations import ACTIVATIONS, get_activation
from .backend import NO_WORKSPACE, Workspace, asarray_like, blas_threads, colsum, get_namespace, is_numpy
from .losses import LOSSES, NEEDS_PREACTIVATION
from .convergence import warn_if_unconverged
from .optimize import Progress, Timer, run_lbfgs, run_minibatch, warn_diverged
from .penalties import auxk_penalty, contraction_penalty, sparsity_penalty, weight_decay
from . import topk
from .validation import (
    check_bool,
    check_choice,
    check_data,
    check_int,
    check_fitted,
    check_real,
    check_rho,
    resolve_random_state,
    seed_of,
    validate,
)

__all__ = ["Autoencoder"]

_SPARSITY = (None, "kl", "l1", "l2")
_NOISE = (None, "mask", "gaussian")
_OPTIMIZERS = ("lbfgs", "adam", "sgd")
#: What ``tol=None`` means for each optimizer. L-BFGS: minFunc's ``optTol`` (the UFLDL
#: exercise's optimizer; its 1e-9 ``progTol`` is a test on progress, not on the gradient)
#: and SciPy's L-BFGS-B ``gtol``. Adam and SGD: any measurable decrease counts as progress.
DEFAULT_TOL = {"lbfgs": 1e-5, "adam": 1e-9, "sgd": 1e-9}
_DTYPES = ("float64", "float32")


class Autoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """One-hidden-layer autoencoder with every classic regulariser as an option.

    The named models (:class:`SparseAutoencoder`, :class:`LinearAutoencoder`,
    :class:`KSparseAutoencoder`, :class:`DenoisingAutoencoder`,
    :class:`ContractiveAutoencoder`) are this class with other defaults.

    Parameters
    ----------
    n_hidden : int, default 25
        Number of hidden units p.
    activation : {"sigmoid", "tanh", "relu", "linear"}, default "sigmoid"
        Encoder activation f.
    output_activation : {"linear", "sigmoid", "tanh", "relu"}, default "linear"
        Decoder activation g. "sigmoid" needs data in [0, 1].
    loss : {"mse", "cross_entropy"}, default "mse"
        ``mse`` is ½‖x̂ − x‖² per example; ``cross_entropy`` needs a sigmoid output and data
        in [0, 1].
    lam : float >= 0, default 0.0
        λ, weight decay on W₁ and W₂ (biases are not decayed). With tied weights the one
        matrix is decayed once: λ/2 ‖W‖²_F.
    beta : float >= 0, default 0.0
        β, weight of the sparsity penalty.
    rho : float, default 0.05
        ρ, the target mean activation. For ``sparsity="kl"`` it must lie inside the
        activation's range: (0, 1) for sigmoid, (−1, 1) for tanh (the KL is then taken on
        (ρ+1)/2 and (ρ̂+1)/2).
    sparsity : {None, "kl", "l1", "l2"}, default None
        The penalty φ(ρ̂ⱼ): KL(ρ‖ρ̂ⱼ), |ρ̂ⱼ − ρ| or (ρ̂ⱼ − ρ)². ``None`` switches it off
        whatever β is.
    tied : bool, default False
        Use W₂ = W₁ᵀ.
    k : int or None, default None
        Keep only the k largest hidden activations of each example (k-sparse); gradients
        flow through those k only.
    alpha : float >= 1, default 1.0
        When encoding with ``transform``, keep round(α k) units instead of k.
    k_start : int or None, default None
        Anneal k: start training with ``k_start`` units kept and lower the count linearly to
        ``k`` over the first half of the minibatch steps (Makhzani and Frey). Keeping many
        units early lets every unit receive gradient, so fewer die. Values above
        ``n_hidden`` mean all units. Adam and SGD only.
    noise : {None, "mask", "gaussian"}, default None
        Input corruption for denoising: "mask" zeroes each input with probability
        ``noise_level``; "gaussian" adds N(0, noise_level²). The loss compares the
        reconstruction with the clean input. Adam and SGD draw fresh noise for every
        minibatch, as Vincent et al. do; L-BFGS needs one fixed objective, so it corrupts
        the training set once (seeded) and fits that copy.
    noise_level : float >= 0, default 0.0
        Masking probability in [0, 1) or Gaussian standard deviation.
    contraction : float >= 0, default 0.0
        γ, weight of the contractive penalty ‖∂h/∂x‖²_F (Rifai et al. 2011).
    decoder_norm : {None, "unit"}, default None
        "unit" keeps every decoder column W₂[:, j] at unit norm: after each Adam/SGD step the
        columns are renormalised, and before it the gradient's component along each column
        is removed (as the sparse-autoencoder literature does, so that an L1 penalty cannot
        be dodged by shrinking codes and growing the decoder). Needs ``tied=False`` and a
        minibatch optimizer.
    pre_bias : bool, default False
        Subtract the decoder bias b₂ from the input before encoding: h = f(W₁(x − b₂) + b₁),
        x̂ = W₂h + b₂ (the pre-encoder bias of Bricken et al. 2023 and Gao et al. 2024).
    tied_init : bool, default False
        Start with W₁ = W₂ᵀ (untied afterwards), Gao et al.'s initialisation.
    aux_k : int or None, default None
        AuxK (Gao et al. 2024): the ``aux_k`` largest pre-activations of the dead latents
        (those that fired on no example for ``dead_steps`` minibatches) reconstruct the
        residual x − x̂, weighted by ``aux_coef``; it gives dead latents a gradient back to
        life. Needs loss "mse", a linear output, ``tied=False`` and a minibatch optimizer.
    aux_coef : float >= 0, default 1/32
        α, the weight of the AuxK loss (Gao et al.'s value; smaller models may need more).
    dead_steps : int >= 1, default 100
        Minibatches without firing after which a latent counts as dead for AuxK.
    epsilon : float > 0 or None, default None
        ε, the standard deviation of the Gaussian initial weights N(0, ε²) (the R
        ``autoencoder`` package's convention). ``None`` uses UFLDL's uniform initialisation
        on ±√(6 / (n_in + n_out + 1)). Not to be confused with the whitening regulariser.
    optimizer : {"lbfgs", "adam", "sgd"}, default "lbfgs"
        L-BFGS is full batch; Adam and SGD (with momentum) use minibatches, and their
        sparsity penalty uses each minibatch's mean activation ρ̂ (an estimate of the
        training set's, noisier for small batches).
    max_iter : int >= 1, default 400
        L-BFGS iterations, or epochs for Adam and SGD.
    batch_size : int or None, default None
        Minibatch size for Adam/SGD (None: min(256, m)). Ignored by L-BFGS.
    learning_rate : float > 0, default 1e-3
        Step size for Adam and SGD.
    momentum : float in [0, 1), default 0.9
        SGD momentum μ, and Adam's β₁.
    tol : float >= 0 or None, default None
        L-BFGS has converged when the largest gradient component is at most ``tol``; a stop
        without that (no measurable decrease of J, or a failed line search) is "stalled",
        not converged. For Adam and SGD: the relative decrease of the epoch's mean
        loss that counts as progress. None picks each optimizer's default: 1e-5 for
        L-BFGS, the first-order optimality tolerance (``optTol``, on max|gᵢ|) of minFunc,
        the optimizer of the UFLDL exercise, and SciPy's L-BFGS-B ``gtol``; 1e-9 for Adam
        and SGD, so that any measurable decrease of the epoch loss counts. Where a claim
        needs a tighter optimum, pass a smaller ``tol`` (and check ``converged_``).
    n_iter_no_change : int >= 1 or None, default 10
        Adam and SGD stop as converged after this many epochs without progress (see
        ``tol``), as scikit-learn's ``MLPClassifier`` does; with ``k_start`` not before the
        annealing has ended. None always runs ``max_iter`` epochs. Ignored by L-BFGS.
    random_state : int, numpy.random.RandomState, numpy.random.Generator or None, default 0
        Seeds the initial weights, the minibatch order and the corruption noise. An int n
        gives the numbers ``seed=n`` gave; a ``RandomState`` or ``Generator`` supplies a
        fresh seed at each ``fit`` (so refits differ); None draws the initial weights from
        fresh entropy (the noise and minibatch streams then start from 0).
    seed : int or None, default None
        Deprecated alias of ``random_state``, read for one more release (FutureWarning).
        Giving both is an error unless ``random_state`` is left at its default.
    dtype : {"float64", "float32"}, default "float64"
    warm_start : bool, default False
        Start ``fit`` from the current ``params_`` when their shapes fit.
    verbose : bool, default False
        Show a progress bar (tqdm).

    Attributes
    ----------
    params_ : dict of arrays
        ``W1`` (p, n), ``b1`` (p,), ``W2`` (n, p) (absent when tied), ``b2`` (n,).
    components_ : array, shape (p, n)
        The encoder weights W₁, laid out like PCA's ``components_``.
    n_features_in_ : int
    loss_curve_ : list of float
        J after each iteration (L-BFGS) or epoch of the last ``fit``.
    n_iter_ : int
        Iterations (epochs) run by the last ``fit``.
    stop_reason_ : str
        "converged", "stalled" (L-BFGS stopped decreasing J before its gradient met
        ``tol``), "max_iter", "callback" or "diverged".
    converged_ : bool
        Whether the last ``fit`` stopped on its tolerance. When it stops on ``max_iter``
        instead, ``fit`` warns with ``ConvergenceWarning`` (silenced by
        :func:`aelab.fixed_budget` where the budget is the point).
    warm_started_ : bool
        Whether the last ``fit`` continued from previous parameters.

    Notes
    -----
    Taught in notebooks/01-autoencoder-basics.ipynb; the objective is built step by step in
    notebooks/02-sparse-autoencoder.ipynb.
    """

    def __init__(
        self,
        n_hidden=25,
        *,
        activation="sigmoid",
        output_activation="linear",
        loss="mse",
        lam=0.0,
        beta=0.0,
        rho=0.05,
        sparsity=None,
        tied=False,
        k=None,
        alpha=1.0,
        k_start=None,
        noise=None,
        noise_level=0.0,
        contraction=0.0,
        decoder_norm=None,
        pre_bias=False,
        tied_init=False,
        aux_k=None,
        aux_coef=1 / 32,
        dead_steps=100,
        epsilon=None,
        optimizer="lbfgs",
        max_iter=400,
        batch_size=None,
        learning_rate=1e-3,
        momentum=0.9,
        tol=None,
        n_iter_no_change=10,
        random_state=0,
        seed=None,
        dtype="float64",
        warm_start=False,
        verbose=False,
    ):
        self.n_hidden = n_hidden
        self.activation = activation
        self.output_activation = output_activation
        self.loss = loss
        self.lam = lam
        self.beta = beta
        self.rho = rho
        self.sparsity = sparsity
        self.tied = tied
        self.k = k
        self.alpha = alpha
        self.k_start = k_start
        self.noise = noise
        self.noise_level = noise_level
        self.contraction = contraction
        self.decoder_norm = decoder_norm
        self.pre_bias = pre_bias
        self.tied_init = tied_init
        self.aux_k = aux_k
        self.aux_coef = aux_coef
        self.dead_steps = dead_steps
        self.epsilon = epsilon
        self.optimizer = optimizer
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.seed = seed
        self.dtype = dtype
        self.warm_start = warm_start
        self.verbose = verbose

    # ------------------------------------------------------------------ validation
    def _config(self):
        """Check every hyperparameter and return them resolved (activations as objects)."""
        c = SimpleNamespace()
        c.n_hidden = check_int("n_hidden", self.n_hidden, 1)
        c.f = get_activation(check_choice("activation", self.activation, tuple(ACTIVATIONS)))
        c.g = get_activation(
            check_choice("output_activation", self.output_activation, tuple(ACTIVATIONS))
        )
        c.loss = check_choice("loss", self.loss, tuple(LOSSES))
        if c.loss == "cross_entropy" and c.g.name != "sigmoid":
            raise ValueError(
                f"loss='cross_entropy' needs output_activation='sigmoid' (outputs are "
                f"probabilities); got output_activation={self.output_activation!r}"
            )
        c.lam = check_real("lam", self.lam, 0.0)
        c.beta = check_real("beta", self.beta, 0.0)
        c.sparsity = check_choice("sparsity", self.sparsity, _SPARSITY)
        if c.sparsity == "kl" and c.f.name not in ("sigmoid", "tanh"):
            raise ValueError(
                f"sparsity='kl' needs a bounded activation ('sigmoid' or 'tanh'); got "
                f"activation={self.activation!r}. Use sparsity='l1' or 'l2' instead"
            )
        c.rho = check_rho(self.rho, c.f, c.sparsity)
        c.tied = check_bool("tied", self.tied)
        c.k = check_int("k", self.k, 1, c.n_hidden, allow_none=True)
        c.alpha = check_real("alpha", self.alpha, 1.0)
        c.k_start = check_int("k_start", self.k_start, c.k or 1, allow_none=True)
        if c.k_start is not None:
            c.k_start = min(c.k_start, c.n_hidden)  # keeping "all units" is the most there is
        if c.k_start is not None and c.k is None:
            raise ValueError(f"k_start={self.k_start!r} anneals k, so it needs k to be set; got k=None")
        c.noise = check_choice("noise", self.noise, _NOISE)
        if c.noise == "mask":
            c.noise_level = check_real("noise_level", self.noise_level, 0.0, 1.0, high_open=True)
        else:
            c.noise_level = check_real("noise_level", self.noise_level, 0.0)
        c.contraction = check_real("contraction", self.contraction, 0.0)
        c.epsilon = check_real("epsilon", self.epsilon, 0.0, low_open=True, allow_none=True)
        c.optimizer = check_choice("optimizer", self.optimizer, _OPTIMIZERS)
        if c.k_start is not None and c.optimizer == "lbfgs":
            raise ValueError(
                f"k_start={self.k_start!r} anneals k during minibatch training; it needs "
                "optimizer='adam' or 'sgd', not 'lbfgs' (a changing objective breaks L-BFGS)"
            )
        c.max_iter = check_int("max_iter", self.max_iter, 1)
        c.batch_size = check_int("batch_size", self.batch_size, 1, allow_none=True)
        c.learning_rate = check_real("learning_rate", self.learning_rate, 0.0, low_open=True)
        c.momentum = check_real("momentum", self.momentum, 0.0, 1.0, high_open=True)
        c.tol = check_real("tol", self.tol, 0.0, allow_none=True)
        if c.tol is None:
            c.tol = DEFAULT_TOL[c.optimizer]
        c.n_iter_no_change = check_int("n_iter_no_change", self.n_iter_no_change, 1,
                                       allow_none=True)
        c.random_state = resolve_random_state(self)
        c.seed = seed_of(c.random_state)  # an int (or None) that default_rng reads
        c.dtype = check_choice("dtype", self.dtype, _DTYPES)
        c.decoder_norm = check_choice("decoder_norm", self.decoder_norm, (None, "unit"))
        c.pre_bias = check_bool("pre_bias", self.pre_bias)
        c.tied_init = check_bool("tied_init", self.tied_init)
        c.aux_k = check_int("aux_k", self.aux_k, 1, c.n_hidden, allow_none=True)
        c.aux_coef = check_real("aux_coef", self.aux_coef, 0.0)
        c.dead_steps = check_int("dead_steps", self.dead_steps, 1)
        for name, on in (("decoder_norm", c.decoder_norm is not None),
                         ("tied_init", c.tied_init), ("aux_k", c.aux_k is not None)):
            if on and c.tied:
                raise ValueError(f"{name}={getattr(self, name)!r} needs separate decoder "
                                 "weights: set tied=False")
        for name, on in (("decoder_norm", c.decoder_norm is not None),
                         ("aux_k", c.aux_k is not None)):
            if on and c.optimizer == "lbfgs":
                raise ValueError(f"{name}={getattr(self, name)!r} acts between minibatch "
                                 "steps; it needs optimizer='adam' or 'sgd', not 'lbfgs'")
        if c.aux_k is not None and (c.loss != "mse" or c.g.name != "linear"):
            raise ValueError(f"aux_k={self.aux_k!r} reconstructs the residual x − x̂: it needs "
                             "loss='mse' and output_activation='linear'")
        c.warm_start = check_bool("warm_start", self.warm_start)
        c.verbose = bool(self.verbose)
        return c

    def _check_X(self, X, c, name="X", fitted_width=False, reset=True):
        """Validate X for ``fit`` (``reset``: records n_features_in_, feature_names_in_),
        against the fitted width (``fitted_width``), or neither (``reset=False``)."""
        needs_unit = c.loss == "cross_entropy" or c.g.name == "sigmoid"
        why = "(loss='cross_entropy' or a sigmoid output cannot produce other values)"
        checks = dict(name=name, dtype=c.dtype, unit_interval=needs_unit, why=why)
        if reset or fitted_width:
            return validate(self, X, reset=not fitted_width, **checks)
        return check_data(X, **checks)

    # ------------------------------------------------------------------ parameters
    def _param_keys(self, c):
        return ("W1", "b1", "b2") if c.tied else ("W1", "b1", "W2", "b2")

    def initial_params(self, X):
        """The seeded initial parameters for data shaped like ``X``.

        Weights are N(0, ε²) when ``epsilon`` is set, otherwise uniform on ±r with
        r = √(6 / (n_in + n_out + 1)) as in the UFLDL exercise; biases are zero. The same
        ``seed`` gives the same weights on every backend (they are drawn on the host).

        Returns
        -------
        dict of arrays in X's namespace and the model's dtype.
        """
        c = self._config()
        X = check_data(X, dtype=c.dtype)
        return self._initial_params(X, c)

    def _initial_params(self, X, c):
        n, p = X.shape[1], c.n_hidden
        rng = np.random.default_rng(c.seed)
        if c.epsilon is None:
            r = math.sqrt(6.0 / (n + p + 1))
            draw = lambda shape: rng.uniform(-r, r, size=shape)  # noqa: E731
        else:
            draw = lambda shape: rng.normal(0.0, c.epsilon, size=shape)  # noqa: E731
        host = {"W1": draw((p, n)), "b1": np.zeros(p)}
        if not c.tied:
            host["W2"] = draw((n, p))
        host["b2"] = np.zeros(n)
        if c.decoder_norm == "unit":
            norms = np.linalg.norm(host["W2"], axis=0)
            host["W2"] = host["W2"] / np.where(norms > 0, norms, 1.0)
        if c.tied_init:
            host["W1"] = host["W2"].T.copy()
        return {k: asarray_like(host[k], X, dtype=c.dtype) for k in self._param_keys(c)}

    @property
    def components_(self):
        """Encoder weights W₁, shape (n_hidden, n_features)."""
        self._check_fitted()
        return self.params_["W1"]

    def _check_fitted(self):
        check_fitted(self)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "params_")

    @property
    def _n_features_out(self):
        """Width of ``transform``'s output, for ``get_feature_names_out``."""
        return self.params_["W1"].shape[0]

    # ------------------------------------------------------------------ the maths
    def _topk_mask(self, xp, A, k, relu=False):
        """1 for the k largest entries of each row of A, 0 elsewhere.

        With ReLU units (``relu``) entries at zero are never kept: a row with fewer than k
        positive units keeps those it has. That is the same model (a zero contributes
        nothing to H, and ReLU' = 0 there) without the exact-k fallback that ties at zero
        would otherwise force on almost every row of a sparse code.
        """
        p = A.shape[1]
        if k >= p:
            return None
        if is_numpy(xp) and relu:
            keep = A >= np.partition(A, p - k, axis=1)[:, p - k:p - k + 1]
            keep &= A > 0
            if int(keep.sum(axis=1).max(initial=0)) <= k:  # no tie among positive values
                return keep.astype(A.dtype)
            idx = np.argpartition(A, p - k, axis=1)[:, p - k:]
            M = np.zeros_like(A)
            np.put_along_axis(M, idx, 1.0, axis=1)
            return M * (A > 0)
        if is_numpy(xp):
            # The k-th largest entry of each row is a threshold. partition is O(p) per row
            # where a sort is O(p log p), and it moves no indices: 0.32 against 0.54 ms for
            # argpartition on 128 × 400 here.
            keep = A >= np.partition(A, p - k, axis=1)[:, p - k:p - k + 1]
            if np.count_nonzero(keep) == k * A.shape[0]:  # every row holds at least k
                return keep.astype(A.dtype)
            # Ties at the threshold (or NaN): pick exactly k per row by index instead.
            idx = np.argpartition(A, p - k, axis=1)[:, p - k:]
            M = np.zeros_like(A)
            np.put_along_axis(M, idx, 1.0, axis=1)
            return M
        thresh = xp.sort(A, axis=1)[:, p - k:p - k + 1]
        keep = A >= thresh
        if relu:
            keep = keep & (A > 0)
        return xp.astype(keep, A.dtype)

    def _activations(self, xp, params, X, c, ws=NO_WORKSPACE):
        """Hidden activations A₂ = f(X W₁ᵀ + b₁) (X − b₂ with a pre-encoder bias)."""
        b1 = params["b1"]
        if c.pre_bias:
            X = X - params["b2"]

        def activate(z):
            z += b1
            return c.f.f(xp, z, inplace=True), None  # Z₂ is not needed again: f' is read off A₂

        return ws.rowwise(activate, ws.matmul("A2", X, params["W1"].T))[0]

    def _encode(self, xp, params, X, c, k, ws=NO_WORKSPACE):
        """Hidden activations A₂ = f(X W₁ᵀ + b₁), the top-k mask M (or None) and H = A₂ ⊙ M."""
        A2 = self._activations(xp, params, X, c, ws)
        M = self._topk_mask(xp, A2, k, relu=c.f.name == "relu") if k is not None else None
        H = A2 if M is None else A2 * M
        return A2, M, H

    def _decode(self, xp, params, H, c, ws=NO_WORKSPACE):
        """X̂ = g(H W₂ᵀ + b₂), computed over the memory of the product."""
        def activate(z):
            return _output(xp, params, z, c, inplace=True), None

        return ws.rowwise(activate, ws.matmul("Z3", H, _decoder_weights(params, c)))[0]

    def _reconstruction(self, xp, params, H, X, c, ws=NO_WORKSPACE, m=None, Z3=None):
        """Decode H and compare with the clean target X: the loss term and δ₃ = ∂ℓ/∂Z₃.

        Decoding, the loss and δ₃ run block by block of rows (``Workspace.rowwise``), so the
        m × n arrays are read from memory once rather than once per elementwise step; δ₃ is
        written over the memory of Z₃. ``m`` is the size of the whole batch when X holds one
        shard of its rows. ``Z3``: H W₂ᵀ when the caller computed it (a sparse code).
        """
        m = X.shape[0] if m is None else m
        loss = LOSSES[c.loss]
        keep_z = c.loss in NEEDS_PREACTIVATION

        def block(z, x):
            a = _output(xp, params, z, c, inplace=not keep_z)
            value, dz = loss(xp, x, z, a, c.g, ws, m=m)
            return dz, value

        if Z3 is None:
            Z3 = ws.matmul("Z3", H, _decoder_weights(params, c))
        dZ3, J = ws.rowwise(block, Z3, X)
        return J, dZ3

    def _loss_and_grad(self, params, X_in, X, c, ws=NO_WORKSPACE, aux=None):
        """J and ∇J at ``params`` for corrupted input ``X_in`` and clean target ``X``.

        ``ws`` is the training run's :class:`~aelab.backend.Workspace`: the large temporaries
        are written into its buffers instead of fresh memory, elementwise chains run over
        cache-sized blocks of rows, and on several cores the rows are split into shards
        evaluated in parallel (:mod:`aelab.blocks`). Every row is independent until the
        rows are summed, so each shard computes its partial sums and they are added up in
        shard order; the one quantity every row needs, ρ̂, is summed between the two halves
        of backpropagation.

        ``aux`` (AuxK only) is a dict with ``dead``, a host bool array (n_hidden,) of the
        latents counted dead; this call writes ``fired`` (which latents fired on any row).
        """
        xp = get_namespace(X)
        m = X.shape[0]
        # The contraction penalty of linear units does not split into per-row terms.
        shards = ws.shards(m, X.shape[1] * c.n_hidden) if c.contraction == 0 else [ws]
        outer = ws.map(lambda part: self._backprop_output(xp, params, X_in, X, c, part, m),
                       shards)

        J = _total(o["J"] for o in outer)
        shift = None  # the sparsity term's share of ∂J/∂H, the same for every example
        if c.sparsity is not None and c.beta > 0:
            rho_hat = _total(o["H_sum"] for o in outer) / m
            phi, dphi = sparsity_penalty(xp, c.sparsity, rho_hat, c.rho, c.f)
            J = J + c.beta * phi
            shift = (c.beta / m) * dphi
        inner = ws.map(lambda part, o: self._backprop_hidden(xp, params, X_in, o, shift, c,
                                                             part, m), shards, outer)

        W1 = params["W1"]
        grads = {"b2": _total(o["b2"] for o in outer), "b1": _total(i["b1"] for i in inner)}
        # gW1 is a fresh product (or a fresh sum of them), so the terms below are added in
        # place: W₁-sized temporaries cost more than the additions themselves.
        gW1 = _total(i["W1"] for i in inner)
        if c.tied:
            gW1 += _total(o["W"] for o in outer)  # the decoder's share: it uses W₁ᵀ
        else:
            grads["W2"] = _total(o["W"] for o in outer)
        if c.contraction != 0:
            J = J + c.contraction * inner[0]["penalty"]
            gW1 += c.contraction * inner[0]["dW"]
        if c.lam > 0:
            weights = [W1] if c.tied else [W1, params["W2"]]
            J = J + c.lam * weight_decay(xp, weights)
            gW1 += c.lam * W1
            if not c.tied:
                grads["W2"] = grads["W2"] + c.lam * params["W2"]
        if c.pre_bias:
            # x − b₂ feeds the encoder: b₂'s gradient gets −Σᵢ δ₂ᵢ W₁ = −(∇b₁) W₁
            grads["b2"] = grads["b2"] - grads["b1"] @ W1
        if aux is not None and c.aux_k is not None:
            aux["fired"] = to_host_bool(_total(o["fired"] for o in outer) > 0)
            J = J + self._auxk(xp, params, X_in, X, c, aux, grads, gW1)
        grads["W1"] = gW1
        return J, {k: grads[k] for k in self._param_keys(c)}

    def _auxk(self, xp, params, X_in, X, c, aux, grads, gW1):
        """Add the AuxK term's gradient into ``grads``/``gW1``; returns α·J_aux."""
        dead = np.flatnonzero(aux.get("dead", np.zeros(0, bool)))
        if dead.size == 0 or c.aux_coef == 0:
            return 0.0
        idx = asarray_like(dead, X)
        Xe = X_in - params["b2"] if c.pre_bias else X_in
        H = self._encode(xp, params, X_in, c, c.k)[2]
        E = X - (H @ params["W2"].T + params["b2"])  # the residual, held fixed
        W1d = xp.take(params["W1"], idx, axis=0)
        W2d = xp.take(params["W2"], idx, axis=1)
        b1d = xp.take(params["b1"], idx, axis=0)
        Ja, g = auxk_penalty(xp, E, Xe, W1d, b1d, W2d, min(c.aux_k, dead.size))
        a = c.aux_coef
        S = _one_hot(xp, idx, c.n_hidden, X)
        gW1 += S @ (a * g["W1d"])
        grads["b1"] = grads["b1"] + S @ (a * g["b1d"])
        grads["W2"] = grads["W2"] + (a * g["W2d"]) @ S.T
        if c.pre_bias:
            grads["b2"] = grads["b2"] - a * xp.sum(g["Xe"], axis=0)
        return a * float(Ja)

    def _backprop_output(self, xp, params, X_in, X, c, part, m):
        """Forward pass and the output layer's backward pass on the rows ``part.rows``.

        Returns the shard's share of the loss, of ∇b₂ and of ∇W₂ (or, tied, of the decoder's
        term of ∇W₁), its Σᵢ Hᵢ for ρ̂, and what the hidden layer's backward pass needs:
        A₂, M and δ₃ W₂ (written ``dH``).
        """
        Xi, Xt = part.take(X_in), part.take(X)
        if _sparse_code(xp, c):
            return self._sparse_backprop_output(xp, params, Xi, Xt, c, part, m)
        A2, M, H = self._encode(xp, params, Xi, c, c.k, part)
        J, dZ3 = self._reconstruction(xp, params, H, Xt, c, part, m)
        out = {"J": J, "A2": A2, "M": M, "b2": colsum(xp, dZ3)}
        if c.aux_k is not None:
            out["fired"] = colsum(xp, xp.astype(H > 0, H.dtype))
        if c.tied:
            out["W"] = H.T @ dZ3
            out["dH"] = part.matmul("dH", dZ3, params["W1"].T)
        else:
            # (Hᵀ δ₃)ᵀ rather than δ₃ᵀ H: the same numbers, and BLAS is faster at the wide
            # (p × n) product than at the tall one (measured here: 7.4 ms against 9.0 ms).
            out["W"] = (H.T @ dZ3).T
            out["dH"] = part.matmul("dH", dZ3, params["W2"])
        if c.sparsity is not None and c.beta > 0:
            out["H_sum"] = colsum(xp, H)
        return out

    def _backprop_hidden(self, xp, params, X_in, o, shift, c, part, m):
        """The hidden layer's backward pass on the rows ``part.rows``: δ₂, its share of ∇W₁
        and ∇b₁ (and, with contraction, the penalty and its explicit ∇W₁ term)."""
        if "code" in o:
            return self._sparse_backprop_hidden(xp, params, X_in, o, shift, c, part)
        A2, M, dH = o["A2"], o["M"], o["dH"]
        out = {}
        if c.contraction == 0:
            def backprop(a, d, *mask):
                if shift is not None:
                    d += shift
                if mask:
                    d *= mask[0]
                return c.f.mul_df(xp, d, a), None

            # H (which may be A₂ itself) is not read again: δ₂ may take A₂'s memory.
            dZ2, _ = part.rowwise(backprop, A2, dH, *([] if M is None else [M]))
        else:
            dZ2 = dH if shift is None else dH + shift
            if M is not None:
                dZ2 *= M
            dA = c.f.df(xp, A2)
            if M is not None:
                dA = dA * M
            if not isinstance(dA, float):  # linear units: f' = 1
                dZ2 *= dA
            d2A = c.f.d2f(xp, A2, dA)
            out["penalty"], dZc, out["dW"] = contraction_penalty(xp, params["W1"], dA, d2A, m)
            dZ2 += c.contraction * dZc
        Xe = part.take(X_in)
        if c.pre_bias:
            Xe = Xe - params["b2"]
        out["W1"] = dZ2.T @ Xe
        out["b1"] = colsum(xp, dZ2)
        return out

    def _sparse_backprop_output(self, xp, params, Xi, Xt, c, part, m):
        """:meth:`_backprop_output` for a top-k code held as indices and values
        (:mod:`aelab.topk`): the decoder's products read only the k kept units of each row."""
        p = c.n_hidden
        Xe = Xi - params["b2"] if c.pre_bias else Xi
        Z2 = part.matmul("A2", Xe, params["W1"].T)
        Z2 += params["b1"]
        # f is increasing, so the k largest of f(Z₂) are where the k largest of Z₂ are (for
        # ReLU: those that are positive): f is applied to the kept entries only
        code = topk.select(Z2, c.k, relu=c.f.name == "relu")
        code.vals = c.f.f(xp, code.vals, inplace=True)
        # (m, k, n): the decoder rows of the kept units, gathered from a contiguous W₂ᵀ (rows
        # of W₂'s transpose view are strided: 2.5 times slower to gather)
        G = np.take(np.ascontiguousarray(_decoder_weights(params, c)), code.idx, axis=0)
        Z3 = np.matmul(code.vals[:, None, :], G)[:, 0]  # Z₃ᵢ = Σₛ valsᵢₛ W₂ᵀ[idxᵢₛ]
        J, dZ3 = self._reconstruction(xp, params, None, Xt, c, part, m, Z3=Z3)
        out = {"J": J, "code": code, "b2": colsum(xp, dZ3),
               # δ₃ W₂ at the kept entries only: (δ₃ W₂)ᵢₛ = δ₃ᵢ · W₂ᵀ[idxᵢₛ]
               "dH": np.matmul(G, dZ3[:, :, None])[:, :, 0]}
        units = code.idx.reshape(-1)
        if c.aux_k is not None:
            out["fired"] = np.bincount(units, (code.vals > 0).reshape(-1), p)
        WT = topk.scatter_rows(code, code.vals, dZ3)  # Hᵀ δ₃, shape (p, n)
        out["W"] = WT if c.tied else WT.T
        if c.sparsity is not None and c.beta > 0:
            out["H_sum"] = np.bincount(units, code.vals.reshape(-1), p).astype(Z2.dtype)
        return out

    def _sparse_backprop_hidden(self, xp, params, X_in, o, shift, c, part):
        """:meth:`_backprop_hidden` for a top-k code held as indices and values."""
        code, dZ2 = o["code"], o["dH"]
        if shift is not None:
            dZ2 += shift[code.idx]
        # f′ read off the kept values (their memory is not needed again); a padded entry
        # holds ReLU′(0) = 0
        dZ2 = c.f.mul_df(xp, dZ2, code.vals)
        Xe = part.take(X_in)
        if c.pre_bias:
            Xe = Xe - params["b2"]
        b1 = np.bincount(code.idx.reshape(-1), dZ2.reshape(-1), c.n_hidden)
        return {"W1": topk.scatter_rows(code, dZ2, Xe), "b1": b1.astype(dZ2.dtype)}

    def _corrupt(self, X, rng, c):
        """A corrupted copy of X for denoising (noise drawn on the host, then moved)."""
        if c.noise is None or c.noise_level == 0.0:
            return X
        if c.noise == "mask":
            keep = rng.random(X.shape) >= c.noise_level
            return X * asarray_like(keep, X, dtype=X.dtype)
        return X + asarray_like(rng.normal(0.0, c.noise_level, size=X.shape), X, dtype=X.dtype)

    def _noise_rng(self, c):
        # A separate stream from the weights', so turning noise on leaves the init unchanged.
        return np.random.default_rng([c.seed if c.seed is not None else 0, 1])

    def objective(self, X, params=None):
        """The objective J and its gradient at the current (or given) parameters.

        Parameters
        ----------
        X : array, shape (m, n)
        params : dict of arrays, optional
            Defaults to ``params_`` when fitted, otherwise to :meth:`initial_params`.

        Returns
        -------
        J : float
        grads : dict of arrays, keyed like ``params_``

        Notes
        -----
        With input corruption the noise is drawn from a fixed seed, so repeated calls give
        the same value: this is what makes a finite-difference gradient check possible.
        """
        c = self._config()
        fitted = hasattr(self, "params_") and params is None
        X = self._check_X(X, c, fitted_width=fitted, reset=False)
        if params is None:
            params = self.params_ if hasattr(self, "params_") else self._initial_params(X, c)
        X_in = self._corrupt(X, self._noise_rng(c), c)
        with blas_threads(get_namespace(X), X.shape[0], X.shape[1], c.n_hidden):
            J, grads = self._loss_and_grad(params, X_in, X, c)
        return float(J), grads

    # ------------------------------------------------------------------ training
    def fit(self, X, y=None, callback=None, callback_every="epoch"):
        """Train on X.

        Parameters
        ----------
        X : array, shape (m, n)
            NumPy or CuPy (or any array-API) array; the learned parameters live in the same
            library and device.
        y : ignored
        callback : callable ``(Progress) -> bool``, optional
            Called after every iteration (L-BFGS) or epoch (Adam, SGD) with a
            :class:`~aelab.optimize.Progress`; return True to stop training.
        callback_every : {"epoch", "batch"}, default "epoch"
            With "batch", Adam and SGD also call ``callback`` after every minibatch step
            (``Progress.batch`` set, ``loss`` the batch's); L-BFGS ignores it. The live
            panel uses it to draw several frames per epoch.

        Returns
        -------
        self
        """
        c = self._config()
        check_choice("callback_every", callback_every, ("epoch", "batch"))
        can_warm = c.warm_start and hasattr(self, "params_")
        X = self._check_X(X, c)
        xp = get_namespace(X)
        params = None
        if can_warm:
            old = self.params_
            fresh_shapes = {k: v.shape for k, v in self._initial_params(X[:1], c).items()}
            if set(old) == set(fresh_shapes) and all(old[k].shape == s for k, s in fresh_shapes.items()):
                params = {k: asarray_like(_host(v), X, dtype=c.dtype) for k, v in old.items()}
        self.warm_started_ = params is not None
        if params is None:
            params = self._initial_params(X, c)
        self.n_features_in_ = X.shape[1]
        self.params_ = params
        self.loss_curve_ = []
        timer = Timer()
        bar = _progress_bar(c) if c.verbose else None

        def on_iter(it, current, J):
            self.params_ = current
            self.loss_curve_.append(float(J))
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{J:.5g}")
            if callback is not None:
                return bool(callback(Progress(it, float(J), timer(), self)))
            return False

        def each_batch(epoch, batch, current, J):
            self.params_ = current
            return bool(callback(Progress(epoch, float(J), timer(), self, batch=batch)))

        on_batch = each_batch if callback is not None and callback_every == "batch" else None

        try:
            # Overflow is detected and reported by the optimisers (TrainingDivergedWarning);
            # NumPy's own warnings would only repeat it less clearly.
            # The products that run are minibatch-sized for Adam and SGD.
            rows = X.shape[0] if c.optimizer == "lbfgs" else min(X.shape[0], c.batch_size or 256)
            with blas_threads(xp, rows, X.shape[1], c.n_hidden, whole_run=True), \
                    np.errstate(over="ignore", invalid="ignore"):
                params, n_iter, reason = self._run(X, params, c, on_iter, on_batch)
        finally:
            if bar is not None:
                bar.close()
        self.params_ = params
        self.n_iter_ = n_iter
        self.stop_reason_ = reason
        self.converged_ = reason == "converged"
        if reason == "diverged":
            warn_diverged(type(self).__name__, n_iter)
        warn_if_unconverged(self, reason, n_iter,
                            "iterations" if c.optimizer == "lbfgs" else "epochs")
        return self

    def _run(self, X, params, c, on_iter, on_batch=None):
        """Run the chosen optimiser from ``params``; returns (params, n_iter, reason)."""
        ws = Workspace(get_namespace(X))
        if c.optimizer == "lbfgs":
            X_in = self._corrupt(X, self._noise_rng(c), c)
            params, n_iter, reason = run_lbfgs(
                lambda p: self._loss_and_grad(p, X_in, X, c, ws), params,
                max_iter=c.max_iter, tol=c.tol, on_iter=on_iter,
            )
        else:
            rng = np.random.default_rng([c.seed if c.seed is not None else 0, 2])
            anneal = None
            if c.k_start is not None:
                # A copy of the config whose k follows the schedule; transform keeps c.k.
                c_train = SimpleNamespace(**vars(c))

                def follow_schedule(done, k0=c.k_start, k1=c.k):
                    c_train.k = int(round(k0 + (k1 - k0) * min(1.0, 2.0 * done)))

                c, anneal = c_train, follow_schedule
            loss = self._minibatch_loss(c, ws, params)
            params, n_iter, reason = run_minibatch(
                loss, params, X,
                method=c.optimizer, epochs=c.max_iter,
                batch_size=c.batch_size or min(256, X.shape[0]),
                learning_rate=c.learning_rate, momentum=c.momentum, rng=rng,
                on_iter=on_iter,
                corrupt=(lambda Xb, r: self._corrupt(Xb, r, c)) if c.noise else None,
                before_batch=anneal, tol=c.tol, n_iter_no_change=c.n_iter_no_change,
                on_batch=on_batch,
                project=_unit_columns_projection if c.decoder_norm == "unit" else None,
                # the annealing of k ends half-way through the budget
                min_epochs=(c.max_iter + 1) // 2 if anneal is not None else 0,
            )
        return params, n_iter, reason

    def _minibatch_loss(self, c, ws, params0):
        """The per-batch objective for Adam/SGD; with AuxK it also tracks dead latents."""
        if c.aux_k is None:
            return lambda p, Xi, Xt: self._loss_and_grad(p, Xi, Xt, c, ws)
        since = np.zeros(c.n_hidden, dtype=np.int64)  # minibatches since each latent fired
        self.steps_since_fired_ = since

        def loss(p, Xi, Xt):
            aux = {"dead": since >= c.dead_steps}
            J, grads = self._loss_and_grad(p, Xi, Xt, c, ws, aux=aux)
            since[:] = np.where(aux["fired"], 0, since + 1)
            return J, grads
        return loss

    # ------------------------------------------------------------------ using it
    def transform(self, X):
        """Encode: the hidden code H, shape (m, n_hidden).

        With ``k`` set, round(α k) largest units are kept per example (α = ``alpha``).
        """
        self._check_fitted()
        c = self._config()
        X = validate(self, X, reset=False, dtype=c.dtype)
        xp = get_namespace(X)
        k = None if c.k is None else min(c.n_hidden, int(round(c.alpha * c.k)))
        return self._encode(xp, self.params_, X, c, k)[2]

    def inverse_transform(self, H):
        """Decode a code H, shape (m, n_hidden), to X̂, shape (m, n_features)."""
        self._check_fitted()
        c = self._config()
        H = check_data(H, name="H", dtype=c.dtype, n_features=c.n_hidden)
        xp = get_namespace(H)
        return self._decode(xp, self.params_, H, c)

    def jacobian_norm(self, X):
        """‖∂h/∂x‖_F for each example: how strongly the code reacts to the input.

        For h = f(W₁x + b₁), ‖∂h/∂x‖²_F = Σⱼ f'(zⱼ)² ‖W₁ⱼ‖² (the quantity the contractive
        penalty shrinks), with only the kept units counted when ``k`` is set.

        Returns
        -------
        array, shape (m,)

        Taught in notebooks/06-denoising-and-contractive.ipynb.
        """
        self._check_fitted()
        c = self._config()
        X = validate(self, X, reset=False, dtype=c.dtype)
        xp = get_namespace(X)
        A2, M, _ = self._encode(xp, self.params_, X, c, c.k)
        dA = c.f.df(xp, A2)
        if M is not None:
            dA = dA * M
        W1 = self.params_["W1"]
        row_norms = xp.sum(W1 * W1, axis=1)
        if isinstance(dA, float):
            return xp.sqrt(xp.sum(row_norms) * xp.ones(X.shape[0], dtype=X.dtype))
        return xp.sqrt((dA * dA) @ row_norms)

    def reconstruct(self, X):
        """X̂ = decode(encode(X)), shape (m, n_features)."""
        return self.inverse_transform(self.transform(X))

    def score(self, X, y=None):
        """Negative mean reconstruction error −(1/m) Σ ½‖x̂ − x‖² (higher is better).

        Lets ``GridSearchCV`` pick hyperparameters by held-out reconstruction.
        """
        X_hat = self.reconstruct(X)
        xp = get_namespace(X_hat)
        c = self._config()
        X = validate(self, X, reset=False, dtype=c.dtype)
        R = X_hat - X
        return -0.5 * float(xp.sum(R * R)) / X.shape[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        return tags


def _total(parts):
    """Σ of a shard's partial results, added in shard order (so the bits do not depend on
    which thread finished first)."""
    parts = iter(parts)
    total = next(parts)
    for p in parts:
        total = total + p
    return total


def _sparse_code(xp, c):
    """Whether the top-k code is held sparse (:mod:`aelab.topk`): NumPy, units of a kind in
    ``topk.ACTIVATIONS``, k small beside the width, no contraction (whose penalty reads every
    unit's f′)."""
    return (is_numpy(xp) and c.f.name in topk.ACTIVATIONS and c.contraction == 0
            and topk.worth_it(c.k, c.n_hidden))


def _decoder_weights(params, c):
    """W₂ᵀ, shape (n_hidden, n_features): W₁ itself when the weights are tied."""
    return params["W1"] if c.tied else params["W2"].T


def _output(xp, params, z, c, inplace):
    """X̂ = g(Z₃ + b₂) for rows z of H W₂ᵀ (the bias added in place)."""
    z += params["b2"]
    return c.g.f(xp, z, inplace=inplace)


def _host(a):
    from .backend import to_numpy

    return to_numpy(a)


def _progress_bar(c):
    from tqdm.auto import tqdm

    return tqdm(total=c.max_iter, desc=f"training ({c.optimizer})", unit="it", leave=False)


def to_host_bool(a):
    """A NumPy copy of a device array (small: one value per hidden unit)."""
    from .backend import to_numpy

    return np.asarray(to_numpy(a))


def _one_hot(xp, idx, p, like):
    """(p, d) matrix S with S[idx[j], j] = 1: scatters d columns back into p (any backend)."""
    rows = xp.arange(p)
    if hasattr(rows, "device") and hasattr(like, "device"):
        rows = asarray_like(np.arange(p), like)
    return xp.astype(rows[:, None] == idx[None, :], like.dtype)


def _unit_columns_projection(params, grads, after=False):
    """decoder_norm="unit": before a step, remove each decoder column's gradient component
    along the column (a unit vector, so gⱼ ← gⱼ − (wⱼ·gⱼ) wⱼ); after it, renormalise."""
    W2 = params["W2"]
    xp = get_namespace(W2)
    if is_numpy(xp):
        # column dot products by einsum: no (n × p) temporary (0.05 against 0.15 ms here)
        if after:
            norms = np.sqrt(np.einsum("ij,ij->j", W2, W2))
            W2 /= np.where(norms > 0, norms, 1)
        else:
            g = grads["W2"]
            g -= W2 * np.einsum("ij,ij->j", W2, g)
        return
    if after:
        norms = xp.sqrt(xp.sum(W2 * W2, axis=0))
        W2 /= xp.where(norms > 0, norms, xp.ones_like(norms))
        return
    g = grads["W2"]
    g -= W2 * xp.sum(W2 * g, axis=0)
