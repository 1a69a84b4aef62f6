"""reasoner.loading.graph: a case states facts about itself and its nodes only."""

from __future__ import annotations

import pytest

from reasoner.errors import CaseLoadError
from reasoner.loading import load_case

H = ("@prefix nec: <https://w3id.org/necessity/ontology#> .\n@prefix case: <https://w3id.org/necessity/case/> .\n"
     "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")
L = 'nec:hasRequestedLine [ nec:notation "J2274" ; nec:codeSystemName "HCPCS" ]'


def _load(text: str):
    return load_case(H + text, content_type="text/turtle")


@pytest.mark.parametrize("text,field", [
    (f"case:x a nec:Case ; {L} ; nec:hasPatient <https://w3id.org/necessity/case/y/patient> .", "patient"),
    (f"case:x a nec:Case ; {L} ; nec:hasPatient nec:ziconotide .", "patient"),
    (f"case:x a nec:Case ; {L} ; nec:hasPatient <https://w3id.org/necessity/case/x> .", "patient"),
    (f"case:x a nec:Case ; {L} ; nec:hasIntrathecalTrial [ nec:hasDoseStep <https://w3id.org/necessity/case/y/s> ] .",
     "intrathecal_trial.dose_steps"),
    (f"case:x a nec:Case ; {L} ; nec:hasImplantedPump [ rdfs:label nec:ziconotide ] .", "pump"),
    (f"case:x a nec:Case ; {L} ; nec:hasRegimen [ nec:drug nec:modifier ] .", "regimen[0].drug"),
    (f"case:x a nec:Case ; {L} ; nec:hasImplantedPump [ nec:replacementReason nec:ziconotide ] .",
     "pump.replacement_reason"),
])
def test_refused_naming_the_node(text: str, field: str) -> None:
    with pytest.raises(CaseLoadError) as info:
        _load(text)
    assert info.value.field == field


@pytest.mark.parametrize("text", [
    f"case:x a nec:Case ; {L} .\nnec:ziconotide nec:ageYears 99 .",
    f"case:x a nec:Case ; {L} .\n<https://w3id.org/necessity/case/000/patient> nec:ageYears 99 .",
    f"case:x a nec:Case ; {L} .\n<https://w3id.org/necessity/case/x/loose> nec:ageYears 99 .",
])
def test_statements_about_anything_else_are_refused(text: str) -> None:
    with pytest.raises(CaseLoadError) as info:
        _load(text)
    assert "neither the case nor one of its nodes" in str(info.value)


def test_nodes_under_the_case_iri_are_accepted() -> None:
    case = _load(f"case:x a nec:Case ; {L} ; nec:hasPatient <https://w3id.org/necessity/case/x/someone> .\n"
                 "<https://w3id.org/necessity/case/x/someone> nec:ageYears 40 .")
    assert len(case.graph) > 0
