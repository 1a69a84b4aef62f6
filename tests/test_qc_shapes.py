"""Knowledge QC over the ontology and the shapes together, and proof that each new query can fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from reasoner.knowledge.ontology import load_ontology
from reasoner.namespaces import NEC, RDF, SH
from reasoner.knowledge.paths import data_root
from reasoner.queries import run_query

QC_DIR = Path(data_root("queries"), "qc")
QC_FILES = sorted(QC_DIR.glob("*-violation.rq"))
COMMON = "https://w3id.org/necessity/shapes/common#"
AETNA = "https://w3id.org/necessity/shapes/aetna-cpb-0161#"


@pytest.fixture(scope="module")
def knowledge() -> Graph:
    graph = load_ontology()
    shapes = Path(data_root("shapes"))
    for path in [*sorted(shapes.glob("*.ttl")), *sorted(shapes.glob("clauses/*.ttl"))]:
        graph.parse(path, format="turtle")
    return graph


def _rows(name: str, graph: Graph) -> list:
    return list(run_query((QC_DIR / name).read_text(encoding="utf-8"), graph))


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    copy += graph
    return copy


# Criteria that can block under a policy but cite none of its own sources nor a label (issue 17): a
# common criterion carrying another payer's rule or citation. Listed so that the QC fails on a new
# offender; remove an entry when its criterion is split per payer or cites the policy's own clause.
KNOWN_OWN_CITATION_OFFENDERS = {
    ("aetna-cpb-0161#version-2026-01", "crit-ongoing-benefit"),
    ("anthem-cg-surg-79#version-2024-10", "crit-billed-drug-in-regimen"),
    ("anthem-cg-surg-79#version-2024-10", "crit-device-documented"),
    ("anthem-cg-surg-79#version-2024-10", "crit-drug-identified"),
    ("anthem-cg-surg-79#version-2024-10", "crit-pump-documented"),
    ("anthem-cg-surg-79#version-2024-10", "crit-regimen-documented"),
    ("bcbsa-7.01.41#version-2024-08", "crit-billed-drug-in-regimen"),
    ("bcbsa-7.01.41#version-2024-08", "crit-device-documented"),
    ("bcbsa-7.01.41#version-2024-08", "crit-drug-identified"),
    ("bcbsa-7.01.41#version-2024-08", "crit-ongoing-benefit"),
    ("bcbsa-7.01.41#version-2024-08", "crit-pump-documented"),
    ("bcbsa-7.01.41#version-2024-08", "crit-regimen-documented"),
    ("evicore-cmm-210#version-2024-01", "crit-billed-drug-in-regimen"),
    ("evicore-cmm-210#version-2024-01", "crit-device-documented"),
    ("evicore-cmm-210#version-2024-01", "crit-drug-identified"),
    ("evicore-cmm-210#version-2024-01", "crit-ongoing-benefit"),
    ("evicore-cmm-210#version-2024-01", "crit-pump-documented"),
    ("evicore-cmm-210#version-2024-01", "crit-regimen-documented"),
}


def _own_citation_offenders(rows: list) -> set[tuple[str, str]]:
    return {(str(r[0]).rsplit("/", 1)[-1], str(r[1]).rsplit("#", 1)[-1]) for r in rows}


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in QC_FILES])
def test_qc_passes_on_ontology_and_shapes(path: Path, knowledge: Graph) -> None:
    rows = list(run_query(path.read_text(encoding="utf-8"), knowledge))
    if path.name == "own-citation-violation.rq":
        new = _own_citation_offenders(rows) - KNOWN_OWN_CITATION_OFFENDERS
        assert not new, f"{path.name}: new criteria citing none of the policy's own sources: {sorted(new)}"
        return
    assert rows == [], f"{path.name}: {rows[:3]}"


def test_advisory_fact_feeding_a_violation_is_caught(knowledge: Graph) -> None:
    # a blocking shape made to encode the unconfirmed Aetna life-expectancy criterion
    bad = _copy(knowledge)
    shape = URIRef(COMMON + "IndicationShape-supported")
    bad.remove((shape, NEC.encodes, None))
    bad.add((shape, NEC.encodes, URIRef(AETNA + "crit-life-expectancy")))
    rows = _rows("advisory-fact-blocking-violation.rq", bad)
    assert {str(r[0]) for r in rows} == {str(shape)}


def test_advisory_limit_compared_by_a_violation_is_caught(knowledge: Graph) -> None:
    # the guideline maximum (unconfirmed, advisory) compared by a blocking shape
    bad = _copy(knowledge)
    shape = URIRef(COMMON + "RegimenShape-guideline-max-dose")
    bad.remove((shape, SH.severity, SH.Info))
    bad.add((shape, SH.severity, SH.Violation))
    rows = _rows("advisory-fact-blocking-violation.rq", bad)
    assert str(shape) in {str(r[0]) for r in rows} and "limit compared" in {str(r[2]) for r in rows}


def test_blank_locator_is_caught(knowledge: Graph) -> None:
    bad = _copy(knowledge)
    citation = URIRef(COMMON + "cit-gablofen-indication")
    bad.remove((citation, NEC.locator, None))
    bad.add((citation, NEC.locator, Literal("   ")))
    assert [str(r[0]) for r in _rows("blank-locator-violation.rq", bad)] == [str(citation)]


def test_shape_without_message_is_caught(knowledge: Graph) -> None:
    bad = _copy(knowledge)
    shape = URIRef(COMMON + "PlacementShape-safety-screened")
    bad.remove((shape, SH.message, None))
    rows = _rows("incomplete-shape-violation.rq", bad)
    assert [(str(r[0]), str(r[1])) for r in rows] == [(str(shape), "sh:message")]


def test_blank_node_shape_with_a_severity_is_checked(knowledge: Graph) -> None:
    bad = _copy(knowledge)
    node = BNode()
    bad.add((URIRef(COMMON + "PlacementShape"), SH.property, node))
    bad.add((node, SH.path, NEC.coagulopathy))
    bad.add((node, SH.severity, SH.Violation))
    missing = {str(r[1]) for r in _rows("incomplete-shape-violation.rq", bad) if r[0] == node}
    assert missing == {"sh:name", "sh:message", "criterion (nec:encodes)", "documentation item (nec:satisfiedBy)",
                       "citation of its criterion"}


def test_criterion_without_citation_is_caught(knowledge: Graph) -> None:
    bad = _copy(knowledge)
    bad.remove((URIRef(COMMON + "crit-billable-diagnosis"), NEC.hasCitation, None))
    shapes = {str(r[0]) for r in _rows("incomplete-shape-violation.rq", bad)}
    assert shapes == {COMMON + "BillableDiagnosisShape", COMMON + "BillableDiagnosisShape-date"}
