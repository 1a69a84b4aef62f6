"""Run SPARQL queries over the knowledge graph (ontology + shapes), or over a store.

A query comes from a file (a path, or a name inside ``queries/``), from ``-e 'SELECT ...'``
or from standard input. It passes the same read-only policy as ``/sparql``
(:func:`reasoner.store.policy.check_read_only_query`: no update, no SERVICE, no dataset
clause). Without ``--store`` it runs over the knowledge graph; with ``--store`` it runs
over the store alone (knowledge, cases and determinations), and prints one result set.

Values are bound with ``initBindings`` (or a VALUES row of rdflib terms for a store) and
never pasted into the query text, so a code typed in by a user cannot reshape a query.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.query import Result

from .errors import QueryError
from .knowledge.ontology import load_ontology
from .namespaces import bind_prefixes
from .knowledge.paths import data_root
from .tabular import defuse, defuse_tsv

__all__ = [
    "knowledge_graph", "parse_binding", "resolve_query_file", "run_query", "run_query_command",
    "format_result",
]


def knowledge_graph(*, ontology_root: Path | None = None, shapes_root: Path | None = None) -> Graph:
    """The ontology merged with every ``*.ttl`` file of the shapes directory and its ``clauses/``."""
    graph = load_ontology(root=ontology_root)
    shapes = Path(shapes_root) if shapes_root is not None else Path(data_root("shapes"))
    if shapes.is_dir():
        for path in [*sorted(shapes.glob("*.ttl")), *sorted(shapes.glob("clauses/*.ttl"))]:
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
        QueryRefusedError: an update, a SERVICE clause or a dataset clause (the shared policy).
        QueryError: the query is malformed.
    """
    from .store.policy import check_read_only_query

    check_read_only_query(text)
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
    if fmt in ("tsv", "xml") or (fmt == "csv" and result.type == "ASK"):
        return _via_oxigraph(result, fmt)
    if result.type == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.askAnswer)}, indent=2)
        return "true" if result.askAnswer else "false"
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        out = result.graph
        if graph is not None:
            out.namespace_manager = graph.namespace_manager
        if fmt in ("csv", "tsv"):
            raise QueryError(f"--format {fmt} is for SELECT results; a CONSTRUCT or DESCRIBE prints Turtle, "
                             "JSON-LD (json) or RDF/XML (xml)")
        return out.serialize(format="json-ld" if fmt == "json" else "turtle")
    variables = [str(v) for v in result.vars or []]
    rows = list(result)
    if fmt == "json":
        data = result.serialize(format="json")
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)
    if fmt == "csv":
        buffer = io.StringIO()
        # CRLF, as RFC 4180 and SPARQL CSV results write it, so a carriage return inside a value is
        # quoted too and cannot start a row of its own
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if row[v] is None else defuse(str(row[v])) for v in variables])
        return buffer.getvalue()
    table = [[_cell(row[v], graph) for v in variables] for row in rows]
    widths = [max([len(v)] + [len(r[i]) for r in table]) for i, v in enumerate(variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
    lines.append(f"({len(table)} row{'s' if len(table) != 1 else ''})")
    return "\n".join(lines)


def _via_oxigraph(result: Result, fmt: str) -> str:
    """TSV, CSV or SPARQL XML results (and RDF/XML for a graph), written by Oxigraph's serializers."""
    import pyoxigraph as ox

    if result.type in ("CONSTRUCT", "DESCRIBE"):
        if fmt != "xml":
            raise QueryError(f"--format {fmt} is for SELECT results; a CONSTRUCT or DESCRIBE prints Turtle, "
                             "JSON-LD (json) or RDF/XML (xml)")
        return result.graph.serialize(format="xml")
    payload = result.serialize(format="json")
    data = payload if isinstance(payload, bytes) else str(payload).encode("utf-8")
    target = {"tsv": ox.QueryResultsFormat.TSV, "xml": ox.QueryResultsFormat.XML,
              "csv": ox.QueryResultsFormat.CSV}[fmt]
    text = ox.parse_query_results(data, ox.QueryResultsFormat.JSON).serialize(format=target).decode("utf-8")
    return defuse_tsv(text) if fmt == "tsv" else text  # an ASK's CSV is one word, true or false
