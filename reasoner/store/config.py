"""Where a remote store's server answers, and how to sign in: settings from the environment.

Environment variables (prefix ``NECESSITY_SPARQL_``), all optional besides a URL:

- ``URL``: the server's base URL; with ``LAYOUT`` it gives the three endpoints.
- ``LAYOUT``: ``oxigraph`` (``/query``, ``/update``, ``/store``; the default), ``fuseki``
  (a dataset URL such as ``http://host:3030/necessity``: ``/query``, ``/update``, ``/data``)
  or ``graphdb`` (a repository URL such as ``http://host:7200/repositories/necessity``:
  the URL itself, ``/statements``, ``/rdf-graphs/service``).
- ``QUERY_URL``, ``UPDATE_URL``, ``GRAPH_STORE_URL``: each endpoint, overriding the layout.
- ``USERNAME`` and ``PASSWORD``: HTTP basic credentials; or ``TOKEN``: a bearer token.
- ``UNION_GRAPH_URI``: sent as ``default-graph-uri`` with every query, for a server whose
  default graph is not the union of its named graphs but that names the union (Fuseki:
  ``urn:x-arq:UnionGraph``).
- ``TIMEOUT``: seconds for a store request other than a query (default 30).

Credentials are secrets: they never appear in ``repr`` or in an error message.
"""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..errors import StoreConfigError

__all__ = ["RemoteConfig", "LAYOUTS"]

LAYOUTS: dict[str, tuple[str, str, str]] = {
    "oxigraph": ("/query", "/update", "/store"),
    "fuseki": ("/query", "/update", "/data"),
    "graphdb": ("", "/statements", "/rdf-graphs/service"),
}
"""Paths of the query, update and graph store endpoints below the base URL, per server."""


class RemoteConfig(BaseSettings):
    """How to reach a SPARQL 1.1 server (see the module docstring for the environment variables)."""

    model_config = SettingsConfigDict(env_prefix="NECESSITY_SPARQL_", extra="ignore")

    url: str | None = None
    layout: Literal["oxigraph", "fuseki", "graphdb"] = "oxigraph"
    query_url: str | None = None
    update_url: str | None = None
    graph_store_url: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    token: SecretStr | None = None
    union_graph_uri: str | None = None
    timeout: float = 30.0

    def endpoints(self) -> tuple[str, str, str]:
        """The query, update and graph store URLs.

        Raises:
            StoreConfigError: neither a base URL nor all three endpoint URLs are set.
        """
        base = (self.url or "").rstrip("/")
        paths = LAYOUTS[self.layout]
        urls = (self.query_url or (base + paths[0] if base else None),
                self.update_url or (base + paths[1] if base else None),
                self.graph_store_url or (base + paths[2] if base else None))
        if not all(urls):
            raise StoreConfigError("a remote store needs NECESSITY_SPARQL_URL (or --store URL), or all of "
                                   "NECESSITY_SPARQL_QUERY_URL, _UPDATE_URL and _GRAPH_STORE_URL")
        for url in urls:
            if not str(url).startswith(("http://", "https://")):
                raise StoreConfigError(f"a SPARQL endpoint URL must start with http:// or https://: {url!r}")
        return urls  # type: ignore[return-value]

    def headers(self) -> dict[str, str]:
        """The Authorization header for a bearer token (basic credentials go through :meth:`auth`)."""
        if self.token is not None:
            return {"Authorization": f"Bearer {self.token.get_secret_value()}"}
        return {}

    def auth(self) -> tuple[str, str] | None:
        """HTTP basic credentials, if configured."""
        if self.username is None:
            return None
        if self.token is not None:
            raise StoreConfigError("set either NECESSITY_SPARQL_USERNAME/PASSWORD or NECESSITY_SPARQL_TOKEN, "
                                   "not both")
        return self.username, self.password.get_secret_value() if self.password is not None else ""
