"""Determination records read from a few quads equal those read through the model, and N-Triples
text is written like a graph.

``EmbeddedStore.list_determinations`` reads each record with :func:`reasoner.store.records.
record_from_quads` (pattern lookups, no rdflib graph); :func:`reasoner.store.results.read_record`
reads the whole graph into the determination model. Both must agree on every stored determination.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from bench.generate_cases import generate
from reasoner.determination.rdf import to_graph
from reasoner.errors import StoreError
from reasoner.knowledge.paths import data_root
from reasoner.loading.form_graph import read_case
from reasoner.namespaces import CASE, NEC, PROV
from reasoner.store import EmbeddedStore, determination_iri
from reasoner.store.results import read_record

CASE_FILES = sorted(Path(data_root("cases")).glob("*.json"))


@pytest.fixture(scope="module")
def filled(necessity_engine, tmp_path_factory):
    """An embedded store with every bundled case and 40 generated ones, each decided once."""
    store = EmbeddedStore(tmp_path_factory.mktemp("records") / "store")
    forms = [json.loads(p.read_text(encoding="utf-8")) for p in CASE_FILES]
    forms += [dict(form, id=f"gen-{i:03d}") for i, form in enumerate(generate(40, seed=3))]
    ids = []
    for form in forms:
        try:
            case = read_case(json.dumps(form), content_type="application/json")
            det = necessity_engine.decide(case)
        except Exception:  # noqa: BLE001 - a generated case the engine refuses is not stored
            continue
        store.add_case(case.case_id, case.graph, partial(to_graph, det))
        ids.append(case.case_id)
    yield store, ids
    store.close()


def test_quad_records_equal_model_records(filled) -> None:
    store, ids = filled
    assert len(ids) >= len(CASE_FILES)
    for case_id in ids:
        [record] = store.list_determinations(case_id)
        det = determination_iri(case_id, 1)
        assert record == read_record(case_id, 1, det, store.get_graph(det)), case_id
        assert record.outcomes and record.policy_id and record.generated_at.endswith("Z")


def test_a_second_determination_is_listed_in_order(filled, necessity_engine) -> None:
    store, ids = filled
    case_id = ids[0]
    stored = store.get_case(case_id).serialize(format="nt", encoding="utf-8")
    from reasoner.loading import load_case

    det = necessity_engine.decide(load_case(stored, content_type="text/turtle"))
    store.add_determination(case_id, partial(to_graph, det))
    records = store.list_determinations(case_id)
    assert [r.number for r in records] == [1, 2]
    assert records[1] == read_record(case_id, 2, determination_iri(case_id, 2),
                                     store.get_graph(determination_iri(case_id, 2)))


def test_a_graph_without_a_typed_root_is_read_triple_by_triple(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    try:
        def build(iri: URIRef) -> Graph:  # an old determination graph: no rdf:type
            g = Graph()
            g.add((iri, NEC.policyId, Literal("p")))
            g.add((iri, PROV.generatedAtTime, Literal(datetime(2026, 1, 2, tzinfo=timezone.utc))))
            line = URIRef(f"{iri}/line/0")
            g.add((iri, NEC.hasLineOutcome, line))
            g.add((line, NEC.notation, Literal("J2274")))
            g.add((line, NEC.outcome, NEC.MeetsCriteria))
            return g

        case = Graph()
        case.add((CASE["old-1"], NEC.caseId, Literal("old-1")))
        store.add_case("old-1", case, build)
        [record] = store.list_determinations("old-1")
        assert record.policy_id == "p"
        assert record.outcomes == {"J2274": str(NEC.MeetsCriteria)}
    finally:
        store.close()


def test_ntriples_text_is_stored_like_a_graph(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    try:
        case = Graph()
        case.add((CASE["nt-1"], NEC.caseId, Literal("nt-1 \"quoted\" é")))
        text = case.serialize(format="nt", encoding="utf-8").decode("utf-8")
        det_text = f'<{determination_iri("nt-1", 1)}> <{NEC.policyId}> "p" .\n'
        store.add_case("nt-1", text, lambda iri: det_text)
        assert set(store.get_case("nt-1")) == set(case)
        assert store.get_determination("nt-1", 1).value(determination_iri("nt-1", 1), NEC.policyId) == Literal("p")
    finally:
        store.close()


def test_ntriples_text_cannot_name_another_graph(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    try:
        quad = f'<{CASE["x"]}> <{NEC.caseId}> "x" <{CASE["victim"]}> .\n'
        with pytest.raises(StoreError):
            store.add_case("x", quad, lambda iri: "")
        assert store.case_ids() == []
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["embedded", "remote"])
def test_case_size_counts_without_reading_the_graph(kind: str, tmp_path: Path, request) -> None:
    from reasoner.errors import CaseNotFoundError
    from reasoner.store import open_store

    location = request.getfixturevalue("oxigraph_server") if kind == "remote" else tmp_path / "store"
    store = open_store(location)
    try:
        case = Graph()
        for n in range(7):
            case.add((CASE["size-1"], NEC.caseId, Literal(f"value {n}")))
        store.add_case("size-1", case, lambda iri: f'<{iri}> <{NEC.policyId}> "p" .\n')
        assert store.case_size("size-1") == 7 == len(store.get_case("size-1"))
        with pytest.raises(CaseNotFoundError):
            store.case_size("no-such-case")
    finally:
        store.close()


def test_remote_records_equal_model_records(necessity_engine, oxigraph_server: str) -> None:
    from reasoner.store import RemoteStore

    store = RemoteStore(oxigraph_server)
    try:
        for path in CASE_FILES[:3]:
            form = dict(json.loads(path.read_text(encoding="utf-8")), id=f"remote-rec-{path.stem[:3]}")
            case = read_case(json.dumps(form), content_type="application/json")
            store.add_case(case.case_id, case.graph, partial(to_graph, necessity_engine.decide(case)))
            [record] = store.list_determinations(case.case_id)
            det = determination_iri(case.case_id, 1)
            assert record == read_record(case.case_id, 1, det, store.get_determination(case.case_id, 1))
            assert record.outcomes and record.version_label
    finally:
        store.close()
