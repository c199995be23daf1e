"""The recipe in docs/INSTRUCTORS.md works: a new view in one file, registered in one line.

This test is the recipe's proof: it adds a view of the decoder's singular values, exactly as
the guide says, and checks that a panel draws it and that it shows what it claims.
"""
import numpy as np
import pytest

import aelab
from aelab.datasets import natural_patches
from aelab.explorer import Explorer, register_view
from aelab.explorer.charts import Chart
from aelab.explorer.views import VIEWS

pytest.importorskip("ipywidgets")


class DecoderSingularValuesView:
    """The singular values of the decoder W₂, largest first (a chart in the bottom row)."""

    placement = "bottom"

    def __init__(self, widgets, scale):
        self.chart = Chart((3.4 * scale, 2.1 * scale), 80)
        (self.line,) = self.chart.ax.plot([], [], "o-", color="C2", ms=3)
        self.chart.animate(self.line)
        self.image = widgets.Image(format="png", value=b"")
        self.widget = widgets.VBox([widgets.HTML("<b>Singular values of W₂</b>"), self.image])
        self.last = None

    def update(self, f):
        params = f.model.params_
        W2 = params["W2"] if "W2" in params else params["W1"].T
        s = np.linalg.svd(np.asarray(W2, dtype=float), compute_uv=False)
        self.last = s
        self.chart.set_y("linear", 0.0, float(s.max()) * 1.1 or 1.0)
        self.chart.ax.set_xlim(0, len(s) + 1)
        self.line.set_data(np.arange(1, len(s) + 1), s)
        self.image.value = self.chart.png()


@pytest.fixture
def registered():
    register_view("decoder_sv", DecoderSingularValuesView)
    yield
    VIEWS.pop("decoder_sv", None)


def test_a_registered_view_is_drawn_and_right(registered):
    X = natural_patches(300, seed=4)
    panel = Explorer(aelab.SparseAutoencoder(n_hidden=10, max_iter=15), X, key=None,
                     dataset="patches", views=("filters", "decoder_sv"))
    try:
        panel.wait(60)
        assert bytes(panel.views["decoder_sv"].value).startswith(b"\x89PNG")
        shown = panel._views["decoder_sv"].last
        expected = np.linalg.svd(panel.model.params_["W2"], compute_uv=False)
        np.testing.assert_allclose(shown, expected)
        assert panel.error_box.value == ""
    finally:
        panel.close()


def test_an_unregistered_name_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="allowed"):
        Explorer(aelab.SparseAutoencoder(n_hidden=4), natural_patches(50), key=None,
                 dataset="patches", views=("decoder_sv",))


def test_register_view_checks_the_protocol():
    class NoUpdate:
        pass

    with pytest.raises(TypeError, match="update"):
        register_view("broken", NoUpdate)
    assert "broken" not in VIEWS
