"""The ontology as Protégé loads and saves it: the OWL API (Debian's libowlapi-java) and HermiT.

Each module and the root are OWL 2 DL with their imports resolved through the catalog; HermiT finds the
root consistent with no unsatisfiable class; a save through the OWL API with no edit changes no
decision; breaking one import fails the profile. Skipped, with the reason, where Java or the jars are
missing (.ci/run installs them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDFS, SKOS

from reasoner.knowledge.paths import data_root
from reasoner.ontology_check import check_ontology, owlapi

pytestmark = pytest.mark.slow

_REASON = owlapi.unavailable()
needs_java = pytest.mark.skipif(_REASON is not None, reason=f"OWL API harness unavailable: {_REASON}")
MODULES = {"necessity.ttl", "core.ttl", "codes.ttl", "drugs.ttl", "sources.ttl", "determination.ttl"}
DECIDED_AT = "2026-01-05T12:00:00Z"


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every module saved through the OWL API as Protégé saves it, with no edit."""
    if _REASON:
        pytest.skip(f"OWL API harness unavailable: {_REASON}")
    out = tmp_path_factory.mktemp("saved")
    assert set(owlapi.save(Path(data_root("ontology")), out)) == MODULES
    return out


def _decide_all(ontology_dir: Path | None) -> bytes:
    """Every bundled case decided by the command line, in a process of its own, as JSON."""
    env = dict(os.environ)
    env.pop("NECESSITY_ONTOLOGY_DIR", None)
    if ontology_dir is not None:
        env["NECESSITY_ONTOLOGY_DIR"] = str(ontology_dir)
    done = subprocess.run([sys.executable, "-m", "reasoner.cli", "check", "--json", "--decided-at", DECIDED_AT],
                          capture_output=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout


@needs_java
def test_each_module_and_the_root_are_owl2_dl(ontology_dir: Path) -> None:
    report = owlapi.profile(ontology_dir)
    assert set(report.violations) == MODULES
    assert report.missing_imports == [] and report.errors == []
    assert {f: v[:3] for f, v in report.violations.items() if v} == {}


@needs_java
def test_hermit_finds_the_root_consistent_with_no_unsatisfiable_class(ontology_dir: Path) -> None:
    report = owlapi.hermit(ontology_dir)
    assert report.errors == []
    assert report.consistent is True
    assert report.unsatisfiable == []


@needs_java
def test_breaking_one_import_fails_the_profile(tmp_path: Path, ontology_dir: Path) -> None:
    shutil.copytree(ontology_dir, tmp_path / "o", ignore=shutil.ignore_patterns("*.md"))
    path = tmp_path / "o" / "determination.ttl"
    path.write_text(path.read_text().replace("owl:imports <https://w3id.org/necessity/ontology/core> ;", "", 1))
    report = owlapi.profile(tmp_path / "o")
    assert report.violations["determination.ttl"], "determination without core must use undeclared terms"
    assert any("IAO_0000115" in text for _, text in report.violations["determination.ttl"])
    problems = check_ontology(tmp_path / "o", Path(data_root("queries")) / "qc").problems
    assert any(p.file == "determination.ttl" and p.check == "profile OWL 2 DL"
               and p.entity.endswith("#LineOutcome") for p in problems), problems


@needs_java
def test_a_missing_import_is_named_by_the_owl_api(tmp_path: Path, ontology_dir: Path) -> None:
    shutil.copytree(ontology_dir, tmp_path / "o", ignore=shutil.ignore_patterns("*.md"))
    catalog = tmp_path / "o" / "catalog-v001.xml"
    catalog.write_text(catalog.read_text().replace('uri="codes.ttl"', 'uri="missing.ttl"'))
    report = owlapi.profile(tmp_path / "o")
    assert any(iri == "https://w3id.org/necessity/ontology/codes" for _, iri, _ in report.missing_imports)


@needs_java
def test_a_save_through_the_owl_api_changes_no_decision(saved: Path) -> None:
    # the save really rewrote the files: decimals, list nodes typed rdf:List, declarations added
    text = (saved / "core.ttl").read_text()
    assert "rdf:List" in text
    assert '"19.2"^^xsd:decimal' not in (saved / "drugs.ttl").read_text()
    assert _decide_all(saved) == _decide_all(None)


@needs_java
def test_a_save_keeps_the_notes(saved: Path, ontology_dir: Path) -> None:
    """What the files say beyond labels and definitions is in annotations, which a save keeps."""
    for name in MODULES:
        before, after = Graph().parse(ontology_dir / name), Graph().parse(saved / name)
        for prop in (RDFS.comment, SKOS.editorialNote):
            notes = {(s, o) for s, o in before.subject_objects(prop) if isinstance(o, Literal)}
            kept = {(s, o) for s, o in after.subject_objects(prop)}
            assert notes <= kept, (name, prop, sorted(notes - kept)[:2])
        assert len(list(before.objects(None, SKOS.editorialNote))) == len(list(after.objects(None, SKOS.editorialNote)))


@needs_java
def test_the_saved_copy_passes_the_check(saved: Path) -> None:
    report = check_ontology(saved, Path(data_root("queries")) / "qc")
    assert [p.line() for p in report.problems] == []
