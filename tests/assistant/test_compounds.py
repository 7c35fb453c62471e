"""Compound splitting: known parts, linking letters, the longest split, short words left alone."""

from __future__ import annotations

import pytest

from assistant.compounds import CompoundSplitter


def only(*vocabulary: str) -> CompoundSplitter:
    """A splitter that knows exactly these words (no dictionary)."""
    return CompoundSplitter(vocabulary, known=lambda word: False)


@pytest.fixture(scope="module")
def dictionary() -> CompoundSplitter:
    return CompoundSplitter()


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("kommunenivå", ("kommune", "nivå")),
        ("bekymringsmelding", ("bekymring", "melding")),  # linking -s- dropped
        ("ungdomsklubb", ("ungdom", "klubb")),
        ("stafetthaldarrolla", ("stafett", "haldar", "rolla")),  # the head split again
    ],
)
def test_splits_against_the_lemma_dictionaries(dictionary, word, parts):
    assert dictionary.split(word) == parts


@pytest.mark.parametrize("word", ["skule", "nivå", "bti-teamet", "kommune2nivå", "abcdefghij"])
def test_short_words_hyphenated_words_and_nonsense_are_not_split(dictionary, word):
    assert dictionary.split(word) == ()


def test_vocabulary_parts_are_known():
    assert only("kommune", "nivå").split("kommunenivå") == ("kommune", "nivå")
    assert only("kommune").split("kommunenivå") == ()


def test_linking_s_and_e_are_dropped():
    assert only("bekymring", "melding").split("bekymringsmelding") == ("bekymring", "melding")
    assert only("barn", "hage").split("barnehage") == ("barn", "hage")


def test_a_link_letter_is_only_dropped_when_it_is_there():
    # "kommunnivå": no -e- to drop, so "kommune" cannot be the first part
    assert only("kommune", "nivå").split("kommunnivå") == ()


def test_short_words_are_not_split():
    assert only("abc", "def").split("abcdef") == ()  # 6 letters: under MIN_WORD
    assert only("abc", "defg").split("abcdefg") == ("abc", "defg")


def test_parts_are_at_least_three_letters():
    assert only("ab", "cdefgh").split("abcdefgh") == ()


def test_a_known_part_stays_whole_and_fewest_parts_win():
    # "støttetiltak" is known, so it is not taken apart again even though "støtte" and "tiltak" are known too
    splitter = only("foreldre", "støtte", "tiltak", "støttetiltak")
    assert splitter.split("foreldrestøttetiltak") == ("foreldre", "støttetiltak")


def test_a_known_compound_still_gives_its_parts():
    # the parts are extra keys for coverage ("kommunenivået" covers "nivå"); the whole word is kept by the caller
    assert only("kommunenivå", "kommune", "nivå").split("kommunenivå") == ("kommune", "nivå")


def test_an_unknown_head_is_split_into_known_parts():
    assert only("foreldre", "støtte", "tiltak").split("foreldrestøttetiltak") == ("foreldre", "støtte", "tiltak")


def test_the_longest_shortest_part_wins_among_equal_splits():
    # abc+defgh, abcde+fgh and abcd+efgh are all two parts; abcd+efgh has the longest shortest part
    assert only("abc", "defgh", "abcde", "fgh", "abcd", "efgh").split("abcdefgh") == ("abcd", "efgh")


def test_a_word_the_plans_never_use_alone_is_found_in_their_compounds():
    plans = only("søvnveiledning", "søvnvanskar", "veiledning", "vanskar", "skjermbruk", "bruk", "barneskjerm", "sinnemestringskurs",
                 "mestring", "kurs", "sinnelag", "lag")
    plans._known_fn = lambda word: word in {"søvn", "skjerm", "sinne", "barn"}
    assert plans.compounds_with("søvn") == ("søvnvanskar", "søvnveiledning")  # as the first part, shortest first
    assert plans.compounds_with("skjerm") == ("skjermbruk", "barneskjerm")  # first or last part
    assert plans.compounds_with("sinne", most=1) == ("sinnelag",)
    assert plans.compounds_with("kurs") == ()  # the plans use it on its own
    assert plans.compounds_with("søv") == ()  # a string inside a word is not a part of it
