"""reasoner.loading.jsonschema: the form's JSON Schema accepts the bundled cases and refuses the rest."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from reasoner.loading.jsonschema import form_json_schema
from reasoner.knowledge.paths import data_root

CASES = sorted(Path(data_root("cases")).glob("*.json"))


@pytest.fixture(scope="module")
def validator():
    schema = form_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bundled_cases_are_valid(validator, path: Path) -> None:
    validator.validate(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("change", [
    {"pupm": {}}, {"urgency": "urgent"}, {"requested": []}, {"patient": {"age": 131}},
    {"provider": {"npi": "123"}}, {"received_at": "2026-01-05"}, {"id": "../x"},
    {"intrathecal_trial": {"dose_steps": [{"response": "maybe"}]}},
])
def test_invalid_forms_are_refused(validator, change: dict) -> None:
    form = json.loads(CASES[0].read_text(encoding="utf-8")) | change
    assert not validator.is_valid(form)


def test_schema_is_a_fresh_copy() -> None:
    first = form_json_schema()
    first["properties"].clear()
    assert form_json_schema()["properties"]
