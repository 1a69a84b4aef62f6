"""eviCore CMM-210, clause by clause, as a payer's reviewer would try it (issue 17).

Each case is a complete request that meets the guideline, changed in the one fact a clause is about;
every case is decided on the compiled fast path and on the pyshacl reference (``BothPaths``), which
must agree. Absence never passes: each fact a clause needs, left out, pends the line.
"""

from __future__ import annotations

import copy
import json

import pytest

from reasoner.determination import Determination
from reasoner.loading import load_case
from reasoner.knowledge.vocabulary import CriterionState
from test_clinical_rules import BothPaths

POLICY = "evicore-cmm-210"
NONE_PRESENT = {"active_infection": False, "injection_site_infection": False, "coagulopathy": False,
                "drug_allergy": False, "other_programmable_implant": False, "insufficient_body_size": False,
                "uncontrolled_psychiatric_disorder": False}

NON_MALIGNANT = {
    "id": "ev-nm", "policy": POLICY, "patient": {"age": 58, "sex": "female"},
    "diagnoses": [{"code": "G89.4", "system": "ICD-10-CM"}, {"code": "M96.1", "system": "ICD-10-CM"}],
    "requested": [{"code": "62362", "system": "CPT", "dates_of_service": ["2025-03-03"]}],
    "regimen": [{"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 2}],
    "therapy_history": [
        {"therapy": "physical therapy", "category": "physical-therapy", "outcome": "failed",
         "start_date": "2024-03-01", "end_date": "2024-06-01"},
        {"therapy": "oxycodone", "category": "systemic-opioid", "outcome": "failed",
         "start_date": "2024-05-01", "end_date": "2024-11-15"},
    ],
    "intrathecal_trial": {"date": "2025-01-10", "method": "single-bolus", "agent": "morphine", "dose_mg": 0.2,
                          "pain_reduction_percent": 60, "relief_hours": 12, "functional_improvement": True,
                          "side_effects_acceptable": True},
    "opioid_reduction_agreed": True, "opioid_reduction_percent": 50,
    "findings": NONE_PRESENT,
}

CANCER = {
    "id": "ev-ca", "policy": POLICY, "patient": {"age": 66, "sex": "male"},
    "diagnoses": [{"code": "C34.90", "system": "ICD-10-CM"}, {"code": "G89.3", "system": "ICD-10-CM"}],
    "requested": [{"code": "62362", "system": "CPT"}],
    "regimen": [{"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 2}],
    "therapy_history": [{"therapy": "oral morphine", "category": "systemic-opioid", "outcome": "intolerant"}],
    "findings": NONE_PRESENT,
}

BACLOFEN = {
    "id": "ev-bac", "policy": POLICY, "patient": {"age": 47, "sex": "male"},
    "diagnoses": [{"code": "G82.21", "system": "ICD-10-CM"}],
    "requested": [{"code": "62362", "system": "CPT"}],
    "regimen": [{"drug": "baclofen", "concentration_mcg_per_ml": 500, "daily_dose_mcg": 200}],
    "therapy_history": [
        {"therapy": "oral baclofen", "category": "oral-antispasmodic", "outcome": "failed",
         "start_date": "2024-01-02", "end_date": "2024-02-20"},
        {"therapy": "physical therapy", "category": "physical-therapy", "outcome": "failed", "duration_weeks": 12},
    ],
    "intrathecal_trial": {"date": "2024-04-04", "method": "single-bolus", "agent": "baclofen", "dose_mcg": 50,
                          "response": "positive", "ashworth_reduction": 2, "response_hours": 6,
                          "side_effects_acceptable": True},
    "findings": {**NONE_PRESENT, "spinal_canal_obstruction": False},
}

REPLACEMENT = {
    "id": "ev-rep", "policy": POLICY, "patient": {"age": 61},
    "diagnoses": [{"code": "G89.4", "system": "ICD-10-CM"}],
    "requested": [{"code": "62362", "system": "CPT"}],
    "pump": {"implanted": True, "implant_date": "2017-05-02", "device": "SynchroMed II",
             "replacement_reason": "battery-end-of-life", "abuse_or_neglect": False},
    "regimen": [{"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 3}],
    "response": {"pain_reduction_percent": 60},
    "findings": NONE_PRESENT,
}


@pytest.fixture(scope="module")
def engine() -> BothPaths:
    return BothPaths()


def decide(engine: BothPaths, base: dict, *, drop: tuple[str, ...] = (), **changes) -> Determination:
    """The base case with top-level fields replaced and dotted fields (``a.b``) removed."""
    form = copy.deepcopy(base)
    form.update(changes)
    for dotted in drop:
        node = form
        *parents, last = dotted.split(".")
        for key in parents:
            node = node[key]
        del node[last]
    return engine.decide(load_case(json.dumps(form)))


def names(det: Determination, state: CriterionState) -> set[str]:
    return {a.name for a in det.assessments(state)}


def trial(base: dict, **fields) -> dict:
    return {**base["intrathecal_trial"], **fields}


# ---------------------------------------------------------------- the complete requests meet the guideline

@pytest.mark.parametrize("base", [NON_MALIGNANT, BACLOFEN, REPLACEMENT], ids=["non-malignant", "baclofen", "replacement"])
def test_a_complete_request_meets_the_guideline(engine: BothPaths, base: dict) -> None:
    det = decide(engine, base)
    assert det.outcome == "meets-criteria", [m.name for m in det.missing_documentation]


# ---------------------------------------------------------------- six months of noninvasive care: a span of the calendar

def test_six_months_is_a_calendar_span_not_a_sum_of_concurrent_weeks(engine: BothPaths) -> None:
    concurrent = [
        {"therapy": "physical therapy", "category": "physical-therapy", "outcome": "failed",
         "start_date": "2024-09-01", "end_date": "2024-12-01"},
        {"therapy": "oxycodone", "category": "systemic-opioid", "outcome": "failed",
         "start_date": "2024-09-01", "end_date": "2024-12-01"},
        {"therapy": "gabapentin", "category": "anticonvulsant", "outcome": "failed",
         "start_date": "2024-09-01", "end_date": "2024-12-01"},
    ]  # 39 weeks when added up, three months of the calendar
    det = decide(engine, NON_MALIGNANT, therapy_history=concurrent)
    assert det.outcome == "insufficient-documentation"
    assert "six months of noninvasive care for non-malignant pain" in names(det, CriterionState.CriterionNotDocumented)


def test_successive_treatments_spanning_six_months_meet(engine: BothPaths) -> None:
    det = decide(engine, NON_MALIGNANT)  # 1 March to 15 November 2024, overlapping treatments
    assert "six months of noninvasive care for non-malignant pain" in names(det, CriterionState.CriterionMet)


def test_an_ongoing_treatment_lasts_to_the_date_of_service(engine: BothPaths) -> None:
    ongoing = [{"therapy": "duloxetine", "category": "antidepressant", "outcome": "ongoing", "start_date": "2024-08-01"}]
    assert decide(engine, NON_MALIGNANT, therapy_history=ongoing).outcome == "meets-criteria"  # to 3 March 2025
    late = [{"therapy": "duloxetine", "category": "antidepressant", "outcome": "ongoing", "start_date": "2024-10-01"}]
    assert decide(engine, NON_MALIGNANT, therapy_history=late).outcome == "insufficient-documentation"


def test_undated_durations_that_only_add_up_pend_with_a_warning(engine: BothPaths) -> None:
    undated = [{"therapy": "physical therapy", "category": "physical-therapy", "duration_weeks": 14, "outcome": "failed"},
               {"therapy": "oxycodone", "category": "systemic-opioid", "duration_weeks": 14, "outcome": "failed"}]
    det = decide(engine, NON_MALIGNANT, therapy_history=undated)
    assert det.outcome == "insufficient-documentation"
    assert any("side by side" in w.message for w in det.warnings)
    one_long = [{"therapy": "physical therapy", "category": "physical-therapy", "duration_weeks": 26, "outcome": "failed"}]
    assert decide(engine, NON_MALIGNANT, therapy_history=one_long).outcome == "meets-criteria"


# ---------------------------------------------------------------- behavioural health, opioid reduction

def test_behavioural_health_attestation(engine: BothPaths) -> None:
    assert decide(engine, NON_MALIGNANT, findings={**NONE_PRESENT, "uncontrolled_psychiatric_disorder": True}
                  ).outcome == "does-not-meet"
    det = decide(engine, NON_MALIGNANT, drop=("findings.uncontrolled_psychiatric_disorder",))
    assert "behavioral-health attestation" in names(det, CriterionState.CriterionNotDocumented)


@pytest.mark.parametrize(("changes", "drop", "outcome"), [
    ({}, ("opioid_reduction_agreed", "opioid_reduction_percent"), "insufficient-documentation"),
    ({}, ("opioid_reduction_percent",), "insufficient-documentation"),
    ({"opioid_reduction_agreed": False}, (), "does-not-meet"),
    ({"opioid_reduction_percent": 25}, (), "does-not-meet"),
    ({"opioid_reduction_percent": 75}, (), "meets-criteria"),
])
def test_opioid_reduction_agreement(engine: BothPaths, changes: dict, drop: tuple, outcome: str) -> None:
    det = decide(engine, NON_MALIGNANT, drop=drop, **changes)
    assert det.outcome == outcome


def test_no_opioid_agreement_for_a_ziconotide_pump(engine: BothPaths) -> None:
    form = copy.deepcopy(NON_MALIGNANT)
    form["regimen"] = [{"drug": "ziconotide", "concentration_mcg_per_ml": 100, "daily_dose_mcg": 2.4}]
    form["intrathecal_trial"]["agent"] = "ziconotide"
    form["intrathecal_trial"].pop("dose_mg")
    form["findings"] = {**NONE_PRESENT, "psychosis_history": False}
    det = decide(engine, form, drop=("opioid_reduction_agreed", "opioid_reduction_percent"))
    assert det.outcome == "meets-criteria", [m.name for m in det.missing_documentation]


def test_the_trial_request_itself_needs_the_agreement_and_the_six_months(engine: BothPaths) -> None:
    form = copy.deepcopy(NON_MALIGNANT)
    form["requested"] = [{"code": "62322", "system": "CPT"}]
    det = decide(engine, form, drop=("opioid_reduction_agreed", "intrathecal_trial"), therapy_history=[])
    missing = {m.name for m in det.missing_documentation}
    assert {"agreement to halve systemic opioids", "six months of noninvasive care for non-malignant pain"} <= missing


# ---------------------------------------------------------------- the pain trial

@pytest.mark.parametrize(("fields", "outcome"), [
    ({"pain_reduction_percent": 51}, "meets-criteria"),
    ({"pain_reduction_percent": 49}, "does-not-meet"),
    ({"relief_hours": 8}, "meets-criteria"),
    ({"relief_hours": 6}, "does-not-meet"),
    ({"functional_improvement": False}, "does-not-meet"),
])
def test_trial_success_boundaries(engine: BothPaths, fields: dict, outcome: str) -> None:
    assert decide(engine, NON_MALIGNANT, intrathecal_trial=trial(NON_MALIGNANT, **fields)).outcome == outcome


def test_exactly_fifty_percent_pends_for_a_reviewer_and_is_never_denied(engine: BothPaths) -> None:
    det = decide(engine, NON_MALIGNANT, intrathecal_trial=trial(NON_MALIGNANT, pain_reduction_percent=50))
    assert det.outcome == "insufficient-documentation"
    assert any("copies of the guideline disagree" in m for a in det.assessments(CriterionState.CriterionNotDocumented)
               for m in a.messages)
    assert any("For the reviewer" in w.message for w in det.warnings)


@pytest.mark.parametrize("field", ["pain_reduction_percent", "relief_hours", "functional_improvement"])
def test_each_trial_result_left_out_pends(engine: BothPaths, field: str) -> None:
    det = decide(engine, NON_MALIGNANT, drop=(f"intrathecal_trial.{field}",))
    assert det.outcome == "insufficient-documentation"
    assert "trial relief over 50% lasting 8 hours with better function" in names(det, CriterionState.CriterionNotDocumented)


def test_no_trial_pends_for_non_malignant_pain(engine: BothPaths) -> None:
    assert decide(engine, NON_MALIGNANT, drop=("intrathecal_trial",)).outcome == "insufficient-documentation"


# ---------------------------------------------------------------- cancer pain: the trial and its waiver

WAIVER = "cancer pain: a trial, or advanced cancer with limited survival, or high procedural risk"


def test_a_cancer_code_alone_does_not_skip_the_trial(engine: BothPaths) -> None:
    det = decide(engine, CANCER)
    assert det.outcome == "insufficient-documentation"
    assert WAIVER in names(det, CriterionState.CriterionNotDocumented)


@pytest.mark.parametrize("changes", [
    {"cancer": {"stage": "metastatic", "limited_survival": True}},
    {"cancer": {"stage": "advanced", "limited_survival": True}},
    {"high_procedural_risk": True},
], ids=["metastatic-limited-survival", "advanced-limited-survival", "high-procedural-risk"])
def test_the_waiver_skips_the_trial(engine: BothPaths, changes: dict) -> None:
    det = decide(engine, CANCER, **changes)
    assert det.outcome == "meets-criteria", [m.name for m in det.missing_documentation]


@pytest.mark.parametrize("changes", [
    {"cancer": {"stage": "metastatic"}},
    {"cancer": {"stage": "localized", "limited_survival": True}},
    {"cancer": {"stage": "metastatic", "limited_survival": False}},
    {"high_procedural_risk": False},
], ids=["no-survival-statement", "localized", "survival-not-limited", "no-high-risk"])
def test_without_the_whole_waiver_the_trial_is_asked_for(engine: BothPaths, changes: dict) -> None:
    assert decide(engine, CANCER, **changes).outcome == "insufficient-documentation"


def test_a_metastasis_code_documents_advanced_cancer(engine: BothPaths) -> None:
    diagnoses = CANCER["diagnoses"] + [{"code": "C79.51", "system": "ICD-10-CM"}]
    assert decide(engine, CANCER, diagnoses=diagnoses, cancer={"limited_survival": True}).outcome == "meets-criteria"
    assert decide(engine, CANCER, diagnoses=diagnoses).outcome == "insufficient-documentation"


def test_a_life_expectancy_without_a_limited_survival_statement_pends_with_a_warning(engine: BothPaths) -> None:
    det = decide(engine, CANCER, cancer={"stage": "metastatic"}, life_expectancy_months=4)
    assert det.outcome == "insufficient-documentation"
    assert any("limited survival" in w.message for w in det.warnings)


def test_a_failed_cancer_trial_is_checked(engine: BothPaths) -> None:
    failed = {"date": "2025-01-10", "method": "temporary-epidural-catheter", "agent": "morphine",
              "pain_reduction_percent": 20, "relief_hours": 12, "functional_improvement": True}
    det = decide(engine, CANCER, intrathecal_trial=failed, cancer={"stage": "metastatic", "limited_survival": True})
    assert det.outcome == "does-not-meet"
    passed = {**failed, "pain_reduction_percent": 70}
    assert decide(engine, CANCER, intrathecal_trial=passed).outcome == "meets-criteria"


# ---------------------------------------------------------------- spasticity

def test_six_weeks_of_oral_antispasmodics_by_dates(engine: BothPaths) -> None:
    short = copy.deepcopy(BACLOFEN["therapy_history"])
    short[0]["end_date"] = "2024-02-10"  # 39 days
    det = decide(engine, BACLOFEN, therapy_history=short)
    assert "six weeks of oral antispasmodics plus physical therapy" in names(det, CriterionState.CriterionNotDocumented)


def test_physical_therapy_is_needed_besides_the_oral_drug(engine: BothPaths) -> None:
    det = decide(engine, BACLOFEN, therapy_history=BACLOFEN["therapy_history"][:1])
    assert det.outcome == "insufficient-documentation"


def test_an_ongoing_oral_antispasmodic_counts_under_evicore(engine: BothPaths) -> None:
    """eviCore asks for six weeks of oral antispasmodics plus PT, not that they failed (the NCD's rule)."""
    history = copy.deepcopy(BACLOFEN["therapy_history"])
    history[0]["outcome"] = "ongoing"
    assert decide(engine, BACLOFEN, therapy_history=history).outcome == "meets-criteria"


@pytest.mark.parametrize(("fields", "drop", "outcome"), [
    ({"ashworth_reduction": 1}, (), "does-not-meet"),
    ({"ashworth_reduction": 1, "spasm_frequency_reduction": 2}, (), "meets-criteria"),
    ({"spasm_frequency_reduction": 3}, ("intrathecal_trial.ashworth_reduction",), "meets-criteria"),
    ({"spasm_frequency_reduction": 1}, ("intrathecal_trial.ashworth_reduction",), "does-not-meet"),
    ({}, ("intrathecal_trial.ashworth_reduction",), "insufficient-documentation"),
    ({"response_hours": 3}, (), "does-not-meet"),
    ({}, ("intrathecal_trial.response_hours",), "insufficient-documentation"),
])
def test_baclofen_trial_scores_and_duration(engine: BothPaths, fields: dict, drop: tuple, outcome: str) -> None:
    det = decide(engine, BACLOFEN, drop=drop, intrathecal_trial=trial(BACLOFEN, **fields))
    assert det.outcome == outcome


# ---------------------------------------------------------------- replacement

@pytest.mark.parametrize(("pump", "outcome"), [
    ({"abuse_or_neglect": True}, "does-not-meet"),
    ({"replacement_reason": "irreparable"}, "meets-criteria"),
    ({"replacement_reason": "upgrade"}, "does-not-meet"),
    ({"replacement_reason": "malfunction"}, "insufficient-documentation"),
])
def test_replacement(engine: BothPaths, pump: dict, outcome: str) -> None:
    assert decide(engine, REPLACEMENT, pump={**REPLACEMENT["pump"], **pump}).outcome == outcome


def test_replacement_without_the_abuse_statement_pends(engine: BothPaths) -> None:
    det = decide(engine, REPLACEMENT, drop=("pump.abuse_or_neglect",))
    assert det.outcome == "insufficient-documentation"
    assert "replacement at battery end of life or when irreparable, without abuse or neglect" in \
        names(det, CriterionState.CriterionNotDocumented)
