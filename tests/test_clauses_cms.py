"""Medicare NCD 280.14 with its LCD and articles A55239 and A54100, clause by clause, as a Medicare
reviewer would try it (issue 17).

Each case is a complete request that meets the NCD, changed in the one fact a clause is about; every case
is decided on the fast path and on the pyshacl reference, which must agree (``BothPaths``). Both versions
of the policy (2019-11 with LCD L35112, 2024-03 with L33461) share these criteria.
"""

from __future__ import annotations

import copy
import json

import pytest

from reasoner.determination import Determination
from reasoner.loading import load_case
from reasoner.knowledge.vocabulary import CriterionState
from test_clinical_rules import BothPaths

POLICY = "cms-ncd-280.14"
NONE_PRESENT = {"active_infection": False, "injection_site_infection": False, "coagulopathy": False,
                "drug_allergy": False, "other_programmable_implant": False, "insufficient_body_size": False}

OPIOID = {
    "id": "cms-op", "policy": POLICY, "patient": {"age": 67, "sex": "female"},
    "diagnoses": [{"code": "G89.4", "system": "ICD-10-CM"}, {"code": "M96.1", "system": "ICD-10-CM"}],
    "requested": [{"code": "62362", "system": "CPT", "dates_of_service": ["2025-02-03"]}],
    "regimen": [{"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 2}],
    "therapy_history": [
        {"therapy": "oxycodone", "category": "systemic-opioid", "outcome": "failed"},
        {"therapy": "physical therapy", "category": "physical-therapy", "outcome": "failed", "duration_weeks": 12},
    ],
    "intrathecal_trial": {"date": "2025-01-10", "method": "temporary-intrathecal-catheter", "agent": "morphine",
                          "pain_reduction_percent": 60, "side_effects_acceptable": True, "patient_acceptance": True},
    "specialist_evaluation": {"specialty": "neurosurgery", "date": "2024-12-01", "other_treatments_failed": True},
    "life_expectancy_months": 120,
    "findings": NONE_PRESENT,
}

ZICONOTIDE = {
    **OPIOID, "id": "cms-zic",
    "regimen": [{"drug": "ziconotide", "concentration_mcg_per_ml": 100, "daily_dose_mcg": 2.4}],
    "intrathecal_trial": {**OPIOID["intrathecal_trial"], "agent": "ziconotide"},
    "findings": {**NONE_PRESENT, "psychosis_history": False},
}

BACLOFEN = {
    "id": "cms-bac", "policy": POLICY, "patient": {"age": 47, "sex": "male"},
    "diagnoses": [{"code": "G82.21", "system": "ICD-10-CM"}],
    "requested": [{"code": "62362", "system": "CPT"}],
    "regimen": [{"drug": "baclofen", "concentration_mcg_per_ml": 500, "daily_dose_mcg": 200}],
    "therapy_history": [{"therapy": "oral baclofen", "category": "oral-antispasmodic", "outcome": "failed",
                         "start_date": "2024-01-02", "end_date": "2024-02-20"}],
    "intrathecal_trial": {"date": "2024-04-04", "method": "single-bolus", "agent": "baclofen", "dose_mcg": 50,
                          "response": "positive", "ashworth_reduction": 2, "side_effects_acceptable": True},
    "findings": {**NONE_PRESENT, "spinal_canal_obstruction": False},
}


@pytest.fixture(scope="module")
def engine() -> BothPaths:
    return BothPaths()


def decide(engine: BothPaths, base: dict, *, drop: tuple[str, ...] = (), version: str | None = None,
           **changes) -> Determination:
    form = copy.deepcopy(base)
    form.update(changes)
    for dotted in drop:
        node = form
        *parents, last = dotted.split(".")
        for key in parents:
            node = node[key]
        del node[last]
    return engine.decide(load_case(json.dumps(form)), **({"version": version} if version else {}))


def names(det: Determination, state: CriterionState) -> set[str]:
    return {a.name for a in det.assessments(state)}


def trial(**fields) -> dict:
    return {**OPIOID["intrathecal_trial"], **fields}


@pytest.mark.parametrize("version", ["2019-11", "2024-03"])
@pytest.mark.parametrize("base", [OPIOID, ZICONOTIDE, BACLOFEN], ids=["opioid", "ziconotide", "baclofen"])
def test_a_complete_request_meets_the_ncd_in_both_versions(engine: BothPaths, base: dict, version: str) -> None:
    det = decide(engine, base, version=version)
    assert det.outcome == "meets-criteria", [m.name for m in det.missing_documentation]


# ---------------------------------------------------------------- the preliminary trial: absence never passes

@pytest.mark.parametrize(("drop", "changes", "outcome"), [
    (("intrathecal_trial.method",), {}, "insufficient-documentation"),
    ((), {"intrathecal_trial": trial(method="single-bolus")}, "does-not-meet"),
    (("intrathecal_trial.side_effects_acceptable",), {}, "insufficient-documentation"),
    ((), {"intrathecal_trial": trial(side_effects_acceptable=False)}, "does-not-meet"),
    (("intrathecal_trial.patient_acceptance",), {}, "insufficient-documentation"),
    ((), {"intrathecal_trial": trial(patient_acceptance=False)}, "does-not-meet"),
    (("intrathecal_trial.pain_reduction_percent",), {}, "insufficient-documentation"),
    ((), {"intrathecal_trial": trial(pain_reduction_percent=0)}, "does-not-meet"),
    ((), {"intrathecal_trial": trial(pain_reduction_percent=50)}, "meets-criteria"),
    (("intrathecal_trial",), {}, "insufficient-documentation"),
])
def test_trial(engine: BothPaths, drop: tuple, changes: dict, outcome: str) -> None:
    assert decide(engine, OPIOID, drop=drop, **changes).outcome == outcome


def test_small_relief_pends_for_a_reviewer_and_is_never_denied(engine: BothPaths) -> None:
    det = decide(engine, OPIOID, intrathecal_trial=trial(pain_reduction_percent=5))
    assert det.outcome == "insufficient-documentation"
    assert any("sets no number" in w.message for w in det.warnings)


def test_a_trial_with_no_method_5_percent_relief_and_a_failed_massage_does_not_meet_the_ncd(engine: BothPaths) -> None:
    det = decide(engine, OPIOID, drop=("intrathecal_trial.method", "intrathecal_trial.side_effects_acceptable"),
                 intrathecal_trial=trial(pain_reduction_percent=5),
                 therapy_history=[{"therapy": "massage", "category": "massage", "outcome": "failed"}])
    assert det.outcome == "insufficient-documentation"
    undocumented = names(det, CriterionState.CriterionNotDocumented)
    assert {"temporary catheter trial with acceptable relief", "physical and behavioural factors addressed",
            "oral or subcutaneous treatment ineffective or poorly tolerated"} <= undocumented


# ---------------------------------------------------------------- life expectancy: the opioid pump, not ziconotide

@pytest.mark.parametrize(("base", "changes", "drop", "outcome"), [
    (OPIOID, {}, ("life_expectancy_months",), "insufficient-documentation"),
    (OPIOID, {"life_expectancy_months": 2}, (), "does-not-meet"),
    (OPIOID, {"life_expectancy_months": 3}, (), "meets-criteria"),
    (ZICONOTIDE, {}, ("life_expectancy_months",), "meets-criteria"),
    (ZICONOTIDE, {"life_expectancy_months": 2}, (), "meets-criteria"),
], ids=["opioid-undocumented", "opioid-2-months", "opioid-3-months", "ziconotide-undocumented", "ziconotide-2-months"])
def test_life_expectancy_holds_for_opioid_pumps_only(engine: BothPaths, base: dict, changes: dict, drop: tuple,
                                                     outcome: str) -> None:
    assert decide(engine, base, drop=drop, **changes).outcome == outcome


def test_an_admixture_with_an_opioid_is_an_opioid_pump(engine: BothPaths) -> None:
    regimen = ZICONOTIDE["regimen"] + [{"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 1}]
    det = decide(engine, ZICONOTIDE, regimen=regimen, life_expectancy_months=2)
    assert "life expectancy of at least 3 months for an opioid pump" in names(det, CriterionState.CriterionNotMet)


# ---------------------------------------------------------------- noninvasive methods, physical and behavioural factors, A55239

def test_physical_and_behavioural_factors_are_asked_for(engine: BothPaths) -> None:
    history = [{"therapy": "oxycodone", "category": "systemic-opioid", "outcome": "failed"}]
    det = decide(engine, OPIOID, therapy_history=history)
    assert det.outcome == "insufficient-documentation"
    assert "physical and behavioural factors addressed" in names(det, CriterionState.CriterionNotDocumented)
    behavioural = history + [{"therapy": "CBT", "category": "behavioral-therapy", "outcome": "ongoing"}]
    assert decide(engine, OPIOID, therapy_history=behavioural).outcome == "meets-criteria"


def test_terminal_malignancy_needs_less_behavioural_emphasis(engine: BothPaths) -> None:
    history = [{"therapy": "oral morphine", "category": "systemic-opioid", "outcome": "intolerant"}]
    cancer = {"diagnoses": [{"code": "C25.9", "system": "ICD-10-CM"}, {"code": "G89.3", "system": "ICD-10-CM"}],
              "therapy_history": history, "life_expectancy_months": 5}
    det = decide(engine, OPIOID, cancer={"stage": "metastatic", "limited_survival": True}, **cancer)
    assert det.outcome == "meets-criteria", [m.name for m in det.missing_documentation]
    assert any("terminal malignancy" in w.message for w in det.warnings)
    assert decide(engine, OPIOID, **cancer).outcome == "insufficient-documentation"  # survival not stated limited


def test_oral_or_subcutaneous_treatment_must_have_failed(engine: BothPaths) -> None:
    history = [{"therapy": "physical therapy", "category": "physical-therapy", "outcome": "failed"},
               {"therapy": "epidural steroid injections", "category": "injection", "outcome": "failed"}]
    det = decide(engine, OPIOID, therapy_history=history)
    assert "oral or subcutaneous treatment ineffective or poorly tolerated" in \
        names(det, CriterionState.CriterionNotDocumented)


@pytest.mark.parametrize(("changes", "drop", "outcome"), [
    ({}, ("specialist_evaluation",), "insufficient-documentation"),
    ({"specialist_evaluation": {"specialty": "oncology", "other_treatments_failed": False}}, (), "does-not-meet"),
    ({"specialist_evaluation": {"specialty": "other", "other_treatments_failed": True}}, (), "meets-criteria"),
])
def test_specialist_evaluation(engine: BothPaths, changes: dict, drop: tuple, outcome: str) -> None:
    assert decide(engine, OPIOID, drop=drop, **changes).outcome == outcome


# ---------------------------------------------------------------- spasticity: the NCD's own six-week rule

def test_six_weeks_of_failed_spasm_control_by_dates(engine: BothPaths) -> None:
    short = [{**BACLOFEN["therapy_history"][0], "end_date": "2024-02-01"}]
    det = decide(engine, BACLOFEN, therapy_history=short)
    assert "at least 6 weeks of noninvasive spasm control failed" in names(det, CriterionState.CriterionNotDocumented)
    ongoing = [{**BACLOFEN["therapy_history"][0], "outcome": "ongoing"}]
    assert decide(engine, BACLOFEN, therapy_history=ongoing).outcome == "insufficient-documentation"


def test_the_spasm_control_rule_cites_the_ncd(engine: BothPaths) -> None:
    det = decide(engine, BACLOFEN, therapy_history=[])
    missing = [m for m in det.missing_documentation if m.name == "at least 6 weeks of noninvasive spasm control failed"]
    assert missing and all(c.source_id == "CMS-NCD-280.14" for c in missing[0].citations)


# ---------------------------------------------------------------- A54100: compounded preparations (advisory)

def test_a_compounded_preparation_billed_with_its_specific_code_is_an_advisory(engine: BothPaths) -> None:
    requested = OPIOID["requested"] + [{"code": "J2274", "system": "HCPCS", "units": 6, "modifiers": ["KD"]}]
    regimen = [{**OPIOID["regimen"][0], "compounded": True}]
    det = decide(engine, OPIOID, requested=requested, regimen=regimen)
    assert det.outcome == "meets-criteria"
    assert any("compounded preparation" in a.message for a in det.advisories)
    manufactured = [{**OPIOID["regimen"][0], "compounded": False}]
    det = decide(engine, OPIOID, requested=requested, regimen=manufactured)
    assert not any("compounded preparation" in a.message for a in det.advisories)
