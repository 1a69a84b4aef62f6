"""``necessity serve``: run the API with uvicorn.

The store is ``--store``, else ``NECESSITY_STORE``, else ``./var/store`` (an embedded
store directory; an http(s) URL means a SPARQL 1.1 server). API keys come from
``NECESSITY_API_KEYS``. Uvicorn's access log is off: it would log paths and query
strings, which can carry case ids; the API's own log records route templates only.
"""

from __future__ import annotations

import argparse
import logging

from reasoner.errors import NecessityError

from .settings import Settings

__all__ = ["run_server"]


def run_server(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app

    settings = Settings.from_env(store=getattr(args, "store", None))
    if not settings.api_keys:
        raise NecessityError("no API keys are configured: set NECESSITY_API_KEYS to one or more "
                             "comma-separated keys")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("httpx", "httpcore"):  # they log request URLs, which name cases for a remote store
        logging.getLogger(name).setLevel(logging.WARNING)
    app = create_app(settings)
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="info",
                server_header=False)
    return 0
