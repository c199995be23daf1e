"""The panel's speed rules (issue 16 §4): frame pacing and the costly parts of a frame."""
import time

import numpy as np
import pytest

import aelab
from aelab.datasets import load_digits
from aelab.explorer import frames
from aelab.explorer.session import MAX_FRAME_GAP, frame_gap


def test_frame_gap_keeps_drawing_a_tenth_but_at_least_five_frames_a_second():
    assert frame_gap(0.1, 0.005) == pytest.approx(0.1)       # cheap frames: frame_interval
    assert frame_gap(0.1, 0.015) == pytest.approx(0.135)     # 9 x the drawing time
    assert frame_gap(0.1, 0.040) == pytest.approx(MAX_FRAME_GAP)  # slow frames: capped
    assert frame_gap(0.1, 0.080) == pytest.approx(0.24)      # but drawing ≤ 1/4 of the time
    assert MAX_FRAME_GAP <= 0.2 - 0.04                       # room for the iteration in flight
    assert frame_gap(0.5, 0.040) == pytest.approx(0.5)       # the user's own interval wins


@pytest.fixture
def panel():
    pytest.importorskip("ipywidgets")
    from aelab.explorer import Explorer

    X = load_digits()[0][:400]
    p = Explorer(aelab.SparseAutoencoder(16, max_iter=30), X, key=None,
                 views=("activations", "loss"), image_shape=(8, 8))
    p.wait(120)
    yield p
    p.close()


def _counting(model, name, rows):
    """Count calls of ``model.name`` on ``rows`` (reconstruct() calls transform too)."""
    calls = []
    original = getattr(model, name)

    def counted(X, *a, **k):
        if X is rows:
            calls.append(1)
        return original(X, *a, **k)

    setattr(model, name, counted)
    return calls


def test_costly_parts_are_reused_while_training_and_fresh_on_the_final_frame(panel):
    data = panel._data.load(panel._dataset)
    model, views = panel.model, panel._views
    objective = _counting(model, "objective", data.holdout)
    transform = _counting(model, "transform", data.activation_rows)
    state, stats = {"iteration": 1, "max_iter": 30}, {}
    f1 = frames.build_frame(model, model.get_params(), data, views, state, stats, final=False)
    assert len(objective) == 1 and len(transform) == 1
    # a second frame right after, while training: the held-out J and ρ̂ are reused
    state["iteration"] = 2
    model.params_ = {k: v * 1.01 for k, v in model.params_.items()}
    f2 = frames.build_frame(model, model.get_params(), data, views, state, stats, final=False)
    assert len(objective) == 1 and len(transform) == 1
    assert np.array_equal(f1.rho_hat, f2.rho_hat) and len(f2.holdout_curve) == 1
    # the final frame computes everything at the current parameters
    f3 = frames.build_frame(model, model.get_params(), data, views, state, stats, final=True)
    assert len(objective) == 2 and len(transform) == 2
    assert not np.array_equal(f1.rho_hat, f3.rho_hat)
    assert f3.holdout_curve[-1][0] == 2 and f3.holdout_curve[-1][1] != f1.holdout_curve[0][1]
    # and so does a training frame once COSTLY_INTERVAL has passed
    state["costly_at"] = time.perf_counter() - frames.COSTLY_INTERVAL
    frames.build_frame(model, model.get_params(), data, views, state, stats, final=False)
    assert len(objective) == 3 and len(transform) == 3
