"""Step 2: the outcome of one line in scope, and each criterion on it in one of three states.

- a ``sh:Violation`` whose failure kind is ``nec:Contradicted`` makes the line ``does-not-meet``;
  any other violation makes it ``insufficient-documentation``;
- where a line has two paths (the initial criteria, or documenting the pump that makes it a
  continuation), its outcome is the better of the two;
- a criterion is *met* on a line only when a shape of it looked at a documented value there and
  none of its shapes failed: a shape that had nothing to look at (no value on its path, or no
  limit to compare with, as for a drug without a label maximum) does not make its criterion met.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef

from ..compiled import CompiledKnowledge, PolicyVersion, ShapeInfo
from ..namespaces import NEC, RDF, SH
from ..validation import Result
from ..vocabulary import CriterionState, Outcome, term
from .citations import citations_of
from .facts import evidence_for, facts_on_path
from .kinds import INITIAL_GROUP, SWITCH_GROUP
from .model import CriterionAssessment, Fact

__all__ = ["LineAssessment", "assess_line", "path_name", "focus_nodes", "COMPARISONS"]

COMPARISONS = (SH.lessThanOrEquals, SH.lessThan, SH.equals, SH.disjoint)
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


def _looked_at(version: PolicyVersion, data: Graph, info: ShapeInfo, focus) -> bool:
    """Whether the shape had a documented value to judge on this focus (else it passed vacuously)."""
    if info.path is None:
        return True
    if not any(True for _ in data.objects(focus, info.path)):
        return False
    graph = version.shapes_graph
    return all(any(True for _ in data.objects(focus, prop))
               for predicate in COMPARISONS for prop in graph.objects(info.iri, predicate))


def assess_line(knowledge: CompiledKnowledge, version: PolicyVersion, data: Graph, case_iri: URIRef, line,
                results: list[Result], applicable: dict, field_properties: dict[str, URIRef]) -> LineAssessment:
    """The outcome and the criteria tree of one line in scope."""
    shapes, graph = version.shapes, version.shapes_graph
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
            shown = [(info, focus) for info, focus in pairs if _looked_at(version, data, info, focus)]
            if not shown:
                continue  # nothing documented was judged: the criterion does not apply here
            state = CriterionState.CriterionMet
        facts: list[Fact] = []
        seen: set[str] = set()
        for info, focus in shown:
            if info.path is None:
                continue
            compared = tuple(p for c in COMPARISONS for p in graph.objects(info.iri, c))
            for fact in facts_on_path(knowledge, data, focus, info.path, compared):
                key = fact.text
                if key not in seen:
                    seen.add(key)
                    facts.append(fact)
        evidence = {e.model_dump_json(): e for info, _ in shown
                    for e in evidence_for(data, case_iri, field_properties, info.path) if info.path is not None}
        first = sorted(infos.values(), key=lambda i: str(i.iri))[0]
        doc = first.documentation
        criteria.append(CriterionAssessment(
            criterion=str(criterion), name=knowledge.label(criterion), state=state, severity=severity,
            path=path_name(first),
            facts=facts, evidence=[evidence[k] for k in sorted(evidence)],
            messages=[shapes[URIRef(r.shape)].message for r in fails],
            citations=citations_of(knowledge, criterion),
            document=str(knowledge.policy_graph.value(doc, NEC.documentName) or knowledge.label(doc)) if doc else None,
            document_iri=str(doc) if doc else None))
    rank = {"violation": 0, "warning": 1, "info": 2}
    paths = {"initial-criteria": 0, "continuation": 1, "all": 2}
    criteria.sort(key=lambda c: (rank[c.severity], paths[c.path], c.name))
    return LineAssessment(outcome=outcome, criteria=criteria, results=counted)
