"""Write-time summaries of a case's determinations, shaped for the store queries in ``queries/``.

Each stored determination graph holds a thousand triples or more (facts, citations, assessments);
the queries over all stored cases need a dozen values of each. Oxigraph has no statistics and joins
plain patterns one index lookup per row, so a query that reads every determination's policy,
version, outcome and lines, and compares decision times to keep the latest, grows with the store
far past what an operator waits for. Instead, every writer (both stores' ``add_case`` and
``add_determination``, and the re-decision job's load) ends its write with :func:`summary_update`,
in the same update request (one transaction: nothing half-written), which rewrites the summary
graph of each case it touched (``summary_iri(id)``) from the case's determination graphs:

- ``<case> nec:latestDetermination <d>`` for each determination that no later one of the case
  follows (``prov:generatedAtTime``; equal times: both are latest), ``nec:firstDetermination``
  likewise for the first, and ``nec:latestDeterminationUnderVersion`` for the latest under each
  policy id and version label;
- ``<d> nec:hasProfile <p>`` and ``<case> nec:hasDeterminationProfile <p>``: ``p`` is the
  *determination profile*, a node named by the values it stands for (policy id, version label,
  outcome, how the version was chosen, urgency, decided past due, allowed hours, and whether the
  decision came after its due time); thousands of determinations share a few dozen profiles;
- ``<line> nec:lineProfile <lp>`` and ``<d> nec:hasLineProfile <lp>``: the *line profile* of each
  line outcome (billed code, policy id, version label, line outcome);
- ``<lineReview> nec:reviewProfile <rp>`` for each reviewer's decision on a line that a determination
  first records (not those carried forward from an earlier review), one per criterion that decided
  the engine's outcome of the line (none: the profile has no criterion): ``rp`` is the *review
  profile* (policy id, version label, deciding criterion, engine recommendation, decision, reviewer
  role), so ``queries/overrides-by-criterion.rq`` counts what reviewers overturn by reading one
  property;
- one ``nec:OutcomeChange`` for each pair of the case's determinations under one policy whose
  outcomes differ on a requested line (``nec:changedFrom`` / ``nec:changedTo`` the two line
  outcomes), as ``queries/outcome-changes.rq`` answered it.

The profiles describe themselves (``nec:profilePolicyId`` ...) once, in the shared graph
:data:`~reasoner.store.ids.PROFILES_GRAPH`: they hold no case data, so they are only added to
(inserting a profile that exists changes nothing, whichever writer does it first). A query then
counts determinations per profile by scanning one property and joins a table of a few dozen rows,
and keeps the latest determination with one scanned property instead of comparing times.

The embedded store's ``add_case`` (a new case, one determination: the most frequent write) makes
the same statements in Python from the determination's quads (:func:`first_summary_quads`) and
writes them in the same ``extend`` as the case, which costs a write a few ms instead of the update's
evaluation; a test checks that both give the same statements.

This module is the one place that says how a summary is derived; :func:`rebuild_summaries`
rewrites every case's summary, a few hundred cases per update (``necessity store summaries``, for
a store written before summaries existed). The test suite derives each summary again in Python from the determination
graphs and compares.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import quote

import pyoxigraph as ox

from .ids import PROFILES_GRAPH, case_iri, nt_iri, summary_iri

__all__ = ["summary_update", "first_summary_quads", "rebuild_summaries", "PROFILE_BASE", "LINE_PROFILE_BASE",
           "REVIEW_PROFILE_BASE"]

PROFILE_BASE = "https://w3id.org/necessity/summary/profile/"
"""Determination profiles are named under this, by their values (each percent-encoded, ``~`` if absent)."""

LINE_PROFILE_BASE = "https://w3id.org/necessity/summary/line-profile/"
"""Line profiles are named under this, by code, policy id, version label and outcome."""

REVIEW_PROFILE_BASE = "https://w3id.org/necessity/summary/review-profile/"
"""Review profiles are named under this, by policy id, version label, criterion, recommendation, decision, role."""

_NEC, _PROV, _RDF = ("https://w3id.org/necessity/ontology#", "http://www.w3.org/ns/prov#",
                     "http://www.w3.org/1999/02/22-rdf-syntax-ns#")


def _key(*terms: str) -> str:
    """SPARQL text joining each term's percent-encoded string with ``/`` (``~`` when unbound)."""
    return ', "/", '.join(f'COALESCE(ENCODE_FOR_URI(STR({t})), "~")' for t in terms)


# Full IRIs, no PREFIX: the text follows other operations after " ;", where Oxigraph takes no
# prologue. {values} binds ?case and ?summary (VALUES); doubled braces are
# literal braces of the SPARQL text. Each WHERE starts from ``?d nec:decidesCase ?case`` and reads
# every optional value in its own one-pattern OPTIONAL: Oxigraph then looks each up for the case's
# few determinations (a few ms a write) instead of scanning that property over the whole store.
_DET = f"<{_NEC}Determination>"
_OPERATIONS = [
    # the profile of each determination
    f"""INSERT {{{{
  GRAPH ?summary {{{{ ?d <{_NEC}hasProfile> ?profile . ?case <{_NEC}hasDeterminationProfile> ?profile }}}}
  GRAPH <{PROFILES_GRAPH}> {{{{ ?profile a <{_NEC}DeterminationProfile> ; <{_NEC}profilePolicyId> ?policyId ;
      <{_NEC}profileVersionLabel> ?versionLabel ; <{_NEC}profileOutcome> ?outcome ; <{_NEC}profileBasis> ?basis ;
      <{_NEC}profileUrgency> ?urgency ; <{_NEC}profilePastDue> ?pastDue ; <{_NEC}profileAllowedHours> ?allowed ;
      <{_NEC}profileDecidedAfterDue> ?afterDue }}}}
}}}} WHERE {{{{
  {{values}}
  GRAPH ?g {{{{ ?d <{_NEC}decidesCase> ?case ; a {_DET} ; <{_NEC}policyId> ?policyId ;
                 <{_NEC}versionLabel> ?versionLabel ; <{_NEC}outcome> ?outcome }}}}
  OPTIONAL {{{{ GRAPH ?g {{{{ ?d <{_NEC}versionSelectionBasis> ?basis }}}} }}}}
  OPTIONAL {{{{ GRAPH ?g {{{{ ?d <{_NEC}decisionUrgency> ?urgency }}}} }}}}
  OPTIONAL {{{{ GRAPH ?g {{{{ ?d <{_NEC}decidedPastDue> ?pastDue }}}} }}}}
  OPTIONAL {{{{ GRAPH ?g {{{{ ?d <{_NEC}allowedDecisionHours> ?allowed }}}} }}}}
  OPTIONAL {{{{ GRAPH ?g {{{{ ?d <{_PROV}generatedAtTime> ?at }}}} }}}}
  OPTIONAL {{{{ GRAPH ?g {{{{ ?d <{_NEC}decisionDueAt> ?due }}}} }}}}
  BIND (?at > ?due AS ?afterDue)
  BIND (IRI(CONCAT("{PROFILE_BASE}", {_key("?policyId", "?versionLabel", "?outcome", "?basis", "?urgency",
                                           "?pastDue", "?allowed", "?afterDue")})) AS ?profile)
}}}}""",
    # the line profile of each line outcome
    f"""INSERT {{{{
  GRAPH ?summary {{{{ ?line <{_NEC}lineProfile> ?lineProfile . ?d <{_NEC}hasLineProfile> ?lineProfile }}}}
  GRAPH <{PROFILES_GRAPH}> {{{{ ?lineProfile a <{_NEC}LineProfile> ; <{_NEC}profileCode> ?code ;
      <{_NEC}profilePolicyId> ?policyId ; <{_NEC}profileVersionLabel> ?versionLabel ; <{_NEC}profileOutcome> ?outcome }}}}
}}}} WHERE {{{{
  {{values}}
  GRAPH ?g {{{{ ?d <{_NEC}decidesCase> ?case ; a {_DET} ; <{_NEC}policyId> ?policyId ; <{_NEC}hasLineOutcome> ?line .
               ?line <{_NEC}notation> ?code ; <{_NEC}outcome> ?outcome }}}}
  OPTIONAL {{{{ GRAPH ?g {{{{ ?d <{_NEC}versionLabel> ?versionLabel }}}} }}}}
  BIND (IRI(CONCAT("{LINE_PROFILE_BASE}", {_key("?code", "?policyId", "?versionLabel", "?outcome")})) AS ?lineProfile)
}}}}""",
    # the review profile of each decision a determination first records, per deciding criterion
    f"""INSERT {{{{
  GRAPH ?summary {{{{ ?lineReview <{_NEC}reviewProfile> ?reviewProfile }}}}
  GRAPH <{PROFILES_GRAPH}> {{{{ ?reviewProfile a <{_NEC}ReviewProfile> ; <{_NEC}profilePolicyId> ?policyId ;
      <{_NEC}profileVersionLabel> ?versionLabel ; <{_NEC}profileCriterion> ?criterion ;
      <{_NEC}profileRecommendation> ?recommendation ; <{_NEC}profileDecision> ?decision ;
      <{_NEC}profileReviewerRole> ?role }}}}
}}}} WHERE {{{{
  {{values}}
  GRAPH ?g {{{{ ?d <{_NEC}decidesCase> ?case ; a {_DET} ; <{_NEC}policyId> ?policyId ; <{_NEC}versionLabel> ?versionLabel ;
                 <{_NEC}hasReview> ?review .
               ?review <{_NEC}reviewedDeterminationNumber> ?reviewed ; <{_NEC}hasLineReview> ?lineReview .
               ?lineReview <{_NEC}recordedInDetermination> ?recorded ; <{_NEC}reviewDecision> ?decision ;
                           <{_NEC}engineRecommendation> ?recommendation ; <{_NEC}reviewerRole> ?role }}}}
  FILTER (?recorded = ?reviewed + 1)
  OPTIONAL {{{{ GRAPH ?g {{{{ ?lineReview <{_NEC}decidingCriterion> ?criterion }}}} }}}}
  BIND (IRI(CONCAT("{REVIEW_PROFILE_BASE}", {_key("?policyId", "?versionLabel", "?criterion", "?recommendation",
                                                  "?decision", "?role")})) AS ?reviewProfile)
}}}}""",
    # the latest and the first determination of the case (equal times: both)
    f"""INSERT {{{{ GRAPH ?summary {{{{ ?case <{_NEC}latestDetermination> ?d }}}} }}}} WHERE {{{{
  {{values}}
  GRAPH ?g {{{{ ?d <{_NEC}decidesCase> ?case ; a {_DET} ; <{_PROV}generatedAtTime> ?at }}}}
  FILTER NOT EXISTS {{{{ GRAPH ?other {{{{ ?later <{_NEC}decidesCase> ?case ; <{_PROV}generatedAtTime> ?laterAt }}}}
                        FILTER (?laterAt > ?at) }}}}
}}}}""",
    f"""INSERT {{{{ GRAPH ?summary {{{{ ?case <{_NEC}firstDetermination> ?d }}}} }}}} WHERE {{{{
  {{values}}
  GRAPH ?g {{{{ ?d <{_NEC}decidesCase> ?case ; a {_DET} ; <{_PROV}generatedAtTime> ?at }}}}
  FILTER NOT EXISTS {{{{ GRAPH ?other {{{{ ?earlier <{_NEC}decidesCase> ?case ; <{_PROV}generatedAtTime> ?earlierAt }}}}
                        FILTER (?earlierAt < ?at) }}}}
}}}}""",
    # the latest under each policy version (a determination without a time is never followed)
    f"""INSERT {{{{ GRAPH ?summary {{{{ ?case <{_NEC}latestDeterminationUnderVersion> ?d }}}} }}}} WHERE {{{{
  {{values}}
  GRAPH ?g {{{{ ?d <{_NEC}decidesCase> ?case ; a {_DET} ; <{_NEC}policyId> ?policyId ; <{_NEC}versionLabel> ?versionLabel }}}}
  OPTIONAL {{{{ GRAPH ?g {{{{ ?d <{_PROV}generatedAtTime> ?at }}}} }}}}
  FILTER NOT EXISTS {{{{ GRAPH ?other {{{{ ?later <{_NEC}decidesCase> ?case ; a {_DET} ; <{_NEC}policyId> ?policyId ;
                                          <{_NEC}versionLabel> ?versionLabel ; <{_PROV}generatedAtTime> ?laterAt }}}}
                        FILTER (BOUND(?at) && ?laterAt > ?at) }}}}
}}}}""",
    # the outcome changes between two determinations of the case under one policy, per requested line
    f"""INSERT {{{{ GRAPH ?summary {{{{ ?change a <{_NEC}OutcomeChange> ; <{_NEC}changedFrom> ?fromLine ;
                                   <{_NEC}changedTo> ?toLine }}}} }}}} WHERE {{{{
  {{values}}
  GRAPH ?fromGraph {{{{ ?from <{_NEC}decidesCase> ?case ; a {_DET} ; <{_NEC}policyId> ?policyId ;
                        <{_NEC}versionLabel> ?fromVersion ; <{_NEC}hasLineOutcome> ?fromLine .
                     ?fromLine <{_NEC}forLine> ?line ; <{_NEC}notation> ?code ; <{_NEC}outcome> ?fromOutcome }}}}
  GRAPH ?toGraph {{{{ ?to <{_NEC}decidesCase> ?case ; a {_DET} ; <{_NEC}policyId> ?policyId ;
                      <{_NEC}versionLabel> ?toVersion ; <{_NEC}hasLineOutcome> ?toLine .
                   ?toLine <{_NEC}forLine> ?line ; <{_NEC}outcome> ?toOutcome }}}}
  FILTER (?from != ?to && ?fromOutcome != ?toOutcome)
  FILTER (STR(?from) < STR(?to) || ?fromVersion != ?toVersion)
  BIND (IRI(CONCAT(STR(?fromLine), "/changed-to/", ENCODE_FOR_URI(STR(?toLine)))) AS ?change)
}}}}""",
]


def summary_update(case_ids: Iterable[str]) -> str:
    """SPARQL Update text that rewrites the summary graphs of ``case_ids``.

    Append it to a write with `` ;`` so both are one request (one transaction). The patterns
    name their graphs (``GRAPH ?g``), so the text needs no union default graph.
    """
    ids = sorted(set(case_ids))
    if not ids:
        return ""
    drops = "".join(f"DROP SILENT GRAPH {nt_iri(summary_iri(i))} ;\n" for i in ids)
    rows = " ".join(f"({nt_iri(case_iri(i))} {nt_iri(summary_iri(i))})" for i in ids)
    return drops + " ;\n".join(op.format(values=f"VALUES (?case ?summary) {{ {rows} }}") for op in _OPERATIONS)


def rebuild_summaries(store, *, chunk: int = 200) -> int:
    """Rewrite the summary of every stored case, ``chunk`` cases per update; returns how many cases.

    Each case's summary is rewritten whole in one update; the profiles graph is only added to.
    For a store written before the summaries existed (``necessity store summaries``).
    """
    ids = store.case_ids()
    for start in range(0, len(ids), chunk):
        store.update_summaries(ids[start:start + chunk])
    return len(ids)


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def first_summary_quads(case_id: str, det: str, quads: list) -> list | None:
    """The summary of a new case's first (only) determination as pyoxigraph quads, or None.

    What :func:`summary_update` writes for a case with one determination, made in Python from the
    determination's quads, so the embedded store's ``add_case`` writes case, determination and
    summary in one ``extend`` (one transaction) without evaluating the update's patterns (about a
    third of the write's CPU). None when the graph is not what the model writes (a value stated twice,
    no typed root): the caller then uses :func:`summary_update`. A test checks both give the same.
    """
    def node(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    graph = node(det)
    by_subject: dict = {}
    for quad in quads:
        if quad.graph_name == graph:
            by_subject.setdefault(quad.subject, {}).setdefault(quad.predicate.value, []).append(quad.object)
    root = by_subject.get(graph, {})

    def one(values: dict, prop: str):  # noqa: ANN202 - None if absent; raises if stated twice
        found = values.get(prop, [])
        if len(found) > 1:
            raise ValueError(prop)
        return found[0] if found else None

    case = node(str(case_iri(case_id)))
    if root.get(f"{_RDF}type", []).count(node(f"{_NEC}Determination")) != 1 \
            or root.get(f"{_NEC}decidesCase") != [case]:
        return None
    try:
        policy, version, outcome = (one(root, f"{_NEC}{p}") for p in ("policyId", "versionLabel", "outcome"))
        basis, urgency, past_due, allowed = (one(root, f"{_NEC}{p}") for p in (
            "versionSelectionBasis", "decisionUrgency", "decidedPastDue", "allowedDecisionHours"))
        at, due = one(root, f"{_PROV}generatedAtTime"), one(root, f"{_NEC}decisionDueAt")
        lines = [(line, one(by_subject.get(line, {}), f"{_NEC}notation"),
                  one(by_subject.get(line, {}), f"{_NEC}outcome")) for line in root.get(f"{_NEC}hasLineOutcome", [])]
    except ValueError:
        return None
    after_due = None
    if at is not None and due is not None:
        try:
            later = datetime.fromisoformat(at.value) > datetime.fromisoformat(due.value)
        except (TypeError, ValueError):  # not comparable: the update leaves it unbound too
            return None
        after_due = ox.Literal("true" if later else "false", datatype=node(_XSD_BOOLEAN))

    def key(*terms) -> str:  # noqa: ANN002 - as ENCODE_FOR_URI(STR(term)), "~" when absent
        return "/".join("~" if t is None else quote(t.value, safe="") for t in terms)

    summary, profiles = node(str(summary_iri(case_id))), node(str(PROFILES_GRAPH))
    out = []

    def add(s, p: str, o, g) -> None:  # noqa: ANN001
        if o is not None:
            out.append(ox.Quad(s, node(p), o, g))

    d = graph
    if policy is not None and version is not None and outcome is not None:
        profile = node(PROFILE_BASE + key(policy, version, outcome, basis, urgency, past_due, allowed, after_due))
        add(d, f"{_NEC}hasProfile", profile, summary)
        add(case, f"{_NEC}hasDeterminationProfile", profile, summary)
        add(profile, f"{_RDF}type", node(f"{_NEC}DeterminationProfile"), profiles)
        for prop, value in (("profilePolicyId", policy), ("profileVersionLabel", version), ("profileOutcome", outcome),
                            ("profileBasis", basis), ("profileUrgency", urgency), ("profilePastDue", past_due),
                            ("profileAllowedHours", allowed), ("profileDecidedAfterDue", after_due)):
            add(profile, f"{_NEC}{prop}", value, profiles)
    if policy is not None:
        for line, code, line_outcome in lines:
            if code is None or line_outcome is None:
                continue
            lp = node(LINE_PROFILE_BASE + key(code, policy, version, line_outcome))
            add(line, f"{_NEC}lineProfile", lp, summary)
            add(d, f"{_NEC}hasLineProfile", lp, summary)
            add(lp, f"{_RDF}type", node(f"{_NEC}LineProfile"), profiles)
            for prop, value in (("profileCode", code), ("profilePolicyId", policy), ("profileVersionLabel", version),
                                ("profileOutcome", line_outcome)):
                add(lp, f"{_NEC}{prop}", value, profiles)
    if at is not None:  # alone, it is the latest and the first
        add(case, f"{_NEC}latestDetermination", d, summary)
        add(case, f"{_NEC}firstDetermination", d, summary)
    if policy is not None and version is not None:
        add(case, f"{_NEC}latestDeterminationUnderVersion", d, summary)
    return out
