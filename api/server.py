"""The API's entry point: ``python -m api``, ``necessity-serve``, and ``necessity serve`` (which execs it).

The store is ``--store``, else ``NECESSITY_STORE``, else ``./var/store`` (an embedded
store directory, created on first use; an http(s) URL means a SPARQL 1.1 server). It is
opened before the server starts, so a store that another process holds, or a remote
server that cannot be reached, is one line on stderr and exit status 2, not a traceback.
API keys come from ``NECESSITY_API_KEYS``. Uvicorn's access log is off: it would log
paths and query strings, which can carry case ids; the API's own log records route
templates only.
"""

from __future__ import annotations

import argparse
import logging
import sys

from reasoner.errors import NecessityError

from .settings import Settings

__all__ = ["main", "run_server"]


def run_server(args: argparse.Namespace) -> int:
    import uvicorn

    from reasoner.engine import Engine
    from reasoner.store import open_store

    from .app import create_app
    from .decision_pool import default_workers

    settings = Settings.from_env(store=getattr(args, "store", None))
    if settings.decide_workers is None:
        settings = settings.model_copy(update={"decide_workers": default_workers()})
    if not settings.api_keys:
        raise NecessityError("no API keys are configured: set NECESSITY_API_KEYS to one or more "
                             "comma-separated keys")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("httpx", "httpcore"):  # they log request URLs, which name cases for a remote store
        logging.getLogger(name).setLevel(logging.WARNING)
    store = open_store(settings.store, query_workers=settings.query_workers)
    try:
        engine = Engine.load()
        store.load_knowledge(engine.knowledge_graph)  # also checks a remote server's graph layout
        app = create_app(settings, engine=engine, store=store, load_knowledge=False)
        uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="info",
                    server_header=False)
    finally:
        store.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="necessity-serve",
                                     description="serve the validation API and the SPARQL endpoint")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--store", help="a directory (embedded store) or an http(s) SPARQL URL "
                                        "(default: NECESSITY_STORE, else ./var/store)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run_server(args)
    except NecessityError as exc:
        print(f"necessity: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
