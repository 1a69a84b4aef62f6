"""Inference: derive the few facts the shapes need, per case, on top of the pre-computed closure.

The rules of ``shapes/rules.ttl`` run in ``sh:order`` over the union of the ontology's OWL closure
(held once per process in an in-memory Oxigraph store) and the case, each in its own named graph so
that concurrent cases never see each other. The output is a small data graph: the case, what the
rules derived, and the types of the knowledge individuals the case refers to (``sh:class`` needs
them). Validation then never touches the ontology.
"""

from __future__ import annotations

import threading
import uuid

import pyoxigraph as ox
from rdflib import Graph, URIRef

from .knowledge.compiled import CompiledKnowledge, from_ox, to_ox
from .namespaces import RDF, bind_prefixes

__all__ = ["infer"]

_THIS = ox.Variable("this")


_LOCAL = threading.local()
_RECYCLE = 100


def _work_store(knowledge: CompiledKnowledge) -> ox.Store:
    """This thread's copy of the closure store, replaced every ``_RECYCLE`` cases: Oxigraph's in-memory
    store keeps removed quads, so one long-lived store that takes and drops a graph per case got
    about 3x slower over 360 cases (measured, see bench/README.md)."""
    if getattr(_LOCAL, "knowledge", None) is not knowledge or _LOCAL.uses >= _RECYCLE:
        store = ox.Store()
        store.bulk_extend(knowledge.closure.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        _LOCAL.knowledge, _LOCAL.store, _LOCAL.uses = knowledge, store, 0
    _LOCAL.uses += 1
    return _LOCAL.store


def infer(knowledge: CompiledKnowledge, case: Graph, case_iri: URIRef) -> Graph:
    """Return the case graph with the rules' derivations and the referenced knowledge types."""
    scratch = ox.NamedNode(f"urn:necessity:scratch:{uuid.uuid4()}")
    store = _work_store(knowledge)
    quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), scratch) for s, p, o in case]
    store.extend(quads)
    try:
        default_graph = [ox.DefaultGraph(), scratch]
        for _order, construct in knowledge.rules:
            derived = store.query(construct, default_graph=default_graph,
                                  substitutions={_THIS: ox.NamedNode(str(case_iri))})
            store.extend([ox.Quad(t.subject, t.predicate, t.object, scratch) for t in derived])
        data = Graph()
        bind_prefixes(data)
        for quad in store.quads_for_pattern(None, None, None, scratch):
            data.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    finally:
        store.remove_graph(scratch)
    for node in set(data.objects()) | set(data.subjects()):
        for cls in knowledge.types.get(str(node), ()):
            data.add((node, RDF.type, cls))
    return data
