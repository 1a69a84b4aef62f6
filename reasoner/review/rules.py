"""What a review may say, and the determination it becomes (no store here: see :mod:`.record`).

The rules (DESIGN.md, "Who decides"): only a reviewer (a key configured with a role) reviews;
a denial needs a physician reviewer (Medicare Advantage: 42 CFR 422.566(d); state laws such as
California SB 1120 forbid an automated or non-physician adverse decision); a reason is required
for every denial and for every decision that differs from the engine's recommendation; a line the
policy does not decide (out of scope) is not reviewed under it. Each rule names the field at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..determination.model import Determination
from ..determination.review_model import LineReview, Review
from ..errors import ReviewError, ReviewForbiddenError
from ..knowledge.vocabulary import CriterionState, Outcome, ReviewDecision, ReviewerRole, recommendation

__all__ = ["Reviewer", "ReviewSubmission", "LineSubmission", "reviewed", "allowed_decisions", "REVIEWER_ID"]

REVIEWER_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
"""A reviewer identifier: it names the reviewer's ``prov:Agent`` IRI, so letters, digits, ``.``, ``_``, ``-``."""

_Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]


@dataclass(frozen=True)
class Reviewer:
    """Who is reviewing: an identifier and a role (from the API key's configuration, or the CLI)."""

    id: str
    role: ReviewerRole


class LineSubmission(BaseModel):
    """The decision on one line, as a reviewer submits it."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=32, description="The billed code of the line (as in the determination).")
    decision: ReviewDecision
    reason: _Text | None = Field(default=None, description=(
        "Why; required for a denial and for a decision that differs from the engine's recommendation."))
    reason_criterion: str | None = Field(default=None, max_length=300, description=(
        "The IRI of one of the line's criteria given as the reason (its name is the reason when none is typed)."))


class ReviewSubmission(BaseModel):
    """A review of one determination of a case (``POST /cases/{id}/reviews``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "determination": 1, "lines": [{"code": "<a billed code of the determination>", "decision": "deny",
                                       "reason": "Trial relief 40%, below the policy's 50%."}],
        "note": "Peer-to-peer offered."}})

    determination: int = Field(ge=1, le=1_000_000, description="The number of the determination reviewed "
                                                               "(it must be the case's latest).")
    lines: list[LineSubmission] = Field(min_length=1, max_length=100)
    note: _Text | None = None


def allowed_decisions(role: ReviewerRole | None) -> list[ReviewDecision]:
    """The decisions a role may make: a nurse approves or pends, a physician also denies; none without a role."""
    if role is None:
        return []
    if role == ReviewerRole.PhysicianReviewer:
        return [ReviewDecision.Approve, ReviewDecision.Pend, ReviewDecision.Deny]
    return [ReviewDecision.Approve, ReviewDecision.Pend]


def _hours(start: datetime | None, end: datetime) -> Decimal | None:
    if start is None:
        return None
    hours = (Decimal(int((end - start).total_seconds())) / 3600).quantize(Decimal("0.01"))
    return Decimal(format(hours.normalize(), "f"))


def _deciding(line) -> list[str]:  # noqa: ANN001 - a LineDecision
    """The criteria that decided a line's outcome: for does-not-meet those not met, for insufficient
    documentation those not documented (violations); none for a line that meets the criteria."""
    state = {str(Outcome.DoesNotMeet): CriterionState.CriterionNotMet,
             str(Outcome.InsufficientDocumentation): CriterionState.CriterionNotDocumented}.get(str(line.outcome))
    return sorted({c.criterion for c in line.criteria if c.state == state and c.severity == "violation"})


def reviewed(prior: Determination, *, prior_iri: str, prior_number: int, number: int,
             submission: ReviewSubmission, reviewer: Reviewer | None, now: datetime | None = None) -> Determination:
    """The determination a review makes of ``prior``: the same lines, criteria and citations, with the
    reviewer's decisions (and those of earlier reviews that this one leaves alone).

    Raises:
        ReviewForbiddenError: no reviewer role, or a denial by a nurse reviewer.
        ReviewError: a code not on the determination, given twice or out of scope; a missing reason;
            a reason criterion that is not one of the line's.
    """
    if reviewer is None:
        raise ReviewForbiddenError("this API key is an integrator's: only a key configured with a reviewer role "
                                   "(nurse-reviewer or physician-reviewer) may record a review", field="X-API-Key")
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    if now <= prior.clock.decided_at:  # a review follows what it reviews (the store orders by time)
        now = prior.clock.decided_at + timedelta(seconds=1)
    by_code = {line.code: line for line in prior.lines}
    decided: dict[str, LineReview] = {}
    may = allowed_decisions(reviewer.role)
    for i, given in enumerate(submission.lines):
        where = f"lines[{i}]"
        line = by_code.get(given.code)
        if line is None:
            raise ReviewError(f"code {given.code} is not a line of determination {prior_number}; its codes are "
                              f"{', '.join(by_code)}", field=f"{where}.code")
        if given.code in decided:
            raise ReviewError(f"code {given.code} is given twice", field=f"{where}.code")
        recommended = recommendation(line.outcome)
        if recommended is None:
            raise ReviewError(f"code {given.code} is out of scope of {prior.policy.id}: it is not reviewed under "
                              f"this policy", field=f"{where}.code")
        if given.decision not in may:
            raise ReviewForbiddenError(f"a {reviewer.role} may not {given.decision} a line: an adverse decision "
                                       f"needs a physician reviewer (42 CFR 422.566(d))", field=f"{where}.decision")
        criterion = None
        if given.reason_criterion:
            criterion = next((c for c in line.criteria if c.criterion == given.reason_criterion), None)
            if criterion is None:
                raise ReviewError(f"{given.reason_criterion} is not a criterion of line {given.code}",
                                  field=f"{where}.reason_criterion")
        reason = given.reason or (criterion.name if criterion is not None else None)
        if not reason and (given.decision == ReviewDecision.Deny or given.decision != recommended):
            why = "a denial" if given.decision == ReviewDecision.Deny else \
                f"a decision ({given.decision}) that differs from the engine's recommendation ({recommended})"
            raise ReviewError(f"{why} needs a reason on line {given.code}", field=f"{where}.reason")
        decided[given.code] = LineReview(
            code=line.code, line=line.line, decision=given.decision, engine_outcome=line.outcome,
            engine_recommendation=ReviewDecision(recommended), reason=reason,
            reason_criterion=criterion.criterion if criterion is not None else None,
            deciding_criteria=_deciding(line), reviewer=reviewer.id, role=reviewer.role, reviewed_at=now,
            recorded_in=number)
    earlier = {r.code: r for r in prior.review.lines} if prior.review is not None else {}
    lines = [decided.get(line.code) or earlier[line.code] for line in prior.lines
             if line.code in decided or line.code in earlier]
    clock = prior.clock
    turnaround = _hours(clock.received_at, now)
    new_clock = clock.model_copy(update={"decided_at": now, "turnaround_hours": turnaround,
                                         "past_due": None if clock.due_at is None else now > clock.due_at})
    review = Review(reviewer=reviewer.id, role=reviewer.role, reviewed_at=now, derived_from=prior_iri,
                    derived_from_number=prior_number, note=submission.note or None,
                    hours_since_receipt=turnaround, hours_since_recommendation=_hours(clock.decided_at, now),
                    lines=lines)
    return prior.model_copy(update={"clock": new_clock, "review": review})
