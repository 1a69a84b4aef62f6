"""The JSON Schema (2020-12, as OpenAPI 3.1 uses it) of the case form, built from the one schema.

The same context, rules file and ontology code patterns that validation uses give the types,
enumerations, required fields, ranges and patterns here, so the API's request body and the loader
cannot disagree about what a form may hold. Some rules stay the loader's alone (a real calendar
date, a code that matches its own system's pattern); the loader names the field when they fail.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from .codes import ontology_names, patterns
from .form import SAFE_ID
from .schema import Field, Schema, reserved_names, rules, schema

__all__ = ["form_json_schema"]

_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$"
_DESCRIPTIONS = {
    "id": "The case's identifier; it names the case graph.",
    "policy": "Which policy's criteria apply (for example `aetna-cpb-0161`); absent: the configured default.",
    "requested": "The billed lines: HCPCS or CPT code, units, dates of service, modifiers.",
    "received_at": "When the payer received the request (RFC 3339 with offset; stored in UTC).",
}


def _value(spec: Field, owner: Schema) -> dict[str, Any]:
    kind = spec.kind
    if kind == "node":
        assert spec.schema is not None
        return _object(spec.schema)
    if kind == "string":
        out: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": rules().max_text, "pattern": r"\S"}
        pattern = rules().patterns.get((owner.name, spec.key))
        if pattern is not None:
            out["pattern"] = pattern[0].pattern
            out["description"] = pattern[1]
        if owner.name in ("diagnoses", "requested") and spec.key == "system":
            diagnosis = rules().diagnosis_systems
            out = {"type": "string", "enum": sorted(s for s in patterns()
                                                    if (s in diagnosis) == (owner.name == "diagnoses"))}
        elif owner.name in ("diagnoses", "requested") and spec.key == "code":
            diagnosis = rules().diagnosis_systems
            allowed = [p.pattern for s, p in sorted(patterns().items())
                       if (s in diagnosis) == (owner.name == "diagnoses")]
            out = {"type": "string", "maxLength": rules().max_code,
                   "pattern": "|".join(f"(?:{p})" for p in allowed),
                   "description": "A well-formed code of the line's `system`."}
        return out
    if kind in ("integer", "decimal"):
        (low, high), _explicit = rules().range_of(owner.name, spec.key)
        return {"type": "integer" if kind == "integer" else "number", "minimum": low, "maximum": high}
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "date":
        return {"type": "string", "format": "date", "pattern": _DATE}
    if kind == "datetime":
        return {"type": "string", "format": "date-time", "pattern": _DATETIME}
    if kind == "enum":
        return {"type": "string", "enum": list(spec.values)}
    return {"type": "string", "pattern": r"^[a-z][a-z0-9-]*$", "maxLength": rules().max_name,
            "not": {"enum": sorted(reserved_names() | ontology_names())},
            "description": "A drug of the ontology by its lower-case name."}


def _field(spec: Field, owner: Schema) -> dict[str, Any]:
    value = _value(spec, owner)
    if not spec.many:
        return value
    out: dict[str, Any] = {"type": "array", "items": value, "maxItems": rules().max_items}
    if spec.key in rules().non_empty:
        out["minItems"] = 1
    return out


def _object(owner: Schema) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for key, spec in owner.fields.items():
        if key in rules().generated:
            continue
        props[key] = _field(spec, owner)
        if not owner.name and key in _DESCRIPTIONS:
            props[key]["description"] = _DESCRIPTIONS[key]
    if not owner.name:
        props["policy"]["pattern"] = SAFE_ID.pattern
        props = {"id": {"type": "string", "pattern": SAFE_ID.pattern, "description": _DESCRIPTIONS["id"]},
                 **props}
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if owner.name in ("diagnoses", "requested"):
        diagnosis = rules().diagnosis_systems
        out["allOf"] = [{"if": {"properties": {"system": {"const": system}}, "required": ["system"]},
                         "then": {"properties": {"code": {"pattern": pattern.pattern}}}}
                        for system, pattern in sorted(patterns().items())
                        if (system in diagnosis) == (owner.name == "diagnoses")]
    required = list(rules().required.get(owner.name, ()))
    if required:
        out["required"] = required
    return out


@lru_cache(maxsize=1)
def _cached() -> dict[str, Any]:
    out = _object(schema())
    out["title"] = "Case form"
    out["description"] = ("A prior-authorization case as plain JSON. A field that is absent means "
                          "\"not documented\"; a present negative value means \"documented as absent or failed\".")
    return out


def form_json_schema() -> dict[str, Any]:
    """A fresh copy of the case form's JSON Schema."""
    return copy.deepcopy(_cached())
