import os

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
# Tests must not depend on the network: the MNIST loader uses its embedded subset.
os.environ.setdefault("AELAB_OFFLINE", "1")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def unit_data(rng):
    """A small data set in (0, 1): 20 examples × 8 features."""
    return rng.uniform(0.05, 0.95, size=(20, 8))
