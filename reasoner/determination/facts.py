"""Case facts as a notice shows them: values in the unit the case used, booleans as sentences,
records (a therapy, a trial) as lists of facts, and the evidence locators of the records.

How each case property is worded is data in ``ontology/determination.ttl`` (``nec:unitSymbol``,
``nec:normalizedAs``/``nec:normalizationFactor``, ``nec:sentenceIfTrue``/``IfFalse``,
``nec:hiddenInFacts``); nothing here names a property of the case form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.paths import Path as RdfPath, SequencePath

from ..knowledge.compiled import CompiledKnowledge
from ..namespaces import NEC, RDF, XSD
from .model import EvidenceLocator, Fact

__all__ = ["Wording", "wording", "facts_on_path", "record", "evidence_for", "number_text", "quantity"]

_NUMERIC = {XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.int, XSD.long, XSD.nonNegativeInteger,
            XSD.positiveInteger}
_DATES = {XSD.date, XSD.dateTime}


_CONTEXT = Path(__file__).resolve().parents[1] / "contexts" / "case-form.jsonld"


def form_properties() -> frozenset[str]:
    """Every property the case form maps to (the shipped JSON-LD context): what a record documents,
    as against what the rules derived from it."""
    found: set[str] = {str(NEC.hasCode)}

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@id" and isinstance(value, str) and value.startswith("nec:"):
                    found.add(str(NEC) + value[4:])
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(_CONTEXT.read_text(encoding="utf-8")))
    return frozenset(found)


@dataclass
class Wording:
    """How case properties are shown, read once per compiled knowledge."""

    units: dict[str, str] = field(default_factory=dict)
    sources: dict[str, list[tuple[URIRef, Decimal]]] = field(default_factory=dict)  # normalized -> case props
    sentences: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    documented: frozenset[str] = frozenset()


def wording(knowledge: CompiledKnowledge) -> Wording:
    cached = knowledge.__dict__.get("_wording")
    if cached is not None:
        return cached
    onto, out = knowledge.ontology, Wording()
    for prop, unit in onto.subject_objects(NEC.unitSymbol):
        out.units[str(prop)] = str(unit)
    for prop, normalized in onto.subject_objects(NEC.normalizedAs):
        factor = Decimal(str(onto.value(prop, NEC.normalizationFactor) or 1))
        out.sources.setdefault(str(normalized), []).append((URIRef(prop), factor))
    for prop in set(onto.subjects(NEC.sentenceIfTrue, None)) | set(onto.subjects(NEC.sentenceIfFalse, None)):
        yes, no = onto.value(prop, NEC.sentenceIfTrue), onto.value(prop, NEC.sentenceIfFalse)
        out.sentences[str(prop)] = (str(yes) if yes else None, str(no) if no else None)
    out.hidden = {str(p) for p, v in onto.subject_objects(NEC.hiddenInFacts) if v.toPython() is True}
    out.documented = form_properties()
    for sources in out.sources.values():
        sources.sort(key=lambda s: str(s[0]))
    knowledge.__dict__["_wording"] = out
    return out


def number_text(value: Decimal) -> str:
    """A number as people write it: no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def quantity(value: Decimal, unit: str | None) -> str:
    number = number_text(value)
    if not unit:
        return number
    return f"{number}{unit}" if unit.startswith(("%", "/")) else f"{number} {unit}"


def _last_predicate(path) -> URIRef | None:
    if isinstance(path, URIRef):
        return path
    if isinstance(path, SequencePath):
        return _last_predicate(path.args[-1])
    return None


def literal_fact(knowledge: CompiledKnowledge, predicate: URIRef, value: Literal, *,
                 label: str | None = None) -> Fact:
    words = wording(knowledge)
    label = label or knowledge.label(predicate)
    if value.datatype == XSD.boolean:
        truth = value.toPython() is True
        yes, no = words.sentences.get(str(predicate), (None, None))
        sentence = (yes if truth else no) or f"{label[:1].upper()}{label[1:]}: {'yes' if truth else 'no'}."
        return Fact(label=label, kind="boolean", text=sentence, value=str(value).lower())
    if value.datatype in _NUMERIC:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return Fact(label=label, kind="text", text=str(value), value=str(value))
        unit = words.units.get(str(predicate))
        return Fact(label=label, kind="quantity", text=quantity(number, unit), value=number_text(number), unit=unit)
    if value.datatype in _DATES:
        return Fact(label=label, kind="date", text=str(value), value=str(value))
    return Fact(label=label, kind="text", text=str(value), value=str(value))


def record(knowledge: CompiledKnowledge, data: Graph, node, *, label: str) -> Fact:
    """A case node (a therapy, a trial, a regimen drug) as a record: its own facts as a list."""
    words = wording(knowledge)
    items: list[Fact] = []
    order = {"text": 0, "term": 1, "date": 2, "quantity": 3, "boolean": 4, "record": 5}
    for predicate, obj in sorted(data.predicate_objects(node), key=lambda po: (knowledge.label(po[0]), str(po[1]))):
        if predicate == RDF.type or str(predicate) in words.hidden or str(predicate) not in words.documented:
            continue
        fact = value_fact(knowledge, data, predicate, obj, depth=1)
        if fact is not None:
            items.append(fact)
    items.sort(key=lambda i: order[i.kind])
    text = "; ".join(i.text if i.kind == "boolean" else f"{i.label}: {i.text}" for i in items) or label
    return Fact(label=label, kind="record", text=text, items=items)


def value_fact(knowledge: CompiledKnowledge, data: Graph, predicate: URIRef, value, *, depth: int = 0,
               shown: bool = False) -> Fact | None:
    """One value of a case property as a fact; None for what a notice never shows (unless ``shown``)."""
    if not shown and str(predicate) in wording(knowledge).hidden:
        return None
    label = knowledge.label(predicate)
    if isinstance(value, Literal):
        return literal_fact(knowledge, predicate, value)
    if str(value) in knowledge.labels:
        return Fact(label=label, kind="term", text=knowledge.labels[str(value)], value=str(value))
    if isinstance(value, (URIRef, BNode)) and depth < 2 and (value, None, None) in data:
        return record(knowledge, data, value, label=label)
    return Fact(label=label, kind="text", text=str(value).rsplit("/", 1)[-1], value=str(value))


def facts_on_path(knowledge: CompiledKnowledge, data: Graph, focus, path: RdfPath,
                  compared: tuple[URIRef, ...] = ()) -> list[Fact]:
    """The facts a shape looked at on one focus node, shown as the case wrote them.

    A path onto a normalized property (micrograms) is shown through the case's own property
    (milligrams where the case wrote milligrams), and so is each property it is compared with.
    """
    words = wording(knowledge)
    last = _last_predicate(path)
    facts: list[Fact] = []
    factor, unit = Decimal(1), None
    if last is not None and str(last) in words.sources:
        for source, source_factor in words.sources[str(last)]:
            for value in sorted(data.objects(focus, source), key=str):
                facts.append(literal_fact(knowledge, source, value))
                factor, unit = source_factor, words.units.get(str(source))
    else:
        for value in sorted(data.objects(focus, path), key=str):
            fact = value_fact(knowledge, data, last, value, shown=True) if last is not None else None
            if fact is not None:
                facts.append(fact)
    for prop in compared:
        for value in sorted(data.objects(focus, prop), key=str):
            try:
                limit = Decimal(str(value)) / factor
            except InvalidOperation:
                continue
            shown = unit or words.units.get(str(prop))
            facts.append(Fact(label=knowledge.label(prop), kind="quantity", text=quantity(limit, shown),
                              value=number_text(limit), unit=shown))
    return facts


def evidence_for(data: Graph, case_iri: URIRef, field_properties: dict[str, URIRef], path) -> list[EvidenceLocator]:
    """Evidence locators of the case whose field is on the path (or every one, for ``path=None``)."""
    path_text = "" if path is None else str(path.n3() if hasattr(path, "n3") else path)
    found = []
    for locator in data.objects(case_iri, NEC.hasEvidence):
        field_name = str(data.value(locator, NEC.aboutField) or "")
        prop = field_properties.get(field_name)
        if path is None or (prop is not None and str(prop) in path_text):
            page = data.value(locator, NEC.page)
            found.append(EvidenceLocator(field=field_name, document=str(data.value(locator, NEC.document) or ""),
                                         page=int(page) if page is not None else None))
    return sorted(found, key=lambda e: (e.field, e.document, e.page or 0))
