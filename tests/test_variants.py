"""The defining behaviour of each named variant, measured on the course's data."""
import numpy as np
import pytest

import aelab
from aelab.datasets import load_digits


@pytest.fixture(scope="module")
def digits_split():
    X, _ = load_digits()
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(X))
    return X[idx[:1200]], X[idx[1200:]]


def _masked(X, level, seed):
    return X * (np.random.default_rng(seed).random(X.shape) >= level)


def _error(model, X_in, X_clean):
    R = model.reconstruct(X_in) - X_clean
    return 0.5 * np.sum(R**2) / len(X_clean)


def test_denoising_model_cleans_corrupted_inputs_better_than_a_plain_one(digits_split):
    train, test = digits_split
    # An over-complete code (128 units for 64 pixels): the plain model can learn to copy,
    # corruption included; the denoising one cannot (measured 1.22 against 1.92).
    common = dict(n_hidden=128, optimizer="adam", max_iter=40, batch_size=64,
                  learning_rate=3e-3, random_state=1)
    plain = aelab.DenoisingAutoencoder(noise=None, **common).fit(train)
    dae = aelab.DenoisingAutoencoder(noise="mask", noise_level=0.5, **common).fit(train)
    corrupted = _masked(test, 0.5, seed=9)
    e_plain, e_dae = _error(plain, corrupted, test), _error(dae, corrupted, test)
    assert e_dae < 0.8 * e_plain, (e_dae, e_plain)
    # and it pays for that on clean inputs, which the plain model copies better
    assert _error(plain, test, test) < _error(dae, test, test)


def test_contraction_lowers_the_jacobian_norm_more_than_weight_decay(digits_split):
    """At a similar reconstruction error, the contractive model's code is less sensitive."""
    train, _ = digits_split
    common = dict(n_hidden=32, activation="sigmoid", output_activation="sigmoid",
                  loss="mse", tied=True, max_iter=150, random_state=2)
    cae = aelab.Autoencoder(contraction=0.1, **common).fit(train)
    err_cae = -cae.score(train)
    # the weight-decay model with the closest error from a small sweep of λ
    best = None
    for lam in (1e-3, 3e-3, 1e-2, 3e-2):
        wd = aelab.Autoencoder(lam=lam, **common).fit(train)
        gap = abs(-wd.score(train) - err_cae)
        if best is None or gap < best[0]:
            best = (gap, wd)
    wd = best[1]
    assert abs(-wd.score(train) - err_cae) < 0.5 * err_cae
    assert cae.jacobian_norm(train).mean() < 0.9 * wd.jacobian_norm(train).mean()
    plain = aelab.Autoencoder(**common).fit(train)
    assert cae.jacobian_norm(train).mean() < plain.jacobian_norm(train).mean()
