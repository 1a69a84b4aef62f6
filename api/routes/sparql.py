"""A read-only SPARQL 1.1 Protocol endpoint over the knowledge graph and the stored cases.

The default graph is the union of every graph: the knowledge graph (ontology, shapes,
policies), each case graph and each determination graph; ``GRAPH ?g`` reaches each one
by name. The query policy is the store's (:mod:`reasoner.store.policy`, shared with
``necessity query``): an update, a SERVICE clause, a dataset clause or a
``default-graph-uri`` / ``named-graph-uri`` parameter is refused with 400. A query larger
than ``NECESSITY_MAX_QUERY_BYTES`` is refused with 413 before it is read further. Checking
and running the query happen off the event loop, inside the time limit; past the limit
the query is stopped and answered 503. Results are negotiated by Accept: SPARQL JSON
(default), XML, CSV or TSV for SELECT and ASK; Turtle (default), N-Triples or RDF/XML for
CONSTRUCT and DESCRIBE.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from reasoner.errors import QueryRefusedError, QueryTooLargeError
from reasoner.store.results import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES

from ..deps import SettingsDep, StoreDep
from ..examples import SPARQL_EXAMPLE
from ..negotiation import choose
from ..problems import ProblemModel
from ..security import require_api_key
from ..settings import Settings

router = APIRouter(prefix="/sparql", tags=["sparql"], dependencies=[Depends(require_api_key)])

_ALIASES = {"application/json": "application/sparql-results+json",
            "application/xml": "application/sparql-results+xml"}
_ERRORS = {
    400: {"model": ProblemModel, "description": "Malformed query, an update, a SERVICE or dataset clause, "
                                                "or a dataset parameter."},
    406: {"model": ProblemModel, "description": "No acceptable result format for this query form."},
    413: {"model": ProblemModel, "description": "The body or the query is larger than the limit."},
    503: {"model": ProblemModel, "description": "The query ran past the time limit and was stopped."},
}
_RESULTS = {200: {"description": "Query results.", "content": {
    "application/sparql-results+json": {"schema": {"type": "object"}},
    "application/sparql-results+xml": {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}},
    "text/tab-separated-values": {"schema": {"type": "string"}},
    "text/turtle": {"schema": {"type": "string"}},
    "application/n-triples": {"schema": {"type": "string"}},
    "application/rdf+xml": {"schema": {"type": "string"}},
}}}


_DESCRIPTION = (
    "A read-only SPARQL 1.1 query over the union of every graph (knowledge, cases, determinations). The "
    "listing queries of `queries/` page by case: their first block picks one page of cases by case id "
    "(`ORDER BY ?caseId LIMIT 100 OFFSET 0`); send the next page with `OFFSET 100`, then `200`, and so on "
    "(README, \"Paging the listings\"). A `LIMIT` after a whole pattern still evaluates and sorts every row.")


def _bad(detail: str, field: str) -> HTTPException:
    exc = HTTPException(400, detail)
    exc.problem_extra = {"field": field}  # type: ignore[attr-defined]
    return exc


def _refuse_dataset(params: dict[str, list[str]]) -> None:
    if params.get("update"):
        raise QueryRefusedError("SPARQL updates are refused: this endpoint is read-only")
    for name in ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"):
        if params.get(name):
            raise _bad(f"'{name}' is not supported: the default graph is the union of all graphs; "
                       "use GRAPH to name one", name)


def _check_size(size: int, settings: Settings) -> None:
    if size > settings.max_query_bytes:
        raise QueryTooLargeError(f"the query is {size} bytes, larger than the limit of "
                                 f"{settings.max_query_bytes} bytes")


async def _answer(text: str | None, request: Request, store, settings: Settings) -> Response:
    if text is None or not text.strip():
        raise _bad("a 'query' parameter (or an application/sparql-query body) is required", "query")
    _check_size(len(text.encode("utf-8")), settings)
    accept = request.headers.get("accept")
    # Refuse an Accept that no query form could satisfy before running anything.
    try:
        choose(accept, list(RESULT_MEDIA_TYPES), aliases=_ALIASES)
    except HTTPException:
        choose(accept, list(GRAPH_MEDIA_TYPES))
    result = await run_in_threadpool(store.query, text, timeout=settings.query_timeout)
    offered = list(GRAPH_MEDIA_TYPES if result.is_graph else RESULT_MEDIA_TYPES)
    media = choose(accept, offered, aliases={} if result.is_graph else _ALIASES)
    body = await run_in_threadpool(result.serialize, media)
    return Response(body, media_type=media + ("; charset=utf-8" if media.startswith("text/") else ""))


@router.get("", summary="Run a read-only SPARQL query (query string)", description=_DESCRIPTION,
            responses={**_RESULTS, **_ERRORS})
async def sparql_get(request: Request, store: StoreDep, settings: SettingsDep,
                     query: Annotated[str | None, Query(description="The SPARQL 1.1 query.",
                                                        examples=[SPARQL_EXAMPLE])] = None) -> Response:
    params = parse_qs(request.url.query, keep_blank_values=True)
    _refuse_dataset(params)
    if len(params.get("query", [])) > 1:  # which one would run is a parser's choice: refuse, never guess
        raise _bad("send one 'query' parameter", "query")
    return await _answer(query, request, store, settings)


@router.post("", summary="Run a read-only SPARQL query (form or direct POST)", description=_DESCRIPTION,
             responses={**_RESULTS, **_ERRORS},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/sparql-query": {"schema": {"type": "string"}, "example": SPARQL_EXAMPLE},
                 "application/x-www-form-urlencoded": {
                     "schema": {"type": "object", "properties": {"query": {"type": "string"}},
                                "required": ["query"]},
                     "example": {"query": SPARQL_EXAMPLE}},
             }}})
async def sparql_post(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    declared = request.headers.get("content-length")
    if media == "application/sparql-query" and declared and declared.isdigit():
        _check_size(int(declared), settings)  # before the body is read
    body = await request.body()
    params = parse_qs(request.url.query, keep_blank_values=True)
    try:
        text_body = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad("the body is not UTF-8", "body") from None
    if media == "application/sparql-query":
        _refuse_dataset(params)
        if params.get("query"):
            raise _bad("a direct POST carries its query in the body; do not send a 'query' parameter too", "query")
        return await _answer(text_body, request, store, settings)
    if media == "application/x-www-form-urlencoded":
        form = parse_qs(text_body, keep_blank_values=True)
        _refuse_dataset({**params, **form})
        queries = form.get("query") or []
        if len(queries) > 1:
            raise _bad("send one 'query' parameter", "query")
        return await _answer(queries[0] if queries else None, request, store, settings)
    if media == "application/sparql-update":
        raise QueryRefusedError("SPARQL updates are refused: this endpoint is read-only")
    exc = HTTPException(415, "Content-Type must be application/sparql-query or "
                             "application/x-www-form-urlencoded")
    exc.problem_extra = {"field": "Content-Type"}  # type: ignore[attr-defined]
    raise exc

