"""``necessity ontology check``: what an editor runs after editing the ontology, in the spirit of
ROBOT's ``report``.

In order: the catalog, the imports and the module headers; the OWL 2 DL profile of each module and the
root under the OWL API, and HermiT's consistency and unsatisfiable classes (when Java and the jars are
present, see :mod:`.owlapi`); the declarations each module needs on its own; labels of reused terms;
no dates in class expressions; the QC queries (``queries/qc/*-violation.rq``: labels, definitions,
citations, sources, limits). Each problem is one line naming the file and the entity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import owlapi
from .graph_checks import date_problems, declaration_problems, label_problems, qc_problems
from .modules import CATALOG_FILE, ROOT_FILE, Ontology, read_ontology_dir
from .problems import Problem

__all__ = ["Problem", "Report", "check_ontology", "java_problems"]

_IRI = re.compile(r"<([^>]+)>")


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what ran, what was skipped and why


def _profile_problems(ontology: Ontology, report: owlapi.ProfileReport) -> list[Problem]:
    problems: set[Problem] = set()
    for file, iri, reason in report.missing_imports:
        why = "its IRI is not mapped in the catalog" if "not-in-" + CATALOG_FILE in reason else reason[:200]
        problems.add(Problem(file, iri, f"the OWL API cannot load this import: {why}", "import"))
    for file, message in report.errors:
        problems.add(Problem(file, "-", f"the OWL API cannot load it: {message[:300]}", "profile"))
    for file, violations in report.violations.items():
        for owner, text in violations:
            # named once, for the module whose axiom it is, not for every module that imports it
            entity = _IRI.search(text)
            summary = text.split(" [")[0].split(": <")[0]
            problems.add(Problem(owner or file, entity.group(1) if entity else "-", summary, "profile OWL 2 DL"))
    return sorted(problems)


def java_problems(ontology: Ontology, notes: list[str]) -> list[Problem]:
    """The OWL API profile and HermiT, when they can run here."""
    reason = owlapi.unavailable()
    if reason:
        notes.append(f"skipped the OWL 2 DL profile and HermiT: {reason}")
        return []
    try:
        profile = owlapi.profile(ontology.root)
        problems = _profile_problems(ontology, profile)
        counts = ", ".join(f"{f} {len(v)}" for f, v in profile.violations.items())
        notes.append(f"OWL 2 DL profile (OWL API), violations per module with its imports: {counts}")
        if any(p.check == "parse" for p in problems):
            return problems
        reasoned = owlapi.hermit(ontology.root)
    except owlapi.HarnessError as exc:
        return [Problem(ROOT_FILE, "-", f"the OWL API harness failed: {exc}", "profile")]
    if reasoned.consistent is False:
        problems.append(Problem(ROOT_FILE, "-", "HermiT: the ontology is inconsistent", "reasoner"))
    for iri in reasoned.unsatisfiable:
        problems.append(Problem(ontology.file_of(iri) or ROOT_FILE, iri, "HermiT: unsatisfiable class", "reasoner"))
    for message in reasoned.errors:
        problems.append(Problem(ROOT_FILE, "-", f"HermiT failed: {message[:300]}", "reasoner"))
    notes.append(f"HermiT: consistent={reasoned.consistent}, unsatisfiable classes={len(reasoned.unsatisfiable)}")
    return problems


def check_ontology(root: Path, qc_dir: Path, *, java: bool = True) -> Report:
    """Every check over the ontology directory ``root`` (holding ``necessity.ttl`` and the catalog)."""
    ontology, problems = read_ontology_dir(Path(root))
    report = Report(problems=problems)
    if java:
        if any(p.check == "parse" or (p.file == CATALOG_FILE and p.entity == "-") for p in problems):
            report.notes.append("skipped the OWL 2 DL profile and HermiT: fix the files that do not load first")
        else:
            known = {p.entity for p in problems if p.check == "import"}  # named already, by the module importing it
            report.problems += [p for p in java_problems(ontology, report.notes)
                                if not (p.check == "import" and p.entity in known)]
    else:
        report.notes.append("skipped the OWL 2 DL profile and HermiT (--no-java)")
    report.problems += declaration_problems(ontology)
    report.problems += label_problems(ontology)
    report.problems += date_problems(ontology)
    if ROOT_FILE in ontology.modules:
        report.problems += qc_problems(ontology, Path(qc_dir))
    report.notes.append(f"{len(ontology.modules)} modules read, {len(report.problems)} problem(s)")
    return report
