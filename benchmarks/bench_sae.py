"""W6: a top-k sparse autoencoder epoch: aelab against a plain NumPy SAE and PyTorch, one core.

The workload of notebook 09: 20 000 examples of 256 true features in 64 dimensions, a
512-latent ReLU top-k SAE (k = 8), unit-norm decoder columns (the gradient's parallel part
removed before each step, the columns renormalised after it), a pre-encoder bias, W_enc =
W_decᵀ at the start, Adam (3e-3, β = 0.9, 0.999) on batches of 256, one epoch, float32.

The plain NumPy version below is what a careful NumPy user would write for the same maths
(dense products, np.partition for the k-th largest, the same Adam); PyTorch's (CPU, autograd,
torch.topk, torch.optim.Adam) is the same model again. All three run in one process pinned to
one core (as ``taskset -c 0`` would: the issue's target is one core), BLAS and PyTorch on one
thread, taking turns within each round with a pause between, and the best of the rounds is
each one's time. Every contender trains from its own random start, so each run's result is
scored (the top-k reconstruction loss on the data and the MMCS of the decoder columns against
the true features) and the comparison is flagged NOT COMPARABLE when they differ by more than
``LOSS_GAP`` / ``MMCS_GAP``.

Run:  python -m benchmarks.bench_sae  [--repeat N]
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import aelab  # noqa: E402
from aelab.backend import blas_threads  # noqa: E402
from aelab.datasets import make_superposition  # noqa: E402
from aelab.metrics import mean_max_cosine_similarity  # noqa: E402

N, D, F, P, K, BATCH, LR = 20_000, 64, 256, 512, 8, 256, 3e-3
LOSS_GAP = 0.10  # relative difference of the final loss from plain NumPy's that still compares
MMCS_GAP = 0.05  # absolute difference of MMCS from plain NumPy's that still compares


def data():
    """The superposition data set (X float32, and the true features)."""
    d = make_superposition(F, D, 0.02, N, seed=0, dtype="float32")
    return d.X, d.features


def aelab_epoch(X):
    model = aelab.TopKSAE(n_hidden=P, k=K, max_iter=1, batch_size=BATCH, learning_rate=LR,
                          dtype="float32", n_iter_no_change=None)
    with aelab.fixed_budget("one epoch is the workload"):
        model.fit(X)
    p = model.params_
    return {"We": p["W1"], "be": p["b1"], "Wd": p["W2"], "bd": p["b2"]}


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
    """One epoch of the same top-k SAE in PyTorch (CPU, autograd)."""
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
    return {k: v.detach().numpy() for k, v in (("We", We), ("be", be), ("Wd", Wd), ("bd", bd))}


def score(p, X, features):
    """(loss, MMCS) of trained parameters, computed the same way for every contender: the
    top-k reconstruction loss ½‖x̂ − x‖² averaged over X, in float64, and the MMCS of the
    decoder columns against the true features."""
    p = {k: np.asarray(v, dtype=np.float64) for k, v in p.items()}
    X = X.astype(np.float64)
    a = np.maximum((X - p["bd"]) @ p["We"].T + p["be"], 0)
    thr = np.partition(a, P - K, axis=1)[:, P - K:P - K + 1]
    h = np.where(a >= thr, a, 0.0)
    R = h @ p["Wd"].T + p["bd"] - X
    return 0.5 * float(np.mean(np.sum(R * R, axis=1))), mean_max_cosine_similarity(features, p["Wd"].T)


@contextlib.contextmanager
def one_core():
    """Pin this process to one of its cores (``taskset -c``'s effect) for the block."""
    try:
        before = os.sched_getaffinity(0)
    except AttributeError:  # not Linux: run where the system puts us
        yield None
        return
    core = min(before)
    os.sched_setaffinity(0, {core})
    try:
        yield core
    finally:
        os.sched_setaffinity(0, before)


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def measure(repeat=5, pause=0.2):
    """Seconds per epoch of each contender (best of ``repeat`` rounds taken in turns, on one
    core and one thread) with each one's score and whether they compare.

    Returns
    -------
    dict with ``best`` {name: s}, ``rounds`` {name: [s, …]}, ``score`` {name: (loss, MMCS)},
    ``comparable`` (bool), ``why`` (str: what differs, or ""), ``torch`` (its version, or
    "PyTorch not installed"), ``core`` (the core pinned, or None).
    """
    X, features = data()
    torch = _torch()
    contenders = {"aelab": lambda: aelab_epoch(X), "plain NumPy": lambda: plain_epoch(X)}
    if torch is not None:
        contenders["PyTorch"] = lambda: torch_epoch(torch, X)
    rounds = {name: [] for name in contenders}
    last = {}
    torch_threads = torch.get_num_threads() if torch is not None else None
    with one_core() as core, blas_threads(np, BATCH, D, P, whole_run=True):
        # blas_threads: one BLAS thread, what aelab itself chooses for products this size
        if torch is not None:
            torch.set_num_threads(1)
        try:
            for f in contenders.values():
                f()  # warm-up: caches, thread pools, PyTorch's kernels
            for _ in range(repeat):
                for name, f in contenders.items():
                    time.sleep(pause)  # idle threads of the previous contender settle
                    t0 = time.perf_counter()
                    last[name] = f()
                    rounds[name].append(time.perf_counter() - t0)
        finally:
            if torch is not None:
                torch.set_num_threads(torch_threads)
    scores = {name: score(p, X, features) for name, p in last.items()}
    ref_loss, ref_mmcs = scores["plain NumPy"]
    why = [f"{name}: loss {loss:.4g} vs plain {ref_loss:.4g}, MMCS {mmcs:.3f} vs {ref_mmcs:.3f}"
           for name, (loss, mmcs) in scores.items()
           if abs(loss - ref_loss) > LOSS_GAP * ref_loss or abs(mmcs - ref_mmcs) > MMCS_GAP]
    return {"best": {name: min(ts) for name, ts in rounds.items()}, "rounds": rounds,
            "score": scores, "comparable": not why, "why": "; ".join(why),
            "torch": torch.__version__ if torch is not None else "PyTorch not installed",
            "core": core}


def report(result):
    """The measurement as lines of text: times, ratios, the spread over rounds, scores."""
    best, rounds = result["best"], result["rounds"]
    base = best["plain NumPy"]
    where = "one core" if result["core"] is not None else "unpinned"
    lines = [f"W6 top-k SAE {D}→{P}, k = {K}, one Adam epoch over {N} examples (float32), "
             f"{where}, one thread, best of {len(rounds['aelab'])} rounds taken in turns"]
    for name, t in best.items():
        loss, mmcs = result["score"][name]
        per_round = [a / b for a, b in zip(rounds[name], rounds["plain NumPy"])]
        lines.append(f"  {name:12s} {t:6.3f} s   {t / base:4.2f}× plain NumPy "
                     f"(rounds {min(per_round):.2f}–{max(per_round):.2f}×)   "
                     f"loss {loss:.4f}  MMCS {mmcs:.3f}")
    if "PyTorch" not in best:
        lines.append(f"  PyTorch      {result['torch']}")
    lines.append("  scores compare" if result["comparable"]
                 else f"  NOT COMPARABLE: {result['why']}")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    args = ap.parse_args(argv)
    result = measure(repeat=args.repeat)
    print(report(result))
    return result


if __name__ == "__main__":
    main()
