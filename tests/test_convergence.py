"""Convergence discipline: budget stops warn, tolerance stops do not, fixed_budget is local.

A conclusion drawn from a model that ran out of iterations is a conclusion about the budget,
so ``fit`` must say when that happened (ConvergenceWarning, ``converged_``) and a notebook run
must be able to make it an error.
"""
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest
import sklearn.exceptions

import aelab
from aelab.datasets import load_digits


@pytest.fixture(scope="module")
def digits():
    return load_digits()[0][:300]


def _fit_recording(model, X):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        model.fit(X)
    return [w for w in seen if issubclass(w.category, aelab.ConvergenceWarning)]


def test_lbfgs_budget_stop_warns_and_records(digits):
    model = aelab.Autoencoder(8, max_iter=5)
    seen = _fit_recording(model, digits)
    assert len(seen) == 1 and "max_iter" in str(seen[0].message)
    assert "Autoencoder" in str(seen[0].message)
    assert model.stop_reason_ == "max_iter" and model.converged_ is False
    # a subclass of scikit-learn's warning, so its filters apply
    assert issubclass(aelab.ConvergenceWarning, sklearn.exceptions.ConvergenceWarning)


def test_converged_fit_is_silent(digits):
    model = aelab.LinearAutoencoder(n_hidden=3, max_iter=5000, tol=1e-6)
    assert _fit_recording(model, digits) == []
    assert model.stop_reason_ == "converged" and model.converged_ is True


def test_fixed_budget_silences_only_its_block(digits):
    with aelab.fixed_budget("five iterations on purpose"):
        inside = _fit_recording(aelab.Autoencoder(8, max_iter=5), digits)
    after = _fit_recording(aelab.Autoencoder(8, max_iter=5), digits)
    assert inside == [] and len(after) == 1


def test_fixed_budget_is_per_thread(digits):
    """The panel's worker thread has its own budget; a user's block does not leak into it."""
    results = {}

    def other_thread():
        results["other"] = len(_fit_recording(aelab.Autoencoder(8, max_iter=3), digits))

    with aelab.fixed_budget():
        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        results["here"] = len(_fit_recording(aelab.Autoencoder(8, max_iter=3), digits))
    assert results == {"other": 1, "here": 0}


def test_adam_stops_on_a_plateau_as_converged():
    # A tiny problem Adam solves in a few epochs: the epoch loss then stops improving.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4)) @ rng.normal(size=(4, 6))
    model = aelab.LinearAutoencoder(n_hidden=4, optimizer="adam", learning_rate=1e-2,
                                    max_iter=3000, batch_size=64, tol=1e-4)
    assert _fit_recording(model, X) == []
    assert model.stop_reason_ == "converged" and model.n_iter_ < 3000
    # the last n_iter_no_change epochs did not beat the best before them by tol
    curve = np.array(model.loss_curve_)
    best_before = curve[:-10].min()
    assert curve[-10:].min() >= best_before * (1 - 1e-4)


def test_adam_without_the_rule_runs_the_whole_budget(digits):
    model = aelab.Autoencoder(8, optimizer="adam", max_iter=4, n_iter_no_change=None)
    seen = _fit_recording(model, digits)
    assert model.n_iter_ == 4 and model.stop_reason_ == "max_iter" and len(seen) == 1
    assert "epochs" in str(seen[0].message)


def test_annealing_finishes_before_the_rule_may_stop(digits):
    # n_iter_no_change=1 would stop at once on any non-improving epoch; annealing must end first
    model = aelab.KSparseAutoencoder(n_hidden=40, k=5, k_start=40, max_iter=12,
                                     n_iter_no_change=1, tol=1.0)
    with aelab.fixed_budget():
        model.fit(digits)
    # annealing ends after 6 of 12 epochs; the rule then needs a first epoch for its baseline
    # (the loss rose while k fell, so losses from the schedule are no baseline) and one more
    assert model.n_iter_ == 8 and model.stop_reason_ == "converged"


def test_bad_n_iter_no_change_names_the_parameter(digits):
    with pytest.raises(ValueError, match="n_iter_no_change"):
        aelab.Autoencoder(4, optimizer="adam", n_iter_no_change=0).fit(digits)


def test_vae_and_stacked_warn_on_their_budget(digits):
    vae = aelab.VariationalAutoencoder(n_latent=2, n_hidden=16, max_iter=2,
                                       n_iter_no_change=None)
    assert len(_fit_recording(vae, digits)) == 1 and vae.converged_ is False
    y = load_digits()[1][:300]
    stacked = aelab.StackedAutoencoder((16,), pretrain_iter=3, softmax_iter=3, finetune_iter=3)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        stacked.fit(digits, y)
    names = {str(w.message).split()[0] for w in seen
             if issubclass(w.category, aelab.ConvergenceWarning)}
    assert {"Autoencoder", "StackedAutoencoder"} <= names and stacked.converged_ is False


def test_environment_switch_makes_it_an_error():
    code = ("import aelab, numpy as np\n"
            "X = np.random.default_rng(0).uniform(size=(50, 6))\n"
            "try:\n"
            "    aelab.Autoencoder(3, max_iter=2).fit(X)\n"
            "except aelab.ConvergenceWarning:\n"
            "    print('raised')\n"
            "with aelab.fixed_budget():\n"
            "    aelab.Autoencoder(3, max_iter=2).fit(X)\n"
            "print('budget ok')\n")
    env = {**__import__("os").environ, "AELAB_CONVERGENCE": "error"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.stdout.split() == ["raised", "budget", "ok"], out.stderr


def test_panel_says_not_converged_instead_of_raising(digits):
    pytest.importorskip("ipywidgets")
    from aelab.explorer import Explorer

    with warnings.catch_warnings():
        warnings.simplefilter("error", aelab.ConvergenceWarning)
        panel = Explorer(aelab.Autoencoder(8, max_iter=5), digits, key=None, dataset="digits")
        try:
            panel.wait(60)
            assert "not converged" in panel.status.value
            assert panel.error_box.value == ""
        finally:
            panel.close()


# ---------------------------------------------------------------- L-BFGS's stopping rule
def _gradient_norm(model, X):
    from aelab.optimize import gradient_norm, pack

    _, grads = model.objective(X)
    return gradient_norm(pack(grads, list(grads)))


def test_lbfgs_converged_means_the_gradient_met_tol(digits):
    """SciPy's relative-reduction test fires on slow stretches; only the gradient decides.

    With ftol = tol/1000 this fit stopped as "converged" after about 700 iterations with
    its largest gradient component at 8e-4, eight times tol.
    """
    model = aelab.Autoencoder(8, tol=1e-4, max_iter=5000)
    assert _fit_recording(model, digits) == []
    assert model.stop_reason_ == "converged" and model.converged_ is True
    assert _gradient_norm(model, digits) <= 1e-4
    assert model.n_iter_ < 5000


def test_lbfgs_on_a_kink_stalls_and_says_so():
    """|w - 1| has no zero gradient: the line search fails, which is not convergence."""
    from aelab.optimize import run_lbfgs

    target = np.array([1.0, -2.0, 0.5])

    def fun(params):
        d = params["w"] - target
        return float(np.abs(d).sum() + 0.5 * d[0] ** 2), {"w": np.sign(d) + np.eye(3)[0] * d[0]}

    params, n, reason = run_lbfgs(fun, {"w": np.zeros(3)}, max_iter=500, tol=1e-6,
                                  on_iter=lambda *a: False)
    assert reason == "stalled" and n < 500
    assert np.abs(params["w"] - target).max() < 0.1  # it got close, but its gradient is ±1


def test_l1_sparsity_under_lbfgs_is_not_reported_converged(digits):
    model = aelab.SparseAutoencoder(sparsity="l1", tol=1e-6, max_iter=5000)
    model.fit(digits)
    assert model.stop_reason_ == "stalled" and model.converged_ is False
    assert _gradient_norm(model, digits) > 1e-6


def test_warm_start_stops_when_it_has_converged(digits):
    """After a λ change, a warm start from a converged model converges well before max_iter
    (and sooner than a fresh fit), instead of running its whole budget."""
    fresh = aelab.Autoencoder(8, tol=1e-4, max_iter=5000).fit(digits)
    moved = aelab.Autoencoder(8, lam=3e-3, tol=1e-4, max_iter=5000).fit(digits)
    warm = aelab.Autoencoder(8, tol=1e-4, max_iter=5000, warm_start=True).fit(digits)
    warm.set_params(lam=3e-3)
    assert _fit_recording(warm, digits) == []
    assert warm.warm_started_ and warm.stop_reason_ == "converged"
    assert _gradient_norm(warm, digits) <= 1e-4
    assert warm.n_iter_ < min(fresh.n_iter_, moved.n_iter_)


def test_panel_status_says_stalled_is_not_converged():
    from types import SimpleNamespace

    from aelab.explorer.session import ending

    text = ending(SimpleNamespace(stop_reason_="stalled", n_iter_=97),
                  {"budget_stopped": False})
    assert "stalled" in text and "not converged" in text
    assert ending(SimpleNamespace(stop_reason_="converged", n_iter_=9),
                  {"budget_stopped": False}) == "converged"


def test_default_lbfgs_tol_is_minfuncs_and_is_reached(digits):
    """tol=None means 1e-5 for L-BFGS (minFunc's optTol, SciPy's gtol): a default fit with
    room to converge does, with the gradient test met, instead of ending "stalled"."""
    from aelab.autoencoder import DEFAULT_TOL

    assert aelab.SparseAutoencoder().get_params()["tol"] is None
    assert DEFAULT_TOL["lbfgs"] == 1e-5
    model = aelab.SparseAutoencoder(16, max_iter=5000)
    assert _fit_recording(model, digits) == []
    assert model.stop_reason_ == "converged"
    g = _gradient_norm(model, digits)
    assert g <= 1e-5
    # and a tighter explicit tol is still obeyed: more iterations, a smaller gradient
    tight = aelab.SparseAutoencoder(16, max_iter=8000, tol=3e-6).fit(digits)
    assert tight.stop_reason_ == "converged"
    assert tight.n_iter_ > model.n_iter_ and _gradient_norm(tight, digits) <= 3e-6 < g


def test_default_tol_for_adam_keeps_any_decrease_as_progress(digits):
    """For Adam, tol=None is 1e-9: the same training as that explicit value."""
    kw = dict(n_hidden=8, optimizer="adam", max_iter=6, batch_size=50, learning_rate=1e-2)
    a = aelab.Autoencoder(**kw).fit(digits)
    b = aelab.Autoencoder(tol=1e-9, **kw).fit(digits)
    c = aelab.Autoencoder(tol=0.5, **kw).fit(digits)  # a huge tol: the rule can stop it
    np.testing.assert_array_equal(a.params_["W1"], b.params_["W1"])
    assert a.loss_curve_ == b.loss_curve_
    assert c.n_iter_ <= a.n_iter_


def test_panel_status_names_the_tolerance_it_met(digits):
    from aelab.explorer.session import ending

    model = aelab.SparseAutoencoder(16, max_iter=5000).fit(digits)
    assert ending(model, {"budget_stopped": False}) == \
        "converged (largest gradient component ≤ 1e-05)"
