"""Stacked autoencoders: greedy layer-wise pretraining, then supervised fine-tuning.

The recipe of Bengio et al. (2007) and Hinton and Salakhutdinov (2006), as in the UFLDL
"stacked autoencoders" exercise:

1. **Pretrain** (unsupervised, greedy): train an autoencoder on X; its encoder's codes
   A₁ = f(X W₀ᵀ + b₀) are the data for a second autoencoder, and so on up the stack.
   Only the encoders are kept; each decoder served to train its layer.
2. **Softmax** (supervised, features frozen): fit a softmax classifier on the top codes A_L.
3. **Fine-tune** (supervised): train the whole network, encoders and softmax together, on
   the labelled examples:

       A₀ = X,   Aₗ₊₁ = f(Aₗ Wₗᵀ + bₗ)                       (m × hₗ)
       S  = A_L W_sᵀ + b_s,   P = softmax(S)                  (m × K)
       J  = −(1/m) Σᵢ log P[i, yᵢ]  +  λ/2 (Σₗ ‖Wₗ‖²_F + ‖W_s‖²_F)

   with backpropagation

       δS = (P − Y)/m,       ∇W_s = δSᵀ A_L + λ W_s,   ∇b_s = Σᵢ δS
       δₗ = (δₗ₊₁ Wₗ₊₁ …) ⊙ f'(Aₗ₊₁): starting from δ = δS W_s,
       ∇Wₗ = δₗᵀ Aₗ + λ Wₗ,  ∇bₗ = Σᵢ δₗ,  and δ ← δₗ Wₗ for the layer below.

``pretrain=False`` skips step 1 and starts from the same random weights the pretraining
would have started from, which is the comparison the course makes.

Taught in notebooks/07-stacked-autoencoders.ipynb.
"""
from __future__ import annotations

import numbers
from types import SimpleNamespace

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    clone,
)
from sklearn.exceptions import NotFittedError

from .activations import ACTIVATIONS
from .autoencoder import Autoencoder
from .backend import asarray_like, colsum, get_namespace, to_numpy
from .backend import blas_threads
from .convergence import warn_if_unconverged
from .optimize import Progress, Timer, run_lbfgs, run_minibatch, warn_diverged
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

__all__ = ["StackedAutoencoder"]

_OPTIMIZERS = ("lbfgs", "adam")
_OUTPUTS = ("auto", "sigmoid", "linear")
_DTYPES = ("float64", "float32")
# Every stage's tolerance (each layer's pretraining, the softmax, fine-tuning): tighter than
# the engine's L-BFGS default (1e-5); notebook 07's claims were measured at it.
_TOL = 1e-9
_SOFTMAX_SCALE = 0.005  # UFLDL's initial softmax weights: 0.005 · N(0, 1)


class StackedAutoencoder(ClassNamePrefixFeaturesOutMixin, ClassifierMixin, TransformerMixin,
                         BaseEstimator):
    """Greedy layer-wise pretrained autoencoders, optionally fine-tuned as a classifier.

    Parameters
    ----------
    hidden_layers : tuple of int, default (100, 50)
        Sizes h₀, h₁, … of the encoder layers, bottom to top.
    activation : {"sigmoid", "tanh", "relu", "linear"}, default "sigmoid"
        f, the hidden activation of every layer.
    output_activation : {"auto", "sigmoid", "linear"}, default "auto"
        Decoder activation of each pretraining autoencoder. "auto": sigmoid when that
        layer's input lies in [0, 1] (the data, or sigmoid codes), linear otherwise.
    lam : float >= 0, default 1e-4
        λ, weight decay of each pretraining autoencoder. UFLDL's stacked exercise uses 3e-3
        on MNIST; on the 8×8 digits that value collapses the second layer (its input, the
        first layer's sparse codes, varies too little to pay for the weights: every code
        becomes ρ, measured), so the default is smaller.
    beta : float >= 0, default 3.0
        β, sparsity weight of each pretraining autoencoder.
    rho : float, default 0.1
        ρ, sparsity target of each pretraining autoencoder.
    sparsity : {None, "kl", "l1", "l2"}, default "kl"
        Sparsity penalty of each pretraining autoencoder (see :class:`aelab.Autoencoder`).
    epsilon : float > 0 or None, default None
        ε, initial weight scale, as in :class:`aelab.Autoencoder`.
    pretrain : bool, default True
        False skips pretraining: the encoders keep their random initial weights (the same
        ones pretraining would start from) before the supervised stages.
    pretrain_iter : int >= 1, default 400
        Iterations (L-BFGS) or epochs (Adam) for each layer's autoencoder.
    softmax_iter : int >= 0, default 100
        Iterations for the softmax layer alone on the frozen top codes (0: skip).
    finetune_iter : int >= 0, default 400
        Iterations for fine-tuning the whole network (0: keep the features frozen).
    finetune_lam : float >= 0, default 1e-4
        λ of the supervised stages, on every weight matrix (encoders and softmax).
    optimizer : {"lbfgs", "adam"}, default "lbfgs"
        Used by every stage. Adam uses ``learning_rate`` and ``batch_size``.
    learning_rate : float > 0, default 1e-3
    batch_size : int >= 1 or None, default None
        Adam's minibatch size (None: min(256, m)).
    random_state : int, numpy.random.RandomState, numpy.random.Generator or None, default 0
        Layer l is initialised with seed s + l, the softmax with its own stream of s, where
        s is the int given (the numbers ``seed=s`` gave) or, for a ``RandomState`` or
        ``Generator``, a fresh draw from it at each ``fit``; None leaves the layers unseeded.
    seed : int or None, default None
        Deprecated alias of ``random_state``, read for one more release (FutureWarning).
    dtype : {"float64", "float32"}, default "float64"
    verbose : bool, default False
        Progress bars for the pretraining of each layer.

    Attributes
    ----------
    params_ : dict of arrays
        ``layer0.W1`` (h₀, n), ``layer0.b1`` (h₀,), ``layer1.W1`` (h₁, h₀), …, and after a
        supervised fit ``softmax.W`` (K, h_L), ``softmax.b`` (K,).
    classes_ : ndarray, shape (K,)
        The class labels, sorted (absent until fitted with labels).
    n_features_in_ : int
    pretrain_loss_curves_ : list of list of float
        Each layer's pretraining objective per iteration (empty without pretraining).
    reconstruction_errors_ : list of dict
        Per layer, the mean reconstruction error (1/m) Σ ½‖x̂ − x‖² of its autoencoder on
        its own input: ``"initial"`` (random weights), ``"pretrained"``, and ``"mean"``, the
        error of the trivial reconstruction by the input's column means (half the total
        variance). A layer whose "pretrained" error is near "mean" has learned nothing:
        its codes are constant (strong weight decay on low-variance input does this).
    softmax_loss_curve_ : list of float
        The softmax stage's objective per iteration.
    loss_curve_ : list of float
        The fine-tuning objective J per iteration.
    n_iter_ : int
        Fine-tuning iterations run.
    stop_reason_ : str
        "converged", "max_iter", "callback" or "diverged" for the last stage run.
    converged_ : bool
        Whether that stage stopped on its tolerance. Each stage (every layer's pretraining,
        the softmax, fine-tuning) that stops on its budget warns with ``ConvergenceWarning``.

    Notes
    -----
    Taught in notebooks/07-stacked-autoencoders.ipynb.

    Examples
    --------
    >>> import numpy as np
    >>> from aelab.datasets import load_digits
    >>> X, y = load_digits()
    >>> y_few = np.where(np.arange(len(y)) < 200, y, -1)   # 200 labels, the rest unlabelled
    >>> model = StackedAutoencoder((50, 25), pretrain_iter=50, finetune_iter=50).fit(X, y_few)
    >>> model.predict(X[:3]).shape
    (3,)
    """

    def __init__(
        self,
        hidden_layers=(100, 50),
        *,
        activation="sigmoid",
        output_activation="auto",
        lam=1e-4,
        beta=3.0,
        rho=0.1,
        sparsity="kl",
        epsilon=None,
        pretrain=True,
        pretrain_iter=400,
        softmax_iter=100,
        finetune_iter=400,
        finetune_lam=1e-4,
        optimizer="lbfgs",
        learning_rate=1e-3,
        batch_size=None,
        random_state=0,
        seed=None,
        dtype="float64",
        verbose=False,
    ):
        self.hidden_layers = hidden_layers
        self.activation = activation
        self.output_activation = output_activation
        self.lam = lam
        self.beta = beta
        self.rho = rho
        self.sparsity = sparsity
        self.epsilon = epsilon
        self.pretrain = pretrain
        self.pretrain_iter = pretrain_iter
        self.softmax_iter = softmax_iter
        self.finetune_iter = finetune_iter
        self.finetune_lam = finetune_lam
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.random_state = random_state
        self.seed = seed
        self.dtype = dtype
        self.verbose = verbose

    # ------------------------------------------------------------------ validation
    def _config(self):
        """Check every hyperparameter; return them resolved."""
        c = SimpleNamespace()
        layers = self.hidden_layers
        if isinstance(layers, numbers.Integral) and not isinstance(layers, bool):
            layers = (layers,)  # one layer may be given as a bare int
        if not isinstance(layers, (tuple, list)) or len(layers) == 0:
            raise TypeError(
                f"hidden_layers={self.hidden_layers!r} must be a non-empty tuple of layer "
                "sizes, e.g. (100, 50)"
            )
        c.hidden_layers = tuple(
            check_int(f"hidden_layers[{i}]", h, 1) for i, h in enumerate(layers)
        )
        c.activation = check_choice("activation", self.activation, tuple(ACTIVATIONS))
        c.f = ACTIVATIONS[c.activation]
        c.output_activation = check_choice(
            "output_activation", self.output_activation, _OUTPUTS)
        c.pretrain = check_bool("pretrain", self.pretrain)
        c.pretrain_iter = check_int("pretrain_iter", self.pretrain_iter, 1)
        c.softmax_iter = check_int("softmax_iter", self.softmax_iter, 0)
        c.finetune_iter = check_int("finetune_iter", self.finetune_iter, 0)
        c.finetune_lam = check_real("finetune_lam", self.finetune_lam, 0.0)
        c.optimizer = check_choice("optimizer", self.optimizer, _OPTIMIZERS)
        c.learning_rate = check_real("learning_rate", self.learning_rate, 0.0, low_open=True)
        c.batch_size = check_int("batch_size", self.batch_size, 1, allow_none=True)
        c.random_state = resolve_random_state(self)
        c.seed = seed_of(c.random_state)
        c.dtype = check_choice("dtype", self.dtype, _DTYPES)
        c.verbose = bool(self.verbose)
        # λ, β, ρ, sparsity and ε belong to the layers: let the engine check them, with its
        # messages (which name the parameter), before any training starts.
        self._layer(c, 0, "linear")._config()
        return c

    def _layer(self, c, index, output_activation):
        """The autoencoder that pretrains layer ``index``."""
        return Autoencoder(
            c.hidden_layers[index], activation=c.activation,
            output_activation=output_activation, loss="mse", lam=self.lam, beta=self.beta,
            rho=self.rho, sparsity=self.sparsity, epsilon=self.epsilon,
            optimizer=c.optimizer, max_iter=c.pretrain_iter, batch_size=c.batch_size,
            learning_rate=c.learning_rate, tol=_TOL,
            random_state=None if c.seed is None else c.seed + index, dtype=c.dtype,
            verbose=c.verbose,
        )

    def _layer_output(self, c, index, A):
        if c.output_activation != "auto":
            return c.output_activation
        if index == 0:
            xp = get_namespace(A)
            in_unit = float(xp.min(A)) >= 0.0 and float(xp.max(A)) <= 1.0
            return "sigmoid" if in_unit else "linear"
        return "sigmoid" if c.activation == "sigmoid" else "linear"

    def _check_fitted(self, classifier=False):
        check_fitted(self)
        if classifier and "softmax.W" not in self.params_:
            raise NotFittedError(
                f"This {type(self).__name__} was fitted without labels, so it has no "
                "classifier; call fit(X, y) to predict or score"
            )

    def _labels(self, y, m):
        """Host labels; −1 marks an unlabelled example (scikit-learn's semi-supervised habit)."""
        from sklearn.utils.multiclass import check_classification_targets
        from sklearn.utils.validation import column_or_1d

        y = to_numpy(y) if hasattr(y, "__array_namespace__") else y
        # A column vector is read as 1-D with scikit-learn's DataConversionWarning.
        y = column_or_1d(y, warn=True)
        if y.shape[0] != m:
            raise ValueError(
                f"y must be 1-D with one label per row of X ({m}); got shape {y.shape}")
        labelled = ~(y == -1) if y.dtype.kind in "iuf" else np.ones(m, dtype=bool)
        check_classification_targets(y[labelled])  # "Unknown label type" for real targets
        classes = np.unique(y[labelled])
        if classes.size < 2:
            raise ValueError(
                f"y has {classes.size} class(es) among its labelled examples; a "
                "classifier needs at least 2 (−1 marks unlabelled examples)"
            )
        return y, labelled, classes

    # ------------------------------------------------------------------ the network
    def _layer_keys(self, c):
        keys = []
        for i in range(len(c.hidden_layers)):
            keys += [f"layer{i}.W1", f"layer{i}.b1"]
        return keys

    @staticmethod
    def _forward(xp, p, X, c):
        """Activations [A₀ = X, A₁, …, A_L] of the encoder stack."""
        acts = [X]
        for i in range(len(c.hidden_layers)):
            acts.append(_layer_forward(xp, c.f, p[f"layer{i}.W1"], p[f"layer{i}.b1"], acts[-1]))
        return acts

    @staticmethod
    def _softmax_loss(xp, S, Y):
        """Mean cross-entropy −(1/m) Σ log P[i, yᵢ] for one-hot Y, and P = softmax(S)."""
        S = S - xp.max(S, axis=1, keepdims=True)  # exp never overflows; P is unchanged
        logZ = xp.log(xp.sum(xp.exp(S), axis=1, keepdims=True))
        logP = S - logZ
        return -xp.sum(Y * logP) / S.shape[0], xp.exp(logP)

    def _finetune_loss(self, p, X, Y, c):
        """The fine-tuning J and its gradient for all of ``p`` (the stack and the softmax)."""
        xp = get_namespace(X)
        m, lam = X.shape[0], c.finetune_lam
        acts = self._forward(xp, p, X, c)
        Ws = p["softmax.W"]
        J, P = self._softmax_loss(xp, acts[-1] @ Ws.T + p["softmax.b"], Y)
        dS = (P - Y) / m
        g = {"softmax.W": dS.T @ acts[-1] + lam * Ws, "softmax.b": colsum(xp, dS)}
        decay = xp.sum(Ws * Ws)
        delta = dS @ Ws
        for i in range(len(c.hidden_layers) - 1, -1, -1):
            W = p[f"layer{i}.W1"]
            dZ = delta * c.f.df(xp, acts[i + 1])
            g[f"layer{i}.W1"] = dZ.T @ acts[i] + lam * W
            g[f"layer{i}.b1"] = colsum(xp, dZ)
            decay = decay + xp.sum(W * W)
            if i > 0:  # the input X needs no gradient
                delta = dZ @ W
        J = J + 0.5 * lam * decay
        return J, {k: g[k] for k in p}

    def _softmax_only_loss(self, p, A, Y, c):
        """The softmax stage: J on frozen codes A, gradient for the softmax only."""
        xp = get_namespace(A)
        Ws = p["softmax.W"]
        J, P = self._softmax_loss(xp, A @ Ws.T + p["softmax.b"], Y)
        dS = (P - Y) / A.shape[0]
        J = J + 0.5 * c.finetune_lam * xp.sum(Ws * Ws)
        return J, {"softmax.W": dS.T @ A + c.finetune_lam * Ws, "softmax.b": colsum(xp, dS)}

    def _one_hot(self, y, classes, like, c):
        idx = np.searchsorted(classes, y)
        Y = np.zeros((y.shape[0], classes.size))
        Y[np.arange(y.shape[0]), idx] = 1.0
        return asarray_like(Y, like, dtype=c.dtype)

    def objective(self, X, params=None, y=None):
        """The fine-tuning objective J and its gradient (the supervised stage).

        Parameters
        ----------
        X : array, shape (m, n)
        params : dict of arrays, optional
            The stack and the softmax, keyed as ``params_``; defaults to ``params_``.
        y : array, shape (m,)
            Labels (required; they must be among ``classes_`` when fitted).

        Returns
        -------
        J : float
            −(1/m) Σᵢ log P[i, yᵢ] + λ/2 (Σₗ ‖Wₗ‖²_F + ‖W_s‖²_F), λ = ``finetune_lam``.
        grads : dict of arrays, keyed like ``params``

        Notes
        -----
        The signature differs from the autoencoders' (it needs y), so check it with
        :func:`aelab.numerical_gradient` on ``lambda th: model.objective(X, unpack(th, p,
        keys), y)[0]``. Taught in notebooks/07-stacked-autoencoders.ipynb.
        """
        c = self._config()
        if y is None:
            raise ValueError("y is required: the fine-tuning objective is supervised")
        X = (validate(self, X, reset=False, dtype=c.dtype) if params is None
             else check_data(X, dtype=c.dtype))
        if params is None:
            self._check_fitted(classifier=True)
            params = self.params_
        y = to_numpy(y)
        classes = np.asarray(self.classes_) if hasattr(self, "classes_") else np.unique(y)
        if not np.all(np.isin(y, classes)):
            raise ValueError(f"y holds labels outside classes_ {classes.tolist()}")
        Y = self._one_hot(y, classes, X, c)
        with blas_threads(get_namespace(X), X.shape[0], X.shape[1], max(c.hidden_layers)):
            J, grads = self._finetune_loss(params, X, Y, c)
        return float(J), grads

    # ------------------------------------------------------------------ training
    def fit(self, X, y=None, callback=None):
        """Pretrain layer by layer on all of X; with labels, train the softmax and fine-tune.

        Parameters
        ----------
        X : array, shape (m, n)
            All examples, labelled or not: pretraining uses every row.
        y : array, shape (m,), optional
            Class labels; −1 marks an unlabelled row (used by pretraining only). Without
            y only the pretraining runs (``transform`` then gives the top-level code).
        callback : callable ``(Progress) -> bool``, optional
            Called after every iteration of every stage. During pretraining
            ``progress.model`` is that layer's :class:`aelab.Autoencoder`; afterwards it is
            this model. Return True to stop training altogether.

        Returns
        -------
        self

        Notes
        -----
        Taught in notebooks/07-stacked-autoencoders.ipynb.
        """
        self._fit_stages(X, y, callback)
        self.converged_ = self.stop_reason_ == "converged"
        return self

    def fit_supervised(self, X, y, callback=None):
        """Run only the supervised stages (softmax, then fine-tuning) from the current encoders.

        After ``fit(X)`` without labels the encoders hold their pretrained weights; this
        trains a softmax on their frozen top codes and fine-tunes the whole network on the
        labelled rows, exactly as ``fit(X, y)`` would after the same pretraining. One
        pretraining can so serve several label sets: copy the model first
        (``copy.deepcopy``), since the encoders are fine-tuned in place.

        Parameters
        ----------
        X : array, shape (m, n)
        y : array, shape (m,)
            Class labels; −1 marks an unlabelled row (ignored here).
        callback : callable ``(Progress) -> bool``, optional
            As in :meth:`fit`; ``progress.model`` is this model.

        Returns
        -------
        self

        Notes
        -----
        Taught in notebooks/07-stacked-autoencoders.ipynb.
        """
        self._check_fitted()
        c = self._config()
        X = validate(self, X, reset=False, dtype=c.dtype)
        xp = get_namespace(X)
        y, labelled, classes = self._labels(y, X.shape[0])
        keys = self._layer_keys(c)
        self.params_ = {k: self.params_[k] for k in keys}
        for attr in ("classes_", "softmax_loss_curve_"):
            if hasattr(self, attr):
                delattr(self, attr)
        self.loss_curve_, self.n_iter_, self.stop_reason_ = [], 0, "max_iter"
        timer = Timer()

        def stage_hook(model):
            def on_iter(it, J):
                if callback is None:
                    return False
                return bool(callback(Progress(it, float(J), timer(), model)))
            return on_iter

        with np.errstate(over="ignore", invalid="ignore"):
            self.classes_ = classes
            Xl = X
            if not labelled.all():
                Xl = xp.take(X, asarray_like(np.flatnonzero(labelled), X), axis=0)
            self._supervised(Xl, self._one_hot(y[labelled], classes, X, c), c, stage_hook)
        self.converged_ = self.stop_reason_ == "converged"
        return self

    def _fit_stages(self, X, y, callback):
        """The body of :meth:`fit`: each stage in turn, stopping early on a callback."""
        c = self._config()
        X = validate(self, X, reset=True, dtype=c.dtype)
        xp = get_namespace(X)
        m, n = X.shape
        if y is not None:
            y, labelled, classes = self._labels(y, m)
        elif not c.pretrain:
            raise ValueError(
                "pretrain=False needs labels y: without them there is nothing to train")
        for attr in ("classes_", "softmax_loss_curve_"):
            if hasattr(self, attr):
                delattr(self, attr)
        self.n_features_in_ = n
        self.params_ = {}
        self.pretrain_loss_curves_ = []
        self.reconstruction_errors_ = []
        self.loss_curve_ = []
        self.n_iter_ = 0
        self.stop_reason_ = "max_iter"
        timer = Timer()

        def stage_hook(model):
            def on_iter(it, J):
                if callback is None:
                    return False
                return bool(callback(Progress(it, float(J), timer(), model)))
            return on_iter

        with np.errstate(over="ignore", invalid="ignore"):
            A = X
            for i in range(len(c.hidden_layers)):
                ae = self._layer(c, i, self._layer_output(c, i, A))
                if c.pretrain:
                    stop = self._pretrain_layer(ae, A, callback, timer)
                    self.pretrain_loss_curves_.append([float(v) for v in ae.loss_curve_])
                    self.stop_reason_ = ae.stop_reason_
                    if stop:
                        return self
                    W, b = ae.params_["W1"], ae.params_["b1"]
                else:
                    init = ae.initial_params(A[:1, :])
                    W, b = init["W1"], init["b1"]
                self.params_[f"layer{i}.W1"], self.params_[f"layer{i}.b1"] = W, b
                if i + 1 < len(c.hidden_layers):
                    A = _layer_forward(xp, c.f, W, b, A)
            if y is None:
                return self

            self.classes_ = classes
            Xl = X
            if not labelled.all():
                Xl = xp.take(X, asarray_like(np.flatnonzero(labelled), X), axis=0)
            Y = self._one_hot(y[labelled], classes, X, c)
            self._supervised(Xl, Y, c, stage_hook)
        return self

    def _pretrain_layer(self, ae, A, callback, timer):
        """Fit one layer's autoencoder on A; record its errors. True if the callback stopped."""
        init = ae.initial_params(A)
        before = _reconstruction_error(ae, init, A)
        def relay(progress):
            return callback(Progress(progress.iteration, progress.loss, timer(), ae))

        ae.fit(A, callback=None if callback is None else relay)
        xp = get_namespace(A)
        R = A - xp.mean(A, axis=0, keepdims=True)
        self.reconstruction_errors_.append({
            "initial": before,
            "pretrained": _reconstruction_error(ae, ae.params_, A),
            "mean": 0.5 * float(xp.sum(R * R)) / A.shape[0],
        })
        return ae.stop_reason_ == "callback"

    def _supervised(self, Xl, Y, c, stage_hook):
        """The softmax stage on frozen codes, then fine-tuning of the whole network."""
        xp = get_namespace(Xl)
        rng = np.random.default_rng([c.seed if c.seed is not None else 0, 7])
        K, top = Y.shape[1], c.hidden_layers[-1]
        self.params_["softmax.W"] = asarray_like(
            _SOFTMAX_SCALE * rng.standard_normal((K, top)), Xl, dtype=c.dtype)
        self.params_["softmax.b"] = asarray_like(np.zeros(K), Xl, dtype=c.dtype)
        widest = max(c.hidden_layers + (Xl.shape[1],))

        if c.softmax_iter > 0:
            A = self._forward(xp, self.params_, Xl, c)[-1]
            sm = {k: self.params_[k] for k in ("softmax.W", "softmax.b")}
            self.softmax_loss_curve_ = []
            hook = stage_hook(self)

            def on_softmax(it, current, J):
                self.params_.update(current)
                self.softmax_loss_curve_.append(float(J))
                return hook(it, J)

            with blas_threads(xp, A.shape[0], top, K, whole_run=True):
                sm, _, reason = self._optimise(
                    lambda p, Ab, Yb: self._softmax_only_loss(p, Ab, Yb, c), sm, A, Y,
                    c, c.softmax_iter, on_softmax, rng)
            self.params_.update(sm)
            self.stop_reason_ = reason
            warn_if_unconverged(self, reason, len(self.softmax_loss_curve_),
                                "iterations of the softmax stage")
            if reason in ("callback", "diverged"):
                if reason == "diverged":
                    warn_diverged(type(self).__name__, len(self.softmax_loss_curve_))
                return

        if c.finetune_iter > 0:
            hook = stage_hook(self)

            def on_finetune(it, current, J):
                self.params_ = current
                self.loss_curve_.append(float(J))
                return hook(it, J)

            with blas_threads(xp, Xl.shape[0], Xl.shape[1], widest, whole_run=True):
                params, n_iter, reason = self._optimise(
                    lambda p, Xb, Yb: self._finetune_loss(p, Xb, Yb, c), dict(self.params_),
                    Xl, Y, c, c.finetune_iter, on_finetune, rng)
            self.params_ = params
            self.n_iter_ = n_iter
            self.stop_reason_ = reason
            if reason == "diverged":
                warn_diverged(type(self).__name__, n_iter)
            warn_if_unconverged(self, reason, n_iter, "fine-tuning iterations")

    def _optimise(self, loss, params, A, Y, c, iters, on_iter, rng):
        """Minimise ``loss(params, A, Y)`` by L-BFGS (full batch) or Adam (minibatches)."""
        if c.optimizer == "lbfgs":
            return run_lbfgs(lambda p: loss(p, A, Y), params, max_iter=iters, tol=_TOL,
                             on_iter=on_iter)
        # run_minibatch shuffles the rows of one array: carry the one-hot labels beside the
        # inputs as extra columns and split them again inside the loss.
        xp = get_namespace(A)
        n = A.shape[1]
        data = xp.concat([A, Y], axis=1)
        return run_minibatch(
            lambda p, _, D: loss(p, D[:, :n], D[:, n:]), params, data, method="adam",
            epochs=iters, batch_size=c.batch_size or min(256, A.shape[0]),
            learning_rate=c.learning_rate, momentum=0.9, rng=rng, on_iter=on_iter,
            n_iter_no_change=10)

    # ------------------------------------------------------------------ using it
    def transform(self, X):
        """The top-level code A_L, shape (m, hidden_layers[-1]).

        Notes
        -----
        Taught in notebooks/07-stacked-autoencoders.ipynb.
        """
        self._check_fitted()
        c = self._config()
        X = validate(self, X, reset=False, dtype=c.dtype)
        return self._forward(get_namespace(X), self.params_, X, c)[-1]

    def predict_proba(self, X):
        """Class probabilities P = softmax(A_L W_sᵀ + b_s), shape (m, K), columns as ``classes_``.

        Notes
        -----
        Taught in notebooks/07-stacked-autoencoders.ipynb.
        """
        self._check_fitted(classifier=True)
        A = self.transform(X)
        xp = get_namespace(A)
        S = A @ self.params_["softmax.W"].T + self.params_["softmax.b"]
        S = S - xp.max(S, axis=1, keepdims=True)
        E = xp.exp(S)
        return E / xp.sum(E, axis=1, keepdims=True)

    def predict(self, X):
        """The most probable class of each row, a NumPy array of shape (m,).

        Notes
        -----
        Taught in notebooks/07-stacked-autoencoders.ipynb.
        """
        P = self.predict_proba(X)
        xp = get_namespace(P)
        return np.asarray(self.classes_)[to_numpy(xp.argmax(P, axis=1))]

    def score(self, X, y):
        """Accuracy of :meth:`predict` against labels y (higher is better).

        Notes
        -----
        Taught in notebooks/07-stacked-autoencoders.ipynb.
        """
        y = to_numpy(y)
        return float(np.mean(self.predict(X) == y))

    def __sklearn_is_fitted__(self):
        return hasattr(self, "params_")

    @property
    def _n_features_out(self):
        """Width of ``transform``'s output (the top code), for ``get_feature_names_out``."""
        return self.params_[f"layer{self._n_layers() - 1}.W1"].shape[0]

    def _n_layers(self):
        return sum(1 for k in self.params_ if k.endswith(".W1"))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        # A classifier when given labels, but y is optional: fit(X) pretrains only.
        tags.target_tags.required = False
        return tags


def _layer_forward(xp, f, W, b, A):
    """One encoder layer: f(A Wᵀ + b)."""
    return f.f(xp, A @ W.T + b, inplace=True)


def _reconstruction_error(ae, params, A):
    """(1/m) Σ ½‖x̂ − x‖² of autoencoder ``ae`` with ``params`` on its input A."""
    probe = clone(ae)
    probe.params_, probe.n_features_in_ = params, A.shape[1]
    return -probe.score(A)  # the engine's score is minus this error
