"""What changed between two policy versions: criteria added, removed and changed, with labels.

A criterion is compared through everything that decides or explains it: the shapes that encode
it (targets, severity, failure kind and every constraint value, such as ``sh:minInclusive 50``),
its documentation item and its citations. Each version is read from its own shapes graph, so two
versions may reuse the same criterion and shape IRIs with different thresholds (the usual way to
revise a threshold), and two shapes folders compare the same way as two versions of one folder.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection

from .compiled import CompiledKnowledge, PolicyVersion
from ..namespaces import NEC, OBO, RDF, RDFS, SH

__all__ = ["diff_versions", "render_diff_markdown"]

_DEFINITION = OBO.IAO_0000115
_THRESHOLDS = {SH.minInclusive, SH.minExclusive, SH.maxInclusive, SH.maxExclusive, SH.minCount, SH.maxCount,
               SH.qualifiedMinCount, SH.qualifiedMaxCount, SH["in"], SH.hasValue, SH["class"], SH.datatype,
               SH.pattern, SH.minLength, SH.maxLength, SH.qualifiedValueShape, SH["not"], SH["and"], SH["or"],
               SH.sparql, SH.path, SH.node}
_SEVERITY = {SH.severity, NEC.failureKind}
_TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
_WORDING = {SH.name, SH.description, SH.message}


def _local(term) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


def _text(graph: Graph, node, labels: dict[str, str], depth: int = 0) -> str:
    """A stable reading of a constraint value: literals as written, IRIs by label, lists and blank nodes expanded."""
    if isinstance(node, Literal):
        return str(node)
    if isinstance(node, URIRef):
        return labels.get(str(node)) or _local(node)
    if depth > 6:
        return "[...]"
    if (node, RDF.first, None) in graph:
        return "(" + " ".join(_text(graph, item, labels, depth + 1) for item in Collection(graph, node)) + ")"
    parts = sorted(f"{_local(p)} {_text(graph, o, labels, depth + 1)}" for p, o in graph.predicate_objects(node)
                   if p not in (RDF.type, SH.message))
    return "[" + "; ".join(parts) + "]"


def _shape_facts(graph: Graph, shape: URIRef, labels: dict[str, str]) -> dict[str, tuple[str, str]]:
    """``{property: (aspect, value)}`` for one shape."""
    facts: dict[str, tuple[str, str]] = {}
    for prop in sorted(set(graph.predicates(shape, None)), key=str):
        if prop in _THRESHOLDS:
            aspect = "threshold"
        elif prop in _SEVERITY:
            aspect = "severity"
        elif prop in _TARGETS:
            aspect = "scope"
        elif prop in _WORDING:
            aspect = "wording"
        elif prop == NEC.satisfiedBy:
            aspect = "documentation"
        else:
            continue
        values = sorted(_text(graph, o, labels) for o in graph.objects(shape, prop)
                        if not (isinstance(o, Literal) and o.language not in (None, "en")))
        facts[f"sh:{_local(prop)}" if str(prop).startswith(str(SH)) else f"nec:{_local(prop)}"] = \
            (aspect, " | ".join(values))
    return facts


def _citations(knowledge: CompiledKnowledge, graph: Graph, criterion) -> list[str]:
    out = []
    for citation in graph.objects(criterion, NEC.hasCitation):
        source = graph.value(citation, NEC.citesSource)
        source_id = knowledge.ontology.value(source, NEC.sourceId) or _local(source)
        confidence = _local(graph.value(citation, NEC.confidence) or "")
        out.append(f"{source_id}: {graph.value(citation, NEC.locator) or ''} [{confidence}]")
    return sorted(out)


def _criterion_view(knowledge: CompiledKnowledge, version: PolicyVersion) -> dict[str, dict]:
    graph, labels = version.shapes_graph, knowledge.labels
    view: dict[str, dict] = {}
    criteria = set(version.criteria) | {i.criterion for i in version.shapes.values() if i.criterion is not None}
    for criterion in criteria:
        infos = sorted((i for i in version.shapes.values() if i.criterion == criterion), key=lambda i: str(i.iri))
        doc = graph.value(criterion, NEC.satisfiedBy)
        view[str(criterion)] = {
            "id": str(criterion),
            "name": str(graph.value(criterion, RDFS.label) or knowledge.label(criterion)),
            "definition": str(graph.value(criterion, _DEFINITION) or ""),
            "severity": sorted({_local(i.severity) for i in infos}),
            "documentation": str(graph.value(doc, NEC.documentName) or "") if doc is not None else "",
            "citations": _citations(knowledge, graph, criterion),
            "shapes": {str(i.iri): {"name": i.name, "facts": _shape_facts(graph, i.iri, labels)} for i in infos},
        }
    return view


def _criterion_changes(a: dict, b: dict) -> list[dict]:
    changes = []
    for key, aspect in (("name", "label"), ("definition", "label"), ("documentation", "documentation"),
                        ("severity", "severity")):
        if a[key] != b[key]:
            changes.append({"aspect": aspect, "what": key, "from": a[key], "to": b[key]})
    if a["citations"] != b["citations"]:
        changes.append({"aspect": "citations", "what": "citations",
                        "removed": sorted(set(a["citations"]) - set(b["citations"])),
                        "added": sorted(set(b["citations"]) - set(a["citations"]))})
    for shape in sorted(set(a["shapes"]) | set(b["shapes"])):
        sa, sb = a["shapes"].get(shape), b["shapes"].get(shape)
        name = (sb or sa)["name"]
        if sa is None or sb is None:
            changes.append({"aspect": "shapes", "what": "shape added" if sa is None else "shape removed",
                            "shape": shape, "shape_name": name})
            continue
        for prop in sorted(set(sa["facts"]) | set(sb["facts"])):
            fa, fb = sa["facts"].get(prop), sb["facts"].get(prop)
            if fa != fb:
                changes.append({"aspect": (fb or fa)[0], "what": prop, "shape": shape, "shape_name": name,
                                "from": fa[1] if fa else None, "to": fb[1] if fb else None})
    return changes


def _summary(entry: dict) -> dict:
    return {k: entry[k] for k in ("id", "name", "severity", "documentation", "citations")}


def _version_meta(knowledge: CompiledKnowledge, version: PolicyVersion) -> dict:
    graph = version.shapes_graph
    sources = sorted(str(knowledge.ontology.value(s, NEC.sourceId) or _local(s))
                     for s in graph.objects(version.iri, NEC.basedOn))
    return {"policy": version.policy_id, "version": version.label, "iri": str(version.iri),
            "title": str(graph.value(version.iri, RDFS.label) or version.title),
            "effective_date": version.effective_date, "end_date": version.end_date,
            "file": version.source_file, "sources": sources,
            "covers": sorted(knowledge.label(g) for g in version.covers),
            "excludes": sorted(knowledge.label(g) for g in version.excludes)}


def diff_versions(ka: CompiledKnowledge, va: PolicyVersion, kb: CompiledKnowledge, vb: PolicyVersion) -> dict:
    """The difference from version ``va`` (in knowledge ``ka``) to ``vb`` (in ``kb``), JSON-ready."""
    a, b = _criterion_view(ka, va), _criterion_view(kb, vb)
    ma, mb = _version_meta(ka, va), _version_meta(kb, vb)
    version_changes = []
    for key in ("effective_date", "end_date", "sources", "covers", "excludes", "title"):
        if ma[key] != mb[key]:
            version_changes.append({"what": key, "from": ma[key], "to": mb[key]})
    changed = []
    for cid in sorted(set(a) & set(b)):
        changes = _criterion_changes(a[cid], b[cid])
        if changes:
            changed.append({"id": cid, "name": b[cid]["name"], "changes": changes})
    return {
        "from": ma, "to": mb, "version_changes": version_changes,
        "criteria": {
            "added": [_summary(b[c]) for c in sorted(set(b) - set(a))],
            "removed": [_summary(a[c]) for c in sorted(set(a) - set(b))],
            "changed": changed,
            "unchanged": len([c for c in set(a) & set(b)]) - len(changed),
        },
    }


def _md(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_diff_markdown(diff: dict, cases: dict | None = None) -> str:
    """The diff (and, if given, the stored cases it changes) as Markdown for a policy author."""
    fa, fb = diff["from"], diff["to"]
    lines = [f"# {fa['policy']} {fa['version']} → {fb['policy']} {fb['version']}", "",
             f"- from: {fa['title']} ({fa['file']}, {fa['effective_date']} to {fa['end_date'] or 'open'})",
             f"- to: {fb['title']} ({fb['file']}, {fb['effective_date']} to {fb['end_date'] or 'open'})", ""]
    crit = diff["criteria"]
    lines.append(f"Criteria: {len(crit['added'])} added, {len(crit['removed'])} removed, "
                 f"{len(crit['changed'])} changed, {crit['unchanged']} unchanged.")
    lines.append("")
    if diff["version_changes"]:
        lines += ["## Version", "", "| what | from | to |", "|---|---|---|"]
        lines += [f"| {c['what']} | {_md(c['from'])} | {_md(c['to'])} |" for c in diff["version_changes"]]
        lines.append("")
    for title, key in (("Added criteria", "added"), ("Removed criteria", "removed")):
        if crit[key]:
            lines += [f"## {title}", "", "| criterion | severity | documentation | citations |", "|---|---|---|---|"]
            lines += [f"| {_md(c['name'])} (`{_local(c['id'])}`) | {_md(c['severity'])} | {_md(c['documentation'])} "
                      f"| {_md(c['citations'])} |" for c in crit[key]]
            lines.append("")
    if crit["changed"]:
        lines += ["## Changed criteria", ""]
        for c in crit["changed"]:
            lines += [f"### {c['name']} (`{_local(c['id'])}`)", "", "| aspect | what | shape | from | to |",
                      "|---|---|---|---|---|"]
            for ch in c["changes"]:
                if ch["aspect"] == "citations":
                    lines.append(f"| citations | citations | — | {_md(ch['removed'])} | {_md(ch['added'])} |")
                else:
                    lines.append(f"| {ch['aspect']} | {ch['what']} | {_md(ch.get('shape_name'))} | "
                                 f"{_md(ch.get('from'))} | {_md(ch.get('to'))} |")
            lines.append("")
    if cases is not None:
        lines += ["## Stored cases", "",
                  f"{cases['redecided']} stored cases decided under {fa['policy']} {fa['version']} were "
                  f"re-decided; {len(cases['changed'])} change.", ""]
        if cases["changed"]:
            lines += ["| case | line | under A | under B | criteria that made the difference |", "|---|---|---|---|---|"]
            for case in cases["changed"]:
                for line in case["lines"]:
                    names = ", ".join(f"{d['name']} ({d['from']} → {d['to']})" for d in line["criteria"])
                    lines.append(f"| {case['case']} | {line['code']} | {line['from']} | {line['to']} | {_md(names)} |")
            lines.append("")
        for error in cases.get("errors", []):
            lines.append(f"- {error['case']}: {error['error']}")
    return "\n".join(lines).rstrip() + "\n"
