"""reasoner.loading.jsonld: nothing a JSON-LD processor would drop is dropped silently."""

from __future__ import annotations

import json

import pytest

from reasoner.errors import CaseLoadError
from reasoner.loading import case_to_jsonld, load_case
from reasoner.loading.jsonld import parse_jsonld

FORM = {"id": "j-1", "patient": {"age": 60, "sex": "female"},
        "requested": [{"code": "J2274", "system": "HCPCS", "units": 480, "modifiers": ["KD"]}],
        "intrathecal_trial": {"dose_steps": [{"dose_mcg": 50, "response": "positive"}]}}


def _doc() -> dict:
    return case_to_jsonld(FORM)


def _load(doc) -> None:
    load_case(json.dumps(doc), content_type="application/ld+json")


def test_the_form_as_jsonld_round_trips() -> None:
    doc = _doc()
    assert doc["intrathecal_trial"]["dose_steps"][0]["@id"].endswith("/j-1/trial/step/0")
    assert len(parse_jsonld(doc, "t")) > 0


@pytest.mark.parametrize("mutate,field", [
    (lambda d: d["patient"].update({"@id": "https://x/a b"}), "patient.@id"),
    (lambda d: d["requested"][0].update({"id": "urn:x:\u0001"}), "requested[0]"),
    (lambda d: d.update({"@graph": [{"@id": "https://x/n", "@graph": []}]}), "@graph"),
])
def test_invalid_ids_and_named_graphs_name_the_path(mutate, field: str) -> None:
    doc = _doc()
    mutate(doc)
    with pytest.raises(CaseLoadError) as info:
        _load(doc)
    assert info.value.field is not None and info.value.field.startswith(field)


@pytest.mark.parametrize("mutate", [
    lambda d: d["patient"].update(age=None),
    lambda d: d.update({"@context": {"nec": "https://w3id.org/necessity/ontology#"}}),
    lambda d: d["requested"][0].update(modifiers=["KD", "KD"]),
    lambda d: d["patient"].update(unmapped={"@value": "x"}) or d.update(
        {"@context": [d["@context"], {"@vocab": None}]}),
])
def test_values_that_would_be_dropped_are_refused(mutate) -> None:
    doc = _doc()
    mutate(doc)
    with pytest.raises(CaseLoadError):
        _load(doc)


def test_named_graph_found_after_parsing_too() -> None:
    doc = {"@context": _doc()["@context"], "@id": "https://w3id.org/necessity/case/g",
           "@graph": [{k: v for k, v in _doc().items() if k != "@context"}]}
    with pytest.raises(CaseLoadError):
        parse_jsonld(doc, "t", check_losses=False)
