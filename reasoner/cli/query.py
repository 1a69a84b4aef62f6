"""``necessity query``: a read-only SPARQL query over the knowledge graph, or over a store."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.query import Result

from ..errors import QueryError, StoreLockedError
from ..knowledge.paths import data_root
from ..namespaces import bind_prefixes
from ..queries import format_result, knowledge_graph, parse_binding, resolve_query_file, run_query
from .args import STORE_HELP, existing_store, store_location

__all__ = ["add_parser", "bundled_queries", "read_query_text", "run_query_command"]


def bundled_queries() -> list[tuple[str, bool, str]]:
    """The queries in ``queries/``: (name, whether it reads a store, its first comment line)."""
    found = []
    for path in sorted(data_root("queries").glob("*.rq")):
        header = [line[1:].strip() for line in path.read_text(encoding="utf-8").splitlines()
                  if line.startswith("#")]
        needs_store = any(line.startswith("Needs the store") for line in header)
        found.append((path.stem, needs_store, header[0] if header else ""))
    return found


def _epilog() -> str:
    rows = bundled_queries()
    width = max((len(name) for name, _, _ in rows), default=0)
    lines = ["bundled queries (a name from queries/ works as FILE):"]
    for name, needs_store, first in rows:
        lines.append(f"  {name.ljust(width)}  {'[--store] ' if needs_store else ''}{first}")
    lines.append("[--store]: reads the stored cases and determinations; give --store DIR (or set "
                 "NECESSITY_STORE).")
    return "\n".join(lines)


def _needs_store(path: Path) -> bool:
    return any(line.startswith("# Needs the store") for line in path.read_text(encoding="utf-8").splitlines())


def read_query_text(args: argparse.Namespace) -> str:
    """The query of ``necessity query``: ``-e TEXT``, a file (``-`` or none: standard input).

    Raises:
        QueryError: both a file and ``-e``, or an empty query.
    """
    expression = getattr(args, "expression", None)
    name = getattr(args, "file", None)
    if expression is not None and name is not None:
        raise QueryError("give either a query file or -e 'QUERY', not both")
    if expression is not None:
        text = expression
    elif name is None or str(name) == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise QueryError("no query: give a query file, -e 'SELECT ...', or pipe a query in")
        text = sys.stdin.read()
    else:
        text = resolve_query_file(name).read_text(encoding="utf-8")
    if not text.strip():
        raise QueryError("the query is empty")
    return text


def _open_store(location: str):
    from ..store import open_store
    from ..store.embedded import EmbeddedStore

    existing_store(location, command="query --store")
    try:
        store = open_store(location, query_workers=1)
    except StoreLockedError:
        print(f"necessity: the store {location} is held by a running server; querying a read-only snapshot "
              "of it (writes made after this moment are not seen)", file=sys.stderr)
        return EmbeddedStore.read_only(location)
    return store


def run_query_command(args: argparse.Namespace) -> int:
    """``necessity query [FILE | -e QUERY] [--format] [--bind VAR=VALUE ...] [--store LOCATION]``."""
    text = read_query_text(args)
    bindings = dict(parse_binding(b) for b in (args.bind or []))
    fmt = getattr(args, "format", "table") or "table"
    location = store_location(getattr(args, "store", None))
    if not location:
        name = getattr(args, "file", None)
        if name is not None and str(name) != "-" and _needs_store(resolve_query_file(name)):
            raise QueryError(f"the query {name} reads stored cases: give --store DIR (or set NECESSITY_STORE)")
        graph = knowledge_graph()
        print(format_result(run_query(text, graph, bindings=bindings), fmt=fmt, graph=graph))
        return 0
    from ..store.policy import check_read_only_query

    check_read_only_query(text)
    if bindings:
        # the store takes query text only: bind values with a VALUES row of rdflib terms
        # (n3-serialised, never raw user text)
        names = " ".join(f"?{k}" for k in bindings)
        row = " ".join(v.n3() for v in bindings.values())
        text = f"{text.rstrip()}\nVALUES ({names}) {{ ({row}) }}"
    store = _open_store(location)
    try:
        result = _as_result(store.query(text, timeout=getattr(args, "timeout", None) or 60.0))
    finally:
        store.close()
    prefixes = Graph()
    bind_prefixes(prefixes)
    print(format_result(result, fmt=fmt, graph=prefixes))
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


def add_parser(sub: argparse._SubParsersAction) -> None:
    query = sub.add_parser("query", help="run a read-only SPARQL query over the knowledge graph, or a store",
                           epilog=_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    query.add_argument("file", nargs="?",
                       help="a .rq file, or the name of a bundled query (below); '-' or none: standard input")
    query.add_argument("-e", "--expression", metavar="QUERY", help="the query text itself")
    query.add_argument("--format", choices=["table", "csv", "tsv", "json", "xml"], default="table",
                       help="output format (default: an aligned table)")
    query.add_argument("--bind", action="append", default=[], metavar="VAR=VALUE",
                       help="bind a query variable to a literal or <IRI> (repeatable)")
    query.add_argument("--store", help="query this store instead (knowledge, cases, determinations): " + STORE_HELP)
    query.add_argument("--timeout", type=float, default=60.0, help="seconds a store query may run (default 60)")
    query.set_defaults(func=run_query_command)
