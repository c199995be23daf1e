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
# 1. write the k-sparse autoencoder's forward pass, and say which weights a training step
#    can change (only those of the k winners);
# 2. predict how the filters change as k goes from 70 to 10, and measure it with a number;
# 3. explain why k is *annealed* from a large value, and count the dead units it saves;
# 4. encode with αk units instead of k, and judge the features by a linear classifier
#    against raw pixels and PCA on the same train/test split.
#
# Exercises are marked **✎ Exercise**; each has a check cell that tells you what is wrong, if
# anything. The notebook runs in under a minute.

# %%
import copy
import time

import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

import aelab
from aelab.datasets import load_mnist
from aelab.metrics import dead_units, linear_probe_accuracy, reconstruction_error

np.set_printoptions(precision=3, suppress=True)
# One BLAS thread for the whole notebook. Every matrix product here is small (a minibatch, or
# the 4 000 × 784 logistic regressions of section 5), and on a machine whose cores are shared
# (Binder, a classroom server, a laptop running other things) a second BLAS thread that has to
# wait for a busy core can make such products ten times slower, not twice as fast.
_one_blas_thread = threadpool_limits(limits=1, user_api="blas")

# %% [markdown]
# ## 1 · Data: 4 000 digits to learn from, 1 000 to test on
#
# We use the 5 000 MNIST digits shipped with `aelab` (they work offline), in float32, which
# halves the cost of every matrix product. The first 4 000 are for training, the last 1 000
# are only ever used to *test* (in section 5). The rows are already shuffled, so both parts
# hold every digit.
#
# We subtract the mean training digit from every image. All digits share a blob of ink in
# the middle; with the mean removed, the units spend themselves on how a digit *differs* from
# the average one, and fewer of them end up unused. (The model has biases and could learn
# the mean itself; centring just gets there sooner.)

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
# (largest signed values, not largest magnitudes). The units are **linear**: no sigmoid, no
# ReLU; the only nonlinearity is the selection. The loss is the plain squared error
# $J = \frac1m\sum_i \tfrac12\lVert\hat x_i - x_i\rVert^2$, with nothing else added.
#
# **Where the gradient goes.** Write $e = \hat x - x$. For a unit j that was *not* selected,
# $h_j = 0$ whatever $z_j$ is, so $\partial J/\partial z_j = 0$: its encoder row receives no
# gradient. Its decoder column (the same row of W, since the weights are tied) is multiplied
# by $h_j = 0$ in $\hat x$, so it receives none either. For a selected unit,
# $\partial J/\partial z_j = (W e)_j$ as in any linear autoencoder. One training step
# therefore updates only the k winners of each example. Hold on to that: it is why some units
# can *die* (section 4).
#
# In `aelab` the examples are rows, so the same model reads $Z = XW^\top + b$,
# $H = Z \odot M$ (M holds 1 for the k largest entries of each row), $\hat X = HW + b'$.
# `aelab.KSparseAutoencoder` is this model: linear units, tied weights, squared error.
#
# **A relative of sparse coding.** Sparse coding (Olshausen and Field 1996) looks for a
# dictionary W and, for *each* example, a code h with few non-zero entries that reconstructs
# it, x ≈ Wᵀh, by solving an optimisation problem per example (an ℓ1 penalty λ‖h‖₁, or at most
# k non-zeros). It has no encoder: finding h is an iterative search. The k-sparse autoencoder
# replaces that search with one matrix product and a top-k selection, a *parametric* encoder
# trained together with the dictionary. That is one guess instead of a search, so its codes
# are cheaper and a little worse at reconstruction, but new examples are encoded at once.
# Notice too that this sparsity is per example (each code has exactly k active units),
# unlike the KL penalty of notebooks 02 and 03, which only fixes each unit's average.
#
# A quick look before we build it ourselves: one example, one gradient. The gradient of the
# hidden bias b has one entry per unit; count how many are non-zero.

# %%
tiny = aelab.KSparseAutoencoder(n_hidden=50, k=5, k_start=None, max_iter=1,
                                dtype="float32").fit(Xc_train[:500])
_, grads = tiny.objective(Xc_train[:1])
print(f"units with a non-zero gradient for one example: {np.count_nonzero(grads['b1'])} "
      f"of {tiny.n_hidden} (k = {tiny.k})")

# %% [markdown]
# ### ✎ Exercise 1 — the k-sparse encoder, by hand
#
# Complete `k_sparse_encode(X, W, b, k)`: compute $Z = XW^\top + b$ and keep, in every row,
# the k largest entries, setting the rest to 0. Return an array shaped like Z.
# (`np.argpartition(Z, -k, axis=1)[:, -k:]` gives the column indices of the k largest
# entries of each row without sorting the whole row; `np.put_along_axis` or
# `np.take_along_axis` help you use them.)

# %%
def k_sparse_encode(X, W, b, k):
    """H (m × p): Z = X Wᵀ + b with all but the k largest entries of each row set to 0."""
    # BEGIN SOLUTION
    Z = X @ W.T + b
    keep = np.argpartition(Z, -k, axis=1)[:, -k:]
    H = np.zeros_like(Z)
    np.put_along_axis(H, keep, np.take_along_axis(Z, keep, axis=1), axis=1)
    # END SOLUTION
    return H


# %%
def check_exercise_1(k_sparse_encode):
    W, b = tiny.params_["W1"], tiny.params_["b1"]
    X = Xc_train[:200]
    H = np.asarray(k_sparse_encode(X, W, b, tiny.k))
    H_ref = tiny.transform(X)
    Z = X @ W.T + b
    assert H.shape == H_ref.shape, (
        f"H should have one row per example and one column per unit, shape {H_ref.shape}; "
        f"got {H.shape}")
    nonzero = np.count_nonzero(H, axis=1)
    assert np.all(nonzero == tiny.k), (
        f"every row should keep exactly k = {tiny.k} units; your rows keep between "
        f"{nonzero.min()} and {nonzero.max()}")
    kept_ref = H_ref != 0
    if not np.array_equal(H != 0, kept_ref):
        smallest = np.argsort(Z, axis=1)[:, :tiny.k]
        by_size = np.argsort(-np.abs(Z), axis=1)[:, :tiny.k]
        mask = np.zeros_like(kept_ref)
        np.put_along_axis(mask, smallest, True, axis=1)
        assert not np.array_equal(H != 0, mask), (
            "you kept the k *smallest* entries; argpartition(Z, -k)[:, -k:] gives the largest")
        mask[:] = False
        np.put_along_axis(mask, by_size, True, axis=1)
        assert not np.array_equal(H != 0, mask), (
            "you kept the k entries of largest *magnitude* |z|; the k-sparse autoencoder keeps "
            "the k largest *values* (a very negative z is not a winner)")
        raise AssertionError("some rows keep the wrong units: keep the k largest entries of "
                             "each row of Z = X Wᵀ + b (did you add the bias?)")
    assert np.allclose(H[kept_ref], Z[kept_ref], atol=1e-4), (
        "you kept the right units but changed their values: a kept unit keeps its z "
        "(not 1, not |z|)")
    print(f"✓ Your encoder matches aelab's transform on {len(X)} examples: exactly "
          f"{tiny.k} of {tiny.n_hidden} units per example, with their linear values.")


# %%
check_exercise_1(k_sparse_encode)

# %% [markdown]
# ## 3 · From strokes to templates: k = 70, 40, 25, 10
#
# Makhzani and Frey trained 1 000 hidden units on 50 000 MNIST digits and showed the filters
# for k = 70, 40, 25 and 10. We repeat the experiment at a size that trains in about three
# seconds per model:
#
# | setting | value | why |
# | --- | --- | --- |
# | hidden units | **400** (not 1 000) | with 1 000 units each unit wins too rarely to learn much in a dozen epochs: at k = 70 the filters were still blurry whole-digit mixtures after 10 epochs, and 40 epochs would take a minute per model here |
# | data | 4 000 centred digits | the offline set; the paper had 50 000 |
# | training | Adam, learning rate 0.01, 12 epochs, minibatches of 128 | at 0.003 the same filters need about ten times as many epochs; 0.02 and 0.04 gave worse ones |
# | initial weights | N(0, 0.01²) | small, so that what you see was learned, not left over from the start |
# | k annealing | from 100 down to k over the first half of training | section 4 |
# | weight decay | λ = 0.02 | a departure from the paper (see below) |
#
# **Why a little weight decay.** With only 4 000 digits and a short run, many k = 70 units
# without weight decay fit fine, high-frequency ripples to the training set instead of strokes
# (their spread, measured below, stayed around 6.7 pixels, as wide as a whole digit).
# A small λ makes every weight pay rent: a ripple that helps on a few training images is not
# worth it, a stroke that appears in many digits is. On 50 000 images the data itself does
# that job.
#
# Each model is trained from the same seed, so the differences you see come from k alone.

# %%
K_VALUES = (70, 40, 25, 10)
SETTINGS = dict(n_hidden=400, k_start=100, learning_rate=1e-2, max_iter=12, batch_size=128,
                epsilon=0.01, lam=0.02, dtype="float32")

models = {}
for k in K_VALUES:
    t0 = time.perf_counter()
    models[k] = aelab.KSparseAutoencoder(k=k, **SETTINGS).fit(Xc_train)
    err = reconstruction_error(Xc_test, models[k].reconstruct(Xc_test))
    print(f"k = {k:2d}: {time.perf_counter() - t0:4.1f} s,  test reconstruction error {err:.2f}")

# %%
show = np.random.default_rng(0).choice(SETTINGS["n_hidden"], 49, replace=False)
fig, axes = plt.subplots(1, 4, figsize=(16, 4.6))
for ax, k in zip(axes, K_VALUES):
    aelab.plot_filters(models[k].components_[show], ax=ax, title=f"k = {k}")
fig.suptitle("the same 49 (randomly chosen) units of four models, "
             "400 hidden units each", y=1.0)
plt.tight_layout()

# %% [markdown]
# **Reading the picture** (mid-grey = 0; each tile is scaled to its own range). At **k = 70**
# many tiles are a single short stroke or a small blob somewhere on the 28 × 28 grid, with
# the rest of the tile flat. Seventy of them are added up for every digit, so each needs to
# draw only a small piece: a 7 is "a horizontal bar here + a diagonal there + …". As k
# shrinks, each unit has to carry more of the picture: at **k = 40** and **25** the strokes
# grow into arcs and loops, and at **k = 10** nearly every tile is a whole, recognisable digit.
# Ten templates, scaled and added, must reproduce the input, so each template has to look like
# a complete digit of some style. This is the progression of Makhzani and Frey's figure, from
# local parts to global templates.
#
# All four models start from the same random weights, so a tile position is the same unit
# with the same start: follow one across the row and you often see a stroke at k = 70
# lengthen into an arc at k = 40 and 25 and become part of a whole digit at k = 10.
#
# Not every k = 70 tile is a clean stroke: some are still messy whole-digit mixtures. In the
# paper's much longer training on 50 000 digits those too turn into strokes.
#
# Reconstruction pays for the sparsity: the test error above grows as k shrinks. Below, three
# test digits rebuilt from 70 and from 10 units. On the right, the first digit taken apart:
# its reconstruction is the sum of the terms $h_j w_j$ of its winners (plus the bias). The
# k = 70 model adds seventy pieces, of which the ten largest are shown: strokes. The k = 10
# model adds ten templates that each look like a whole 9, 4 or 7.

# %%
digits = Xc_test[:3]
fig, axes = plt.subplots(2, 2, figsize=(13, 4.4), width_ratios=[1, 3.2])
for row, k in enumerate((70, 10)):
    aelab.plot_reconstructions(digits + mean_digit, models[k].reconstruct(digits) + mean_digit,
                               (28, 28), n=3, ax=axes[row, 0], title=f"k = {k}")
    h = models[k].transform(digits[:1])[0]
    winners = np.argsort(-h)[:10]
    parts = h[winners, None] * models[k].components_[winners]
    aelab.plot_filters(parts, ax=axes[row, 1], n_cols=10, normalize="all",
                       title=f"k = {k}: the 10 largest terms h_j w_j of the first digit")
plt.tight_layout()

# %% [markdown]
# ### ✎ Exercise 2 — put a number on "local"
#
# Pictures can fool us, so let us measure how spread out a filter is. Treat the squared
# weights of a filter w as a distribution over the 784 pixel positions,
# $e_p = w_p^2 / \sum_q w_q^2$, and compute its **spatial spread**, the root-mean-square
# distance (in pixels) from the filter's centre of mass:
#
# $$c = \sum_p e_p\, r_p, \qquad s = \sqrt{\sum_p e_p\, \lVert r_p - c\rVert^2},$$
#
# where $r_p = (\text{row}, \text{column})$ of pixel p in the 28 × 28 image. A single bright
# pixel has s = 0, a short stroke s ≈ 2–4, a whole digit s ≈ 6–7, and random noise over the
# whole image about 11.
#
# Complete `spread(W)` for a matrix of filters W (one per row); return one s per row.
# (`np.divmod(np.arange(784), 28)` gives the row and column of every pixel.)

# %%
def spread(W):
    """Spatial spread (pixels) of each row of W, an array of 28 × 28 filters."""
    W = np.asarray(W, dtype=np.float64)
    rows, cols = np.divmod(np.arange(W.shape[1]), 28)
    # BEGIN SOLUTION
    e = W ** 2 / np.sum(W ** 2, axis=1, keepdims=True)
    c_row, c_col = e @ rows, e @ cols
    s = np.sqrt(e @ rows ** 2 - c_row ** 2 + e @ cols ** 2 - c_col ** 2)
    # END SOLUTION
    return s


# %%
def spatial_spread(W):
    """The notebook's own spread(), used by the check and by the rest of the notebook."""
    W = np.asarray(W, dtype=np.float64)
    r, c = np.divmod(np.arange(W.shape[1]), 28)
    e = W ** 2 / np.sum(W ** 2, axis=1, keepdims=True)
    d2 = (r - (e @ r)[:, None]) ** 2 + (c - (e @ c)[:, None]) ** 2
    return np.sqrt(np.sum(e * d2, axis=1))


def check_exercise_2(spread):
    pixel = np.zeros((1, 784))
    pixel[0, 300] = -2.0
    pair = np.zeros((1, 784))
    pair[0, [300, 301]] = 1.0
    assert np.isclose(np.ravel(spread(pixel))[0], 0, atol=1e-6), (
        "a filter with a single non-zero pixel should have spread 0 (did you use w² and the "
        "distance from the centre of mass?)")
    s_pair = float(np.ravel(spread(pair))[0])
    assert not np.isclose(s_pair, 0.25), (
        "two neighbouring pixels give 0.25 = the mean squared distance: take the square root")
    assert not np.isclose(s_pair, 1.0), (
        "two neighbouring pixels give 1.0: normalise e so that it sums to 1 over the pixels")
    assert np.isclose(s_pair, 0.5), (
        f"two neighbouring equal pixels should have spread 0.5 (each is half a pixel from "
        f"the centre); got {s_pair:.3g}")
    W = models[70].components_[:50]
    ours, ref = np.ravel(spread(W)), spatial_spread(W)
    assert ours.shape == (50,), (
        f"spread(W) should return one number per row, got shape {ours.shape}")
    if np.allclose(ours, spatial_spread(np.abs(W) ** 0.5)):
        raise AssertionError("weight the pixels by w², not |w|")
    assert np.allclose(ours, ref, rtol=1e-5), (
        "right for the small test filters, wrong on learned ones: are the weights squared "
        "and normalised per row (axis=1)?")
    print("✓ spread() is right: 0 for one pixel, 0.5 for two neighbours, and it matches the "
          "reference on 50 learned filters.")


# %%
check_exercise_2(spread)

# %% [markdown]
# Now the median spread of the live (non-dead) filters of each model, next to two yardsticks:
# the digits themselves (mean removed) and random weights.

# %%
med_spread = {}
for k in K_VALUES:
    alive = ~dead_units(models[k].transform(Xc_train))
    med_spread[k] = np.median(spatial_spread(models[k].components_[alive]))
digit_spread = np.median(spatial_spread(Xc_train[:500]))
noise_spread = np.median(spatial_spread(np.random.default_rng(0).normal(size=(100, 784))))

fig, ax = plt.subplots(figsize=(6, 3.4))
ax.plot(K_VALUES, [med_spread[k] for k in K_VALUES], "o-", label="k-sparse filters (median)")
ax.axhline(digit_spread, color="tab:green", ls="--", label="whole digits")
ax.axhline(noise_spread, color="tab:gray", ls=":", label="random weights")
ax.set(xlabel="k", ylabel="spread s (pixels)", title="filters grow as k shrinks",
       ylim=(0, noise_spread + 1))
ax.invert_xaxis()
ax.legend(fontsize=8, loc="lower right")
plt.tight_layout()
print({k: round(float(v), 2) for k, v in med_spread.items()},
      f"digits {digit_spread:.2f}, noise {noise_spread:.2f}")

# %%
assert med_spread[70] < med_spread[10] - 0.8, "k = 70 filters should be clearly more local"

# %% [markdown]
# The number agrees with the eye: the filters widen steadily from k = 70 to k = 10, where
# they are as wide as the digits themselves.
#
# ## 4 · Annealing k, and dead units
#
# A unit that is never among the k winners never receives a gradient (section 2), so it
# never changes, so it never wins: it is **dead**, a wasted column of W. Early in training
# the filters are random and a few units happen to respond a little more strongly to
# everything; with a small k those few take every example and the rest starve.
#
# Makhzani and Frey's remedy is to **anneal** k: start training with many winners per example,
# so that every unit gets some gradient and a chance to become useful, then lower k step by
# step to its final value. `aelab.KSparseAutoencoder` does this by default: `k_start=100`
# keeps 100 units at the first step and lowers the count linearly to k over the first half
# of the minibatch steps; `k_start=None` uses k from the start.
#
# We train the k = 10 model again, identical except for `k_start=None`.

# %%
no_anneal = aelab.KSparseAutoencoder(k=10, **{**SETTINGS, "k_start": None}).fit(Xc_train)
for name, m in [("annealed from 100", models[10]), ("no annealing", no_anneal)]:
    H_tr, H_te = m.transform(Xc_train), m.transform(Xc_test)
    print(f"{name:18s}: {dead_units(H_tr).sum():3d} dead units of 400,  "
          f"test error {reconstruction_error(Xc_test, m.reconstruct(Xc_test)):.2f},  "
          f"linear probe {linear_probe_accuracy(H_tr, y_train, H_te, y_test):.1%}")

# %% [markdown]
# ### ✎ Exercise 3 — how often does each unit win?
#
# For the model without annealing, compute
#
# * `usage`: for each of the 400 units, the fraction of the 4 000 training digits for which it
#   is among the k winners (its code is non-zero), an array of 400 numbers, and
# * `n_dead`: how many units never win.

# %%
# BEGIN SOLUTION
H_no = no_anneal.transform(Xc_train)
usage = np.mean(H_no != 0, axis=0)
n_dead = int(np.sum(usage == 0))
# END SOLUTION
print(f"{n_dead} units never win; the busiest unit wins for {usage.max():.0%} of the digits")


# %%
def check_exercise_3(usage, n_dead):
    H = no_anneal.transform(Xc_train)
    ref = np.mean(H != 0, axis=0)
    usage = np.asarray(usage)
    assert usage.shape == (400,), (
        f"usage needs one number per hidden unit, shape (400,); got {usage.shape}. "
        "Average over the examples: axis=0")
    assert not np.allclose(usage, ref * len(H)), "usage is a fraction: divide the counts by 4000"
    assert np.allclose(usage, ref), (
        "usage should be the fraction of rows of no_anneal.transform(Xc_train) in which the "
        "unit is non-zero")
    assert np.isclose(usage.sum(), no_anneal.k), "(the fractions should add up to k)"
    assert n_dead == dead_units(H).sum(), (
        f"n_dead should count the units with usage 0: {int(np.sum(ref == 0))}")
    print(f"✓ Right. Without annealing {n_dead} of 400 units never win. The fractions add up "
          f"to k = 10, since every digit has exactly 10 winners.")


# %%
check_exercise_3(usage, n_dead)

# %%
usage_annealed = np.mean(models[10].transform(Xc_train) != 0, axis=0)
usage_no_anneal = np.mean(no_anneal.transform(Xc_train) != 0, axis=0)
dead_no = np.flatnonzero(usage_no_anneal == 0)
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), width_ratios=[1.6, 1])
for u, label in [(usage_annealed, "annealed from k = 100"), (usage_no_anneal, "no annealing")]:
    axes[0].plot(np.sort(u)[::-1] * 100, label=f"{label}: {np.sum(u == 0)} dead")
axes[0].set(xlabel="units, busiest first", ylabel="% of digits won",
            title="how the 4 000 digits share the 400 units (k = 10)")
axes[0].legend()
aelab.plot_filters(no_anneal.components_[dead_no[:25]], ax=axes[1],
                   title="25 dead units (no annealing)")
plt.tight_layout()

# %%
assert dead_units(no_anneal.transform(Xc_train)).sum() > \
    1.5 * dead_units(models[10].transform(Xc_train)).sum(), "annealing should save many units"

# %% [markdown]
# (The linear probe is explained in section 5: the accuracy of a linear classifier trained on
# the codes.)
#
# The dead filters are still the random noise they started as. Weight decay has shrunk them
# (it acts on every weight, winner or not; each tile is scaled up for display), but no
# reconstruction gradient ever reached them. Annealing cuts their number from about 155 to
# 60–75 (the count moves by ten or so between machines, whose floating-point rounding sends
# training down slightly different paths). It does not bring it to zero: with λ > 0 a unit
# that wins rarely is also shrunk by weight decay, and a shrunken unit wins even more rarely
# (with λ = 0.01 instead of 0.02 about 15 die).
#
# Did the dead units cost anything? In this run, not much that we can measure: the test error
# is about the same (the annealed model even spent half its training at larger k, so it had
# fewer steps at k = 10), and so is the linear-probe accuracy printed above. With 156 of 400
# units dead, the model without annealing is simply a smaller autoencoder that paid for 400.
# Annealing is about not wasting what you pay for: the larger and longer the training, the
# more it matters; Makhzani and Frey used it for their small-k models.
#
# ## 5 · Encoding with αk units, and a linear probe
#
# How good are the features? A standard yardstick is the **linear probe**: freeze the
# encoder, train a linear classifier (here multinomial logistic regression) on the codes of
# the 4 000 training digits, and measure its accuracy on the 1 000 test digits.
# `aelab.metrics.linear_probe_accuracy` does exactly that.
#
# Training selected k units per example, but nothing forces the *encoder* to do the same when
# we extract features: Makhzani and Frey keep the **αk** largest activations (α ≥ 1) when
# encoding for a classifier. The extra units are weaker matches that carry a little more
# information about the digit. In `aelab` this is the `alpha` hyperparameter: `transform`
# keeps round(α k) units, and training is unaffected, so we can change α on a trained model.

# %%
ALPHAS = (1, 2, 3)
probe = {}
for k in K_VALUES:
    m = models[k]
    for a in ALPHAS:
        m.set_params(alpha=a)
        probe[k, a] = linear_probe_accuracy(m.transform(Xc_train), y_train,
                                            m.transform(Xc_test), y_test)
    m.set_params(alpha=1)
    print(f"k = {k:2d}: " + ",  ".join(f"α = {a}: {probe[k, a]:.1%}" for a in ALPHAS))

# %% [markdown]
# ### ✎ Exercise 4 — the PCA baseline
#
# The first baseline is free: the probe on the 784 raw (centred) pixels themselves.

# %%
acc_pixels = linear_probe_accuracy(Xc_train, y_train, Xc_test, y_test)
print(f"raw pixels: {acc_pixels:.1%}")

# %% [markdown]
# Compute `acc_pca`, the probe accuracy of the codes of a 50-component PCA,
# `aelab.PCA(n_components=50)`, on the same split. Fit the PCA on the training digits only.

# %%
# BEGIN SOLUTION
pca50 = aelab.PCA(n_components=50).fit(Xc_train)
acc_pca = linear_probe_accuracy(pca50.transform(Xc_train), y_train,
                                pca50.transform(Xc_test), y_test)
# END SOLUTION
print(f"PCA-50: {acc_pca:.1%}")


# %%
def check_exercise_4(acc_pca):
    p = aelab.PCA(n_components=50).fit(Xc_train)
    ref_pca = linear_probe_accuracy(p.transform(Xc_train), y_train, p.transform(Xc_test), y_test)
    if not np.isclose(acc_pca, ref_pca, atol=2e-3):
        p_all = aelab.PCA(n_components=50).fit(np.vstack([Xc_train, Xc_test]))
        leak = linear_probe_accuracy(p_all.transform(Xc_train), y_train,
                                     p_all.transform(Xc_test), y_test)
        assert not np.isclose(acc_pca, leak, atol=2e-3), (
            "your PCA saw the test digits: fit it on Xc_train only, then transform both")
        raise AssertionError(f"acc_pca: expected {ref_pca:.3f} for 50 components fitted on "
                             f"the training digits, got {acc_pca:.3f}")
    best = max(probe.values())
    print(f"✓ Right: PCA-50 {acc_pca:.1%}, against {acc_pixels:.1%} for the raw pixels; the "
          f"best k-sparse code reaches {best:.1%}.")


# %%
check_exercise_4(acc_pca)

# %%
pca_sizes = (25, 50, 100, 400)
acc_pca_n = {}
for nc in pca_sizes:
    p = aelab.PCA(n_components=nc).fit(Xc_train)
    acc_pca_n[nc] = linear_probe_accuracy(p.transform(Xc_train), y_train,
                                          p.transform(Xc_test), y_test)

fig, ax = plt.subplots(figsize=(7.5, 3.8))
for a, marker in zip(ALPHAS, "os^"):
    ax.plot(K_VALUES, [100 * probe[k, a] for k in K_VALUES], marker + "-",
            label=f"k-sparse, 400 units, α = {a}")
ax.axhline(100 * acc_pixels, color="k", ls="--", label="raw pixels (784)")
best_nc = max(acc_pca_n, key=acc_pca_n.get)
ax.axhline(100 * acc_pca_n[best_nc], color="tab:green", ls=":",
           label=f"PCA, best of {pca_sizes} components ({best_nc})")
ax.set(xlabel="k", ylabel="test accuracy (%)", title="linear probe on 1 000 test digits")
ax.invert_xaxis()
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(0.0, 0.42))
plt.tight_layout()
print("PCA:", {nc: f"{acc:.1%}" for nc, acc in acc_pca_n.items()})

# %%
assert min(probe[k, 1] for k in K_VALUES) > acc_pixels + 0.02, \
    "every k-sparse code should beat raw pixels clearly"

# %% [markdown]
# **What the probe says.** Every k-sparse code beats both the raw pixels and the best PCA
# we tried by several points: a linear classifier finds the digit classes much easier to
# separate in these codes. PCA itself is hardly better than pixels (it is a rotation and
# truncation, which a linear classifier could almost do on its own), and with 400 components
# it is *worse*: the classifier then fits the noise of 4 000 training digits.
#
# Between the k values the differences are small. With 1 000 test digits, one accuracy
# carries a standard error of about √(0.94 × 0.06 / 1000) ≈ 0.75 percentage points, so do not
# over-read a single step of the curve. Here k = 70, 40 and 25 are within that noise of each
# other, and k = 10 is lower by one to two points: ten global templates are close to a
# nearest-template lookup, a thin description of a digit. Encoding with α = 3 (30 units)
# narrows that gap by about a point, while for k ≥ 25 extra units add nothing. Makhzani and Frey
# likewise found intermediate k best for classification; very small k made the features too
# global for them as well.
#
# ## 6 · Live: the k slider
#
# The panel below starts from the k = 70 model of section 3, shown as it is. Move the **k**
# slider and it retrains while you watch: the filter grid (dead units tinted red) and, beside
# it, the codes of a few digits, one row per digit and one thin cell per hidden unit (red for
# a positive code, blue for a negative one, white for a unit not selected; the strip
# underneath marks the dead units in black). The status line gives k, where its annealing
# started and the number of dead units.
#
# The panel uses the settings of section 3 (400 units, 4 000 digits), because smaller
# models do not show the stroke-to-template change: with 200 units or 2 000 digits the k = 70
# filters came out nearly as wide as whole digits (median spread 6.5–6.9 pixels).
#
# A change of k continues from the current filters (a **warm start**), and the annealing
# runs again from 100 down to the new k. Because the filters are already trained, the panel
# retrains for **4 epochs** instead of 12 (`warm_max_iter=4`): about 1.3 s on a free core
# instead of 3–4 s. We measured what that costs: going from k = 70 to k = 10, the median
# spread after 4 warm epochs was 6.5 pixels, against 6.8 for a fresh 12-epoch k = 10 model
# and 5.4 at k = 70, and the tiles are already whole digits. Twelve warm epochs reached 6.75:
# three times the wait for a small further change (and 87 dead units against 82). The
# pictures update during training.
#
# > If the panel is blank, you are reading a static copy: run the notebook in JupyterLab,
# > Notebook 7 or Voilà.

# %%
panel = aelab.Explorer(copy.deepcopy(models[70]), Xc_train, controls=("k",),
                       views=("filters", "ksparse"), image_shape=(28, 28), warm_max_iter=4)
panel

# %% [markdown]
# Driving the panel from code works like dragging the slider. Here we move k to 10: watch the
# strokes above grow into templates, and dead units appear.

# %%
panel.controls["k"].value = 10
panel.wait()
alive = ~dead_units(panel.model.transform(Xc_train))
print(f"retrained in {panel.stats['time_to_final_frame']:.1f} s "
      f"({'warm' if panel.stats['warm_start'] else 'fresh'} start, "
      f"{panel.stats['iterations']} epochs); {panel.stats['dead_units']} dead units")
live_spread = np.median(spatial_spread(panel.model.components_[alive]))
print(f"median spread of the live filters {live_spread:.2f} px (k = 70: {med_spread[70]:.2f}, "
      f"fresh 12-epoch k = 10 model: {med_spread[10]:.2f})")

# %% [markdown]
# ## 7 · Try it yourself
#
# Things to change in the cells above (each retrain takes a few seconds):
#
# * `warm_max_iter=12` in the panel: each change of k now trains as long as a fresh model.
#   Compare the k = 10 tiles and the printed spread and dead-unit count with the 4-epoch
#   retrain: is the wait worth it?
# * `lam=0` in `SETTINGS`: the k = 70 filters turn into ripples and digit-wide mixtures and
#   their median spread rises towards 6.7 pixels (Makhzani and Frey did not need λ because
#   they had 50 000 digits and long training);
# * `n_hidden=1000` with the same 12 epochs: the k = 10 templates get sharper and more
#   varied, the k = 70 filters stay blurry (each unit wins too rarely to be trained);
# * `k_start=400` (all units at first) with k = 10: fewer dead units still (measured: 45
#   against 63 for `k_start=100` on the same machine).
#
# ## Summary
#
# * A **k-sparse autoencoder** has linear units and tied weights; for each example it keeps
#   the k largest hidden activations, zeroes the rest, and reconstructs from those:
#   $h = \mathrm{top}_k(Wx + b)$, $\hat x = W^\top h + b'$. The loss is plain squared error.
# * Gradients reach only the k winners of each example, through both the encoder and (tied)
#   decoder role of their weights.
# * **k sets the scale of the features**: on MNIST, k = 70 gives short strokes and blobs,
#   k = 10 whole-digit templates. Their measured spatial spread grows steadily as k shrinks.
# * A unit that never wins never learns: it is **dead**. **Annealing** k from a large value
#   (here 100) gives every unit gradient early on; at k = 10 it cut the dead units from about
#   155 to 60–75 of 400.
# * For features, encode with **αk** units. A linear probe on the codes beat raw pixels and
#   PCA by five to six points on the same split (about 95% against 88–89%); larger α helped
#   only at small k.
#
# **Next:** notebook 06 regularises in a different way — by corrupting the input
# (denoising autoencoders) or by penalising how fast the code changes with it (contractive
# autoencoders).
