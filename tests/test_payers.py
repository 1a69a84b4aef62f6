"""The three payers added as data only: each decides the bundled cases, and the boundaries that
tell the policies apart come out as their citations say."""

from __future__ import annotations

import json

import pytest

from policy_fixtures import cancer_case
from reasoner.engine import Engine
from reasoner.loading import load_case
from reasoner.knowledge.vocabulary import CriterionState

NEW = ("bcbsa-7.01.41", "anthem-cg-surg-79", "evicore-cmm-210")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def decide(engine: Engine, form: dict, policy: str):
    return engine.decide(load_case(json.dumps(form)), policy=policy)


def test_each_new_policy_is_listed_with_cited_criteria(engine: Engine) -> None:
    policies = {p["id"]: p for p in engine.policies()}
    for policy in NEW:
        assert policies[policy]["versions"][0]["current"]
        for criterion in policies[policy]["criteria"]:
            assert criterion["citations"], (policy, criterion["name"])


@pytest.mark.parametrize(("policy", "passes_at_50"), [
    ("aetna-cpb-0161", True), ("bcbsa-7.01.41", False), ("anthem-cg-surg-79", False)])
def test_exactly_50_percent_relief(engine: Engine, policy: str, passes_at_50: bool) -> None:
    def planned(form: dict) -> dict:
        form["planned_route"] = "epidural"  # the bundled trial is epidural; BCBSA and Anthem compare the routes
        return form

    det = decide(engine, planned(cancer_case("fifty", 50)), policy)
    assert (det.outcome == "meets-criteria") is passes_at_50, det.outcomes
    assert decide(engine, planned(cancer_case("fifty-one", 51)), policy).outcome == "meets-criteria"


def _non_malignant(weeks: float) -> dict:
    form = cancer_case("evicore-nm", 70)
    form["diagnoses"] = [{"code": "G89.4", "system": "ICD-10-CM"}, {"code": "M96.1", "system": "ICD-10-CM"}]
    form["therapy_history"].append({"therapy": "physical therapy", "category": "physical-therapy",
                                    "duration_weeks": weeks, "outcome": "failed"})
    form["findings"]["uncontrolled_psychiatric_disorder"] = False
    form["psychological_evaluation"] = {"date": "2025-03-01", "result": "favorable"}
    return form


def test_evicore_six_months_of_noninvasive_care(engine: Engine) -> None:
    def undocumented(form):
        return {m.name for m in decide(engine, form, "evicore-cmm-210").missing_documentation}

    assert "six months of noninvasive care for non-malignant pain" in undocumented(_non_malignant(12))
    assert "six months of noninvasive care for non-malignant pain" not in undocumented(_non_malignant(30))


def test_evicore_asks_for_the_opioid_agreement_and_the_trial_duration_and_function(engine: Engine) -> None:
    det = decide(engine, _non_malignant(30), "evicore-cmm-210")
    missing = {m.name for m in det.missing_documentation}
    assert {"agreement to halve systemic opioids",
            "trial relief over 50% lasting 8 hours with better function"} <= missing
    assert det.outcome == "insufficient-documentation"


def test_evicore_behavioural_health_attestation(engine: Engine) -> None:
    form = _non_malignant(30)
    form["findings"]["uncontrolled_psychiatric_disorder"] = True
    det = decide(engine, form, "evicore-cmm-210")
    assert det.outcome == "does-not-meet"
    assert "behavioral-health attestation" in {a.name for a in det.assessments(CriterionState.CriterionNotMet)}


def test_evicore_waives_the_trial_only_for_advanced_cancer_with_limited_survival(engine: Engine) -> None:
    form = cancer_case("evicore-cancer", 70)
    del form["intrathecal_trial"]
    assert decide(engine, form, "evicore-cmm-210").outcome == "insufficient-documentation"
    form["cancer"] = {"stage": "metastatic", "limited_survival": True}
    assert decide(engine, form, "evicore-cmm-210").outcome == "meets-criteria"
    # the same case under Anthem needs the trial
    assert decide(engine, form, "anthem-cg-surg-79").outcome == "insufficient-documentation"


def test_evicore_spasticity_needs_ashworth_drop_of_two(engine: Engine) -> None:
    from reasoner.knowledge.paths import data_root

    path = data_root("cases") / "010-baclofen-trial-spasticity.json"
    form = json.loads(path.read_text(encoding="utf-8"))
    form["intrathecal_trial"]["ashworth_reduction"] = 1
    det = decide(engine, form, "evicore-cmm-210")
    assert "baclofen trial: Ashworth or spasm-frequency drop of at least 2 points for 4 hours" in {a.name for a in det.assessments(CriterionState.CriterionNotMet)}
