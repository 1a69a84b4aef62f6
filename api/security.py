"""API keys: every route but ``/health`` needs one.

Keys come from :class:`api.settings.Settings` (``NECESSITY_API_KEYS``, comma-separated).
A client sends one in ``X-API-Key`` or as ``Authorization: Bearer <key>``. Keys are
compared in constant time and never logged; a missing or wrong key gets a 401 problem.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

__all__ = ["require_api_key", "ApiKeyDep"]

_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key from NECESSITY_API_KEYS.")
_bearer = HTTPBearer(auto_error=False, description="The same API key, as a bearer token.")


class Unauthorized(HTTPException):
    def __init__(self, detail: str) -> None:
        super().__init__(401, detail, headers={"WWW-Authenticate": 'Bearer realm="necessity"'})
        self.problem_extra = {"field": "X-API-Key"}


def _valid(candidate: str, keys: tuple[str, ...]) -> bool:
    given = candidate.encode("utf-8")
    ok = False
    for key in keys:  # look at every key, so the time taken does not tell which one matched
        ok |= hmac.compare_digest(given, key.encode("utf-8"))
    return ok


async def require_api_key(request: Request,
                    header_key: Annotated[str | None, Depends(_header)] = None,
                    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None) -> None:
    """Refuse the request with 401 unless it carries a configured API key.

    Async (it never blocks), so FastAPI calls it in the event loop rather than in its thread pool.
    """
    keys: tuple[str, ...] = request.app.state.settings.api_keys
    candidate = header_key or (bearer.credentials if bearer else None)
    if not candidate:
        raise Unauthorized("an API key is required: send it in the X-API-Key header "
                           "or as Authorization: Bearer <key>")
    if not keys or not _valid(candidate, keys):
        raise Unauthorized("the API key is not valid")


ApiKeyDep = Depends(require_api_key)
