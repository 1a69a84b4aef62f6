"""The case form's one schema: the shipped JSON-LD context plus the rules data file.

The context ``reasoner/contexts/case-form.jsonld`` says which keys an object may hold, which are
lists, which are node objects, each value's type (the term's ``@type``) and the allowed values of
every enumeration (the terms of a property-scoped context). ``case-form-rules.json`` says what a
context cannot: the node IRI segments and classes, required fields, numeric ranges and string
patterns. Validation (:mod:`.form`), the JSON-LD mapping (:mod:`.jsonld`), reading a graph back
(:mod:`.readback`) and the JSON Schema of the API (:mod:`.jsonschema`) all read this one schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field as dc_field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import URIRef
from rdflib.namespace import XSD

from reasoner.errors import OntologyError
from reasoner.namespaces import NEC

__all__ = ["CONTEXT_URL", "CONTEXT_PATH", "RULES_PATH", "Field", "Schema", "Rules", "context", "schema",
           "rules", "reserved_names"]

CONTEXT_URL = "https://w3id.org/necessity/context/case-form.jsonld"
"""The published IRI of the case-form context; always resolved to the shipped file."""

_CONTEXTS = Path(__file__).resolve().parent.parent / "contexts"
CONTEXT_PATH = _CONTEXTS / "case-form.jsonld"
"""The shipped JSON-LD context of the case form."""
RULES_PATH = _CONTEXTS / "case-form-rules.json"
"""Node IRIs and classes, required fields, ranges and patterns of the case form."""

_DATATYPES = {XSD.integer: "integer", XSD.decimal: "decimal", XSD.boolean: "boolean", XSD.date: "date",
              XSD.dateTime: "datetime"}


@dataclass(frozen=True)
class Field:
    """One key of the form."""

    key: str
    prop: URIRef
    kind: str          # node | string | integer | decimal | boolean | date | datetime | enum | name
    many: bool
    values: Mapping[str, URIRef] = dc_field(default_factory=dict)   # enum terms
    schema: Schema | None = None                                    # node objects

    def single(self) -> Field:
        """The same field holding one value (for the items of a list)."""
        return Field(self.key, self.prop, self.kind, False, self.values, self.schema)


@dataclass(frozen=True)
class Schema:
    """An object of the form: the case (``name == ""``) or a node such as ``patient``."""

    name: str
    fields: Mapping[str, Field]
    cls: URIRef
    segment: str = ""

    def by_prop(self) -> dict[URIRef, Field]:
        return {f.prop: f for f in self.fields.values()}

    def nodes(self) -> list[Field]:
        return [f for f in self.fields.values() if f.kind == "node"]


@dataclass(frozen=True)
class Rules:
    """``case-form-rules.json`` read once."""

    nodes: Mapping[str, tuple[str, URIRef]]
    generated: frozenset[str]
    required: Mapping[str, tuple[str, ...]]
    non_empty: frozenset[str]
    ranges: Mapping[tuple[str, str], tuple[int, int]]
    default_range: tuple[int, int]
    patterns: Mapping[tuple[str, str], tuple[re.Pattern[str], str]]
    diagnosis_systems: frozenset[str]
    max_text: int
    max_items: int
    max_name: int
    max_code: int

    def range_of(self, owner: str, key: str) -> tuple[tuple[int, int], bool]:
        bounds = self.ranges.get((owner, key))
        return (bounds, True) if bounds else (self.default_range, False)


def _pair(dotted: str) -> tuple[str, str]:
    owner, _, key = dotted.rpartition(".")
    return owner, key


@lru_cache(maxsize=1)
def rules() -> Rules:
    data = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    return Rules(
        nodes={k: (v[0], NEC[v[1]]) for k, v in data["nodes"].items()},
        generated=frozenset(data["generated"]),
        required={k: tuple(v) for k, v in data["required"].items()},
        non_empty=frozenset(data["non_empty"]),
        ranges={_pair(k): (v[0], v[1]) for k, v in data["ranges"].items()},
        default_range=tuple(data["default_range"]),  # type: ignore[arg-type]
        patterns={_pair(k): (re.compile(v[0]), v[1]) for k, v in data["patterns"].items()},
        diagnosis_systems=frozenset(data["diagnosis_systems"]),
        max_text=int(data["max_text"]),
        max_items=int(data["max_items"]),
        max_name=int(data["max_name"]),
        max_code=int(data["max_code"]),
    )


@lru_cache(maxsize=1)
def context() -> dict[str, Any]:
    """The ``@context`` object of the shipped context file."""
    return json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]


def _expand(value: str, prefixes: Mapping[str, str]) -> URIRef:
    prefix, sep, local = value.partition(":")
    if sep and prefix in prefixes:
        return URIRef(prefixes[prefix] + local)
    return URIRef(value)


@lru_cache(maxsize=1)
def schema() -> Schema:
    """The case form's schema, derived from the context and the rules."""
    ctx = context()
    nodes = rules().nodes
    prefixes = {k: v for k, v in ctx.items() if isinstance(v, str) and not k.startswith("@")
                and v.endswith(("#", "/"))}

    def build(name: str, terms: Mapping[str, Any], cls: URIRef, segment: str) -> Schema:
        fields: dict[str, Field] = {}
        for key, definition in terms.items():
            if key.startswith("@") or not isinstance(definition, dict):
                continue  # keywords, prefixes, keyword aliases
            prop = _expand(definition["@id"], prefixes)
            many = definition.get("@container") == "@set"
            typ = definition.get("@type")
            scoped = definition.get("@context")
            if typ == "@vocab":
                if scoped:
                    values = {k: _expand(v, prefixes) for k, v in scoped.items() if isinstance(v, str)}
                    fields[key] = Field(key, prop, "enum", many, values)
                else:
                    fields[key] = Field(key, prop, "name", many)
            elif scoped is not None:
                if key not in nodes:
                    raise OntologyError(f"case-form context: node term {key!r} has no IRI segment")
                child_segment, child_cls = nodes[key]
                fields[key] = Field(key, prop, "node", many,
                                    schema=build(key, scoped, child_cls, child_segment))
            elif typ is None:
                fields[key] = Field(key, prop, "string", many)
            else:
                kind = _DATATYPES.get(_expand(typ, prefixes))
                if kind is None:
                    raise OntologyError(f"case-form context: unsupported datatype {typ!r} of {key!r}")
                fields[key] = Field(key, prop, kind, many)
        return Schema(name, fields, cls, segment)

    return build("", ctx, NEC.Case, "")


@lru_cache(maxsize=1)
def reserved_names() -> frozenset[str]:
    """Every term of the context: a drug name equal to one would not map to nec:<name>."""
    names: set[str] = set()

    def walk(terms: Mapping[str, Any]) -> None:
        for key, definition in terms.items():
            names.add(key)
            if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):
                walk(definition["@context"])

    walk(context())
    return frozenset(names)
