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


@pytest.fixture(scope="session")
def playwright_driver():
    """The session's one Playwright driver, from which every browser test launches Chromium.

    Playwright's sync API runs one driver (an asyncio loop) per thread; a second
    ``sync_playwright().start()`` while the first is alive fails. The browser tests
    (tests/browser/), the website test and the hub test therefore share this one and each
    launch and close their own browser from it.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is needed for the browser tests: "
                    "pip install -e '.[test]' (or pip install playwright)", pytrace=False)
    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture
def made():
    """A list to append the Explorer panels a test builds; each is closed afterwards (its
    worker thread stopped), whether the test passed or not."""
    panels = []
    yield panels
    for p in panels:
        p.close()
