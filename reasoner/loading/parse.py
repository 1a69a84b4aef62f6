"""Reading bytes into Python values safely: UTF-8, JSON, unsafe characters, library warnings.

Nothing here echoes an input value or a library's own message: JSON errors give the line and
column, unsafe strings and numbers give the path of the value (``requested[0].units``), and
rdflib's warnings (which quote the literal they could not convert) are rephrased.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from reasoner.errors import CaseLoadError

__all__ = ["decode", "parse_json", "NonFinite", "TooLarge", "unsafe_text", "check_strings", "quiet_libraries",
           "path_of"]

log = logging.getLogger("necessity.loading")

_MAX_DIGITS = 40
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
"""C0 and C1 controls but tab, line feed and carriage return; the bidirectional embeddings,
overrides and isolates (U+202A-U+202E, U+2066-U+2069: "Trojan Source" text that reads differently
from how it is stored); lone surrogates; and the two noncharacters."""
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}\n]')


class NonFinite:
    """Stands for ``NaN``/``Infinity`` in parsed JSON, so the check that meets it names the field."""

    def __repr__(self) -> str:
        return "NonFinite()"


class TooLarge:
    """Stands for a number with more digits than any field allows."""

    def __repr__(self) -> str:
        return "TooLarge()"


def decode(data: bytes | str, source: str) -> str:
    if isinstance(data, str):
        text = data
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CaseLoadError(f"the body is not UTF-8 (byte {exc.start})", source=source,
                                line=data.count(b"\n", 0, exc.start) + 1) from None
    return text.lstrip("\ufeff")


def unsafe_text(text: str) -> bool:
    """A control character (other than tab, line feed, carriage return), a bidirectional override or
    isolate, or a lone surrogate."""
    return _UNSAFE.search(text) is not None


def path_of(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def check_strings(value: Any, source: str, parts: list[str | int] | None = None) -> None:
    """Refuse unsafe characters, NaN, Infinity and huge numbers anywhere in parsed JSON, by path."""
    parts = parts or []
    if isinstance(value, NonFinite):
        raise CaseLoadError("must be a finite number (NaN and Infinity are not JSON numbers)",
                            source=source, field=path_of(parts) or None)
    if isinstance(value, TooLarge):
        raise CaseLoadError("is too large", source=source, field=path_of(parts) or None)
    if isinstance(value, str):
        if unsafe_text(value):
            raise CaseLoadError("holds a control character, a bidirectional override or a lone surrogate",
                                source=source,
                                field=path_of(parts) or None)
    elif isinstance(value, dict):
        for key, item in value.items():
            if unsafe_text(key):
                raise CaseLoadError("a key holds a control character, a bidirectional override or a lone "
                                    "surrogate", source=source,
                                    field=path_of(parts) or None)
            check_strings(item, source, [*parts, key])
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_strings(item, source, [*parts, i])


def _check_depth(text: str, source: str, max_depth: int) -> None:
    depth, line = 0, 1
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token in "[{":
            depth += 1
            if depth > max_depth:
                raise CaseLoadError(f"nesting deeper than the case form allows ({max_depth} levels)",
                                    source=source, line=line, field=_deep_path(text, max_depth) or None)
        elif token in "]}":
            depth -= 1
        else:
            line += token.count("\n")


_PATH_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,]')


def _deep_path(text: str, max_depth: int) -> str:
    """The path of the first value nested deeper than ``max_depth`` (a second pass, only on refusal)."""
    frames: list[list[Any]] = []  # [bracket, the key or index of the child being read]
    last = ""
    for match in _PATH_TOKENS.finditer(text):
        token = match.group()
        if token.startswith('"'):
            last = token
        elif token == ":" and frames and frames[-1][0] == "{":
            try:
                key = json.loads(last)
            except ValueError:
                key = "?"
            frames[-1][1] = key[:64] if isinstance(key, str) and not unsafe_text(key) else "?"
        elif token == "," and frames and frames[-1][0] == "[":
            frames[-1][1] += 1
        elif token in "[{":
            if len(frames) >= max_depth:
                return path_of([f[1] for f in frames if f[1] is not None])
            frames.append([token, 0 if token == "[" else None])
        elif token in "]}" and frames:
            frames.pop()
    return ""


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__("duplicate key")
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _Duplicate(key)
        obj[key] = value
    return obj


def _integer(text: str) -> Any:
    return TooLarge() if len(text.lstrip("-")) > _MAX_DIGITS else int(text)


def _decimal(text: str) -> Any:
    return TooLarge() if len(text) > 2 * _MAX_DIGITS else Decimal(text)


def _float(text: str) -> Any:
    if len(text) > 2 * _MAX_DIGITS:
        return TooLarge()
    number = float(text)
    return number if number not in (float("inf"), float("-inf")) else TooLarge()


def parse_json(text: str, source: str, *, max_depth: int, decimals: bool = True) -> Any:
    """Parse JSON; NaN/Infinity and huge numbers become markers that the field checks name."""
    _check_depth(text, source, max_depth)
    try:
        value = json.loads(text, parse_float=_decimal if decimals else _float, parse_int=_integer,
                           parse_constant=lambda _name: NonFinite(), object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise CaseLoadError(f"invalid JSON: {exc.msg} (column {exc.colno})", source=source,
                            line=exc.lineno) from None
    except _Duplicate as exc:
        raise CaseLoadError("the key appears twice in one object", source=source,
                            field=None if unsafe_text(exc.key) else exc.key) from None
    except (ValueError, RecursionError):
        raise CaseLoadError("invalid JSON", source=source) from None
    check_strings(value, source)
    return value


class _Rephrase(logging.Filter):
    """Replace a library's log message (which may quote an input value) by a neutral one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = ("the RDF library reported a problem with a term of the input "
                      "(its text is withheld; the loader's error names the field or line)")
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True


_REPHRASE = _Rephrase()
for _name in ("rdflib", "rdflib.term", "rdflib.graph", "rdflib.namespace",
              "rdflib.plugins.parsers.jsonld", "rdflib.plugins.parsers.notation3"):
    logging.getLogger(_name).addFilter(_REPHRASE)


@contextmanager
def quiet_libraries() -> Iterator[None]:
    """Swallow Python warnings raised while parsing (they quote values) and log a neutral note."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    noteworthy = [w for w in caught if not issubclass(w.category, DeprecationWarning)]
    if noteworthy:
        log.info("the RDF library raised %d warning(s) while reading a case (text withheld)",
                 len(noteworthy))
