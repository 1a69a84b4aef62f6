"""The sign-off form of the reviewer's page: what the page offers the key holder, and the form's token.

The page is served to whoever holds a key; the form appears on the latest determination only and
offers only the decisions the key's role may make (a nurse approves or pends; a physician also
denies; an integrator's key gets no form). A browser sends the key with every request of the page
(HTTP Basic, or a header), so the form also carries a token, an HMAC of the case, the determination
and the key: a form posted from another site, which cannot read the page, cannot forge it.
"""

from __future__ import annotations

import hashlib
import hmac

from reasoner.determination import Determination
from reasoner.review import Reviewer, allowed_decisions

__all__ = ["form_token", "signoff_context", "FORM_TYPE"]

FORM_TYPE = "application/x-www-form-urlencoded"


def form_token(key: str, case_id: str, number: int) -> str:
    """The token a sign-off form of determination ``number`` carries for this key."""
    message = f"necessity-signoff\n{case_id}\n{number}".encode("utf-8")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signoff_context(det: Determination, *, number: int, latest: int, reviewer: Reviewer | None,
                    key: str | None) -> dict:
    """What the page's sign-off section shows: the form (on the latest determination, for a reviewer),
    or why there is none."""
    context = {"number": number, "latest": latest, "action": f"/cases/{det.case_id}/reviews",
               "reviewer": reviewer.id if reviewer else None, "role": str(reviewer.role) if reviewer else None,
               "decisions": [str(d) for d in allowed_decisions(reviewer.role if reviewer else None)],
               "token": None}
    if reviewer is not None and key and number == latest:
        context["token"] = form_token(key, det.case_id, number)
    return context
