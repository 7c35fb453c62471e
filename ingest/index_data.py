"""One build's data in memory: what the assistant answers from and what a store writes.

The same object goes both ways: the pipeline assembles it and hands it to
``store.write_build``; ``store.load_build`` gives it back. Rows line up:
``chunks[i]`` ↔ ``chunk_vectors[i]`` ↔ ``header_vectors[i]``, ``units[j]`` ↔
``unit_vectors[j]``. Chunks are grouped by document and units by chunk, in
order, so a document's rows are one contiguous range (:meth:`doc_rows`) and
copying a document from one build to the next is a slice, not a search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ingest.models import Chunk, DocMeta, Unit


@dataclass
class IndexData:
    """Everything one build holds. The first nine fields keep their historical order."""

    build_id: str
    embedder: str
    docs: dict[str, DocMeta]
    doc_texts: dict[str, str]
    doc_hashes: dict[str, str]
    chunks: list[Chunk]
    units: list[Unit]
    unit_vectors: np.ndarray  # (units, dim); float16 when loaded from disk (memory-mapped)
    chunk_vectors: np.ndarray  # (chunks, dim) float32, what dense search compares against
    header_vectors: np.ndarray | None = None  # (chunks, dim): each chunk's "title › section" embedding
    chunk_index: dict[str, int] = field(default_factory=dict)  # chunk id → row
    unit_index: dict[str, int] = field(default_factory=dict)  # unit id → row in unit_vectors

    def __post_init__(self) -> None:
        self.chunk_index = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.unit_index = {u.unit_id: i for i, u in enumerate(self.units)}

    def doc_rows(self) -> dict[str, tuple[slice, slice]]:
        """Each document's (chunk rows, unit rows), found in one pass."""
        rows: dict[str, list[int]] = {}
        unit_row = 0
        for i, chunk in enumerate(self.chunks):
            span = rows.setdefault(chunk.doc_id, [i, i, unit_row, unit_row])
            if span[1] != i:
                raise ValueError(f"the chunks of document {chunk.doc_id} are not contiguous (row {i})")
            span[1] = i + 1
            unit_row += len(chunk.units)
            span[3] = unit_row
        return {doc: (slice(a, b), slice(c, d)) for doc, (a, b, c, d) in rows.items()}
