"""The terms of a determination's RDF, made two ways from the model's values: as rdflib terms
(:func:`literal`, for :func:`reasoner.determination.rdf.to_graph`) and as N-Triples text
(:func:`nt_value`, :func:`nt_iri`, for :func:`reasoner.determination.rdf.to_ntriples`, which writes
what a store stores without making an rdflib or pyoxigraph term: converting them was two thirds of
its time, measured for issue 21). Both give the same term for the same value (a test compares the
graphs).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rdflib import Literal, URIRef

from ..knowledge.versions import BASES
from ..knowledge.vocabulary import term
from ..namespaces import XSD

__all__ = ["Lit", "literal", "nt_iri", "nt_value"]


class Lit(NamedTuple):
    """A literal (or vocabulary IRI) in the model's terms: a kind of :data:`reasoner.determination.rdf.SPEC`
    and the field's value."""

    kind: str
    value: object


def literal(kind: str, value) -> Literal | URIRef:
    """A field's value as the rdflib term the determination graph holds."""
    if kind in ("iri",):
        return URIRef(str(value))
    if kind == "term":
        return term(value).iri
    if kind == "basis":
        return BASES[value]
    if kind == "int":
        return Literal(int(value))
    if kind == "decimal":
        return Literal(value, datatype=XSD.decimal)
    if kind == "bool":
        return Literal(bool(value))
    if kind == "date":
        return Literal(str(value), datatype=XSD.date)
    if kind == "datetime":
        return Literal(value.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)
    return Literal(str(value))


_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESCAPES = {c: f"\\u{c:04X}" for c in range(0x20)} | {0x7F: "\\u007F", ord("\\"): "\\\\", ord('"'): '\\"',
                                                      ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}
_XSD_TYPES = {kind: f"^^<{XSD[name]}>" for kind, name in (("int", "integer"), ("decimal", "decimal"),
                                                          ("bool", "boolean"), ("date", "date"), ("datetime", "dateTime"))}


def nt_iri(iri: str) -> str:
    """An IRI as N-Triples; ValueError for a string no IRI can be (as pyoxigraph refuses it)."""
    if _NOT_IN_IRI.search(iri):
        raise ValueError(f"not an IRI: {iri[:200]!r}")
    return f"<{iri}>"


def nt_value(kind: str, value) -> str:
    """A :class:`Lit` as N-Triples: the same term :func:`literal` makes."""
    if kind in ("iri", "term", "basis"):
        return nt_iri(str(literal(kind, value)))
    if kind == "int":
        text = str(int(value))
    elif kind == "bool":
        text = "true" if value else "false"
    elif kind in ("decimal", "date", "datetime"):
        text = str(literal(kind, value))  # rdflib's lexical form, as to_graph writes it
    else:
        return f'"{str(value).translate(_ESCAPES)}"'
    return f'"{text}"{_XSD_TYPES[kind]}'
