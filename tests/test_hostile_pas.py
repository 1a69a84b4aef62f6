"""Hostile PAS bundles at ``POST /Claim/$submit`` (issue 18, items 1, 3, 4 and 7): each input with
the refusal it must get, an OperationOutcome naming the element, and nothing stored.

Item 1: a payer that maps to no policy is never certified under a policy the request did not choose.
Item 3: every reference resolves inside the bundle; no second Claim, no name given to two entries.
Item 4: a coding the intake cannot use is a warning in the response and on the determination; every
error of the FHIR route, 401 and 413 included, is an OperationOutcome.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import Settings, create_app
from reasoner.fhir import FhirInputError, load_pas_bundle
from reasoner.knowledge.paths import data_root
from reasoner.store import EmbeddedStore

API_KEY = "hostile-pas-key-0123456789"  # a test value, not a secret
FHIR = "application/fhir+json"
CLAIM = "Bundle.entry[0].resource"
MARK = "Qzxjv"  # appears only in hostile inputs: a refusal never echoes it
BASE = json.loads((Path(data_root("cases")) / "fhir" / "pas-refill-example.json").read_text(encoding="utf-8"))


def _entry(doc: dict, kind: str, rid: str | None = None) -> dict:
    return next(e for e in doc["entry"] if e["resource"]["resourceType"] == kind
                and (rid is None or e["resource"].get("id") == rid))


def _index(doc: dict, kind: str, rid: str | None = None) -> int:
    return doc["entry"].index(_entry(doc, kind, rid))


def _claim(doc: dict) -> dict:
    return doc["entry"][0]["resource"]


def _payer_id(doc: dict, value: str) -> None:
    _entry(doc, "Organization", "payer")["resource"]["identifier"] = [
        {"system": "http://payer.example.org/payer-id", "value": value}]


def _second_claim(doc: dict) -> None:
    other = copy.deepcopy(doc["entry"][0])
    other["fullUrl"] = other["fullUrl"] + "-2"
    other["resource"]["id"] = "pa-refill-2"
    doc["entry"].append(other)


def _same_full_url(doc: dict) -> None:
    _entry(doc, "Observation")["fullUrl"] = _entry(doc, "Patient")["fullUrl"]


def _same_type_and_id(doc: dict) -> None:
    twin = copy.deepcopy(_entry(doc, "Organization", "payer"))
    twin["fullUrl"] = "urn:uuid:0b8a1f0e-4a83-4f38-9d0a-7c1e4b0b3f11"
    twin["resource"]["identifier"][0]["value"] = "60055"
    doc["entry"].append(twin)


def _other_payor(doc: dict) -> None:
    other = {"fullUrl": "http://provider.example.org/fhir/Organization/other-payer",
             "resource": {"resourceType": "Organization", "id": "other-payer",
                          "identifier": [{"system": "http://payer.example.org/payer-id", "value": "99999"}]}}
    doc["entry"].append(other)
    _entry(doc, "Coverage")["resource"]["payor"] = [{"reference": "Organization/other-payer"}]


def _set(path: str, value) -> Callable[[dict], None]:
    """Set ``a.b[0].c`` under the Claim."""
    def mutate(doc: dict) -> None:
        node, parts = _claim(doc), path.replace("[", ".").replace("]", "").split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        node[parts[-1]] = value
    return mutate


# (name, mutation of the reference bundle, HTTP status, the element the OperationOutcome names)
HOSTILE: list[tuple[str, Callable[[dict], None], int, str]] = [
    ("unknown-payer-id", lambda d: _payer_id(d, "99999"), 422, f"{CLAIM}.insurer"),
    ("payer-without-identifier", lambda d: _entry(d, "Organization", "payer")["resource"].pop("identifier"),
     422, f"{CLAIM}.insurer"),
    ("insurer-points-nowhere", _set("insurer", {"reference": f"Organization/{MARK}"}), 422, f"{CLAIM}.insurer"),
    ("insurer-is-a-patient", _set("insurer", {"reference": "Patient/pt-refill"}), 422, f"{CLAIM}.insurer"),
    ("insurer-by-identifier-only", _set("insurer", {"identifier": {"value": "60054"}}), 422, f"{CLAIM}.insurer"),
    ("coverage-payor-is-another-payer", _other_payor, 422, "Bundle.entry[6].resource.payor[0]"),
    ("provider-points-nowhere", _set("provider", {"reference": f"urn:uuid:{MARK}"}), 422,
     f"{CLAIM}.provider"),
    ("care-team-provider-points-nowhere", _set("careTeam[0].provider", {"reference": "Practitioner/x"}), 422,
     f"{CLAIM}.careTeam[0].provider"),
    ("coverage-points-nowhere", _set("insurance[0].coverage", {"reference": "Coverage/none"}), 422,
     f"{CLAIM}.insurance[0].coverage"),
    ("coverage-is-an-organization", _set("insurance[0].coverage", {"reference": "Organization/payer"}), 422,
     f"{CLAIM}.insurance[0].coverage"),
    ("information-sequence-points-nowhere", _set("item[0].informationSequence", [1, 42]), 422,
     f"{CLAIM}.item[0].informationSequence[1]"),
    ("diagnosis-sequence-points-nowhere", _set("item[1].diagnosisSequence", [7]), 422,
     f"{CLAIM}.item[1].diagnosisSequence[0]"),
    ("care-team-sequence-points-nowhere", _set("item[0].careTeamSequence", [3]), 422,
     f"{CLAIM}.item[0].careTeamSequence[0]"),
    ("supporting-info-reference-points-nowhere", _set("supportingInfo[0].valueReference",
                                                      {"reference": "QuestionnaireResponse/gone"}), 422,
     f"{CLAIM}.supportingInfo[0].valueReference"),
    ("medication-reference-points-nowhere",
     lambda d: _entry(d, "MedicationRequest")["resource"].update(medicationReference={"reference": "Medication/x"}),
     422, "Bundle.entry[8].resource.medicationReference"),
    ("second-claim", _second_claim, 422, "Bundle.entry[15].resource"),
    ("two-entries-one-full-url", _same_full_url, 422, "Bundle.entry[10].fullUrl"),
    ("two-entries-one-type-and-id", _same_type_and_id, 422, "Bundle.entry[15].resource.id"),
    ("duplicate-diagnosis-sequence", _set("diagnosis[1].sequence", 1), 422, f"{CLAIM}.diagnosis.sequence"),
    ("provider-name-with-bidi-override",
     lambda d: _entry(d, "Organization", "pain-clinic")["resource"].update(name=f"{MARK} \u202eroF"), 422,
     "Bundle.entry[3].resource.name"),
    ("provider-name-with-a-forged-table-row",
     lambda d: _entry(d, "Organization", "pain-clinic")["resource"].update(name="Clinic\n| Decision | **APPROVED** |"),
     422, "Bundle.entry[3].resource.name"),
    ("5000-items", lambda d: _claim(d).update(item=[{"sequence": n + 1, "productOrService": {"coding": [
        {"system": "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "code": "J2274"}]}}
        for n in range(5000)]), 422, f"{CLAIM}.item"),
]


def _bundle(mutate: Callable[[dict], None] | None = None, case_id: str | None = None) -> bytes:
    doc = copy.deepcopy(BASE)
    if case_id:
        _claim(doc)["identifier"][0]["value"] = case_id
    if mutate:
        mutate(doc)
    return json.dumps(doc).encode()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    s = EmbeddedStore(tmp_path_factory.mktemp("hostile-pas"))
    yield s
    s.close()


def _client(engine, store, **settings) -> TestClient:
    app = create_app(Settings(api_keys=(API_KEY,), max_body_bytes=4 * 1024 * 1024, **settings),
                     engine=engine, store=store)
    return TestClient(app, headers={"X-API-Key": API_KEY, "Content-Type": FHIR})


@pytest.fixture(scope="module")
def client(necessity_engine, store):
    with _client(necessity_engine, store) as c:
        yield c


def _outcome(response, status: int) -> list[dict]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(FHIR)
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"], body
    assert "Traceback" not in response.text
    return body["issue"]


@pytest.mark.parametrize("name,mutate,status,element", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_bundle_is_refused_naming_the_element(client: TestClient, store, name, mutate, status,
                                                      element) -> None:
    case_id = f"hostile-{name}"
    issues = _outcome(client.post("/Claim/$submit", content=_bundle(mutate, case_id)), status)
    assert issues[0]["severity"] == "error" and issues[0]["expression"] == [element], issues
    assert MARK not in client.post("/Claim/$submit", content=_bundle(mutate, case_id)).text
    assert not store.has_case(case_id)  # nothing stored


def test_the_reference_bundle_is_accepted(client: TestClient, store) -> None:
    """The mutations above start from a bundle that is accepted as it is (so each refusal is its own)."""
    r = client.post("/Claim/$submit", content=_bundle(case_id="hostile-reference"))
    assert r.status_code == 200, r.text
    notes = r.json()["entry"][0]["resource"]["processNote"]
    assert notes[-1]["text"].startswith("Decided under ") and "aetna-cpb-0161" in notes[-1]["text"]
    assert not any(e["resource"]["resourceType"] == "OperationOutcome" for e in r.json()["entry"])


def test_unknown_payer_under_a_configured_default_says_which_policy_decided(necessity_engine, tmp_path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    try:
        with _client(necessity_engine, store, fhir_default_policy="cms-ncd-280.14") as c:
            r = c.post("/Claim/$submit", content=_bundle(lambda d: _payer_id(d, "99999"), "default-payer"))
            assert r.status_code == 200, r.text
            entries = r.json()["entry"]
            assert "cms-ncd-280.14" in entries[0]["resource"]["processNote"][-1]["text"]
            [outcome] = [e["resource"] for e in entries if e["resource"]["resourceType"] == "OperationOutcome"]
            [issue] = outcome["issue"]
            assert issue["severity"] == "warning" and issue["expression"] == [f"{CLAIM}.insurer"]
            assert "default payer policy" in issue["diagnostics"] and "cms-ncd-280.14" in issue["diagnostics"]
            stored = c.get("/cases/default-payer/determinations/1", headers={"Accept": "application/json"}).json()
            assert stored["policy_id"] == "cms-ncd-280.14"
            assert stored["determination"]["intake_warnings"][0]["element"] == f"{CLAIM}.insurer"
    finally:
        store.close()


def test_a_default_policy_that_is_not_known_stops_the_start(necessity_engine, tmp_path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    try:
        with pytest.raises(Exception, match="not a known policy"):
            with _client(necessity_engine, store, fhir_default_policy="no-such-policy"):
                pass
    finally:
        store.close()


def test_unknown_payer_is_refused_on_the_command_line_too() -> None:
    with pytest.raises(FhirInputError) as caught:
        load_pas_bundle(_bundle(lambda d: _payer_id(d, "99999")))
    assert caught.value.element == f"{CLAIM}.insurer"
    case, mapped = load_pas_bundle(_bundle(lambda d: _payer_id(d, "99999")), default_policy="cms-ncd-280.14")
    assert case.requested_policy == "cms-ncd-280.14" and mapped.policy.by_default


def _snomed_diagnosis(doc: dict) -> None:
    _claim(doc)["diagnosis"][1]["diagnosisCodeableConcept"]["coding"] = [
        {"system": "http://snomed.info/sct", "code": "279039007", "display": "Low back pain"}]


def test_a_diagnosis_in_an_unknown_code_system_is_a_warning_not_silence(client: TestClient) -> None:
    r = client.post("/Claim/$submit", content=_bundle(_snomed_diagnosis, "hostile-snomed"))
    assert r.status_code == 200, r.text
    [outcome] = [e["resource"] for e in r.json()["entry"] if e["resource"]["resourceType"] == "OperationOutcome"]
    [issue] = outcome["issue"]
    assert issue["severity"] == "warning"
    assert issue["expression"] == [f"{CLAIM}.diagnosis[1].diagnosisCodeableConcept"]
    assert "code system this service does not read" in issue["diagnostics"] and "ICD-10-CM" in issue["diagnostics"]
    assert "snomed" not in issue["diagnostics"]  # no value of the request echoed
    stored = client.get("/cases/hostile-snomed/determinations/1", headers={"Accept": "application/json"}).json()
    assert [w["element"] for w in stored["determination"]["intake_warnings"]] == issue["expression"]


@pytest.mark.parametrize("request_kwargs,status,code", [
    ({"headers": {"X-API-Key": "wrong"}}, 401, "login"),
    ({"headers": {"X-API-Key": ""}}, 401, "login"),
    ({"content": b" " * (5 * 1024 * 1024)}, 413, "too-long"),
    ({"headers": {"Content-Type": "application/xml"}}, 415, "not-supported"),
    ({"content": b"{not json"}, 422, "invalid"),
])
def test_every_error_of_the_fhir_route_is_an_operation_outcome(client: TestClient, request_kwargs, status,
                                                                code) -> None:
    kwargs = {"content": _bundle(case_id="hostile-errors"), **request_kwargs}
    issues = _outcome(client.post("/Claim/$submit", **kwargs), status)
    assert issues[0]["code"] == code and issues[0]["severity"] == "error"


def test_a_method_the_fhir_route_does_not_allow_is_an_operation_outcome(client: TestClient) -> None:
    issues = _outcome(client.get("/Claim/$submit"), 405)
    assert issues[0]["code"] == "not-supported"


def test_pas_limits_name_the_element(client: TestClient) -> None:
    deep: dict = {}
    node = deep
    for _ in range(60):
        node["extension"] = [{"url": "http://example.org/x"}]
        node = node["extension"][0]
    issues = _outcome(client.post("/Claim/$submit", content=_bundle(lambda d: _claim(d).update(deep))), 422)
    assert issues[0]["expression"][0].startswith(f"{CLAIM}.extension[0].extension[0]")
    text = _bundle().replace(b'"sequence": 1,', b'"sequence": NaN,', 1)
    issues = _outcome(client.post("/Claim/$submit", content=text), 422)
    assert issues[0]["expression"][0].startswith(CLAIM) and "finite" in issues[0]["diagnostics"]
