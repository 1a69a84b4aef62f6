"""The ``necessity`` command: check cases, list policies, show derived cases and shapes, run SPARQL,
keep the store, serve the API.

``necessity serve`` hands over to the API package's own entry point (``python -m api``,
also installed as ``necessity-serve``) by replacing this process, so nothing in
``reasoner`` imports ``api``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from ..errors import NecessityError

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
    from ..queries import run_query_command

    return run_query_command(args)


def _cmd_diff(args: argparse.Namespace) -> int:
    from .diff import run_diff

    return run_diff(args)


def _cmd_redecide(args: argparse.Namespace) -> int:
    from .redecide import run_redecide

    return run_redecide(args)


def _cmd_serve(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("api") is None:
        raise NecessityError("the API package is not installed: install necessity-reasoner with its API")
    argv = [sys.executable, "-m", "api", "--host", args.host, "--port", str(args.port)]
    if args.store:
        argv += ["--store", args.store]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)  # never returns
    return 0  # pragma: no cover


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return value


def _moment(text: str):
    from datetime import datetime

    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an RFC 3339 date-time: {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="necessity", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="decide one or more cases (default: the bundled example cases)")
    check.add_argument("cases", nargs="*", type=Path,
                       help="case files or folders (.json case form or Da Vinci PAS request Bundle, .ttl, .jsonld)")
    check.add_argument("--policy", help="policy id, or id@version (default: the case's own, else the configured "
                       "default; version: the one in force on the date of service, else received_at, else today)")
    check.add_argument("--policy-version", help="policy version label (default: chosen by date, see --policy)")
    fmt = check.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print the determination as JSON")
    fmt.add_argument("--letter", action="store_true", help="print the determination as a Markdown letter")
    fmt.add_argument("--html", action="store_true", help="print the letter as an HTML page")
    fmt.add_argument("--turtle", action="store_true", help="print the determination graph as Turtle")
    fmt.add_argument("--fhir", action="store_true", help="print the PAS response Bundle (PAS request bundles only)")
    check.add_argument("--for", dest="letter_kind", choices=["provider", "reviewer"], default="provider",
                       help="with --letter or --html: the provider letter (default) or the reviewer's file")
    check.add_argument("--decided-at", type=_moment, default=None, metavar="DATETIME",
                       help="the decision time to record (RFC 3339; default: now), for reproducible letters")
    fmt.add_argument("--jsonl", action="store_true",
                     help="batch: one determination (or error) per line as each case finishes; exit 1 if any failed")
    check.add_argument("--workers", type=_positive, default=1, metavar="N",
                       help="with --jsonl: decide the batches on N processes (the machine's cores; default 1)")
    check.add_argument("--batch-size", type=_positive, default=32, metavar="N",
                       help="with --jsonl: cases decided together in one store (default 32)")
    check.set_defaults(func=_cmd_check)

    diff = sub.add_parser("diff", help="what changed between two policy versions (or shapes folders), and "
                                       "which stored cases it changes")
    diff.add_argument("a", help="policy@version (e.g. cms-ncd-280.14@2019-11) or a shapes folder")
    diff.add_argument("b", help="policy@version or a shapes folder")
    diff.add_argument("--policy", help="the policy, when A or B is a folder or a bare version label")
    diff.add_argument("--shapes", type=Path, help="the shapes folder that A and B versions are read from")
    diff.add_argument("--store", help="re-decide the stored cases decided under A (a directory or a SPARQL URL)")
    diff.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    diff.set_defaults(func=_cmd_diff)

    redecide = sub.add_parser("redecide", help="re-decide stored cases under a policy version, in bulk")
    redecide.add_argument("--store", required=True, help="a directory (embedded store) or an http(s) SPARQL URL")
    redecide.add_argument("--policy", required=True, help="policy@version to decide under (e.g. aetna-cpb-0161@2026-01)")
    redecide.add_argument("--engine", choices=["local", "spark"], default="local")
    redecide.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    redecide.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    redecide.add_argument("--workdir", type=Path, help="where the snapshot and results go (default: a temporary folder)")
    redecide.add_argument("--shapes", type=Path, help="read the policies from this shapes folder instead")
    redecide.add_argument("--all-cases", action="store_true",
                          help="every stored case, not only those with a determination under this policy")
    redecide.set_defaults(func=_cmd_redecide)

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

    query = sub.add_parser("query", help="run a read-only SPARQL query over the knowledge graph, or a store")
    query.add_argument("file", nargs="?", type=Path,
                       help="a .rq file (a name inside queries/ also works); '-' or none: standard input")
    query.add_argument("-e", "--expression", metavar="QUERY", help="the query text itself")
    query.add_argument("--format", choices=["table", "csv", "tsv", "json", "xml"], default="table")
    query.add_argument("--bind", action="append", default=[], metavar="VAR=VALUE",
                       help="bind a query variable to a literal or <IRI> (repeatable)")
    query.add_argument("--store", help="query this store instead (knowledge, cases, determinations): "
                                       "a directory (embedded) or an http(s) SPARQL URL")
    query.add_argument("--timeout", type=float, default=60.0, help="seconds a store query may run (default 60)")
    query.set_defaults(func=_cmd_query)

    from .store import add_store_parser

    add_store_parser(sub)

    from .review import add_review_parser

    add_review_parser(sub)

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
