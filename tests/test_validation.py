"""Bad hyperparameters and bad data: each gives a clear error naming the parameter and what is allowed."""
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import aelab

X_OK = np.random.default_rng(0).uniform(0.1, 0.9, size=(12, 6))

# (estimator class, hyperparameters, exception, words the message must contain)
PARAM_CASES = [
    (aelab.Autoencoder, dict(n_hidden=0), ValueError, ["n_hidden=0", ">= 1"]),
    (aelab.Autoencoder, dict(n_hidden=2.5), TypeError, ["n_hidden=2.5", "integer"]),
    (aelab.Autoencoder, dict(n_hidden="25"), TypeError, ["n_hidden='25'", "integer"]),
    (aelab.Autoencoder, dict(lam=-1e-3), ValueError, ["lam=-0.001", ">= 0"]),
    (aelab.Autoencoder, dict(lam=float("nan")), ValueError, ["lam=nan"]),
    (aelab.Autoencoder, dict(lam="small"), TypeError, ["lam='small'", "real number"]),
    (aelab.Autoencoder, dict(beta=-3), ValueError, ["beta=-3", ">= 0"]),
    (aelab.Autoencoder, dict(beta=float("inf")), ValueError, ["beta=inf"]),
    (aelab.SparseAutoencoder, dict(rho=0.0), ValueError, ["rho=0.0", "(0.0, 1.0)"]),
    (aelab.SparseAutoencoder, dict(rho=1.2), ValueError, ["rho=1.2", "(0.0, 1.0)"]),
    (aelab.SparseAutoencoder, dict(rho=-0.9), ValueError, ["rho=-0.9", "(0.0, 1.0)"]),
    (aelab.SparseAutoencoder, dict(activation="tanh", rho=-1.0), ValueError, ["rho=-1.0", "(-1.0, 1.0)"]),
    (aelab.SparseAutoencoder, dict(activation="relu"), ValueError, ["sparsity='kl'", "'l1' or 'l2'"]),
    (aelab.Autoencoder, dict(activation="relu", sparsity="l1", beta=1, rho=-0.1), ValueError, ["rho=-0.1", ">= 0"]),
    (aelab.Autoencoder, dict(epsilon=0.0), ValueError, ["epsilon=0.0", "> 0"]),
    (aelab.Autoencoder, dict(epsilon=-0.01), ValueError, ["epsilon=-0.01"]),
    (aelab.Autoencoder, dict(epsilon="default"), TypeError, ["epsilon='default'", "or None"]),
    (aelab.Autoencoder, dict(n_hidden=5, k=6), ValueError, ["k=6", "[1, 5]"]),
    (aelab.Autoencoder, dict(k=0), ValueError, ["k=0"]),
    (aelab.KSparseAutoencoder, dict(alpha=0.5), ValueError, ["alpha=0.5", ">= 1"]),
    (aelab.DenoisingAutoencoder, dict(noise_level=1.0), ValueError, ["noise_level=1.0", "[0.0, 1.0)"]),
    (aelab.Autoencoder, dict(noise="gaussian", noise_level=-0.1), ValueError, ["noise_level=-0.1"]),
    (aelab.Autoencoder, dict(noise="salt"), ValueError, ["noise='salt'", "'mask'", "'gaussian'"]),
    (aelab.Autoencoder, dict(optimizer="adam", learning_rate=0.0), ValueError, ["learning_rate=0.0", "> 0"]),
    (aelab.Autoencoder, dict(batch_size=0), ValueError, ["batch_size=0"]),
    (aelab.Autoencoder, dict(max_iter=0), ValueError, ["max_iter=0"]),
    (aelab.Autoencoder, dict(max_iter=None), TypeError, ["max_iter=None", "integer"]),
    (aelab.Autoencoder, dict(dtype="float16"), ValueError, ["dtype='float16'", "'float64'", "'float32'"]),
    (aelab.Autoencoder, dict(activation="softmax"), ValueError, ["activation='softmax'", "sigmoid"]),
    (aelab.Autoencoder, dict(loss="mae"), ValueError, ["loss='mae'", "cross_entropy"]),
    (aelab.Autoencoder, dict(loss="cross_entropy"), ValueError, ["cross_entropy", "output_activation='sigmoid'"]),
    (aelab.Autoencoder, dict(sparsity="kl2"), ValueError, ["sparsity='kl2'"]),
    (aelab.Autoencoder, dict(tied="yes"), TypeError, ["tied='yes'", "True or False"]),
    (aelab.Autoencoder, dict(random_state=-1), ValueError, ["random_state=-1", "2**32 - 1"]),
    (aelab.Autoencoder, dict(random_state=1.5), TypeError, ["random_state=1.5", "Generator"]),
    (aelab.Autoencoder, dict(momentum=1.0), ValueError, ["momentum=1.0", "[0.0, 1.0)"]),
    (aelab.ContractiveAutoencoder, dict(contraction=-1.0), ValueError, ["contraction=-1.0"]),
]


@pytest.mark.parametrize("cls, params, exc, words", PARAM_CASES,
                         ids=[f"{c.__name__}-{list(p)[0]}={list(p.values())[0]!r}" for c, p, _, _ in PARAM_CASES])
def test_bad_hyperparameter(cls, params, exc, words):
    model = cls(**params)  # scikit-learn convention: __init__ stores, fit validates
    with pytest.raises(exc) as info:
        model.fit(X_OK)
    for w in words:
        assert w in str(info.value), f"{w!r} missing from: {info.value}"


def test_unknown_option_name():
    with pytest.raises(TypeError, match="lamda"):
        aelab.Autoencoder(lamda=0.1)
    with pytest.raises(ValueError, match="lamda"):
        aelab.Autoencoder().set_params(lamda=0.1)


DATA_CASES = [
    # scikit-learn's own wording where its estimator checks read the message
    (np.ones(6) * 0.5, ValueError, ["2-D", "Reshape your data", "reshape(1, -1)"]),
    (np.empty((0, 6)), ValueError, ["0 sample(s)", "minimum of 1"]),
    (np.empty((6, 0)), ValueError, ["0 feature(s)", "minimum of 1"]),
    (np.where(np.eye(12, 6) > 0, np.nan, 0.5), ValueError, ["6 NaN or infinite"]),
    (np.where(np.eye(12, 6) > 0, np.inf, 0.5), ValueError, ["6 NaN or infinite"]),
    ((X_OK * 255).astype(np.uint8), TypeError, ["uint8", "/ 255.0"]),
    ([[1, 2], [3, 4]], TypeError, ["int64", "/ 255.0"]),
    (X_OK + 0j, ValueError, ["Complex data not supported"]),
    ("pixels", TypeError, ["2-D array"]),
]


@pytest.mark.parametrize("X, exc, words", DATA_CASES, ids=[
    "1-D", "no-rows", "no-columns", "nan", "inf", "uint8", "int-list", "complex", "str"])
def test_bad_data(X, exc, words):
    with pytest.raises(exc) as info:
        aelab.Autoencoder(3).fit(X)
    for w in words:
        assert w in str(info.value)


def test_data_outside_unit_interval_for_sigmoid_output_or_cross_entropy():
    bad = X_OK * 3 - 1
    for model in (aelab.SparseAutoencoder(), aelab.DenoisingAutoencoder()):
        with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
            model.fit(bad)
    aelab.Autoencoder(3, max_iter=2).fit(bad)  # a linear output takes any real data


def test_wrong_width_and_not_fitted():
    model = aelab.Autoencoder(3, max_iter=2)
    with pytest.raises(NotFittedError, match="fit"):
        model.transform(X_OK)
    model.fit(X_OK)
    with pytest.raises(ValueError, match="X has 7 features, but Autoencoder is expecting 6"):
        model.transform(np.zeros((2, 7)))
    with pytest.raises(ValueError, match="H has 2 features"):
        model.inverse_transform(np.zeros((2, 2)))


def test_a_failed_fit_loses_nothing():
    model = aelab.SparseAutoencoder(n_hidden=3, max_iter=5).fit(X_OK)
    before = {k: v.copy() for k, v in model.params_.items()}
    model.set_params(rho=2.0)
    with pytest.raises(ValueError):
        model.fit(X_OK)
    for k in before:
        assert np.array_equal(model.params_[k], before[k])


def test_sparse_data_is_refused_with_scikit_learns_message():
    import scipy.sparse

    with pytest.raises(TypeError, match="Sparse data was passed for X, but dense data is required"):
        aelab.Autoencoder(3).fit(scipy.sparse.csr_matrix(X_OK))


def test_a_list_of_floats_is_read_like_an_array():
    a = aelab.Autoencoder(3, max_iter=3).fit(X_OK)
    b = aelab.Autoencoder(3, max_iter=3).fit(X_OK.tolist())
    assert np.array_equal(a.transform(X_OK), b.transform(X_OK.tolist()))


def test_pca_and_whitening_refuse_nan_and_inf_saying_so():
    from aelab.datasets import Whitening

    for bad in (np.nan, np.inf, -np.inf):
        X = X_OK.copy()
        X[3, 2] = bad
        for model in (aelab.PCA(2), Whitening()):
            with pytest.raises(ValueError, match="1 NaN or infinite"):
                model.fit(X)
            fitted = type(model)().fit(X_OK)
            with pytest.raises(ValueError, match="NaN or infinite"):
                fitted.transform(X)


# ------------------------------------------------------------ random_state and seed
def test_random_state_takes_an_int_a_randomstate_a_generator_or_none():
    fits = {}
    for rs in (3, np.random.RandomState(3), np.random.default_rng(3), None):
        m = aelab.Autoencoder(3, max_iter=2, random_state=rs).fit(X_OK)
        fits[type(rs).__name__] = m.params_["W1"]
    # an int is reproducible; the others draw a seed of their own
    again = aelab.Autoencoder(3, max_iter=2, random_state=3).fit(X_OK).params_["W1"]
    assert np.array_equal(fits["int"], again)
    assert not np.array_equal(fits["int"], fits["Generator"])
    # a Generator advances: two fits from one generator differ, as in scikit-learn
    g = np.random.default_rng(5)
    model = aelab.Autoencoder(3, max_iter=2, random_state=g)
    assert not np.array_equal(model.fit(X_OK).params_["W1"].copy(), model.fit(X_OK).params_["W1"])


def test_seed_is_a_deprecated_alias_of_random_state():
    new = aelab.Autoencoder(3, max_iter=2, random_state=4).fit(X_OK)
    old_model = aelab.Autoencoder(3, max_iter=2, seed=4)
    with pytest.warns(FutureWarning, match=r"seed=.*deprecated.*random_state=4"):
        old_model.fit(X_OK)
    assert np.array_equal(new.params_["W1"], old_model.params_["W1"])
    assert old_model.get_params()["seed"] == 4  # stored unchanged, so clone keeps it
    with pytest.raises(ValueError, match="both seed=4 and random_state=5"):
        aelab.Autoencoder(3, max_iter=2, seed=4, random_state=5).fit(X_OK)


def test_random_state_keeps_the_numbers_of_seed():
    """random_state=n gives exactly the weights the former seed=n gave: default_rng(n)."""
    import math

    m = aelab.Autoencoder(4, max_iter=1, random_state=11)
    W1 = m.initial_params(X_OK)["W1"]
    r = math.sqrt(6.0 / (6 + 4 + 1))
    assert np.array_equal(W1, np.random.default_rng(11).uniform(-r, r, size=(4, 6)))


@pytest.mark.parametrize("make", [
    lambda **kw: aelab.DenoisingAutoencoder(3, max_iter=2, **kw),
    lambda **kw: aelab.VariationalAutoencoder(2, n_hidden=4, max_iter=2, **kw),
    lambda **kw: aelab.StackedAutoencoder((4, 3), pretrain_iter=3, **kw),
], ids=["denoising", "vae", "stacked"])
def test_every_random_estimator_reads_seed_as_random_state(make):
    """The same numbers from seed=n (with a FutureWarning naming both) as from
    random_state=n, and different numbers from another n."""
    new = make(random_state=6).fit(X_OK)
    with pytest.warns(FutureWarning, match=r"seed=.*random_state=6"):
        old = make(seed=6).fit(X_OK)
    other = make(random_state=7).fit(X_OK)
    for k in new.params_:
        assert np.array_equal(new.params_[k], old.params_[k]), k
    assert any(not np.array_equal(new.params_[k], other.params_[k]) for k in new.params_)
    with pytest.raises(ValueError, match="both seed=6 and random_state=7"):
        make(seed=6, random_state=7).fit(X_OK)
