"""Filter shape measures: exact values on hand-made filters, and the edge/blob/noise contrast."""
import numpy as np
import pytest

from aelab.filters import orientation_coherence, spatial_spread, window_energy


def _img(f, side=8):
    r, c = np.indices((side, side))
    return f(r, c).reshape(1, -1).astype(float)


def test_spread_of_a_pixel_pair_and_a_dipole():
    pair = np.zeros((1, 64))
    pair[0, [0, 2]] = [1.0, -1.0]      # mean-removed: still two equal bumps 2 px apart (+ a floor)
    s = spatial_spread(pair, (8, 8))[0]
    assert 0.9 < s < 3.5
    # a compact Gaussian blob spreads less than white noise
    blob = _img(lambda r, c: np.exp(-((r - 3.5) ** 2 + (c - 3.5) ** 2) / 2.0))
    noise = np.random.default_rng(0).normal(size=(200, 64))
    assert spatial_spread(blob, (8, 8))[0] < np.median(spatial_spread(noise, (8, 8))) - 0.5
    # white noise on 8×8: √(2·(64−1)/12) ≈ 3.2 px
    assert np.median(spatial_spread(noise, (8, 8))) == pytest.approx(np.sqrt(2 * 63 / 12), rel=0.1)


def test_window_energy_bounds_and_localization():
    corner = np.zeros((1, 64))
    corner[0, [0, 1, 8, 9]] = [1, -1, -1, 1]
    assert window_energy(corner, (8, 8), 5)[0] > 0.9
    noise = np.random.default_rng(1).normal(size=(200, 64))
    we = window_energy(noise, (8, 8), 5)
    assert 25 / 64 < np.median(we) < 0.55
    assert np.all(window_energy(noise, (8, 8), 8) == pytest.approx(1.0))
    with pytest.raises(ValueError, match="window"):
        window_energy(noise, (8, 8), 9)


def test_orientation_separates_edges_and_gratings_from_blobs():
    edge = _img(lambda r, c: np.tanh(2.0 * (c - 3.5)))
    grating = _img(lambda r, c: np.sin(1.3 * (r + c)))
    blob = _img(lambda r, c: np.exp(-((r - 3.5) ** 2 + (c - 3.5) ** 2) / 3.0))
    coh = orientation_coherence(np.vstack([edge, grating, blob]), (8, 8))
    assert coh[0] > 0.99 and coh[1] > 0.95 and coh[2] < 0.05
    assert orientation_coherence(np.zeros((1, 64)), (8, 8))[0] == 0.0


def test_shape_mismatch_names_the_parameter():
    with pytest.raises(ValueError, match="shape"):
        spatial_spread(np.zeros((2, 63)), (8, 8))
