"""The running app: its API through gradio_client, its handlers through the queue API, logins,
and the page in real (Debian) Chromium at desk and phone size, checked by axe-core."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.app.appserver import ROOT, QueueClient, running_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
AXE_TAGS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}


@pytest.fixture(scope="session")
def app_server(real_settings, tmp_path_factory):
    """The app as shipped, except the per-client question limit: every test here asks from 127.0.0.1,
    and the browser walk alone asks ~20 questions, near the 30 a minute a real client may ask (a
    limited request shows a status line, not an answer, so the walk waited in vain). The limits have
    their own tests (``limited_server``)."""
    with running_app(tmp_path_factory.mktemp("app"), FA_INDEX_DIR=str(real_settings.index_dir), FA_ASK_PER_MINUTE="0") as server:
        yield server


@pytest.fixture()
def limited_server(real_settings, tmp_path, request):
    """The app with small per-client limits: FA_ASK_PER_MINUTE and FA_FEEDBACK_PER_MINUTE from the test's marker."""
    ask, feedback = request.node.get_closest_marker("limits").args
    env = {"FA_INDEX_DIR": str(real_settings.index_dir), "FA_ASK_PER_MINUTE": str(ask), "FA_FEEDBACK_PER_MINUTE": str(feedback)}
    with running_app(tmp_path, **env) as server:
        yield server


def test_api_ask_with_gradio_client(app_server):
    from gradio_client import Client

    client = Client(app_server["url"], verbose=False)
    result = client.predict("Kva nivå i BTI gjeld når to tenester samarbeider med barnet og heimen?", "Alle", [], api_name="/ask")
    assert not result["abstained"] and "Nivå 2" in result["text"]
    assert result["citations"][0]["doc_id"] == "sogndal-bti-struktur-for-samarbeid"
    follow = client.predict("Hvilken alder gjelder det for?", "Alle", ["Hva er helsestasjon for ungdom i Sør-Aurdal?"], api_name="/ask")
    assert "12" in follow["text"] and follow["citations"][0]["municipality"] == "Sør-Aurdal"
    refused = client.predict("Hvem er ordfører i Sandnes?", "Alle", [], api_name="/ask")
    # refused, citing at most the help the plans name (after the refusal, never as an answer)
    assert refused["abstained"] and len(refused["citations"]) <= 1
    assert "[1]" not in refused["text"].split("\n\n")[0]


def test_app_does_not_log_questions(app_server):
    from gradio_client import Client

    secret = "Eleven Kari Nordmann 15058910063 nivå tlf 41 234 567"
    Client(app_server["url"], verbose=False).predict(secret, "Alle", [], api_name="/ask")
    QueueClient(app_server["url"]).call("question", "submit", [secret, None, "Alle", "nn"], QueueClient.new_session())
    time.sleep(0.5)
    log = app_server["log"].read_text()
    assert "15058910063" not in log and "Kari Nordmann" not in log and "41 234 567" not in log


@pytest.mark.limits(6, 100)
def test_ask_is_rate_limited_per_client(limited_server):
    """Issue 13 item 8: asking had no limit; /ask and the page's own handler share one budget."""
    from gradio_client import Client

    client = Client(limited_server["url"], verbose=False)
    results = [client.predict("Kva er DUÅ?", "Alle", [], api_name="/ask") for _ in range(5)]
    queue = QueueClient(limited_server["url"])
    page = [queue.call("question", "submit", ["Kva er DUÅ?", None, "Alle", "en"], queue.new_session()) for _ in range(3)]
    assert all(not r.get("error") for r in results)
    assert [("wait a minute" in str(p["output"]["data"][3])) for p in page] == [False, True, True]
    assert client.predict("Kva er DUÅ?", "Alle", [], api_name="/ask")["error"] == "rate_limited"


@pytest.mark.limits(100, 4)
def test_feedback_cannot_be_flooded_through_the_queue_api(limited_server):
    """Issue 13 item 8: 200 rows at 7 rows/s through the queue API, HTML stored as-is."""
    queue = QueueClient(limited_server["url"])
    session = queue.new_session()
    queue.call("question", "submit", ["Kva er DUÅ?", None, "Alle", "nn"], session)
    for i in range(30):  # hammer the thumbs of one answer
        queue.call("chatbot", "like", [None, "nn"], session, {"index": 1, "value": "", "liked": i % 2 == 0})
    queue.call("feedback-comment", "submit", [None, "<img src=x onerror=alert(1)><b>Bra</b> 41 234 567 " + "x" * 5000, "nn"], session)
    rows = sqlite3.connect(limited_server["feedback"]).execute("SELECT rating, comment, answer_id, build_id, doc_ids FROM feedback").fetchall()
    assert len(rows) == 1, "one row per answer, however often its thumb is clicked"
    rating, comment, answer_id, build_id, doc_ids = rows[0]
    assert "<" not in comment and "41 234 567" not in comment and len(comment) <= 1000
    assert answer_id and build_id and json.loads(doc_ids)
    for _ in range(6):  # new sessions to get new answers to rate: the per-client limit holds
        other = queue.new_session()
        queue.call("question", "submit", ["Kva er DUÅ?", None, "Alle", "nn"], other)
        queue.call("chatbot", "like", [None, "nn"], other, {"index": 1, "value": "", "liked": True})
    count = sqlite3.connect(limited_server["feedback"]).execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
    assert count <= 4


def test_malformed_auth_stops_the_app_with_a_clear_message(tmp_path):
    """Issue 13 item 6: FA_AUTH=admin (no colon) ran with no auth and said nothing."""
    env = {"FA_AUTH": "admin", "FA_INDEX_DIR": str(tmp_path / "none"), "FA_PORT": "1"}
    import os

    done = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "FA_AUTH must be 'user:password'" in done.stderr and "colon" in done.stderr
    assert not (tmp_path / "none").exists(), "it stops before doing anything else"


@pytest.mark.slow
def test_repeated_failed_logins_slow_down(tmp_path):
    """Issue 13 item 6: 100 wrong passwords took 0.93 s."""
    import httpx

    env = {
        "FA_AUTH": "staff:right-passphrase", "FA_LOGIN_FREE_FAILURES": "2", "FA_LOGIN_MAX_DELAY_S": "1",
        "FA_EMBED_BACKEND": "hash", "FA_INDEX_DIR": str(tmp_path / "index"),
    }
    with running_app(tmp_path, **env) as server:
        login = server["url"] + "login"
        times: list[float] = []

        statuses: list[int] = []

        def attempt(i: int) -> None:
            t0 = time.perf_counter()
            statuses.append(httpx.post(login, data={"username": "staff", "password": f"guess{i}"}, timeout=60).status_code)
            times.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - t0
        assert statuses and all(code >= 400 for code in statuses), statuses
        assert elapsed >= 4.0, f"8 parallel wrong logins took only {elapsed:.2f} s"
        ok = httpx.post(login, data={"username": "staff", "password": "right-passphrase"}, timeout=60)
        assert ok.status_code == 200 and any(c.startswith("access-token") for c in ok.cookies)


# --- the page in Chromium ------------------------------------------------------------


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options=AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in result.response["violations"]]


def visible_focus(page) -> bool:
    """The focused element shows a focus indicator (outline or box shadow)."""
    return page.evaluate(
        "() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow && s.boxShadow !== 'none'); }"
    )


def small_targets(page) -> list[str]:
    """Tap targets under 44 × 44 px (inline [n] chips in running text excepted, as WCAG allows)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('button, summary, a.fa-open, #language label, [role=button]')]
          .filter(e => e.offsetParent !== null && !e.closest('.fa-chip'))
          .map(e => [e, e.getBoundingClientRect()]).filter(([e, r]) => r.width > 0 && (r.height < 43.5 || r.width < 43.5))
          .map(([e, r]) => `${e.tagName}.${e.className.toString().slice(0, 30)} "${(e.innerText || e.getAttribute('aria-label') || '').slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )


def ask_in_page(page, question: str, answer_selector: str = ".fa-sources") -> dict[str, float]:
    """Send a question by keyboard; returns seconds to the first and the last answer text."""
    box = page.locator("#question textarea")
    box.fill(question)
    before = page.locator("#chatbot .bot-row").count()
    t0 = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(
        "n => { const r = document.querySelectorAll('#chatbot .bot-row'); return r.length > n && r[r.length - 1].innerText.trim().length > 0; }",
        arg=before, timeout=30000,
    )
    first = time.perf_counter() - t0
    page.wait_for_function(
        "sel => { const r = document.querySelectorAll('#chatbot .bot-row'); return r.length && r[r.length - 1].querySelector(sel) !== null; }",
        arg=answer_selector, timeout=30000,
    )
    return {"first_text_s": round(first, 3), "last_text_s": round(time.perf_counter() - t0, 3)}


def texts_of(page) -> str:
    return page.locator("body").inner_text()


@pytest.mark.browser
def test_browser_desk_and_phone(app_server, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (scripts/dev.sh test installs it)")
    from playwright.sync_api import sync_playwright

    report: dict[str, object] = {"axe": {}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="nn-NO")
        page.goto(app_server["url"])
        page.wait_for_function("document.documentElement.lang === 'nn'", timeout=20000)
        page.wait_for_function("document.querySelector('#municipality input')?.value === 'Alle kommunar'", timeout=20000)
        body = texts_of(page)
        assert "Spørsmålet ditt" in body and "Ny samtale" in body and "Bruk via API" in body and "Loading" not in body
        report["axe"]["first view"] = axe_violations(page)

        # The privacy warning appears while typing, before anything is sent.
        page.locator("#question textarea").press_sequentially("Eleven har tlf 41 234 567", delay=15)
        page.locator("#pii-warning").get_by_text("telefonnummer").wait_for(timeout=5000)
        page.locator("#question textarea").fill("")

        # An answer: short answer first, its own collapsed sources, chips that open them.
        report["timings"] = [ask_in_page(page, "Korleis kan eg kontakte helsesjukepleiar i Sogndal?") for _ in range(1)]
        first = page.locator("#chatbot .bot-row").last
        assert "jobbmobil" in first.inner_text()
        lead = first.locator(".fa-lead")
        assert "Kort svar:" in lead.inner_text()
        assert lead.evaluate("e => getComputedStyle(e).backgroundColor") != first.locator(".fa-body").evaluate("e => getComputedStyle(e).backgroundColor")
        assert first.locator("details.fa-source").count() >= 1 and first.locator("details[open]").count() == 0
        assert "Saman samtidig" in first.locator(".fa-sources").inner_text()
        report["axe"]["after an answer"] = axe_violations(page)
        first.locator("a.fa-chip").first.click()
        opened = first.locator("details.fa-source[open]")
        assert opened.count() == 1 and page.evaluate("document.activeElement.tagName") == "SUMMARY"
        assert opened.locator("mark").first.inner_text().strip()

        # The plan viewer: the whole plan, the quote highlighted and scrolled into view.
        opened.locator("a.fa-open").click()
        viewer = page.locator("#plan-viewer .fa-viewer")
        viewer.wait_for(timeout=10000)
        page.wait_for_function("document.activeElement && document.activeElement.id === 'fa-viewer-title'")
        assert "Sogndal" in viewer.locator(".fa-viewer-crumbs").inner_text()
        assert len(viewer.locator(".fa-viewer-text").inner_text()) > 5000, "the whole plan, not a snippet"
        box = viewer.locator(".fa-viewer-text").bounding_box()
        mark = page.locator("#fa-focus").bounding_box()
        assert box["y"] <= mark["y"] <= box["y"] + box["height"], "the quote is scrolled into view"
        report["axe"]["plan viewer open"] = axe_violations(page)
        page.evaluate("window.scrollTo(0, document.querySelector('#chatbot').getBoundingClientRect().top + window.scrollY - 8)")
        page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))
        page.keyboard.press("Escape")
        assert viewer.count() == 0 and page.evaluate("document.activeElement.className") == "fa-open"

        # A second answer; the first keeps its sources and its chips still work.
        ask_in_page(page, "Kva er DUÅ, og kven er det for?")
        earlier = page.locator("#chatbot .bot-row").first
        earlier.locator("a.fa-chip").first.click()
        assert earlier.locator("details.fa-source[open]").count() >= 1

        # Feedback under the first answer: 👍, a comment, cleared after sending.
        earlier.locator("xpath=following-sibling::*[1]").locator("button[aria-label='Nyttig svar']").click()
        page.get_by_text("Takk for tilbakemeldinga på svar 1").wait_for(timeout=10000)
        comment = page.locator("#feedback-comment textarea")
        assert "svar 1" in page.locator("#feedback-comment").inner_text()
        comment.fill("Nyttig svar")
        page.locator("#send-comment").click()
        page.get_by_text("Takk for kommentaren").wait_for(timeout=10000)
        assert not page.locator("#comment-panel").is_visible()

        # A refusal.
        ask_in_page(page, "Kven er ordførar i Sandnes?", ".fa-refusal")
        report["axe"]["after a refusal"] = axe_violations(page)

        # One language at a time: English, then Bokmål, everything switches.
        page.locator("#language label", has_text="English").click()
        page.wait_for_function("document.documentElement.lang === 'en'")
        page.get_by_text("Short answer:").first.wait_for(timeout=10000)
        body = texts_of(page)
        assert "Your question" in body and "New conversation" in body and "Sources (" in body and "Use via API" in body
        for norwegian in ("Spørsmålet ditt", "Ny samtale", "Kjelder (", "Kort svar", "Personvern", "Opne heile"):
            assert norwegian not in body, norwegian
        assert page.locator("#chatbot button[aria-label='Helpful answer']").count() >= 2
        page.locator("#language label", has_text="Bokmål").click()
        page.wait_for_function("document.documentElement.lang === 'nb'")
        page.get_by_text("Kilder (").first.wait_for(timeout=10000)
        page.wait_for_function("document.querySelector('#municipality input')?.value === 'Alle kommuner'", timeout=10000)
        page.locator("#language label", has_text="Nynorsk").click()
        page.wait_for_function("document.documentElement.lang === 'nn'")

        # "Ny samtale" and the chat's own clear button both start over, history included:
        # the follow-up is understood within a conversation and not after a reset.
        for reset in ("#new-chat", "#chatbot button[aria-label='Tøm samtalen']"):
            ask_in_page(page, "Hva er helsestasjon for ungdom i Sør-Aurdal?")
            ask_in_page(page, "Hvilken alder gjelder det for?")
            assert page.locator("#chatbot .bot-row").last.locator(".fa-refusal").count() == 0
            page.locator(reset).click()
            page.locator("#chatbot .example").first.wait_for(timeout=10000)
            # The server has forgotten the history only once the status line says so: the clear
            # button empties the chat in the browser a round trip before that.
            page.locator("#feedback-status").get_by_text("Ny samtale:").wait_for(timeout=10000)
            assert page.locator("#chatbot .bot-row").count() == 0
            ask_in_page(page, "Hvilken alder gjelder det for?", ".fa-refusal")
        page.close()

        # Keyboard only: ask, reach a chip, open its card, open the plan, close it.
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="nn-NO")
        page.goto(app_server["url"])
        page.wait_for_function("document.documentElement.lang === 'nn'", timeout=20000)
        unfocused: list[str] = []
        page.keyboard.press("Tab")
        for _ in range(40):
            if page.evaluate("document.activeElement.closest('#question') !== null"):
                break
            if not visible_focus(page):
                unfocused.append(page.evaluate("document.activeElement.outerHTML.slice(0, 60)"))
            page.keyboard.press("Tab")
        page.keyboard.type("Kven kan vere stafetthaldar?")
        page.keyboard.press("Enter")
        page.locator("#chatbot .fa-sources").wait_for(timeout=30000)
        for _ in range(60):
            page.keyboard.press("Shift+Tab")
            if not visible_focus(page):
                unfocused.append(page.evaluate("document.activeElement.outerHTML.slice(0, 60)"))
            if page.evaluate("document.activeElement.classList.contains('fa-chip')"):
                break
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        page.keyboard.press("Tab")
        for _ in range(5):
            if page.evaluate("document.activeElement.classList.contains('fa-open')"):
                break
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_function("document.activeElement && document.activeElement.id === 'fa-viewer-title'", timeout=10000)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "fa-viewer-close" and visible_focus(page)
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.className") == "fa-open"
        report["keyboard: elements without visible focus"] = unfocused
        page.close()

        # Phone: Bokmål from the browser, examples until the conversation starts, input at the bottom.
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nb-NO", is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(app_server["url"])
        page.wait_for_function("document.documentElement.lang === 'nb'", timeout=20000)
        page.wait_for_function("document.querySelector('#municipality input')?.value === 'Alle kommuner'", timeout=20000)
        assert page.locator("#language input:checked").get_attribute("value") == "nb"
        page.locator("#chatbot .example").first.wait_for()
        report["axe"]["phone, first view"] = axe_violations(page)
        assert page.locator("#question textarea").evaluate("e => getComputedStyle(e).fontSize") == "16px"
        page.locator("#chatbot .example", has_text="Hvordan kan jeg kontakte helsesykepleier i Sogndal?").tap()
        page.locator("#chatbot .fa-sources").wait_for(timeout=30000)
        page.wait_for_timeout(500)
        assert page.locator("#chatbot .example").count() == 0, "examples give way once the conversation starts"
        report["axe"]["phone, after an answer"] = axe_violations(page)
        composer = page.locator("#composer").bounding_box()
        assert abs(composer["y"] + composer["height"] - 844) <= 2, "the question box sits at the bottom edge"
        assert page.evaluate("() => { const w = document.querySelector('#chatbot .bubble-wrap'); return w.scrollHeight <= w.clientHeight + 1; }"), "no inner scroll box"
        lead_box = page.locator("#chatbot .fa-lead").last.bounding_box()
        assert 0 <= lead_box["y"] < 844 - composer["height"], "the short answer is on screen, not scrolled away"
        report["small tap targets (phone)"] = small_targets(page)
        page.screenshot(path=str(ROOT / "docs" / "screenshot-mobile.png"))
        page.locator("#chatbot a.fa-chip").first.tap()
        page.locator("#chatbot details[open] a.fa-open").tap()
        page.locator("#plan-viewer .fa-viewer").wait_for(timeout=10000)
        viewer_box = page.locator("#plan-viewer .fa-viewer").bounding_box()
        assert viewer_box["width"] >= 389 and viewer_box["y"] <= 1, "on a phone the plan covers the screen"
        page.wait_for_timeout(300)
        quote_box = page.locator("#fa-focus").bounding_box()
        assert 0 <= quote_box["y"] < 844, "the quote is scrolled into view on the phone too"
        report["axe"]["phone, plan viewer open"] = axe_violations(page)
        page.locator(".fa-viewer-close").tap()
        page.set_viewport_size({"width": 320, "height": 640})
        page.wait_for_timeout(300)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 320, "no horizontal scroll at 320 px"
        report["axe"]["320 px"] = axe_violations(page)
        context.close()
        browser.close()

    print("\nbrowser report:", json.dumps(report, ensure_ascii=False, indent=1))
    (tmp_path / "browser-report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    assert all(v == [] for v in report["axe"].values()), report["axe"]
    assert report["keyboard: elements without visible focus"] == []
    assert report["small tap targets (phone)"] == []
    rows = sqlite3.connect(app_server["feedback"]).execute("SELECT rating, comment, question, answer_id, build_id, doc_ids FROM feedback").fetchall()
    assert len(rows) == 1
    rating, comment, question, answer_id, build_id, doc_ids = rows[0]
    assert (rating, comment, question) == ("up", "Nyttig svar", "Korleis kan eg kontakte helsesjukepleiar i Sogndal?")
    assert answer_id and build_id and "sogndal-saman-samtidig-foreldrestotte" in json.loads(doc_ids)
