"""The store queries give the same rows as they did before they were rewritten for speed.

``tests/data/queries-before/`` keeps the store queries of ``queries/`` as they were before they
read the store's history graphs (``nec:supersededBy``) and were shaped for Oxigraph; each is run
beside its rewrite on one small store, embedded and remote, holding real determinations of the
bundled cases with several determinations per case: decided again later, under another version
or policy, at the same time as another one, and stored out of time order. The rows must be equal
(as sets of bindings: the queries order them, but rows that tie may come in any order; and the
parts of a GROUP_CONCAT as a set). The knowledge queries that were reordered are compared too.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path

import pytest

from reasoner.determination.rdf import to_graph
from reasoner.knowledge.paths import data_root
from reasoner.knowledge.vocabulary import Outcome
from reasoner.loading import load_case_file
from reasoner.namespaces import NEC
from reasoner.store import EmbeddedStore, RemoteStore

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

QUERIES = Path(data_root("queries"))
BEFORE = Path(__file__).parent / "data" / "queries-before"
CASES = Path(data_root("cases"))
T0 = datetime(2026, 1, 10, 9, 0, tzinfo=timezone.utc)
CMS = "cms-ncd-280.14"

# (case file stem, [(policy, version, hours after T0[, "flip"]), ...]) in the order they are stored;
# "flip": the decision with every line's outcome changed, so outcome-changes has rows
PLAN = [
    ("000-ziconotide-refill", [(None, None, 0)]),
    ("001-hydromorphone-refill", [(None, None, 0), (None, None, 30, "flip")]),  # again later, lines changed
    ("002-morphine-no-pump", [(CMS, "2024-03", 5), (CMS, "2019-11", 50), (None, None, 70)]),  # versions, policies
    ("004-morphine-established-pump", [(None, None, 40), (CMS, "2024-03", 10)]),  # stored out of time order
    ("012-initial-implant-trial-40pct", [(CMS, "2019-11", 3), (CMS, "2024-03", 3)]),  # at the same time
    ("013-cancer-pain-initial", [(CMS, "2024-03", 1), (CMS, "2019-11", 2, "flip"), (CMS, "2024-03", 4)]),
]
BINDINGS = {  # the bound form the benchmark and the README use, besides the unbound one
    "cases-pended-for-document.rq": "VALUES ?document { <https://w3id.org/necessity/shapes/aetna-cpb-0161#doc-trial-report> }",
    "cases-citing-criterion.rq": "VALUES ?criterion { <https://w3id.org/necessity/shapes/aetna-cpb-0161#crit-trial-50-percent> }",
}


@pytest.fixture(scope="module")
def decisions(necessity_engine):
    """Each planned case with its graph and its determinations, decided once for both stores."""
    out = []
    for stem, plan in PLAN:
        case = load_case_file(CASES / f"{stem}.json")
        dets = []
        for policy, version, h, *flip in plan:
            det = necessity_engine.decide(case, policy=policy, version=version, decided_at=T0 + timedelta(hours=h))
            if flip:
                lines = [line.model_copy(update={"outcome": Outcome.DoesNotMeet if line.outcome != Outcome.DoesNotMeet
                                                 else Outcome.MeetsCriteria}) for line in det.lines]
                det = det.model_copy(update={"lines": lines})
            dets.append(det)
        out.append((case, dets))
    return out


@pytest.fixture(scope="module", params=["embedded", "remote"])
def filled(request, tmp_path_factory: pytest.TempPathFactory, decisions, necessity_engine):
    """One store of each kind for the whole module (the tests only read it; the history test puts
    back what it takes out)."""
    if request.param == "embedded":
        store = EmbeddedStore(tmp_path_factory.mktemp("store") / "store")
    else:
        import httpx

        server = request.getfixturevalue("oxigraph_server")
        httpx.post(f"{server}/update", content=b"CLEAR ALL",
                   headers={"Content-Type": "application/sparql-update"}).raise_for_status()
        store = RemoteStore(server)
    store.load_knowledge(necessity_engine.knowledge_graph)
    for case, dets in decisions:
        store.add_case(case.case_id, case.graph, partial(to_graph, dets[0]))
        for det in dets[1:]:
            store.add_determination(case.case_id, partial(to_graph, det))
    yield store
    store.close()


# GROUP_CONCAT columns and their separators: SPARQL leaves the order of the parts open, and the
# order follows the evaluation order, so the parts are compared as sets
CONCATS = {"codes": " ", "citations": "; ", "sources": ", "}


def _cell(name: str, term) -> str:
    if name in CONCATS:
        return " | ".join(sorted(str(term).split(CONCATS[name])))
    return term.n3()


def _rows(store, text: str) -> tuple[list[str], list[tuple]]:
    result = store.query(text, timeout=60)
    rows = sorted(tuple(sorted((k, _cell(k, v)) for k, v in row.items())) for row in result.bindings())
    return result.variables, rows


PAGE = re.compile(r"LIMIT (\d+) OFFSET (\d+)")


def _unpaged(text: str) -> str:
    """A listing query without its paging (``LIMIT n OFFSET m`` in the block that picks the page's cases)."""
    return PAGE.sub("", text)


def _texts(name: str) -> list[tuple[str, str]]:
    old, new = (BEFORE / name).read_text(encoding="utf-8"), _unpaged((QUERIES / name).read_text(encoding="utf-8"))
    pairs = [(old, new)]
    if name in BINDINGS:
        bind = "WHERE {\n  " + BINDINGS[name]
        pairs.append((old.replace("WHERE {", bind, 1), new.replace("WHERE {", bind, 1)))
    return pairs


@pytest.mark.parametrize("name", sorted(p.name for p in BEFORE.glob("*.rq")))
def test_rewritten_query_gives_the_rows_it_gave_before(filled, name: str) -> None:
    for old, new in _texts(name):
        before, after = _rows(filled, old), _rows(filled, new)
        assert after[0] == before[0], "the result columns changed"
        assert after[1] == before[1], f"{name}: rows differ\nonly before: {set(before[1]) - set(after[1])}\n" \
                                      f"only after: {set(after[1]) - set(before[1])}"


def test_the_comparison_has_something_to_compare(filled) -> None:
    """Every rewritten query finds rows on this store, and "latest only" really drops some."""
    for name in sorted(p.name for p in BEFORE.glob("*.rq")):
        assert _rows(filled, (QUERIES / name).read_text(encoding="utf-8"))[1], f"{name} finds nothing to compare"
    latest = _rows(filled, (QUERIES / "cases-by-policy-version.rq").read_text(encoding="utf-8"))[1]
    stored = sum(len(dets) for _, dets in PLAN)
    assert len({dict(r)["determination"] for r in latest}) < stored


def test_history_states_every_pair_with_different_times(filled, decisions) -> None:
    """``nec:supersededBy`` holds exactly for determinations of one case decided at different times."""
    rows = filled.query("PREFIX nec: <https://w3id.org/necessity/ontology#> "
                        "SELECT ?a ?b WHERE { ?a nec:supersededBy ?b }").bindings()
    found = {(str(r["a"]), str(r["b"])) for r in rows}
    expected = set()
    for case, dets in decisions:
        iris = [f"https://w3id.org/necessity/determination/{case.case_id}/{n}" for n in range(1, len(dets) + 1)]
        for a, da in zip(iris, dets):
            for b, db in zip(iris, dets):
                if da.clock.decided_at < db.clock.decided_at:
                    expected.add((a, b))
    assert found == expected and len(found) > 5
    assert NEC.supersededBy  # declared in the ontology (the vocabulary test checks its label)


def test_rebuilt_history_is_the_written_one(filled) -> None:
    """``necessity store history`` (``rebuild_history``) gives the same statements the writes gave."""
    text = ("PREFIX nec: <https://w3id.org/necessity/ontology#> "
            "SELECT ?g ?a ?b WHERE { GRAPH ?g { ?a nec:supersededBy ?b } }")
    written = _rows(filled, text)[1]
    filled._update("DELETE WHERE { GRAPH ?g { ?a <https://w3id.org/necessity/ontology#supersededBy> ?b } }")
    assert not _rows(filled, text)[1]  # as a store written before the history existed
    filled.rebuild_history()
    assert _rows(filled, text)[1] == written and written


def test_every_summary_is_what_its_determinations_say(filled) -> None:
    """Each case's summary graph (written in the same update as each determination, see
    ``reasoner/store/summary.py``) equals what Python derives from its determination graphs:
    profiles, line profiles, latest/first links and outcome changes; the profiles graph describes
    every profile used."""
    from summary_check import check_summaries

    assert check_summaries(filled) == len(PLAN)
    changes = filled.query("PREFIX nec: <https://w3id.org/necessity/ontology#> "
                           "SELECT ?c WHERE { ?c a nec:OutcomeChange }").bindings()
    assert changes  # the flipped decisions give outcome changes to compare


def test_rebuilt_summaries_are_the_written_ones(filled) -> None:
    """``necessity store summaries`` (``rebuild_summaries``) gives the statements the writes gave."""
    from reasoner.store.ids import PROFILES_GRAPH, SUMMARY_BASE

    text = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), \"%s\") || ?g = <%s>) }" % (
        SUMMARY_BASE, PROFILES_GRAPH)
    written = _rows(filled, text)[1]
    filled._update("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } "
                   f"FILTER (STRSTARTS(STR(?g), \"{SUMMARY_BASE}\") || ?g = <{PROFILES_GRAPH}>) }}")
    assert not _rows(filled, text)[1]  # as a store written before the summaries existed
    filled.rebuild_summaries()
    assert _rows(filled, text)[1] == written and len(written) > 50


def test_cases_by_policy_version_keeps_its_order(filled) -> None:
    """Sorted by the case-id literal: the same order as the case IRIs, then policy and version."""
    result = filled.query((QUERIES / "cases-by-policy-version.rq").read_text(encoding="utf-8"), timeout=60)
    keys = [tuple(str(row[k]) for k in ("case", "policyId", "versionLabel", "determination"))
            for row in result.bindings()]
    assert len(keys) > 5 and keys == sorted(keys)


PAGED = sorted(p.name for p in QUERIES.glob("*.rq") if PAGE.search(p.read_text(encoding="utf-8")))


def test_the_listings_page() -> None:
    """Each query that returns a row per case or determination pages (issue 21)."""
    assert set(PAGED) == {"cases-by-policy-version.rq", "cases-citing-criterion.rq", "cases-pended-for-document.rq",
                          "decisions-past-due.rq"}


@pytest.mark.parametrize("name", PAGED)
def test_pages_of_two_cases_make_the_whole_answer_in_order(filled, name: str) -> None:
    """Walking the pages (two cases a page, OFFSET 0, 2, 4, ...) gives every row of the unpaged query,
    each once, its cases in its order; the page after the last case is empty. (Rows that tie on every
    sort key may come in any order, so within a case the rows are compared as a multiset.)"""
    text = (QUERIES / name).read_text(encoding="utf-8")
    whole = [tuple(sorted((k, _cell(k, v)) for k, v in row.items()))
             for row in filled.query(_unpaged(text), timeout=60).bindings()]
    pages, cases = [], len(PLAN)
    for offset in range(0, cases + 2, 2):
        page = PAGE.sub(f"LIMIT 2 OFFSET {offset}", text)
        rows = [tuple(sorted((k, _cell(k, v)) for k, v in row.items())) for row in filled.query(page, timeout=60).bindings()]
        if offset >= cases:
            assert not rows
        pages += rows
    key = "caseId" if "?caseId" in text.split("WHERE", 1)[0] else "case"
    assert whole and sorted(pages) == sorted(whole)
    assert [dict(r)[key] for r in pages] == [dict(r)[key] for r in whole]


def test_first_summary_written_in_python_is_the_updates(tmp_path, decisions, necessity_engine) -> None:
    """The embedded ``add_case`` writes a new case's summary from the determination's quads (one
    ``extend``); the update every other write uses gives the same statements."""
    from summary_check import check_summaries

    from reasoner.store.base import nquads
    from reasoner.store.ids import PROFILES_GRAPH, case_iri, determination_iri
    from reasoner.store.summary import first_summary_quads

    store = EmbeddedStore(tmp_path / "store")
    try:
        for case, dets in decisions:
            det = determination_iri(case.case_id, 1)
            quads = store._parse_quads(nquads([(case_iri(case.case_id), case.graph), (det, to_graph(dets[0], det))]))
            assert first_summary_quads(case.case_id, str(det), quads)  # the quick path, not the fallback
            store.add_case(case.case_id, case.graph, partial(to_graph, dets[0]))
        assert check_summaries(store) == len(decisions)
        text = ("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), "
                f"\"https://w3id.org/necessity/graph/summary/\") || ?g = <{PROFILES_GRAPH}>) }}")
        written = _rows(store, text)[1]
        store._update(f"DROP GRAPH <{PROFILES_GRAPH}>")
        store.update_summaries([case.case_id for case, _ in decisions])
        assert _rows(store, text)[1] == written and len(written) > 50
    finally:
        store.close()
