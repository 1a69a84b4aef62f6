"""rdflib terms and pyoxigraph terms, one into the other (the fast path and the caches keep pyoxigraph's)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

__all__ = ["to_ox", "from_ox"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_ox(term):
    """Convert an rdflib term to a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def from_ox(term):
    """Convert a pyoxigraph term to an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)  # RDF 1.1: a plain literal is an xsd:string; rdflib tells them apart
    return Literal(term.value, datatype=URIRef(term.datatype.value))
