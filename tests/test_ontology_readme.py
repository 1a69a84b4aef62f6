"""ontology/README.md's worked example, performed as an editor does it in Protégé: on the files as the OWL
API saves them, the README's source, code group and drug are added and saved again through the OWL API;
the ontology check finds nothing, and the new code and drug show in ``necessity policies`` and the
queries."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reasoner.knowledge.paths import data_root
from reasoner.ontology_check import check_ontology, owlapi

pytestmark = pytest.mark.slow

_REASON = owlapi.unavailable()
_BLOCK = re.compile(r"<!-- example: (\S+) -->\s*```turtle\n(.*?)```", re.S)
_PREFIXES = """@prefix nec:  <https://w3id.org/necessity/ontology#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix obo:  <http://purl.obolibrary.org/obo/> .
"""
EXAMPLINE = "https://w3id.org/necessity/ontology#exampline"


def _examples() -> list[tuple[str, str]]:
    readme = (Path(data_root("ontology")) / "README.md")
    if not readme.is_file():
        pytest.skip("ontology/README.md is not shipped with this installation")
    return _BLOCK.findall(readme.read_text(encoding="utf-8"))


def _necessity(ontology_dir: Path, *args: str) -> str:
    env = dict(os.environ, NECESSITY_ONTOLOGY_DIR=str(ontology_dir))
    done = subprocess.run([sys.executable, "-m", "reasoner.cli", *args], capture_output=True, text=True,
                          env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_readme_has_one_example_per_module() -> None:
    assert sorted(name for name, _ in _examples()) == ["codes.ttl", "drugs.ttl", "sources.ttl"]


@pytest.mark.skipif(_REASON is not None, reason=f"OWL API harness unavailable: {_REASON}")
def test_the_readme_addition_on_a_protege_saved_copy(tmp_path: Path, ontology_dir: Path) -> None:
    saved, edited = tmp_path / "saved", tmp_path / "edited"
    owlapi.save(ontology_dir, saved)
    for name, turtle in _examples():
        with (saved / name).open("a", encoding="utf-8") as handle:
            handle.write("\n" + _PREFIXES + "\n" + turtle)
    owlapi.save(saved, edited)  # what Protégé writes after the edit
    assert "exampline" in (edited / "drugs.ttl").read_text(encoding="utf-8")

    report = check_ontology(edited, Path(data_root("queries")) / "qc")
    assert [p.line() for p in report.problems] == []

    policy = json.loads(_necessity(edited, "policies", "aetna-cpb-0161", "--json"))[0]
    groups = {g["iri"].rsplit("#", 1)[-1]: g["codes"] for g in policy["covers"]}
    assert {"code": "J0001", "label": "J0001 exampline injection"} in groups["IntrathecalDrugCode"]
    assert "J0001" in _necessity(edited, "policies", "aetna-cpb-0161")

    limits = _necessity(edited, "query", "drug-limits", "--bind", f"drug=<{EXAMPLINE}>", "--format", "csv")
    assert "exampline-label-max-daily-dose" in limits and "500" in limits
