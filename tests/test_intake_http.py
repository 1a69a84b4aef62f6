"""Hostile and FHIR intake over a real socket: refused with a 4xx naming the field, line or element,
nothing stored, and nothing from the input in the server's log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle

from reasoner.loading import case_to_jsonld
from reasoner.knowledge.paths import data_root

pytestmark = pytest.mark.slow

API_KEY = "intake-test-key-2468013579"  # a test value, not a secret
REPO = Path(__file__).resolve().parents[1]
CASES = Path(data_root("cases"))
MARK = "Qzxjv"  # a string that appears only in the hostile inputs, to look for in the log
H = ("@prefix nec: <https://w3id.org/necessity/ontology#> .\n@prefix case: <https://w3id.org/necessity/case/> .\n"
     "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n")
LINE = 'nec:hasRequestedLine [ nec:notation "J2274" ; nec:codeSystemName "HCPCS" ]'
TTL, JSON, JSONLD, FHIR = "text/turtle", "application/json", "application/ld+json", "application/fhir+json"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("intake-http")
    log_path = root / "server.log"
    port = _free_port()
    env = {**os.environ, "NECESSITY_API_KEYS": API_KEY, "PYTHONPATH": str(REPO)}
    env.pop("NECESSITY_STORE", None)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "reasoner.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--store", str(root / "store")], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log_path.read_text()[-2000:])
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    client = httpx.Client(base_url=url, headers={"X-API-Key": API_KEY}, timeout=60)
    yield client, log_path
    client.close()
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _form(**extra) -> dict:
    form = {"id": "hostile-1", "policy": "aetna-cpb-0161", "patient": {"age": 60, "sex": "female"},
            "requested": [{"code": "J2274", "system": "HCPCS", "units": 480}]}
    form.update(extra)
    return form


def _jsonld(mutate) -> str:
    doc = case_to_jsonld(_form())
    mutate(doc)
    return json.dumps(doc)


OTHER_PATIENT = "https://w3id.org/necessity/case/000-ziconotide-refill/patient"

HOSTILE = [
    ("other-case-patient", TTL, H + f"case:h-other a nec:Case ; {LINE} ; nec:hasPatient <{OTHER_PATIENT}> .\n"
                                    f"<{OTHER_PATIENT}> nec:ageYears 99 .\n", {"field": "patient"}),
    ("knowledge-as-patient", TTL, H + f"case:h-zico a nec:Case ; {LINE} ; nec:hasPatient nec:ziconotide .\n"
                                      "nec:ziconotide nec:ageYears 99 .\n", {"field": "patient"}),
    ("knowledge-statement", TTL, H + f"case:h-know a nec:Case ; {LINE} .\nnec:J2274 nec:label \"{MARK}\" .\n", {}),
    ("jsonld-invalid-id", JSONLD, _jsonld(lambda d: d.update(patient={"@id": f"https://x/a {MARK}", "age": 200})),
     {"field": "patient.@id"}),
    ("jsonld-named-graph", JSONLD, json.dumps({"@context": case_to_jsonld(_form())["@context"], "@graph": [
        {"@id": "https://w3id.org/necessity/case/g", "@graph": [
            {k: v for k, v in case_to_jsonld(_form(id="h-graph")).items() if k != "@context"}]}]}),
     {"field": "@graph[0].@graph"}),
    ("jsonld-dropped-key", JSONLD, _jsonld(lambda d: d.update({"@context": {"nec": "https://w3id.org/necessity/ontology#"},
                                                                 "@type": "nec:Case"})), {}),
    ("turtle-iri-space", TTL, H + f"case:h-space a nec:Case ; {LINE} ;\n nec:hasPatient <https://w3id.org/necessity/case/h-space/{MARK} x> .\n",
     {"line": 5}),
    ("turtle-lone-surrogate", TTL, H + f'case:h-surr a nec:Case ; {LINE} ;\n nec:hasPatient [ nec:sex "{MARK}\\uD800" ] .\n',
     {"line": 5}),
    ("json-lone-surrogate", JSON, json.dumps(_form()).replace('"female"', f'"{MARK}\\ud800"'), {"field": "patient.sex"}),
    ("json-control-char", JSON, json.dumps(_form()).replace('"female"', f'"{MARK}\\u0007"'), {"field": "patient.sex"}),
    ("json-nan", JSON, json.dumps(_form()).replace("480", "NaN"), {"field": "requested[0].units"}),
    ("json-infinity", JSON, json.dumps(_form()).replace("480", "Infinity"), {"field": "requested[0].units"}),
    ("json-5000-digits", JSON, json.dumps(_form()).replace("480", "7" * 5000), {"field": "requested[0].units"}),
    ("turtle-ill-typed-age", TTL, H + f'case:h-age a nec:Case ; {LINE} ;\n nec:hasPatient [ nec:ageYears "{MARK}-sixty"^^xsd:integer ] .\n',
     {"field": "patient.age"}),
    ("turtle-ill-typed-date", TTL, H + f'case:h-date a nec:Case ; {LINE} ;\n nec:hasImplantedPump [ nec:implantDate "{MARK}"^^xsd:date ] .\n',
     {"field": "pump.implant_date"}),
]


@pytest.mark.parametrize("media,body,where", [(m, b, w) for _, m, b, w in HOSTILE], ids=[i for i, *_ in HOSTILE])
def test_hostile_case_is_refused_naming_where(server, media: str, body: str, where: dict) -> None:
    client, log_path = server
    before = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"}).json()
    r = client.post("/cases", content=body.encode("utf-8", "surrogatepass"), headers={"Content-Type": media})
    assert r.status_code == 422, r.text
    problem = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    for key, value in where.items():
        assert problem.get(key) == value, problem
    assert MARK not in r.text and "Traceback" not in r.text
    for python_says in ("4300", "is not a JSON number", "Exceeds the limit", "ValueError"):
        assert python_says not in problem["detail"]
    after = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"}).json()
    assert after == before  # nothing stored, nothing changed
    assert MARK not in log_path.read_text(errors="replace")


def _bundle(name: str) -> bytes:
    return (CASES / "fhir" / name).read_bytes()


def test_pas_bundle_is_decided_stored_and_answered(server) -> None:
    client, log_path = server
    r = client.post("/Claim/$submit", content=_bundle("pas-initial-implant-trial-40pct.json"),
                    headers={"Content-Type": FHIR})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(FHIR)
    answer = Bundle.model_validate(r.json())
    response = answer.entry[0].resource
    assert [i.itemSequence for i in response.item] == [1, 2]
    *item_notes, policy_note = response.processNote  # the last note names the policy that decided
    assert item_notes and all("not met" in n.text for n in item_notes)
    assert policy_note.text.startswith("Decided under ") and "aetna-cpb-0161" in policy_note.text
    stored = client.get("/cases/PA-2025-001002").json()
    assert stored["determinations"][0]["outcomes"] == {"62362": "does-not-meet", "J2274": "does-not-meet"}
    again = client.post("/Claim/$submit", content=_bundle("pas-initial-implant-trial-40pct.json"),
                        headers={"Content-Type": FHIR})
    assert again.status_code == 409 and again.json()["resourceType"] == "OperationOutcome"
    text = log_path.read_text(errors="replace")
    assert "PA-2025-001002" not in text and "Lakeside" not in text and "XEH600100202" not in text


def test_malformed_pas_bundle_gets_an_operation_outcome(server) -> None:
    client, log_path = server
    bad = json.loads(_bundle("pas-malformed-quantity.json"))
    bad["entry"][1]["resource"]["name"][0]["family"] = MARK
    r = client.post("/Claim/$submit", content=json.dumps(bad), headers={"Content-Type": FHIR})
    assert r.status_code == 422 and r.headers["content-type"].startswith(FHIR)
    outcome = r.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["expression"] == ["Bundle.entry[0].resource.item[1].quantity.value"]
    assert client.get("/cases/PA-2025-001004").status_code == 404
    wrong = client.post("/Claim/$submit", content=b"<Bundle/>", headers={"Content-Type": "application/xml"})
    assert wrong.status_code == 415 and wrong.json()["resourceType"] == "OperationOutcome"
    assert MARK not in log_path.read_text(errors="replace")
