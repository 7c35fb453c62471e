"""The chat handlers, called as plain functions (no browser)."""

from __future__ import annotations

import sqlite3

import pytest

from assistant import chat
from assistant.feedback import FeedbackStore
from assistant.models import Answer, Citation

FNR = "15058910063"


class FakeAssistant:
    def __init__(self, answer=None, fail=False):
        self.calls = []
        self.answer = answer
        self.fail = fail
        self.index = type("I", (), {"doc_texts": {"d": "Innleiing.\n\nOppfølging på Nivå 2 er når to tenester samarbeider. Sjå https://example.no/bti for meir.\n\nNeste avsnitt."}})()

    def ask(self, question, history=None, municipality=None):
        self.calls.append((question, list(history or []), municipality))
        if self.fail:
            raise RuntimeError("secret failure with question " + question)
        return self.answer or Answer("Nivå 2 gjeld to tenester. [1]", False, "nn", [Citation(1, "d", "BTI", "Sogndal", "Nivå 2", "Oppfølging på Nivå 2 er når to tenester samarbeider.", 12, 64)])


def run(gen):
    return list(gen)


def test_answer_streams_and_ends_with_sources():
    fake = FakeAssistant()
    steps = run(chat.respond(fake, "Kva er nivå 2?", [], chat.ChatSession(), "Alle", delay=0))
    assert len(steps) >= 2
    lengths = [len(s[0][-1]["content"]) for s in steps]
    assert lengths == sorted(lengths)
    messages, sources, session, warning, cleared = steps[-1]
    assert messages[0] == {"role": "user", "content": "Kva er nivå 2?"}
    assert messages[-1]["content"].endswith("[1]")
    assert "<mark>Oppfølging på Nivå 2 er når to tenester samarbeider.</mark>" in sources
    assert "BTI" in sources and "Sogndal · Nivå 2" in sources
    assert session.questions == ["Kva er nivå 2?"] and cleared == "" and warning == ""
    assert fake.calls[0] == ("Kva er nivå 2?", [], None)


def test_follow_up_passes_history_and_municipality():
    fake = FakeAssistant()
    session = chat.ChatSession()
    run(chat.respond(fake, "Kva er nivå 2?", [], session, "Sogndal", delay=0))
    run(chat.respond(fake, "Kven er stafetthaldar då?", [], session, "Sogndal", delay=0))
    assert fake.calls[1] == ("Kven er stafetthaldar då?", ["Kva er nivå 2?"], "Sogndal")


def test_two_sessions_do_not_share_a_conversation():
    fake = FakeAssistant()
    a, b = chat.ChatSession(), chat.ChatSession()
    run(chat.respond(fake, "Spørsmål A", [], a, "Alle", delay=0))
    run(chat.respond(fake, "Spørsmål B", [], b, "Alle", delay=0))
    assert a.questions == ["Spørsmål A"] and b.questions == ["Spørsmål B"]
    assert fake.calls[1][1] == []


def test_links_in_passages_are_clickable_and_html_is_escaped():
    citation = Citation(1, "d", "T", "M", "", "Sjå https://example.no/bti for meir.", 0, 36)
    html = chat.passage_html("Sjå https://example.no/bti for meir. <script>alert(1)</script>", citation)
    assert '<a href="https://example.no/bti"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_question_with_markup_is_shown_as_text():
    fake = FakeAssistant()
    steps = run(chat.respond(fake, "<img src=x onerror=alert(1)> **bold**", [], None, "Alle", delay=0))
    shown = steps[-1][0][0]["content"]
    assert "<img" not in shown and "&lt;img" in shown and "\\*\\*bold\\*\\*" in shown


def test_refusal_looks_like_a_refusal():
    refusal = Answer("Eg finn ikkje svar på dette i planane.", True, "nn", [])
    steps = run(chat.respond(FakeAssistant(refusal), "Kva er vêret?", [], None, "Alle", delay=0))
    messages, sources = steps[-1][0], steps[-1][1]
    assert messages[-1]["content"].startswith("ℹ️ *Eg finn ikkje svar")
    assert "Ingen kjelder" in sources


def test_errors_show_a_friendly_message_and_no_traceback(caplog):
    steps = run(chat.respond(FakeAssistant(fail=True), f"Barnet med fnr {FNR}", [], None, "Alle", delay=0))
    assert steps[-1][0][-1]["content"] == chat.ERROR_TEXT
    assert "Traceback" not in steps[-1][0][-1]["content"]
    assert FNR not in caplog.text.split("secret failure")[0]
    assert "answering failed" in caplog.text


def test_personal_data_gives_a_visible_warning():
    steps = run(chat.respond(FakeAssistant(), f"Eleven {FNR} – ring 91234567", [], None, "Alle", delay=0))
    warning = steps[-1][3]
    assert "fødselsnummer" in warning and "telefonnummer" in warning


def test_reset_starts_a_new_conversation():
    messages, sources, session, warning, text = chat.reset()
    assert messages == [] and session.questions == [] and "Kjelder" in sources


def test_feedback_is_stored_with_personal_data_redacted(tmp_path):
    store = FeedbackStore(tmp_path / "fb.db")
    session = chat.ChatSession()
    assert "først" in chat.feedback(store, session, "up", "")
    run(chat.respond(FakeAssistant(), f"Eleven {FNR} – kva nivå?", [], session, "Alle", delay=0))
    assert "Takk" in chat.feedback(store, session, "down", "Ring meg på 912 34 567")
    rows = sqlite3.connect(tmp_path / "fb.db").execute("SELECT rating, comment, question, answer, citations FROM feedback").fetchall()
    assert len(rows) == 1
    rating, comment, question, answer, citations = rows[0]
    assert rating == "down" and FNR not in question and "912 34 567" not in comment
    assert "[fødselsnummer fjernet]" in question and "[1]" in answer and '"doc_id": "d"' in citations
    with pytest.raises(ValueError):
        store.add("meh", "q", "a", [])


def test_api_answer_returns_json_or_friendly_error():
    assert chat.api_answer(FakeAssistant(), "Kva er nivå 2?", "Alle")["citations"][0]["doc_id"] == "d"
    failed = chat.api_answer(FakeAssistant(fail=True), "x")
    assert failed["abstained"] and failed["error"]


def test_markup_from_a_document_is_escaped_in_the_answer_bubble():
    answer = Answer('Sjå <script>alert("x")</script> og <b>fet</b> tekst. [1]', False, "nn", [Citation(1, "d", "T", "M", "S", "x", 0, 1)])
    shown = chat.format_answer(answer)
    assert "<script>" not in shown and "<b>" not in shown and "&lt;script&gt;" in shown
    assert shown.endswith("[1]")
