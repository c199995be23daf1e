"""The checks of notebook 04 accept the right answers and name the typical mistakes."""
import numpy as np
import pytest

import aelab
from aelab.exercises import nb04


def text(fb):
    return str(fb)


def orthonormal_rows(rng, k, n):
    Q, _ = np.linalg.qr(rng.normal(size=(n, k)))
    return Q.T


# ------------------------------------------------------------------ exercise 1
def right_angles(A, B):
    QA, _ = np.linalg.qr(np.asarray(A).T)
    QB, _ = np.linalg.qr(np.asarray(B).T)
    c = np.linalg.svd(QA.T @ QB, compute_uv=False)
    return np.sort(np.arccos(np.clip(c, -1, 1)))


@pytest.fixture
def pair():
    rng = np.random.default_rng(0)
    return rng.normal(size=(4, 12)), orthonormal_rows(rng, 4, 12)


def test_principal_angles_right(pair):
    fb = nb04.check_principal_angles(right_angles, *pair)
    assert fb, text(fb)
    assert text(fb).count("✓") == 3


@pytest.mark.parametrize("mistake, message", [
    (lambda A, B: np.cos(right_angles(A, B)), "cosines"),
    (lambda A, B: np.degrees(right_angles(A, B)), "degrees"),
    (lambda A, B: right_angles(A, B)[::-1], "wrong order"),
    (lambda A, B: np.zeros(min(len(A), len(B))), "all your angles are 0"),
    (lambda A, B: np.linalg.svd(np.linalg.qr(np.asarray(A).T)[0].T
                                @ np.linalg.qr(np.asarray(B).T)[0]), "not an array"),
    (lambda A, B: np.arccos(np.linalg.svd(np.asarray(A) @ np.asarray(B).T, compute_uv=False)
                            .clip(-1, 1)), None),
])
def test_principal_angles_mistakes(pair, mistake, message):
    fb = nb04.check_principal_angles(mistake, *pair)
    assert not fb
    if message:
        assert message in text(fb), text(fb)


def test_principal_angles_wrong_count_and_not_done(pair):
    fb = nb04.check_principal_angles(lambda A, B: np.zeros(np.asarray(A).shape[1]), *pair)
    assert not fb and "one value per pixel" in text(fb)

    def stub(A, B):
        raise NotImplementedError("exercise not done yet")

    fb = nb04.check_principal_angles(stub, *pair)
    assert not fb.done and "not done yet" in text(fb)


def test_principal_angles_never_print_the_reference(pair):
    wrong = lambda A, B: right_angles(A, B) + 0.05  # noqa: E731
    fb = nb04.check_principal_angles(wrong, *pair)
    ref = right_angles(*pair)
    assert not fb
    assert f"{ref[0]:.4f}" not in text(fb) and "expected" not in text(fb)


# ------------------------------------------------------------------ exercise 2
@pytest.fixture
def V10():
    return orthonormal_rows(np.random.default_rng(1), 10, 30)


def cost(C, V, inverse=True, layers=2, squared=True):
    W1 = (np.linalg.inv(C) if inverse else C) @ V
    W2 = V.T @ C
    f = (lambda W: np.sum(W ** 2)) if squared else np.linalg.norm
    return f(W1) + (f(W2) if layers == 2 else 0.0)


def test_mixing_cost_right(V10):
    S = np.diag(np.arange(1.0, 11))
    fb = nb04.check_mixing_cost(cost(np.eye(10), V10), cost(S, V10), V10)
    assert fb, text(fb)


@pytest.mark.parametrize("kw, message", [
    (dict(layers=1), "one of W₁ and W₂ only"),
    (dict(inverse=False), "with the inverse"),
    (dict(squared=False), "not of squared norms"),
])
def test_mixing_cost_mistakes(V10, kw, message):
    S = np.diag(np.arange(1.0, 11))
    fb = nb04.check_mixing_cost(cost(np.eye(10), V10), cost(S, V10, **kw), V10)
    assert not fb and message in text(fb), text(fb)
    assert "386" not in text(fb) and "20" not in text(fb).replace("W₂", "")


def test_mixing_cost_identity_mistakes(V10):
    S = np.diag(np.arange(1.0, 11))
    fb = nb04.check_mixing_cost(10.0, cost(S, V10), V10)
    assert not fb and "one layer only" in text(fb)
    fb = nb04.check_mixing_cost(None, cost(S, V10), V10)
    assert not fb and "None" in text(fb)
    fb = nb04.check_mixing_cost(np.ones(3), cost(S, V10), V10)
    assert not fb and "single number" in text(fb)


# ------------------------------------------------------------------ exercise 3
@pytest.fixture
def leftovers():
    rng = np.random.default_rng(2)
    V = orthonormal_rows(rng, 3, 8)
    W1_0 = rng.normal(size=(3, 8))
    Xc = rng.normal(size=(50, 8))
    Xc -= Xc.mean(axis=0)
    R0 = W1_0 - W1_0 @ V.T @ V
    sw = np.linalg.norm(R0) / np.linalg.norm(W1_0)
    sd = np.linalg.norm(Xc @ R0.T) / np.linalg.norm(Xc @ W1_0.T)
    return (W1_0, V, Xc), sw, sd, R0


def test_leftovers_right(leftovers):
    args, sw, sd, _ = leftovers
    fb = nb04.check_leftovers(sw, sd, *args)
    assert fb, text(fb)


def test_leftovers_mistakes(leftovers):
    args, sw, sd, R0 = leftovers
    W1_0, V, Xc = args
    assert "swapped" in text(nb04.check_leftovers(sd, sw, *args))
    assert "square of the ratio" in text(nb04.check_leftovers(sw ** 2, sd, *args))
    inside = W1_0 @ V.T @ V
    wrong = np.linalg.norm(inside) / np.linalg.norm(W1_0)
    assert "inside the subspace" in text(nb04.check_leftovers(wrong, sd, *args))
    wrong_d = np.linalg.norm(Xc @ R0) if R0.shape[0] == Xc.shape[1] else 0.123
    fb = nb04.check_leftovers(sw, wrong_d, *args)
    assert not fb and "share_data is off" in text(fb)


# ------------------------------------------------------------------ exercise 4
@pytest.fixture
def decoder():
    rng = np.random.default_rng(3)
    k, n, lam = 4, 12, 0.05
    V = orthonormal_rows(rng, k, n)
    var = np.array([2.0, 1.0, 0.5, 0.25])
    O, _ = np.linalg.qr(rng.normal(size=(k, k)))
    W2 = V.T @ np.diag(np.sqrt(1 - lam / var)) @ O
    return W2, lam, V, var


def right_directions(W2, lam):
    U, s, _ = np.linalg.svd(W2, full_matrices=False)
    return U.T, lam / (1 - s ** 2)


def test_directions_right(decoder):
    fb = nb04.check_directions_from_decoder(right_directions, *decoder)
    assert fb, text(fb)
    # signs are arbitrary
    flipped = lambda W2, lam: (-right_directions(W2, lam)[0], right_directions(W2, lam)[1])  # noqa: E731
    assert nb04.check_directions_from_decoder(flipped, *decoder)


@pytest.mark.parametrize("mistake, message", [
    (lambda W2, lam: (np.linalg.svd(W2, full_matrices=False)[0], right_directions(W2, lam)[1]),
     "one direction per column"),
    (lambda W2, lam: (np.linalg.svd(W2, full_matrices=False)[2], right_directions(W2, lam)[1]),
     "right singular vectors"),
    (lambda W2, lam: (right_directions(W2, lam)[0][::-1], right_directions(W2, lam)[1]),
     "different order"),
    (lambda W2, lam: (right_directions(W2, lam)[0],
                      lam / (1 - np.linalg.svd(W2, compute_uv=False))), "squared singular"),
    (lambda W2, lam: (right_directions(W2, lam)[0], np.linalg.svd(W2, compute_uv=False) ** 2),
     "solve the shrinkage formula"),
    (lambda W2, lam: right_directions(W2, lam)[0], "return a pair"),
])
def test_directions_mistakes(decoder, mistake, message):
    fb = nb04.check_directions_from_decoder(mistake, *decoder)
    assert not fb and message in text(fb), text(fb)


def test_directions_of_the_encoder_are_not_accepted(decoder):
    W2, lam, V, var = decoder
    rng = np.random.default_rng(9)
    M = rng.normal(size=W2.shape)
    fb = nb04.check_directions_from_decoder(
        lambda W2, lam: right_directions(M, lam), W2, lam, V, var)
    assert not fb and "not PCA's component" in text(fb)


# ------------------------------------------------------------------ exercises 5 and 6
@pytest.fixture(scope="module")
def tiny_models():
    rng = np.random.default_rng(4)
    X = rng.uniform(0, 1, size=(40, 10))
    X[:, :3] = 0.0          # three blank pixels
    X[::2, 3] = 0.0         # a pixel blank in some images only
    with aelab.fixed_budget("tiny models for the checks' tests"):
        lin = aelab.Autoencoder(n_hidden=3, activation="linear", output_activation="linear",
                                sparsity="l2", rho=0.1, beta=2.0, lam=3e-3, max_iter=20).fit(X)
        sig = aelab.SparseAutoencoder(n_hidden=3, rho=0.1, lam=3e-3, beta=3.0,
                                      max_iter=20).fit(X)
        plain = aelab.Autoencoder(n_hidden=3, activation="sigmoid",
                                  output_activation="sigmoid", max_iter=20).fit(X)
    return X, lin, sig, plain


def penalties(X, lin, sig):
    rl = lin.transform(X).mean(axis=0)
    rs, r = sig.transform(X).mean(axis=0), sig.rho
    pl = lin.beta * np.sum((rl - lin.rho) ** 2)
    ps = sig.beta * np.sum(r * np.log(r / rs) + (1 - r) * np.log((1 - r) / (1 - rs)))
    return pl, ps, rl, rs


def test_free_sparsity_right(tiny_models):
    X, lin, sig, _ = tiny_models
    pl, ps, _, _ = penalties(X, lin, sig)
    fb = nb04.check_free_sparsity(pl, ps, lin, sig, X)
    assert fb, text(fb)


def test_free_sparsity_mistakes(tiny_models):
    X, lin, sig, _ = tiny_models
    pl, ps, rl, rs = penalties(X, lin, sig)
    r = sig.rho
    assert "missing the factor β" in text(nb04.check_free_sparsity(pl / lin.beta, ps, lin, sig, X))
    assert "squares the differences" in text(nb04.check_free_sparsity(
        lin.beta * np.sum(np.abs(rl - lin.rho)), ps, lin, sig, X))
    assert "averages over the units" in text(nb04.check_free_sparsity(pl / 3, ps, lin, sig, X))
    swapped = sig.beta * np.sum(rs * np.log(rs / r) + (1 - rs) * np.log((1 - rs) / (1 - r)))
    assert "KL(ρ̂ⱼ‖ρ)" in text(nb04.check_free_sparsity(pl, swapped, lin, sig, X))
    first = sig.beta * np.sum(r * np.log(r / rs))
    assert "(1 − ρ) term" in text(nb04.check_free_sparsity(pl, first, lin, sig, X))
    assert "missing the factor β" in text(nb04.check_free_sparsity(pl, ps / sig.beta, lin, sig, X))


def test_blank_right_and_mistakes(tiny_models):
    X, _, _, plain = tiny_models
    assert nb04.check_blank(3, 0.0, X, plain)
    assert "*some* image" in text(nb04.check_blank(4, 0.0, X, plain))
    assert "not blank" in text(nb04.check_blank(7, 0.0, X, plain))
    _, grads = plain.objective(X)
    g_all = float(np.abs(grads["W1"]).max())
    assert "over all pixels" in text(nb04.check_blank(3, g_all, X, plain))
    assert "negative" in text(nb04.check_blank(3, -1.0, X, plain))
    assert "single number" in text(nb04.check_blank(np.array([1, 2]), 0.0, X, plain))
