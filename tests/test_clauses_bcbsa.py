"""BCBSA 7.01.41, clause by clause (issue 17): reviewer-style cases decided on both validation paths.

Each test is a case a Blue plan's reviewer would write from the policy's text; it asserts the outcome per
code, the criterion that decides it and that the criterion cites this policy, not another payer's.
"""

from __future__ import annotations

import pytest

from clause_cases import baclofen_implant, baclofen_refill, bundled, cancer_implant, dx, excluded_pump
from test_clinical_rules import BothPaths, decide, outcomes, text
from clause_cases import missing, unmet

POLICY = "bcbsa-7.01.41"


@pytest.fixture(scope="module")
def engine() -> BothPaths:
    return BothPaths()


_unmet, _missing = unmet, missing  # shared with the other payers' clause tests


def _sources(entry: dict) -> set[str]:
    return {c["source"] for c in entry["citations"]}


# ---------------------------------------------------------------- drugs FDA-approved for the route and indication

def test_off_label_hydromorphone_refill_does_not_meet_and_keeps_the_safety_notice(engine: BothPaths) -> None:
    det = decide(engine, bundled("001-hydromorphone-refill", "bcbsa-hydromorphone", policy=POLICY))
    assert set(outcomes(det).values()) == {"does-not-meet"}
    unmet = _unmet(det, "crit-fda-approved-use")
    assert "hydromorphone" in unmet["values"]
    assert _sources(unmet) == {"BCBS-7.01.41"}
    assert det["safety_notices"], "a refused refill says the pump must not run empty"


def test_off_label_hydromorphone_still_meets_aetna(engine: BothPaths) -> None:
    det = decide(engine, bundled("001-hydromorphone-refill", "aetna-hydromorphone"))
    assert set(outcomes(det).values()) == {"meets-criteria"}


def test_morphine_for_cancer_pain_meets(engine: BothPaths) -> None:
    det = decide(engine, cancer_implant("bcbsa-morphine", policy=POLICY))
    assert set(outcomes(det).values()) == {"meets-criteria"}
    assert any(m["criterion"].endswith("#crit-fda-approved-use") for m in det["met_criteria"])


def test_bupivacaine_admixture_does_not_meet(engine: BothPaths) -> None:
    form = cancer_implant("bcbsa-bupivacaine", policy=POLICY)
    form["regimen"].append({"drug": "bupivacaine", "concentration_mg_per_ml": 10, "daily_dose_mg": 4})
    det = decide(engine, form)
    assert outcomes(det)["62362"] == "does-not-meet"
    assert "bupivacaine" in _unmet(det, "crit-fda-approved-use")["values"]


@pytest.mark.parametrize(("route", "outcome"), [
    ("epidural", "meets-criteria"), ("intrathecal", "does-not-meet"), (None, "insufficient-documentation")])
def test_clonidine_is_approved_only_epidurally_for_cancer_pain(engine: BothPaths, route, outcome) -> None:
    form = cancer_implant(f"bcbsa-clonidine-{route}", policy=POLICY,
                          regimen=[{"drug": "clonidine", "concentration_mcg_per_ml": 100, "daily_dose_mcg": 300}],
                          requested=[{"code": "62362", "system": "CPT", "units": 1}])
    form["intrathecal_trial"]["agent"] = "clonidine"
    if route is None:
        del form["planned_route"]
    else:
        form["planned_route"] = route
        form["intrathecal_trial"]["route"] = route
        del form["intrathecal_trial"]["method"]
    det = decide(engine, form)
    assert outcomes(det) == {"62362": outcome}
    if route is None:
        assert "only by another route" in text(det)


def test_clonidine_for_non_cancer_pain_does_not_meet(engine: BothPaths) -> None:
    form = cancer_implant("bcbsa-clonidine-noncancer", policy=POLICY, diagnoses=dx("G89.4", "M96.1"),
                          regimen=[{"drug": "clonidine", "concentration_mcg_per_ml": 100, "daily_dose_mcg": 300}])
    det = decide(engine, form)
    assert outcomes(det)["62362"] == "does-not-meet"
    assert "clonidine" in _unmet(det, "crit-fda-approved-use")["values"]


def test_heparin_pump_is_not_an_approved_use(engine: BothPaths) -> None:
    det = decide(engine, excluded_pump("bcbsa-heparin", "heparin", "I82.409") | {"policy": POLICY})
    assert outcomes(det) == {"E0783": "does-not-meet"}
    assert "heparin" in _unmet(det, "crit-fda-approved-use")["values"]


# ---------------------------------------------------------------- other uses; headache

def test_pump_for_thromboembolism_only_is_an_investigational_other_use(engine: BothPaths) -> None:
    det = decide(engine, excluded_pump("bcbsa-dvt", None, "I26.99") | {"policy": POLICY})
    assert outcomes(det) == {"E0783": "does-not-meet"}
    assert _sources(_unmet(det, "crit-other-uses-investigational")) == {"BCBS-7.01.41"}


@pytest.mark.parametrize("codes", [("G43.709",), ("G43.709", "G89.29"), ("R51.9", "G89.4")])
def test_headache_is_excluded_from_the_pain_indication(engine: BothPaths, codes) -> None:
    det = decide(engine, cancer_implant("bcbsa-headache", policy=POLICY, diagnoses=dx(*codes)))
    assert set(outcomes(det).values()) == {"does-not-meet"}
    unmet = _unmet(det, "crit-head-pain-excluded")
    assert _sources(unmet) == {"BCBS-7.01.41"}


def test_headache_beside_another_pain_site_is_not_excluded(engine: BothPaths) -> None:
    det = decide(engine, cancer_implant("bcbsa-headache-back", policy=POLICY, diagnoses=dx("G43.709", "M96.1")))
    assert set(outcomes(det).values()) == {"meets-criteria"}


def test_headache_is_not_excluded_by_anthem(engine: BothPaths) -> None:
    form = cancer_implant("anthem-headache", policy="anthem-cg-surg-79", diagnoses=dx("G44.229", "G89.29"))
    det = decide(engine, form)
    assert not any(u["criterion"].endswith("#crit-head-pain-excluded") for u in det["unmet_criteria"])


# ---------------------------------------------------------------- the trial by the same route

def test_trial_route_must_match_the_planned_pump(engine: BothPaths) -> None:
    det = decide(engine, cancer_implant("bcbsa-route-mismatch", policy=POLICY, planned_route="intrathecal"))
    assert set(outcomes(det).values()) == {"does-not-meet"}
    assert _sources(_unmet(det, "crit-trial-same-route")) == {"BCBS-7.01.41"}


def test_planned_route_not_documented_pends(engine: BothPaths) -> None:
    form = cancer_implant("bcbsa-route-missing", policy=POLICY)
    del form["planned_route"]
    det = decide(engine, form)
    assert set(outcomes(det).values()) == {"insufficient-documentation"}
    assert "crit-trial-same-route" in _missing(det)


# ---------------------------------------------------------------- spasticity

@pytest.mark.parametrize("code", ["I69.351", "S14.109S", "G81.11", "S06.2X9S", "G95.89", "G82.22"])
def test_refill_of_a_working_baclofen_pump_meets_for_every_cerebral_or_spinal_cause(engine: BothPaths, code) -> None:
    det = decide(engine, baclofen_refill(f"bcbsa-refill-{code}", code) | {"policy": POLICY})
    assert set(outcomes(det).values()) == {"meets-criteria"}, text(det)


def test_stroke_spasticity_implant_meets(engine: BothPaths) -> None:
    det = decide(engine, baclofen_implant("bcbsa-stroke", "I69.351", policy=POLICY))
    assert set(outcomes(det).values()) == {"meets-criteria"}


def test_other_oral_antispasmodics_do_not_stand_in_for_oral_baclofen(engine: BothPaths) -> None:
    form = baclofen_implant("bcbsa-tizanidine", policy=POLICY, therapy_history=[
        {"therapy": "tizanidine", "category": "oral-antispasmodic", "duration_weeks": 12, "outcome": "failed"}])
    det = decide(engine, form)
    assert set(outcomes(det).values()) == {"insufficient-documentation"}
    assert "crit-oral-baclofen-failed" in _missing(det)
    assert "crit-spasm-control-failed" not in {c.rsplit("#", 1)[-1] for line in det["lines"]
                                                for state in line["criteria"].values() for c in state}


def test_oral_baclofen_without_a_duration_meets(engine: BothPaths) -> None:
    form = baclofen_implant("bcbsa-baclofen-2wk", policy=POLICY, therapy_history=[
        {"therapy": "oral baclofen", "category": "oral-antispasmodic", "duration_weeks": 2, "outcome": "intolerant"}])
    assert set(outcomes(decide(engine, form)).values()) == {"meets-criteria"}


def test_spasticity_controlled_by_oral_baclofen_does_not_meet(engine: BothPaths) -> None:
    form = baclofen_implant("bcbsa-baclofen-works", policy=POLICY, therapy_history=[
        {"therapy": "baclofen 20 mg three times a day", "category": "oral-antispasmodic", "outcome": "effective"}])
    det = decide(engine, form)
    assert set(outcomes(det).values()) == {"does-not-meet"}
    assert _sources(_unmet(det, "crit-oral-baclofen-failed")) == {"BCBS-7.01.41"}


def test_stiff_person_syndrome_is_referred_not_refused(engine: BothPaths) -> None:
    det = decide(engine, baclofen_implant("bcbsa-sps", "G25.82", policy=POLICY))
    assert set(outcomes(det).values()) == {"insufficient-documentation"}
    assert "crit-spasticity-origin" in _missing(det)
