"""What each criterion means clinically (issue 7): one reviewer-style case per rule.

Each test is a case a utilization reviewer would recognise, sent through the engine as the JSON case
form; it asserts the outcome per code and the words of the reason.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reasoner.determination import Determination
from reasoner.engine import Engine
from reasoner.loading import load_case, load_case_file
from reasoner.knowledge.paths import data_root
from reasoner.knowledge.vocabulary import CriterionState

CASES = data_root("cases")
NONE_PRESENT = {"active_infection": False, "injection_site_infection": False, "coagulopathy": False,
                "drug_allergy": False, "other_programmable_implant": False, "insufficient_body_size": False}


class BothPaths:
    """The engine of every test here: it decides each case on the compiled fast path and on the pyshacl
    reference at the same decision time, fails the test when the two determinations differ in anything
    (issue 12: every reviewer-style case gives the same determination on both paths), and returns one."""

    def __init__(self) -> None:
        self.fast = Engine.load(validator="fast")
        # the fast tier decides on the fast path only; the slow tier runs these modules again with
        # NECESSITY_TEST_REFERENCE=1 (tests/test_reference_agreement.py), comparing every case with pyshacl
        self.reference = Engine(self.fast.knowledge, validator="pyshacl") \
            if os.environ.get("NECESSITY_TEST_REFERENCE") == "1" else None

    def decide(self, case, **options) -> Determination:
        options.setdefault("decided_at", self.fast.clock())
        fast = self.fast.decide(case, **options)
        if self.reference is not None:
            assert fast.to_dict() == self.reference.decide(case, **options).to_dict()
        return fast


@pytest.fixture(scope="module")
def engine() -> BothPaths:
    return BothPaths()


def _form(name: str) -> dict:
    return json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))


def _facts(facts) -> list[str]:
    out = []
    for fact in facts:
        out.append(fact.text)
        out.extend(_facts(fact.items))
    return out


def _cites(citations) -> list[dict]:
    return [{"source": c.source_id, "title": c.title, "locator": c.locator} for c in citations]


def view(det: Determination) -> dict:
    """The typed determination seen as the reviewer reads it: per criterion and state, across lines."""
    by_state: dict[str, dict[str, dict]] = {"met": {}, "unmet": {}, "undocumented": {}}
    names = {CriterionState.CriterionMet: "met", CriterionState.CriterionNotMet: "unmet",
             CriterionState.CriterionNotDocumented: "undocumented"}
    lines = []
    for line in det.lines:
        criteria = {"met": [], "unmet": [], "undocumented": []}
        for c in line.criteria:
            key = names[c.state]
            if key == "unmet" and c.severity != "violation":
                continue  # a warning whose condition is documented is not met, but it blocks nothing
            criteria[key].append(c.criterion)
            entry = by_state[key].setdefault(c.criterion, {
                "criterion": c.criterion, "name": c.name, "message": " ".join(c.messages),
                "messages": list(c.messages), "values": [], "facts": [], "lines": [], "citations": []})
            entry["lines"].append(line.code)
            entry["values"] += [t for t in _facts(c.facts) if t not in entry["values"]]
            entry["facts"] = entry["values"]
            entry["citations"] += [x for x in _cites(c.citations) if x not in entry["citations"]]
        lines.append({"code": line.code, "outcome": str(line.outcome), "request_kind": line.request_kind.label,
                      "criteria": criteria, "reasons": [r.text for r in line.reasons]})
    return {
        "lines": lines,
        "unmet_criteria": list(by_state["unmet"].values()),
        "met_criteria": list(by_state["met"].values()),
        "missing_documentation": [{**m.model_dump(mode="json"), "citations": _cites(m.citations)}
                                  for m in det.missing_documentation],
        "warnings": [{**w.model_dump(mode="json"), "citations": _cites(w.citations)} for w in det.warnings],
        "advisories": [{**a.model_dump(mode="json"), "citations": _cites(a.citations)} for a in det.advisories],
        "safety_notices": [{**n.model_dump(mode="json"), "citations": _cites(n.citations)}
                           for n in det.safety_notices],
        "unknown": det.unknown.model_dump(mode="json"),
    }


def decide(engine: BothPaths, form: dict, **changes) -> dict:
    form = copy.deepcopy(form)
    form.update(changes)
    return view(engine.decide(load_case(json.dumps(form))))


def outcomes(det: dict) -> dict:
    return {line["code"]: line["outcome"] for line in det["lines"]}


def text(det: dict) -> str:
    parts = [u["message"] + " " + u["name"] for u in det["unmet_criteria"]]
    parts += [m["name"] + " " + " ".join(m["messages"]) for m in det["missing_documentation"]]
    parts += [w["message"] for w in det["warnings"]] + [a["message"] for a in det["advisories"]]
    return " ".join(parts)


# ---------------------------------------------------------------- indication from the diagnoses

def test_baclofen_refill_for_back_pain_is_refused_with_label_and_policy(engine: BothPaths) -> None:
    det = decide(engine, _form("020-baclofen-for-pain"))
    assert outcomes(det) == {"J0475": "does-not-meet", "62370": "does-not-meet"}
    unmet = [u for u in det["unmet_criteria"] if u["criterion"].endswith("crit-indication")]
    assert unmet and "not approved or covered" in unmet[0]["message"]
    assert "baclofen label indication" in unmet[0]["values"]
    sources = {c["source"] for c in unmet[0]["citations"]}
    assert {"FDA-GABLOFEN-LABEL", "AETNA-CPB-0161"} <= sources


def test_baclofen_implant_for_pain_only_is_refused_under_medicare_too(engine: BothPaths) -> None:
    form = _form("010-baclofen-trial-spasticity")
    det = decide(engine, form, policy="cms-ncd-280.14",
                 diagnoses=[{"code": "G89.4", "system": "ICD-10-CM"}])
    assert outcomes(det) == {"62362": "does-not-meet", "J0475": "does-not-meet"}
    unmet = [u for u in det["unmet_criteria"] if u["criterion"].endswith("crit-indication")]
    assert {"CMS-NCD-280.14", "FDA-GABLOFEN-LABEL"} <= {c["source"] for c in unmet[0]["citations"]}
    assert "AETNA-CPB-0161" not in {c["source"] for c in unmet[0]["citations"]}


def test_drug_line_without_any_diagnosis_is_pended(engine: BothPaths) -> None:
    det = decide(engine, _form("004-morphine-established-pump"), diagnoses=[])
    assert outcomes(det) == {"J2274": "insufficient-documentation", "S9328": "insufficient-documentation"}
    assert "No diagnosis documents an indication" in text(det)


def test_hydromorphone_for_pain_is_covered_as_an_opioid(engine: BothPaths) -> None:
    det = decide(engine, _form("001-hydromorphone-refill"))
    assert outcomes(det) == {"J7999": "meets-criteria", "62370": "meets-criteria"}


# ---------------------------------------------------------------- neoplasms

def test_benign_vertebral_tumour_is_not_malignant_pain(engine: BothPaths) -> None:
    det = decide(engine, _form("021-benign-tumour-implant"))
    assert outcomes(det) == {"62362": "insufficient-documentation", "J2274": "insufficient-documentation"}
    assert any(m["criterion"].endswith("crit-psychological-evaluation") for m in det["missing_documentation"])


def test_carcinoma_is_malignant_pain_without_psychological_evaluation(engine: BothPaths) -> None:
    det = decide(engine, _form("013-cancer-pain-initial"))
    assert outcomes(det) == {"62362": "meets-criteria", "J2274": "meets-criteria"}


def test_uncertain_behaviour_neoplasm_is_flagged_for_the_reviewer(engine: BothPaths) -> None:
    form = _form("021-benign-tumour-implant")
    form["diagnoses"] = [{"code": "D43.4", "system": "ICD-10-CM"}, {"code": "G89.29", "system": "ICD-10-CM"}]
    form["psychological_evaluation"] = {"date": "2025-12-01", "result": "favorable"}
    det = decide(engine, form)
    assert outcomes(det) == {"62362": "meets-criteria", "J2274": "meets-criteria"}
    assert "uncertain or unspecified behavior" in text(det)


# ---------------------------------------------------------------- absence is never met; placement scope

def test_implant_with_no_findings_is_pended_not_approved(engine: BothPaths) -> None:
    det = decide(engine, _form("022-no-findings-implant"))
    assert outcomes(det) == {"62362": "insufficient-documentation", "J2274": "insufficient-documentation"}
    assert "active infection and uncontrolled bleeding or anticoagulation are ruled out" in text(det)
    assert any(w["criterion"].endswith("crit-listed-contraindications-addressed") for w in det["warnings"])
    met = {m["criterion"].rsplit("#", 1)[-1] for m in det["met_criteria"]}
    assert not met & {"crit-neuraxial-safety", "crit-no-placement-contraindication", "crit-no-drug-contraindication"}
    line = det["lines"][0]
    assert any(c.endswith("crit-neuraxial-safety") for c in line["criteria"]["undocumented"])


def test_missing_dose_is_never_within_the_label_maximum(engine: BothPaths) -> None:
    form = _form("000-ziconotide-refill")
    form["regimen"] = [{"drug": "ziconotide", "concentration_mcg_per_ml": 25}]
    det = decide(engine, form)
    assert not any(m["criterion"].endswith("crit-label-max-dose") for m in det["met_criteria"])
    assert "daily dose of a drug with a label maximum is not documented" in text(det)


def test_coagulopathy_blocks_an_implant(engine: BothPaths) -> None:
    det = decide(engine, _form("024-coagulopathy-implant"))
    assert outcomes(det) == {"62362": "does-not-meet", "J2274": "does-not-meet"}
    unmet = [u for u in det["unmet_criteria"] if u["criterion"].endswith("crit-no-placement-contraindication")]
    assert unmet and "coagulopathy condition" in unmet[0]["values"]


def test_coagulopathy_on_a_refill_asks_for_urgent_review(engine: BothPaths) -> None:
    det = view(engine.decide(load_case_file(CASES / "023-coagulopathy-refill.ttl")))
    assert outcomes(det) == {"J2274": "meets-criteria", "62370": "meets-criteria"}
    assert "urgent clinical review" in text(det) and det["unmet_criteria"] == []


def test_infection_on_a_baclofen_refill_is_not_a_denial(engine: BothPaths) -> None:
    form = _form("020-baclofen-for-pain")
    form["diagnoses"] = [{"code": "G80.0", "system": "ICD-10-CM"}]
    form["findings"] = {"active_infection": True}
    det = decide(engine, form)
    assert outcomes(det) == {"J0475": "meets-criteria", "62370": "meets-criteria"}
    assert "urgent clinical review" in text(det)


def test_psychosis_history_refuses_every_ziconotide_line(engine: BothPaths) -> None:
    det = view(engine.decide(load_case_file(CASES / "011-ziconotide-psychosis.json")))
    assert outcomes(det) == {"J2278": "does-not-meet", "62369": "does-not-meet"}
    assert det["safety_notices"] == []   # ziconotide can be stopped without withdrawal


def test_hypersensitivity_refuses_a_morphine_refill(engine: BothPaths) -> None:
    det = decide(engine, _form("004-morphine-established-pump"), findings={"drug_allergy": True})
    assert outcomes(det) == {"J2274": "does-not-meet", "S9328": "does-not-meet"}


# ---------------------------------------------------------------- safety notice

def test_refused_baclofen_refill_carries_the_withdrawal_notice(engine: BothPaths) -> None:
    det = decide(engine, _form("020-baclofen-for-pain"))
    [notice] = det["safety_notices"]
    assert notice["drug"] == "baclofen" and notice["lines"] == ["62370", "J0475"]
    assert "Do not stop intrathecal baclofen abruptly" in notice["message"]
    assert {"FDA-GABLOFEN-LABEL"} <= {c["source"] for c in notice["citations"]}
    letter = engine.decide(load_case_file(CASES / "020-baclofen-for-pain.json"))
    from reasoner.cli.render import render_letter
    assert "Safety notice" in render_letter(letter)


def test_pended_morphine_refill_without_pump_record_carries_the_notice(engine: BothPaths) -> None:
    det = view(engine.decide(load_case_file(CASES / "002-morphine-no-pump.json")))
    assert [n["drug"] for n in det["safety_notices"]] == ["morphine"]
    assert "opioid withdrawal" in det["safety_notices"][0]["message"]


def test_approved_refill_carries_no_notice(engine: BothPaths) -> None:
    assert engine.decide(load_case_file(CASES / "004-morphine-established-pump.json")).safety_notices == []


# ---------------------------------------------------------------- trials and ages from the labels

def test_baclofen_screening_negative_at_50_mcg_is_incomplete(engine: BothPaths) -> None:
    det = decide(engine, _form("025-baclofen-screening-50-negative"))
    assert outcomes(det) == {"62362": "insufficient-documentation", "J0475": "insufficient-documentation"}
    assert "escalates 50, 75 and 100 mcg" in text(det)


def test_baclofen_screening_negative_at_100_mcg_is_not_a_candidate(engine: BothPaths) -> None:
    det = decide(engine, _form("026-baclofen-screening-100-negative"))
    assert outcomes(det) == {"62362": "does-not-meet", "J0475": "does-not-meet"}
    assert "not a candidate" in text(det)


def test_single_negative_bolus_at_50_without_steps_is_incomplete(engine: BothPaths) -> None:
    form = _form("010-baclofen-trial-spasticity")
    form["intrathecal_trial"] = dict(form["intrathecal_trial"], response="negative")
    det = decide(engine, form)
    assert outcomes(det) == {"62362": "insufficient-documentation", "J0475": "insufficient-documentation"}


def test_baclofen_for_a_two_year_old_is_refused(engine: BothPaths) -> None:
    det = decide(engine, _form("010-baclofen-trial-spasticity"), patient={"age": 2, "sex": "male"})
    assert outcomes(det) == {"62362": "does-not-meet", "J0475": "does-not-meet"}
    assert "younger than the drug's label covers" in text(det)


def test_ziconotide_for_a_minor_is_refused(engine: BothPaths) -> None:
    det = decide(engine, _form("000-ziconotide-refill"), patient={"age": 16, "sex": "female"})
    assert outcomes(det)["J2278"] == "does-not-meet"


def test_intrathecal_morphine_under_18_is_a_warning(engine: BothPaths) -> None:
    det = decide(engine, _form("004-morphine-established-pump"), patient={"age": 15, "sex": "male"})
    assert outcomes(det) == {"J2274": "meets-criteria", "S9328": "meets-criteria"}
    assert "not for patients under 18" in text(det)


# ---------------------------------------------------------------- device procedures

def test_catheter_revision_for_breakdown_is_judged_as_a_revision(engine: BothPaths) -> None:
    det = decide(engine, _form("027-catheter-revision"))
    assert outcomes(det) == {"62350": "meets-criteria", "E0785": "meets-criteria"}
    assert {line["request_kind"] for line in det["lines"]} == {"catheter revision"}
    assert "T85.610A" not in {u["code"] for u in det["unknown"]["codes"]}


def test_catheter_revision_without_a_problem_is_pended(engine: BothPaths) -> None:
    form = _form("027-catheter-revision")
    form["diagnoses"] = [{"code": "G89.4", "system": "ICD-10-CM"}]
    del form["catheter"]
    det = decide(engine, form)
    assert outcomes(det) == {"62350": "insufficient-documentation", "E0785": "insufficient-documentation"}
    assert "No catheter problem is documented" in text(det)


def _replacement(reason: str) -> dict:
    form = _form("027-catheter-revision")
    form["id"] = "replacement"
    form["requested"] = [{"code": "62362", "system": "CPT", "units": 1}, {"code": "E0786", "system": "HCPCS", "units": 1}]
    form["pump"] = dict(form["pump"], replacement_reason=reason)
    return form


def test_aetna_refuses_a_replacement_only_for_wireless_monitoring(engine: BothPaths) -> None:
    det = decide(engine, _replacement("wireless-monitoring-only"))
    assert outcomes(det) == {"62362": "does-not-meet", "E0786": "does-not-meet"}
    assert "wireless monitoring" in text(det)


@pytest.mark.parametrize("reason", ["battery-end-of-life", "convenience", "upgrade"])
def test_aetna_replacement_says_only_what_aetna_says(engine: BothPaths, reason: str) -> None:
    det = decide(engine, _replacement(reason))
    assert outcomes(det) == {"62362": "meets-criteria", "E0786": "meets-criteria"}
    cited = {c["source"] for u in det["met_criteria"] for c in u["citations"]}
    assert "ANTHEM-CG-SURG-79" not in cited


def test_removal_needs_the_device_documented(engine: BothPaths) -> None:
    form = _form("027-catheter-revision")
    form["requested"] = [{"code": "62365", "system": "CPT", "units": 1}]
    assert outcomes(decide(engine, form)) == {"62365": "meets-criteria"}
    form.pop("pump"), form.pop("catheter")
    form["diagnoses"] = [{"code": "G89.4", "system": "ICD-10-CM"}]
    assert outcomes(decide(engine, form)) == {"62365": "insufficient-documentation"}


# ---------------------------------------------------------------- codes as billed

def test_bare_g35_in_2026_asks_for_the_specific_code(engine: BothPaths) -> None:
    det = decide(engine, _form("028-bare-g35-implant"))
    assert outcomes(det) == {"62362": "insufficient-documentation", "J0475": "insufficient-documentation"}
    assert "send the specific billable code" in text(det)


def test_bare_g35_before_october_2025_is_billable(engine: BothPaths) -> None:
    form = _form("028-bare-g35-implant")
    for line in form["requested"]:
        line["dates_of_service"] = ["2025-06-10"]
    assert outcomes(decide(engine, form)) == {"62362": "meets-criteria", "J0475": "meets-criteria"}


def test_category_with_subcodes_is_not_billable(engine: BothPaths) -> None:
    det = decide(engine, _form("013-cancer-pain-initial"),
                 diagnoses=[{"code": "C34.90", "system": "ICD-10-CM"}, {"code": "G89.2", "system": "ICD-10-CM"}])
    assert set(outcomes(det).values()) == {"insufficient-documentation"}


def test_seventh_character_code_without_it_is_not_billable(engine: BothPaths) -> None:
    form = _form("027-catheter-revision")
    form["diagnoses"] = [{"code": "T85.610", "system": "ICD-10-CM"}, {"code": "G89.4", "system": "ICD-10-CM"}]
    assert set(outcomes(decide(engine, form)).values()) == {"insufficient-documentation"}


# ---------------------------------------------------------------- billing coherence (never blocking)

def test_admixture_billed_as_a_j_code_under_medicare_is_advised(engine: BothPaths) -> None:
    det = view(engine.decide(load_case_file(CASES / "029-admixture-billed-as-j-code.jsonld")))
    assert outcomes(det) == {"J2274": "meets-criteria", "62370": "meets-criteria"}
    words = text(det)
    assert "A54100" in words and "modifier KD" in words and "refill interval" in words


def test_absurd_ziconotide_units_are_advised(engine: BothPaths) -> None:
    form = _form("000-ziconotide-refill")
    form["requested"][0]["units"] = 100000
    form["regimen"] = [{"drug": "ziconotide", "concentration_mcg_per_ml": 25, "daily_dose_mcg": 3}]
    det = decide(engine, form)
    assert outcomes(det) == {"J2278": "meets-criteria", "62369": "meets-criteria"}
    assert any(a["criterion"].endswith("crit-billing-units") for a in det["advisories"])


def _billing_units_advised(det: dict) -> bool:
    return any(a["criterion"].endswith("crit-billing-units") for a in det["advisories"])


def test_units_are_counted_per_fill_over_the_dates_of_service(engine: BothPaths) -> None:
    """Issue 23: 30 units of J2274 (300 mg) at 1 mg/day last 300 days in one fill, past the 6-month
    interval; shared over two dates of service (two fills) they last 150 days each, no advisory."""
    form = _form("004-morphine-established-pump")
    form["requested"] = [{"code": "J2274", "system": "HCPCS", "units": 30}]
    form["regimen"] = [{"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 1}]
    one_fill = decide(engine, form)
    assert outcomes(one_fill) == {"J2274": "meets-criteria"} and _billing_units_advised(one_fill)
    form["requested"][0]["dates_of_service"] = ["2026-01-12", "2026-06-08"]
    assert not _billing_units_advised(decide(engine, form))
    form["requested"][0]["units"] = 19  # 190 days: within the interval give or take one 10 mg unit
    form["requested"][0].pop("dates_of_service")
    assert not _billing_units_advised(decide(engine, form))


def test_units_advisory_only_where_units_are_approved(engine: BothPaths) -> None:
    """On a pended or refused line no units are granted: the units advisory is not reported there."""
    form = _form("012-initial-implant-trial-40pct")  # 30 units of J2274 at 1 mg/day, does-not-meet
    det = decide(engine, form)
    assert "meets-criteria" not in outcomes(det).values() and not _billing_units_advised(det)


def test_kd_modifier_silences_the_medicare_advisory(engine: BothPaths) -> None:
    form = json.loads((CASES / "029-admixture-billed-as-j-code.jsonld").read_text())
    det = view(engine.decide(load_case(json.dumps(form), content_type="application/ld+json")))
    assert any(a["criterion"].endswith("crit-modifier-kd") for a in det["advisories"])
    form2 = _form("004-morphine-established-pump")
    form2["requested"][0]["modifiers"] = ["KD"]
    det2 = decide(engine, form2, policy="cms-ncd-280.14")
    assert not any(a["criterion"].endswith("crit-modifier-kd") for a in det2["advisories"])


# ---------------------------------------------------------------- conservative therapy no stricter than its citation

def test_aetna_cancer_pain_with_failed_systemic_opioids_needs_no_adjuvant(engine: BothPaths) -> None:
    form = _form("013-cancer-pain-initial")
    form["therapy_history"] = [t for t in form["therapy_history"] if t["category"] == "systemic-opioid"]
    assert outcomes(decide(engine, form)) == {"62362": "meets-criteria", "J2274": "meets-criteria"}


# ---------------------------------------------------------------- debugging commands

def test_infer_and_shapes_commands_print_turtle() -> None:
    run = [sys.executable, "-m", "reasoner.cli"]
    out = subprocess.run([*run, "infer", str(CASES / "027-catheter-revision.json")],
                         capture_output=True, text=True, check=True).stdout
    assert "nec:requestKind nec:CatheterRevisionRequest" in out
    out = subprocess.run([*run, "shapes", "aetna-cpb-0161@2026-01"], capture_output=True, text=True, check=True).stdout
    assert "ReplacementShape-reason-valid" in out and "IndicationShape-supported" in out
    bad = subprocess.run([*run, "shapes", "aetna-cpb-0161@1999"], capture_output=True, text=True)
    assert bad.returncode == 2 and "no version '1999'" in bad.stderr


# ---------------------------------------------------------------- no knowledge in Python

_CODE_LIKE = re.compile(
    r"""["'](?:[A-V][0-9]{4}|[0-9]{5}|[A-TV-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?|"""
    r"""morphine|hydromorphone|baclofen|ziconotide|clonidine|bupivacaine|fentanyl|sufentanil|"""
    r"""aetna[-a-z0-9.]*|cms-ncd[-0-9.]*|KD)["']""", re.IGNORECASE)


def test_reasoner_names_no_code_drug_or_policy() -> None:
    found = []
    for path in sorted(Path(__file__).resolve().parents[1].joinpath("reasoner").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _CODE_LIKE.search(line) and "environ" not in line:
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert found == []


def test_catheter_revision_with_a_complication_code_needs_no_pump_record(engine: BothPaths) -> None:
    form = _form("027-catheter-revision")
    form.pop("pump")
    form.pop("catheter")
    det = decide(engine, form)
    assert outcomes(det) == {"62350": "meets-criteria", "E0785": "meets-criteria"}
    assert {line["request_kind"] for line in det["lines"]} == {"catheter revision"}


def test_refill_service_without_regimen_follows_the_billed_drug(engine: BothPaths) -> None:
    form = _form("020-baclofen-for-pain")
    form.pop("regimen")
    det = decide(engine, form)
    assert outcomes(det) == {"J0475": "does-not-meet", "62370": "does-not-meet"}


def test_screening_steps_without_agent_use_the_billed_drug_limit(engine: BothPaths) -> None:
    form = _form("025-baclofen-screening-50-negative")
    form.pop("regimen")
    form["intrathecal_trial"].pop("agent")
    det = decide(engine, form)
    assert "escalates 50, 75 and 100 mcg" in text(det)
    assert "does-not-meet" not in outcomes(det).values()
