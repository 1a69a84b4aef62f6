"""Clauses as data (issue 17): every policy version lists its clauses, each with a status, and the QC
queries over them can fail."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from reasoner.cli.main import main
from reasoner.errors import ShapesError
from reasoner.knowledge.compiled import compile_knowledge
from reasoner.knowledge.ontology import load_ontology
from reasoner.knowledge.paths import data_root
from reasoner.knowledge.policy_clauses import clauses_of
from reasoner.namespaces import NEC, RDF
from reasoner.policy_view import CLAUSE_KEYS, clause_rows
from reasoner.queries import run_query

QC_DIR = Path(data_root("queries"), "qc")
SHAPES = "https://w3id.org/necessity/shapes/"
BCBSA = SHAPES + "bcbsa-7.01.41#"
AETNA = SHAPES + "aetna-cpb-0161#"
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
    clause = URIRef(BCBSA + "clause-pain-trial-over-50")
    bad.remove((clause, NEC.clauseStatus, None))
    bad.remove((clause, NEC.statusReason, None))
    bad.remove((None, NEC.encodesClause, clause))
    bad.add((clause, NEC.clauseStatus, NEC.ClauseNotApplied))
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
    clause = URIRef(BCBSA + "clause-pain-trial-over-50")  # named by bcbsa:crit-trial-over-50-percent
    bad.remove((clause, NEC.clauseStatus, None))
    bad.add((clause, NEC.clauseStatus, NEC.ClauseNotApplied))
    bad.add((clause, NEC.statusReason, Literal("test", lang="en")))
    rows = _rows("unencoded-clause-violation.rq", bad)
    assert [str(r[0]) for r in rows] == [str(clause)]


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


# ---------------------------------------------------------------- the policy author's path

def _turtle_block(marker: str) -> str:
    """The Turtle block of the shapes README that contains ``marker``."""
    text = Path(data_root("shapes"), "README.md").read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0] for block in text.split("```turtle\n")[1:]]
    return next(block for block in blocks if marker in block)


PREFIXES = """@prefix nec:  <https://w3id.org/necessity/ontology#> .
@prefix plan: <https://example.org/shapes/plan-123#> .
"""


@pytest.fixture(scope="module")
def author_folder(tmp_path_factory) -> Path:
    """The shapes README's smallest policy and its clause example, as a policy author would save them."""
    folder = tmp_path_factory.mktemp("plan")
    policy = _turtle_block("nec:policy-plan-123 a nec:Policy")
    clauses = _turtle_block("plan:clause-trial a nec:PolicyClause")
    (folder / "plan-123.ttl").write_text(policy, encoding="utf-8")
    (folder / "clauses").mkdir()
    (folder / "clauses" / "plan-123.ttl").write_text(
        PREFIXES + clauses + "\nplan:crit-trial nec:encodesClause plan:clause-trial .\n", encoding="utf-8")
    return folder


def test_the_readme_smallest_policy_loads_and_names_criteria_that_exist(author_folder: Path) -> None:
    knowledge = compile_knowledge(extra_dirs=[author_folder])
    version = knowledge.policy_version("plan-123")
    criteria = {str(c).rsplit("#", 1)[-1] for c in version.criteria}
    assert "crit-trial" in criteria
    for listed in version.shapes_graph.objects(version.iri, NEC.hasCriterion):
        assert (listed, RDF.type, NEC.Criterion) in version.shapes_graph


def test_common_criteria_apply_to_a_policy_that_does_not_list_them(author_folder: Path) -> None:
    knowledge = compile_knowledge(extra_dirs=[author_folder])
    version = knowledge.policy_version("plan-123")
    common = {c for c in knowledge.policy_graph.subjects(RDF.type, NEC.Criterion) if str(c).startswith(COMMON)}
    assert common and common <= set(version.criteria)
    assert {i.criterion for i in version.shapes.values()} >= common - {None}


def test_a_criterion_that_resolves_to_nothing_stops_the_load(author_folder: Path, tmp_path: Path) -> None:
    text = (author_folder / "plan-123.ttl").read_text(encoding="utf-8")
    (tmp_path / "plan-123.ttl").write_text(
        text.replace("nec:hasCriterion plan:crit-trial .", "nec:hasCriterion plan:crit-trial , plan:crit-typo ."),
        encoding="utf-8")
    with pytest.raises(ShapesError, match="crit-typo"):
        compile_knowledge(extra_dirs=[tmp_path])


def test_the_readme_clause_example_gives_a_clause_matrix(author_folder: Path) -> None:
    knowledge = compile_knowledge(extra_dirs=[author_folder])
    _version, rows = clause_rows(knowledge, "plan-123@2026-01")
    assert [(r["clause"], r["status"], len(r["criteria"])) for r in rows] == [
        ("plan-123/trial", "encoded", 1), ("plan-123/trial-route", "not-applied", 0)]
    assert rows[1]["reason"].startswith("not yet encoded")


# ---------------------------------------------------------------- the command line

def test_policies_text_mode_lists_criteria_with_citations(capsys) -> None:
    assert main(["policies", "aetna-cpb-0161"]) == 0
    out = capsys.readouterr().out
    assert "criteria of version 2026-01" in out and "AETNA-CPB-0161:" in out


def test_policies_accepts_id_at_version(capsys) -> None:
    assert main(["policies", "cms-ncd-280.14@2019-11", "--json"]) == 0
    policy = json.loads(capsys.readouterr().out)[0]
    assert policy["version"] == "2019-11" and policy["criteria"]
    assert main(["policies", "cms-ncd-280.14@1999-01"]) == 2
    assert "no version '1999-01'" in capsys.readouterr().err


def test_clauses_json_of_the_five_policies(capsys) -> None:
    distinct = set()
    for policy in ("aetna-cpb-0161", "cms-ncd-280.14@2019-11", "cms-ncd-280.14@2024-03", "bcbsa-7.01.41",
                   "anthem-cg-surg-79", "evicore-cmm-210"):
        assert main(["policies", policy, "--clauses", "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert rows and all(list(r) == list(CLAUSE_KEYS) for r in rows)
        for r in rows:
            assert r["status"] in ("encoded", "asks-for-document", "not-decidable", "not-applied"), r["clause"]
            assert r["source"] and r["locator"] and r["confidence"] and r["text"], r["clause"]
            if r["status"] in ("encoded", "asks-for-document"):
                assert r["criteria"], r["clause"]
            else:
                assert r["reason"], r["clause"]
        distinct |= {r["clause"] for r in rows}
    assert len(distinct) >= 80


def test_clauses_text_is_a_table(capsys) -> None:
    assert main(["policies", "bcbsa-7.01.41", "--clauses"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("bcbsa-7.01.41@2024-08: ") and "CLAUSE" in out and "bcbsa-7.01.41/pain-trial-over-50" in out
    assert main(["policies", "--clauses"]) == 2


def test_a_deactivated_shape_does_not_encode_a_clause(knowledge: Graph) -> None:
    bad = _copy(knowledge)
    for shape in bad.subjects(NEC.encodes, URIRef(BCBSA + "crit-trial-over-50-percent")):
        bad.add((shape, URIRef("http://www.w3.org/ns/shacl#deactivated"), Literal(True)))
    rows = _rows("unencoded-clause-violation.rq", bad)
    assert {str(r[0]).rsplit("#", 1)[-1] for r in rows} == {"clause-pain-trial-over-50", "clause-pain-trial-required"}
