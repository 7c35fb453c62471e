"""Thesaurus synonyms: read from the MyThes format, used only for words the plans never use,
only as the plans' own words, and only for the meaning side of retrieval (never as evidence)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.compounds import CompoundSplitter
from assistant.municipalities import Municipalities
from assistant.query import QuestionReader
from assistant.text import normal, stem
from assistant.thesaurus import MAX_SYNONYMS, Related, load, read_mythes

MYTHES = "ISO8859-1\nskrike|2\n-|gråte|klage|besvære seg\n(verb)|rope\ngråte|1\n-|skrike\nbesvære seg|1\n-|klage\nmobbe|1\n-|plage|erte|trakassere|krenke|såre|pine\n"


@pytest.fixture
def table(tmp_path) -> dict[str, tuple[str, ...]]:
    path = tmp_path / "th_nb_NO_v2.dat"
    path.write_bytes(MYTHES.encode("latin-1"))
    return read_mythes(path)


def key(word: str) -> str:
    return stem(normal(word, "nb"))


def test_the_mythes_format_is_read_with_its_encoding_senses_merged_and_phrases_left_out(table):
    assert table["skrike"] == ("gråte", "klage", "rope")
    assert table["gråte"] == ("skrike",)
    assert "besvære seg" not in table


def test_a_missing_or_empty_setting_means_no_synonyms(tmp_path, caplog):
    with caplog.at_level(logging.INFO):
        assert load(tmp_path / "none.dat") == {}
    assert "mythes-no" in caplog.text
    assert load("") == {} and load(None) == {}


def test_synonyms_come_only_for_words_the_plans_do_not_use_and_only_as_plan_words(table):
    plans = {key(w) for w in ("gråte", "barn", "klage")}
    related = Related(table, plans, key)
    assert related("skrike") == ("gråte", "klage")  # "rope" is not a plan word
    assert related("gråte") == ()  # the plans use it: the reader's own word will do
    assert related("skrik") == ("gråte", "klage")  # a present-tense stem lemmatised as itself
    assert Related({}, plans, key)("skrike") == ()


def test_a_nynorsk_infinitive_finds_the_bokmal_entry(table):
    assert Related(table, {key("skrike")}, key)("gråta") == ("skrike",)


def test_at_most_a_few_synonyms_per_word(table):
    everything = {key(w) for w in table["mobbe"]}
    assert len(Related(table, everything, key)("mobbe")) == MAX_SYNONYMS


def test_the_reader_embeds_the_synonyms_but_does_not_count_them_as_the_words_asked(table):
    related = Related(table, {key("gråte")}, key)
    reader = QuestionReader(Municipalities(["Sogndal"]), CompoundSplitter(), related=related)
    (term,) = [t for t in reader.terms("Babyen skrik heile kvelden", "nn") if t.text == "skrik"]
    assert term.plan_words == ("gråte",)
    assert all(key("gråte") not in alt for alt in term.alternatives)
    assert "gråte" in reader.read("Babyen skrik heile kvelden", None).whole().dense_text


SYSTEM = Path("/usr/share/mythes/th_nb_NO_v2.dat")


@pytest.mark.skipif(not SYSTEM.exists(), reason="the Debian package mythes-no is not installed (scripts/dev.sh installs it)")
def test_the_system_thesaurus_bridges_a_crying_baby_to_the_plans_word_for_crying():
    table = load(SYSTEM)
    assert len(table) > 10_000
    assert "gråte" in Related(table, {key("gråte")}, key)("skrik")
