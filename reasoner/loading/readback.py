"""Read a confined case graph back into the form's shape, and write the normalised case graph.

Reading back lets one function (:func:`.form.check_form`) check every input format. It refuses
properties outside the form, types other than the node's class, literals where nodes belong and
IRIs outside each enumeration: the closed list of places where a knowledge IRI may appear.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from reasoner.errors import CaseLoadError
from reasoner.namespaces import NEC

from .form import canonical_decimal, utc_datetime
from .graph import Nodes
from .schema import Field, Schema

__all__ = ["read_form", "normalised"]

_NUMBER_LEXICAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_ANNOTATIONS = frozenset({RDFS.label, RDFS.comment})


@lru_cache(maxsize=1)
def _nec_manager() -> rdflib.namespace.NamespaceManager:
    manager = rdflib.namespace.NamespaceManager(rdflib.Graph(), bind_namespaces="none")
    manager.bind("nec", NEC)
    return manager


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def read_form(graph: rdflib.Graph, case: URIRef, case_id: str, owner: Schema, source: str) -> dict[str, Any]:
    """The case graph as a JSON case form (checked afterwards by the form's checks)."""
    form: dict[str, Any] = {"id": case_id}
    _read_node(graph, case, owner, "", form, source)
    given = form.pop("case_id", None)
    if given is not None and given != case_id:
        raise CaseLoadError("nec:caseId differs from the case IRI", source=source, field="id")
    _read_children(graph, case, owner, "", form, source)
    return form


def _natural(iri: URIRef) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(iri))]


def ordered(graph: rdflib.Graph, parent: URIRef, spec: Field, source: str) -> list[URIRef]:
    """The nodes of a field in form order: ``nec:lineIndex`` for requested lines, else by IRI."""
    nodes = [n for n in graph.objects(parent, spec.prop) if isinstance(n, URIRef)]
    if spec.key != "requested":
        return sorted(nodes, key=_natural)
    indexes = {n: graph.value(n, NEC.lineIndex) for n in nodes}
    if all(v is None for v in indexes.values()):
        return sorted(nodes, key=_natural)
    message = "every requested line needs one nec:lineIndex 0..n-1, or none has one"
    try:
        numbers = {n: int(v) for n, v in indexes.items()}  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CaseLoadError(message, source=source, field="requested") from None
    if sorted(numbers.values()) != list(range(len(nodes))):
        raise CaseLoadError(message, source=source, field="requested")
    return sorted(nodes, key=numbers.__getitem__)


def _read_children(graph: rdflib.Graph, parent: URIRef, owner: Schema, path: str,
                   out: dict[str, Any], source: str) -> None:
    for spec in owner.nodes():
        assert spec.schema is not None
        where = _join(path, spec.key)
        found = ordered(graph, parent, spec, source)
        if spec.many:
            items = []
            for i, node in enumerate(found):
                item: dict[str, Any] = {}
                _read_node(graph, node, spec.schema, f"{where}[{i}]", item, source)
                _read_children(graph, node, spec.schema, f"{where}[{i}]", item, source)
                item.pop("line_index", None)
                items.append(item)
            if items:
                out[spec.key] = items
        elif found:
            if len(found) > 1:
                raise CaseLoadError("must have at most one value", source=source, field=where)
            item = {}
            _read_node(graph, found[0], spec.schema, where, item, source)
            _read_children(graph, found[0], spec.schema, where, item, source)
            out[spec.key] = item


def _read_node(graph: rdflib.Graph, node: URIRef, owner: Schema, path: str, out: dict[str, Any],
               source: str) -> None:
    by_prop = owner.by_prop()
    values: dict[str, list[Any]] = {}
    for p, o in graph.predicate_objects(node):
        if p == RDF.type:
            if o != owner.cls:
                raise CaseLoadError(f"a node of this field may only have the type {owner.cls.n3(_nec_manager())}",
                                    source=source, field=path or None)
            continue
        if p in _ANNOTATIONS:
            if not isinstance(o, Literal):
                raise CaseLoadError("a label or comment must be a literal", source=source, field=path or None)
            continue
        spec = by_prop.get(p)  # type: ignore[arg-type]
        if spec is None:
            shown = p.n3(_nec_manager()) if str(p).startswith(str(NEC)) and len(str(p)) < 120 else "a property"
            raise CaseLoadError(f"{shown} is not part of the case form here", source=source, field=path or None)
        if spec.kind == "node":
            continue  # read by the caller
        where = _join(path, spec.key)
        values.setdefault(spec.key, []).append(_from_rdf(o, spec, where, source))
    for key, items in values.items():
        spec = owner.fields[key]
        if spec.many:
            out[key] = sorted(items, key=str)
        elif len(items) > 1:
            raise CaseLoadError("must have at most one value", source=source, field=_join(path, key))
        else:
            out[key] = items[0]


def _from_rdf(term: Any, spec: Field, where: str, source: str) -> Any:
    """An RDF term as the JSON value the case form would hold (checked afterwards)."""
    kind = spec.kind
    if kind == "enum":
        for name, iri in spec.values.items():
            if iri == term:
                return name
        raise CaseLoadError(f"must be one of: {', '.join(spec.values)}", source=source, field=where)
    if kind == "name":
        if isinstance(term, URIRef) and str(term).startswith(str(NEC)):
            return str(term)[len(str(NEC)):]
        raise CaseLoadError("must be a drug of the ontology, nec:<name>", source=source, field=where)
    if not isinstance(term, Literal):
        raise CaseLoadError("must be a literal, not a node", source=source, field=where)
    lexical, datatype = str(term), term.datatype
    if kind in ("integer", "decimal"):
        if term.language or datatype in (None, XSD.string) or not _NUMBER_LEXICAL.match(lexical.strip()):
            raise CaseLoadError("must be a number", source=source, field=where)
        number = Decimal(lexical.strip())
        if number.adjusted() > 40:
            raise CaseLoadError("is too large", source=source, field=where)
        return int(number) if number == number.to_integral_value() and kind == "integer" else number
    expected = {"boolean": XSD.boolean, "date": XSD.date, "datetime": XSD.dateTime}.get(kind)
    if expected is not None:
        if datatype != expected:
            raise CaseLoadError(f"must be an {expected.n3(_xsd_manager())} literal", source=source, field=where)
        if kind == "boolean":
            if lexical not in ("true", "false", "1", "0"):
                raise CaseLoadError("must be true or false", source=source, field=where)
            return lexical in ("true", "1")
        return lexical
    if datatype not in (None, XSD.string) or term.language:
        raise CaseLoadError("must be a plain string", source=source, field=where)
    return lexical


@lru_cache(maxsize=1)
def _xsd_manager() -> rdflib.namespace.NamespaceManager:
    manager = rdflib.namespace.NamespaceManager(rdflib.Graph(), bind_namespaces="none")
    manager.bind("xsd", XSD)
    return manager


def _canonical(term: Literal, spec: Field) -> Literal:
    kind = spec.kind
    if kind == "integer":
        return Literal(str(int(Decimal(str(term).strip()))), datatype=XSD.integer)
    if kind == "decimal":
        return Literal(canonical_decimal(Decimal(str(term).strip())), datatype=XSD.decimal)
    if kind == "boolean":
        return Literal("true" if str(term) in ("true", "1") else "false", datatype=XSD.boolean)
    if kind == "date":
        return Literal(str(term), datatype=XSD.date)
    if kind == "datetime":
        return Literal(utc_datetime(str(term)), datatype=XSD.dateTime, normalize=False)
    return Literal(str(term))


def normalised(graph: rdflib.Graph, case: URIRef, case_id: str, nodes: Nodes, owner: Schema) -> rdflib.Graph:
    """The checked graph with canonical literals, node types, ``nec:caseId`` and ``nec:lineIndex``."""
    out = rdflib.Graph()
    owners = {case: owner}
    for node, (spec, _path) in nodes.items():
        assert spec.schema is not None
        owners[node] = spec.schema
    for s, p, o in graph:
        spec = owners[s].by_prop().get(p)  # type: ignore[index, arg-type]
        if isinstance(o, Literal) and spec is not None:
            o = _canonical(o, spec)
        elif isinstance(o, Literal) and p in _ANNOTATIONS:
            o = Literal(str(o), lang=o.language) if o.language else Literal(str(o))
        out.add((s, p, o))
    out.add((case, RDF.type, NEC.Case))
    out.add((case, NEC.caseId, Literal(case_id)))
    for node, (spec, _path) in nodes.items():
        assert spec.schema is not None
        out.add((node, RDF.type, spec.schema.cls))
    lines = ordered(out, case, owner.fields["requested"], "case")
    if all(out.value(line, NEC.lineIndex) is None for line in lines):
        for i, line in enumerate(lines):
            out.add((line, NEC.lineIndex, Literal(str(i), datatype=XSD.integer)))
    return out
