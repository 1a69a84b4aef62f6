"""The PAS mapping tables, read once from ``pas-mapping.json`` beside this module."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["MAPPING_PATH", "tables"]

MAPPING_PATH = Path(__file__).resolve().parent / "pas-mapping.json"


@lru_cache(maxsize=1)
def tables() -> dict[str, Any]:
    """The mapping tables as a dict (see the file's ``description``)."""
    return json.loads(MAPPING_PATH.read_text(encoding="utf-8"))
