"""Query results and their media types, and what a stored determination says about itself."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral

from ..namespaces import CASE, NEC, PROV
from ..determination.rdf import from_graph
from ..tabular import defuse_csv, defuse_tsv

__all__ = ["QueryResult", "DeterminationRecord", "RESULT_MEDIA_TYPES", "GRAPH_MEDIA_TYPES", "read_record"]

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
        data = ox.parse_query_results(self.payload, ox.QueryResultsFormat.JSON).serialize(format=fmt)
        if fmt == ox.QueryResultsFormat.CSV:  # no cell a spreadsheet would run as a formula
            return defuse_csv(data.decode("utf-8")).encode("utf-8")
        if fmt == ox.QueryResultsFormat.TSV:
            return defuse_tsv(data.decode("utf-8")).encode("utf-8")
        return data

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
    reviewed: bool = False
    """Whether a review recorded this determination (``nec:hasReview``): a person decided."""


def read_record(case_id: str, number: int, det: URIRef, graph: Graph) -> DeterminationRecord:
    """What a stored determination says about itself, read through the determination model.

    A graph the model cannot read (one written before the model existed) is read triple
    by triple instead, so old stores still list their determinations.
    """
    from ..knowledge.vocabulary import term

    try:
        model = from_graph(graph, det)
    except (ValueError, TypeError, KeyError, LookupError):
        return _read_triples(case_id, number, det, graph)
    outcomes = {line.code: str(term(line.outcome).iri) for line in model.lines}
    return DeterminationRecord(number=number, iri=str(det), case_iri=str(CASE[case_id]),
                               policy_version=model.policy.version_iri, policy_id=model.policy.id,
                               version_label=model.policy.version, engine_version=model.engine_version,
                               generated_at=model.clock.decided_at.isoformat().replace("+00:00", "Z"),
                               outcomes=dict(sorted(outcomes.items())), reviewed=model.review is not None)


def _read_triples(case_id: str, number: int, det: URIRef, graph: Graph) -> DeterminationRecord:
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
                               generated_at=text(PROV.generatedAtTime), outcomes=dict(sorted(outcomes.items())),
                               reviewed=(det, NEC.hasReview, None) in graph)
