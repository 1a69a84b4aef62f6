"""The documents a determination becomes: the provider's notice and the reviewer's file, as Markdown
and HTML from Jinja2 templates (``reasoner/templates/``), with per-policy notice settings.

``render`` and the letter functions live in :mod:`.documents` and are loaded on first use, so that reading
the notice settings (:mod:`.settings`, checked when the engine loads) does not import Jinja2.
"""

from __future__ import annotations

from typing import Any

__all__ = ["letter_html", "letter_markdown", "render", "reviewer_page"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import documents as module

        return getattr(module, name)
    raise AttributeError(name)
