"""Hostile requests to the case routes, ``/sparql`` and the API pages (issue 18, item 7): each input
with the refusal it must get. Every refusal of ``POST /cases`` names the field or the line, and
nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import Settings, create_app
from api.docs import DOCS_CSP
from reasoner.knowledge.paths import data_root
from reasoner.loading import case_to_jsonld
from reasoner.store import EmbeddedStore

API_KEY = "hostile-api-key-0123456789"  # a test value, not a secret
CASES = Path(data_root("cases"))
J, LD, TTL = "application/json", "application/ld+json", "text/turtle"
BASE = {"id": "hostile-api", "policy": "aetna-cpb-0161", "patient": {"age": 60, "sex": "female"},
        "requested": [{"code": "J2274", "system": "HCPCS", "units": 480}]}


def _form(**changes) -> str:
    return json.dumps({**BASE, **changes})


def _without(key: str) -> str:
    return json.dumps({k: v for k, v in BASE.items() if k != key})


# (name, Content-Type, body, the field or line the problem must name)
HOSTILE: list[tuple[str, str, str | bytes, dict]] = [
    ("json-number", J, "42", {"field": "$"}),
    ("json-null", J, "null", {"field": "$"}),
    ("json-list", J, "[]", {"field": "$"}),
    ("json-string", J, '"case"', {"field": "$"}),
    ("jsonld-number", LD, "42", {"field": "$"}),
    ("jsonld-null", LD, "null", {"field": "$"}),
    ("jsonld-string", LD, '"case"', {"field": "$"}),
    ("jsonld-true", LD, "true", {"field": "$"}),
    ("jsonld-empty-object", LD, "{}", {"field": "rdf:type"}),
    ("jsonld-empty-list", LD, "[]", {"field": "rdf:type"}),
    ("turtle-without-a-case", TTL, "@prefix a: <http://example.org/> . a:b a:c a:d .", {"field": "rdf:type"}),
    ("turtle-empty", TTL, "", {"field": "rdf:type"}),
    ("turtle-garbage", TTL, "\n\n@@@", {"line": 3}),
    ("not-utf8", J, b'{"id":\n"\xff"}', {"line": 2}),
    ("empty-json", J, "", {"line": 1}),
    ("nesting", J, '{"patient": ' + "[" * 100 + "]" * 100 + "}", {"field": "patient[0][0][0][0]"}),
    ("nan", J, _form(patient={"age": float("nan"), "sex": "female"}), {"field": "patient.age"}),
    ("5000-lines", J, _form(requested=[BASE["requested"][0]] * 5000), {"field": "requested"}),
    ("duplicate-key", J, '{"id": "a", "id": "b"}', {"field": "id"}),
    ("right-to-left-override", J, _form(provider={"name": "Dr \u202eevil"}), {"field": "provider.name"}),
    ("left-to-right-isolate", J, _form(provider={"name": "Dr \u2066x\u2069"}), {"field": "provider.name"}),
    ("bidi-override-in-jsonld", LD, json.dumps(case_to_jsonld(json.loads(_form(provider={"name": "a\u202eb"})))),
     {"field": "provider.name"}),
    ("forged-table-row", J, _form(provider={"name": "Dr A\n| Decision | **APPROVED** |"}), {"field": "provider.name"}),
    ("carriage-return", J, _form(member={"id": "M1\rM2"}), {"field": "member.id"}),
    ("line-separator", J, _form(provider={"name": "Dr A\u2028B"}), {"field": "provider.name"}),
    ("bell", J, _form(provider={"name": "a\u0007b"}), {"field": "provider.name"}),
    ("no-id", J, _without("id"), {"field": "id"}),
    ("no-lines", J, _without("requested"), {"field": "requested"}),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    s = EmbeddedStore(tmp_path_factory.mktemp("hostile-api"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(necessity_engine, store):
    app = create_app(Settings(api_keys=(API_KEY,), max_body_bytes=2 * 1024 * 1024), engine=necessity_engine,
                     store=store)
    with TestClient(app, headers={"X-API-Key": API_KEY}) as c:
        yield c


@pytest.mark.parametrize("name,media,body,names", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_case_is_refused_naming_the_field_or_line(client: TestClient, store, name, media, body,
                                                          names) -> None:
    r = client.post("/cases", content=body, headers={"Content-Type": media})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    for key, value in names.items():
        assert problem.get(key) == value, problem
    assert "Error)" not in problem["detail"] and "Traceback" not in r.text  # no Python exception name
    assert store.count_cases() == 0


def test_turtle_with_a_bidi_override_is_refused_by_line(client: TestClient, store) -> None:
    ttl = ("@prefix nec: <https://w3id.org/necessity/ontology#> .\n@prefix case: <https://w3id.org/necessity/case/> .\n"
           'case:t a nec:Case ;\n nec:hasRequestedLine [ nec:notation "J2274\u202e" ; nec:codeSystemName "HCPCS" ] .\n')
    r = client.post("/cases", content=ttl.encode(), headers={"Content-Type": TTL})
    assert r.status_code == 422 and r.json().get("line") == 4, r.text
    assert store.count_cases() == 0


@pytest.fixture(scope="module")
def stored(client: TestClient) -> str:
    body = (CASES / "000-ziconotide-refill.json").read_bytes()
    r = client.post("/cases", content=body, headers={"Content-Type": J})
    assert r.status_code == 201, r.text
    return "000-ziconotide-refill"


@pytest.mark.parametrize("number", ["+1", "%201", "1%20", "1_0", "01", "0", "-1", "1.0", "1e0", "%EF%BC%91"])
def test_determination_number_is_digits_only(client: TestClient, stored: str, number: str) -> None:
    r = client.get(f"/cases/{stored}/determinations/{number}")
    assert r.status_code == 422, (number, r.status_code, r.text[:200])
    assert r.json()["field"] == "number"


def test_determination_number_written_plainly_is_found(client: TestClient, stored: str) -> None:
    assert client.get(f"/cases/{stored}/determinations/1").status_code == 200
    assert client.get(f"/cases/{stored}/determinations/2").status_code == 404


@pytest.mark.parametrize("params", [
    [("query", "ASK {}"), ("query", "SELECT * WHERE { ?s ?p ?o }")],
    [("query", "SELECT * WHERE { ?s ?p ?o }"), ("query", "")],
])
def test_sparql_get_with_two_query_parameters_is_refused(client: TestClient, params) -> None:
    r = client.get("/sparql", params=params)
    assert r.status_code == 400 and r.json()["field"] == "query", r.text


def test_sparql_direct_post_with_a_query_parameter_too_is_refused(client: TestClient) -> None:
    r = client.post("/sparql?query=ASK%7B%7D", content=b"SELECT * WHERE { ?s ?p ?o }",
                    headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and r.json()["field"] == "query", r.text


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_pages_allow_nothing_from_another_origin(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200
    policy = r.headers["content-security-policy"]
    assert policy == DOCS_CSP
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    for name in ("default-src", "img-src", "script-src", "style-src", "connect-src", "font-src"):
        sources = directives[name].split()
        assert all(s in ("'self'", "'unsafe-inline'", "data:") for s in sources), (name, sources)
    assert "http" not in policy and "cdn" not in r.text.lower()


@pytest.mark.slow
@pytest.mark.browser
def test_redoc_in_a_browser_asks_no_other_origin(necessity_engine, tmp_path: Path) -> None:
    """ReDoc's bundle asks a CDN for the Redocly logo; under the pages' policy the browser never sends it."""
    import shutil
    import threading

    import uvicorn

    from conftest import _free_port, _wait_for_http

    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver_path):
        pytest.skip("Debian chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    store = EmbeddedStore(tmp_path / "store")
    app = create_app(Settings(api_keys=(API_KEY,)), engine=necessity_engine, store=store)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    browser = None
    try:
        _wait_for_http(f"http://127.0.0.1:{port}/health")
        browser = webdriver.Chrome(service=Service(driver_path), options=options)
        browser.get(f"http://127.0.0.1:{port}/redoc")
        import time

        deadline = time.monotonic() + 30
        while "Necessity" not in browser.find_element("tag name", "body").text and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)  # the logo is asked for after the first render
        assert "Necessity" in browser.find_element("tag name", "body").text
        sent = [json.loads(entry["message"])["message"] for entry in browser.get_log("performance")]
        asked = {m["params"]["requestId"]: m["params"]["request"]["url"] for m in sent
                 if m["method"] == "Network.requestWillBeSent"
                 and m["params"]["request"]["url"].startswith(("http:", "https:"))}  # not the browser's chrome://
        blocked = {m["params"]["requestId"] for m in sent if m["method"] == "Network.loadingFailed"
                   and m["params"].get("blockedReason") == "csp"}
        assert any(u.endswith("/redoc.standalone.js") for u in asked.values()), asked
        elsewhere = {rid: u for rid, u in asked.items() if not u.startswith(f"http://127.0.0.1:{port}/")}
        assert set(elsewhere) <= blocked, elsewhere  # the browser stopped each one itself: nothing left
    finally:
        if browser is not None:
            browser.quit()
        server.should_exit = True
        thread.join(timeout=10)
        store.close()
