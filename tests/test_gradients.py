"""Every option combination of the engine: analytic gradient against central differences."""
import itertools

import numpy as np
import pytest

import aelab
from aelab.gradcheck import numerical_gradient, relative_difference

ACTS = ["sigmoid", "tanh", "relu", "linear"]
LOSSES = ["mse", "cross_entropy"]
SPARSITY = [None, "kl", "l1", "l2"]
TIED = [False, True]
TOPK = [None, 3]
NOISE = [None, "mask", "gaussian"]
CONTRACTION = [0.0, 0.1]


def _combos():
    for act, loss, sp, tied, k, noise, con in itertools.product(
        ACTS, LOSSES, SPARSITY, TIED, TOPK, NOISE, CONTRACTION
    ):
        if sp == "kl" and act in ("relu", "linear"):
            continue  # the KL needs a bounded activation; validation refuses it (tested elsewhere)
        yield act, loss, sp, tied, k, noise, con


def _model(act, loss, sp, tied, k, noise, con, out=None):
    out = out or ("sigmoid" if loss == "cross_entropy" else "linear")
    rho = -0.4 if act == "tanh" else 0.2
    return aelab.Autoencoder(
        5, activation=act, output_activation=out, loss=loss, sparsity=sp, beta=0.7,
        rho=rho, lam=0.01, tied=tied, k=k, noise=noise, noise_level=0.2,
        contraction=con, epsilon=0.3, random_state=3,
    )


@pytest.mark.parametrize("act", ACTS)
def test_every_combination_matches_central_differences(act, unit_data):
    worst, n = 0.0, 0
    for combo in _combos():
        if combo[0] != act:
            continue
        r = aelab.check_gradient(_model(*combo), unit_data, step=1e-4)
        assert r < 1e-7, f"gradient wrong for {combo}: relative difference {r:.2e}"
        if r >= 1e-9:
            # Above the UFLDL bar at step 1e-4: central differences err by O(step²) times
            # the third derivative (large near relu's kink, for top-k, for the contraction).
            # A wrong gradient stays wrong at a smaller step; truncation error shrinks 100×.
            r = aelab.check_gradient(_model(*combo), unit_data, step=1e-5)
            assert r < 1e-9, f"gradient wrong for {combo}: {r:.2e} even at step 1e-5"
        worst, n = max(worst, r), n + 1
    assert n >= 96


@pytest.mark.parametrize("out", ["linear", "sigmoid", "tanh", "relu"])
def test_output_activations(out, unit_data):
    for act in ACTS:
        m = _model(act, "mse", "l2", False, None, None, 0.05, out=out)
        params = m.initial_params(unit_data)
        # Move the output pre-activations away from 0, where relu has its kink: a central
        # difference straddling a kink measures the kink, not the gradient.
        params["b2"] = params["b2"] + 0.5
        assert aelab.check_gradient(m, unit_data, params=params) < 1e-7, (act, out)


def test_default_sparse_model_gradient_meets_ufldl_bar(unit_data):
    """The UFLDL exercise expects a relative difference near 1e-9 for the sparse model."""
    X = 0.1 + 0.8 * unit_data
    r = aelab.check_gradient(aelab.SparseAutoencoder(n_hidden=6, rho=0.1), X)
    assert r < 1e-9


def test_a_wrong_gradient_is_caught(unit_data):
    """The checker must be able to fail: corrupt one gradient entry and it notices."""
    model = aelab.SparseAutoencoder(n_hidden=4)
    params = model.initial_params(unit_data)
    keys = list(params)
    _, grads = model.objective(unit_data)
    analytic = np.concatenate([grads[k].ravel() for k in keys])
    analytic[3] += 0.1 * np.linalg.norm(analytic)
    numeric = numerical_gradient(
        lambda th: model.objective(unit_data, params=aelab.optimize.unpack(th, params, keys))[0],
        aelab.optimize.pack(params, keys),
    )
    assert relative_difference(numeric, analytic) > 1e-3


def test_numerical_gradient_of_a_known_function():
    f = lambda th: float(np.sum(np.sin(th)) + th[0] * th[1])  # noqa: E731
    th = np.array([0.3, -1.2, 2.0])
    expected = np.cos(th) + np.array([th[1], th[0], 0.0])
    assert np.allclose(numerical_gradient(f, th), expected, atol=1e-8)
