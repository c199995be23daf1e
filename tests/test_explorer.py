"""The live Explorer, driven headless: controls retrain and redraw, coalescing, errors, config.

Small data (500 natural patches, 64 -> 16 units, 40 L-BFGS iterations) keep every retrain
well under a second.
"""
import json
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from sklearn.base import clone

import aelab
from aelab.datasets import load_digits, natural_patches
from aelab.explorer import Explorer

pytest.importorskip("ipywidgets")

TIMEOUT = 60


@pytest.fixture(scope="module")
def patches():
    return natural_patches(500, seed=3)


@pytest.fixture(scope="module")
def digits():
    return load_digits()[0][:400]


@pytest.fixture
def make(patches):
    """Build Explorers on small data, and close all of them after the test."""
    made = []

    def build(model=None, X=None, **kw):
        model = model if model is not None else aelab.SparseAutoencoder(n_hidden=16, max_iter=40)
        kw.setdefault("key", None)
        kw.setdefault("dataset", "patches")
        # These tests compare the panel's model with fits on the same X: train on all of it
        # (the held-out split has its own tests).
        kw.setdefault("holdout", 0.0)
        panel = Explorer(model, patches if X is None else X, **kw)
        made.append(panel)
        return panel

    yield build
    for panel in made:
        panel.close()


def _worker_threads():
    return [t for t in threading.enumerate() if t.name.startswith("aelab-explorer")]


# (control, new value, whether the retrain may warm-start)
CONTROL_CHANGES = [
    ("lam", 3e-3, True),
    ("beta", 0.5, True),
    ("rho", 0.1, True),
    ("epsilon", 0.03, False),
    ("n_hidden", 9, False),
    ("seed", 7, False),
]


@pytest.mark.parametrize("name, value, warm", CONTROL_CHANGES)
def test_each_control_retrains_and_redraws_the_filters(make, name, value, warm):
    panel = make().wait(TIMEOUT)
    before_png = panel.views["filters"].value
    before_W = np.array(panel.model.components_, copy=True)
    generation = panel.stats["generation"]

    panel.controls[name].value = value
    panel.wait(TIMEOUT)

    # the "seed" control sets scikit-learn's random_state (seed is its deprecated alias)
    assert getattr(panel.model, {"seed": "random_state"}.get(name, name)) == pytest.approx(value)
    assert panel.stats["generation"] > generation
    assert panel.stats["warm_start"] is warm
    assert panel.views["filters"].value != before_png
    W = panel.model.components_
    assert W.shape != before_W.shape or not np.allclose(W, before_W)
    assert ("warm start" if warm else "fresh start") in panel.status.value


def test_default_init_checkbox_switches_epsilon_between_none_and_the_slider(make):
    panel = make().wait(TIMEOUT)
    assert panel.model.epsilon is None and panel.controls["default_init"].value
    panel.controls["default_init"].value = False
    panel.wait(TIMEOUT)
    assert panel.model.epsilon == pytest.approx(panel.controls["epsilon"].value)
    assert panel.stats["warm_start"] is False
    # Moving the ε slider while "default init" is ticked means "use this ε".
    panel.controls["default_init"].value = True
    panel.wait(TIMEOUT)
    assert panel.model.epsilon is None
    panel.controls["epsilon"].value = 0.2
    panel.wait(TIMEOUT)
    assert panel.model.epsilon == pytest.approx(0.2)
    assert panel.controls["default_init"].value is False


def test_reset_retrains_from_the_same_initial_weights(make, patches):
    panel = make().wait(TIMEOUT)
    panel.controls["lam"].value = 1e-3
    panel.wait(TIMEOUT)
    assert panel.stats["warm_start"] is True
    warm_W = np.array(panel.model.components_, copy=True)

    panel.controls["reset"].click()
    panel.wait(TIMEOUT)
    assert panel.stats["warm_start"] is False
    assert "fresh start" in panel.status.value
    # A fresh fit of the same hyperparameters from the same seed lands on the same weights.
    reference = clone(panel.model).set_params(warm_start=False).fit(patches)
    np.testing.assert_allclose(panel.model.components_, reference.components_, atol=1e-8)
    assert not np.allclose(panel.model.components_, warm_W)


def test_dataset_control_switches_data_and_starts_fresh(make, patches, digits):
    panel = make(controls=("lam", "dataset"), datasets={"patches": patches, "digits": digits})
    panel.wait(TIMEOUT)
    before = panel.views["filters"].value
    panel.controls["dataset"].value = "digits"
    panel.wait(TIMEOUT)
    assert panel.dataset == "digits"
    assert panel.stats["warm_start"] is False
    assert panel.views["filters"].value != before
    # Trained on the digits: its ρ̂ matches the digits', not the patches'.
    rho_digits = panel.model.transform(digits).mean(axis=0)
    rho_patches = panel.model.transform(patches).mean(axis=0)
    assert not np.allclose(rho_digits, rho_patches)


def test_fifty_rapid_changes_coalesce_into_at_most_two_completed_trainings(make):
    panel = make(aelab.SparseAutoencoder(n_hidden=16, max_iter=60)).wait(TIMEOUT)
    before = panel.stats
    values = np.logspace(-5, -2, 50)
    for value in values:
        panel.controls["lam"].value = float(value)
    panel.wait(TIMEOUT)
    after = panel.stats

    assert panel.model.lam == pytest.approx(values[-1])
    assert panel.model.stop_reason_ != "callback"  # the last one ran to its end
    assert after["requests"] - before["requests"] == 50
    assert after["trainings_completed"] - before["trainings_completed"] <= 2
    assert after["trainings_started"] - before["trainings_started"] < 50


def test_exception_in_training_shows_in_the_panel_and_in_wait(make):
    panel = make().wait(TIMEOUT)
    model = panel.model

    def broken(*args, **kwargs):
        raise RuntimeError("injected failure in the objective")

    model._loss_and_grad = broken
    panel.controls["beta"].value = 1.0
    with pytest.raises(RuntimeError, match="injected failure"):
        panel.wait(TIMEOUT)
    assert "RuntimeError" in panel.error_box.value
    assert "injected failure" in panel.error_box.value
    assert "error" in panel.status.value

    # The panel survives: fix the model, move a control, and the error clears.
    del model._loss_and_grad
    panel.controls["beta"].value = 2.0
    panel.wait(TIMEOUT)
    assert panel.error_box.value == ""
    assert panel.model.beta == 2.0


def test_bad_hyperparameter_error_names_the_parameter(make):
    model = aelab.SparseAutoencoder(n_hidden=16, max_iter=20, activation="tanh", rho=-0.5)
    panel = make(model).wait(TIMEOUT)
    # tanh's ρ lives in (−1, 1): the slider offers that range.
    assert panel.controls["rho"].min == pytest.approx(-0.99)
    panel.retrain(rho=1.5)
    with pytest.raises(ValueError, match="rho"):
        panel.wait(TIMEOUT)
    assert "ValueError" in panel.error_box.value and "rho" in panel.error_box.value


def test_exception_while_drawing_shows_in_the_panel(make):
    panel = make().wait(TIMEOUT)

    def broken(frame):
        raise ValueError("cannot draw this")

    panel._views["loss"].update = broken
    panel.controls["lam"].value = 2e-4
    with pytest.raises(ValueError, match="cannot draw"):
        panel.wait(TIMEOUT)
    assert "cannot draw this" in panel.error_box.value


def test_divergence_is_reported_in_the_panel(make):
    panel = make().wait(TIMEOUT)
    model = panel.model
    real = type(model)._loss_and_grad
    calls = {"n": 0}

    def blows_up(*args, **kwargs):
        calls["n"] += 1
        J, grads = real(model, *args, **kwargs)
        return (float("nan") if calls["n"] > 3 else J), grads

    model._loss_and_grad = blows_up
    panel.controls["lam"].value = 5e-4
    with pytest.warns(aelab.TrainingDivergedWarning):
        panel.wait(TIMEOUT)
    assert "diverged" in panel.warning_box.value
    assert "diverged" in panel.status.value
    assert panel.error_box.value == ""


def test_config_round_trips_through_json_and_from_config(make, patches):
    panel = make(views=("filters", "loss", "pca"), frame_interval=0.05,
                 image_shape=(8, 8), max_train_seconds=30).wait(TIMEOUT)
    panel.controls["lam"].value = 2e-3
    panel.controls["n_hidden"].value = 12
    panel.wait(TIMEOUT)
    cfg = panel.config()
    cfg = json.loads(json.dumps(cfg))  # JSON-able, and survives the trip
    assert cfg["model"]["class"] == "SparseAutoencoder"
    assert cfg["model"]["params"]["lam"] == pytest.approx(2e-3)
    assert cfg["model"]["params"]["n_hidden"] == 12

    again = Explorer.from_config(cfg, X=patches, key=None)
    try:
        again.wait(TIMEOUT)
        assert again.config() == cfg
        assert set(again.controls) == set(panel.controls)
        assert set(again.views) == {"filters", "loss", "pca"}
        assert again.model.n_hidden == 12 and again.model.lam == pytest.approx(2e-3)
    finally:
        again.close()


def test_from_config_without_data_loads_the_data_set_by_name(digits):
    model = aelab.SparseAutoencoder(n_hidden=10, max_iter=15)
    panel = Explorer(model, "digits", controls=("lam", "beta"), key=None)
    try:
        panel.wait(TIMEOUT)
        cfg = json.loads(json.dumps(panel.config()))
        assert cfg["dataset"] == "digits"
    finally:
        panel.close()
    again = Explorer.from_config(cfg, key=None)
    try:
        again.wait(TIMEOUT)
        assert again.model.n_features_in_ == 64
        assert again.config() == cfg
    finally:
        again.close()
    with pytest.raises(ValueError, match="X"):
        Explorer.from_config(dict(cfg, dataset="data"))
    with pytest.raises(ValueError, match="model class"):
        Explorer.from_config(dict(cfg, model={"class": "os.system", "params": {}}), X=digits)


def test_close_stops_the_worker_thread(make):
    before = set(_worker_threads())
    panel = make()
    assert len(set(_worker_threads()) - before) == 1
    panel.controls["lam"].value = 1e-3  # close while a training may be in flight
    panel.close()
    assert set(_worker_threads()) - before == set()
    assert panel.closed
    panel.controls  # still readable
    panel.close()  # twice is harmless


def test_a_new_panel_with_the_same_key_closes_the_old_one(make):
    first = make(key="lesson-02").wait(TIMEOUT)
    second = make(key="lesson-02").wait(TIMEOUT)
    assert first.closed and not first._worker.is_alive()
    assert not second.closed and second._worker.is_alive()


def test_warm_and_fresh_starts_are_reported(make):
    panel = make().wait(TIMEOUT)
    assert panel.stats["warm_start"] is False  # the first training
    panel.controls["beta"].value = 4.0
    panel.wait(TIMEOUT)
    assert panel.stats["warm_start"] is True and panel.model.warm_started_ is True
    assert "warm start" in panel.status.value
    panel.controls["n_hidden"].value = 20
    panel.wait(TIMEOUT)
    assert panel.stats["warm_start"] is False and panel.model.warm_started_ is False
    assert "fresh start" in panel.status.value
    # The user's own warm_start setting is left as it was.
    assert panel.model.warm_start is False


def test_collapsed_weights_are_not_warm_started(make):
    # A large λ drives W to 0, a stationary point for any λ: a warm start would stay there.
    panel = make(aelab.SparseAutoencoder(n_hidden=16, max_iter=40, lam=3e-2)).wait(TIMEOUT)
    assert np.sqrt(np.mean(panel.model.components_ ** 2)) < 1e-3
    panel.controls["lam"].value = 1e-4
    panel.wait(TIMEOUT)
    assert panel.stats["warm_start"] is False
    assert "collapsed" in panel.status.value
    assert np.sqrt(np.mean(panel.model.components_ ** 2)) > 1e-2


def test_first_frame_arrives_before_training_finishes(make, patches):
    model = aelab.SparseAutoencoder(n_hidden=16, max_iter=400, tol=0.0)
    panel = make(model, frame_interval=0.02).wait(TIMEOUT)
    panel.controls["n_hidden"].value = 25
    panel.wait(TIMEOUT)
    s = panel.stats
    assert s["first_frame_iteration"] == 0  # the fresh weights, before any iteration
    assert s["time_to_first_frame"] < s["time_to_final_frame"]
    assert s["time_to_first_frame"] < s["train_seconds"]
    # First, at least one while training, final.
    assert s["frames"] >= 3, {k: s[k] for k in ("frames", "train_seconds", "iterations",
                                                "render_ms_median", "render_ms_max")}


def test_frames_replace_image_bytes_in_place(make):
    panel = make().wait(TIMEOUT)
    images = dict(panel.views)
    children = panel.widget.children
    for name, image in images.items():
        assert bytes(image.value).startswith(b"\x89PNG"), name
    panel.controls["lam"].value = 5e-3
    panel.wait(TIMEOUT)
    assert panel.widget.children == children
    for name, image in panel.views.items():
        assert image is images[name]


def test_drawing_is_fast(make, patches):
    # Warm runs blit the charts; 50 ms per frame is the ceiling, a few ms is typical.
    # (With frame_interval=0 the panel still spaces frames to ~10% of the training time.)
    model = aelab.SparseAutoencoder(n_hidden=25, max_iter=600, tol=0.0)
    panel = make(model, frame_interval=0.0).wait(TIMEOUT)
    panel.controls["lam"].value = 2e-4
    panel.wait(TIMEOUT)
    s = panel.stats
    assert s["frames"] >= 5
    assert s["render_ms_median"] < 50
    # Drawing takes a bounded share of the training time.
    assert s["frames"] * s["render_ms_median"] / 1e3 < 0.3 * s["train_seconds"] + 0.1


def test_wait_times_out(make):
    model = aelab.SparseAutoencoder(n_hidden=16, max_iter=100000, tol=0.0)
    panel = make(model)
    with pytest.raises(TimeoutError):
        panel.wait(timeout=0.05)


def test_time_budget_stops_training_and_says_so(make):
    model = aelab.SparseAutoencoder(n_hidden=16, max_iter=100000, tol=0.0)
    panel = make(model, max_train_seconds=0.3)
    t0 = time.perf_counter()
    panel.wait(TIMEOUT)
    assert time.perf_counter() - t0 < 10
    assert panel.stats["budget_stopped"] is True
    assert "time budget" in panel.status.value
    assert panel.stats["trainings_completed"] == 1


def test_a_fitted_model_is_shown_without_retraining(make, patches):
    model = aelab.SparseAutoencoder(n_hidden=16, max_iter=30).fit(patches)
    W = np.array(model.components_, copy=True)
    panel = make(model).wait(TIMEOUT)
    assert panel.stats["trainings_started"] == 0
    np.testing.assert_array_equal(panel.model.components_, W)
    assert bytes(panel.views["filters"].value).startswith(b"\x89PNG")
    panel.controls["lam"].value = 1e-3
    panel.wait(TIMEOUT)
    assert panel.stats["warm_start"] is True  # it continues from the fitted weights


def test_panel_displays_as_a_widget(make):
    panel = make(layout="lecture")
    bundle = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert panel.widget.children


def test_bad_arguments_are_refused(patches):
    model = aelab.SparseAutoencoder()
    with pytest.raises(ValueError, match="controls"):
        Explorer(model, patches, controls=("lambda",), key=None)
    with pytest.raises(ValueError, match="views"):
        Explorer(model, patches, views=("weights",), key=None)
    with pytest.raises(ValueError, match="data"):
        Explorer(model, key=None)
    assert _worker_threads() == [] or all(t.is_alive() for t in _worker_threads())


def test_importing_the_module_does_not_import_ipywidgets_or_matplotlib():
    code = ("import sys, aelab, aelab.explorer; "
            "assert 'ipywidgets' not in sys.modules, 'ipywidgets'; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib'")
    subprocess.run([sys.executable, "-c", code], check=True)


class _FakeKernel:
    def __init__(self):
        self.cell_id = "cell-1"

    def get_parent(self):
        return {"metadata": {"cellId": self.cell_id}}


class _FakeShell:
    def __init__(self, kernel=None):
        self.kernel = kernel
        self.parent_header = {}


@pytest.fixture
def fake_ipython(monkeypatch):
    """Pretend to run in a Jupyter kernel, whose executions carry the cell's id."""
    import IPython

    kernel = _FakeKernel()
    shell = _FakeShell(kernel)
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    return shell


def test_rerunning_a_cell_closes_the_panel_it_made_before(make, fake_ipython):
    first = make(key="auto").wait(TIMEOUT)
    other_kernel = fake_ipython.kernel
    other_kernel.cell_id = "cell-2"
    elsewhere = make(key="auto").wait(TIMEOUT)  # another cell: both stay live
    assert not first.closed and not elsewhere.closed
    other_kernel.cell_id = "cell-1"
    again = make(key="auto").wait(TIMEOUT)  # cell 1 run again
    assert first.closed and not first._worker.is_alive()
    assert not elsewhere.closed and not again.closed


def test_without_cell_ids_the_code_location_identifies_the_cell(make, fake_ipython):
    fake_ipython.kernel = None
    panels = [make(key="auto") for _ in range(2)]  # one line of code, run twice
    assert panels[0].closed and not panels[1].closed


def test_a_dataset_object_brings_its_name_and_image_shape(make):
    from aelab.datasets import load_dataset

    data = load_dataset("digits")
    panel = make(aelab.SparseAutoencoder(n_hidden=9, max_iter=10), data.X[:300],
                 dataset=None).wait(TIMEOUT)
    assert panel.dataset == "data"
    panel2 = make(aelab.SparseAutoencoder(n_hidden=9, max_iter=10), data,
                  dataset=None).wait(TIMEOUT)
    assert panel2.dataset == "digits"
    assert panel2._data.loaded["digits"].shape == tuple(data.image_shape)
    assert panel2.config()["dataset"] == "digits"


def test_retrain_sets_any_hyperparameter_and_moves_its_control(make):
    panel = make().wait(TIMEOUT)
    panel.retrain(max_iter=5, beta=1.5)
    panel.wait(TIMEOUT)
    assert panel.model.max_iter == 5 and panel.stats["iterations"] <= 5
    assert panel.controls["beta"].value == pytest.approx(1.5)
    assert panel.config()["model"]["params"]["max_iter"] == 5
    with pytest.raises(ValueError, match="unknown"):
        panel.retrain(lamda=1.0)


# --------------------------------------------------------------------------- new controls
# Small models, so that each retrain takes a fraction of a second on a busy machine.


def _ksparse(**kw):
    args = dict(n_hidden=16, k=4, k_start=8, max_iter=5, batch_size=100, learning_rate=1e-2)
    args.update(kw)
    return aelab.KSparseAutoencoder(**args)


def _denoising(**kw):
    args = dict(n_hidden=16, max_iter=5, batch_size=100)
    args.update(kw)
    return aelab.DenoisingAutoencoder(**args)


def _contractive(**kw):
    args = dict(n_hidden=16, max_iter=20)
    args.update(kw)
    return aelab.ContractiveAutoencoder(**args)


# (model factory, control, new value, the hyperparameter and value it must set)
NEW_CONTROL_CHANGES = [
    (_ksparse, "k", 10, "k", 10),
    (_denoising, "noise", "gaussian", "noise", "gaussian"),
    (_denoising, "noise", "none", "noise", None),
    (_denoising, "noise_level", 0.6, "noise_level", 0.6),
    (_contractive, "contraction", 0.5, "contraction", 0.5),
    (_contractive, "contraction_zero", True, "contraction", 0.0),
    (lambda: aelab.SparseAutoencoder(n_hidden=16, max_iter=40), "lam_zero", True, "lam", 0.0),
]


@pytest.mark.parametrize("factory, name, value, param, expected", NEW_CONTROL_CHANGES,
                         ids=[f"{c[1]}={c[2]}" for c in NEW_CONTROL_CHANGES])
def test_each_new_control_warm_starts_and_changes_the_picture(make, factory, name, value,
                                                              param, expected):
    views = ("filters", "ksparse") if name == "k" else ("filters", "reconstructions")
    controls = ("lam", "k", "noise", "noise_level", "contraction", "n_hidden")
    panel = make(factory(), controls=controls, views=views).wait(TIMEOUT)
    watched = "ksparse" if name == "k" else "reconstructions"
    before = (panel.views["filters"].value, panel.views[watched].value)
    before_W = np.array(panel.model.components_, copy=True)
    generation = panel.stats["generation"]

    panel.controls[name].value = value
    panel.wait(TIMEOUT)

    got = getattr(panel.model, param)
    assert got == (pytest.approx(expected) if isinstance(expected, float) else expected)
    if expected == 0.0 and param in ("lam", "contraction"):
        assert got == 0.0  # exactly zero, not the slider's smallest value
    assert panel.stats["generation"] > generation
    assert panel.stats["warm_start"] is True  # same shapes, same initialisation
    assert "warm start" in panel.status.value
    assert panel.views["filters"].value != before[0]
    assert panel.views[watched].value != before[1]
    assert not np.allclose(panel.model.components_, before_W)
    assert panel.error_box.value == ""


def test_lam_zero_box_shows_a_model_built_with_lam_0_and_gives_exact_zero(make):
    panel = make(aelab.SparseAutoencoder(n_hidden=16, max_iter=20, lam=0.0)).wait(TIMEOUT)
    assert panel.controls["lam_zero"].value is True
    assert panel.controls["lam"].readout is False  # no number that contradicts "λ = 0"
    assert panel.model.lam == 0.0
    # Moving the slider means "use this λ"; the box unticks.
    panel.controls["lam"].value = 1e-3
    panel.wait(TIMEOUT)
    assert panel.model.lam == pytest.approx(1e-3)
    assert panel.controls["lam_zero"].value is False and panel.controls["lam"].readout
    panel.controls["lam_zero"].value = True
    panel.wait(TIMEOUT)
    assert panel.model.lam == 0.0
    # Unticking goes back to the slider's value; retrain(lam=0) ticks the box again.
    panel.controls["lam_zero"].value = False
    panel.wait(TIMEOUT)
    assert panel.model.lam == pytest.approx(1e-3)
    panel.retrain(lam=0)
    panel.wait(TIMEOUT)
    assert panel.model.lam == 0 and panel.controls["lam_zero"].value is True
    assert panel.config()["model"]["params"]["lam"] == 0


def test_contraction_zero_box_and_slider(make):
    panel = make(_contractive(contraction=0.0), controls=("contraction",)).wait(TIMEOUT)
    assert panel.controls["contraction_zero"].value is True
    panel.controls["contraction"].value = 0.3
    panel.wait(TIMEOUT)
    assert panel.model.contraction == pytest.approx(0.3)
    assert panel.controls["contraction_zero"].value is False
    panel.retrain(contraction=0.0)
    panel.wait(TIMEOUT)
    assert panel.model.contraction == 0.0 and panel.controls["contraction_zero"].value


def test_switching_noise_on_at_level_zero_sets_a_typical_level(make):
    panel = make(_denoising(noise=None, noise_level=0.0),
                 controls=("noise", "noise_level")).wait(TIMEOUT)
    assert panel.controls["noise"].value == "none"
    requests = panel.stats["requests"]
    panel.controls["noise"].value = "mask"
    panel.wait(TIMEOUT)
    assert panel.model.noise == "mask"
    assert panel.model.noise_level == pytest.approx(0.3)
    assert panel.controls["noise_level"].value == pytest.approx(0.3)
    assert panel.stats["requests"] == requests + 1  # one retrain, not two
    # A level the student chose is kept when the noise type changes.
    panel.controls["noise_level"].value = 0.5
    panel.controls["noise"].value = "gaussian"
    panel.wait(TIMEOUT)
    assert panel.model.noise == "gaussian" and panel.model.noise_level == pytest.approx(0.5)
    panel.retrain(noise=None)
    panel.wait(TIMEOUT)
    assert panel.model.noise is None and panel.controls["noise"].value == "none"


def test_a_smaller_hidden_size_clamps_k_in_one_fresh_retrain(make):
    panel = make(_ksparse(k=12, k_start=16), controls=("n_hidden", "k")).wait(TIMEOUT)
    assert panel.controls["k"].max == 16 and panel.controls["k"].value == 12
    requests = panel.stats["requests"]
    panel.controls["n_hidden"].value = 6
    panel.wait(TIMEOUT)
    assert panel.model.n_hidden == 6 and panel.model.k == 6
    assert panel.controls["k"].max == 6 and panel.controls["k"].value == 6
    assert panel.stats["requests"] == requests + 1
    assert panel.stats["warm_start"] is False and panel.error_box.value == ""
    # A larger hidden size widens the k slider and leaves k alone.
    panel.controls["n_hidden"].value = 20
    panel.wait(TIMEOUT)
    assert panel.controls["k"].max == 20 and panel.model.k == 6


def test_k_above_k_start_switches_annealing_off_and_back(make):
    panel = make(_ksparse(k=4, k_start=8), controls=("k",), views=("ksparse",)).wait(TIMEOUT)
    assert "annealed from 8" in panel.status.value
    panel.controls["k"].value = 12
    panel.wait(TIMEOUT)
    assert panel.model.k == 12 and panel.model.k_start == 12  # no error: nothing to anneal
    assert "annealed" not in panel.status.value
    panel.controls["k"].value = 3
    panel.wait(TIMEOUT)
    assert panel.model.k == 3 and panel.model.k_start == 8
    assert "annealed from 8" in panel.status.value


def test_a_k_the_model_refuses_shows_in_the_error_box_and_the_panel_recovers(make):
    panel = make(_ksparse(), controls=("k", "n_hidden")).wait(TIMEOUT)
    panel.retrain(k=40)  # more than the 16 hidden units
    with pytest.raises(ValueError, match="k=40"):
        panel.wait(TIMEOUT)
    assert "ValueError" in panel.error_box.value and "k=40" in panel.error_box.value
    assert panel._worker.is_alive()
    assert panel.controls["k"].value == 16  # the slider shows as much as it can
    panel.controls["k"].value = 5
    panel.wait(TIMEOUT)
    assert panel.model.k == 5 and panel.error_box.value == ""


def test_ksparse_view_shows_codes_and_counts_dead_units(make, patches):
    from aelab.metrics import dead_units

    panel = make(_ksparse(), controls=("k",), views=("ksparse", "loss")).wait(TIMEOUT)
    assert bytes(panel.views["ksparse"].value).startswith(b"\x89PNG")
    assert bytes(panel.views["ksparse_filters"].value).startswith(b"\x89PNG")
    n_dead = int(dead_units(panel.model.transform(patches)).sum())  # 500 rows: all of them
    assert panel.stats["dead_units"] == n_dead
    assert panel.stats["dead_units_rows"] == len(patches)
    assert f"{n_dead}/16 dead units" in panel.status.value
    assert "k = 4" in panel.status.value
    assert "4 of 16 units kept" in panel._views["ksparse"].label.value
    before = (panel.views["ksparse"].value, panel.views["ksparse_filters"].value)
    panel.controls["k"].value = 1
    panel.wait(TIMEOUT)
    assert panel.views["ksparse"].value != before[0]
    assert panel.views["ksparse_filters"].value != before[1]
    assert "1 of 16 units kept" in panel._views["ksparse"].label.value
    assert panel.stats["dead_units"] == int(dead_units(panel.model.transform(patches)).sum())


def test_ksparse_view_leaves_the_grid_to_the_filters_view_when_both_show(make):
    panel = make(_ksparse(), views=("filters", "ksparse")).wait(TIMEOUT)
    assert panel._views["ksparse"].grid_box.layout.display == "none"
    assert panel.views["ksparse_filters"].value == b""
    assert bytes(panel.views["ksparse"].value).startswith(b"\x89PNG")


def test_codes_image_colours_exactly_the_kept_units():
    from aelab.explorer.views.ksparse import codes_image as _codes_image

    rng = np.random.default_rng(0)
    codes = np.zeros((5, 12))
    for i in range(5):  # 3 units per example, of either sign
        codes[i, rng.choice(12, 3, replace=False)] = rng.choice([-1, 1], 3) * rng.uniform(
            0.5, 2.0, 3)
    dead = np.zeros(12, dtype=bool)
    dead[[2, 7]] = True
    originals = rng.uniform(size=(5, 16))
    img = _codes_image(originals, codes, (4, 4), dead, row_px=10, width_px=120)
    cw = 120 // 12
    x0 = img.shape[1] - 12 * cw
    for i in range(5):
        row = img[i * 11 + 5, x0 + cw // 2::cw]  # the middle of each cell
        coloured = np.any(row < 250, axis=1)
        np.testing.assert_array_equal(coloured, codes[i] != 0)
        red = row[:, 0] > row[:, 2]
        np.testing.assert_array_equal(red[coloured], codes[i][codes[i] != 0] > 0)
    strip = img[-2, x0 + cw // 2::cw, 0]
    np.testing.assert_array_equal(strip < 50, dead)


def test_pca_view_puts_the_principal_angle_in_stats(make, patches):
    from aelab.pca import PCA, max_principal_angle_degrees

    # (At least 9 units: smaller linear models on these data hit a BLAS-threading slowdown
    # of the engine on a busy machine, see the note in the commit.)
    panel = make(aelab.LinearAutoencoder(n_hidden=10, max_iter=30), controls=("n_hidden",),
                 views=("filters", "pca")).wait(TIMEOUT)
    for n_hidden in (10, 12):
        if n_hidden != panel.model.n_hidden:
            panel.controls["n_hidden"].value = n_hidden
            panel.wait(TIMEOUT)
        assert panel.model.n_hidden == n_hidden
        angle = panel.stats["principal_angle_deg"]
        reference = max_principal_angle_degrees(panel.model.components_,
                                                PCA(n_hidden).fit(patches).components_)
        assert angle == pytest.approx(reference, abs=1e-6)
        assert f"{angle:.1f}°" in panel.status.value
    plain = make(aelab.LinearAutoencoder(n_hidden=10, max_iter=20)).wait(TIMEOUT)
    assert "principal_angle_deg" not in plain.stats


def test_config_round_trip_keeps_the_new_controls_and_views(make, patches):
    panel = make(_ksparse(), controls=("lam", "k", "noise", "noise_level", "contraction"),
                 views=("ksparse",)).wait(TIMEOUT)
    panel.controls["k"].value = 6
    panel.controls["lam_zero"].value = False
    panel.controls["noise"].value = "mask"
    panel.wait(TIMEOUT)
    cfg = json.loads(json.dumps(panel.config()))
    again = Explorer.from_config(cfg, X=patches, key=None)
    try:
        again.wait(TIMEOUT)
        assert again.config() == cfg
        assert again.model.k == 6 and again.model.noise == "mask"
        assert again.controls["noise"].value == "mask" and again.controls["k"].value == 6
        assert set(again.views) == {"ksparse", "ksparse_filters"}
    finally:
        again.close()


# --------------------------------------------------------------------------- warm_max_iter


def test_warm_max_iter_shortens_warm_retrains_only(make, patches):
    # A fitted k-sparse model: the first change of k warm-starts, a seed change does not.
    model = _ksparse(max_iter=6).fit(patches)
    panel = make(model, controls=("k", "seed"), views=("filters", "ksparse", "loss"),
                 warm_max_iter=2).wait(TIMEOUT)
    panel.controls["k"].value = 6
    panel.wait(TIMEOUT)
    assert panel.stats["warm_start"] is True
    assert panel.stats["iterations"] == 2 and len(panel.model.loss_curve_) == 2
    assert "iteration 2/2" in panel.status.value
    assert panel.model.max_iter == 6  # the model's own setting is left on it

    # The same warm retrain by hand: the panel's model is exactly that.
    by_hand = _ksparse(max_iter=6).fit(patches)
    by_hand.set_params(k=6, max_iter=2, warm_start=True).fit(patches)
    np.testing.assert_allclose(panel.model.components_, by_hand.components_, rtol=1e-6)

    panel.controls["seed"].value = 5
    panel.wait(TIMEOUT)
    assert panel.stats["warm_start"] is False
    assert panel.stats["iterations"] == 6 and "iteration 6/6" in panel.status.value


def test_warm_max_iter_round_trips_through_config(make, patches):
    panel = make(_ksparse(), controls=("k",), warm_max_iter=3).wait(TIMEOUT)
    cfg = json.loads(json.dumps(panel.config()))
    assert cfg["warm_max_iter"] == 3
    again = Explorer.from_config(cfg, X=patches, key=None)
    try:
        assert again.warm_max_iter == 3
    finally:
        again.close()


@pytest.mark.parametrize("name, bad, error", [
    ("warm_max_iter", 0, ValueError), ("warm_max_iter", -1, ValueError),
    ("warm_max_iter", 2.5, TypeError), ("warm_max_iter", True, TypeError),
    ("warm_max_iter", "3", TypeError),
    ("frame_interval", -0.1, ValueError), ("frame_interval", None, TypeError),
    ("frame_interval", "fast", TypeError), ("frame_interval", float("nan"), ValueError),
    ("max_train_seconds", 0, ValueError), ("max_train_seconds", "1", TypeError),
])
def test_pacing_settings_are_checked_with_their_name(make, name, bad, error):
    with pytest.raises(error, match=name):
        make(**{name: bad})


def test_the_old_module_still_reexports_the_panel():
    """aelab.widgets stays a short re-export for one release (notebooks imported from it)."""
    import aelab.explorer
    import aelab.widgets

    assert aelab.widgets.Explorer is aelab.explorer.Explorer is aelab.Explorer
    assert bytes(aelab.widgets._grey_png(np.zeros((2, 2)), 4)).startswith(b"\x89PNG")


def test_package_layout_keeps_modules_small():
    """One idea per module: no module of the panel's package over ~400 lines."""
    from pathlib import Path

    import aelab.explorer

    root = Path(aelab.explorer.__file__).parent
    sizes = {p.relative_to(root).as_posix(): len(p.read_text().splitlines())
             for p in root.rglob("*.py")}
    assert len(sizes) >= 10 and max(sizes.values()) <= 420, sizes


def test_collapse_stopped_at_a_loose_tolerance_is_still_a_collapse():
    """At tol 1e-5 a collapsing fit stops with W at a few per cent of its initial scale, but
    its reconstruction is the mean patch: not a state a warm start can leave."""
    from aelab.explorer.session import collapsed

    X = load_digits()[0][:300]
    good = aelab.SparseAutoencoder(16, max_iter=200).fit(X)
    assert not collapsed(good, X)
    gone = aelab.SparseAutoencoder(16, lam=3e-3, max_iter=2000).fit(X)  # collapses
    assert gone.stop_reason_ == "converged"
    eps = np.sqrt(6.0 / (64 + 16 + 1)) / np.sqrt(3.0)
    assert np.sqrt(np.mean(gone.params_["W1"] ** 2)) > 1e-3 * eps  # the weight test misses
    assert collapsed(gone, X)


def test_a_training_that_collapses_says_so_and_the_next_starts_fresh(make):
    """λ far too large: the training converges (at tol 1e-5) to blank filters; the panel
    warns in words, and moving λ back starts from fresh weights instead of from W ≈ 0."""
    panel = make(aelab.SparseAutoencoder(n_hidden=16, max_iter=2000)).wait(TIMEOUT)
    assert panel.stats["collapsed"] is False and panel.warning_box.value == ""
    panel.controls["lam"].value = 3e-3
    panel.wait(TIMEOUT)
    assert panel.stats["warm_start"] is True and panel.stats["collapsed"] is True
    assert "collapsed" in panel.warning_box.value and "λ = 0.003" in panel.warning_box.value
    panel.controls["lam"].value = 1e-4
    panel.wait(TIMEOUT)
    assert panel.stats["warm_start"] is False and "collapsed" in panel.status.value
    assert panel.stats["collapsed"] is False and panel.warning_box.value == ""
