"""OpenAPI examples built from a real reference case, so they work as written."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from reasoner.loading import case_to_jsonld, load_case
from reasoner.namespaces import bind_prefixes
from reasoner.paths import data_root

__all__ = ["EXAMPLE_CASE", "case_body_examples", "SPARQL_EXAMPLE"]

EXAMPLE_CASE = "000-ziconotide-refill"
"""The reference case used as the request example (ziconotide refill: meets criteria)."""

SPARQL_EXAMPLE = """PREFIX nec: <https://w3id.org/necessity/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?policy ?version ?label WHERE {
  ?v nec:policyId ?policy ; nec:versionLabel ?version .
  OPTIONAL { ?v rdfs:label ?label }
} ORDER BY ?policy ?version"""


@lru_cache(maxsize=1)
def _form() -> dict[str, Any] | None:
    path = Path(data_root("cases")) / f"{EXAMPLE_CASE}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@lru_cache(maxsize=1)
def case_body_examples() -> dict[str, Any]:
    """The request body description of ``POST /cases``: one example per content type."""
    form = _form()
    content: dict[str, Any] = {
        "application/json": {"schema": {"type": "object", "description": "The JSON case form."}},
        "text/turtle": {"schema": {"type": "string", "description": "A case graph in Turtle."}},
        "application/ld+json": {"schema": {"type": "object", "description": "A case graph in JSON-LD."}},
    }
    if form is None:
        return content
    content["application/json"]["example"] = form
    try:
        graph = load_case(json.dumps(form), content_type="application/json", source=EXAMPLE_CASE).graph
        bind_prefixes(graph)
        content["text/turtle"]["example"] = graph.serialize(format="turtle")
        content["application/ld+json"]["example"] = case_to_jsonld(form)
    except Exception:  # noqa: BLE001 - an example must never stop the app from starting
        pass
    return content
