"""Synonyms from a thesaurus in the MyThes format, limited to the words a set of plans uses.

A parent writes "babyen skrik heile kvelden"; the plan says "korleis foreldra reagerer når barnet
græt". The lexicon (``lexicon.toml``) holds the everyday words we wrote ourselves; a thesaurus holds
tens of thousands more. The system's Norwegian thesaurus (Debian ``mythes-no``, from the
spell-norwegian project, GPL-2: read at run time, never copied into this repository) is used when it
is installed; without it there are no synonyms and nothing else changes.

A thesaurus entry merges every sense of a word ("skrike": gråte, klage, kalle …), so synonyms are
used where a wrong one costs least: only for a word the plans never use, only synonyms the plans do
use, at most :data:`MAX_SYNONYMS`, and only in the text the question's meaning is embedded from —
never as evidence that a passage holds the words asked (the support gate stays as strict).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from pathlib import Path

log = logging.getLogger(__name__)

MAX_SYNONYMS = 4  # per word: the thesaurus lists up to ~25 across all senses, most of them noise for one question


def read_mythes(path: Path) -> dict[str, tuple[str, ...]]:
    """A MyThes ``.dat`` file as word → one-word synonyms (all senses merged, in file order).

    The format: the first line names the encoding; then ``word|n`` followed by ``n`` lines
    ``(part of speech)|synonym|synonym …``. Phrases ("besvære seg") are left out: a question's
    word is one word."""
    raw = path.read_bytes()
    encoding, _, body = raw.partition(b"\n")
    lines = body.decode(encoding.decode("ascii", "replace").strip() or "utf-8", errors="replace").splitlines()
    table: dict[str, list[str]] = {}
    i = 0
    while i < len(lines):
        head, _, count = lines[i].partition("|")
        n = int(count) if count.strip().isdigit() else 0
        senses = lines[i + 1 : i + 1 + n]
        i += 1 + n
        word = head.strip().lower()
        if not word or " " in word:
            continue
        found = table.setdefault(word, [])
        for sense in senses:
            found += [w.strip().lower() for w in sense.split("|")[1:] if w.strip() and " " not in w.strip() and "(" not in w]
    return {w: tuple(dict.fromkeys(s)) for w, s in table.items() if s}


def load(path: Path | str | None) -> dict[str, tuple[str, ...]]:
    """The thesaurus at ``path``, or an empty one when the setting is empty or the file is missing
    or unreadable (said once in the log: answers work without it)."""
    if not path:
        return {}
    try:
        return read_mythes(Path(path))
    except FileNotFoundError:
        log.info("no thesaurus at %s (Debian package mythes-no): everyday words get no thesaurus synonyms", path)
    except (OSError, ValueError, LookupError) as exc:
        log.warning("thesaurus %s could not be read (%s): everyday words get no thesaurus synonyms", path, exc)
    return {}


def forms(lemma: str) -> list[str]:
    """Dictionary forms to look a lemma up under: Nynorsk infinitives end in -a where the
    thesaurus (Bokmål) has -e ("gråta" → "gråte"), and a present-tense stem lemmatised as itself
    lacks the -e ("skrik" → "skrike")."""
    if lemma.endswith("a"):
        return [lemma, lemma[:-1] + "e"]
    if lemma.endswith("e"):
        return [lemma]
    return [lemma, lemma + "e"]


class Related:
    """Plan words for a reader's word the plans never use, from the thesaurus.

    ``key`` maps a word to the form the plans' vocabulary is kept in (the BM25 token), so a
    synonym counts as the plans' word in any inflection or standard."""

    def __init__(self, thesaurus: dict[str, tuple[str, ...]], vocabulary: Collection[str], key: Callable[[str], str],
                 stopwords: Collection[str] = ()) -> None:
        self._thesaurus = thesaurus
        self._vocabulary = vocabulary
        self._key = key
        self._stop = stopwords

    def __call__(self, *lemmas: str) -> tuple[str, ...]:
        if not self._thesaurus or any(self._key(w) in self._vocabulary for w in lemmas):
            return ()
        found: list[str] = []
        for lemma in dict.fromkeys(lemmas):
            for form in forms(lemma):
                found += self._thesaurus.get(form, ())
        used = [w for w in dict.fromkeys(found) if w not in self._stop and self._key(w) in self._vocabulary]
        return tuple(used[:MAX_SYNONYMS])
