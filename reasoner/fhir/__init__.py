"""FHIR R4 / Da Vinci PAS: request bundles in (mapped to the case form), response bundles out.

* :mod:`.mapping` - the mapping tables (``pas-mapping.json``): code systems, payers, questionnaire
  link ids, RxNorm and procedure codes, LOINC attachment codes;
* :mod:`.bundle` - parse a PAS request bundle with ``fhir.resources`` R4B models and check its shape;
  errors become an OperationOutcome naming the element path;
* :mod:`.intake` and :mod:`.clinical` - the bundle as a JSON case form;
* :mod:`.response` - a determination as a PAS response bundle with a ClaimResponse.
"""

from __future__ import annotations

from .bundle import FhirInputError, PasRequest, looks_like_bundle, parse_pas_request
from .intake import MappedCase, bundle_to_form
from .load import is_bundle_file, load_pas_bundle
from .outcome import operation_outcome
from .response import response_bundle

__all__ = ["FhirInputError", "PasRequest", "MappedCase", "looks_like_bundle", "parse_pas_request",
           "bundle_to_form", "operation_outcome", "response_bundle", "load_pas_bundle", "is_bundle_file",
           "FHIR_JSON"]

FHIR_JSON = "application/fhir+json"
