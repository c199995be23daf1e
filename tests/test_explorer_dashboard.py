"""The panel's dashboard: held-out loss beside training loss, PCA's reference line, the
snapshot strip, the challenges, and the status line's reasons for a fresh start."""
import numpy as np
import pytest

import aelab
from aelab.datasets import load_digits, natural_patches
from aelab.explorer import Explorer
from aelab.explorer.challenges import Challenge, beat_pca, rho_on_target

pytest.importorskip("ipywidgets")
TIMEOUT = 60


def _panel(made, model, X, **kw):
    kw.setdefault("key", None)
    kw.setdefault("dataset", "data")
    p = Explorer(model, X, **kw)
    made.append(p)
    return p


def test_held_out_rows_are_not_trained_on_and_their_loss_is_reported(made):
    X = natural_patches(500, seed=3)
    panel = _panel(made, aelab.SparseAutoencoder(n_hidden=9, max_iter=20), X,
                   holdout=0.2).wait(TIMEOUT)
    data = panel._data.loaded["data"]
    assert data.X.shape[0] == 400 and data.holdout.shape[0] == 100
    # the two parts are a partition of X's rows
    rows = {r.tobytes() for r in np.vstack([data.X, data.holdout])}
    assert rows == {r.tobytes() for r in X}
    assert panel.model.n_features_in_ == 64
    expected = panel.model.objective(data.holdout)[0]
    assert panel.stats["holdout_loss"] == pytest.approx(expected)
    assert panel.stats["training_loss"] == pytest.approx(panel.model.loss_curve_[-1])
    assert "held-out J" in panel.status.value and "held-out J" in panel._views["loss"].label.value


def test_pca_reference_is_pcas_held_out_error_with_as_many_components(made):
    X = load_digits()[0][:600]
    model = aelab.Autoencoder(6, max_iter=15)
    panel = _panel(made, model, X, holdout=0.25).wait(TIMEOUT)
    data = panel._data.loaded["data"]
    Xt, Xh = data.X, data.holdout
    mu = Xt.mean(axis=0)
    V = np.linalg.svd(Xt - mu, full_matrices=False)[2][:6]
    R = (Xh - mu) - (Xh - mu) @ V.T @ V
    assert data.pca_error(6) == pytest.approx(0.5 * np.sum(R * R) / len(Xh), rel=1e-9)
    assert "PCA error" in panel._views["loss"].label.value


def test_no_holdout_trains_on_everything(made):
    X = natural_patches(200, seed=5)
    panel = _panel(made, aelab.SparseAutoencoder(n_hidden=4, max_iter=5), X,
                   holdout=0.0).wait(TIMEOUT)
    assert panel._data.loaded["data"].X.shape[0] == 200
    assert "holdout_loss" not in panel.stats and "held-out" not in panel.status.value


@pytest.mark.parametrize("bad", [-0.1, 0.6, "half"])
def test_bad_holdout_names_the_parameter(bad):
    with pytest.raises((ValueError, TypeError), match="holdout"):
        Explorer(aelab.SparseAutoencoder(n_hidden=4), natural_patches(50), key=None,
                 dataset="data", holdout=bad)


def test_config_round_trip_keeps_holdout(made):
    X = natural_patches(100, seed=6)
    panel = _panel(made, aelab.SparseAutoencoder(n_hidden=4, max_iter=3), X, holdout=0.3)
    cfg = panel.wait(TIMEOUT).config()
    assert cfg["holdout"] == 0.3
    again = Explorer.from_config(cfg, X, key=None)
    made.append(again)
    assert again.holdout == 0.3


def test_pin_keeps_the_before_picture_while_the_live_one_changes(made):
    X = natural_patches(300, seed=7)
    panel = _panel(made, aelab.SparseAutoencoder(n_hidden=9, max_iter=15), X).wait(TIMEOUT)
    before = bytes(panel.views["filters"].value)
    record = panel.pin()
    assert record["params"]["lam"] == panel.model.lam and record["images"]["filters"] == before
    panel.controls["n_hidden"].value = 16
    panel.wait(TIMEOUT)
    assert bytes(panel.views["filters"].value) != before
    assert panel.pins[0]["images"]["filters"] == before and panel.pins[0]["params"]["n_hidden"] == 9
    assert len(panel._strip.box.children) == 1
    for _ in range(6):
        panel.pin()
    assert len(panel.pins) == 4  # the newest MAX_PINS


def test_challenge_reached_and_not_reached_with_hints(made):
    X = natural_patches(400, seed=8)
    model = aelab.SparseAutoencoder(n_hidden=9, max_iter=60, beta=0.0)
    on_target = rho_on_target(0.1)
    never = Challenge("impossible", goal=lambda f, s: False, why="-", hint="give up",
                      hint_after=2)
    panel = _panel(made, model, X, challenges=[on_target, never]).wait(TIMEOUT)
    assert not on_target.done and on_target.misses == 1  # β = 0: ρ̂ nowhere near ρ = 0.01
    panel.controls["beta"].value = 10.0
    panel.wait(TIMEOUT)
    rho_hat = panel.model.transform(panel._data.loaded["data"].activation_rows).mean(axis=0)
    reached = bool(np.all(np.abs(rho_hat - 0.01) <= 0.001))
    assert on_target.done == reached
    assert never.misses == 2 and "give up" in panel._board.box.value
    assert [c.text for c in panel.challenges] == [on_target.text, "impossible"]
    if reached:
        assert "✓" in panel._board.box.value and on_target.reached_with["beta"] == 10.0


def test_beat_pca_is_judged_on_held_out_numbers(made):
    X = load_digits()[0][:500]
    challenge = beat_pca()
    panel = _panel(made, aelab.Autoencoder(4, max_iter=200), X, challenges=[challenge])
    panel.wait(TIMEOUT)
    data = panel._data.loaded["data"]
    held = panel.model.objective(data.holdout)[0]
    assert challenge.done == (held < data.pca_error(4))


def test_status_says_why_a_start_is_fresh(made):
    X = natural_patches(200, seed=9)
    panel = _panel(made, aelab.SparseAutoencoder(n_hidden=4, max_iter=5), X).wait(TIMEOUT)
    panel.controls["n_hidden"].value = 6
    panel.wait(TIMEOUT)
    assert "fresh start (the hidden size changed)" in panel.status.value
    panel.controls["seed"].value = 3
    panel.wait(TIMEOUT)
    assert "the seed changed" in panel.status.value
