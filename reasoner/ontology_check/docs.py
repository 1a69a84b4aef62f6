"""HTML pages of the ontology an editor can browse, generated from the files with pyLODE (OntPub).

One page per module (its classes and properties, each with its label, definition, notes and sources,
and the named individuals of each class), and ``index.html`` linking them. pyLODE reads definitions
from ``skos:definition`` and sources from ``dct:source``, so the graph handed to it maps the
project's annotations onto those: ``obo:IAO_0000115`` (definition), ``rdfs:comment`` and
``skos:editorialNote`` (notes), ``obo:IAO_0000119``, ``rdfs:seeAlso`` and ``nec:hasCitation`` (sources,
a citation written as its source's title and locator). The files themselves are not changed.
"""

from __future__ import annotations

import html
import logging
import warnings
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ..namespaces import NEC, OBO, bind_prefixes
from .modules import ROOT_FILE, read_ontology_dir

__all__ = ["DocsError", "build_docs"]

_ONTDOC_HAS_INSTANCE = URIRef("https://w3id.org/profile/ontdoc/hasInstance")


class DocsError(RuntimeError):
    """The pages could not be built, or pyLODE warned while building them."""


def _citation_text(graph: Graph, citation) -> Literal:
    source = graph.value(citation, NEC.citesSource)
    title = graph.value(source, DCTERMS.title) if source is not None else None
    locator = graph.value(citation, NEC.locator)
    parts = [str(title or source or citation)] + ([str(locator)] if locator else [])
    return Literal(", ".join(parts))


def _page_graph(module: Graph, merged: Graph) -> Graph:
    """The module's own triples, with the annotations pyLODE reads and the labels of what it references."""
    graph = Graph()
    bind_prefixes(graph)
    graph += module
    for s, o in module.subject_objects(OBO.IAO_0000115):
        graph.add((s, SKOS.definition, o))
    for prop in (RDFS.comment, SKOS.editorialNote):
        for s, o in list(graph.subject_objects(prop)):
            if (s, RDF.type, OWL.Ontology) not in graph:
                graph.remove((s, prop, o))
                graph.add((s, SKOS.note, o))
    for prop in (OBO.IAO_0000119, RDFS.seeAlso, NEC.hasCitation):
        for s, o in module.subject_objects(prop):
            cited = (o, NEC.citesSource, None) in merged
            graph.add((s, DCTERMS.source, _citation_text(merged, o) if cited else o))
    for individual in module.subjects(RDF.type, OWL.NamedIndividual):
        for cls in module.objects(individual, RDF.type):
            if cls != OWL.NamedIndividual:
                graph.add((cls, _ONTDOC_HAS_INSTANCE, individual))
    referenced = {o for o in graph.objects() if isinstance(o, URIRef)} | set(graph.predicates())
    for term in referenced:
        if (term, RDFS.label, None) not in graph:
            for label in merged.objects(term, RDFS.label):
                graph.add((term, RDFS.label, label))
    return graph


def _index(pages: list[tuple[str, str, str]]) -> str:
    rows = "\n".join(f'<li><a href="{html.escape(page)}">{html.escape(title)}</a> ({html.escape(file)})</li>'
                     for file, page, title in pages)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Necessity ontology</title>"
            "</head>\n<body><h1>Necessity ontology</h1>\n"
            f"<p>One page per module, generated from the files by pyLODE.</p>\n<ul>\n{rows}\n</ul>\n</body></html>\n")


def build_docs(ontology_dir: Path, out: Path) -> list[Path]:
    """Write one HTML page per module and ``index.html`` into ``out``; the pages written.

    Raises:
        DocsError: pyLODE is not installed, a module does not load, or pyLODE warned.
    """
    try:
        from pylode import OntPub
    except ImportError as exc:
        raise DocsError("pyLODE is not installed: pip install 'necessity-reasoner[docs]'") from exc
    ontology, problems = read_ontology_dir(Path(ontology_dir))
    broken = [p for p in problems if p.check == "parse"]
    if broken:
        raise DocsError("; ".join(p.line() for p in broken))
    merged = ontology.closure_graph(ROOT_FILE)
    out.mkdir(parents=True, exist_ok=True)
    pages: list[tuple[str, str, str]] = []
    written: list[Path] = []
    records: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(f"{record.name}: {record.getMessage()}")

    handler = _Collect(level=logging.WARNING)
    root_logger = logging.getLogger()
    level = root_logger.level
    root_logger.addHandler(handler)
    root_logger.setLevel(logging.WARNING)  # pyLODE logs every page's start at INFO
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # pyLODE 3.3 leaves its own CSS file open: not about the ontology
            warnings.filterwarnings("ignore", category=ResourceWarning)
            for file, module in ontology.modules.items():
                page = Path(file).stem + ".html"
                doc = OntPub(_page_graph(module.graph, merged))
                (out / page).write_text(doc.make_html(include_css=True), encoding="utf-8")
                title = str(module.graph.value(module.iri, DCTERMS.title) or file)
                pages.append((file, page, title))
                written.append(out / page)
    finally:
        root_logger.removeHandler(handler)
        root_logger.setLevel(level)
    records += [f"{w.category.__name__}: {w.message}" for w in caught]
    if records:
        raise DocsError("pyLODE warned: " + " | ".join(records[:10]))
    (out / "index.html").write_text(_index(pages), encoding="utf-8")
    return [out / "index.html", *written]
