"""Hybrid retrieval: BM25 over folded Norwegian tokens + dense vectors, fused by RRF.

BM25 sees Nynorsk and Bokmål as one language (see :mod:`assistant.text`); the
dense side (multilingual e5) bridges wording. Reciprocal rank fusion needs no
score calibration between the two; its ``k`` and the per-side weights are
tuned on the evaluation set.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.bm25 import BM25Index
from assistant.text import tokens
from ingest.models import Chunk
from ingest.stores.exact import top_indices
from ingest.store import IndexData


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the ranks that produced it."""

    chunk: Chunk
    score: float
    dense_rank: int | None
    bm25_rank: int | None
    dense_score: float


class HybridRetriever:
    """Fuses BM25 and dense rankings with weighted reciprocal rank fusion."""

    def __init__(
        self,
        index: IndexData,
        dense_search: Callable[[np.ndarray, int, str | None], list[tuple[int, float]]],
        rrf_k: int = 60,
        dense_weight: float = 1.0,
        bm25_weight: float = 1.0,
        bm25: BM25Index | None = None,
    ) -> None:
        self.index = index
        self.bm25 = bm25 or BM25Index.of(index.chunks)
        self._dense_search = dense_search
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.bm25_weight = bm25_weight

    def _by_sentence(self, dense: list[tuple[int, float]], lexical: list[tuple[int, float]], query_vector: np.ndarray) -> list[tuple[int, float]]:
        """The dense ranking of every chunk either search found, by the mean of the chunk's
        similarity and its closest sentence's. A chunk's vector blends all its sentences, so the
        one sentence a question is about (in a long chunk, or a chunk BM25 found and the dense
        search missed) is weighed in as well. Measured on dev, test and out of domain: the gold
        chunk among the first five 0.60 → 0.71 (dev, dense alone)."""
        rows = list(dict.fromkeys([i for i, _ in dense] + [i for i, _ in lexical]))
        if not rows:
            return dense
        chunk = np.asarray(self.index.chunk_vectors[rows], dtype=np.float32) @ query_vector
        sentence = np.array([self._closest_sentence(i, query_vector, float(c)) for i, c in zip(rows, chunk)])
        order = np.argsort(-(chunk + sentence) / 2, kind="stable")[: len(dense)]
        return [(rows[k], float(chunk[k])) for k in order]

    def _closest_sentence(self, row: int, query_vector: np.ndarray, otherwise: float) -> float:
        units = self.index.chunks[row].units
        if not units:
            return otherwise
        a = self.index.unit_index[units[0].unit_id]  # a chunk's sentences are consecutive rows
        return float(np.max(np.asarray(self.index.unit_vectors[a : a + len(units)], dtype=np.float32) @ query_vector))

    def retrieve(
        self, query: str, query_vector: np.ndarray, n: int, municipality: str | None = None, timings: dict[str, float] | None = None,
        lang: str = "nb", query_tokens: list[str] | None = None,
    ) -> list[Hit]:
        """The ``n`` best chunks for ``query`` (optionally within one municipality).

        ``query_tokens`` replaces the tokens of ``query`` for BM25 when the caller has expanded
        them (a reader's words with the plans' words for them)."""
        timings = timings if timings is not None else {}
        depth = max(n * 4, 30)
        t0 = time.perf_counter()
        dense = self._dense_search(query_vector, depth, municipality)
        t1 = time.perf_counter()
        lexical = self.bm25.search(query_tokens if query_tokens is not None else tokens(query, lang), depth, municipality)
        t2 = time.perf_counter()
        dense = self._by_sentence(dense, lexical, query_vector)
        fused: dict[int, float] = {}
        dense_rank: dict[int, int] = {}
        bm25_rank: dict[int, int] = {}
        dense_score: dict[int, float] = {}
        for rank, (i, score) in enumerate(dense):
            fused[i] = fused.get(i, 0.0) + self.dense_weight / (self.rrf_k + rank + 1)
            dense_rank[i] = rank
            dense_score[i] = score
        for rank, (i, _) in enumerate(lexical):
            fused[i] = fused.get(i, 0.0) + self.bm25_weight / (self.rrf_k + rank + 1)
            bm25_rank[i] = rank
        order = sorted(fused, key=lambda i: -fused[i])[:n]
        chunks = self.index.chunks
        vectors = self.index.chunk_vectors
        hits = [
            Hit(chunks[i], fused[i], dense_rank.get(i), bm25_rank.get(i), dense_score.get(i, float(vectors[i] @ query_vector)))
            for i in order
        ]
        timings["dense_search"] = (t1 - t0) * 1000
        timings["bm25"] = (t2 - t1) * 1000
        timings["fusion"] = (time.perf_counter() - t2) * 1000
        return hits
