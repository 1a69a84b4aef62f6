"""Parsed RDF files kept as N-Triples in the user's cache, so a new process does not parse Turtle again.

rdflib's Turtle parser takes most of a cold start (the ontology and the shapes, about 0.4 s);
pyoxigraph reads the same triples back from N-Triples in a fraction of that. The key is the file's
path and bytes and rdflib's version, so an edited file is parsed afresh; a damaged or unwritable cache
is ignored. Blank node ids and the file's prefixes are kept, so the graph is the one rdflib parsed.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from importlib.metadata import version as package_version
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .terms import from_ox

__all__ = ["cache_dir", "parse_file"]

_PREFIX = re.compile(r"^#prefix ([^ ]*) <([^>]*)>$")


def cache_dir() -> Path:
    """``NECESSITY_CACHE_DIR``, else ``$XDG_CACHE_HOME/necessity``, else ``~/.cache/necessity``."""
    configured = os.environ.get("NECESSITY_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "necessity"


def _read(cache: Path, graph: Graph) -> Graph:
    data = cache.read_bytes()
    triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))  # all or nothing: a damaged file adds none
    for line in data.split(b"\n", 200)[:200]:
        match = _PREFIX.match(line.decode("utf-8", "replace"))
        if match is None:
            break
        graph.bind(match.group(1), match.group(2), override=True)
    terms: dict = {}  # one rdflib term per distinct node: predicates and classes repeat on most lines

    def term(node):
        found = terms.get(node)
        if found is None:
            found = terms[node] = from_ox(node)
        return found

    graph.addN((term(t.subject), term(t.predicate), term(t.object), graph) for t in triples)
    return graph


def _write(cache: Path, graph: Graph) -> None:
    header = "".join(f"#prefix {p} <{n}>\n" for p, n in graph.namespaces() if " " not in p and ">" not in n)
    body = graph.serialize(format="nt", encoding="utf-8")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache.parent, delete=False, suffix=".tmp") as handle:
            handle.write(header.encode("utf-8") + body)
        os.replace(handle.name, cache)
    except OSError:
        pass  # a read-only home still works, just without the cache


def parse_file(path: Path, fmt: str = "turtle", *, into: Graph | None = None) -> Graph:
    """The graph of one RDF file, from the cache when the file is unchanged; with ``into``, its triples
    are added to that graph (and it is returned).

    Raises:
        whatever rdflib raises for a file that does not parse (callers name the file).
    """
    path = Path(path)
    data = path.read_bytes()
    digest = hashlib.sha256()
    for part in (package_version("rdflib"), fmt, str(path.resolve())):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(data)
    cache = cache_dir() / "parsed" / f"{path.stem}-{digest.hexdigest()[:24]}.nt"
    if cache.is_file():
        try:
            return _read(cache, Graph() if into is None else into)
        except (OSError, SyntaxError, ValueError):
            pass  # a damaged cache is parsed afresh below (an ``into`` graph only ever gains triples)
    graph = Graph()
    graph.parse(path, format=fmt)
    _write(cache, graph)
    if into is None:
        return graph
    for prefix, namespace in graph.namespaces():
        into.bind(prefix, namespace, override=False)
    into += graph
    return into
