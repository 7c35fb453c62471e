"""Finding municipality names: the corpus ones in any spelling, the rest of Norway's with care."""

from __future__ import annotations

from pathlib import Path

import pytest

import ingest.municipality_names as names_module
from assistant.municipalities import Municipalities, norwegian_municipalities, variants

CORPUS = ["Sogndal", "Sandnes", "Sør-Aurdal"]
DATA = Path(names_module.__file__).with_name("norwegian_municipalities.txt")


@pytest.fixture(scope="module")
def m() -> Municipalities:
    return Municipalities(CORPUS)


# --- the data file -------------------------------------------------------------------------------


def test_data_file_holds_the_corpus_municipalities():
    names = norwegian_municipalities()
    assert set(CORPUS) <= set(names)
    assert len(names) > 350


def test_sami_and_kven_names_after_a_slash_are_names_of_their_own():
    names = norwegian_municipalities()
    assert {"Kautokeino", "Guovdageaidnu", "Storfjord", "Omasvuotna", "Omasvuono", "Porsanger", "Porsáŋgu"} <= set(names)
    assert not any("/" in n or n != n.strip() or not n for n in names)


def test_comment_lines_are_not_names():
    assert not any(n.startswith("#") for n in norwegian_municipalities())
    assert "Østfold" not in norwegian_municipalities() and "Troms" not in norwegian_municipalities()


def test_every_line_is_a_comment_or_names():
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert all(part.strip() and part.strip()[0].isupper() for part in line.split("/")), line


# --- variants -----------------------------------------------------------------------------------------


def test_variants_fold_case_letters_and_hyphens():
    assert variants("Sør-Aurdal") == {"sør-aurdal", "sør aurdal", "søraurdal", "sor-aurdal", "sor aurdal", "soraurdal"}


# --- corpus municipalities ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Kva gjer BTI-teamet i sor-aurdal?", "Sør-Aurdal"),
        ("Innsatsteam i Sør Aurdal", "Sør-Aurdal"),
        ("Er SØR-AURDAL med?", "Sør-Aurdal"),
        ("Sandnes' plan for barn", "Sandnes"),
        ("Sogndals plan", "Sogndal"),
        ("Hvordan melder jeg bekymring i sandnes kommune?", "Sandnes"),
        ("Hva legger Sør-Aurdal-planen i begrepet?", "Sør-Aurdal"),  # the first part of a hyphenated compound
    ],
)
def test_corpus_names_match_in_any_spelling(m, text, name):
    assert m.named(text) == [name]
    assert m.others_named(text) == []


def test_named_lists_each_municipality_once_in_order(m):
    assert m.named("Sandnes eller Sogndal? Eller Sandnes?") == ["Sandnes", "Sogndal"]
    assert [(x.name, x.start) for x in m.mentions("i Sogndal og Bergen")] == [("Sogndal", 2), ("Bergen", 13)]


def test_a_name_inside_another_word_is_not_a_mention(m):
    assert m.named("Sogndalsfjøra og sandnesværing") == []
    assert m.named("Nord-Sogndal og Sandnes-2") == []  # a name's last part, or a hyphen before a number


# --- other municipalities ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Hva gjør Bergen for barn?", ["Bergen"]),
        ("Hva gjør bergen for barn?", []),  # lower case: the common word, not the town
        ("Time kommune har ein plan", ["Time"]),  # a common word at the start, but followed by "kommune"
        ("Time er viktig for barn", []),  # a common word at the start of a sentence
        ("Eg har god tid. Strand er fin.", []),
        ("Kva gjer dei i Strand?", ["Strand"]),  # capitalised mid-sentence
        ("Hva med Nord Fron?", ["Nord-Fron"]),
        ("Kva gjer Guovdageaidnu?", ["Guovdageaidnu"]),
    ],
)
def test_other_municipalities_only_when_capitalised_mid_sentence_or_followed_by_kommune(m, text, found):
    assert m.others_named(text) == found
    assert m.named(text) == []


def test_a_corpus_municipalitys_sami_name_is_that_municipality():
    m = Municipalities(["Kautokeino"])
    assert m.others_named("Kva gjer Guovdageaidnu for barn?") == []
    assert m.named("Kva gjer Guovdageaidnu for barn?") == ["Kautokeino"]


# --- normalise and strip ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Alle", "alle", "All", "*", "none", "", "  ", None, 3])
def test_normalise_means_all_for_empty_and_alle(m, value):
    assert m.normalise(value) is None


@pytest.mark.parametrize(("value", "name"), [("sor-aurdal", "Sør-Aurdal"), ("SØR AURDAL", "Sør-Aurdal"), (" sandnes ", "Sandnes"), ("Sogndal", "Sogndal")])
def test_normalise_gives_the_canonical_corpus_name(m, value, name):
    assert m.normalise(value) == name


def test_normalise_does_not_invent_municipalities(m):
    assert m.normalise("Bergen") is None


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("Hva er trinn 2 i Sør-Aurdal kommune?", "Hva er trinn 2 ?"),
        ("Kven er stafetthaldar i Sogndal?", "Kven er stafetthaldar ?"),
        ("Sandnes' plan for barn", "plan for barn"),
        ("What is SLT in Sandnes municipality?", "What is SLT ?"),
        ("Kva er BTI?", "Kva er BTI?"),
        ("Hva sier Sandnes-planen om vold?", "Hva sier planen om vold?"),  # the compound's own word stays
    ],
)
def test_strip_removes_corpus_names_and_what_hangs_on_them(m, text, stripped):
    assert m.strip(text) == stripped


def test_strip_keeps_other_municipalities(m):
    assert m.strip("Kva gjer Bergen?") == "Kva gjer Bergen?"
