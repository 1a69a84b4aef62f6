"""Checks that need no Java: what each module uses is declared in it or its imports (the declaration
rules of the OWL 2 DL profile, as the OWL API applies them to one module), labels of the reused terms,
no dates in class expressions, and the project's QC queries (labels, definitions, citations)."""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from ..namespaces import NEC
from .modules import ROOT_FILE, Ontology
from .problems import Problem

__all__ = ["declaration_problems", "label_problems", "date_problems", "qc_problems"]

_BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))
_PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
_DECLARATIONS = (OWL.Class, RDFS.Datatype, OWL.NamedIndividual, *_PROPERTY_KINDS)
# positions whose IRI values are classes (or, for rdfs:range and the value restrictions, datatypes)
_CLASS_POSITIONS = (RDF.type, RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith, RDFS.domain, RDFS.range,
                    OWL.someValuesFrom, OWL.allValuesFrom, OWL.onClass, OWL.complementOf)


def _builtin(term) -> bool:
    return str(term).startswith(_BUILTIN)


def _declared(graph: Graph) -> dict[URIRef, set[URIRef]]:
    kinds: dict[URIRef, set[URIRef]] = {}
    for kind in _DECLARATIONS:
        for subject in graph.subjects(RDF.type, kind):
            if isinstance(subject, URIRef):
                kinds.setdefault(subject, set()).add(kind)
    return kinds


def _module_declarations(ontology: Ontology, file: str, merged: Graph) -> list[Problem]:
    own = ontology.modules[file].graph
    closure = ontology.closure_graph(file)
    kinds = _declared(closure)
    found: dict[tuple[str, str], str] = {}

    def report(term, message: str) -> None:
        found.setdefault((str(term), message), message)

    for s, p, o in own:
        if not _builtin(p) and not kinds.get(p, set()) & set(_PROPERTY_KINDS):
            report(p, "property used but not declared in this module or its imports")
        if p == OWL.onProperty and isinstance(o, URIRef) and not kinds.get(o, set()) & set(_PROPERTY_KINDS):
            report(o, "property used in a restriction but not declared in this module or its imports")
        if p in _CLASS_POSITIONS and isinstance(o, URIRef) and not _builtin(o):
            if not kinds.get(o, set()) & {OWL.Class, RDFS.Datatype}:
                report(o, "class used but not declared in this module or its imports")
        for term in (s, o):
            # OWL 2 DL lets an individual go undeclared, but a module opened alone then shows a bare IRI:
            # every nec: term a module uses is declared in it or its imports
            if isinstance(term, URIRef) and str(term).startswith(str(NEC)) and term not in kinds:
                if (term, RDF.type, None) not in closure:
                    where = "declared in no module" if (term, RDF.type, None) not in merged else \
                        "declared only in a module this one does not import"
                    report(term, f"term used but {where}")
        if p in kinds:
            if OWL.ObjectProperty in kinds[p] and isinstance(o, Literal):
                report(p, f"object property with a literal value on {s}")
            if OWL.DatatypeProperty in kinds[p] and not isinstance(o, Literal):
                report(p, f"data property with a non-literal value on {s}")
    for term, declared in kinds.items():
        mixed = declared & set(_PROPERTY_KINDS)
        if len(mixed) > 1 and (term, RDF.type, None) in own:
            names = ", ".join(sorted(k.n3(closure.namespace_manager) for k in mixed))
            report(term, f"declared as more than one kind of property ({names})")
    return [Problem(file, term, message, "declaration") for (term, message) in found]


def declaration_problems(ontology: Ontology) -> list[Problem]:
    """Each module on its own: every property, class and nec: term it uses is declared in its closure."""
    problems: list[Problem] = []
    merged = ontology.closure_graph(ROOT_FILE)
    for file in ontology.modules:
        problems += _module_declarations(ontology, file, merged)
    return problems


def label_problems(ontology: Ontology) -> list[Problem]:
    """Terms reused from other vocabularies (dct:, obo:, prov:, skos:) carry one English label; the QC
    queries check the nec: terms (label and definition)."""
    merged = ontology.closure_graph(ROOT_FILE)
    problems = []
    for file, module in ontology.modules.items():
        for term in _declared(module.graph):
            if str(term).startswith(str(NEC)) or _builtin(term):
                continue
            labels = {o for o in merged.objects(term, RDFS.label) if isinstance(o, Literal) and o.language == "en"}
            if len(labels) != 1 and ontology.file_of(str(term)) == file:
                problems.append(Problem(file, str(term), f"{len(labels)} English rdfs:label, not one", "label"))
    return problems


def date_problems(ontology: Ontology) -> list[Problem]:
    """No date in a class expression: HermiT (and so Protégé's reasoner) cannot parse xsd:date there."""
    problems = []
    dates = {XSD.date, XSD.dateTime, XSD.dateTimeStamp, XSD.gYear, XSD.gYearMonth}
    for file, module in ontology.modules.items():
        graph = module.graph
        for node in set(graph.subjects(RDF.type, OWL.Restriction)) | set(graph.subjects(RDF.type, RDFS.Datatype)):
            values = set(graph.objects(node, None))
            if any(isinstance(v, Literal) and v.datatype in dates for v in values) or values & dates:
                owner = next((s for s in graph.subjects(None, node) if isinstance(s, URIRef)), node)
                problems.append(Problem(file, str(owner) if not isinstance(owner, BNode) else "-",
                                        "a date in a class expression: HermiT cannot reason over it; "
                                        "keep dates in annotations (nec:validFrom)", "reasoner"))
    return problems


def _description(query: str) -> str:
    for line in query.splitlines():
        text = line.lstrip("# ").strip()
        if line.startswith("#") and text:
            return text.removeprefix("QC:").strip().rstrip(".")
    return "QC violation"


def qc_problems(ontology: Ontology, qc_dir: Path) -> list[Problem]:
    """Every ``*-violation.rq`` over the root's import closure (in Oxigraph: rdflib's SPARQL took seconds
    a query); each row names an entity."""
    import pyoxigraph as ox

    from ..knowledge.terms import to_ox

    store = ox.Store()
    store.bulk_extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph())
                       for s, p, o in ontology.closure_graph(ROOT_FILE)])
    problems = []
    for path in sorted(qc_dir.glob("*-violation.rq")):
        text = path.read_text(encoding="utf-8")
        for row in store.query(text):
            values = [row[i] for i in range(len(row))]
            entity = values[0].value if values and values[0] is not None else "-"
            file = ontology.file_of(entity) or ROOT_FILE
            extra = ", ".join(v.value for v in values[1:] if v is not None)
            message = _description(text) + (f" (found: {extra})" if extra else "")
            problems.append(Problem(file, entity, message, f"qc {path.stem}"))
    return problems
