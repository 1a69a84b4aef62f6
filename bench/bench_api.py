"""Benchmark the API under concurrent load and SPARQL over a store of at least 10,000 cases.

One run:

1. fills an embedded store with ``--cases`` generated cases (``bench.generate_cases``), each
   loaded, decided and stored through the store API (not HTTP, to keep the setup short;
   decisions run in a process pool), and reports the write rate;
2. times the queries in ``queries/`` that need stored data, plus a count and the store's own
   reads, over that store (min and median of ``--repeat`` runs each);
3. starts ``necessity serve`` on the same store on loopback and drives it with ``--concurrency``
   client threads: submissions (``POST /cases``, new ids), reads (``GET /cases/{id}``) and a small
   SPARQL query, each for at most ``--requests`` requests or ``--seconds`` seconds, reporting
   requests per second, median and 99th percentile latency and the status codes.

Nothing here asserts a speed. Run::

    python -m bench.bench_api                       # 10,000 cases: a few minutes of setup
    python -m bench.bench_api --cases 500 --requests 200 --seconds 20   # a quick look
    python -m bench.bench_api --store-dir DIR       # keep (or reuse) the filled store

The table goes to standard output and the figures, as JSON, to ``bench/results/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.generate_cases import generate  # noqa: E402
from reasoner import __version__  # noqa: E402
from reasoner.knowledge.paths import data_root  # noqa: E402
from reasoner.determination.rdf import to_ntriples

API_KEY = "bench-key-not-a-secret"
STORE_QUERIES = ["cases-pended-for-document.rq", "outcomes-by-policy-version.rq", "cases-citing-criterion.rq",
                 "line-outcomes-by-code.rq"]
BINDINGS = {
    "cases-pended-for-document.rq": "VALUES ?document { <https://w3id.org/necessity/shapes/aetna-cpb-0161#doc-trial-report> }",
    "cases-citing-criterion.rq": "VALUES ?criterion { <https://w3id.org/necessity/shapes/aetna-cpb-0161#crit-trial-50-percent> }",
}


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


# ---------------------------------------------------------------- 1. fill the store

_engine = None


def _init_worker() -> None:
    global _engine
    from reasoner.engine import Engine

    _engine = Engine.load()


def _decide(form: dict) -> tuple[str, str, object] | None:
    from reasoner.loading import load_case

    try:
        case = load_case(json.dumps(form), content_type="application/json")
        det = _engine.decide(case)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - a generated case the engine refuses is skipped and counted
        return None
    return case.case_id, case.graph.serialize(format="nt"), det


def fill_store(path: Path, n: int, workers: int) -> dict:
    from rdflib import Graph

    from reasoner.engine import Engine
    from reasoner.store import EmbeddedStore

    store = EmbeddedStore(path)
    engine = Engine.load()
    store.load_knowledge(engine.knowledge_graph)
    have = store.count_cases()
    todo = [dict(form, id=f"gen-{i:05d}") for i, form in enumerate(generate(n)) if i >= have]
    started = time.perf_counter()
    stored = skipped = 0
    write_times: list[float] = []
    with mp.get_context("spawn").Pool(workers, initializer=_init_worker) as pool:
        for item in pool.imap_unordered(_decide, todo, chunksize=16):
            if item is None:
                skipped += 1
                continue
            case_id, case_nt, det = item
            graph = Graph().parse(data=case_nt, format="nt")
            t0 = time.perf_counter()
            store.add_case(case_id, graph, lambda iri, det=det: to_ntriples(det, iri))  # the decision time is in it
            write_times.append(time.perf_counter() - t0)
            stored += 1
            if stored % 1000 == 0:
                print(f"  stored {have + stored} cases ({time.perf_counter() - started:.0f} s)", flush=True)
    elapsed = time.perf_counter() - started
    total = store.count_cases()
    global STORED
    STORED = [case_id for case_id in store.case_ids() if case_id.startswith("gen-")]
    store.close()
    return {"cases_in_store": total, "added": stored, "skipped": skipped, "seconds": round(elapsed, 1),
            "cases_per_second": round(stored / elapsed, 1) if stored else None,
            "write_ms_median": round(statistics.median(write_times) * 1000, 2) if write_times else None,
            "write_ms_p99": round(_pct(write_times, 99) * 1000, 2) if write_times else None}


# ---------------------------------------------------------------- 2. SPARQL over the store


def time_queries(path: Path, repeat: int) -> list[dict]:
    from reasoner.store import EmbeddedStore

    store = EmbeddedStore(path)
    root = Path(data_root("queries"))
    queries = {}
    for name in STORE_QUERIES:
        text = (root / name).read_text(encoding="utf-8")
        if name in BINDINGS:  # bound inside the pattern, where the optimiser starts from it
            text = text.replace("WHERE {", "WHERE {\n  " + BINDINGS[name], 1)
            name = f"{name} (bound)"
        queries[name] = text
    queries["count cases (SPARQL)"] = ("PREFIX nec: <https://w3id.org/necessity/ontology#> "
                                       "SELECT (COUNT(?c) AS ?n) WHERE { ?c a nec:Case }")
    out = []
    for name, text in queries.items():
        times, rows = [], 0
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = store.query(text, timeout=300)
            rows = len(result.bindings())
            times.append(time.perf_counter() - t0)
        out.append({"query": name, "rows": rows, "min_ms": round(min(times) * 1000, 1),
                    "median_ms": round(statistics.median(times) * 1000, 1)})
    for name, call in (("store.get_case", lambda: store.get_case("gen-00042")),
                       ("store.list_determinations", lambda: store.list_determinations("gen-00042"))):
        times = []
        for _ in range(max(repeat, 20)):
            t0 = time.perf_counter()
            call()
            times.append(time.perf_counter() - t0)
        out.append({"query": name, "rows": 1, "min_ms": round(min(times) * 1000, 2),
                    "median_ms": round(statistics.median(times) * 1000, 2)})
    store.close()
    return out


# ---------------------------------------------------------------- where a POST /cases spends its time


def post_phases(n: int) -> list[dict]:
    """The CPU time of each step of ``POST /cases`` in one process, per case: what a decision worker
    does (read, decide, determination graph, N-Triples, response) and what the store-owning process
    does (parse the N-Quads and write them in one transaction), and the two reads of ``GET /cases/{id}``."""
    from api.submission import render_decision
    from reasoner.engine import Engine
    from reasoner.loading.form_graph import read_case
    from reasoner.store import EmbeddedStore, determination_iri

    engine = Engine.load()
    store = EmbeddedStore(None)
    store.load_knowledge(engine.knowledge_graph)
    steps = ["read_case", "decide", "to_ntriples (what the workers write)", "JSON response",
             "store write (parse + transaction)",
             "GET: case_size", "GET: list_determinations"]
    times: dict[str, list[float]] = {step: [] for step in steps}
    sizes: list[int] = []

    def timed(step: str, call):
        t0 = time.process_time()
        out = call()
        times[step].append(time.process_time() - t0)
        return out

    ids = []
    for i, form in enumerate(generate(n, seed=7)):
        body = json.dumps(dict(form, id=f"phase-{i:05d}")).encode()
        try:
            case = timed("read_case", lambda: read_case(body, content_type="application/json"))
            det = timed("decide", lambda: engine.decide(case))
        except Exception:  # noqa: BLE001 - a generated case the engine refuses is skipped
            continue
        iri = determination_iri(case.case_id, 1)
        nt = timed("to_ntriples (what the workers write)", lambda: to_ntriples(det, iri))
        timed("JSON response", lambda: render_decision(det, iri, "application/json"))
        case_nt = case.graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
        timed("store write (parse + transaction)", lambda: store.add_case(case.case_id, case_nt, lambda _: nt))
        sizes.append(len(nt.splitlines()) + len(case.triples))
        ids.append(case.case_id)
    for case_id in ids:
        timed("GET: case_size", lambda: store.case_size(case_id))
        timed("GET: list_determinations", lambda: store.list_determinations(case_id))
    store.close()
    rows = [{"step": step, "cases": len(values), "cpu_ms_median": round(statistics.median(values) * 1000, 2),
             "cpu_ms_p99": round(_pct(values, 99) * 1000, 2)} for step, values in times.items() if values]
    rows.append({"step": "quads written per case", "cases": len(sizes),
                 "cpu_ms_median": statistics.median(sizes) if sizes else None, "cpu_ms_p99": None})
    return rows


# ---------------------------------------------------------------- 3. the API under load


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Config:
    """One way to run the server: a source tree (this one, or a git revision's) and its environment."""

    name: str
    tree: Path
    env: dict[str, str]


def parse_configs(specs: list[str], scratch: Path) -> list[Config]:
    """``threads`` (decide in the server's threads), ``pool`` or ``pool:N`` (N decision workers; default
    one per core) and ``rev:REV`` (the server of git revision REV, with its own defaults). A suffix
    ``+path=DIR`` puts DIR on the server's path (packages installed with ``pip install --target DIR``,
    such as uvloop and httptools, which uvicorn then picks)."""
    configs = []
    for spec in specs:
        spec, _, extra = spec.partition("+path=")
        kind, _, arg = spec.partition(":")
        if kind == "threads":
            configs.append(Config(spec, REPO, {"NECESSITY_DECIDE_WORKERS": "0"}))
        elif kind == "pool":
            configs.append(Config(spec, REPO, {"NECESSITY_DECIDE_WORKERS": arg} if arg else {}))
        elif kind == "rev" and arg:
            tree = scratch / f"rev-{arg.replace('/', '_')}"
            tree.mkdir(parents=True)
            archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", arg], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
            configs.append(Config(spec, tree, {}))
        else:
            raise SystemExit(f"unknown configuration {spec!r}: threads, pool, pool:N or rev:REV")
        if extra:
            last = configs[-1]
            configs[-1] = Config(f"{last.name}+path", last.tree, {**last.env, "EXTRA_PATH": extra})
    return configs


def start_server(store: Path, config: Config | None = None) -> tuple[subprocess.Popen, str]:
    config = config or Config("pool", REPO, {})
    port = _free_port()
    env = {**os.environ, "NECESSITY_API_KEYS": API_KEY, **config.env}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(config.tree), env.pop("EXTRA_PATH", "")) if p)
    process = subprocess.Popen([sys.executable, "-m", "reasoner.cli", "serve", "--host", "127.0.0.1",
                                "--port", str(port), "--store", str(store)], cwd=config.tree, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def _cpu_seconds(root: int) -> tuple[float, float]:
    """CPU seconds (user + system) of a process, and of its children (decision and query workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    own = children = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        seconds = (int(fields[11]) + int(fields[12])) / tick
        if pid == root:
            own += seconds
        elif ppid == root:
            children += seconds
    return own, children


def load(url: str, name: str, make_request, *, concurrency: int, requests: int, seconds: float,
         server_pid: int | None = None) -> dict:
    """Drive ``make_request(client, i)`` from ``concurrency`` threads; returns the figures."""
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds(server_pid) if server_pid else None
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client(base_url=url, headers={"X-API-Key": API_KEY}, timeout=60) as client:
            while time.monotonic() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                t0 = time.perf_counter()
                try:
                    status = make_request(client, i).status_code
                except httpx.HTTPError:
                    status = 0
                elapsed = time.perf_counter() - t0
                with lock:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    cpu = None
    if server_pid and cpu_before is not None:
        after = _cpu_seconds(server_pid)
        cpu = (after[0] - cpu_before[0], after[1] - cpu_before[1])
    return {"scenario": name, "load_avg_1m": round(load_before, 2), "requests": len(latencies), "concurrency": concurrency,
            "server_cpu_ms_per_request": round(cpu[0] / len(latencies) * 1000, 1) if cpu and latencies else None,
            "workers_cpu_ms_per_request": round(cpu[1] / len(latencies) * 1000, 1) if cpu and latencies else None,
            "seconds": round(wall, 2), "rps": round(len(latencies) / wall, 1) if wall else None,
            "median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
            "p99_ms": round(_pct(latencies, 99) * 1000, 1) if latencies else None,
            "statuses": {str(k): v for k, v in sorted(statuses.items())}}


SCENARIOS = ("health", "post", "get", "sparql")
STORED: list[str] = []


def api_load(store: Path, *, concurrency: int, requests: int, seconds: float, config: Config | None = None,
             scenarios: tuple[str, ...] = SCENARIOS, tag: str = "") -> list[dict]:
    process, url = start_server(store, config)
    run = datetime.now(timezone.utc).strftime("%H%M%S") + tag
    forms = generate(requests)
    stored = STORED or ["gen-00042"]  # the generated cases the fill stored (GET reads them in turn)
    sparql = ("PREFIX nec: <https://w3id.org/necessity/ontology#> SELECT ?o (COUNT(*) AS ?n) "
              "WHERE { ?d nec:decidesCase <https://w3id.org/necessity/case/gen-00042> ; nec:outcome ?o } GROUP BY ?o")
    plans = {
        "health": ("GET /health (no work)", lambda c, i: c.get("/health")),
        "post": ("POST /cases (decide + store)",
                 lambda c, i: c.post("/cases", content=json.dumps(dict(forms[i], id=f"load-{run}-{i:05d}")),
                                     headers={"Content-Type": "application/json"})),
        "get": ("GET /cases/{id}", lambda c, i: c.get(f"/cases/{stored[i % len(stored)]}")),
        "sparql": ("GET /sparql (one case's outcomes)", lambda c, i: c.get("/sparql", params={"query": sparql})),
    }
    try:
        results = []
        for key in scenarios:
            name, make = plans[key]
            row = load(url, name, make, concurrency=concurrency, requests=requests, seconds=seconds,
                       server_pid=process.pid)
            if config is not None:
                row = {"config": config.name, **row}
            results.append(row)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    return results


def compare(store: Path, configs: list[Config], *, rounds: int, concurrency: int, requests: int,
            seconds: float) -> tuple[list[dict], list[dict]]:
    """POST and GET under every configuration, interleaved over ``rounds``; the rows and the ratios
    of each configuration's medians to the first's."""
    rows = []
    for r in range(rounds):
        for config in configs:
            print(f"  round {r + 1}, {config.name} ...", flush=True)
            rows += api_load(store, concurrency=concurrency, requests=requests, seconds=seconds, config=config,
                             scenarios=("post", "get"), tag=f"-{r}-{configs.index(config)}")
    ratios = []
    base = configs[0].name
    for scenario in {row["scenario"]: None for row in rows}:
        def med(name: str, key: str, scenario: str = scenario) -> float:
            return statistics.median(row[key] for row in rows if row["config"] == name and row["scenario"] == scenario)
        for config in configs[1:]:
            ratios.append({"scenario": scenario, "config": f"{config.name} / {base}",
                           "rps": round(med(config.name, "rps") / med(base, "rps"), 2),
                           "median_ms": round(med(config.name, "median_ms") / med(base, "median_ms"), 2),
                           "p99_ms": round(med(config.name, "p99_ms") / med(base, "p99_ms"), 2)})
    return rows, ratios


# ---------------------------------------------------------------- report


def _table(rows: list[dict], columns: list[str]) -> str:
    cells = [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases in the store (default 10,000)")
    parser.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1), help="decision processes")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--requests", type=int, default=400, help="requests per scenario (at most)")
    parser.add_argument("--seconds", type=float, default=60, help="seconds per scenario (at most)")
    parser.add_argument("--store-dir", type=Path, help="keep the store here (reused if already filled)")
    parser.add_argument("--skip", action="append", default=[], choices=["queries", "api", "phases"],
                        help="skip the SPARQL timings, the one-configuration API table or the POST phases")
    parser.add_argument("--phase-cases", type=int, default=200, help="cases for the POST phases (in one process)")
    parser.add_argument("--compare", nargs="+", metavar="CONFIG",
                        help="also drive POST and GET under each configuration in one run and give ratios to the "
                             "first: threads, pool, pool:N, rev:REV (e.g. --compare rev:main threads pool)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of --compare, configurations interleaved")
    args = parser.parse_args(argv)

    tmp = None
    if args.store_dir:
        store_path = args.store_dir
    else:
        tmp = Path(tempfile.mkdtemp(prefix="necessity-bench-"))
        store_path = tmp / "store"
    try:
        print(f"filling the store with {args.cases} cases ({args.workers} decision processes)...", flush=True)
        fill = fill_store(store_path, args.cases, args.workers)
        print(_table([fill], list(fill)))
        queries, api, compared, ratios, phases = [], [], [], [], []
        if "phases" not in args.skip:
            print(f"\nwhere POST /cases spends its CPU time, {args.phase_cases} cases in one process "
                  f"(load average {os.getloadavg()[0]:.2f})...", flush=True)
            phases = post_phases(args.phase_cases)
            print(_table(phases, ["step", "cases", "cpu_ms_median", "cpu_ms_p99"]))
        if "queries" not in args.skip:
            print(f"\ntiming SPARQL over {fill['cases_in_store']} stored cases...", flush=True)
            queries = time_queries(store_path, args.repeat)
            print(_table(queries, ["query", "rows", "min_ms", "median_ms"]))
        columns = ["scenario", "load_avg_1m", "requests", "rps", "median_ms", "p99_ms", "server_cpu_ms_per_request",
                   "workers_cpu_ms_per_request", "statuses"]
        if "api" not in args.skip:
            print(f"\nAPI on loopback, {args.concurrency} client threads...", flush=True)
            api = api_load(store_path, concurrency=args.concurrency, requests=args.requests, seconds=args.seconds)
            print(_table(api, columns))
        if args.compare:
            scratch = Path(tempfile.mkdtemp(prefix="necessity-bench-trees-"))
            try:
                configs = parse_configs(args.compare, scratch)
                print(f"\ncomparing {', '.join(c.name for c in configs)} ({args.rounds} rounds, "
                      f"{args.concurrency} client threads)...", flush=True)
                compared, ratios = compare(store_path, configs, rounds=args.rounds, concurrency=args.concurrency,
                                           requests=args.requests, seconds=args.seconds)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            print(_table(compared, ["config", *columns]))
            print("\nratios of medians over the rounds (rps: higher is better; latency: lower is better)")
            print(_table(ratios, ["scenario", "config", "rps", "median_ms", "p99_ms"]))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    out = {"benchmark": "bench_api", "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "engine_version": __version__, "python": platform.python_version(), "machine": platform.machine(),
           "cpus": os.cpu_count(), "arguments": {k: str(v) for k, v in vars(args).items() if k != "store_dir"},
           "fill": fill, "queries": queries, "api": api, "compared": compared, "ratios": ratios,
           "post_phases": phases}
    results = REPO / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    target = results / f"bench_api-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.json"
    target.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
