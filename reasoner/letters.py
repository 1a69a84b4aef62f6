"""Letters and the reviewer's page, from Jinja2 templates that payer staff edit without Python.

The templates live in ``reasoner/templates/`` (or in the directory named by
``NECESSITY_TEMPLATES``, whose files take precedence); ``policies.toml`` beside them holds the
payer's wording: appeal rights per policy, the signature block, the names of the paths. One
template gives both Markdown and HTML: it calls building blocks (``_markdown.j2`` or
``_html.j2``) with the same names. Templates run in Jinja2's sandbox with undefined names
refused, so an edited template can neither reach Python internals nor print a blank silently.
Everything shown comes from the :class:`~reasoner.determination.Determination` alone, so a
stored determination gives the same letter as the decision did.
"""

from __future__ import annotations

import os
import tomllib
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from .determination import Determination
from .knowledge.vocabulary import CriterionState, Outcome, recommendation, term
from .review.view import citations_to_check, groups

__all__ = ["render", "letter_markdown", "letter_html", "reviewer_page", "templates_dirs", "LETTERS"]

_PACKAGED = Path(__file__).resolve().parent / "templates"
LETTERS = {"provider": "provider-letter.j2", "reviewer": "reviewer-file.j2"}
Format = Literal["markdown", "html"]


def templates_dirs() -> list[Path]:
    """The template directories, the payer's own (``NECESSITY_TEMPLATES``) first."""
    configured = os.environ.get("NECESSITY_TEMPLATES")
    return ([Path(configured)] if configured else []) + [_PACKAGED]


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


@lru_cache(maxsize=4)
def _environment(fmt: Format, dirs: tuple[Path, ...]) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]), undefined=StrictUndefined,
        autoescape=fmt == "html", trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(fmt=fmt, when=_when, label=lambda word: term(word).label,
                       phrase=lambda word: term(word).phrase, met_state=str(CriterionState.CriterionMet),
                       adverse_outcomes=[str(Outcome.InsufficientDocumentation), str(Outcome.DoesNotMeet)],
                       review_groups=groups, citations_to_check=citations_to_check, recommendation=recommendation)
    return env


def _words(dirs: tuple[Path, ...], policy_id: str) -> dict:
    for directory in dirs:
        path = directory / "policies.toml"
        if path.is_file():
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            words = {**data.get("default", {}), **data.get(policy_id, {})}
            words["paths"] = data.get("paths", {})
            return words
    raise FileNotFoundError("policies.toml not found in the templates directories")


def _tidy(text: str, fmt: Format) -> str:
    """Collapse the blank lines the templates leave between blocks (one blank line at most)."""
    out, blank = [], False
    for line in text.splitlines():
        line = line.rstrip()
        if not line:
            if not blank and out:
                out.append("")
            blank = True
            continue
        blank = False
        out.append(line)
    return "\n".join(out).strip() + "\n"


def render(det: Determination, *, letter: str = "provider", fmt: Format = "markdown",
           signoff: dict | None = None) -> str:
    """Render one letter (``provider`` or ``reviewer``) as Markdown or HTML.

    ``signoff`` (the reviewer's page only) says what the sign-off section offers: the determination's
    number and the latest, the form's action and token, the decisions the reader's role may make.
    None: the page shows how to sign off without a form (a printout, or the CLI).
    """
    dirs = tuple(templates_dirs())
    template = _environment(fmt, dirs).get_template(LETTERS[letter])
    return _tidy(template.render(det=det, words=_words(dirs, det.policy.id), signoff=signoff), fmt)


def letter_markdown(det: Determination) -> str:
    """The provider letter in Markdown."""
    return render(det, letter="provider", fmt="markdown")


def letter_html(det: Determination) -> str:
    """The provider letter as an HTML page."""
    return render(det, letter="provider", fmt="html")


def reviewer_page(det: Determination, *, signoff: dict | None = None) -> str:
    """The reviewer's page: the reviewer's file as HTML, the criteria tree per request kind, and the
    sign-off form (see :func:`render`)."""
    return render(det, letter="reviewer", fmt="html", signoff=signoff)
