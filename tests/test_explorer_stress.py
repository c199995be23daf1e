"""The Explorer under stress (issue 7, part 5): random control changes, injected failures.

Two hundred random control changes arrive a few milliseconds apart while exceptions are
injected at random into training (the objective), into the fresh initial weights the panel
draws itself, and into the encoding that every frame needs. Afterwards the panel must recover,
hold exactly the hyperparameters last asked for, account for every request, and leave no
thread behind when closed. Tiny data (200 × 16, at most 16 hidden units, 20 L-BFGS
iterations) keep the whole file to a few seconds.
"""
import random
import threading
import time
import warnings

import numpy as np
import pytest

import aelab

pytest.importorskip("ipywidgets")

from aelab.explorer import Explorer
from aelab.explorer.session import THREAD_PREFIX as _THREAD_PREFIX  # noqa: E402

TIMEOUT = 60
N_CHANGES = 200
# Every objective evaluation sleeps this long, so that a training of 20 L-BFGS iterations
# takes at least ~40 ms however fast the machine: longer than the gaps between changes, which
# is what makes the changes arrive *during* training.
EVAL_SLEEP = 0.002
STRESSED = ("lam", "beta", "rho", "epsilon", "n_hidden", "k", "noise_level", "seed")


class InjectedError(RuntimeError):
    """The failure this test injects (so that no real bug can pass for it)."""


def _panel_threads():
    return {t for t in threading.enumerate() if t.name.startswith(_THREAD_PREFIX)}


@pytest.fixture(scope="module")
def tiny():
    return np.random.default_rng(0).uniform(0.05, 0.95, size=(200, 16))


def _model():
    # Every stressed hyperparameter means something here: sigmoid units with a KL sparsity
    # penalty (λ, β, ρ), top-k selection (k), masking noise (noise_level), ε and the seed.
    return aelab.Autoencoder(
        n_hidden=12, activation="sigmoid", output_activation="sigmoid", lam=1e-4, beta=1.0,
        rho=0.1, sparsity="kl", k=6, noise="mask", noise_level=0.1, optimizer="lbfgs",
        max_iter=20, tol=0.0)


class _Injector:
    """Wraps the model's objective, its initial weights and its encoder to fail at random."""

    def __init__(self, model, seed, p_objective=0.1, p_init=0.1, p_transform=0.02):
        self.model = model
        self.rng = random.Random(seed)  # used from the worker thread only
        self.on = True
        self.injected = 0
        self.p = {"objective": p_objective, "init": p_init, "transform": p_transform}
        cls = type(model)
        self.real = {"objective": cls._loss_and_grad, "init": cls.initial_params,
                     "transform": cls.transform}
        model._loss_and_grad = self._wrap("objective", sleep=EVAL_SLEEP)
        model.initial_params = self._wrap("init")
        model.transform = self._wrap("transform")

    def _wrap(self, where, sleep=0.0):
        real = self.real[where]

        def wrapped(*args, **kwargs):
            if sleep:
                time.sleep(sleep)
            if self.on and self.rng.random() < self.p[where]:
                self.injected += 1
                raise InjectedError(f"injected failure in {where}")
            return real(self.model, *args, **kwargs)

        return wrapped

    def remove(self):
        self.on = False
        for name in ("_loss_and_grad", "initial_params", "transform"):
            self.model.__dict__.pop(name, None)


def _random_change(panel, rnd, expected):
    """Move one random control (or, now and then, ask for a k the model refuses).

    ``expected`` follows what the panel has been asked for: a control set to the value it
    already shows fires no event and changes nothing.
    """
    c = panel.controls
    if rnd.random() < 0.03:
        bad_k = expected["n_hidden"] + 5
        panel.retrain(k=bad_k)
        expected["k"] = bad_k
        return "retrain(k)"
    name = rnd.choice(STRESSED)
    if name == "lam":
        value = 10 ** rnd.uniform(-6, -1)
    elif name == "beta":
        value = round(rnd.uniform(0.0, 10.0), 1)
    elif name == "rho":
        value = 10 ** rnd.uniform(-3, np.log10(0.5))
    elif name == "epsilon":
        value = 10 ** rnd.uniform(-4, 0)
    elif name == "n_hidden":
        value = rnd.randint(4, 16)
    elif name == "k":
        value = rnd.randint(1, expected["n_hidden"])
    elif name == "noise_level":
        value = round(rnd.uniform(0.0, 0.9), 2)
    else:
        value = rnd.randint(0, 1000)
    if c[name].value == value:
        return name
    c[name].value = value
    expected[name] = value
    if name == "n_hidden" and isinstance(expected["k"], int) and expected["k"] > value:
        expected["k"] = value  # a smaller hidden size clamps k
    return name


def test_200_random_changes_with_injected_failures_end_consistent(tiny):
    threads_before = _panel_threads()
    model = _model()
    panel = Explorer(model, tiny, controls=STRESSED, views=("filters", "loss", "ksparse"),
                     key=None, frame_interval=0.02)
    try:
        panel.wait(TIMEOUT)
        injector = _Injector(model, seed=1)
        rnd = random.Random(2)
        expected = {name: model.get_params()[name] for name in STRESSED}
        before = panel.stats
        stamps = []
        t0 = time.perf_counter()
        for _ in range(N_CHANGES):
            _random_change(panel, rnd, expected)
            stamps.append(time.perf_counter())
            time.sleep(rnd.uniform(0.0, 0.020))
        burst = panel.stats
        burst_seconds = time.perf_counter() - t0

        # The last request of the burst may fail (injected, or a refused k); wait says which.
        try:
            panel.wait(TIMEOUT)
        except (InjectedError, ValueError) as exc:
            assert type(exc).__name__ in panel.error_box.value
        assert panel._worker.is_alive()

        # Recovery: no more injected failures, one good change trains to its end.
        injector.remove()
        final_k = min(3, expected["n_hidden"])
        final_lam = 2.5e-3 if expected["lam"] != 2.5e-3 else 3.5e-3
        panel.retrain(lam=final_lam, k=final_k)
        expected.update(lam=final_lam, k=final_k)
        assert panel.wait(TIMEOUT) is panel
        assert panel.error_box.value == ""
        assert "error" not in panel.status.value
        assert panel.model.stop_reason_ in ("max_iter", "converged", "stalled")
        assert all(np.all(np.isfinite(v)) for v in panel.model.params_.values())

        # The model holds exactly the hyperparameters last asked for, as do the controls.
        params = panel.model.get_params()
        for name in STRESSED:
            # the "seed" control sets random_state (seed is its deprecated alias)
            param = {"seed": "random_state"}.get(name, name)
            assert params[param] == pytest.approx(expected[name]), name
            assert panel.controls[name].value == pytest.approx(expected[name]), name
        assert panel.model.n_features_in_ == 16
        assert panel.model.components_.shape == (expected["n_hidden"], 16)

        # Every request is accounted for, once.
        s = panel.stats
        assert s["trainings_completed"] <= s["trainings_started"]
        assert s["trainings_started"] <= (s["trainings_completed"] + s["trainings_cancelled"]
                                          + s["trainings_failed"])
        assert s["requests"] == (s["requests_coalesced"] + s["trainings_completed"]
                                 + s["trainings_cancelled"] + s["trainings_failed"])
        assert s["trainings_failed"] >= injector.injected > 0
        requests = burst["requests"] - before["requests"]
        assert 0 < requests <= N_CHANGES
        # Slot, not queue: changes arriving during training cancel it or replace each other.
        started = burst["trainings_started"] - before["trainings_started"]
        completed = burst["trainings_completed"] - before["trainings_completed"]
        gaps = np.diff(stamps)
        long_gaps = int(np.sum(gaps >= 20 * EVAL_SLEEP))
        assert started < requests
        assert completed <= 10, (
            f"{completed} trainings completed during a {burst_seconds:.1f} s burst of "
            f"{requests} requests ({long_gaps} gaps of 40 ms or more)")
    finally:
        panel.close()
    assert panel.closed and not panel._worker.is_alive()
    assert _panel_threads() - threads_before == set()


def test_close_during_a_burst_with_failures_leaves_no_thread(tiny):
    threads_before = _panel_threads()
    model = _model()
    panel = Explorer(model, tiny, controls=STRESSED, key=None, frame_interval=0.02)
    injector = _Injector(model, seed=3, p_objective=0.2)
    rnd = random.Random(4)
    expected = {name: model.get_params()[name] for name in STRESSED}
    for _ in range(30):
        _random_change(panel, rnd, expected)
        time.sleep(rnd.uniform(0.0, 0.005))
    t0 = time.perf_counter()
    panel.close()  # a training is most likely in flight
    assert time.perf_counter() - t0 < 10
    assert not panel._worker.is_alive()
    assert _panel_threads() - threads_before == set()
    # wait() after close: an answer, never a hang.
    try:
        panel.wait(5)
    except (RuntimeError, ValueError) as exc:  # closed first, injected, or a refused k
        assert not isinstance(exc, TimeoutError)
    injector.remove()
    # Changes after close are ignored and start nothing.
    panel.controls["lam"].value = 1e-2
    assert _panel_threads() - threads_before == set()


def test_diverging_training_warns_in_the_panel_and_keeps_finite_parameters(tiny):
    model = aelab.Autoencoder(n_hidden=8, activation="linear", output_activation="linear",
                              optimizer="sgd", learning_rate=0.01, max_iter=10, batch_size=50)
    panel = Explorer(model, tiny, controls=("lam", "n_hidden"), key=None)
    try:
        panel.wait(TIMEOUT)
        assert panel.warning_box.value == "" and model.stop_reason_ != "diverged"
        with pytest.warns(aelab.TrainingDivergedWarning):
            panel.retrain(learning_rate=50.0)  # far beyond what SGD on linear units survives
            panel.wait(TIMEOUT)
        assert model.stop_reason_ == "diverged"
        assert "TrainingDivergedWarning" in panel.warning_box.value
        assert "learning_rate" in panel.warning_box.value  # the hint fits the optimiser
        assert "diverged" in panel.status.value
        assert panel.error_box.value == ""
        assert all(np.all(np.isfinite(v)) for v in model.params_.values())
        assert np.all(np.isfinite(model.reconstruct(tiny)))
        assert bytes(panel.views["filters"].value).startswith(b"\x89PNG")
        # A sane step size trains again, and the warning goes.
        with warnings.catch_warnings():
            warnings.simplefilter("error", aelab.TrainingDivergedWarning)
            panel.retrain(learning_rate=0.01)
            panel.wait(TIMEOUT)
        assert panel.warning_box.value == "" and model.stop_reason_ != "diverged"
    finally:
        panel.close()
