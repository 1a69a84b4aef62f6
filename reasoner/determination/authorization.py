"""Step 5: what the approval of each approved line grants: units and validity period.

The units are those the line requests (``nec:units``). The period runs from the line's first date of
service; it ends after the policy version's authorization period (``nec:authorizationPeriodDays`` in
``shapes/``) where the knowledge has one, else on the line's last date of service. A line that states
no date of service gets no period, and the notice says so: nothing here invents one.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from rdflib import Graph, URIRef

from ..knowledge.compiled import CompiledKnowledge, PolicyVersion
from ..knowledge.vocabulary import Outcome
from ..namespaces import NEC
from .model import Authorization, LineDecision

__all__ = ["authorize", "authorization_period", "authorization_number"]


def authorization_number(case_id: str, number: int = 1) -> str:
    """The authorization number of a case's ``number``-th determination: the PAS ``preAuthRef`` and
    the number an approval notice gives (``<case id>-<determination number>``)."""
    return f"{case_id}-{number}"


def authorization_period(knowledge: CompiledKnowledge, version: PolicyVersion) -> int | None:
    """The days an approval under ``version`` stays valid, where the policy states it."""
    value = knowledge.policy_graph.value(version.iri, NEC.authorizationPeriodDays)
    return int(value) if value is not None else None


def _dates(data: Graph, line: URIRef) -> list[date]:
    out = []
    for value in data.objects(line, NEC.dateOfService):
        python = value.toPython() if hasattr(value, "toPython") else value
        if isinstance(python, date):
            out.append(python)
        else:
            try:
                out.append(date.fromisoformat(str(value)[:10]))
            except ValueError:
                continue
    return sorted(out)


def _units(data: Graph, line: URIRef) -> Decimal | None:
    value = data.value(line, NEC.units)
    if value is None:
        return None
    number = Decimal(str(value))
    return Decimal(format(number.normalize(), "f"))  # canonical, as a store writes xsd:decimal


def authorize(knowledge: CompiledKnowledge, version: PolicyVersion, data: Graph,
              lines: list[LineDecision]) -> list[LineDecision]:
    """The lines, each approved one (meets-criteria) with what its approval grants."""
    period = authorization_period(knowledge, version)
    out = []
    for line in lines:
        if line.outcome != Outcome.MeetsCriteria:
            out.append(line)
            continue
        node = URIRef(line.line)
        dates = _dates(data, node)
        start = dates[0] if dates else None
        if start is not None and period is not None:
            end = start + timedelta(days=period - 1)
            basis = f"the policy's authorization period of {period} days from the first date of service"
        elif start is not None:
            end = dates[-1]
            basis = ("the date of service on the request" if len(dates) == 1
                     else "the first and last dates of service on the request")
        else:
            end = None
            basis = ("not set: the request states no date of service"
                     + ("" if period is None else f"; the policy's authorization period is {period} days "
                                                   "from the first date of service"))
        grant = Authorization(units=_units(data, node), valid_from=start.isoformat() if start else None,
                              valid_to=end.isoformat() if end else None, basis=basis)
        out.append(line.model_copy(update={"authorization": grant}))
    return out
