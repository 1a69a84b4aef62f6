"""Reviews over the API: reviewer keys and roles, POST /cases/{id}/reviews, what GET and the letters show
after a review, the page's sign-off form (without a browser), and the store accepting the graphs written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from api import Settings, create_app
from api.signoff import form_token
from reasoner.namespaces import NEC, PROV
from reasoner.knowledge.paths import data_root
from reasoner.store import EmbeddedStore
from reasoner.store.operations import backup_store, check_store, restore_store

INTEGRATOR, NURSE, PHYSICIAN = "integrator-key-01", "nurse-key-0042", "physician-key-0007"  # test values
KEYS = f"{INTEGRATOR},{NURSE}=nurse-reviewer:rn-0042,{PHYSICIAN}=physician-reviewer:md-0007"
CASES = Path(data_root("cases"))
PROBLEM = "application/problem+json"


def auth(key: str) -> dict:
    return {"X-API-Key": key}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    s = EmbeddedStore(tmp_path_factory.mktemp("review-store"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(necessity_engine, store):
    app = create_app(Settings(api_keys=KEYS), engine=necessity_engine, store=store)
    with TestClient(app) as c:
        for stem in ("012-initial-implant-trial-40pct", "002-morphine-no-pump", "001-hydromorphone-refill"):
            r = c.post("/cases", content=(CASES / f"{stem}.json").read_bytes(),
                       headers={"Content-Type": "application/json", **auth(INTEGRATOR)})
            assert r.status_code == 201, r.text
        yield c


def _review(client: TestClient, case: str, key: str, body: dict):
    return client.post(f"/cases/{case}/reviews", json=body, headers=auth(key))


def _problem(r, status: int, field: str | None = None) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    if field is not None:
        assert body.get("field") == field, body
    return body


def test_settings_parse_reviewer_keys_and_refuse_bad_roles() -> None:
    s = Settings(api_keys=KEYS + ",padded==")
    assert s.api_keys == (INTEGRATOR, NURSE, PHYSICIAN, "padded==")
    assert s.reviewer_keys == ((NURSE, "nurse-reviewer", "rn-0042"), (PHYSICIAN, "physician-reviewer", "md-0007"))
    with pytest.raises(ValueError) as info:
        Settings(api_keys="secret-value=surgeon:dr-1")
    assert "secret-value" not in str(info.value) and "entry 1" in str(info.value)


def test_nurse_deny_is_403_and_physician_deny_is_recorded(client: TestClient) -> None:
    case = "012-initial-implant-trial-40pct"
    deny = {"determination": 1, "lines": [{"code": "62362", "decision": "deny",
                                           "reason": "Trial relief 40%, below the 50% the policy requires."}]}
    _problem(_review(client, case, NURSE, deny), 403, "lines[0].decision")
    _problem(_review(client, case, INTEGRATOR, deny), 403, "X-API-Key")
    _problem(client.post(f"/cases/{case}/reviews", json=deny), 401)
    missing = {"determination": 1, "lines": [{"code": "62362", "decision": "deny"}]}
    _problem(_review(client, case, PHYSICIAN, missing), 422, "lines[0].reason")
    _problem(_review(client, case, PHYSICIAN, {**deny, "lines": [{**deny["lines"][0], "code": "99999"}]}), 422,
             "lines[0].code")

    r = _review(client, case, PHYSICIAN, {**deny, "note": "Peer-to-peer offered."})
    assert r.status_code == 201, r.text
    assert r.headers["location"] == f"/cases/{case}/determinations/2"
    assert r.json()["determination"]["review"]["lines"][0]["decision"] == "deny"

    listed = client.get(f"/cases/{case}", headers=auth(INTEGRATOR)).json()["determinations"]
    assert [d["number"] for d in listed] == [1, 2] and listed[0]["review"] is None
    review = listed[1]["review"]
    assert (review["reviewer"], review["role"], review["derived_from_number"]) == ("md-0007", "physician-reviewer", 1)
    line = review["lines"][0]
    assert (line["code"], line["decision"], line["engine_outcome"], line["engine_recommendation"]) == \
        ("62362", "deny", "does-not-meet", "deny")
    assert line["deciding_criteria"] == ["https://w3id.org/necessity/shapes/aetna-cpb-0161#crit-trial-50-percent"]

    # reviewing determination 1 again: superseded
    _problem(_review(client, case, PHYSICIAN, deny), 409, "determination")

    # the RDF says who, when and from what, in PROV-O terms
    graph = Graph().parse(data=client.get(f"/cases/{case}/determinations/2",
                                          headers={"Accept": "text/turtle", **auth(INTEGRATOR)}).text, format="turtle")
    det = URIRef(f"https://w3id.org/necessity/determination/{case}/2")
    assert (det, PROV.wasDerivedFrom, URIRef(f"https://w3id.org/necessity/determination/{case}/1")) in graph
    agent = graph.value(det, PROV.wasAttributedTo)
    assert str(agent).endswith("/reviewer/md-0007")
    review_node = graph.value(det, PROV.wasGeneratedBy)
    assert (review_node, PROV.wasAssociatedWith, agent) in graph
    assert str(graph.value(review_node, NEC.reviewerId)) == "md-0007"
    assert graph.value(det, PROV.wasGeneratedBy) is not None

    letter = client.get(f"/cases/{case}/determinations/2", headers={"Accept": "text/markdown", **auth(INTEGRATOR)}).text
    assert "physician reviewer md-0007" in letter and "Trial relief 40%" in letter
    assert "Your appeal rights" in letter and "180 days" in letter


def test_a_second_review_carries_earlier_decisions_and_reason_rules(client: TestClient) -> None:
    case = "002-morphine-no-pump"
    # a nurse approves against a pend recommendation: a reason is required
    _problem(_review(client, case, NURSE, {"determination": 1, "lines": [{"code": "J2274", "decision": "approve"}]}),
             422, "lines[0].reason")
    r = _review(client, case, NURSE, {"determination": 1, "lines": [
        {"code": "J2274", "decision": "pend", "reason_criterion":
         "https://w3id.org/necessity/shapes/aetna-cpb-0161#crit-trial-50-percent"}]})
    assert r.status_code == 201, r.text
    r = _review(client, case, PHYSICIAN, {"determination": 2, "lines": [
        {"code": "S9328", "decision": "approve", "reason": "Records received by fax; trial 70%."}]})
    assert r.status_code == 201, r.text
    lines = r.json()["determination"]["review"]["lines"]
    assert [(x["code"], x["decision"], x["reviewer"], x["recorded_in"]) for x in lines] == [
        ("J2274", "pend", "rn-0042", 2), ("S9328", "approve", "md-0007", 3)]
    assert lines[0]["reason"] == "successful trial with at least 50% relief"


def test_the_page_offers_only_the_roles_decisions_and_its_form_records(client: TestClient) -> None:
    case = "001-hydromorphone-refill"
    nurse_page = client.get(f"/cases/{case}", headers={"Accept": "text/html", **auth(NURSE)}).text
    assert 'value="approve"' in nurse_page and 'value="pend"' in nurse_page and 'value="deny"' not in nurse_page
    physician_page = client.get(f"/cases/{case}", headers={"Accept": "text/html", **auth(PHYSICIAN)}).text
    assert 'value="deny"' in physician_page
    integrator_page = client.get(f"/cases/{case}", headers={"Accept": "text/html", **auth(INTEGRATOR)}).text
    assert "<form" not in integrator_page and "not a reviewer" in integrator_page
    for page in (nurse_page, physician_page):
        assert "Advisories" in page or "Citations to check" in page

    form = {"determination": "1", "code": "J7999", "decision": "approve", "reason": "", "reason_criterion": "",
            "note": "", "form_token": "forged"}
    r = client.post(f"/cases/{case}/reviews", data=form, headers={"Accept": "text/html", **auth(NURSE)},
                    follow_redirects=False)
    assert r.status_code == 422 and "token" in r.text
    form["form_token"] = form_token(NURSE, case, 1)
    r = client.post(f"/cases/{case}/reviews", data=form, headers={"Accept": "text/html", **auth(NURSE)},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/cases/{case}")
    page = client.get(f"/cases/{case}", headers={"Accept": "text/html", **auth(NURSE)}).text
    assert "approve</strong> by rn-0042" in page

    # a browser without a key is asked for one (HTTP Basic), and the key as Basic password works
    r = client.get(f"/cases/{case}", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 401 and "Basic" in r.headers["www-authenticate"]
    r = client.get(f"/cases/{case}", headers={"Accept": "text/html"}, auth=("rn-0042", NURSE))
    assert r.status_code == 200 and 'name="form_token"' in r.text


def test_store_check_backup_and_restore_accept_review_graphs(client: TestClient, store, tmp_path: Path,
                                                             necessity_engine) -> None:
    report = check_store(store)
    assert report.ok, report.problems
    target = tmp_path / "backup.nq.gz"
    backup_store(store, target)
    other = EmbeddedStore(tmp_path / "restored")
    try:
        assert restore_store(other, target, knowledge=necessity_engine.knowledge_graph) > 0
        assert check_store(other).ok
        records = other.list_determinations("012-initial-implant-trial-40pct")
        assert [r.reviewed for r in records] == [False, True]
        from summary_check import check_summaries

        assert check_summaries(other) == len(other.case_ids())  # review profiles rebuilt too
    finally:
        other.close()


def _inquiry(bundle: dict, sequences: list[int] | None = None) -> dict:
    """A PAS inquiry built from the request: its Claim (the original identifier), the items asked about."""
    claim = json.loads(json.dumps(bundle["entry"][0]["resource"]))
    claim.pop("supportingInfo", None)
    if sequences is None:
        claim.pop("item", None)
    else:
        claim["item"] = [i for i in claim["item"] if i["sequence"] in sequences]
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl": bundle["entry"][0]["fullUrl"],
                                                                        "resource": claim}]}


def _actions(answer: dict) -> dict[int, str]:
    response = answer["entry"][0]["resource"]
    return {item["itemSequence"]: item["adjudication"][0]["extension"][0]["extension"][0]["valueCodeableConcept"]
            ["coding"][0]["code"] for item in response["item"]}


def test_pas_inquiry_answers_the_reviewers_decision(client: TestClient) -> None:
    fhir = {"Content-Type": "application/fhir+json"}
    bundle = json.loads((CASES / "fhir" / "pas-initial-implant-trial-40pct.json").read_text(encoding="utf-8"))
    r = client.post("/Claim/$submit", json=bundle, headers={**fhir, **auth(INTEGRATOR)})
    assert r.status_code == 200, r.text
    assert _actions(r.json()) == {1: "A4", 2: "A4"}  # criteria not met: pended for a reviewer
    case = bundle["entry"][0]["resource"]["identifier"][0]["value"]

    inquiry = client.post("/Claim/$inquire", json=_inquiry(bundle), headers={**fhir, **auth(INTEGRATOR)})
    assert inquiry.status_code == 200 and _actions(inquiry.json()) == {1: "A4", 2: "A4"}

    r = _review(client, case, PHYSICIAN, {"determination": 1, "lines": [
        {"code": "62362", "decision": "deny", "reason": "Trial gave 40% relief; the policy requires 50%."},
        {"code": "J2274", "decision": "pend", "reason": "Ask for a repeat trial report."}]})
    assert r.status_code == 201, r.text
    answer = client.post("/Claim/$inquire", json=_inquiry(bundle), headers={**fhir, **auth(INTEGRATOR)}).json()
    assert _actions(answer) == {1: "A3", 2: "A4"}
    response = answer["entry"][0]["resource"]
    notes = {n["number"]: n["text"] for n in response["processNote"]}
    denied = next(i for i in response["item"] if i["itemSequence"] == 1)
    text = notes[denied["noteNumber"][0]]
    assert "denied by physician reviewer md-0007" in text and "40% relief" in text
    assert response["request"]["identifier"]["value"] == case

    one = client.post("/Claim/$inquire", json=_inquiry(bundle, [2]), headers={**fhir, **auth(INTEGRATOR)}).json()
    assert _actions(one) == {2: "A4"}

    # a nurse then approves the pended drug line: A1 with the certification of determination 3
    r = _review(client, case, NURSE, {"determination": 2, "lines": [
        {"code": "J2274", "decision": "approve", "reason": "Repeat trial report received: 60% relief."}]})
    assert r.status_code == 201, r.text
    answer = client.post("/Claim/$inquire", json=_inquiry(bundle), headers={**fhir, **auth(INTEGRATOR)}).json()
    assert _actions(answer) == {1: "A3", 2: "A1"}
    assert answer["entry"][0]["resource"]["preAuthRef"] == f"{case}-3"
    unknown = _inquiry(bundle)
    unknown["entry"][0]["resource"]["identifier"][0]["value"] = "PA-NOT-STORED"
    r = client.post("/Claim/$inquire", json=unknown, headers={**fhir, **auth(INTEGRATOR)})
    assert r.status_code == 404 and r.json()["resourceType"] == "OperationOutcome"
