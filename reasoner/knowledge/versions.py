"""Policy versions over time: which version is in force on a date, and why it decided a case.

A policy version carries ``nec:effectiveDate`` and, unless it is the open-ended latest one,
``nec:endDate`` (the last day it is in force, inclusive). :func:`check_timeline` runs when the
knowledge compiles and refuses any policy whose versions overlap, leave a gap, or have two open
ends, so exactly one version is in force on every date from the first effective date on.

A case is decided under, in this order:

1. the version asked for (``--policy aetna-cpb-0161@2026-01``, or ``policy`` and ``version``);
2. the version in force on the case's date of service (the earliest ``dates_of_service`` of its
   requested lines);
3. the version in force on ``received_at``;
4. the version in force on the decision date (today, UTC).

A date before the policy's earliest encoded version gets that earliest version, and the reason
says so (the knowledge holds no older text); a date after a retired policy's last version is an
error.

The choice and its reason are recorded on the determination (:class:`VersionSelection`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef

from ..errors import ShapesError, UnknownPolicyError
from ..namespaces import NEC

if TYPE_CHECKING:  # pragma: no cover
    from .policy_version import PolicyVersion

__all__ = ["VersionSelection", "BASES", "check_timeline", "in_force", "select", "split_policy", "case_dates",
           "DATE_PROPERTIES"]

EXPLICIT, DATE_OF_SERVICE, RECEIVED_AT, DECISION_DATE = "requested", "date-of-service", "received-at", "decision-date"
BASES = {EXPLICIT: NEC.RequestedVersionBasis, DATE_OF_SERVICE: NEC.DateOfServiceBasis,
         RECEIVED_AT: NEC.ReceivedAtBasis, DECISION_DATE: NEC.DecisionDateBasis}


@dataclass(frozen=True)
class VersionSelection:
    """Why a determination was made under its policy version."""

    basis: str
    """``requested``, ``date-of-service``, ``received-at`` or ``decision-date``."""
    on: str | None
    """The date the version was found in force on (None when asked for explicitly)."""
    reason: str

    def to_dict(self) -> dict:
        return {"basis": self.basis, "date": self.on, "reason": self.reason}


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def check_timeline(versions: list[PolicyVersion], files: dict[URIRef, str]) -> None:
    """Refuse overlapping versions, gaps and more than one open end, per policy.

    Raises:
        ShapesError: the message names both files and the dates.
    """
    by_policy: dict[str, list[PolicyVersion]] = {}
    for version in versions:
        by_policy.setdefault(version.policy_id, []).append(version)
    for policy, found in by_policy.items():
        labels = [v.label for v in found]
        duplicate = {label for label in labels if labels.count(label) > 1}
        if duplicate:
            raise ShapesError(f"policy '{policy}': version label {sorted(duplicate)[0]!r} is declared twice "
                              f"({', '.join(sorted(files[v.iri] for v in found if v.label in duplicate))})")
        ordered = sorted(found, key=lambda v: v.effective_date)
        for version in ordered:
            if not version.effective_date:
                raise ShapesError(f"{files[version.iri]}: version '{version.label}' has no nec:effectiveDate")
            if version.end_date and version.end_date < version.effective_date:
                raise ShapesError(f"{files[version.iri]}: version '{version.label}' ends ({version.end_date}) "
                                  f"before it starts ({version.effective_date})")
        for earlier, later in zip(ordered, ordered[1:]):
            where = f"policy '{policy}': versions '{earlier.label}' ({files[earlier.iri]}) and " \
                    f"'{later.label}' ({files[later.iri]})"
            if not earlier.end_date:
                raise ShapesError(f"{where} would both be in force from {later.effective_date}: give "
                                  f"'{earlier.label}' a nec:endDate the day before {later.effective_date}")
            expected = (_day(later.effective_date) - timedelta(days=1)).isoformat()
            if earlier.end_date >= later.effective_date:
                raise ShapesError(f"{where} overlap: '{earlier.label}' ends {earlier.end_date}, "
                                  f"'{later.label}' starts {later.effective_date}")
            if earlier.end_date != expected:
                raise ShapesError(f"{where} leave a gap: '{earlier.label}' ends {earlier.end_date}, "
                                  f"'{later.label}' starts {later.effective_date} (no version in force between)")


def in_force(versions: list[PolicyVersion], on: str) -> PolicyVersion | None:
    """The version in force on the ISO date ``on``, or None."""
    for version in versions:
        if version.effective_date <= on and (not version.end_date or on <= version.end_date):
            return version
    return None


def split_policy(policy: str | None, version: str | None) -> tuple[str | None, str | None]:
    """``aetna-cpb-0161@2026-01`` -> (``aetna-cpb-0161``, ``2026-01``); an explicit version wins."""
    if policy and "@" in policy:
        policy, _, label = policy.partition("@")
        if version is not None and version != label:
            raise UnknownPolicyError(f"policy '{policy}@{label}' and version '{version}' disagree")
        version = label
    return policy, version


DATE_PROPERTIES = frozenset({NEC.hasRequestedLine, NEC.dateOfService, NEC.receivedAt})
"""Every property :func:`case_dates` reads (a caller may hand it a graph of these triples only)."""


def case_dates(graph: Graph, case_iri: URIRef) -> tuple[str | None, str | None]:
    """The case's earliest date of service and its ``received_at`` date (UTC), as ISO dates."""
    services = sorted(str(d)[:10] for line in graph.objects(case_iri, NEC.hasRequestedLine)
                      for d in graph.objects(line, NEC.dateOfService))
    received = graph.value(case_iri, NEC.receivedAt)
    received_day = None
    if received is not None:
        value = received.toPython()
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(timezone.utc)
            received_day = value.date().isoformat()
        else:
            received_day = str(received)[:10]
    return (services[0] if services else None), received_day


def select(versions: list[PolicyVersion], policy: str, label: str | None, graph: Graph, case_iri: URIRef,
           *, today: date | None = None) -> tuple[PolicyVersion, VersionSelection]:
    """Choose the version a case is decided under, and say why.

    Raises:
        UnknownPolicyError: no such version, or no version in force on the case's date.
    """
    if label is not None:
        for version in versions:
            if version.label == label:
                return version, VersionSelection(EXPLICIT, None, f"version {label} was asked for")
        labels = ", ".join(sorted(v.label for v in versions))
        raise UnknownPolicyError(f"policy '{policy}' has no version '{label}' (versions: {labels})")
    service, received = case_dates(graph, case_iri)
    if service:
        basis, on, what = DATE_OF_SERVICE, service, "the earliest date of service of the requested lines"
    elif received:
        basis, on, what = RECEIVED_AT, received, "the date the request was received (no date of service)"
    else:
        on = (today or datetime.now(timezone.utc).date()).isoformat()
        basis, what = DECISION_DATE, "the decision date (no date of service or received_at)"
    version = in_force(versions, on)
    earliest = min(versions, key=lambda v: v.effective_date)
    if version is None and on < earliest.effective_date:
        # the knowledge holds no older version: decide under the earliest one and say so
        return earliest, VersionSelection(basis, on, (
            f"no encoded version is in force on {on}, {what}; the earliest encoded version "
            f"{earliest.label} (from {earliest.effective_date}) was used"))
    if version is None:
        spans = ", ".join(f"{v.label}: {v.effective_date} to {v.end_date or 'open'}"
                          for v in sorted(versions, key=lambda v: v.effective_date))
        field = {"date-of-service": "requested[].dates_of_service", "received-at": "received_at"}.get(basis)
        error = UnknownPolicyError(f"no version of policy '{policy}' is in force on {on}, {what} ({spans})")
        error.field = field or "policy"  # type: ignore[attr-defined]
        raise error
    return version, VersionSelection(basis, on, f"version {version.label} is in force on {on}, {what}")
