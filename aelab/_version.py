"""The version of aelab, in one place: pyproject.toml reads it (``[tool.setuptools.dynamic]``),
``aelab.__version__`` re-exports it and saved model files record it."""
__version__ = "0.1.0"
