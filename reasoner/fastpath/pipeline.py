"""The fast path: case triples -> rules -> compiled shapes -> determination, in one pyoxigraph store.

One case (:meth:`FastPath.decide_one`): the rules run in this thread's closure store with the case
beside the closure (:func:`~reasoner.fastpath.rules.derive_one`), the compiled shapes in a small store
holding the case alone. Many cases (:meth:`FastPath.decide_many`) get a store of
their own: the closure in its default graph, each case in its own named graph (what the shapes and
a rule run case by case read) and all of them in one more (what a rule run once for all reads);
each compiled query is evaluated once for all of them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox
from rdflib import URIRef

from ..knowledge.compiled import CompiledKnowledge, PolicyVersion, to_ox
from .compiler import CompiledShapes, compile_shapes
from ..loading.form_graph import FormCase
from .rules import RulePlan, derive_one, read_rules, run_rules_many
from .validate import validate_graphs
from .view import CaseView

__all__ = ["FastPath", "case_data"]

RECYCLE = 200  # decisions per working store (see FastPath._work_store)
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_CASE_GRAPH = ox.NamedNode("urn:necessity:case")  # the one case of a validation store
_UNION = ox.NamedNode("urn:necessity:batch:all")  # every case of a batch together, for rules run once for all


def case_data(case) -> FormCase:
    """What the fast path needs of a case, whichever loader read it: a
    :class:`~reasoner.loading.form_graph.FormCase` as it is, a :class:`~reasoner.loading.LoadedCase`
    as its triples."""
    if isinstance(case, FormCase):
        return case
    triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in case.graph]
    return FormCase(triples, str(case.iri), case.case_id, case.requested_policy)


class FastPath:
    """Rules and shapes compiled once per process (shapes once per policy version)."""

    def __init__(self, knowledge: CompiledKnowledge) -> None:
        self.knowledge = knowledge
        self.rules = read_rules(knowledge.rules_graph)
        self.plan = RulePlan(self.rules)
        self._compiled: dict[URIRef, CompiledShapes] = {}
        self._lock = threading.Lock()
        self._closure: list[ox.Quad] | None = None
        self._local = threading.local()
        self._types = {ox.NamedNode(k): [ox.NamedNode(str(c)) for c in v] for k, v in knowledge.types.items()}

    def compiled(self, version: PolicyVersion) -> CompiledShapes:
        with self._lock:
            if version.iri not in self._compiled:
                self._compiled[version.iri] = compile_shapes(version.shapes_graph)
            return self._compiled[version.iri]

    def _type_quads(self, triples, graph: ox.NamedNode) -> list[ox.Quad]:
        """The types of the knowledge individuals the triples of a case name (``sh:class`` reads them)."""
        nodes = set()
        for triple in triples:
            nodes.add(triple.subject)
            nodes.add(triple.object)
        return [ox.Quad(node, _TYPE, cls, graph) for node in nodes if isinstance(node, ox.NamedNode)
                for cls in self._types.get(node, ())]

    # ---------------------------------------------------------------- one case

    def _work_store(self) -> ox.Store:
        """This thread's store holding the closure, replaced every ``RECYCLE`` cases.

        Oxigraph's in-memory store keeps some trace of removed quads: a long-lived store that takes
        a case in and out per decision slows down a little (about 6% over 400 decisions, measured);
        a fresh copy of the closure costs about three decisions' rules.
        """
        local = self._local
        if getattr(local, "uses", RECYCLE) >= RECYCLE:
            local.store, local.uses = self._batch_store(), 0
        local.uses += 1
        return local.store

    def derive(self, case: FormCase) -> list[ox.Triple]:
        """The case graph the shapes read: the case, the rules' derivations and the types of the
        knowledge terms it names."""
        triples = derive_one(self._work_store(), self.rules, ox.NamedNode(case.iri), case.triples)
        return triples + [ox.Triple(q.subject, q.predicate, q.object)
                          for q in self._type_quads(triples, _CASE_GRAPH)]

    def decide_one(self, case: FormCase, version: PolicyVersion, finish) -> object:
        """Infer in this thread's closure store, validate in a store of the case alone, and call
        ``finish(view, results)``."""
        work = ox.Store()
        work.extend([ox.Quad(t.subject, t.predicate, t.object, _CASE_GRAPH) for t in self.derive(case)])
        results = validate_graphs(work, self.compiled(version), version, [_CASE_GRAPH])[_CASE_GRAPH]
        return finish(CaseView(work, _CASE_GRAPH), results)

    # ---------------------------------------------------------------- many cases

    def _batch_store(self) -> ox.Store:
        """A new store holding the ontology closure in its default graph."""
        with self._lock:
            if self._closure is None:
                self._closure = list(self.knowledge.closure.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        store = ox.Store()
        store.bulk_extend(self._closure)
        return store

    def decide_many(self, cases: Sequence[FormCase], versions: Sequence[PolicyVersion], finish) -> list:
        """Decide cases with distinct IRIs in one pass; ``finish(view, results)`` per case, in order."""
        store = self._batch_store()
        graphs = [ox.NamedNode(f"urn:necessity:batch:{i}") for i in range(len(cases))]
        owners: dict = {}
        quads = []
        for case, graph in zip(cases, graphs):
            for t in case.triples:
                owners[t.subject] = graph
                quads.append(ox.Quad(t.subject, t.predicate, t.object, graph))
                quads.append(ox.Quad(t.subject, t.predicate, t.object, _UNION))
        store.extend(quads)
        run_rules_many(store, self.rules, self.plan, owners,
                       {ox.NamedNode(c.iri): g for c, g in zip(cases, graphs)}, _UNION)
        for graph in graphs:
            store.extend(self._type_quads(store.quads_for_pattern(None, None, None, graph), graph))
        results: dict = {}
        by_version: dict = {}
        for graph, version in zip(graphs, versions):
            by_version.setdefault(version.iri, (version, []))[1].append(graph)
        for version, members in by_version.values():
            results.update(validate_graphs(store, self.compiled(version), version, members))
        return [finish(CaseView(store, g), results[g]) for g in graphs]


def unique_batches(items: Iterable, key, size: int) -> Iterator[list]:
    """Split items into batches of at most ``size`` whose keys are distinct, keeping their order."""
    batch, seen = [], set()
    for item in items:
        k = key(item)
        if len(batch) >= size or k in seen:
            yield batch
            batch, seen = [], set()
        batch.append(item)
        seen.add(k)
    if batch:
        yield batch

