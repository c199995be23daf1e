"""Activation functions, each with its first and second derivative beside it.

Every activation is written against an array namespace ``xp`` so that one definition serves
NumPy, CuPy and any array-API library. The derivatives are expressed through the activation's
*value* ``a = f(z)`` where that is cheaper (the sigmoid's ``a(1-a)``), which is why they take
both ``z`` and ``a``.

The second derivative is only needed by the contractive penalty, whose gradient
differentiates ``f'(z)²``.

Taught in notebooks/01-autoencoder-basics.ipynb and notebooks/03-choosing-hyperparameters.ipynb.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

__all__ = ["Activation", "ACTIVATIONS", "get_activation"]


@dataclass(frozen=True)
class Activation:
    """One elementwise nonlinearity.

    Attributes
    ----------
    name : str
    f : callable ``(xp, z) -> a``
        The activation, elementwise, shape preserved.
    df : callable ``(xp, z, a) -> f'(z)``
        First derivative; may return a Python scalar where it is constant.
    d2f : callable ``(xp, z, a, da) -> f''(z)``
        Second derivative, given also ``da = f'(z)``.
    low, high : float
        The range of the activation (``-inf``/``inf`` when unbounded). The sparsity
        target ρ must lie strictly inside it.
    """

    name: str
    f: Callable
    df: Callable
    d2f: Callable
    low: float
    high: float


def _sigmoid(xp, z):
    # σ(z) = ½(1 + tanh(z/2)) is the same function as 1/(1+e^{-z}) but never overflows.
    return 0.5 * (xp.tanh(0.5 * z) + 1.0)


def _relu(xp, z):
    return xp.where(z > 0, z, xp.zeros_like(z))


def _relu_grad(xp, z, a):
    return xp.astype(z > 0, z.dtype)


ACTIVATIONS = {
    "sigmoid": Activation(
        "sigmoid",
        _sigmoid,
        lambda xp, z, a: a * (1.0 - a),  # σ' = σ(1-σ)
        lambda xp, z, a, da: da * (1.0 - 2.0 * a),  # σ'' = σ'(1-2σ)
        0.0,
        1.0,
    ),
    "tanh": Activation(
        "tanh",
        lambda xp, z: xp.tanh(z),
        lambda xp, z, a: 1.0 - a * a,  # tanh' = 1 - tanh²
        lambda xp, z, a, da: -2.0 * a * da,  # tanh'' = -2 tanh tanh'
        -1.0,
        1.0,
    ),
    "relu": Activation(
        "relu",
        _relu,
        _relu_grad,
        lambda xp, z, a, da: 0.0,  # zero almost everywhere
        0.0,
        float("inf"),
    ),
    "linear": Activation(
        "linear",
        lambda xp, z: z,
        lambda xp, z, a: 1.0,
        lambda xp, z, a, da: 0.0,
        float("-inf"),
        float("inf"),
    ),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name, with an error that lists the choices."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"activation={name!r} is not known; choose one of {sorted(ACTIVATIONS)}"
        ) from None
