"""Record a review in a store as the case's next determination (the API and the CLI call this)."""

from __future__ import annotations

from datetime import datetime

from rdflib import URIRef

from ..determination.model import Determination
from ..determination.rdf import from_graph, to_ntriples
from ..errors import ReviewConflictError
from ..store import Store, determination_iri
from .rules import Reviewer, ReviewSubmission, reviewed

__all__ = ["record_review"]


def record_review(store: Store, case_id: str, submission: ReviewSubmission, reviewer: Reviewer | None, *,
                  now: datetime | None = None) -> tuple[URIRef, Determination]:
    """Check the review against the case's latest determination and store it as the next one.

    Returns the new determination's IRI and the determination. Reviews are never edited: a later
    review is one more determination that supersedes this one.

    Raises:
        CaseNotFoundError, DeterminationNotFoundError: no such case or determination.
        ReviewConflictError: the determination reviewed is not the case's latest (checked again under
            the store's write lock, so a determination written meanwhile wins and this review is refused).
        ReviewForbiddenError, ReviewError: see :func:`.rules.reviewed`.
    """
    number = submission.determination
    latest = max((r.number for r in store.list_determinations(case_id)), default=0)
    prior_iri = determination_iri(case_id, number)
    prior = from_graph(store.get_determination(case_id, number), prior_iri)
    if number != latest:
        raise ReviewConflictError(f"determination {number} of case {case_id} is no longer the latest "
                                  f"(the latest is {latest}); review that one", field="determination")
    det = reviewed(prior, prior_iri=str(prior_iri), prior_number=number, number=number + 1,
                   submission=submission, reviewer=reviewer, now=now)

    def build(iri: URIRef) -> str:  # under the store's write lock
        if iri != determination_iri(case_id, number + 1):
            raise ReviewConflictError(f"another determination of case {case_id} was recorded while this review "
                                      f"was made; review the latest one", field="determination")
        return to_ntriples(det, iri)

    return store.add_determination(case_id, build), det
