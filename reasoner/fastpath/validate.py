"""Run a policy version's compiled shapes over case graphs in a pyoxigraph store.

The compiled queries read the named graphs of the cases; shapes the compiler left out are validated
by pyshacl over an rdflib copy of each case graph, and only their results are kept.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from rdflib import Graph

from ..knowledge.compiled import PolicyVersion, from_ox
from ..validation import Result, validate_case
from .compiler import GRAPH_VAR, CompiledShapes

__all__ = ["validate_graphs"]

_GRAPH = ox.Variable(GRAPH_VAR)
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


def _text(term) -> str:
    return term.value


def validate_graphs(store: ox.Store, compiled: CompiledShapes, version: PolicyVersion,
                    graphs: list[ox.NamedNode]) -> dict[ox.NamedNode, list[Result]]:
    """Validation results per case graph (sorted, without duplicates, as pyshacl's reading)."""
    found: dict[ox.NamedNode, set[Result]] = defaultdict(set)
    if len(graphs) == 1:
        options = {"substitutions": {_GRAPH: graphs[0]}}
    else:
        options = {"named_graphs": graphs}
    # what the data graphs hold decides which queries can match: SHACL instances of a class are its
    # direct instances when no data graph has rdfs:subClassOf, and a class no node has targets nothing
    direct = not any(True for g in graphs for _ in store.quads_for_pattern(None, _SUBCLASS, None, g))
    present = {q.object.value for g in graphs for q in store.quads_for_pattern(None, _TYPE, None, g)}
    for query in compiled.queries:
        if direct and query.target_classes is not None and not (query.target_classes & present):
            continue
        for row in store.query(query.direct_text if direct else query.text, **options):
            graph = graphs[0] if len(graphs) == 1 else row[0]
            value = row[2] if len(row) > 2 else None
            found[graph].add(Result(focus=_text(row[1]), shape=query.shape, severity=query.severity,
                                    value=None if value is None else _text(value)))
    if compiled.fallback:
        for graph in graphs:
            data = Graph()
            for quad in store.quads_for_pattern(None, None, None, graph):
                data.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
            for result in validate_case(data, version):
                if result.shape in compiled.fallback:
                    found[graph].add(result)
    return {graph: sorted(found.get(graph, ())) for graph in graphs}
