"""Which policy decides a PAS request: the one its payer maps to, never one the request did not choose.

The payer is ``Claim.insurer`` (an Organization entry of the bundle), known by its identifiers
(``system|value``) in the mapping's ``payers`` table. The Coverage the Claim points at names its
payor too; where that is an Organization, it must be the insurer or map to the same policy. A payer
that maps to no policy is refused, naming the element, unless the operator configured a default payer
policy explicitly (``NECESSITY_FHIR_DEFAULT_POLICY`` for the API, ``--policy`` on the command line);
then the request is decided under it and the answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .bundle import FhirInputError, PasRequest
from .mapping import tables

__all__ = ["PolicyChoice", "choose_policy"]

_CLAIM = "Bundle.entry[0].resource"


@dataclass(frozen=True)
class PolicyChoice:
    """The policy a request is decided under, and why."""

    policy: str
    by_default: bool
    """True when the payer maps to no policy and the operator's default payer policy decided."""

    def sentence(self) -> str:
        if self.by_default:
            return (f"Decided under {self.policy}, the operator's default payer policy: the payer in "
                    "Claim.insurer maps to no policy here.")
        return f"Decided under {self.policy}, the policy the payer in Claim.insurer maps to."


def _mapped(organization: Any) -> str | None:
    payers = tables()["payers"]
    for ident in getattr(organization, "identifier", None) or []:
        found = payers.get(f"{ident.system}|{ident.value}")
        if found:
            return found
    return None


def choose_policy(request: PasRequest, default_policy: str | None, source: str) -> PolicyChoice:
    """The policy the request's payer maps to, or the configured default, else a refusal.

    Raises:
        FhirInputError: the payer maps to no policy and no default is configured (names
            ``Claim.insurer``), or a Coverage's payor is another payer (names the payor).
    """
    claim = request.claim
    insurer_at, insurer = request.resolve(claim.insurer)
    policy = _mapped(insurer)
    for n, insurance in enumerate(claim.insurance or []):
        k, coverage = request.resolve(insurance.coverage)
        for m, payor in enumerate(getattr(coverage, "payor", None) or []):
            j, organization = request.resolve(payor)
            if organization is None or organization.get_resource_type() != "Organization" or j == insurer_at:
                continue
            other = _mapped(organization)
            if other is None or other != policy:
                reason = ("names a payer that is not Claim.insurer and maps to no policy here" if other is None
                          else "names a payer whose policy is not the one Claim.insurer maps to")
                raise FhirInputError(f"{reason} (the Coverage of Claim.insurance[{n}])",
                                     element=f"Bundle.entry[{k}].resource.payor[{m}]", source=source)
    if policy is not None:
        return PolicyChoice(policy, by_default=False)
    if default_policy:
        return PolicyChoice(default_policy, by_default=True)
    raise FhirInputError("the payer maps to no policy here (its Organization identifiers are not in the payer "
                         "table), and no default payer policy is configured", element=f"{_CLAIM}.insurer",
                         source=source)
