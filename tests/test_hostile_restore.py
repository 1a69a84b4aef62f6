"""Hostile backups at ``necessity store restore`` (issue 18, item 5): all or nothing.

Each file below, cut, corrupt or crafted, is refused with one line naming what is wrong and exit 2,
and the target store is left empty. A crafted file is signed with a valid closing line, so what
refuses it is the check of its content, not the hash.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from reasoner.determination.rdf import to_ntriples
from reasoner.errors import StoreError
from reasoner.knowledge.paths import data_root
from reasoner.loading import load_case
from reasoner.store import open_store
from reasoner.store.backup_file import closing_line
from reasoner.store.ids import KNOWLEDGE_GRAPH, LOCK_BASE
from reasoner.store.operations import backup_store, check_store, restore_store

REPO = Path(__file__).resolve().parents[1]
CASES = Path(data_root("cases"))
NEC = "https://w3id.org/necessity/ontology#"
CASE = "https://w3id.org/necessity/case/"
DET = "https://w3id.org/necessity/determination/"
STEMS = ("000-ziconotide-refill", "001-hydromorphone-refill", "002-morphine-no-pump")


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory, necessity_engine) -> bytes:
    """The uncompressed backup of a store with three cases, one of them decided twice."""
    root = tmp_path_factory.mktemp("hostile-restore")
    store = open_store(root / "source")
    try:
        store.load_knowledge(necessity_engine.knowledge_graph)
        for stem in STEMS:
            case = load_case((CASES / f"{stem}.json").read_text(encoding="utf-8"))
            det = necessity_engine.decide(case)
            store.add_case(case.case_id, case.graph, lambda iri, det=det: to_ntriples(det, iri))
        case = load_case((CASES / f"{STEMS[0]}.json").read_text(encoding="utf-8"))
        det = necessity_engine.decide(case, policy="cms-ncd-280.14")
        store.add_determination(STEMS[0], lambda iri: to_ntriples(det, iri))
        backup_store(store, root / "backup.nq.gz")
    finally:
        store.close()
    return gzip.decompress((root / "backup.nq.gz").read_bytes())


def _body(data: bytes) -> bytes:
    return data[: data.rstrip(b"\n").rfind(b"\n") + 1]  # without the closing line


def _signed(quads: list[ox.Quad]) -> bytes:
    body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    return body + closing_line(body)


def _quads(data: bytes) -> list[ox.Quad]:
    return list(ox.parse(_body(data), ox.RdfFormat.N_QUADS))


def _named(text: str) -> ox.NamedNode:
    return ox.NamedNode(text)


def _add(quad: ox.Quad) -> Callable[[bytes], bytes]:
    return lambda data: _signed([*_quads(data), quad])


def _drop(keep: Callable[[ox.Quad], bool]) -> Callable[[bytes], bytes]:
    return lambda data: _signed([q for q in _quads(data) if keep(q)])


def _case_graph(stem: str) -> ox.NamedNode:
    return _named(CASE + stem)


def _det_graph(stem: str, n: int) -> ox.NamedNode:
    return _named(f"{DET}{stem}/{n}")


TYPE = _named("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OTHER_PATIENT = _named(f"{CASE}{STEMS[1]}/patient")


def _cut_half(data: bytes) -> bytes:
    lines = data.split(b"\n")
    return b"\n".join(lines[: len(lines) // 2]) + b"\n"  # cut at a line boundary


def _altered(data: bytes) -> bytes:
    altered = data.replace(b"ziconotide-refill/patient", b"ziconotide-refill/patienT", 1)
    assert altered != data
    return altered  # one statement changed, the closing line kept


# (name, what is done to the intact backup, how the file is named, what the refusal says)
HOSTILE: list[tuple[str, Callable[[bytes], bytes], str, str]] = [
    ("cut-at-a-line-boundary", _cut_half, "b.nq", "does not end with the closing line"),
    ("closing-line-removed", _body, "b.nq", "does not end with the closing line"),
    ("one-statement-altered", _altered, "b.nq", "do not match the backup's closing line"),
    ("statement-removed-and-recounted-wrongly", lambda d: _body(d).split(b"\n", 1)[1] + d[len(_body(d)):],
     "b.nq", "do not match"),
    ("truncated-gzip", lambda d: gzip.compress(d)[: len(gzip.compress(d)) // 2], "b.nq.gz", "not a complete gzip"),
    ("not-gzip-at-all", lambda d: b"\x1f\x8b\x08garbage" * 10, "b.nq.gz", "not a complete gzip"),
    ("not-utf8", lambda d: b"\xff\xfe\n" + _body(d) + closing_line(b"\xff\xfe\n" + _body(d)), "b.nq", "not UTF-8"),
    ("not-n-quads", lambda d: b"<a> <b> .\n" + closing_line(b"<a> <b> .\n"), "b.nq", "line 1: not an N-Quads"),
    ("default-graph-statement", _add(ox.Quad(_named(CASE + "x"), TYPE, _named(NEC + "Case"), ox.DefaultGraph())),
     "b.nq", "outside a named graph"),
    ("blank-node-graph", _add(ox.Quad(_named(CASE + "x"), TYPE, _named(NEC + "Case"), ox.BlankNode("g1"))),
     "b.nq", "graph named by a blank node"),
    ("lock-graph", _add(ox.Quad(_named(CASE + "x"), TYPE, _named(NEC + "Case"), _named(LOCK_BASE + "case/x"))),
     "b.nq", "lock graph"),
    ("graph-outside-the-scheme", _add(ox.Quad(_named(CASE + "x"), TYPE, _named(NEC + "Case"),
                                              _named("https://evil.example/graph"))), "b.nq", "not a case"),
    ("another-cases-statements-in-a-case-graph",
     _add(ox.Quad(OTHER_PATIENT, _named(NEC + "ageYears"), ox.Literal("99", datatype=_named(
         "http://www.w3.org/2001/XMLSchema#integer")), _case_graph(STEMS[0]))), "b.nq", "not about itself"),
    ("a-case-graph-pointing-at-another-case",
     _add(ox.Quad(_case_graph(STEMS[0]), _named(NEC + "hasPatient"), OTHER_PATIENT, _case_graph(STEMS[0]))),
     "b.nq", "a node of another case"),
    ("blank-node-in-a-case-graph",
     _add(ox.Quad(_case_graph(STEMS[0]), _named(NEC + "note"), ox.BlankNode("b1"), _case_graph(STEMS[0]))),
     "b.nq", "holds a blank node"),
    ("case-graph-that-is-no-case", _drop(lambda q: not (q.graph_name == _case_graph(STEMS[2]) and q.predicate == TYPE
                                                        and q.subject == _case_graph(STEMS[2]))),
     "b.nq", "does not read back as a case"),
    ("extra-statement-in-a-determination",
     _add(ox.Quad(_det_graph(STEMS[1], 1), _named(NEC + "approvedBy"), ox.Literal("mallory"),
                  _det_graph(STEMS[1], 1))), "b.nq", "the determination model does not write"),
    ("determination-missing-a-statement",
     _drop(lambda q: not (q.graph_name == _det_graph(STEMS[1], 1) and q.predicate == _named(NEC + "decisionUrgency"))),
     "b.nq", r"lacks [0-9]+ statement"),
    ("determination-missing-a-required-statement",
     _drop(lambda q: not (q.graph_name == _det_graph(STEMS[1], 1) and q.predicate == _named(NEC + "engineVersion"))),
     "b.nq", "does not read back through the determination model"),
    ("determination-graph-that-is-no-determination",
     _drop(lambda q: not (q.graph_name == _det_graph(STEMS[1], 1) and q.subject == _det_graph(STEMS[1], 1)
                          and q.predicate == TYPE)), "b.nq", "does not read back through the determination model"),
    ("determination-of-no-case", _drop(lambda q: q.graph_name != _case_graph(STEMS[1])),
     "b.nq", "belongs to no case of the backup"),
    ("determination-number-gap", _drop(lambda q: q.graph_name != _det_graph(STEMS[0], 1)),
     "b.nq", "they run from 1 without a gap"),
    ("case-without-determination", _drop(lambda q: q.graph_name != _det_graph(STEMS[2], 1)),
     "b.nq", "they run from 1 without a gap"),
]


@pytest.mark.parametrize("name,craft,file_name,says", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_backup_is_refused_and_writes_nothing(backup: bytes, tmp_path: Path, name, craft, file_name,
                                                      says) -> None:
    source = tmp_path / file_name
    source.write_bytes(craft(backup))
    target = open_store(tmp_path / "target")
    try:
        with pytest.raises(StoreError, match=says) as caught:
            restore_store(target, source)
        assert "\n" not in str(caught.value)
        assert target.graph_names() == []  # nothing written
    finally:
        target.close()


def _necessity(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("NECESSITY_STORE", None)
    return subprocess.run([sys.executable, "-m", "reasoner.cli", *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=300)


@pytest.mark.parametrize("name", ["cut-at-a-line-boundary", "truncated-gzip",
                                  "another-cases-statements-in-a-case-graph"])
def test_the_command_exits_2_with_one_line_and_leaves_the_store_empty(backup: bytes, tmp_path: Path, name) -> None:
    _name, craft, file_name, says = next(h for h in HOSTILE if h[0] == name)
    source = tmp_path / file_name
    source.write_bytes(craft(backup))
    done = _necessity("store", "restore", str(source), "--store", str(tmp_path / "target"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert says in done.stderr and done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr
    store = open_store(tmp_path / "target")
    try:
        assert store.graph_names() == []
    finally:
        store.close()


def test_an_intact_backup_restores_whole_with_the_packages_knowledge(backup: bytes, tmp_path: Path,
                                                                     necessity_engine) -> None:
    crafted_knowledge = ox.Quad(_named(NEC + "crit-made-up"), TYPE, _named(NEC + "Criterion"),
                                _named(str(KNOWLEDGE_GRAPH)))
    source = tmp_path / "b.nq"
    source.write_bytes(_add(crafted_knowledge)(backup))  # the file's knowledge graph is never loaded
    target = open_store(tmp_path / "target")
    try:
        restore_store(target, source, knowledge=necessity_engine.knowledge_graph)
        assert target.case_ids() == sorted(STEMS)
        assert [r.number for r in target.list_determinations(STEMS[0])] == [1, 2]
        report = check_store(target)
        assert report.ok, report.problems
        ask = target.query(f"ASK {{ GRAPH <{KNOWLEDGE_GRAPH}> {{ <{NEC}crit-made-up> ?p ?o }} }}")
        assert json.loads(ask.payload)["boolean"] is False
        ask = target.query(f"ASK {{ GRAPH <{KNOWLEDGE_GRAPH}> {{ ?s a <http://www.w3.org/2002/07/owl#Ontology> }} }}")
        assert json.loads(ask.payload)["boolean"] is True
        with pytest.raises(StoreError, match="already holds cases"):
            restore_store(target, source)
    finally:
        target.close()


def test_unmarked_skips_only_the_closing_line(backup: bytes, tmp_path: Path) -> None:
    source = tmp_path / "old.nq"
    source.write_bytes(_body(backup))  # a backup from before the closing line existed
    target = open_store(tmp_path / "target")
    try:
        with pytest.raises(StoreError, match="--unmarked"):
            restore_store(target, source)
        crafted = tmp_path / "crafted.nq"
        craft = next(h[1] for h in HOSTILE if h[0] == "another-cases-statements-in-a-case-graph")
        crafted.write_bytes(_body(craft(backup)))  # another case's statements, no closing line
        with pytest.raises(StoreError, match="not about itself"):
            restore_store(target, crafted, unmarked=True)
        assert target.graph_names() == []
        restore_store(target, source, unmarked=True)
        assert target.case_ids() == sorted(STEMS)
    finally:
        target.close()


def _redecision(engine, case_id: str, stem: str) -> list[ox.Quad]:
    """A `necessity redecide` graph of ``case_id`` (the determination of ``stem``'s case under a version)."""
    from reasoner.store.ids import redecision_iri

    case = load_case((CASES / f"{stem}.json").read_text(encoding="utf-8"))
    det = engine.decide(case, policy="cms-ncd-280.14")
    iri = redecision_iri(case_id, det.policy.id, det.policy.version)
    graph = _named(str(iri))
    return [ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(to_ntriples(det, iri).encode(), ox.RdfFormat.N_TRIPLES)]


def test_bulk_redecision_graphs_are_restored_when_they_read_back(backup: bytes, tmp_path: Path,
                                                                  necessity_engine) -> None:
    target = open_store(tmp_path / "target")
    try:
        orphan = tmp_path / "orphan.nq"  # a re-decision of a case the backup does not hold
        orphan.write_bytes(_signed([*_quads(backup), *_redecision(necessity_engine, "nobody", STEMS[1])]))
        with pytest.raises(StoreError, match="belongs to no case"):
            restore_store(target, orphan)
        assert target.graph_names() == []
        quads = _redecision(necessity_engine, STEMS[1], STEMS[1])
        good = tmp_path / "good.nq"
        good.write_bytes(_signed([*_quads(backup), *quads]))
        restore_store(target, good)
        assert quads[0].graph_name.value in target.graph_names()
        assert check_store(target).ok
    finally:
        target.close()
