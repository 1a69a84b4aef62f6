"""The case-form fields the clauses of issue 17 need: each loads on both paths, and bad values are refused."""

from __future__ import annotations

import json

import pytest

from reasoner import loading
from reasoner.knowledge.terms import from_ox
from reasoner.errors import CaseLoadError
from reasoner.loading.form_graph import load_form
from reasoner.loading.form import check_form
from reasoner.namespaces import NEC

FORM = {
    "id": "fields-1", "policy": "evicore-cmm-210",
    "requested": [{"code": "62362", "system": "CPT"}],
    "pump": {"implanted": True, "implant_date": "2019-01-01", "abuse_or_neglect": False},
    "regimen": [{"drug": "morphine", "daily_dose_mg": 2, "compounded": True}],
    "therapy_history": [{"therapy": "pt", "category": "physical-therapy", "outcome": "failed",
                         "start_date": "2024-01-01", "end_date": "2024-08-01"}],
    "intrathecal_trial": {"method": "single-bolus", "route": "intrathecal", "pain_reduction_percent": 60,
                          "relief_hours": 10, "functional_improvement": True, "spasm_frequency_reduction": 2,
                          "response_hours": 5},
    "planned_route": "epidural", "opioid_reduction_agreed": True, "opioid_reduction_percent": 50,
    "high_procedural_risk": False,
    "cancer": {"stage": "metastatic", "limited_survival": True},
    "specialist_evaluation": {"specialty": "neurosurgery", "date": "2024-09-01", "other_treatments_failed": True},
}


def _triples(form: dict) -> set:
    return {(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in load_form(form).triples}


def test_every_new_field_gives_the_same_graph_on_both_loaders_and_reads_back_from_turtle() -> None:
    loaded = loading.load_case(json.dumps(FORM), content_type="application/json")
    assert set(loaded.graph) == _triples(FORM)
    again = loading.load_case(loaded.graph.serialize(format="turtle"), content_type="text/turtle")
    assert set(again.graph) == set(loaded.graph)
    predicates = {p for _s, p, _o in loaded.graph}
    for name in ("plannedRoute", "trialRoute", "reliefHours", "trialFunctionImproved", "spasmFrequencyReduction",
                 "responseHours", "opioidReductionAgreed", "opioidReductionPercent", "therapyStartDate",
                 "therapyEndDate", "deviceAbuseOrNeglect", "compounded", "cancerStage", "limitedSurvival",
                 "highProceduralRisk", "specialty", "otherTreatmentsFailed"):
        assert NEC[name] in predicates, name
    assert (None, NEC.cancerStage, NEC.MetastaticCancer) in loaded.graph
    assert (None, NEC.plannedRoute, NEC.EpiduralRoute) in loaded.graph


@pytest.mark.parametrize("change,field", [
    ({"opioid_reduction_percent": 120}, "opioid_reduction_percent"),
    ({"planned_route": "intravenous"}, "planned_route"),
    ({"cancer": {"stage": "stage-9"}}, "cancer.stage"),
    ({"intrathecal_trial": {"spasm_frequency_reduction": 5}}, "intrathecal_trial.spasm_frequency_reduction"),
    ({"intrathecal_trial": {"relief_hours": -1}}, "intrathecal_trial.relief_hours"),
    ({"pump": {"abuse_or_neglect": "no"}}, "pump.abuse_or_neglect"),
    ({"therapy_history": [{"therapy": "pt", "start_date": "2024-05-01", "end_date": "2024-04-30"}]},
     "therapy_history[0].end_date"),
    ({"therapy_history": [{"therapy": "pt", "start_date": "2024-02-30"}]}, "therapy_history[0].start_date"),
])
def test_bad_values_of_the_new_fields_are_refused_naming_the_field(change: dict, field: str) -> None:
    form = {"id": "f-1", "requested": [{"code": "J2274", "system": "HCPCS"}], **change}
    with pytest.raises(CaseLoadError) as info:
        check_form(form, "t")
    assert info.value.field == field


def test_dtr_answers_carry_the_new_fields() -> None:
    """A DTR QuestionnaireResponse answering the new link ids of the it-pump table fills the new fields."""
    from reasoner.fhir import load_pas_bundle
    from reasoner.knowledge.paths import data_root

    doc = json.loads((data_root("cases") / "fhir" / "pas-refill-example.json").read_text(encoding="utf-8"))
    qr = next(e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")
    answers = {
        "plan.route": {"valueCoding": {"code": "intrathecal"}},
        "plan.opioidReductionAgreed": {"valueBoolean": True},
        "plan.opioidReductionPercent": {"valueDecimal": 50},
        "plan.highProceduralRisk": {"valueBoolean": False},
        "dx.cancerStage": {"valueCoding": {"code": "metastatic"}},
        "dx.limitedSurvival": {"valueBoolean": True},
        "specialist.specialty": {"valueCoding": {"code": "oncology"}},
        "specialist.otherTreatmentsFailed": {"valueBoolean": True},
        "trial.route": {"valueCoding": {"code": "epidural"}},
        "trial.reliefHours": {"valueDecimal": 10},
        "trial.function": {"valueBoolean": True},
        "trial.patientAcceptance": {"valueBoolean": True},
        "trial.spasmFrequencyReduction": {"valueDecimal": 2},
        "trial.responseHours": {"valueDecimal": 5},
        "pump.abuseOrNeglect": {"valueBoolean": False},
        "regimen.compounded": {"valueBoolean": True},
    }
    qr["item"].extend({"linkId": link, "answer": [answer]} for link, answer in answers.items())
    _case, mapped = load_pas_bundle(json.dumps(doc))
    form = mapped.form
    assert (form["planned_route"], form["opioid_reduction_agreed"], form["opioid_reduction_percent"]) == \
        ("intrathecal", True, 50)
    assert form["high_procedural_risk"] is False
    assert form["cancer"] == {"stage": "metastatic", "limited_survival": True}
    assert form["specialist_evaluation"] == {"specialty": "oncology", "other_treatments_failed": True}
    trial = form["intrathecal_trial"]
    assert (trial["route"], trial["relief_hours"], trial["functional_improvement"], trial["patient_acceptance"],
            trial["spasm_frequency_reduction"], trial["response_hours"]) == ("epidural", 10, True, True, 2, 5)
    assert form["pump"]["abuse_or_neglect"] is False
    assert form["regimen"][0]["compounded"] is True
