"""Splitting an objective evaluation by rows: cache-sized blocks, and shards for the cores.

An objective evaluation is a handful of matrix products and, between them, chains of
elementwise steps: add the bias, apply the sigmoid, subtract the target, multiply by σ',
scale. Every row (example) is independent except where the rows are summed (ρ̂, the
gradients), so the work can be split by rows in two ways.

**Blocks, for the cache.** NumPy runs each step of a chain as one pass over the whole array.
:func:`run_rowwise` runs the whole chain on a block of rows small enough to stay in the L2
cache, then moves to the next block, so the data comes from memory once per chain instead of
once per step.

**Shards, for the cores.** NumPy's elementwise steps use one core, and OpenBLAS's idle
threads keep spinning on the other cores for a while after each threaded product, so a
second thread for the elementwise work alone finds no free core (measured here: no gain).
:func:`map_shards` instead gives each thread whole shards of rows, products included, with
BLAS held to one thread while it runs; the engine sums the shards' partial results in shard
order. Scheduling is dynamic (each thread takes the next shard from a shared counter), so a
core that another process is using simply does fewer shards.

Results do not depend on which thread did what: shard results are combined in shard order.
They can differ in the last bits from an unsharded evaluation (sums are grouped by shard).

The number of threads is the number of cores this process may use, read from its CPU
affinity and its cgroup quota (a Binder pod sees all the host's cores but may use one), at
most four; :func:`set_threads` overrides it, and ``set_threads(1)`` turns sharding off.

Used by :class:`aelab.backend.Workspace`, which the engine in ``autoencoder.py`` calls.
"""
from __future__ import annotations

import itertools
import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

__all__ = [
    "BLOCK_BYTES",
    "SHARD_WORK",
    "MIN_SHARD_ROWS",
    "run_rowwise",
    "BALANCE_WORK",
    "shard_rows",
    "map_shards",
    "available_cores",
    "set_threads",
    "get_threads",
    "blas_controller",
]

# Bytes per array in one block: a chain touches about three blocks (pre-activation, target,
# error): 1.5 MiB, inside a 2 MiB L2 cache (measured here, 5 000 × 784: 512 KiB blocks beat
# 128 and 256 KiB by a few per cent, and whole arrays by a third).
BLOCK_BYTES = 512 * 1024
_MIN_BLOCK_ROWS = 8
# Multiply-adds of one matrix product below which a shard is not worth a thread hand-off
# (about 50 µs): a shard of 4e6 multiply-adds is still about 1 ms of products per evaluation.
SHARD_WORK = 4e6
# Rows below which a shard is not worth it however wide the layers: on a minibatch of 64 the
# many small NumPy calls of a shard contend for the GIL (measured here: a k-sparse epoch of
# 64-row batches, 784 → 1000, took 1.5 s on 2 threads, 0.9 s on one).
MIN_SHARD_ROWS = 256
# Shards per thread: two when each still holds BALANCE_WORK multiply-adds, so that a thread
# slowed by another process hands its share to the others; one for smaller problems, where
# the extra hand-offs cost more (measured here, the UFLDL evaluation, 10 000 × 64 → 25:
# 6.8 ms a call with two shards against 7.4 ms with four, medians of 12).
_SHARDS_PER_THREAD = 2
BALANCE_WORK = 16e6
_MAX_THREADS = 4

_threads = None
_cores = {"n": 1, "at": None}  # get_threads' cached reading of available_cores
_CORES_TTL = 5.0  # seconds
_clock = time.monotonic
_pool = None
_controller = None
_pin_lock = threading.Lock()
_pin = {"depth": 0, "saved": []}


def available_cores() -> int:
    """The cores this process may use: its CPU affinity, capped by a cgroup v2 CPU quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max") as fh:  # "<quota> <period>", or "max <period>"
            quota, period = fh.read().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.floor(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def set_threads(n=None):
    """Use ``n`` threads for sharded evaluations (``None``: the available cores, at most 4)."""
    global _threads
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"n={n!r} must be a positive integer or None")
    _threads = n


def get_threads() -> int:
    """The number of threads sharded evaluations use now."""
    if _threads is not None:
        return _threads
    # Every evaluation asks; reading the affinity and the cgroup file each time cost 0.1 ms
    # (0.2 s of a 4 s UFLDL fit here). They rarely change: read them again every few seconds.
    now = _clock()
    if _cores["at"] is None or now - _cores["at"] > _CORES_TTL:
        _cores["n"], _cores["at"] = min(available_cores(), _MAX_THREADS), now
    return _cores["n"]


def blas_controller():
    """threadpoolctl's controller of the loaded libraries, built once (building it inspects
    every loaded library and takes milliseconds)."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller


def run_rowwise(fn, arrays, block_bytes=None):
    """Apply the elementwise chain ``fn`` to the same block of rows of every array in turn.

    Parameters
    ----------
    fn : callable ``(*blocks) -> (result, value)``
        ``result`` (shaped as the first block) is written into the first array's rows unless
        ``fn`` computed it there in place; ``value`` (a scalar or ``None``) is summed.
    arrays : sequence of 2-D NumPy arrays with the same number of rows
    block_bytes : int, optional
        Bytes per block of the widest array (``BLOCK_BYTES``).

    Returns
    -------
    result : the first array, overwritten
    value : the sum of the blocks' values in block order, or ``None``
    """
    first = arrays[0]
    widest = max(a.shape[1] * a.itemsize for a in arrays)
    step = max(_MIN_BLOCK_ROWS, (block_bytes or BLOCK_BYTES) // max(widest, 1))
    total = None
    for start in range(0, first.shape[0], step):
        blocks = [a[start:start + step] for a in arrays]
        result, value = fn(*blocks)
        if result is not blocks[0]:  # a chain that could not work in place
            blocks[0][...] = result
        if value is not None:
            total = value if total is None else total + value
    return first, total


def shard_rows(m, work_per_row):
    """Row slices to evaluate in parallel: ``[slice(0, m)]`` when one thread is enough.

    Parameters
    ----------
    m : int
        Rows (examples) in the batch.
    work_per_row : float
        Multiply-adds per row of the largest matrix product (n_features × n_hidden).
    """
    threads = get_threads()
    if threads == 1:
        return [slice(0, m)]
    work = m * work_per_row
    per_thread = _SHARDS_PER_THREAD if work >= threads * _SHARDS_PER_THREAD * BALANCE_WORK else 1
    n = min(threads * per_thread, int(work // SHARD_WORK), m // MIN_SHARD_ROWS)
    if n < 2:
        return [slice(0, m)]
    bounds = [round(i * m / n) for i in range(n + 1)]
    return [slice(a, b) for a, b in zip(bounds, bounds[1:])]


def _forget_pool_after_fork():
    # A forked child has none of the parent's threads (and maybe a lock held by one of them).
    global _pool, _pin_lock
    _pool = None
    _cores["at"] = None
    _pin_lock = threading.Lock()
    _pin["depth"], _pin["saved"] = 0, []


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_after_fork)


def _helpers():
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=_MAX_THREADS - 1, thread_name_prefix="aelab-shard")
    return _pool


class _OneBlasThread:
    """Hold every BLAS library to one thread while any sharded evaluation runs.

    OpenBLAS's thread count is global to the process, and concurrent fits (an Explorer
    retraining while a cell trains) may shard at the same time: the first to enter saves the
    counts and the last to leave restores them.
    """

    def __enter__(self):
        with _pin_lock:
            if _pin["depth"] == 0:
                libs = [lc for lc in blas_controller().lib_controllers if lc.user_api == "blas"]
                _pin["saved"] = [(lc, lc.get_num_threads()) for lc in libs]
                for lc, n in _pin["saved"]:
                    if n != 1:
                        lc.set_num_threads(1)
            _pin["depth"] += 1

    def __exit__(self, *exc):
        with _pin_lock:
            _pin["depth"] -= 1
            if _pin["depth"] == 0:
                for lc, n in _pin["saved"]:
                    if n != 1:
                        lc.set_num_threads(n)
                _pin["saved"] = []


def map_shards(fn, n):
    """``[fn(0), …, fn(n − 1)]``, computed by up to :func:`get_threads` threads.

    The calling thread takes part; helpers that are still queued when it has finished (the
    pool busy with another fit's shards) are cancelled rather than waited for. BLAS runs on
    one thread meanwhile, so that the threads do not compete with BLAS's own.
    """
    if n == 1:
        return [fn(0)]
    results = [None] * n
    counter = itertools.count()  # next() on it is atomic under the GIL

    def drain():
        while (i := next(counter)) < n:
            results[i] = fn(i)

    with _OneBlasThread():
        helpers = [_helpers().submit(drain) for _ in range(min(get_threads(), n) - 1)]
        try:
            drain()
        finally:
            for h in helpers:
                if not h.cancel():
                    h.result()
    return results
