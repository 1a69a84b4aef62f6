"""OpenAPI examples built from a real reference case, so they work as written."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from reasoner.loading import case_to_jsonld, load_case
from reasoner.loading.jsonschema import form_json_schema
from reasoner.namespaces import bind_prefixes
from reasoner.knowledge.paths import data_root

__all__ = ["EXAMPLE_CASE", "case_body_examples", "SPARQL_EXAMPLE"]

EXAMPLE_CASE = "000-ziconotide-refill"
"""The reference case used as the request example (ziconotide refill: meets criteria)."""

SPARQL_EXAMPLE = """PREFIX nec: <https://w3id.org/necessity/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?policy ?version ?label WHERE {
  ?v nec:policyId ?policy ; nec:versionLabel ?version .
  OPTIONAL { ?v rdfs:label ?label }
} ORDER BY ?policy ?version"""


FORM_EXAMPLES = {
    "ziconotide-refill": ("000-ziconotide-refill", "A ziconotide refill that meets the criteria."),
    "no-pump-documented": ("002-morphine-no-pump", "A morphine refill without pump documentation."),
    "baclofen-trial": ("010-baclofen-trial-spasticity", "A baclofen trial and implant for spasticity."),
    "psychosis-history": ("011-ziconotide-psychosis", "Ziconotide with a history of psychosis."),
}
"""Named request examples: each a bundled case with its own id (so each can be sent once as written)."""


def _read(stem: str) -> dict[str, Any] | None:
    path = Path(data_root("cases")) / f"{stem}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _form() -> dict[str, Any] | None:
    return _read(EXAMPLE_CASE)


@lru_cache(maxsize=1)
def case_body_examples() -> dict[str, Any]:
    """The request body description of ``POST /cases``: the form's JSON Schema and examples."""
    form = _form()
    examples = {}
    for name, (stem, summary) in FORM_EXAMPLES.items():
        value = _read(stem)
        if value is not None:
            examples[name] = {"summary": summary, "value": value}
    content: dict[str, Any] = {
        "application/json": {"schema": form_json_schema(), "examples": examples},
        "text/turtle": {"schema": {"type": "string", "description": "A case graph in Turtle."}},
        "application/ld+json": {"schema": {"type": "object", "description": "A case graph in JSON-LD."}},
    }
    if form is None:
        return content
    try:
        turtle_form = dict(form, id=f"{form['id']}-turtle")
        graph = load_case(json.dumps(turtle_form), content_type="application/json", source=EXAMPLE_CASE).graph
        bind_prefixes(graph)
        content["text/turtle"]["example"] = graph.serialize(format="turtle")
        content["application/ld+json"]["example"] = case_to_jsonld(dict(form, id=f"{form['id']}-jsonld"))
    except Exception:  # noqa: BLE001 - an example must never stop the app from starting
        pass
    return content
