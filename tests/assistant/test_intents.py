"""intents.toml as data (rules) and Intents as its matcher."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import assistant.intents as intents_module
from assistant.intents import intents

RAW = tomllib.loads(Path(intents_module.__file__).with_name("intents.toml").read_text(encoding="utf-8"))


# --- the data file -------------------------------------------------------------------------------------------


def test_every_regular_expression_compiles():
    for name, spec in RAW["intent"].items():
        for pattern in spec.get("patterns", []):
            re.compile(pattern, re.IGNORECASE)
    for name, spec in RAW["detail"].items():
        re.compile(spec["evidence"])
        for pattern in spec.get("patterns", []):
            re.compile(pattern)
    for name, pattern in RAW["shape"].items():
        re.compile(pattern, re.IGNORECASE | re.MULTILINE)


def test_every_intent_has_cues_or_patterns():
    for name, spec in RAW["intent"].items():
        assert spec.get("cues") or spec.get("patterns"), name
    assert set(intents().kinds) == set(RAW["intent"])


def test_every_detail_has_ask_cues_and_evidence():
    for name, spec in RAW["detail"].items():
        assert spec.get("ask"), name
        assert spec.get("evidence"), name
    i = intents()
    assert set(i.detail_ask) == set(i.detail_evidence) == set(RAW["detail"])


def test_cues_and_framing_words_are_lower_case():
    cues = [c for spec in RAW["intent"].values() for c in spec.get("cues", [])]
    cues += [c for spec in RAW["detail"].values() for c in spec["ask"]]
    cues += RAW["framing"]["words"] + RAW["framing"]["suffixes"] + RAW["framing"]["persons"]
    cues += RAW["framing"]["after_number"]
    assert [c for c in cues if c != c.lower() or c != c.strip() or not c] == []


def test_every_detail_has_a_name_in_every_standard():
    from assistant.render import phrases

    for lang in ("nn", "nb", "en"):
        assert set(RAW["detail"]) <= set(phrases()[lang]["details"]), lang


def test_shapes_name_intents():
    assert set(RAW["shape"]) <= set(RAW["intent"])


# --- kinds -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("Kven er stafetthaldar?", {"who"}),
        ("Who is responsible?", {"who"}),
        ("Kor ofte møtest teamet?", {"frequency"}),
        ("Kva er dei tre nivåa?", {"definition", "list"}),
        ("Kva er BTI?", {"definition"}),
        ("Kven kan eg snakke med?", {"contact", "help", "open_help", "who"}),
        ("Kva er forskjellen på A og B?", {"definition", "difference"}),
        ("Hva gjelder i alle kommunene?", {"across", "list"}),
        ("Kva nivå gjeld for barnet?", {"level"}),
        ("Kva steg kjem etter nivå 1?", {"level"}),
        ("Hva er første steg?", {"definition", "procedure"}),  # what to do first, not which level
        ("Kva meiner Sogndal kommune med foreldrestøtte?", {"definition"}),  # what is meant by a term
        ("Hva menes med omsorgssvikt?", {"definition"}),
        ("Hva legger planen i begrepet tidlig innsats?", {"definition"}),
        ("Hva mener ungdomsrådet i Sandnes om tilbudet?", set()),  # an opinion asked for, not a meaning
        ("Hva skiller selekterte tiltak fra indikerte tiltak?", {"difference"}),
    ],
)
def test_kinds_of_question(question, kinds):
    assert intents().of(question) == kinds


@pytest.mark.parametrize(("question", "asks_where"), [
    ("Kvar kan eg få hjelp?", True),
    ("Kvar er helsestasjonen?", True),
    ("Vi kranglar om mobilen kvar kveld.", False),
    ("Kva gjer kvar enkelt teneste?", False),
    ("Kvar og ein kan ta kontakt.", False),
])
def test_nynorsk_kvar_asks_where_unless_it_means_every(question, asks_where):
    assert ("place" in intents().of(question)) is asks_where


@pytest.mark.parametrize("question", [
    "Kven i Sogndal kan eg snakke med om korleis borna taklar det?",
    "Hvem her i kommunen kan vi kontakte?",
    "Finst det ein stad der eg kan møte andre foreldre?",
    "Is there a place where parents can meet?",
    "Who at the school should we talk to?",
    "Hvem andre kan jeg gå til?",
])
def test_an_open_call_for_help_is_heard_with_words_in_between(question):
    assert "open_help" in intents().of(question)


@pytest.mark.parametrize("question", [
    "Gjør kommunen noe med sånt i Sør-Aurdal?", "Har kommunen noko for oss foreldre om dette?",
    "Er det noen som følger med på sånt?", "Har skolen noe opplegg for dette?", "Hvem i kommunen jobber med sånt?",
    "Does the municipality work together with the police on this?",
])
def test_asking_whether_the_municipality_does_something_for_it_looks_for_help(question):
    assert "help" in intents().of(question)


@pytest.mark.parametrize("question", ["Hvem skal vi invitere til drøftingsmøtet?", "Kven kan delta i gruppa?", "Er det ein stafettlogg?"])
def test_a_question_about_someone_or_something_named_is_not_an_open_call_for_help(question):
    assert "open_help" not in intents().of(question)


def test_cues_match_whole_words_only():
    assert "who" not in intents().of("Kvenske namn")  # "kven" inside a word
    assert "level" not in intents().of("Kva er nivåa?")  # no level word after the question word


# --- details -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "details"),
    [
        ("Hva er telefonnummeret til helsestasjonen?", {"phone"}),
        ("Kva er mobilnummeret til jordmora?", {"phone"}),  # the head of a compound asks as the word does
        ("Kva er sommaropningstidene?", {"hours"}),
        ("Kor lang er behandlingsventetida?", {"waiting"}),
        ("Hva er e-postadressen til PPT?", {"email"}),
        ("Kva er nummeret på nivået?", set()),  # "nummer" alone is not a compound head
        ("Kva er opningstidene til helsestasjonen?", {"hours"}),
        ("Hva betyr «open dør» for foreldre?", set()),  # Nynorsk "open" is not opening hours
        ("Kor mykje kostar COS-kurset?", {"price"}),
        ("Hvor mange ansatte har barnevernet?", {"count"}),
        ("Kva heiter leiaren?", {"person"}),
        ("Kven er leiar for BTI-teamet?", {"person"}),  # who holds a post is a person's name
        ("hvem er SLT-koordinator i Sandnes?", {"person"}),
        ("Who is the coordinator of the team?", {"person"}),
        ("Kven er stafetthaldar?", set()),  # a role asked for, not a name
        ("Kven er kurset for?", set()),
        ("Når er neste kurs?", {"next_date"}),
        ("Kva er BTI?", set()),
        ("kva tid på dagen er helsestasjonen open?", {"hours"}),  # words between "kva tid" and "er"
        ("Hvilke kvelder er ungdomsklubben åpen?", {"hours"}),
        ("Which days is the youth club open?", {"hours"}),
        ("Hvem er direktør for oppvekst i Sandnes?", {"person"}),  # who holds a post, by its title
        ("Hvor mye sosialhjelp kan en alenemor få?", {"amount"}),  # how much of a benefit: a sum of money
        ("hvor mye får jeg i kontantstøtte?", {"amount"}),
        ("Hvor mye hjelp kan vi få fra helsestasjonen?", set()),  # help is not money
        ("Hva er besøksadressen til PPT?", {"address"}),
        ("how long is the waiting list for BUP?", {"waiting"}),
        ("kor lang tid tek det frå vi søkjer til vi får svar?", {"waiting"}),
        ("kan de komme utenom vanlig åpningstid?", set()),  # a limit, not the detail asked for
        ("Er det ope utanom opningstida, og kva er opningstidene?", {"hours"}),
    ],
)
def test_details_asked(question, details):
    assert intents().details_asked(question) == details


def test_evidence_must_show_the_detail():
    i = intents()
    assert i.found("phone", "Ring 57 62 90 00 for time.")
    assert not i.found("phone", "Ring helsestasjonen for time.")
    assert i.found("price", "Kurset er gratis.") and not i.found("price", "Kurset er ope for alle.")


def test_a_share_may_be_written_in_words():
    i = intents()
    assert i.found("share", "Vindkraft står for rundt to prosent.") and i.found("share", "Om lag 12 % av barna …")
    assert not i.found("share", "Mange prosentar blir oppgitt.") and not i.found("share", "To av dei er nye.")


def test_a_name_asked_for_must_be_one_the_question_does_not_give():
    i = intents()
    assert i.found("person", "Leiaren heiter Kari Nordmann.", "Kva heiter leiaren?")
    assert not i.found("person", "Spør Kari Nordmann om det.", "Er Kari Nordmann leiar?")


# --- framing, shapes, cue spans --------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["gjeld", "sonen", "toåringen", "3-year-old", "lurer", "nesten", "ingenting", "sjølv", "forventes", "begrepet"])
def test_framing_words_and_age_suffixes(word):
    assert intents().is_framing(word)


@pytest.mark.parametrize("word", ["tenesta", "stafetthaldar", "bti"])
def test_topic_words_are_not_framing(word):
    assert not intents().is_framing(word)


def test_shapes():
    i = intents()
    assert i.has_shape("level", "Dette er nivå 2.") and not i.has_shape("level", "Dette er eit nivå.")
    assert i.has_shape("number", "Det er 27 meldingar.") and not i.has_shape("number", "Det er mange.")
    assert not i.has_shape("no-such-intent", "nivå 2")


def test_cue_spans_are_sorted_positions_of_cues():
    text = "Kor ofte møtest dei, og kven er med?"
    assert intents().cue_spans(text) == [(0, 8), (24, 28)]
    assert [text[a:b] for a, b in intents().cue_spans(text)] == ["Kor ofte", "kven"]


def test_a_name_is_a_capitalised_quote_not_a_phrase_in_quotes():
    i = intents()
    assert i.found("person", "Kurset heiter «Trygg start» og går kvar haust.")
    assert not i.found("person", "Foreldre får «sin helsesjukepleiar» som følgjer barnet.")


def test_items_after_a_colon_are_a_list():
    i = intents()
    assert i.has_shape("list", "Eksempler på dette kan være: ansvarsgrupper, familieveiledning, innsatsteam, psykisk helsehjelp.")
    assert not i.has_shape("list", "Målet er klart: alle barn skal ha det trygt og godt.")


def test_an_inflected_frequency_word_and_an_anchoring_field_have_their_shapes():
    i = intents()
    assert i.has_shape("frequency", "Det arrangeres faste månedlige møter i innsatsteam.")
    assert not i.has_shape("frequency", "Det arrangeres møter i innsatsteam.")
    assert i.has_shape("who", "Forankring: Barne-, ungdoms- og familiestøtte i helsestasjonen.")
