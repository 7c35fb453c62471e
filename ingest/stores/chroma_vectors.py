"""A build's chunk vectors in one Chroma collection: add, delete, nearest, check.

Shared by the embedded store (a PersistentClient per build) and server mode
(an HttpClient). Records carry no documents or metadata: the texts live in the
build's files and municipality filters are exact in memory, so Chroma keeps
only what it is good at, the vectors and their HNSW index.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ingest.errors import IndexError_
from ingest.index_data import IndexData
from ingest.stores.files import REBUILD

SPACE = {"hnsw:space": "cosine"}
_SAMPLE = 8


class ChromaVectors:
    """Chunk ids → vectors in ``collection``."""

    def __init__(self, collection: Any, batch: int = 4000) -> None:
        self.collection = collection
        self._batch = batch

    def put(self, ids: list[str], matrix: np.ndarray) -> None:
        """Add or replace vectors, in batches Chroma accepts; a refusal becomes an IndexError_ (the build is dropped)."""
        for i in range(0, len(ids), self._batch):
            try:
                self.collection.upsert(ids=ids[i : i + self._batch], embeddings=np.asarray(matrix[i : i + self._batch], dtype=np.float32))
            except Exception as exc:  # seen once in ~20 builds: "Error in compaction: Failed to apply logs to the hnsw segment writer"
                raise IndexError_(f"the vector store refused chunk vectors {i}–{i + self._batch} ({type(exc).__name__}: {exc}); "
                                  "the previous index is unchanged: run the ingest again") from exc

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), self._batch):
            self.collection.delete(ids=ids[i : i + self._batch])

    def count(self) -> int:
        return int(self.collection.count())

    def nearest(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) pairs, best first."""
        result = self.collection.query(query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=max(1, n), include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0])]

    def problems(self, index: IndexData) -> list[str]:
        """Counts, a sample of ids with their vectors, and sample queries most of which must find their own chunk."""
        problems = []
        count = self.count()
        if count != len(index.chunks):
            problems.append(f"the vector store holds {count} chunk vectors, the build has {len(index.chunks)} chunks")
        if not index.chunks:
            return problems
        rows = sorted({int(r) for r in np.linspace(0, len(index.chunks) - 1, _SAMPLE)})
        ids = [index.chunks[r].chunk_id for r in rows]
        got = self.collection.get(ids=ids, include=["embeddings"])
        stored = dict(zip(got["ids"], got["embeddings"] if got["embeddings"] is not None else []))
        missing = [cid for cid in ids if cid not in stored]
        if missing:
            problems.append(f"{len(missing)} of {len(ids)} sampled chunk ids are missing from the vector store (e.g. {missing[0]})")
        for row, cid in zip(rows, ids):
            if cid in stored and float(np.max(np.abs(np.asarray(stored[cid], dtype=np.float32) - index.chunk_vectors[row]))) > 1e-3:
                problems.append(f"the stored vector of chunk {cid} differs from the build's")
                break
        # Plans share boilerplate, and the approximate (HNSW) search misses a chunk now and then
        # (~3 % at 400x, where hundreds of paragraphs are near-identical): each sampled chunk asks for
        # itself, and a store works when most find themselves or a near-identical vector; a damaged
        # one answers with strangers.
        missed = [index.chunks[r].chunk_id for r in rows
                  if not any(cid == index.chunks[r].chunk_id or score >= _NEAR_COPY for cid, score in self.nearest(index.chunk_vectors[r], 20))]
        if len(missed) * 2 > len(rows):
            problems.append(f"sample queries for {len(missed)} of {len(rows)} chunks (e.g. {missed[0]}) did not find them or an identical vector")
        return problems


_NEAR_COPY = 0.97  # e5 puts unrelated plan paragraphs at 0.7–0.9 and near-copies of a paragraph above 0.97


def chroma_settings() -> Any:
    """Client settings for every Chroma client we open: no telemetry, no reset."""
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def as_index_error(what: str, exc: BaseException) -> IndexError_:
    """A Chroma failure (including a Rust panic, which is not an Exception) as a message that says what to do."""
    if isinstance(exc, IndexError_):
        return exc
    return IndexError_(f"{what} ({type(exc).__name__}: {str(exc)[:300]}); {REBUILD}")


def fatal(exc: BaseException) -> bool:
    """Interrupts and exits pass through; everything else a store raises is a damaged or unreachable store."""
    return isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit))
