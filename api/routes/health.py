"""Health (no key) and version."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from reasoner import __version__

from ..deps import StoreDep
from ..models import Health, VersionInfo
from ..security import require_api_key

router = APIRouter(tags=["service"])


@router.get("/health", response_model=Health, summary="Is the service up (no API key needed)")
def health() -> Health:
    return Health(status="ok")


@router.get("/version", response_model=VersionInfo, summary="The engine version and the kind of store",
            dependencies=[Depends(require_api_key)])
def version(store: StoreDep) -> VersionInfo:
    return VersionInfo(name="necessity", version=__version__,
                       store="remote" if type(store).__name__ == "RemoteStore" else "embedded")
