"""W6: a top-k sparse autoencoder epoch, aelab's engine against a plain NumPy one written here.

The workload of notebook 09: 20 000 examples of 256 true features in 64 dimensions, a
512-latent ReLU top-k SAE (k = 8), unit-norm decoder columns, pre-encoder bias, Adam with
batches of 256, one epoch, float32. The plain version below is what a careful NumPy user
would write for the same maths (a partition threshold for top-k, the same Adam); PyTorch's, when torch is
installed, is the same model again. All three are timed in turns in one run.

Run:  python -m benchmarks.bench_sae
"""
from __future__ import annotations

import os
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import aelab  # noqa: E402
from aelab.datasets import make_superposition  # noqa: E402

N, D, P, K, BATCH, LR = 20_000, 64, 512, 8, 256, 3e-3


def data():
    return make_superposition(256, D, 0.02, N, seed=0, dtype="float32").X


def aelab_epoch(X):
    model = aelab.TopKSAE(n_hidden=P, k=K, max_iter=1, batch_size=BATCH, learning_rate=LR,
                          dtype="float32", n_iter_no_change=None)
    with aelab.fixed_budget("one epoch is the workload"):
        model.fit(X)
    return model


def plain_epoch(X, seed=0):
    """One epoch of the same top-k SAE in plain NumPy (no aelab)."""
    rng = np.random.default_rng(seed)
    r = np.sqrt(6.0 / (D + P + 1))
    Wd = rng.uniform(-r, r, (D, P)).astype(np.float32)
    Wd /= np.linalg.norm(Wd, axis=0)
    p = {"We": Wd.T.copy(), "be": np.zeros(P, np.float32), "Wd": Wd,
         "bd": np.zeros(D, np.float32)}
    m1 = {k: np.zeros_like(v) for k, v in p.items()}
    m2 = {k: np.zeros_like(v) for k, v in p.items()}
    order = rng.permutation(len(X))
    for t, s in enumerate(range(0, len(X), BATCH), 1):
        x = X[order[s:s + BATCH]]
        m = len(x)
        xc = x - p["bd"]
        a = np.maximum(xc @ p["We"].T + p["be"], 0)
        # the k-th largest as a threshold (np.partition: argpartition is many times slower
        # on rows full of ReLU zeros); entries tied at 0 contribute 0 either way
        thr = np.partition(a, P - K, axis=1)[:, P - K:P - K + 1]
        h = np.where(a >= thr, a, np.float32(0))
        xh = h @ p["Wd"].T + p["bd"]
        d3 = (xh - x) / m
        g = {"Wd": d3.T @ h, "bd": d3.sum(0)}
        d2 = (d3 @ p["Wd"]) * (h > 0)
        g["We"] = d2.T @ xc
        g["be"] = d2.sum(0)
        g["bd"] -= g["be"] @ p["We"]
        g["Wd"] -= p["Wd"] * np.sum(p["Wd"] * g["Wd"], axis=0)
        for k in p:
            m1[k] = 0.9 * m1[k] + 0.1 * g[k]
            m2[k] = 0.999 * m2[k] + 0.001 * g[k] * g[k]
            p[k] -= (LR / (1 - 0.9 ** t)) * m1[k] / (np.sqrt(m2[k] / (1 - 0.999 ** t)) + 1e-8)
        p["Wd"] /= np.linalg.norm(p["Wd"], axis=0)
    return p


def torch_epoch(torch, X):
    Xt = torch.from_numpy(X)
    g = torch.Generator().manual_seed(0)
    r = float(np.sqrt(6.0 / (D + P + 1)))
    Wd = (torch.rand(D, P, generator=g) * 2 - 1) * r
    Wd /= Wd.norm(dim=0)
    We = torch.nn.Parameter(Wd.T.clone())
    Wd = torch.nn.Parameter(Wd)
    be, bd = torch.nn.Parameter(torch.zeros(P)), torch.nn.Parameter(torch.zeros(D))
    opt = torch.optim.Adam([We, be, Wd, bd], lr=LR)
    order = torch.randperm(len(X), generator=g)
    for s in range(0, len(X), BATCH):
        x = Xt[order[s:s + BATCH]]
        a = torch.relu((x - bd) @ We.T + be)
        v, i = a.topk(K, dim=1)
        h = torch.zeros_like(a).scatter(1, i, v)
        loss = 0.5 * ((h @ Wd.T + bd - x) ** 2).sum(1).mean()
        opt.zero_grad()
        loss.backward()
        with torch.no_grad():
            Wd.grad -= Wd * (Wd * Wd.grad).sum(0)
        opt.step()
        with torch.no_grad():
            Wd /= Wd.norm(dim=0)


def measure(repeat=3):
    """Best-of-``repeat`` seconds per epoch of each contender, measured in turns."""
    X = data()
    from aelab.backend import blas_threads

    def plain_same_threads():
        # the BLAS thread count aelab chooses for products this size: the comparison is then
        # of the code, not of OpenBLAS's threading on small matrices
        with blas_threads(np, BATCH, D, P, whole_run=True):
            plain_epoch(X)

    contenders = {"aelab": lambda: aelab_epoch(X), "plain NumPy": plain_same_threads,
                  "plain NumPy, default BLAS threads": lambda: plain_epoch(X)}
    try:
        import torch

        torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))
        contenders["PyTorch"] = lambda: torch_epoch(torch, X)
    except ImportError:
        pass
    best = {k: float("inf") for k in contenders}
    for f in contenders.values():
        f()  # warm up
    for _ in range(repeat):
        for name, f in contenders.items():
            t0 = time.perf_counter()
            f()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def main(argv=None):
    best = measure()
    base = best["plain NumPy"]
    print(f"W6 top-k SAE {D}→{P}, k = {K}, one Adam epoch over {N} examples (float32)")
    for name, t in best.items():
        print(f"  {name:34s} {t:6.2f} s   {t / base:4.2f}× plain NumPy")
    return best


if __name__ == "__main__":
    main()
