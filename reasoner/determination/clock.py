"""Step 4: the decision clock (CMS-0057-F): received, decided, urgency and due time.

The hours allowed come from the policy version's ``nec:decisionClock`` in ``shapes/`` (7 calendar
days standard and 72 hours expedited in the shipped data); the case gives ``received_at`` and
``urgency``. Without ``received_at`` there is no due time; without ``urgency`` standard is assumed
and the notice says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from rdflib import Graph, URIRef

from ..knowledge.compiled import CompiledKnowledge, PolicyVersion
from ..namespaces import NEC
from .citations import citations_of
from .model import DecisionClock, Parties

__all__ = ["decision_clock", "documents_due", "parties", "utc"]


def utc(moment: datetime) -> datetime:
    """A timezone-aware moment in UTC, whole seconds (naive moments are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def _first(data: Graph, predicate: URIRef):
    return next(iter(sorted(data.objects(None, predicate), key=str)), None)


def decision_clock(knowledge: CompiledKnowledge, version: PolicyVersion, data: Graph, case_iri: URIRef,
                   decided_at: datetime) -> DecisionClock:
    received = data.value(case_iri, NEC.receivedAt)
    received_at = utc(received.toPython()) if received is not None and isinstance(received.toPython(), datetime) \
        else None
    urgency_term = data.value(case_iri, NEC.urgency)
    urgency = "expedited" if urgency_term == NEC.ExpeditedUrgency else "standard"
    clock = knowledge.policy_graph.value(version.iri, NEC.decisionClock)
    hours = None
    if clock is not None:
        prop = NEC.expeditedDecisionHours if urgency == "expedited" else NEC.standardDecisionHours
        value = knowledge.policy_graph.value(clock, prop)
        hours = int(value) if value is not None else None
    decided_at = utc(decided_at)
    due = received_at + timedelta(hours=hours) if received_at is not None and hours is not None else None
    allowed, turnaround = hours, None
    if received_at is not None:
        hours = (Decimal(int((decided_at - received_at).total_seconds())) / 3600).quantize(Decimal("0.01"))
        turnaround = Decimal(format(hours.normalize(), "f"))  # canonical, as a store writes xsd:decimal
    return DecisionClock(received_at=received_at, decided_at=decided_at, urgency=urgency,
                         urgency_stated=urgency_term is not None, allowed_hours=allowed, due_at=due,
                         turnaround_hours=turnaround, past_due=None if due is None else decided_at > due,
                         documents_due_at=documents_due(decided_at, due, allowed),
                         citations=citations_of(knowledge, clock, version))


def documents_due(decided_at: datetime, due: datetime | None, allowed: int | None) -> datetime | None:
    """When a pended request's documents are due: before the decision is, so the decision's due time;
    where that has passed (or there is no receipt time), the decision clock counted from this decision.
    None where the policy has no decision clock."""
    if due is not None and due > decided_at:
        return due
    return decided_at + timedelta(hours=allowed) if allowed is not None else None


def parties(data: Graph) -> Parties:
    """Patient, member and provider identifiers of the case form, where given (printed on the notice;
    patient data, never logged)."""
    def text(predicate: URIRef) -> str | None:
        value = _first(data, predicate)
        return str(value) if value is not None else None

    born = _first(data, NEC.birthDate)
    return Parties(member_id=text(NEC.memberId), patient_name=text(NEC.patientName),
                   patient_birth_date=str(born)[:10] if born is not None else None,
                   provider_npi=text(NEC.npi), provider_name=text(NEC.providerName))
