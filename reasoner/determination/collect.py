"""Step 3: what the whole case asks of the provider and the reviewer.

The missing-documentation checklist (grouped by path, with the lines each item holds back and
its LOINC attachment codes), the warnings and advisories, the two alternative paths, the
specific reasons for each adverse line, and what the knowledge graph does not know.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from ..knowledge.compiled import CompiledKnowledge, PolicyVersion
from ..namespaces import NEC, SH
from ..validation import Result
from ..knowledge.vocabulary import CriterionState, Outcome, term
from .assess import path_name
from .citations import citations_of, fact_citations, merge
from .model import Alternative, LineDecision, MissingDocument, Notice, Reason, UnknownCode, UnknownTerms

__all__ = ["missing_documentation", "notices", "alternatives", "reasons", "unknown_terms"]

_VIOLATION = "violation"

_PATH_ORDER = {"initial-criteria": 0, "continuation": 1, "all": 2}


def _document(knowledge: CompiledKnowledge, doc) -> tuple[str | None, str | None, list[str]]:
    if doc is None:
        return None, None, []
    graph = knowledge.policy_graph
    name = str(graph.value(doc, NEC.documentName) or knowledge.label(doc))
    return name, str(doc), sorted(str(c) for c in graph.objects(doc, NEC.loincAttachmentCode))


def missing_documentation(knowledge: CompiledKnowledge, version: PolicyVersion,
                          per_line: list[tuple[LineDecision, list[Result]]]) -> list[MissingDocument]:
    items: dict[tuple, dict] = {}
    for line, results in per_line:
        for result in results:
            info = version.shapes.get(URIRef(result.shape))
            if (info is None or info.criterion is None or result.severity != str(SH.Violation)
                    or info.failure_kind == NEC.Contradicted):
                continue
            name, iri, loinc = _document(knowledge, info.documentation)
            key = (str(info.criterion), iri, path_name(info))
            entry = items.setdefault(key, {
                "criterion": str(info.criterion), "name": knowledge.label(info.criterion), "document": name,
                "document_iri": iri, "path": path_name(info), "blocks": [], "loinc_codes": loinc,
                "messages": [], "citations": citations_of(knowledge, info.criterion, version)})
            entry["blocks"].append(line.code)
            entry["messages"].append(info.message)
            entry["citations"] = merge(entry["citations"], fact_citations(knowledge, result.value, version))
    out = [MissingDocument(**entry) for entry in items.values()]
    return sorted(out, key=lambda e: (_PATH_ORDER[e.path], e.criterion, e.document_iri or ""))


def notices(knowledge: CompiledKnowledge, version: PolicyVersion,
            per_line: list[tuple[LineDecision, list[Result]]], severity: URIRef) -> list[Notice]:
    items: dict[str, dict] = {}
    for line, results in per_line:
        for result in results:
            info = version.shapes.get(URIRef(result.shape))
            if info is None or info.criterion is None or result.severity != str(severity):
                continue
            if line.outcome != Outcome.MeetsCriteria and _on_approved_lines_only(knowledge, info.criterion):
                continue  # about what an approval grants: nothing to act on where nothing is approved
            name, iri, loinc = _document(knowledge, info.documentation)
            entry = items.setdefault(result.shape, {
                "criterion": str(info.criterion), "name": knowledge.label(info.criterion), "shape": result.shape,
                "message": info.message, "lines": [], "document": name, "document_iri": iri,
                "loinc_codes": loinc, "citations": citations_of(knowledge, info.criterion, version)})
            entry["lines"].append(line.code)
            entry["citations"] = merge(entry["citations"], fact_citations(knowledge, result.value, version))
    return sorted((Notice(**e) for e in items.values()), key=lambda n: (n.criterion, n.shape))


def _on_approved_lines_only(knowledge: CompiledKnowledge, criterion: URIRef) -> bool:
    """Whether the knowledge marks a criterion's notices as concerning approved lines only."""
    value = knowledge.policy_graph.value(criterion, NEC.onApprovedLinesOnly)
    return value is not None and value.toPython() is True


def alternatives(missing: list[MissingDocument]) -> list[Alternative]:
    if not any(m.path == "continuation" for m in missing):
        return []
    return [Alternative(path=path, criteria=[m.criterion for m in missing if m.path in (path, "all")])
            for path in ("initial-criteria", "continuation")]


def reasons(line: LineDecision) -> list[Reason]:
    """The specific reasons for a line's outcome: each contradicted criterion, else each missing one."""
    if line.outcome == Outcome.OutOfScope:
        return [Reason(text=line.request_kind.explanation, citations=line.request_kind.citations)]
    wanted = {Outcome.DoesNotMeet: CriterionState.CriterionNotMet,
              Outcome.InsufficientDocumentation: CriterionState.CriterionNotDocumented}.get(line.outcome)
    if wanted is None:
        return []
    out = []
    for c in line.criteria:
        if c.state != wanted or c.severity != _VIOLATION or not c.messages:
            continue  # only what failed on this line is a reason for its outcome
        facts = "; ".join(f.text if f.kind in ("boolean", "record") else f"{f.label}: {f.text}" for f in c.facts)
        said = " ".join(c.messages)
        text = f"{c.name} ({term(c.state).phrase}): {said}" + (f" Documented: {facts}." if facts else "")
        out.append(Reason(text=text, criterion=c.criterion, citations=c.citations))
    return out


def unknown_terms(knowledge: CompiledKnowledge, data: Graph, case_iri: URIRef,
                  lines: list[LineDecision]) -> UnknownTerms:
    codes = [UnknownCode(code=line.code, system=line.system, line=line.index) for line in lines
             if data.value(URIRef(line.line), NEC.hasCode) is None]
    drugs = sorted({str(data.value(r, NEC.drug)).rsplit("#", 1)[-1]
                    for r in data.objects(case_iri, NEC.hasRegimen)
                    if data.value(r, NEC.drug) is not None and str(data.value(r, NEC.drug)) not in knowledge.types})
    diagnoses = sorted(str(data.value(d, NEC.notation)) for d in data.objects(case_iri, NEC.hasDiagnosis)
                       if data.value(d, NEC.hasCode) is None and not set(data.objects(d, NEC.inCodeGroup)))
    return UnknownTerms(codes=codes, diagnoses=diagnoses, drugs=drugs)
