"""DTR QuestionnaireResponse answers as case-form fields, through the link-id tables of the mapping.

A questionnaire is known by its canonical URL (the version after ``|`` is ignored); each link id it
uses maps to a form path. An item without an answer is "not documented"; ``valueBoolean: false`` is
"documented absent". Answers only fill fields the structured resources left open.
"""

from __future__ import annotations

from typing import Any

from .formbuilder import FormBuilder, as_date
from .mapping import tables

__all__ = ["map_questionnaires"]

_STEP = "intrathecal_trial.dose_steps[]"


def map_questionnaires(request: Any, out: FormBuilder) -> None:
    t = tables()
    regimen: dict[str, Any] = {}
    regimen_origin = None
    for i, qr in request.resources("QuestionnaireResponse"):
        url = (qr.questionnaire or "").split("|", 1)[0]
        table = t["questionnaire_items"].get(t["questionnaires"].get(url, ""), None)
        if table is None:
            continue
        for path, value, origin in _answers(qr.item or [], table, f"Bundle.entry[{i}].resource"):
            if path == _STEP:
                out.form.setdefault("intrathecal_trial", {}).setdefault("dose_steps", []).append(value)
                out.origins.setdefault("intrathecal_trial.dose_steps", origin)
            elif path.startswith("regimen."):
                regimen.update(_regimen_value(path[len("regimen."):], value))
                regimen_origin = regimen_origin or origin
            else:
                out.set(path, value, origin)
    if regimen and "regimen" not in out.form:
        out.append("regimen", regimen, regimen_origin or "Bundle")
    elif "compounded" in regimen:
        # a MedicationRequest gave the regimen; the questionnaire still says whether its drug is compounded
        for entry in out.form["regimen"]:
            if regimen.get("drug") in (None, entry.get("drug")):
                entry.setdefault("compounded", regimen["compounded"])


def _answers(items: list[Any], table: dict[str, str], where: str):
    for n, item in enumerate(items):
        here = f"{where}.item[{n}]"
        target = table.get(item.linkId)
        if target == _STEP:
            step = {}
            for child in item.item or []:
                key = table.get(child.linkId)
                value = _value(child.answer[0], key) if key and child.answer else None
                if value is not None:
                    step[key] = value
            if step:
                yield target, step, here
            continue
        if target and item.answer:
            value = _value(item.answer[0], target)
            if value is not None:
                yield target, value, f"{here}.answer[0]"
        yield from _answers(item.item or [], table, here)


def _value(answer: Any, target: str) -> Any:
    for name in ("valueBoolean", "valueDecimal", "valueInteger", "valueString"):
        value = getattr(answer, name, None)
        if value is not None:
            return value
    for name in ("valueDate", "valueDateTime"):
        value = getattr(answer, name, None)
        if value is not None:
            return as_date(value)
    if answer.valueCoding is not None:
        coding = answer.valueCoding
        if coding.system == tables()["rxnorm_system"]:
            return tables()["rxnorm_drugs"].get(coding.code)
        return coding.code
    if answer.valueQuantity is not None:
        return (answer.valueQuantity.value, answer.valueQuantity.code or answer.valueQuantity.unit)
    return None


def _regimen_value(key: str, value: Any) -> dict[str, Any]:
    t = tables()
    if key == "drug":
        return {"drug": value} if isinstance(value, str) else {}
    if key == "compounded":
        return {"compounded": value} if isinstance(value, bool) else {}
    if isinstance(value, tuple):
        number, unit = value
        if key == "concentration":
            scale = t["ucum_concentration"].get(unit or "")
            return {f"concentration_{scale}_per_ml": number} if scale else {}
        if key == "daily_dose":
            scale = t["ucum_dose"].get(unit or "")
            return {f"daily_dose_{scale}": number} if scale else {}
    return {}
