"""The remote store: any SPARQL 1.1 server, through the Query, Update and Graph Store protocols.

What the server must do (Oxigraph, Fuseki and GraphDB all do it):

- apply each update request all or nothing, and let a read see every acknowledged write;
- answer queries over the union of its named graphs as the default graph (Oxigraph:
  ``oxigraph serve --union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph true``, or
  ``NECESSITY_SPARQL_UNION_GRAPH_URI=urn:x-arq:UnionGraph``); checked when the store
  loads the knowledge graph, with a clear error if it does not;
- stop a query at its own time limit (Oxigraph: ``--timeout-s``; Fuseki:
  ``arq:queryTimeout``): the store gives up waiting at the limit and closes the connection.

Racing writes settle with :mod:`.consensus`, so two API processes in front of one server
never merge a case and exactly one of them is told it stored it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
from rdflib import Graph, URIRef

from ..errors import (
    CaseExistsError, CaseNotFoundError, DeterminationNotFoundError, QueryError, QueryTimeoutError, StoreConfigError,
    StoreError,
)
from .base import DEFAULT_QUERY_TIMEOUT, DeterminationBuilder, GraphData, graph_from_nt, insert_data, nt_lines, short
from .config import RemoteConfig
from .consensus import Consensus
from .history import history_update
from .ids import KNOWLEDGE_GRAPH, case_ids_of, case_iri, determination_iri, lock_iri, nt_iri
from .policy import query_form
from .records import record_from_ntriples
from .summary import rebuild_summaries, summary_update
from .results import DeterminationRecord, QueryResult, read_record

__all__ = ["RemoteStore"]


class RemoteStore:
    """A store behind a SPARQL 1.1 server.

    Args:
        url: the server's base URL (endpoints follow ``config.layout``), or None to take
            everything from ``config``.
        config: endpoints, credentials, timeouts; default: from the environment.
    """

    def __init__(self, url: str | None = None, *, config: RemoteConfig | None = None, **_: Any) -> None:
        config = config or RemoteConfig()
        if url is not None:
            config = config.model_copy(update={"url": url})
        self.config = config
        self.query_url, self.update_url, self.store_url = config.endpoints()
        self.url = (config.url or self.query_url).rstrip("/")
        self._client = httpx.Client(timeout=config.timeout, auth=config.auth(), headers=config.headers())
        self._write_lock = threading.Lock()
        self._consensus = Consensus(self._rows, self._update)

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    # writes

    def load_knowledge(self, graph: Graph) -> None:
        body = "\n".join(nt_lines(graph)).encode("utf-8")
        self._request("PUT", self.store_url, params={"graph": str(KNOWLEDGE_GRAPH)}, content=body,
                      headers={"Content-Type": "application/n-triples"})
        self.check_union_default_graph()

    def check_union_default_graph(self) -> None:
        """Check that the server sees named graphs as the store needs, after the knowledge graph is loaded.

        Raises:
            StoreConfigError: the knowledge graph is not visible by name, or not through the default graph.
        """
        by_name = self._query(f"ASK {{ GRAPH {nt_iri(KNOWLEDGE_GRAPH)} {{ ?s ?p ?o }} }}", "ask").boolean
        if not by_name:
            raise StoreConfigError(
                f"the server at {self.query_url} does not show the graph written through {self.store_url} to "
                "queries; check NECESSITY_SPARQL_GRAPH_STORE_URL and NECESSITY_SPARQL_QUERY_URL name one dataset")
        if not self._query("ASK { ?s ?p ?o }", "ask").boolean:
            raise StoreConfigError(
                f"the server at {self.query_url} does not query the union of its named graphs as the default "
                "graph, so queries would find nothing: run `oxigraph serve --union-default-graph`, set "
                "tdb2:unionDefaultGraph true in Fuseki, or set NECESSITY_SPARQL_UNION_GRAPH_URI (Fuseki: "
                "urn:x-arq:UnionGraph)")

    def add_case(self, case_id: str, case_graph: GraphData, determination: DeterminationBuilder) -> URIRef:
        iri = case_iri(case_id)
        det = determination_iri(case_id, 1)
        exists = CaseExistsError(f"a case with id '{case_id}' is already stored", iri=str(iri))
        with self._write_lock:
            if self._ask_graph(iri):
                raise exists
            mine, chosen = self._consensus.choose(lock_iri(iri))
            if mine != chosen:
                self._await_graph(iri)
                raise exists
            # the case, its determination and its summary graph in one update request
            self._update(insert_data([(iri, case_graph), (det, determination(det))]) + " ;\n"
                         + summary_update([case_id]))
        return det

    def add_determination(self, case_id: str, determination: DeterminationBuilder) -> URIRef:
        iri = case_iri(case_id)
        with self._write_lock:
            if not self._ask_graph(iri):
                raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(iri))
            number = self._next_number(case_id)
            for _ in range(100):
                det = determination_iri(case_id, number)
                mine, chosen = self._consensus.choose(lock_iri(det))
                if mine == chosen:  # the determination, its case's history and summary in one update request
                    self._update(insert_data([(det, determination(det))]) + " ;\n" + history_update([case_id])
                                 + " ;\n" + summary_update([case_id]))
                    return det
                number += 1
        raise StoreError("could not choose a determination number: too many concurrent writers")

    def rebuild_history(self) -> None:
        with self._write_lock:
            self._update(history_update(None))

    def update_summaries(self, case_ids: list[str]) -> None:
        with self._write_lock:
            self._update(summary_update(case_ids))

    def rebuild_summaries(self) -> int:
        return rebuild_summaries(self)

    def restore(self, data: bytes) -> int:
        if self.case_ids():
            raise StoreError(f"the server at {self.url} already holds cases; restore into an empty dataset")
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        lines = [line for line in text.splitlines() if line.strip()]
        self._update("INSERT DATA {\n" + "\n".join(_quad_as_graph_block(line) for line in lines) + "\n}")
        return len(lines)

    # reads

    def has_case(self, case_id: str) -> bool:
        return self._ask_graph(case_iri(case_id))

    def get_case(self, case_id: str) -> Graph:
        iri = case_iri(case_id)
        graph = self._get_graph(iri)
        if graph is None:
            raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(iri))
        return graph

    def case_size(self, case_id: str) -> int:
        iri = case_iri(case_id)
        rows = self._rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {nt_iri(iri)} {{ ?s ?p ?o }} }}")
        size = int(rows[0].get("n", 0)) if rows else 0
        if not size:  # an empty graph is no graph (as for get_case)
            raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(iri))
        return size

    def list_determinations(self, case_id: str) -> list[DeterminationRecord]:
        if not self.has_case(case_id):
            raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(case_iri(case_id)))
        records, number = [], 1
        while (data := self._get_nt(det := determination_iri(case_id, number))) is not None:
            record = record_from_ntriples(case_id, number, str(det), data)  # no rdflib graph, no model
            records.append(record or read_record(case_id, number, det, graph_from_nt(data)))
            number += 1
        return records

    def get_determination(self, case_id: str, number: int) -> Graph:
        det = determination_iri(case_id, number)
        graph = self._get_graph(det)
        if graph is None:
            raise DeterminationNotFoundError(f"case '{case_id}' has no determination number {number}",
                                             iri=str(det))
        return graph

    def graph_names(self) -> list[str]:
        rows = self._rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"] for row in rows if "g" in row)

    def case_ids(self) -> list[str]:
        return case_ids_of(self.graph_names())

    def count_cases(self) -> int:
        return len(self.case_ids())

    def get_graph(self, iri: URIRef | str) -> Graph:
        return self._get_graph(URIRef(str(iri))) or Graph()

    def dump(self) -> bytes:
        out = []
        for name in self.graph_names():
            term = nt_iri(name)
            for line in nt_lines(self.get_graph(name)):
                out.append(f"{line.rstrip()[:-1].rstrip()} {term} .")
        return ("\n".join(out) + "\n").encode("utf-8") if out else b""

    def query(self, sparql: str, *, timeout: float = DEFAULT_QUERY_TIMEOUT) -> QueryResult:
        started = time.monotonic()
        form = query_form(sparql)  # linear in the query's size; counted against the limit
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            raise QueryTimeoutError(f"the query ran past its time limit of {timeout:g} s")
        return self._query(sparql, form, timeout=remaining)

    def close(self) -> None:
        self._client.close()

    # internals

    def _query(self, sparql: str, form: str, *, timeout: float | None = None) -> QueryResult:
        accept = "application/n-triples" if form in ("construct", "describe") \
            else "application/sparql-results+json"
        params = {"default-graph-uri": self.config.union_graph_uri} if self.config.union_graph_uri else None
        response = self._request("POST", self.query_url, content=sparql.encode("utf-8"), params=params,
                                 headers={"Content-Type": "application/sparql-query", "Accept": accept},
                                 timeout=timeout, what="query")
        return QueryResult(form, response.content)

    def _rows(self, sparql: str) -> list[dict[str, str]]:
        return [{k: str(v) for k, v in row.items()} for row in self._query(sparql, "select").bindings()]

    def _update(self, update: str) -> None:
        self._request("POST", self.update_url, content=update.encode("utf-8"),
                      headers={"Content-Type": "application/sparql-update"}, what="update")

    def _ask_graph(self, iri: URIRef) -> bool:
        return bool(self._query(f"ASK {{ GRAPH {nt_iri(iri)} {{ ?s ?p ?o }} }}", "ask").boolean)

    def _await_graph(self, iri: URIRef, seconds: float = 5.0) -> None:
        """Wait (a little) for the writer that won a race to finish its write."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self._ask_graph(iri):
            time.sleep(0.02)

    def _get_graph(self, iri: URIRef) -> Graph | None:
        data = self._get_nt(iri)
        return graph_from_nt(data) if data is not None else None

    def _get_nt(self, iri: URIRef) -> bytes | None:
        """A graph as N-Triples, or None if the server has no such graph (or an empty one)."""
        response = self._request("GET", self.store_url, params={"graph": str(iri)},
                                 headers={"Accept": "application/n-triples"}, allow_404=True)
        if response.status_code == 404 or not response.content.strip():
            return None
        return response.content

    def _next_number(self, case_id: str) -> int:
        number = 1
        while self._ask_graph(determination_iri(case_id, number)):
            number += 1
        return number

    def _request(self, method: str, url: str, *, what: str = "request", allow_404: bool = False,
                 timeout: float | None = None, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, url, timeout=(timeout + 1.0) if timeout else
                                            httpx.USE_CLIENT_DEFAULT, **kwargs)
        except httpx.TimeoutException:
            raise QueryTimeoutError(f"the SPARQL server did not answer the {what} in time") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"could not reach the SPARQL server at {url}: {type(exc).__name__}") from None
        if response.status_code == 404 and allow_404:
            return response
        if response.status_code in (401, 403):
            raise StoreConfigError(f"the SPARQL server at {url} refused the credentials ({response.status_code}); "
                                   "check NECESSITY_SPARQL_USERNAME/PASSWORD or NECESSITY_SPARQL_TOKEN")
        if response.status_code >= 400:
            detail = short(Exception(response.text)) if response.text else ""
            if what == "query" and 400 <= response.status_code < 500:
                raise QueryError(f"the SPARQL server refused the query: {detail}")
            raise StoreError(f"the SPARQL server answered {response.status_code} to a {what}: {detail}")
        return response


def _quad_as_graph_block(line: str) -> str:
    """One N-Quads line (with a graph name, as :meth:`dump` writes) as ``GRAPH <g> { s p o . }``."""
    body = line.rstrip()
    if not body.endswith("."):
        raise StoreError("a backup line is not an N-Quads statement")
    body = body[:-1].rstrip()
    if not body.endswith(">"):
        raise StoreError("a backup statement has no graph name")
    start = body.rindex("<")
    return f"GRAPH {body[start:]} {{ {body[:start].rstrip()} . }}"
