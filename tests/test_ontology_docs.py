"""The ontology's HTML pages (pyLODE) build without a warning, and show every class and property of each
module with its label, definition and sources."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from reasoner.cli.main import main
from reasoner.namespaces import NEC, OBO
from reasoner.ontology_check.docs import build_docs

pytest.importorskip("pylode", reason="pyLODE is not installed (pip install 'necessity-reasoner[docs]')")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    assert main(["ontology", "docs", "--out", str(out)]) == 0  # raises DocsError on any pyLODE warning
    return out


def _text(path: Path) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))))


def test_every_module_has_a_page_linked_from_the_index(pages: Path, ontology_dir: Path) -> None:
    index = (pages / "index.html").read_text(encoding="utf-8")
    for module in ontology_dir.glob("*.ttl"):
        assert (pages / f"{module.stem}.html").is_file()
        assert f'href="{module.stem}.html"' in index


def test_every_class_and_property_shows_its_label_and_definition(pages: Path, ontology_dir: Path) -> None:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    for module in ontology_dir.glob("*.ttl"):
        graph = Graph().parse(module)
        page = (pages / f"{module.stem}.html").read_text(encoding="utf-8")
        text = _text(pages / f"{module.stem}.html")
        for kind in kinds:
            for term in graph.subjects(RDF.type, kind):
                if not isinstance(term, URIRef) or not str(term).startswith(str(NEC)):
                    continue
                assert str(term) in page, (module.name, term)
                label = graph.value(term, RDFS.label)
                definition = graph.value(term, OBO.IAO_0000115)
                assert label is not None and re.sub(r"\s+", " ", str(label)) in text, (module.name, term)
                assert definition is not None and re.sub(r"\s+", " ", str(definition)) in text, (module.name, term)


def test_sources_of_a_class_are_shown_as_citations(pages: Path) -> None:
    # nec:UncertainBehaviourNeoplasmCode cites the ICD-10-CM chapter through obo:IAO_0000119
    assert "ICD-10-CM tabular list" in _text(pages / "codes.html")


def test_a_module_that_does_not_parse_stops_the_build(tmp_path: Path, ontology_dir: Path) -> None:
    from reasoner.ontology_check.docs import DocsError

    for path in ontology_dir.iterdir():
        if path.is_file():
            (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "drugs.ttl").write_text("this is not turtle .")
    with pytest.raises(DocsError, match="drugs.ttl"):
        build_docs(tmp_path, tmp_path / "out")
