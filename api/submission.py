"""A submitted case made ready to store: read, decided and rendered, in whichever process decides.

:func:`prepare` does all the CPU work of ``POST /cases`` except the write: it reads the body,
decides the case, writes the case and determination graphs as N-Triples text and renders the
response body in the negotiated media type. It needs only an :class:`~reasoner.engine.Engine`,
so it runs the same in the server's thread pool or in a decision worker process
(:mod:`api.decision_pool`); what it returns is plain data that crosses a process boundary
cheaply. The store-owning process then only checks the id and writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import URIRef

from reasoner.determination import Determination
from reasoner.determination.authorization import authorization_number
from reasoner.engine import DEFAULT_POLICY, Engine
from reasoner.errors import StoreError, UnknownPolicyError
from reasoner.loading.form_graph import FormCase, read_case
from reasoner.fhir import FHIR_JSON, load_pas_bundle, response_bundle
from reasoner.letters import letter_markdown, reviewer_page
from reasoner.loading import LoadedCase, load_case
from reasoner.store import determination_iri

from .models import Decision
from reasoner.determination.rdf import to_graph, to_ntriples

__all__ = ["Prepared", "prepare", "prepare_pas", "prepare_redecision", "decide", "render_decision", "LETTERS"]

LETTERS = {"text/markdown": ("text/markdown; charset=utf-8", letter_markdown),
           "text/html": ("text/html; charset=utf-8", reviewer_page)}
"""Media types answered with a document made from the determination, and their renderers."""


@dataclass(frozen=True)
class Prepared:
    """A decided case, ready for the store and for the response.

    Attributes:
        case_id: the case id (the store refuses it with 409 if it is taken).
        case_nt: the case graph as N-Triples (empty for a re-decision: the case is stored already).
        determination_iri: the IRI the determination is written under (number 1: a new case's first).
        determination_nt: the determination graph as N-Triples.
        body: the response body, already rendered.
        media_type: its Content-Type.
        decided: the determination itself, kept only by a re-decision, whose number the store
            chooses at the write (:meth:`rewritten_for` uses it when another decision took the one
            expected).
    """

    case_id: str
    case_nt: str
    determination_iri: str
    determination_nt: str
    body: bytes
    media_type: str
    decided: Determination | None = None

    def determination(self, iri: URIRef) -> str:
        """The determination builder for ``Store.add_case``: the N-Triples made for ``iri``."""
        if str(iri) != self.determination_iri:  # a new case's determination is always number 1
            raise StoreError(f"the store chose {iri} for a determination written as {self.determination_iri}")
        return self.determination_nt

    def rewritten_for(self, iri: URIRef, accept: str) -> Prepared:
        """This re-decision as written under ``iri``: itself where that is the IRI it was made for,
        else its graph and body made again for ``iri`` (another decision of the case came first)."""
        if str(iri) == self.determination_iri or self.decided is None:
            return self
        body, media_type = render_decision(self.decided, iri, accept)
        return Prepared(self.case_id, "", str(iri), to_ntriples(self.decided, iri), body, media_type, self.decided)


def decide(engine: Engine, case: LoadedCase | FormCase, policy: str | None, version: str | None) -> Determination:
    """Decide, and say which parameter an unknown policy or version came from."""
    try:
        return engine.decide(case, policy=policy, version=version)
    except UnknownPolicyError as exc:
        chosen = (policy or case.requested_policy or DEFAULT_POLICY).split("@", 1)[0]
        known = any(v.policy_id == chosen for v in engine.knowledge.versions.values())
        if getattr(exc, "field", None) is None:
            exc.field = "version" if known and version is not None else "policy"  # type: ignore[attr-defined]
        raise


def render_decision(det: Determination, iri: URIRef, media: str) -> tuple[bytes, str]:
    """The body of a decision response (``POST /cases``, ``POST /cases/{id}/decide``) and its media type."""
    number = int(str(iri).rsplit("/", 1)[-1])
    if media in LETTERS:
        content_type, render = LETTERS[media]
        return render(det, number=number).encode("utf-8"), content_type
    if media == "text/turtle":
        return to_graph(det, iri).serialize(format="turtle", encoding="utf-8"), "text/turtle"
    body = Decision(number=number, iri=str(iri), url=f"/cases/{det.case_id}/determinations/{number}",
                    case_url=f"/cases/{det.case_id}",
                    decided_at=det.clock.decided_at.isoformat().replace("+00:00", "Z"), outcome=det.outcome,
                    outcomes=det.outcomes, determination=det)
    return body.model_dump_json().encode("utf-8"), "application/json"


def _sorted(nt: str) -> str:
    """N-Triples lines in text order, i.e. by subject then predicate: the store writes a graph whose
    triples come grouped by subject about a fifth faster (:func:`reasoner.store.base.nquads` sorts
    too, and sorting what is sorted already costs it little; here the worker pays for it)."""
    return "\n".join(sorted(line for line in nt.splitlines() if line.strip())) + "\n"


def _case_nt(case: LoadedCase | FormCase) -> str:
    if isinstance(case, FormCase):  # pyoxigraph triples: serialised without an rdflib graph
        return _sorted((ox.serialize(case.triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8"))
    return _sorted(case.graph.serialize(format="nt", encoding="utf-8").decode("utf-8"))


def prepare(engine: Engine, body: bytes, media: str, policy: str | None, version: str | None,
            accept: str) -> Prepared:
    """Read, decide and render one submitted case (everything but the write).

    Raises:
        CaseLoadError: the body is not a valid case (names the field or line).
        UnknownPolicyError: the policy or version is unknown (``field`` says which parameter).
    """
    case = read_case(body, content_type=media, source="body")  # a JSON form skips the JSON-LD expansion
    det = decide(engine, case, policy, version)
    iri = determination_iri(case.case_id, 1)
    det_nt = to_ntriples(det, iri)
    response, media_type = render_decision(det, iri, accept)
    return Prepared(case.case_id, _case_nt(case), str(iri), det_nt, response, media_type)


def prepare_pas(engine: Engine, body: bytes, may_certify: bool, default_policy: str | None = None) -> Prepared:
    """Map, decide and answer one Da Vinci PAS request bundle (everything but the write): the
    response body is the PAS response bundle, certified as the case's first determination.

    Raises:
        FhirInputError: the bundle is not a valid PAS request (``element`` names the FHIR element).
        CaseLoadError: the mapped case breaks a rule of the case form.
        UnknownPolicyError: the payer's policy is not known here.
    """
    case, mapped = load_pas_bundle(body, source="bundle", default_policy=default_policy)
    det = mapped.annotate(engine.decide(case))
    iri = determination_iri(case.case_id, 1)
    # the LOINC attachment codes come with the determination's checklist (nec:loincAttachmentCode)
    answer = response_bundle(mapped.request, mapped.sequences, det.to_dict(), decided_at=det.clock.decided_at,
                             certification=authorization_number(case.case_id, 1), may_certify=may_certify)
    text = json.dumps(answer, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Prepared(case.case_id, _case_nt(case), str(iri), to_ntriples(det, iri), text.encode("utf-8"), FHIR_JSON)


def prepare_redecision(engine: Engine, case_nt: str, case_id: str, number: int, policy: str | None,
                       version: str | None, accept: str) -> Prepared:
    """Decide a stored case again (its graph as N-Triples) and render the answer, made for the
    determination number the store is expected to choose (the next one).

    Raises:
        UnknownPolicyError: the policy or version is unknown (``field`` says which parameter).
    """
    case = load_case(case_nt, content_type="text/turtle", source=f"stored case {case_id}")
    det = decide(engine, case, policy, version)
    iri = determination_iri(case_id, number)
    body, media_type = render_decision(det, iri, accept)
    return Prepared(case_id, "", str(iri), to_ntriples(det, iri), body, media_type, det)
