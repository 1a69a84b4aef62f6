"""The query policy as users meet it, remote store configuration, store operations, layering (issue 10)."""

from __future__ import annotations

import ast
import base64
import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef

from reasoner.errors import QueryError, QueryRefusedError, StoreConfigError, StoreError
from reasoner.namespaces import CASE, NEC, RDF
from reasoner.store import RemoteConfig, RemoteStore, check_read_only_query, open_store
from reasoner.store.operations import backup_store, check_store, restore_store

REPO = Path(__file__).resolve().parents[1]


def _necessity(*args: str, stdin: str | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reasoner.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=180, env={**os.environ, "PYTHONPATH": str(REPO)})


# ---------------------------------------------------------------- one policy


@pytest.mark.parametrize("query", [
    'SELECT ?s WHERE { ?s ?p " DELETE " }',
    "SELECT * WHERE { " + " . ".join(f"?s{i} <urn:p:{i}> ?o{i}" for i in range(90)) + " }",
    "SELECT * WHERE " + "{ " * 30 + "?s ?p ?o" + " }" * 30,
    "PREFIX ex: <http://example.org/> SELECT ?service WHERE { ?service ex:from <http://my.service.org/from> }",
])
def test_valid_queries_pass_the_policy(query: str) -> None:
    assert check_read_only_query(query) == "select"


@pytest.mark.parametrize("query", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { service silent ?endpoint { ?s ?p ?o } }",
    "SELECT * FROM <urn:g> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "PREFIX x: <http://e/> SELECT * WHERE { ?a ?p ?o FILTER(?a<x:b)SERVICE?v#>\n{ } }",
])
def test_updates_service_and_dataset_clauses_are_refused(query: str) -> None:
    with pytest.raises(QueryRefusedError):
        check_read_only_query(query)


def test_malformed_query_is_a_query_error() -> None:
    with pytest.raises(QueryError):
        check_read_only_query("SELECT * WHERE { ?s ?p ")


def test_cli_refuses_service_without_calling_out() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(3)
    port = listener.getsockname()[1]
    done = _necessity("query", "-e", f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}")
    assert done.returncode == 2 and "SERVICE" in done.stderr and "Traceback" not in done.stderr
    with pytest.raises(TimeoutError):
        listener.accept()  # nobody called
    listener.close()


def test_cli_reads_a_query_from_stdin_and_prints_tsv_and_xml() -> None:
    query = 'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?x WHERE { ?x rdfs:label " DELETE " }'
    tsv = _necessity("query", "--format", "tsv", stdin=query)
    assert tsv.returncode == 0, tsv.stderr
    assert tsv.stdout.splitlines()[0] == "?x"
    xml = _necessity("query", "-", "--format", "xml", stdin="ASK { ?s ?p ?o }")
    assert xml.returncode == 0 and "<boolean>true</boolean>" in xml.stdout


def test_cli_store_query_prints_one_result_set_on_a_fresh_store(tmp_path: Path) -> None:
    query = ("query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--store", "var/store", "--format", "json")
    refused = _necessity(*query, cwd=tmp_path)
    assert refused.returncode == 2 and "no store at var/store" in refused.stderr  # a typo is not an empty store
    assert not (tmp_path / "var").exists()
    stored = _necessity("check", str(REPO / "cases" / "002-morphine-no-pump.json"), "--store", "var/store",
                        cwd=tmp_path)
    assert stored.returncode == 0, stored.stderr
    done = _necessity(*query, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)  # one JSON document
    assert int(result["results"]["bindings"][0]["n"]["value"]) > 1000  # the knowledge graph was loaded
    assert (tmp_path / "var" / "store").is_dir()


# ---------------------------------------------------------------- layering


def test_nothing_in_reasoner_imports_api() -> None:
    offenders = []
    for path in (REPO / "reasoner").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(REPO)}: {n}" for n in names if n == "api" or n.startswith("api.")]
    assert not offenders


# ---------------------------------------------------------------- remote configuration


@pytest.mark.parametrize(("layout", "base", "expected"), [
    ("oxigraph", "http://h:7878", ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")),
    ("fuseki", "http://h:3030/necessity/", ("http://h:3030/necessity/query", "http://h:3030/necessity/update",
                                            "http://h:3030/necessity/data")),
    ("graphdb", "http://h:7200/repositories/nec", ("http://h:7200/repositories/nec",
                                                   "http://h:7200/repositories/nec/statements",
                                                   "http://h:7200/repositories/nec/rdf-graphs/service")),
])
def test_endpoint_layouts(layout: str, base: str, expected: tuple[str, str, str]) -> None:
    assert RemoteConfig(url=base, layout=layout).endpoints() == expected


def test_settings_from_the_environment_keep_secrets_out_of_repr(monkeypatch) -> None:
    monkeypatch.setenv("NECESSITY_SPARQL_URL", "http://h:3030/ds")
    monkeypatch.setenv("NECESSITY_SPARQL_LAYOUT", "fuseki")
    monkeypatch.setenv("NECESSITY_SPARQL_USERNAME", "operator")
    monkeypatch.setenv("NECESSITY_SPARQL_PASSWORD", "pa55-word")
    config = RemoteConfig()
    assert config.endpoints()[2] == "http://h:3030/ds/data"
    assert config.auth() == ("operator", "pa55-word")
    assert "pa55-word" not in repr(config)
    with pytest.raises(StoreConfigError):
        RemoteConfig(url="ftp://h/ds").endpoints()


class _Recorder(BaseHTTPRequestHandler):
    """A SPARQL endpoint that answers every query ``true`` and records the Authorization header."""

    seen: list[str | None] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server interface
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).seen.append(self.headers.get("Authorization"))
        body = b'{"head":{},"boolean":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.mark.parametrize("credentials", ["basic", "bearer"])
def test_credentials_are_sent(credentials: str) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.seen = []
    url = f"http://127.0.0.1:{server.server_address[1]}"
    config = (RemoteConfig(url=url, username="operator", password="s3cret") if credentials == "basic"
              else RemoteConfig(url=url, token="tok-123"))
    store = RemoteStore(config=config)
    try:
        assert store.has_case("c1") is True
    finally:
        store.close()
        server.shutdown()
    expected = ("Basic " + base64.b64encode(b"operator:s3cret").decode()) if credentials == "basic" \
        else "Bearer tok-123"
    assert _Recorder.seen == [expected]


@pytest.mark.slow
def test_a_server_without_a_union_default_graph_is_a_clear_error(tmp_path: Path) -> None:
    import shutil
    import time

    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([exe, "serve", "--location", str(tmp_path / "ox"), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        store = open_store(url)
        graph = Graph()
        graph.add((URIRef("urn:x"), URIRef("urn:p"), Literal("1")))
        with pytest.raises(StoreConfigError, match="union-default-graph"):
            store.load_knowledge(graph)
        store.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


# ---------------------------------------------------------------- backup, restore, check


def _case(case_id: str) -> Graph:
    g = Graph()
    g.add((CASE[case_id], RDF.type, NEC.Case))
    g.add((CASE[case_id], NEC.caseId, Literal(case_id)))
    return g


def _det(iri: URIRef) -> Graph:
    g = Graph()
    g.add((iri, RDF.type, NEC.Determination))
    g.add((iri, NEC.hasLineOutcome, URIRef(f"{iri}/line/1")))
    g.add((URIRef(f"{iri}/line/1"), NEC.outcome, NEC.MeetsCriteria))
    return g


def _decided(engine, case_id: str):
    """A real case graph and a builder of its determination graphs (a restore reads both back)."""
    from reasoner.determination.rdf import to_ntriples
    from reasoner.loading import load_case

    form = json.loads((Path(__file__).resolve().parents[1] / "cases" / "000-ziconotide-refill.json").read_text())
    case = load_case(json.dumps({**form, "id": case_id}))
    det = engine.decide(case)
    return case.graph, lambda iri: to_ntriples(det, iri)


@pytest.mark.parametrize("kind", ["embedded", "remote"])
def test_backup_restore_and_check(kind: str, tmp_path: Path, request, necessity_engine) -> None:
    if kind == "embedded":
        source, target = open_store(tmp_path / "a"), open_store(tmp_path / "b")
    else:
        url = request.getfixturevalue("oxigraph_server")
        httpx.post(f"{url}/update", content=b"CLEAR ALL",
                   headers={"Content-Type": "application/sparql-update"}).raise_for_status()
        source = open_store(url)
        target = open_store(tmp_path / "b")
    try:
        for case_id in ("b-1", "b-2"):
            graph, builder = _decided(necessity_engine, case_id)
            source.add_case(case_id, graph, builder)
        source.add_determination("b-1", _decided(necessity_engine, "b-1")[1])
        report = check_store(source)
        assert report.ok, report.problems
        assert (report.cases, report.determinations) == (2, 3)
        backup = tmp_path / "backup.nq.gz"
        assert backup_store(source, backup) > 0
        with pytest.raises(StoreError):
            backup_store(source, backup)  # never overwrites
        restore_store(target, backup)
        assert target.case_ids() == ["b-1", "b-2"]
        assert [r.number for r in target.list_determinations("b-1")] == [1, 2]
        with pytest.raises(StoreError, match="already holds cases"):
            restore_store(target, backup)
        assert check_store(target).ok
    finally:
        source.close()
        target.close()


def test_check_reports_a_case_without_its_determination(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s")
    try:
        store.add_case("ok-1", _case("ok-1"), _det)
        import pyoxigraph as ox  # a case graph without a determination, as no API write leaves one

        store._store.add(ox.Quad(ox.NamedNode(str(CASE["orphan"])), ox.NamedNode(str(RDF.type)),
                                 ox.NamedNode(str(NEC.Case)), ox.NamedNode(str(CASE["orphan"]))))
        report = check_store(store)
    finally:
        store.close()
    assert report.problems == ["case orphan: no determination is stored"]


def test_cli_store_commands_and_the_lock_message(tmp_path: Path, necessity_engine) -> None:
    location = str(tmp_path / "store")
    store = open_store(location)
    graph, builder = _decided(necessity_engine, "cli-1")
    store.add_case("cli-1", graph, builder)
    held = _necessity("store", "check", "--store", location)  # this test process holds the store
    assert held.returncode == 2 and "in use by another process" in held.stderr
    assert "Traceback" not in held.stderr
    store.close()
    del store
    import gc

    gc.collect()
    assert _necessity("store", "check", "--store", location).returncode == 0
    backup = tmp_path / "b.nq"
    done = _necessity("store", "backup", str(backup), "--store", location)
    lines = backup.read_text().splitlines()  # the statements, then the line that counts and hashes them
    assert done.returncode == 0 and lines[-1].startswith(f"# necessity-backup statements={len(lines) - 1} ")
    done = _necessity("store", "restore", str(backup), "--store", str(tmp_path / "restored"))
    assert done.returncode == 0, done.stderr
    done = _necessity("store", "check", "--store", str(tmp_path / "restored"))
    assert done.returncode == 0 and "1 cases, 1 determinations, consistent" in done.stdout
    done = _necessity("store", "summaries", "--store", str(tmp_path / "restored"))
    assert done.returncode == 0 and "of 1 cases" in done.stdout, done.stderr
