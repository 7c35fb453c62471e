"""HTML for chat bubbles and the plan viewer, built from plain data (the chat's view of an Answer).

Every piece of text from a question, an answer or a plan is escaped here; the only
markup is ours. The chat bubbles go through Gradio's sanitizer, which drops ``data-*``
and ``aria-*`` attributes, so links carry what the page script needs in their
``href`` (``#fa-src-<key>-<n>`` opens a source card, ``#fa-plan-<key>-<n>`` opens the
plan viewer) and screen-reader words sit in visually hidden spans.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from assistant.models import Answer, Citation
from assistant.ui_strings import text as t

SECTION_SEP = " › "
_URL = re.compile(r"(https?://[^\s<]+[^\s<.,;:)»])")
_MARKER = re.compile(r"\[(\d{1,3})\]")
_BOLD = re.compile(r"\*\*([^*<>\n]{1,200}?)\*\*")
_LEAD_LINE = re.compile(r"^\s*(?:\*\*)?(?:Kort svar|Short answer)\s*:\s*(?:\*\*)?\s*", re.IGNORECASE)


def linkify(escaped: str) -> str:
    """Clickable links in already escaped text (opened in a new tab, no referrer)."""
    return _URL.sub(r'<a href="\1" target="_blank" rel="noopener noreferrer">\1</a>', escaped)


def split_lead(answer: Answer) -> tuple[str, str]:
    """(short answer, the rest). Uses ``answer.lead`` when set, else today's 'Kort svar: …' first line."""
    body = answer.text or ""
    lead = (answer.lead or "").strip()
    if lead:
        if body.startswith(answer.lead):
            body = body[len(answer.lead) :]
        return _without_label(lead), body.strip()
    first, _, rest = body.partition("\n")
    if _LEAD_LINE.match(first):
        return _without_label(first), rest.strip()
    return "", body.strip()


def _without_label(line: str) -> str:
    """'**Kort svar: Nivå 2** [1]' → 'Nivå 2 [1]' (the label is shown by the callout itself,
    and the bold that opened before it closes after the answer)."""
    rest = _LEAD_LINE.sub("", line).strip()
    if line.lstrip().startswith("**") and rest.count("**") % 2 == 1:
        rest = rest.replace("**", "", 1)
    return " ".join(rest.split())


def chip(key: str, n: int, lang: str) -> str:
    """A clickable [n] that opens source card n of this answer."""
    return f'<a class="fa-chip" href="#fa-src-{key}-{n}"><span class="fa-sr">{html.escape(t(lang, "source_word"))} </span>{n}</a>'


def inline_text(raw: str, key: str, numbers: set[int], lang: str) -> str:
    """One stretch of answer text: escaped, links clickable, known [n] markers as chips."""
    body = linkify(html.escape(raw.strip(), quote=False))
    body = _BOLD.sub(r"<strong>\1</strong>", body)  # the composer's only markup: **Municipality:** labels
    body = _MARKER.sub(lambda m: chip(key, int(m.group(1)), lang) if int(m.group(1)) in numbers else m.group(0), body)
    return body.replace("\n", "<br>")


def rich_text(raw: str, key: str, numbers: set[int], lang: str) -> str:
    """Answer text as paragraphs (blank lines split them)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", raw.strip()) if p.strip()]
    return "".join(f"<p>{inline_text(p, key, numbers, lang)}</p>" for p in paragraphs)


def question_html(question: str) -> str:
    """The user's bubble: plain text, nothing interpreted."""
    return '<div class="fa-question"><p>' + html.escape(question or "…").replace("\n", "<br>") + "</p></div>"


def crumbs(citation: Citation) -> list[str]:
    """Municipality › plan title › section path, for breadcrumbs."""
    parts = [citation.municipality, citation.title]
    parts += [p for p in (citation.section or "").split(SECTION_SEP) if p.strip()]
    return [p for p in parts if p]


def passage_html(doc_text: str, citation: Citation, context_chars: int = 300) -> str:
    """The quote highlighted inside its paragraph (cut at a word boundary when long)."""
    start, end = citation.start, citation.end
    if not doc_text or not (0 <= start < end <= len(doc_text)):
        return f"<mark>{html.escape(citation.quote)}</mark>"
    para_start = doc_text.rfind("\n\n", 0, start)
    para_start = para_start + 2 if para_start >= 0 else 0
    if start - para_start > context_chars:
        space = doc_text.find(" ", start - context_chars, start)
        para_start = space + 1 if space >= 0 else start - context_chars
    para_end = doc_text.find("\n\n", end)
    para_end = para_end if para_end >= 0 else len(doc_text)
    if para_end - end > context_chars:
        space = doc_text.rfind(" ", end, end + context_chars)
        para_end = space if space >= 0 else end + context_chars
    lead = "… " if para_start > 0 and doc_text[para_start - 1] not in "\n" else ""
    tail = " …" if para_end < len(doc_text) and doc_text[para_end] not in "\n" else ""
    before, quote, after = (linkify(html.escape(doc_text[a:b], quote=False)) for a, b in ((para_start, start), (start, end), (end, para_end)))
    return f"{lead}{before}<mark>{quote}</mark>{after}{tail}".replace("\n", "<br>")


def source_card(c: Citation, key: str, doc_text: str, lang: str) -> str:
    """One collapsed card: number, plan, municipality; open: path, quote in context, 'open plan'."""
    path = html.escape(SECTION_SEP.join(crumbs(c)))
    return (
        f'<details class="fa-source" id="fa-src-{key}-{c.n}"><summary>'
        f'<span class="fa-num">{c.n}</span> <span class="fa-src-title">{html.escape(c.title)}</span>'
        f' <span class="fa-src-where">({html.escape(c.municipality)})</span></summary>'
        f'<p class="fa-crumbs">{path}</p>'
        f'<blockquote class="fa-passage">{passage_html(doc_text, c)}</blockquote>'
        f'<p class="fa-open-row"><a class="fa-open" href="#fa-plan-{key}-{c.n}">{html.escape(t(lang, "open_plan"))}</a></p>'
        "</details>"
    )


def answer_html(answer: Answer, key: str, lang: str, doc_texts: dict[str, str] | None = None, *, body_prefix: str | None = None, notice: str = "") -> str:
    """The assistant's bubble: short answer first, then the quotes, then its own sources.

    ``body_prefix`` renders a partial body while the answer streams (no source cards yet).
    """
    doc_texts = doc_texts or {}
    numbers = {c.n for c in answer.citations}
    if answer.abstained:
        # the refusal itself, then the help the plans name (cited, its service in bold) as an answer's body
        said, _, help_text = answer.text.partition("\n\n")
        parts = [f'<div class="fa-answer fa-refusal"><p><span aria-hidden="true">ℹ️ </span><em>{inline_text(said, key, numbers, lang)}</em></p>']
        if help_text.strip():
            parts.append(f'<div class="fa-body">{rich_text(help_text, key, numbers, lang)}</div>')
        if body_prefix is None:
            parts.append(_sources(answer, key, doc_texts, lang) if answer.citations else f'<p class="fa-nosrc">{html.escape(t(lang, "no_sources"))}</p>')
    else:
        lead, body = split_lead(answer)
        parts = ['<div class="fa-answer">']
        if lead:
            parts.append(f'<p class="fa-lead"><strong>{html.escape(t(lang, "lead_label"))}</strong> {inline_text(lead, key, numbers, lang)}</p>')
        shown = body if body_prefix is None else body_prefix
        parts.append(f'<div class="fa-body">{rich_text(shown, key, numbers, lang)}</div>')
        if body_prefix is None and answer.citations:
            parts.append(_sources(answer, key, doc_texts, lang))
    if notice and body_prefix is None:
        parts.append(f'<p class="fa-notice">{html.escape(notice)}</p>')
    parts.append("</div>")
    return "".join(parts)


def _sources(answer: Answer, key: str, doc_texts: dict[str, str], lang: str) -> str:
    """The answer's own source cards under a heading that counts them."""
    cards = "".join(source_card(c, key, doc_texts.get(c.doc_id, ""), lang) for c in answer.citations)
    return f'<div class="fa-sources"><p class="fa-sources-title">{html.escape(t(lang, "sources_title", n=len(answer.citations)))}</p>{cards}</div>'


def _paragraph_spans(doc_text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for m in re.finditer(r"\n\s*\n", doc_text):
        yield start, m.start()
        start = m.end()
    yield start, len(doc_text)


def _marked(doc_text: str, a: int, b: int, ranges: list[tuple[int, int, bool]]) -> str:
    """Text [a, b) escaped, with every cited range inside it wrapped in <mark>."""
    out, pos = [], a
    for start, end, focus in ranges:
        lo, hi = max(start, a), min(end, b)
        if lo >= hi:
            continue
        out.append(linkify(html.escape(doc_text[pos:lo], quote=False)))
        attrs = ' class="fa-focus" id="fa-focus"' if focus else ""
        out.append(f"<mark{attrs}>{html.escape(doc_text[lo:hi], quote=False)}</mark>")
        pos = hi
    out.append(linkify(html.escape(doc_text[pos:b], quote=False)))
    return "".join(out).replace("\n", "<br>")


def plan_viewer_html(doc_text: str, focus: Citation, citations: list[Citation], lang: str, meta: Any | None = None) -> str:
    """The whole cleaned plan, the answer's quotes from it highlighted, the opened one in focus.

    The page script scrolls ``#fa-focus`` into view and moves focus to the heading.
    """
    ranges = sorted({(c.start, c.end, c.n == focus.n) for c in citations if c.doc_id == focus.doc_id})
    first_focus_done = False
    paragraphs = []
    for a, b in _paragraph_spans(doc_text):
        if not doc_text[a:b].strip():
            continue
        here = []
        for start, end, is_focus in ranges:
            flag = is_focus and not first_focus_done and start < b and end > a
            if flag:
                first_focus_done = True
            here.append((start, end, flag))
        paragraphs.append(f"<p>{_marked(doc_text, a, b, here)}</p>")
    title = getattr(meta, "title", None) or focus.title
    period = getattr(meta, "period", "") or ""
    if period.casefold() in title.casefold():
        period = ""  # "… fram mot 2030" needs no "(fram mot 2030)"
    crumb_items = "".join(f"<li>{html.escape(p)}</li>" for p in crumbs(focus))
    return (
        '<section class="fa-viewer" aria-labelledby="fa-viewer-title">'
        '<div class="fa-viewer-head">'
        f'<h2 id="fa-viewer-title" tabindex="-1">{html.escape(title)}{" (" + html.escape(period) + ")" if period else ""}</h2>'
        f'<button type="button" class="fa-viewer-close">{html.escape(t(lang, "viewer_close"))}</button>'
        "</div>"
        f'<nav class="fa-viewer-crumbs" aria-label="{html.escape(t(lang, "viewer_crumbs"))}"><ol>{crumb_items}</ol></nav>'
        f'<p class="fa-viewer-hint">{html.escape(t(lang, "viewer_hint"))}</p>'
        f'<div class="fa-viewer-text" tabindex="0" role="region" aria-label="{html.escape(t(lang, "viewer_text"))}">{"".join(paragraphs)}</div>'
        "</section>"
    )


def viewer_missing_html(lang: str) -> str:
    """What the viewer says when a source is no longer in the conversation."""
    return f'<section class="fa-viewer"><p>{html.escape(t(lang, "viewer_missing"))}</p><button type="button" class="fa-viewer-close">{html.escape(t(lang, "viewer_close"))}</button></section>'
