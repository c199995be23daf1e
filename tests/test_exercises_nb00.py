"""aelab.exercises.nb00: the checks of notebook 00, fed right answers and typical mistakes."""
import numpy as np
import pytest

import aelab
from aelab.datasets import load_digits
from aelab.exercises.nb00 import check_bottleneck


@pytest.fixture(scope="module")
def setup():
    X, _ = load_digits()
    X_train, X_test = X[:300], X[300:400]
    fit = lambda k, **kw: aelab.Autoencoder(k, tol=1e-3, max_iter=3000, **kw).fit(X_train)  # noqa: E731
    return X_train, X_test, {2: fit(2), 8: fit(8)}, fit


def test_right_answer_passes_and_reports_the_ratio(setup):
    X_train, X_test, m, _ = setup
    e2, e8 = -m[2].score(X_test), -m[8].score(X_test)
    fb = check_bottleneck(e2, e8, m[2], m[8], X_train, X_test)
    assert fb.passed, str(fb)
    assert f"{e2 / e8:.1f} times" in str(fb)


def test_not_done_yet_is_todo_not_failure(setup):
    X_train, X_test, _, _ = setup
    fb = check_bottleneck(None, None, None, None, X_train, X_test)
    assert not fb.passed and not fb.done and not fb.failures
    assert "model2 is still None" in str(fb)


def test_swapped_models(setup):
    X_train, X_test, m, _ = setup
    fb = check_bottleneck(-m[8].score(X_test), -m[2].score(X_test), m[8], m[2], X_train, X_test)
    assert "are the two models swapped?" in str(fb) and not fb.passed


def test_model_trained_on_other_data(setup):
    X_train, X_test, m, _ = setup
    other = aelab.Autoencoder(2, tol=1e-3, max_iter=3000).fit(X_test)
    fb = check_bottleneck(-other.score(X_test), -m[8].score(X_test), other, m[8],
                          X_train, X_test)
    assert "was not trained on X_train" in str(fb)


def test_penalty_switched_on(setup):
    X_train, X_test, m, fit = setup
    decayed = fit(2, lam=1e-3)
    fb = check_bottleneck(-decayed.score(X_test), -m[8].score(X_test), decayed, m[8],
                          X_train, X_test)
    assert "penalty" in str(fb) and not fb.passed


def test_score_passed_instead_of_model(setup):
    X_train, X_test, m, _ = setup
    e2 = -m[2].score(X_test)
    fb = check_bottleneck(e2, -m[8].score(X_test), e2, m[8], X_train, X_test)
    assert "not a fitted aelab.Autoencoder" in str(fb)


def test_a_number_that_is_not_the_error(setup):
    X_train, X_test, m, _ = setup
    fb = check_bottleneck(np.float64(0.5), -m[8].score(X_test), m[2], m[8], X_train, X_test)
    text = str(fb)
    assert "err2 = 0.5 is not the test error of model2" in text
    # the check never states the expected value
    assert f"{-m[2].score(X_test):.3f}" not in text


def test_assert_ok_raises_with_the_feedback(setup):
    X_train, X_test, m, _ = setup
    from aelab.exercises import ExerciseFailed
    with pytest.raises(ExerciseFailed, match="training digits"):
        check_bottleneck(-m[2].score(X_train), -m[8].score(X_test), m[2], m[8],
                         X_train, X_test).assert_ok()
