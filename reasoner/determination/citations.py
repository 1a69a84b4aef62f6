"""Citations as a notice shows them: source title, issuer, section or locator, and address."""

from __future__ import annotations

from rdflib import URIRef

from ..compiled import CompiledKnowledge
from ..namespaces import DCTERMS, NEC
from .model import Citation

__all__ = ["citation", "citations_of"]


def citation(knowledge: CompiledKnowledge, node) -> Citation:
    """One citation node (in the shapes or the ontology) read into the model."""
    onto = knowledge.ontology
    graph = knowledge.policy_graph if (node, NEC.citesSource, None) in knowledge.policy_graph else onto
    source = graph.value(node, NEC.citesSource)
    confidence = graph.value(node, NEC.confidence)
    return Citation(
        source_id=str(onto.value(source, NEC.sourceId) or str(source).rsplit("#", 1)[-1]),
        title=str(onto.value(source, DCTERMS.title) or knowledge.label(source)),
        issuer=str(onto.value(source, DCTERMS.publisher)) if onto.value(source, DCTERMS.publisher) else None,
        locator=str(graph.value(node, NEC.locator) or ""),
        url=str(onto.value(source, NEC.url)) if onto.value(source, NEC.url) else None,
        confidence=knowledge.label(confidence) if confidence is not None else None,
    )


def citations_of(knowledge: CompiledKnowledge, subject: URIRef | None) -> list[Citation]:
    """The citations of a criterion, clock or code, sorted by source and locator."""
    if subject is None:
        return []
    nodes = set(knowledge.policy_graph.objects(subject, NEC.hasCitation)) | set(
        knowledge.ontology.objects(subject, NEC.hasCitation))
    out = {(c.source_id, c.locator): c for c in (citation(knowledge, n) for n in nodes)}
    return [out[k] for k in sorted(out)]
