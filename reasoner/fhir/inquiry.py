"""Da Vinci PAS inquiry (``Claim/$inquire``): the current answer to a request decided earlier.

An inquiry bundle carries a Claim with the original request's identifier (the case id), and may name
items (by ``sequence``) to ask about. The answer is the PAS response bundle of the case's latest
determination: the reviewer's decision where one was recorded (approve A1, deny A3 with the reason,
pend A4), the engine's outcome elsewhere (A4 while a line waits for a reviewer). The item sequences
come from the stored case (``nec:claimItemSequence``, kept when the request came as a PAS bundle;
a case submitted in another form answers with its line numbers from 1).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from rdflib import Graph, URIRef

from ..errors import CaseLoadError, FhirInputError
from ..loading.parse import decode, parse_json
from ..namespaces import NEC
from .bundle import PasRequest, looks_like_bundle

__all__ = ["parse_inquiry", "item_sequences", "asked_items"]


def parse_inquiry(data: bytes | str, source: str = "bundle") -> PasRequest:
    """Parse a PAS inquiry bundle: a collection whose first entry is a Claim with an identifier.

    Raises:
        FhirInputError: not JSON, not an R4 Bundle, or no Claim identifier; names the element.
    """
    from fhir.resources.R4B.bundle import Bundle  # R4B only: never the R5 default models

    try:
        doc = parse_json(decode(data, source), source, max_depth=48)
    except CaseLoadError as exc:
        raise FhirInputError(exc.reason, element="Bundle", source=source) from None
    if not looks_like_bundle(doc):
        raise FhirInputError("must be a FHIR Bundle (resourceType 'Bundle')", element="Bundle.resourceType",
                             source=source)
    try:
        bundle = Bundle.model_validate(doc)
    except (ValidationError, ValueError, TypeError, LookupError, AttributeError):
        raise FhirInputError("is not a valid FHIR R4 Bundle", element="Bundle", source=source) from None
    entries = bundle.entry or []
    if not entries or entries[0].resource is None or entries[0].resource.get_resource_type() != "Claim":
        raise FhirInputError("the first entry of a PAS inquiry bundle is the Claim", element="Bundle.entry[0]",
                             source=source)
    claim = entries[0].resource
    if not claim.identifier or not claim.identifier[0].value:
        raise FhirInputError("a PAS inquiry Claim carries the original request's identifier",
                             element="Bundle.entry[0].resource.identifier", source=source)
    request = PasRequest(doc=doc, bundle=bundle, claim=claim)
    for i, entry in enumerate(entries):
        if entry.resource is None:
            continue
        if entry.fullUrl:
            request.by_reference[entry.fullUrl] = (i, entry.resource)
        if entry.resource.id:
            request.by_reference[f"{entry.resource.get_resource_type()}/{entry.resource.id}"] = (i, entry.resource)
    return request


def asked_items(request: PasRequest) -> set[int] | None:
    """The item sequences an inquiry names, or None (it asks about every item)."""
    items: Any = request.claim.item or []
    return {item.sequence for item in items} or None


def item_sequences(case_graph: Graph, case_iri: URIRef) -> list[int]:
    """``Claim.item.sequence`` of each requested line of a stored case, in line order."""
    lines = sorted(case_graph.objects(case_iri, NEC.hasRequestedLine),
                   key=lambda n: int(case_graph.value(n, NEC.lineIndex) or 0))
    return [int(case_graph.value(line, NEC.claimItemSequence) or i + 1) for i, line in enumerate(lines)]
