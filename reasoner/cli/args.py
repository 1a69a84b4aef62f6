"""Argument types and store locations shared by the commands."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..errors import NecessityError

__all__ = ["positive", "moment", "store_location", "existing_store", "STORE_HELP"]

STORE_HELP = "a directory (embedded store) or an http(s) SPARQL URL (default: NECESSITY_STORE)"


def positive(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return value


def moment(text: str):
    """An RFC 3339 date-time."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an RFC 3339 date-time: {text!r}") from None


def store_location(given: str | None, *, default: str | None = None) -> str | None:
    """``--store`` if given, else ``NECESSITY_STORE``, else ``default``."""
    return given or os.environ.get("NECESSITY_STORE") or default


def existing_store(location: str | None, *, command: str) -> str:
    """The location of a store that a reading command may open: it must be given and exist.

    An embedded store is a directory that an earlier write created; a missing or empty directory is
    an error (a typo would otherwise read as an empty store), as is no location at all.
    """
    from ..store.factory import is_remote

    if not location:
        raise NecessityError(f"{command} reads a store: give --store DIR (or set NECESSITY_STORE); "
                             "a store is written by `necessity check CASE... --store DIR` or the API")
    if is_remote(location):
        return location
    path = Path(location)
    if not path.is_dir() or not any(path.iterdir()):
        raise NecessityError(f"no store at {location}: it is written by `necessity check CASE... --store "
                             f"{location}`, `necessity store restore FILE --store {location}` or the API")
    return location
