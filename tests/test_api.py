"""The API through FastAPI's TestClient: every route, negotiation, keys, limits and problems."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef

from api import Settings, create_app
from reasoner.loading import case_to_jsonld, load_case
from reasoner.namespaces import NEC, bind_prefixes
from reasoner.knowledge.paths import data_root
from reasoner.store import EmbeddedStore

API_KEY = "test-key-0123456789"  # a test value, not a secret

CASES = Path(data_root("cases"))
QUERIES = Path(data_root("queries"))
CASE_FILES = sorted(CASES.glob("*.json"))
EXPECTED = {p.stem: json.loads((CASES / "expected" / p.name).read_text())["outcomes"] for p in CASE_FILES}
FORMATS = ["application/json", "text/turtle", "application/ld+json"]
AUTH = {"X-API-Key": API_KEY}
PROBLEM = "application/problem+json"


def _form(stem: str, new_id: str | None = None) -> dict:
    form = json.loads((CASES / f"{stem}.json").read_text(encoding="utf-8"))
    if new_id:
        form["id"] = new_id
    return form


def body_in(form: dict, media: str) -> bytes:
    """The same case in one of the three input formats."""
    if media == "application/json":
        return json.dumps(form).encode()
    if media == "application/ld+json":
        return json.dumps(case_to_jsonld(form)).encode()
    graph = load_case(json.dumps(form)).graph
    bind_prefixes(graph)
    return graph.serialize(format="turtle", encoding="utf-8")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    s = EmbeddedStore(tmp_path_factory.mktemp("api-store"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(necessity_engine, store):
    app = create_app(Settings(api_keys=(API_KEY, "second-key"), max_body_bytes=64 * 1024, query_timeout=10),
                     engine=necessity_engine, store=store)
    with TestClient(app, headers=AUTH) as c:
        yield c


def assert_problem(response, status: int, *, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text
    if field is not None:
        assert body.get("field") == field, body
    return body


# ---------------------------------------------------------------- service and keys


def test_health_needs_no_key(client: TestClient) -> None:
    r = client.get("/health", headers={"X-API-Key": ""})
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_version(client: TestClient) -> None:
    body = client.get("/version").json()
    assert body["name"] == "necessity" and body["store"] == "embedded" and body["version"]


@pytest.mark.parametrize("path", ["/version", "/cases/000-ziconotide-refill", "/policies", "/sparql?query=ASK{}"])
def test_missing_key_is_401(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"X-API-Key": ""})
    assert_problem(r, 401)
    assert "WWW-Authenticate" in r.headers


@pytest.mark.parametrize("headers", [{"X-API-Key": "wrong"}, {"X-API-Key": "", "Authorization": "Bearer wrong"},
                                     {"X-API-Key": "", "Authorization": f"Basic {API_KEY}"}])
def test_wrong_key_is_401(client: TestClient, headers: dict) -> None:
    assert_problem(client.get("/version", headers=headers), 401)


def test_bearer_and_second_key_work(client: TestClient) -> None:
    assert client.get("/version", headers={"X-API-Key": "", "Authorization": f"Bearer {API_KEY}"}).status_code == 200
    assert client.get("/version", headers={"X-API-Key": "second-key"}).status_code == 200


def test_post_without_key_stores_nothing(client: TestClient) -> None:
    r = client.post("/cases", content=body_in(_form("000-ziconotide-refill", "nokey"), "application/json"),
                    headers={"X-API-Key": "", "Content-Type": "application/json"})
    assert_problem(r, 401)
    assert_problem(client.get("/cases/nokey"), 404)


def test_no_keys_configured_refuses_everything(necessity_engine, tmp_path: Path) -> None:
    s = EmbeddedStore(tmp_path / "s")
    app = create_app(Settings(api_keys=()), engine=necessity_engine, store=s)
    with TestClient(app) as c:
        assert c.get("/health").status_code == 200
        assert_problem(c.get("/version", headers={"X-API-Key": ""}), 401)
    s.close()


# ---------------------------------------------------------------- reference cases in every format


@pytest.mark.parametrize("media", FORMATS)
@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in CASE_FILES])
def test_reference_case_in_each_format(client: TestClient, path: Path, media: str) -> None:
    case_id = f"{path.stem}--{media.split('/')[1].replace('+', '-')}"
    r = client.post("/cases", content=body_in(_form(path.stem, case_id), media), headers={"Content-Type": media})
    assert r.status_code == 201, r.text
    assert r.headers["location"] == f"/cases/{case_id}/determinations/1"
    body = r.json()
    assert body["outcomes"] == EXPECTED[path.stem]
    assert body["number"] == 1 and body["determination"]["case_id"] == case_id
    # stored, and read back with the same outcomes
    stored = client.get(f"/cases/{case_id}").json()
    assert stored["id"] == case_id and stored["triples"] > 0
    assert [d["outcomes"] for d in stored["determinations"]] == [EXPECTED[path.stem]]
    assert client.get(r.headers["location"]).json()["outcomes"] == EXPECTED[path.stem]


def test_letter_and_turtle_by_accept(client: TestClient) -> None:
    form = _form("002-morphine-no-pump", "neg-letter")
    r = client.post("/cases", content=json.dumps(form), headers={"Content-Type": "application/json",
                                                                  "Accept": "text/markdown"})
    assert r.status_code == 201 and r.headers["content-type"].startswith("text/markdown")
    assert r.text.startswith("# Notice of prior authorization decision") and "| Case number | neg-letter |" in r.text
    assert "**more information needed**" in r.text and "insufficient-documentation" not in r.text
    form["id"] = "neg-turtle"
    r = client.post("/cases", content=json.dumps(form), headers={"Content-Type": "application/json",
                                                                  "Accept": "text/turtle"})
    assert r.status_code == 201 and r.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=r.text, format="turtle")
    det = URIRef("https://w3id.org/necessity/determination/neg-turtle/1")
    assert (det, NEC.decidesCase, URIRef("https://w3id.org/necessity/case/neg-turtle")) in graph
    assert graph.value(det, URIRef("http://www.w3.org/ns/prov#generatedAtTime")) is not None


def test_unacceptable_accept_is_406_and_stores_nothing(client: TestClient) -> None:
    r = client.post("/cases", content=json.dumps(_form("000-ziconotide-refill", "neg-406")),
                    headers={"Content-Type": "application/json", "Accept": "image/png"})
    assert_problem(r, 406)
    assert_problem(client.get("/cases/neg-406"), 404)


def test_case_graph_by_accept(client: TestClient) -> None:
    client.post("/cases", content=json.dumps(_form("001-hydromorphone-refill", "graph-1")),
                headers={"Content-Type": "application/json"})
    ttl = client.get("/cases/graph-1", headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200
    graph = Graph().parse(data=ttl.text, format="turtle")
    assert (URIRef("https://w3id.org/necessity/case/graph-1"), NEC.caseId, Literal("graph-1")) in graph
    jsonld = client.get("/cases/graph-1", headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=jsonld.text, format="json-ld")) == len(graph)
    det = client.get("/cases/graph-1/determinations/1", headers={"Accept": "text/turtle"})
    assert "Determination" in det.text


# ---------------------------------------------------------------- duplicates and re-deciding


def test_duplicate_id_is_409_and_changes_nothing(client: TestClient) -> None:
    form = _form("000-ziconotide-refill", "dup-1")
    assert client.post("/cases", content=json.dumps(form), headers={"Content-Type": "application/json"}).status_code == 201
    before = client.get("/cases/dup-1", headers={"Accept": "application/n-triples"}).text
    form["patient"]["age"] = 77
    r = client.post("/cases", content=json.dumps(form), headers={"Content-Type": "application/json"})
    assert_problem(r, 409, field="id")
    assert client.get("/cases/dup-1", headers={"Accept": "application/n-triples"}).text == before
    assert len(client.get("/cases/dup-1/determinations").json()) == 1


def test_redecide_under_another_policy_keeps_both(client: TestClient) -> None:
    client.post("/cases", content=json.dumps(_form("004-morphine-established-pump", "again-1")),
                headers={"Content-Type": "application/json"})
    r = client.post("/cases/again-1/decide?policy=cms-ncd-280.14")
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/cases/again-1/determinations/2"
    assert r.json()["determination"]["policy"]["id"] == "cms-ncd-280.14"
    listed = client.get("/cases/again-1/determinations").json()
    assert [(d["number"], d["policy_id"]) for d in listed] == [(1, "aetna-cpb-0161"), (2, "cms-ncd-280.14")]
    assert client.post("/cases/again-1/decide", headers={"Accept": "text/markdown"}).status_code == 201
    assert len(client.get("/cases/again-1/determinations").json()) == 3


def test_unknown_policy_is_422_and_stores_nothing(client: TestClient) -> None:
    r = client.post("/cases?policy=no-such-policy", content=json.dumps(_form("000-ziconotide-refill", "neg-pol")),
                    headers={"Content-Type": "application/json"})
    assert_problem(r, 422, field="policy")
    assert_problem(client.get("/cases/neg-pol"), 404)
    client.post("/cases", content=json.dumps(_form("000-ziconotide-refill", "pol-2")),
                headers={"Content-Type": "application/json"})
    assert_problem(client.post("/cases/pol-2/decide?policy=aetna-cpb-0161&version=1999-01"), 422, field="version")
    assert_problem(client.post("/cases/pol-2/decide?policy=nope-0000"), 422, field="policy")
    assert len(client.get("/cases/pol-2/determinations").json()) == 1


def test_missing_things_are_404(client: TestClient) -> None:
    assert_problem(client.get("/cases/never-stored"), 404)
    assert_problem(client.get("/cases/never-stored/determinations"), 404)
    assert_problem(client.post("/cases/never-stored/decide"), 404)
    client.post("/cases", content=json.dumps(_form("000-ziconotide-refill", "one-det")),
                headers={"Content-Type": "application/json"})
    assert_problem(client.get("/cases/one-det/determinations/9"), 404)
    assert_problem(client.get("/no/such/route"), 404)
    assert_problem(client.delete("/cases/one-det"), 405)


# ---------------------------------------------------------------- bad input: 4xx naming what is wrong, nothing stored


def test_misspelt_field_names_it_and_stores_nothing(client: TestClient) -> None:
    form = _form("000-ziconotide-refill", "neg-typo")
    form["pumpp"] = form.pop("pump")
    r = client.post("/cases", content=json.dumps(form), headers={"Content-Type": "application/json"})
    body = assert_problem(r, 422)
    assert "pumpp" in (body.get("field") or "") + body["detail"]
    assert_problem(client.get("/cases/neg-typo"), 404)


def test_impossible_value_names_the_field(client: TestClient) -> None:
    form = _form("000-ziconotide-refill", "neg-value")
    form["requested"][0]["code"] = "not a code"
    body = assert_problem(client.post("/cases", content=json.dumps(form),
                                      headers={"Content-Type": "application/json"}), 422)
    assert body["field"].startswith("requested[0]")
    assert_problem(client.get("/cases/neg-value"), 404)


def test_malformed_json_and_turtle(client: TestClient) -> None:
    r = client.post("/cases", content=b'{"id": "neg-json", "requested": [', headers={"Content-Type": "application/json"})
    assert_problem(r, 422)
    r = client.post("/cases", content=b"@prefix nec: <https://w3id.org/necessity/ontology#> .\n\n<x> nec:caseId ",
                    headers={"Content-Type": "text/turtle"})
    body = assert_problem(r, 422)
    assert body.get("line") is not None or "line" in body["detail"]


def test_wrong_content_type_is_415(client: TestClient) -> None:
    r = client.post("/cases", content=b"id: x", headers={"Content-Type": "text/plain"})
    assert_problem(r, 415, field="Content-Type")


@pytest.mark.parametrize("path", ["/cases/bad%20id", "/cases/x%22%7D"])
def test_bad_path_ids_are_422(client: TestClient, path: str) -> None:
    body = assert_problem(client.get(path), 422)
    assert body["field"] == "case_id"


def test_oversize_body_is_413_and_stores_nothing(client: TestClient) -> None:
    form = _form("000-ziconotide-refill", "neg-big")
    form["padding"] = "x" * (70 * 1024)
    assert_problem(client.post("/cases", content=json.dumps(form), headers={"Content-Type": "application/json"}), 413)

    def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(100):
            yield b" " * 1024

    r = client.post("/cases", content=chunks(), headers={"Content-Type": "application/json"})
    assert_problem(r, 413)
    assert_problem(client.get("/cases/neg-big"), 404)


def test_patient_name_and_birth_date_reach_the_notice_never_the_log(client: TestClient, caplog) -> None:
    form = _form("004-morphine-established-pump", "neg-patient")
    form["patient"] = {**form.get("patient", {}), "name": "Zelda Quartermain", "birth_date": "1951-07-30"}
    with caplog.at_level(logging.DEBUG):
        r = client.post("/cases", content=json.dumps(form), headers={"Content-Type": "application/json",
                                                                      "Accept": "text/markdown"})
        bad = dict(form, id="neg-patient-bad", patient={"name": "Zelda Quartermain", "birth_date": "1951-02-30"})
        refused = client.post("/cases", content=json.dumps(bad), headers={"Content-Type": "application/json"})
    assert r.status_code == 201 and "| Name | Zelda Quartermain |" in r.text and "July 30, 1951" in r.text
    assert_problem(refused, 422, field="patient.birth_date")
    assert "Zelda" not in refused.text and "Zelda" not in caplog.text and "1951" not in caplog.text


def test_unexpected_error_is_a_500_problem_without_patient_data(client: TestClient, necessity_engine,
                                                                 monkeypatch, caplog) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("patient Jane Roe, born 1950-01-01")

    monkeypatch.setattr(necessity_engine, "decide", boom)
    with caplog.at_level(logging.DEBUG):
        r = client.post("/cases", content=json.dumps(_form("000-ziconotide-refill", "neg-500")),
                        headers={"Content-Type": "application/json"})
    body = assert_problem(r, 500)
    assert "Jane" not in r.text and "Jane" not in caplog.text and "neg-500" not in caplog.text
    assert "RuntimeError" in caplog.text  # the type is logged, the message is not
    assert body["title"] == "Internal server error"
    monkeypatch.undo()
    assert_problem(client.get("/cases/neg-500"), 404)


# ---------------------------------------------------------------- policies


def test_policies(client: TestClient) -> None:
    policies = client.get("/policies").json()
    ids = {p["id"] for p in policies}
    assert {"aetna-cpb-0161", "cms-ncd-280.14"} <= ids
    aetna = client.get("/policies/aetna-cpb-0161").json()
    assert aetna["criteria"] and all(c["citations"] for c in aetna["criteria"])
    assert_problem(client.get("/policies/no-such-policy"), 404)


def test_policy_clauses(client: TestClient) -> None:
    rows = client.get("/policies/cms-ncd-280.14/clauses", params={"version": "2019-11"}).json()
    assert rows and {r["status"] for r in rows} <= {"encoded", "asks-for-document", "not-decidable", "not-applied"}
    assert list(rows[0]) == ["clause", "text", "source", "locator", "confidence", "status", "reason", "criteria"]
    assert "cms-ncd-280.14/ziconotide-indication" not in {r["clause"] for r in rows}  # a 2024-03 clause only
    assert_problem(client.get("/policies/cms-ncd-280.14/clauses", params={"version": "1999-01"}), 404)


# ---------------------------------------------------------------- SPARQL


def _sparql(client: TestClient, text: str, accept: str = "application/sparql-results+json", method: str = "GET"):
    headers = {"Accept": accept}
    if method == "GET":
        return client.get("/sparql", params={"query": text}, headers=headers)
    if method == "FORM":
        return client.post("/sparql", data={"query": text}, headers=headers)
    return client.post("/sparql", content=text.encode(), headers={**headers, "Content-Type": "application/sparql-query"})


def _one_page(text: str) -> str:
    """A listing query with one page as large as any test store (the listings page by case id, and this
    module's store holds cases, from other tests, whose ids sort before the ones looked for)."""
    return re.sub(r"LIMIT \d+ OFFSET \d+", "LIMIT 100000 OFFSET 0", text)


def _with_values(text: str, **bindings) -> str:
    """Bind values the way ``necessity query --bind`` does: a VALUES row of rdflib terms."""
    names = " ".join(f"?{k}" for k in bindings)
    row = " ".join(v.n3() for v in bindings.values())
    return f"{text.rstrip()}\nVALUES ({names}) {{ ({row}) }}"


@pytest.fixture(scope="module")
def stored_references(client: TestClient) -> None:
    """The five seed cases stored under their own ids (prefixed), for the query tests."""
    for stem in ("000-ziconotide-refill", "001-hydromorphone-refill", "002-morphine-no-pump",
                 "003-morphine-bupivacaine", "004-morphine-established-pump"):
        r = client.post("/cases", content=json.dumps(_form(stem, f"q-{stem}")),
                        headers={"Content-Type": "application/json"})
        assert r.status_code == 201, r.text


@pytest.mark.parametrize("method", ["GET", "FORM", "DIRECT"])
def test_sparql_methods(client: TestClient, stored_references, method: str) -> None:
    text = "PREFIX nec: <https://w3id.org/necessity/ontology#> SELECT ?id { ?c nec:caseId ?id FILTER(STRSTARTS(?id, 'q-00')) }"
    r = _sparql(client, text, method=method)
    assert r.status_code == 200, r.text
    ids = {b["id"]["value"] for b in r.json()["results"]["bindings"]}
    assert ids == {f"q-{s}" for s in ("000-ziconotide-refill", "001-hydromorphone-refill", "002-morphine-no-pump",
                                      "003-morphine-bupivacaine", "004-morphine-established-pump")}


@pytest.mark.parametrize("accept,marker", [
    ("application/sparql-results+json", b'"vars"'), ("application/json", b'"vars"'),
    ("application/sparql-results+xml", b"<sparql"), ("text/csv", b"n\r\n"), ("text/tab-separated-values", b"?n"),
])
def test_sparql_select_formats(client: TestClient, accept: str, marker: bytes) -> None:
    r = _sparql(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", accept=accept)
    assert r.status_code == 200 and marker in r.content


def test_sparql_construct_is_turtle_and_joins_knowledge(client: TestClient, stored_references) -> None:
    text = """PREFIX nec: <https://w3id.org/necessity/ontology#>
              PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
              CONSTRUCT { ?det nec:outcome ?o . ?o rdfs:label ?l } WHERE {
                ?det nec:decidesCase ?c ; nec:outcome ?o . ?o rdfs:label ?l }"""
    r = _sparql(client, text, accept="text/turtle")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=r.text, format="turtle")) > 0
    assert_problem(_sparql(client, text, accept="text/csv"), 406)


def test_openapi_sparql_example_runs(client: TestClient) -> None:
    from api.examples import SPARQL_EXAMPLE

    rows = _sparql(client, SPARQL_EXAMPLE).json()["results"]["bindings"]
    assert {"aetna-cpb-0161", "cms-ncd-280.14"} <= {r["policy"]["value"] for r in rows}


@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "url": "/sparql", "params": {"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}},
    {"method": "GET", "url": "/sparql", "params": {"update": "DROP ALL"}},
    {"method": "POST", "url": "/sparql", "data": {"update": "DROP ALL"}},
    {"method": "POST", "url": "/sparql", "data": {"query": "DELETE WHERE { ?s ?p ?o }"}},
    {"method": "POST", "url": "/sparql", "content": b"DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
    {"method": "POST", "url": "/sparql", "content": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-query"}},
    {"method": "GET", "url": "/sparql", "params": {"query": "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}},
    {"method": "POST", "url": "/sparql", "data": {"query": "ASK { OPTIONAL { SERVICE SILENT <http://example.org/s> { ?s ?p ?o } } }"}},
])
def test_sparql_updates_and_service_are_refused(client: TestClient, stored_references, request_kwargs) -> None:
    before = _sparql(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").json()
    assert_problem(client.request(**request_kwargs), 400)
    assert _sparql(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").json() == before


def test_sparql_bad_requests(client: TestClient) -> None:
    assert_problem(_sparql(client, "SELECT WHERE {"), 400, field="query")
    assert_problem(client.get("/sparql"), 400, field="query")
    assert_problem(client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "http://x"}), 400,
                   field="default-graph-uri")
    assert_problem(client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"}), 415)


def test_sparql_time_limit(necessity_engine, tmp_path: Path) -> None:
    s = EmbeddedStore(tmp_path / "slow")
    app = create_app(Settings(api_keys=(API_KEY,), query_timeout=0.2), engine=necessity_engine, store=s)
    with TestClient(app, headers=AUTH) as c:
        # rdfs:label pairs of the knowledge graph: millions of rows, seconds of work, then it ends
        slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a <http://www.w3.org/2000/01/rdf-schema#label> ?x . "
                "?b <http://www.w3.org/2000/01/rdf-schema#label> ?y FILTER(STR(?x) < STR(?y)) }")
        body = assert_problem(c.get("/sparql", params={"query": slow}), 503)
        assert "time limit" in body["detail"]
    s.close()


# ---------------------------------------------------------------- the queries in queries/ through the endpoint


def _rows(client: TestClient, text: str) -> list[dict[str, str]]:
    r = _sparql(client, text)
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def test_query_cases_pended_for_document(client: TestClient, stored_references) -> None:
    text = _one_page((QUERIES / "cases-pended-for-document.rq").read_text())
    trial = URIRef("https://w3id.org/necessity/shapes/aetna-cpb-0161#doc-trial-report")
    rows = _rows(client, _with_values(text, document=trial))
    pended = {r["caseId"] for r in rows if r["caseId"].startswith("q-")}
    assert pended == {"q-002-morphine-no-pump", "q-003-morphine-bupivacaine"}
    assert all(r["document"] == str(trial) for r in rows)


def test_query_outcomes_by_policy_version(client: TestClient, stored_references) -> None:
    rows = _rows(client, (QUERIES / "outcomes-by-policy-version.rq").read_text())
    aetna = {r["outcome"]: int(r["determinations"]) for r in rows if r["policyId"] == "aetna-cpb-0161"}
    assert aetna.get(str(NEC.MeetsCriteria), 0) >= 3 and aetna.get(str(NEC.InsufficientDocumentation), 0) >= 2
    assert all(r["versionLabel"] for r in rows)


def test_query_cases_citing_criterion(client: TestClient, stored_references) -> None:
    text = _one_page((QUERIES / "cases-citing-criterion.rq").read_text())
    criterion = URIRef("https://w3id.org/necessity/shapes/aetna-cpb-0161#crit-trial-50-percent")
    rows = _rows(client, _with_values(text, criterion=criterion))
    cases = {r["caseId"] for r in rows if r["caseId"].startswith("q-")}
    assert {"q-002-morphine-no-pump", "q-003-morphine-bupivacaine"} <= cases
    assert {r["role"] for r in rows if r["caseId"] == "q-002-morphine-no-pump"} == {"undocumented"}


def test_query_line_outcomes_by_code(client: TestClient, stored_references) -> None:
    text = (QUERIES / "line-outcomes-by-code.rq").read_text()
    rows = _rows(client, _with_values(text, code=Literal("J2274")))
    by_outcome = {r["outcome"]: int(r["determinations"]) for r in rows if r["policyId"] == "aetna-cpb-0161"}
    assert by_outcome[str(NEC.InsufficientDocumentation)] >= 1 and by_outcome[str(NEC.MeetsCriteria)] >= 1


def test_query_results_as_csv(client: TestClient, stored_references) -> None:
    r = _sparql(client, (QUERIES / "line-outcomes-by-code.rq").read_text(), accept="text/csv")
    header = next(csv.reader(io.StringIO(r.text)))
    assert header == ["code", "policyId", "outcome", "outcomeLabel", "determinations"]


# ---------------------------------------------------------------- OpenAPI


def test_openapi_has_a_working_case_example(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    content = spec["paths"]["/cases"]["post"]["requestBody"]["content"]
    examples = content["application/json"]["examples"]
    ids = [e["value"]["id"] for e in examples.values()]
    assert len(examples) >= 3 and len(set(ids)) == len(ids)
    for media in ("text/turtle", "application/ld+json"):
        assert "example" in content[media], media
    assert {"APIKeyHeader", "HTTPBearer"} <= set(spec["components"]["securitySchemes"])
    # every example decides as its bundled case says, when posted as written
    for example in examples.values():
        r = client.post("/cases", content=json.dumps(example["value"]),
                        headers={"Content-Type": "application/json"})
        if r.status_code == 409:  # another test stored the bundled case already
            continue
        assert r.status_code == 201, r.text
        assert r.json()["outcomes"] == EXPECTED[example["value"]["id"]]
    # the Turtle and JSON-LD examples load, each with its own id
    seen = set(ids)
    for media in ("text/turtle", "application/ld+json"):
        raw = content[media]["example"]
        data = raw if isinstance(raw, str) else json.dumps(raw)
        case_id = load_case(data, content_type=media).case_id
        assert case_id.startswith("000-ziconotide-refill") and case_id not in seen
        seen.add(case_id)


def test_openapi_request_schema_is_the_form_schema(client: TestClient) -> None:
    import jsonschema

    from reasoner.loading.jsonschema import form_json_schema

    spec = client.get("/openapi.json").json()
    schema = spec["paths"]["/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema == form_json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    for path in CASE_FILES:
        validator.validate(_form(path.stem))
    assert not validator.is_valid(_form("000-ziconotide-refill") | {"pupm": {}})
    assert not validator.is_valid(_form("000-ziconotide-refill") | {"urgency": "urgent"})