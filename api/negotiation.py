"""Content negotiation in one place: pick what to send from the Accept header."""

from __future__ import annotations

from fastapi import HTTPException

__all__ = ["choose", "NotAcceptable"]


class NotAcceptable(HTTPException):
    """None of the media types this resource offers is acceptable (406)."""

    def __init__(self, offered: list[str]) -> None:
        super().__init__(406, f"none of the acceptable media types is offered; this resource offers "
                              f"{', '.join(offered)}")


def _parse(accept: str) -> list[tuple[str, float, int]]:
    out = []
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append((media, q, position))
    return out


def _matches(pattern: str, media: str) -> int:
    """How specifically ``pattern`` matches ``media``: 2 exact, 1 ``type/*``, 0 ``*/*``, -1 no match."""
    if pattern == media:
        return 2
    if pattern == "*/*":
        return 0
    if pattern.endswith("/*") and media.split("/", 1)[0] == pattern[:-2]:
        return 1
    return -1


def choose(accept: str | None, offered: list[str], *, aliases: dict[str, str] | None = None) -> str:
    """The offered media type the client prefers; the first offered when it states no preference.

    Args:
        accept: the Accept header, or None.
        offered: the media types this resource can send, the default first.
        aliases: extra media types a client may ask for, mapped to an offered one
            (``application/json`` for SPARQL JSON results, for example).

    Raises:
        NotAcceptable: the client accepts none of them.
    """
    if not accept or not accept.strip():
        return offered[0]
    aliases = aliases or {}
    best: tuple[float, int, int, int] | None = None
    chosen: str | None = None
    for index, media in enumerate(offered + list(aliases)):
        target = aliases.get(media, media)
        for pattern, q, position in _parse(accept):
            specificity = _matches(pattern, media)
            if specificity < 0 or q <= 0:
                continue
            key = (q, specificity, -position, -index)
            if best is None or key > best:
                best, chosen = key, target
    if chosen is None:
        raise NotAcceptable(offered)
    return chosen
