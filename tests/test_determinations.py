"""Cases to determinations: the bundled cases, determinism, the missing-documentation list, the shapes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef

from reasoner.cli.check import bundled_cases
from reasoner.engine import Engine
from reasoner.loading import load_case, load_case_file
from reasoner.namespaces import NEC, RDF, SH
from reasoner.knowledge.paths import data_root
from reasoner.validation import naive_validate, validate_case
from reasoner.knowledge.vocabulary import CriterionState
from reasoner.determination.rdf import from_graph, to_graph, to_ntriples

CASES = bundled_cases()  # JSON case form, Turtle and JSON-LD
EXPECTED = data_root("cases") / "expected"


FIXED = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)


# the reference path repeats every test here on pyshacl in the slow tier; the fast tier proves the two
# paths agree on every bundled case in tests/test_fastpath_agreement.py
@pytest.fixture(scope="module", params=[pytest.param("pyshacl", marks=pytest.mark.slow), "fast"])
def engine(request) -> Engine:
    """Every test here runs on both paths: pyshacl (the reference) and the compiled fast path."""
    return Engine.load(validator=request.param, clock=lambda: FIXED)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bundled_case_outcomes(engine: Engine, path: Path) -> None:
    expected = json.loads((EXPECTED / f"{path.stem}.json").read_text())
    det = engine.decide(load_case_file(path))
    assert det.policy_id == expected["policy"]
    assert det.outcomes == expected["outcomes"]


def test_reference_outcomes_match_the_design_table(engine: Engine) -> None:
    # DESIGN.md, "Decision semantics": the one rule set that reproduces all five seeds
    table = {
        "000-ziconotide-refill": {"J2278": "meets-criteria", "62369": "meets-criteria"},
        "001-hydromorphone-refill": {"J7999": "meets-criteria", "62370": "meets-criteria"},
        "002-morphine-no-pump": {"J2274": "insufficient-documentation", "S9328": "insufficient-documentation"},
        "003-morphine-bupivacaine": {"J7999": "insufficient-documentation", "62370": "insufficient-documentation"},
        "004-morphine-established-pump": {"J2274": "meets-criteria", "S9328": "meets-criteria"},
    }
    for stem, outcomes in table.items():
        assert engine.decide(load_case_file(data_root("cases") / f"{stem}.json")).outcomes == outcomes


def test_same_input_gives_byte_identical_output(engine: Engine) -> None:
    for path in CASES:
        first = engine.decide(load_case_file(path)).to_json()
        assert engine.decide(load_case_file(path)).to_json() == first


def test_missing_documentation_groups_both_paths(engine: Engine) -> None:
    det = engine.decide(load_case_file(data_root("cases") / "002-morphine-no-pump.json"))
    paths = {item.path for item in det.missing_documentation}
    assert paths == {"initial-criteria", "continuation"}
    names = {item.criterion.rsplit("#", 1)[-1] for item in det.missing_documentation}
    assert {"crit-trial-50-percent", "crit-psychological-evaluation", "crit-failed-conservative-therapy",
            "crit-pump-documented"} <= names
    for item in det.missing_documentation:
        assert item.document and item.citations and set(item.blocks) == {"J2274", "S9328"}
        assert all(c.locator and c.title for c in item.citations)
        assert item.loinc_codes  # every shipped documentation item has a LOINC attachment code
    pump = next(i for i in det.missing_documentation if i.criterion.endswith("crit-pump-documented"))
    assert pump.loinc_codes == ["11504-8"]  # surgical operation note
    assert [a.path for a in det.alternatives] == ["initial-criteria", "continuation"]


def test_continuation_requests_historical_records_as_warnings(engine: Engine) -> None:
    det = engine.decide(load_case_file(data_root("cases") / "001-hydromorphone-refill.json"))
    warned = {w.criterion.rsplit("#", 1)[-1] for w in det.warnings}
    assert {"crit-historical-trial", "crit-historical-psych"} <= warned
    assert det.missing_documentation == [] and det.assessments(CriterionState.CriterionNotMet) == []
    met = det.assessments(CriterionState.CriterionMet)
    assert met and all(m.citations for m in met)


def test_contradiction_outweighs_missing_documentation(engine: Engine) -> None:
    form = json.loads((data_root("cases") / "002-morphine-no-pump.json").read_text())
    form["id"] = "contradiction"
    form["intrathecal_trial"] = {"method": "temporary-intrathecal-catheter", "pain_reduction_percent": 30}
    form["pump"] = {"implanted": False}
    det = engine.decide(load_case(json.dumps(form)))
    assert set(det.outcomes.values()) == {"does-not-meet"}
    assert det.missing_documentation  # still lists what is missing
    unmet = det.assessments(CriterionState.CriterionNotMet)
    assert unmet and any(f.text == "30%" and f.unit == "%" for c in unmet for f in c.facts)
    # the specific reason for the adverse outcome names the criterion, the fact and the source
    reasons = det.lines[0].reasons
    assert reasons and "30%" in reasons[0].text and reasons[0].citations


def test_unknown_code_is_out_of_scope_and_reported(engine: Engine) -> None:
    form = json.loads((data_root("cases") / "004-morphine-established-pump.json").read_text())
    form["id"] = "unknown-code"
    form["requested"].append({"code": "J9999", "system": "HCPCS", "units": 1})
    det = engine.decide(load_case(json.dumps(form)))
    assert det.outcomes["J9999"] == "out-of-scope"
    assert ("J9999", "HCPCS", 2) in {(u.code, u.system, u.line) for u in det.unknown.codes}


def test_medicare_puts_commercial_s_codes_out_of_scope(engine: Engine) -> None:
    det = engine.decide(load_case_file(data_root("cases") / "004-morphine-established-pump.json"),
                        policy="cms-ncd-280.14")
    assert det.outcomes == {"J2274": "meets-criteria", "S9328": "out-of-scope"}
    assert det.policy_version == "2024-03"
    s9328 = det.lines[1]
    # why it is out of scope: its code group, the policy that excludes it, with the code's citation
    assert "home infusion per diem code" in s9328.request_kind.explanation
    assert "excludes" in s9328.request_kind.explanation and s9328.request_kind.citations
    assert s9328.reasons and s9328.reasons[0].citations


NAIVE_SAMPLE = ("002-morphine-no-pump",)


@pytest.fixture(scope="module")
def naive_results(necessity_engine: Engine) -> dict[str, set]:
    """The naive call's results on the sample, computed once for both paths: it costs minutes, and its
    inputs (the case graph, the version's shapes, the rules, the ontology) are read from the same files
    whichever validator an engine uses."""
    knowledge = necessity_engine.knowledge
    out = {}
    for stem in NAIVE_SAMPLE:
        case = load_case_file(data_root("cases") / f"{stem}.json")
        version = knowledge.policy_version(case.requested_policy)
        out[stem] = {(r.focus, r.shape, r.severity)
                     for r in naive_validate(case.graph, version, knowledge.rules_graph, knowledge.ontology)}
    return out


@pytest.mark.slow  # the naive call computes the OWL RL closure per case: minutes
def test_fast_path_agrees_with_the_naive_call_on_a_sample(engine: Engine, naive_results: dict[str, set]) -> None:
    """The naive call (OWL RL per case, rules by pyshacl) reports the same results. Costs minutes."""
    knowledge = engine.knowledge
    for stem in NAIVE_SAMPLE:
        case = load_case_file(data_root("cases") / f"{stem}.json")
        version = knowledge.policy_version(case.requested_policy)
        fast = {(r.focus, r.shape, r.severity) for r in validate_case(engine.infer(case), version)}
        assert fast == naive_results[stem] and fast


# ---------------------------------------------------------------- the shapes themselves

SHAPE_FILES = sorted(data_root("shapes").glob("*.ttl"))


@pytest.mark.parametrize("path", SHAPE_FILES, ids=[p.name for p in SHAPE_FILES])
def test_shapes_file_conforms_to_shacl_shacl(path: Path) -> None:
    conforms, _graph, text = validate(Graph().parse(path), meta_shacl=True, shacl_graph=Graph().parse(path))
    assert conforms, text


def test_every_criterion_shape_is_complete(engine: Engine) -> None:
    for version in engine.knowledge.versions.values():
        graph = version.shapes_graph
        for shape, info in version.shapes.items():
            for prop in (SH.name, SH.description, SH.message, SH.severity):
                assert graph.value(shape, prop) is not None, (shape, prop)
            assert info.criterion is not None and info.documentation is not None, shape
            if info.severity == SH.Violation:
                assert info.failure_kind in (NEC.NotDocumented, NEC.Contradicted), shape
            citations = list(graph.objects(info.criterion, NEC.hasCitation))
            assert citations, info.criterion
            for citation in citations:
                assert graph.value(citation, NEC.locator), citation
                source = graph.value(citation, NEC.citesSource)
                assert (source, NEC.sourceId, None) in engine.knowledge.ontology, source
            assert (version.iri, NEC.hasCriterion, info.criterion) in graph, (version.iri, info.criterion)


def test_policies_are_listed_with_version_and_effective_date(engine: Engine) -> None:
    policies = {p["id"]: p for p in engine.policies()}
    assert set(policies) == {"aetna-cpb-0161", "cms-ncd-280.14", "bcbsa-7.01.41", "anthem-cg-surg-79",
                             "evicore-cmm-210"}
    for policy in policies.values():
        assert any(v["current"] and v["effective_date"] for v in policy["versions"])
        assert all(c["citations"] for c in policy["criteria"])


def test_cli_check_runs_on_the_bundled_cases() -> None:
    run = subprocess.run([sys.executable, "-m", "reasoner.cli", "check", "--json"],
                         capture_output=True, text=True, check=True)
    body = json.loads(run.stdout)
    assert len(body) == len(CASES)
    letter = subprocess.run([sys.executable, "-m", "reasoner.cli", "check", "--letter", str(CASES[2])],
                            capture_output=True, text=True, check=True).stdout
    assert letter.startswith("# Notice of prior authorization decision") and "## What to send" in letter
    bad = subprocess.run([sys.executable, "-m", "reasoner.cli", "check", "--policy", "nope", str(CASES[0])],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown policy" in bad.stderr


def test_the_n_triples_writer_writes_the_graph_of_to_graph(engine: Engine) -> None:
    """What a store writes (``to_ntriples``, no rdflib graph) is exactly the RDF of ``to_graph``."""
    from rdflib import Graph, URIRef

    for path in CASES:
        det = engine.decide(load_case_file(path))
        iri = URIRef(f"https://w3id.org/necessity/determination/{det.case_id}/1")
        text = to_ntriples(det, iri)
        assert text.splitlines() == sorted(text.splitlines())
        assert set(Graph().parse(data=text, format="nt")) == set(to_graph(det, iri))
    # text the N-Triples writer must escape: quotes, backslashes, line breaks, tabs, control characters
    odd = 'a "quoted" \\ back\nslash\r\ttab \x01\x7f é ✓'
    det = det.model_copy(update={"engine_version": odd, "lines": [
        det.lines[0].model_copy(update={"label": odd})] + det.lines[1:]})
    text = to_ntriples(det, iri)
    parsed = Graph().parse(data=text, format="nt")
    assert set(parsed) == set(to_graph(det, iri)) and from_graph(parsed, iri).engine_version == odd


def test_a_repeated_fact_is_one_node_and_reads_back_in_place(engine: Engine) -> None:
    """A fact shown under several criteria and lines is written once (named by its content and
    position) and linked from each; reading the graph back gives every list as it was."""

    shared = 0
    for path in CASES:
        det = engine.decide(load_case_file(path))
        iri = URIRef(f"https://w3id.org/necessity/determination/{det.case_id}/1")
        graph = to_graph(det, iri)
        shown = [(position, fact.model_dump_json()) for line in det.lines for c in line.criteria
                 for position, fact in enumerate(c.facts)]
        nodes = set(graph.objects(None, NEC.hasFact))
        assessments = set(graph.objects(None, NEC.hasAssessment))
        top = {o for s, o in graph.subject_objects(NEC.hasFact) if s in assessments}
        assert len(top) == len(set(shown))  # one node per distinct fact and position
        assert all(len(list(graph.objects(n, NEC.position))) == 1 for n in nodes)
        # typed: the root and the citations only (a list item's class is its property's range)
        assert set(graph.subjects(RDF.type, None)) == {iri} | set(graph.objects(None, NEC.hasCitation))
        shared += len(shown) - len(set(shown))
        assert from_graph(graph, iri) == det
    assert shared > 0  # the bundled cases do repeat facts, so the sharing is exercised
