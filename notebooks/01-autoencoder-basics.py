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
# 4. tell an under-complete code from an over-complete one, and explain why a wide code
#    with no regulariser can learn almost nothing: it just copies its input.
#
# You need notebook 00 (how to run cells and use a panel). About 5 minutes of reading,
# under a minute of computing.

# %%
import re

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image, display

import aelab
from aelab.datasets import load_digits
from aelab.pca import PCA

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

# %%
X, y = load_digits()
X_train, X_test = X[:1200], X[1200:]
print("train", X_train.shape, " test", X_test.shape)

# %%
model = aelab.Autoencoder(n_hidden=16, activation="sigmoid", output_activation="linear",
                          max_iter=150)
model.fit(X_train)
print(f"{model.n_iter_} iterations, stopped because: {model.stop_reason_}")
print(f"test reconstruction error: {-model.score(X_test):.3f}")

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

assert np.allclose(H_by_hand, model.transform(X_test))
assert np.allclose(X_hat_by_hand, model.reconstruct(X_test))
print("the encoder and the decoder are exactly the two equations above")

# %% [markdown]
# ## 3. What did it learn?
#
# **Reconstructions.** Top row: test digits; bottom row: what came back through 16 numbers.

# %%
fig, ax = plt.subplots(figsize=(9, 2.4))
_ = aelab.plot_reconstructions(X_test, model.reconstruct(X_test), shape=(8, 8), n=12, ax=ax,
                               title="16 hidden units")

# %% [markdown]
# **The code.** Each digit becomes 16 numbers between 0 and 1. Digits of the same class
# get similar codes, although the model was never told the labels:

# %%
order = np.argsort(y[1200:][:40], kind="stable")
H = model.transform(X_test[:40])[order]
fig, ax = plt.subplots(figsize=(9, 3))
im = ax.imshow(H.T, cmap="viridis", aspect="auto", vmin=0, vmax=1)
ax.set_xticks(range(40), y[1200:][:40][order])
ax.set_xlabel("test digit (sorted by label)")
ax.set_ylabel("hidden unit")
ax.set_title("codes h of 40 test digits")
fig.colorbar(im, ax=ax, fraction=0.03)
fig.tight_layout()

# %% [markdown]
# **The decoder's building blocks.** The reconstruction is $b^{(2)}$ plus a weighted sum of
# the columns of $W^{(2)}$, weighted by the code. So each column is the picture that one
# hidden unit adds when it switches on. Red adds ink, blue removes it:

# %%
fig, axes = plt.subplots(2, 8, figsize=(9, 2.6))
for j, ax in enumerate(axes.flat):
    column = W2[:, j].reshape(8, 8)
    lim = np.abs(column).max()
    ax.imshow(column, cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_title(f"unit {j}", fontsize=8)
    ax.axis("off")
fig.suptitle("columns of W2: what each hidden unit draws")
fig.tight_layout()

# %% [markdown]
# **The loss curve** falls quickly for the first few dozen iterations and then creeps down.
# We stopped at 150 iterations, well before it flattened completely; that is fine for
# learning, and keeps this notebook fast.

# %%
fig, ax = plt.subplots(figsize=(5, 3))
aelab.plot_loss_curve(model.loss_curve_, ax=ax, title="16 hidden units")
fig.tight_layout()

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
for ax in axes:
    ax.set_xlabel("output x̂")
axes[0].set_ylabel("loss of one pixel (shifted to 0 at its minimum)")
fig.tight_layout()

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
# learns. Cross-entropy keeps pushing:

# %%
x_target, x_out = 1.0, 0.001
print(f"target {x_target}, output {x_out}")
print(f"  d loss / dz, cross-entropy : {x_out - x_target:+.4f}")
print(f"  d loss / dz, squared error : {(x_out - x_target) * x_out * (1 - x_out):+.6f}")

# %% [markdown]
# Now train both on the digits, with a sigmoid output in each case, and compare.

# %%
mse_model = aelab.Autoencoder(16, output_activation="sigmoid", loss="mse",
                              max_iter=150).fit(X_train)
ce_model = aelab.Autoencoder(16, output_activation="sigmoid", loss="cross_entropy",
                             max_iter=150).fit(X_train)

fig, axes = plt.subplots(2, 1, figsize=(9, 4.6))
for ax, (name, m) in zip(axes, [("squared error", mse_model), ("cross-entropy", ce_model)]):
    aelab.plot_reconstructions(X_test, m.reconstruct(X_test), shape=(8, 8), n=12, ax=ax,
                               title=f"{name}: test error (½‖x̂−x‖²) {-m.score(X_test):.3f}")
fig.tight_layout()

# %% [markdown]
# The two look alike. On these grey-level digits, with the same budget of 150 iterations,
# the squared-error model even has the lower squared error, which is no surprise since it
# is what it optimised. Cross-entropy earns its keep on data that are (close to) binary and
# in deeper networks, where the saturation problem above bites; it is also the natural
# loss when you want to read $\hat x$ as probabilities. Neither is "right" in general:
# pick the loss that matches your data and what you will measure.

# %% [markdown]
# ## 5. Too narrow, too wide
#
# A code with fewer units than inputs ($p < n$) is **under-complete**; with more
# ($p > n$), **over-complete**. Here is the test error as the hidden layer grows from 2 to
# 128 units, for inputs of $n = 64$ pixels. For reference, the grey squares are PCA with
# the same number of components: the best any *linear* code of that size can do
# (notebook 04 explains the connection). PCA with all 64 components is only a rotation of
# the pixels and reconstructs perfectly, so its curve stops at 32.

# %%
sizes = [2, 4, 8, 16, 32, 64, 128]
ae_err = []
for p in sizes:
    m = aelab.Autoencoder(p, max_iter=150).fit(X_train)
    ae_err.append(-m.score(X_test))

pca_sizes = [p for p in sizes if p < 64]
pca_err = []
for p in pca_sizes:
    pca = PCA(p).fit(X_train)
    X_back = pca.inverse_transform(pca.transform(X_test))
    pca_err.append(0.5 * np.sum((X_back - X_test) ** 2) / len(X_test))

fig, ax = plt.subplots(figsize=(6, 3.6))
ax.plot(sizes, ae_err, "o-", label="autoencoder, 150 iterations")
ax.plot(pca_sizes, pca_err, "s--", color="grey", label="PCA, same size")
ax.axvline(64, color="k", lw=0.8)
ax.text(68, 1.0, "p = n = 64", fontsize=9)
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.set_xlabel("hidden units p")
ax.set_ylabel("test reconstruction error")
ax.legend(fontsize=8)
fig.tight_layout()
for i, (p, e) in enumerate(zip(sizes, ae_err)):
    ref = f"   PCA {pca_err[i]:.3f}" if p < 64 else ""
    print(f"p = {p:3d}: autoencoder {e:.3f}{ref}")

# %% [markdown]
# Read the plot:
#
# * **Small codes** lose a lot, and the autoencoder does as well as PCA: both keep the
#   few main directions along which digits vary.
# * **Medium codes** (32 units): within 150 iterations the autoencoder trails PCA. Trained
#   to convergence (set `max_iter=2000` and try it: about 10 s) it reaches PCA's error,
#   but not below it. With a linear decoder, sigmoid hidden units buy almost nothing over
#   PCA; notebook 04 tells that story.
# * **Wide codes** ($p \ge n$): the error keeps falling, and 128 units reconstruct better
#   than 64.
#
# A low error with a wide code sounds good. It is not, and here is why.

# %% [markdown]
# ### What goes wrong with a wide code and no regulariser
#
# The point of the bottleneck was to force the network to learn what digits look like. A
# code wider than the input removes that pressure: the network can learn (close to) the
# **identity map**, copying any input through, digit or not. Let us test that with
# images that are *not* digits.

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
narrow = aelab.Autoencoder(16, max_iter=150).fit(X_train)
wide = aelab.Autoencoder(128, max_iter=150).fit(X_train)

fig, axes = plt.subplots(1, 2, figsize=(10, 2.6))
for ax, (name, m) in zip(axes, [("16 units (narrow)", narrow), ("128 units (wide)", wide)]):
    aelab.plot_reconstructions(shapes, m.reconstruct(shapes), shape=(8, 8), n=6, ax=ax,
                               title=f"{name}: error on shapes {-m.score(shapes):.2f}")
fig.tight_layout()

# %% [markdown]
# The narrow model turns every shape into a blurry digit-like blob: it has learned what
# digits look like and can only draw digits. The wide model copies boxes, crosses and
# stripes almost perfectly. It is a good *copier*, which tells us little about digits.
#
# We can see the copying directly in the **Jacobian** $\partial \hat x / \partial x$ at a
# test digit: how much each output pixel moves when one input pixel is nudged. For this
# model, by the chain rule,
# $\partial \hat x/\partial x = W^{(2)}\,\mathrm{diag}\big(h(1-h)\big)\,W^{(1)}$. The
# identity map would give the identity matrix: a single diagonal line.

# %%
def jacobian(model, x):
    p = model.params_
    h = sigmoid(p["W1"] @ x + p["b1"])
    return p["W2"] @ ((h * (1 - h))[:, None] * p["W1"])


fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
for ax, (name, m) in zip(axes, [("16 units", narrow), ("128 units", wide)]):
    J = jacobian(m, X_test[0])
    ax.imshow(J, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_title(f"{name}: ∂x̂/∂x, trace {np.trace(J):.0f}")
    ax.set_xlabel("input pixel")
    ax.set_ylabel("output pixel")
fig.tight_layout()

# %% [markdown]
# The wide model's Jacobian is close to a bright diagonal: each output pixel follows its
# own input pixel, and little else. (The gaps are pixels near the border that are blank in
# every digit; no model learns anything about those.) The narrow model's Jacobian is a
# smeared, low-rank matrix: a nudge to one pixel is spread over a digit-shaped
# neighbourhood, or ignored.
#
# **Lesson.** A wide code is only useful when something else stops it from copying: a
# penalty that keeps most units silent (*sparsity*, notebooks 02 and 03), noise on the
# input that must be removed (*denoising*), or a penalty on the Jacobian itself
# (*contractive*). Without one, "more units" mostly means "a better photocopier".

# %% [markdown]
# ## 6. Try it live: the hidden-size slider
#
# Drag the slider and watch the reconstructions sharpen as the code widens (the model
# retrains from fresh weights each time; see the status line).

# %%
size_panel = aelab.Explorer(
    aelab.Autoencoder(n_hidden=16, max_iter=100),
    X_train,
    controls=("n_hidden",),
    views=("reconstructions", "loss"),
    image_shape=(8, 8),
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

# %% [markdown]
# ## Exercises
#
# ### Exercise 1: decode by hand
#
# Take the codes `H = model.transform(X_test[:5])` of five test digits. Using only `H`
# and the decoder's weights `W2`, `b2` (the output activation is the identity), compute
# their reconstructions and store them in `X_hat_mine`.

# %%
H = model.transform(X_test[:5])
X_hat_mine = None  # your code here

# %%
def check_decoder(X_hat_mine):
    expected = model.inverse_transform(model.transform(X_test[:5]))
    if X_hat_mine is None:
        print("Not yet: X_hat_mine is still None.")
    elif np.shape(X_hat_mine) != expected.shape:
        print(f"Shape {np.shape(X_hat_mine)}, expected {expected.shape}: one row per digit, "
              "one column per pixel. Did you transpose W2?")
    elif not np.allclose(X_hat_mine, expected):
        print("Right shape, wrong values. The decoder is H @ W2.T + b2: check the bias "
              "and that the output activation is the identity (no sigmoid here).")
    else:
        print("Correct: the decoder is one matrix product and a bias.")


check_decoder(X_hat_mine)

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

# %%
ok_for_ce = set()  # e.g. {"digits"}

# %%
def check_ce_choice(ok_for_ce):
    right = {"digits", "patches"}
    names = {"digits", "centred digits", "patches", "temperatures"}
    if not ok_for_ce:
        print("Not yet: the set is empty.")
    elif not ok_for_ce <= names:
        print(f"Unknown names {ok_for_ce - names}; use the names in quotes above.")
    elif ok_for_ce == right:
        print("Correct. Cross-entropy needs every value in [0, 1]: centring makes values "
              "negative, and temperatures below 0 °C stay negative after scaling.")
    else:
        for name in sorted(names):
            if (name in ok_for_ce) != (name in right):
                print(f"Look again at {name!r}: what is its smallest value? Its largest?")


check_ce_choice(ok_for_ce)

# %% [markdown]
# <details><summary>Show solutions</summary>
#
# ```python
# X_hat_mine = H @ W2.T + b2
# ok_for_ce = {"digits", "patches"}
# ```
# </details>
#
# ### Exercise 3 (open): a wide code that does not copy
#
# Train `aelab.Autoencoder(128, lam=1e-3, max_iter=150)` (λ adds *weight decay*, a
# penalty on large weights) and redo the "non-digits" test and the Jacobian plot. Does the
# model still copy the shapes? What did it cost on the test digits? Notebook 03 studies λ
# and the other knobs systematically.

# %% [markdown]
# ## Summary
#
# * An autoencoder is an encoder $h = f(W^{(1)}x + b^{(1)})$ and a decoder
#   $\hat x = g(W^{(2)}h + b^{(2)})$, trained to make $\hat x$ close to $x$.
# * The squared error works for any data. Cross-entropy treats outputs as probabilities:
#   it needs a sigmoid output and data in [0, 1] (aelab refuses anything else and says
#   why); its gradient does not vanish when a sigmoid output saturates.
# * Narrow (under-complete) codes must summarise: they lose detail but learn what the data
#   look like. Wide (over-complete) codes with no regulariser can approach the identity map
#   and copy anything, including inputs that look nothing like the training data.
# * So a wide code needs a regulariser. The next notebook adds the classic one, sparsity.
#
# Next: **02-sparse-autoencoder**.
