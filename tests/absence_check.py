"""Absence never passes: take away what a met criterion showed, and the line must stop meeting criteria.

For a decided case, each line that meets criteria and each blocking criterion (a ``sh:Violation``
shape) it met that asks for documentation (a shape whose failure kind is ``nec:NotDocumented``): the
documented facts that criterion showed are the last hop of each of its shapes' paths (and evidence
paths) from the line. A fact the case states is removed; a derived fact is
traced back to what the case states: a record node (a diagnosis, a regimen) loses the statements
that point at it, and a clinical condition documented as ruled out loses its findings property
(``nec:caseProperty``). The case without those facts is decided again under the same version; the
line must not meet criteria. Where a criterion can be contradicted (a shape whose failure kind is
``nec:Contradicted``), each documented true/false fact it showed is also stated the other way, and
the line must not meet criteria either.

Nothing here knows a policy, a criterion or a field: it reads the shapes and the knowledge.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.paths import AlternativePath, InvPath, SequencePath

from reasoner.determination.assess import focus_nodes
from reasoner.engine import Engine
from reasoner.errors import CaseLoadError
from reasoner.knowledge.vocabulary import CriterionState, Outcome
from reasoner.loading import LoadedCase, load_case
from reasoner.namespaces import NEC, SH

__all__ = ["Finding", "check_case"]

Triple = tuple


@dataclass(frozen=True)
class Finding:
    """A line that still met criteria after what one criterion showed was taken away (or negated)."""

    case: str
    policy: str
    line: int
    code: str
    criterion: str
    change: str     # "removed" or "negated"
    outcome: str    # the line's outcome after the change

    def key(self) -> tuple[str, str]:
        return (self.criterion.rsplit("/", 1)[-1], self.change)


def _last_hops(graph: Graph, focus, path) -> set[Triple]:
    """The triples of the last step of ``path`` from ``focus`` (as stored: subject, predicate, object)."""
    if isinstance(path, URIRef):
        return {(focus, path, o) for o in graph.objects(focus, path)}
    if isinstance(path, SequencePath):
        nodes = {focus}
        for step in path.args[:-1]:
            nodes = {o for n in nodes for o in graph.objects(n, step)}
        return {t for n in nodes for t in _last_hops(graph, n, path.args[-1])}
    if isinstance(path, AlternativePath):
        return {t for step in path.args for t in _last_hops(graph, focus, step)}
    if isinstance(path, InvPath):
        return {(s, path.arg, focus) for s in graph.subjects(path.arg, focus)}
    raise NotImplementedError(f"path kind not handled by the absence check: {path!r}")


def _asserted(case: Graph, inferred: Graph, knowledge_graph: Graph, hop: Triple) -> set[Triple]:
    """What the case states that gives the derived or stated triple ``hop``."""
    if hop in case:
        return {hop}
    value = hop[2]
    if isinstance(value, (URIRef, BNode)) and (value, None, None) in case:
        return set(case.triples((None, None, value)))  # a record of the case: the statements naming it
    if isinstance(value, URIRef):
        found: set[Triple] = set()
        for prop in knowledge_graph.objects(value, NEC.caseProperty):  # a condition documented ruled out
            found |= set(case.triples((None, URIRef(prop), None)))
        return found
    return set()


def _facts(engine: Engine, version, case: Graph, inferred: Graph, line: URIRef, criterion: URIRef):
    """The stated facts a met criterion showed on a line, and the failure kinds of its blocking shapes."""
    foci = {line} | set(inferred.objects(line, NEC.delivers))
    shown: set[Triple] = set()
    kinds: set = set()
    for info in version.shapes.values():
        if info.criterion != criterion or info.severity != SH.Violation:
            continue
        kinds.add(info.failure_kind)
        targets = focus_nodes(inferred, info) & foci
        for focus in targets:
            for path in (info.path, info.evidence_path):
                if path is None:
                    continue
                for hop in _last_hops(inferred, focus, path):
                    shown |= _asserted(case, inferred, engine.knowledge.ontology, hop)
    return shown, kinds


def _reachable(graph: Graph, root) -> Graph:
    """Only what the case still reaches: a record whose link was taken away goes with it."""
    seen, todo = {root}, [root]
    while todo:
        for o in graph.objects(todo.pop(), None):
            if isinstance(o, (URIRef, BNode)) and o not in seen and (o, None, None) in graph:
                seen.add(o)
                todo.append(o)
    out = Graph()
    for t in graph:
        if t[0] in seen:
            out.add(t)
    return out


def _statable(graph: Graph, root) -> LoadedCase:
    """The changed case read back through the loader: the case form's own rules decide if it can be said."""
    text = _reachable(graph, root).serialize(format="turtle")
    return load_case(text, content_type="text/turtle", source="changed case")


def _without_records(graph: Graph, remove: set[Triple]) -> set[Triple]:
    """A statement the form requires cannot be left out alone: leave out the whole record holding it."""
    records = {s for s, _p, _o in remove if (None, None, s) in graph}
    out = set(remove)
    for record in records:
        out |= set(graph.triples((record, None, None))) | set(graph.triples((None, None, record)))
    return out


def _decide(engine: Engine, loaded: LoadedCase, remove: set[Triple], add: set[Triple], policy: str):
    try:
        case = _statable(_copy_without(loaded.graph, remove, add), loaded.iri)
    except CaseLoadError:
        if add:
            raise  # a negation the form cannot state is a bug of this check
        case = _statable(_copy_without(loaded.graph, _without_records(loaded.graph, remove)), loaded.iri)
    return engine.decide(case, policy=policy)


def _copy_without(graph: Graph, remove: set[Triple], add: set[Triple] | frozenset = frozenset()) -> Graph:
    out = Graph()
    out += graph
    for t in remove:
        out.remove(t)
    for t in add:
        out.add(t)
    return out


def check_case(engine: Engine, loaded: LoadedCase, policy: str | None = None) -> tuple[list[Finding], int]:
    """Every finding of one case under ``policy`` (``id@label``; default: the version ``decide`` picks),
    and how many changed cases were decided."""
    det = engine.decide(loaded, policy=policy)
    pinned = f"{det.policy.id}@{det.policy.version}"
    version = engine.knowledge.policy_version(pinned)
    inferred = engine.infer(loaded)
    meeting = [line for line in det.lines if line.outcome == Outcome.MeetsCriteria]
    by_criterion: dict[str, list] = {}
    for line in meeting:
        for c in line.criteria:
            if c.state == CriterionState.CriterionMet and c.severity == "violation":
                by_criterion.setdefault(c.criterion, []).append(line)
    findings: list[Finding] = []
    decided = 0
    for criterion, lines in sorted(by_criterion.items()):
        shown: set[Triple] = set()
        kinds: set = set()
        for line in lines:
            facts, found = _facts(engine, version, loaded.graph, inferred, URIRef(line.line), URIRef(criterion))
            shown |= facts
            kinds |= found
        if not shown:
            continue  # met without a stated fact on any path (a SPARQL constraint): nothing to take away
        changes = []
        if NEC.NotDocumented in kinds or None in kinds:  # it asks for documentation: without it, not met
            changes.append(("removed", shown, set()))
        if NEC.Contradicted in kinds:  # it can be contradicted: each true/false fact it showed, stated the other way
            for s, p, o in shown:
                if isinstance(o, Literal) and o.datatype == XSD.boolean:
                    flipped = Literal(not o.toPython(), datatype=XSD.boolean)
                    changes.append(("negated", {(s, p, o)}, {(s, p, flipped)}))
        for change, remove, add in changes:
            after = _decide(engine, loaded, remove, add, pinned)
            decided += 1
            outcomes = {line.index: line.outcome for line in after.lines}
            states = {line.index: {c.criterion: c.state for c in line.criteria} for line in after.lines}
            for line in lines:
                now = outcomes.get(line.index)
                bad = now == Outcome.MeetsCriteria
                if change == "negated":  # the criterion is contradicted; the line has no better path than
                    # does-not-meet, unless another path (documenting the pump) could still rescue it
                    bad |= states.get(line.index, {}).get(criterion) != CriterionState.CriterionNotMet
                    bad |= now != Outcome.DoesNotMeet and not after.alternatives
                if bad:
                    findings.append(Finding(loaded.case_id, pinned, line.index, line.code, criterion, change, str(now or "")))
    return findings, decided
