"""What reviewers overturn, counted from the store: reviews over several cases (through the recording
function and the ``necessity review`` command), then ``necessity query overrides-by-criterion``,
``reviews-by-reviewer`` and ``review-turnaround --store DIR``, checked against counts made in Python
from the recorded determinations, and the summaries checked against their derivation."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from reasoner.cli.main import main
from reasoner.determination.rdf import to_graph
from reasoner.knowledge.paths import data_root
from reasoner.knowledge.vocabulary import ReviewerRole
from reasoner.loading import load_case_file
from reasoner.review import Reviewer, ReviewSubmission, record_review
from reasoner.store import EmbeddedStore

CASES = Path(data_root("cases"))
TRIAL = "https://w3id.org/necessity/shapes/aetna-cpb-0161#crit-trial-50-percent"
NURSE, PHYSICIAN = Reviewer("rn-0042", ReviewerRole.NurseReviewer), Reviewer("md-0007", ReviewerRole.PhysicianReviewer)
NONE = "https://w3id.org/necessity/ontology#NoDecidingCriterion"
STEMS = ("012-initial-implant-trial-40pct", "002-morphine-no-pump", "001-hydromorphone-refill")


def _review(store, case: str, number: int, reviewer: Reviewer, lines: list[tuple], at: datetime):
    submission = ReviewSubmission.model_validate({"determination": number, "lines": [
        {"code": code, "decision": decision, "reason": reason} for code, decision, reason in lines]})
    return record_review(store, case, submission, reviewer, now=at)[1]


def _csv(capsys, *argv: str) -> list[dict]:
    capsys.readouterr()
    assert main(list(argv) + ["--format", "csv"]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


@pytest.fixture(scope="module")
def reviewed_store(necessity_engine, tmp_path_factory: pytest.TempPathFactory):
    """A store of three cases, four reviews through the API's function; the store closed again."""
    path = tmp_path_factory.mktemp("reviews") / "store"
    store = EmbeddedStore(path)
    made = []
    try:
        store.load_knowledge(necessity_engine.knowledge_graph)
        for stem in STEMS:
            case = load_case_file(CASES / f"{stem}.json")
            det = necessity_engine.decide(case)
            store.add_case(case.case_id, case.graph, lambda iri, d=det: to_graph(d, iri))
        at = datetime.now(timezone.utc) + timedelta(hours=2)
        made.append(_review(store, STEMS[0], 1, PHYSICIAN, [
            ("62362", "deny", "Trial gave 40% relief."), ("J2274", "approve", "Drug may go on for the trial.")], at))
        made.append(_review(store, STEMS[1], 1, NURSE, [("J2274", "approve", "Pump records faxed.")], at))
        made.append(_review(store, STEMS[1], 2, PHYSICIAN, [("S9328", "pend", None)], at + timedelta(hours=1)))
        made.append(_review(store, STEMS[2], 1, NURSE, [("J7999", "approve", None)], at))
    finally:
        store.close()
    return path, made


def _expected(made) -> Counter:
    """(policy, version, criterion) -> [decided, overridden], from the recorded models: each decision
    counted in the review that made it, once per criterion that decided the engine's outcome."""
    out: Counter = Counter()
    for det in made:
        for line in det.review.lines:
            if line.recorded_in != det.review.derived_from_number + 1:
                continue
            for criterion in line.deciding_criteria or [NONE]:
                key = (det.policy.id, det.policy.version, criterion)
                out[key + ("decided",)] += 1
                out[key + ("overridden",)] += int(line.decision != line.engine_recommendation)
    return out


def test_overrides_by_criterion_counts_the_reviews(reviewed_store, capsys) -> None:
    path, made = reviewed_store
    # one more review from the terminal: a physician denies the refill's 62370 against an approve
    assert main(["review", STEMS[2], "--store", str(path), "--line", "62370=deny",
                 "--reason", "Refill interval too short for the dose.", "--reviewer", "md-0007",
                 "--role", "physician-reviewer"]) == 0
    assert "recorded" in capsys.readouterr().out
    assert main(["review", STEMS[2], "--store", str(path), "--line", "62370=deny", "--reason", "x",
                 "--reviewer", "rn-0042", "--role", "nurse-reviewer"]) == 2  # a nurse may not deny

    store = EmbeddedStore(path)
    try:
        from reasoner.determination.rdf import from_graph
        from reasoner.store import determination_iri

        made = made + [from_graph(store.get_determination(STEMS[2], 3), determination_iri(STEMS[2], 3))]
        from summary_check import check_summaries

        assert check_summaries(store) == len(STEMS)
    finally:
        store.close()

    rows = _csv(capsys, "query", "overrides-by-criterion", "--store", str(path))
    found = {(r["policyId"], r["versionLabel"], r["criterion"]): (int(r["decided"]), int(r["overridden"]))
             for r in rows}
    expected = _expected(made)
    assert found == {k[:3]: (expected[k[:3] + ("decided",)], expected[k[:3] + ("overridden",)])
                     for k in expected if k[3] == "decided"}
    # by hand: the trial criterion decided 62362 and J2274 of case 012 (J2274 approved against deny) and
    # both lines of case 002 (J2274 approved against pend; S9328 pended as recommended)
    trial = next(r for r in rows if r["criterion"] == TRIAL)
    assert (int(trial["decided"]), int(trial["overridden"]), int(trial["toApprove"]), int(trial["toDeny"])) == (4, 2, 2, 0)
    assert trial["criterionLabel"] == "successful trial with at least 50% relief"
    none = next(r for r in rows if r["criterion"] == NONE)  # the refill met the criteria: two lines, one denied
    assert (int(none["decided"]), int(none["overridden"]), int(none["toDeny"])) == (2, 1, 1)

    by_reviewer = {(r["reviewer"], r["role"].rsplit("#", 1)[-1]): r for r in
                   _csv(capsys, "query", "reviews-by-reviewer", "--store", str(path))}
    md = by_reviewer[("md-0007", "PhysicianReviewerRole")]
    assert (int(md["reviews"]), int(md["decisions"]), int(md["denied"]), int(md["otherThanEngine"])) == (3, 4, 2, 2)
    rn = by_reviewer[("rn-0042", "NurseReviewerRole")]
    assert (int(rn["reviews"]), int(rn["decisions"]), int(rn["approved"]), int(rn["otherThanEngine"])) == (2, 2, 2, 1)

    turnaround = _csv(capsys, "query", "review-turnaround", "--store", str(path))
    assert sum(int(r["reviews"]) for r in turnaround) == 5
    # the function's reviews were made 2 hours after the engine decided; the terminal's 1 s after the review
    # it followed (a review never precedes what it reviews)
    assert max(float(r["longestHoursFromRecommendation"]) for r in turnaround) >= 2
    assert all(float(r["averageHoursFromRecommendation"]) > 0 for r in turnaround)


@pytest.fixture(params=["embedded", "remote"])
def any_store(request, tmp_path: Path):
    """Each store implementation, empty."""
    if request.param == "embedded":
        s = EmbeddedStore(tmp_path / "store")
    else:
        import httpx

        from reasoner.store import RemoteStore

        server = request.getfixturevalue("oxigraph_server")
        s = RemoteStore(server)
        httpx.post(f"{server}/update", content=b"CLEAR ALL",
                   headers={"Content-Type": "application/sparql-update"}).raise_for_status()
    yield s
    s.close()


def test_a_review_is_the_next_determination_in_either_store(any_store, necessity_engine) -> None:
    from reasoner.determination.rdf import from_graph
    from reasoner.errors import ReviewConflictError
    from reasoner.store import determination_iri
    from summary_check import check_summaries

    store = any_store
    store.load_knowledge(necessity_engine.knowledge_graph)
    case = load_case_file(CASES / f"{STEMS[0]}.json")
    det = necessity_engine.decide(case)
    store.add_case(case.case_id, case.graph, lambda iri: to_graph(det, iri))
    made = _review(store, case.case_id, 1, PHYSICIAN, [("62362", "deny", "Trial gave 40% relief.")],
                   datetime.now(timezone.utc))
    assert [r.reviewed for r in store.list_determinations(case.case_id)] == [False, True]
    back = from_graph(store.get_determination(case.case_id, 2), determination_iri(case.case_id, 2))
    assert back == made and back.review.lines[0].reviewer == "md-0007"
    with pytest.raises(ReviewConflictError):  # determination 1 is superseded
        _review(store, case.case_id, 1, PHYSICIAN, [("62362", "approve", "x")], datetime.now(timezone.utc))
    assert check_summaries(store) == 1
