"""Rendering a determination for people: a terminal summary, and the letters (see :mod:`.letters`)."""

from __future__ import annotations

from ..determination import Determination
from ..letters import letter_html, letter_markdown, render, reviewer_page
from ..knowledge.vocabulary import CriterionState, term

__all__ = ["render_summary", "render_letter", "letter_markdown", "letter_html", "reviewer_page", "render"]


def render_summary(det: Determination) -> str:
    """A short plain-text summary for the terminal."""
    out = [f"case {det.case_id}  policy {det.policy.id} {det.policy.version}  outcome {det.outcome}"]
    for line in det.lines:
        kind = f" ({line.request_kind.label})" if line.request_kind.label else ""
        out.append(f"  {line.system:<9} {line.code:<8} {line.outcome}{kind}")
    if det.missing_documentation:
        out.append("  missing documentation:")
        for item in det.missing_documentation:
            path = "" if item.path == "all" else f" [{item.path}]"
            out.append(f"    - {item.document}{path} (blocks {', '.join(item.blocks)})")
    for line in det.lines:
        for c in line.criteria:
            if c.state == CriterionState.CriterionNotMet:
                out.append(f"  {term(c.state).label} on {line.code}: {c.name}: {' '.join(c.messages)}")
    for item in det.warnings:
        out.append(f"  warning: {item.message}")
    for item in det.advisories:
        out.append(f"  advisory: {item.message}")
    for item in det.safety_notices:
        out.append(f"  safety: {item.drug}: {item.message}")
    return "\n".join(out) + "\n"


def render_letter(det: Determination) -> str:
    """The provider letter in Markdown (kept for callers of the first API)."""
    return letter_markdown(det)
