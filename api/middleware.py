"""The outer guard: request body limit, last-resort error handling and a patient-free access log.

A pure ASGI middleware, so it sees the body as it streams in: a body larger than the
limit is refused with 413 as soon as the limit is passed (whatever Content-Length said,
and whether or not there was one), before any of it reaches a route. An exception that
no handler turned into a response becomes a 500 problem here; the log records its type
and the route template only, never the message, the body, the path values or the query
string, since any of those may carry patient data.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import error_body

__all__ = ["GuardMiddleware"]

log = logging.getLogger("necessity.api")


class _TooLarge(Exception):
    pass


async def _send_problem(send: Send, scope: Scope, status: int, title: str, detail: str, **extra: Any) -> None:
    body, media = error_body(scope.get("path", ""), status, title, detail, **extra)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _routes(routes: list[Any]) -> list[Any]:
    """Every route, looking inside included routers."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out.extend(_routes(inner.routes) if inner is not None else [route])
    return out


def allowed_methods(scope: Scope) -> set[str] | None:
    """Every method some route allows on this path (None: no route has the path)."""
    methods: set[str] = set()
    found = False
    for route in _routes(getattr(scope.get("app"), "routes", [])):
        route_methods = getattr(route, "methods", None)
        if route_methods is None:
            continue
        match, _ = route.matches({**scope, "method": next(iter(route_methods))})
        if match != Match.NONE:
            found = True
            methods |= set(route_methods)
    if not found:
        return None
    return methods | {"OPTIONS"}


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or "(unmatched)"


class GuardMiddleware:
    """Body size limit, catch-all 500 problem, access log without patient data."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        if await self._methods(scope, send):
            self._log(scope, 204 if scope["method"] == "OPTIONS" else 405, started)
            return
        status_holder = {"status": 0}
        limit = self.max_body_bytes
        too_large_detail = f"the request body is larger than the limit of {limit} bytes"

        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit:
                    await _send_problem(send, scope, 413, "Content too large", too_large_detail, field="body")
                    self._log(scope, 413, started)
                    return

        # Read the body up to the limit before the app runs, then replay it.
        body = bytearray()
        more = scope["method"] not in ("GET", "HEAD", "OPTIONS", "DELETE")
        disconnected = False
        try:
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    disconnected = True
                    break
                body.extend(message.get("body", b""))
                if len(body) > limit:
                    raise _TooLarge
                more = message.get("more_body", False)
        except _TooLarge:
            await _send_problem(send, scope, 413, "Content too large", too_large_detail, field="body")
            self._log(scope, 413, started)
            return
        if disconnected:
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, replay, tracking_send)
        except Exception as exc:  # noqa: BLE001 - the last resort: never a stack trace to the client
            log.error("unhandled %s in %s %s", type(exc).__name__, scope["method"], _route_template(scope))
            if status_holder["status"] == 0:
                status_holder["status"] = 500
                await _send_problem(send, scope, 500, "Internal server error",
                                    "the server could not complete the request")
        self._log(scope, status_holder["status"], started)

    async def _methods(self, scope: Scope, send: Send) -> bool:
        """Answer OPTIONS (204 with Allow) and a method no route allows (405 with Allow); True if answered."""
        allowed = allowed_methods(scope)
        if allowed is None:
            return False
        allow = ", ".join(sorted(allowed))
        if scope["method"] == "OPTIONS":
            await send({"type": "http.response.start", "status": 204, "headers": [(b"allow", allow.encode())]})
            await send({"type": "http.response.body", "body": b""})
            return True
        if scope["method"] in allowed:
            return False
        body, media = error_body(scope.get("path", ""), 405, "Method not allowed", f"this path allows {allow}")
        await send({"type": "http.response.start", "status": 405,
                    "headers": [(b"content-type", media.encode()), (b"allow", allow.encode()),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
        return True

    @staticmethod
    def _log(scope: Scope, status: int, started: float) -> None:
        log.info("%s %s %d %.1fms", scope["method"], _route_template(scope), status,
                 (time.perf_counter() - started) * 1000)
