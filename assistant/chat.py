"""The chat behind the app, as plain functions that tests can call without a browser.

State per conversation lives in a :class:`ChatSession` (kept in ``gr.State``),
never in module globals. Answers stream word by word; the sources panel shows
each cited quote highlighted inside its surrounding paragraph.
"""

from __future__ import annotations

import html
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.feedback import FeedbackStore
from assistant.models import Answer, Citation
from assistant.privacy import find_personal_data
from assistant.query import normalise_municipality

log = logging.getLogger(__name__)

MUNICIPALITY_CHOICES = ["Alle", "Sogndal", "Sandnes", "Sør-Aurdal"]
EXAMPLES = {
    "Tilsette": [
        "Kva nivå i BTI gjeld når to tenester samarbeider med barnet og heimen?",
        "Hvem bestemmer når tjenestene er uenige om tiltak i Sør-Aurdal?",
        "Kven kan vere stafetthaldar?",
        "Hvordan sender jeg en bekymringsmelding til barnevernet i Sør-Aurdal?",
    ],
    "Føresette / foresatte": [
        "Korleis kan eg kontakte helsesjukepleiar i Sogndal?",
        "Finnes det et tilbud for barn som bor i to hjem?",
        "Kva er DUÅ, og kven er det for?",
        "Hvordan søker vi om innsatsteam i Sør-Aurdal?",
    ],
}
PRIVACY_NOTICE = (
    "🔒 **Personvern:** Ikkje skriv namn, fødselsnummer eller andre personopplysningar om barn eller familiar. "
    "/ Ikke skriv navn, fødselsnummer eller andre personopplysninger om barn eller familier."
)
ERROR_TEXT = "Beklagar, noko gjekk gale. Prøv igjen om litt. / Beklager, noe gikk galt. Prøv igjen om litt."
PII_WARNING = "⚠️ Spørsmålet ser ut til å innehalde {kinds}. Ikkje skriv personopplysningar her – fjern det og spør på nytt."
REFUSAL_PREFIX = "ℹ️ "


@dataclass
class ChatSession:
    """One browser tab's conversation."""

    questions: list[str] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    @property
    def last(self) -> tuple[str, Answer] | None:
        return (self.questions[-1], self.answers[-1]) if self.answers else None


def escape_text(text: str) -> str:
    """Plain text for a Markdown-rendering chat bubble: no markup survives."""
    escaped = html.escape(text, quote=False)
    return re.sub(r"([\\`*_{}\[\]<>#|~])", r"\\\1", escaped).replace("\\[", "[").replace("\\]", "]")


def format_answer(answer: Answer) -> str:
    """The chat bubble text: refusals marked as such, answer text escaped (markers kept)."""
    body = escape_text(answer.text).replace("\\*\\*", "**")
    if answer.abstained:
        return f"{REFUSAL_PREFIX}*{body}*"
    return body


def _linkify(escaped: str) -> str:
    return re.sub(r"(https?://[^\s<]+[^\s<.,;:)])", r'<a href="\1" target="_blank" rel="noopener noreferrer">\1</a>', escaped)


def passage_html(doc_text: str, citation: Citation, context_chars: int = 400) -> str:
    """The cited quote highlighted inside its paragraph (HTML-escaped, links clickable)."""
    start, end = citation.start, citation.end
    para_start = doc_text.rfind("\n\n", 0, start)
    para_start = para_start + 2 if para_start >= 0 else 0
    if start - para_start > context_chars:  # long paragraph: start at a line or word boundary
        cut = start - context_chars
        line = doc_text.find("\n", cut, start)
        space = doc_text.find(" ", cut, start)
        para_start = line + 1 if line >= 0 else (space + 1 if space >= 0 else cut)
    para_end = doc_text.find("\n\n", end)
    para_end = para_end if para_end >= 0 else len(doc_text)
    if para_end - end > context_chars:
        cut = end + context_chars
        line = doc_text.rfind("\n", end, cut)
        space = doc_text.rfind(" ", end, cut)
        para_end = line if line >= 0 else (space if space >= 0 else cut)
    before = _linkify(html.escape(doc_text[para_start:start]))
    quote = _linkify(html.escape(doc_text[start:end]))
    after = _linkify(html.escape(doc_text[end:para_end]))
    body = f"{before}<mark>{quote}</mark>{after}".replace("\n", "<br>")
    return body


def sources_html(answer: Answer | None, doc_texts: dict[str, str]) -> str:
    """The sources panel for one answer."""
    if answer is None:
        return '<div class="sources-empty">Kjelder blir viste her. / Kilder vises her.</div>'
    if answer.abstained or not answer.citations:
        return '<div class="sources-empty refusal">Ingen kjelder: planane svarar ikkje på dette. / Ingen kilder: planene svarer ikke på dette.</div>'
    parts = ['<div class="sources">']
    for c in answer.citations:
        title = html.escape(c.title)
        where = html.escape(f"{c.municipality} · {c.section}" if c.section else c.municipality)
        passage = passage_html(doc_texts.get(c.doc_id, c.quote), c) if c.doc_id in doc_texts else f"<mark>{html.escape(c.quote)}</mark>"
        parts.append(
            f'<details class="source" open><summary><b>[{c.n}] {title}</b><br><small>{where}</small></summary>'
            f'<div class="passage">{passage}</div></details>'
        )
    parts.append("</div>")
    return "".join(parts)


def pii_warning(question: str) -> str:
    kinds = find_personal_data(question)
    return PII_WARNING.format(kinds=" og ".join(kinds)) if kinds else ""


def stream_words(text: str, chunk: int = 4) -> Iterator[str]:
    """Prefixes of ``text`` growing a few words at a time (keeps whitespace as written)."""
    pieces = re.findall(r"\S+\s*", text)
    for i in range(chunk, len(pieces) + chunk, chunk):
        yield "".join(pieces[:i])


def respond(
    assistant: Any,
    message: str,
    messages: list[dict[str, Any]] | None,
    session: ChatSession | None,
    municipality: str | None,
    delay: float = 0.012,
) -> Iterator[tuple[list[dict[str, Any]], str, ChatSession, str, str]]:
    """Yield (chat messages, sources html, session, warning, cleared input) as the answer streams."""
    session = session or ChatSession()
    messages = list(messages or [])
    message = message or ""
    warning = pii_warning(message)
    messages.append({"role": "user", "content": escape_text(message) or "…"})
    try:
        answer = assistant.ask(message, history=list(session.questions), municipality=normalise_municipality(municipality))
    except Exception:
        log.exception("answering failed")  # the question text is deliberately not logged
        messages.append({"role": "assistant", "content": ERROR_TEXT})
        yield messages, sources_html(None, {}), session, warning, ""
        return
    session.questions.append(message)
    session.answers.append(answer)
    doc_texts = getattr(getattr(assistant, "index", None), "doc_texts", {}) or {}
    final = format_answer(answer)
    messages.append({"role": "assistant", "content": ""})
    for partial in stream_words(final):
        messages[-1] = {"role": "assistant", "content": partial}
        yield messages, sources_html(None, {}), session, warning, ""
        if delay:
            time.sleep(delay)
    messages[-1] = {"role": "assistant", "content": final}
    yield messages, sources_html(answer, doc_texts), session, warning, ""


def reset() -> tuple[list[dict[str, Any]], str, ChatSession, str, str]:
    """'Ny samtale': an empty chat, no sources, a fresh session."""
    return [], sources_html(None, {}), ChatSession(), "", ""


def feedback(store: FeedbackStore, session: ChatSession | None, rating: str, comment: str) -> str:
    """Store 👍/👎 for the latest answer; returns a short confirmation."""
    if session is None or session.last is None:
        return "Still eit spørsmål først. / Still et spørsmål først."
    question, answer = session.last
    citations = [{"n": c.n, "doc_id": c.doc_id, "section": c.section, "quote": c.quote} for c in answer.citations]
    store.add(rating, question, answer.text, citations, comment)
    return "Takk for tilbakemeldinga! / Takk for tilbakemeldingen!"


def api_answer(assistant: Any, question: str, municipality: str | None = None, history: list[str] | None = None) -> dict[str, Any]:
    """The JSON the public API returns: the Answer as a dict, or a friendly error."""
    try:
        return assistant.ask(question or "", history=history or [], municipality=normalise_municipality(municipality)).to_dict()
    except Exception:
        log.exception("API answering failed")
        return {"text": ERROR_TEXT, "abstained": True, "language": "nb", "citations": [], "timings_ms": {}, "error": True}
