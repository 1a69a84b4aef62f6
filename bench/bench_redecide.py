"""Benchmark batch re-decision: cases per second with 1 and 2 local workers and on Spark local[2].

One run fills an embedded store with ``--cases`` generated cases (decided under Aetna CPB 0161 and
stored as a user's cases would be), then re-decides them with ``reasoner.batch.redecide.redecide``:

- ``local`` with ``--workers 1`` and ``--workers 2`` (``multiprocessing`` pools; each worker
  compiles the knowledge once, and its start-up is inside the timed decide step);
- ``spark`` on ``local[2]`` (``mapInArrow`` over the Parquet snapshot; the session start, the first
  job's warm-up and the two Python workers' knowledge compile are inside the timed decide step).

It reports the snapshot, decide and load-back times and the decide step's cases per second for
each, and checks that every engine stored the same determinations. Nothing here asserts a speed.
Run from the repository root with the project's virtualenv and the ``[spark]`` extra::

    python -m bench.bench_redecide --cases 400          # about 5-8 minutes on 2 shared cores

The figures also go, as JSON, to ``bench/results/redecide-<time>.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.generate_cases import generate
from reasoner.engine import Engine
from reasoner.loading import load_case
from reasoner.batch.redecide import redecide
from reasoner.store import EmbeddedStore
from reasoner.determination.rdf import to_graph

SPEC = "aetna-cpb-0161@2026-01"
_SNAPSHOT = """SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o }
  FILTER(STRENDS(STR(?g), "/aetna-cpb-0161@2026-01"))
  FILTER(?p != <http://www.w3.org/ns/prov#generatedAtTime>) }"""


def _fill(path: Path, n: int) -> float:
    engine = Engine.load()
    store = EmbeddedStore(path)
    started = time.perf_counter()
    try:
        for form in generate(n):
            form["policy"] = "aetna-cpb-0161"
            case = load_case(json.dumps(form))
            det = engine.decide(case)
            store.add_case(case.case_id, case.graph, lambda iri, det=det: to_graph(det, iri))
    finally:
        store.close()
    return time.perf_counter() - started


def _stored(path: Path) -> frozenset:
    store = EmbeddedStore(path)
    try:
        return frozenset(tuple(str(r[k]) for k in "gspo") for r in store.query(_SNAPSHOT, timeout=300).bindings())
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--skip-spark", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    runs = [("local", 1), ("local", 2)] + ([] if args.skip_spark else [("spark", 2)])
    figures = {"cases": args.cases, "command": " ".join(["python -m bench.bench_redecide", *(argv or sys.argv[1:])]),
               "cpu_count": os.cpu_count(), "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        fill = _fill(path, args.cases)
        print(f"stored {args.cases} cases in {fill:.1f} s")
        reference = None
        for engine, workers in runs:
            store = EmbeddedStore(path)
            try:
                summary = redecide(store, SPEC, engine=engine, workers=workers, master=f"local[{workers}]")
            finally:
                store.close()
            summary.pop("outcomes")
            snapshot = _stored(path)
            reference = reference or snapshot
            summary.update(workers=workers, same_as_first=snapshot == reference)
            figures["runs"].append(summary)
            s = summary["seconds"]
            print(f"{engine:5} workers={workers}: snapshot {s['snapshot']:.2f} s, decide {s['decide']:.2f} s "
                  f"({summary['cases_per_second']} cases/s), load {s['load']:.2f} s, errors "
                  f"{len(summary['errors'])}, same determinations as the first run: {summary['same_as_first']}")
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    target = out / f"redecide-{time.strftime('%Y%m%dT%H%M%S')}.json"
    target.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"figures: {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
