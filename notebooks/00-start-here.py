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
# # 00 · Start here
#
# Welcome to **aelab**, a hands-on course on autoencoders. You will train every model
# yourself, on your own machine or on Binder, and most notebooks have a *live panel*:
# move a slider and the model retrains while you watch.
#
# **In this notebook you will**
#
# 1. learn how the course is organised and how to run a notebook;
# 2. find out which array library (CPU or GPU) does the maths here;
# 3. meet the three data sets the course uses;
# 4. train your first autoencoder, in about a second;
# 5. learn how to drive a live panel.
#
# Run the cells in order with **Shift + Enter**. Every cell is short; read the text above
# it first, then run it and look at what comes out.

# %% [markdown]
# ## How the course works
#
# | notebook | what you learn |
# | --- | --- |
# | **00-start-here** | this page: set-up, data, the live panel |
# | **01-autoencoder-basics** | encoder, decoder and bottleneck; mse against cross-entropy; too small and too large codes |
# | **02-sparse-autoencoder** | the classic sparse autoencoder built step by step, with gradient checks; edge filters appear on natural images |
# | **03-choosing-hyperparameters** | what λ, β, ρ, ε and the hidden size do, and what values to try, answered by experiment |
# | **04-autoencoders-and-pca** | why a linear autoencoder finds the same subspace as PCA, and what nonlinearity and sparsity add |
# | **05-k-sparse-autoencoders** | sparsity by keeping the k largest activations; how k sets the scale of the features; dead units and annealing |
# | **06-denoising-and-contractive** | robustness by corrupting the input or by penalising the encoder's Jacobian, and how the two are related |
# | **07-stacked-autoencoders** | greedy layer-wise pretraining of a deep network, then fine-tuning it as a classifier |
# | **08-variational-autoencoder** | a probabilistic code: the reparameterisation trick, the KL term, sampling new digits |
#
# Take them in order: each one assumes the ideas of the ones before.
#
# Each notebook starts with its learning goals, ends with a summary, and has **exercises**.
# An exercise cell is followed by a *check* cell: run it and it tells you whether your
# answer is right, and if not, what to look at.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import aelab
from aelab.datasets import load_digits, load_mnist, natural_patches

print("aelab version", aelab.__version__)

# %% [markdown]
# ## Which backend does the maths?
#
# aelab does its arithmetic with whatever array library the data come in. NumPy arrays
# train on the CPU; [CuPy](https://cupy.dev) arrays train on an NVIDIA GPU, with no other
# change to your code. `available_backends()` says what this machine can use:

# %%
backends = aelab.available_backends()
backends

# %%
if backends["cupy"]:
    print("A CUDA GPU is available: pass cupy arrays to fit() to train on it.")
else:
    print("No GPU here: everything runs on the CPU with NumPy (which is all this course needs).")

# %% [markdown]
# ### Using a GPU (optional)
#
# Nothing in the course needs a GPU: the models are small and the notebooks are tuned to
# run on one CPU core. If you have an NVIDIA GPU and want to try it:
#
# 1. install the GPU extra in your environment: `pip install "aelab[gpu]"` (it pulls in
#    `cupy-cuda12x`);
# 2. move the data to the GPU with `cupy.asarray(X)` and fit as usual. The learned
#    parameters then live on the GPU too; `aelab.to_numpy(a)` copies any array back.
#
# The next cell does exactly that, and only runs where a GPU was found.

# %%
if backends["cupy"]:
    import cupy

    X_host, _ = load_digits()
    X_gpu = cupy.asarray(X_host)
    gpu_model = aelab.Autoencoder(16, max_iter=50).fit(X_gpu)
    print("W1 lives in", type(gpu_model.params_["W1"]).__module__)
    print("back on the host:", type(aelab.to_numpy(gpu_model.params_["W1"])))
else:
    print("skipped: no GPU")

# %% [markdown]
# ## The data sets at a glance
#
# Three small data sets come with the course and load without a network connection:
#
# * **digits**: 1 797 handwritten digits of 8×8 pixels (from scikit-learn);
# * **MNIST**: handwritten digits of 28×28 pixels. aelab ships 5 000 of them;
#   `load_mnist(source="auto")` fetches all 70 000 when the network allows.
#   We ask for the embedded ones, so nothing is downloaded;
# * **natural image patches**: 8×8 squares cut from two photographs, prepared the way the
#   classic Stanford UFLDL exercise does it.
#
# Every loader returns a NumPy array with **one example per row**, pixel values in
# [0, 1]. An image is a row reshaped to its height and width.

# %%
X_digits, y_digits = load_digits()
X_mnist, y_mnist = load_mnist(n=1000, source="embedded")
X_patches = natural_patches(2000)

for name, X in [("digits", X_digits), ("MNIST", X_mnist), ("patches", X_patches)]:
    print(f"{name:8s} shape {X.shape}, values in [{X.min():.2f}, {X.max():.2f}]")

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 4.2))
panels = [
    (X_digits, (8, 8), "digits: 8×8, 64 pixels"),
    (X_mnist, (28, 28), "MNIST: 28×28, 784 pixels"),
    (X_patches, (8, 8), "natural patches: 8×8, 64 pixels"),
]
for ax, (X, shape, title) in zip(axes, panels):
    grid = aelab.filter_grid_image(X[:36], shape=shape, normalize="none")
    ax.imshow(grid, cmap="gray", vmin=0, vmax=1)
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()

# %% [markdown]
# Most patches are nearly flat grey: smooth sky, blurred background. The others hold a
# piece of an edge, a line or a texture. In notebook 02 an autoencoder discovers that
# edges are the building blocks of such patches.

# %% [markdown]
# ## Your first autoencoder
#
# An autoencoder is a neural network trained to **output its own input**. That sounds
# pointless until you make the middle of the network narrow: to copy 64 pixels through
# 16 hidden units, the network has to find a compact description of the images.
#
# `aelab.Autoencoder` follows scikit-learn's conventions: you choose the settings
# (*hyperparameters*) when you make it, and `fit(X)` learns the weights.

# %%
X_train, X_test = X_digits[:1200], X_digits[1200:]

model = aelab.Autoencoder(n_hidden=16, max_iter=100)
start = time.perf_counter()
model.fit(X_train)
print(f"trained {model.n_iter_} iterations in {time.perf_counter() - start:.2f} s")

# %% [markdown]
# `reconstruct` sends images through the network: encode to 16 numbers, decode back to 64
# pixels. Top row: test digits the model never saw. Bottom row: what came out.

# %%
fig, ax = plt.subplots(figsize=(9, 2.4))
_ = aelab.plot_reconstructions(X_test, model.reconstruct(X_test), shape=(8, 8), n=12, ax=ax,
                               title="16 hidden units, 100 iterations")

# %% [markdown]
# The reconstructions are blurry but clearly the right digits: 16 numbers were enough to
# keep most of what matters. `loss_curve_` records the training objective after every
# iteration; it falls fast, then slowly.

# %%
fig, ax = plt.subplots(figsize=(5, 3))
aelab.plot_loss_curve(model.loss_curve_, ax=ax, title="training objective")
fig.tight_layout()

# %% [markdown]
# ## The live panel
#
# Most notebooks show a panel like the one below. It has **controls** (sliders and
# buttons) on top and **views** (pictures of the model) underneath.
#
# * **Move a slider** and the model retrains straight away, in the background. The pictures
#   are redrawn while it trains, so you see the change begin at once and settle as training
#   converges. Moving the slider again cancels the training in flight; you never have to
#   wait for a stale one to finish.
# * The **status line** under the sliders says what is happening: the iteration, the loss,
#   the time so far, and whether this was a **warm** or a **fresh** start.
# * A **warm start** continues from the weights the model already has. The panel uses it
#   when only the strength of a penalty changed (λ, β, ρ), since the old answer is a good
#   starting point for the new one. A **fresh start** draws new initial weights; it is
#   needed when the shape of the network changes (hidden size), or when what you changed
#   *is* the starting point (ε, the seed, the reset button).
# * If something goes wrong (a setting the model refuses, training that diverges), the panel
#   says so in red or yellow, right there.
#
# This panel trains on the digits, with two controls: λ (weight decay, notebook 02 explains
# it) and the number of hidden units. The views show the filters (what each hidden unit
# responds to), some reconstructions, and the loss curve.

# %%
panel = aelab.Explorer(
    aelab.Autoencoder(n_hidden=16, max_iter=60),
    X_train,
    controls=("lam", "n_hidden", "seed", "reset"),
    views=("filters", "reconstructions", "loss"),
    image_shape=(8, 8),
)
panel

# %% [markdown]
# Sliders can also be moved from code, which is handy for exercises and for instructors
# preparing a demo. `panel.wait()` blocks until the newest retrain has drawn its final
# frame. The next cell changes λ (a warm start) and then the hidden size (a fresh start),
# and prints the status line after each; scroll up to see the panel follow. Each view's
# latest frame is a PNG image in `panel.views[name].value`, so it can also be shown (or
# saved) from code: the cell ends by showing the filters of the 8-unit model.

# %%
import re


def status_text(panel):
    """The panel's status line without its HTML tags."""
    return re.sub(r"<[^>]+>", "", panel.status.value)


panel.wait()
panel.controls["lam"].value = 1e-3
panel.wait()
print("after λ → 1e-3:     ", status_text(panel))

panel.controls["n_hidden"].value = 8
panel.wait()
print("after hidden → 8:   ", status_text(panel))

from IPython.display import Image

Image(panel.views["filters"].value)

# %% [markdown]
# ## Exercise: how much does the bottleneck matter?
#
# Train two autoencoders on `X_train`, one with **4** hidden units and one with **32**
# (keep `max_iter=100`). Store their test reconstruction errors in `err4` and `err32`.
#
# *Hint:* `model.score(X_test)` returns the **negative** mean reconstruction error (higher
# is better, as in scikit-learn), so the error is `-model.score(X_test)`.

# %%
# Your code here. Replace the two None.
err4 = None
err32 = None

# %% [markdown]
# Run the check:

# %%
def check_bottleneck(err4, err32):
    # training is seeded, so the right answers are reproduced exactly (up to rounding)
    m4, m32 = (aelab.Autoencoder(k, max_iter=100).fit(X_train) for k in (4, 32))
    ref4, ref32 = -m4.score(X_test), -m32.score(X_test)
    if err4 is None or err32 is None:
        print("Not yet: set err4 and err32 to the two test errors.")
    elif err4 < 0 or err32 < 0:
        print("An error cannot be negative: did you forget the minus sign in -model.score(X_test)?")
    elif np.isclose(err4, -m4.score(X_train), rtol=1e-4) or np.isclose(
            err32, -m32.score(X_train), rtol=1e-4):
        print("That is the error on the training digits: score the models on X_test, the "
              "digits they never saw.")
    elif not (np.isclose(err4, ref4, rtol=1e-4) and np.isclose(err32, ref32, rtol=1e-4)):
        print(f"Close, but expected about {ref4:.3f} and {ref32:.3f}: "
              "did you train on X_train, test on X_test, and keep max_iter=100?")
    else:
        print(f"Right. 4 units: {err4:.3f}; 32 units: {err32:.3f}. "
              f"The wider code loses {err4 / err32:.0f}× less. Notebook 01 asks what goes wrong "
              "when the code gets too wide.")


check_bottleneck(err4, err32)

# %% [markdown]
# <details><summary>Show a solution</summary>
#
# ```python
# err4 = -aelab.Autoencoder(4, max_iter=100).fit(X_train).score(X_test)
# err32 = -aelab.Autoencoder(32, max_iter=100).fit(X_train).score(X_test)
# ```
# </details>

# %% [markdown]
# ## Summary
#
# * The course runs in order, 00 → 04 and on; each notebook has goals, exercises with
#   checks, and a summary.
# * aelab computes with the array library of your data: NumPy on the CPU, CuPy on a GPU
#   (`pip install "aelab[gpu]"`, then `cupy.asarray(X)`).
# * Three data sets: 8×8 digits, 28×28 MNIST, 8×8 natural image patches; one example per
#   row, values in [0, 1].
# * An autoencoder learns to reproduce its input through a narrow hidden layer;
#   `Autoencoder(n_hidden=...).fit(X)` trains one in about a second.
# * A live panel retrains when a control moves, redraws while it trains, and says on its
#   status line whether it continued from the current weights (warm) or started afresh.
#
# Next: **01-autoencoder-basics**, where we open the network up.
