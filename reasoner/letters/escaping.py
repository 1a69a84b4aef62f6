"""Escaping for the letters: every value a template prints lands as text, never as markup.

A case supplies free text (names, document titles, therapies) that reaches the letters inside
composed sentences. In Markdown, :func:`markdown_text` backslash-escapes the characters CommonMark
reads as syntax (emphasis, links, images, code, raw HTML, entities, table cells) and the block
markers a value could start a line with; in both formats :func:`plain` first neutralizes what would
change the layout or the reading order: line breaks and other control characters become a space,
bidirectional overrides and isolates are removed. Addresses pass :func:`safe_url`: only http and
https, with the characters that would end a Markdown link destination percent-encoded.
"""

from __future__ import annotations

import re

__all__ = ["plain", "markdown_text", "safe_url", "markdown_url"]

# C0 and C1 controls (tab, line feed and carriage return included: a value is one line of text), the
# line and paragraph separators, and the bidirectional marks, embeddings, overrides and isolates
_LAYOUT = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
# ASCII punctuation CommonMark gives a meaning inline: emphasis, code, links and images, raw HTML and
# autolinks, hard breaks, strikethrough, and table cell separators
_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# what would open a block if the value began a line: headings, quotes, list items, thematic breaks
_BLOCK_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|>|[+-](?=\s|$)|\d{1,9}[.)](?=\s|$)|[=-]+(?=\s*$))")


def plain(value: object) -> str:
    """The value as one line of text: controls and line breaks as spaces, bidirectional controls removed."""
    text = _BIDI.sub("", str(value))
    return _LAYOUT.sub(" ", text)


def markdown_text(value: object) -> str:
    """The value as literal CommonMark text, safe in a paragraph, a list item or a table cell."""
    text = _INLINE.sub(r"\\\1", plain(value))
    text = _ENTITY.sub(r"\\&", text)
    return _BLOCK_START.sub(_escape_block_start, text)


def _escape_block_start(match: re.Match) -> str:
    marker = match.group(2)
    if marker[0].isdigit():  # "1." opens a list: the backslash goes before the punctuation
        return match.group(1) + marker[:-1] + "\\" + marker[-1]
    return match.group(1) + "\\" + marker


_SCHEMES = ("http://", "https://")


def safe_url(value: object) -> str | None:
    """An http(s) address without spaces or controls, or None for anything else (``javascript:``...)."""
    text = plain(value).strip()
    if not text.lower().startswith(_SCHEMES) or " " in text:
        return None
    return text


def markdown_url(value: object) -> str | None:
    """A safe address written so it ends the Markdown link destination where it should."""
    url = safe_url(value)
    if url is None:
        return None
    return url.replace("\\", "%5C").replace("<", "%3C").replace(">", "%3E").replace("(", "%28").replace(")", "%29")
