"""The checks of notebook 07 (aelab.exercises.nb07), aelab.fewlabels, and fit_supervised.

Each check is fed the right answer and the typical mistakes, and must say which mistake it
sees without giving the answer away.
"""
import copy

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

import aelab
from aelab.datasets import load_digits
from aelab.exercises.nb07 import (check_collapse, check_pixel_baseline, check_shrink_factor,
                                  check_stack_codes)
from aelab.fewlabels import cv_probe_accuracy, hide_labels
from aelab.metrics import linear_probe_accuracy


def _text(fb):
    return str(fb)


@pytest.fixture(scope="module")
def data():
    X, y = load_digits()
    return train_test_split(X, y, test_size=300, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def stack(data):
    X_pool, _, _, _ = data
    with aelab.fixed_budget("tests: a small, quick stack"):
        return aelab.StackedAutoencoder((16, 8, 6), pretrain_iter=20).fit(X_pool)


def _sig(z):
    return 1 / (1 + np.exp(-z))


def right_codes(params, X):
    A, i = X, 0
    while f"layer{i}.W1" in params:
        A = _sig(A @ params[f"layer{i}.W1"].T + params[f"layer{i}.b1"])
        i += 1
    return A


# ------------------------------------------------------------------ fewlabels
def test_hide_labels_keeps_a_balanced_subset(data):
    _, _, y_pool, _ = data
    y_few = hide_labels(y_pool, 50, seed=3)
    kept = y_few >= 0
    assert kept.sum() == 50
    assert np.all(np.bincount(y_few[kept]) == 5)
    assert np.all(y_few[kept] == y_pool[kept]) and np.all(y_few[~kept] == -1)
    assert not np.array_equal(hide_labels(y_pool, 50, seed=4) >= 0, kept)


@pytest.mark.parametrize("n", [0, 15, 7])
def test_hide_labels_refuses_an_unbalanced_count(data, n):
    with pytest.raises(ValueError, match="multiple of the number of classes"):
        hide_labels(data[2], n)


def test_cv_probe_picks_C_from_the_grid_and_refuses_unlabelled_rows(data):
    X_pool, X_test, y_pool, y_test = data
    lab = hide_labels(y_pool, 100) >= 0
    acc, C = cv_probe_accuracy(X_pool[lab], y_pool[lab], X_test, y_test, return_C=True)
    assert 0.5 < acc <= 1 and C in (0.01, 0.1, 1.0, 10.0)
    # a one-point grid is the plain probe with that C
    assert cv_probe_accuracy(X_pool[lab], y_pool[lab], X_test, y_test, Cs=(1.0,)) == \
        pytest.approx(linear_probe_accuracy(X_pool[lab], y_pool[lab], X_test, y_test,
                                            max_iter=5000))
    with pytest.raises(ValueError, match="unlabelled"):
        cv_probe_accuracy(X_pool, hide_labels(y_pool, 100), X_test, y_test)


# ------------------------------------------------------------------ fit_supervised
def test_fit_supervised_after_fit_equals_one_fit_with_labels(data):
    X_pool, _, y_pool, _ = data
    y_few = hide_labels(y_pool, 100)
    kw = dict(hidden_layers=(12, 8), pretrain_iter=15, softmax_iter=10, finetune_iter=10)
    with aelab.fixed_budget("tests"):
        whole = aelab.StackedAutoencoder(**kw).fit(X_pool, y_few)
        pre = aelab.StackedAutoencoder(**kw).fit(X_pool)
        kept = copy.deepcopy(pre.params_)
        two = copy.deepcopy(pre).fit_supervised(X_pool, y_few)
    assert set(two.params_) == set(whole.params_)
    for k in whole.params_:
        np.testing.assert_allclose(two.params_[k], whole.params_[k])
    assert two.loss_curve_ == pytest.approx(whole.loss_curve_)
    for k in kept:  # the copy was fine-tuned, the original is untouched
        np.testing.assert_array_equal(pre.params_[k], kept[k])


def test_fit_supervised_needs_a_fitted_stack(data):
    X_pool, _, y_pool, _ = data
    with pytest.raises(aelab.stacked.NotFittedError):
        aelab.StackedAutoencoder((4,)).fit_supervised(X_pool, y_pool)


# ------------------------------------------------------------------ exercise 1
def test_stack_codes_right(stack, data):
    fb = check_stack_codes(right_codes, stack, data[1][:20])
    assert fb and "matches transform on 3 layers" in _text(fb)


def test_stack_codes_mistakes(stack, data):
    X = data[1][:20]

    def not_done(params, X):
        raise NotImplementedError

    def first_only(params, X):
        return _sig(X @ params["layer0.W1"].T + params["layer0.b1"])

    def linear_top(params, X):
        A = _sig(_sig(X @ params["layer0.W1"].T + params["layer0.b1"]) @ params["layer1.W1"].T
                 + params["layer1.b1"])
        return A @ params["layer2.W1"].T + params["layer2.b1"]

    def no_bias(params, X):
        A = X
        for i in range(3):
            A = _sig(A @ params[f"layer{i}.W1"].T)
        return A

    def untransposed(params, X):
        return _sig(X @ params["layer0.W1"] + params["layer0.b1"])

    def skips_middle(params, X):
        A = _sig(X @ params["layer0.W1"].T + params["layer0.b1"])
        B = _sig(A @ params["layer1.W1"].T + params["layer1.b1"])
        return _sig(B @ params["layer2.W1"].T)

    cases = {not_done: "not done yet", first_only: "size of the first layer",
             linear_top: "pre-activations", no_bias: "bias set to 0",
             untransposed: "check the shape of each W",
             skips_middle: "check which W and b each layer uses",
             (lambda p, X: None): "returned None"}
    for fun, words in cases.items():
        fb = check_stack_codes(fun, stack, X)
        assert not fb and words in _text(fb), (fun, _text(fb))
    assert check_stack_codes(not_done, stack, X).done is False


# ------------------------------------------------------------------ exercise 2
def test_pixel_baseline(data):
    X_pool, X_test, y_pool, y_test = data
    y_few = hide_labels(y_pool, 100)
    lab = y_few >= 0
    right = cv_probe_accuracy(X_pool[lab], y_pool[lab], X_test, y_test)
    fb = check_pixel_baseline(right, X_pool, y_pool, y_few, X_test, y_test)
    assert fb and "100 labelled" in _text(fb)
    on_train = cv_probe_accuracy(X_pool[lab], y_pool[lab], X_pool[lab], y_pool[lab])
    all_labels = cv_probe_accuracy(X_pool, y_pool, X_test, y_test)
    for value, words in ((on_train, "training images themselves"),
                         (all_labels, "all 1497 pool labels"), (None, "None"),
                         (1.7, "not a fraction"), ("0.9", None), (right - 0.05, "check the rows")):
        fb = check_pixel_baseline(value, X_pool, y_pool, y_few, X_test, y_test)
        if words is None:   # a numeric string is accepted as its number
            continue
        assert not fb and words in _text(fb), (value, _text(fb))
    fixed = linear_probe_accuracy(X_pool[lab], y_pool[lab], X_test, y_test)
    if not np.isclose(fixed, right):
        fb = check_pixel_baseline(fixed, X_pool, y_pool, y_few, X_test, y_test)
        assert not fb and "fixed C" in _text(fb)


# ------------------------------------------------------------------ exercise 3
def test_shrink_factor():
    eps, h = 0.01, 32
    measured = 0.0143
    right = 0.25 * eps * np.sqrt(h)
    fb = check_shrink_factor(right, epsilon=eps, n_units=h, measured=measured)
    assert fb and "within 25 %" in _text(fb)
    assert f"{right:.3g}" not in _text(check_shrink_factor(eps, epsilon=eps, n_units=h,
                                                           measured=measured))
    for value, words in ((eps * np.sqrt(h), "slope"), (0.25 * eps, "number of terms"),
                         (0.25 * eps * h, "do not add up in line"),
                         (0.25, "slope alone"), (eps, "weight scale alone"),
                         (-0.01, "positive"), (None, "None"), (0.5, "off by a factor")):
        fb = check_shrink_factor(value, epsilon=eps, n_units=h, measured=measured)
        assert not fb and words in _text(fb), (value, _text(fb))


# ------------------------------------------------------------------ exercise 4
@pytest.fixture(scope="module")
def collapsed(data):
    with aelab.fixed_budget("tests"):
        return aelab.StackedAutoencoder((16, 8), lam=3e-3, pretrain_iter=60).fit(data[0])


def test_collapse_right_and_mistakes(collapsed, data):
    X = data[0]
    e = collapsed.reconstruction_errors_
    H = collapsed.transform(X)
    ratio = e[1]["pretrained"] / e[1]["mean"]
    spread = float(H.std(axis=0).max())
    fb = check_collapse(collapsed, ratio, spread, X)
    assert fb, _text(fb)
    assert f"{ratio:.4f}" in _text(fb)
    first = e[0]["pretrained"] / e[0]["mean"]
    assert "first layer's ratio" in _text(check_collapse(collapsed, first, spread, X))
    vs_init = e[1]["pretrained"] / e[1]["initial"]
    assert "random start" in _text(check_collapse(collapsed, vs_init, spread, X))
    across_units = float(H.std(axis=1).max())
    if not np.isclose(across_units, spread, rtol=1e-6, atol=1e-12):
        assert "across the units of one example" in _text(
            check_collapse(collapsed, ratio, across_units, X))
    assert "None" in _text(check_collapse(collapsed, None, spread, X))


def test_collapse_wants_the_ufldl_lambda_and_a_fitted_stack(data, stack):
    X = data[0]
    fb = check_collapse(stack, 1.0, 0.0, X)
    assert not fb and "λ = 0.0001" in _text(fb)
    assert "not fitted" in _text(check_collapse(aelab.StackedAutoencoder(), 1.0, 0.0, X))


def test_collapse_spots_an_inverted_ratio(data):
    """On a stack whose top layer did learn (ratio far from 1), 1/ratio is told apart."""
    with aelab.fixed_budget("tests"):
        s = aelab.StackedAutoencoder((16, 8), lam=3e-3, pretrain_iter=20, beta=0.0,
                                     sparsity=None).fit(data[0])
    e = s.reconstruction_errors_[1]
    ratio = e["pretrained"] / e["mean"]
    if abs(ratio - 1) > 0.05:
        assert "upside down" in _text(check_collapse(s, 1 / ratio, 0.0, data[0]))
