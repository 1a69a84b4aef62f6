"""A bounded soak of the API on loopback: 8 clients, mixed traffic with abuse among it.

Starts ``python -m api`` (what ``necessity serve`` runs) on a fresh embedded store, or in
front of a SPARQL server with ``--store URL``, and drives it with ``--clients`` threads for
``--seconds``. Each client picks, per request:

- ``POST /cases`` of a reference case under a new id (40 %);
- ``GET /cases/{id}`` of a case it stored (25 %);
- a small SPARQL query over knowledge and cases (25 %);
- a runaway query (a five-way cartesian product: stopped at the time limit, 503) (5 %);
- a 1 MB query (refused with 413 before it is read) (5 %).

It reports requests per second, p50 and p99 latency per kind and overall, the status codes,
errors (anything but the expected statuses, and transport errors), and the server's CPU
(process and its query workers) over the soak and in the two seconds after it ends, when
a server that stopped its runaway queries is idle. Nothing here asserts a speed. Run::

    python -m bench.bench_soak                         # 8 clients, 45 s, query limit 2 s
    python -m bench.bench_soak --seconds 20 --store http://127.0.0.1:7878

The table goes to standard output and the figures, as JSON, to ``bench/results/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
KEY = "soak-key-0000"  # a benchmark value, not a secret
FORM = json.loads((REPO / "cases" / "002-morphine-no-pump.json").read_text())
SMALL = ("PREFIX nec: <https://w3id.org/necessity/ontology#> "
         "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a nec:Case }")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
HUGE = ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_000_000).encode()
EXPECTED = {"post": {201}, "get": {200}, "sparql": {200}, "runaway": {503}, "huge": {413}}
MIX = [("post", 40), ("get", 25), ("sparql", 25), ("runaway", 5), ("huge", 5)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tree_cpu(root: int) -> float:
    parents, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
            cpu[int(entry.name)] = int(fields[11]) + int(fields[12])
    tree, frontier = {root}, {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - tree
        tree |= frontier
    return sum(cpu.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


def _client(url: str, seconds: float, seed: int, out: list[tuple[str, float, int | str]]) -> None:
    rng = random.Random(seed)
    kinds = [k for k, w in MIX for _ in range(w)]
    stored: list[str] = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, headers={"X-API-Key": KEY}, timeout=30) as c:
        n = 0
        while time.monotonic() < deadline:
            kind = rng.choice(kinds)
            if kind == "get" and not stored:
                kind = "post"
            started = time.perf_counter()
            try:
                if kind == "post":
                    case_id = f"soak-{seed}-{n}-{rng.randrange(10**9)}"
                    n += 1
                    r = c.post("/cases", content=json.dumps(dict(FORM, id=case_id)),
                               headers={"Content-Type": "application/json"})
                    if r.status_code == 201:
                        stored.append(case_id)
                elif kind == "get":
                    r = c.get(f"/cases/{rng.choice(stored)}")
                elif kind == "sparql":
                    r = c.get("/sparql", params={"query": SMALL})
                elif kind == "runaway":
                    r = c.post("/sparql", content=RUNAWAY, headers={"Content-Type": "application/sparql-query"})
                else:
                    r = c.post("/sparql", content=HUGE, headers={"Content-Type": "application/sparql-query"})
                status: int | str = r.status_code
                if status not in EXPECTED[kind] and r.headers.get("content-type", "").startswith(
                        "application/problem+json"):
                    status = f"{status} {r.json().get('type', '').rsplit('/', 1)[-1]}"
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            out.append((kind, time.perf_counter() - started, status))


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=45.0)
    parser.add_argument("--query-timeout", type=float, default=2.0)
    parser.add_argument("--store", help="a SPARQL server URL (default: a fresh embedded store)")
    parser.add_argument("--sparql-pid", type=int, help="the SPARQL server's process id, to report its CPU too")
    args = parser.parse_args(argv)

    store = args.store or tempfile.mkdtemp(prefix="necessity-soak-")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "NECESSITY_API_KEYS": KEY, "NECESSITY_QUERY_TIMEOUT": str(args.query_timeout),
           "PYTHONPATH": str(REPO)}
    results_dir = REPO / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    server_log = (results_dir / "soak-server.log").open("wb")  # the API's own log: no patient data
    server = subprocess.Popen([sys.executable, "-m", "api", "--port", str(port), "--store", store], cwd=REPO,
                              env=env, stdout=server_log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        results: list[tuple[str, float, int | str]] = []
        cpu_before = _tree_cpu(server.pid)
        started = time.monotonic()
        threads = [threading.Thread(target=_client, args=(url, args.seconds, i, results))
                   for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        cpu_during = _tree_cpu(server.pid) - cpu_before
        cpu_mark = _tree_cpu(server.pid)
        sparql_mark = _tree_cpu(args.sparql_pid) if args.sparql_pid else 0.0
        time.sleep(2.0)
        cpu_after = _tree_cpu(server.pid) - cpu_mark
        sparql_after = (_tree_cpu(args.sparql_pid) - sparql_mark) if args.sparql_pid else None
        health = []
        with httpx.Client(base_url=url, timeout=5) as probe:  # one connection: time the server, not TLS setup
            for _ in range(20):
                t0 = time.perf_counter()
                probe.get("/health")
                health.append(time.perf_counter() - t0)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    by_kind: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter] = defaultdict(Counter)
    errors = 0
    for kind, seconds, status in results:
        by_kind[kind].append(seconds)
        statuses[kind][status] += 1
        errors += status not in EXPECTED[kind]
    report = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": platform.platform(),
        "cpus": os.cpu_count(), "store": "remote" if args.store else "embedded", "clients": args.clients,
        "seconds": round(elapsed, 1), "query_timeout_s": args.query_timeout, "requests": len(results),
        "requests_per_s": round(len(results) / elapsed, 1),
        "p50_ms": round(_pct([s for _, s, _ in results], 0.5), 1),
        "p99_ms": round(_pct([s for _, s, _ in results], 0.99), 1), "errors": errors,
        "kinds": {k: {"n": len(v), "p50_ms": round(_pct(v, 0.5), 1), "p99_ms": round(_pct(v, 0.99), 1),
                      "statuses": {str(s): n for s, n in statuses[k].items()}} for k, v in sorted(by_kind.items())},
        "server_cpu_s_during": round(cpu_during, 2),
        "server_cpu_s_in_2s_after": round(cpu_after, 2),
        "health_after_p50_ms": round(_pct(health, 0.5), 1),
        "sparql_server_cpu_s_in_2s_after": None if sparql_after is None else round(sparql_after, 2),
    }
    print(f"soak: {report['clients']} clients, {report['seconds']} s, {report['store']} store, "
          f"query limit {args.query_timeout:g} s")
    print(f"  {report['requests']} requests, {report['requests_per_s']} req/s, p50 {report['p50_ms']} ms, "
          f"p99 {report['p99_ms']} ms, errors {errors}")
    for kind, row in report["kinds"].items():
        print(f"  {kind:8} n={row['n']:5}  p50 {row['p50_ms']:8.1f} ms  p99 {row['p99_ms']:8.1f} ms  {row['statuses']}")
    print(f"  server CPU: {report['server_cpu_s_during']} s during, {report['server_cpu_s_in_2s_after']} s in the "
          f"2 s after; /health after: p50 {report['health_after_p50_ms']} ms")
    if sparql_after is not None:
        print(f"  SPARQL server CPU in the 2 s after: {report['sparql_server_cpu_s_in_2s_after']} s")
    (results_dir / f"soak-{int(time.time())}.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
