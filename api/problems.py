"""Every error is a problem response (RFC 9457, ``application/problem+json``).

A problem has ``type``, ``title``, ``status`` and ``detail``, and ``field`` or ``line``
where the error knows them. Domain errors (``NecessityError`` subclasses) map to 4xx
statuses here, in one table; nothing else in ``api/`` decides a status for them.
Unexpected exceptions become a 500 problem in :mod:`api.middleware`, without a stack
trace and without patient data in the log. On a FHIR route (``/Claim/...``) every error, 401 and
413 included, is an OperationOutcome (``application/fhir+json``) instead, ``expression`` naming the
element where the error knows it.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from reasoner.errors import (
    CaseExistsError, CaseLoadError, CaseNotFoundError, DeterminationNotFoundError, InvalidIdentifierError,
    NecessityError, QueryError, QueryRefusedError, QueryTimeoutError, QueryTooLargeError, ReviewConflictError,
    ReviewError, ReviewForbiddenError, StoreError, UnknownPolicyError,
)

__all__ = ["PROBLEM_JSON", "problem", "install_problem_handlers", "ProblemModel", "status_for", "is_fhir_path",
           "error_body"]

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "https://w3id.org/necessity/problems/"

# most specific first
_STATUS: list[tuple[type[NecessityError], int, str]] = [
    (CaseLoadError, 422, "invalid-case"),
    (UnknownPolicyError, 422, "unknown-policy"),
    (CaseExistsError, 409, "case-exists"),
    (CaseNotFoundError, 404, "case-not-found"),
    (DeterminationNotFoundError, 404, "determination-not-found"),
    (InvalidIdentifierError, 422, "invalid-identifier"),
    (ReviewForbiddenError, 403, "review-forbidden"),
    (ReviewConflictError, 409, "determination-superseded"),
    (ReviewError, 422, "invalid-review"),
    (QueryRefusedError, 400, "query-refused"),
    (QueryTimeoutError, 503, "query-timeout"),
    (QueryTooLargeError, 413, "query-too-large"),
    (QueryError, 400, "invalid-query"),
    (StoreError, 503, "store-unavailable"),
]

_HTTP_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
                405: "Method not allowed", 406: "Not acceptable", 409: "Conflict", 413: "Content too large",
                415: "Unsupported media type", 422: "Unprocessable content", 500: "Internal server error",
                503: "Service unavailable"}


_FHIR_PREFIX = "/Claim/"
_ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
                406: "not-supported", 409: "duplicate", 413: "too-long", 415: "not-supported", 422: "invalid",
                500: "exception", 503: "transient"}


def is_fhir_path(path: str) -> bool:
    """A FHIR route (``/Claim/$submit`` and its siblings): its every error is an OperationOutcome."""
    return path.startswith(_FHIR_PREFIX)


def error_body(path: str, status: int, title: str, detail: str, **extra: Any) -> tuple[bytes, str]:
    """An error's body and media type: an OperationOutcome on a FHIR route, else a problem."""
    if is_fhir_path(path):
        from reasoner.fhir import FHIR_JSON, operation_outcome

        element = extra.get("field")
        where = element if isinstance(element, str) and element.startswith("Bundle") else None
        outcome = operation_outcome(detail, expression=where,
                                    code=_ISSUE_CODES.get(status, "processing"))
        return json.dumps(outcome).encode(), FHIR_JSON
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    return json.dumps(body).encode(), PROBLEM_JSON


class ProblemModel(BaseModel):
    """An RFC 9457 problem detail."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"example": {
        "type": "https://w3id.org/necessity/problems/invalid-case", "title": "Invalid case", "status": 422,
        "detail": "case at field 'requested[0].code': 'J22' is not a well-formed HCPCS code",
        "field": "requested[0].code"}})

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None
    line: int | None = None


def problem(status: int, detail: str, *, title: str | None = None, type_: str | None = None,
            headers: dict[str, str] | None = None, path: str = "", **extra: Any) -> Response:
    """A problem response (an OperationOutcome where ``path`` is a FHIR route's)."""
    if is_fhir_path(path):
        body, media = error_body(path, status, title or "", detail, **extra)
        return Response(body, status_code=status, media_type=media, headers=headers)
    body: dict[str, Any] = {"type": type_ or "about:blank", "title": title or _HTTP_TITLES.get(status, "Error"),
                            "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_for(exc: NecessityError) -> tuple[int, str]:
    for cls, status, slug in _STATUS:
        if isinstance(exc, cls):
            return status, slug
    return 500, "internal-error"


def _field_of(exc: NecessityError) -> str | None:
    if isinstance(exc, CaseLoadError):
        return exc.field
    if isinstance(exc, UnknownPolicyError):
        return getattr(exc, "field", None) or "policy"
    if isinstance(exc, (CaseExistsError, InvalidIdentifierError)):
        return getattr(exc, "field", None) or "id"
    if isinstance(exc, QueryError):
        return getattr(exc, "field", None) or "query"
    return getattr(exc, "field", None)


def necessity_problem(exc: NecessityError, path: str = "") -> Response:
    status, slug = status_for(exc)
    if status == 500:
        return problem(500, "the server could not complete the request", title="Internal server error", path=path)
    headers = {"Retry-After": "5"} if status == 503 else None
    return problem(status, str(exc), title=exc.title, type_=_TYPE_BASE + slug, headers=headers, path=path,
                   field=_field_of(exc), line=getattr(exc, "line", None))


def _loc_to_field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    out = ""
    for part in parts:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or ".".join(str(p) for p in loc)


async def _validation_handler(request: Request, exc: RequestValidationError) -> Response:
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    field = _loc_to_field(tuple(first.get("loc", ())))
    detail = "; ".join(f"{_loc_to_field(tuple(e.get('loc', ())))}: {e.get('msg', 'invalid')}" for e in errors)
    return problem(422, detail, title="Invalid request", type_=_TYPE_BASE + "invalid-request", field=field,
                   path=request.url.path)


async def _http_handler(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) else _HTTP_TITLES.get(exc.status_code, "error")
    extra = getattr(exc, "problem_extra", None) or {}
    return problem(exc.status_code, detail, headers=getattr(exc, "headers", None), path=request.url.path, **extra)


async def _necessity_handler(request: Request, exc: NecessityError) -> Response:
    return necessity_problem(exc, request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem response."""
    app.add_exception_handler(NecessityError, _necessity_handler)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_handler)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_handler)  # type: ignore[arg-type]
