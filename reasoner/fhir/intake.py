"""A PAS request bundle as a JSON case form: the Claim, Patient, Coverage and provider parts.

The clinical resources (questionnaire answers, medications, procedures, observations, documents)
are mapped by :mod:`.clinical`. Every value set in the form remembers the element it came from, so
an error the case-form checks find afterwards names the FHIR element, not only the form field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reasoner.errors import CaseLoadError
from reasoner.loading.form import SAFE_ID

from .bundle import FhirInputError, PasRequest
from .clinical import map_clinical
from .formbuilder import FormBuilder, as_date
from .mapping import tables

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

    def element_of(self, form_field: str | None) -> str | None:
        """The FHIR element behind a form field (the longest known prefix)."""
        if not form_field:
            return None
        best = None
        for path, origin in self.origins.items():
            if (form_field == path or form_field.startswith(path + ".") or form_field.startswith(path + "[")) \
                    and (best is None or len(path) > len(best[0])):
                best = (path, origin)
        return best[1] if best else None


def _extension(element: Any, suffix: str) -> list[Any]:
    return [e for e in (element.extension or []) if e.url and e.url.endswith(suffix)]


def bundle_to_form(request: PasRequest, source: str = "bundle") -> MappedCase:
    """Map a parsed PAS request to the case form (checked afterwards by the loader)."""
    claim, out = request.claim, FormBuilder()
    case_id = claim.identifier[0].value
    if not SAFE_ID.match(case_id):
        raise FhirInputError("must be 1 to 128 letters, digits, '.', '_' or '-' to name the case",
                             element=f"{_CLAIM}.identifier[0].value", source=source)
    out.set("id", case_id, f"{_CLAIM}.identifier[0].value")
    _policy(request, out)
    if claim.priority is not None:
        for coding in claim.priority.coding or []:
            out.set("urgency", tables()["priority"].get(coding.code), f"{_CLAIM}.priority")
    if request.bundle.timestamp is not None:
        out.set("received_at", request.bundle.timestamp.isoformat(), "Bundle.timestamp")
    _people(request, out)
    _diagnoses(claim, out)
    sequences = _items(claim, out, source)
    map_clinical(request, out)
    return MappedCase(out.form, sequences, out.origins, request)


def _policy(request: PasRequest, out: FormBuilder) -> None:
    _i, insurer = request.resolve(request.claim.insurer)
    for ident in getattr(insurer, "identifier", None) or []:
        out.set("policy", tables()["payers"].get(f"{ident.system}|{ident.value}"), f"{_CLAIM}.insurer")


def _people(request: PasRequest, out: FormBuilder) -> None:
    claim, t = request.claim, tables()
    i, patient = request.resolve(claim.patient)
    where = f"Bundle.entry[{i}].resource"
    if patient.birthDate is not None:
        on = claim.created.date() if hasattr(claim.created, "date") else date.fromisoformat(str(claim.created)[:10])
        born = patient.birthDate
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        out.set("patient.age", age, f"{where}.birthDate")
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
        concept = dx.diagnosisCodeableConcept
        for coding in (concept.coding or []) if concept else []:
            if systems.get(coding.system) == "ICD-10-CM" and coding.code:
                out.append("diagnoses", {"code": _icd(coding.code), "system": "ICD-10-CM"},
                           f"{_CLAIM}.diagnosis[{n}].diagnosisCodeableConcept")
                break


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
