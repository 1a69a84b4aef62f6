"""The Necessity web API: submit and fetch cases, list policies, query with SPARQL.

``create_app(settings)`` builds the FastAPI application; ``necessity serve`` runs it.
"""

from __future__ import annotations

from .app import create_app
from .settings import Settings

__all__ = ["create_app", "Settings"]
