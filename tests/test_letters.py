"""The reviewer's file (the letter a reviewer signs; the provider notice is tested in test_notice.py): units, citations, request-kind reasons, the decision clock, appeal rights,
signature; the model round-trips through the store; same input, same bytes; the SPARQL clock reports."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import pytest
from rdflib import Graph

from reasoner.determination import Determination, Fact
from reasoner.determination.rdf import from_graph, predicates, to_graph
from reasoner.engine import Engine
from reasoner.knowledge.paths import data_root
from reasoner.knowledge.vocabulary import CriterionState, Outcome
from reasoner.letters import letter_html, letter_markdown, render, reviewer_page
from reasoner.loading import load_case, load_case_file
from reasoner.namespaces import RDFS
from reasoner.store import EmbeddedStore

FIXED = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)
CASES = Path(data_root("cases"))
QUERIES = Path(data_root("queries"))
ADVERSE = {Outcome.InsufficientDocumentation, Outcome.DoesNotMeet}
# one case of each outcome: meets (001, 004), insufficient documentation (002), does-not-meet (012)
LETTER_CASES = ["001-hydromorphone-refill", "002-morphine-no-pump", "004-morphine-established-pump",
                "012-initial-implant-trial-40pct"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(clock=lambda: FIXED)


@pytest.fixture(scope="module")
def decided(engine: Engine) -> dict[str, Determination]:
    return {stem: engine.decide(load_case_file(CASES / f"{stem}.json")) for stem in LETTER_CASES}


def reviewer_markdown(det: Determination) -> str:
    """The reviewer's file in Markdown: every criterion with its facts and citations."""
    return render(det, letter="reviewer", fmt="markdown")


def _quantities(facts: list[Fact]):
    for fact in facts:
        if fact.kind == "quantity":
            yield fact
        yield from _quantities(fact.items)


def _all_quantities(det: Determination):
    for line in det.lines:
        yield from _quantities(line.request_kind.facts)
        for c in line.criteria:
            yield from _quantities(c.facts)


def _section(letter: str, heading: str) -> str:
    start = letter.index(heading)
    following = letter.find("\n## ", start + len(heading))
    return letter[start:following if following > 0 else len(letter)]


@pytest.mark.parametrize("stem", LETTER_CASES)
def test_every_number_of_a_fact_has_its_unit(decided: dict, stem: str) -> None:
    det = decided[stem]
    letter = reviewer_markdown(det)
    quantities = list(_all_quantities(det))
    assert quantities or stem == "002-morphine-no-pump"
    # the facts of a criterion follow "Facts:" on its line, before its evidence and citations
    fact_texts = [re.split(r"_(?:Evidence|Source):_", l.split("_Facts:_", 1)[1])[0]
                  for l in letter.splitlines() if re.match(r"\s*- ", l) and "_Facts:_" in l]
    for q in quantities:
        assert q.unit, q  # every quantity the case states carries a unit
        shown = [t for t in fact_texts if f"{q.label}: " in t]
        assert shown, q
        for text in shown:
            for match in re.finditer(rf"(?<![\w.]){re.escape(q.value)}(?![\w.])", text):
                after = text[match.end():match.end() + len(q.unit) + 1]
                assert after.lstrip().startswith(q.unit), (q, text)
    assert "1456.1" not in letter  # round one printed 1.4561 mg/day of hydromorphone as 1456.1


@pytest.mark.parametrize("stem", LETTER_CASES)
def test_every_criterion_and_warning_line_cites_title_and_section(decided: dict, stem: str) -> None:
    """Lines that share a request kind show their criteria once; each criterion is shown with every
    citation (title linked, section), or refers to where it is, under "What decided it"."""
    det = decided[stem]
    letter = reviewer_markdown(det)
    criterion_lines = [l for l in letter.splitlines() if l.startswith("- **[")]
    assert len(criterion_lines) < sum(len(line.criteria) for line in det.lines) or len(det.lines) == 1
    for line in det.lines:
        for c in line.criteria:
            shown = [l for l in criterion_lines if f"**{c.name}**" in l]
            assert shown and c.citations, c.name
            cited = [l for l in shown if "See what decided it, above." not in l]
            assert cited and all(f"[{cite.title}]({cite.url})" in text and cite.locator in text
                                 for text in cited for cite in c.citations), c.name
    for warning in det.warnings:  # a warning is shown as the criterion it comes from, with its message
        text = next(l for l in criterion_lines if warning.message in l)
        assert f"**{warning.name}**" in text


@pytest.mark.parametrize("stem", LETTER_CASES)
def test_letter_says_why_each_request_kind_dates_and_signoff(decided: dict, stem: str) -> None:
    det = decided[stem]
    letter = reviewer_markdown(det)
    for line in det.lines:
        heading = next(h for h in re.findall(r"^## .*$", letter, flags=re.M)
                       if re.match(rf"## (.*, )?{re.escape(line.code)}(, .*)?: ", h))
        assert heading.endswith(f"{line.request_kind.label or 'out of scope'}, {line.outcome}")
        part = letter[letter.index(heading):].split("\n## ", 1)[0]
        assert any(l.startswith("**Request kind") for l in part.splitlines())
        for e in line.request_kind.evidence:
            assert e.document in letter and (e.page is None or f"page {e.page}" in letter)
        if line.outcome in ADVERSE:
            assert "**What decided it**" in part
            assert line.reasons and all(r.citations for r in line.reasons)
    assert "| Decision date | 2026-01-05 12:00 UTC |" in letter
    if det.clock.received_at is not None:
        assert re.search(r"\| Decision due \| \d{4}-\d\d-\d\d \d\d:\d\d UTC \(\d+ h", letter)
        assert f"| Member ID | {det.parties.member_id} |" in letter and det.parties.provider_npi in letter
    else:
        assert "| Decision due | not computable |" in letter
    assert f"({det.policy.id} {det.policy.version})" in letter
    assert "## Your appeal rights" not in letter  # the provider's notice carries them
    assert "## Signature" not in letter and f"determination of case {det.case_id}" in letter


def test_continuation_names_the_implant_evidence_page(decided: dict) -> None:
    det = decided["001-hydromorphone-refill"]
    basis = det.lines[0].request_kind
    assert basis.label == "continuation" and "implanted pump" in basis.explanation
    assert [(e.document, e.page) for e in basis.evidence] == [("case documentation", 8)]
    assert any(i.text == "2023-05-16" for f in basis.facts for i in f.items)
    assert "(case documentation, page 8)" in reviewer_markdown(det)


def test_no_label_maximum_is_never_met(engine: Engine, decided: dict) -> None:
    """Hydromorphone and morphine have no label maximum: the criterion does not apply, it is not met."""
    for stem in ("001-hydromorphone-refill", "004-morphine-established-pump"):
        names = {c.name for line in decided[stem].lines for c in line.criteria}
        assert "daily dose within the label maximum" not in names
    zico = engine.decide(load_case_file(CASES / "000-ziconotide-refill.json"))
    label_max = next(c for c in zico.lines[0].criteria if c.name == "daily dose within the label maximum")
    assert label_max.state == CriterionState.CriterionMet
    assert [f.text for f in label_max.facts] == ["4.8 mcg/day", "19.2 mcg/day"]


def test_no_findings_never_reads_as_no_contraindication(engine: Engine, decided: dict) -> None:
    det = decided["002-morphine-no-pump"]  # no findings at all
    names = {c.name for line in det.lines for c in line.criteria if c.state == CriterionState.CriterionMet}
    assert "no contraindication to an implanted pump" not in names
    assert "no documented contraindication of the drug" not in names


def test_held_refill_carries_the_safety_notice(engine: Engine, tmp_path: Path) -> None:
    form = json.loads((CASES / "004-morphine-established-pump.json").read_text())
    form["id"], form["response"] = "held-refill", {"effective": False}
    det = engine.decide(load_case(json.dumps(form)))
    assert set(det.outcomes.values()) == {"does-not-meet"}
    [notice] = det.safety_notices
    assert notice.drug == "morphine" and notice.lines == ["J2274", "S9328"] and notice.citations
    letter = reviewer_markdown(det)
    safety = _section(letter, "## Safety notice")
    assert notice.message in safety and notice.citations[0].title in safety
    assert letter.index("## Safety notice") < letter.index("## J2274, S9328: ")  # before the details
    back = from_graph(to_graph(det, "https://w3id.org/necessity/determination/held-refill/1"),
                                    "https://w3id.org/necessity/determination/held-refill/1")
    assert back.safety_notices == det.safety_notices


def test_decision_clock(decided: dict) -> None:
    standard = decided["001-hydromorphone-refill"].clock
    assert standard.urgency == "standard" and standard.urgency_stated and standard.allowed_hours == 168
    assert standard.received_at.isoformat() == "2026-01-02T14:30:00+00:00"
    assert standard.due_at.isoformat() == "2026-01-09T14:30:00+00:00" and standard.past_due is False
    assert standard.citations and standard.citations[0].source_id == "CMS-0057-F"
    expedited = decided["002-morphine-no-pump"].clock
    assert expedited.urgency == "expedited" and expedited.allowed_hours == 72
    assert expedited.due_at.isoformat() == "2026-01-07T08:00:00+00:00"
    late = decided["004-morphine-established-pump"].clock
    assert late.past_due is True and str(late.turnaround_hours) == "382"
    unstated = decided["012-initial-implant-trial-40pct"].clock
    assert unstated.urgency_stated is False and unstated.due_at is None
    assert "standard assumed" in reviewer_markdown(decided["012-initial-implant-trial-40pct"])


def test_same_input_gives_byte_identical_json_markdown_and_html(engine: Engine) -> None:
    for stem in LETTER_CASES:
        first = engine.decide(load_case_file(CASES / f"{stem}.json"))
        again = engine.decide(load_case_file(CASES / f"{stem}.json"))
        assert first.to_json() == again.to_json()
        for render_it in (letter_markdown, letter_html, reviewer_page):
            assert render_it(first) == render_it(again)


def test_html_has_no_external_assets(decided: dict) -> None:
    page = reviewer_page(decided["002-morphine-no-pump"])
    assert "<script" not in page and "@import" not in page and "<img" not in page and "url(" not in page
    assert re.findall(r'\bsrc=', page) == [] and re.findall(r"<link[^>]*>", page) == ['<link rel="icon" href="data:,">']
    assert 'data-state="not-documented"' in page and 'data-state="met"' in page
    assert "@media print" in page


def test_markdown_and_html_come_from_the_same_template(decided: dict) -> None:
    det = decided["012-initial-implant-trial-40pct"]
    markdown, html = render(det, letter="reviewer"), render(det, letter="reviewer", fmt="html")
    for line in det.lines:
        for reason in line.reasons:
            name = reason.text.split(" (")[0]  # the criterion the reason names, shown in both formats
            assert name in markdown and name in html


def test_payer_templates_override_the_packaged_ones(decided: dict, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "policies.toml").write_text('[default]\npayer = "Example Health Plan UM"\n'
                                            'signature_title = "Medical director"\nsignature_note = "Sign."\n'
                                            'submissions = "Fax 1"\nappeals = "PO Box 2"\nphone = "555-0100"\n'
                                            'appeal_rights = "Call us."\n[paths]\ninitial-criteria = "A"\n'
                                            'continuation = "B"\nall = "C"\n', encoding="utf-8")
    monkeypatch.setenv("NECESSITY_TEMPLATES", str(tmp_path))
    letter = letter_markdown(decided["002-morphine-no-pump"])
    assert "**Example Health Plan UM**" in letter and "| Medical director |" in letter
    assert "Call us." in letter and "PO Box 2" in letter and "### A" in letter


# ---------------------------------------------------------------- the model round-trips through the store


def test_stored_determination_reads_back_into_the_model(engine: Engine, tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    try:
        for stem in LETTER_CASES + ["000-ziconotide-refill", "011-ziconotide-psychosis"]:
            case = load_case_file(CASES / f"{stem}.json")
            det = engine.decide(case)
            iri = store.add_case(case.case_id, case.graph, partial(to_graph, det))
            back = from_graph(store.get_determination(case.case_id, 1), iri)
            assert back.to_json() == det.to_json()
            assert reviewer_markdown(back) == reviewer_markdown(det) and reviewer_page(back) == reviewer_page(det)
            record = store.list_determinations(case.case_id)[0]
            assert {code: o.rsplit("#", 1)[-1] for code, o in record.outcomes.items()} == {
                line.code: Outcome(line.outcome).name for line in det.lines}
    finally:
        store.close()


def test_every_rdf_term_of_a_determination_is_declared(ontology_graph: Graph) -> None:
    for term in predicates():
        assert ontology_graph.value(term, RDFS.label) is not None, term


def test_a_list_item_s_class_is_the_range_of_the_property_that_links_it(ontology_graph: Graph) -> None:
    """The determination graph leaves out a list item's ``rdf:type`` (issue 21: fewer quads a case): the
    ontology states it as the linking property's ``rdfs:range``. Citations keep theirs (the range of
    ``nec:hasCitation`` is the wider ``nec:Citation``)."""
    from reasoner.determination.rdf import SPEC

    links = [(spec[0], SPEC[spec[2]][0]) for _cls, fields in SPEC.values() for spec in fields.values()
             if spec[1] == "node"]
    assert len(links) > 10
    for prop, cls in links:
        assert (prop, RDFS.range, cls) in ontology_graph, (prop, cls)


# ---------------------------------------------------------------- SPARQL over the decision clock


def test_queries_report_past_due_and_turnaround(engine: Engine, tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "clock-store")
    try:
        store.load_knowledge(engine.knowledge_graph)
        for stem in LETTER_CASES:
            case = load_case_file(CASES / f"{stem}.json")
            store.add_case(case.case_id, case.graph, partial(to_graph, engine.decide(case)))
        # a re-decision later on does not change the request's turnaround
        later = engine.decide(load_case_file(CASES / "004-morphine-established-pump.json"),
                              decided_at=datetime(2026, 2, 1, tzinfo=timezone.utc))
        store.add_determination("004-morphine-established-pump", partial(to_graph, later))
        late = store.query((QUERIES / "decisions-past-due.rq").read_text()).bindings()
        assert [str(r["caseId"]) for r in late] == ["004-morphine-established-pump"]
        assert str(late[0]["turnaroundHours"]) == "382" and str(late[0]["allowedHours"]) == "168"
        rows = {str(r["urgency"]): r for r in store.query((QUERIES / "turnaround-by-policy.rq").read_text()).bindings()}
        assert set(rows) == {"standard", "expedited"}
        standard = rows["standard"]
        assert int(standard["decisions"]) == 2 and int(standard["pastDue"]) == 1
        assert float(standard["percentOnTime"]) == 50.0 and int(standard["meetsCriteria"]) == 2
        assert int(rows["expedited"]["insufficientDocumentation"]) == 1
    finally:
        store.close()


def test_openapi_shows_the_determination_schema(necessity_engine, tmp_path: Path) -> None:
    from api import Settings, create_app

    schema = create_app(Settings(api_keys=("k" * 20,)), engine=necessity_engine,
                        store=EmbeddedStore(None)).openapi()
    components = schema["components"]["schemas"]
    for name in ("Determination", "LineDecision", "CriterionAssessment", "Fact", "Citation", "MissingDocument",
                 "DecisionClock", "SafetyNotice", "RequestKindBasis"):
        assert name in components, name
    assert components["CriterionState"]["enum"] == ["met", "not-met", "not-documented"]
    assert components["Outcome"]["enum"] == [str(o) for o in Outcome]
    assert json.dumps(components["MissingDocument"]).count("loinc_codes") == 1


def test_cli_letter_with_fixed_decision_time() -> None:
    import subprocess
    import sys

    args = [sys.executable, "-m", "reasoner.cli", "check", str(CASES / "002-morphine-no-pump.json"),
            "--decided-at", "2026-01-05T12:00:00Z"]
    first = subprocess.run(args + ["--letter"], capture_output=True, text=True, check=True).stdout
    assert first == subprocess.run(args + ["--letter"], capture_output=True, text=True, check=True).stdout
    html = subprocess.run(args + ["--html", "--for", "reviewer"], capture_output=True, text=True, check=True).stdout
    assert html.startswith("<!DOCTYPE html>") and "Reviewer&#39;s file" in html


def test_form_without_round_two_fields_still_gets_a_letter(engine: Engine) -> None:
    form = json.loads((CASES / "003-morphine-bupivacaine.json").read_text())
    letter = reviewer_markdown(engine.decide(load_case(json.dumps(form))))
    assert "| Member ID | not stated on the request |" in letter and "| Request received | not stated" in letter
