"""aelab.exercises.nb01: the checks of notebook 01, fed right answers and typical mistakes."""
import numpy as np
import pytest

import aelab
from aelab.datasets import load_digits
from aelab.exercises.nb01 import CE_DATASETS, check_ce_choice, check_decoder


@pytest.fixture(scope="module")
def decoder_case():
    X, _ = load_digits()
    model = aelab.Autoencoder(6, tol=1e-3, max_iter=2000).fit(X[:200])
    H = model.transform(X[200:205])
    return model, H


def test_decoder_accepts_the_decoder(decoder_case):
    model, H = decoder_case
    p = model.params_
    fb = check_decoder(H @ p["W2"].T + p["b2"], model, H)
    assert fb.passed, str(fb)


@pytest.mark.parametrize("mistake, says", [
    (lambda H, p: None, "still None"),
    (lambda H, p: H @ p["W2"].T, "bias b2 is missing"),
    (lambda H, p: (H @ p["W2"].T + p["b2"]).T, "it is transposed"),
    (lambda H, p: 1 / (1 + np.exp(-(H @ p["W2"].T + p["b2"]))), "applied a sigmoid"),
    (lambda H, p: H @ p["W1"] + p["b2"], "W1 in place of W2"),
    (lambda H, p: np.tile(p["b2"], (len(H), 1)), "codes H were not used"),
    (lambda H, p: H @ p["W2"].T + p["b2"] + 0.1, "right shape, wrong values"),
    (lambda H, p: H, "expected (5, 64)"),
    (lambda H, p: "H @ W2.T + b2", "should be an array of numbers"),
])
def test_decoder_names_each_mistake(decoder_case, mistake, says):
    model, H = decoder_case
    fb = check_decoder(mistake(H, model.params_), model, H)
    assert says in str(fb) and not fb.passed, str(fb)


def test_ce_choice_right_answer():
    right = {name for name, (_, ok) in CE_DATASETS.items() if ok}
    assert right == {"digits", "patches"}
    assert check_ce_choice(right).passed
    assert check_ce_choice(list(right)).passed


@pytest.mark.parametrize("answer, says", [
    (None, "still None"),
    (set(), "the set is empty"),
    ("digits", "make it a set"),
    ({"digits", "mnist"}, "unknown names ['mnist']"),
    ({"digits"}, "'patches' was left out"),
    ({"digits", "patches", "centred digits"}, "'centred digits' cannot be used"),
    ({"digits", "patches", "temperatures"}, "'temperatures' cannot be used"),
])
def test_ce_choice_names_each_mistake(answer, says):
    fb = check_ce_choice(answer)
    assert says in str(fb) and not fb.passed, str(fb)


def test_ce_choice_hints_do_not_give_the_answer():
    text = str(check_ce_choice({"centred digits", "temperatures"}))
    assert "below 0" in text and "smallest" in text
    assert "{'digits', 'patches'}" not in text and '{"digits", "patches"}' not in text
