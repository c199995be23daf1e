"""aelab's benchmark suite: each workload beside the machine's own limit, measured in one run.

For every workload the table shows aelab's time, the time of the same matrix products alone
(the practical limit of this machine: no implementation of the same maths can avoid them),
their ratio, and, where PyTorch is installed, the same model written in PyTorch on the CPU.
Ratios measured in one run are what to compare: these machines are shared and noisy.

    W1  UFLDL: 10 000 8×8 patches, 64 → 25, SparseAutoencoder() defaults, L-BFGS for 400
        iterations, end to end (float32, and the float64 reference whose final objective it
        must match within 0.5%)
    W2  MNIST: 5 000 × 784 → 196, one objective-and-gradient evaluation, float64 and float32
    W3  k-sparse: 784 → 1000, k = 25, one epoch of minibatch Adam (batch 64) on 5 000 images
    W4  Explorer latency (change → first frame, change → final frame), from bench_explorer
    W5  the whole notebook suite under nbval (``--notebooks``)
    W6  top-k sparse autoencoder (notebook 09): 64 → 512, k = 8, one Adam epoch on one core,
        against a plain NumPy SAE of the same maths and PyTorch (benchmarks/bench_sae.py)

Run:  python -m benchmarks.run  [--quick] [--notebooks] [--backend numpy|cupy] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import aelab  # noqa: E402
from aelab.backend import Workspace, blas_threads, get_namespace  # noqa: E402
from aelab.blocks import available_cores  # noqa: E402
from aelab.datasets import load_mnist, natural_patches  # noqa: E402
from benchmarks import targets  # noqa: E402


def best_of(f, repeat=5, number=1):
    """Smallest mean time of ``number`` calls over ``repeat`` tries (seconds): the least
    disturbed measurement on a shared machine."""
    f()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            f()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def sync(xp):
    if xp.__name__.startswith("cupy"):
        xp.cuda.Device().synchronize()


def matmuls(X, W1, W2, H):
    """The five products of one objective-and-gradient evaluation (untied)."""
    return (X @ W1.T, H @ W2.T, X.T @ H, X @ W2, H.T @ X)


def w1(backend, quick, rows, torch_rows, torch_jobs):
    X = natural_patches(10000, 8)
    X = to_backend(X, backend)
    xp = get_namespace(X)
    iters = 100 if quick else 400
    ref = aelab.SparseAutoencoder(max_iter=iters)
    t0 = time.perf_counter()
    ref.fit(X)
    t_ref = time.perf_counter() - t0
    fast = aelab.SparseAutoencoder(max_iter=iters, dtype="float32")
    evals = {"n": 0}
    base = fast._loss_and_grad

    def counting(*a):
        evals["n"] += 1
        return base(*a)

    fast._loss_and_grad = counting
    t0 = time.perf_counter()
    fast.fit(X)
    t_fast = time.perf_counter() - t0
    del fast._loss_and_grad
    J_ref, J_fast = ref.loss_curve_[-1], fast.objective(X)[0]
    X32 = xp.astype(X, xp.float32) if xp is not np else X.astype(np.float32)
    p = fast.params_
    H = xp.ones((X.shape[0], 25), dtype=X32.dtype) if xp is not np else np.ones((X.shape[0], 25), np.float32)
    with blas_threads(xp, *X.shape, 25):
        t_mm = best_of(lambda: (matmuls(X32, p["W1"], p["W2"], H), sync(xp)), repeat=5, number=5)
    limit = t_mm * evals["n"]
    rows.append(("W1 UFLDL float32, end to end", t_fast, limit,
                 f"{evals['n']} evals, J={J_fast:.5f} vs float64 {J_ref:.5f} "
                 f"({100 * abs(J_fast - J_ref) / J_ref:.2f}%); float64 took {t_ref:.2f} s"))
    out = {"w1_float32_s": t_fast, "w1_float64_s": t_ref, "w1_limit_s": limit,
           "w1_rel_diff": abs(J_fast - J_ref) / J_ref, "w1_evals": evals["n"]}
    if backend == "numpy":
        def run_torch():
            # PyTorch at its own thread count and on one thread: the faster one is reported
            # (on these 2 cores one thread was 2.4x faster, its threads' start-up costing
            # more than they give on 10 000 × 64 products).
            runs = {n: torch_lbfgs_time(X, fast, iters, threads=n) for n in (None, 1)}
            if runs[1] is None:
                return {}
            n_best = min(runs, key=lambda n: runs[n][0])
            t, J_torch, n_torch = runs[n_best]
            gap = abs(J_torch - J_fast) / J_fast
            label = "its default threads" if n_best is None else "1 thread"
            flag = "" if gap <= 0.005 else f"; NOT COMPARABLE: J differs by {100 * gap:.1f}%"
            torch_rows.append((f"W1 float32, end to end ({label}, {n_torch} evals, "
                               f"J={J_torch:.5f}{flag})", t_fast, t))
            return {"w1_torch_s": t, "w1_torch_J": J_torch,
                    "w1_torch_s_by_threads": {str(n): r[0] for n, r in runs.items()}}

        torch_jobs.append(run_torch)
    return out


def w2(backend, quick, rows, torch_rows):
    X, _ = load_mnist()
    out = {}
    for dt in ("float64", "float32"):
        Xd = to_backend(X.astype(dt), backend)
        xp = get_namespace(Xd)
        m = aelab.SparseAutoencoder(n_hidden=196, rho=0.1, lam=3e-3, dtype=dt)
        c = m._config()
        p = m._initial_params(Xd, c)
        H = xp.ones((Xd.shape[0], 196), dtype=Xd.dtype)
        ws = Workspace(xp)  # as fit() evaluates: reused buffers, row blocks and shards
        contenders = {
            "aelab": lambda: (m._loss_and_grad(p, Xd, Xd, c, ws), sync(xp)),
            "limit": lambda: (matmuls(Xd, p["W1"], p["W2"], H), sync(xp)),
        }
        step = torch_objective_step(X.astype(dt), p, dt) if backend == "numpy" else None
        if step is not None:
            contenders["torch"] = step
        with blas_threads(xp, *Xd.shape, 196):
            t = interleaved(contenders, repeat=7)
        rows.append((f"W2 MNIST objective+gradient {dt}", t["aelab"], t["limit"], ""))
        out[f"w2_{dt}_s"], out[f"w2_{dt}_limit_s"] = t["aelab"], t["limit"]
        if "torch" in t:
            torch_rows.append((f"W2 {dt} (measured in turn with aelab's)", t["aelab"], t["torch"]))
            out[f"w2_{dt}_torch_s"] = t["torch"]
    return out


def w3(backend, quick, rows):
    X, _ = load_mnist()
    X = to_backend(X, backend)
    xp = get_namespace(X)
    model = aelab.KSparseAutoencoder(n_hidden=1000, k=25, max_iter=1, batch_size=64,
                                     dtype="float32")
    t0 = time.perf_counter()
    model.fit(X)
    t = time.perf_counter() - t0
    X32 = xp.astype(X, xp.float32)
    W = model.params_["W1"]
    Xb = X32[:64]
    H = xp.ones((64, 1000), dtype=xp.float32)
    n_batches = -(-X.shape[0] // 64)
    # tied weights: encode, decode, and the three gradient products
    with blas_threads(xp, 64, X.shape[1], 1000):
        t_mm = best_of(lambda: (Xb @ W.T, H @ W, H.T @ Xb, Xb @ W.T, (Xb.T @ H).T, sync(xp)),
                       repeat=5, number=10) * n_batches
    rows.append(("W3 k-sparse 784→1000, one Adam epoch", t, t_mm, f"{n_batches} batches of 64"))
    return {"w3_s": t, "w3_limit_s": t_mm}


def w4(quick, rows):
    """Explorer latency: the default SAE and the course panels (benchmarks/bench_explorer.py)."""
    from benchmarks import bench_explorer

    results = bench_explorer.main(["--quick"] if quick else [])
    for r in results:
        rows.append((f"W4 Explorer {r['scenario']}: first frame", r["first"], None, ""))
        rows.append((f"W4 Explorer {r['scenario']}: final frame", r["final"], None,
                     f"{r['train']:.2f} s training"))
    keys = ("scenario", "course", "first", "final", "frame_gap", "draw_ms")
    return {"w4": [{k: r[k] for k in keys if k in r} for r in results]}


def w5(rows):
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "notebooks", "-q", "-p", "no:cacheprovider"],
                          capture_output=True, text=True)
    t = time.perf_counter() - t0
    rows.append(("W5 all notebooks under nbval", t, None, proc.stdout.strip().splitlines()[-1] if proc.stdout else ""))
    return {"w5_s": t, "w5_ok": proc.returncode == 0}


def w6(rows, torch_rows, quick=False):
    """W6 (benchmarks/bench_sae.py): aelab, a plain NumPy SAE and PyTorch on one core and one
    thread, in turns; each one's result scored, and flagged when they do not compare."""
    from benchmarks import bench_sae

    result = bench_sae.measure(repeat=2 if quick else 5)
    best, (loss, mmcs) = result["best"], result["score"]["aelab"]
    flag = "" if result["comparable"] else f"; NOT COMPARABLE: {result['why']}"
    per_round = [a / b for a, b in zip(result["rounds"]["aelab"], result["rounds"]["plain NumPy"])]
    rows.append(("W6 top-k SAE 64→512, one Adam epoch, one core", best["aelab"],
                 best["plain NumPy"],
                 f"limit column: a plain NumPy SAE on the same core and thread; ratio per round "
                 f"{min(per_round):.2f}–{max(per_round):.2f}; loss {loss:.4f}, MMCS {mmcs:.3f}"
                 + flag))
    if "PyTorch" in best:
        t_loss, t_mmcs = result["score"]["PyTorch"]
        torch_rows.append((f"W6 top-k SAE epoch (one core, 1 thread, in turn with aelab's; "
                           f"loss {t_loss:.4f}, MMCS {t_mmcs:.3f}{flag})", best["aelab"],
                           best["PyTorch"]))
    else:
        print(f"W6: {result['torch']}; PyTorch's column is left out")
    out = {"w6_s": best["aelab"], "w6_plain_s": best["plain NumPy"],
           "w6_comparable": result["comparable"], "w6_why": result["why"],
           "w6_scores": result["score"], "w6_rounds": result["rounds"]}
    if "PyTorch" in best:
        out["w6_torch_s"] = best["PyTorch"]
    return out


def w6_note(f):
    """The closing note on W6: its ratios to plain NumPy and PyTorch, and whether they compare."""
    note = (f"W6 (top-k SAE, one core, one thread): aelab {f['w6_s'] / f['w6_plain_s']:.2f}× a "
            f"plain NumPy SAE's time")
    if "w6_torch_s" in f:
        note += f", PyTorch {f['w6_torch_s'] / f['w6_s']:.2f}× aelab's"
    else:
        note += "; PyTorch not installed"
    return note + ("; they reach comparable loss and MMCS" if f["w6_comparable"]
                   else f"; NOT COMPARABLE: {f['w6_why']}")


def to_backend(X, backend):
    if backend == "cupy":
        import cupy

        return cupy.asarray(X)
    return X


def interleaved(contenders, repeat=7, pause=0.2):
    """Smallest time of each callable over ``repeat`` rounds, taking turns within each round.

    Taking turns makes the machine's slow and fast moments fall on every contender alike
    (on these shared machines the same product can take 1.3 times longer a minute later).
    The pause lets the previous contender's idle threads (OpenBLAS's, PyTorch's OpenMP's)
    stop spinning before the next one starts.
    """
    best = {}
    for name, f in contenders.items():
        f()  # warm-up: buffers, caches, thread pools
    for _ in range(repeat):
        for name, f in contenders.items():
            time.sleep(pause)
            t0 = time.perf_counter()
            f()
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - t0)
    return best


def torch_sparse_objective(torch, Xt, P, rho, beta, lam, total=None):
    """aelab's sparse-autoencoder objective (sigmoid units, mse, KL sparsity, weight decay)
    written in PyTorch, for autograd to differentiate. ``total``: the dtype the sums
    accumulate in (default: the data's)."""
    m = Xt.shape[0]
    A2 = torch.sigmoid(Xt @ P["W1"].T + P["b1"])
    A3 = torch.sigmoid(A2 @ P["W2"].T + P["b2"])
    rh = A2.mean(0)
    kl = rho * torch.log(rho / rh) + (1 - rho) * torch.log((1 - rho) / (1 - rh))
    return (0.5 * ((A3 - Xt) ** 2).sum(dtype=total) / m
            + lam / 2 * ((P["W1"] ** 2).sum(dtype=total) + (P["W2"] ** 2).sum(dtype=total))
            + beta * kl.sum(dtype=total))


def torch_objective_step(X, params, dt):
    """The same sparse-autoencoder objective and gradient in PyTorch (autograd), CPU: a
    callable doing one evaluation, or None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    tdt = torch.float64 if dt == "float64" else torch.float32
    Xt = torch.from_numpy(np.asarray(X, dtype=dt))
    P = {k: torch.tensor(np.asarray(v), dtype=tdt, requires_grad=True) for k, v in params.items()}
    rho, beta, lam = 0.1, 3.0, 3e-3

    def step():
        for v in P.values():
            v.grad = None
        J = torch_sparse_objective(torch, Xt, P, rho, beta, lam)
        J.backward()

    return step


def torch_lbfgs_time(X, model, iters, threads=None):
    """W1 in PyTorch: the same objective by autograd (float32, ``threads`` threads, default
    PyTorch's own choice), driven by the same SciPy L-BFGS-B with the same options and
    starting point as aelab's fit.

    The objective's sums accumulate in float64, as aelab's partial sums are added: with
    float32 sums, rounding in J stopped L-BFGS-B after 23 iterations here ("relative
    reduction of f <= factr*epsmch"), far from the optimum.

    Returns (seconds, final objective, evaluations), or None without PyTorch.
    """
    try:
        import torch
    except ImportError:
        return None
    from scipy.optimize import minimize

    c = model._config()
    p0 = model._initial_params(X, c)  # aelab's starting point (the same seed)
    keys = list(p0)
    shapes = [p0[k].shape for k in keys]
    sizes = [int(np.prod(s)) for s in shapes]
    Xt = torch.from_numpy(np.asarray(X, dtype=np.float32))
    rho, beta, lam = c.rho, c.beta, c.lam
    evals = {"n": 0}
    default_threads = torch.get_num_threads()
    torch.set_num_threads(threads or default_threads)

    def f(theta):
        evals["n"] += 1
        parts = np.split(theta.astype(np.float32), np.cumsum(sizes)[:-1])
        P = {k: torch.from_numpy(v.reshape(s)).requires_grad_()
             for k, v, s in zip(keys, parts, shapes)}
        J = torch_sparse_objective(torch, Xt, P, rho, beta, lam, total=torch.float64)
        J.backward()
        J = J.detach()
        g = np.concatenate([P[k].grad.numpy().ravel() for k in keys]).astype(np.float64)
        return float(J), g

    theta0 = np.concatenate([np.asarray(p0[k], dtype=np.float64).ravel() for k in keys])
    try:
        t0 = time.perf_counter()
        res = minimize(f, theta0, jac=True, method="L-BFGS-B",
                       options={"maxiter": iters, "gtol": c.tol, "ftol": c.tol * 1e-3,
                                "maxcor": 10})
        return time.perf_counter() - t0, float(res.fun), evals["n"]
    finally:
        torch.set_num_threads(default_threads)


def duration(t):
    """``t`` seconds as a 9-character cell: milliseconds below 10 s, seconds above."""
    return f"{t * 1e3:7.1f}ms" if t < 10 else f"{t:8.1f}s"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    ap.add_argument("--notebooks", action="store_true", help="also time the notebook suite (W5)")
    ap.add_argument("--no-explorer", action="store_true", help="skip W4")
    ap.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args(argv)

    # W1 in PyTorch runs after every aelab workload: its OpenMP threads keep spinning for a
    # while after each call and would slow down whatever is measured next. (W2 takes turns
    # with aelab, with pauses between.)
    rows, torch_rows, torch_jobs, figures = [], [], [], {}
    figures.update(w2(args.backend, args.quick, rows, torch_rows))
    figures.update(w1(args.backend, args.quick, rows, torch_rows, torch_jobs))
    figures.update(w3(args.backend, args.quick, rows))
    if args.backend == "numpy":
        figures.update(w6(rows, torch_rows, args.quick))
    if not args.no_explorer:
        figures.update(w4(args.quick, rows))
    if args.notebooks:
        figures.update(w5(rows))
    for job in torch_jobs:
        figures.update(job())

    figures["cores"] = available_cores()
    print(f"\naelab benchmarks — backend {args.backend}, {figures['cores']} of "
          f"{os.cpu_count()} CPU(s) usable, numpy {np.__version__}\n")
    w = max(len(r[0]) for r in rows)
    print(f"| {'workload':<{w}} | {'aelab':>9} | {'limit':>9} | {'ratio':>5} | notes")
    print(f"|{'-' * (w + 2)}|{'-' * 11}|{'-' * 11}|{'-' * 7}|------")
    for name, t, limit, note in rows:
        lim = duration(limit) if limit else " " * 9
        ratio = f"{t / limit:5.2f}" if limit else " " * 5
        print(f"| {name:<{w}} | {duration(t)} | {lim} | {ratio} | {note}")
    if torch_rows:
        print("\n| PyTorch CPU, same model | aelab | torch | torch/aelab |")
        print("|---|---|---|---|")
        for name, a, t in torch_rows:
            print(f"| {name} | {a * 1e3:.1f} ms | {t * 1e3:.1f} ms | {t / a:.2f} |")
    print("\nTargets (issue 5, set for a 2-core machine"
          + ("" if figures["cores"] == 2 else f"; this run had {figures['cores']}") + ")\n")
    print(targets.report(figures, quick=args.quick))
    if "w6_s" in figures:
        print("\n" + w6_note(figures))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(figures, fh, indent=2, default=str)
    return figures


if __name__ == "__main__":
    main()
