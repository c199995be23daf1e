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
# 3. measure the shrinkage that an L1 penalty causes and top-k does not, and compare
#    sparse autoencoders by their L0–NMSE frontier — and see why the frontier alone does not
#    choose a dictionary;
# 4. find where recovery breaks (too few dimensions, too many features on at once);
# 5. provoke dead latents and revive them with the AuxK loss;
# 6. say what the latents of a too-small or too-large dictionary do;
# 7. judge an SAE on a real network's hidden layer honestly, against neurons, rotations and
#    random sparse codes.
#
# Everything runs on one laptop core in a few minutes at most. Exercises are marked **✎ Exercise**;
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
# ### The L0–NMSE frontier
#
# One setting of k or β gives one sparse autoencoder; a sweep gives a curve. Gao et al.
# (2024) compare sparse autoencoders by the **frontier** of reconstruction error (NMSE)
# against sparsity (L0, the latents on per example): lower-left is better. We sweep k for
# top-k and β for L1, every model with unit-norm decoder columns, on the same data and the
# same announced budget of 8 epochs as above (the k = 4 and β = 0.15 models are the ones
# already trained).
#
# **Predict first.** Along the top-k sweep NMSE falls as k grows. Will the k with the lowest
# NMSE also recover the true features best?

# %%
my_frontier_prediction = None  # ✎ "yes" or "no"

# %%
sweep_k, sweep_beta = (1, 4, 8, 16), (0.05, 0.15, 0.3)
frontier = {"top-k": {}, "L1": {}}
with aelab.fixed_budget("the 8 epochs of the models above, for every point of the sweep"):
    for k in sweep_k:
        model = topk if k == 4 else aelab.TopKSAE(k=k, **common).fit(train.X)
        frontier["top-k"][k] = report(model)
    for beta in sweep_beta:
        model = l1 if beta == 0.15 else aelab.L1SAE(beta=beta, learning_rate=1e-2,
                                                    **common).fit(train.X)
        frontier["L1"][beta] = report(model)
for name, runs in frontier.items():
    for setting, r in runs.items():
        print(f"{name:5s} {setting:5}: L0 {r['L0']:5.2f}  NMSE {r['NMSE']:.3f}  "
              f"MMCS {r['MMCS']:.3f}  γ {r['γ']:.3f}")

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.4))
for (name, runs), colour, marker in zip(frontier.items(), ["#0072B2", "#D55E00"], "os"):
    L0 = [r["L0"] for r in runs.values()]
    ax0.plot(L0, [r["NMSE"] for r in runs.values()], marker + "-", color=colour, label=name)
    ax1.plot(L0, [r["MMCS"] for r in runs.values()], marker + "-", color=colour, label=name)
    for setting, r in runs.items():
        ax0.annotate(f"{'k' if name == 'top-k' else 'β'}={setting}", (r["L0"], r["NMSE"]),
                     fontsize=7, xytext=(3, 3), textcoords="offset points")
for ax in (ax0, ax1):
    ax.axvline(128 * 0.02, color="grey", ls=":", lw=1)
    ax.set(xscale="log", xlabel="L0 (latents on per example; dotted: true features on)")
ax0.set(yscale="log", ylabel="NMSE (held out)", title="The L0–NMSE frontier")
ax1.set(ylabel="MMCS to the true features", title="…and recovery along it")
ax0.legend(fontsize=8)
fig.tight_layout()

# %%
tk = frontier["top-k"]
L0_k = np.log([r["L0"] for r in tk.values()])
nmse_k = np.log([r["NMSE"] for r in tk.values()])
inside = {b: r for b, r in frontier["L1"].items()
          if min(L0_k) <= np.log(r["L0"]) <= max(L0_k)}
topk_at = {b: float(np.exp(np.interp(np.log(r["L0"]), L0_k, nmse_k))) for b, r in inside.items()}
claim(len(inside) >= 2 and all(topk_at[b] < inside[b]["NMSE"] for b in inside),
      "at every L0 where both were measured, top-k's frontier lies below L1's (lower NMSE "
      "at the same L0, interpolating top-k in log–log)",
      l1_nmse={b: r["NMSE"] for b, r in inside.items()}, topk_nmse_there=topk_at)
best_nmse_k = min(tk, key=lambda k: tk[k]["NMSE"])
best_mmcs_k = max(tk, key=lambda k: tk[k]["MMCS"])
claim(all(np.diff([r["NMSE"] for r in tk.values()]) < 0) and best_nmse_k == 16
      and best_mmcs_k == 4 and tk[16]["MMCS"] < tk[best_mmcs_k]["MMCS"] - 0.15,
      "NMSE falls all the way to k = 16, but recovery peaks at k = 4, near the 2.6 true "
      "features on per example, and k = 16 is over 0.15 worse in MMCS",
      mmcs={k: r["MMCS"] for k, r in tk.items()})
compare_prediction(my_frontier_prediction, "yes" if best_nmse_k == best_mmcs_k else "no",
                   choices=("yes", "no"),
                   why="with more latents on than features present, the spare latents fit "
                       "pieces of several features at once: the error falls, the dictionary "
                       "stops being the features. A frontier ranks reconstructions; only the "
                       "truth (here) or other evidence (in a real network) ranks dictionaries.")

# %% [markdown]
# ## 3 · Harder: 8× superposition, and where recovery breaks
#
# Halve the dimension: the same 128 features in 16 dimensions, so each feature direction
# overlaps more with the others. We give both models more epochs and watch their recovery
# curves: top-k 16 epochs, L1 twice that, with β = 0.3, twice section 2's (try 0.15 and
# 0.05 yourself by adding them to the loop, and compare).

# %%
train8 = make_superposition(128, 16, 0.02, 30_000, seed=0)
test8 = make_superposition(128, 16, 0.02, 3_000, seed=0, sample_seed=1)


def fit_curve(model, data, test_data, why):
    """Fit for the model's epoch budget, recording held-out MMCS after each epoch."""
    curve = []

    def record(progress):
        curve.append(metrics.mean_max_cosine_similarity(test_data.features,
                                                        progress.model.params_["W2"].T))
        return False

    with aelab.fixed_budget(why):
        model.fit(data.X, callback=record)
    return model, np.array(curve)


topk8, topk8_curve = fit_curve(aelab.TopKSAE(k=4, **{**common, "max_iter": 16}), train8,
                               test8, "16 epochs; the curve shows where recovery levels off")
l18, l18_curves = {}, {}
for beta in (0.3,):  # twice section 2's β; add 0.15 to this tuple to see it recover less
    l18[beta], l18_curves[beta] = fit_curve(
        aelab.L1SAE(beta=beta, learning_rate=1e-2, **{**common, "max_iter": 32}), train8,
        test8, "32 epochs, twice top-k's, to see how far L1 gets")


def report_on(model, data):
    H = model.transform(data.X)
    X_hat = model.inverse_transform(H)
    return {"MMCS": metrics.mean_max_cosine_similarity(data.features, model.params_["W2"].T),
            "recovered": metrics.recovered_fraction(data.features, model.params_["W2"].T),
            "L0": metrics.l0(H), "NMSE": metrics.normalized_mse(data.X, X_hat),
            "γ": metrics.shrinkage(data.X, X_hat)}


r8 = {"top-k": report_on(topk8, test8),
      **{f"L1 β={b}": report_on(m, test8) for b, m in l18.items()}}
for name, r in r8.items():
    print(f"{name:9s}", "  ".join(f"{k} {v:.3f}" for k, v in r.items()))


def epochs_to(curve, level):
    """First epoch (1-based) at which a recovery curve reaches ``level``; None if never."""
    hit = np.flatnonzero(np.asarray(curve) >= level)
    return int(hit[0]) + 1 if hit.size else None


target = 0.95
reach = {"top-k": epochs_to(topk8_curve, target),
         **{f"L1 β={b}": epochs_to(c, target) for b, c in l18_curves.items()}}
reach

# %%
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(np.arange(1, 17), topk8_curve, "o-", ms=3, color="#0072B2", label="top-k (k = 4)")
for (beta, curve), style in zip(l18_curves.items(), ["s-", "^-", "v-"]):
    ax.plot(np.arange(1, 33), curve, style, ms=3, color="#D55E00", label=f"L1 (β = {beta})")
ax.axhline(target, color="grey", ls=":", lw=1)
ax.set(xlabel="epoch", ylabel="MMCS (held out)", title="8× superposition: 128 features in 16 dims")
ax.legend(fontsize=8)
fig.tight_layout()

# %%
best_l1 = max((k for k in r8 if k.startswith("L1")), key=lambda k: r8[k]["MMCS"])
claim(r8["top-k"]["MMCS"] > 0.93 and abs(topk8_curve[-1] - topk8_curve[-2]) < 0.005,
      "top-k still recovers at 8× (MMCS above 0.93, the last epoch changing it by under 0.005)",
      mmcs=r8["top-k"]["MMCS"], last=topk8_curve[-3:])
claim(r8[best_l1]["NMSE"] > 2 * r8["top-k"]["NMSE"]
      and r8[best_l1]["MMCS"] < r8["top-k"]["MMCS"] + 0.01,
      "L1 recovers no better than top-k (MMCS within 0.01 at most), and pays with over twice "
      "top-k's NMSE",
      best=best_l1, nmse={k: r["NMSE"] for k, r in r8.items()})
claim(reach["top-k"] is not None and (reach[best_l1] is None
                                      or reach[best_l1] >= 1.5 * reach["top-k"]),
      f"L1 needs at least 1.5 times top-k's epochs to reach MMCS {target} (or never does)",
      epochs=reach, mmcs={k: r["MMCS"] for k, r in r8.items()})

# %% [markdown]
# Where does it break? Keep n = 128 features and top-k with k = 4 (8 epochs), and change one
# thing at a time: squeeze the dimension d, or make features commoner (p). At p = 0.1 about
# 13 features are on per example, so we also try k = 13, the number actually on.

# %%
breaking = {("d", 32): results["top-k (k = 4)"]["MMCS"], ("d", 16): topk8_curve[7],
            ("p", 0.02): results["top-k (k = 4)"]["MMCS"]}
breaking_curves = {}
for key, d, p, k in [(("d", 8), 8, 0.02, 4), (("p", 0.05), 32, 0.05, 4),
                     (("p", 0.1), 32, 0.1, 4), (("p, k = 13", 0.1), 32, 0.1, 13)]:
    tr = make_superposition(128, d, p, 30_000, seed=0)
    te = make_superposition(128, d, p, 3_000, seed=0, sample_seed=1)
    _, breaking_curves[key] = fit_curve(
        aelab.TopKSAE(k=k, **common), tr, te,
        "8 epochs per setting; the curves say whether it was still improving")
    breaking[key] = breaking_curves[key][-1]
{f"{a} = {b}": round(float(v), 3) for (a, b), v in breaking.items()}

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(8, 3), sharey=True)
ds = [8, 16, 32]
ax0.plot(ds, [breaking[("d", d)] for d in ds], "o-", color="#0072B2")
ax0.set(xscale="log", xticks=ds, xticklabels=ds, xlabel="dimension d (p = 0.02)",
        ylabel="MMCS (held out)", title="Squeezing the dimension")
pp = [0.02, 0.05, 0.1]
ax1.plot(pp, [breaking[("p", p)] for p in pp], "o-", color="#0072B2", label="k = 4")
ax1.plot([0.1], [breaking[("p, k = 13", 0.1)]], "s", color="#D55E00", label="k = 13")
ax1.set(xscale="log", xticks=pp, xticklabels=pp, xlabel="probability p (d = 32)",
        title="Denser features")
ax1.legend(fontsize=8)
for ax in (ax0, ax1):
    ax.axhline(0.9, color="grey", ls=":", lw=1)
    ax.xaxis.set_minor_formatter(plt.NullFormatter())  # only the settings measured
fig.tight_layout()

# %%
claim(breaking[("d", 8)] < 0.9 and abs(breaking_curves[("d", 8)][-1]
                                       - breaking_curves[("d", 8)][-3]) < 0.01,
      "at d = 8 (16×) recovery fails: MMCS below 0.9 and flat over the last epochs",
      mmcs=breaking[("d", 8)], last=breaking_curves[("d", 8)][-3:])
claim(breaking[("p", 0.05)] > 0.95 and breaking[("p", 0.1)] < 0.8
      and breaking[("p, k = 13", 0.1)] < 0.8,
      "p = 0.05 still recovers (MMCS above 0.95); p = 0.1 fails with k = 4 and with k = 13 "
      "(MMCS below 0.8)", mmcs={f"{a}={b}": v for (a, b), v in breaking.items()})

# %% [markdown]
# At d = 16 this data still recovers; it breaks between 16 and 8 dimensions, and between
# p = 0.05 and 0.1 — where the 5-in-2 toy of section 1 said interference piles up: too many
# directions for the dimension, or too many features on at once for a sparse code to
# separate them. Try it: do 256 features in 16 dimensions (16×, as 128 in 8) fail the same
# way?

# %% [markdown]
# ## 4 · Dead latents, and AuxK
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
# ## 5 · Feature splitting: dictionaries smaller and larger than the truth
#
# In a real network nobody knows how many features there are, so the dictionary size is a
# guess. What do the latents do when there are fewer than the 128 true features, or many
# more? For each dictionary we count, among the live latents, those that **copy** a true
# feature (|cos| > 0.9), the features with **two or more** copies (duplicates), and the
# live latents that copy nothing, with how often they fire.
#
# **✎ Exercise 3.** Write `copies_per_feature(true_features, dictionary, threshold)`: for each
# true feature, how many dictionary rows match it with |cos| above the threshold.

# %%
def copies_per_feature(true_features, dictionary, threshold=0.9):
    """For each true feature (row), the number of dictionary rows with |cos| > threshold."""
    # BEGIN SOLUTION
    T = true_features / np.linalg.norm(true_features, axis=1, keepdims=True)
    D = dictionary / np.linalg.norm(dictionary, axis=1, keepdims=True)
    return np.sum(np.abs(T @ D.T) > threshold, axis=1)
    # END SOLUTION


# %%
from aelab.exercises.nb09 import check_copies_per_feature

check_copies_per_feature(copies_per_feature).assert_ok()

# %% [markdown]
# **Predict first.** With 512 latents (4× the true features), how many of the 128 features
# will have two or more copies?

# %%
my_duplicates_guess = None  # ✎ a number of features, 0 to 128

# %%
splits = {}
with aelab.fixed_budget("the 8 epochs of section 2, on half its examples, per dictionary"):
    for size in (64, 128, 256, 512):
        model = aelab.TopKSAE(k=4, **{**common, "n_hidden": size}).fit(train.X[:15_000])
        H = model.transform(test.X)
        live = ~metrics.dead_units(H)
        D = model.params_["W2"].T[live]
        copies = metrics.feature_copies(test.features, D)   # the library's, as yours
        copying = metrics.max_cosine_similarities(D, test.features) > 0.9  # per live latent
        fires = np.mean(H[:, live] > 0, axis=0)
        splits[size] = {"recovered": float(np.mean(copies >= 1)),
                        "duplicated": int(np.sum(copies >= 2)), "live": int(live.sum()),
                        "dead": int(size - live.sum()), "copying": int(copying.sum()),
                        "other": int(np.sum(~copying)),
                        "fires (copy)": float(fires[copying].mean()),
                        "fires (other)": float(fires[~copying].mean())
                        if np.any(~copying) else 0.0}
for size, s in splits.items():
    print(f"{size:4d} latents:", "  ".join(f"{k} {v:.3g}" for k, v in s.items()))

# %%
fig, ax = plt.subplots(figsize=(6, 3))
sizes = list(splits)
bottom = np.zeros(len(sizes))
for part, colour in [("copying", "#0072B2"), ("other", "#E69F00"), ("dead", "#999999")]:
    vals = np.array([splits[n][part] for n in sizes], dtype=float)
    ax.bar([str(n) for n in sizes], vals, bottom=bottom, color=colour,
           label={"copying": "live, copies a feature", "other": "live, copies none",
                  "dead": "dead"}[part])
    bottom += vals
ax.axhline(128, color="k", ls=":", lw=1, label="128 true features")
ax.set(xlabel="dictionary size", ylabel="latents", title="What the latents of each dictionary do")
ax.legend(fontsize=8)
fig.tight_layout()

# %%
sp = splits
claim(sp[64]["recovered"] < 0.35 and sp[256]["recovered"] > 0.95
      and sp[512]["recovered"] > 0.95,
      "half the true number of latents recovers under 35% of the features; 2× and 4× "
      "recover over 95%", recovered={n: s["recovered"] for n, s in sp.items()})
claim(max(sp[256]["duplicated"], sp[512]["duplicated"]) <= 0.1 * 128,
      "even with 4× the latents at most a tenth of the features get a second copy",
      duplicated={n: s["duplicated"] for n, s in sp.items()})
claim(sp[512]["dead"] > sp[256]["dead"] > sp[128]["dead"]
      and sp[512]["fires (other)"] < 0.5 * sp[512]["fires (copy)"],
      "the extra latents of bigger dictionaries mostly die, and the live ones that copy no "
      "feature fire under half as often as the copies",
      dead={n: s["dead"] for n, s in sp.items()}, fires=sp[512])
compare_numeric_prediction(my_duplicates_guess, sp[512]["duplicated"],
                           name="features with two or more copies at 512 latents",
                           why="these features are independent and equally common: once one "
                               "latent copies a feature, a second copy would only share its "
                               "examples, so top-k rarely selects it and it starves.")

# %% [markdown]
# Here nothing *splits*: these features are independent atoms, so a larger dictionary has
# nothing finer to find, and its extra latents starve. The feature splitting of Bricken et
# al. (2023) — one latent of a small dictionary becoming several related latents in a
# larger one — was seen in a language model, whose features have structure (families of
# related features, features that co-occur); independent features like these give it
# nothing to work with. Try it: `make_superposition(..., correlation=0.9)` makes features come in
# co-occurring pairs; compare how a 64-latent and a 256-latent dictionary match the pairs'
# sums `F[0::2] + F[1::2]` against the single features.

# %% [markdown]
# ## 6 · A real network, honestly
#
# Everything so far used data whose features we made. Now the real use: an SAE on the
# hidden layer of a trained network, where nobody knows the features. A small MLP
# (scikit-learn's `MLPClassifier`, 32 ReLU units) classifies 8×8 digits; we take its hidden
# activations and ask whether SAE latents are *more interpretable* than its neurons. With
# labels at hand, one crude measure is **class purity**: of a unit's 20 top-activating
# held-out digits, the share of the commonest class (`aelab.metrics.class_purity`). Two
# controls: random rotations of the neurons — the same information, in a basis nobody
# chose — and random *sparse* dictionaries — 128 random unit directions with the same top-4
# code as the SAE, nothing learnt — to tell what the SAE's training adds from what
# sparsity alone does.
#
# **Predict first.** Will the trained SAE's latents be purer than the random sparse
# dictionaries' by more than 0.05?

# %%
my_purity_prediction = None  # ✎ "yes" or "no"

# %%
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

digits_X, digits_y = load_digits(return_X_y=True)
Xd_train, Xd_test, yd_train, yd_test = train_test_split(
    digits_X / 16.0, digits_y, test_size=0.3, random_state=0, stratify=digits_y)
mlp = MLPClassifier(hidden_layer_sizes=(32,), max_iter=2000, random_state=0)
mlp.fit(Xd_train, yd_train)   # stops on its own tolerance (n_iter_ below max_iter)


def hidden(A):
    return np.maximum(A @ mlp.coefs_[0] + mlp.intercepts_[0], 0.0)


Hd_train, Hd_test = hidden(Xd_train), hidden(Xd_test)
mlp.n_iter_, mlp.score(Xd_test, yd_test), float(np.mean(Hd_test > 0))

# %%
rng_rot = np.random.default_rng(0)
sae_digits = aelab.TopKSAE(k=4, n_hidden=128, learning_rate=1e-2, batch_size=128, max_iter=300,
                           aux_k=32, aux_coef=0.25, dead_steps=20).fit(Hd_train)
Zd_test = sae_digits.transform(Hd_test)


def random_sparse_code(H, seed, n_latents=128, k=4):
    """Top-k of ReLU projections onto random unit directions (centred on the training mean)."""
    W = np.random.default_rng(seed).normal(size=(n_latents, H.shape[1]))
    Z = (H - Hd_train.mean(axis=0)) @ (W / np.linalg.norm(W, axis=1, keepdims=True)).T
    kth = np.sort(Z, axis=1)[:, -k][:, None]
    return np.where((Z >= kth) & (Z > 0), Z, 0.0)


purity = {"neurons": metrics.class_purity(Hd_test, yd_test),
          "rotations": [metrics.class_purity(Hd_test @ np.linalg.qr(
              rng_rot.normal(size=(32, 32)))[0], yd_test) for _ in range(20)],
          "random sparse": [metrics.class_purity(random_sparse_code(Hd_test, s), yd_test)
                            for s in range(3)],
          "SAE latents": metrics.class_purity(Zd_test, yd_test)}
mean_p = {name: (float(np.mean([q.mean() for q in p])) if isinstance(p, list)
                 else float(p.mean())) for name, p in purity.items()}
best = {name: float(max(q.mean() for q in p)) for name, p in purity.items()
        if isinstance(p, list)}
print("SAE:", sae_digits.stop_reason_, sae_digits.n_iter_, "epochs; NMSE",
      round(metrics.normalized_mse(Hd_test, sae_digits.inverse_transform(Zd_test)), 3),
      "; units judged: neurons 32, SAE", len(purity["SAE latents"]))
{"mean": {k: round(v, 3) for k, v in mean_p.items()}, "best draw": best}

# %%
fig, ax = plt.subplots(figsize=(6, 3))
groups = {name: (np.concatenate(p) if isinstance(p, list) else p) for name, p in purity.items()}
ax.boxplot(list(groups.values()), showmeans=True)
ax.set_xticks(range(1, len(groups) + 1),
              ["neurons", "20 rotations", "3 random\nsparse dicts", "SAE latents"], fontsize=8)
ax.set(ylabel="class purity of the top 20", ylim=(0, 1.05),
       title="Neurons, rotations, random sparse codes and SAE latents (MLP on digits)")
fig.tight_layout()

# %%
claim(sae_digits.converged_, "the SAE on the MLP's hidden layer trained to convergence",
      stop_reason=sae_digits.stop_reason_, epochs=sae_digits.n_iter_)
claim(float(np.mean(Hd_test > 0)) > 0.5,
      "over half of the MLP's neurons are on for a typical digit: a dense code, not a sparse "
      "one in superposition", fraction_on=float(np.mean(Hd_test > 0)))
claim(abs(mean_p["neurons"] - mean_p["rotations"]) < 0.05,
      "the neurons are about as pure as random rotations of them (within 0.05 of their mean): "
      "this MLP's basis is not privileged", purity=mean_p)
claim(mean_p["SAE latents"] > mean_p["neurons"] + 0.05
      and mean_p["SAE latents"] < best["random sparse"] + 0.05,
      "the SAE latents are purer than the neurons, but no purer than a random sparse "
      "dictionary (within 0.05 of its best draw): sparsity, not learning, makes the "
      "difference", purity=mean_p, best=best)
compare_prediction(my_purity_prediction,
                   "yes" if mean_p["SAE latents"] > best["random sparse"] + 0.05 else "no",
                   choices=("yes", "no"),
                   why="a sparse code's units fire on few examples, and a unit's top 20 then "
                       "tend to be alike whatever its direction: purity rewards sparsity. The "
                       "SAE has nothing more to find here, because this small MLP's code is "
                       "dense and nothing forces it to superpose features.")

# %% [markdown]
# This is the honest result here: the SAE's latents look purer than the neurons, but a
# random sparse code looks just as pure, so the measure credits sparsity, not discovered
# features — and this network's dense code gives the SAE nothing in superposition to
# resolve.

# %% [markdown]
# What would it take to see more? A network that is **forced into superposition**, with its
# features known. Elhage et al.'s toy model is one: x̂ = ReLU(Wᵀ W x + b), a tied
# autoencoder (aelab's also has a hidden bias) with a linear hidden layer narrower than
# its input, trained on sparse
# features x (here 64 features, each on with probability 0.03, in a hidden layer of 16).
# If it superposes its features, feature i lives in the hidden layer as the direction Wᵢ
# (column i of W), and we can ask of the neurons and of an SAE on the hidden layer how well
# they line up with those directions — MMCS again.

# %%
def sparse_features(m, seed, n=64, p=0.03):
    r = np.random.default_rng(seed)
    return np.where(r.random((m, n)) < p, r.random((m, n)), 0.0)


S_toy, S_toy_test = sparse_features(10_000, 1), sparse_features(3_000, 2)
with aelab.fixed_budget("40 epochs: enough for the toy to store its features (checked below)"):
    toy = aelab.Autoencoder(n_hidden=16, activation="linear", output_activation="relu",
                            tied=True, optimizer="adam", learning_rate=1e-2, batch_size=256,
                            max_iter=40).fit(S_toy)
    H_toy = toy.transform(S_toy)
    sae_toy = aelab.TopKSAE(k=2, n_hidden=128, max_iter=20, n_iter_no_change=None).fit(H_toy)
toy_dirs = toy.params_["W1"].T                 # (64, 16): feature i's hidden direction
stored = np.linalg.norm(toy_dirs, axis=1) > 0.5
rot16 = np.linalg.qr(np.random.default_rng(1).normal(size=(16, 16)))[0]
toy_mmcs = {"neurons": metrics.mean_max_cosine_similarity(toy_dirs[stored], np.eye(16)),
            "a rotation": metrics.mean_max_cosine_similarity(toy_dirs[stored], rot16),
            "SAE latents": metrics.mean_max_cosine_similarity(toy_dirs[stored],
                                                              sae_toy.params_["W2"].T)}
int(stored.sum()), toy_mmcs

# %%
claim(stored.sum() >= 48, "the toy model stores at least three quarters of its 64 features "
      "in its 16 hidden units (‖Wᵢ‖ > 0.5): it is in superposition", stored=int(stored.sum()))
claim(toy_mmcs["SAE latents"] > 0.95 and max(toy_mmcs["neurons"], toy_mmcs["a rotation"]) < 0.7,
      "there the SAE latents line up with the stored features (MMCS above 0.95) and neither "
      "the neurons nor a rotation of them does (below 0.7)", mmcs=toy_mmcs)

# %% [markdown]
# In a network forced into superposition the microscope works, and by a wide margin; in the
# small MLP above there was nothing for it to resolve. Two more things would help on real
# networks: **larger models on richer data** — Bricken et al. (2023), on the 512-neuron MLP
# layer of a one-layer transformer, found thousands of features that human raters scored as
# more interpretable than the neurons, and saw features split into finer ones as the
# dictionary grew — and **better judges** than class purity: whether a latent's top examples
# share a human-describable property, and whether editing the latent changes the network's
# output as that property predicts.

# %% [markdown]
# ## 7 · Back to the course
#
# | | notebook 02 (UFLDL) | notebook 05 (k-sparse) | this notebook (top-k SAE) |
# | --- | --- | --- | --- |
# | sparsity by | a KL penalty on mean activations ρ̂ⱼ | keeping the k largest | keeping the k largest |
# | units | sigmoid | linear | ReLU |
# | decoder | untied, weight decay | tied | untied, unit-norm columns |
# | judged by | filters that look like edges | a linear probe | recovery of known features |
#
# The maths is one idea — a code made sparse, a dictionary learned to reconstruct from it.
# Notebook 02's KL penalty pulls each unit's *mean* activation to ρ: sparsity over the data
# set, made by a penalty (so, like L1 here, it shrinks). Notebook 05's k-sparse selection
# makes each *example's* code sparse by keeping its k largest units, with no penalty —
# exactly top-k here, where only the units (ReLU), the decoder (unit-norm columns) and the
# dead-latent fix (AuxK) are new. Gao et al. cite Makhzani and Frey for top-k; the L1 SAE is
# notebook 03's ℓ1 sparsity form with ρ = 0. What changed is the question asked of the code:
# not "does it help a classifier?" but "are these the features the data were made of?".
#
# Honest limits of this notebook: the features here are truly sparse, linear and known. In a
# real network none of that is guaranteed, and a sparse code that reconstructs well can still
# split or merge features; judging it then needs other evidence than MMCS.

# %% [markdown]
# ## 8 · The live panel
#
# The panel retrains a sparse autoencoder on section 2's data while you watch: the k slider
# sets how many latents top-k keeps, and the switch trades top-k for L1 (β = 0.15). The
# **recovery** view sets the true features (rows) against the decoder columns (each feature's
# best latent first): a recovered dictionary draws a dark diagonal, and the title gives
# MMCS. The **firing-frequency** view sorts the latents by how often they fire on 1 000
# held-out examples; the dead ones lie on the floor. Things to try: k = 1 and k = 16 (the
# frontier's two ends); L1, then back to top-k; and watch the dead latents while k changes.
# A move of k continues from the current dictionary for 4 epochs; **reset** trains afresh
# for 8. The challenge beside the panel asks you to make recovery fail with k alone.

# %%
import copy

import ipywidgets

from aelab.explorer.sae import SAEModeSwitch, recovery_fails
from aelab.explorer.views.sae import sae_views

sae_names = sae_views(test.features, test.X[:1000])
# Section 2's top-k model, shown as it is; a move of a control retrains it, warm-started from
# there for 4 epochs.
panel = aelab.Explorer(copy.deepcopy(topk), train.X, dataset="superposition",
                       controls=("k", "reset"), views=sae_names + ("loss",), holdout=0.0,
                       warm_max_iter=4, challenges=[recovery_fails(test.features)])
switch = SAEModeSwitch(panel, beta=0.15, l1_learning_rate=1e-2)
panel.wait()
shown = {"top-k": dict(panel._views["sae_recovery"].last)}
switch.widget.value = "L1"
panel.wait()
shown["L1"] = dict(panel._views["sae_recovery"].last)
shown["L1"]["dead"] = panel._views["sae_dead"].last["dead"]
switch.widget.value = "top-k"   # leave it in top-k mode for you
claim(shown["top-k"]["mmcs"] > 0.9 and shown["L1"]["mmcs"] > 0.9,
      "the panel's recovery view shows both models recovering (MMCS above 0.9)",
      shown=shown)

ipywidgets.VBox([switch.widget, panel.widget])

# %% [markdown]
# ## Summary
#
# * Sparse features can be stored in superposition cheaply; the readout's interference grows
#   with how often features co-occur.
# * Top-k and L1 sparse autoencoders with unit-norm decoder columns both recover the true
#   features here; L1 shrinks the activations (γ < 1) and reconstructs worse, top-k does not.
# * Along the L0–NMSE frontier top-k lies below L1; but the lowest error is not the best
#   dictionary: with k above the number of features on, recovery falls apart.
# * At 8× superposition top-k still recovers; L1 gets close only with a larger β, more
#   epochs and a much larger error. Recovery breaks with too few dimensions (d = 8 here) or
#   too many features on at once (p = 0.1).
# * Dead latents waste the dictionary; AuxK gives them a gradient and brings most back.
# * A dictionary larger than the truth does not split independent features: its extra
#   latents die or fire rarely. Splitting needs structured features.
# * On a small MLP's dense hidden layer the SAE's latents are purer than the neurons but no
#   purer than a random sparse code: there is no superposition there to undo. On a toy model
#   forced into superposition the SAE finds its features and the neurons do not.
#
# ## Reading list
#
# * Olshausen & Field (1996), *Emergence of simple-cell receptive field properties by
#   learning a sparse code for natural images* — sparse coding, the ancestor of it all.
# * Elhage et al. (2022), *Toy Models of Superposition* — when and how small networks store
#   more features than dimensions.
# * Sharkey, Braun & Millidge (2022), *Taking features out of superposition with sparse
#   autoencoders* (interim report, Conjecture) — L1 SAEs recover the known features of
#   synthetic activations, judged by MMCS as here, with dead latents and larger
#   dictionaries at the same penalty.
# * Bricken et al. (2023), *Towards Monosemanticity* — L1 SAEs on a one-layer transformer's
#   MLP layer; features rated more interpretable than neurons; feature splitting; resampling
#   dead latents.
# * Gao et al. (2024), *Scaling and evaluating sparse autoencoders* — top-k SAEs, AuxK, NMSE.
# * Rajamanoharan et al. (2024), *Improving dictionary learning with gated sparse
#   autoencoders* — the L1 penalty only on a gate that selects latents, not on their
#   magnitudes, against shrinkage — and *Jumping ahead: JumpReLU SAEs* — a thresholded
#   ReLU trained with straight-through estimators on L0 directly instead of L1.
# * Makhzani & Frey (2013), *k-Sparse Autoencoders* — notebook 05.
