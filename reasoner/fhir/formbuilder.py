"""The case form under construction from a bundle, with the FHIR element behind each value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FormBuilder", "as_date", "coding_key"]


@dataclass
class FormBuilder:
    """The form being built, and the FHIR element behind each of its paths."""

    form: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    """(FHIRPath, message) of what the request stated that the mapping could not use."""

    def warn(self, element: str, message: str) -> None:
        self.warnings.append((element, message))

    def set(self, path: str, value: Any, origin: str) -> None:
        """Set ``a.b`` unless already set (the first, most specific source wins)."""
        if value is None:
            return
        node = self.form
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if parts[-1] not in node:
            node[parts[-1]] = value
            self.origins[path] = origin

    def append(self, key: str, item: dict[str, Any], origin: str) -> None:
        items = self.form.setdefault(key, [])
        self.origins[f"{key}[{len(items)}]"] = origin
        items.append(item)


def as_date(value: Any) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", text) else None


def coding_key(coding: Any) -> str:
    return f"{coding.system}|{coding.code}"
