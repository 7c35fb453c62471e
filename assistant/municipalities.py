"""Which municipality a text names: the ones with plans (from the index, i.e. the manifest) and
the rest of Norway's (from ``ingest/norwegian_municipalities.txt``), so a question about Bergen is
told that no Bergen plan is loaded instead of getting another municipality's answer.

Spelling variants are made by rule, not listed: case, ASCII folding ("Sor-Aurdal"),
hyphen or space ("Sør Aurdal"), the genitive -s ("Sandnes'", "Sogndals") and the first part of a
hyphenated compound ("Sør-Aurdal-planen", "Sogndal-modellen").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.municipality_names import _ASCII, _fold, name_groups, norwegian_municipalities, variants

__all__ = ["Mention", "Municipalities", "name_groups", "norwegian_municipalities", "variants"]


@dataclass(frozen=True)
class Mention:
    name: str  # canonical name
    start: int
    in_corpus: bool


class Municipalities:
    """Finds municipality names in text. Corpus names match in any case; other names only
    capitalised (many are also common words: "Heim", "Time", "Strand", "Os")."""

    def __init__(self, corpus_names: Iterable[str]) -> None:
        self.corpus = tuple(dict.fromkeys(n for n in corpus_names if n))
        corpus_folded = {_fold(n): n for n in self.corpus}
        aliases = {alias: corpus_folded[_fold(name)] for group in name_groups() for name in group
                   if _fold(name) in corpus_folded for alias in group}  # a plan's municipality by any of its names
        others = [n for n in norwegian_municipalities() if n not in aliases and _fold(n) not in corpus_folded]
        self._corpus_re = self._pattern([*self.corpus, *aliases], re.IGNORECASE)
        self._other_re = self._pattern(others, 0)
        self._canonical = {v: n for n in self.corpus for v in variants(n)}
        self._canonical.update({v: canonical for alias, canonical in aliases.items() for v in variants(alias)})
        self._canonical_other = {v: n for n in others for v in variants(n)}

    @staticmethod
    def _pattern(names: Iterable[str], flags: int) -> re.Pattern[str] | None:
        forms = sorted({v for n in names for v in (variants(n) if flags else _cased_variants(n))}, key=len, reverse=True)
        if not forms:
            return None
        # the name alone (genitive -s allowed), or as the first part of a hyphenated compound ("Sør-Aurdal-planen")
        return re.compile(r"(?<![\w-])(" + "|".join(re.escape(f) for f in forms) + r")(?:(?:'?s|')?(?![\w-])|-(?=[^\W\d_]{2}))", flags)

    def mentions(self, text: str) -> list[Mention]:
        """Every municipality named in ``text``, in order of appearance."""
        text = unicodedata.normalize("NFC", text)
        found: list[Mention] = []
        if self._corpus_re:
            found += [Mention(self._canonical[m.group(1).lower()], m.start(), True) for m in self._corpus_re.finditer(text)]
        if self._other_re:
            for m in self._other_re.finditer(text):
                common = _sentence_start(text, m.start()) and _is_common_word(m.group(1))
                if not common or _followed_by_kommune(text, m.end()):
                    found.append(Mention(self._canonical_other[m.group(1).lower()], m.start(), False))
        taken: set[int] = set()
        unique = []
        for mention in sorted(found, key=lambda x: x.start):
            if mention.start not in taken:
                taken.add(mention.start)
                unique.append(mention)
        return unique

    def named(self, text: str) -> list[str]:
        """Corpus municipalities named in ``text`` (first mention first, no repeats)."""
        return list(dict.fromkeys(m.name for m in self.mentions(text) if m.in_corpus))

    def others_named(self, text: str) -> list[str]:
        """Municipalities without plans here that ``text`` names."""
        return list(dict.fromkeys(m.name for m in self.mentions(text) if not m.in_corpus))

    @staticmethod
    def means_all(value: object) -> bool:
        """True for a choice of no municipality in particular (None, '', 'Alle', 'all', '*')."""
        return not isinstance(value, str) or not value.strip() or value.strip().lower() in ("alle", "all", "none", "*")

    def normalise(self, value: object) -> str | None:
        """A caller's choice ('sor-aurdal', 'Alle', '') → canonical corpus name, or None for all
        (and for a municipality the corpus does not hold)."""
        if self.means_all(value):
            return None
        return self._canonical.get(_fold(value.strip())) or self._canonical.get(_fold(value.strip()).translate(_ASCII))

    def strip(self, text: str) -> str:
        """``text`` without corpus municipality names (and a following 'kommune'): once a name has
        become a filter, it only adds noise to the search."""
        if not self._corpus_re:
            return text
        out = re.sub(
            self._corpus_re.pattern + r"(\s+(kommune\w*|municipality))?",
            " ",
            unicodedata.normalize("NFC", text),
            flags=re.IGNORECASE,
        )
        out = re.sub(r"\b(i|in|på|for|frå|fra|from)\s+(?=[?.!,]|$)", " ", out)
        return re.sub(r"\s{2,}", " ", out).strip()


def _cased_variants(name: str) -> set[str]:
    """Capitalised spellings only: 'Bergen', 'Nord-Fron', 'Nord Fron'."""
    base = unicodedata.normalize("NFC", name)
    return {base, base.replace("-", " "), base.translate(str.maketrans({"ø": "o", "å": "a", "æ": "ae", "Ø": "O", "Å": "A", "Æ": "Ae"}))}


def _is_common_word(word: str) -> bool:
    """A name that is also an ordinary word ("Time", "Strand") is not trusted at a sentence start."""
    from assistant.compounds import dictionary_known

    return dictionary_known(word.lower())


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in ".!?:\n"


def _followed_by_kommune(text: str, at: int) -> bool:
    return bool(re.match(r"\s+kommune", text[at:], re.IGNORECASE))
