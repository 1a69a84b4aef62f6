"""The engine-neutral core of batch re-decision: rows of stored cases in, determinations out.

Each worker process builds one :class:`~reasoner.engine.Engine` (the knowledge compiled once) and
keeps it in a module-level cache, so the same function runs in-process, under
``multiprocessing`` and inside Spark's Python workers (``mapInArrow``), which reuse their
processes. This module must stay importable by name on the workers: functions defined in
``__main__`` are pickled by value and would lose the cache.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from rdflib import URIRef
from ..determination.rdf import to_ntriples

__all__ = ["RESULT_FIELDS", "determination_graph_iri", "decide_rows", "decide_batches", "worker_engine"]

RESULT_FIELDS = ("case_id", "policy_version", "graph", "nquads", "outcome", "determination", "error")

_ENGINES: dict[tuple, object] = {}


def determination_graph_iri(case_id: str, policy_id: str, label: str) -> URIRef:
    """The graph (and node) of a re-decision: one per case and policy version, so a re-run replaces it."""
    from ..store.ids import redecision_iri

    return redecision_iri(case_id, policy_id, label)


def worker_engine(shapes_dir: str | None = None, extra_dirs: tuple[str, ...] = ()):
    """This process's engine for the given knowledge folders, built on first use."""
    key = (shapes_dir, extra_dirs)
    engine = _ENGINES.get(key)
    if engine is None:
        from ..knowledge.compiled import compile_knowledge
        from ..engine import Engine

        engine = Engine(compile_knowledge(shapes_dir=Path(shapes_dir) if shapes_dir else None,
                                          extra_dirs=[Path(p) for p in extra_dirs]))
        _ENGINES[key] = engine
    return engine


def _nquads(ntriples: str, name: URIRef) -> str:
    lines = ntriples.splitlines()
    return "".join(f"{line[:-1].rstrip()} <{name}> .\n" for line in sorted(lines) if line.strip())


def decide_rows(rows: Iterable[tuple[str, str]], *, spec: str, decided_at: str,
                shapes_dir: str | None = None, extra_dirs: tuple[str, ...] = ()) -> Iterator[dict]:
    """Decide each ``(case_id, case N-Triples)`` under the version ``spec`` (``policy@label``).

    Yields one dict per row with :data:`RESULT_FIELDS`; a case that fails gives ``error`` and no graph.
    """
    from ..errors import NecessityError
    from ..loading import load_case

    engine = worker_engine(shapes_dir, extra_dirs)
    version = engine.knowledge.policy_version(spec)
    when = datetime.fromisoformat(decided_at)
    outs, cases = [], []
    for case_id, text in rows:
        out = dict.fromkeys(RESULT_FIELDS, None)
        out.update(case_id=case_id, policy_version=f"{version.policy_id}@{version.label}")
        outs.append(out)
        try:
            cases.append((out, load_case(text, content_type="text/turtle", source=case_id)))
        except NecessityError as exc:
            out["error"] = f"{type(exc).__name__}: {exc}"
    # the readable cases decided set-at-a-time (Engine.iter_decide), a failing one in its place
    decided = engine.decide_each([case for _out, case in cases], policy=version.policy_id,
                                 version=version.label, decided_at=when, batch_size=32)
    for (out, _case), det in zip(cases, decided):
        if isinstance(det, NecessityError):
            out["error"] = f"{type(det).__name__}: {det}"
            continue
        iri = determination_graph_iri(out["case_id"], version.policy_id, version.label)
        out.update(graph=str(iri), nquads=_nquads(to_ntriples(det, iri), iri),
                   outcome=str(det.outcome), determination=json.dumps(det.to_dict(), sort_keys=True))
    yield from outs


def decide_batches(batches, *, spec: str, decided_at: str, shapes_dir: str | None = None,
                   extra_dirs: tuple[str, ...] = ()):
    """The Spark ``mapInArrow`` function: Arrow batches of (case_id, nquads) in, result batches out."""
    import pyarrow as pa

    for batch in batches:
        columns = batch.to_pydict()
        rows = zip(columns["case_id"], columns["nquads"])
        results = list(decide_rows(rows, spec=spec, decided_at=decided_at, shapes_dir=shapes_dir,
                                   extra_dirs=extra_dirs))
        yield pa.RecordBatch.from_pylist(results, schema=pa.schema([(f, pa.string()) for f in RESULT_FIELDS]))
