"""Reviews: a nurse or physician decides, beside the engine's recommendation (DESIGN.md, "Who decides").

:mod:`.rules` checks a review and makes the determination it becomes; :mod:`.record` stores it as the
case's next determination. The typed model of a review is :mod:`reasoner.determination.review_model`.
"""

from __future__ import annotations

from .record import record_review
from .rules import REVIEWER_ID, LineSubmission, Reviewer, ReviewSubmission, allowed_decisions, reviewed

__all__ = ["record_review", "reviewed", "allowed_decisions", "Reviewer", "ReviewSubmission", "LineSubmission",
           "REVIEWER_ID"]
