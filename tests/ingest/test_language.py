"""Telling Nynorsk, Bokmål and English apart: markers first, the lemma dictionaries on a tie,
lingua after that, the caller's default when nothing tells."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ingest import language
from ingest.language import detect_language, language_scores, markers

MARKERS = Path(language.__file__).with_name("language_markers.toml")


@pytest.fixture()
def no_model(monkeypatch):
    """lingua must not be asked: the verdict has to come from markers or dictionaries."""

    def refuse(text):  # noqa: ANN001
        raise AssertionError(f"lingua was asked about {text!r}")

    monkeypatch.setattr(language, "detect_by_model", refuse)


# --- the data file ---------------------------------------------------------------------


def test_marker_lists_are_disjoint_lower_case_and_without_repeats():
    raw = tomllib.loads(MARKERS.read_text(encoding="utf-8"))
    assert set(raw) == {"nn", "nb", "en"}
    for lang, words in raw.items():
        assert len(words) == len(set(words)), f"{lang} repeats a word"
        assert all(w == w.lower() and w.strip() == w and " " not in w for w in words), lang
    nn, nb, en = (set(raw[k]) for k in ("nn", "nb", "en"))
    assert not nn & nb and not nn & en and not nb & en


def test_markers_are_loaded_per_standard():
    m = markers()
    assert "kva" in m["nn"] and "hva" in m["nb"] and "what" in m["en"]
    assert "kva" not in m["nb"] and "hva" not in m["nn"]


# --- markers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kva er nivå 2 i BTI?", "nn"),
        ("Korleis kan eg kontakte helsesjukepleiar?", "nn"),
        ("Kven avgjer tiltak i heimen når tenestene er usamde?", "nn"),
        ("Hva er nivå 2 i BTI?", "nb"),
        ("Hvordan kan jeg kontakte helsesykepleier?", "nb"),
        ("Hvem bestemmer når tjenestene er uenige?", "nb"),
        ("Who decides on measures in the home?", "en"),
        ("What is level 2 in BTI?", "en"),
        ("Can't I just go straight to BUP instead?", "en"),  # "just", "straight" are in the Bokmål dictionary too
        ("Will there be an interpreter?", "en"),
        ("Kan vi som foreldre be om hjelp for dottera vår?", "nn"),  # "be", "for" are Norwegian words as well
    ],
)
def test_marker_words_decide(no_model, text, expected):
    assert detect_language(text) == expected


def test_one_english_word_in_a_norwegian_question_does_not_make_it_english(no_model):
    scores = language_scores("Kva er level 2 i BTI?")
    assert scores["en"] == 1.0 and scores["nn"] > scores["en"]
    assert detect_language("Kva er level 2 i BTI?") == "nn"


def test_english_must_win_outright(no_model):
    assert language_scores("Kor level?") == {"nn": 1.0, "nb": 0.0, "en": 1.0, "words": 2.0}
    assert detect_language("Kor level?") == "nn"


# --- dictionaries --------------------------------------------------------------------------


def test_a_word_only_one_dictionary_knows_counts_half_a_marker():
    assert language_scores("helgane") == {"nn": 0.5, "nb": 0.0, "en": 0.0, "words": 1.0}
    assert language_scores("foreldrene") == {"nn": 0.0, "nb": 0.5, "en": 0.0, "words": 1.0}


@pytest.mark.parametrize(("text", "expected"), [("kva hva helgane", "nn"), ("kva hva foreldrene", "nb")])
def test_dictionary_votes_decide_when_markers_tie(no_model, text, expected):
    # one marker each ("kva", "hva"); the inflected word only one dictionary knows decides
    assert detect_language(text) == expected


# --- ties and nothing to go on -----------------------------------------------------------------


def test_a_tie_goes_to_the_character_model(monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(language, "detect_by_model", lambda text: asked.append(text) or "nn")
    assert detect_language("Er BUP med?", default="en") == "nn"
    assert asked == ["Er BUP med?"]


@pytest.mark.parametrize("hint", ["nn", "nb"])
def test_a_tie_goes_to_the_readers_standard_before_the_character_model(monkeypatch, hint):
    """"Og til PPT?" after a Bokmål question is Bokmål, whatever a few letters suggest."""
    other = "nb" if hint == "nn" else "nn"
    monkeypatch.setattr(language, "detect_by_model", lambda text: other)
    assert detect_language("Og til PPT?", hint=hint) == hint
    assert detect_language("BTI?", hint=hint) == hint
    assert detect_language("Og til PPT?") == other  # no hint: the character model decides
    assert detect_language("Og til PPT?", hint="en") == other  # an English reader's hint does not pick a standard
    assert detect_language("Kva er BTI?", hint="nb") == "nn"  # the words tell: a hint does not override them


@pytest.mark.parametrize("default", ["nn", "nb", "en"])
def test_the_default_is_used_when_nothing_tells(monkeypatch, default):
    monkeypatch.setattr(language, "detect_by_model", lambda text: None)
    assert detect_language("Er BUP med?", default=default) == default
    assert detect_language("", default=default) == default
    assert detect_language("123 ?!", default=default) == default


def test_default_is_bokmal():
    assert detect_language("") == "nb"


@pytest.mark.parametrize("text", ["BTI?", "HFU?", "COS?"])
def test_an_acronym_alone_keeps_the_callers_standard(text):
    assert detect_language(text, default="nn") == "nn"
