"""RDF terms and SHACL property paths written as SPARQL text, and fresh variable names.

Small helpers of the SHACL-to-SPARQL compiler (:mod:`reasoner.fastpath.components`).
"""

from __future__ import annotations

import itertools
import json

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection

from ..namespaces import RDF, SH

__all__ = ["Unsupported", "term", "path_text", "Names", "items"]


class Unsupported(Exception):
    """A shape uses a SHACL feature the compiler does not translate: pyshacl validates that shape."""


def term(node) -> str:
    """A constant RDF term as SPARQL text (blank nodes cannot be constants in a query)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = json.dumps(str(node), ensure_ascii=False)
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None:
            return f"{text}^^<{node.datatype}>"
        return text
    raise Unsupported(f"a blank node used as a value: {node!r}")


def items(graph: Graph, head) -> list:
    """The members of an RDF list."""
    if head == RDF.nil:
        return []
    if (head, RDF.first, None) not in graph:
        raise Unsupported(f"not an RDF list: {head!r}")
    return list(Collection(graph, head))


def path_text(graph: Graph, node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in graph:
        parts = items(graph, node)
        if len(parts) < 2:
            raise Unsupported("a sequence path needs two members")
        return "(" + "/".join(path_text(graph, p) for p in parts) + ")"
    for predicate, wrap in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                            (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = graph.value(node, predicate)
        if inner is not None:
            return "(" + wrap.format(path_text(graph, inner)) + ")"
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, p) for p in items(graph, alternatives)) + ")"
    raise Unsupported(f"unknown SHACL path {node!r}")


class Names:
    """Fresh SPARQL variable names, so nested patterns never capture each other's variables."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def __call__(self, hint: str = "v") -> str:
        return f"?_{hint}{next(self._counter)}"

