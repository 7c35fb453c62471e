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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ingest.models import Chunk, Unit

MIN_SIMILARITY = 0.80  # below this the "nearest" service has nothing to do with the question


@lru_cache(maxsize=1)
def _service_pattern() -> re.Pattern[str]:
    data = tomllib.loads(Path(__file__).with_name("services.toml").read_text(encoding="utf-8"))
    names = sorted(data["names"], key=len, reverse=True)
    suffixes = "|".join(re.escape(s) for s in data["suffixes"])
    inflection = r"(?:en|et|a|i|ene|ane|ar|er|s|ens|ets|as|n|na|ne|nes|r|ns)?"  # "helsestasjonen", "fastlegen", "skulen"
    alternatives = [r"(?<![\w-])" + re.escape(n) + inflection + r"(?![\w-])" for n in names] + [r"\b[\w-]{3,}(?:" + suffixes + r")\b"]
    return re.compile("|".join(alternatives), re.IGNORECASE)


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


def services_in(text: str) -> list[str]:
    """Service names as the text writes them, in order, without repeats."""
    return list(dict.fromkeys(m.group(0) for m in _service_pattern().finditer(text)))


@dataclass(frozen=True)
class Pointer:
    service: str
    unit: Unit
    chunk: Chunk
    similarity: float


class PointerFinder:
    """Keeps, per municipality, the units that name a service, with their vectors."""

    def __init__(self, chunks: list[Chunk], unit_vectors: np.ndarray, unit_index: dict[str, int]) -> None:
        by_municipality: dict[str, list[tuple[Unit, Chunk]]] = {}
        for chunk in chunks:
            for unit in chunk.units:
                if services_in(unit.text):
                    by_municipality.setdefault(chunk.municipality, []).append((unit, chunk))
        self._units = by_municipality
        self._rows = {m: np.array([unit_index[u.unit_id] for u, _ in pairs]) for m, pairs in by_municipality.items()}
        self._vectors = unit_vectors

    def nearest(self, query_vector: np.ndarray, municipality: str | None) -> Pointer | None:
        """The service-naming sentence most like the question, in ``municipality`` (or anywhere)."""
        found = self.nearest_many(query_vector, municipality, 1)
        return found[0] if found else None

    def nearest_many(self, query_vector: np.ndarray, municipality: str | None, k: int, floor: float = MIN_SIMILARITY) -> list[Pointer]:
        """The ``k`` service-naming sentences most like the question, best first."""
        found: list[Pointer] = []
        for name in [municipality] if municipality else list(self._units):
            pairs = self._units.get(name or "")
            if not pairs:
                continue
            scores = self._vectors[self._rows[name]] @ query_vector
            for i in np.argsort(-scores)[:k]:
                unit, chunk = pairs[int(i)]
                found.append(Pointer(services_in(unit.text)[0], unit, chunk, float(scores[int(i)])))
        found.sort(key=lambda p: -p.similarity)
        return [p for p in found[:k] if p.similarity >= floor]
