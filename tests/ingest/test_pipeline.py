"""Incremental ingest, failures that leave the old index usable, locking."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest import store
from ingest.embedding import HashEmbedder
from ingest.errors import IngestError, LockedError
from ingest.lock import ingest_lock
from ingest.pipeline import run_ingest

ROOT = Path(__file__).resolve().parents[2]


def build(settings, **kw):
    return run_ingest(settings, embedder=kw.pop("embedder", HashEmbedder()), **kw)


def test_full_build_then_unchanged_rerun_embeds_nothing(hash_settings):
    first = build(hash_settings)
    assert first.documents == 5 and first.chunks > 100 and first.embedded > 0
    again = build(hash_settings)
    assert again.up_to_date and again.embedded == 0
    assert again.build_id == first.build_id
    assert "up to date" in again.summary()


def test_changed_document_is_the_only_one_re_embedded(hash_settings):
    first = build(hash_settings)
    path = Path(hash_settings.corpus_dir) / "sogndal-samhandlingsmodell.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n\nEin ny setning om stafetthaldar i Sogndal.\n", encoding="utf-8")
    second = build(hash_settings)
    assert second.changed == ["sogndal-samhandlingsmodell"]
    index = store.load_build(hash_settings, second.build_id)
    units_in_doc = sum(len(c.units) for c in index.chunks if c.doc_id == "sogndal-samhandlingsmodell")
    chunks_in_doc = sum(1 for c in index.chunks if c.doc_id == "sogndal-samhandlingsmodell")
    assert second.embedded == units_in_doc + chunks_in_doc
    assert second.embedded < first.embedded / 5


def test_removed_document_disappears(hash_settings):
    build(hash_settings)
    (Path(hash_settings.corpus_dir) / "sandnes-plan-forebygging-2024-2032.txt").unlink()
    text = (Path(hash_settings.corpus_dir) / "manifest.toml").read_text(encoding="utf-8")
    entry = text.index('[[documents]]\nid = "sandnes')
    end = text.index("[[documents]]", entry + 5)
    (Path(hash_settings.corpus_dir) / "manifest.toml").write_text(text[:entry] + text[end:], encoding="utf-8")
    report = build(hash_settings)
    assert report.removed == ["sandnes-plan-forebygging-2024-2032"]
    index = store.load_build(hash_settings, report.build_id)
    assert all(c.doc_id != "sandnes-plan-forebygging-2024-2032" for c in index.chunks)
    assert store.DenseIndex(hash_settings, report.build_id).count() == len(index.chunks)


def test_a_new_file_without_manifest_entry_ingests_with_a_warning(hash_settings):
    build(hash_settings)
    (Path(hash_settings.corpus_dir) / "sandnes-ny-rutine.md").write_text(
        "# Rutine for samarbeid\n\nHelsesykepleier kontaktes via skolen. Foresatte får svar innen en uke.\n", encoding="utf-8"
    )
    report = build(hash_settings)
    assert report.new == ["sandnes-ny-rutine"]
    assert any("no manifest entry" in w for w in report.warnings)
    index = store.load_build(hash_settings, report.build_id)
    assert index.docs["sandnes-ny-rutine"].municipality == "Sandnes"


def test_bad_file_stops_the_ingest_and_keeps_the_old_index(hash_settings):
    first = build(hash_settings)
    (Path(hash_settings.corpus_dir) / "broken.txt").write_bytes(b"\xff\xfe\x00\x00binary")
    with pytest.raises(IngestError) as info:
        build(hash_settings)
    assert "broken.txt" in str(info.value)
    assert store.current_build_id(hash_settings) == first.build_id
    skipped = build(hash_settings, skip_bad=True)
    assert skipped.skipped and skipped.skipped[0][0].endswith("broken.txt")
    assert skipped.documents == 5


def test_exception_during_embedding_leaves_previous_index_and_no_debris(hash_settings):
    first = build(hash_settings)

    class Exploding(HashEmbedder):
        calls = 0

        def embed_passages(self, texts):
            Exploding.calls += 1
            if Exploding.calls > 2:
                raise RuntimeError("boom in the middle of embedding")
            return super().embed_passages(texts)

    with pytest.raises(RuntimeError, match="boom"):
        build(hash_settings, rebuild=True, embedder=Exploding())
    assert store.current_build_id(hash_settings) == first.build_id
    assert store.load_build(hash_settings, first.build_id).chunks
    again = build(hash_settings)
    assert again.up_to_date


def test_unwritable_index_dir_fails_cleanly_and_keeps_old_index(hash_settings, monkeypatch):
    first = build(hash_settings)
    builds = Path(hash_settings.index_dir) / "builds"
    path = Path(hash_settings.corpus_dir) / "sogndal-samhandlingsmodell.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nEndra.\n", encoding="utf-8")
    original = Path.mkdir

    def read_only(self, *args, **kwargs):  # root ignores chmod, so simulate EACCES for new builds
        if self.parent == builds:
            raise PermissionError(13, "Permission denied", str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(PermissionError):
        build(hash_settings)
    monkeypatch.undo()
    assert store.current_build_id(hash_settings) == first.build_id
    assert store.load_build(hash_settings, first.build_id).chunks
    assert build(hash_settings).changed == ["sogndal-samhandlingsmodell"]


def test_disk_full_while_writing_keeps_old_index(hash_settings, monkeypatch):
    first = build(hash_settings)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_write_side_files", full)
    with pytest.raises(OSError, match="No space"):
        build(hash_settings, rebuild=True)
    monkeypatch.undo()
    assert store.current_build_id(hash_settings) == first.build_id
    assert [p.name for p in (Path(hash_settings.index_dir) / "builds").iterdir()] == [first.build_id]


def test_second_ingest_is_refused_while_one_runs(hash_settings):
    with ingest_lock(Path(hash_settings.index_dir)):
        with pytest.raises(LockedError, match="another ingest"):
            build(hash_settings)


def test_stale_lock_from_a_dead_process_is_cleared(hash_settings):
    Path(hash_settings.index_dir).mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (Path(hash_settings.index_dir) / "ingest.lock").write_text(str(dead.pid))
    assert build(hash_settings).documents == 5


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["embed", "write"])
def test_process_killed_mid_build_leaves_old_index_and_next_run_repairs(hash_settings, tmp_path, phase):
    first = build(hash_settings)
    script = tmp_path / "slow_ingest.py"
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from ingest import store\n"
        "from ingest.embedding import HashEmbedder\n"
        "from ingest.pipeline import run_ingest\n"
        "from ingest.settings import Settings\n"
        "class Slow(HashEmbedder):\n"
        "    def embed_passages(self, texts):\n"
        f"        time.sleep(0.05 if {phase!r} == 'embed' else 0)\n"
        "        return super().embed_passages(texts)\n"
        "original = store._write_side_files\n"
        "def slow_write(*args, **kwargs):\n"
        f"    time.sleep(30 if {phase!r} == 'write' else 0)\n"
        "    return original(*args, **kwargs)\n"
        "store._write_side_files = slow_write\n"
        f"s = Settings(index_dir={str(hash_settings.index_dir)!r}, corpus_dir={str(hash_settings.corpus_dir)!r}, embed_backend='hash', embed_batch_size=4)\n"
        "print('started', flush=True)\n"
        "run_ingest(s, rebuild=True, embedder=Slow())\n"
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started"
    time.sleep(1.5 if phase == "embed" else 4.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert store.current_build_id(hash_settings) == first.build_id
    index = store.load_build(hash_settings, first.build_id)
    assert len(index.chunks) == first.chunks
    again = build(hash_settings)  # stale lock cleared, nothing to do
    assert again.up_to_date
    leftovers = [p.name for p in (Path(hash_settings.index_dir) / "builds").iterdir() if p.name != first.build_id]
    assert leftovers == []


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


def test_ingesting_named_files_adds_them_and_keeps_the_rest(hash_settings, tmp_path):
    first = build(hash_settings)
    extra = tmp_path / "sandnes-rutine.md"
    extra.write_text("# Rutine\n\nHelsesykepleier kontaktes via skolen. Foresatte får svar innen en uke.\n", encoding="utf-8")
    report = build(hash_settings, paths=[extra])
    assert report.new == ["sandnes-rutine"] and report.removed == []
    assert report.documents == first.documents + 1
    index = store.load_build(hash_settings, report.build_id)
    assert {"sandnes-rutine", "sogndal-bti-struktur-for-samarbeid"} <= set(index.docs)
    assert build(hash_settings, paths=[extra]).up_to_date
