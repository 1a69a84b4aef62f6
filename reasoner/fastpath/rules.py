"""The SPARQL rules of ``shapes/rules.ttl``, for one case or set-at-a-time over many.

One case: each rule runs with ``$this`` bound to the case, over the ontology closure with the case
beside it (what :mod:`reasoner.inference` does, there with the case in a named graph). Many cases:
a rule runs once over the closure and the union of the batch's cases, with ``$this`` bound by the
rule shape's targets instead of a substitution, and each derived triple goes back to the graph of
the case whose node is its subject; or case by case where that is cheaper (:class:`RulePlan`).
Running once for all is sound because case nodes are IRIs under the case's own IRI
(``<case>/line/0`` ...) and the rules join case data only through them; the batch-equals-single
test checks it on every bundled and generated case. A rule whose derivations cannot be given back
to one case runs case by case instead.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph

from ..namespaces import RDF, RDFS, SH

__all__ = ["Rule", "RulePlan", "read_rules", "derive_one", "run_rules_many"]

_THIS = ox.Variable("this")
_CONSTRUCT = re.compile(r"\bCONSTRUCT\s*\{", re.IGNORECASE)
_WHERE = re.compile(r"\s*(WHERE\s*)?\{")


@dataclass(frozen=True)
class Rule:
    order: float
    text: str          # the CONSTRUCT as written, run with $this substituted
    targets: tuple[str, ...]  # patterns binding $this to the rule shape's focus nodes (empty: case by case)
    label: str = ""

    def batch_text(self, cases) -> str | None:
        """The rule for a batch: ``$this`` bound to every case by ``VALUES`` (Oxigraph then starts its
        joins from them) and kept to the rule shape's targets; None where it cannot be rewritten."""
        if not self.targets:
            return None
        values = "VALUES $this { " + " ".join(f"<{c.value}>" for c in cases) + " }"
        target = self.targets[0] if len(self.targets) == 1 else " UNION ".join(f"{{ {t} }}" for t in self.targets)
        return _with_targets(self.text, [f"{values} {{ {target} }}"])


def _with_targets(text: str, targets: list[str]) -> str | None:
    """Insert the target pattern at the start of the WHERE clause, or None where it cannot be found."""
    match = _CONSTRUCT.search(text)
    if match is None or not targets:
        return None
    end = text.find("}", match.end())  # a CONSTRUCT template holds no nested braces
    where = _WHERE.match(text, end + 1) if end >= 0 else None
    if where is None:
        return None
    pattern = targets[0] if len(targets) == 1 else " UNION ".join(f"{{ {t} }}" for t in targets)
    return f"{text[:where.end()]} {pattern} {text[where.end():]}"


def read_rules(graph: Graph) -> list[Rule]:
    """Every ``sh:SPARQLRule`` of the rules graph, in ``sh:order``."""
    rules = []
    for shape, rule in graph.subject_objects(SH.rule):
        if (rule, RDF.type, SH.SPARQLRule) not in graph:
            continue
        text = str(graph.value(rule, SH.construct))
        targets = [f"$this <{RDF.type}>/<{RDFS.subClassOf}>* <{cls}> ." for cls in graph.objects(shape, SH.targetClass)]
        targets += [f"VALUES $this {{ <{node}> }}" for node in graph.objects(shape, SH.targetNode)]
        rules.append(Rule(float(graph.value(rule, SH.order) or 0), text, tuple(targets),
                          str(graph.value(rule, RDFS.label) or "")))
    return sorted(rules, key=lambda r: (r.order, r.text))


def derive_one(store: ox.Store, rules: list[Rule], case: ox.NamedNode, triples) -> list[ox.Triple]:
    """The case's triples and every triple the rules derive from them, without repeats.

    The case goes into the store's default graph beside the closure while the rules run, and out
    again after (only what was not there before, so the closure is left as it was). Oxigraph reads
    one default graph about a third faster than the union of the closure and a case graph, and a
    store that takes quads out one by one stays as fast over hundreds of cases, where dropping a
    whole named graph each time slowed it down (both measured on the bundled cases).
    """
    out = dict.fromkeys(triples)
    added: list[ox.Quad] = []

    def put(new) -> None:
        quads = []
        for t in new:
            out.setdefault(t)
            quad = ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
            if quad not in store:
                quads.append(quad)
        store.extend(quads)
        added.extend(quads)

    try:
        put(list(out))
        for rule in rules:
            put(list(store.query(rule.text, substitutions={_THIS: case})))
    finally:
        for quad in added:
            store.remove(quad)
    return list(out)


class RulePlan:
    """Which way each rule runs in a batch: once for all cases, or case by case.

    Both ways derive the same triples (the batch-equals-single tests check it); they differ only in
    speed, and not the same way for every rule: Oxigraph joins a rule whose ``EXISTS`` or ``UNION``
    branches leave case nodes unbound across every case of the batch ("indication from the diagnoses"
    went from 0.4 ms a case alone to 4.9 ms in a batch of 64), while most rules get cheaper once the query is parsed once.
    So the first batches time each rule both ways, per case, and later batches take the cheaper.
    """

    WAYS = ("batch", "single")

    def __init__(self, rules: list[Rule], *, fixed: str | None = None) -> None:
        if fixed is not None and fixed not in self.WAYS:
            raise ValueError(f"a rule runs one of the ways {self.WAYS}, not {fixed!r}")
        self._cost: list[dict[str, float]] = [{} for _ in rules]
        self._lock = threading.Lock()
        self.fixed = fixed  # every rule one way (tests and the benchmark), instead of the cheaper

    def way(self, index: int, rule: Rule) -> str:
        if not rule.targets:
            return "single"
        if self.fixed is not None:
            return self.fixed
        with self._lock:
            cost = self._cost[index]
            if "batch" not in cost:
                return "batch"
            if "single" not in cost:
                return "single"
            return min(cost, key=cost.get)

    def record(self, index: int, way: str, seconds_per_case: float) -> None:
        with self._lock:
            self._cost[index].setdefault(way, seconds_per_case)

    def costs(self) -> list[dict[str, float]]:
        """Per rule, the seconds a case each way took when it was timed (for the benchmark)."""
        with self._lock:
            return [dict(c) for c in self._cost]


def run_rules_many(store: ox.Store, rules: list[Rule], plan: RulePlan, owners: dict, cases: dict,
                   union: ox.NamedNode) -> None:
    """Run the rules over every case of a batch store, each rule the way ``plan`` says.

    Args:
        store: its default graph holds the closure; each case is in its own named graph and all
            of them together in ``union``.
        owners: case node -> the named graph of its case (every subject of every case).
        cases: case IRI node -> its named graph.
    """
    batch_graphs = [ox.DefaultGraph(), union]
    for index, rule in enumerate(rules):
        way = plan.way(index, rule)
        started = time.perf_counter()
        quads, lost = [], False
        text = rule.batch_text(cases) if way == "batch" else None
        way = "single" if text is None else way
        if way == "batch":
            for t in store.query(text, default_graph=batch_graphs):
                graph = owners.get(t.subject)
                if graph is None:
                    lost = True  # a derivation no case owns: this rule runs case by case
                    break
                quads.append(ox.Quad(t.subject, t.predicate, t.object, graph))
        if way == "single" or lost:
            quads = []
            for case, graph in cases.items():
                derived = store.query(rule.text, default_graph=[ox.DefaultGraph(), graph],
                                      substitutions={_THIS: case})
                quads.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in derived)
        plan.record(index, "single" if lost else way, (time.perf_counter() - started) / max(1, len(cases)))
        store.extend(quads)
        store.extend([ox.Quad(q.subject, q.predicate, q.object, union) for q in quads])
