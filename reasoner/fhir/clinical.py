"""The clinical resources of a PAS bundle as case-form fields.

Structured resources come first (Procedure, Device, MedicationRequest, AllergyIntolerance,
Observation, DocumentReference); DTR QuestionnaireResponse answers fill what they leave open. Only
what a resource states is mapped: a Condition that is absent is not a documented absence.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .formbuilder import FormBuilder, as_date, coding_key
from .mapping import tables
from .questionnaire import map_questionnaires

__all__ = ["map_clinical"]


def map_clinical(request: Any, out: FormBuilder) -> None:
    t = tables()
    _procedures(request, out, t)
    _medications(request, out, t)
    for i, allergy in request.resources("AllergyIntolerance"):
        known = _rxnorm_therapy(allergy.code, t)
        if allergy.type == "intolerance" and known:
            out.append("therapy_history", {"therapy": known[0], "category": known[1], "outcome": "intolerant"},
                       f"Bundle.entry[{i}].resource")
    for i, obs in request.resources("Observation"):
        codes = {coding_key(c) for c in (obs.code.coding or [])}
        value = obs.valueQuantity.value if obs.valueQuantity is not None else obs.valueInteger
        if codes & set(t["pain_score_codes"]) and value is not None:
            score: dict[str, Any] = {"score": value}
            when = as_date(obs.effectiveDateTime)
            if when:
                score["date"] = when
            out.append("pain_scores", score, f"Bundle.entry[{i}].resource")
    for i, doc in request.resources("DocumentReference"):
        codes = [coding_key(c) for c in (doc.type.coding or [])] if doc.type else []
        fields = [t["document_fields"][c] for c in codes if c in t["document_fields"]]
        titles = [c.attachment.title for c in doc.content or [] if c.attachment and c.attachment.title]
        name = titles[0] if titles else next((c.display for c in (doc.type.coding or []) if c.display), None) \
            if doc.type else None
        if name:
            out.append("evidence", {"field": fields[0], "document": name} if fields else {"document": name},
                       f"Bundle.entry[{i}].resource")
    map_questionnaires(request, out)


def _procedures(request: Any, out: FormBuilder, t: dict[str, Any]) -> None:
    roles = {code: role for role, spec in t["procedures"].items() for code in spec["codes"]}
    for i, proc in request.resources("Procedure"):
        where = f"Bundle.entry[{i}].resource"
        if proc.status not in ("completed", "in-progress"):
            continue
        codings = proc.code.coding or [] if proc.code else []
        when = as_date(proc.performedDateTime) or as_date(proc.performedPeriod.start if proc.performedPeriod else None)
        role = next((roles[c.code] for c in codings if c.code in roles), None)
        if role == "implant":
            out.set("pump.implanted", True, where)
            out.set("pump.implant_date", when, f"{where}.performedDateTime")
            for n, focal in enumerate(proc.focalDevice or []):
                _j, device = request.resolve(focal.manipulated)
                names = [d.name for d in (getattr(device, "deviceName", None) or []) if d.name]
                if names:
                    out.set("pump.device", names[0], f"{where}.focalDevice[{n}].manipulated")
        elif role == "trial":
            out.set("intrathecal_trial.date", when, f"{where}.performedDateTime")
        elif role == "psychological_evaluation":
            out.set("psychological_evaluation.date", when, f"{where}.performedDateTime")
        else:
            therapy = next((t["procedure_therapy"][coding_key(c)] for c in codings
                            if coding_key(c) in t["procedure_therapy"]), None)
            if therapy is None:
                continue
            entry: dict[str, Any] = {"therapy": therapy[0], "category": therapy[1]}
            outcome = next((t["procedure_outcome"].get(coding_key(c)) for c in
                            (proc.outcome.coding or [] if proc.outcome else [])), None)
            if outcome:
                entry["outcome"] = outcome
            period = proc.performedPeriod
            start, end = (as_date(period.start), as_date(period.end)) if period is not None else (None, None)
            if start:
                entry["start_date"] = start
            if end:
                entry["end_date"] = end
            if start and end:
                days = (date.fromisoformat(end) - date.fromisoformat(start)).days
                if days > 0:
                    entry["duration_weeks"] = round(days / 7, 1)
            out.append("therapy_history", entry, where)


def _rxnorm_therapy(concept: Any, t: dict[str, Any]) -> list[str] | None:
    for coding in (concept.coding or []) if concept else []:
        if coding.system == t["rxnorm_system"] and coding.code in t["rxnorm_therapy"]:
            return t["rxnorm_therapy"][coding.code]
    return None


def _unclassified(concept: Any) -> list[str] | None:
    """A stopped medication the tables cannot classify: its name as sent, category ``other``."""
    names = [concept.text] if concept is not None and concept.text else \
        [c.display for c in (concept.coding or []) if c.display] if concept is not None else []
    return [names[0][:200], "other"] if names else None


def _medication(request: Any, med_request: Any) -> tuple[Any, Any]:
    """(the medication concept, the Medication resource or None)."""
    if med_request.medicationCodeableConcept is not None:
        return med_request.medicationCodeableConcept, None
    _i, medication = request.resolve(med_request.medicationReference)
    return (medication.code if medication is not None else None), medication


def _medications(request: Any, out: FormBuilder, t: dict[str, Any]) -> None:
    intrathecal = set(t["intrathecal_route"])
    for i, med in request.resources("MedicationRequest"):
        where = f"Bundle.entry[{i}].resource"
        concept, medication = _medication(request, med)
        routes = {coding_key(c) for d in med.dosageInstruction or [] if d.route for c in d.route.coding or []}
        if routes & intrathecal and med.status in ("active", "draft", "on-hold"):
            out.append("regimen", _regimen(concept, medication, med, t), where)
        elif med.status in t["medication_status_outcome"]:
            known = _rxnorm_therapy(concept, t) or _unclassified(concept)
            if known:
                out.append("therapy_history", {"therapy": known[0], "category": known[1],
                                               "outcome": t["medication_status_outcome"][med.status]}, where)


def _regimen(concept: Any, medication: Any, med: Any, t: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for coding in (concept.coding or []) if concept else []:
        if coding.system == t["rxnorm_system"] and coding.code in t["rxnorm_drugs"]:
            entry["drug"] = t["rxnorm_drugs"][coding.code]
            break
    for ingredient in (getattr(medication, "ingredient", None) or [])[:1]:
        strength = ingredient.strength
        if strength and strength.numerator and strength.denominator and strength.numerator.value is not None:
            unit = f"{strength.numerator.code}/{strength.denominator.code}"
            scale = t["ucum_concentration"].get(unit)
            if scale and strength.denominator.value == 1:
                entry[f"concentration_{scale}_per_ml"] = strength.numerator.value
    for dosage in med.dosageInstruction or []:
        for dose_rate in dosage.doseAndRate or []:
            quantity = dose_rate.doseQuantity
            repeat = dosage.timing.repeat if dosage.timing else None
            daily = repeat is not None and repeat.frequency == 1 and repeat.period == 1 and repeat.periodUnit == "d"
            if quantity is not None and quantity.value is not None and daily:
                scale = t["ucum_dose"].get(quantity.code or "")
                if scale:
                    entry[f"daily_dose_{scale}"] = quantity.value
    return entry
