"""Which determination of a case supersedes which: the ``nec:supersededBy`` statements.

A query that keeps only the latest (or the first) determination of each case used to compare
every determination's ``prov:generatedAtTime`` with every other's of the same case, which grows
with the store. Instead every writer (both stores' ``add_determination``, and the re-decision
job's load) ends its write with :func:`history_update`, in the same update request, so nothing
is half-written: it replaces the history graph of each case it touched (``history_iri(id)``)
with one ``earlier nec:supersededBy later`` statement for every pair of that case's
determinations whose decision times differ. The latest determination of a case is then the one
that nothing supersedes (``MINUS { ?determination nec:supersededBy ?later }``), the first the
one that supersedes nothing (``MINUS { ?earlier nec:supersededBy ?determination }``), as the
time comparison said: equal times supersede neither way. A case decided once has no history
graph (no pair), so ``add_case`` writes none.

This is the one place that says how the statements are made; :func:`history_update` with no
case ids rebuilds every case's history (a store written before this existed).
"""

from __future__ import annotations

from collections.abc import Iterable

from .ids import HISTORY_BASE, case_iri, history_iri, nt_iri

__all__ = ["history_update"]

_NEC, _PROV = "https://w3id.org/necessity/ontology#", "http://www.w3.org/ns/prov#"
# full IRIs, no PREFIX: the text follows other operations after " ;", where Oxigraph takes no prologue
_REBUILD = f"""INSERT {{{{ GRAPH ?history {{{{ ?earlier <{_NEC}supersededBy> ?later }}}} }}}}
WHERE {{{{
  {{values}}
  GRAPH ?earlierGraph {{{{ ?earlier <{_NEC}decidesCase> ?case ; <{_PROV}generatedAtTime> ?earlierAt }}}}
  GRAPH ?laterGraph {{{{ ?later <{_NEC}decidesCase> ?case ; <{_PROV}generatedAtTime> ?laterAt }}}}
  FILTER (?earlierAt < ?laterAt)
  {{bind}}
}}}}"""


def history_update(case_ids: Iterable[str] | None) -> str:
    """SPARQL Update text that rewrites the history graphs of ``case_ids`` (None: of every case).

    Append it to a write with `` ;`` so both are one request (one transaction). The patterns
    name their graphs (``GRAPH ?g``), so the text needs no union default graph.
    """
    if case_ids is None:
        drops = f'DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} ' \
                f'FILTER STRSTARTS(STR(?g), "{HISTORY_BASE}") }} ;\n'
        prefix = str(case_iri("x"))[:-1]
        bind = f'BIND (IRI(CONCAT("{HISTORY_BASE}", STRAFTER(STR(?case), "{prefix}"))) AS ?history)'
        return drops + _REBUILD.format(values="", bind=bind)
    ids = sorted(set(case_ids))
    if not ids:
        return ""
    drops = "".join(f"DROP SILENT GRAPH {nt_iri(history_iri(i))} ;\n" for i in ids)
    rows = " ".join(f"({nt_iri(case_iri(i))} {nt_iri(history_iri(i))})" for i in ids)
    return drops + _REBUILD.format(values=f"VALUES (?case ?history) {{ {rows} }}", bind="")
