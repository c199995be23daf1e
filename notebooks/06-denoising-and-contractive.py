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
# # 06 · Denoising and contractive autoencoders
#
# An autoencoder with enough hidden units can learn to copy its input, which teaches it
# nothing about the data. Notebooks 02–05 prevented that with penalties on the *code*
# (sparsity, top-k). This notebook looks at two ideas that work on the *input* instead:
#
# * a **denoising** autoencoder (Vincent et al. 2008) sees a damaged copy of each input and is
#   trained to reproduce the undamaged original, so copying is no longer the answer;
# * a **contractive** autoencoder (Rifai et al. 2011) is penalised for how strongly its code
#   reacts to small changes of the input, measured by the Jacobian ∂h/∂x.
#
# Along the way we settle a question that comes up in every lecture on the subject: *isn't
# adding noise to the input just weight decay?* (For a linear model, yes, exactly. For a
# nonlinear one, no, and we will see it do the opposite.)
#
# **After this notebook you can**
#
# 1. corrupt inputs with masking or Gaussian noise, and train a denoising autoencoder;
# 2. show, with pictures and numbers, that it cleans damaged digits that a plain autoencoder
#    trained the same way reproduces damage and all, and choose the noise level;
# 3. derive the weight penalty that Gaussian input noise amounts to for a linear autoencoder,
#    check it numerically, and show where the equivalence breaks for sigmoid units;
# 4. write the contractive penalty in closed form, compute it, and show that it makes the code
#    less sensitive than weight decay does at the same reconstruction error.
#
# Exercises are marked **✎ Exercise**, each with a check cell. The notebook runs in under a
# minute.

# %%
import copy
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from threadpoolctl import threadpool_limits

import aelab
from aelab.datasets import load_digits, load_mnist
from aelab.metrics import reconstruction_error

np.set_printoptions(precision=3, suppress=True)
# One BLAS thread for the whole notebook: all products here are small, and on a machine whose
# cores are shared (Binder, a classroom server) a second thread can slow them down many times.
_one_blas_thread = threadpool_limits(limits=1, user_api="blas")

# %% [markdown]
# ## 1 · Two ways to damage a digit
#
# We train on 3 000 MNIST digits (the offline set shipped with `aelab`, in float32) and keep
# 1 000 others for testing. `aelab` corrupts inputs in one of two ways, chosen by `noise`, with
# the strength set by `noise_level`:
#
# | `noise` | what happens to each pixel | `noise_level` is |
# | --- | --- | --- |
# | `"mask"` | set to 0 with probability ν, otherwise left alone | ν, the fraction removed |
# | `"gaussian"` | N(0, σ²) is added to it | σ, the standard deviation |
#
# Masking is "dropout on the input": the network must fill in what is missing from what is
# left. (Vincent et al. 2008 zeroed a fixed number νd of the d pixels, chosen at random for
# each example; removing each pixel independently with probability ν removes νd on average
# and is the form most libraries use.) Gaussian noise spoils every pixel a little, and may push values outside [0, 1]; the
# library does not clip them.
#
# **✎ Exercise 1.** Write `corrupt(X, kind, level, rng)` returning a corrupted copy of X
# (`rng` is a `np.random.Generator`; use `rng.random` and `rng.normal`).

# %%
def corrupt(X, kind, level, rng):
    """X with masking noise (kind="mask", level=ν) or additive Gaussian noise (level=σ)."""
    # BEGIN SOLUTION
    if kind == "mask":
        return X * (rng.random(X.shape) >= level)
    return X + rng.normal(0.0, level, size=X.shape)
    # END SOLUTION


# %%
def check_exercise_1(corrupt):
    X = np.random.default_rng(5).uniform(0.2, 1.0, size=(400, 50))
    M = np.asarray(corrupt(X, "mask", 0.3, np.random.default_rng(0)))
    assert M.shape == X.shape, f"the corrupted copy should have X's shape {X.shape}; got {M.shape}"
    assert not np.shares_memory(M, X) and np.all(X >= 0.2), "return a copy; leave X unchanged"
    removed = np.mean(M == 0)
    kept = M != 0
    assert np.allclose(M[kept], X[kept]), (
        "masking must leave the surviving pixels exactly as they were (no rescaling, no noise)")
    assert not np.isclose(removed, 0.7, atol=0.03), (
        f"you removed {removed:.0%} of the pixels: ν = 0.3 is the probability of *removing* a "
        "pixel, not of keeping it")
    assert np.isclose(removed, 0.3, atol=0.03), (
        f"with ν = 0.3 about 30% of the pixels should become 0; you removed {removed:.0%}")
    G = np.asarray(corrupt(X, "gaussian", 0.2, np.random.default_rng(0)))
    E = G - X
    assert G.shape == X.shape, f"the corrupted copy should have X's shape {X.shape}"
    assert not np.isclose(E.std(), 0.04, rtol=0.1), (
        "the noise has standard deviation 0.04 = σ²: noise_level is σ, the standard deviation")
    assert abs(np.corrcoef(np.abs(E).ravel(), X.ravel())[0, 1]) < 0.1, (
        "the noise should be *added* and the same size everywhere, not multiplied by the pixel")
    assert np.isclose(E.std(), 0.2, rtol=0.05) and abs(E.mean()) < 0.01, (
        f"Gaussian noise with σ = 0.2 should have mean 0 and standard deviation 0.2; yours has "
        f"mean {E.mean():.3f} and standard deviation {E.std():.3f} (do not clip to [0, 1])")
    print(f"✓ corrupt() is right: masking removed {removed:.1%} of the pixels (ν = 0.3) and "
          f"left the rest alone; the Gaussian noise has σ = {E.std():.3f}.")


# %%
check_exercise_1(corrupt)

# %% [markdown]
# Here is what the two kinds of damage look like at two strengths. The test images are
# corrupted once, with a fixed seed, and reused for every measurement below.

# %%
X_all, y_all = load_mnist(source="embedded")
X_all = X_all.astype(np.float32)
X_train, X_test = X_all[:3000], X_all[4000:]
rng = np.random.default_rng(1)
test_sets = {
    "clean": X_test,
    "masked ν = 0.5": X_test * (rng.random(X_test.shape) >= 0.5).astype(np.float32),
    "Gaussian σ = 0.5": X_test + rng.normal(0, 0.5, X_test.shape).astype(np.float32),
}
rng = np.random.default_rng(2)
digit = X_test[0]
examples = [digit, digit * (rng.random(784) >= 0.25), digit * (rng.random(784) >= 0.5),
            digit + rng.normal(0, 0.25, 784), digit + rng.normal(0, 0.5, 784)]
titles = ["clean", "mask ν = 0.25", "mask ν = 0.5", "Gaussian σ = 0.25", "Gaussian σ = 0.5"]
fig, axes = plt.subplots(1, 5, figsize=(11, 2.6))
for ax, img, title in zip(axes, examples, titles):
    ax.imshow(np.clip(img.reshape(28, 28), 0, 1), cmap="gray", vmin=0, vmax=1)
    ax.set_title(title, fontsize=10)
    ax.axis("off")
plt.tight_layout()

# %% [markdown]
# ## 2 · A plain and a denoising autoencoder, trained the same way
#
# The denoising objective differs from the plain one in a single place. With $\tilde x_i$ a
# freshly corrupted copy of $x_i$ (new noise for every minibatch),
#
# $$J_\text{DAE} = \frac1m\sum_i \ell\bigl(g(f(\tilde x_i)),\; x_i\bigr),$$
#
# the encoder f sees the damaged input, the loss compares with the **clean** one.
# `aelab.DenoisingAutoencoder` uses sigmoid units in both layers and the cross-entropy loss, as
# Vincent et al. did for images in [0, 1].
#
# Both models below have 256 hidden units, start from the same small random weights
# (ε = 0.01) and are trained by Adam for 10 epochs. The only difference is `noise`.

# %%
SETTINGS = dict(n_hidden=256, max_iter=10, batch_size=64, learning_rate=6e-3, epsilon=0.01,
                dtype="float32")


def train(**kw):
    t0 = time.perf_counter()
    model = aelab.DenoisingAutoencoder(**{**SETTINGS, **kw}).fit(X_train)
    print(f"trained {kw} in {time.perf_counter() - t0:.1f} s")
    return model


def test_errors(model):
    """Squared error against the *clean* test digits, for each kind of test input."""
    return {name: reconstruction_error(X_test, model.reconstruct(Xin))
            for name, Xin in test_sets.items()}


plain = train(noise=None)
dae = train(noise="mask", noise_level=0.5)
dae_gauss = train(noise="gaussian", noise_level=0.5)

# %%
n_show = 8
rows = [X_test[:n_show], test_sets["masked ν = 0.5"][:n_show],
        plain.reconstruct(test_sets["masked ν = 0.5"][:n_show]),
        dae.reconstruct(test_sets["masked ν = 0.5"][:n_show])]
labels = ["clean", "masked input", "plain output", "denoising output"]
fig, axes = plt.subplots(4, n_show, figsize=(n_show * 1.1, 4.9))
for r, (imgs, label) in enumerate(zip(rows, labels)):
    for c in range(n_show):
        axes[r, c].imshow(imgs[c].reshape(28, 28), cmap="gray", vmin=0, vmax=1)
        axes[r, c].set_xticks([]), axes[r, c].set_yticks([])
    axes[r, 0].set_ylabel(label, fontsize=9)
fig.suptitle("half the pixels removed: who puts them back?", y=1.0)
plt.tight_layout()

# %%
errors = {"plain": test_errors(plain), "denoising, mask ν = 0.5": test_errors(dae),
          "denoising, Gaussian σ = 0.5": test_errors(dae_gauss)}
print(f"{'test error against the clean digits':34s}" + "".join(f"{n:>18s}" for n in test_sets))
for name, errs in errors.items():
    print(f"{name:34s}" + "".join(f"{errs[n]:18.2f}" for n in test_sets))
print(f"{'(doing nothing: output = input)':34s}"
      + "".join(f"{reconstruction_error(X_test, Xin):18.2f}" for Xin in test_sets.values()))

# %%
assert errors["denoising, mask ν = 0.5"]["masked ν = 0.5"] < \
    0.7 * errors["plain"]["masked ν = 0.5"], "the denoising model should clean masked digits"

# %% [markdown]
# **What the pictures and the table say.**
#
# * On clean digits the plain model is best: it was trained for exactly that.
# * Given a masked digit, the plain model faithfully reproduces the holes: it has learned
#   something close to the identity, and the identity maps a damaged digit to a damaged digit.
#   The denoising model draws the missing strokes back in, and its error against the clean
#   digits is less than half the plain model's.
# * Each denoising model is best on the damage it was trained on. Masking and Gaussian noise
#   are different problems: filling in missing ink is not the same as ignoring speckle.
# * The masked model reconstructs a *clean* digit less well than a masked one. Its encoder
#   expects half the pixels to be missing; a complete digit drives its hidden units twice as
#   hard as anything it saw in training. (Dropout has the same issue, and rescales at test
#   time; the denoising autoencoder usually does not bother, because it is used for its
#   features, not for reconstructing clean inputs.)
#
# ## 3 · How much noise?
#
# We add masking levels ν = 0.25 and 0.75 to the two models we have (ν = 0 is the plain model)
# and measure each on the three test sets.

# %%
mask_models = {0.0: plain, 0.25: train(noise="mask", noise_level=0.25), 0.5: dae,
               0.75: train(noise="mask", noise_level=0.75)}
sweep = {nu: test_errors(m) for nu, m in mask_models.items()}

fig, ax = plt.subplots(figsize=(6.5, 3.8))
for name, style in zip(test_sets, ("o-", "s-", "^-")):
    ax.plot(list(sweep), [sweep[nu][name] for nu in sweep], style, label=f"test: {name}")
ax.set(xlabel="training mask level ν", ylabel="error against the clean digits",
       title="test error against the training noise level")
ax.legend(fontsize=8)
plt.tight_layout()

fig, axes = plt.subplots(1, 4, figsize=(14, 3.9))
for ax, (nu, m) in zip(axes, mask_models.items()):
    aelab.plot_filters(m.components_[:25], ax=ax, title=f"trained with ν = {nu}")
plt.tight_layout()

# %% [markdown]
# More noise costs accuracy on clean digits (blue rises steadily), while the error on masked
# test digits is lowest when training used the same ν = 0.5 (orange has its minimum there).
# Digits spoiled by Gaussian noise (green) are best served, among these four, by a little
# masking (ν = 0.25), though the model trained on Gaussian noise itself did better still
# (section 2's table). ν is a hyperparameter to be chosen for the job, like λ or k.
#
# The filters (the first 25 units of each model) tell the same story from the inside. Without
# noise they are busy,
# high-frequency patterns, a few of them uniform "how much ink is there" detectors; together
# they make a good copying machine. With more noise they become smoother and larger, blobs and
# pieces of strokes (on a background that is still noisy after 10 epochs): a single pixel can
# no longer be trusted, so each unit has to gather evidence from a neighbourhood of pixels.
#
# ## 4 · Is input noise just weight decay?
#
# ### The linear case: yes, exactly
#
# Take a **linear** autoencoder, $\hat x = A x + c$ with $A = W_2 W_1$, and add Gaussian noise
# $\varepsilon \sim N(0, \sigma^2 I)$ to its input. Writing $r = Ax + c - x$ for the clean
# residual,
#
# $$\tfrac12\lVert A(x+\varepsilon) + c - x\rVert^2 = \tfrac12\lVert r\rVert^2
#   + r^\top A\varepsilon + \tfrac12\lVert A\varepsilon\rVert^2 .$$
#
# The middle term has mean 0, and $\mathbb E\,\lVert A\varepsilon\rVert^2 = \sigma^2\lVert
# A\rVert_F^2$. So **on average over the noise**
#
# $$\mathbb E_\varepsilon\, J_\text{noisy} = J_\text{clean} + \frac{\sigma^2}{2}\,\lVert W_2
#   W_1\rVert_F^2,$$
#
# exactly, for any weights. Training with noise is training with an explicit quadratic
# penalty on the weights, a Tikhonov regulariser. For a one-layer linear model
# $\hat y = Ax$ it is literally weight decay, $\tfrac\lambda2\lVert A\rVert_F^2$ with
# λ = σ² (Bishop 1995); for the two-layer autoencoder it falls on the product $W_2W_1$.
#
# We check this on the 8 × 8 digits (64 pixels), where everything is quick. First we train a
# linear autoencoder with 10 units *with* Gaussian noise σ = 0.25. To average over the noise
# properly, it sees 10 independently corrupted copies of each digit and is trained to
# convergence with L-BFGS.

# %%
X_dig, y_dig = load_digits()
sigma, p = 0.25, 10
linear = dict(n_hidden=p, activation="linear", output_activation="linear", loss="mse",
              optimizer="lbfgs")
lin_noisy = aelab.Autoencoder(**linear, noise="gaussian", noise_level=sigma, max_iter=400,
                              dtype="float32").fit(np.tile(X_dig, (10, 1)))
theta = {k: v.astype(np.float64) for k, v in lin_noisy.params_.items()}
W1, W2 = theta["W1"], theta["W2"]
print(f"trained: {lin_noisy.n_iter_} L-BFGS iterations, {lin_noisy.stop_reason_}")

# %% [markdown]
# ### ✎ Exercise 2 — the penalty that the noise adds
#
# At the weights `theta` of this model, compute the explicit penalty
# `penalty` $= \frac{\sigma^2}{2}\lVert W_2 W_1\rVert_F^2$. The check cell measures the real
# thing: the noisy objective averaged over 40 noise draws, minus the clean objective.

# %%
# BEGIN SOLUTION
penalty = sigma ** 2 / 2 * np.sum((W2 @ W1) ** 2)
# END SOLUTION
print(f"penalty = {penalty:.5f}")


# %%
def noise_gap(model, params, X, sigma, n_draws=40):
    """E[J_noisy] − J_clean at fixed params, estimated over n_draws noise draws (mean, s.e.)."""
    clean = clone(model).set_params(noise=None).objective(X, params=params)[0]
    gaps = [clone(model).set_params(noise="gaussian", noise_level=sigma, seed=s)
            .objective(X, params=params)[0] - clean for s in range(n_draws)]
    return np.mean(gaps), np.std(gaps) / np.sqrt(n_draws)


lin_model = aelab.Autoencoder(**linear, dtype="float64")


def check_exercise_2(penalty):
    gap, se = noise_gap(lin_model, theta, X_dig, sigma)
    ref = sigma ** 2 / 2 * np.sum((W2 @ W1) ** 2)
    wd = sigma ** 2 / 2 * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    assert not np.isclose(penalty, 2 * ref, rtol=1e-3), "twice too large: the ½ is missing"
    assert not np.isclose(penalty, wd, rtol=1e-3), (
        "that is layer-wise weight decay, σ²/2 (‖W1‖² + ‖W2‖²); the noise passes through the "
        "product W2 W1")
    assert not np.isclose(penalty, sigma / 2 * np.sum((W2 @ W1) ** 2), rtol=1e-3), (
        "use the variance σ², not σ")
    assert np.isclose(penalty, ref, rtol=1e-4), (
        f"expected σ²/2 ‖W2 W1‖²_F = {ref:.5f}, got {penalty:.5f}")
    print(f"✓ penalty = {penalty:.5f}; the measured gap E[J_noisy] − J_clean = {gap:.5f} ± "
          f"{se:.5f}. Identical within the Monte-Carlo error.")


# %%
check_exercise_2(penalty)

# %% [markdown]
# **What training with this penalty finds.** Minimising $J_\text{clean} + \frac{\sigma^2}2
# \lVert A\rVert_F^2$ over maps A of rank p has a closed-form answer (a ridge version of
# notebook 04's result): keep the top p principal directions $u_i$ of the data, with variances
# $\lambda_i$, but **shrink** each by the factor
#
# $$a_i = \frac{\lambda_i}{\lambda_i + \sigma^2}$$
#
# so that directions whose variance is small next to the noise are damped most. Let us compare
# with what the noise-trained network actually does along each $u_i$, $u_i^\top W_2 W_1 u_i$.
# For contrast we also train a linear autoencoder with ordinary layer-wise weight decay
# $\frac\lambda2(\lVert W_1\rVert^2 + \lVert W_2\rVert^2)$, λ = 0.03, whose optimum is known
# as well: $a_i = \max(0,\, 1 - \lambda/\lambda_i)$, a different curve (subtract a constant
# rather than divide).

# %%
cov = np.cov(X_dig.T, bias=True)
variances, U = np.linalg.eigh(cov)
variances, U = variances[::-1][:p], U[:, ::-1][:, :p]
lam_lin = 0.03
lin_wd = aelab.LinearAutoencoder(n_hidden=p, lam=lam_lin).fit(X_dig)


def shrinkage(params):
    A = params["W2"] @ params["W1"]
    return np.einsum("ni,nm,mi->i", U, A, U)      # u_iᵀ A u_i for each principal direction


grid_v = np.linspace(0.05, 0.75, 200)
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(grid_v, grid_v / (grid_v + sigma ** 2), color="tab:blue",
        label=f"noise σ = {sigma}: λᵢ / (λᵢ + σ²)")
ax.plot(variances, shrinkage(theta), "o", color="tab:blue", label="trained with noise")
ax.plot(grid_v, np.maximum(0, 1 - lam_lin / grid_v), color="tab:orange",
        label=f"weight decay λ = {lam_lin}: 1 − λ/λᵢ")
ax.plot(variances, shrinkage(lin_wd.params_), "s", color="tab:orange",
        label="trained with weight decay")
ax.set(xlabel="variance λᵢ of principal direction i", ylabel="gain uᵢᵀ W₂W₁ uᵢ",
       title="linear autoencoder, 10 units, 8×8 digits: theory (lines) and training (points)")
ax.legend(fontsize=8)
plt.tight_layout()
print("largest gap between the noise-trained gains and λᵢ/(λᵢ + σ²):",
      f"{np.abs(shrinkage(theta) - variances / (variances + sigma ** 2)).max():.4f}")

# %% [markdown]
# The points sit on their curves. Input noise in a linear model is a weight penalty, with
# nothing left over. (Which penalty depends on where the noise enters and how the model is
# parametrised, which is why the blue and orange curves differ in shape; both shrink.)
#
# ### The nonlinear case: no
#
# With sigmoid hidden units, $\hat x(x) = W_2\,\mathrm{sig}(W_1x+b_1)+b_2$, a Taylor expansion
# gives, for small σ,
#
# $$\mathbb E_\varepsilon\, J_\text{noisy} \approx J_\text{clean} + \frac{\sigma^2}{2}\,
#   \frac1m\sum_i\Bigl\lVert \frac{\partial\hat x}{\partial x}(x_i)\Bigr\rVert_F^2
#   + (\text{a term in the residual times the curvature of } \hat x) + O(\sigma^4),$$
#
# with $\partial\hat x/\partial x = W_2\,\mathrm{diag}\bigl(\mathrm{sig}'(z_i)\bigr)\,W_1$.
# Two things change. The penalty now depends on the **data**, through $\mathrm{sig}'(z_i)$, so
# it is not a function of the weights alone as weight decay is. And it is only an
# approximation: the measured gap drifts away from it as σ grows. We measure both models'
# gaps against the Tikhonov term $\frac{\sigma^2}{2}\,\overline{\lVert\partial\hat x/\partial
# x\rVert_F^2}$.

# %%
sig_model = aelab.Autoencoder(n_hidden=p, activation="sigmoid", output_activation="linear",
                              loss="mse", max_iter=300).fit(X_dig)


def tikhonov(model, params, X, sigma):
    """σ²/2 × mean ‖∂x̂/∂x‖²_F over the examples."""
    W1, W2 = params["W1"], params["W2"]
    if model.activation == "linear":
        d = np.ones((len(X), W1.shape[0]))
    else:
        H = 1 / (1 + np.exp(-(X @ W1.T + params["b1"])))
        d = H * (1 - H)                            # sig'(z) for every example and unit
    # ‖W2 diag(d) W1‖²_F = Σ_jk d_j d_k (W2ᵀW2)_jk (W1W1ᵀ)_jk
    per_example = np.einsum("ij,ik,jk->i", d, d, (W2.T @ W2) * (W1 @ W1.T))
    return sigma ** 2 / 2 * per_example.mean()


sigmas = (0.05, 0.1, 0.2, 0.4)
ratios, ratio_se = {"linear": [], "sigmoid": []}, {"linear": [], "sigmoid": []}
for name, model, params in [("linear", lin_model, theta),
                            ("sigmoid", sig_model, sig_model.params_)]:
    for s in sigmas:
        gap, se = noise_gap(model, params, X_dig, s, n_draws=30)
        term = tikhonov(model, params, X_dig, s)
        ratios[name].append(gap / term)
        ratio_se[name].append(se / term)
    print(name, "measured gap / Tikhonov term:", np.round(ratios[name], 3),
          "± (Monte-Carlo)", np.round(ratio_se[name], 3))

fig, ax = plt.subplots(figsize=(6, 3.4))
for name, marker in (("linear", "o-"), ("sigmoid", "s-")):
    ax.errorbar(sigmas, ratios[name], yerr=ratio_se[name], fmt=marker, capsize=3,
                label=f"{name} hidden units")
ax.axhline(1, color="gray", lw=0.8)
ax.set(xlabel="input noise σ", ylabel="gap ÷ (σ²/2) mean‖∂x̂/∂x‖²",
       title="noise = Tikhonov penalty?")
ax.legend()
plt.tight_layout()

# %%
assert abs(ratios["linear"][-1] - 1) < 0.01 and abs(ratios["sigmoid"][-1] - 1) > 0.03

# %% [markdown]
# For the linear model the ratio is 1 at every σ, within the Monte-Carlo error bars (the noise
# draws are a sample; the error bars are largest at small σ, where the gap itself is tiny).
# For the sigmoid model it falls clearly below 1 as σ grows: large noise pushes units into
# their flat, saturated ends, where extra noise hardly changes the output, so the real cost
# of noise is smaller than the Jacobian predicts.
#
# The data dependence matters more than that drift. The term $\lVert W_2\,
# \mathrm{diag}(\mathrm{sig}'(z))\,W_1\rVert^2$ can be made small **without small weights**:
# make the weights *large*, so that every unit sits in a saturated end where
# $\mathrm{sig}'(z) \approx 0$ for the training data. Weight decay can only shrink weights. So
# the two should pull in opposite directions. Let us check on MNIST, comparing the ν = 0.5
# denoising model with a plain model given weight decay λ = 0.04, chosen so that its error on
# clean digits is about the same.

# %%
wd = train(noise=None, lam=0.04)


def saturated(model, X):
    """Fraction of hidden activations within 0.05 of 0 or 1 (where sig' < 0.05)."""
    H = model.transform(X)
    return np.mean((H < 0.05) | (H > 0.95))


print(f"{'':26s}{'clean error':>12s}{'masked error':>14s}{'‖W₁‖':>8s}{'saturated':>11s}")
for name, m in [("plain", plain), ("denoising, ν = 0.5", dae), ("weight decay, λ = 0.04", wd)]:
    e = test_errors(m)
    print(f"{name:26s}{e['clean']:12.2f}{e['masked ν = 0.5']:14.2f}"
          f"{np.linalg.norm(m.params_['W1']):8.1f}{saturated(m, X_test):11.0%}")

fig, axes = plt.subplots(1, 3, figsize=(13, 4.4))
for ax, m, title in zip(axes, (plain, dae, wd),
                        ("plain", "denoising, mask ν = 0.5", "weight decay, λ = 0.04")):
    aelab.plot_filters(m.components_[:49], ax=ax, title=title)
plt.tight_layout()

# %%
assert np.linalg.norm(dae.params_["W1"]) > 3 * np.linalg.norm(wd.params_["W1"])
assert saturated(dae, X_test) > 3 * saturated(wd, X_test)

# %% [markdown]
# At about the same clean error, the two regularisers have done opposite things:
#
# * weight decay shrank the encoder weights to a fifth of the denoising model's and keeps most
#   hidden units in the linear middle of the sigmoid; its filters are smooth, blurry, global
#   patterns. It does *not* make the model robust: on masked digits it is even worse than the
#   plain model, because it reconstructs whatever it is given, only more blurrily;
# * the denoising model *grew* its weights and saturates most of its units, which makes them
#   behave like on/off detectors that a few missing pixels cannot switch; its filters are
#   local blobs and strokes.
#
# So "noise equals weight decay" is a statement about linear models (and, approximately, about
# small noise around a fixed operating point). A denoising autoencoder is useful precisely
# because it is *not* weight decay.
#
# ## 5 · The contractive autoencoder
#
# The Jacobian of the whole map appeared above as the thing noise penalises. Rifai et al.
# penalise the Jacobian of the **encoder** directly and deterministically, without noise:
#
# $$J_\text{CAE} = \frac1m\sum_i \ell(\hat x_i, x_i) + \gamma\,\frac1m\sum_i
#   \Bigl\lVert\frac{\partial h}{\partial x}(x_i)\Bigr\rVert_F^2 .$$
#
# For one sigmoid layer $h = \mathrm{sig}(Wx + b)$ the Jacobian is
# $\partial h_j/\partial x_k = \mathrm{sig}'(z_j)\, W_{jk}$, i.e.
# $\mathrm{diag}(\mathrm{sig}'(z))\,W$, and its squared Frobenius norm has a closed form that
# costs no more than a forward pass:
#
# $$\Bigl\lVert\frac{\partial h}{\partial x}\Bigr\rVert_F^2 = \sum_j
#   \bigl(h_j(1-h_j)\bigr)^2\,\lVert W_j\rVert^2,$$
#
# where $W_j$ is row j of W and $\mathrm{sig}'(z_j) = h_j(1-h_j)$. It is small when each
# unit is either saturated (h near 0 or 1) or has small weights: the same two routes as above.
# `aelab.ContractiveAutoencoder(contraction=γ)` adds this term (its gradient is in the
# docstring of `aelab.penalties.contraction_penalty`).
#
# We work on the 8 × 8 digits: 1 300 to train on, the other 497 to test on, 64 sigmoid hidden
# units, L-BFGS to convergence, and **tied weights** (decoder = encoderᵀ), as Rifai et al.
# used. Tying matters here. With a separate decoder, the penalty has a cheap way out that
# teaches nothing: shrink the encoder weights (its Jacobian shrinks with them) and let the
# unpenalised decoder grow to undo the shrinking. With one shared W, it cannot.
#
# **✎ Exercise 3.** Complete `jacobian_sq(model, X)`: for each example, the squared
# Frobenius norm of the encoder's Jacobian, using the closed form. The check compares it
# with finite differences of `model.transform`.

# %%
def jacobian_sq(model, X):
    """‖∂h/∂x‖²_F at every row of X, for a fitted model with a sigmoid encoder (shape (m,))."""
    H = model.transform(X)                          # m × p
    W = model.params_["W1"]                         # p × n
    # BEGIN SOLUTION
    return (H * (1 - H)) ** 2 @ np.sum(W ** 2, axis=1)
    # END SOLUTION


# %%
perm = np.random.default_rng(0).permutation(len(X_dig))
D_train, D_test = X_dig[perm[:1300]], X_dig[perm[1300:]]
CAE = dict(n_hidden=64, tied=True, optimizer="lbfgs", max_iter=250)
cae = aelab.ContractiveAutoencoder(contraction=0.3, **CAE).fit(D_train)


def finite_difference_jacobian_sq(model, x, h=1e-5):
    J = np.empty((model.n_hidden, x.size))
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = h
        J[:, k] = (model.transform((x + e)[None])[0] - model.transform((x - e)[None])[0]) / (2 * h)
    return np.sum(J ** 2)


def check_exercise_3(jacobian_sq):
    X = D_test[:5]
    ours = np.ravel(jacobian_sq(cae, X))
    assert ours.shape == (5,), f"one number per example: shape (5,), got {ours.shape}"
    ref = np.array([finite_difference_jacobian_sq(cae, x) for x in X])
    H, W = cae.transform(X), cae.params_["W1"]
    if np.allclose(ours, np.sqrt(ref), rtol=1e-4):
        raise AssertionError("that is the norm ‖∂h/∂x‖_F; return its square")
    if np.allclose(ours, (H * (1 - H)) @ np.sum(W ** 2, axis=1), rtol=1e-4):
        raise AssertionError("square sig'(z) = h(1 − h) as well: the Jacobian's entries are "
                             "sig'(z_j) W_jk, and each is squared")
    if np.allclose(ours, (H ** 2) @ np.sum(W ** 2, axis=1), rtol=1e-4):
        raise AssertionError("the derivative of the sigmoid is h(1 − h), not h")
    assert np.allclose(ours, ref, rtol=1e-4), (
        f"expected {np.round(ref, 4)} (finite differences), got {np.round(ours, 4)}. "
        "Sum (h(1−h))² ‖W_j‖² over the units j (‖W_j‖² sums row j of W², axis=1)")
    print(f"✓ jacobian_sq matches finite differences on 5 test digits: {np.round(ours, 3)}")


# %%
check_exercise_3(jacobian_sq)

# %% [markdown]
# From here on the notebook uses its own helper, which builds the Jacobians themselves
# (one p × n matrix per example) so that we can also look inside them.

# %%
def encoder_jacobians(model, X):
    """∂h/∂x at every row of X for a sigmoid encoder: shape (m, n_hidden, n_features)."""
    H = model.transform(X)
    return (H * (1 - H))[:, :, None] * model.params_["W1"][None]

# %% [markdown]
# Now the comparison the contractive penalty has to win. Both γ and λ make the code less
# sensitive; both cost reconstruction accuracy. The fair question is which gives the
# *smaller Jacobian at the same reconstruction error*. We train three contractive models
# (γ = 0.03, 0.1, 0.3, the last one already trained above), three with weight decay only
# (λ = 0.003, 0.01, 0.03) and one with neither, and plot each as a point: reconstruction error
# on the test digits against the mean Jacobian norm $\overline{\lVert\partial h/\partial
# x\rVert_F}$.

# %%
t0 = time.perf_counter()
cae_models = {0.03: aelab.ContractiveAutoencoder(contraction=0.03, **CAE).fit(D_train),
              0.1: aelab.ContractiveAutoencoder(contraction=0.1, **CAE).fit(D_train),
              0.3: cae}
wd_models = {lam: aelab.ContractiveAutoencoder(contraction=0.0, lam=lam, **CAE).fit(D_train)
             for lam in (0.003, 0.01, 0.03)}
none_model = aelab.ContractiveAutoencoder(contraction=0.0, **CAE).fit(D_train)
print(f"6 more models in {time.perf_counter() - t0:.1f} s")


def summary(model):
    """Test error, mean ‖∂h/∂x‖_F, mean ‖W_j‖², mean sig′(z)², fraction of saturated units."""
    H = model.transform(D_test)
    return (reconstruction_error(D_test, model.reconstruct(D_test)),
            np.linalg.norm(encoder_jacobians(model, D_test), axis=(1, 2)).mean(),
            np.mean(np.sum(model.params_["W1"] ** 2, axis=1)),
            np.mean((H * (1 - H)) ** 2), saturated(model, D_test))


rows = {**{f"contractive γ = {g}": m for g, m in cae_models.items()},
        **{f"weight decay λ = {lam}": m for lam, m in wd_models.items()},
        "neither": none_model}
stats = {name: summary(m) for name, m in rows.items()}
print(f"{'':24s}{'test error':>11s}{'mean ‖∂h/∂x‖_F':>16s}{'mean ‖W_j‖²':>13s}"
      f"{'mean sig′(z)²':>15s}{'saturated':>11s}")
for name, (err, jn, w2, d2, sat) in stats.items():
    print(f"{name:24s}{err:11.3f}{jn:16.2f}{w2:13.1f}{d2:15.4f}{sat:11.0%}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.2))
for prefix, style, offset in (("contractive", "o-", (5, -11)), ("weight decay", "s-", (5, 4))):
    names = [n for n in stats if n.startswith(prefix)]
    pts = np.array([stats[n][:2] for n in names])
    axes[0].plot(pts[:, 0], pts[:, 1], style, label=prefix)
    for n, (e, j) in zip(names, pts):
        symbol, value = n.split(" = ")
        axes[0].annotate(f"{symbol[-1]} = {value}", (e, j), fontsize=8, xytext=offset,
                         textcoords="offset points")
axes[0].plot(*stats["neither"][:2], "k*", ms=12, label="neither")
axes[0].margins(x=0.1, y=0.1)
axes[0].set(xlabel="reconstruction error (test)", ylabel="mean ‖∂h/∂x‖_F (test)",
            title="less sensitive at the same error: lower left is better")
axes[0].legend()

pair = {"contractive γ = 0.1": cae_models[0.1], "weight decay λ = 0.01": wd_models[0.01]}
share = {}
for name, m in pair.items():
    sv2 = np.linalg.svd(encoder_jacobians(m, D_test), compute_uv=False) ** 2  # largest first
    share[name] = np.mean(np.cumsum(sv2, axis=1) / sv2.sum(axis=1, keepdims=True), axis=0)
    axes[1].plot(np.arange(1, 31), 100 * share[name][:30], ".-", label=name)
axes[1].set(xlabel="number of input directions (most sensitive first)",
            ylabel="% of ‖∂h/∂x‖²_F", ylim=(0, 100),
            title="how concentrated the code's sensitivity is")
axes[1].legend()
plt.tight_layout()
print("share of ‖∂h/∂x‖²_F in the 5 most sensitive directions:",
      {name: f"{v[4]:.0%}" for name, v in share.items()})

# %%
c, w = stats["contractive γ = 0.1"], stats["weight decay λ = 0.01"]
assert c[0] < w[0] and c[1] < w[1], "γ = 0.1 should beat λ = 0.01 on error and on Jacobian"
assert c[4] > 0.4 > 0.1 > w[4], "contraction saturates the units, weight decay does not"
assert share["contractive γ = 0.1"][4] > share["weight decay λ = 0.01"][4] + 0.1

# %% [markdown]
# **Reading the results.**
#
# * Left: the contractive models lie below and to the left of the weight-decay models. For
#   instance γ = 0.1 has both a lower test error *and* a smaller Jacobian than λ = 0.01. The
#   gap is small for weak regularisation (γ = 0.03 against λ = 0.003 are close) and grows
#   with strength.
# * The table shows two different mechanisms, through the closed form
#   $\sum_j \mathrm{sig}'(z_j)^2\lVert W_j\rVert^2$. Weight decay can only act on
#   $\lVert W_j\rVert^2$: as λ grows the weights shrink, and the units slide into the linear
#   middle of the sigmoid (almost none saturated), where sig′ is largest. The contractive
#   penalty lets the weights stay large (‖W_j‖² near 30, against 36 with no penalty and 3 for
#   the strongest weight decay) and acts on the other factor: as γ grows, more and more units
#   sit in a flat, saturated end for any given digit, where sig′ is nearly 0. It is the same
#   thing the denoising autoencoder did in section 4.
# * Right: saturation also shapes *which* input changes the code follows. For each test digit
#   the singular value decomposition of ∂h/∂x splits the total sensitivity ‖∂h/∂x‖²_F among
#   64 orthogonal input directions. The weight-decay model spreads it over many directions;
#   the contractive model (with the smaller total) puts a much larger share into its few most
#   sensitive ones, see the printout. Rifai et al. read those few directions as the ways a digit
#   can plausibly change (the local tangents of the data), and the many contracted ones as the
#   directions of noise. A code that follows the first and ignores the second is what we want
#   from features.
#
# Rifai et al. also point out the link to section 4: for small Gaussian noise, the denoising
# criterion penalises the Jacobian of the whole reconstruction on average, while the
# contractive penalty targets the Jacobian of the encoder, exactly and without sampling.
#
# The same idea reaches beyond autoencoders. A classifier whose output changes sharply under
# a tiny, well-chosen change of the input is fragile: that is what an *adversarial example*
# exploits. Penalising the Jacobian of a supervised network's layers (∂h/∂x, as here, or of
# its output) makes it locally flat around the training data, one of the early defences
# against such examples (Gu and Rigazio 2014 stacked contractive penalties for this).
#
# **Try it:** add `tied=False` to `CAE` and train γ = 0.3 again. The reconstruction gets better
# and the Jacobian norm smaller, but look at `params_["W1"]` and `params_["W2"]`: the
# encoder weights have shrunk and the decoder's have grown, the escape route described above.
#
# ## 6 · Live: noise type and level
#
# The panel starts from the masking model of section 2 (ν = 0.5), shown as it is. Choose the
# **input noise** (none, mask, Gaussian) and move the **noise level** (ν for masking, σ for
# Gaussian noise): the model retrains on the 3 000 training digits with the settings of
# section 2, warm-started from its current weights, and redraws its filters, a few clean
# digits with their reconstructions, and the loss curve while it trains (about two seconds
# on a free core). Watch the filters: busy and speckled without noise, smoother and larger as
# the level rises.
#
# > If the panel is blank, you are reading a static copy: run the notebook in JupyterLab,
# > Notebook 7 or Voilà.

# %%
panel = aelab.Explorer(copy.deepcopy(dae), X_train, controls=("noise", "noise_level"),
                       views=("filters", "reconstructions", "loss"), image_shape=(28, 28))
panel

# %% [markdown]
# From code, as an instructor would script it: switch the noise off and see what the
# masked test digits of section 2 cost the retrained model.

# %%
panel.controls["noise"].value = "none"
panel.wait()
masked_error = reconstruction_error(X_test, panel.model.reconstruct(test_sets["masked ν = 0.5"]))
before = errors["denoising, mask ν = 0.5"]["masked ν = 0.5"]
print(f"retrained ({'warm' if panel.stats['warm_start'] else 'fresh'} start) in "
      f"{panel.stats['time_to_final_frame']:.1f} s; error on the masked test digits "
      f"{masked_error:.2f} (with ν = 0.5 it was {before:.2f})")

# %% [markdown]
# ## Summary
#
# * A **denoising autoencoder** encodes a corrupted input x̃ (masking: each pixel zeroed with
#   probability ν; Gaussian: N(0, σ²) added) and is trained to reconstruct the clean x. On
#   MNIST it fills in masked strokes that a plain autoencoder trained the same way copies as
#   holes, at less than half the error. Each model is best on the kind and level of noise it
#   was trained with; more noise costs accuracy on clean inputs and gives smoother, larger
#   filters.
# * For a **linear** autoencoder, Gaussian input noise is *exactly* an explicit weight penalty,
#   $\frac{\sigma^2}2\lVert W_2W_1\rVert_F^2$, on average over the noise; training with noise
#   shrinks each principal direction by $\lambda_i/(\lambda_i+\sigma^2)$, as predicted.
# * For **sigmoid** units the equivalence breaks: the implied penalty depends on the data
#   through sig′(z), and it is only approximate. Denoising then *grows* the weights and
#   saturates the units, the opposite of weight decay, which at equal clean error makes the
#   model no more robust than before.
# * The **contractive** penalty γ‖∂h/∂x‖²_F has the closed form
#   $\gamma\sum_j (h_j(1-h_j))^2\lVert W_j\rVert^2$ for a sigmoid encoder (use tied
#   weights, or the decoder can undo a shrunken encoder). Against weight decay it reached a
#   smaller Jacobian at the same reconstruction error, by a different route: weight decay
#   shrinks weights and keeps units linear; contraction keeps the weights and saturates the
#   units, so the code stays sensitive along a few directions and flat along the rest.
#
# **Next:** notebook 07 stacks autoencoders into deep networks, pretrained layer by layer.
