"""Plain baselines measured in the same run as the answerer: the top 3 sentences by
dense similarity to the question, and by BM25. An answerer that cannot beat these
adds nothing over a search box; both are scored with the same ``must_include`` check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.text import tokens

TOP = 3


@dataclass
class SentenceBaselines:
    """Ranks every unit (sentence or table row) of one loaded index two plain ways."""

    texts: list[str]
    vectors: np.ndarray
    embedder: Any
    municipalities: np.ndarray
    _bm25: Any = None

    @classmethod
    def from_index(cls, index: Any, embedder: Any) -> "SentenceBaselines":
        chunk_municipality = {c.chunk_id: c.municipality for c in index.chunks}
        municipalities = np.array([chunk_municipality.get(u.chunk_id, "") for u in index.units])
        vectors = np.asarray(index.unit_vectors, dtype=np.float32)  # stored as float16: one product in float32 is far faster
        return cls([u.text for u in index.units], vectors, embedder, municipalities)

    def _bm25_model(self) -> Any:
        if self._bm25 is None:
            import logging

            import bm25s

            logging.getLogger("bm25s").setLevel(logging.WARNING)
            model = bm25s.BM25()
            model.index([tokens(t) or ["_"] for t in self.texts], show_progress=False)
            self._bm25 = (model, set(model.vocab_dict))
        return self._bm25

    def _mask(self, scores: np.ndarray, municipality: str | None) -> np.ndarray:
        return np.where(self.municipalities == municipality, scores, -np.inf) if municipality else scores

    def dense(self, question: str, municipality: str | None = None) -> str:
        """The top sentences by cosine similarity to the question (e5 query embedding)."""
        scores = self._mask(self.vectors @ self.embedder.embed_query(question), municipality)
        return " ".join(self.texts[i] for i in np.argsort(-scores)[:TOP] if np.isfinite(scores[i]))

    def bm25(self, question: str, municipality: str | None = None) -> str:
        """The top sentences by BM25 over the same Norwegian tokens the answerer uses."""
        model, vocab = self._bm25_model()
        known = [t for t in tokens(question) if t in vocab]
        if not known:
            return ""
        scores = self._mask(np.asarray(model.get_scores(known), dtype=float), municipality)
        return " ".join(self.texts[i] for i in np.argsort(-scores)[:TOP] if np.isfinite(scores[i]) and scores[i] > 0)
