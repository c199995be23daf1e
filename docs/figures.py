"""Regenerate the README's figure of UFLDL filters: ``python docs/figures.py``.

The figure shows what ``SparseAutoencoder()`` learns with its defaults on 10 000 natural
8×8 patches (the UFLDL exercise); ``tests/test_science.py`` checks the same model's filters
are localised, so the picture and the claim come from one recipe.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import aelab  # noqa: E402
from aelab.datasets import natural_patches  # noqa: E402

HERE = Path(__file__).resolve().parent


def ufldl_filters(path=HERE / "ufldl-filters.png"):
    """Train the UFLDL model and save its 25 encoder filters as a grid to ``path``."""
    X = natural_patches(10000, 8, seed=0)
    model = aelab.SparseAutoencoder().fit(X)
    fig, ax = plt.subplots(figsize=(4, 4))
    aelab.plot_filters(model.components_, ax=ax, title="SparseAutoencoder() on 8×8 patches")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


if __name__ == "__main__":
    print("wrote", ufldl_filters())
