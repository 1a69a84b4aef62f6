"""necessity diff: the two real NCD versions, and a one-threshold change that flips exactly the
stored cases it should, on the command line and over the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from policy_fixtures import AETNA, NEW_LABEL, cancer_case, threshold_version_folder
from reasoner.knowledge.compiled import compile_knowledge
from reasoner.engine import Engine
from reasoner.loading import load_case
from reasoner.store import EmbeddedStore
from reasoner.determination.rdf import to_graph

API_KEY = "diff-test-key-0123456789"  # a test value, not a secret
RELIEF = {"r40": 40, "r50": 50, "r55": 55, "r59": 59, "r60": 60, "r70": 70}
FLIPPED = ["r50", "r55", "r59"]  # at least 50% passes 2026-01; at least 60% is needed under 2026-07


def necessity(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reasoner.cli", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=300)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return threshold_version_folder(tmp_path_factory.mktemp("diff"))


@pytest.fixture(scope="module")
def engine(folder: Path) -> Engine:
    return Engine(compile_knowledge(shapes_dir=folder, extra_dirs=[]))


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory, engine: Engine) -> Path:
    """Cases decided under Aetna 2026-01, and one decided under Medicare (not A: never listed)."""
    path = tmp_path_factory.mktemp("diff-store") / "store"
    store = EmbeddedStore(path)
    try:
        store.load_knowledge(engine.knowledge_graph)  # as every writer of a store does (the queries read labels)
        for case_id, relief in RELIEF.items():
            case = load_case(json.dumps(cancer_case(case_id, relief)))
            det = engine.decide(case, policy=f"{AETNA}@2026-01")
            store.add_case(case_id, case.graph, lambda iri, det=det: to_graph(det, iri))
        other = load_case(json.dumps(cancer_case("medicare-55", 55)))
        det = engine.decide(other, policy="cms-ncd-280.14")
        store.add_case("medicare-55", other.graph, lambda iri, det=det: to_graph(det, iri))
    finally:
        store.close()
    return path


def test_the_real_versions_differ_in_dates_and_sources_only() -> None:
    out = necessity("diff", "cms-ncd-280.14@2019-11", "cms-ncd-280.14@2024-03")
    assert out.returncode == 0, out.stderr
    assert "0 added, 0 removed, 0 changed" in out.stdout
    assert "CMS-LCD-L35112" in out.stdout and "CMS-LCD-L33461" in out.stdout
    diff = json.loads(necessity("diff", "cms-ncd-280.14@2019-11", "cms-ncd-280.14@2024-03", "--json").stdout)
    sources = next(c for c in diff["version_changes"] if c["what"] == "sources")
    assert set(sources["from"]) - set(sources["to"]) == {"CMS-LCD-L35112"}
    assert set(sources["to"]) - set(sources["from"]) == {"CMS-LCD-L33461"}


def test_one_threshold_lists_one_criterion_and_exactly_the_cases_it_flips(folder: Path, store_dir: Path) -> None:
    out = necessity("diff", f"{AETNA}@2026-01", f"{AETNA}@{NEW_LABEL}", "--shapes", str(folder),
                    "--store", str(store_dir), "--json")
    assert out.returncode == 0, out.stderr
    diff = json.loads(out.stdout)
    crit = diff["criteria"]
    assert crit["added"] == [] and crit["removed"] == []
    assert [c["id"].rsplit("#", 1)[-1] for c in crit["changed"]] == ["crit-trial-50-percent"]
    [change] = crit["changed"][0]["changes"]
    assert (change["aspect"], change["what"], change["from"], change["to"]) == ("threshold", "sh:minInclusive", "50", "60")
    cases = diff["cases"]
    assert cases["redecided"] == len(RELIEF) and cases["errors"] == []
    assert [c["case"] for c in cases["changed"]] == FLIPPED
    for case in cases["changed"]:
        assert [(l["from"], l["to"]) for l in case["lines"]] == [("meets-criteria", "does-not-meet")] * 2
        for line in case["lines"]:
            assert [(d["criterion"].rsplit("#", 1)[-1], d["from"], d["to"]) for d in line["criteria"]] == \
                [("crit-trial-50-percent", "met", "not-met")]


def test_the_markdown_report_names_the_cases(folder: Path, store_dir: Path) -> None:
    out = necessity("diff", f"{AETNA}@2026-01", f"{AETNA}@{NEW_LABEL}", "--shapes", str(folder),
                    "--store", str(store_dir))
    assert out.returncode == 0, out.stderr
    assert "| threshold | sh:minInclusive | trial relief of at least 50% | 50 | 60 |" in out.stdout
    assert "6 stored cases decided under aetna-cpb-0161 2026-01 were re-decided; 3 change." in out.stdout
    for case_id in FLIPPED:
        assert f"| {case_id} | 62362 | meets-criteria | does-not-meet |" in out.stdout


def test_two_shapes_folders_compare_like_two_versions(folder: Path, tmp_path: Path) -> None:
    import shutil

    from reasoner.knowledge.paths import data_root

    other = tmp_path / "other"
    shutil.copytree(data_root("shapes"), other)
    path = other / "bcbsa-7.01.41.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace("sh:minExclusive 50", "sh:minExclusive 40"),
                    encoding="utf-8")
    out = necessity("diff", str(data_root("shapes")), str(other), "--policy", "bcbsa-7.01.41", "--json")
    assert out.returncode == 0, out.stderr
    changed = json.loads(out.stdout)["criteria"]["changed"]
    assert [(c["name"], c["changes"][0]["from"], c["changes"][0]["to"]) for c in changed] == \
        [("successful trial with more than 50% pain reduction", "50", "40")]


def test_the_api_gives_the_same_diff(engine: Engine, store_dir: Path) -> None:
    from api import Settings, create_app

    store = EmbeddedStore(store_dir)
    try:
        app = create_app(Settings(api_keys=(API_KEY,)), engine=engine, store=store)
        with TestClient(app, headers={"X-API-Key": API_KEY}) as client:
            response = client.get(f"/policies/{AETNA}/diff", params={"from": "2026-01", "to": NEW_LABEL,
                                                                      "cases": "true"})
            assert response.status_code == 200, response.text
            body = response.json()
            assert [c["case"] for c in body["cases"]["changed"]] == FLIPPED
            markdown = client.get(f"/policies/{AETNA}/diff", params={"from": "2026-01", "to": NEW_LABEL},
                                  headers={"Accept": "text/markdown"})
            assert markdown.headers["content-type"].startswith("text/markdown")
            assert "sh:minInclusive" in markdown.text
            assert client.get(f"/policies/{AETNA}/diff", params={"from": "2026-01", "to": "1999-01"}).status_code == 404
            assert client.get("/policies/no-such/diff", params={"from": "a", "to": "b"}).status_code == 404
            decided = client.post("/cases", params={"policy": f"{AETNA}@{NEW_LABEL}"},
                                  content=json.dumps(cancer_case("api-explicit", 55)),
                                  headers={"Content-Type": "application/json"})
            assert decided.status_code in (200, 201), decided.text
            assert decided.json()["determination"]["policy"]["version"] == NEW_LABEL
    finally:
        store.close()


def _store_rows(stdout: str) -> list[dict]:
    """The store's answer: `necessity query --store --format json` prints one result set."""
    return json.loads(stdout)["results"]["bindings"]


@pytest.mark.slow  # a bulk re-decision through the CLI
def test_author_queries_show_versions_and_the_outcomes_that_changed(folder: Path, store_dir: Path) -> None:
    done = necessity("redecide", "--json", "--store", str(store_dir), "--policy", f"{AETNA}@{NEW_LABEL}",
                     "--shapes", str(folder), "--workers", "1")
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["loaded"] >= len(RELIEF)  # the API test may have stored one more
    by_version = necessity("query", "cases-by-policy-version.rq", "--store", str(store_dir), "--format", "json",
                           "--bind", f"policyId={AETNA}")
    assert by_version.returncode == 0, by_version.stderr
    rows = _store_rows(by_version.stdout)
    versions = {}
    for row in rows:
        versions.setdefault(row["versionLabel"]["value"], set()).add(row["case"]["value"].rsplit("/", 1)[-1])
    assert set(versions) == {"2026-01", NEW_LABEL}
    assert versions["2026-01"] >= set(RELIEF) and versions[NEW_LABEL] >= set(RELIEF)
    assert "medicare-55" not in versions["2026-01"] | versions[NEW_LABEL]
    changes = necessity("query", "outcome-changes.rq", "--store", str(store_dir), "--format", "json",
                        "--bind", "fromVersion=2026-01", "--bind", f"toVersion={NEW_LABEL}")
    assert changes.returncode == 0, changes.stderr
    rows = _store_rows(changes.stdout)
    flipped = sorted({row["case"]["value"].rsplit("/", 1)[-1] for row in rows})
    assert flipped == FLIPPED
    assert {(row["fromOutcome"]["value"], row["toOutcome"]["value"]) for row in rows} == \
        {("meets-criteria", "does-not-meet")}
