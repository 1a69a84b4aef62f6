"""The parse cache (reasoner/knowledge/parsed_cache.py): the graph read back equals rdflib's parse, an edited
file is parsed afresh, and a damaged cache file is ignored."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from reasoner.knowledge.parsed_cache import parse_file
from reasoner.knowledge.paths import data_root

TURTLE = """@prefix ex: <https://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:shape a sh:NodeShape ; sh:property [ sh:path ( ex:a [ sh:inversePath ex:b ] ) ; sh:minCount 1 ] ;
    ex:label "étiquette"@fr , "1.50"^^<http://www.w3.org/2001/XMLSchema#decimal> , "plain" .
"""


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NECESSITY_CACHE_DIR", str(folder))
    return folder


def _cached(cache: Path) -> list[Path]:
    return sorted((cache / "parsed").glob("*.nt"))


def test_the_cached_graph_is_the_parsed_one(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "shapes.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    first = parse_file(path)          # parsed by rdflib, then written to the cache
    assert len(_cached(cache)) == 1
    second = parse_file(path)         # read back from the cache
    assert isomorphic(first, second) and len(second) == len(Graph().parse(data=TURTLE, format="turtle"))
    assert dict(second.namespaces())["ex"] == dict(first.namespaces())["ex"]


def test_every_shipped_file_reads_back_the_same(cache: Path) -> None:
    for path in sorted([*data_root("ontology").glob("*.ttl"), *data_root("shapes").glob("*.ttl")]):
        parsed = parse_file(path)
        assert isomorphic(parse_file(path), parsed), path.name


def test_an_edited_file_is_parsed_again(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "shapes.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    parse_file(path)
    path.write_text(TURTLE.replace('"plain"', '"changed"'), encoding="utf-8")
    graph = parse_file(path)
    assert any(str(o) == "changed" for o in graph.objects())
    assert len(_cached(cache)) == 2


def test_a_damaged_cache_file_is_ignored(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "shapes.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    expected = parse_file(path)
    for cached in _cached(cache):
        cached.write_bytes(b"<not n-triples")
    assert isomorphic(parse_file(path), expected)


def test_an_unwritable_cache_still_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NECESSITY_CACHE_DIR", str(blocker / "cache"))
    path = tmp_path / "shapes.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    assert len(parse_file(path)) == len(Graph().parse(data=TURTLE, format="turtle"))


def test_a_truncated_cache_file_adds_nothing_to_the_graph_it_reads_into(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "shapes.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    expected = parse_file(path)
    for cached in _cached(cache):
        data = cached.read_bytes()
        cached.write_bytes(data[: len(data) - 20])
    merged = parse_file(path, into=Graph())
    assert isomorphic(merged, expected) and len(merged) == len(expected)
