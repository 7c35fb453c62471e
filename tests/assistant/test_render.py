"""phrases.toml and rendering: the asker's standard, verbatim quotes, [n] markers."""

from __future__ import annotations

import re
import string

import pytest

from assistant.render import Cited, Quote, body, detail_name, join, phrases, quotes_of, say
from tests.assistant.plans import Plan, build_index, unit

A = Plan("a", "Tittel A", "Sogndal", "nn", (("Del 1", "Ein. To. Tre."), ("Del 2", "Fire.")))
B = Plan("b", "Tittel B", "Sandnes", "nb", (("Del", "Fem. Seks."),))


@pytest.fixture(scope="module")
def index():
    return build_index([A, B])


def unit_and_chunk(index, prefix: str):  # noqa: ANN001
    u = unit(index, prefix)
    return u, index.chunks[index.chunk_index[u.chunk_id]]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# --- phrases.toml ----------------------------------------------------------------------------------------------


def test_every_standard_has_the_same_phrases_with_the_same_placeholders():
    table = phrases()
    assert set(table) == {"nn", "nb", "en"}
    keys = set(table["nb"])
    for lang in ("nn", "en"):
        assert set(table[lang]) == keys, lang
    for key in keys - {"details"}:
        expected = placeholders(table["nb"][key])
        for lang in ("nn", "en"):
            assert placeholders(table[lang][key]) == expected, (lang, key)
    for lang in ("nn", "nb", "en"):
        assert set(table[lang]["details"]) == set(table["nb"]["details"]), lang
        assert all(isinstance(v, str) and v.strip() for v in table[lang]["details"].values()), lang


def test_every_phrase_is_non_empty_text():
    for lang, table in phrases().items():
        for key, value in table.items():
            if key != "details":
                assert isinstance(value, str) and value.strip() == value and value, (lang, key)


def test_the_refusal_sentence_in_each_standard():
    assert say("nn", "refusal") == "Eg finn ikkje svar på dette i planane."
    assert say("nb", "refusal") == "Jeg finner ikke svar på dette i planene."
    assert say("en", "refusal") == "I can't find an answer to this in the plans."


# --- say, detail_name, join ---------------------------------------------------------------------------------


def test_say_fills_in_values_in_the_askers_standard():
    assert say("nn", "frame", title="T", municipality="Sogndal") == "Ifølgje «T» (Sogndal kommune):"
    assert say("nb", "frame", title="T", municipality="Sogndal") == "Ifølge «T» (Sogndal kommune):"
    assert say("en", "refusal_anchor", term="HFU") == "The plans do not mention «HFU»."


def test_say_falls_back_to_bokmal():
    assert say("de", "refusal") == say("nb", "refusal")


def test_detail_names():
    assert detail_name("nn", "phone") == "telefonnummer" and detail_name("en", "phone") == "phone numbers"
    assert detail_name("nb", "no-such-detail") == "no-such-detail"


@pytest.mark.parametrize(
    ("lang", "items", "joined"),
    [("nn", [], ""), ("nn", ["a"], "a"), ("nn", ["a", "b"], "a og b"), ("nb", ["a", "b", "c"], "a, b og c"), ("en", ["a", "b"], "a and b")],
)
def test_join(lang, items, joined):
    assert join(lang, items) == joined


# --- quotes_of ---------------------------------------------------------------------------------------------------------


def test_adjacent_units_of_one_chunk_become_one_quote_in_document_order(index):
    quotes = quotes_of([unit_and_chunk(index, p) for p in ("Tre", "Fem", "Ein", "To", "Fire")])
    assert [[u.text for u in q.units] for q in quotes] == [["Ein.", "To.", "Tre."], ["Fire."], ["Fem."]]
    first = quotes[0]
    assert index.doc_texts["a"][first.start : first.end] == "Ein. To. Tre."


def test_units_with_a_gap_are_separate_quotes(index):
    quotes = quotes_of([unit_and_chunk(index, "Ein"), unit_and_chunk(index, "Tre")])
    assert [[u.text for u in q.units] for q in quotes] == [["Ein."], ["Tre."]]


def test_units_in_neighbouring_chunks_are_not_merged(index):
    quotes = quotes_of([unit_and_chunk(index, "Tre"), unit_and_chunk(index, "Fire")])
    assert len(quotes) == 2


def test_a_unit_given_twice_is_quoted_once(index):
    quotes = quotes_of([unit_and_chunk(index, "Ein"), unit_and_chunk(index, "Ein")])
    assert [[u.text for u in q.units] for q in quotes] == [["Ein."]]


# --- Cited and body ----------------------------------------------------------------------------------------------------


def test_cite_numbers_in_order_of_first_use_and_reuses_numbers(index):
    cited = Cited(index.doc_texts)
    (ein,), (fem,) = quotes_of([unit_and_chunk(index, "Ein")]), quotes_of([unit_and_chunk(index, "Fem")])
    assert cited.cite(fem) == ("Fem.", 1)
    assert cited.cite(ein) == ("Ein.", 2)
    again = Quote(ein.chunk, list(ein.units))  # another Quote object for the same span
    assert cited.cite(again) == ("Ein.", 2)
    assert [c.n for c in cited.citations] == [1, 2]
    c = cited.citations[1]
    assert (c.doc_id, c.title, c.municipality, c.section, c.quote) == ("a", "Tittel A", "Sogndal", "Del 1", "Ein.")
    assert index.doc_texts[c.doc_id][c.start : c.end] == c.quote


def test_body_frames_each_document_once_and_marks_every_quote(index):
    cited = Cited(index.doc_texts)
    quotes = quotes_of([unit_and_chunk(index, p) for p in ("Ein", "To", "Fire", "Fem")])
    text = body("nn", quotes, cited)
    assert text == (
        "Ifølgje «Tittel A» (Sogndal kommune): Ein. To. [1] Fire. [2]\n"
        "Ifølgje «Tittel B» (Sandnes kommune): Fem. [3]"
    )
    assert {int(n) for n in re.findall(r"\[(\d+)\]", text)} == {c.n for c in cited.citations}
    for c in cited.citations:
        assert index.doc_texts[c.doc_id][c.start : c.end] == c.quote


def test_body_in_english_says_the_quotes_are_norwegian(index):
    text = body("en", quotes_of([unit_and_chunk(index, "Fem")]), Cited(index.doc_texts))
    assert text == "According to «Tittel B» (Sandnes municipality), quoted in Norwegian: Fem. [1]"
