"""The ``necessity`` command: decide cases, list policies, run SPARQL, keep the store, serve the API.

Each command is one module of this package with an ``add_parser`` function; a command's heavy imports
wait until it runs.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..errors import NecessityError
from . import check, debug, diff, ontology, policies, query, redecide, review, serve, store

__all__ = ["main", "build_parser"]

_DESCRIPTION = """Explainable medical-necessity decisions for intrathecal drug delivery.
Start with `necessity check` (the bundled example cases) and `necessity policies`."""

COMMANDS = (check, policies, query, diff, redecide, review, store, ontology, debug, serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="necessity", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"necessity {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
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
