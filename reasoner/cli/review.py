"""``necessity review CASE_ID --store DIR --line CODE=DECISION --reason ... --reviewer ID --role ROLE``.

Records a review from a terminal exactly as ``POST /cases/{id}/reviews`` does (the same rules: a
denial needs ``--role physician-reviewer``; a reason for every denial and every decision other than
the engine's recommendation; the determination reviewed must be the latest). Whoever can write the
store directory is trusted to name the reviewer, as a server's operator is trusted with its keys.
"""

from __future__ import annotations

import argparse
import re

from ..errors import ReviewError
from .args import STORE_HELP

__all__ = ["add_parser"]

_LINE = re.compile(r"^([A-Za-z0-9.]{1,32})=(approve|pend|deny)$")


def _line(text: str) -> tuple[str, str]:
    match = _LINE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"not CODE=DECISION (approve, pend or deny): {text!r}")
    return match.group(1), match.group(2)


def _run(args: argparse.Namespace) -> int:
    from ..knowledge.vocabulary import ReviewerRole
    from ..review import Reviewer, ReviewSubmission, record_review
    from ..review.rules import REVIEWER_ID
    from ..store import open_store
    from .args import existing_store, store_location

    if not re.match(REVIEWER_ID, args.reviewer):
        raise ReviewError("--reviewer must be letters, digits, '.', '_' or '-' (at most 64)", field="--reviewer")
    reasons = args.reason or []
    if len(reasons) > 1 and len(reasons) != len(args.line):
        raise ReviewError("give one --reason for all lines, or one per --line in the same order", field="--reason")
    store = open_store(existing_store(store_location(args.store), command="necessity review"), query_workers=1)
    try:
        number = args.determination or max(r.number for r in store.list_determinations(args.case_id))
        lines = [{"code": code, "decision": decision,
                  "reason": (reasons[i] if len(reasons) > 1 else (reasons[0] if reasons else None))}
                 for i, (code, decision) in enumerate(args.line)]
        submission = ReviewSubmission.model_validate({"determination": number, "lines": lines, "note": args.note})
        iri, det = record_review(store, args.case_id, submission, Reviewer(args.reviewer, ReviewerRole(args.role)))
    finally:
        store.close()
    assert det.review is not None
    print(f"recorded {iri} (review of determination {number} by {args.role} {args.reviewer})")
    for line in det.review.lines:
        differs = "" if line.decision == line.engine_recommendation else \
            f" (engine recommended {line.engine_recommendation})"
        print(f"  {line.code:<8} {line.decision}{differs} by {line.reviewer}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``review`` to the ``necessity`` parser."""
    review = sub.add_parser("review", help="record a reviewer's decisions on a stored case's latest determination",
                            description=__doc__.split("\n\n", 1)[1].replace("``", ""))
    review.add_argument("case_id", metavar="CASE_ID", help="the stored case to review")
    review.add_argument("--store", help=STORE_HELP)
    review.add_argument("--line", action="append", required=True, type=_line, metavar="CODE=DECISION",
                        help="a line's decision: approve, pend or deny (repeatable)")
    review.add_argument("--reason", action="append", metavar="TEXT",
                        help="why: one for all lines, or one per --line (required to deny, and to decide "
                             "otherwise than the engine recommends)")
    review.add_argument("--reviewer", required=True, metavar="ID", help="the reviewer's identifier")
    review.add_argument("--role", required=True, choices=["nurse-reviewer", "physician-reviewer"],
                        help="the reviewer's role (only a physician-reviewer may deny)")
    review.add_argument("--determination", type=int, metavar="N",
                        help="the determination reviewed (default: the latest; another is refused)")
    review.add_argument("--note", help="a note on the review as a whole")
    review.set_defaults(func=_run)
