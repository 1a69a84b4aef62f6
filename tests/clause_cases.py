"""Reviewer-style case forms shared by the clause tests of BCBSA 7.01.41, Anthem CG-SURG-79 and Aetna CPB 0161
(issue 17): each varies one bundled case the way a payer's reviewer would write it from the policy's text."""

from __future__ import annotations

import copy
import json

from reasoner.knowledge.paths import data_root

NONE_PRESENT = {"active_infection": False, "injection_site_infection": False, "coagulopathy": False,
                "drug_allergy": False, "other_programmable_implant": False, "insufficient_body_size": False,
                "spinal_canal_obstruction": False, "psychosis_history": False}


def bundled(name: str, case_id: str, **changes) -> dict:
    form = json.loads((data_root("cases") / f"{name}.json").read_text(encoding="utf-8"))
    form = copy.deepcopy(form)
    form["id"] = case_id
    form.update(changes)
    return form


def dx(*codes: str) -> list[dict]:
    return [{"code": code, "system": "ICD-10-CM"} for code in codes]


def baclofen_implant(case_id: str, *codes: str, **changes) -> dict:
    """The bundled baclofen implant (MS, oral baclofen failed for 26 weeks) with other diagnoses."""
    form = bundled("010-baclofen-trial-spasticity", case_id, **changes)
    if codes:
        form["diagnoses"] = dx(*codes)
    return form


def baclofen_refill(case_id: str, *codes: str) -> dict:
    """A refill of a working baclofen pump: the pump, the regimen, the benefit, the findings."""
    return {
        "id": case_id, "patient": {"age": 58, "sex": "male"}, "diagnoses": dx(*codes),
        "requested": [{"code": "J0475", "system": "HCPCS", "units": 4}, {"code": "62370", "system": "CPT", "units": 1}],
        "pump": {"implanted": True, "implant_date": "2021-05-04", "device": "SynchroMed II"},
        "regimen": [{"drug": "baclofen", "concentration_mcg_per_ml": 500, "daily_dose_mcg": 300}],
        "response": {"effective": True, "functional_improvement": True},
        "intrathecal_trial": {"date": "2021-03-01", "method": "single-bolus", "agent": "baclofen", "dose_mcg": 50,
                              "response": "positive"},
        "monitoring_plan": True,
        "findings": dict(NONE_PRESENT),
    }


def cancer_implant(case_id: str, **changes) -> dict:
    """The bundled initial cancer-pain implant (epidural morphine trial, 70% relief), planned epidural."""
    form = bundled("013-cancer-pain-initial", case_id, planned_route="epidural")
    form["findings"] = dict(NONE_PRESENT)
    form.update(changes)
    return form


def excluded_pump(case_id: str, drug: str | None, *codes: str) -> dict:
    """A programmable implanted pump requested for a drug given into a vessel or tissue."""
    form = {"id": case_id, "patient": {"age": 63, "sex": "female"}, "diagnoses": dx(*codes),
            "requested": [{"code": "E0783", "system": "HCPCS", "units": 1}], "findings": dict(NONE_PRESENT)}
    if drug:
        form["regimen"] = [{"drug": drug, "daily_dose_mg": 20}]
    return form


def unmet(det: dict, local: str) -> dict:
    """The unmet criterion of a determination whose IRI ends in ``#local`` (the test fails if none)."""
    found = [u for u in det["unmet_criteria"] if u["criterion"].endswith("#" + local)]
    assert found, [u["criterion"] for u in det["unmet_criteria"]]
    return found[0]


def missing(det: dict) -> set[str]:
    """The local names of the criteria the missing-documentation list names."""
    return {m["criterion"].rsplit("#", 1)[-1] for m in det["missing_documentation"]}
