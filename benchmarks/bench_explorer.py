"""Latency of the live Explorer: slider change -> first and final frame, on notebooks 02, 04, 05.

The setting is the UFLDL exercise as notebooks/02-sparse-autoencoder.ipynb runs it:
``SparseAutoencoder()`` (64 -> 25 sigmoid units, λ=1e-4, β=3, ρ=0.01, L-BFGS for 400
iterations) on 10 000 natural 8×8 patches. For each scenario the benchmark moves a control,
waits for the final frame, and reports the medians of

* **first frame**: seconds from the change to the first redrawn frame (target ≤ 0.15 s);
* **final frame**: seconds from the change to the frame drawn after training ends
  (target ≤ 1.5 s);

and, to show what dominates the final frame, the training time, the iterations run, the
time per iteration, and the drawing time per frame. The machine's own limit is printed too:
the time of one objective-and-gradient evaluation (the matrix products L-BFGS cannot avoid).

Scenarios:

``warm (λ, β, ρ)``
    The panel is idle; a λ, β or ρ slider moves; training continues from the current weights.
``while training``
    A change arrives while the previous retrain is still running (a slider being dragged):
    the running fit must be cancelled before the new one can draw.
``fresh (hidden size)``
    The hidden-size slider moves: new shapes, fresh initial weights.
``warm, budget``
    As ``warm``, with ``max_train_seconds`` set (``--budget``, default 1.5 s): what a lecture
    panel would use to keep every answer under 2 s.
``nb04 hidden size (fresh)``
    Notebook 04's size panel (a linear autoencoder on the centred digits): each change of the
    hidden size is a fresh L-BFGS run to convergence.
``nb05 k (warm)``
    Notebook 05's k panel (784 -> 400 k-sparse, 12 Adam epochs on 4 000 digits): each change
    of k retrains all 12 epochs from the current weights.

Run it as ``python -m benchmarks.bench_explorer`` or ``python benchmarks/bench_explorer.py``
(``--quick`` for a short run, ``--help`` for the options).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import aelab  # noqa: E402
from aelab.explorer import Explorer  # noqa: E402

FIRST_FRAME_TARGET = 0.15
FINAL_FRAME_TARGET = 1.5


def load_patches(n):
    """Notebook 02's data: natural 8×8 patches in [0.1, 0.9]."""
    try:
        from aelab.datasets import natural_patches
    except ImportError:  # pragma: no cover - older trees
        from aelab.datasets import load_dataset

        return load_dataset("patches", n_patches=n).X
    return natural_patches(n)


def objective_seconds(model, X, repeats=20):
    """Seconds per objective-and-gradient evaluation at the model's current parameters."""
    import contextlib

    c = model._config()
    try:  # the same BLAS thread limit as fit() uses
        from aelab.backend import blas_threads, get_namespace

        limit = blas_threads(get_namespace(X), X.shape[0], X.shape[1], c.n_hidden)
    except ImportError:  # pragma: no cover - older engines
        limit = contextlib.nullcontext()
    # The private evaluation fit() runs per step, without objective()'s input validation.
    with limit:
        model._loss_and_grad(model.params_, X, X, c)  # warm caches
        t0 = time.perf_counter()
        for _ in range(repeats):
            model._loss_and_grad(model.params_, X, X, c)
    return (time.perf_counter() - t0) / repeats


def bare_fit_seconds(model, X, lam):
    """Seconds for the same warm retrain without the panel: what the drawing costs on top."""
    from sklearn.base import clone

    ref = clone(model).set_params(lam=lam, warm_start=True)
    ref.params_ = {k: v.copy() for k, v in model.params_.items()}
    ref.n_features_in_ = X.shape[1]
    t0 = time.perf_counter()
    ref.fit(X)
    return time.perf_counter() - t0, ref.n_iter_


def measure(panel, changes, *, in_flight_delay=None):
    """Apply ``changes`` (control, value) one by one and collect the panel's stats.

    With ``in_flight_delay``, each change is preceded by a throw-away change of the same
    control made that many seconds earlier, so the measured change lands on a running fit.
    """
    rows = []
    for name, value in changes:
        if in_flight_delay is not None:
            other = panel.controls[name].value
            panel.controls[name].value = other * 1.5 if name != "n_hidden" else other + 1
            time.sleep(in_flight_delay)
        panel.controls[name].value = value
        panel.wait()
        rows.append(panel.stats)
    return rows


def summarize(label, rows):
    med = lambda key: statistics.median(r[key] for r in rows)  # noqa: E731
    iters = med("iterations")
    train = med("train_seconds")
    return {
        "scenario": label,
        "n": len(rows),
        "first": med("time_to_first_frame"),
        "final": med("time_to_final_frame"),
        "iters": iters,
        "train": train,
        "ms_per_iter": 1e3 * train / max(iters, 1),
        "render_ms": med("render_ms_median"),
        "frames": med("frames"),
        "warm": all(r["warm_start"] for r in rows),
    }


def print_table(results, eval_ms, n_patches, max_iter=400, bare=None):
    print()
    print(f"Explorer latency, SparseAutoencoder() on {n_patches} natural 8x8 patches "
          f"(64 -> 25, L-BFGS max_iter={max_iter}); medians")
    print(f"one objective+gradient evaluation: {eval_ms:.1f} ms "
          f"(the floor for one L-BFGS iteration)")
    if bare is not None:
        print(f"the same warm retrain without the panel: {bare[0]:.2f} s for {bare[1]} "
              f"iterations ({1e3 * bare[0] / max(bare[1], 1):.1f} ms/iter)")
    print_rows(results, 27)
    print()
    print(f"targets: first frame <= {FIRST_FRAME_TARGET} s, final frame <= {FINAL_FRAME_TARGET} s")
    for r in results:
        ok_first = "ok" if r["first"] <= FIRST_FRAME_TARGET else "MISSED"
        ok_final = "ok" if r["final"] <= FINAL_FRAME_TARGET else "MISSED"
        drawing = r["render_ms"] * r["frames"] / 1e3
        print(f"  {r['scenario']:<27} first {ok_first:<6} final {ok_final:<6} "
              f"(final {r['final']:.2f} s: fit {r['train']:.2f} s, of which ~{drawing:.2f} s "
              f"drawing {r['frames']:.0f} frames)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--patches", type=int, default=4000,
                    help="number of patches (4000, as notebook 02's panel)")
    ap.add_argument("--max-iter", type=int, default=200,
                    help="L-BFGS iterations per retrain (200, as notebook 02's panel)")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"],
                    help="model dtype (float32, as notebook 02's panel)")
    ap.add_argument("--changes", type=int, default=5, help="changes per scenario (5)")
    ap.add_argument("--budget", type=float, default=1.5,
                    help="max_train_seconds for the budget scenario (1.5)")
    ap.add_argument("--quick", action="store_true",
                    help="3 changes per scenario, max_iter=100: a smoke run")
    ap.add_argument("--only-02", action="store_true",
                    help="notebook 02's panel only (skip notebooks 04 and 05)")
    args = ap.parse_args(argv)
    n_changes = 3 if args.quick else args.changes
    max_iter = 100 if args.quick else args.max_iter

    X = load_patches(args.patches)
    model = aelab.SparseAutoencoder(max_iter=max_iter, dtype=args.dtype)
    t0 = time.perf_counter()
    panel = Explorer(model, X, dataset="patches", key=None)
    panel.wait()
    print(f"initial fresh training: {time.perf_counter() - t0:.2f} s, "
          f"{panel.stats['iterations']} iterations, stop: {panel.stats['stop_reason']}")
    eval_ms = 1e3 * objective_seconds(model, X)

    # λ above about 2.5e-4 collapses these weights to zero (then the panel starts fresh);
    # stay below it so that "warm" measures warm starts.
    lams = [5e-5, 1.5e-4, 7e-5, 1e-4, 2e-4, 1e-4, 5e-5][:n_changes]
    betas = [2.0, 3.0, 4.0, 3.0, 2.5, 3.0][:n_changes]
    rhos = [0.02, 0.01, 0.05, 0.01, 0.03][:n_changes]
    warm = [("lam", v) for v in lams] + [("beta", v) for v in betas] + [("rho", v) for v in rhos]
    warm = warm[: max(n_changes, 3)] if args.quick else warm[:n_changes]
    hidden = [("n_hidden", v) for v in (36, 25, 49, 25, 36)[:n_changes]]

    results = []
    try:
        results.append(summarize("nb02 warm (λ, β, ρ)", measure(panel, warm)))
        results.append(summarize("nb02 while training", measure(
            panel, [("lam", v) for v in lams], in_flight_delay=0.5)))
        results.append(summarize("nb02 fresh (hidden size)", measure(panel, hidden)))
        bare = bare_fit_seconds(model, X, lams[0])
    finally:
        panel.close()

    budget_panel = Explorer(aelab.SparseAutoencoder(max_iter=max_iter, dtype=args.dtype), X,
                            dataset="patches",
                            key=None, max_train_seconds=args.budget)
    try:
        budget_panel.wait()
        results.append(summarize(f"nb02 warm, budget {args.budget:g} s",
                                 measure(budget_panel, warm)))
    finally:
        budget_panel.close()

    print_table(results, eval_ms, args.patches, max_iter, bare)
    if not args.only_02:
        others = [notebook04(n_changes), notebook05(n_changes)]
        print_other_table(others)
        results += others
    return results


def _panel_rows(panel, changes):
    try:
        panel.wait()
        return measure(panel, changes)
    finally:
        panel.close()


def notebook04(n_changes):
    """Notebook 04's size panel: LinearAutoencoder(n_hidden=10) on the 1 797 centred digits,
    the hidden-size slider (a change of shape, so every retrain is a fresh L-BFGS run to
    convergence)."""
    from aelab.datasets import load_digits

    X, _ = load_digits()
    X = X - X.mean(axis=0)
    lin = aelab.LinearAutoencoder(n_hidden=10).fit(X)
    panel = Explorer(lin, X, controls=("n_hidden",),
                     views=("filters", "pca", "reconstructions"), image_shape=(8, 8), key=None)
    sizes = [5, 12, 8, 10, 16][:n_changes]
    return summarize("nb04 hidden size (fresh)", _panel_rows(panel, [("n_hidden", v) for v in sizes]))


def notebook05(n_changes):
    """Notebook 05's panel: KSparseAutoencoder(k=70), 784 → 400, Adam for 12 epochs of 128
    on 4 000 centred digits, float32; the k slider (a warm retrain of 4 epochs, the
    notebook's ``warm_max_iter=4``)."""
    import copy

    import numpy as np

    from aelab.datasets import load_mnist

    X, _ = load_mnist(source="embedded")
    X = X[:4000].astype(np.float32)
    X = X - X.mean(axis=0)
    settings = dict(n_hidden=400, k_start=100, learning_rate=1e-2, max_iter=12, batch_size=128,
                    epsilon=0.01, lam=0.02, dtype="float32")
    model = aelab.KSparseAutoencoder(k=70, **settings).fit(X)
    panel = Explorer(copy.deepcopy(model), X, controls=("k",), views=("filters", "ksparse"),
                     image_shape=(28, 28), key=None, warm_max_iter=4)
    ks = [40, 25, 10, 55, 70][:n_changes]
    return summarize("nb05 k (warm)", _panel_rows(panel, [("k", v) for v in ks]))


def print_rows(results, width):
    head = (f"{'scenario':<{width}}{'n':>3}{'first frame s':>15}{'final frame s':>15}"
            f"{'iterations':>12}{'train s':>9}{'ms/iter':>9}{'draw ms':>9}{'frames':>8}")
    print(head)
    print("-" * len(head))
    for r in results:
        print(f"{r['scenario']:<{width}}{r['n']:>3}{r['first']:>15.3f}{r['final']:>15.3f}"
              f"{r['iters']:>12.0f}{r['train']:>9.2f}{r['ms_per_iter']:>9.1f}"
              f"{r['render_ms']:>9.1f}{r['frames']:>8.0f}")


def print_other_table(results):
    print("Explorer latency on notebooks 04 and 05's panels; medians")
    print_rows(results, 26)
    for r in results:
        ok_first = "ok" if r["first"] <= FIRST_FRAME_TARGET else "MISSED"
        ok_final = "ok" if r["final"] <= FINAL_FRAME_TARGET else "MISSED"
        print(f"  {r['scenario']:<26} first {ok_first:<6} final {ok_final:<6}")
    print()


if __name__ == "__main__":
    main()
