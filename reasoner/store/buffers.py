"""Bounded memory for the embedded store: RocksDB's write buffers flushed to disk as the store writes.

Oxigraph opens RocksDB with large write buffers (128 MB per index, up to six of them each, eleven
indexes) and no limit on the write-ahead log, and RocksDB flushes a buffer only when it is full. A
server writing cases therefore grew from about 140 MB to about 1.5 GB and kept it when idle, with
1.4 GB of log on disk (issue 21). :class:`WriteBufferFlusher` flushes every buffer (``Store.flush``)
once a number of quads was written since the last flush, in a background thread: RocksDB takes
writes into new buffers meanwhile, and pyoxigraph releases the GIL while it flushes, so no request
waits for it. Memory then stays near what that many quads take in the buffers, and each log file is
deleted once its buffers are on disk. The flushed files are merged by RocksDB's own compactions.
"""

from __future__ import annotations

import logging
import threading

import pyoxigraph as ox

__all__ = ["WriteBufferFlusher", "FLUSH_AFTER_QUADS"]

log = logging.getLogger("necessity.store")

FLUSH_AFTER_QUADS = 100_000
"""Quads written between two flushes (about 120 new cases). Over 10,000 new cases the writing process
stayed at 236-271 MB and the log under 131 MB, against 2.2 GB and up to 4 GB without
(``bench/bench_store.py``, bench README)."""


class WriteBufferFlusher:
    """Flushes a pyoxigraph store's write buffers once ``after`` quads were written since the last
    flush (0: never; RocksDB then flushes a buffer when it is full)."""

    def __init__(self, store: ox.Store, after: int = FLUSH_AFTER_QUADS) -> None:
        self._store = store
        self.after = after
        self._pending = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.flushes = 0

    def wrote(self, quads: int) -> None:
        """Count ``quads`` written; start a flush if enough were and none is running."""
        if not self.after:
            return
        with self._lock:
            self._pending += quads
            if self._pending < self.after or (self._thread is not None and self._thread.is_alive()):
                return
            self._pending = 0
            self._thread = threading.Thread(target=self._flush, name="store-flush", daemon=True)
            self._thread.start()

    def _flush(self) -> None:
        try:
            self._store.flush()
            self.flushes += 1
        except OSError as exc:  # the next write tries again; the data is in the log meanwhile
            log.warning("could not flush the store's write buffers: %s", exc)

    def wait(self) -> None:
        """Wait for a running flush."""
        thread = self._thread
        if thread is not None:
            thread.join()

    def close(self) -> None:
        """Wait for a running flush and let go of the store (RocksDB closes when its last reference goes)."""
        self.wait()
        self.after, self._thread, self._store = 0, None, None  # type: ignore[assignment]
