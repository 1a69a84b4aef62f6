"""Store operations for an operator: backup, restore, and a consistency check.

A backup is one N-Quads file of every named graph (``.nq``, or ``.nq.gz``): plain, portable
between the embedded store and any SPARQL server, and readable by any RDF tool; its last line is
an N-Quads comment that counts and hashes the statements. Restoring reads and checks the whole
file first (:mod:`.backup_file`) and writes nothing unless all of it is good. The check reads
every graph and reports what is wrong: every case has its first determination, determination numbers run from 1 without a
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
from rdflib import RDF, Graph, URIRef

from ..errors import StoreError
from ..namespaces import CASE, DET, NEC
from .backup_file import closing_line, read_backup
from .base import Store, short
from .ids import HISTORY_BASE, KNOWLEDGE_GRAPH, LOCK_BASE, PROFILES_GRAPH, REDECISION_NAME, SUMMARY_BASE

__all__ = ["backup_store", "restore_store", "check_store", "CheckReport"]

_DET_NAME = re.compile(re.escape(str(DET)) + r"([A-Za-z0-9][A-Za-z0-9._~-]{0,127})/([1-9][0-9]*)\Z")


def backup_store(store: Store, target: Path) -> int:
    """Write every named graph of ``store`` to ``target`` (N-Quads, gzip if it ends in ``.gz``),
    ending with the closing line that lets a restore see the file whole (:mod:`.backup_file`).

    Returns the number of quads. Refuses to overwrite an existing file.
    """
    if target.exists():
        raise StoreError(f"{target} exists; a backup never overwrites a file")
    data = store.dump()
    if LOCK_BASE.encode() in data:  # a remote store's bookkeeping of contested writes is not backed up
        kept = [q for q in ox.parse(data, ox.RdfFormat.N_QUADS)
                if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(LOCK_BASE))]
        data = ox.serialize(kept, format=ox.RdfFormat.N_QUADS) or b""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".partial")
    with (gzip.open(temporary, "wb") if target.suffix == ".gz" else open(temporary, "wb")) as out:
        out.write(data)
        out.write(closing_line(data))
    temporary.rename(target)  # a crash leaves a .partial file, never a truncated backup
    return data.count(b"\n")


def restore_store(store: Store, source: Path, *, knowledge: Graph | None = None, unmarked: bool = False) -> int:
    """Load the backup ``source`` into the empty ``store``; returns the number of quads restored.

    The whole file is read and checked first (:func:`.backup_file.read_backup`); nothing is written
    unless all of it is good. Then the case and determination graphs are written in one write, the
    knowledge graph (``knowledge``: the installed package's, never the file's) is loaded, and the
    history and summary graphs are rebuilt from the restored determinations.

    Raises:
        StoreError: one line naming what is wrong with the file, or the store already holds cases.
    """
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise StoreError(f"could not read the backup {source}: {short(exc)}") from None
    quads = read_backup(raw, source.name, unmarked=unmarked)
    if store.case_ids():
        raise StoreError("the store already holds cases; restore into an empty store")
    count = store.restore(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    if knowledge is not None:
        store.load_knowledge(knowledge)
    store.rebuild_history()
    store.rebuild_summaries()
    return count


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
