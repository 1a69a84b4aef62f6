"""The API over a real loopback socket: ``necessity serve`` (uvicorn) in a subprocess.

Submits reference cases, stops the server, starts it again on the same store and
fetches them back (persistence), for the embedded store and for a real SPARQL server.
The server's own log is checked for patient data and case ids.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from reasoner.knowledge.paths import data_root

pytestmark = pytest.mark.slow

API_KEY = "http-test-key-9876543210"  # a test value, not a secret
REPO = Path(__file__).resolve().parents[1]
CASES = Path(data_root("cases"))
SEEDS = ["000-ziconotide-refill", "001-hydromorphone-refill", "002-morphine-no-pump",
         "003-morphine-bupivacaine", "004-morphine-established-pump"]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``necessity serve`` in a subprocess on a free loopback port."""

    def __init__(self, store: str, log: Path) -> None:
        self.store, self.log = store, log
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> Server:
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "NECESSITY_API_KEYS": API_KEY, "PYTHONPATH": str(REPO)}
        env.pop("NECESSITY_STORE", None)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "reasoner.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--store", self.store], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        import time

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-API-Key": API_KEY}, timeout=30)


@pytest.fixture(params=["embedded", "remote"])
def store_location(request, tmp_path: Path) -> str:
    if request.param == "embedded":
        return str(tmp_path / "store")
    server = request.getfixturevalue("oxigraph_server")
    httpx.post(f"{server}/update", content=b"CLEAR ALL",
               headers={"Content-Type": "application/sparql-update"}).raise_for_status()
    return server


def test_submit_restart_fetch(store_location: str, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = Server(store_location, log).start()
    try:
        with server.client() as c:
            assert c.get("/version").json()["store"] == ("remote" if store_location.startswith("http") else "embedded")
            assert c.get("/version", headers={"X-API-Key": "nope"}).status_code == 401
            submitted = {}
            for stem in SEEDS:
                form = json.loads((CASES / f"{stem}.json").read_text())
                r = c.post("/cases", content=json.dumps(form), headers={"Content-Type": "application/json"})
                assert r.status_code == 201, r.text
                submitted[stem] = r.json()["outcomes"]
            assert c.post("/cases/002-morphine-no-pump/decide?policy=cms-ncd-280.14").status_code == 201
            bad = c.post("/cases", content=b'{"id": "http-bad", "pumpp": {}}', headers={"Content-Type": "application/json"})
            assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    finally:
        server.stop()

    server = Server(store_location, log).start()  # same store, new process
    try:
        with server.client() as c:
            for stem in SEEDS:
                body = c.get(f"/cases/{stem}").json()
                assert body["determinations"][0]["outcomes"] == submitted[stem]
            assert [d["number"] for d in c.get("/cases/002-morphine-no-pump/determinations").json()] == [1, 2]
            assert c.get("/cases/http-bad").status_code == 404
            r = c.get("/sparql", params={"query": "PREFIX nec: <https://w3id.org/necessity/ontology#> "
                                                  "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?c a nec:Case }"})
            assert r.json()["results"]["bindings"][0]["n"]["value"] == str(len(SEEDS))
            # a duplicate after the restart is still refused
            form = (CASES / "000-ziconotide-refill.json").read_bytes()
            assert c.post("/cases", content=form, headers={"Content-Type": "application/json"}).status_code == 409
    finally:
        server.stop()

    text = log.read_text()
    assert "Traceback" not in text
    for stem in SEEDS:  # neither case ids nor values from the cases reach the log
        assert stem not in text
    assert "SynchroMed" not in text and "ziconotide" not in text


def test_concurrent_submissions_over_the_socket(tmp_path: Path) -> None:
    server = Server(str(tmp_path / "store"), tmp_path / "server.log").start()
    try:
        form = json.loads((CASES / "002-morphine-no-pump.json").read_text())

        def submit(i: int) -> int:
            with server.client() as c:
                body = dict(form, id=f"conc-{i % 12}")  # every id twice: one 201 and one 409 each
                return c.post("/cases", content=json.dumps(body), headers={"Content-Type": "application/json"}).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(submit, range(24)))
        assert sorted(statuses) == [201] * 12 + [409] * 12
        with server.client() as c:
            for i in range(12):
                assert len(c.get(f"/cases/conc-{i}/determinations").json()) == 1
    finally:
        server.stop()
