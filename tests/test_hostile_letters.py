"""Hostile input, issue 18 item 2: case-supplied text in a letter stays text.

Each letter (the provider notice and the reviewer's file, Markdown and HTML) of a case whose free-text
fields carry script, image, link and table-row payloads is rendered by a CommonMark renderer that
allows raw HTML (markdown-it-py, tables on), and the HTML is checked: no element or attribute from
the input, no extra table row, no ``javascript:`` link, no line break or bidirectional override left.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from reasoner.engine import Engine
from reasoner.letters.escaping import markdown_text
from reasoner.knowledge.paths import data_root
from reasoner.letters import render
from reasoner.loading import load_case

CASES = Path(data_root("cases"))
FIXED = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)
PAYLOADS = {
    "provider.name": "Example Clinic | Decision | **APPROVED** | Forged | row |",
    "patient.name": "<script>alert(1)</script>",
    "member.id": '"><img src=x onerror=alert(1)>',
    "evidence.document": "[click here](javascript:alert(1)) <a href=\"javascript:alert(2)\">x</a>",
    "therapy": "morphine tablets txt.exe <iframe src=//evil>",
    "device": "![img](javascript:alert(3)) &lt;script&gt; `code` *bold* # heading",
}
# what a letter may contain after CommonMark: the building blocks' own elements and attributes
ELEMENTS = {"html", "head", "meta", "title", "link", "style", "body", "h1", "h2", "h3", "p", "strong", "em",
            "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "a", "hr", "span", "div"}
ATTRIBUTES = {"href", "class", "data-state", "lang", "charset", "name", "content", "rel"}


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)


def _html_of(markdown: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def _hostile(stem: str, *, benign: bool = False) -> dict:
    form = json.loads((CASES / f"{stem}.json").read_text())
    text = (lambda key: f"plain {key.replace('.', ' ')}") if benign else PAYLOADS.__getitem__
    form["id"] = f"{stem}-{'benign' if benign else 'hostile'}"
    form["provider"] = {"npi": "1234567893", "name": text("provider.name")}
    form["patient"] = {**form.get("patient", {}), "name": text("patient.name")}
    form["member"] = {"id": text("member.id")}
    form["evidence"] = [{"field": "requested", "document": text("evidence.document"), "page": 2}]
    form["therapy_history"] = [{"therapy": text("therapy"), "category": "systemic-opioid", "outcome": "failed"}]
    if "pump" in form:
        form["pump"]["device"] = text("device")
    return form


# what intake now refuses (line breaks, bidirectional overrides: issue 18 item 7), put straight into a
# determination, as one stored before those rules would hold it: the letter neutralizes them too
RAW = {"provider_name": "Example Clinic\n| Decision | **APPROVED** |\n| Forged | row |",
       "patient_name": "Jane \u202eEOR\u202c <script>alert(1)</script>"}


def _decide(engine: Engine, stem: str, *, benign: bool = False):
    det = engine.decide(load_case(json.dumps(_hostile(stem, benign=benign))))
    if benign:
        return det
    return det.model_copy(update={"parties": det.parties.model_copy(update=RAW)})


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(clock=lambda: FIXED)


def _check(html: str, benign_html: str) -> None:
    found = _Collect()
    found.feed(html)
    assert "\u202e" not in html and "\u202c" not in html
    assert set(found.tags) <= ELEMENTS, set(found.tags) - ELEMENTS
    assert {name for name, _value in found.attrs} <= ATTRIBUTES
    hrefs = [value or "" for name, value in found.attrs if name == "href"]
    assert all(h.startswith(("http://", "https://", "data:,")) for h in hrefs), hrefs
    assert "javascript:" not in " ".join(hrefs).lower()
    for needle in ("<script", "<img", "<iframe", "<a href=\"javascript"):
        assert needle not in html.lower()
    assert found.tags.count("tr") == _count(benign_html, "tr")  # no forged table row


def _count(html: str, tag: str) -> int:
    found = _Collect()
    found.feed(html)
    return found.tags.count(tag)


@pytest.mark.parametrize("stem", ["002-morphine-no-pump", "004-morphine-established-pump"])
@pytest.mark.parametrize("letter", ["provider", "reviewer"])
def test_markdown_letters_of_a_hostile_case_render_as_text(engine: Engine, stem: str, letter: str) -> None:
    det, benign = _decide(engine, stem), _decide(engine, stem, benign=True)
    assert det.outcomes == benign.outcomes
    markdown = render(det, letter=letter, fmt="markdown")
    _check(_html_of(markdown), _html_of(render(benign, letter=letter, fmt="markdown")))
    assert "| Decision | **APPROVED** |" not in markdown and "\n| Forged" not in markdown
    assert not re.search(r"(?<!\\)<script", markdown) and not re.search(r"(?<!\\)\]\(javascript:", markdown)
    if letter == "provider":  # the names are printed, as text
        assert "alert(1)" in _html_of(markdown) and "Example Clinic" in _html_of(markdown)


@pytest.mark.parametrize("letter", ["provider", "reviewer"])
def test_html_letters_of_a_hostile_case_escape_everything(engine: Engine, letter: str) -> None:
    det = _decide(engine, "004-morphine-established-pump")
    benign = _decide(engine, "004-morphine-established-pump", benign=True)
    _check(render(det, letter=letter, fmt="html"), render(benign, letter=letter, fmt="html"))


def test_intake_refuses_line_breaks_and_bidirectional_overrides() -> None:
    """Refused at intake (issue 18 item 7); were either stored, a letter would neutralize it (above)."""
    from reasoner.errors import CaseLoadError

    for field, value, message in (("provider", {"npi": "1234567893", "name": RAW["provider_name"]}, "one line"),
                                  ("patient", {"name": RAW["patient_name"]}, "bidirectional")):
        form = _hostile("002-morphine-no-pump")
        form[field] = value
        with pytest.raises(CaseLoadError, match=message):
            load_case(json.dumps(form))
    assert markdown_text("a\u202eb\u2066c") == "abc"


@pytest.mark.parametrize("value", [*PAYLOADS.values(), "x \u202etxt.exe", "1. item", "- item", "> quote", "=====", "a\\b", "x_y_z"])
def test_escaped_markdown_text_renders_back_to_the_same_text(value: str) -> None:
    """What markdown_text makes renders as one paragraph of the value's own text (layout neutralized)."""
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown_text(value))
    found = _Collect()
    found.feed(rendered)
    assert found.tags == ["p"], rendered
    from html import unescape
    expected = " ".join(value.replace("\u202e", "").split())
    assert " ".join(unescape(rendered[3:-5]).split()) == expected


def test_cli_letter_of_a_hostile_case_renders_as_text(tmp_path: Path) -> None:
    import subprocess
    import sys

    case = tmp_path / "hostile.json"
    case.write_text(json.dumps(_hostile("002-morphine-no-pump")), encoding="utf-8")
    benign = tmp_path / "benign.json"
    benign.write_text(json.dumps(_hostile("002-morphine-no-pump", benign=True)), encoding="utf-8")

    def letter(path: Path) -> str:
        return subprocess.run([sys.executable, "-m", "reasoner.cli", "check", "--letter", "--decided-at",
                               "2026-01-05T12:00:00Z", str(path)], capture_output=True, text=True, check=True).stdout

    _check(_html_of(letter(case)), _html_of(letter(benign)))
