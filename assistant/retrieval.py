"""Hybrid retrieval: BM25 over folded Norwegian tokens + dense vectors, fused by RRF.

BM25 sees Nynorsk and Bokmål as one language (see :mod:`assistant.text`); the
dense side (multilingual e5) bridges wording. Reciprocal rank fusion needs no
score calibration between the two; its ``k`` and the per-side weights are
tuned on the evaluation set.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant import bm25_cache
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


class BM25Index:
    """bm25s over chunk tokens, with a per-municipality mask for filtering.

    With ``cache`` (a folder) and ``build_id``, the index is read from a cache saved beside the
    build when one matches, and saved there after it is built (see :mod:`assistant.bm25_cache`)."""

    def __init__(self, chunks: list[Chunk], cache: Path | None = None, build_id: str = "") -> None:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        key = bm25_cache.fingerprint([c.chunk_id for c in chunks]) if cache is not None else ""
        model = bm25_cache.load(cache, build_id, key) if cache is not None else None
        if model is None:
            corpus_tokens = [tokens(f"{c.section} {c.text}", c.language) or ["_"] for c in chunks]
            model = bm25s.BM25(k1=1.2, b=0.75)
            model.index(corpus_tokens, show_progress=False)
            if cache is not None:
                bm25_cache.save(cache, build_id, key, model)
        self._model = model
        self._vocab = {t for t in model.vocab_dict if t}
        self._municipality = np.array([c.municipality for c in chunks])

    def idf(self) -> dict[str, float]:
        """Smoothed inverse document frequency of every indexed token (shared with the composer),
        from the index itself: a token's column in the score matrix lists the chunks that hold it."""
        indptr = np.asarray(self._model.scores["indptr"])
        n = max(1, int(self._model.scores["num_docs"]))
        df = np.diff(indptr)
        return {t: float(np.log(1 + n / (1 + int(df[i])))) for t, i in self._model.vocab_dict.items() if t and i < len(df)}

    def chunks_with(self, token: str) -> np.ndarray:
        """The rows of the chunks whose text holds ``token``."""
        if token not in self._vocab:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(np.asarray(self._model.get_scores([token])) > 0)

    def search(self, query_tokens: list[str], n: int, municipality: str | None = None) -> list[tuple[int, float]]:
        known = [t for t in query_tokens if t in self._vocab]
        if not known:
            return []
        scores = self._model.get_scores(known)
        if municipality:
            scores = np.where(self._municipality == municipality, scores, 0.0)
        order = top_indices(np.asarray(scores), n)
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]


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
        self.bm25 = bm25 or BM25Index(index.chunks)
        self._dense_search = dense_search
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.bm25_weight = bm25_weight

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
