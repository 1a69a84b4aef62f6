"""Every starter query runs and returns rows; ``necessity query`` prints a table, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal

from reasoner.errors import QueryError
from reasoner.namespaces import NEC
from reasoner.knowledge.paths import data_root
from reasoner.queries import parse_binding, resolve_query_file, run_query

QUERY_FILES = sorted(Path(data_root("queries")).glob("*.rq"))
MY_QUERIES = {"codes-in-group.rq", "contraindications-by-drug.rq", "drug-limits.rq",
              "drugs-approved-intrathecal.rq", "facts-by-source.rq", "unconfirmed-facts.rq"}

# sensible bindings for the bindable variables; a query that does not use one ignores it
BINDINGS = {
    "codes-in-group.rq": {"group": NEC.PumpRefillProcedureCode},
    "contraindications-by-drug.rq": {"drug": NEC.ziconotide},
    "drug-limits.rq": {"drug": NEC.ziconotide},
    "facts-by-source.rq": {"sourceId": Literal("FDA-PRIALT-LABEL")},
}

REPO = Path(__file__).resolve().parents[1]


def test_the_starter_queries_exist() -> None:
    assert MY_QUERIES <= {p.name for p in QUERY_FILES}


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in QUERY_FILES])
def test_query_opens_with_a_comment(path: Path) -> None:
    assert path.read_text(encoding="utf-8").lstrip().startswith("#")


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in QUERY_FILES if p.name in MY_QUERIES])
def test_query_runs_and_returns_rows(path: Path, knowledge_graph: Graph) -> None:
    rows = list(run_query(path.read_text(encoding="utf-8"), knowledge_graph, bindings=BINDINGS.get(path.name)))
    assert rows, path.name


def test_bound_group_returns_only_its_codes(knowledge_graph: Graph) -> None:
    text = resolve_query_file("codes-in-group").read_text(encoding="utf-8")
    rows = list(run_query(text, knowledge_graph, bindings={"group": NEC.PumpRefillProcedureCode}))
    assert {str(r.notation) for r in rows} == {"62369", "62370", "95990", "95991"}


def test_approved_drugs_are_morphine_ziconotide_baclofen(knowledge_graph: Graph) -> None:
    rows = list(run_query(resolve_query_file("drugs-approved-intrathecal.rq").read_text(), knowledge_graph))
    assert {r.drug for r in rows} == {NEC.morphine, NEC.ziconotide, NEC.baclofen}


def test_a_bound_value_cannot_reshape_the_query(knowledge_graph: Graph) -> None:
    text = resolve_query_file("facts-by-source").read_text(encoding="utf-8")
    hostile = Literal('FDA-PRIALT-LABEL" } UNION { ?s ?p ?o')
    assert list(run_query(text, knowledge_graph, bindings={"sourceId": hostile})) == []


def test_parse_binding() -> None:
    assert parse_binding("drug=<https://w3id.org/necessity/ontology#morphine>") == ("drug", NEC.morphine)
    assert parse_binding("?sourceId=FDA-PRIALT-LABEL") == ("sourceId", Literal("FDA-PRIALT-LABEL"))
    with pytest.raises(QueryError):
        parse_binding("no-equals-sign")


def test_updates_are_refused(knowledge_graph: Graph) -> None:
    with pytest.raises(QueryError):
        run_query("DELETE WHERE { ?s ?p ?o }", knowledge_graph)


def test_unknown_query_file() -> None:
    with pytest.raises(QueryError):
        resolve_query_file("no-such-query")


# ---------------------------------------------------------------- the CLI, in a subprocess

def _necessity() -> list[str]:
    exe = Path(sys.executable).with_name("necessity")
    if exe.is_file():
        return [str(exe)]
    found = shutil.which("necessity")
    return [found] if found else [sys.executable, "-m", "reasoner.cli"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([*_necessity(), "query", *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=120, check=False)


def test_cli_prints_an_aligned_table_with_prefixed_names() -> None:
    done = _run("drugs-approved-intrathecal")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["drug", "drugLabel"]
    assert set(lines[1]) <= {"-", " "}
    assert "nec:ziconotide" in done.stdout and "(3 rows)" in done.stdout


def test_cli_prints_csv_with_a_binding() -> None:
    done = _run("contraindications-by-drug.rq", "--format", "csv",
                "--bind", "drug=<https://w3id.org/necessity/ontology#ziconotide>")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 5
    assert {r["drug"] for r in rows} == {str(NEC.ziconotide)}


def test_cli_prints_sparql_json() -> None:
    done = _run(str(Path(data_root("queries")) / "facts-by-source.rq"), "--format", "json",
                "--bind", "sourceId=FDA-PRIALT-LABEL")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert "sourceId" in data["head"]["vars"]
    assert data["results"]["bindings"]


def test_cli_store_hook_reports_when_unavailable() -> None:
    try:
        import reasoner.store  # noqa: F401
    except ImportError:
        done = _run("drug-limits", "--store", "nowhere")
        assert done.returncode == 2
        assert "store support not available" in done.stderr
    else:
        pytest.skip("reasoner.store exists; its own tests cover --store")
