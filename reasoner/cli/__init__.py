"""The ``necessity`` command line: one module per command, wired together in :mod:`.main`."""

from __future__ import annotations

from .main import main

__all__ = ["main"]
