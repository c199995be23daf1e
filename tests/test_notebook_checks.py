"""Check cells defined in the notebooks, fed right and wrong answers.

nbval runs each notebook with its own (right) solutions; these tests also feed the check
functions the mistakes students make, which must not be accepted.
"""
import re
from pathlib import Path

import numpy as np
import pytest

import aelab
from aelab.datasets import load_digits

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def load_check(notebook, name, namespace):
    """Execute the top-level ``def name`` of a notebook's jupytext file in ``namespace``."""
    src = (NOTEBOOKS / notebook).read_text()
    m = re.search(rf"^def {name}\(.*?(?=^\S)", src, re.S | re.M)
    assert m, f"{notebook} defines no {name}"
    exec(m.group(0), namespace)
    return namespace[name]


@pytest.fixture(scope="module")
def bottleneck():
    X, _ = load_digits()
    ns = {"aelab": aelab, "np": np, "X_train": X[:1200], "X_test": X[1200:]}
    check = load_check("00-start-here.py", "check_bottleneck", ns)

    def err(k, on="test", max_iter=100):
        model = aelab.Autoencoder(k, max_iter=max_iter).fit(ns["X_train"])
        return -model.score(ns["X_test"] if on == "test" else ns["X_train"])

    return check, err


def test_bottleneck_accepts_the_right_errors(bottleneck, capsys):
    check, err = bottleneck
    check(err(4), err(32))
    assert capsys.readouterr().out.startswith("Right.")


@pytest.mark.parametrize("mistake, says", [
    (lambda err: (err(4, on="train"), err(32)), "training digits"),
    (lambda err: (err(4), err(32, on="train")), "training digits"),
    (lambda err: (err(4, max_iter=200), err(32)), "max_iter=100"),
    (lambda err: (-err(4), err(32)), "minus sign"),
    (lambda err: (None, err(32)), "Not yet"),
])
def test_bottleneck_names_each_mistake(bottleneck, capsys, mistake, says):
    check, err = bottleneck
    check(*mistake(err))
    out = capsys.readouterr().out
    assert says in out and not out.startswith("Right.")
