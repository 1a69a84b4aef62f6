"""Absence never passes, proven generally (issue 17): see tests/absence_check.py for the check.

For every bundled case and generated ones, each line that meets criteria stops meeting them when the
documented facts of a blocking criterion it met are taken away, and is does-not-meet when a true/false
fact a contradictable criterion showed is stated the other way. No policy-specific code: the check
reads the shapes. The last test shows the check fails when one ``sh:minCount`` is removed from a
blocking shape (on a copy of the shapes).
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from absence_check import check_case

from bench.generate_cases import generate
from reasoner.engine import Engine
from reasoner.knowledge.compiled import compile_knowledge
from reasoner.knowledge.paths import data_root
from reasoner.loading import load_case, load_case_file

FIXED = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
BUNDLED = sorted(p for p in Path(data_root("cases")).iterdir() if p.suffix in (".json", ".ttl", ".jsonld"))
GENERATED = int(os.environ.get("NECESSITY_ABSENCE_CASES", "200"))  # the slow test's count


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(clock=lambda: FIXED)


def _every_version(engine: Engine) -> list[str]:
    return sorted(f"{v.policy_id}@{v.label}" for v in engine.knowledge.versions.values())


def _describe(findings) -> str:
    return "\n".join(f"{f.case} under {f.policy}, line {f.line} ({f.code}): {f.criterion} {f.change}, "
                     f"still {f.outcome}" for f in findings[:20])


def test_absence_never_passes_on_the_bundled_cases(engine: Engine) -> None:
    findings, decided = [], 0
    for path in BUNDLED:
        found, n = check_case(engine, load_case_file(path))
        findings += found
        decided += n
    assert decided >= 30, "the bundled cases should exercise the check"
    assert not findings, _describe(findings)


@pytest.mark.slow
def test_absence_never_passes_under_every_policy_version(engine: Engine) -> None:
    """The bundled cases under every version of every policy (about a minute)."""
    findings, decided = [], 0
    for path in BUNDLED:
        loaded = load_case_file(path)
        for version in _every_version(engine):
            found, n = check_case(engine, loaded, version)
            findings += found
            decided += n
    assert decided >= 200
    assert not findings, _describe(findings)


@pytest.mark.slow
def test_absence_never_passes_on_generated_cases(engine: Engine) -> None:
    """Generated cases (bench/generate_cases.py) under their own policy (about 40 s for 200)."""
    findings, decided = [], 0
    for form in generate(GENERATED, seed=0):
        found, n = check_case(engine, load_case(json.dumps(form, default=str)))
        findings += found
        decided += n
    assert decided >= GENERATED // 2
    assert not findings, _describe(findings)


def _without_min_count(text: str, shape: str) -> str:
    """``text`` with the ``sh:minCount 1`` of one shape's block removed."""
    start = text.index(f"\n{shape} a sh:PropertyShape")
    end = text.index(" .\n", start)
    block = text[start:end]
    assert "sh:minCount 1 ;" in block, shape
    return text[:start] + block.replace("sh:minCount 1 ;", "", 1) + text[end:]


def test_the_check_fails_when_a_blocking_shape_loses_its_min_count(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    shutil.copytree(data_root("shapes"), shapes)
    common = shapes / "common.ttl"
    common.write_text(_without_min_count(common.read_text(encoding="utf-8"), "common:RegimenShape-documented"),
                      encoding="utf-8")
    broken = Engine(compile_knowledge(shapes_dir=shapes, extra_dirs=[]), clock=lambda: FIXED)
    findings = []
    for path in BUNDLED:
        findings += check_case(broken, load_case_file(path))[0]
    assert findings, "removing sh:minCount from a blocking shape must let a line meet without its facts"
    # the regimen can now be left out: the criterion that asked for it, and any other met by the regimen alone
    assert "crit-regimen-documented" in {f.criterion.rsplit("#", 1)[-1] for f in findings}
    assert {f.change for f in findings} == {"removed"}
