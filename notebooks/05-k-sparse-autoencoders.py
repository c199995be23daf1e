# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 · k-sparse autoencoders: sparsity by selection
#
# Notebook 04 ended on a puzzle: put a sparsity *penalty* on linear units and the biases
# simply absorb it, so you get PCA back. Makhzani and Frey (2013) made linear units sparse
# another way. They do not penalise anything. For every example they keep the **k largest**
# hidden activations, set all others to zero, and reconstruct from those k alone. The one
# number k then controls what the units learn: on MNIST, a large k gives small stroke
# detectors and a small k gives whole-digit templates.
#
# **After this notebook you can**
#
# 1. write the k-sparse encoder, say where its gradient goes, and read it as one step of
#    iterative hard thresholding;
# 2. predict how the filters change as k goes from 70 to 10, and measure it with a number;
# 3. count dead units, tell which part of a recipe makes them (annealing, weight decay), and
#    revive them by resampling;
# 4. judge features with a *tuned* linear probe against pixels, PCA, and dictionaries that
#    were never learned, with error bars.
#
# Exercises are marked **✎ Exercise**, each with a check cell; before each experiment you
# write down a prediction. The notebook runs in about a minute and a half.

# %%
import copy

import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

import aelab
from aelab.claims import claim
from aelab.datasets import load_mnist
from aelab.exercises import compare_numeric_prediction, compare_prediction
from aelab.exercises.nb05 import (check_k_sparse_encode, check_pca_probe, check_resample_dead,
                                  check_spread, check_usage)
from aelab.filters import spatial_spread
from aelab.ksparse import dictionary_encoder, fit_annealed
from aelab.metrics import dead_units, fraction_active, reconstruction_error
from aelab.probes import tuned_probe

np.set_printoptions(precision=3, suppress=True)
# One BLAS thread: every product here is small, and on a shared machine (Binder, a classroom
# server) a second thread waiting for a busy core makes them slower, not faster.
_one_blas_thread = threadpool_limits(limits=1, user_api="blas")

# %% [markdown]
# ## 1 · Data: 4 000 digits to learn from, 1 000 to test on
#
# The 5 000 MNIST digits shipped with `aelab` (offline), in float32. The first 4 000 train,
# the last 1 000 only ever *test*; the rows are shuffled, so both parts hold every digit.
# We subtract the mean training digit: the units then spend themselves on how a digit
# *differs* from the average one. (The biases could learn the mean; centring gets there
# sooner.)

# %%
X_all, y_all = load_mnist(source="embedded")
X_all = X_all.astype(np.float32)
X_train, y_train = X_all[:4000], y_all[:4000]
X_test, y_test = X_all[4000:], y_all[4000:]
mean_digit = X_train.mean(axis=0)
Xc_train, Xc_test = X_train - mean_digit, X_test - mean_digit
print(f"train {Xc_train.shape}, test {Xc_test.shape}, "
      f"digits per class in the test set: {np.bincount(y_test)}")

# %% [markdown]
# ## 2 · The model
#
# With p hidden units, tied weights W (*p × n*) and biases b (*p*) and b′ (*n*), one example
# x goes through four steps:
#
# $$z = W x + b, \qquad \Gamma = \operatorname{supp}_k(z), \qquad
#   h_j = \begin{cases} z_j & j \in \Gamma\\ 0 & j \notin \Gamma\end{cases}, \qquad
#   \hat x = W^\top h + b'.$$
#
# $\operatorname{supp}_k(z)$ is the set of the k indices with the **largest** values of z
# (signed values, not magnitudes). The units are **linear**; the only nonlinearity is the
# selection. The loss is plain squared error, $J = \frac1m\sum_i \tfrac12\lVert\hat x_i -
# x_i\rVert^2$. In `aelab` the examples are rows: $Z = XW^\top + b$, $H = Z \odot M$ (M
# holds 1 for the k largest entries of each row), $\hat X = HW + b'$; that is
# `aelab.KSparseAutoencoder`.
#
# **Where the gradient goes.** For a unit j that was not selected, $h_j = 0$ whatever $z_j$
# is, so the reconstruction error sends it no gradient, neither through its encoder row nor
# through its decoder column (the same row of W, tied). The *gradient of J* therefore
# reaches only the k winners of each example. Whether only the winners *move* is another
# matter: weight decay (λ > 0) adds λW to the gradient of every row, and Adam keeps moving a
# row for a while after its gradient stops, on the momentum of its earlier steps. Below, one
# example's gradient, with λ = 0 and with λ = 0.02.

# %%
tiny = aelab.KSparseAutoencoder(n_hidden=50, k=5, k_start=None, dtype="float32")
with aelab.fixed_budget("one epoch: a model to take gradients of, not a result"):
    tiny.set_params(max_iter=1).fit(Xc_train[:500])
rows_moved = {}
for lam in (0.0, 0.02):
    _, grads = tiny.set_params(lam=lam).objective(Xc_train[:1])
    rows_moved[lam] = int(np.count_nonzero(np.abs(grads["W1"]).sum(axis=1)))
    print(f"λ = {lam}: rows of W with a non-zero gradient: {rows_moved[lam]} of 50 (k = 5)")
tiny.set_params(lam=0.0)
claim(rows_moved[0.0] == tiny.k and rows_moved[0.02] == tiny.n_hidden,
      "the reconstruction gradient reaches only the k winners; weight decay reaches every row",
      rows_with_gradient=rows_moved);

# %% [markdown]
# **One step of iterative hard thresholding.** Sparse coding (Olshausen and Field 1996)
# looks for a dictionary and, per example, a code with few non-zeros that reconstructs it,
# by an iterative search. Iterative hard thresholding, one such search, alternates a
# gradient step on $\tfrac12\lVert x - W^\top h\rVert^2$ with keeping only the k largest
# entries (by magnitude, usually; by value here). Start it at h = 0 with unit step, and its
# first iteration is $h = \operatorname{top}_k(Wx)$: the k-sparse encoder, with the
# dictionary tied to the encoder. Makhzani and Frey analyse it in these terms (support
# estimation, then an inversion step that their training folds into the dictionary update)
# and show that when the dictionary's elements are incoherent enough (far from parallel),
# this single step already finds the right support. So the encoder is a one-step
# approximation of sparse coding: cheap to run on new examples, at some cost in
# reconstruction. Its sparsity is per example (exactly k active units), unlike the KL
# penalty of notebooks 02 and 03, which fixes each unit's average.

# %% [markdown]
# ### ✎ Exercise 1 — the k-sparse encoder, by hand
#
# Complete `k_sparse_encode(X, W, b, k)`: return an array shaped like $Z = XW^\top + b$ that
# keeps, in every row, the k largest entries of Z and is 0 elsewhere.
# (`np.argpartition(Z, -k, axis=1)` finds the k largest without sorting whole rows;
# `np.put_along_axis` and `np.take_along_axis` help you use its indices.)

# %% nbgrader={"grade": false, "grade_id": "answer_k_sparse_encode", "locked": false, "schema_version": 3, "solution": true, "task": false}
def k_sparse_encode(X, W, b, k):
    """The codes H (m × p) of the rows of X under the k-sparse encoder (W, b, k)."""
    # BEGIN SOLUTION
    Z = X @ W.T + b
    keep = np.argpartition(Z, -k, axis=1)[:, -k:]
    H = np.zeros_like(Z)
    np.put_along_axis(H, keep, np.take_along_axis(Z, keep, axis=1), axis=1)
    # END SOLUTION
    return H


# %% nbgrader={"grade": true, "grade_id": "check_k_sparse_encode", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_k_sparse_encode(k_sparse_encode, tiny, Xc_train[:200]).assert_ok()

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_spread", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# ## 3 · From strokes to templates: k = 70, 40, 25, 10
#
# Makhzani and Frey trained 1 000 hidden units on the 60 000 MNIST digits and showed the
# filters for k = 70, 40, 25 and 10. We repeat it smaller, and train every model **to
# convergence**:
#
# | setting | here | paper |
# | --- | --- | --- |
# | hidden units | 400 | 1 000 |
# | data | 4 000 centred digits | 60 000 |
# | k annealing | 100 → k over 5 epochs, then 5 epochs at k (lr 0.01) | from a large k |
# | then | Adam at lr 0.003 until 5 epochs pass without a 0.1 % gain in the epoch loss | — |
# | weight decay | λ = 0.02 | none |
# | initial weights | N(0, 0.01²), the same draw for every k | |
#
# Why depart from the paper? Fewer units and digits, so that each model trains in seconds.
# Weight decay, because it buys fast convergence: at k = 10, λ = 0.02 needs less than half
# the epochs of λ = 0 (section 4), at a price measured there: higher error and dead units.
# `aelab.ksparse.fit_annealed` runs the two phases; one fit cannot, because the loss *rises*
# while k falls, so "no progress since the best epoch" would stop it when annealing ends.
#
# **✎ Predict first.** As k shrinks from 70 to 10, will the median spatial extent of the
# filters grow, stay the same or shrink?

# %%
my_prediction_spread = None  # ✎ one of "grows", "same", "shrinks": set it before running on

# %%
K_VALUES = (70, 40, 25, 10)
SETTINGS = dict(n_hidden=400, k_start=100, learning_rate=1e-2, max_iter=12, batch_size=128,
                epsilon=0.01, lam=0.02, tol=1e-3, n_iter_no_change=5, dtype="float32")
PHASES = dict(anneal_epochs=10, learning_rate=3e-3, max_iter=300)

models, test_err = {}, {}
for k in K_VALUES:
    models[k] = fit_annealed(aelab.KSparseAutoencoder(k=k, **SETTINGS), Xc_train, **PHASES)
    test_err[k] = reconstruction_error(Xc_test, models[k].reconstruct(Xc_test))
    print(f"k = {k:2d}: {models[k].n_epochs_total_:3d} epochs ({models[k].stop_reason_}), "
          f"test reconstruction error {test_err[k]:.2f}")
claim(all(m.converged_ for m in models.values()), "every model of the figure converged");

# %%
show = np.random.default_rng(0).choice(SETTINGS["n_hidden"], 49, replace=False)
fig, axes = plt.subplots(1, 4, figsize=(16, 4.6))
for ax, k in zip(axes, K_VALUES):
    aelab.plot_filters(models[k].components_[show], ax=ax, title=f"k = {k}")
fig.suptitle("the same 49 randomly chosen units of four converged models (400 units each; "
             "each tile scaled to its own range, mid-grey = 0)", y=1.0)
plt.tight_layout()

# %% [markdown]
# **Reading the picture.** At **k = 70** many tiles are a short stroke or a small blob with
# the rest of the tile flat: seventy of them are added up for every digit, so each needs to
# draw only a piece. As k shrinks each unit must carry more of the picture: at **k = 40** and
# **25** the strokes grow into arcs and loops, and at **k = 10** most tiles are a whole digit
# of some style, since ten templates, scaled and added, must reproduce the input. This is the
# progression of Makhzani and Frey's figure. Section 3's exercise puts a number on it
# instead of trusting the eye.
#
# Reconstruction pays for the sparsity: the test error printed above grows as k shrinks.
# Below, three test digits rebuilt from 70 and from 10 units, and the first digit taken apart
# into its ten largest terms $h_j w_j$ (its reconstruction is the sum of all k terms plus the
# bias): strokes for k = 70, whole-digit templates for k = 10.

# %%
claim(all(test_err[a] < test_err[b] for a, b in zip(K_VALUES, K_VALUES[1:])),
      "the test reconstruction error grows as k shrinks", test_error=test_err)
digits = Xc_test[:3]
fig, axes = plt.subplots(2, 2, figsize=(13, 4.4), width_ratios=[1, 3.2])
for row, k in enumerate((70, 10)):
    aelab.plot_reconstructions(digits + mean_digit, models[k].reconstruct(digits) + mean_digit,
                               (28, 28), n=3, ax=axes[row, 0], title=f"k = {k}")
    h = models[k].transform(digits[:1])[0]
    winners = np.argsort(-h)[:10]
    parts = h[winners, None] * models[k].components_[winners]
    aelab.plot_filters(parts, ax=axes[row, 1], n_cols=10, normalize="all",
                       title=f"k = {k}: the 10 largest terms h_j w_j of the first digit "
                             "(one shared scale)")
plt.tight_layout()

# %% [markdown]
# ### ✎ Exercise 2 — put a number on "local"
#
# Pictures can fool us, so measure how spread out a filter is. Remove the filter's own mean
# (a constant offset is not structure), treat its squared weights as a distribution over the
# 784 pixel positions, $e_p = w_p^2 / \sum_q w_q^2$, and compute the root-mean-square distance
# (in pixels) from its centre of mass:
#
# $$c = \sum_p e_p\, r_p, \qquad s = \sqrt{\sum_p e_p\, \lVert r_p - c\rVert^2},$$
#
# where $r_p$ = (row, column) of pixel p in the 28 × 28 image. A short stroke has s ≈ 2–4, a
# whole digit about 6–7, noise over the whole image about 11.
#
# Complete `spread(W)` for a matrix of filters (one per row); return one s per row.
# (`np.divmod(np.arange(784), 28)` gives every pixel's row and column.)

# %% nbgrader={"grade": false, "grade_id": "answer_spread", "locked": false, "schema_version": 3, "solution": true, "task": false}
def spread(W):
    """Spatial spread (pixels) of each row of W, an array of 28 × 28 filters."""
    W = np.asarray(W, dtype=np.float64)
    rows, cols = np.divmod(np.arange(W.shape[1]), 28)
    # BEGIN SOLUTION
    W = W - W.mean(axis=1, keepdims=True)
    e = W ** 2 / np.sum(W ** 2, axis=1, keepdims=True)
    c_row, c_col = e @ rows, e @ cols
    s = np.sqrt(e @ rows ** 2 - c_row ** 2 + e @ cols ** 2 - c_col ** 2)
    # END SOLUTION
    return s


# %% nbgrader={"grade": true, "grade_id": "check_spread", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_spread(spread, models[70].components_).assert_ok()

# %% [markdown]
# The rest of the notebook uses the library's version of the same yardstick,
# `aelab.filters.spatial_spread(W, (28, 28))`, on the live (never-dead) filters of each model,
# beside two references: the centred digits themselves, and random weights.

# %%
spreads, med_spread = {}, {}
for k in K_VALUES:
    alive = ~dead_units(models[k].transform(Xc_train))
    spreads[k] = spatial_spread(models[k].components_[alive], (28, 28))
    med_spread[k] = float(np.median(spreads[k]))
digit_spread = np.median(spatial_spread(Xc_train[:500], (28, 28)))
noise_spread = np.median(spatial_spread(np.random.default_rng(0).normal(size=(100, 784)),
                                        (28, 28)))
short = {k: float(np.mean(spreads[k] < 4)) for k in K_VALUES}

fig, ax = plt.subplots(figsize=(7.5, 3.6))
ax.boxplot([spreads[k] for k in K_VALUES], positions=range(4), widths=0.5, showfliers=False)
ax.set_xticks(range(4), [f"k = {k}" for k in K_VALUES])
ax.axhline(digit_spread, color="#009E73", ls="--", label=f"centred digits ({digit_spread:.1f})")
ax.axhline(noise_spread, color="#999999", ls=":", label=f"random weights ({noise_spread:.1f})")
ax.axhline(4, color="#D55E00", lw=0.8, label="4 px: a short stroke")
ax.set(ylabel="spatial spread s (pixels)", ylim=(0, noise_spread + 1),
       title="spread of the live filters (box: quartiles, whiskers: 1.5 IQR)")
ax.legend(fontsize=8, loc="upper left")
plt.tight_layout()
print("median spread:", {k: round(v, 2) for k, v in med_spread.items()},
      "\nshare under 4 px:", {k: f"{v:.0%}" for k, v in short.items()})

# %%
grows = all(med_spread[a] < med_spread[b] for a, b in zip(K_VALUES, K_VALUES[1:]))
outcome = "grows" if med_spread[10] > med_spread[70] + 0.5 else (
    "shrinks" if med_spread[10] < med_spread[70] - 0.5 else "same")
print(compare_prediction(my_prediction_spread, outcome, choices=("grows", "same", "shrinks"),
                         why="fewer winners per digit means each must draw more of it"))

# %%
claim(grows and med_spread[10] > med_spread[70] + 1.5,
      "the median spread grows steadily from k = 70 to k = 10", median_spread=med_spread)
claim(0.2 <= short[70] <= 0.5 and short[10] < 0.02,
      "at k = 70 about a third of the live filters are under 4 px, at k = 10 almost none",
      share_under_4px=short)
claim(abs(med_spread[10] - digit_spread) < 1.0,
      "at k = 10 the filters are nearly as wide as the digits themselves (within a pixel)",
      k10=med_spread[10], digits=digit_spread);

# %% [markdown]
# The number agrees with the eye. At k = 70 about a third of the live filters are short
# strokes and the median is well under the digits' own width; at k = 10 the filters are
# nearly as wide as the digits. Not every k = 70 tile is a stroke: with 4 000 digits and
# 400 units some remain pieces of whole digits. (Does convergence matter for this picture?
# Section 8 suggests how to see a model stopped after a dozen epochs.)

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_dead", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# ## 4 · Dead units: what makes them, and two ways to revive them
#
# A unit that is never among the k winners gets no reconstruction gradient (section 2), so
# it does not improve, so it keeps losing: it is **dead**, a wasted row of W. Makhzani and
# Frey's remedy is to **anneal** k: start with many winners per example so that every unit
# gets gradient, then lower k to its final value (`k_start=100` here; `k_start=None` uses k
# from the start). Weight decay, our departure from the paper, pushes the other way: it
# shrinks every row, and a unit that wins rarely is shrunk more than it is trained, so it
# wins more rarely still.
#
# We train k = 10 four ways, λ ∈ {0.02, 0} × annealing on/off, all to convergence.
#
# **✎ Predict first.** Which removes more dead units: switching annealing on, or setting λ
# to 0?

# %%
my_prediction_dead = None  # ✎ one of "annealing", "lambda = 0", "about the same"

# %%
grid = {(0.02, True): models[10]}
for lam, anneal in [(0.02, False), (0.0, True), (0.0, False)]:
    m = aelab.KSparseAutoencoder(k=10, **{**SETTINGS, "lam": lam,
                                          "k_start": 100 if anneal else None})
    grid[lam, anneal] = fit_annealed(m, Xc_train, **PHASES)
n_dead = {key: int(dead_units(m.transform(Xc_train)).sum()) for key, m in grid.items()}
err10 = {key: reconstruction_error(Xc_test, m.reconstruct(Xc_test)) for key, m in grid.items()}
print("k = 10, 400 units      annealed from 100      no annealing")
for lam in (0.02, 0.0):
    print(f"λ = {lam:<4}: dead units  " + "       ".join(
        f"{n_dead[lam, a]:3d} (test error {err10[lam, a]:.2f}, "
        f"{grid[lam, a].n_epochs_total_} ep.)" for a in (True, False)))

# %%
gain_anneal = {lam: n_dead[lam, False] - n_dead[lam, True] for lam in (0.02, 0.0)}
gain_lam = {a: n_dead[0.02, a] - n_dead[0.0, a] for a in (True, False)}
outcome = ("annealing" if min(gain_anneal.values()) > 1.5 * max(gain_lam.values()) else
           "lambda = 0" if min(gain_lam.values()) > 1.5 * max(gain_anneal.values()) else
           "about the same")
print(compare_prediction(my_prediction_dead, outcome,
                         choices=("annealing", "lambda = 0", "about the same"),
                         why="annealing feeds every unit gradient early; λ = 0 stops starving the "
                             "ones that win rarely; each removes most of what the other leaves"))
claim(n_dead[0.02, False] > 2 * n_dead[0.02, True] and n_dead[0.0, True] <= 5,
      "with λ = 0.02 annealing cuts the dead units by more than half; with λ = 0 and "
      "annealing almost none die", dead=n_dead)
claim(n_dead[0.0, False] < n_dead[0.02, False] / 2,
      "without annealing, weight decay more than doubles the dead units", dead=n_dead)
claim(err10[0.0, True] < err10[0.02, True] and
      grid[0.0, True].n_epochs_total_ > 2 * grid[0.02, True].n_epochs_total_,
      "λ = 0 reconstructs better but needs more than twice the epochs",
      error=err10, epochs={k: m.n_epochs_total_ for k, m in grid.items()});

# %% [markdown]
# Most of the dead units come from *our* departure, not from k-sparsity: with the paper's
# λ = 0 annealing leaves almost none, and even without annealing far fewer die. λ = 0.02 was
# chosen because it converges fast; the table shows its price (and λ = 0 also reconstructs
# better). At the paper's size, 1 000 units, you can run the same comparison yourself
# (section 8; it takes minutes).

# %% [markdown]
# ### ✎ Exercise 3 — how often does each unit win?
#
# For the model with λ = 0.02 and no annealing, `grid[0.02, False]`, compute `usage`: for
# each of the 400 units, the fraction of the 4 000 training digits for which it is among the
# k winners (its code is non-zero); and `n_dead`, how many units never win.

# %% nbgrader={"grade": false, "grade_id": "answer_h_worst", "locked": false, "schema_version": 3, "solution": true, "task": false}
worst_model = grid[0.02, False]
# BEGIN SOLUTION
H_worst = worst_model.transform(Xc_train)
usage = np.mean(H_worst != 0, axis=0)
n_dead_worst = int(np.sum(usage == 0))
# END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_usage", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_usage(usage, n_dead_worst, worst_model, Xc_train).assert_ok()

# %%
usage_of = {key: fraction_active(np.abs(m.transform(Xc_train)), threshold=0)  # wins / digits
            for key, m in grid.items()}
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), width_ratios=[1.6, 1])
colours = {(0.02, True): "#0072B2", (0.02, False): "#D55E00", (0.0, True): "#009E73",
           (0.0, False): "#CC79A7"}
for (lam, anneal), u in usage_of.items():
    axes[0].plot(np.sort(u)[::-1] * 100, color=colours[lam, anneal],
                 label=f"λ = {lam}, {'annealed' if anneal else 'no annealing'}: "
                       f"{np.sum(u == 0)} dead")
axes[0].set(xlabel="units, busiest first", ylabel="% of training digits won",
            title="how 4 000 digits share 400 units (k = 10)", yscale="log")
axes[0].legend(fontsize=8)
dead_idx = np.flatnonzero(usage_of[0.02, False] == 0)
aelab.plot_filters(worst_model.components_[dead_idx[:25]], ax=axes[1],
                   title="25 dead units (λ = 0.02, no annealing)")
plt.tight_layout()

# %% [markdown]
# The dead filters are still the noise they started as, shrunk by weight decay (each tile is
# scaled up for display): no reconstruction gradient ever reached them.
#
# **Reviving dead units.** Sparse autoencoders for interpretability meet the same problem at
# scale, and two fixes are standard. Bricken et al. (2023) **resample**: every so often they
# find the dead units and re-initialise each one towards an input the model reconstructs
# badly (sampled with probability growing with its loss), so it starts life on something
# still unexplained. Gao et al. (2024) add an **auxiliary loss, AuxK**: the dead latents with
# the largest pre-activations are asked to reconstruct the main model's residual error, which
# sends them gradient without changing the main reconstruction.

# %% [markdown]
# ### ✎ Exercise 4 — resample the dead units
#
# Complete `resample_dead(model, X)`. Find the dead units on X (code zero for every row).
# Rank the rows of X by squared reconstruction error ‖x̂ − x‖², largest first. Give the i-th
# dead unit (in increasing index order) the i-th worst input as its new row of
# `model.params_["W1"]`, rescaled to the mean norm of the live rows, and set its bias in
# `model.params_["b1"]` to 0. Change the arrays in place; return the dead units' indices.

# %% nbgrader={"grade": false, "grade_id": "answer_resample_dead", "locked": false, "schema_version": 3, "solution": true, "task": false}
def resample_dead(model, X):
    """Re-initialise the dead units of a k-sparse model towards badly reconstructed inputs."""
    # BEGIN SOLUTION
    dead = np.flatnonzero(np.all(model.transform(X) == 0, axis=0))
    if dead.size:
        err = np.sum((model.reconstruct(X) - X) ** 2, axis=1)
        worst = np.argsort(-err, kind="stable")[:dead.size]
        W, b = model.params_["W1"], model.params_["b1"]
        live = np.setdiff1d(np.arange(W.shape[0]), dead)
        scale = np.linalg.norm(W[live], axis=1).mean()
        W[dead] = X[worst] / np.linalg.norm(X[worst], axis=1, keepdims=True) * scale
        b[dead] = 0.0
    # END SOLUTION
    return dead


# %% nbgrader={"grade": true, "grade_id": "check_resample_dead", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_resample_dead(resample_dead, Xc_train).assert_ok()

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_revived", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# Use it where the dead units come from the start with a small k rather than from weight
# decay: the λ = 0 model trained without annealing, `grid[0.0, False]`. Three rounds of
# *resample, then train 3 epochs* (a fixed budget, on purpose: resampling happens *during*
# training), against the same 9 epochs without resampling.
#
# **✎ Predict first.** How many of its dead units will be left after the three rounds?

# %%
my_prediction_revived = None  # ✎ a number of dead units

# %%
def short_fit(model, epochs=3):
    with aelab.fixed_budget("resampling happens between short fits"):
        return model.set_params(warm_start=True, k_start=None, max_iter=epochs,
                                learning_rate=3e-3, n_iter_no_change=None).fit(Xc_train)


def rounds(resample, n_rounds=3):
    """(dead units, test error) after each round of [resample], then 3 epochs."""
    m, out = copy.deepcopy(grid[0.0, False]), []
    for _ in range(n_rounds):
        if resample:
            resample_dead(m, Xc_train)
        short_fit(m)
        out.append((int(dead_units(m.transform(Xc_train)).sum()),
                    reconstruction_error(Xc_test, m.reconstruct(Xc_test))))
    return out


history = {name: rounds(resample=name == "resampled") for name in ("resampled", "not resampled")}
for name, h in history.items():
    print(f"{name:14s}: " + ",  ".join(f"round {i + 1}: {d} dead, test error {e:.2f}"
                                        for i, (d, e) in enumerate(h)))

# %%
(d_res, e_res), (d_not, e_not) = history["resampled"][-1], history["not resampled"][-1]
print(compare_numeric_prediction(my_prediction_revived, d_res, name="dead units after 3 rounds",
                                 why="a resampled unit starts on an input nobody explains, so it "
                                     "wins at once, and with λ = 0 nothing starves it again"))
before = n_dead[0.0, False]
claim(d_res <= max(2, before // 10) and d_not >= 0.8 * before,
      "resampling revives the dead units; without it they stay dead",
      before=before, resampled=d_res, not_resampled=d_not)
errs = [e for _, e in history["resampled"]]
claim(errs[0] > history["not resampled"][0][1] and errs[-1] < errs[0],
      "right after resampling the error is higher than without, and it falls over the rounds",
      resampled=errs, not_resampled=[e for _, e in history["not resampled"]]);

# %% [markdown]
# Resampling removes the dead units at once, and here they stay alive: with λ = 0 nothing
# starves them again. It is not free: the revived units take wins from trained ones before
# they have learned anything, so the error first rises, then falls as they train. Resampling
# is a repair *during* training, to be followed by more training, not a finishing touch.
# (Try it on `grid[0.02, False]` too, where weight decay keeps pushing units out.)

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_points", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# ## 5 · Encoding with αk units, and a tuned linear probe
#
# How good are the features? The **linear probe**: freeze the encoder, train a multinomial
# logistic regression on the codes of the 4 000 training digits, measure its accuracy on the
# 1 000 test digits. A fair comparison tunes every probe: `aelab.probes.tuned_probe`
# standardises the features, chooses the regularisation C on a held-out quarter of the
# *training* split, refits, and reports the test accuracy with its 95 % error bar,
# ±1.96·√(p(1−p)/n) for n = 1 000 test digits.
#
# Makhzani and Frey keep the **αk** largest activations (α ≥ 1) when encoding for a
# classifier: weaker matches that still carry information. In `aelab` `transform` keeps
# round(αk) units; training is unaffected, so α can change on a trained model.
#
# **✎ Predict first.** By how many percentage points will the best k-sparse code beat the
# better of raw pixels and PCA-50, all probes tuned?

# %%
my_prediction_points = None  # ✎ a number of percentage points

# %%
probe = {}
for k in K_VALUES:
    for a in (1, 3) if k in (70, 10) else (1,):
        m = models[k].set_params(alpha=a)
        probe[k, a] = tuned_probe(m.transform(Xc_train), y_train, m.transform(Xc_test), y_test)
        print(f"k = {k:2d}, α = {a}: {probe[k, a]}")
    models[k].set_params(alpha=1)
probe_pixels = tuned_probe(Xc_train, y_train, Xc_test, y_test)
print(f"raw pixels: {probe_pixels}")

# %% [markdown]
# ### ✎ Exercise 5 — the PCA baseline
#
# Compute `acc_pca`, the tuned probe accuracy (`tuned_probe(...).accuracy`) of the codes of a
# 50-component PCA, `aelab.PCA(n_components=50)`, on the same split.

# %% nbgrader={"grade": false, "grade_id": "answer_pca50", "locked": false, "schema_version": 3, "solution": true, "task": false}
# BEGIN SOLUTION
pca50 = aelab.PCA(n_components=50).fit(Xc_train)
acc_pca = tuned_probe(pca50.transform(Xc_train), y_train, pca50.transform(Xc_test),
                      y_test).accuracy
# END SOLUTION
print(f"PCA-50: {acc_pca:.1%}")

# %% nbgrader={"grade": true, "grade_id": "check_pca_probe", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_pca_probe(acc_pca, Xc_train, y_train, Xc_test, y_test).assert_ok()

# %% [markdown]
# **Is it the learning, or the top-k?** Two dictionaries that were never trained, encoded the
# same way (top-70, tied, no bias): 400 random Gaussian directions, and 400 training digits
# (unit length) used as exemplars. If these probe as well as the learned codes, the lesson
# would be about the selection, not the learning.

# %%
rng = np.random.default_rng(0)
baselines = {"random W, top-70": rng.normal(size=(400, 784)),
             "400 digits as W, top-70": Xc_train[:400] / np.linalg.norm(
                 Xc_train[:400], axis=1, keepdims=True)}
for name, W in baselines.items():
    enc = dictionary_encoder(W, 70, dtype="float32")
    probe[name] = tuned_probe(enc.transform(Xc_train), y_train, enc.transform(Xc_test), y_test)
    print(f"{name:24s}: {probe[name]}")

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_pca400", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# **More components, a worse probe?** With standardisation, PCA with 400 components probes
# *worse* than with 50. The cause is the standardisation, not overfitting as such: the last
# 350 components of the digits carry little of their variance, and scaling each to unit
# variance makes their noise as loud as the strongest strokes. Without standardising, the
# same 400 components are a rotation of the pixels that keeps most of their variance, and
# they probe like the pixels do.
#
# **✎ Predict first.** Unstandardised PCA-400 against standardised PCA-400: better, the same,
# or worse?

# %%
my_prediction_pca400 = None  # ✎ one of "better", "same", "worse"

# %%
pca400 = aelab.PCA(n_components=400).fit(Xc_train)
P_train, P_test = pca400.transform(Xc_train), pca400.transform(Xc_test)
variance = P_train.var(axis=0)
share_tail = variance[50:].sum() / variance.sum()  # components 51-400, before standardising
probe["PCA-400, standardised"] = tuned_probe(P_train, y_train, P_test, y_test)
probe["PCA-400, not standardised"] = tuned_probe(P_train, y_train, P_test, y_test,
                                                 standardize=False)
print(f"components 51-400 hold {share_tail:.1%} of the variance; standardised, each holds "
      f"1/400 of it, {350 / 400:.0%} together")
for name in ("PCA-400, standardised", "PCA-400, not standardised"):
    print(f"{name:26s}: {probe[name]}")

# %%
std, raw = probe["PCA-400, standardised"].accuracy, probe["PCA-400, not standardised"].accuracy
outcome = "better" if raw > std + 0.01 else ("worse" if raw < std - 0.01 else "same")
print(compare_prediction(my_prediction_pca400, outcome, choices=("better", "same", "worse"),
                         why="standardising blows near-constant components up to unit variance"))
claim(share_tail < 0.2, "the last 350 of the 400 components hold little of the variance",
      share=share_tail)
claim(raw > std + 0.02 and abs(raw - probe_pixels.accuracy) < 0.015,
      "unstandardised PCA-400 beats standardised PCA-400 and probes like the pixels",
      standardised=std, not_standardised=raw, pixels=probe_pixels.accuracy);

# %%
names = ["raw pixels", "PCA-50", "PCA-400, standardised", "PCA-400, not standardised",
         "random W, top-70", "400 digits as W, top-70"] + [f"k-sparse, k = {k}"
                                                           for k in K_VALUES]
acc = 100 * np.array([probe_pixels.accuracy, acc_pca] + [probe[n].accuracy for n in names[2:6]]
                     + [probe[k, 1].accuracy for k in K_VALUES])
err = 1.96 * np.sqrt(acc * (100 - acc) / len(y_test))  # 95 % interval, in points
fig, ax = plt.subplots(figsize=(8, 4.4))
colour = ["#999999"] * 4 + ["#E69F00"] * 2 + ["#0072B2"] * 4
ax.barh(range(len(names)), acc, xerr=err, color=colour, capsize=3)
for i, a in enumerate(acc):
    ax.text(a + err[i] + 0.8, i, f"{a:.1f}", va="center", fontsize=8)
ax.set_yticks(range(len(names)), names)
ax.invert_yaxis()
ax.set(xlim=(0, 105), xlabel="test accuracy (%), bars: 95 % interval",
       title="tuned linear probe on 1 000 test digits (α = 1)")
plt.tight_layout()

# %%
learned = {k: probe[k, 1].accuracy for k in K_VALUES}
best_learned = max(learned.values())
best_plain = max(probe_pixels.accuracy, acc_pca)
lead = 100 * (min(learned[k] for k in (70, 40, 25)) - best_plain)
print(compare_numeric_prediction(my_prediction_points, 100 * (best_learned - best_plain),
                                 name="points over the better of pixels and PCA-50"))
claim(lead >= 3.5 and 100 * (best_learned - best_plain) <= 6.5,
      "k = 70, 40 and 25 beat the better of tuned pixels and PCA-50 by four to six points",
      learned=learned, pixels=probe_pixels.accuracy, pca50=acc_pca)
claim(probe["random W, top-70"].accuracy < best_plain + 0.01,
      "a random dictionary with top-70 is no better than the pixels",
      random=probe["random W, top-70"].accuracy, pixels=probe_pixels.accuracy)
ex_gap = 100 * (learned[70] - probe["400 digits as W, top-70"].accuracy)
claim(1 <= ex_gap <= 4.5 and probe["400 digits as W, top-70"].accuracy > best_plain,
      "exemplars with top-70 beat the pixels, and learning the dictionary adds about 1 to 4 "
      "points more", exemplars=probe["400 digits as W, top-70"].accuracy, k70=learned[70]);

# %% [markdown]
# **What the probe says.** Tuned, the pixels and PCA-50 are close to each other, and the
# learned k-sparse codes at k = 70, 40 and 25 beat both by four to six points, outside the
# error bars. The two untrained dictionaries separate what does the work. Random directions
# with top-70 are no better than the pixels: selection alone buys nothing. Real digits as
# exemplars, with the same top-70, already beat the pixels; learning the dictionary adds a
# few points more. Every probe here chose its own C: a fixed C for all would let the
# regularisation, not the features, decide the comparison.
#
# Between k = 70, 40 and 25 the differences are about the size of the error bars; k = 10 is
# lower: ten global templates describe a digit thinly. Encoding with α = 3 (30 units) moves
# the k = 10 probe by less than its own error bar: on 1 000 test digits, the benefit of αk
# at encoding, if any, is too small to measure here. At k = 70 (210 units) the extra, weaker
# matches do not help. Makhzani and Frey likewise found intermediate k best for
# classification.

# %%
gap10 = max(probe[k, 1].accuracy for k in (70, 40, 25)) - probe[10, 1].accuracy
alpha_gain = {k: probe[k, 3].accuracy - probe[k, 1].accuracy for k in (70, 10)}
claim(gap10 > 0.01, "k = 10 probes lower than the best of k = 70, 40, 25", gap=gap10)
# one probe's standard error on the 1 000 test digits, √(a(1 − a)/n)
alpha_se = {k: float(np.sqrt(probe[k, 1].accuracy * (1 - probe[k, 1].accuracy) / len(y_test)))
            for k in (70, 10)}
claim(abs(alpha_gain[10]) < 2 * alpha_se[10],
      "at k = 10, α = 3 moves the probe by less than its error bar (two standard errors)",
      gain=alpha_gain[10], two_standard_errors=2 * alpha_se[10])
claim(alpha_gain[70] < 0.005, "at k = 70, α = 3 does not help", gain=alpha_gain[70]);

# %% [markdown]
# ## 6 · Live: the k slider
#
# The panel below starts from the converged k = 70 model of section 3. Move the **k** slider
# and it retrains while you watch: the filter grid (dead units tinted red) and the codes of a
# few digits, one row per digit and one thin cell per unit (red positive, blue negative,
# white not selected; the strip underneath marks dead units in black). The status line gives
# k, its annealing start and the dead units.
#
# A change of k continues from the current filters (a **warm start**), annealing again from
# 100 to the new k, for a budget of **4 epochs** (`warm_max_iter=4`, about a second on a
# free core). That is a budget, not convergence, and the panel says so: it shows the
# direction of the change at once, not its end point. Section 3 has the converged models.
#
# > If the panel is blank, you are reading a static copy: run the notebook in JupyterLab,
# > Notebook 7 or Voilà.

# %%
from aelab.explorer.course import course_challenges

panel = aelab.Explorer(copy.deepcopy(models[70]), Xc_train, controls=("k",),
                       views=("filters", "ksparse"), image_shape=(28, 28), warm_max_iter=4,
                       challenges=course_challenges("05"))
panel

# %% [markdown]
# The panel sets two **challenges**, checked after every retrain: find a k at which the live
# filters turn into global templates (median spread above 6.5 px), and a k small enough
# that a quarter of the units die.
#
# Driving the panel from code works like dragging the slider. Here we move k to 10: the
# strokes above start to grow into templates.

# %%
panel.controls["k"].value = 10
panel.wait()
alive = ~dead_units(panel.model.transform(Xc_train))
live_spread = float(np.median(spatial_spread(panel.model.components_[alive], (28, 28))))
print(f"retrained in {panel.stats['time_to_final_frame']:.1f} s "
      f"({'warm' if panel.stats['warm_start'] else 'fresh'} start, "
      f"{panel.stats['iterations']} epochs); {panel.stats['dead_units']} dead units; "
      f"median spread of the live filters {live_spread:.2f} px")
claim(med_spread[70] < live_spread < med_spread[10] + 0.5,
      "after 4 warm epochs at k = 10 the filters are wider than at k = 70, on their way to "
      "the converged k = 10 model", k70=med_spread[70], panel=live_spread,
      k10=med_spread[10])
for c in panel.challenges:  # the panel's own check, on its subsample of the digits
    print(("done: " if c.done else "open: ") + c.text)

# %% [markdown]
# ## 7 · Why top-k is back: sparse autoencoders for interpretability
#
# The k-sparse autoencoder is now the tool of choice for a different job: reading the
# internal activations of large language models. There, a sparse autoencoder with many more
# latents than the activation has dimensions is trained on those activations, in the hope
# that each latent picks out one human-readable feature. Gao et al. (2024), who cite
# Makhzani and Frey, replaced the usual ℓ1 penalty with top-k because k sets the sparsity
# directly (no penalty weight to tune against the reconstruction), and ℓ1 shrinks every
# active value towards zero while top-k leaves the winners' values alone. Their remaining
# problem was this notebook's section 4, at a scale of millions of latents: dead units,
# which they fought with AuxK and an encoder initialised as the decoder's transpose (tied at
# the start). Notebook 09 will treat these models on data with known features.

# %% [markdown]
# ## 8 · Try it yourself
#
# * `lam=0` in `SETTINGS`: converged k = 70 filters without weight decay. Compare their
#   spread, the test error and the epochs with section 3 (it takes a few times longer).
# * `n_hidden=1000, k=70` with λ = 0.02 and with λ = 0, the paper's size, to convergence
#   (minutes): count the dead units in each.
# * a k = 70 model stopped after 12 epochs (`fit` with `max_iter=12`, inside
#   `aelab.fixed_budget`): compare its spread and its share of short strokes with section 3.
# * `warm_max_iter=12` in the panel: is the longer wait worth the change in the k = 10
#   tiles and in the printed spread?
# * `k_start=400` (all units at first) in section 4's grid.

# %% [markdown]
# ## Summary
#
# * A **k-sparse autoencoder** keeps the k largest of $Wx + b$ and reconstructs with $W^\top$
#   from those alone: one step of iterative hard thresholding with a tied dictionary.
# * The reconstruction gradient reaches only the k winners; weight decay and Adam's momentum
#   still move the others.
# * **k sets the scale of the features**: converged, about a third of the live k = 70 filters
#   are short strokes and the median spread grows steadily to whole-digit width at k = 10.
# * **Dead units** come from starting with a small k and, here above all, from weight decay;
#   annealing k, λ = 0, resampling (Bricken et al.) and AuxK (Gao et al.) fight them.
# * A **tuned** probe puts k = 70–25 a few points above pixels and PCA-50, and learning the
#   dictionary a few points above exemplars with the same top-k; random directions add nothing.
#
# **Next:** notebook 06 regularises by corrupting the input (denoising autoencoders) or by
# penalising how fast the code changes with it (contractive autoencoders).
