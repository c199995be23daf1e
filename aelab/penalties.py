"""Regularisers of the generalized sparse autoencoder, value and gradient side by side.

The objective (Johnson and Ramsundar, after the UFLDL notes) is

    J(W, b) = (1/m) Σᵢ ℓ(x̂ᵢ, xᵢ) + λ ψ(W) + β Σⱼ φ(ρ̂ⱼ) + γ (1/m) Σᵢ ‖∂hᵢ/∂xᵢ‖²_F

with ψ the weight decay, φ the sparsity penalty on the mean activation ρ̂ⱼ of hidden unit j,
and γ (``contraction``) the contractive penalty of Rifai et al. (2011). This module holds ψ,
φ and the contraction term; the engine in ``autoencoder.py`` wires them into backpropagation.

Taught in notebooks/02-sparse-autoencoder.ipynb (weight decay, KL sparsity),
notebooks/04-autoencoders-and-pca.ipynb (ℓ2 sparsity) and
notebooks/06-denoising-and-contractive.ipynb (contraction).
"""
from __future__ import annotations

import numpy as np

from .backend import sumsq

__all__ = ["weight_decay", "SPARSITY", "sparsity_penalty", "contraction_penalty"]

# ρ̂ is kept this far from the ends of (0, 1) inside the KL so that a saturated unit gives a
# large, finite penalty instead of inf/nan.
_KL_EDGE = 1e-12


def weight_decay(xp, weights):
    """ψ(W) = ½ Σ ‖W‖²_F over the weight matrices (biases are not decayed).

    Returns the value; the gradient of ψ with respect to each W is W itself.
    """
    # One dot product of the flattened weights rather than Σ W ⊙ W: no temporary as large as
    # the model (0.04 against 0.36 ms for a 400 × 784 float32 matrix here).
    return 0.5 * sum(sumsq(xp, W) for W in weights)


def _kl(xp, rho_hat, rho, low, high):
    # Map the activation's range onto (0, 1): identity for sigmoid, (a+1)/2 for tanh, applied
    # to both ρ and ρ̂ (aelab's own convention, so ρ lies in (−1, 1) for tanh). The R
    # autoencoder package differs: it maps only ρ̂, uses ρ as given (so ρ must lie in (0, 1)
    # and a negative ρ gives NaN), and its tanh gradient omits the chain rule's 1/2
    # (notebooks/03-choosing-hyperparameters.ipynb). The chain rule contributes 1/(high-low).
    scale = 1.0 / (high - low)
    r = (rho - low) * scale
    q = xp.clip((rho_hat - low) * scale, _KL_EDGE, 1.0 - _KL_EDGE)
    value = xp.sum(r * xp.log(r / q) + (1.0 - r) * xp.log((1.0 - r) / (1.0 - q)))
    grad = (-r / q + (1.0 - r) / (1.0 - q)) * scale
    return value, grad


def _l1(xp, rho_hat, rho, low, high):
    diff = rho_hat - rho
    return xp.sum(xp.abs(diff)), xp.sign(diff)


def _l2(xp, rho_hat, rho, low, high):
    # ‖ρ̂ − ρ‖²₂, the sparse linear autoencoder's penalty in Johnson and Ramsundar.
    diff = rho_hat - rho
    return xp.sum(diff * diff), 2.0 * diff


SPARSITY = {"kl": _kl, "l1": _l1, "l2": _l2}


def sparsity_penalty(xp, kind, rho_hat, rho, activation):
    """Σⱼ φ(ρ̂ⱼ) and φ'(ρ̂), shape (n_hidden,).

    Parameters
    ----------
    kind : {"kl", "l1", "l2"}
        ``kl``: ρ log(ρ/ρ̂) + (1−ρ) log((1−ρ)/(1−ρ̂)) on the activation's range mapped to
        (0, 1); ``l1``: |ρ̂ − ρ|; ``l2``: (ρ̂ − ρ)².
    rho_hat : array, shape (n_hidden,)
        Mean activation of each hidden unit over the batch.
    rho : float
        The target.
    activation : Activation
        Supplies the range used by ``kl``.
    """
    return SPARSITY[kind](xp, rho_hat, rho, activation.low, activation.high)


def contraction_penalty(xp, W1, dA, d2A, m):
    """Contractive penalty (1/m) Σᵢ ‖∂hᵢ/∂xᵢ‖²_F in closed form, with its gradients.

    For h = f(W₁x + b₁) the Jacobian is diag(f'(z)) W₁, so

        ‖∂h/∂x‖²_F = Σⱼ f'(zⱼ)² ‖W₁ⱼ‖²,

    where W₁ⱼ is row j of W₁. Differentiating:

        ∂/∂zᵢⱼ  = (2/m) f'(zᵢⱼ) f''(zᵢⱼ) ‖W₁ⱼ‖²          (flows on to W₁ and b₁ through z)
        ∂/∂W₁ⱼ  = (2/m) (Σᵢ f'(zᵢⱼ)²) W₁ⱼ                  (the explicit dependence)

    Parameters
    ----------
    W1 : array, shape (p, n)
    dA, d2A : arrays, shape (m, p), or scalars
        f'(z) and f''(z) of the hidden layer (already multiplied by a top-k mask if any).
    m : int
        Batch size.

    Returns
    -------
    value : 0-d array
    dZ : array, shape (m, p), or scalar 0
    dW1 : array, shape (p, n)
    """
    row_norms = xp.sum(W1 * W1, axis=1)  # ‖W₁ⱼ‖², shape (p,)
    dA2 = dA * dA
    if not hasattr(dA2, "shape") or dA2.shape == ():
        # Linear units: f' = 1 everywhere, so the penalty is simply ‖W₁‖²_F.
        value = xp.sum(row_norms) * dA2
        return value, 0.0, (2.0 * dA2) * W1
    value = xp.sum(dA2 * row_norms) / m
    dZ = (2.0 / m) * dA * d2A * row_norms
    dW1 = (2.0 / m) * xp.sum(dA2, axis=0)[:, None] * W1
    return value, dZ, dW1


def _top_k_rows(xp, Z, k):
    """1 for the k largest entries of each row of Z (exactly k, ties broken by index)."""
    if k >= Z.shape[1]:
        return xp.ones_like(Z)
    if isinstance(Z, np.ndarray):
        M = np.zeros_like(Z)
        np.put_along_axis(M, np.argpartition(Z, Z.shape[1] - k, axis=1)[:, -k:], 1.0, axis=1)
        return M
    thresh = xp.sort(Z, axis=1)[:, Z.shape[1] - k:Z.shape[1] - k + 1]
    return xp.astype(Z >= thresh, Z.dtype)


def auxk_penalty(xp, E, Xe, W1d, b1d, W2d, k_aux):
    """The AuxK auxiliary loss of Gao et al. (2024) on the dead latents, and its gradient.

    The dead latents (those that have not fired for a while) try to reconstruct what the live
    ones left over, the residual E = X − X̂ (held fixed: no gradient flows into it):

        J_aux = (1/m) Σᵢ ½ ‖Eᵢ − W2d zᵢ‖²,   zᵢ = top-k_aux of (W1d xᵢ + b1d),

    with the pre-activations taken as they are, not ReLU-clipped, so that a latent whose
    pre-activation is negative everywhere (the usual reason it is dead) still gets a gradient.

    Parameters
    ----------
    E : array (m, n)
        The residual of the main reconstruction.
    Xe : array (m, n)
        The encoder's input (X, or X − b_pre).
    W1d : array (d, n), b1d : array (d,), W2d : array (n, d)
        Encoder rows, biases and decoder columns of the d dead latents.
    k_aux : int

    Returns
    -------
    J : float
    grads : dict with ``W1d``, ``b1d``, ``W2d`` and ``Xe`` (∂J/∂Xe, for a pre-encoder bias)

    Notes
    -----
    Taught in notebooks/09-sparse-autoencoders-for-interpretability.ipynb.
    """
    m = Xe.shape[0]
    Z = Xe @ W1d.T + b1d
    M = _top_k_rows(xp, Z, int(k_aux))
    Zk = Z * M
    R = Zk @ W2d.T - E
    J = 0.5 * xp.sum(R * R) / m
    dR = R / m
    dZ = (dR @ W2d) * M
    return J, {"W1d": dZ.T @ Xe, "b1d": xp.sum(dZ, axis=0), "W2d": dR.T @ Zk,
               "Xe": dZ @ W1d}
