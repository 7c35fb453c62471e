"""The chat handlers, called as plain functions with a deterministic fake assistant (no browser)."""

from __future__ import annotations

import json
import logging
import re
import sqlite3

import pytest

from assistant import chat
from assistant.feedback import FeedbackStore
from assistant.limits import RateLimiter
from assistant.models import Answer, Citation

FNR = "15058910063"
DOC = "Innleiing.\n\nOppfølging på Nivå 2 er når to tenester samarbeider. Sjå https://example.no/bti for meir.\n\nNeste avsnitt <b>fet</b>."
START = DOC.index("Oppfølging")
END = DOC.index("samarbeider.") + len("samarbeider.")


class Meta:
    def __init__(self, title: str, municipality: str) -> None:
        self.title, self.municipality, self.period = title, municipality, "2024–2028"


class FakeAssistant:
    """Answers every question the same way; records what it was asked."""

    def __init__(self, answer: Answer | None = None, fail: bool = False) -> None:
        self.calls: list[tuple] = []
        self.answer = answer
        self.fail = fail
        self.count = 0
        self.index = type("I", (), {"doc_texts": {"d": DOC}, "docs": {"d": Meta("BTI", "Sogndal"), "e": Meta("Plan", "Sør-Aurdal")}})()

    def ask(self, question, history=None, municipality=None, language=None):
        self.calls.append((question, list(history or []), municipality, language))
        if self.fail:
            raise RuntimeError("secret failure with question " + question)
        self.count += 1
        if self.answer is not None:
            return self.answer
        citation = Citation(1, "d", "BTI", "Sogndal", "Nivåmodellen › Nivå 2", DOC[START:END], START, END)
        return Answer(
            "Nivå 2 [1]\nOppfølging på Nivå 2 er når to tenester samarbeider med barnet og heimen om gode tiltak. [1]",
            False, "nn", [citation], lead="Nivå 2 [1]",
            suggestions=["Kven er stafetthaldar på nivå 2?", "Kva er nivå 3?", "Kva er stafettloggen?", "Ein fjerde"],
            answer_id=f"ans{self.count}", build_id="build-7",
        )


def run(gen):
    return list(gen)


def ask(fake, question, session=None, municipality="Alle", lang="nn", limiter=None):
    session = session or chat.ChatSession()
    steps = run(chat.respond(fake, limiter, question, session, municipality, lang, delay=0))
    return steps, session


def messages(step):
    return step[0]["value"]


def test_answer_streams_then_shows_short_answer_first_and_its_own_sources():
    fake = FakeAssistant()
    steps, session = ask(fake, "Kva er nivå 2?")
    assert len(steps) >= 2, "the answer streams before the sources arrive"
    assert "fa-sources" not in messages(steps[0])[-1]["content"]
    final = messages(steps[-1])
    bubble = final[-1]["content"]
    assert final[0]["content"] == '<div class="fa-question"><p>Kva er nivå 2?</p></div>'
    assert bubble.index('class="fa-lead"') < bubble.index('class="fa-body"') < bubble.index('class="fa-sources"')
    assert "<strong>Kort svar:</strong> Nivå 2" in bubble
    assert '<a class="fa-chip" href="#fa-src-ans1-1">' in bubble and 'id="fa-src-ans1-1"' in bubble
    assert "<details" in bubble and "<details open" not in bubble, "cards start collapsed"
    assert "<mark>Oppfølging på Nivå 2 er når to tenester samarbeider.</mark>" in bubble
    assert "Sogndal › BTI › Nivåmodellen › Nivå 2" in bubble
    assert '<a href="https://example.no/bti"' in bubble
    assert fake.calls[0] == ("Kva er nivå 2?", [], None, "nn")
    assert steps[-1][2] == "" and steps[-1][3] == ""  # question box cleared, no warning


def two_answers() -> list[dict]:
    """The chat's messages after a question and a follow-up in one session."""
    fake = FakeAssistant()
    session = chat.ChatSession()
    ask(fake, "Kva er nivå 2?", session)
    steps, _ = ask(fake, "Og nivå 3?", session)
    return messages(steps[-1])


def test_earlier_answers_keep_their_own_sources():
    final = two_answers()
    assert len(final) == 4
    assert 'id="fa-src-ans1-1"' in final[1]["content"] and 'href="#fa-src-ans1-1"' in final[1]["content"]
    assert 'id="fa-src-ans2-1"' in final[3]["content"] and "ans1" not in final[3]["content"]


def test_suggestions_are_offered_after_the_latest_answer_only():
    final = two_answers()
    assert "options" not in final[1]
    assert [o["value"] for o in final[3]["options"]] == ["Kven er stafetthaldar på nivå 2?", "Kva er nivå 3?", "Kva er stafettloggen?"]


def test_follow_up_passes_history_municipality_and_ui_language():
    fake = FakeAssistant()
    session = chat.ChatSession()
    ask(fake, "Kva er nivå 2?", session, "Sogndal", "en")
    ask(fake, "Kven er stafetthaldar då?", session, "Sogndal", "en")
    question, history, municipality, language = fake.calls[1]
    assert (question, municipality, language) == ("Kven er stafetthaldar då?", "Sogndal", "en")
    assert history[0] == {"role": "user", "content": "Kva er nivå 2?"}
    assert history[1]["role"] == "assistant" and history[1]["content"].startswith("Nivå 2 [1]")  # the earlier answer too


def test_two_sessions_do_not_share_a_conversation():
    fake = FakeAssistant()
    a, b = chat.ChatSession(), chat.ChatSession()
    ask(fake, "Spørsmål A", a)
    ask(fake, "Spørsmål B", b)
    assert a.questions == ["Spørsmål A"] and b.questions == ["Spørsmål B"]
    assert fake.calls[1][1] == []


@pytest.mark.parametrize("reset_from", ["new_chat", "clear_button"])
def test_new_chat_and_clear_reset_the_history_the_assistant_gets(reset_from):
    fake = FakeAssistant()
    _, session = ask(fake, "Kva er nivå 2?")
    chat_value, session, panel, status, viewer = chat.reset("nn")  # both buttons call this
    assert chat_value["value"] == [] and session.turns == [] and viewer == "" and panel["visible"] is False
    assert status == "Ny samtale: dei tidlegare spørsmåla er gløymde."
    ask(fake, "Kven er stafetthaldar?", session)
    assert fake.calls[-1][1] == []


def test_markup_in_questions_answers_and_plans_is_shown_as_text():
    fake = FakeAssistant(Answer('Sjå <script>alert("x")</script> og <b>fet</b>. [1]', False, "nn",
                                [Citation(1, "d", "T<i>", "M", "S", "x", DOC.index("Neste"), len(DOC))]))
    steps, _ = ask(fake, "<img src=x onerror=alert(1)> **bold**")
    final = messages(steps[-1])
    assert "<img" not in final[0]["content"] and "&lt;img" in final[0]["content"]
    assert "<script>" not in final[1]["content"] and "&lt;script&gt;" in final[1]["content"]
    assert "<b>fet</b>" not in final[1]["content"] and "T&lt;i&gt;" in final[1]["content"]


@pytest.mark.parametrize("lang,words", [("nn", "Ingen kjelder"), ("nb", "Ingen kilder"), ("en", "No sources")])
def test_refusal_looks_like_a_refusal_in_the_ui_language(lang, words):
    refusal = Answer("Eg finn ikkje svar på dette i planane.", True, "nn", [])
    steps, _ = ask(FakeAssistant(refusal), "Kva er vêret?", lang=lang)
    bubble = messages(steps[-1])[-1]["content"]
    assert 'class="fa-answer fa-refusal"' in bubble and "<em>Eg finn ikkje svar" in bubble
    assert words in bubble and "fa-source" not in bubble


def test_a_refusal_that_points_to_help_shows_the_help_cited_not_no_sources():
    # "Det næraste …: **helsestasjonen** – … [1]": the service in bold, [1] a chip, and the card for [1]
    start = DOC.index("Neste")
    text = ("Eg finn ikkje svar på dette i planane.\n\nDet næraste planane nemner for dette: **helsestasjonen** – "
            f"Ifølgje «T» (M kommune): {DOC[start:]} [1]")
    refusal = Answer(text, True, "nn", [Citation(1, "d", "T", "M", "S", DOC[start:], start, len(DOC))])
    steps, _ = ask(FakeAssistant(refusal), "Kva kostar kurset?")
    bubble = messages(steps[-1])[-1]["content"]
    assert 'class="fa-answer fa-refusal"' in bubble and "<em>Eg finn ikkje svar" in bubble
    assert "<strong>helsestasjonen</strong>" in bubble and "**" not in bubble
    assert 'href="#fa-src-' in bubble and 'class="fa-source"' in bubble and "Ingen kjelder" not in bubble


def test_errors_show_a_friendly_message_and_log_nothing_the_person_typed(caplog):
    caplog.set_level(logging.DEBUG)
    steps, session = ask(FakeAssistant(fail=True), f"Barnet Kari Nordmann med fnr {FNR}", lang="en")
    assert "Sorry, something went wrong" in messages(steps[-1])[-1]["content"]
    assert "answering failed: RuntimeError" in caplog.text
    assert FNR not in caplog.text and "Kari Nordmann" not in caplog.text and "question Barnet" not in caplog.text
    assert session.questions == []  # a failed turn is not history


@pytest.mark.parametrize(
    "lang,typed,expect",
    [
        ("nn", f"Eleven {FNR} – ring 91234567", ["fødselsnummer", "telefonnummer"]),
        ("nb", "fnr 01019912345", ["fødselsnummer"]),
        ("en", "call 41 234 567", ["phone number"]),
        ("en", "personnummer 12345", ["identity number"]),
    ],
)
def test_privacy_warning_while_typing_in_the_ui_language(lang, typed, expect):
    warning = chat.pii_warning(typed, lang)
    assert all(word in warning for word in expect)
    assert chat.pii_warning("Kva er nivå 2?", lang) == ""


def test_warning_is_also_shown_when_sending():
    steps, _ = ask(FakeAssistant(), f"Eleven {FNR} – kva nivå?", lang="nb")
    assert "fødselsnummer" in steps[-1][3] and "Ikke skriv" in steps[-1][3]


def rate(store, session, index, liked, lang="nn", limiter=None):
    return chat.rate(store, limiter, session, lang, index, liked)


def test_feedback_per_answer_is_stored_with_ids_and_redacted(tmp_path):
    store = FeedbackStore(tmp_path / "fb.db")
    fake = FakeAssistant()
    session = chat.ChatSession()
    assert "først" in rate(store, session, 1, True)[1]
    ask(fake, f"Eleven {FNR} – kva nivå?", session)
    ask(fake, "Kva er nivå 3?", session)
    session, status, panel, box = rate(store, session, 1, False)  # the first answer's 👎
    assert "svar 1" in status and panel["visible"] is True and box["value"] == "" and "svar 1" in box["label"]
    row = store.rows()[0]
    assert row["rating"] == "down" and row["answer_id"] == "ans1" and row["build_id"] == "build-7"
    assert json.loads(row["doc_ids"]) == ["d"] and row["ui_language"] == "nn"
    assert FNR not in row["question"] and "[fødselsnummer fjernet]" in row["question"]
    rate(store, session, 1, True)  # changing one's mind keeps one row per answer
    rate(store, session, 3, True)  # the second answer
    rows = store.rows()
    assert [(r["answer_id"], r["rating"]) for r in rows] == [("ans1", "up"), ("ans2", "up")]


def test_comment_is_attached_to_its_rating_cleared_and_stored_plain(tmp_path):
    store = FeedbackStore(tmp_path / "fb.db")
    session = chat.ChatSession()
    ask(FakeAssistant(), "Kva er nivå 2?", session)
    rate(store, session, 1, True)
    session, status, panel, box = chat.send_comment(store, None, session, '<img src=x onerror=alert(1)>Ring meg på 912 34 567 <b>takk</b>', "en")
    assert box == "" and panel["visible"] is False and "Thank you" in status
    comment = store.rows()[0]["comment"]
    assert "<" not in comment and "912 34 567" not in comment and "[telefonnummer fjernet]" in comment and "takk" in comment
    again = chat.send_comment(store, None, session, "stored twice?", "en")
    assert "Ask a question first" in again[1] and store.rows()[0]["comment"] == comment


def test_taking_a_thumb_back_closes_the_comment_box(tmp_path):
    store = FeedbackStore(tmp_path / "fb.db")
    session = chat.ChatSession()
    ask(FakeAssistant(), "Kva er nivå 2?", session)
    rate(store, session, 1, True)
    session, status, panel, _ = rate(store, session, 1, None)
    assert panel["visible"] is False and session.comment_turn is None


def test_asking_is_rate_limited_per_client():
    fake = FakeAssistant()
    limiter = RateLimiter(2, window_s=60)
    session = chat.ChatSession()
    for _ in range(2):
        ask(fake, "Kva er nivå 2?", session, limiter=limiter)
    steps, _ = ask(fake, "Kva er nivå 3?", session, limiter=limiter, lang="en")
    assert fake.count == 2 and "wait a minute" in steps[-1][3]
    assert steps[-1][2] == {"__type__": "update"}, "the question stays in the box to send later"


def test_feedback_is_rate_limited_per_client(tmp_path):
    store = FeedbackStore(tmp_path / "fb.db")
    limiter = RateLimiter(3, window_s=60)
    session = chat.ChatSession()
    fake = FakeAssistant()
    for _ in range(5):
        ask(fake, "Kva er nivå 2?", session)
    for i in range(5):
        rate(store, session, 2 * i + 1, True, limiter=limiter)
    assert len(store.rows()) == 3


def test_a_session_keeps_a_bounded_amount_of_text():
    """Issue 13: 40 × 1 MB questions in one session kept 42 MB."""
    fake = FakeAssistant(Answer("For langt.", True, "nn", []))
    session = chat.ChatSession()
    for _ in range(40):
        ask(fake, "x" * 1_000_000, session)
    kept = sum(len(t.question) for t in session.turns)
    assert len(session.turns) == chat.MAX_TURNS and kept <= chat.MAX_TURNS * (chat.MAX_QUESTION_KEPT + 1)
    history = fake.calls[-1][1]
    asked = [m["content"] for m in history if m["role"] == "user"]
    assert len(asked) <= chat.MAX_TURNS and all(len(h) <= chat.MAX_QUESTION_KEPT + 1 for h in asked)
    assert sum(len(m["content"]) for m in history) <= chat.MAX_TURNS * (chat.MAX_QUESTION_KEPT + 1 + len("For langt."))


def test_plan_viewer_shows_the_whole_plan_with_the_quote_in_focus():
    fake = FakeAssistant()
    _, session = ask(fake, "Kva er nivå 2?")
    html = chat.open_plan(fake, session, "nb", "#fa-plan-ans1-1")
    assert "Innleiing." in html and "Neste avsnitt" in html, "the whole plan, not a snippet"
    assert '<mark class="fa-focus" id="fa-focus">Oppfølging på Nivå 2 er når to tenester samarbeider.</mark>' in html
    assert "<li>Sogndal</li><li>BTI</li><li>Nivåmodellen</li><li>Nivå 2</li>" in html
    assert "Lukk planen" in html and "(2024–2028)" in html and "&lt;b&gt;fet&lt;/b&gt;" in html
    assert "no longer available" in chat.open_plan(fake, session, "en", "#fa-plan-nope-1")
    assert "no longer available" in chat.open_plan(fake, session, "en", "javascript:alert(1)")


def test_plan_viewer_title_names_the_period_once():
    from types import SimpleNamespace

    from assistant.chat_html import plan_viewer_html
    c = Citation(1, "d", "Plan fram mot 2030", "M", "", "Neste", DOC.index("Neste"), len(DOC))
    once = plan_viewer_html(DOC, c, [c], "nb", SimpleNamespace(title="Plan fram mot 2030", period="fram mot 2030"))
    assert ">Plan fram mot 2030</h2>" in once
    both = plan_viewer_html(DOC, c, [c], "nb", SimpleNamespace(title="Plan", period="2024–2032"))
    assert ">Plan (2024–2032)</h2>" in both


def test_switching_language_re_renders_the_conversation():
    fake = FakeAssistant()
    _, session = ask(fake, "Kva er nivå 2?", lang="nn")
    steps = run(chat.set_language(fake, session, "en"))
    assert steps[0][0]["value"] == [], "an empty chat first, so Gradio rebuilds its toolbars in the new locale"
    bubble = steps[-1][0]["value"][-1]["content"]
    assert "Short answer:" in bubble and "Sources (1)" in bubble and "Kjelder" not in bubble
    assert steps[-1][0]["examples"][0]["text"].startswith("Which BTI level")
    assert steps[-1][1]["choices"][0] == ("All municipalities", "Alle")


def test_municipality_choices_come_from_the_index():
    assert chat.municipality_choices(FakeAssistant(), "nn") == [("Alle kommunar", "Alle"), ("Sogndal", "Sogndal"), ("Sør-Aurdal", "Sør-Aurdal")]


@pytest.mark.parametrize(
    "header,lang",
    [("nn-NO,nn;q=0.9", "nn"), ("nb-NO", "nb"), ("no", "nb"), ("en-GB,en;q=0.8", "en"), ("de-DE,en;q=0.5", "en"), ("fr", "nn"), (None, "nn"), ("en;q=0.2,nb;q=0.9", "nb")],
)
def test_first_language_comes_from_the_browser(header, lang):
    request = type("R", (), {"headers": {"accept-language": header} if header else {}})()
    assert chat.initial_language(request) == lang


def test_api_answer_returns_json_a_friendly_error_or_a_limit():
    assert chat.api_answer(FakeAssistant(), None, "Kva er nivå 2?", "Alle")["citations"][0]["doc_id"] == "d"
    failed = chat.api_answer(FakeAssistant(fail=True), None, "x")
    assert failed["abstained"] and failed["error"] is True
    limiter = RateLimiter(1)
    chat.api_answer(FakeAssistant(), limiter, "a")
    assert chat.api_answer(FakeAssistant(), limiter, "b")["error"] == "rate_limited"
    odd = FakeAssistant()
    chat.api_answer(odd, None, 123, 456, 5)
    assert odd.calls[0] == ("", [], None, None)


def test_chips_only_for_markers_the_answer_cites():
    answer = Answer("Sjå [1] og [7].", False, "nn", [Citation(1, "d", "T", "M", "S", "x", 0, 1)], answer_id="k")
    steps, _ = ask(FakeAssistant(answer), "?")
    bubble = messages(steps[-1])[-1]["content"]
    assert len(re.findall('class="fa-chip"', bubble)) == 1 and "[7]" in bubble


def test_the_composers_bold_municipality_labels_render_as_bold_and_nothing_else_does():
    answer = Answer("**Sør-Aurdal:** Ifølgje planen … [1]\n\n**Sogndal:** Ifølgje … *ikkje* <b>x</b>", False, "nn",
                    [Citation(1, "d", "T", "M", "S", "x", 0, 1)], answer_id="k")
    bubble = messages(ask(FakeAssistant(answer), "?")[0][-1])[-1]["content"]
    assert "<strong>Sør-Aurdal:</strong>" in bubble and "<strong>Sogndal:</strong>" in bubble
    assert "**" not in bubble and "<b>" not in bubble and "*ikkje*" in bubble


@pytest.mark.parametrize("lang", ["nn", "nb", "en"])
def test_every_example_question_gets_an_answer_from_the_real_plans(real_assistant, lang):
    from assistant.ui_strings import examples

    refused = [q for q in examples(lang) if real_assistant.ask(q, language=lang).abstained]
    assert refused == []
