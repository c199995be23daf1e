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
# # 07 · Stacked autoencoders and unsupervised pretraining
#
# Between 2006 and about 2012, a common way to train a deep network was to *not* train it as a
# deep network at first. You trained an autoencoder on the raw data, then a second
# autoencoder on the codes of the first, and so on up; only then did you put a classifier on
# top and train the whole stack on the labels. This **greedy layer-wise pretraining** (Hinton,
# Osindero and Teh 2006 with restricted Boltzmann machines; Bengio et al. 2007 with
# autoencoders) made deep networks trainable at the time — and a few years later it was
# dropped almost everywhere.
#
# This notebook builds the recipe with `aelab.StackedAutoencoder`, measures what pretraining
# buys, and separates the two explanations that were offered for it.
#
# **After this notebook you can**
#
# 1. draw a stacked autoencoder and say what each of the four training stages sees;
# 2. read a stack's reconstruction errors and spot a layer that has learned nothing;
# 3. run the controlled experiment — the same network, pretrained or not, from the same
#    random weights — and read accuracy against the number of labels, with error bars;
# 4. tell the *optimisation* effect of pretraining from its *regularisation* effect, with
#    your own measurements, and say which fixes made pretraining unnecessary.
#
# Exercises are marked **✎ Exercise**; predictions are marked **✎ Predict** — write yours
# down before running the experiment.

# %%
import copy

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

import aelab
from aelab.claims import claim
from aelab.datasets import load_digits
from aelab.exercises import compare_numeric_prediction, compare_prediction
from aelab.exercises.nb07 import (check_collapse, check_pixel_baseline, check_shrink_factor,
                                  check_stack_codes)
from aelab.fewlabels import cv_probe_accuracy, hide_labels

# One BLAS thread: every product here is small (64 pixels, at most 1 297 rows); on a shared
# or one-core machine a second thread mostly waits for a core.
threadpool_limits(limits=1, user_api="blas")
np.set_printoptions(precision=3, suppress=True)
BLUE, ORANGE, GREY = "#0072B2", "#E69F00", "#7f7f7f"   # Okabe–Ito: colour-blind safe

# %% [markdown]
# ## 1 · The recipe
#
# A stacked autoencoder is an ordinary feed-forward classifier whose hidden layers were each
# trained, before any label was used, as the encoder of an autoencoder. The network of this
# notebook, for 8×8 digit images:
#
# ```
#                      class scores (10)          ◀── stage 3: softmax on frozen codes h₂
#                            ▲  W_s (10 × 32)           (labelled images only)
#     h₂ (32 sigmoid units)  ◀── stage 2: autoencoder h₁ → h₂ → ĥ₁, trained on the
#                            ▲  W₁ (32 × 64)            codes h₁ of every image
#     h₁ (64 sigmoid units)  ◀── stage 1: autoencoder x → h₁ → x̂, trained on every image
#                            ▲  W₀ (64 × 64)
#     x  (64 pixels)
#
#     stage 4, fine-tuning: backpropagate the classification error through W_s, W₁ and W₀
#     together, on the labelled images.
# ```
#
# Stages 1 and 2 are *unsupervised* and *greedy*: each layer is trained alone, to reconstruct
# the layer below it, and is then frozen while the next one trains. Each autoencoder's decoder
# is thrown away; only its encoder joins the stack. Every layer is the sparse autoencoder of
# notebook 02 (KL sparsity ρ = 0.1, β = 3, weight decay λ = 1e-4). Stages 3 and 4 use only
# the labelled images.
#
# The point of the recipe is the situation it was built for: **plenty of unlabelled data and
# few labels.**

# %% [markdown]
# ## 2 · The data: 1 797 digits, most of them unlabelled
#
# scikit-learn's 8×8 digits (pixels scaled to [0, 1]) are small enough for full-batch L-BFGS
# in seconds. We hold out 500 images for testing and keep a *pool* of 1 297 for training, of
# which we pretend to know the labels of only a few: 20 per digit, 200 in all.
# `aelab.fewlabels.hide_labels` draws them, class-balanced, and writes −1 for every hidden
# label (scikit-learn's convention for semi-supervised learning); `StackedAutoencoder.fit`
# uses those rows for pretraining and nowhere else.

# %%
X, y = load_digits()
X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=500, random_state=0,
                                                  stratify=y)
y_few = hide_labels(y_pool, 200, seed=0)
labelled = y_few >= 0
print(f"pool {X_pool.shape}, test {X_test.shape}; labelled in the pool: {labelled.sum()}, "
      f"per digit: {np.bincount(y_few[labelled])}")

fig, ax = plt.subplots(figsize=(7, 1.4))
aelab.plot_filters(X_pool[:20], n_cols=20, normalize="none", ax=ax,
                   title="the first 20 pool images (labels: "
                   + " ".join("?" if v < 0 else str(v) for v in y_few[:20]) + ")")
plt.tight_layout()

# %% [markdown]
# ## 3 · Pretrain the stack — once
#
# `aelab.StackedAutoencoder((64, 32))` runs all four stages in one `fit(X, y)`. Pretraining
# uses no labels, so we run it once, with `fit(X_pool)`, and reuse it for every label set
# below through `fit_supervised(X, y)`, which runs only stages 3–4. With `pretrain=False` the
# library skips stages 1–2 and starts the supervised stages from **the very random weights
# pretraining started from**, so the two models differ in one thing only.
#
# *Budget, announced.* Each layer gets the recipe's budget, UFLDL's 400 L-BFGS iterations,
# not a run to convergence: pretraining is an initialisation, and the recipe stops it on a
# budget. The pretraining cell therefore trains inside `aelab.fixed_budget`.

# %%
SUPERVISED = dict(softmax_iter=1000, finetune_iter=500)   # stage 3 converges; stage 4: below
with aelab.fixed_budget("the recipe's 400 L-BFGS iterations per pretrained layer"):
    pre = aelab.StackedAutoencoder((64, 32), pretrain_iter=400, **SUPERVISED).fit(X_pool)
# the random start: the encoders before any training (no supervised iteration either)
start = aelab.StackedAutoencoder((64, 32), pretrain=False, softmax_iter=0,
                                 finetune_iter=0).fit(X_pool, y_few)

for i, e in enumerate(pre.reconstruction_errors_):
    print(f"layer {i + 1}: initial {e['initial']:.3f}  pretrained {e['pretrained']:.3f}  "
          f"mean {e['mean']:.3f}  ->  pretrained/mean = {e['pretrained'] / e['mean']:.3f}")

# %% [markdown]
# ### What pretraining did
#
# Each layer's autoencoder reports three reconstruction errors (1/m) Σ ½‖x̂ − x‖² on its own
# input: with its random initial weights, after pretraining, and for the "do nothing"
# reconstruction that outputs the average input every time. A layer that learned something
# must beat the average by a wide margin.

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), width_ratios=[1.2, 1])
for i, (curve, colour) in enumerate(zip(pre.pretrain_loss_curves_, (BLUE, ORANGE))):
    axes[0].plot(np.arange(1, len(curve) + 1), curve, color=colour,
                 label=f"layer {i + 1}: {pre.hidden_layers[i]} units")
axes[0].set(title="pretraining objective of each layer (budget: 400)",
            xlabel="L-BFGS iteration", ylabel="J (log scale)", yscale="log")
axes[0].legend()
errors = pre.reconstruction_errors_
names = {"initial": "random weights", "pretrained": "pretrained", "mean": "output the mean input"}
for j, (kind, colour) in enumerate(zip(names, (GREY, BLUE, ORANGE))):
    axes[1].bar(np.arange(len(errors)) + (j - 1) * 0.27, [e[kind] for e in errors], 0.27,
                color=colour, label=names[kind])
axes[1].set(xticks=range(len(errors)), yscale="log", ylabel="(1/m) Σ ½‖x̂ − x‖² (log scale)",
            xticklabels=["layer 1 (x → h₁ → x̂)", "layer 2 (h₁ → h₂ → ĥ₁)"],
            title="reconstruction error of each layer's autoencoder")
axes[1].legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=8)
plt.tight_layout()

ratios = [e["pretrained"] / e["mean"] for e in errors]
claim(max(ratios) < 0.2, "both layers reconstruct their input more than five times better "
      "than the average input does", ratios=ratios)
claim(errors[1]["mean"] < errors[0]["mean"], "the second layer's input varies less than the "
      "pixels (a smaller 'mean' bar)", mean_errors=[e["mean"] for e in errors])

# %% [markdown]
# Both layers learned a code that carries most of what is in the layer below. The first
# layer's weights can be looked at as images, one 8×8 tile per hidden unit, as in notebook 02:
# on the left the random weights both models start from, on the right what pretraining made
# of them. Two numbers say what the eye sees: the share of a tile's energy (squared weights)
# inside its strongest 4×4 window (`aelab.filters.window_energy`; a random tile scores a
# little above 16/64), and the share on the 16 pixels that vary least across the images —
# the always-blank border.

# %%
from aelab.filters import window_energy

W_start, W_pre = start.params_["layer0.W1"], pre.params_["layer0.W1"]
blank = np.argsort(X_pool.var(axis=0))[:16]


def tile_stats(W):
    """Median 4×4-window energy share, and mean energy share on the 16 blank pixels."""
    E = W ** 2 / np.sum(W ** 2, axis=1, keepdims=True)
    return float(np.median(window_energy(W, (8, 8), 4))), float(E[:, blank].sum(1).mean())


fig, axes = plt.subplots(1, 2, figsize=(10, 5))
for ax, W, name in ((axes[0], W_start, "at its random start"),
                    (axes[1], W_pre, "after pretraining")):
    win, border = tile_stats(W)
    aelab.plot_filters(W, ax=ax, title=f"layer 1 {name}\n4×4 window {win:.0%}, "
                                       f"blank pixels {border:.1%} of the energy")
plt.tight_layout()
(win_s, border_s), (win_p, border_p) = tile_stats(W_start), tile_stats(W_pre)
claim(win_p > win_s + 0.1 and border_p < 0.02 < 0.15 < border_s,
      "pretrained tiles concentrate on a part of the image and ignore the blank border; "
      "random tiles do neither", window=(win_s, win_p), border=(border_s, border_p))

# %% [markdown]
# The pretrained units respond to parts of digits and spend almost nothing on pixels that
# never change, where the random start spreads its weights everywhere. Nothing about digit
# *classes* went into them.
#
# **✎ Exercise 1 — the forward pass of the stack.** `transform` returns the top code h₂.
# Write `stack_codes(params, X)`, which computes it from a parameter dict (keys `layer0.W1`,
# `layer0.b1`, `layer1.W1`, `layer1.b1`, …; as in `aelab`, the examples are the rows of X and
# `layerℓ.W1` has one row per unit of layer ℓ), for any number of layers.

# %% nbgrader={"grade": false, "grade_id": "answer_stack_codes", "locked": false, "schema_version": 3, "solution": true, "task": false}
def stack_codes(params, X):
    """Top-level codes of a sigmoid encoder stack: shape (m, size of the last layer)."""
    # BEGIN SOLUTION
    A = X
    i = 0
    while f"layer{i}.W1" in params:
        A = 1.0 / (1.0 + np.exp(-(A @ params[f"layer{i}.W1"].T + params[f"layer{i}.b1"])))
        i += 1
    return A
    # END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_stack_codes", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_stack_codes(stack_codes, pre, X_test[:50]).assert_ok()

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# ## 4 · Pretrained against random, on 200 labels
#
# Now the experiment. Both models run stage 3 (the softmax alone on frozen codes, to
# convergence) and stage 4 (fine-tuning everything). Stage 4 never reaches the library's
# gradient tolerance in a reasonable time, so it runs on an **announced budget of 500
# L-BFGS iterations**, and the cell measures how flat J and the test accuracy are at the end. A callback
# records the test accuracy after every supervised iteration.
#
# **✎ Predict.** After fine-tuning on 200 labels, how does the pretrained network's test
# accuracy compare with the random start's? Set `my_prediction` to `"pretrained ahead"`,
# `"level"` (within one point) or `"random ahead"`.

# %%
my_prediction = None   # ✎ "pretrained ahead", "level" or "random ahead"


class Recorder:
    """fit() callback: test accuracy after every iteration of the two supervised stages."""

    def __init__(self):
        self.softmax, self.finetune = [], []

    def __call__(self, progress):
        model = progress.model
        if isinstance(model, aelab.StackedAutoencoder):          # not a pretraining layer
            stage = self.finetune if model.loss_curve_ else self.softmax
            stage.append(model.score(X_test, y_test))
        return False                                               # never stop training


def fit_both(y_labels, callbacks=(None, None)):
    """The pretrained stack and the random start, fine-tuned on y_labels at the budget."""
    with aelab.fixed_budget("fine-tuning runs 500 iterations; the flat end is measured"):
        p = copy.deepcopy(pre).fit_supervised(X_pool, y_labels, callback=callbacks[0])
        r = aelab.StackedAutoencoder((64, 32), pretrain=False, **SUPERVISED).fit(
            X_pool, y_labels, callback=callbacks[1])
    return p, r


rec_pre, rec_rnd = Recorder(), Recorder()
pre200, rnd200 = fit_both(y_few, (rec_pre, rec_rnd))
for name, m in (("pretrained", pre200), ("random start", rnd200)):
    J = m.loss_curve_
    print(f"{name:>12}: softmax stage {len(m.softmax_loss_curve_)} iterations; fine-tuning J "
          f"{J[249]:.4f} after 250, {J[-1]:.4f} after {len(J)}; test accuracy "
          f"{m.score(X_test, y_test):.3f}")
claim(all(len(m.softmax_loss_curve_) < SUPERVISED["softmax_iter"] for m in (pre200, rnd200)),
      "the softmax stage converged before its limit", iterations=[len(m.softmax_loss_curve_)
                                                               for m in (pre200, rnd200)])
drift = max(1 - m.loss_curve_[-1] / m.loss_curve_[249] for m in (pre200, rnd200))
moved = max(abs(rec.finetune[-1] - rec.finetune[249]) for rec in (rec_pre, rec_rnd))
claim(drift < 0.03 and moved <= 0.01, "over the last 250 of the 500 fine-tuning iterations J "
      "falls by less than 3 % and the test accuracy moves by at most a point: the budget ends "
      "on a plateau", relative_drop=drift, accuracy_change=moved)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True, width_ratios=[1, 2])
for rec, name, colour in ((rec_pre, "pretrained", BLUE), (rec_rnd, "random start", ORANGE)):
    axes[0].plot(np.arange(1, len(rec.softmax) + 1), rec.softmax, color=colour, label=name)
    axes[1].plot(np.arange(1, len(rec.finetune) + 1), rec.finetune, color=colour, label=name)
axes[0].set(title="stage 3: softmax on frozen codes", xlabel="L-BFGS iteration",
            ylabel="test accuracy (fraction correct)", ylim=(0.6, 1.0))
axes[1].set(title="stage 4: fine-tuning everything (budget: 500)", xlabel="L-BFGS iteration",
            xscale="log")
axes[1].legend(loc="lower right")
fig.suptitle("200 labels: test accuracy through the supervised stages (same y axis)")
plt.tight_layout()

gap = pre200.score(X_test, y_test) - rnd200.score(X_test, y_test)
outcome = "level" if abs(gap) <= 0.01 else ("pretrained ahead" if gap > 0 else "random ahead")
compare_prediction(my_prediction, outcome, choices=("pretrained ahead", "level", "random ahead"),
                   why=f"after fine-tuning the difference is {100 * gap:+.1f} points: from the "
                       "same start, backpropagation on 200 labels finds an about equally "
                       "good two-layer network either way")

# %% [markdown]
# Is any of this worth the trouble? A classifier that needs no autoencoder at all is the
# "do nothing" baseline to beat, and it must be judged by **the same classifier** as the
# frozen codes. Every frozen representation in this notebook — pixels, random codes,
# pretrained codes — goes through one probe, `aelab.fewlabels.cv_probe_accuracy`: a
# logistic regression on standardised features whose C is chosen by cross-validation on the
# labelled training rows only.
#
# **✎ Exercise 2 — the raw-pixel baseline.** Compute `acc_pixels`, the probe's test
# accuracy with the *pixels* of the 200 labelled pool images as features.

# %% nbgrader={"grade": false, "grade_id": "answer_acc_pixels", "locked": false, "schema_version": 3, "solution": true, "task": false}
# BEGIN SOLUTION
acc_pixels = cv_probe_accuracy(X_pool[labelled], y_few[labelled], X_test, y_test)
# END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_pixel_baseline", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_pixel_baseline(acc_pixels, X_pool, y_pool, y_few, X_test, y_test).assert_ok()

# %% [markdown]
# Now the whole comparison in one table. The *frozen* column uses the probe for every row;
# the fine-tuned columns are the networks' own softmax after 50 and after 500 iterations.

# %%
frozen = {"pretrained": cv_probe_accuracy(pre.transform(X_pool[labelled]), y_pool[labelled],
                                          pre.transform(X_test), y_test),
          "random start": cv_probe_accuracy(start.transform(X_pool[labelled]), y_pool[labelled],
                                            start.transform(X_test), y_test),
          "raw pixels": acc_pixels}
print(f"{'200 labels':>14}   frozen (probe)   50 fine-tuning its   500 fine-tuning its")
for name, rec in (("pretrained", rec_pre), ("random start", rec_rnd), ("raw pixels", None)):
    tuned = (f"{rec.finetune[49]:.3f}{'':15}{rec.finetune[-1]:.3f}" if rec else "")
    print(f"{name:>14}      {frozen[name]:.3f}{'':13}{tuned}")
claim(frozen["pretrained"] > frozen["random start"] + 0.03, "with frozen features, the "
      "pretrained codes beat the random codes by more than 3 points", **frozen)
claim(abs(frozen["pretrained"] - frozen["raw pixels"]) < 0.015, "the probe on the pixels "
      "comes within about a point of the pretrained codes", **frozen)
claim(rec_pre.finetune[49] > rec_rnd.finetune[49] + 0.01, "after 50 fine-tuning iterations "
      "the pretrained network is still ahead", pretrained=rec_pre.finetune[49],
      random=rec_rnd.finetune[49])
claim(abs(rec_pre.finetune[-1] - rec_rnd.finetune[-1]) <= 0.01, "after 500 iterations the "
      "two end within about a point of each other", pretrained=rec_pre.finetune[-1],
      random=rec_rnd.finetune[-1])

# %% [markdown]
# Read it from left to right.
#
# * **Frozen features**: on the pretrained codes, 200 labels go much further than on the
#   random codes — but the tuned probe on the raw pixels comes within about a point. At 200
#   labels the "do nothing" baseline is hard to beat on these digits.
# * **Short fine-tuning** (a budget, on purpose): after 50 iterations the pretrained network
#   is still ahead; the random one is still adapting its bottom layers.
# * **Long fine-tuning** (500 iterations, on the plateau): the two end within about a point
#   of each other. On this shallow network, from its scaled random start, backpropagation
#   finds an about equally good solution; the head start is gone.
#
# One label draw can mislead. The next two sections repeat the comparison over three draws
# and many label counts: first with frozen features (cheap), then with fine-tuning.

# %% [markdown]
# ## 5 · Frozen features: how many labels?
#
# The panel below keeps the encoders fixed — the pretrained ones, the random ones, or none
# (pixels) — and fits only the probe on the top codes of the labelled images, for as many
# labels as you choose (at least 2 per digit, for the cross-validation). It refits in a
# fraction of a second.
#
# > A blank panel means you are reading a static copy: run the notebook to get live widgets.

# %%
FEATURES = {"pretrained codes h₂": (pre.transform(X_pool), pre.transform(X_test)),
            "random codes h₂": (start.transform(X_pool), start.transform(X_test)),
            "raw pixels": (X_pool, X_test)}
COLORS = dict(zip(FEATURES, (BLUE, ORANGE, GREY)))


def frozen_accuracies(n_labels, seed=0):
    lab = hide_labels(y_pool, n_labels, seed) >= 0
    return {name: cv_probe_accuracy(F[lab], y_pool[lab], F_test, y_test)
            for name, (F, F_test) in FEATURES.items()}


def bars_html(accs, n_labels):
    rows = "".join(
        f"<tr><td style='padding-right:8px'>{name}</td><td><div style='width:{300 * a:.0f}px;"
        f"background:{COLORS[name]};color:black;padding-left:4px'>{a:.3f}</div></td></tr>"
        for name, a in accs.items())
    return f"<b>test accuracy, cross-validated probe on {n_labels} labels</b><table>{rows}</table>"


labels_slider = widgets.IntSlider(value=200, min=20, max=1000, step=10,
                                  description="labels", continuous_update=False)
bars = widgets.HTML()


def on_labels(change):
    bars.value = bars_html(frozen_accuracies(change["new"]), change["new"])


labels_slider.observe(on_labels, names="value")
on_labels({"new": labels_slider.value})
widgets.VBox([labels_slider, bars])

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# **✎ Predict.** The sweep below repeats this for 20 to 1 000 labels, five label draws each.
# As the labels grow from 20 to 1 000, what happens to the advantage of the pretrained codes
# over the pixels? Set `my_prediction` to `"grows"`, `"stays"` or `"shrinks"`.

# %%
my_prediction = None   # ✎ "grows", "stays" or "shrinks"

label_counts = [20, 50, 200, 1000]
runs = [[frozen_accuracies(n, seed) for seed in range(5)] for n in label_counts]
sweep = {name: np.array([[r[name] for r in row] for row in runs]) for name in FEATURES}

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for name, acc in sweep.items():
    ax.errorbar(label_counts, acc.mean(1), yerr=acc.std(1), fmt="o-", capsize=3,
                color=COLORS[name], label=name)
ax.set(xscale="log", xlabel="labelled images (log scale)", ylabel="test accuracy",
       title="frozen features + cross-validated probe (mean ± sd, 5 label draws)")
ax.set_xticks(label_counts, [str(n) for n in label_counts])
ax.set_ylim(0.6, 1.0)   # the same scale as the fine-tuned sweep of section 6
ax.minorticks_off()
ax.legend(loc="lower right")
plt.tight_layout()
gain = sweep["pretrained codes h₂"] - sweep["raw pixels"]          # paired: same draws
for n, g in zip(label_counts, gain):
    print(f"{n:5d} labels: gain of pretrained codes over pixels {g.mean():+.3f} ± {g.std():.3f}")
change = gain[-1].mean() - gain[0].mean()
outcome = "grows" if change > 0.01 else ("shrinks" if change < -0.01 else "stays")
compare_prediction(my_prediction, outcome, choices=("grows", "stays", "shrinks"),
                   why="with few labels the probe can only use directions that already separate "
                       "the digits; pretraining found such directions in the unlabelled images, "
                       "and with many labels the pixels' own directions suffice")
se = gain.std(1) / np.sqrt(gain.shape[1])
claim(np.argmax(gain.mean(1)) == 0 and gain[0].mean() > max(0.02, 2 * se[0]), "the "
      "pretrained codes' advantage over the pixels is largest, and clear, with the fewest labels",
      gain_mean=gain.mean(1), standard_error=se)
claim(np.all(np.abs(gain[2:].mean(1)) < 0.01), "from 200 labels on, pretrained codes and pixels "
      "are within a point of each other", gain_mean=gain[2:].mean(1))
behind = sweep["pretrained codes h₂"].mean(1) - sweep["random codes h₂"].mean(1)
claim(np.all(behind > 0), "the random codes stay behind the pretrained ones at every count",
      pretrained_minus_random=behind)

# %% [markdown]
# With 20 labels — two per digit — the probe on the pretrained codes is several points
# better than on the pixels; from 200 labels on the two are level, and the random codes stay
# behind throughout: a random sigmoid layer mixes the pixels but knows nothing about digits.
# What pretraining adds is information from the unlabelled images, and it counts most where
# the labels carry the least.

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# ## 6 · Fine-tuned: how many labels?
#
# Frozen features are only half the story: in the recipe the whole network is fine-tuned.
# Paine, Khorrami, Han and Huang (2014, "An analysis of unsupervised pre-training in light of
# recent advances") asked whether pretraining still helps convolutional networks trained
# with ReLUs, dropout and data augmentation. On CIFAR-10, varying the ratio of unlabelled to
# labelled examples, they found that it helps when that ratio is high — few labels — and
# hurts when it is low; STL-10 confirmed it.
#
# Our experiment is far smaller (two sigmoid layers, 8×8 digits) but can test the shape of
# that claim: fine-tune both starts on 20, 100 and 500 labels, three label draws each, at the
# same announced 500-iteration budget as above. The encoders' random start is the same in
# every run (seed 0), so the error bars show the spread over label draws.
#
# **✎ Predict.** After fine-tuning, where is the gain from pretraining largest? Set
# `my_prediction` to `"fewest labels"`, `"alike"` or `"most labels"`.

# %%
my_prediction = None   # ✎ "fewest labels", "alike" or "most labels"

counts_ft = [20, 100, 500]
tuned = {"pretrained": np.zeros((3, 3)), "random start": np.zeros((3, 3))}
for i, n in enumerate(counts_ft):
    for seed in range(3):
        p, r = fit_both(hide_labels(y_pool, n, seed))
        tuned["pretrained"][i, seed] = p.score(X_test, y_test)
        tuned["random start"][i, seed] = r.score(X_test, y_test)

# %%
ft_gain = tuned["pretrained"] - tuned["random start"]      # paired: same draw, same start
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
for (name, acc), colour in zip(tuned.items(), (BLUE, ORANGE)):
    axes[0].errorbar(counts_ft, acc.mean(1), yerr=acc.std(1), fmt="o-", capsize=3,
                     color=colour, label=name + ", fine-tuned")
axes[0].set(xscale="log", xlabel="labelled images (log scale)", ylabel="test accuracy",
            title="after 500 fine-tuning iterations (mean ± sd, 3 draws)")
axes[0].legend(loc="lower right")
axes[1].errorbar(counts_ft, 100 * ft_gain.mean(1), yerr=100 * ft_gain.std(1), fmt="o-",
                 capsize=3, color=BLUE)
axes[1].axhline(0, color="k", lw=0.8)
axes[1].set(xscale="log", xlabel="labelled images (log scale)",
            ylabel="pretrained − random (accuracy points)",
            title="the gain from pretraining, paired by label draw")
for ax in axes:
    ax.set_xticks(counts_ft, [str(n) for n in counts_ft])
    ax.minorticks_off()
axes[0].set_ylim(0.6, 1.0)   # the same scale as the frozen sweep of section 5
plt.tight_layout()
for n, g in zip(counts_ft, ft_gain):
    print(f"{n:4d} labels: gain {100 * g.mean():+.1f} ± {100 * g.std():.1f} points")

outcome = ("fewest labels" if ft_gain[0].mean() > ft_gain[-1].mean() + 0.01 else
           "most labels" if ft_gain[-1].mean() > ft_gain[0].mean() + 0.01 else "alike")
compare_prediction(my_prediction, outcome, choices=("fewest labels", "alike", "most labels"),
                   why="fine-tuning on few labels stays near its starting point, so a start "
                       "fitted to the unlabelled images matters; with many labels the labels "
                       "alone determine a good network")
claim(ft_gain[0].min() > 0 and ft_gain[0].mean() > 0.02, "with 20 labels pretraining gains "
      "more than 2 points after fine-tuning, in every draw", gain_20=ft_gain[0])
claim(abs(ft_gain[-1].mean()) < 0.01, "with 500 labels the gain is below one point",
      gain_500=ft_gain[-1])

# %% [markdown]
# ## 7 · Why did pretraining help?
#
# Two explanations were on the table. As an **optimisation aid** (Bengio et al. 2007),
# pretraining would start a deep network where gradient descent can make progress at all.
# As a **regulariser**, it would restrict fine-tuning to networks whose features also
# describe the unlabelled inputs — a prior that pays when labels are few.
#
# Erhan, Bengio, Courville, Manzagol, Vincent and Bengio tested both ("Why does unsupervised
# pre-training help deep learning?", JMLR 2010). They concluded that pretraining guides
# learning towards basins of attraction of minima that generalise better, and that their
# evidence "supports a regularization explanation"; the optimisation account was the rival
# hypothesis (their online experiments, with a virtually unlimited stream of examples, added
# nuance to that picture). Our sweeps fit the regulariser: the gain is largest with the
# fewest labels.

# %% [markdown]
# ### Showing the optimisation effect
#
# An optimisation effect can still be shown — where its cause is present. One of the fixes
# listed in section 8 is initialisation scaled to the layer sizes. **Our random start already
# uses one**: with ε unset, every layer starts uniform on ±√(6/(n_in + n_out + 1)), UFLDL's
# Glorot-style rule. A fixed small scale ignores the layer sizes; ε = 0.01 is a common one
# (Hinton's practical guide to RBMs starts their weights at a standard deviation of about
# 0.01). So let's build a deeper stack — four sigmoid layers of 32 units, 64 → 32 → 32 → 32 → 32 → 10 — and give it
# both starts: the UFLDL rule, and Gaussian weights of standard deviation ε = 0.01.

# %% [markdown]
# **✎ Exercise 3 — why small weights stall a deep sigmoid stack (derivation).** Going down
# one hidden layer, backpropagation turns the error signal δ (a row vector, one entry per
# unit of the layer above) into the signal of the layer below (see `aelab/stacked.py`). At
# the small start, estimate the factor by which its norm shrinks per layer, for ε = 0.01 and
# 32 units per layer, and set `shrink` to that number. Work out what each factor of the
# backward step does to the norm at these weights. The cell after yours measures the real
# factor (one example at a time, so that no sum over examples hides it).

# %% nbgrader={"grade": false, "grade_id": "answer_shrink", "locked": false, "schema_version": 3, "solution": true, "task": false}
# BEGIN SOLUTION
shrink = 0.25 * 0.01 * np.sqrt(32)
# END SOLUTION
print(f"your estimate: the signal shrinks by a factor {shrink:.3g} per layer")

# %%
DEEP = (32, 32, 32, 32)


def error_signal_norms(model, rows):
    """Mean over examples of ‖δ_ℓ‖ = ‖∂J/∂b_ℓ‖ for every layer, one example at a time."""
    norms = []
    for i in rows:
        _, g = model.objective(X_pool[i:i + 1], y=y_pool[i:i + 1])
        norms.append([np.linalg.norm(g[f"layer{k}.b1"]) for k in range(len(DEEP))])
    return np.mean(norms, axis=0)


deep_start = {eps: aelab.StackedAutoencoder(DEEP, epsilon=eps, pretrain=False, softmax_iter=0,
                                            finetune_iter=0).fit(X_pool, y_few)
              for eps in (0.01, None)}
rows = np.flatnonzero(labelled)[:20]
per_layer = {}
for eps, model in deep_start.items():
    s = error_signal_norms(model, rows)
    per_layer[eps] = s[:-1] / s[1:]
    print(f"ε = {eps or 'UFLDL rule'}: ‖δ‖ of layers 1–4 = "
          + ", ".join(f"{v:.1e}" for v in s)
          + "; shrink per layer " + ", ".join(f"{v:.3f}" for v in per_layer[eps]))

# %% nbgrader={"grade": true, "grade_id": "check_shrink_factor", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_shrink_factor(shrink, epsilon=0.01, n_units=32,
                    measured=per_layer[0.01].mean()).assert_ok()

# %% [markdown]
# At ε = 0.01 the signal shrinks by a factor of about 70 per layer, so after three
# hidden-to-hidden steps the bottom layer's signal is a few millionths of the top one's. The
# UFLDL start loses a factor of about 4 per layer: much less, though each sigmoid still
# multiplies the signal by its slope, at most ¼.

# %%
factor = {eps: 1 / per_layer[eps].mean() for eps in per_layer}
claim(50 < factor[0.01] < 100 and 3 < factor[None] < 6, "at ε = 0.01 the signal shrinks by a "
      "factor of about 70 per layer, at the UFLDL start by a factor of about 4",
      small=factor[0.01], ufldl=factor[None])

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_4", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# ### The 2 × 2 experiment
#
# Four stacks of this shape on the same 200 labels: small or UFLDL start, with or without
# pretraining, each over three seeds (the seed draws the starting weights, shared by the
# pretrained and the random stack). Every stack gets the **same announced budget**: 200
# pretraining iterations per layer where there is pretraining, the softmax stage to
# convergence, then at most 500 fine-tuning iterations. The table gives the fine-tuning
# objective J reached on the training labels (chance: log 10 ≈ 2.30) and the test accuracy,
# both from the same classifier, the network itself.
#
# **✎ Predict.** Without pretraining, from the small start, where does J end? Set
# `my_prediction` to `"near the others"`, `"in between"` or `"at chance"`.

# %%
my_prediction = None   # ✎ "near the others", "in between" or "at chance"

DEEP_KW = dict(softmax_iter=1000, finetune_iter=500)
deep = {}
for eps in (0.01, None):
    for seed in range(3):
        with aelab.fixed_budget("the 2 × 2 table: the same 200 + 500 iterations for every cell"):
            p = aelab.StackedAutoencoder(DEEP, epsilon=eps, pretrain_iter=200, random_state=seed,
                                         **DEEP_KW).fit(X_pool).fit_supervised(X_pool, y_few)
            r = aelab.StackedAutoencoder(DEEP, epsilon=eps, pretrain=False, random_state=seed,
                                         **DEEP_KW).fit(X_pool, y_few)
        for start_name, m in (("pretrained", p), ("random start", r)):
            deep.setdefault((eps, start_name), []).append(
                (m.loss_curve_[-1], m.score(X_test, y_test), m.n_iter_, m.stop_reason_,
                 len(m.softmax_loss_curve_)))

print(f"{'start':>22} | {'random start: J':>16} {'test acc':>14} | "
      f"{'pretrained: J':>16} {'test acc':>14}")
for eps in (0.01, None):
    cells = []
    for start_name in ("random start", "pretrained"):
        a = np.array([run[:2] for run in deep[eps, start_name]])
        cells.append(f"{a[:, 0].mean():7.3f} ± {a[:, 0].std():.3f}  "
                     f"{a[:, 1].mean():.3f} ± {a[:, 1].std():.3f}")
    print(f"{'ε = 0.01' if eps else 'UFLDL ±√(6/(n+h+1))':>22} | " + " | ".join(cells))

# %%
def cell(eps, start_name, k):
    """Mean and sd over the seeds of column k (0: J, 1: test accuracy) of one table cell."""
    a = np.array([run[k] for run in deep[eps, start_name]], dtype=float)
    return a.mean(), a.std()


fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
for ax, k, label in ((axes[0], 0, "fine-tuning J on the 200 labels (log scale)"),
                     (axes[1], 1, "test accuracy")):
    for j, (start_name, colour) in enumerate((("random start", ORANGE), ("pretrained", BLUE))):
        stats = [cell(eps, start_name, k) for eps in (0.01, None)]
        ax.bar(np.arange(2) + (j - 0.5) * 0.35, [s[0] for s in stats], 0.35,
               yerr=[s[1] for s in stats], capsize=3, color=colour, label=start_name)
    ax.set(xticks=range(2), xticklabels=["start ε = 0.01", "UFLDL start"], ylabel=label)
axes[0].axhline(np.log(10), color="k", lw=0.8, ls="--")
axes[0].text(1.45, np.log(10), "chance, log 10", ha="right", va="bottom", fontsize=8)
axes[0].set(yscale="log", title="training objective reached (same budget)")
axes[1].set(ylim=(0, 1), title="test accuracy (mean ± sd over 3 seeds)")
axes[1].legend(loc="upper center", bbox_to_anchor=(-0.1, -0.12), ncol=2)
plt.tight_layout()

stuck = deep[0.01, "random start"]
claim(all(run[4] < DEEP_KW["softmax_iter"] for runs_ in deep.values() for run in runs_),
      "in every cell the softmax stage converged before its limit",
      iterations=[run[4] for runs_ in deep.values() for run in runs_])
top_spread = float(deep_start[0.01].transform(X_pool).std(axis=0).max())
claim(top_spread < 1e-3, "at the small start the top codes are nearly the same for every image",
      largest_sd_of_a_top_unit=top_spread)
outcome_J = np.mean([run[0] for run in stuck])
compare_prediction(my_prediction, "at chance" if abs(outcome_J - np.log(10)) < 0.05 else
                   ("near the others" if outcome_J < 0.2 else "in between"),
                   choices=("near the others", "in between", "at chance"),
                   why="the signal reaching the lower layers is a few millionths of the top "
                       "one's, and the top codes are almost the same for every image: the "
                       "gradient is too small for L-BFGS to find a direction")
claim(all(abs(run[0] - np.log(10)) < 0.01 * np.log(10) and run[1] < 0.2 and
          run[3] == "stalled" and run[2] < 50 for run in stuck),
      "from the small start without pretraining, J stays at chance and L-BFGS gives up within "
      "50 iterations as 'stalled': no step lowers J, at a plateau, not a minimum",
      runs=[run[:4] for run in stuck])
J_small_pre, J_ufldl_pre, J_ufldl_rnd = (cell(0.01, "pretrained", 0)[0],
                                         cell(None, "pretrained", 0)[0],
                                         cell(None, "random start", 0)[0])
claim(J_small_pre < 0.1 and cell(0.01, "pretrained", 1)[0] > 0.85,
      "pretraining rescues the small start: J far below chance, test accuracy above 85 %",
      J=J_small_pre, accuracy=cell(0.01, "pretrained", 1)[0])
claim(J_ufldl_rnd < 1.15 * J_ufldl_pre, "from the UFLDL start the random stack reaches about "
      "the same training objective as the pretrained one (within 15 %)", random=J_ufldl_rnd,
      pretrained=J_ufldl_pre)
acc_gap = cell(None, "pretrained", 1)[0] - cell(None, "random start", 1)[0]
claim(acc_gap > 0.01, "at about the same training objective, the pretrained deep stack "
      "scores higher on the test images", gap=acc_gap)

# %% [markdown]
# Read the table by rows.
#
# * **Small start (ε = 0.01)**: without pretraining the stack does not train at all. L-BFGS
#   gives up after a few iterations: its line search finds no step that lowers J, and aelab
#   reports the stop as `"stalled"` (not `"converged"`: the gradient is tiny but still above
#   `tol`), because the signal that reaches the lower layers has vanished, as exercise 3
#   derived. An older stopping rule called this "converged"; a flat plateau fools any rule
#   that only watches J. The top codes are
#   nearly the same for every image, so the softmax can only learn the class frequencies.
#   From the same small weights, pretraining first moves every layer to weights that
#   compute something, and fine-tuning then works. This is the **optimisation effect**,
#   and it is real — for a badly scaled start.
# * **UFLDL start**: the random stack reaches about the same training objective as the
#   pretrained one, so optimisation is no longer the obstacle; yet the pretrained stack
#   still scores higher on the test images. At equal fit to the 200 labels, it picked a
#   network that generalises better: the **regularisation effect** that Erhan et al. found.
#
# Section 4's shallow network showed no gain after fine-tuning on 200 labels; this deeper
# one does. Erhan et al. also found pretraining mattering more as networks got deeper.

# %% [markdown]
# ## 8 · Deep autoencoders, denoising stacks, and what came after
#
# The recipe's most famous uses:
#
# * **Hinton and Salakhutdinov (2006, *Science*)** pretrained a deep *autoencoder* — e.g.
#   784–1000–500–250–30 units on MNIST — as a stack of restricted Boltzmann machines, then
#   "unrolled" it into encoder and decoder and fine-tuned the whole network on the
#   reconstruction error. Its 30-dimensional codes reconstructed far better than PCA's, on
#   digits, faces and documents. They noted why pretraining was needed: from large initial
#   weights such networks found poor local minima, and from small ones the gradients in the
#   early layers were tiny — the effect measured in section 7.
# * **Vincent, Larochelle, Lajoie, Bengio and Manzagol (2010, JMLR)** stacked *denoising*
#   autoencoders (notebook 06): each layer learns to reconstruct its clean input from a
#   corrupted copy. On a suite of classification benchmarks, stacked denoising autoencoders
#   clearly beat stacks of ordinary autoencoders and matched or beat stacks of RBMs (deep
#   belief networks).

# %% [markdown]
# ### Why the recipe faded
#
# A set of changes made end-to-end training from a random start work:
#
# * **ReLU units** (Glorot, Bordes and Bengio 2011): no saturation on the positive side, and
#   slope 1 instead of at most ¼.
# * **Initialisation scaled to fan-in and fan-out** (Glorot and Bengio 2010; He et al. 2015),
#   and momentum schedules (Sutskever, Martens, Dahl and Hinton 2013), which trained deep
#   autoencoders without pretraining, as had Martens' Hessian-free optimisation (2010).
# * **Normalisation layers** (Ioffe and Szegedy 2015) and **residual connections** (He et
#   al. 2016).
# * **Large labelled data sets and GPUs**: Krizhevsky, Sutskever and Hinton's 2012 ImageNet
#   network used no pretraining — with a million labels, a regulariser matters little.
#
# The idea survives without the greedy part: self-supervised pretraining of the whole
# network, then fine-tuning on few labels — masked autoencoders (He et al. 2022) pretrain
# vision transformers by reconstructing hidden image patches.

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_ratio_guess", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# **✎ Exercise 4 — a layer that learned nothing.** UFLDL's stacked-autoencoder exercise uses
# weight decay λ = 3e-3 on MNIST (784 pixels, two layers of 200 units). Pretrain our stack on
# the digit pool with that λ (no labels, so only stages 1–2 run; the recipe's budget of 400
# iterations per layer, announced) and compute
#
# * `ratio_top`: the second layer's pretrained reconstruction error divided by its "mean"
#   error (from `reconstruction_errors_`), and
# * `spread_top`: the largest standard deviation of any top-level unit across the pool
#   images.
#
# **✎ Predict first:** what would `ratio_top` be for a layer that has learned nothing? Write
# a number in `my_ratio_guess`.

# %% nbgrader={"grade": false, "grade_id": "answer_top", "locked": false, "schema_version": 3, "solution": true, "task": false}
my_ratio_guess = None   # ✎ a number

with aelab.fixed_budget("the recipe's 400 L-BFGS iterations per pretrained layer"):
    stack_uf = aelab.StackedAutoencoder((64, 32), lam=3e-3, pretrain_iter=400).fit(X_pool)
# BEGIN SOLUTION
top = stack_uf.reconstruction_errors_[1]
ratio_top = top["pretrained"] / top["mean"]
spread_top = float(stack_uf.transform(X_pool).std(axis=0).max())
# END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_collapse", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_collapse(stack_uf, ratio_top, spread_top, X_pool).assert_ok()

# %%
compare_numeric_prediction(my_ratio_guess, ratio_top, name="ratio_top",
                           why="a layer that outputs the same code for every image can do no "
                               "better than the mean input, and no worse once fitted")
uf = stack_uf.reconstruction_errors_
claim(abs(ratio_top - 1) < 1e-3 and spread_top < 1e-4, "the second layer reconstructs no better "
      "than the average input, and every top unit gives the same value for every image",
      ratio_top=ratio_top, spread_top=spread_top)
claim(uf[0]["mean"] > 2 * uf[1]["mean"], "the second layer's input varies several times less "
      "than the pixels", mean_errors=[e["mean"] for e in uf])
claim(len(stack_uf.pretrain_loss_curves_[1]) < 400,
      "the collapsed layer met L-BFGS's tolerance before the budget ran out",
      iterations=len(stack_uf.pretrain_loss_curves_[1]))

# %% [markdown]
# *Why.* The second layer's input is the first layer's sparse codes, mostly close to 0, whose
# total variance (twice the "mean" error) is several times smaller than the pixels'. What
# the second layer can gain by reconstructing them is correspondingly small, and at
# λ = 3e-3 the weights cost more than they save: as in notebook 02, the zero-weight solution
# — every code equal to a constant, the mean input as output — wins. It is even a genuine
# optimum: L-BFGS met its tolerance there before the budget ran out. On MNIST, with 784
# pixels and 200-unit layers, the balance between what weights cost and what they save is
# a different one. This is why the library's default is λ = 1e-4, and why a stack's
# `reconstruction_errors_` deserve a look before its codes are trusted.

# %% [markdown]
# ## Summary
#
# * A **stacked autoencoder** trains its layers greedily, each as an autoencoder on the codes
#   of the layer below, using every unlabelled example; then a softmax on the frozen top
#   codes; then **fine-tunes** the whole network on the labels.
# * Check each layer: pretrained reconstruction error well below the error of outputting the
#   mean. With too much weight decay a higher layer collapses to constant codes.
# * Measured here, with one probe for every frozen representation: **frozen pretrained
#   features** beat random codes at every label count, and the pixels clearly only with the
#   fewest labels. After
#   **fine-tuning**, a two-layer network from a scaled random start catches up — except with
#   very few labels, where pretraining still gains several points (Paine et al.'s finding,
#   in miniature).
# * Pretraining is an **optimisation aid** only where the start is badly scaled (a small
#   start stalls a deep sigmoid stack at chance); from a scaled start what remains is the
#   **regularisation** effect that Erhan et al. (2010) identified.
# * ReLUs, scaled initialisation, normalisation, residual connections, large labelled sets
#   and GPUs made **end-to-end training** work; unsupervised pretraining lives on, end to
#   end, in self-supervised learning and masked autoencoders.
#
# **Next:** notebook 08 turns the autoencoder into a generative model: the variational
# autoencoder.
