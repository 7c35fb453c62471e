"""Which question terms a passage covers, matched through lemmas, both standards and compounds.

Each unit (sentence or table row) and each section heading gets a set of term keys: the stem
of every word's shared form, plus the stems of its compound parts, so "kommunenivået" covers
"nivå" and "stafetthaldarrolla" covers "stafettholder". Coverage weighs terms by how rare they
are in the plans (idf), and a term the plans never use counts for less: it cannot tell one
passage from another.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from assistant.compounds import CompoundSplitter
from assistant.query import Term
from assistant.text import derived, is_content, normal, stem, words

UNKNOWN_TERM_SHARE = 0.5  # weight of a term the plans never use, relative to the median term


class Evidence:
    """Term keys of passages (computed once per passage) and coverage of question terms."""

    def __init__(self, splitter: CompoundSplitter, idf: dict[str, float]) -> None:
        self.splitter = splitter
        self.idf = idf
        ordered = sorted(idf.values())
        self._ordered_idf = ordered
        self._median_idf = ordered[len(ordered) // 2] if ordered else 1.0
        self._cache: dict[tuple[str, str], frozenset[str]] = {}

    def keys(self, cache_key: str, text: str, lang: str) -> frozenset[str]:
        """Term keys of ``text`` (cached under ``cache_key``: a unit or chunk id)."""
        found = self._cache.get((cache_key, lang))
        if found is None:
            found = self._cache[(cache_key, lang)] = frozenset(self._keys(text, lang))
        return found

    def _keys(self, text: str, lang: str) -> Iterable[str]:
        for word in words(text):
            for piece in [word] + (word.split("-") if "-" in word else []):
                if not piece or not is_content(piece):
                    continue
                canon = normal(piece, lang)
                key = stem(canon)
                yield key
                base = derived(key)
                if base:
                    yield base
                for part in self.splitter.split(canon):
                    yield stem(normal(part, lang))  # a part in the other standard ("åtferds-") meets its shared form
        yield from (f"nivå_{d}" for d in _levels(text))

    def word_key(self, word: str, lang: str) -> str:
        """The key of one word itself (its stem in the shared form), without its compound parts."""
        return next(iter(self._keys(word, lang)), "")

    def weight(self, term: Term) -> float:
        known = [self.idf[a[0]] for a in term.alternatives if len(a) == 1 and a[0] in self.idf]
        if known:
            return max(known)
        parts = [self.idf[p] for a in term.alternatives for p in a if p in self.idf]
        return max(parts) if parts else UNKNOWN_TERM_SHARE * self._median_idf

    def rare(self, term: Term, share: float) -> bool:
        """Whether the term is among the rarest ``share`` of the plans' words."""
        if not self._ordered_idf:
            return False
        cut = self._ordered_idf[int((1 - share) * (len(self._ordered_idf) - 1))]
        return self.weight(term) >= cut

    def known(self, term: Term) -> bool:
        """Whether the plans use the term (or a form that counts as it) anywhere."""
        return any(all(p in self.idf for p in alt) for alt in term.alternatives)

    @staticmethod
    def has(term: Term, keys: frozenset[str]) -> bool:
        return any(all(p in keys for p in alt) for alt in term.alternatives)

    def coverage(self, terms: list[Term], keys: frozenset[str]) -> float:
        """Share of the question's term weight that ``keys`` covers (0 when there are no terms)."""
        if not terms:
            return 0.0
        weights = [self.weight(t) for t in terms]
        total = sum(weights)
        found = sum(w for t, w in zip(terms, weights) if self.has(t, keys))
        return found / total if total else 0.0


def idf_table(document_tokens: Iterable[Iterable[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency over passages given as token lists."""
    df: dict[str, int] = {}
    n = 0
    for doc in document_tokens:
        n += 1
        for t in set(doc):
            df[t] = df.get(t, 0) + 1
    return {t: math.log(1 + n / (1 + d)) for t, d in df.items()}


def _levels(text: str) -> set[str]:
    import re

    return {m.group(2) for m in re.finditer(r"\b(nivå|trinn|level|steg)\s*(\d)\b", text, re.IGNORECASE)}
