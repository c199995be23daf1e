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
# # 03 · Choosing hyperparameters: λ, β, ρ, ε and the hidden size
#
# Someone starting with a sparse autoencoder (in that case the R `autoencoder` package,
# which implements the same model as notebook 02) asked a set of questions that almost
# everyone asks sooner or later:
#
# 1. What values may λ, β, ρ and ε take? Do the ranges depend on the activation function?
#    And are these things called *hyperparameters*?
# 2. Is ρ = 0.01 a good target for logistic (sigmoid) units, and ρ = −0.9 for tanh units?
# 3. Why would an example start the weights at ε = 0.001, when LeCun et al.'s "Efficient
#    BackProp" warns against starting so close to zero?
# 4. How much does a "good" β matter?
# 5. Is there a rule of thumb for the number of hidden units: with N inputs, is 2N
#    reasonable?
# 6. What should I read?
#
# There are no magic values: the best settings depend on the data. But every one of these
# questions can be *answered by experiment* in a few seconds, and that is what this
# notebook does. You will leave with ranges to try, an idea of what goes wrong at either
# end of each range, and the habit of checking with a quick sweep.
#
# **Learning goals.** After this notebook you can
#
# * tell parameters from hyperparameters, and state the allowed range of λ, β, ρ and ε;
# * say which ranges depend on the activation and why (sigmoid against tanh);
# * translate a sparsity target between sigmoid and tanh units;
# * explain why a tiny initial weight scale slows gradient descent, and what LeCun's
#   1/√fan-in rule is for;
# * tell the two meanings of "ε" apart (initial weight scale, whitening regulariser);
# * pick a hidden size and a sparsity target together.
#
# Prerequisites: notebooks 01 and 02. Computing time: well under a minute.

# %%
import re

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image, display

import aelab
from aelab.datasets import Whitening, natural_patches
from aelab.metrics import mean_activation

# %% [markdown]
# Throughout, we use 8×8 natural-image patches (n = 64 inputs, values in [0.1, 0.9]), a
# small training set so that every fit takes a fraction of a second, and a separate test
# set for judging reconstructions.

# %%
patches = natural_patches(2000, seed=0)
X_train, X_test = patches[:1500], patches[1500:]
N = X_train.shape[1]
print("train", X_train.shape, " test", X_test.shape)


def test_error(model):
    """Mean reconstruction error ½‖x̂ − x‖² on the test patches (lower is better)."""
    return -model.score(X_test)


# %% [markdown]
# ## 1. Parameters and hyperparameters; the allowed ranges
#
# **Parameters** are what training computes: the weights and biases, in `params_`.
# **Hyperparameters** are what *you* choose before training, and they control how it goes:
# the arguments of the constructor, listed by `get_params()`. So yes, λ, β, ρ and ε are
# hyperparameters, as are the hidden size, the activation, the loss and the optimiser.

# %%
model = aelab.SparseAutoencoder(max_iter=20).fit(X_train)
print("parameters (learned):   ", {k: v.shape for k, v in model.params_.items()})
hp = model.get_params()
print("some hyperparameters (chosen):",
      {k: hp[k] for k in ("n_hidden", "activation", "lam", "beta", "rho", "epsilon")})

# %% [markdown]
# As a reminder, the sparse autoencoder of notebook 02 minimises
#
# $$
# J = \underbrace{\frac1m\sum_i \tfrac12\lVert\hat x^{(i)} - x^{(i)}\rVert^2}_{\text{reconstruction}}
#   + \underbrace{\frac{\lambda}{2}\big(\lVert W^{(1)}\rVert_F^2 + \lVert W^{(2)}\rVert_F^2\big)}_{\text{weight decay}}
#   + \underbrace{\beta \sum_{j} \mathrm{KL}\big(\rho \,\Vert\, \hat\rho_j\big)}_{\text{sparsity}},
# \qquad \hat\rho_j = \frac1m\sum_i h_j^{(i)},
# $$
#
# starting from random weights of scale ε. What the mathematics allows:
#
# | | meaning | allowed | depends on the activation? |
# |---|---|---|---|
# | λ | weight of the weight-decay penalty | λ ≥ 0 | not the rule, but the useful values do (section 2) |
# | β | weight of the sparsity penalty | β ≥ 0 | no |
# | ρ | target mean activation of each hidden unit | strictly inside the unit's range: (0, 1) for sigmoid, (−1, 1) for tanh | **yes** (section 3) |
# | ε | standard deviation of the initial weights, N(0, ε²) | ε > 0 (or `None`: the UFLDL uniform initialisation) | the useful values do (section 5) |
#
# λ and β are weights in a sum, so negative values would *reward* large weights or dense
# codes. ρ must be a value the mean activation can actually approach; the KL divergence
# is infinite at the ends of the range. aelab checks all of this when you call `fit`, and
# says what is allowed:

# %%
bad_settings = [
    dict(lam=-1e-4),
    dict(beta=-3.0),
    dict(rho=-0.9),                       # sigmoid units cannot have a negative mean
    dict(activation="tanh", rho=1.2),     # tanh units live in (−1, 1)
    dict(epsilon=0.0),                    # all-zero weights: see section 5
]
for settings in bad_settings:
    try:
        aelab.SparseAutoencoder(max_iter=1, **settings).fit(X_train)
    except ValueError as err:
        print(f"{settings}\n    -> ValueError: {err}")

# %% [markdown]
# The allowed range is the easy part. The rest of the notebook is about the *useful*
# range inside it.

# %% [markdown]
# ## 2. λ, the weight decay
#
# Weight decay pulls every weight towards zero. Too little and it does nothing; too much
# and it wins against the reconstruction: the weights shrink to zero and the model outputs
# the same average patch for every input. Where is the useful range, and is it the same
# for sigmoid and tanh units? We switch sparsity off (β = 0) to see λ alone, and sweep it
# over four decades.

# %%
lams = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
lam_err, lam_norm = {}, {}
for act in ("sigmoid", "tanh"):
    lam_err[act], lam_norm[act] = [], []
    for lam in lams:
        m = aelab.Autoencoder(25, activation=act, output_activation="sigmoid", lam=lam,
                              max_iter=100).fit(X_train)
        lam_err[act].append(test_error(m))
        lam_norm[act].append(np.linalg.norm(m.params_["W1"]))

baseline = 0.5 * np.sum((X_test - X_train.mean(axis=0)) ** 2) / len(X_test)
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
for act in lam_err:
    axes[0].plot(lams, lam_err[act], "o-", label=f"{act} hidden units")
    axes[1].plot(lams, lam_norm[act], "o-", label=f"{act} hidden units")
axes[0].axhline(baseline, color="grey", ls=":", label="output the mean patch")
axes[0].set_ylabel("test reconstruction error")
axes[1].set_ylabel("‖W1‖ after training")
for ax in axes:
    ax.set_xscale("log")
    ax.set_xlabel("λ")
    ax.legend(fontsize=8)
fig.suptitle("weight decay sweep (25 hidden units, no sparsity, 100 L-BFGS iterations)")
fig.tight_layout()

# %% [markdown]
# What the sweep shows:
#
# * Up to about 1e-4, λ hardly matters here: the weights are free to grow to whatever the
#   reconstruction needs.
# * Above that, λ starts to win. The model gets worse and its weights shrink, until they
#   are exactly zero and the model outputs the mean patch (the dotted line).
# * **The collapse comes about ten times earlier for sigmoid units than for tanh units.**
#   Near zero, a sigmoid's slope is 1/4 while tanh's is 1, so a sigmoid unit needs weights
#   roughly four times larger to produce the same change in its output, and every weight
#   is penalised through its square. The right panel shows it: below its collapse, the
#   trained sigmoid network has the larger weights.
#
# So the *allowed* range of λ is the same for every activation, but the *useful* range is
# not. It also depends on the scale of the data and on the number of examples and pixels
# (they set the size of the reconstruction term λ is weighed against). UFLDL's λ = 1e-4
# sits just below the knee for these patches. **Rule of thumb:** sweep λ over decades,
# 1e-6 to 1e-2, and keep the largest value that barely hurts the test error.

# %% [markdown]
# ## 3. ρ, the sparsity target, for sigmoid and for tanh units
#
# ρ is the mean activation each hidden unit should have over the training set. A sparse
# code has each unit near its "off" value most of the time, so ρ sits close to the bottom
# of the unit's range:
#
# * **sigmoid** units live in (0, 1), "off" is 0: ρ = 0.01 to 0.1 is typical;
# * **tanh** units live in (−1, 1), "off" is −1: ρ close to −1.
#
# For tanh units aelab (like the R `autoencoder` package) first maps the range (−1, 1)
# onto (0, 1) with $(a+1)/2$, and takes the KL divergence there:
# $\mathrm{KL}\big(\tfrac{\rho+1}{2} \,\Vert\, \tfrac{\hat\rho_j+1}{2}\big)$. Since
# $\tanh(z) = 2\,\sigma(2z) - 1$, a tanh unit is a stretched sigmoid unit, and
#
# $$
# \rho_{\tanh} = 2\,\rho_{\text{sigmoid}} - 1 .
# $$
#
# So the two targets in question 2 do **not** ask for the same sparsity: ρ = −0.9 for tanh
# corresponds to ρ = 0.05 for sigmoid, five times denser than ρ = 0.01. Let us check that
# the two really behave alike: a sigmoid model with ρ = 0.05 and a tanh model with
# ρ = −0.9, otherwise identical.

# %%
pair = {
    "sigmoid, ρ = 0.05": aelab.SparseAutoencoder(activation="sigmoid", rho=0.05,
                                                 max_iter=150).fit(X_train),
    "tanh, ρ = −0.9": aelab.SparseAutoencoder(activation="tanh", rho=-0.9,
                                              max_iter=150).fit(X_train),
}
fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
for (name, m), colour in zip(pair.items(), ("tab:blue", "tab:orange")):
    H = m.transform(X_test)
    rho_hat = mean_activation(H)
    print(f"{name}: mean ρ̂ = {rho_hat.mean():+.3f}, test error {test_error(m):.3f}")
    # Put both on the sigmoid scale (0, 1) to compare them.
    H01 = (H + 1) / 2 if m.activation == "tanh" else H
    axes[0].hist(H.ravel(), bins=60, alpha=0.6, color=colour, label=name)
    axes[1].hist(H01.ravel(), bins=60, alpha=0.6, color=colour, label=name)
    axes[2].plot(np.sort(mean_activation(H01)), "o", color=colour, label=name, ms=4)
axes[0].set_title("hidden activations, own scale")
axes[1].set_title("mapped to (0, 1): tanh → (a+1)/2")
axes[2].set_title("mean activation of each unit, on (0, 1)")
axes[2].axhline(0.05, color="k", ls="--", lw=0.8)
axes[2].set_ylim(0, 0.1)
axes[2].set_xlabel("unit (sorted)")
for ax in axes[:2]:
    ax.set_yscale("log")
    ax.set_xlabel("activation")
for ax in axes:
    ax.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# On its own scale the tanh code looks very different (it piles up at −1, not 0). Mapped
# to (0, 1), the two codes match: every unit's mean sits on the dashed target 0.05. One
# practical difference remains: an "off" tanh unit outputs −1, not 0, so it still sends
# its decoder weights a signal, which the output bias has to cancel. That is one reason
# sparse autoencoders are usually built with sigmoid units.
#
# **Is ρ = 0.01 good?** It is the target of the UFLDL exercise (25 units on 10 000
# patches, 400 iterations), where it gives the famous edge filters. With a small training
# budget such as ours, a very low ρ learns slowly, which is why this notebook mostly uses
# 0.05. Lower ρ means a sparser code and needs more units (section 6).

# %% [markdown]
# ## 4. β, the weight of the sparsity penalty
#
# How much does a "good" β matter? Sweep it, with sigmoid units and ρ = 0.05, and watch
# two things: the mean activation the units actually reach, and the reconstruction error
# paid for it.

# %%
betas = [0.01, 0.1, 0.3, 1, 3, 10]
beta_rho, beta_err = [], []
for beta in [0.0] + betas:
    m = aelab.SparseAutoencoder(beta=beta, rho=0.05, max_iter=100).fit(X_train)
    beta_rho.append(mean_activation(m.transform(X_test)).mean())
    beta_err.append(test_error(m))

fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
axes[0].plot(betas, beta_rho[1:], "o-")
axes[0].axhline(beta_rho[0], color="grey", ls=":", label=f"β = 0: ρ̂ = {beta_rho[0]:.2f}")
axes[0].axhline(0.05, color="k", ls="--", lw=0.8, label="target ρ = 0.05")
axes[0].set_yscale("log")
axes[0].set_ylabel("mean activation ρ̂ reached")
axes[1].plot(betas, beta_err[1:], "o-", color="tab:red")
axes[1].axhline(beta_err[0], color="grey", ls=":", label="β = 0")
axes[1].set_ylabel("test reconstruction error")
for ax in axes:
    ax.set_xscale("log")
    ax.set_xlabel("β")
    ax.legend(fontsize=8)
fig.tight_layout()
for beta, r, e in zip([0.0] + betas, beta_rho, beta_err):
    print(f"β = {beta:5.2f}: ρ̂ = {r:.3f}, test error {e:.3f}")

# %% [markdown]
# * **β = 0**: no sparsity at all; the units average about 0.5.
# * **Small β** already pulls ρ̂ most of the way down: the KL penalty is very steep far
#   from the target.
# * **From β ≈ 1 on** ρ̂ sits on the target, and a larger β only adds reconstruction error
#   (it squeezes the *spread* of the activations, too).
#
# So β matters a lot between "off" and "on", and much less after that: any value from
# about 1 to 10 reaches the target here, and the larger ones pay more reconstruction error
# for it. UFLDL's β = 3 is in that flat region. A
# larger β is not a faster learning rate, by the way. It changes *which* model is best
# (the sweep's end points differ), and L-BFGS has no learning rate at all. What counts is
# β's size **relative to the reconstruction term**: that term grows with the number of
# pixels and the contrast of the data, while the penalty grows with the number of hidden
# units. So a β copied from a different set-up is a starting point, not an answer.

# %% [markdown]
# ### The shape of the penalty: KL, ℓ1 or ℓ2
#
# The KL divergence is one way to say "keep ρ̂ⱼ near ρ". `sparsity=` offers two others, and
# their shapes, not only β, decide how a model behaves:
#
# | `sparsity` | φ(ρ̂ⱼ) | its slope φ′ | pull on a unit far from / near the target |
# | --- | --- | --- | --- |
# | `"kl"` | ρ log(ρ/ρ̂) + (1−ρ) log((1−ρ)/(1−ρ̂)) | −ρ/ρ̂ + (1−ρ)/(1−ρ̂) | unbounded as ρ̂ → 0 or 1 / smooth, fading |
# | `"l2"` | (ρ̂ − ρ)² | 2(ρ̂ − ρ) | bounded / fades linearly to 0 |
# | `"l1"` | \|ρ̂ − ρ\| | ±1 | the same everywhere / jumps from −1 to +1 at ρ |
#
# All three act on a unit's *average* activation over the data. That is a different thing
# from the ℓ1 penalty of **sparse coding** (Olshausen and Field), λ Σᵢ ‖hᵢ‖₁ on *each*
# example's code, which asks every single code to have few non-zero entries; notebook 05's
# k-sparse autoencoder enforces that per-example sparsity directly.

# %%
r_hat = np.linspace(0.002, 0.3, 400)
rho_s = 0.05
shapes = {
    "kl": rho_s * np.log(rho_s / r_hat) + (1 - rho_s) * np.log((1 - rho_s) / (1 - r_hat)),
    "l2": (r_hat - rho_s) ** 2,
    "l1": np.abs(r_hat - rho_s),
}
fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
for name, phi in shapes.items():
    axes[0].plot(r_hat, phi, label=name)
    axes[1].plot(r_hat[1:], np.diff(phi) / np.diff(r_hat), label=name)
axes[0].set_ylabel("φ(ρ̂)")
axes[1].set_ylabel("slope φ′(ρ̂)")
axes[1].set_ylim(-5, 5)
for ax in axes:
    ax.axvline(rho_s, color="k", ls="--", lw=0.8)
    ax.set_xlabel("mean activation ρ̂ (target ρ = 0.05, dashed)")
    ax.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# Now train the three on the same patches (sigmoid units, ρ = 0.05, each with a β that
# reaches the target), and the ℓ1 form a second time with Adam instead of L-BFGS:

# %%
forms = {
    "kl, β = 3, L-BFGS": dict(sparsity="kl", beta=3.0),
    "l2, β = 10, L-BFGS": dict(sparsity="l2", beta=10.0),
    "l1, β = 0.1, L-BFGS": dict(sparsity="l1", beta=0.1),
    "l1, β = 0.1, Adam": dict(sparsity="l1", beta=0.1, optimizer="adam", learning_rate=1e-2,
                              batch_size=100, max_iter=60),
}
results = {}
fig, axes = plt.subplots(1, 4, figsize=(13, 3.4))
for ax, (name, kw) in zip(axes, forms.items()):
    m = aelab.SparseAutoencoder(rho=0.05, **{"max_iter": 150, **kw}).fit(X_train)
    rho_hat = mean_activation(m.transform(X_train))
    J = m.objective(X_train)[0]
    print(f"{name:20s} ρ̂ {rho_hat.mean():.3f} ± {rho_hat.std():.4f}, J = {J:.3f}, test "
          f"error {test_error(m):.3f}  ({m.n_iter_} iterations, {m.stop_reason_})")
    aelab.plot_filters(m, ax=ax, title=name)
    results[name] = J, test_error(m)
fig.tight_layout()
# what the text below says: L-BFGS is stuck on the ℓ1 kink near the mean-patch error
assert results["l1, β = 0.1, L-BFGS"][1] > 0.9 * baseline > results["kl, β = 3, L-BFGS"][1]
assert results["l1, β = 0.1, Adam"][0] < results["l1, β = 0.1, L-BFGS"][0]

# %% [markdown]
# * **KL and ℓ2** both reach the target and both learn edges. The ℓ2 units settle a little
#   above it (ρ̂ ≈ 0.053: the pull fades near ρ, so the reconstruction's wish for more
#   activity wins a little) and pay less reconstruction error for that.
# * **ℓ1 with L-BFGS** pins every unit's ρ̂ at exactly 0.05, keeps filters that still look
#   like the random ones it started from, and reconstructs no better than the mean patch
#   (test error ≈ 0.40). L-BFGS says "converged", but only because J
#   stopped decreasing: its steps assume a smooth J, and the kink of |ρ̂ − ρ| at ρ̂ = ρ holds
#   each unit in place (a move either way costs β at once, whatever the reconstruction would
#   gain). It is stuck, not at the minimum: compare its J with Adam's.
# * **ℓ1 with Adam** gets past the kink by small noisy minibatch steps and reaches a far
#   lower J and edge filters.
#
# So the smooth forms suit L-BFGS; the ℓ1 form needs a (sub)gradient method. That is one
# reason the UFLDL exercise, built around L-BFGS, uses the KL.
#
# **Try it:** give the ℓ1 model β = 0.01. Its pull is then too weak to bring the units down
# to ρ at all (ρ̂ stays near 0.19): with a constant slope there is no β that is gentle far
# away and firm near the target, as the KL is.

# %% [markdown]
# ## 5. ε, the initial weight scale
#
# Training starts from random weights drawn from N(0, ε²). aelab offers three common
# choices:
#
# * a tiny ε such as **0.001** (the value in the learner's example);
# * **LeCun's rule**, ε = 1/√(fan-in), where fan-in is the number of inputs each unit
#   receives: 1/√64 = 0.125 for our hidden units. (LeCun et al. derive it for inputs
#   scaled to zero mean and unit variance: it puts each unit's summed input in the
#   steep, informative part of its nonlinearity);
# * `epsilon=None`, the UFLDL default: uniform on ±√(6/(n_in + n_out + 1)), here ±0.26.
#
# ### Why a tiny ε is a problem: the flat region around zero
#
# Look at the gradient when *all* weights are exactly zero. For tanh units the weights'
# gradient is exactly zero: zero weights are a stationary point (a saddle). For sigmoid
# units the decoder does get a gradient, but the same one for every hidden unit, so all
# units would move together forever and never become different:

# %%
for act in ("tanh", "sigmoid"):
    m = aelab.Autoencoder(25, activation=act)
    zeros = {k: np.zeros_like(v) for k, v in m.initial_params(X_train).items()}
    _, grad = m.objective(X_train, params=zeros)
    print(f"{act:8s} at W = 0: |∇W1| max {np.abs(grad['W1']).max():.3g}, "
          f"|∇W2| max {np.abs(grad['W2']).max():.3g}, "
          f"columns of ∇W2 identical: {np.allclose(grad['W2'], grad['W2'][:, :1])}")

# %% [markdown]
# Near zero, the gradient is small in proportion to the weights themselves. Measured at
# the initial weights for a range of ε:

# %%
eps_grid = np.logspace(-4, 0, 9)
fig, ax = plt.subplots(figsize=(6, 3.6))
for act, style in (("tanh", "o-"), ("sigmoid", "s--")):
    norms = []
    for eps in eps_grid:
        _, grad = aelab.Autoencoder(25, activation=act, epsilon=eps).objective(X_train)
        norms.append(np.linalg.norm(grad["W1"]))
    ax.loglog(eps_grid, norms, style, label=f"{act} hidden units")
ax.axvline(1 / np.sqrt(N), color="k", lw=0.8, ls=":")
ax.text(1 / np.sqrt(N) * 1.1, 1e-3, "1/√fan-in", fontsize=8)
ax.set_xlabel("ε (initial weight scale)")
ax.set_ylabel("‖∇J wrt W1‖ at the start")
ax.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# Over four decades the gradient shrinks in step with ε: at ε = 0.001 it is a thousand
# times smaller than at ε = 1. This is the *flat error surface near the origin* that
# LeCun et al. warn about. What that costs depends on the optimiser. Plain gradient
# descent moves by (learning rate × gradient), so it crawls; L-BFGS estimates the
# curvature and scales its steps up, so it crosses a flat region quickly. Here are both,
# on the patches with their mean removed (zero-mean inputs, the case LeCun analyses),
# with a linear output layer:

# %%
X_centred = X_train - X_train.mean(axis=0)
inits = {"ε = 0.001": 1e-3, "ε = 1/√fan-in = 0.125": 1 / np.sqrt(N),
         "UFLDL default (ε=None)": None, "ε = 1": 1.0}
optimisers = {
    "SGD with momentum (lr 0.02, batches of 100)":
        dict(optimizer="sgd", learning_rate=0.02, batch_size=100, max_iter=40),
    "L-BFGS": dict(optimizer="lbfgs", max_iter=100),
}
fig, axes = plt.subplots(2, 2, figsize=(11, 6.4), sharey=True)
for row, act in enumerate(("tanh", "sigmoid")):
    for col, (opt_name, opt) in enumerate(optimisers.items()):
        ax = axes[row, col]
        for label, eps in inits.items():
            m = aelab.Autoencoder(25, activation=act, epsilon=eps, **opt).fit(X_centred)
            ax.plot(np.arange(1, len(m.loss_curve_) + 1), m.loss_curve_, label=label)
        ax.set_yscale("log")
        ax.set_ylim(0.03, 5)
        ax.set_title(f"{act} units, {opt_name}", fontsize=10)
        ax.set_xlabel("epoch" if opt["optimizer"] == "sgd" else "iteration")
axes[0, 0].set_ylabel("objective J")
axes[1, 0].set_ylabel("objective J")
axes[0, 0].legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# Read the four panels:
#
# * **SGD, ε = 0.001** (blue): a long plateau at the starting loss, about 0.45 (half the
#   data's total variance, ½ Σⱼ var xⱼ: the model outputs zero). With tanh units it takes about 20
#   epochs to leave it; with sigmoid units it never leaves in 40 epochs.
# * **SGD, LeCun or UFLDL scale**: learning starts at once (slowly for sigmoid units,
#   whose slope at zero is only 1/4).
# * **L-BFGS**: ε = 0.001 costs a few iterations with tanh units and a modest lag with
#   sigmoid units. This is why a tiny ε can seem harmless: with a quasi-Newton optimiser
#   it nearly is.
# * **ε = 1** (red): the opposite problem. The random decoder weights are so large that
#   the first reconstructions are wild (an initial loss hundreds of times the data's
#   variance, off the top of the plots), and training spends its time undoing the
#   initialisation. On inputs with unit variance, the case LeCun's rule is made for,
#   the hidden units would also start deep in saturation, where their slopes vanish.
#
# **Rule of thumb.** Start near 1/√(fan-in) (or the UFLDL default, which is about the
# same size). Go much smaller only if you train with L-BFGS and have a reason; go much
# larger and you start in saturation.

# %% [markdown]
# ## 6. The other ε: the whitening regulariser
#
# A second, unrelated "ε" appears in the same course material: the regulariser of **ZCA
# whitening**, a preprocessing step. Whitening decorrelates the pixels and gives every
# direction unit variance. With the covariance's eigenvalues $s_k$ and eigenvectors
# $u_k$, ZCA whitening scales the component along each $u_k$ by $1/\sqrt{s_k + \varepsilon}$.
# Without ε, directions of tiny variance (mostly noise) would be blown up enormously; ε
# keeps them small, acting as a low-pass filter. In aelab the two live in different
# places: `Autoencoder(epsilon=...)` is the initial weight scale,
# `aelab.datasets.Whitening(epsilon=...)` is this one.
#
# To see it, take raw patches (without the pre-whitening `natural_patches` applies by
# default), whiten them with ε from 1e-4 to 1, and look.

# %%
raw = natural_patches(2000, whiten=False, seed=0)
white_eps = [1e-4, 1e-2, 1e-1, 1.0]
fig, axes = plt.subplots(1, len(white_eps) + 1, figsize=(14, 3.2))
axes[0].imshow(aelab.filter_grid_image(raw[:25] - 0.5), cmap="gray")
axes[0].set_title("raw patches")
for ax, eps in zip(axes[1:], white_eps):
    white = Whitening("zca", epsilon=eps).fit_transform(raw)
    ax.imshow(aelab.filter_grid_image(white[:25]), cmap="gray")
    ax.set_title(f"ZCA, whitening ε = {eps:g}")
for ax in axes:
    ax.axis("off")
fig.tight_layout()

# %% [markdown]
# (Each tile is scaled to its own contrast, so only the *shape* of the patterns counts.)
# With ε = 1e-4 every direction is scaled to unit variance, including the weakest ones,
# which are mostly pixel-to-pixel noise: the patches turn into speckle. As ε grows, the
# weak directions are amplified less and the patches get smoother, with edges still
# sharpened. At ε = 1, larger than every eigenvalue, whitening barely changes the shape
# of the patches at all. The eigenvalue spectrum shows why: after whitening, direction
# $k$ has variance $s_k / (s_k + \varepsilon)$, which is 1 (fully white) when
# $s_k \gg \varepsilon$ and about $s_k/\varepsilon \ll 1$ when $s_k \ll \varepsilon$.

# %%
spectrum = Whitening("zca", epsilon=0.1).fit(raw).eigenvalues_
fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
axes[0].semilogy(spectrum, "k.-", label="eigenvalues $s_k$ of the raw patches")
for eps in white_eps:
    axes[0].axhline(eps, ls="--", lw=0.8)
    axes[0].text(63, eps * 1.15, f"ε = {eps:g}", fontsize=8, ha="right")
    axes[1].plot(spectrum / (spectrum + eps), label=f"ε = {eps:g}")
axes[0].set_xlabel("direction k (by variance)")
axes[0].legend(fontsize=8, loc="lower left")
axes[1].set_xlabel("direction k (by variance)")
axes[1].set_ylabel("variance after whitening\n$s_k/(s_k+ε)$; 1 = fully white")
axes[1].legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# ε is compared with the eigenvalues, so its right value depends on the scale of the data:
# choose it where the spectrum sinks into directions you consider noise. The UFLDL
# whitening exercise uses ε = 0.1 on its image patches, while its notes quote values near
# 1e-5 for data of a different scale. This ε decides what the autoencoder will *see*; the
# initial-weight ε only decides where its training *starts*.

# %% [markdown]
# ## 7. How many hidden units?
#
# Common rules of thumb say N, 2N or "more" hidden units for N inputs. Such rules are
# guesses. What decides is whether something stops a wide code from copying its input
# (notebook 01). Compare a plain code (β = 0) with a sparse one (ρ = 0.05) as the hidden
# layer grows from N/4 to 2N (N = 64):

# %%
hidden_sizes = [16, 64, 128]
size_runs = {"no sparsity (β = 0)": dict(beta=0.0), "sparse (ρ = 0.05, β = 3)": dict(beta=3.0)}
size_err, size_active, wide_models = {}, {}, {}
for name, settings in size_runs.items():
    size_err[name], size_active[name] = [], []
    for p in hidden_sizes:
        m = aelab.SparseAutoencoder(n_hidden=p, rho=0.05, max_iter=150, **settings)
        m.fit(X_train)
        H = m.transform(X_test)
        size_err[name].append(test_error(m))
        size_active[name].append((H > 0.1).sum(axis=1).mean())  # units "on" per patch
    wide_models[name] = m  # the 2N = 128 model

fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
for name in size_runs:
    axes[0].plot(hidden_sizes, size_err[name], "o-", label=name)
    axes[1].plot(hidden_sizes, size_active[name], "o-", label=name)
axes[0].set_ylabel("test reconstruction error")
axes[1].set_ylabel("units active (> 0.1) per patch")
axes[1].set_yscale("log")
for ax in axes:
    ax.set_xscale("log", base=2)
    ax.set_xticks(hidden_sizes, ["N/4", "N", "2N"])
    ax.set_xlabel("hidden units")
    ax.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# Both codes reconstruct better as they widen, but they use their units very differently.
# Without sparsity, every unit is busy on every patch: at 2N that is 128 numbers to
# describe 64 pixels. With ρ = 0.05, a handful of units describe each patch, and adding
# units keeps helping because each one can specialise. The plain code wins on
# reconstruction error, as it always will: reconstruction error alone cannot tell a
# useful wide code from a photocopier (notebook 01). The filters of the two 2N models
# show the difference:

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
for ax, (name, m) in zip(axes, wide_models.items()):
    aelab.plot_filters(m, ax=ax, title=f"2N = 128 units, {name}")
fig.tight_layout()

# %% [markdown]
# Without sparsity the filters are noise-like mixtures; with it, many are small strokes
# and edges. (Train longer, on more patches and with a lower ρ, as notebook 02 does, and
# they sharpen into clean edge detectors.)
#
# **Rules of thumb**, then:
#
# * an **under-complete** code (fewer than N units) is safe without sparsity, and the
#   reconstruction error tells you when it is too small;
# * at **N or more** units, add a regulariser. With sparsity, 2N or more is fine, and the
#   lower ρ is, the more units you can use: roughly, ρ × (hidden units) is the number of
#   units "on" per example, and that should stay at a few at least;
# * choose the final size on **held-out data**, and by what you will use the code for
#   (for a classifier on top, by its accuracy), not by a formula.

# %% [markdown]
# ## 8. Your turn: a tanh panel
#
# A sparse autoencoder with **tanh** hidden units on the patches. The ρ slider runs over
# (−1, 1), the range of tanh. Things to try:
#
# * move ρ from −0.9 towards 0 and watch the mean activations (bottom left) follow;
# * set β to 0 and back: how fast do the units leave their target?
# * raise λ until the filters fade away: does it happen at the λ you expect from section 2?
# * set ε to 0.001, then 1: compare the loss curves (L-BFGS: a short plateau, then fine;
#   ε = 1: a slow start from saturation).

# %%
tanh_panel = aelab.Explorer(
    aelab.SparseAutoencoder(activation="tanh", rho=-0.9, max_iter=100),
    X_train,
    controls=("lam", "beta", "rho", "epsilon", "n_hidden", "seed", "reset"),
    views=("filters", "activations", "loss"),
    image_shape=(8, 8),
)
tanh_panel

# %% [markdown]
# The same experiments, run from code: move ρ (a warm start from the current weights),
# then ε (a fresh start). The picture is the panel's mean-activation view after the ρ
# change, with the new target drawn in.

# %%
def status_text(panel):
    return re.sub(r"<[^>]+>", "", panel.status.value)


tanh_panel.wait()
tanh_panel.controls["rho"].value = -0.5
tanh_panel.wait()
print("ρ → −0.5:   ", status_text(tanh_panel))
rho_frame = tanh_panel.views["activations"].value
reached = mean_activation(tanh_panel.model.transform(X_train)).mean()
print(f"            mean activation reached: {reached:+.3f}")

tanh_panel.controls["epsilon"].value = 1e-3
tanh_panel.wait()
print("ε → 0.001:  ", status_text(tanh_panel))
display(Image(rho_frame))

# %% [markdown]
# `retrain` sets several hyperparameters at once, including ones without a control (here
# the number of iterations), and moves the sliders to match. `config()` records the panel
# as it now stands in a plain, JSON-able dict: save it with your notes or send it to a
# classmate, and `aelab.Explorer.from_config` rebuilds the same panel from it. The
# config holds settings, not weights: the rebuilt panel trains from fresh initial weights,
# so its loss differs from that of the original, which was warm-started.

# %%
tanh_panel.retrain(rho=-0.8, beta=1.0, max_iter=60)
tanh_panel.wait()
print("retrain:    ", status_text(tanh_panel))

settings = tanh_panel.config()
print({k: settings["model"]["params"][k]
       for k in ("activation", "lam", "beta", "rho", "epsilon", "n_hidden", "max_iter")})
copy = aelab.Explorer.from_config(settings, X=X_train)
copy.wait()
print("rebuilt:    ", status_text(copy))
copy.close()  # one live tanh panel is enough

# %% [markdown]
# ## Exercises
#
# ### Exercise 1: translate a sparsity target
#
# A colleague's sigmoid model uses ρ = 0.01. You want the same sparsity with tanh units.
# Compute the tanh target and store it in `rho_tanh`.

# %%
rho_tanh = None  # your answer

# %%
def check_rho_tanh(rho_tanh):
    if rho_tanh is None:
        print("Not yet: set rho_tanh.")
    elif np.isclose(rho_tanh, -0.98):
        print("Correct: 2 × 0.01 − 1 = −0.98. Much closer to −1 than the −0.9 of the "
              "question, which matches sigmoid ρ = 0.05.")
    elif np.isclose(rho_tanh, (0.01 + 1) / 2):
        print("That maps the wrong way: (ρ+1)/2 takes a *tanh* value to the sigmoid "
              "scale. Invert it.")
    elif np.isclose(rho_tanh, -0.9):
        print("−0.9 is the tanh twin of sigmoid ρ = 0.05, five times denser than 0.01. "
              "Use ρ_tanh = 2 ρ_sigmoid − 1.")
    elif not -1 < rho_tanh < 1:
        print("A tanh target must lie strictly between −1 and 1.")
    else:
        print("Not quite. Use tanh(z) = 2σ(2z) − 1, so ρ_tanh = 2 ρ_sigmoid − 1.")


check_rho_tanh(rho_tanh)

# %% [markdown]
# ### Exercise 2: LeCun's scale for MNIST
#
# An autoencoder on MNIST has 784 inputs and 196 hidden units. By LeCun's rule, what is
# the initial weight scale ε for the **encoder** (`eps_encoder`) and for the **decoder**
# (`eps_decoder`)? (Each unit's fan-in is the number of inputs *it* receives.)

# %%
eps_encoder = None  # your answer
eps_decoder = None  # your answer

# %%
def check_lecun(eps_encoder, eps_decoder):
    if eps_encoder is None or eps_decoder is None:
        print("Not yet: set both.")
        return
    enc_ok = np.isclose(eps_encoder, 1 / np.sqrt(784))
    dec_ok = np.isclose(eps_decoder, 1 / np.sqrt(196))
    if enc_ok and dec_ok:
        print("Correct: 1/28 ≈ 0.036 for the encoder, 1/14 ≈ 0.071 for the decoder. "
              "aelab's `epsilon` sets one scale for both layers; the UFLDL default, "
              f"±√(6/(784+196+1)) = ±{np.sqrt(6 / 981):.3f} uniform (standard deviation "
              f"{np.sqrt(6 / 981) / np.sqrt(3):.3f}), sits between the two.")
    elif np.isclose(eps_encoder, 1 / np.sqrt(196)) and np.isclose(eps_decoder, 1 / np.sqrt(784)):
        print("Swapped: an encoder unit receives all 784 pixels; a decoder unit receives "
              "the 196 hidden activations.")
    else:
        if not enc_ok:
            print("Encoder: ε = 1/√(fan-in), and each hidden unit receives 784 inputs.")
        if not dec_ok:
            print("Decoder: each output unit receives the 196 hidden activations.")


check_lecun(eps_encoder, eps_decoder)

# %% [markdown]
# <details><summary>Show solutions</summary>
#
# ```python
# rho_tanh = 2 * 0.01 - 1
# eps_encoder, eps_decoder = 1 / np.sqrt(784), 1 / np.sqrt(196)
# ```
# </details>
#
# ### Exercise 3 (open): does the λ knee move with the data?
#
# Repeat the λ sweep of section 2 on the 8×8 digits (`aelab.datasets.load_digits()`),
# with sigmoid hidden units and a linear output. Is the knee at the same λ as for the
# patches? What property of the data would you blame? (Hint: compare the reconstruction
# error at λ = 0 for both data sets.)

# %% [markdown]
# ## Summary: starting points, and what to watch
#
# | | allowed | start with | sweep | watch for |
# |---|---|---|---|---|
# | λ | ≥ 0 | 1e-4 | 1e-6 … 1e-2, by decades | test error rising, weights collapsing to 0; sigmoid collapses about 10× sooner than tanh |
# | β | ≥ 0 | 3 | 0.1 … 10 | ρ̂ not reaching ρ (too small), reconstruction suffering (too large) |
# | ρ | sigmoid (0, 1); tanh (−1, 1) | sigmoid 0.01–0.1; tanh = 2ρ_sigmoid − 1 | with the hidden size | about ρ × hidden units active per example |
# | ε (init) | > 0 | 1/√fan-in, or `None` (UFLDL) | 0.01 … 0.3 | plateaus with gradient descent (too small), saturation (too large) |
# | ε (whitening) | ≥ 0 | from the eigenvalue spectrum of your data | decades around where the spectrum sinks into noise | speckled whitened data (too small), whitening that changes nothing (too large) |
# | hidden units | ≥ 1 | N/2 … 2N | with ρ | copying (wide and unregularised), held-out error |
#
# Three general lessons: the useful range of a penalty weight depends on what it is
# weighed against (data scale, number of units, activation); a tiny initial scale hurts
# gradient descent much more than L-BFGS; and ρ, β and the hidden size should be chosen
# together.
#
# ## Reading list
#
# * A. Ng, *Sparse autoencoder*, CS294A lecture notes (Stanford), and the UFLDL tutorial
#   built on them: the model, the KL sparsity penalty and the patch exercise of notebook 02.
# * Y. LeCun, L. Bottou, G. Orr and K.-R. Müller, "Efficient BackProp", in *Neural
#   Networks: Tricks of the Trade*, Springer, 1998: input normalisation, the symmetric
#   sigmoid, initial weights of scale 1/√fan-in.
# * P. Vincent, H. Larochelle, Y. Bengio and P.-A. Manzagol, "Extracting and composing
#   robust features with denoising autoencoders", ICML 2008: another way to make wide
#   codes useful.
# * A. Makhzani and B. Frey, "k-Sparse Autoencoders", arXiv:1312.5663, 2013: sparsity by
#   keeping only the k largest units, with fewer knobs to tune.
# * I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press, 2016,
#   chapter 14 "Autoencoders" (free at deeplearningbook.org): under- and over-complete
#   codes, regularised autoencoders, and their links to PCA and manifolds.
#
# Next: **04-autoencoders-and-pca**.
