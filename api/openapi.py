"""The OpenAPI description, made to match what the API sends.

FastAPI declares error responses as ``application/json`` and its own 422 schema; every
error here is an RFC 9457 problem (``application/problem+json``). This rewrites each
operation's error responses to the problem schema and media type, and declares the
errors every operation can answer (401 behind a key, 404 with path parameters, 405 for
another method, 413 with a body, 500, 503 when the store is unavailable), so a client
generated from the description, or schemathesis, finds every response described.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from .problems import PROBLEM_JSON, ProblemModel, is_fhir_path

__all__ = ["install_openapi"]

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_DESCRIPTIONS = {
    400: "The request is malformed.", 401: "No API key, or not a valid one.",
    404: "No such resource.", 405: "The path does not allow this method.",
    406: "None of the Accept media types is offered.", 409: "Conflict with the stored state.",
    413: "The body (or the query) is larger than the limit.", 415: "The Content-Type is not accepted.",
    422: "A parameter or the body is invalid; `field` or `line` says where.",
    500: "The server could not complete the request.",
    503: "The store is unavailable, or a query ran past its time limit.",
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}}}


def _outcome(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/fhir+json": {"schema": {
        "type": "object", "description": "An OperationOutcome; `issue[0].expression` names the element at fault."}}}}


def _fix_operation(op: dict[str, Any], method: str, path: str) -> None:
    responses: dict[str, Any] = op.setdefault("responses", {})
    error = _outcome if is_fhir_path(path) else _problem  # a FHIR route answers every error as an OperationOutcome
    for code, response in list(responses.items()):
        own = set(response.get("content", {})) - {"application/json", PROBLEM_JSON}
        if code.isdigit() and int(code) >= 400 and not own:  # a FHIR OperationOutcome stays as declared
            responses[code] = error(response.get("description") or _DESCRIPTIONS.get(int(code), "Error"))
    needs_key = any("APIKeyHeader" in req or "HTTPBearer" in req for req in op.get("security", []))
    wanted = [405, 500, 503]
    if needs_key:
        wanted.append(401)
    if "{" in path or needs_key:
        wanted.append(404)
    if op.get("parameters") or "requestBody" in op:
        wanted.append(422)
    if "requestBody" in op:
        wanted += [413, 415]
    for code in wanted:
        responses.setdefault(str(code), error(_DESCRIPTIONS[code]))


def install_openapi(app: FastAPI) -> None:
    """Replace ``app.openapi`` with the problem-aware description (built once)."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes, tags=app.openapi_tags)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        problem = ProblemModel.model_json_schema(ref_template="#/components/schemas/{model}")
        problem["title"] = "Problem"
        components["Problem"] = problem
        for name in ("HTTPValidationError", "ValidationError", "ProblemModel"):
            components.pop(name, None)
        for path, item in schema.get("paths", {}).items():
            for method, op in item.items():
                if method in ("get", "post", "put", "delete", "patch"):
                    _fix_operation(op, method, path)
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
