"""Next questions: neighbouring sections and other municipalities, in the asker's standard."""

from __future__ import annotations

import dataclasses

import pytest

from assistant.suggest import MAX_SUGGESTIONS, for_municipality, neighbour_headings, suggestions
from tests.assistant.plans import Plan, build_index

BTI = Plan("bti", "BTI", "Sogndal", "nn", (
    ("1 Innleiing", "Planen gjeld alle."),
    ("2 Nivåmodellen › 2.1 Nivå 1", "Ein tilsett er uroleg."),
    ("2 Nivåmodellen › 2.2 Nivå 2", "To tenester samarbeider."),
    ("2 Nivåmodellen › 2.2 Nivå 2", "Stafetthaldaren koordinerer."),  # the same section goes on in a second chunk
    ("2 Nivåmodellen › 2.3 Nivå 3", "Fleire tenester samarbeider."),
    ("3 Ei overskrift som er altfor lang til å bli eit godt spørsmål nokon gong", "Tekst."),
    ("4 Vedlegg", "Tabell."),
))
OTHER = Plan("other", "Anna", "Sogndal", "nn", (("Heilt anna", "Tekst."),))


@pytest.fixture(scope="module")
def chunks():
    index = build_index([BTI, OTHER])
    out = list(index.chunks)
    # a table row is its own chunk with its own section: not a neighbouring section
    row = dataclasses.replace(out[4], chunk_id="row", section="2 Nivåmodellen › Tabellrad", kind="row")
    return out[:4] + [row] + out[4:]


def chunk_in(chunks, section: str):  # noqa: ANN001
    return next(c for c in chunks if c.section == section and c.kind == "text")


def test_neighbours_are_next_previous_and_the_one_after_next(chunks):
    answered = chunk_in(chunks, "2 Nivåmodellen › 2.2 Nivå 2")
    assert neighbour_headings(chunks, answered) == ["Nivå 3", "Nivå 1"]  # the one after next is too long


def test_numbering_is_stripped_and_other_documents_and_rows_are_ignored(chunks):
    answered = chunk_in(chunks, "1 Innleiing")
    assert neighbour_headings(chunks, answered) == ["Nivå 1", "Nivå 2"]


def test_at_the_end_of_a_plan_only_earlier_sections(chunks):
    assert neighbour_headings(chunks, chunk_in(chunks, "4 Vedlegg")) == []  # the previous heading is too long
    assert neighbour_headings(chunks, chunk_in(chunks, "Heilt anna")) == []


def test_a_chunk_outside_the_sections_has_no_neighbours(chunks):
    assert neighbour_headings(chunks, dataclasses.replace(chunks[0], section="")) == []


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("nn", "Kva er BTI i Sandnes?"), ("nb", "Kva er BTI i Sandnes?"), ("en", "Kva er BTI in Sandnes?")],
)
def test_the_same_question_for_another_municipality(lang, expected):
    assert for_municipality("Kva er BTI ?", "Sandnes", lang) == expected


def test_suggestions_in_the_askers_standard_municipality_first():
    found = suggestions("nn", "Kva er nivå 2?", ["Nivå 3", "Nivå 1"], [("Kva er nivå 2 ?", "Sandnes")])
    assert found == ["Kva er nivå 2 i Sandnes?", "Kva seier planen om «Nivå 3»?", "Kva seier planen om «Nivå 1»?"]
    assert suggestions("nb", "Hva er nivå 2?", ["Nivå 3"], []) == ["Hva sier planen om «Nivå 3»?"]
    assert suggestions("en", "What is level 2?", ["Nivå 3"], []) == ["What does the plan say about «Nivå 3»?"]


def test_at_most_three_suggestions_and_only_one_municipality():
    found = suggestions("nn", "Kva er BTI?", ["A", "B", "C", "D"], [("Kva er BTI", "Sandnes"), ("Kva er BTI", "Sør-Aurdal")])
    assert len(found) == MAX_SUGGESTIONS == 3
    assert found == ["Kva er BTI i Sandnes?", "Kva seier planen om «A»?", "Kva seier planen om «B»?"]


def test_never_the_question_itself_nor_a_repeat():
    asked = "Kva seier planen om «Nivå 3»?"
    assert suggestions("nn", asked.upper(), ["Nivå 3", "Nivå 1", "Nivå 1"], []) == ["Kva seier planen om «Nivå 1»?"]


def test_no_section_the_question_already_names_nor_a_web_reference():
    found = suggestions("nn", "Kva er BTI?", ["BTI", "En barndom for livet - regjeringen.no", "BTI-teamet"], [])
    assert found == ["Kva seier planen om «BTI-teamet»?"]
