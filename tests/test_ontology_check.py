"""``necessity ontology check`` without Java: each module on its own (imports, declarations), the catalog,
labels, definitions, citations; and the vocabulary's severity order, which no longer depends on how a
tool writes an owl:oneOf list."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL

from reasoner.cli.main import main
from reasoner.knowledge.paths import data_root
from reasoner.knowledge.vocabulary import _read
from reasoner.namespaces import NEC
from reasoner.ontology_check import check_ontology

QC = Path(data_root("queries")) / "qc"


@pytest.fixture()
def copy(tmp_path: Path, ontology_dir: Path) -> Path:
    target = tmp_path / "ontology"
    shutil.copytree(ontology_dir, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def _lines(root: Path) -> list[str]:
    return [p.line() for p in check_ontology(root, QC, java=False).problems]


def test_the_bundled_ontology_has_no_problem(ontology_dir: Path) -> None:
    assert _lines(ontology_dir) == []


def test_a_broken_import_is_named_with_its_file(copy: Path, capsys) -> None:
    path = copy / "determination.ttl"
    path.write_text(path.read_text().replace("<https://w3id.org/necessity/ontology/core> ;",
                                             "<https://w3id.org/necessity/ontology/kore> ;", 1))
    assert main(["ontology", "check", "--no-java", "--dir", str(copy)]) == 1
    out = capsys.readouterr().out
    assert "determination.ttl: <https://w3id.org/necessity/ontology/kore>: broken import" in out
    # without core, the module no longer declares what it uses: named one per line, with the file
    assert "determination.ttl: nec:LineOutcome: class used but not declared" in out
    assert "determination.ttl: obo:IAO_0000115: property used but not declared" in out


def test_an_undeclared_property_is_named(copy: Path, capsys) -> None:
    with (copy / "drugs.ttl").open("a") as handle:
        handle.write("\nnec:morphine nec:shelfLifeDays 30 .\n")
    assert main(["ontology", "check", "--no-java", "--dir", str(copy)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == ["drugs.ttl: nec:shelfLifeDays: property used but not declared in this module or its imports "
                   "[declaration]"]


def test_a_catalog_entry_to_a_missing_file_is_named(copy: Path) -> None:
    catalog = copy / "catalog-v001.xml"
    catalog.write_text(catalog.read_text().replace('uri="sources.ttl"', 'uri="sourcez.ttl"'))
    lines = _lines(copy)
    assert any(line.startswith("catalog-v001.xml: https://w3id.org/necessity/ontology/sources: maps to 'sourcez.ttl'")
               for line in lines), lines


def test_a_class_without_label_or_definition_is_named(copy: Path) -> None:
    with (copy / "core.ttl").open("a") as handle:
        handle.write("\nnec:UnnamedThing a owl:Class .\n")
    lines = _lines(copy)
    assert any(line.startswith("core.ttl: https://w3id.org/necessity/ontology#UnnamedThing:") and "label" in line
               for line in lines), lines
    assert any(line.startswith("core.ttl: https://w3id.org/necessity/ontology#UnnamedThing:") and "definition" in line
               for line in lines), lines


def test_an_uncited_drug_fact_is_named(copy: Path) -> None:
    path = copy / "drugs.ttl"
    path.write_text(path.read_text().replace(
        "    nec:hasCitation nec:cit-ziconotide-label-max-daily-dose-1 .",
        "    nec:confidence nec:HighConfidence .", 1))
    lines = _lines(copy)
    assert any(line.startswith("drugs.ttl: https://w3id.org/necessity/ontology#ziconotide-label-max-daily-dose:")
               and "uncited-fact" in line for line in lines), lines


def test_a_date_in_a_class_expression_is_named(copy: Path) -> None:
    with (copy / "core.ttl").open("a") as handle:
        handle.write('\nnec:DatedThing a owl:Class ; rdfs:label "dated thing"@en ; obo:IAO_0000115 "x"@en ;\n'
                     '    rdfs:subClassOf [ a owl:Restriction ; owl:onProperty nec:effectiveDate ;\n'
                     '        owl:hasValue "2024-01-01"^^xsd:date ] .\n')
    assert any("core.ttl: https://w3id.org/necessity/ontology#DatedThing: a date in a class expression" in line
               for line in _lines(copy))


def test_severity_order_does_not_depend_on_the_list_order(ontology_dir: Path) -> None:
    """The OWL API writes an owl:oneOf in its own order; the order of severity is nec:severityRank."""
    graph = Graph()
    for name in ("core.ttl", "determination.ttl"):
        graph.parse(ontology_dir / name)
    before = [t.word for t in _read(graph, NEC.Outcome)]
    for equivalent in list(graph.objects(NEC.Outcome, OWL.equivalentClass)):
        head = graph.value(equivalent, OWL.oneOf)
        if head is None:
            continue
        members = list(Collection(graph, head))
        Collection(graph, head).clear()
        graph.remove((equivalent, OWL.oneOf, head))
        reversed_head = BNode()
        Collection(graph, reversed_head, list(reversed(members)))
        graph.add((equivalent, OWL.oneOf, reversed_head))
    assert [t.word for t in _read(graph, NEC.Outcome)] == before
    assert before[0] == "meets-criteria" and before[-1] == "out-of-scope"


def test_a_missing_severity_rank_is_an_error(ontology_dir: Path) -> None:
    graph = Graph()
    for name in ("core.ttl", "determination.ttl"):
        graph.parse(ontology_dir / name)
    graph.remove((NEC.DoesNotMeet, NEC.severityRank, None))
    with pytest.raises(LookupError, match="DoesNotMeet"):
        _read(graph, NEC.Outcome)


def test_policies_list_the_codes_of_the_covered_groups(necessity_engine) -> None:
    policy = necessity_engine.policy("aetna-cpb-0161")
    groups = {g["iri"]: [c["code"] for c in g["codes"]] for g in policy["covers"]}
    assert "J2278" in groups[str(URIRef(NEC.IntrathecalDrugCode))]


def test_a_term_of_a_module_not_imported_is_named(copy: Path) -> None:
    """sources.ttl names drugs in its guideline statements: without importing drugs, opened alone in
    Protégé it would show bare IRIs."""
    path = copy / "sources.ttl"
    path.write_text(path.read_text().replace(" , <https://w3id.org/necessity/ontology/drugs> ;", " ;", 1))
    assert ("sources.ttl: https://w3id.org/necessity/ontology#morphine: term used but declared only in a module "
            "this one does not import [declaration]") in _lines(copy)
