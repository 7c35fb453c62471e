"""Reading a question: its language, municipality, intent, and follow-up context.

No LLM: small rules that are easy to test. A follow-up that lacks its own
topic ("Kven er stafetthaldar då?") borrows the topic words and municipality
of the earlier questions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assistant.text import tokens
from ingest.language import detect_language

MUNICIPALITIES = {
    "Sogndal": ("sogndal",),
    "Sandnes": ("sandnes",),
    "Sør-Aurdal": ("sør-aurdal", "sor-aurdal", "sør aurdal", "sor aurdal", "søraurdal", "soraurdal", "sør-aurdals"),
}

_INJECTION = re.compile(
    r"(ignor\w*\b.{0,40}\b(instruks\w*|instruction\w*|regl\w*|rule\w*|tidlegare|tidligere|previous|above|alle|all)"
    r"|(glem|gløym|forget|disregard)\w*\b.{0,30}\b(instruks\w*|instruction\w*|regl\w*|rule\w*|alt|everything)"
    r"|system\s*-?\s*prompt\w*|you are now|du er no\b|du er nå\b|pretend|lat som|act as|jailbreak|developer mode)",
    re.IGNORECASE,
)
_FOLLOW_UP = re.compile(r"^\s*(og|and|men|but|så|enn|what about|kva med|hva med)\b|\b(då|da|then|det|dette|denne|dei|de|them|it|that)\s*\??\s*$", re.IGNORECASE)
_LEVEL_Q = re.compile(r"\b(kva|hva|hvilke[tn]?|which|what)\b.{0,30}\b(nivå|trinn|level|step)\b|\b(nivå|trinn|level)\b.{0,20}\b(gjeld|gjelder|applies|apply)\b", re.IGNORECASE)
_WHO_Q = re.compile(r"\b(kven|hvem|who)\b|\bansvar(leg|lig|et)?\b|\bresponsible\b", re.IGNORECASE)
_CONTACT_Q = re.compile(
    r"\b(kontakt|kontakte|ta kontakt|nå|når eg|ringe|ring|reach|contact|call|søke|søkje|søknad|apply|melde|melding|"
    r"bekymringsmelding|report|henvis|henvise|tilvis|refer|referral|skjema|kome i kontakt|komme i kontakt|få tak i|finne)\b",
    re.IGNORECASE,
)
_NUMBER_Q = re.compile(r"\b(kor mange|hvor mange|how many|kor stor|hvor stor|prosent|percent|andel|tal|tall|number)\b", re.IGNORECASE)
_FREQUENCY_Q = re.compile(r"\b(kor ofte|hvor ofte|how often)\b", re.IGNORECASE)
_DURATION_Q = re.compile(r"\b(kor lenge|hvor lenge|how long|fram til|frem til|until)\b", re.IGNORECASE)
_TARGET_Q = re.compile(r"\bmålgrupp\w*|\btarget group|\b(kven|hvem|who)\b.*\bfor\s*\??\s*$|\b(kven|hvem|who)\b.*\b(kan bruke|kan nytte|gjeld|gjelder|is it for)\b", re.IGNORECASE)
_DATE_Q = re.compile(r"\b(når|kva tid|hvilket år|what year|when|frå når|fra når|dato|date|år)\b", re.IGNORECASE)
# What kind of answer a question wants; the composer prefers units of that shape.
INTENTS: list[tuple[str, re.Pattern[str]]] = [
    ("level", _LEVEL_Q),
    ("who", _WHO_Q),
    ("contact", _CONTACT_Q),
    ("number", _NUMBER_Q),
    ("date", _DATE_Q),
    ("frequency", _FREQUENCY_Q),
    ("duration", _DURATION_Q),
    ("target", _TARGET_Q),
]
# Details people ask for that a plan may simply not state; the evidence must show them.
DETAIL_PATTERNS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "phone": (
        re.compile(r"telefon\w*|tlf|phone|nummer\b|ringe\s+på", re.IGNORECASE),
        re.compile(r"(?<!\d)(\+47\s?)?\d{2}\s?\d{2}\s?\d{2}\s?\d{2}(?!\d)"),
    ),
    "price": (
        re.compile(r"\b(pris\w*|kost\w*|betal\w*|gebyr|eigendel|egenandel|price|cost|fee)\b", re.IGNORECASE),
        re.compile(r"\b(kr\.?|kroner|gratis|NOK|\d+\s?,-)\b", re.IGNORECASE),
    ),
    "hours": (
        re.compile(r"\b(opningstid\w*|åpningstid\w*|åpent|opening hours|open on|open at|klokka|klokken)\b", re.IGNORECASE),
        re.compile(r"\b(kl\.?\s?\d|\d{1,2}[:.]\d{2}\s?[-–]\s?\d{1,2}[:.]\d{2}|måndag|mandag|tysdag|tirsdag)", re.IGNORECASE),
    ),
    "email": (
        re.compile(r"\b(e-?post\w*|e-?mail|epostadresse)\b", re.IGNORECASE),
        re.compile(r"[\w.+-]+@[\w-]+\.\w+"),
    ),
    "count": (
        re.compile(r"\b(kor mange|hvor mange|how many)\b", re.IGNORECASE),
        re.compile(r"\d"),
    ),
    "next_date": (
        re.compile(r"\b(når er neste|når blir neste|kva tid er neste|når er det neste|when is the next)\b", re.IGNORECASE),
        re.compile(r"\b\d{1,2}\.\d{1,2}\.(\d{2,4})?|\b\d{1,2}\.\s?(januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember)\b|\b(måndag|mandag|tysdag|tirsdag|onsdag|torsdag|fredag)\b", re.IGNORECASE),
    ),
    "person": (
        re.compile(r"\b(kva heiter|hva heter|namnet på|navnet på|name of)\b", re.IGNORECASE),
        re.compile(r"$^"),
    ),
}


@dataclass
class Question:
    """A question after reading: what to search for and how to answer."""

    text: str
    search_text: str
    language: str
    municipality: str | None
    municipality_source: str  # "caller" | "question" | "history" | "none"
    intents: set[str] = field(default_factory=set)
    details: set[str] = field(default_factory=set)
    injection: bool = False
    follow_up: bool = False
    years: set[str] = field(default_factory=set)  # a year the question names must be in the evidence


def fold(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def detect_municipality(text: str) -> str | None:
    """The municipality named in ``text`` (the first one mentioned), if any."""
    lowered = fold(text).lower()
    found = []
    for name, variants in MUNICIPALITIES.items():
        positions = [lowered.find(v) for v in variants if v in lowered]
        if positions:
            found.append((min(positions), name))
    return min(found)[1] if found else None


def strip_municipalities(text: str) -> str:
    """Drop municipality names (and 'kommune') once they have become a filter: they only add noise."""
    variants = sorted((v for vs in MUNICIPALITIES.values() for v in vs), key=len, reverse=True)
    pattern = r"\b(?:i\s+|in\s+|på\s+)?(?:" + "|".join(re.escape(v) for v in variants) + r")(?:\s+kommune\w*|\s+municipality)?\b"
    out = re.sub(pattern, " ", fold(text), flags=re.IGNORECASE)
    return re.sub(r"\s{2,}", " ", out).strip()


def normalise_municipality(value: str | None) -> str | None:
    """Caller input like 'sor-aurdal', 'Alle' or '' → canonical name or None."""
    if not value or value.strip().lower() in ("alle", "all", "none", "*"):
        return None
    return detect_municipality(value) or value.strip()


def is_follow_up(question: str) -> bool:
    """Short or pronoun-led questions that need the earlier topic to make sense."""
    content = tokens(question)
    return len(content) <= 2 or (len(content) <= 3 and bool(_FOLLOW_UP.search(question)))


def strip_injection(text: str) -> tuple[str, bool]:
    """Remove sentences that try to change the instructions; report whether any did."""
    parts = re.split(r"(?<=[.!?:;])\s+|\n+", text)
    kept = [p for p in parts if not _INJECTION.search(p)]
    return " ".join(kept).strip(), len(kept) != len(parts)


def read_question(question: str, history: list[str], municipality: str | None) -> Question:
    """Language, municipality, intents and the text to search with."""
    text = fold(question).strip()
    clean, injected = strip_injection(text)
    language = detect_language(strip_municipalities(text))
    follow_up = bool(history) and is_follow_up(clean)
    search_text = clean
    source = "none"
    chosen = normalise_municipality(municipality)
    if chosen:
        source = "caller"
    elif detect_municipality(clean):
        chosen, source = detect_municipality(clean), "question"
    if follow_up:
        previous = [fold(h) for h in history[-2:]]
        search_text = f"{clean} {' '.join(previous)}"
        if chosen is None:
            for earlier in reversed(previous):
                if detect_municipality(earlier):
                    chosen, source = detect_municipality(earlier), "history"
                    break
    if chosen:
        search_text = strip_municipalities(search_text)
    intents = {name for name, pattern in INTENTS if pattern.search(clean)}
    if "target" in intents:
        intents.discard("who")  # "kven er X for?" asks for a target group, not a person
    details = {kind for kind, (ask, _) in DETAIL_PATTERNS.items() if ask.search(clean)}
    years = set(re.findall(r"\b(?:19|20)\d\d\b", clean))
    return Question(text, search_text, language, chosen, source, intents, details, injected, follow_up, years)
