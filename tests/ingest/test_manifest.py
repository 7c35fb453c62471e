from __future__ import annotations

import pytest

from ingest.errors import IngestError
from ingest.manifest import infer_meta, read_manifest


def test_real_manifest_lists_every_plan(corpus_dir):
    metas = read_manifest(corpus_dir)
    assert set(metas) == {p.stem for p in corpus_dir.glob("*.txt")}
    assert metas["sogndal-bti-struktur-for-samarbeid"].language == "nn"
    assert metas["sor-aurdal-plan-forebyggende-arbeid-2030"].municipality == "Sør-Aurdal"
    assert metas["sandnes-plan-forebygging-2024-2032"].period == "2024–2032"


def test_malformed_manifest_names_the_file(tmp_path):
    (tmp_path / "manifest.toml").write_text("[[documents]\nid = ", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        read_manifest(tmp_path)
    assert info.value.path.endswith("manifest.toml") and "malformed" in info.value.problem


def test_entry_pointing_to_missing_file_is_an_error(tmp_path):
    (tmp_path / "manifest.toml").write_text(
        '[[documents]]\nid = "ghost"\nfile = "ghost.txt"\ntitle = "G"\nmunicipality = "X"\nlanguage = "nb"\n', encoding="utf-8"
    )
    with pytest.raises(IngestError) as info:
        read_manifest(tmp_path)
    assert "ghost.txt" in info.value.problem and "does not exist" in info.value.problem


def test_entry_missing_fields_is_an_error(tmp_path):
    (tmp_path / "manifest.toml").write_text('[[documents]]\nid = "a"\n', encoding="utf-8")
    with pytest.raises(IngestError, match="missing"):
        read_manifest(tmp_path)


def test_metadata_is_inferred_for_a_file_without_entry(tmp_path):
    path = tmp_path / "sogndal-ny-plan.txt"
    text = "Ny plan for tenester 2025 - 2028\n\nKva gjer tenestene? Dei samarbeider med føresette og skulen."
    meta = infer_meta(path, text)
    assert meta.doc_id == "sogndal-ny-plan"
    assert meta.municipality == "Sogndal"
    assert meta.language == "nn"
    assert meta.period == "2025–2028"
    assert meta.title.startswith("Ny plan for tenester")


@pytest.mark.parametrize(("stem", "municipality"), [
    ("sor-aurdal-plan-forebyggende-arbeid-2030", "Sør-Aurdal"),  # ASCII-folded, hyphenated
    ("nord-aurdal-ny-plan", "Nord-Aurdal"),  # the longest name that fits, not "Nord"-something shorter
    ("bergen_oppvekstplan", "Bergen"),  # any of Norway's municipalities, not only the corpus's
    ("tromso-plan", "Tromsø"),
])
def test_an_unlisted_file_is_placed_by_any_norwegian_municipality_name(tmp_path, stem, municipality):
    assert infer_meta(tmp_path / f"{stem}.txt", "Plan\n\nTekst om tenester for barn og unge.").municipality == municipality


def test_an_unlisted_file_without_a_municipality_name_falls_back_to_its_first_word(tmp_path):
    assert infer_meta(tmp_path / "oppvekst-plan.txt", "Plan\n\nTekst.").municipality == "Oppvekst"
