"""The store contract, run against both implementations.

``EmbeddedStore`` runs on a fresh directory per test; ``RemoteStore`` runs against a
real ``oxigraph serve`` process (the ``oxigraph`` package from PyPI) that the session
starts on a free loopback port and stops at the end.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from reasoner.errors import QueryError
from reasoner.namespaces import CASE, DET, NEC, PROV, RDF, RDFS
from reasoner.store import (
    KNOWLEDGE_GRAPH, CaseExistsError, CaseNotFoundError, DeterminationNotFoundError, EmbeddedStore,
    InvalidIdentifierError, QueryRefusedError, QueryResult, QueryTimeoutError, RemoteStore, Store,
    check_read_only_query, open_store,
)

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _case_graph(case_id: str, *, note: str = "x") -> Graph:
    g = Graph()
    case = CASE[case_id]
    g.add((case, RDF.type, NEC.Case))
    g.add((case, NEC.caseId, Literal(case_id)))
    g.add((case, RDFS.comment, Literal(note)))
    line = URIRef(f"{case}/line/0")
    g.add((case, NEC.hasRequestedLine, line))
    g.add((line, NEC.notation, Literal("J2274")))
    return g


def _determination(case_id: str, outcome: URIRef = NEC.MeetsCriteria, version: str = "2026-01"):
    def build(iri: URIRef) -> Graph:
        g = Graph()
        g.add((iri, RDF.type, NEC.Determination))
        g.add((iri, NEC.decidesCase, CASE[case_id]))
        g.add((iri, NEC.underPolicyVersion, URIRef(f"https://w3id.org/necessity/shapes/p#version-{version}")))
        g.add((iri, NEC.policyId, Literal("p")))
        g.add((iri, NEC.versionLabel, Literal(version)))
        g.add((iri, NEC.engineVersion, Literal("test")))
        g.add((iri, PROV.generatedAtTime, Literal(datetime.now(timezone.utc))))
        lo = URIRef(f"{iri}/line/0")
        g.add((iri, NEC.hasLineOutcome, lo))
        g.add((lo, NEC.forLine, URIRef(f"{CASE[case_id]}/line/0")))
        g.add((lo, NEC.notation, Literal("J2274")))
        g.add((lo, NEC.outcome, outcome))
        return g
    return build


@pytest.fixture(params=["embedded", "remote"])
def store(request, tmp_path: Path) -> Store:
    """A ComplianceTester-style fixture: each contract test runs once per implementation."""
    if request.param == "embedded":
        s = EmbeddedStore(tmp_path / "store")
    else:
        server = request.getfixturevalue("oxigraph_server")
        s = RemoteStore(server)
        import httpx
        httpx.post(f"{server}/update", content=b"CLEAR ALL",
                   headers={"Content-Type": "application/sparql-update"}).raise_for_status()
    yield s
    s.close()


def test_both_implement_the_protocol(tmp_path: Path, oxigraph_server: str) -> None:
    embedded = open_store(tmp_path / "s")
    remote = open_store(oxigraph_server)
    assert isinstance(embedded, EmbeddedStore) and isinstance(embedded, Store)
    assert isinstance(remote, RemoteStore) and isinstance(remote, Store)
    embedded.close()
    remote.close()


def test_add_and_get_case(store: Store) -> None:
    det = store.add_case("c-1", _case_graph("c-1"), _determination("c-1"))
    assert det == DET["c-1/1"]
    assert store.has_case("c-1")
    assert not store.has_case("c-2")
    assert (CASE["c-1"], NEC.caseId, Literal("c-1")) in store.get_case("c-1")
    graph = store.get_determination("c-1", 1)
    assert (det, NEC.decidesCase, CASE["c-1"]) in graph
    assert store.count_cases() == 1


def test_duplicate_case_is_refused_and_nothing_changes(store: Store) -> None:
    store.add_case("dup", _case_graph("dup", note="first"), _determination("dup"))
    with pytest.raises(CaseExistsError):
        store.add_case("dup", _case_graph("dup", note="second"), _determination("dup"))
    graph = store.get_case("dup")
    assert (CASE["dup"], RDFS.comment, Literal("first")) in graph
    assert (CASE["dup"], RDFS.comment, Literal("second")) not in graph
    assert [r.number for r in store.list_determinations("dup")] == [1]


def test_redecide_keeps_both_determinations(store: Store) -> None:
    store.add_case("r", _case_graph("r"), _determination("r", NEC.InsufficientDocumentation, "2025-01"))
    det2 = store.add_determination("r", _determination("r", NEC.MeetsCriteria, "2026-01"))
    assert det2 == DET["r/2"]
    records = store.list_determinations("r")
    assert [r.number for r in records] == [1, 2]
    assert records[0].outcomes == {"J2274": str(NEC.InsufficientDocumentation)}
    assert records[1].outcomes == {"J2274": str(NEC.MeetsCriteria)}
    assert records[1].version_label == "2026-01" and records[1].engine_version == "test"
    assert records[0].generated_at


def test_missing_things_raise(store: Store) -> None:
    with pytest.raises(CaseNotFoundError):
        store.get_case("nope")
    with pytest.raises(CaseNotFoundError):
        store.list_determinations("nope")
    with pytest.raises(CaseNotFoundError):
        store.add_determination("nope", _determination("nope"))
    with pytest.raises(DeterminationNotFoundError):
        store.get_determination("nope", 1)
    assert not store.has_case("nope")


@pytest.mark.parametrize("bad", ["", "a b", "a>b", "x\"} ; DROP ALL ; {", "../x", "a/b", "é", "x" * 200])
def test_identifiers_are_validated(store: Store, bad: str) -> None:
    with pytest.raises(InvalidIdentifierError):
        store.add_case(bad, Graph(), _determination("x"))
    with pytest.raises(InvalidIdentifierError):
        store.get_case(bad)


def test_failed_write_leaves_nothing(store: Store) -> None:
    def explode(iri: URIRef) -> Graph:
        raise RuntimeError("determination failed")

    with pytest.raises(RuntimeError):
        store.add_case("half", _case_graph("half"), explode)
    assert not store.has_case("half")
    assert store.count_cases() == 0


def test_awkward_literals_round_trip(store: Store) -> None:
    g = _case_graph("lit")
    tricky = 'quote " backslash \\ brace } newline \n tab \t unicode \u00e9 \\u0022 end'
    g.add((CASE["lit"], RDFS.label, Literal(tricky)))
    g.add((CASE["lit"], RDFS.label, Literal("chat", lang="fr")))
    store.add_case("lit", g, _determination("lit"))
    back = store.get_case("lit")
    assert (CASE["lit"], RDFS.label, Literal(tricky)) in back
    assert (CASE["lit"], RDFS.label, Literal("chat", lang="fr")) in back


def test_knowledge_graph_is_replaced(store: Store) -> None:
    k1 = Graph()
    k1.add((NEC.A, RDFS.label, Literal("first")))
    store.load_knowledge(k1)
    k2 = Graph()
    k2.add((NEC.A, RDFS.label, Literal("second")))
    store.load_knowledge(k2)
    result = store.query(f"SELECT ?l WHERE {{ GRAPH <{KNOWLEDGE_GRAPH}> {{ ?s ?p ?l }} }}")
    assert [str(r["l"]) for r in result.bindings()] == ["second"]


def test_query_joins_case_determination_and_knowledge(store: Store) -> None:
    k = Graph()
    k.add((NEC.MeetsCriteria, RDFS.label, Literal("meets-criteria")))
    store.load_knowledge(k)
    store.add_case("j", _case_graph("j"), _determination("j"))
    result = store.query("""
        PREFIX nec: <https://w3id.org/necessity/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?id ?label WHERE {
          ?case nec:caseId ?id .
          ?det nec:decidesCase ?case ; nec:hasLineOutcome/nec:outcome ?o .
          ?o rdfs:label ?label .
        }""")
    assert [(str(r["id"]), str(r["label"])) for r in result.bindings()] == [("j", "meets-criteria")]


@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/sparql-results+xml",
                                        "text/csv", "text/tab-separated-values"])
def test_select_serialises(store: Store, media_type: str) -> None:
    store.add_case("s", _case_graph("s"), _determination("s"))
    result = store.query("PREFIX nec: <https://w3id.org/necessity/ontology#> SELECT ?id { ?c nec:caseId ?id }")
    assert b"s" in result.serialize(media_type)


def test_ask_and_construct(store: Store) -> None:
    store.add_case("a", _case_graph("a"), _determination("a"))
    assert store.query("ASK { ?s ?p ?o }").boolean is True
    result = store.query("PREFIX nec: <https://w3id.org/necessity/ontology#> "
                         "CONSTRUCT { ?c a nec:Case } WHERE { ?c nec:caseId ?id }")
    assert result.is_graph
    assert (CASE["a"], RDF.type, NEC.Case) in result.graph()
    assert b"Case" in result.serialize("text/turtle")


@pytest.mark.parametrize("text", [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DROP ALL",
    "CLEAR GRAPH <https://w3id.org/necessity/graph/knowledge>",
    "LOAD <http://example.org/x>",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://example.org/sparql> { ?s ?q ?r } } }",
])
def test_updates_and_service_are_refused(store: Store, text: str) -> None:
    store.add_case("u", _case_graph("u"), _determination("u"))
    with pytest.raises(QueryRefusedError):
        store.query(text)
    assert store.has_case("u")


def test_malformed_query_is_a_query_error() -> None:
    with pytest.raises(QueryError):
        check_read_only_query("SELECT WHERE {")
    assert check_read_only_query("# comment with INSERT\nSELECT * { ?s ?p ?o }") == "select"


def test_slow_query_times_out(store: Store) -> None:
    g = Graph()
    for i in range(3000):
        g.add((URIRef(f"http://example.org/{i}"), RDFS.label, Literal(i)))
    store.load_knowledge(g)
    # about 9 million joined rows: seconds of work, far past the limit, yet it ends soon after
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?p ?y FILTER(?x < ?y) }"
    with pytest.raises(QueryTimeoutError):
        store.query(slow, timeout=0.3)


def test_concurrent_writes_never_corrupt(store: Store) -> None:
    store.add_case("conc", _case_graph("conc"), _determination("conc"))
    errors: list[BaseException] = []

    def redecide() -> None:
        try:
            store.add_determination("conc", _determination("conc"))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    def submit(i: int) -> None:
        try:
            store.add_case(f"par-{i}", _case_graph(f"par-{i}"), _determination(f"par-{i}"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=redecide) for _ in range(6)]
    threads += [threading.Thread(target=submit, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [r.number for r in store.list_determinations("conc")] == list(range(1, 8))
    for n in range(1, 8):
        assert len(store.get_determination("conc", n)) == len(_determination("conc")(DET["conc/1"]))
    assert store.count_cases() == 7


def test_embedded_store_persists_across_reopen(tmp_path: Path) -> None:
    s = EmbeddedStore(tmp_path / "p")
    s.add_case("keep", _case_graph("keep"), _determination("keep"))
    s.close()
    del s
    import gc
    gc.collect()
    again = EmbeddedStore(tmp_path / "p")
    assert again.has_case("keep")
    assert [r.number for r in again.list_determinations("keep")] == [1]
    again.close()


def test_query_result_formats_are_listed() -> None:
    assert QueryResult("select", b'{"head":{"vars":[]},"results":{"bindings":[]}}').media_types[0] == \
        "application/sparql-results+json"
    assert QueryResult("construct", b"").media_types[0] == "text/turtle"


@pytest.mark.parametrize("kind", ["embedded", "remote"])
def test_necessity_query_runs_against_the_store(kind: str, tmp_path: Path, capsys, request) -> None:
    from reasoner.cli.main import main

    if kind == "embedded":
        location = str(tmp_path / "cli-store")
        s = EmbeddedStore(location)
    else:
        location = request.getfixturevalue("oxigraph_server")
        s = RemoteStore(location)
        import httpx
        httpx.post(f"{location}/update", content=b"CLEAR ALL",
                   headers={"Content-Type": "application/sparql-update"}).raise_for_status()
    s.add_case("cli-1", _case_graph("cli-1"), _determination("cli-1", NEC.InsufficientDocumentation))
    s.close()
    del s
    import gc
    gc.collect()
    assert main(["query", "line-outcomes-by-code", "--store", location, "--format", "csv",
                 "--bind", "code=J2274"]) == 0
    out = capsys.readouterr().out
    assert out.count("code,") == 1, "one result set: the store's"
    assert "J2274,p,https://w3id.org/necessity/ontology#InsufficientDocumentation,,1" in out
