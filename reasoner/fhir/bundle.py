"""Parse a Da Vinci PAS request bundle with ``fhir.resources`` R4B models and check its shape.

Only the R4B models are used (``fhir.resources.R4B``): PAS is FHIR R4 (4.0.1), and the package's
default R5 models refuse R4 resources. The models check types, cardinalities of the base spec and
unknown elements; this module adds the PAS request rules the mapping relies on (a collection whose
first entry is a preauthorization Claim with an identifier and items, every entry with a fullUrl,
every reference resolving inside the bundle, see :mod:`.references`). Every error names the element by its FHIRPath.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from reasoner.errors import CaseLoadError, FhirInputError
from reasoner.loading.parse import decode, parse_json

from .references import check_references, check_sequences, index_entries

__all__ = ["FhirInputError", "PasRequest", "looks_like_bundle", "parse_pas_request"]

_MAX_DEPTH = 48
_MESSAGES = {
    "extra_forbidden": "is not an element of this resource in FHIR R4",
    "missing": "is required",
}


@dataclass
class PasRequest:
    """A parsed PAS request bundle with its resources indexed for reference lookup."""

    doc: dict[str, Any]
    bundle: Any
    claim: Any
    by_reference: dict[str, tuple[int, Any]] = field(default_factory=dict)

    def resolve(self, reference: Any) -> tuple[int, Any] | tuple[None, None]:
        """The (entry index, resource) a Reference points at, or (None, None)."""
        ref = getattr(reference, "reference", None)
        return self.by_reference.get(ref, (None, None)) if ref else (None, None)

    def resources(self, kind: str) -> list[tuple[int, Any]]:
        return [(i, e.resource) for i, e in enumerate(self.bundle.entry or [])
                if e.resource is not None and e.resource.get_resource_type() == kind]


def looks_like_bundle(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("resourceType") == "Bundle"


def _fhirpath(loc: tuple[Any, ...] | list[Any]) -> str:
    out = "Bundle"
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("[") or part.startswith("function-"):
            continue
        else:
            out += f".{part}"
    return out


def _loc(field_path: str | None) -> str | None:
    """A loader path (``entry[0].resource.item``) as a FHIRPath from the bundle."""
    return f"Bundle.{field_path}" if field_path else "Bundle"


def parse_pas_request(data: bytes | str | dict[str, Any], source: str = "bundle") -> PasRequest:
    """Parse and check a PAS request bundle.

    Raises:
        FhirInputError: not JSON, not a valid R4 Bundle, or not a PAS request; names the element.
    """
    from fhir.resources.R4B.bundle import Bundle  # R4B only: never the R5 default models

    if isinstance(data, dict):
        doc = data
    else:
        try:
            doc = parse_json(decode(data, source), source, max_depth=_MAX_DEPTH)
        except FhirInputError:
            raise
        except CaseLoadError as exc:
            raise FhirInputError(exc.reason, element=_loc(exc.field) if exc.field else None,
                                 source=source) from None
    if not looks_like_bundle(doc):
        raise FhirInputError("must be a FHIR Bundle (resourceType 'Bundle')", element="Bundle.resourceType",
                             source=source)
    _check_resource_types(doc, source)
    try:
        bundle = Bundle.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        reason = _MESSAGES.get(first["type"], "has a value of the wrong type or form")
        raise FhirInputError(reason, element=_fhirpath(first["loc"]), source=source) from None
    except (ValueError, TypeError, LookupError, AttributeError):
        raise FhirInputError("is not a valid FHIR R4 Bundle", element="Bundle", source=source) from None
    request = PasRequest(doc=doc, bundle=bundle, claim=None)
    _check_shape(request, source)
    return request


def _check_resource_types(doc: dict[str, Any], source: str) -> None:
    """Name an entry whose resourceType FHIR R4 does not define (the models would fail obscurely)."""
    from fhir.resources.R4B import get_fhir_model_class

    entries = doc.get("entry")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if resource is None:
            continue
        try:
            known = isinstance(kind, str) and get_fhir_model_class(kind) is not None
        except (KeyError, ValueError, AttributeError):
            known = False
        if not known:
            raise FhirInputError("is not a FHIR R4 resource type", source=source,
                                 element=f"Bundle.entry[{i}].resource.resourceType")


def _check_shape(request: PasRequest, source: str) -> None:
    bundle = request.bundle
    if bundle.type != "collection":
        raise FhirInputError("a PAS request bundle has type 'collection'", element="Bundle.type", source=source)
    entries = bundle.entry or []
    if not entries or entries[0].resource is None or entries[0].resource.get_resource_type() != "Claim":
        raise FhirInputError("the first entry of a PAS request bundle is the Claim", element="Bundle.entry[0]",
                             source=source)
    request.by_reference.update(index_entries(entries, source))
    claim = entries[0].resource
    request.claim = claim
    where = "Bundle.entry[0].resource"
    if claim.use != "preauthorization":
        raise FhirInputError("a PAS Claim has use 'preauthorization'", element=f"{where}.use", source=source)
    if not claim.identifier or not claim.identifier[0].value:
        raise FhirInputError("a PAS Claim needs an identifier (it names the case)",
                             element=f"{where}.identifier", source=source)
    if not claim.item:
        raise FhirInputError("a PAS Claim needs at least one item", element=f"{where}.item", source=source)
    sequences = [item.sequence for item in claim.item]
    if len(set(sequences)) != len(sequences):
        raise FhirInputError("item sequences must be unique", element=f"{where}.item.sequence", source=source)
    index, patient = request.resolve(claim.patient)
    if patient is None or patient.get_resource_type() != "Patient":
        raise FhirInputError("must reference a Patient entry of the bundle", element=f"{where}.patient",
                             source=source)
    check_sequences(claim, source)
    check_references(request.doc, request.by_reference, source)
    if claim.insurer is None or not claim.insurer.reference:
        raise FhirInputError("a PAS Claim references its insurer (the payer whose policy decides)",
                             element=f"{where}.insurer", source=source)
