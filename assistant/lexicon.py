"""The lexicon (``lexicon.toml``) as lookups: one standard's word for the other's, a reader's
word for the plans' words, stopwords.

Data, not code: the rules for what may be an entry are in the TOML file and its test. The
lookups work on lemmas, so one entry covers every inflection.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

LEXICON_PATH = Path(__file__).with_name("lexicon.toml")


@dataclass(frozen=True)
class Lexicon:
    """Read-only lookups built once from the TOML file."""

    standards: dict[str, str]  # Nynorsk lemma → Bokmål lemma
    expansions: dict[str, tuple[str, ...]]  # reader's lemma or phrase → plan lemmas (canonical)
    stopwords: frozenset[str]  # Norwegian (and the question words of every language)
    english_stopwords: frozenset[str]  # only for English text: many are Norwegian words too ("by", "her")
    longest_phrase: int

    @cached_property  # asked once per distinct word at tokenisation: built once
    def shared_forms(self) -> frozenset[str]:
        """The Bokmål spellings the standards table maps to: already in the shared form."""
        return frozenset(self.standards.values())

    def canonical(self, lemma: str) -> str:
        """The shared (Bokmål) spelling of a lemma, so both standards meet in one form."""
        return self.standards.get(lemma, lemma)

    def stop(self, lang: str) -> frozenset[str]:
        return self.stopwords | self.english_stopwords if lang == "en" else self.stopwords

    def expand(self, lemma_or_phrase: str) -> tuple[str, ...]:
        """Plan words that a reader's word (or English phrase) stands for; empty if none."""
        return self.expansions.get(lemma_or_phrase, ())


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = tomllib.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    standards = {k.lower(): v.lower() for k, v in data["standards"].items()}
    expansions: dict[str, tuple[str, ...]] = {}
    for section in ("everyday", "english"):
        for key, values in data[section].items():
            merged = expansions.get(key.lower(), ())
            canon = tuple(standards.get(v.lower(), v.lower()) for v in values)
            expansions[key.lower()] = tuple(dict.fromkeys(merged + canon))
    from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_NORWEGIAN

    stop = frozenset({w.lower() for w in data["stopwords"]["words"]} | set(STOPWORDS_NORWEGIAN))
    english = frozenset(STOPWORDS_EN_PLUS) | frozenset(w.lower() for w in data["stopwords"].get("english", []))
    longest = max((len(k.split()) for k in expansions), default=1)
    return Lexicon(standards, expansions, stop, english, longest)
