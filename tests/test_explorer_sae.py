"""Notebook 09's panel: the recovery and dead-latent views, and the top-k / L1 switch."""
import numpy as np
import pytest

import aelab
from aelab import metrics
from aelab.datasets import make_superposition
from aelab.explorer import Explorer
from aelab.explorer.sae import SAEModeSwitch
from aelab.explorer.views import VIEWS
from aelab.explorer.views.sae import firing_frequencies, recovery_matrix, sae_views

pytest.importorskip("ipywidgets")


def test_recovery_matrix_puts_a_permuted_signed_dictionary_on_the_diagonal():
    rng = np.random.default_rng(0)
    F = rng.normal(size=(6, 10))
    F /= np.linalg.norm(F, axis=1, keepdims=True)
    perm = rng.permutation(9)
    extra = rng.normal(size=(3, 10))
    D = np.vstack([F * rng.choice([-2.0, 3.0], size=(6, 1)), extra])[perm]  # scaled, flipped
    C, order = recovery_matrix(F, D.T)
    np.testing.assert_allclose(np.diag(C[:, :6]), 1.0)
    assert sorted(order) == list(range(9))
    # the matched latents are the ones holding the features, in the features' order
    np.testing.assert_array_equal(perm[order[:6]], np.arange(6))


def test_firing_frequencies_count_nonzero_rows():
    H = np.array([[0.0, 1.0, 0.0], [0.0, 2.0, 3.0], [0.0, 0.5, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(firing_frequencies(H), [0.0, 0.75, 0.25])


def test_sae_views_refuse_mismatched_shapes():
    with pytest.raises(ValueError, match="share d"):
        sae_views(np.ones((4, 3)), np.ones((5, 2)))


@pytest.fixture
def superposition_panel():
    data = make_superposition(64, 16, 0.03, 6000, seed=2)
    names = sae_views(data.features, data.X[:1000])
    model = aelab.TopKSAE(k=3, n_hidden=128, max_iter=6, n_iter_no_change=None)
    panel = Explorer(model, data.X, key=None, dataset="superposition", controls=("k",),
                     views=names + ("loss",), holdout=0.0)
    switch = SAEModeSwitch(panel, beta=0.1, l1_learning_rate=1e-2)
    yield data, panel, switch
    panel.close()
    for n in names:
        VIEWS.pop(n, None)


def test_views_show_what_they_claim_and_the_switch_changes_the_model(superposition_panel):
    data, panel, switch = superposition_panel
    panel.wait(120)
    assert panel.error_box.value == ""
    rec, dead = panel._views["sae_recovery"], panel._views["sae_dead"]
    W2 = panel.model.params_["W2"]
    assert rec.last["mmcs"] == pytest.approx(
        metrics.mean_max_cosine_similarity(data.features, W2.T))
    fresh = aelab.TopKSAE(k=3, n_hidden=128).initial_params(data.X)["W2"]
    assert rec.last["mmcs"] > metrics.mean_max_cosine_similarity(data.features, fresh.T) + 0.1
    H = panel.model.transform(data.X[:1000])
    assert dead.last["dead"] == int(np.sum(~np.any(H != 0, axis=0)))
    assert bytes(panel.views["sae_recovery"].value).startswith(b"\x89PNG")
    assert bytes(panel.views["sae_dead"].value).startswith(b"\x89PNG")
    assert "MMCS" in rec.label.value and "dead" in dead.label.value

    switch.widget.value = "L1"
    panel.wait(120)
    p = panel.model.get_params()
    assert p["k"] is None and p["sparsity"] == "l1" and p["beta"] == 0.1
    assert p["learning_rate"] == 1e-2 and panel.controls["k"].disabled
    H = panel.model.transform(data.X[:500])
    assert metrics.l0(H) > 3  # no top-k selection any more: the L0 is the penalty's
    switch.set_mode("top-k")
    panel.wait(120)
    p = panel.model.get_params()
    assert p["k"] == 3 and p["sparsity"] is None and p["beta"] == 0.0
    assert not panel.controls["k"].disabled
    assert metrics.l0(panel.model.transform(data.X[:500])) <= 3
    with pytest.raises(ValueError, match="mode"):
        switch.set_mode("l2")


def test_recovery_fails_challenge_judges_the_decoder_in_top_k_mode_only():
    from types import SimpleNamespace

    from aelab.explorer.sae import recovery_fails

    rng = np.random.default_rng(3)
    F = rng.normal(size=(10, 6))
    good = SimpleNamespace(model=SimpleNamespace(params_={"W2": np.vstack([F, F]).T}),
                           params={"k": 3})
    bad = SimpleNamespace(model=SimpleNamespace(params_={"W2": rng.normal(size=(6, 3))}),
                          params={"k": 30})
    l1_mode = SimpleNamespace(model=bad.model, params={"k": None})
    challenge = recovery_fails(F, below=0.85)
    assert not challenge.goal(good, {}) and not challenge.goal(l1_mode, {})
    assert challenge.goal(bad, {})
    with pytest.raises(ValueError, match="below"):
        recovery_fails(F, below=1.5)
