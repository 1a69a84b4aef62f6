"""Run SPARQL query files over the knowledge graph (ontology + shapes), and optionally a store.

Values are bound with ``initBindings`` and never pasted into the query text, so a code typed
in by a user cannot reshape a query.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any, Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.query import Result

from .errors import QueryError
from .knowledge import load_ontology
from .namespaces import bind_prefixes
from .paths import data_root

__all__ = [
    "knowledge_graph", "parse_binding", "resolve_query_file", "run_query", "run_query_command",
    "format_result",
]


def knowledge_graph(*, ontology_root: Path | None = None, shapes_root: Path | None = None) -> Graph:
    """The ontology merged with every ``*.ttl`` file of the shapes directory."""
    graph = load_ontology(root=ontology_root)
    shapes = Path(shapes_root) if shapes_root is not None else Path(data_root("shapes"))
    if shapes.is_dir():
        for path in sorted(shapes.glob("*.ttl")):
            try:
                graph.parse(path, format="turtle")
            except Exception as exc:  # rdflib raises parser-specific exception types
                raise QueryError(f"{path.name}: cannot parse shapes file ({exc})") from exc
    bind_prefixes(graph)
    return graph


def resolve_query_file(name: str | Path) -> Path:
    """Find a query: a path as given, else a name inside ``queries/`` (``.rq`` optional).

    Raises:
        QueryError: no such file.
    """
    candidate = Path(name)
    if candidate.is_file():
        return candidate
    root = Path(data_root("queries"))
    for option in (root / candidate, root / f"{candidate}.rq", root / "qc" / candidate, root / "qc" / f"{candidate}.rq"):
        if option.is_file():
            return option
    raise QueryError(f"{name}: no such query file (looked in the current directory and in queries/)")


def parse_binding(text: str) -> tuple[str, URIRef | Literal]:
    """Parse ``VAR=VALUE``: ``<iri>`` becomes an IRI, anything else a plain literal.

    Raises:
        QueryError: the text has no ``=`` or an empty variable name.
    """
    var, sep, value = text.partition("=")
    var = var.strip().lstrip("?$")
    if not sep or not var:
        raise QueryError(f"--bind {text!r}: expected VAR=VALUE")
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return var, URIRef(value[1:-1])
    return var, Literal(value)


def run_query(text: str, graph: Graph, *, bindings: Mapping[str, Any] | None = None) -> Result:
    """Run one SPARQL query (SELECT, ASK or CONSTRUCT) over ``graph``.

    Args:
        text: the query text.
        graph: the graph to query.
        bindings: variable name (without ``?``) to rdflib term, passed as ``initBindings``.

    Raises:
        QueryError: the query is malformed or is an update.
    """
    stripped = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    if any(word in stripped.upper().split() for word in ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP")):
        raise QueryError("updates are refused: only SELECT, ASK, CONSTRUCT and DESCRIBE queries run")
    init = {k: v for k, v in (bindings or {}).items()}
    try:
        return graph.query(text, initBindings=init)
    except Exception as exc:  # pyparsing and rdflib raise several types
        raise QueryError(f"query failed: {exc}") from exc


def _cell(term: Any, graph: Graph | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef) and graph is not None:
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:  # pragma: no cover - unusual IRIs
            return f"<{term}>"
    return str(term)


def format_result(result: Result, *, fmt: str = "table", graph: Graph | None = None) -> str:
    """Render a query result as an aligned text table (prefixed names), CSV or SPARQL JSON."""
    if result.type == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.askAnswer)}, indent=2)
        return "true" if result.askAnswer else "false"
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        out = result.graph
        if graph is not None:
            out.namespace_manager = graph.namespace_manager
        return out.serialize(format="json-ld" if fmt == "json" else "turtle")
    variables = [str(v) for v in result.vars or []]
    rows = list(result)
    if fmt == "json":
        data = result.serialize(format="json")
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if row[v] is None else str(row[v]) for v in variables])
        return buffer.getvalue()
    table = [[_cell(row[v], graph) for v in variables] for row in rows]
    widths = [max([len(v)] + [len(r[i]) for r in table]) for i, v in enumerate(variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
    lines.append(f"({len(table)} row{'s' if len(table) != 1 else ''})")
    return "\n".join(lines)


def _open_store(url_or_path: str):
    try:
        from . import store  # type: ignore[attr-defined]
    except ImportError as exc:
        raise QueryError("store support not available") from exc
    opener = getattr(store, "open_store", None)
    if opener is None:
        raise QueryError("store support not available")
    return opener(url_or_path)


def run_query_command(args: argparse.Namespace) -> int:
    """``necessity query FILE [--format] [--bind VAR=VALUE ...] [--store URL]``."""
    path = resolve_query_file(args.file)
    text = path.read_text(encoding="utf-8")
    bindings = dict(parse_binding(b) for b in (args.bind or []))
    store_url = getattr(args, "store", None)
    store = _open_store(store_url) if store_url else None
    graph = knowledge_graph()
    fmt = getattr(args, "format", "table") or "table"
    result = run_query(text, graph, bindings=bindings)
    print(format_result(result, fmt=fmt, graph=graph))
    if store is not None:
        if bindings:
            # the store protocol takes query text only; pass bindings as a VALUES block built
            # from rdflib terms (n3-serialised, never raw user text)
            values = " ".join(f"?{k}" for k in bindings)
            row = " ".join(v.n3() for v in bindings.values())
            text = f"{text.rstrip()}\nVALUES ({values}) {{ ({row}) }}"
        try:
            store_result = _as_result(store.query(text))
        finally:
            store.close()
        print(f"\n# store: {store_url}", file=sys.stdout)
        print(format_result(store_result, fmt=fmt, graph=graph))
    return 0


def _as_result(store_result: Any) -> Result:
    """A store's ``QueryResult`` (SPARQL JSON or N-Triples) as an rdflib ``Result`` for ``format_result``."""
    if isinstance(store_result, Result):
        return store_result
    if store_result.is_graph:
        result = Result("CONSTRUCT")
        result.graph = store_result.graph()
        return result
    return Result.parse(io.BytesIO(store_result.payload), format="json")
