"""The embedded store: pyoxigraph (RocksDB) in one directory, owned by one process.

Writes take one lock, so the duplicate check, the choice of the next determination
number and the write happen together, and the write itself is one pyoxigraph
transaction: a crash leaves all of a case or none of it. Queries run in worker
processes (:mod:`.workers`) that are killed at the time limit; they read a checkpoint
of the store (hard links, made when a query comes after a write) kept beside the store
directory in ``.<name>.snapshots``, removed on close.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ..errors import (
    CaseExistsError, CaseNotFoundError, DeterminationNotFoundError, StoreError, StoreLockedError,
)
from .base import (DEFAULT_QUERY_TIMEOUT, DeterminationBuilder, GraphData, graph_from_nt, insert_data, nquads,
                   nt_lines, short)
from .buffers import FLUSH_AFTER_QUADS, WriteBufferFlusher
from .history import history_update
from .ids import KNOWLEDGE_GRAPH, case_ids_of, case_iri, determination_iri, nt_iri
from .records import record_from_quads
from .summary import first_summary_quads, rebuild_summaries, summary_update
from .results import DeterminationRecord, QueryResult, read_record
from .workers import QueryWorkerPool

__all__ = ["EmbeddedStore"]


def _open(path: Path) -> ox.Store:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"could not create the store directory {path}: {short(exc)}") from None
    try:
        return ox.Store(str(path))
    except OSError as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise StoreLockedError(
                f"the store {path} is in use by another process (is `necessity serve` running with it?); "
                "stop that process, or query the running server's /sparql endpoint instead") from None
        raise StoreError(f"could not open the store directory {path}: {short(exc)}") from None


class EmbeddedStore:
    """An on-disk pyoxigraph store; one process owns the directory.

    Args:
        path: the store directory (created with its parents on first use), or None for a
            store in a temporary directory that is removed on :meth:`close`.
        query_workers: how many queries run at once (one worker process each).
        flush_after_quads: quads written between two flushes of RocksDB's write buffers, which bound
            the process's memory (:mod:`.buffers`); 0 leaves it to RocksDB (buffers of 128 MB).
    """

    def __init__(self, path: str | Path | None = None, *, query_workers: int = 4,
                 flush_after_quads: int = FLUSH_AFTER_QUADS) -> None:
        self._temporary = path is None
        self.path = Path(tempfile.mkdtemp(prefix="necessity-store-")) if path is None else Path(path)
        self._store = _open(self.path)
        self._flusher = WriteBufferFlusher(self._store, flush_after_quads)
        self._write_lock = threading.Lock()
        self._query_workers = query_workers
        self._pool: QueryWorkerPool | None = None
        self._pool_lock = threading.Lock()
        self._generation = 0
        self._snapshots: list[tuple[int, Path, float]] = []
        self._snapshot_root = self.path.parent / f".{self.path.name}.snapshots"
        shutil.rmtree(self._snapshot_root, ignore_errors=True)  # left by a crash

    @classmethod
    def read_only(cls, path: str | Path, *, query_workers: int = 1) -> EmbeddedStore:
        """A store that only answers queries, from a read-only snapshot of ``path``.

        For a directory another process holds (a running server): writes raise StoreError.
        """
        store = cls.__new__(cls)
        store._temporary = False
        store.path = Path(path)
        if not (store.path / "CURRENT").exists():
            raise StoreError(f"{path} is not a store directory")
        store._store = None  # type: ignore[assignment]
        store._flusher = None
        store._write_lock = threading.Lock()
        store._query_workers = query_workers
        store._pool = None
        store._pool_lock = threading.Lock()
        store._generation = 0
        store._snapshots = []
        store._snapshot_root = store.path
        return store

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.path)!r})"

    # writes

    def load_knowledge(self, graph: Graph) -> None:
        quads = self._parse_quads(nquads([(KNOWLEDGE_GRAPH, graph)]))
        with self._write_lock:
            try:
                self._store.update(f"DROP SILENT GRAPH {nt_iri(KNOWLEDGE_GRAPH)}")
                self._store.extend(quads)
            except (OSError, SyntaxError) as exc:
                raise StoreError(f"could not write the knowledge graph: {short(exc)}") from None
            self._written()

    def add_case(self, case_id: str, case_graph: GraphData, determination: DeterminationBuilder) -> URIRef:
        iri = case_iri(case_id)
        det = determination_iri(case_id, 1)
        with self._write_lock:
            if self._has_graph(iri):
                raise CaseExistsError(f"a case with id '{case_id}' is already stored", iri=str(iri))
            data = determination(det)
            quads = self._parse_quads(nquads([(iri, case_graph), (det, data)]))
            summary = first_summary_quads(case_id, str(det), quads)
            if summary is not None:  # the case, its determination and its summary graph: one transaction
                self._extend(quads + summary)
            else:  # a graph the model does not write: the summary from the update's patterns, one transaction
                self._update(insert_data([(iri, case_graph), (det, data)]) + " ;\n" + summary_update([case_id]))
        return det

    def add_determination(self, case_id: str, determination: DeterminationBuilder) -> URIRef:
        iri = case_iri(case_id)
        with self._write_lock:
            if not self._has_graph(iri):
                raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(iri))
            number = 1
            while self._has_graph(determination_iri(case_id, number)):
                number += 1
            det = determination_iri(case_id, number)
            # the determination, its case's history (which determination supersedes which) and
            # summary (what the store queries read), one transaction
            self._update(insert_data([(det, determination(det))]) + " ;\n" + history_update([case_id]) + " ;\n"
                         + summary_update([case_id]))
        return det

    def rebuild_history(self) -> None:
        with self._write_lock:
            self._update(history_update(None))

    def update_summaries(self, case_ids: list[str]) -> None:
        with self._write_lock:
            self._update(summary_update(case_ids))

    def rebuild_summaries(self) -> int:
        return rebuild_summaries(self)

    def restore(self, data: bytes) -> int:
        quads = self._parse_quads(data.decode("utf-8") if isinstance(data, bytes) else data)
        with self._write_lock:
            if self.case_ids():
                raise StoreError(f"the store {self.path} already holds cases; restore into an empty store")
            self._extend(quads)
        return len(quads)

    # reads

    def has_case(self, case_id: str) -> bool:
        return self._has_graph(case_iri(case_id))

    def get_case(self, case_id: str) -> Graph:
        iri = case_iri(case_id)
        if not self._has_graph(iri):
            raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(iri))
        return self.get_graph(iri)

    def case_size(self, case_id: str) -> int:
        iri = case_iri(case_id)
        if not self._has_graph(iri):
            raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(iri))
        [row] = self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {nt_iri(iri)} {{ ?s ?p ?o }} }}")
        return int(row[0].value)

    def list_determinations(self, case_id: str) -> list[DeterminationRecord]:
        iri = case_iri(case_id)
        if not self._has_graph(iri):
            raise CaseNotFoundError(f"no case with id '{case_id}' is stored", iri=str(iri))
        records, number = [], 1
        while self._has_graph(det := determination_iri(case_id, number)):
            graph = ox.NamedNode(str(det))

            def lookup(subject, predicate, graph=graph):  # noqa: ANN001, ANN202 - see records.Lookup
                return self._store.quads_for_pattern(subject, predicate, None, graph)

            record = record_from_quads(case_id, number, str(det), lookup)  # a few quads, not the whole graph
            records.append(record or read_record(case_id, number, det, self.get_graph(det)))
            number += 1
        return records

    def get_determination(self, case_id: str, number: int) -> Graph:
        det = determination_iri(case_id, number)
        if not self._has_graph(det):
            raise DeterminationNotFoundError(f"case '{case_id}' has no determination number {number}",
                                             iri=str(det))
        return self.get_graph(det)

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def case_ids(self) -> list[str]:
        return case_ids_of(self.graph_names())

    def count_cases(self) -> int:
        return len(self.case_ids())

    def get_graph(self, iri: URIRef | str) -> Graph:
        return graph_from_nt(self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(iri))) or b"")

    def dump(self) -> bytes:
        quads = [q for q in self._store.quads_for_pattern(None, None, None, None)
                 if not isinstance(q.graph_name, ox.DefaultGraph)]
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""

    def query(self, sparql: str, *, timeout: float = DEFAULT_QUERY_TIMEOUT) -> QueryResult:
        pool = self._workers()
        form, payload = pool.run(str(self._snapshot(keep=timeout * 2 + 10)), sparql, timeout)
        return QueryResult(form, payload)

    def close(self) -> None:
        with self._pool_lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
        if self._store is not None:
            self._flusher.close()
            try:
                self._store.flush()
            except OSError:
                pass
        self._store = None  # type: ignore[assignment]  # RocksDB closes when the object goes
        if self._snapshot_root != self.path:
            shutil.rmtree(self._snapshot_root, ignore_errors=True)
        if self._temporary:
            shutil.rmtree(self.path, ignore_errors=True)

    # internals

    def _workers(self) -> QueryWorkerPool:
        with self._pool_lock:
            if self._pool is None:
                self._pool = QueryWorkerPool(self._query_workers)
            return self._pool

    def _snapshot(self, *, keep: float) -> Path:
        """A checkpoint with every write so far (made if the last one is older); old ones removed."""
        if self._store is None:  # read-only: another process owns the directory
            return self.path
        with self._pool_lock:
            if not self._snapshots or self._snapshots[-1][0] != self._generation:
                target = self._snapshot_root / f"{self._generation}-{time.monotonic_ns()}"
                self._snapshot_root.mkdir(parents=True, exist_ok=True)
                try:
                    self._store.backup(str(target))
                except OSError as exc:
                    raise StoreError(f"could not checkpoint the store for a query: {short(exc)}") from None
                self._snapshots.append((self._generation, target, time.monotonic()))
            now = time.monotonic()
            # a checkpoint goes once a newer one exists and no query can still be reading it
            while len(self._snapshots) > 1 and now - self._snapshots[1][2] > keep:
                shutil.rmtree(self._snapshots.pop(0)[1], ignore_errors=True)
            return self._snapshots[-1][1]

    def _written(self, quads: int = 0) -> None:
        with self._pool_lock:
            self._generation += 1
        if self._flusher is not None:
            self._flusher.wrote(quads)

    def _has_graph(self, iri: URIRef) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(str(iri)))

    @staticmethod
    def _parse_quads(data: str) -> list[ox.Quad]:
        try:
            return list(ox.parse(data.encode("utf-8"), ox.RdfFormat.N_QUADS, rename_blank_nodes=True))
        except SyntaxError as exc:
            raise StoreError(f"could not read the graphs as N-Quads: {short(exc)}") from None

    def _update(self, update: str) -> None:
        try:
            self._store.update(update)  # one SPARQL update request is one transaction
        except SyntaxError as exc:
            raise StoreError(f"could not write the graphs: {short(exc)}") from None
        except OSError as exc:
            raise StoreError(f"could not write to the store: {short(exc)}") from None
        self._written(update.count("\n"))  # about one quad a line

    def _extend(self, quads: list[ox.Quad]) -> None:
        try:
            self._store.extend(quads)  # one transaction: all the quads or none
        except OSError as exc:
            raise StoreError(f"could not write to the store: {short(exc)}") from None
        self._written(len(quads))
