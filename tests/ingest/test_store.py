"""The store Protocol on the real corpus: the in-memory fake (fast) and the embedded Chroma store (slow) alike,
then what only the embedded store does: copy-on-write builds, damage found and repaired, handles released."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from ingest.embedding import HashEmbedder
from ingest.errors import IndexError_
from ingest.pipeline import run_ingest
from ingest.stores import files
from ingest.stores.local import LocalStore
from tests.fakes import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
SMALL = "sogndal-samhandlingsmodell"


def build(settings, store, **kw):
    return run_ingest(settings, embedder=kw.pop("embedder", HashEmbedder()), store=store, **kw)


def chroma_dir(settings, build_id: str) -> Path:
    return files.build_path(settings.index_dir, build_id) / "chroma"


@pytest.fixture(params=["memory", pytest.param("local", marks=pytest.mark.slow)])
def any_store(request, hash_settings):
    return MemoryStore() if request.param == "memory" else LocalStore(hash_settings)


# --- the Protocol, on every store ---------------------------------------------------------------


def test_a_written_build_loads_back_with_text_at_its_offsets(hash_settings, any_store):
    report = build(hash_settings, any_store)
    index = any_store.load_build(report.build_id)
    assert any_store.current_build_id() == report.build_id
    assert len(index.chunks) == report.chunks and len(index.units) == report.units == len(index.unit_vectors)
    for chunk in index.chunks:
        text = index.doc_texts[chunk.doc_id]
        assert text[chunk.start : chunk.end] == chunk.text
        assert all(text[u.start : u.end] == u.text and u.chunk_id == chunk.chunk_id for u in chunk.units)
        assert chunk.municipality == index.docs[chunk.doc_id].municipality
    assert index.units == [u for c in index.chunks for u in c.units]
    norms = np.linalg.norm(index.chunk_vectors, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-3)


def test_search_finds_a_chunk_by_its_own_vector_and_filters_by_municipality(hash_settings, any_store):
    index = any_store.load_build(build(hash_settings, any_store).build_id)
    search = any_store.open_search(index)
    try:
        row = next(i for i, c in enumerate(index.chunks) if c.municipality == "Sør-Aurdal")
        best = search(index.chunk_vectors[row], 5)
        assert best[0][0] == row and best[0][1] == pytest.approx(1.0, abs=1e-3)
        assert [s for _, s in best] == sorted((s for _, s in best), reverse=True)
        sandnes = sum(c.municipality == "Sandnes" for c in index.chunks)
        filtered = search(index.chunk_vectors[row], sandnes + 10, "Sandnes")
        assert len(filtered) == sandnes and all(index.chunks[r].municipality == "Sandnes" for r, _ in filtered)
        assert search(index.chunk_vectors[row], 5, "Oslo") == []
    finally:
        search.close()


def test_prune_keeps_the_current_build_and_the_newest_ones(hash_settings, any_store):
    ids = []
    for n in range(4):
        append_line = f"\nEndring {n} i planen.\n"
        path = Path(hash_settings.corpus_dir) / f"{SMALL}.txt"
        path.write_text(path.read_text(encoding="utf-8") + append_line, encoding="utf-8")
        ids.append(build(hash_settings, any_store).build_id)
        time.sleep(0.01)
    assert any_store.current_build_id() == ids[-1]
    for gone in ids[:-hash_settings.keep_builds]:
        with pytest.raises(IndexError_):
            any_store.load_build(gone)
    for kept in ids[-hash_settings.keep_builds :]:
        assert any_store.load_build(kept).chunks


# --- the embedded store: real files and a real Chroma store in a temp dir ------------------------


def test_a_torn_copy_of_the_vector_store_is_dropped_and_every_vector_written(hash_settings, local_store, monkeypatch, caplog):
    first = build(hash_settings, local_store)
    real_copy = shutil.copytree

    def torn_copy(src, dst, *args, **kw):
        real_copy(src, dst, *args, **kw)
        if Path(dst).name.startswith("chroma-check-"):
            os.truncate(Path(dst) / "chroma.sqlite3", 4096)

    monkeypatch.setattr(shutil, "copytree", torn_copy)
    path = Path(hash_settings.corpus_dir) / f"{SMALL}.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nEndra.\n", encoding="utf-8")
    second = build(hash_settings, local_store)
    monkeypatch.undo()
    assert second.repaired and "not usable" in caplog.text  # a torn copy looks like damage: every vector is written
    index = local_store.load_build(second.build_id)
    assert local_store.verify_build(index) == [] and local_store.verify_build(local_store.load_build(first.build_id)) == []


def test_loaded_vectors_match_what_the_pipeline_computed(hash_settings, local_store):
    memory = MemoryStore()
    written = memory.load_build(build(hash_settings, memory).build_id)
    loaded = local_store.load_build(build(hash_settings, local_store).build_id)
    assert [c.chunk_id for c in loaded.chunks] == [c.chunk_id for c in written.chunks]
    assert np.array_equal(np.asarray(loaded.unit_vectors), written.unit_vectors)
    assert np.allclose(loaded.chunk_vectors, written.chunk_vectors, atol=1e-6)
    assert loaded.unit_vectors.dtype == np.float16 and loaded.chunk_vectors.dtype == np.float32


def test_a_new_build_copies_the_vector_store_and_leaves_the_previous_one_usable(hash_settings, local_store, caplog):
    first = build(hash_settings, local_store)
    path = Path(hash_settings.corpus_dir) / f"{SMALL}.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nSamhandlingsmodellen blir evaluert kvart år.\n", encoding="utf-8")
    second = build(hash_settings, local_store)
    assert second.changed == [SMALL] and second.embedded < first.embedded / 5
    assert not second.repaired and "not usable" not in caplog.text  # the copy was used
    for build_id in (first.build_id, second.build_id):
        index = local_store.load_build(build_id)
        assert local_store.verify_build(index) == []
    new = local_store.load_build(second.build_id)
    search = local_store.open_search(new)
    row = next(i for i, c in enumerate(new.chunks) if "evaluert kvart år" in c.text)
    assert search(new.chunk_vectors[row], 3)[0][0] == row
    search.close()
    unchanged = next(d for d in new.docs if d != SMALL)
    assert os.path.samefile(files.build_path(hash_settings.index_dir, first.build_id) / "docs" / f"{unchanged}.txt",
                            files.build_path(hash_settings.index_dir, second.build_id) / "docs" / f"{unchanged}.txt")


def test_verifying_the_current_build_never_opens_its_vector_store(hash_settings, local_store):
    """Chroma rewrites files on every open; assistants may be reading the build, so ingest checks a copy."""
    first = build(hash_settings, local_store)
    before = sorted((str(p), p.stat().st_mtime_ns) for p in chroma_dir(hash_settings, first.build_id).rglob("*"))
    again = build(hash_settings, local_store)
    assert again.up_to_date and not again.repaired
    assert sorted((str(p), p.stat().st_mtime_ns) for p in chroma_dir(hash_settings, first.build_id).rglob("*")) == before
    assert [p.name for p in Path(hash_settings.index_dir).iterdir() if p.name.startswith("chroma-check-")] == []


DAMAGE = {
    "truncated sqlite": lambda d: os.truncate(d / "chroma.sqlite3", 8192),
    "overwritten sqlite": lambda d: (d / "chroma.sqlite3").write_bytes(os.urandom(200_000)),
    "deleted chroma folder": lambda d: shutil.rmtree(d),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_vector_store_gives_a_rebuild_message_and_the_next_ingest_repairs_it(hash_settings, local_store, damage):
    first = build(hash_settings, local_store)
    DAMAGE[damage](chroma_dir(hash_settings, first.build_id))
    with pytest.raises(IndexError_, match="python -m ingest"):
        Assistant(hash_settings, HashEmbedder(), store=local_store)
    repaired = build(hash_settings, local_store)
    assert repaired.repaired and repaired.embedded == 0 and repaired.build_id != first.build_id
    assistant = Assistant(hash_settings, HashEmbedder(), store=local_store)
    assert assistant.build_id == repaired.build_id and assistant.retrieve("stafetthaldar nivå 2", k=3)
    assert build(hash_settings, local_store).up_to_date


def test_damaged_build_files_are_re_embedded(hash_settings, local_store):
    first = build(hash_settings, local_store)
    path = files.build_path(hash_settings.index_dir, first.build_id) / "units.f16.npy"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexError_, match="rebuild"):
        Assistant(hash_settings, HashEmbedder(), store=local_store)
    repaired = build(hash_settings, local_store)
    assert repaired.repaired and repaired.embedded == first.embedded
    Assistant(hash_settings, HashEmbedder(), store=local_store)


def test_corrupt_manifest_and_missing_index_say_what_to_run(hash_settings, local_store):
    with pytest.raises(IndexError_, match="python -m ingest"):
        Assistant(hash_settings, HashEmbedder(), store=local_store)
    report = build(hash_settings, local_store)
    (files.build_path(hash_settings.index_dir, report.build_id) / "index.json").write_text("{not json")
    with pytest.raises(IndexError_, match="rebuild"):
        local_store.load_build(report.build_id)


def test_asking_with_another_embedder_is_refused(hash_settings, local_store, real_embedder):
    build(hash_settings, local_store)
    with pytest.raises(IndexError_, match="--rebuild"):
        Assistant(hash_settings, real_embedder, store=local_store)


def deleted_open_files(under: Path) -> list[str]:
    """Files under ``under`` that this process still holds open after they were deleted."""
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.endswith(" (deleted)") and target.startswith(str(under)):
            out.append(target)
    return out


def test_swapping_builds_releases_the_old_builds_files(hash_settings, local_store):
    build(hash_settings, local_store)
    assistant = Assistant(hash_settings, HashEmbedder(), store=local_store)
    assistant.ask("Kva er nivå 2 i BTI?")
    path = Path(hash_settings.corpus_dir) / f"{SMALL}.txt"
    for n in range(8):
        path.write_text(path.read_text(encoding="utf-8") + f"\nEndring {n} i planen.\n", encoding="utf-8")
        build(hash_settings, local_store)
        assistant._checked_at = 0.0  # do not wait a second for the swap
        assistant.ask("Kva er nivå 2 i BTI?")
        assistant.retrieve("stafetthaldar", k=3)
    gc.collect()
    assert assistant.build_id == local_store.current_build_id()
    assert len(files.build_ids(hash_settings.index_dir)[0]) == hash_settings.keep_builds  # the others were deleted
    assert deleted_open_files(Path(hash_settings.index_dir)) == []


def test_unwritable_index_dir_fails_cleanly_and_keeps_old_index(hash_settings, local_store, monkeypatch):
    first = build(hash_settings, local_store)
    builds = Path(hash_settings.index_dir) / "builds"
    path = Path(hash_settings.corpus_dir) / f"{SMALL}.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nEndra.\n", encoding="utf-8")
    original = Path.mkdir

    def read_only(self, *args, **kwargs):  # root ignores chmod, so simulate EACCES for new builds
        if self.parent == builds:
            raise PermissionError(13, "Permission denied", str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(PermissionError):
        build(hash_settings, local_store)
    monkeypatch.undo()
    assert local_store.current_build_id() == first.build_id
    assert local_store.load_build(first.build_id).chunks
    assert build(hash_settings, local_store).changed == [SMALL]


def test_disk_full_while_writing_keeps_old_index_and_leaves_no_debris(hash_settings, local_store, monkeypatch):
    first = build(hash_settings, local_store)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "write_files", full)
    with pytest.raises(OSError, match="No space"):
        build(hash_settings, local_store, rebuild=True)
    monkeypatch.undo()
    assert local_store.current_build_id() == first.build_id
    assert [p.name for p in (Path(hash_settings.index_dir) / "builds").iterdir()] == [first.build_id]


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["embed", "write"])
def test_process_killed_mid_build_leaves_old_index_and_next_run_repairs(hash_settings, tmp_path, phase):
    store = LocalStore(hash_settings)
    first = build(hash_settings, store)
    script = tmp_path / "slow_ingest.py"
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from ingest.stores import files\n"
        "from ingest.embedding import HashEmbedder\n"
        "from ingest.pipeline import run_ingest\n"
        "from ingest.settings import Settings\n"
        "class Slow(HashEmbedder):\n"
        "    def embed_passages(self, texts):\n"
        f"        time.sleep(0.05 if {phase!r} == 'embed' else 0)\n"
        "        return super().embed_passages(texts)\n"
        "original = files.write_files\n"
        "def slow_write(*args, **kwargs):\n"
        f"    time.sleep(30 if {phase!r} == 'write' else 0)\n"
        "    return original(*args, **kwargs)\n"
        "files.write_files = slow_write\n"
        f"s = Settings(index_dir={str(hash_settings.index_dir)!r}, corpus_dir={str(hash_settings.corpus_dir)!r}, embed_backend='hash', embed_batch_size=4)\n"
        "print('started', flush=True)\n"
        "run_ingest(s, rebuild=True, embedder=Slow())\n"
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started"
    time.sleep(1.5 if phase == "embed" else 4.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert store.current_build_id() == first.build_id
    assert len(store.load_build(first.build_id).chunks) == first.chunks
    again = build(hash_settings, store)  # the lock died with the killed process; nothing to do
    assert again.up_to_date
    leftovers = [p.name for p in (Path(hash_settings.index_dir) / "builds").iterdir() if p.name != first.build_id]
    assert leftovers == []


class _Collection:
    """A Chroma collection that stores the build's vectors but answers queries with ``answer``."""

    def __init__(self, index, answer: list[tuple[str, float]]) -> None:
        self._index, self._answer = index, answer

    def count(self) -> int:
        return len(self._index.chunks)

    def get(self, ids, include):  # noqa: ANN001
        rows = {c.chunk_id: i for i, c in enumerate(self._index.chunks)}
        return {"ids": ids, "embeddings": [self._index.chunk_vectors[rows[i]] for i in ids]}

    def query(self, query_embeddings, n_results, include):  # noqa: ANN001
        return {"ids": [[cid for cid, _ in self._answer]], "distances": [[1.0 - s for _, s in self._answer]]}


@pytest.mark.parametrize(("answer", "damaged"), [
    ([("a-stranger", 0.83), ("another", 0.80)], True),  # strangers: the search side is broken
    ([("a-near-copy", 0.995)], False),  # a near-identical paragraph of another plan outranks the chunk: fine
])
def test_the_sample_query_tells_a_broken_search_from_near_copies(answer, damaged):
    from ingest.stores.chroma_vectors import ChromaVectors
    from tests.assistant.plans import Plan, build_index

    index = build_index([Plan("d", "T", "M", "nn", (("S", "Ein. To. Tre. Fire. Fem. Seks. Sju. Åtte. Ni."),))])
    problems = ChromaVectors(_Collection(index, answer)).problems(index)
    assert bool(problems) == damaged and all("sample queries" in p for p in problems)
