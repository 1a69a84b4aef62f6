"""API keys: every route but ``/health`` needs one; a reviewer's key also says who reviews, in which role.

Keys come from :class:`api.settings.Settings` (``NECESSITY_API_KEYS``, comma-separated; an entry
``KEY=ROLE:REVIEWER_ID`` is a reviewer's key). A client sends one in ``X-API-Key``, as
``Authorization: Bearer <key>``, or, from a browser, as the password of HTTP Basic
authentication (``Authorization: Basic``, any user name): a request that prefers HTML and has no
key is answered 401 with a ``Basic`` challenge (a browser answers no other), so the browser asks for the key
and sends it with every later request of the page, the sign-off form's included. Keys are
compared in constant time and never logged; a missing or wrong key gets a 401 problem.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from reasoner.review import Reviewer
from reasoner.knowledge.vocabulary import ReviewerRole

__all__ = ["require_api_key", "ApiKeyDep", "ReviewerDep", "presented_key"]

_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key from NECESSITY_API_KEYS.")
_bearer = HTTPBearer(auto_error=False, description="The same API key, as a bearer token.")


class Unauthorized(HTTPException):
    def __init__(self, detail: str, *, browser: bool = False) -> None:
        # a browser answers only a challenge it knows, given alone: Basic, so it asks for the key
        challenge = 'Basic realm="necessity", charset="UTF-8"' if browser else 'Bearer realm="necessity"'
        super().__init__(401, detail, headers={"WWW-Authenticate": challenge})
        self.problem_extra = {"field": "X-API-Key"}


def _matching(candidate: str, keys: tuple[str, ...]) -> int | None:
    """The index of the key that matches, looking at every key (the time taken does not tell which)."""
    given = candidate.encode("utf-8")
    found = None
    for index, key in enumerate(keys):
        if hmac.compare_digest(given, key.encode("utf-8")):
            found = index
    return found


def _basic(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        _user, _, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return password or None


def presented_key(request: Request, header_key: str | None = None,
                  bearer: HTTPAuthorizationCredentials | None = None) -> str | None:
    """The key the request carries: X-API-Key, a bearer token or a Basic password."""
    if header_key is None and bearer is None:
        header_key = request.headers.get("x-api-key")
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return header_key or value.strip()
    return header_key or (bearer.credentials if bearer else None) or _basic(request)


def _prefers_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split(",", 1)[0]


async def require_api_key(request: Request,
                          header_key: Annotated[str | None, Depends(_header)] = None,
                          bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None) -> None:
    """Refuse the request with 401 unless it carries a configured API key; note which key it was
    (``request.state.api_key_index``) for :data:`ReviewerDep`.

    Async (it never blocks), so FastAPI calls it in the event loop rather than in its thread pool.
    """
    keys: tuple[str, ...] = request.app.state.settings.api_keys
    candidate = presented_key(request, header_key, bearer)
    browser = _prefers_html(request)
    if not candidate:
        raise Unauthorized("an API key is required: send it in the X-API-Key header "
                           "or as Authorization: Bearer <key>", browser=browser)
    index = _matching(candidate, keys) if keys else None
    if index is None:
        raise Unauthorized("the API key is not valid", browser=browser)
    request.state.api_key_index = index


async def current_reviewer(request: Request, _: Annotated[None, Depends(require_api_key)] = None) -> Reviewer | None:
    """The reviewer the request's key belongs to, or None for an integrator's key."""
    settings = request.app.state.settings
    key = settings.api_keys[request.state.api_key_index]
    for configured, role, reviewer in settings.reviewer_keys:
        if hmac.compare_digest(configured.encode("utf-8"), key.encode("utf-8")):
            return Reviewer(reviewer, ReviewerRole(role))
    return None


ApiKeyDep = Depends(require_api_key)
ReviewerDep = Annotated[Reviewer | None, Depends(current_reviewer)]
"""The reviewer behind the request's key (None: an integrator's key)."""
