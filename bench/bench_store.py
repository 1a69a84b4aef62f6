"""The embedded store's memory, disk and write cost over many new cases, configurations in one run.

What a server's store-owning process does for ``POST /cases``, without HTTP or deciding in the loop:
each configuration runs in its own process (so its memory is its own), decides ``--template``
generated cases once with its own engine (so a tree that writes fewer quads is measured with its
own graphs), then writes ``--cases`` new cases through ``EmbeddedStore.add_case``, each a template
case under a new id (its N-Triples with the id replaced, as a decision worker sends them), from
``--threads`` threads at once. Every ``--every`` cases it records the process's resident memory,
the store directory's size and its write-ahead log, and the CPU time of the process (RocksDB's
own flush and compaction threads included) and the wall time per case; after the last write, the
memory once idle for ``--idle`` seconds, then the store closed: its size on disk per case and the
quads per case.

Configurations (``--config``, repeatable; the first is the baseline of the ratios):

- ``this``: this tree as it is; ``this:flush=N``: with ``EmbeddedStore(flush_after_quads=N)``
  (0: RocksDB's own buffer limits only);
- ``rev:REV``: the tree of git revision REV (exported with ``git archive``), e.g. the commit before.

Nothing here asserts a speed. Run::

    python -m bench.bench_store --cases 10000 --config rev:HEAD~1 --config this
    python -m bench.bench_store --cases 2000 --config this:flush=0 --config this --every 500   # a quick look
    python -m bench.bench_store --group-probe 20 --threads 8 --template 32   # what group commit would save

The table goes to standard output, the figures as JSON to ``bench/results/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _sizes_mb(path: Path) -> tuple[float, float]:
    """The store directory's size and the size of its write-ahead log files, MB."""
    total = log = 0
    for f in path.rglob("*"):
        try:
            size = f.stat().st_size
        except OSError:  # removed by RocksDB meanwhile
            continue
        total += size
        log += size if f.suffix == ".log" else 0
    return round(total / 1e6, 1), round(log / 1e6, 1)


def _ntriples(det, iri) -> str:  # noqa: ANN001 - the tree's own writer, wherever that tree keeps it
    try:
        from reasoner.determination.rdf import to_ntriples
    except ImportError:
        return det.to_ntriples(iri) if hasattr(det, "to_ntriples") else det.to_graph(iri).serialize(format="nt")
    return to_ntriples(det, iri)


def _templates(n: int) -> list[tuple[str, str, str]]:
    """``n`` generated cases decided by this tree's engine: (case id, case N-Triples, determination N-Triples)."""
    from bench.generate_cases import generate
    from reasoner.engine import Engine
    from reasoner.loading import load_case
    from reasoner.store import determination_iri

    engine = Engine.load()
    out = []
    for i, form in enumerate(generate(n, seed=0)):
        case_id = f"tpl-{i:06d}"
        try:
            case = load_case(json.dumps(dict(form, id=case_id)), content_type="application/json")
            det = engine.decide(case)
        except Exception:  # noqa: BLE001 - a generated case the engine refuses is left out
            continue
        iri = determination_iri(case_id, 1)
        det_nt = _ntriples(det, iri)
        out.append((case_id, case.graph.serialize(format="nt"), det_nt))
    return out


def child(args: argparse.Namespace) -> dict:
    """One configuration, in this process: decide the templates, write the cases, measure."""
    import inspect

    from reasoner.store import EmbeddedStore

    templates = _templates(args.template)
    path = Path(tempfile.mkdtemp(prefix="necessity-bench-store-")) / "store"
    options = {}
    if args.flush is not None and "flush_after_quads" in inspect.signature(EmbeddedStore).parameters:
        options["flush_after_quads"] = args.flush
    store = EmbeddedStore(path, **options)
    rows, lock, done = [], threading.Lock(), [0]
    started_rss = _rss_mb()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    last = [wall0, cpu0, 0]

    def record() -> None:  # under lock
        wall, cpu = time.perf_counter(), time.process_time()
        n = done[0] - last[2]
        size, log = _sizes_mb(path)
        rows.append({"cases": done[0], "rss_mb": _rss_mb(), "store_mb": size, "wal_mb": log,
                     "cpu_ms_per_case": round((cpu - last[1]) * 1000 / n, 2),
                     "wall_ms_per_case": round((wall - last[0]) * 1000 / n, 2)})
        last[:] = [wall, cpu, done[0]]
        print(f"  {args.label}: {rows[-1]}", file=sys.stderr, flush=True)

    def writer(k: int) -> None:
        for i in range(k, args.cases, args.threads):
            template_id, case_nt, det_nt = templates[i % len(templates)]
            case_id = f"bs-{i:07d}"
            det = det_nt.replace(template_id, case_id)
            store.add_case(case_id, case_nt.replace(template_id, case_id), lambda iri, det=det: det)
            with lock:
                done[0] += 1
                if done[0] % args.every == 0:
                    record()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    time.sleep(args.idle)
    idle_rss = _rss_mb()
    quads = len(store._store)  # counted in Rust
    store.close()
    time.sleep(1)
    disk, _log = _sizes_mb(path)
    import shutil

    shutil.rmtree(path.parent, ignore_errors=True)
    return {"label": args.label, "cases": args.cases, "threads": args.threads, "templates": len(templates),
            "rss_start_mb": started_rss, "rss_idle_mb": idle_rss, "quads_per_case": round(quads / args.cases, 1),
            "disk_kb_per_case_closed": round(disk * 1000 / args.cases, 1), "disk_mb_closed": disk,
            "cpu_ms_per_case": round(cpu * 1000 / args.cases, 2), "wall_ms_per_case": round(wall * 1000 / args.cases, 2),
            "cases_per_s": round(args.cases / wall, 1), "progress": rows}


def group_probe(rounds: int, group: int, template: int) -> list[dict]:
    """What one transaction for several cases would save (group commit): the same cases' quads written
    one ``extend`` (one RocksDB transaction) per case, or ``group`` cases in one ``extend`` (and in one
    ``bulk_extend``, pyoxigraph's loader, which writes files instead of a transaction), alternating,
    store CPU per case. The write is CPU-bound per quad (no sync at commit), so this measures what a
    group would amortise."""
    import statistics

    from reasoner.store import EmbeddedStore, case_iri, determination_iri
    from reasoner.store.base import nquads

    templates = _templates(template)
    path = Path(tempfile.mkdtemp(prefix="necessity-bench-group-")) / "store"
    store = EmbeddedStore(path, flush_after_quads=0)
    times: dict[str, list[float]] = {"one transaction a case": [], f"{group} cases a transaction": [],
                                     f"{group} cases a bulk_extend": []}
    n = 0
    for _ in range(rounds):
        for label, values in times.items():
            batch = []
            for _ in range(group):
                template_id, case_nt, det_nt = templates[n % len(templates)]
                case_id, n = f"gp-{n:07d}", n + 1
                batch.append(store._parse_quads(nquads([(case_iri(case_id), case_nt.replace(template_id, case_id)),
                                                        (determination_iri(case_id, 1), det_nt.replace(template_id, case_id))])))
            c0 = time.process_time()
            if label.startswith("one"):
                for quads in batch:
                    store._store.extend(quads)
            elif label.endswith("bulk_extend"):
                store._store.bulk_extend([q for quads in batch for q in quads])
            else:
                store._store.extend([q for quads in batch for q in quads])
            values.append((time.process_time() - c0) * 1000 / group)
    store.close()
    import shutil

    shutil.rmtree(path.parent, ignore_errors=True)
    return [{"write": label, "cpu_ms_per_case_median": round(statistics.median(v), 2), "rounds": len(v)}
            for label, v in times.items()]


def _tree(spec: str, scratch: Path) -> tuple[Path, int | None]:
    kind, _, arg = spec.partition(":")
    if kind == "this":
        return REPO, int(arg.removeprefix("flush=")) if arg.startswith("flush=") else None
    if kind == "rev" and arg:
        tree = scratch / f"rev-{arg.replace('/', '_').replace('~', '-')}"
        tree.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", arg], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        return tree, None
    raise SystemExit(f"unknown configuration {spec!r}: this, this:flush=N or rev:REV")


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="new cases written (default 10,000)")
    parser.add_argument("--template", type=int, default=100, help="generated cases decided once (default 100)")
    parser.add_argument("--threads", type=int, default=1, help="threads writing at once (default 1)")
    parser.add_argument("--every", type=int, default=1000, help="record every this many cases")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds idle before the last memory reading")
    parser.add_argument("--config", action="append", default=[], help="this, this:flush=N, rev:REV (repeatable)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--label", default="this", help=argparse.SUPPRESS)
    parser.add_argument("--flush", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--group-probe", type=int, default=0, metavar="ROUNDS",
                        help="instead: time ROUNDS groups of --threads cases written in one transaction against one "
                             "transaction a case (this tree)")
    args = parser.parse_args(argv)
    if args.group_probe:
        rows = group_probe(args.group_probe, max(args.threads, 2), args.template)
        for row in rows:
            print(row)
        print(f"load average {_load()}")
        return 0
    if args.child:
        print(json.dumps(child(args)))
        return 0
    results, scratch = [], Path(tempfile.mkdtemp(prefix="necessity-bench-trees-"))
    for spec in args.config or ["this"]:
        tree, flush = _tree(spec, scratch)
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "--label", spec, "--cases", str(args.cases),
                   "--template", str(args.template), "--threads", str(args.threads), "--every", str(args.every),
                   "--idle", str(args.idle)] + (["--flush", str(flush)] if flush is not None else [])
        load = _load()
        print(f"{spec}: writing {args.cases} cases (load average {load})", flush=True)
        done = subprocess.run(command, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=False,
                              stdout=subprocess.PIPE, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["load_average_before"], result["load_average_after"] = load, _load()
        results.append(result)
    columns = ["label", "quads_per_case", "disk_kb_per_case_closed", "cpu_ms_per_case", "wall_ms_per_case",
               "rss_start_mb", "rss_idle_mb", "load_average_before"]
    print("\n" + "  ".join(columns))
    for r in results:
        print("  ".join(str(r[c]) for c in columns))
    print("\nmemory (RSS MB) / store MB / log MB by cases written:")
    for r in results:
        print(f"  {r['label']}: " + "; ".join(f"{p['cases']}: {p['rss_mb']} / {p['store_mb']} / {p['wal_mb']}"
                                            for p in r["progress"]))
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"bench_store-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.json"
    target.write_text(json.dumps({"benchmark": "bench_store", "arguments": vars(args), "results": results}, indent=2))
    print(f"\nwrote {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
