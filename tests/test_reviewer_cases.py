"""Reviewer-style cases (issue 17): each decidable clause of the five policies, tried just inside and
just outside its boundary, written from the policies' text in shared/reference/knowledge.md (and the
labels' sections) before the shapes were read, as a payer's reviewer writes them.

Each case is a complete request that meets the policy (one base per policy and kind of request),
changed in the one fact its clause is about; the expected outcome per requested code is what the
clause demands. The id names the clause. The fast tier runs a representative subset (one case per
clause family); the rest is marked slow.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest

from reasoner.engine import Engine
from reasoner.loading import load_case

MEETS, PENDS, FAILS, OUT = "meets-criteria", "insufficient-documentation", "does-not-meet", "out-of-scope"
AETNA, CMS, BCBSA, ANTHEM, EVICORE = ("aetna-cpb-0161", "cms-ncd-280.14", "bcbsa-7.01.41", "anthem-cg-surg-79",
                                      "evicore-cmm-210")

NONE_PRESENT = {"active_infection": False, "injection_site_infection": False, "coagulopathy": False,
                "drug_allergy": False, "other_programmable_implant": False, "insufficient_body_size": False,
                "spinal_canal_obstruction": False, "psychosis_history": False,
                "uncontrolled_psychiatric_disorder": False}


def dx(*codes: str) -> list[dict]:
    return [{"code": c, "system": "ICD-10-CM"} for c in codes]


def req(*codes: str, dos: str | None = None) -> list[dict]:
    lines = [{"code": c, "system": "CPT" if c[0].isdigit() else "HCPCS", "units": 1} for c in codes]
    if dos:
        for line in lines:
            line["dates_of_service"] = [dos]
    return lines


def tried(therapy: str, category: str, outcome: str = "failed", **more) -> dict:
    return {"therapy": therapy, "category": category, "outcome": outcome, **more}


# ---------------------------------------------------------------- complete requests, one per kind

PAIN = {  # non-malignant pain, morphine pump, everything every policy asks documented
    "patient": {"age": 58, "sex": "female"},
    "diagnoses": dx("G89.4", "M96.1"),
    "requested": req("62362", "J2274"),
    "planned_route": "intrathecal",
    "regimen": [{"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 1}],
    "therapy_history": [
        tried("physical therapy", "physical-therapy", start_date="2024-01-02", end_date="2024-04-01"),
        tried("cognitive behavioral therapy", "behavioral-therapy", start_date="2024-02-01", end_date="2024-06-01"),
        tried("oxycodone", "systemic-opioid", start_date="2024-03-01", end_date="2024-11-15"),
        tried("gabapentin", "anticonvulsant", "intolerant", start_date="2024-04-01", end_date="2024-06-01"),
    ],
    "intrathecal_trial": {"date": "2025-01-10", "method": "temporary-intrathecal-catheter", "route": "intrathecal",
                          "agent": "morphine", "dose_mg": 0.5, "pain_reduction_percent": 60, "relief_hours": 24,
                          "functional_improvement": True, "side_effects_acceptable": True,
                          "patient_acceptance": True},
    "psychological_evaluation": {"date": "2024-12-01", "result": "favorable"},
    "opioid_reduction_agreed": True, "opioid_reduction_percent": 50,
    "findings": NONE_PRESENT,
    "life_expectancy_months": 240,
}

CANCER = {  # cancer pain, morphine pump
    **PAIN,
    "patient": {"age": 66, "sex": "male"},
    "diagnoses": dx("C34.90", "G89.3"),
    "life_expectancy_months": 12,
}

SPASTICITY = {  # spinal-origin spasticity (complete paraplegia), baclofen pump
    "patient": {"age": 47, "sex": "male"},
    "diagnoses": dx("G82.21"),
    "requested": req("62362", "J0475"),
    "planned_route": "intrathecal",
    "regimen": [{"drug": "baclofen", "concentration_mcg_per_ml": 500, "daily_dose_mcg": 200}],
    "therapy_history": [
        tried("oral baclofen", "oral-antispasmodic", duration_weeks=8, start_date="2024-01-02",
              end_date="2024-02-27"),
        tried("physical therapy", "physical-therapy", duration_weeks=12, start_date="2024-01-02",
              end_date="2024-03-26"),
    ],
    "intrathecal_trial": {"date": "2024-04-04", "method": "single-bolus", "route": "intrathecal", "agent": "baclofen",
                          "dose_mcg": 50, "response": "positive", "ashworth_reduction": 2, "response_hours": 6,
                          "side_effects_acceptable": True},
    "findings": NONE_PRESENT,
    "life_expectancy_months": 240,
}

PAIN_REFILL = {  # refill of a working morphine pump
    "patient": {"age": 61, "sex": "female"},
    "diagnoses": dx("G89.4", "M96.1"),
    "requested": req("62370", "J2274"),
    "pump": {"implanted": True, "implant_date": "2019-04-02", "device": "SynchroMed II",
             "prior_authorizations": ["7192230"]},
    "regimen": [{"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 3.2}],
    "response": {"pain_reduction_percent": 60, "functional_improvement": True},
    "findings": NONE_PRESENT,
    "life_expectancy_months": 240,
}

BACLOFEN_REFILL = {  # refill of a working baclofen pump
    **PAIN_REFILL,
    "diagnoses": dx("G82.21"),
    "requested": req("62370", "J0475"),
    "regimen": [{"drug": "baclofen", "concentration_mcg_per_ml": 500, "daily_dose_mcg": 300}],
    "response": {"effective": True},
}

ZICONOTIDE_REFILL = {  # refill of a ziconotide pump
    **PAIN_REFILL,
    "diagnoses": dx("G89.29", "M79.7"),
    "requested": req("62369", "J2278"),
    "regimen": [{"drug": "ziconotide", "concentration_mcg_per_ml": 25, "daily_dose_mcg": 6}],
    "therapy_history": [tried("oxycodone", "systemic-opioid"), tried("duloxetine", "antidepressant", "intolerant")],
}

REPLACEMENT = {  # replacement of a programmable pump at the end of its battery
    **PAIN_REFILL,
    "requested": req("62362", "E0786"),
    "pump": {**PAIN_REFILL["pump"], "implant_date": "2017-05-02", "replacement_reason": "battery-end-of-life",
             "abuse_or_neglect": False},
}


def case(base: dict, *, drop: tuple[str, ...] = (), **changes) -> dict:
    """``base`` with fields replaced; a key ``a__b`` sets ``a.b``; ``drop`` removes dotted fields."""
    form = copy.deepcopy(base)
    for key, value in changes.items():
        node, *path = key.split("__")
        target = form
        for part in [node, *path][:-1]:
            target = target.setdefault(part, {})
        target[[node, *path][-1]] = value
    for dotted in drop:
        target = form
        *parents, last = dotted.split(".")
        for part in parents:
            target = target[part]
        del target[last]
    return form


CASES: list = []


def add(clause: str, policy: str, form: dict, expect: str | dict[str, str], *, fast: bool = False) -> None:
    """One reviewer case: ``expect`` is the outcome of every requested code, or one per code."""
    codes = [line["code"] for line in form["requested"]]
    expected = {code: expect for code in codes} if isinstance(expect, str) else expect
    assert set(expected) == set(codes), clause
    marks = () if fast else (pytest.mark.slow,)
    CASES.append(pytest.param(policy, form, expected, id=f"{policy}: {clause}", marks=marks))


# ================================================================ BCBSA 7.01.41
# Pain: only drugs FDA-approved for that route and indication, after a successful temporary trial
# (opioid or non-opioid) by the same route; success is a reduction of pain greater than 50%.
# Spasticity of cerebral or spinal origin, unresponsive to or intolerant of oral baclofen.
# Other uses investigational; MP-442 excludes headache or head pain.

add("complete morphine request meets", BCBSA, PAIN, MEETS, fast=True)
add("trial >50%: exactly 50% does not meet", BCBSA, case(PAIN, intrathecal_trial__pain_reduction_percent=50),
    FAILS, fast=True)
add("trial >50%: 51% meets", BCBSA, case(PAIN, intrathecal_trial__pain_reduction_percent=51), MEETS)
add("trial >50%: 30% does not meet", BCBSA, case(PAIN, intrathecal_trial__pain_reduction_percent=30), FAILS)
add("trial required: no trial pends", BCBSA, case(PAIN, drop=("intrathecal_trial",)), PENDS)
add("trial by the same route: epidural trial for an intrathecal pump does not meet", BCBSA,
    case(PAIN, intrathecal_trial__method="temporary-epidural-catheter", intrathecal_trial__route="epidural"), FAILS)
add("trial by the same route: intrathecal bolus for an intrathecal pump meets", BCBSA,
    case(PAIN, intrathecal_trial__method="single-bolus"), MEETS)
add("FDA-approved for route and indication: intrathecal hydromorphone does not meet", BCBSA,
    case(PAIN, requested=req("62362", "J1170"),
         regimen=[{"drug": "hydromorphone", "concentration_mg_per_ml": 10, "daily_dose_mg": 1}],
         intrathecal_trial__agent="hydromorphone"), FAILS, fast=True)
add("FDA-approved for route and indication: compounded fentanyl does not meet", BCBSA,
    case(PAIN, requested=req("62362", "J7999"),
         regimen=[{"drug": "fentanyl", "concentration_mcg_per_ml": 1000, "daily_dose_mcg": 200, "compounded": True}],
         intrathecal_trial__agent="fentanyl"), FAILS)
add("FDA-approved for route and indication: morphine with bupivacaine does not meet", BCBSA,
    case(PAIN, requested=req("62362", "J7999"),
         regimen=[{"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 1, "compounded": True},
                  {"drug": "bupivacaine", "concentration_mg_per_ml": 10, "daily_dose_mg": 2, "compounded": True}]),
    FAILS)
add("FDA-approved for route and indication: intrathecal clonidine for cancer pain does not meet", BCBSA,
    case(CANCER, requested=req("62362", "J0735"),
         regimen=[{"drug": "clonidine", "concentration_mcg_per_ml": 500, "daily_dose_mcg": 100}],
         intrathecal_trial__agent="clonidine"), FAILS)
add("FDA-approved for route and indication: ziconotide meets", BCBSA,
    case(PAIN, diagnoses=dx("G89.29", "M79.7"), requested=req("62362", "J2278"),
         regimen=[{"drug": "ziconotide", "concentration_mcg_per_ml": 25, "daily_dose_mcg": 2.4}],
         intrathecal_trial__agent="ziconotide", intrathecal_trial__method="single-bolus"), MEETS)
add("FDA-approved for route and indication: hydromorphone refill does not meet", BCBSA,
    case(PAIN_REFILL, requested=req("62370", "J7999"),
         regimen=[{"drug": "hydromorphone", "concentration_mg_per_ml": 10, "daily_dose_mg": 2, "compounded": True}]),
    FAILS)
add("morphine refill of a working pump meets", BCBSA, PAIN_REFILL, MEETS)
add("malignant pain, morphine, trial 60% meets", BCBSA, CANCER, MEETS)
add("head pain excluded: chronic migraine does not meet", BCBSA,
    case(PAIN, diagnoses=dx("G43.709", "G89.29")), FAILS, fast=True)
add("head pain excluded: headache does not meet", BCBSA, case(PAIN, diagnoses=dx("R51.9", "G89.29")), FAILS)
add("other uses investigational: heparin pump does not meet", BCBSA,
    case(PAIN, diagnoses=dx("I26.99"), requested=req("E0783"),
         regimen=[{"drug": "heparin"}], drop=("intrathecal_trial",)), FAILS)
add("spasticity, spinal origin, oral baclofen failed meets", BCBSA, SPASTICITY, MEETS, fast=True)
add("oral baclofen intolerant after three weeks meets", BCBSA,
    case(SPASTICITY, therapy_history=[tried("oral baclofen", "oral-antispasmodic", "intolerant", duration_weeks=3)]),
    MEETS)
add("oral baclofen: only tizanidine failed pends", BCBSA,
    case(SPASTICITY, therapy_history=[tried("tizanidine", "oral-antispasmodic", duration_weeks=8),
                                      tried("physical therapy", "physical-therapy", duration_weeks=12)]), PENDS)
add("oral baclofen: no oral therapy documented pends", BCBSA, case(SPASTICITY, drop=("therapy_history",)), PENDS)
add("cerebral origin: stroke hemiplegia meets", BCBSA, case(SPASTICITY, diagnoses=dx("I69.351")), MEETS, fast=True)
add("cerebral origin: spastic cerebral palsy meets", BCBSA, case(SPASTICITY, diagnoses=dx("G80.0")), MEETS)
add("cerebral origin: spastic hemiplegia meets", BCBSA, case(SPASTICITY, diagnoses=dx("G81.11")), MEETS)
add("spinal origin: thoracic spinal cord injury sequela meets", BCBSA,
    case(SPASTICITY, diagnoses=dx("S24.102S")), MEETS)
add("spinal origin: multiple sclerosis (FY2026 code) meets", BCBSA,
    case(SPASTICITY, diagnoses=dx("G35.D"), requested=req("62362", "J0475", dos="2026-01-15")), MEETS)
add("baclofen for back pain does not meet", BCBSA,
    case(SPASTICITY, diagnoses=dx("M54.50", "G89.29")), FAILS)
add("baclofen screening negative at 100 mcg does not meet", BCBSA,
    case(SPASTICITY, intrathecal_trial__response="negative", intrathecal_trial__dose_mcg=100,
         intrathecal_trial__ashworth_reduction=0,
         intrathecal_trial__dose_steps=[{"dose_mcg": 50, "response": "negative", "date": "2024-04-04"},
                                        {"dose_mcg": 75, "response": "negative", "date": "2024-04-05"},
                                        {"dose_mcg": 100, "response": "negative", "date": "2024-04-06"}]), FAILS)
add("baclofen refill for stroke spasticity meets", BCBSA, case(BACLOFEN_REFILL, diagnoses=dx("I69.351")), MEETS)
add("baclofen refill for spinal cord injury meets", BCBSA, case(BACLOFEN_REFILL, diagnoses=dx("S14.104S")), MEETS)


# ================================================================ Anthem CG-SURG-79 (and its Prialt criteria)
# Spasticity of cerebral or spinal origin with failure of or intolerance to oral baclofen; severe chronic
# intractable pain after a successful trial (>50% reduction) by the same route as the planned treatment;
# supplies follow a medically necessary pump; replacement when the device does not work or warns of
# impending failure, not for convenience or an upgrade of working parts; not medically necessary: pumps
# for heparin (thromboembolism), antibiotics (osteomyelitis), fully implantable insulin pumps.
# Prialt: severe chronic pain, intolerant of or refractory to systemic analgesics, adjunctive therapies or
# IT morphine; deny other pain types (post-operative pain, acute brain injury, spasticity from spinal cord
# trauma), a history of psychosis, a contraindication to intrathecal administration.

add("complete morphine request meets", ANTHEM, PAIN, MEETS, fast=True)
add("trial >50%: exactly 50% does not meet", ANTHEM, case(PAIN, intrathecal_trial__pain_reduction_percent=50),
    FAILS, fast=True)
add("trial >50%: 51% meets", ANTHEM, case(PAIN, intrathecal_trial__pain_reduction_percent=51), MEETS)
add("trial required: no trial pends", ANTHEM, case(PAIN, drop=("intrathecal_trial",)), PENDS)
add("trial by the same route: epidural trial for an intrathecal pump does not meet", ANTHEM,
    case(PAIN, intrathecal_trial__method="temporary-epidural-catheter", intrathecal_trial__route="epidural"), FAILS)
add("trial by the same route: epidural trial for an epidural pump meets", ANTHEM,
    case(PAIN, planned_route="epidural", intrathecal_trial__method="temporary-epidural-catheter",
         intrathecal_trial__route="epidural"), MEETS)
add("malignant pain, morphine, trial 60% meets", ANTHEM, CANCER, MEETS)
add("morphine refill of a working pump meets", ANTHEM, PAIN_REFILL, MEETS)
add("spasticity, spinal origin, oral baclofen failed meets", ANTHEM, SPASTICITY, MEETS, fast=True)
add("oral baclofen intolerant after three weeks meets", ANTHEM,
    case(SPASTICITY, therapy_history=[tried("oral baclofen", "oral-antispasmodic", "intolerant", duration_weeks=3)]),
    MEETS, fast=True)
add("oral baclofen: only tizanidine failed pends", ANTHEM,
    case(SPASTICITY, therapy_history=[tried("tizanidine", "oral-antispasmodic", duration_weeks=8),
                                      tried("physical therapy", "physical-therapy", duration_weeks=12)]), PENDS)
add("oral baclofen: no oral therapy documented pends", ANTHEM, case(SPASTICITY, drop=("therapy_history",)), PENDS)
add("cerebral origin: stroke hemiplegia meets", ANTHEM, case(SPASTICITY, diagnoses=dx("I69.351")), MEETS)
add("cerebral origin: spastic cerebral palsy meets", ANTHEM, case(SPASTICITY, diagnoses=dx("G80.0")), MEETS)
add("cerebral origin: spastic hemiplegia meets", ANTHEM, case(SPASTICITY, diagnoses=dx("G81.11")), MEETS)
add("spinal origin: cervical spinal cord injury sequela meets", ANTHEM,
    case(SPASTICITY, diagnoses=dx("S14.104S")), MEETS)
add("spinal origin: multiple sclerosis (FY2026 code) meets", ANTHEM,
    case(SPASTICITY, diagnoses=dx("G35.D"), requested=req("62362", "J0475", dos="2026-01-15")), MEETS)
add("baclofen refill for stroke spasticity meets", ANTHEM, case(BACLOFEN_REFILL, diagnoses=dx("I69.351")), MEETS)
add("baclofen refill for hemiplegia meets", ANTHEM, case(BACLOFEN_REFILL, diagnoses=dx("G81.11")), MEETS)
add("not medically necessary: heparin pump does not meet", ANTHEM,
    case(PAIN, diagnoses=dx("I26.99"), requested=req("E0783"), regimen=[{"drug": "heparin"}],
         drop=("intrathecal_trial",)), FAILS, fast=True)
add("not medically necessary: antibiotic pump for osteomyelitis does not meet", ANTHEM,
    case(PAIN, diagnoses=dx("M86.9"), requested=req("E0783"), regimen=[{"drug": "vancomycin"}],
         drop=("intrathecal_trial",)), FAILS)
add("not medically necessary: implantable insulin pump does not meet", ANTHEM,
    case(PAIN, diagnoses=dx("E10.9"), requested=req("E0783"), regimen=[{"drug": "insulin"}],
         drop=("intrathecal_trial",)), FAILS)
add("replacement: battery warns of end of life meets", ANTHEM, REPLACEMENT, MEETS, fast=True)
add("replacement: device malfunction meets", ANTHEM, case(REPLACEMENT, pump__replacement_reason="malfunction"),
    MEETS)
add("replacement: upgrade of a working pump does not meet", ANTHEM,
    case(REPLACEMENT, pump__replacement_reason="upgrade"), FAILS)
add("replacement: convenience does not meet", ANTHEM, case(REPLACEMENT, pump__replacement_reason="convenience"),
    FAILS)
add("replacement: no reason documented pends", ANTHEM, case(REPLACEMENT, drop=("pump.replacement_reason",)), PENDS)
add("Prialt: refractory to systemic opioid, no psychosis meets", ANTHEM, ZICONOTIDE_REFILL, MEETS, fast=True)
add("Prialt: history of psychosis does not meet", ANTHEM,
    case(ZICONOTIDE_REFILL, findings__psychosis_history=True), FAILS)
add("Prialt: no other treatment tried pends", ANTHEM, case(ZICONOTIDE_REFILL, drop=("therapy_history",)), PENDS)
add("Prialt denied pain type: post-operative pain does not meet", ANTHEM,
    case(ZICONOTIDE_REFILL, diagnoses=dx("G89.18")), FAILS)
add("Prialt denied pain type: spasticity from spinal cord trauma does not meet", ANTHEM,
    case(ZICONOTIDE_REFILL, diagnoses=dx("S24.102S")), FAILS)
add("Prialt denied pain type: acute brain injury does not meet", ANTHEM,
    case(ZICONOTIDE_REFILL, diagnoses=dx("S06.2X9A")), FAILS)
ZICONOTIDE_IMPLANT = case(PAIN, diagnoses=dx("G89.29", "M79.7"), requested=req("62362", "J2278"),
                          regimen=[{"drug": "ziconotide", "concentration_mcg_per_ml": 25, "daily_dose_mcg": 2.4}],
                          intrathecal_trial__agent="ziconotide", intrathecal_trial__method="single-bolus")
add("Prialt: implant for severe chronic pain after a successful trial meets", ANTHEM, ZICONOTIDE_IMPLANT, MEETS)
add("Prialt: contraindication to intrathecal use (injection-site infection) at implant does not meet", ANTHEM,
    case(ZICONOTIDE_IMPLANT, findings__injection_site_infection=True), FAILS)
add("Prialt: contraindication to intrathecal use (spinal canal obstruction) at implant does not meet", ANTHEM,
    case(ZICONOTIDE_IMPLANT, findings__spinal_canal_obstruction=True), FAILS)


# ================================================================ eviCore CMM-210
# Non-malignant pain: at least 6 months of provider-directed noninvasive care; a behavioral-health
# attestation (no uncontrolled mental-health or substance problem); agreement to reduce systemic opioids
# by 50% before the intrathecal opioid trial; trial success is >50% pain reduction lasting 8 hours plus
# better function (copies disagree, >= 50% against > 50%: exactly 50% pends for a reviewer, never denies).
# Spasticity: at least 6 weeks of oral antispasmodics plus physical therapy; a baclofen trial with at least a
# 2-point drop in Ashworth or spasm-frequency score for 4 hours. Cancer pain: the trial may be skipped in
# advanced cancer with limited survival, or high procedural risk. Replacement only for a battery at or near
# end of life or an irreparable device, with no evidence of abuse or neglect; not while parts still work.

add("complete non-malignant request meets", EVICORE, PAIN, MEETS, fast=True)
add("trial >50%: 51% meets", EVICORE, case(PAIN, intrathecal_trial__pain_reduction_percent=51), MEETS)
add("trial >50% vs >=50% (copies disagree): exactly 50% pends", EVICORE,
    case(PAIN, intrathecal_trial__pain_reduction_percent=50), PENDS, fast=True)
add("trial >50%: 49% does not meet", EVICORE, case(PAIN, intrathecal_trial__pain_reduction_percent=49), FAILS)
add("trial relief lasting 8 hours: exactly 8 meets", EVICORE, case(PAIN, intrathecal_trial__relief_hours=8), MEETS)
add("trial relief lasting 8 hours: 7 hours does not meet", EVICORE, case(PAIN, intrathecal_trial__relief_hours=7),
    FAILS, fast=True)
add("trial relief lasting 8 hours: duration not documented pends", EVICORE,
    case(PAIN, drop=("intrathecal_trial.relief_hours",)), PENDS)
add("trial with better function: function not improved does not meet", EVICORE,
    case(PAIN, intrathecal_trial__functional_improvement=False), FAILS)
add("trial with better function: function not documented pends", EVICORE,
    case(PAIN, drop=("intrathecal_trial.functional_improvement",)), PENDS)
add("trial required for non-malignant pain: no trial pends", EVICORE, case(PAIN, drop=("intrathecal_trial",)), PENDS)
add("opioid reduction agreement: declined does not meet", EVICORE, case(PAIN, opioid_reduction_agreed=False), FAILS)
add("opioid reduction agreement: not documented pends", EVICORE,
    case(PAIN, drop=("opioid_reduction_agreed", "opioid_reduction_percent")), PENDS, fast=True)
add("opioid reduction by 50%: an agreement to reduce by 30% does not meet", EVICORE,
    case(PAIN, opioid_reduction_percent=30), FAILS)
add("behavioral health: uncontrolled psychiatric disorder does not meet", EVICORE,
    case(PAIN, findings__uncontrolled_psychiatric_disorder=True), FAILS)
add("behavioral health: attestation not documented pends", EVICORE,
    case(PAIN, drop=("findings.uncontrolled_psychiatric_disorder",)), PENDS)
add("six months of noninvasive care: a span of exactly six months meets", EVICORE,
    case(PAIN, therapy_history=[tried("physical therapy", "physical-therapy", start_date="2024-03-01",
                                      end_date="2024-06-01"),
                                tried("oxycodone", "systemic-opioid", start_date="2024-05-15", end_date="2024-09-01")]),
    MEETS)
add("six months of noninvasive care: concurrent treatments spanning three months pend", EVICORE,
    case(PAIN, therapy_history=[tried("physical therapy", "physical-therapy", start_date="2024-09-01",
                                      end_date="2024-12-01"),
                                tried("oxycodone", "systemic-opioid", start_date="2024-09-01", end_date="2024-12-01"),
                                tried("gabapentin", "anticonvulsant", start_date="2024-09-01",
                                      end_date="2024-12-01")]), PENDS, fast=True)
add("six months of noninvasive care: five months pend", EVICORE,
    case(PAIN, therapy_history=[tried("physical therapy", "physical-therapy", start_date="2024-03-01",
                                      end_date="2024-06-01"),
                                tried("oxycodone", "systemic-opioid", start_date="2024-05-15", end_date="2024-08-01")]),
    PENDS)
add("cancer trial waiver: metastatic cancer with limited survival, no trial, meets", EVICORE,
    case(CANCER, cancer={"stage": "metastatic", "limited_survival": True}, life_expectancy_months=4,
         drop=("intrathecal_trial",)), MEETS, fast=True)
add("cancer trial waiver: high procedural risk, no trial, meets", EVICORE,
    case(CANCER, high_procedural_risk=True, drop=("intrathecal_trial",)), MEETS)
add("cancer trial waiver: a cancer code alone does not waive the trial (pends)", EVICORE,
    case(CANCER, drop=("intrathecal_trial",)), PENDS, fast=True)
add("cancer trial waiver: localized cancer without limited survival needs the trial (pends)", EVICORE,
    case(CANCER, cancer={"stage": "localized", "limited_survival": False}, drop=("intrathecal_trial",)), PENDS)
add("cancer trial waiver: advanced cancer whose survival is not limited needs the trial (pends)", EVICORE,
    case(CANCER, cancer={"stage": "metastatic", "limited_survival": False}, drop=("intrathecal_trial",)), PENDS)
add("cancer pain with a successful trial meets", EVICORE,
    case(CANCER, cancer={"stage": "localized", "limited_survival": False}), MEETS)
add("cancer pain: a trial that failed (20%) does not meet", EVICORE,
    case(CANCER, cancer={"stage": "localized", "limited_survival": False},
         intrathecal_trial__pain_reduction_percent=20), FAILS, fast=True)
add("spasticity: oral antispasmodics 6+ weeks and PT, Ashworth -2 for 6 h, meets", EVICORE, SPASTICITY, MEETS,
    fast=True)
add("baclofen trial: Ashworth drop of 1 point does not meet", EVICORE,
    case(SPASTICITY, intrathecal_trial__ashworth_reduction=1), FAILS)
add("baclofen trial: response lasting 4 hours meets", EVICORE, case(SPASTICITY, intrathecal_trial__response_hours=4),
    MEETS)
add("baclofen trial: response lasting 3 hours does not meet", EVICORE,
    case(SPASTICITY, intrathecal_trial__response_hours=3), FAILS)
add("baclofen trial: response duration not documented pends", EVICORE,
    case(SPASTICITY, drop=("intrathecal_trial.response_hours",)), PENDS)
add("baclofen trial: spasm-frequency drop of 2 instead of Ashworth meets", EVICORE,
    case(SPASTICITY, intrathecal_trial__spasm_frequency_reduction=2, drop=("intrathecal_trial.ashworth_reduction",)),
    MEETS, fast=True)
add("baclofen trial: spasm-frequency drop of 1 does not meet", EVICORE,
    case(SPASTICITY, intrathecal_trial__spasm_frequency_reduction=1, drop=("intrathecal_trial.ashworth_reduction",)),
    FAILS)
add("spasticity: physical therapy not documented pends", EVICORE,
    case(SPASTICITY, therapy_history=[SPASTICITY["therapy_history"][0]]), PENDS)
add("spasticity: oral antispasmodics not documented pends", EVICORE,
    case(SPASTICITY, therapy_history=[SPASTICITY["therapy_history"][1]]), PENDS)
add("spasticity from stroke meets", EVICORE, case(SPASTICITY, diagnoses=dx("I69.351")), MEETS)
add("spasticity from spinal cord injury meets", EVICORE, case(SPASTICITY, diagnoses=dx("S24.102S")), MEETS)
add("baclofen refill for stroke spasticity meets", EVICORE, case(BACLOFEN_REFILL, diagnoses=dx("I69.351")), MEETS)
add("replacement: battery at end of life, no abuse or neglect, meets", EVICORE, REPLACEMENT, MEETS, fast=True)
add("replacement: irreparable device meets", EVICORE, case(REPLACEMENT, pump__replacement_reason="irreparable"),
    MEETS)
add("replacement: upgrade while parts work does not meet", EVICORE,
    case(REPLACEMENT, pump__replacement_reason="upgrade"), FAILS)
add("replacement: wireless monitoring only does not meet", EVICORE,
    case(REPLACEMENT, pump__replacement_reason="wireless-monitoring-only"), FAILS)
add("replacement: convenience does not meet", EVICORE, case(REPLACEMENT, pump__replacement_reason="convenience"),
    FAILS)
add("replacement: evidence of abuse or neglect does not meet", EVICORE,
    case(REPLACEMENT, pump__abuse_or_neglect=True), FAILS, fast=True)
add("replacement: abuse or neglect not documented pends", EVICORE,
    case(REPLACEMENT, drop=("pump.abuse_or_neglect",)), PENDS)
add("morphine refill of a working pump meets", EVICORE, PAIN_REFILL, MEETS)


# ================================================================ Aetna CPB 0161
# General conditions: the drug must be given by an implanted pump, is medically necessary, and the pump is
# FDA-approved for it. Baclofen: failed a 6-week trial of noninvasive spasticity control and responded to
# a trial intrathecal dose (bolus up to 100 mcg; no pump without a response); covered conditions spinal
# cord disease or injury, MS, stroke, stiff-person syndrome; baclofen for cancer pain, neuromyotonia or
# RA, or mixed with other agents, is investigational. Pain: IT opioids, ziconotide or clonidine once less
# invasive therapy failed and a trial of 1-2 days showed >=50% relief with acceptable side effects; a
# favorable psychological evaluation for non-malignant pain. Contraindications: active infection, body too
# small, drug allergy, another programmable implant. A replacement whose only new feature is wireless
# monitoring is not medically necessary.

add("complete morphine request meets", AETNA, PAIN, MEETS, fast=True)
add("trial >=50%: exactly 50% meets", AETNA, case(PAIN, intrathecal_trial__pain_reduction_percent=50), MEETS,
    fast=True)
add("trial >=50%: 49% does not meet", AETNA, case(PAIN, intrathecal_trial__pain_reduction_percent=49), FAILS)
add("trial required: no trial pends", AETNA, case(PAIN, drop=("intrathecal_trial",)), PENDS)
add("trial side effects: unacceptable does not meet", AETNA,
    case(PAIN, intrathecal_trial__side_effects_acceptable=False), FAILS)
add("trial side effects: not documented pends", AETNA,
    case(PAIN, drop=("intrathecal_trial.side_effects_acceptable",)), PENDS, fast=True)
add("psychological evaluation (non-malignant): unfavorable does not meet", AETNA,
    case(PAIN, psychological_evaluation__result="unfavorable"), FAILS)
add("psychological evaluation (non-malignant): not documented pends", AETNA,
    case(PAIN, drop=("psychological_evaluation",)), PENDS)
add("psychological evaluation is for non-malignant pain only: cancer pain without one meets", AETNA,
    case(CANCER, drop=("psychological_evaluation",)), MEETS)
add("less invasive therapy failed: none documented pends", AETNA, case(PAIN, drop=("therapy_history",)), PENDS)
add("contraindication: active infection at implant does not meet", AETNA, case(PAIN, findings__active_infection=True),
    FAILS)
add("contraindication: another programmable implant does not meet", AETNA,
    case(PAIN, findings__other_programmable_implant=True), FAILS)
add("contraindication: body too small does not meet", AETNA, case(PAIN, findings__insufficient_body_size=True),
    FAILS)
add("contraindication: allergy to the drug does not meet", AETNA, case(PAIN, findings__drug_allergy=True), FAILS)
add("refill of a working morphine pump meets", AETNA, PAIN_REFILL, MEETS, fast=True)
add("baclofen: spinal cord injury, 6+ weeks oral therapy failed, positive bolus meets", AETNA, SPASTICITY, MEETS,
    fast=True)
add("baclofen: 6-week trial of noninvasive control, exactly 6 weeks meets", AETNA,
    case(SPASTICITY, therapy_history=[tried("oral baclofen", "oral-antispasmodic", duration_weeks=6)]), MEETS)
add("baclofen: noninvasive control not documented pends", AETNA, case(SPASTICITY, drop=("therapy_history",)), PENDS)
add("baclofen: trial intrathecal dose not documented pends", AETNA, case(SPASTICITY, drop=("intrathecal_trial",)),
    PENDS)
add("baclofen: no response at 100 mcg does not meet", AETNA,
    case(SPASTICITY, intrathecal_trial__response="negative", intrathecal_trial__dose_mcg=100,
         intrathecal_trial__ashworth_reduction=0,
         intrathecal_trial__dose_steps=[{"dose_mcg": 50, "response": "negative", "date": "2024-04-04"},
                                        {"dose_mcg": 75, "response": "negative", "date": "2024-04-05"},
                                        {"dose_mcg": 100, "response": "negative", "date": "2024-04-06"}]), FAILS)
add("baclofen: negative at 50 mcg only is an incomplete screening (pends)", AETNA,
    case(SPASTICITY, intrathecal_trial__response="negative", intrathecal_trial__ashworth_reduction=0,
         intrathecal_trial__dose_steps=[{"dose_mcg": 50, "response": "negative", "date": "2024-04-04"}]), PENDS)
add("baclofen covered condition: stroke meets", AETNA, case(SPASTICITY, diagnoses=dx("I69.351")), MEETS)
add("baclofen covered condition: stiff-person syndrome meets", AETNA, case(SPASTICITY, diagnoses=dx("G25.82")),
    MEETS)
add("baclofen covered condition: multiple sclerosis (FY2026 code) meets", AETNA,
    case(SPASTICITY, diagnoses=dx("G35.D"), requested=req("62362", "J0475", dos="2026-01-15")), MEETS)
add("baclofen investigational: rheumatoid arthritis does not meet", AETNA,
    case(SPASTICITY, diagnoses=dx("M06.9")), FAILS)
add("baclofen investigational: cancer pain does not meet", AETNA,
    case(SPASTICITY, diagnoses=dx("C50.919", "G89.3")), FAILS)
add("baclofen investigational: mixed with morphine does not meet", AETNA,
    case(SPASTICITY, requested=req("62362", "J7999"),
         regimen=[{"drug": "baclofen", "concentration_mcg_per_ml": 500, "daily_dose_mcg": 200, "compounded": True},
                  {"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 1, "compounded": True}]),
    FAILS)
add("baclofen label: age 3 does not meet (from 4 years)", AETNA, case(SPASTICITY, patient={"age": 3, "sex": "male"}),
    FAILS)
add("ziconotide label: psychosis history does not meet", AETNA,
    case(ZICONOTIDE_REFILL, findings__psychosis_history=True), FAILS)
add("ziconotide label: age 17 does not meet (adults)", AETNA,
    case(ZICONOTIDE_REFILL, patient={"age": 17, "sex": "female"}), FAILS)
add("ziconotide label: 19.2 mcg/day meets", AETNA,
    case(ZICONOTIDE_REFILL, regimen=[{"drug": "ziconotide", "concentration_mcg_per_ml": 25,
                                      "daily_dose_mcg": 19.2}]), MEETS)
add("ziconotide label: 21.6 mcg/day (above 19.2) does not meet", AETNA,
    case(ZICONOTIDE_REFILL, regimen=[{"drug": "ziconotide", "concentration_mcg_per_ml": 25,
                                      "daily_dose_mcg": 21.6}]), FAILS)
add("replacement: wireless monitoring only does not meet", AETNA,
    case(REPLACEMENT, pump__replacement_reason="wireless-monitoring-only"), FAILS, fast=True)
add("replacement: battery at end of life meets", AETNA, REPLACEMENT, MEETS)
add("catheter revision for a broken catheter of a documented pump meets", AETNA,
    case(PAIN_REFILL, diagnoses=dx("G89.4", "T85.610A"), requested=req("62350", "E0785"),
         catheter={"problem": "breakdown", "date": "2025-02-01"}), MEETS)


# ================================================================ Medicare NCD 280.14 (with LCD L33461, A55239)
# Opioid pump for severe chronic intractable pain, malignant or not: life expectancy at least 3 months;
# history of inadequate response to noninvasive methods (systemic opioids, attempts to remove physical and
# behavioral factors); a preliminary trial through a temporary intrathecal/epidural catheter with acceptable
# relief, acceptable side effects and patient acceptance (no number; no psychological evaluation). Baclofen:
# failed at least a 6-week trial of noninvasive spasm control and a favorable response to a trial intrathecal
# dose. Other uses (ziconotide) need MAC verification, not the opioid pump's life expectancy. Not covered:
# heparin pumps. Contraindications: allergy, active infection, body size, another programmable implant.

CMS_PAIN = case(PAIN, drop=("psychological_evaluation", "opioid_reduction_agreed", "opioid_reduction_percent"),
                specialist_evaluation={"specialty": "neurosurgery", "date": "2024-12-10", "other_treatments_failed": True})
add("complete morphine request without a psychological evaluation meets", CMS, CMS_PAIN, MEETS, fast=True)
add("life expectancy at least 3 months: exactly 3 meets", CMS, case(CMS_PAIN, life_expectancy_months=3), MEETS,
    fast=True)
add("life expectancy at least 3 months: 2 months does not meet", CMS, case(CMS_PAIN, life_expectancy_months=2),
    FAILS, fast=True)
add("life expectancy at least 3 months: not documented pends", CMS, case(CMS_PAIN, drop=("life_expectancy_months",)),
    PENDS)
add("life expectancy is the opioid pump's: ziconotide refill without one meets", CMS,
    case(ZICONOTIDE_REFILL, drop=("life_expectancy_months",)), MEETS)
add("trial through a temporary catheter: epidural catheter meets", CMS,
    case(CMS_PAIN, intrathecal_trial__method="temporary-epidural-catheter", intrathecal_trial__route="epidural",
         planned_route="epidural"), MEETS)
add("trial method not documented pends", CMS, case(CMS_PAIN, drop=("intrathecal_trial.method",)), PENDS)
add("trial side effects: unacceptable does not meet", CMS,
    case(CMS_PAIN, intrathecal_trial__side_effects_acceptable=False), FAILS)
add("trial side effects: not documented pends", CMS,
    case(CMS_PAIN, drop=("intrathecal_trial.side_effects_acceptable",)), PENDS)
add("trial patient acceptance: declined does not meet", CMS, case(CMS_PAIN, intrathecal_trial__patient_acceptance=False),
    FAILS)
add("trial patient acceptance: not documented pends", CMS,
    case(CMS_PAIN, drop=("intrathecal_trial.patient_acceptance",)), PENDS)
add("trial required: no trial pends", CMS, case(CMS_PAIN, drop=("intrathecal_trial",)), PENDS)
add("noninvasive methods: only massage failed pends", CMS,
    case(CMS_PAIN, therapy_history=[tried("massage", "massage", duration_weeks=8)]), PENDS)
add("contraindication: active infection at implant does not meet", CMS,
    case(CMS_PAIN, findings__active_infection=True), FAILS)
add("malignant pain meets", CMS, case(CMS_PAIN, diagnoses=dx("C34.90", "G89.3"), life_expectancy_months=12), MEETS)
add("A55239 specialist evaluation: not documented pends", CMS, case(CMS_PAIN, drop=("specialist_evaluation",)), PENDS)
add("A55239 specialist evaluation: other treatments not failed does not meet", CMS,
    case(CMS_PAIN, specialist_evaluation__other_treatments_failed=False), FAILS)
add("baclofen: 6+ weeks of oral therapy failed, positive bolus meets", CMS, SPASTICITY, MEETS, fast=True)
add("baclofen: stroke spasticity meets", CMS, case(SPASTICITY, diagnoses=dx("I69.351")), MEETS)
add("baclofen: trial intrathecal dose not documented pends", CMS, case(SPASTICITY, drop=("intrathecal_trial",)),
    PENDS)
add("baclofen: noninvasive spasm control not documented pends", CMS, case(SPASTICITY, drop=("therapy_history",)),
    PENDS)
add("baclofen refill for stroke spasticity meets", CMS, case(BACLOFEN_REFILL, diagnoses=dx("I69.351")), MEETS)
add("morphine refill of a working pump meets", CMS, PAIN_REFILL, MEETS)
add("not covered: heparin pump does not meet", CMS,
    case(CMS_PAIN, diagnoses=dx("I26.99"), requested=req("E0783"), regimen=[{"drug": "heparin"}],
         drop=("intrathecal_trial",)), FAILS, fast=True)
add("not covered: implantable insulin pump does not meet", CMS,
    case(CMS_PAIN, diagnoses=dx("E10.9"), requested=req("E0783"), regimen=[{"drug": "insulin"}],
         drop=("intrathecal_trial",)), FAILS)


# ================================================================ second pass: the clauses in combination
# A contradiction outweighs what is missing (DESIGN, decision semantics): where the policy says no, the
# line does not meet even when other records are missing. Also the drug-route and indication pairings.

EPIDURAL_CANCER = case(CANCER, planned_route="epidural", intrathecal_trial__method="temporary-epidural-catheter",
                       intrathecal_trial__route="epidural")
add("FDA-approved route: epidural clonidine with epidural morphine for cancer pain meets", BCBSA,
    case(EPIDURAL_CANCER, requested=req("62362", "J0735", "J2274"),
         regimen=[{"drug": "clonidine", "concentration_mcg_per_ml": 500, "daily_dose_mcg": 720},
                  {"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 5}]), MEETS)
add("FDA-approved indication: epidural clonidine for non-cancer pain does not meet", BCBSA,
    case(PAIN, planned_route="epidural", intrathecal_trial__method="temporary-epidural-catheter",
         intrathecal_trial__route="epidural", requested=req("62362", "J0735", "J2274"),
         regimen=[{"drug": "clonidine", "concentration_mcg_per_ml": 500, "daily_dose_mcg": 720},
                  {"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 5}]),
    {"62362": FAILS, "J0735": FAILS, "J2274": MEETS})  # epidural morphine for chronic pain is on-label
add("FDA-approved route: morphine with intrathecal clonidine does not meet", BCBSA,
    case(PAIN, requested=req("62362", "J7999"),
         regimen=[{"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 1, "compounded": True},
                  {"drug": "clonidine", "concentration_mcg_per_ml": 500, "daily_dose_mcg": 100, "compounded": True}]),
    FAILS)
add("FDA-approved route: sufentanil does not meet", BCBSA,
    case(PAIN, requested=req("62362", "J7999"),
         regimen=[{"drug": "sufentanil", "concentration_mcg_per_ml": 50, "daily_dose_mcg": 20, "compounded": True}]),
    FAILS)
add("FDA-approved route: off-label hydromorphone without a trial does not meet (not pend)", BCBSA,
    case(PAIN, requested=req("62362", "J1170"),
         regimen=[{"drug": "hydromorphone", "concentration_mg_per_ml": 10, "daily_dose_mg": 1}],
         drop=("intrathecal_trial",)), FAILS)
add("head pain excluded: migraine without a trial does not meet (not pend)", BCBSA,
    case(PAIN, diagnoses=dx("G43.909"), drop=("intrathecal_trial", "therapy_history")), FAILS)
add("head pain excluded: tension-type headache does not meet", BCBSA,
    case(PAIN, diagnoses=dx("G44.229", "G89.29")), FAILS)
add("head pain excluded: refill of a pump for chronic migraine does not meet", BCBSA,
    case(PAIN_REFILL, diagnoses=dx("G43.709", "G89.29")), FAILS)
add("morphine for spasticity alone does not meet (no pain indication)", BCBSA,
    case(PAIN, diagnoses=dx("G82.21")), FAILS)
add("oral baclofen effective (spasticity responds) does not meet", BCBSA,
    case(SPASTICITY, therapy_history=[tried("oral baclofen", "oral-antispasmodic", "effective", duration_weeks=8)]),
    FAILS)
add("oral baclofen effective, no screening either: does not meet (not pend)", BCBSA,
    case(SPASTICITY, therapy_history=[tried("oral baclofen", "oral-antispasmodic", "effective", duration_weeks=8)],
         drop=("intrathecal_trial",)), FAILS)
add("label: baclofen screening not documented pends", BCBSA, case(SPASTICITY, drop=("intrathecal_trial",)), PENDS)
add("malignant pain: no trial pends (the policy has no cancer waiver)", BCBSA,
    case(CANCER, drop=("intrathecal_trial",)), PENDS)
add("ziconotide: history of psychosis does not meet", BCBSA,
    case(ZICONOTIDE_REFILL, findings__psychosis_history=True), FAILS)
add("epidural morphine pump after an epidural trial meets", BCBSA,
    case(PAIN, planned_route="epidural", intrathecal_trial__method="temporary-epidural-catheter",
         intrathecal_trial__route="epidural"), MEETS)

add("oral baclofen effective (spasticity responds) does not meet", ANTHEM,
    case(SPASTICITY, therapy_history=[tried("oral baclofen", "oral-antispasmodic", "effective", duration_weeks=8)]),
    FAILS)
add("oral baclofen effective, no screening either: does not meet (not pend)", ANTHEM,
    case(SPASTICITY, therapy_history=[tried("oral baclofen", "oral-antispasmodic", "effective", duration_weeks=8)],
         drop=("intrathecal_trial",)), FAILS)
add("label: baclofen screening negative at 100 mcg does not meet", ANTHEM,
    case(SPASTICITY, intrathecal_trial__response="negative", intrathecal_trial__dose_mcg=100,
         intrathecal_trial__ashworth_reduction=0,
         intrathecal_trial__dose_steps=[{"dose_mcg": 50, "response": "negative", "date": "2024-04-04"},
                                        {"dose_mcg": 75, "response": "negative", "date": "2024-04-05"},
                                        {"dose_mcg": 100, "response": "negative", "date": "2024-04-06"}]), FAILS)
add("label: baclofen screening not documented pends", ANTHEM, case(SPASTICITY, drop=("intrathecal_trial",)), PENDS)
add("trial >50%: 40% without the therapy history does not meet (not pend)", ANTHEM,
    case(PAIN, intrathecal_trial__pain_reduction_percent=40, drop=("therapy_history", "psychological_evaluation")),
    FAILS)
add("malignant pain: no trial pends (the guideline has no cancer waiver)", ANTHEM,
    case(CANCER, drop=("intrathecal_trial",)), PENDS)
add("not medically necessary: heparin pump, even with a pain diagnosis beside it", ANTHEM,
    case(PAIN, diagnoses=dx("I26.99", "G89.29"), requested=req("E0783"), regimen=[{"drug": "heparin"}],
         drop=("intrathecal_trial",)), FAILS)
add("replacement: irreparable device meets", ANTHEM, case(REPLACEMENT, pump__replacement_reason="irreparable"), MEETS)
add("replacement: wireless monitoring only (working parts) does not meet", ANTHEM,
    case(REPLACEMENT, pump__replacement_reason="wireless-monitoring-only"), FAILS)
add("Prialt: ziconotide for spasticity without pain does not meet", ANTHEM,
    case(ZICONOTIDE_REFILL, diagnoses=dx("G82.21")), FAILS)
add("Prialt label: age 17 does not meet (adults)", ANTHEM,
    case(ZICONOTIDE_REFILL, patient={"age": 17, "sex": "male"}), FAILS)
add("Prialt label: 21.6 mcg/day does not meet", ANTHEM,
    case(ZICONOTIDE_REFILL, regimen=[{"drug": "ziconotide", "concentration_mcg_per_ml": 25, "daily_dose_mcg": 21.6}]),
    FAILS)

add("trial >50%: 49% with the relief duration missing does not meet (not pend)", EVICORE,
    case(PAIN, intrathecal_trial__pain_reduction_percent=49, drop=("intrathecal_trial.relief_hours",)), FAILS)
add("opioid reduction declined, no trial yet: does not meet (not pend)", EVICORE,
    case(PAIN, opioid_reduction_agreed=False, drop=("intrathecal_trial",)), FAILS)
add("uncontrolled psychiatric disorder, six months not documented: does not meet (not pend)", EVICORE,
    case(PAIN, findings__uncontrolled_psychiatric_disorder=True, drop=("therapy_history",)), FAILS)
add("opioid reduction agreement is for an opioid trial: ziconotide without one meets", EVICORE,
    case(PAIN, diagnoses=dx("G89.29", "M79.7"), requested=req("62362", "J2278"),
         regimen=[{"drug": "ziconotide", "concentration_mcg_per_ml": 25, "daily_dose_mcg": 2.4}],
         intrathecal_trial__agent="ziconotide", intrathecal_trial__method="single-bolus",
         drop=("opioid_reduction_agreed", "opioid_reduction_percent")), MEETS)
add("cancer pain: six months of noninvasive care not required", EVICORE,
    case(CANCER, therapy_history=[tried("oral morphine", "systemic-opioid", "intolerant", start_date="2024-12-01",
                                        end_date="2025-01-01")]), MEETS)
add("cancer pain: opioid reduction agreement not required", EVICORE,
    case(CANCER, drop=("opioid_reduction_agreed", "opioid_reduction_percent")), MEETS)
add("cancer trial waiver: stated advanced cancer with limited survival meets", EVICORE,
    case(CANCER, cancer={"stage": "advanced", "limited_survival": True}, drop=("intrathecal_trial",)), MEETS)
add("cancer trial waiver: secondary malignant neoplasm with limited survival meets", EVICORE,
    case(CANCER, diagnoses=dx("C34.90", "C78.7", "G89.3"), cancer={"limited_survival": True},
         drop=("intrathecal_trial",)), MEETS)
add("cancer trial waiver: limited survival stated false, no high risk, trial failed: does not meet", EVICORE,
    case(CANCER, cancer={"stage": "metastatic", "limited_survival": False},
         intrathecal_trial__pain_reduction_percent=10), FAILS)
add("spasticity: exactly six weeks of oral antispasmodics meets", EVICORE,
    case(SPASTICITY, therapy_history=[tried("oral baclofen", "oral-antispasmodic", duration_weeks=6),
                                      SPASTICITY["therapy_history"][1]]), MEETS)
add("spasticity: Ashworth drop of 1 without the response duration does not meet (not pend)", EVICORE,
    case(SPASTICITY, intrathecal_trial__ashworth_reduction=1, drop=("intrathecal_trial.response_hours",)), FAILS)
add("spasticity: spastic cerebral palsy meets", EVICORE, case(SPASTICITY, diagnoses=dx("G80.0")), MEETS)
add("replacement: upgrade with abuse or neglect not documented does not meet (not pend)", EVICORE,
    case(REPLACEMENT, pump__replacement_reason="upgrade", drop=("pump.abuse_or_neglect",)), FAILS)
add("replacement: abuse or neglect with the reason not documented does not meet (not pend)", EVICORE,
    case(REPLACEMENT, pump__abuse_or_neglect=True, drop=("pump.replacement_reason",)), FAILS)
add("six months of noninvasive care: injections and stimulation are not noninvasive (pends)", EVICORE,
    case(PAIN, therapy_history=[tried("physical therapy", "physical-therapy", start_date="2024-03-01",
                                      end_date="2024-04-01"),
                                tried("epidural steroid injections", "injection", start_date="2024-03-01",
                                      end_date="2024-11-01"),
                                tried("spinal cord stimulator", "spinal-cord-stimulation", start_date="2024-05-01",
                                      end_date="2024-12-01")]), PENDS)
add("spasticity: two oral antispasmodics side by side for three weeks are not six weeks (pends)", EVICORE,
    case(SPASTICITY, therapy_history=[
        tried("oral baclofen", "oral-antispasmodic", start_date="2024-01-02", end_date="2024-01-23"),
        tried("tizanidine", "oral-antispasmodic", start_date="2024-01-02", end_date="2024-01-23"),
        SPASTICITY["therapy_history"][1]]), PENDS)
add("baclofen refill for brain injury spasticity meets", EVICORE,
    case(BACLOFEN_REFILL, diagnoses=dx("S06.2X9S")), MEETS)
add("trial by the same route: a bolus whose route is not documented pends", BCBSA,
    case(PAIN, intrathecal_trial__method="single-bolus", drop=("intrathecal_trial.route",)), PENDS)
add("trial by the same route: an epidural bolus for an intrathecal pump does not meet", BCBSA,
    case(PAIN, intrathecal_trial__method="single-bolus", intrathecal_trial__route="epidural"), FAILS)
add("trial by the same route: an epidural bolus for an intrathecal pump does not meet", ANTHEM,
    case(PAIN, intrathecal_trial__method="single-bolus", intrathecal_trial__route="epidural"), FAILS)
add("supplies follow the pump: a refill kit for an off-label hydromorphone refill does not meet", BCBSA,
    case(PAIN_REFILL, requested=req("62370", "J7999", "A4220"),
         regimen=[{"drug": "hydromorphone", "concentration_mg_per_ml": 10, "daily_dose_mg": 2, "compounded": True}]),
    FAILS)
add("supplies follow the pump: a refill kit for a morphine refill meets", ANTHEM,
    case(PAIN_REFILL, requested=req("62370", "J2274", "A4220")), MEETS)
add("baclofen refill for brain injury spasticity meets", ANTHEM, case(BACLOFEN_REFILL, diagnoses=dx("S06.2X9S")),
    MEETS)
add("baclofen refill for cerebral palsy meets", AETNA, case(BACLOFEN_REFILL, diagnoses=dx("G80.0")), MEETS)
add("six months of noninvasive care: two one-month treatments nine months apart are not six months (pends)", EVICORE,
    case(PAIN, therapy_history=[tried("physical therapy", "physical-therapy", start_date="2024-01-02",
                                      end_date="2024-02-02"),
                                tried("oxycodone", "systemic-opioid", start_date="2024-10-01", end_date="2024-11-01")]),
    PENDS, fast=True)
add("FDA-approved route and indication: ziconotide for cancer pain meets", BCBSA,
    case(CANCER, requested=req("62362", "J2278"),
         regimen=[{"drug": "ziconotide", "concentration_mcg_per_ml": 25, "daily_dose_mcg": 2.4}],
         intrathecal_trial__agent="ziconotide", intrathecal_trial__method="single-bolus"), MEETS)
add("scope: a systemic pump refill (96522) is out of scope", BCBSA,
    case(PAIN_REFILL, requested=req("62370", "J2274", "96522")),
    {"62370": MEETS, "J2274": MEETS, "96522": OUT})
add("scope: a systemic pump refill (96522) is out of scope", ANTHEM,
    case(PAIN_REFILL, requested=req("62370", "J2274", "96522")),
    {"62370": MEETS, "J2274": MEETS, "96522": OUT})
add("scope: a systemic pump refill (96522) is out of scope", EVICORE,
    case(PAIN_REFILL, requested=req("62370", "J2274", "96522")),
    {"62370": MEETS, "J2274": MEETS, "96522": OUT})
add("scope: home-infusion per diem (S9328, a commercial code) is out of scope under Medicare", CMS,
    case(PAIN_REFILL, requested=req("62370", "J2274", "S9328")),
    {"62370": MEETS, "J2274": MEETS, "S9328": OUT})

add("other uses, pump labeling: ziconotide in a pump its label does not list does not meet", CMS,
    case(ZICONOTIDE_REFILL, pump__device="Prometra II"), FAILS, fast=True)
add("other uses, pump labeling: ziconotide in a SynchroMed II meets", CMS, ZICONOTIDE_REFILL, MEETS)
add("general condition 3, pump FDA-approved for the drug: ziconotide in a Prometra II does not meet", AETNA,
    case(ZICONOTIDE_REFILL, pump__device="Prometra II"), FAILS)
add("trial through a temporary catheter: a single bolus is not one (does not meet)", CMS,
    case(CMS_PAIN, intrathecal_trial__method="single-bolus"), FAILS)
add("replacement only at battery end of life or when irreparable: a malfunction alone pends", EVICORE,
    case(REPLACEMENT, pump__replacement_reason="malfunction"), PENDS)
add("baclofen trial: a positive bolus without the score pends", EVICORE,
    case(SPASTICITY, drop=("intrathecal_trial.ashworth_reduction",)), PENDS)
add("baclofen trial up to 100 mcg: a response only at 125 mcg does not meet", AETNA,
    case(SPASTICITY, intrathecal_trial__dose_mcg=125), FAILS)
add("cancer trial waiver: cancer in remission is not advanced (pends without a trial)", EVICORE,
    case(CANCER, cancer={"stage": "remission", "limited_survival": True}, drop=("intrathecal_trial",)), PENDS)
add("opioid reduction by 50%: the agreed amount not documented pends", EVICORE,
    case(PAIN, drop=("opioid_reduction_percent",)), PENDS)
add("baclofen for back pain does not meet", ANTHEM, case(SPASTICITY, diagnoses=dx("M54.50", "G89.29")), FAILS)
add("baclofen for back pain does not meet", EVICORE, case(SPASTICITY, diagnoses=dx("M54.50", "G89.29")), FAILS)
add("life expectancy is the opioid pump's: a baclofen pump without one meets", CMS,
    case(SPASTICITY, drop=("life_expectancy_months",)), MEETS)
add("temporary trial, opioid or non-opioid: a hydromorphone trial before a morphine pump meets", BCBSA,
    case(PAIN, intrathecal_trial__agent="hydromorphone"), MEETS)
add("temporary trial, opioid or non-opioid: a ziconotide bolus before a morphine pump meets", BCBSA,
    case(PAIN, intrathecal_trial__agent="ziconotide", intrathecal_trial__method="single-bolus"), MEETS)
add("FDA-approved for route and indication: baclofen mixed with morphine at a refill does not meet", BCBSA,
    case(BACLOFEN_REFILL, requested=req("62370", "J7999"),
         regimen=[{"drug": "baclofen", "concentration_mcg_per_ml": 500, "daily_dose_mcg": 300, "compounded": True},
                  {"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 1, "compounded": True}]),
    FAILS)
add("other uses investigational: morphine for neuromyotonia does not meet", BCBSA,
    case(PAIN, diagnoses=dx("G71.19")), FAILS)
add("oral baclofen still being taken (not failed) pends", ANTHEM,
    case(SPASTICITY, therapy_history=[tried("oral baclofen", "oral-antispasmodic", "ongoing")]), PENDS)
add("life expectancy is UNCONFIRMED for Aetna (never blocks): none documented meets", AETNA,
    case(PAIN, drop=("life_expectancy_months",)), MEETS)
add("contraindication at a refill (DESIGN: placement ones warn): active infection meets with a warning", AETNA,
    case(PAIN_REFILL, findings__active_infection=True), MEETS)
add("contraindication of the drug itself at a refill: allergy to morphine does not meet", AETNA,
    case(PAIN_REFILL, findings__drug_allergy=True), FAILS)
add("psychological evaluation must be favorable: a conditional one pends", AETNA,
    case(PAIN, psychological_evaluation__result="conditional"), PENDS)
add("physical and behavioral factors: only drugs tried (non-malignant) pends", CMS,
    case(CMS_PAIN, therapy_history=[PAIN["therapy_history"][2], PAIN["therapy_history"][3]]), PENDS)
add("terminal malignancy, less weight on behavioral approaches: metastatic cancer with limited survival meets", CMS,
    case(CMS_PAIN, diagnoses=dx("C34.90", "G89.3"), life_expectancy_months=5,
         cancer={"stage": "metastatic", "limited_survival": True}, therapy_history=[PAIN["therapy_history"][2]]), MEETS)
add("A55239 oral or subcutaneous treatment ineffective: only therapy and exercise tried pends", CMS,
    case(CMS_PAIN, therapy_history=[PAIN["therapy_history"][0], PAIN["therapy_history"][1]]), PENDS)
add("acceptable relief (no number): 50% meets", CMS, case(CMS_PAIN, intrathecal_trial__pain_reduction_percent=50),
    MEETS)
add("acceptable relief (no number): 30% pends for a reviewer, never denies", CMS,
    case(CMS_PAIN, intrathecal_trial__pain_reduction_percent=30), PENDS)
add("acceptable relief: no relief at all does not meet", CMS,
    case(CMS_PAIN, intrathecal_trial__pain_reduction_percent=0), FAILS)
add("trial >50%: exactly 50% without the therapy history does not meet (not pend)", BCBSA,
    case(PAIN, intrathecal_trial__pain_reduction_percent=50, drop=("therapy_history",)), FAILS)
add("Prialt: a psychotic disorder diagnosed (schizophrenia) is a history of psychosis: does not meet", ANTHEM,
    case(ZICONOTIDE_REFILL, diagnoses=dx("G89.29", "M79.7", "F20.9"), drop=("findings.psychosis_history",)), FAILS,
    fast=True)
add("ziconotide label: a psychotic disorder diagnosed does not meet", BCBSA,
    case(ZICONOTIDE_REFILL, diagnoses=dx("G89.29", "M79.7", "F20.9"), drop=("findings.psychosis_history",)), FAILS)
add("ziconotide label: a psychotic disorder diagnosed does not meet", EVICORE,
    case(ZICONOTIDE_REFILL, diagnoses=dx("G89.29", "M79.7", "F25.0"), drop=("findings.psychosis_history",)), FAILS)
add("ziconotide label: a depressive disorder without psychosis is not a history of psychosis", AETNA,
    case(ZICONOTIDE_REFILL, diagnoses=dx("G89.29", "M79.7", "F33.1")), MEETS)

# ================================================================ the test

@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(clock=lambda: datetime(2026, 12, 7, tzinfo=timezone.utc))


@pytest.mark.parametrize(("policy", "form", "expected"), CASES)
def test_reviewer_case(engine: Engine, policy: str, form: dict, expected: dict[str, str]) -> None:
    det = engine.decide(load_case(json.dumps({**form, "id": "reviewer-case", "policy": policy})))
    got = {line.code: str(line.outcome) for line in det.lines}
    assert got == expected, [f"{line.code}: {a.name}: {a.state}" for line in det.lines for a in line.criteria
                             if a.severity == "violation" and str(a.state) != "met"]
