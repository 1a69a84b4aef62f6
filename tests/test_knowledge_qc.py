"""Knowledge QC: every queries/qc/*-violation.rq returns no rows over the ontology."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from reasoner.namespaces import NEC
from reasoner.knowledge.paths import data_root
from reasoner.queries import run_query

QC_FILES = sorted(Path(data_root("queries"), "qc").glob("*-violation.rq"))


def test_there_are_qc_queries() -> None:
    assert len(QC_FILES) >= 5


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in QC_FILES])
def test_qc_query_finds_no_violation(path: Path, ontology_graph: Graph) -> None:
    rows = list(run_query(path.read_text(encoding="utf-8"), ontology_graph))
    assert rows == [], f"{path.name}: {len(rows)} violation(s), first: {rows[:3]}"


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    copy += graph
    return copy


def _qc(name: str) -> str:
    return Path(data_root("queries"), "qc", name).read_text(encoding="utf-8")


def test_qc_catches_a_drug_fact_without_citation(ontology_graph: Graph) -> None:
    bad = _copy(ontology_graph)
    fact = NEC["morphine-uncited-test-fact"]
    bad.add((fact, RDF.type, NEC.DoseLimit))
    bad.add((fact, NEC.aboutDrug, NEC.morphine))
    rows = list(run_query(_qc("uncited-fact-violation.rq"), bad))
    assert [row[0] for row in rows] == [fact]


def test_qc_catches_a_guideline_statement_without_citation(ontology_graph: Graph) -> None:
    bad = _copy(ontology_graph)
    bad.add((NEC["gs-uncited-test"], RDF.type, NEC.GuidelineStatement))
    rows = list(run_query(_qc("uncited-fact-violation.rq"), bad))
    assert [row[0] for row in rows] == [NEC["gs-uncited-test"]]


def test_qc_catches_an_undefined_source(ontology_graph: Graph) -> None:
    bad = _copy(ontology_graph)
    citation = NEC["cit-undefined-source-test"]
    bad.add((citation, RDF.type, NEC.Citation))
    bad.add((citation, NEC.citesSource, NEC["src-NOT-IN-THE-LIST"]))
    bad.add((citation, NEC.locator, Literal("p. 1")))
    rows = list(run_query(_qc("undefined-source-violation.rq"), bad))
    assert {row[0] for row in rows} == {citation}


def test_qc_catches_an_entity_without_label(ontology_graph: Graph) -> None:
    bad = _copy(ontology_graph)
    bad.remove((NEC.ziconotide, RDFS.label, None))
    rows = list(run_query(_qc("missing-label-violation.rq"), bad))
    assert [row[0] for row in rows] == [NEC.ziconotide]


def test_qc_catches_a_limit_with_two_kinds(ontology_graph: Graph) -> None:
    bad = _copy(ontology_graph)
    limit = NEC["ziconotide-label-max-daily-dose"]
    bad.add((limit, NEC.limitKind, NEC.GuidelineMaximum))
    rows = list(run_query(_qc("limit-shape-violation.rq"), bad))
    assert [row[0] for row in rows] == [limit]
