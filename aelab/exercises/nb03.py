"""The checks of notebooks/03-choosing-hyperparameters.ipynb.

Each check takes the student's answer, computes the reference itself, and returns a
:class:`Feedback` that names the likely mistake and gives a hint, never the expected value.
The notebook calls ``check_…(…).assert_ok()``, so a wrong instructor solution fails the
notebook tests.

* :func:`check_rho_tanh`: a sparsity target translated from sigmoid to tanh units;
* :func:`check_lecun`: LeCun's 1/√fan-in scale for an encoder and a decoder;
* :func:`check_r_tanh_sparsity`: the R ``autoencoder`` package's tanh sparsity term,
  objective and gradient, transcribed from its source (including what it leaves out);
* :func:`gradient_factor`: the constant c with gradient ≈ c × (finite differences of J),
  which the notebook uses to measure R's factor.

Taught in notebooks/03-choosing-hyperparameters.ipynb.
"""
from __future__ import annotations

import math

import numpy as np

from ..backend import to_numpy
from ..gradcheck import numerical_gradient
from .core import Feedback

__all__ = ["check_rho_tanh", "check_lecun", "check_r_tanh_sparsity", "gradient_factor"]


def _number(fb, value, name):
    """value as a float, or None after a ✎/✗ line."""
    if value is None or value is Ellipsis:
        fb.todo(f"not done yet: set {name} to a number")
        return None
    try:
        v = float(np.asarray(to_numpy(value), dtype=np.float64))
    except (TypeError, ValueError):
        fb.fail(f"{name} should be a single number, got {type(value).__name__}")
        return None
    if not math.isfinite(v):
        fb.fail(f"{name} is {v}")
        return None
    return v


# ------------------------------------------------------------------ exercise 1
def check_rho_tanh(rho_tanh, rho_sigmoid=0.01):
    """Is ``rho_tanh`` the tanh target with the sparsity of the sigmoid target ``rho_sigmoid``?

    The two units are related by tanh(z) = 2σ(2z) − 1, so the same code on the (0, 1) scale
    is the tanh value mapped back with the inverse of (a + 1)/2.

    Returns
    -------
    Feedback
    """
    fb = Feedback(f"tanh target for sigmoid ρ = {rho_sigmoid:g}")
    v = _number(fb, rho_tanh, "rho_tanh")
    if v is None:
        return fb
    want = 2.0 * rho_sigmoid - 1.0
    if math.isclose(v, want, rel_tol=1e-6, abs_tol=1e-9):
        return fb.ok(f"ρ_tanh = {v:g}: (ρ_tanh + 1)/2 gives back {rho_sigmoid:g}, and it sits "
                     "much closer to −1 than the −0.9 of the question")
    if math.isclose(v, (rho_sigmoid + 1.0) / 2.0, rel_tol=1e-6):
        return fb.fail("that maps the wrong way: (ρ + 1)/2 takes a tanh value to the (0, 1) "
                       "scale; you need the inverse map")
    if math.isclose(v, -0.9, rel_tol=1e-6):
        return fb.fail("−0.9 is the tanh twin of a different sigmoid target: map −0.9 with "
                       "(a + 1)/2 and compare with the sigmoid target you were given")
    if math.isclose(v, -rho_sigmoid, rel_tol=1e-6) or math.isclose(v, rho_sigmoid - 1.0,
                                                                    rel_tol=1e-6):
        return fb.fail("the tanh range (−1, 1) is twice as wide as (0, 1): shifting alone is "
                       "not enough, the scale changes too")
    if not -1.0 < v < 1.0:
        return fb.fail(f"{v:g} is outside (−1, 1), the range of a tanh unit's mean")
    return fb.fail(f"(ρ_tanh + 1)/2 = {(v + 1) / 2:g} on the (0, 1) scale, not "
                   f"{rho_sigmoid:g}: solve (ρ_tanh + 1)/2 = ρ_sigmoid for ρ_tanh")


# ------------------------------------------------------------------ exercise 2
def check_lecun(eps_encoder, eps_decoder, n_inputs=784, n_hidden=196):
    """LeCun's 1/√fan-in for the encoder (fan-in ``n_inputs``) and decoder (``n_hidden``).

    Returns
    -------
    Feedback
    """
    fb = Feedback(f"LeCun's scale for a {n_inputs}→{n_hidden}→{n_inputs} autoencoder")
    enc = _number(fb, eps_encoder, "eps_encoder")
    dec = _number(fb, eps_decoder, "eps_decoder")
    if enc is None or dec is None:
        return fb
    want_e, want_d = 1.0 / math.sqrt(n_inputs), 1.0 / math.sqrt(n_hidden)

    def close(a, b):
        return math.isclose(a, b, rel_tol=1e-3)

    if close(enc, want_d) and close(dec, want_e):
        return fb.fail("swapped: an encoder unit receives every input pixel; a decoder unit "
                       "receives the hidden activations")
    for name, got, want, fan in (("eps_encoder", enc, want_e, n_inputs),
                                 ("eps_decoder", dec, want_d, n_hidden)):
        if close(got, want):
            fb.ok(f"{name} = {got:.4f}")
        elif close(got, 1.0 / fan):
            fb.fail(f"{name} = 1/fan-in; the rule takes the square root of the fan-in")
        elif close(got, math.sqrt(fan)):
            fb.fail(f"{name} = √fan-in: the rule is its reciprocal")
        elif close(got, 1.0 / math.sqrt(n_inputs + n_hidden)):
            fb.fail(f"{name} uses fan-in + fan-out; LeCun's rule counts only the inputs a "
                    "unit receives")
        else:
            fb.fail(f"{name} = {got:.4g}: how many inputs does one unit of this layer "
                    "receive? Take 1/√ of that")
    if fb.passed:
        fb.note("aelab's `epsilon` sets one scale for both layers; the UFLDL default "
                f"±√(6/({n_inputs}+{n_hidden}+1)) = ±{math.sqrt(6 / (n_inputs + n_hidden + 1)):.3f}"
                " (uniform) sits between the two")
    return fb


# ------------------------------------------------------------------ exercise 3
def _r_reference(Z, rho, beta):
    """R autoencoder's tanh sparsity term: its J and the gradient its code computes."""
    A = np.tanh(Z)
    m = Z.shape[0]
    q = (A + 1.0).mean(axis=0) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        J = beta * np.sum(rho * np.log(rho / q) + (1 - rho) * np.log((1 - rho) / (1 - q)))
        G = beta * (-rho / q + (1 - rho) / (1 - q)) * (1.0 - A * A) / m
    return float(J), G


def gradient_factor(fun, Z, step=1e-6):
    """The c for which ``fun(Z)[1] ≈ c × (central differences of fun(Z)[0])``.

    Parameters
    ----------
    fun : callable ``Z -> (J, dJ/dZ)``
    Z : array
    step : float, default 1e-6

    Returns
    -------
    float
        The least-squares factor; 1 for a correct gradient.
    """
    Z = np.asarray(to_numpy(Z), dtype=np.float64)
    g = np.asarray(to_numpy(fun(Z.copy())[1]), dtype=np.float64)
    num = numerical_gradient(lambda z: float(fun(z.reshape(Z.shape))[0]), Z.ravel().copy(),
                             step).reshape(Z.shape)
    return float(np.vdot(g, num) / np.vdot(num, num))


def check_r_tanh_sparsity(fun, m=30, n_hidden=4, rho=0.05, beta=3.0, seed=0):
    """Does ``fun(Z, rho, beta)`` compute what R's ``autoencode`` computes for tanh units?

    ``Z`` holds the hidden units' summed inputs (m, n_hidden). R takes ρ̂ on the (0, 1) scale
    from the tanh activations, uses ρ as given, and the gradient its backpropagation adds
    (per example, before the average over examples). The check compares J and the gradient
    with that code, and explains the likely slip when they differ.

    Returns
    -------
    Feedback
    """
    fb = Feedback("your transcription of R's tanh sparsity term")
    rng = np.random.default_rng(seed)
    Z = rng.normal(-1.2, 0.6, size=(m, n_hidden))
    name = getattr(fun, "__name__", "your function")
    try:
        out = fun(Z.copy(), rho, beta)
    except NotImplementedError:
        return fb.todo(f"not done yet: {name} still raises NotImplementedError")
    if not (isinstance(out, tuple) and len(out) == 2):
        return fb.fail(f"{name} should return a pair (J, dJ_dZ)")
    J, G = out
    try:
        J = float(np.asarray(to_numpy(J), dtype=np.float64))
        G = np.asarray(to_numpy(G), dtype=np.float64)
    except (TypeError, ValueError):
        return fb.fail("J should be a number and dJ_dZ an array of numbers")
    J_ref, G_ref = _r_reference(Z, rho, beta)
    A = np.tanh(Z)
    # J
    if math.isclose(J, J_ref, rel_tol=1e-9):
        fb.ok("J matches R's objective")
    else:
        q_mapped = (A + 1).mean(axis=0) / 2
        r_mapped = (rho + 1) / 2
        with np.errstate(invalid="ignore", divide="ignore"):
            J_both = beta * np.sum(r_mapped * np.log(r_mapped / q_mapped)
                                   + (1 - r_mapped) * np.log((1 - r_mapped) / (1 - q_mapped)))
            q_raw = A.mean(axis=0)
            J_raw = beta * np.sum(rho * np.log(rho / q_raw)
                                  + (1 - rho) * np.log((1 - rho) / (1 - q_raw)))
        if math.isclose(J, J_both, rel_tol=1e-9):
            fb.fail("you mapped ρ to (ρ + 1)/2 as well: that is aelab's convention; R uses ρ "
                    "exactly as the user gives it")
        elif not math.isfinite(J) and not np.isfinite(J_raw):
            fb.fail("J is not finite: R maps the mean tanh activation onto (0, 1) before the "
                    "KL; without that map, ρ̂ < 0 and the log is undefined")
        elif math.isclose(J, J_ref / beta, rel_tol=1e-9):
            fb.fail("J is missing the factor β")
        elif math.isclose(J, J_ref * m, rel_tol=1e-6):
            fb.fail("ρ̂ is a mean over the examples, not a sum")
        else:
            fb.fail(f"J = {J:.6g} differs from R's objective: check the map of ρ̂ onto (0, 1) "
                    "(R uses the column means of (a + 1), halved) and the two KL terms")
    # gradient
    if G.shape != Z.shape:
        return fb.fail(f"dJ_dZ has shape {G.shape}; it needs one entry per example and unit, "
                       f"{Z.shape}")
    if np.allclose(G, G_ref, rtol=1e-7, atol=1e-12):
        fb.ok("dJ_dZ matches the gradient R's backpropagation computes")
    elif np.allclose(G, 0.5 * G_ref, rtol=1e-7, atol=1e-12):
        fb.fail("dJ_dZ is the exact derivative of J, but that is not what R's code computes: "
                "look again at the term R adds to δ for the hidden layer, and which chain-rule "
                "factor of the map (a + 1)/2 it carries")
    elif np.allclose(G, G_ref * m, rtol=1e-7, atol=1e-12):
        fb.fail("dJ_dZ is m times too large: R averages δ over the examples (colMeans, /m)")
    elif np.allclose(G, G_ref / m, rtol=1e-7, atol=1e-12):
        fb.fail("dJ_dZ is m times too small: the 1/m of the mean is applied twice")
    elif np.allclose(G, -G_ref, rtol=1e-7, atol=1e-12):
        fb.fail("dJ_dZ has the wrong sign: the KL's slope is −ρ/ρ̂ + (1−ρ)/(1−ρ̂)")
    else:
        ratio = np.vdot(G, G_ref) / max(np.vdot(G_ref, G_ref), 1e-300)
        fb.fail(f"dJ_dZ differs from R's gradient (best factor {ratio:.3g}): R multiplies "
                "β × the KL's slope at ρ̂ by tanh′(z) = 1 − tanh(z)², then averages over "
                "the examples")
    return fb
