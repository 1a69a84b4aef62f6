"""What a case's summary graph should hold, derived again in Python from its determination graphs.

The store writes the summaries with SPARQL Update (``reasoner/store/summary.py``); this derives the
same statements another way (rdflib over each stored determination graph, Python comparisons of the
decision times) so a test can compare the two on every stored case.
"""

from __future__ import annotations

from urllib.parse import quote

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import PROV

from reasoner.namespaces import CASE, DET, NEC
from reasoner.store.ids import PROFILES_GRAPH, SUMMARY_BASE, summary_iri
from reasoner.store.summary import LINE_PROFILE_BASE, PROFILE_BASE, REVIEW_PROFILE_BASE


def _part(term) -> str:
    return "~" if term is None else quote(str(term), safe="")


def _time(graph: Graph, det, predicate=PROV.generatedAtTime):
    value = graph.value(det, predicate)
    return None if value is None else value.toPython()


def determinations_by_case(store) -> dict[str, list[tuple[URIRef, Graph]]]:
    """Every stored determination (numbered or re-decided) with its graph, by case id."""
    out: dict[str, list[tuple[URIRef, Graph]]] = {}
    for name in store.graph_names():
        if not name.startswith(str(DET)):
            continue
        graph = store.get_graph(name)
        for det in graph.subjects(RDF.type, NEC.Determination):
            case = graph.value(det, NEC.decidesCase)
            if case is not None and str(case).startswith(str(CASE)):
                out.setdefault(str(case)[len(str(CASE)):], []).append((det, graph))
    return out


def expected_summary(case_id: str, dets: list[tuple[URIRef, Graph]]) -> tuple[set, set]:
    """(the case's summary graph, the profile statements it needs) as sets of triples."""
    case = URIRef(CASE[case_id])
    summary: set = set()
    profiles: set = set()
    for det, g in dets:
        policy, version, outcome = g.value(det, NEC.policyId), g.value(det, NEC.versionLabel), g.value(det, NEC.outcome)
        at, due = _time(g, det), _time(g, det, NEC.decisionDueAt)
        if policy is not None and version is not None and outcome is not None:
            basis, urgency = g.value(det, NEC.versionSelectionBasis), g.value(det, NEC.decisionUrgency)
            past_due, allowed = g.value(det, NEC.decidedPastDue), g.value(det, NEC.allowedDecisionHours)
            after_due = None if at is None or due is None else Literal(at > due)
            profile = URIRef(PROFILE_BASE + "/".join(_part(v) for v in (policy, version, outcome, basis, urgency,
                                                                       past_due, allowed, after_due)))
            summary |= {(det, NEC.hasProfile, profile), (case, NEC.hasDeterminationProfile, profile)}
            profiles.add((profile, RDF.type, NEC.DeterminationProfile))
            for predicate, value in ((NEC.profilePolicyId, policy), (NEC.profileVersionLabel, version),
                                     (NEC.profileOutcome, outcome), (NEC.profileBasis, basis),
                                     (NEC.profileUrgency, urgency), (NEC.profilePastDue, past_due),
                                     (NEC.profileAllowedHours, allowed), (NEC.profileDecidedAfterDue, after_due)):
                if value is not None:
                    profiles.add((profile, predicate, value))
        for line in g.objects(det, NEC.hasLineOutcome) if policy is not None else ():
            code, line_outcome = g.value(line, NEC.notation), g.value(line, NEC.outcome)
            if code is None or line_outcome is None:
                continue
            lp = URIRef(LINE_PROFILE_BASE + "/".join(_part(v) for v in (code, policy, version, line_outcome)))
            summary |= {(line, NEC.lineProfile, lp), (det, NEC.hasLineProfile, lp)}
            profiles |= {(lp, RDF.type, NEC.LineProfile), (lp, NEC.profileCode, code), (lp, NEC.profilePolicyId, policy),
                         (lp, NEC.profileOutcome, line_outcome)}
            if version is not None:
                profiles.add((lp, NEC.profileVersionLabel, version))
        review = g.value(det, NEC.hasReview)
        reviewed = g.value(review, NEC.reviewedDeterminationNumber) if review is not None else None
        for lr in g.objects(review, NEC.hasLineReview) if reviewed is not None and version is not None else ():
            if int(g.value(lr, NEC.recordedInDetermination)) != int(reviewed) + 1:
                continue  # carried forward from an earlier review: counted there
            values = {p: g.value(lr, p) for p in (NEC.engineRecommendation, NEC.reviewDecision, NEC.reviewerRole)}
            for criterion in sorted(g.objects(lr, NEC.decidingCriterion)) or [None]:
                rp = URIRef(REVIEW_PROFILE_BASE + "/".join(_part(v) for v in (
                    policy, version, criterion, values[NEC.engineRecommendation], values[NEC.reviewDecision],
                    values[NEC.reviewerRole])))
                summary.add((lr, NEC.reviewProfile, rp))
                profiles |= {(rp, RDF.type, NEC.ReviewProfile), (rp, NEC.profilePolicyId, policy),
                             (rp, NEC.profileVersionLabel, version),
                             (rp, NEC.profileRecommendation, values[NEC.engineRecommendation]),
                             (rp, NEC.profileDecision, values[NEC.reviewDecision]),
                             (rp, NEC.profileReviewerRole, values[NEC.reviewerRole])}
                if criterion is not None:
                    profiles.add((rp, NEC.profileCriterion, criterion))
    timed = [(det, _time(g, det)) for det, g in dets if _time(g, det) is not None]
    for det, at in timed:
        if not any(other > at for _, other in timed):
            summary.add((case, NEC.latestDetermination, det))
        if not any(other < at for _, other in timed):
            summary.add((case, NEC.firstDetermination, det))
    for det, g in dets:
        key = (g.value(det, NEC.policyId), g.value(det, NEC.versionLabel))
        if None in key:
            continue
        at = _time(g, det)
        later = [o for o, og in dets if (og.value(o, NEC.policyId), og.value(o, NEC.versionLabel)) == key
                 and _time(og, o) is not None and at is not None and _time(og, o) > at]
        if not later:
            summary.add((case, NEC.latestDeterminationUnderVersion, det))
    for a, ga in dets:
        for b, gb in dets:
            if a == b or ga.value(a, NEC.policyId) is None or ga.value(a, NEC.policyId) != gb.value(b, NEC.policyId):
                continue
            va, vb = ga.value(a, NEC.versionLabel), gb.value(b, NEC.versionLabel)
            if va is None or vb is None or not (str(a) < str(b) or va != vb):
                continue
            for la in ga.objects(a, NEC.hasLineOutcome):
                for lb in gb.objects(b, NEC.hasLineOutcome):
                    oa, ob = ga.value(la, NEC.outcome), gb.value(lb, NEC.outcome)
                    if (ga.value(la, NEC.forLine) is not None and ga.value(la, NEC.forLine) == gb.value(lb, NEC.forLine)
                            and ga.value(la, NEC.notation) is not None and None not in (oa, ob) and oa != ob):
                        change = URIRef(f"{la}/changed-to/{quote(str(lb), safe='')}")
                        summary |= {(change, RDF.type, NEC.OutcomeChange), (change, NEC.changedFrom, la),
                                    (change, NEC.changedTo, lb)}
    return summary, profiles


def check_summaries(store) -> int:
    """Assert every case's stored summary is what its determinations say; returns how many cases."""
    by_case = determinations_by_case(store)
    stored_profiles = set(store.get_graph(str(PROFILES_GRAPH)))
    needed_profiles: set = set()
    for case_id, dets in sorted(by_case.items()):
        expected, profiles = expected_summary(case_id, dets)
        stored = set(store.get_graph(str(summary_iri(case_id))))
        assert stored == expected, (f"summary of case {case_id}\nmissing: {sorted(expected - stored)[:5]}\n"
                                    f"extra: {sorted(stored - expected)[:5]}")
        needed_profiles |= profiles
    assert needed_profiles <= stored_profiles, sorted(needed_profiles - stored_profiles)[:5]
    summaries = {n[len(SUMMARY_BASE):] for n in store.graph_names() if n.startswith(SUMMARY_BASE)}
    assert summaries <= set(by_case), f"summaries of cases without determinations: {summaries - set(by_case)}"
    return len(by_case)
