"""A tiny in-memory index for fast tests of the answering modules (no model, no Chroma).

A plan is written as sections of plain lines; every line is split into sentences (units) the
way ingest does, with offsets into the document text, and every section is one chunk. Unit ``i``
gets the ``i``-th basis vector, so a query vector simply lists each unit's dense similarity:
``similarities(index, {"Oppfølging på nivå 2": 0.9})`` is a query that sentence matches at 0.9
and every other at 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.retrieval import Hit
from ingest.models import Chunk, DocMeta, Unit
from ingest.sentences import split_sentences
from ingest.store import IndexData

SEP = " › "


@dataclass(frozen=True)
class Plan:
    doc_id: str
    title: str
    municipality: str
    language: str
    sections: tuple[tuple[str, str], ...]  # (section path "A › B", body lines joined by "\n")


def build_index(plans: list[Plan]) -> IndexData:
    docs: dict[str, DocMeta] = {}
    texts: dict[str, str] = {}
    chunks: list[Chunk] = []
    for plan in plans:
        docs[plan.doc_id] = DocMeta(plan.doc_id, plan.title, plan.municipality, plan.language)
        text = ""
        for number, (section, body) in enumerate(plan.sections):
            text += section.split(SEP)[-1] + "\n"
            chunk_id = f"{plan.doc_id}:{number}"
            units: list[Unit] = []
            offset = len(text)
            for line in body.split("\n"):
                for sentence, start, end in split_sentences(line, offset):
                    units.append(Unit(f"{chunk_id}:{len(units)}", chunk_id, plan.doc_id, sentence, start, end))
                offset += len(line) + 1
            text += body + "\n\n"
            start, end = units[0].start, units[-1].end
            chunks.append(Chunk(chunk_id, plan.doc_id, plan.title, plan.municipality, plan.language, section,
                                text[start:end], start, end, "text", units))
        texts[plan.doc_id] = text
    units = [u for c in chunks for u in c.units]
    unit_vectors = np.eye(len(units), dtype=np.float32)
    chunk_vectors = np.zeros((len(chunks), len(units)), dtype=np.float32)
    return IndexData("test-build", "test", docs, texts, {d: "" for d in docs}, chunks, units, unit_vectors, chunk_vectors)


def unit(index: IndexData, prefix: str) -> Unit:
    """The one unit whose text starts with ``prefix``."""
    found = [u for u in index.units if u.text.startswith(prefix)]
    assert len(found) == 1, (prefix, [u.text for u in found])
    return found[0]


def chunk_of(index: IndexData, prefix: str) -> Chunk:
    return index.chunks[index.chunk_index[unit(index, prefix).chunk_id]]


def similarities(index: IndexData, wanted: dict[str, float], rest: float = 0.0) -> np.ndarray:
    """A query vector whose dense similarity to each unit is ``wanted[prefix]`` (else ``rest``)."""
    vector = np.full(len(index.units), rest, dtype=np.float32)
    for prefix, value in wanted.items():
        vector[index.unit_index[unit(index, prefix).unit_id]] = value
    return vector


def hits(index: IndexData, *prefixes: str) -> list[Hit]:
    """Hits for the chunks holding these units, in this order (best first)."""
    out: list[Hit] = []
    for rank, prefix in enumerate(prefixes):
        out.append(Hit(chunk_of(index, prefix), 1.0 / (1 + rank), rank, rank, 0.0))
    return out
