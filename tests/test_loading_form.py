"""reasoner.loading.form and .codes: the form's checks, with code patterns from the knowledge."""

from __future__ import annotations

import pytest

from reasoner.errors import CaseLoadError
from reasoner.loading.codes import ontology_names, patterns, use_knowledge
from reasoner.loading.form import canonical_decimal, check_form, utc_datetime


def _form(**extra) -> dict:
    form = {"id": "f-1", "requested": [{"code": "J2274", "system": "HCPCS"}]}
    form.update(extra)
    return form


def test_code_patterns_come_from_the_ontology_and_the_compiled_knowledge(necessity_engine) -> None:
    assert set(patterns()) >= {"HCPCS", "CPT", "ICD-10-CM"}
    assert necessity_engine.knowledge.code_patterns.keys() == patterns().keys()
    use_knowledge(necessity_engine.knowledge)
    assert patterns()["CPT"].match("62362")


@pytest.mark.parametrize("form,field", [
    (_form(regimen=[{"drug": "modifier"}]), "regimen[0].drug"),
    (_form(regimen=[{"drug": "hasPatient"}]), "regimen[0].drug"),
    (_form(diagnoses=[{"code": "G89.4", "system": "ICD-10-CM"}] * 201), "diagnoses"),
    (_form(received_at="2026-02-30T00:00:00Z"), "received_at"),
    (_form(requested=[{"code": "62362", "system": "CPT", "units": 10**12}]), "requested[0].units"),
])
def test_refused_naming_the_field(form: dict, field: str) -> None:
    with pytest.raises(CaseLoadError) as info:
        check_form(form, "t")
    assert info.value.field == field


def test_ontology_names_are_classes_and_properties() -> None:
    names = ontology_names()
    assert "hasPatient" in names and "Case" in names and "morphine" not in names


def test_helpers() -> None:
    assert utc_datetime("2026-01-05T10:30:00+01:00") == "2026-01-05T09:30:00Z"
    assert utc_datetime("2026-01-05 10:30:00Z") is None
    from decimal import Decimal

    assert canonical_decimal(Decimal("3.200")) == "3.2" and canonical_decimal(Decimal("1E+2")) == "100"
