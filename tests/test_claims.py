"""aelab.claims: a notebook's prose claim passes with its evidence or fails naming it."""
import numpy as np
import pytest

from aelab.claims import ClaimFailed, claim


def test_true_claim_prints_its_evidence(capsys):
    assert claim(0.02 < 0.05, "β barely matters", spread=0.0213,
                 errors=np.array([0.177, 0.18])) is None
    line = capsys.readouterr().out.strip()
    assert line.startswith("✓ β barely matters") and "spread=0.0213" in line and "0.177" in line


def test_false_claim_fails_with_statement_and_numbers():
    with pytest.raises(ClaimFailed, match=r"β barely matters \(measured: spread=0.3\)"):
        claim(0.3 < 0.05, "β barely matters", spread=0.3)
    assert issubclass(ClaimFailed, AssertionError)
