"""Turning chosen passages into answer text: the asker's standard, verbatim quotes, [n] markers.

Everything the assistant says in its own words comes from ``phrases.toml``; everything else is
quoted from the plans with its offsets, so a citation always points at exactly what is shown.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.models import Citation
from ingest.models import Chunk, Unit


@lru_cache(maxsize=1)
def phrases() -> dict[str, dict[str, object]]:
    return tomllib.loads(Path(__file__).with_name("phrases.toml").read_text(encoding="utf-8"))


def say(lang: str, key: str, **values: object) -> str:
    """A phrase in ``lang`` (nn, nb or en; anything else falls back to nb) with values filled in."""
    table = phrases().get(lang) or phrases()["nb"]
    return str(table[key]).format(**values)


def detail_name(lang: str, detail: str) -> str:
    table = phrases().get(lang) or phrases()["nb"]
    return str(table["details"].get(detail, detail))  # type: ignore[union-attr]


def join(lang: str, items: list[str]) -> str:
    """'a', 'a og b', 'a, b og c' (in the asker's language)."""
    word = say(lang, "and")
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


@dataclass
class Quote:
    """Adjacent units of one chunk, quoted as one contiguous span."""

    chunk: Chunk
    units: list[Unit]

    @property
    def start(self) -> int:
        return self.units[0].start

    @property
    def end(self) -> int:
        return self.units[-1].end


@dataclass
class Cited:
    """Citations collected while rendering, numbered in order of first use."""

    doc_texts: dict[str, str]
    citations: list[Citation] = field(default_factory=list)

    def cite(self, quote: Quote) -> tuple[str, int]:
        """The verbatim text of ``quote`` and its citation number (reused when cited twice)."""
        text = self.doc_texts[quote.chunk.doc_id][quote.start : quote.end]
        for c in self.citations:
            if c.doc_id == quote.chunk.doc_id and c.start == quote.start and c.end == quote.end:
                return text, c.n
        c = quote.chunk
        n = len(self.citations) + 1
        self.citations.append(Citation(n, c.doc_id, c.title, c.municipality, c.section, text, quote.start, quote.end))
        return text, n


def quotes_of(units: list[tuple[Unit, Chunk]]) -> list[Quote]:
    """Group units (in document order) into contiguous quotes within one chunk."""
    ordered = sorted(units, key=lambda uc: (uc[0].doc_id, uc[0].start))
    out: list[Quote] = []
    for unit, chunk in ordered:
        if out and out[-1].chunk.chunk_id == chunk.chunk_id:
            members = chunk.units
            prev = out[-1].units[-1]
            if unit in members and prev in members and members.index(unit) == members.index(prev) + 1:
                out[-1].units.append(unit)
                continue
        if any(unit is u for q in out for u in q.units):
            continue
        out.append(Quote(chunk, [unit]))
    return out


def body(lang: str, quotes: list[Quote], cited: Cited) -> str:
    """'Ifølgje «title» (municipality): quote [1] quote [2]', one frame per document."""
    parts: list[str] = []
    current_doc = None
    for quote in quotes:
        text, n = cited.cite(quote)
        if quote.chunk.doc_id != current_doc:
            current_doc = quote.chunk.doc_id
            frame = say(lang, "frame", title=quote.chunk.title, municipality=quote.chunk.municipality)
            parts.append(("\n" if parts else "") + frame)
        parts.append(f"{text.strip()} [{n}]")
    return " ".join(parts).replace(" \n", "\n")
