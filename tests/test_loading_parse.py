"""reasoner.loading.parse: JSON read safely, values named by path, library warnings rephrased."""

from __future__ import annotations

import json
import logging

import pytest

from reasoner.errors import CaseLoadError
from reasoner.loading.parse import decode, parse_json, quiet_libraries, unsafe_text


@pytest.mark.parametrize("text,field", [
    ('{"a": {"b": [1, NaN]}}', "a.b[1]"),
    ('{"a": -Infinity}', "a"),
    ('{"a": ' + "1" * 5000 + "}", "a"),
    ('{"a": 1' + "0" * 500 + ".5}", "a"),
    ('{"a": ["x", "\\ud800"]}', "a[1]"),
    ('{"a": "tab\\tok", "b": "bell\\u0007"}', "b"),
])
def test_unsafe_values_are_refused_by_path(text: str, field: str) -> None:
    with pytest.raises(CaseLoadError) as info:
        parse_json(text, "t", max_depth=8)
    assert info.value.field == field
    assert "4300" not in str(info.value) and "Exceeds" not in str(info.value)


def test_plain_values_and_decimals() -> None:
    value = parse_json('{"a": 3.20, "b": 7, "c": "x\\ny"}', "t", max_depth=4)
    assert str(value["a"]) == "3.20" and value["b"] == 7 and value["c"] == "x\ny"


def test_syntax_errors_give_the_line_without_the_input() -> None:
    with pytest.raises(CaseLoadError) as info:
        parse_json('{\n"a": 1,\n"secret value" }', "t", max_depth=4)
    assert info.value.line == 3 and "secret" not in str(info.value)


def test_duplicate_keys_and_depth() -> None:
    with pytest.raises(CaseLoadError) as info:
        parse_json('{"a": 1, "a": 2}', "t", max_depth=4)
    assert info.value.field == "a"
    with pytest.raises(CaseLoadError) as info:
        parse_json('{"a":\n[[[[1]]]]}', "t", max_depth=3)
    assert info.value.line == 2


def test_decode() -> None:
    assert decode("\ufeff{}".encode(), "t") == "{}"
    with pytest.raises(CaseLoadError):
        decode(b"\xff\xfe", "t")
    assert unsafe_text("a\ud800") and unsafe_text("\x00") and not unsafe_text("a\tb\nc")


def test_rdflib_warnings_are_rephrased_without_the_value(caplog) -> None:
    from rdflib import Literal
    from rdflib.namespace import XSD

    caplog.set_level(logging.DEBUG)
    with quiet_libraries():
        Literal("Qzxjv-not-a-number", datatype=XSD.integer)
        Literal("Qzxjv-not-a-date", datatype=XSD.date)
    assert "Qzxjv" not in caplog.text
    assert any(r.name.startswith("rdflib") for r in caplog.records)  # the warning happened, rephrased
    json.dumps([r.getMessage() for r in caplog.records])
