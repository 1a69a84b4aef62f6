"""JSON-LD: the form as a JSON-LD document, and JSON-LD input parsed without silent losses.

A JSON-LD processor drops what it cannot map: a node whose ``@id`` is not a valid IRI, a key with no
term definition, a ``null``, a named graph when the target is one graph. Intake refuses those
instead: every ``@id`` is checked as an IRI (the error names its path), named graphs are refused,
and the parsed graph must hold one statement per value of the document.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

import rdflib
from rdflib import URIRef

from reasoner.errors import CaseLoadError
from reasoner.namespaces import CASE, NEC

from .form import as_decimal, canonical_decimal, utc_datetime
from .iris import valid_iri
from .parse import path_of, quiet_libraries
from .schema import CONTEXT_URL, Field, Schema, context, schema

__all__ = ["to_jsonld", "resolve_contexts", "parse_jsonld"]


# ---------------------------------------------------------------- form -> JSON-LD

def _nec(cls: URIRef) -> str:
    return "nec:" + str(cls)[len(str(NEC)):]


def to_jsonld(form: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-LD document of a checked form: inline context, ``@id``/``@type`` on every node."""
    case_id = form["id"]
    base = str(CASE[case_id])
    doc: dict[str, Any] = {"@context": copy.deepcopy(context()), "@id": base, "@type": "nec:Case",
                           "case_id": case_id}
    _fill(doc, form, schema(), base, skip_id=True)
    return doc


def _fill(node: dict[str, Any], obj: Mapping[str, Any], owner: Schema, iri: str, *, skip_id: bool) -> None:
    for key, value in obj.items():
        if skip_id and key == "id":
            continue
        spec = owner.fields[key]
        if spec.kind == "node":
            assert spec.schema is not None
            if spec.many:
                node[key] = [_node(item, spec.schema, f"{iri}/{spec.schema.segment}/{i}",
                                   i if key == "requested" else None) for i, item in enumerate(value)]
            else:
                node[key] = _node(value, spec.schema, f"{iri}/{spec.schema.segment}", None)
        else:
            node[key] = _scalar(value, spec)


def _node(obj: Mapping[str, Any], owner: Schema, iri: str, line_index: int | None) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": iri, "@type": _nec(owner.cls)}
    _fill(node, obj, owner, iri, skip_id=False)
    if line_index is not None:
        node["line_index"] = str(line_index)
    return node


def _scalar(value: Any, spec: Field) -> Any:
    if spec.many:
        return [_scalar(item, spec.single()) for item in value]
    if spec.kind == "boolean":
        return "true" if value else "false"
    if spec.kind == "integer":
        return str(int(as_decimal(value)))  # type: ignore[arg-type]
    if spec.kind == "decimal":
        return canonical_decimal(as_decimal(value))  # type: ignore[arg-type]
    if spec.kind == "datetime":
        return utc_datetime(value)
    return value


# ---------------------------------------------------------------- JSON-LD input

def resolve_contexts(doc: Any, source: str) -> Any:
    """Replace the shipped context's URL by the shipped context; refuse every other remote one."""

    def context_value(value: Any) -> Any:
        if isinstance(value, str):
            if value == CONTEXT_URL:
                return copy.deepcopy(context())
            raise CaseLoadError("remote JSON-LD contexts are not fetched; use the shipped context "
                                f"{CONTEXT_URL!r} or an inline context", source=source, field="@context")
        if isinstance(value, list):
            return [context_value(v) for v in value]
        if isinstance(value, dict):
            if "@import" in value:
                raise CaseLoadError("@import in a JSON-LD context is not supported",
                                    source=source, field="@context")
            return walk(value)
        return value

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, dict):
            return {k: context_value(v) if k == "@context" else walk(v) for k, v in node.items()}
        return node

    return walk(doc)


def _id_aliases(doc: Any) -> set[str]:
    """Terms that any context of the document defines as ``@id``."""
    aliases = {"@id"}

    def walk(node: Any, in_context: bool) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, in_context)
        elif isinstance(node, dict):
            for key, value in node.items():
                if in_context and (value == "@id" or (isinstance(value, dict) and value.get("@id") == "@id")):
                    aliases.add(key)
                walk(value, in_context or key == "@context")

    walk(doc, False)
    return aliases


def _count_values(doc: Any, aliases: set[str], source: str) -> int:
    """Check every node object's ``@id`` and count the statements the document must give."""
    count = 0

    def walk(node: Any, parts: list[str | int]) -> None:
        nonlocal count
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, [*parts, i])
            return
        if not isinstance(node, dict) or "@value" in node:
            return
        if "@graph" in node and any(a in node for a in aliases):
            raise CaseLoadError("named graphs are not accepted: a case is one graph",
                                source=source, field=path_of([*parts, "@graph"]))
        for key, value in node.items():
            where = [*parts, key]
            if key == "@context":
                continue
            if key in aliases:
                if not isinstance(value, str) or not valid_iri(value, relative=True):
                    raise CaseLoadError("is not a valid IRI, so the node would be dropped",
                                        source=source, field=path_of(where))
                continue
            if key.startswith("@") or key == "type":
                if key in ("@graph", "@included", "@set", "@list"):
                    walk(value, where)
                continue
            items = value if isinstance(value, list) else [value]
            count += len(items) if items else 1   # an empty list states nothing: refused below
            for i, item in enumerate(items):
                walk(item, [*where, i] if isinstance(value, list) else where)

    walk(doc, [])
    return count


def parse_jsonld(doc: Any, source: str, *, check_losses: bool = True) -> rdflib.Graph:
    """Parse a JSON-LD document into one graph, refusing what a processor would silently drop."""
    if not isinstance(doc, (dict, list)):  # 42, null, "x": rdflib's parser fails obscurely on them
        raise CaseLoadError("a JSON-LD case must be an object (or a list of node objects)", source=source,
                            field="$")
    expected = _count_values(doc, _id_aliases(doc), source) if check_losses else None
    dataset = rdflib.Dataset()
    try:
        with quiet_libraries():
            dataset.parse(data=json.dumps(doc), format="json-ld", publicID=str(CASE))
    except CaseLoadError:
        raise
    except Exception as exc:  # rdflib's JSON-LD parser raises assorted exception types
        raise CaseLoadError(f"invalid JSON-LD ({type(exc).__name__})", source=source) from None
    graph = rdflib.Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if g is not None and g != rdflib.graph.DATASET_DEFAULT_GRAPH_ID:
            raise CaseLoadError("named graphs are not accepted: a case is one graph", source=source)
        graph.add((s, p, o))
    if expected is not None:
        stated = sum(1 for _s, p, _o in graph if p != rdflib.RDF.type)
        if stated < expected:
            raise CaseLoadError(f"{expected - stated} value(s) of the JSON-LD document would be dropped "
                                "(a key without a term definition, a null, an empty list or a value "
                                "given twice); nothing was stored", source=source)
    return graph
