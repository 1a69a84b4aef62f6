"""A determination's record read straight from pyoxigraph quads: no rdflib graph, no model.

Listing a case's determinations (``GET /cases/{id}``) needs only what the root node of each
determination graph says about itself and the outcome of each line: a dozen quads of a graph
of a thousand. :func:`record_from_quads` reads those few through pattern lookups, and gives
the same :class:`~reasoner.store.results.DeterminationRecord` as
:func:`~reasoner.store.results.read_record` (which reads the whole graph into the
determination model; a test compares the two on stored determinations). A graph without a
``nec:Determination`` root (one written before the model existed) is left to ``read_record``:
the function answers None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import pyoxigraph as ox

from ..namespaces import CASE, NEC, PROV, RDF
from .results import DeterminationRecord

__all__ = ["record_from_quads", "record_from_ntriples", "Lookup"]

Lookup = Callable[[ox.NamedNode | ox.BlankNode, ox.NamedNode | None], Iterable[ox.Quad | ox.Triple]]
"""Quads (or triples) of one graph with this subject (and predicate, when not None)."""

_TYPE = ox.NamedNode(str(RDF.type))
_DETERMINATION = ox.NamedNode(str(NEC.Determination))
_ROOT = {ox.NamedNode(str(p)): name for p, name in (
    (NEC.underPolicyVersion, "policy_version"), (NEC.policyId, "policy_id"), (NEC.versionLabel, "version_label"),
    (NEC.engineVersion, "engine_version"), (PROV.generatedAtTime, "generated_at"))}
_LINE = ox.NamedNode(str(NEC.hasLineOutcome))
_OUTCOME = ox.NamedNode(str(NEC.outcome))
_CODE = ox.NamedNode(str(NEC.notation))
_FOR_LINE = ox.NamedNode(str(NEC.forLine))
_REVIEW = ox.NamedNode(str(NEC.hasReview))


def _instant(text: str) -> str:
    """An xsd:dateTime as the model writes it back (UTC as ``Z``)."""
    try:
        return datetime.fromisoformat(text).isoformat().replace("+00:00", "Z")
    except ValueError:
        return text


def record_from_quads(case_id: str, number: int, det: str, lookup: Lookup) -> DeterminationRecord | None:
    """The record of determination ``det`` from its graph's quads, or None if it has no typed root."""
    root = ox.NamedNode(det)
    if not any(q.object == _DETERMINATION for q in lookup(root, _TYPE)):
        return None
    fields: dict[str, str] = {}
    for predicate, name in _ROOT.items():  # one lookup each: the root has many more quads than these
        for quad in lookup(root, predicate):
            fields[name] = quad.object.value
    lines = [quad.object for quad in lookup(root, _LINE)]
    if "generated_at" in fields:
        fields["generated_at"] = _instant(fields["generated_at"])
    outcomes: dict[str, str] = {}
    for line in lines:
        values = {p: q.object.value for p in (_OUTCOME, _CODE, _FOR_LINE) for q in lookup(line, p)}
        key = values.get(_CODE, values.get(_FOR_LINE))
        if _OUTCOME in values and key is not None:
            outcomes[key] = values[_OUTCOME]
    return DeterminationRecord(number=number, iri=det, case_iri=str(CASE[case_id]), outcomes=dict(sorted(outcomes.items())),
                               reviewed=any(True for _ in lookup(root, _REVIEW)), **fields)


def record_from_ntriples(case_id: str, number: int, det: str, data: bytes) -> DeterminationRecord | None:
    """The record of determination ``det`` from its graph as N-Triples (a remote store's answer),
    parsed by pyoxigraph and indexed by subject; None if it has no typed root."""
    by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = {}
    for triple in ox.parse(data, ox.RdfFormat.N_TRIPLES):
        by_subject.setdefault(triple.subject, []).append(triple)

    def lookup(subject, predicate):  # noqa: ANN001, ANN202 - see Lookup
        return [t for t in by_subject.get(subject, ()) if predicate is None or t.predicate == predicate]

    return record_from_quads(case_id, number, det, lookup)
