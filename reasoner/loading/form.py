"""Checking a JSON case form against the schema: every error names its field.

Used for the JSON form itself and, after a Turtle or JSON-LD graph has been read back into the
form's shape, for those too, so every input format meets the same rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from reasoner.errors import CaseLoadError

from .codes import ontology_names, patterns
from .schema import Field, Schema, reserved_names, rules, schema

__all__ = ["check_form", "SAFE_ID", "utc_datetime", "as_decimal", "canonical_decimal"]

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_DRUG_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DATETIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
                       r"(Z|[+-][0-9]{2}:[0-9]{2})$")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


_LINE_BREAK = re.compile("[\n\r\u2028\u2029\x85]")
ROOT = "$"
"""The field named by an error about the document as a whole (the JSONPath of the top level)."""


def _fail(source: str, field: str | None, reason: str) -> CaseLoadError:
    return CaseLoadError(reason, source=source, field=field or None)


def _shown(value: Any) -> str:
    """A code or enumeration value, short enough for an error message."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


def check_form(form: Any, source: str) -> None:
    """Raise :class:`CaseLoadError` naming the first field that breaks a rule of the form."""
    _check_object(form, schema(), "", source)
    case_id = form["id"]
    if not isinstance(case_id, str) or not SAFE_ID.match(case_id):
        raise _fail(source, "id", "must be an identifier of 1 to 128 letters, digits, '.', '_' or '-', "
                                  "starting with a letter or digit")
    policy = form.get("policy")
    if policy is not None and not SAFE_ID.match(policy):
        raise _fail(source, "policy", f"is not a policy identifier: {_shown(policy)}")


def _check_object(obj: Any, owner: Schema, path: str, source: str) -> None:
    if not isinstance(obj, Mapping):
        raise _fail(source, path or ROOT, "must be an object")
    allowed = set(owner.fields) - rules().generated
    if not owner.name:
        allowed.add("id")
    for key in obj:
        if key not in allowed:
            hint = " (send JSON-LD as application/ld+json)" if str(key).startswith("@") else ""
            raise _fail(source, _join(path, str(key)), f"unknown field{hint}")
    for key in rules().required.get(owner.name, ()):
        if key not in obj:
            raise _fail(source, _join(path, key), "is required")
    for key, value in obj.items():
        if key == "id" and not owner.name:
            continue
        spec = owner.fields[key]
        where = _join(path, key)
        if spec.many:
            if not isinstance(value, list):
                raise _fail(source, where, "must be a list")
            if key in rules().non_empty and not value:
                raise _fail(source, where, "must hold at least one item")
            if len(value) > rules().max_items:
                raise _fail(source, where, f"must hold at most {rules().max_items} items")
            for i, item in enumerate(value):
                _check_value(item, spec, owner.name, f"{where}[{i}]", source)
        else:
            _check_value(value, spec, owner.name, where, source)
    if owner.name in ("diagnoses", "requested"):
        _check_code(obj, owner.name, path, source)
    if owner.name == "therapy_history" and obj.get("end_date", "9") < obj.get("start_date", ""):
        raise _fail(source, _join(path, "end_date"), "must not be before start_date")


def _check_value(value: Any, spec: Field, owner: str, where: str, source: str) -> None:
    kind = spec.kind
    if kind == "node":
        assert spec.schema is not None
        _check_object(value, spec.schema, where, source)
    elif kind == "string":
        _check_string(value, owner, spec, where, source)
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise _fail(source, where, "must be true or false")
    elif kind in ("integer", "decimal"):
        _check_number(value, kind, owner, spec, where, source)
    elif kind == "date":
        if not isinstance(value, str) or not _valid_date(value):
            raise _fail(source, where, "must be a real date written YYYY-MM-DD")
    elif kind == "datetime":
        if not isinstance(value, str) or utc_datetime(value) is None:
            raise _fail(source, where, "must be an RFC 3339 date-time with a UTC offset, "
                                       "such as 2026-01-05T09:30:00Z or 2026-01-05T10:30:00+01:00")
    elif kind == "enum":
        if not isinstance(value, str) or value not in spec.values:
            raise _fail(source, where, f"{_shown(value)} is not one of: {', '.join(spec.values)}")
    elif kind == "name":
        if (not isinstance(value, str) or len(value) > rules().max_name or not _DRUG_NAME.match(value)
                or value in reserved_names() or value in ontology_names()):
            shown = _shown(value) if isinstance(value, str) and len(value) < 60 else "this value"
            raise _fail(source, where, f"must be a lower-case drug name (letters, digits, '-'), not {shown}")


def _check_string(value: Any, owner: str, spec: Field, where: str, source: str) -> None:
    limit = rules().max_text
    if not isinstance(value, str):
        raise _fail(source, where, "must be a string")
    if owner in ("diagnoses", "requested") and spec.key == "code":
        limit = rules().max_code
    if not value.strip() or len(value) > limit:
        raise _fail(source, where, f"must be a non-empty string of at most {limit} characters")
    if _LINE_BREAK.search(value):  # a name on a letter or a table row: a break would forge lines
        raise _fail(source, where, "must be one line (no line break)")
    pattern = rules().patterns.get((owner, spec.key))
    if pattern is not None and not pattern[0].match(value):
        raise _fail(source, where, pattern[1])


def _check_number(value: Any, kind: str, owner: str, spec: Field, where: str, source: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise _fail(source, where, "must be a number")
    number = as_decimal(value)
    if number is None:
        raise _fail(source, where, "must be a finite number")
    if kind == "integer" and number != number.to_integral_value():
        raise _fail(source, where, "must be a whole number")
    (low, high), explicit = rules().range_of(owner, spec.key)
    if not low <= number <= high:
        reason = (f"must be between {low} and {high}" if explicit
                  else "must not be negative" if number < low else "is too large")
        raise _fail(source, where, reason)


def _check_code(obj: Mapping[str, Any], owner: str, path: str, source: str) -> None:
    known = patterns()
    system, code = obj["system"], obj["code"]
    diagnosis = rules().diagnosis_systems
    allowed = sorted(s for s in known if (s in diagnosis) == (owner == "diagnoses"))
    if system not in allowed:
        raise _fail(source, _join(path, "system"),
                    f"{_shown(system)} is not a code system here; use one of: {', '.join(allowed)}")
    if not known[system].match(code):
        raise _fail(source, _join(path, "code"), f"{_shown(code)} is not a well-formed {system} code")


def _valid_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def utc_datetime(text: str) -> str | None:
    """An RFC 3339 date-time with offset, as the canonical UTC form ``YYYY-MM-DDThh:mm:ss[.f]Z``."""
    if not _DATETIME.match(text):
        return None
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None
    out = instant.strftime("%Y-%m-%dT%H:%M:%S")
    if instant.microsecond:
        out += f".{instant.microsecond:06d}".rstrip("0")
    return out + "Z"


def as_decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def canonical_decimal(number: Decimal) -> str:
    """The canonical xsd:decimal lexical form (XSD 1.1): ``10``, ``3.2``, ``-0.05``."""
    text = format(number.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
