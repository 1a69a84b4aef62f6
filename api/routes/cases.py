"""Cases: submit one and get its determination, fetch it back, re-decide it.

A case id is unique in the store: submitting a case whose id is already stored is
refused with 409 and changes nothing. To decide a stored case again (another policy,
a newer policy version) use ``POST /cases/{id}/decide``: each decision is kept as its
own determination, numbered from 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BeforeValidator
from rdflib import Graph, URIRef

from reasoner.determination import Determination
from reasoner.determination.review_model import Review
from reasoner.letters import reviewer_page
from reasoner.review import Reviewer
from reasoner.namespaces import bind_prefixes
from reasoner.store import (
    DeterminationNotFoundError, DeterminationRecord, EmbeddedStore, Store, case_iri, determination_iri,
)
from reasoner.knowledge.vocabulary import from_iri

from ..deps import DeciderDep, StoreDep
from ..examples import case_body_examples
from ..models import CasePublic, Decision, DeterminationSummary, StoredDetermination
from ..negotiation import choose
from ..problems import ProblemModel
from ..security import ReviewerDep, presented_key, require_api_key
from ..signoff import signoff_context
from ..submission import LETTERS
from reasoner.determination.rdf import from_graph

router = APIRouter(prefix="/cases", tags=["cases"], dependencies=[Depends(require_api_key)])

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
CaseId = Annotated[str, PathParam(pattern=_ID_PATTERN, description="The case id (the form's `id`).",
                                  examples=["000-ziconotide-refill"])]


def _plain_number(value: object) -> object:
    """Only digits, the first not 0: ``+1``, `` 1`` and ``1_0`` are refused, not read as 1 and 10."""
    if isinstance(value, str) and not re.fullmatch(r"[1-9][0-9]{0,6}", value):
        raise ValueError("a determination number is written with digits only, from 1")
    return value


DeterminationNumber = Annotated[int, BeforeValidator(_plain_number),
                                PathParam(ge=1, le=1_000_000, examples=[1],
                                          description="The determination's number, from 1 (digits only).")]
PolicyParam = Annotated[str | None, Query(
    pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(@[A-Za-z0-9][A-Za-z0-9._-]{0,63})?$", description=(
        "The policy to decide under, optionally with its version (`aetna-cpb-0161@2026-01`); default: the "
        "case's own `policy`, else the configured default."), examples=["aetna-cpb-0161"])]
VersionParam = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description=(
    "The policy version label; default: the version in force on the case's date of service, else its "
    "`received_at`, else today."), examples=["2026-01"])]

CASE_TYPES = ["application/json", "text/turtle", "application/ld+json"]
DECISION_TYPES = ["application/json", "text/markdown", "text/html", "text/turtle"]
CASE_GRAPH_TYPES = ["application/json", "text/turtle", "application/ld+json", "application/n-triples", "text/html"]
DETERMINATION_TYPES = ["application/json", "text/turtle", "application/ld+json", "application/n-triples",
                       "text/markdown", "text/html"]
_RDF_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}

_PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemModel"}}}

_ERRORS = {
    401: {"model": ProblemModel, "content": _PROBLEM_CONTENT, "description": "No API key, or not a valid one."},
    404: {"model": ProblemModel, "content": _PROBLEM_CONTENT, "description": "No such case or determination."},
    406: {"model": ProblemModel, "content": _PROBLEM_CONTENT, "description": "None of the Accept media types is offered."},
    413: {"model": ProblemModel, "content": _PROBLEM_CONTENT, "description": "The body is larger than the limit."},
    415: {"model": ProblemModel, "content": _PROBLEM_CONTENT, "description": "The Content-Type is not a case format."},
    422: {"model": ProblemModel, "content": _PROBLEM_CONTENT, "description": "The case or a parameter is invalid; `field` or `line` "
                                                "says where."},
}


def _decision_content() -> dict:
    return {m: {"schema": {"type": "string"}} for m in ("text/markdown", "text/html", "text/turtle")}


def _letter(det: Determination, media: str, number: int, *, status: int = 200,
            headers: dict | None = None) -> Response:
    """The provider notice (Markdown) or the reviewer's page (HTML) of the ``number``-th determination."""
    content_type, render = LETTERS[media]
    return Response(render(det, number=number), status_code=status, media_type=content_type, headers=headers)


def _rdf(graph: Graph, media: str) -> Response:
    bind_prefixes(graph)
    fmt = _RDF_FORMATS[media]
    return Response(graph.serialize(format=fmt, encoding="utf-8"), media_type=media)


def _decision(body: bytes, media_type: str, iri: URIRef | str, case_id: str, *, status: int) -> Response:
    number = int(str(iri).rsplit("/", 1)[-1])
    return Response(body, status_code=status, media_type=media_type,
                    headers={"Location": f"/cases/{case_id}/determinations/{number}"})


def _summary(case_id: str, record: DeterminationRecord, review: Review | None = None) -> DeterminationSummary:
    return DeterminationSummary(review=review,
        number=record.number, iri=record.iri, case_id=case_id, policy_id=record.policy_id,
        policy_version=record.version_label, policy_version_iri=record.policy_version,
        engine_version=record.engine_version, decided_at=record.generated_at,
        outcomes={code: from_iri(o).word for code, o in record.outcomes.items()},
        url=f"/cases/{case_id}/determinations/{record.number}")


def _content_type(request: Request) -> str:
    raw = request.headers.get("content-type", "")
    media = raw.split(";", 1)[0].strip().lower()
    if media == "application/x-turtle":
        media = "text/turtle"
    if media not in CASE_TYPES:
        hint = "; send Da Vinci PAS request bundles to POST /Claim/$submit" if media == "application/fhir+json" else ""
        exc = HTTPException(415, f"Content-Type must be one of {', '.join(CASE_TYPES)}"
                                 f"{'' if media else ' (none was sent)'}{hint}")
        exc.problem_extra = {"field": "Content-Type"}  # type: ignore[attr-defined]
        raise exc
    return media


def _stored_case(store: Store, case_id: str) -> tuple[str, int]:
    """A stored case's graph as N-Triples and the number its next determination is expected to get."""
    text = store.get_case(case_id).serialize(format="nt", encoding="utf-8").decode("utf-8")
    return text, len(store.list_determinations(case_id)) + 1


@router.post(
    "", status_code=201, summary="Submit a case and get its determination",
    description=(
        "The body is one case: the JSON case form (`application/json`), Turtle (`text/turtle`) or "
        "JSON-LD (`application/ld+json`). The case is decided and stored with its determination, in one "
        "atomic write. The response is the determination: JSON by default, a Markdown letter "
        "(`Accept: text/markdown`) or the determination graph (`Accept: text/turtle`); `Location` names "
        "the stored determination. A case id that is already stored is refused with 409 (nothing "
        "changes); decide a stored case again with `POST /cases/{case_id}/decide`. An invalid case is "
        "refused with 422 naming the field or line, and nothing is stored."),
    response_model=Decision,
    responses={201: {"content": _decision_content()}, 409: {"model": ProblemModel, "content": _PROBLEM_CONTENT,
               "description": "A case with this id is already stored."}, **_ERRORS},
    openapi_extra={"requestBody": {"required": True, "content": case_body_examples()}},
)
async def submit_case(request: Request, decider: DeciderDep, store: StoreDep, policy: PolicyParam = None,
                      version: VersionParam = None) -> Response:
    media = _content_type(request)
    accept = choose(request.headers.get("accept"), DECISION_TYPES)
    body = await request.body()
    ready = await decider.prepare(body, media, policy, version, accept)  # in a worker process, or a thread
    iri = await run_in_threadpool(store.add_case, ready.case_id, ready.case_nt, ready.determination)
    return _decision(ready.body, ready.media_type, iri, ready.case_id, status=201)


@router.get("/{case_id}", summary="A stored case and its determinations",
            description="JSON (default): the case id, IRI and its determinations. Turtle, JSON-LD or "
                        "N-Triples: the stored case graph. HTML: the reviewer's page of its latest determination.",
            response_model=CasePublic,
            responses={200: {"content": {m: {"schema": {"type": "string"}} for m in CASE_GRAPH_TYPES[1:]}},
                       **_ERRORS})
async def get_case(case_id: CaseId, request: Request, store: StoreDep, reviewer: ReviewerDep) -> Response:
    media = choose(request.headers.get("accept"), CASE_GRAPH_TYPES)
    if media == "application/json":
        return await _read(store, _case_summary, store, case_id)
    return await run_in_threadpool(_case_document, store, case_id, media, reviewer, presented_key(request))


def _case_summary(store: Store, case_id: str) -> Response:
    """The case's id, size and determination records: a count and a few quads each, no graph read."""
    size = store.case_size(case_id)
    records = store.list_determinations(case_id)
    # only a reviewed determination is read whole (for its review): a case nobody reviewed costs no more
    body = CasePublic(id=case_id, iri=str(case_iri(case_id)), triples=size,
                      determinations=[_summary(case_id, r, _stored(store, case_id, r.number).review if r.reviewed
                                               else None) for r in records])
    return Response(body.model_dump_json(), media_type="application/json")


def _case_document(store: Store, case_id: str, media: str, reviewer: Reviewer | None = None,
                   key: str | None = None) -> Response:
    """The case graph (Turtle, JSON-LD, N-Triples) or the reviewer's page of its latest determination."""
    graph = store.get_case(case_id)
    if media == "text/html":
        records = store.list_determinations(case_id)
        if not records:
            raise DeterminationNotFoundError(f"case '{case_id}' has no determination yet")
        latest = max(r.number for r in records)
        return _page(_stored(store, case_id, latest), latest, latest, reviewer, key)
    return _rdf(graph, media)


def _page(det: Determination, number: int, latest: int, reviewer: Reviewer | None, key: str | None) -> Response:
    """The reviewer's page, with the sign-off form the key's role may use (:mod:`api.signoff`)."""
    signoff = signoff_context(det, number=number, latest=latest, reviewer=reviewer, key=key)
    return Response(reviewer_page(det, signoff=signoff, number=number), media_type="text/html; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


async def _read(store: Store, read: Callable[..., Response], *args: object) -> Response:
    """A short read: in the event loop for the embedded store (well under a millisecond of store work,
    so a hand-off to a thread and back would cost more than the read), in the thread pool for a
    remote store (it waits on the network)."""
    if isinstance(store, EmbeddedStore):
        return read(*args)
    return await run_in_threadpool(read, *args)


@router.get("/{case_id}/determinations", summary="The determinations of a stored case, oldest first",
            response_model=list[DeterminationSummary], responses=_ERRORS)
def list_determinations(case_id: CaseId, store: StoreDep) -> list[DeterminationSummary]:
    return [_summary(case_id, r) for r in store.list_determinations(case_id)]


def _stored(store: Store, case_id: str, number: int) -> Determination:
    """A stored determination read back into the model."""
    return from_graph(store.get_determination(case_id, number), determination_iri(case_id, number))


@router.get("/{case_id}/determinations/{number}", summary="One stored determination",
            description="JSON (default): its summary and the full determination read back from the store. "
                        "Turtle, JSON-LD or N-Triples: the determination graph. Markdown: the provider letter. "
                        "HTML: the reviewer's page.",
            response_model=StoredDetermination,
            responses={200: {"content": {m: {"schema": {"type": "string"}}
                                         for m in DETERMINATION_TYPES[1:]}}, **_ERRORS})
def get_determination(case_id: CaseId, number: DeterminationNumber,
                      request: Request, store: StoreDep, reviewer: ReviewerDep) -> Response:
    media = choose(request.headers.get("accept"), DETERMINATION_TYPES)
    graph = store.get_determination(case_id, number)
    if media == "text/html":
        latest = max(r.number for r in store.list_determinations(case_id))
        return _page(_stored(store, case_id, number), number, latest, reviewer, presented_key(request))
    if media in LETTERS:
        return _letter(_stored(store, case_id, number), media, number)
    if media != "application/json":
        return _rdf(graph, media)
    record = next(r for r in store.list_determinations(case_id) if r.number == number)
    det = from_graph(graph, determination_iri(case_id, number))
    body = StoredDetermination(**_summary(case_id, record, det.review).model_dump(), determination=det)
    return JSONResponse(body.model_dump(mode="json"))


@router.post("/{case_id}/decide", status_code=201, summary="Decide a stored case again",
             description="Decides the stored case under `policy` and `version` (defaults as for a new case) "
                         "and stores the result as one more determination; earlier ones are kept. The "
                         "response is negotiated as for `POST /cases`.",
             response_model=Decision, responses={201: {"content": _decision_content()}, **_ERRORS})
async def redecide_case(case_id: CaseId, request: Request, decider: DeciderDep, store: StoreDep,
                        policy: PolicyParam = None, version: VersionParam = None) -> Response:
    accept = choose(request.headers.get("accept"), DECISION_TYPES)
    case_nt, number = await run_in_threadpool(_stored_case, store, case_id)
    ready = await decider.prepare_redecision(case_nt, case_id, number, policy, version, accept)  # a worker, or a thread
    written: list = []

    def determination(iri: URIRef) -> str:  # the store chooses the number under its write lock
        written.append(ready.rewritten_for(iri, accept))
        return written[-1].determination_nt

    iri = await run_in_threadpool(store.add_determination, case_id, determination)
    return _decision(written[-1].body, written[-1].media_type, iri, case_id, status=201)
