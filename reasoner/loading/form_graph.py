"""The case graph straight from a checked case form, as pyoxigraph triples: no JSON-LD per case.

It gives the same triples as :func:`reasoner.loading.load_case` on the same form (a test checks
every bundled and generated case). What each field maps to is still read from the JSON-LD context,
through the loader's schema; only the JSON-LD expansion and the read-back are skipped.
It works on the form dict, so it can sit behind any form model that yields that dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pyoxigraph as ox

from .. import loading
from .form import as_decimal, canonical_decimal, check_form, utc_datetime
from .parse import decode, parse_json
from .schema import schema as form_schema
from ..namespaces import CASE, NEC, RDF, XSD

__all__ = ["FormCase", "form_triples", "load_form", "read_case"]

_TYPE = ox.NamedNode(str(RDF.type))
_XSD = {kind: ox.NamedNode(str(XSD[kind])) for kind in ("integer", "decimal", "boolean", "date")}
_XSD["datetime"] = ox.NamedNode(str(XSD.dateTime))
_LINE_INDEX = ox.NamedNode(str(NEC.lineIndex))


@dataclass(frozen=True)
class FormCase:
    """A case read from its form: the pyoxigraph triples of its case graph and its identity."""

    triples: list[ox.Triple]
    iri: str
    case_id: str
    requested_policy: str | None

    @cached_property
    def graph(self):
        """The case graph as rdflib (for writers that take one, such as the case store)."""
        from rdflib import Graph

        from ..knowledge.compiled import from_ox
        from ..namespaces import bind_prefixes

        graph = Graph()
        bind_prefixes(graph)
        for t in self.triples:
            graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return graph


def _literal(value: Any, kind: str, field) -> ox.NamedNode | ox.Literal:
    if kind == "enum":
        return ox.NamedNode(str(field.values[value]))
    if kind == "name":
        return ox.NamedNode(str(NEC) + value)
    if kind == "boolean":
        return ox.Literal("true" if value else "false", datatype=_XSD["boolean"])
    if kind == "integer":
        return ox.Literal(str(int(as_decimal(value))), datatype=_XSD["integer"])
    if kind == "decimal":
        return ox.Literal(canonical_decimal(as_decimal(value)), datatype=_XSD["decimal"])
    if kind == "datetime":
        return ox.Literal(utc_datetime(value), datatype=_XSD["datetime"])
    if kind == "date":
        return ox.Literal(value, datatype=_XSD["date"])
    return ox.Literal(value)


def _node(node: ox.NamedNode, obj: Mapping[str, Any], schema, out: list[ox.Triple]) -> None:
    """The values of one form object, and its nested node objects (IRIs under the node's own IRI)."""
    base = node.value
    for key, value in obj.items():
        if key == "id" and not schema.name:
            continue  # the case id names the case node
        field = schema.fields[key]
        prop = ox.NamedNode(str(field.prop))
        if field.kind != "node":
            for item in (value if field.many else (value,)):
                out.append(ox.Triple(node, prop, _literal(item, field.kind, field)))
            continue
        segment, cls_node = field.schema.segment, ox.NamedNode(str(field.schema.cls))
        members = list(enumerate(value)) if field.many else [(None, value)]
        for i, item in members:
            child = ox.NamedNode(f"{base}/{segment}/{i}" if field.many else f"{base}/{segment}")
            out.append(ox.Triple(node, prop, child))
            out.append(ox.Triple(child, _TYPE, cls_node))
            _node(child, item, field.schema, out)
            if key == "requested" and not schema.name:
                out.append(ox.Triple(child, _LINE_INDEX, ox.Literal(str(i), datatype=_XSD["integer"])))


def form_triples(form: Mapping[str, Any]) -> list[ox.Triple]:
    """The case graph of a form already checked by the loader's rules (duplicates included once)."""
    case_id = form["id"]
    case = ox.NamedNode(str(CASE[case_id]))
    out = [ox.Triple(case, _TYPE, ox.NamedNode(str(NEC.Case))),
           ox.Triple(case, ox.NamedNode(str(NEC.caseId)), ox.Literal(case_id))]
    _node(case, form, form_schema(), out)
    return list(dict.fromkeys(out))


def load_form(data: bytes | str | Mapping[str, Any], *, source: str = "case") -> FormCase:
    """Check a JSON case form with the loader's rules and build its case graph.

    Raises:
        CaseLoadError: as :func:`reasoner.loading.load_case` (the same checks, the same messages).
    """
    if isinstance(data, Mapping):
        form = data
    else:
        text = decode(data, source)
        form = parse_json(text, source, max_depth=loading._MAX_FORM_DEPTH)
    check_form(form, source)
    return FormCase(form_triples(form), str(CASE[form["id"]]), form["id"], form.get("policy"))


def read_case(data: bytes | str, *, content_type: str = "application/json", source: str = "case"):
    """A JSON case form through :func:`load_form`; Turtle and JSON-LD through the loader."""
    if content_type.split(";", 1)[0].strip().lower() == "application/json":
        return load_form(data, source=source)
    return loading.load_case(data, content_type=content_type, source=source)
