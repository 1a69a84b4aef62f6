"""A determination as a Da Vinci PAS response bundle: a ClaimResponse per Claim, a decision per item.

Read from ``Determination.to_dict()`` only (``lines[].index/code/outcome/reasons``, the
``missing_documentation`` checklist with its LOINC attachment codes), the JSON of the typed model in
:mod:`reasoner.determination.model`. Per item:

* meets-criteria -> reviewAction A1 with the certification number (A4 with a note where the deployment
  may not certify);
* insufficient-documentation -> A4 pended, and a CommunicationRequest listing the missing documents as
  LOINC attachment codes with the item's line number;
* does-not-meet -> A4 with a processNote giving the reasons (a reviewer, not an engine, issues the
  adverse decision);
* out-of-scope -> NA (no review action required under this policy).

The last ``processNote`` names the policy and version that decided. What the request stated that the
intake could not use (``intake_warnings``: a diagnosis in a code system it does not read, a payer
decided under the operator's default policy) comes back as an OperationOutcome entry of warnings,
each naming its element.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..knowledge.vocabulary import Outcome
from .bundle import PasRequest
from .mapping import tables

__all__ = ["response_bundle", "REVIEW_ACTION", "SERVICE_LINE"]

_PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
REVIEW_ACTION = _PAS + "extension-reviewAction"
SERVICE_LINE = _PAS + "extension-serviceLineNumber"
_ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
_LOINC = "http://loinc.org"


def _ref(resource: Any) -> dict[str, Any] | None:
    return {"reference": resource.reference} if resource is not None and resource.reference else None


def response_bundle(request: PasRequest, sequences: list[int], determination: Mapping[str, Any], *,
                    decided_at: datetime, certification: str | None = None, may_certify: bool = True,
                    loinc: Mapping[str, str] | None = None, only: set[int] | None = None) -> dict[str, Any]:
    """The PAS response bundle (a JSON-ready dict) for one decided PAS request.

    A line a reviewer decided (``determination["review"]``) is answered with the reviewer's decision
    (approve A1, deny A3 with the reason, pend A4); the others with the engine's outcome. ``only``:
    answer only the items with these sequences (an inquiry that names items).
    """
    t = tables()["response"]
    claim = request.claim
    case_id = determination.get("case_id") or claim.identifier[0].value
    reviewed = {r["code"]: r for r in (determination.get("review") or {}).get("lines", [])}
    items, notes, payload = [], [], []
    for line in determination["lines"]:
        outcome = line["outcome"]
        sequence = sequences[line["index"]]
        if only is not None and sequence not in only:
            continue
        key = f"{outcome}-no-certify" if outcome == Outcome.MeetsCriteria and not may_certify else outcome
        decision = reviewed.get(line.get("code"))
        action = t["review_decisions"][decision["decision"]] if decision else t["actions"][key]
        review = [{"url": "code", "valueCodeableConcept": {"coding": [
            {"system": t["review_action_system"], "code": action, "display": t["action_display"][action]}]}}]
        if action == "A1" and certification:
            review.append({"url": "number", "valueString": certification})
        item: dict[str, Any] = {"itemSequence": sequence, "adjudication": [{
            "extension": [{"url": REVIEW_ACTION, "extension": review}],
            "category": {"coding": [{"system": _ADJUDICATION, "code": "submitted"}]}}]}
        traces = _traces(claim, sequence)
        if traces:
            item["extension"] = traces
        text = _review_note(line, decision) if decision else _note(line, outcome, may_certify, determination)
        if text:
            notes.append({"number": len(notes) + 1, "type": "display", "text": text})
            item["noteNumber"] = [len(notes)]
        if outcome == Outcome.InsufficientDocumentation and action == "A4":
            for code in _attachment_codes(line, determination, loinc, t):
                payload.append({"extension": [{"url": SERVICE_LINE, "valuePositiveInt": sequence}],
                                "contentString": code})
        items.append(item)
    response: dict[str, Any] = {
        "resourceType": "ClaimResponse", "id": f"{case_id}-response",
        "identifier": [{"system": "urn:necessity:determination", "value": certification or case_id}],
        "status": "active", "type": claim.type.model_dump(mode="json", exclude_none=True),
        "use": "preauthorization", "patient": _ref(claim.patient), "created": decided_at.isoformat(),
        "insurer": _ref(claim.insurer), "requestor": _ref(claim.provider),
        "request": {"identifier": claim.identifier[0].model_dump(mode="json", exclude_none=True)},
        "outcome": "complete", "disposition": _disposition(determination), "item": items,
    }
    if certification and any(_action_code(item) == "A1" for item in items):
        response["preAuthRef"] = certification
        period = _validity(determination)
        if period:
            response["preAuthPeriod"] = period  # the span of the approved lines' validity periods
    notes.append({"number": len(notes) + 1, "type": "display", "text": _policy_note(determination)})
    response["processNote"] = notes
    base = _base(request)
    entries = [_entry(response, base)]
    warnings = determination.get("intake_warnings") or []
    if warnings:  # what the request stated that could not be used: said, not silently dropped
        entries.append(_entry({"resourceType": "OperationOutcome", "id": f"{case_id}-intake", "issue": [
            {"severity": "warning", "code": "informational", "diagnostics": w["message"],
             "expression": [w["element"]]} for w in warnings]}, base))
    if payload:
        communication = {
            "resourceType": "CommunicationRequest", "id": f"{case_id}-documents", "status": "active",
            "subject": _ref(claim.patient), "requester": _ref(claim.insurer),
            "recipient": [r for r in [_ref(claim.provider)] if r],
            "reasonCode": [{"text": "Documentation needed to decide the pended items"}],
            "payload": payload, "authoredOn": decided_at.isoformat()}
        response["communicationRequest"] = [{"reference": f"CommunicationRequest/{communication['id']}"}]
        entries.append(_entry(communication, base))
    for reference in (claim.patient, claim.insurer, claim.provider):
        index, resource = request.resolve(reference)
        if resource is not None and index is not None:
            entries.append({"fullUrl": request.bundle.entry[index].fullUrl,
                            "resource": resource.model_dump(mode="json", exclude_none=True)})
    return {"resourceType": "Bundle", "id": f"{case_id}-pas-response",
            "meta": {"profile": [_PAS + "profile-pas-response-bundle"]},
            "identifier": request.doc.get("identifier") or {"value": case_id},
            "type": "collection", "timestamp": decided_at.isoformat(), "entry": entries}


def _validity(determination: Mapping[str, Any]) -> dict[str, str]:
    """The validity period of what the response approves, where the determination gives one."""
    grants = [line.get("authorization") or {} for line in determination["lines"]
              if line["outcome"] == Outcome.MeetsCriteria]
    starts = sorted(g["valid_from"] for g in grants if g.get("valid_from"))
    ends = sorted(g["valid_to"] for g in grants if g.get("valid_to"))
    return {"start": starts[0], "end": ends[-1]} if starts and ends else {}


def _traces(claim: Any, sequence: int) -> list[dict[str, Any]]:
    """The item's ``itemTraceNumber`` extensions, echoed so the sender can match the answer."""
    for item in claim.item or []:
        if item.sequence == sequence:
            return [e.model_dump(mode="json", exclude_none=True) for e in item.extension or []
                    if e.url and e.url.endswith("extension-itemTraceNumber")]
    return []


def _base(request: PasRequest) -> str:
    """The server base of the request's Claim, so relative references resolve in the response."""
    full = request.bundle.entry[0].fullUrl or ""
    suffix = f"Claim/{request.claim.id}"
    return full[: -len(suffix)] if request.claim.id and full.endswith(suffix) else "urn:necessity:"


def _entry(resource: dict[str, Any], base: str) -> dict[str, Any]:
    return {"fullUrl": f"{base}{resource['resourceType']}/{resource.get('id', '')}", "resource": resource}


def _attachment_codes(line: Mapping[str, Any], determination: Mapping[str, Any],
                      loinc: Mapping[str, str] | None, t: Mapping[str, Any]) -> list[str]:
    """The LOINC attachment codes of the documents that hold this line back (from the knowledge)."""
    codes: list[str] = []
    for item in determination.get("missing_documentation", []):
        if line.get("code") not in item.get("blocks", []):
            continue
        document = item.get("document_iri")
        found = [(loinc or {}).get(document)] if (loinc or {}).get(document) else list(item.get("loinc_codes", []))
        for code in found or [t["loinc_attachments"].get(document) or t["loinc_fallback"]]:
            if code not in codes:
                codes.append(code)
    return codes


def _note(line: Mapping[str, Any], outcome: str, may_certify: bool, determination: Mapping[str, Any]) -> str | None:
    code = line.get("code")
    if outcome == Outcome.DoesNotMeet:
        reasons = []
        for reason in line.get("reasons", []):
            cites = "; ".join(f"{c.get('source_id')}: {c.get('locator')}" for c in reason.get("citations", []))
            reasons.append(reason.get("text", "").rstrip(".") + (f" [{cites}]" if cites else ""))
        detail = " ".join(r + "." for r in reasons if r) or "A documented criterion is contradicted."
        return f"{code}: criteria not met. {detail} Pended for review by a clinician."
    if outcome == Outcome.OutOfScope:
        return f"{code}: not a code this policy ({determination.get('policy', {}).get('id', '')}) decides."
    if outcome == Outcome.MeetsCriteria and not may_certify:
        return f"{code}: criteria met - recommend approval."
    return None


def _action_code(item: Mapping[str, Any]) -> str:
    review = item["adjudication"][0]["extension"][0]["extension"]
    return review[0]["valueCodeableConcept"]["coding"][0]["code"]


def _review_note(line: Mapping[str, Any], decision: Mapping[str, Any]) -> str:
    """The processNote of a line a reviewer decided: who, and the reason (a denial's specific reason)."""
    code, word = line.get("code"), {"approve": "approved", "deny": "denied", "pend": "pended"}[decision["decision"]]
    who = f"{decision.get('role', 'reviewer').replace('-', ' ')} {decision.get('reviewer', '')}".strip()
    reason = decision.get("reason")
    if decision["decision"] == "deny":
        cites = "; ".join(f"{c.get('source_id')}: {c.get('locator')}" for r in line.get("reasons", [])
                          for c in r.get("citations", []))
        return f"{code}: {word} by {who}. Reason: {reason}" + (f" [{cites}]" if cites else "") + \
            ". You may appeal this decision."
    return f"{code}: {word} by {who}" + (f". Reason: {reason}" if reason else "") + "."


def _policy_note(determination: Mapping[str, Any]) -> str:
    policy = determination.get("policy", {})
    return f"Decided under {policy.get('title', '')} ({policy.get('id', '')}, version {policy.get('version', '')})."


def _disposition(determination: Mapping[str, Any]) -> str:
    counts: dict[str, int] = {}
    for line in determination["lines"]:
        counts[line["outcome"]] = counts.get(line["outcome"], 0) + 1
    return ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
