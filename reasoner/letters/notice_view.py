"""What the provider notice shows, read off the determination model (presentation only, no decision).

The notice states each criterion once per request kind, with the codes it holds back, instead of
once per code; it cites each criterion's sources at the issuer's address, without the confidence
and copy notes the reviewer's file keeps, and leaves out citations of facts that are unconfirmed.
Advisories, confidence, the copies read and the facts behind each criterion stay in the model for
the reviewer's file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..determination import Citation, Determination, LineDecision
from ..knowledge.vocabulary import CriterionState, Outcome
from ..namespaces import NEC

__all__ = ["NoticeCitation", "NoticeCriterion", "KindGroup", "notice_citations", "kind_groups", "clause",
           "cited_sources", "first_sentence"]

_VIOLATION = "violation"
_UNCONFIRMED = "unconfirmed"
_LIMIT = 1
# a trailing remark about the copy that was read, not about the clause: "(2014 text)", "(verity
# digest)", "(via IBX MA05.053)", "(UniCare copy, 2017)", "(MPR monograph)", "(wording from seed 004)"
_COPY_NOTE = re.compile(r"\s*\((?=[^()]*\b(?:cop(?:y|ies)|digests?|via|text|read|seed|monographs?|site|"
                        r"summary|mirror|restat\w*|not verified)\b)[^()]*\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class NoticeCitation:
    """A citation as the notice prints it: title, issuer, the clause, the issuer's address (or none)."""

    title: str
    issuer: str | None
    clause: str
    url: str | None


@dataclass
class NoticeCriterion:
    """One criterion of one request kind that did not hold, with the codes it holds back."""

    iri: str
    name: str
    state: str
    codes: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    citations: list[NoticeCitation] = field(default_factory=list)


@dataclass
class KindGroup:
    """The lines judged as one request kind, and the criteria of that kind stated once."""

    label: str
    lines: list[LineDecision]
    unmet: list[NoticeCriterion]
    met: list[str]

    @property
    def codes(self) -> list[str]:
        return [f"{line.system} {line.code}" for line in self.lines]

    @property
    def title(self) -> str:
        """The group's heading: the request kind and its codes."""
        return f"{self.label[:1].upper()}{self.label[1:]}: {', '.join(self.codes)}"


def first_sentence(text: str) -> str:
    """The first sentence of a knowledge explanation (the rest describes the code group)."""
    head, sep, _rest = text.partition(". ")
    return head + "." if sep else text


def clause(locator: str) -> str:
    """The locator without a trailing remark about the copy read."""
    return _COPY_NOTE.sub("", locator).strip() or locator


def notice_citations(citations: list[Citation], own: list[str] | None = None,
                     limit: int = _LIMIT) -> list[NoticeCitation]:
    """The citations a notice prints, at the issuer: the policy's own sources (``own``) first, then labels
    and guidelines, another payer's policy last; not unconfirmed ones (unless nothing else is left); at
    most ``limit`` (the reviewer's file has all)."""
    confirmed = [c for c in citations if (c.confidence or "").lower() != _UNCONFIRMED] or citations
    ranked = sorted(confirmed, key=lambda c: _precedence(c, own or ()))
    out: dict[tuple, NoticeCitation] = {}
    for c in ranked[:limit]:
        shown = NoticeCitation(title=c.title, issuer=c.issuer, clause=clause(c.locator), url=c.issuer_url)
        out.setdefault((shown.title, shown.clause), shown)
    return list(out.values())


_SEVERITY = {str(CriterionState.CriterionMet): 0, str(CriterionState.CriterionNotDocumented): 1,
             str(CriterionState.CriterionNotMet): 2}  # a contradiction outweighs a gap


def _precedence(citation: Citation, own) -> int:
    """The policy's own sources first, then labels, guidelines and code sets, another payer's policy last."""
    if citation.source_id in own:
        return 0
    return 2 if citation.source_type == str(NEC.CoveragePolicySource) else 1


def _rank(state: str) -> int:
    return _SEVERITY[str(state)]


def kind_groups(det: Determination) -> list[KindGroup]:
    """The in-scope lines grouped by request kind (in request order), each criterion stated once."""
    groups: dict[str, KindGroup] = {}
    seen: dict[tuple[str, str], NoticeCriterion] = {}
    met: dict[str, dict[str, None]] = {}
    for line in det.lines:
        if line.outcome == Outcome.OutOfScope:
            continue
        label = line.request_kind.label or "request"
        group = groups.setdefault(label, KindGroup(label=label, lines=[], unmet=[], met=[]))
        group.lines.append(line)
        names = met.setdefault(label, {})
        for c in line.criteria:
            if c.severity != _VIOLATION:
                continue
            if c.state == CriterionState.CriterionMet:
                names[c.name] = None
                continue
            if not c.messages:
                continue  # not shown on file, but it did not hold this line: no reason for the decision
            entry = seen.get((label, c.criterion))
            if entry is None:
                entry = seen[(label, c.criterion)] = NoticeCriterion(iri=c.criterion, name=c.name, state=str(c.state))
                group.unmet.append(entry)
            if _rank(c.state) > _rank(entry.state):
                entry.state = str(c.state)
            entry.codes.append(line.code)
            entry.messages.extend(m for m in c.messages if m not in entry.messages)
            for shown in notice_citations(c.citations, det.policy.sources):
                if shown not in entry.citations:
                    entry.citations.append(shown)
    for label, group in groups.items():
        unmet = {e.name for e in group.unmet}
        group.met = [name for name in met[label] if name not in unmet]
        group.unmet.sort(key=lambda e: (-_rank(e.state), e.name))
    return list(groups.values())


def cited_sources(det: Determination) -> list[NoticeCitation]:
    """Each source the notice cites, once, with the issuer's address (the notice's list of sources)."""
    shown: list[NoticeCitation] = [c for g in kind_groups(det) for e in g.unmet for c in e.citations]
    for notice in det.safety_notices:
        shown += notice_citations(notice.citations, det.policy.sources)
    for line in det.lines:
        if line.outcome == Outcome.OutOfScope:
            shown += notice_citations(line.request_kind.citations, det.policy.sources)
    out: dict[tuple, NoticeCitation] = {}
    for c in shown:
        if c.url:
            out.setdefault((c.title, c.url), NoticeCitation(title=c.title, issuer=c.issuer, clause="", url=c.url))
    return list(out.values())
