"""The contract both stores keep, and the helpers both use to move graphs in and out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, runtime_checkable

from rdflib import Graph, URIRef

from ..errors import StoreError
from .ids import nt_iri
from .results import DeterminationRecord, QueryResult

__all__ = ["Store", "GraphData", "DeterminationBuilder", "DEFAULT_QUERY_TIMEOUT", "nt_lines", "nquads",
           "insert_data", "graph_from_nt", "short"]

DEFAULT_QUERY_TIMEOUT = 10.0
"""Seconds a SPARQL query may run before it is stopped."""

GraphData = Graph | str
"""A graph to write: an rdflib graph, or its N-Triples text (what a decision worker process sends back,
so the store-owning process does not build an rdflib graph only to serialise it again)."""

DeterminationBuilder = Callable[[URIRef], GraphData]
"""Makes the determination graph (or its N-Triples) once the store has chosen its IRI."""


@runtime_checkable
class Store(Protocol):
    """The contract both store implementations keep (tests run it against both)."""

    def load_knowledge(self, graph: Graph) -> None:
        """Replace the knowledge graph with ``graph``, atomically."""

    def add_case(self, case_id: str, case_graph: GraphData, determination: DeterminationBuilder) -> URIRef:
        """Store a new case with its first determination in one atomic write.

        Returns the determination IRI. Raises CaseExistsError if the id is taken.
        """

    def add_determination(self, case_id: str, determination: DeterminationBuilder) -> URIRef:
        """Store one more determination of a stored case; returns its IRI."""

    def rebuild_history(self) -> None:
        """Rewrite every case's history graph (``nec:supersededBy``) from its determinations, in one update.

        For a store written before the history existed; every write keeps it since.
        """

    def update_summaries(self, case_ids: list[str]) -> None:
        """Rewrite the summary graphs of these cases from their determinations, in one update."""

    def rebuild_summaries(self) -> int:
        """Rewrite every case's summary graph (a few hundred cases per update); returns how many cases.

        For a store written before the summaries existed; every write keeps them since
        (see :mod:`reasoner.store.summary`).
        """

    def has_case(self, case_id: str) -> bool:
        """Whether a case with this id is stored."""

    def get_case(self, case_id: str) -> Graph:
        """The case graph. Raises CaseNotFoundError."""

    def case_size(self, case_id: str) -> int:
        """How many triples the stored case graph holds (without reading it). Raises CaseNotFoundError."""

    def list_determinations(self, case_id: str) -> list[DeterminationRecord]:
        """The determinations of a stored case, oldest first. Raises CaseNotFoundError."""

    def get_determination(self, case_id: str, number: int) -> Graph:
        """One determination graph. Raises DeterminationNotFoundError."""

    def count_cases(self) -> int:
        """How many cases are stored."""

    def query(self, sparql: str, *, timeout: float = DEFAULT_QUERY_TIMEOUT) -> QueryResult:
        """Run a read-only query over the union of all graphs. Raises QueryError."""

    def case_ids(self) -> list[str]:
        """The ids of every stored case, sorted."""

    def graph_names(self) -> list[str]:
        """The names of every named graph in the store, sorted."""

    def dump(self) -> bytes:
        """Every named graph as one N-Quads document (a backup)."""

    def restore(self, nquads: bytes) -> int:
        """Load an N-Quads backup into this empty store in one write; returns the number of quads.

        Raises StoreError if the store already holds cases.
        """

    def close(self) -> None:
        """Release the store's resources."""


def nt_lines(graph: GraphData) -> list[str]:
    """The N-Triples lines of a graph (or of N-Triples text), without blank lines."""
    text = graph if isinstance(graph, str) else graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return [line for line in text.splitlines() if line.strip()]


def nquads(graphs: Iterable[tuple[URIRef, GraphData]]) -> str:
    """One N-Quads document for several graphs (each N-Triples line gets its graph name)."""
    out = []
    for name, graph in graphs:
        g = nt_iri(name)
        # in text order, i.e. grouped by subject: Oxigraph writes such a batch about a fifth faster
        # (its index inserts land side by side); cheap when the lines come sorted already
        for line in sorted(nt_lines(graph)):
            body = line.rstrip()
            if not body.endswith("."):
                raise StoreError("could not serialise a graph as N-Triples")
            out.append(f"{body[:-1].rstrip()} {g} .")
    return "\n".join(out) + "\n"


def insert_data(graphs: Iterable[tuple[URIRef, GraphData]]) -> str:
    """One SPARQL ``INSERT DATA`` operation writing each graph under its name."""
    blocks = [f"GRAPH {nt_iri(name)} {{\n" + "\n".join(nt_lines(graph)) + "\n}" for name, graph in graphs]
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}"


def graph_from_nt(data: bytes | str) -> Graph:
    graph = Graph()
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    if data.strip():
        graph.parse(data=data, format="nt")
    return graph


def short(exc: BaseException) -> str:
    """An exception's message on one line, at most 300 characters."""
    return " ".join(str(exc).split())[:300]
