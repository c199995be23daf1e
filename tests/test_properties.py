"""Property-based tests of the engine over shapes, dtypes and hyperparameter ranges."""
import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import aelab

ACTS = st.sampled_from(["sigmoid", "tanh", "relu", "linear"])
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw):
    m = draw(st.integers(1, 30))
    n = draw(st.integers(1, 12))
    p = draw(st.integers(1, 10))
    seed = draw(st.integers(0, 2**16))
    X = np.random.default_rng(seed).uniform(0.0, 1.0, size=(m, n))
    act = draw(ACTS)
    sparsity = draw(st.sampled_from([None, "kl", "l1", "l2"] if act in ("sigmoid", "tanh")
                                    else [None, "l1", "l2"]))
    lo, hi = (-0.95, 0.95) if act == "tanh" else (0.01, 0.95)
    kw = dict(
        n_hidden=p, activation=act, sparsity=sparsity,
        rho=draw(st.floats(lo, hi)), beta=draw(st.floats(0, 5)), lam=draw(st.floats(0, 1)),
        tied=draw(st.booleans()), k=draw(st.one_of(st.none(), st.integers(1, p))),
        contraction=draw(st.floats(0, 1)),
        noise=draw(st.sampled_from([None, "mask", "gaussian"])),
        noise_level=draw(st.floats(0, 0.9)),
        epsilon=draw(st.one_of(st.none(), st.floats(1e-3, 2.0))),
        output_activation=draw(st.sampled_from(["linear", "sigmoid"])),
        random_state=seed,
    )
    if kw["output_activation"] == "sigmoid":
        kw["loss"] = draw(st.sampled_from(["mse", "cross_entropy"]))
    return X, kw


@FAST
@given(problems(), st.sampled_from(["float64", "float32"]))
def test_objective_is_finite_and_shaped_like_the_parameters(problem, dtype):
    X, kw = problem
    model = aelab.Autoencoder(dtype=dtype, **kw)
    J, grads = model.objective(X)
    assert np.isfinite(J) and J >= 0.0
    params = model.initial_params(X)
    assert set(grads) == set(params)
    for k in params:
        assert grads[k].shape == params[k].shape
        assert grads[k].dtype == np.dtype(dtype)
        assert np.all(np.isfinite(grads[k]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_gradient_matches_central_differences_away_from_kinks(problem):
    X, kw = problem
    model = aelab.Autoencoder(**kw)
    params = model.initial_params(X)
    c = model._config()
    # relu, |ρ̂−ρ| and top-k have kinks where a central difference measures the kink;
    # only check points at least 1e-3 away from every kink of this example.
    A2, M, H = model._encode(np, params, model._corrupt(X, model._noise_rng(c), c), c, c.k)
    Z2 = model._corrupt(X, model._noise_rng(c), c) @ params["W1"].T + params["b1"]
    assume(not (kw["activation"] == "relu" and np.min(np.abs(Z2)) < 1e-3))
    if kw["k"] is not None and kw["k"] < kw["n_hidden"]:
        s = np.sort(A2, axis=1)
        assume(np.min(s[:, -kw["k"]] - s[:, -kw["k"] - 1]) >= 1e-3)
    assume(not (kw["sparsity"] == "l1" and np.min(np.abs(H.mean(0) - kw["rho"])) < 1e-3))
    assert aelab.check_gradient(model, X, params=params) < 1e-6


@FAST
@given(problems(), st.floats(0.01, 10.0))
def test_more_weight_decay_never_lowers_the_objective(problem, extra):
    X, kw = problem
    a = aelab.Autoencoder(**kw).objective(X)[0]
    kw["lam"] = kw["lam"] + extra
    assert aelab.Autoencoder(**kw).objective(X)[0] >= a


@settings(max_examples=15, deadline=None)
@given(problems())
def test_a_short_fit_keeps_shapes_and_finiteness(problem):
    X, kw = problem
    model = aelab.Autoencoder(max_iter=3, **kw).fit(X)
    H = model.transform(X)
    assert H.shape == (X.shape[0], kw["n_hidden"])
    assert model.reconstruct(X).shape == X.shape
    assert all(np.all(np.isfinite(v)) for v in model.params_.values())
    if kw["k"] is not None:
        assert np.all(np.count_nonzero(H, axis=1) <= kw["k"])
