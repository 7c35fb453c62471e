"""Tokens for BM25 and lexical matching: Nynorsk/Bokmål folded together.

Both questions and plan text pass through :func:`tokens`: lower-case words,
the term map from ``terms.toml`` (Nynorsk → shared spelling, lay → plan
word), Norwegian stopwords dropped, Snowball Norwegian stems. "nivå 2" and
"trinn 2" also yield a joint token so level numbers count.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

_WORD = re.compile(r"[0-9a-zæøåéèüöäA-ZÆØÅÉÈÜÖÄ]+(?:-[a-zæøå]+)*", re.UNICODE)
_LEVEL = re.compile(r"\b(nivå|trinn|level|steg)\s*(\d)\b", re.IGNORECASE)

EXTRA_STOPWORDS = {
    "kva", "kven", "korleis", "kvifor", "kor", "kvar", "hva", "hvem", "hvordan", "hvorfor", "hvor", "hvilke",
    "hvilken", "hvilket", "kva for", "eg", "jeg", "ikkje", "ikke", "ein", "eit", "dei", "frå", "då", "vere",
    "vera", "er", "kan", "skal", "må", "bør", "få", "får", "seg", "sin", "si", "sitt", "sine", "me", "vi",
    "ho", "han", "det", "den", "dette", "desse", "disse", "om", "på", "av", "til", "for", "med", "og", "i",
    "the", "what", "who", "how", "is", "are", "a", "an", "of", "in", "does", "do", "which", "when",
    "my", "i", "for", "and", "there", "can", "should", "on", "when", "gets", "get", "happens", "happen", "about",
    "at", "by", "from", "with", "me", "we", "our", "it", "this", "that", "cover", "covers", "does", "mitt", "mi", "min", "mine", "vårt", "vår", "noko",
    "noe", "nokon", "noen", "blir", "bli", "vert", "gjer", "gjør", "når", "sidan", "siden", "no", "nå",
    "då", "da", "ja", "nei", "også", "òg", "berre", "bare", "eller", "men", "so", "så", "å", "at",
    "sier", "seier", "står", "planen", "planane", "planene", "plan", "kommune", "kommunen",
}


@lru_cache(maxsize=1)
def term_map() -> dict[str, str]:
    """The folded term map (all sections), read once from terms.toml."""
    data = tomllib.loads((Path(__file__).with_name("terms.toml")).read_text(encoding="utf-8"))
    merged: dict[str, str] = {}
    for section in data.values():
        merged.update({k.lower(): v.lower() for k, v in section.items()})
    return {key: _resolve(merged, key) for key in merged}


def _resolve(mapping: dict[str, str], key: str) -> str:
    """Follow chains (søkje → søke → søknad) to the end; a cycle is a data error."""
    seen = {key}
    value = mapping[key]
    while value in mapping and mapping[value] != value:
        if value in seen:
            raise ValueError(f"terms.toml has a cycle through '{value}'")
        seen.add(value)
        value = mapping[value]
    return value


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("norwegian")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_NORWEGIAN

    return frozenset(set(STOPWORDS_NORWEGIAN) | EXTRA_STOPWORDS)


def words(text: str) -> list[str]:
    """Lower-case words with the term map applied."""
    mapping = term_map()
    return [mapping.get(w, w) for w in (m.group(0).lower() for m in _WORD.finditer(text))]


@lru_cache(maxsize=50000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def tokens(text: str) -> list[str]:
    """Content tokens for BM25 and overlap: mapped, stopwords out, stemmed, plus level tokens.

    A hyphenated word ("COS-kurset", "BTI-teamet") yields the whole and its parts.
    """
    stop = stopwords()
    mapping = term_map()
    out = []
    for w in words(text):
        parts = [w] + ([mapping.get(p, p) for p in w.split("-") if p] if "-" in w else [])
        out.extend(stem(p) for p in parts if p not in stop and (len(p) > 1 or p.isdigit()))
    out.extend(f"nivå_{m.group(2)}" for m in _LEVEL.finditer(text))
    return out
