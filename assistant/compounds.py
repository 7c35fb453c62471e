"""Split Norwegian compounds into known parts: "kommunenivå" → kommune + nivå.

Norwegian writes compounds as one word, so a question's "kommunenivået" and a plan's
"kommune nivå" (or "stafetthaldarrolla" and "rolla som stafetthaldar") share no word. A part
is *known* when the plan vocabulary has it or simplemma's nn or nb dictionary does; parts may
be joined by the linking letters -s- or -e- ("bekymring-s-melding", "barn-e-hage"). The split
that keeps parts longest wins, and the head (last part) is split again once, so three-part
compounds ("foreldrestøttetiltak") come apart too. No word lists per compound.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

MIN_PART = 3
MIN_WORD = 7
LINKS = ("", "s", "e")
HOLDERS_MEMO = 20_000


def _with_prefix(ordered: list[str], prefix: str) -> list[str]:
    """The words of a sorted list that start with ``prefix``."""
    at = bisect.bisect_left(ordered, prefix)
    out = []
    while at < len(ordered) and ordered[at].startswith(prefix):
        out.append(ordered[at])
        at += 1
    return out


def dictionary_known(word: str) -> bool:
    import simplemma

    return simplemma.is_known(word, lang="nb") or simplemma.is_known(word, lang="nn")


class CompoundSplitter:
    """Splits words against a vocabulary (e.g. the plans' lemmas) plus the lemma dictionaries."""

    def __init__(self, vocabulary: Iterable[str] = (), known: Callable[[str], bool] = dictionary_known) -> None:
        self._vocabulary = frozenset(w for w in vocabulary if len(w) >= MIN_PART)
        self._known_fn = known
        self._known_cache: dict[str, bool] = {}
        self._cache: dict[str, tuple[str, ...]] = {}
        self._holders: dict[str, tuple[str, ...]] = {}
        self._by_start: list[str] | None = None
        self._by_end: list[str] = []

    def in_vocabulary(self, word: str) -> bool:
        """Whether the plans themselves use ``word`` (a lemma)."""
        return word in self._vocabulary

    def known(self, word: str) -> bool:
        if word in self._vocabulary:
            return True
        found = self._known_cache.get(word)
        if found is None:
            found = self._known_cache[word] = len(word) >= MIN_PART and self._known_fn(word)
        return found

    def compounds_with(self, word: str, most: int = 4) -> tuple[str, ...]:
        """The plans' compounds that begin or end with ``word`` as a part, for a word the plans
        never use on their own: a reader's "søvn" is in the plans' "søvnveiledning", "skjerm" in
        "skjermbruk". Shortest first (the most general), at most ``most``; () for a word the plans
        use. Found by binary search in the sorted vocabulary and its reversed words, so a national
        vocabulary costs microseconds per word, not a scan."""
        if len(word) < MIN_PART + 1 or word in self._vocabulary:
            return ()
        found = self._holders.get(word)
        if found is None:
            if len(self._holders) > HOLDERS_MEMO:
                self._holders.clear()  # a memo, bounded: readers' words are unbounded
            starts, ends = self._sorted()
            candidates = _with_prefix(starts, word) + [v[::-1] for v in _with_prefix(ends, word[::-1])]
            candidates = sorted({v for v in candidates if len(v) >= MIN_WORD}, key=lambda v: (len(v), v))
            found = self._holders[word] = tuple(v for v in candidates if word in self.split(v))[:most]
        return found

    def _sorted(self) -> tuple[list[str], list[str]]:
        if self._by_start is None:
            self._by_start = sorted(self._vocabulary)
            self._by_end = sorted(v[::-1] for v in self._vocabulary)
        return self._by_start, self._by_end

    def split(self, word: str) -> tuple[str, ...]:
        """The parts of ``word`` (lower case), or () when it is not a compound of known parts."""
        parts = self._parts(word, depth=3)
        return parts if len(parts) > 1 else ()

    def _parts(self, word: str, depth: int) -> tuple[str, ...]:
        """``word`` as known parts: itself when known, else the best split, else ()."""
        key = f"{depth}:{word}"
        if key in self._cache:
            return self._cache[key]
        found: tuple[str, ...] = ()
        if len(word) >= MIN_WORD and word.isalpha() and depth > 0:
            found = self._best_split(word, depth)
        if not found and self.known(word):
            found = (word,)
        self._cache[key] = found
        return found

    def _best_split(self, word: str, depth: int) -> tuple[str, ...]:
        """Fewest parts first, then the longest shortest part; a linking -s-/-e- is dropped."""
        best: tuple[tuple[int, int], tuple[str, ...]] | None = None
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            head = self._whole_or_parts(word[i:], depth - 1)
            if not head:
                continue
            for link in LINKS:
                left = word[:i]
                if link and not left.endswith(link):
                    continue
                left = left[: len(left) - len(link)] if link else left
                if len(left) < MIN_PART:
                    continue
                first = self._whole_or_parts(left, depth - 1)
                if not first:
                    continue
                parts = (*first, *head)
                score = (-len(parts), min(len(p) for p in parts), len(link) > 0)
                if best is None or score > best[0]:
                    best = (score, parts)
        return best[1] if best else ()

    def _whole_or_parts(self, word: str, depth: int) -> tuple[str, ...]:
        """A known word stays whole; an unknown one may be split further while depth lasts."""
        if self.known(word):
            return (word,)
        return self._parts(word, depth) if depth > 0 else ()
