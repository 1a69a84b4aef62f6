"""Decision workers: ``POST /cases``, ``POST /Claim/$submit`` and ``POST /cases/{id}/decide`` decide
in other processes, so the server uses every core.

The embedded store belongs to one process, and in one Python process the decision (CPU work
under the GIL) and the HTTP handling take turns. A :class:`DecisionPool` keeps ``workers``
processes, each with its own :class:`~reasoner.engine.Engine` compiled once at start; the
server sends each the request body and gets back a :class:`~api.submission.Prepared` (the
graphs as N-Triples and the rendered response), then only writes it. With ``workers=0`` there
is no pool and :func:`api.submission.prepare` runs in the server's thread pool, as before.

If a worker dies (killed, out of memory), the pool is built again and the request is tried once
more on the new one (deciding writes nothing, so a retry is safe); a second death answers 500.
A worker whose server process is killed ends itself within a second.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from starlette.concurrency import run_in_threadpool

from reasoner.engine import Engine

from .submission import Prepared, prepare, prepare_pas, prepare_redecision

__all__ = ["DecisionPool", "InProcess", "Decider", "default_workers"]

log = logging.getLogger("necessity.api")

_engine = None  # the worker process's engine, built by _start


def default_workers() -> int:
    """One decision worker per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _exit_with_parent(parent: int) -> None:
    """End this worker once the server process is gone (killed, so it could not shut the pool down):
    the pool's queues stay open in the worker itself, so it would otherwise wait for work forever."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _start() -> None:
    global _engine
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True,
                     name="exit-with-parent").start()
    _engine = Engine.load()


def _ready() -> int:
    time.sleep(0.05)  # long enough that a round of these reaches every started worker
    return os.getpid()


def _prepare(body: bytes, media: str, policy: str | None, version: str | None, accept: str) -> Prepared:
    return prepare(_engine, body, media, policy, version, accept)  # type: ignore[arg-type]


def _prepare_pas(body: bytes, may_certify: bool, default_policy: str | None = None) -> Prepared:
    return prepare_pas(_engine, body, may_certify, default_policy)  # type: ignore[arg-type]


def _prepare_redecision(*args) -> Prepared:
    return prepare_redecision(_engine, *args)  # type: ignore[arg-type]


class InProcess:
    """No pool: decide in the server process's thread pool, with the server's engine."""

    workers = 0

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def wait_ready(self) -> None:
        pass

    async def prepare(self, body: bytes, media: str, policy: str | None, version: str | None,
                      accept: str) -> Prepared:
        return await run_in_threadpool(prepare, self.engine, body, media, policy, version, accept)

    async def prepare_pas(self, body: bytes, may_certify: bool, default_policy: str | None = None) -> Prepared:
        return await run_in_threadpool(prepare_pas, self.engine, body, may_certify, default_policy)

    async def prepare_redecision(self, case_nt: str, case_id: str, number: int, policy: str | None,
                                 version: str | None, accept: str) -> Prepared:
        return await run_in_threadpool(prepare_redecision, self.engine, case_nt, case_id, number, policy,
                                       version, accept)

    def close(self) -> None:
        pass


class DecisionPool:
    """``workers`` processes that each decide with their own engine.

    Args:
        workers: how many processes (at least 1).
    """

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("a decision pool needs at least one worker")
        self.workers = workers
        self._lock = threading.Lock()
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        # spawn: the server process holds threads (RocksDB, the thread pool) that fork would copy mid-state
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start)

    def wait_ready(self, seconds: float = 300.0) -> None:
        """Block until every worker has compiled its engine (so the first requests do not wait for it)."""
        seen: set[int] = set()
        deadline = time.monotonic() + seconds
        while len(seen) < self.workers and time.monotonic() < deadline:
            futures = [self._executor.submit(_ready) for _ in range(self.workers)]
            seen.update(future.result() for future in futures)

    async def prepare(self, body: bytes, media: str, policy: str | None, version: str | None,
                      accept: str) -> Prepared:
        """Read, decide and render one case in a worker.

        Raises:
            NecessityError: whatever :func:`api.submission.prepare` raises (bad case, unknown policy).
        """
        return await self._run(_prepare, body, media, policy, version, accept)

    async def prepare_pas(self, body: bytes, may_certify: bool, default_policy: str | None = None) -> Prepared:
        """Map, decide and answer one PAS request bundle in a worker.

        Raises:
            NecessityError: whatever :func:`api.submission.prepare_pas` raises (bad bundle, unknown policy).
        """
        return await self._run(_prepare_pas, body, may_certify, default_policy)

    async def prepare_redecision(self, case_nt: str, case_id: str, number: int, policy: str | None,
                                 version: str | None, accept: str) -> Prepared:
        """Decide a stored case again in a worker (see :func:`api.submission.prepare_redecision`)."""
        return await self._run(_prepare_redecision, case_nt, case_id, number, policy, version, accept)

    async def _run(self, job, *args) -> Prepared:
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            executor = self._executor
            try:
                return await loop.run_in_executor(executor, job, *args)
            except BrokenProcessPool:
                self._replace(executor)
                log.error("a decision worker died; the pool was started again (attempt %d)", attempt)
        raise RuntimeError("a decision worker stopped unexpectedly, twice")

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = self._new_executor()
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


Decider = InProcess | DecisionPool
"""Where ``POST /cases``, ``POST /Claim/$submit`` and ``POST /cases/{id}/decide`` decide: in the server's
threads, or in worker processes."""
