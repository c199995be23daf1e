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
# Between 2006 and about 2012, the way to train a deep network was to *not* train it as a
# deep network at first. You trained an autoencoder on the raw data, then a second
# autoencoder on the codes of the first, and so on up; only then did you put a classifier on
# top and train the whole stack on the labels. This **greedy layer-wise pretraining** (Hinton
# et al. 2006 with restricted Boltzmann machines; Bengio et al. 2007 with autoencoders) is what
# made deep networks work again — and a few years later it was dropped almost everywhere.
#
# This notebook builds the recipe with `aelab.StackedAutoencoder`, measures what pretraining
# buys on a small labelled set, and says honestly when it helps and when it does not.
#
# **After this notebook you can**
#
# 1. draw a stacked autoencoder and say what each of the four training stages sees;
# 2. read a stack's pretraining curves and reconstruction errors, and spot a layer that has
#    learned nothing;
# 3. run the controlled experiment — the same network, pretrained or randomly initialised —
#    and read accuracy against the number of labels and the length of fine-tuning;
# 4. explain, with your own measurements, when pretraining helps (few labels, frozen features,
#    short fine-tuning), and why the field moved on to end-to-end training.
#
# Exercises are marked **✎ Exercise**, each with a check cell. The notebook runs in well under
# a minute.

# %%
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

import aelab
from aelab.datasets import load_digits
from aelab.metrics import linear_probe_accuracy

# One BLAS thread: every matrix product here is small (64 pixels, at most 1 297 rows), and on
# a shared or one-core machine a second thread mostly waits for a core (measured on a busy
# machine: the pretraining ran 1.6 times faster with one thread).
threadpool_limits(limits=1, user_api="blas")
np.set_printoptions(precision=3, suppress=True)

# %% [markdown]
# ## 1 · The recipe
#
# A stacked autoencoder is an ordinary feed-forward classifier whose hidden layers were each
# trained, before any label was used, as the encoder of an autoencoder. Here is the network of
# this notebook, for 8×8 digit images:
#
# ```
#                      class scores (10)           ◀── stage 3: softmax on frozen codes h₂
#                            ▲  W_s (10 × 50)            (labelled images only)
#     h₂  (50 sigmoid units)  ◀── stage 2: autoencoder h₁ → h₂ → ĥ₁, trained on the
#                            ▲  W₁ (50 × 100)            codes h₁ of every image
#     h₁ (100 sigmoid units)  ◀── stage 1: autoencoder x → h₁ → x̂, trained on every image
#                            ▲  W₀ (100 × 64)
#     x   (64 pixels)
#
#     stage 4, fine-tuning: backpropagate the classification error through W_s, W₁ and W₀
#     together, on the labelled images.
# ```
#
# Stages 1 and 2 are *unsupervised* and *greedy*: each layer is trained alone, to reconstruct
# the layer below it, and is then frozen while the next one trains. Each autoencoder's decoder
# is thrown away; only its encoder joins the stack. Every layer here is the sparse autoencoder
# of notebook 02 (sigmoid units, KL sparsity with ρ = 0.1, β = 3, weight decay λ = 1e-4, 400
# L-BFGS iterations). Stages 3 and 4 are supervised and use only the labelled images.
#
# The point of the recipe is the situation it was built for: **plenty of unlabelled data and
# few labels.** Stages 1–2 can use every image; the labels only have to steer features that
# already exist.
#
# ## 2 · The data: 1 797 digits, most of them unlabelled
#
# We use scikit-learn's 8×8 digits (pixels scaled to [0, 1]) because full-batch L-BFGS on them
# takes seconds. We hold out 500 images for testing and keep a *pool* of 1 297 for training, of
# which we pretend to know the labels of only a few — 20 per digit, 200 in all. In
# `StackedAutoencoder.fit(X, y)` an unknown label is written −1 (scikit-learn's convention for
# semi-supervised learning): those rows are used for pretraining and nowhere else.

# %%
X, y = load_digits()
X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=500, random_state=0,
                                                  stratify=y)


def pick_labels(n_labels, seed=0):
    """Pool labels with all but n_labels of them hidden (−1): n_labels/10 of each digit."""
    rng = np.random.default_rng(seed)
    keep = np.concatenate([rng.choice(np.flatnonzero(y_pool == d), n_labels // 10, replace=False)
                           for d in range(10)])
    y_few = np.full_like(y_pool, -1)
    y_few[keep] = y_pool[keep]
    return y_few


y_few = pick_labels(200)
print(f"pool {X_pool.shape}, test {X_test.shape}; labelled in the pool: {np.sum(y_few >= 0)}, "
      f"per digit: {np.bincount(y_few[y_few >= 0])}")

fig, ax = plt.subplots(figsize=(7, 1.4))
aelab.plot_filters(X_pool[:20], n_cols=20, normalize="none", ax=ax,
                   title="the first 20 pool images (labels: "
                   + " ".join("?" if v < 0 else str(v) for v in y_few[:20]) + ")")
plt.tight_layout()

# %% [markdown]
# ## 3 · Train the stack — and the same stack without pretraining
#
# `aelab.StackedAutoencoder((100, 50))` runs all four stages in one `fit`. With
# `pretrain=False` it skips stages 1–2 and starts the supervised stages from **the very random
# weights pretraining would have started from**, so the two models differ in one thing only.
#
# To see what each stage does to the classifier, a callback records the test accuracy after
# every supervised iteration. The callback also sees the pretraining iterations (there
# `progress.model` is the layer's own `Autoencoder`); we skip those. When the supervised stages
# begin, the encoders are exactly as pretraining left them (or at their random start), so at
# that moment the callback also keeps a copy of their weights and of the top codes h₂ of every
# image, for later.

# %%
class Recorder:
    """fit() callback: test accuracy during the softmax stage and during fine-tuning."""

    def __init__(self):
        self.softmax, self.finetune, self.start = [], [], None

    def __call__(self, progress):
        model = progress.model
        if isinstance(model, aelab.StackedAutoencoder):        # a supervised stage
            if self.start is None:                               # encoders not yet touched
                self.start = {k: v.copy() for k, v in model.params_.items()
                              if k.startswith("layer")}
                self.codes = {"pool": model.transform(X_pool), "test": model.transform(X_test)}
            stage = self.finetune if model.loss_curve_ else self.softmax
            stage.append(model.score(X_test, y_test))
        return False                                             # never stop training


def fit_stack(pretrain, y_labels, seed=0, **kw):
    recorder = Recorder()
    model = aelab.StackedAutoencoder((100, 50), pretrain=pretrain, seed=seed, **kw)
    return model.fit(X_pool, y_labels, callback=recorder), recorder


t0 = time.perf_counter()
pre, rec_pre = fit_stack(True, y_few)
t1 = time.perf_counter()
rnd, rec_rnd = fit_stack(False, y_few)
t2 = time.perf_counter()
print(f"pretrained: {t1 - t0:.1f} s;  random start: {t2 - t1:.1f} s")
print(f"test accuracy after fine-tuning: pretrained {pre.score(X_test, y_test):.3f}, "
      f"random start {rnd.score(X_test, y_test):.3f}")

# %% [markdown]
# ### What pretraining did
#
# Each layer's autoencoder reports three reconstruction errors (1/m) Σ ½‖x̂ − x‖² on its own
# input: with its random initial weights, after pretraining, and for the trivial
# "reconstruction" that outputs the average input every time. A layer that learned something
# must beat the average by a wide margin.

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), width_ratios=[1.2, 1])
for i, curve in enumerate(pre.pretrain_loss_curves_):
    aelab.plot_loss_curve(curve, ax=axes[0], label=f"layer {i + 1}: {pre.hidden_layers[i]} units")
axes[0].set(title="pretraining objective of each layer", ylabel="J")
axes[0].legend()
errors = pre.reconstruction_errors_
kinds = ("initial", "pretrained", "mean")
width = 0.27
for j, kind in enumerate(kinds):
    axes[1].bar(np.arange(len(errors)) + (j - 1) * width, [e[kind] for e in errors], width,
                label={"initial": "random weights", "pretrained": "pretrained",
                       "mean": "output the mean input"}[kind])
axes[1].set(xticks=range(len(errors)),
            xticklabels=["layer 1 (x → h₁ → x̂)", "layer 2 (h₁ → h₂ → ĥ₁)"], yscale="log",
            ylabel="(1/m) Σ ½‖x̂ − x‖²", title="reconstruction error")
axes[1].legend(fontsize=8)
plt.tight_layout()
for i, e in enumerate(errors):
    print(f"layer {i + 1}: initial {e['initial']:.3f}  pretrained {e['pretrained']:.3f}  "
          f"mean {e['mean']:.3f}  ->  pretrained/mean = {e['pretrained'] / e['mean']:.3f}")

# %% [markdown]
# Both layers reconstruct their input more than ten times better than the average does: each
# has learned a code that carries most of what is in the layer below. (The second layer's
# input is the first layer's sparse code, whose total variance is smaller, hence its smaller
# "mean" bar.)
#
# The first layer's weights can be looked at as images, one 8×8 tile per hidden unit, as in
# notebook 02. On the left are the random weights both models started from, on the right what
# pretraining made of them.

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
aelab.plot_filters(rec_rnd.start["layer0.W1"], ax=axes[0], title="layer 1 at its random start")
aelab.plot_filters(rec_pre.start["layer0.W1"], ax=axes[1], title="layer 1 after pretraining")
plt.tight_layout()

# %% [markdown]
# The pretrained units respond to pieces of digits: short strokes, blobs, the parts of a loop —
# fuzzy at 8×8 pixels, but structured, where the random start is noise. Nothing about digit
# *classes* went into them; they describe what the images look like.
#
# **✎ Exercise 1 — the forward pass of the stack.** `transform` returns the top code h₂. Write
# `stack_codes(params, X)`, which computes it from a parameter dict (keys `layer0.W1`,
# `layer0.b1`, `layer1.W1`, `layer1.b1`; as in `aelab`, the examples are the rows of X, so a
# layer computes f(X Wᵀ + b)), for any number of layers.

# %%
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


# %%
def check_stack_codes(stack_codes):
    X = X_test[:50]
    try:
        mine = np.asarray(stack_codes(pre.params_, X))
    except ValueError as err:
        raise AssertionError(
            f"stack_codes raised {err!r}. With examples in rows, layer l computes "
            "A @ W.T + b: W has shape (units, inputs)") from None
    want = pre.transform(X)
    p = pre.params_
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    assert mine.shape != (50, 100), (
        "your codes have 100 columns: you stopped after the first layer; feed h₁ through "
        "layer1 as well")
    assert mine.shape == want.shape, f"expected shape {want.shape}, got {mine.shape}"
    linear_top = sig(X @ p["layer0.W1"].T + p["layer0.b1"]) @ p["layer1.W1"].T + p["layer1.b1"]
    assert not np.allclose(mine, linear_top), (
        "the top layer needs its sigmoid too: every layer is f(A Wᵀ + b)")
    assert mine.min() >= 0 and mine.max() <= 1, (
        "codes of sigmoid units lie in [0, 1]; apply the sigmoid after each layer")
    no_bias = sig(sig(X @ p["layer0.W1"].T) @ p["layer1.W1"].T)
    assert not np.allclose(mine, no_bias), "add each layer's bias b before the sigmoid"
    assert np.allclose(mine, want, atol=1e-10), (
        "same shape and range as transform(), different values: check which W and b each "
        "layer uses (layer0 first)")
    print("✓ stack_codes matches StackedAutoencoder.transform.")


check_stack_codes(stack_codes)

# %% [markdown]
# ## 4 · Pretrained against random, on 200 labels
#
# Now the experiment. For each model the curves below show test accuracy through the two
# supervised stages: first the softmax alone, trained on frozen codes (stage 3, up to 100
# iterations), then fine-tuning of everything (stage 4, 400 iterations).

# %%
def plot_supervised(ax, rec, label, color):
    n_soft = len(rec.softmax)
    x = np.arange(1, n_soft + len(rec.finetune) + 1)
    ax.plot(x, rec.softmax + rec.finetune, color=color, label=label)
    return n_soft


fig, ax = plt.subplots(figsize=(10, 4))
n_soft = plot_supervised(ax, rec_pre, "pretrained", "tab:blue")
plot_supervised(ax, rec_rnd, "random start", "tab:orange")
ax.axvline(n_soft + 0.5, color="k", lw=0.8)
ax.text(n_soft / 2, 0.75, "stage 3: softmax only,\nencoders frozen", ha="center")
ax.text(n_soft + 200, 0.75, "stage 4: fine-tuning everything", ha="center")
ax.set(xlabel="supervised iteration (L-BFGS)", ylabel="test accuracy", ylim=(0.7, 1.0),
       title="200 labels: test accuracy through the supervised stages")
ax.legend(loc="lower right")
plt.tight_layout()


def summary_row(rec):
    return rec.softmax[-1], rec.finetune[49], rec.finetune[-1]


print("                 frozen features   50 fine-tuning its   400 fine-tuning its")
for name, rec in (("pretrained", rec_pre), ("random start", rec_rnd)):
    print(f"{name:>14}      " + "          ".join(f"{a:.3f}" for a in summary_row(rec)))

# %% [markdown]
# Is any of this worth the trouble? A classifier that needs no autoencoder at all is the
# baseline to beat.
#
# **✎ Exercise 2 — the raw-pixel baseline.** Use
# `linear_probe_accuracy(H_train, y_train, H_test, y_test)` from `aelab.metrics` (a
# standardised multinomial logistic regression, the same probe notebook 05 uses) with the
# *pixels* as features, to compute `acc_pixels`: the test accuracy of a linear classifier
# trained on the 200 labelled pool images only.

# %%
# BEGIN SOLUTION
labelled = y_few >= 0
acc_pixels = linear_probe_accuracy(X_pool[labelled], y_few[labelled], X_test, y_test)
# END SOLUTION
print(f"raw pixels, 200 labels: {acc_pixels:.3f}")


# %%
def check_pixels(acc_pixels):
    lab = y_few >= 0
    right = linear_probe_accuracy(X_pool[lab], y_pool[lab], X_test, y_test)
    if np.isclose(acc_pixels, right):
        print(f"✓ {acc_pixels:.3f}. Against the stacks: pretrained with frozen features "
              f"{rec_pre.softmax[-1]:.3f}, random start with frozen features "
              f"{rec_rnd.softmax[-1]:.3f}, either after full fine-tuning "
              f"{rec_pre.finetune[-1]:.3f} / {rec_rnd.finetune[-1]:.3f}. A linear classifier "
              "on the pixels of 200 images is a strong baseline on these digits.")
        return
    all_labels = linear_probe_accuracy(X_pool, y_pool, X_test, y_test)
    assert not np.isclose(acc_pixels, all_labels), (
        "you trained on all 1 297 pool labels; the experiment pretends to know only 200 "
        "(the rows where y_few >= 0)")
    with_unknown = linear_probe_accuracy(X_pool, y_few, X_test, y_test)
    assert not np.isclose(acc_pixels, with_unknown), (
        "you trained on every pool row with y_few as labels, so −1 ('unknown') became an "
        "eleventh class; keep only the rows where y_few >= 0")
    on_train = linear_probe_accuracy(X_pool[lab], y_pool[lab], X_pool[lab], y_pool[lab])
    assert not np.isclose(acc_pixels, on_train), (
        "that is the accuracy on the training images themselves; score on X_test, y_test")
    raise AssertionError(f"expected {right:.3f}, got {acc_pixels:.3f}: train on "
                         "X_pool[y_few >= 0] with its labels, test on X_test")


check_pixels(acc_pixels)

# %% [markdown]
# Read it from left to right.
#
# * **Frozen features** (end of stage 3): the softmax on pretrained codes is clearly better than
#   the same softmax on random codes, and better than the linear classifier on the pixels of
#   exercise 2: pretraining, using unlabelled images only, produced features on which 200
#   labels go further.
# * **Short fine-tuning**: after a few dozen iterations the pretrained network is still ahead.
#   The randomly initialised one wanders while its softmax and its random bottom layers adapt
#   to each other.
# * **Full fine-tuning**: after 400 iterations the two end up close together. On this problem,
#   given enough optimisation, backpropagation from a random start finds an equally good
#   network; the head start is gone.
#
# One seed can mislead, so section 6 gives the same comparison over three seeds and three
# label counts. First, a cheaper way to see how the benefit depends on the number of labels.
#
# ## 5 · Live: how many labels?
#
# The panel below keeps the encoders fixed — the pretrained ones, the random ones, or none
# (pixels) — and trains only a linear classifier on the top codes of the labelled images, for
# as many labels as you choose. This is stage 3 alone (with `linear_probe_accuracy` in place of
# the library's softmax stage), so it refits in a fraction of a second.
# (Fine-tuning would need a new `fit`, which redoes the pretraining: several seconds.)
#
# > A blank panel means you are reading a static copy: run the notebook to get live widgets.

# %%
# Top codes of every image, as the recorders kept them before fine-tuning began.
FEATURES = {"pretrained codes h₂": rec_pre.codes, "random codes h₂": rec_rnd.codes,
            "raw pixels": {"pool": X_pool, "test": X_test}}
COLORS = {"pretrained codes h₂": "#1f77b4", "random codes h₂": "#ff7f0e",
          "raw pixels": "#7f7f7f"}


def frozen_accuracies(n_labels, seed=0):
    lab = pick_labels(n_labels, seed) >= 0
    return {name: linear_probe_accuracy(F["pool"][lab], y_pool[lab], F["test"], y_test)
            for name, F in FEATURES.items()}


def bars_html(accs, n_labels):
    rows = "".join(
        f"<tr><td style='padding-right:8px'>{name}</td><td><div style='width:{300 * a:.0f}px;"
        f"background:{COLORS[name]};color:white;padding-left:4px'>{a:.3f}</div></td></tr>"
        for name, a in accs.items())
    return f"<b>test accuracy, linear classifier on {n_labels} labels</b><table>{rows}</table>"


labels_slider = widgets.IntSlider(value=200, min=10, max=1000, step=10,
                                  description="labels", continuous_update=False)
bars = widgets.HTML()


def on_labels(change):
    bars.value = bars_html(frozen_accuracies(change["new"]), change["new"])


labels_slider.observe(on_labels, names="value")
on_labels({"new": labels_slider.value})
widgets.VBox([labels_slider, bars])

# %% [markdown]
# Move the slider from 10 to 1 000 labels. The sweep below does the same from code, averaging
# three draws of the labelled images at each count.

# %%
label_counts = [10, 20, 50, 100, 200, 500, 1000]
sweep = {name: [] for name in FEATURES}
for n in label_counts:
    accs = [frozen_accuracies(n, seed) for seed in range(3)]
    for name in FEATURES:
        sweep[name].append(np.mean([a[name] for a in accs]))

fig, ax = plt.subplots(figsize=(7, 4))
for name, values in sweep.items():
    ax.plot(label_counts, values, "o-", color=COLORS[name], label=name)
ax.set(xscale="log", xlabel="labelled images (log scale)", ylabel="test accuracy",
       title="frozen features + linear classifier (mean of 3 label draws)")
ax.legend()
plt.tight_layout()
for n, a, b, c in zip(label_counts, *sweep.values()):
    print(f"{n:5d} labels:  pretrained {a:.3f}   random {b:.3f}   pixels {c:.3f}   "
          f"gain over pixels {a - c:+.3f}")

# %% [markdown]
# The pretrained codes beat the pixels at every label count, and by the most when labels are
# scarcest; the gap narrows as labels become plentiful. Random codes stay close to the pixels
# they were computed from — a little better with the very fewest labels, worse from about 50
# on: a random sigmoid layer reshuffles the pixels nonlinearly but knows nothing about digits.
# What makes the pretrained codes better is that they were fitted to the images.
#
# ## 6 · The measured result, over three seeds
#
# The next cell defines the full experiment for one label count and one seed: the label draw and
# the model's initial weights both come from the seed. It reports test accuracy with frozen
# features, after 50 and after 400 fine-tuning iterations, for both starts, and the raw-pixel
# baseline. Running all nine (label count, seed) pairs takes a few minutes, too long for this
# notebook, so it only runs when you set `FULL_TABLE = True`; the table below it was produced
# by exactly that cell, on the course's development machine.

# %%
def experiment(n_labels, seed):
    y_lab = pick_labels(n_labels, seed)
    lab = y_lab >= 0
    row = {"pixels": linear_probe_accuracy(X_pool[lab], y_pool[lab], X_test, y_test)}
    for pretrain in (True, False):
        _, rec = fit_stack(pretrain, y_lab, seed=seed)
        row["pretrained" if pretrain else "random"] = summary_row(rec)
    return row


FULL_TABLE = False   # True: rerun the table below (a few minutes)
if FULL_TABLE:
    for n in (50, 200, 1000):
        runs = [experiment(n, seed) for seed in (0, 1, 2)]
        for start in ("pretrained", "random"):
            a = np.array([r[start] for r in runs])
            print(f"{n:5d} {start:>10}: " + "  ".join(
                f"{m:.3f} ± {s:.3f}" for m, s in zip(a.mean(0), a.std(0))))
        px = [r["pixels"] for r in runs]
        print(f"{n:5d} {'pixels':>10}: {np.mean(px):.3f} ± {np.std(px):.3f}")

# %% [markdown]
# Test accuracy on the 500 held-out digits, mean ± standard deviation over seeds 0, 1, 2
# (layers (100, 50), 400 pretraining iterations per layer, 1 297 pool images of which the
# labelled ones are balanced across digits):
#
# | labels | start | frozen features | 50 fine-tuning iterations | 400 fine-tuning iterations |
# | ---: | --- | ---: | ---: | ---: |
# | 50 | pretrained | **0.856 ± 0.016** | **0.846 ± 0.013** | 0.814 ± 0.009 |
# | 50 | random | 0.807 ± 0.025 | 0.700 ± 0.003 | 0.800 ± 0.009 |
# | 50 | raw pixels | 0.823 ± 0.003 | | |
# | 200 | pretrained | **0.941 ± 0.007** | **0.938 ± 0.012** | 0.934 ± 0.011 |
# | 200 | random | 0.878 ± 0.022 | 0.891 ± 0.016 | 0.931 ± 0.012 |
# | 200 | raw pixels | 0.923 ± 0.001 | | |
# | 1000 | pretrained | **0.974 ± 0.002** | **0.979 ± 0.001** | 0.975 ± 0.001 |
# | 1000 | random | 0.895 ± 0.007 | 0.950 ± 0.004 | 0.975 ± 0.001 |
# | 1000 | raw pixels | 0.963 ± 0.002 | | |
#
# What it says:
#
# 1. **Frozen features**: pretrained beats random by 5 to 8 points at every label count, and
#    beats a linear classifier on the pixels.
# 2. **Short fine-tuning** (50 iterations): pretrained is still well ahead.
# 3. **Full fine-tuning** (400 iterations): the difference vanishes — within one standard
#    deviation at 200 and 1 000 labels, 1.4 points at 50.
# 4. With **50 labels**, fine-tuning *hurts* the pretrained network: 0.856 frozen, 0.814 after
#    400 iterations, below the pixel baseline. Fifty images cannot support training some 12 000
#    weights; fine-tuning overfits and pulls the features away from what pretraining found.
#    With very few labels, keep the pretrained features frozen or stop fine-tuning early.
#
# ## 7 · Why did pretraining help — and why was it abandoned?
#
# Erhan, Bengio and colleagues asked the first question directly ("Why does unsupervised
# pre-training help deep learning?", 2010). Their experiments pointed to two effects:
#
# * **A better starting point for optimisation.** A deep stack of sigmoid units trained from a
#   small random start learns slowly: each sigmoid multiplies the gradient passing back through
#   it by its slope, at most ¼, so the bottom layers barely move, and the network can sit on plateaus. Pretrained
#   layers start out computing something meaningful, so the gradient has useful features to
#   adjust.
# * **A regulariser.** Pretraining puts the weights in a region that describes the inputs
#   well, and fine-tuning with few labels stays near that region. Among all the networks that
#   fit the labels, it picks one whose features also explain the unlabelled data — a good bet
#   when the classes follow the structure of the images, as digits do.
#
# Our measurements fit that picture. The regulariser shows in the frozen and short-fine-tuning
# columns and in the label sweep: the less labelled information there is, the more the
# unsupervised features are worth. With enough optimisation from a random start, the
# two-layer network here finds an equally good solution, so the optimisation advantage is small
# for a network this shallow.
#
# The advantage was overtaken for deep networks too, by a set of changes that made end-to-end
# training from a random start work:
#
# * **ReLU units** (Glorot, Bordes and Bengio 2011): no saturation on the positive side, so
#   gradients pass through many layers undiminished.
# * **Initialisation scaled to each layer's fan-in and fan-out** (Glorot and Bengio 2010; He
#   et al. 2015), and momentum schedules (Sutskever, Martens et al. 2013): signals and
#   gradients keep their size through depth. Even deep autoencoders, the showcase of
#   pretraining, were trained without it this way (and by Martens' Hessian-free optimisation,
#   2010).
# * **Normalisation layers** (batch normalisation, Ioffe and Szegedy 2015) and **residual
#   connections** (He et al. 2016).
# * **Large labelled data sets and GPUs**: with a million labelled ImageNet images, the
#   regularising effect of pretraining matters little, and training the whole network on the
#   real objective from the start beats a greedy procedure that optimises a different one
#   (reconstruction), layer by layer. Krizhevsky, Sutskever and Hinton's 2012 ImageNet network
#   used no pretraining.
#
# The idea itself survives, in a different form: *self-supervised pretraining* on unlabelled
# data followed by fine-tuning on few labels is how today's language and vision models are
# built — and masked autoencoders (He et al. 2022) pretrain vision transformers by
# reconstructing hidden image patches. What disappeared is the greedy, one-layer-at-a-time part:
# the whole network is pretrained end to end.
#
# **✎ Exercise 3 — a layer that learned nothing.** UFLDL's stacked-autoencoder exercise uses
# weight decay λ = 3e-3 on MNIST. Pretrain our stack on the digit pool with that λ
# (`aelab.StackedAutoencoder((100, 50), lam=3e-3, pretrain_iter=100).fit(X_pool)` — no labels,
# so only stages 1–2 run, which takes a second or two) and compute
#
# * `ratio_top`: the second layer's pretrained reconstruction error divided by its "mean"
#   error (from `reconstruction_errors_`), and
# * `spread_top`: the largest standard deviation of any top-level unit over the pool images
#   (`transform`, then the standard deviation over the examples, then the maximum).
#
# Before you run it: what would these two numbers be for a layer that has learned nothing?

# %%
# BEGIN SOLUTION
stack_uf = aelab.StackedAutoencoder((100, 50), lam=3e-3, pretrain_iter=100).fit(X_pool)
top = stack_uf.reconstruction_errors_[1]
ratio_top = top["pretrained"] / top["mean"]
spread_top = float(stack_uf.transform(X_pool).std(axis=0).max())
# END SOLUTION
print(f"layer 2: error / mean-error = {ratio_top:.4f};  "
      f"largest std of a top unit = {spread_top:.2g}")


# %%
def check_collapse(stack_uf, ratio_top, spread_top):
    assert stack_uf.lam == 3e-3 and stack_uf.hidden_layers == (100, 50), (
        "pretrain StackedAutoencoder((100, 50), lam=3e-3, pretrain_iter=100) on X_pool")
    e = stack_uf.reconstruction_errors_[1]
    assert not np.isclose(ratio_top, stack_uf.reconstruction_errors_[0]["pretrained"]
                          / stack_uf.reconstruction_errors_[0]["mean"]), (
        "that is layer 1's ratio; reconstruction_errors_[1] is the second layer")
    assert np.isclose(ratio_top, e["pretrained"] / e["mean"]), (
        "ratio_top = reconstruction_errors_[1]['pretrained'] / reconstruction_errors_[1]['mean']")
    H = stack_uf.transform(X_pool)
    assert not np.isclose(spread_top, H.std(axis=1).max()), (
        "take the standard deviation over the examples (axis=0), one per unit")
    assert np.isclose(spread_top, H.std(axis=0).max()), (
        "spread_top = transform(X_pool).std(axis=0).max()")
    print(f"✓ ratio {ratio_top:.3f} and spread {spread_top:.1g}: the second layer reconstructs "
          "no better than the average input, and every top unit outputs the same value for "
          "every image. The layer has collapsed.")


check_collapse(stack_uf, ratio_top, spread_top)

# %% [markdown]
# *Why.* The first layer's input is the pixels; the second layer's input is the first layer's
# sparse codes, mostly close to 0, whose total variance (twice the "mean" error) is several
# times smaller. What a second layer can gain by reconstructing them is correspondingly small,
# and with λ = 3e-3 the weights cost more than they save: as in notebook 02's exercise 5, the
# zero-weight solution — every code equal to ρ, the mean input as output — wins. UFLDL uses
# that λ on MNIST (784 pixels, 200-unit layers), where the balance between what the weights
# cost and what they save is a different one; on these small digits it tips towards collapse.
# This is why the library's default is λ = 1e-4, and why a stack's
# `reconstruction_errors_` deserve a look before its codes are trusted: a collapsed layer would
# feed the classifier a constant.
#
# ## Summary
#
# * A **stacked autoencoder** trains its layers greedily, each as an autoencoder on the codes of
#   the layer below, using every unlabelled example; then a softmax on the frozen top codes;
#   then **fine-tunes** the whole network by backpropagation on the labels.
# * Check each layer: pretrained reconstruction error well below the error of outputting the
#   mean. With too much weight decay a higher layer collapses to constant codes (λ = 3e-3 on
#   these digits).
# * Measured on 8×8 digits with 50–1 000 labels: **frozen pretrained features** beat random
#   features by 5–8 points and beat a linear classifier on the pixels; the gain is largest with
#   the fewest labels. After **short fine-tuning** pretraining is still ahead; after **full
#   fine-tuning** the two starts end level, and with 50 labels fine-tuning overfits and erodes
#   the pretrained advantage.
# * Pretraining acts as a **regulariser** and as an **optimisation aid** for deep sigmoid
#   networks. ReLUs, scaled initialisation, normalisation, residual connections, large labelled
#   sets and GPUs made **end-to-end training** from a random start work, and greedy pretraining
#   faded — while unsupervised pretraining itself lives on, end to end, in self-supervised
#   learning and masked autoencoders.
#
# **Next:** notebook 08 turns the autoencoder into a generative model: the variational
# autoencoder.
