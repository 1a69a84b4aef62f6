"""Determination: one outcome per requested code, from the validation results.

The rules are generic; what a shape means comes from the shape itself (severity, failure kind,
group, criterion, documentation item, citations):

- a ``sh:Violation`` whose failure kind is ``nec:Contradicted`` makes its lines ``does-not-meet``;
- any other violation makes them ``insufficient-documentation`` and lists the document that would
  satisfy it;
- a line whose code no covered code group holds is ``out-of-scope``;
- where a line has two paths (the initial criteria, or documenting the implanted pump that makes it
  a continuation), its outcome is the better of the two paths, and the missing-documentation list
  says which path each item belongs to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from .compiled import CompiledKnowledge, PolicyVersion, ShapeInfo, _rdflib_path
from .namespaces import DCTERMS, NEC, PROV, RDF, RDFS, SH, XSD, bind_prefixes
from .validation import Result

__all__ = ["Determination", "determine", "OUTCOMES"]

MEETS, INSUFFICIENT, DOES_NOT_MEET, OUT_OF_SCOPE = (
    "meets-criteria", "insufficient-documentation", "does-not-meet", "out-of-scope")
OUTCOMES = (MEETS, INSUFFICIENT, DOES_NOT_MEET, OUT_OF_SCOPE)
_RANK = {MEETS: 0, INSUFFICIENT: 1, DOES_NOT_MEET: 2}
_OUTCOME_IRI = {MEETS: NEC.MeetsCriteria, INSUFFICIENT: NEC.InsufficientDocumentation,
                DOES_NOT_MEET: NEC.DoesNotMeet, OUT_OF_SCOPE: NEC.OutOfScope}
_SWITCH_GROUP = "https://w3id.org/necessity/shapes/common#SwitchToContinuation"
_INITIAL_GROUP = "https://w3id.org/necessity/shapes/common#InitialCriteria"
_PATH_NAMES = {_INITIAL_GROUP: "initial-criteria", _SWITCH_GROUP: "continuation"}
_PATH_ORDER = {"initial-criteria": 0, "continuation": 1, "all": 2}


def _local(iri) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


@dataclass
class Determination:
    """The decision on one case under one policy version. ``to_dict`` is deterministic."""

    case_id: str
    case_iri: str
    policy_id: str
    policy_version: str
    policy_version_iri: str
    engine_version: str
    lines: list[dict]
    missing_documentation: list[dict]
    unmet_criteria: list[dict]
    warnings: list[dict]
    advisories: list[dict]
    met_criteria: list[dict]
    unknown: dict
    alternatives: list[dict] = field(default_factory=list)
    safety_notices: list[dict] = field(default_factory=list)

    @property
    def outcomes(self) -> dict[str, str]:
        return {line["code"]: line["outcome"] for line in self.lines}

    @property
    def outcome(self) -> str:
        """The case's overall outcome: the worst line outcome among lines in scope."""
        ranked = [line["outcome"] for line in self.lines if line["outcome"] in _RANK]
        if not ranked:
            return OUT_OF_SCOPE
        return max(ranked, key=_RANK.__getitem__)

    def to_dict(self) -> dict:
        return {
            "case": self.case_id,
            "policy": {"id": self.policy_id, "version": self.policy_version, "iri": self.policy_version_iri},
            "engine": {"name": "necessity", "version": self.engine_version},
            "outcome": self.outcome,
            "lines": self.lines,
            "missing_documentation": self.missing_documentation,
            "alternatives": self.alternatives,
            "unmet_criteria": self.unmet_criteria,
            "warnings": self.warnings,
            "advisories": self.advisories,
            "met_criteria": self.met_criteria,
            "unknown": self.unknown,
            "safety_notices": self.safety_notices,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def to_graph(self, iri: URIRef, *, decided_at: datetime | None = None) -> Graph:
        """The determination as RDF in the ontology's vocabulary (what the store keeps)."""
        g = Graph()
        bind_prefixes(g)
        g.add((iri, RDF.type, NEC.Determination))
        g.add((iri, NEC.decidesCase, URIRef(self.case_iri)))
        g.add((iri, NEC.underPolicyVersion, URIRef(self.policy_version_iri)))
        g.add((iri, NEC.policyId, Literal(self.policy_id)))
        g.add((iri, NEC.versionLabel, Literal(self.policy_version)))
        g.add((iri, NEC.engineVersion, Literal(self.engine_version)))
        g.add((iri, NEC.outcome, _OUTCOME_IRI[self.outcome]))
        if decided_at is not None:
            g.add((iri, PROV.generatedAtTime, Literal(decided_at.isoformat(), datatype=XSD.dateTime)))
        for line in self.lines:
            node = URIRef(f"{iri}/line/{line['index']}")
            g.add((iri, NEC.hasLineOutcome, node))
            g.add((node, RDF.type, NEC.LineOutcome))
            g.add((node, NEC.forLine, URIRef(line["line"])))
            g.add((node, NEC.notation, Literal(line["code"])))
            g.add((node, NEC.outcome, _OUTCOME_IRI[line["outcome"]]))
            if line.get("request_kind_iri"):
                g.add((node, NEC.requestKind, URIRef(line["request_kind_iri"])))
            for key, prop in (("unmet", NEC.unmetCriterion), ("undocumented", NEC.undocumentedCriterion),
                              ("met", NEC.metCriterion)):
                for criterion in line["criteria"][key]:
                    g.add((node, prop, URIRef(criterion)))
            for doc in line["missing_documents"]:
                g.add((node, NEC.missingDocument, URIRef(doc)))
        return g


# ---------------------------------------------------------------- building it

def _foreign_sources(knowledge: CompiledKnowledge, version: PolicyVersion | None) -> frozenset:
    """Sources other policy versions are based on and this one is not: never cited under this policy."""
    if version is None:
        return frozenset()
    cache = knowledge.__dict__.setdefault("_foreign_cache", {})
    if version.iri not in cache:
        cache[version.iri] = _read_foreign_sources(knowledge, version)
    return cache[version.iri]


def _read_foreign_sources(knowledge: CompiledKnowledge, version: PolicyVersion) -> frozenset:
    graph = knowledge.policy_graph
    own = set(graph.objects(version.iri, NEC.basedOn))
    others = {s for v in knowledge.versions.values() for s in graph.objects(v.iri, NEC.basedOn)}
    return frozenset(others - own)


def _citations(knowledge: CompiledKnowledge, criterion, exclude: frozenset = frozenset()) -> list[dict]:
    """The citations of a criterion (shapes) or a fact (ontology), without other policies' sources.

    They depend on the knowledge only, so each is computed once per process (a fresh list is returned).
    """
    cache = knowledge.__dict__.setdefault("_citation_cache", {})
    key = (str(criterion), exclude)
    if key not in cache:
        cache[key] = _read_citations(knowledge, criterion, exclude)
    return list(cache[key])


def _read_citations(knowledge: CompiledKnowledge, criterion, exclude: frozenset) -> list[dict]:
    out = []
    for graph in (knowledge.policy_graph, knowledge.ontology):
        for citation in graph.objects(criterion, NEC.hasCitation):
            source = graph.value(citation, NEC.citesSource)
            if source is None or source in exclude:
                continue
            out.append(_citation_record(knowledge, graph, citation, source))
    if not out and exclude:
        return _read_citations(knowledge, criterion, frozenset())
    unique = {json.dumps(c, sort_keys=True): c for c in out}
    return sorted(unique.values(), key=lambda c: (c["source"], c["locator"]))


def _citation_record(knowledge: CompiledKnowledge, graph: Graph, citation, source) -> dict:
    onto = knowledge.ontology
    return {
        "source": str(onto.value(source, NEC.sourceId) or _local(source)),
        "title": str(onto.value(source, DCTERMS.title) or knowledge.label(source)),
        "locator": str(graph.value(citation, NEC.locator) or ""),
        "url": str(onto.value(source, NEC.url) or ""),
    }


def _criterion(knowledge: CompiledKnowledge, info: ShapeInfo, exclude: frozenset = frozenset()) -> dict:
    """The criterion of a shape with its document and citations (computed once per shape, copied out)."""
    cache = knowledge.__dict__.setdefault("_criterion_cache", {})
    key = (info.iri, exclude)
    if key not in cache:
        cache[key] = _criterion_uncached(knowledge, info, exclude)
    found = cache[key]
    return {**found, "citations": [dict(c) for c in found["citations"]]}


def _criterion_uncached(knowledge: CompiledKnowledge, info: ShapeInfo, exclude: frozenset = frozenset()) -> dict:
    graph = knowledge.policy_graph
    doc = info.documentation
    return {
        "criterion": str(info.criterion),
        "name": knowledge.label(info.criterion),
        "document": str(graph.value(doc, NEC.documentName) or knowledge.label(doc)) if doc else None,
        "document_iri": str(doc) if doc else None,
        "citations": _citations(knowledge, info.criterion, exclude),
    }


def _add_fact_citations(knowledge: CompiledKnowledge, entry: dict, value: str | None, exclude: frozenset) -> None:
    """A result whose value is a cited knowledge fact (a label indication, a condition) cites it too."""
    if value is None or not value.startswith("http"):
        return
    extra = _citations(knowledge, URIRef(value), exclude) if (URIRef(value), NEC.hasCitation, None) in \
        knowledge.ontology else []
    known = {json.dumps(c, sort_keys=True) for c in entry["citations"]}
    for citation in extra:
        if json.dumps(citation, sort_keys=True) not in known:
            entry["citations"].append(citation)
    entry["citations"].sort(key=lambda c: (c["source"], c["locator"]))


def _evidence_path(knowledge: CompiledKnowledge, shape: str):
    """The ``nec:evidencePath`` of a shape: where the facts that met it are when its own path is empty."""
    cache = knowledge.__dict__.setdefault("_evidence_path_cache", {})
    if shape not in cache:
        node = knowledge.policy_graph.value(URIRef(shape), NEC.evidencePath)
        cache[shape] = _rdflib_path(knowledge.policy_graph, node) if node is not None else None
    return cache[shape]


def _value_text(knowledge: CompiledKnowledge, data: Graph, value: str | None) -> str | None:
    if value is None:
        return None
    return _describe(knowledge, data, URIRef(value)) if value.startswith("http") else value


def _focus_nodes(data: Graph, info: ShapeInfo) -> set:
    nodes = set()
    for predicate, value in info.targets:
        if predicate == SH.targetClass:
            nodes.update(data.subjects(RDF.type, value))
        elif predicate == SH.targetNode:
            nodes.add(value)
        elif predicate == SH.targetSubjectsOf:
            nodes.update(data.subjects(value, None))
        elif predicate == SH.targetObjectsOf:
            nodes.update(data.objects(None, value))
    return nodes


def _form_properties() -> frozenset[str]:
    """Every property the case form maps to (the shipped JSON-LD context): what a record documents."""
    global _FORM_PROPERTIES
    if _FORM_PROPERTIES is None:
        found: set[str] = set()

        def walk(node) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "@id" and isinstance(value, str) and value.startswith("nec:"):
                        found.add(str(NEC) + value[4:])
                    walk(value)

        walk(json.loads(_CONTEXT_FILE.read_text(encoding="utf-8")))
        found.add(str(NEC.hasCode))
        _FORM_PROPERTIES = frozenset(found)
    return _FORM_PROPERTIES


_CONTEXT_FILE = Path(__file__).resolve().parent / "contexts" / "case-form.jsonld"
_FORM_PROPERTIES: frozenset[str] | None = None


def _describe(knowledge: CompiledKnowledge, data: Graph, value) -> str:
    """A short human reading of a case fact: a literal, a knowledge term, or a case node (its documented
    fields only, not what the rules derived)."""
    if isinstance(value, Literal):
        return str(value)
    text = str(value)
    if text in knowledge.labels:
        return knowledge.labels[text]
    parts = []
    form = _form_properties()
    for predicate, obj in sorted(data.predicate_objects(value)):
        if predicate in (RDF.type, NEC.inCase) or str(predicate) not in form:
            continue
        reading = str(obj) if isinstance(obj, Literal) else knowledge.labels.get(str(obj))
        if reading is not None:
            parts.append(f"{knowledge.label(predicate)} {reading}")
    return "; ".join(parts) or _local(value)


def _evidence(data: Graph, case_iri: URIRef, field_properties: dict[str, URIRef], info: ShapeInfo) -> list[dict]:
    """Evidence locators of the case whose field is on the shape's path."""
    if info.path is None:
        return []
    path_text = str(info.path)
    found = []
    for locator in data.objects(case_iri, NEC.hasEvidence):
        field_name = str(data.value(locator, NEC.aboutField) or "")
        prop = field_properties.get(field_name)
        if prop is not None and str(prop) in path_text:
            page = data.value(locator, NEC.page)
            found.append({"field": field_name, "document": str(data.value(locator, NEC.document) or ""),
                          "page": int(page) if page is not None else None})
    return sorted(found, key=lambda e: (e["field"], e["document"], e["page"] or 0))


def determine(*, knowledge: CompiledKnowledge, version: PolicyVersion, data: Graph, case_iri: URIRef,
              case_id: str, results: list[Result], engine_version: str,
              field_properties: dict[str, URIRef]) -> Determination:
    """Turn validation results into one outcome per requested line."""
    shapes = version.shapes
    lines = sorted(data.objects(case_iri, NEC.hasRequestedLine),
                   key=lambda n: int(data.value(n, NEC.lineIndex) or 0))
    delivers = {line: set(data.objects(line, NEC.delivers)) for line in lines}
    by_focus: dict[str, list[Result]] = {}
    for result in results:
        by_focus.setdefault(result.focus, []).append(result)

    applicable: dict[URIRef, set] = {}
    for info in shapes.values():
        for node in _focus_nodes(data, info):
            applicable.setdefault(node, set()).add(info.iri)

    exclude = _foreign_sources(knowledge, version)
    line_records, missing, unmet, warnings, advisories, met = [], {}, {}, {}, {}, {}
    unknown_codes = []
    for line in lines:
        index = int(data.value(line, NEC.lineIndex) or 0)
        code = str(data.value(line, NEC.notation))
        system = str(data.value(line, NEC.codeSystemName))
        known = data.value(line, NEC.hasCode)
        groups = set(data.objects(line, NEC.inCodeGroup))
        kind = data.value(line, NEC.requestKind)
        record = {
            "index": index, "line": str(line), "code": code, "system": system,
            "label": knowledge.label(known) if known is not None else None,
            "request_kind": knowledge.label(kind) if kind is not None else None,
            "request_kind_iri": str(kind) if kind is not None else None,
            "criteria": {"met": [], "undocumented": [], "unmet": []},
            "missing_documents": [], "reasons": [],
        }
        if known is None:
            unknown_codes.append({"code": code, "system": system, "line": index})
        in_scope = bool(groups & version.covers) and not (groups & version.excludes)
        if not in_scope:
            record["outcome"] = OUT_OF_SCOPE
            record["reasons"].append(
                f"{system} {code} is not a code the knowledge graph knows" if known is None
                else f"{system} {code} is outside the scope of {version.title}")
            line_records.append(record)
            continue

        foci = {line} | delivers[line]
        line_results = [r for f in foci for r in by_focus.get(str(f), [])]
        # outcome per path: the initial criteria, or documenting the pump (continuation)
        def worst(selected: list[Result]) -> str:
            outcome = MEETS
            for result in selected:
                info = shapes[URIRef(result.shape)]
                if result.severity != str(SH.Violation):
                    continue
                this = DOES_NOT_MEET if info.failure_kind == NEC.Contradicted else INSUFFICIENT
                if _RANK[this] > _RANK[outcome]:
                    outcome = this
            return outcome

        scored = [r for r in line_results if URIRef(r.shape) in shapes]
        switch = [r for r in scored if str(shapes[URIRef(r.shape)].group) == _SWITCH_GROUP]
        if switch:
            shared = [r for r in scored if str(shapes[URIRef(r.shape)].group) not in (_SWITCH_GROUP, _INITIAL_GROUP)]
            initial = [r for r in scored if str(shapes[URIRef(r.shape)].group) == _INITIAL_GROUP]
            outcome = min(worst(shared + initial), worst(shared + switch), key=_RANK.__getitem__)
            if worst(shared + initial) == MEETS:
                # the initial criteria already decide it: the other path is not asked for
                line_results = [r for r in line_results if r not in switch]
        else:
            outcome = worst(scored)
        record["outcome"] = outcome
        violated: dict[str, list[Result]] = {}   # the trace: criteria failed here (warnings too)
        for result in line_results:
            info = shapes.get(URIRef(result.shape))
            if info is None or info.criterion is None:
                continue
            if result.value is None and info.path is not None:
                # e.g. sh:maxCount: the engine names no value; the values on the path are what failed
                found = sorted(str(v) for v in data.objects(URIRef(result.focus), info.path))
                if found:
                    for value in found[1:]:
                        line_results.append(Result(result.focus, result.shape, result.severity, value))
                    result = Result(result.focus, result.shape, result.severity, found[0])
            if result.severity in (str(SH.Violation), str(SH.Warning)):
                violated.setdefault(str(info.criterion), []).append(result)
            if result.severity == str(SH.Violation):
                path = _PATH_NAMES.get(str(info.group), "all")
                item = _criterion(knowledge, info, exclude)
                if info.failure_kind == NEC.Contradicted:
                    entry = unmet.setdefault((item["criterion"], result.shape), {
                        **item, "shape": result.shape, "message": info.message, "lines": [], "values": []})
                    entry["lines"].append(code)
                    if result.value is not None:
                        entry["values"].append(_value_text(knowledge, data, result.value))
                else:
                    entry = missing.setdefault((item["criterion"], item["document_iri"], path), {
                        **item, "path": path, "messages": [], "blocks": [],
                        "evidence": [], "values": []})
                    entry["blocks"].append(code)
                    entry["messages"].append(info.message)
                    if result.value is not None:
                        entry["values"].append(_value_text(knowledge, data, result.value))
            else:
                bucket = warnings if result.severity == str(SH.Warning) else advisories
                entry = bucket.setdefault(result.shape, {
                    **_criterion(knowledge, info, exclude), "shape": result.shape, "message": info.message,
                    "lines": [], "values": []})
                entry["lines"].append(code)
                if result.value is not None:
                    entry["values"].append(_value_text(knowledge, data, result.value))
            _add_fact_citations(knowledge, entry, result.value, exclude)

        # three states per criterion: met only from documented facts; absence is never met
        line_facts: dict[str, list[str]] = {}
        line_infos: dict[str, ShapeInfo] = {}
        for shape_iri in sorted(set().union(*(applicable.get(f, set()) for f in foci)), key=str):
            info = shapes[shape_iri]
            if info.criterion is None or info.severity not in (SH.Violation, SH.Warning):
                continue
            criterion = str(info.criterion)
            line_infos.setdefault(criterion, info)
            facts = line_facts.setdefault(criterion, [])
            evidence_path = _evidence_path(knowledge, shape_iri)
            for focus in sorted((f for f in foci if shape_iri in applicable.get(f, ())), key=str):
                for path in (info.path, evidence_path):
                    if path is not None:
                        facts.extend(_describe(knowledge, data, v) for v in data.objects(focus, path))
        for criterion, facts in sorted(line_facts.items()):
            info = line_infos[criterion]
            if criterion in violated:
                kinds = {shapes[URIRef(r.shape)].failure_kind for r in violated[criterion]}
                bucket = "unmet" if NEC.Contradicted in kinds else "undocumented"
            else:
                bucket = "met" if facts else "undocumented"
            record["criteria"][bucket].append(criterion)
            if bucket == "met":
                entry = met.setdefault(criterion, {**_criterion(knowledge, info, exclude), "lines": [], "facts": [],
                                                   "evidence": []})
                entry["lines"].append(code)
                entry["facts"].extend(facts)
                entry["evidence"].extend(_evidence(data, case_iri, field_properties, info))
        record["missing_documents"] = sorted({e["document_iri"] for e in missing.values()
                                              if code in e["blocks"] and e["document_iri"]})
        for key in record["criteria"]:
            record["criteria"][key].sort()
        line_records.append(record)

    met_list = []
    for criterion, entry in sorted(met.items()):
        if any(criterion in r.get("criteria", {}).get("met", []) for r in line_records):
            entry["lines"] = sorted({l for l in entry["lines"] if any(
                r["code"] == l and criterion in r["criteria"]["met"] for r in line_records)})
            entry["facts"] = sorted(set(entry["facts"]))
            entry["evidence"] = sorted({json.dumps(e, sort_keys=True) for e in entry["evidence"]})
            entry["evidence"] = [json.loads(e) for e in entry["evidence"]]
            met_list.append(entry)

    def finish(entries, list_key):
        out = []
        for entry in entries.values():
            entry[list_key] = sorted(set(entry[list_key]))
            for extra in ("messages", "values"):
                if extra in entry:
                    entry[extra] = sorted(set(entry[extra]))
            out.append(entry)
        return sorted(out, key=lambda e: (_PATH_ORDER.get(e.get("path", ""), 9), e["criterion"], e.get("shape", ""),
                                          e.get("document_iri") or ""))

    missing_list = finish(missing, "blocks")
    for entry in missing_list:
        entry["evidence"] = []
    alternatives = []
    paths = sorted({e["path"] for e in missing_list})
    if "continuation" in paths:
        for path in ("initial-criteria", "continuation"):
            items = [e["criterion"] for e in missing_list if e["path"] in (path, "all")]
            alternatives.append({"path": path, "criteria": sorted(set(items))})

    unknown_drugs = sorted({str(data.value(r, NEC.drug)).rsplit("#", 1)[-1]
                            for r in data.objects(case_iri, NEC.hasRegimen)
                            if data.value(r, NEC.drug) is not None
                            and str(data.value(r, NEC.drug)) not in knowledge.types})
    unknown_diagnoses = sorted(str(data.value(d, NEC.notation)) for d in data.objects(case_iri, NEC.hasDiagnosis)
                               if data.value(d, NEC.hasCode) is None and not set(data.objects(d, NEC.inCodeGroup)))
    safety_notices = _safety_notices(knowledge, data, lines, line_records, exclude)
    return Determination(
        case_id=case_id, case_iri=str(case_iri), policy_id=version.policy_id, policy_version=version.label,
        policy_version_iri=str(version.iri), engine_version=engine_version,
        lines=sorted(line_records, key=lambda r: r["index"]),
        missing_documentation=missing_list,
        unmet_criteria=finish(unmet, "lines"),
        warnings=finish(warnings, "lines"),
        advisories=finish(advisories, "lines"),
        met_criteria=met_list,
        unknown={"codes": unknown_codes, "diagnoses": unknown_diagnoses, "drugs": unknown_drugs},
        alternatives=alternatives,
        safety_notices=safety_notices,
    )


def _safety_notices(knowledge: CompiledKnowledge, data: Graph, lines: list, records: list[dict],
                    exclude: frozenset) -> list[dict]:
    """A pended or refused line that keeps a running pump drug going carries that drug's withdrawal notice.

    The rules link such a line to the withdrawal risks of its drugs (``nec:withdrawalRiskOfLine``); the
    notice's words and citations are the knowledge's.
    """
    onto, notices = knowledge.ontology, {}
    by_index = {r["index"]: r for r in records}
    for line in lines:
        record = by_index[int(data.value(line, NEC.lineIndex) or 0)]
        if record["outcome"] not in (INSUFFICIENT, DOES_NOT_MEET):
            continue
        for risk in sorted(data.objects(line, NEC.withdrawalRiskOfLine), key=str):
            message = onto.value(risk, NEC.safetyNotice)
            if message is None:
                continue
            entry = notices.setdefault(str(risk), {
                "drug": knowledge.label(onto.value(risk, NEC.aboutDrug)), "lines": [],
                "message": str(message), "citations": _citations(knowledge, risk, exclude)})
            entry["lines"].append(record["code"])
    for entry in notices.values():
        entry["lines"] = sorted(set(entry["lines"]))
    return sorted(notices.values(), key=lambda e: e["drug"])
