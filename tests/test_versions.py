"""Policy versions by date: selection by date of service, the recorded reason, explicit versions,
the timeline check, and policies added from another folder without any Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal

from policy_fixtures import AETNA, NEW_LABEL, cancer_case, threshold_version_folder
from reasoner.knowledge.compiled import compile_knowledge
from reasoner.engine import Engine
from reasoner.errors import ShapesError
from reasoner.loading import load_case
from reasoner.namespaces import DET, NEC, XSD
from reasoner.knowledge.paths import data_root
from reasoner.knowledge.vocabulary import CriterionState
from reasoner.determination.rdf import to_graph

CASES = Path(data_root("cases"))


def necessity(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reasoner.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def fixture_engine(tmp_path_factory) -> Engine:
    return Engine(compile_knowledge(shapes_dir=threshold_version_folder(tmp_path_factory.mktemp("versions")),
                                    extra_dirs=[]))


def test_each_side_of_a_version_change_gets_that_versions_criteria(fixture_engine: Engine) -> None:
    before = fixture_engine.decide(load_case(json.dumps(cancer_case("c-before", 55, dates=["2026-06-30"]))))
    after = fixture_engine.decide(load_case(json.dumps(cancer_case("c-after", 55, dates=["2026-07-01"]))))
    assert (before.policy_version, after.policy_version) == ("2026-01", NEW_LABEL)
    assert set(before.outcomes.values()) == {"meets-criteria"}
    assert set(after.outcomes.values()) == {"does-not-meet"}
    assert sorted({a.criterion.rsplit("#", 1)[-1] for a in after.assessments(CriterionState.CriterionNotMet)}) \
        == ["crit-trial-50-percent"]
    for det, day in ((before, "2026-06-30"), (after, "2026-07-01")):
        chosen = det.to_dict()["policy"]["selected_by"]
        assert chosen["basis"] == "date-of-service" and chosen["date"] == day
        assert f"version {det.policy_version} is in force on {day}" in chosen["reason"]
        iri = DET["x/1"]
        graph = to_graph(det, iri)
        assert graph.value(iri, NEC.versionSelectionBasis) == NEC.DateOfServiceBasis
        assert graph.value(iri, NEC.versionSelectionDate) == Literal(day, datatype=XSD.date)
        assert str(graph.value(iri, NEC.underPolicyVersion)).endswith(f"version-{det.policy_version}")


def test_the_earliest_date_of_service_chooses(fixture_engine: Engine) -> None:
    det = fixture_engine.decide(load_case(json.dumps(cancer_case("c-span", 55, dates=["2026-07-02", "2026-06-29"]))))
    assert det.policy_version == "2026-01"
    assert det.policy.selected_by.date == "2026-06-29"


def test_cli_records_the_real_ncd_versions_either_side_of_l35112_retirement(tmp_path: Path) -> None:
    for day, label in (("2023-11-01", "2019-11"), ("2023-11-02", "2024-03")):
        form = cancer_case(f"ncd-{day}", 70, dates=[day])
        form["policy"] = "cms-ncd-280.14"
        path = tmp_path / f"{day}.json"
        path.write_text(json.dumps(form), encoding="utf-8")
        out = necessity("check", str(path), "--json")
        assert out.returncode == 0, out.stderr
        policy = json.loads(out.stdout)["policy"]
        assert policy["version"] == label and policy["selected_by"]["basis"] == "date-of-service"


def test_an_explicit_version_wins_over_the_date(tmp_path: Path) -> None:
    form = cancer_case("explicit", 70, dates=["2025-02-01"])
    path = tmp_path / "c.json"
    path.write_text(json.dumps(form), encoding="utf-8")
    out = necessity("check", str(path), "--policy", "cms-ncd-280.14@2019-11", "--json")
    assert out.returncode == 0, out.stderr
    policy = json.loads(out.stdout)["policy"]
    assert policy["id"] == "cms-ncd-280.14" and policy["version"] == "2019-11"
    assert policy["selected_by"] == {"basis": "requested", "date": None, "reason": "version 2019-11 was asked for"}
    bad = necessity("check", str(path), "--policy", "cms-ncd-280.14@1999-01")
    assert bad.returncode == 2 and "has no version '1999-01'" in bad.stderr


def test_without_dates_the_decision_date_chooses() -> None:
    engine = Engine.load()
    det = engine.decide(load_case((CASES / "000-ziconotide-refill.json").read_bytes()))
    assert det.policy.selected_by.basis == "decision-date"
    assert det.policy.selected_by.date


def _two_versions(tmp: Path, old_end: str | None, new_start: str) -> Path:
    folder = threshold_version_folder(tmp)
    old = folder / f"{AETNA}.ttl"
    text = old.read_text(encoding="utf-8").replace('    nec:endDate "2026-06-30"^^xsd:date ;\n',
                                                   f'    nec:endDate "{old_end}"^^xsd:date ;\n' if old_end else "")
    old.write_text(text, encoding="utf-8")
    new = folder / f"{AETNA}@{NEW_LABEL}.ttl"
    new.write_text(new.read_text(encoding="utf-8").replace('"2026-07-01"^^xsd:date', f'"{new_start}"^^xsd:date'),
                   encoding="utf-8")
    return folder


@pytest.mark.parametrize(("old_end", "new_start", "words"), [
    (None, "2026-07-01", "would both be in force"),
    ("2026-07-15", "2026-07-01", "overlap"),
    ("2026-06-20", "2026-07-01", "leave a gap"),
])
def test_the_timeline_check_refuses_two_versions_in_force(tmp_path: Path, old_end, new_start, words) -> None:
    folder = _two_versions(tmp_path, old_end, new_start)
    with pytest.raises(ShapesError) as caught:
        compile_knowledge(shapes_dir=folder, extra_dirs=[])
    message = str(caught.value)
    assert words in message and f"{AETNA}.ttl" in message and f"{AETNA}@{NEW_LABEL}.ttl" in message


EXAMPLE_POLICY = """@prefix nec: <https://w3id.org/necessity/ontology#> .
@prefix ex: <https://example.org/plan#> .
@prefix common: <https://w3id.org/necessity/shapes/common#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:policy a nec:Policy ; rdfs:label "Example plan pump policy"@en ; nec:policyId "example-plan" .
ex:v1 a nec:PolicyVersion ; rdfs:label "Example plan, 2026"@en ; nec:versionOf ex:policy ;
    nec:policyId "example-plan" ; nec:versionLabel "2026" ; nec:effectiveDate "2026-01-01"^^xsd:date ;
    nec:shapesFile "example-plan.ttl" ; nec:basedOn nec:src-BCBS-7.01.41 ;
    nec:coversCodeGroup nec:ImplantProcedureCode , nec:IntrathecalDrugCode ;
    nec:hasCriterion ex:crit-trial-80 .
ex:cit a nec:Citation ; rdfs:label "Example citation"@en ; nec:citesSource nec:src-BCBS-7.01.41 ;
    nec:locator "Example locator" ; nec:confidence nec:HighConfidence .
ex:doc a nec:DocumentationItem ; rdfs:label "trial report"@en ; nec:documentName "Trial report" .
ex:crit-trial-80 a nec:Criterion ; rdfs:label "trial relief of at least 80%"@en ;
    nec:satisfiedBy ex:doc ; nec:hasCitation ex:cit .
ex:Trial80 a sh:PropertyShape ; sh:targetClass nec:InitialPainLine ;
    sh:path ( nec:inCase nec:hasIntrathecalTrial nec:painReductionPercent ) ; sh:minInclusive 80 ;
    sh:severity sh:Violation ; nec:failureKind nec:Contradicted ; sh:group common:InitialCriteria ;
    sh:name "trial relief of at least 80%"@en ; sh:message "The trial gave less than 80% relief."@en ;
    nec:encodes ex:crit-trial-80 ; nec:satisfiedBy ex:doc .
"""


def test_a_policy_from_another_folder_needs_no_python(tmp_path: Path) -> None:
    extra = tmp_path / "plan"
    extra.mkdir()
    (extra / "example-plan.ttl").write_text(EXAMPLE_POLICY, encoding="utf-8")
    env = {"NECESSITY_SHAPES_PATH": str(extra)}
    listed = necessity("policies", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "example-plan" in {p["id"] for p in json.loads(listed.stdout)}
    case = tmp_path / "c.json"
    case.write_text(json.dumps(cancer_case("plan-case", 70)), encoding="utf-8")
    out = necessity("check", str(case), "--policy", "example-plan", "--json", env=env)
    assert out.returncode == 0, out.stderr
    det = json.loads(out.stdout)
    assert det["policy"]["id"] == "example-plan"
    assert det["outcome"] == "does-not-meet"
    assert sorted({c["name"] for line in det["lines"] for c in line["criteria"] if c["state"] == "not-met"}) \
        == ["trial relief of at least 80%"]
    assert necessity("policies", "--json").stdout.count("example-plan") == 0
