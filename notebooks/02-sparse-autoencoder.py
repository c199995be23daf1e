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
# # 02 · The sparse autoencoder, rebuilt from scratch
#
# Stanford's UFLDL tutorial has a classic exercise: write the cost function of a *sparse*
# autoencoder and its gradient by hand, check the gradient numerically, train it on small
# patches of natural photographs, and look at the filters it learns. This notebook rebuilds
# that exercise, measures what the filters are, and then hands you sliders that retrain the
# model while you watch.
#
# **After this notebook you can**
#
# 1. say why the image patches are normalised to the interval [0.1, 0.9];
# 2. write the sparse-autoencoder objective in NumPy, one term at a time — reconstruction,
#    weight decay, KL sparsity — together with the gradient of each term;
# 3. write your own central-difference gradient check, and read the number it gives;
# 4. train the model to convergence with `aelab`, and measure whether its filters are
#    localized oriented edges rather than take a picture's word for it;
# 5. predict what happens when β = 0 or when λ is large, and test the prediction with
#    converged models that differ in that one setting only.
#
# Exercises are marked **✎ Exercise**. Each is followed by a check that tells you what is
# wrong, if anything, and each experiment asks for your prediction first. The whole notebook
# runs in about a minute.

# %%
import copy

import matplotlib.pyplot as plt
import numpy as np

import aelab
from aelab.claims import claim
from aelab.datasets import natural_patches
from aelab.exercises import compare_prediction, nb02
from aelab.exercises.nb02 import flatten, unflatten
from aelab.filters import edge_test
from aelab.gradcheck import relative_difference
from aelab.metrics import lifetime_sparsity, mean_activation, reconstruction_error

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1 · The data: 8×8 patches of natural images
#
# `natural_patches(10000)` cuts 10 000 random 8×8 squares out of two photographs (a
# temple and a flower, shipped with scikit-learn, shrunk to half size) and returns them as
# rows of 64 pixels. Before cutting, each photograph is *pre-whitened* (`whiten=True`, the
# default): its Fourier amplitudes are multiplied by the frequency f (with a roll-off near the
# highest frequencies), which flattens the 1/f spectrum of natural images. Olshausen and Field
# prepared the ten images that the UFLDL exercise uses this way. Without it, a few slow
# brightness gradients carry a large share of the variance of a patch, and so of the squared
# error; the cell below measures how large.
#
# Then every patch is normalised in three steps:
#
# | step | what | why |
# | --- | --- | --- |
# | 1 | subtract the patch's own mean | overall brightness says nothing about *structure*; without this, a unit would be wasted on "how bright is this patch" |
# | 2 | clip at ±3 standard deviations (of all pixels), then divide by 3σ | a few extreme pixels would otherwise set the scale and squeeze everything else into a narrow band; after the division every pixel lies in [−1, 1] |
# | 3 | map [−1, 1] linearly onto **[0.1, 0.9]** | the decoder ends in a sigmoid, whose outputs live in (0, 1) |

# %% [markdown]
# Why not map onto [0, 1]? A sigmoid only *approaches* 0 and 1: to output exactly 0 it would
# need an infinitely negative input, so the weights would keep growing to chase those targets.
# Worse, near 0 and 1 the sigmoid is flat, its derivative σ(z)(1 − σ(z)) is nearly zero, and
# the gradient that is supposed to correct a wrong output vanishes. Keeping the targets inside
# [0.1, 0.9] keeps them reachable and keeps σ′ ≥ 0.1 · 0.9 = 0.09.

# %%
X = natural_patches(10000)
X_raw = natural_patches(10000, whiten=False)     # the same positions, not pre-whitened


def top3_share(P):
    """Fraction of the patches' variance along their 3 leading principal components."""
    s = np.linalg.svd(P - P.mean(axis=0), compute_uv=False) ** 2
    return s[:3].sum() / s.sum()


at_ends = np.mean((X <= 0.1 + 1e-9) | (X >= 0.9 - 1e-9))
print(f"X: {X.shape}, values in [{X.min():.2f}, {X.max():.2f}], "
      f"{100 * at_ends:.1f} % of pixels clipped to 0.1 or 0.9")
claim(X.min() >= 0.1 - 1e-12 and X.max() <= 0.9 + 1e-12, "every pixel lies in [0.1, 0.9]",
      min=X.min(), max=X.max())
off_centre = np.abs(X.mean(axis=1) - 0.5)
claim(np.median(off_centre) < 0.01 and off_centre.max() < 0.1,
      "patches are centred on 0.5; clipping moves a few patch means by a few hundredths",
      median=np.median(off_centre), worst=off_centre.max())
claim(top3_share(X_raw) > 0.4 and top3_share(X) < 0.3,
      "the 3 leading principal components (slow gradients) carry over 40 % of the variance of "
      "raw patches, under 30 % after pre-whitening",
      raw=top3_share(X_raw), whitened=top3_share(X))

fig, (ax_img, ax_hist) = plt.subplots(1, 2, figsize=(11, 4.2), width_ratios=[1, 1.4])
aelab.plot_filters(X[:100], ax=ax_img, normalize="none",
                   title="100 training patches (grey = 0.5)")
counts, edges, _ = ax_hist.hist(X.ravel(), bins=80, color="0.45")
ax_hist.set(xlabel="pixel value after normalisation (no unit)", ylabel="number of pixels",
            title=f"all {X.size:,} pixel values")
for edge in (0.1, 0.9):
    ax_hist.axvline(edge, color="#D55E00", ls="--", lw=1)
ax_hist.annotate("clipped pixels\npile up at the ends", xy=(0.895, counts[-1]),
                 xytext=(0.6, 0.8 * counts.max()), arrowprops=dict(arrowstyle="->"))
plt.tight_layout()

# %% [markdown]
# The patches are mostly grey with a few light and dark strokes. The histogram is centred on
# 0.5 (each patch's mean was removed; clipping an extreme pixel afterwards moves its patch's
# mean a little) and has a spike at each end where step 2 clipped the extremes: the end bins
# hold more pixels than the bins just inside them.

# %%
claim(counts[0] > counts[1:4].max() and counts[-1] > counts[-4:-1].max(),
      "the end bins (the clipped pixels) hold more pixels than the bins just inside them",
      first=counts[0], inside_first=counts[1:4].max(), last=counts[-1],
      inside_last=counts[-4:-1].max());

# %% [markdown]
# ## 2 · The objective, one term at a time
#
# We store one example per **row**, as NumPy and scikit-learn do: `X` is *m × n* (here
# n = 64 pixels). With p hidden units, the parameters are W₁ (*p × n*), b₁ (*p*),
# W₂ (*n × p*) and b₂ (*n*), and the forward pass is
#
# $$Z_2 = X W_1^\top + b_1,\qquad A_2 = \sigma(Z_2),\qquad
#   Z_3 = A_2 W_2^\top + b_2,\qquad \hat X = A_3 = \sigma(Z_3).$$
#
# (The UFLDL notes and Johnson & Ramsundar write one example as a column vector, so their
# $W^{(1)}x$ is our `X @ W1.T`; the maths is the same.)
#
# The objective of the generalized sparse autoencoder has three terms:
#
# $$J = \underbrace{\frac1m\sum_{i=1}^m \tfrac12\lVert \hat x_i - x_i\rVert^2}_{\text{reconstruction}}
#   \;+\; \underbrace{\frac\lambda2\left(\lVert W_1\rVert_F^2 + \lVert W_2\rVert_F^2\right)}_{\text{weight decay}}
#   \;+\; \underbrace{\beta\sum_{j=1}^p \mathrm{KL}(\rho\,\Vert\,\hat\rho_j)}_{\text{sparsity}},
#   \qquad \hat\rho_j = \frac1m\sum_i (A_2)_{ij}.$$
#
# The gradient of a sum is the sum of the gradients, so we write each term as its own
# function returning `(J_term, grads_term)` and check each one before moving on.
# Parameters travel as a dict `{"W1", "b1", "W2", "b2"}`, the layout `aelab` uses;
# `flatten` and `unflatten` (from `aelab.exercises.nb02`) turn it into one vector θ and back.
#
# For the checks we use 20 patches and 5 hidden units: a numerical gradient costs two
# evaluations of J per parameter, and 5 units already give 709 parameters. The checks compare
# your values with `aelab`'s, and name the usual mistake when they differ.

# %%
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(params, X):
    """The forward pass: returns A2 (m × p, hidden activations) and A3 (m × n, output)."""
    A2 = sigmoid(X @ params["W1"].T + params["b1"])
    A3 = sigmoid(A2 @ params["W2"].T + params["b2"])
    return A2, A3


X_small = X[:20]
# The library's UFLDL initialisation (uniform on ±√(6/(n+p+1)), zero biases), so that
# everything below can be compared with aelab number for number.
params0 = aelab.SparseAutoencoder(n_hidden=5).initial_params(X_small)
{name: value.shape for name, value in params0.items()}

# %% [markdown]
# ### Step 1 · Reconstruction
#
# $J_\text{rec} = \frac1m\sum_i \tfrac12\lVert \hat x_i - x_i\rVert^2$. Backpropagation runs
# the error backwards through the two layers. With σ′(z) = σ(z)(1 − σ(z)) = a(1 − a):
#
# $$\delta_3 = \tfrac1m (A_3 - X)\odot A_3\odot(1-A_3) \quad (m\times n),\qquad
#   \delta_2 = (\delta_3 W_2)\odot A_2\odot(1-A_2) \quad (m\times p),$$
#
# $$\nabla_{W_2} = \delta_3^\top A_2,\quad \nabla_{b_2} = \textstyle\sum_i \delta_3,\qquad
#   \nabla_{W_1} = \delta_2^\top X,\quad \nabla_{b_1} = \textstyle\sum_i \delta_2 .$$
#
# (Putting the 1/m into δ₃ means every later sum over examples is already an average.)
#
# **✎ Exercise 1.** Complete `reconstruction_term`.

# %% nbgrader={"grade": false, "grade_id": "answer_reconstruction_term", "locked": false, "schema_version": 3, "solution": true, "task": false}
def reconstruction_term(params, X):
    """J_rec and its gradient. Returns (float, dict of arrays shaped like params)."""
    m = X.shape[0]
    A2, A3 = forward(params, X)
    # BEGIN SOLUTION
    J = 0.5 * np.sum((A3 - X) ** 2) / m
    delta3 = (A3 - X) * A3 * (1 - A3) / m
    delta2 = (delta3 @ params["W2"]) * A2 * (1 - A2)
    grads = {"W1": delta2.T @ X, "b1": delta2.sum(axis=0),
             "W2": delta3.T @ A2, "b2": delta3.sum(axis=0)}
    # END SOLUTION
    return J, grads


# %% nbgrader={"grade": true, "grade_id": "check_reconstruction", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Check for exercise 1: the value and each gradient against aelab's.
nb02.check_reconstruction(reconstruction_term, params0, X_small).assert_ok()

# %% [markdown]
# ### Gradient checking, by hand
#
# The check above compared your gradient with the library's. On a new model there is no
# library to compare with; what you always have is J itself. Flatten the parameters into one
# vector θ, nudge one coordinate at a time by ±h and take the **central difference**
# $\bigl(J(\theta + h e_i) - J(\theta - h e_i)\bigr) / 2h$, whose error shrinks like h² (a
# one-sided difference's shrinks only like h). Then compare with backprop's gradient g by the
# *relative* difference ‖g_num − g‖ / ‖g_num + g‖, which does not care how large J happens to
# be. In float64 a correct gradient gives about 1e-9 or less (UFLDL's bar); a bug typically
# gives 1e-3 to 1.
#
# **✎ Exercise 2.** Write `numerical_gradient_mine(J, theta, h)`: for every coordinate i,
# evaluate J with θᵢ raised by h and with θᵢ lowered by h, and store the central difference.
# Leave `theta` as you found it (the check calls your function on a test function whose
# gradient it knows, and tells you if the formula, the step or the bookkeeping is off).

# %% nbgrader={"grade": false, "grade_id": "answer_numerical_gradient_mine", "locked": false, "schema_version": 3, "solution": true, "task": false}
def numerical_gradient_mine(J, theta, h=1e-4):
    """Central-difference estimate of the gradient of J at theta.

    J: a function of a 1-D float array, returning a number. theta: 1-D float64 array.
    Returns an array shaped like theta; theta is unchanged afterwards.
    """
    grad = np.zeros_like(theta)
    # BEGIN SOLUTION
    for i in range(theta.size):
        old = theta[i]
        theta[i] = old + h
        up = J(theta)
        theta[i] = old - h
        down = J(theta)
        theta[i] = old
        grad[i] = (up - down) / (2 * h)
    # END SOLUTION
    return grad


# %% nbgrader={"grade": true, "grade_id": "check_numerical_gradient", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Check for exercise 2: your function on a test function with a known gradient.
nb02.check_numerical_gradient(numerical_gradient_mine).assert_ok()

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_step", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# Now use it on your reconstruction term. **Predict first:** the truncation error of a
# central difference shrinks like h². If you used h = 1e-2 instead of 1e-4, would the
# relative difference come out "larger", "about the same" or "smaller"?

# %%
my_prediction_step = None   # ✎ one of "larger", "about the same", "smaller"

# %%
theta0 = flatten(params0)


def J_rec_of_theta(theta):
    return reconstruction_term(unflatten(theta, params0), X_small)[0]


g_backprop = flatten(reconstruction_term(params0, X_small)[1])
rel_diff = {h: relative_difference(numerical_gradient_mine(J_rec_of_theta, theta0.copy(), h),
                                   g_backprop) for h in (1e-4, 1e-2)}
print(f"{theta0.size} parameters; relative difference {rel_diff[1e-4]:.2e} with h = 1e-4, "
      f"{rel_diff[1e-2]:.2e} with h = 1e-2")
ratio = rel_diff[1e-2] / rel_diff[1e-4]
claim(1e3 < ratio < 1e5, "100 times the step gives about 100² = 10⁴ times the relative "
      "difference (the error of a central difference shrinks like h²)", ratio=ratio)
claim(rel_diff[1e-4] < 2e-9, "with h = 1e-4 the reconstruction gradient agrees to about 1e-9",
      rel_diff=rel_diff[1e-4])
compare_prediction(my_prediction_step, "larger" if ratio > 3 else "about the same",
                   choices=("larger", "about the same", "smaller"),
                   why="the central difference's error is about h²·J‴/6 per coordinate: 100 "
                       "times the step, 10⁴ times the error. Much smaller steps do not help "
                       "either: the rounding error of J, divided by 2h, grows as h shrinks.")

# %% [markdown]
# The reconstruction gradient sits right at UFLDL's bar: its truncation error is of order h²
# times the third derivatives of J. The full cost below, whose gradient is larger, clears it
# comfortably.
#
# ### Step 2 · Weight decay
#
# $J_\text{wd} = \frac\lambda2\left(\lVert W_1\rVert_F^2 + \lVert W_2\rVert_F^2\right)$, the sum
# of all squared weights. The biases are **not** decayed: a bias only shifts a unit's
# operating point and cannot make the model wiggly, so there is no reason to shrink it.
#
# **✎ Exercise 3.** Complete `weight_decay_term`. (Hint: the derivative of ½w² is w.)

# %% nbgrader={"grade": false, "grade_id": "answer_weight_decay_term", "locked": false, "schema_version": 3, "solution": true, "task": false}
def weight_decay_term(params, lam):
    """J_wd and its gradient (zeros for the biases)."""
    # BEGIN SOLUTION
    W1, W2 = params["W1"], params["W2"]
    J = 0.5 * lam * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    grads = {"W1": lam * W1, "b1": np.zeros_like(params["b1"]),
             "W2": lam * W2, "b2": np.zeros_like(params["b2"])}
    # END SOLUTION
    return J, grads


# %% nbgrader={"grade": true, "grade_id": "check_weight_decay", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Check for exercise 3 (λ = 1e-4, UFLDL's value). The check gives the biases small nonzero
# values first: at the initialisation they are 0, where a decayed bias would go unnoticed.
nb02.check_weight_decay(weight_decay_term, params0, X_small, lam=1e-4).assert_ok()

# %% [markdown]
# ### Step 3 · KL sparsity
#
# Each hidden unit should be *off* most of the time: its mean activation over the training
# set, ρ̂ⱼ, should be close to a small target ρ (UFLDL: 0.01). The penalty treats ρ and ρ̂ⱼ as
# the probabilities of two coins and charges their Kullback–Leibler divergence,
#
# $$\mathrm{KL}(\rho\,\Vert\,\hat\rho_j) = \rho\log\frac{\rho}{\hat\rho_j}
#   + (1-\rho)\log\frac{1-\rho}{1-\hat\rho_j},$$
#
# which is 0 when ρ̂ⱼ = ρ and grows steeply as ρ̂ⱼ moves away (without bound as it nears 0 or
# 1). Its derivative is
#
# $$\frac{d}{d\hat\rho_j}\mathrm{KL} = -\frac{\rho}{\hat\rho_j} + \frac{1-\rho}{1-\hat\rho_j}.$$
#
# ρ̂ⱼ is an average over examples of A₂, so each example receives 1/m of that derivative at
# its hidden layer, and the chain rule continues through σ′ as before:
#
# $$\delta_2^{\text{sparse}} = \frac\beta m\Bigl(-\frac{\rho}{\hat\rho} + \frac{1-\rho}{1-\hat\rho}\Bigr)
#   \odot A_2\odot(1-A_2)\quad(\text{the row vector broadcast over the } m \text{ rows}),\qquad
#   \nabla_{W_1} = (\delta_2^{\text{sparse}})^\top X,\quad
#   \nabla_{b_1} = \textstyle\sum_i \delta_2^{\text{sparse}}.$$
#
# W₂ and b₂ do not affect ρ̂, so their gradients are 0.
#
# **✎ Exercise 4.** Complete `sparsity_term`.

# %% nbgrader={"grade": false, "grade_id": "answer_sparsity_term", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sparsity_term(params, X, beta, rho):
    """β Σⱼ KL(ρ ‖ ρ̂ⱼ) and its gradient."""
    m = X.shape[0]
    A2, _ = forward(params, X)
    rho_hat = A2.mean(axis=0)
    # BEGIN SOLUTION
    J = beta * np.sum(rho * np.log(rho / rho_hat)
                      + (1 - rho) * np.log((1 - rho) / (1 - rho_hat)))
    dkl = -rho / rho_hat + (1 - rho) / (1 - rho_hat)          # shape (p,)
    delta2 = (beta / m) * dkl * A2 * (1 - A2)                   # shape (m, p)
    grads = {"W1": delta2.T @ X, "b1": delta2.sum(axis=0),
             "W2": np.zeros_like(params["W2"]), "b2": np.zeros_like(params["b2"])}
    # END SOLUTION
    return J, grads


# %% nbgrader={"grade": true, "grade_id": "check_sparsity", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Check for exercise 4 (β = 3, ρ = 0.01).
nb02.check_sparsity(sparsity_term, params0, X_small, beta=3.0, rho=0.01).assert_ok()

# %% [markdown]
# ### All three together — checked by your own gradient check
#
# The UFLDL notes fold the sparsity derivative straight into δ₂ of the reconstruction
# backprop, $\delta_2 = \bigl(\delta_3 W_2 + \tfrac\beta m \mathrm{KL}'(\hat\rho)\bigr)\odot
# \sigma'(Z_2)$, and `aelab`'s engine does the same (see the docstring of
# `aelab.autoencoder`). Because everything after that point is linear in δ₂, this gives exactly
# the sum of our separate gradients. Below, your `numerical_gradient_mine` checks the whole
# cost at the UFLDL settings λ = 1e-4, β = 3, ρ = 0.01, as the UFLDL exercise does, and the
# cost is compared with the library's, value and gradient.

# %%
def sparse_autoencoder_cost(params, X, lam=1e-4, beta=3.0, rho=0.01):
    terms = [reconstruction_term(params, X), weight_decay_term(params, lam),
             sparsity_term(params, X, beta, rho)]
    J = sum(t[0] for t in terms)
    grads = {k: sum(t[1][k] for t in terms) for k in nb02.KEYS}
    return J, grads


J_mine, g_mine = sparse_autoencoder_cost(params0, X_small)
g_num = numerical_gradient_mine(
    lambda th: sparse_autoencoder_cost(unflatten(th, params0), X_small)[0], theta0.copy())
rd_full = relative_difference(g_num, flatten(g_mine))
J_lib, g_lib = aelab.SparseAutoencoder(n_hidden=5).objective(X_small, params=params0)
rd_lib = relative_difference(flatten(g_mine), flatten(g_lib))
print(f"J: ours {J_mine:.12f}   aelab {J_lib:.12f}")
claim(rd_full < 1e-9, "your gradient check passes UFLDL's bar on the full cost", rel_diff=rd_full)
claim(abs(J_mine - J_lib) < 1e-12 and rd_lib < 1e-12,
      "our cost is aelab's, value and gradient, up to rounding",
      dJ=abs(J_mine - J_lib), rel_diff=rd_lib);

# %% [markdown]
# From here on we let `aelab` do the work. The library runs this same finite-difference test
# on its own objective for every combination of options; `aelab.check_gradient(model, X)`
# runs it for any model you build (keep X small: it costs two evaluations of J per parameter).

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_convergence", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# ## 3 · Train it: 10 000 patches, 25 hidden units, L-BFGS to convergence
#
# `aelab.SparseAutoencoder()` *is* the UFLDL setup: 64 → 25 → 64 sigmoid units, λ = 1e-4,
# β = 3, ρ = 0.01, trained with L-BFGS (a quasi-Newton method that uses the whole data set at
# every step). UFLDL runs L-BFGS for a fixed **400 iterations**, which is also the class's
# default `max_iter`; at 400 this model has not converged (`fit` would warn). So we train to
# convergence, with `tol=1e-5`: L-BFGS stops when the largest gradient component falls below
# 1e-5 or an iteration lowers J by less than 1e-8 of its value. The `callback` keeps a copy
# of the filters at iteration 400, so we can see what UFLDL's budget would have given; it is
# the same run, so nothing else differs.
#
# **Predict first:** from iteration 400 to convergence, will the filters change "a lot" or
# "hardly"?

# %%
my_prediction_convergence = None   # ✎ one of "a lot", "hardly"

# %%
TOL = 1e-5          # the convergence tolerance of every model in sections 3 and 5
at_400 = {}


def report(progress):
    if progress.iteration == 400:
        at_400["W1"] = progress.model.params_["W1"].copy()
        at_400["J"] = progress.loss
    if progress.iteration % 300 == 0:
        print(f"iteration {progress.iteration:4d}   J = {progress.loss:.5f}   "
              f"{progress.elapsed:4.1f} s")
    return False  # returning True would stop the training


model = aelab.SparseAutoencoder(max_iter=3000, tol=TOL).fit(X, callback=report)
print(f"stopped: {model.stop_reason_} after {model.n_iter_} iterations, J = {model.loss_curve_[-1]:.5f}")
claim(model.converged_ and model.n_iter_ > 400,
      "the UFLDL model needs more than UFLDL's 400 iterations to converge", n_iter=model.n_iter_);

# %% [markdown]
# **Are they edges? Measure, don't squint.** `aelab.filters.edge_test` asks two questions of
# every filter (each with its mean removed): is its energy concentrated — a *spatial spread*
# (the energy-weighted RMS distance from its centre, in pixels) smaller than that of 95 % of
# random white-noise filters — and does it have a direction — an *orientation coherence*
# (how much its gradients share one direction, 0 to 1) larger than that of 95 % of random
# filters? An edge passes both; a grating that fills the patch fails on spread; a blob fails
# on coherence. Random filters pass both about 0.25 % of the time.

# %%
H = model.transform(X)          # hidden activations, 10 000 × 25
rho_hat = mean_activation(H)
edges, info = edge_test(model.components_, (8, 8))
edges_400, _ = edge_test(at_400["W1"], (8, 8))
print(f"pass the edge test: {edges.sum()} of {edges.size} filters converged, "
      f"{edges_400.sum()} at iteration 400; random filters: {100 * info['random_rate']:.2f} %")
print(f"thresholds: spread < {info['max_spread']:.2f} px, coherence > {info['min_coherence']:.2f}")

fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), width_ratios=[1, 1.15, 1.25])
aelab.plot_filters(model, ax=axes[0], title="encoder filters (rows of W₁), converged\n"
                                             "orange box: fails the edge test")
for j in np.flatnonzero(~edges):   # tile j sits at row j // 5, column j % 5 of the grid
    r, c = divmod(j, 5)
    axes[0].add_patch(plt.Rectangle((c * 9 + 0.5, r * 9 + 0.5), 8, 8, fill=False,
                                    ec="#E69F00", lw=2.5))
noise = np.random.default_rng(0).normal(size=(2000, 64))
_, noise_info = edge_test(noise, (8, 8))
axes[1].scatter(noise_info["spread"], noise_info["coherence"], s=4, c="0.7",
                label="random filters")
axes[1].scatter(info["spread"], info["coherence"], s=30, c="#0072B2", label="learned filters")
axes[1].axvline(info["max_spread"], color="k", ls="--", lw=1)
axes[1].axhline(info["min_coherence"], color="k", ls="--", lw=1)
axes[1].set(xlabel="spatial spread (pixels)", ylabel="orientation coherence (0–1)",
            title="edges sit top left of the dashed lines", xlim=(1.5, 4), ylim=(0, 1))
axes[1].legend(loc="lower left")
axes[2].plot(np.arange(1, model.n_iter_ + 1), model.loss_curve_, color="#0072B2")
axes[2].axvline(400, color="#D55E00", ls="--", lw=1, label="UFLDL's 400 iterations")
axes[2].set(xscale="log", yscale="log", xlabel="L-BFGS iteration", ylabel="objective J",
            title="objective during training")
axes[2].legend()
plt.tight_layout()

# %%
share = edges.mean()
claim(share >= 0.6 and info["random_rate"] < 0.01,
      "most filters are localized and oriented, against well under 1 % of random filters",
      share=share, random=info["random_rate"])
dJ = (at_400["J"] - model.loss_curve_[-1]) / model.loss_curve_[-1]
claim(dJ < 0.02 and abs(edges.sum() - edges_400.sum()) <= 4,
      "from 400 iterations to convergence J falls by under 2 % and the edge count moves by a "
      "few tiles at most", dJ=dJ, at_400=edges_400.sum(), converged=edges.sum())
compare_prediction(my_prediction_convergence,
                   "hardly" if abs(edges.sum() - edges_400.sum()) <= 4 else "a lot",
                   choices=("a lot", "hardly"),
                   why="UFLDL's 400 iterations get the filters' shapes nearly right; the rest "
                       "of the run polishes them. (Section 5's β = 0 model needs about twice "
                       "as many iterations as this one.)")

# %% [markdown]
# **Reading the picture.** Each tile is one hidden unit's row of W₁ shown as an 8×8 image
# (mid-grey = 0, white = positive, black = negative, each tile scaled to its own range): the
# input pattern that drives the unit hardest. The measurement above says most tiles are
# **localized and oriented**: a light band beside a dark band, at different positions and
# angles. "Localized" is modest on an 8×8 patch: most edges are narrow across their
# orientation but run the length of the patch. The tiles in orange boxes fail the test; look
# at them and at the scatter plot — they fail mainly on spread: gratings of several bands or
# blob-like patterns that fill the patch, with weaker directions than the edges. Oriented,
# localized filters like these are what Olshausen and Field (1996) found by sparse coding of
# natural images, and resemble the receptive fields of simple cells in the primary visual
# cortex. Section 5 tests what produces them, by switching sparsity off.
#
# The sparsity term did its job: every unit's mean activation ρ̂ⱼ is near the target
# ρ = 0.01, and a unit's output exceeds 0.5 on fewer than 1 in 100 patches.

# %%
active = (H > 0.5).mean(axis=0)     # the fraction of patches on which each unit is "on"
print(f"ρ̂ⱼ from {rho_hat.min():.4f} to {rho_hat.max():.4f} (target ρ = {model.rho}); "
      f"on (> 0.5) for {100 * active.min():.2f} % to {100 * active.max():.2f} % of patches")
claim(np.all((rho_hat > 0.005) & (rho_hat < 0.02)), "every unit's ρ̂ⱼ is near ρ = 0.01",
      min=rho_hat.min(), max=rho_hat.max())
claim(active.max() < 0.01, "each unit's output exceeds 0.5 on fewer than 1 in 100 patches",
      most=active.max())

fig, ax = plt.subplots(figsize=(8, 3.2))
ax.bar(np.arange(model.n_hidden), rho_hat, color="#0072B2")
ax.axhline(model.rho, color="#D55E00", ls="--", label="target ρ = 0.01")
ax.set(xlabel="hidden unit j", ylabel="mean activation ρ̂ⱼ (0–1)", ylim=(0, 0.03),
       title="mean activation of each hidden unit over the 10 000 patches")
ax.legend()
plt.tight_layout()

# %% [markdown]
# ## 4 · The live panel: move a slider, watch it retrain
#
# The `Explorer` retrains the model whenever a control moves and redraws its filters,
# reconstructions (inputs above, outputs below), mean activations and loss curve *while it
# trains*. A change of λ, β or ρ continues from the current weights (a *warm start*); a
# change of ε or the hidden size starts from fresh random weights (a *fresh start*). The
# status line says which, and whether the retrain converged.
#
# | control | meaning |
# | --- | --- |
# | λ | weight decay (log scale) |
# | β | weight of the sparsity penalty |
# | ρ | target mean activation |
# | ε | standard deviation of the initial weights N(0, ε²); ticking "default init" uses UFLDL's uniform ±√(6/(n+p+1)) instead. (Not the ε of ZCA whitening — see notebook 03.) |
# | hidden size | number of hidden units p |
#
# To keep each retrain to a second or two (even on a one-core Binder) the panel works on a
# **budget**: 4 000 of the patches, at most 200 L-BFGS iterations per retrain, in single
# precision (`dtype="float32"`). Its pictures are therefore *not converged* (the status line
# says so); use it to explore, and the converged models of sections 3 and 5 to conclude.
#
# Beside the sliders the panel sets two **challenges**, checked after every retrain that
# ends: let the units loose (their average ρ̂ at least 5 × ρ), and raise λ until the filters
# fade (their median norm below 10 % of its size at initialisation). Each is ticked off
# with a line on why it worked; after three retrains that miss, a hint appears. The
# pictures under the loss chart are **pins**: press "pin", move a slider, and the pinned
# filters and loss stay beside the live ones for comparison.
#
# > If the panel below is blank, you are reading a static copy of the notebook: run it in
# > JupyterLab, Notebook 7 or Voilà to get live widgets.

# %%
from aelab.explorer.course import course_challenges

X_live = X[:4000]   # the patches were drawn at random, so the first 4 000 are a fair sample
panel = aelab.Explorer(aelab.SparseAutoencoder(max_iter=200, dtype="float32"), X_live,
                       controls=("lam", "beta", "rho", "epsilon", "n_hidden"),
                       image_shape=(8, 8), challenges=course_challenges("02"))
panel

# %% [markdown]
# Controls can also be moved from code, which is how instructors script a demonstration and
# how the tests drive the panel. Setting a control's `.value` starts a retrain exactly as
# dragging it does; `wait()` blocks until the final frame is drawn. Here we raise ρ to 0.05
# — watch the panel above change — and then put it back.

# %%
panel.wait()
panel.controls["rho"].value = 0.05
panel.wait()
stats = panel.stats
print(f"retrained ({'warm' if stats['warm_start'] else 'fresh'} start) in "
      f"{stats['time_to_final_frame']:.1f} s, first frame after "
      f"{stats['time_to_first_frame']:.2f} s, stopped on {stats['stop_reason']}")
claim(stats["warm_start"], "a change of ρ continues from the current weights (a warm start)")
panel.controls["rho"].value = 0.01
panel.wait()
_ = claim(not any(c.done for c in panel.challenges),
          "these two retrains reach neither challenge: both are yours to solve",
          misses=[c.misses for c in panel.challenges])

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_beta", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# Things to try: β = 0 (no sparsity); ρ = 0.1 (units may be on ten times as often); 9 or 100
# hidden units; a tiny ε such as 0.001; λ between 1e-4 and 1e-3. Then check what you saw
# with a converged model, as in the next section.
#
# ## 5 · Exercises: what do β and λ do?
#
# Each experiment below changes **one** setting of the section-3 model and keeps everything
# else — the 10 000 patches, the initial weights (`seed=0`), the tolerance `TOL`, λ or β —
# and trains to convergence, so any difference has one cause.
#
# **✎ Exercise 5 — no sparsity.** Train `aelab.SparseAutoencoder(beta=0.0, max_iter=3000,
# tol=TOL)` on `X`. **Predict first:** will the units' mean activation "stay near ρ" or "rise
# far above ρ"? Then measure
#
# * `rho_hat_b0`: the mean activation of each hidden unit (an array of 25 numbers), and
# * `sparsity_b0`: `lifetime_sparsity(H)` averaged over the units — 1 means a unit responds to
#   a single patch, 0 means it responds equally to all of them.

# %%
my_prediction_beta = None   # ✎ one of "stay near ρ", "rise far above ρ"

# %% nbgrader={"grade": false, "grade_id": "answer_model_b0", "locked": false, "schema_version": 3, "solution": true, "task": false}
# BEGIN SOLUTION
model_b0 = aelab.SparseAutoencoder(beta=0.0, max_iter=3000, tol=TOL).fit(X)
H_b0 = model_b0.transform(X)
rho_hat_b0 = mean_activation(H_b0)
sparsity_b0 = lifetime_sparsity(H_b0).mean()
# END SOLUTION
print(f"β = 0: {model_b0.stop_reason_} after {model_b0.n_iter_} iterations; mean ρ̂ = "
      f"{rho_hat_b0.mean():.3f}, mean lifetime sparsity = {sparsity_b0:.3f}")

# %% nbgrader={"grade": true, "grade_id": "check_no_sparsity", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Check for exercise 5: one setting changed, converged, measured right.
nb02.check_no_sparsity(model_b0, rho_hat_b0, sparsity_b0, X, reference=model).assert_ok()

# %%
sparsity_b3 = lifetime_sparsity(H).mean()
err_b3 = reconstruction_error(X, model.reconstruct(X))
err_b0 = reconstruction_error(X, model_b0.reconstruct(X))
edges_b0, _ = edge_test(model_b0.components_, (8, 8))
print(f"{'':8s}{'mean ρ̂':>9s}{'lifetime sparsity':>19s}{'error':>8s}{'edges':>7s}")
print(f"{'β = 3':8s}{rho_hat.mean():9.3f}{sparsity_b3:19.3f}{err_b3:8.4f}{edges.sum():7d}")
print(f"{'β = 0':8s}{rho_hat_b0.mean():9.3f}{sparsity_b0:19.3f}{err_b0:8.4f}{edges_b0.sum():7d}")
claim(rho_hat_b0.mean() > 10 * model.rho, "without the penalty the mean activation rises far "
      "above ρ", rho_hat_b0=rho_hat_b0.mean())
claim(sparsity_b0 < 0.5 * sparsity_b3, "without the penalty the units respond to most patches "
      "(lifetime sparsity less than half of β = 3's)", beta0=sparsity_b0, beta3=sparsity_b3)
claim(err_b0 < 0.5 * err_b3, "without the penalty the reconstruction error is less than half",
      beta0=err_b0, beta3=err_b3)
claim(edges_b0.sum() <= 0.2 * edges.sum(), "without the penalty the localized oriented "
      "filters (almost) vanish", beta0=edges_b0.sum(), beta3=edges.sum())
claim(model_b0.n_iter_ > 1.5 * model.n_iter_, "the β = 0 model needs about twice as many "
      "iterations to converge", beta0=model_b0.n_iter_, beta3=model.n_iter_)
compare_prediction(my_prediction_beta,
                   "rise far above ρ" if rho_hat_b0.mean() > 10 * model.rho else "stay near ρ",
                   choices=("stay near ρ", "rise far above ρ"),
                   why="nothing but the KL term holds ρ̂ at ρ; without it the units settle "
                       "near the middle of the sigmoid, where they pass the most information.")

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4.4), width_ratios=[1, 1, 1.5])
aelab.plot_filters(model, ax=axes[0], title=f"β = 3: {edges.sum()} of 25 pass the edge test")
aelab.plot_filters(model_b0, ax=axes[1],
                   title=f"β = 0: {edges_b0.sum()} of 25 pass the edge test")
units = np.arange(model.n_hidden)
axes[2].semilogy(units, rho_hat, "o", color="#0072B2", label="β = 3")
axes[2].semilogy(units, rho_hat_b0, "s", color="#D55E00", label="β = 0")
axes[2].axhline(model.rho, color="k", ls="--", lw=1, label="target ρ = 0.01")
axes[2].set(xlabel="hidden unit j", ylabel="mean activation ρ̂ⱼ (log scale)", ylim=(3e-3, 1),
            title="mean activation, both models converged")
axes[2].legend()
plt.tight_layout()

# %% [markdown] nbgrader={"grade": false, "grade_id": "predict_my_prediction_lam", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": true}
# *What it shows.* With the same data, initial weights and tolerance, removing the sparsity
# penalty — and nothing else — makes every unit busy on most patches, cuts the reconstruction
# error by more than half, and replaces the localized oriented filters by spread-out,
# noisy, high-frequency patterns. So it is sparsity, not the photographs alone, that produces the
# edges: 25 units describe a 64-pixel patch best by all contributing a little to every patch,
# like a (rotated) principal component analysis — notebook 04 makes the link to PCA precise —
# while a unit that may be on for only 1 % of the patches must specialise on a rare, particular
# structure, and a short oriented edge is such a structure. (The β = 0 model also needs about
# twice as many iterations: its objective hardly changes when the hidden units are mixed
# among themselves, so L-BFGS crawls along those directions.)
#
# **✎ Exercise 6 — strong weight decay.** Train with λ = 1e-3, ten times UFLDL's value
# (`max_iter=3000, tol=TOL` on `X` again), and compute
#
# * `w_norm_big`: the Frobenius norm of its W₁ (`np.linalg.norm`), and
# * `err_big`: its reconstruction error on `X` (`reconstruction_error(X, X_hat)`).
#
# **Predict first:** will `err_big` be "near the λ = 1e-4 model's" error or "near the mean
# patch's", the error of a "model" that outputs the average patch for every input
# (`err_mean`, computed for you below)?

# %%
my_prediction_lam = None   # ✎ one of "near the λ = 1e-4 model's", "near the mean patch's"

# %% nbgrader={"grade": false, "grade_id": "answer_model_big", "locked": false, "schema_version": 3, "solution": true, "task": false}
err_mean = reconstruction_error(X, np.tile(X.mean(axis=0), (len(X), 1)))
# BEGIN SOLUTION
model_big = aelab.SparseAutoencoder(lam=1e-3, max_iter=3000, tol=TOL).fit(X)
w_norm_big = np.linalg.norm(model_big.params_["W1"])
err_big = reconstruction_error(X, model_big.reconstruct(X))
# END SOLUTION
print(f"‖W₁‖ = {w_norm_big:.2g} (λ = 1e-4 gave {np.linalg.norm(model.params_['W1']):.1f});  "
      f"error {err_big:.4f} against {err_mean:.4f} for the average patch")

# %% nbgrader={"grade": true, "grade_id": "check_strong_decay", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Check for exercise 6: one setting changed, converged, measured right.
nb02.check_strong_decay(model_big, w_norm_big, err_big, X, reference=model).assert_ok()

# %%
rho_hat_big = mean_activation(model_big.transform(X))
claim(w_norm_big < 1e-3 * np.linalg.norm(model.params_["W1"]) and err_big < 1.01 * err_mean,
      "with λ = 1e-3 the weights collapse and the model outputs the mean patch",
      w_norm=w_norm_big, err=err_big, err_mean=err_mean)
claim(np.allclose(rho_hat_big, model.rho, atol=1e-4),
      "with no weights left, every unit's activation is held at ρ by its bias alone",
      rho_hat=rho_hat_big)
compare_prediction(my_prediction_lam,
                   "near the mean patch's" if err_big < 1.01 * err_mean
                   else "near the λ = 1e-4 model's",
                   choices=("near the λ = 1e-4 model's", "near the mean patch's"),
                   why="ten times the weight decay makes every edge cost more than it saves "
                       "in reconstruction error: see below.")

# %% [markdown]
# *Why it collapses.* Look at what each term wants when W₁ = 0. Weight decay is then 0, its
# minimum. The sparsity term can still be exactly 0 too: with no weights, a unit's activation
# is σ(b₁ⱼ) on every patch, and the bias b₁ⱼ = log(ρ/(1 − ρ)) makes it exactly ρ (measured
# above). Only the reconstruction term pays, and the decoder bias makes the best of it by
# outputting the mean patch. So "all weights zero" is a *trivial solution* that two of the
# three terms love; once λ is large enough, what the edges save in reconstruction error no
# longer covers what their weights cost, and training falls into it. Even the healthy model
# of section 3 passed near it: the flat stretch of its loss curve early in training sits at
# the mean-patch error, before the edges grew (the next cell measures it). That plateau is
# also why a loose tolerance is dangerous: an optimizer that stops when J barely moves can
# stop *on* it and call that convergence, as the next cell shows with `tol=1e-4`. Look at
# the loss curve, not only at `converged_`.
#
# The filter grid of a collapsed model is misleading: `plot_filters` scales every tile to its
# own range, so even weights a thousand times smaller than the healthy model's look like
# patterns. Always check the norms.

# %%
plateau = np.asarray(model.loss_curve_[10:40])
claim(np.all(np.abs(plateau / err_mean - 1) < 0.05),
      "iterations 10–40 of the section-3 run sit within 5 % of the mean-patch error",
      lowest=plateau.min(), highest=plateau.max(), err_mean=err_mean)
# The same model with a tolerance 10 times looser than TOL: L-BFGS declares convergence...
model_loose = aelab.SparseAutoencoder(max_iter=3000, tol=10 * TOL).fit(X)
err_loose = reconstruction_error(X, model_loose.reconstruct(X))
print(f"tol = {10 * TOL:g}: {model_loose.stop_reason_} after {model_loose.n_iter_} iterations, "
      f"error {err_loose:.4f} (mean patch {err_mean:.4f}; section 3, tol = {TOL:g}: "
      f"{reconstruction_error(X, model.reconstruct(X)):.4f})")
claim(model_loose.converged_ and err_loose > 0.95 * err_mean,
      "with a tolerance ten times looser, L-BFGS stops on the plateau, at the mean patch",
      n_iter=model_loose.n_iter_, err=err_loose, err_mean=err_mean);

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), width_ratios=[1, 1.6])
aelab.plot_filters(model_big, ax=axes[0], title="λ = 1e-3, each tile scaled to its range")
for m_, label, colour in [(model, "λ = 1e-4 (section 3)", "#0072B2"),
                          (model_big, "λ = 1e-3", "#D55E00")]:
    axes[1].semilogy(units, np.linalg.norm(m_.params_["W1"], axis=1), "o-", color=colour,
                     label=label)
axes[1].set(xlabel="hidden unit j", ylabel="‖row j of W₁‖ (log scale)",
            title="the real size of the filters, both converged")
axes[1].legend()
plt.tight_layout()

# %% [markdown]
# ## Summary
#
# * Patches are mean-removed, clipped at ±3σ and squeezed into **[0.1, 0.9]** so that a
#   sigmoid output can reach every target without saturating; the photographs are
#   pre-whitened first, so slow brightness gradients do not dominate the squared error.
# * The sparse-autoencoder objective is a sum of three terms — **reconstruction**,
#   **weight decay λ** (weights only, not biases) and **KL sparsity β** pulling each unit's
#   mean activation ρ̂ⱼ towards ρ — and its gradient is the sum of theirs. The sparsity
#   gradient enters backprop at the hidden layer as (β/m)·KL′(ρ̂) ⊙ σ′(Z₂).
# * A **gradient check** (central differences, h = 1e-4, relative difference ≲ 1e-9 in
#   float64) catches backprop bugs that training would quietly hide; its error grows like h².
# * Trained to convergence on natural patches, the sparse autoencoder learns filters that are
#   **mostly localized and oriented** (measured against random filters; the rest are gratings
#   and blobs). UFLDL's 400 iterations give nearly the same picture.
# * Changing one setting at a time: without sparsity (β = 0) every unit is busy, the error
#   halves and the edges vanish; with too much weight decay all weights collapse to zero and
#   the model outputs the mean patch.
#
# **Next:** notebook 03 answers, by experiment, how to choose λ, β, ρ, ε and the hidden size;
# notebook 04 shows what happens with *linear* units, where the autoencoder becomes PCA.
