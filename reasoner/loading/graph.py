"""Any parsed graph -> the case's own nodes: one ``nec:Case``, blank nodes named, all under its IRI.

Confinement: the case node is ``CASE[<id>]``; every node it reaches through the form's node
properties lies under ``CASE[<id>]/``; no other subject may appear. Knowledge IRIs may only be the
objects of the form's enumeration properties and ``nec:drug`` (checked when the graph is read
back, :mod:`.readback`). So a submitted case can state nothing about another case or the knowledge.
"""

from __future__ import annotations

from typing import Any

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from reasoner.errors import CaseLoadError
from reasoner.namespaces import CASE, NEC

from .form import SAFE_ID
from .schema import Field, Schema

__all__ = ["find_case", "skolemize", "case_nodes", "Nodes"]

Nodes = dict[URIRef, tuple[Field, str]]
"""Node IRI -> (the field that holds it, its path in the form such as ``requested[0]``)."""


def find_case(graph: rdflib.Graph, source: str) -> tuple[URIRef, str]:
    cases = set(graph.subjects(RDF.type, NEC.Case))
    if len(cases) != 1:
        raise CaseLoadError(f"the input must describe exactly one nec:Case, found {len(cases)}",
                            source=source, field="rdf:type")
    case = cases.pop()
    if not isinstance(case, URIRef):
        raise CaseLoadError("the nec:Case node must be an IRI, not a blank node", source=source)
    prefix = str(CASE)
    case_id = str(case)[len(prefix):] if str(case).startswith(prefix) else ""
    if not SAFE_ID.match(case_id):
        raise CaseLoadError(f"the nec:Case IRI must be {prefix}<id> with a safe identifier <id>",
                            source=source, field="id")
    return case, case_id


def _content_key(graph: rdflib.Graph, node: BNode) -> tuple[Any, ...]:
    index = graph.value(node, NEC.lineIndex)
    index_key = int(index) if isinstance(index, Literal) and str(index).isdigit() else 1 << 30
    content = sorted(f"{p.n3()} {o.n3() if not isinstance(o, BNode) else '_'}"
                     for p, o in graph.predicate_objects(node))
    return (index_key, content)


def skolemize(graph: rdflib.Graph, case: URIRef, owner: Schema, source: str) -> rdflib.Graph:
    """Name the blank nodes of a case's nodes as the form would: ``CASE[<id>/line/0]``, ``.../trial/step/1``."""
    if not any(isinstance(t, BNode) for triple in graph for t in triple):
        return graph
    used = {t for triple in graph for t in triple if isinstance(t, URIRef)}
    mapping: dict[BNode, URIRef] = {}

    def name_children(parent: Any, base: str, schema: Schema, path: str) -> None:
        for spec in schema.nodes():
            assert spec.schema is not None
            segment = spec.schema.segment
            where = f"{path}.{spec.key}" if path else spec.key
            children = list(graph.objects(parent, spec.prop))
            blanks = sorted((o for o in children if isinstance(o, BNode)), key=lambda b: _content_key(graph, b))
            i = 0
            for blank in blanks:
                while True:
                    iri = URIRef(f"{base}/{segment}/{i}" if spec.many else f"{base}/{segment}")
                    i += 1
                    if iri not in used or not spec.many:
                        break
                if iri in used or blank in mapping:
                    raise CaseLoadError("cannot name a blank node: its IRI is taken or it is used twice",
                                        source=source, field=where)
                mapping[blank] = iri
                used.add(iri)
            for child in children:
                named = mapping.get(child, child) if isinstance(child, BNode) else child
                if isinstance(named, URIRef) and named != case:
                    name_children(child, str(named), spec.schema, where)

    name_children(case, str(case), owner, "")
    out = rdflib.Graph()
    for s, p, o in graph:
        s2 = mapping.get(s, s) if isinstance(s, BNode) else s
        o2 = mapping.get(o, o) if isinstance(o, BNode) else o
        if isinstance(s2, BNode) or isinstance(o2, BNode):
            raise CaseLoadError("a blank node that is not a node of the case (only the case's "
                                "nodes may be blank)", source=source)
        out.add((s2, p, o2))
    return out


def case_nodes(graph: rdflib.Graph, case: URIRef, owner: Schema, source: str) -> Nodes:
    """The case's nodes and their nodes, each under the case IRI; any other subject is refused."""
    nodes: Nodes = {}
    prefix = f"{case}/"

    def collect(parent: URIRef, schema: Schema, path: str) -> None:
        for spec in schema.nodes():
            assert spec.schema is not None
            where = f"{path}.{spec.key}" if path else spec.key
            for node in graph.objects(parent, spec.prop):
                if not isinstance(node, URIRef):
                    raise CaseLoadError("must be a node (an IRI or blank node), not a literal",
                                        source=source, field=where)
                if not str(node).startswith(prefix):
                    raise CaseLoadError(f"the node must lie under the case's own IRI ({prefix}...); a case "
                                        "cannot state facts about another case or the knowledge",
                                        source=source, field=where)
                if node in nodes or node == case:
                    raise CaseLoadError("one node is used twice in the case", source=source, field=where)
                nodes[node] = (spec, where)
                collect(node, spec.schema, where)

    collect(case, owner, "")
    for subject in set(graph.subjects()):
        if subject != case and subject not in nodes:
            raise CaseLoadError(f"statements about {_named(subject, case)}, which is neither the case nor "
                                "one of its nodes", source=source)
    return nodes


def _named(subject: Any, case: URIRef) -> str:
    """Name a refused subject without echoing arbitrary input: known namespaces only."""
    text = str(subject)
    if text.startswith(str(NEC)) and len(text) < 120:
        return "nec:" + text[len(str(NEC)):]
    if text.startswith(str(CASE)) and len(text) < 200:
        return "<" + text + ">" if not text.startswith(f"{case}/") else "a node of the case not linked to it"
    return "an IRI outside the case"
