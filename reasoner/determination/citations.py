"""Citations as a notice shows them: source title, issuer, section or locator, and the addresses of
the copy read and of the issuer's own publication.

Under one policy, a criterion never cites the sources that only other policies are based on (a
Medicare article is not cited in an Aetna letter), unless it has no other citation.
"""

from __future__ import annotations

from rdflib import URIRef

from ..knowledge.compiled import CompiledKnowledge, PolicyVersion
from ..namespaces import DCTERMS, NEC, OWL, RDF
from .model import Citation

__all__ = ["citation", "citations_of", "foreign_sources", "fact_citations", "merge"]


def foreign_sources(knowledge: CompiledKnowledge, version: PolicyVersion | None) -> frozenset:
    """Sources other policy versions are based on and this one is not."""
    if version is None:
        return frozenset()
    cache = knowledge.__dict__.setdefault("_foreign_sources", {})
    if version.iri not in cache:
        graph = knowledge.policy_graph
        own = set(graph.objects(version.iri, NEC.basedOn))
        others = {s for v in knowledge.versions.values() for s in graph.objects(v.iri, NEC.basedOn)}
        cache[version.iri] = frozenset(others - own)
    return cache[version.iri]


def citation(knowledge: CompiledKnowledge, node) -> Citation:
    """One citation node (in the shapes or the ontology) read into the model."""
    onto = knowledge.ontology
    graph = knowledge.policy_graph if (node, NEC.citesSource, None) in knowledge.policy_graph else onto
    source = graph.value(node, NEC.citesSource)
    confidence = graph.value(node, NEC.confidence)
    publisher, url = onto.value(source, DCTERMS.publisher), onto.value(source, NEC.url)
    issuer_url = onto.value(source, NEC.issuerUrl)
    kinds = sorted(str(t) for t in onto.objects(source, RDF.type) if t != OWL.NamedIndividual)
    return Citation(
        source_id=str(onto.value(source, NEC.sourceId) or str(source).rsplit("#", 1)[-1]),
        title=str(onto.value(source, DCTERMS.title) or knowledge.label(source)),
        issuer=str(publisher) if publisher is not None else None,
        locator=str(graph.value(node, NEC.locator) or ""),
        url=str(url) if url is not None else None,
        issuer_url=str(issuer_url) if issuer_url is not None else None,
        source_type=kinds[0] if kinds else None,
        confidence=knowledge.label(confidence) if confidence is not None else None,
    )


def citations_of(knowledge: CompiledKnowledge, subject: URIRef | None,
                 version: PolicyVersion | None = None) -> list[Citation]:
    """The citations of a criterion, clock, code or knowledge fact, sorted by source and locator."""
    if subject is None:
        return []
    cache = knowledge.__dict__.setdefault("_citations", {})
    key = (str(subject), str(version.iri) if version is not None else None)
    if key not in cache:
        cache[key] = _citations_of(knowledge, subject, version)
    return [c.model_copy() for c in cache[key]]


def _citations_of(knowledge: CompiledKnowledge, subject: URIRef, version: PolicyVersion | None) -> list[Citation]:
    nodes = set(knowledge.policy_graph.objects(subject, NEC.hasCitation)) | set(
        knowledge.ontology.objects(subject, NEC.hasCitation))
    exclude = foreign_sources(knowledge, version)
    own = [n for n in nodes if (knowledge.policy_graph.value(n, NEC.citesSource)
                                or knowledge.ontology.value(n, NEC.citesSource)) not in exclude]
    out = {(c.source_id, c.locator): c for c in (citation(knowledge, n) for n in (own or nodes))}
    return [out[k] for k in sorted(out)]


def merge(*groups: list[Citation]) -> list[Citation]:
    out = {(c.source_id, c.locator): c for group in groups for c in group}
    return [out[k] for k in sorted(out)]


def fact_citations(knowledge: CompiledKnowledge, value: str | None, version: PolicyVersion) -> list[Citation]:
    """A result whose value is a cited knowledge fact (a label indication, a condition) cites it too."""
    if value is None or not value.startswith("http"):
        return []
    if (URIRef(value), NEC.hasCitation, None) not in knowledge.ontology:
        return []
    return citations_of(knowledge, URIRef(value), version)
