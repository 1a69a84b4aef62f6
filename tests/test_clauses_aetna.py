"""Aetna CPB 0161, the clauses issue 17 adds (investigational baclofen uses, the conditions it names for
intrathecal baclofen), and the label rules every policy applies: reviewer-style cases on both paths."""

from __future__ import annotations

import pytest

from clause_cases import baclofen_implant, baclofen_refill, bundled, cancer_implant, dx
from test_clinical_rules import BothPaths, decide, outcomes, text
from clause_cases import missing, unmet

POLICIES = ("aetna-cpb-0161", "bcbsa-7.01.41", "anthem-cg-surg-79")


@pytest.fixture(scope="module")
def engine() -> BothPaths:
    return BothPaths()


_unmet, _missing = unmet, missing  # shared with the other payers' clause tests


def _warned(det: dict) -> dict[str, dict]:
    return {w["criterion"].rsplit("#", 1)[-1]: w for w in det["warnings"]}


# ---------------------------------------------------------------- investigational baclofen uses

def test_baclofen_mixed_with_another_agent_is_investigational(engine: BothPaths) -> None:
    form = baclofen_implant("aetna-baclofen-mix")
    form["regimen"].append({"drug": "clonidine", "concentration_mcg_per_ml": 100, "daily_dose_mcg": 50})
    det = decide(engine, form)
    assert set(outcomes(det).values()) == {"does-not-meet"}
    unmet = _unmet(det, "crit-baclofen-investigational")
    assert "clonidine" in unmet["values"]
    assert {c["source"] for c in unmet["citations"]} == {"AETNA-CPB-0161"}


@pytest.mark.parametrize("code", ["M05.79", "G71.19", "C50.911"])
def test_baclofen_for_an_investigational_condition_does_not_meet(engine: BothPaths, code) -> None:
    det = decide(engine, baclofen_implant(f"aetna-baclofen-{code}", code))
    assert set(outcomes(det).values()) == {"does-not-meet"}
    assert _unmet(det, "crit-baclofen-investigational")


def test_rheumatoid_arthritis_beside_multiple_sclerosis_is_not_investigational(engine: BothPaths) -> None:
    det = decide(engine, baclofen_implant("aetna-baclofen-ms-ra", "G35.C0", "M05.79"))
    assert set(outcomes(det).values()) == {"meets-criteria"}


# ---------------------------------------------------------------- the conditions the bulletin names

@pytest.mark.parametrize("code", ["I69.351", "S14.109S", "G95.89", "G25.82"])
def test_named_causes_of_spasticity_meet(engine: BothPaths, code) -> None:
    det = decide(engine, baclofen_implant(f"aetna-named-{code}", code))
    assert set(outcomes(det).values()) == {"meets-criteria"}, text(det)


@pytest.mark.parametrize("code", ["G80.1", "S06.2X9S"])
def test_a_cause_the_digest_does_not_name_is_referred_not_refused(engine: BothPaths, code) -> None:
    det = decide(engine, baclofen_implant(f"aetna-unnamed-{code}", code))
    assert set(outcomes(det).values()) == {"insufficient-documentation"}
    assert "crit-baclofen-named-condition" in _missing(det)


def test_refills_are_not_held_for_the_named_conditions(engine: BothPaths) -> None:
    det = decide(engine, baclofen_refill("aetna-refill-cp", "G80.1"))
    assert set(outcomes(det).values()) == {"meets-criteria"}


# ---------------------------------------------------------------- label rules, under every policy

@pytest.mark.parametrize("policy", POLICIES)
def test_ziconotide_started_above_the_label_starting_dose_is_a_warning(engine: BothPaths, policy) -> None:
    form = cancer_implant("label-zic-start", policy=policy,
                          requested=[{"code": "62362", "system": "CPT", "units": 1},
                                     {"code": "J2278", "system": "HCPCS", "units": 100}],
                          regimen=[{"drug": "ziconotide", "concentration_mcg_per_ml": 25, "daily_dose_mcg": 4.8}],
                          planned_route="intrathecal")
    form["intrathecal_trial"].update(method="temporary-intrathecal-catheter", agent="ziconotide")
    del form["intrathecal_trial"]["dose_mg"]
    det = decide(engine, form)
    assert set(outcomes(det).values()) == {"meets-criteria"}
    warning = _warned(det)["crit-ziconotide-starting-dose"]
    assert {c["source"] for c in warning["citations"]} == {"FDA-PRIALT-LABEL"}
    form["regimen"][0]["daily_dose_mcg"] = 2.4
    assert "crit-ziconotide-starting-dose" not in _warned(decide(engine, form))


def test_the_starting_dose_is_not_asked_of_a_running_pump(engine: BothPaths) -> None:
    det = decide(engine, bundled("000-ziconotide-refill", "label-zic-refill"))
    assert "crit-ziconotide-starting-dose" not in _warned(det)


@pytest.mark.parametrize("policy", POLICIES)
def test_ziconotide_with_an_intrathecal_opioid_is_a_warning(engine: BothPaths, policy) -> None:
    form = bundled("000-ziconotide-refill", "label-zic-opioid", policy=policy)
    form["regimen"].append({"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 2})
    det = decide(engine, form)
    assert "crit-ziconotide-without-opioids" in _warned(det)
    assert "meets-criteria" in outcomes(det).values()


@pytest.mark.parametrize(("dose", "warned"), [(20, False), (25, True)])
def test_morphine_above_20_mg_a_day_is_a_warning(engine: BothPaths, dose, warned) -> None:
    form = bundled("004-morphine-established-pump", f"label-morphine-{dose}")
    form["regimen"][0]["daily_dose_mg"] = dose
    det = decide(engine, form)
    assert ("crit-morphine-caution-dose" in _warned(det)) is warned
    assert set(outcomes(det).values()) == {"meets-criteria"}


def test_baclofen_after_a_brain_injury_asks_for_the_injury_date(engine: BothPaths) -> None:
    det = decide(engine, baclofen_implant("label-baclofen-tbi", "S06.2X9S", policy="bcbsa-7.01.41"))
    assert set(outcomes(det).values()) == {"meets-criteria"}
    warning = _warned(det)["crit-baclofen-brain-injury-wait"]
    assert "one year" in warning["message"]


def test_baclofen_implant_asks_for_the_pump_site(engine: BothPaths) -> None:
    det = decide(engine, baclofen_implant("label-baclofen-site"))
    warning = _warned(det)["crit-baclofen-pump-site"]
    assert "2.5 cm" in warning["message"]
    assert {c["source"] for c in warning["citations"]} == {"FDA-LIORESAL-IT-LABEL"}


def test_trial_without_its_side_effects_is_not_acceptable_side_effects(engine: BothPaths) -> None:
    form = cancer_implant("aetna-no-side-effects")
    del form["intrathecal_trial"]["side_effects_acceptable"]
    det = decide(engine, form)
    assert set(outcomes(det).values()) == {"insufficient-documentation"}
    assert "side effects were acceptable" in text(det)


def test_spinal_origin_spasticity_without_oral_baclofen_is_a_label_warning(engine: BothPaths) -> None:
    form = baclofen_implant("label-spinal-oral-first", "S14.109S", therapy_history=[
        {"therapy": "tizanidine", "category": "oral-antispasmodic", "duration_weeks": 10, "outcome": "failed"}])
    det = decide(engine, form)
    assert set(outcomes(det).values()) == {"meets-criteria"}
    warning = _warned(det)["crit-baclofen-oral-first-spinal"]
    assert {c["source"] for c in warning["citations"]} == {"FDA-LIORESAL-IT-LABEL"}
    assert "crit-baclofen-oral-first-spinal" not in _warned(decide(engine, baclofen_implant("label-spinal-ok", "S14.109S")))


# ---------------------------------------------------------------- the pump FDA-approved for the drug (general condition 3)

def _ziconotide_in(device: str | None, policy: str = "aetna-cpb-0161") -> dict:
    form = bundled("000-ziconotide-refill", "aetna-zic-device", policy=policy)
    if device is None:
        del form["pump"]["device"]
        form["pump"]["implant_date"] = "2021-01-12"
    else:
        form["pump"]["device"] = device
    return form


def test_ziconotide_in_a_pump_its_label_does_not_list_does_not_meet_aetna(engine: BothPaths) -> None:
    det = decide(engine, _ziconotide_in("Flowonix Prometra II"))
    assert set(outcomes(det).values()) == {"does-not-meet"}
    unmet = _unmet(det, "crit-pump-approved-for-drug")
    assert {c["source"] for c in unmet["citations"]} == {"AETNA-CPB-0161"}


def test_the_same_pump_is_a_label_warning_under_bcbsa(engine: BothPaths) -> None:
    det = decide(engine, _ziconotide_in("Prometra II", policy="bcbsa-7.01.41"))
    assert set(outcomes(det).values()) == {"meets-criteria"}
    assert "crit-labelled-device" in _warned(det)


@pytest.mark.parametrize(("device", "advisory"), [("SynchroMed II", False), ("Medtronic SynchroMed III", True)])
def test_listed_pumps_meet_and_an_unconfirmed_listing_is_an_advisory(engine: BothPaths, device, advisory) -> None:
    det = decide(engine, _ziconotide_in(device))
    assert set(outcomes(det).values()) == {"meets-criteria"}
    assert any(a["criterion"].endswith("#crit-labelled-device") for a in det["advisories"]) is advisory


def test_an_unnamed_pump_asks_for_the_device_record(engine: BothPaths) -> None:
    det = decide(engine, _ziconotide_in(None))
    assert set(outcomes(det).values()) == {"meets-criteria"}
    assert "crit-pump-approved-for-drug" in _warned(det)
