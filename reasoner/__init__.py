"""Necessity: explainable medical-necessity decisions for intrathecal drug delivery.

The flow is one way: ``load -> infer -> validate -> determine -> render``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("necessity-reasoner")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
