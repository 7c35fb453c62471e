"""Split Norwegian text into sentences with character offsets.

Plans are full of abbreviations ("bl.a.", "f.eks.", "jf.", "Meld. St. 6") and
URLs; a sentence ends at . ! ? followed by space and a capital, a digit or an
opening quote, unless the word before the stop is a known abbreviation.
"""

from __future__ import annotations

import re

ABBREVIATIONS = {
    "bl.a", "f.eks", "t.d", "jf", "kap", "nr", "ca", "evt", "utg", "dvs", "mv", "m.m", "ev", "meld", "st",
    "s", "art", "pkt", "prop", "ref", "tlf", "mob", "kl", "ifb", "iht", "inkl", "ekskl", "osv", "o.l",
    "m.fl", "mnd", "år", "dr", "stk", "avd", "adm", "bl", "f", "t",
}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"»”)]?\s+(?=[«\"“(]?[A-ZÆØÅ0-9])")
# "1.", "Risikofaktorer: 2." alone: the number of a list item, not a sentence
_ENUMERATOR = re.compile(r"^(?:[^.!?:]{1,80}:\s*)?\d{1,2}\.$")


def split_sentences(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    """Return (sentence, start, end) triples; offsets are shifted by ``offset``."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        cut = match.start()
        before = text[start:cut].rstrip()
        last_word = re.split(r"[\s(]", before)[-1].rstrip(".!?").lower() if before else ""
        if last_word in ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()) or _ENUMERATOR.match(before):
            continue
        end = cut
        while end < len(text) and text[end] in "\"»”)":
            end += 1
        spans.append((start, end))
        start = match.end()
    spans.append((start, len(text)))
    result = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            result.append((text[s:e], s + offset, e + offset))
    return result
