"""The one read-only query policy, shared by ``necessity query`` and ``/sparql``.

A query passes when it is a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE) without a
SERVICE clause and without a dataset clause (``FROM`` / ``FROM NAMED``): the store decides
the dataset (the union of its graphs), and a query never reaches out to another server.

The check reads the query with a SPARQL tokenizer, not a keyword search: strings, IRIs,
comments, variables and prefixed names are tokens of their own, so a SELECT whose string
literal says " DELETE " passes, while a bare ``SERVICE`` keyword anywhere is refused. The
grammar itself is Oxigraph's: :func:`check_read_only_query` hands the text to Oxigraph's
parser (over an empty in-memory dataset) once the tokens have passed. Both are linear in
the query's size, so the check never recurses with the query's nesting depth.

One subtlety: ``<`` starts an IRI or is the less-than operator, and Oxigraph's parser tells
them apart by context. Where an IRI-shaped token could also be read as operator-then-tokens
hiding a refused keyword (``?a<x:b)SERVICE?s#>``), the check refuses it.

This module imports nothing but pyoxigraph, so query worker processes start fast.
"""

from __future__ import annotations

import re

from ..errors import QueryError, QueryRefusedError

__all__ = ["check_read_only_query", "query_form", "QUERY_FORMS", "UPDATE_KEYWORDS"]

QUERY_FORMS = ("select", "ask", "construct", "describe")
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
                             "WITH", "USING"})

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<bnode>_:[A-Za-z0-9_\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]*)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]*)?:(?:[A-Za-z0-9_:%\\\-.\u00B7\u00C0-\uFFFF]|%[0-9A-Fa-f]{2})*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.*+/|^!=<>?-])
""", re.VERBOSE | re.DOTALL)

# A refused keyword that an IRI-shaped token could hide if its '<' were the less-than
# operator: after ')' (the end of the expression), perhaps followed by '.'.
_HIDDEN = re.compile(r"\)\.?(SERVICE|FROM)(?![A-Za-z0-9_])", re.IGNORECASE)


def _keywords(text: str) -> list[str]:
    """The bare words (SPARQL keywords) of ``text``, upper-cased, in order.

    Raises:
        QueryError: a character starts no SPARQL token.
        QueryRefusedError: an IRI-shaped token could hide SERVICE or FROM.
    """
    words: list[str] = []
    pos, end = 0, len(text)
    match = _TOKEN.match
    while pos < end:
        m = match(text, pos)
        if m is None:
            raise QueryError(f"not a valid SPARQL 1.1 query: unexpected character at offset {pos}")
        kind = m.lastgroup
        if kind == "word":
            words.append(m.group().upper())
        elif kind == "iri" and _HIDDEN.search(m.group()):
            raise QueryRefusedError("the query has an IRI that could also be read as a SERVICE or FROM "
                                    "clause; write the IRI or the expression with spaces around '<'")
        pos = m.end()
    return words


def query_form(text: str) -> str:
    """The form of a query that passes the policy (``select``, ``ask``, ``construct``, ``describe``).

    Raises:
        QueryRefusedError: an update, a SERVICE clause or a dataset clause (FROM, FROM NAMED).
        QueryError: empty, or not a query.
    """
    if not isinstance(text, str) or not text.strip():
        raise QueryError("the query is empty")
    words = _keywords(text)
    if "SERVICE" in words:
        raise QueryRefusedError("SERVICE clauses are refused: queries run only over this store's own data")
    if "FROM" in words:
        raise QueryRefusedError("dataset clauses (FROM, FROM NAMED) are refused: the default graph is the "
                                "union of all graphs; use GRAPH to name one")
    for word in words:
        if word in ("BASE", "PREFIX"):
            continue
        if word.lower() in QUERY_FORMS:
            return word.lower()
        if word in UPDATE_KEYWORDS:
            raise QueryRefusedError("SPARQL updates are refused: only SELECT, ASK, CONSTRUCT and DESCRIBE run")
        break
    raise QueryError("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")


def check_read_only_query(text: str) -> str:
    """Check ``text`` against the policy and Oxigraph's SPARQL 1.1 grammar; return its form.

    Raises:
        QueryRefusedError: an update, a SERVICE clause or a dataset clause.
        QueryError: the text is not a valid SPARQL 1.1 query.
    """
    import pyoxigraph as ox

    form = query_form(text)
    try:
        # An empty in-memory dataset: the query is parsed, and evaluated over nothing
        # (results are lazy and never read). The tokens above have no SERVICE, so
        # nothing leaves the process.
        ox.Store().query(text)
    except SyntaxError as exc:
        raise QueryError(f"not a valid SPARQL 1.1 query: {' '.join(str(exc).split())[:300]}") from None
    except (OSError, ValueError, RuntimeError):
        pass  # an evaluation error over the empty dataset: the text parsed
    return form
