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

from reasoner.errors import CaseLoadError, UnknownPolicyError
from reasoner.fhir import FHIR_JSON, FhirInputError, operation_outcome
from reasoner.store import CaseExistsError

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
