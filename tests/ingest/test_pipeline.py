"""Incremental ingest on the real corpus: what is embedded, what is copied, what is kept when things fail.

Fast tests use the in-memory store fake; the ones that need files or Chroma use the real
embedded store in a temp dir (``local_store``, slow).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from ingest.embedding import HashEmbedder
from ingest.errors import IngestError
from ingest.pipeline import run_ingest
from ingest.stores import files

ROOT = Path(__file__).resolve().parents[2]
SMALL = "sogndal-samhandlingsmodell"


def build(settings, store, **kw):
    return run_ingest(settings, embedder=kw.pop("embedder", HashEmbedder()), store=store, **kw)


def append(settings, doc_id: str, text: str) -> None:
    path = Path(settings.corpus_dir) / f"{doc_id}.txt"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def edit_manifest(settings, old: str, new: str) -> None:
    path = Path(settings.corpus_dir) / "manifest.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_full_build_then_unchanged_rerun_embeds_nothing(hash_settings, memory_store):
    first = build(hash_settings, memory_store)
    assert first.documents == 5 and first.chunks > 100 and first.embedded == first.units + first.chunks
    again = build(hash_settings, memory_store)
    assert again.up_to_date and again.embedded == 0
    assert again.build_id == first.build_id and len(memory_store.writes) == 1
    assert "up to date" in again.summary()


def test_changed_document_is_the_only_one_re_embedded_and_the_rest_is_copied(hash_settings, memory_store):
    first = build(hash_settings, memory_store)
    before = memory_store.load_build(first.build_id)
    append(hash_settings, SMALL, "\n\nEin ny setning om stafetthaldar i Sogndal.\n")
    second = build(hash_settings, memory_store)
    assert second.changed == [SMALL]
    index = memory_store.load_build(second.build_id)
    units_in_doc = sum(len(c.units) for c in index.chunks if c.doc_id == SMALL)
    chunks_in_doc = sum(1 for c in index.chunks if c.doc_id == SMALL)
    assert second.embedded == units_in_doc + chunks_in_doc
    assert memory_store.writes[-1] == (second.build_id, first.build_id)  # written as a difference from the previous build
    old_rows, new_rows = before.doc_rows(), index.doc_rows()
    for doc_id in index.docs:
        if doc_id != SMALL:
            assert np.array_equal(index.unit_vectors[new_rows[doc_id][1]], before.unit_vectors[old_rows[doc_id][1]])
            assert np.array_equal(index.chunk_vectors[new_rows[doc_id][0]], before.chunk_vectors[old_rows[doc_id][0]])


def test_removed_document_disappears(hash_settings, memory_store):
    build(hash_settings, memory_store)
    (Path(hash_settings.corpus_dir) / "sandnes-plan-forebygging-2024-2032.txt").unlink()
    text = (Path(hash_settings.corpus_dir) / "manifest.toml").read_text(encoding="utf-8")
    entry = text.index('[[documents]]\nid = "sandnes')
    end = text.index("[[documents]]", entry + 5)
    (Path(hash_settings.corpus_dir) / "manifest.toml").write_text(text[:entry] + text[end:], encoding="utf-8")
    report = build(hash_settings, memory_store)
    assert report.removed == ["sandnes-plan-forebygging-2024-2032"] and report.embedded == 0
    index = memory_store.load_build(report.build_id)
    assert all(c.doc_id != "sandnes-plan-forebygging-2024-2032" for c in index.chunks)
    assert len(index.chunk_vectors) == len(index.chunks) and len(index.unit_vectors) == len(index.units)


def test_a_new_file_without_manifest_entry_ingests_with_a_warning(hash_settings, memory_store):
    build(hash_settings, memory_store)
    (Path(hash_settings.corpus_dir) / "sandnes-ny-rutine.md").write_text(
        "# Rutine for samarbeid\n\nHelsesykepleier kontaktes via skolen. Foresatte får svar innen en uke.\n", encoding="utf-8"
    )
    report = build(hash_settings, memory_store)
    assert report.new == ["sandnes-ny-rutine"]
    assert any("no manifest entry" in w for w in report.warnings)
    assert memory_store.load_build(report.build_id).docs["sandnes-ny-rutine"].municipality == "Sandnes"


def test_bad_file_stops_the_ingest_and_keeps_the_old_index(hash_settings, memory_store):
    first = build(hash_settings, memory_store)
    (Path(hash_settings.corpus_dir) / "broken.txt").write_bytes(b"\xff\xfe\x00\x00binary")
    with pytest.raises(IngestError) as info:
        build(hash_settings, memory_store)
    assert "broken.txt" in str(info.value)
    assert memory_store.current_build_id() == first.build_id
    skipped = build(hash_settings, memory_store, skip_bad=True)
    assert skipped.skipped and skipped.skipped[0][0].endswith("broken.txt")
    assert skipped.documents == 5


def test_skip_bad_with_a_file_empty_after_cleaning_writes_no_new_build(hash_settings, memory_store):
    (Path(hash_settings.corpus_dir) / "tom.md").write_text("Les mer\n\nles videre\n", encoding="utf-8")  # only boilerplate
    first = build(hash_settings, memory_store, skip_bad=True)
    again = build(hash_settings, memory_store, skip_bad=True)
    assert again.up_to_date and again.build_id == first.build_id and len(memory_store.writes) == 1
    assert any(path.endswith("tom.md") and "no text left" in problem for path, problem in again.skipped)


def test_exception_during_embedding_leaves_previous_index(hash_settings, memory_store):
    first = build(hash_settings, memory_store)

    class Exploding(HashEmbedder):
        calls = 0

        def embed_passages(self, texts):
            Exploding.calls += 1
            if Exploding.calls > 2:
                raise RuntimeError("boom in the middle of embedding")
            return super().embed_passages(texts)

    with pytest.raises(RuntimeError, match="boom"):
        build(hash_settings, memory_store, rebuild=True, embedder=Exploding())
    assert memory_store.current_build_id() == first.build_id
    assert build(hash_settings, memory_store).up_to_date


def test_prepare_sees_the_new_build_before_it_goes_live_and_its_failure_keeps_the_old(hash_settings, memory_store):
    first = build(hash_settings, memory_store)
    seen: list[tuple[str, str | None, int]] = []

    def prepare(data):
        seen.append((data.build_id, memory_store.current_build_id(), len(data.chunks)))

    append(hash_settings, SMALL, "\n\nEin ny setning om stafetthaldar i Sogndal.\n")
    second = build(hash_settings, memory_store, prepare=prepare)
    assert seen == [(second.build_id, first.build_id, second.chunks)]  # called before CURRENT moved
    assert "prepare" in second.seconds

    def broken(data):
        raise OSError("disk full while preparing")

    append(hash_settings, SMALL, "\n\nEndå ei setning.\n")
    with pytest.raises(OSError, match="disk full"):
        build(hash_settings, memory_store, prepare=broken)
    assert memory_store.current_build_id() == second.build_id


def test_an_up_to_date_ingest_still_prepares_the_current_build(hash_settings, memory_store):
    first = build(hash_settings, memory_store)
    seen: list[str] = []
    again = build(hash_settings, memory_store, prepare=lambda data: seen.append(data.build_id))
    assert again.up_to_date and seen == [first.build_id]


def test_ingesting_named_files_adds_them_and_keeps_the_rest(hash_settings, memory_store, tmp_path):
    first = build(hash_settings, memory_store)
    extra = tmp_path / "sandnes-rutine.md"
    extra.write_text("# Rutine\n\nHelsesykepleier kontaktes via skolen. Foresatte får svar innen en uke.\n", encoding="utf-8")
    report = build(hash_settings, memory_store, paths=[extra])
    assert report.new == ["sandnes-rutine"] and report.removed == []
    assert report.documents == first.documents + 1
    assert {"sandnes-rutine", "sogndal-bti-struktur-for-samarbeid"} <= set(memory_store.load_build(report.build_id).docs)
    assert build(hash_settings, memory_store, paths=[extra]).up_to_date


def test_a_damaged_vector_store_is_rewritten_without_re_embedding(hash_settings, memory_store):
    first = build(hash_settings, memory_store)
    memory_store.damaged[first.build_id] = ["the vector store holds 0 chunk vectors, the build has 238 chunks"]
    report = build(hash_settings, memory_store)
    assert report.repaired and "0 chunk vectors" in report.repaired[0] and report.embedded == 0
    assert memory_store.writes[-1] == (report.build_id, None)  # written whole, not copied from the damaged store
    assert memory_store.current_build_id() == report.build_id and "repaired:" in report.summary()


def test_damage_found_while_writing_a_change_is_reported_and_everything_written(hash_settings, memory_store):
    first = build(hash_settings, memory_store)
    memory_store.damaged[first.build_id] = ["2 of 8 sampled chunk ids are missing from the vector store"]
    append(hash_settings, SMALL, "\nEndra.\n")
    report = build(hash_settings, memory_store)
    assert report.changed == [SMALL] and report.repaired and "sampled chunk ids" in report.repaired[0]
    assert memory_store.writes[-1] == (report.build_id, None)


# --- issue 13: stale plans and bad files that stay bad (real corpus, real embedded store) -----------


def test_skip_bad_with_a_file_that_stays_bad_writes_no_new_build(hash_settings, local_store):
    (Path(hash_settings.corpus_dir) / "broken.txt").write_bytes(b"\xff\xfe\x00\x00binary")
    first = build(hash_settings, local_store, skip_bad=True)
    again = build(hash_settings, local_store, skip_bad=True)
    assert again.up_to_date and again.build_id == first.build_id
    assert again.skipped and "broken.txt" in again.summary()
    assert files.build_ids(hash_settings.index_dir) == ([first.build_id], [])


def test_editing_title_and_municipality_in_the_manifest_updates_the_index_without_embedding(hash_settings, local_store):
    build(hash_settings, local_store)
    edit_manifest(hash_settings, 'municipality = "Sandnes"', 'municipality = "Stavanger"')
    edit_manifest(hash_settings, 'title = "Plan for forebygging av omsorgssvikt', 'title = "Ny tittel: Plan for forebygging av omsorgssvikt')
    report = build(hash_settings, local_store)
    assert report.updated == ["sandnes-plan-forebygging-2024-2032"] and report.embedded == 0 and not report.up_to_date
    assistant = Assistant(hash_settings, HashEmbedder(), store=local_store)
    hits = assistant.retrieve("lavinntekt barn familier", municipality="Stavanger", k=3)
    assert hits and all(h.chunk.municipality == "Stavanger" and h.chunk.title.startswith("Ny tittel") for h in hits)
    assert not assistant.retrieve("lavinntekt barn familier", municipality="Sandnes", k=3)
    assert build(hash_settings, local_store).up_to_date


@pytest.mark.slow
def test_cli_exit_codes(tmp_path, tmp_corpus):
    env = {**os.environ, "FA_EMBED_BACKEND": "hash", "FA_CORPUS_DIR": str(tmp_corpus)}
    ok = subprocess.run([sys.executable, "-m", "ingest", "--index", str(tmp_path / "i"), "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "documents: 5" in ok.stdout
    (tmp_corpus / "empty.txt").write_text("")
    bad = subprocess.run([sys.executable, "-m", "ingest", "--index", str(tmp_path / "i"), "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert bad.returncode == 2
    assert "empty.txt" in bad.stderr and "unchanged" in bad.stderr
