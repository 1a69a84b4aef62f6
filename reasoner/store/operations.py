"""Store operations for an operator: backup, restore, and a consistency check.

A backup is one N-Quads file of every named graph (``.nq``, or ``.nq.gz``): plain, portable
between the embedded store and any SPARQL server, and readable by any RDF tool. Restoring
loads it into an empty store in one write. The check reads every graph and reports what is
wrong: every case has its first determination, determination numbers run from 1 without a
gap, each determination graph holds its ``nec:Determination`` node with outcomes, every
summary graph (what the store queries read, see :mod:`.summary`) belongs to a stored case,
every graph parses, and no name outside the store's own naming scheme holds data. (A store
written before the summaries existed has none: ``necessity store summaries`` writes them.)
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, URIRef

from ..errors import StoreError
from ..namespaces import CASE, DET, NEC
from .base import Store, short
from .ids import HISTORY_BASE, KNOWLEDGE_GRAPH, LOCK_BASE, PROFILES_GRAPH, REDECISION_NAME, SUMMARY_BASE

__all__ = ["backup_store", "restore_store", "check_store", "CheckReport"]

_DET_NAME = re.compile(re.escape(str(DET)) + r"([A-Za-z0-9][A-Za-z0-9._~-]{0,127})/([1-9][0-9]*)\Z")


def backup_store(store: Store, target: Path) -> int:
    """Write every named graph of ``store`` to ``target`` (N-Quads, gzip if it ends in ``.gz``).

    Returns the number of quads. Refuses to overwrite an existing file.
    """
    if target.exists():
        raise StoreError(f"{target} exists; a backup never overwrites a file")
    data = store.dump()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".partial")
    with (gzip.open(temporary, "wb") if target.suffix == ".gz" else open(temporary, "wb")) as out:
        out.write(data)
    temporary.rename(target)  # a crash leaves a .partial file, never a truncated backup
    return data.count(b"\n")


def restore_store(store: Store, source: Path) -> int:
    """Load the backup ``source`` into the empty ``store``; returns the number of quads.

    Raises:
        StoreError: the file is not N-Quads with graph names, or the store already holds cases.
    """
    try:
        data = gzip.decompress(source.read_bytes()) if source.suffix == ".gz" else source.read_bytes()
    except OSError as exc:
        raise StoreError(f"could not read the backup {source}: {short(exc)}") from None
    try:
        quads = list(ox.parse(data, ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        raise StoreError(f"{source} is not an N-Quads backup: {short(exc)}") from None
    if any(isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise StoreError(f"{source} has statements outside a named graph; a backup holds named graphs only")
    return store.restore(data)


@dataclass
class CheckReport:
    """What :func:`check_store` found."""

    cases: int = 0
    determinations: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_store(store: Store) -> CheckReport:
    """Check the store's consistency (see the module docstring); nothing is changed."""
    report = CheckReport()
    names = store.graph_names()
    cases = {name[len(str(CASE)):] for name in names if name.startswith(str(CASE))}
    numbers: dict[str, list[int]] = {}
    summaries = {name[len(SUMMARY_BASE):] for name in names if name.startswith(SUMMARY_BASE)}
    redecisions: list[tuple[str, str]] = []  # (case id, graph name) of `necessity redecide`
    for name in names:
        if name.startswith(str(CASE)) or name in (str(KNOWLEDGE_GRAPH), str(PROFILES_GRAPH)) \
                or name.startswith((LOCK_BASE, HISTORY_BASE, SUMMARY_BASE)):
            continue
        match = _DET_NAME.match(name)
        if match is None and (again := REDECISION_NAME.match(name)) is not None:
            redecisions.append((again.group(1), name))
            continue
        if match is None:
            report.problems.append(f"graph {name} is not a case, a determination or the knowledge graph")
            continue
        numbers.setdefault(match.group(1), []).append(int(match.group(2)))
    report.cases = len(cases)
    for case_id in sorted(cases):
        try:
            graph = store.get_case(case_id)
        except Exception as exc:  # noqa: BLE001 - any failure to read a graph is what the check reports
            report.problems.append(f"case {case_id}: its graph cannot be read ({short(exc)})")
            continue
        if (URIRef(CASE[case_id]), RDF.type, NEC.Case) not in graph:
            report.problems.append(f"case {case_id}: the graph has no nec:Case node named {CASE[case_id]}")
        found = sorted(numbers.get(case_id, []))
        if not found:
            report.problems.append(f"case {case_id}: no determination is stored")
        elif found != list(range(1, len(found) + 1)):
            report.problems.append(f"case {case_id}: determination numbers {found} do not run from 1 without a gap")
    for case_id, name in sorted(redecisions):
        report.determinations += 1
        if case_id not in cases:
            report.problems.append(f"re-decision {name}: the case is not stored")
        elif not store.query(f"ASK {{ GRAPH <{name}> {{ <{name}> a <{NEC.Determination}> ; "
                             f"<{NEC.hasLineOutcome}> ?line }} }}").boolean:
            report.problems.append(f"re-decision {name}: no nec:Determination node with a line outcome named {name}")
    for case_id in sorted(summaries - cases):
        report.problems.append(f"summary graph of case {case_id}: the case is not stored")
    for case_id, found in sorted(numbers.items()):
        if case_id not in cases:
            report.problems.append(f"determinations {sorted(found)} of case {case_id}: the case is not stored")
        for number in sorted(found):
            report.determinations += 1
            det = URIRef(f"{DET}{case_id}/{number}")
            try:
                graph = store.get_determination(case_id, number)
            except Exception as exc:  # noqa: BLE001
                report.problems.append(f"determination {case_id}/{number}: cannot be read ({short(exc)})")
                continue
            if (det, RDF.type, NEC.Determination) not in graph:
                report.problems.append(f"determination {case_id}/{number}: no nec:Determination node named {det}")
            elif next(graph.objects(det, NEC.hasLineOutcome), None) is None:
                report.problems.append(f"determination {case_id}/{number}: no line outcome")
    return report
