"""The BM25 token table saved beside a build: read back instead of re-tokenising, made from the
previous build's table for a new one, rebuilt when it does not fit or is damaged, and never a
reason for loading to fail."""

from __future__ import annotations

import logging

import pytest

import assistant.bm25 as bm25_module
from assistant import bm25_cache
from assistant.bm25 import BM25Index
from assistant.text import tokens
from tests.assistant.test_bm25 import TEXTS, chunks


def index(root, build_id="b1", texts=TEXTS) -> BM25Index:
    table = bm25_cache.table_for(root, build_id, chunks(texts))
    return BM25Index(table, ["M"] * len(texts))


@pytest.fixture
def no_tokenising(monkeypatch):
    def refuse(*_a, **_k):
        raise AssertionError("tokenised")

    def on():
        monkeypatch.setattr(bm25_module, "tokens", refuse)

    return on


def test_a_second_load_reads_the_table_and_searches_the_same(tmp_path, no_tokenising):
    built = index(tmp_path)
    no_tokenising()
    cached = index(tmp_path)
    query = tokens("barnevernstjenesten meldinger")
    assert cached.search(query, 3) == built.search(query, 3) and built.search(query, 3)[0][0] == 1
    assert cached.idf() == built.idf()


def test_a_new_build_reuses_the_previous_builds_tokens(tmp_path, monkeypatch):
    index(tmp_path, "b1")
    calls: list[str] = []
    real = bm25_module.tokens
    monkeypatch.setattr(bm25_module, "tokens", lambda text, lang="nb": calls.append(text) or real(text, lang))
    added = index(tmp_path, "b2", TEXTS + ["Ny plan om skulehelsetenesta"])
    assert calls == ["S Ny plan om skulehelsetenesta"]
    assert added.search(tokens("skulehelsetenesta"), 3)[0][0] == len(TEXTS)


def test_the_same_build_id_with_other_chunks_is_not_trusted(tmp_path):
    index(tmp_path, "b1")
    other = index(tmp_path, "b1", TEXTS[:2])
    assert other.search(tokens("kulturskulen"), 3) == []
    assert index(tmp_path, "b1").search(tokens("kulturskulen"), 3)[0][0] == 2


def test_another_tokeniser_makes_a_new_table(tmp_path, monkeypatch):
    index(tmp_path)
    monkeypatch.setattr(bm25_cache, "fingerprint", lambda: "lexicon-edited")
    index(tmp_path)
    assert len([p for p in tmp_path.iterdir() if not p.name.startswith(".")]) == 2


def test_a_damaged_table_is_rebuilt_with_a_warning(tmp_path, caplog):
    index(tmp_path)
    (saved,) = list(tmp_path.iterdir())
    saved.write_bytes(b"not numpy")
    with caplog.at_level(logging.WARNING):
        rebuilt = index(tmp_path)
    assert "could not be read" in caplog.text
    assert rebuilt.search(tokens("helsesykepleier"), 3)[0][0] == 0


def test_an_unwritable_location_only_skips_saving(tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    assert index(blocker).search(tokens("helsesykepleier"), 3)[0][0] == 0


def test_only_the_newest_tables_are_kept_and_old_format_folders_go(tmp_path):
    (tmp_path / "b0-oldformat").mkdir()
    for i in range(bm25_cache.KEEP + 2):
        index(tmp_path, f"b{i}")
    assert len(list(tmp_path.iterdir())) == bm25_cache.KEEP


def test_the_preparer_saves_the_table_a_start_then_reads(tmp_path, no_tokenising):
    from ingest.index_data import IndexData

    import numpy as np

    data = IndexData("b7", "hash", {}, {}, {}, chunks(), [u for c in chunks() for u in c.units], np.zeros((5, 2)), np.zeros((5, 2)))
    bm25_cache.preparer(tmp_path)(data)
    no_tokenising()
    assert bm25_cache.table_for(bm25_cache.folder(tmp_path), "b7", chunks()).keys.tolist() == bm25_module.chunk_keys(chunks()).tolist()
