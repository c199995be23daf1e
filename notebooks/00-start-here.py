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
# 4. train your first autoencoder, and learn how it is trained (full-batch L-BFGS);
# 5. learn the course's rule for convergence: when a model has finished training, and how a
#    cell says that it trains for a fixed budget on purpose;
# 6. learn how to drive a live panel.
#
# Run the cells in order with **Shift + Enter**. Every cell is short; read the text above
# it first, then run it and look at what comes out.

# %% [markdown]
# ## How the course works
#
# | notebook | what you learn |
# | --- | --- |
# | **00-start-here** | this page: set-up, data, the optimiser, convergence, the live panel, the reading list |
# | **01-autoencoder-basics** | encoder, decoder and bottleneck; squared error against cross-entropy; why a sigmoid code with a linear decoder gains nothing over PCA; too small and too large codes |
# | **02-sparse-autoencoder** | the classic sparse autoencoder built step by step, with gradient checks; edge filters appear on natural images |
# | **03-choosing-hyperparameters** | what λ, β, ρ, ε and the hidden size do, and what values to try, answered by experiment |
# | **04-autoencoders-and-pca** | why a linear autoencoder finds the same subspace as PCA (but not its axes), and what nonlinearity and sparsity add to the features |
# | **05-k-sparse-autoencoders** | sparsity by keeping the k largest activations; how k sets the scale of the features; dead units and annealing |
# | **06-denoising-and-contractive** | robustness by corrupting the input or by penalising the encoder's Jacobian, and how the two are related |
# | **07-stacked-autoencoders** | greedy layer-wise pretraining of a deep network, fine-tuning it as a classifier, and when pretraining helps |
# | **08-variational-autoencoder** | a probabilistic code: the ELBO, the reparameterisation trick, the KL term, sampling new digits, posterior collapse |
# | **09-sparse-autoencoders-for-interpretability** | sparse autoencoders as a microscope: superposition, top-k against L1 on data with known features, shrinkage, dead latents and AuxK |
#
# Take them in order: each one assumes the ideas of the ones before.

# %% [markdown]
# Each notebook starts with its learning goals, ends with a summary, and has **exercises**.
# Most exercises ask you first to **predict** the outcome (write it in a variable such as
# `my_prediction`), then to run the experiment or write the code. A *check* cell follows:
# it tells you whether your answer is right and, if not, what to look at. Every number the
# text states is computed in the notebook and checked by a `claim(...)` line, which prints ✓
# with the measured evidence.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import aelab
from aelab.claims import claim
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
    with aelab.fixed_budget("50 iterations: only to show where the weights live"):
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

# %% tags=["nbval-check-output"]
X_digits, y_digits = load_digits()
X_mnist, y_mnist = load_mnist(n=1000, source="embedded")
X_patches = natural_patches(2000)

for name, X in [("digits", X_digits), ("MNIST", X_mnist), ("patches", X_patches)]:
    print(f"{name:8s} shape {X.shape}, values in [{X.min():.2f}, {X.max():.2f}]")
claim(X_digits.shape == (1797, 64) and X_mnist.shape[1] == 28 * 28
      and X_patches.shape[1] == 64, "1 797 digits of 64 pixels; MNIST digits of 784 pixels; "
      "patches of 64 pixels", digits=X_digits.shape, mnist=X_mnist.shape, patches=X_patches.shape)
claim(all(0 <= X.min() and X.max() <= 1 for X in (X_digits, X_mnist, X_patches)),
      "every data set has its values in [0, 1]")
_ = claim(load_mnist(source="embedded")[0].shape[0] == 5000, "aelab ships 5 000 MNIST digits")

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 4), layout="constrained")
panels = [
    (X_digits, (8, 8), "digits: 8×8 pixels"),
    (X_mnist, (28, 28), "MNIST: 28×28 pixels"),
    (X_patches, (8, 8), "natural patches: 8×8 pixels"),
]
for ax, (X, shape, title) in zip(axes, panels):
    grid = aelab.filter_grid_image(X[:36], shape=shape, normalize="none")
    im = ax.imshow(grid, cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"{title}, first 36")
    ax.axis("off")
fig.colorbar(im, ax=axes, shrink=0.8, label="pixel value (0 black, 1 white; all panels)")
_ = fig.suptitle("The three data sets, one example per tile, on one grey scale")

# %% [markdown]
# More than half of the patches are nearly flat grey (smooth sky, blurred background): the
# pixel values inside such a patch vary by a standard deviation below 0.05. The others hold
# a piece of an edge, a line or a texture. In notebook 02 an autoencoder discovers that edges
# are the building blocks of such patches.

# %%
flat = float(np.mean(X_patches.std(axis=1) < 0.05))
_ = claim(flat > 0.5, "more than half of the patches are nearly flat (pixel std below 0.05)",
      fraction_flat=flat)

# %% [markdown]
# ## Your first autoencoder
#
# An autoencoder is a neural network trained to **output its own input**. That sounds
# pointless until you make the middle of the network narrow: to copy 64 pixels through
# 16 hidden units, the network has to find a compact description of the images.
#
# `aelab.Autoencoder` follows scikit-learn's conventions: you choose the settings
# (*hyperparameters*) when you make it, and `fit(X)` learns the weights.

# %% [markdown]
# ### How `fit` trains it: full-batch L-BFGS
#
# Unless told otherwise, aelab uses **full-batch L-BFGS**
# (`optimizer="lbfgs"`, a quasi-Newton method from SciPy). Every L-BFGS iteration computes
# the objective, the mean reconstruction error over *all* training digits, and its exact
# gradient. So training minimises one fixed, deterministic function: the same data and the
# same seed give the same weights every time, and `max_iter` counts **iterations**, each
# one step downhill (its line search may evaluate the objective a few times). The
# alternatives, `optimizer="adam"` and `"sgd"`, are **minibatch** methods: each step sees a
# random batch of `batch_size` examples, so the loss they follow is a noisy estimate that
# changes from step to step, and for them `max_iter` counts **epochs**, passes over the
# whole training set of many steps each. The course uses L-BFGS unless a notebook says
# otherwise.
#
# `tol` is the stopping tolerance: L-BFGS stops as *converged* once the largest component of
# the gradient falls below `tol`. If instead the objective stops changing at the level of
# float64 round-off, or the line search finds no step that lowers it, the fit stops as
# *stalled* (`stop_reason_ == "stalled"`, `converged_` false): no further progress is
# possible, but the gradient test was not met. The default, `tol=None`, means 1e-5 for L-BFGS:
# the first-order optimality tolerance of minFunc, the optimizer of the UFLDL exercise (and
# SciPy's L-BFGS-B default). For the small models of these first notebooks we use `tol=1e-4`;
# where a claim needs a tighter optimum, a notebook passes a smaller `tol` and says so.

# %%
X_train, X_test = X_digits[:1200], X_digits[1200:]

model = aelab.Autoencoder(n_hidden=16, tol=1e-4, max_iter=5000)
start = time.perf_counter()
model.fit(X_train)
seconds = time.perf_counter() - start
print(f"optimizer {model.optimizer!r}: {model.n_iter_} iterations in {seconds:.1f} s")
print(f"converged_ = {model.converged_}, stop_reason_ = {model.stop_reason_!r}")

# %% [markdown]
# `reconstruct` sends images through the network: encode to 16 numbers, decode back to 64
# pixels. Top row: test digits the model never saw. Bottom row: what came out.

# %%
fig, ax = plt.subplots(figsize=(9, 2.4))
_ = aelab.plot_reconstructions(X_test, model.reconstruct(X_test), shape=(8, 8), n=12, ax=ax,
                               title="12 test digits (8×8 pixels) through 16 hidden units")

# %% [markdown]
# The reconstructions are blurry but still the right digits. To check that on every test
# digit, not just these twelve, give the reconstructions to a nearest-neighbour classifier
# that knows only the training digits and their labels: it names almost every reconstructed
# test digit correctly, nearly as often as the originals.

# %%
from sklearn.neighbors import KNeighborsClassifier

y_train, y_test = y_digits[:1200], y_digits[1200:]
knn = KNeighborsClassifier(n_neighbors=1).fit(X_train, y_train)
acc_original = knn.score(X_test, y_test)
acc_reconstructed = knn.score(model.reconstruct(X_test), y_test)
_ = claim(acc_reconstructed > 0.9 and acc_reconstructed > acc_original - 0.05,
      "a 1-nearest-neighbour classifier names over 90 % of the reconstructed test digits "
      "correctly, within 5 points of the originals",
      reconstructed=acc_reconstructed, original=acc_original)

# %% [markdown]
# `loss_curve_` records the training objective after every iteration. It falls fast, then
# slowly: most of the decrease happens in the first few percent of the iterations, and the
# long tail is the optimiser closing in on the minimum.

# %%
fig, ax = plt.subplots(figsize=(6, 3.2))
aelab.plot_loss_curve(model.loss_curve_, ax=ax,
                      title=f"training objective, converged after {model.n_iter_} iterations")
ax.set_xlabel("L-BFGS iteration")
ax.set_ylabel("J: mean ½‖x̂ − x‖² per digit")
fig.tight_layout()

curve = np.asarray(model.loss_curve_)
done = (curve[0] - curve) / (curve[0] - curve[-1])  # share of the total decrease so far
first_90 = int(np.argmax(done >= 0.9)) + 1
_ = claim(first_90 <= 0.05 * len(curve),
      "90 % of the total decrease happens in the first 5 % of the iterations",
      iterations_to_90_percent=first_90, iterations=len(curve))

# %% [markdown]
# ## Did it converge? The course's rule
#
# A model trained for a fixed number of iterations may stop long before its minimum, and
# then whatever you conclude from it is partly a conclusion about the *budget*. So every
# `fit` records why it stopped:
#
# * `model.converged_` is True when training met its tolerance;
# * `model.stop_reason_` says why it stopped: `"converged"`, `"max_iter"` (it ran out of
#   iterations, or of epochs for Adam and SGD), `"callback"` (a live panel stopped it) or
#   `"diverged"`;
# * when it stops on `max_iter`, `fit` warns with **`aelab.ConvergenceWarning`** (a subclass
#   of scikit-learn's `ConvergenceWarning`).
#
# The course's rule: **compare settings only with converged models.** The model above
# converged. The next cell gives the same model only 10 iterations and shows the warning it
# raises. (When the course's tests run the notebooks, an unannounced ConvergenceWarning is an
# error, so this cell catches it to show it.)

# %%
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")  # show the warning here, whatever the global setting
    short = aelab.Autoencoder(n_hidden=16, max_iter=10).fit(X_train)
print(f"converged_ = {short.converged_}, stop_reason_ = {short.stop_reason_!r}")
print(f"{caught[-1].category.__name__}: {caught[-1].message}")

# %% [markdown]
# Sometimes a small budget *is* the point, as here: we want to see what a conclusion drawn
# at a budget looks like. A cell then announces it by training inside
# `with aelab.fixed_budget("why the budget is the point"):`, which silences the warning for
# that block only, and its prose says so.
#
# **The budget at work.** After 10 iterations, a 32-unit code reconstructs the test digits
# no better than a 16-unit code: you might conclude that extra units are useless. Train the
# 32-unit model to convergence as well, and it loses far less than the 16-unit one. The
# first conclusion was about the 10-iteration budget, not about code sizes.

# %%
with aelab.fixed_budget("10 iterations on purpose: what a budget comparison looks like"):
    at_10 = {p: -aelab.Autoencoder(p, max_iter=10).fit(X_train).score(X_test) for p in (16, 32)}
model32 = aelab.Autoencoder(32, tol=1e-4, max_iter=5000).fit(X_train)
converged_err = {16: -model.score(X_test), 32: -model32.score(X_test)}
for p in (16, 32):
    print(f"{p} units: test error {at_10[p]:.3f} after 10 iterations, "
          f"{converged_err[p]:.3f} converged")
claim(at_10[32] > 0.95 * at_10[16],
      "after 10 iterations the 32-unit code is no better than the 16-unit code (within 5 %)",
      ratio_32_to_16=at_10[32] / at_10[16])
_ = claim(model32.converged_ and converged_err[32] < 0.5 * converged_err[16],
      "converged, the 32-unit code loses less than half as much as the 16-unit code",
      ratio_32_to_16=converged_err[32] / converged_err[16])

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

# %% [markdown]
# This panel trains on the digits, with two controls: λ (weight decay, notebook 02 explains
# it) and the number of hidden units. A panel trains each model for at most `max_iter`
# iterations (60 here, so that it answers quickly): a fixed budget by design, and its status
# line says "not converged" whenever the budget, not the tolerance, stopped the training.
# Use a panel to see *how* things change; draw conclusions from converged models. The views show the filters (what each hidden unit
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

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# ## Exercise: how much does the bottleneck matter?
#
# Train two autoencoders on `X_train`, one with **2** hidden units (`model2`) and one with
# **8** (`model8`), both to convergence (`tol=1e-4` and a generous `max_iter`, as above), and
# store their test reconstruction errors in `err2` and `err8`.
#
# *Hint:* `model.score(X_test)` returns the **negative** mean reconstruction error (higher
# is better, as in scikit-learn).
#
# **First, predict.** Before you train anything: how many times larger will `err2` be than
# `err8`? Write your guess in `my_prediction`.

# %%
from aelab.exercises import compare_numeric_prediction
from aelab.exercises.nb00 import check_bottleneck

my_prediction = None  # ✎ your guess for err2 / err8, a number: set it BEFORE training

# %% nbgrader={"grade": false, "grade_id": "answer_model2", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Train model2 and model8 here, then set err2 and err8.
# BEGIN SOLUTION
model2 = aelab.Autoencoder(2, tol=1e-4, max_iter=5000).fit(X_train)
model8 = aelab.Autoencoder(8, tol=1e-4, max_iter=5000).fit(X_train)
err2, err8 = -model2.score(X_test), -model8.score(X_test)
# END SOLUTION

# %% [markdown]
# Run the check, then compare the outcome with your prediction:

# %% nbgrader={"grade": true, "grade_id": "check_bottleneck", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_bottleneck(err2, err8, model2, model8, X_train, X_test).assert_ok()

# %%
compare_numeric_prediction(
    my_prediction, err2 / err8, name="err2 / err8",
    why="two numbers per digit keep only the broadest strokes; eight keep enough for a "
        "recognisable digit. Notebook 01 asks what goes wrong when the code gets too wide.")

# %% [markdown]
# ## Summary
#
# * The course runs in order, 00 → 08; each notebook has goals, exercises with checks, and
#   a summary.
# * aelab computes with the array library of your data: NumPy on the CPU, CuPy on a GPU
#   (`pip install "aelab[gpu]"`, then `cupy.asarray(X)`).
# * Three data sets: 8×8 digits, 28×28 MNIST, 8×8 natural image patches; one example per
#   row, values in [0, 1].
# * An autoencoder learns to reproduce its input through a narrow hidden layer;
#   `Autoencoder(n_hidden=...).fit(X)` trains one with full-batch L-BFGS, one deterministic
#   objective over all training examples.
# * Look at `converged_` and `stop_reason_`; compare settings only with converged models; a
#   deliberate budget is announced with `with aelab.fixed_budget("..."):`.
# * A live panel retrains when a control moves, redraws while it trains, and says on its
#   status line whether it continued from the current weights (warm) or started afresh.
#
# Next: **01-autoencoder-basics**, where we open the network up.

# %% [markdown]
# ## Reading list
#
# The papers behind the course, with what each is worth reading for.
#
# ### Autoencoders and PCA
#
# * **Bourlard & Kamp (1988)**, *Auto-association by multilayer perceptrons and singular
#   value decomposition*, Biological Cybernetics 59. With linear output units and squared
#   error, the best one-hidden-layer auto-associator is given by the SVD of the data;
#   nonlinear hidden units add nothing (notebooks 01, 04).
# * **Baldi & Hornik (1989)**, *Neural networks and principal component analysis: learning
#   from examples without local minima*, Neural Networks 2. A linear autoencoder's error has
#   no spurious local minima: its minimum projects onto the principal subspace, and the other
#   critical points are saddles (notebook 04).
# * **Hinton & Salakhutdinov (2006)**, *Reducing the dimensionality of data with neural
#   networks*, Science 313. Deep autoencoders, pretrained layer by layer with RBMs and then
#   fine-tuned, give far better low-dimensional codes than PCA (notebook 07).
# * **Saxe, McClelland & Ganguli (2014)**, *Exact solutions to the nonlinear dynamics of
#   learning in deep linear neural networks*, ICLR. Even linear networks learn nonlinearly in
#   time: plateaus then rapid drops, one input–output mode at a time, stronger modes first
#   (notebook 04).
# * **Plaut (2018)**, *From principal subspaces to principal components with linear
#   autoencoders*, arXiv:1804.10253. A trained linear autoencoder's weights span the
#   principal subspace without being the principal directions; the paper shows how to
#   recover the principal directions (the loading vectors) from those weights (notebook 04).
# * **Kunin, Bloom, Goeva & Seed (2019)**, *Loss landscapes of regularized linear
#   autoencoders*, ICML. With L2 weight decay the encoder and decoder become transposes at
#   every critical point, and the decoder's left singular vectors are the principal
#   directions (notebook 04).

# %% [markdown]
# ### Regularised and probabilistic autoencoders, and what makes features good
#
# * **Vincent, Larochelle, Bengio & Manzagol (2008)**, *Extracting and composing robust
#   features with denoising autoencoders*, ICML; and **Vincent et al. (2010)**, *Stacked
#   denoising autoencoders*, JMLR 11. Reconstruct the clean input from a corrupted one, and
#   stack such layers to pretrain deep networks (notebooks 06, 07).
# * **Glorot & Bengio (2010)**, *Understanding the difficulty of training deep feedforward
#   neural networks*, AISTATS. Their "normalized" initialisation, uniform on
#   ±√6/√(n_in + n_out), is UFLDL's ±√(6/(n_in + n_out + 1)) up to the +1 (notebooks 02, 03).
# * **Coates, Lee & Ng (2011)**, *An analysis of single-layer networks in unsupervised
#   feature learning*, AISTATS. Simple choices (whitening, many features, dense
#   extraction) matter more than which unsupervised algorithm learns the features: with
#   them, k-means on whitened patches gave state-of-the-art results on CIFAR-10 and NORB
#   (notebooks 02, 03).
# * **Rifai, Vincent, Muller, Glorot & Bengio (2011)**, *Contractive auto-encoders: explicit
#   invariance during feature extraction*, ICML. Penalise the Frobenius norm of the encoder's
#   Jacobian ∂h/∂x (notebook 06).
# * **Bengio, Courville & Vincent (2013)**, *Representation learning: a review and new
#   perspectives*, IEEE TPAMI 35. The survey that puts regularised, denoising and contractive
#   autoencoders beside probabilistic models and the manifold view of representations.
# * **Makhzani & Frey (2013)**, *k-Sparse autoencoders*, arXiv:1312.5663 (ICLR 2014). Linear
#   units with tied weights, keeping only the k largest hidden activations (notebook 05).
# * **Kingma & Welling (2014)**, *Auto-encoding variational Bayes*, ICLR. The variational
#   autoencoder: a lower bound on the likelihood, trained with the reparameterisation trick
#   (notebook 08).
