"""The BM25 index saved beside a build: read back instead of re-tokenising, rebuilt when it does
not match or is damaged, and never a reason for loading to fail."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import assistant.retrieval as retrieval
from assistant import bm25_cache
from assistant.retrieval import BM25Index
from assistant.text import tokens
from ingest.models import Chunk, Unit

TEXTS = ["Helsesjukepleiar på helsestasjonen", "Barnevernstenesta tek imot meldingar", "Kulturskulen har konsertar", ""]


def chunks(texts: list[str] = TEXTS) -> list[Chunk]:
    return [Chunk(f"c{i}", "d", "T", "M", "nn", "S", t, 0, len(t), "text", [Unit(f"u{i}", f"c{i}", "d", t, 0, len(t))])
            for i, t in enumerate(texts)]


def test_a_second_load_reads_the_cache_and_searches_the_same(tmp_path, monkeypatch):
    built = BM25Index(chunks(), cache=tmp_path, build_id="b1")
    query = tokens("barnevernstjenesten meldinger")
    monkeypatch.setattr(retrieval, "tokens", lambda *a, **k: (_ for _ in ()).throw(AssertionError("tokenised")))
    cached = BM25Index(chunks(), cache=tmp_path, build_id="b1")
    assert cached.search(query, 3) == built.search(query, 3) and built.search(query, 3)[0][0] == 1
    assert cached.idf() == built.idf()


def test_idf_from_the_index_matches_counting_the_tokens():
    index = BM25Index(chunks())
    corpus = [tokens(f"S {t}", "nn") or ["_"] for t in TEXTS]
    df: dict[str, int] = {}
    for doc in corpus:
        for t in set(doc):
            df[t] = df.get(t, 0) + 1
    assert index.idf() == pytest.approx({t: float(np.log(1 + len(corpus) / (1 + d))) for t, d in df.items()})


def test_other_chunks_or_another_tokeniser_make_a_new_cache(tmp_path, monkeypatch):
    BM25Index(chunks(), cache=tmp_path, build_id="b1")
    other = BM25Index(chunks(TEXTS[:2]), cache=tmp_path, build_id="b1")  # same build id, other chunks: not reused
    assert other.search(tokens("kulturskulen"), 3) == []
    monkeypatch.setattr(bm25_cache, "fingerprint", lambda ids: "lexicon-edited")
    BM25Index(chunks(), cache=tmp_path, build_id="b1")
    assert len([p for p in tmp_path.iterdir() if not p.name.startswith(".")]) == 3


def test_a_damaged_cache_is_rebuilt_with_a_warning(tmp_path, caplog):
    BM25Index(chunks(), cache=tmp_path, build_id="b1")
    (folder,) = list(tmp_path.iterdir())
    for f in folder.glob("*.npy"):
        f.write_bytes(b"not numpy")
    with caplog.at_level(logging.WARNING):
        rebuilt = BM25Index(chunks(), cache=tmp_path, build_id="b1")
    assert "could not be read" in caplog.text
    assert rebuilt.search(tokens("helsesykepleier"), 3)[0][0] == 0


def test_an_unwritable_cache_location_only_skips_the_cache(tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    assert BM25Index(chunks(), cache=blocker, build_id="b1").search(tokens("helsesykepleier"), 3)[0][0] == 0


def test_only_the_newest_caches_are_kept(tmp_path):
    for i in range(bm25_cache.KEEP + 2):
        BM25Index(chunks(), cache=tmp_path, build_id=f"b{i}")
    assert len(list(tmp_path.iterdir())) == bm25_cache.KEEP
