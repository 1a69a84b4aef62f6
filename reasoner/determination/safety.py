"""Step 5: safety notices for lines that keep a running pump drug going and are refused or pended.

The inference rules link such a line to the withdrawal risk of its drug (``nec:withdrawalRiskOfLine``);
the notice's words (``nec:safetyNotice``) and citations are the knowledge's.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from ..knowledge.compiled import CompiledKnowledge, PolicyVersion
from ..namespaces import NEC
from ..knowledge.vocabulary import Outcome
from .citations import citations_of
from .model import LineDecision, SafetyNotice

__all__ = ["safety_notices"]

_HELD = (Outcome.InsufficientDocumentation, Outcome.DoesNotMeet)


def safety_notices(knowledge: CompiledKnowledge, version: PolicyVersion, data: Graph,
                   lines: list[LineDecision]) -> list[SafetyNotice]:
    onto, notices = knowledge.ontology, {}
    for line in lines:
        if line.outcome not in _HELD:
            continue
        for risk in sorted(data.objects(URIRef(line.line), NEC.withdrawalRiskOfLine), key=str):
            message = onto.value(risk, NEC.safetyNotice)
            if message is None:
                continue
            entry = notices.setdefault(str(risk), {
                "drug": knowledge.label(onto.value(risk, NEC.aboutDrug)), "lines": [], "message": str(message),
                "citations": citations_of(knowledge, risk, version)})
            entry["lines"].append(line.code)
    return sorted((SafetyNotice(**e) for e in notices.values()), key=lambda n: n.drug)
