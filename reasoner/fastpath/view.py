"""A read-only view of one case graph with the part of rdflib's ``Graph`` API the determination uses.

The case stays in pyoxigraph; the view reads its named graph once (about 150 quads) into an index
of rdflib terms, so ``objects``, ``subjects``, ``value``, ``predicate_objects`` and property paths
(rdflib paths evaluate themselves through ``triples``) cost a dict lookup, not a store round trip.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from rdflib.paths import Path

from ..knowledge.compiled import from_ox

__all__ = ["CaseView"]


_TERMS: dict = {}


def _term(node):
    """``from_ox`` with a bounded cache: knowledge IRIs and small literals repeat across cases."""
    found = _TERMS.get(node)
    if found is None:
        found = from_ox(node)
        if len(_TERMS) < 100_000:
            _TERMS[node] = found
    return found


class CaseView:
    """The triples of one named graph of a pyoxigraph store, indexed by subject, predicate and object."""

    def __init__(self, store: ox.Store | None, graph: ox.NamedNode | None, triples=None) -> None:
        self._spo: dict = defaultdict(lambda: defaultdict(list))   # s -> p -> [o]
        self._pos: dict = defaultdict(lambda: defaultdict(list))   # p -> o -> [s]
        self._triples = []
        seen = set()
        for quad in (store.quads_for_pattern(None, None, None, graph) if triples is None else triples):
            s, p, o = _term(quad.subject), _term(quad.predicate), _term(quad.object)
            if (s, p, o) in seen:
                continue
            seen.add((s, p, o))
            self._triples.append((s, p, o))
            self._spo[s][p].append(o)
            self._pos[p][o].append(s)

    @classmethod
    def of_triples(cls, triples) -> CaseView:
        """A view of pyoxigraph triples not in any store (a case as read, before inference)."""
        return cls(None, None, triples)

    def __iter__(self):
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def __contains__(self, triple) -> bool:
        return any(True for _ in self.triples(triple))

    def triples(self, pattern):
        s, p, o = pattern
        if isinstance(p, Path):
            for s2, o2 in p.eval(self, s, o):
                yield s2, p, o2
            return
        if s is not None:
            by_p = self._spo.get(s)
            if not by_p:
                return
            if p is not None:
                for o2 in by_p.get(p, ()):
                    if o is None or o2 == o:
                        yield s, p, o2
                return
            for p2, objects in by_p.items():
                for o2 in objects:
                    if o is None or o2 == o:
                        yield s, p2, o2
        elif p is not None:
            by_o = self._pos.get(p)
            if not by_o:
                return
            if o is not None:
                for s2 in by_o.get(o, ()):
                    yield s2, p, o
                return
            for o2, subjects in by_o.items():
                for s2 in subjects:
                    yield s2, p, o2
        else:
            for t in self._triples:
                if o is None or t[2] == o:
                    yield t

    def objects(self, subject=None, predicate=None):
        if subject is not None and predicate is not None and not isinstance(predicate, Path):
            yield from self._spo.get(subject, {}).get(predicate, ())  # distinct: the triples are
            return
        seen = set()
        for _s, _p, o in self.triples((subject, predicate, None)):
            if o not in seen:
                seen.add(o)
                yield o

    def subjects(self, predicate=None, obj=None):
        if predicate is not None and obj is not None and not isinstance(predicate, Path):
            yield from self._pos.get(predicate, {}).get(obj, ())
            return
        seen = set()
        for s, _p, _o in self.triples((None, predicate, obj)):
            if s not in seen:
                seen.add(s)
                yield s

    def predicate_objects(self, subject=None):
        for _s, p, o in self.triples((subject, None, None)):
            yield p, o

    def subject_objects(self, predicate=None):
        for s, _p, o in self.triples((None, predicate, None)):
            yield s, o

    def value(self, subject=None, predicate=None, object=None, default=None, any=True):  # noqa: A002
        if object is None:
            for o in self.objects(subject, predicate):
                return o
        else:
            for s in self.subjects(predicate, object):
                return s
        return default
