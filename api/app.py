"""The FastAPI application: ``create_app(settings)``.

The lifespan compiles the knowledge once (``Engine.load()``), opens the store and loads
the knowledge graph into it, so SPARQL joins knowledge with stored cases. Both are
injected into routes through ``Annotated`` dependencies (:mod:`api.deps`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from reasoner import __version__
from reasoner.engine import Engine
from reasoner.errors import UnknownPolicyError
from reasoner.store import Store, open_store

from .decision_pool import DecisionPool, InProcess
from .docs import install_docs
from .middleware import GuardMiddleware
from .openapi import install_openapi
from .problems import install_problem_handlers
from .routes import cases, fhir, health, policies, reviews, sparql
from .settings import Settings

__all__ = ["create_app"]

log = logging.getLogger("necessity.api")

_DESCRIPTION = """\
Decides prior-authorization requests for intrathecal drug delivery against coverage
policies (OWL + SHACL + SPARQL) and keeps every case and determination in an RDF store.

Every route but `/health` needs an API key, in `X-API-Key` or as `Authorization: Bearer`
(this description, `/docs` and `/redoc` are public). Every error is an RFC 9457 problem
(`application/problem+json`) whose `field` or `line` says what is wrong. Request bodies
and SPARQL queries are limited in size (413 beyond the limit); a query past its time
limit is stopped and answered 503.
"""


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               store: Store | None = None, load_knowledge: bool = True) -> FastAPI:
    """Build the application.

    Args:
        settings: keys, store location and limits; default: from the environment.
        engine: a compiled engine to reuse (tests); default: ``Engine.load()`` in the lifespan.
        store: an open store to use (tests, benchmarks); default: ``open_store(settings.store)``.
            A store passed in is not closed at shutdown.
        load_knowledge: load the engine's knowledge graph into the store at startup (False when
            the caller already did).
    """
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = engine or Engine.load()
        default = settings.fhir_default_policy
        if default and not any(v.policy_id == default for v in app.state.engine.knowledge.versions.values()):
            raise UnknownPolicyError(f"NECESSITY_FHIR_DEFAULT_POLICY names '{default}', which is not a known policy")
        own_store = store is None
        app.state.store = store if store is not None else open_store(settings.store, query_workers=settings.query_workers)
        if load_knowledge or own_store:
            app.state.store.load_knowledge(app.state.engine.knowledge_graph)
        workers = settings.decide_workers or 0
        app.state.decider = DecisionPool(workers) if workers else InProcess(app.state.engine)
        await run_in_threadpool(app.state.decider.wait_ready)
        if not settings.api_keys:
            log.warning("no API keys are configured (NECESSITY_API_KEYS): every route but /health answers 401")
        try:
            yield
        finally:
            app.state.decider.close()
            if own_store:
                app.state.store.close()

    app = FastAPI(title="Necessity", version=__version__, description=_DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None,
                  openapi_tags=[
                      {"name": "cases", "description": "Submit, fetch and re-decide cases."},
                      {"name": "policies", "description": "Policies and their criteria with citations."},
                      {"name": "sparql", "description": "Read-only SPARQL 1.1 Protocol endpoint."},
                      {"name": "fhir", "description": "Da Vinci PAS: prior-authorization request bundles in, "
                                                      "response bundles out."},
                      {"name": "service", "description": "Health and version."},
                  ])
    app.state.settings = settings
    install_problem_handlers(app)
    app.add_middleware(GuardMiddleware, max_body_bytes=settings.max_body_bytes)
    for module in (health, cases, reviews, fhir, policies, sparql):
        app.include_router(module.router)
    install_openapi(app)
    if settings.docs == "public":
        install_docs(app)
    return app
