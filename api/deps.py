"""Dependencies: the engine and the store built once in the lifespan, injected per request.

They are ``async`` although they only read ``app.state``: FastAPI runs a plain ``def`` dependency
in its thread pool, a thread hand-off per dependency per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from reasoner.engine import Engine
from reasoner.store import Store

from .decision_pool import Decider
from .settings import Settings

__all__ = ["EngineDep", "StoreDep", "SettingsDep", "DeciderDep"]


async def get_engine(request: Request) -> Engine:
    return request.app.state.engine


async def get_store(request: Request) -> Store:
    return request.app.state.store


async def get_decider(request: Request) -> Decider:
    return request.app.state.decider


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


EngineDep = Annotated[Engine, Depends(get_engine)]
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
DeciderDep = Annotated[Decider, Depends(get_decider)]
