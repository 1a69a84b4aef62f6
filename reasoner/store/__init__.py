"""Where cases and determinations live: an RDF dataset with one named graph each.

Two implementations keep one contract (:class:`~reasoner.store.base.Store`), and
:func:`open_store` picks one: :class:`EmbeddedStore` (pyoxigraph on disk, the default) and
:class:`RemoteStore` (a SPARQL 1.1 server through the Query, Update and Graph Store
protocols). The modules:

- :mod:`.ids`: graph names, identifier checks;
- :mod:`.policy`: the read-only query policy shared with ``necessity query``;
- :mod:`.results`: query results and their media types, determination records;
- :mod:`.base`: the protocol and the helpers both implementations use;
- :mod:`.embedded`, :mod:`.workers`: the embedded store and its killable query workers;
- :mod:`.remote`, :mod:`.consensus`, :mod:`.config`: the remote store, its race-safe writes,
  its configuration;
- :mod:`.operations`: backup, restore and the consistency check;
- :mod:`.factory`: :func:`open_store`.

Names are imported lazily, so a query worker process that needs only the policy does not
load rdflib.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "KNOWLEDGE_GRAPH": "ids", "validate_case_id": "ids", "case_iri": "ids", "determination_iri": "ids",
    "check_read_only_query": "policy", "query_form": "policy",
    "QueryResult": "results", "DeterminationRecord": "results", "RESULT_MEDIA_TYPES": "results",
    "GRAPH_MEDIA_TYPES": "results",
    "Store": "base", "DeterminationBuilder": "base", "DEFAULT_QUERY_TIMEOUT": "base",
    "EmbeddedStore": "embedded", "RemoteStore": "remote", "RemoteConfig": "config",
    "open_store": "factory", "backup_store": "operations", "restore_store": "operations",
    "check_store": "operations",
    "CaseExistsError": "..errors", "CaseNotFoundError": "..errors", "DeterminationNotFoundError": "..errors",
    "InvalidIdentifierError": "..errors", "QueryRefusedError": "..errors", "QueryTimeoutError": "..errors",
    "QueryTooLargeError": "..errors", "StoreLockedError": "..errors", "StoreConfigError": "..errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    target = importlib.import_module(module[1:] if module.startswith("..") else f".{module}",
                                     "reasoner" if module.startswith("..") else __name__)
    return getattr(target, name)
