"""Activation functions, each with its first and second derivative beside it.

Every activation is written against an array namespace ``xp`` so that one definition serves
NumPy, CuPy and any array-API library. The derivatives are expressed through the activation's
*value* ``a = f(z)`` (the sigmoid's ``a(1-a)``), so the pre-activation ``z`` need not be kept:
on NumPy the activation is computed in place, over the memory that held ``z``.

The second derivative is only needed by the contractive penalty, whose gradient
differentiates ``f'(z)²``.

Taught in notebooks/01-autoencoder-basics.ipynb and notebooks/03-choosing-hyperparameters.ipynb.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Activation", "ACTIVATIONS", "get_activation"]


@dataclass(frozen=True)
class Activation:
    """One elementwise nonlinearity.

    Attributes
    ----------
    name : str
    f : callable ``(xp, z, inplace=False) -> a``
        The activation, elementwise, shape preserved. With ``inplace=True`` it may
        overwrite ``z`` and return it, saving a memory pass on large batches.
    df : callable ``(xp, a) -> f'(z)``
        First derivative, written through the value a = f(z) (for all four activations
        that is enough); may return a Python scalar where it is constant.
    d2f : callable ``(xp, a, da) -> f''(z)``
        Second derivative, given also ``da = f'(z)``.
    mul_df : callable ``(xp, G, a) -> G ⊙ f'(z)``
        The step of backpropagation through the activation, computed in place without
        allocating f'(z): both G and ``a`` may be overwritten, and the result is returned in
        the memory of one of them (``a``'s for sigmoid and tanh, G's otherwise).
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
    mul_df: Callable = None


def _tanh(xp, z, inplace=False):
    if inplace and xp is np:
        return np.tanh(z, out=z)
    return xp.tanh(z)


def _avx512_tanh():
    """Whether NumPy runs its AVX-512 tanh on this processor.

    Which sigmoid formula is faster depends on it. Measured: with AVX-512, float32 tanh took
    1.0 ns an element and the ½(1 + tanh(z/2)) form beat 1/(1 + e^{-z}) by 1.5×; on an AVX2
    processor without AVX-512 tanh took 4.3 ns and the e^{-z} form won by 1.45× (3.0 against
    4.5 ns). Deciding by the processor, not by timing, keeps a machine's results the same
    from one run to the next.
    """
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # NumPy 1.x
        from numpy.core import _multiarray_umath as umath
    features = getattr(umath, "__cpu_features__", None)
    if not features:
        return True  # unknown: keep the tanh form, which never overflows
    return bool(features.get("AVX512_SKX", False))


# float64 always uses e^{-z}: NumPy vectorises float64 exp but not float64 tanh.
_EXP_FORM = {np.dtype(np.float64)} | (set() if _avx512_tanh() else {np.dtype(np.float32)})


def _sigmoid(xp, z, inplace=False):
    if xp is np and z.dtype in _EXP_FORM:
        return _sigmoid_exp(z, z if inplace else np.empty_like(z))
    # σ(z) = ½(1 + tanh(z/2)) is the same function as 1/(1+e^{-z}) but never overflows.
    a = z if inplace else z * 1.0
    a *= 0.5
    a = _tanh(xp, a, inplace=True)
    a += 1.0
    a *= 0.5
    return a


def _sigmoid_exp(z, out):
    # 1/(1+e^{-z}). For float64 it beats the tanh form on both processors measured (14 against
    # 18 ms on a 5 000 × 784 array with AVX-512, 11.4 against 20 ns an element on AVX2).
    # e^{-z} = inf below z ≈ -709 (float32: -88.7) gives σ = 0, within a subnormal of exact.
    np.negative(z, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def _sigmoid_grad(xp, a):
    # σ' = σ(1-σ)
    da = 1.0 - a
    da *= a
    return da


def _one_minus(xp, a):
    """1 − a, in a's own memory."""
    if xp is np:
        return np.subtract(1.0, a, out=a)
    a *= -1.0
    a += 1.0
    return a


def _sigmoid_mul_df(xp, G, a):
    G *= a  # G σ(1-σ): σ' is never formed on its own
    a = _one_minus(xp, a)
    a *= G
    return a


def _tanh_mul_df(xp, G, a):
    a *= a  # 1 - tanh², in tanh's own memory
    a = _one_minus(xp, a)
    a *= G
    return a


def _relu(xp, z, inplace=False):
    if inplace and xp is np:
        return np.maximum(z, 0.0, out=z)
    return xp.where(z > 0, z, xp.zeros_like(z))


def _imul(G, D):
    G *= D
    return G


def _relu_grad(xp, a):
    return xp.astype(a > 0, a.dtype)  # a > 0 exactly where z > 0


ACTIVATIONS = {
    "sigmoid": Activation(
        "sigmoid",
        _sigmoid,
        _sigmoid_grad,
        lambda xp, a, da: da * (1.0 - 2.0 * a),  # σ'' = σ'(1-2σ)
        0.0,
        1.0,
        _sigmoid_mul_df,
    ),
    "tanh": Activation(
        "tanh",
        _tanh,
        lambda xp, a: 1.0 - a * a,  # tanh' = 1 - tanh²
        lambda xp, a, da: -2.0 * a * da,  # tanh'' = -2 tanh tanh'
        -1.0,
        1.0,
        _tanh_mul_df,
    ),
    "relu": Activation(
        "relu",
        _relu,
        _relu_grad,
        lambda xp, a, da: 0.0,  # zero almost everywhere
        0.0,
        float("inf"),
        lambda xp, G, a: _imul(G, _relu_grad(xp, a)),
    ),
    "linear": Activation(
        "linear",
        lambda xp, z, inplace=False: z,
        lambda xp, a: 1.0,
        lambda xp, a, da: 0.0,
        float("-inf"),
        float("inf"),
        lambda xp, G, a: G,
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
