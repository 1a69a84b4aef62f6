"""Turtle input: parsed with the line of any error, and no term a store would refuse."""

from __future__ import annotations

import re

import rdflib
from rdflib import Literal, URIRef

from reasoner.errors import CaseLoadError
from reasoner.namespaces import CASE

from .iris import huge_number_line, invalid_iri_line, valid_iri
from .parse import quiet_libraries, unsafe_text

__all__ = ["parse_turtle", "check_terms"]

# \uD800-\uDFFF (a lone UTF-16 half) and C0/C1 control characters written as escapes
_BAD_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F][0-9a-fA-F]{2}|00[01][0-9a-fA-F]|007[fF]|008[0-9a-fA-F]"
                         r"|009[0-9a-fA-F])|\\U0000(?:[dD][89a-fA-F][0-9a-fA-F]{2}|00[01][0-9a-fA-F])")
_SAFE_ESCAPES = ("\\u0009", "\\u000a", "\\u000A", "\\u000d", "\\u000D")


def _bad_escape_line(text: str) -> int | None:
    for match in _BAD_ESCAPE.finditer(text):
        if match.group() not in _SAFE_ESCAPES:
            return text.count("\n", 0, match.start()) + 1
    return None


_LINE_BREAK = re.compile("[\n\r\u2028\u2029]")


def _line_break_line(text: str) -> int | None:
    """The line of a literal that holds a line break (a long literal, or an escaped one)."""
    for match in re.finditer(r'"""|\'\'\'|\\[nr]|\\u202[89]', text):
        return text.count("\n", 0, match.start()) + 1
    return None


def _unsafe_line(text: str) -> int | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if unsafe_text(line.replace("\r", "").replace("\t", "")):
            return number
    return None


def parse_turtle(text: str, source: str) -> rdflib.Graph:
    """Parse Turtle; refuse control characters, lone surrogates and invalid IRIs by line."""
    line = _unsafe_line(text)
    if line is not None:
        raise CaseLoadError("a control character, a bidirectional override or a lone surrogate", source=source,
                            line=line)
    line = _bad_escape_line(text)
    if line is not None:
        raise CaseLoadError("an escape that stands for a control character or a lone surrogate",
                            source=source, line=line)
    line = huge_number_line(text)
    if line is not None:
        raise CaseLoadError("a number with more than 40 digits", source=source, line=line)
    graph = rdflib.Graph()
    try:
        with quiet_libraries():
            graph.parse(data=text, format="turtle", publicID=str(CASE))
    except Exception as exc:  # BadSyntax, or a bad literal/IRI raised from inside the parser
        found = getattr(exc, "lines", None)
        why = getattr(exc, "_why", None)
        reason = "invalid Turtle" + (f": {why}" if isinstance(why, str) and len(why) < 80 and
                                     '"' not in why and "<" not in why else "")
        raise CaseLoadError(reason, source=source,
                            line=found + 1 if isinstance(found, int) else _syntax_line(text)) from None
    check_terms(graph, source, text)
    return graph


def _syntax_line(text: str) -> int | None:
    """The line of a syntax error rdflib raised without one (Oxigraph's parser says where)."""
    import pyoxigraph as ox

    try:
        for _quad in ox.parse(text.encode("utf-8", "replace"), ox.RdfFormat.TURTLE, base_iri=str(CASE)):
            pass
    except SyntaxError as exc:
        return exc.lineno if isinstance(exc.lineno, int) else None
    except (ValueError, OSError):
        return None
    return None


def check_terms(graph: rdflib.Graph, source: str, text: str | None = None) -> None:
    """Every IRI absolute and valid, every literal free of control characters and lone surrogates."""
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and not valid_iri(str(term)):
                raise CaseLoadError("an IRI that is not valid (a space or a forbidden character)",
                                    source=source, line=invalid_iri_line(text) if text else None)
            if isinstance(term, Literal) and unsafe_text(str(term)):
                raise CaseLoadError("a literal holds a control character, a bidirectional override or a lone "
                                    "surrogate", source=source)
            if isinstance(term, Literal) and _LINE_BREAK.search(str(term)):
                raise CaseLoadError("a literal holds a line break; every value of a case is one line",
                                    source=source, line=_line_break_line(text) if text else None)
