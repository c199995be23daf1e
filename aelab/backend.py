"""Array namespaces: which library holds the data, and moving arrays to and from the host.

The engine never imports NumPy or CuPy for its arithmetic. It asks the input array for its
namespace (the Python array API standard's ``__array_namespace__``) and calls that. NumPy
arrays get NumPy, CuPy arrays get CuPy, and ``array_api_strict`` arrays get the strict
reference namespace, which is how the tests check, on a machine without a GPU, that the
engine uses only what every array library provides.

Taught in notebooks/00-start-here.ipynb.
"""
from __future__ import annotations

import sys

import numpy as np

from .blocks import blas_controller, map_shards, run_rowwise, shard_rows

__all__ = [
    "get_namespace",
    "to_numpy",
    "asarray_like",
    "available_backends",
    "is_numpy",
    "blas_threads",
    "colsum",
    "sumsq",
    "Workspace",
]


def get_namespace(*arrays):
    """Return the array namespace shared by ``arrays``.

    Parameters
    ----------
    *arrays : array objects
        NumPy, CuPy or any array-API arrays. Python scalars and ``None`` are ignored.

    Returns
    -------
    xp : module
        ``numpy`` for NumPy arrays (NumPy's own module, so fast paths such as ``out=`` stay
        available), ``cupy`` for CuPy arrays, otherwise the array's ``__array_namespace__()``.

    Taught in notebooks/00-start-here.ipynb.
    """
    spaces = []
    for a in arrays:
        if a is None or isinstance(a, (int, float, bool, complex)):
            continue
        if isinstance(a, np.ndarray) or isinstance(a, np.generic):
            xp = np
        elif type(a).__module__.split(".")[0] == "cupy":
            # CuPy itself: its arrays gained __array_namespace__ only in CuPy 14
            xp = sys.modules["cupy"]
        elif hasattr(a, "__array_namespace__"):
            xp = a.__array_namespace__()
        else:
            xp = np
        if not any(xp is s for s in spaces):
            spaces.append(xp)
    if not spaces:
        return np
    if len(spaces) > 1:
        names = ", ".join(getattr(s, "__name__", str(s)) for s in spaces)
        raise TypeError(f"arrays come from different libraries ({names}); move them to one first")
    return spaces[0]


def is_numpy(xp) -> bool:
    """True when ``xp`` is NumPy itself (not a wrapper such as ``array_api_strict``)."""
    return xp is np


def to_numpy(x) -> np.ndarray:
    """Copy ``x`` to the host as a NumPy array (no copy when it already is one).

    CuPy arrays go through ``.get()``; other array-API arrays through DLPack or the
    buffer protocol.

    Taught in notebooks/00-start-here.ipynb.
    """
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "get") and type(x).__module__.startswith("cupy"):
        return x.get()
    try:
        return np.asarray(x)
    except Exception:  # array_api_strict refuses __array__ in recent versions
        return np.from_dlpack(x)


def asarray_like(a, like, dtype=None):
    """Put host array ``a`` into the namespace and on the device of ``like``.

    Used for the few things the engine makes on the host: random initial weights, noise
    masks, and the flat parameter vector L-BFGS works on.
    """
    xp = get_namespace(like)
    a = np.asarray(a)
    if dtype is not None:
        a = a.astype(_numpy_dtype(dtype), copy=False)
    if xp is np:
        return a
    device = getattr(like, "device", None)
    try:
        return xp.asarray(a, device=device)
    except TypeError:
        return xp.asarray(a)


def _numpy_dtype(dtype):
    name = getattr(dtype, "name", None) or str(dtype)
    name = name.rsplit(".", 1)[-1]
    return np.dtype(name)


def available_backends() -> dict:
    """Which array libraries can run the engine here.

    Returns
    -------
    dict
        ``{"numpy": True, "cupy": bool, "array_api_strict": bool}``, where ``cupy`` is
        true only when CuPy imports *and* sees a CUDA device.

    Taught in notebooks/00-start-here.ipynb.
    """
    found = {"numpy": True, "cupy": False, "array_api_strict": False}
    try:
        import cupy  # noqa: F401

        found["cupy"] = cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        pass
    try:
        import array_api_strict  # noqa: F401

        found["array_api_strict"] = True
    except Exception:
        pass
    return found


# Below this many multiply-adds per matrix product, aelab runs host BLAS on one thread.
# Measured here (2 cores): on an idle machine a second thread speeds a product up by at most
# 1.8x, but when the other core is busy (a second kernel, a browser, Binder's shared CPU) every
# threaded call waits for it, and the UFLDL fit took 41 s instead of 2 s; a 64x784x1000
# minibatch product 9 s an epoch instead of 0.7 s. Only large products earn the risk.
_SMALL_PRODUCT = 2e8


_SMALLEST_THREADED = 4 * 65536  # OpenBLAS itself never threads products below this


def blas_threads(xp, m, n, p, *, whole_run=False):
    """A context manager limiting the host BLAS to the threads that pay off for an m×n×p product.

    Only NumPy uses host BLAS; other namespaces and products large enough to earn a second
    thread get a no-op context. For a single evaluation (``whole_run=False``) products too
    small for OpenBLAS to thread are left alone too, because entering the limit costs about
    0.4 ms, more than a small objective. A whole training run (``whole_run=True``) is always
    limited: L-BFGS's own vector operations and the objective's dot products are threaded by
    OpenBLAS even when the matrix products are not, and on a busy machine each threaded call
    stalls (measured: a 500×64→6 linear fit took 11 s instead of 0.13 s).
    The thread-pool controller is built once: building it inspects every loaded library.
    """
    import contextlib

    size = m * n * p
    tiny = size < _SMALLEST_THREADED and not whole_run
    if not is_numpy(xp) or tiny or size >= _SMALL_PRODUCT:
        return contextlib.nullcontext()
    return blas_controller().limit(limits=1, user_api="blas")


# Reductions written as matrix products. NumPy's ``sum(axis=0)`` of a tall, narrow array walks
# memory with a stride; a product with a vector of ones streams it through BLAS instead,
# about three times faster here, and works in every array-API namespace.
def colsum(xp, A):
    """Σᵢ Aᵢⱼ for each column j: shape (n,) for A of shape (m, n)."""
    ones = xp.ones((A.shape[0],), dtype=A.dtype, device=getattr(A, "device", None))
    return ones @ A


def sumsq(xp, A):
    """Σ A², the squared Frobenius norm, as one dot product of the flattened array."""
    flat = xp.reshape(A, (-1,))
    return flat @ flat


class Workspace:
    """Reusable output buffers for the large temporaries of one training run (NumPy only).

    Each objective evaluation needs a few arrays as large as the data (the reconstruction and
    its error, m × n). Allocating them afresh costs more than the arithmetic: the operating
    system hands out new pages that are zeroed and faulted in one at a time (measured here:
    25 ms to allocate and fill a 5 000 × 784 float64 array, 2 ms to refill an existing one).
    A training run therefore keeps one buffer per temporary and writes into it with ``out=``.

    Other namespaces (CuPy has its own memory pool; the array API has no ``out=``) get plain
    expressions. A workspace belongs to one ``fit`` call, so concurrent fits never share one.
    """

    rows = None  # the slice of the batch's rows this workspace holds; None: all (see shards)

    def __init__(self, xp, rows=None):
        self.enabled = is_numpy(xp)
        self._buffers = {}
        self._shards = {}
        if rows is not None:
            self.rows = rows

    def shards(self, m, work_per_row):
        """Workspaces for shards of an m-row batch that may be evaluated in parallel.

        Each has its own buffers and its rows in ``.rows`` (a slice). There is one shard,
        this workspace itself, unless it is enabled (NumPy), several cores are available and
        the products are large enough to share (:func:`aelab.blocks.shard_rows`).
        ``take`` selects a shard's rows of a batch array.
        """
        if not self.enabled:
            return [self]
        key = (m, work_per_row)
        if key not in self._shards:
            rows = shard_rows(m, work_per_row)
            self._shards[key] = [self] if len(rows) == 1 else [Workspace(np, r) for r in rows]
        return self._shards[key]

    def take(self, A):
        """This workspace's rows of the batch array A (A itself when it holds all rows)."""
        return A if self.rows is None else A[self.rows]

    @staticmethod
    def map(fn, shards, *per_shard):
        """``[fn(shard, *items) for each shard]``, on several threads when there are several
        shards (:func:`aelab.blocks.map_shards`); ``per_shard`` are lists aligned with them."""
        if len(shards) == 1:
            return [fn(shards[0], *(items[0] for items in per_shard))]
        return map_shards(lambda i: fn(shards[i], *(items[i] for items in per_shard)), len(shards))

    def _buffer(self, name, shape, dtype):
        # Keyed by shape too: minibatch training alternates full and last, shorter batches.
        key = (name, shape, np.dtype(dtype))
        buf = self._buffers.get(key)
        if buf is None:
            buf = self._buffers[key] = np.empty(shape, dtype=dtype)
        return buf

    def matmul(self, name, A, B):
        """A @ B, into the buffer ``name`` when enabled."""
        if not self.enabled:
            return A @ B
        out = self._buffer(name, (A.shape[0], B.shape[1]), np.result_type(A, B))
        return np.matmul(A, B, out=out)

    def subtract(self, name, A, B):
        """A − B, into the buffer ``name`` when enabled."""
        if not self.enabled:
            return A - B
        return np.subtract(A, B, out=self._buffer(name, A.shape, np.result_type(A, B)))

    def rowwise(self, fn, *arrays):
        """Run the elementwise chain ``fn`` over cache-sized blocks of rows.

        A chain such as bias, sigmoid, error, σ' and scale is a dozen passes over an m × n
        array; over blocks of rows that stay in the L2 cache only the first read and the last
        write reach memory (:func:`aelab.blocks.run_rowwise`).

        Parameters
        ----------
        fn : callable ``(*blocks) -> (result, value)``
            Applied to the same rows of every array. ``result`` (shaped as the first block)
            is written into the first array's rows unless ``fn`` computed it there in place;
            ``value`` (a scalar or ``None``) is summed over the blocks in block order.
        *arrays : arrays with the same number of rows
            The first is overwritten with the result.

        Returns
        -------
        result : array, shape of ``arrays[0]``
            The first array itself on NumPy; elsewhere whatever ``fn`` returned for one call
            on the whole arrays (CuPy runs each step on the GPU at full width, and the array
            API promises no in-place views).
        value : scalar or None
        """
        if not self.enabled:
            return fn(*arrays)
        return run_rowwise(fn, arrays)


NO_WORKSPACE = Workspace(None)
