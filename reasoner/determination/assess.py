"""Step 2: the outcome of one line in scope, and each criterion on it in one of three states.

- a ``sh:Violation`` whose failure kind is ``nec:Contradicted`` makes the line ``does-not-meet``;
  any other violation makes it ``insufficient-documentation``;
- where a line has two paths (the initial criteria, or documenting the pump that makes it a
  continuation), its outcome is the better of the two;
- a criterion is *met* on a line only when none of its shapes failed there and one of them looked
  at a documented fact (on its path, or on its ``nec:evidencePath`` where the path is empty when
  met, as for a contraindication documented as ruled out); absence is never met: where the shape
  names an evidence path and nothing is documented there, the criterion is *not documented*. A
  comparison with no limit to compare with (a drug without a label maximum), a check with nothing
  to judge, and an advisory with nothing to look at do not apply to the line and are not listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef

from ..knowledge.compiled import COMPARISONS, CompiledKnowledge, PolicyVersion, ShapeInfo
from ..namespaces import NEC, RDF, SH
from ..validation import Result
from ..knowledge.vocabulary import CriterionState, Outcome, term
from .citations import citations_of, fact_citations, merge
from .facts import evidence_for, facts_on_path
from .kinds import INITIAL_GROUP, SWITCH_GROUP
from .model import CriterionAssessment, Fact

__all__ = ["LineAssessment", "assess_line", "path_name", "focus_nodes", "COMPARISONS"]

_PATHS = {INITIAL_GROUP: "initial-criteria", SWITCH_GROUP: "continuation"}
_SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


def path_name(info: ShapeInfo) -> str:
    return _PATHS.get(info.group, "all")


def focus_nodes(data: Graph, info: ShapeInfo) -> set:
    nodes = set()
    for predicate, value in info.targets:
        if predicate == SH.targetClass:
            nodes.update(data.subjects(RDF.type, value))
        elif predicate == SH.targetNode:
            nodes.add(value)
        elif predicate == SH.targetSubjectsOf:
            nodes.update(data.subjects(value, None))
        elif predicate == SH.targetObjectsOf:
            nodes.update(data.objects(None, value))
    return nodes


@dataclass
class LineAssessment:
    outcome: Outcome
    criteria: list[CriterionAssessment]
    results: list[Result]                        # the results that count for this line


def _worst(shapes: dict[URIRef, ShapeInfo], results: list[Result]) -> Outcome:
    outcome = Outcome.MeetsCriteria
    for result in results:
        if result.severity != str(SH.Violation):
            continue
        this = (Outcome.DoesNotMeet if shapes[URIRef(result.shape)].failure_kind == NEC.Contradicted
                else Outcome.InsufficientDocumentation)
        if term(this).rank > term(outcome).rank:
            outcome = this
    return outcome


def _line_outcome(shapes: dict[URIRef, ShapeInfo], results: list[Result]) -> tuple[Outcome, list[Result]]:
    scored = [r for r in results if URIRef(r.shape) in shapes]
    switch = [r for r in scored if shapes[URIRef(r.shape)].group == SWITCH_GROUP]
    if not switch:
        return _worst(shapes, scored), results
    shared = [r for r in scored if shapes[URIRef(r.shape)].group not in (SWITCH_GROUP, INITIAL_GROUP)]
    initial = [r for r in scored if shapes[URIRef(r.shape)].group == INITIAL_GROUP]
    by_initial, by_switch = _worst(shapes, shared + initial), _worst(shapes, shared + switch)
    outcome = min(by_initial, by_switch, key=lambda o: term(o).rank)
    if by_initial == Outcome.MeetsCriteria:  # the initial criteria decide it: the other path is not asked for
        results = [r for r in results if r not in switch]
    return outcome, results


def evidence_path(version: PolicyVersion, info: ShapeInfo):
    """The shape's ``nec:evidencePath``: where the facts that met it are when its own path is empty."""
    return info.evidence_path


def _paths(version: PolicyVersion, info: ShapeInfo) -> list:
    return [p for p in (info.path, evidence_path(version, info)) if p is not None]


def _applies(version: PolicyVersion, data: Graph, info: ShapeInfo, focus) -> bool:
    """False for a comparison with nothing to compare with (no limit for this drug)."""
    return all(any(True for _ in data.objects(focus, prop)) for prop in info.compared)


def _looked_at(version: PolicyVersion, data: Graph, info: ShapeInfo, focus) -> bool:
    """Whether the shape had a documented fact to judge on this focus (else it passed vacuously)."""
    if info.path is None and evidence_path(version, info) is None:
        return True
    return any(any(True for _ in data.objects(focus, path)) for path in _paths(version, info))


def assess_line(knowledge: CompiledKnowledge, version: PolicyVersion, data: Graph, case_iri: URIRef, line,
                results: list[Result], applicable: dict, field_properties: dict[str, URIRef]) -> LineAssessment:
    """The outcome and the criteria tree of one line in scope."""
    shapes = version.shapes
    foci = {line} | set(data.objects(line, NEC.delivers))
    outcome, counted = _line_outcome(shapes, results)
    failed: dict[URIRef, list[Result]] = {}
    for result in counted:
        info = shapes.get(URIRef(result.shape))
        if info is not None and info.criterion is not None:
            failed.setdefault(info.criterion, []).append(result)

    by_criterion: dict[URIRef, list[tuple[ShapeInfo, object]]] = {}
    for focus in sorted(foci, key=str):
        for shape_iri in sorted(applicable.get(focus, ()), key=str):
            info = shapes[shape_iri]
            if info.criterion is not None:
                by_criterion.setdefault(info.criterion, []).append((info, focus))

    criteria: list[CriterionAssessment] = []
    for criterion, pairs in sorted(by_criterion.items(), key=lambda kv: str(kv[0])):
        infos = {info.iri: info for info, _ in pairs}
        severity = min((_SEVERITY.get(i.severity, "info") for i in infos.values()),
                       key=["violation", "warning", "info"].index)
        fails = failed.get(criterion, [])
        if fails:
            kinds = {shapes[URIRef(r.shape)].failure_kind for r in fails}
            state = CriterionState.CriterionNotMet if NEC.Contradicted in kinds else \
                CriterionState.CriterionNotDocumented
            shown = [(shapes[URIRef(r.shape)], URIRef(r.focus)) for r in fails]
        else:
            pairs = [(info, focus) for info, focus in pairs if _applies(version, data, info, focus)]
            if not pairs or severity == "info":
                pairs = [(i, f) for i, f in pairs if _looked_at(version, data, i, f)]
                if not pairs:
                    continue  # a comparison without a limit, or an advisory with nothing to judge
            shown = [(info, focus) for info, focus in pairs if _looked_at(version, data, info, focus)]
            if not shown and not any(evidence_path(version, info) is not None for info, _ in pairs):
                continue  # a check that found nothing to judge (no header code, no admixture): not listed
            state = CriterionState.CriterionMet if shown else CriterionState.CriterionNotDocumented
        facts: list[Fact] = []
        seen: set[str] = set()
        for info, focus in shown:
            compared = info.compared
            for path in _paths(version, info):
                for fact in facts_on_path(knowledge, data, focus, path, compared if path == info.path else ()):
                    key = fact.text
                    if key not in seen:
                        seen.add(key)
                        facts.append(fact)
        evidence = {(e.field, e.document, e.page): e for info, _ in shown for path in _paths(version, info)
                    for e in evidence_for(data, case_iri, field_properties, path)}  # the same locator once
        cited = merge(citations_of(knowledge, criterion, version),
                      *(fact_citations(knowledge, r.value, version) for r in fails))
        first = sorted(infos.values(), key=lambda i: str(i.iri))[0]
        doc = first.documentation
        criteria.append(CriterionAssessment(
            criterion=str(criterion), name=knowledge.label(criterion), state=state, severity=severity,
            path=path_name(first), any_one=any(i.any_one for i in infos.values()),
            facts=facts, evidence=sorted(evidence.values(), key=lambda e: e.model_dump_json()),
            messages=[shapes[URIRef(r.shape)].message for r in fails],
            citations=cited,
            document=str(knowledge.policy_graph.value(doc, NEC.documentName) or knowledge.label(doc)) if doc else None,
            document_iri=str(doc) if doc else None))
    rank = {"violation": 0, "warning": 1, "info": 2}
    paths = {"initial-criteria": 0, "continuation": 1, "all": 2}
    criteria.sort(key=lambda c: (rank[c.severity], paths[c.path], c.name))
    return LineAssessment(outcome=outcome, criteria=criteria, results=counted)
