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
# # 04 · Autoencoders and PCA
#
# Take away the sigmoid, the sparsity and the weight decay, and what is left of an
# autoencoder? A linear map down to k numbers and a linear map back up, trained to reconstruct
# its input in squared error. Principal component analysis solves that very problem in closed
# form, so the two should agree — and they do, in a precise and slightly surprising sense
# (Bourlard and Kamp 1988; Baldi and Hornik 1989). This notebook makes the agreement exact,
# explains why the autoencoder's weights still look nothing like PCA's, and then asks what the
# sparsity penalty and the nonlinearity add, by comparing the features four methods learn from
# MNIST (after Johnson and Ramsundar's *Properties of Autoencoders*).
#
# **After this notebook you can**
#
# 1. measure how close two subspaces are with **principal angles**, and compute them yourself;
# 2. show that a trained linear autoencoder reaches PCA's reconstruction error and spans PCA's
#    subspace, while its weight vectors are neither PCA's components nor, in general,
#    orthogonal;
# 3. explain why *any* invertible mixing of the principal components is an equally good
#    linear autoencoder, and why weight decay picks the orthonormal ones;
# 4. tell apart the features of a sparse autoencoder, a sparse *linear* autoencoder, PCA and a
#    plain nonlinear autoencoder on MNIST — and explain why the sparse linear one is PCA in
#    disguise.
#
# Exercises are marked **✎ Exercise**, each with a check cell. The notebook runs in under a
# minute.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import aelab
from aelab.datasets import load_digits, load_mnist
from aelab.metrics import mean_activation, model_reconstruction_error
from aelab.pca import PCA, max_principal_angle_degrees, principal_angles

np.set_printoptions(precision=3, suppress=True)

# %% [markdown]
# ## 1 · A linear autoencoder against PCA, on 8×8 digits
#
# A linear autoencoder with k hidden units computes x̂ = W₂(W₁x + b₁) + b₂: an encoder
# W₁ (k × n) and a decoder W₂ (n × k). PCA with k components computes
# x̂ = μ + Vᵀ V (x − μ), where the rows of V (k × n) are the top k principal directions —
# orthonormal, ordered by variance. By the Eckart–Young theorem no rank-k linear map
# reconstructs the data with smaller squared error, so PCA's error is the floor the autoencoder
# can at best reach.
#
# We use scikit-learn's 1 797 digits (64 pixels each) and k = 10.
# `aelab.LinearAutoencoder` trains with L-BFGS until it converges and carries a whisper of weight
# decay, λ = 1e-4 (we will see why). We also train a second one with λ = 0 — it never quite
# converges, so we stop it after 800 iterations — and record along the way how far each
# model's encoder and decoder subspaces are from PCA's.

# %%
X_dig, _ = load_digits()
k = 10
pca = PCA(n_components=k).fit(X_dig)
V = pca.components_                      # k × 64, orthonormal rows


def track_angles(history, every=25):
    """A fit callback recording the largest principal angle (degrees) to PCA's subspace."""
    def callback(progress):
        if progress.iteration % every == 0:
            p = progress.model.params_
            history.append((progress.iteration,
                            max_principal_angle_degrees(p["W1"], V),      # encoder rows
                            max_principal_angle_degrees(p["W2"].T, V)))   # decoder columns
        return False
    return callback


hist, hist0 = [], []
t0 = time.perf_counter()
lin = aelab.LinearAutoencoder(n_hidden=k).fit(X_dig, callback=track_angles(hist))
lin0 = aelab.LinearAutoencoder(n_hidden=k, lam=0.0, max_iter=800).fit(
    X_dig, callback=track_angles(hist0))
print(f"trained both in {time.perf_counter() - t0:.1f} s "
      f"(λ = 1e-4: {lin.stop_reason_} after {lin.n_iter_} iterations; "
      f"λ = 0: stopped at {lin0.n_iter_})")

err_pca = model_reconstruction_error(pca, X_dig)
print(f"\n{'':16}{'error':>10}{'above PCA':>12}{'∠ encoder':>12}{'∠ decoder':>12}")
print(f"{'PCA':16}{err_pca:10.6f}")
for name, m in [("AE, λ = 1e-4", lin), ("AE, λ = 0", lin0)]:
    err = model_reconstruction_error(m, X_dig)
    print(f"{name:16}{err:10.6f}{(err - err_pca) / err_pca:12.1e}"
          f"{max_principal_angle_degrees(m.components_, V):11.2f}°"
          f"{max_principal_angle_degrees(m.params_['W2'].T, V):11.2f}°")

# %% [markdown]
# Both autoencoders reconstruct the digits as well as PCA, to within a few parts in 100 000.
# The columns ∠ give the **largest principal angle** between the subspace spanned by the
# model's weight vectors and PCA's subspace (defined precisely in exercise 1): 0° means the
# same subspace. The decoder of either model spans PCA's subspace. The encoder does too — but
# only with weight decay. Yet the weights themselves do not look like principal components at
# all:

# %%
fig, axes = plt.subplots(3, 1, figsize=(9, 3.6))
aelab.plot_filters(V, ax=axes[0], n_cols=k)
aelab.plot_filters(lin.components_, ax=axes[1], n_cols=k)
aelab.plot_filters(lin0.params_["W2"].T, ax=axes[2], n_cols=k)
for ax, label in zip(axes, ["PCA components", "AE encoder (λ = 1e-4)", "AE decoder (λ = 0)"]):
    ax.set_ylabel(label, rotation=0, ha="right", va="center")
plt.tight_layout()

# %% [markdown]
# PCA's components come ordered, from broad contrasts (the directions in which the digits differ
# most) to finer patterns. The autoencoder's vectors are blends of them with no order: its
# objective only cares about the *subspace*, and nothing singles out one basis of it.

# %% [markdown]
# ### How the subspaces converge, and why λ = 0 leaves the encoder behind

# %%
fig, ax = plt.subplots(figsize=(8, 3.6))
for h, lam, color in [(hist, "1e-4", "tab:blue"), (hist0, "0", "tab:orange")]:
    it, enc, dec = np.array(h).T
    ax.semilogy(it, enc, color=color, label=f"encoder, λ = {lam}")
    ax.semilogy(it, dec, color=color, ls="--", label=f"decoder, λ = {lam}")
ax.set(xlabel="L-BFGS iteration", ylabel="largest angle to PCA (degrees)")
ax.legend(ncol=2)
plt.tight_layout()

# %% [markdown]
# The decoders find PCA's subspace within a few hundred iterations. The encoder without weight
# decay stalls tens of degrees away, while its reconstruction error is as good as PCA's. How?
#
# Some pixels of these digits are blank in every image, and many more almost always are.
# Encoder weights on those pixels multiply zeros: they change nothing the loss can see, so
# their gradient is (nearly) zero and they keep whatever the random initialisation put there.
# The encoder's *weight vectors* therefore poke out of PCA's subspace, while its *action on
# the data* does not — exercise 3 measures this. Weight decay charges for every weight, seen
# or not, and slowly removes those leftovers; that is why `LinearAutoencoder` defaults to
# λ = 1e-4.

# %% [markdown]
# ### ✎ Exercise 1 — principal angles, by hand
#
# Let the columns of Q_A and Q_B be orthonormal bases of two subspaces (of dimensions k_A ≤ k_B).
# The singular values σ₁ ≥ σ₂ ≥ … of the small matrix Q_Aᵀ Q_B are the cosines of the
# **principal angles** θ₁ ≤ θ₂ ≤ …: θ₁ is the smallest angle between any vector of one subspace
# and any vector of the other, θ₂ the smallest once that pair is set aside, and so on. All
# angles are 0 exactly when one subspace contains the other. Mixing the vectors that span a
# subspace by any invertible matrix leaves the angles unchanged, which is why they compare
# subspaces rather than weight vectors.
#
# Write `my_principal_angles(A, B)` for subspaces spanned by the **rows** of A and B (the layout
# of `components_`): get orthonormal bases with `np.linalg.qr`, take the singular values with
# `np.linalg.svd(..., compute_uv=False)`, and return the angles in **radians, increasing**. Clip
# the cosines to [−1, 1] first: rounding can make one come out as 1.0000000000000002.

# %%
def my_principal_angles(A, B):
    # BEGIN SOLUTION
    QA, _ = np.linalg.qr(np.asarray(A).T)     # columns: orthonormal basis of A's row space
    QB, _ = np.linalg.qr(np.asarray(B).T)
    cosines = np.linalg.svd(QA.T @ QB, compute_uv=False)
    return np.sort(np.arccos(np.clip(cosines, -1.0, 1.0)))
    # END SOLUTION


# %%
def check_principal_angles(fun):
    rng = np.random.default_rng(1)
    cases = {"the λ = 0 encoder against PCA": (lin0.components_, V),
             "two random 3-dim subspaces of R^6": (rng.normal(size=(3, 6)),
                                                    rng.normal(size=(3, 6))),
             "a 2-dim subspace against a 4-dim one": (rng.normal(size=(2, 8)),
                                                      rng.normal(size=(4, 8)))}
    for what, (A, B) in cases.items():
        mine, ref = np.asarray(fun(A, B), dtype=float), principal_angles(A, B)
        assert mine.shape == ref.shape, (
            f"{what}: expected {ref.size} angles, got shape {mine.shape}. Did you orthonormalise "
            "the columns of A.T (the rows of A), and take singular values, not a full SVD?")
        if np.allclose(mine, 0, atol=1e-6) and ref.max() > 0.1:
            raise AssertionError(f"{what}: all your angles are 0. Did you run QR on A instead "
                                 "of A.T? The subspace is spanned by the rows of A")
        if np.allclose(np.sort(mine), np.sort(np.cos(ref)), atol=1e-6):
            raise AssertionError(f"{what}: these are the cosines of the angles; take arccos")
        if np.allclose(np.radians(mine), ref, atol=1e-6):
            raise AssertionError(f"{what}: these look like degrees; return radians")
        if np.allclose(np.sort(mine), ref, atol=1e-6) and not np.allclose(mine, ref, atol=1e-6):
            raise AssertionError(f"{what}: right angles, wrong order; return them increasing")
        assert np.allclose(mine, ref, atol=1e-6), (
            f"{what}: got {np.round(mine, 4)}, expected {np.round(ref, 4)} (radians)")
    print("✓ Your principal angles agree with aelab.pca.principal_angles on all three cases.")


check_principal_angles(my_principal_angles)

# %% [markdown]
# (`aelab.pca.principal_angles` uses SciPy's `subspace_angles`, which switches to a sine-based
# formula for tiny angles: the arccos of a cosine within 1e-16 of 1 cannot resolve angles
# below about 1e-8 radians.)
#
# ## 2 · Why the weights need not be orthogonal
#
# Take PCA's solution and slip any invertible k × k matrix C and its inverse between encoder
# and decoder:
#
# $$W_1 = C^{-1}V,\qquad W_2 = V^\top C,\qquad
#   W_2 W_1 = V^\top C\,C^{-1} V = V^\top V .$$
#
# The product — the only thing the reconstruction depends on — is unchanged, so this is an
# optimal linear autoencoder for *every* invertible C. Its code h = C⁻¹V(x − μ) is a mixture of
# the principal scores, and its decoder columns V^⊤C are mixtures of the components, orthogonal
# only when C happens to be. The loss has a whole continuum of minima; PCA is one point of it.

# %%
rng = np.random.default_rng(0)
C = rng.normal(size=(k, k))                   # a random mixing, invertible with probability 1
W1, W2 = np.linalg.inv(C) @ V, V.T @ C
mu = pca.mean_
X_hat = ((X_dig - mu) @ W1.T) @ W2.T + mu     # b1 = −W1 μ and b2 = μ, written out
err_mixed = 0.5 * np.sum((X_hat - X_dig) ** 2) / len(X_dig)
print(f"error with a random mixing C: {err_mixed:.10f}\nPCA's error:                  {err_pca:.10f}")
print("decoder columns' Gram matrix W2ᵀW2 (identity would mean orthonormal), top-left corner:")
print((W2.T @ W2)[:4, :4])

# %% [markdown]
# **What weight decay adds.** Among all these equally good solutions, λ/2 (‖W₁‖²_F + ‖W₂‖²_F)
# prefers the cheapest. V has orthonormal rows, so ‖C⁻¹V‖²_F = ‖C⁻¹‖²_F and
# ‖VᵀC‖²_F = ‖C‖²_F; in terms of the singular values s₁ … s_k of C,
#
# $$\lVert W_1\rVert_F^2 + \lVert W_2\rVert_F^2 = \sum_{i=1}^k \Bigl(s_i^2 + \frac{1}{s_i^2}\Bigr)
#   \;\ge\; 2k,$$
#
# with equality exactly when every sᵢ = 1, i.e. when C is orthogonal — a rotation (or
# reflection). So the λ > 0 model should have orthonormal encoder rows (W₁W₁ᵀ = I, up to a
# tiny shrinkage that λ causes) and be a **rotation** of PCA: R = W₁Vᵀ should be orthogonal but
# not diagonal. Let us look.

# %%
R = lin.components_ @ V.T
G = lin.components_ @ lin.components_.T       # Gram matrix of the encoder rows
print(f"diagonal of W₁W₁ᵀ: {np.diag(G)}")
print(f"largest off-diagonal entry: {np.abs(G - np.diag(np.diag(G))).max():.1e}")

fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
for ax, M, title in [(axes[0], R, "λ = 1e-4:  R = W₁Vᵀ"),
                     (axes[1], lin0.params_["W2"].T @ V.T, "λ = 0:  W₂ᵀVᵀ")]:
    im = ax.imshow(M, cmap="RdBu_r", vmin=-1.5, vmax=1.5)
    ax.set(title=title, xlabel="PCA component", ylabel="autoencoder unit")
fig.colorbar(im, ax=axes, shrink=0.8, label="weight on the component");

# %% [markdown]
# On the left, every autoencoder unit mixes several principal components: not PCA itself, but
# its rows have unit length and are orthogonal, so R is a rotation. On the right, the λ = 0
# decoder's mixing matrix has rows of different lengths: a general invertible C. (Factor
# analysis has the same freedom: with independent Gaussian factors, any rotation of the
# loadings fits the data exactly as well, so its factors too are defined only up to a
# rotation. A Gaussian is the one distribution that looks the same after every rotation.)
#
# **Why tie the weights?** With C orthogonal, C⁻¹ = Cᵀ, so W₁ = CᵀV and W₂ = VᵀC = W₁ᵀ: the
# weight-decayed optimum has *tied* weights of its own accord. A decoder that is the transpose
# of a (nearly) orthonormal encoder is its inverse on the code subspace, which is why tying
# W₂ = W₁ᵀ (`tied=True`) costs a linear autoencoder nothing and halves its parameters. The
# k-sparse autoencoder of notebook 05 and the contractive one of notebook 06 tie their weights
# for this reason. The two models above say how close they come:

# %%
tie_gap = {}
for name, m in [("λ = 1e-4", lin), ("λ = 0", lin0)]:
    W1_m, W2_m = m.params_["W1"], m.params_["W2"]
    tie_gap[name] = np.linalg.norm(W2_m - W1_m.T) / np.linalg.norm(W1_m)
    print(f"{name}: ‖W₂ − W₁ᵀ‖ / ‖W₁‖ = {tie_gap[name]:.4f}")
assert tie_gap["λ = 1e-4"] < 0.01 < tie_gap["λ = 0"]

# %% [markdown]
# With weight decay the decoder is the encoder's transpose to a few parts in ten thousand;
# without it nothing ties them, and they differ by about as much as the weights themselves.
#
# ### ✎ Exercise 2 — the price of a mixing
#
# Compute the weight-decay cost ‖W₁‖²_F + ‖W₂‖²_F of the construction above for
#
# * `cost_identity`: C = I (plain PCA), and
# * `cost_stretch`: C = diag(1, 2, …, 10),
#
# by building W₁ and W₂ and summing their squares. Check both against the formula.

# %%
# BEGIN SOLUTION
def mixing_cost(C):
    W1, W2 = np.linalg.inv(C) @ V, V.T @ C
    return np.sum(W1 ** 2) + np.sum(W2 ** 2)


cost_identity = mixing_cost(np.eye(k))
cost_stretch = mixing_cost(np.diag(np.arange(1.0, k + 1)))
# END SOLUTION
print(f"C = I: {cost_identity:.4f}     C = diag(1..10): {cost_stretch:.4f}")


# %%
def check_mixing_cost(cost_identity, cost_stretch):
    s = np.arange(1.0, k + 1)
    expected = np.sum(s ** 2 + 1 / s ** 2)
    assert np.isclose(cost_identity, 2 * k), (
        f"for C = I expected 2k = {2 * k}, got {cost_identity:.4f}. Each of the k rows of V "
        "has unit length, in W₁ and again in W₂")
    if np.isclose(cost_stretch, np.sum(s ** 2)) or np.isclose(cost_stretch, np.sum(1 / s ** 2)):
        raise AssertionError("you counted only one of W₁ and W₂; the cost is the sum of both")
    assert np.isclose(cost_stretch, expected), (
        f"for C = diag(1..10) expected Σ(sᵢ² + 1/sᵢ²) = {expected:.4f}, got {cost_stretch:.4f}")
    print(f"✓ Both right. The stretched mixing reconstructs exactly as well but costs "
          f"{cost_stretch / cost_identity:.0f}× as much weight decay, so any λ > 0 rules it out.")


check_mixing_cost(cost_identity, cost_stretch)

# %% [markdown]
# ### ✎ Exercise 3 — the λ = 0 encoder's leftovers are invisible on the data
#
# Split the λ = 0 encoder into its part inside PCA's subspace and the rest,
# `W1_0 = W1_0 @ V.T @ V + R0`. Compute
#
# * `share_weights`: ‖R0‖_F / ‖W1_0‖_F, how much of the encoder *weights* lie outside the
#   subspace, and
# * `share_data`: ‖X_c R0ᵀ‖_F / ‖X_c W1_0ᵀ‖_F, how much of the encoder's *output on the
#   (centred) data* X_c = X − μ comes from that part.

# %%
W1_0 = lin0.components_
Xc = X_dig - X_dig.mean(axis=0)
# BEGIN SOLUTION
R0 = W1_0 - W1_0 @ V.T @ V
share_weights = np.linalg.norm(R0) / np.linalg.norm(W1_0)
share_data = np.linalg.norm(Xc @ R0.T) / np.linalg.norm(Xc @ W1_0.T)
# END SOLUTION
print(f"outside PCA's subspace: {share_weights:.1%} of the weights, "
      f"{share_data:.2%} of the output on the data")


# %%
def check_leftovers(share_weights, share_data):
    R0 = W1_0 - W1_0 @ V.T @ V
    sw = np.linalg.norm(R0) / np.linalg.norm(W1_0)
    sd = np.linalg.norm(Xc @ R0.T) / np.linalg.norm(Xc @ W1_0.T)
    if np.isclose(share_weights, sd) and np.isclose(share_data, sw):
        raise AssertionError("the two shares are swapped")
    assert np.isclose(share_weights, sw, rtol=1e-6), (
        f"share_weights should be ‖R0‖/‖W1_0‖ = {sw:.4f}, got {share_weights:.4f}. "
        "R0 = W1_0 − W1_0 Vᵀ V removes the part inside the subspace")
    assert np.isclose(share_data, sd, rtol=1e-6), (
        f"share_data should be ‖Xc R0ᵀ‖/‖Xc W1_0ᵀ‖ = {sd:.5f}, got {share_data:.5f}. "
        "Use the centred data Xc, and R0ᵀ so that each hidden unit is a column")
    print(f"✓ Right. {sw:.0%} of the weights are outside the subspace, yet they move the codes "
          f"by only {sd:.2%}: they sit on pixels the digits (almost) never use, so the loss "
          "cannot see them — and cannot remove them. Weight decay can.")


check_leftovers(share_weights, share_data)

# %% [markdown]
# ## 3 · Four ways to learn features from MNIST
#
# Johnson and Ramsundar compare, on MNIST, the features of four methods in one 2×2 figure. We
# redo it on 1 000 of the embedded MNIST images (28 × 28 pixels in [0, 1]) with 49 features each:
#
# | panel | model | objective |
# | --- | --- | --- |
# | upper left | **sparse autoencoder** | sigmoid units, ½‖x̂ − x‖² + λ/2‖W‖² + β Σ KL(ρ‖ρ̂ⱼ), UFLDL's MNIST values ρ = 0.1, λ = 3e-3, β = 3 |
# | upper right | **sparse linear autoencoder** | linear units, the same but with an ℓ2 sparsity penalty β Σ (ρ̂ⱼ − ρ)² |
# | lower left | **PCA** | top 49 principal components |
# | lower right | **plain autoencoder** | sigmoid units, reconstruction only: no weight decay, no sparsity |
#
# To fit a one-core Binder, the nonlinear models get 120 L-BFGS iterations and the linear one
# 200, in float32 (about twice as fast as float64 here, and the pictures are the same). UFLDL's
# version (the first 10 000 training images, 196 units, 400 iterations) takes about a minute; the
# features are sharper but of the same kinds.

# %%
X_mn, _ = load_mnist(1000, source="embedded")   # the 5 000 images shipped with aelab, offline
p = 49
common = dict(n_hidden=p, dtype="float32")
models = {
    "sparse autoencoder": aelab.SparseAutoencoder(rho=0.1, lam=3e-3, beta=3.0,
                                                  max_iter=120, **common),
    "sparse linear autoencoder": aelab.Autoencoder(activation="linear",
                                                   output_activation="linear",
                                                   sparsity="l2", rho=0.1, beta=3.0, lam=3e-3,
                                                   max_iter=200, **common),
    "plain autoencoder": aelab.Autoencoder(activation="sigmoid", output_activation="sigmoid",
                                           max_iter=120, **common),
}
for name, m in models.items():
    t0 = time.perf_counter()
    m.fit(X_mn)
    print(f"{name:26} {m.n_iter_} iterations, {time.perf_counter() - t0:4.1f} s")
pca_mn = PCA(n_components=p).fit(X_mn)

# %% [markdown]
# Which weights to show? UFLDL draws the encoder rows (W₁). On MNIST, though, a fifth of the
# pixels are blank in all 1 000 images and many more nearly always are, so — as in section 1 —
# the encoder weights on them stay at (or near) their random initial values unless weight decay
# removes them, and they cover the tiles of the unregularised models in static (exercise 5). We show the **decoder columns** (rows of
# W₂ᵀ) instead: the image each hidden unit adds to the reconstruction when it switches on. Every
# output pixel's error trains them, so there are no leftovers. For PCA, encoder and decoder are
# the same components.

# %%
panels = [("sparse autoencoder", models["sparse autoencoder"].params_["W2"].T),
          ("sparse linear autoencoder (ℓ2)", models["sparse linear autoencoder"].params_["W2"].T),
          ("PCA", pca_mn.components_),
          ("plain nonlinear autoencoder", models["plain autoencoder"].params_["W2"].T)]
fig, axes = plt.subplots(2, 2, figsize=(9, 9.4))
for ax, (title, W) in zip(axes.flat, panels):
    aelab.plot_filters(W, ax=ax, title=title)
fig.suptitle("49 features learned from 1 000 MNIST digits (decoder columns)")
plt.tight_layout()

# %%
print(f"{'':28}{'error':>8}{'mean ρ̂':>9}{'median ∠ to PCA':>17}")
print(f"{'PCA':28}{model_reconstruction_error(pca_mn, X_mn):8.3f}")
for name, m in models.items():
    angles = np.degrees(principal_angles(m.params_["W2"].T, pca_mn.components_))
    print(f"{name:28}{model_reconstruction_error(m, X_mn):8.3f}"
          f"{mean_activation(m.transform(X_mn)).mean():9.3f}{np.median(angles):16.1f}°")

# %% [markdown]
# **Reading the figure.**
#
# * **PCA** (lower left): global, ordered patterns — first a broad loop, the direction in which
#   digits vary most (a 0 against a 1, roughly; the mean digit itself was removed), then ever
#   finer ripples, like a Fourier basis shaped to digits. Every pixel matters in every
#   component.
# * **Sparse autoencoder** (upper left): each unit draws something recognisable — a pen
#   stroke, a loop, the outline of a particular 0, 2 or 7. Only about one unit in ten may be
#   on at a time (ρ = 0.1), so each must carry a piece that makes sense on its own. This is the
#   one panel that is not PCA-like.
# * **Plain nonlinear autoencoder** (lower right): without any penalty the units are global,
#   overlapping blends, much like rotated principal components (several with a speckled
#   surround) — close to what Johnson and Ramsundar observed, and the reason they credit the
#   *constraints*, not the nonlinearity, for the autoencoder's interesting features.
# * **Sparse linear autoencoder** (upper right): noisy global mixtures, and by the table it is
#   closing in on PCA's subspace (its median principal angle keeps falling with more
#   iterations). The sparsity penalty did nothing at all — exercise 4 shows why.

# %% [markdown]
# ### ✎ Exercise 4 — sparsity that costs nothing
#
# For the sparse linear model and for the sparse (sigmoid) model, compute the value of the
# sparsity part of the objective on `X_mn`:
#
# * `penalty_linear` = β Σⱼ (ρ̂ⱼ − ρ)² for the sparse linear autoencoder,
# * `penalty_sigmoid` = β Σⱼ KL(ρ‖ρ̂ⱼ) for the sparse autoencoder,
#
# with ρ̂ⱼ the mean activation of unit j (`mean_activation(model.transform(X_mn))`) and β, ρ
# read from each model (`model.beta`, `model.rho`).

# %%
# BEGIN SOLUTION
lin_mn, sig_mn = models["sparse linear autoencoder"], models["sparse autoencoder"]
rh = mean_activation(lin_mn.transform(X_mn))
penalty_linear = lin_mn.beta * np.sum((rh - lin_mn.rho) ** 2)
rh, r = mean_activation(sig_mn.transform(X_mn)), sig_mn.rho
penalty_sigmoid = sig_mn.beta * np.sum(r * np.log(r / rh) + (1 - r) * np.log((1 - r) / (1 - rh)))
# END SOLUTION
print(f"sparsity penalty: linear {penalty_linear:.2e},   sigmoid {penalty_sigmoid:.2e}")


# %%
def check_free_sparsity(penalty_linear, penalty_sigmoid):
    lm, sm = models["sparse linear autoencoder"], models["sparse autoencoder"]
    rl = mean_activation(lm.transform(X_mn))
    rs, r = mean_activation(sm.transform(X_mn)), sm.rho
    exp_lin = lm.beta * np.sum((rl - lm.rho) ** 2)
    exp_sig = sm.beta * np.sum(r * np.log(r / rs) + (1 - r) * np.log((1 - r) / (1 - rs)))
    assert np.isclose(penalty_linear, exp_lin, rtol=1e-4, atol=1e-9), (
        f"penalty_linear: expected {exp_lin:.3e}, got {penalty_linear:.3e}. Square the "
        "differences ρ̂ⱼ − ρ, sum over units, multiply by β")
    assert np.isclose(penalty_sigmoid, exp_sig, rtol=1e-4), (
        f"penalty_sigmoid: expected {exp_sig:.3e}, got {penalty_sigmoid:.3e}. "
        "KL = ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂)), summed over units, times β")
    print(f"✓ Right. The linear model's penalty is {exp_sig / max(exp_lin, 1e-300):.0f}× "
          f"smaller: every one of its units has |ρ̂ⱼ − ρ| < {np.abs(rl - lm.rho).max():.3f}, "
          "and (below) it costs the model nothing.")


check_free_sparsity(penalty_linear, penalty_sigmoid)

# %% [markdown]
# *Why it is free.* A linear unit's mean activation is ρ̂ⱼ = wⱼᵀx̄ + b₁ⱼ, with x̄ the mean
# image: the bias b₁ⱼ can set it to exactly ρ whatever the weights are, and the decoder bias
# b₂ absorbs the constant shift this adds to the reconstruction (W₂ b₁). Biases are not
# decayed, so meeting the target costs nothing, and what remains of the objective is
# reconstruction plus weight decay — a linear autoencoder, which section 2 showed is a rotated
# PCA. A penalty on the *mean* activation can only make a linear code sparse if it cannot be
# paid off by a shift. For sigmoid units it cannot: pushing the mean down to ρ also pushes most
# activations into the flat part of the sigmoid, which is what makes the code sparse.
#
# ### ✎ Exercise 5 — where the encoder static comes from
#
# Count the pixels that are 0 in every one of the 1 000 images (`n_blank`), then evaluate the
# plain autoencoder's objective and gradient on `X_mn` (`model.objective(X_mn)` returns
# `(J, grads)`) and find `max_blank_grad`, the largest |∂J/∂W₁| over the encoder weights on those
# pixels (the columns of `grads["W1"]`).

# %%
plain = models["plain autoencoder"]
# BEGIN SOLUTION
blank = X_mn.max(axis=0) == 0
n_blank = int(blank.sum())
_, grads = plain.objective(X_mn)
max_blank_grad = float(np.abs(grads["W1"][:, blank]).max())
# END SOLUTION
print(f"{n_blank} blank pixels; largest gradient on their encoder weights: {max_blank_grad}")


# %%
def check_blank(n_blank, max_blank_grad):
    blank = X_mn.max(axis=0) == 0
    assert n_blank == blank.sum(), (
        f"expected {blank.sum()} pixels that are 0 in every image, got {n_blank}. "
        "Take the maximum over the images (axis=0) and count where it is 0")
    assert max_blank_grad == 0, (
        f"expected exactly 0, got {max_blank_grad}. Take grads['W1'][:, blank] (columns are "
        "pixels) from plain.objective(X_mn)")
    print(f"✓ Right: the gradient on those {n_blank} × {plain.n_hidden} weights is exactly "
          "zero, so training never moves them from their random start:")
    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    aelab.plot_filters(plain.components_, ax=ax, title="plain autoencoder, encoder rows (W₁)")


check_blank(n_blank, max_blank_grad)

# %% [markdown]
# ## 4 · Live: the hidden size
#
# The panel below shows a linear autoencoder on the digits beside PCA's components for the same
# number of units, and its status line reports the largest principal angle between the two
# subspaces. Move the hidden-size slider: every retrain lands on PCA's subspace (an angle near
# 0°), at every size, with a different-looking basis each time.
#
# A new hidden size means new weight shapes, so each retrain starts from fresh random weights
# and runs L-BFGS to convergence. To make that quick, the panel trains on **centred** digits
# (each pixel's mean over the data set removed). Nothing is lost: the model has biases that
# could absorb the mean, and PCA centres the data anyway, so the subspace to find is the same.
# What changes is the optimisation. Every raw digit carries the same mean image (0 at the
# border, up to 0.76 in the middle strokes, 0.3 on average), and the weights and biases have to untangle it from the directions that vary;
# that makes the problem badly conditioned. Centred, L-BFGS needs about a third of the
# iterations, as the next cell measures, and a slider move answers in about a second.
#
# > A blank panel means you are reading a static copy: run the notebook to get live widgets.

# %%
X_cen = X_dig - X_dig.mean(axis=0)
t0 = time.perf_counter()
lin_cen = aelab.LinearAutoencoder(n_hidden=k).fit(X_cen)
print(f"centred digits: {lin_cen.n_iter_} iterations ({lin_cen.stop_reason_}) in "
      f"{time.perf_counter() - t0:.1f} s; the raw digits in section 1 took {lin.n_iter_}")
size_panel = aelab.Explorer(lin_cen, X_cen, controls=("n_hidden",),
                            views=("filters", "pca", "reconstructions"), image_shape=(8, 8))
size_panel

# %% [markdown]
# The same from code: set the slider to 5 units, wait for the final frame, and measure the
# angle ourselves.

# %%
size_panel.controls["n_hidden"].value = 5
size_panel.wait()
m5 = size_panel.model
angle = max_principal_angle_degrees(m5.components_, PCA(5).fit(X_dig).components_)
print(f"{m5.n_hidden} units, {m5.n_iter_} iterations ({m5.stop_reason_}) in "
      f"{size_panel.stats['time_to_final_frame']:.1f} s: largest angle to PCA-5 = {angle:.3f}°")

# %% [markdown]
# Things to try in the panel:
#
# * **64 units or more.** There is nothing left to compress: the autoencoder can copy its input
#   and the angle stops being meaningful (the status line says so).
# * **A nonlinear model.** Replace `lin_cen, X_cen` by `aelab.SparseAutoencoder(), X_dig` or by
#   `aelab.Autoencoder(activation="sigmoid", output_activation="sigmoid"), X_dig` (sigmoid
#   outputs need the raw digits, in [0, 1]) and re-run the cell:
#   how far from PCA's subspace do they land?
#
# ## Summary
#
# * A linear autoencoder trained to its optimum reconstructs exactly as well as PCA and its
#   decoder spans PCA's subspace: largest principal angle ≈ 0°.
# * Its weights are not PCA's components. Any invertible mixing W₁ = C⁻¹V, W₂ = VᵀC is
#   equally optimal; **weight decay** picks the cheapest, an orthogonal C, so with λ > 0 the
#   weights are orthonormal but still a **rotation** of PCA. With λ = 0 the encoder also keeps
#   random leftovers on pixels the data never use, invisible to the loss.
# * **Principal angles** compare subspaces, not vectors: orthonormalise, take the SVD of
#   Q_AᵀQ_B, and read the angles off the singular values.
# * On MNIST, the **sparse** (sigmoid) autoencoder learns local parts; PCA, the plain nonlinear
#   autoencoder and the **sparse linear** autoencoder learn global mixtures. For linear units a
#   penalty on the mean activation is absorbed by the biases, so "sparse linear" is PCA again:
#   the interesting features come from sparsity acting through a nonlinearity.
#
# * **Centring** the data changes nothing that a linear autoencoder with biases can
#   represent, but it conditions the optimisation: a third of the L-BFGS iterations.
#
# **Next:** notebook 05 makes linear units sparse the way that does work — by keeping only the
# k largest activations of each example (k-sparse autoencoders).
