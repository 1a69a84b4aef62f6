"""Load a case (JSON case form, Turtle or JSON-LD) into its case graph, with clear errors.

The modules, in the order data flows through them:

* :mod:`.schema` - the form's one schema: the shipped JSON-LD context plus ``case-form-rules.json``;
* :mod:`.parse` - bytes to text and JSON; unsafe characters, NaN and huge numbers refused by path;
* :mod:`.form` - checks of the JSON form, each error naming its field;
* :mod:`.jsonld` / :mod:`.turtle` - the form as JSON-LD; JSON-LD and Turtle parsed without losses;
* :mod:`.graph` - one ``nec:Case``, blank nodes named, every node confined under the case IRI;
* :mod:`.readback` - the graph read back into the form (same checks) and normalised;
* :mod:`.jsonschema` - the JSON Schema of the form for the API.

Statements that are not about the case or its nodes, terms outside the case form's vocabulary
and derived terms (such as ``nec:pumpDocumented``) are refused, so a submitted case cannot add
knowledge, pre-empt inference or touch another case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rdflib
from rdflib import URIRef

from reasoner.errors import CaseLoadError
from reasoner.namespaces import bind_prefixes

from .form import check_form
from .graph import case_nodes, find_case, skolemize
from .jsonld import parse_jsonld, resolve_contexts, to_jsonld
from .parse import decode, parse_json, quiet_libraries
from .readback import normalised, read_form
from .schema import CONTEXT_PATH, CONTEXT_URL, schema
from .turtle import check_terms, parse_turtle

__all__ = [
    "LoadedCase", "load_case", "load_case_file", "load_form", "case_to_jsonld", "CONTEXT_URL", "CONTEXT_PATH",
    "CONTENT_TYPES",
]

_MAX_FORM_DEPTH = 5    # {intrathecal_trial: {dose_steps: [{response: ...}]}}
_MAX_JSONLD_DEPTH = 32

CONTENT_TYPES = {
    "application/json": "json",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "json-ld",
}
_SUFFIXES = {".json": "application/json", ".ttl": "text/turtle", ".jsonld": "application/ld+json"}


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
    """``json``, ``turtle``, ``json-ld`` (or ``fhir`` when a PAS bundle was mapped to the form)."""


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
    fmt = CONTENT_TYPES.get(media)
    if fmt is None:
        raise CaseLoadError(f"unsupported content type {media[:60]!r}; use one of "
                            f"{', '.join(sorted(CONTENT_TYPES))}", source=source)
    text = decode(data, source)
    if fmt == "json":
        return load_form(parse_json(text, source, max_depth=_MAX_FORM_DEPTH), source=source)
    if fmt == "turtle":
        graph = parse_turtle(text, source)
    else:
        doc = parse_json(text, source, max_depth=_MAX_JSONLD_DEPTH, decimals=False)
        graph = parse_jsonld(resolve_contexts(doc, source), source)
        check_terms(graph, source)
    return _finish(graph, source, fmt)


def load_form(form: Any, *, source: str = "case", source_format: str = "json") -> LoadedCase:
    """Check an already parsed JSON case form and return its case graph."""
    check_form(form, source)
    graph = parse_jsonld(to_jsonld(form), source, check_losses=False)
    return _finish(graph, source, source_format)


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
    check_form(form, "case")
    return to_jsonld(form)


def _finish(graph: rdflib.Graph, source: str, fmt: str) -> LoadedCase:
    owner = schema()
    with quiet_libraries():
        case, case_id = find_case(graph, source)
        graph = skolemize(graph, case, owner, source)
        nodes = case_nodes(graph, case, owner, source)
        form = read_form(graph, case, case_id, owner, source)
        check_form(form, source)
        out = normalised(graph, case, case_id, nodes, owner)
    bind_prefixes(out)
    return LoadedCase(out, case, case_id, form.get("policy"), fmt)
