"""Anthem CG-SURG-79 (with the Anthem ziconotide criteria), clause by clause (issue 17): reviewer-style cases
decided on both validation paths, each asserting the outcome, the deciding criterion and its own citation."""

from __future__ import annotations

import pytest

from clause_cases import baclofen_implant, baclofen_refill, bundled, cancer_implant, dx, excluded_pump
from test_clinical_rules import BothPaths, decide, outcomes, text
from clause_cases import missing, unmet

POLICY = "anthem-cg-surg-79"


@pytest.fixture(scope="module")
def engine() -> BothPaths:
    return BothPaths()


_unmet, _missing = unmet, missing  # shared with the other payers' clause tests


def _sources(entry: dict) -> set[str]:
    return {c["source"] for c in entry["citations"]}


# ---------------------------------------------------------------- pumps the guideline calls not medically necessary

@pytest.mark.parametrize(("drug", "code"), [("heparin", "I82.409"), ("vancomycin", "M86.18"),
                                            ("insulin", "E10.9"), ("cefazolin", "M46.26")])
def test_heparin_antibiotic_and_insulin_pumps_are_not_medically_necessary(engine: BothPaths, drug, code) -> None:
    det = decide(engine, excluded_pump(f"anthem-{drug}", drug, code) | {"policy": POLICY})
    assert outcomes(det) == {"E0783": "does-not-meet"}
    unmet = _unmet(det, "crit-excluded-pump-uses")
    assert _sources(unmet) == {"ANTHEM-CG-SURG-79"}


def test_a_pump_for_thromboembolism_with_no_drug_named_is_refused(engine: BothPaths) -> None:
    det = decide(engine, excluded_pump("anthem-dvt", None, "I26.99") | {"policy": POLICY})
    assert outcomes(det) == {"E0783": "does-not-meet"}
    assert _unmet(det, "crit-excluded-pump-uses")


def test_diabetic_neuropathy_pain_with_morphine_is_not_an_insulin_pump(engine: BothPaths) -> None:
    form = cancer_implant("anthem-diabetic-pain", policy=POLICY, diagnoses=dx("E11.40", "G89.29"))
    det = decide(engine, form)
    assert not any(u["criterion"].endswith("#crit-excluded-pump-uses") for u in det["unmet_criteria"])


def test_removing_a_heparin_pump_is_not_refused_by_the_exclusion(engine: BothPaths) -> None:
    form = excluded_pump("anthem-heparin-removal", "heparin", "I82.409") | {"policy": POLICY}
    form["requested"] = [{"code": "62365", "system": "CPT", "units": 1}]
    form["pump"] = {"implanted": True, "implant_date": "2019-02-01"}
    det = decide(engine, form)
    assert not any(u["criterion"].endswith("#crit-excluded-pump-uses") for u in det["unmet_criteria"])


# ---------------------------------------------------------------- ziconotide criteria

@pytest.mark.parametrize("code", ["G89.18", "S06.2X9A", "S14.109A"])
def test_ziconotide_for_a_denied_pain_type_is_refused(engine: BothPaths, code) -> None:
    form = bundled("000-ziconotide-refill", f"anthem-zic-{code}", policy=POLICY, diagnoses=dx(code))
    det = decide(engine, form)
    assert set(outcomes(det).values()) == {"does-not-meet"}
    assert _sources(_unmet(det, "crit-ziconotide-denied-uses")) == {"ANTHEM-PRIALT"}


@pytest.mark.parametrize("codes", [("S14.109S", "G89.29"), ("G89.28",), ("G89.18", "G89.4")])
def test_ziconotide_with_only_generic_chronic_pain_beside_a_denied_type_pends(engine: BothPaths, codes) -> None:
    form = bundled("000-ziconotide-refill", "anthem-zic-unclear", policy=POLICY, diagnoses=dx(*codes))
    det = decide(engine, form)
    assert set(outcomes(det).values()) == {"insufficient-documentation"}
    assert "crit-ziconotide-denied-uses" in _missing(det)


def test_ziconotide_for_chronic_post_procedural_pain_with_a_pain_site_meets(engine: BothPaths) -> None:
    form = bundled("000-ziconotide-refill", "anthem-zic-site", policy=POLICY, diagnoses=dx("G89.28", "M96.1"))
    assert set(outcomes(decide(engine, form)).values()) == {"meets-criteria"}


def test_ziconotide_for_chronic_post_procedural_pain_meets_aetna(engine: BothPaths) -> None:
    form = bundled("000-ziconotide-refill", "aetna-zic-g8928", diagnoses=dx("G89.28"))
    assert set(outcomes(decide(engine, form)).values()) == {"meets-criteria"}


# ---------------------------------------------------------------- spasticity: oral baclofen, not six weeks of anything

def test_oral_baclofen_failed_after_two_weeks_meets_anthem_but_not_aetna(engine: BothPaths) -> None:
    history = [{"therapy": "oral baclofen", "category": "oral-antispasmodic", "duration_weeks": 2,
                "outcome": "intolerant"}]
    anthem = decide(engine, baclofen_implant("anthem-2wk", policy=POLICY, therapy_history=history))
    assert set(outcomes(anthem).values()) == {"meets-criteria"}
    met = {m["criterion"].rsplit("#", 1)[-1]: m for m in anthem["met_criteria"]}
    assert "crit-spasm-control-failed" not in met
    assert _sources(met["crit-oral-baclofen-failed"]) == {"ANTHEM-CG-SURG-79"}
    aetna = decide(engine, baclofen_implant("aetna-2wk", therapy_history=history))
    assert set(outcomes(aetna).values()) == {"insufficient-documentation"}
    assert "crit-spasm-control-failed" in _missing(aetna)


def test_tizanidine_alone_pends_for_oral_baclofen(engine: BothPaths) -> None:
    form = baclofen_implant("anthem-tizanidine", policy=POLICY, therapy_history=[
        {"therapy": "tizanidine", "category": "muscle-relaxant", "duration_weeks": 10, "outcome": "failed"}])
    det = decide(engine, form)
    assert set(outcomes(det).values()) == {"insufficient-documentation"}
    assert "crit-oral-baclofen-failed" in _missing(det)


def test_spasticity_controlled_by_oral_baclofen_does_not_meet(engine: BothPaths) -> None:
    form = baclofen_implant("anthem-baclofen-works", policy=POLICY, therapy_history=[
        {"therapy": "baclofen", "category": "oral-antispasmodic", "outcome": "effective"}])
    det = decide(engine, form)
    assert set(outcomes(det).values()) == {"does-not-meet"}
    assert _sources(_unmet(det, "crit-oral-baclofen-failed")) == {"ANTHEM-CG-SURG-79"}


@pytest.mark.parametrize("code", ["I63.9", "S24.104S", "G81.11", "G80.1"])
def test_cerebral_or_spinal_spasticity_meets(engine: BothPaths, code) -> None:
    det = decide(engine, baclofen_implant(f"anthem-origin-{code}", code, policy=POLICY))
    assert set(outcomes(det).values()) == {"meets-criteria"}, text(det)


def test_refill_of_a_baclofen_pump_after_spinal_cord_injury_meets(engine: BothPaths) -> None:
    det = decide(engine, baclofen_refill("anthem-refill-sci", "S34.114S") | {"policy": POLICY})
    assert set(outcomes(det).values()) == {"meets-criteria"}


# ---------------------------------------------------------------- the trial by the same route

def test_epidural_trial_for_an_intrathecal_pump_does_not_meet(engine: BothPaths) -> None:
    det = decide(engine, cancer_implant("anthem-route", policy=POLICY, planned_route="intrathecal"))
    assert set(outcomes(det).values()) == {"does-not-meet"}
    assert _sources(_unmet(det, "crit-trial-same-route")) == {"ANTHEM-CG-SURG-79"}


def test_single_bolus_trial_without_its_route_pends(engine: BothPaths) -> None:
    form = cancer_implant("anthem-bolus", policy=POLICY, planned_route="intrathecal")
    form["intrathecal_trial"]["method"] = "single-bolus"
    det = decide(engine, form)
    assert set(outcomes(det).values()) == {"insufficient-documentation"}
    assert "crit-trial-same-route" in _missing(det)
    form["intrathecal_trial"]["route"] = "intrathecal"
    assert set(outcomes(decide(engine, form)).values()) == {"meets-criteria"}
