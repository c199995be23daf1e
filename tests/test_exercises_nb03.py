"""The checks of notebook 03 (aelab.exercises.nb03): the right answer passes, each typical
mistake gets its own diagnosis, and no feedback states the expected value."""
import numpy as np
import pytest

import aelab
from aelab.exercises import check_gradient_function, nb03
from aelab.tuning import lbfgs_trace, smooth_l1_sparsity_objective


def text(fb):
    return str(fb)


# ------------------------------------------------------------------ ρ translation
def test_rho_tanh_right_answer_passes():
    assert nb03.check_rho_tanh(2 * 0.01 - 1)


@pytest.mark.parametrize("answer, words", [
    (None, "not done yet"),
    ((0.01 + 1) / 2, "wrong way"),
    (-0.9, "twin of a different"),
    (-0.01, "twice as wide"),
    (0.01 - 1, "twice as wide"),
    (1.5, "outside (−1, 1)"),
    (-0.5, "solve"),
])
def test_rho_tanh_mistakes_are_named(answer, words):
    fb = nb03.check_rho_tanh(answer)
    assert not fb
    assert words in text(fb)
    assert "-0.98" not in text(fb) and "−0.98" not in text(fb)


# ------------------------------------------------------------------ LeCun
def test_lecun_right_answer_passes():
    fb = nb03.check_lecun(1 / np.sqrt(784), 1 / np.sqrt(196))
    assert fb and "one scale for both layers" in text(fb)


@pytest.mark.parametrize("enc, dec, words", [
    (1 / np.sqrt(196), 1 / np.sqrt(784), "swapped"),
    (1 / 784, 1 / np.sqrt(196), "square root"),
    (np.sqrt(784), 1 / np.sqrt(196), "reciprocal"),
    (1 / np.sqrt(784 + 196), 1 / np.sqrt(196), "fan-in + fan-out"),
    (0.5, 1 / np.sqrt(196), "how many inputs"),
    (None, 0.1, "not done yet"),
])
def test_lecun_mistakes_are_named(enc, dec, words):
    fb = nb03.check_lecun(enc, dec)
    assert not fb
    assert words in text(fb)


# ------------------------------------------------------------------ R's tanh term
def r_right(Z, rho, beta):
    A = np.tanh(Z)
    q = (A + 1).mean(axis=0) / 2
    J = beta * np.sum(rho * np.log(rho / q) + (1 - rho) * np.log((1 - rho) / (1 - q)))
    return J, beta * (-rho / q + (1 - rho) / (1 - q)) * (1 - A ** 2) / len(Z)


def r_exact_gradient(Z, rho, beta):
    J, G = r_right(Z, rho, beta)
    return J, G / 2


def r_both_mapped(Z, rho, beta):
    return r_right(Z, (rho + 1) / 2, beta)


def r_no_mean(Z, rho, beta):
    J, G = r_right(Z, rho, beta)
    return J, G * len(Z)


def r_sign(Z, rho, beta):
    J, G = r_right(Z, rho, beta)
    return J, -G


def r_no_beta(Z, rho, beta):
    J, G = r_right(Z, rho, beta)
    return J / beta, G


def r_todo(Z, rho, beta):
    raise NotImplementedError


def test_r_transcription_passes():
    assert nb03.check_r_tanh_sparsity(r_right)


@pytest.mark.parametrize("fun, words", [
    (r_exact_gradient, "exact derivative"),
    (r_both_mapped, "aelab's convention"),
    (r_no_mean, "m times too large"),
    (r_sign, "wrong sign"),
    (r_no_beta, "factor β"),
    (r_todo, "not done yet"),
])
def test_r_transcription_mistakes_are_named(fun, words):
    fb = nb03.check_r_tanh_sparsity(fun)
    assert not fb
    assert words in text(fb)


def test_r_gradient_is_twice_its_derivative_and_aelab_is_exact():
    Z = np.random.default_rng(3).normal(-1.0, 0.5, size=(15, 3))
    assert abs(nb03.gradient_factor(lambda z: r_right(z, 0.05, 3.0), Z) - 2) < 1e-5
    assert abs(nb03.gradient_factor(lambda z: r_exact_gradient(z, 0.05, 3.0), Z) - 1) < 1e-5


# ------------------------------------------------------------------ aelab.tuning
def test_lbfgs_trace_reports_scipy_and_positive_curvature_on_a_smooth_problem():
    X = np.random.default_rng(0).uniform(0.1, 0.9, (30, 6))
    m = aelab.SparseAutoencoder(3, rho=0.1)
    tr = lbfgs_trace(lambda p: m.objective(X, params=p), m.initial_params(X), max_iter=50)
    assert tr["nit"] >= 1 and isinstance(tr["message"], str)
    assert len(tr["curvature"]) == tr["nit"]
    assert np.all(tr["curvature"] > 0)  # sᵀy > 0 on a smooth objective (Wolfe line search)
    assert tr["J"] < m.objective(X, params=m.initial_params(X))[0]


def test_smooth_l1_gradient_is_exact_and_approaches_l1():
    X = np.random.default_rng(1).uniform(0.1, 0.9, (20, 5))
    m = aelab.SparseAutoencoder(4, rho=0.05, sparsity="l1", beta=0.2)
    p = m.initial_params(X)
    fun = smooth_l1_sparsity_objective(m, X, beta=0.2, rho=0.05, delta=1e-2)
    assert check_gradient_function(fun, p)
    tiny = smooth_l1_sparsity_objective(m, X, beta=0.2, rho=0.05, delta=1e-9)
    assert abs(tiny(p)[0] - m.objective(X, params=p)[0]) < 1e-6
    with pytest.raises(ValueError, match="delta"):
        smooth_l1_sparsity_objective(m, X, beta=0.2, rho=0.05, delta=0.0)
    with pytest.raises(ValueError, match="sigmoid"):
        smooth_l1_sparsity_objective(aelab.SparseAutoencoder(4, activation="tanh", rho=-0.9),
                                     X, beta=0.2, rho=0.05, delta=0.01)
