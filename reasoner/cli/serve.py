"""``necessity serve``: hands over to the API package's own entry point (``python -m api``, also
installed as ``necessity-serve``) by replacing this process, so nothing in ``reasoner`` imports ``api``."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys

from ..errors import NecessityError
from .args import STORE_HELP

__all__ = ["add_parser"]

_EPILOG = """environment:
  NECESSITY_API_KEYS   comma-separated API keys; every route but /health needs one (X-API-Key or
                       Authorization: Bearer). Without keys the API refuses every call.
  NECESSITY_STORE      the store, when --store is not given (default ./var/store)
  NECESSITY_DOCS=off   no /docs, /redoc or /openapi.json
  (the README's API section lists the rest)"""


def _run(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("api") is None:
        raise NecessityError("the API package is not installed: install necessity-reasoner with its API")
    argv = [sys.executable, "-m", "api", "--host", args.host, "--port", str(args.port)]
    if args.store:
        argv += ["--store", args.store]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)  # never returns
    return 0  # pragma: no cover


def add_parser(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="serve the validation API and the SPARQL endpoint",
                           epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
    serve.add_argument("--store", help=STORE_HELP + "; created on first use")
    serve.set_defaults(func=_run)
