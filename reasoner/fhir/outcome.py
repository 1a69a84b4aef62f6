"""OperationOutcome: how a FHIR endpoint says what was wrong with a request."""

from __future__ import annotations

from typing import Any

__all__ = ["operation_outcome"]


def operation_outcome(message: str, *, expression: str | None = None, code: str = "invalid",
                      severity: str = "error") -> dict[str, Any]:
    """An OperationOutcome with one issue; ``expression`` is the FHIRPath of the element at fault."""
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": message}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}
