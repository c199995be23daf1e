"""The course's challenges, each reached and not reached by moving the panel's controls.

Every test drives a real panel: it moves a control so that the goal is met, or is not, and
checks the challenge's state against the quantity measured independently on the panel's
model (never against a stored number).
"""
import numpy as np
import pytest

import aelab
from aelab.datasets import load_digits, load_mnist, natural_patches
from aelab.explorer import Explorer
from aelab.explorer import challenges as ch
from aelab.explorer.frames import build_frame
from aelab.explorer.course import COURSE_PANELS, course_challenges, course_panel
from aelab.filters import spatial_spread
from aelab.metrics import dead_units

pytest.importorskip("ipywidgets")
TIMEOUT = 120


def _panel(made, model, X, challenge, **kw):
    kw.setdefault("key", None)
    kw.setdefault("dataset", "data")
    p = Explorer(model, X, challenges=[challenge], **kw)
    made.append(p)
    return p.wait(TIMEOUT)


def _move(panel, name, value):
    panel.controls[name].value = value
    return panel.wait(TIMEOUT)


def _rows(panel):
    return panel._data.loaded[panel.dataset].activation_rows


def _W1(panel):
    return np.asarray(panel.model.params_["W1"], dtype=np.float64)


def test_sparsity_released_only_without_the_sparsity_penalty(made):
    goal = ch.sparsity_released(5.0)
    panel = _panel(made, aelab.SparseAutoencoder(n_hidden=16, max_iter=100),
                   natural_patches(1000, seed=2), goal)

    def ratio():
        return float(panel.model.transform(_rows(panel)).mean()) / panel.model.rho

    assert ratio() < 5 and not goal.done
    _move(panel, "beta", 0.0)
    assert ratio() >= 5 and goal.done


def test_filters_fade_for_tanh_units_at_large_lambda(made):
    goal = ch.filters_fade(0.1)
    X = natural_patches(800, seed=3)
    panel = _panel(made, aelab.SparseAutoencoder(activation="tanh", rho=-0.9, n_hidden=16,
                                                 max_iter=100), X, goal)
    n, p = X.shape[1], 16
    start = np.sqrt(n) * np.sqrt(6.0 / (n + p + 1)) / np.sqrt(3.0)

    def norm_ratio():
        return float(np.median(np.linalg.norm(_W1(panel), axis=1))) / start

    assert norm_ratio() >= 0.1 and not goal.done
    _move(panel, "lam", 0.03)
    assert norm_ratio() < 0.1 and goal.done


def test_pca_at_sizes_needs_three_sizes_on_pcas_subspace(made):
    goal = ch.pca_at_sizes(3, 0.5)
    X = load_digits()[0][:900]
    X = X - X.mean(axis=0)
    panel = _panel(made, aelab.LinearAutoencoder(n_hidden=4), X, goal,
                   controls=("n_hidden",), views=("filters", "pca"))
    angles = [panel.stats["principal_angle_deg"]]
    for size in (6, 4):  # a size already counted does not count twice
        _move(panel, "n_hidden", size)
        angles.append(panel.stats["principal_angle_deg"])
    assert max(angles) < 0.5, angles
    assert not goal.done and goal.misses == 3
    _move(panel, "n_hidden", 8)
    assert panel.stats["principal_angle_deg"] < 0.5 and goal.done


def test_angle_meaningless_once_the_code_is_as_wide_as_the_input(made):
    goal = ch.angle_meaningless()
    X = load_digits()[0][:400]
    panel = _panel(made, aelab.LinearAutoencoder(n_hidden=10, max_iter=30), X, goal,
                   controls=("n_hidden",), views=("filters", "pca"))
    assert panel.stats["principal_angle_deg"] is not None and not goal.done
    _move(panel, "n_hidden", X.shape[1])
    assert panel.stats["principal_angle_deg"] is None and goal.done
    assert "angle n/a" in panel.status.value


def _ksparse(made, goal, k):
    X = np.asarray(load_mnist(source="embedded")[0][:600], dtype=np.float64)
    model = aelab.KSparseAutoencoder(n_hidden=200, k=k, k_start=100, max_iter=6, batch_size=100,
                                     learning_rate=1e-2, epsilon=0.01, dtype="float32")
    return _panel(made, model, X - X.mean(axis=0), goal, controls=("k",),
                  views=("filters", "ksparse"), image_shape=(28, 28), holdout=0.0)


def test_many_dead_at_small_k_not_at_large_k(made):
    goal = ch.many_dead(0.25)
    panel = _ksparse(made, goal, 60)

    def dead_share():
        return float(np.mean(dead_units(panel.model.transform(_rows(panel)))))

    assert dead_share() < 0.25 and not goal.done
    _move(panel, "k", 2)
    assert dead_share() >= 0.25 and goal.done


def _bumps(n, width, rng):
    """n filters on 28×28: Gaussian bumps of ``width`` pixels at random centres."""
    rows, cols = np.indices((28, 28))
    centres = rng.uniform(6, 22, size=(n, 2))
    d2 = (rows[None] - centres[:, 0, None, None]) ** 2 + (cols[None] - centres[:, 1, None,
                                                                               None]) ** 2
    return (np.exp(-d2 / (2 * width ** 2)) * rng.choice([-1, 1], (n, 1, 1))).reshape(n, -1)


@pytest.mark.parametrize("width", [1.5, 6.0])
def test_global_templates_read_the_live_filters_spread(made, width):
    # The filters are set by hand (strokes a converged large-k model learns take minutes to
    # train): small bumps are local strokes, wide ones whole-digit templates.
    panel = _ksparse(made, ch.global_templates(6.5), 60)
    goal = ch.global_templates(6.5)
    panel._board.items = [goal]
    rng = np.random.default_rng(0)
    W = _bumps(200, width, rng)
    panel.model.params_["W1"] = W.astype(np.float32)
    panel.model.params_["W2"] = W.T.astype(np.float32)
    f = build_frame(panel.model, panel.model.get_params(), panel._data.loaded["data"],
                    panel._views, {"iteration": 0, "max_iter": 1}, {})
    live = ~f.dead
    spread = float(np.median(spatial_spread(W[live], (28, 28))))
    panel._board.check(f, {})
    assert live.any() and goal.done == (spread > 6.5)
    assert goal.done == (width > 3), (width, spread)


def test_repairs_masked_only_after_training_with_masking(made):
    goal = ch.repairs_masked(level=0.5, factor=0.5)
    X = np.asarray(load_mnist(source="embedded")[0][:800], dtype=np.float64)
    model = aelab.DenoisingAutoencoder(n_hidden=128, noise=None, max_iter=15, batch_size=64,
                                       learning_rate=6e-3, epsilon=0.01, dtype="float32")
    panel = _panel(made, model, X, goal, controls=("noise", "noise_level"),
                   views=("filters", "reconstructions"), image_shape=(28, 28))
    shown = panel._data.loaded["data"].show
    keep = np.random.default_rng(0).random(shown.shape) >= 0.5

    def ratio():
        out = panel.model.reconstruct(shown * keep)
        return float(np.sum((out - shown) ** 2) / np.sum((shown * keep - shown) ** 2))

    assert ratio() >= 0.5 and not goal.done
    _move(panel, "noise", "mask")
    _move(panel, "noise_level", 0.5)
    assert ratio() < 0.5 and goal.done


def test_few_units_below_counts_both_the_loss_and_the_size(made):
    panel = course_panel("01", key=None)
    made.append(panel)
    goal = panel.challenges[0]
    for size in (3, 64):
        _move(panel, "n_hidden", size)
        assert not goal.done  # 3 units: J too high; 64: too many units, whatever J is
    _move(panel, "n_hidden", 16)
    assert goal.done == (panel.stats["holdout_loss"] < 0.45)


def test_course_challenges_are_new_objects_for_every_panel():
    for nn in COURSE_PANELS:
        a, b = course_challenges(nn), course_challenges(nn)
        assert 1 <= len(a) <= 3 and all(isinstance(c, ch.Challenge) for c in a)
        assert all(x is not y for x, y in zip(a, b)) and [c.text for c in a] == [
            c.text for c in b]
    assert course_challenges(5)[0].text == course_challenges("05")[0].text
    with pytest.raises(ValueError, match="nn must be one of"):
        course_challenges("07")
