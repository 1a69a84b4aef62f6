"""Where cases and determinations live: an RDF dataset with one named graph each.

The dataset holds three kinds of named graph, so one SPARQL query can join them:

- the knowledge graph (ontology, shapes and policy data), named :data:`KNOWLEDGE_GRAPH`;
- one graph per case, named by the case IRI (``CASE[<id>]``);
- one graph per determination, named by the determination IRI ``DET[<id>/<n>]``,
  where ``n`` counts the determinations of that case from 1. The graph name is
  also the IRI of the ``nec:Determination`` node inside it.

Two implementations sit behind the :class:`Store` protocol and :func:`open_store`
picks one: :class:`EmbeddedStore` (pyoxigraph on disk, the default) and
:class:`RemoteStore` (any SPARQL 1.1 server through the Query, Update and Graph
Store protocols). Every write is atomic: a case and its first determination go in
one transaction (embedded) or one update request (remote), so a crash or a refused
request never leaves half a case behind.

Identifiers from the outside never reach SPARQL text unchecked: case ids must be
RFC 3986 unreserved characters (:func:`validate_case_id`), IRIs are checked by
pyoxigraph before they are written as N-Triples terms, and the embedded store binds
values with ``substitutions``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import httpx
import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from .errors import QueryError, StoreError
from .namespaces import CASE, DET, NEC, PROV

__all__ = [
    "KNOWLEDGE_GRAPH", "DEFAULT_QUERY_TIMEOUT", "Store", "EmbeddedStore", "RemoteStore", "open_store",
    "QueryResult", "DeterminationRecord", "DeterminationBuilder",
    "CaseExistsError", "CaseNotFoundError", "DeterminationNotFoundError", "InvalidIdentifierError",
    "QueryRefusedError", "QueryTimeoutError",
    "validate_case_id", "case_iri", "determination_iri", "check_read_only_query",
    "RESULT_MEDIA_TYPES", "GRAPH_MEDIA_TYPES",
]

KNOWLEDGE_GRAPH = URIRef("https://w3id.org/necessity/graph/knowledge")
"""The named graph holding the ontology, the shapes and the policy data."""

DEFAULT_QUERY_TIMEOUT = 10.0
"""Seconds a SPARQL query may run before it is refused."""

DeterminationBuilder = Callable[[URIRef], Graph]
"""Makes the determination graph once the store has chosen its IRI."""

_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}\Z")

RESULT_MEDIA_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
"""Media types for SELECT and ASK results, the first one the default."""

GRAPH_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
"""Media types for CONSTRUCT and DESCRIBE results, the first one the default."""


# ---------------------------------------------------------------- errors


class CaseExistsError(StoreError):
    """A case with this id is already stored; a case is never overwritten."""

    title = "Case already stored"


class CaseNotFoundError(StoreError):
    """No case with this id is stored."""

    title = "Case not found"


class DeterminationNotFoundError(StoreError):
    """The case has no determination with this number."""

    title = "Determination not found"


class InvalidIdentifierError(StoreError):
    """An identifier is not one the store accepts (case ids: letters, digits, ``.``, ``_``, ``~``, ``-``)."""

    title = "Invalid identifier"


class QueryRefusedError(QueryError):
    """A query is not a read-only SPARQL 1.1 query: an update, or one with a SERVICE clause."""

    title = "Query refused"


class QueryTimeoutError(QueryError):
    """A query ran past its time limit."""

    title = "Query time limit exceeded"


# ---------------------------------------------------------------- identifiers


def validate_case_id(case_id: str) -> str:
    """Return ``case_id`` if a store accepts it, else raise.

    Raises:
        InvalidIdentifierError: the id is empty, too long or has a character outside
            ``A-Z a-z 0-9 . _ ~ -``.
    """
    if not isinstance(case_id, str) or not _CASE_ID.match(case_id):
        raise InvalidIdentifierError(
            "a case id is 1 to 128 letters, digits, '.', '_', '~' or '-', starting with a letter or digit",
            iri=None)
    return case_id


def case_iri(case_id: str) -> URIRef:
    """The IRI naming a case and its graph."""
    return CASE[validate_case_id(case_id)]


def determination_iri(case_id: str, number: int) -> URIRef:
    """The IRI naming the ``number``-th determination of a case and its graph."""
    if not isinstance(number, int) or number < 1:
        raise InvalidIdentifierError("a determination number is a whole number from 1")
    return DET[f"{validate_case_id(case_id)}/{number}"]


def _nt_iri(iri: str) -> str:
    """An IRI as an N-Triples/SPARQL term, refused if it is not a valid absolute IRI."""
    try:
        node = ox.NamedNode(str(iri))
    except ValueError as exc:
        raise InvalidIdentifierError(f"not a valid IRI: {exc}") from None
    text = str(node)
    if any(ch in node.value for ch in '<>"{}|^`\\ \n\r\t'):
        raise InvalidIdentifierError("an IRI may not contain spaces or any of <>\"{}|^`\\")
    return text


# ---------------------------------------------------------------- query checks


def _node_names(node: Any) -> Iterable[str]:
    if isinstance(node, CompValue):
        yield node.name
        for value in node.values():
            yield from _node_names(value)
    elif isinstance(node, (list, tuple)) or hasattr(node, "asList"):
        for value in node:
            yield from _node_names(value)


def check_read_only_query(sparql: str) -> str:
    """Parse ``sparql`` and return its form (``select``, ``ask``, ``construct``, ``describe``).

    The query is parsed, not pattern-matched: an update is recognised by the
    update grammar, and a SERVICE clause anywhere in the parse tree is refused.

    Raises:
        QueryRefusedError: the text is a SPARQL update, or the query has a SERVICE clause.
        QueryError: the text is not valid SPARQL 1.1.
    """
    if not isinstance(sparql, str) or not sparql.strip():
        raise QueryError("the query is empty")
    try:
        parsed = parseQuery(sparql)
    except Exception as query_exc:  # pyparsing raises its own exception types
        try:
            parseUpdate(sparql)
        except Exception:
            raise QueryError(f"not a valid SPARQL 1.1 query: {_short(query_exc)}") from None
        raise QueryRefusedError("SPARQL updates are refused: this endpoint is read-only") from None
    names = set(_node_names(parsed))
    if "ServiceGraphPattern" in names:
        raise QueryRefusedError("SERVICE clauses are refused: this endpoint queries only its own data")
    for form in ("SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery"):
        if form in names:
            return form.removesuffix("Query").lower()
    raise QueryError("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class QueryResult:
    """The result of a read-only query, serialisable to every supported media type.

    Attributes:
        form: ``select``, ``ask``, ``construct`` or ``describe``.
        payload: SPARQL JSON results (select, ask) or N-Triples (construct, describe).
    """

    form: str
    payload: bytes

    @property
    def is_graph(self) -> bool:
        return self.form in ("construct", "describe")

    @property
    def media_types(self) -> list[str]:
        """The media types this result can be serialised to, the default first."""
        return list(GRAPH_MEDIA_TYPES if self.is_graph else RESULT_MEDIA_TYPES)

    def serialize(self, media_type: str) -> bytes:
        """Serialise the result as ``media_type``.

        Raises:
            ValueError: the media type does not suit this kind of result.
        """
        if self.is_graph:
            if media_type == "application/n-triples":
                return self.payload
            fmt = GRAPH_MEDIA_TYPES[media_type]
            return ox.serialize(ox.parse(self.payload, ox.RdfFormat.N_TRIPLES), format=fmt)
        if media_type == "application/sparql-results+json":
            return self.payload
        fmt = RESULT_MEDIA_TYPES[media_type]
        return ox.parse_query_results(self.payload, ox.QueryResultsFormat.JSON).serialize(format=fmt)

    @property
    def variables(self) -> list[str]:
        return [] if self.is_graph else list(json.loads(self.payload).get("head", {}).get("vars", []))

    @property
    def boolean(self) -> bool | None:
        return None if self.is_graph else json.loads(self.payload).get("boolean")

    def bindings(self) -> list[dict[str, Any]]:
        """SELECT rows as dicts of variable name to rdflib term (unbound variables absent)."""
        if self.is_graph:
            raise ValueError("a CONSTRUCT or DESCRIBE result has no bindings")
        data = json.loads(self.payload)
        return [{var: _term_from_json(value) for var, value in row.items()}
                for row in data.get("results", {}).get("bindings", [])]

    def graph(self) -> Graph:
        """A CONSTRUCT or DESCRIBE result as an rdflib graph."""
        if not self.is_graph:
            raise ValueError("only a CONSTRUCT or DESCRIBE result is a graph")
        return Graph().parse(data=self.payload.decode("utf-8"), format="nt")


def _term_from_json(value: dict[str, Any]) -> Any:
    kind = value.get("type")
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    return RdfLiteral(value["value"], lang=value.get("xml:lang"),
                      datatype=URIRef(value["datatype"]) if value.get("datatype") else None)


@dataclass(frozen=True)
class DeterminationRecord:
    """What the store knows about one stored determination, read from its graph."""

    number: int
    iri: str
    case_iri: str
    policy_version: str | None = None
    """The IRI of the policy version."""
    policy_id: str | None = None
    version_label: str | None = None
    engine_version: str | None = None
    generated_at: str | None = None
    outcomes: dict[str, str] = field(default_factory=dict)
    """The outcome IRI of each requested line, keyed by its code (or by the line IRI)."""


# ---------------------------------------------------------------- the protocol


@runtime_checkable
class Store(Protocol):
    """The contract both store implementations keep (tests run it against both)."""

    def load_knowledge(self, graph: Graph) -> None:
        """Replace the knowledge graph with ``graph``, atomically."""

    def add_case(self, case_id: str, case_graph: Graph, determination: DeterminationBuilder) -> URIRef:
        """Store a new case with its first determination in one atomic write.

        Returns the determination IRI. Raises CaseExistsError if the id is taken.
        """

    def add_determination(self, case_id: str, determination: DeterminationBuilder) -> URIRef:
        """Store one more determination of a stored case; returns its IRI."""

    def has_case(self, case_id: str) -> bool:
        """Whether a case with this id is stored."""

    def get_case(self, case_id: str) -> Graph:
        """The case graph. Raises CaseNotFoundError."""

    def list_determinations(self, case_id: str) -> list[DeterminationRecord]:
        """The determinations of a stored case, oldest first. Raises CaseNotFoundError."""

    def get_determination(self, case_id: str, number: int) -> Graph:
        """One determination graph. Raises DeterminationNotFoundError."""

    def count_cases(self) -> int:
        """How many cases are stored."""

    def query(self, sparql: str, *, timeout: float = DEFAULT_QUERY_TIMEOUT) -> QueryResult:
        """Run a read-only query over the union of all graphs. Raises QueryError."""

    def close(self) -> None:
        """Release the store's resources."""


# ---------------------------------------------------------------- shared helpers


def _nt_lines(graph: Graph) -> list[str]:
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return [line for line in text.splitlines() if line.strip()]


def _nquads(graphs: Iterable[tuple[URIRef, Graph]]) -> str:
    """One N-Quads document for several graphs (each N-Triples line gets its graph name)."""
    out = []
    for name, graph in graphs:
        g = _nt_iri(name)
        for line in _nt_lines(graph):
            body = line.rstrip()
            if not body.endswith("."):
                raise StoreError("could not serialise a graph as N-Triples")
            out.append(f"{body[:-1].rstrip()} {g} .")
    return "\n".join(out) + "\n"


def _graph_from_nt(data: bytes | str) -> Graph:
    graph = Graph()
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    if data.strip():
        graph.parse(data=data, format="nt")
    return graph


def _record(case_id: str, number: int, det: URIRef, graph: Graph) -> DeterminationRecord:
    """What a determination graph says about itself (read in Python: a graph is small)."""
    def text(prop: URIRef) -> str | None:
        value = graph.value(det, prop)
        return str(value) if value is not None else None

    outcomes: dict[str, str] = {}
    for line_outcome in graph.objects(det, NEC.hasLineOutcome):
        outcome = graph.value(line_outcome, NEC.outcome)
        line = graph.value(line_outcome, NEC.forLine)
        code = graph.value(line_outcome, NEC.notation)
        if outcome is not None and (code is not None or line is not None):
            outcomes[str(code if code is not None else line)] = str(outcome)
    return DeterminationRecord(number=number, iri=str(det), case_iri=str(CASE[case_id]),
                               policy_version=text(NEC.underPolicyVersion), policy_id=text(NEC.policyId),
                               version_label=text(NEC.versionLabel), engine_version=text(NEC.engineVersion),
                               generated_at=text(PROV.generatedAtTime), outcomes=dict(sorted(outcomes.items())))


class _QueryRunner:
    """Runs each query in a daemon thread so a slow one can be abandoned.

    pyoxigraph releases the GIL while it evaluates, but it cannot cancel a query: a
    query past its limit is answered with :class:`QueryTimeoutError` at once and its
    thread finishes in the background (daemon threads never hold up the process at
    exit). At most ``workers`` queries run at once, so runaway queries hold at most that
    many threads; a query that cannot start before its time is up never runs.
    """

    def __init__(self, workers: int = 4) -> None:
        self._slots = threading.BoundedSemaphore(workers)

    def run(self, fn: Callable[[], QueryResult], timeout: float) -> QueryResult:
        deadline = time.monotonic() + timeout
        if not self._slots.acquire(timeout=max(0.0, timeout)):
            raise QueryTimeoutError(f"the query could not start within its time limit of {timeout:g} s: "
                                    "the store is busy with other queries")
        box: dict[str, Any] = {}
        done = threading.Event()

        def target() -> None:
            try:
                box["result"] = fn()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                box["error"] = exc
            finally:
                self._slots.release()
                done.set()

        threading.Thread(target=target, name="necessity-query", daemon=True).start()
        if not done.wait(max(0.0, deadline - time.monotonic())):
            raise QueryTimeoutError(f"the query ran past its time limit of {timeout:g} s")
        if "error" in box:
            raise box["error"]
        return box["result"]

    def close(self) -> None:
        pass


# ---------------------------------------------------------------- embedded


class EmbeddedStore:
    """An on-disk pyoxigraph store (RocksDB); one process owns the directory.

    Writes take one lock, so two requests at once never interleave: the duplicate
    check, the choice of the next determination number and the write happen
    together, and the write itself is a single pyoxigraph transaction.

    Args:
        path: the store directory (created if missing), or None for an in-memory store.
    """

    def __init__(self, path: str | Path | None = None, *, query_workers: int = 4) -> None:
        try:
            self._store = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            raise StoreError(f"could not open the store directory: {_short(exc)}") from None
        self.path = Path(path) if path is not None else None
        self._write_lock = threading.Lock()
        self._runner = _QueryRunner(query_workers)

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.path) if self.path else 'in memory'!r})"

    # writes

    def load_knowledge(self, graph: Graph) -> None:
        self._parse_quads(_nquads([(KNOWLEDGE_GRAPH, graph)]))  # refuses what is not valid RDF
        data = "\n".join(_nt_lines(graph))
        with self._write_lock:
            try:
                # DROP and INSERT DATA in one update request are one transaction. The data
                # is rdflib's N-Triples, checked by the N-Quads parse above.
                self._store.update(f"DROP SILENT GRAPH {_nt_iri(KNOWLEDGE_GRAPH)} ;\n"
                                   f"INSERT DATA {{ GRAPH {_nt_iri(KNOWLEDGE_GRAPH)} {{\n{data}\n}} }}")
            except (OSError, SyntaxError) as exc:
                raise StoreError(f"could not write the knowledge graph: {_short(exc)}") from None

    def add_case(self, case_id: str, case_graph: Graph, determination: DeterminationBuilder) -> URIRef:
        iri = case_iri(case_id)
        det = determination_iri(case_id, 1)
        with self._write_lock:
            if self._has_graph(iri):
                raise CaseExistsError(f"a case with id '{case_id}' is already stored", iri=str(iri))
            quads = self._parse_quads(_nquads([(iri, case_graph), (det, determination(det))]))
            self._extend(quads)
        return det

    def add_determination(self, case_id: str, determination: DeterminationBuilder) -> URIRef:
        iri = case_iri(case_id)
        with self._write_lock:
            if not self._has_graph(iri):
                raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(iri))
            number = self._next_number(case_id)
            det = determination_iri(case_id, number)
            self._extend(self._parse_quads(_nquads([(det, determination(det))])))
        return det

    # reads

    def has_case(self, case_id: str) -> bool:
        return self._has_graph(case_iri(case_id))

    def get_case(self, case_id: str) -> Graph:
        iri = case_iri(case_id)
        if not self._has_graph(iri):
            raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(iri))
        return self._graph(iri)

    def list_determinations(self, case_id: str) -> list[DeterminationRecord]:
        iri = case_iri(case_id)
        if not self._has_graph(iri):
            raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(iri))
        records, number = [], 1
        while self._has_graph(det := determination_iri(case_id, number)):
            records.append(_record(case_id, number, det, self._graph(det)))
            number += 1
        return records

    def get_determination(self, case_id: str, number: int) -> Graph:
        det = determination_iri(case_id, number)
        if not self._has_graph(det):
            raise DeterminationNotFoundError(
                f"case '{case_id}' has no determination number {number}", iri=str(det))
        return self._graph(det)

    def count_cases(self) -> int:
        prefix = str(CASE)
        return sum(1 for g in self._store.named_graphs()
                   if isinstance(g, ox.NamedNode) and g.value.startswith(prefix))

    def query(self, sparql: str, *, timeout: float = DEFAULT_QUERY_TIMEOUT) -> QueryResult:
        form = check_read_only_query(sparql)

        def run() -> QueryResult:
            try:
                result = self._store.query(sparql, use_default_graph_as_union=True)
                if form in ("construct", "describe"):
                    return QueryResult(form, ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b"")
                return QueryResult(form, result.serialize(format=ox.QueryResultsFormat.JSON))
            except SyntaxError as exc:
                raise QueryError(f"not a valid SPARQL 1.1 query: {_short(exc)}") from None
            except OSError as exc:
                raise StoreError(f"the store could not answer the query: {_short(exc)}") from None

        return self._runner.run(run, timeout)

    def close(self) -> None:
        self._runner.close()
        try:
            self._store.flush()
        except OSError:
            pass
        self._store = None  # type: ignore[assignment]  # RocksDB closes when the object goes

    # internals

    def _has_graph(self, iri: URIRef) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(str(iri)))

    def _graph(self, iri: URIRef) -> Graph:
        quads = self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(iri)))
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        return _graph_from_nt(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")

    def _next_number(self, case_id: str) -> int:
        n = 1
        while self._has_graph(determination_iri(case_id, n)):
            n += 1
        return n

    @staticmethod
    def _parse_quads(nquads: str) -> list[ox.Quad]:
        try:
            return list(ox.parse(nquads.encode("utf-8"), ox.RdfFormat.N_QUADS, rename_blank_nodes=True))
        except SyntaxError as exc:
            raise StoreError(f"could not convert a graph for the store: {_short(exc)}") from None

    def _extend(self, quads: list[ox.Quad]) -> None:
        try:
            self._store.extend(quads)  # one transaction: all the quads or none
        except OSError as exc:
            raise StoreError(f"could not write to the store: {_short(exc)}") from None


# ---------------------------------------------------------------- remote


class RemoteStore:
    """A store behind a SPARQL 1.1 server (Query, Update and Graph Store protocols).

    The server must answer queries over the union of its named graphs as the default
    graph (Oxigraph: ``oxigraph serve --union-default-graph``; Fuseki:
    ``tdb2:unionDefaultGraph true``). Each write is one update request, which a
    SPARQL 1.1 server applies all or nothing; the insert is guarded by
    ``FILTER NOT EXISTS`` so that two writers racing for the same case or determination
    number never merge their graphs: the loser sees the conflict and retries or
    reports it.

    Args:
        url: the server's base URL; by default queries go to ``<url>/query``, updates to
            ``<url>/update`` and graph store requests to ``<url>/store`` (Oxigraph's
            layout). Pass the three URLs for another layout.
    """

    def __init__(self, url: str, *, query_url: str | None = None, update_url: str | None = None,
                 store_url: str | None = None, timeout: float = 30.0, query_workers: int = 4) -> None:
        base = url.rstrip("/")
        self.url = base
        self.query_url = query_url or f"{base}/query"
        self.update_url = update_url or f"{base}/update"
        self.store_url = store_url or f"{base}/store"
        self._client = httpx.Client(timeout=timeout)
        self._write_lock = threading.Lock()
        self._runner = _QueryRunner(query_workers)

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    # writes

    def load_knowledge(self, graph: Graph) -> None:
        body = "\n".join(_nt_lines(graph)).encode("utf-8")
        # Graph Store Protocol PUT replaces one graph in one request.
        self._request("PUT", self.store_url, params={"graph": str(KNOWLEDGE_GRAPH)}, content=body,
                      headers={"Content-Type": "application/n-triples"})

    def add_case(self, case_id: str, case_graph: Graph, determination: DeterminationBuilder) -> URIRef:
        iri = case_iri(case_id)
        det = determination_iri(case_id, 1)
        with self._write_lock:
            det_graph = determination(det)
            self._guarded_insert([(iri, case_graph), (det, det_graph)], guard=iri)
            if not self._wrote(det, det_graph):
                raise CaseExistsError(f"a case with id '{case_id}' is already stored", iri=str(iri))
        return det

    def add_determination(self, case_id: str, determination: DeterminationBuilder) -> URIRef:
        iri = case_iri(case_id)
        with self._write_lock:
            if not self.has_case(case_id):
                raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(iri))
            for _ in range(20):  # another writer may take the number between our read and write
                det = determination_iri(case_id, self._next_number(case_id))
                det_graph = determination(det)
                self._guarded_insert([(det, det_graph)], guard=det)
                if self._wrote(det, det_graph):
                    return det
        raise StoreError("could not choose a determination number: too many concurrent writers")

    # reads

    def has_case(self, case_id: str) -> bool:
        return self._ask_graph(case_iri(case_id))

    def get_case(self, case_id: str) -> Graph:
        iri = case_iri(case_id)
        graph = self._get_graph(iri)
        if graph is None:
            raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(iri))
        return graph

    def list_determinations(self, case_id: str) -> list[DeterminationRecord]:
        iri = case_iri(case_id)
        if not self.has_case(case_id):
            raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(iri))
        records, number = [], 1
        while (graph := self._get_graph(det := determination_iri(case_id, number))) is not None:
            records.append(_record(case_id, number, det, graph))
            number += 1
        return records

    def get_determination(self, case_id: str, number: int) -> Graph:
        det = determination_iri(case_id, number)
        graph = self._get_graph(det)
        if graph is None:
            raise DeterminationNotFoundError(
                f"case '{case_id}' has no determination number {number}", iri=str(det))
        return graph

    def count_cases(self) -> int:
        rows = self._select(
            f'SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
            f'FILTER(STRSTARTS(STR(?g), "{CASE}")) }}').bindings()
        return int(rows[0]["n"]) if rows else 0

    def query(self, sparql: str, *, timeout: float = DEFAULT_QUERY_TIMEOUT) -> QueryResult:
        form = check_read_only_query(sparql)
        return self._runner.run(lambda: self._query(sparql, form, timeout=timeout), timeout)

    def close(self) -> None:
        self._runner.close()
        self._client.close()

    # internals

    def _query(self, sparql: str, form: str, *, timeout: float | None = None) -> QueryResult:
        accept = "application/n-triples" if form in ("construct", "describe") \
            else "application/sparql-results+json"
        response = self._request("POST", self.query_url, content=sparql.encode("utf-8"),
                                 headers={"Content-Type": "application/sparql-query", "Accept": accept},
                                 timeout=timeout, what="query")
        return QueryResult(form, response.content)

    def _select(self, sparql: str) -> QueryResult:
        return self._query(sparql, "select")

    def _ask_graph(self, iri: URIRef) -> bool:
        result = self._query(f"ASK {{ GRAPH {_nt_iri(iri)} {{ ?s ?p ?o }} }}", "ask")
        return bool(result.boolean)

    def _get_graph(self, iri: URIRef) -> Graph | None:
        response = self._request("GET", self.store_url, params={"graph": str(iri)},
                                 headers={"Accept": "application/n-triples"}, allow_404=True)
        if response.status_code == 404:
            return None
        graph = _graph_from_nt(response.content)
        return graph if len(graph) else None

    def _next_number(self, case_id: str) -> int:
        number = 1
        while self._ask_graph(determination_iri(case_id, number)):
            number += 1
        return number

    def _guarded_insert(self, graphs: list[tuple[URIRef, Graph]], *, guard: URIRef) -> None:
        blocks = []
        for name, graph in graphs:
            lines = "\n".join(_nt_lines(graph))
            blocks.append(f"GRAPH {_nt_iri(name)} {{\n{lines}\n}}")
        update = (f"INSERT {{\n{chr(10).join(blocks)}\n}}\n"
                  f"WHERE {{ FILTER NOT EXISTS {{ GRAPH {_nt_iri(guard)} {{ ?s ?p ?o }} }} }}")
        self._request("POST", self.update_url, content=update.encode("utf-8"),
                      headers={"Content-Type": "application/sparql-update"}, what="update")

    def _wrote(self, det: URIRef, det_graph: Graph) -> bool:
        """Whether the determination graph now on the server is the one we wrote."""
        stamp = det_graph.value(det, PROV.generatedAtTime)
        engine = det_graph.value(det, NEC.engineVersion)
        stored = self._get_graph(det)
        if stored is None:
            return False
        return (stored.value(det, PROV.generatedAtTime) == stamp
                and stored.value(det, NEC.engineVersion) == engine
                and len(stored) == len(det_graph))

    def _request(self, method: str, url: str, *, what: str = "request", allow_404: bool = False,
                 timeout: float | None = None, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, url, timeout=(timeout + 1.0) if timeout else
                                            httpx.USE_CLIENT_DEFAULT, **kwargs)
        except httpx.TimeoutException:
            raise QueryTimeoutError(f"the SPARQL server did not answer the {what} in time") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"could not reach the SPARQL server: {type(exc).__name__}") from None
        if response.status_code == 404 and allow_404:
            return response
        if response.status_code >= 400:
            detail = _short(response.text) if response.text else ""
            if what == "query" and 400 <= response.status_code < 500:
                raise QueryError(f"the SPARQL server refused the query: {detail}")
            raise StoreError(f"the SPARQL server answered {response.status_code} to a {what}: {detail}")
        return response


# ---------------------------------------------------------------- factory


def open_store(location: str | Path | None, **options: Any) -> Store:
    """Open the store at ``location``: an http(s) URL is a SPARQL server, anything else a directory.

    Args:
        location: a directory for the embedded store, an ``http://`` or ``https://`` URL of a
            SPARQL 1.1 server, or None for an in-memory embedded store.
        options: passed to the implementation's constructor.
    """
    if location is not None and str(location).startswith(("http://", "https://")):
        return RemoteStore(str(location), **options)
    return EmbeddedStore(location, **options)

