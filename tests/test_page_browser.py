"""The reviewer's page in a real headless browser: Debian's chromium driven by chromedriver (selenium).

The API runs on a free loopback port; the browser asks for the case and the stored determination
as a browser does (its own Accept header, so ``text/html`` wins), with the API key set through the
DevTools protocol. The test reads the rendered text, checks the criteria tree's three states as
the browser laid them out, checks that no request left the machine, and saves a screenshot.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from reasoner.knowledge.paths import data_root

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
API_KEY = "browser-test-key-0123"  # a test value, not a secret
PHYSICIAN_KEY = "browser-physician-key-0007"  # a test value, not a secret
NURSE_KEY = "browser-nurse-key-0042"  # a test value, not a secret
CASES = Path(data_root("cases"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """The API on a free port, its store in a temporary directory; stopped after the module."""
    import uvicorn

    from api import Settings, create_app
    from reasoner.engine import Engine
    from reasoner.store import EmbeddedStore

    from conftest import _free_port, _wait_for_http

    engine = Engine.load(clock=lambda: datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc))
    store = EmbeddedStore(tmp_path_factory.mktemp("browser-store"))
    keys = f"{API_KEY},{PHYSICIAN_KEY}=physician-reviewer:md-0007,{NURSE_KEY}=nurse-reviewer:rn-0042"
    app = create_app(Settings(api_keys=keys), engine=engine, store=store)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_http(f"{url}/health")
        for stem in ("002-morphine-no-pump", "012-initial-implant-trial-40pct", "001-hydromorphone-refill"):
            body = (CASES / f"{stem}.json").read_bytes()
            r = httpx.post(f"{url}/cases", content=body, headers={"Content-Type": "application/json",
                                                                   "X-API-Key": API_KEY})
            assert r.status_code == 201, r.text
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


def _driver(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@pytest.fixture(scope="module")
def reviewer_browser(tmp_path_factory: pytest.TempPathFactory):
    """A browser with no key set: it authenticates as a reviewer would, with HTTP Basic (the key as the
    password), which it then sends with every request of the page, the sign-off form's included."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Debian chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    driver = _driver(tmp_path_factory.mktemp("chromium-reviewer"))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Debian chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,2000",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"X-API-Key": API_KEY}})
        yield driver
    finally:
        driver.quit()


def _states(driver) -> dict[str, list[str]]:
    """The criteria tree as the browser rendered it: state -> visible criterion texts."""
    from selenium.webdriver.common.by import By

    out: dict[str, list[str]] = {}
    for item in driver.find_elements(By.CSS_SELECTOR, "ul.tree > li.criterion"):
        assert item.is_displayed()
        badge = item.find_element(By.CSS_SELECTOR, ".state")
        out.setdefault(item.get_attribute("data-state"), []).append(item.text)
        assert badge.text in ("met", "not met", "not documented")
        assert badge.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")
    return out


def test_reviewer_page_renders_the_criteria_tree(server: str, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/cases/012-initial-implant-trial-40pct")
    assert browser.title == "Reviewer's file: case 012-initial-implant-trial-40pct"
    body = browser.find_element(By.TAG_NAME, "body").text
    for text in ("Decision for each requested code", "What decided it", "The engine recommends: deny",
                 "Request kind: initial implant", "Sign-off", "Decision date", "2026-01-05 12:00 UTC",
                 "does-not-meet", "40%", "62362, J2274: initial implant", "Citations to check"):
        assert text in body, text
    states = _states(browser)
    assert {"met", "not-met"} <= set(states)
    assert any("successful trial with at least 50% relief" in t for t in states["not-met"])
    # every criterion line cites its source, or refers to the entry that decided the line, which does
    assert all("Source:" in t or "See what decided it, above." in t for ts in states.values() for t in ts)
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "ul.tree a")]
    assert links and all(link.startswith("http") for link in links)

    shot = tmp_path / "reviewer-page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    notes = os.environ.get("NECESSITY_SCREENSHOT_COPY")
    if notes:
        shutil.copyfile(shot, notes)

    # nothing but the page itself was fetched: no external assets
    entries = json.loads(browser.execute_script(
        "return JSON.stringify(performance.getEntriesByType('resource').map(e => e.name))"))
    assert entries == []


def test_three_states_and_evidence_on_a_pended_case(server: str, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/cases/002-morphine-no-pump/determinations/1")
    states = _states(browser)
    assert {"met", "not-documented"} <= set(states)
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Path A: the criteria for starting pump therapy" in body and "LOINC attachment 11504-8" in body
    assert "Member ID" in body and "MBR-0002-DEMO" in body and "expedited" in body

    browser.get(f"{server}/cases/001-hydromorphone-refill")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "case documentation, page 8" in body and "1.4561 mg/day" in body
    assert "daily dose within the label maximum" not in body


def test_page_prints(server: str, browser) -> None:
    browser.get(f"{server}/cases/002-morphine-no-pump")
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})
    assert len(pdf["data"]) > 10_000  # base64 of a real PDF: the page lays out for print


def test_the_letter_too_is_served_for_a_stored_determination(server: str) -> None:
    r = httpx.get(f"{server}/cases/002-morphine-no-pump/determinations/1",
                  headers={"Accept": "text/markdown", "X-API-Key": API_KEY})
    assert r.status_code == 200 and r.text.startswith("# Notice of prior authorization decision")
    assert "| HCPCS J2274 | 002-morphine-no-pump-1 |" not in r.text  # nothing approved, no authorization
    full = httpx.get(f"{server}/cases/002-morphine-no-pump/determinations/1", headers={"X-API-Key": API_KEY}).json()
    assert full["determination"]["lines"][0]["request_kind"]["label"] == "initial implant"
    assert full["outcomes"] == {"J2274": "insufficient-documentation", "S9328": "insufficient-documentation"}


def _login(driver, server: str, user: str, key: str, path: str) -> None:
    """Open ``path`` with HTTP Basic credentials (what the browser's login prompt would send)."""
    driver.get(server.replace("http://", f"http://{user}:{key}@") + path)


def test_a_reviewer_signs_off_on_the_page_and_sees_the_recorded_decision(server: str, reviewer_browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = reviewer_browser
    case = "012-initial-implant-trial-40pct"
    _login(driver, server, "rn-0042", NURSE_KEY, f"/cases/{case}")
    forms = driver.find_elements(By.CSS_SELECTOR, "form.signoff")
    assert [f.get_attribute("data-code") for f in forms] == ["62362", "J2274"]
    offered = [o.get_attribute("value") for o in Select(forms[0].find_element(By.NAME, "decision")).options]
    assert offered == ["approve", "pend"]  # a nurse cannot deny

    _login(driver, server, "md-0007", PHYSICIAN_KEY, f"/cases/{case}")
    form = driver.find_element(By.CSS_SELECTOR, 'form.signoff[data-code="62362"]')
    decision = Select(form.find_element(By.NAME, "decision"))
    assert [o.get_attribute("value") for o in decision.options] == ["approve", "pend", "deny"]
    decision.select_by_value("deny")
    reasons = Select(form.find_element(By.NAME, "reason_criterion"))
    reasons.select_by_visible_text("successful trial with at least 50% relief (not met)")
    form.find_element(By.NAME, "note").send_keys("Peer-to-peer offered on 2026-01-06.")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    # back on the page (303), which now shows the recorded decision, the reviewer and the time
    assert driver.current_url.split("#")[0].endswith(f"/cases/{case}")
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "deny by md-0007" in body and "Decisions recorded" in body
    assert "physician reviewer md-0007" in body and "Peer-to-peer offered on 2026-01-06." in body
    assert "successful trial with at least 50% relief" in body
    form = driver.find_element(By.CSS_SELECTOR, 'form.signoff[data-code="62362"]')
    assert "current decision deny by md-0007" in form.text
    hidden = form.find_element(By.NAME, "determination").get_attribute("value")
    assert hidden == "2"  # the next sign-off reviews the new latest determination

    stored = httpx.get(f"{server}/cases/{case}", headers={"X-API-Key": API_KEY}).json()["determinations"]
    review = stored[-1]["review"]
    assert (review["reviewer"], review["lines"][0]["decision"], review["lines"][0]["engine_recommendation"]) == \
        ("md-0007", "deny", "deny")
    entries = json.loads(driver.execute_script(
        "return JSON.stringify(performance.getEntriesByType('resource').map(e => e.name))"))
    assert entries == []  # no external assets
