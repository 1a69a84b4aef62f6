"""The namespaces Necessity uses, in one place."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

__all__ = [
    "NEC", "CASE", "DET", "OBO", "DCTERMS", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "XSD",
    "ONTOLOGY_IRI", "bind_prefixes",
]

class _Namespace(Namespace):
    """An rdflib ``Namespace`` that makes each attribute term once (rdflib builds and checks a new
    ``URIRef`` on every access, which the determination does tens of thousands of times a case)."""

    def __getattr__(self, name: str):
        value = super().__getattr__(name)
        self.__dict__[name] = value
        return value


NEC = _Namespace("https://w3id.org/necessity/ontology#")
"""The ontology's terms: classes, properties and knowledge individuals."""

CASE = Namespace("https://w3id.org/necessity/case/")
"""Case graphs and their nodes: ``CASE[<id>]`` names a case and its graph."""

DET = Namespace("https://w3id.org/necessity/determination/")
"""Determination graphs and their nodes."""

OBO = Namespace("http://purl.obolibrary.org/obo/")

ONTOLOGY_IRI = "https://w3id.org/necessity/ontology"


def bind_prefixes(graph) -> None:
    """Bind the project's usual prefixes on an rdflib graph."""
    for prefix, ns in (("nec", NEC), ("case", CASE), ("det", DET), ("obo", OBO), ("dct", DCTERMS),
                       ("owl", OWL), ("prov", PROV), ("rdfs", RDFS), ("sh", SH), ("skos", SKOS),
                       ("xsd", XSD)):
        graph.bind(prefix, ns, override=True)
