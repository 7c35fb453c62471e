"""Synthetic national-scale corpora: N copies of the real plans, and an embedder that replays vectors.

Copies get distinct ids and municipality names ("Sogndal-syn017"), and about 3 % of
their lines lose a word, so BM25 and dense scores differ between copies. Vectors
for text already embedded are replayed from a cache with a little noise (a fresh
draw per occurrence), and so are texts that differ from a cached text only in a
short stretch (a line that lost a word: shared start + shared end ≥ 80 % of it);
only genuinely new text pays for the model. The cache is kept on disk between runs. The embedding cost of the real corpus is measured by
the ingest benchmark, and adding a plan to a grown index embeds it for real.
"""

from __future__ import annotations

import bisect
import os
import random
import re
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import ROOT

MUNICIPALITIES = ("Sør-Aurdal", "Sogndal", "Sandnes")


class ReplayEmbedder:
    """Real vectors for new text, cached vectors plus noise for text seen before."""

    def __init__(self, inner: Any, cache: Path | None = None, noise: float = 0.01, seed: int = 7) -> None:
        self.inner = inner
        self.dim = inner.dim
        self.name = inner.name
        self._cache: dict[str, np.ndarray] = {}
        self._cache_path = cache
        if cache is not None and cache.exists():
            with np.load(cache, allow_pickle=False) as data:
                self._cache = dict(zip(data["keys"].tolist(), data["vectors"]))
        self._noise = noise
        self._rng = np.random.default_rng(seed)
        self._index()
        self.real_calls = 0
        self.near_calls = 0

    @staticmethod
    def _key(text: str) -> str:
        return re.sub(r"-syn\d{3}", "", text)

    def _index(self) -> None:
        self._sorted = sorted(self._cache)
        self._reversed = sorted(k[::-1] for k in self._cache)

    def _near(self, key: str) -> str | None:
        """A cached text that shares start and end with ``key`` except for a short stretch, if any."""
        at = bisect.bisect_left(self._sorted, key)
        back = bisect.bisect_left(self._reversed, key[::-1])
        candidates = self._sorted[max(0, at - 1) : at + 1] + [k[::-1] for k in self._reversed[max(0, back - 1) : back + 1]]

        def shared(k: str) -> int:
            head = len(os.path.commonprefix([k, key]))
            tail = len(os.path.commonprefix([k[::-1], key[::-1]]))
            return min(len(key), head + tail)

        best = max(candidates, key=shared, default=None)
        return best if best is not None and shared(best) >= 0.8 * len(key) else None

    def _vectors(self, texts: list[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        missing = sorted({k for k in keys if k not in self._cache})
        near = {k: self._near(k) for k in missing}
        for key, neighbour in near.items():
            if neighbour is not None:
                self._cache[key] = self._cache[neighbour]
                self.near_calls += 1
        missing = [k for k in missing if near[k] is None]
        if missing:
            self.real_calls += len(missing)
            for key, vec in zip(missing, self.inner.embed_passages(missing)):
                self._cache[key] = vec
        if near:
            self._index()
        out = np.stack([self._cache[k] for k in keys]) + self._rng.normal(0, self._noise, (len(keys), self.dim)).astype(np.float32)
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)

    def embed_passages(self, texts):  # noqa: ANN001 - Embedder protocol
        return self._vectors(list(texts)) if texts else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def save(self) -> None:
        if self._cache_path is not None and self._cache:
            keys = list(self._cache)
            np.savez(self._cache_path, keys=np.array(keys), vectors=np.stack([self._cache[k] for k in keys]))


def make_corpus(factor: int, target: Path, source: Path = ROOT / "corpus") -> int:
    """Write ``factor`` copies of every plan (copy 0 is the real corpus) plus a manifest."""
    from ingest.manifest import read_manifest

    target.mkdir(parents=True, exist_ok=True)
    metas = read_manifest(source)
    entries = []
    rng = random.Random(11)
    for k in range(factor):
        for doc_id, meta in metas.items():
            text = (source / meta.source).read_text(encoding="utf-8")
            new_id, municipality = doc_id, meta.municipality
            if k:
                new_id, municipality, text = f"{doc_id}-syn{k:03d}", f"{meta.municipality}-syn{k:03d}", _vary(text, k, rng)
            (target / f"{new_id}.txt").write_text(text, encoding="utf-8")
            entries.append(_entry(new_id, meta.title, municipality, meta.language, meta.period))
    (target / "manifest.toml").write_text("\n".join(entries), encoding="utf-8")
    return len(entries)


ADDED_PLAN = "sandnes-plan-forebygging-2024-2032"  # the median-size real plan: 27 KB, ~330 texts to embed


def add_plan(corpus: Path, new_id: str, municipality: str, source: Path = ROOT / "corpus", template: str = ADDED_PLAN) -> None:
    """One more plan (a real one, renamed, with every line changed a little) as a municipality adds it."""
    from ingest.manifest import read_manifest

    meta = read_manifest(source)[template]
    text = (source / meta.source).read_text(encoding="utf-8").replace("Sandnes", municipality).replace("Sør-Aurdal", municipality)
    text = "\n".join(f"{line} ({municipality})" if len(line.split()) > 6 else line for line in text.split("\n"))
    (corpus / f"{new_id}.txt").write_text(text, encoding="utf-8")
    with open(corpus / "manifest.toml", "a", encoding="utf-8") as fh:
        fh.write("\n" + _entry(new_id, f"Ny plan for {municipality}", municipality, meta.language, meta.period))


def _vary(text: str, k: int, rng: random.Random) -> str:
    for name in MUNICIPALITIES:
        text = text.replace(name, f"{name}-syn{k:03d}")
    lines = text.split("\n")
    for i, line in enumerate(lines):
        words = line.split(" ")
        if len(words) > 8 and rng.random() < 0.03:
            del words[rng.randrange(1, len(words) - 1)]
            lines[i] = " ".join(words)
    return "\n".join(lines)


def _entry(doc_id: str, title: str, municipality: str, language: str, period: str) -> str:
    return (
        f'[[documents]]\nid = "{doc_id}"\nfile = "{doc_id}.txt"\ntitle = "{title}"\n'
        f'municipality = "{municipality}"\nlanguage = "{language}"\nperiod = "{period}"\n'
    )
