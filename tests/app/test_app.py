"""The running app: its API through gradio_client, and the page in headless Chromium."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.helpers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def app_server(real_settings, tmp_path_factory):
    port = free_port()
    feedback = tmp_path_factory.mktemp("feedback") / "feedback.db"
    env = {**os.environ, "FA_INDEX_DIR": str(real_settings.index_dir), "FA_PORT": str(port), "FA_FEEDBACK_DB": str(feedback)}
    log_path = tmp_path_factory.mktemp("applog") / "app.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    wait_for_port(proc, port, 90, log_path.read_text)
    yield {"url": url, "feedback": feedback, "log": log_path}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_api_ask_with_gradio_client(app_server):
    from gradio_client import Client

    client = Client(app_server["url"], verbose=False)
    result = client.predict("Kva nivå i BTI gjeld når to tenester samarbeider med barnet og heimen?", "Alle", [], api_name="/ask")
    assert not result["abstained"] and "Nivå 2" in result["text"]
    assert result["citations"][0]["doc_id"] == "sogndal-bti-struktur-for-samarbeid"
    follow = client.predict("Hvilken alder gjelder det for?", "Alle", ["Hva er helsestasjon for ungdom i Sør-Aurdal?"], api_name="/ask")
    assert "12" in follow["text"] and follow["citations"][0]["municipality"] == "Sør-Aurdal"
    refused = client.predict("Hvem er ordfører i Sandnes?", "Alle", [], api_name="/ask")
    assert refused["abstained"] and refused["citations"] == []


def test_app_does_not_log_questions(app_server):
    from gradio_client import Client

    secret = "Eleven Kari Nordmann 15058910063 nivå"
    Client(app_server["url"], verbose=False).predict(secret, "Alle", [], api_name="/ask")
    time.sleep(0.5)
    assert "15058910063" not in app_server["log"].read_text()
    assert "Kari Nordmann" not in app_server["log"].read_text()


@pytest.mark.browser
def test_browser_question_sources_and_feedback(app_server):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (scripts/dev.sh test installs it)")
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(app_server["url"])
        page.locator("#question textarea").fill("Korleis kan eg kontakte helsesjukepleiar i Sogndal?")
        page.locator("#send").click()
        page.locator("#sources details").first.wait_for(timeout=30000)
        sources = page.locator("#sources").inner_text()
        assert "Saman samtidig" in sources and "Sogndal" in sources
        assert page.locator("#sources mark").first.inner_text().strip()
        assert "jobbmobil" in page.locator("#chatbot").inner_text()
        page.locator("#feedback-comment textarea").fill("Nyttig svar")
        page.locator("#thumbs-up").click()
        page.get_by_text("Takk for tilbakemeldinga").wait_for(timeout=10000)
        screenshot = ROOT / "docs" / "screenshot.png"
        screenshot.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
        page.locator("#new-chat").click()
        page.wait_for_timeout(500)
        assert "jobbmobil" not in page.locator("#chatbot").inner_text()
        browser.close()
    rows = sqlite3.connect(app_server["feedback"]).execute("SELECT rating, comment, question FROM feedback").fetchall()
    assert rows == [("up", "Nyttig svar", "Korleis kan eg kontakte helsesjukepleiar i Sogndal?")]
