"""The API's settings, read from the environment (pydantic-settings, prefix ``NECESSITY_``).

- ``NECESSITY_API_KEYS``: comma-separated API keys (required: with none, every route but
  ``/health`` and the API description answers 401). A plain key is an integrator's (submit, read,
  query; never review); ``KEY=ROLE:REVIEWER_ID`` makes the key a reviewer's, ROLE ``nurse-reviewer``
  or ``physician-reviewer``, REVIEWER_ID the identifier recorded with each review
  (``k1,k2=nurse-reviewer:rn-0042,k3=physician-reviewer:md-0007``).
- ``NECESSITY_STORE``: a store directory or a SPARQL server URL (default ``./var/store``);
  a remote store's endpoints and credentials are ``NECESSITY_SPARQL_*``
  (:class:`reasoner.store.config.RemoteConfig`).
- ``NECESSITY_MAX_BODY_BYTES``: the largest request body accepted (default 1 MiB).
- ``NECESSITY_MAX_QUERY_BYTES``: the largest SPARQL query accepted (default 256 KiB; 413 beyond).
- ``NECESSITY_QUERY_TIMEOUT``: seconds a SPARQL query may run, parsing included (default 10);
  past it the query is stopped and answered 503.
- ``NECESSITY_QUERY_WORKERS``: queries that run at once (default 4; one process each).
- ``NECESSITY_DECIDE_WORKERS``: processes that decide submitted cases (``POST /cases``), each with its
  own compiled engine, so the server uses every core while its own process reads and writes the
  store. Default: one per core under ``necessity serve``; ``0`` decides in the server process's threads
  (the default for an application built with ``create_app`` and no setting).
- ``NECESSITY_DOCS``: ``public`` (default: ``/docs``, ``/redoc`` and ``/openapi.json`` answer
  without a key; they describe the API and hold no case data) or ``off``.
- ``NECESSITY_FHIR_MAY_CERTIFY``: ``false`` makes ``POST /Claim/$submit`` answer a line that meets the
  criteria with review action A4 and a "recommend approval" note instead of A1 (default ``true``).
- ``NECESSITY_FHIR_DEFAULT_POLICY``: the policy id that decides a PAS request whose payer
  (``Claim.insurer``) maps to no policy. Unset (the default), such a request is refused with an
  OperationOutcome naming ``Claim.insurer``; set, the answer says the default decided.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings", "DEFAULT_STORE", "DEFAULT_MAX_BODY_BYTES", "DEFAULT_MAX_QUERY_BYTES"]

_ROLES = ("nurse-reviewer", "physician-reviewer")
_REVIEWER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

DEFAULT_STORE = "./var/store"
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_QUERY_BYTES = 256 * 1024


class Settings(BaseSettings):
    """What the application needs to start. Keys are kept out of ``repr``."""

    model_config = SettingsConfigDict(env_prefix="NECESSITY_", frozen=True, extra="ignore", hide_input_in_errors=True)

    api_keys: Annotated[tuple[str, ...], NoDecode] = Field(default=(), repr=False)
    reviewer_keys: tuple[tuple[str, str, str], ...] = Field(default=(), repr=False, description=(
        "(key, role, reviewer id) of each key configured as ``KEY=ROLE:REVIEWER_ID``; filled from api_keys."))
    store: str = DEFAULT_STORE
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, gt=0)
    max_query_bytes: int = Field(default=DEFAULT_MAX_QUERY_BYTES, gt=0)
    query_timeout: float = Field(default=10.0, gt=0)
    query_workers: int = Field(default=4, ge=1, le=64)
    decide_workers: int | None = Field(default=None, ge=0, le=64)
    docs: Literal["public", "off"] = "public"
    fhir_may_certify: bool = True
    fhir_default_policy: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

    @model_validator(mode="before")
    @classmethod
    def _split_keys(cls, data: Any) -> Any:
        """``api_keys`` as plain keys, and ``reviewer_keys`` from its ``KEY=ROLE:REVIEWER_ID`` entries.
        Errors name the entry's position, never the key."""
        if not isinstance(data, dict) or "api_keys" not in data:
            return data
        value = data["api_keys"]
        entries = [k.strip() for k in value.split(",")] if isinstance(value, str) else list(value or ())
        keys, reviewers = [], list(data.get("reviewer_keys") or ())
        for position, entry in enumerate(e for e in entries if e):
            key, sep, identity = entry.rpartition("=")
            if sep and ":" in identity:  # a plain key may hold '=' (base64 padding), never '=ROLE:ID'
                role, _, reviewer = identity.partition(":")
                if role not in _ROLES or not _REVIEWER.match(reviewer) or not key.strip():
                    raise ValueError(f"NECESSITY_API_KEYS entry {position + 1}: a reviewer key is KEY=ROLE:REVIEWER_ID "
                                     f"with ROLE one of {', '.join(_ROLES)} and REVIEWER_ID of letters, digits, "
                                     f"'.', '_', '-' (at most 64)")
                reviewers.append((key.strip(), role, reviewer))
            else:
                key = entry
            keys.append(key.strip())
        return {**data, "api_keys": tuple(keys), "reviewer_keys": tuple(reviewers)}

    @field_validator("fhir_default_policy", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from the environment; keyword arguments that are not None win."""
        return cls(**{k: v for k, v in overrides.items() if v is not None})
