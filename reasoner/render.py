"""Rendering a determination for people: a terminal summary and a Markdown letter."""

from __future__ import annotations

from .determination import Determination

__all__ = ["render_summary", "render_letter"]

_OUTCOME_WORDS = {
    "meets-criteria": "meets the coverage criteria",
    "insufficient-documentation": "cannot be approved yet: documentation is missing",
    "does-not-meet": "does not meet the coverage criteria",
    "out-of-scope": "is outside the scope of this policy",
}


def _cite(citations: list[dict]) -> str:
    return "; ".join(f"{c['source']}, {c['locator']}" for c in citations)


def render_summary(det: Determination) -> str:
    """A short plain-text summary for the terminal."""
    out = [f"case {det.case_id}  policy {det.policy_id} {det.policy_version}  outcome {det.outcome}"]
    for line in det.lines:
        kind = f" ({line['request_kind']})" if line["request_kind"] else ""
        out.append(f"  {line['system']:<9} {line['code']:<8} {line['outcome']}{kind}")
    if det.missing_documentation:
        out.append("  missing documentation:")
        for item in det.missing_documentation:
            path = "" if item["path"] == "all" else f" [{item['path']}]"
            out.append(f"    - {item['document']}{path} (blocks {', '.join(item['blocks'])})")
    for item in det.unmet_criteria:
        out.append(f"  not met: {item['name']}: {item['message']}")
    for item in det.warnings:
        out.append(f"  warning: {item['message']}")
    for item in det.advisories:
        out.append(f"  advisory: {item['message']}")
    for notice in det.safety_notices:
        out.append(f"  SAFETY ({notice['drug']}; {', '.join(notice['lines'])}): {notice['message']}")
    return "\n".join(out) + "\n"


def render_letter(det: Determination) -> str:
    """A Markdown determination letter a reviewer can sign and a provider can act on."""
    out = [f"# Prior-authorization determination: case {det.case_id}", "",
           f"Policy: **{det.policy_id}**, version {det.policy_version}. Engine: necessity {det.engine_version}.", "",
           "## Outcome per requested code", "",
           "| code | system | request | outcome |", "| --- | --- | --- | --- |"]
    for line in det.lines:
        out.append(f"| {line['code']} | {line['system']} | {line['request_kind'] or '-'} | {line['outcome']} |")
    out.append("")
    out.append(f"Overall, this request {_OUTCOME_WORDS[det.outcome]}.")
    if det.safety_notices:
        out += ["", "## Safety notice: do not stop therapy abruptly", ""]
        for notice in det.safety_notices:
            out.append(f"- **{notice['drug']}** ({', '.join(notice['lines'])}): {notice['message']} "
                       f"_Source: {_cite(notice['citations'])}._")
    if det.unmet_criteria:
        out += ["", "## Criteria not met", ""]
        for item in det.unmet_criteria:
            out.append(f"- **{item['name']}** ({', '.join(item['lines'])}): {item['message']} "
                       f"_Source: {_cite(item['citations'])}._")
    if det.missing_documentation:
        out += ["", "## Documentation needed", ""]
        if det.alternatives:
            out.append("Either path below will do: complete the initial criteria, or document the implanted "
                       "pump so that the request is judged as a continuation.")
            out.append("")
        for item in det.missing_documentation:
            path = "" if item["path"] == "all" else f" _(path: {item['path']})_"
            out.append(f"- **{item['document']}**{path}: for {item['name']} "
                       f"(blocks {', '.join(item['blocks'])}). _Source: {_cite(item['citations'])}._")
    if det.warnings:
        out += ["", "## Requested, not blocking", ""]
        out += [f"- {item['message']}" for item in det.warnings]
    if det.advisories:
        out += ["", "## Advisory", ""]
        out += [f"- {item['message']}" for item in det.advisories]
    if det.met_criteria:
        out += ["", "## Criteria found met", ""]
        for item in det.met_criteria:
            facts = f": {'; '.join(item['facts'])}" if item["facts"] else ""
            out.append(f"- {item['name']}{facts}")
    unknown = [f"{u['system']} {u['code']}" for u in det.unknown["codes"]] + det.unknown["diagnoses"] + det.unknown["drugs"]
    if unknown:
        out += ["", f"Not known to the knowledge graph (counted toward no criterion): {', '.join(unknown)}."]
    return "\n".join(out) + "\n"
