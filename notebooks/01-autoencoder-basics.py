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
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Autoencoder basics
#
# **Learning goals.** After this notebook you can
#
# 1. write down the encoder, the decoder and the objective of a one-hidden-layer
#    autoencoder, and compute them by hand from a trained model's weights;
# 2. read reconstructions and a loss curve;
# 3. explain when to use the squared error and when cross-entropy, and why cross-entropy
#    needs sigmoid outputs and data in [0, 1];
# 4. explain why sigmoid hidden units with a linear decoder and squared error cannot beat
#    PCA (Bourlard and Kamp 1988), and check it by measurement;
# 5. tell an under-complete code from an over-complete one, and explain why a wide code
#    with no regulariser can learn almost nothing: it just copies its input.
#
# You need notebook 00 (how to run cells, what `converged_` means, how to use a panel).
# About 10 minutes of reading, a minute or so of computing.

# %%
import re

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image, display

import aelab
from aelab.claims import claim
from aelab.datasets import load_digits
from aelab.exercises import compare_prediction
from aelab.exercises.nb01 import check_ce_choice, check_decoder
from aelab.metrics import model_reconstruction_error
from aelab.pca import PCA, max_principal_angle_degrees

# %% [markdown]
# ## 1. Encoder, bottleneck, decoder
#
# An autoencoder maps an input $x \in \mathbb{R}^n$ to a **code** $h \in \mathbb{R}^p$ and
# back to a **reconstruction** $\hat x \in \mathbb{R}^n$:
#
# $$
# \underbrace{h = f\!\left(W^{(1)} x + b^{(1)}\right)}_{\text{encoder}}
# \qquad
# \underbrace{\hat x = g\!\left(W^{(2)} h + b^{(2)}\right)}_{\text{decoder}}
# $$
#
# with weights $W^{(1)} \in \mathbb{R}^{p\times n}$, $W^{(2)} \in \mathbb{R}^{n\times p}$,
# biases $b^{(1)} \in \mathbb{R}^p$, $b^{(2)} \in \mathbb{R}^n$, a hidden activation $f$
# (here the logistic sigmoid $f(z) = 1/(1+e^{-z})$) and an output activation $g$ (here the
# identity). Training minimises the average reconstruction loss over the $m$ training
# examples,
#
# $$
# J(W, b) = \frac1m \sum_{i=1}^m \tfrac12 \lVert \hat x^{(i)} - x^{(i)} \rVert^2 .
# $$
#
# When $p < n$ the hidden layer is a **bottleneck**: the network cannot simply copy $x$,
# so it has to find the directions in which the data really vary.
#
# In code, examples are the *rows* of a matrix `X` (m × n), so the encoder reads
# `H = f(X @ W1.T + b1)` and the decoder `X_hat = g(H @ W2.T + b2)`.

# %% [markdown]
# ## 2. Train on the digits
#
# 1 797 handwritten digits, 8 × 8 = 64 pixels each, values in [0, 1]. We keep the last 597
# aside as a **test set**: a good autoencoder reconstructs images it never saw, not just
# the ones it trained on.

# %% tags=["nbval-check-output"]
X, y = load_digits()
X_train, X_test = X[:1200], X[1200:]
y_test = y[1200:]
print("train", X_train.shape, " test", X_test.shape)
_ = claim(X.shape == (1797, 64) and len(X_test) == 597 and 0 <= X.min() and X.max() <= 1,
          "1 797 digits of 64 pixels in [0, 1]; 597 held out for testing")

# %% [markdown]
# As in notebook 00, `fit` uses **full-batch L-BFGS**: each iteration evaluates $J$ above,
# the mean over all 1 200 training digits, and its exact gradient, so the model minimises
# one fixed, deterministic objective and `max_iter` counts L-BFGS iterations (for the
# minibatch optimisers `"adam"` and `"sgd"` it would count epochs, passes over the data).
# We train to convergence (`tol=1e-4`) and check that it got there.

# %%
model = aelab.Autoencoder(n_hidden=16, activation="sigmoid", output_activation="linear",
                          tol=1e-4, max_iter=5000)
model.fit(X_train)
print(f"{model.n_iter_} L-BFGS iterations, stopped because: {model.stop_reason_}")
print(f"test reconstruction error: {-model.score(X_test):.3f}")
_ = claim(model.converged_, "the 16-unit model converged", n_iter=model.n_iter_)

# %% [markdown]
# The learned weights are in `model.params_`. Let us check the equations above by
# computing the code and the reconstruction by hand and comparing with the library.

# %%
W1, b1, W2, b2 = (model.params_[k] for k in ("W1", "b1", "W2", "b2"))
print("W1", W1.shape, " b1", b1.shape, " W2", W2.shape, " b2", b2.shape)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


H_by_hand = sigmoid(X_test @ W1.T + b1)
X_hat_by_hand = H_by_hand @ W2.T + b2  # g is the identity here

gap = max(np.abs(H_by_hand - model.transform(X_test)).max(),
          np.abs(X_hat_by_hand - model.reconstruct(X_test)).max())
_ = claim(gap < 1e-12, "the encoder and the decoder are exactly the two equations above",
          largest_difference=gap)

# %% [markdown]
# ## 3. What did it learn?
#
# **Reconstructions.** Top row: test digits; bottom row: what came back through 16 numbers.

# %%
fig, ax = plt.subplots(figsize=(9, 2.4))
_ = aelab.plot_reconstructions(X_test, model.reconstruct(X_test), shape=(8, 8), n=12, ax=ax,
                               title="12 test digits (8×8 pixels) through 16 hidden units")

# %% [markdown]
# **The code.** Each digit becomes 16 numbers between 0 and 1. Digits of the same class get
# similar codes, although the model was never told the labels: over all 597 test digits,
# two codes of the same class lie closer together on average than two codes of different
# classes, and a test digit's nearest other code is almost always one of its own class.

# %%
order = np.argsort(y_test[:60], kind="stable")
H = model.transform(X_test[:60])[order]
labels = y_test[:60][order]
fig, ax = plt.subplots(figsize=(9, 3.2), layout="constrained")
im = ax.imshow(H.T, cmap="viridis", aspect="auto", vmin=0, vmax=1, interpolation="nearest")
starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
ends = np.r_[starts[1:], len(labels)]
ax.set_xticks((starts + ends - 1) / 2, [str(d) for d in labels[starts]])
for s in starts[1:]:
    ax.axvline(s - 0.5, color="white", lw=1)
ax.set_yticks([0, 5, 10, 15])
ax.set_xlabel("60 test digits, grouped by their label (the tick names the class)")
ax.set_ylabel("hidden unit j")
ax.set_title("codes h of 60 test digits")
fig.colorbar(im, ax=ax, fraction=0.03, label="activation hⱼ (0 to 1)")

H_all = model.transform(X_test)
D = np.linalg.norm(H_all[:, None, :] - H_all[None, :, :], axis=-1)
same = y_test[:, None] == y_test[None, :]
off_diagonal = ~np.eye(len(y_test), dtype=bool)
within, between = D[same & off_diagonal].mean(), D[~same].mean()
np.fill_diagonal(D, np.inf)
nn_same_class = np.mean(y_test[D.argmin(axis=1)] == y_test)
_ = claim(within < 0.8 * between and nn_same_class > 0.9,
          "same-class codes are closer than different-class codes, and over 90 % of test "
          "digits have a nearest code of their own class",
          within=within, between=between, nearest_same_class=nn_same_class)

# %% [markdown]
# **The decoder's building blocks.** The reconstruction is $b^{(2)}$ plus a weighted sum of
# the columns of $W^{(2)}$, weighted by the code. So each column is the picture that one
# hidden unit adds when it switches on. All 16 share one colour scale: red adds ink, blue
# removes it, and a pale tile is a unit that draws little.

# %%
lim = np.abs(W2).max()
fig, axes = plt.subplots(2, 8, figsize=(9, 3), layout="constrained")
for j, ax in enumerate(axes.flat):
    im = ax.imshow(W2[:, j].reshape(8, 8), cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_title(f"unit {j}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
fig.colorbar(im, ax=axes, shrink=0.9, label="pixel value added per unit of hⱼ")
_ = fig.suptitle("columns of W2 (8×8 pixels each): what each hidden unit draws")

# %% [markdown]
# **The loss curve** falls steeply over the first few dozen iterations and then creeps down
# for the remaining hundreds until L-BFGS meets its tolerance.

# %%
fig, ax = plt.subplots(figsize=(6, 3.2))
aelab.plot_loss_curve(model.loss_curve_, ax=ax,
                      title=f"16 hidden units: converged after {model.n_iter_} iterations")
ax.set_xlabel("L-BFGS iteration")
ax.set_ylabel("J: mean ½‖x̂ − x‖² per digit")
fig.tight_layout()
curve = np.asarray(model.loss_curve_)
first_90 = int(np.argmax((curve[0] - curve) >= 0.9 * (curve[0] - curve[-1]))) + 1
_ = claim(first_90 <= 50 and len(curve) >= 10 * first_90,
          "90 % of the decrease comes within the first 50 iterations, under a tenth of the run",
          iterations_to_90_percent=first_90, iterations=len(curve))

# %% [markdown]
# ## 4. Squared error or cross-entropy?
#
# The squared error $\tfrac12\lVert\hat x - x\rVert^2$ works for any real-valued data.
# When every value lies in [0, 1] (pixel intensities, probabilities, binary data) there is
# a second choice, the **cross-entropy**
#
# $$
# \ell_{\text{CE}}(\hat x, x) = -\sum_k \big[x_k \log \hat x_k + (1-x_k)\log(1-\hat x_k)\big].
# $$
#
# It reads $\hat x_k$ as the probability that pixel $k$ is "on". That brings two
# requirements:
#
# * **the outputs must lie in (0, 1)**, or the logarithms are undefined: use a sigmoid
#   output activation $g$;
# * **the data must lie in [0, 1]**. For each pixel, the loss as a function of $\hat x_k$ is
#   then smallest exactly at $\hat x_k = x_k$. For a value outside [0, 1] there is no
#   minimum at all: the loss runs off to $-\infty$ at an edge of (0, 1), and training
#   would chase it.
#
# The picture shows the loss of one pixel as a function of the output $\hat x$:

# %%
x_hat = np.linspace(0.001, 0.999, 500)


def ce(x_hat, x):
    return -(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat))


fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
for x, colour in [(0.2, "tab:blue"), (0.7, "tab:orange")]:
    floor = ce(x, x)  # the smallest value, reached at x_hat = x
    axes[0].plot(x_hat, ce(x_hat, x) - floor, color=colour, label=f"cross-entropy, x = {x}")
    axes[0].plot(x_hat, 0.5 * (x_hat - x) ** 2 * 10, color=colour, ls="--",
                 label=f"10 × squared error, x = {x}")
    axes[0].axvline(x, color=colour, lw=0.8, alpha=0.5)
axes[0].set_ylim(0, 2)
axes[0].set_title("targets inside [0, 1]: minimum at x̂ = x")
axes[0].legend(fontsize=8)
axes[1].plot(x_hat, ce(x_hat, 1.5), color="tab:red", label="cross-entropy, x = 1.5")
axes[1].set_title("target outside [0, 1]: no minimum")
axes[1].legend(fontsize=8)
axes[1].set_ylabel("loss of one pixel (nats)")
for ax in axes:
    ax.set_xlabel("output x̂")
axes[0].set_ylabel("loss of one pixel, 0 at its minimum")
fig.tight_layout()

minima = {x: x_hat[np.argmin(ce(x_hat, x))] for x in (0.2, 0.7)}
_ = claim(all(abs(m - x) < 0.005 for x, m in minima.items())
          and np.all(np.diff(ce(x_hat, 1.5)) < 0),
          "for x in [0, 1] the cross-entropy is smallest at x̂ = x; for x = 1.5 it only falls "
          "as x̂ grows, with no minimum inside (0, 1)", minima=list(minima.values()))

# %% [markdown]
# (The cross-entropy curves are shifted down by their smallest value. That value,
# $-[x\log x + (1-x)\log(1-x)]$, is zero only for $x = 0$ or $1$, so on grey-level data
# the cross-entropy never reaches zero even for a perfect reconstruction.)
#
# aelab checks both requirements before training, and says what is wrong:

# %%
for settings, data, what in [
    (dict(loss="cross_entropy", output_activation="linear"), X_train, "linear outputs"),
    (dict(loss="cross_entropy", output_activation="sigmoid"),
     (X_train - X_train.mean()) / X_train.std(), "standardised data"),
]:
    try:
        aelab.Autoencoder(16, max_iter=5, **settings).fit(data)
    except ValueError as err:
        print(f"{what}:\n  ValueError: {err}\n")

# %% [markdown]
# **Why bother with cross-entropy?** Its gradient. With a sigmoid output
# $\hat x = \sigma(z)$, the derivative of the loss with respect to the pre-activation $z$ is
#
# * cross-entropy: $\hat x - x$;
# * squared error: $(\hat x - x)\,\hat x(1-\hat x)$.
#
# When an output is confidently wrong (saturated near 0 while the target is 1), the
# squared error's extra factor $\hat x(1-\hat x)$ is almost zero, and the unit barely
# learns. Cross-entropy keeps pushing: for an output of 0.001, its gradient is about a
# thousand times larger.

# %% tags=["nbval-check-output"]
x_target, x_out = 1.0, 0.001
grad_ce = x_out - x_target
grad_se = (x_out - x_target) * x_out * (1 - x_out)
print(f"target {x_target}, output {x_out}")
print(f"  d loss / dz, cross-entropy : {grad_ce:+.4f}")
print(f"  d loss / dz, squared error : {grad_se:+.6f}")
_ = claim(900 < grad_ce / grad_se < 1100,
          "the cross-entropy gradient is about a thousand times the squared error's",
          ratio=grad_ce / grad_se)

# %% [markdown]
# **Training both: a budget comparison, announced.** With sigmoid outputs, both models need
# far more L-BFGS iterations to converge on these digits than this notebook can spend. So
# the next cell trains each for the same **300 iterations**, inside `aelab.fixed_budget`,
# and checks that neither has converged: what it shows is a statement about the first 300
# iterations, not about the two losses at their optima. At this budget the squared-error
# model is ahead on *both* measures, its own squared error and the cross-entropy too. The
# cross-entropy model is still behind on its own loss, which says that it converges more
# slowly here, not that it is the worse loss.

# %%
def mean_cross_entropy(m, A):
    """(1/m) Σ cross-entropy of the reconstructions, in nats per digit."""
    R = np.clip(m.reconstruct(A), 1e-12, 1 - 1e-12)
    return float(-np.sum(A * np.log(R) + (1 - A) * np.log(1 - R)) / len(A))


with aelab.fixed_budget("300 iterations each: converging sigmoid outputs takes far longer"):
    mse_model = aelab.Autoencoder(16, output_activation="sigmoid", loss="mse",
                                  max_iter=300).fit(X_train)
    ce_model = aelab.Autoencoder(16, output_activation="sigmoid", loss="cross_entropy",
                                 max_iter=300).fit(X_train)

fig, axes = plt.subplots(2, 1, figsize=(9, 4.6))
for ax, (name, m) in zip(axes, [("squared error", mse_model), ("cross-entropy", ce_model)]):
    aelab.plot_reconstructions(X_test, m.reconstruct(X_test), shape=(8, 8), n=12, ax=ax,
                               title=f"trained on {name}, 300 iterations: test ½‖x̂−x‖² "
                                     f"{-m.score(X_test):.3f}, cross-entropy "
                                     f"{mean_cross_entropy(m, X_test):.2f} nats")
fig.tight_layout()
se = {n: -m.score(X_test) for n, m in [("mse", mse_model), ("ce", ce_model)]}
xe = {n: mean_cross_entropy(m, X_test) for n, m in [("mse", mse_model), ("ce", ce_model)]}
_ = claim(not mse_model.converged_ and not ce_model.converged_,
          "neither model has converged after 300 iterations")
_ = claim(se["mse"] < se["ce"] and xe["mse"] < xe["ce"],
          "at this budget the squared-error model is ahead on both the squared error and "
          "the cross-entropy", squared_error=list(se.values()), cross_entropy=list(xe.values()))

# %% [markdown]
# The reconstructions look alike. Cross-entropy earns its keep on data that are (close to)
# binary, where the saturation problem above bites hardest, and it is the natural loss when
# you want to read $\hat x$ as probabilities. Neither is "right" in
# general: pick the loss that matches your data and what you will measure, and compare
# losses only with converged models.

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# ## 5. Sigmoid codes and PCA: Bourlard and Kamp's result
#
# PCA with $k$ components is the best *linear* code of size $k$: it reconstructs every
# training example from the $k$-dimensional affine subspace that fits the training data
# best in squared error. Does a sigmoid hidden layer do better?
#
# Look at the decoder first: $\hat x = W^{(2)} h + b^{(2)}$. Whatever the encoder does,
# every reconstruction lies in the affine subspace $b^{(2)} + \operatorname{span} W^{(2)}$,
# of dimension at most $p$. No such subspace fits the training data better than PCA's, so
# **on the training set the autoencoder can never beat PCA with $k = p$**. Bourlard and Kamp
# (1988) went further: for this network (linear outputs, squared error) the optimal
# solution is given by the singular value decomposition of the data, the nonlinearity of
# the hidden units does not help, and the optimum can be approached with the sigmoid kept
# in its near-linear regime (small pre-activations, undone by the decoder's scale).
#
# **Predict first.** Trained to convergence, how will the autoencoder's *test* error
# compare with PCA's at the same size: clearly `"below PCA"`, `"matches PCA"` (within
# 1.5 %), or clearly `"above PCA"`?

# %%
my_prediction = None  # ✎ one of "below PCA", "matches PCA", "above PCA": set it first

# %% [markdown]
# The experiment: autoencoders with 2 to 32 hidden units, each trained to convergence,
# against PCA with the same number of components. The right panel shows by how much, in
# percent, the autoencoder's error exceeds PCA's (a negative value would mean it beat PCA).

# %%
sizes = [2, 4, 8, 16, 32]
fits = {p: model if p == 16 else
        aelab.Autoencoder(p, tol=1e-4, max_iter=5000).fit(X_train) for p in sizes}
pcas = {p: PCA(p).fit(X_train) for p in sizes}
err = {(kind, split, p): model_reconstruction_error(m[p], data)
       for kind, m in [("ae", fits), ("pca", pcas)]
       for split, data in [("train", X_train), ("test", X_test)] for p in sizes}
excess = {split: np.array([100 * (err["ae", split, p] / err["pca", split, p] - 1)
                           for p in sizes]) for split in ("train", "test")}

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
axes[0].plot(sizes, [err["pca", "test", p] for p in sizes], "s-", color="tab:gray",
             label="PCA, k = p components")
axes[0].plot(sizes, [err["ae", "test", p] for p in sizes], "o", color="tab:blue",
             label="sigmoid autoencoder, converged")
axes[0].set(xscale="log", yscale="log", xlabel="code size p (hidden units = components)",
            ylabel="test error: mean ½‖x̂ − x‖² per digit",
            title="test error against code size")
axes[0].set_xticks(sizes, [str(p) for p in sizes])
axes[0].legend(fontsize=8)
for split, marker, colour in [("train", "o-", "tab:blue"), ("test", "^--", "tab:orange")]:
    axes[1].plot(sizes, excess[split], marker, color=colour, label=f"{split} digits")
axes[1].axhline(0, color="k", lw=0.8)
axes[1].set(xscale="log", xlabel="code size p", ylabel="autoencoder error above PCA's (%)",
            title="the autoencoder's excess over PCA")
axes[1].set_xticks(sizes, [str(p) for p in sizes])
axes[1].legend(fontsize=8)
for ax in axes:
    ax.minorticks_off()
for p, e_tr, e_te in zip(sizes, excess["train"], excess["test"]):
    print(f"p = {p:2d}: converged={fits[p].converged_}, excess over PCA: train {e_tr:+.3f} %, "
          f"test {e_te:+.3f} %")

# %%
_ = claim(all(fits[p].converged_ for p in sizes), "every autoencoder of the sweep converged")
_ = claim(excess["train"].min() > -1e-6,
          "on the training digits no autoencoder beats PCA of the same size (it cannot)",
          smallest_excess_percent=excess["train"].min())
_ = claim(excess["train"].max() < 1.0,
          "converged, every autoencoder comes within 1 % of PCA on the training digits",
          excess_percent=excess["train"])
_ = claim(np.abs(excess["test"]).max() < 1.5,
          "on the test digits the autoencoder matches PCA within 1.5 %: it gains nothing",
          excess_percent=excess["test"])
outcome = "matches PCA" if np.abs(excess["test"]).max() < 1.5 else (
    "below PCA" if excess["test"].mean() < 0 else "above PCA")
compare_prediction(my_prediction, outcome, choices=("below PCA", "matches PCA", "above PCA"),
                   why="a linear decoder confines every reconstruction to a p-dimensional "
                       "subspace, and PCA's is the best one for the training data; the "
                       "sigmoid can only get close to it.")

# %% [markdown]
# The autoencoder matches PCA but never beats it, as Bourlard and Kamp predict. What is left
# of its excess is the stopping tolerance's: with a smaller `tol` it shrinks further, at the
# price of many more iterations. Two more
# measurements on the 16-unit model show *how* it gets there:
#
# * its hidden units work in the sigmoid's **near-linear regime**: almost every activation
#   on the test digits lies between 0.1 and 0.9, far from the flat ends of the curve;
# * the subspace its decoder spans, $\operatorname{span} W^{(2)}$, is almost PCA's: the
#   largest principal angle between the two 16-dimensional subspaces is a few degrees
#   (notebook 04 explains principal angles, and why the weights themselves need not be the
#   principal components).
#
# The limit comes from the *linear decoder*. Section 4's squared-error model had a sigmoid
# **output**, a nonlinear decoder, and even after only 300 iterations its training error is
# already below PCA's with 16 components. A model that beats PCA at any budget proves the
# optimum is lower; no budget could prove the opposite.

# %%
H_test = model.transform(X_test)
in_linear_regime = float(np.mean((H_test > 0.1) & (H_test < 0.9)))
angle = max_principal_angle_degrees(W2.T, pcas[16].components_)
_ = claim(in_linear_regime > 0.95,
          "almost every hidden activation lies between 0.1 and 0.9 (near-linear regime)",
          fraction=in_linear_regime)
_ = claim(angle < 5, "span W2 is within a few degrees of PCA's 16-dimensional subspace",
          largest_principal_angle_degrees=angle)
_ = claim(-mse_model.score(X_train) < err["pca", "train", 16],
          "the sigmoid-output model, after 300 iterations, is below PCA's training error",
          sigmoid_output=-mse_model.score(X_train), pca=err["pca", "train", 16])

# %% [markdown]
# ## 6. Too narrow, too wide
#
# A code with fewer units than inputs ($p < n$) is **under-complete**; with more
# ($p > n$), **over-complete**. The sweep above stopped at 32 units. From $p = 64$ on, no
# subspace limit is left: PCA with all 64 components is only a rotation of the pixels and
# reconstructs exactly, and the autoencoder's best error is zero too, approached (never
# reached) by tiny encoder weights that keep the sigmoid linear and a decoder that undoes
# the scale: the **identity map**. Train a 128-unit model to convergence and compare:

# %%
wide = aelab.Autoencoder(128, tol=1e-4, max_iter=5000).fit(X_train)
narrow = model  # the 16-unit model of section 2
print(f"128 units: {wide.n_iter_} iterations, {wide.stop_reason_}; "
      f"test error {-wide.score(X_test):.4f} (32 units: {err['ae', 'test', 32]:.4f})")
_ = claim(wide.converged_ and -wide.score(X_test) < 0.1 * err["ae", "test", 32],
          "the converged 128-unit code loses less than a tenth of what the 32-unit code loses",
          wide=-wide.score(X_test), p32=err["ae", "test", 32])

# %% [markdown]
# A low error with a wide code sounds good. It is not, and here is why.
#
# ### What goes wrong with a wide code and no regulariser
#
# The point of the bottleneck was to force the network to learn what digits look like. A
# code wider than the input removes that pressure: the network can learn (close to) the
# identity map, copying any input through, digit or not. Let us test that with images that
# are *not* digits.

# %%
def non_digits():
    """Six 8×8 shapes that are not digits: box, cross, bar, plus, stripes, L."""
    S = np.zeros((6, 8, 8))
    S[0, 1:7, 1:7] = 1
    S[0, 2:6, 2:6] = 0
    i = np.arange(1, 7)
    S[1, i, i] = S[1, i, 7 - i] = 1
    S[2, 3:5, 1:7] = 1
    S[3, 1:7, 3:5] = S[3, 3:5, 1:7] = 1
    S[4, 1:7:2, 1:7] = 1
    S[5, 1:7, 1] = S[5, 6, 1:6] = 1
    return S.reshape(6, 64)


shapes = non_digits()
fig, axes = plt.subplots(1, 2, figsize=(10, 2.6))
for ax, (name, m) in zip(axes, [("16 units (narrow)", narrow), ("128 units (wide)", wide)]):
    aelab.plot_reconstructions(shapes, m.reconstruct(shapes), shape=(8, 8), n=6, ax=ax,
                               title=f"{name}: error on shapes {-m.score(shapes):.2f}")
fig.tight_layout()
_ = claim(-wide.score(shapes) < 0.05 * -narrow.score(shapes),
          "the wide model copies the shapes with under 5 % of the narrow model's error",
          wide=-wide.score(shapes), narrow=-narrow.score(shapes))

# %% [markdown]
# The narrow model turns every shape into a blurry digit-like blob: it has learned what
# digits look like and can only draw digits. The wide model copies boxes, crosses and
# stripes almost perfectly. It is a good *copier*, which tells us little about digits.
#
# We can see the copying directly in the **Jacobian** $\partial \hat x / \partial x$ at a
# test digit: how much each output pixel moves when one input pixel is nudged. For this
# model, by the chain rule,
# $\partial \hat x/\partial x = W^{(2)}\,\mathrm{diag}\big(h(1-h)\big)\,W^{(1)}$. The
# identity map would give the identity matrix: a single diagonal line, and a trace equal
# to the number of pixels. A projection onto a $p$-dimensional subspace has trace $p$.

# %%
def jacobian(model, x):
    p = model.params_
    h = sigmoid(p["W1"] @ x + p["b1"])
    return p["W2"] @ ((h * (1 - h))[:, None] * p["W1"])


varying = X_train.std(axis=0) > 0  # pixels that are not blank in every training digit
J = {name: jacobian(m, X_test[0]) for name, m in [("narrow", narrow), ("wide", wide)]}
fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.3), layout="constrained")
for ax, (name, units) in zip(axes, [("narrow", 16), ("wide", 128)]):
    im = ax.imshow(J[name], cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    ax.set_title(f"{units} units: trace {np.trace(J[name]):.1f}", fontsize=11)
    ax.set_xticks(range(0, 64, 8))
    ax.set_yticks(range(0, 64, 8))
    ax.set_xlabel("input pixel j (row-major; ticks at image rows)")
    ax.set_ylabel("output pixel i")
fig.colorbar(im, ax=axes, shrink=0.8, label="∂x̂ᵢ/∂xⱼ (output change per unit input change)")
_ = fig.suptitle("Jacobian of the reconstruction at the first test digit")

diag_wide = np.diag(J["wide"])[varying].mean()
_ = claim(abs(np.trace(J["narrow"]) - 16) < 1.6,
          "the narrow model's Jacobian has trace close to 16, like a projection onto 16 "
          "dimensions", trace=np.trace(J["narrow"]))
_ = claim(diag_wide > 0.7,
          "the wide model's Jacobian is close to the identity on the pixels that vary",
          mean_diagonal=diag_wide, varying_pixels=int(varying.sum()))
ink = (X_train > 0).mean(axis=0)  # share of training digits with ink in each pixel
gaps = np.flatnonzero(np.diag(J["wide"]) < 0.5)
_ = claim(len(gaps) > 0 and ink[gaps].max() < 0.03,
          "every pixel the wide model does not copy (diagonal below 0.5) has ink in under 3 % "
          "of the training digits", gaps=gaps.tolist(), most_ink=ink[gaps].max())

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_decay", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# The wide model's Jacobian is close to a bright diagonal: each output pixel follows its
# own input pixel, and little else. (The gaps are pixels at the left and right edges that
# are blank in almost every training digit, with ink in under 3 % of them: too rarely used
# for the model to learn to copy them.) The narrow model's Jacobian
# is a smeared matrix whose trace is close to 16: near-linear sigmoid units make it almost
# a projection onto a 16-dimensional subspace, so a nudge to one pixel is spread over a
# digit-shaped neighbourhood, or ignored.
#
# **Lesson.** A wide code is only useful when something else stops it from copying: a
# penalty that keeps most units silent (*sparsity*, notebooks 02 and 03), noise on the
# input that must be removed (*denoising*), or a penalty on the Jacobian itself
# (*contractive*). Without one, "more units" mostly means "a better photocopier".
#
# **Is weight decay enough?** Weight decay (`lam`, λ) penalises large weights, and the
# identity map through near-linear sigmoids needs a large decoder. Predict: trained to
# convergence with `lam=1e-3`, does the 128-unit model `"still copies"` the shapes (an
# error on them below a third of the narrow model's), or `"stops copying"`?

# %%
my_prediction_decay = None  # ✎ "still copies" or "stops copying": set it first

# %%
decayed = aelab.Autoencoder(128, lam=1e-3, tol=1e-4, max_iter=5000).fit(X_train)
shape_err = {name: -m.score(shapes) for name, m in
             [("narrow", narrow), ("wide", wide), ("wide, λ = 1e-3", decayed)]}
print({k: round(v, 3) for k, v in shape_err.items()},
      f"test error with λ: {-decayed.score(X_test):.4f}")
_ = claim(decayed.converged_ and shape_err["wide"] < shape_err["wide, λ = 1e-3"],
          "weight decay makes the wide model a worse copier", errors=list(shape_err.values()))
outcome = ("still copies" if shape_err["wide, λ = 1e-3"] < shape_err["narrow"] / 3
           else "stops copying")
_ = claim(outcome == "still copies",
          "with λ = 1e-3 the wide model still copies the shapes (below a third of the narrow "
          "model's error on them)", ratio_to_narrow=shape_err["wide, λ = 1e-3"] / shape_err["narrow"])
compare_prediction(my_prediction_decay, outcome, choices=("still copies", "stops copying"),
                   why="λ = 1e-3 shrinks the weights and blurs the copy, but the identity "
                       "stays cheap enough: weight decay limits the size of the weights, not "
                       "what the code may represent. Notebooks 02, 03 and 06 try penalties "
                       "on the code and noise on the input instead.")

# %% [markdown]
# ## 7. Try it live: the hidden-size slider
#
# Drag the slider and watch the reconstructions sharpen as the code widens (the model
# retrains from fresh weights each time; see the status line). The panel trains each model
# for at most 100 iterations, a fixed budget so that it answers quickly, and its status line
# says "not converged" when that budget stopped it: use it to see the trend, and the
# converged models above for conclusions.
#
# The panel holds back a tenth of the digits it is given and draws the objective on them
# (orange) beside the training curve (blue), with PCA's error for as many components as a
# dashed line. Beside the sliders it sets a **challenge**, ticked off when you reach it:
# get the held-out J below 0.45 with at most 16 hidden units. How few can you use?

# %%
from aelab.explorer.challenges import Challenge

few_units = Challenge(
    "Get the held-out J below 0.45 with at most 16 hidden units.",
    goal=lambda f, stats: f.W1.shape[0] <= 16 and stats.get("holdout_loss", 1e9) < 0.45,
    why="Each unit adds one direction to the subspace the decoder can reach, and the "
        "digits' variance is concentrated in a few directions: past a dozen units each new "
        "one buys less.",
    hint="Move the slider up from 3 a few units at a time and watch the orange points.")
size_panel = aelab.Explorer(
    aelab.Autoencoder(n_hidden=4, max_iter=100),
    X_train,
    controls=("n_hidden",),
    views=("reconstructions", "loss"),
    image_shape=(8, 8),
    challenges=[few_units],
)
size_panel

# %% [markdown]
# The same, driven from code: a 3-unit code, then a 64-unit one. The pictures are the
# panel's own reconstruction frames after each retrain.

# %%
def status_text(panel):
    return re.sub(r"<[^>]+>", "", panel.status.value)


size_panel.wait()
frames = {}
for p in (3, 64):
    size_panel.controls["n_hidden"].value = p
    size_panel.wait()
    print(f"hidden units = {p:2d}: {status_text(size_panel)}")
    frames[p] = size_panel.views["reconstructions"].value
display(Image(frames[3]), Image(frames[64]))
_ = claim(not few_units.done and few_units.misses >= 2,
          "neither 3 nor 64 units meets the challenge (nor the panel's first 4): it is yours "
          "to solve", misses=few_units.misses)

# %% [markdown]
# ## Exercises
#
# ### Exercise 1: decode by hand
#
# Take the codes `H = model.transform(X_test[:5])` of five test digits. Using only `H`
# and the decoder's weights `W2`, `b2` (the output activation is the identity), compute
# their reconstructions and store them in `X_hat_mine`, one row per digit.

# %% nbgrader={"grade": false, "grade_id": "answer_x_hat_mine", "locked": false, "schema_version": 3, "solution": true, "task": false}
H = model.transform(X_test[:5])
# Set X_hat_mine: one row per digit, one column per pixel.
# BEGIN SOLUTION
X_hat_mine = H @ W2.T + b2
# END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "check_decoder", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_decoder(X_hat_mine, model, H).assert_ok()

# %% [markdown]
# ### Exercise 2: which data can use cross-entropy?
#
# Put into the set `ok_for_ce` the names of the data sets that can be used *as they are*
# with `loss="cross_entropy"`:
#
# * `"digits"`: `load_digits()`, pixels divided by 16;
# * `"centred digits"`: the digits minus their mean pixel value;
# * `"patches"`: `natural_patches()`, values in [0.1, 0.9];
# * `"temperatures"`: daily temperatures in °C, scaled by 1/40.

# %% nbgrader={"grade": false, "grade_id": "answer_ok_for_ce", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Set ok_for_ce to a set of names, e.g. {"digits"}.
# BEGIN SOLUTION
ok_for_ce = {"digits", "patches"}
# END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "check_ce_choice", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_ce_choice(ok_for_ce).assert_ok()

# %% [markdown] nbgrader={"grade": false, "grade_id": "open_exercise_3", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": true}
# ### Exercise 3 (open): what stops the copying?
#
# Section 6 showed that weight decay at λ = 1e-3 does not stop a 128-unit code from copying.
# Try `noise="gaussian", noise_level=0.2` (a denoising autoencoder, notebook 06; with
# L-BFGS the training set is corrupted once, so that the objective stays fixed) or the
# sparsity penalty `beta=3, rho=0.05` (notebook 02) instead, trained to convergence, and
# redo the non-digits test and the Jacobian plot. Predict before you run: which one stops
# the copying, and what does it cost on the test digits? Notebook 03 studies λ, β and the
# other knobs systematically.

# %% [markdown]
# ## Summary
#
# * An autoencoder is an encoder $h = f(W^{(1)}x + b^{(1)})$ and a decoder
#   $\hat x = g(W^{(2)}h + b^{(2)})$, trained (here by full-batch L-BFGS, to convergence)
#   to make $\hat x$ close to $x$.
# * The squared error works for any data. Cross-entropy treats outputs as probabilities:
#   it needs a sigmoid output and data in [0, 1] (aelab refuses anything else and says
#   why); its gradient does not vanish when a sigmoid output saturates. Compare the two
#   only with converged models; at a fixed budget you compare their speed.
# * With a linear decoder and squared error, sigmoid hidden units gain nothing over PCA
#   (Bourlard and Kamp 1988): measured, the converged autoencoder matches PCA of the same
#   size and never beats it on the training data, with its units in their near-linear
#   regime. A nonlinear decoder can do better.
# * Narrow (under-complete) codes must summarise: they lose detail but learn what the data
#   look like. Wide (over-complete) codes with no regulariser approach the identity map
#   and copy anything, including inputs that look nothing like the training data; weight
#   decay at λ = 1e-3 does not stop it.
# * So a wide code needs a regulariser. The next notebook adds the classic one, sparsity.
#
# Next: **02-sparse-autoencoder**.
