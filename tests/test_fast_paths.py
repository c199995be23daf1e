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


# ------------------------------------------------------------------ the sparse top-k code
from aelab import topk  # noqa: E402


def _topk_reference(A, k, relu):
    """The k largest of each row by a stable sort; ReLU units never keep a 0."""
    M = np.zeros_like(A)
    np.put_along_axis(M, np.argsort(-A, axis=1, kind="stable")[:, :k], 1.0, axis=1)
    return M * (A > 0) if relu else M


@pytest.mark.parametrize("relu", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", [96, 97], ids=["two-stage", "one-partition"])
def test_sparse_selection_equals_the_dense_mask(rng, relu, dtype, p):
    assert (topk._groups(p, 6) is None) == (p == 97)  # 97 columns have no groups
    A = rng.normal(size=(300, p)).astype(dtype)
    if relu:
        A = np.maximum(A - 2.0, 0)  # many rows with fewer than k positive units
        assert ((A > 0).sum(axis=1) < 6).mean() > 0.2
    code = topk.select(A, 6, relu)
    assert code.idx.shape == code.vals.shape == (300, 6) and code.vals.dtype == A.dtype
    np.testing.assert_array_equal(code.dense(), A * _topk_reference(A, 6, relu))


def test_two_stage_threshold_finds_the_kth_largest_of_every_row(rng):
    # rows built so that the wanted entries crowd into few groups and many candidates tie
    # with the group maxima: the first stage's bound is loose there
    A = rng.normal(size=(500, 256))
    A[:100, :8] += 10.0                       # the top 8 in eight neighbouring columns
    A[100:200, ::32] += 10.0                  # group j holds columns j, j+32, …: one group
    A[200:300] = np.round(A[200:300], 1)      # many ties below the threshold
    flat, rows, counts, thr = topk.at_or_above_kth(A, 8, relu=False)
    kth = np.sort(A, axis=1)[:, -8]
    want = np.flatnonzero(A >= kth[:, None])
    np.testing.assert_array_equal(flat, want)
    assert thr is not None


def test_sparse_selection_keeps_exactly_k_when_values_tie(rng):
    A = rng.normal(size=(5, 40))
    A[1, :7] = A[1].max() + 1.0  # seven equal winners for four places
    A[2] = 0.0                   # a whole row ties (at zero)
    for relu in (False, True):
        H = topk.select(A, 4, relu).dense()
        assert (H[1] != 0).sum() == 4 and set(np.flatnonzero(H[1])) <= set(range(7))
        assert (H[2] != 0).sum() == 0
        for i in (0, 3, 4):
            want = A[i] * _topk_reference(A[i:i + 1], 4, relu)[0]
            np.testing.assert_array_equal(H[i], want)


@pytest.mark.parametrize("p", [40, 41], ids=["two-stage", "one-partition"])
@pytest.mark.parametrize("relu", [True, False])
def test_sparse_selection_keeps_nan_so_divergence_shows(rng, p, relu):
    A = np.maximum(rng.normal(size=(4, p)) - (1.5 if relu else 0), 0)
    A[2, 5] = np.nan
    code = topk.select(A, 3, relu=relu)
    assert np.isnan(code.vals[2]).any() and np.isfinite(code.vals[[0, 1, 3]]).all()


@pytest.mark.parametrize("kernel", ["scipy-kernel", "public-api"])
def test_scatter_rows_is_the_transpose_product(rng, kernel, monkeypatch):
    if kernel == "public-api":
        monkeypatch.setattr(topk, "_csc_matvecs", None)
    else:
        assert topk._csc_matvecs is not None  # this SciPy has the kernel the fast path uses
    A = np.maximum(rng.normal(size=(50, 64)) - 1.0, 0)
    code = topk.select(A, 5, relu=True)
    data, Y = rng.normal(size=(50, 5)), rng.normal(size=(50, 7))
    S = np.zeros((50, 64))
    np.add.at(S, (np.arange(50)[:, None], code.idx), data)
    np.testing.assert_allclose(topk.scatter_rows(code, data, Y), S.T @ Y, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(topk.scatter_rows(code, data[:, ::-1].copy()[:, ::-1], Y[::1]),
                               S.T @ Y, rtol=1e-12, atol=1e-14)  # a non-contiguous operand


def topk_reference(X, p, k, act, tied, pre_bias, lam, beta, sparsity):
    """J and gradients of a top-k autoencoder (mse, linear output), the plainest way."""
    f, df = ACT[act]
    m = X.shape[0]
    W2 = p["W1"].T if tied else p["W2"]
    Xe = X - p["b2"] if pre_bias else X
    A2 = f(Xe @ p["W1"].T + p["b1"])
    M = _topk_reference(A2, k, act == "relu")
    H = A2 * M
    d3 = (H @ W2.T + p["b2"] - X) / m
    J = 0.5 * m * np.sum(d3 ** 2)
    dH = d3 @ W2
    rh = H.mean(axis=0)
    if sparsity == "l1":
        J += beta * np.sum(np.abs(rh))
        dH = dH + beta * np.sign(rh) / m
    d2 = dH * M * df(A2)
    grads = {"W1": d2.T @ Xe + lam * p["W1"], "b1": d2.sum(0), "b2": d3.sum(0)}
    if pre_bias:
        grads["b2"] = grads["b2"] - d2.sum(0) @ p["W1"]
    if tied:
        grads["W1"] = grads["W1"] + H.T @ d3
        J += lam / 2 * np.sum(p["W1"] ** 2)
    else:
        grads["W2"] = d3.T @ H + lam * W2
        J += lam / 2 * (np.sum(p["W1"] ** 2) + np.sum(W2 ** 2))
    return J, grads


TOPK_CONFIGS = [
    dict(act="relu", tied=False, pre_bias=True, lam=0.0, beta=0.0, sparsity=None),
    dict(act="relu", tied=True, pre_bias=False, lam=1e-3, beta=0.2, sparsity="l1"),
    dict(act="linear", tied=True, pre_bias=False, lam=1e-3, beta=0.0, sparsity=None),
    dict(act="sigmoid", tied=False, pre_bias=True, lam=0.0, beta=0.0, sparsity=None),
]


@pytest.mark.parametrize("cfg", TOPK_CONFIGS,
                         ids=[f"{c['act']}-tied{c['tied']}-{c['sparsity']}" for c in TOPK_CONFIGS])
@pytest.mark.parametrize("sparse", [True, False], ids=["sparse-code", "dense-mask"])
def test_top_k_engine_equals_the_plain_formula(cfg, sparse, rng, split, monkeypatch):
    monkeypatch.setattr(topk, "MIN_WIDTH_PER_KEPT", 1 if sparse else 10**9)
    monkeypatch.setattr(topk, "ACTIVATIONS", frozenset(ACT))  # every activation, not only ReLU
    X = rng.normal(size=(300, 20))
    model = aelab.Autoencoder(48, activation=cfg["act"], k=5, tied=cfg["tied"],
                              pre_bias=cfg["pre_bias"], lam=cfg["lam"], beta=cfg["beta"],
                              sparsity=cfg["sparsity"], rho=0.0, epsilon=0.3)
    c = model._config()
    p = model._initial_params(X, c)
    p["b1"] = p["b1"] + rng.normal(-0.3, 0.3, size=p["b1"].shape)  # some rows < k positive
    p["b2"] = p["b2"] + rng.normal(0, 0.1, size=p["b2"].shape)
    J_ref, g_ref = topk_reference(X, p, 5, **cfg)
    ws = Workspace(np)
    calls = []
    if sparse:
        monkeypatch.setattr(topk, "select", lambda *a, _s=topk.select, **kw: calls.append(1) or _s(*a, **kw))
    for _ in range(3):  # reused buffers must not leak one evaluation into the next
        J, g = model._loss_and_grad(p, X, X, c, ws)
        assert float(J) == pytest.approx(J_ref, rel=1e-12)
        assert set(g) == set(g_ref)
        for key in g_ref:
            np.testing.assert_allclose(g[key], g_ref[key], rtol=1e-10, atol=1e-13, err_msg=key)
    assert bool(calls) == sparse  # the path under test is the one that ran


@pytest.mark.parametrize("kw", [
    dict(activation="relu", pre_bias=True, decoder_norm="unit", tied_init=True, optimizer="adam"),
    dict(activation="relu", tied=True, sparsity="l2", beta=0.5, rho=0.05),
    dict(activation="tanh", lam=1e-3),
])
def test_sparse_code_gradient_matches_central_differences(kw, rng, monkeypatch):
    monkeypatch.setattr(topk, "MIN_WIDTH_PER_KEPT", 1)
    monkeypatch.setattr(topk, "ACTIVATIONS", frozenset(ACT))
    X = rng.normal(size=(30, 8))
    model = aelab.Autoencoder(24, k=4, epsilon=0.3, **kw)
    c = model._config()
    p = model._initial_params(X, c)
    p["b1"] = p["b1"] + rng.normal(0.1, 0.2, size=p["b1"].shape)
    calls = []
    monkeypatch.setattr(topk, "select", lambda *a, _s=topk.select, **kw: calls.append(1) or _s(*a, **kw))
    # step 1e-5: with the L2 penalty on a tied ReLU code the truncation error of 1e-4 is
    # 5e-9 on either code path
    rd = aelab.check_gradient(model, X, params=p, step=1e-5)
    assert calls and rd < 1e-9, rd


def test_sae_training_is_the_same_with_the_sparse_code_and_the_dense_mask(monkeypatch):
    from aelab.datasets import make_superposition

    X = make_superposition(64, 16, 0.03, 1500, seed=1).X
    fits = {}
    for width in (1, 10**9):
        monkeypatch.setattr(topk, "MIN_WIDTH_PER_KEPT", width)
        with aelab.fixed_budget("two epochs, compared bit for bit across two code paths"):
            fits[width] = aelab.TopKSAE(n_hidden=96, k=4, max_iter=2, n_iter_no_change=None).fit(X)
    for key, value in fits[1].params_.items():
        np.testing.assert_allclose(value, fits[10**9].params_[key], rtol=1e-8, atol=1e-11)
    assert fits[1].loss_curve_ == pytest.approx(fits[10**9].loss_curve_, rel=1e-10)


def test_the_sae_workload_takes_the_sparse_path():
    # notebook 09's SAE (512 units, k = 8) is where the sparse code pays
    assert topk.worth_it(8, 512) and not topk.worth_it(25, 100) and not topk.worth_it(None, 512)
    from aelab.autoencoder import _sparse_code

    assert _sparse_code(np, aelab.TopKSAE()._config())
    # linear k-sparse models (notebook 05) keep the dense path, and so their bits
    assert not _sparse_code(np, aelab.KSparseAutoencoder(n_hidden=1000, k=10)._config())


def test_auxk_sees_the_same_fired_latents_on_both_code_paths(rng, monkeypatch):
    X = rng.normal(size=(200, 12))
    model = aelab.Autoencoder(64, activation="relu", k=3, aux_k=6, aux_coef=0.5, pre_bias=True,
                              decoder_norm="unit", tied_init=True, optimizer="adam", epsilon=0.3)
    c = model._config()
    p = model._initial_params(X, c)
    p["b1"] = p["b1"] + rng.normal(-0.5, 0.3, size=p["b1"].shape)
    dead = rng.random(64) < 0.3
    out = {}
    for width in (1, 10**9):
        monkeypatch.setattr(topk, "MIN_WIDTH_PER_KEPT", width)
        aux = {"dead": dead}
        out[width] = model._loss_and_grad(p, X, X, c, Workspace(np), aux=aux) + (aux["fired"],)
    (J1, g1, f1), (J2, g2, f2) = out[1], out[10**9]
    np.testing.assert_array_equal(f1, f2)
    assert 0 < f1.sum() < 64 and float(J1) == pytest.approx(float(J2), rel=1e-12)
    for key in g2:
        np.testing.assert_allclose(g1[key], g2[key], rtol=1e-10, atol=1e-13, err_msg=key)


def test_flat_adam_takes_the_same_steps_as_the_per_array_loop(monkeypatch):
    from aelab import optimize
    from aelab.datasets import make_superposition

    X = make_superposition(64, 16, 0.03, 1200, seed=1, dtype="float32").X
    fits = {}
    for flat in (True, False):
        if not flat:
            monkeypatch.setattr(optimize._FlatAdam, "of", classmethod(lambda cls, p: None))
        with aelab.fixed_budget("three epochs, compared bit for bit"):
            fits[flat] = aelab.TopKSAE(n_hidden=96, k=4, max_iter=3, n_iter_no_change=None,
                                       dtype="float32").fit(X)
    for key, value in fits[True].params_.items():
        assert value.dtype == np.float32
        np.testing.assert_array_equal(value, fits[False].params_[key], err_msg=key)
    np.testing.assert_allclose(np.linalg.norm(fits[True].params_["W2"], axis=0), 1, rtol=1e-5)
