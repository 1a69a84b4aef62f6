"""reasoner.loading.turtle: Turtle that a store would refuse is refused by line."""

from __future__ import annotations

import pytest

from reasoner.errors import CaseLoadError
from reasoner.loading.iris import invalid_iri_line, valid_iri
from reasoner.loading.turtle import parse_turtle

HEAD = "@prefix nec: <https://w3id.org/necessity/ontology#> .\n@prefix case: <https://w3id.org/necessity/case/> .\n"


@pytest.mark.parametrize("body,line", [
    ("case:x nec:p <https://x/a b> .\n", 3),
    ("case:x nec:p\n  <https://x/a\\u0020b> .\n", 4),
    ('case:x nec:p "a\\uD800" .\n', 3),
    ('case:x nec:p "ok" .\ncase:x nec:q "bell\\u0007" .\n', 4),
    ("case:x nec:p \"a\x01b\" .\n", 3),
    ("case:x nec:p " + "9" * 60 + " .\n", 3),
])
def test_refused_by_line(body: str, line: int) -> None:
    with pytest.raises(CaseLoadError) as info:
        parse_turtle(HEAD + body, "t")
    assert info.value.line == line


def test_iri_like_text_inside_strings_is_not_an_iri() -> None:
    graph = parse_turtle(HEAD + 'case:x nec:p "see <a b> and # not a comment" .\n', "t")
    assert len(graph) == 1
    assert invalid_iri_line(HEAD + 'case:x nec:p "<a b>" .\n') is None


def test_valid_iri() -> None:
    assert valid_iri("https://w3id.org/necessity/case/x/line/0")
    assert not valid_iri("https://x/a b") and not valid_iri("relative/path") and not valid_iri("https://x/%zz")
    assert valid_iri("relative/path", relative=True)
