"""``open_store``: a directory means the embedded store, an http(s) URL a SPARQL server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import Store
from .config import RemoteConfig

__all__ = ["open_store", "is_remote"]


def is_remote(location: str | Path | None) -> bool:
    """Whether ``location`` names a SPARQL server rather than a directory."""
    return location is not None and str(location).startswith(("http://", "https://"))


def open_store(location: str | Path | None, *, config: RemoteConfig | None = None, **options: Any) -> Store:
    """Open the store at ``location``.

    Args:
        location: a directory for the embedded store (created on first use), an ``http://`` or
            ``https://`` base URL of a SPARQL 1.1 server, ``sparql:`` to take every endpoint from
            ``NECESSITY_SPARQL_*`` settings, or None for an embedded store in a temporary directory.
        config: the remote store's endpoints and credentials; default: from the environment.
        options: passed to the implementation (``query_workers`` for the embedded store).

    Raises:
        StoreLockedError: another process holds the embedded store.
        StoreConfigError: a remote store is not configured well enough to work.
    """
    if is_remote(location) or str(location) == "sparql:":
        from .remote import RemoteStore

        return RemoteStore(None if str(location) == "sparql:" else str(location), config=config)
    from .embedded import EmbeddedStore

    return EmbeddedStore(location, **options)
