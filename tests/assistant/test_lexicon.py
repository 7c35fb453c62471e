"""The lexicon (assistant/lexicon.toml): the rules each section states, and the lookups."""

from __future__ import annotations

import re
import tomllib

import pytest

from assistant.lexicon import LEXICON_PATH, lexicon
from assistant.text import tokens
from ingest.language import markers

RAW = tomllib.loads(LEXICON_PATH.read_text(encoding="utf-8"))
STANDARDS = RAW["standards"]
WORD_OR_PHRASE = re.compile(r"^[a-zæøåéü]+(?: [a-zæøåéü]+)*$")

# --- [standards] -----------------------------------------------------------------------------


def test_standards_are_lower_case_single_words():
    for nn, nb in STANDARDS.items():
        assert WORD_OR_PHRASE.match(nn) and " " not in nn, nn
        assert WORD_OR_PHRASE.match(nb) and " " not in nb, nb


def test_standards_have_no_identity_pairs():
    assert [nn for nn, nb in STANDARDS.items() if nn == nb] == []


def test_standards_have_no_chains_or_cycles():
    """A Bokmål value is never itself a Nynorsk key: one lookup gives the shared form."""
    assert [(nn, nb) for nn, nb in STANDARDS.items() if nb in STANDARDS] == []


def test_standards_go_from_nynorsk_to_bokmal():
    """No key is a Bokmål marker word and no value a Nynorsk one (the table is not turned round)."""
    m = markers()
    assert [nn for nn in STANDARDS if nn in m["nb"]] == []
    assert [nb for nb in STANDARDS.values() if nb in m["nn"]] == []


def test_nynorsk_and_bokmal_questions_give_identical_tokens():
    assert tokens("Kven er stafetthaldar i tenestene?", "nn") == tokens("Hvem er stafettholder i tjenestene?", "nb")
    assert tokens("Korleis kan eg kontakte helsesjukepleiaren på skulen?", "nn") == tokens(
        "Hvordan kan jeg kontakte helsesykepleieren på skolen?", "nb"
    )
    assert tokens("Kva tilbod finst for føresette?", "nn") == tokens("Hva tilbud finnes for foresatte?", "nb")
    assert tokens("Kven har teieplikt i barnevernstenesta?", "nn") == tokens("Hvem har taushetsplikt i barnevernstjenesten?", "nb")


@pytest.mark.parametrize(
    ("nn", "nb"),
    [
        (nn, nb)
        for nn, nb in STANDARDS.items()
    ],
)
def test_every_nynorsk_word_and_its_bokmal_twin_give_the_same_tokens(nn, nb):
    assert tokens(nn, "nn") == tokens(nb, "nb")


def test_lookup_maps_nynorsk_lemmas_to_the_shared_spelling():
    lex = lexicon()
    assert lex.canonical("teneste") == "tjeneste"
    assert lex.canonical("tjeneste") == "tjeneste"
    assert lex.canonical("ukjentord") == "ukjentord"


# --- [everyday] and [english] ----------------------------------------------------------------


@pytest.mark.parametrize("section", ["everyday", "english"])
def test_expansions_are_lower_case_words_or_phrases(section):
    for key, values in RAW[section].items():
        assert WORD_OR_PHRASE.match(key), key
        assert isinstance(values, list) and values, key
        for value in values:
            assert WORD_OR_PHRASE.match(value), (key, value)
        assert len(values) == len(set(values)), key


def test_expand_gives_the_plan_words_in_their_shared_spelling():
    lex = lexicon()
    assert lex.expand("helsesøster") == ("helsesykepleier",)
    assert lex.expand("school nurse") == ("helsesykepleier",)
    assert lex.expand("baby") == ("spedbarn", "barn")  # in both sections: merged, no repeats
    assert lex.expand("kvasar") == ()


def test_longest_phrase_is_the_longest_key():
    keys = list(RAW["everyday"]) + list(RAW["english"])
    assert lexicon().longest_phrase == max(len(k.split()) for k in keys) == 2


# --- [stopwords] ----------------------------------------------------------------------------------


def test_stopwords_cover_the_question_words_of_both_standards():
    stop = lexicon().stop("nb")
    assert {"kva", "hva", "kven", "hvem", "korleis", "hvordan", "kommune", "planen"} <= stop


def test_english_stopwords_apply_to_english_questions_only():
    lex = lexicon()
    assert "might" in lex.stop("en") and "might" not in lex.stop("nb") and "might" not in lex.stop("nn")
    assert tokens("might", "en") == [] and tokens("might", "nb") == ["might"]


def test_stopword_entries_are_lower_case_words():
    for word in RAW["stopwords"]["words"] + RAW["stopwords"]["english"]:
        assert re.fullmatch(r"[a-zæøåò']+", word), word
