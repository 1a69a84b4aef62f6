"""The API's settings, read from the environment by default.

Environment variables:

- ``NECESSITY_API_KEYS``: comma-separated API keys (required: with none, every route but
  ``/health`` answers 401).
- ``NECESSITY_STORE``: a store directory or a SPARQL server URL (default ``./var/store``).
- ``NECESSITY_MAX_BODY_BYTES``: the largest request body accepted (default 1 MiB).
- ``NECESSITY_QUERY_TIMEOUT``: seconds a SPARQL query may run (default 10).
- ``NECESSITY_FHIR_MAY_CERTIFY``: ``false`` makes ``POST /Claim/$submit`` answer a line that meets the
  criteria with review action A4 and a "recommend approval" note instead of A1 (default ``true``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

__all__ = ["Settings", "DEFAULT_STORE", "DEFAULT_MAX_BODY_BYTES"]

DEFAULT_STORE = "./var/store"
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


def _keys(text: str | None) -> tuple[str, ...]:
    return tuple(k.strip() for k in (text or "").split(",") if k.strip())


@dataclass(frozen=True)
class Settings:
    """What the application needs to start. Keys are kept out of ``repr``."""

    api_keys: tuple[str, ...] = field(default=(), repr=False)
    store: str = DEFAULT_STORE
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    query_timeout: float = 10.0
    fhir_may_certify: bool = True

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from the environment; keyword arguments that are not None win."""
        values: dict[str, object] = {
            "api_keys": _keys(os.environ.get("NECESSITY_API_KEYS")),
            "store": os.environ.get("NECESSITY_STORE") or DEFAULT_STORE,
            "max_body_bytes": int(os.environ.get("NECESSITY_MAX_BODY_BYTES") or DEFAULT_MAX_BODY_BYTES),
            "query_timeout": float(os.environ.get("NECESSITY_QUERY_TIMEOUT") or 10.0),
            "fhir_may_certify": (os.environ.get("NECESSITY_FHIR_MAY_CERTIFY") or "true").strip().lower()
            not in ("false", "0", "no"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values["api_keys"], str):
            values["api_keys"] = _keys(values["api_keys"])  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]
