#!/usr/bin/env python3
"""Compare the claims of re-executed notebooks with the ones committed in git.

    python tools/claims_diff.py notebooks/*.ipynb            # against HEAD
    python tools/claims_diff.py --rev main~3 notebooks/04-autoencoders-and-pca.ipynb

Every number a notebook states is printed by :func:`aelab.claims.claim` as a line starting
with ✓ (or ✗, which fails the run). After a change to the engine or to a default, re-execute
the notebooks and run this: it lists, per notebook, the claim lines whose text changed (the
evidence in brackets included), the ones that appeared or went away, and exits 1 when any
did. The claims still hold either way (nbval fails otherwise); this shows whether the numbers
behind them moved, which a closing note should report.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

MARKS = ("✓", "✗")


def claim_lines(notebook):
    """The claim lines of a notebook's saved outputs (a parsed .ipynb), in order."""
    out = []
    for cell in notebook.get("cells", []):
        for o in cell.get("outputs", []):
            text = o.get("text", "")
            if not text:
                text = o.get("data", {}).get("text/plain", "")
            if isinstance(text, list):
                text = "".join(text)
            out += [line for line in text.splitlines() if line.lstrip().startswith(MARKS)]
    return out


def committed(path, rev):
    """The notebook as committed at ``rev``, or None where it did not exist."""
    shown = subprocess.run(["git", "show", f"{rev}:{path}"], capture_output=True, text=True)
    return json.loads(shown.stdout) if shown.returncode == 0 else None


def compare(old, new):
    """(changed pairs, lines only in new, lines only in old), matched by position."""
    n = min(len(old), len(new))
    changed = [(a, b) for a, b in zip(old[:n], new[:n]) if a != b]
    return changed, new[n:], old[n:]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="+", help="executed .ipynb files")
    ap.add_argument("--rev", default="HEAD", help="the git revision to compare with (HEAD)")
    args = ap.parse_args(argv)
    moved = False
    for path in args.notebooks:
        with open(path, encoding="utf-8") as f:
            new = claim_lines(json.load(f))
        before = committed(path, args.rev)
        if before is None:
            print(f"{path}: {len(new)} claims, not in {args.rev}")
            continue
        old = claim_lines(before)
        changed, added, gone = compare(old, new)
        moved |= bool(changed or added or gone)
        print(f"{path}: {len(new)} claims, {len(changed)} changed, {len(added)} new, "
              f"{len(gone)} gone")
        for a, b in changed:
            print(f"  was: {a.strip()}\n  now: {b.strip()}")
        for b in added:
            print(f"  new: {b.strip()}")
        for a in gone:
            print(f"  gone: {a.strip()}")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
