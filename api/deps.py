"""Dependencies: the engine and the store built once in the lifespan, injected per request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from reasoner.engine import Engine
from reasoner.store import Store

from .decision_pool import Decider
from .settings import Settings

__all__ = ["EngineDep", "StoreDep", "SettingsDep", "DeciderDep"]


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_decider(request: Request) -> Decider:
    return request.app.state.decider


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


EngineDep = Annotated[Engine, Depends(get_engine)]
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
DeciderDep = Annotated[Decider, Depends(get_decider)]
