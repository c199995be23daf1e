"""The engine on other array namespaces: array_api_strict here (standing in for CuPy), CuPy on a GPU.

``array_api_strict`` implements only what the array API standard promises, so an engine that
passes here uses nothing NumPy-specific and will run on CuPy.
"""
import numpy as np
import pytest

import aelab
from aelab.backend import available_backends, get_namespace, to_numpy

xps = pytest.importorskip("array_api_strict")

COMBOS = [
    dict(),
    dict(activation="tanh", sparsity="kl", beta=1.0, rho=-0.5),
    dict(activation="relu", sparsity="l1", beta=0.5, rho=0.1, tied=True),
    dict(activation="linear", sparsity="l2", beta=0.5, rho=0.0, k=3, tied=True),
    dict(output_activation="sigmoid", loss="cross_entropy", noise="mask", noise_level=0.3),
    dict(activation="sigmoid", noise="gaussian", noise_level=0.1, contraction=0.2, lam=0.01),
    dict(activation="tanh", k=2, contraction=0.1, output_activation="sigmoid"),
]


def _strict(X):
    return xps.asarray(X)


@pytest.mark.parametrize("kw", COMBOS)
def test_objective_matches_numpy(kw, unit_data):
    model = aelab.Autoencoder(5, epsilon=0.3, lam=kw.pop("lam", 1e-3), **kw)
    J_np, g_np = model.objective(unit_data)
    J_st, g_st = model.objective(_strict(unit_data))
    assert J_st == pytest.approx(J_np, rel=1e-12)
    for k in g_np:
        assert get_namespace(g_st[k]) is xps
        np.testing.assert_allclose(to_numpy(g_st[k]), g_np[k], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("kw", COMBOS[:4])
def test_gradient_check_on_strict_arrays(kw, unit_data):
    model = aelab.Autoencoder(4, epsilon=0.3, **kw)
    assert aelab.check_gradient(model, _strict(unit_data)) < 1e-7


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam", "sgd"])
def test_fit_on_strict_arrays_keeps_state_there(optimizer, unit_data):
    kw = dict(n_hidden=4, max_iter=15, optimizer=optimizer, learning_rate=0.01, batch_size=8)
    a = aelab.SparseAutoencoder(**kw).fit(unit_data)
    b = aelab.SparseAutoencoder(**kw).fit(_strict(unit_data))
    for k, v in b.params_.items():
        assert get_namespace(v) is xps
        np.testing.assert_allclose(to_numpy(v), a.params_[k], rtol=1e-6, atol=1e-9)
    H = b.transform(_strict(unit_data))
    assert get_namespace(H) is xps
    np.testing.assert_allclose(to_numpy(H), a.transform(unit_data), rtol=1e-6, atol=1e-9)


def test_ksparse_transform_on_strict(unit_data):
    model = aelab.KSparseAutoencoder(n_hidden=6, k=2, alpha=1.5, max_iter=2, batch_size=10)
    model.fit(_strict(unit_data))
    H = to_numpy(model.transform(_strict(unit_data)))
    assert np.all(np.count_nonzero(H, axis=1) == 3)


def test_float32_on_strict(unit_data):
    model = aelab.SparseAutoencoder(n_hidden=4, max_iter=5, dtype="float32").fit(_strict(unit_data))
    assert model.params_["W1"].dtype == xps.float32


def test_mixing_namespaces_is_refused(unit_data):
    with pytest.raises(TypeError, match="different libraries"):
        get_namespace(unit_data, _strict(unit_data))


def test_cupy_arrays_get_cupy_even_without_array_namespace(monkeypatch, unit_data):
    """CuPy 13's arrays have no __array_namespace__; their module still names CuPy."""
    import sys
    import types

    fake = types.ModuleType("cupy")
    ndarray = type("ndarray", (), {"__module__": "cupy._core.core"})
    monkeypatch.setitem(sys.modules, "cupy", fake)
    assert get_namespace(ndarray()) is fake
    with pytest.raises(TypeError, match="different libraries"):
        get_namespace(ndarray(), unit_data)


@pytest.mark.skipif(not available_backends()["cupy"], reason="CuPy with a CUDA device is not available here")
def test_cupy_matches_numpy(unit_data):  # pragma: no cover - runs only on a GPU machine
    import cupy

    model = aelab.SparseAutoencoder(n_hidden=5, max_iter=20)
    a = model.fit(unit_data).params_
    b = aelab.SparseAutoencoder(n_hidden=5, max_iter=20).fit(cupy.asarray(unit_data)).params_
    for k in a:
        assert isinstance(b[k], cupy.ndarray)
        np.testing.assert_allclose(b[k].get(), a[k], rtol=1e-6, atol=1e-9)
    assert aelab.check_gradient(aelab.SparseAutoencoder(n_hidden=4), cupy.asarray(unit_data)) < 1e-7
