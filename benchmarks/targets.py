"""The performance targets of the course (issue 5), checked against one run's figures.

Each target is a measured figure and a bound; :func:`check` returns one row per target
that the run measured, so that the benchmark's own table says which targets hold.
The bounds are those of a 2-core machine without a GPU (the course's CI and Binder-like
machines); a quick run (``--quick``) is not the target workload and says so.
"""

W1_SECONDS = 3.0          # UFLDL end to end
W1_OBJECTIVE_GAP = 0.005  # float32's final J against the float64 reference, relative
W2_RATIO = 1.3            # one evaluation against its matrix products alone
W2_FLOAT32_SPEEDUP = 1.6  # float64 time / float32 time
W4_FIRST = 0.1            # change → first frame, seconds (issue 16)
W4_FINAL = 1.5            # change → final frame, seconds: the default SAE on 10 000 patches
W4_FINAL_COURSE = 1.0     # change → final frame, seconds: each course panel (01–06)
W4_FRAME_GAP = 0.2        # longest gap between two frames of a training: ≥ 5 frames/s
W4_DRAW_MS = 30.0         # one frame of one view, milliseconds
W5_SECONDS = 300.0        # the whole notebook suite
W6_RATIO = 1.0            # the top-k SAE epoch against a plain NumPy SAE's, one core (issue 17)


def check(figures):
    """Rows ``(target, measured, ok)`` for every target the figures cover.

    Parameters
    ----------
    figures : dict
        What ``benchmarks.run`` measured (the keys it writes to ``--json``).

    Returns
    -------
    list of (str, str, bool)
    """
    f, rows = figures, []

    def add(target, measured, ok):
        rows.append((target, measured, bool(ok)))

    if "w1_float32_s" in f:
        add(f"W1 end to end ≤ {W1_SECONDS:g} s", f"{f['w1_float32_s']:.2f} s",
            f["w1_float32_s"] <= W1_SECONDS)
        add(f"W1 final J within {100 * W1_OBJECTIVE_GAP:g}% of float64",
            f"{100 * f['w1_rel_diff']:.2f}%", f["w1_rel_diff"] <= W1_OBJECTIVE_GAP)
    for dt in ("float64", "float32"):
        if f"w2_{dt}_s" in f:
            ratio = f[f"w2_{dt}_s"] / f[f"w2_{dt}_limit_s"]
            add(f"W2 {dt} ≤ {W2_RATIO:g}× its products", f"{ratio:.2f}×", ratio <= W2_RATIO)
    if "w2_float64_s" in f and "w2_float32_s" in f:
        speedup = f["w2_float64_s"] / f["w2_float32_s"]
        add(f"W2 float32 ≥ {W2_FLOAT32_SPEEDUP:g}× faster than float64", f"{speedup:.2f}×",
            speedup >= W2_FLOAT32_SPEEDUP)
    for r in f.get("w4", []):
        name, final = r["scenario"], W4_FINAL_COURSE if r.get("course") else W4_FINAL
        add(f"W4 {name}: first frame ≤ {W4_FIRST:g} s", f"{r['first']:.3f} s",
            r["first"] <= W4_FIRST)
        add(f"W4 {name}: final frame ≤ {final:g} s", f"{r['final']:.2f} s", r["final"] <= final)
        if r.get("course") and "frame_gap" in r:
            add(f"W4 {name}: ≥ {1 / W4_FRAME_GAP:g} frames/s while training",
                f"longest gap {r['frame_gap']:.3f} s", r["frame_gap"] <= W4_FRAME_GAP)
        for view, ms in sorted(r.get("draw_ms", {}).items()):
            add(f"W4 {name}: one {view} frame ≤ {W4_DRAW_MS:g} ms", f"{ms:.1f} ms",
                ms <= W4_DRAW_MS)
    if "w5_s" in f:
        add(f"W5 notebook suite ≤ {W5_SECONDS:g} s, all passing",
            f"{f['w5_s']:.0f} s" + ("" if f["w5_ok"] else ", FAILURES"),
            f["w5_s"] <= W5_SECONDS and f["w5_ok"])
    if "w6_s" in f and "w6_plain_s" in f:
        ratio = f["w6_s"] / f["w6_plain_s"]
        add(f"W6 top-k SAE ≤ {W6_RATIO:g}× a plain NumPy SAE's time, one core",
            f"{ratio:.2f}×", ratio <= W6_RATIO)
    if "w6_comparable" in f:
        add("W6 contenders reach comparable loss and MMCS",
            "yes" if f["w6_comparable"] else f"NOT COMPARABLE: {f.get('w6_why', '')}",
            f["w6_comparable"])
    for key, name in (("w1", "W1"), ("w2_float64", "W2 float64"), ("w2_float32", "W2 float32"),
                      ("w6", "W6")):
        ours = f.get(f"{key}_float32_s" if key == "w1" else f"{key}_s")
        theirs = f.get(f"{key}_torch_s")
        if ours is not None and theirs is not None:
            add(f"{name} faster than PyTorch", f"PyTorch {theirs / ours:.2f}× aelab's time",
                theirs > ours)
    return rows


def report(figures, quick=False):
    """The target rows as a Markdown table (a string), with a line that sums them up."""
    rows = check(figures)
    lines = ["| target | measured | holds |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {'yes' if ok else 'NO'} |" for t, m, ok in rows]
    missed = sum(not ok for _, _, ok in rows)
    lines.append("")
    lines.append(f"{len(rows) - missed} of {len(rows)} targets hold"
                 + (" (a quick run: fewer iterations than the target workloads)" if quick else ""))
    return "\n".join(lines)
