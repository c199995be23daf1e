"""Each speed optimisation against the straightforward float64 formula.

The engine computes activations in place, backpropagates through them without allocating
f'(z), writes large temporaries into a reused workspace, runs elementwise chains over blocks
of rows and splits large batches into shards evaluated on several threads, sums columns with
a matrix-vector product, and may run in float32. Here a plain, allocation-happy NumPy implementation of the
same objective is the reference for all of that.
"""
import numpy as np
import pytest

import aelab
from aelab import blocks
from aelab.backend import Workspace, colsum, sumsq

ACT = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
    "tanh": (np.tanh, lambda a: 1 - a**2),
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(float)),
    "linear": (lambda z: z, lambda a: np.ones_like(a)),
}


def reference(X, p, act, out, lam, beta, rho, sparsity, tied):
    """J and gradients, written the plainest way (untied/tied, mse, KL/L1/L2 sparsity)."""
    f, df = ACT[act]
    g, dg = ACT[out]
    m = X.shape[0]
    W2 = p["W1"].T if tied else p["W2"]
    A2 = f(X @ p["W1"].T + p["b1"])
    A3 = g(A2 @ W2.T + p["b2"])
    J = 0.5 * np.sum((A3 - X) ** 2) / m
    d3 = (A3 - X) * dg(A3) / m
    dH = d3 @ W2
    rh = A2.mean(axis=0)
    if sparsity == "l2":
        J += beta * np.sum((rh - rho) ** 2)
        dH = dH + beta * 2 * (rh - rho) / m
    elif sparsity == "l1":
        J += beta * np.sum(np.abs(rh - rho))
        dH = dH + beta * np.sign(rh - rho) / m
    elif sparsity == "kl":
        # tanh units: the KL of the targets and means mapped from (−1, 1) to (0, 1)
        lo = -1.0 if act == "tanh" else 0.0
        r, q = (rho - lo) / (1 - lo), (rh - lo) / (1 - lo)
        J += beta * np.sum(r * np.log(r / q) + (1 - r) * np.log((1 - r) / (1 - q)))
        dH = dH + beta * (-r / q + (1 - r) / (1 - q)) / (1 - lo) / m
    d2 = dH * df(A2)
    gW1 = d2.T @ X + lam * p["W1"]
    if tied:
        gW1 = gW1 + (d3.T @ A2).T
        J += lam / 2 * np.sum(p["W1"] ** 2)
        grads = {"W1": gW1, "b1": d2.sum(0), "b2": d3.sum(0)}
    else:
        J += lam / 2 * (np.sum(p["W1"] ** 2) + np.sum(W2**2))
        grads = {"W1": gW1, "b1": d2.sum(0), "W2": d3.T @ A2 + lam * W2, "b2": d3.sum(0)}
    return J, grads


CONFIGS = [
    dict(act="sigmoid", out="sigmoid", lam=1e-3, beta=3.0, rho=0.1, sparsity="kl", tied=False),
    dict(act="tanh", out="linear", lam=1e-2, beta=0.0, rho=0.0, sparsity=None, tied=False),
    dict(act="relu", out="linear", lam=0.0, beta=0.5, rho=0.2, sparsity="l2", tied=True),
    dict(act="linear", out="tanh", lam=1e-3, beta=0.0, rho=0.0, sparsity=None, tied=True),
    dict(act="sigmoid", out="linear", lam=1e-4, beta=0.4, rho=0.3, sparsity="l1", tied=False),
    dict(act="tanh", out="sigmoid", lam=1e-3, beta=2.0, rho=-0.6, sparsity="kl", tied=True),
]


@pytest.fixture(params=["one-block", "blocks-and-shards"])
def split(request, monkeypatch):
    """The engine as it runs on a small batch, and split many ways by rows (cache blocks of
    1 KiB, four shards on two threads) as it runs on a large one."""
    if request.param == "blocks-and-shards":
        monkeypatch.setattr(blocks, "BLOCK_BYTES", 1024)
        monkeypatch.setattr(blocks, "SHARD_WORK", 1.0)
        monkeypatch.setattr(blocks, "BALANCE_WORK", 1.0)
        monkeypatch.setattr(blocks, "MIN_SHARD_ROWS", 16)
        monkeypatch.setattr(blocks, "_threads", 2)
    else:
        monkeypatch.setattr(blocks, "_threads", 1)
    return request.param


@pytest.mark.parametrize("cfg", CONFIGS, ids=[f"{c['act']}-{c['out']}-{c['sparsity']}" for c in CONFIGS])
def test_engine_with_workspace_equals_the_plain_formula(cfg, rng, split):
    X = rng.uniform(0.05, 0.95, size=(300, 20))
    model = aelab.Autoencoder(12, activation=cfg["act"], output_activation=cfg["out"],
                              lam=cfg["lam"], beta=cfg["beta"], rho=cfg["rho"],
                              sparsity=cfg["sparsity"], tied=cfg["tied"], epsilon=0.2)
    c = model._config()
    p = model._initial_params(X, c)
    p["b1"] = p["b1"] + rng.normal(0, 0.1, size=p["b1"].shape)
    J_ref, g_ref = reference(X, p, **cfg)
    ws = Workspace(np)
    assert len(ws.shards(X.shape[0], X.shape[1] * 12)) == (4 if split != "one-block" else 1)
    for _ in range(3):  # reused buffers must not leak one evaluation into the next
        J, g = model._loss_and_grad(p, X, X, c, ws)
        assert float(J) == pytest.approx(J_ref, rel=1e-12)
        for k in g_ref:
            np.testing.assert_allclose(g[k], g_ref[k], rtol=1e-10, atol=1e-14)
    assert np.all(np.isfinite(X)) and X.min() >= 0.05  # the data itself was not overwritten


def test_float32_fast_path_tracks_float64(rng):
    X = rng.uniform(0.1, 0.9, size=(2000, 64))
    m64 = aelab.SparseAutoencoder()
    m32 = aelab.SparseAutoencoder(dtype="float32")
    p64 = m64.initial_params(X)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    J64, g64 = m64._loss_and_grad(p64, X, X, m64._config(), Workspace(np))
    X32 = X.astype(np.float32)
    J32, g32 = m32._loss_and_grad(p32, X32, X32, m32._config(), Workspace(np))
    assert float(J32) == pytest.approx(float(J64), rel=1e-5)
    for k in g64:
        assert np.linalg.norm(g32[k] - g64[k]) <= 1e-4 * np.linalg.norm(g64[k]) + 1e-7


def test_blas_reductions(rng):
    A = rng.normal(size=(1000, 7))
    np.testing.assert_allclose(colsum(np, A), A.sum(axis=0), rtol=1e-12)
    assert sumsq(np, A) == pytest.approx(np.sum(A * A), rel=1e-12)


def test_training_with_workspace_matches_training_without(rng, monkeypatch):
    """fit() uses a workspace; disabling it must not change a single bit of the result."""
    X = rng.uniform(0.1, 0.9, size=(200, 16))
    a = aelab.SparseAutoencoder(n_hidden=6, max_iter=25).fit(X)
    monkeypatch.setattr(Workspace, "__init__", lambda self, xp: setattr(self, "enabled", False))
    b = aelab.SparseAutoencoder(n_hidden=6, max_iter=25).fit(X)
    for k in a.params_:
        np.testing.assert_allclose(a.params_[k], b.params_[k], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_topk_threshold_mask_equals_the_indices_of_a_sort(rng, dtype):
    # The mask is found from the k-th largest value of each row (np.partition); the plain
    # formula is the k last columns of argsort.
    model = aelab.KSparseAutoencoder(n_hidden=400, k=70)
    A = rng.normal(size=(128, 400)).astype(dtype)
    want = np.zeros_like(A)
    np.put_along_axis(want, np.argsort(A, axis=1)[:, -70:], 1.0, axis=1)
    got = model._topk_mask(np, A, 70)
    assert got.dtype == A.dtype
    np.testing.assert_array_equal(got, want)


def test_topk_mask_keeps_exactly_k_per_row_when_values_tie(rng):
    model = aelab.KSparseAutoencoder(n_hidden=8, k=3)
    A = rng.normal(size=(5, 8))
    A[0] = 0.0                                   # a whole row ties
    A[1, :4] = A[1].max() + 1.0                  # four equal winners for three places
    M = model._topk_mask(np, A, 3)
    np.testing.assert_array_equal(M.sum(axis=1), 3)
    assert set(np.flatnonzero(M[1])) <= {0, 1, 2, 3}
    # Rows without ties keep exactly their three largest entries.
    for i in range(2, 5):
        np.testing.assert_array_equal(np.flatnonzero(M[i]), np.sort(np.argsort(A[i])[-3:]))
