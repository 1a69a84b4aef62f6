"""Each module of an ontology directory on its own, as Protégé opens it: its file, its imports through
the catalog, and the problems of the catalog and the module headers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

from ..namespaces import bind_prefixes
from .problems import Problem

__all__ = ["Module", "Ontology", "read_ontology_dir"]

CATALOG_FILE = "catalog-v001.xml"
ROOT_FILE = "necessity.ttl"
_CATALOG_NS = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
_FORMATS = {".ttl": "turtle", ".owl": "xml", ".rdf": "xml", ".nt": "nt"}
_HEADER = ((OWL.versionIRI, "owl:versionIRI"), (OWL.versionInfo, "owl:versionInfo"), (DCTERMS.title, "dct:title"),
           (DCTERMS.description, "dct:description"), (DCTERMS.license, "dct:license"))


@dataclass
class Module:
    """One file: its graph, its ontology IRI and the IRIs it imports."""

    file: str
    graph: Graph
    iri: URIRef | None
    imports: list[URIRef] = field(default_factory=list)


@dataclass
class Ontology:
    """Every module of a directory that parses, and the catalog (IRI -> file name)."""

    root: Path
    catalog: dict[str, str]
    modules: dict[str, Module]  # file name -> module
    _graphs: dict[str, Graph] = field(default_factory=dict, repr=False)

    def closure(self, file: str) -> list[Module]:
        """The module and every module it reaches through imports the catalog maps (missing ones skipped)."""
        seen: list[str] = []
        pending = [file]
        while pending:
            name = pending.pop(0)
            if name in seen or name not in self.modules:
                continue
            seen.append(name)
            pending += [self.catalog[str(i)] for i in self.modules[name].imports if str(i) in self.catalog]
        return [self.modules[name] for name in seen]

    def closure_graph(self, file: str) -> Graph:
        """The module's triples and those of every module it imports (built once; do not modify)."""
        if file in self._graphs:
            return self._graphs[file]
        graph = self._graphs[file] = Graph()
        for module in self.closure(file):
            graph += module.graph
        bind_prefixes(graph)
        return graph

    def file_of(self, iri: str) -> str | None:
        """The module file that types ``iri`` (declares it), else the first that mentions it as subject."""
        term = URIRef(iri)
        for predicate in (RDF.type, None):
            for name, module in self.modules.items():
                if (term, predicate, None) in module.graph:
                    return name
        return None


def _read_catalog(root: Path, problems: list[Problem]) -> dict[str, str]:
    path = root / CATALOG_FILE
    if not path.is_file():
        problems.append(Problem(CATALOG_FILE, "-", "catalog not found: Protégé cannot resolve the imports", "catalog"))
        return {}
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        problems.append(Problem(CATALOG_FILE, "-", f"not well-formed XML ({exc})", "catalog"))
        return {}
    mapping: dict[str, str] = {}
    for element in tree.getroot().iter(f"{_CATALOG_NS}uri"):
        name, uri = element.get("name"), element.get("uri")
        if not name or not uri:
            problems.append(Problem(CATALOG_FILE, name or "-", "a <uri> entry without name or uri", "catalog"))
            continue
        if Path(uri).is_absolute() or "/" in uri:
            problems.append(Problem(CATALOG_FILE, name, f"maps to '{uri}': keep a file name of this folder", "catalog"))
        if not (root / uri).is_file():
            problems.append(Problem(CATALOG_FILE, name, f"maps to '{uri}', which does not exist", "catalog"))
            continue
        mapping[name] = Path(uri).name
    return mapping


def _parse(root: Path, name: str, problems: list[Problem]) -> Module | None:
    path = root / name
    graph = Graph()
    try:
        graph.parse(path, format=_FORMATS.get(path.suffix.lower(), "turtle"))
    except Exception as exc:  # rdflib raises parser-specific exception types
        problems.append(Problem(name, "-", f"cannot parse: {str(exc).splitlines()[0][:300]}", "parse"))
        return None
    bind_prefixes(graph)
    headers = [s for s in graph.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)]
    if len(headers) != 1:
        problems.append(Problem(name, "-", f"declares {len(headers)} owl:Ontology headers, not one", "header"))
    iri = headers[0] if headers else None
    imports = sorted(o for o in graph.objects(iri, OWL.imports) if isinstance(o, URIRef)) if iri else []
    return Module(file=name, graph=graph, iri=iri, imports=imports)


def read_ontology_dir(root: Path) -> tuple[Ontology, list[Problem]]:
    """Parse every module of the directory on its own and check the catalog, imports and headers."""
    problems: list[Problem] = []
    catalog = _read_catalog(root, problems)
    files = sorted({ROOT_FILE, *catalog.values()} | {p.name for p in root.iterdir() if p.suffix in _FORMATS})
    modules: dict[str, Module] = {}
    for name in files:
        if not (root / name).is_file():
            problems.append(Problem(name, "-", "root ontology file not found", "catalog"))
            continue
        module = _parse(root, name, problems)
        if module is not None:
            modules[name] = module
    ontology = Ontology(root=root, catalog=catalog, modules=modules)
    mapped = set(catalog.values())
    for name, module in modules.items():
        if name not in mapped and name != ROOT_FILE:
            problems.append(Problem(name, "-", f"no entry in {CATALOG_FILE}: Protégé cannot import it", "catalog"))
        if module.iri is None:
            continue
        for term, label in ((module.iri, "ontology IRI"), (module.graph.value(module.iri, OWL.versionIRI), "version IRI")):
            if term is not None and str(term) not in catalog:
                problems.append(Problem(name, str(term), f"{label} not mapped in {CATALOG_FILE}", "catalog"))
        for imported in module.imports:
            if str(imported) not in catalog:
                problems.append(Problem(name, str(imported), f"broken import: not mapped in {CATALOG_FILE}", "import"))
        for prop, shown in _HEADER:
            if module.graph.value(module.iri, prop) is None:
                problems.append(Problem(name, str(module.iri), f"ontology header has no {shown}", "header"))
    reached = {m.file for m in ontology.closure(ROOT_FILE)}
    for name in modules:
        if name not in reached:
            problems.append(Problem(name, "-", f"not imported by {ROOT_FILE}, directly or indirectly", "import"))
    return ontology, problems
