"""Compile a policy version's SHACL shapes graph to SPARQL SELECT queries, once per version.

Every shape that can report a result (it has targets, or a node shape with targets holds it through
``sh:property``) gets one small query per constraint component; the engine notes measured many small
queries as faster on Oxigraph than one ``UNION``. Each query reads the case graphs as named graphs::

    SELECT DISTINCT ?_graph ?this ?value WHERE { GRAPH ?_graph { <targets of ?this> <violation> } }

so the same query validates one case (``?_graph`` bound) or a whole batch at once. SHACL-SPARQL
constraints (``sh:sparql`` with ``sh:select``) run as a sub-select inside the same ``GRAPH``.
A shape with a feature the compiler does not translate is listed in ``fallback``: pyshacl validates
that shape alone (see :mod:`reasoner.fastpath.validate`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from ..namespaces import RDF, RDFS, SH
from .components import checks
from .sparql_text import Names, Unsupported, path_text, term

__all__ = ["CompiledQuery", "CompiledShapes", "compile_shapes", "GRAPH_VAR"]

GRAPH_VAR = "_graph"
_OWL_CLASS = URIRef("http://www.w3.org/2002/07/owl#Class")
_PREFIX = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*", re.IGNORECASE)
_PROJECTS_THIS = re.compile(r"SELECT\s+(DISTINCT\s+|REDUCED\s+)?(\*|[^{]*\$this\b)", re.IGNORECASE)


_TYPE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"


@dataclass(frozen=True)
class CompiledQuery:
    shape: str
    severity: str
    component: str
    text: str
    target_classes: frozenset[str] | None = None  # every target is one of these classes (None: other targets)

    @property
    def direct_text(self) -> str:
        """The query for data graphs without ``rdfs:subClassOf``: SHACL instances are direct instances."""
        return self.text.replace(_TYPE_PATH, f"<{RDF.type}>")


@dataclass
class CompiledShapes:
    """The queries of one policy version, and the shapes left to pyshacl."""

    queries: list[CompiledQuery] = field(default_factory=list)
    fallback: dict[str, str] = field(default_factory=dict)  # shape IRI -> why it was not compiled


def _targets(graph: Graph, shape, parents: dict) -> list[str]:
    """Target patterns binding ``?this``: the shape's own and those of the node shapes holding it."""
    found = []
    for cls in graph.objects(shape, SH.targetClass):
        found.append(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {term(cls)} .")
    if (shape, RDF.type, RDFS.Class) in graph or (shape, RDF.type, _OWL_CLASS) in graph:
        found.append(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {term(shape)} .")
    for node in graph.objects(shape, SH.targetNode):
        found.append(f"VALUES ?this {{ {term(node)} }}")
    for prop in graph.objects(shape, SH.targetSubjectsOf):
        found.append(f"?this {term(prop)} [] .")
    for prop in graph.objects(shape, SH.targetObjectsOf):
        found.append(f"[] {term(prop)} ?this .")
    if (shape, SH.target, None) in graph:
        raise Unsupported("a SPARQL-based target (sh:target)")
    for parent in parents.get(shape, ()):
        found.extend(_targets(graph, parent, parents))
    return sorted(set(found))


def _target_classes(graph: Graph, shape, parents: dict) -> frozenset[str] | None:
    """The classes of the shape's targets when all its targets are class targets, else None."""
    if any((shape, p, None) in graph for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)):
        return None
    found = {str(c) for c in graph.objects(shape, SH.targetClass)}
    if (shape, RDF.type, RDFS.Class) in graph or (shape, RDF.type, _OWL_CLASS) in graph:
        found.add(str(shape))
    for parent in parents.get(shape, ()):
        inherited = _target_classes(graph, parent, parents)
        if inherited is None:
            return None
        found |= inherited
    return frozenset(found)


def _target_pattern(targets: list[str]) -> str:
    if len(targets) == 1:
        return targets[0]
    return " UNION ".join(f"{{ {t} }}" for t in targets)


def _select(body: str, targets: list[str], value: str | None, prologue: str = "") -> str:
    projected = f"({value} AS ?value)" if value and value != "?value" else ("?value" if value else "")
    return (f"{prologue}SELECT DISTINCT ?{GRAPH_VAR} ?this {projected} WHERE {{ GRAPH ?{GRAPH_VAR} {{ "
            f"{_target_pattern(targets)} {body} }} }}")


def _sparql_constraints(graph: Graph, shape, targets: list[str], severity: str) -> list[CompiledQuery]:
    out = []
    path_node = graph.value(shape, SH.path)
    for constraint in graph.objects(shape, SH.sparql):
        if (constraint, SH.deactivated, Literal(True)) in graph:
            continue
        select = graph.value(constraint, SH.select)
        if select is None:
            raise Unsupported("sh:sparql without sh:select")
        text = str(select)
        prologue = ""
        for declared in graph.objects(constraint, SH.prefixes):
            for declaration in graph.objects(declared, SH.declare):
                prefix, namespace = graph.value(declaration, SH.prefix), graph.value(declaration, SH.namespace)
                prologue += f"PREFIX {prefix}: <{namespace}>\n"
        while (match := _PREFIX.match(text)) is not None:
            prologue += f"PREFIX {match.group(1) or ''}: <{match.group(2)}>\n"
            text = text[match.end():]
        if re.match(r"\s*BASE\b", text, re.IGNORECASE) or "$PATH" in text and path_node is None:
            raise Unsupported("a SPARQL constraint with BASE or an unbound $PATH")
        if "$PATH" in text:
            text = text.replace("$PATH", path_text(graph, path_node))
        if not _PROJECTS_THIS.match(text.strip()):
            raise Unsupported("a SPARQL constraint that does not select $this")
        body = f"{{ {text} }}"
        query = (f"{prologue}SELECT DISTINCT ?{GRAPH_VAR} ?this (COALESCE(?value, ?this) AS ?value_) WHERE {{ "
                 f"GRAPH ?{GRAPH_VAR} {{ {_target_pattern(targets)} {body} }} }}")
        out.append(CompiledQuery(str(shape), severity, "sparql", query))
    return out


def compile_shapes(graph: Graph) -> CompiledShapes:
    """Compile every result-producing shape of a shapes graph (common + one policy's shapes)."""
    parents: dict = {}
    for node_shape, prop in graph.subject_objects(SH.property):
        parents.setdefault(prop, []).append(node_shape)
    shapes = set(graph.subjects(SH.property, None)) | set(graph.objects(None, SH.property))
    for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
        shapes |= set(graph.subjects(predicate, None))
    shapes |= set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    compiled = CompiledShapes()
    for shape in sorted(shapes, key=str):
        try:
            targets = _targets(graph, shape, parents)
            if not targets:
                continue  # a shape used only inside another shape
            severity = str(graph.value(shape, SH.severity) or SH.Violation)
            # the shape's own components; its sh:property shapes report results of their own
            queries = [CompiledQuery(str(shape), severity, c.component, _select(c.pattern, targets, c.value))
                       for c in checks(graph, shape, "?this", Names(), with_properties=False)]
            queries += _sparql_constraints(graph, shape, targets, severity)
            classes = _target_classes(graph, shape, parents)
            queries = [CompiledQuery(q.shape, q.severity, q.component, q.text, classes) for q in queries]
        except Unsupported as why:
            compiled.fallback[str(shape)] = str(why)
            continue
        compiled.queries.extend(queries)
    return compiled
