"""IRIs an RDF store accepts: absolute, no spaces, no characters RFC 3987 forbids."""

from __future__ import annotations

import re

__all__ = ["valid_iri", "invalid_iri_line", "huge_number_line"]

_FORBIDDEN = re.compile(r"[\x00-\x20<>\"{}|\\^`\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKENS = re.compile(r'<(?P<iri>[^<>\n]*)>|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                     r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*', re.S)


def valid_iri(text: str, *, relative: bool = False) -> bool:
    """True for an IRI without forbidden characters; absolute unless ``relative``."""
    if not text or len(text) > 2048 or _FORBIDDEN.search(text) or _PERCENT.search(text):
        return False
    return relative or bool(_SCHEME.match(text))


def _unescape(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF else "\x00"


def invalid_iri_line(text: str) -> int | None:
    """The line of the first ``<...>`` IRI in Turtle text that is not a valid IRI (strings skipped)."""
    for match in _TOKENS.finditer(text):
        raw = match.group("iri")
        if raw is not None and not valid_iri(_ESCAPE.sub(_unescape, raw), relative=True):
            return text.count("\n", 0, match.start()) + 1
    return None


_HUGE = re.compile(r"[0-9]{41,}")


def huge_number_line(text: str) -> int | None:
    """The line of the first number with more than 40 digits outside strings, IRIs and comments."""
    last = 0
    for match in _TOKENS.finditer(text):
        found = _HUGE.search(text, last, match.start())
        if found:
            return text.count("\n", 0, found.start()) + 1
        last = match.end()
    found = _HUGE.search(text, last)
    return text.count("\n", 0, found.start()) + 1 if found else None
