"""W6's rows in benchmarks/targets.py (the top-k SAE against plain NumPy and PyTorch) and the
benchmark's own scoring: each row fails exactly when its figure passes its bound."""
import numpy as np
import pytest

from benchmarks import bench_sae, targets


def figures(**over):
    f = {"w6_s": 0.20, "w6_plain_s": 0.25, "w6_torch_s": 0.40, "w6_comparable": True,
         "w6_why": ""}
    f.update(over)
    return f


def verdicts(f):
    return {t: ok for t, _, ok in targets.check(f) if t.startswith("W6")}


def test_w6_targets_hold_within_bounds():
    v = verdicts(figures())
    assert len(v) == 3 and all(v.values()), v
    # at the bound itself the target still holds
    assert all(verdicts(figures(w6_s=0.25, w6_torch_s=0.26)).values())


@pytest.mark.parametrize("over, missed", [
    ({"w6_s": 0.2501}, "W6 top-k SAE ≤ 1× a plain NumPy SAE's time"),
    ({"w6_comparable": False, "w6_why": "PyTorch: loss 0.5 vs plain 0.36"},
     "W6 contenders reach comparable"),
    ({"w6_torch_s": 0.19}, "W6 faster than PyTorch"),
])
def test_a_w6_figure_past_its_bound_fails_exactly_its_target(over, missed):
    v = verdicts(figures(**over))
    failed = [t for t, ok in v.items() if not ok]
    assert len(failed) == 1 and failed[0].startswith(missed), failed
    assert "NO |" in targets.report(figures(**over))


def test_without_pytorch_there_is_no_pytorch_row():
    f = figures()
    del f["w6_torch_s"]
    assert list(verdicts(f)) == ["W6 top-k SAE ≤ 1× a plain NumPy SAE's time, one core",
                                 "W6 contenders reach comparable loss and MMCS"]


def test_the_score_is_the_reconstruction_loss_and_the_mmcs():
    rng = np.random.default_rng(0)
    X, features = bench_sae.data()
    X = X[:300]
    Wd = rng.normal(size=(bench_sae.D, bench_sae.P))
    Wd /= np.linalg.norm(Wd, axis=0)
    p = {"We": Wd.T.copy(), "be": np.zeros(bench_sae.P), "Wd": Wd, "bd": np.zeros(bench_sae.D)}
    loss, mmcs = bench_sae.score(p, X, features)
    assert loss == pytest.approx(0.5 * np.mean(np.sum(X.astype(float) ** 2, axis=1)), rel=0.5)
    assert 0 < mmcs < 0.9  # a random dictionary recovers little
    Wt = np.zeros((bench_sae.D, bench_sae.P))
    Wt[:, :bench_sae.F] = features.T  # the true features themselves
    p_true = {"We": Wt.T.copy(), "be": np.zeros(bench_sae.P), "Wd": Wt,
              "bd": np.zeros(bench_sae.D)}
    loss_true, mmcs_true = bench_sae.score(p_true, X, features)
    assert mmcs_true == pytest.approx(1.0) and loss_true < loss


def test_the_benchmark_flags_contenders_that_do_not_compare(monkeypatch):
    # a contender that learns nothing (its start, unchanged) must be flagged
    X, _ = bench_sae.data()
    monkeypatch.setattr(bench_sae, "data", lambda: (X[:2048], _))
    monkeypatch.setattr(bench_sae, "_torch", lambda: None)
    monkeypatch.setattr(bench_sae, "aelab_epoch",
                        lambda X: bench_sae.plain_epoch(X[:1], seed=0))
    result = bench_sae.measure(repeat=1, pause=0.0)
    assert result["torch"] == "PyTorch not installed" and "PyTorch" not in result["best"]
    assert not result["comparable"] and result["why"].startswith("aelab:")
    assert "NOT COMPARABLE" in bench_sae.report(result)
    assert "PyTorch not installed" in bench_sae.report(result)


@pytest.mark.parametrize("with_torch", [True, False])
def test_the_suite_reports_w6_with_and_without_pytorch(with_torch, monkeypatch, capsys):
    from benchmarks import run

    fake = {"best": {"aelab": 0.2, "plain NumPy": 0.3}, "score": {"aelab": (0.36, 0.49),
            "plain NumPy": (0.36, 0.48)}, "rounds": {"aelab": [0.2, 0.25],
            "plain NumPy": [0.3, 0.3]}, "comparable": True, "why": "",
            "torch": "PyTorch not installed", "core": 0}
    if with_torch:
        fake["best"]["PyTorch"], fake["score"]["PyTorch"] = 0.5, (0.36, 0.49)
        fake["rounds"]["PyTorch"], fake["torch"] = [0.5, 0.6], "2.13.0"
    monkeypatch.setattr(bench_sae, "measure", lambda repeat: fake)
    rows, torch_rows = [], []
    out = run.w6(rows, torch_rows)
    assert rows[0][1:3] == (0.2, 0.3) and "ratio per round 0.67–0.83" in rows[0][3]
    assert ("w6_torch_s" in out) == with_torch == bool(torch_rows)
    assert with_torch or "PyTorch not installed" in capsys.readouterr().out
    rows = targets.check(out)
    assert len(rows) == (3 if with_torch else 2) and all(ok for _, _, ok in rows), rows
    note = run.w6_note(out)
    assert "aelab 0.67× a plain NumPy SAE's time" in note and "comparable" in note
    assert ("PyTorch 2.50× aelab's" in note) == with_torch
    assert with_torch or "PyTorch not installed" in note
    out["w6_comparable"], out["w6_why"] = False, "aelab: loss 0.9 vs plain 0.36"
    assert run.w6_note(out).endswith("NOT COMPARABLE: aelab: loss 0.9 vs plain 0.36")
