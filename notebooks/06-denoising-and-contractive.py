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
# adding noise to the input just weight decay?* For a single linear layer, yes (Bishop 1995).
# For a linear autoencoder noise is still an exact penalty, but on the product of the two
# layers, with a different optimum. With sigmoid units it is neither.

# %% [markdown]
# **After this notebook you can**
#
# 1. corrupt inputs with masking or Gaussian noise, train a denoising autoencoder, and design
#    the experiment that tells its two effects on a digit apart;
# 2. derive the penalty that Gaussian noise adds to a linear autoencoder, and show where it
#    differs from weight decay;
# 3. compare denoising and weight decay on MNIST by what they do to weights, units and filters;
# 4. derive the contractive penalty, and test whether contraction helps a classifier;
# 5. read a denoising autoencoder as an estimate of the *score* ∇log p of the data.
#
# Exercises are marked **✎ Exercise**, each with a check cell; experiments start with a
# **prediction** cell. The notebook runs in about a minute.

# %%
import copy
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegressionCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import aelab
from aelab.claims import claim
from aelab.datasets import load_digits, load_mnist
from aelab.exercises import compare_prediction
from aelab.exercises.nb06 import (check_corrupt, check_jacobian_sq, check_matched_scale,
                                  check_noise_penalty, noise_gap)
from aelab.filters import spatial_spread
from aelab.metrics import reconstruction_error

np.set_printoptions(precision=3, suppress=True)
# One BLAS thread for the whole notebook: all products here are small, and on a machine whose
# cores are shared (Binder, a classroom server) a second thread can slow them down many times.
_one_blas_thread = threadpool_limits(limits=1, user_api="blas")
T_START = time.perf_counter()

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
# and is the form most libraries use.) Gaussian noise spoils every pixel a little, and may
# push values outside [0, 1]; the library does not clip them.
#
# **✎ Exercise 1.** Write `corrupt(X, kind, level, rng)` returning a corrupted copy of X
# (`rng` is a `np.random.Generator`; use `rng.random` and `rng.normal`).

# %% nbgrader={"grade": false, "grade_id": "answer_corrupt", "locked": false, "schema_version": 3, "solution": true, "task": false}
def corrupt(X, kind, level, rng):
    """A corrupted copy of X: kind is "mask" (level = ν) or "gaussian" (level = σ)."""
    # BEGIN SOLUTION
    if kind == "mask":
        return X * (rng.random(X.shape) >= level)
    return X + rng.normal(0.0, level, size=X.shape)
    # END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_corrupt", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_corrupt(corrupt).assert_ok()

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
fig.suptitle("one test digit, damaged two ways (Gaussian noise shown clipped to [0, 1])")
plt.tight_layout()

# %% [markdown]
# ## 2 · A plain and a denoising autoencoder, trained the same way
#
# The denoising objective differs from the plain one in a single place. With $\tilde x_i$ a
# freshly corrupted copy of $x_i$ (new noise for every minibatch),
#
# $$J_\text{DAE} = \frac1m\sum_i \ell\bigl(g(f(\tilde x_i)),\; x_i\bigr):$$
#
# the encoder f sees the damaged input, the loss compares with the **clean** one.
# `aelab.DenoisingAutoencoder` uses sigmoid units in both layers and the cross-entropy loss, as
# Vincent et al. did for images in [0, 1]. All MNIST models here have 256 hidden units, start
# from the same small random weights (ε = 0.01) and are trained by Adam.
#
# **The budget, announced.** Every MNIST model gets the same **20 epochs**. None of them
# converges in that time (each stops on its budget): an over-complete autoencoder keeps
# growing its weights and lowering its clean error. So a snapshot is kept at **10 epochs**,
# and each claim below is checked at both budgets; a conclusion that holds at only one of
# them is not drawn. (Set `EPOCHS = 40` and run the notebook again: every claim is checked
# afresh, so you can see for yourself whether the orderings survive a longer budget.)

# %%
EPOCHS, SNAPSHOT = 20, 10
SETTINGS = dict(n_hidden=256, max_iter=EPOCHS, batch_size=64, learning_rate=6e-3,
                epsilon=0.01, dtype="float32")
at = {SNAPSHOT: {}, EPOCHS: {}}           # at[budget][name] is the model after that many epochs


def train(name, **kw):
    """Train one MNIST model for EPOCHS epochs, keeping a copy after SNAPSHOT epochs."""
    def snapshot(progress):
        if progress.iteration == SNAPSHOT:
            at[SNAPSHOT][name] = copy.deepcopy(progress.model)
        return False

    t0 = time.perf_counter()
    with aelab.fixed_budget("all MNIST models share one announced budget, checked at two"):
        model = aelab.DenoisingAutoencoder(**{**SETTINGS, **kw}).fit(X_train, callback=snapshot)
    at[EPOCHS][name] = model
    print(f"{name}: {model.n_iter_} epochs ({model.stop_reason_}) in "
          f"{time.perf_counter() - t0:.1f} s")
    return model


def test_errors(model):
    """Squared error against the *clean* test digits, for each kind of test input."""
    return {name: reconstruction_error(X_test, model.reconstruct(Xin))
            for name, Xin in test_sets.items()}


plain = train("plain", noise=None)
dae = train("mask ν = 0.5", noise="mask", noise_level=0.5)
dae_gauss = train("Gaussian σ = 0.5", noise="gaussian", noise_level=0.5)
_ = claim(all(m.stop_reason_ == "max_iter" for m in (plain, dae, dae_gauss)),
          "none of the three converges in the budget: each stops on it",
          stops=[m.stop_reason_ for m in (plain, dae, dae_gauss)])

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
fig.suptitle(f"half the pixels removed: who puts them back? ({EPOCHS} epochs)", y=1.0)
plt.tight_layout()

# %%
names = ["plain", "mask ν = 0.5", "Gaussian σ = 0.5"]
errors = {b: {n: test_errors(at[b][n]) for n in names} for b in at}
identity = {name: reconstruction_error(X_test, Xin) for name, Xin in test_sets.items()}
for b in at:
    print(f"after {b} epochs — test error against the clean digits")
    print(f"{'model':34s}" + "".join(f"{n:>18s}" for n in test_sets))
    for name in names:
        print(f"{name:34s}" + "".join(f"{errors[b][name][n]:18.2f}" for n in test_sets))
    print(f"{'(doing nothing: output = input)':34s}"
          + "".join(f"{identity[n]:18.2f}" for n in test_sets) + "\n")

# %%
for b, e in errors.items():
    claim(e["mask ν = 0.5"]["masked ν = 0.5"] < 0.5 * e["plain"]["masked ν = 0.5"],
          f"{b} epochs: on masked digits the masking model's error is less than half the "
          "plain model's", masking=e["mask ν = 0.5"]["masked ν = 0.5"],
          plain=e["plain"]["masked ν = 0.5"])
    claim(all(min(e, key=lambda n: e[n][test]) == best for test, best in
              [("clean", "plain"), ("masked ν = 0.5", "mask ν = 0.5"),
               ("Gaussian σ = 0.5", "Gaussian σ = 0.5")]),
          f"{b} epochs: each model is best on the inputs it was trained on")
below = {b: 1 - errors[b]["plain"]["masked ν = 0.5"] / identity["masked ν = 0.5"] for b in at}
claim(0 < below[EPOCHS] < below[SNAPSHOT] < 0.4,
      "the plain model removes some of the damage, less the longer it trains",
      below_identity_at_10=below[SNAPSHOT], below_identity_at_20=below[EPOCHS]);

# %% [markdown]
# **What the pictures and the tables say.**
#
# * On clean digits the plain model is best: it was trained for exactly that.
# * Given a masked digit, the plain model repairs little. Its error is below that of doing
#   nothing, but by a margin that *shrinks* with training (see the claim above): it is
#   drifting toward the identity, which maps a damaged digit to a damaged digit. The masking
#   model draws the missing strokes back in, at less than half the plain model's error.
# * Each denoising model is best on the damage it was trained on. Filling in missing ink is
#   a different problem from ignoring speckle.
# * The masking model reconstructs a *clean* digit worse than the plain model does. Two
#   explanations come to mind. (a) Scale: in training its encoder saw digits with half their
#   ink removed, so a complete digit drives its units twice as hard as anything it has seen.
#   (b) Denoising itself: learning to fill in has cost it detail.
#
# **✎ Exercise 2 (design).** Design an input that tests (a) alone: clean digits, *no pixel
# missing*, with the same average as ν-masked digits. Write `matched_scale(X, nu)`.

# %% nbgrader={"grade": false, "grade_id": "answer_matched_scale", "locked": false, "schema_version": 3, "solution": true, "task": false}
def matched_scale(X, nu):
    """Clean digits with the average ink of ν-masked ones, every pixel kept."""
    # BEGIN SOLUTION
    return (1 - nu) * X
    # END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_matched_scale", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_matched_scale(matched_scale, X_test[:50]).assert_ok()

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_scaled", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# **Prediction.** Fed `matched_scale(X_test, 0.5)`, will the masking model's error against
# the clean digits be lower than on the clean digits themselves, about the same, or higher?
# Record it before you run the next cell.

# %%
my_prediction_scaled = None  # one of "lower", "about the same", "higher"

# %%
scaled_err = {b: reconstruction_error(X_test, at[b]["mask ν = 0.5"].reconstruct(
    matched_scale(X_test, 0.5))) for b in at}
for b in at:
    print(f"{b} epochs, masking model: clean input {errors[b]['mask ν = 0.5']['clean']:.2f}, "
          f"matched-scale input {scaled_err[b]:.2f}, masked input "
          f"{errors[b]['mask ν = 0.5']['masked ν = 0.5']:.2f}")
ratio = scaled_err[EPOCHS] / errors[EPOCHS]["mask ν = 0.5"]["clean"]
outcome = "lower" if ratio < 0.9 else "higher" if ratio > 1.1 else "about the same"
compare_prediction(my_prediction_scaled, outcome, choices=("lower", "about the same", "higher"),
                   why="its encoder was trained on inputs with half the ink; scaled to that "
                       "level, a complete digit is the easiest input it has ever seen")

# %%
for b in at:
    claim(scaled_err[b] < min(errors[b]["mask ν = 0.5"]["clean"],
                              errors[b]["mask ν = 0.5"]["masked ν = 0.5"]),
          f"{b} epochs: at matched scale the masking model reconstructs clean digits better "
          "than either clean or masked inputs", matched=scaled_err[b],
          clean=errors[b]["mask ν = 0.5"]["clean"])

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_best_nu", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# Most of the masking model's trouble with clean digits is scale, explanation (a). Dropout
# meets the same issue and rescales at test time; a denoising autoencoder used for its
# features usually does not bother.
#
# ## 3 · How much noise?
#
# We add masking levels ν = 0.25 and 0.75 to the models we have (ν = 0 is the plain model)
# and measure each on the three test sets.
#
# **Prediction.** Which training level ν will give the lowest error on the masked test
# digits (those have ν = 0.5)? And how will the error on *clean* digits change as ν grows?

# %%
my_prediction_best_nu = None    # one of "0", "0.25", "0.5", "0.75"
my_prediction_clean = None      # one of "rises", "flat", "falls"

# %%
train("mask ν = 0.25", noise="mask", noise_level=0.25)
train("mask ν = 0.75", noise="mask", noise_level=0.75)
nus = {0.0: "plain", 0.25: "mask ν = 0.25", 0.5: "mask ν = 0.5", 0.75: "mask ν = 0.75"}
sweep = {b: {nu: test_errors(at[b][n]) for nu, n in nus.items()} for b in at}

fig, ax = plt.subplots(figsize=(7, 4))
colours = dict(zip(test_sets, ("#0072B2", "#E69F00", "#009E73")))
for b, ls in ((SNAPSHOT, "--"), (EPOCHS, "-")):
    for name, marker in zip(test_sets, "os^"):
        ax.plot(list(nus), [sweep[b][nu][name] for nu in nus], ls, marker=marker,
                color=colours[name], label=f"test: {name}" if b == EPOCHS else None)
ax.plot([], [], "k--", label=f"after {SNAPSHOT} epochs")
ax.plot([], [], "k-", label=f"after {EPOCHS} epochs")
ax.set(xlabel="training mask level ν", ylabel="squared error against the clean digits",
       title="test error against the training noise level", xticks=list(nus))
ax.legend(fontsize=8, ncol=2)
plt.tight_layout()

best_nu = {b: min(nus, key=lambda nu: sweep[b][nu]["masked ν = 0.5"]) for b in at}
clean_curve = [sweep[EPOCHS][nu]["clean"] for nu in nus]
display(compare_prediction(my_prediction_best_nu, f"{best_nu[EPOCHS]:g}",
                           choices=("0", "0.25", "0.5", "0.75"),
                           why="a model does best on the damage it was trained for"))
compare_prediction(my_prediction_clean, "rises" if np.all(np.diff(clean_curve) > 0) else "flat",
                   choices=("rises", "flat", "falls"),
                   why="every level of noise trades some clean accuracy for robustness")

# %%
for b in at:
    s = sweep[b]
    claim(best_nu[b] == 0.5, f"{b} epochs: training with ν = 0.5 is best on ν = 0.5 test digits",
          errors=[s[nu]["masked ν = 0.5"] for nu in nus])
    claim(np.all(np.diff([s[nu]["clean"] for nu in nus]) > 0),
          f"{b} epochs: the clean error rises with ν", errors=[s[nu]["clean"] for nu in nus])
    gauss = errors[b]["Gaussian σ = 0.5"]["Gaussian σ = 0.5"]
    claim(max(s[0.25]["Gaussian σ = 0.5"], s[0.5]["Gaussian σ = 0.5"])
          < s[0.0]["Gaussian σ = 0.5"] and gauss < min(s[nu]["Gaussian σ = 0.5"] for nu in nus),
          f"{b} epochs: moderate masking helps on Gaussian-noisy digits too, but the model "
          "trained on Gaussian noise does better", gaussian_model=gauss,
          masked_models=[s[nu]["Gaussian σ = 0.5"] for nu in nus])

# %% [markdown]
# **Inside the models.** The filters (the first 25 units of each model) are measured with two
# numbers, each against random-noise filters: notebook 05's **spread** (the energy-weighted
# RMS distance of a filter's squared weights from their centre, in pixels: small means
# local), and a **roughness**, the energy of the differences between neighbouring pixels
# divided by the filter's energy (small means smooth).

# %%
def roughness(W, shape=(28, 28)):
    """Energy of neighbour differences over the filter's energy, after removing its mean."""
    F = np.asarray(W, dtype=np.float64).reshape(-1, *shape)
    F = F - F.mean(axis=(1, 2), keepdims=True)
    diffs = (np.diff(F, axis=1) ** 2).sum(axis=(1, 2)) + (np.diff(F, axis=2) ** 2).sum(axis=(1, 2))
    return diffs / (F ** 2).sum(axis=(1, 2))


def filter_stats(model):
    W = model.components_
    return float(spatial_spread(W, (28, 28)).mean()), float(roughness(W).mean())


noise_filters = np.random.default_rng(0).normal(size=(256, 784))
random_stats = (float(spatial_spread(noise_filters, (28, 28)).mean()),
                float(roughness(noise_filters).mean()))
fstats = {b: {nu: filter_stats(at[b][n]) for nu, n in nus.items()} for b in at}
print(f"{'':16s}" + "".join(f"{'ν = ' + format(nu, 'g'):>14s}" for nu in nus) + f"{'random':>10s}")
for b in at:
    for i, what in enumerate(("spread (px)", "roughness")):
        print(f"{what + f' @{b}':16s}" + "".join(f"{fstats[b][nu][i]:14.2f}" for nu in nus)
              + f"{random_stats[i]:10.2f}")

fig, axes = plt.subplots(1, 4, figsize=(14, 3.9))
for ax, (nu, n) in zip(axes, nus.items()):
    aelab.plot_filters(at[EPOCHS][n].components_[:25], ax=ax,
                       title=f"ν = {nu:g}: spread {fstats[EPOCHS][nu][0]:.1f} px")
fig.suptitle(f"first 25 filters after {EPOCHS} epochs (each scaled to its own range)")
plt.tight_layout()

# %%
for b in at:
    r = [fstats[b][nu][1] for nu in nus]
    claim(np.all(np.diff(r) < 0), f"{b} epochs: the filters get smoother as ν grows",
          roughness=r)
    s = [fstats[b][nu][0] for nu in nus]
    claim(min(s) > random_stats[0] - 2.5,
          f"{b} epochs: every model's filters spread within 2.5 px of random noise's",
          spread=s, random=random_stats[0])

# %% [markdown]
# More masking makes the filters smoother, at both budgets: a single pixel can no longer be
# trusted, so each unit averages over neighbouring pixels. It does **not** make them local:
# all four models' filters spread over the digit almost as widely as random noise does (the
# local stroke detectors of notebook 05 are far more compact). Some masking filters do show
# a dark blob, but on a speckled background whose energy the spread counts too. ν is a hyperparameter to be
# chosen for the job, like λ or k: here the level that matches the test damage wins.

# %% [markdown]
# ## 4 · Is input noise just weight decay?
#
# ### The linear case: an exact penalty, on the product
#
# Take a **linear** autoencoder, $\hat x = A x + c$ with $A = W_2 W_1$, and add Gaussian noise
# $\varepsilon \sim N(0, \sigma^2 I)$ to its input. Writing $r = Ax + c - x$ for the clean
# residual,
#
# $$\tfrac12\lVert A(x+\varepsilon) + c - x\rVert^2 = \tfrac12\lVert r\rVert^2
#   + r^\top A\varepsilon + \tfrac12\lVert A\varepsilon\rVert^2 .$$
#
# The middle term has mean 0, because ε has. The last term does not vanish.

# %% [markdown]
# **✎ Exercise 3 (derivation).** Work out $\mathbb E_\varepsilon\,\tfrac12\lVert
# A\varepsilon\rVert^2$ in terms of σ and the weights (write $\lVert A\varepsilon\rVert^2 =
# \varepsilon^\top A^\top A\varepsilon$, and use $\mathbb E[\varepsilon\varepsilon^\top] =
# \sigma^2 I$). It is the extra cost the noise adds on average, at any weights. Compute it as
# `penalty` at the weights `theta` of the model trained below: a linear autoencoder with 10
# units on the 8 × 8 digits, trained with σ = 0.25 on 10 noisy copies of each digit. The
# check measures the real thing, the noisy objective averaged over 40 noise draws minus the
# clean one.

# %%
X_dig, y_dig = load_digits()
sigma, p = 0.25, 10
linear = dict(n_hidden=p, activation="linear", output_activation="linear", loss="mse",
              optimizer="lbfgs")
lin_noisy = aelab.Autoencoder(**linear, noise="gaussian", noise_level=sigma, max_iter=400,
                              dtype="float32").fit(np.tile(X_dig, (10, 1)))
theta = {k: v.astype(np.float64) for k, v in lin_noisy.params_.items()}
W1, W2 = theta["W1"], theta["W2"]
lin_model = aelab.Autoencoder(**linear, dtype="float64")
print(f"trained: {lin_noisy.n_iter_} L-BFGS iterations, {lin_noisy.stop_reason_}")

# %% nbgrader={"grade": false, "grade_id": "answer_penalty", "locked": false, "schema_version": 3, "solution": true, "task": false}
# BEGIN SOLUTION
penalty = sigma ** 2 / 2 * np.sum((W2 @ W1) ** 2)
# END SOLUTION
print(f"penalty = {penalty:.5f}")

# %% nbgrader={"grade": true, "grade_id": "check_noise_penalty", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_noise_penalty(penalty, lin_model, theta, X_dig, sigma).assert_ok()

# %% [markdown] nbgrader={"grade": true, "grade_id": "explain_33", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# <!-- BEGIN SOLUTION -->
# *Solution.* $\mathbb E\,\varepsilon^\top A^\top A\varepsilon = \operatorname{tr}(A^\top A\,
# \mathbb E[\varepsilon\varepsilon^\top]) = \sigma^2\lVert A\rVert_F^2$, so the penalty is
# $\frac{\sigma^2}{2}\lVert W_2W_1\rVert_F^2$.
# <!-- END SOLUTION -->
#
# So, on average over the noise, $\mathbb E_\varepsilon J_\text{noisy} = J_\text{clean} +
# \frac{\sigma^2}{2}\lVert W_2W_1\rVert_F^2$, exactly, at any weights: a Tikhonov penalty on
# the **product** of the layers. For a *single* linear layer $\hat x = Ax + c$ (A a full
# matrix) the same algebra gives $\frac{\sigma^2}2\lVert A\rVert_F^2$, which *is* weight
# decay with λ = σ²: Bishop (1995), "Training with noise is equivalent to Tikhonov
# regularization". For two layers, weight decay is $\frac\lambda2(\lVert W_1\rVert_F^2 +
# \lVert W_2\rVert_F^2)$, another function of the weights. Minimised over all factorisations
# of the same A it equals $\lambda\lVert A\rVert_*$, the sum of A's singular values (the
# nuclear norm), and a weight-decayed optimum balances its layers to reach it.
#
# Both optima are known in closed form, per principal direction $u_i$ of the data with
# variance $\lambda_i$: noise shrinks the gain $u_i^\top A u_i$ to
# $\lambda_i/(\lambda_i+\sigma^2)$, weight decay to $\max(0, 1-\lambda/\lambda_i)$. We
# train a weight-decayed linear autoencoder with λ = σ², the strength at which one layer
# would make the two the same, and fit a single noisy linear layer (least squares on the
# same 10 noisy copies, solved exactly).

# %%
lin_wd = aelab.LinearAutoencoder(n_hidden=p, lam=sigma ** 2).fit(X_dig)
cov = np.cov(X_dig.T, bias=True)
variances_all, U_all = np.linalg.eigh(cov)
variances_all, U_all = variances_all[::-1], U_all[:, ::-1]
variances, U = variances_all[:p], U_all[:, :p]
varying = variances_all > 1e-6                  # a few pixels are constant across the digits
X_rep = np.tile(X_dig, (10, 1))
X_noisy = X_rep + np.random.default_rng(3).normal(0, sigma, X_rep.shape)
A_one = np.linalg.lstsq(X_noisy - X_noisy.mean(0), X_rep - X_rep.mean(0), rcond=None)[0].T


def gains(A, U):
    return np.einsum("ni,nm,mi->i", U, A, U)      # u_iᵀ A u_i for each principal direction


g_noise, g_wd = gains(W2 @ W1, U), gains(lin_wd.params_["W2"] @ lin_wd.params_["W1"], U)
g_one = gains(A_one, U_all)[varying]
variances_all = variances_all[varying]
ridge, nuclear = variances / (variances + sigma ** 2), np.maximum(0, 1 - sigma ** 2 / variances)
Wd1, Wd2 = lin_wd.params_["W1"], lin_wd.params_["W2"]
print(f"at the noise-trained weights: noise penalty {penalty:.4f}, layer-wise weight decay "
      f"σ²/2(‖W1‖² + ‖W2‖²) {sigma ** 2 / 2 * (np.sum(W1 ** 2) + np.sum(W2 ** 2)):.4f}")
print(f"at the weight-decayed optimum: ½(‖W1‖² + ‖W2‖²) = "
      f"{0.5 * (np.sum(Wd1 ** 2) + np.sum(Wd2 ** 2)):.4f}, ‖W2W1‖_* = "
      f"{np.linalg.svd(Wd2 @ Wd1, compute_uv=False).sum():.4f}")

grid_v = np.geomspace(0.003, 0.8, 200)
fig, ax = plt.subplots(figsize=(7.5, 4.3))
ax.plot(grid_v, grid_v / (grid_v + sigma ** 2), color="#0072B2",
        label="noise; also one-layer weight decay, λ = σ²: λᵢ/(λᵢ + σ²)")
ax.plot(grid_v, np.maximum(0, 1 - sigma ** 2 / grid_v), color="#D55E00",
        label="two-layer weight decay, λ = σ²: max(0, 1 − λ/λᵢ)")
ax.plot(variances_all, g_one, ".", color="#56B4E9", label="one linear layer, trained with noise")
ax.plot(variances, g_noise, "o", mfc="none", color="#0072B2",
        label="two-layer autoencoder, trained with noise")
ax.plot(variances, g_wd, "s", mfc="none", color="#D55E00",
        label="two-layer autoencoder, trained with weight decay")
ax.axvline(sigma ** 2, color="gray", lw=0.8, ls=":")
ax.set(xscale="log", xlabel="variance λᵢ of principal direction i (log scale)",
       ylabel="gain uᵢᵀ A uᵢ", ylim=(-0.05, 1.05),
       title=f"8×8 digits, σ = {sigma}: theory (lines) and training (points)")
ax.legend(fontsize=7.5, loc="upper left")
plt.tight_layout()

# %%
claim(np.abs(g_noise - ridge).max() < 0.02, "the noise-trained autoencoder sits on λᵢ/(λᵢ + σ²)",
      largest_gap=np.abs(g_noise - ridge).max())
claim(np.abs(g_wd - nuclear).max() < 0.02, "the weight-decayed one sits on 1 − λ/λᵢ",
      largest_gap=np.abs(g_wd - nuclear).max())
claim(np.all(g_noise - g_wd > 0), "at λ = σ², weight decay shrinks every direction more "
      "than noise does", differences=g_noise - g_wd)
claim(np.abs(g_one - variances_all / (variances_all + sigma ** 2)).max() < 0.05,
      "one noisy linear layer follows the weight-decay (ridge) curve, within the sampling "
      "error of 10 noisy copies",
      largest_gap=np.abs(g_one - variances_all / (variances_all + sigma ** 2)).max())
wd_at_theta = sigma ** 2 / 2 * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
claim(abs(wd_at_theta / penalty - 1) > 0.1, "at the same weights, layer-wise weight decay "
      "is a different number from the noise penalty", noise=penalty, weight_decay=wd_at_theta)
nuc = np.linalg.svd(Wd2 @ Wd1, compute_uv=False).sum()
claim(abs(0.5 * (np.sum(Wd1 ** 2) + np.sum(Wd2 ** 2)) / nuc - 1) < 1e-3,
      "the weight-decayed optimum balances its layers: ½(‖W1‖² + ‖W2‖²) = ‖W2W1‖_*",
      nuclear_norm=nuc);

# %% [markdown]
# The points sit on their curves. One noisy layer follows the ridge curve, so for one layer
# noise *is* weight decay. The noisy two-layer autoencoder follows the same ridge curve in
# its 10 directions, while the weight-decayed one follows a different law: it subtracts a
# constant where noise divides, and it switches off every direction whose variance is below
# λ (the dotted line). Input noise in a linear autoencoder is an exact penalty with nothing
# left over, but not weight decay on its layers.

# %% [markdown]
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
# approximation, which drifts as σ grows. We measure the gap at fixed weights against the
# Tikhonov term $\frac{\sigma^2}{2}\,\overline{\lVert\partial\hat x/\partial x\rVert_F^2}$.
# Both hold at *any* weights, so the sigmoid model gets a fixed budget of 300 L-BFGS
# iterations: it only has to be a typical trained model.

# %%
with aelab.fixed_budget("the noise-gap identity is checked at fixed weights, any weights"):
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

fig, ax = plt.subplots(figsize=(6, 3.6))
for name, marker, colour in (("linear", "o-", "#0072B2"), ("sigmoid", "s-", "#D55E00")):
    ax.errorbar(sigmas, ratios[name], yerr=ratio_se[name], fmt=marker, capsize=3,
                color=colour, label=f"{name} hidden units")
ax.axhline(1, color="gray", lw=0.8)
ax.set(xlabel="input noise σ", ylabel="gap ÷ (σ²/2) mean‖∂x̂/∂x‖²_F",
       title="is the cost of noise the Tikhonov term? (± 1 s.e.)")
ax.legend()
plt.tight_layout()

# %%
claim(all(abs(r - 1) < 3 * se + 0.01 for r, se in zip(ratios["linear"], ratio_se["linear"])),
      "for the linear model the ratio is 1 at every σ, within the Monte-Carlo error",
      ratios=ratios["linear"])
claim(ratios["sigmoid"][-1] < 1 - 3 * ratio_se["sigmoid"][-1] - 0.03,
      "for the sigmoid model it falls clearly below 1 at the largest σ",
      ratio=ratios["sigmoid"][-1], se=ratio_se["sigmoid"][-1]);

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_mask_weights", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# For the sigmoid model the ratio falls below 1 as σ grows: large noise pushes units into
# their flat, saturated ends, where extra noise hardly changes the output.
#
# The data dependence matters more than that drift. The term $\lVert W_2\,
# \mathrm{diag}(\mathrm{sig}'(z))\,W_1\rVert^2$ can be made small **without small weights**:
# make the weights large enough that most units sit in a saturated end, where
# $\mathrm{sig}'(z) \approx 0$ for the training data. Weight decay can only shrink weights.
# We compare on MNIST: the plain model, the two denoising models of section 2, and a plain
# model with weight decay λ = 0.03, chosen so that its clean error is close to the masking
# model's.
#
# **Prediction.** Compared with the plain model, will the masking model's encoder weights
# ‖W₁‖_F be larger, about the same, or smaller? And the Gaussian-noise model's?

# %%
my_prediction_mask_weights = None    # one of "larger", "about the same", "smaller"
my_prediction_gauss_weights = None   # one of "larger", "about the same", "smaller"

# %%
wd = train("weight decay λ = 0.03", noise=None, lam=0.03)


def saturated(model, X):
    """Fraction of hidden activations within 0.05 of 0 or 1 (where sig' < 0.05)."""
    H = model.transform(X)
    return float(np.mean((H < 0.05) | (H > 0.95)))


four = ["plain", "mask ν = 0.5", "Gaussian σ = 0.5", "weight decay λ = 0.03"]
inside = {b: {n: dict(clean=reconstruction_error(X_test, at[b][n].reconstruct(X_test)),
                      masked=reconstruction_error(
                          X_test, at[b][n].reconstruct(test_sets["masked ν = 0.5"])),
                      W1=float(np.linalg.norm(at[b][n].params_["W1"])),
                      saturated=saturated(at[b][n], X_test),
                      spread=filter_stats(at[b][n])[0], roughness=filter_stats(at[b][n])[1])
              for n in four} for b in at}
cols = ["clean", "masked", "W1", "saturated", "spread", "roughness"]
for b in at:
    print(f"after {b} epochs{'':14s}" + "".join(f"{c:>11s}" for c in cols))
    for n in four:
        print(f"{n:30s}" + "".join(f"{inside[b][n][c]:11.2f}" for c in cols))
print(f"{'random filters':30s}{'':44s}{random_stats[0]:11.2f}{random_stats[1]:11.2f}")

fig, axes = plt.subplots(1, 4, figsize=(16, 4.4))
for ax, n in zip(axes, four):
    aelab.plot_filters(at[EPOCHS][n].components_[:36], ax=ax, title=n)
fig.suptitle(f"first 36 filters after {EPOCHS} epochs (each scaled to its own range)")
plt.tight_layout()


def vs_plain(n):
    r = inside[EPOCHS][n]["W1"] / inside[EPOCHS]["plain"]["W1"]
    return "larger" if r > 1.1 else "smaller" if r < 0.9 else "about the same"


why = ("the two kinds of noise disagree about the weights; what both do is saturate more "
       "units than the plain model (next cell)")
display(compare_prediction(my_prediction_mask_weights, vs_plain("mask ν = 0.5"),
                           choices=("larger", "about the same", "smaller"), why=why))
compare_prediction(my_prediction_gauss_weights, vs_plain("Gaussian σ = 0.5"),
                   choices=("larger", "about the same", "smaller"))

# %%
for b in at:
    I = {n: inside[b][n] for n in four}
    P, M, G, D = (I[n] for n in four)
    claim(abs(D["clean"] / M["clean"] - 1) < 0.25, f"{b} epochs: weight decay's clean error is "
          "within 25% of the masking model's", weight_decay=D["clean"], masking=M["clean"])
    claim(M["W1"] > P["W1"] > G["W1"] > 2 * D["W1"], f"{b} epochs: ‖W₁‖ is largest with "
          "masking, then plain, then Gaussian noise, all over twice weight decay's",
          W1=[I[n]["W1"] for n in four])
    claim(min(M["saturated"], G["saturated"]) > P["saturated"] > 2 * D["saturated"],
          f"{b} epochs: both denoisers saturate more units than the plain model, weight decay "
          "the fewest", saturated=[I[n]["saturated"] for n in four])
    claim(D["masked"] > 0.9 * P["masked"], f"{b} epochs: weight decay is no more robust to "
          "masking than the plain model", weight_decay=D["masked"], plain=P["masked"])
    claim(D["spread"] < min(P["spread"], M["spread"], G["spread"]) - 1
          and D["roughness"] < min(P["roughness"], M["roughness"], G["roughness"])
          and M["roughness"] < P["roughness"],
          f"{b} epochs: weight decay's filters are the most local and the smoothest; masking's "
          "are smoother than the plain model's", spread=[I[n]["spread"] for n in four],
          roughness=[I[n]["roughness"] for n in four])

# %% [markdown]
# At similar clean error:
#
# * **Weights.** Masking grew the encoder weights beyond the plain model's; Gaussian noise, the
#   noise of the theory above, kept them smaller. Both stay more than twice as large as weight
#   decay's. "Denoising grows the weights" is a fact about masking, not about denoising.
# * **Units.** What both kinds of noise do is saturate more units than the plain model, while
#   weight decay keeps nearly all of them in the linear middle of the sigmoid. That is the
#   route the Tikhonov term leaves open: small sig′(z), not small W.
# * **Robustness.** Weight decay does not make the model robust: on masked digits it is no
#   better than the plain model, because it reconstructs whatever it is given, only blurrier.
# * **Filters.** On notebook 05's spread, weight decay's filters are the *most* local and also
#   the smoothest; the denoisers' filters spread nearly as widely as random noise. Masking's
#   are smoother than the plain model's.

# %% [markdown]
# So "noise equals weight decay" holds for one linear layer; for a linear autoencoder noise is
# already a different penalty, and for sigmoid units a data-dependent one that the network
# can meet by saturating. A denoising autoencoder is useful because it is *not* weight decay.

# %% [markdown]
# ## 5 · The contractive autoencoder
#
# Rifai et al. penalise the Jacobian of the **encoder** directly and deterministically,
# without noise:
#
# $$J_\text{CAE} = \frac1m\sum_i \ell(\hat x_i, x_i) + \gamma\,\frac1m\sum_i
#   \Bigl\lVert\frac{\partial h}{\partial x}(x_i)\Bigr\rVert_F^2 .$$
#
# For one sigmoid layer $h = \mathrm{sig}(Wx + b)$ the Jacobian's entries are
# $\partial h_j/\partial x_k = \mathrm{sig}'(z_j)\, W_{jk}$.

# %% [markdown]
# **✎ Exercise 4 (derivation).** Derive a closed form for $\lVert\partial h/\partial
# x\rVert_F^2$ at one example that costs no more than a forward pass (write sig′ in terms of
# h), and implement it as `jacobian_sq(model, X)`, one value per row of X. The check compares
# it with finite differences of `model.transform`.
#
# We work on the 8 × 8 digits: 1 300 to train on, the other 497 to test on, 64 sigmoid hidden
# units and **tied weights** (decoder = encoderᵀ), as Rifai et al. used. With a separate
# decoder the penalty has a cheap way out: shrink the encoder (its Jacobian shrinks with it)
# and let the unpenalised decoder grow to undo it. We test that at the end of the section.

# %% nbgrader={"grade": false, "grade_id": "answer_jacobian_sq", "locked": false, "schema_version": 3, "solution": true, "task": false}
def jacobian_sq(model, X):
    """‖∂h/∂x‖²_F at every row of X, for a fitted model with a sigmoid encoder (shape (m,))."""
    H = model.transform(X)                          # m × p
    W = model.params_["W1"]                         # p × n
    # BEGIN SOLUTION
    return (H * (1 - H)) ** 2 @ np.sum(W ** 2, axis=1)
    # END SOLUTION


# %% [markdown]
# **The budget, announced.** The contractive models below train with L-BFGS for **250
# iterations**. None meets L-BFGS's tolerance in that time, so each fit runs
# inside `aelab.fixed_budget`; for the comparison that matters, the pair γ = 0.1 against
# λ = 0.01, we train 250 iterations more and check that the ranking stands.

# %%
perm = np.random.default_rng(0).permutation(len(X_dig))
D_train, D_test = X_dig[perm[:1300]], X_dig[perm[1300:]]
yd_train, yd_test = y_dig[perm[:1300]], y_dig[perm[1300:]]
CAE = dict(n_hidden=64, tied=True, optimizer="lbfgs", max_iter=250)


def fit_cae(budget_reason="250 L-BFGS iterations for every contractive model, announced",
            **kw):
    with aelab.fixed_budget(budget_reason):
        return aelab.ContractiveAutoencoder(**{**CAE, **kw}).fit(D_train)


cae = fit_cae(contraction=0.3)
print(f"γ = 0.3: {cae.n_iter_} iterations, {cae.stop_reason_}")

# %% nbgrader={"grade": true, "grade_id": "check_jacobian_sq", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_jacobian_sq(jacobian_sq, cae, D_test[:5]).assert_ok()

# %% [markdown] nbgrader={"grade": true, "grade_id": "explain_52", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# <!-- BEGIN SOLUTION -->
# *Solution.* Squaring and summing the entries gives
# $\lVert\partial h/\partial x\rVert_F^2 = \sum_j \mathrm{sig}'(z_j)^2 \sum_k W_{jk}^2 =
# \sum_j \bigl(h_j(1-h_j)\bigr)^2\lVert W_j\rVert^2$, with $W_j$ row j of W.
# <!-- END SOLUTION -->
#
# The closed form $\sum_j \bigl(h_j(1-h_j)\bigr)^2\lVert W_j\rVert^2$ is small when each unit
# is saturated (h near 0 or 1) or has small weights: the same two routes as in section 4.
# `aelab.ContractiveAutoencoder(contraction=γ)` adds this term (its gradient is in the
# docstring of `aelab.penalties.contraction_penalty`). From here on the notebook builds the
# Jacobians themselves (one p × n matrix per example), to look inside them.

# %%
def encoder_jacobians(model, X):
    """∂h/∂x at every row of X for a sigmoid encoder: shape (m, n_hidden, n_features)."""
    H = model.transform(X)
    return (H * (1 - H))[:, :, None] * model.params_["W1"][None]

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_frontier", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# Now the comparison the contractive penalty has to win. Both γ and λ make the code less
# sensitive; both cost reconstruction accuracy. The fair question is which gives the
# *smaller Jacobian at the same reconstruction error*. We train contractive models with
# γ = 0.03, 0.1, 0.3, weight-decay models with λ = 0.003, 0.01, 0.03, and one with neither,
# and plot each as a point: test reconstruction error against the mean
# $\lVert\partial h/\partial x\rVert_F$.
#
# **Prediction.** At the same reconstruction error, which has the smaller Jacobian?

# %%
my_prediction_frontier = None  # one of "contraction", "weight decay", "neither"

# %%
t0 = time.perf_counter()
cae_models = {0.03: fit_cae(contraction=0.03), 0.1: fit_cae(contraction=0.1), 0.3: cae}
wd_models = {lam: fit_cae(contraction=0.0, lam=lam) for lam in (0.003, 0.01, 0.03)}
none_model = fit_cae(contraction=0.0)
print(f"6 more models in {time.perf_counter() - t0:.1f} s; stop reasons:",
      {m.stop_reason_ for m in [*cae_models.values(), *wd_models.values(), none_model]})


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
    names_ = [n for n in stats if n.startswith(prefix)]
    pts = np.array([stats[n][:2] for n in names_])
    axes[0].plot(pts[:, 0], pts[:, 1], style, label=prefix,
                 color="#0072B2" if prefix == "contractive" else "#D55E00")
    for n, (e, j) in zip(names_, pts):
        symbol, value = n.split(" = ")
        axes[0].annotate(f"{symbol[-1]} = {value}", (e, j), fontsize=8, xytext=offset,
                         textcoords="offset points")
axes[0].plot(*stats["neither"][:2], "k*", ms=12, label="neither")
axes[0].margins(x=0.1, y=0.1)
axes[0].set(xlabel="squared reconstruction error (test digits)",
            ylabel="mean ‖∂h/∂x‖_F (test digits)",
            title="less sensitive at the same error: lower left is better")
axes[0].legend()

pair = {"contractive γ = 0.1": cae_models[0.1], "weight decay λ = 0.01": wd_models[0.01]}
share = {}
for (name, m), colour in zip(pair.items(), ("#0072B2", "#D55E00")):
    sv2 = np.linalg.svd(encoder_jacobians(m, D_test), compute_uv=False) ** 2  # largest first
    share[name] = np.mean(np.cumsum(sv2, axis=1) / sv2.sum(axis=1, keepdims=True), axis=0)
    axes[1].plot(np.arange(1, 31), 100 * share[name][:30], ".-", label=name, color=colour)
axes[1].set(xlabel="number of input directions (most sensitive first)",
            ylabel="% of ‖∂h/∂x‖²_F (mean over test digits)", ylim=(0, 100),
            title="how concentrated the code's sensitivity is")
axes[1].legend()
plt.tight_layout()
print("share of ‖∂h/∂x‖²_F in the 5 most sensitive directions:",
      {name: f"{v[4]:.0%}" for name, v in share.items()})
c, w = stats["contractive γ = 0.1"], stats["weight decay λ = 0.01"]
compare_prediction(my_prediction_frontier,
                   "contraction" if c[0] < w[0] and c[1] < w[1] else "neither",
                   choices=("contraction", "weight decay", "neither"),
                   why="weight decay can only shrink ‖W_j‖²; contraction can also saturate "
                       "units, which makes sig′(z) small without costing reconstruction")

# %%
claim(c[0] < w[0] and c[1] < w[1], "γ = 0.1 beats λ = 0.01 on test error and on Jacobian",
      errors=(c[0], w[0]), jacobians=(c[1], w[1]))
c3, w3 = stats["contractive γ = 0.03"], stats["weight decay λ = 0.003"]
claim(abs(c3[0] / w3[0] - 1) < 0.1 and abs(c3[1] / w3[1] - 1) < 0.1,
      "weakly regularised, γ = 0.03 and λ = 0.003 are within 10% on both",
      errors=(c3[0], w3[0]), jacobians=(c3[1], w3[1]))
claim(c[4] > 0.4 > 0.1 > w[4], "contraction saturates the units, weight decay does not",
      saturated=(c[4], w[4]))
claim(stats["contractive γ = 0.3"][2] > 0.5 * stats["neither"][2]
      > 2.5 * stats["weight decay λ = 0.03"][2],
      "the strongest contraction keeps over half the unpenalised ‖W_j‖², the strongest "
      "weight decay under a fifth", W_sq=[stats[n][2] for n in stats])
claim(share["contractive γ = 0.1"][4] > share["weight decay λ = 0.01"][4] + 0.1,
      "the contractive model concentrates its sensitivity in few directions",
      top5=[share[n][4] for n in share])

# doubling the budget for the pair compared above: warm start, 250 more iterations
longer = {}
for name, m in pair.items():
    with aelab.fixed_budget("250 more iterations, to check that the ranking stands"):
        longer[name] = summary(copy.deepcopy(m).set_params(warm_start=True).fit(D_train))
c2, w2 = longer["contractive γ = 0.1"], longer["weight decay λ = 0.01"]
claim(c2[0] < w2[0] and c2[1] < w2[1], "after 500 iterations γ = 0.1 still beats λ = 0.01 "
      "on both", errors=(c2[0], w2[0]), jacobians=(c2[1], w2[1]));

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_probe", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# **Reading the results.**
#
# * Left: the contractive models lie below and to the left of the weight-decay models. For
#   instance γ = 0.1 has both a lower test error *and* a smaller Jacobian than λ = 0.01, at
#   250 iterations and at 500. The gap is small for weak regularisation and grows with
#   strength.
# * The table shows two mechanisms through the closed form $\sum_j \mathrm{sig}'(z_j)^2
#   \lVert W_j\rVert^2$. Weight decay can only act on $\lVert W_j\rVert^2$: the weights shrink
#   and the units slide into the linear middle of the sigmoid, where sig′ is largest. The
#   contractive penalty keeps most of the weight and acts on the other factor, saturating
#   more and more units, as the denoisers did in section 4.
# * Right: the SVD of ∂h/∂x splits each digit's total sensitivity among 64 orthogonal input
#   directions. The contractive model puts a much larger share into its few most sensitive
#   ones. Rifai et al. read those as the ways a digit can plausibly change (local tangents of
#   the data), and the contracted rest as directions of noise.
#
# Does that make the codes better **features**? Only a classifier can say. We fit a tuned
# logistic regression (C chosen by 3-fold cross-validation on the training digits) to the
# raw pixels and to three codes.
#
# **Prediction.** Will the contractive code (γ = 0.1) classify the test digits better than
# the raw pixels, about as well, or worse?

# %%
my_prediction_probe = None  # one of "better", "about the same", "worse"

# %%
def probe(Z_train, Z_test):
    """Test accuracy of logistic regression with C tuned by cross-validation on the train set."""
    clf = make_pipeline(StandardScaler(), LogisticRegressionCV(Cs=np.logspace(-2, 2, 5), cv=3,
                                                               max_iter=5000))
    with warnings.catch_warnings():                # scikit-learn's notes on future defaults
        warnings.simplefilter("ignore", FutureWarning)
        return clf.fit(Z_train, yd_train).score(Z_test, yd_test)


accuracy = {"pixels": probe(D_train, D_test)}
for name in ("contractive γ = 0.1", "weight decay λ = 0.01", "neither"):
    accuracy[name] = probe(rows[name].transform(D_train), rows[name].transform(D_test))
print({k: f"{v:.1%}" for k, v in accuracy.items()}, f"(1 test digit = {1 / len(D_test):.1%})")
gain = accuracy["contractive γ = 0.1"] - accuracy["pixels"]
compare_prediction(my_prediction_probe,
                   "better" if gain > 0.01 else "worse" if gain < -0.01 else "about the same",
                   choices=("better", "about the same", "worse"),
                   why="on 8×8 digits the pixels are already almost linearly separable; a "
                       "64-unit code has little room to improve on them")

# %%
claim(max(v for k, v in accuracy.items() if k != "pixels") <= accuracy["pixels"] + 0.005,
      "no code beats the raw pixels by more than half a point", accuracy=accuracy);

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_untied", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# No code beats the pixels: here contraction makes the code *less sensitive*, as promised,
# but not *more useful* to a linear classifier. Rifai et al. found gains as pretraining for
# deeper networks (notebook 07) on harder data; a linear probe on a small, easy set is a
# different test.
#
# **The escape route.** Untie the weights (`tied=False`) and train γ = 0.3 again.
# **Prediction:** will the encoder's ‖W₁‖ be larger or smaller than the tied model's, and the
# decoder's ‖W₂‖?

# %%
my_prediction_untied = None  # one of "encoder smaller, decoder larger", "both smaller", "both larger"

# %%
untied = fit_cae(contraction=0.3, tied=False)
norms = {name: (float(np.linalg.norm(m.params_["W1"])),
                float(np.linalg.norm(m.params_.get("W2", m.params_["W1"]))))
         for name, m in (("tied", cae), ("untied", untied))}
print({k: f"‖W1‖ = {a:.1f}, ‖W2‖ = {b:.1f}" for k, (a, b) in norms.items()},
      "error, mean ‖∂h/∂x‖_F:", {"tied": np.round(stats["contractive γ = 0.3"][:2], 3),
                                 "untied": np.round(summary(untied)[:2], 3)})
(t1, t2), (u1, u2) = norms["tied"], norms["untied"]
compare_prediction(my_prediction_untied,
                   "encoder smaller, decoder larger" if u1 < t1 and u2 > t2 else
                   "both smaller" if u1 < t1 and u2 < t2 else "both larger",
                   choices=("encoder smaller, decoder larger", "both smaller", "both larger"),
                   why="the penalty sees only the encoder: shrink it, and let the free decoder "
                       "scale the reconstruction back up")

# %%
u = summary(untied)
claim(u1 < t1 and u2 > t2 and u[0] < stats["contractive γ = 0.3"][0]
      and u[1] < stats["contractive γ = 0.3"][1],
      "untied, the encoder shrinks, the decoder grows, and error and Jacobian both fall",
      tied=norms["tied"], untied=norms["untied"]);

# %% [markdown]
# Rifai et al. also point out the link to section 4: for small Gaussian noise, the denoising
# criterion penalises the Jacobian of the whole reconstruction on average, while the
# contractive penalty targets the Jacobian of the encoder, exactly and without sampling.
# Alain and Bengio (2014) made the small-noise equivalence precise, and section 6 shows what
# it implies.
# Penalising a supervised network's Jacobian also makes it locally flat around the training
# data, an early defence against *adversarial examples* (Gu and Rigazio 2014).

# %% [markdown]
# ## 6 · What a denoising autoencoder learns: the score
#
# Vincent et al. (2008, 2010) gave the **manifold view**: data lie near a low-dimensional
# manifold, corruption pushes a point off it, and the denoiser learns to pull it back.
# Vincent (2011) made this exact for Gaussian noise and the squared error: the denoising
# objective is *score matching* on the smoothed density
# $p_\sigma = p * N(0, \sigma^2 I)$. Its best reconstruction satisfies
#
# $$r(\tilde x) - \tilde x = \sigma^2\,\nabla_{\tilde x}\log p_\sigma(\tilde x)$$
#
# (known as Tweedie's formula), and as σ → 0 this becomes
# $r(x) - x \approx \sigma^2\nabla\log p(x)$: Alain and Bengio (2014), "What regularized
# auto-encoders learn from the data-generating distribution", showed it for small noise,
# with the contraction falling on the reconstruction r rather than on the code.

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_arrows", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# We check it in 2-D, where the arrows can be drawn. The data are 300 points on a noisy
# spiral; the denoiser is an `aelab.Autoencoder` with 64 tanh units and a linear output,
# trained with σ = 0.1 on 8 noisy copies of each point, by L-BFGS to a gradient tolerance of
# 3e-5 (the largest gradient component). For these 300 points $p_\sigma$ is a sum of Gaussians, so its score is known exactly.
#
# **Prediction.** Away from the spiral, where will the arrows $r(x) - x$ point?

# %%
my_prediction_arrows = None  # one of "toward the spiral", "along the spiral", "outward"

# %%
rng = np.random.default_rng(0)
t = np.sqrt(rng.uniform(0.04, 1, 300)) * 3 * np.pi
spiral = np.c_[t * np.cos(t), t * np.sin(t)] / (3 * np.pi) + rng.normal(0, 0.02, (300, 2))
sigma_2d = 0.1
t0 = time.perf_counter()
denoiser = aelab.Autoencoder(n_hidden=64, activation="tanh", output_activation="linear",
                             loss="mse", noise="gaussian", noise_level=sigma_2d, tol=3e-5,
                             max_iter=6000).fit(np.tile(spiral, (8, 1)))
print(f"{denoiser.n_iter_} L-BFGS iterations, {denoiser.stop_reason_}, "
      f"{time.perf_counter() - t0:.1f} s")


def smoothed_score(Z, points, sigma):
    """σ² ∇log p_σ at the rows of Z, p_σ the points' density smoothed by N(0, σ²I)."""
    d2 = ((Z[:, None, :] - points[None]) ** 2).sum(axis=-1)
    w = np.exp(-(d2 - d2.min(axis=1, keepdims=True)) / (2 * sigma ** 2))
    w /= w.sum(axis=1, keepdims=True)              # posterior weight of each point
    return w @ points - Z                          # E[x | x̃] − x̃


g = np.linspace(-1.2, 1.2, 25)
grid = np.array(np.meshgrid(g, g)).reshape(2, -1).T
arrows = {"learned: r(x) − x": denoiser.reconstruct(grid) - grid,
          "exact: σ² ∇log p_σ(x)": smoothed_score(grid, spiral, sigma_2d)}
density = np.exp(-((grid[:, None] - spiral[None]) ** 2).sum(-1) / (2 * sigma_2d ** 2)).mean(1)
near = density > 0.05 * density.max()              # where the training noise reaches
fig, axes = plt.subplots(1, 2, figsize=(12, 6), sharex=True, sharey=True)
for ax, (title, V) in zip(axes, arrows.items()):
    ax.scatter(*spiral.T, s=4, color="#E69F00", label="training points")
    ax.quiver(*grid[near].T, *V[near].T, angles="xy", scale_units="xy", scale=1, width=0.003)
    ax.set(title=title, xlabel="x₁", aspect="equal")
axes[0].set_ylabel("x₂")
axes[0].legend(loc="lower left", fontsize=8)
fig.suptitle(f"denoising on a 2-D spiral, σ = {sigma_2d}: arrows at true length, drawn "
             "where the training noise reaches")
plt.tight_layout()

# %%
L, E = arrows.values()
cosine = np.sum(L * E, 1) / (np.linalg.norm(L, axis=1) * np.linalg.norm(E, axis=1))
rel = np.linalg.norm(L[near] - E[near]) / np.linalg.norm(E[near])
nearest = spiral[np.argmin(((grid[:, None] - spiral[None]) ** 2).sum(-1), axis=1)]
off = near & (np.linalg.norm(nearest - grid, axis=1) > sigma_2d)   # near, but off the spiral
toward = np.mean(np.sum(L[off] * (nearest[off] - grid[off]), 1) > 0)
compare_prediction(my_prediction_arrows, "toward the spiral" if toward > 0.8 else "along the spiral",
                   choices=("toward the spiral", "along the spiral", "outward"),
                   why="the arrows follow the gradient of the smoothed density, up its slope, "
                       "back to where the data are")
claim(np.median(cosine[near]) > 0.95 and rel < 0.4, "where the noise reaches, the learned "
      "field points along σ²∇log p_σ and matches it to within 40%",
      median_cosine=np.median(cosine[near]), relative_error=rel, grid_points=int(near.sum()))
claim(toward > 0.8, "off the spiral, the learned arrows point toward the nearest training "
      "point", fraction=toward);

# %% [markdown]
# The learned arrows point back to the spiral and match the exact score field where the
# training noise reached (the region drawn). Farther out, where no corrupted input ever
# landed, the network had nothing to learn from, and the two fields part ways.
#
# This is the seed of **score-based generative models**: learn $\nabla\log p_\sigma$ with
# denoisers at many noise levels, then follow the arrows, with a little fresh noise, from
# pure noise to data (Song and Ermon 2019). Denoising diffusion models (Ho et al. 2020)
# train exactly such a denoiser.
#
# ## 7 · Live: noise type and level
#
# The panel starts from the masking model of section 2 (ν = 0.5), shown as it is. Choose the
# **input noise** (none, mask, Gaussian) and move the **noise level** (ν for masking, σ for
# Gaussian noise): the model retrains on the 3 000 training digits with the settings of
# section 2 for 10 epochs, warm-started from its current weights, and redraws its filters, a few clean
# digits with their reconstructions, and the loss curve while it trains. Watch the filters
# grow smoother as the masking level rises.
#
# The panel's **challenge**, checked after every retrain: make the model repair digits with
# half their pixels masked, to less than half the masked digit's own squared error. The
# starting model is shown as it is, so the first retrain you cause is the first check.
#
# > If the panel is blank, you are reading a static copy: run the notebook in JupyterLab,
# > Notebook 7 or Voilà.

# %%
from aelab.explorer.course import course_challenges

panel = aelab.Explorer(copy.deepcopy(dae).set_params(max_iter=SNAPSHOT), X_train,
                       controls=("noise", "noise_level"),
                       views=("filters", "reconstructions", "loss"), image_shape=(28, 28),
                       challenges=course_challenges("06"))
panel

# %% [markdown]
# From code, as an instructor would script it: switch the noise off and see what the
# masked test digits of section 2 cost the retrained model.

# %%
panel.controls["noise"].value = "none"
panel.wait()
masked_error = reconstruction_error(X_test, panel.model.reconstruct(test_sets["masked ν = 0.5"]))
before = errors[EPOCHS]["mask ν = 0.5"]["masked ν = 0.5"]
print(f"retrained ({'warm' if panel.stats['warm_start'] else 'fresh'} start) in "
      f"{panel.stats['time_to_final_frame']:.1f} s; error on the masked test digits "
      f"{masked_error:.2f} (with ν = 0.5 it was {before:.2f})")
claim(not panel.challenges[0].done,
      "trained without noise, the model does not repair masked digits: the challenge stays "
      "open (switch the noise back to masking to solve it)")
print(f"notebook run time so far: {time.perf_counter() - T_START:.0f} s")

# %% [markdown]
# ## Summary
#
# * A **denoising autoencoder** encodes a corrupted input x̃ and is trained to reconstruct
#   the clean x. On MNIST it fills in masked strokes that a plain autoencoder mostly copies,
#   at less than half its error; each model is best on the noise it was trained with. Much
#   of the masking model's cost on clean digits is a matter of scale.
# * Input noise is **weight decay** only for a single linear layer. For a linear autoencoder
#   it is the exact penalty $\frac{\sigma^2}2\lVert W_2W_1\rVert_F^2$ on the product, with
#   gains $\lambda_i/(\lambda_i+\sigma^2)$; weight decay on the layers gives
#   $1-\lambda/\lambda_i$.
# * For **sigmoid** units the penalty depends on the data, and noise can meet it by
#   saturating units. Masking grew the weights, Gaussian noise did not; both saturated units,
#   which weight decay does not. Weight decay gave the most local and smoothest filters.
# * The **contractive** penalty $\gamma\sum_j (h_j(1-h_j))^2\lVert W_j\rVert^2$ (tied weights,
#   or the decoder undoes a shrunken encoder) reached a smaller Jacobian than weight decay at
#   the same error, by saturating units, but gave no better features for a linear probe.
# * A denoiser estimates the **score**: $r(x) - x \approx \sigma^2\nabla\log p_\sigma(x)$, the
#   idea behind score-based and diffusion models.
#
# **Next:** notebook 07 stacks autoencoders into deep networks, pretrained layer by layer.
