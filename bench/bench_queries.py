"""Time the authors' SPARQL queries (``queries/``) over a store of 10,000 or 100,000 cases.

Deciding 100,000 cases takes too long on a small machine, so the store is filled in two steps:

1. ``--template`` generated cases (``bench.generate_cases``) are decided (a process pool, one
   ``Engine`` per process) and written through the store API (``EmbeddedStore.add_case``); one
   case in ``--redecide-every`` gets a second determination an hour later
   (``add_determination``), under the other CMS version where the case is a CMS one, so the
   "latest" and "first" patterns have work to do;
2. the store is dumped and each template case (its case graph, its determination graphs and
   whatever else the store wrote for it) is copied under new case ids (``gen-000000`` ...,
   the id replaced in the text of its N-Quads) until ``--cases`` cases are stored, loaded with
   pyoxigraph's bulk loader. Copies are exact: the same outcomes, times and lines as their
   template, under another id.

Then every query in ``queries/`` (or ``--queries DIR``; ``--compare LABEL=DIR`` times other sets in
the same run, e.g. the queries as they were) runs ``--repeat`` times, and each run is split into:

- ``store.query``: the whole call a user makes (checkpoint if needed, worker process, evaluation,
  SPARQL JSON, pipe), as ``necessity query --store`` and ``/sparql`` make it;
- ``evaluate``: the same text in this process on a read-only pyoxigraph store, rows consumed (wall
  time, and the process's CPU time: Oxigraph evaluates in the calling thread, so on a loaded machine
  the CPU time is the steadier figure);
- ``evaluate+json``: the same, serialised to SPARQL JSON as the worker does;
- ``count only``: the same text inside ``SELECT (COUNT(*) AS ?n) WHERE { ... }``, so no row is
  decoded or written: Oxigraph's evaluation alone, to tell it from the cost of the answer's size;

and the checkpoint (``store.backup``) made once after a write, and a worker's round trip for a
trivial query (``ASK {}``), are timed on their own. Nothing here asserts a speed. Run::

    python -m bench.bench_queries --cases 10000 --store-dir /tmp/q10k
    python -m bench.bench_queries --cases 100000 --store-dir /tmp/q100k --compare before=tests/data/queries-before

The table goes to standard output, the figures as JSON to ``bench/results/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing as mp
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.generate_cases import generate  # noqa: E402
from reasoner import __version__  # noqa: E402
from reasoner.knowledge.paths import data_root  # noqa: E402
from reasoner.determination.rdf import to_graph

DECIDED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
BINDINGS = {  # bound inside the pattern (first thing after WHERE {), where the optimiser starts from it
    "cases-pended-for-document.rq": "VALUES ?document { <https://w3id.org/necessity/shapes/aetna-cpb-0161#doc-trial-report> }",
    "cases-citing-criterion.rq": "VALUES ?criterion { <https://w3id.org/necessity/shapes/aetna-cpb-0161#crit-trial-50-percent> }",
}
TEMPLATE_ID = "tpl-{:06d}"
COPY_ID = "gen-{:06d}"

# ---------------------------------------------------------------- 1. decide the template cases

_engine = None


def _init_worker() -> None:
    global _engine
    from reasoner.engine import Engine

    _engine = Engine.load()


def _decide(item: tuple[int, dict, bool]) -> tuple[str, str, object, object | None] | None:
    from reasoner.loading import load_case

    i, form, again = item
    try:
        case = load_case(json.dumps(form), content_type="application/json")
        first = _engine.decide(case, decided_at=DECIDED_AT + timedelta(minutes=i))  # type: ignore[union-attr]
        second = None
        if again:
            version = None
            if first.policy.id == "cms-ncd-280.14":  # the other CMS version: outcomes may differ
                version = "2019-11" if first.policy.version != "2019-11" else "2024-03"
            second = _engine.decide(case, version=version,  # type: ignore[union-attr]
                                    decided_at=DECIDED_AT + timedelta(minutes=i, hours=1))
    except Exception:  # noqa: BLE001 - a generated case the engine refuses is skipped and counted
        return None
    return case.case_id, case.graph.serialize(format="nt"), first, second


def _with_clock(form: dict, i: int) -> dict:
    """Two cases in three get a received time (1 to 240 hours before the decision) and an urgency."""
    if i % 3:
        received = DECIDED_AT + timedelta(minutes=i) - timedelta(hours=1 + (i * 37) % 240)
        form.update(received_at=received.isoformat(), urgency="expedited" if i % 4 == 0 else "standard")
    return form


def fill_template(path: Path, n: int, redecide_every: int, workers: int) -> dict:
    """Decide ``n`` generated cases into a new embedded store at ``path`` through the store API."""
    from rdflib import Graph

    from reasoner.engine import Engine
    from reasoner.store import EmbeddedStore

    store = EmbeddedStore(path)
    store.load_knowledge(Engine.load().knowledge_graph)
    todo = [(i, _with_clock(dict(form, id=TEMPLATE_ID.format(i)), i),
             redecide_every > 0 and i % redecide_every == 1) for i, form in enumerate(generate(n))]
    started = time.perf_counter()
    stored = skipped = again = 0
    with mp.get_context("spawn").Pool(workers, initializer=_init_worker) as pool:
        for item in pool.imap_unordered(_decide, todo, chunksize=8):
            if item is None:
                skipped += 1
                continue
            case_id, case_nt, first, second = item
            store.add_case(case_id, Graph().parse(data=case_nt, format="nt"), first.to_graph)
            if second is not None:
                store.add_determination(case_id, second.to_graph)
                again += 1
            stored += 1
            if stored % 500 == 0:
                print(f"  decided {stored} template cases ({time.perf_counter() - started:.0f} s)", flush=True)
    store.close()
    return {"template_cases": stored, "skipped": skipped, "with_second_determination": again,
            "seconds": round(time.perf_counter() - started, 1)}


# ---------------------------------------------------------------- 2. copy them up to --cases


def _per_case(dump: bytes) -> tuple[str, dict[str, str]]:
    """The dump's N-Quads split into the lines without a case id and the lines of each template case."""
    shared, cases = [], {}
    pattern = re.compile(r"tpl-\d{6}")
    for line in dump.decode("utf-8").splitlines():
        ids = set(pattern.findall(line))
        if not ids:
            shared.append(line)
        elif len(ids) == 1:
            cases.setdefault(ids.pop(), []).append(line)
        else:
            raise ValueError(f"a quad names two template cases: {line[:200]}")
    return "\n".join(shared) + "\n", {k: "\n".join(v) + "\n" for k, v in sorted(cases.items())}


class _Copies(io.RawIOBase):
    """The N-Quads of ``n`` copies of the template cases, generated as the bulk loader reads them."""

    def __init__(self, cases: dict[str, str], n: int) -> None:
        self._ids, self._cases, self._n, self._i, self._buffer = list(cases), cases, n, 0, b""
        self.quads = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:  # noqa: ANN001
        while len(self._buffer) < len(target) and self._i < self._n:
            template = self._ids[self._i % len(self._ids)]
            text = self._cases[template].replace(template, COPY_ID.format(self._i)).replace("_:", f"_:c{self._i}x")
            self.quads += text.count("\n")
            self._buffer += text.encode("utf-8")
            self._i += 1
            if self._i % 10000 == 0:
                print(f"  generated {self._i} copies", flush=True)
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def fill_copies(template: Path, path: Path, n: int) -> dict:
    """Fill a new store at ``path`` with ``n`` cases copied from the template store (one bulk load)."""
    import pyoxigraph as ox

    from reasoner.store import EmbeddedStore

    source = EmbeddedStore(template)
    shared, cases = _per_case(source.dump())
    source.close()
    started = time.perf_counter()
    store = ox.Store(str(path))
    store.bulk_load(shared.encode("utf-8"), ox.RdfFormat.N_QUADS)
    copies = _Copies(cases, n)
    store.bulk_load(io.BufferedReader(copies, 1 << 20), ox.RdfFormat.N_QUADS)
    store.optimize()
    store.flush()
    del store
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return {"cases": n, "quads": copies.quads + shared.count("\n"), "seconds": round(time.perf_counter() - started, 1),
            "store_mb": round(size / 1e6)}


# ---------------------------------------------------------------- 3. time the queries


PAGE = re.compile(r"LIMIT \d+ OFFSET \d+")


def bind(name: str, text: str) -> str:
    """The query with the value of ``BINDINGS[name]`` bound the way its header says: a paged listing
    (its page's cases picked in a first block, ``LIMIT n OFFSET m``) by a trailing VALUES, or for
    cases-citing-criterion by a FILTER before the pattern's last brace (Oxigraph then looks up only the
    page's lines); an older text by VALUES at the start of the pattern, where the optimiser starts from it."""
    values = BINDINGS[name]
    if not PAGE.search(text):
        return text.replace("WHERE {", "WHERE {\n  " + values, 1)
    if name == "cases-citing-criterion.rq":
        var, _, term = values.removeprefix("VALUES ").partition(" { ")
        head, _, tail = text.rpartition("\n}\n")
        return f"{head}\n  FILTER ({var} = {term.rstrip(' }')})\n}}\n{tail}"
    return text.rstrip() + "\n" + values + "\n"


def query_texts(root: Path, suffix: str = "") -> dict[str, str]:
    out = {}
    for path in sorted(root.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        name = path.name
        if name in BINDINGS:
            text = bind(name, text)
            name = f"{name} (bound)"
        out[name + suffix] = text
    return out


def count_only(text: str) -> str:
    """The query inside ``SELECT (COUNT(*) AS ?n) WHERE { ... }``: its rows counted, none decoded."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().upper().startswith("SELECT"))
    return "\n".join(lines[:start]) + "\nSELECT (COUNT(*) AS ?rowCount) WHERE {\n" + "\n".join(lines[start:]) + "\n}"


def _stats(times: list[float]) -> dict:
    return {"min_ms": round(min(times) * 1000, 2), "median_ms": round(statistics.median(times) * 1000, 2)}


def time_queries(path: Path, queries: dict[str, str], repeat: int, timeout: float) -> tuple[list[dict], dict]:
    import pyoxigraph as ox

    from reasoner.errors import QueryTimeoutError
    from reasoner.store import EmbeddedStore

    store = EmbeddedStore(path, query_workers=1)
    overhead = {}
    t0 = time.perf_counter()
    store.query("ASK {}")  # the first query after opening: checkpoint + worker start
    overhead["first query (checkpoint + worker start)_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    target = Path(tempfile.mkdtemp(prefix="necessity-bench-backup-")) / "b"
    t0 = time.perf_counter()
    store._store.backup(str(target))  # what a query after a write pays once
    overhead["checkpoint (store.backup)_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    shutil.rmtree(target.parent, ignore_errors=True)
    ask = []
    for _ in range(max(repeat, 20)):
        t0 = time.perf_counter()
        store.query("ASK {}")
        ask.append(time.perf_counter() - t0)
    overhead["ASK {} round trip_ms"] = _stats(ask)
    snapshot = store._snapshot(keep=600)
    local = ox.Store.read_only(str(snapshot))
    # the cost model behind the query shapes: a scan of one property of every determination, the
    # same with one index lookup per determination (how Oxigraph joins plain patterns), and the
    # same two properties joined as whole columns (subqueries: a hash join)
    nec = "PREFIX nec: <https://w3id.org/necessity/ontology#> "
    for label, text in (
            ("scan: one property of each determination", nec + "SELECT (COUNT(*) AS ?n) WHERE { ?d nec:decidesCase ?c }"),
            ("scan + one lookup per determination", nec + "SELECT (COUNT(*) AS ?n) WHERE { ?d nec:decidesCase ?c . "
                                                          "?d nec:versionLabel ?v }"),
            ("two columns, hash join", nec + "SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?d ?c WHERE { ?d nec:decidesCase ?c } } "
                                             "{ SELECT ?d ?v WHERE { ?d nec:versionLabel ?v } } }")):
        times = []
        for _ in range(max(repeat, 3)):
            t0 = time.perf_counter()
            list(local.query(text, use_default_graph_as_union=True))
            times.append(time.perf_counter() - t0)
        overhead[f"{label}_ms"] = _stats(times)
    rows_out = []
    for name, text in queries.items():
        full, evaluate, evaluate_cpu, with_json, counted, rows = [], [], [], [], [], None
        for _ in range(repeat):
            t0 = time.perf_counter()
            try:
                result = store.query(text, timeout=timeout)
            except QueryTimeoutError:
                full.append(float("inf"))
                break
            full.append(time.perf_counter() - t0)
            n = len(json.loads(result.payload)["results"]["bindings"])
            rows = n if rows is None else rows
            t0, c0 = time.perf_counter(), time.process_time()
            count = sum(1 for _ in local.query(text, use_default_graph_as_union=True))
            evaluate.append(time.perf_counter() - t0)
            evaluate_cpu.append(time.process_time() - c0)  # this thread's work: less hurt by a loaded machine
            t0 = time.perf_counter()
            local.query(text, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
            with_json.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            list(local.query(count_only(text), use_default_graph_as_union=True))
            counted.append(time.perf_counter() - t0)
            assert count == rows, (name, count, rows)
            if full[-1] > 10:  # one run is enough to say it is slow
                break
        if evaluate:
            row = {"query": name, "rows": rows, **{f"store.query {k}": v for k, v in _stats(full).items()},
                   "evaluate median_ms": _stats(evaluate)["median_ms"],
                   "evaluate CPU median_ms": _stats(evaluate_cpu)["median_ms"],
                   "evaluate+json median_ms": _stats(with_json)["median_ms"],
                   "count only min_ms": _stats(counted)["min_ms"]}
        else:
            row = {"query": name, "rows": None, "store.query min_ms": f"> {timeout * 1000:.0f} (stopped)"}
        rows_out.append(row)
        print(f"  {row}", flush=True)
    store.close()
    return rows_out, overhead


# ---------------------------------------------------------------- what the summaries cost a write


def time_writes(template: Path, n: int) -> list[dict]:
    """The write of a new case and of a second determination, before and after the summaries.

    On a copy of the template store (about 1,000 cases), ``n`` generated cases (other ids) are
    decided once, then written alternately the way the store wrote them before the summaries (a
    new case: its quads in one ``extend``; a second determination: ``INSERT DATA`` + history) and
    the way it does now (``add_case``: the same ``extend`` with the summary quads made in Python;
    ``add_determination``: the same update + the case's summary). Wall and CPU time of the
    write call alone (the graphs are N-Triples text already, as a decision worker sends them).
    """
    from reasoner.engine import Engine
    from reasoner.loading import load_case
    from reasoner.store import EmbeddedStore
    from reasoner.store.base import insert_data, nquads, nt_lines
    from reasoner.store.history import history_update
    from reasoner.store.ids import case_iri, determination_iri

    engine = Engine.load()
    work = Path(tempfile.mkdtemp(prefix="necessity-bench-writes-"))
    shutil.copytree(template, work / "store")
    store = EmbeddedStore(work / "store")
    times: dict[str, list[tuple[float, float]]] = {}

    def clock(label: str, write) -> None:  # noqa: ANN001
        w, c = time.perf_counter(), time.process_time()
        write()
        times.setdefault(label, []).append((time.perf_counter() - w, time.process_time() - c))

    try:
        for i, form in enumerate(generate(n, seed=11)):
            case_id = f"wr-{i:05d}"
            try:
                case = load_case(json.dumps(dict(form, id=case_id)), content_type="application/json")
                det = engine.decide(case, decided_at=DECIDED_AT)
            except Exception:  # noqa: BLE001 - skipped, as in the template
                continue
            first, second = determination_iri(case_id, 1), determination_iri(case_id, 2)
            case_nt = "\n".join(nt_lines(case.graph))
            first_nt, second_nt = ("\n".join(nt_lines(to_graph(det, d))) for d in (first, second))
            if i % 2:
                clock("add_case, before (extend)", lambda: store._extend(store._parse_quads(
                    nquads([(case_iri(case_id), case_nt), (first, first_nt)]))))
                clock("add_determination, before (INSERT DATA + history)", lambda: store._update(
                    insert_data([(second, second_nt)]) + " ;\n" + history_update([case_id])))
            else:
                clock("add_case, after (extend with the summary)",
                      lambda: store.add_case(case_id, case_nt, lambda iri: first_nt))
                clock("add_determination, after (INSERT DATA + history + summary)",
                      lambda: store.add_determination(case_id, lambda iri: second_nt))
    finally:
        store.close()
        shutil.rmtree(work, ignore_errors=True)
    return [{"write": label, "n": len(v), "wall median_ms": round(statistics.median(t[0] for t in v) * 1000, 2),
             "cpu median_ms": round(statistics.median(t[1] for t in v) * 1000, 2)} for label, v in sorted(times.items())]


# ---------------------------------------------------------------- report


def _table(rows: list[dict]) -> str:
    columns = list(rows[0]) if rows else []
    cells = [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases in the store (default 10,000)")
    parser.add_argument("--template", type=int, default=1000, help="cases really decided (default 1,000)")
    parser.add_argument("--redecide-every", type=int, default=5,
                        help="one template case in this many gets a second determination (default 5; 0: none)")
    parser.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1), help="decision processes")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query")
    parser.add_argument("--timeout", type=float, default=60, help="time limit per query, seconds (default 60)")
    parser.add_argument("--queries", type=Path, help="the queries to time (default: queries/)")
    parser.add_argument("--compare", action="append", default=[], metavar="LABEL=DIR",
                        help="also time the queries in DIR, named '<file> [LABEL]' (repeatable), e.g. "
                             "before=tests/data/queries-before")
    parser.add_argument("--only", action="append", default=[], help="time only query files with this in the name")
    parser.add_argument("--fill-only", action="store_true", help="fill the stores, time nothing")
    parser.add_argument("--writes", type=int, default=0, metavar="N",
                        help="also time N case writes with and without the summaries (on a copy of the template)")
    parser.add_argument("--store-dir", type=Path,
                        help="keep the stores here (DIR/template, DIR/store) and reuse them if already filled")
    args = parser.parse_args(argv)

    tmp = None
    if args.store_dir:
        root = args.store_dir
    else:
        tmp = root = Path(tempfile.mkdtemp(prefix="necessity-bench-queries-"))
    template, store_path = root / "template", root / f"store-{args.cases}"
    out: dict = {"benchmark": "bench_queries", "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 "engine_version": __version__, "python": platform.python_version(), "cpus": os.cpu_count(),
                 "arguments": {k: str(v) for k, v in vars(args).items() if k != "store_dir"}}
    try:
        if not (template / "CURRENT").exists():
            print(f"deciding {args.template} template cases ({args.workers} processes)...", flush=True)
            out["template"] = fill_template(template, args.template, args.redecide_every, args.workers)
            print(_table([out["template"]]))
        if not (store_path / "CURRENT").exists():
            print(f"copying them up to {args.cases} cases...", flush=True)
            out["copies"] = fill_copies(template, store_path, args.cases)
            print(_table([out["copies"]]))
        if args.fill_only:
            return 0
        if args.writes:
            out["writes"] = time_writes(template, args.writes)
            print(_table(out["writes"]), flush=True)
        queries = query_texts(args.queries or Path(data_root("queries")))
        for spec in args.compare:
            label, _, folder = spec.partition("=")
            queries.update(query_texts(Path(folder), f" [{label}]"))
        if args.only:
            queries = {k: v for k, v in queries.items() if any(o in k for o in args.only)}
        queries = dict(sorted(queries.items()))  # each query beside its other versions: the same load
        out["load_average_before"] = _load()
        print(f"\ntiming {len(queries)} queries over {args.cases} cases (load average {out['load_average_before']})",
              flush=True)
        out["queries"], out["overhead"] = time_queries(store_path, queries, args.repeat, args.timeout)
        out["load_average_after"] = _load()
        print(_table(out["queries"]))
        print(json.dumps(out["overhead"], indent=1))
        print(f"load average: {out['load_average_before']} before, {out['load_average_after']} after")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    results = REPO / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    target = results / f"bench_queries-{args.cases}-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.json"
    target.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
