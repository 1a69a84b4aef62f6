"""Necessity's exceptions: one base class, a few subclasses that say what and where.

A criterion that is not met is never an exception; it is a result.
"""

from __future__ import annotations

__all__ = [
    "NecessityError", "CaseLoadError", "UnknownPolicyError", "OntologyError", "ShapesError",
    "QueryError", "StoreError", "CaseExistsError", "CaseNotFoundError", "DeterminationNotFoundError",
    "InvalidIdentifierError", "StoreLockedError", "StoreConfigError", "QueryRefusedError",
    "QueryTooLargeError", "QueryTimeoutError", "NoticeSettingsError", "FhirInputError", "ReviewError",
    "ReviewForbiddenError", "ReviewConflictError",
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


class NoticeSettingsError(NecessityError):
    """The notice settings (``policies.toml`` beside the letter templates) are malformed: an unknown
    table or key, a missing default, or a policy entry that matches no policy."""

    title = "Notice settings error"


class QueryError(NecessityError):
    """A SPARQL query is malformed, refused (update, SERVICE) or ran past its time limit."""

    title = "Query error"


class StoreError(NecessityError):
    """The case store could not read or write."""

    title = "Store error"


class CaseExistsError(StoreError):
    """A case with this id is already stored; a case is never overwritten."""

    title = "Case already stored"


class CaseNotFoundError(StoreError):
    """No case with this id is stored."""

    title = "Case not found"


class DeterminationNotFoundError(StoreError):
    """The case has no determination with this number."""

    title = "Determination not found"


class InvalidIdentifierError(StoreError):
    """An identifier is not one the store accepts (case ids: letters, digits, ``.``, ``_``, ``~``, ``-``)."""

    title = "Invalid identifier"


class StoreLockedError(StoreError):
    """Another process (usually ``necessity serve``) holds the embedded store directory."""

    title = "Store in use"


class StoreConfigError(StoreError):
    """The store is configured in a way it cannot work with (a URL, credentials, a server's layout)."""

    title = "Store configuration error"


class QueryRefusedError(QueryError):
    """A query is not a read-only SPARQL 1.1 query: an update, a SERVICE clause or a dataset clause."""

    title = "Query refused"


class QueryTooLargeError(QueryError):
    """A query text is larger than the configured limit."""

    title = "Query too large"


class QueryTimeoutError(QueryError):
    """A query ran past its time limit (and was stopped)."""

    title = "Query time limit exceeded"


class ReviewError(NecessityError):
    """A review could not be recorded as given; ``field`` names what is wrong."""

    title = "Invalid review"

    def __init__(self, message: str, *, field: str | None = None, iri: str | None = None) -> None:
        super().__init__(message, iri=iri)
        self.field = field


class ReviewForbiddenError(ReviewError):
    """The key's role may not make this review (a denial needs a physician reviewer; integrators
    cannot review)."""

    title = "Not allowed to make this decision"


class ReviewConflictError(ReviewError):
    """The determination reviewed is no longer the case's latest (another determination came first)."""

    title = "Determination superseded"


class FhirInputError(CaseLoadError):
    """A PAS bundle that cannot be read or mapped; ``field`` is the FHIRPath of the element."""

    title = "Invalid PAS request"

    # element defaults to None only so the error can be unpickled (it crosses from a decision worker)
    def __init__(self, reason: str, *, element: str | None = None, source: str = "bundle") -> None:
        super().__init__(reason, source=source, field=element)
        self.element = element
