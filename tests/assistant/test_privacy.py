"""The one rule for personal numbers: what the app warns about is exactly what gets masked."""

from __future__ import annotations

import pytest

from assistant.privacy import FNR_MASK, PHONE_MASK, find_personal_data, redact, valid_fnr

VALID_FNR = "15058910063"  # synthetic, valid control digits


def test_fnr_control_digits():
    assert valid_fnr(VALID_FNR)
    assert not valid_fnr("15058910064")
    assert not valid_fnr("1505891006")


@pytest.mark.parametrize(
    "written",
    [
        VALID_FNR,
        "150589 10063",
        "150589-10063",
        "01019912345",  # wrong control digits: still identifies a child
        "15.05.89 10063",  # date + personnummer, the grouping issue 13 found stored raw
        "15 05 89 10063",
        "15/05/89-10063",
        "55058910063",  # D-nummer (day + 40)
        "12345678901",  # any 11 digits
    ],
)
def test_eleven_digit_numbers_are_redacted_in_every_common_grouping(written):
    out = redact(f"Jenta har nr {written} og går i 3. klasse.")
    assert FNR_MASK in out and written not in out
    assert "fødselsnummer" in find_personal_data(written)


@pytest.mark.parametrize(
    "text,secret",
    [
        ("fnr 120488", "120488"),
        ("Fødselsnummer: 1204 88", "1204 88"),
        ("personnummer 12345", "12345"),
        ("personnr. 123 45", "123 45"),
        ("D-nummer er 4104881234", "4104881234"),
        ("f.nr 12048812", "12048812"),
    ],
)
def test_labelled_numbers_are_redacted_even_when_short(text, secret):
    out = redact(f"Barnet, {text}, treng hjelp.")
    assert secret not in out and FNR_MASK in out
    assert find_personal_data(text) == ["fødselsnummer"]


@pytest.mark.parametrize(
    "phone",
    ["91234567", "912 34 567", "+47 912 34 567", "0047 91234567", "22 33 44 55", "41 234 567", "412 345 67", "4123 4567", "4123 45 67", "+4741234567"],
)
def test_phone_numbers_are_redacted(phone):
    out = redact(f"Ring mor på {phone} i dag.")
    assert PHONE_MASK in out and phone not in out
    assert find_personal_data(phone) == ["telefonnummer"]


def test_issue_example_flags_both_kinds():
    text = "Eleven Ola Hansen, fnr 12048812345, tlf 91234567"
    assert find_personal_data(text) == ["fødselsnummer", "telefonnummer"]
    assert "12048812345" not in redact(text) and "91234567" not in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "Nivå 2, 27 meldingar i 2024, 9,8 % og 01.01.2024.",
        "Planen gjeld 2024–2032; 1 200 barn; klokka 08.00–15.30; tiltak 3.2.1.",
        "Kapittel 4.1, side 12, 0–18 år, 15. mai 2025.",
    ],
)
def test_ordinary_numbers_survive(text):
    assert redact(text) == text
    assert find_personal_data(text) == []


def test_warning_and_redaction_agree():
    samples = ["tlf 41 234 567", "15.05.89 10063", "ingenting her", "personnummer 12345", "år 2024 og 2025"]
    for s in samples:
        assert bool(find_personal_data(s)) == (redact(s) != s)


def test_a_span_of_years_is_not_a_phone_number():
    from assistant.privacy import find_personal_data, redact

    for text in ("Plan mot barnefattigdom 2017-2025", "planperioden 2024 2032", "frå 1998.2003"):
        assert redact(text) == text and find_personal_data(text) == []
    assert redact("ring 4123 4567") == "ring [telefonnummer fjernet]"  # a real 4-4 grouping still is
