"""SHACL Core constraint components as SPARQL graph patterns.

Each component of a shape becomes a pattern that has a solution exactly when a focus node violates
it (binding the offending value node where the component reports one). Nested shapes (``sh:not``,
``sh:and``, ``sh:or``, ``sh:node``, ``sh:qualifiedValueShape``) become ``FILTER (NOT) EXISTS`` over
the nested shape's own violation patterns, so the translation is general: nothing here knows a
shape of ``shapes/``. Counts are written without aggregates (k distinct values), so a nested count
stays correlated with its focus node. Comparisons that raise a SPARQL error (values that cannot be
compared) count as violations, as the SHACL specification says.

A feature not listed here raises :class:`~reasoner.fastpath.sparql_text.Unsupported`; the compiler
then leaves that shape to pyshacl.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from ..namespaces import RDF, SH, XSD
from .sparql_text import Names, Unsupported, items, path_text, term

__all__ = ["Check", "checks", "violation_any", "IGNORED", "MAX_COUNT"]

MAX_COUNT = 5  # counts above this are left to pyshacl (the patterns grow as k squared)

IGNORED = frozenset(SH[name] for name in (
    "path", "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "severity", "message",
    "name", "description", "group", "order", "defaultValue", "property", "flags",
    "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint", "deactivated", "sparql",
    "prefixes", "declare", "rule"))

_RDF_TYPE_CLASS = f"<{RDF.type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"

_RANGES = {SH.minInclusive: ">=", SH.minExclusive: ">", SH.maxInclusive: "<=", SH.maxExclusive: "<"}
_PAIRS = {SH.lessThan: "<", SH.lessThanOrEquals: "<="}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}


@dataclass(frozen=True)
class Check:
    """One constraint component of one shape: a pattern over ``focus`` (and ``value`` when it has one)."""

    component: str
    pattern: str
    value: str | None  # the variable holding the reported value node, or None


def _not_true(expression: str) -> str:
    """A filter that keeps a row when ``expression`` is false or raises an error."""
    return f"FILTER(!COALESCE({expression}, false))"


def _distinct(values: list[str]) -> str:
    pairs = [f"!sameTerm({a}, {b})" for i, a in enumerate(values) for b in values[i + 1:]]
    return f"FILTER({' && '.join(pairs)})" if pairs else ""


def _k_values(focus: str, path: str, k: int, names: Names, extra=None) -> str:
    """A pattern with a solution when ``focus`` has at least ``k`` distinct values on ``path``."""
    if k > MAX_COUNT:
        raise Unsupported(f"a count of {k}")
    values = [names("n") for _ in range(k)]
    parts = [f"{focus} {path} {v} ." for v in values]
    if extra is not None:
        parts.extend(extra(v) for v in values)
    return " ".join(parts) + " " + _distinct(values)


def _value_check(graph: Graph, shape, predicate, obj, v: str, names: Names) -> str | None:
    """A pattern fragment that keeps value node ``v`` when it violates one value-type component."""
    if predicate == SH["class"]:
        return f"FILTER NOT EXISTS {{ {v} {_RDF_TYPE_CLASS} {term(obj)} }}"
    if predicate == SH.datatype:
        return _not_true(f"isLiteral({v}) && sameTerm(datatype({v}), {term(obj)})")
    if predicate == SH.nodeKind:
        if obj not in _NODE_KINDS:
            raise Unsupported(f"sh:nodeKind {obj}")
        return _not_true(_NODE_KINDS[obj].format(v=v))
    if predicate == SH["in"]:
        members = items(graph, obj)
        if not members:
            return "FILTER(true)"
        return "FILTER(!(" + " || ".join(f"sameTerm({v}, {term(m)})" for m in members) + "))"
    if predicate in _RANGES:
        return _not_true(f"{v} {_RANGES[predicate]} {term(obj)}")
    if predicate in (SH.minLength, SH.maxLength):
        op = ">=" if predicate == SH.minLength else "<="
        return _not_true(f"!isBlank({v}) && STRLEN(STR({v})) {op} {int(obj)}")
    if predicate == SH.pattern:
        flags = graph.value(shape, SH.flags)
        extra = f", {term(Literal(str(flags)))}" if flags is not None else ""
        return _not_true(f"!isBlank({v}) && REGEX(STR({v}), {term(Literal(str(obj)))}{extra})")
    if predicate == SH.languageIn:
        tags = items(graph, obj)
        if not tags:
            return "FILTER(true)"
        return _not_true(f"isLiteral({v}) && (" + " || ".join(
            f"langMatches(lang({v}), {term(Literal(str(t)))})" for t in tags) + ")")
    if predicate == SH.node:
        return f"FILTER EXISTS {{ {violation_any(graph, obj, v, names)} }}"
    if predicate == SH["not"]:
        return f"FILTER NOT EXISTS {{ {violation_any(graph, obj, v, names)} }}"
    if predicate == SH["and"]:
        members = items(graph, obj)
        if not members:
            return None
        union = " UNION ".join(f"{{ {violation_any(graph, m, v, names)} }}" for m in members)
        return f"FILTER EXISTS {{ {union} }}"
    if predicate == SH["or"]:
        members = items(graph, obj)
        if not members:
            return "FILTER(true)"
        return " ".join(f"FILTER EXISTS {{ {violation_any(graph, m, v, names)} }}" for m in members)
    return None


def checks(graph: Graph, shape, focus: str, names: Names, *, with_properties: bool = True) -> list[Check]:
    """Every constraint component of ``shape`` as a violation pattern over ``focus``.

    Raises:
        Unsupported: the shape uses a SHACL feature not translated here.
    """
    if (shape, SH.deactivated, Literal(True)) in graph:
        return []
    path_node = graph.value(shape, SH.path)
    path = path_text(graph, path_node) if path_node is not None else None
    out: list[Check] = []
    for predicate, obj in sorted(graph.predicate_objects(shape)):
        if not str(predicate).startswith(str(SH)) or predicate in IGNORED:
            continue
        name = str(predicate)[len(str(SH)):]
        if predicate in (SH.minCount, SH.maxCount):
            if path is None:
                raise Unsupported(f"sh:{name} on a node shape")
            k = int(obj)
            if predicate == SH.minCount:
                if k > 0:
                    out.append(Check(name, f"FILTER NOT EXISTS {{ {_k_values(focus, path, k, names)} }}", None))
            else:
                out.append(Check(name, f"FILTER EXISTS {{ {_k_values(focus, path, k + 1, names)} }}", None))
            continue
        if predicate == SH.hasValue:
            if path is None:
                out.append(Check(name, f"FILTER(!sameTerm({focus}, {term(obj)}))", focus))
            else:
                out.append(Check(name, f"FILTER NOT EXISTS {{ {focus} {path} {term(obj)} }}", None))
            continue
        if predicate == SH.qualifiedValueShape:
            out.extend(_qualified(graph, shape, obj, focus, path, names))
            continue
        if predicate in (SH.equals, SH.disjoint) or predicate in _PAIRS:
            out.append(_pair(predicate, name, obj, focus, path, names))
            continue
        if predicate in (SH.closed, SH.ignoredProperties, SH.uniqueLang, SH.xone):
            raise Unsupported(f"sh:{name}")
        v = names("v") if path is not None else focus
        fragment = _value_check(graph, shape, predicate, obj, v, names)
        if fragment is None:
            if predicate == SH["and"]:
                continue  # an empty sh:and
            raise Unsupported(f"sh:{name}")
        pattern = fragment if path is None else f"{focus} {path} {v} . {fragment}"
        out.append(Check(name, pattern, v))
    for child in (graph.objects(shape, SH.property) if with_properties else ()):
        for check in checks(graph, child, focus, names):
            out.append(Check(check.component, check.pattern, None))  # nested: existence only
    return out


def _qualified(graph: Graph, shape, inner, focus: str, path: str | None, names: Names) -> list[Check]:
    if path is None:
        raise Unsupported("sh:qualifiedValueShape on a node shape")
    if (shape, SH.qualifiedValueShapesDisjoint, Literal(True)) in graph:
        raise Unsupported("sh:qualifiedValueShapesDisjoint")

    def conforms(v: str) -> str:
        return f"FILTER NOT EXISTS {{ {violation_any(graph, inner, v, names)} }}"

    out = []
    low, high = graph.value(shape, SH.qualifiedMinCount), graph.value(shape, SH.qualifiedMaxCount)
    if low is not None and int(low) > 0:
        out.append(Check("qualifiedMinCount",
                         f"FILTER NOT EXISTS {{ {_k_values(focus, path, int(low), names, conforms)} }}", None))
    if high is not None:
        out.append(Check("qualifiedMaxCount",
                         f"FILTER EXISTS {{ {_k_values(focus, path, int(high) + 1, names, conforms)} }}", None))
    return out


def _pair(predicate, name: str, other, focus: str, path: str | None, names: Names) -> Check:
    if not isinstance(other, URIRef):
        raise Unsupported(f"sh:{name} with a non-IRI property")
    prop = term(other)
    v = names("v") if path is not None else focus
    values = f"{focus} {path} {v} ." if path is not None else ""
    if predicate == SH.equals:
        o = names("o")
        this_side = f"{{ {values} FILTER NOT EXISTS {{ {focus} {prop} {v} }} }}"
        other_side = (f"{{ {focus} {prop} {o} . FILTER NOT EXISTS {{ {focus} {path} {o} }} BIND({o} AS {v}) }}"
                      if path is not None else
                      f"{{ {focus} {prop} {o} . FILTER(!sameTerm({o}, {focus})) }}")
        if path is None:
            raise Unsupported("sh:equals on a node shape")  # its value is the other property's value
        return Check(name, f"{this_side} UNION {other_side}", v)
    if predicate == SH.disjoint:
        return Check(name, f"{values} {focus} {prop} {v} .", v)
    o = names("o")
    return Check(name, f"{values} {focus} {prop} {o} . {_not_true(f'{v} {_PAIRS[predicate]} {o}')}", v)


def violation_any(graph: Graph, shape, focus: str, names: Names) -> str:
    """A pattern with a solution exactly when ``focus`` does not conform to ``shape``."""
    if (shape, SH.sparql, None) in graph:
        raise Unsupported("sh:sparql inside a nested shape")
    found = checks(graph, shape, focus, names)
    if not found:
        return "FILTER(false)"
    return " UNION ".join(f"{{ {c.pattern} }}" for c in found)
