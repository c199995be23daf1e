"""Claims a notebook makes in prose, checked by the numbers the notebook just computed.

A course is only as good as the truth of what it says. When a markdown cell says "at
convergence the test error barely moves with β", the next code cell measures it and states
the claim with :func:`claim`; if a change of defaults, data or library ever makes it false,
the notebook run fails with a message naming the claim and the numbers, instead of a reader
meeting a confident sentence that its own figure contradicts::

    claim(spread < 0.05, "test error varies by less than 5 % across β at convergence",
          spread=spread, errors=errors)
    # ✓ test error varies by less than 5 % across β at convergence  (spread=0.021, ...)

Used in every notebook of the course.
"""
from __future__ import annotations

import numpy as np

__all__ = ["ClaimFailed", "claim"]


class ClaimFailed(AssertionError):
    """A notebook's stated claim does not hold for the numbers it computed."""


def _fmt(value):
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    if isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value)
        if arr.dtype.kind == "f":
            return "[" + ", ".join(f"{v:.4g}" for v in arr.ravel()[:12]) + (
                ", …" if arr.size > 12 else "") + "]"
    return str(value)


def claim(holds, statement, **measured):
    """Check one claim of the prose; print it with its evidence, or fail saying why.

    Parameters
    ----------
    holds : bool
        Whether the claim is true for the measured values (computed by the caller).
    statement : str
        The claim in the words the prose uses.
    **measured
        The numbers behind it, printed beside the claim (and in the error).

    Returns
    -------
    None
        (So that a cell ending in a claim shows the printed line only once.)

    Raises
    ------
    ClaimFailed
        If ``holds`` is false.
    """
    evidence = ", ".join(f"{k}={_fmt(v)}" for k, v in measured.items())
    if not bool(holds):
        raise ClaimFailed(
            f"the notebook's claim no longer holds: {statement}"
            + (f" (measured: {evidence})" if evidence else "")
            + ". Rewrite the prose to say what the numbers show, or find what changed.")
    print(f"✓ {statement}" + (f"  ({evidence})" if evidence else ""))
