"""A PAS request bundle -> the case graph, through the JSON case form and the same checks."""

from __future__ import annotations

from pathlib import Path

from reasoner.errors import CaseLoadError
from reasoner.loading import LoadedCase, load_form
from reasoner.loading.parse import decode, parse_json

from .bundle import FhirInputError, looks_like_bundle, parse_pas_request
from .intake import MappedCase, bundle_to_form

__all__ = ["load_pas_bundle", "is_bundle_file"]

_MAX_DEPTH = 48


def load_pas_bundle(data: bytes | str, source: str = "bundle", *,
                    default_policy: str | None = None) -> tuple[LoadedCase, MappedCase]:
    """Parse, map and load a PAS request bundle; ``default_policy`` decides one whose payer maps to no
    policy (without it, such a bundle is refused naming ``Claim.insurer``).

    Raises:
        FhirInputError: the bundle is not a valid PAS request, or a mapped value breaks a rule of the
            case form; ``element`` names the FHIR element where it is known.
    """
    request = parse_pas_request(data, source)
    mapped = bundle_to_form(request, source, default_policy=default_policy)
    try:
        case = load_form(mapped.form, source=source, source_format="fhir")
    except FhirInputError:
        raise
    except CaseLoadError as exc:
        element = mapped.element_of(exc.field)
        reason = f"{exc.reason} (case-form field '{exc.field}')" if exc.field else exc.reason
        raise FhirInputError(reason, element=element, source=source) from None
    return case, mapped


def is_bundle_file(path: Path) -> bool:
    """True for a ``.json`` file whose top level is a FHIR Bundle."""
    if path.suffix.lower() != ".json":
        return False
    try:
        text = decode(path.read_bytes(), path.name)
        return looks_like_bundle(parse_json(text, path.name, max_depth=_MAX_DEPTH))
    except (OSError, CaseLoadError):
        return False
