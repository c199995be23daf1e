# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 · Sparse autoencoders as a microscope
#
# Most people who meet sparse autoencoders today meet them in interpretability research: a
# wide, sparse code trained on the activations of *another* network, in the hope that each
# unit of the code stands for one human-readable feature that the network stores mixed with
# many others. The idea is the one this course has followed since notebook 02 — UFLDL's
# sparsity penalty, Makhzani and Frey's top-k selection of notebook 05 — asked a new
# question: not "are these good features for a classifier?" but "are these the features the
# data were *made* of?"
#
# Here that question has an answer, because we build the data ourselves with the true
# features known.
#
# **After this notebook you can**
#
# 1. say what superposition is and when storing more features than dimensions pays;
# 2. train the two sparse autoencoders of the literature — top-k and L1 with unit-norm
#    decoder columns — and judge them by recovery of the true features (MMCS);
# 3. measure the shrinkage that an L1 penalty causes and top-k does not;
# 4. provoke dead latents and revive them with the AuxK loss.
#
# Everything runs on one laptop core in about a minute. Exercises are marked **✎ Exercise**;
# before each experiment you write down a prediction.

# %%
import matplotlib.pyplot as plt
import numpy as np

import aelab
from aelab import metrics
from aelab.claims import claim
from aelab.datasets import make_superposition
from aelab.exercises import compare_numeric_prediction, compare_prediction

plt.rcParams.update({"figure.dpi": 90, "axes.titlesize": 10, "axes.labelsize": 9})

# %% [markdown]
# ## 1 · Superposition: five features in two dimensions
#
# Suppose a layer of width 2 must pass on five features, each present in an example with
# probability p and then with a strength s ∈ (0, 1). It can give two of them a dimension
# each and drop the other three — or it can store all five as directions f₁…f₅ in the plane,
# 72° apart, x = Σᵢ sᵢ fᵢ, and read feature i back as ŝᵢ = ReLU(⟨fᵢ, x⟩ − b).
#
# The directions are not orthogonal (cos 72° ≈ 0.31), so an active feature leaks into the
# others' readouts: **interference**. The bias b hides small leaks. When features are rare,
# two are seldom on together and the readout is nearly exact; when they are common, the
# leaks pile up. Below we measure both schemes' error E‖ŝ − s‖² as p grows, with b chosen
# to minimise the error at each p.

# %%
angles = 2 * np.pi * np.arange(5) / 5
F2 = np.stack([np.cos(angles), np.sin(angles)], axis=1)      # 5 unit directions in R²
rng = np.random.default_rng(0)
ps = np.array([0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5])
biases = np.linspace(0.0, 1.0, 41)


def readout_errors(p, n=20_000):
    """E‖ŝ − s‖² of the superposed readout (best b) and of keeping two features."""
    s = np.where(rng.random((n, 5)) < p, rng.random((n, 5)), 0.0)
    proj = (s @ F2) @ F2.T                                      # ⟨fᵢ, x⟩ for every i
    superposed = min(np.mean(np.sum((np.maximum(proj - b, 0) - s) ** 2, axis=1))
                     for b in biases)
    dedicated = np.mean(np.sum(s[:, 2:] ** 2, axis=1))          # features 3–5 dropped
    return superposed, dedicated


errors = np.array([readout_errors(p) for p in ps])
ratio = errors[:, 0] / errors[:, 1]     # superposed error / dedicated error
ratio.round(3)

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.4))
for f in F2:
    ax0.annotate("", f, (0, 0), arrowprops=dict(arrowstyle="->", color="#0072B2", lw=1.6))
ax0.set(xlim=(-1.2, 1.2), ylim=(-1.2, 1.2), aspect="equal", xlabel="dimension 1",
        ylabel="dimension 2", title="Five feature directions in R² (72° apart)")
ax1.plot(ps, errors[:, 0], "o-", color="#0072B2", label="all five, superposed (best b)")
ax1.plot(ps, errors[:, 1], "s--", color="#E69F00", label="two dedicated, three dropped")
ax1.set(xscale="log", yscale="log", xlabel="probability p that a feature is on",
        ylabel="readout error E‖ŝ − s‖²", title="When superposition pays")
ax1.legend(fontsize=8)
fig.tight_layout()

# %%
claim(ratio[ps == 0.02][0] < 0.25,
      "at p = 0.02 the superposed readout's error is under a quarter of the dedicated one's",
      ratio_at_0_02=ratio[ps == 0.02][0])
claim(np.all(np.diff(ratio) > -0.02) and ratio[-1] > 0.5 and ratio.max() < 1,
      "its advantage shrinks steadily as features get denser (above half at p = 0.5), "
      "without vanishing in this toy", ratios=ratio)

# %% [markdown]
# In this toy, storing all five always beats dropping three outright, but the advantage
# shrinks steadily as features get denser. Models that are *trained* to do this, choosing
# their directions and weighing features by importance, go further: Elhage et al. (2022)
# find that with dense features their toy models keep only the most important features,
# each in a dimension of its own, and that they superpose more and more features as the
# features get sparser. Its neurons are then *polysemantic*: each responds to several
# features. A sparse autoencoder tries to undo the mixing: a dictionary of many directions
# and a sparse code saying which of them make up each example — dictionary learning, as in
# Olshausen and Field's sparse coding (1996).

# %% [markdown]
# ## 2 · Top-k against L1, judged against the truth
#
# Our data: 128 true unit features in 32 dimensions (4× superposition), each on with
# probability 0.02 (about 2.6 per example) with a strength U(0, 1). The sparse autoencoder
# is the course's engine with a wide ReLU code (256 latents), untied weights started at
# W₁ = W₂ᵀ, a pre-encoder bias, and **unit-norm decoder columns** — without that constraint
# the L1 penalty is dodged by shrinking the code and growing the decoder.
#
# * `aelab.TopKSAE` keeps the k largest latents per example (k = 4 here), no penalty;
# * `aelab.L1SAE` adds β·Σⱼ ρ̂ⱼ = β·E‖h‖₁ (aelab's β = λ/2 for the sae-lens λ, see its docstring).
#
# A dictionary is judged by the **mean max cosine similarity** (MMCS): for each true feature,
# its best |cosine| with any decoder column, averaged over the features.

# %%
train = make_superposition(128, 32, 0.02, 30_000, seed=0)
test = make_superposition(128, 32, 0.02, 3_000, seed=0, sample_seed=1)   # same features
train.X.shape, test.X.shape

# %% [markdown]
# **✎ Exercise 1.** Write `mmcs(true_features, dictionary)`: both arguments hold one
# direction per row, of any length. What should a flipped copy of a feature score?

# %%
def mmcs(true_features, dictionary):
    """Mean over the true features of their best |cosine| with a dictionary row."""
    # BEGIN SOLUTION
    T = true_features / np.linalg.norm(true_features, axis=1, keepdims=True)
    D = dictionary / np.linalg.norm(dictionary, axis=1, keepdims=True)
    return float(np.mean(np.max(np.abs(T @ D.T), axis=1)))
    # END SOLUTION


# %%
from aelab.exercises.nb09 import check_mmcs

check_mmcs(mmcs).assert_ok()

# %% [markdown]
# **Predict first.** The L1 penalty charges every unit of activation; top-k charges nothing
# once a latent is selected. Which model's reconstructions will come out *scaled down*
# (γ = E‖x̂‖²/E⟨x̂, x⟩ below 1)?

# %%
my_prediction = None  # ✎ one of "top-k", "L1", "both", "neither"

# %% [markdown]
# We train each for a fixed budget of 8 epochs, and record the MMCS after every epoch to see
# how far recovery has levelled off by then: the budget is announced, and the check below
# says how much the last epoch still changed.

# %%
def fit_recording(model, X, truth):
    """Fit for the model's epoch budget, recording MMCS after each epoch."""
    curve = []

    def record(progress):
        curve.append(metrics.mean_max_cosine_similarity(truth, progress.model.params_["W2"].T))
        return False

    with aelab.fixed_budget("8 epochs; the MMCS curve shows recovery has levelled off"):
        model.fit(X, callback=record)
    return model, np.array(curve)


common = dict(n_hidden=256, max_iter=8, n_iter_no_change=None)
topk, topk_curve = fit_recording(aelab.TopKSAE(k=4, **common), train.X, train.features)
# L1 needs larger steps than top-k to get as far in the same budget (3e-3: MMCS 0.83)
l1, l1_curve = fit_recording(aelab.L1SAE(learning_rate=1e-2, **common), train.X,
                             train.features)

# %%
def report(model):
    H = model.transform(test.X)
    X_hat = model.inverse_transform(H)
    return {"MMCS": metrics.mean_max_cosine_similarity(test.features, model.params_["W2"].T),
            "recovered (cos > 0.9)": metrics.recovered_fraction(test.features,
                                                                model.params_["W2"].T),
            "L0": metrics.l0(H), "NMSE": metrics.normalized_mse(test.X, X_hat),
            "γ": metrics.shrinkage(test.X, X_hat), "dead": metrics.dead_fraction(H)}


results = {"top-k (k = 4)": report(topk), "L1 (β = 0.15)": report(l1)}
for name, r in results.items():
    print(f"{name:14s}", "  ".join(f"{k} {v:.3f}" for k, v in r.items()))

# %%
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(np.arange(1, 9), topk_curve, "o-", color="#0072B2", label="top-k")
ax.plot(np.arange(1, 9), l1_curve, "s-", color="#D55E00", label="L1")
ax.set(xlabel="epoch", ylabel="MMCS to the true features", ylim=(0.5, 1.0),
       title="Recovery during training")
ax.legend(fontsize=8)
fig.tight_layout()

# %%
t, l = results["top-k (k = 4)"], results["L1 (β = 0.15)"]
claim(abs(topk_curve[-1] - topk_curve[-2]) < 0.005 and abs(l1_curve[-1] - l1_curve[-2]) < 0.005,
      "in the budget's last epoch MMCS rose by under 0.005 for either model (L1 still creeps up)",
      topk=topk_curve[-3:], l1=l1_curve[-3:])
claim(t["MMCS"] > 0.95 and l["MMCS"] > 0.95,
      "both recover the true features (MMCS above 0.95 on held-out examples)",
      topk=t["MMCS"], l1=l["MMCS"])
claim(abs(t["γ"] - 1) < 0.02 and l["γ"] < 0.9,
      "top-k reconstructs at the right scale (γ within 0.02 of 1); L1 shrinks (γ below 0.9)",
      topk=t["γ"], l1=l["γ"])
claim(l["NMSE"] > 1.3 * t["NMSE"], "L1's NMSE is more than 1.3 times top-k's",
      topk=t["NMSE"], l1=l["NMSE"])
outcome = "L1" if l["γ"] < 0.95 <= t["γ"] else ("both" if l["γ"] < 0.95 else "neither")
compare_prediction(my_prediction, outcome, choices=("top-k", "L1", "both", "neither"),
                   why="L1 pays for every unit of activation, so the optimum lowers every "
                       "active latent a little (soft thresholding); top-k's selected latents "
                       "are free.")

# %% [markdown]
# **Shrinkage, seen.** For each true feature take the latent whose decoder column matches it
# best; on the examples where that feature is on, plot the latent's activation h against the
# feature's true strength s. With unit-norm decoder columns a faithful code has h ≈ s. We fit
# a line h ≈ a·s + c on the examples where the latent fired, and count how often it stayed at
# 0 although its feature was on (a missed, usually faint, occurrence).

# %%
def matched_activations(model, data, n_features=40):
    D = model.params_["W2"].T / np.linalg.norm(model.params_["W2"].T, axis=1, keepdims=True)
    best = np.argmax(np.abs(data.features @ D.T), axis=1)
    H = model.transform(data.X)
    true, got = [], []
    for i in range(n_features):
        on = data.coefficients[:, i] > 0
        true.append(data.coefficients[on, i])
        got.append(H[on, best[i]])
    return np.concatenate(true), np.concatenate(got)


fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), sharex=True, sharey=True)
slopes, missed, faint_vs_strong = {}, {}, {}
for ax, (name, model), colour in zip(axes, [("top-k", topk), ("L1", l1)],
                                     ["#0072B2", "#D55E00"]):
    s_true, h = matched_activations(model, test)
    fired = h > 0
    slopes[name], offset = np.polyfit(s_true[fired], h[fired], 1)
    missed[name] = float(np.mean(~fired))
    faint_vs_strong[name] = (float(np.mean(~fired[s_true < 0.2])),
                             float(np.mean(~fired[s_true > 0.5])))
    ax.scatter(s_true, h, s=4, alpha=0.4, color=colour)
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="faithful (h = s)")
    ax.plot([0, 1], [offset, slopes[name] + offset], color="k", lw=1,
            label=f"fit: h = {slopes[name]:.2f}·s {offset:+.2f}")
    ax.set(title=f"{name}: {missed[name]:.0%} of occurrences missed", xlabel="true strength s",
           ylabel="matched latent's activation h")
    ax.legend(fontsize=8, loc="upper left")
fig.tight_layout()

# %%
claim(slopes["L1"] < slopes["top-k"] - 0.15,
      "where the matched latent fires, L1's activations grow more slowly with the true "
      "strength than top-k's (a slope lower by over 0.15)", slopes=slopes)
claim(min(missed.values()) > 0.1
      and all(faint > 3 * strong for faint, strong in faint_vs_strong.values()),
      "both miss more than a tenth of the occurrences, faint ones (s < 0.2) over three times "
      "as often as strong ones (s > 0.5): the threshold that keeps interference out also "
      "drops weak features", missed=missed, faint_vs_strong=faint_vs_strong)

# %% [markdown]
# **✎ Exercise 2.** Write `gamma(X, X_hat)`, the shrinkage γ of the table: the scale c that
# best explains x ≈ x̂ / c in least squares. (Hint: minimise Σ‖x̂/c − x‖² over 1/c.)

# %%
def gamma(X, X_hat):
    """The shrinkage of a reconstruction: 1 when unbiased, below 1 when shrunk."""
    # BEGIN SOLUTION
    return float(np.sum(X_hat * X_hat) / np.sum(X_hat * X))
    # END SOLUTION


# %%
from aelab.exercises.nb09 import check_shrinkage

check_shrinkage(gamma).assert_ok()

# %% [markdown]
# ## 3 · Dead latents, and AuxK
#
# A latent that is never among the top k gets no gradient through the reconstruction and
# stays dead: its share of the dictionary is wasted. Large learning rates make many die
# early. Gao et al. (2024) give the dead latents a job of their own, the **AuxK** loss: the
# `aux_k` largest *pre-activations* of the dead latents (not clipped by the ReLU, or a latent
# negative everywhere would still get nothing) must reconstruct the residual x − x̂ that the
# live ones left, weighted by α (`aux_coef`). A latent counts as dead after `dead_steps`
# minibatches without firing.
#
# Note that with 256 latents for 128 features some latents are spare even in a good run:
# the top-k model above has a dead fraction of its own, which is the baseline here.
#
# **Predict first.** At ten times the learning rate (3e-2), what fraction of the 256 latents
# will be dead after the same 8 epochs?

# %%
my_dead_guess = None  # ✎ a fraction between 0 and 1

# %%
fast = dict(k=4, learning_rate=3e-2, tied_init=False, **common)
with aelab.fixed_budget("the same 8 epochs with and without AuxK"):
    plain = aelab.TopKSAE(**fast).fit(train.X)
    # α = 1/4: Gao et al.'s 1/32 is too weak at this small scale to revive them in 8 epochs
    revived = aelab.TopKSAE(aux_k=64, aux_coef=0.25, dead_steps=20, **fast).fit(train.X)
dead = {"lr 3e-3": results["top-k (k = 4)"]["dead"], "lr 3e-2": report(plain)["dead"],
        "lr 3e-2 + AuxK": report(revived)["dead"]}
mm = {"lr 3e-2": report(plain)["MMCS"], "lr 3e-2 + AuxK": report(revived)["MMCS"]}
dead, mm

# %%
fig, ax = plt.subplots(figsize=(5, 3))
ax.bar(list(dead), list(dead.values()), color=["#0072B2", "#D55E00", "#009E73"])
ax.set(ylabel="fraction of latents dead", ylim=(0, 1), title="Dead latents of 256 (top-k, k = 4)")
fig.tight_layout()

# %%
claim(dead["lr 3e-2"] > dead["lr 3e-3"] + 0.2,
      "the large learning rate kills over 20 points more of the latents", dead=dead)
claim(dead["lr 3e-2 + AuxK"] < 0.5 * dead["lr 3e-2"] and mm["lr 3e-2 + AuxK"] > mm["lr 3e-2"] + 0.1,
      "AuxK more than halves the dead fraction and lifts MMCS by over 0.1", dead=dead, mmcs=mm)
compare_numeric_prediction(my_dead_guess, dead["lr 3e-2"], name="the dead fraction at lr 3e-2",
                           why="big early steps push many latents' pre-activations below "
                               "every competitor's; once never selected, nothing pulls them back.")

# %% [markdown]
# ## 4 · Back to the course
#
# | | notebook 02 (UFLDL) | notebook 05 (k-sparse) | this notebook (top-k SAE) |
# | --- | --- | --- | --- |
# | sparsity by | a KL penalty on mean activations ρ̂ⱼ | keeping the k largest | keeping the k largest |
# | units | sigmoid | linear | ReLU |
# | decoder | untied, weight decay | tied | untied, unit-norm columns |
# | judged by | filters that look like edges | a linear probe | recovery of known features |
#
# The maths is one idea — a code made sparse, a dictionary learned to reconstruct from it.
# What changed is the question asked of the code. Gao et al. cite Makhzani and Frey for
# top-k; the L1 SAE is UFLDL's ℓ1 sparsity form (notebook 03) with ρ = 0.
#
# Honest limits of this notebook: the features here are truly sparse, linear and known. In a
# real network none of that is guaranteed, and a sparse code that reconstructs well can still
# split or merge features; judging it then needs other evidence than MMCS.

# %% [markdown]
# ## Summary
#
# * Sparse features can be stored in superposition cheaply; the readout's interference grows
#   with how often features co-occur.
# * Top-k and L1 sparse autoencoders with unit-norm decoder columns both recover the true
#   features here; L1 shrinks the activations (γ < 1) and reconstructs worse, top-k does not.
# * Dead latents waste the dictionary; AuxK gives them a gradient and brings most back.
#
# ## Reading list
#
# * Olshausen & Field (1996), *Emergence of simple-cell receptive field properties by
#   learning a sparse code for natural images* — sparse coding, the ancestor of it all.
# * Elhage et al. (2022), *Toy Models of Superposition* — when and how small networks store
#   more features than dimensions.
# * Sharkey, Braun & Millidge (2022), *Taking features out of superposition with sparse
#   autoencoders* — the toy-data test of SAEs this notebook follows.
# * Bricken et al. (2023), *Towards Monosemanticity* — L1 SAEs on a transformer's MLP layer.
# * Gao et al. (2024), *Scaling and evaluating sparse autoencoders* — top-k SAEs, AuxK, NMSE.
# * Rajamanoharan et al. (2024), *Improving dictionary learning with gated sparse
#   autoencoders* and *Jumping ahead: JumpReLU SAEs* — the shrinkage measure γ and two fixes
#   for it.
# * Makhzani & Frey (2013), *k-Sparse Autoencoders* — notebook 05.
