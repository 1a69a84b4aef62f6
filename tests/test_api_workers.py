"""``POST /cases`` through decision worker processes gives what deciding in the server gives.

One application decides in a worker process (``decide_workers=1``), another in its own threads
(``decide_workers`` unset); both get the same cases. Outcomes, response bodies (but the decision
time), stored graphs and errors (with the field they name) must match.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import Settings, create_app
from api.decision_pool import DecisionPool, InProcess
from reasoner.knowledge.paths import data_root
from reasoner.store import EmbeddedStore
from reasoner.determination.rdf import to_ntriples

API_KEY = "test-key-0123456789"  # a test value, not a secret
AUTH = {"X-API-Key": API_KEY}
CASES = Path(data_root("cases"))
CASE_FILES = sorted(CASES.glob("*.json"))[:4]
JSON = {"Content-Type": "application/json"}


def _without_times(value):
    """A decision body without the instants that differ between two decisions of one case."""
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if k not in ("decided_at", "due_at", "turnaround_hours",
                                                                            "past_due", "documents_due_at")}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


@pytest.fixture(scope="module")
def clients(necessity_engine, tmp_path_factory):
    stores = [EmbeddedStore(tmp_path_factory.mktemp(name)) for name in ("pool", "threads")]
    apps = [create_app(Settings(api_keys=(API_KEY,), decide_workers=1), engine=necessity_engine, store=stores[0]),
            create_app(Settings(api_keys=(API_KEY,)), engine=necessity_engine, store=stores[1])]
    with TestClient(apps[0], headers=AUTH) as pool, TestClient(apps[1], headers=AUTH) as threads:
        assert isinstance(apps[0].state.decider, DecisionPool) and apps[0].state.decider.workers == 1
        assert isinstance(apps[1].state.decider, InProcess)
        yield pool, threads
    for store in stores:
        store.close()


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_pool_and_threads_decide_alike(clients, path: Path) -> None:
    pool, threads = clients
    body = path.read_bytes()
    answers = [c.post("/cases", content=body, headers=JSON) for c in (pool, threads)]
    for r in answers:
        assert r.status_code == 201, r.text
        assert r.headers["content-type"] == "application/json"
        assert r.headers["location"] == f"/cases/{path.stem}/determinations/1"
    assert _without_times(answers[0].json()) == _without_times(answers[1].json())
    stored = [c.get(f"/cases/{path.stem}").json() for c in (pool, threads)]
    assert stored[0]["triples"] == stored[1]["triples"] > 0
    assert [d["outcomes"] for d in stored[0]["determinations"]] == [d["outcomes"] for d in stored[1]["determinations"]]
    graphs = [c.get(f"/cases/{path.stem}", headers={"Accept": "application/n-triples"}).text for c in (pool, threads)]
    assert sorted(graphs[0].splitlines()) == sorted(graphs[1].splitlines())


def test_pool_renders_letters_and_turtle(clients) -> None:
    pool, _ = clients
    form = json.loads(CASE_FILES[0].read_text(encoding="utf-8"))
    for accept, media in (("text/markdown", "text/markdown; charset=utf-8"), ("text/turtle", "text/turtle; charset=utf-8")):
        form["id"] = f"letter-{accept.split('/')[1]}"
        r = pool.post("/cases", content=json.dumps(form), headers={**JSON, "Accept": accept})
        assert r.status_code == 201, r.text
        assert r.headers["content-type"] == media
        assert (f"determination/{form['id']}/1" in r.text) if accept == "text/turtle" else ("#" in r.text)


def test_pool_errors_name_the_field_and_store_nothing(clients) -> None:
    pool, _ = clients
    form = json.loads(CASE_FILES[0].read_text(encoding="utf-8"))
    form["id"] = "bad-code-case"
    form["requested"][0]["code"] = "J22"
    r = pool.post("/cases", content=json.dumps(form), headers=JSON)
    assert r.status_code == 422, r.text
    assert r.json()["field"].startswith("requested[0]")
    assert pool.get("/cases/bad-code-case").status_code == 404

    form = json.loads(CASE_FILES[0].read_text(encoding="utf-8"))
    form["id"] = "unknown-policy-case"
    r = pool.post("/cases", content=json.dumps(form), headers=JSON, params={"policy": "no-such-policy"})
    assert r.status_code == 422 and r.json()["field"] == "policy", r.text
    assert pool.get("/cases/unknown-policy-case").status_code == 404


def test_pool_refuses_a_stored_id(clients) -> None:
    pool, _ = clients
    body = CASE_FILES[1].read_bytes()
    pool.post("/cases", content=body, headers=JSON)
    before = pool.get(f"/cases/{CASE_FILES[1].stem}").json()
    r = pool.post("/cases", content=body, headers=JSON)
    assert r.status_code == 409, r.text
    assert pool.get(f"/cases/{CASE_FILES[1].stem}").json() == before


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
@pytest.mark.slow  # kills a server process
def test_workers_end_when_the_server_is_killed(tmp_path: Path) -> None:
    """A decision worker whose server dies without shutting the pool down ends itself."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = ("import time\n"
              "from api.decision_pool import DecisionPool\n"
              "pool = DecisionPool(1)\n"
              "pool.wait_ready()\n"
              "print(*[p.pid for p in pool._executor._processes.values()], flush=True)\n"
              "time.sleep(600)\n")
    repo = Path(__file__).resolve().parents[1]
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=repo,
                              env={**os.environ, "PYTHONPATH": str(repo)})
    try:
        workers = [int(pid) for pid in server.stdout.readline().split()]
        assert workers
        os.kill(workers[0], 0)  # running
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    deadline = time.monotonic() + 30
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in workers if Path(f"/proc/{pid}").exists() and
                 Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, "a decision worker outlived its server"


@pytest.mark.slow  # kills and restarts worker processes
def test_a_killed_worker_is_replaced_and_the_request_retried(necessity_engine, tmp_path: Path) -> None:
    import os
    import signal

    store = EmbeddedStore(tmp_path / "store")
    app = create_app(Settings(api_keys=(API_KEY,), decide_workers=1), engine=necessity_engine, store=store)
    try:
        with TestClient(app, headers=AUTH) as client:
            pool = app.state.decider
            [worker] = list(pool._executor._processes.values())
            os.kill(worker.pid, signal.SIGKILL)
            worker.join(10)
            r = client.post("/cases", content=CASE_FILES[2].read_bytes(), headers=JSON)
            assert r.status_code == 201, r.text
            assert worker.pid not in pool._executor._processes
            assert client.get(f"/cases/{CASE_FILES[2].stem}").status_code == 200
    finally:
        store.close()


def test_pas_bundles_through_the_pool_answer_as_in_threads(clients) -> None:
    """``POST /Claim/$submit`` maps, decides and answers in a worker: the same response bundle, stored
    case and errors (an OperationOutcome naming the element) as deciding in the server's threads."""
    pool, threads = clients
    fhir = {"Content-Type": "application/fhir+json"}
    body = (CASES / "fhir" / "pas-initial-implant-trial-40pct.json").read_bytes()
    answers = [c.post("/Claim/$submit", content=body, headers=fhir) for c in (pool, threads)]
    for r in answers:
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/fhir+json")
    bundles = [json.dumps(r.json(), sort_keys=True) for r in answers]
    decided = [r.json()["entry"][0]["resource"]["created"] for r in answers]
    assert bundles[0].replace(decided[0], "T") == bundles[1].replace(decided[1], "T")
    stored = [c.get("/cases/PA-2025-001002").json() for c in (pool, threads)]
    assert stored[0]["triples"] == stored[1]["triples"] > 0
    assert stored[0]["determinations"][0]["outcomes"] == stored[1]["determinations"][0]["outcomes"]
    again = pool.post("/Claim/$submit", content=body, headers=fhir)
    assert again.status_code == 409 and again.json()["resourceType"] == "OperationOutcome"

    bad = (CASES / "fhir" / "pas-malformed-quantity.json").read_bytes()
    refused = [c.post("/Claim/$submit", content=bad, headers=fhir) for c in (pool, threads)]
    assert [r.status_code for r in refused] == [422, 422]
    assert refused[0].json() == refused[1].json()
    assert refused[0].json()["issue"][0]["expression"] == ["Bundle.entry[0].resource.item[1].quantity.value"]


def test_redecisions_through_the_pool_decide_as_in_threads(clients) -> None:
    """``POST /cases/{id}/decide`` decides in a worker: the same answer as in the server's threads,
    and an unknown version named as such."""
    pool, threads = clients
    form = json.loads(CASE_FILES[2].read_text(encoding="utf-8"))
    form["id"] = "redecided-in-pool"
    for c in (pool, threads):
        assert c.post("/cases", content=json.dumps(form), headers=JSON).status_code == 201
    answers = [c.post("/cases/redecided-in-pool/decide", params={"policy": "cms-ncd-280.14"}) for c in (pool, threads)]
    for r in answers:
        assert r.status_code == 201, r.text
        assert r.headers["location"] == "/cases/redecided-in-pool/determinations/2"
        assert r.json()["number"] == 2 and r.json()["determination"]["policy"]["id"] == "cms-ncd-280.14"
    assert _without_times(answers[0].json()) == _without_times(answers[1].json())
    stored = [c.get("/cases/redecided-in-pool/determinations/2", headers={"Accept": "application/n-triples"}).text
              for c in (pool, threads)]
    assert len(stored[0].splitlines()) == len(stored[1].splitlines()) > 100
    r = pool.post("/cases/redecided-in-pool/decide", params={"policy": "aetna-cpb-0161", "version": "1999-01"})
    assert r.status_code == 422 and r.json()["field"] == "version", r.text
    assert len(pool.get("/cases/redecided-in-pool/determinations").json()) == 2


def test_concurrent_redecisions_each_answer_their_own_number(clients) -> None:
    """Two re-decisions of one case at once expect the same next number; the store gives them two,
    and each answer (Location, body) names the determination actually written."""
    from concurrent.futures import ThreadPoolExecutor

    pool, _ = clients
    form = json.loads(CASE_FILES[3].read_text(encoding="utf-8"))
    form["id"] = "redecided-at-once"
    assert pool.post("/cases", content=json.dumps(form), headers=JSON).status_code == 201
    with ThreadPoolExecutor(4) as threads:
        answers = list(threads.map(lambda _: pool.post("/cases/redecided-at-once/decide"), range(4)))
    assert sorted(r.json()["number"] for r in answers) == [2, 3, 4, 5]
    for r in answers:
        number = r.json()["number"]
        assert r.headers["location"] == f"/cases/redecided-at-once/determinations/{number}"
        assert r.json()["iri"].endswith(f"/redecided-at-once/{number}")
        graph = pool.get(f"/cases/redecided-at-once/determinations/{number}", headers={"Accept": "application/n-triples"})
        assert f"/redecided-at-once/{number}>" in graph.text
        assert not any(f"/redecided-at-once/{other}>" in graph.text for other in {2, 3, 4, 5} - {number})


def test_a_redecision_made_for_one_number_is_rewritten_for_another(necessity_engine) -> None:
    from api.submission import _case_nt, prepare_redecision
    from reasoner.loading.form_graph import read_case
    from reasoner.store import determination_iri

    text = json.loads(CASE_FILES[0].read_text(encoding="utf-8"))
    case_nt = _case_nt(read_case(CASE_FILES[0].read_bytes(), content_type="application/json", source="t"))
    ready = prepare_redecision(necessity_engine, case_nt, text["id"], 2, None, None, "application/json")
    assert ready.rewritten_for(determination_iri(text["id"], 2), "application/json") is ready
    other = ready.rewritten_for(determination_iri(text["id"], 3), "application/json")
    assert other.determination_iri == str(determination_iri(text["id"], 3))
    assert other.determination_nt == to_ntriples(ready.decided, determination_iri(text["id"], 3))
    assert json.loads(other.body)["number"] == 3 and json.loads(ready.body)["number"] == 2
