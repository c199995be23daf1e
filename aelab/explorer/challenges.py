"""Challenges the panel checks: a goal beside the sliders, ticked off when the model meets it.

A challenge is data: a text, a goal function of the final frame of a retrain, an explanation
shown when it is reached, and a hint shown after a few retrains that missed it. An
instructor adds one in a few lines::

    from aelab.explorer.challenges import Challenge

    few_units = Challenge(
        "Make every unit's mean activation ρ̂ land within 10 % of ρ.",
        goal=lambda f, stats: bool(np.all(np.abs(f.rho_hat - f.rho) <= 0.1 * f.rho)),
        why="β weighs the sparsity penalty: large enough, and the KL term pins ρ̂ to ρ.",
        hint="Which slider weighs the sparsity penalty against reconstruction?")
    panel = aelab.Explorer(model, X, challenges=[few_units])

After every retrain that ends (not one cancelled by a newer slider move) the panel evaluates
each open challenge on the final :class:`~aelab.explorer.frames.Frame` (``f.model``,
``f.rho_hat``, ``f.W1``, ``f.dead``, ``f.holdout_curve`` …) and the panel's ``stats``.
``panel.challenges`` lists them with ``done`` and ``misses``, for tests and instructors.
The functions below build the course's challenges. Taught in
notebooks/02-sparse-autoencoder.ipynb.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["Challenge", "ChallengeBoard", "rho_on_target", "filters_stop_localized",
           "global_templates", "beat_pca", "filters_fade", "pca_at_sizes",
           "angle_meaningless", "many_dead", "repairs_masked", "sparsity_released",
           "few_units_below"]


@dataclass
class Challenge:
    """One goal for the student to reach by moving the sliders.

    Parameters
    ----------
    text : str
        The task, shown beside the panel.
    goal : callable ``(frame, stats) -> bool``
        True when the model in ``frame`` meets the goal.
    why : str
        Why it worked, shown once reached.
    hint : str, optional
        Shown after ``hint_after`` retrains that missed the goal.
    hint_after : int, default 3
    """

    text: str
    goal: Callable
    why: str
    hint: str = ""
    hint_after: int = 3
    done: bool = False
    misses: int = 0
    reached_with: dict = field(default_factory=dict)

    def check(self, frame, stats):
        """Evaluate the goal on a final frame; True if it was reached now."""
        if self.done:
            return False
        try:
            ok = bool(self.goal(frame, stats))
        except Exception:  # noqa: BLE001 - a goal that cannot be judged is not met
            ok = False
        if ok:
            self.done = True
            params = frame.params or {}
            self.reached_with = {k: params.get(k) for k in
                                 ("lam", "beta", "rho", "epsilon", "n_hidden", "k")
                                 if k in params}
        else:
            self.misses += 1
        return ok

    def html(self):
        if self.done:
            return (f"<div style='color:#1a7f37'>✓ {html.escape(self.text)}<br>"
                    f"<small>{html.escape(self.why)}</small></div>")
        hint = (f"<br><small style='color:#9a6700'>hint: {html.escape(self.hint)}</small>"
                if self.hint and self.misses >= self.hint_after else "")
        return f"<div>☐ {html.escape(self.text)}{hint}</div>"


class ChallengeBoard:
    """The challenges of one panel and the HTML box that shows them."""

    def __init__(self, w, challenges):
        self.items = list(challenges)
        for c in self.items:
            if not isinstance(c, Challenge):
                raise TypeError(f"challenges must be aelab.explorer.challenges.Challenge "
                                f"objects, got {type(c).__name__}")
        self.box = w.HTML(self._html())
        if not self.items:
            self.box.layout.display = "none"

    def check(self, frame, stats):
        if not self.items:
            return
        for c in self.items:
            c.check(frame, stats)
        self.box.value = self._html()

    def _html(self):
        if not self.items:
            return ""
        done = sum(c.done for c in self.items)
        rows = "".join(c.html() for c in self.items)
        return (f"<div style='border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;"
                f"margin:4px 0'><b>Challenges</b> ({done} of {len(self.items)} done){rows}"
                f"</div>")


# ----------------------------------------------------------------- the course's challenges
def rho_on_target(tolerance=0.1):
    """Every unit's ρ̂ within ``tolerance`` (relative) of the target ρ (notebook 02)."""
    def goal(f, stats):
        if f.rho is None or f.rho == 0:
            return False
        return bool(np.all(np.abs(f.rho_hat - f.rho) <= tolerance * abs(f.rho)))
    return Challenge(
        f"Make every hidden unit's mean activation ρ̂ land within {tolerance:.0%} of ρ.",
        goal, why="β weighs the sparsity penalty against reconstruction: once it is large "
                  "enough the KL term holds each ρ̂ at ρ (and larger still costs "
                  "reconstruction for nothing).",
        hint="Which slider weighs the sparsity penalty? Try doubling it.")


def filters_stop_localized(window=5, below=0.5):
    """Find a λ at which the filters stop being localized (patches, notebooks 02–03)."""
    def goal(f, stats):
        from ..filters import window_energy

        return float(np.median(window_energy(f.W1, f.shape, window))) < below
    return Challenge(
        f"Find a λ at which the filters stop being localized (median share of energy in "
        f"the best {window}×{window} window below {below:.0%}).",
        goal, why="Weight decay prices every weight: past a point it is cheaper to shrink "
                  "all filters towards zero than to keep localized edges.",
        hint="Move λ up a factor of ten at a time.")


def global_templates(spread_px=6.5):
    """Make k-sparse filters global (median spatial spread above ``spread_px``; notebook 05)."""
    def goal(f, stats):
        from ..filters import spatial_spread

        live = ~f.dead if f.dead is not None else np.ones(len(f.W1), bool)
        return bool(live.any()) and float(np.median(spatial_spread(f.W1[live], f.shape))) > \
            spread_px
    return Challenge(
        f"Find a k at which the live filters turn into global templates (median spread "
        f"above {spread_px} px).",
        goal, why="With few units per example, each unit must reconstruct much of a digit on "
                  "its own, so it becomes a whole-digit template; with many, units share the "
                  "work and stay local strokes.",
        hint="Small k or large k: which forces each unit to do more?")


def beat_pca(margin=0.0):
    """Held-out J below PCA's held-out error with as many components (notebooks 01, 04)."""
    def goal(f, stats):
        if not f.holdout_curve or f.pca_error is None:
            return False
        return f.holdout_curve[-1][1] < f.pca_error * (1 - margin)
    return Challenge(
        "Get the held-out objective below PCA's held-out error with as many components.",
        goal, why="A linear code can at best match PCA; a nonlinear encoder with a nonlinear "
                  "decoder can do better on curved data — if the penalties let it.",
        hint="Penalties count in J: set λ and β to 0 first, then try the hidden size.")


def filters_fade(fraction=0.1):
    """Median filter norm below ``fraction`` of its size at initialisation (notebook 03).

    The reference is the norm of a row of UFLDL's uniform initialisation, √n · r/√3 with
    r = √(6/(n + p + 1)), for n inputs and p hidden units.
    """
    def goal(f, stats):
        p, n = f.W1.shape
        start = np.sqrt(n) * np.sqrt(6.0 / (n + p + 1)) / np.sqrt(3.0)
        return float(np.median(np.linalg.norm(f.W1, axis=1))) < fraction * start
    return Challenge(
        f"Raise λ until the filters fade: median filter norm below {fraction:.0%} of its "
        f"size at initialisation.",
        goal, why="Weight decay pulls every weight towards 0 with a force that grows with λ; "
                  "past a threshold the reconstruction the filters buy is worth less than "
                  "their cost, and the whole encoder collapses at once.",
        hint="λ is on a log scale: move it a factor of ten at a time, past 1e-3.")


def pca_at_sizes(n_sizes=3, max_angle=0.5):
    """Land within ``max_angle`` degrees of PCA's subspace at ``n_sizes`` hidden sizes
    (notebook 04): the match is not a coincidence of one size."""
    sizes = set()

    def goal(f, stats):
        if f.angle is not None and f.angle < max_angle:
            sizes.add(int(f.W1.shape[0]))
        return len(sizes) >= n_sizes
    return Challenge(
        f"Land within {max_angle}° of PCA's subspace at {n_sizes} different hidden sizes.",
        goal, why="A linear autoencoder trained to its optimum spans the top principal "
                  "components for every code size (Bourlard and Kamp 1988; Baldi and Hornik "
                  "1989): its error surface has no other minimum.",
        hint="Each size the angle meets counts once: try another size below 64.")


def angle_meaningless():
    """Find the hidden size at which the principal angle stops meaning anything (nb 04)."""
    def goal(f, stats):
        return f.pca is not None and f.W1.shape[0] >= f.W1.shape[1]
    return Challenge(
        "Find the smallest hidden size at which the angle to PCA stops meaning anything.",
        goal, why="With as many units as pixels there is nothing left to compress: the code "
                  "can copy its input, and every subspace of that size is the whole space.",
        hint="How many numbers describe one 8×8 image?")


def many_dead(fraction=0.25):
    """A k small enough that at least ``fraction`` of the units are dead (notebook 05)."""
    def goal(f, stats):
        return f.dead is not None and float(np.mean(f.dead)) >= fraction
    return Challenge(
        f"Find a k small enough that {fraction:.0%} of the units die (never selected).",
        goal, why="With few winners per example, units that lose early get no gradient, so "
                  "they never improve enough to win: they stay dead (why the paper anneals k, "
                  "and why AuxK exists).",
        hint="Dead units are tinted purple: watch them as you lower k.")


def repairs_masked(level=0.5, factor=0.5, seed=0):
    """Reconstruct half-masked digits better than the masked input itself (notebook 06).

    The shown digits, with a fixed ``level`` share of their pixels set to 0 (seeded), are
    encoded and decoded; the goal is met when the reconstruction's squared error to the clean
    digit is below ``factor`` times the masked digit's own.
    """
    def goal(f, stats):
        X = f.originals
        keep = np.random.default_rng(seed).random(X.shape) >= level
        masked = X * keep
        from .frames import to_host

        out = to_host(f.model.reconstruct(masked))
        return float(np.sum((out - X) ** 2)) < factor * float(np.sum((masked - X) ** 2))
    return Challenge(
        f"Make the model repair digits with {level:.0%} of their pixels masked: error under "
        f"{factor:.0%} of the masked digit's own.",
        goal, why="Trained to undo masking, the model learns which strokes go together, so it "
                  "fills in what is missing; trained on clean digits, it mostly copies its "
                  "input, holes included.",
        hint="Which noise did the model train with? Try masking at a level near 0.5.")


def sparsity_released(factor=5.0):
    """Mean ρ̂ over the units at least ``factor`` times ρ (sigmoid units; notebook 02)."""
    def goal(f, stats):
        if not f.rho or f.rho <= 0 or f.activation != "sigmoid":
            return False
        return float(np.mean(f.rho_hat)) >= factor * f.rho
    return Challenge(
        f"Let the units loose: make their average ρ̂ at least {factor:g} times ρ.",
        goal, why="Only the β-weighted KL term holds ρ̂ near ρ; without it the units are on "
                  "as often as reconstruction wants, far more than 1 % of the time.",
        hint="Which term of J keeps the units quiet? Switch it off.")


def few_units_below(level=0.45, max_units=16):
    """Held-out J below ``level`` with at most ``max_units`` hidden units (notebook 01)."""
    def goal(f, stats):
        return f.W1.shape[0] <= max_units and stats.get("holdout_loss", np.inf) < level
    return Challenge(
        f"Get the held-out J below {level} with at most {max_units} hidden units.",
        goal, why="Each unit adds one direction to the subspace the decoder can reach, and "
                  "the digits' variance is concentrated in a few directions: past a dozen "
                  "units each new one buys less.",
        hint="Move the slider up from 3 a few units at a time and watch the orange points.")
