"""services.toml and the nearest help a plan names."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

import assistant.pointers as pointers_module
from assistant.pointers import (
    MIN_SIMILARITY,
    PointerFinder,
    only_the_service_knows,
    responsible_service,
    service_keys,
    services_in,
    tells_how_to_reach,
)
from tests.assistant.plans import Plan, build_index, similarities, unit

RAW = tomllib.loads(Path(pointers_module.__file__).with_name("services.toml").read_text(encoding="utf-8"))

SOGNDAL = Plan("sogndal", "Saman samtidig", "Sogndal", "nn", (
    ("Tilbod", "Helsestasjonen har ope hus kvar veke. Foreldre kan ta kontakt med helsesjukepleiar. Planen gjeld for fire år."),
    ("Skule", "PPT hjelper skulane med barn som treng ekstra støtte."),
))
SANDNES = Plan("sandnes", "Plan for forebygging", "Sandnes", "nb", (
    ("SLT", "Barneverntjenesten deltar i SLT-arbeidet. Planen revideres hvert fjerde år."),
))

ALL = ["Sogndal", "Sandnes"]


@pytest.fixture(scope="module")
def index():
    return build_index([SOGNDAL, SANDNES])


@pytest.fixture(scope="module")
def finder(index) -> PointerFinder:
    return PointerFinder(index.chunks, index.unit_vectors, index.unit_index)


# --- services.toml ---------------------------------------------------------------------------------------------------


def test_service_names_and_suffixes_are_lower_case_without_repeats():
    for key in ("names", "suffixes", "channels"):
        values = RAW[key]
        assert values and len(values) == len(set(values)), key
        assert all(v == v.lower() and v.strip() == v for v in values), key


def test_every_service_name_is_found_as_written():
    for name in RAW["names"]:
        assert services_in(f"Ta kontakt med {name} i dag.") == [name], name


def test_the_longest_name_wins():
    assert services_in("Helsestasjon for ungdom er ope.") == ["Helsestasjon for ungdom"]


# --- services_in and responsible_service ----------------------------------------------------------------------------


def test_services_are_found_inflected_and_by_suffix_in_order_without_repeats():
    assert services_in("Ta kontakt med helsestasjonen, BTI-teamet og helsestasjonen.") == ["helsestasjonen", "BTI-teamet"]
    assert services_in("Kontakt PPT, BUP eller Nav-kontoret.") == ["PPT", "BUP", "Nav-kontoret"]


def test_a_service_name_inside_another_word_is_not_a_service():
    assert services_in("Navnet er Kari, og ho er pptx-ekspert.") == []


def test_names_ending_in_e_are_found_inflected():
    assert services_in("Kontakt fastlegen, skulen eller barnehagen.") == ["fastlegen", "skulen", "barnehagen"]


def test_responsible_service_reads_the_responsibility_field():
    assert responsible_service("Ansvar: Helsestasjonen og PPT.") == "Helsestasjonen"
    assert responsible_service("Forankring: Kommunalsjef for oppvekst") == "Kommunalsjef for oppvekst"
    assert responsible_service("Helsestasjonen har ope hus.") == ""
    assert responsible_service("Kontakt: https://www.sogndal.kommune.no/helse") == ""  # a link is no one to turn to


# --- PointerFinder ----------------------------------------------------------------------------------------------------------


def test_nearest_is_the_closest_service_sentence_in_the_municipality(index, finder):
    query = similarities(index, {"Helsestasjonen har": 0.85, "Foreldre kan": 0.90, "PPT hjelper": 0.82, "Barneverntjenesten": 0.99})
    found = finder.nearest(query, ["Sogndal"])
    assert found.unit == unit(index, "Foreldre kan") and found.service == "helsesjukepleiar"
    assert found.chunk.municipality == "Sogndal" and found.similarity == pytest.approx(0.90)


def test_nearest_among_the_municipalities_given_and_only_those(index, finder):
    query = similarities(index, {"Foreldre kan": 0.90, "Barneverntjenesten": 0.95})
    assert finder.nearest(query, ALL).service == "Barneverntjenesten"
    assert finder.nearest(query, ["Sogndal"]).unit == unit(index, "Foreldre kan")
    assert finder.nearest(query, []) is None


def test_sentences_that_name_no_service_are_never_pointers(index, finder):
    query = similarities(index, {"Planen gjeld": 0.99, "Planen revideres": 0.99, "Helsestasjonen har": 0.81})
    assert finder.nearest(query, ALL).unit == unit(index, "Helsestasjonen har")


def test_no_pointer_below_the_floor_or_in_a_municipality_without_plans(index, finder):
    below = MIN_SIMILARITY - 0.01
    query = similarities(index, {"Helsestasjonen har": below, "Foreldre kan": below})
    assert finder.nearest(query, ["Sogndal"]) is None
    assert finder.nearest(similarities(index, {"Helsestasjonen har": 0.9}), ["Bergen"]) is None


def test_nearest_many_is_best_first_and_honours_k_and_floor(index, finder):
    query = similarities(index, {"Helsestasjonen har": 0.85, "Foreldre kan": 0.90, "PPT hjelper": 0.70})
    found = finder.nearest_many(query, ["Sogndal"], k=3, floor=0.5)
    assert [p.service for p in found] == ["helsesjukepleiar", "Helsestasjonen", "PPT"]
    assert [p.service for p in finder.nearest_many(query, ["Sogndal"], k=3)] == ["helsesjukepleiar", "Helsestasjonen"]
    assert len(finder.nearest_many(query, ["Sogndal"], k=1, floor=0.0)) == 1


def test_an_index_without_service_sentences_has_no_pointers():
    index = build_index([Plan("p", "T", "Sogndal", "nn", (("S", "Planen gjeld for fire år."),))])
    finder = PointerFinder(index.chunks, index.unit_vectors, index.unit_index)
    assert finder.nearest(np.ones(len(index.units), dtype=np.float32), ALL) is None


def test_a_service_named_only_inside_a_link_is_not_named():
    assert services_in("Bufdir; Hva er omsorgssvikt https://www.bufdir.no/barnevern/omsorgssvikt/") == []
    assert services_in("Les meir på www.helsestasjonen.no eller ring barnevernet.") == ["barnevernet"]


def test_headings_links_and_bare_list_items_point_nowhere():
    plan = Plan("sogndal-h", "Saman samtidig", "Sogndal", "nn", (
        ("Skule", "Skulen må vite kva helsestasjonen gjer – og omvendt\n7. Skadeleg miljø i barnehage og skule\n"
                  "Kjelde: https://www.bufdir.no/barnevern/\nAnsvar: Helsestasjonen\nPPT hjelper skulane med barn som treng støtte."),
    ))
    index = build_index([plan])
    finder = PointerFinder(index.chunks, index.unit_vectors, index.unit_index)
    near = {"Skulen må": 0.99, "7. Skadeleg": 0.98, "Kjelde:": 0.97, "Ansvar:": 0.90, "PPT hjelper": 0.85}
    found = finder.nearest_many(similarities(index, near), ["Sogndal"], k=5, floor=0.0)
    assert [p.unit.text[:11] for p in found] == ["Ansvar: Hel", "PPT hjelper"]


# --- what a question for a phone number, opening hours or a name is pointed to -----------------------------------------

REACH = Plan("sogndal-r", "Saman samtidig", "Sogndal", "nn", (
    ("Tilbod", "Psykologen har kurs for foreldre.\nBarnevernet har ansvar for tiltak i heimen.\n"
               "Barnevernet kan kontaktast på telefon heile døgnet.\nKontaktlæraren følgjer opp eleven."),
))


@pytest.fixture(scope="module")
def reach():
    index = build_index([REACH])
    return index, PointerFinder(index.chunks, index.unit_vectors, index.unit_index)


def test_service_keys_fold_inflection_and_standard():
    assert service_keys("Spør helsesjukepleiaren.", "nn") == service_keys("Helsesykepleier kan hjelpe.", "nb")
    assert service_keys("Ring BTI-teamet eller barnevernet.", "nb") == service_keys("BTI-team og barnevern", "nb")
    assert service_keys("Ingen teneste her.", "nn") == frozenset()


def test_a_sentence_tells_how_to_reach_by_a_link_an_address_or_a_channel_word():
    assert tells_how_to_reach("Kontakt: https://www.sogndal.kommune.no/helse")
    assert tells_how_to_reach("Skriv til post@sogndal.kommune.no.")
    assert tells_how_to_reach("Helsesjukepleiar kan kontaktast via jobbmobil.")
    assert not tells_how_to_reach("Kontaktlæraren følgjer opp eleven.")  # a role, not a way to reach anyone


def test_the_details_only_a_service_can_give_are_details_the_intents_file_defines():
    details = tomllib.loads(Path(pointers_module.__file__).with_name("intents.toml").read_text(encoding="utf-8"))["detail"]
    assert RAW["reach_details"] and set(RAW["reach_details"]) <= set(details)
    assert only_the_service_knows({"phone"}) and not only_the_service_knows({"count"}) and not only_the_service_knows(set())


def test_a_question_naming_what_a_service_handles_names_that_service():
    from assistant.pointers import services_handling

    assert services_handling("hvor mye får jeg i kontantstøtte?") == ["nav"]
    assert services_handling("Kor mykje er barnetrygda no?") == ["nav"]  # inflected
    assert services_handling("Kor lang tid tek det å få ein koordinator?") == ["koordinerende enhet"]
    assert services_handling("Kva er BTI?") == [] and services_handling("Kven er stafetthaldar?") == []
    # a reader's situation in everyday words, in either standard, names the service that handles it
    assert "familievernkontoret" in services_handling("vi krangler hele tiden om ungene")
    assert "familievernkontoret" in services_handling("Vi skal gå frå kvarandre")  # a phrase as written
    assert "bup" in services_handling("Han har tics") and "bup" not in services_handling("We talked politics")  # short: whole words only
    # a word with an everyday sense besides the situation is not listed: "uroleg" (worried), "gjeld" (nn "applies")
    assert services_handling("Eg er uroleg. Kva alder gjeld det for?") == []
    assert set(RAW["handles"]) <= {name for name in RAW["names"]}  # each is a service the pointers know by name


def test_the_service_asked_about_comes_before_a_closer_sentence_naming_another(reach):
    index, finder = reach
    query = similarities(index, {"Psykologen har": 0.95, "Barnevernet har": 0.85, "Barnevernet kan": 0.82})
    assert finder.nearest(query, ["Sogndal"]).unit == unit(index, "Psykologen har")  # nothing asked: the closest
    asked = service_keys("Kva er telefonnummeret til barnevernet?", "nn")
    assert finder.nearest(query, ["Sogndal"], asked).unit == unit(index, "Barnevernet har")
    found = finder.nearest(query, ["Sogndal"], asked, reach=True)  # and how to reach it first, when that is what was asked
    assert found.unit == unit(index, "Barnevernet kan") and found.service == "Barnevernet"


def test_a_preferred_pointer_must_still_be_close_enough(reach):
    index, finder = reach
    query = similarities(index, {"Psykologen har": 0.95, "Barnevernet kan": MIN_SIMILARITY - 0.01})
    asked = service_keys("Kva er telefonnummeret til barnevernet?", "nn")
    assert finder.nearest(query, ["Sogndal"], asked, reach=True).unit == unit(index, "Psykologen har")
