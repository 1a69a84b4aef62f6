"""The reviewer's page as a reviewer reads it: lines that share a request kind shown once, the criteria
of each as a tree (all of these, and either path), what decided the outcome first, and the citations a
reviewer should check. Plain data for ``reviewer-file.j2``, made from the determination model alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..determination.model import Citation, CriterionAssessment, Determination, LineDecision
from ..knowledge.vocabulary import CriterionState, Outcome, recommendation

__all__ = ["Group", "Item", "groups", "citations_to_check"]

_PATH_ORDER = ("initial-criteria", "continuation")


@dataclass
class Item:
    """One criterion of a group: its assessment on the group's first line that has it, the codes it
    applies to when not all of the group's, and each code's state when the codes differ."""

    c: CriterionAssessment
    codes: list[str] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)


@dataclass
class Group:
    """Lines that share a request kind and an outcome: shown once."""

    codes: list[str]
    lines: list[LineDecision]
    kind: str | None
    outcome: str
    recommendation: str | None
    basis: LineDecision
    deciding: list[Item]
    all_of: list[Item]
    either: list[tuple[str, list[Item]]]
    requested: list[Item]
    advisories: list[Item]


def _items(lines: list[LineDecision], keep) -> list[Item]:  # noqa: ANN001 - keep(c) -> bool
    order: list[str] = []
    found: dict[str, dict[str, CriterionAssessment]] = {}
    for line in lines:
        for c in line.criteria:
            if keep(c):
                if c.criterion not in found:
                    order.append(c.criterion)
                found.setdefault(c.criterion, {})[line.code] = c
    codes = [line.code for line in lines]
    out = []
    for criterion in order:
        per_code = found[criterion]
        first = next(per_code[code] for code in codes if code in per_code)
        states = {code: str(c.state) for code, c in per_code.items()}
        out.append(Item(first, [] if len(per_code) == len(codes) else [c for c in codes if c in per_code],
                        states if len(set(states.values())) > 1 else {}))
    rank = {str(CriterionState.CriterionNotMet): 0, str(CriterionState.CriterionNotDocumented): 1,
            str(CriterionState.CriterionMet): 2}
    return sorted(out, key=lambda i: (min(rank[s] for s in (i.states.values() or [str(i.c.state)])), i.c.name))


def _deciding(lines: list[LineDecision]) -> list[Item]:
    """What decided the outcome first: the criteria not met (does-not-meet), else those not documented
    (insufficient documentation); nothing for lines that meet the criteria."""
    state = {str(Outcome.DoesNotMeet): CriterionState.CriterionNotMet,
             str(Outcome.InsufficientDocumentation): CriterionState.CriterionNotDocumented}.get(str(lines[0].outcome))
    if state is None:
        return []
    return _items(lines, lambda c: c.severity == "violation" and c.state == state)


def groups(det: Determination) -> list[Group]:
    """The determination's lines grouped by request kind and outcome, in line order."""
    keyed: dict[tuple, list[LineDecision]] = {}
    for line in det.lines:
        keyed.setdefault((line.request_kind.label, str(line.outcome)), []).append(line)
    out = []
    for (kind, outcome), lines in keyed.items():
        violation = [c for line in lines for c in line.criteria if c.severity == "violation"]
        paths = [p for p in _PATH_ORDER if any(c.path == p for c in violation)]
        either = [(p, _items(lines, lambda c, p=p: c.severity == "violation" and c.path == p)) for p in paths]
        all_of = _items(lines, lambda c: c.severity == "violation" and c.path == "all")
        if len(either) == 1:  # one path only: its criteria are simply required too
            all_of, either = either[0][1] + all_of, []
        out.append(Group(
            codes=[line.code for line in lines], lines=lines, kind=kind, outcome=outcome,
            recommendation=recommendation(outcome), basis=lines[0], deciding=_deciding(lines), all_of=all_of,
            either=either, requested=_items(lines, lambda c: c.severity == "warning"),
            advisories=_items(lines, lambda c: c.severity == "info")))
    return out


def citations_to_check(det: Determination) -> list[tuple[str, Citation]]:
    """Citations read with less than high confidence, each once, with what cites them."""
    seen: dict[tuple[str, str], tuple[str, Citation]] = {}
    for line in det.lines:
        for c in line.criteria:
            for cite in c.citations:
                if cite.confidence and cite.confidence != "high confidence":
                    seen.setdefault((cite.source_id, cite.locator), (c.name, cite))
    for notice in det.warnings + det.advisories:
        for cite in notice.citations:
            if cite.confidence and cite.confidence != "high confidence":
                seen.setdefault((cite.source_id, cite.locator), (notice.name, cite))
    return sorted(seen.values(), key=lambda pair: (pair[1].confidence != "unconfirmed", pair[1].source_id))
