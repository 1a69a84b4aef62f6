"""A backup file, read and checked whole before anything is written: all of it is good, or nothing.

:func:`read_backup` takes the bytes of a backup (``.nq`` or ``.nq.gz``) and returns the quads to
restore, or raises :class:`StoreError` with one line naming what is wrong:

- the file ends with the closing line :func:`closing_line` writes (``# necessity-backup
  statements=N sha256=H``, an N-Quads comment, so any RDF tool still reads the file), and the
  statements before it are exactly those it counts and hashes: a file cut anywhere, at a line
  boundary included, is refused;
- it is UTF-8 N-Quads, every statement in a named graph, no graph named by a blank node, no lock
  graph, no name outside the store's scheme;
- every case graph is about its case only: no blank node, every subject the case IRI or a node
  under it, no node of another case, and it reads back through the case loader as that case;
- every determination graph (and bulk re-decision graph) belongs to a case of the file, numbers run
  from 1 without a gap, and it reads back through the determination model into exactly the
  statements it holds.

What the store derives is not taken from the file: the knowledge graph comes from the installed
package, the history and summary graphs are rebuilt from the restored determinations.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from collections import defaultdict

import pyoxigraph as ox
from rdflib import URIRef

from ..errors import CaseLoadError, StoreError
from ..namespaces import CASE, DET
from .ids import HISTORY_BASE, KNOWLEDGE_GRAPH, LOCK_BASE, PROFILES_GRAPH, REDECISION_NAME, SUMMARY_BASE

__all__ = ["closing_line", "read_backup"]

_CLOSING = re.compile(rb"# necessity-backup statements=([0-9]+) sha256=([0-9a-f]{64})\n?\Z")
_CASE_NAME = re.compile(re.escape(str(CASE)) + r"([A-Za-z0-9][A-Za-z0-9._~-]{0,127})\Z")
_DET_NAME = re.compile(re.escape(str(DET)) + r"([A-Za-z0-9][A-Za-z0-9._~-]{0,127})/([1-9][0-9]{0,8})\Z")
_DERIVED = (str(KNOWLEDGE_GRAPH), str(PROFILES_GRAPH))


def closing_line(data: bytes) -> bytes:
    """The line a backup ends with: how many statements come before it and their SHA-256."""
    count, digest = data.count(b"\n"), hashlib.sha256(data).hexdigest()
    return f"# necessity-backup statements={count} sha256={digest}\n".encode()


def _unpack(raw: bytes, name: str) -> bytes:
    if not name.endswith(".gz"):
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error):
        raise StoreError(f"{name} is not a complete gzip file (truncated or corrupt)") from None


def _body(data: bytes, name: str, unmarked: bool) -> bytes:
    cut = data.rstrip(b"\n").rfind(b"\n") + 1
    match = _CLOSING.match(data, cut)
    if match is None:
        if unmarked:
            return data
        raise StoreError(f"{name} does not end with the closing line of `necessity store backup`: it is "
                         "truncated, or was not written by it (--unmarked restores such a file unchecked for "
                         "truncation)")
    body = data[:cut]
    if int(match.group(1)) != body.count(b"\n") or hashlib.sha256(body).hexdigest() != match.group(2).decode():
        raise StoreError(f"{name}: the statements do not match the backup's closing line (altered or cut)")
    return body


def _parse(body: bytes, name: str) -> list[ox.Quad]:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise StoreError(f"{name} line {line}: not UTF-8") from None
    try:
        return list(ox.parse(body, ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        raise StoreError(f"{name} line {exc.lineno}: not an N-Quads statement") from None


def _kind(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph, name: str) -> str:
    if isinstance(graph, ox.DefaultGraph):
        raise StoreError(f"{name} has statements outside a named graph; a backup holds named graphs only")
    if isinstance(graph, ox.BlankNode):
        raise StoreError(f"{name} has a graph named by a blank node; a backup holds named graphs only")
    text = graph.value
    if text.startswith(LOCK_BASE):
        raise StoreError(f"{name} holds the lock graph {text}; a backup holds no bookkeeping of writes")
    if text in _DERIVED or text.startswith((HISTORY_BASE, SUMMARY_BASE)):
        return "derived"
    if _CASE_NAME.match(text):
        return "case"
    if _DET_NAME.match(text):
        return "determination"
    if REDECISION_NAME.match(text):
        return "redecision"
    raise StoreError(f"{name} holds the graph {text[:200]}, which is not a case, a determination or a graph the "
                     "store derives")


def _own_nodes(graph: str, quads: list[ox.Quad], name: str, what: str) -> None:
    """Every subject ``graph`` or a node under it; no blank node; no node of another case or determination."""
    for quad in quads:
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.BlankNode):
                raise StoreError(f"{name}: {what} {graph} holds a blank node")
        subject = quad.subject.value
        if subject != graph and not subject.startswith(graph + "/"):
            raise StoreError(f"{name}: {what} {graph} holds statements about {subject[:200]}, not about itself")
        target = quad.object.value if isinstance(quad.object, ox.NamedNode) else ""
        if what == "case graph" and target.startswith(str(CASE)) and target != graph \
                and not target.startswith(graph + "/"):
            raise StoreError(f"{name}: case graph {graph} points at {target[:200]}, a node of another case")


def _check_case(graph: str, quads: list[ox.Quad], name: str) -> None:
    from ..loading import load_case

    _own_nodes(graph, quads, name, "case graph")
    text = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                        format=ox.RdfFormat.N_TRIPLES) or b""
    try:
        case = load_case(text.decode("utf-8"), content_type="text/turtle", source=graph)
    except CaseLoadError as exc:
        raise StoreError(f"{name}: case graph {graph} does not read back as a case ({exc.reason})") from None
    if str(case.iri) != graph:
        raise StoreError(f"{name}: case graph {graph} describes the case {case.iri}")


def _canonical(triples: list[ox.Triple]) -> set[str]:
    """Triples as a store keeps them (Oxigraph writes a typed literal in its canonical form)."""
    store = ox.Store()
    store.extend([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples])
    return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in store}


def _check_determination(graph: str, case_id: str, quads: list[ox.Quad], name: str) -> None:
    from ..determination.rdf import from_graph, to_ntriples
    from .base import graph_from_nt

    _own_nodes(graph, quads, name, "determination graph")
    held = _canonical([ox.Triple(q.subject, q.predicate, q.object) for q in quads])
    nt = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES)
    try:
        det = from_graph(graph_from_nt(nt or b""), URIRef(graph))
    except (ValueError, TypeError, KeyError, LookupError) as exc:
        raise StoreError(f"{name}: determination graph {graph} does not read back through the determination "
                         f"model ({type(exc).__name__})") from None
    if det.case_id != case_id or det.case_iri != str(CASE[case_id]):
        raise StoreError(f"{name}: determination graph {graph} decides another case ({det.case_id[:130]})")
    written = _canonical(list(ox.parse(to_ntriples(det, URIRef(graph)).encode("utf-8"), ox.RdfFormat.N_TRIPLES)))
    if written != held:
        extra = len(held - written)
        raise StoreError(f"{name}: determination graph {graph} holds {extra} statement(s) the determination model "
                         f"does not write" if extra else
                         f"{name}: determination graph {graph} lacks {len(written - held)} statement(s) of its "
                         "determination")


def read_backup(raw: bytes, name: str, *, unmarked: bool = False) -> list[ox.Quad]:
    """The case and determination quads of a backup, every check passed (see the module docstring).

    Raises:
        StoreError: one line naming what is wrong; nothing has been written.
    """
    quads = _parse(_body(_unpack(raw, name), name, unmarked), name)
    graphs: dict[str, list[ox.Quad]] = defaultdict(list)
    kinds: dict[str, str] = {}
    for quad in quads:
        key = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        if key not in kinds:
            kinds[key] = _kind(quad.graph_name, name)
        graphs[key].append(quad)
    cases = {_CASE_NAME.match(g).group(1): g for g, k in kinds.items() if k == "case"}  # type: ignore[union-attr]
    numbers: dict[str, list[int]] = defaultdict(list)
    for graph, kind in kinds.items():
        if kind == "determination":
            match = _DET_NAME.match(graph)
            assert match is not None
            if match.group(1) not in cases:
                raise StoreError(f"{name}: determination graph {graph} belongs to no case of the backup")
            numbers[match.group(1)].append(int(match.group(2)))
    redecisions = sorted((REDECISION_NAME.match(g).group(1), g) for g, k in kinds.items()  # type: ignore[union-attr]
                         if k == "redecision")
    for case_id, graph in sorted(cases.items()):
        found = sorted(numbers.get(case_id, []))
        if found != list(range(1, len(found) + 1)) or not found:
            raise StoreError(f"{name}: case {case_id} has determinations {found or 'none'}; they run from 1 "
                             "without a gap")
        _check_case(graph, graphs[graph], name)
        for number in found:
            det = f"{DET}{case_id}/{number}"
            _check_determination(det, case_id, graphs[det], name)
    for case_id, graph in redecisions:  # `necessity redecide` graphs: the same model, under a policy version
        if case_id not in cases:
            raise StoreError(f"{name}: re-decision graph {graph} belongs to no case of the backup")
        _check_determination(graph, case_id, graphs[graph], name)
    return [q for graph, kind in kinds.items() if kind != "derived" for q in graphs[graph]]
