"""Clauses as data (issue 17): every policy version lists its clauses, each with a status, and the QC
queries over them can fail."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from reasoner.knowledge.compiled import compile_knowledge
from reasoner.knowledge.ontology import load_ontology
from reasoner.namespaces import NEC, RDF
from reasoner.knowledge.paths import data_root
from reasoner.knowledge.policy_clauses import clauses_of
from reasoner.queries import run_query

QC_DIR = Path(data_root("queries"), "qc")
SHAPES = "https://w3id.org/necessity/shapes/"
BCBSA = SHAPES + "bcbsa-7.01.41#"
CMS = SHAPES + "cms-ncd-280.14#"
COMMON = SHAPES + "common#"


@pytest.fixture(scope="module")
def knowledge() -> Graph:
    graph = load_ontology()
    shapes = Path(data_root("shapes"))
    for path in [*sorted(shapes.glob("*.ttl")), *sorted(shapes.glob("clauses/*.ttl"))]:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def compiled():
    return compile_knowledge()


def _rows(name: str, graph: Graph) -> list:
    return list(run_query((QC_DIR / name).read_text(encoding="utf-8"), graph))


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    copy += graph
    return copy


def test_every_version_of_the_five_policies_lists_its_clauses(compiled) -> None:
    distinct: set[str] = set()
    for version in compiled.versions.values():
        clauses = clauses_of(compiled.policy_graph, compiled.ontology, version.iri, version.criteria)
        own = [c for c in clauses if c.clause_id.startswith(version.policy_id + "/")]
        assert len(own) >= 5, f"{version.policy_id}@{version.label}: {len(own)} clauses of its own"
        for clause in clauses:
            distinct.add(clause.clause_id)
            assert clause.status, clause.clause_id
            assert clause.citations and all(c.source and c.locator and c.confidence for c in clause.citations)
            if clause.status in ("not-decidable", "not-applied"):
                assert clause.reason, clause.clause_id
            if clause.status in ("encoded", "asks-for-document"):
                assert clause.criteria, f"{clause.clause_id} is {clause.status} but no criterion of the version names it"
                shaped = {info.criterion for info in version.shapes.values()}
                assert set(clause.criteria) & shaped, clause.clause_id
    assert len(distinct) >= 80


def test_clause_statuses_are_the_four(compiled) -> None:
    counts = Counter(c.status for v in compiled.versions.values()
                     for c in clauses_of(compiled.policy_graph, compiled.ontology, v.iri))
    assert set(counts) <= {"encoded", "asks-for-document", "not-decidable", "not-applied"}
    assert counts["encoded"] and counts["not-applied"]


def test_a_clause_of_one_version_only_is_not_listed_under_the_other(compiled) -> None:
    older = compiled.policy_version("cms-ncd-280.14@2019-11")
    newer = compiled.policy_version("cms-ncd-280.14@2024-03")
    ids = {v.label: {c.clause_id for c in clauses_of(compiled.policy_graph, compiled.ontology, v.iri)}
           for v in (older, newer)}
    assert "cms-ncd-280.14/ziconotide-indication" in ids["2024-03"]
    assert "cms-ncd-280.14/ziconotide-indication" not in ids["2019-11"]


# ---------------------------------------------------------------- each QC query can fail

def test_clause_without_status_is_caught(knowledge: Graph) -> None:
    bad = _copy(knowledge)
    clause = URIRef(BCBSA + "clause-pain-trial-over-50")
    bad.remove((clause, NEC.clauseStatus, None))
    rows = _rows("clause-status-violation.rq", bad)
    assert [(str(r[0]), str(r[1])) for r in rows] == [(str(clause), "no status (nec:clauseStatus)")]


def test_clause_not_applied_without_reason_is_caught(knowledge: Graph) -> None:
    bad = _copy(knowledge)
    clause = URIRef(BCBSA + "clause-head-pain")
    bad.remove((clause, NEC.statusReason, None))
    rows = _rows("clause-status-violation.rq", bad)
    assert [str(r[0]) for r in rows] == [str(clause)] and "reason" in str(rows[0][1])


def test_clause_with_two_statuses_is_caught(knowledge: Graph) -> None:
    bad = _copy(knowledge)
    clause = URIRef(BCBSA + "clause-pain-trial-over-50")
    bad.add((clause, NEC.clauseStatus, NEC.ClauseNotDecidable))
    bad.add((clause, NEC.statusReason, Literal("test", lang="en")))
    rows = _rows("clause-status-violation.rq", bad)
    assert {str(r[1]) for r in rows} == {"more than one status"}


def test_encoded_clause_without_criterion_is_caught(knowledge: Graph) -> None:
    bad = _copy(knowledge)
    clause = URIRef(BCBSA + "clause-pain-trial-over-50")
    bad.remove((None, NEC.encodesClause, clause))
    rows = _rows("unencoded-clause-violation.rq", bad)
    assert [(str(r[0]), str(r[1])) for r in rows] == [(str(clause), BCBSA + "version-2024-08")]


def test_encoded_clause_whose_criterion_has_no_shape_is_caught(knowledge: Graph) -> None:
    bad = _copy(knowledge)
    criterion = URIRef(BCBSA + "crit-trial-over-50-percent")
    for shape in list(bad.subjects(NEC.encodes, criterion)):
        bad.remove((shape, NEC.encodes, criterion))
    rows = _rows("unencoded-clause-violation.rq", bad)
    assert {str(r[0]).rsplit("#", 1)[-1] for r in rows} == {"clause-pain-trial-over-50", "clause-pain-trial-required"}


def test_criterion_naming_a_clause_not_applied_is_caught(knowledge: Graph) -> None:
    bad = _copy(knowledge)
    bad.add((URIRef(BCBSA + "crit-trial-over-50-percent"), NEC.encodesClause, URIRef(BCBSA + "clause-trial-same-route")))
    rows = _rows("unencoded-clause-violation.rq", bad)
    assert [str(r[0]) for r in rows] == [BCBSA + "clause-trial-same-route"]


def test_criterion_with_no_citation_of_its_own_policy_is_caught(knowledge: Graph) -> None:
    bad = _copy(knowledge)
    criterion = URIRef(BCBSA + "crit-trial-over-50-percent")
    bad.remove((criterion, NEC.hasCitation, None))
    bad.add((criterion, NEC.hasCitation, URIRef(CMS + "cit-trial")))  # the NCD's trial, under BCBSA
    rows = _rows("own-citation-violation.rq", bad)
    assert (BCBSA + "version-2024-08", str(criterion)) in {(str(r[0]), str(r[1])) for r in rows}


def test_a_label_citation_is_the_criterion_own(knowledge: Graph) -> None:
    rows = _rows("own-citation-violation.rq", knowledge)
    # the label max dose cites the Prialt label only: never an offender under any policy
    assert COMMON + "crit-label-max-dose" not in {str(r[1]) for r in rows}


def test_clause_files_declare_clauses_only(knowledge: Graph) -> None:
    for path in sorted(Path(data_root("shapes"), "clauses").glob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        kinds = {o for o in graph.objects(None, RDF.type)}
        assert kinds <= {NEC.PolicyClause, NEC.Citation}, f"{path.name}: {kinds}"
