"""The nearest help a plan names, for when it does not answer the question.

A refusal alone leaves a worried parent with nothing. So for a question the plans don't answer
(a phone number, opening hours, a worry they don't mention), the assistant looks in the plans
of the municipality asked about for the sentence that names a service (``services.toml``) and
is closest in meaning to the question, and quotes it with its citation: "the nearest help the
plans name for this: helsestasjonen – «…» [1]". Nothing is invented: the service name is the
plan's own word, and the sentence is quoted verbatim.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.text import normal, stem
from ingest.models import Chunk, Unit

MIN_SIMILARITY = 0.80  # below this the "nearest" service has nothing to do with the question


_INFLECTIONS = ("", "en", "et", "a", "i", "ene", "ane", "ar", "er", "s", "ens", "ets", "as")
_INFLECTIONS_AFTER_E = ("", "n", "na", "ne", "nes", "r", "ns", "s")  # "fastlege" → "fastlegen", "skule" → "skulen"
_TOKEN = re.compile(r"\w[\w-]*")


@dataclass(frozen=True)
class _Services:
    single: frozenset[str]  # every inflected form of the one-word names ("helsestasjonen", "fastlegen")
    multi: re.Pattern[str] | None  # the few names of several words ("psykisk helseteneste")
    suffixes: tuple[str, ...]  # "…teamet", "…kontoret": any word ending so names a service
    channels: frozenset[str]  # words that tell how to reach a service ("jobbmobil", "nettsida")
    reach_details: frozenset[str]  # details only the service itself can give (a phone number, opening hours)
    handles: tuple[tuple[str, tuple[str, ...]], ...] = ()  # a service and the words of what it handles ("nav": sosialhjelp …)


@lru_cache(maxsize=1)
def _services() -> _Services:
    """Looked up word by word (one big pattern with open-ended words backtracks badly: 18 s over
    129k sentences at 100x)."""
    data = tomllib.loads(Path(__file__).with_name("services.toml").read_text(encoding="utf-8"))
    names = [n.lower() for n in data["names"]]
    single = frozenset(n + ending for n in names if " " not in n for ending in (_INFLECTIONS_AFTER_E if n.endswith("e") else _INFLECTIONS))
    multi_names = sorted((n for n in names if " " in n), key=len, reverse=True)
    endings = "|".join(e for e in dict.fromkeys(_INFLECTIONS + _INFLECTIONS_AFTER_E) if e)
    multi = re.compile("|".join(rf"(?<![\w-]){re.escape(n)}(?:{endings})?(?![\w-])" for n in multi_names), re.IGNORECASE) if multi_names else None
    handles = tuple((name.lower(), tuple(w.lower() for w in words)) for name, words in data.get("handles", {}).items())
    return _Services(single, multi, tuple(s.lower() for s in data["suffixes"]), frozenset(data.get("channels", [])),
                     frozenset(data.get("reach_details", [])), handles)


_RESPONSIBLE_FIELD = re.compile(r"\b(Ansvar|Ansvarleg|Ansvarlig|Forankring|Tilbydar|Tilbyder|Kontakt)\s*:\s*([^.;\n]+)", re.IGNORECASE)


def responsible_service(text: str) -> str:
    """The service a passage makes responsible ("Forankring: Helsestasjonen"), or ''."""
    m = _RESPONSIBLE_FIELD.search(text)
    if not m:
        return ""
    named = services_in(m.group(2))
    if named:
        return named[0]
    value = m.group(2).strip()[:60]
    return value if value[:1].isalpha() and not re.search(r"https?://|www\.|@", value) else ""  # a role, not a link


_LINK = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")


def services_in(text: str) -> list[str]:
    """Service names as the text writes them, in order, without repeats; not inside a link
    ("bufdir.no/barnevern/…" is an address, not the plan naming the child welfare service)."""
    known = _services()
    text = _LINK.sub(lambda m: " " * len(m.group(0)), text)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    if known.multi is not None:
        for m in known.multi.finditer(text):
            found.append((m.start(), m.group(0)))
            taken.append(m.span())
    for m in _TOKEN.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        word = m.group(0).lower()
        if word in known.single or word.endswith(known.suffixes) and any(word.endswith(s) and len(word) >= len(s) + 3 for s in known.suffixes):
            found.append((m.start(), m.group(0)))
    return list(dict.fromkeys(name for _, name in sorted(found)))


def services_handling(text: str) -> list[str]:
    """The services whose business a text names ("kontantstøtte" → nav, "vi krangler" →
    familievernkontoret), in the order of ``[handles]``: a word of it as a whole word, or (five
    letters or more) as the end of a compound ("barnetrygda", "småbarnsstønad"; but "tics" is not
    the end of "politics"), a phrase as written."""
    lowered = text.lower()
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    found = []
    for name, words in _services().handles:
        if any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", lowered) if " " in w
               else any(t == w or len(w) >= 5 and t.endswith(w) for t in tokens) for w in words):
            found.append(name)
    return found


def service_keys(text: str, lang: str) -> frozenset[str]:
    """The services a text names, one key each whatever the inflection and written standard
    ("helsesjukepleiaren", "helsesykepleier"): to tell whether two texts name the same service."""
    return frozenset(_key(name, lang) for name in services_in(text))


def _key(name: str, lang: str) -> str:
    return " ".join(stem(normal(w.lower(), lang)) for w in name.split())


def tells_how_to_reach(text: str) -> bool:
    """Whether a sentence says how to reach a service: a link, an e-mail address or a channel word."""
    return bool(_LINK.search(text)) or any(t.lower() in _services().channels for t in _TOKEN.findall(text))


def only_the_service_knows(details: set[str]) -> bool:
    """Whether a question asks for a detail only the service itself can give (a phone number,
    opening hours, a name, a waiting time): the help to point to is how to reach it."""
    return bool(details & _services().reach_details)


def _points_to_help(text: str) -> bool:
    """A sentence that names a service and says something of it: it ends as a sentence does, or it
    is a labelled line that makes the service responsible ("Ansvar: Helsestasjonen"). A heading
    ("Skulen må vite kva helsestasjonen gjer – og omvendt") or a bare list item names the service
    without saying where help is."""
    if not services_in(text):
        return False
    return bool(responsible_service(text)) or text.rstrip().endswith((".", "!", ")", "»"))


@dataclass(frozen=True)
class Pointer:
    service: str
    unit: Unit
    chunk: Chunk
    similarity: float


class PointerFinder:
    """Finds, per municipality, the units that name a service (worked out on first use for each
    municipality: a national index holds 356 of them, and most are never asked about)."""

    def __init__(self, chunks: list[Chunk], unit_vectors: np.ndarray, unit_index: dict[str, int]) -> None:
        self._chunks_of: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            self._chunks_of.setdefault(chunk.municipality, []).append(chunk)
        self._vectors = unit_vectors
        self._unit_index = unit_index
        self._cache: dict[str, _Named] = {}

    def _named_in(self, municipality: str) -> "_Named":
        found = self._cache.get(municipality)
        if found is None:
            pairs = [(u, c) for c in self._chunks_of.get(municipality, []) for u in c.units if _points_to_help(u.text)]
            rows = np.array([self._unit_index[u.unit_id] for u, _ in pairs], dtype=np.int64)
            found = self._cache[municipality] = _Named(
                pairs, rows, [service_keys(u.text, c.language) for u, c in pairs], [tells_how_to_reach(u.text) for u, _ in pairs])
        return found

    def nearest(self, query_vector: np.ndarray, municipalities: list[str], services: frozenset[str] = frozenset(),
                reach: bool = False, words: Callable[[Unit, Chunk, frozenset[str]], float] | None = None) -> Pointer | None:
        """The service-naming sentence that best fits the question, in one of ``municipalities``.

        Among the sentences close enough to point to at all, one naming a service the question
        names (``services``, keys from :func:`service_keys`) comes first: a parent asking for
        the child welfare service's phone number is pointed to the child welfare service, not to
        the health station a closer sentence names. When the question asks what only the service
        can say (``reach``), a sentence telling how to reach it comes next. Then the closest in
        meaning, plus ``words(unit, chunk, services)`` when given (``services``: the keys of the
        services the unit names): the caller's credit for holding the question's words (the
        composer ranks the offers it adds to answers the same way)."""
        best: tuple[tuple[bool, bool, float], int, _Named, float] | None = None
        for name in municipalities:
            named = self._named_in(name)
            if not named.pairs:
                continue
            scores = np.asarray(self._vectors[named.rows], dtype=np.float32) @ query_vector
            for i in np.flatnonzero(scores >= MIN_SIMILARITY):
                fit = float(scores[i]) + (words(*named.pairs[i], named.keys[i]) if words is not None else 0.0)
                rank = (bool(services & named.keys[i]), reach and named.reach[i], fit)
                if best is None or rank > best[0]:
                    best = (rank, int(i), named, float(scores[i]))
        if best is None:
            return None
        _, i, named, similarity = best
        unit, chunk = named.pairs[i]
        listed = services_in(unit.text)
        service = next((s for s in listed if _key(s, chunk.language) in services), listed[0])
        return Pointer(service, unit, chunk, similarity)

    def named_units(self, query_vector: np.ndarray, municipality: str) -> list[tuple[Unit, Chunk, float]]:
        """Every service-naming unit of a municipality with its similarity to the question."""
        named = self._named_in(municipality)
        if not named.pairs:
            return []
        scores = np.asarray(self._vectors[named.rows], dtype=np.float32) @ query_vector
        return [(u, c, float(s)) for (u, c), s in zip(named.pairs, scores)]

    def nearest_many(self, query_vector: np.ndarray, municipalities: list[str], k: int, floor: float = MIN_SIMILARITY) -> list[Pointer]:
        """The ``k`` service-naming sentences most like the question, best first."""
        found = sorted((t for name in municipalities for t in self.named_units(query_vector, name)), key=lambda t: -t[2])
        return [Pointer(services_in(unit.text)[0], unit, chunk, similarity) for unit, chunk, similarity in found[:k] if similarity >= floor]


@dataclass(frozen=True)
class _Named:
    """A municipality's service-naming units, their vector rows, the services each names and
    whether each tells how to reach them."""

    pairs: list[tuple[Unit, Chunk]]
    rows: np.ndarray
    keys: list[frozenset[str]]
    reach: list[bool]
