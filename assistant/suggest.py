"""Two or three next questions after an answer, in the asker's written standard.

From the document's structure, not from a list: the sections next to the one that answered
("Kva seier planen om «Nivå 3: …»?"), and the same question for another municipality whose
plans also answer it. Every suggestion is a question the plans can answer.
"""

from __future__ import annotations

import re

from assistant.render import say
from ingest.models import Chunk

MAX_SUGGESTIONS = 3
MAX_HEADING_WORDS = 9


def neighbour_headings(chunks: list[Chunk], answered: Chunk) -> list[str]:
    """Headings of the sections just before and after the answering one in the same plan."""
    doc = [c for c in chunks if c.doc_id == answered.doc_id and c.kind == "text"]
    sections: list[str] = []
    for c in doc:
        if c.section and (not sections or sections[-1] != c.section):
            sections.append(c.section)
    if answered.section not in sections:
        return []
    i = sections.index(answered.section)
    out = []
    for j in (i + 1, i - 1, i + 2):
        if 0 <= j < len(sections):
            heading = sections[j].split(" › ")[-1].strip()
            heading = re.sub(r"^\d+(\.\d+)*\s*", "", heading)
            if heading and len(heading.split()) <= MAX_HEADING_WORDS and heading != answered.section.split(" › ")[-1]:
                out.append(heading)
    return list(dict.fromkeys(out))


def for_municipality(question_text: str, municipality: str, lang: str) -> str:
    """The same question about another municipality."""
    core = question_text.strip().rstrip("?.! ")
    return say(lang, "suggest_municipality", question=core, municipality=municipality)


_WORD = re.compile(r"\w+")
_WEB_ADDRESS = re.compile(r"https?://|www\.|\b[\w-]+\.(?:no|com|org|net|se|dk)\b", re.IGNORECASE)


def _worth_asking(heading: str, asked_words: set[str]) -> bool:
    """A heading whose words the question already holds ("BTI" after "Kva er BTI?") would ask it
    again; one naming a web page ("En barndom for livet - regjeringen.no") is a reference, not a section."""
    words = set(_WORD.findall(heading.lower()))
    return bool(words - asked_words) and not _WEB_ADDRESS.search(heading)


def suggestions(lang: str, asked: str, headings: list[str], other_municipalities: list[tuple[str, str]]) -> list[str]:
    """Up to three: another municipality first (when one answers), then neighbouring sections."""
    out: list[str] = [for_municipality(text, m, lang) for text, m in other_municipalities[:1]]
    asked_words = set(_WORD.findall(asked.lower()))
    out += [say(lang, "suggest_section", heading=h) for h in headings if _worth_asking(h, asked_words)]
    seen = {asked.strip().lower()}
    unique = []
    for s in out:
        if s.lower() not in seen:
            seen.add(s.lower())
            unique.append(s)
    return unique[:MAX_SUGGESTIONS]
