"""The course's scientific claims, checked by training real models on the course's data."""
from pathlib import Path

import numpy as np
import pytest

import aelab
from aelab.datasets import load_digits, natural_patches
from aelab.pca import PCA, max_principal_angle_degrees

DOCS = Path(__file__).resolve().parents[1] / "docs"  # holds figures.py, the README figure


@pytest.fixture(scope="module")
def digits():
    return load_digits()[0]


@pytest.fixture(scope="module")
def linear_vs_pca(digits):
    # tol: a gradient test float64 can meet here (the default 1e-9 ends "stalled" at round-off)
    ae = aelab.LinearAutoencoder(n_hidden=10, tol=1e-7).fit(digits)
    pca = PCA(10).fit(digits)
    return ae, pca


def test_linear_autoencoder_spans_the_principal_subspace(linear_vs_pca):
    ae, pca = linear_vs_pca
    assert ae.stop_reason_ == "converged"
    assert max_principal_angle_degrees(ae.components_, pca.components_) < 2.0
    # the decoder's columns span it too: reconstructions live in the principal subspace
    assert max_principal_angle_degrees(ae.params_["W2"].T, pca.components_) < 2.0


def test_linear_autoencoder_reconstructs_as_well_as_pca(linear_vs_pca, digits):
    ae, pca = linear_vs_pca
    X_pca = pca.inverse_transform(pca.transform(digits))
    err_pca = 0.5 * np.sum((X_pca - digits) ** 2) / len(digits)
    err_ae = -ae.score(digits)
    assert err_ae == pytest.approx(err_pca, rel=0.01)
    assert err_ae >= err_pca * (1 - 1e-9)  # PCA is the optimum; nothing linear beats it


def _max_off_diagonal_cosine(W):
    Wn = W / np.linalg.norm(W, axis=1, keepdims=True)
    G = Wn @ Wn.T
    return np.abs(G - np.diag(np.diag(G))).max()


def test_weights_need_not_be_orthogonal_nor_the_components_themselves(linear_vs_pca, digits):
    """Without weight decay any invertible mixing of the components is optimal; with a little
    weight decay the encoder's rows become orthonormal, yet still only a rotation of PCA's."""
    plain = aelab.LinearAutoencoder(n_hidden=10, lam=0.0, max_iter=1500).fit(digits)
    assert _max_off_diagonal_cosine(plain.params_["W2"].T) > 0.05
    ae, pca = linear_vs_pca
    assert np.allclose(ae.components_ @ ae.components_.T, np.eye(10), atol=0.01)
    cos = np.abs(ae.components_ @ pca.components_.T)  # |cosine| of rows (PCA rows are unit)
    assert cos.max(axis=1).min() < 0.95  # some AE row is not any single principal direction


def test_without_weight_decay_only_the_decoder_is_pinned_down(digits):
    """λ = 0: the loss never sees the encoder's components along blank pixels."""
    ae = aelab.LinearAutoencoder(n_hidden=10, lam=0.0, max_iter=1500).fit(digits)
    pca = PCA(10).fit(digits)
    assert max_principal_angle_degrees(ae.params_["W2"].T, pca.components_) < 2.0
    assert max_principal_angle_degrees(ae.components_, pca.components_) > 10.0


@pytest.fixture(scope="module")
def ufldl():
    X = natural_patches(10000, 8, seed=0)
    return X, aelab.SparseAutoencoder().fit(X)


def test_sparse_autoencoder_hits_its_sparsity_target(ufldl):
    X, model = ufldl
    rho_hat = model.transform(X).mean(axis=0)
    assert abs(rho_hat.mean() - 0.01) < 0.25 * 0.01
    assert np.all(np.abs(rho_hat - 0.01) < 0.5 * 0.01)  # every unit, not just on average


def _window_energy(W, side=28, window=10):
    """Fraction of each (mean-removed) filter's energy inside its strongest window."""
    out = []
    for w in W:
        e = (w.reshape(side, side) - w.mean()) ** 2
        c = np.pad(np.cumsum(np.cumsum(e, 0), 1), ((1, 0), (1, 0)))  # summed-area table
        s = c[window:, window:] - c[:-window, window:] - c[window:, :-window] + c[:-window, :-window]
        out.append(s.max() / e.sum())
    return np.array(out)


def test_sparse_autoencoder_learns_localized_filters(ufldl):
    """Edge filters concentrate their energy in part of the patch; random ones spread it.

    A 5×5 window holds 25/64 ≈ 39% of the pixels; a uniformly spread filter puts a little more
    than that share of its energy in its best window (≈ 0.47, by chance), a localized edge
    about two thirds (measured: 0.67 on the default patches, 0.61 at full resolution).
    """
    X, model = ufldl
    loc = _window_energy(model.components_, side=8, window=5)
    rand = _window_energy(model.initial_params(X)["W1"], side=8, window=5)
    assert np.median(loc) > 0.6
    assert np.median(loc) > np.median(rand) + 0.15


def test_mnist_variant_learns_pen_strokes_at_its_sparsity():
    """DESIGN's MNIST variant, 784 → 196 with ρ = 0.1, λ = 3e-3, β = 3, learns local strokes.

    A 10 × 10 window holds 13% of a digit's pixels; random filters put 0.15 of their energy
    in their best one, the variant's filters more than half after 100 iterations (measured:
    0.55 on the first 1000 embedded digits, mean ρ̂ 0.107).
    """
    X = aelab.datasets.load_mnist(source="embedded")[0][:1000]
    model = aelab.SparseAutoencoder(n_hidden=196, rho=0.1, lam=3e-3, beta=3.0, max_iter=100,
                                    dtype="float32").fit(X)
    rho_hat = model.transform(X).mean(axis=0)
    assert abs(rho_hat.mean() - 0.1) < 0.15 * 0.1
    assert np.all(np.abs(rho_hat - 0.1) < 0.5 * 0.1)
    learned = np.median(_window_energy(model.components_))
    random = np.median(_window_energy(model.initial_params(X)["W1"]))
    assert learned > 0.45 and learned > random + 0.25


def test_readme_figure_recipe_draws_the_filters(tmp_path, monkeypatch):
    """docs/figures.py (which makes the README's picture) runs and writes a PNG."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("figures", DOCS / "figures.py")
    figures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(figures)
    calls = []
    real_fit = aelab.SparseAutoencoder.fit

    def short_fit(self, X):
        # a few iterations show the recipe draws; the filters' science is tested above
        calls.append(X.shape)
        return real_fit(self.set_params(max_iter=5), X)

    monkeypatch.setattr(aelab.SparseAutoencoder, "fit", short_fit)
    out = figures.ufldl_filters(tmp_path / "filters.png")
    assert calls == [(10000, 64)]
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
