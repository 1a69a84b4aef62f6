"""Every reference of a PAS request bundle resolves inside it, to one entry of the expected type.

A PAS request is self-contained: the Claim, its Patient, insurer, provider, Coverage and every
supporting resource travel in one collection bundle. A reference that points nowhere (a typo, or a
resource the sender forgot) would otherwise be read as "not documented", and an ambiguous bundle
(two Claims, two entries under one ``fullUrl`` or one ``Type/id``) would be decided on whichever
entry came last. Both are refused here, naming the element by its FHIRPath.

Also checked: the elements the mapping reads point at the resource type it expects, and each item's
``informationSequence``, ``diagnosisSequence``, ``careTeamSequence`` and ``procedureSequence`` name a
``supportingInfo``, ``diagnosis``, ``careTeam`` or ``procedure`` entry of the Claim.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["index_entries", "check_references", "check_sequences"]

_CLAIM = "Bundle.entry[0].resource"
_PARTY = ("Practitioner", "PractitionerRole", "Organization")
_EXPECTED: dict[str, tuple[str, ...]] = {
    # the element (FHIRPath below the Claim, without indexes) -> the resource types it may point at
    "patient": ("Patient",),
    "insurer": ("Organization",),
    "provider": _PARTY,
    "careTeam.provider": _PARTY,
    "insurance.coverage": ("Coverage",),
}
_SEQUENCES = (("informationSequence", "supportingInfo"), ("diagnosisSequence", "diagnosis"),
              ("careTeamSequence", "careTeam"), ("procedureSequence", "procedure"))


def _error(reason: str, element: str, source: str) -> Exception:
    from ..errors import FhirInputError

    return FhirInputError(reason, element=element, source=source)


def index_entries(entries: list[Any], source: str) -> dict[str, tuple[int, Any]]:
    """Each entry under its ``fullUrl`` and its ``Type/id``; refuses a second Claim and a name used twice."""
    index: dict[str, tuple[int, Any]] = {}
    claims = 0
    for i, entry in enumerate(entries):
        if not entry.fullUrl or entry.resource is None:
            raise _error("every entry needs a fullUrl and a resource", f"Bundle.entry[{i}]", source)
        kind, rid = entry.resource.get_resource_type(), entry.resource.id
        if kind == "Claim":
            claims += 1
            if claims > 1:
                raise _error("a PAS request bundle holds one Claim; this is a second one",
                             f"Bundle.entry[{i}].resource", source)
        names = [(entry.fullUrl, "fullUrl")] + ([(f"{kind}/{rid}", "resource.id")] if rid else [])
        for name, element in names:
            if name in index:
                raise _error(f"already names Bundle.entry[{index[name][0]}]; each entry needs its own",
                             f"Bundle.entry[{i}].{element}", source)
            index[name] = (i, entry.resource)
    return index


def _walk(node: Any, path: str) -> Iterator[tuple[str, str]]:
    """(FHIRPath, reference text) of every ``Reference.reference`` below ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield path, value
            elif key != "contained":
                yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _walk(value, f"{path}[{n}]")


def _target(reference: str, index: dict[str, tuple[int, Any]], resource: dict[str, Any]) -> str | None:
    """The resource type a reference resolves to, or None if it points nowhere."""
    if reference.startswith("#"):
        contained = {c.get("id"): c.get("resourceType") for c in resource.get("contained") or []
                     if isinstance(c, dict)}
        return resource.get("resourceType") if reference == "#" else contained.get(reference[1:])
    text = reference.split("/_history/", 1)[0]
    found = index.get(text) or index.get(reference)
    return found[1].get_resource_type() if found else None


def _bare(path: str) -> str:
    """``Bundle.entry[0].resource.careTeam[0].provider`` -> ``careTeam.provider`` (the Claim's own elements)."""
    if not path.startswith(_CLAIM + "."):
        return ""
    out = path[len(_CLAIM) + 1:]
    while "[" in out:
        start = out.index("[")
        out = out[:start] + out[out.index("]", start) + 1:]
    return out


def check_references(doc: dict[str, Any], index: dict[str, tuple[int, Any]], source: str) -> None:
    """Refuse a reference that points nowhere in the bundle, or at a resource of the wrong type."""
    for i, entry in enumerate(doc.get("entry") or []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        for path, reference in _walk(resource, f"Bundle.entry[{i}].resource"):
            element = path.removesuffix(".reference") if path.endswith(".reference") else path
            kind = _target(reference, index, resource)
            if kind is None:
                raise _error("references a resource that is not an entry of the bundle", element, source)
            expected = _EXPECTED.get(_bare(element)) if i == 0 else None
            if expected and kind not in expected:
                raise _error(f"must reference a {' or '.join(expected)} entry, not a {kind}", element, source)


def check_sequences(claim: Any, source: str) -> None:
    """Sequences unique within each list of the Claim, and every item's pointers into them resolving."""
    known: dict[str, set[int]] = {}
    for _pointer, listed in _SEQUENCES:
        numbers = [entry.sequence for entry in getattr(claim, listed) or []]
        if len(set(numbers)) != len(numbers):
            raise _error(f"{listed} sequences must be unique", f"{_CLAIM}.{listed}.sequence", source)
        known[listed] = set(numbers)
    for n, item in enumerate(claim.item or []):
        for pointer, listed in _SEQUENCES:
            for k, number in enumerate(getattr(item, pointer) or []):
                if number not in known[listed]:
                    raise _error(f"names {listed} {number}, which the Claim does not have",
                                 f"{_CLAIM}.item[{n}].{pointer}[{k}]", source)
