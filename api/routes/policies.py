"""Policies, their versions and their criteria with citations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from reasoner.errors import UnknownPolicyError

from ..deps import EngineDep, StoreDep
from ..security import require_api_key

router = APIRouter(prefix="/policies", tags=["policies"], dependencies=[Depends(require_api_key)])

PolicyId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$",
                                    examples=["aetna-cpb-0161"], description="A policy id.")]


@router.get("", summary="List policies with their versions and criteria",
            response_description="Each policy: id, title, versions, and the current version's criteria "
                                 "with severity, documentation item and citations.")
def list_policies(engine: EngineDep) -> list[dict[str, Any]]:
    return engine.policies()


@router.get("/{policy_id}", summary="One policy with its criteria and citations")
def get_policy(policy_id: PolicyId, engine: EngineDep) -> dict[str, Any]:
    try:
        return engine.policy(policy_id)
    except UnknownPolicyError:
        raise HTTPException(404, f"no policy with id '{policy_id}'") from None


VersionLabel = Annotated[str, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", examples=["2019-11"],
                                    description="A version label of the policy.")]


@router.get("/{policy_id}/clauses", summary="Every clause of a policy version and what the criteria do with it",
            response_description="One object per clause of the version's text (`necessity policies ID --clauses "
                                 "--json`): `clause`, `text` (a paraphrase), `source`, `locator`, `confidence`, "
                                 "`status` (encoded, asks-for-document, not-decidable or not-applied), `reason` "
                                 "and `criteria` (the IRIs of the criteria that decide it).")
def policy_clauses(policy_id: PolicyId, engine: EngineDep,
                   version: Annotated[VersionLabel | None, Query(description="A version label (default: the "
                                                                             "version in force today).")] = None
                   ) -> list[dict[str, Any]]:
    from reasoner.policy_view import clause_rows

    try:
        _version, rows = clause_rows(engine.knowledge, f"{policy_id}@{version}" if version else policy_id)
    except UnknownPolicyError as exc:
        raise HTTPException(404, str(exc)) from None
    return rows


@router.get("/{policy_id}/diff", summary="What changed between two versions of a policy",
            response_description="Criteria added, removed and changed (thresholds, severity, documentation, "
                                 "citations) with labels; with `cases=true`, the stored cases decided under "
                                 "`from` whose outcome differs under `to`, per line, with the criteria that "
                                 "made the difference. `Accept: text/markdown` gives the Markdown report.",
            responses={200: {"content": {"application/json": {}, "text/markdown": {}}}})
async def diff_policy(policy_id: PolicyId, request: Request, engine: EngineDep, store: StoreDep,
                      from_: Annotated[VersionLabel, Query(alias="from")],
                      to: VersionLabel, cases: bool = False) -> Any:
    from reasoner.batch.version_diff import policy_diff
    from reasoner.knowledge.policy_diff import render_diff_markdown

    try:
        engine.knowledge.policy_versions(policy_id)
    except UnknownPolicyError:
        raise HTTPException(404, f"no policy with id '{policy_id}'") from None
    try:
        diff = await run_in_threadpool(policy_diff, engine, f"{policy_id}@{from_}", f"{policy_id}@{to}",
                                       store=store if cases else None)
    except UnknownPolicyError as exc:
        raise HTTPException(404, str(exc)) from None
    if "text/markdown" in request.headers.get("accept", ""):
        return PlainTextResponse(render_diff_markdown(diff, diff.get("cases")), media_type="text/markdown")
    return diff
