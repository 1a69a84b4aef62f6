"""CSV and TSV that a spreadsheet cannot run: the one place formula injection is neutralised.

A cell a spreadsheet reads as a formula (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``) runs
when an analyst opens a query export. The rule is OWASP's ("CSV Injection"), as ``defusedcsv``
applies it: a cell whose first character (after spaces) is ``=``, ``+``, ``-``, ``@``, ``|``, ``%``,
a tab or a carriage return, and that is not a plain number, is prefixed with a single quote
(``'=1+1``), which spreadsheets show as text, a DDE payload included. The quote changes the value:
that is the price of a file that is safe to open; JSON and XML results keep every value as stored.

Used by ``necessity query --format csv|tsv`` and by ``/sparql`` for ``text/csv`` and
``text/tab-separated-values``. In TSV (SPARQL 1.1 TSV results) a literal is written in quotes, and
a spreadsheet drops the quotes before it reads the cell, so the rule is applied inside them.
(``defusedcsv`` applies the rule inside a ``csv.writer`` only and leaves out tab and carriage
return; SPARQL TSV is no ``csv`` dialect, so the rule is written once here for both.)
"""

from __future__ import annotations

import csv
import io
import re

__all__ = ["defuse", "defuse_csv", "defuse_tsv", "FORMULA_START"]

FORMULA_START = ("=", "+", "-", "@", "|", "%", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9][0-9,.]*\Z")


def defuse(cell: str) -> str:
    """``cell`` as a spreadsheet shows it as text, never as a formula (see the module docstring)."""
    start = cell.lstrip(" ")
    if start and start[0] in FORMULA_START and not _NUMBER.match(start):
        return "'" + cell
    return cell


def defuse_csv(text: str, *, lineterminator: str = "\r\n") -> str:
    """CSV text with every cell defused (re-quoted as the csv module quotes)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([defuse(cell) for cell in row])
    return out.getvalue()


def _defuse_term(cell: str) -> str:
    if cell.startswith('"'):  # a literal: "lexical"@lang or "lexical"^^<datatype>
        end = cell.rfind('"')
        if end > 0:
            text = cell[1:end]  # escaped as in N-Triples: a leading tab or CR is written \t or \r
            if text.lstrip(" ").startswith(("\\t", "\\r")):
                return "\"'" + text + cell[end:]
            return '"' + defuse(text) + cell[end:]
        return cell
    if cell[:1] in ("<", "_", "?") or _NUMBER.match(cell) or cell in ("true", "false"):
        return cell  # an IRI, a blank node, a variable name, or a number or boolean written bare
    return defuse(cell)


def defuse_tsv(text: str) -> str:
    """SPARQL TSV results with every literal's text defused (tabs and line breaks inside values are
    escaped by the serializer, so a line is a row and a tab separates cells)."""
    lines = text.split("\n")
    return "\n".join("\t".join(_defuse_term(cell) for cell in line.split("\t")) if line else line
                     for line in lines)
