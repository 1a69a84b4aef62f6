"""The review part of the determination model: who decided each line, when, why, and what the engine
recommended (:class:`Review`, carried by :attr:`Determination.review <.model.Determination.review>`).

A review is recorded as the case's next determination: the lines, criteria and citations are those
of the determination it was derived from (the engine's), and the review says what a person decided
on each line. A line the review leaves alone keeps the decision of an earlier review
(``recorded_in`` names the determination that first recorded it), so the latest determination
always says the current decision of every line that has one.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from ..knowledge.vocabulary import Outcome, ReviewDecision, ReviewerRole

__all__ = ["LineReview", "Review"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LineReview(_Model):
    """A reviewer's decision on one requested line, beside the engine's recommendation."""


    code: str = Field(description="The billed code of the line.")
    line: str = Field(description="The requested line's IRI.")
    decision: ReviewDecision = Field(description="What the reviewer decided.")
    engine_outcome: Outcome = Field(description="The engine's outcome of the line.")
    engine_recommendation: ReviewDecision = Field(description="The decision the engine's outcome recommends.")
    reason: str | None = Field(default=None, description="Why, in the reviewer's words or a criterion's; required "
                                                         "for a denial and for any decision that differs from "
                                                         "the engine's recommendation.")
    reason_criterion: str | None = Field(default=None, description="The criterion given as the reason (IRI).")
    deciding_criteria: list[str] = Field(default_factory=list, description=(
        "The criteria that decided the engine's outcome: those not met, else those not documented (IRIs)."))
    reviewer: str = Field(description="The reviewer's identifier.", examples=["md-0007"])
    role: ReviewerRole
    reviewed_at: datetime
    recorded_in: int = Field(description="The number of the determination that first recorded this decision.")

    @property
    def overrides(self) -> bool:
        """Whether the reviewer decided otherwise than the engine recommended."""
        return self.decision != self.engine_recommendation


class Review(_Model):
    """A review: a person's decisions on the lines of the determination it was derived from."""

    reviewer: str = Field(description="The reviewer's identifier (from the API key's configuration).",
                          examples=["md-0007"])
    role: ReviewerRole
    reviewed_at: datetime = Field(description="When the review was recorded.")
    derived_from: str = Field(description="The IRI of the determination reviewed (prov:wasDerivedFrom).")
    derived_from_number: int = Field(description="Its number among the case's determinations.")
    note: str | None = Field(default=None, description="The reviewer's note on the review as a whole.")
    hours_since_receipt: Decimal | None = Field(default=None, description="Hours from receipt of the request.")
    hours_since_recommendation: Decimal = Field(description="Hours from the determination reviewed.")
    lines: list[LineReview] = Field(description="The current decision of each reviewed line, in line order: "
                                                "those of this review and those carried forward.")

    def decision_for(self, code: str) -> LineReview | None:
        """The current decision on the line with this code, if a reviewer decided it."""
        return next((line for line in self.lines if line.code == code), None)
