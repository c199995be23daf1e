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
# patches of natural photographs, and watch edge detectors appear. This notebook rebuilds
# that exercise, then hands you sliders that retrain the model while you watch.
#
# **After this notebook you can**
#
# 1. say why the image patches are normalised to the interval [0.1, 0.9];
# 2. write the sparse-autoencoder objective in NumPy, one term at a time — reconstruction,
#    weight decay, KL sparsity — together with the gradient of each term;
# 3. check a gradient against central finite differences, and read the number you get;
# 4. train the model with `aelab`, and read its filters and its mean activations ρ̂;
# 5. predict what happens to the filters when β = 0 or when λ is large, and test the
#    prediction.
#
# Exercises are marked **✎ Exercise**. Each comes with a check cell that tells you what is
# wrong, if anything. The whole notebook runs in well under a minute.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import aelab
from aelab.datasets import natural_patches
from aelab.gradcheck import numerical_gradient, relative_difference
from aelab.metrics import lifetime_sparsity, mean_activation, reconstruction_error

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1 · The data: 8×8 patches of natural images
#
# `natural_patches(10000)` cuts 10 000 random 8×8 squares out of two photographs (a
# temple and a flower, shipped with scikit-learn) and returns them as rows of 64 pixels.
# Before cutting, each photograph is *pre-whitened*: natural images carry far more energy at
# low spatial frequencies than at high ones, and flattening that spectrum (as Olshausen and
# Field did for the images the UFLDL exercise uses) keeps the autoencoder from spending all
# its units on blurry brightness gradients.
#
# Then every patch is normalised in three steps:
#
# | step | what | why |
# | --- | --- | --- |
# | 1 | subtract the patch's own mean | overall brightness says nothing about *structure*; without this, a unit would be wasted on "how bright is this patch" |
# | 2 | clip at ±3 standard deviations (of all pixels), then divide by 3σ | a few extreme pixels would otherwise set the scale and squeeze everything else into a narrow band; after the division every pixel lies in [−1, 1] |
# | 3 | map [−1, 1] linearly onto **[0.1, 0.9]** | the decoder ends in a sigmoid, whose outputs live in (0, 1) |
#
# Why not map onto [0, 1]? A sigmoid only *approaches* 0 and 1: to output exactly 0 it would
# need an infinitely negative input, so the weights would keep growing to chase those targets.
# Worse, near 0 and 1 the sigmoid is flat, its derivative σ(z)(1 − σ(z)) is nearly zero, and
# the gradient that is supposed to correct a wrong output vanishes. Keeping the targets inside
# [0.1, 0.9] keeps them reachable and keeps σ′ ≥ 0.09.

# %%
X = natural_patches(10000)
print("X:", X.shape, f"values in [{X.min():.2f}, {X.max():.2f}]")

fig, (ax_img, ax_hist) = plt.subplots(1, 2, figsize=(10, 4), width_ratios=[1, 1.3])
aelab.plot_filters(X[:100], ax=ax_img, normalize="none", title="100 training patches")
ax_hist.hist(X.ravel(), bins=80, color="tab:gray")
ax_hist.set(xlabel="pixel value", ylabel="count", title="all 640 000 pixel values")
for edge in (0.1, 0.9):
    ax_hist.axvline(edge, color="tab:red", ls="--")
ax_hist.annotate("clipped pixels\npile up at the ends", xy=(0.9, 2e4), xytext=(0.55, 6e4),
                 arrowprops=dict(arrowstyle="->"))
plt.tight_layout()

# %% [markdown]
# The patches are mostly grey with a few light and dark strokes: edges and textures. The
# histogram is centred on 0.5 (each patch's mean was removed) and has small spikes at 0.1 and
# 0.9 where step 2 clipped the extremes.

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
# Parameters travel as a dict `{"W1", "b1", "W2", "b2"}`, the layout `aelab` uses.
#
# For the checks we use 20 patches and 5 hidden units: a numerical gradient costs two
# evaluations of J per parameter, and 5 units already give 709 parameters.

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
# The next cell holds the checking machinery used by the exercises. You do not need to read
# it, but nothing in it is magic: it compares your value with the library's and your gradient
# with finite differences of *your own* J.

# %%
KEYS = ("W1", "b1", "W2", "b2")


def flatten(params):
    """All parameters as one vector θ, in the order W1, b1, W2, b2."""
    return np.concatenate([params[k].ravel() for k in KEYS])


def unflatten(theta, like):
    """The inverse of flatten: a dict of arrays shaped like `like`."""
    out, start = {}, 0
    for k in KEYS:
        size = like[k].size
        out[k] = theta[start:start + size].reshape(like[k].shape)
        start += size
    return out


def library_term(term, params, X, lam=1e-4, beta=3.0, rho=0.01):
    """aelab's value and gradient of one term, found by switching that term on and off."""
    def objective(lam, beta):
        model = aelab.Autoencoder(n_hidden=params["W1"].shape[0], activation="sigmoid",
                                  output_activation="sigmoid", sparsity="kl", rho=rho,
                                  lam=lam, beta=beta)
        return model.objective(X, params=params)
    J0, g0 = objective(0.0, 0.0)
    if term == "reconstruction":
        return J0, g0
    J1, g1 = objective(lam, 0.0) if term == "weight decay" else objective(0.0, beta)
    return J1 - J0, {k: g1[k] - g0[k] for k in KEYS}


def _value_hint(J, J_ref, m):
    ratio = J / J_ref if J_ref else np.inf
    for factor, hint in [(2, "twice too large: is the ½ missing?"),
                         (0.5, "half of what it should be: is there a ½ too many?"),
                         (m, f"{m} times too large: average over the m = {m} examples"),
                         (1 / m, f"{m} times too small: the sum over examples is divided twice")]:
        if np.isclose(ratio, factor, rtol=1e-6):
            return hint
    return "compare your formula with the one above, term by term"


def check_term(name, fun, params, X, hints=None, **kw):
    """Check fun(params) -> (J, grads) against aelab (value) and finite differences (gradient)."""
    J, grads = fun(params)
    for k in KEYS:
        assert k in grads, (f"{name}: grads has no {k!r}; return a gradient for every "
                            "parameter, zeros where the term does not depend on it")
        assert np.shape(grads[k]) == params[k].shape, (
            f"{name}: grads[{k!r}] has shape {np.shape(grads[k])}, but {k} has shape "
            f"{params[k].shape}; a gradient has the shape of its parameter")
    J_ref, g_ref = library_term(name, params, X, **kw)
    assert np.isclose(J, J_ref, rtol=1e-8, atol=1e-12), (
        f"{name}: your value {J:.8g} differs from the expected {J_ref:.8g}; "
        + _value_hint(J, J_ref, X.shape[0]))
    numeric = unflatten(numerical_gradient(lambda th: fun(unflatten(th, params))[0],
                                           flatten(params)), params)
    for k in KEYS:
        diff = relative_difference(numeric[k], grads[k])
        assert diff < 1e-7, (
            f"{name}: your value is right, but ∂J/∂{k} does not match finite differences "
            f"of it (relative difference {diff:.2g}). " + (hints or {}).get(k, ""))
    total = relative_difference(flatten(numeric), flatten(grads))
    print(f"✓ {name}: value matches aelab; gradient matches finite differences "
          f"(relative difference {total:.1e})")


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

# %%
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


# %% [markdown]
# **Gradient checking, by hand.** Flatten the parameters into one vector θ, nudge each
# coordinate by ±h and take the central difference
# $\bigl(J(\theta + h e_i) - J(\theta - h e_i)\bigr) / 2h$, whose error shrinks like h².
# Then compare with backprop's gradient g by the *relative* difference
# ‖g_num − g‖ / ‖g_num + g‖, which does not care how large J happens to be. In float64 a
# correct gradient gives about 1e-9 or less (UFLDL's bar); a bug typically gives 1e-3 to 1.

# %%
theta0 = flatten(params0)
J_of_theta = lambda theta: reconstruction_term(unflatten(theta, params0), X_small)[0]  # noqa: E731

g_numeric = numerical_gradient(J_of_theta, theta0, step=1e-4)
g_backprop = flatten(reconstruction_term(params0, X_small)[1])
print(f"{theta0.size} parameters, relative difference "
      f"{relative_difference(g_numeric, g_backprop):.2e}")

# %%
# Check for exercise 1: value against aelab, gradient against finite differences.
check_term("reconstruction", lambda p: reconstruction_term(p, X_small), params0, X_small,
           hints={"W2": "∇W2 = δ3ᵀ A2.", "b2": "∇b2 sums δ3 over the examples (rows).",
                  "W1": "did δ2 use σ′(Z2) = A2(1 − A2), and δ3 @ W2 (not W2.T)?",
                  "b1": "∇b1 sums δ2 over the examples."})

# %% [markdown]
# ### Step 2 · Weight decay
#
# $J_\text{wd} = \frac\lambda2\left(\lVert W_1\rVert_F^2 + \lVert W_2\rVert_F^2\right)$, the sum
# of all squared weights. The biases are **not** decayed: a bias only shifts a unit's
# operating point and cannot make the model wiggly, so there is no reason to shrink it.
#
# **✎ Exercise 2.** Complete `weight_decay_term`. (Hint: the derivative of ½w² is w.)

# %%
def weight_decay_term(params, lam):
    """J_wd and its gradient (zeros for the biases)."""
    # BEGIN SOLUTION
    W1, W2 = params["W1"], params["W2"]
    J = 0.5 * lam * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    grads = {"W1": lam * W1, "b1": np.zeros_like(params["b1"]),
             "W2": lam * W2, "b2": np.zeros_like(params["b2"])}
    # END SOLUTION
    return J, grads


# %%
# Check for exercise 2 (λ = 1e-4, UFLDL's value).
check_term("weight decay", lambda p: weight_decay_term(p, lam=1e-4), params0, X_small,
           lam=1e-4, hints={"b1": "biases are not decayed: their gradient is 0.",
                            "b2": "biases are not decayed: their gradient is 0."})

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
# **✎ Exercise 3.** Complete `sparsity_term`.

# %%
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


# %%
# Check for exercise 3 (β = 3, ρ = 0.01).
check_term("sparsity", lambda p: sparsity_term(p, X_small, beta=3.0, rho=0.01),
           params0, X_small, beta=3.0, rho=0.01,
           hints={"W1": "each example gets (β/m)·KL′(ρ̂) times σ′(Z2) = A2(1 − A2).",
                  "b1": "sum the sparsity δ2 over the examples.",
                  "W2": "W2 does not change ρ̂: its gradient is 0."})

# %% [markdown]
# ### All three together — and the same numbers as `aelab`
#
# The UFLDL notes fold the sparsity derivative straight into δ₂ of the reconstruction
# backprop, $\delta_2 = \bigl(\delta_3 W_2 + \tfrac\beta m \mathrm{KL}'(\hat\rho)\bigr)\odot
# \sigma'(Z_2)$, and `aelab`'s engine does the same (see the docstring of
# `aelab.autoencoder`). Because everything after that point is linear in δ₂, this gives exactly
# the sum of our separate gradients. Let us confirm that our cost *is* the library's, value
# and gradient, at the UFLDL settings λ = 1e-4, β = 3, ρ = 0.01.

# %%
def sparse_autoencoder_cost(params, X, lam=1e-4, beta=3.0, rho=0.01):
    terms = [reconstruction_term(params, X), weight_decay_term(params, lam),
             sparsity_term(params, X, beta, rho)]
    J = sum(t[0] for t in terms)
    grads = {k: sum(t[1][k] for t in terms) for k in KEYS}
    return J, grads


J_mine, g_mine = sparse_autoencoder_cost(params0, X_small)
J_lib, g_lib = aelab.SparseAutoencoder(n_hidden=5).objective(X_small, params=params0)
print(f"J: ours {J_mine:.12f}   aelab {J_lib:.12f}")
print(f"gradients: relative difference {relative_difference(flatten(g_mine), flatten(g_lib)):.1e}")
assert abs(J_mine - J_lib) < 1e-12 and relative_difference(flatten(g_mine), flatten(g_lib)) < 1e-12

# %% [markdown]
# Identical up to rounding. From here on we let `aelab` do the work. The library runs this
# same finite-difference test on its own objective for every combination of options;
# `aelab.check_gradient(model, X)` runs it for any model you build (keep X small: it costs
# two evaluations of J per parameter).

# %% [markdown]
# ## 3 · Train it: 10 000 patches, 25 hidden units, 400 iterations of L-BFGS
#
# `aelab.SparseAutoencoder()` *is* the UFLDL setup: 64 → 25 → 64 sigmoid units, λ = 1e-4,
# β = 3, ρ = 0.01, trained with L-BFGS (a quasi-Newton method that uses the whole data set at
# every step) for 400 iterations. The `callback` sees the progress after every iteration;
# ours prints a line every 100. This takes a few seconds.

# %%
def report(progress):
    if progress.iteration % 100 == 0:
        print(f"iteration {progress.iteration:3d}   J = {progress.loss:.5f}   "
              f"{progress.elapsed:4.1f} s")
    return False  # returning True would stop the training


model = aelab.SparseAutoencoder().fit(X, callback=report)
print(f"stopped: {model.stop_reason_} after {model.n_iter_} iterations")

# %%
H = model.transform(X)          # hidden activations, 10 000 × 25
rho_hat = mean_activation(H)

fig, axes = plt.subplots(1, 3, figsize=(14, 4), width_ratios=[1, 1.4, 1.2])
aelab.plot_filters(model, ax=axes[0], title="encoder filters (rows of W₁)")
aelab.plot_activation_histogram(rho_hat, rho=model.rho, ax=axes[1],
                                title="mean activation of each unit")
axes[1].set_ylim(0, 0.05)
aelab.plot_loss_curve(model.loss_curve_, ax=axes[2], title="objective during training")
plt.tight_layout()
print(f"mean ρ̂ = {rho_hat.mean():.4f} (target ρ = {model.rho});  "
      f"reconstruction error {reconstruction_error(X, model.reconstruct(X)):.4f}")

# %% [markdown]
# **Reading the picture.** Each tile is one hidden unit's row of W₁ shown as an 8×8 image
# (mid-grey = 0, white = positive, black = negative, each tile scaled to its own range). This
# is the input pattern that drives the unit hardest. Most tiles are **localized, oriented
# edges**: a light band beside a dark band, at different positions and angles — the same kind
# of receptive field as simple cells in the primary visual cortex. Nobody told the model about
# edges: they are simply the cheapest way to describe natural patches when only a few units
# may be active at a time.
#
# The middle panel shows that the sparsity term did its job: every unit's mean activation
# ρ̂ⱼ sits close to the target ρ = 0.01 (dashed line), so each unit fires on roughly 1 patch in
# 100.

# %%
assert 0.005 < rho_hat.mean() < 0.02, "the trained units should be about as sparse as ρ = 0.01"

# %% [markdown]
# ## 4 · The live panel: move a slider, watch it retrain
#
# The `Explorer` retrains the model whenever a control moves and redraws its filters,
# reconstructions (inputs above, outputs below), mean activations and loss curve *while it
# trains*. A change of λ, β or ρ continues from the current weights (a *warm start*); a
# change of ε or the hidden size starts from fresh random weights (a *fresh start*). The
# status line says which.
#
# | control | meaning |
# | --- | --- |
# | λ | weight decay (log scale) |
# | β | weight of the sparsity penalty |
# | ρ | target mean activation |
# | ε | standard deviation of the initial weights N(0, ε²); ticking "default init" uses UFLDL's uniform ±√(6/(n+p+1)) instead. (Not the ε of ZCA whitening — see notebook 03.) |
# | hidden size | number of hidden units p |
#
# To keep each retrain to a second or two (even on a one-core Binder) the panel uses
# **4 000 patches, 200 L-BFGS iterations and single precision** (`dtype="float32"`) instead
# of 10 000, 400 and double precision. Single precision halves the cost of every matrix
# product and changes the final objective by well under 1%. The filters come out a little
# rougher than above, but the same.
#
# > If the panel below is blank, you are reading a static copy of the notebook: run it in
# > JupyterLab, Notebook 7 or Voilà to get live widgets.

# %%
X_live = X[:4000]   # the patches were drawn at random, so the first 4 000 are a fair sample
panel = aelab.Explorer(aelab.SparseAutoencoder(max_iter=200, dtype="float32"), X_live,
                       controls=("lam", "beta", "rho", "epsilon", "n_hidden"),
                       image_shape=(8, 8))
panel

# %% [markdown]
# Controls can also be moved from code, which is how instructors script a demonstration and
# how the tests drive the panel. Setting a control's `.value` starts a retrain exactly as
# dragging it does; `wait()` blocks until the final frame is drawn. Here we switch the
# sparsity penalty off — watch the panel above change.

# %%
panel.controls["beta"].value = 0.0
panel.wait()
stats = panel.stats
print(f"retrained ({'warm' if stats['warm_start'] else 'fresh'} start) in "
      f"{stats['time_to_final_frame']:.1f} s, first frame after "
      f"{stats['time_to_first_frame']:.2f} s")

fig, axes = plt.subplots(1, 2, figsize=(7, 3.5))
aelab.plot_filters(model, ax=axes[0], title="β = 3 (section 3)")
aelab.plot_filters(panel.model, ax=axes[1], title="β = 0 (the panel now)")
plt.tight_layout()

# %% [markdown]
# Set β back to 3 in the panel before you explore further. Things to try: ρ = 0.1 (units may
# fire ten times as often); 9 or 100 hidden units; a tiny ε such as 0.001.
#
# ## 5 · Exercises: what do β and λ do?
#
# **✎ Exercise 4 — no sparsity.** Train `aelab.SparseAutoencoder(beta=0.0, max_iter=200)` on
# `X_live`. Before you run it, decide: will the mean activation of the units stay near
# ρ = 0.01? Then measure
#
# * `rho_hat_b0`: the mean activation of each hidden unit (an array of 25 numbers), and
# * `sparsity_b0`: `lifetime_sparsity(H)` averaged over the units — 1 means a unit responds to
#   a single patch, 0 means it responds equally to all of them.

# %%
# BEGIN SOLUTION
model_b0 = aelab.SparseAutoencoder(beta=0.0, max_iter=200).fit(X_live)
H_b0 = model_b0.transform(X_live)
rho_hat_b0 = mean_activation(H_b0)
sparsity_b0 = lifetime_sparsity(H_b0).mean()
# END SOLUTION
print(f"mean ρ̂ = {rho_hat_b0.mean():.3f},  mean lifetime sparsity = {sparsity_b0:.3f}")


# %%
def check_exercise_4(model_b0, rho_hat_b0, sparsity_b0):
    assert model_b0.beta == 0, f"train with beta=0.0 (this model has beta={model_b0.beta})"
    assert model_b0.max_iter == 200 and model_b0.lam == model.lam, (
        f"keep the other settings: max_iter=200 and the default lam={model.lam} (this model "
        f"has max_iter={model_b0.max_iter}, lam={model_b0.lam})")
    H = model_b0.transform(X_live)
    assert np.shape(rho_hat_b0) == (model_b0.n_hidden,), (
        f"rho_hat_b0 should hold one mean per hidden unit, shape ({model_b0.n_hidden},); got "
        f"{np.shape(rho_hat_b0)}. Average H over the examples (axis=0)")
    assert np.allclose(rho_hat_b0, H.mean(axis=0)), (
        "rho_hat_b0 is not the mean of model_b0.transform(X_live) over the examples")
    assert np.isclose(sparsity_b0, lifetime_sparsity(H).mean()), (
        "sparsity_b0 should be lifetime_sparsity(H) averaged over the hidden units")
    print(f"✓ Measured correctly. Without the penalty the units sit near ρ̂ ≈ "
          f"{rho_hat_b0.mean():.2f}, about {rho_hat_b0.mean() / 0.01:.0f} times the target, and "
          f"respond to almost every patch (lifetime sparsity {sparsity_b0:.2f} against "
          f"{lifetime_sparsity(model.transform(X_live)).mean():.2f} with β = 3).")


check_exercise_4(model_b0, rho_hat_b0, sparsity_b0)

# %% [markdown]
# *Why the filters change.* Without sparsity, 25 units describe a 64-pixel patch best by all
# contributing a little to every patch, like a (rotated) principal component analysis. That
# gives lower reconstruction error but spread-out, noisy, high-frequency filters rather than
# localized edges — notebook 04 makes the link to PCA precise. Sparsity forces each unit to
# specialise on a rare, particular structure, and a short oriented edge is such a structure.
#
# **✎ Exercise 5 — strong weight decay.** Train with λ = 1e-3, ten times UFLDL's value
# (`max_iter=200` on `X_live` again), and compute
#
# * `w_norm_big`: the Frobenius norm of its W₁ (`np.linalg.norm`), and
# * `err_big`: its reconstruction error on `X_live` (`reconstruction_error(X, X_hat)`),
#
# then compare `err_big` with `err_mean`, the error of a "model" that outputs the average
# patch for every input (computed for you below).

# %%
err_mean = reconstruction_error(X_live, np.tile(X_live.mean(axis=0), (len(X_live), 1)))
# BEGIN SOLUTION
model_big = aelab.SparseAutoencoder(lam=1e-3, max_iter=200).fit(X_live)
w_norm_big = np.linalg.norm(model_big.params_["W1"])
err_big = reconstruction_error(X_live, model_big.reconstruct(X_live))
# END SOLUTION
print(f"‖W₁‖ = {w_norm_big:.2g} (λ = 1e-4 gave {np.linalg.norm(model.params_['W1']):.1f});  "
      f"error {err_big:.4f} against {err_mean:.4f} for the average patch")


# %%
def check_exercise_5(model_big, w_norm_big, err_big):
    assert np.isclose(model_big.lam, 1e-3), f"use lam=1e-3 (this model has lam={model_big.lam})"
    assert model_big.max_iter == 200 and model_big.beta == model.beta, (
        f"keep the other settings: max_iter=200 and the default beta={model.beta} (this model "
        f"has max_iter={model_big.max_iter}, beta={model_big.beta})")
    assert np.isclose(w_norm_big, np.linalg.norm(model_big.params_["W1"])), (
        "w_norm_big should be np.linalg.norm(model_big.params_['W1'])")
    assert np.isclose(err_big, reconstruction_error(X_live, model_big.reconstruct(X_live))), (
        "err_big should be reconstruction_error(X_live, model_big.reconstruct(X_live))")
    collapsed = w_norm_big < 0.1 and err_big < 1.01 * err_mean
    assert collapsed or err_big < 0.99 * err_mean, "unreachable: an error above the mean's"
    if collapsed:
        print(f"✓ Measured correctly. The weights have collapsed (‖W₁‖ = {w_norm_big:.1g}) and "
              f"the model reconstructs every patch as the average patch: error {err_big:.4f} "
              f"against {err_mean:.4f}. Every unit is dead.")
    else:  # a different data set or machine can leave it just short of the collapse
        print(f"✓ Measured correctly. ‖W₁‖ = {w_norm_big:.2g} and error {err_big:.4f} against "
              f"{err_mean:.4f} for the average patch: close to, but not yet at, the collapse; "
              f"try lam=2e-3 to see it happen.")


check_exercise_5(model_big, w_norm_big, err_big)

# %% [markdown]
# *Why it collapses.* Look at what each term wants when W₁ = 0. Weight decay is then 0, its
# minimum. The sparsity term can still be exactly 0 too: with no weights, a unit's activation
# is σ(b₁ⱼ) on every patch, and the bias b₁ⱼ = log(ρ/(1 − ρ)) makes it exactly ρ. Only the
# reconstruction term pays, and the decoder bias makes the best of it by outputting the mean
# patch. So "all weights zero" is a *trivial solution* that two of the three terms love; once
# λ is large enough, what the edges save in reconstruction error no longer covers what their
# weights cost, and training falls into it. (With ρ = 0.01 and 25 units this happens at
# surprisingly small λ: try 3e-4 in the panel.) Even the healthy model of section 3 passed
# near it: the flat stretch of its loss curve around J ≈ 0.44 in the first 50 iterations is
# the mean-patch error, before the edges grew.
#
# The filter grid of a collapsed model is misleading: `plot_filters` scales every tile to its
# own range, so even weights of size 1e-4 look like patterns. Always check the norms.

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), width_ratios=[1, 1.6])
aelab.plot_filters(model_big, ax=axes[0], title="λ = 1e-3, each tile scaled to its range")
units = np.arange(model.n_hidden)
for m_, label in [(model, "λ = 1e-4 (section 3)"), (model_big, "λ = 1e-3")]:
    axes[1].semilogy(units, np.linalg.norm(m_.params_["W1"], axis=1), "o-", label=label)
axes[1].set(xlabel="hidden unit j", ylabel="‖row j of W₁‖", title="the real size of the filters")
axes[1].legend()
plt.tight_layout()

# %% [markdown]
# ## Summary
#
# * Patches are mean-removed, clipped at ±3σ and squeezed into **[0.1, 0.9]** so that a
#   sigmoid output can reach every target without saturating.
# * The sparse-autoencoder objective is a sum of three terms — **reconstruction**,
#   **weight decay λ** (weights only, not biases) and **KL sparsity β** pulling each unit's
#   mean activation ρ̂ⱼ towards ρ — and its gradient is the sum of theirs. The sparsity
#   gradient enters backprop at the hidden layer as (β/m)·KL′(ρ̂) ⊙ σ′(Z₂).
# * A **gradient check** (central differences, relative difference ≲ 1e-9 in float64) catches
#   backprop bugs that training would quietly hide.
# * Trained on natural patches, the sparse autoencoder learns **localized oriented edges**.
#   Without sparsity (β = 0) the filters spread out and every unit is busy all the time; with
#   too much weight decay all weights collapse to zero and the model outputs the mean patch.
#
# **Next:** notebook 03 answers, by experiment, how to choose λ, β, ρ, ε and the hidden size;
# notebook 04 shows what happens with *linear* units, where the autoencoder becomes PCA.
