"""The determination as one typed model: what ``determine`` produces and everything else reads.

The API's response, the JSON, the letters and the reviewer's page, and the RDF kept in the store
(:mod:`reasoner.determination.rdf`) are all made from a :class:`Determination`; a stored
determination reads back into the same model. Lists of plain strings are kept sorted and
without repeats, so a round trip through RDF gives the same JSON byte for byte.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..knowledge.vocabulary import CriterionState, Outcome
from .review_model import LineReview, Review

__all__ = [
    "Citation", "EvidenceLocator", "Fact", "CriterionAssessment", "RequestKindBasis", "Reason",
    "LineDecision", "Authorization", "MissingDocument", "Notice", "SafetyNotice", "Alternative", "UnknownCode",
    "UnknownTerms", "IntakeWarning",
    "PolicyRef", "VersionChoice", "Parties", "DecisionClock", "Determination", "PathName", "FactKind",
    "Review", "LineReview",
]

SortedSet = Annotated[list[str], AfterValidator(lambda v: sorted(set(v)))]
"""A list of strings kept sorted and without repeats (stable through RDF)."""

PathName = Literal["initial-criteria", "continuation", "all"]
"""Which path of documentation a criterion belongs to; either path satisfies a line that has two."""

FactKind = Literal["quantity", "boolean", "text", "date", "term", "record"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Model):
    """Where a criterion, reason or notice comes from: the source and the place in it."""

    source_id: str = Field(description="The source's identifier in the knowledge graph (nec:sourceId).")
    title: str = Field(description="The source's title.", examples=["Infusion Pumps"])
    issuer: str | None = Field(default=None, description="Who issued the source (its publisher).")
    locator: str = Field(description="Section, page or table inside the source.")
    url: str | None = Field(default=None, description="The address of the copy of the source that was read.")
    issuer_url: str | None = Field(default=None, description="The address at which the issuer publishes the "
                                                           "source (what a notice cites), where one is known.")
    source_type: str | None = Field(default=None, description="The source's class IRI (a coverage policy, a drug "
                                                             "label, a guideline...).")
    confidence: str | None = Field(default=None, description="How surely the source was read.")


class EvidenceLocator(_Model):
    """Where in the submitted records a case-form field is documented."""

    field: str = Field(examples=["pump"])
    document: str = Field(examples=["operative report"])
    page: int | None = Field(default=None, examples=[8])


class Fact(_Model):
    """A documented fact as a notice shows it: a value in the unit the case used, a sentence, or a record."""

    label: str = Field(description="What the fact is about.", examples=["daily dose in milligrams"])
    kind: FactKind
    text: str = Field(description="The fact written for a reader.", examples=["1.4561 mg/day"])
    value: str | None = Field(default=None, description="The value as the case stated it, without unit.")
    unit: str | None = Field(default=None, examples=["mg/day"])
    items: list[Fact] = Field(default_factory=list, description="The facts of a record (a therapy, a trial).")


class CriterionAssessment(_Model):
    """One criterion on one line, in one of three states, with the facts and citations behind it."""

    criterion: str = Field(description="The criterion's IRI.")
    name: str
    state: CriterionState
    severity: Literal["violation", "warning", "info"] = Field(
        default="violation", description="violation: decides the line; warning: requested, never blocking; "
                                         "info: advisory.")
    path: PathName = "all"
    any_one: bool = Field(default=False, exclude_if=lambda v: not v, description=(
        "Met by any one of several documented values (one failed therapy of those listed), not by all."))
    facts: list[Fact] = Field(default_factory=list)
    evidence: list[EvidenceLocator] = Field(default_factory=list)
    messages: SortedSet = Field(default_factory=list, description="What the shapes said when it failed.")
    citations: list[Citation] = Field(default_factory=list)
    document: str | None = Field(default=None, description="The record that would satisfy it.")
    document_iri: str | None = None


class RequestKindBasis(_Model):
    """Why a line counts as the request kind it was judged as (or why it is out of scope)."""

    kind: str | None = Field(default=None, description="The request kind's IRI.")
    label: str | None = Field(default=None, examples=["continuation"])
    explanation: str
    facts: list[Fact] = Field(default_factory=list)
    evidence: list[EvidenceLocator] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)


class Reason(_Model):
    """A specific reason for a line's outcome (CMS-0057-F: the specific reason for a denial)."""

    text: str
    criterion: str | None = None
    citations: list[Citation] = Field(default_factory=list)


class Authorization(_Model):
    """What the approval of one line grants: the units requested and the period it may be used in."""

    units: Decimal | None = Field(default=None, description="Billing units approved (those requested); none "
                                                            "where the request states no units.")
    valid_from: str | None = Field(default=None, description="First day the approval may be used (YYYY-MM-DD).")
    valid_to: str | None = Field(default=None, description="Last day the approval may be used (YYYY-MM-DD).")
    basis: str = Field(description="Where the validity period comes from.")


class LineDecision(_Model):
    """The outcome of one requested line."""

    index: int = Field(description="The line's position in the request, from 0.")
    line: str = Field(description="The requested line's IRI.")
    code: str = Field(description="The billing code as submitted.")
    system: str = Field(description="The code system as submitted.")
    label: str | None = Field(default=None, description="The code's short label.")
    request_kind: RequestKindBasis
    outcome: Outcome
    reasons: list[Reason] = Field(default_factory=list)
    criteria: list[CriterionAssessment] = Field(default_factory=list)
    missing_documents: SortedSet = Field(default_factory=list, description="IRIs of the documents it waits for.")
    authorization: Authorization | None = Field(default=None, description="What an approved line grants.")


class MissingDocument(_Model):
    """One item of the missing-documentation checklist."""

    criterion: str
    name: str
    document: str | None
    document_iri: str | None
    path: PathName
    blocks: SortedSet = Field(description="The codes of the lines this document holds back.")
    loinc_codes: SortedSet = Field(default_factory=list, description="LOINC attachment codes to request it by.")
    messages: SortedSet = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)


class Notice(_Model):
    """A warning (request it; the outcome does not change) or an advisory (never decides)."""

    criterion: str
    name: str
    shape: str
    message: str
    lines: SortedSet
    document: str | None = None
    document_iri: str | None = None
    loinc_codes: SortedSet = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)


class SafetyNotice(_Model):
    """Do not stop this drug abruptly: for a continuation line that is refused or pended."""

    drug: str
    lines: SortedSet
    message: str
    citations: list[Citation] = Field(default_factory=list)


class Alternative(_Model):
    path: PathName
    criteria: SortedSet


class UnknownCode(_Model):
    code: str
    system: str
    line: int


class UnknownTerms(_Model):
    """What the knowledge graph does not know; it counts toward no criterion."""

    codes: list[UnknownCode] = Field(default_factory=list)
    diagnoses: SortedSet = Field(default_factory=list)
    drugs: SortedSet = Field(default_factory=list)


class IntakeWarning(_Model):
    """Something the request stated that the intake could not use (a coding in a code system it does
    not read, say): it counts toward no criterion, and the sender is told so rather than left to guess."""

    element: str = Field(description="Where in the request: the FHIRPath of the element, or the form field.",
                         examples=["Bundle.entry[0].resource.diagnosis[1].diagnosisCodeableConcept"])
    message: str


class VersionChoice(_Model):
    """Why the determination was made under its policy version (see :mod:`reasoner.knowledge.versions`)."""

    basis: Literal["requested", "date-of-service", "received-at", "decision-date"]
    date: str | None = Field(default=None, description="The date the version was found in force on.")
    reason: str


class PolicyRef(_Model):
    id: str = Field(description="The policy's identifier (nec:policyId).")
    title: str
    version: str = Field(examples=["2026-01"])
    version_iri: str
    effective_date: str | None = None
    selected_by: VersionChoice | None = Field(default=None, description="Why this version was chosen.")
    sources: SortedSet = Field(default_factory=list, description="The source ids the version is based on "
                                                                 "(its own clauses; a notice cites these first).")


class Parties(_Model):
    """Identifiers printed on the notice (patient data: never logged)."""

    member_id: str | None = None
    patient_name: str | None = None
    patient_birth_date: str | None = Field(default=None, description="YYYY-MM-DD, as submitted.")
    provider_npi: str | None = None
    provider_name: str | None = None


class DecisionClock(_Model):
    """When the request came in, when it was decided, and when the decision was due."""

    received_at: datetime | None = None
    decided_at: datetime
    urgency: Literal["standard", "expedited"] = "standard"
    urgency_stated: bool = Field(default=False, description="False when standard urgency was assumed.")
    allowed_hours: int | None = Field(default=None, description="Hours the policy's decision clock allows.")
    due_at: datetime | None = None
    turnaround_hours: Decimal | None = Field(default=None, description="Hours from receipt to decision.")
    past_due: bool | None = Field(default=None, description="Whether the decision came after its due time.")
    documents_due_at: datetime | None = Field(
        default=None, description="When the documentation a pended request waits for is due: the decision's due "
                                  "time, or where that has passed or is unknown, the decision clock counted from "
                                  "the decision.")
    citations: list[Citation] = Field(default_factory=list)


class Determination(_Model):
    """The decision on one case under one policy version."""

    case_id: str
    case_iri: str
    policy: PolicyRef
    engine_version: str
    outcome: Outcome = Field(description="The worst outcome among the lines in scope.")
    clock: DecisionClock
    parties: Parties = Field(default_factory=Parties)
    lines: list[LineDecision]
    missing_documentation: list[MissingDocument] = Field(default_factory=list)
    alternatives: list[Alternative] = Field(default_factory=list)
    warnings: list[Notice] = Field(default_factory=list)
    advisories: list[Notice] = Field(default_factory=list)
    safety_notices: list[SafetyNotice] = Field(default_factory=list)
    unknown: UnknownTerms = Field(default_factory=UnknownTerms)
    intake_warnings: list[IntakeWarning] = Field(
        default_factory=list, description="What the request stated that the intake could not use.")
    review: Review | None = Field(default=None, exclude_if=lambda v: v is None, description=(
        "Set when a person decided: the review recorded as this determination, with the reviewer's decision "
        "beside the engine's recommendation on each reviewed line."))

    # ------------------------------------------------------------ views

    @property
    def outcomes(self) -> dict[str, str]:
        return {line.code: str(line.outcome) for line in self.lines}

    @property
    def policy_id(self) -> str:
        return self.policy.id

    @property
    def policy_version(self) -> str:
        return self.policy.version

    def assessments(self, state: CriterionState) -> list[CriterionAssessment]:
        """Every line's assessments in one state (a criterion may appear once per line)."""
        return [c for line in self.lines for c in line.criteria if c.state == state]

    # ------------------------------------------------------------ serialisations

    def to_dict(self) -> dict:
        return self.model_dump(mode="json")

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
