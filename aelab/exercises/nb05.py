"""The checks of notebooks/05-k-sparse-autoencoders.ipynb.

Each check takes the student's answer and the objects the notebook built, computes the
reference itself, and returns a :class:`Feedback` that names the likely mistake and gives a
hint, never the expected value. The notebook calls ``check_…(…).assert_ok()``, so a wrong
instructor solution fails the notebook tests.

Taught in notebooks/05-k-sparse-autoencoders.ipynb.
"""
from __future__ import annotations

import copy

import numpy as np

from ..backend import to_numpy
from ..filters import spatial_spread
from ..metrics import dead_units
from .core import Feedback, call_returning_array, host_array

__all__ = [
    "check_k_sparse_encode",
    "check_spread",
    "check_usage",
    "check_pca_probe",
    "check_resample_dead",
]


_host = host_array
_call = call_returning_array


# ------------------------------------------------------------------ exercise 1
def check_k_sparse_encode(fun, model, X):
    """Check ``fun(X, W, b, k)``, the k-sparse encoder, against ``model.transform``.

    Parameters
    ----------
    fun : callable
        The student's ``k_sparse_encode``.
    model : KSparseAutoencoder
        A fitted model (alpha = 1); its W1, b1 and k are passed to ``fun``.
    X : array, shape (m, n)

    Returns
    -------
    Feedback
    """
    fb = Feedback("k_sparse_encode")
    W, b, k = _host(model.params_["W1"]), _host(model.params_["b1"]), int(model.k)
    X = _host(X)
    H = _call(fb, fun, X, W, b, k)
    if H is None:
        return fb
    ref = _host(model.transform(X))
    Z = X @ W.T + b
    if H.shape != ref.shape:
        return fb.fail(f"H should have one row per example and one column per unit, "
                       f"shape {ref.shape}; got {H.shape}")
    kept = np.count_nonzero(H, axis=1)
    if not np.all(kept == k):
        return fb.fail(f"every row should keep exactly k = {k} units; your rows keep between "
                       f"{kept.min()} and {kept.max()}")
    mask, ref_mask = H != 0, ref != 0
    if not np.array_equal(mask, ref_mask):
        def top(score):
            m = np.zeros_like(mask)
            np.put_along_axis(m, np.argsort(-score, axis=1)[:, :k], True, axis=1)
            return m
        if np.array_equal(mask, top(-Z)):
            return fb.fail("you kept the k *smallest* entries of each row: the winners are "
                           "the largest")
        if np.array_equal(mask, top(np.abs(Z))):
            return fb.fail("you kept the k entries of largest *magnitude* |z|; the k-sparse "
                           "autoencoder keeps the k largest *values* (a very negative z is "
                           "not a winner)")
        if np.array_equal(mask, top(X @ W.T)):
            return fb.fail("the right idea, but the selection ignores the bias: rank the "
                           "entries of X Wᵀ + b")
        return fb.fail("some rows keep the wrong units: keep, in each row (axis=1), the k "
                       "largest entries of X Wᵀ + b")
    if np.allclose(H[mask], np.abs(Z[mask]), atol=1e-4) and not np.allclose(
            H[mask], Z[mask], atol=1e-4):
        return fb.fail("you kept the right units but stored |z|: a kept unit keeps its "
                       "signed value")
    if np.allclose(H[mask], 1.0):
        return fb.fail("you kept the right units but stored 1 (a mask): a kept unit keeps "
                       "its value z")
    if not np.allclose(H[mask], Z[mask], rtol=1e-4, atol=1e-4):
        return fb.fail("you kept the right units but changed their values: a kept unit "
                       "keeps its z, the rest are 0")
    return fb.ok(f"your encoder matches the model's transform on {len(X)} examples: exactly "
                 f"{k} of {W.shape[0]} units per example, with their linear values")


# ------------------------------------------------------------------ exercise 2
def _spread_variants(W):
    """What common slips compute, on 28 × 28 filters (rows of W)."""
    rows, cols = np.divmod(np.arange(W.shape[1]), 28)
    Wc = W - W.mean(axis=1, keepdims=True)

    def rms(weights, centre=None):
        e = weights / weights.sum(axis=1, keepdims=True)
        cr, cc = (e @ rows, e @ cols) if centre is None else centre
        cr, cc = np.broadcast_to(cr, len(W)), np.broadcast_to(cc, len(W))
        return e, np.sqrt(np.maximum(
            (e * ((rows - cr[:, None]) ** 2 + (cols - cc[:, None]) ** 2)).sum(axis=1), 0))

    return {
        "no mean": rms(W ** 2)[1],
        "abs": rms(np.abs(Wc))[1],
        "no sqrt": rms(Wc ** 2)[1] ** 2,
        "image centre": rms(Wc ** 2, centre=(13.5, 13.5))[1],
    }


def check_spread(fun, W_learned):
    """Check ``fun(W)``, the spatial spread of 28 × 28 filters, against :func:`aelab.filters.spatial_spread`.

    Parameters
    ----------
    fun : callable
        The student's ``spread``.
    W_learned : array, shape (p, 784)
        Learned filters (a model's ``components_``); the check adds small test filters.

    Returns
    -------
    Feedback
    """
    fb = Feedback("spread")
    pair = np.zeros((1, 784))
    pair[0, 300], pair[0, 301] = 1.0, -1.0          # zero mean: spread exactly 0.5
    s = _call(fb, fun, pair)
    if s is None:
        return fb
    s = np.ravel(s)
    if s.shape != (1,):
        return fb.fail(f"spread(W) should return one number per row of W; for one filter "
                       f"it returned shape {s.shape}")
    if np.isclose(s[0], 0.25):
        return fb.fail("a +1, −1 pair of neighbouring pixels gives 0.25, the mean squared "
                       "distance: take the square root")
    if not np.isclose(s[0], 0.5, atol=1e-6):
        return fb.fail(f"a +1, −1 pair of neighbouring pixels (each half a pixel from their "
                       f"centre of mass) gives {s[0]:.4g}: check the centre of mass c and "
                       f"the squared distances ‖r_p − c‖²")
    fb.ok("a +1, −1 pair of neighbouring pixels has spread 0.5")
    W = _host(W_learned)[:50]
    ours = _call(fb, fun, W)
    if ours is None:
        return fb
    ours = np.ravel(ours)
    ref = spatial_spread(W, (28, 28))
    if ours.shape != ref.shape:
        return fb.fail(f"spread(W) should return one number per row, shape {ref.shape}; got "
                       f"{ours.shape} (normalise and sum along axis=1)")
    if np.allclose(ours, ref, rtol=1e-5, atol=1e-6):
        return fb.ok(f"it matches aelab.filters.spatial_spread on {len(W)} learned filters")
    variants = _spread_variants(W)
    hints = {
        "no mean": "subtract each filter's own mean before squaring (a constant offset "
                   "over the whole image is not structure)",
        "abs": "weight the pixels by w², not |w|",
        "no sqrt": "take the square root of the weighted mean squared distance",
        "image centre": "measure distances from each filter's centre of mass c, not from the "
                        "middle of the image",
    }
    for name, values in variants.items():
        if np.allclose(ours, values, rtol=1e-5, atol=1e-6):
            return fb.fail(hints[name])
    return fb.fail("right on the test pair, wrong on learned filters: are the weights squared "
                   "and normalised per row (axis=1), after the mean is removed?")


# ------------------------------------------------------------------ exercise 3
def check_usage(usage, n_dead, model, X):
    """Check ``usage`` (fraction of examples each unit wins) and ``n_dead`` for ``model`` on ``X``.

    Returns
    -------
    Feedback
    """
    fb = Feedback("usage and n_dead")
    H = _host(model.transform(X))
    ref = np.mean(H != 0, axis=0)
    if usage is None or usage is Ellipsis:
        return fb.fail("usage is not set yet")
    try:
        u = _host(usage)
    except (TypeError, ValueError):
        return fb.fail(f"usage should be an array of numbers, got a {type(usage).__name__}")
    if u.shape != ref.shape:
        if u.shape == (len(H),):
            return fb.fail(f"usage has one number per example, shape {u.shape}: average over "
                           f"the examples (axis=0) to get one per unit, shape {ref.shape}")
        return fb.fail(f"usage needs one number per hidden unit, shape {ref.shape}; got "
                       f"{u.shape}")
    if np.allclose(u, ref * len(H)):
        return fb.fail(f"usage counts the wins; it should be a fraction: divide by the "
                       f"{len(H)} examples")
    if np.allclose(u, 1 - ref):
        return fb.fail("usage is the fraction of examples where the unit is *zero*: count "
                       "the non-zero codes")
    if not np.allclose(u, ref):
        return fb.fail("usage should be, for each unit, the fraction of rows of "
                       "model.transform(X) in which its code is non-zero")
    fb.ok(f"usage is right: its {len(u)} fractions add up to k = {model.k}, since every "
          f"example has exactly k winners")
    true_dead = int(dead_units(H).sum())
    try:
        nd = int(n_dead)
    except (TypeError, ValueError):
        return fb.fail(f"n_dead should be a whole number, got {n_dead!r}")
    if nd != true_dead:
        if nd == len(u) - true_dead:
            return fb.fail("n_dead counts the units that win at least once: count those "
                           "whose usage is 0")
        return fb.fail("n_dead should count the units whose usage is exactly 0")
    return fb.ok(f"n_dead is right: {nd} of {len(u)} units never win")


# ------------------------------------------------------------------ exercise 4
def check_pca_probe(acc_pca, X_train, y_train, X_test, y_test, *, n_components=50):
    """Check ``acc_pca``, the tuned probe accuracy of a PCA fitted on the training digits.

    ``acc_pca`` may be the :class:`~aelab.probes.ProbeResult` or its ``accuracy``.

    Returns
    -------
    Feedback
    """
    from ..pca import PCA
    from ..probes import ProbeResult, tuned_probe

    fb = Feedback("acc_pca")
    if isinstance(acc_pca, ProbeResult):
        acc_pca = acc_pca.accuracy
    if acc_pca is None or acc_pca is Ellipsis:
        return fb.fail("acc_pca is not set yet")
    try:
        acc = float(acc_pca)
    except (TypeError, ValueError):
        return fb.fail(f"acc_pca should be an accuracy (a number), got {type(acc_pca).__name__}")
    if 1 < acc <= 100:
        return fb.fail("acc_pca looks like a percentage: give the fraction (between 0 and 1)")
    p = PCA(n_components=n_components).fit(X_train)
    ref = tuned_probe(p.transform(X_train), y_train, p.transform(X_test), y_test).accuracy
    if np.isclose(acc, ref, atol=1.5e-3):
        return fb.ok(f"the PCA-{n_components} probe is right")
    both = np.vstack([_host(X_train), _host(X_test)])
    p_all = PCA(n_components=n_components).fit(both)
    leak = tuned_probe(p_all.transform(X_train), y_train, p_all.transform(X_test),
                       y_test).accuracy
    if np.isclose(acc, leak, atol=1.5e-3) and not np.isclose(leak, ref, atol=1.5e-3):
        return fb.fail("your PCA saw the test digits: fit it on the training digits only, "
                       "then transform both sets")
    from ..metrics import linear_probe_accuracy
    untuned = linear_probe_accuracy(p.transform(X_train), y_train, p.transform(X_test), y_test)
    if np.isclose(acc, untuned, atol=1.5e-3):
        return fb.fail("that is the probe at a fixed C = 1; use tuned_probe, which chooses "
                       "C on the training split")
    return fb.fail(f"acc_pca differs from the tuned probe of a {n_components}-component PCA "
                   f"fitted on the training digits: same components, same split?")


# ------------------------------------------------------------------ exercise 5
def _reference_resample(model, X):
    X = _host(X)
    H = _host(model.transform(X))
    dead = np.flatnonzero(np.all(H == 0, axis=0))
    if dead.size == 0:
        return dead, np.zeros((0, X.shape[1])), np.zeros(0)
    err = np.sum((_host(model.reconstruct(X)) - X) ** 2, axis=1)
    worst = np.argsort(-err, kind="stable")[:dead.size]
    W = _host(model.params_["W1"])
    live = np.setdiff1d(np.arange(W.shape[0]), dead)
    scale = np.linalg.norm(W[live], axis=1).mean()
    rows = X[worst] / np.linalg.norm(X[worst], axis=1, keepdims=True) * scale
    return dead, rows, worst


def _test_model(X, seed=0):
    """A small fitted k-sparse model with five units killed (they can never win)."""
    from ..convergence import fixed_budget
    from ..models import KSparseAutoencoder

    m = KSparseAutoencoder(n_hidden=24, k=3, k_start=None, max_iter=2, batch_size=64,
                           learning_rate=1e-2, epsilon=0.01, random_state=seed)
    with fixed_budget("a tiny model for a check, not a result"):
        m.fit(X)
    W = np.array(to_numpy(m.params_["W1"]), copy=True)
    b = np.array(to_numpy(m.params_["b1"]), copy=True)
    W[[2, 7, 11, 16, 20]] = 0.0
    b[[2, 7, 11, 16, 20]] = -1e3
    m.params_["W1"], m.params_["b1"] = W, b
    return m


def check_resample_dead(fun, X):
    """Check ``fun(model, X)``: re-initialise the dead units of ``model`` in place.

    The check builds its own small model with five dead units on the first 300 rows of
    ``X`` and compares what ``fun`` does with the reference rule: every dead unit (in
    increasing index order) takes one of the inputs with the largest squared reconstruction
    error (largest first), scaled to the mean norm of the live rows of W, and its bias
    becomes 0; live units are untouched; ``fun`` returns the indices of the dead units.

    Returns
    -------
    Feedback
    """
    fb = Feedback("resample_dead")
    X = _host(X)[:300]
    model = _test_model(X)
    W0 = _host(model.params_["W1"]).copy()
    b0 = _host(model.params_["b1"]).copy()
    dead, rows, worst = _reference_resample(model, X)
    mine = copy.deepcopy(model)
    try:
        returned = fun(mine, X)
    except NotImplementedError:
        return fb.todo("not done yet: resample_dead still raises NotImplementedError — "
                       "replace that line with your code, then run this check again")
    W, b = _host(mine.params_["W1"]), _host(mine.params_["b1"])
    if returned is None:
        return fb.fail("resample_dead returned None: return the indices of the units you "
                       "re-initialised")
    got = np.sort(np.ravel(_host(returned)).astype(int))
    if not np.array_equal(got, dead):
        if got.size == W.shape[0] - dead.size:
            return fb.fail("you returned the live units: the dead ones are the columns of "
                           "model.transform(X) that are zero for every example")
        return fb.fail(f"the test model has {dead.size} dead units; you returned "
                       f"{got.size} indices. Dead = never among the k winners on X: a column "
                       "of model.transform(X) that is 0 in every row")
    fb.ok(f"you found the {dead.size} dead units")
    live = np.setdiff1d(np.arange(W.shape[0]), dead)
    if np.allclose(W[dead], W0[dead]):
        return fb.fail("the dead rows of W are unchanged: write the new rows into "
                       "model.params_['W1'] (in place, so that the next fit starts from them)")
    if not (np.allclose(W[live], W0[live]) and np.allclose(b[live], b0[live])):
        return fb.fail("you changed live units too: only the dead units' rows and biases "
                       "should change")
    cos = (W[dead] / np.linalg.norm(W[dead], axis=1, keepdims=True)) @ (
        X / np.linalg.norm(X, axis=1, keepdims=True)).T
    match = np.argmax(cos, axis=1)
    if not np.all(cos[np.arange(dead.size), match] > 1 - 1e-6):
        return fb.fail("each new row should point along one training input (a scaled copy "
                       "of an x), not a random or averaged direction")
    err = np.sum((_host(model.reconstruct(X)) - X) ** 2, axis=1)
    best = np.argsort(err, kind="stable")[:dead.size]
    if set(match) == set(best) and set(best) != set(worst):
        return fb.fail("you used the *best*-reconstructed inputs: the dead units should take "
                       "the inputs the model reconstructs worst (largest squared error)")
    if set(match) != set(worst):
        return fb.fail("the new rows are inputs, but not the worst-reconstructed ones: rank "
                       "the examples by their squared reconstruction error ‖x̂ − x‖², "
                       "largest first")
    fb.ok("every dead unit now points along one of the worst-reconstructed inputs")
    norms = np.linalg.norm(W[dead], axis=1)
    scale = np.linalg.norm(W0[live], axis=1).mean()
    if np.allclose(norms, 1.0) and not np.isclose(scale, 1.0):
        return fb.fail("the new rows have norm 1: scale them to the mean norm of the live "
                       "rows, so that they can compete with the live units")
    if not np.allclose(norms, scale, rtol=1e-4):
        return fb.fail("the new rows have the wrong length: scale each to the mean norm of "
                       "the *live* rows of W (measured before you change anything)")
    if not np.allclose(b[dead], 0.0):
        return fb.fail("the dead units still have their old biases (here very negative, so "
                       "they still cannot win): set them to 0")
    return fb.ok("scaled to the live rows' mean norm, biases reset, live units untouched")
