"""The embedded store flushes RocksDB's write buffers as it writes (issue 21: bounded memory)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef

from reasoner.namespaces import NEC, RDF
from reasoner.store import EmbeddedStore, case_iri


def _case(case_id: str) -> Graph:
    g = Graph()
    iri = URIRef(str(case_iri(case_id)))
    g.add((iri, RDF.type, NEC.Case))
    g.add((iri, NEC.caseId, Literal(case_id)))
    return g


def _determination(iri: URIRef) -> Graph:
    g = Graph()
    g.add((iri, RDF.type, NEC.Determination))
    for n in range(50):
        g.add((iri, NEC.message, Literal(f"line {n}")))
    return g


def test_writes_past_the_threshold_flush_in_the_background(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s", flush_after_quads=100)
    try:
        for n in range(6):
            store.add_case(f"c{n}", _case(f"c{n}"), _determination)
        store._flusher.wait()
        assert store._flusher.flushes >= 1
        assert store.case_ids() == [f"c{n}" for n in range(6)]
    finally:
        store.close()
    reopened = EmbeddedStore(tmp_path / "s")
    try:
        assert len(reopened.get_determination("c5", 1)) == 51
    finally:
        reopened.close()


def test_no_flush_when_turned_off(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s", flush_after_quads=0)
    try:
        for n in range(6):
            store.add_case(f"c{n}", _case(f"c{n}"), _determination)
        assert store._flusher.flushes == 0
    finally:
        store.close()
