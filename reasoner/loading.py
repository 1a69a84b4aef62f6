"""Load a case (JSON case form, Turtle or JSON-LD) into a case graph, with clear errors.

The mapping from the JSON case form to the ontology's vocabulary is data: the
JSON-LD context ``reasoner/contexts/case-form.jsonld``. The loader reads that
context once and derives from it the form's structure (which keys an object
may hold, which are lists, which are node objects), each value's type (the
term's ``@type``) and the allowed values of every enumeration (the terms of a
property-scoped context). Python adds only what the context cannot say: the
node IRIs and classes, the numeric ranges and the required fields. The code
patterns of each code system are read from the ontology (``nec:codePattern``).

Every input format ends in the same checks and the same normalised graph:

1. JSON case form: strict checks of the form, then ``case_to_jsonld`` adds
   ``@context``, ``@id`` and ``@type`` and rdflib's JSON-LD parser maps it.
2. Turtle and JSON-LD: parsed as they are (remote contexts are refused; the
   shipped context's URL is resolved to the shipped file).
3. Every graph: exactly one ``nec:Case``, an IRI ``CASE[<id>]``; blank nodes
   of the case's nodes are skolemised deterministically to the IRIs the case
   form would give; the graph is read back into the form's shape and checked
   by the same function as a JSON form; numbers are rewritten to canonical
   ``xsd:integer``/``xsd:decimal`` lexical forms; ``nec:caseId`` and
   ``nec:lineIndex`` are added where missing.

Statements that are not about the case or its nodes, terms outside the case
form's vocabulary, and derived terms (such as ``nec:pumpDocumented``) are
refused, so a submitted case cannot add knowledge or pre-empt inference.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field as dc_field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from reasoner.errors import CaseLoadError, OntologyError
from reasoner.namespaces import CASE, NEC, bind_prefixes
from reasoner.paths import data_root

__all__ = [
    "LoadedCase", "load_case", "load_case_file", "case_to_jsonld", "CONTEXT_URL", "CONTEXT_PATH",
]

CONTEXT_URL = "https://w3id.org/necessity/context/case-form.jsonld"
"""The published IRI of the case-form context; always resolved to the shipped file."""

CONTEXT_PATH = Path(__file__).resolve().parent / "contexts" / "case-form.jsonld"
"""The shipped JSON-LD context of the case form."""

# ---------------------------------------------------------------- what the context cannot say

_NODES: dict[str, tuple[str, URIRef]] = {
    # form key: (IRI segment under CASE[<id>]/, class)
    "patient": ("patient", NEC.Patient),
    "diagnoses": ("diagnosis", NEC.Diagnosis),
    "requested": ("line", NEC.RequestedLine),
    "pump": ("pump", NEC.ImplantedPump),
    "regimen": ("regimen", NEC.IntrathecalRegimen),
    "response": ("response", NEC.ResponseToTherapy),
    "therapy_history": ("therapy", NEC.TherapyHistoryEntry),
    "intrathecal_trial": ("trial", NEC.IntrathecalTrial),
    "psychological_evaluation": ("psych", NEC.PsychologicalEvaluation),
    "pain_scores": ("pain-score", NEC.PainScore),
    "findings": ("findings", NEC.DocumentedFindings),
    "evidence": ("evidence", NEC.EvidenceLocator),
    "member": ("member", NEC.Member),
    "provider": ("provider", NEC.Provider),
    "catheter": ("catheter", NEC.CatheterDocumentation),
    # nodes of nodes: IRI segment under the parent node's IRI
    "dose_steps": ("step", NEC.TrialDoseStep),
}

_GENERATED = frozenset({"case_id", "line_index"})
"""Context terms the loader writes; a submitted form may not hold them."""

_REQUIRED: dict[str, tuple[str, ...]] = {
    "": ("id", "requested"),
    "diagnoses": ("code", "system"),
    "requested": ("code", "system"),
    "regimen": ("drug",),
}
_NON_EMPTY = frozenset({"requested"})

_RANGES: dict[tuple[str, str], tuple[int, int]] = {
    ("patient", "age"): (0, 130),
    ("pain_scores", "score"): (0, 10),
    ("response", "pain_reduction_percent"): (0, 100),
    ("intrathecal_trial", "pain_reduction_percent"): (0, 100),
}
_DEFAULT_RANGE = (0, 10**9)  # every number in the form is a count, amount or duration

_PATTERNS: dict[tuple[str, str], tuple[re.Pattern[str], str]] = {
    ("requested", "modifiers"): (re.compile(r"^[A-Z0-9]{2}$"),
                                 "must be a billing modifier of two upper-case letters or digits"),
    ("provider", "npi"): (re.compile(r"^[0-9]{10}$"), "must be a National Provider Identifier of 10 digits"),
}

_DIAGNOSIS_SYSTEMS = frozenset({"ICD-10-CM"})  # requested lines take every other known system

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_DRUG_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DATETIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
                       r"(Z|[+-][0-9]{2}:[0-9]{2})$")
_NUMBER_LEXICAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_MAX_TEXT = 2000
_MAX_FORM_DEPTH = 4    # {requested: [{dates_of_service: [ ... ]}]}
_MAX_JSONLD_DEPTH = 32
_ANNOTATIONS = frozenset({RDFS.label, RDFS.comment})

_CONTENT_TYPES = {
    "application/json": "json",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "json-ld",
}
_SUFFIXES = {".json": "application/json", ".ttl": "text/turtle", ".jsonld": "application/ld+json"}


# ---------------------------------------------------------------- the public API

@dataclass(frozen=True)
class LoadedCase:
    """A case read from any input format, in the ontology's vocabulary."""

    graph: rdflib.Graph
    """The case graph: the case node, its nodes and their values, nothing else."""
    iri: URIRef
    """``CASE[case_id]``: the ``nec:Case`` node, also the name of its graph."""
    case_id: str
    requested_policy: str | None
    """The form's ``policy`` (``nec:requestedPolicy``), or None for the configured default."""
    source_format: str
    """``json``, ``turtle`` or ``json-ld``."""


def load_case(data: bytes | str, *, content_type: str = "application/json",
              source: str = "case") -> LoadedCase:
    """Read one case and return its case graph.

    Args:
        data: the request body or file content.
        content_type: ``application/json`` (the JSON case form), ``text/turtle`` or
            ``application/ld+json``; parameters such as ``charset`` are ignored.
        source: a name for the input, used in error messages.

    Raises:
        CaseLoadError: the input is malformed or breaks a rule of the case form; the
            error names the field (``requested[1].code``) or the line.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    fmt = _CONTENT_TYPES.get(media)
    if fmt is None:
        raise CaseLoadError(f"unsupported content type {media!r}; use one of "
                            f"{', '.join(sorted(_CONTENT_TYPES))}", source=source)
    text = _decode(data, source)
    if fmt == "json":
        form = _parse_json(text, source, max_depth=_MAX_FORM_DEPTH)
        _check_form(form, source)
        graph = _parse_jsonld_doc(_to_jsonld(form), source)
    elif fmt == "turtle":
        graph = _parse_turtle(text, source)
    else:
        doc = _parse_json(text, source, max_depth=_MAX_JSONLD_DEPTH, decimals=False)
        graph = _parse_jsonld_doc(_resolve_contexts(doc, source), source)
    return _finish(graph, source, fmt)


def load_case_file(path: Path) -> LoadedCase:
    """Read a case file, choosing the format by suffix: ``.json``, ``.ttl`` or ``.jsonld``.

    Raises:
        CaseLoadError: unknown suffix, unreadable file, or an invalid case.
    """
    path = Path(path)
    content_type = _SUFFIXES.get(path.suffix.lower())
    if content_type is None:
        raise CaseLoadError(f"unknown case file suffix {path.suffix!r}; use "
                            f"{', '.join(sorted(_SUFFIXES))}", source=path.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CaseLoadError(f"cannot read the file ({exc.strerror})", source=path.name) from None
    return load_case(data, content_type=content_type, source=path.name)


def case_to_jsonld(form: Mapping[str, Any]) -> dict[str, Any]:
    """Turn a JSON case form into the JSON-LD document an integrator could send.

    The result holds an inline copy of the shipped ``@context``, an ``@id`` and
    ``@type`` on every node object, ``case_id`` on the case and ``line_index`` on
    each requested line; numbers are written as strings in canonical lexical form so
    that the context's datatypes apply to them exactly.

    Raises:
        CaseLoadError: the form breaks a rule of the case form.
    """
    _check_form(form, "case")
    return _to_jsonld(form)


# ---------------------------------------------------------------- the schema, derived from the context

@dataclass(frozen=True)
class _Field:
    key: str
    prop: URIRef
    kind: str          # node | string | integer | decimal | boolean | date | datetime | enum | name
    many: bool
    values: Mapping[str, URIRef] = dc_field(default_factory=dict)   # enum terms
    schema: _Schema | None = None                                   # node objects


@dataclass(frozen=True)
class _Schema:
    name: str                       # "" for the case, else the form key of the node
    fields: Mapping[str, _Field]
    cls: URIRef

    def by_prop(self) -> dict[URIRef, _Field]:
        return {f.prop: f for f in self.fields.values()}


_DATATYPES = {XSD.integer: "integer", XSD.decimal: "decimal", XSD.boolean: "boolean", XSD.date: "date",
              XSD.dateTime: "datetime"}


@lru_cache(maxsize=1)
def _context() -> dict[str, Any]:
    return json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]


def _expand(value: str, prefixes: Mapping[str, str]) -> URIRef:
    prefix, sep, local = value.partition(":")
    if sep and prefix in prefixes:
        return URIRef(prefixes[prefix] + local)
    return URIRef(value)


@lru_cache(maxsize=1)
def _schema() -> _Schema:
    ctx = _context()
    prefixes = {k: v for k, v in ctx.items() if isinstance(v, str) and not k.startswith("@")
                and v.endswith(("#", "/"))}

    def build(name: str, terms: Mapping[str, Any], cls: URIRef) -> _Schema:
        fields: dict[str, _Field] = {}
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
                    fields[key] = _Field(key, prop, "enum", many, values)
                else:
                    fields[key] = _Field(key, prop, "name", many)
            elif scoped is not None:
                segment_cls = _NODES.get(key)
                if segment_cls is None:
                    raise OntologyError(f"case-form context: node term {key!r} has no IRI segment")
                fields[key] = _Field(key, prop, "node", many,
                                     schema=build(key, scoped, segment_cls[1]))
            elif typ is None:
                fields[key] = _Field(key, prop, "string", many)
            else:
                kind = _DATATYPES.get(_expand(typ, prefixes))
                if kind is None:
                    raise OntologyError(f"case-form context: unsupported datatype {typ!r} of {key!r}")
                fields[key] = _Field(key, prop, kind, many)
        return _Schema(name, fields, cls)

    return build("", ctx, NEC.Case)


@lru_cache(maxsize=1)
def _reserved_names() -> frozenset[str]:
    """Every term of the context: a drug name equal to one would not map to nec:<name>."""
    names: set[str] = set()

    def walk(terms: Mapping[str, Any]) -> None:
        for key, definition in terms.items():
            names.add(key)
            if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):
                walk(definition["@context"])

    walk(_context())
    return frozenset(names)


@lru_cache(maxsize=1)
def _code_patterns() -> dict[str, re.Pattern[str]]:
    """The code systems of the ontology: ``nec:codeSystemName`` -> ``nec:codePattern``."""
    graph = rdflib.Graph()
    root = data_root("ontology")
    for path in sorted(root.glob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        if re.search(r'nec:codePattern\s+"', text):
            graph.parse(data=text, format="turtle")
    patterns = {}
    for system, pattern in graph.subject_objects(NEC.codePattern):
        name = graph.value(system, NEC.codeSystemName)
        if name is not None:
            patterns[str(name)] = re.compile(str(pattern))
    if not patterns:
        raise OntologyError("the ontology declares no code system with nec:codePattern")
    return patterns


# ---------------------------------------------------------------- checking the form

def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _fail(source: str, field: str | None, reason: str) -> CaseLoadError:
    return CaseLoadError(reason, source=source, field=field or None)


def _shown(value: Any) -> str:
    """A code or enumeration value, short enough for an error message."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


def _check_form(form: Any, source: str) -> None:
    schema = _schema()
    _check_object(form, schema, "", source)
    case_id = form["id"]
    if not isinstance(case_id, str) or not _SAFE_ID.match(case_id):
        raise _fail(source, "id", "must be an identifier of 1 to 128 letters, digits, '.', '_' or '-', "
                                  "starting with a letter or digit")
    policy = form.get("policy")
    if policy is not None and not _SAFE_ID.match(policy):
        raise _fail(source, "policy", f"is not a policy identifier: {_shown(policy)}")


def _check_object(obj: Any, schema: _Schema, path: str, source: str) -> None:
    if not isinstance(obj, Mapping):
        raise _fail(source, path, "must be an object")
    allowed = set(schema.fields) - _GENERATED
    if not schema.name:
        allowed.add("id")
    for key in obj:
        if key not in allowed:
            hint = " (send JSON-LD as application/ld+json)" if str(key).startswith("@") else ""
            raise _fail(source, _join(path, str(key)), f"unknown field{hint}")
    for key in _REQUIRED.get(schema.name, ()):
        if key not in obj:
            raise _fail(source, _join(path, key), "is required")
    for key, value in obj.items():
        if key == "id" and not schema.name:
            continue
        spec = schema.fields[key]
        where = _join(path, key)
        if spec.many:
            if not isinstance(value, list):
                raise _fail(source, where, "must be a list")
            if key in _NON_EMPTY and not value:
                raise _fail(source, where, "must hold at least one item")
            for i, item in enumerate(value):
                _check_value(item, spec, schema.name, f"{where}[{i}]", source)
        else:
            _check_value(value, spec, schema.name, where, source)
    if schema.name in ("diagnoses", "requested"):
        _check_code(obj, schema.name, path, source)


def _check_value(value: Any, spec: _Field, owner: str, where: str, source: str) -> None:
    kind = spec.kind
    if kind == "node":
        assert spec.schema is not None
        _check_object(value, spec.schema, where, source)
    elif kind == "string":
        if not isinstance(value, str):
            raise _fail(source, where, "must be a string")
        if not value.strip() or len(value) > _MAX_TEXT:
            raise _fail(source, where, f"must be a non-empty string of at most {_MAX_TEXT} characters")
        pattern = _PATTERNS.get((owner, spec.key))
        if pattern is not None and not pattern[0].match(value):
            raise _fail(source, where, pattern[1])
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise _fail(source, where, "must be true or false")
    elif kind in ("integer", "decimal"):
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise _fail(source, where, "must be a number")
        number = _as_decimal(value)
        if number is None:
            raise _fail(source, where, "must be a finite number")
        if kind == "integer" and number != number.to_integral_value():
            raise _fail(source, where, "must be a whole number")
        bounds = _RANGES.get((owner, spec.key))
        low, high = bounds or _DEFAULT_RANGE
        if not low <= number <= high:
            reason = (f"must be between {low} and {high}" if bounds
                      else "must not be negative" if number < low else "is too large")
            raise _fail(source, where, reason)
    elif kind == "date":
        if not isinstance(value, str):
            raise _fail(source, where, "must be a date written YYYY-MM-DD")
        if not _valid_date(value):
            raise _fail(source, where, "must be a real date written YYYY-MM-DD")
    elif kind == "datetime":
        if not isinstance(value, str) or _utc_datetime(value) is None:
            raise _fail(source, where, "must be an RFC 3339 date-time with a UTC offset, "
                                       "such as 2026-01-05T09:30:00Z or 2026-01-05T10:30:00+01:00")
    elif kind == "enum":
        if not isinstance(value, str) or value not in spec.values:
            raise _fail(source, where, f"{_shown(value)} is not one of: {', '.join(spec.values)}")
    elif kind == "name":
        if not isinstance(value, str) or not _DRUG_NAME.match(value) or value in _reserved_names():
            raise _fail(source, where, "must be a lower-case drug name (letters, digits, '-'), "
                                       f"not {_shown(value)}")


def _check_code(obj: Mapping[str, Any], owner: str, path: str, source: str) -> None:
    patterns = _code_patterns()
    system, code = obj["system"], obj["code"]
    allowed = sorted(s for s in patterns if (s in _DIAGNOSIS_SYSTEMS) == (owner == "diagnoses"))
    if system not in allowed:
        raise _fail(source, _join(path, "system"),
                    f"{_shown(system)} is not a code system here; use one of: {', '.join(allowed)}")
    if not patterns[system].match(code):
        raise _fail(source, _join(path, "code"), f"{_shown(code)} is not a well-formed {system} code")


def _valid_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _utc_datetime(text: str) -> str | None:
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


def _as_decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _canonical_decimal(number: Decimal) -> str:
    """The canonical xsd:decimal lexical form (XSD 1.1): ``10``, ``3.2``, ``-0.05``."""
    text = format(number.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ---------------------------------------------------------------- form -> JSON-LD

def _to_jsonld(form: Mapping[str, Any]) -> dict[str, Any]:
    case_id = form["id"]
    base = str(CASE[case_id])
    doc: dict[str, Any] = {"@context": copy.deepcopy(_context()), "@id": base, "@type": "nec:Case",
                           "case_id": case_id}
    schema = _schema()
    for key, value in form.items():
        if key == "id":
            continue
        spec = schema.fields[key]
        if spec.kind == "node":
            segment, cls = _NODES[key]
            assert spec.schema is not None
            if spec.many:
                doc[key] = [_node_jsonld(item, spec.schema, f"{base}/{segment}/{i}", cls,
                                         i if key == "requested" else None)
                            for i, item in enumerate(value)]
            else:
                doc[key] = _node_jsonld(value, spec.schema, f"{base}/{segment}", cls, None)
        else:
            doc[key] = _scalar_jsonld(value, spec)
    return doc


def _node_jsonld(obj: Mapping[str, Any], schema: _Schema, iri: str, cls: URIRef,
                 line_index: int | None) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": iri, "@type": cls.n3(_nec_manager())}
    for key, value in obj.items():
        spec = schema.fields[key]
        if spec.kind == "node":
            segment, child_cls = _NODES[key]
            assert spec.schema is not None
            if spec.many:
                node[key] = [_node_jsonld(item, spec.schema, f"{iri}/{segment}/{i}", child_cls, None)
                             for i, item in enumerate(value)]
            else:
                node[key] = _node_jsonld(value, spec.schema, f"{iri}/{segment}", child_cls, None)
            continue
        node[key] = _scalar_jsonld(value, spec)
    if line_index is not None:
        node["line_index"] = str(line_index)
    return node


@lru_cache(maxsize=1)
def _nec_manager() -> rdflib.namespace.NamespaceManager:
    manager = rdflib.namespace.NamespaceManager(rdflib.Graph(), bind_namespaces="none")
    manager.bind("nec", NEC)
    return manager


def _scalar_jsonld(value: Any, spec: _Field) -> Any:
    if spec.many:
        return [_scalar_jsonld(item, _Field(spec.key, spec.prop, spec.kind, False, spec.values))
                for item in value]
    if spec.kind == "boolean":
        return "true" if value else "false"
    if spec.kind == "integer":
        return str(int(_as_decimal(value)))  # type: ignore[arg-type]
    if spec.kind == "decimal":
        return _canonical_decimal(_as_decimal(value))  # type: ignore[arg-type]
    if spec.kind == "datetime":
        return _utc_datetime(value)
    return value


# ---------------------------------------------------------------- parsing

def _decode(data: bytes | str, source: str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise CaseLoadError(f"the body is not UTF-8 (byte {exc.start})", source=source) from None


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}\n]')


def _check_depth(text: str, source: str, max_depth: int) -> None:
    depth, line = 0, 1
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token in "[{":
            depth += 1
            if depth > max_depth:
                raise CaseLoadError(f"nesting deeper than the case form allows ({max_depth} levels)",
                                    source=source, line=line)
        elif token in "]}":
            depth -= 1
        else:
            line += token.count("\n")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _Duplicate(key)
        obj[key] = value
    return obj


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_json(text: str, source: str, *, max_depth: int, decimals: bool = True) -> Any:
    _check_depth(text, source, max_depth)
    try:
        return json.loads(text, parse_float=Decimal if decimals else float,
                          parse_constant=_no_constants, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise CaseLoadError(f"invalid JSON: {exc.msg} (column {exc.colno})", source=source,
                            line=exc.lineno) from None
    except _Duplicate as exc:
        raise CaseLoadError("the key appears twice in one object", source=source, field=exc.key) from None
    except ValueError as exc:
        raise CaseLoadError(f"invalid JSON: {exc}", source=source) from None


def _resolve_contexts(doc: Any, source: str) -> Any:
    """Replace the shipped context's URL by the shipped context; refuse every other remote one."""

    def context_value(value: Any) -> Any:
        if isinstance(value, str):
            if value == CONTEXT_URL:
                return copy.deepcopy(_context())
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


def _parse_jsonld_doc(doc: Any, source: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    try:
        graph.parse(data=json.dumps(doc), format="json-ld", publicID=str(CASE))
    except CaseLoadError:
        raise
    except Exception as exc:  # rdflib's JSON-LD parser raises assorted exception types
        raise CaseLoadError(f"invalid JSON-LD ({type(exc).__name__})", source=source) from None
    return graph


def _parse_turtle(text: str, source: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    try:
        graph.parse(data=text, format="turtle", publicID=str(CASE))
    except Exception as exc:  # BadSyntax, or a bad literal/IRI raised from inside the parser
        line = getattr(exc, "lines", None)
        why = getattr(exc, "_why", None) or type(exc).__name__
        raise CaseLoadError(f"invalid Turtle: {why}", source=source,
                            line=line + 1 if isinstance(line, int) else None) from None
    return graph


# ---------------------------------------------------------------- any graph -> the case graph

def _finish(graph: rdflib.Graph, source: str, fmt: str) -> LoadedCase:
    schema = _schema()
    cases = set(graph.subjects(RDF.type, NEC.Case))
    if len(cases) != 1:
        raise CaseLoadError(f"the input must describe exactly one nec:Case, found {len(cases)}",
                            source=source)
    case = cases.pop()
    if not isinstance(case, URIRef):
        raise CaseLoadError("the nec:Case node must be an IRI, not a blank node", source=source)
    prefix = str(CASE)
    case_id = str(case)[len(prefix):] if str(case).startswith(prefix) else ""
    if not _SAFE_ID.match(case_id):
        raise CaseLoadError(f"the nec:Case IRI must be {prefix}<id> with a safe identifier <id>",
                            source=source, field="id")
    graph = _skolemize(graph, case, case_id, schema, source)
    nodes = _case_nodes(graph, case, schema, source)
    form = _read_form(graph, case, case_id, nodes, schema, source)
    _check_form(form, source)
    out = _normalised(graph, case, case_id, nodes, schema)
    bind_prefixes(out)
    policy = form.get("policy")
    return LoadedCase(out, case, case_id, policy, fmt)


def _content_key(graph: rdflib.Graph, node: BNode) -> tuple[Any, ...]:
    index = graph.value(node, NEC.lineIndex)
    index_key = int(index) if isinstance(index, Literal) and str(index).isdigit() else 1 << 30
    content = sorted(f"{p.n3()} {o.n3() if not isinstance(o, BNode) else '_'}"
                     for p, o in graph.predicate_objects(node))
    return (index_key, content)


def _skolemize(graph: rdflib.Graph, case: URIRef, case_id: str, schema: _Schema,
               source: str) -> rdflib.Graph:
    """Name the blank nodes of a case's nodes as the case form would: CASE[<id>/line/0] ..."""
    if not any(isinstance(t, BNode) for triple in graph for t in triple):
        return graph
    used = {t for triple in graph for t in triple if isinstance(t, URIRef)}
    mapping: dict[BNode, URIRef] = {}

    def name_children(parent: Any, base: str, owner: _Schema) -> None:
        for spec in owner.fields.values():
            if spec.kind != "node":
                continue
            assert spec.schema is not None
            segment = _NODES[spec.key][0]
            children = list(graph.objects(parent, spec.prop))
            blanks = [o for o in children if isinstance(o, BNode)]
            blanks.sort(key=lambda b: _content_key(graph, b))
            i = 0
            for blank in blanks:
                while True:
                    iri = URIRef(f"{base}/{segment}/{i}" if spec.many else f"{base}/{segment}")
                    i += 1
                    if iri not in used or not spec.many:
                        break
                if iri in used or blank in mapping:
                    raise CaseLoadError(f"cannot name a blank node of '{spec.key}': its IRI is taken or "
                                        "it is used twice", source=source, field=spec.key)
                mapping[blank] = iri
                used.add(iri)
            for child in children:
                named = mapping.get(child, child) if isinstance(child, BNode) else child
                if isinstance(named, URIRef) and named != case:
                    name_children(child, str(named), spec.schema)

    name_children(case, str(CASE[case_id]), schema)
    out = rdflib.Graph()
    for s, p, o in graph:
        s2 = mapping.get(s, s) if isinstance(s, BNode) else s
        o2 = mapping.get(o, o) if isinstance(o, BNode) else o
        if isinstance(s2, BNode) or isinstance(o2, BNode):
            raise CaseLoadError("a blank node that is not a node of the case (only the case's "
                                "nodes may be blank)", source=source)
        out.add((s2, p, o2))
    return out


def _case_nodes(graph: rdflib.Graph, case: URIRef, schema: _Schema,
                source: str) -> dict[URIRef, tuple[_Field, URIRef]]:
    """The case's nodes and their nodes: node IRI -> (the field that holds it, its class)."""
    nodes: dict[URIRef, tuple[_Field, URIRef]] = {}

    def collect(parent: URIRef, owner: _Schema, path: str) -> None:
        for spec in owner.fields.values():
            if spec.kind != "node":
                continue
            assert spec.schema is not None
            where = _join(path, spec.key)
            for node in graph.objects(parent, spec.prop):
                if not isinstance(node, URIRef):
                    raise CaseLoadError("must be a node (an IRI or blank node), not a literal",
                                        source=source, field=where)
                if node in nodes or node == case:
                    raise CaseLoadError("one node is used twice in the case", source=source, field=where)
                nodes[node] = (spec, _NODES[spec.key][1])
                collect(node, spec.schema, where)

    collect(case, schema, "")
    return nodes


def _natural(iri: URIRef) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(iri))]


def _ordered(graph: rdflib.Graph, parent: URIRef, spec: _Field, source: str) -> list[URIRef]:
    nodes = [n for n in graph.objects(parent, spec.prop) if isinstance(n, URIRef)]
    if spec.key != "requested":
        return sorted(nodes, key=_natural)
    indexes = {n: graph.value(n, NEC.lineIndex) for n in nodes}
    given = [v for v in indexes.values() if v is not None]
    if not given:
        return sorted(nodes, key=_natural)
    try:
        numbers = {n: int(v) for n, v in indexes.items()}  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CaseLoadError("every requested line needs one nec:lineIndex 0..n-1, or none has one",
                            source=source, field="requested") from None
    if sorted(numbers.values()) != list(range(len(nodes))):
        raise CaseLoadError("every requested line needs one nec:lineIndex 0..n-1, or none has one",
                            source=source, field="requested")
    return sorted(nodes, key=numbers.__getitem__)


def _read_form(graph: rdflib.Graph, case: URIRef, case_id: str,
               nodes: dict[URIRef, tuple[_Field, URIRef]], schema: _Schema,
               source: str) -> dict[str, Any]:
    """Read the case graph back into the case form's shape, refusing anything else."""
    subjects = set(graph.subjects())
    for subject in subjects:
        if subject != case and subject not in nodes:
            raise CaseLoadError("the input holds statements that are not about the case or its nodes",
                                source=source)
    form: dict[str, Any] = {"id": case_id}
    _read_node(graph, case, NEC.Case, schema, "", form, source)
    given = form.pop("case_id", None)
    if given is not None and given != case_id:
        raise CaseLoadError("nec:caseId differs from the case IRI", source=source, field="id")
    _read_children(graph, case, schema, "", form, source)
    return form


def _read_children(graph: rdflib.Graph, parent: URIRef, schema: _Schema, path: str,
                   out: dict[str, Any], source: str) -> None:
    """Read the node-valued fields of ``parent`` (and theirs, one level down) into ``out``."""
    for spec in schema.fields.values():
        if spec.kind != "node":
            continue
        assert spec.schema is not None
        where = _join(path, spec.key)
        ordered = _ordered(graph, parent, spec, source)
        cls = _NODES[spec.key][1]
        if spec.many:
            items = []
            for i, node in enumerate(ordered):
                item: dict[str, Any] = {}
                _read_node(graph, node, cls, spec.schema, f"{where}[{i}]", item, source)
                _read_children(graph, node, spec.schema, f"{where}[{i}]", item, source)
                item.pop("line_index", None)
                items.append(item)
            if items:
                out[spec.key] = items
        elif ordered:
            if len(ordered) > 1:
                raise CaseLoadError("must have at most one value", source=source, field=where)
            item = {}
            _read_node(graph, ordered[0], cls, spec.schema, where, item, source)
            _read_children(graph, ordered[0], spec.schema, where, item, source)
            out[spec.key] = item


def _read_node(graph: rdflib.Graph, node: URIRef, cls: URIRef, schema: _Schema, path: str,
               out: dict[str, Any], source: str) -> None:
    by_prop = schema.by_prop()
    values: dict[str, list[Any]] = {}
    for p, o in graph.predicate_objects(node):
        if p == RDF.type:
            if o != cls:
                raise CaseLoadError(f"a node of this field may only have the type {cls.n3(_nec_manager())}",
                                    source=source, field=path or None)
            continue
        if p in _ANNOTATIONS:
            continue
        spec = by_prop.get(p)  # type: ignore[arg-type]
        if spec is None:
            raise CaseLoadError(f"the property {p.n3(_nec_manager())} is not part of the case form here",
                                source=source, field=path or None)
        if spec.kind == "node":
            continue  # read by the caller
        where = _join(path, spec.key)
        values.setdefault(spec.key, []).append(_from_rdf(o, spec, where, source))
    for key, items in values.items():
        spec = schema.fields[key]
        if spec.many:
            out[key] = sorted(items, key=str)
        elif len(items) > 1:
            raise CaseLoadError("must have at most one value", source=source, field=_join(path, key))
        else:
            out[key] = items[0]


def _from_rdf(term: Any, spec: _Field, where: str, source: str) -> Any:
    """An RDF term as the JSON value the case form would hold (checked afterwards)."""
    kind = spec.kind
    if kind == "enum":
        if isinstance(term, URIRef):
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
        return int(number) if number == number.to_integral_value() and kind == "integer" else number
    if kind == "boolean":
        if datatype != XSD.boolean or lexical not in ("true", "false", "1", "0"):
            raise CaseLoadError("must be an xsd:boolean", source=source, field=where)
        return lexical in ("true", "1")
    if kind == "date":
        if datatype != XSD.date:
            raise CaseLoadError("must be an xsd:date written YYYY-MM-DD", source=source, field=where)
        return lexical
    if kind == "datetime":
        if datatype != XSD.dateTime:
            raise CaseLoadError("must be an xsd:dateTime with a UTC offset", source=source, field=where)
        return lexical
    if datatype not in (None, XSD.string):
        raise CaseLoadError("must be a string", source=source, field=where)
    return lexical


def _canonical_literal(term: Literal, spec: _Field) -> Literal:
    if spec.kind == "integer":
        return Literal(str(int(Decimal(str(term).strip()))), datatype=XSD.integer)
    if spec.kind == "decimal":
        return Literal(_canonical_decimal(Decimal(str(term).strip())), datatype=XSD.decimal)
    if spec.kind == "boolean":
        return Literal("true" if str(term) in ("true", "1") else "false", datatype=XSD.boolean)
    if spec.kind == "date":
        return Literal(str(term), datatype=XSD.date)
    if spec.kind == "datetime":
        return Literal(_utc_datetime(str(term)), datatype=XSD.dateTime, normalize=False)
    return Literal(str(term))


def _normalised(graph: rdflib.Graph, case: URIRef, case_id: str,
                nodes: dict[URIRef, tuple[_Field, URIRef]], schema: _Schema) -> rdflib.Graph:
    """The checked graph with canonical literals, node types, nec:caseId and nec:lineIndex."""
    out = rdflib.Graph()
    owners = {case: schema}
    for node, (spec, _cls) in nodes.items():
        assert spec.schema is not None
        owners[node] = spec.schema
    for s, p, o in graph:
        owner = owners[s]  # type: ignore[index]
        spec = owner.by_prop().get(p)  # type: ignore[arg-type]
        if isinstance(o, Literal) and spec is not None:
            o = _canonical_literal(o, spec)
        elif isinstance(o, Literal) and p in _ANNOTATIONS:
            o = Literal(str(o), lang=o.language) if o.language else Literal(str(o))
        out.add((s, p, o))
    out.add((case, RDF.type, NEC.Case))
    out.add((case, NEC.caseId, Literal(case_id)))
    for node, (_spec, cls) in nodes.items():
        out.add((node, RDF.type, cls))
    requested = schema.fields["requested"]
    lines = _ordered(out, case, requested, "case")
    if all(out.value(line, NEC.lineIndex) is None for line in lines):
        for i, line in enumerate(lines):
            out.add((line, NEC.lineIndex, Literal(str(i), datatype=XSD.integer)))
    return out
