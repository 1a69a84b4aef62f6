"""The case loader: every format gives the same graph, and bad input names its field."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from reasoner.errors import CaseLoadError
from reasoner.loading import CONTEXT_URL, LoadedCase, case_to_jsonld, load_case, load_case_file
from reasoner.namespaces import CASE, NEC
from reasoner.knowledge.paths import data_root

CASES = sorted(Path(data_root("cases")).glob("*.json"))
CASE_IDS = [p.stem for p in CASES]


def _form(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _minimal() -> dict:
    return {
        "id": "t-1",
        "policy": "aetna-cpb-0161",
        "patient": {"age": 60, "sex": "female"},
        "diagnoses": [{"code": "G89.4", "system": "ICD-10-CM"}],
        "requested": [{"code": "J2274", "system": "HCPCS", "units": 480},
                      {"code": "S9328", "system": "HCPCS", "units": 365, "dates_of_service": ["2025-01-02"]}],
        "pump": {"implanted": True, "implant_date": "2019-04-02", "prior_authorizations": ["7192230"]},
        "regimen": [{"drug": "morphine", "concentration_mg_per_ml": 10, "daily_dose_mg": 3.2}],
        "response": {"pain_reduction_percent": 60, "functional_improvement": True},
        "therapy_history": [{"therapy": "oxycodone", "category": "systemic-opioid", "outcome": "failed"}],
        "intrathecal_trial": {"date": "2019-02-11", "method": "temporary-intrathecal-catheter",
                              "pain_reduction_percent": 65, "side_effects_acceptable": True},
        "psychological_evaluation": {"date": "2019-01-20", "result": "favorable"},
        "pain_scores": [{"date": "2025-01-10", "score": 8, "context": "without-intrathecal-therapy"}],
        "findings": {"active_infection": False, "psychosis_history": False},
        "life_expectancy_months": 120,
        "evidence": [{"field": "pump", "document": "operative report", "page": 8}],
    }


def _load_form(form: dict) -> LoadedCase:
    return load_case(json.dumps(form), content_type="application/json")


# ---------------------------------------------------------------- bundled cases, every format

def test_reference_cases_are_bundled() -> None:
    stems = set(CASE_IDS)
    for stem in ("000-ziconotide-refill", "001-hydromorphone-refill", "002-morphine-no-pump",
                 "003-morphine-bupivacaine", "004-morphine-established-pump"):
        assert stem in stems


@pytest.mark.parametrize("path", CASES, ids=CASE_IDS)
def test_case_has_expected_outcomes_for_its_codes(path: Path) -> None:
    expected = json.loads((path.parent / "expected" / path.name).read_text(encoding="utf-8"))
    form = _form(path)
    assert expected["case"] == form["id"] and expected["policy"] == form["policy"]
    assert list(expected["outcomes"]) == [line["code"] for line in form["requested"]]
    assert set(expected["outcomes"].values()) <= {
        "meets-criteria", "insufficient-documentation", "does-not-meet", "out-of-scope"}


@pytest.mark.parametrize("path", CASES, ids=CASE_IDS)
def test_case_loads_from_json_form(path: Path) -> None:
    case = load_case_file(path)
    assert case.case_id == path.stem == _form(path)["id"]
    assert case.iri == CASE[case.case_id]
    assert case.source_format == "json"
    assert case.requested_policy == "aetna-cpb-0161"
    assert (case.iri, RDF.type, NEC.Case) in case.graph
    assert (case.iri, NEC.caseId, Literal(case.case_id)) in case.graph
    lines = list(case.graph.objects(case.iri, NEC.hasRequestedLine))
    assert sorted(int(case.graph.value(line, NEC.lineIndex)) for line in lines) == list(range(len(lines)))
    assert not any(isinstance(t, BNode) for triple in case.graph for t in triple)


@pytest.mark.parametrize("path", CASES, ids=CASE_IDS)
def test_case_round_trips_through_turtle(path: Path) -> None:
    case = load_case_file(path)
    again = load_case(case.graph.serialize(format="turtle"), content_type="text/turtle")
    assert again.source_format == "turtle"
    assert again.iri == case.iri and again.requested_policy == case.requested_policy
    assert isomorphic(case.graph, again.graph)


@pytest.mark.parametrize("path", CASES, ids=CASE_IDS)
def test_case_round_trips_through_jsonld(path: Path) -> None:
    case = load_case_file(path)
    doc = case_to_jsonld(_form(path))
    assert doc["@id"] == str(case.iri)
    again = load_case(json.dumps(doc), content_type="application/ld+json")
    assert again.source_format == "json-ld"
    assert isomorphic(case.graph, again.graph)
    assert set(case.graph) == set(again.graph)


def test_jsonld_with_the_published_context_url(tmp_path: Path) -> None:
    form = _minimal()
    doc = case_to_jsonld(form)
    doc["@context"] = CONTEXT_URL
    target = tmp_path / "case.jsonld"
    target.write_text(json.dumps(doc), encoding="utf-8")
    assert set(load_case_file(target).graph) == set(_load_form(form).graph)


def test_jsonld_native_numbers_become_canonical_literals() -> None:
    doc = case_to_jsonld(_minimal())
    doc["regimen"][0]["daily_dose_mg"] = 3.2
    doc["requested"][0]["units"] = 480.0
    graph = load_case(json.dumps(doc), content_type="application/ld+json").graph
    regimen = CASE["t-1/regimen/0"]
    assert graph.value(regimen, NEC.dailyDoseMg) == Literal("3.2", datatype=XSD.decimal)
    assert str(graph.value(regimen, NEC.dailyDoseMg)) == "3.2"
    assert str(graph.value(CASE["t-1/line/0"], NEC.units)) == "480"


def test_numbers_have_canonical_lexical_forms() -> None:
    text = json.dumps(_minimal()).replace('"daily_dose_mg": 3.2', '"daily_dose_mg": 3.20').replace(
        '"units": 480', '"units": 480.0').replace('"life_expectancy_months": 120', '"life_expectancy_months": 1.2e2')
    graph = load_case(text).graph
    assert str(graph.value(CASE["t-1/regimen/0"], NEC.dailyDoseMg)) == "3.2"
    assert str(graph.value(CASE["t-1/line/0"], NEC.units)) == "480"
    assert str(graph.value(CASE["t-1"], NEC.lifeExpectancyMonths)) == "120"
    for _s, _p, o in graph:
        if isinstance(o, Literal) and o.datatype in (XSD.decimal, XSD.integer):
            assert not o.ill_typed and "E" not in str(o) and "e" not in str(o)


def test_node_iris_and_types() -> None:
    case = _load_form(_minimal())
    g, base = case.graph, "t-1"
    expected = {
        "patient": NEC.Patient, "diagnosis/0": NEC.Diagnosis, "line/0": NEC.RequestedLine,
        "line/1": NEC.RequestedLine, "pump": NEC.ImplantedPump, "regimen/0": NEC.IntrathecalRegimen,
        "response": NEC.ResponseToTherapy, "therapy/0": NEC.TherapyHistoryEntry,
        "trial": NEC.IntrathecalTrial, "psych": NEC.PsychologicalEvaluation,
        "pain-score/0": NEC.PainScore, "findings": NEC.DocumentedFindings, "evidence/0": NEC.EvidenceLocator,
    }
    for suffix, cls in expected.items():
        assert (CASE[f"{base}/{suffix}"], RDF.type, cls) in g, suffix
    assert g.value(CASE["t-1/line/1"], NEC.lineIndex) == Literal(1)
    assert g.value(CASE["t-1/regimen/0"], NEC.drug) == NEC.morphine
    assert g.value(CASE["t-1/therapy/0"], NEC.therapyOutcome) == NEC.FailedOutcome
    assert g.value(CASE["t-1/trial"], NEC.trialMethod) == NEC.TemporaryIntrathecalCatheter
    assert g.value(CASE["t-1/psych"], NEC.evaluationResult) == NEC.FavorableEvaluation


def test_loading_is_deterministic() -> None:
    text = json.dumps(_minimal())
    first = load_case(text).graph
    for _ in range(3):
        assert set(load_case(text).graph) == set(first)
    turtle = first.serialize(format="turtle")
    assert set(load_case(turtle, content_type="text/turtle").graph) == set(first)


def test_turtle_blank_nodes_are_skolemised_to_form_iris() -> None:
    turtle = """
        @prefix nec: <https://w3id.org/necessity/ontology#> .
        <https://w3id.org/necessity/case/b-1> a nec:Case ;
            nec:requestedPolicy "aetna-cpb-0161" ;
            nec:hasRequestedLine [ nec:notation "S9328" ; nec:codeSystemName "HCPCS" ; nec:lineIndex 1 ] ,
                                 [ nec:notation "J2274" ; nec:codeSystemName "HCPCS" ; nec:lineIndex 0 ; nec:units 480.0 ] ;
            nec:hasImplantedPump [ nec:implanted true ; nec:device "SynchroMed II" ] .
    """
    case = load_case(turtle, content_type="text/turtle")
    form = {"id": "b-1", "policy": "aetna-cpb-0161",
            "requested": [{"code": "J2274", "system": "HCPCS", "units": 480},
                          {"code": "S9328", "system": "HCPCS"}],
            "pump": {"implanted": True, "device": "SynchroMed II"}}
    assert set(case.graph) == set(_load_form(form).graph)
    assert set(load_case(turtle, content_type="text/turtle").graph) == set(case.graph)


def test_well_formed_unknown_codes_are_accepted() -> None:
    form = _minimal()
    form["requested"][0]["code"] = "J9999"
    form["diagnoses"] = [{"code": "C34.90", "system": "ICD-10-CM"}, {"code": "Z99.89", "system": "ICD-10-CM"}]
    form["regimen"][0]["drug"] = "sufentanil-citrate"
    case = _load_form(form)
    assert (CASE["t-1/line/0"], NEC.notation, Literal("J9999")) in case.graph
    assert (CASE["t-1/regimen/0"], NEC.drug, NEC["sufentanil-citrate"]) in case.graph


def test_case_to_jsonld_adds_context_ids_and_types() -> None:
    doc = case_to_jsonld(_minimal())
    assert isinstance(doc["@context"], dict) and doc["@context"]["@vocab"] == str(NEC)
    assert doc["@id"] == str(CASE["t-1"]) and doc["@type"] == "nec:Case" and "id" not in doc
    assert doc["requested"][1]["@id"] == str(CASE["t-1/line/1"])
    assert doc["requested"][1]["line_index"] == "1"
    assert doc["pump"]["@type"] == "nec:ImplantedPump"


# ---------------------------------------------------------------- bad input names its field

def _with(mutate):
    form = _minimal()
    mutate(form)
    return form


BAD_FORMS = [
    ("unknown-key", lambda f: f.update(pupm=f.pop("pump")), "pupm"),
    ("misspelt-nested-key", lambda f: f["pump"].update(implant_dat="2019-04-02"), "pump.implant_dat"),
    ("pain-score-14", lambda f: f["pain_scores"][0].update(score=14), "pain_scores[0].score"),
    ("negative-dose", lambda f: f["regimen"][0].update(daily_dose_mg=-1), "regimen[0].daily_dose_mg"),
    ("percent-120", lambda f: f["response"].update(pain_reduction_percent=120), "response.pain_reduction_percent"),
    ("month-13", lambda f: f["intrathecal_trial"].update(date="2024-13-01"), "intrathecal_trial.date"),
    ("us-date", lambda f: f["psychological_evaluation"].update(date="02/03/2024"), "psychological_evaluation.date"),
    ("february-30", lambda f: f["pump"].update(implant_date="2024-02-30"), "pump.implant_date"),
    ("malformed-code", lambda f: f["requested"][1].update(code="J22"), "requested[1].code"),
    ("icd-without-dot", lambda f: f["diagnoses"][0].update(code="G894"), "diagnoses[0].code"),
    ("unknown-system", lambda f: f["requested"][0].update(system="NDC"), "requested[0].system"),
    ("diagnosis-in-hcpcs", lambda f: f["diagnoses"][0].update(system="HCPCS"), "diagnoses[0].system"),
    ("age-string", lambda f: f["patient"].update(age="sixty"), "patient.age"),
    ("age-fraction", lambda f: f["patient"].update(age=60.5), "patient.age"),
    ("age-131", lambda f: f["patient"].update(age=131), "patient.age"),
    ("bool-as-number", lambda f: f["requested"][0].update(units=True), "requested[0].units"),
    ("number-as-bool", lambda f: f["pump"].update(implanted=1), "pump.implanted"),
    ("string-as-number", lambda f: f["requested"][0].update(units="480"), "requested[0].units"),
    ("empty-requested", lambda f: f.update(requested=[]), "requested"),
    ("missing-requested", lambda f: f.pop("requested"), "requested"),
    ("missing-id", lambda f: f.pop("id"), "id"),
    ("missing-code", lambda f: f["requested"][0].pop("code"), "requested[0].code"),
    ("missing-system", lambda f: f["diagnoses"][0].pop("system"), "diagnoses[0].system"),
    ("bad-id", lambda f: f.update(id="../x"), "id"),
    ("bad-category", lambda f: f["therapy_history"][0].update(category="failed"), "therapy_history[0].category"),
    ("bad-outcome", lambda f: f["therapy_history"][0].update(outcome="nsaid"), "therapy_history[0].outcome"),
    ("bad-method", lambda f: f["intrathecal_trial"].update(method="pump"), "intrathecal_trial.method"),
    ("bad-result", lambda f: f["psychological_evaluation"].update(result="ok"), "psychological_evaluation.result"),
    ("bad-drug", lambda f: f["regimen"][0].update(drug="Morphine Sulfate"), "regimen[0].drug"),
    ("reserved-drug", lambda f: f["regimen"][0].update(drug="policy"), "regimen[0].drug"),
    ("negative-life-expectancy", lambda f: f.update(life_expectancy_months=-1), "life_expectancy_months"),
    ("negative-duration", lambda f: f["therapy_history"][0].update(duration_weeks=-2), "therapy_history[0].duration_weeks"),
    ("pump-is-list", lambda f: f.update(pump=[f["pump"]]), "pump"),
    ("list-is-object", lambda f: f.update(diagnoses=f["diagnoses"][0]), "diagnoses"),
    ("generated-key", lambda f: f["requested"][0].update(line_index=3), "requested[0].line_index"),
    ("jsonld-key-in-form", lambda f: f.update({"@context": {}}), "@context"),
    ("prior-auth-number", lambda f: f["pump"].update(prior_authorizations=[7192230]), "pump.prior_authorizations[0]"),
]


@pytest.mark.parametrize("mutate,field", [(m, f) for _, m, f in BAD_FORMS], ids=[i for i, _, _ in BAD_FORMS])
def test_bad_form_names_its_field(mutate, field: str) -> None:
    with pytest.raises(CaseLoadError) as info:
        _load_form(_with(mutate))
    assert info.value.field == field
    assert f"'{field}'" in str(info.value)


def test_codes_and_enum_values_are_named_but_free_text_is_not() -> None:
    with pytest.raises(CaseLoadError) as info:
        _load_form(_with(lambda f: f["requested"][1].update(code="J22")))
    assert "J22" in str(info.value)
    with pytest.raises(CaseLoadError) as info:
        _load_form(_with(lambda f: f["patient"].update(age="sixty-one years old")))
    assert "sixty" not in str(info.value)


def test_case_to_jsonld_checks_the_form() -> None:
    with pytest.raises(CaseLoadError):
        case_to_jsonld(_with(lambda f: f.update(pupm={})))


def test_json_syntax_error_reports_the_line() -> None:
    text = '{\n  "id": "t-1",\n  "requested": [\n    {"code": "J2274", "system": "HCPCS",}\n  ]\n}\n'
    with pytest.raises(CaseLoadError) as info:
        load_case(text)
    assert info.value.line == 4
    assert "line 4" in str(info.value)


def test_duplicate_json_key_is_refused() -> None:
    with pytest.raises(CaseLoadError) as info:
        load_case('{"id": "t-1", "id": "t-2", "requested": []}')
    assert info.value.field == "id"


def test_json_nesting_deeper_than_the_form_is_refused() -> None:
    text = '{"id": "t-1",\n "patient": {"age": [[[[60]]]]}}'
    with pytest.raises(CaseLoadError) as info:
        load_case(text)
    assert info.value.line == 2


def test_nan_is_not_a_number() -> None:
    with pytest.raises(CaseLoadError):
        load_case(json.dumps(_minimal()).replace('"units": 480', '"units": NaN'))


def test_turtle_syntax_error_reports_the_line() -> None:
    text = ("@prefix nec: <https://w3id.org/necessity/ontology#> .\n\n"
            "<https://w3id.org/necessity/case/x> a nec:Case ;\n"
            "    nec:caseId \"x\" ;\n"
            "    nec:hasRequestedLine ] .\n")
    with pytest.raises(CaseLoadError) as info:
        load_case(text, content_type="text/turtle")
    assert info.value.line == 5
    assert "line 5" in str(info.value)


def test_remote_context_is_refused() -> None:
    doc = case_to_jsonld(_minimal())
    doc["@context"] = "https://example.org/context.jsonld"
    with pytest.raises(CaseLoadError) as info:
        load_case(json.dumps(doc), content_type="application/ld+json")
    assert info.value.field == "@context"
    nested = case_to_jsonld(_minimal())
    nested["pump"]["@context"] = ["https://example.org/other.jsonld"]
    with pytest.raises(CaseLoadError):
        load_case(json.dumps(nested), content_type="application/ld+json")


TURTLE_HEAD = ("@prefix nec: <https://w3id.org/necessity/ontology#> .\n"
               "@prefix case: <https://w3id.org/necessity/case/> .\n")
LINE = 'nec:hasRequestedLine [ nec:notation "J2274" ; nec:codeSystemName "HCPCS" ]'

BAD_TURTLE = [
    ("no-case", TURTLE_HEAD + "case:x nec:caseId \"x\" .\n", None),
    ("two-cases", TURTLE_HEAD + f"case:x a nec:Case ; {LINE} .\ncase:y a nec:Case ; {LINE} .\n", None),
    ("blank-case", TURTLE_HEAD + f"[] a nec:Case ; {LINE} .\n", None),
    ("foreign-case-iri", TURTLE_HEAD + f"<https://example.org/x> a nec:Case ; {LINE} .\n", "id"),
    ("derived-term", TURTLE_HEAD + f"case:x a nec:Case ; nec:pumpDocumented true ; {LINE} .\n", None),
    ("knowledge-injection", TURTLE_HEAD + f"case:x a nec:Case ; {LINE} .\nnec:J2274 nec:deliversDrug nec:morphine .\n", None),
    ("bad-code", TURTLE_HEAD + 'case:x a nec:Case ; nec:hasRequestedLine [ nec:notation "J22" ; nec:codeSystemName "HCPCS" ] .\n',
     "requested[0].code"),
    ("score-14", TURTLE_HEAD + f'case:x a nec:Case ; {LINE} ; nec:hasPainScore [ nec:score 14 ] .\n', "pain_scores[0].score"),
    ("string-number", TURTLE_HEAD + f'case:x a nec:Case ; {LINE} ; nec:lifeExpectancyMonths "12" .\n', "life_expectancy_months"),
    ("bad-enum", TURTLE_HEAD + f'case:x a nec:Case ; {LINE} ; nec:hasTherapyHistory [ nec:therapyOutcome nec:Maybe ] .\n',
     "therapy_history[0].outcome"),
    ("no-lines", TURTLE_HEAD + "case:x a nec:Case .\n", "requested"),
]


@pytest.mark.parametrize("text,field", [(t, f) for _, t, f in BAD_TURTLE], ids=[i for i, _, _ in BAD_TURTLE])
def test_bad_turtle_is_refused(text: str, field: str | None) -> None:
    with pytest.raises(CaseLoadError) as info:
        load_case(text, content_type="text/turtle")
    if field is not None:
        assert info.value.field == field


def test_unsupported_content_type_and_suffix(tmp_path: Path) -> None:
    with pytest.raises(CaseLoadError):
        load_case("{}", content_type="application/xml")
    other = tmp_path / "case.xml"
    other.write_text("<x/>", encoding="utf-8")
    with pytest.raises(CaseLoadError):
        load_case_file(other)


def test_content_type_parameters_are_ignored() -> None:
    case = load_case(json.dumps(_minimal()).encode("utf-8"), content_type="application/json; charset=utf-8")
    assert case.case_id == "t-1"


def test_form_is_not_modified() -> None:
    form = _minimal()
    before = copy.deepcopy(form)
    case_to_jsonld(form)
    assert form == before


def test_graph_holds_only_case_iris() -> None:
    case = _load_form(_minimal())
    for s in case.graph.subjects():
        assert isinstance(s, URIRef) and str(s).startswith(str(case.iri))


def test_double_lexical_forms_are_repaired() -> None:
    turtle = TURTLE_HEAD + (
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f'case:d a nec:Case ; {LINE} ;\n'
        '  nec:hasRegimen [ nec:drug nec:morphine ; nec:dailyDoseMg "3.2E0"^^xsd:decimal ;\n'
        '                   nec:concentrationMgPerMl 1.0e1 ] .\n')
    graph = load_case(turtle, content_type="text/turtle").graph
    regimen = CASE["d/regimen/0"]
    assert graph.value(regimen, NEC.dailyDoseMg) == Literal("3.2", datatype=XSD.decimal)
    assert str(graph.value(regimen, NEC.dailyDoseMg)) == "3.2"
    assert str(graph.value(regimen, NEC.concentrationMgPerMl)) == "10"
    assert graph.value(regimen, NEC.concentrationMgPerMl).datatype == XSD.decimal


# ---------------------------------------------------------------- round-two fields

def _round_two() -> dict:
    form = _minimal()
    form.update({
        "urgency": "expedited",
        "received_at": "2026-01-05T10:30:00.250+01:00",
        "member": {"id": "M-0042"},
        "provider": {"npi": "1234567893", "name": "Pain Clinic A"},
        "catheter": {"problem": "occlusion", "date": "2025-01-03"},
    })
    form["requested"][0]["modifiers"] = ["KD", "RT"]
    form["pump"]["replacement_reason"] = "battery-end-of-life"
    form["intrathecal_trial"]["agent"] = "baclofen"
    form["intrathecal_trial"]["dose_steps"] = [
        {"dose_mcg": 50, "response": "negative", "date": "2025-01-01"},
        {"dose_mcg": 75, "response": "negative", "date": "2025-01-02"},
        {"dose_mcg": 100, "response": "positive", "date": "2025-01-03"},
    ]
    return form


def test_round_two_fields_map_to_the_contract_names() -> None:
    g = _load_form(_round_two()).graph
    case = CASE["t-1"]
    assert g.value(case, NEC.urgency) == NEC.ExpeditedUrgency
    received = g.value(case, NEC.receivedAt)
    assert received.datatype == XSD.dateTime and str(received) == "2026-01-05T09:30:00.25Z"
    assert (case, NEC.hasMember, CASE["t-1/member"]) in g
    assert (CASE["t-1/member"], RDF.type, NEC.Member) in g
    assert g.value(CASE["t-1/member"], NEC.memberId) == Literal("M-0042")
    assert (CASE["t-1/provider"], RDF.type, NEC.Provider) in g
    assert g.value(CASE["t-1/provider"], NEC.npi) == Literal("1234567893")
    assert g.value(CASE["t-1/provider"], NEC.providerName) == Literal("Pain Clinic A")
    assert set(g.objects(CASE["t-1/line/0"], NEC.modifier)) == {Literal("KD"), Literal("RT")}
    assert g.value(CASE["t-1/pump"], NEC.replacementReason) == NEC.BatteryEndOfLife
    catheter = CASE["t-1/catheter"]
    assert (case, NEC.hasCatheter, catheter) in g and (catheter, RDF.type, NEC.CatheterDocumentation) in g
    assert g.value(catheter, NEC.catheterProblem) == NEC.CatheterOcclusion
    assert g.value(catheter, NEC.date) == Literal("2025-01-03", datatype=XSD.date)
    steps = sorted(g.objects(CASE["t-1/trial"], NEC.hasDoseStep))
    assert steps == [CASE[f"t-1/trial/step/{i}"] for i in range(3)]
    assert [str(g.value(s, NEC.trialDoseMcg)) for s in steps] == ["50", "75", "100"]
    assert g.value(steps[2], NEC.trialResponse) == NEC.PositiveResponse
    assert all((s, RDF.type, NEC.TrialDoseStep) in g for s in steps)


@pytest.mark.parametrize("text,expected", [
    ("2026-01-05T09:30:00Z", "2026-01-05T09:30:00Z"),
    ("2026-01-05T09:30:00+00:00", "2026-01-05T09:30:00Z"),
    ("2026-01-05T01:30:00-08:00", "2026-01-05T09:30:00Z"),
    ("2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00Z"),
])
def test_received_at_is_normalised_to_utc(text: str, expected: str) -> None:
    form = _minimal()
    form["received_at"] = text
    assert str(_load_form(form).graph.value(CASE["t-1"], NEC.receivedAt)) == expected


@pytest.mark.parametrize("mapper", ["turtle", "json-ld"])
def test_round_two_fields_round_trip(mapper: str) -> None:
    form = _round_two()
    case = _load_form(form)
    if mapper == "turtle":
        again = load_case(case.graph.serialize(format="turtle"), content_type="text/turtle")
    else:
        again = load_case(json.dumps(case_to_jsonld(form)), content_type="application/ld+json")
    assert set(again.graph) == set(case.graph)


def test_turtle_blank_dose_steps_are_skolemised_under_the_trial() -> None:
    turtle = TURTLE_HEAD + (
        f"case:s a nec:Case ; {LINE} ;\n"
        "  nec:hasIntrathecalTrial [ nec:drug nec:baclofen ;\n"
        "    nec:hasDoseStep [ nec:trialDoseMcg 50 ; nec:trialResponse nec:NegativeResponse ] ,\n"
        "                    [ nec:trialDoseMcg 100 ; nec:trialResponse nec:PositiveResponse ] ] .\n")
    g = load_case(turtle, content_type="text/turtle").graph
    steps = set(g.objects(CASE["s/trial"], NEC.hasDoseStep))
    assert steps == {CASE["s/trial/step/0"], CASE["s/trial/step/1"]}
    assert {str(g.value(s, NEC.trialDoseMcg)) for s in steps} == {"50", "100"}


BAD_ROUND_TWO = [
    ("bad-urgency", lambda f: f.update(urgency="urgent"), "urgency"),
    ("received-at-no-offset", lambda f: f.update(received_at="2026-01-05T09:30:00"), "received_at"),
    ("received-at-date-only", lambda f: f.update(received_at="2026-01-05"), "received_at"),
    ("received-at-hour-25", lambda f: f.update(received_at="2026-01-05T25:00:00Z"), "received_at"),
    ("received-at-number", lambda f: f.update(received_at=1767605400), "received_at"),
    ("member-id-number", lambda f: f.update(member={"id": 42}), "member.id"),
    ("member-unknown-key", lambda f: f.update(member={"number": "M1"}), "member.number"),
    ("npi-nine-digits", lambda f: f.update(provider={"npi": "123456789"}), "provider.npi"),
    ("npi-letters", lambda f: f.update(provider={"npi": "12345678AB"}), "provider.npi"),
    ("provider-name-empty", lambda f: f.update(provider={"name": " "}), "provider.name"),
    ("bad-replacement-reason", lambda f: f["pump"].update(replacement_reason="broken"), "pump.replacement_reason"),
    ("bad-catheter-problem", lambda f: f.update(catheter={"problem": "kinked"}), "catheter.problem"),
    ("bad-catheter-date", lambda f: f.update(catheter={"date": "2025-02-30"}), "catheter.date"),
    ("dose-steps-object", lambda f: f["intrathecal_trial"].update(dose_steps={"dose_mcg": 50}),
     "intrathecal_trial.dose_steps"),
    ("negative-step-dose", lambda f: f["intrathecal_trial"].update(dose_steps=[{"dose_mcg": -50}]),
     "intrathecal_trial.dose_steps[0].dose_mcg"),
    ("bad-step-response", lambda f: f["intrathecal_trial"].update(dose_steps=[{"response": "maybe"}]),
     "intrathecal_trial.dose_steps[0].response"),
    ("bad-step-date", lambda f: f["intrathecal_trial"].update(dose_steps=[{}, {"date": "03/01/2025"}]),
     "intrathecal_trial.dose_steps[1].date"),
    ("step-unknown-key", lambda f: f["intrathecal_trial"].update(dose_steps=[{"dose_mg": 1}]),
     "intrathecal_trial.dose_steps[0].dose_mg"),
    ("modifier-lower-case", lambda f: f["requested"][0].update(modifiers=["kd"]), "requested[0].modifiers[0]"),
    ("modifier-three-chars", lambda f: f["requested"][1].update(modifiers=["KD", "KDX"]), "requested[1].modifiers[1]"),
    ("modifiers-string", lambda f: f["requested"][0].update(modifiers="KD"), "requested[0].modifiers"),
]


@pytest.mark.parametrize("mutate,field", [(m, f) for _, m, f in BAD_ROUND_TWO], ids=[i for i, _, _ in BAD_ROUND_TWO])
def test_bad_round_two_field_names_its_field(mutate, field: str) -> None:
    with pytest.raises(CaseLoadError) as info:
        _load_form(_with(mutate))
    assert info.value.field == field
    assert f"'{field}'" in str(info.value)


def test_turtle_replacement_reason_must_be_an_individual() -> None:
    turtle = TURTLE_HEAD + f'case:r a nec:Case ; {LINE} ; nec:hasImplantedPump [ nec:replacementReason "malfunction" ] .\n'
    with pytest.raises(CaseLoadError) as info:
        load_case(turtle, content_type="text/turtle")
    assert info.value.field == "pump.replacement_reason"


def test_loading_modules_stay_small() -> None:
    package = Path(__file__).resolve().parents[1] / "reasoner" / "loading"
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in package.glob("*.py")}
    assert len(sizes) >= 8 and max(sizes.values()) <= 250, sizes


def test_cli_refuses_a_turtle_iri_with_a_space_without_a_traceback(tmp_path: Path, capsys) -> None:
    from reasoner.cli.main import main

    bad = tmp_path / "bad.ttl"
    bad.write_text(TURTLE_HEAD + f"case:s a nec:Case ; {LINE} ;\n  nec:hasPatient <https://w3id.org/necessity/case/s/a b> .\n",
                   encoding="utf-8")
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line 4" in err and "Traceback" not in err
