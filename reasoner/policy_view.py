"""What ``necessity policies`` and ``GET /policies`` show: each policy's versions, a version's criteria
with citations, and a version's clause matrix (every clause of its text and what the shapes do with it).

Read from the compiled knowledge only; nothing here knows a policy.
"""

from __future__ import annotations

from rdflib import URIRef

from .determination import citations_of
from .knowledge.compiled import CompiledKnowledge, PolicyVersion
from .knowledge.policy_clauses import Clause, clauses_of
from .namespaces import NEC, SKOS

__all__ = ["CLAUSE_KEYS", "clause_rows", "policies", "policy"]

_DEFINITION = URIRef("http://purl.obolibrary.org/obo/IAO_0000115")

CLAUSE_KEYS = ("clause", "text", "source", "locator", "confidence", "status", "reason", "criteria")
"""The keys of one clause row (``necessity policies ID --clauses --json``)."""


def _versions(knowledge: CompiledKnowledge) -> list[PolicyVersion]:
    return sorted(knowledge.versions.values(), key=lambda v: (v.policy_id, v.effective_date))


def _criteria(knowledge: CompiledKnowledge, version: PolicyVersion) -> list[dict]:
    graph = knowledge.policy_graph
    shapes_by_criterion: dict[str, list] = {}
    for info in version.shapes.values():
        if info.criterion is not None:
            shapes_by_criterion.setdefault(str(info.criterion), []).append(info)
    out = []
    for criterion in version.criteria:
        infos = sorted(shapes_by_criterion.get(str(criterion), []), key=lambda i: str(i.iri))
        doc = graph.value(criterion, NEC.satisfiedBy)
        out.append({
            "id": str(criterion),
            "name": knowledge.label(criterion),
            "description": str(graph.value(criterion, _DEFINITION) or ""),
            "severity": sorted({str(i.severity).rsplit("#", 1)[-1] for i in infos}),
            "documentation": str(graph.value(doc, NEC.documentName) or "") if doc else "",
            "shapes": [str(i.iri) for i in infos],
            "citations": [c.model_dump(mode="json") for c in citations_of(knowledge, criterion, version)],
        })
    return out


def _code_groups(knowledge: CompiledKnowledge, groups) -> list[dict]:
    """Code groups with their label and the codes the ontology puts in each (notation and label)."""
    ontology, out = knowledge.ontology, []
    for group in sorted(groups, key=str):
        codes = sorted((str(ontology.value(URIRef(iri), SKOS.notation)), knowledge.label(iri))
                       for iri, types in knowledge.types.items()
                       if group in types and (URIRef(iri), SKOS.notation, None) in ontology)
        out.append({"iri": str(group), "label": knowledge.label(group),
                    "codes": [{"code": code, "label": label} for code, label in codes]})
    return out


def _summary(version: PolicyVersion) -> dict:
    return {"label": version.label, "effective_date": version.effective_date, "end_date": version.end_date,
            "current": version.current, "iri": str(version.iri)}


def policies(knowledge: CompiledKnowledge) -> list[dict]:
    """Every policy with its versions and the criteria (with citations) of the version in force today."""
    out: dict[str, dict] = {}
    for version in _versions(knowledge):
        entry = out.setdefault(version.policy_id, {
            "id": version.policy_id, "title": version.title, "iri": str(version.policy_iri),
            "versions": [], "criteria": []})
        entry["versions"].append(_summary(version))
        if version.current:
            entry["criteria"] = _criteria(knowledge, version)
            entry["covers"] = _code_groups(knowledge, version.covers)
            entry["excludes"] = _code_groups(knowledge, version.excludes)
    return [out[k] for k in sorted(out)]


def policy(knowledge: CompiledKnowledge, policy_id: str) -> dict:
    """One policy, ``id`` or ``id@label``: its versions and the criteria of the version named (default:
    the one in force today), with ``version`` saying which.

    Raises:
        UnknownPolicyError: no such policy or version.
    """
    version = knowledge.policy_version(policy_id)
    versions = knowledge.policy_versions(version.policy_id)
    return {"id": version.policy_id, "title": version.title, "iri": str(version.policy_iri),
            "versions": [_summary(v) for v in versions], "version": version.label,
            "covers": _code_groups(knowledge, version.covers), "excludes": _code_groups(knowledge, version.excludes),
            "criteria": _criteria(knowledge, version)}


def _joined(clause: Clause, version: PolicyVersion, knowledge: CompiledKnowledge) -> tuple[str, str, str]:
    """The clause's citations as one source, locator and confidence: those of the version's own sources
    when it has any (a clause shared by two versions cites both versions' sources), else all."""
    own = {str(knowledge.ontology.value(s, NEC.sourceId) or s)
           for s in knowledge.policy_graph.objects(version.iri, NEC.basedOn)}
    cited = [c for c in clause.citations if c.source in own] or list(clause.citations)
    confidence = sorted({knowledge.label(str(NEC) + c.confidence) for c in cited if c.confidence})
    return ("; ".join(dict.fromkeys(c.source for c in cited)), " | ".join(c.locator for c in cited),
            ", ".join(confidence))


def clause_rows(knowledge: CompiledKnowledge, policy_id: str) -> tuple[PolicyVersion, list[dict]]:
    """The clause matrix of a policy version (``id`` or ``id@label``), one row per clause, by clause id.

    Raises:
        UnknownPolicyError: no such policy or version.
    """
    version = knowledge.policy_version(policy_id)
    rows = []
    for clause in clauses_of(knowledge.policy_graph, knowledge.ontology, version.iri, version.criteria):
        source, locator, confidence = _joined(clause, version, knowledge)
        rows.append({"clause": clause.clause_id, "text": clause.text, "source": source, "locator": locator,
                     "confidence": confidence, "status": clause.status, "reason": clause.reason,
                     "criteria": [str(c) for c in clause.criteria]})
    return version, rows
