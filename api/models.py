"""Response models: pydantic, never raw graphs."""

from __future__ import annotations

from pydantic import BaseModel, Field

from reasoner.determination import Determination
from reasoner.determination.review_model import Review
from reasoner.knowledge.vocabulary import Outcome

__all__ = ["Health", "VersionInfo", "DeterminationSummary", "StoredDetermination", "Decision", "CasePublic"]


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class VersionInfo(BaseModel):
    name: str = Field(examples=["necessity"])
    version: str = Field(description="The engine version recorded in every determination.", examples=["0.1.0"])
    store: str = Field(description="`embedded` or `remote`.", examples=["embedded"])


class DeterminationSummary(BaseModel):
    """A stored determination, read back from its graph."""

    number: int = Field(description="Counts the determinations of a case from 1.", examples=[1])
    iri: str = Field(examples=["https://w3id.org/necessity/determination/000-ziconotide-refill/1"])
    case_id: str = Field(examples=["000-ziconotide-refill"])
    policy_id: str | None = Field(default=None, examples=["aetna-cpb-0161"])
    policy_version: str | None = Field(default=None, description="The version label.", examples=["2026-01"])
    policy_version_iri: str | None = None
    engine_version: str | None = None
    decided_at: str | None = Field(default=None, description="xsd:dateTime of the decision.")
    outcomes: dict[str, Outcome] = Field(default_factory=dict, description="Outcome per requested code.",
                                         examples=[{"J2278": Outcome.MeetsCriteria, "62369": Outcome.MeetsCriteria}])
    url: str = Field(examples=["/cases/000-ziconotide-refill/determinations/1"])
    review: Review | None = Field(default=None, description=(
        "Set when a person decided: the reviewer, role and time, and per reviewed line the decision beside the "
        "engine's outcome and recommendation, with the reason."))


class StoredDetermination(DeterminationSummary):
    """A stored determination read back into the determination model."""

    determination: Determination = Field(description="The full determination, as decided.")


class Decision(BaseModel):
    """A determination just made (and stored)."""

    number: int = Field(examples=[1])
    iri: str = Field(examples=["https://w3id.org/necessity/determination/000-ziconotide-refill/1"])
    url: str = Field(examples=["/cases/000-ziconotide-refill/determinations/1"])
    case_url: str = Field(examples=["/cases/000-ziconotide-refill"])
    decided_at: str
    outcome: Outcome = Field(description="The worst line outcome.", examples=[Outcome.MeetsCriteria])
    outcomes: dict[str, Outcome] = Field(examples=[{"J2278": Outcome.MeetsCriteria, "62369": Outcome.MeetsCriteria}])
    determination: Determination = Field(
        description="The full determination: lines with their request kind and criteria in three states, "
                    "missing documentation, warnings, advisories, safety notices, citations, decision clock.")


class CasePublic(BaseModel):
    id: str = Field(examples=["000-ziconotide-refill"])
    iri: str = Field(examples=["https://w3id.org/necessity/case/000-ziconotide-refill"])
    triples: int = Field(description="Size of the stored case graph.")
    determinations: list[DeterminationSummary]
