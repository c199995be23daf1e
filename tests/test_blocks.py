"""Row blocks and shards (aelab.blocks): the fast evaluation must be the same maths.

Each optimisation is checked against the straightforward evaluation: the engine with one
thread and whole arrays, or a plain NumPy formula.
"""
import warnings

import numpy as np
import pytest

import aelab
from aelab import blocks
from aelab.activations import ACTIVATIONS
from aelab.backend import Workspace


@pytest.fixture
def small_shards(monkeypatch):
    """Shard and block sizes small enough that a test-sized batch is split many ways."""
    monkeypatch.setattr(blocks, "SHARD_WORK", 1.0)
    monkeypatch.setattr(blocks, "BALANCE_WORK", 1.0)
    monkeypatch.setattr(blocks, "MIN_SHARD_ROWS", 16)
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 1024)
    monkeypatch.setattr(blocks, "_threads", 2)
    yield
    blocks.set_threads(None)


def _evaluate(model, X, threads, X_in=None):
    blocks.set_threads(threads)
    c = model._config()
    p = model._initial_params(X, c)
    ws = Workspace(np)
    J, g = model._loss_and_grad(p, X if X_in is None else X_in, X, c, ws)
    return float(J), g, ws.shards(X.shape[0], X.shape[1] * c.n_hidden)


CASES = {
    "sparse-kl": dict(output_activation="sigmoid", sparsity="kl", rho=0.1, beta=3.0),
    "tied-l2-tanh": dict(activation="tanh", output_activation="linear", tied=True,
                         sparsity="l2", rho=0.1),
    "ksparse": dict(activation="linear", output_activation="linear", tied=True, k=3,
                    beta=0.0),
    "cross-entropy": dict(loss="cross_entropy", output_activation="sigmoid", sparsity="l1",
                          rho=0.2, beta=0.5),
    "relu": dict(activation="relu", output_activation="linear", beta=0.0, lam=1e-3),
}


@pytest.mark.parametrize("kw", CASES.values(), ids=CASES.keys())
def test_sharded_blocked_evaluation_equals_the_whole_batch(kw, rng, small_shards):
    X = rng.uniform(0.05, 0.95, size=(203, 24))  # 203: shards and blocks of unequal size
    model = aelab.Autoencoder(7, epsilon=0.3, random_state=1, **kw)
    J1, g1, one = _evaluate(model, X, threads=1)
    J2, g2, many = _evaluate(model, X, threads=2)
    assert len(one) == 1 and len(many) == 4  # the comparison really is sharded
    assert J2 == pytest.approx(J1, rel=1e-12)
    for k in g1:
        np.testing.assert_allclose(g2[k], g1[k], rtol=1e-10, atol=1e-14)


def test_sharded_results_do_not_depend_on_thread_timing(rng, small_shards):
    X = rng.uniform(0.05, 0.95, size=(400, 30))
    model = aelab.SparseAutoencoder(n_hidden=9, random_state=0)
    runs = [_evaluate(model, X, threads=2)[:2] for _ in range(5)]
    for J, g in runs[1:]:
        assert J == runs[0][0]
        for k in g:
            assert np.array_equal(g[k], runs[0][1][k])


def test_sharded_fit_matches_serial_fit(rng, small_shards):
    X = rng.uniform(0.1, 0.9, size=(300, 16))
    blocks.set_threads(1)
    a = aelab.SparseAutoencoder(n_hidden=6, max_iter=30, random_state=0).fit(X)
    blocks.set_threads(2)
    b = aelab.SparseAutoencoder(n_hidden=6, max_iter=30, random_state=0).fit(X)
    assert b.loss_curve_[-1] == pytest.approx(a.loss_curve_[-1], rel=1e-8)
    np.testing.assert_allclose(b.params_["W1"], a.params_["W1"], rtol=1e-6, atol=1e-9)


def test_denoising_shards_see_the_corrupted_input(rng, small_shards):
    X = rng.uniform(0.1, 0.9, size=(160, 12))
    X_in = X * (rng.random(X.shape) > 0.3)
    model = aelab.Autoencoder(5, sparsity=None, beta=0.0, random_state=2)
    J1, g1, _ = _evaluate(model, X, threads=1, X_in=X_in)
    J2, g2, _ = _evaluate(model, X, threads=2, X_in=X_in)
    J0, _, _ = _evaluate(model, X, threads=2)
    assert J2 == pytest.approx(J1, rel=1e-12) and J0 != pytest.approx(J1, rel=1e-6)


def test_run_rowwise_blocks_agree_with_one_pass(rng):
    A = rng.normal(size=(1001, 37))
    B = rng.normal(size=(1001, 37))
    expected = np.tanh(A) * B

    def chain(a, b):
        np.tanh(a, out=a)
        a *= b
        return a, float(np.sum(a))

    out, total = blocks.run_rowwise(chain, [A.copy(), B], block_bytes=2048)
    np.testing.assert_allclose(out, expected, rtol=1e-15)
    assert total == pytest.approx(expected.sum(), rel=1e-12)

    # A chain that cannot work in place has its result copied into the first array.
    first = A.copy()
    out, total = blocks.run_rowwise(lambda a: (a * 2.0, None), [first], block_bytes=2048)
    assert out is first and total is None
    np.testing.assert_array_equal(first, 2.0 * A)


def _blas_threads():
    return {lc.internal_api: lc.get_num_threads()
            for lc in blocks.blas_controller().lib_controllers if lc.user_api == "blas"}


def test_map_shards_holds_blas_to_one_thread_and_restores_it():
    before = _blas_threads()
    seen = blocks.map_shards(lambda i: _blas_threads(), 6)
    assert all(n == 1 for s in seen for n in s.values())
    assert _blas_threads() == before


def test_map_shards_returns_in_order_and_propagates_errors():
    blocks.set_threads(2)
    try:
        assert blocks.map_shards(lambda i: i * i, 9) == [i * i for i in range(9)]
        before = _blas_threads()

        def fail(i):
            if i == 5:
                raise FloatingPointError("shard 5")
            return i

        with pytest.raises(FloatingPointError, match="shard 5"):
            blocks.map_shards(fail, 8)
        assert _blas_threads() == before
    finally:
        blocks.set_threads(None)


def test_shard_rows_respects_threads_size_and_minimum_rows():
    blocks.set_threads(1)
    assert blocks.shard_rows(100_000, 1e6) == [slice(0, 100_000)]
    blocks.set_threads(2)
    try:
        rows = blocks.shard_rows(5000, 784 * 196)
        assert len(rows) == 4 and rows[0].start == 0 and rows[-1].stop == 5000
        assert all(a.stop == b.start for a, b in zip(rows, rows[1:]))
        assert blocks.shard_rows(64, 784 * 1000) == [slice(0, 64)]  # a minibatch stays whole
        assert blocks.shard_rows(10_000, 2) == [slice(0, 10_000)]  # too little work
        # A mid-sized batch gets one shard per thread: 10 000 × 64 → 25 is 16e6 multiply-adds.
        assert blocks.shard_rows(10_000, 64 * 25) == [slice(0, 5000), slice(5000, 10_000)]
    finally:
        blocks.set_threads(None)


def test_thread_settings():
    assert 1 <= blocks.available_cores() <= (__import__("os").cpu_count() or 1)
    assert 1 <= blocks.get_threads() <= 4
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="positive integer"):
            blocks.set_threads(bad)


def test_the_core_count_is_read_again_only_after_a_few_seconds(monkeypatch):
    reads = []
    clock = [1000.0]
    monkeypatch.setattr(blocks, "available_cores", lambda: reads.append(1) or 3)
    monkeypatch.setattr(blocks, "_clock", lambda: clock[0])
    monkeypatch.setitem(blocks._cores, "at", None)
    blocks.set_threads(None)
    assert [blocks.get_threads() for _ in range(50)] == [3] * 50
    assert len(reads) == 1                       # not once per evaluation
    monkeypatch.setattr(blocks, "available_cores", lambda: reads.append(1) or 1)
    clock[0] += blocks._CORES_TTL + 0.1          # a quota lowered meanwhile is noticed
    assert blocks.get_threads() == 1 and len(reads) == 2
    blocks.set_threads(2)                        # an explicit setting wins
    try:
        assert blocks.get_threads() == 2
    finally:
        blocks.set_threads(None)
        blocks._cores["at"] = None


def test_float64_sigmoid_is_exact_and_quiet_at_the_extremes():
    z = np.array([-1000.0, -40.0, -1.0, 0.0, 2.0, 40.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = ACTIVATIONS["sigmoid"].f(np, z.copy(), inplace=True)
    exact = np.array([0.0, np.exp(-40.0) / (1 + np.exp(-40.0)), 1 / (1 + np.e), 0.5,
                      1 / (1 + np.exp(-2.0)), 1.0, 1.0])
    np.testing.assert_allclose(a, exact, rtol=1e-15, atol=0)
    a32 = ACTIVATIONS["sigmoid"].f(np, z.astype(np.float32), inplace=False)
    assert a32.dtype == np.float32
    np.testing.assert_allclose(a32[1:-1], exact[1:-1], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("exp_form", [True, False], ids=["exp-form", "tanh-form"])
def test_float32_sigmoid_forms_agree_with_float64_and_stay_quiet(monkeypatch, rng, exp_form):
    # Which form runs depends on the processor (activations._avx512_tanh); both must be
    # float32-accurate everywhere, including where e^{-z} overflows float32 (z < -88.7).
    from aelab import activations

    forms = {np.dtype(np.float64)} | ({np.dtype(np.float32)} if exp_form else set())
    monkeypatch.setattr(activations, "_EXP_FORM", forms)
    z = np.concatenate([rng.normal(scale=6.0, size=2000), [-1000.0, -100.0, -88.0, 0.0,
                                                           88.0, 100.0, 1000.0]])
    with np.errstate(over="ignore"):
        exact = 1.0 / (1.0 + np.exp(-z))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = ACTIVATIONS["sigmoid"].f(np, z.astype(np.float32), inplace=True)
    assert a.dtype == np.float32 and np.all((a >= 0) & (a <= 1))
    # Both are within half a float32 step of 1 absolutely; the e^{-z} form is also
    # relatively accurate far out in the lower tail, where ½(1 + tanh(z/2)) cancels.
    np.testing.assert_allclose(a, exact, rtol=2e-6, atol=6e-8)
    if exp_form:
        np.testing.assert_allclose(a, exact, rtol=2e-6, atol=1e-37)

@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_mul_df_is_g_times_the_derivative(name, rng):
    act = ACTIVATIONS[name]
    z = rng.normal(size=(50, 8))
    a = act.f(np, z.copy())
    G = rng.normal(size=z.shape)
    expected = G * act.df(np, a)
    got = act.mul_df(np, G.copy(), a.copy())
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_a_forked_child_still_shards_on_two_threads():
    import os
    import threading

    def both_at_once(i, barrier):
        barrier.wait(timeout=5)  # passes only if two threads hold a shard at the same time
        return i

    blocks.set_threads(2)
    try:
        barrier = threading.Barrier(2)
        assert blocks.map_shards(lambda i: both_at_once(i, barrier), 2) == [0, 1]
        pid = os.fork()
        if pid == 0:  # the child has none of the parent's threads: it needs a fresh pool
            try:
                barrier = threading.Barrier(2)
                ok = blocks.map_shards(lambda i: both_at_once(i, barrier), 2) == [0, 1]
            except BaseException:
                ok = False
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        blocks.set_threads(None)
