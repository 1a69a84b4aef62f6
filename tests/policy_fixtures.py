"""Test fixtures for policies over time: a shapes folder with a second Aetna version whose trial
threshold is 60% instead of 50%, and case forms that vary one value."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

from reasoner.knowledge.paths import data_root

AETNA = "aetna-cpb-0161"
NEW_LABEL = "2026-07"


def _replace(text: str, pattern: str, new: str, *, count: int = 0) -> str:
    out, n = re.subn(pattern, new, text, count=count)
    assert n, f"fixture edit found nothing to change: {pattern}"
    return out


def threshold_version_folder(tmp: Path) -> Path:
    """A copy of shapes/ where Aetna 2026-01 ends on 2026-06-30 and 2026-07 asks for 60% relief."""
    folder = tmp / "shapes"
    shutil.copytree(data_root("shapes"), folder)
    old = folder / f"{AETNA}.ttl"
    text = old.read_text(encoding="utf-8")
    new = _replace(text, r"aetna:version-2026-01\b", f"aetna:version-{NEW_LABEL}")
    new = _replace(new, r'nec:versionLabel "2026-01"', f'nec:versionLabel "{NEW_LABEL}"')
    new = _replace(new, r'nec:effectiveDate "2026-01-01"\^\^xsd:date', 'nec:effectiveDate "2026-07-01"^^xsd:date')
    new = _replace(new, r'nec:shapesFile "aetna-cpb-0161\.ttl"', f'nec:shapesFile "{AETNA}@{NEW_LABEL}.ttl"')
    # the one threshold that changes: the trial relief shape's minimum
    new = _replace(new, r"(aetna:TrialShape-relief-50 a sh:PropertyShape ;[^.]*?sh:minInclusive )50\b", r"\g<1>60",
                   count=1)
    (folder / f"{AETNA}@{NEW_LABEL}.ttl").write_text(new, encoding="utf-8")
    old.write_text(_replace(text, r'(nec:effectiveDate "2026-01-01"\^\^xsd:date ;)',
                            r'\1\n    nec:endDate "2026-06-30"^^xsd:date ;'), encoding="utf-8")
    return folder


def cancer_case(case_id: str, relief: float, *, dates: list[str] | None = None) -> dict:
    """The bundled initial cancer-pain case with another trial relief (and dates of service)."""
    form = json.loads((Path(data_root("cases")) / "013-cancer-pain-initial.json").read_text(encoding="utf-8"))
    form = copy.deepcopy(form)
    form["id"] = case_id
    form["intrathecal_trial"]["pain_reduction_percent"] = relief
    if dates:
        for line in form["requested"]:
            line["dates_of_service"] = dates
    return form
