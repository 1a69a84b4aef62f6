"""``python -m reasoner.cli``: the same as the ``necessity`` command."""

from .main import main

raise SystemExit(main())
