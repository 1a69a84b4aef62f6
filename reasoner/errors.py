"""Necessity's exceptions: one base class, a few subclasses that say what and where.

A criterion that is not met is never an exception; it is a result.
"""

from __future__ import annotations

__all__ = [
    "NecessityError", "CaseLoadError", "UnknownPolicyError", "OntologyError", "ShapesError",
    "QueryError", "StoreError",
]


class NecessityError(Exception):
    """Base class of every error Necessity raises on purpose."""

    title = "Necessity error"

    def __init__(self, message: str, *, iri: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.iri = iri

    def __str__(self) -> str:
        return self.message


class CaseLoadError(NecessityError):
    """A case could not be read: names the source, the field or line, and what is wrong."""

    title = "Invalid case"

    def __init__(self, reason: str, *, source: str = "case", field: str | None = None,
                 line: int | None = None, iri: str | None = None) -> None:
        where = []
        if field:
            where.append(f"field '{field}'")
        if line is not None:
            where.append(f"line {line}")
        location = f" at {', '.join(where)}" if where else ""
        super().__init__(f"{source}{location}: {reason}", iri=iri)
        self.reason = reason
        self.source = source
        self.field = field
        self.line = line


class UnknownPolicyError(NecessityError):
    """The requested policy or policy version is not in the knowledge graph."""

    title = "Unknown policy"


class OntologyError(NecessityError):
    """The ontology could not be loaded (a missing import, a parse error)."""

    title = "Ontology error"


class ShapesError(NecessityError):
    """A shapes file is missing, malformed or incomplete."""

    title = "Shapes error"


class QueryError(NecessityError):
    """A SPARQL query is malformed, refused (update, SERVICE) or ran past its time limit."""

    title = "Query error"


class StoreError(NecessityError):
    """The case store could not read or write."""

    title = "Store error"
