"""The checks of notebook 05 (aelab.exercises.nb05): right answers pass, typical mistakes get
the specific feedback, and stubs give "not done yet"."""
import numpy as np
import pytest

import aelab
from aelab.exercises import nb05
from aelab.filters import spatial_spread
from aelab.ksparse import dictionary_encoder, fit_annealed
from aelab.probes import tuned_probe


@pytest.fixture(scope="module")
def digits():
    X, y = aelab.datasets.load_mnist(source="embedded")
    X, y = X[:900].astype(np.float64), y[:900]
    X = X - X[:600].mean(axis=0)
    return X[:600], y[:600], X[600:], y[600:]


@pytest.fixture(scope="module")
def model(digits):
    X = digits[0]
    with aelab.fixed_budget("a small model for the tests"):
        return aelab.KSparseAutoencoder(n_hidden=40, k=5, k_start=None, max_iter=3,
                                        batch_size=64, learning_rate=1e-2, epsilon=0.01).fit(X)


def _texts(fb):
    return " ".join(t for _, t in fb.items)


def _stub(*args):
    raise NotImplementedError("exercise not done yet")


# ------------------------------------------------------------------ exercise 1
def _encode(X, W, b, k, score=None, value=None):
    Z = X @ W.T + b
    s = Z if score is None else score(Z, X, W)
    keep = np.argsort(-s, axis=1)[:, :k]
    H = np.zeros_like(Z)
    v = Z if value is None else value(Z)
    np.put_along_axis(H, keep, np.take_along_axis(v, keep, axis=1), axis=1)
    return H


def test_k_sparse_encode_right_and_wrong(model, digits):
    X = digits[0][:100]
    assert nb05.check_k_sparse_encode(_encode, model, X).passed
    cases = {
        "smallest": lambda X, W, b, k: _encode(X, W, b, k, score=lambda Z, X, W: -Z),
        "magnitude": lambda X, W, b, k: _encode(X, W, b, k, score=lambda Z, X, W: np.abs(Z)),
        "ignores the bias": lambda X, W, b, k: _encode(X, W, b, k,
                                                       score=lambda Z, X, W: X @ W.T),
        "(a mask)": lambda X, W, b, k: _encode(X, W, b, k, value=np.ones_like),
        "exactly k": lambda X, W, b, k: _encode(X, W, b, k + 1),
    }
    for words, fun in cases.items():
        fb = nb05.check_k_sparse_encode(fun, model, X)
        assert not fb.passed and words in _texts(fb), (words, _texts(fb))
    fb = nb05.check_k_sparse_encode(_stub, model, X)
    assert not fb.done and "not done yet" in _texts(fb)


# ------------------------------------------------------------------ exercise 2
def _spread(W, *, mean=True, power=2, sqrt=True, centre=None):
    W = np.asarray(W, dtype=float)
    if mean:
        W = W - W.mean(axis=1, keepdims=True)
    rows, cols = np.divmod(np.arange(W.shape[1]), 28)
    e = np.abs(W) ** power
    e = e / e.sum(axis=1, keepdims=True)
    cr, cc = (e @ rows, e @ cols) if centre is None else (np.full(len(W), centre),) * 2
    v = (e * ((rows - cr[:, None]) ** 2 + (cols - cc[:, None]) ** 2)).sum(axis=1)
    return np.sqrt(v) if sqrt else v


def test_spread_right_and_wrong(model):
    W = model.components_
    assert np.allclose(_spread(W), spatial_spread(W, (28, 28)))
    assert nb05.check_spread(_spread, W).passed
    cases = {
        "own mean": lambda W: _spread(W, mean=False),
        "not |w|": lambda W: _spread(W, power=1),
        "square root": lambda W: _spread(W, sqrt=False),
        "centre of mass": lambda W: _spread(W, centre=13.5),
        "one number per row": lambda W: np.full((len(W), 2), 0.5),
    }
    for words, fun in cases.items():
        fb = nb05.check_spread(fun, W)
        assert not fb.passed and words in _texts(fb), (words, _texts(fb))
    assert not nb05.check_spread(_stub, W).done


# ------------------------------------------------------------------ exercise 3
def test_usage_right_and_wrong(model, digits):
    X = digits[0]
    H = model.transform(X)
    usage = np.mean(H != 0, axis=0)
    n_dead = int(np.sum(usage == 0))
    assert nb05.check_usage(usage, n_dead, model, X).passed
    assert "divide by" in _texts(nb05.check_usage(usage * len(X), n_dead, model, X))
    assert "axis=0" in _texts(nb05.check_usage(np.mean(H != 0, axis=1), n_dead, model, X))
    assert "*zero*" in _texts(nb05.check_usage(1 - usage, n_dead, model, X))
    fb = nb05.check_usage(usage, n_dead + 1, model, X)
    assert not fb.passed and "usage is exactly 0" in _texts(fb)
    fb = nb05.check_usage(usage, len(usage) - n_dead, model, X)
    assert not fb.passed and "win at least once" in _texts(fb)


# ------------------------------------------------------------------ exercise 4
def test_pca_probe_right_and_wrong(digits):
    Xtr, ytr, Xte, yte = digits
    p = aelab.PCA(n_components=20).fit(Xtr)
    right = tuned_probe(p.transform(Xtr), ytr, p.transform(Xte), yte)
    fb = nb05.check_pca_probe(right, Xtr, ytr, Xte, yte, n_components=20)
    assert fb.passed, _texts(fb)
    assert nb05.check_pca_probe(right.accuracy, Xtr, ytr, Xte, yte, n_components=20).passed
    assert "percentage" in _texts(nb05.check_pca_probe(100 * right.accuracy, Xtr, ytr, Xte,
                                                       yte, n_components=20))
    p_all = aelab.PCA(n_components=20).fit(np.vstack([Xtr, Xte]))
    leak = tuned_probe(p_all.transform(Xtr), ytr, p_all.transform(Xte), yte).accuracy
    if not np.isclose(leak, right.accuracy, atol=1.5e-3):
        assert "saw the test digits" in _texts(
            nb05.check_pca_probe(leak, Xtr, ytr, Xte, yte, n_components=20))
    fb = nb05.check_pca_probe(right.accuracy - 0.05, Xtr, ytr, Xte, yte, n_components=20)
    assert not fb.passed


# ------------------------------------------------------------------ exercise 5
def _resample(model, X, *, worst=True, scale="live", bias=True, live_too=False):
    H = model.transform(X)
    dead = np.flatnonzero(np.all(H == 0, axis=0))
    err = np.sum((model.reconstruct(X) - X) ** 2, axis=1)
    order = np.argsort(-err if worst else err)[:dead.size]
    W = model.params_["W1"]
    live = np.setdiff1d(np.arange(W.shape[0]), dead)
    s = np.linalg.norm(W[live], axis=1).mean() if scale == "live" else 1.0
    new = X[order] / np.linalg.norm(X[order], axis=1, keepdims=True) * s
    if live_too:
        W[live] *= 1.01
    W[dead] = new
    if bias:
        model.params_["b1"][dead] = 0.0
    return dead


def test_resample_dead_right_and_wrong(digits):
    X = digits[0]
    assert nb05.check_resample_dead(_resample, X).passed
    cases = {
        "*best*": lambda m, X: _resample(m, X, worst=False),
        "norm 1": lambda m, X: _resample(m, X, scale="unit"),
        "biases": lambda m, X: _resample(m, X, bias=False),
        "live units too": lambda m, X: _resample(m, X, live_too=True),
        "unchanged": lambda m, X: np.flatnonzero(np.all(m.transform(X) == 0, axis=0)),
        "returned None": lambda m, X: None,
    }
    for words, fun in cases.items():
        fb = nb05.check_resample_dead(fun, X)
        assert not fb.passed and words in _texts(fb), (words, _texts(fb))
    assert not nb05.check_resample_dead(_stub, X).done


# ------------------------------------------------------------------ the helpers
def test_dictionary_encoder_keeps_k(digits):
    X = digits[0][:50]
    enc = dictionary_encoder(X[:30], 4)
    H = enc.transform(X)
    assert H.shape == (50, 30) and np.all(np.count_nonzero(H, axis=1) == 4)
    assert np.allclose(np.sort(H, axis=1)[:, -4:], np.sort(X @ X[:30].T, axis=1)[:, -4:])


def test_fit_annealed_converges_and_restores_settings(digits):
    X = digits[0]
    m = aelab.KSparseAutoencoder(n_hidden=30, k=4, k_start=20, max_iter=7, batch_size=64,
                                 learning_rate=1e-2, tol=1e-3, n_iter_no_change=3,
                                 epsilon=0.01)
    fit_annealed(m, X, anneal_epochs=4, learning_rate=3e-3, max_iter=200)
    assert m.converged_ and len(m.anneal_curve_) == 4
    assert m.n_epochs_total_ == 4 + m.n_iter_
    assert m.get_params()["k_start"] == 20 and m.get_params()["learning_rate"] == 1e-2


def test_tuned_probe_reports_choice_and_error_bar(digits):
    Xtr, ytr, Xte, yte = digits
    r = tuned_probe(Xtr, ytr, Xte, yte, Cs=(0.01, 0.1))
    assert r.C in (0.01, 0.1) and set(r.validation) == {0.01, 0.1}
    assert np.isclose(r.se, np.sqrt(r.accuracy * (1 - r.accuracy) / len(yte)))
    with pytest.raises(ValueError, match="Cs"):
        tuned_probe(Xtr, ytr, Xte, yte, Cs=(0.0,))
