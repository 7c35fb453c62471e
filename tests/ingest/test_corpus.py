"""What an ingest may read (issue 13): regular files in the corpus folder only, one file per id, bounded sizes.

Each test puts a real link, folder or file into a copy of the real corpus and runs the real
pipeline (the in-memory store: the fault is in reading the corpus, not in storing it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.embedding import HashEmbedder
from ingest.errors import IngestError
from ingest.manifest import read_manifest
from ingest.pipeline import run_ingest

ENTRY = '\n[[documents]]\nid = "{id}"\nfile = "{file}"\ntitle = "T"\nmunicipality = "Sogndal"\nlanguage = "nn"\n'


def build(settings, store, **kw):
    return run_ingest(settings, embedder=HashEmbedder(), store=store, **kw)


def add_entry(corpus: Path, doc_id: str, file: str) -> None:
    with open(corpus / "manifest.toml", "a", encoding="utf-8") as fh:
        fh.write(ENTRY.format(id=doc_id, file=file))


@pytest.mark.parametrize("target", ["/etc/passwd", "outside-note"])
def test_a_symlink_in_the_corpus_is_an_error_that_names_it(hash_settings, memory_store, tmp_path, target):
    corpus = Path(hash_settings.corpus_dir)
    if target == "outside-note":
        target = tmp_path / "note.txt"
        target.write_text("Privat notat om eleven Kari: ikkje del.\n", encoding="utf-8")
    (corpus / "passord.txt").symlink_to(target)
    with pytest.raises(IngestError) as info:
        build(hash_settings, memory_store)
    assert info.value.path.endswith("passord.txt") and "symbolic link" in info.value.problem
    skipped = build(hash_settings, memory_store, skip_bad=True)
    assert "passord" not in memory_store.load_build(skipped.build_id).docs
    assert not any("root:" in t or "Kari" in t for t in memory_store.load_build(skipped.build_id).doc_texts.values())


@pytest.mark.parametrize(("doc_id", "file", "problem"), [
    ("passwd", "../../../../etc/passwd", "not a path"),
    ("passwd", "/etc/passwd", "not a path"),
    ("gamle", "gamle", "is a folder"),
    ("lenke", "lenke.txt", "symbolic link"),
])
def test_manifest_entries_must_name_a_regular_file_in_the_corpus_folder(hash_settings, memory_store, doc_id, file, problem):
    corpus = Path(hash_settings.corpus_dir)
    (corpus / "gamle").mkdir()
    (corpus / "lenke.txt").symlink_to("/etc/hostname")
    add_entry(corpus, doc_id, file)
    with pytest.raises(IngestError) as info:
        read_manifest(corpus)
    assert info.value.path.endswith("manifest.toml") and problem in info.value.problem and doc_id in info.value.problem


def test_a_folder_in_the_corpus_is_not_read_and_a_warning_says_so(hash_settings, memory_store):
    folder = Path(hash_settings.corpus_dir) / "arkiv"
    folder.mkdir()
    (folder / "gammal-plan.txt").write_text("Gammal plan.\n", encoding="utf-8")
    report = build(hash_settings, memory_store)
    assert report.documents == 5 and any("arkiv" in w and "not read" in w for w in report.warnings)


def test_two_files_with_one_id_are_an_error(hash_settings, memory_store):
    first = build(hash_settings, memory_store)
    corpus = Path(hash_settings.corpus_dir)
    newer = corpus / "sogndal-samhandlingsmodell.docx"
    from tests.helpers import write_docx

    write_docx(newer, ["Ny samhandlingsmodell", "Alt er nytt i denne versjonen."])
    with pytest.raises(IngestError) as info:
        build(hash_settings, memory_store)
    assert "sogndal-samhandlingsmodell.docx" in info.value.problem and "sogndal-samhandlingsmodell.txt" in info.value.problem
    assert "keep one" in info.value.problem and memory_store.current_build_id() == first.build_id


def test_a_plan_over_the_size_limits_is_an_error_that_says_which_setting(hash_settings, memory_store):
    corpus = Path(hash_settings.corpus_dir)
    (corpus / "stor-plan.txt").write_text("Ei setning om barn og unge. " * 8000, encoding="utf-8")  # 224,000 characters
    with pytest.raises(IngestError, match="FA_MAX_PLAN_BYTES") as info:
        build(hash_settings.model_copy(update={"max_plan_bytes": 150_000}), memory_store)
    assert info.value.path.endswith("stor-plan.txt")
    with pytest.raises(IngestError, match="FA_MAX_PLAN_CHARS"):
        build(hash_settings.model_copy(update={"max_plan_chars": 150_000}), memory_store)
    assert build(hash_settings, memory_store).documents == 6


def test_a_pipe_in_the_corpus_is_refused_without_blocking(hash_settings, memory_store):
    os.mkfifo(Path(hash_settings.corpus_dir) / "roeyr.txt")
    with pytest.raises(IngestError, match="not a regular file"):
        build(hash_settings, memory_store)


def test_a_100k_character_line_becomes_units_of_bounded_length(hash_settings, memory_store):
    words = " ".join(f"ord{n}" for n in range(20_000))  # ~130k characters, no full stop
    (Path(hash_settings.corpus_dir) / "ei-lang-linje.txt").write_text(f"Ei lang linje\n\n{words}\n", encoding="utf-8")
    report = build(hash_settings, memory_store)
    index = memory_store.load_build(report.build_id)
    units = [u for c in index.chunks if c.doc_id == "ei-lang-linje" for u in c.units]
    assert len(units) > 100 and max(len(u.text) for u in units) <= hash_settings.max_unit_chars
    text = index.doc_texts["ei-lang-linje"]
    assert all(text[u.start : u.end] == u.text for u in units)
    assert words in " ".join(u.text for u in units)
