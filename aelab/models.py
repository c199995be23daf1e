"""The named autoencoders, as presets of the one engine in ``autoencoder.py``.

Each preset is :class:`~aelab.Autoencoder` with different default hyperparameters and
nothing else, so everything the engine can do (and every hyperparameter) stays available:
``SparseAutoencoder(activation="tanh", rho=-0.9)`` is a valid model. Their signatures are
explicit (``inspect.signature`` shows the preset's defaults), which is what scikit-learn's
``get_params``, ``clone`` and ``GridSearchCV`` read.

Taught in notebooks/02 (sparse), 04 (linear), 05 (k-sparse) and 06 (denoising, contractive).
"""
from __future__ import annotations

import inspect

from .autoencoder import Autoencoder

__all__ = [
    "SparseAutoencoder",
    "LinearAutoencoder",
    "KSparseAutoencoder",
    "DenoisingAutoencoder",
    "ContractiveAutoencoder",
]


def _preset(name, doc, **defaults):
    """Make a subclass of Autoencoder whose ``__init__`` has other defaults."""
    base = inspect.signature(Autoencoder.__init__)
    unknown = set(defaults) - set(base.parameters)
    if unknown:  # a typo in a preset should fail at import, not silently
        raise TypeError(f"unknown hyperparameters in preset {name}: {sorted(unknown)}")
    sig = base.replace(parameters=[
        p.replace(default=defaults.get(p.name, p.default)) for p in base.parameters.values()
    ])

    def __init__(self, *args, **kwargs):
        bound = sig.bind(self, *args, **kwargs)
        bound.apply_defaults()
        Autoencoder.__init__(*bound.args, **bound.kwargs)

    __init__.__signature__ = sig
    __init__.__doc__ = doc
    changed = "\n".join(f"    {k} = {v!r}" for k, v in defaults.items())
    full_doc = f"{doc}\n\n    Defaults that differ from Autoencoder:\n\n{changed}\n\n" \
               "    All other parameters and attributes are those of :class:`Autoencoder`.\n"
    return type(name, (Autoencoder,), {"__init__": __init__, "__doc__": full_doc,
                                       "__module__": __name__})


SparseAutoencoder = _preset(
    "SparseAutoencoder",
    """The UFLDL sparse autoencoder: sigmoid units in both layers, squared error, weight
    decay λ and a KL sparsity penalty pulling each unit's mean activation ρ̂ⱼ towards ρ,
    trained with L-BFGS for 400 iterations. On 8×8 natural-image patches with 25 hidden
    units it learns localized, oriented edge filters. Taught in
    notebooks/02-sparse-autoencoder.ipynb.""",
    n_hidden=25, activation="sigmoid", output_activation="sigmoid", loss="mse",
    lam=1e-4, beta=3.0, rho=0.01, sparsity="kl", optimizer="lbfgs", max_iter=400,
)

LinearAutoencoder = _preset(
    "LinearAutoencoder",
    """A linear autoencoder. Trained to its optimum it spans the subspace of the top
    principal components (Bourlard and Kamp 1988; Baldi and Hornik 1989), though its weight
    vectors need not be orthogonal. Taught in notebooks/04-autoencoders-and-pca.ipynb.

    The default carries a whisper of weight decay, λ = 1e-4. With λ = 0 the decoder still
    spans the principal subspace, but the encoder W₁ keeps whatever its initialisation put in
    directions along which the data never varies (digits have always-blank corner pixels),
    because nothing in the loss sees them; a tiny λ removes those components and picks the
    balanced solution, at a reconstruction cost of about 1e-6 relative.""",
    n_hidden=10, activation="linear", output_activation="linear", loss="mse", lam=1e-4,
    optimizer="lbfgs", max_iter=3000, tol=1e-10,
)

KSparseAutoencoder = _preset(
    "KSparseAutoencoder",
    """The k-sparse autoencoder of Makhzani and Frey (2013): linear units, tied weights,
    and only the k largest hidden activations of each example kept (gradients flow through
    those k only); ``transform`` keeps round(α k). k is annealed from ``k_start`` (set it to
    None to switch annealing off) down to k over the first half of training. Taught in
    notebooks/05-k-sparse-autoencoders.ipynb.""",
    n_hidden=100, activation="linear", output_activation="linear", loss="mse", tied=True,
    k=10, alpha=1.0, k_start=50, optimizer="adam", max_iter=20, batch_size=64,
    learning_rate=1e-3,
)

DenoisingAutoencoder = _preset(
    "DenoisingAutoencoder",
    """The denoising autoencoder of Vincent et al. (2008): the encoder sees a corrupted
    input (masking noise by default) and the loss compares the reconstruction with the
    clean input. Taught in notebooks/06-denoising-and-contractive.ipynb.""",
    n_hidden=64, activation="sigmoid", output_activation="sigmoid", loss="cross_entropy",
    noise="mask", noise_level=0.3, optimizer="adam", max_iter=30, batch_size=64,
    learning_rate=3e-3,
)

ContractiveAutoencoder = _preset(
    "ContractiveAutoencoder",
    """The contractive autoencoder of Rifai et al. (2011): a penalty γ‖∂h/∂x‖²_F on the
    encoder's Jacobian makes the code insensitive to small input changes. Taught in
    notebooks/06-denoising-and-contractive.ipynb.""",
    n_hidden=64, activation="sigmoid", output_activation="sigmoid", loss="cross_entropy",
    contraction=0.1, optimizer="lbfgs", max_iter=200,
)

TopKSAE = _preset(
    "TopKSAE",
    """The top-k sparse autoencoder of interpretability research (Gao et al. 2024), a
    descendant of Makhzani and Frey's k-sparse autoencoder: a wide ReLU code of which only the
    k largest units are kept per example, untied weights started at W₁ = W₂ᵀ, unit-norm
    decoder columns, a pre-encoder bias, squared error, Adam. Set ``aux_k`` (with
    ``aux_coef``, ``dead_steps``) for the AuxK loss against dead latents. Top-k needs no
    sparsity penalty, so it does not shrink the activations. Taught in
    notebooks/09-sparse-autoencoders-for-interpretability.ipynb.""",
    n_hidden=512, activation="relu", output_activation="linear", loss="mse", tied=False,
    k=8, decoder_norm="unit", pre_bias=True, tied_init=True, optimizer="adam", max_iter=30,
    batch_size=256, learning_rate=3e-3,
)

L1SAE = _preset(
    "L1SAE",
    """The L1 sparse autoencoder (Bricken et al. 2023; sae-lens): a wide ReLU code, an L1
    penalty on the activations, unit-norm decoder columns (without them the penalty is
    dodged by small codes and large decoder columns), a pre-encoder bias, Adam.

    sae-lens minimises E‖x̂ − x‖² + λ E‖h‖₁. aelab's objective is ½E‖x̂ − x‖² + β Σⱼ |ρ̂ⱼ − ρ|
    with ρ̂ⱼ = E hⱼ; for ReLU codes (hⱼ ≥ 0) and ρ = 0 the sum is E‖h‖₁, so aelab's J is half of
    sae-lens's loss when β = λ/2: the default β = 0.15 is sae-lens's λ = 0.3. The L1 penalty
    shrinks the activations towards 0 (the shrinkage γ < 1 of aelab.metrics). Taught in
    notebooks/09-sparse-autoencoders-for-interpretability.ipynb.""",
    n_hidden=512, activation="relu", output_activation="linear", loss="mse", tied=False,
    sparsity="l1", rho=0.0, beta=0.15, decoder_norm="unit", pre_bias=True, tied_init=True,
    optimizer="adam", max_iter=30, batch_size=256, learning_rate=3e-3,
)

__all__ += ["TopKSAE", "L1SAE"]
