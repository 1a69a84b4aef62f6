"""A read-only view of one case graph with the part of rdflib's ``Graph`` API the determination uses.

The case stays in pyoxigraph; the view reads its named graph once (about 150 quads) into an index
of rdflib terms, so ``objects``, ``subjects``, ``value``, ``predicate_objects`` and property paths
(rdflib paths evaluate themselves through ``triples``) cost a dict lookup, not a store round trip.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from rdflib.paths import Path

from ..compiled import from_ox

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
    """The triples of one named graph of a pyoxigraph store, indexed by subject and by predicate."""

    def __init__(self, store: ox.Store | None, graph: ox.NamedNode | None, triples=None) -> None:
        self._sp: dict = defaultdict(list)
        self._po: dict = defaultdict(list)
        self._triples = []
        for quad in (store.quads_for_pattern(None, None, None, graph) if triples is None else triples):
            s, p, o = _term(quad.subject), _term(quad.predicate), _term(quad.object)
            self._triples.append((s, p, o))
            self._sp[s].append((p, o))
            self._po[p].append((s, o))

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
            for p2, o2 in self._sp.get(s, ()):
                if (p is None or p2 == p) and (o is None or o2 == o):
                    yield s, p2, o2
        elif p is not None:
            for s2, o2 in self._po.get(p, ()):
                if o is None or o2 == o:
                    yield s2, p, o2
        else:
            for t in self._triples:
                if o is None or t[2] == o:
                    yield t

    def objects(self, subject=None, predicate=None):
        seen = set()
        for _s, _p, o in self.triples((subject, predicate, None)):
            if o not in seen:
                seen.add(o)
                yield o

    def subjects(self, predicate=None, obj=None):
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
