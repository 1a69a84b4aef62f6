"""Load the Necessity ontology: the root file plus every module it imports, offline.

Imports are resolved through ``ontology/catalog-v001.xml`` (an OASIS XML catalog, the
file Protégé reads); nothing is ever fetched from the network.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL, RDF

from ..errors import OntologyError
from ..namespaces import ONTOLOGY_IRI, bind_prefixes
from .parsed_cache import parse_file
from .paths import data_root

__all__ = ["ROOT_FILE", "CATALOG_FILE", "load_ontology", "ontology_files", "read_catalog"]

ROOT_FILE = "necessity.ttl"
CATALOG_FILE = "catalog-v001.xml"

_CATALOG_NS = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
_FORMATS = {".ttl": "turtle", ".owl": "xml", ".rdf": "xml", ".xml": "xml", ".nt": "nt", ".jsonld": "json-ld"}


def read_catalog(root: Path) -> dict[str, Path]:
    """Map each IRI named in ``root/catalog-v001.xml`` to its local file.

    Raises:
        OntologyError: the catalog is missing or is not well-formed XML.
    """
    catalog = Path(root) / CATALOG_FILE
    if not catalog.is_file():
        raise OntologyError(f"{catalog.name}: catalog not found in the ontology directory")
    try:
        tree = ET.parse(catalog)
    except ET.ParseError as exc:
        raise OntologyError(f"{catalog.name}: not well-formed XML ({exc})") from exc
    mapping: dict[str, Path] = {}
    for element in tree.getroot().iter(f"{_CATALOG_NS}uri"):
        name, uri = element.get("name"), element.get("uri")
        if name and uri:
            mapping[name] = (catalog.parent / uri).resolve()
    return mapping


def _parse_into(graph: Graph, path: Path) -> set:
    """Parse one module into ``graph`` (so a syntax error names its file); the IRIs it imports."""
    fmt = _FORMATS.get(path.suffix.lower(), "turtle")
    before = set(graph.subject_objects(OWL.imports))
    try:
        parse_file(path, fmt, into=graph)
    except Exception as exc:  # rdflib raises many parser-specific exception types
        raise OntologyError(f"{path.name}: cannot parse ({exc})") from exc
    return {o for s, o in set(graph.subject_objects(OWL.imports)) - before}


def load_ontology(*, root: Path | None = None) -> Graph:
    """Parse the root ontology and every module it imports into one merged graph.

    Args:
        root: the ontology directory (default: the packaged or checkout ``ontology/``).

    Returns:
        One graph with every module's triples and the project's prefixes bound.

    Raises:
        OntologyError: a file is missing or does not parse, or an ``owl:imports`` IRI is
            not mapped by the catalog (the message names the file or IRI).
    """
    root = Path(root) if root is not None else Path(data_root("ontology"))
    catalog = read_catalog(root)
    start = root / ROOT_FILE
    if not start.is_file():
        raise OntologyError(f"{ROOT_FILE}: root ontology file not found", iri=ONTOLOGY_IRI)

    merged = Graph()
    seen: set[Path] = set()
    pending: list[tuple[Path, str]] = [(start.resolve(), ONTOLOGY_IRI)]
    while pending:
        path, iri = pending.pop(0)
        if path in seen:
            continue
        if not path.is_file():
            raise OntologyError(f"{path.name}: file for import <{iri}> not found", iri=iri)
        seen.add(path)
        for imported in sorted(_parse_into(merged, path)):
            target = catalog.get(str(imported))
            if target is None:
                raise OntologyError(
                    f"{path.name}: import <{imported}> is not mapped in {CATALOG_FILE}", iri=str(imported))
            pending.append((target, str(imported)))
    bind_prefixes(merged)
    return merged


def ontology_files(*, root: Path | None = None) -> list[Path]:
    """The module files the root ontology reaches through its imports, root first."""
    root = Path(root) if root is not None else Path(data_root("ontology"))
    catalog = read_catalog(root)
    files: list[Path] = []
    pending = [(root / ROOT_FILE).resolve()]
    while pending:
        path = pending.pop(0)
        if path in files:
            continue
        files.append(path)
        module = Graph()
        try:
            module.parse(path, format=_FORMATS.get(path.suffix.lower(), "turtle"))
        except Exception as exc:
            raise OntologyError(f"{path.name}: cannot parse ({exc})") from exc
        for ontology in module.subjects(RDF.type, OWL.Ontology):
            for imported in module.objects(ontology, OWL.imports):
                target = catalog.get(str(imported))
                if target is None:
                    raise OntologyError(
                        f"{path.name}: import <{imported}> is not mapped in {CATALOG_FILE}", iri=str(imported))
                pending.append(target)
    return files

