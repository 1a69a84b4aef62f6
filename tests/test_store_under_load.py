"""The store and the SPARQL endpoint under abuse, races and crashes, over real sockets (issue 10).

Each test starts what a user runs: ``python -m api`` (what ``necessity serve`` execs) in a
subprocess on a free loopback port, and, for the remote store, a real ``oxigraph serve``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from reasoner.knowledge.paths import data_root

pytestmark = pytest.mark.slow

API_KEY = "load-test-key-5551234"  # a test value, not a secret
REPO = Path(__file__).resolve().parents[1]
FORM = json.loads((Path(data_root("cases")) / "002-morphine-no-pump.json").read_text())
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Api:
    """``python -m api`` in a subprocess."""

    def __init__(self, store: str, log: Path, **env: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environ = {**os.environ, "NECESSITY_API_KEYS": API_KEY, "PYTHONPATH": str(REPO), **env}
        environ.pop("NECESSITY_STORE", None)
        with log.open("ab") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "api", "--port", str(self.port), "--store", store],
                                            cwd=REPO, env=environ, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def client(self, timeout: float = 60) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-API-Key": API_KEY}, timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _process_tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def _cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by ``root`` and every live descendant."""
    total = 0
    for pid in _process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def test_a_runaway_query_stops_using_cpu_within_two_seconds_of_its_503(tmp_path: Path) -> None:
    api = Api(str(tmp_path / "store"), tmp_path / "api.log", NECESSITY_QUERY_TIMEOUT="2",
              NECESSITY_QUERY_WORKERS="2")
    try:
        with api.client() as c:
            answers = []

            def runaway() -> None:
                answers.append(c.post("/sparql", content=RUNAWAY,
                                      headers={"Content-Type": "application/sparql-query"}))

            runners = [threading.Thread(target=runaway) for _ in range(2)]  # fill every slot
            for t in runners:
                t.start()
            for t in runners:
                t.join()
            refused_at = time.monotonic()
            assert [a.status_code for a in answers] == [503, 503]
            assert answers[0].headers["content-type"].startswith("application/problem+json")
            time.sleep(max(0.0, refused_at + 2.0 - time.monotonic()))
            before = _cpu_seconds(api.process.pid)
            time.sleep(1.0)
            used = _cpu_seconds(api.process.pid) - before
            assert used < 0.3, f"the server tree used {used:.2f} s of CPU in the second after the 503s"
            # the slots were replaced: a small query answers at once
            ask = c.post("/sparql", content="ASK {}", headers={"Content-Type": "application/sparql-query"})
            assert ask.status_code == 200 and ask.json()["boolean"] is True
    finally:
        api.stop()


def test_a_one_megabyte_query_is_refused_while_health_answers(tmp_path: Path) -> None:
    api = Api(str(tmp_path / "store"), tmp_path / "api.log")
    try:
        strings = ", ".join(f'"value-{i:07d}"' for i in range(60_000))
        big = f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o IN ({strings})) }}".encode()
        big = big + b" " * max(0, 1_000_000 - len(big))
        assert len(big) >= 1_000_000
        health_times: list[float] = []
        done, probing = threading.Event(), threading.Event()

        def probe() -> None:
            with httpx.Client(base_url=api.url, timeout=10) as h:
                while not done.is_set():
                    started = time.perf_counter()
                    assert h.get("/health").status_code == 200
                    health_times.append(time.perf_counter() - started)
                    probing.set()
                    time.sleep(0.01)

        prober = threading.Thread(target=probe)
        prober.start()
        try:
            assert probing.wait(30), "the /health prober never got an answer"
            first = len(health_times)
            with api.client(timeout=30) as c:
                # the large queries are sent again until a few probes ran while they were refused
                # (on a loaded machine both refusals can come back before the prober's next probe)
                for _ in range(20):
                    for content_type in ("application/sparql-query", "application/x-www-form-urlencoded"):
                        body = big if content_type.endswith("query") else b"query=" + big
                        r = c.post("/sparql", content=body, headers={"Content-Type": content_type})
                        assert r.status_code == 413, r.text[:300]
                        assert r.headers["content-type"].startswith("application/problem+json")
                    if len(health_times) - first >= 5:
                        break
        finally:
            done.set()
            prober.join()
        # /health is never held behind the large query: under 100 ms typically, and never the
        # seconds a blocked event loop would take (the machine is shared, so one probe may be slow).
        health_times.sort()
        assert health_times and health_times[len(health_times) // 2] < 0.1, health_times[-5:]
        assert health_times[-1] < 1.0, health_times[-5:]
        # a 90 KB query (10,000 strings) is under the limit and is answered. (As a FILTER IN,
        # Oxigraph compares each solution with each string, about 1 ms per triple here, so that
        # form meets the time limit over the knowledge graph; VALUES joins instead.)
        strings = " ".join(f'"v{i:05d}"' for i in range(10_000))
        with api.client() as c:
            r = c.post("/sparql", content=f"SELECT * WHERE {{ VALUES ?o {{ {strings} }} ?s ?p ?o }}",
                       headers={"Content-Type": "application/sparql-query"})
            assert r.status_code == 200, r.text[:300]
    finally:
        api.stop()


def test_deep_queries_are_not_refused(tmp_path: Path) -> None:
    api = Api(str(tmp_path / "store"), tmp_path / "api.log")
    try:
        patterns = " . ".join(f"?s{i} <urn:p:{i}> ?o{i}" for i in range(90))
        nested = "SELECT * WHERE " + "{ " * 30 + "?s ?p ?o" + " }" * 30
        with api.client() as c:
            for query in (f"SELECT * WHERE {{ {patterns} }}", nested):
                r = c.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
                assert r.status_code == 200, r.text[:300]
    finally:
        api.stop()


def test_two_hundred_races_on_one_id_against_oxigraph_serve(oxigraph_server: str, tmp_path: Path) -> None:
    """Two API processes in front of one ``oxigraph serve``: each race ends with one case and one 201."""
    httpx.post(f"{oxigraph_server}/update", content=b"CLEAR ALL",
               headers={"Content-Type": "application/sparql-update"}).raise_for_status()
    apis = [Api(oxigraph_server, tmp_path / f"api{i}.log") for i in range(2)]
    clients = [a.client() for a in apis]
    try:
        failures = []
        for race in range(200):
            case_id = f"race-{race}"
            barrier = threading.Barrier(2)

            def submit(i: int) -> int:
                body = dict(FORM, id=case_id, evidence=[{"field": "requested", "document": f"writer {i}"}])
                barrier.wait()
                return clients[i].post("/cases", content=json.dumps(body),
                                       headers={"Content-Type": "application/json"}).status_code

            with ThreadPoolExecutor(2) as pool:
                statuses = sorted(pool.map(submit, range(2)))
            case = clients[0].get(f"/cases/{case_id}", headers={"Accept": "application/n-triples"}).text
            writers = {w for w in ("writer 0", "writer 1") if w in case}
            dets = clients[0].get(f"/cases/{case_id}/determinations").json()
            stamps = clients[0].get(f"/cases/{case_id}/determinations/1",
                                    headers={"Accept": "application/n-triples"}).text.count("generatedAtTime")
            if statuses != [201, 409] or len(writers) != 1 or len(dets) != 1 or stamps != 1:
                failures.append((race, statuses, writers, len(dets), stamps))
        assert not failures, failures[:5]
    finally:
        for c in clients:
            c.close()
        for a in apis:
            a.stop()


def test_the_store_check_passes_after_a_kill_during_load(tmp_path: Path) -> None:
    store = tmp_path / "store"
    api = Api(str(store), tmp_path / "api.log")
    acknowledged: list[str] = []
    stop = threading.Event()

    def client(worker: int) -> None:
        with api.client(timeout=10) as c:
            n = 0
            while not stop.is_set():
                case_id = f"kill-{worker}-{n}"
                n += 1
                try:
                    r = c.post("/cases", content=json.dumps(dict(FORM, id=case_id)),
                               headers={"Content-Type": "application/json"})
                    c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
                except httpx.HTTPError:
                    return
                if r.status_code == 201:
                    acknowledged.append(case_id)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 10 and time.monotonic() < deadline:
        time.sleep(0.1)
    api.process.send_signal(signal.SIGKILL)
    api.process.wait()
    stop.set()
    for t in threads:
        t.join()
    for pid in _process_tree(api.process.pid)[1:]:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)  # orphaned query workers notice their closed pipe and exit
    assert acknowledged, "no case was acknowledged before the kill"
    done = subprocess.run([sys.executable, "-m", "reasoner.cli", "store", "check", "--store", str(store)],
                          capture_output=True, text=True, cwd=REPO, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "consistent" in done.stdout
    from reasoner.store import open_store

    s = open_store(store)
    try:
        missing = [case_id for case_id in acknowledged if not s.has_case(case_id)]
    finally:
        s.close()
    assert not missing
