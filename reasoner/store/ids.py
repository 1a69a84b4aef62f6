"""The names of the store's graphs, and the checks that keep outside identifiers out of SPARQL text.

The dataset holds three kinds of named graph, so one SPARQL query can join them:

- the knowledge graph (ontology, shapes and policy data), named :data:`KNOWLEDGE_GRAPH`;
- one graph per case, named by the case IRI (``CASE[<id>]``);
- one graph per determination, named ``DET[<id>/<n>]`` where ``n`` counts the
  determinations of that case from 1; the name is also the IRI of the
  ``nec:Determination`` node inside it;
- one graph per bulk re-decision of a case under a policy version (``necessity redecide``), named
  ``DET[<id>/<policy>@<version>]`` (:func:`redecision_iri`), so a re-run replaces it.

A case decided more than once also has a history graph, named under :data:`HISTORY_BASE`
(``history_iri(<id>)``), that says which of its determinations supersede which
(``nec:supersededBy``, see :mod:`reasoner.store.history`). Every case with a determination
has a summary graph, named under :data:`SUMMARY_BASE` (``summary_iri(<id>)``), and the
profiles those summaries point to are described once in :data:`PROFILES_GRAPH` (see
:mod:`reasoner.store.summary`). A remote store also keeps small
bookkeeping graphs under :data:`LOCK_BASE` (one per contested write, see
:mod:`reasoner.store.consensus`).
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import URIRef

from ..errors import InvalidIdentifierError
from ..namespaces import CASE, DET

__all__ = ["KNOWLEDGE_GRAPH", "LOCK_BASE", "HISTORY_BASE", "history_iri", "SUMMARY_BASE", "PROFILES_GRAPH",
           "summary_iri", "validate_case_id", "case_iri",
           "determination_iri", "nt_iri",
           "lock_iri", "case_ids_of"]

KNOWLEDGE_GRAPH = URIRef("https://w3id.org/necessity/graph/knowledge")
"""The named graph holding the ontology, the shapes and the policy data."""

LOCK_BASE = "https://w3id.org/necessity/graph/lock/"
"""Where a remote store keeps the bookkeeping of contested writes (one graph per case or number)."""

HISTORY_BASE = "https://w3id.org/necessity/graph/history/"
"""Where the store keeps each case's history graph (which determination supersedes which)."""

SUMMARY_BASE = "https://w3id.org/necessity/graph/summary/"
"""Where the store keeps each case's summary graph (what the store queries read)."""

PROFILES_GRAPH = URIRef("https://w3id.org/necessity/graph/summary-profiles")
"""The graph describing the determination and line profiles the summaries point to (no case data)."""

_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}\Z")


def validate_case_id(case_id: str) -> str:
    """Return ``case_id`` if a store accepts it, else raise.

    Raises:
        InvalidIdentifierError: the id is empty, too long or has a character outside
            ``A-Z a-z 0-9 . _ ~ -``.
    """
    if not isinstance(case_id, str) or not _CASE_ID.match(case_id):
        raise InvalidIdentifierError(
            "a case id is 1 to 128 letters, digits, '.', '_', '~' or '-', starting with a letter or digit")
    return case_id


def case_iri(case_id: str) -> URIRef:
    """The IRI naming a case and its graph."""
    return CASE[validate_case_id(case_id)]


def determination_iri(case_id: str, number: int) -> URIRef:
    """The IRI naming the ``number``-th determination of a case and its graph."""
    if not isinstance(number, int) or number < 1:
        raise InvalidIdentifierError("a determination number is a whole number from 1")
    return DET[f"{validate_case_id(case_id)}/{number}"]


REDECISION_NAME = re.compile(re.escape(str(DET)) + r"([A-Za-z0-9][A-Za-z0-9._~-]{0,127})/"
                             r"([a-z0-9][a-z0-9.-]*)@([A-Za-z0-9][A-Za-z0-9._-]*)\Z")


def redecision_iri(case_id: str, policy_id: str, label: str) -> URIRef:
    """The graph (and node) of a bulk re-decision of a case under one policy version."""
    iri = DET[f"{validate_case_id(case_id)}/{policy_id}@{label}"]
    if not REDECISION_NAME.match(str(iri)):
        raise InvalidIdentifierError(f"not a policy version: {policy_id}@{label}")
    return iri


def history_iri(case_id: str) -> URIRef:
    """The history graph of a case: ``nec:supersededBy`` between its determinations."""
    return URIRef(HISTORY_BASE + validate_case_id(case_id))


def summary_iri(case_id: str) -> URIRef:
    """The summary graph of a case: latest/first links, profiles, outcome changes."""
    return URIRef(SUMMARY_BASE + validate_case_id(case_id))


def lock_iri(target: URIRef) -> URIRef:
    """The bookkeeping graph of writes that compete for the graph ``target`` (a case or a determination)."""
    text = str(target)
    for base in (str(CASE), str(DET)):
        if text.startswith(base):
            return URIRef(f"{LOCK_BASE}{'case' if base == str(CASE) else 'determination'}/{text[len(base):]}")
    raise InvalidIdentifierError(f"no lock graph for {text}")


def nt_iri(iri: str) -> str:
    """An IRI as an N-Triples/SPARQL term, refused if it is not a valid absolute IRI."""
    try:
        node = ox.NamedNode(str(iri))
    except ValueError as exc:
        raise InvalidIdentifierError(f"not a valid IRI: {exc}") from None
    if any(ch in node.value for ch in '<>"{}|^`\\ \n\r\t'):
        raise InvalidIdentifierError("an IRI may not contain spaces or any of <>\"{}|^`\\")
    return str(node)


def case_ids_of(graph_names: list[str]) -> list[str]:
    """The case ids among a store's graph names, sorted."""
    prefix = str(CASE)
    return sorted(name[len(prefix):] for name in graph_names if name.startswith(prefix))
