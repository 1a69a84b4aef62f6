"""Session-scoped fixtures shared by the tests: the knowledge graph is built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from reasoner.knowledge.ontology import load_ontology
from reasoner.knowledge.paths import data_root


@pytest.fixture(scope="session")
def ontology_dir() -> Path:
    """The ontology directory (checkout or packaged)."""
    return Path(data_root("ontology"))


@pytest.fixture(scope="session")
def ontology_graph() -> Graph:
    """The merged ontology (root file plus every import, resolved through the catalog)."""
    return load_ontology()


@pytest.fixture(scope="session")
def knowledge_graph(ontology_graph: Graph) -> Graph:
    """The ontology plus every shapes file: what ``necessity query`` runs over."""
    from reasoner.queries import knowledge_graph as build

    return build()


# ---------------------------------------------------------------- store and API fixtures


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_http(url: str, *, seconds: float = 20.0) -> None:
    import time

    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered at {url}")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory):
    """A real SPARQL 1.1 server (``oxigraph serve`` from the PyPI ``oxigraph`` package) on loopback.

    Started once per session on a free port with its data in a temporary directory, and
    stopped at the end. Yields its base URL.
    """
    import shutil
    import subprocess
    import sys

    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(exe).exists():
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        [exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph",
         "--timeout-s", "10"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_http(url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def necessity_engine():
    """The compiled engine, built once per session and shared by the API tests."""
    from reasoner.engine import Engine

    return Engine.load()
