"""The ontology loads offline through its catalog, in rdflib and owlready2, and HermiT finds it consistent."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from reasoner.errors import OntologyError
from reasoner.knowledge.ontology import CATALOG_FILE, ROOT_FILE, load_ontology, ontology_files, read_catalog
from reasoner.namespaces import NEC, ONTOLOGY_IRI

MODULES = ["core", "codes", "drugs", "sources", "determination"]


def test_root_loads_with_every_module(ontology_graph: Graph) -> None:
    ontologies = set(ontology_graph.subjects(RDF.type, OWL.Ontology))
    expected = {URIRef(ONTOLOGY_IRI)} | {URIRef(f"{ONTOLOGY_IRI}/{m}") for m in MODULES}
    assert expected <= ontologies
    assert (NEC.morphine, RDF.type, OWL.NamedIndividual) in ontology_graph
    assert (URIRef(NEC + "ICD10CM_G89.4"), RDF.type, OWL.NamedIndividual) in ontology_graph


def test_ontology_files_follow_the_imports(ontology_dir: Path) -> None:
    names = [p.name for p in ontology_files()]
    assert names[0] == ROOT_FILE
    assert sorted(names[1:]) == sorted(f"{m}.ttl" for m in MODULES)


def test_every_module_has_version_iri_and_info(ontology_graph: Graph) -> None:
    for ontology in ontology_graph.subjects(RDF.type, OWL.Ontology):
        assert ontology_graph.value(ontology, OWL.versionIRI) is not None, ontology
        assert ontology_graph.value(ontology, OWL.versionInfo) == Literal("0.1.0"), ontology


def test_catalog_entries_resolve_to_existing_files(ontology_dir: Path) -> None:
    tree = ET.parse(ontology_dir / CATALOG_FILE)
    uris = [e.get("uri") for e in tree.getroot().iter("{urn:oasis:names:tc:entity:xmlns:xml:catalog}uri")]
    assert uris
    for uri in uris:
        assert not Path(uri).is_absolute(), f"catalog path must be relative: {uri}"
        assert (ontology_dir / uri).is_file(), uri


def test_every_import_and_version_iri_is_in_the_catalog(ontology_dir: Path, ontology_graph: Graph) -> None:
    catalog = read_catalog(ontology_dir)
    for iri in ontology_graph.objects(None, OWL.imports):
        assert str(iri) in catalog
    for iri in ontology_graph.objects(None, OWL.versionIRI):
        assert str(iri) in catalog


def test_missing_import_names_the_iri(tmp_path: Path, ontology_dir: Path) -> None:
    for path in ontology_dir.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    catalog = (tmp_path / CATALOG_FILE).read_text().replace('uri="codes.ttl"', 'uri="missing.ttl"')
    (tmp_path / CATALOG_FILE).write_text(catalog)
    with pytest.raises(OntologyError, match="codes"):
        load_ontology(root=tmp_path)


def test_parse_error_names_the_file(tmp_path: Path, ontology_dir: Path) -> None:
    for path in ontology_dir.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "drugs.ttl").write_text("this is not turtle .")
    with pytest.raises(OntologyError, match="drugs.ttl"):
        load_ontology(root=tmp_path)


# ---------------------------------------------------------------- OWL 2 DL sanity (profile)

_BUILTIN_PREDICATES = {RDF.type, RDF.first, RDF.rest, RDFS.label, RDFS.comment, RDFS.subClassOf, RDFS.domain,
                       RDFS.range, RDFS.subPropertyOf, RDFS.isDefinedBy, RDFS.seeAlso}


def _declared(graph: Graph, kind: URIRef) -> set:
    return set(graph.subjects(RDF.type, kind))


def test_every_property_used_is_declared(ontology_graph: Graph) -> None:
    declared = set()
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        declared |= _declared(ontology_graph, kind)
    undeclared = {p for p in ontology_graph.predicates()
                  if p not in declared and p not in _BUILTIN_PREDICATES and not str(p).startswith(str(OWL))}
    assert not undeclared


def test_property_kinds_are_disjoint_and_used_with_the_right_values(ontology_graph: Graph) -> None:
    objects = _declared(ontology_graph, OWL.ObjectProperty)
    data = _declared(ontology_graph, OWL.DatatypeProperty)
    annotations = _declared(ontology_graph, OWL.AnnotationProperty)
    assert not (objects & data) and not (objects & annotations) and not (data & annotations)
    for prop in objects:
        assert not [o for o in ontology_graph.objects(None, prop) if isinstance(o, Literal)], prop
    for prop in data:
        assert not [o for o in ontology_graph.objects(None, prop) if not isinstance(o, Literal)], prop


def test_string_ranged_properties_hold_plain_strings(ontology_graph: Graph) -> None:
    """A language tag on a value of an xsd:string-ranged property makes the ontology inconsistent."""
    from rdflib.namespace import XSD

    for prop in ontology_graph.subjects(RDFS.range, XSD.string):
        tagged = [o for o in ontology_graph.objects(None, prop) if isinstance(o, Literal) and o.language]
        assert not tagged, prop


def test_every_individual_is_a_named_individual(ontology_graph: Graph) -> None:
    classes = _declared(ontology_graph, OWL.Class)
    for subject, cls in ontology_graph.subject_objects(RDF.type):
        if cls in classes and str(subject).startswith(str(NEC)):
            assert (subject, RDF.type, OWL.NamedIndividual) in ontology_graph, subject


def test_every_referenced_term_is_declared(ontology_graph: Graph) -> None:
    referenced = {o for o in ontology_graph.objects() if isinstance(o, URIRef) and str(o).startswith(str(NEC))}
    assert not [t for t in referenced if (t, RDF.type, None) not in ontology_graph]


# ---------------------------------------------------------------- owlready2 + HermiT

def _rdfxml_copy(ontology_dir: Path, target: Path) -> list[tuple[str, Path]]:
    """Convert every module to RDF/XML, keeping the catalog's IRI -> file mapping; dependency order."""
    catalog = read_catalog(ontology_dir)
    converted: dict[Path, Path] = {}
    for iri, source in catalog.items():
        if source not in converted:
            out = target / (source.stem + ".owl")
            Graph().parse(source, format="turtle").serialize(out, format="xml")
            converted[source] = out
    order: list[tuple[str, Path]] = []
    seen: set[str] = set()

    def visit(iri: str) -> None:
        if iri in seen:
            return
        seen.add(iri)
        module = Graph().parse(catalog[iri], format="turtle")
        for imported in module.objects(None, OWL.imports):
            visit(str(imported))
        order.append((iri, converted[catalog[iri]]))

    visit(ONTOLOGY_IRI)
    return order


@pytest.fixture(scope="module")
def owlready_world(tmp_path_factory: pytest.TempPathFactory, ontology_dir: Path):
    owlready2 = pytest.importorskip("owlready2")
    target = tmp_path_factory.mktemp("rdfxml")
    world = owlready2.World()
    owlready2.onto_path.append(str(target))
    loaded = None
    for iri, path in _rdfxml_copy(ontology_dir, target):
        with path.open("rb") as handle:
            loaded = world.get_ontology(iri).load(fileobj=handle, only_local=True)
    return world, loaded


def test_owlready2_loads_every_module(owlready_world) -> None:
    world, root = owlready_world
    assert root.base_iri.startswith(ONTOLOGY_IRI)
    assert {o.base_iri.rstrip("#/") for o in root.imported_ontologies} >= {f"{ONTOLOGY_IRI}/{m}" for m in MODULES}
    assert world.search_one(iri=str(NEC.ziconotide)) is not None


@pytest.mark.slow
def test_hermit_finds_it_consistent_with_no_unsatisfiable_class(owlready_world) -> None:
    import owlready2

    world, root = owlready_world
    try:
        with root:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as exc:  # pragma: no cover - failure path
        pytest.fail(f"HermiT: ontology inconsistent: {exc}")
    assert list(world.inconsistent_classes()) == []
    # the defined class classifies the approved drugs
    approved = world.search_one(iri=str(NEC.ApprovedIntrathecalDrug))
    members = {i.name for i in approved.instances()}
    assert {"morphine", "ziconotide", "baclofen"} <= members
    assert "hydromorphone" not in members
