"""Step 1 of a determination: is a line in the policy's scope, and why is it the request kind it is.

The reasons come from the knowledge: the code's groups and their request-kind annotations
(``nec:requestKindIfPumpDocumented`` / ``nec:requestKindIfNoPump``), the policy version's covered
and excluded groups, the criteria of the group that switches a request to continuation, and the
case's own pump record with its evidence locators.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from ..knowledge.compiled import CompiledKnowledge, PolicyVersion
from ..namespaces import NEC, OBO
from .citations import citations_of
from .facts import evidence_for, record
from .model import Citation, RequestKindBasis

__all__ = ["LineScope", "scope_of", "SWITCH_GROUP", "INITIAL_GROUP"]

SWITCH_GROUP = URIRef("https://w3id.org/necessity/shapes/common#SwitchToContinuation")
INITIAL_GROUP = URIRef("https://w3id.org/necessity/shapes/common#InitialCriteria")
_DEFINITION = OBO.IAO_0000115


@dataclass
class LineScope:
    in_scope: bool
    basis: RequestKindBasis


def _switch_citations(knowledge: CompiledKnowledge, version: PolicyVersion) -> list[Citation]:
    """Citations of the criteria that make a request a continuation (the pump documentation group)."""
    criteria = {info.criterion for info in version.shapes.values() if info.group == SWITCH_GROUP and info.criterion}
    out = {}
    for criterion in sorted(criteria, key=str):
        for c in citations_of(knowledge, criterion, version):
            out[(c.source_id, c.locator)] = c
    return [out[k] for k in sorted(out)]


def _group_labels(knowledge: CompiledKnowledge, groups: set) -> str:
    return ", ".join(sorted(knowledge.label(g) for g in groups))


def scope_of(knowledge: CompiledKnowledge, version: PolicyVersion, data: Graph, case_iri: URIRef, line,
             field_properties: dict[str, URIRef]) -> LineScope:
    """Decide whether ``line`` is in scope and say why it has its request kind."""
    onto = knowledge.ontology
    code = str(data.value(line, NEC.notation))
    system = str(data.value(line, NEC.codeSystemName))
    known = data.value(line, NEC.hasCode)
    groups = set(data.objects(line, NEC.inCodeGroup))
    code_citations = citations_of(knowledge, known, version)
    if known is None:
        return LineScope(False, RequestKindBasis(
            explanation=f"{system} {code} is not a code the knowledge graph knows, so no criterion of "
                        f"{version.title} decides it."))
    covered, excluded = groups & version.covers, groups & version.excludes
    if excluded or not covered:
        definition = onto.value(known, _DEFINITION)
        why = (f"{system} {code} is in the code group '{_group_labels(knowledge, excluded)}', which {version.title} "
               f"(version {version.label}) excludes from its scope" if excluded else
               f"{system} {code} is in no code group that {version.title} (version {version.label}) covers")
        text = f"{why}. {definition}." if definition else f"{why}."
        return LineScope(False, RequestKindBasis(explanation=text.replace("..", "."), citations=code_citations))

    kind = data.value(line, NEC.requestKind)
    pump_documented = (case_iri, NEC.pumpDocumented, Literal(True)) in data
    facts, evidence, citations = [], [], _switch_citations(knowledge, version)
    if kind is None:
        return LineScope(True, RequestKindBasis(
            explanation=f"{system} {code} ({knowledge.label(known)}) is decided on the criteria of its own code "
                        f"groups ({_group_labels(knowledge, covered)}).", citations=code_citations))
    kind_groups = [g for g in groups if (g, NEC.requestKindIfPumpDocumented, kind) in onto
                   or (g, NEC.requestKindIfNoPump, kind) in onto]
    group_text = _group_labels(knowledge, set(kind_groups) or covered)
    for pump in sorted(data.objects(case_iri, NEC.hasImplantedPump), key=str):
        facts.append(record(knowledge, data, pump, label=knowledge.label(NEC.hasImplantedPump)))
    pump_fields = [name for name, prop in field_properties.items() if prop == NEC.hasImplantedPump]
    evidence = [e for e in evidence_for(data, case_iri, field_properties, None) if e.field in pump_fields]
    where = "; ".join(f"{e.document}{f', page {e.page}' if e.page else ''}" for e in evidence)
    kind_label = knowledge.label(kind)
    if pump_documented:
        text = (f"{system} {code} is in the code group '{group_text}'; the case documents an implanted pump"
                f"{f' ({where})' if where else ''}, so it is judged as {kind_label}.")
    elif any((g, NEC.requestKindIfPumpDocumented, NEC.ContinuationRequest) in onto for g in groups):
        text = (f"{system} {code} is in the code group '{group_text}'; no implanted pump is documented (a refill or supply "
                f"code alone does not document one), so it is judged as {kind_label}. Documenting the "
                f"implanted pump would make it a continuation.")
    else:
        text = f"{system} {code} is in the code group '{group_text}', judged as {kind_label}."
    delivered = sorted({knowledge.label(d) for r in data.objects(line, NEC.delivers)
                        for d in data.objects(r, NEC.drug)})
    if delivered and not data.value(line, NEC.billedDrug):
        text += f" It delivers {', '.join(delivered)}, so it follows that drug's criteria."
    return LineScope(True, RequestKindBasis(kind=str(kind), label=kind_label, explanation=text, facts=facts,
                                            evidence=evidence, citations=citations))
