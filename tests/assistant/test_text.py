"""Words, lemmas, shared forms and tokens: both standards (and English) meet in one form."""

from __future__ import annotations

import pytest

from assistant.text import derived, is_content, lemma, normal, shared_compound, stem, stopwords, tokens, words


def test_words_are_lower_case_and_keep_hyphenated_words_and_numbers_whole():
    assert words("BTI-teamet, COS-kurset og 12 år!") == ["bti-teamet", "cos-kurset", "og", "12", "år"]


def test_lemma_tries_the_texts_own_standard_first():
    assert lemma("tenestene", "nn") == "teneste"
    assert lemma("tjenestene", "nb") == "tjeneste"
    assert lemma("er", "nn") == "vere" and lemma("er", "nb") == "være"  # both dictionaries know "er"


@pytest.mark.parametrize(
    ("word", "lang", "shared"),
    [
        ("tenestene", "nn", "tjeneste"),  # lemma, then the standards table
        ("tjenestene", "nb", "tjeneste"),
        ("stafetthaldar", "nn", "stafettholder"),  # a table key is used as it stands
        ("skulen", "nn", "skole"),
        ("skolen", "nb", "skole"),
    ],
)
def test_normal_gives_the_shared_spelling(word, lang, shared):
    assert normal(word, lang) == shared


@pytest.mark.parametrize(
    ("nynorsk", "bokmal"),
    [
        ("skulemiljøet", "skolemiljøet"),  # a standards word first
        ("helsetenesta", "helsetjenesten"),  # ... or last
        ("skulehelsetenesta", "skolehelsetjenesten"),  # ... or both
        ("tenestetilbodet", "tjenestetilbudet"),
        ("åtferdsvanskar", "atferdsvansker"),
    ],
)
def test_a_compound_meets_its_twin_in_the_other_standard(nynorsk, bokmal):
    assert tokens(nynorsk, "nn") == tokens(bokmal, "nb") != []


@pytest.mark.parametrize("word", ["heimla", "skulder", "vaksine", "tenestemann2", "sjukt"])
def test_a_word_that_only_begins_or_ends_like_a_standards_word_is_left_alone(word):
    assert shared_compound(word) == word


def test_stem_is_snowball_norwegian():
    assert stem("tjeneste") == "tjenest" and stem("helsesykepleier") == "helsesykeplei"


@pytest.mark.parametrize(("key", "verb"), [("mobbing", "mobb"), ("kartlegging", "kartlegg"), ("oppfølging", "oppfølg")])
def test_a_verbal_noun_yields_its_verb_stem(key, verb):
    assert derived(key) == verb


@pytest.mark.parametrize("key", ["ting", "sing", "skole", "mobb", "tiltak"])
def test_other_words_have_no_verb_stem(key):
    assert derived(key) is None


def test_content_words_are_not_stopwords_or_single_letters():
    assert not is_content("kva") and not is_content("hvem") and not is_content("x")
    assert is_content("2") and is_content("bti") and is_content("stafettlogg")
    assert stopwords("nb") <= stopwords("en")


def test_tokens_drop_stopwords_and_meet_across_standards():
    nn = tokens("Kven er stafetthaldar i tenestene?", "nn")
    assert nn == ["stafetthold", "tjenest"]
    assert nn == tokens("Hvem er stafettholder i tjenestene?", "nb")


def test_a_hyphenated_word_yields_the_whole_and_its_parts():
    assert tokens("BTI-teamet", "nn") == ["bti-team", "bti", "team"]


def test_a_verbal_noun_meets_the_verb():
    assert tokens("mobbing", "nb") == ["mobbing", "mobb"]
    assert tokens("Blir han mobba?", "nn") == ["mobb"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Kva er nivå 2?", "nn"), ("Hva er trinn 2?", "nb"), ("What is level 2?", "en"), ("Steg 2", "nb"), ("nivå2", "nn")],
)
def test_a_level_number_gives_a_joint_token(text, lang):
    found = tokens(text, lang)
    assert found[-1] == "nivå_2" and found.count("nivå_2") == 1


def test_no_level_token_without_a_level_word():
    assert not any(t.startswith("nivå_") for t in tokens("Barn på 2 år", "nn"))


def test_english_lemma_is_the_singular_the_lexicon_keys_on():
    from assistant.text import english_lemma

    assert [english_lemma(w) for w in ("reports", "worries", "meetings")] == ["report", "worry", "meeting"]
