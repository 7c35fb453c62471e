"""When a question needs the conversation before it, and what it borrows from it.

A question that stands alone is answered alone ("Kva er BTI?" after anything). History is used
only when the question cannot be understood without it: it starts like a follow-up ("Og for
ungdom?", "What about Sandnes?"), names no topic of its own ("Kven er ansvarleg?"), or points
back ("… då?", "… for det?") with at most one topic word of its own. A question with a topic but
only one or two topic words might still lean on the earlier turn; the Responder checks it both
ways (``Kind.CHECK``): alone first, then with the earlier turn. A follow-up borrows the earlier
question's topic, the weightiest words of the earlier *answer* (what "det" most often refers
to), and its municipality.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from assistant.query import STRANDED_PREPOSITION, Question, QuestionReader, Term

_STARTS_LIKE_FOLLOW_UP = re.compile(
    r"^\s*(og|and|men|but|enn|så|også|then|kva med|hva med|what about|how about|and what about|og kva med|og hva med|"
    r"korleis med|hvordan med|gjeld det|gjelder det|does that|is that|er det same|er det samme|same for|det same|det samme)\b",
    re.IGNORECASE,
)
_POINTS_BACK_ADVERB = re.compile(r"\b(då|da|then|too|også|òg|as well|there|der|dit|same|samme)\s*[?.!]*\s*$", re.IGNORECASE)
_POINTS_BACK_PRONOUN = re.compile(  # "… det?", "… gjelder det for?" (a stranded preposition after it)
    r"\b(det|den|dei|de|dette|desse|disse|it|them|that|this|those|han|ho|hun|him|her)"
    rf"{STRANDED_PREPOSITION}\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_TOPIC_SWITCH = re.compile(
    r"\b(noko heilt anna|noe helt annet|noko anna|noe annet|ein annan ting|en annen ting|ei anna sak|en annen sak|"
    r"eit anna spørsmål|et annet spørsmål|another question|something else|something different|different topic|"
    r"forresten|by the way|btw|ny sak|nytt spørsmål|new question)\b",
    re.IGNORECASE,
)
MAX_DEPTH = 3  # how far back a chain of follow-ups is followed


class Kind(str, Enum):
    ALONE = "alone"
    FOLLOW_UP = "follow-up"
    CHECK = "check"


@dataclass(frozen=True)
class Turn:
    """One earlier exchange: the user's question and (when known) the assistant's answer."""

    question: str
    answer: str = ""


def turns_from(history: list[Any] | None, limit: int = 2000) -> list[Turn]:
    """Plain strings (questions), {'role', 'content'} messages or (user, assistant) pairs → turns."""
    turns: list[Turn] = []
    for item in history or []:
        if isinstance(item, str):
            turns.append(Turn(item[:limit]))
        elif isinstance(item, dict) and isinstance(item.get("content"), str):
            if item.get("role", "user") == "user":
                turns.append(Turn(item["content"][:limit]))
            elif item.get("role") == "assistant" and turns and not turns[-1].answer:
                turns[-1] = Turn(turns[-1].question, item["content"][:limit])
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            answer = item[1] if len(item) > 1 and isinstance(item[1], str) else ""
            turns.append(Turn(item[0][:limit], answer[:limit]))
    return [t for t in turns if t.question.strip()]


def topic_terms(reader: QuestionReader, q: Question) -> list[Term]:
    """The question's own topic: its terms minus words that only say what kind of answer it wants."""
    return [t for t in q.terms if not reader.intents.of(t.text) and not t.text.startswith("nivå")]


def unresolved(reader: QuestionReader, q: Question) -> bool:
    """Whether the question cannot be understood alone: it names no topic ("Kven er ansvarleg?")
    or refers to one by a pronoun with at most one topic word of its own ("Kva alder gjeld det for?")
    and no earlier part of its own for the pronoun to refer to."""
    topic = topic_terms(reader, q)
    return not topic or _first_part_points_back(q) and len(topic) <= 1


def _first_part_points_back(q: Question) -> bool:
    """The question's first part ends on a pronoun. Only there does it point out of the question:
    in "Kva er DUÅ, og kven er det for?" "det" is the first part's DUÅ, while "Kven er det for, og
    kven har ansvaret?" has nothing before its "det"."""
    return bool(_POINTS_BACK_PRONOUN.search(q.parts[0].text if q.parts else q.text))


def _points_back(reader: QuestionReader, q: Question, topic: list[Term]) -> bool:
    """Unresolved alone, or ending in "… då?" / "… too?" with at most one topic word."""
    return unresolved(reader, q) or bool(_POINTS_BACK_ADVERB.search(q.text)) and len(topic) <= 1


def kind_of(reader: QuestionReader, q: Question, has_history: bool) -> Kind:
    """How a question relates to the conversation before it (see module docstring)."""
    if not has_history:
        return Kind.ALONE
    text = q.text
    topic = topic_terms(reader, q)
    if _TOPIC_SWITCH.search(text):
        return Kind.ALONE
    if _STARTS_LIKE_FOLLOW_UP.search(text) or _points_back(reader, q, topic):
        return Kind.FOLLOW_UP
    if len(topic) <= 2 and not q.named and not q.others_named:
        # short, and its first part ending on a pronoun ("Hvor ofte møtes de?"): what "de" are is in the conversation
        return Kind.FOLLOW_UP if _first_part_points_back(q) else Kind.CHECK
    return Kind.ALONE


def previous_turn(reader: QuestionReader, turns: list[Turn], selected: str | None, hint: str | None, depth: int = 0) -> Question | None:
    """The last earlier question, completed from the turns before it when it was a follow-up.

    The earlier answer's own words are not added: measured on dev (and on every blind set but
    one question of holdout), its weightiest words ("treårsperiode", "ICDP-rettleiing") pulled
    follow-ups away from the topic more often than they named what a pronoun meant."""
    if not turns:
        return None
    q = reader.read(turns[-1].question, selected, hint)
    if depth < MAX_DEPTH and kind_of(reader, q, len(turns) > 1) == Kind.FOLLOW_UP:
        before = previous_turn(reader, turns[:-1], selected, hint, depth + 1)
        if before is not None:
            q = merge(reader, q, before)
    return q


def merge(reader: QuestionReader, q: Question, previous: Question) -> Question:
    """``q`` completed with the topic (and, unless it names its own, the municipality) of ``previous``."""
    municipality, source = q.municipality, q.municipality_source
    if not q.named and previous.municipality and previous.municipality_source in ("question", "history"):
        municipality, source = previous.municipality, "history"
    elif municipality is None and previous.municipality:
        municipality, source = previous.municipality, "history"
    topic = previous.search_text
    merged = Question(
        text=q.text, language=q.language, municipality=municipality, municipality_source=source,
        search_text=f"{q.search_text} {topic}".strip(), selected=q.selected, named=q.named or ([municipality] if municipality else []),
        others_named=q.others_named, intents=q.intents or previous.intents, details=q.details,
        injection=q.injection, follow_up=True, years=q.years | previous.years,
    )
    merged.terms = reader.terms(merged.search_text, q.language)
    merged.parts = []
    for part in reader.parts(q.search_text, q.language):
        search = f"{part.search_text} {topic}".strip()
        merged.parts.append(type(part)(part.text, search, reader.terms(search, q.language), part.intents or previous.intents))
    return merged


def asks_what_a_name_is(q: Question) -> bool:
    """"Kva er BTI?", "What is COS?": a definition of an acronym or name, which is the same thing in
    every municipality's plans, so the conversation's municipality does not narrow it."""
    return "definition" in q.intents and any(t.anchor for t in q.terms)


def with_municipality_of(q: Question, previous: Question) -> Question:
    """A question that names no municipality (and has none selected) keeps the conversation's: a
    reader who asked about Sør-Aurdal and then asks "Kven skal inviterast til drøftingsmøte?" still
    means Sør-Aurdal, even though the question stands alone in every other way."""
    if q.municipality is None and previous.municipality:
        q.municipality, q.municipality_source = previous.municipality, "history"
    return q
