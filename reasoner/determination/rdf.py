"""The determination model as RDF, both ways: :func:`to_graph` writes what the store keeps and
:func:`from_graph` reads a stored graph back into the same model.

One table (:data:`SPEC`) says, for each model class, its ``rdf:type`` and the property of each
field; every term is declared in ``ontology/determination.ttl`` or ``core.ttl`` (a test checks).
List items are nodes under their parent's IRI with ``nec:position``, so order survives (facts are
named by their content and position instead, so a fact repeated under several criteria is one node);
a list item's ``rdf:type`` is not written: the ontology's ``rdfs:range`` of the property that links it
states it (a test checks each), and :func:`from_graph` does not read it (about 70 triples of a
determination's 820; the root keeps its type, and a citation, whose property's range is the wider
``nec:Citation``, keeps ``nec:CitationRecord``);
lists of plain strings are sets, and the model keeps them sorted. Beside the table's triples, the graph
carries short-cut triples that SPARQL authors query (``nec:metCriterion`` and its two siblings,
``nec:requestKind`` on the line outcome); :func:`from_graph` ignores them.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from rdflib import Graph, URIRef

from ..namespaces import DCTERMS, NEC, PROV, RDF, bind_prefixes
from ..knowledge.versions import BASES
from ..knowledge.vocabulary import CriterionState, from_iri
from .terms import Lit as _Lit, literal as _literal, nt_iri as _nt_iri, nt_value as _nt_value
from .model import (Alternative, Authorization, Citation, CriterionAssessment, DecisionClock, Determination,
                    EvidenceLocator, Fact, IntakeWarning,
                    LineDecision, MissingDocument, Notice, Parties, PolicyRef, Reason, RequestKindBasis,
                    SafetyNotice, UnknownCode, UnknownTerms, VersionChoice)
from .rdf_review import PROVENANCE_TERMS, REVIEW_SPEC, REVIEWER_BASE, provenance
from .review_model import Review

__all__ = ["to_graph", "to_ntriples", "triples", "from_graph", "SPEC", "predicates", "REVIEWER_BASE"]

# kinds: lit, int, bool, date, datetime, iri, term (vocabulary IRI <-> word), lits / iris (sets),
# node (a nested model or a list of them, with its class), inline (a nested model on the same node),
# shared (citations: one node per distinct citation in the determination, named by its content and
# linked from every place that cites it; the model keeps citation lists sorted, so no position)
SPEC: dict[type, tuple[URIRef | None, dict[str, tuple]]] = {
    Determination: (NEC.Determination, {
        "case_id": (NEC.decidedCaseId, "lit"), "case_iri": (NEC.decidesCase, "iri"),
        "policy": (None, "inline", PolicyRef), "engine_version": (NEC.engineVersion, "lit"),
        "outcome": (NEC.outcome, "term"), "clock": (None, "inline", DecisionClock),
        "parties": (None, "inline", Parties), "lines": (NEC.hasLineOutcome, "node", LineDecision),
        "missing_documentation": (NEC.hasMissingDocumentation, "node", MissingDocument),
        "alternatives": (NEC.hasAlternativePath, "node", Alternative),
        "warnings": (NEC.hasWarning, "node", Notice), "advisories": (NEC.hasAdvisory, "node", Notice),
        "safety_notices": (NEC.hasSafetyNotice, "node", SafetyNotice), "unknown": (None, "inline", UnknownTerms),
        "intake_warnings": (NEC.hasIntakeWarning, "node", IntakeWarning),
        "review": (NEC.hasReview, "node", Review)}),
    IntakeWarning: (NEC.IntakeWarning, {"element": (NEC.requestElement, "lit"), "message": (NEC.message, "lit")}),
    PolicyRef: (None, {
        "id": (NEC.policyId, "lit"), "title": (NEC.policyTitle, "lit"), "version": (NEC.versionLabel, "lit"),
        "version_iri": (NEC.underPolicyVersion, "iri"), "effective_date": (NEC.policyEffectiveDate, "date"),
        "selected_by": (None, "inline", VersionChoice), "sources": (NEC.policyBasedOnSource, "lits")}),
    VersionChoice: (None, {
        "basis": (NEC.versionSelectionBasis, "basis"), "date": (NEC.versionSelectionDate, "date"),
        "reason": (NEC.versionSelectionReason, "lit")}),
    DecisionClock: (None, {
        "received_at": (NEC.requestReceivedAt, "datetime"), "decided_at": (PROV.generatedAtTime, "datetime"),
        "urgency": (NEC.decisionUrgency, "lit"), "urgency_stated": (NEC.urgencyStated, "bool"),
        "allowed_hours": (NEC.allowedDecisionHours, "int"), "due_at": (NEC.decisionDueAt, "datetime"),
        "turnaround_hours": (NEC.turnaroundHours, "decimal"), "past_due": (NEC.decidedPastDue, "bool"),
        "documents_due_at": (NEC.documentsDueAt, "datetime"),
        "citations": (NEC.hasCitation, "shared", Citation)}),
    Parties: (None, {
        "member_id": (NEC.noticeMemberId, "lit"), "patient_name": (NEC.noticePatientName, "lit"),
        "patient_birth_date": (NEC.noticePatientBirthDate, "date"), "provider_npi": (NEC.noticeProviderNpi, "lit"),
        "provider_name": (NEC.noticeProviderName, "lit")}),
    UnknownTerms: (None, {
        "codes": (NEC.hasUnknownCode, "node", UnknownCode), "diagnoses": (NEC.unknownDiagnosis, "lits"),
        "drugs": (NEC.unknownDrug, "lits")}),
    UnknownCode: (NEC.UnknownCodeReport, {
        "code": (NEC.notation, "lit"), "system": (NEC.codeSystemName, "lit"), "line": (NEC.outcomeLineIndex, "int")}),
    LineDecision: (NEC.LineOutcome, {
        "index": (NEC.outcomeLineIndex, "int"), "line": (NEC.forLine, "iri"), "code": (NEC.notation, "lit"),
        "system": (NEC.codeSystemName, "lit"), "label": (NEC.codeLabel, "lit"),
        "request_kind": (NEC.hasRequestKindBasis, "node", RequestKindBasis), "outcome": (NEC.outcome, "term"),
        "reasons": (NEC.hasReason, "node", Reason), "criteria": (NEC.hasAssessment, "node", CriterionAssessment),
        "missing_documents": (NEC.missingDocument, "iris"), "authorization": (None, "inline", Authorization)}),
    Authorization: (None, {
        "units": (NEC.approvedUnits, "decimal"), "valid_from": (NEC.validFromDate, "date"),
        "valid_to": (NEC.validToDate, "date"), "basis": (NEC.validityBasis, "lit")}),
    RequestKindBasis: (NEC.RequestKindBasis, {
        "kind": (NEC.requestKind, "iri"), "label": (NEC.requestKindLabel, "lit"),
        "explanation": (NEC.explanation, "lit"), "facts": (NEC.hasFact, "node", Fact),
        "evidence": (NEC.citesEvidence, "node", EvidenceLocator), "citations": (NEC.hasCitation, "shared", Citation)}),
    Reason: (NEC.OutcomeReason, {
        "text": (NEC.explanation, "lit"), "criterion": (NEC.aboutCriterion, "iri"),
        "citations": (NEC.hasCitation, "shared", Citation)}),
    CriterionAssessment: (NEC.CriterionAssessment, {
        "criterion": (NEC.aboutCriterion, "iri"), "name": (NEC.criterionName, "lit"),
        "state": (NEC.criterionState, "term"), "severity": (NEC.criterionSeverity, "lit"),
        "path": (NEC.documentationPath, "lit"), "any_one": (NEC.satisfiedByAnyOne, "flag"),
        "facts": (NEC.hasFact, "node", Fact),
        "evidence": (NEC.citesEvidence, "node", EvidenceLocator), "messages": (NEC.message, "lits"),
        "citations": (NEC.hasCitation, "shared", Citation), "document": (NEC.documentationName, "lit"),
        "document_iri": (NEC.documentationItem, "iri")}),
    Fact: (NEC.Fact, {
        "label": (NEC.factLabel, "lit"), "kind": (NEC.factKind, "lit"), "text": (NEC.factText, "lit"),
        "value": (NEC.factValue, "lit"), "unit": (NEC.unitSymbol, "lit"), "items": (NEC.hasFact, "node", Fact)}),
    Citation: (NEC.CitationRecord, {
        "source_id": (NEC.citedSourceId, "lit"), "title": (DCTERMS.title, "lit"),
        "issuer": (DCTERMS.publisher, "lit"), "locator": (NEC.locator, "lit"), "url": (NEC.citedUrl, "lit"),
        "issuer_url": (NEC.citedIssuerUrl, "lit"), "source_type": (NEC.citedSourceType, "lit"),
        "confidence": (NEC.confidenceLabel, "lit")}),
    EvidenceLocator: (NEC.EvidenceLocator, {
        "field": (NEC.aboutField, "lit"), "document": (NEC.document, "lit"), "page": (NEC.page, "int")}),
    MissingDocument: (NEC.MissingDocumentationItem, {
        "criterion": (NEC.aboutCriterion, "iri"), "name": (NEC.criterionName, "lit"),
        "document": (NEC.documentationName, "lit"), "document_iri": (NEC.documentationItem, "iri"),
        "path": (NEC.documentationPath, "lit"), "blocks": (NEC.blocksLine, "lits"),
        "loinc_codes": (NEC.loincAttachmentCode, "lits"), "messages": (NEC.message, "lits"),
        "citations": (NEC.hasCitation, "shared", Citation)}),
    Notice: (NEC.ReviewNotice, {
        "criterion": (NEC.aboutCriterion, "iri"), "name": (NEC.criterionName, "lit"),
        "shape": (NEC.sourceShape, "iri"), "message": (NEC.message, "lit"), "lines": (NEC.concernsLine, "lits"),
        "document": (NEC.documentationName, "lit"), "document_iri": (NEC.documentationItem, "iri"),
        "loinc_codes": (NEC.loincAttachmentCode, "lits"), "citations": (NEC.hasCitation, "shared", Citation)}),
    SafetyNotice: (NEC.SafetyNotice, {
        "drug": (NEC.noticeDrug, "lit"), "lines": (NEC.concernsLine, "lits"), "message": (NEC.message, "lit"),
        "citations": (NEC.hasCitation, "shared", Citation)}),
    Alternative: (NEC.AlternativePath, {
        "path": (NEC.documentationPath, "lit"), "criteria": (NEC.aboutCriterion, "iris")}),
}

SPEC.update(REVIEW_SPEC)

# list items named by their content and position, so the same fact shown under several criteria
# and lines (a regimen, a diagnosis) is one node linked from each: about a third of a
# determination's triples were repeated facts. The position is the item's own, so it is the same
# under every parent that links it, and a reader sorts by it as for any list.
_BY_CONTENT = {Fact: "fact"}

_SHORTCUTS = {CriterionState.CriterionMet: NEC.metCriterion, CriterionState.CriterionNotMet: NEC.unmetCriterion,
              CriterionState.CriterionNotDocumented: NEC.undocumentedCriterion}


def predicates() -> set[URIRef]:
    """Every property and class the RDF of a determination uses (the ontology must declare each)."""
    out = {NEC.position, NEC.requestKind, *_SHORTCUTS.values(), *PROVENANCE_TERMS}
    for cls, fields in SPEC.values():
        if cls is not None:
            out.add(cls)
        out.update(spec[0] for spec in fields.values() if spec[0] is not None)
    return out


def _shared_iri(root: str, item) -> str:
    digest = hashlib.sha1(item.model_dump_json().encode("utf-8")).hexdigest()[:16]
    return f"{root}/citation/{digest}"


def _content_iri(root: str, segment: str, item, position: int) -> str:
    digest = hashlib.sha1(f"{position} {item.model_dump_json()}".encode("utf-8")).hexdigest()[:16]
    return f"{root}/{segment}/{digest}"


class _Triples(list):
    """The triples of a determination as :func:`_write` makes them (subject and predicate IRIs as
    text; the object an IRI as text or a :class:`_Lit`), and the shared nodes written."""

    def __init__(self) -> None:
        super().__init__()
        self.shared: set[str] = set()

    add = list.append


def _write(graph: _Triples, node: str, model, root: str | None = None, typed: bool = True) -> None:
    root = root if root is not None else node
    cls, fields = SPEC[type(model)]
    if cls is not None and typed:
        graph.add((node, _TYPE, str(cls)))
    for name, spec in fields.items():
        predicate, kind = spec[0], spec[1]
        value = getattr(model, name)
        if kind == "inline":
            if value is not None:
                _write(graph, node, value, root)
        elif value is None or (kind == "flag" and not value):  # a flag is stated only when true
            continue
        elif kind == "shared":
            for item in value:
                child = _shared_iri(root, item)
                graph.add((node, predicate, child))
                if child not in graph.shared:
                    graph.shared.add(child)
                    _write(graph, child, item, root)
        elif kind == "node":
            for position, item in enumerate(value if isinstance(value, list) else [value]):
                if type(item) in _BY_CONTENT:  # one node for equal facts at equal positions
                    child = _content_iri(root, _BY_CONTENT[type(item)], item, position)
                    graph.add((node, predicate, child))
                    if child in graph.shared:
                        continue
                    graph.shared.add(child)
                else:
                    child = f"{node}/{name.replace('_', '-')}/{position}"
                    graph.add((node, predicate, child))
                graph.add((child, _POSITION, _Lit("int", position)))
                _write(graph, child, item, root, typed=False)  # its class is the property's range
        elif kind in ("lits", "iris"):
            for item in value:
                graph.add((node, predicate, str(item) if kind == "iris" else _Lit("lit", item)))
        else:
            graph.add((node, predicate, _Lit("bool" if kind == "flag" else kind, value)))


_TYPE, _POSITION = str(RDF.type), str(NEC.position)


def _raw(det: Determination, iri: str) -> _Triples:
    """The determination's triples in :class:`_Triples` form, possibly with repeats, root named ``iri``."""
    out = _Triples()
    iri = str(iri)
    _write(out, iri, det)
    for position, line in enumerate(det.lines):
        node = f"{iri}/lines/{position}"
        if line.request_kind.kind:
            out.add((node, str(NEC.requestKind), str(line.request_kind.kind)))
        for assessment in line.criteria:
            out.add((node, str(_SHORTCUTS[assessment.state]), str(assessment.criterion)))
    if det.review is not None:
        provenance(out.add, iri, det.review)
    return out


def triples(det: Determination, iri: URIRef) -> list[tuple]:
    """The triples of the determination's RDF (rdflib terms, without repeats), its root named ``iri``."""
    made: dict = {}  # each node and value made once (subjects and predicates repeat on every triple)

    def node(x):  # noqa: ANN001, ANN202
        found = made.get(x)
        if found is None:
            found = made[x] = _literal(x.kind, x.value) if isinstance(x, _Lit) else URIRef(x)
        return found

    return [(node(s), node(p), node(o)) for s, p, o in dict.fromkeys(_raw(det, iri))]


def to_graph(det: Determination, iri: URIRef) -> Graph:
    """The determination as RDF, its root node named ``iri``."""
    graph = Graph()
    bind_prefixes(graph)
    graph.addN((s, p, o, graph) for s, p, o in triples(det, iri))
    return graph


def to_ntriples(det: Determination, iri: URIRef) -> str:
    """The same triples as :func:`to_graph`, as N-Triples text sorted by line (what a store writes),
    written as text from the model: no rdflib or pyoxigraph term is made (converting the rdflib terms
    took two thirds of this, measured; issue 21)."""
    lines = {f"{_nt_iri(s)} <{p}> {_nt_value(o.kind, o.value) if isinstance(o, _Lit) else _nt_iri(o)} .\n"
             for s, p, o in _raw(det, iri)}
    return "".join(sorted(lines))


def _value(kind: str, value):
    if kind == "term":
        return from_iri(value).word
    if kind == "basis":
        return {str(iri): word for word, iri in BASES.items()}[str(value)]
    if kind in ("int", "bool", "flag", "datetime", "decimal"):
        python = value.toPython()
        if kind == "datetime" and not isinstance(python, datetime):
            raise ValueError(f"not an xsd:dateTime: {value}")
        return python
    return str(value)


def _read(graph: Graph, node: URIRef, model: type):
    _cls, fields = SPEC[model]
    data = {}
    for name, spec in fields.items():
        predicate, kind = spec[0], spec[1]
        if kind == "inline":
            optional = model.model_fields[name].default is None
            present = any((node, s[0], None) in graph for s in SPEC[spec[2]][1].values() if s[0] is not None)
            data[name] = _read(graph, node, spec[2]) if present or not optional else None
        elif kind == "shared":
            data[name] = sorted((_read(graph, child, spec[2]) for child in graph.objects(node, predicate)),
                                key=lambda c: (c.source_id, c.locator))
        elif kind == "node":
            children = sorted(graph.objects(node, predicate),
                              key=lambda c: int(graph.value(c, NEC.position) or 0))
            items = [_read(graph, child, spec[2]) for child in children]
            annotation = model.model_fields[name].annotation
            is_list = getattr(annotation, "__origin__", None) is list or str(annotation).startswith("list")
            data[name] = items if is_list else (items[0] if items else None)
        elif kind in ("lits", "iris"):
            data[name] = sorted(str(o) for o in graph.objects(node, predicate))
        else:
            value = graph.value(node, predicate)
            if value is not None:
                data[name] = _value(kind, value)
    return model(**data)


def from_graph(graph: Graph, iri: URIRef) -> Determination:
    """Read a stored determination graph back into the model.

    Raises:
        ValueError: the graph holds no determination named ``iri``, or one the model refuses.
    """
    iri = URIRef(iri)
    if (iri, RDF.type, NEC.Determination) not in graph:
        raise ValueError(f"no determination {iri} in the graph")
    return _read(graph, iri, Determination)

