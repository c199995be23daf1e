"""Notebook 09's checks accept the right answers and name each typical mistake."""
import numpy as np
import pytest

from aelab import metrics
from aelab.exercises.nb09 import check_copies_per_feature, check_mmcs, check_shrinkage


def _unit(A):
    return A / np.linalg.norm(A, axis=1, keepdims=True)


def test_right_answers_pass():
    assert check_mmcs(metrics.mean_max_cosine_similarity).passed
    assert check_copies_per_feature(metrics.feature_copies).passed
    assert check_shrinkage(metrics.shrinkage).passed


@pytest.mark.parametrize("wrong, says", [
    (lambda F, D: np.mean(np.max(np.abs(F @ D.T), axis=1)), "normalised"),
    (lambda F, D: np.mean(np.max(_unit(F) @ _unit(D).T, axis=1)), "|cos|"),
    (lambda F, D: np.mean(np.max(np.abs(_unit(F) @ _unit(D).T), axis=0)), "true features"),
    (lambda F, D: np.mean(np.abs(_unit(F) @ _unit(D).T)), "mean of all"),
])
def test_mmcs_mistakes_are_named(wrong, says):
    fb = check_mmcs(wrong)
    assert not fb.passed and says in str(fb)


def test_mmcs_stub_is_todo():
    def stub(F, D):
        raise NotImplementedError
    assert not check_mmcs(stub).done


@pytest.mark.parametrize("wrong, says", [
    (lambda X, Xh: np.sum(Xh * X) / np.sum(Xh * Xh), "inverse"),
    (lambda X, Xh: np.sum(Xh ** 2) / np.sum(X ** 2), "scaled by 0.5"),
])
def test_gamma_mistakes_are_named(wrong, says):
    fb = check_shrinkage(wrong)
    assert not fb.passed and says in str(fb)


def _copies(F, D, t=0.9):
    return np.sum(np.abs(_unit(F) @ _unit(D).T) > t, axis=1)


def test_copies_right_answer_passes_and_stub_is_todo():
    assert check_copies_per_feature(_copies).passed

    def stub(F, D, t=0.9):
        raise NotImplementedError
    assert not check_copies_per_feature(stub).done


@pytest.mark.parametrize("wrong, says", [
    (lambda F, D, t=0.9: np.sum(np.abs(_unit(F) @ _unit(D).T) > t, axis=0), "per *true"),
    (lambda F, D, t=0.9: np.sum(_unit(F) @ _unit(D).T > t, axis=1), "flipped"),
    (lambda F, D, t=0.9: np.sum(np.abs(F @ D.T) > t, axis=1), "normalise"),
    (lambda F, D, t=0.9: np.sum(np.abs(_unit(F) @ _unit(D).T) > 0.9, axis=1), "threshold"),
])
def test_copies_mistakes_are_named(wrong, says):
    fb = check_copies_per_feature(wrong)
    assert not fb.passed and says in str(fb)
