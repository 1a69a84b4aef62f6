"""The API description pages, served offline: Swagger UI and ReDoc from the installed package.

The JavaScript and CSS come from the ``fastapi-offline`` wheel (its ``static`` folder),
served under ``/docs/static``; nothing is fetched from a CDN (ReDoc's Google fonts are
off too), so ``/docs`` works on a machine without internet. ``/docs``, ``/redoc`` and
``/openapi.json`` are public by default (they describe the API and hold no case data);
``NECESSITY_DOCS=off`` removes them.

The bundled ReDoc still asks a CDN for the Redocly logo in its sidebar; both pages are served with a
Content-Security-Policy that allows nothing but this server (and inline ``data:`` images), so the
browser never makes that request (ReDoc then hides the logo) nor any other to a third party.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["install_docs", "STATIC_PATH", "DOCS_CSP"]

STATIC_PATH = "/docs/static"


def _static_dir() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'; font-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
"""Only this server: no CDN, no font service, no logo from elsewhere."""


def _own_origin_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page


def install_docs(app: FastAPI) -> None:
    """Add ``/openapi.json``, ``/docs`` (Swagger UI), ``/redoc`` and their static files to ``app``."""
    app.mount(STATIC_PATH, StaticFiles(directory=_static_dir()), name="docs-static")

    @app.get("/openapi.json", include_in_schema=False)
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return _own_origin_only(get_swagger_ui_html(
            openapi_url="/openapi.json", title=f"{app.title}: API",
            swagger_js_url=f"{STATIC_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_PATH}/swagger-ui.css", swagger_favicon_url=f"{STATIC_PATH}/favicon.png"))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _own_origin_only(get_redoc_html(
            openapi_url="/openapi.json", title=f"{app.title}: API", redoc_js_url=f"{STATIC_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{STATIC_PATH}/favicon.png", with_google_fonts=False))
