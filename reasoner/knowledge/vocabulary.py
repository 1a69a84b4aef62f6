"""The outcome and criterion-state vocabulary, read once from the ontology.

Every outcome word (``meets-criteria``...), its label, the phrase a notice uses and the plain words
a provider notice prints (``approved``, ``more information needed``...), and the three
criterion states (met, not met, not documented) come from ``ontology/core.ttl`` and
``ontology/determination.ttl``; nothing else in the code spells them. The order of severity is each
member's ``nec:severityRank`` (read by value), never the order of the ``owl:oneOf`` list: the members
of a oneOf form a set, and an OWL tool (Protégé, the OWL API) writes them back in its own order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rdflib import Graph, URIRef
from rdflib.collection import Collection

from ..namespaces import NEC, OWL, RDFS, SKOS
from .parsed_cache import parse_file
from .paths import data_root

__all__ = ["Term", "Outcome", "CriterionState", "ReviewDecision", "ReviewerRole", "OUTCOMES", "STATES", "DECISIONS",
           "ROLES", "term", "from_iri", "recommendation"]


@dataclass(frozen=True)
class Term:
    """One value of a closed vocabulary: its IRI, JSON word (the token kept in JSON and RDF), label,
    the phrase a sentence of a notice uses, and the plain words a provider notice prints for it."""

    iri: URIRef
    word: str
    label: str
    phrase: str
    notice: str
    symbol: str
    rank: int


def _rank(graph: Graph, iri) -> int:
    value = graph.value(iri, NEC.severityRank)
    try:
        return int(value.toPython())  # by value: 1, "1"^^xsd:integer and 1.0 are one rank
    except (AttributeError, TypeError, ValueError):
        raise LookupError(f"{iri} has no integer nec:severityRank") from None


def _read(graph: Graph, cls: URIRef) -> tuple[Term, ...]:
    for equivalent in graph.objects(cls, OWL.equivalentClass):
        members = graph.value(equivalent, OWL.oneOf)
        if members is None:
            continue
        out = []
        for iri in Collection(graph, members):
            word = str(graph.value(iri, SKOS.notation) or graph.value(iri, RDFS.label))
            out.append(Term(iri=URIRef(iri), word=word, label=str(graph.value(iri, RDFS.label) or word),
                            phrase=str(graph.value(iri, NEC.noticePhrase) or word),
                            notice=str(graph.value(iri, NEC.noticeLabel) or graph.value(iri, RDFS.label) or word),
                            symbol=str(graph.value(iri, NEC.stateSymbol) or ""), rank=_rank(graph, iri)))
        if len({t.rank for t in out}) != len(out):
            raise LookupError(f"two members of {cls} share a nec:severityRank")
        return tuple(sorted(out, key=lambda t: t.rank))
    raise LookupError(f"the ontology does not enumerate {cls}")


def _load() -> Graph:
    graph = Graph()
    root = data_root("ontology")
    for name in ("core.ttl", "determination.ttl"):
        parse_file(root / name, "turtle", into=graph)
    return graph


_GRAPH = _load()
OUTCOMES: tuple[Term, ...] = _read(_GRAPH, NEC.Outcome)
STATES: tuple[Term, ...] = _read(_GRAPH, NEC.CriterionState)
DECISIONS: tuple[Term, ...] = _read(_GRAPH, NEC.ReviewDecision)
ROLES: tuple[Term, ...] = _read(_GRAPH, NEC.ReviewerRole)
_RECOMMENDS = {str(_GRAPH.value(t.iri, SKOS.notation)): str(_GRAPH.value(_GRAPH.value(t.iri, NEC.recommendsDecision),
                                                                        SKOS.notation))
               for t in OUTCOMES if _GRAPH.value(t.iri, NEC.recommendsDecision) is not None}
del _GRAPH


def _local(iri: URIRef) -> str:
    return str(iri).rsplit("#", 1)[-1]


Outcome = StrEnum("Outcome", {_local(t.iri): t.word for t in OUTCOMES})  # type: ignore[misc]
"""Outcome of a line: members named as in the ontology (``Outcome.MeetsCriteria``), values its words."""
Outcome.__doc__ = "The outcome of a requested line, as the ontology enumerates it (nec:Outcome)."

CriterionState = StrEnum("CriterionState", {_local(t.iri): t.word for t in STATES})  # type: ignore[misc]
CriterionState.__doc__ = "The state of one criterion on one line (nec:CriterionState): met, not met, not documented."

ReviewDecision = StrEnum("ReviewDecision", {_local(t.iri).removesuffix("Decision"): t.word for t in DECISIONS})  # type: ignore[misc]
ReviewDecision.__doc__ = "A reviewer's decision on a line (nec:ReviewDecision): approve, pend, deny."

ReviewerRole = StrEnum("ReviewerRole", {_local(t.iri).removesuffix("Role"): t.word for t in ROLES})  # type: ignore[misc]
ReviewerRole.__doc__ = "The role a reviewer decides in (nec:ReviewerRole): nurse reviewer, physician reviewer."

_BY_WORD = {t.word: t for t in OUTCOMES + STATES + DECISIONS + ROLES}
_BY_IRI = {str(t.iri): t for t in OUTCOMES + STATES + DECISIONS + ROLES}

def recommendation(outcome: str | StrEnum) -> str | None:
    """The decision an engine outcome recommends to a reviewer (None for out-of-scope: not reviewed here)."""
    return _RECOMMENDS.get(str(outcome))


def term(word: str | StrEnum) -> Term:
    """The vocabulary term of an outcome or state word."""
    return _BY_WORD[str(word)]


def from_iri(iri: str | URIRef) -> Term:
    """The vocabulary term of an outcome or state IRI. Raises KeyError for any other IRI."""
    return _BY_IRI[str(iri)]
