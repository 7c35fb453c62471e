"""The chat behind the app, as plain functions that tests call without a browser.

State per browser tab lives in a :class:`ChatSession` (kept in ``gr.State``), never in
module globals; shared counters (rate limits) and stores are passed in. The chat
component is output-only: every update re-renders it from the session, so the
conversation the assistant sees, the one on screen and the one "Ny samtale" or the
clear button throw away are the same, and a client cannot grow the server's memory
by sending a long history. Answers stream in a few words at a time.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from assistant import chat_html
from assistant.feedback import FeedbackStore
from assistant.limits import RateLimiter, client_key
from assistant.models import Answer
from assistant.privacy import find_personal_data, redact
from assistant.query import normalise_municipality
from assistant.ui_strings import examples, from_accept_language, kinds_text, language
from assistant.ui_strings import text as t

log = logging.getLogger(__name__)

MAX_TURNS = 20  # turns a session keeps (history, sources, ratings); older ones are dropped
MAX_QUESTION_KEPT = 2000  # characters of a question a session keeps and shows
ALL = "Alle"


@dataclass
class Turn:
    """One question and its answer (None when answering failed)."""

    question: str
    answer: Answer | None
    key: str
    number: int
    rating: str | None = None  # 'up' | 'down'
    feedback_row: int | None = None


@dataclass
class ChatSession:
    """One browser tab's conversation, bounded to :data:`MAX_TURNS` turns."""

    turns: list[Turn] = field(default_factory=list)
    comment_turn: int | None = None  # Turn.number awaiting an optional comment
    asked: int = 0

    def add(self, question: str, answer: Answer | None) -> Turn:
        self.asked += 1
        kept = question if len(question) <= MAX_QUESTION_KEPT else question[:MAX_QUESTION_KEPT] + "…"
        key = re.sub(r"[^0-9a-zA-Z]", "", (answer.answer_id if answer else "") or "")[:32] or uuid.uuid4().hex[:16]
        turn = Turn(kept, answer, key, self.asked)
        self.turns = [*self.turns, turn][-MAX_TURNS:]
        return turn

    @property
    def questions(self) -> list[str]:
        """The earlier questions, oldest first: the history the assistant is given."""
        return [turn.question for turn in self.turns if turn.answer is not None]

    @property
    def messages(self) -> list[dict[str, str]]:
        """The conversation as messages (questions and answers): the history the assistant is
        given, so a follow-up ("Kven har ansvaret då?") can lean on what was answered."""
        out: list[dict[str, str]] = []
        for turn in self.turns:
            if turn.answer is not None:
                out += [{"role": "user", "content": turn.question}, {"role": "assistant", "content": turn.answer.text}]
        return out

    def turn(self, number: int | None) -> Turn | None:
        return next((turn for turn in self.turns if turn.number == number), None)

    def turn_by_key(self, key: str) -> Turn | None:
        return next((turn for turn in self.turns if turn.key == key), None)


def doc_texts(assistant: Any) -> dict[str, str]:
    return getattr(getattr(assistant, "index", None), "doc_texts", None) or {}


def municipalities(assistant: Any) -> list[str]:
    """The municipalities of the loaded index, from its manifest: never a hard-coded list."""
    docs = getattr(getattr(assistant, "index", None), "docs", None) or {}
    return sorted({getattr(meta, "municipality", "") for meta in docs.values()} - {""})


def municipality_choices(assistant: Any, lang: str) -> list[tuple[str, str]]:
    return [(t(lang, "all_municipalities"), ALL), *[(m, m) for m in municipalities(assistant)]]


def pii_warning(question: str, lang: str) -> str:
    """The privacy warning for what is typed so far ('' when there is nothing to warn about)."""
    # Only what a session keeps (and the question box accepts) is checked: a 1 MB paste
    # must not cost a second of CPU per keystroke.
    kinds = find_personal_data((question or "")[: MAX_QUESTION_KEPT + 64])
    return t(lang, "pii_warning", kinds=kinds_text(lang, kinds)) if kinds else ""


def _bubble(turn: Turn, lang: str, texts: dict[str, str], body_prefix: str | None = None) -> str:
    if turn.answer is None:
        return f'<div class="fa-answer fa-error"><p>{t(lang, "error_text")}</p></div>'
    notice = "" if find_personal_data(turn.question[: MAX_QUESTION_KEPT + 64]) else turn.answer.notice
    return chat_html.answer_html(turn.answer, turn.key, lang, texts, body_prefix=body_prefix, notice=notice)


def messages_for(session: ChatSession, lang: str, texts: dict[str, str], streaming: str | None = None) -> list[dict[str, Any]]:
    """The chat as Gradio messages: two per turn, suggestions as options on the last answer."""
    messages: list[dict[str, Any]] = []
    for i, turn in enumerate(session.turns):
        last = i == len(session.turns) - 1
        messages.append({"role": "user", "content": chat_html.question_html(turn.question)})
        reply: dict[str, Any] = {"role": "assistant", "content": _bubble(turn, lang, texts, streaming if last else None)}
        if last and streaming is None and turn.answer and turn.answer.suggestions:
            reply["options"] = [{"label": s, "value": s} for s in turn.answer.suggestions[:3]]
        messages.append(reply)
    return messages


def feedback_values(session: ChatSession) -> list[str | None]:
    """Which thumb is lit under each answer, so a re-render keeps it."""
    return [{"up": "Like", "down": "Dislike"}.get(turn.rating or "") for turn in session.turns]


def chat_update(session: ChatSession, lang: str, texts: dict[str, str], streaming: str | None = None) -> Any:
    return gr.update(value=messages_for(session, lang, texts, streaming), feedback_value=feedback_values(session), examples=example_messages(lang))


def example_messages(lang: str) -> list[dict[str, str]]:
    return [{"text": q} for q in examples(lang)]


def stream_words(text: str, steps: int = 4, min_chunk: int = 8) -> Iterator[str]:
    """Prefixes of ``text`` in at most ``steps`` growing pieces (whitespace kept as written).

    The answer is complete before the first piece is shown, so streaming only gets words on
    screen sooner; few steps keep screen readers from announcing many fragments."""
    pieces = re.findall(r"\S+\s*", text)
    chunk = max(min_chunk, -(-len(pieces) // steps))
    for i in range(chunk, len(pieces) + chunk, chunk):
        yield "".join(pieces[:i])


def _log_failure(what: str) -> None:
    """Log the exception type and where it happened, never its message: that may quote the question."""
    exc_type, _, tb = sys.exc_info()
    name = exc_type.__name__ if exc_type else "?"
    log.error("%s: %s (message withheld)\n%s", what, name, redact("".join(traceback.format_tb(tb))))


HIDE = {"visible": False}


def respond(
    assistant: Any,
    limiter: RateLimiter | None,
    message: str,
    session: ChatSession | None,
    municipality: str | None,
    lang: str | None,
    request: Any = None,
    delay: float = 0.01,
) -> Iterator[tuple[Any, ChatSession, Any, str, Any, str]]:
    """Answer one question. Yields (chat, session, question box, warning, comment panel, status)."""
    lang = language(lang)
    session = session or ChatSession()
    message = message if isinstance(message, str) else ""
    texts = doc_texts(assistant)
    if not message.strip():
        yield gr.update(), session, gr.update(), "", gr.update(), ""
        return
    if limiter is not None and not limiter.allow(client_key(request)):
        yield gr.update(), session, gr.update(), t(lang, "rate_limited"), gr.update(), ""
        return
    warning = pii_warning(message, lang)
    session.comment_turn = None
    try:
        answer = assistant.ask(message, history=session.messages, municipality=normalise_municipality(municipality), language=lang)
    except Exception:
        _log_failure("answering failed")
        session.add(message, None)
        yield chat_update(session, lang, texts), session, "", warning, gr.update(**HIDE), ""
        return
    session.add(message, answer)
    if not answer.abstained:
        _, body = chat_html.split_lead(answer)
        for partial in stream_words(body):
            if partial.strip() == body.strip():
                break
            yield chat_update(session, lang, texts, streaming=partial), session, "", warning, gr.update(**HIDE), ""
            if delay:
                time.sleep(delay)
    yield chat_update(session, lang, texts), session, "", warning, gr.update(**HIDE), ""


def reset(lang: str | None = None) -> tuple[Any, ChatSession, Any, str, str]:
    """'Ny samtale' and the chat's clear button: empty chat, fresh session, viewer closed.

    Returns (chat, session, comment panel, status, viewer); the status line says the earlier
    questions are forgotten (read out by screen readers). The question box is left alone: a
    question typed while the reset is on its way (the clear button empties the chat at once, the
    session follows a round trip later) is the first question of the new conversation, not lost."""
    lang = language(lang)
    return chat_update(ChatSession(), lang, {}), ChatSession(), gr.update(**HIDE), t(lang, "conversation_reset"), ""


def _rating(liked: Any) -> str | None:
    if liked is True or liked == "Like":
        return "up"
    if liked is False or liked == "Dislike":
        return "down"
    return None


def rate(
    store: FeedbackStore,
    limiter: RateLimiter | None,
    session: ChatSession | None,
    lang: str | None,
    index: Any,
    liked: Any,
    request: Any = None,
) -> tuple[ChatSession, str, Any, Any]:
    """👍/👎 under one answer: stored at once (one row per answer), then a comment box opens.

    Returns (session, status, comment panel, comment box)."""
    lang = language(lang)
    session = session or ChatSession()
    position = (index[0] if isinstance(index, (list, tuple)) else index) if index is not None else None
    turn = session.turns[position // 2] if isinstance(position, int) and 0 <= position // 2 < len(session.turns) else None
    rating = _rating(liked)
    if turn is None or turn.answer is None:
        return session, t(lang, "feedback_first" if not session.turns else "feedback_unknown"), gr.update(), gr.update()
    if rating is None:  # the thumb was taken back: keep the stored row, close the comment box
        turn.rating, session.comment_turn = None, None
        return session, "", gr.update(**HIDE), gr.update(value="")
    if limiter is not None and not limiter.allow(client_key(request)):
        return session, t(lang, "rate_limited"), gr.update(), gr.update()
    answer = turn.answer
    if turn.feedback_row is not None and store.set_rating(turn.feedback_row, rating):
        pass
    else:
        citations = [{"n": c.n, "doc_id": c.doc_id, "section": c.section, "quote": c.quote} for c in answer.citations]
        turn.feedback_row = store.add(
            rating, turn.question, answer.text, citations,
            answer_id=answer.answer_id or turn.key, build_id=answer.build_id, ui_language=lang,
        )
    turn.rating = rating
    session.comment_turn = turn.number
    label = t(lang, "comment_label", n=turn.number)
    return session, t(lang, "feedback_thanks", n=turn.number), gr.update(visible=True), gr.update(value="", label=label, placeholder=t(lang, "comment_placeholder"))


def send_comment(
    store: FeedbackStore, limiter: RateLimiter | None, session: ChatSession | None, comment: str, lang: str | None, request: Any = None
) -> tuple[ChatSession, str, Any, str]:
    """The optional comment, attached to the rating it follows. Returns (session, status, panel, cleared box)."""
    lang = language(lang)
    session = session or ChatSession()
    turn = session.turn(session.comment_turn)
    if turn is None or turn.feedback_row is None:
        return session, t(lang, "feedback_first"), gr.update(**HIDE), ""
    if not (comment or "").strip():
        session.comment_turn = None
        return session, "", gr.update(**HIDE), ""
    if limiter is not None and not limiter.allow(client_key(request)):
        return session, t(lang, "rate_limited"), gr.update(), comment
    store.set_comment(turn.feedback_row, comment)
    session.comment_turn = None
    return session, t(lang, "comment_thanks"), gr.update(**HIDE), ""


def skip_comment(session: ChatSession | None) -> tuple[ChatSession, str, Any, str]:
    session = session or ChatSession()
    session.comment_turn = None
    return session, "", gr.update(**HIDE), ""


_PLAN_KEY = re.compile(r"fa-plan-([0-9a-zA-Z]+)-(\d+)$")


def open_plan(assistant: Any, session: ChatSession | None, lang: str | None, target: str | None) -> str:
    """The plan viewer for one source link (``#fa-plan-<answer key>-<n>``)."""
    lang = language(lang)
    match = _PLAN_KEY.search(target or "")
    turn = (session or ChatSession()).turn_by_key(match.group(1)) if match else None
    answer = turn.answer if turn else None
    citation = next((c for c in answer.citations if c.n == int(match.group(2))), None) if answer and match else None
    index = getattr(assistant, "index", None)
    text = doc_texts(assistant).get(citation.doc_id, "") if citation else ""
    if citation is None or not text:
        return chat_html.viewer_missing_html(lang)
    meta = (getattr(index, "docs", None) or {}).get(citation.doc_id)
    return chat_html.plan_viewer_html(text, citation, answer.citations, lang, meta)


def set_language(assistant: Any, session: ChatSession | None, lang: str | None) -> Iterator[tuple[Any, ...]]:
    """Re-render everything the server wrote in the new UI language.

    Yields an empty chat first so Gradio rebuilds the message toolbars with the new
    locale's labels. Returns (chat, municipality, comment panel, warning, status, viewer)."""
    lang = language(lang)
    session = session or ChatSession()
    muni = gr.update(choices=municipality_choices(assistant, lang))
    if session.turns:
        yield gr.update(value=[]), muni, gr.update(**HIDE), "", "", ""
    session.comment_turn = None
    yield chat_update(session, lang, doc_texts(assistant)), muni, gr.update(**HIDE), "", "", ""


def initial_language(request: Any = None) -> str:
    """The UI language for a new page: from the browser's languages, else Nynorsk."""
    headers = getattr(request, "headers", None) or {}
    return from_accept_language(headers.get("accept-language") if hasattr(headers, "get") else None)


def api_answer(
    assistant: Any, limiter: RateLimiter | None, question: Any, municipality: Any = None, history: Any = None, request: Any = None
) -> dict[str, Any]:
    """The JSON the public API returns: the Answer as a dict, or a friendly error."""
    if limiter is not None and not limiter.allow(client_key(request)):
        return {"text": t("nb", "rate_limited"), "abstained": True, "language": "nb", "citations": [], "timings_ms": {}, "error": "rate_limited"}
    question = question if isinstance(question, str) else ""
    municipality = municipality if isinstance(municipality, str) else None
    history = [h for h in history if isinstance(h, str)][-MAX_TURNS:] if isinstance(history, list) else []
    try:
        return assistant.ask(question, history=history, municipality=normalise_municipality(municipality)).to_dict()
    except Exception:
        _log_failure("API answering failed")
        return {"text": t("nb", "error_text"), "abstained": True, "language": "nb", "citations": [], "timings_ms": {}, "error": True}
