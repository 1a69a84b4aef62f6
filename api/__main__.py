"""``python -m api``: serve the API (see :mod:`api.server`)."""

from .server import main

raise SystemExit(main())
