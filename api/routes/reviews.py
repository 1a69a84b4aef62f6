"""Reviews: ``POST /cases/{id}/reviews`` records a person's decisions as the case's next determination.

JSON (:class:`~reasoner.review.ReviewSubmission`) from a reviewer's system, or the reviewer's page's
sign-off form (``application/x-www-form-urlencoded``, one line per form), which is answered with a
redirect back to the page, now showing the recorded decision. The rules are
:mod:`reasoner.review.rules`'s; a denial by a nurse or any review by an integrator's key is 403, a
review of a determination that is no longer the latest 409, a missing reason 422 naming the field.
"""

from __future__ import annotations

import hmac
from html import escape
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from reasoner.errors import NecessityError, ReviewError
from reasoner.review import ReviewSubmission, record_review

from ..deps import StoreDep
from ..models import Decision
from ..problems import ProblemModel, necessity_problem, status_for
from ..security import ReviewerDep, presented_key, require_api_key
from ..signoff import FORM_TYPE, form_token
from .cases import _ERRORS, _PROBLEM_CONTENT, CaseId

router = APIRouter(prefix="/cases", tags=["cases"], dependencies=[Depends(require_api_key)])


def _inlined(schema: dict) -> dict:
    """A model's JSON Schema with its ``$defs`` put in place (the description's components hold no such
    names, and an ``openapi_extra`` body cannot add them)."""
    defs = schema.pop("$defs", {})

    def walk(node):  # noqa: ANN001, ANN202
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk({**defs[ref.rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}})
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


def _problem(status: int, text: str) -> dict:
    return {"model": ProblemModel, "content": _PROBLEM_CONTENT, "description": text}


def _form(body: bytes) -> tuple[ReviewSubmission, str]:
    """A sign-off form's fields as a review of one line, and the form's token."""
    try:
        fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), strict_parsing=False).items()}
    except UnicodeDecodeError:
        raise ReviewError("the form is not UTF-8 text", field="body") from None
    try:
        submission = ReviewSubmission.model_validate({
            "determination": fields.get("determination"), "note": fields.get("note") or None,
            "lines": [{"code": fields.get("code", ""), "decision": fields.get("decision"),
                       "reason": fields.get("reason") or None,
                       "reason_criterion": fields.get("reason_criterion") or None}]})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ReviewError(f"{where}: {first.get('msg', 'invalid')}", field=where) from None
    return submission, fields.get("form_token", "")


def _html_problem(exc: NecessityError, case_id: str) -> Response:
    status, _ = status_for(exc)
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign-off not recorded</title>'
            f'</head><body><h1>Sign-off not recorded</h1><p class="problem">{escape(str(exc))}</p>'
            f'<p><a href="/cases/{escape(case_id)}">Back to the reviewer\'s page</a></p></body></html>')
    return HTMLResponse(page, status_code=status)


@router.post(
    "/{case_id}/reviews", status_code=201, summary="Record a review: a reviewer decides the lines",
    description=(
        "Records a nurse's or physician's decision (`approve`, `pend`, `deny`) on lines of determination "
        "`determination`, which must be the case's latest, as the case's next determination: the engine's "
        "outcome and recommendation are kept beside each decision, with the reviewer (from the API key's "
        "`KEY=ROLE:REVIEWER_ID` configuration), the time, the reason and the determination it derives from "
        "(PROV-O in the RDF). A `deny` needs a `physician-reviewer` key (403 otherwise); an integrator's key "
        "cannot review (403); a reason is required for every `deny` and for every decision that differs from "
        "the engine's recommendation (422). Reviews are never edited: a new review supersedes. The reviewer's "
        "page posts its sign-off form here (`application/x-www-form-urlencoded`, with the form's token) and "
        "is redirected back to the page (303)."),
    response_model=Decision,
    responses={303: {"description": "A sign-off form was recorded; back to the reviewer's page."},
               403: _problem(403, "The key may not make this review (integrator key; denial by a nurse)."),
               409: _problem(409, "The determination reviewed is no longer the latest."), **_ERRORS},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": _inlined(ReviewSubmission.model_json_schema())},
        FORM_TYPE: {"schema": {"type": "object", "description": "The reviewer's page's sign-off form: "
                                                                "determination, code, decision, reason, "
                                                                "reason_criterion, note, form_token."}}}}},
)
async def post_review(case_id: CaseId, request: Request, store: StoreDep, reviewer: ReviewerDep) -> Response:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    body = await request.body()
    if media == FORM_TYPE:
        return await _post_form(case_id, request, body, store, reviewer)
    if media != "application/json":
        exc = HTTPException(415, f"Content-Type must be application/json or {FORM_TYPE}")
        exc.problem_extra = {"field": "Content-Type"}  # type: ignore[attr-defined]
        raise exc
    try:
        submission = ReviewSubmission.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ReviewError(f"{where}: {first.get('msg', 'invalid')}" if where else first.get("msg", "invalid"),
                          field=where or "body") from None
    iri, det = await run_in_threadpool(record_review, store, case_id, submission, reviewer)
    number = int(str(iri).rsplit("/", 1)[-1])
    url = f"/cases/{case_id}/determinations/{number}"
    body_out = Decision(number=number, iri=str(iri), url=url, case_url=f"/cases/{case_id}",
                        decided_at=det.clock.decided_at.isoformat().replace("+00:00", "Z"), outcome=det.outcome,
                        outcomes=det.outcomes, determination=det)
    return Response(body_out.model_dump_json(), status_code=201, media_type="application/json",
                    headers={"Location": url})


async def _post_form(case_id: str, request: Request, body: bytes, store, reviewer) -> Response:  # noqa: ANN001
    try:
        submission, token = _form(body)
        key = presented_key(request) or ""
        expected = form_token(key, case_id, submission.determination)
        if not hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8")):
            raise ReviewError("the form's token does not match: reload the reviewer's page and sign off again",
                              field="form_token")
        await run_in_threadpool(record_review, store, case_id, submission, reviewer)
    except NecessityError as exc:
        if "text/html" in request.headers.get("accept", ""):
            return _html_problem(exc, case_id)
        return necessity_problem(exc)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
