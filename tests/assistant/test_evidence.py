"""Which question terms a passage covers: lemmas across standards, compounds, verbal nouns, idf."""

from __future__ import annotations

import math

import pytest

from assistant.compounds import CompoundSplitter
from assistant.evidence import UNKNOWN_TERM_SHARE, Evidence, idf_table
from assistant.municipalities import Municipalities
from assistant.query import QuestionReader
from assistant.text import tokens

PASSAGES = {
    "kommune": ("Kommunenivået har ansvar for stafetthaldarrolla.", "nn"),
    "mobbing": ("Mobbing skal stoppast.", "nn"),
    "tenester": ("Tenestene samarbeider med heimen.", "nn"),
    "mobbar": ("Dei mobbar ikkje.", "nn"),
    "nivå": ("Oppfølging på nivå 2 skjer i barnehagen.", "nn"),
}


@pytest.fixture(scope="module")
def setup() -> tuple[Evidence, QuestionReader]:
    splitter = CompoundSplitter()
    idf = idf_table(tokens(text, lang) for text, lang in PASSAGES.values())
    return Evidence(splitter, idf), QuestionReader(Municipalities(["Sogndal"]), splitter)


def covers(setup, question: str, passage: str) -> float:  # noqa: ANN001
    evidence, reader = setup
    terms = reader.terms(question, reader.language(question))
    text, lang = PASSAGES[passage]
    return evidence.coverage(terms, evidence.keys(passage, text, lang))


def test_idf_is_smoothed_over_passages():
    assert idf_table([["a", "b", "a"], ["a"]]) == {"a": math.log(1 + 2 / 3), "b": math.log(1 + 2 / 2)}
    assert idf_table([]) == {}


def test_keys_hold_shared_stems_compound_parts_and_levels(setup):
    evidence, _ = setup
    keys = evidence.keys("kommune", *PASSAGES["kommune"])
    assert {"kommunenivå", "kommun", "nivå", "ansv", "stafettholderroll", "stafett", "hold", "roll"} <= keys
    assert "nivå_2" in evidence.keys("nivå", *PASSAGES["nivå"])
    assert not any(k.startswith("nivå_") for k in keys)


def test_keys_are_computed_once_per_cache_key(setup):
    evidence, _ = setup
    first = evidence.keys("cached-unit", "Helsestasjonen", "nn")
    assert evidence.keys("cached-unit", "Noko heilt anna", "nn") is first


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("Hvordan samarbeider tjenestene?", "tenester"),  # Bokmål question, Nynorsk plan
        ("Samarbeider tjenestene med hjemmet?", "tenester"),
        ("Kven har ansvar på nivået?", "kommune"),  # "nivå" inside "kommunenivået"
        ("Hvem er stafettholder?", "kommune"),  # "stafettholder" inside "stafetthaldarrolla"
        ("Blir han mobba?", "mobbing"),  # the verb meets the verbal noun ...
        ("Kva er mobbing?", "mobbar"),  # ... and the other way round
    ],
)
def test_full_coverage_through_lemmas_standards_compounds_and_verbal_nouns(setup, question, passage):
    assert covers(setup, question, passage) == 1.0


def test_no_coverage_for_another_topic(setup):
    assert covers(setup, "Kva er mobbing?", "tenester") == 0.0
    assert covers(setup, "Kva er ein kvasar?", "mobbing") == 0.0


def test_a_term_weighs_its_idf_and_an_unknown_term_half_the_median(setup):
    evidence, reader = setup
    mobbing, kvasar = reader.terms("mobbing kvasar", "nn")
    assert evidence.known(mobbing) and not evidence.known(kvasar)
    assert evidence.weight(mobbing) == evidence.idf["mobbing"]
    ordered = sorted(evidence.idf.values())
    assert evidence.weight(kvasar) == UNKNOWN_TERM_SHARE * ordered[len(ordered) // 2]
    assert evidence.weight(kvasar) < evidence.weight(mobbing)


def test_coverage_is_the_covered_share_of_the_weight(setup):
    evidence, reader = setup
    terms = reader.terms("mobbing kvasar", "nn")
    mobbing, kvasar = (evidence.weight(t) for t in terms)
    keys = evidence.keys("mobbing", *PASSAGES["mobbing"])
    assert evidence.coverage(terms, keys) == pytest.approx(mobbing / (mobbing + kvasar))
    assert evidence.coverage([], keys) == 0.0


def test_has_needs_every_stem_of_one_alternative(setup):
    evidence, reader = setup
    (term,) = reader.terms("stafettholder", "nb")
    assert evidence.has(term, frozenset({"stafett", "hold"}))
    assert not evidence.has(term, frozenset({"stafett"}))


def test_rare_terms_are_among_the_highest_idf(setup):
    evidence, reader = setup
    mobb, mobbing = reader.terms("mobba mobbing", "nn")  # "mobb" is in two passages, "mobbing" in one
    assert evidence.rare(mobbing, 0.25) and not evidence.rare(mobb, 0.25)
    assert not Evidence(CompoundSplitter(), {}).rare(mobbing, 0.25)


def test_a_compound_part_in_the_other_standard_meets_its_shared_form():
    # the plans use "åtferds-" as a word of its own, so "åtferdsproblem" splits as "åtferds|problem"
    splitter = CompoundSplitter({"åtferds", "problem", "atferd"})
    evidence = Evidence(splitter, {})
    keys = evidence.keys("q", "åtferdsproblem", "nn")
    assert "atferd" in keys and "problem" in keys
    reader = QuestionReader(Municipalities(["Sogndal"]), splitter)
    term = reader.terms("Kva er eit åtferdsproblem?", "nn")[0]
    assert Evidence.has(term, evidence.keys("p", "Atferdsproblemer er handlinger som bryter med normer.", "nb"))
