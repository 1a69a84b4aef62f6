"""Determination: one typed model (:mod:`.model`) made from the validation results in named steps.

``determine`` runs the steps in order: the scope and request kind of each line (:mod:`.kinds`),
the outcome and the criteria tree of each line in scope (:mod:`.assess`), what the case asks of
the provider and the reviewer (:mod:`.collect`), the decision clock (:mod:`.clock`), and what each
approved line grants (:mod:`.authorization`).
"""

from __future__ import annotations

from datetime import datetime

from rdflib import Graph, URIRef

from ..knowledge.compiled import CompiledKnowledge, PolicyVersion
from ..namespaces import NEC, SH
from ..validation import Result
from ..knowledge.vocabulary import Outcome, term
from .assess import assess_line, focus_nodes
from .authorization import authorize
from .citations import citations_of
from .clock import decision_clock, parties
from .collect import alternatives, missing_documentation, notices, reasons, unknown_terms
from .kinds import scope_of
from .model import (Alternative, Authorization, Citation, CriterionAssessment, DecisionClock, Determination,
                    EvidenceLocator, Fact, IntakeWarning, LineDecision, MissingDocument, Notice, Parties, PolicyRef,
                    Reason, RequestKindBasis, SafetyNotice, UnknownCode, UnknownTerms, VersionChoice)
from .safety import safety_notices

__all__ = [
    "determine", "Determination", "LineDecision", "Authorization", "CriterionAssessment", "Citation",
    "EvidenceLocator", "Fact",
    "MissingDocument", "Notice", "SafetyNotice", "Alternative", "Reason", "RequestKindBasis", "PolicyRef",
    "Parties", "VersionChoice", "DecisionClock", "UnknownCode", "UnknownTerms", "IntakeWarning",
    "citations_of", "overall_outcome",
]


def overall_outcome(lines: list[LineDecision]) -> Outcome:
    """The worst outcome among the lines in scope; out-of-scope when none is."""
    ranked = [line.outcome for line in lines if line.outcome != Outcome.OutOfScope]
    return max(ranked, key=lambda o: term(o).rank) if ranked else Outcome.OutOfScope


def _applicable(data: Graph, version: PolicyVersion) -> dict:
    applicable: dict = {}
    for info in version.shapes.values():
        for node in focus_nodes(data, info):
            applicable.setdefault(node, set()).add(info.iri)
    return applicable


def determine(*, knowledge: CompiledKnowledge, version: PolicyVersion, data: Graph, case_iri: URIRef,
              case_id: str, results: list[Result], engine_version: str, field_properties: dict[str, URIRef],
              decided_at: datetime) -> Determination:
    """Turn validation results into one outcome per requested line, with everything behind it."""
    by_focus: dict[str, list[Result]] = {}
    for result in results:
        by_focus.setdefault(result.focus, []).append(result)
    applicable = _applicable(data, version)
    lines_in_case = sorted(data.objects(case_iri, NEC.hasRequestedLine),
                           key=lambda n: int(data.value(n, NEC.lineIndex) or 0))
    decided: list[tuple[LineDecision, list[Result]]] = []
    for line in lines_in_case:
        known = data.value(line, NEC.hasCode)
        scope = scope_of(knowledge, version, data, case_iri, line, field_properties)
        base = dict(index=int(data.value(line, NEC.lineIndex) or 0), line=str(line),
                    code=str(data.value(line, NEC.notation)), system=str(data.value(line, NEC.codeSystemName)),
                    label=knowledge.label(known) if known is not None else None, request_kind=scope.basis)
        if not scope.in_scope:
            decision = LineDecision(outcome=Outcome.OutOfScope, **base)
            decided.append((decision.model_copy(update={"reasons": reasons(decision)}), []))
            continue
        foci = {line} | set(data.objects(line, NEC.delivers))
        line_results = [r for f in sorted(foci, key=str) for r in by_focus.get(str(f), [])]
        assessed = assess_line(knowledge, version, data, case_iri, line, line_results, applicable,
                               field_properties)
        decision = LineDecision(outcome=assessed.outcome, criteria=assessed.criteria, **base)
        decision = decision.model_copy(update={"reasons": reasons(decision)})
        decided.append((decision, assessed.results))

    missing = missing_documentation(knowledge, version, decided)
    lines = []
    for decision, _results in decided:
        docs = [m.document_iri for m in missing if decision.code in m.blocks and m.document_iri]
        lines.append(decision.model_copy(update={"missing_documents": sorted(set(docs))}))
    lines = authorize(knowledge, version, data, lines)
    effective = knowledge.policy_graph.value(version.iri, NEC.effectiveDate)
    return Determination(
        case_id=case_id, case_iri=str(case_iri),
        policy=PolicyRef(id=version.policy_id, title=version.title, version=version.label,
                         version_iri=str(version.iri), effective_date=str(effective) if effective else None,
                         sources=[str(knowledge.ontology.value(src, NEC.sourceId) or str(src).rsplit("#", 1)[-1])
                                  for src in knowledge.policy_graph.objects(version.iri, NEC.basedOn)]),
        engine_version=engine_version, outcome=overall_outcome(lines),
        clock=decision_clock(knowledge, version, data, case_iri, decided_at), parties=parties(data),
        lines=lines, missing_documentation=missing, alternatives=alternatives(missing),
        warnings=notices(knowledge, version, decided, SH.Warning),
        advisories=notices(knowledge, version, decided, SH.Info),
        safety_notices=safety_notices(knowledge, version, data, lines), unknown=unknown_terms(knowledge, data, case_iri, lines),
    )
