"""benchmarks/targets.py: the table that says which performance targets a run met."""
import pytest

from benchmarks import run, targets


def figures(**over):
    f = {"w1_float32_s": 2.0, "w1_rel_diff": 0.001,
         "w2_float64_s": 0.12, "w2_float64_limit_s": 0.10,
         "w2_float32_s": 0.06, "w2_float32_limit_s": 0.05,
         "w4": [{"scenario": "default SAE warm", "first": 0.01, "final": 1.4},
                {"scenario": "course 05", "course": True, "first": 0.05, "final": 0.9,
                 "frame_gap": 0.15, "draw_ms": {"filters": 25.0, "ksparse": 3.0}}],
         "w5_s": 200.0, "w5_ok": True,
         "w1_torch_s": 4.0, "w2_float64_torch_s": 0.15, "w2_float32_torch_s": 0.07}
    f.update(over)
    return f


def verdicts(f):
    return {t: ok for t, _, ok in targets.check(f)}


def test_every_target_holds_on_figures_within_bounds():
    v = verdicts(figures())
    assert len(v) == 16 and all(v.values())
    assert targets.report(figures()).endswith("16 of 16 targets hold")


@pytest.mark.parametrize("over, missed", [
    ({"w1_float32_s": 3.2}, "W1 end to end"),
    ({"w1_rel_diff": 0.006}, "W1 final J"),
    ({"w2_float64_s": 0.14}, "W2 float64 ≤"),
    ({"w2_float32_s": 0.07, "w2_float32_torch_s": 0.08}, "W2 float32 ≤"),
    ({"w2_float32_s": 0.08, "w2_float32_limit_s": 0.08, "w2_float32_torch_s": 0.09},
     "W2 float32 ≥ 1.6× faster"),
    ({"w4": [{"scenario": "nb05 k", "first": 0.11, "final": 1.0}]}, "W4 nb05 k: first"),
    ({"w4": [{"scenario": "nb05 k", "first": 0.1, "final": 1.6}]}, "W4 nb05 k: final"),
    # a course panel's final frame has the tighter bound, 1.0 s (1.4 s passes the default's)
    ({"w4": [{"scenario": "course 02", "course": True, "first": 0.1, "final": 1.4}]},
     "W4 course 02: final frame ≤ 1 s"),
    ({"w4": [{"scenario": "course 02", "course": True, "first": 0.1, "final": 1.0,
              "frame_gap": 0.21}]}, "W4 course 02: ≥ 5 frames/s"),
    ({"w4": [{"scenario": "course 05", "course": True, "first": 0.1, "final": 1.0,
              "frame_gap": 0.2, "draw_ms": {"filters": 31.0, "ksparse": 30.0}}]},
     "W4 course 05: one filters frame ≤ 30 ms"),
    ({"w5_ok": False}, "W5"),
    ({"w5_s": 301.0}, "W5"),
    ({"w1_torch_s": 1.9}, "W1 faster than PyTorch"),
    ({"w2_float64_torch_s": 0.11}, "W2 float64 faster than PyTorch"),
])
def test_a_figure_past_its_bound_fails_exactly_its_target(over, missed):
    v = verdicts(figures(**over))
    failed = [t for t, ok in v.items() if not ok]
    assert len(failed) == 1 and failed[0].startswith(missed), failed
    assert "NO |" in targets.report(figures(**over))


def test_a_course_panel_has_one_row_per_target_and_view():
    rows = targets.check(figures())
    course = [t for t, _, _ in rows if t.startswith("W4 course 05")]
    assert course == ["W4 course 05: first frame ≤ 0.1 s", "W4 course 05: final frame ≤ 1 s",
                      "W4 course 05: ≥ 5 frames/s while training",
                      "W4 course 05: one filters frame ≤ 30 ms",
                      "W4 course 05: one ksparse frame ≤ 30 ms"]
    # the default SAE has no frame-rate or drawing rows, and the 1.5 s bound
    assert [t for t, _, _ in rows if t.startswith("W4 default")] == [
        "W4 default SAE warm: first frame ≤ 0.1 s", "W4 default SAE warm: final frame ≤ 1.5 s"]


def test_targets_not_measured_are_not_reported():
    v = verdicts({"w2_float64_s": 0.12, "w2_float64_limit_s": 0.10})
    assert list(v) == ["W2 float64 ≤ 1.3× its products"]


def test_durations_fit_the_table_column():
    assert run.duration(0.1234) == "  123.4ms"
    assert run.duration(157.3293) == "   157.3s"
    assert len(run.duration(9.99)) == len(run.duration(1234.5)) == 9
