"""Killable embedded queries: one worker process per query slot.

pyoxigraph (0.5) cannot cancel a running query, and a thread cannot be stopped, so a
runaway query in a thread burns a core until it ends on its own. Here every query slot is
a process that opens the store directory read-only: the owner process sends it the query
text, and when the time limit passes the worker is killed (SIGKILL) at once and a fresh
one is started in the background. The policy check (tokenizing a large query takes time
too) runs in the worker, inside the time limit, never in the caller's event loop.

A worker never opens the live directory (RocksDB does not promise a read-only instance
anything while another process writes it): the owner hands it, with each query, the path
of a checkpoint of the store (a RocksDB checkpoint: hard links to immutable files, made
after the last write), and the worker reopens when the path changes. Workers drop network access where the kernel lets them
(a private network namespace), a second wall behind the policy's refusal of SERVICE.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import queue
import select
import struct
import subprocess
import sys
import threading
import time
from typing import IO, Any

from ..errors import QueryError, QueryTimeoutError, StoreError

__all__ = ["QueryWorkerPool"]

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000


def _drop_network() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(_CLONE_NEWNET) != 0 and libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
            return
    except (OSError, AttributeError):
        return


def _read(stream: IO[bytes]) -> Any:
    head = stream.read(4)
    if len(head) < 4:
        raise EOFError
    (size,) = struct.unpack(">I", head)
    return pickle.loads(stream.read(size))


def _write(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def serve() -> None:
    """The worker loop: (store path, query text) in, ("ok", form, payload) or ("error", kind, message) out."""
    _drop_network()
    import pyoxigraph as ox

    from .policy import query_form

    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the answer stream
    store = None
    seen = None
    while True:
        try:
            path, text = _read(source)
        except (EOFError, OSError):
            return
        try:
            form = query_form(text)
            for attempt in (1, 2):
                if store is None or path != seen or attempt == 2:
                    store = None
                    store = ox.Store.read_only(path)
                    seen = path
                try:
                    result = store.query(text, use_default_graph_as_union=True)
                    if form in ("construct", "describe"):
                        payload = ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b""
                    else:
                        payload = result.serialize(format=ox.QueryResultsFormat.JSON)
                    break
                except OSError:
                    if attempt == 2:
                        raise
            _write(sink, ("ok", form, payload))
        except SyntaxError as exc:
            _write(sink, ("error", "QueryError", f"not a valid SPARQL 1.1 query: {_short(exc)}"))
        except QueryError as exc:
            _write(sink, ("error", type(exc).__name__, exc.message))
        except OSError as exc:
            _write(sink, ("error", "StoreError", f"the store could not answer the query: {_short(exc)}"))


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


class _Worker:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from reasoner.store.workers import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True)

    def ask(self, path: str, text: str, seconds: float) -> Any:
        """The worker's answer, or None if it did not come within ``seconds``."""
        assert self.process.stdin is not None and self.process.stdout is not None
        _write(self.process.stdin, (path, text))
        ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, seconds))
        if not ready:
            return None
        return _read(self.process.stdout)

    def kill(self) -> None:
        try:
            self.process.kill()
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.process.stdin, self.process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass


class QueryWorkerPool:
    """``size`` worker processes answering read-only queries.

    Args:
        size: how many queries run at once; later ones wait for a slot within their time limit.
    """

    def __init__(self, size: int = 4) -> None:
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(max(1, size)):
            self._start()

    def _start(self) -> None:
        worker = _Worker()
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def run(self, path: str, text: str, timeout: float) -> tuple[str, bytes]:
        """Run ``text`` over the store directory ``path`` in a worker; return (form, payload).

        The payload is SPARQL JSON results, or N-Triples for CONSTRUCT and DESCRIBE.

        The query waits at most ``timeout`` for a free slot, then may run for ``timeout``.

        Raises:
            QueryTimeoutError: no slot came free, or the query ran past ``timeout`` (its worker is killed).
            QueryError: the policy refused the query, or it is not valid SPARQL.
            StoreError: the store could not answer.
        """
        try:
            worker = self._idle.get(timeout=max(0.0, timeout))  # waiting for a slot: at most the limit too
        except queue.Empty:
            raise QueryTimeoutError(f"the query could not start within {timeout:g} s: every query slot is "
                                    "busy") from None
        deadline = time.monotonic() + timeout  # the limit on checking and running starts now
        try:
            answer = worker.ask(path, text, deadline - time.monotonic())
        except (EOFError, OSError, pickle.UnpicklingError):
            answer = ("error", "StoreError", "a query worker stopped unexpectedly")
        if answer is None or answer[1] == "StoreError" and worker.process.poll() is not None:
            self._replace(worker)
            if answer is None:
                raise QueryTimeoutError(f"the query ran past its time limit of {timeout:g} s and was stopped")
        else:
            self._idle.put(worker)
        if answer[0] == "ok":
            return answer[1], answer[2]
        from .. import errors

        raise getattr(errors, answer[1], StoreError)(answer[2])

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        threading.Thread(target=self._start, name="necessity-query-respawn", daemon=True).start()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
