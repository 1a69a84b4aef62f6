"""Policies, their versions and their criteria with citations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi import Path as PathParam

from reasoner.errors import UnknownPolicyError

from ..deps import EngineDep
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
