"""A PAS request bundle as a JSON case form: the Claim, Patient, Coverage and provider parts.

The clinical resources (questionnaire answers, medications, procedures, observations, documents)
are mapped by :mod:`.clinical`. Every value set in the form remembers the element it came from, so
an error the case-form checks find afterwards names the FHIR element, not only the form field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reasoner.errors import CaseLoadError
from reasoner.loading.form import SAFE_ID

from .bundle import FhirInputError, PasRequest
from .clinical import map_clinical
from .formbuilder import FormBuilder, as_date
from .mapping import tables
from .payer import PolicyChoice, choose_policy

__all__ = ["MappedCase", "bundle_to_form", "load_error_element"]

_CLAIM = "Bundle.entry[0].resource"
_AUTH_EXT = "extension-authorizationNumber"


@dataclass
class MappedCase:
    """A PAS request mapped to the case form."""

    form: dict[str, Any]
    sequences: list[int]
    """``Claim.item.sequence`` of each requested line, in line order."""
    origins: dict[str, str]
    request: PasRequest
    policy: PolicyChoice | None = None
    """The policy the request is decided under, and why (see :mod:`.payer`)."""
    warnings: list[tuple[str, str]] = field(default_factory=list)
    """(FHIRPath, message) of what the request stated that the mapping could not use."""

    def annotate(self, determination: Any) -> Any:
        """The determination with the mapping's warnings on it (``intake_warnings``)."""
        if not self.warnings:
            return determination
        from reasoner.determination.model import IntakeWarning

        extra = [IntakeWarning(element=e, message=m) for e, m in self.warnings]
        return determination.model_copy(update={"intake_warnings": [*determination.intake_warnings, *extra]})

    def element_of(self, form_field: str | None) -> str | None:
        """The FHIR element behind a form field (the longest known prefix)."""
        if not form_field:
            return None
        best = None
        for path, origin in self.origins.items():
            if (form_field == path or form_field.startswith(path + ".") or form_field.startswith(path + "[")) \
                    and (best is None or len(path) > len(best[0])):
                best = (path, origin)
        if best is not None:
            return best[1]
        # a list as a whole (``requested``: too many lines): the element its first item came from, unindexed
        child = next((origin for path, origin in self.origins.items() if path.startswith(form_field + "[")), None)
        return child[: child.rindex("[")] if child and child.endswith("]") else child


def _extension(element: Any, suffix: str) -> list[Any]:
    return [e for e in (element.extension or []) if e.url and e.url.endswith(suffix)]


def bundle_to_form(request: PasRequest, source: str = "bundle", *, default_policy: str | None = None) -> MappedCase:
    """Map a parsed PAS request to the case form (checked afterwards by the loader).

    ``default_policy`` decides a request whose payer maps to no policy; without it such a request is
    refused (:func:`.payer.choose_policy`).
    """
    claim, out = request.claim, FormBuilder()
    case_id = claim.identifier[0].value
    if not SAFE_ID.match(case_id):
        raise FhirInputError("must be 1 to 128 letters, digits, '.', '_' or '-' to name the case",
                             element=f"{_CLAIM}.identifier[0].value", source=source)
    out.set("id", case_id, f"{_CLAIM}.identifier[0].value")
    choice = choose_policy(request, default_policy, source)
    out.set("policy", choice.policy, f"{_CLAIM}.insurer")
    if choice.by_default:
        out.warn(f"{_CLAIM}.insurer", choice.sentence())
    if claim.priority is not None:
        codes = [c.code for c in claim.priority.coding or [] if c.code]
        known = [tables()["priority"][c] for c in codes if c in tables()["priority"]]
        if known:
            out.set("urgency", known[0], f"{_CLAIM}.priority")
        elif codes:
            out.warn(f"{_CLAIM}.priority", "the priority code is not one of stat, normal or deferred; "
                                           "decided with standard urgency")
    if request.bundle.timestamp is not None:
        out.set("received_at", request.bundle.timestamp.isoformat(), "Bundle.timestamp")
    _people(request, out)
    _diagnoses(claim, out)
    sequences = _items(claim, out, source)
    map_clinical(request, out)
    return MappedCase(out.form, sequences, out.origins, request, choice, out.warnings)


def _people(request: PasRequest, out: FormBuilder) -> None:
    claim, t = request.claim, tables()
    i, patient = request.resolve(claim.patient)
    where = f"Bundle.entry[{i}].resource"
    if patient.birthDate is not None:
        on = claim.created.date() if hasattr(claim.created, "date") else date.fromisoformat(str(claim.created)[:10])
        born = patient.birthDate
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        out.set("patient.age", age, f"{where}.birthDate")
        out.set("patient.birth_date", born.isoformat(), f"{where}.birthDate")
    for n, name in enumerate(getattr(patient, "name", None) or []):
        text = name.text or " ".join([*(name.given or []), name.family or ""]).strip()
        if text:
            out.set("patient.name", text, f"{where}.name[{n}]")
            break
    out.set("patient.sex", t["gender"].get(patient.gender or ""), f"{where}.gender")
    for n, ident in enumerate(patient.identifier or []):
        codes = [c.code for c in (ident.type.coding or [])] if ident.type else []
        if t["member_identifier_type"] in codes and ident.value:
            out.set("member.id", ident.value, f"{where}.identifier[{n}].value")
    j, role = request.resolve(claim.provider)
    candidates = [(j, role)]
    if role is not None and role.get_resource_type() == "PractitionerRole":
        candidates = [request.resolve(role.organization), request.resolve(role.practitioner)]
    for k, who in candidates:
        if who is None:
            continue
        for n, ident in enumerate(getattr(who, "identifier", None) or []):
            if ident.system == t["npi_system"] and ident.value:
                out.set("provider.npi", ident.value, f"Bundle.entry[{k}].resource.identifier[{n}].value")
        name = getattr(who, "name", None)
        if isinstance(name, str):
            out.set("provider.name", name, f"Bundle.entry[{k}].resource.name")


def _icd(code: str) -> str:
    """ICD-10-CM as PAS senders write it, with or without the dot: ``G894`` -> ``G89.4``."""
    return code if "." in code or len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def _diagnoses(claim: Any, out: FormBuilder) -> None:
    systems = tables()["code_systems"]
    for n, dx in sorted(enumerate(claim.diagnosis or []), key=lambda p: p[1].sequence):
        concept, where = dx.diagnosisCodeableConcept, f"{_CLAIM}.diagnosis[{n}].diagnosisCodeableConcept"
        codings = (concept.coding or []) if concept is not None else []
        coding = next((c for c in codings if systems.get(c.system) == "ICD-10-CM" and c.code), None)
        if coding is not None:
            out.append("diagnoses", {"code": _icd(coding.code), "system": "ICD-10-CM"}, where)
            continue
        what = "is coded in a code system this service does not read" if codings else "has no coding"
        out.warn(where if concept is not None else f"{_CLAIM}.diagnosis[{n}]",
                 f"diagnosis {dx.sequence} {what} (it reads ICD-10-CM): it was not read and counts toward no "
                 "criterion; send it as an ICD-10-CM coding")


def _items(claim: Any, out: FormBuilder, source: str) -> list[int]:
    systems, sequences = tables()["code_systems"], []
    for n, item in sorted(enumerate(claim.item), key=lambda p: p[1].sequence):
        where = f"{_CLAIM}.item[{n}]"
        line: dict[str, Any] = {}
        for coding in item.productOrService.coding or []:
            system = systems.get(coding.system)
            if system and coding.code:
                if system == "HCPCS" and coding.code[:1].isdigit() and tables()["hcpcs_level_one_is_cpt"]:
                    system = "CPT"
                line.update(code=coding.code, system=system)
                break
        if not line:
            raise FhirInputError("needs a HCPCS or CPT coding", element=f"{where}.productOrService", source=source)
        line["claim_item_sequence"] = item.sequence  # kept with the case: an inquiry answers per item
        if item.quantity is not None and item.quantity.value is not None:
            line["units"] = item.quantity.value
        start = as_date(item.servicedDate) or as_date(item.servicedPeriod.start if item.servicedPeriod else None)
        if start:
            line["dates_of_service"] = [start]
        modifiers = [c.code for m in item.modifier or [] for c in m.coding or [] if c.code]
        if modifiers:
            line["modifiers"] = modifiers
        out.append("requested", line, where)
        sequences.append(item.sequence)
        for ext in _extension(item, _AUTH_EXT):
            numbers = out.form.setdefault("pump", {}).setdefault("prior_authorizations", [])
            if ext.valueString and ext.valueString not in numbers:
                numbers.append(ext.valueString)
                out.origins.setdefault("pump.prior_authorizations", f"{where}.extension")
    return sequences


def load_error_element(mapped: MappedCase, exc: CaseLoadError) -> str | None:
    """The FHIR element behind a case-form error, when the mapping knows it."""
    return mapped.element_of(exc.field)
