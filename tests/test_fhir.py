"""Da Vinci PAS bundles: each decides like its case-form twin; responses are valid R4 PAS bundles."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from reasoner.cli.main import main
from reasoner.errors import CaseLoadError
from reasoner.fhir import FhirInputError, load_pas_bundle, parse_pas_request, response_bundle
from reasoner.fhir.response import REVIEW_ACTION, SERVICE_LINE
from reasoner.loading import load_case_file
from reasoner.knowledge.paths import data_root

CASES = Path(data_root("cases"))
FHIR = CASES / "fhir"
PAIRS = json.loads((FHIR / "twins.json").read_text(encoding="utf-8"))
TWINS = PAIRS["twins"]
MALFORMED = PAIRS["malformed"]


def _summary(det) -> list[tuple]:
    """What a determination decides, without the case's own IRIs."""
    return [(line["code"], line["outcome"], sorted(line["missing_documents"]),
             sorted((c["criterion"], c["state"]) for c in line["criteria"])) for line in det.to_dict()["lines"]]


def _bundle(name: str) -> bytes:
    return (FHIR / name).read_bytes()


def _decide(engine, name: str):
    case, mapped = load_pas_bundle(_bundle(name), source=name)
    return case, mapped, engine.decide(case)


def test_every_bundle_in_the_folder_is_paired_or_malformed() -> None:
    names = {p.name for p in FHIR.glob("*.json")} - {"twins.json"}
    assert names == set(TWINS) | set(MALFORMED)
    assert len(TWINS) >= 5


@pytest.mark.parametrize("name", sorted(TWINS))
def test_bundle_decides_like_its_case_form_twin(name: str, necessity_engine) -> None:
    case, mapped, det = _decide(necessity_engine, name)
    twin = necessity_engine.decide(load_case_file(CASES / TWINS[name]))
    assert _summary(det) == _summary(twin)
    assert case.source_format == "fhir" and case.case_id == mapped.request.claim.identifier[0].value


@pytest.mark.parametrize("name", sorted(TWINS))
def test_response_bundle_is_a_valid_r4_pas_response(name: str, necessity_engine) -> None:
    _case, mapped, det = _decide(necessity_engine, name)
    answer = response_bundle(mapped.request, mapped.sequences, det.to_dict(),
                             decided_at=datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc), certification="C-1")
    parsed = Bundle.model_validate(answer)
    response = parsed.entry[0].resource
    assert response.get_resource_type() == "ClaimResponse" and response.use == "preauthorization"
    claim = mapped.request.claim
    assert [i.itemSequence for i in response.item] == sorted(i.sequence for i in claim.item)
    outcomes = {line["index"]: line["outcome"] for line in det.to_dict()["lines"]}
    expected = {"meets-criteria": "A1", "insufficient-documentation": "A4", "does-not-meet": "A4",
                "out-of-scope": "NA"}
    for n, item in enumerate(response.item):
        review = next(e for e in item.adjudication[0].extension if e.url == REVIEW_ACTION)
        code = next(e for e in review.extension if e.url == "code").valueCodeableConcept.coding[0].code
        assert code == expected[outcomes[n]]
        if outcomes[n] == "does-not-meet":
            note = next(p for p in response.processNote if p.number == item.noteNumber[0])
            assert "not met" in note.text
            criteria = det.to_dict()["lines"][n]["criteria"]
            messages = [m for c in criteria if c["state"] == "not-met" and c["severity"] == "violation"
                        for m in c["messages"]]
            assert messages and all(m.rstrip(".") in note.text for m in messages)
    for item, sent in zip(response.item, sorted(claim.item, key=lambda i: i.sequence)):
        sent_traces = [e.valueIdentifier.value for e in sent.extension or [] if e.url.endswith("itemTraceNumber")]
        echoed = [e.valueIdentifier.value for e in item.extension or [] if e.url.endswith("itemTraceNumber")]
        assert echoed == sent_traces
    references = {f"{e.resource.get_resource_type()}/{e.resource.id}" for e in parsed.entry}
    assert claim.patient.reference in references and claim.insurer.reference in references


def test_pended_items_ask_for_documents_as_loinc_codes(necessity_engine) -> None:
    bundle = json.loads(_bundle("pas-refill-example.json"))
    qr = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")
    qr["item"] = [group for group in qr["item"] if group["linkId"] != "response"]  # no documented benefit
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "DocumentReference"]
    claim = bundle["entry"][0]["resource"]
    claim["supportingInfo"] = claim["supportingInfo"][:4]
    for item in claim["item"]:  # an item points only at supportingInfo the Claim still has
        item["informationSequence"] = [n for n in item.get("informationSequence", []) if n <= 4]
    case, mapped = load_pas_bundle(json.dumps(bundle))
    det = necessity_engine.decide(case)
    assert {line["outcome"] for line in det.to_dict()["lines"]} == {"insufficient-documentation"}
    answer = Bundle.model_validate(response_bundle(mapped.request, mapped.sequences, det.to_dict(),
                                                   decided_at=datetime.now(timezone.utc)))
    communication = next(e.resource for e in answer.entry
                         if e.resource.get_resource_type() == "CommunicationRequest")
    codes = {p.contentString for p in communication.payload}
    assert codes and all(c.count("-") == 1 and c.replace("-", "").isdigit() for c in codes)
    lines = {p.extension[0].valuePositiveInt for p in communication.payload if p.extension[0].url == SERVICE_LINE}
    assert lines == {1, 2}
    assert all(i.adjudication[0].extension[0].extension[0].valueCodeableConcept.coding[0].code == "A4"
               for i in answer.entry[0].resource.item)


def test_a_deployment_that_may_not_certify_pends_with_a_note(necessity_engine) -> None:
    _case, mapped, det = _decide(necessity_engine, "pas-refill-example.json")
    answer = response_bundle(mapped.request, mapped.sequences, det.to_dict(),
                             decided_at=datetime.now(timezone.utc), may_certify=False)
    response = answer["entry"][0]["resource"]
    codes = {i["adjudication"][0]["extension"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"]
             for i in response["item"]}
    assert codes == {"A4"} and "preAuthRef" not in response
    *item_notes, policy_note = response["processNote"]  # the last note names the policy that decided
    assert item_notes and all("recommend approval" in n["text"] for n in item_notes)
    assert policy_note["text"].startswith("Decided under ") and "aetna-cpb-0161" in policy_note["text"]


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_bundle_names_the_element(name: str) -> None:
    with pytest.raises(FhirInputError) as info:
        load_pas_bundle(_bundle(name), source=name)
    assert info.value.element == MALFORMED[name]
    assert "four" not in str(info.value)


def _refill() -> dict:
    return json.loads(_bundle("pas-refill-example.json"))


def _claim(doc: dict) -> dict:
    return doc["entry"][0]["resource"]


HOSTILE = [
    ("not-a-bundle", lambda d: d.update(resourceType="Claim"), "Bundle.resourceType"),
    ("r5-element", lambda d: _claim(d)["item"][0].update(quantityX=1), "Bundle.entry[0].resource.item[0].quantityX"),
    ("batch", lambda d: d.update(type="batch"), "Bundle.type"),
    ("claim-not-first", lambda d: d["entry"].reverse(), "Bundle.entry[0]"),
    ("not-preauth", lambda d: _claim(d).update(use="claim"), "Bundle.entry[0].resource.use"),
    ("unsafe-id", lambda d: _claim(d)["identifier"][0].update(value="../other case"),
     "Bundle.entry[0].resource.identifier[0].value"),
    ("dangling", lambda d: _claim(d)["supportingInfo"][0]["valueReference"].update(reference="Observation/nope"),
     "Bundle.entry[0].resource.supportingInfo[0].valueReference"),
    ("control-char", lambda d: d["entry"][1]["resource"]["name"][0].update(family="Ri\u0007vera"),
     "Bundle.entry[1].resource.name[0].family"),
    ("bad-code", lambda d: _claim(d)["item"][0]["productOrService"]["coding"][0].update(code="J22"),
     "Bundle.entry[0].resource.item[0]"),
    ("pain-score-14", lambda d: next(e["resource"] for e in d["entry"] if e["resource"]["resourceType"]
                                     == "Observation")["valueQuantity"].update(value=14),
     "Bundle.entry[10].resource"),
]


@pytest.mark.parametrize("mutate,element", [(m, e) for _, m, e in HOSTILE], ids=[i for i, _, _ in HOSTILE])
def test_hostile_bundle_is_refused_naming_the_element(mutate, element: str) -> None:
    doc = _refill()
    mutate(doc)
    with pytest.raises(FhirInputError) as info:
        load_pas_bundle(json.dumps(doc))
    assert info.value.element == element, str(info.value)


def test_nan_and_huge_numbers_in_a_bundle_name_the_element() -> None:
    text = json.dumps(_refill()).replace('"value": 160', '"value": NaN', 1)
    with pytest.raises(FhirInputError) as info:
        parse_pas_request(text)
    assert info.value.element == "Bundle.entry[0].resource.item[0].quantity.value"
    text = json.dumps(_refill()).replace('"value": 160', '"value": ' + "9" * 5000, 1)
    with pytest.raises(FhirInputError) as info:
        parse_pas_request(text)
    assert info.value.element == "Bundle.entry[0].resource.item[0].quantity.value"
    assert "4300" not in str(info.value)


def test_questionnaire_dose_steps_and_undotted_codes_map() -> None:
    doc = _refill()
    _claim(doc)["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["code"] = "G894"
    _claim(doc)["item"][1]["productOrService"]["coding"][0]["system"] = \
        "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"  # CPT sent as HCPCS level I
    qr = next(e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")
    qr["item"].append({"linkId": "trial", "item": [{"linkId": "trial.step", "item": [
        {"linkId": "trial.step.doseMcg", "answer": [{"valueDecimal": 50}]},
        {"linkId": "trial.step.response", "answer": [{"valueCoding": {"code": "negative"}}]}]},
        {"linkId": "trial.step", "item": [
            {"linkId": "trial.step.doseMcg", "answer": [{"valueDecimal": 75}]},
            {"linkId": "trial.step.response", "answer": [{"valueCoding": {"code": "positive"}}]},
            {"linkId": "trial.step.date", "answer": [{"valueDate": "2025-01-03"}]}]}]})
    case, mapped = load_pas_bundle(json.dumps(doc))
    assert mapped.form["diagnoses"][0]["code"] == "G89.4"
    assert mapped.form["requested"][1]["system"] == "CPT"
    steps = mapped.form["intrathecal_trial"]["dose_steps"]
    assert [s["response"] for s in steps] == ["negative", "positive"] and steps[1]["date"] == "2025-01-03"
    assert len(list(case.graph.objects(None, None))) > 0


def test_cli_checks_a_bundle_and_prints_the_response(capsys) -> None:
    assert main(["check", "--json", str(FHIR / "pas-refill-example.json")]) == 0
    det = json.loads(capsys.readouterr().out)
    assert [line["outcome"] for line in det["lines"]] == ["meets-criteria", "meets-criteria"]
    assert main(["check", "--fhir", str(FHIR / "pas-baclofen-trial-spasticity.json")]) == 0
    Bundle.model_validate(json.loads(capsys.readouterr().out))
    assert main(["check", str(FHIR / "pas-malformed-quantity.json")]) == 2
    err = capsys.readouterr().err
    assert "Bundle.entry[0].resource.item[1].quantity.value" in err and "Traceback" not in err


def test_a_case_form_error_is_still_a_case_load_error() -> None:
    assert issubclass(FhirInputError, CaseLoadError)
    doc = copy.deepcopy(_refill())
    assert load_pas_bundle(json.dumps(doc))[0].case_id == "PA-2025-000481"


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*prefix, i)
            yield from _paths(value, (*prefix, i))


@pytest.mark.slow
@pytest.mark.parametrize("name,entry", [
    ("pas-refill-example.json", 0), ("pas-refill-example.json", 1),  # the Claim, the Patient
    ("pas-refill-example.json", 7), ("pas-implant-example.json", 15),  # the answers, a therapy Procedure
])
def test_every_element_deleted_or_retyped_gives_a_named_refusal_or_a_case(name: str, entry: int) -> None:
    """No mutation of a PAS bundle's elements ends in anything but a case or a FhirInputError."""
    doc = json.loads(_bundle(name))
    for path in [p for p in _paths(doc["entry"][entry]) if len(p) <= 5]:
        for mutation in ("delete", "text") if len(path) > 3 else ("delete", "text", "number"):
            mutated = copy.deepcopy(doc)
            parent = mutated["entry"][entry]
            for key in path[:-1]:
                parent = parent[key]
            if mutation == "delete":
                parent.pop(path[-1])
            else:
                parent[path[-1]] = "x" if mutation == "text" else -1
            try:
                load_pas_bundle(json.dumps(mutated))
            except FhirInputError as exc:
                assert exc.element is None or exc.element.startswith("Bundle"), (path, mutation)
