"""What the knowledge says about one policy version and its shapes: the types the rest of the
knowledge package shares (a policy version, a shape's facts) and how a shapes graph is read into them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection

from ..errors import ShapesError
from ..namespaces import NEC, RDF, SH

__all__ = ["COMMON_FILE", "COMPARISONS", "RULES_FILE", "PolicyVersion", "ShapeInfo", "shape_infos"]

RULES_FILE = "rules.ttl"
COMMON_FILE = "common.ttl"


# ---------------------------------------------------------------- shapes and policies

@dataclass(frozen=True)
class ShapeInfo:
    """What the determination needs to know about one shape."""

    iri: URIRef
    severity: URIRef
    failure_kind: URIRef | None
    group: URIRef | None
    criterion: URIRef | None
    documentation: URIRef | None
    name: str
    message: str
    path: object  # an rdflib path, or None for node-level constraints
    targets: tuple[tuple[URIRef, URIRef], ...]  # (target predicate, value)
    evidence_path: object = None  # nec:evidencePath as an rdflib path: where the facts that met it are
    compared: tuple[URIRef, ...] = ()  # the properties its comparisons (sh:lessThan ...) compare with
    any_one: bool = False  # met by any one of several values (sh:qualifiedMinCount 1, sh:or): an OR


@dataclass
class PolicyVersion:
    """One policy version: its shapes graph, validation shapes and scope."""

    iri: URIRef
    policy_iri: URIRef
    policy_id: str
    label: str
    effective_date: str
    current: bool                         # in force today (see reasoner.knowledge.versions)
    title: str
    covers: frozenset[URIRef]
    excludes: frozenset[URIRef]
    shapes_graph: Graph                   # common + policy shapes (validation only, no rules)
    shapes: dict[URIRef, ShapeInfo] = field(default_factory=dict)
    criteria: tuple[URIRef, ...] = ()      # its own (nec:hasCriterion) and every criterion of common.ttl
    end_date: str | None = None           # last day in force, inclusive; None: open-ended
    source_file: str = ""                 # the file declaring the version


def _rdflib_path(graph: Graph, node):
    """Turn a SHACL property path into an rdflib path."""
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

    if isinstance(node, URIRef):
        return node
    if (node, RDF.first, None) in graph:
        return SequencePath(*[_rdflib_path(graph, item) for item in Collection(graph, node)])
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return InvPath(_rdflib_path(graph, inverse))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return AlternativePath(*[_rdflib_path(graph, item) for item in Collection(graph, alternatives)])
    for predicate, modifier in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(node, predicate)
        if inner is not None:
            return MulPath(_rdflib_path(graph, inner), modifier)
    raise ShapesError(f"unsupported SHACL path {node}")


_TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
COMPARISONS = (SH.lessThanOrEquals, SH.lessThan, SH.equals, SH.disjoint)  # components comparing two properties


def shape_infos(graph: Graph) -> dict[URIRef, ShapeInfo]:
    """Read every named shape that can produce a result, with the targets it inherits."""
    parents: dict[URIRef, list[URIRef]] = {}
    for node_shape, prop in graph.subject_objects(SH.property):
        parents.setdefault(prop, []).append(node_shape)

    def targets_of(shape) -> tuple[tuple[URIRef, URIRef], ...]:
        found = [(p, o) for p in _TARGET_PREDICATES for o in graph.objects(shape, p)]
        for parent in parents.get(shape, []):
            found.extend(targets_of(parent))
        return tuple(sorted(set(found)))

    infos: dict[URIRef, ShapeInfo] = {}
    candidates = set(graph.subjects(SH.severity, None))
    for shape in candidates:
        if not isinstance(shape, URIRef) or graph.value(shape, SH.deactivated) == Literal(True):
            continue  # a deactivated shape produces no result and meets nothing (SHACL 2.1.5)
        path_node = graph.value(shape, SH.path)
        evidence_node = graph.value(shape, NEC.evidencePath)
        infos[shape] = ShapeInfo(
            iri=shape,
            severity=graph.value(shape, SH.severity),
            failure_kind=graph.value(shape, NEC.failureKind),
            group=graph.value(shape, SH.group),
            criterion=graph.value(shape, NEC.encodes),
            documentation=graph.value(shape, NEC.satisfiedBy),
            name=str(graph.value(shape, SH.name) or shape),
            message=str(graph.value(shape, SH.message) or ""),
            path=_rdflib_path(graph, path_node) if path_node is not None else None,
            targets=targets_of(shape),
            evidence_path=_rdflib_path(graph, evidence_node) if evidence_node is not None else None,
            compared=tuple(p for c in COMPARISONS for p in graph.objects(shape, c)),
            any_one=(shape, SH.qualifiedMinCount, Literal(1)) in graph or (shape, SH["or"], None) in graph,
        )
    return infos
