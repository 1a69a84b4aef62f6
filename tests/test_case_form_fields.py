"""The case-form fields the clauses of issue 17 need: each loads on both paths, and bad values are refused."""

from __future__ import annotations

import json

import pytest

from reasoner import loading
from reasoner.compiled import from_ox
from reasoner.errors import CaseLoadError
from reasoner.fastpath.form_graph import load_form
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
