"""Letters and the reviewer's page, from Jinja2 templates that payer staff edit without Python.

The templates live in ``reasoner/templates/`` (or in the directory named by
``NECESSITY_TEMPLATES``, whose files take precedence); ``policies.toml`` beside them holds the
payer's notice settings (:mod:`reasoner.letters.settings`): payer name, contacts, appeal rights
per policy, the signature block, the names of the paths. One template gives both Markdown and
HTML: it calls building blocks (``_markdown.j2`` or ``_html.j2``) with the same names. Templates
run in Jinja2's sandbox with undefined names refused, so an edited template can neither reach
Python internals nor print a blank silently. Every value a template prints is escaped for the
format it lands in (:mod:`reasoner.letters.escaping`): HTML by Jinja2's autoescape, Markdown by a
finalizer, so a case's free text never becomes markup. Everything shown comes from the
:class:`~reasoner.determination.Determination` alone (and the determination's number, which
makes the authorization number), so a stored determination gives the same letter as the decision
did.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from ..determination import Determination
from ..determination.authorization import authorization_number
from .escaping import markdown_text, markdown_url, plain, safe_url
from ..knowledge.vocabulary import CriterionState, Outcome, recommendation, term
from .settings import load_settings, templates_dirs
from .notice_view import cited_sources, first_sentence, kind_groups, notice_citations, what_is_missing
from ..review.view import citations_to_check, groups

__all__ = ["render", "letter_markdown", "letter_html", "reviewer_page", "templates_dirs", "LETTERS"]

LETTERS = {"provider": "provider-letter.j2", "reviewer": "reviewer-file.j2"}
Format = Literal["markdown", "html"]


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def _day(moment: datetime | date | str | None) -> str:
    """A date as a US notice writes it: January 7, 2026."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = date.fromisoformat(moment[:10])
    return f"{moment.strftime('%B')} {moment.day}, {moment.year}"


def _elapsed(hours: Decimal | int | None) -> str:
    """A turnaround as a reader takes it in: hours up to two days, then days and hours."""
    if hours is None:
        return ""
    value = Decimal(hours)
    if value < 48:
        return f"{_number(value)} hours"
    days, rest = divmod(int(value), 24)
    return f"{days} days" + (f" {rest} hours" if rest else "")


def _number(value: Decimal | int | None) -> str:
    return "" if value is None else format(Decimal(value).normalize(), "f")


def _finalize(fmt: Format):
    """Escape every printed value that is not already markup (a building block's output)."""
    if fmt == "html":
        return lambda value: value if isinstance(value, Markup) or value is None else plain(value)
    return lambda value: value if isinstance(value, Markup) else Markup(markdown_text(value))


def _join(fmt: Format):
    """``join`` that escapes each item for the format (Jinja2's own would HTML-escape in Markdown)."""
    def join(items, separator: str = "") -> Markup:
        done = [i if isinstance(i, Markup) else Markup(escape(plain(i)) if fmt == "html" else markdown_text(i))
                for i in items]
        return Markup(separator).join(done)
    return join


def _url(fmt: Format):
    def url(value) -> Markup | None:
        safe = markdown_url(value) if fmt == "markdown" else safe_url(value)
        return None if safe is None else Markup(safe if fmt == "markdown" else escape(safe))
    return url


@lru_cache(maxsize=4)
def _environment(fmt: Format, dirs: tuple[Path, ...]) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]), undefined=StrictUndefined,
        autoescape=True, finalize=_finalize(fmt), trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    env.filters.update(join=_join(fmt), url=_url(fmt), number=_number, day=_day, missing=what_is_missing)
    env.globals.update(fmt=fmt, when=_when, day=_day, elapsed=_elapsed, label=lambda word: term(word).label,
                       phrase=lambda word: term(word).phrase, notice=lambda word: term(word).notice,
                       kind_groups=kind_groups, notice_citations=notice_citations, cited_sources=cited_sources,
                       first_sentence=first_sentence,
                       met_state=str(CriterionState.CriterionMet),
                       undocumented_state=str(CriterionState.CriterionNotDocumented), approved=str(Outcome.MeetsCriteria),
                       out_of_scope=str(Outcome.OutOfScope),
                       adverse_outcomes=[str(Outcome.InsufficientDocumentation), str(Outcome.DoesNotMeet)],
                       review_groups=groups, citations_to_check=citations_to_check, recommendation=recommendation)
    return env


def _words(dirs: tuple[Path, ...], policy_id: str) -> dict:
    return load_settings(dirs).words(policy_id)


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


def render(det: Determination, *, letter: str = "provider", fmt: Format = "markdown", number: int = 1,
           signoff: dict | None = None) -> str:
    """Render one letter (``provider`` or ``reviewer``) as Markdown or HTML; ``number`` is the
    determination's number in the store (1 for a case's first), which makes the authorization number.

    ``signoff`` (the reviewer's page only) says what the sign-off section offers: the determination's
    number and the latest, the form's action and token, the decisions the reader's role may make.
    None: the page shows how to sign off without a form (a printout, or the CLI).

    Raises:
        NoticeSettingsError: ``policies.toml`` is missing or malformed.
    """
    dirs = tuple(templates_dirs())
    template = _environment(fmt, dirs).get_template(LETTERS[letter])
    return _tidy(template.render(det=det, words=_words(dirs, det.policy.id),
                                 authorization_number=authorization_number(det.case_id, number), signoff=signoff), fmt)


def letter_markdown(det: Determination, *, number: int = 1) -> str:
    """The provider notice in Markdown."""
    return render(det, letter="provider", fmt="markdown", number=number)


def letter_html(det: Determination, *, number: int = 1) -> str:
    """The provider notice as an HTML page."""
    return render(det, letter="provider", fmt="html", number=number)


def reviewer_page(det: Determination, *, signoff: dict | None = None, number: int = 1) -> str:
    """The reviewer's page: the reviewer's file as HTML, the criteria tree per request kind, and the
    sign-off form (see :func:`render`)."""
    return render(det, letter="reviewer", fmt="html", signoff=signoff, number=number)
