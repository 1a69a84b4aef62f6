"""FHIR: ``POST /Claim/$submit`` takes a Da Vinci PAS request bundle and answers a PAS response bundle.

The bundle is mapped to the case form (:mod:`reasoner.fhir`), decided and stored exactly as a case
posted to ``/cases`` (the case id is ``Claim.identifier.value``): mapped, decided and answered in a
decision worker (:func:`api.submission.prepare_pas`), written by the server. Errors are
OperationOutcomes whose ``expression`` names the element; nothing is stored for a refused bundle.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from reasoner.determination.rdf import from_graph
from reasoner.errors import CaseLoadError, CaseNotFoundError, InvalidIdentifierError, UnknownPolicyError
from reasoner.fhir import FHIR_JSON, FhirInputError, operation_outcome, response_bundle
from reasoner.fhir.inquiry import asked_items, item_sequences, parse_inquiry
from reasoner.store import CaseExistsError, Store, case_iri, determination_iri

from ..deps import DeciderDep, SettingsDep, StoreDep
from ..security import require_api_key

router = APIRouter(tags=["fhir"], dependencies=[Depends(require_api_key)])

_TYPES = (FHIR_JSON, "application/json")
_OUTCOME = {"content": {FHIR_JSON: {"schema": {"type": "object", "description": "An OperationOutcome."}}},
            "description": "An OperationOutcome; `issue[0].expression` names the element at fault."}


def _fhir(body: dict, status: int) -> Response:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON)


@router.post(
    "/Claim/$submit", summary="Submit a Da Vinci PAS request bundle",
    description=(
        "The body is a PAS request Bundle (`application/fhir+json`, FHIR R4): the Claim first, with the "
        "Patient, Coverage, insurer, provider and the supporting resources it references. It is mapped to "
        "the case form, decided and stored like a case posted to `/cases`. The answer is a PAS response "
        "Bundle whose ClaimResponse gives each item (by `itemSequence`) a review action: A1 certified, A4 "
        "pended (missing documents as LOINC attachment codes in a CommunicationRequest, or criteria not "
        "met with the reasons in `processNote`, for a reviewer to decide), NA not reviewed under this "
        "policy. A payer (`Claim.insurer`) that maps to no policy is refused (422) unless the operator "
        "configured a default payer policy; the last `processNote` names the policy that decided, and what "
        "the request stated but could not be used (a diagnosis in another code system) comes back as an "
        "OperationOutcome entry of warnings. Every error is an OperationOutcome."),
    responses={200: {"content": {FHIR_JSON: {"schema": {"type": "object", "description": "A PAS response Bundle."}}},
                     "description": "The PAS response Bundle."},
               409: _OUTCOME, 415: _OUTCOME, 422: _OUTCOME},
    openapi_extra={"requestBody": {"required": True, "content": {
        FHIR_JSON: {"schema": {"type": "object", "description": "A Da Vinci PAS request Bundle."}}}}},
)
async def submit_claim(request: Request, decider: DeciderDep, store: StoreDep, settings: SettingsDep) -> Response:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in _TYPES:
        return _fhir(operation_outcome(f"Content-Type must be {FHIR_JSON}", code="not-supported"), 415)
    body = await request.body()
    try:
        ready = await decider.prepare_pas(body, settings.fhir_may_certify,  # in a worker process, or a thread
                                          settings.fhir_default_policy)
        await run_in_threadpool(store.add_case, ready.case_id, ready.case_nt, ready.determination)
    except FhirInputError as exc:
        return _fhir(operation_outcome(exc.reason, expression=exc.element), 422)
    except CaseLoadError as exc:
        return _fhir(operation_outcome(exc.reason, expression=None), 422)
    except CaseExistsError:
        return _fhir(operation_outcome("a request with this Claim.identifier is already stored",
                                       expression="Bundle.entry[0].resource.identifier[0].value",
                                       code="duplicate"), 409)
    except UnknownPolicyError:
        return _fhir(operation_outcome("the payer's policy is not known here",
                                       expression="Bundle.entry[0].resource.insurer", code="not-supported"), 422)
    return Response(ready.body, status_code=200, media_type=ready.media_type)


def _current_answer(store: Store, body: bytes, may_certify: bool) -> dict:
    """The PAS response bundle of the inquired case's latest determination (see :mod:`reasoner.fhir.inquiry`)."""
    request = parse_inquiry(body)
    case_id = request.claim.identifier[0].value
    try:
        records = store.list_determinations(case_id)
    except (CaseNotFoundError, InvalidIdentifierError):
        raise FhirInputError("no request with this Claim.identifier is stored",
                             element="Bundle.entry[0].resource.identifier[0].value") from None
    number = max(r.number for r in records)
    det = from_graph(store.get_determination(case_id, number), determination_iri(case_id, number))
    sequences = item_sequences(store.get_case(case_id), case_iri(case_id))
    return response_bundle(request, sequences, det.to_dict(), decided_at=det.clock.decided_at,
                           certification=f"{case_id}-{number}", may_certify=may_certify, only=asked_items(request))


@router.post(
    "/Claim/$inquire", summary="Ask for the current answer to a PAS request (Da Vinci PAS inquiry)",
    description=(
        "The body is a PAS inquiry Bundle (`application/fhir+json`): a Claim that carries the original request's "
        "`identifier` (and, optionally, the items asked about). The answer is a PAS response Bundle of the "
        "request's current determination: a line a reviewer decided has the reviewer's action (A1 approved, "
        "A3 not certified with the reason in `processNote`, A4 pended); a line nobody decided yet has the "
        "engine's (A1, or A4 pended for documentation or for a reviewer, NA out of scope)."),
    responses={200: {"content": {FHIR_JSON: {"schema": {"type": "object", "description": "A PAS response Bundle."}}},
                     "description": "The PAS response Bundle of the current determination."},
               404: _OUTCOME, 415: _OUTCOME, 422: _OUTCOME},
    openapi_extra={"requestBody": {"required": True, "content": {
        FHIR_JSON: {"schema": {"type": "object", "description": "A Da Vinci PAS inquiry Bundle."}}}}},
)
async def inquire_claim(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in _TYPES:
        return _fhir(operation_outcome(f"Content-Type must be {FHIR_JSON}", code="not-supported"), 415)
    body = await request.body()
    try:
        answer = await run_in_threadpool(_current_answer, store, body, settings.fhir_may_certify)
    except FhirInputError as exc:
        status = 404 if exc.reason.startswith("no request") else 422
        return _fhir(operation_outcome(exc.reason, expression=exc.element,
                                       code="not-found" if status == 404 else "invalid"), status)
    return _fhir(answer, 200)
