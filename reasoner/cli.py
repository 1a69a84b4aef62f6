"""The ``necessity`` command: check cases, list policies, show derived cases and shapes, run SPARQL, serve the API."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import NecessityError

__all__ = ["main"]


def _cmd_check(args: argparse.Namespace) -> int:
    from .check import run_check

    return run_check(args)


def _cmd_policies(args: argparse.Namespace) -> int:
    from .check import run_policies

    return run_policies(args)


def _cmd_infer(args: argparse.Namespace) -> int:
    from .debug import run_infer

    return run_infer(args)


def _cmd_shapes(args: argparse.Namespace) -> int:
    from .debug import run_shapes

    return run_shapes(args)


def _cmd_query(args: argparse.Namespace) -> int:
    from .queries import run_query_command

    return run_query_command(args)


def _cmd_serve(args: argparse.Namespace) -> int:
    from api.server import run_server

    return run_server(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="necessity", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="decide one or more cases (default: the bundled example cases)")
    check.add_argument("cases", nargs="*", type=Path,
                       help="case files (.json case form or Da Vinci PAS request Bundle, .ttl, .jsonld)")
    check.add_argument("--policy", help="policy id (default: the case's own, else the configured default)")
    check.add_argument("--policy-version", help="policy version label (default: the policy's current version)")
    fmt = check.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print the determination as JSON")
    fmt.add_argument("--letter", action="store_true", help="print the determination as a Markdown letter")
    fmt.add_argument("--turtle", action="store_true", help="print the determination graph as Turtle")
    fmt.add_argument("--fhir", action="store_true", help="print the PAS response Bundle (PAS request bundles only)")
    check.set_defaults(func=_cmd_check)

    policies = sub.add_parser("policies", help="list policies, their versions and criteria with citations")
    policies.add_argument("policy", nargs="?", help="show the criteria of this policy")
    policies.add_argument("--json", action="store_true")
    policies.set_defaults(func=_cmd_policies)

    infer = sub.add_parser("infer", help="print the derived case graph (what the shapes see) as Turtle")
    infer.add_argument("case", type=Path, help="a case file (.json case form, .ttl, .jsonld)")
    infer.set_defaults(func=_cmd_infer)

    shapes = sub.add_parser("shapes", help="print the shapes graph a policy version validates with, as Turtle")
    shapes.add_argument("policy", metavar="POLICY[@VERSION]", help="policy id, optionally @version label")
    shapes.set_defaults(func=_cmd_shapes)

    query = sub.add_parser("query", help="run a SPARQL query file over the knowledge graph (and the store)")
    query.add_argument("file", type=Path, help="a .rq file (a name inside queries/ also works)")
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")
    query.add_argument("--bind", action="append", default=[], metavar="VAR=VALUE",
                       help="bind a query variable to a literal or <IRI> (repeatable)")
    query.add_argument("--store", help="also query this store: a directory (embedded) or an http(s) SPARQL URL")
    query.set_defaults(func=_cmd_query)

    serve = sub.add_parser("serve", help="serve the validation API and the SPARQL endpoint")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--store", help="a directory (embedded store) or an http(s) SPARQL URL")
    serve.set_defaults(func=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except NecessityError as exc:
        print(f"necessity: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
