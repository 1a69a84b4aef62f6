"""The API description and its pages: offline, public as the README says, and true to the responses."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api import Settings, create_app
from reasoner.store import EmbeddedStore

API_KEY = "docs-test-key-31415"  # a test value, not a secret


@pytest.fixture(scope="module")
def client(necessity_engine, tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("docs-store"))
    with TestClient(create_app(Settings(api_keys=(API_KEY,)), engine=necessity_engine, store=store)) as c:
        yield c
    store.close()


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_pages_load_everything_from_the_server(client: TestClient, page: str) -> None:
    html = client.get(page)
    assert html.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', html.text) + re.findall(r"url: '([^']+)'", html.text)
    assert urls and not [u for u in urls if u.startswith(("http:", "https:", "//"))], urls
    for url in re.findall(r'(?:src|href)="(/docs/static/[^"]+)"', html.text):
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 1000, url


def test_description_is_public_and_declares_problems(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "Problem" in schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method, op in item.items():
            for code, response in op["responses"].items():
                if code.isdigit() and int(code) >= 400:
                    expected = ["application/problem+json"]
                    if path.startswith("/Claim/"):  # every error a FHIR OperationOutcome, 401 and 413 included
                        expected = ["application/fhir+json"]
                    assert list(response["content"]) == expected, (path, method, code)
            if "{" in path:
                assert "404" in op["responses"], (path, method)


def test_docs_off_removes_them(necessity_engine, tmp_path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    app = create_app(Settings(api_keys=(API_KEY,), docs="off"), engine=necessity_engine, store=store)
    with TestClient(app) as c:
        assert c.get("/docs").status_code == 404
        assert c.get("/openapi.json").status_code == 404
    store.close()


def test_options_and_other_methods_name_every_allowed_method(client: TestClient) -> None:
    options = client.options("/sparql")
    assert options.status_code == 204 and {"GET", "POST"} <= set(options.headers["allow"].split(", "))
    put = client.put("/sparql", headers={"X-API-Key": API_KEY})
    assert put.status_code == 405 and put.headers["content-type"].startswith("application/problem+json")
    assert "POST" in put.headers["allow"]
