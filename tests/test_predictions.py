"""Prediction-first exercises: a recorded guess set beside the outcome, never a failure."""
import pytest

from aelab.exercises import compare_numeric_prediction, compare_prediction

CHOICES = ("rises", "flat", "falls")


def _statuses(fb):
    return [s for s, _ in fb.items]


def test_match_is_ok_and_mismatch_is_a_note_not_a_failure():
    right = compare_prediction("Flat", "flat", choices=CHOICES, why="stiffness, not cost")
    wrong = compare_prediction("rises", "flat", choices=CHOICES)
    assert right.passed and _statuses(right) == ["ok", "note"]
    assert "stiffness" in str(right)
    assert _statuses(wrong) == ["note"] and "'rises'" in str(wrong) and "'flat'" in str(wrong)
    assert not wrong.failures


def test_missing_prediction_is_todo_and_nonsense_names_the_choices():
    assert not compare_prediction(None, "flat", choices=CHOICES).done
    assert not compare_prediction("  ", "flat", choices=CHOICES).done
    bad = compare_prediction("up", "flat", choices=CHOICES)
    assert bad.failures and "rises" in bad.failures[0]


def test_outcome_outside_choices_is_a_notebook_bug():
    with pytest.raises(ValueError, match="outcome must be one of"):
        compare_prediction("flat", "sideways", choices=CHOICES)


@pytest.mark.parametrize("guess, outcome, status, says", [
    (3.0, 4.0, "ok", "4"),
    (1.0, 4.0, "note", "factor of 4"),
    (-1.0, 4.0, "note", "sign differs"),
    ("many", 4.0, "fail", "must be a number"),
    (None, 4.0, "todo", "no prediction"),
])
def test_numeric_predictions(guess, outcome, status, says):
    fb = compare_numeric_prediction(guess, outcome, name="the ratio")
    assert fb.items[0][0] == status and says in str(fb)
